use async_trait::async_trait;
use axis_jobs::{Job, JobContext, JobFailure, JobHandler, JobKind};

/// A job that does nothing: for checking that workers run jobs at all, and for measuring what
/// the queue itself costs (`make bench`).
pub const NOOP: JobKind = JobKind::new("system.noop").attempts(3);

pub struct Noop;

#[async_trait]
impl JobHandler for Noop {
    fn kind(&self) -> JobKind {
        NOOP
    }

    async fn run(&self, _job: &Job, _context: &JobContext) -> Result<(), JobFailure> {
        Ok(())
    }
}
