//! A sample analysis: the reference Azure Advisor export (14 recommendations of every
//! category, embedded in the binary) with a small effort catalogue, as a report of any type.
//! A custom template is tried on it before it is saved; the example renders it to look at.

use axis_advisor::{
    AdvisorScore, Catalogue, CatalogueEntry, CatalogueEntryId, FindingId, FindingStatus, Limits, parse_csv,
};
use time::OffsetDateTime;

use crate::model::{ReportOptions, ReportRow, ReportType};
use crate::view::{ReportInput, ReportView, build};

const EXPORT: &[u8] = include_bytes!("templates/sample.csv");

/// The reference export's recommendations, each an open finding.
pub fn rows() -> Vec<ReportRow> {
    let parsed = parse_csv(EXPORT, None, Limits::default()).map(|p| p.recommendations).unwrap_or_default();
    parsed
        .into_iter()
        .map(|recommendation| ReportRow {
            finding_id: FindingId::new(),
            recommendation,
            status: FindingStatus::Open,
            owner: None,
            due_date: None,
        })
        .collect()
}

/// A few entries as a consultancy's catalogue has them (the seeded defaults' figures).
pub fn catalogue(at: OffsetDateTime) -> Catalogue {
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
            updated_at: at,
        };
    Catalogue::new(vec![
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
    ])
}

/// The sample as a `kind` report for "Contoso Ltd", prepared by `firm`.
pub fn view(kind: ReportType, firm: &str, at: OffsetDateTime) -> ReportView {
    let options = ReportOptions::default();
    let catalogue = catalogue(at);
    let input = ReportInput {
        report_type: kind,
        options: &options,
        client_name: "Contoso Ltd",
        firm_name: firm,
        generated_at: at,
        snapshot_at: at,
        file_name: "advisor_sample.csv",
        advisor_score: AdvisorScore::manual("65").ok(),
        catalogue: &catalogue,
        trend: Vec::new(),
    };
    build(&input, &rows())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_sample_has_the_reference_exports_rows() {
        assert_eq!(super::rows().len(), 14);
    }
}
