//! Deferred work. A use case enqueues a job in the same unit of work as the change that asks
//! for it, so a change that rolls back queues nothing; workers claim jobs outside requests,
//! hold a lease, and retry with backoff until a job completes or is parked as dead.

pub mod handler;
pub mod model;
pub mod ports;
pub mod retry;

pub use handler::{JobFailure, JobHandler, Settlement, settle};
pub use model::{Job, JobId, JobState, NewJob, Queued};
pub use ports::{JobQueue, JobStore};
