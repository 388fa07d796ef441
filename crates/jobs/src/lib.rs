//! Deferred work. A use case queues jobs with the change that asks for them (on its audit
//! record), so a change that rolls back queues nothing; workers claim jobs outside requests,
//! hold a lease, and retry with backoff until a job completes or is parked as dead. Periodic
//! kinds fire once per period of their schedule.

pub mod handler;
pub mod housekeeping;
pub mod model;
pub mod ports;
pub mod record;
pub mod retry;
pub mod schedule;
pub mod service;

pub use axis_kernel::{JobKind, NewJob};
pub use handler::{JobContext, JobFailure, JobHandler, Settlement, settle};
pub use model::{Job, JobFilter, JobId, JobProgress, JobState, QueueStats, Queued};
#[cfg(any(test, feature = "mock"))]
pub use ports::MockJobAdmin;
pub use ports::{JobAdmin, JobQueue, JobStore, JobWork, Wakeups};
pub use record::{SweepFiles, UnrecordedFiles, record_id, settle_record};
pub use schedule::{Periodic, Schedule};
pub use service::JobService;
