//! The job that reads an uploaded export into its snapshot.

use std::sync::Arc;

use async_trait::async_trait;
use axis_jobs::{Job, JobContext, JobFailure, JobHandler, JobKind, Periodic, Schedule};
use axis_kernel::DomainError;

use crate::import::AdvisorImportId;
use crate::service::{AdvisorService, PROCESS_JOB};

/// Runs `advisor.process` jobs: the import named by the job's `import_id`.
pub struct ProcessImport(pub Arc<AdvisorService>);

#[async_trait]
impl JobHandler for ProcessImport {
    fn kind(&self) -> JobKind {
        PROCESS_JOB
    }

    async fn run(&self, job: &Job, context: &JobContext) -> Result<(), JobFailure> {
        let id = job.args["import_id"]
            .as_str()
            .and_then(|id| id.parse().ok())
            .map(AdvisorImportId)
            .ok_or_else(|| JobFailure::Fatal("the job names no import_id".into()))?;
        match self.0.process(id).await {
            Ok(_) => Ok(()),
            Err(_) if context.should_stop() => Err(JobFailure::Stopped),
            Err(DomainError::NotFound) => Err(JobFailure::Fatal("the import is gone".into())),
            // The last attempt: the import ends failed rather than waiting forever (a user may
            // reprocess it once the cause is mended).
            Err(error) if job.attempt >= job.max_attempts => {
                let why = format!("the export could not be stored after {} attempts", job.attempt);
                // Best effort: storage may be what failed.
                let _ = self.0.give_up(id, &why).await;
                Err(JobFailure::Fatal(format!("{why}: {error}")))
            }
            Err(error) => Err(JobFailure::Retry(error.to_string())),
        }
    }
}

/// Removing a file no import names twice is harmless.
pub const SWEEP_FILES: JobKind =
    JobKind::new("advisor.sweep_files").attempts(3).timeout(std::time::Duration::from_secs(900));

/// Removes exports an upload stored but never recorded.
pub struct SweepUnrecordedFiles(pub Arc<AdvisorService>);

#[async_trait]
impl JobHandler for SweepUnrecordedFiles {
    fn kind(&self) -> JobKind {
        SWEEP_FILES
    }

    async fn run(&self, _job: &Job, _context: &JobContext) -> Result<(), JobFailure> {
        self.0
            .sweep_unrecorded_files()
            .await
            .map(|_| ())
            .map_err(|error| JobFailure::Retry(error.to_string()))
    }
}

/// Hourly (ten to), for files older than an hour.
pub fn sweep_files_schedule() -> Periodic {
    Periodic { kind: SWEEP_FILES, schedule: Schedule::hourly_at(50) }
}
