use std::str::FromStr;

use time::macros::{date, datetime};

use super::*;
use crate::catalogue::{CatalogueEntry, CatalogueEntryId};
use crate::parse::{Limits, parse_csv};
use crate::score::AdvisorScore;

const PORTAL_17: &[u8] = include_bytes!("../../tests/samples/advisor_sample.csv");

fn dec(text: &str) -> BigDecimal {
    BigDecimal::from_str(text).unwrap()
}

fn entry(text: &str, hours: &str, investment: Option<(&str, &str)>, risk: (i16, i16)) -> CatalogueEntry {
    CatalogueEntry {
        id: CatalogueEntryId::new(),
        recommendation_type_id: None,
        recommendation: Some(text.into()),
        effort_hours: dec(hours),
        monthly_investment: investment.map(|(a, _)| dec(a)),
        currency: investment.map(|(_, c)| c.to_owned()),
        solution: None,
        risk_probability: risk.0,
        risk_impact: risk.1,
        billing_increase: false,
        version: 1,
        updated_at: datetime!(2026-01-01 0:00 UTC),
    }
}

fn sample() -> Vec<Recommendation> {
    parse_csv(PORTAL_17, None, Limits::default()).unwrap().recommendations
}

fn amounts(list: &[(&str, &str)]) -> Vec<Amount> {
    list.iter().map(|(c, a)| Amount { currency: (*c).into(), amount: (*a).into() }).collect()
}

#[test]
fn the_sample_is_counted_and_its_commitments_are_not_summed() {
    let analysis = analyse(&sample(), &Catalogue::default(), None, date!(2025 - 11 - 25));
    assert_eq!(analysis.recommendations, 14);
    let counts: Vec<(Category, u64)> = analysis.by_category.iter().map(|c| (c.category, c.count)).collect();
    assert_eq!(
        counts,
        [
            (Category::Cost, 4),
            (Category::Security, 3),
            (Category::Reliability, 4),
            (Category::OperationalExcellence, 2),
            (Category::Performance, 1),
        ]
    );
    // Only the right-size saving counts: the reserved instance and the savings plan are
    // alternatives, shown on their own.
    assert_eq!(
        analysis.savings,
        [SavingsTotal {
            currency: "USD".into(),
            annual: "6684.00".into(),
            monthly: "557.00".into(),
            recommendations: 1
        }]
    );
    let commitments: Vec<(Alternative, &str)> =
        analysis.commitments.iter().map(|c| (c.kind, c.largest_annual.as_str())).collect();
    assert_eq!(
        commitments,
        [(Alternative::ReservedInstance, "12604.00"), (Alternative::SavingsPlan, "10490.00")]
    );
    assert_eq!(analysis.by_impact[0], ImpactCount { impact: Impact::High, count: 7 });
    assert_eq!(
        analysis.retirements,
        [Retirement {
            date: date!(2025 - 09 - 30),
            feature: Some("Basic SKU public IP addresses".into()),
            count: 1,
            past: true
        }]
    );
    assert_eq!(
        (analysis.billing.known, analysis.billing.remediation, analysis.billing.billing_increase),
        (true, 10, 4)
    );
    assert_eq!(analysis.advisor_score, None, "never invented");
    assert_eq!(analysis.subscriptions, 2);
}

#[test]
fn top_recommendations_rank_impact_numerically_then_savings() {
    let analysis = analyse(&sample(), &Catalogue::default(), None, date!(2025 - 11 - 25));
    let top: Vec<(Impact, Option<&str>)> = analysis
        .top_recommendations
        .iter()
        .map(|h| (h.impact, h.annual_savings.as_ref().map(|a| a.amount.as_str())))
        .collect();
    assert_eq!(
        top[..3],
        [(Impact::High, Some("12604.00")), (Impact::High, Some("10490.00")), (Impact::High, Some("6684.00"))]
    );
    let first_medium = top.iter().position(|(i, _)| *i == Impact::Medium).unwrap();
    assert!(top[..first_medium].iter().all(|(i, _)| *i == Impact::High));
    assert!(top[first_medium..].iter().all(|(i, _)| *i != Impact::High));
    // Quick wins: high impact, not a commitment; without a catalogue, those with a saving.
    let wins: Vec<&str> = analysis.quick_wins.iter().map(|h| h.recommendation.as_str()).collect();
    assert_eq!(wins, ["Right-size or shutdown underutilized virtual machines"]);
}

#[test]
fn the_catalogue_gives_hours_investment_risk_and_names_what_it_lacks() {
    let catalogue = Catalogue::new(vec![
        entry("Secure transfer to storage accounts should be enabled", "0.5", None, (4, 4)),
        entry("microsoft defender for servers  should be enabled", "2", Some(("15", "USD")), (3, 5)),
        entry("Enable Azure backup for SQL on your virtual machines", "3", Some(("20", "EUR")), (2, 5)),
    ]);
    let analysis = analyse(&sample(), &catalogue, None, date!(2025 - 11 - 25));
    assert_eq!(analysis.effort.hours, "5.50");
    assert_eq!(analysis.effort.monthly_investment, amounts(&[("EUR", "20.00"), ("USD", "15.00")]));
    assert_eq!((analysis.effort.matched, analysis.effort.unmatched), (3, 11));
    assert_eq!(analysis.indicators.catalogue_coverage_percent, "21.43");
    let points: Vec<(i16, i16, u64)> =
        analysis.risk_matrix.iter().map(|p| (p.probability, p.impact, p.count)).collect();
    assert_eq!(points, [(4, 4, 1), (3, 5, 1), (2, 5, 1)]);
    let wins: Vec<&str> = analysis.quick_wins.iter().map(|h| h.recommendation.as_str()).collect();
    assert!(wins.contains(&"Secure transfer to storage accounts should be enabled"), "{wins:?}");
}

#[test]
fn indicators_are_ratios_that_hold_for_a_large_estate() {
    let one = sample();
    let mut large = Vec::new();
    for copy in 0..1000 {
        for r in &one {
            let mut r = r.clone();
            r.resource_name = r.resource_name.map(|n| format!("{n}-{copy}"));
            large.push(r);
        }
    }
    let small = analyse(&one, &Catalogue::default(), None, date!(2025 - 11 - 25)).indicators;
    let big = analyse(&large, &Catalogue::default(), None, date!(2025 - 11 - 25)).indicators;
    assert_eq!(small.high_impact_percent, "50.00");
    assert_eq!(big.high_impact_percent, small.high_impact_percent, "not collapsing with size");
    assert_ne!(big.findings_per_resource, "0.00");
    let empty = analyse(&[], &Catalogue::default(), None, date!(2025 - 11 - 25));
    assert_eq!(empty.indicators.high_impact_percent, "0.00");
}

#[test]
fn savings_stay_per_currency_and_the_score_is_the_one_carried() {
    let mut rows = sample();
    rows[2].currency = Some("EUR".into());
    let score = AdvisorScore::manual("65").unwrap();
    let analysis = analyse(&rows, &Catalogue::default(), Some(score.clone()), date!(2025 - 11 - 25));
    let currencies: Vec<&str> = analysis.savings.iter().map(|s| s.currency.as_str()).collect();
    assert_eq!(currencies, ["EUR"], "the USD commitments are not in the totals");
    assert_eq!(analysis.advisor_score, Some(score));
    let json = serde_json::to_value(&analysis).unwrap();
    let back: Analysis = serde_json::from_value(json).unwrap();
    assert_eq!(back, analysis, "stored as JSON and read back the same");
}
