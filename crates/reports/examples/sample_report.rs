//! Renders a report of the reference export to `target/sample-report.{html,pdf,xlsx}`:
//! `cargo run -p axis-reports --example sample_report [executive|detailed|cost|security|operations]`
//! (to look at the reports while working on them; docs/images were made from it).
use axis_advisor::{
    Catalogue, CatalogueEntry, CatalogueEntryId, FindingId, FindingStatus, Limits, parse_csv,
};
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
    // A few entries as a consultancy's catalogue has them (the seeded defaults' figures).
    let entry =
        |text: &str, hours: i64, investment: Option<i64>, solution: &str, p: i16, i: i16| CatalogueEntry {
            id: CatalogueEntryId::new(),
            recommendation_type_id: None,
            recommendation: Some(text.to_owned()),
            effort_hours: hours.into(),
            monthly_investment: investment.map(Into::into),
            currency: investment.map(|_| "USD".to_owned()),
            solution: Some(solution.to_owned()),
            risk_probability: p,
            risk_impact: i,
            billing_increase: investment.is_some(),
            version: 1,
            updated_at: time::OffsetDateTime::now_utc(),
        };
    let catalogue = Catalogue::new(vec![
        entry(
            "Right-size or shutdown underutilized virtual machines",
            2,
            None,
            "Azure Virtual Machines",
            2,
            3,
        ),
        entry(
            "Microsoft Defender for servers should be enabled",
            2,
            Some(15),
            "Microsoft Defender for Cloud",
            3,
            4,
        ),
        entry("Enable Azure backup for SQL on your virtual machines", 3, Some(25), "Azure Backup", 2, 5),
        entry(
            "Consider virtual machine reserved instance to save over the on-demand costs",
            4,
            None,
            "Azure Reservations",
            2,
            5,
        ),
    ]);
    let now = time::OffsetDateTime::now_utc();
    let input = ReportInput {
        report_type: kind,
        options: &options,
        client_name: "Contoso Ltd",
        firm_name: "Northwind Consulting",
        generated_at: now,
        snapshot_at: now,
        file_name: "advisor_sample.csv",
        advisor_score: axis_advisor::AdvisorScore::manual("65").ok(),
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
