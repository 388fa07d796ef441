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

/// The status `history` gives for `date`: the last change effective on or before it (changes
/// effective the same day in the order they were made). `None` before the first.
pub fn status_on<S: Copy>(history: &[StatusChange<S>], date: time::Date) -> Option<S> {
    history
        .iter()
        .filter(|change| change.effective_on <= date)
        .max_by_key(|change| (change.effective_on, change.at))
        .map(|change| change.status)
}
