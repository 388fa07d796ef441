//! Whether a contract covers a date, read from its status history: a suspension covers nothing
//! while it lasts, a termination ends cover on its effective date, an expiry ends it after the
//! last day. Eligibility and sessions ask the [`ContractCoverage`] port.

use async_trait::async_trait;
use axis_kernel::{ClientId, DomainError};
use time::Date;

use axis_kernel::status_on;

use crate::{ContractId, ContractStatus, StatusChange};

/// Whether a contract for `start..=end` with this history covers `date`.
pub fn covers(start: Date, end: Date, history: &[StatusChange], date: Date) -> bool {
    (start..=end).contains(&date) && status_on(history, date).is_some_and(ContractStatus::is_in_force)
}

/// Does an in-force contract of a client cover a date?
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait ContractCoverage: Send + Sync {
    /// The client's contract covering `date`, if any (at most one: in-force periods of one
    /// client never overlap).
    async fn covering(&self, client: ClientId, date: Date) -> Result<Option<ContractId>, DomainError>;
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;
    use crate::ContractStatus::*;

    fn change(status: ContractStatus, effective_on: Date) -> StatusChange {
        StatusChange {
            status,
            effective_on,
            at: effective_on.midnight().assume_utc(),
            reason: None,
            pending: false,
        }
    }

    const START: Date = date!(2026 - 01 - 01);
    const END: Date = date!(2026 - 12 - 31);

    #[test]
    fn a_suspension_covers_nothing_while_it_lasts() {
        let history = [
            change(Draft, date!(2025 - 12 - 01)),
            change(Active, date!(2025 - 12 - 15)),
            change(Suspended, date!(2026 - 03 - 10)),
            change(Active, date!(2026 - 03 - 20)),
        ];
        let covered = |d| covers(START, END, &history, d);
        assert!(!covered(date!(2025 - 12 - 31)), "before the period");
        assert!(covered(date!(2026 - 01 - 01)), "first day");
        assert!(covered(date!(2026 - 03 - 09)), "the day before the suspension");
        assert!(!covered(date!(2026 - 03 - 10)), "the suspension's first day");
        assert!(!covered(date!(2026 - 03 - 19)), "its last day");
        assert!(covered(date!(2026 - 03 - 20)), "resumed");
        assert!(covered(date!(2026 - 12 - 31)), "last day");
        assert!(!covered(date!(2027 - 01 - 01)), "after the period");
    }

    #[test]
    fn a_termination_ends_cover_on_its_effective_date_and_not_before() {
        // Terminated on 1 May, effective 15 June: covered until 14 June.
        let history = [
            change(Active, date!(2026 - 01 - 01)),
            StatusChange {
                status: Terminated,
                effective_on: date!(2026 - 06 - 15),
                at: datetime!(2026-05-01 10:00 UTC),
                reason: Some("client closed".into()),
                pending: false,
            },
        ];
        let covered = |d| covers(START, END, &history, d);
        assert!(covered(date!(2026 - 05 - 02)), "after the decision, before it takes effect");
        assert!(covered(date!(2026 - 06 - 14)));
        assert!(!covered(date!(2026 - 06 - 15)), "the effective date");
        assert!(!covered(date!(2026 - 09 - 01)));
    }

    #[test]
    fn a_draft_or_expired_contract_covers_nothing_and_a_renewal_restores_cover_from_its_day() {
        assert!(!covers(START, END, &[change(Draft, START)], date!(2026 - 02 - 01)));
        assert!(!covers(START, END, &[change(Pending, START)], date!(2026 - 02 - 01)));
        // Expired after 2026, renewed on 10 January 2027 to the end of 2027.
        let history = [
            change(Active, START),
            change(Expired, date!(2027 - 01 - 01)),
            change(Renewed, date!(2027 - 01 - 10)),
        ];
        let end = date!(2027 - 12 - 31);
        assert!(covers(START, end, &history, date!(2026 - 12 - 31)));
        assert!(!covers(START, end, &history, date!(2027 - 01 - 05)), "lapsed between expiry and renewal");
        assert!(covers(START, end, &history, date!(2027 - 01 - 10)));
    }

    #[test]
    fn changes_effective_the_same_day_apply_in_the_order_they_were_made() {
        let day = date!(2026 - 04 - 01);
        let history = [
            StatusChange {
                status: Active,
                effective_on: START,
                at: datetime!(2026-01-01 9:00 UTC),
                reason: None,
                pending: false,
            },
            StatusChange {
                status: Suspended,
                effective_on: day,
                at: datetime!(2026-04-01 9:00 UTC),
                reason: None,
                pending: false,
            },
            StatusChange {
                status: Active,
                effective_on: day,
                at: datetime!(2026-04-01 11:00 UTC),
                reason: None,
                pending: false,
            },
        ];
        assert_eq!(status_on(&history, day), Some(Active));
        assert_eq!(status_on(&history, date!(2025 - 12 - 31)), None);
    }
}
