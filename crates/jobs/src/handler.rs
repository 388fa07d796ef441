//! What a worker runs for a job, and what becomes of the job afterwards.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::{Job, retry};

/// Why a run failed. `Retry` is worth another attempt (a dependency was down); `Fatal` never
/// will be (the job's input is unusable) and parks the job at once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobFailure {
    #[error("{0}")]
    Retry(String),
    #[error("{0}")]
    Fatal(String),
}

/// Runs the jobs of one kind. A handler that only touches the database should make its effects
/// in the unit of work that completes the job (exactly once); any other must be idempotent,
/// since a job whose worker dies mid-run runs again (at least once).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait JobHandler: Send + Sync {
    /// The kind it runs, e.g. `advisor.import`.
    fn kind(&self) -> &'static str;
    async fn run(&self, job: &Job) -> Result<(), JobFailure>;
}

/// What the worker records once a run has ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settlement {
    Completed,
    /// Failed; due again at this time.
    Retry {
        error: String,
        at: OffsetDateTime,
    },
    /// Failed for good: a fatal failure, or the last attempt.
    Dead {
        error: String,
    },
}

/// The settlement of `job`'s current attempt, which ended at `now` with `result`.
pub fn settle(job: &Job, result: Result<(), JobFailure>, now: OffsetDateTime, jitter: f64) -> Settlement {
    match result {
        Ok(()) => Settlement::Completed,
        Err(JobFailure::Fatal(error)) => Settlement::Dead { error },
        Err(JobFailure::Retry(error)) => match retry::next_run(job, now, jitter) {
            Some(at) => Settlement::Retry { error, at },
            None => Settlement::Dead { error },
        },
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use time::macros::datetime;

    use super::*;
    use crate::{JobId, JobState};

    const NOW: OffsetDateTime = datetime!(2026-11-30 12:00 UTC);

    fn job(attempt: i32, max_attempts: i32) -> Job {
        Job {
            id: JobId::new(),
            kind: "test.job".into(),
            args: json!({}),
            state: JobState::Running,
            attempt,
            max_attempts,
            unique_key: None,
            run_at: NOW,
            lease_until: Some(NOW),
            claimed_by: Some("w".into()),
            last_error: None,
            created_at: NOW,
            updated_at: NOW,
            finished_at: None,
        }
    }

    #[test]
    fn a_run_settles_by_its_result_and_the_attempts_left() {
        assert_eq!(settle(&job(1, 3), Ok(()), NOW, 0.5), Settlement::Completed);
        let retry = settle(&job(1, 3), Err(JobFailure::Retry("down".into())), NOW, 1.0);
        assert_eq!(retry, Settlement::Retry { error: "down".into(), at: NOW + retry::backoff(1, 1.0) });
        let last = settle(&job(3, 3), Err(JobFailure::Retry("down".into())), NOW, 1.0);
        assert_eq!(last, Settlement::Dead { error: "down".into() }, "no attempts left");
        let fatal = settle(&job(1, 3), Err(JobFailure::Fatal("bad input".into())), NOW, 1.0);
        assert_eq!(fatal, Settlement::Dead { error: "bad input".into() }, "fatal is final at once");
    }
}
