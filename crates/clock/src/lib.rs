//! Adapter: the system clock, read in the organisation's time zone (`AXIS_TIMEZONE`). The time
//! zone database is compiled in, so the answer does not depend on the machine's tzdata.

use axis_kernel::Clock;
use jiff::tz::TimeZone;
use time::{Date, OffsetDateTime, UtcOffset};

#[derive(Debug, thiserror::Error)]
#[error("unknown time zone {0:?}; use an IANA name such as Africa/Kampala or UTC")]
pub struct UnknownTimeZone(String);

/// The wall clock, with days counted in one IANA time zone.
#[derive(Debug, Clone)]
pub struct SystemClock {
    zone: TimeZone,
}

impl SystemClock {
    /// A clock whose days are those of `zone` (an IANA name such as `Africa/Kampala`).
    pub fn in_zone(zone: &str) -> Result<Self, UnknownTimeZone> {
        TimeZone::get(zone).map(|zone| Self { zone }).map_err(|_| UnknownTimeZone(zone.to_owned()))
    }

    pub fn utc() -> Self {
        Self { zone: TimeZone::UTC }
    }

    /// The zone's offset from UTC at `instant` (daylight saving included).
    fn offset_at(&self, instant: OffsetDateTime) -> UtcOffset {
        let seconds = jiff::Timestamp::from_second(instant.unix_timestamp())
            .map(|timestamp| self.zone.to_offset(timestamp).seconds())
            .unwrap_or(0);
        UtcOffset::from_whole_seconds(seconds).unwrap_or(UtcOffset::UTC)
    }
}

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        let now = OffsetDateTime::now_utc();
        now.replace_nanosecond(now.nanosecond() / 1_000 * 1_000).unwrap_or(now)
    }

    fn today(&self) -> Date {
        let now = OffsetDateTime::now_utc();
        now.to_offset(self.offset_at(now)).date()
    }

    fn start_of_day(&self, day: Date) -> OffsetDateTime {
        // Midnight of `day` in the zone; where a transition skips midnight, the first instant
        // the day has (jiff resolves the gap forward).
        let civil = jiff::civil::date(
            i16::try_from(day.year()).unwrap_or(i16::MAX),
            i8::try_from(u8::from(day.month())).unwrap_or(1),
            i8::try_from(day.day()).unwrap_or(1),
        );
        let fallback = day.midnight().assume_utc();
        match civil.to_zoned_datetime(self.zone.clone()) {
            Ok(zoned) => {
                OffsetDateTime::from_unix_timestamp(zoned.timestamp().as_second()).unwrap_or(fallback)
            }
            Err(_) => fallback,
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    #[test]
    fn days_start_at_midnight_where_the_organisation_is() {
        let kampala = SystemClock::in_zone("Africa/Kampala").unwrap();
        assert_eq!(kampala.start_of_day(date!(2026 - 12 - 01)), datetime!(2026-11-30 21:00 UTC));
        let london = SystemClock::in_zone("Europe/London").unwrap();
        // Summer time: midnight is 23:00 UTC the day before; winter: 00:00 UTC.
        assert_eq!(london.start_of_day(date!(2026 - 07 - 01)), datetime!(2026-06-30 23:00 UTC));
        assert_eq!(london.start_of_day(date!(2026 - 12 - 01)), datetime!(2026-12-01 00:00 UTC));
    }

    #[test]
    fn today_follows_the_zone() {
        let utc = SystemClock::utc();
        let now = OffsetDateTime::now_utc();
        let today = utc.today();
        // Around midnight the two reads may straddle it; either side is a correct answer.
        assert!(today == now.date() || today == OffsetDateTime::now_utc().date());
        let tokyo = SystemClock::in_zone("Asia/Tokyo").unwrap();
        let expected = OffsetDateTime::now_utc().to_offset(UtcOffset::from_hms(9, 0, 0).unwrap()).date();
        assert!((tokyo.today() - expected).whole_days().abs() <= 1);
    }

    #[test]
    fn unknown_zones_are_refused() {
        assert!(SystemClock::in_zone("Mars/Olympus_Mons").is_err());
        assert!(SystemClock::in_zone("").is_err());
    }
}
