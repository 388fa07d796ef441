//! Renders a report of the reference export to `target/sample-report.{html,pdf,xlsx}`:
//! `cargo run -p axis-reports --example sample_report [executive|detailed|cost|security|operations]`
//! (to look at the reports while working on them; docs/images were made from it).
use axis_advisor::{Catalogue, FindingId, FindingStatus, Limits, parse_csv};
use axis_reports::html::Brand;
use axis_reports::{ReportInput, ReportOptions, ReportRow, ReportType, build, render};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let kind: ReportType = std::env::args().nth(1).unwrap_or_else(|| "executive".into()).parse()?;
    let sample = std::fs::read("crates/advisor/tests/samples/advisor_sample.csv")?;
    let parsed = parse_csv(&sample, None, Limits::default())?;
    let rows: Vec<ReportRow> = parsed
        .recommendations
        .into_iter()
        .map(|recommendation| ReportRow {
            finding_id: FindingId::new(),
            recommendation,
            status: FindingStatus::Open,
            owner: None,
            due_date: None,
        })
        .collect();
    let options = ReportOptions::default();
    let catalogue = Catalogue::new(Vec::new());
    let now = time::OffsetDateTime::now_utc();
    let input = ReportInput {
        report_type: kind,
        options: &options,
        client_name: "Contoso Ltd",
        firm_name: "Northwind Consulting",
        generated_at: now,
        snapshot_at: now,
        file_name: "advisor_sample.csv",
        advisor_score: None,
        catalogue: &catalogue,
        trend: Vec::new(),
    };
    let view = build(&input, &rows);
    let files = render(&view, &Brand::default(), None)?;
    std::fs::write("target/sample-report.html", files.html)?;
    std::fs::write("target/sample-report.pdf", files.pdf)?;
    std::fs::write("target/sample-report.xlsx", files.xlsx)?;
    Ok(())
}
