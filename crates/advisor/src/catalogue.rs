//! The effort and investment catalogue: what consultants sell with each finding — the hours a
//! fix takes, what it adds to the monthly bill, the Azure service that does it, and its risk —
//! keyed by Advisor's recommendation type id or by the recommendation's text.

use bigdecimal::BigDecimal;
use time::OffsetDateTime;

use crate::model::{Recommendation, collapse_spaces};

axis_kernel::typed_id!(
    /// One catalogue entry.
    CatalogueEntryId
);

/// One entry. Risk is scored 1 (least) to 5 on both axes, as the risk matrix plots them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueEntry {
    pub id: CatalogueEntryId,
    /// Advisor's `recommendationTypeId` (matched first, case-insensitively).
    pub recommendation_type_id: Option<String>,
    /// The recommendation's text (matched case- and space-insensitively when no type id does).
    pub recommendation: Option<String>,
    pub effort_hours: BigDecimal,
    pub monthly_investment: Option<BigDecimal>,
    /// ISO 4217, present with `monthly_investment`.
    pub currency: Option<String>,
    /// The Azure service that carries out the fix ("Solution on Azure").
    pub solution: Option<String>,
    pub risk_probability: i16,
    pub risk_impact: i16,
    pub billing_increase: bool,
    pub version: i32,
    pub updated_at: OffsetDateTime,
}

/// The catalogue, ready to match recommendations.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    entries: Vec<CatalogueEntry>,
}

impl Catalogue {
    pub fn new(entries: Vec<CatalogueEntry>) -> Self {
        Catalogue { entries }
    }

    pub fn entries(&self) -> &[CatalogueEntry] {
        &self.entries
    }

    /// The entry for `recommendation`: by type id, else by text.
    pub fn entry_for(&self, recommendation: &Recommendation) -> Option<&CatalogueEntry> {
        if let Some(type_id) = recommendation.recommendation_type_id.as_deref() {
            let by_type = self.entries.iter().find(|entry| {
                entry.recommendation_type_id.as_deref().is_some_and(|id| id.eq_ignore_ascii_case(type_id))
            });
            if by_type.is_some() {
                return by_type;
            }
        }
        let text = text_key(&recommendation.recommendation);
        self.entries.iter().find(|entry| entry.recommendation.as_deref().is_some_and(|r| text_key(r) == text))
    }
}

/// A recommendation's text as the catalogue compares it.
pub fn text_key(text: &str) -> String {
    collapse_spaces(text).to_lowercase()
}

/// A catalogue entry as a manager writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueFields {
    pub recommendation_type_id: Option<String>,
    pub recommendation: Option<String>,
    pub effort_hours: String,
    pub monthly_investment: Option<String>,
    pub currency: Option<String>,
    pub solution: Option<String>,
    pub risk_probability: i16,
    pub risk_impact: i16,
    pub billing_increase: bool,
}

/// Fields that passed their rules, with amounts as decimals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueDraft {
    pub recommendation_type_id: Option<String>,
    pub recommendation: Option<String>,
    pub effort_hours: BigDecimal,
    pub monthly_investment: Option<BigDecimal>,
    pub currency: Option<String>,
    pub solution: Option<String>,
    pub risk_probability: i16,
    pub risk_impact: i16,
    pub billing_increase: bool,
}

impl CatalogueFields {
    /// A key (type id or text, or both); hours 0–1,000; an investment with its currency;
    /// risks 1–5.
    pub fn parse(self) -> Result<CatalogueDraft, axis_kernel::FieldErrors> {
        use axis_kernel::input::text;
        let mut errors = axis_kernel::FieldErrors::new();
        let recommendation_type_id =
            text(&mut errors, "recommendation_type_id", self.recommendation_type_id, 100);
        let recommendation =
            text(&mut errors, "recommendation", self.recommendation, 5_000).map(|r| collapse_spaces(&r));
        if recommendation_type_id.is_none() && recommendation.is_none() {
            errors.add("recommendation", "is required when recommendation_type_id is not given");
        }
        let effort_hours = match crate::values::amount(&self.effort_hours) {
            Ok(Some(hours)) if hours.as_bigint_and_exponent().1 > 2 => {
                errors.add("effort_hours", "must have at most 2 decimals");
                None
            }
            Ok(Some(hours)) if hours <= 1_000 => Some(hours),
            Ok(Some(_)) => {
                errors.add("effort_hours", "must be at most 1000");
                None
            }
            Ok(None) => {
                errors.add("effort_hours", "is required");
                None
            }
            Err(message) => {
                errors.add("effort_hours", message);
                None
            }
        };
        let monthly_investment =
            match self.monthly_investment.as_deref().map(crate::values::amount).transpose() {
                Ok(amount) => amount.flatten(),
                Err(message) => {
                    errors.add("monthly_investment", message);
                    None
                }
            };
        let currency = match self.currency.as_deref().map(crate::values::currency).transpose() {
            Ok(code) => code.flatten(),
            Err(message) => {
                errors.add("currency", message);
                None
            }
        };
        let unread =
            errors.fields().contains_key("currency") || errors.fields().contains_key("monthly_investment");
        if monthly_investment.is_some() != currency.is_some() && !unread {
            errors.add("currency", "goes with monthly_investment: both or neither");
        }
        for (field, value) in [("risk_probability", self.risk_probability), ("risk_impact", self.risk_impact)]
        {
            if !(1..=5).contains(&value) {
                errors.add(field, "must lie within 1 to 5");
            }
        }
        let solution = text(&mut errors, "solution", self.solution, 255);
        errors.into_result()?;
        Ok(CatalogueDraft {
            recommendation_type_id,
            recommendation,
            effort_hours: effort_hours.unwrap_or_default(),
            monthly_investment,
            currency,
            solution,
            risk_probability: self.risk_probability,
            risk_impact: self.risk_impact,
            billing_increase: self.billing_increase,
        })
    }
}
