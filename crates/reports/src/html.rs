//! The HTML report: a minijinja template (the default is embedded in the binary; a report
//! template may replace it) rendered with the report's data. Auto-escaped: every value is
//! text. Only the charts, drawn and escaped in `charts`, go in as markup, and no template can
//! turn a value into markup (`safe` escapes like any output), so a recommendation's text can
//! never become HTML whatever the template. Templates reach no file, no network and no clock,
//! and a template's work is bounded (fuel), so a custom one cannot hang a worker.

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, UndefinedBehavior, context};
use serde::Serialize;

use crate::charts::Charts;
use crate::logo::Logo;
use crate::view::ReportView;

/// The default template every report type starts from.
pub const DEFAULT_TEMPLATE: &str = include_str!("templates/report.html");

/// How much work one rendering may do (minijinja's instructions), far above what the default
/// template needs for 14,000 recommendations.
const FUEL: u64 = 50_000_000;

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

fn environment(template: &str) -> Result<Environment<'_>, TemplateError> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    // A plain string comes out escaped: no value can be let through as markup.
    env.add_filter("safe", |value: String| value);
    env.add_template("report.html", template).map_err(|e| TemplateError(describe(&e)))?;
    Ok(env)
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
    let env = environment(template.unwrap_or(DEFAULT_TEMPLATE))?;
    let charts = context! {
        categories => Value::from_safe_string(charts.categories.clone()),
        impacts => Value::from_safe_string(charts.impacts.clone()),
        subscriptions => Value::from_safe_string(charts.subscriptions.clone()),
        risk => Value::from_safe_string(charts.risk.clone()),
        trend => Value::from_safe_string(charts.trend.clone()),
    };
    let data = context! {
        report => Value::from(minijinja::value::Serde(view)),
        charts,
        brand => Value::from(minijinja::value::Serde(BrandData { accent: &brand.accent, heading: &brand.heading })),
        // Our own text (a media type and base64): nothing in it needs escaping.
        logo => brand.client_logo.as_ref().map(|l| Value::from_safe_string(l.data_url())),
        firm_logo => brand.firm_logo.as_ref().map(|l| Value::from_safe_string(l.data_url())),
    };
    env.get_template("report.html").and_then(|t| t.render(data)).map_err(|e| TemplateError(describe(&e)))
}
