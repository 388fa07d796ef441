//! The worker runtime on a real database: graceful stop hands back what it could not finish,
//! periodic kinds fire once per period across workers and once on catch-up, cancelling stops a
//! running handler at its progress point, a database-only handler's effects commit exactly with
//! its completion, and a run over its kind's timeout is a failed attempt.
#![expect(clippy::expect_used, reason = "test setup fails loudly")]

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use axis_jobs::{
    Job, JobAdmin, JobContext, JobFailure, JobFilter, JobHandler, JobKind, JobQueue, JobState, NewJob,
    Periodic, Schedule,
};
use axis_kernel::{Actor, AuditRecord, Clock, PageRequest};
use axis_postgres_jobs::{JobWakeups, PgJobs};
use axis_testkit::{TestDb, eventually};
use axis_worker::{Registry, StopReport, Worker, WorkerSettings};
use serde_json::json;
use time::OffsetDateTime;
use time::macros::datetime;
use tokio::sync::{Notify, oneshot};

const DEADLINE: Duration = Duration::from_secs(20);

fn settings(name: &str) -> WorkerSettings {
    WorkerSettings {
        name: name.into(),
        concurrency: 4,
        poll_interval: Duration::from_millis(50),
        lease: Duration::from_secs(30),
        shutdown_grace: Duration::from_millis(200),
    }
}

/// A clock the test moves.
struct TestClock(Mutex<OffsetDateTime>);

impl TestClock {
    fn set(&self, at: OffsetDateTime) {
        *self.0.lock().expect("clock") = at;
    }
}

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().expect("clock")
    }
    fn today(&self) -> time::Date {
        self.now().date()
    }
    fn start_of_day(&self, day: time::Date) -> OffsetDateTime {
        day.midnight().assume_utc()
    }
}

/// Runs `kind`'s jobs: counts runs, reports progress, and waits for `release` (when given)
/// before it returns.
struct Probe {
    kind: JobKind,
    runs: AtomicU32,
    release: Option<Arc<Notify>>,
    started: Arc<Notify>,
}

impl Probe {
    fn new(kind: JobKind, release: Option<Arc<Notify>>) -> Arc<Self> {
        Arc::new(Self { kind, runs: AtomicU32::new(0), release, started: Arc::new(Notify::new()) })
    }
}

#[async_trait]
impl JobHandler for Probe {
    fn kind(&self) -> JobKind {
        self.kind
    }

    async fn run(&self, _job: &Job, context: &JobContext) -> Result<(), JobFailure> {
        self.runs.fetch_add(1, Ordering::SeqCst);
        context.progress(0, 1, "started").await?;
        self.started.notify_one();
        if let Some(release) = &self.release {
            release.notified().await;
        }
        context.progress(1, 1, "done").await
    }
}

struct Running {
    stop: oneshot::Sender<()>,
    done: tokio::task::JoinHandle<StopReport>,
}

async fn start(db: &TestDb, registry: Registry, clock: Arc<dyn Clock>, settings: WorkerSettings) -> Running {
    let worker = Worker::new(Arc::new(PgJobs::new(db.database())), registry, clock, settings);
    let wakeups = JobWakeups::listen(&db.url).await.expect("listen");
    let (stop, stopped) = oneshot::channel();
    let done = tokio::spawn(worker.run(wakeups, async move {
        let _ = stopped.await;
    }));
    Running { stop, done }
}

impl Running {
    async fn stop(self) -> StopReport {
        let _ = self.stop.send(());
        self.done.await.expect("worker task")
    }
}

async fn job_state(jobs: &PgJobs, job: axis_jobs::JobId) -> Job {
    jobs.get(job).await.expect("get").expect("job exists")
}

