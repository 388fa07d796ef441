//! What a worker runs for a job, and what becomes of the job afterwards.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use axis_kernel::JobKind;
use time::OffsetDateTime;

use crate::{Job, JobId, JobStore, retry};

/// Why a run failed. `Retry` is worth another attempt (a dependency was down); `Fatal` never
/// will be (the job's input is unusable) and parks the job at once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobFailure {
    #[error("{0}")]
    Retry(String),
    #[error("{0}")]
    Fatal(String),
    /// The job was cancelled, or is no longer this worker's: stop, there is nothing to record.
    #[error("the job was cancelled or is no longer held by this worker")]
    Stopped,
}

/// Runs the jobs of one kind. A handler that only touches the database should make its effects
/// in the unit of work that completes the job (exactly once); any other must be idempotent,
/// since a job whose worker dies mid-run runs again (at least once).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait JobHandler: Send + Sync {
    /// The kind it runs and how its runs are bounded.
    fn kind(&self) -> JobKind;
    async fn run(&self, job: &Job, context: &JobContext) -> Result<(), JobFailure>;
}

/// What a running handler may ask of its worker: record progress, and learn that it should
/// stop (the job was cancelled, or its lease was lost).
pub struct JobContext {
    store: Arc<dyn JobStore>,
    id: JobId,
    attempt: i32,
    stop: Arc<AtomicBool>,
}

impl JobContext {
    pub fn new(store: Arc<dyn JobStore>, job: &Job, stop: Arc<AtomicBool>) -> Self {
        Self { store, id: job.id, attempt: job.attempt, stop }
    }

    /// Records `done` of `total` and a short message, which the admin API shows. This is the
    /// handler's stop point: `Err(JobFailure::Stopped)` means the job was cancelled (or is no
    /// longer this worker's) and the handler should return it at once.
    pub async fn progress(&self, done: i64, total: i64, message: &str) -> Result<(), JobFailure> {
        if self.should_stop() {
            return Err(JobFailure::Stopped);
        }
        match self.store.progress(self.id, self.attempt, done, total, message).await {
            Ok(true) => Ok(()),
            Ok(false) => {
                self.stop.store(true, Ordering::Relaxed);
                Err(JobFailure::Stopped)
            }
            // Progress is a report, not the work: a failed write is another attempt's problem.
            Err(error) => Err(JobFailure::Retry(format!("recording progress failed: {error}"))),
        }
    }

    /// True once the worker learned the job is no longer to run (its heartbeat found it
    /// cancelled or taken over).
    pub fn should_stop(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
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
    /// The run stopped because the job was cancelled or taken over: nothing to record.
    Stopped,
}

/// The settlement of `job`'s current attempt, which ended at `now` with `result`.
pub fn settle(job: &Job, result: Result<(), JobFailure>, now: OffsetDateTime, jitter: f64) -> Settlement {
    match result {
        Ok(()) => Settlement::Completed,
        Err(JobFailure::Stopped) => Settlement::Stopped,
        Err(JobFailure::Fatal(error)) => Settlement::Dead { error },
        Err(JobFailure::Retry(error)) => match retry::next_run(job, now, jitter) {
            Some(at) => Settlement::Retry { error, at },
            None => Settlement::Dead { error },
        },
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-11-30 12:00 UTC);

    fn job(attempt: i32, max_attempts: i32) -> Job {
        crate::model::running_job("test.job", attempt, max_attempts)
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
        assert_eq!(settle(&job(1, 3), Err(JobFailure::Stopped), NOW, 1.0), Settlement::Stopped);
    }
}
