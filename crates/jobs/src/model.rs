use axis_kernel::typed_id;
use serde_json::Value;
use time::OffsetDateTime;

typed_id!(
    /// One queued piece of work.
    JobId
);

axis_kernel::string_enum! {
    /// Where a job is in its life. `available`, `scheduled` and `retryable` jobs wait for their
    /// `run_at`; `running` ones are held by a worker's lease; the other three are final.
    pub enum JobState {
        Available => "available",
        Scheduled => "scheduled",
        Running => "running",
        Completed => "completed",
        Retryable => "retryable",
        Dead => "dead",
        Cancelled => "cancelled",
    }
}

impl JobState {
    /// States that still hold the job's unique key: the same work is not queued twice.
    pub const PENDING: [JobState; 4] =
        [JobState::Available, JobState::Scheduled, JobState::Running, JobState::Retryable];

    pub fn is_final(self) -> bool {
        matches!(self, JobState::Completed | JobState::Dead | JobState::Cancelled)
    }
}

/// Attempts a job gets unless its kind says otherwise.
pub const DEFAULT_MAX_ATTEMPTS: i32 = 20;

/// A job to enqueue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// What to do, e.g. `advisor.import`; a worker runs the handler registered for it.
    pub kind: String,
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
    pub fn new(kind: impl Into<String>, args: Value) -> Self {
        Self { kind: kind.into(), args, unique_key: None, run_at: None, max_attempts: DEFAULT_MAX_ATTEMPTS }
    }

    pub fn unique(mut self, key: impl Into<String>) -> Self {
        self.unique_key = Some(key.into());
        self
    }

    pub fn at(mut self, run_at: OffsetDateTime) -> Self {
        self.run_at = Some(run_at);
        self
    }

    pub fn max_attempts(mut self, attempts: i32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }
}

/// What enqueuing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Queued {
    pub id: JobId,
    /// True when a pending job with the same unique key was found and returned instead.
    pub existing: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: JobId,
    pub kind: String,
    pub args: Value,
    pub state: JobState,
    /// Claims so far; each claim adds one, and every later update of the job names it, so a
    /// worker whose lease ran out cannot complete or fail a job another worker now runs.
    pub attempt: i32,
    pub max_attempts: i32,
    pub unique_key: Option<String>,
    pub run_at: OffsetDateTime,
    pub lease_until: Option<OffsetDateTime>,
    pub claimed_by: Option<String>,
    pub last_error: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
}
