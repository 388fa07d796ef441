//! Status lifecycles as one explicit table: which action moves which status to which. Every
//! domain with a status (contracts, cases, sessions) declares its table once; the service asks
//! it before any change, and an illegal move is a 409 `illegal_transition` naming both.

use std::fmt::Display;

use crate::DomainError;

/// `(from, action, to)` rows; an action from a status not listed is illegal.
#[derive(Debug, Clone, Copy)]
pub struct Transitions<S: 'static, A: 'static> {
    table: &'static [(S, A, S)],
}

impl<S, A> Transitions<S, A>
where
    S: Copy + Eq + Display,
    A: Copy + Eq + Display,
{
    pub const fn new(table: &'static [(S, A, S)]) -> Self {
        Self { table }
    }

    /// Where `action` takes a contract in status `from`, or why it cannot.
    pub fn next(&self, from: S, action: A) -> Result<S, DomainError> {
        self.table.iter().find(|(f, a, _)| *f == from && *a == action).map(|(_, _, to)| *to).ok_or_else(
            || DomainError::IllegalTransition { from: from.to_string(), action: action.to_string() },
        )
    }

    /// The actions allowed from `from`, in table order (what a client may offer).
    pub fn actions_from(&self, from: S) -> impl Iterator<Item = A> + '_ {
        self.table.iter().filter(move |(f, _, _)| *f == from).map(|(_, a, _)| *a)
    }
}

/// One entry of a status history: the status, the day it takes effect, when the change was
/// made, and why. Histories answer "what was the status on day D" for every domain whose
/// past matters (a contract's cover, a member's eligibility).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange<S> {
    pub status: S,
    pub effective_on: time::Date,
    /// When the change was made (orders changes effective on the same day).
    pub at: time::OffsetDateTime,
    pub reason: Option<String>,
    /// Dated ahead and not yet taken effect: the record's status does not show it until its
    /// day, when the apply job moves the status ([`StatusChange::dated`] decides).
    pub pending: bool,
}

impl<S> StatusChange<S> {
    /// A change made `at`, effective on `effective_on`: pending when that is after `today`.
    pub fn dated(
        status: S,
        effective_on: time::Date,
        today: time::Date,
        at: time::OffsetDateTime,
        reason: Option<String>,
    ) -> Self {
        Self { status, effective_on, at, reason, pending: effective_on > today }
    }
}

/// How many changes whose day has come are applied at a time.
pub const APPLY_BATCH: i64 = 200;

/// Lets the changes whose day has come take effect, [`APPLY_BATCH`] at a time: `due(limit)`
/// finds them, `apply(item)` moves one record with its audit record (false: the record moved
/// meanwhile, and the next run takes it up). Stops when a batch comes back short, or applied
/// nothing (a record that keeps moving waits for the next run). Answers how many took effect.
pub async fn apply_due<T, DueFut, ApplyFut>(
    mut due: impl FnMut(i64) -> DueFut,
    mut apply: impl FnMut(T) -> ApplyFut,
) -> Result<u64, crate::DomainError>
where
    DueFut: std::future::Future<Output = Result<Vec<T>, crate::DomainError>>,
    ApplyFut: std::future::Future<Output = Result<bool, crate::DomainError>>,
{
    let mut applied = 0;
    loop {
        let batch = due(APPLY_BATCH).await?;
        let found = batch.len();
        let mut this_batch = 0;
        for item in batch {
            if apply(item).await? {
                this_batch += 1;
            }
        }
        applied += this_batch;
        if found < APPLY_BATCH as usize || this_batch == 0 {
            return Ok(applied);
        }
    }
}

/// A change waiting for its day: the status a record will take, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scheduled<S> {
    pub status: S,
    pub on: time::Date,
}

/// The change `history` holds for a day after `today`, if any (the latest made): what a record
/// shows as its scheduled change. Its status today is [`status_on`] today.
pub fn scheduled<S: Copy>(history: &[StatusChange<S>], today: time::Date) -> Option<Scheduled<S>> {
    history
        .iter()
        .filter(|change| change.effective_on > today)
        .max_by_key(|change| (change.at, change.effective_on))
        .map(|change| Scheduled { status: change.status, on: change.effective_on })
}

