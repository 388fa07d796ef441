//! The HTML report: a minijinja template (the default is embedded in the binary) rendered
//! with the report's data. Auto-escaped: every value is text; only the charts, drawn and
//! escaped in `charts`, go in as markup. Templates reach no file, no network and no clock,
//! and a template's work is bounded (fuel), so a custom one cannot hang a worker.

use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::Serialize;

use crate::charts::Charts;
use crate::view::ReportView;

/// The default template every report type starts from.
pub const DEFAULT_TEMPLATE: &str = include_str!("templates/report.html");

/// How much work one rendering may do (minijinja's instructions), far above what the default
/// template needs for 14,000 recommendations.
const FUEL: u64 = 50_000_000;

/// The firm's look: its accent colour (`#rrggbb`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Brand {
    pub accent: String,
}

impl Default for Brand {
    fn default() -> Self {
        Brand { accent: "#1565c0".into() }
    }
}

#[derive(Serialize)]
struct Context<'a> {
    report: &'a ReportView,
    charts: &'a Charts,
    brand: &'a Brand,
    /// The client's logo as a `data:` URL, when there is one.
    logo: Option<&'a str>,
}

#[derive(Debug, thiserror::Error)]
#[error("the template cannot be used: {0}")]
pub struct TemplateError(String);

fn environment(template: &str) -> Result<Environment<'_>, TemplateError> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    env.add_template("report.html", template).map_err(|e| TemplateError(e.to_string()))?;
    Ok(env)
}

/// Renders `view` with `template` (the default when `None`).
pub fn render(
    view: &ReportView,
    charts: &Charts,
    brand: &Brand,
    logo: Option<&str>,
    template: Option<&str>,
) -> Result<String, TemplateError> {
    let env = environment(template.unwrap_or(DEFAULT_TEMPLATE))?;
    let context = Context { report: view, charts, brand, logo };
    env.get_template("report.html")
        .and_then(|t| t.render(minijinja::value::Serde(&context)))
        .map_err(|e| TemplateError(e.to_string()))
}
