//! The first periodic jobs: purging what has outlived its use — sessions that ended (with
//! their refresh-token families), spent idempotency keys, finished jobs, the rows of old
//! eligibility-file imports.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use axis_kernel::idempotency::KEY_LIFETIME_HOURS;
use axis_kernel::{Actor, AuditRecord, Clock, DomainError, JobKind};

use crate::schedule::{Periodic, Schedule};
use crate::{Job, JobContext, JobFailure, JobHandler};

axis_kernel::string_enum! {
    /// What a purge removes.
    pub enum PurgeTarget {
        /// Sessions ended (expired or revoked) before the cut-off, and their refresh tokens.
        EndedSessions => "ended_sessions",
        /// Idempotency keys older than their lifetime.
        SpentIdempotencyKeys => "spent_idempotency_keys",
        /// Completed, dead and cancelled jobs that finished before the cut-off.
        FinishedJobs => "finished_jobs",
        /// The rows (the report) of eligibility-file imports that ended before the cut-off, or
        /// started before it and never ended (an upload cut off, a job given up: those are
        /// marked failed). The import itself, with its counts, stays.
        ImportRows => "import_rows",
        /// Eligibility-file imports still receiving their file long after they started (an
        /// upload cut off or stalled): marked failed, so none stays open for ever.
        StalledUploads => "stalled_uploads",
    }
}

/// Removing rows that are no longer needed.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait Housekeeping: Send + Sync {
    /// Deletes what `target` names that ended before `before`; when anything was deleted,
    /// writes `audit` with the count in the same transaction. Answers the count.
    async fn purge(
        &self,
        target: PurgeTarget,
        before: time::OffsetDateTime,
        audit: &AuditRecord,
    ) -> Result<u64, DomainError>;
}

/// An ended session is kept this long (its refresh tokens answer "session ended", not
/// "unknown token", while a client may still be retrying).
const ENDED_SESSION_GRACE: Duration = Duration::from_secs(24 * 3600);

impl PurgeTarget {
    pub const fn kind(self) -> JobKind {
        let name = match self {
            PurgeTarget::EndedSessions => "housekeeping.purge_ended_sessions",
            PurgeTarget::SpentIdempotencyKeys => "housekeeping.purge_idempotency_keys",
            PurgeTarget::FinishedJobs => "housekeeping.purge_finished_jobs",
            PurgeTarget::ImportRows => "housekeeping.purge_import_rows",
            PurgeTarget::StalledUploads => "housekeeping.fail_stalled_uploads",
        };
        JobKind::new(name).attempts(5).timeout(Duration::from_secs(300)).database_only()
    }

    /// Hourly, each at its own minute so they do not start together; stalled uploads every
    /// minute (an upload is given up within minutes, not hours).
    fn schedule(self) -> Schedule {
        Schedule::hourly_at(match self {
            PurgeTarget::EndedSessions => 13,
            PurgeTarget::SpentIdempotencyKeys => 29,
            PurgeTarget::FinishedJobs => 43,
            PurgeTarget::ImportRows => 51,
            PurgeTarget::StalledUploads => return Schedule::every_minute(),
        })
    }
}

/// Runs one purge; the cut-off is now minus what is kept.
pub struct Purge {
    target: PurgeTarget,
    keep: Duration,
    housekeeping: Arc<dyn Housekeeping>,
    clock: Arc<dyn Clock>,
}

#[async_trait]
impl JobHandler for Purge {
    fn kind(&self) -> JobKind {
        self.target.kind()
    }

    async fn run(&self, job: &Job, _context: &JobContext) -> Result<(), JobFailure> {
        let now = self.clock.now();
        let before = now - self.keep;
        let audit = AuditRecord::new(&Actor::worker(), "housekeeping.purge", "housekeeping", None, now)
            .with_detail("target", self.target.as_str())
            .with_detail("job_id", job.id.to_string())
            .with_detail(
                "before",
                before.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
            );
        self.housekeeping
            .purge(self.target, before, &audit)
            .await
            .map(|_| ())
            .map_err(|error| JobFailure::Retry(error.to_string()))
    }
}

/// How long what the purges remove is kept, where it is a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Finished jobs.
    pub jobs: Duration,
    /// The rows of ended imports.
    pub import_rows: Duration,
    /// How long an import may stay receiving its file.
    pub stalled_uploads: Duration,
}

