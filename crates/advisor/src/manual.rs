//! A recommendation a manager adds to an import by hand (the seed's
//! `add-manual-recommendations`): checked by the same rules as a row of an export.

use std::collections::BTreeMap;

use axis_kernel::FieldErrors;

use crate::model::{Category, Impact, Recommendation};
use crate::parse::Limits;
use crate::values;

/// The longest subscription, group, resource or type name typed in by hand.
const MAX_NAME: usize = 255;

/// A manual recommendation as received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ManualFields {
    pub category: Option<Category>,
    pub impact: Option<Impact>,
    pub recommendation: Option<String>,
    pub subscription_id: Option<String>,
    pub subscription_name: Option<String>,
    pub resource_group: Option<String>,
    pub resource_name: Option<String>,
    pub resource_type: Option<String>,
    pub potential_benefits: Option<String>,
    /// Annual, decimal text.
    pub annual_savings: Option<String>,
    pub currency: Option<String>,
}

impl ManualFields {
    /// The recommendation, marked manual; errors name `prefix.field`.
    pub fn parse(self, prefix: &str, errors: &mut FieldErrors) -> Option<Recommendation> {
        let limits = Limits::default();
        let field = |name: &str| format!("{prefix}.{name}");
        let mut text = |name: &str, value: Option<String>, max: usize| {
            axis_kernel::input::text(errors, &field(name), value, max)
        };
        let recommendation = text("recommendation", self.recommendation, limits.max_long_text);
        // A name typed in is one line of at most 255 characters (the API documents so).
        let subscription_id = text("subscription_id", self.subscription_id, MAX_NAME);
        let subscription_name = text("subscription_name", self.subscription_name, MAX_NAME);
        let resource_group = text("resource_group", self.resource_group, MAX_NAME);
        let resource_name = text("resource_name", self.resource_name, MAX_NAME);
        let resource_type = text("resource_type", self.resource_type, MAX_NAME);
        let potential_benefits = text("potential_benefits", self.potential_benefits, limits.max_long_text);
        if recommendation.is_none() && !errors.fields().contains_key(&field("recommendation")) {
            errors.add(field("recommendation"), "is required");
        }
        if self.category.is_none() {
            errors.add(field("category"), "is required");
        }
        if self.impact.is_none() {
            errors.add(field("impact"), "is required");
        }
        // Stricter than an export's cell: no currency signs, no spaces, and no empty text
        // (an absent saving is left out).
        let typed_amount = |text: &str| {
            match text.chars().all(|c| c.is_ascii_digit() || c == ',' || c == '.') {
            true if !text.is_empty() => values::amount(text),
            _ => Err("must be digits with an optional decimal point (1200.50 or 1,200.50); leave it out when there is none".into()),
        }
        };
        let annual_savings = match self.annual_savings.as_deref().map(typed_amount).transpose() {
            Ok(amount) => amount.flatten(),
            Err(message) => {
                errors.add(field("annual_savings"), message);
                None
            }
        };
        let currency = match self.currency.as_deref().map(values::currency).transpose() {
            Ok(code) => code.flatten(),
            Err(message) => {
                errors.add(field("currency"), message);
                None
            }
        };
        // A saving needs its currency; a currency without a saving says nothing (as in an export).
        if annual_savings.is_some() && currency.is_none() && !errors.fields().contains_key(&field("currency"))
        {
            errors.add(field("currency"), "is required with annual_savings");
        }
        let currency = annual_savings.as_ref().and(currency);
        let recommendation = recommendation?;
        Some(Recommendation {
            line: None,
            category: self.category?,
            impact: self.impact?,
            alternative: values::alternative_in(&recommendation),
            recommendation,
            subscription_id,
            subscription_name,
            resource_group,
            resource_name,
            resource_type,
            resource_id: None,
            updated_at: None,
            potential_benefits,
            annual_savings,
            currency,
            carbon_reduction: None,
            billing_increase: None,
            billing_known: false,
            change_description: None,
            retirement_date: None,
            retiring_feature: None,
            advisor_score_impact: None,
            recommendation_type_id: None,
            external_id: None,
            term: None,
            lookback_days: None,
            extra: BTreeMap::new(),
            manual: true,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_recommendation_is_checked_like_a_row() {
        let mut errors = FieldErrors::new();
        let fields = ManualFields {
            category: Some(Category::Security),
            impact: Some(Impact::High),
            recommendation: Some(" Rotate the storage keys ".into()),
            annual_savings: Some("-5".into()),
            currency: Some("usd".into()),
            ..ManualFields::default()
        };
        assert!(fields.clone().parse("recommendations[0]", &mut errors).is_some());
        assert_eq!(errors.fields().keys().collect::<Vec<_>>(), ["recommendations[0].annual_savings"]);
        for typed in ["", " ", "$5", "5 000"] {
            let mut errors = FieldErrors::new();
            ManualFields { annual_savings: Some(typed.into()), ..fields.clone() }.parse("r", &mut errors);
            assert_eq!(errors.fields().keys().collect::<Vec<_>>(), ["r.annual_savings"], "{typed:?}");
        }
        let mut errors = FieldErrors::new();
        let fine =
            ManualFields { annual_savings: Some("1,200".into()), ..fields }.parse("r", &mut errors).unwrap();
        assert!(errors.is_empty());
        assert_eq!(
            (fine.recommendation.as_str(), fine.manual, fine.currency.as_deref()),
            ("Rotate the storage keys", true, Some("USD"))
        );
        let mut errors = FieldErrors::new();
        assert!(ManualFields::default().parse("r", &mut errors).is_none());
        assert_eq!(errors.len(), 3);
    }
}
