//! The job worker: claims due jobs for its free slots, runs each under a lease it renews by
//! heartbeat, records how each run ended, fires periodic kinds once per period, and stops
//! gracefully. It runs inside `axis serve` and as `axis worker` processes alike.
//!
//! Guarantees: a job whose kind is database-only commits its effects with its completion, so
//! they happen exactly once; any other handler may run again after a crash or a lost lease
//! (at least once) and must be idempotent.

pub mod noop;
mod registry;
mod run;

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axis_jobs::{JobId, JobStore, NewJob, Wakeups};
use axis_kernel::Clock;
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::task::{Id as TaskId, JoinSet};

pub use registry::Registry;

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// Shown as `claimed_by` on the jobs it holds, e.g. `host:pid`.
    pub name: String,
    /// Jobs it runs at once.
    pub concurrency: usize,
    /// How long it sleeps when idle and nothing wakes it; the fallback to LISTEN/NOTIFY, and
    /// when jobs scheduled for later are noticed.
    pub poll_interval: Duration,
    /// How long a claim holds a job without a heartbeat (heartbeats come every third of it).
    pub lease: Duration,
    /// After the stop signal, how long running jobs get to finish before they are handed back.
    pub shutdown_grace: Duration,
}

/// What a worker did before it stopped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StopReport {
    /// Runs that ended (in any way) before the worker stopped.
    pub finished: u64,
    /// Jobs still running at the end of the grace period, handed back unrun.
    pub released: u64,
}

pub struct Worker {
    store: Arc<dyn JobStore>,
    registry: Arc<Registry>,
    clock: Arc<dyn Clock>,
    settings: WorkerSettings,
}

impl Worker {
    pub fn new(
        store: Arc<dyn JobStore>,
        registry: Registry,
        clock: Arc<dyn Clock>,
        settings: WorkerSettings,
    ) -> Self {
        Self { store, registry: Arc::new(registry), clock, settings }
    }

    /// Runs until `stop` completes, then stops claiming, gives running jobs the grace period,
    /// and hands back the ones still running.
    pub async fn run<W: Wakeups>(self, mut wakeups: W, stop: impl Future<Output = ()>) -> StopReport {
        let kinds = self.registry.kinds();
        let mut running: JoinSet<()> = JoinSet::new();
        let mut held: HashMap<TaskId, (JobId, i32)> = HashMap::new();
        let mut report = StopReport::default();
        let mut fired: HashMap<&'static str, OffsetDateTime> = HashMap::new();
        let mut stop = std::pin::pin!(stop);
        loop {
            self.fire_periodic(&mut fired).await;
            let free = self.settings.concurrency.saturating_sub(running.len());
            let mut more_due = false;
            if free > 0 && !kinds.is_empty() {
                let limit = u32::try_from(free).unwrap_or(u32::MAX);
                match self.store.claim(&self.settings.name, &kinds, limit, self.settings.lease).await {
                    Ok(jobs) => {
                        more_due = jobs.len() == free;
                        for job in jobs {
                            let Some(handler) = self.registry.handler(&job.kind) else { continue };
                            let key = (job.id, job.attempt);
                            let task = run::run_job(self.store.clone(), handler, job, self.settings.lease);
                            held.insert(running.spawn(task).id(), key);
                        }
                    }
                    Err(error) => tracing::warn!(%error, "claiming jobs failed; will retry"),
                }
            }
            let slots_left = running.len() < self.settings.concurrency;
            tokio::select! {
                biased;
                () = &mut stop => break,
                Some(done) = running.join_next_with_id(), if !running.is_empty() => {
                    report.finished += 1;
                    forget(&mut held, done);
                    // Every run that has ended frees its slot before the next claim, so one
                    // claim fills them all rather than one claim per finished job.
                    while let Some(done) = running.try_join_next_with_id() {
                        report.finished += 1;
                        forget(&mut held, done);
                    }
                }
                // A full claim means more may be due: claim again at once.
                () = std::future::ready(()), if more_due && slots_left => {}
                woke = wakeups.wait(self.settings.poll_interval), if slots_left => {
                    if let Err(error) = woke {
                        tracing::warn!(%error, "listening for job notices failed; will listen again");
                    }
                }
            }
        }
        self.stop(running, held, report).await
    }

    /// The graceful stop: no more claims; running jobs get the grace period; the rest are
    /// stopped and handed back, due at once for another worker.
    async fn stop(
        &self,
        mut running: JoinSet<()>,
        mut held: HashMap<TaskId, (JobId, i32)>,
        mut report: StopReport,
    ) -> StopReport {
        let grace = tokio::time::sleep(self.settings.shutdown_grace);
        let mut grace = std::pin::pin!(grace);
        while !running.is_empty() {
            tokio::select! {
                Some(done) = running.join_next_with_id() => {
                    report.finished += 1;
                    forget(&mut held, done);
                }
                () = &mut grace => break,
            }
        }
        running.abort_all();
        // Every task is gone once this loop ends, so no run can touch its job any more.
        while let Some(done) = running.join_next_with_id().await {
            if done.is_ok() {
                report.finished += 1;
                forget(&mut held, done);
            }
        }
        for (id, attempt) in held.into_values() {
            match self.store.release(id, attempt).await {
                Ok(true) => report.released += 1,
                // Cancelled meanwhile: nothing to hand back.
                Ok(false) => {}
                // Its lease runs out and another worker runs it.
                Err(error) => tracing::warn!(%error, job = %id, "handing a job back failed"),
            }
        }
        report
    }

    /// Queues each periodic kind's job for the current period, once this worker sees the
    /// period begin; the store makes it once per period across all workers.
    async fn fire_periodic(&self, fired: &mut HashMap<&'static str, OffsetDateTime>) {
        let now = self.clock.now();
        for periodic in self.registry.periodic() {
            let Some(period) = periodic.schedule.latest_at_or_before(now) else { continue };
            if fired.get(periodic.kind.name).is_some_and(|seen| *seen >= period) {
                continue;
            }
            let stamp = period.format(&Rfc3339).unwrap_or_default();
            let job =
                NewJob::new(&periodic.kind, json!({ "period": stamp })).unique(format!("period:{stamp}"));
            match self.store.fire_periodic(period, job).await {
                Ok(_) => {
                    fired.insert(periodic.kind.name, period);
                }
                Err(error) => {
                    tracing::warn!(%error, kind = periodic.kind.name, "firing a periodic job failed")
                }
            }
        }
    }
}

fn forget(held: &mut HashMap<TaskId, (JobId, i32)>, done: Result<(TaskId, ()), tokio::task::JoinError>) {
    let id = match done {
        Ok((id, ())) => id,
        Err(error) => error.id(),
    };
    held.remove(&id);
}
