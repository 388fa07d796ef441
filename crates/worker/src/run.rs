//! One run of one job: the handler under its kind's timeout, a heartbeat beside it, and the
//! settlement recorded afterwards.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axis_jobs::{Job, JobContext, JobFailure, JobHandler, JobStore, Settlement, settle};
use futures_util::FutureExt;

pub(crate) async fn run_job(
    store: Arc<dyn JobStore>,
    handler: Arc<dyn JobHandler>,
    job: Job,
    lease: Duration,
) {
    let kind = handler.kind();
    let stop = Arc::new(AtomicBool::new(false));
    let context = JobContext::new(store.clone(), &job, stop.clone());
    let work = async {
        let run = AssertUnwindSafe(handler.run(&job, &context)).catch_unwind();
        match tokio::time::timeout(kind.timeout, run).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(JobFailure::Retry("the handler panicked".into())),
            Err(_) => Err(JobFailure::Retry(format!("timed out after {} s", kind.timeout.as_secs_f64()))),
        }
    };
    let heartbeat = heartbeat(store.as_ref(), &job, lease, &stop);
    let result = if kind.database_only {
        tokio::select! {
            ended = store.complete_with(job.id, job.attempt, Box::pin(work)) => match ended {
                Ok(Ok(true)) => return,
                // Cancelled or taken over: its effects rolled back, nothing to record.
                Ok(Ok(false)) => Err(JobFailure::Stopped),
                Ok(Err(failure)) => Err(failure),
                Err(error) => Err(JobFailure::Retry(format!("database: {error}"))),
            },
            () = heartbeat => return,
        }
    } else {
        tokio::select! {
            result = work => result,
            () = heartbeat => return,
        }
    };
    record(store.as_ref(), &job, result).await;
}

/// Renews the lease every third of it. When the job is no longer held (cancelled, or taken
/// over after a stall) it tells the handler to stop and waits for it to notice.
async fn heartbeat(store: &dyn JobStore, job: &Job, lease: Duration, stop: &AtomicBool) {
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + lease / 3, lease / 3);
    loop {
        ticks.tick().await;
        match store.heartbeat(job.id, job.attempt, lease).await {
            Ok(true) => {}
            Ok(false) => {
                stop.store(true, Ordering::Relaxed);
                std::future::pending::<()>().await;
            }
            Err(error) => tracing::warn!(%error, job = %job.id, "heartbeat failed; will retry"),
        }
    }
}

/// Writes how the run ended. Should that fail too, the lease runs out and the job runs again.
async fn record(store: &dyn JobStore, job: &Job, result: Result<(), JobFailure>) {
    let now = time::OffsetDateTime::now_utc();
    let recorded = match settle(job, result, now, rand::random::<f64>()) {
        Settlement::Completed => store.complete(job.id, job.attempt).await,
        Settlement::Retry { error, at } => store.fail(job.id, job.attempt, &error, Some(at)).await,
        Settlement::Dead { error } => {
            tracing::warn!(job = %job.id, kind = %job.kind, %error, "job is dead");
            store.fail(job.id, job.attempt, &error, None).await
        }
        Settlement::Stopped => return,
    };
    if let Err(error) = recorded {
        tracing::warn!(%error, job = %job.id, "recording a run failed; the job will run again");
    }
}
