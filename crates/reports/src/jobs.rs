//! The jobs of reports: rendering one, and sweeping files no report names.

use std::sync::Arc;

use async_trait::async_trait;
use axis_jobs::{Job, JobContext, JobFailure, JobHandler, Periodic, Schedule, record_id, settle_record};
use axis_kernel::JobKind;

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
        let id = ReportId(record_id(job, "report_id")?);
        let outcome = self.0.render(id).await.map(|_| ());
        settle_record(job, context, "the report", outcome, |why| async move {
            // Best effort: storage may be what failed.
            let _ = self.0.give_up(id, &why).await;
        })
        .await
    }
}

/// Removing a file no report names twice is harmless.
pub const SWEEP_FILES: JobKind =
    JobKind::new("report.sweep_files").attempts(3).timeout(std::time::Duration::from_secs(900));

/// Hourly (five to), for files older than an hour ([`axis_jobs::SweepFiles`] runs it).
pub fn sweep_files_schedule() -> Periodic {
    Periodic { kind: SWEEP_FILES, schedule: Schedule::hourly_at(55) }
}
