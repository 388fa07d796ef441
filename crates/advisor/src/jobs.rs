//! The job that reads an uploaded export into its snapshot.

use std::sync::Arc;

use async_trait::async_trait;
use axis_jobs::{Job, JobContext, JobFailure, JobHandler, JobKind};
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
            Err(error) => Err(JobFailure::Retry(error.to_string())),
        }
    }
}
