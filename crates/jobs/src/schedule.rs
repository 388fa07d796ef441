//! Cron schedules for periodic jobs: `minute hour day-of-month month day-of-week`, in UTC.
//! Each field takes `*`, a number, a range `a-b`, a step `*/n` or `a-b/n`, or a list of those;
//! `@hourly`, `@daily`, `@weekly` and `@monthly` are shorthands. As in cron, when both days
//! are restricted a day matching either runs.

use std::fmt;
use std::str::FromStr;

use time::{Date, Duration, Month, OffsetDateTime, Time};

/// When a periodic kind fires. A period is the time from one firing to the next; each fires
/// once, whatever the number of workers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    text: String,
    minutes: u64,
    hours: u64,
    days: u64,
    months: u64,
    weekdays: u64,
    any_day: bool,
    any_weekday: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid schedule {text:?}: {reason}")]
pub struct InvalidSchedule {
    text: String,
    reason: String,
}

/// A kind that runs on a schedule: one job per period, queued by whichever worker sees the
/// period start first; a period missed while no worker ran fires once when one starts.
#[derive(Debug, Clone)]
pub struct Periodic {
    pub kind: axis_kernel::JobKind,
    pub schedule: Schedule,
}

/// Searching further than this many steps means the expression never matches (`0 0 31 2 *`).
const SEARCH_LIMIT: usize = 10_000;

impl Schedule {
    /// Every hour at `minute` past (taken modulo 60).
    pub fn hourly_at(minute: u8) -> Self {
        let minute = minute % 60;
        Self {
            text: format!("{minute} * * * *"),
            minutes: 1 << minute,
            hours: (1 << 24) - 1,
            days: ((1 << 32) - 1) & !1,
            months: ((1 << 13) - 1) & !1,
            weekdays: (1 << 7) - 1,
            any_day: true,
            any_weekday: true,
        }
    }

    /// Every minute.
    pub fn every_minute() -> Self {
        Self { text: "* * * * *".to_owned(), minutes: (1 << 60) - 1, ..Self::hourly_at(0) }
    }

    /// The latest firing at or before `at`: the start of the period `at` falls in.
    pub fn latest_at_or_before(&self, at: OffsetDateTime) -> Option<OffsetDateTime> {
        let mut t = minute_floor(at);
        for _ in 0..SEARCH_LIMIT {
            if !has(self.months, u8::from(t.month()).into()) {
                // The last minute of the month before.
                t = start_of_day(t.replace_day(1).ok()?) - Duration::MINUTE;
            } else if !self.day_matches(t.date()) {
                t = start_of_day(t) - Duration::MINUTE;
            } else if !has(self.hours, t.hour().into()) {
                t = t.replace_minute(0).ok()? - Duration::MINUTE;
            } else if !has(self.minutes, t.minute().into()) {
                t -= Duration::MINUTE;
            } else {
                return Some(t);
            }
        }
        None
    }

    /// The first firing after `at`.
    pub fn next_after(&self, at: OffsetDateTime) -> Option<OffsetDateTime> {
        let mut t = minute_floor(at) + Duration::MINUTE;
        for _ in 0..SEARCH_LIMIT {
            if !has(self.months, u8::from(t.month()).into()) {
                let next_month = t.month().next();
                let year = if next_month == Month::January { t.year() + 1 } else { t.year() };
                t = Date::from_calendar_date(year, next_month, 1).ok()?.midnight().assume_utc();
            } else if !self.day_matches(t.date()) {
                t = start_of_day(t) + Duration::DAY;
            } else if !has(self.hours, t.hour().into()) {
                t = t.replace_minute(0).ok()? + Duration::HOUR;
            } else if !has(self.minutes, t.minute().into()) {
                t += Duration::MINUTE;
            } else {
                return Some(t);
            }
        }
        None
    }

    fn day_matches(&self, date: Date) -> bool {
        let day = has(self.days, date.day().into());
        let weekday = has(self.weekdays, date.weekday().number_days_from_sunday().into());
        match (self.any_day, self.any_weekday) {
            (true, true) => true,
            (true, false) => weekday,
            (false, true) => day,
            (false, false) => day || weekday,
        }
    }
}

fn has(set: u64, value: u64) -> bool {
    value < 64 && set & (1 << value) != 0
}

fn minute_floor(at: OffsetDateTime) -> OffsetDateTime {
    let at = at.to_offset(time::UtcOffset::UTC);
    at.replace_time(Time::from_hms(at.hour(), at.minute(), 0).unwrap_or(Time::MIDNIGHT))
}

fn start_of_day(at: OffsetDateTime) -> OffsetDateTime {
    at.replace_time(Time::MIDNIGHT)
}

