use std::time::Duration;

use async_trait::async_trait;
use axis_kernel::DomainError;
use time::OffsetDateTime;

use crate::{Job, JobId, NewJob, Queued};

/// Enqueuing, for use cases. Called inside the unit of work of the change that asks for the
/// job, it commits with that change or not at all. A duplicate unique job is not an error.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait JobQueue: Send + Sync {
    async fn enqueue(&self, job: NewJob) -> Result<Queued, DomainError>;
}

/// What workers do with jobs. Every change after the claim is fenced by `(id, attempt)`:
/// `false` means the job is no longer this worker's (its lease ran out and another worker
/// claimed it, or it was cancelled), and nothing was changed.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait JobStore: Send + Sync {
    /// Up to `limit` jobs that are due, oldest first, now `running` under `worker`'s lease.
    /// Jobs whose lease ran out are due again (their next attempt), or `dead` after their last.
    async fn claim(&self, worker: &str, limit: u32, lease: Duration) -> Result<Vec<Job>, DomainError>;
    /// Extends the lease of a job still held.
    async fn heartbeat(&self, id: JobId, attempt: i32, lease: Duration) -> Result<bool, DomainError>;
    async fn complete(&self, id: JobId, attempt: i32) -> Result<bool, DomainError>;
    /// Records `error`; the job is due again at `retry_at`, or `dead` when there is none.
    async fn fail(
        &self,
        id: JobId,
        attempt: i32,
        error: &str,
        retry_at: Option<OffsetDateTime>,
    ) -> Result<bool, DomainError>;
    async fn get(&self, id: JobId) -> Result<Option<Job>, DomainError>;
}
