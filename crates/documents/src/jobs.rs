//! The document jobs the queue runs: the daily expiry and the sweep of unrecorded files.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use axis_jobs::{Job, JobContext, JobFailure, JobHandler, JobKind, Periodic, Schedule};

use crate::DocumentService;

/// Each document is stored expired with its own audit record; a repeated run finds nothing.
pub const EXPIRE: JobKind = JobKind::new("documents.expire").attempts(5).timeout(Duration::from_secs(600));

/// Stores documents whose expiry date passed as expired.
pub struct ExpireDocuments(pub Arc<DocumentService>);

#[async_trait]
impl JobHandler for ExpireDocuments {
    fn kind(&self) -> JobKind {
        EXPIRE
    }

    async fn run(&self, _job: &Job, _context: &JobContext) -> Result<(), JobFailure> {
        self.0.expire_due().await.map(|_| ()).map_err(|error| JobFailure::Retry(error.to_string()))
    }
}

/// Hourly (ten past), so the organisation's new day is handled within the hour whatever its
/// time zone. Reads never wait for it: a passed expiry date reads `expired` at once.
pub fn expire_schedule() -> Periodic {
    Periodic { kind: EXPIRE, schedule: Schedule::hourly_at(10) }
}

/// Removing a file no document names twice is harmless.
pub const SWEEP_FILES: JobKind =
    JobKind::new("documents.sweep_files").attempts(3).timeout(Duration::from_secs(900));

/// Hourly (twenty to), for files older than an hour ([`axis_jobs::SweepFiles`] runs it).
pub fn sweep_files_schedule() -> Periodic {
    Periodic { kind: SWEEP_FILES, schedule: Schedule::hourly_at(40) }
}