/// The purges with their schedules.
pub fn purges(
    housekeeping: Arc<dyn Housekeeping>,
    clock: Arc<dyn Clock>,
    retention: Retention,
) -> Vec<(Arc<dyn JobHandler>, Periodic)> {
    PurgeTarget::ALL
        .iter()
        .map(|&target| {
            let keep = match target {
                PurgeTarget::EndedSessions => ENDED_SESSION_GRACE,
                PurgeTarget::SpentIdempotencyKeys => {
                    Duration::from_secs(KEY_LIFETIME_HOURS.unsigned_abs() * 3600)
                }
                PurgeTarget::FinishedJobs => retention.jobs,
                PurgeTarget::ImportRows => retention.import_rows,
                PurgeTarget::StalledUploads => retention.stalled_uploads,
            };
            let handler: Arc<dyn JobHandler> =
                Arc::new(Purge { target, keep, housekeeping: housekeeping.clone(), clock: clock.clone() });
            (handler, Periodic { kind: target.kind(), schedule: target.schedule() })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use axis_kernel::FixedClock;
    use time::OffsetDateTime;
    use time::macros::datetime;

    use super::*;
    use crate::{JobId, JobStore};

    const NOW: OffsetDateTime = datetime!(2026-11-30 12:00 UTC);

    #[test]
    fn each_purge_cuts_off_at_now_minus_what_it_keeps_and_audits_as_the_worker() {
        let week = Duration::from_secs(7 * 86_400);
        let quarter = Duration::from_secs(90 * 86_400);
        for (target, kept) in [
            (PurgeTarget::EndedSessions, ENDED_SESSION_GRACE),
            (PurgeTarget::SpentIdempotencyKeys, Duration::from_secs(24 * 3600)),
            (PurgeTarget::FinishedJobs, week),
            (PurgeTarget::ImportRows, quarter),
            (PurgeTarget::StalledUploads, Duration::from_secs(600)),
        ] {
            let mut port = MockHousekeeping::new();
            port.expect_purge()
                .times(1)
                .withf(move |t, before, audit| {
                    *t == target && *before == NOW - kept && audit.actor_label.as_deref() == Some("worker")
                })
                .returning(|_, _, _| Ok(3));
            let retention =
                Retention { jobs: week, import_rows: quarter, stalled_uploads: Duration::from_secs(600) };
            let handlers = purges(Arc::new(port), Arc::new(FixedClock::at(NOW)), retention);
            let (handler, periodic) =
                handlers.into_iter().find(|(h, _)| h.kind() == target.kind()).expect("a purge per target");
            assert!(periodic.kind.database_only, "a purge commits with its job's completion");
            let job = job_of(periodic.kind.name);
            let context = JobContext::new(Arc::new(NoStore), &job, Arc::new(AtomicBool::new(false)));
            assert_eq!(futures_executor::block_on(handler.run(&job, &context)), Ok(()));
        }
    }

    fn job_of(kind: &str) -> Job {
        crate::model::running_job(kind, 1, 5)
    }

    /// Purges report no progress, so their context never reaches the store.
    struct NoStore;

    #[async_trait]
    impl JobStore for NoStore {
        async fn claim(
            &self,
            _: &str,
            _: &[&'static str],
            _: u32,
            _: Duration,
        ) -> Result<Vec<Job>, DomainError> {
            unreachable!()
        }
        async fn heartbeat(&self, _: JobId, _: i32, _: Duration) -> Result<bool, DomainError> {
            unreachable!()
        }
        async fn progress(&self, _: JobId, _: i32, _: i64, _: i64, _: &str) -> Result<bool, DomainError> {
            unreachable!()
        }
        async fn complete(&self, _: JobId, _: i32) -> Result<bool, DomainError> {
            unreachable!()
        }
        async fn complete_with(
            &self,
            _: JobId,
            _: i32,
            _: crate::JobWork<'_>,
        ) -> Result<Result<bool, JobFailure>, DomainError> {
            unreachable!()
        }
        async fn fail(
            &self,
            _: JobId,
            _: i32,
            _: &str,
            _: Option<OffsetDateTime>,
        ) -> Result<bool, DomainError> {
            unreachable!()
        }
        async fn release(&self, _: JobId, _: i32) -> Result<bool, DomainError> {
            unreachable!()
        }
        async fn fire_periodic(
            &self,
            _: OffsetDateTime,
            _: axis_kernel::NewJob,
        ) -> Result<Option<crate::Queued>, DomainError> {
            unreachable!()
        }
    }
}
