//! Renders a report of the reference export to `target/sample-report.{html,pdf,xlsx}`:
//! `cargo run -p axis-reports --example sample_report [executive|detailed|cost|security|operations]`
//! (to look at the reports while working on them; docs/images were made from it).
use axis_reports::html::Brand;
use axis_reports::{ReportType, render, sample};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let kind: ReportType = std::env::args().nth(1).unwrap_or_else(|| "executive".into()).parse()?;
    let view = sample::view(kind, "Northwind Consulting", time::OffsetDateTime::now_utc());
    let files = render(&view, &Brand::default(), None)?;
    std::fs::write("target/sample-report.html", files.html)?;
    std::fs::write("target/sample-report.pdf", files.pdf)?;
    std::fs::write("target/sample-report.xlsx", files.xlsx)?;
    Ok(())
}