/// The set of values one field allows, as bits; `None` with the reason when it is malformed.
fn field(text: &str, min: u64, max: u64) -> Result<u64, String> {
    let mut set = 0_u64;
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((range, step)) => {
                let step: u64 = step.parse().map_err(|_| format!("{part:?}: the step is not a number"))?;
                if step == 0 {
                    return Err(format!("{part:?}: the step must be 1 or more"));
                }
                (range, step)
            }
            None => (part, 1),
        };
        let number = |s: &str| -> Result<u64, String> {
            let n: u64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
            if (min..=max).contains(&n) { Ok(n) } else { Err(format!("{n} is outside {min}-{max}")) }
        };
        let (low, high) = match range {
            "*" => (min, max),
            _ => match range.split_once('-') {
                Some((low, high)) => (number(low)?, number(high)?),
                // `a/n` means from a to the end, stepping n.
                None if part.contains('/') => (number(range)?, max),
                None => {
                    let n = number(range)?;
                    (n, n)
                }
            },
        };
        if low > high {
            return Err(format!("{part:?}: the range runs backwards"));
        }
        let mut value = low;
        while value <= high {
            set |= 1 << value;
            value += step;
        }
    }
    Ok(set)
}

impl FromStr for Schedule {
    type Err = InvalidSchedule;

    fn from_str(text: &str) -> Result<Self, InvalidSchedule> {
        let invalid = |reason: String| InvalidSchedule { text: text.to_owned(), reason };
        let expanded = match text.trim() {
            "@hourly" => "0 * * * *",
            "@daily" => "0 0 * * *",
            "@weekly" => "0 0 * * 0",
            "@monthly" => "0 0 1 * *",
            other => other,
        };
        let fields: Vec<&str> = expanded.split_whitespace().collect();
        let [minute, hour, day, month, weekday] = fields[..] else {
            return Err(invalid("five fields expected: minute hour day-of-month month day-of-week".into()));
        };
        let weekdays = field(weekday, 0, 7).map_err(invalid)?;
        Ok(Self {
            text: text.trim().to_owned(),
            minutes: field(minute, 0, 59).map_err(invalid)?,
            hours: field(hour, 0, 23).map_err(invalid)?,
            days: field(day, 1, 31).map_err(invalid)?,
            months: field(month, 1, 12).map_err(invalid)?,
            // 7 is Sunday too.
            weekdays: (weekdays | (weekdays >> 7)) & 0x7f,
            any_day: day == "*",
            any_weekday: weekday == "*",
        })
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn schedule(text: &str) -> Schedule {
        text.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_latest_firing_is_the_start_of_the_current_period() {
        let quarter = schedule("*/15 * * * *");
        assert_eq!(
            quarter.latest_at_or_before(datetime!(2026-11-30 10:07:42 UTC)),
            Some(datetime!(2026-11-30 10:00 UTC))
        );
        assert_eq!(
            quarter.latest_at_or_before(datetime!(2026-11-30 10:15 UTC)),
            Some(datetime!(2026-11-30 10:15 UTC))
        );
        let nightly = schedule("30 3 * * *");
        assert_eq!(
            nightly.latest_at_or_before(datetime!(2026-11-30 02:00 UTC)),
            Some(datetime!(2026-11-29 03:30 UTC))
        );
        let monthly = schedule("@monthly");
        assert_eq!(
            monthly.latest_at_or_before(datetime!(2026-03-15 08:00 UTC)),
            Some(datetime!(2026-03-01 00:00 UTC))
        );
        assert_eq!(
            monthly.latest_at_or_before(datetime!(2026-01-01 00:00 UTC)),
            Some(datetime!(2026-01-01 00:00 UTC))
        );
    }

    #[test]
    fn the_next_firing_follows() {
        let weekdays_at_nine = schedule("0 9 * * 1-5");
        // 2026-11-28 is a Saturday: the next is Monday.
        assert_eq!(
            weekdays_at_nine.next_after(datetime!(2026-11-28 12:00 UTC)),
            Some(datetime!(2026-11-30 09:00 UTC))
        );
        assert_eq!(
            schedule("@hourly").next_after(datetime!(2026-12-31 23:00 UTC)),
            Some(datetime!(2027-01-01 00:00 UTC))
        );
        assert_eq!(
            schedule("0 0 29 2 *").next_after(datetime!(2026-03-01 00:00 UTC)),
            Some(datetime!(2028-02-29 00:00 UTC))
        );
        assert_eq!(schedule("0 0 31 2 *").next_after(datetime!(2026-03-01 00:00 UTC)), None, "never");
    }

    #[test]
    fn restricted_days_match_either_field_and_seven_is_sunday() {
        // The 1st, and every Sunday.
        let s = schedule("0 0 1 * 7");
        assert_eq!(s.next_after(datetime!(2026-11-30 00:00 UTC)), Some(datetime!(2026-12-01 00:00 UTC)));
        assert_eq!(s.next_after(datetime!(2026-12-01 00:00 UTC)), Some(datetime!(2026-12-06 00:00 UTC)));
    }

    #[test]
    fn hourly_at_is_the_expression_it_prints() {
        assert_eq!(Schedule::hourly_at(13), schedule("13 * * * *"));
    }

    #[test]
    fn malformed_expressions_say_what_is_wrong() {
        for bad in ["", "* * * *", "60 * * * *", "*/0 * * * *", "5-1 * * * *", "a * * * *", "* * * * * *"] {
            assert!(bad.parse::<Schedule>().is_err(), "{bad:?} should be refused");
        }
        let error = "0 24 * * *".parse::<Schedule>().expect_err("hour 24");
        assert!(error.to_string().contains("24 is outside 0-23"), "{error}");
    }
}
