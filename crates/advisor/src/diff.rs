//! Two snapshots of one client compared finding by finding (each finding is one natural key): what is new, what was
//! resolved (gone from the newer export), what persists — with savings per currency (the
//! commitment alternatives left out of the sums, as in the analysis).

use std::collections::{BTreeMap, HashMap};

use bigdecimal::BigDecimal;
use serde::Serialize;

use crate::analysis::{Amount, money};
use crate::model::{Category, Impact};

/// One finding of a snapshot, as far as a comparison needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotItem {
    /// What ties the finding across a client's snapshots (the stored finding's id).
    pub key: String,
    pub finding_id: Option<uuid::Uuid>,
    pub recommendation: String,
    pub category: Category,
    pub impact: Impact,
    pub resource_name: Option<String>,
    pub annual_savings: Option<BigDecimal>,
    pub currency: Option<String>,
    pub alternative: bool,
}

axis_kernel::string_enum! {
    /// How a finding changed from one snapshot to the next.
    pub enum Change { New => "new", Resolved => "resolved", Persisting => "persisting" }
}

/// A group's size and savings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeTotal {
    pub count: u64,
    pub annual_savings: Vec<Amount>,
}

/// Findings in both: their savings then and now, and the difference (now − then).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersistingTotal {
    pub count: u64,
    pub annual_savings_before: Vec<Amount>,
    pub annual_savings_after: Vec<Amount>,
    pub annual_savings_delta: Vec<Amount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiffSummary {
    pub new: ChangeTotal,
    pub resolved: ChangeTotal,
    pub persisting: PersistingTotal,
}

/// One finding's change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffItem {
    pub change: Change,
    /// As the newer snapshot has it (the older one for a resolved finding).
    pub item: SnapshotItem,
    /// The saving in the older snapshot (persisting findings).
    pub previous_annual_savings: Option<BigDecimal>,
}

#[derive(Default)]
struct Sums(BTreeMap<String, BigDecimal>);

impl Sums {
    fn add(&mut self, item: &SnapshotItem) {
        if let (false, Some(amount), Some(currency)) =
            (item.alternative, &item.annual_savings, &item.currency)
        {
            *self.0.entry(currency.clone()).or_default() += amount;
        }
    }

    fn amounts(&self) -> Vec<Amount> {
        self.0
            .iter()
            .map(|(currency, sum)| Amount { currency: currency.clone(), amount: money(sum) })
            .collect()
    }
}

/// Compares `previous` with `current`. Items come new first, then persisting, then resolved,
/// each in the order of the snapshot they are read from.
pub fn compare(previous: &[SnapshotItem], current: &[SnapshotItem]) -> (DiffSummary, Vec<DiffItem>) {
    let before: HashMap<&str, &SnapshotItem> = previous.iter().map(|i| (i.key.as_str(), i)).collect();
    let after: HashMap<&str, &SnapshotItem> = current.iter().map(|i| (i.key.as_str(), i)).collect();
    let (mut new, mut resolved, mut then, mut now) =
        (Sums::default(), Sums::default(), Sums::default(), Sums::default());
    let (mut new_items, mut persisting_items, mut resolved_items) = (Vec::new(), Vec::new(), Vec::new());
    for item in current {
        match before.get(item.key.as_str()) {
            None => {
                new.add(item);
                new_items.push(DiffItem {
                    change: Change::New,
                    item: item.clone(),
                    previous_annual_savings: None,
                });
            }
            Some(old) => {
                then.add(old);
                now.add(item);
                persisting_items.push(DiffItem {
                    change: Change::Persisting,
                    item: item.clone(),
                    previous_annual_savings: old.annual_savings.clone(),
                });
            }
        }
    }
    for item in previous {
        if !after.contains_key(item.key.as_str()) {
            resolved.add(item);
            resolved_items.push(DiffItem {
                change: Change::Resolved,
                item: item.clone(),
                previous_annual_savings: None,
            });
        }
    }
    let mut delta = now.0.clone();
    for (currency, amount) in &then.0 {
        *delta.entry(currency.clone()).or_default() -= amount;
    }
    let summary = DiffSummary {
        new: ChangeTotal { count: new_items.len() as u64, annual_savings: new.amounts() },
        resolved: ChangeTotal { count: resolved_items.len() as u64, annual_savings: resolved.amounts() },
        persisting: PersistingTotal {
            count: persisting_items.len() as u64,
            annual_savings_before: then.amounts(),
            annual_savings_after: now.amounts(),
            annual_savings_delta: Sums(delta).amounts(),
        },
    };
    let mut items = new_items;
    items.extend(persisting_items);
    items.extend(resolved_items);
    (summary, items)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn item(key: &str, savings: Option<(&str, &str)>, alternative: bool) -> SnapshotItem {
        SnapshotItem {
            key: key.into(),
            finding_id: None,
            recommendation: key.into(),
            category: Category::Cost,
            impact: Impact::High,
            resource_name: None,
            annual_savings: savings.map(|(a, _)| BigDecimal::from_str(a).unwrap()),
            currency: savings.map(|(_, c)| c.to_owned()),
            alternative,
        }
    }

    fn amounts(list: &[(&str, &str)]) -> Vec<Amount> {
        list.iter().map(|(c, a)| Amount { currency: (*c).into(), amount: (*a).into() }).collect()
    }

    #[test]
    fn new_resolved_and_persisting_with_savings_per_currency() {
        let previous = [
            item("a", Some(("100", "USD")), false),
            item("b", Some(("50", "EUR")), false),
            item("gone", Some(("30", "USD")), false),
            item("ri", Some(("9999", "USD")), true),
        ];
        let current = [
            item("a", Some(("80", "USD")), false),
            item("b", Some(("50", "EUR")), false),
            item("fresh", Some(("20", "GBP")), false),
            item("fresh-ri", Some(("5000", "USD")), true),
        ];
        let (summary, items) = compare(&previous, &current);
        assert_eq!(summary.new, ChangeTotal { count: 2, annual_savings: amounts(&[("GBP", "20.00")]) });
        assert_eq!(summary.resolved, ChangeTotal { count: 2, annual_savings: amounts(&[("USD", "30.00")]) });
        assert_eq!(summary.persisting.count, 2);
        assert_eq!(summary.persisting.annual_savings_delta, amounts(&[("EUR", "0.00"), ("USD", "-20.00")]));
        let order: Vec<(Change, &str)> = items.iter().map(|i| (i.change, i.item.key.as_str())).collect();
        assert_eq!(
            order,
            [
                (Change::New, "fresh"),
                (Change::New, "fresh-ri"),
                (Change::Persisting, "a"),
                (Change::Persisting, "b"),
                (Change::Resolved, "gone"),
                (Change::Resolved, "ri"),
            ]
        );
    }

    #[test]
    fn a_first_snapshot_is_all_new() {
        let (summary, items) = compare(&[], &[item("a", None, false)]);
        assert_eq!((summary.new.count, summary.resolved.count, summary.persisting.count), (1, 0, 0));
        assert_eq!(items.len(), 1);
    }
}
