//! Validated contract input: the fields as received, and the draft `parse` makes of them,
//! reporting every problem at once. The status is not among them: it changes only through the
//! lifecycle's actions.

use axis_kernel::input::{required_text, text};
use axis_kernel::{ClientId, FieldErrors, Money, MoneyError};
use time::{Date, OffsetDateTime};

use crate::{BillingFrequency, BillingModel, Contract};

/// The notice window opens at most this many days before the end.
pub const MAX_NOTICE_DAYS: i32 = 365;
pub const DEFAULT_NOTICE_DAYS: i32 = 30;

/// Every writable field of a contract, as received. `None` means empty or, for the fields
/// with defaults, the default.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContractFields {
    pub client_id: Option<ClientId>,
    /// Generated (`C-YYYY-NNNNN`) when absent on create.
    pub number: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub start_date: Option<Date>,
    pub end_date: Option<Date>,
    pub renewal_date: Option<Date>,
    /// A decimal as text (`"1200.50"`), in `currency`.
    pub billing_amount: Option<String>,
    /// ISO 4217 code.
    pub currency: Option<String>,
    pub billing_frequency: Option<BillingFrequency>,
    pub billing_model: Option<BillingModel>,
    pub covered_headcount: Option<i32>,
    pub payment_terms: Option<String>,
    pub renewable: Option<bool>,
    pub auto_renew: Option<bool>,
    pub renewal_notice_days: Option<i32>,
    pub signed_by: Option<String>,
    pub signed_at: Option<OffsetDateTime>,
    pub notes: Option<String>,
}

impl ContractFields {
    /// The current state of `contract` as fields, for applying a partial update on top.
    pub fn from_contract(contract: &Contract) -> Self {
        Self {
            client_id: Some(contract.client_id),
            number: Some(contract.number.clone()),
            title: contract.title.clone(),
            description: contract.description.clone(),
            start_date: Some(contract.start_date),
            end_date: Some(contract.end_date),
            renewal_date: contract.renewal_date,
            billing_amount: Some(contract.billing.amount().to_string()),
            currency: Some(contract.billing.currency().code().to_owned()),
            billing_frequency: Some(contract.billing_frequency),
            billing_model: Some(contract.billing_model),
            covered_headcount: contract.covered_headcount,
            payment_terms: contract.payment_terms.clone(),
            renewable: Some(contract.renewable),
            auto_renew: Some(contract.auto_renew),
            renewal_notice_days: Some(contract.renewal_notice_days),
            signed_by: contract.signed_by.clone(),
            signed_at: contract.signed_at,
            notes: contract.notes.clone(),
        }
    }
}

/// A contract's fields, valid together.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractDraft {
    pub client_id: ClientId,
    pub number: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub start_date: Date,
    pub end_date: Date,
    pub renewal_date: Option<Date>,
    pub billing: Money,
    pub billing_frequency: BillingFrequency,
    pub billing_model: BillingModel,
    pub covered_headcount: Option<i32>,
    pub payment_terms: Option<String>,
    pub renewable: bool,
    pub auto_renew: bool,
    pub renewal_notice_days: i32,
    pub signed_by: Option<String>,
    pub signed_at: Option<OffsetDateTime>,
    pub notes: Option<String>,
}

fn required<T>(errors: &mut FieldErrors, field: &str, value: Option<T>) -> Option<T> {
    if value.is_none() {
        errors.add(field, "is required");
    }
    value
}

fn number(errors: &mut FieldErrors, value: Option<String>) -> Option<String> {
    let value = text(errors, "number", value, 100)?;
    if !value.chars().all(|c| c.is_ascii_alphanumeric() || "-_/.".contains(c)) {
        errors.add("number", "may hold letters, digits and - _ / . only");
    }
    Some(value)
}

fn money(errors: &mut FieldErrors, amount: Option<String>, currency: Option<String>) -> Option<Money> {
    let amount = required(errors, "billing_amount", amount);
    let currency = required(errors, "currency", currency);
    match Money::parse(&amount?, &currency?) {
        Ok(money) => Some(money),
        Err(MoneyError::UnknownCurrency) => {
            errors.add("currency", MoneyError::UnknownCurrency.to_string());
            None
        }
        Err(other) => {
            errors.add("billing_amount", other.to_string());
            None
        }
    }
}

