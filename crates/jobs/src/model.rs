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
    /// When the current (or last) attempt was claimed.
    pub attempted_at: Option<OffsetDateTime>,
    /// How far the current run got, as its handler last reported.
    pub progress: Option<JobProgress>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
}

/// How far a run got: `done` of `total` steps, and what it is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobProgress {
    pub done: i64,
    pub total: i64,
    pub message: String,
}

/// Which jobs an admin lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobFilter {
    pub state: Option<JobState>,
    pub kind: Option<String>,
}

/// Jobs per state, and how long the oldest due job has waited: how far behind the workers are.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueueStats {
    pub by_state: Vec<(JobState, u64)>,
    pub oldest_due_age: std::time::Duration,
}

/// A job as a worker holds it, for the crate's unit tests to vary.
#[cfg(test)]
pub(crate) fn running_job(kind: &str, attempt: i32, max_attempts: i32) -> Job {
    let now = time::macros::datetime!(2026-11-30 12:00 UTC);
    Job {
        id: JobId::new(),
        kind: kind.into(),
        args: serde_json::json!({}),
        state: JobState::Running,
        attempt,
        max_attempts,
        unique_key: None,
        run_at: now,
        lease_until: Some(now),
        claimed_by: Some("w".into()),
        last_error: None,
        attempted_at: Some(now),
        progress: None,
        created_at: now,
        updated_at: now,
        finished_at: None,
    }
}