/// The status `history` gives for `date`: of the changes effective on or before it, the one
/// made last. Each change says "from this day on, this status", and the latest instruction
/// wins, so a change backdated today (an activation from the contract's start date) overrides
/// what was recorded earlier for the same days, and a change dated ahead holds from its day
/// (a later change withdraws it). `None` before the first. The SQL functions read histories
/// by the same rule (`ORDER BY at DESC, id DESC`).
pub fn status_on<S: Copy>(history: &[StatusChange<S>], date: time::Date) -> Option<S> {
    history
        .iter()
        .filter(|change| change.effective_on <= date)
        // `max_by_key` answers the last of equals: of changes made the same instant, the one
        // recorded later (histories are in the order recorded).
        .max_by_key(|change| change.at)
        .map(|change| change.status)
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use futures_executor::block_on;
    use time::macros::{date, datetime};

    use super::*;

    fn change(status: u8, effective_on: time::Date, minute: u8) -> StatusChange<u8> {
        let at = datetime!(2026-01-01 0:00 UTC) + time::Duration::minutes(minute.into());
        StatusChange { status, effective_on, at, reason: None, pending: false }
    }

    #[test]
    fn a_change_dated_ahead_is_pending_and_scheduled_until_its_day() {
        let today = date!(2026 - 03 - 01);
        let at = datetime!(2026-03-01 9:00 UTC);
        assert!(StatusChange::dated(1u8, date!(2026 - 03 - 02), today, at, None).pending);
        assert!(!StatusChange::dated(1u8, today, today, at, None).pending);
        let history = [change(0, date!(2026 - 01 - 01), 0), change(1, date!(2026 - 03 - 10), 5)];
        assert_eq!(status_on(&history, today), Some(0), "today's status");
        assert_eq!(scheduled(&history, today), Some(Scheduled { status: 1, on: date!(2026 - 03 - 10) }));
        assert_eq!(status_on(&history, date!(2026 - 03 - 10)), Some(1), "on its day");
        assert_eq!(scheduled(&history, date!(2026 - 03 - 10)), None);
    }

    #[test]
    fn the_change_made_last_wins_for_every_day_it_covers() {
        // Drafted on 20 November, submitted on 25 November, activated on 1 December from the
        // start date, 1 November: active from 1 November, whatever was recorded in between.
        let history = [
            change(0, date!(2026 - 11 - 20), 0),
            change(1, date!(2026 - 11 - 25), 1),
            change(2, date!(2026 - 11 - 01), 2),
        ];
        assert_eq!(status_on(&history, date!(2026 - 10 - 31)), None, "before any change takes effect");
        assert_eq!(status_on(&history, date!(2026 - 11 - 01)), Some(2));
        assert_eq!(status_on(&history, date!(2026 - 11 - 22)), Some(2), "the draft no longer shows");
        assert_eq!(status_on(&history, date!(2026 - 12 - 06)), Some(2));
        // Made the same instant: the one recorded later wins from its day.
        let same_instant = [change(0, date!(2026 - 01 - 01), 0), change(1, date!(2026 - 02 - 01), 0)];
        assert_eq!(status_on(&same_instant, date!(2026 - 01 - 15)), Some(0));
        assert_eq!(status_on(&same_instant, date!(2026 - 02 - 01)), Some(1));
    }

    #[test]
    fn due_changes_are_applied_a_batch_at_a_time_until_none_is_left() {
        // 450 due: two full batches and a short one.
        let left = RefCell::new(450_i64);
        let applied = block_on(apply_due(
            |limit| {
                let found = (*left.borrow()).min(limit);
                async move { Ok::<_, crate::DomainError>((0..found).collect::<Vec<i64>>()) }
            },
            |_| {
                *left.borrow_mut() -= 1;
                async { Ok(true) }
            },
        ));
        assert_eq!(applied.ok(), Some(450));
        // A batch whose records all moved meanwhile: nothing applied, no endless loop.
        let calls = RefCell::new(0);
        let applied = block_on(apply_due(
            |limit| {
                *calls.borrow_mut() += 1;
                async move { Ok::<_, crate::DomainError>((0..limit).collect::<Vec<i64>>()) }
            },
            |_| async { Ok(false) },
        ));
        assert_eq!((applied.ok(), *calls.borrow()), (Some(0), 1));
    }
}
