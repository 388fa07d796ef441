//! The analysis of one snapshot: a plain function of its recommendations, the catalogue and the
//! score the import carries. Money is summed per currency and never blended; commitment
//! alternatives are shown on their own and never added to the rest; every derived indicator
//! is a ratio (documented below) so it means the same for 10 findings as for 14,000.
//! Amounts are decimal text (`"12604.00"`), as the API shows money everywhere.

use std::collections::{BTreeMap, HashMap, HashSet};

use bigdecimal::{BigDecimal, RoundingMode};
use serde::{Deserialize, Serialize};
use time::Date;

use crate::catalogue::{Catalogue, text_key};
use crate::model::{Alternative, BillingIncrease, Category, Impact, Recommendation};
use crate::score::AdvisorScore;

/// How many entries the ranked lists keep.
pub const TOP: usize = 10;
/// A quick win needs at most this many hours by the catalogue.
pub const QUICK_WIN_HOURS: i64 = 4;

/// Everything the reports render, stored with the import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = AdvisorAnalysis))]
pub struct Analysis {
    pub recommendations: u64,
    pub affected_resources: u64,
    pub subscriptions: u64,
    pub by_category: Vec<CategorySummary>,
    pub by_impact: Vec<ImpactCount>,
    pub by_subscription: Vec<SubscriptionSummary>,
    /// The most frequent resource types (at most 20).
    pub by_resource_type: Vec<NamedCount>,
    /// Savings of the recommendations that are not commitment alternatives, per currency.
    pub savings: Vec<SavingsTotal>,
    /// Reservations and savings plans, per kind and currency: alternatives to each other, so
    /// only the largest single saving is given, never a sum.
    pub commitments: Vec<CommitmentSummary>,
    /// Ranked by impact (high first), then annual saving.
    pub top_recommendations: Vec<Highlight>,
    /// High impact, not a commitment, not raising the bill, and cheap to do: at most
    /// [`QUICK_WIN_HOURS`] hours by the catalogue, or a saving with no catalogue entry.
    pub quick_wins: Vec<Highlight>,
    /// Service retirements by date and feature, earliest first.
    pub retirements: Vec<Retirement>,
    pub billing: BillingSplit,
    pub effort: Effort,
    pub risk_matrix: Vec<RiskPoint>,
    pub indicators: Indicators,
    /// Microsoft's score, when the import carries it (API or manual entry); never computed.
    pub advisor_score: Option<AdvisorScore>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Amount {
    pub currency: String,
    /// Decimal text.
    pub amount: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategorySummary {
    pub category: Category,
    pub count: u64,
    pub high: u64,
    pub annual_savings: Vec<Amount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImpactCount {
    pub impact: Impact,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NamedCount {
    pub name: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubscriptionSummary {
    pub subscription_id: Option<String>,
    pub subscription_name: Option<String>,
    pub count: u64,
    pub high: u64,
    pub annual_savings: Vec<Amount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavingsTotal {
    pub currency: String,
    pub annual: String,
    /// A twelfth of `annual`.
    pub monthly: String,
    /// Recommendations with a saving in this currency.
    pub recommendations: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommitmentSummary {
    pub kind: Alternative,
    pub currency: String,
    pub count: u64,
    pub largest_annual: String,
    pub largest_monthly: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Highlight {
    pub recommendation: String,
    pub category: Category,
    pub impact: Impact,
    pub resource_name: Option<String>,
    pub resource_type: Option<String>,
    pub subscription_name: Option<String>,
    pub annual_savings: Option<Amount>,
    pub monthly_savings: Option<Amount>,
    pub alternative: Option<Alternative>,
    pub effort_hours: Option<String>,
    /// The row's line in the file.
    pub line: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Retirement {
    pub date: Date,
    pub feature: Option<String>,
    pub count: u64,
    /// Already past on the snapshot's day.
    pub past: bool,
}

/// Remediation (no billing increase) against optimisation with a billing increase, from the
/// export's `Cost implications` column; `known` is false when the export has no such column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BillingSplit {
    pub known: bool,
    pub remediation: u64,
    pub billing_increase: u64,
    pub increase_low: u64,
    pub increase_medium: u64,
    pub increase_high: u64,
    /// Recommendations from an export without the column.
    pub unknown: u64,
}

/// Hours and monthly investment by the catalogue, and what it has no entry for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Effort {
    pub hours: String,
    pub monthly_investment: Vec<Amount>,
    pub matched: u64,
    pub unmatched: u64,
    /// The most frequent recommendations without an entry (at most 20).
    pub unmatched_recommendations: Vec<NamedCount>,
}

/// One point of the risk matrix: a catalogue entry's probability × impact, and how many
/// findings it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskPoint {
    pub recommendation: String,
    pub category: Category,
    pub probability: i16,
    pub impact: i16,
    pub count: u64,
}

/// Ratios, each with its formula; 0 only when there is nothing to divide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Indicators {
    /// 100 × high-impact recommendations ÷ recommendations.
    pub high_impact_percent: String,
    /// Recommendations ÷ distinct affected resources.
    pub findings_per_resource: String,
    /// 100 × recommendations with a saving ÷ recommendations.
    pub with_savings_percent: String,
    /// 100 × recommendations the catalogue prices ÷ recommendations.
    pub catalogue_coverage_percent: String,
}

/// Money as the API shows it: two decimals.
pub fn money(value: &BigDecimal) -> String {
    value.with_scale_round(2, RoundingMode::HalfEven).to_plain_string()
}

fn ratio(part: u64, whole: u64, scale: u64) -> String {
    if whole == 0 {
        return "0.00".into();
    }
    money(&(BigDecimal::from(part * scale) / BigDecimal::from(whole)))
}

/// A subscription's id, name, count, high-impact count and savings, while counting.
type SubscriptionSums = (Option<String>, Option<String>, u64, u64, Sums);

/// Per-currency sums, in currency order.
#[derive(Debug, Default)]
struct Sums(BTreeMap<String, BigDecimal>);

impl Sums {
    fn add(&mut self, currency: &str, amount: &BigDecimal) {
        *self.0.entry(currency.to_owned()).or_default() += amount;
    }

    fn amounts(&self) -> Vec<Amount> {
        self.0
            .iter()
            .map(|(currency, sum)| Amount { currency: currency.clone(), amount: money(sum) })
            .collect()
    }
}

/// The order every list of recommendations is shown in: highest impact first, then the
/// largest saving (none counts as 0), then the file's order.
pub fn by_priority(a: &Recommendation, b: &Recommendation) -> std::cmp::Ordering {
    let zero = BigDecimal::from(0);
    let saving = |r: &Recommendation| r.annual_savings.clone().unwrap_or_else(|| zero.clone());
    b.impact.rank().cmp(&a.impact.rank()).then_with(|| saving(b).cmp(&saving(a))).then(a.line.cmp(&b.line))
}

/// A quick win: high impact, not a commitment, not raising the bill, and at most
/// [`QUICK_WIN_HOURS`] by the catalogue — or, without a catalogue entry, with a saving.
pub fn is_quick_win(r: &Recommendation, catalogue: &Catalogue) -> bool {
    let plain = r.impact == Impact::High && r.alternative.is_none() && r.billing_increase.is_none();
    plain
        && match catalogue.entry_for(r) {
            Some(entry) => entry.effort_hours <= QUICK_WIN_HOURS && !entry.billing_increase,
            None => r.annual_savings.as_ref().is_some_and(|s| s.sign() == bigdecimal::num_bigint::Sign::Plus),
        }
}

/// Analyses a snapshot taken on `as_of` (retirements before it are past).
pub fn analyse(
    recommendations: &[Recommendation],
    catalogue: &Catalogue,
    score: Option<AdvisorScore>,
    as_of: Date,
) -> Analysis {
    let total = recommendations.len() as u64;
    let mut categories: Vec<(Category, u64, u64, Sums)> =
        Category::ALL.iter().map(|c| (*c, 0, 0, Sums::default())).collect();
    let mut impacts: HashMap<Impact, u64> = HashMap::new();
    let mut subscriptions: BTreeMap<String, SubscriptionSums> = BTreeMap::new();
    let mut types: HashMap<String, u64> = HashMap::new();
    let mut savings: BTreeMap<String, (BigDecimal, u64)> = BTreeMap::new();
    let mut commitments: BTreeMap<(&'static str, String), (Alternative, u64, BigDecimal)> = BTreeMap::new();
    let mut retirements: BTreeMap<(Date, Option<String>), u64> = BTreeMap::new();
    let mut billing = BillingSplit {
        known: false,
        remediation: 0,
        billing_increase: 0,
        increase_low: 0,
        increase_medium: 0,
        increase_high: 0,
        unknown: 0,
    };
    let mut hours = BigDecimal::from(0);
    let mut investment = Sums::default();
    let (mut matched, mut with_savings) = (0u64, 0u64);
    let mut unmatched: HashMap<String, (String, u64)> = HashMap::new();
    let mut risks: BTreeMap<String, RiskPoint> = BTreeMap::new();
    let mut resources = HashSet::new();

    for r in recommendations {
        let high = u64::from(r.impact == Impact::High);
        resources.insert(r.resource_key());
        let category = categories.iter_mut().find(|(c, ..)| *c == r.category);
        if let Some((_, count, highs, sums)) = category {
            *count += 1;
            *highs += high;
            if let (true, Some(amount), Some(currency)) =
                (r.counts_toward_savings(), &r.annual_savings, &r.currency)
            {
                sums.add(currency, amount);
            }
        }
        *impacts.entry(r.impact).or_default() += 1;
        let subscription_key = r.subscription_id.clone().unwrap_or_default().to_lowercase();
        let subscription = subscriptions.entry(subscription_key).or_insert_with(|| {
            (r.subscription_id.clone(), r.subscription_name.clone(), 0, 0, Sums::default())
        });
        subscription.2 += 1;
        subscription.3 += high;
        if subscription.1.is_none() {
            subscription.1 = r.subscription_name.clone();
        }
        if let Some(kind) = &r.resource_type {
            *types.entry(kind.clone()).or_default() += 1;
        }
        if let (Some(amount), Some(currency)) = (&r.annual_savings, &r.currency) {
            with_savings += 1;
            match r.alternative {
                None => {
                    subscription.4.add(currency, amount);
                    let entry = savings.entry(currency.clone()).or_insert((BigDecimal::from(0), 0));
                    entry.0 += amount;
                    entry.1 += 1;
                }
                Some(kind) => {
                    let entry = commitments.entry((kind.as_str(), currency.clone())).or_insert((
                        kind,
                        0,
                        BigDecimal::from(0),
                    ));
                    entry.1 += 1;
                    if *amount > entry.2 {
                        entry.2 = amount.clone();
                    }
                }
            }
        }
        if let Some(date) = r.retirement_date {
            *retirements.entry((date, r.retiring_feature.clone())).or_default() += 1;
        }
        if r.billing_known {
            billing.known = true;
            match r.billing_increase {
                None => billing.remediation += 1,
                Some(level) => {
                    billing.billing_increase += 1;
                    match level {
                        BillingIncrease::Low => billing.increase_low += 1,
                        BillingIncrease::Medium => billing.increase_medium += 1,
                        BillingIncrease::High => billing.increase_high += 1,
                    }
                }
            }
        } else {
            billing.unknown += 1;
        }
        match catalogue.entry_for(r) {
            Some(entry) => {
                matched += 1;
                hours += &entry.effort_hours;
                if let (Some(amount), Some(currency)) = (&entry.monthly_investment, &entry.currency) {
                    investment.add(currency, amount);
                }
                let point = risks.entry(entry.id.to_string()).or_insert_with(|| RiskPoint {
                    recommendation: entry.recommendation.clone().unwrap_or_else(|| r.recommendation.clone()),
                    category: r.category,
                    probability: entry.risk_probability,
                    impact: entry.risk_impact,
                    count: 0,
                });
                point.count += 1;
            }
            None => {
                let entry = unmatched
                    .entry(text_key(&r.recommendation))
                    .or_insert_with(|| (r.recommendation.clone(), 0));
                entry.1 += 1;
            }
        }
    }

    let highlight = |r: &Recommendation| Highlight {
        recommendation: r.recommendation.clone(),
        category: r.category,
        impact: r.impact,
        resource_name: r.resource_name.clone(),
        resource_type: r.resource_type.clone(),
        subscription_name: r.subscription_name.clone(),
        annual_savings: amount_of(r.annual_savings.as_ref(), r.currency.as_deref()),
        monthly_savings: amount_of(r.monthly_savings().as_ref(), r.currency.as_deref()),
        alternative: r.alternative,
        effort_hours: catalogue.entry_for(r).map(|e| money(&e.effort_hours)),
        line: r.line,
    };
    let mut ranked: Vec<&Recommendation> = recommendations.iter().collect();
    ranked.sort_by(|a, b| by_priority(a, b));
    let top_recommendations = ranked.iter().take(TOP).map(|r| highlight(r)).collect();
    let quick_wins =
        ranked.iter().filter(|r| is_quick_win(r, catalogue)).take(TOP).map(|r| highlight(r)).collect();

    let mut by_resource_type: Vec<NamedCount> =
        types.into_iter().map(|(name, count)| NamedCount { name, count }).collect();
    by_resource_type.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    by_resource_type.truncate(20);
    let mut unmatched_recommendations: Vec<NamedCount> =
        unmatched.into_values().map(|(name, count)| NamedCount { name, count }).collect();
    unmatched_recommendations.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    let unmatched_total = unmatched_recommendations.iter().map(|u| u.count).sum();
    unmatched_recommendations.truncate(20);
    let mut by_subscription: Vec<SubscriptionSummary> = subscriptions
        .into_values()
        .map(|(id, name, count, high, sums)| SubscriptionSummary {
            subscription_id: id,
            subscription_name: name,
            count,
            high,
            annual_savings: sums.amounts(),
        })
        .collect();
    by_subscription
        .sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.subscription_id.cmp(&b.subscription_id)));
    let mut risk_matrix: Vec<RiskPoint> = risks.into_values().collect();
    risk_matrix.sort_by(|a, b| {
        (b.probability * b.impact).cmp(&(a.probability * a.impact)).then_with(|| b.count.cmp(&a.count))
    });
    let high = impacts.get(&Impact::High).copied().unwrap_or(0);

    Analysis {
        recommendations: total,
        affected_resources: resources.len() as u64,
        subscriptions: by_subscription.len() as u64,
        by_category: categories
            .into_iter()
            .map(|(category, count, high, sums)| CategorySummary {
                category,
                count,
                high,
                annual_savings: sums.amounts(),
            })
            .collect(),
        by_impact: Impact::ALL
            .iter()
            .map(|impact| ImpactCount { impact: *impact, count: impacts.get(impact).copied().unwrap_or(0) })
            .collect(),
        by_subscription,
        by_resource_type,
        savings: savings
            .into_iter()
            .map(|(currency, (annual, count))| SavingsTotal {
                currency,
                monthly: money(&(&annual / BigDecimal::from(12))),
                annual: money(&annual),
                recommendations: count,
            })
            .collect(),
        commitments: commitments
            .into_iter()
            .map(|((_, currency), (kind, count, largest))| CommitmentSummary {
                kind,
                currency,
                count,
                largest_monthly: money(&(&largest / BigDecimal::from(12))),
                largest_annual: money(&largest),
            })
            .collect(),
        top_recommendations,
        quick_wins,
        retirements: retirements
            .into_iter()
            .map(|((date, feature), count)| Retirement { date, feature, count, past: date < as_of })
            .collect(),
        billing,
        effort: Effort {
            hours: money(&hours),
            monthly_investment: investment.amounts(),
            matched,
            unmatched: unmatched_total,
            unmatched_recommendations,
        },
        risk_matrix,
        indicators: Indicators {
            high_impact_percent: ratio(high, total, 100),
            findings_per_resource: ratio(total, resources.len() as u64, 1),
            with_savings_percent: ratio(with_savings, total, 100),
            catalogue_coverage_percent: ratio(matched, total, 100),
        },
        advisor_score: score,
    }
}

fn amount_of(value: Option<&BigDecimal>, currency: Option<&str>) -> Option<Amount> {
    Some(Amount { currency: currency?.to_owned(), amount: money(value?) })
}

#[cfg(test)]
mod tests;
