use time::{Date, OffsetDateTime, Time, UtcOffset};

/// The time source of use cases. Every "today" in axis (date filters, sweeps, expiry, ages,
/// eligibility) is the organisation's date in its configured time zone and comes from here,
/// never from the wall clock of whatever computer runs the code.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait Clock: Send + Sync {
    /// This instant, to the microsecond (what PostgreSQL stores).
    fn now(&self) -> OffsetDateTime;
    /// The organisation's calendar date at this instant.
    fn today(&self) -> Date;
    /// The first instant of `day` in the organisation's time zone.
    fn start_of_day(&self, day: Date) -> OffsetDateTime;
}

/// A clock that always says the same instant, in a time zone with a fixed offset: for tests,
/// and for replaying work "as of" a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedClock {
    pub now: OffsetDateTime,
    pub offset: UtcOffset,
}

impl FixedClock {
    /// `now` in UTC.
    pub fn at(now: OffsetDateTime) -> Self {
        Self { now, offset: UtcOffset::UTC }
    }
}

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        self.now
    }

    fn today(&self) -> Date {
        self.now.to_offset(self.offset).date()
    }

    fn start_of_day(&self, day: Date) -> OffsetDateTime {
        day.with_time(Time::MIDNIGHT).assume_offset(self.offset)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime, offset};

    use super::*;

    #[test]
    fn today_is_the_date_where_the_organisation_is() {
        let late_evening_utc = datetime!(2026-11-30 22:30 UTC);
        assert_eq!(FixedClock::at(late_evening_utc).today(), date!(2026 - 11 - 30));
        let kampala = FixedClock { now: late_evening_utc, offset: offset!(+3) };
        assert_eq!(kampala.today(), date!(2026 - 12 - 01));
        assert_eq!(kampala.start_of_day(date!(2026 - 12 - 01)), datetime!(2026-11-30 21:00 UTC));
    }
}
