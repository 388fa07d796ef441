//! What a report shows, computed once from the import and handed as data to every renderer
//! (the HTML template, the PDF's typesetting, the XLSX action plan): none of them computes.

use axis_advisor::analysis::Amount;
use axis_advisor::{AdvisorScore, Analysis, Catalogue, Category, FindingStatus, Impact, analyse};
use bigdecimal::{BigDecimal, RoundingMode};
use serde::Serialize;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

use crate::model::{ReportOptions, ReportRow, ReportType};

/// Everything a renderer needs besides the rows.
pub struct ReportInput<'a> {
    pub report_type: ReportType,
    pub options: &'a ReportOptions,
    pub client_name: &'a str,
    pub firm_name: &'a str,
    pub generated_at: OffsetDateTime,
    /// When the snapshot was uploaded, and the file's name.
    pub snapshot_at: OffsetDateTime,
    pub file_name: &'a str,
    pub advisor_score: Option<AdvisorScore>,
    pub catalogue: &'a Catalogue,
    /// The client's snapshots up to this one, oldest first: when each was taken, its count,
    /// its savings.
    pub trend: Vec<TrendLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportView {
    pub kind: ReportType,
    pub title: String,
    pub audience: &'static str,
    pub client: String,
    pub firm: String,
    pub generated: String,
    pub snapshot: String,
    pub file_name: String,
    /// What the report covers, as sentences ("Subscriptions: …").
    pub scope: Vec<String>,
    pub totals: Totals,
    pub by_category: Vec<CountLine>,
    pub by_impact: Vec<CountLine>,
    pub by_subscription: Vec<CountLine>,
    pub by_resource_type: Vec<CountLine>,
    pub quick_wins: Vec<Line>,
    pub top: Vec<Line>,
    pub sections: Vec<Section>,
    pub plan: Vec<PlanStep>,
    pub commitments: Vec<CommitmentLine>,
    pub retirements: Vec<RetirementLine>,
    pub risk: Vec<RiskLine>,
    pub trend: Vec<TrendLine>,
    /// How every estimate in the report was made.
    pub rules: Vec<String>,
    /// Every finding the report covers, for the XLSX action plan.
    #[serde(skip)]
    pub action_plan: Vec<Line>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub recommendations: u64,
    pub high: u64,
    pub medium: u64,
    pub low: u64,
    pub affected_resources: u64,
    pub subscriptions: u64,
    pub categories_affected: u64,
    /// Microsoft's score from the portal or the API; never computed by axis.
    pub advisor_score: Option<String>,
    /// Per currency, never summed across currencies; commitment alternatives apart.
    pub savings: Vec<Savings>,
    pub remediation: u64,
    pub billing_increase: u64,
    pub billing_unknown: u64,
    pub effort_hours: String,
    pub monthly_investment: Vec<Amount>,
    pub priced: u64,
    pub unpriced: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Savings {
    pub currency: String,
    pub annual: String,
    pub monthly: String,
    pub recommendations: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountLine {
    pub name: String,
    pub count: u64,
    pub high: u64,
    /// Savings per currency as text ("USD 1200.00; EUR 40.00"), empty when none.
    pub savings: String,
}

/// One recommendation as the reports show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub category: &'static str,
    pub impact: &'static str,
    pub recommendation: String,
    pub resource: String,
    pub resource_type: String,
    pub resource_group: String,
    pub subscription: String,
    pub annual_savings: String,
    pub monthly_savings: String,
    pub currency: String,
    pub commitment: bool,
    pub status: &'static str,
    pub owner: String,
    pub due_date: String,
    pub hours: String,
    pub monthly_investment: String,
    pub investment_currency: String,
    pub solution: String,
    pub billing_increase: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    pub title: String,
    pub note: String,
    pub count: u64,
    pub lines: Vec<Line>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanStep {
    pub when: &'static str,
    pub what: &'static str,
    pub count: u64,
    pub hours: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitmentLine {
    pub kind: &'static str,
    pub currency: String,
    pub count: u64,
    pub largest_annual: String,
    pub largest_monthly: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetirementLine {
    pub date: String,
    pub feature: String,
    pub count: u64,
    pub past: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RiskLine {
    pub recommendation: String,
    pub category: &'static str,
    pub probability: i16,
    pub impact: i16,
    pub score: i16,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrendLine {
    pub date: String,
    pub recommendations: u64,
    pub high: u64,
    pub savings: String,
}

impl TrendLine {
    pub fn of(taken_at: OffsetDateTime, analysis: &Analysis) -> Self {
        let high = analysis.by_impact.iter().filter(|i| i.impact == Impact::High).map(|i| i.count).sum();
        TrendLine {
            date: day(taken_at.date()),
            recommendations: analysis.recommendations,
            high,
            savings: amounts(analysis.savings.iter().map(|s| (s.currency.as_str(), s.annual.as_str()))),
        }
    }
}

/// The most lines a section shows in HTML and PDF; the action plan (XLSX) has them all.
pub const SECTION_LINES: usize = 500;

pub fn category_label(category: Category) -> &'static str {
    match category {
        Category::Cost => "Cost",
        Category::Security => "Security",
        Category::Reliability => "Reliability",
        Category::OperationalExcellence => "Operational excellence",
        Category::Performance => "Performance",
    }
}

pub fn impact_label(impact: Impact) -> &'static str {
    match impact {
        Impact::High => "High",
        Impact::Medium => "Medium",
        Impact::Low => "Low",
    }
}

fn status_label(status: FindingStatus) -> &'static str {
    match status {
        FindingStatus::Open => "Open",
        FindingStatus::InProgress => "In progress",
        FindingStatus::Done => "Done",
        FindingStatus::Dismissed => "Dismissed",
        FindingStatus::Resolved => "Resolved",
    }
}

fn day(date: Date) -> String {
    date.format(format_description!("[year]-[month]-[day]")).unwrap_or_default()
}

fn money(value: &BigDecimal) -> String {
    value.with_scale_round(2, RoundingMode::HalfEven).to_plain_string()
}

fn amounts<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    pairs.map(|(currency, amount)| format!("{currency} {amount}")).collect::<Vec<_>>().join("; ")
}

/// Which of the import's rows a report of `kind` is about.
fn of_kind(kind: ReportType, row: &ReportRow) -> bool {
    let r = &row.recommendation;
    match kind {
        ReportType::Detailed | ReportType::Executive => true,
        ReportType::Cost => r.category == Category::Cost || r.annual_savings.is_some(),
        ReportType::Security => r.category == Category::Security,
        ReportType::Operations => matches!(
            r.category,
            Category::Reliability | Category::OperationalExcellence | Category::Performance
        ),
    }
}

fn line(row: &ReportRow, catalogue: &Catalogue, currency: Option<&str>) -> Line {
    let r = &row.recommendation;
    let shown = match (currency, r.currency.as_deref()) {
        (Some(wanted), Some(has)) => wanted.eq_ignore_ascii_case(has),
        _ => true,
    };
    let savings = r.annual_savings.as_ref().filter(|_| shown);
    let entry = catalogue.entry_for(r);
    Line {
        category: category_label(r.category),
        impact: impact_label(r.impact),
        recommendation: r.recommendation.clone(),
        resource: r.resource_name.clone().or_else(|| r.resource_id.clone()).unwrap_or_default(),
        resource_type: r.resource_type.clone().unwrap_or_default(),
        resource_group: r.resource_group.clone().unwrap_or_default(),
        subscription: r.subscription_name.clone().or_else(|| r.subscription_id.clone()).unwrap_or_default(),
        annual_savings: savings.map(money).unwrap_or_default(),
        monthly_savings: savings.map(|s| money(&(s / BigDecimal::from(12)))).unwrap_or_default(),
        currency: savings.and(r.currency.clone()).unwrap_or_default(),
        commitment: r.alternative.is_some(),
        status: status_label(row.status),
        owner: row.owner.clone().unwrap_or_default(),
        due_date: row.due_date.map(day).unwrap_or_default(),
        hours: entry.map(|e| money(&e.effort_hours)).unwrap_or_default(),
        monthly_investment: entry.and_then(|e| e.monthly_investment.as_ref()).map(money).unwrap_or_default(),
        investment_currency: entry.and_then(|e| e.currency.clone()).unwrap_or_default(),
        solution: entry.and_then(|e| e.solution.clone()).unwrap_or_default(),
        billing_increase: match (r.billing_known, r.billing_increase) {
            (false, _) => String::new(),
            (true, None) => "No".into(),
            (true, Some(level)) => format!("Yes ({})", level.as_str()),
        },
    }
}

fn section(
    title: impl Into<String>,
    note: impl Into<String>,
    rows: &[&ReportRow],
    input: &ReportInput,
) -> Section {
    let currency = input.options.currency.as_deref();
    Section {
        title: title.into(),
        note: note.into(),
        count: rows.len() as u64,
        lines: rows.iter().take(SECTION_LINES).map(|row| line(row, input.catalogue, currency)).collect(),
    }
}

/// The report of `input.report_type` over `rows` (every recommendation of the import).
pub fn build(input: &ReportInput, rows: &[ReportRow]) -> ReportView {
    let kind = input.report_type;
    let currency = input.options.currency.as_deref();
    let mut chosen: Vec<&ReportRow> =
        rows.iter().filter(|row| input.options.covers(&row.recommendation) && of_kind(kind, row)).collect();
    chosen.sort_by(|a, b| axis_advisor::analysis::by_priority(&a.recommendation, &b.recommendation));
    let recommendations: Vec<_> = chosen.iter().map(|row| row.recommendation.clone()).collect();
    let analysis =
        analyse(&recommendations, input.catalogue, input.advisor_score.clone(), input.snapshot_at.date());
    let wanted = |c: &str| currency.is_none_or(|w| w.eq_ignore_ascii_case(c));
    let savings_text = |list: &[Amount]| {
        amounts(list.iter().filter(|a| wanted(&a.currency)).map(|a| (a.currency.as_str(), a.amount.as_str())))
    };
    let count =
        |impact: Impact| analysis.by_impact.iter().filter(|i| i.impact == impact).map(|i| i.count).sum();

    let totals = Totals {
        recommendations: analysis.recommendations,
        high: count(Impact::High),
        medium: count(Impact::Medium),
        low: count(Impact::Low),
        affected_resources: analysis.affected_resources,
        subscriptions: analysis.subscriptions,
        categories_affected: analysis.by_category.iter().filter(|c| c.count > 0).count() as u64,
        advisor_score: analysis.advisor_score.as_ref().and_then(|s| s.overall.clone()),
        savings: analysis
            .savings
            .iter()
            .filter(|s| wanted(&s.currency))
            .map(|s| Savings {
                currency: s.currency.clone(),
                annual: s.annual.clone(),
                monthly: s.monthly.clone(),
                recommendations: s.recommendations,
            })
            .collect(),
        remediation: analysis.billing.remediation,
        billing_increase: analysis.billing.billing_increase,
        billing_unknown: analysis.billing.unknown,
        effort_hours: analysis.effort.hours.clone(),
        monthly_investment: analysis.effort.monthly_investment.clone(),
        priced: analysis.effort.matched,
        unpriced: analysis.effort.unmatched,
    };

    let by_category = analysis
        .by_category
        .iter()
        .filter(|c| c.count > 0)
        .map(|c| CountLine {
            name: category_label(c.category).into(),
            count: c.count,
            high: c.high,
            savings: savings_text(&c.annual_savings),
        })
        .collect();
    let by_impact = [Impact::High, Impact::Medium, Impact::Low]
        .into_iter()
        .map(|impact| CountLine {
            name: impact_label(impact).into(),
            count: count(impact),
            high: 0,
            savings: String::new(),
        })
        .collect();
    let by_subscription = analysis
        .by_subscription
        .iter()
        .take(15)
        .map(|s| CountLine {
            name: s
                .subscription_name
                .clone()
                .or_else(|| s.subscription_id.clone())
                .unwrap_or_else(|| "(none)".into()),
            count: s.count,
            high: s.high,
            savings: savings_text(&s.annual_savings),
        })
        .collect();
    let by_resource_type = analysis
        .by_resource_type
        .iter()
        .take(10)
        .map(|t| CountLine { name: t.name.clone(), count: t.count, high: 0, savings: String::new() })
        .collect();

    let quick_wins: Vec<&ReportRow> = chosen
        .iter()
        .copied()
        .filter(|row| axis_advisor::analysis::is_quick_win(&row.recommendation, input.catalogue))
        .take(10)
        .collect();
    let top: Vec<&ReportRow> = chosen.iter().copied().take(10).collect();

    let sections = match kind {
        ReportType::Detailed | ReportType::Operations => {
            let categories: &[Category] = if kind == ReportType::Detailed {
                Category::ALL
            } else {
                &[Category::Reliability, Category::OperationalExcellence, Category::Performance]
            };
            categories
                .iter()
                .map(|category| {
                    let rows: Vec<_> = chosen
                        .iter()
                        .copied()
                        .filter(|row| row.recommendation.category == *category)
                        .collect();
                    section(category_label(*category), "", &rows, input)
                })
                .filter(|s| s.count > 0)
                .collect()
        }
        ReportType::Security => [Impact::High, Impact::Medium, Impact::Low]
            .into_iter()
            .map(|impact| {
                let rows: Vec<_> =
                    chosen.iter().copied().filter(|row| row.recommendation.impact == impact).collect();
                let note = match impact {
                    Impact::High => "Act now: Advisor rates these high impact.",
                    Impact::Medium => "Plan within the month.",
                    Impact::Low => "Plan within the quarter.",
                };
                section(format!("{} impact", impact_label(impact)), note, &rows, input)
            })
            .filter(|s| s.count > 0)
            .collect(),
        ReportType::Cost => {
            let now: Vec<_> = chosen
                .iter()
                .copied()
                .filter(|row| {
                    row.recommendation.alternative.is_none() && row.recommendation.annual_savings.is_some()
                })
                .collect();
            let commitments: Vec<_> =
                chosen.iter().copied().filter(|row| row.recommendation.alternative.is_some()).collect();
            let other: Vec<_> =
                chosen.iter().copied().filter(|row| row.recommendation.annual_savings.is_none()).collect();
            [
                section("Savings available now", "Right-size, shut down or delete: savings per currency.", &now, input),
                section(
                    "Commitment alternatives",
                    "Reservations and savings plans: each is an alternative to the others for the same usage, so they are never added up.",
                    &commitments,
                    input,
                ),
                section("Cost recommendations without an estimate", "", &other, input),
            ]
            .into_iter()
            .filter(|s| s.count > 0)
            .collect()
        }
        ReportType::Executive => vec![section("Top recommendations", "By impact, then saving.", &top, input)],
    };

    let plan = if kind == ReportType::Executive {
        [
            (Impact::High, "This week", "High-impact findings"),
            (Impact::Medium, "This month", "Medium-impact findings"),
            (Impact::Low, "This quarter", "Low-impact findings"),
        ]
        .into_iter()
        .map(|(impact, when, what)| {
            let rows: Vec<_> = chosen.iter().filter(|row| row.recommendation.impact == impact).collect();
            let hours: BigDecimal = rows
                .iter()
                .filter_map(|row| input.catalogue.entry_for(&row.recommendation))
                .map(|entry| entry.effort_hours.clone())
                .sum();
            PlanStep { when, what, count: rows.len() as u64, hours: money(&hours) }
        })
        .collect()
    } else {
        Vec::new()
    };

    let mut risk: Vec<RiskLine> = analysis
        .risk_matrix
        .iter()
        .map(|point| RiskLine {
            recommendation: point.recommendation.clone(),
            category: category_label(point.category),
            probability: point.probability,
            impact: point.impact,
            score: point.probability * point.impact,
            count: point.count,
        })
        .collect();
    risk.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| b.count.cmp(&a.count)));

    let mut scope = Vec::new();
    if !input.options.subscriptions.is_empty() {
        scope.push(format!("Subscriptions: {}", input.options.subscriptions.join(", ")));
    }
    if !input.options.resource_groups.is_empty() {
        scope.push(format!("Resource groups: {}", input.options.resource_groups.join(", ")));
    }
    if let Some(currency) = currency {
        scope.push(format!("Savings shown in {currency} only"));
    }
    if scope.is_empty() {
        scope.push("Every subscription and resource group of the snapshot".into());
    }

    let rules = vec![
        "Savings are Azure Advisor's annual estimates, kept per currency and never converted or added across currencies; monthly = annual ÷ 12.".into(),
        "Reservations and savings plans are alternatives for the same usage: they are listed apart and never added to the other savings or to each other.".into(),
        format!(
            "Hours and monthly investment come from the consultancy's catalogue ({} of {} recommendations priced).",
            totals.priced, totals.recommendations
        ),
        "The Advisor score is Microsoft's, as the portal or the API gave it; axis never computes one.".into(),
        "Remediation vs optimisation with billing increase follows the export's Cost implications column; without it the split is unknown.".into(),
    ];

    ReportView {
        kind,
        title: kind.title().into(),
        audience: match kind {
            ReportType::Detailed => "Technical teams",
            ReportType::Executive => "Leadership",
            ReportType::Cost => "Finance",
            ReportType::Security => "Security",
            ReportType::Operations => "Operations and SRE",
        },
        client: input.client_name.into(),
        firm: input.firm_name.into(),
        generated: input
            .generated_at
            .format(format_description!("[year]-[month]-[day] [hour]:[minute] UTC"))
            .unwrap_or_default(),
        snapshot: day(input.snapshot_at.date()),
        file_name: input.file_name.into(),
        scope,
        totals,
        by_category,
        by_impact,
        by_subscription,
        by_resource_type,
        quick_wins: quick_wins.iter().map(|row| line(row, input.catalogue, currency)).collect(),
        top: top.iter().map(|row| line(row, input.catalogue, currency)).collect(),
        sections,
        plan,
        commitments: analysis
            .commitments
            .iter()
            .filter(|c| wanted(&c.currency))
            .map(|c| CommitmentLine {
                kind: match c.kind {
                    axis_advisor::Alternative::ReservedInstance => "Reserved instances",
                    axis_advisor::Alternative::SavingsPlan => "Savings plan",
                },
                currency: c.currency.clone(),
                count: c.count,
                largest_annual: c.largest_annual.clone(),
                largest_monthly: c.largest_monthly.clone(),
            })
            .collect(),
        retirements: analysis
            .retirements
            .iter()
            .map(|r| RetirementLine {
                date: day(r.date),
                feature: r.feature.clone().unwrap_or_default(),
                count: r.count,
                past: r.past,
            })
            .collect(),
        risk,
        trend: input.trend.clone(),
        rules,
        action_plan: chosen.iter().map(|row| line(row, input.catalogue, currency)).collect(),
    }
}