fn system_clock() -> Arc<dyn Clock> {
    Arc::new(TestClock(Mutex::new(OffsetDateTime::now_utc())))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stop_mid_job_hands_the_job_back_and_another_worker_finishes_it() {
    let db = TestDb::new().await;
    let jobs = PgJobs::new(db.database());
    const SLOW: JobKind = JobKind::new("test.slow");
    let never = Probe::new(SLOW, Some(Arc::new(Notify::new())));
    let first = start(&db, Registry::new().register(never.clone()), system_clock(), settings("first")).await;
    let queued = jobs.enqueue(NewJob::new(&SLOW, json!({}))).await.expect("enqueue");
    never.started.notified().await;
    // The stop signal arrives mid-job; the job does not end within the grace period.
    let report = first.stop().await;
    assert_eq!(report, StopReport { finished: 0, released: 1 });
    let handed_back = job_state(&jobs, queued.id).await;
    assert_eq!(
        (handed_back.state, handed_back.attempt),
        (JobState::Available, 0),
        "due again, attempt unspent"
    );

    let quick = Probe::new(SLOW, None);
    let second =
        start(&db, Registry::new().register(quick.clone()), system_clock(), settings("second")).await;
    let done = eventually(DEADLINE, || async {
        let job = job_state(&jobs, queued.id).await;
        (job.state == JobState::Completed).then_some(job)
    })
    .await
    .expect("the handed-back job completes on the other worker");
    assert_eq!((done.attempt, quick.runs.load(Ordering::SeqCst)), (1, 1));
    assert_eq!(done.progress.map(|p| (p.done, p.total)), Some((1, 1)));
    second.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_that_ends_within_the_grace_period_completes_after_the_stop_signal() {
    let db = TestDb::new().await;
    let jobs = PgJobs::new(db.database());
    const SLOW: JobKind = JobKind::new("test.slow");
    let release = Arc::new(Notify::new());
    let probe = Probe::new(SLOW, Some(release.clone()));
    let mut patient = settings("patient");
    patient.shutdown_grace = DEADLINE;
    let worker = start(&db, Registry::new().register(probe.clone()), system_clock(), patient).await;
    let queued = jobs.enqueue(NewJob::new(&SLOW, json!({}))).await.expect("enqueue");
    probe.started.notified().await;
    let _ = worker.stop.send(());
    release.notify_one();
    let report = worker.done.await.expect("worker");
    assert_eq!(report, StopReport { finished: 1, released: 0 });
    assert_eq!(job_state(&jobs, queued.id).await.state, JobState::Completed);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_periodic_kind_fires_once_per_period_across_three_workers_and_once_on_catch_up() {
    let db = TestDb::new().await;
    let jobs = PgJobs::new(db.database());
    const TICK: JobKind = JobKind::new("test.tick");
    let probe = Probe::new(TICK, None);
    let clock = Arc::new(TestClock(Mutex::new(datetime!(2026-11-30 12:00:30 UTC))));
    let every_minute: Schedule = "* * * * *".parse().expect("schedule");
    let mut workers = Vec::new();
    for n in 0..3 {
        let registry = Registry::new()
            .register_periodic(probe.clone(), Periodic { kind: TICK, schedule: every_minute.clone() });
        workers.push(start(&db, registry, clock.clone(), settings(&format!("w{n}"))).await);
    }
    let periods = || async {
        let page = jobs
            .list(&JobFilter { kind: Some("test.tick".into()), state: None }, PageRequest::first())
            .await
            .expect("list");
        let mut periods: Vec<String> =
            page.items.iter().map(|job| job.args["period"].as_str().unwrap_or_default().to_owned()).collect();
        periods.sort();
        periods
    };
    let fired_once = |count: usize| {
        let periods = &periods;
        async move {
            eventually(DEADLINE, || async {
                let now = periods().await;
                (now.len() >= count).then_some(now)
            })
            .await
            .expect("the period fired")
        }
    };
    assert_eq!(fired_once(1).await, ["2026-11-30T12:00:00Z"]);
    clock.set(datetime!(2026-11-30 12:01:10 UTC));
    assert_eq!(fired_once(2).await, ["2026-11-30T12:00:00Z", "2026-11-30T12:01:00Z"]);
    // Nothing ran from 12:02 to 12:05: one catch-up firing, for the period under way.
    clock.set(datetime!(2026-11-30 12:05:40 UTC));
    assert_eq!(fired_once(3).await.len(), 3);
    for worker in workers {
        worker.stop().await;
    }
    assert_eq!(
        periods().await,
        ["2026-11-30T12:00:00Z", "2026-11-30T12:01:00Z", "2026-11-30T12:05:00Z"],
        "one job per period, however many workers saw it"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn cancelling_a_running_job_stops_it_at_its_next_progress_point_for_good() {
    let db = TestDb::new().await;
    let jobs = PgJobs::new(db.database());
    const LONG: JobKind = JobKind::new("test.long");
    let release = Arc::new(Notify::new());
    let probe = Probe::new(LONG, Some(release.clone()));
    let mut patient = settings("w");
    patient.shutdown_grace = DEADLINE;
    let worker = start(&db, Registry::new().register(probe.clone()), system_clock(), patient).await;
    let queued = jobs.enqueue(NewJob::new(&LONG, json!({}))).await.expect("enqueue");
    probe.started.notified().await;
    let audit =
        AuditRecord::new(&Actor::command_line(), "job.cancel", "job", None, OffsetDateTime::now_utc());
    jobs.cancel(queued.id, &audit).await.expect("cancel");
    release.notify_one();
    // The handler's next progress report finds the job cancelled and stops; nothing is recorded.
    let report = worker.stop().await;
    assert_eq!(report.released, 0);
    let job = job_state(&jobs, queued.id).await;
    assert_eq!(job.state, JobState::Cancelled);
    assert_eq!(job.progress.map(|p| p.message), Some("started".to_owned()), "the stop point is the report");
    assert_eq!(probe.runs.load(Ordering::SeqCst), 1, "cancelled is final");
}

/// Queues a follow-up job as its one database effect, then waits for `release`.
struct QueuesFollowUp {
    queue: PgJobs,
    release: Arc<Notify>,
    started: Arc<Notify>,
}

const FOLLOW_UP: JobKind = JobKind::new("test.follow_up");
const DATABASE_ONLY: JobKind = JobKind::new("test.database_only").database_only();

#[async_trait]
impl JobHandler for QueuesFollowUp {
    fn kind(&self) -> JobKind {
        DATABASE_ONLY
    }

    async fn run(&self, job: &Job, _context: &JobContext) -> Result<(), JobFailure> {
        self.queue
            .enqueue(NewJob::new(&FOLLOW_UP, json!({ "after": job.id.to_string() })))
            .await
            .map_err(|e| JobFailure::Retry(e.to_string()))?;
        self.started.notify_one();
        self.release.notified().await;
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_only_job_commits_its_effects_with_its_completion_or_not_at_all() {
    let db = TestDb::new().await;
    let jobs = PgJobs::new(db.database());
    let release = Arc::new(Notify::new());
    let handler = Arc::new(QueuesFollowUp {
        queue: PgJobs::new(db.database()),
        release: release.clone(),
        started: Arc::new(Notify::new()),
    });
    let mut patient = settings("w");
    patient.shutdown_grace = DEADLINE;
    let worker = start(&db, Registry::new().register(handler.clone()), system_clock(), patient).await;
    let follow_ups = || async {
        jobs.list(&JobFilter { kind: Some(FOLLOW_UP.name.into()), state: None }, PageRequest::first())
            .await
            .expect("list")
            .items
    };

    // Completed: the effect is there.
    let kept = jobs.enqueue(NewJob::new(&DATABASE_ONLY, json!({}))).await.expect("enqueue");
    handler.started.notified().await;
    assert!(follow_ups().await.is_empty(), "not visible before the job completes");
    release.notify_one();
    eventually(DEADLINE, || async {
        (job_state(&jobs, kept.id).await.state == JobState::Completed).then_some(())
    })
    .await
    .expect("completed");
    assert_eq!(follow_ups().await.len(), 1);

    // Cancelled mid-run: the completion is refused and the effect rolls back with it.
    let dropped = jobs.enqueue(NewJob::new(&DATABASE_ONLY, json!({}))).await.expect("enqueue");
    handler.started.notified().await;
    let audit =
        AuditRecord::new(&Actor::command_line(), "job.cancel", "job", None, OffsetDateTime::now_utc());
    jobs.cancel(dropped.id, &audit).await.expect("cancel");
    release.notify_one();
    worker.stop().await;
    assert_eq!(job_state(&jobs, dropped.id).await.state, JobState::Cancelled);
    assert_eq!(follow_ups().await.len(), 1, "the cancelled run's effect never committed");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_over_its_kinds_timeout_is_a_failed_attempt() {
    let db = TestDb::new().await;
    let jobs = PgJobs::new(db.database());
    const HANGS: JobKind = JobKind::new("test.hangs").timeout(Duration::from_millis(100)).attempts(1);
    let probe = Probe::new(HANGS, Some(Arc::new(Notify::new())));
    let worker = start(&db, Registry::new().register(probe), system_clock(), settings("w")).await;
    let queued = jobs.enqueue(NewJob::new(&HANGS, json!({}))).await.expect("enqueue");
    let dead = eventually(DEADLINE, || async {
        let job = job_state(&jobs, queued.id).await;
        (job.state == JobState::Dead).then_some(job)
    })
    .await
    .expect("dead after its only attempt timed out");
    assert!(dead.last_error.as_deref().is_some_and(|e| e.contains("timed out")), "{:?}", dead.last_error);
    worker.stop().await;
}
