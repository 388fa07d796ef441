//! Reading one cell: amounts as decimals (never floats), dates, and the enumerations with the
//! spellings real exports use. An unknown value is an error naming what is accepted, never a
//! silent default.

use std::str::FromStr;

use bigdecimal::BigDecimal;
use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

use crate::model::{Alternative, BillingIncrease, Category, Impact};

/// The most digits before the point an amount may have (far above any real saving).
const MAX_INTEGER_DIGITS: usize = 15;
/// Amounts are kept to this many decimals (the API writes monthly figures with more).
pub const AMOUNT_SCALE: i64 = 6;

/// An amount: empty is `None` (no figure, not 0); currency symbols and spaces are dropped;
/// `,` separates thousands only in the `12,604` shape; negatives and anything else are errors.
pub fn amount(cell: &str) -> Result<Option<BigDecimal>, String> {
    let text: String =
        cell.chars().filter(|c| !c.is_whitespace() && !matches!(c, '$' | '€' | '£' | '¥')).collect();
    if text.is_empty() {
        return Ok(None);
    }
    if text.starts_with('-') {
        return Err("must not be negative".into());
    }
    let plain = if is_thousands_grouped(&text) { text.replace(',', "") } else { text };
    let (whole, fraction) = plain.split_once('.').unwrap_or((&plain, ""));
    let digits = |part: &str| part.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || (plain.contains('.') && fraction.is_empty())
    {
        return Err(format!("is not an amount: {}", shown(cell)));
    }
    if whole.trim_start_matches('0').len() > MAX_INTEGER_DIGITS {
        return Err("is too large for an amount".into());
    }
    let value = BigDecimal::from_str(&plain).map_err(|_| format!("is not an amount: {}", shown(cell)))?;
    Ok(Some(
        value.with_scale_round(AMOUNT_SCALE.min(fraction.len() as i64), bigdecimal::RoundingMode::HalfEven),
    ))
}

/// `12,604` and `1,234,567.89`: digits grouped by threes with commas.
fn is_thousands_grouped(text: &str) -> bool {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, "0"));
    let mut groups = whole.split(',');
    let first = groups.next().unwrap_or("");
    let rest: Vec<&str> = groups.collect();
    !rest.is_empty()
        && (1..=3).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_digit())
        && rest.iter().all(|g| g.len() == 3 && g.chars().all(|c| c.is_ascii_digit()))
        && !fraction.is_empty()
        && fraction.chars().all(|c| c.is_ascii_digit())
}

/// A date: ISO 8601 (`2025-09-30`, or a timestamp whose date is taken) or `M/D/YYYY`.
pub fn date(cell: &str) -> Result<Option<Date>, String> {
    let text = cell.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Some(date) = iso_date(text) {
        return Ok(Some(date));
    }
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(Some(at.date()));
    }
    us_date(text).map(Some).ok_or_else(|| format!("is not a date (YYYY-MM-DD or M/D/YYYY): {}", shown(cell)))
}

/// A moment: RFC 3339 (any number of second decimals), or a date alone (its midnight UTC), or
/// `M/D/YYYY h:mm[:ss] AM|PM` as the portal writes in US locales (read as UTC).
pub fn timestamp(cell: &str) -> Result<Option<OffsetDateTime>, String> {
    let text = cell.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(Some(at));
    }
    if let Some(at) = text.strip_suffix('Z').and_then(parse_naive_iso) {
        return Ok(Some(at));
    }
    if let Some(at) = parse_naive_iso(text) {
        return Ok(Some(at));
    }
    if let Some(date) = iso_date(text).or_else(|| us_date(text)) {
        return Ok(Some(date.midnight().assume_utc()));
    }
    if let Some(at) = us_timestamp(text) {
        return Ok(Some(at));
    }
    Err(format!("is not a date and time (ISO 8601): {}", shown(cell)))
}

