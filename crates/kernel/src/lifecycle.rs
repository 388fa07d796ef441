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