impl ContractDraft {
    pub fn parse(raw: ContractFields) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let client_id = required(&mut errors, "client_id", raw.client_id);
        let number = number(&mut errors, raw.number);
        let title = required_text(&mut errors, "title", raw.title, 255);
        let description = text(&mut errors, "description", raw.description, 5_000);
        let start_date = required(&mut errors, "start_date", raw.start_date);
        let end_date = required(&mut errors, "end_date", raw.end_date);
        if let (Some(start), Some(end)) = (start_date, end_date)
            && end < start
        {
            errors.add("end_date", "must not be before start_date");
        }
        if let (Some(renewal), Some(start), Some(end)) = (raw.renewal_date, start_date, end_date)
            && !(start..=end).contains(&renewal)
        {
            errors.add("renewal_date", "must be inside the contract period (start_date to end_date)");
        }
        let billing = money(&mut errors, raw.billing_amount, raw.currency);
        let billing_model = raw.billing_model.unwrap_or(BillingModel::Fixed);
        match raw.covered_headcount {
            Some(n) if n < 0 => errors.add("covered_headcount", "must not be negative"),
            None if billing_model == BillingModel::PerEmployeePerMonth => {
                errors.add("covered_headcount", "is required when billing per employee per month");
            }
            _ => {}
        }
        let renewal_notice_days = raw.renewal_notice_days.unwrap_or(DEFAULT_NOTICE_DAYS);
        if !(0..=MAX_NOTICE_DAYS).contains(&renewal_notice_days) {
            errors.add("renewal_notice_days", format!("must be between 0 and {MAX_NOTICE_DAYS}"));
        }
        let renewable = raw.renewable.unwrap_or(true);
        let auto_renew = raw.auto_renew.unwrap_or(false);
        if auto_renew && !renewable {
            errors.add("auto_renew", "needs the contract to be renewable");
        }
        let payment_terms = text(&mut errors, "payment_terms", raw.payment_terms, 2_000);
        let signed_by = text(&mut errors, "signed_by", raw.signed_by, 255);
        let notes = text(&mut errors, "notes", raw.notes, 10_000);
        // Each of these is `None` only when an error about it was recorded above.
        let (Some(client_id), Some(start_date), Some(end_date), Some(billing), true) =
            (client_id, start_date, end_date, billing, errors.is_empty())
        else {
            return Err(errors);
        };
        Ok(Self {
            client_id,
            number,
            title,
            description,
            start_date,
            end_date,
            renewal_date: raw.renewal_date,
            billing,
            billing_frequency: raw.billing_frequency.unwrap_or(BillingFrequency::Monthly),
            billing_model,
            covered_headcount: raw.covered_headcount,
            payment_terms,
            renewable,
            auto_renew,
            renewal_notice_days,
            signed_by,
            signed_at: raw.signed_at,
            notes,
        })
    }
}

/// A reason for suspending or terminating: required, at most 1000 characters.
pub fn parse_reason(raw: String) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::new();
    let reason = required_text(&mut errors, "reason", raw, 1_000);
    errors.into_result()?;
    Ok(reason)
}

#[cfg(test)]
impl ContractFields {
    /// A valid twelve-month contract of `client` for the tests of this crate.
    pub(crate) fn sample(client: ClientId) -> Self {
        Self {
            client_id: Some(client),
            title: "EAP 2026".into(),
            start_date: Some(time::macros::date!(2026 - 01 - 01)),
            end_date: Some(time::macros::date!(2026 - 12 - 31)),
            billing_amount: Some("1200000".into()),
            currency: Some("UGX".into()),
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn valid() -> ContractFields {
        ContractFields::sample(ClientId::new())
    }

    fn problems(fields: ContractFields) -> Vec<String> {
        match ContractDraft::parse(fields) {
            Ok(_) => Vec::new(),
            Err(errors) => errors.fields().keys().cloned().collect(),
        }
    }

    #[test]
    fn a_minimal_contract_gets_the_defaults() {
        let draft = ContractDraft::parse(valid()).expect("valid");
        assert_eq!(draft.billing.to_string(), "1200000 UGX");
        assert_eq!(draft.billing_frequency, BillingFrequency::Monthly);
        assert_eq!(draft.billing_model, BillingModel::Fixed);
        assert_eq!(draft.renewal_notice_days, 30);
        assert!(draft.renewable && !draft.auto_renew);
        assert_eq!(draft.number, None, "generated when stored");
    }

    #[test]
    fn every_rule_names_its_field() {
        let cases: Vec<(ContractFields, &str)> = vec![
            (ContractFields { end_date: Some(date!(2025 - 12 - 31)), ..valid() }, "end_date"),
            (ContractFields { renewal_date: Some(date!(2027 - 01 - 01)), ..valid() }, "renewal_date"),
            (ContractFields { renewal_date: Some(date!(2025 - 12 - 31)), ..valid() }, "renewal_date"),
            (ContractFields { billing_amount: Some("1200.50".into()), ..valid() }, "billing_amount"),
            (ContractFields { billing_amount: Some("-1".into()), ..valid() }, "billing_amount"),
            (ContractFields { currency: Some("XXX".into()), ..valid() }, "currency"),
            (ContractFields { title: "  ".into(), ..valid() }, "title"),
            (ContractFields { client_id: None, ..valid() }, "client_id"),
            (ContractFields { start_date: None, ..valid() }, "start_date"),
            (ContractFields { number: Some("C 1".into()), ..valid() }, "number"),
            (ContractFields { renewal_notice_days: Some(400), ..valid() }, "renewal_notice_days"),
            (ContractFields { covered_headcount: Some(-1), ..valid() }, "covered_headcount"),
            (
                ContractFields { billing_model: Some(BillingModel::PerEmployeePerMonth), ..valid() },
                "covered_headcount",
            ),
            (ContractFields { renewable: Some(false), auto_renew: Some(true), ..valid() }, "auto_renew"),
        ];
        for (fields, field) in cases {
            assert_eq!(problems(fields.clone()), [field], "{fields:?}");
        }
        assert!(problems(ContractFields { renewal_date: Some(date!(2026 - 12 - 31)), ..valid() }).is_empty());
        assert!(problems(ContractFields { billing_amount: Some("1200.00".into()), ..valid() }).is_empty());
        assert_eq!(problems(ContractFields::default()).len(), 6, "every required field at once");
    }

    #[test]
    fn a_reason_is_required() {
        assert!(parse_reason("  ".into()).is_err());
        assert_eq!(parse_reason(" moved ".into()).expect("reason"), "moved");
    }
}
