//! Jobs as a change asks for them: what kind of work, with what input. A use case attaches
//! them to the audit record of its change ([`crate::AuditRecord::queue`]), so the audited write
//! commits the change, its audit record and its jobs together, or none of them.

use std::time::Duration;

use serde_json::Value;
use time::OffsetDateTime;

/// A kind of job and how its runs are bounded. Domain crates declare their kinds as constants
/// beside the handlers that run them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobKind {
    /// Dotted name, e.g. `advisor.import`; the worker runs the handler registered for it.
    pub name: &'static str,
    /// Runs a job of this kind gets before it is parked as `dead`.
    pub max_attempts: i32,
    /// A run longer than this is stopped and counts as a failed attempt.
    pub timeout: Duration,
    /// The handler only changes the database, inside the unit of work that completes the job:
    /// its effects commit exactly once. Otherwise a run may repeat (at least once).
    pub database_only: bool,
}

impl JobKind {
    pub const fn new(name: &'static str) -> Self {
        Self { name, max_attempts: 20, timeout: Duration::from_secs(300), database_only: false }
    }

    pub const fn attempts(mut self, max_attempts: i32) -> Self {
        self.max_attempts = if max_attempts < 1 { 1 } else { max_attempts };
        self
    }

    pub const fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub const fn database_only(mut self) -> Self {
        self.database_only = true;
        self
    }
}

/// A job to enqueue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    pub kind: &'static str,
    /// The handler's input, as JSON.
    pub args: Value,
    /// While a pending or running job of the same kind has this key, enqueuing again returns
    /// that job instead of a new one.
    pub unique_key: Option<String>,
    /// Not before this time (now when absent).
    pub run_at: Option<OffsetDateTime>,
    pub max_attempts: i32,
}

impl NewJob {
    pub fn new(kind: &JobKind, args: Value) -> Self {
        Self { kind: kind.name, args, unique_key: None, run_at: None, max_attempts: kind.max_attempts }
    }

    pub fn unique(mut self, key: impl Into<String>) -> Self {
        self.unique_key = Some(key.into());
        self
    }

    pub fn at(mut self, run_at: OffsetDateTime) -> Self {
        self.run_at = Some(run_at);
        self
    }
}
