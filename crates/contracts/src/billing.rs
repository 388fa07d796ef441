//! Calendar arithmetic of billing and renewal: months that end short clamp to their last day
//! (31 January + 1 month = 28 or 29 February).

use time::{Date, Duration, Month};

/// `date` plus `months` calendar months, clamped to the end of the month it lands in.
pub fn add_months(date: Date, months: u32) -> Date {
    let index = i64::from(date.year()) * 12 + i64::from(u8::from(date.month())) - 1 + i64::from(months);
    let year = i32::try_from(index.div_euclid(12)).unwrap_or(i32::MAX);
    let month =
        Month::try_from(u8::try_from(index.rem_euclid(12) + 1).unwrap_or(1)).unwrap_or(Month::January);
    let day = date.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).unwrap_or(date)
}

/// The next billing date after a payment on `paid_on`, billed every `months` months.
pub fn next_billing_date(paid_on: Date, months: u32) -> Date {
    add_months(paid_on, months)
}

/// The end of one more period like `start..=end`: whole months when the period is whole
/// months (1 Jan–31 Dec renews to 31 Dec next year), otherwise the same number of days.
pub fn one_more_period(start: Date, end: Date) -> Date {
    let after_end = end + Duration::DAY;
    let whole_months = (1..=120).find(|&months| add_months(start, months) == after_end);
    match whole_months {
        Some(months) => add_months(after_end, months) - Duration::DAY,
        None => end + (after_end - start),
    }
}

/// The day the notice window opens: the renewal date if set, else `notice_days` before the end.
pub fn notice_opens_on(end: Date, renewal_date: Option<Date>, notice_days: i32) -> Date {
    renewal_date.unwrap_or(end - Duration::days(i64::from(notice_days)))
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn months_clamp_to_the_end_of_a_shorter_month() {
        assert_eq!(add_months(date!(2026 - 01 - 31), 1), date!(2026 - 02 - 28));
        assert_eq!(add_months(date!(2028 - 01 - 31), 1), date!(2028 - 02 - 29), "leap year");
        assert_eq!(add_months(date!(2026 - 08 - 31), 3), date!(2026 - 11 - 30));
        assert_eq!(add_months(date!(2026 - 11 - 15), 6), date!(2027 - 05 - 15));
        assert_eq!(add_months(date!(2026 - 12 - 31), 12), date!(2027 - 12 - 31));
        assert_eq!(next_billing_date(date!(2026 - 01 - 31), 1), date!(2026 - 02 - 28));
    }

    #[test]
    fn one_more_period_is_whole_months_when_the_period_is() {
        assert_eq!(one_more_period(date!(2026 - 01 - 01), date!(2026 - 12 - 31)), date!(2027 - 12 - 31));
        assert_eq!(one_more_period(date!(2026 - 03 - 01), date!(2026 - 05 - 31)), date!(2026 - 08 - 31));
        // 10 days: 10 more days.
        assert_eq!(one_more_period(date!(2026 - 03 - 01), date!(2026 - 03 - 10)), date!(2026 - 03 - 20));
    }

    #[test]
    fn the_notice_window_opens_at_the_renewal_date_or_notice_days_before_the_end() {
        let end = date!(2026 - 12 - 31);
        assert_eq!(notice_opens_on(end, None, 30), date!(2026 - 12 - 01));
        assert_eq!(notice_opens_on(end, Some(date!(2026 - 10 - 01)), 30), date!(2026 - 10 - 01));
    }
}
