//! KPI input as received and its rules, every field error collected at once.

use std::str::FromStr;

use axis_contracts::ContractId;
use axis_kernel::input::{required_name, text};
use axis_kernel::{ClientId, FieldErrors};
use bigdecimal::BigDecimal;
use time::Date;

use crate::{Direction, Frequency, KpiTypeId, UnitType};

/// The largest value a KPI target or measurement holds (`numeric(18, 4)`).
const MAX_DIGITS_BEFORE_POINT: u64 = 14;
const MAX_SCALE: i64 = 4;

/// A decimal as text (`"97.5"`), at most 14 digits before the point and 4 after; never a float.
pub fn parse_decimal(errors: &mut FieldErrors, field: &str, value: Option<&str>) -> Option<BigDecimal> {
    let raw = value?.trim();
    let shaped = !raw.is_empty()
        && raw.trim_start_matches('-').split('.').count() <= 2
        && raw.trim_start_matches('-').chars().all(|c| c.is_ascii_digit() || c == '.')
        && !raw.trim_start_matches('-').starts_with('.')
        && !raw.ends_with('.');
    let parsed = shaped.then(|| BigDecimal::from_str(raw).ok()).flatten();
    match parsed {
        Some(number)
            if number.fractional_digit_count() <= MAX_SCALE
                && number.with_scale(0).abs().digits() <= MAX_DIGITS_BEFORE_POINT =>
        {
            Some(number)
        }
        Some(_) => {
            errors.add(field, "must have at most 14 digits before the point and 4 after");
            None
        }
        None => {
            errors.add(field, "must be a decimal number such as 97.5 (a string)");
            None
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KpiTypeFields {
    pub name: String,
    pub description: Option<String>,
    pub weight: Option<i32>,
}

impl KpiTypeFields {
    pub fn parse(self) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = required_name(&mut errors, "name", self.name, 100);
        let description = text(&mut errors, "description", self.description, 1000);
        if self.weight.is_some_and(|w| !(1..=100).contains(&w)) {
            errors.add("weight", "must be 1 to 100");
        }
        errors.into_result()?;
        Ok(Self { name, description, weight: self.weight })
    }
}

/// A KPI as received (create, and PATCH after merging).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KpiFields {
    pub name: String,
    pub description: Option<String>,
    pub kpi_type_id: KpiTypeId,
    pub unit: String,
    pub unit_type: UnitType,
    pub target: Option<String>,
    pub direction: Direction,
    pub calculation_method: Option<String>,
    pub frequency: Option<Frequency>,
    pub public: bool,
    pub client_id: Option<ClientId>,
    pub contract_id: Option<ContractId>,
}

/// A KPI's fields that passed their rules, the target as a decimal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KpiDraft {
    pub fields: KpiFields,
    pub target: Option<BigDecimal>,
}

impl KpiFields {
    /// A contract's KPI names its client too; a percentage target lies within 0–100.
    pub fn parse(self) -> Result<KpiDraft, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = required_name(&mut errors, "name", self.name, 255);
        let description = text(&mut errors, "description", self.description, 2000);
        let unit = required_name(&mut errors, "unit", self.unit, 50);
        let calculation_method = text(&mut errors, "calculation_method", self.calculation_method, 2000);
        let target = parse_decimal(&mut errors, "target", self.target.as_deref());
        let (zero, hundred) = (BigDecimal::from(0), BigDecimal::from(100));
        if self.unit_type == UnitType::Percentage
            && target.as_ref().is_some_and(|t| *t < zero || *t > hundred)
        {
            errors.add("target", "a percentage lies within 0 to 100");
        }
        if self.contract_id.is_some() && self.client_id.is_none() {
            errors.add("client_id", "is required with contract_id: the contract's client");
        }
        errors.into_result()?;
        let fields = KpiFields {
            name,
            description,
            unit,
            calculation_method,
            target: target.as_ref().map(|t| t.normalized().to_string()),
            ..self
        };
        Ok(KpiDraft { fields, target })
    }
}