fn iso_date(text: &str) -> Option<Date> {
    let mut parts = text.splitn(3, '-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return None;
    }
    ymd(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
}

fn us_date(text: &str) -> Option<Date> {
    let mut parts = text.splitn(3, '/');
    let (month, day, year) = (parts.next()?, parts.next()?, parts.next()?);
    if year.len() != 4 || month.is_empty() || month.len() > 2 || day.is_empty() || day.len() > 2 {
        return None;
    }
    ymd(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
}

fn ymd(year: i32, month: u8, day: u8) -> Option<Date> {
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

/// `2025-11-23T22:40:10` or `2025-11-23 22:40:10(.fraction)`, read as UTC.
fn parse_naive_iso(text: &str) -> Option<OffsetDateTime> {
    let (day, clock) = text.split_once(['T', ' '])?;
    let date = iso_date(day)?;
    Some(PrimitiveDateTime::new(date, clock_time(clock)?).assume_utc())
}

/// `h:mm`, `h:mm:ss` or `h:mm:ss.fff`.
fn clock_time(text: &str) -> Option<Time> {
    let (main, fraction) = text.split_once('.').unwrap_or((text, ""));
    let mut parts = main.split(':');
    let hour: u8 = parts.next()?.parse().ok()?;
    let minute: u8 = parts.next()?.parse().ok()?;
    let second: u8 = parts.next().map_or(Some(0), |s| s.parse().ok())?;
    if parts.next().is_some() || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let nanos: u32 = format!("{:0<9}", &fraction[..fraction.len().min(9)]).parse().ok()?;
    Time::from_hms_nano(hour, minute, second, nanos).ok()
}

/// `11/23/2025 10:40:10 PM`.
fn us_timestamp(text: &str) -> Option<OffsetDateTime> {
    let mut parts = text.split_whitespace();
    let date = us_date(parts.next()?)?;
    let clock = clock_time(parts.next()?)?;
    let hour = match parts.next().map(str::to_ascii_uppercase).as_deref() {
        None => clock.hour(),
        Some("AM") if (1..=12).contains(&clock.hour()) => clock.hour() % 12,
        Some("PM") if (1..=12).contains(&clock.hour()) => clock.hour() % 12 + 12,
        Some(_) => return None,
    };
    if parts.next().is_some() {
        return None;
    }
    let time = Time::from_hms(hour, clock.minute(), clock.second()).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

/// A category as exports spell it: case, spaces, `_` and `-` ignored; `HighAvailability` is
/// reliability.
pub fn category(cell: &str) -> Result<Category, String> {
    let key: String = cell.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_lowercase();
    match key.as_str() {
        "cost" => Ok(Category::Cost),
        "security" => Ok(Category::Security),
        "reliability" | "highavailability" => Ok(Category::Reliability),
        "operationalexcellence" => Ok(Category::OperationalExcellence),
        "performance" => Ok(Category::Performance),
        "" => Err("is required".into()),
        _ => Err(format!(
            "is not an Advisor category (Cost, Security, Reliability, HighAvailability, OperationalExcellence, Performance): {}",
            shown(cell)
        )),
    }
}

pub fn impact(cell: &str) -> Result<Impact, String> {
    match cell.trim().to_lowercase().as_str() {
        "high" => Ok(Impact::High),
        "medium" => Ok(Impact::Medium),
        "low" => Ok(Impact::Low),
        "" => Err("is required".into()),
        _ => Err(format!("is not High, Medium or Low: {}", shown(cell))),
    }
}

/// `No data` and empty: no increase known.
pub fn billing_increase(cell: &str) -> Result<Option<BillingIncrease>, String> {
    match cell.trim().to_lowercase().as_str() {
        "" | "no data" | "none" => Ok(None),
        "low" => Ok(Some(BillingIncrease::Low)),
        "medium" => Ok(Some(BillingIncrease::Medium)),
        "high" => Ok(Some(BillingIncrease::High)),
        _ => Err(format!("is not No data, Low, Medium or High: {}", shown(cell))),
    }
}

/// An ISO 4217 code (any case, trimmed); empty is `None`.
pub fn currency(cell: &str) -> Result<Option<String>, String> {
    let code = cell.trim().to_uppercase();
    if code.is_empty() {
        return Ok(None);
    }
    axis_kernel::Currency::from_code(&code)
        .map(|currency| Some(currency.code().to_owned()))
        .ok_or_else(|| format!("is not an ISO 4217 currency code: {}", shown(cell)))
}

/// The saving a `Potential benefits` text states (`12,604 USD savings`), for exports without
/// savings columns.
pub fn savings_in_benefits(text: &str) -> Option<(BigDecimal, String)> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let [figure, code, word] = words.as_slice() else { return None };
    if !word.eq_ignore_ascii_case("savings") {
        return None;
    }
    let amount = amount(figure).ok()??;
    let code = currency(code).ok()??;
    Some((amount, code))
}

/// Whether a recommendation is a commitment discount, by its text: reserved instances,
/// reservations and savings plans (a capacity reservation guarantees capacity, saves nothing).
pub fn alternative_in(recommendation: &str) -> Option<Alternative> {
    let text = recommendation.to_lowercase();
    if text.contains("savings plan") {
        Some(Alternative::SavingsPlan)
    } else if (text.contains("reserved instance") || text.contains("reservation"))
        && !text.contains("capacity reservation")
    {
        Some(Alternative::ReservedInstance)
    } else {
        None
    }
}

/// A cell quoted in a message: at most 60 characters.
fn shown(cell: &str) -> String {
    let text = cell.trim();
    if text.chars().count() > 60 {
        format!("\"{}…\"", text.chars().take(60).collect::<String>())
    } else {
        format!("\"{text}\"")
    }
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    fn dec(text: &str) -> BigDecimal {
        BigDecimal::from_str(text).unwrap_or_default()
    }

    #[test]
    fn amounts_are_decimals_and_empty_is_not_zero() {
        assert_eq!(amount(""), Ok(None));
        assert_eq!(amount("  "), Ok(None));
        assert_eq!(amount("0"), Ok(Some(dec("0"))));
        assert_eq!(amount("12,604"), Ok(Some(dec("12604"))));
        assert_eq!(amount("1,234,567.89"), Ok(Some(dec("1234567.89"))));
        assert_eq!(amount("$ 6684.00"), Ok(Some(dec("6684.00"))));
        assert_eq!(amount("€1,050"), Ok(Some(dec("1050"))));
        assert_eq!(amount("0.1"), Ok(Some(dec("0.1"))), "exact, where a float would not be");
        assert_eq!(amount("557.333333333"), Ok(Some(dec("557.333333"))));
        for bad in ["-5", "12,60", "1,2345", "abc", "1.2.3", "1e5", "5.", ".5", "1,,000", "NaN"] {
            assert!(amount(bad).is_err(), "{bad}");
        }
        assert!(amount("9999999999999999").is_err(), "16 digits");
    }

    #[test]
    fn dates_read_iso_and_us_forms() {
        assert_eq!(date("2025-09-30"), Ok(Some(date!(2025 - 09 - 30))));
        assert_eq!(date("9/30/2025"), Ok(Some(date!(2025 - 09 - 30))));
        assert_eq!(date("2025-09-30T00:00:00Z"), Ok(Some(date!(2025 - 09 - 30))));
        assert_eq!(date(""), Ok(None));
        for bad in ["2025-02-30", "30/9/2025", "Sept 30", "2025-9-30"] {
            assert!(date(bad).is_err(), "{bad}");
        }
        assert_eq!(timestamp("2025-11-23T22:40:10.0000000Z"), Ok(Some(datetime!(2025-11-23 22:40:10 UTC))));
        assert_eq!(timestamp("2025-11-24T06:12:45Z"), Ok(Some(datetime!(2025-11-24 06:12:45 UTC))));
        assert_eq!(timestamp("11/23/2025 10:40:10 PM"), Ok(Some(datetime!(2025-11-23 22:40:10 UTC))));
        assert_eq!(timestamp("11/23/2025 12:05:00 AM"), Ok(Some(datetime!(2025-11-23 00:05:00 UTC))));
        assert_eq!(timestamp("2025-11-23"), Ok(Some(datetime!(2025-11-23 00:00 UTC))));
        assert!(timestamp("yesterday").is_err());
        assert!(timestamp("11/23/2025 13:00:00 PM").is_err());
    }

    #[test]
    fn categories_and_impacts_read_every_spelling_and_refuse_the_rest() {
        for (cell, expected) in [
            ("Cost", Category::Cost),
            ("HighAvailability", Category::Reliability),
            ("High Availability", Category::Reliability),
            ("OperationalExcellence", Category::OperationalExcellence),
            ("Operational excellence", Category::OperationalExcellence),
            ("operational_excellence", Category::OperationalExcellence),
            (" PERFORMANCE ", Category::Performance),
        ] {
            assert_eq!(category(cell), Ok(expected), "{cell}");
        }
        assert!(category("Sustainability").is_err(), "never defaulted");
        assert!(category("").is_err());
        assert_eq!(impact(" high"), Ok(Impact::High));
        assert!(impact("Critical").is_err(), "never defaulted to medium");
        assert_eq!(billing_increase("No data"), Ok(None));
        assert_eq!(billing_increase("Medium"), Ok(Some(BillingIncrease::Medium)));
        assert!(billing_increase("Maybe").is_err());
    }

    #[test]
    fn currencies_and_benefit_texts() {
        assert_eq!(currency(" usd "), Ok(Some("USD".into())));
        assert_eq!(currency(""), Ok(None));
        assert!(currency("US$").is_err());
        assert_eq!(savings_in_benefits("12,604 USD savings"), Some((dec("12604"), "USD".into())));
        assert_eq!(savings_in_benefits("Reduce costs by deleting unused disks"), None);
    }

    #[test]
    fn commitments_are_told_by_their_text() {
        let ri = "Consider virtual machine reserved instance to save over the on-demand costs";
        assert_eq!(alternative_in(ri), Some(Alternative::ReservedInstance));
        let plan = "Consider purchasing a savings plan for compute to unlock lower prices";
        assert_eq!(alternative_in(plan), Some(Alternative::SavingsPlan));
        assert_eq!(alternative_in("Use Azure Capacity Reservation for critical VMs"), None);
        assert_eq!(alternative_in("Right-size or shutdown underutilized virtual machines"), None);
    }
}
