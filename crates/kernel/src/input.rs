//! Text fields as every use case reads them: trimmed, at most the documented length, no
//! control characters but line breaks and tabs; and calendar dates as `YYYY-MM-DD`. Problems
//! are collected in the caller's errors.

use crate::FieldErrors;

/// Trimmed text of at most `max` characters as sent (the limit the API documents); empty
/// becomes `None`.
pub fn text(errors: &mut FieldErrors, field: &str, value: Option<String>, max: usize) -> Option<String> {
    if value.as_ref().is_some_and(|v| v.chars().count() > max) {
        errors.add(field, format!("must be at most {max} characters"));
    }
    let value = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())?;
    if value.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        errors.add(field, "must not contain control characters");
    }
    Some(value)
}

/// Like [`text`], for a field that must not be empty (then it is an error, and `""`).
pub fn required_text(errors: &mut FieldErrors, field: &str, value: String, max: usize) -> String {
    text(errors, field, Some(value), max).unwrap_or_else(|| {
        errors.add(field, "must not be empty");
        String::new()
    })
}

/// An optional `YYYY-MM-DD` date (ISO 8601), recording a field error when it is malformed.
pub fn parse_date(errors: &mut FieldErrors, field: &str, value: Option<&str>) -> Option<time::Date> {
    let value = value?;
    time::Date::parse(value, &time::format_description::well_known::Iso8601::DATE)
        .map_err(|_| errors.add(field, "must be a date such as 2026-11-21"))
        .ok()
}
