//! The job that checks and applies a large import, reporting its progress.

use std::sync::Arc;

use async_trait::async_trait;
use axis_jobs::{Job, JobContext, JobFailure, JobHandler, JobKind};
use axis_kernel::{Actor, DomainError};

use crate::error::ImportError;
use crate::model::ImportId;
use crate::service::{IMPORT_JOB, ImportService, Progress};

/// Runs `members.import` jobs: the import named by the job's `import_id`.
pub struct ImportJob(pub Arc<ImportService>);

/// Progress goes to the job, whose admin view shows it; a cancelled job stops the import.
struct ToJob<'a>(&'a JobContext);

#[async_trait]
impl Progress for ToJob<'_> {
    async fn step(&self, done: i64, total: i64, message: &str) -> Result<(), ImportError> {
        self.0
            .progress(done, total, message)
            .await
            .map_err(|_| ImportError::Domain(DomainError::conflict("the import's job was stopped")))
    }
}

#[async_trait]
impl JobHandler for ImportJob {
    fn kind(&self) -> JobKind {
        IMPORT_JOB
    }

    async fn run(&self, job: &Job, context: &JobContext) -> Result<(), JobFailure> {
        let id = job.args["import_id"]
            .as_str()
            .and_then(|id| id.parse().ok())
            .map(ImportId)
            .ok_or_else(|| JobFailure::Fatal("the job names no import_id".into()))?;
        let uploader = self.0.uploader(id).await.map_err(|error| JobFailure::Retry(error.to_string()))?;
        match self.0.run_queued(id, &Actor::worker_for(uploader), Some(&ToJob(context))).await {
            // Refusals are how an import ends: recorded with it, nothing to retry.
            Ok(_) | Err(ImportError::RejectedRows { .. } | ImportError::TooManyDeactivations { .. }) => {
                Ok(())
            }
            Err(_) if context.should_stop() => Err(JobFailure::Stopped),
            Err(ImportError::Domain(DomainError::NotFound)) => {
                Err(JobFailure::Fatal("the import is gone".into()))
            }
            Err(error) => Err(JobFailure::Retry(error.to_string())),
        }
    }
}
