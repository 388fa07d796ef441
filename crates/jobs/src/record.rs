//! Jobs about one record (an import to read, a report to render) and the periodic sweeps of
//! files nothing records: the shapes every such handler shares, written once.

use std::future::Future;
use std::sync::Arc;

use async_trait::async_trait;
use axis_kernel::{DomainError, JobKind};
use uuid::Uuid;

use crate::{Job, JobContext, JobFailure, JobHandler};

/// The record a job names in its arguments (`{"<field>": "<uuid>"}`); a job without one can
/// never run (`Fatal`).
pub fn record_id(job: &Job, field: &str) -> Result<Uuid, JobFailure> {
    job.args[field]
        .as_str()
        .and_then(|id| id.parse().ok())
        .ok_or_else(|| JobFailure::Fatal(format!("the job names no {field}")))
}

/// How a job about one record ends, by what its use case answered: done; stopped (cancelled,
/// or the lease lost); `Fatal` when the record is gone; on the last attempt `Fatal` after
/// `give_up` has recorded why on the record (so it ends failed rather than waiting forever);
/// otherwise another attempt.
pub async fn settle_record<F, Fut>(
    job: &Job,
    context: &JobContext,
    what: &str,
    outcome: Result<(), DomainError>,
    give_up: F,
) -> Result<(), JobFailure>
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = ()>,
{
    match outcome {
        Ok(()) => Ok(()),
        Err(_) if context.should_stop() => Err(JobFailure::Stopped),
        Err(DomainError::NotFound) => Err(JobFailure::Fatal(format!("{what} is gone"))),
        Err(error) if job.attempt >= job.max_attempts => {
            let why = format!("{what} could not be finished after {} attempts", job.attempt);
            give_up(why.clone()).await;
            Err(JobFailure::Fatal(format!("{why}: {error}")))
        }
        Err(error) => Err(JobFailure::Retry(error.to_string())),
    }
}

/// A domain's removal of files it stored but never recorded (an upload or a render that
/// stopped between its file and its row).
#[async_trait]
pub trait UnrecordedFiles: Send + Sync {
    /// Removes them; answers how many.
    async fn sweep_unrecorded_files(&self) -> Result<u64, DomainError>;
}

/// Runs a domain's [`UnrecordedFiles`] sweep as its periodic job `kind`.
pub struct SweepFiles {
    pub kind: JobKind,
    pub files: Arc<dyn UnrecordedFiles>,
}

#[async_trait]
impl JobHandler for SweepFiles {
    fn kind(&self) -> JobKind {
        self.kind
    }

    async fn run(&self, _job: &Job, _context: &JobContext) -> Result<(), JobFailure> {
        self.files
            .sweep_unrecorded_files()
            .await
            .map(|_| ())
            .map_err(|error| JobFailure::Retry(error.to_string()))
    }
}
