//! The job that reads an uploaded export into its snapshot.

use std::sync::Arc;

use async_trait::async_trait;
use axis_jobs::{
    Job, JobContext, JobFailure, JobHandler, JobKind, Periodic, Schedule, record_id, settle_record,
};

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
        let id = AdvisorImportId(record_id(job, "import_id")?);
        let outcome = self.0.process(id).await.map(|_| ());
        settle_record(job, context, "the export", outcome, |why| async move {
            // Best effort: storage may be what failed.
            let _ = self.0.give_up(id, &why).await;
        })
        .await
    }
}

/// Removing a file no import names twice is harmless.
pub const SWEEP_FILES: JobKind =
    JobKind::new("advisor.sweep_files").attempts(3).timeout(std::time::Duration::from_secs(900));

/// Hourly (ten to), for files older than an hour ([`axis_jobs::SweepFiles`] runs it).
pub fn sweep_files_schedule() -> Periodic {
    Periodic { kind: SWEEP_FILES, schedule: Schedule::hourly_at(50) }
}