/// An assignment as received (create, and PATCH after merging).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentFields {
    pub kpi_id: crate::KpiId,
    pub contract_id: ContractId,
    pub target: Option<String>,
    pub frequency: Frequency,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub notes: Option<String>,
}

impl AssignmentFields {
    /// The end (when set) is not before the start.
    pub fn parse(self) -> Result<(Self, Option<BigDecimal>), FieldErrors> {
        let mut errors = FieldErrors::new();
        let target = parse_decimal(&mut errors, "target", self.target.as_deref());
        let notes = text(&mut errors, "notes", self.notes, 5000);
        if self.end_date.is_some_and(|end| end < self.start_date) {
            errors.add("end_date", "must not be before start_date");
        }
        errors.into_result()?;
        Ok((Self { notes, target: target.as_ref().map(|t| t.normalized().to_string()), ..self }, target))
    }
}

/// A measurement as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasurementFields {
    pub period_start: Date,
    pub period_end: Date,
    pub value: String,
    pub note: Option<String>,
}

impl MeasurementFields {
    pub fn parse(self) -> Result<(Self, BigDecimal), FieldErrors> {
        let mut errors = FieldErrors::new();
        let value = parse_decimal(&mut errors, "value", Some(&self.value));
        let note = text(&mut errors, "note", self.note, 2000);
        if self.period_end < self.period_start {
            errors.add("period_end", "must not be before period_start");
        }
        errors.into_result()?;
        let value = value.ok_or_else(|| FieldErrors::single("value", "is required"))?;
        Ok((Self { note, ..self }, value))
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn decimals_are_exact_text_within_the_columns_range() {
        let mut errors = FieldErrors::new();
        assert_eq!(
            parse_decimal(&mut errors, "v", Some("97.5")),
            Some(BigDecimal::from_str("97.5").unwrap_or_default())
        );
        assert_eq!(parse_decimal(&mut errors, "v", Some("-3")), Some(BigDecimal::from(-3)));
        assert!(errors.is_empty());
        for bad in ["1e5", "NaN", "1.23456", "", ".5", "5.", "1,000", "123456789012345", "0x10", "--1"] {
            let mut errors = FieldErrors::new();
            assert_eq!(parse_decimal(&mut errors, "v", Some(bad)), None, "{bad}");
            assert!(!errors.is_empty(), "{bad}");
        }
    }

    #[test]
    fn a_kpi_collects_every_error() {
        let fields = KpiFields {
            name: " ".into(),
            description: None,
            kpi_type_id: KpiTypeId::new(),
            unit: "%".into(),
            unit_type: UnitType::Percentage,
            target: Some("120".into()),
            direction: Direction::HigherIsBetter,
            calculation_method: None,
            frequency: None,
            public: true,
            client_id: None,
            contract_id: Some(ContractId::new()),
        };
        let errors = fields.parse().expect_err("invalid");
        let named: Vec<_> = errors.fields().keys().map(String::as_str).collect();
        assert_eq!(named, ["client_id", "name", "target"]);
    }

    #[test]
    fn periods_and_assignments_end_after_they_start() {
        let measurement = MeasurementFields {
            period_start: date!(2026 - 02 - 01),
            period_end: date!(2026 - 01 - 31),
            value: "1".into(),
            note: None,
        };
        assert!(measurement.parse().is_err());
        let assignment = AssignmentFields {
            kpi_id: crate::KpiId::new(),
            contract_id: ContractId::new(),
            target: None,
            frequency: Frequency::Monthly,
            start_date: date!(2026 - 02 - 01),
            end_date: Some(date!(2026 - 01 - 31)),
            notes: None,
        };
        assert!(assignment.parse().is_err());
    }

    #[test]
    fn kpi_type_weights_are_one_to_a_hundred() {
        let fields = KpiTypeFields { name: "Quality".into(), description: None, weight: Some(0) };
        assert!(fields.parse().is_err());
    }
}
