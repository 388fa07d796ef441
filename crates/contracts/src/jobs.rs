//! The contract jobs: the sweep (expiry, auto-renewal, renewal notices), run by the queue.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use axis_jobs::{Job, JobContext, JobFailure, JobHandler, JobKind, Periodic, Schedule};

use crate::ContractService;

/// Database-only: its moves commit with the job's completion, exactly once.
pub const SWEEP: JobKind =
    JobKind::new("contracts.sweep").attempts(5).timeout(Duration::from_secs(600)).database_only();

/// Runs the sweep for the organisation's today.
pub struct ContractSweep(pub Arc<ContractService>);

#[async_trait]
impl JobHandler for ContractSweep {
    fn kind(&self) -> JobKind {
        SWEEP
    }

    async fn run(&self, _job: &Job, _context: &JobContext) -> Result<(), JobFailure> {
        self.0.sweep().await.map(|_| ()).map_err(|error| JobFailure::Retry(error.to_string()))
    }
}

/// Hourly (five past), so the organisation's new day is handled within the hour whatever its
/// time zone; a run on a day already swept finds nothing to do.
pub fn sweep_schedule() -> Periodic {
    Periodic { kind: SWEEP, schedule: Schedule::hourly_at(5) }
}

/// Each change is applied in its own transaction with its audit record; a repeated run finds
/// nothing left to do.
pub const APPLY_SCHEDULED: JobKind =
    JobKind::new("contracts.apply_scheduled").attempts(3).timeout(Duration::from_secs(300));

/// Lets contracts' changes dated ahead (a termination) take effect on their day.
pub struct ApplyScheduled(pub Arc<ContractService>);

#[async_trait]
impl JobHandler for ApplyScheduled {
    fn kind(&self) -> JobKind {
        APPLY_SCHEDULED
    }

    async fn run(&self, _job: &Job, _context: &JobContext) -> Result<(), JobFailure> {
        self.0.apply_scheduled().await.map(|_| ()).map_err(|error| JobFailure::Retry(error.to_string()))
    }
}

/// Every minute, like the members' (and before the hourly sweep looks at a new day).
pub fn apply_scheduled_schedule() -> Periodic {
    Periodic { kind: APPLY_SCHEDULED, schedule: Schedule::every_minute() }
}
