//! Report templates: a consultancy's look for one report type — its name on the reports, its
//! colours, its logo, and optionally its own HTML template — one of them the type's default.
//! Every change of what a report shows (the branding) is a new revision; a report records the
//! revision it was asked with and renders exactly that, however the template changes later.

use axis_kernel::{Audited, FieldErrors, UserId, input};
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::html::{self, Brand, DEFAULT_ACCENT, DEFAULT_HEADING};
use crate::logo::StoredLogo;
use crate::model::ReportType;

axis_kernel::typed_id!(
    /// A report template.
    ReportTemplateId
);

/// The longest custom HTML template, in bytes.
pub const MAX_TEMPLATE_BYTES: usize = 256 * 1024;
const MAX_NAME: usize = 255;

/// What a report shows of its template: one revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branding {
    /// The consultancy's name on the reports; none: the server's (`AXIS_REPORT_FIRM_NAME`).
    pub firm_name: Option<String>,
    /// `#rrggbb`, lowercase.
    pub accent_colour: String,
    pub heading_colour: String,
    /// The HTML template; none: the default.
    pub html: Option<String>,
    pub logo: Option<StoredLogo>,
}

impl Default for Branding {
    fn default() -> Self {
        Branding {
            firm_name: None,
            accent_colour: DEFAULT_ACCENT.into(),
            heading_colour: DEFAULT_HEADING.into(),
            html: None,
            logo: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportTemplate {
    pub id: ReportTemplateId,
    pub report_type: ReportType,
    pub name: String,
    /// The one reports of its type use when they name no template.
    pub is_default: bool,
    /// The branding's revision (1, 2, …); reports record it.
    pub revision: i32,
    pub branding: Branding,
    pub created_by: Option<UserId>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub version: i32,
}

/// A template as a manager writes it (creating or replacing; the logo has its own route).
#[derive(Debug, Clone, Default)]
pub struct TemplateFields {
    pub name: String,
    pub is_default: bool,
    pub firm_name: Option<String>,
    pub accent_colour: Option<String>,
    pub heading_colour: Option<String>,
    pub html: Option<String>,
}

/// The fields, checked: the name and the branding without its logo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateDraft {
    pub name: String,
    pub is_default: bool,
    pub firm_name: Option<String>,
    pub accent_colour: String,
    pub heading_colour: String,
    pub html: Option<String>,
}

impl TemplateFields {
    /// Checks every field; an HTML template must parse and render the sample analysis as a
    /// `report_type` report (its error, with the line, on `html`).
    pub fn parse(self, report_type: ReportType) -> Result<TemplateDraft, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = input::required_name(&mut errors, "name", self.name, MAX_NAME);
        let firm_name = input::name(&mut errors, "firm_name", self.firm_name, MAX_NAME);
        let accent_colour = colour(&mut errors, "accent_colour", self.accent_colour, DEFAULT_ACCENT);
        let heading_colour = colour(&mut errors, "heading_colour", self.heading_colour, DEFAULT_HEADING);
        let html = self.html.filter(|h| !h.trim().is_empty());
        if let Some(template) = &html {
            if template.len() > MAX_TEMPLATE_BYTES {
                errors.add("html", format!("must be at most {MAX_TEMPLATE_BYTES} bytes"));
            } else if template.contains('\0') {
                errors.add("html", "must not contain NUL characters");
            } else if let Err(error) = try_template(template, report_type) {
                errors.add("html", format!("does not render the sample analysis: {error}"));
            }
        }
        errors.into_result()?;
        Ok(TemplateDraft {
            name,
            is_default: self.is_default,
            firm_name,
            accent_colour,
            heading_colour,
            html,
        })
    }
}

impl TemplateDraft {
    /// The branding this draft gives, with `logo`.
    pub fn branding(&self, logo: Option<StoredLogo>) -> Branding {
        Branding {
            firm_name: self.firm_name.clone(),
            accent_colour: self.accent_colour.clone(),
            heading_colour: self.heading_colour.clone(),
            html: self.html.clone(),
            logo,
        }
    }
}

/// `#rrggbb` (any case, stored lowercase); `fallback` when absent.
fn colour(errors: &mut FieldErrors, field: &str, value: Option<String>, fallback: &str) -> String {
    let Some(value) = value else { return fallback.to_owned() };
    let hex = value.strip_prefix('#').filter(|h| h.len() == 6 && h.chars().all(|c| c.is_ascii_hexdigit()));
    match hex {
        Some(hex) => format!("#{}", hex.to_ascii_lowercase()),
        None => {
            errors.add(field, "must be a colour as #rrggbb");
            fallback.to_owned()
        }
    }
}

/// Renders the sample analysis with `template`.
fn try_template(template: &str, report_type: ReportType) -> Result<(), html::TemplateError> {
    let view = crate::sample::view(report_type, "Sample Consulting", OffsetDateTime::UNIX_EPOCH);
    let charts = crate::charts::draw(&view);
    html::render_within(&view, &charts, &Brand::default(), Some(template), html::RenderLimits::TRIAL)
        .map(|_| ())
}

impl Audited for ReportTemplate {
    const ENTITY_TYPE: &'static str = "report_template";
    const ACTIONS: &'static str = "report_template";

