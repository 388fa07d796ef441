//! The members' job: status changes dated ahead take effect on their day, by themselves.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use axis_jobs::{Job, JobContext, JobFailure, JobHandler, JobKind, Periodic, Schedule};

use crate::BeneficiaryService;

/// Each change is applied in its own transaction with its audit record; a repeated run finds
/// nothing left to do.
pub const APPLY_SCHEDULED: JobKind =
    JobKind::new("members.apply_scheduled").attempts(3).timeout(Duration::from_secs(300));

/// Applies the staff members' changes whose day has come, then the beneficiaries'.
pub struct ApplyScheduled(pub Arc<BeneficiaryService>);

#[async_trait]
impl JobHandler for ApplyScheduled {
    fn kind(&self) -> JobKind {
        APPLY_SCHEDULED
    }

    async fn run(&self, _job: &Job, _context: &JobContext) -> Result<(), JobFailure> {
        self.0.apply_scheduled().await.map(|_| ()).map_err(|error| JobFailure::Retry(error.to_string()))
    }
}

/// Every minute: a change takes effect within a minute of its day starting, so the status the
/// lists show and the one eligibility reads agree but for that minute.
pub fn apply_scheduled_schedule() -> Periodic {
    Periodic { kind: APPLY_SCHEDULED, schedule: Schedule::every_minute() }
}
