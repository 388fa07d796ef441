//! The jobs of reports: rendering one, and sweeping files no report names.

use std::sync::Arc;

use async_trait::async_trait;
use axis_jobs::{Job, JobContext, JobFailure, JobHandler, Periodic, Schedule};
use axis_kernel::{DomainError, JobKind};

use crate::model::ReportId;
use crate::service::{RENDER_JOB, ReportService};

/// Runs `report.render` jobs: the report named by the job's `report_id`.
pub struct RenderReport(pub Arc<ReportService>);

#[async_trait]
impl JobHandler for RenderReport {
    fn kind(&self) -> JobKind {
        RENDER_JOB
    }

    async fn run(&self, job: &Job, context: &JobContext) -> Result<(), JobFailure> {
        let id = job.args["report_id"]
            .as_str()
            .and_then(|id| id.parse().ok())
            .map(ReportId)
            .ok_or_else(|| JobFailure::Fatal("the job names no report_id".into()))?;
        match self.0.render(id).await {
            Ok(_) => Ok(()),
            Err(_) if context.should_stop() => Err(JobFailure::Stopped),
            Err(DomainError::NotFound) => Err(JobFailure::Fatal("the report or its import is gone".into())),
            Err(error) if job.attempt >= job.max_attempts => {
                let why = format!("the report could not be rendered after {} attempts", job.attempt);
                let _ = self.0.give_up(id, &why).await;
                Err(JobFailure::Fatal(format!("{why}: {error}")))
            }
            Err(error) => Err(JobFailure::Retry(error.to_string())),
        }
    }
}

/// Removing a file no report names twice is harmless.
pub const SWEEP_FILES: JobKind =
    JobKind::new("report.sweep_files").attempts(3).timeout(std::time::Duration::from_secs(900));

/// Removes report files a render stored but never recorded.
pub struct SweepUnrecordedFiles(pub Arc<ReportService>);

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

/// Hourly (five to), for files older than an hour.
pub fn sweep_files_schedule() -> Periodic {
    Periodic { kind: SWEEP_FILES, schedule: Schedule::hourly_at(55) }
}