    fn audit_id(&self) -> String {
        self.id.to_string()
    }

    fn audit_view(&self) -> Value {
        let b = &self.branding;
        json!({
            "report_type": self.report_type, "name": self.name, "is_default": self.is_default,
            "revision": self.revision, "firm_name": b.firm_name, "accent_colour": b.accent_colour,
            "heading_colour": b.heading_colour,
            // The template itself is long: its size and hash say whether it changed.
            "html": b.html.as_ref().map(|h| json!({"bytes": h.len(), "sha256": sha256_hex(h.as_bytes())})),
            "logo": b.logo.as_ref().map(|l| json!({"format": l.format, "size": l.size, "sha256": l.sha256})),
        })
    }
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(html: Option<&str>) -> TemplateFields {
        TemplateFields { name: "Northwind".into(), html: html.map(Into::into), ..Default::default() }
    }

    fn html_error(html: &str) -> String {
        match fields(Some(html)).parse(ReportType::Executive) {
            Err(errors) => format!("{errors:?}"),
            Ok(_) => panic!("{html} was accepted"),
        }
    }

    #[test]
    fn a_template_that_renders_the_sample_is_accepted() {
        let html =
            "<h1>{{ report.title }}</h1><p>{{ report.client }}: {{ report.totals.recommendations }}</p>";
        let draft = fields(Some(html)).parse(ReportType::Cost).expect("accepted");
        assert_eq!(draft.html.as_deref(), Some(html));
        assert_eq!(
            (draft.accent_colour.as_str(), draft.heading_colour.as_str()),
            (DEFAULT_ACCENT, DEFAULT_HEADING)
        );
    }

    #[test]
    fn a_template_that_does_not_parse_or_render_is_refused_with_why() {
        assert!(html_error("{% for x in %}").contains("syntax error"));
        assert!(html_error("{{ report.no_such_field }}").contains("undefined"));
        assert!(html_error("{% include 'other.html' %}").contains("not found"));
        // Work without end runs out of fuel instead of hanging the server, at once.
        let started = std::time::Instant::now();
        let nested = "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}";
        assert!(html_error(nested).contains("fuel"));
        let doubling = "{% macro f(n) %}{% if n < 40 %}{{ f(n+1) }}{{ f(n+1) }}{% else %}x{% endif %}{% endmacro %}{{ f(0) }}";
        assert!(html_error(doubling).contains("fuel"));
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "{:?}", started.elapsed());
        // Output without end stops: the fuel counts what a repetition makes, and the page
        // stops at the trial's size.
        let big = html_error("{{ 'x' * 100000000 }}");
        assert!(big.contains("fuel") || big.contains("larger than"), "{big}");
        // Escaping cannot be turned off, nor the engine's state shown.
        assert!(
            html_error("<p>\n{%- autoescape false %}{{ report.client }}{% endautoescape %}")
                .contains("line 2")
        );
        assert!(
            html_error("{%+autoescape false%}{{ report.client }}{% endautoescape %}").contains("autoescape")
        );
        assert!(html_error("{{ debug() }}").contains("debug is not available"));
        assert!(html_error(&"x".repeat(MAX_TEMPLATE_BYTES + 1)).contains("at most"));
    }

    #[test]
    fn colours_are_hex_triplets_and_names_are_required() {
        let parsed = TemplateFields {
            name: "  ".into(),
            accent_colour: Some("#ABCDEF".into()),
            heading_colour: Some("red".into()),
            ..Default::default()
        }
        .parse(ReportType::Executive);
        let errors = format!("{:?}", parsed.expect_err("refused"));
        assert!(errors.contains("name") && errors.contains("heading_colour"), "{errors}");
        assert!(!errors.contains("accent_colour"), "{errors}");
    }

    #[test]
    fn no_template_can_turn_a_value_into_markup() {
        let mut view = crate::sample::view(ReportType::Executive, "<b>Firm</b>", OffsetDateTime::UNIX_EPOCH);
        view.client = "<script>alert(1)</script>".into();
        let charts = crate::charts::draw(&view);
        let out = html::render(
            &view,
            &charts,
            &Brand::default(),
            Some(
                "{{ report.client|safe }} {{ report.firm|safe }} {{ charts.categories }} \
                 {{ report.client|replace('&lt;', charts.categories|first) }} \
                 {{ report.client|replace('<', charts.risk[:1]) }}",
            ),
        )
        .expect("renders");
        assert!(
            out.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;") || out.contains("&lt;script&gt;"),
            "{out}"
        );
        assert!(!out.contains("<script>") && !out.contains("<b>"), "{out}");
        assert!(out.contains("<svg"), "the charts stay markup");
    }
}
