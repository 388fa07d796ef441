use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use async_trait::async_trait;
use axis_kernel::{AuditRecord, DomainError, NewJob, Page, PageRequest};
use time::OffsetDateTime;

use crate::{Job, JobFilter, JobId, QueueStats, Queued};

/// The work of a database-only job, run inside the unit of work that completes it.
pub type JobWork<'a> = Pin<Box<dyn Future<Output = Result<(), crate::JobFailure>> + Send + 'a>>;

/// Enqueuing outside an audited change (a change queues its jobs on its audit record). Called
/// inside a unit of work it commits with it or not at all. A duplicate unique job is not an
/// error: the pending one is returned.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait JobQueue: Send + Sync {
    async fn enqueue(&self, job: NewJob) -> Result<Queued, DomainError>;
}

/// What workers do with jobs. Every change after the claim is fenced by `(id, attempt)`:
/// `false` means the job is no longer this worker's (its lease ran out and another worker
/// claimed it, or it was cancelled), and nothing was changed.
#[async_trait]
pub trait JobStore: Send + Sync {
    /// Up to `limit` jobs of `kinds` that are due, oldest first, now `running` under
    /// `worker`'s lease. Jobs whose lease ran out are due again (their next attempt), or `dead`
    /// after their last.
    async fn claim(
        &self,
        worker: &str,
        kinds: &[&'static str],
        limit: u32,
        lease: Duration,
    ) -> Result<Vec<Job>, DomainError>;
    /// Extends the lease of a job still held.
    async fn heartbeat(&self, id: JobId, attempt: i32, lease: Duration) -> Result<bool, DomainError>;
    async fn progress(
        &self,
        id: JobId,
        attempt: i32,
        done: i64,
        total: i64,
        message: &str,
    ) -> Result<bool, DomainError>;
    async fn complete(&self, id: JobId, attempt: i32) -> Result<bool, DomainError>;
    /// Runs `work` and completes the job in one unit of work: the work's database effects
    /// commit with the completion, or roll back when it fails or the job is no longer held.
    /// The outer error is the database's; the inner result is the work's.
    async fn complete_with(
        &self,
        id: JobId,
        attempt: i32,
        work: JobWork<'_>,
    ) -> Result<Result<bool, crate::JobFailure>, DomainError>;
    /// Records `error`; the job is due again at `retry_at`, or `dead` when there is none.
    async fn fail(
        &self,
        id: JobId,
        attempt: i32,
        error: &str,
        retry_at: Option<OffsetDateTime>,
    ) -> Result<bool, DomainError>;
    /// Hands a held job back unrun (the worker is stopping): due now, and the attempt it was
    /// claimed with is not spent.
    async fn release(&self, id: JobId, attempt: i32) -> Result<bool, DomainError>;
    /// Queues `job` for the period that began at `period` unless that period already fired:
    /// however many workers ask, one job per period. `None` when it had fired.
    async fn fire_periodic(&self, period: OffsetDateTime, job: NewJob)
    -> Result<Option<Queued>, DomainError>;
}

/// What admins see and do.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait JobAdmin: Send + Sync {
    /// Newest first.
    async fn list(&self, filter: &JobFilter, page: PageRequest) -> Result<Page<Job>, DomainError>;
    async fn get(&self, id: JobId) -> Result<Option<Job>, DomainError>;
    /// Makes a dead, cancelled or waiting job due now, with at least one attempt left.
    /// `NotFound` when it is not (or no longer) in one of those states.
    async fn retry(&self, id: JobId, audit: &AuditRecord) -> Result<Job, DomainError>;
    /// Cancels a job that has not finished; a running one is told to stop at its next
    /// progress point. `NotFound` when it has (or had) finished.
    async fn cancel(&self, id: JobId, audit: &AuditRecord) -> Result<Job, DomainError>;
    async fn stats(&self) -> Result<QueueStats, DomainError>;
}

/// Wakes an idle worker when jobs are queued.
#[async_trait]
pub trait Wakeups: Send {
    /// Waits until jobs are queued (`true`) or `poll` passes (`false`).
    async fn wait(&mut self, poll: Duration) -> Result<bool, DomainError>;
}
