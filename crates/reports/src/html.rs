//! The HTML report: a minijinja template (the default is embedded in the binary; a report
//! template may replace it) rendered with the report's data. Auto-escaped: every value is
//! text. Only axis's own markup (the charts, drawn and escaped in `charts`; the logos' `data:`
//! URLs) goes in as markup, put in place after rendering, and no template can turn a value into
//! markup (`safe` escapes like any output; `autoescape` blocks are refused),
//! so a recommendation's text can never become HTML whatever the template. Templates reach no
//! file, no network and no clock, and a template's work and output are bounded
//! ([`RenderLimits`]), so a custom one cannot hang a worker or fill the store.

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, UndefinedBehavior, context};
use serde::Serialize;

use crate::charts::Charts;
use crate::logo::Logo;
use crate::view::ReportView;

/// The default template every report type starts from.
pub const DEFAULT_TEMPLATE: &str = include_str!("templates/report.html");

/// What one rendering may do: minijinja's instructions (fuel) and the bytes it may write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderLimits {
    pub fuel: u64,
    pub max_bytes: usize,
}

impl RenderLimits {
    /// A report: the default template's sections stop at 500 rows, so its work does not grow
    /// with the estate; its largest report (`detailed`, 14,000 recommendations) takes about
    /// 156,000 instructions and 0.75 MB. Thirty times that, and 32 MiB.
    pub const REPORT: RenderLimits = RenderLimits { fuel: 5_000_000, max_bytes: 32 * 1024 * 1024 };
    /// A custom template tried on the sample analysis before it is saved, inside the
    /// manager's request: the default template takes about 2,100 instructions there, so a
    /// template that loops or recurses for long is refused in milliseconds.
    pub const TRIAL: RenderLimits = RenderLimits { fuel: 200_000, max_bytes: 4 * 1024 * 1024 };
}

/// The look of a report: colours (`#rrggbb`) and logos.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Brand {
    /// Rules, bars, table heads.
    pub accent: String,
    /// Titles and headings.
    pub heading: String,
    /// The consultancy's logo (its report template's).
    pub firm_logo: Option<Logo>,
    /// The client's logo.
    pub client_logo: Option<Logo>,
}

/// The colours a report has without a template.
pub const DEFAULT_ACCENT: &str = "#1565c0";
pub const DEFAULT_HEADING: &str = "#1565c0";

impl Default for Brand {
    fn default() -> Self {
        Brand {
            accent: DEFAULT_ACCENT.into(),
            heading: DEFAULT_HEADING.into(),
            firm_logo: None,
            client_logo: None,
        }
    }
}

/// What a template sees as `brand`.
#[derive(Serialize)]
struct BrandData<'a> {
    accent: &'a str,
    heading: &'a str,
}

#[derive(Debug, thiserror::Error)]
#[error("the template cannot be used: {0}")]
pub struct TemplateError(String);

fn environment(template: &str, fuel: u64) -> Result<Environment<'_>, TemplateError> {
    if let Some(line) = autoescape_tag(template) {
        return Err(TemplateError(format!(
            "line {line}: `autoescape` blocks are not allowed: every value is escaped"
        )));
    }
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(fuel));
    // A plain string comes out escaped: no value can be let through as markup.
    env.add_filter("safe", |value: String| value);
    // The engine's state (`debug()`) is not a template's business.
    env.add_function("debug", || -> Result<String, minijinja::Error> {
        Err(minijinja::Error::new(minijinja::ErrorKind::UnknownFunction, "debug is not available"))
    });
    env.add_template("report.html", template).map_err(|e| TemplateError(describe(&e)))?;
    Ok(env)
}

/// The line of the first `{% autoescape … %}` tag (whatever the white space and trim marks),
/// the one way a template could turn escaping off.
fn autoescape_tag(template: &str) -> Option<usize> {
    template.match_indices("{%").find_map(|(at, _)| {
        let rest = template[at + 2..].trim_start_matches(['-', '+']).trim_start();
        rest.starts_with("autoescape").then(|| template[..at].matches('\n').count() + 1)
    })
}

/// A writer that refuses to grow past its limit.
struct Bounded {
    out: Vec<u8>,
    max_bytes: usize,
}

impl std::io::Write for Bounded {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.out.len() + bytes.len() > self.max_bytes {
            return Err(std::io::Error::other(format!(
                "the page would be larger than {} bytes",
                self.max_bytes
            )));
        }
        self.out.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// minijinja's error with where it happened (line), without its internal debug output.
fn describe(error: &minijinja::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        text.push_str(&format!(": {inner}"));
        source = inner.source();
    }
    text
}

/// Renders `view` with `template` (the default when `None`). A template sees `report` (the
/// view), `charts` (SVG markup), `brand` (`accent`, `heading`) and `logo` / `firm_logo`
/// (`data:` URLs, or none).
pub fn render(
    view: &ReportView,
    charts: &Charts,
    brand: &Brand,
    template: Option<&str>,
) -> Result<String, TemplateError> {
    render_within(view, charts, brand, template, RenderLimits::REPORT)
}

/// [`render`] within `limits`.
pub fn render_within(
    view: &ReportView,
    charts: &Charts,
    brand: &Brand,
    template: Option<&str>,
    limits: RenderLimits,
) -> Result<String, TemplateError> {
    let env = environment(template.unwrap_or(DEFAULT_TEMPLATE), limits.fuel)?;
    // axis's own markup reaches the template as placeholders (plain text, which no filter can
    // turn into markup or splice into a value), put in place once the page is rendered.
    let nonce = uuid::Uuid::now_v7().simple().to_string();
    let mut markup: Vec<(String, String)> = Vec::new();
    let mut place = |name: &str, content: String| {
        let placeholder = format!("axis-markup-{nonce}-{name}");
        markup.push((placeholder.clone(), content));
        placeholder
    };
    let charts = context! {
        categories => place("categories", charts.categories.clone()),
        impacts => place("impacts", charts.impacts.clone()),
        subscriptions => place("subscriptions", charts.subscriptions.clone()),
        risk => place("risk", charts.risk.clone()),
        trend => place("trend", charts.trend.clone()),
    };
    let logo = brand.client_logo.as_ref().map(|l| place("logo", l.data_url()));
    let firm_logo = brand.firm_logo.as_ref().map(|l| place("firm-logo", l.data_url()));
    let data = context! {
        report => Value::from(minijinja::value::Serde(view)),
        charts,
        brand => Value::from(minijinja::value::Serde(BrandData { accent: &brand.accent, heading: &brand.heading })),
        logo,
        firm_logo,
    };
    let mut page = Bounded { out: Vec::new(), max_bytes: limits.max_bytes };
    env.get_template("report.html")
        .and_then(|t| t.render_captured_to(data, &mut page).map(|_| ()))
        .map_err(|e| TemplateError(describe(&e)))?;
    let page = String::from_utf8(page.out).map_err(|e| TemplateError(e.to_string()))?;
    with_markup(page, &markup, limits.max_bytes)
}

/// `page` with each placeholder replaced by its markup, still within `max_bytes` however
/// often a template repeats a placeholder.
fn with_markup(
    mut page: String,
    markup: &[(String, String)],
    max_bytes: usize,
) -> Result<String, TemplateError> {
    let mut size = page.len();
    for (placeholder, content) in markup {
        let times = page.matches(placeholder.as_str()).count();
        size = size - times * placeholder.len() + times * content.len();
        if size > max_bytes {
            return Err(TemplateError(format!("the page would be larger than {max_bytes} bytes")));
        }
        if times > 0 {
            page = page.replace(placeholder.as_str(), content);
        }
    }
    Ok(page)
}
