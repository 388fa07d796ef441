//! The job queue on a real database: enqueued with the change or not at all, unique keys,
//! every job run once by concurrent workers, leases that expire and fence the late worker,
//! retries until dead.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axis_jobs::{JobAdmin, JobKind, JobQueue, JobState, JobStore, NewJob, Wakeups};
use axis_kernel::DomainError;
use axis_postgres_jobs::PgJobs;
use axis_testkit::TestDb;
use serde_json::json;

const LEASE: Duration = Duration::from_secs(60);

const NOOP: JobKind = JobKind::new("test.noop");
const IMPORT: JobKind = JobKind::new("test.import");
const SLOW: JobKind = JobKind::new("test.slow");
const FLAKY: JobKind = JobKind::new("test.flaky").attempts(3);
/// The kinds the tests' workers claim.
const KINDS: &[&str] = &["test.noop", "test.import", "test.slow", "test.flaky"];

#[tokio::test(flavor = "multi_thread")]
async fn a_job_queued_in_a_rolled_back_unit_of_work_never_exists() {
    let test_db = TestDb::new().await;
    let db = test_db.database();
    let jobs = PgJobs::new(db.clone());
    let result: Result<(), DomainError> = db
        .in_unit_of_work(|| async {
            jobs.enqueue(NewJob::new(&NOOP, json!({}))).await?;
            Err(DomainError::conflict("the change that asked for the job failed"))
        })
        .await;
    assert!(result.is_err());
    assert!(jobs.claim("w", KINDS, 10, LEASE).await.expect("claim").is_empty(), "nothing was queued");
    let committed: Result<_, DomainError> =
        db.in_unit_of_work(|| async { jobs.enqueue(NewJob::new(&NOOP, json!({}))).await }).await;
    let queued = committed.expect("queued");
    let claimed = jobs.claim("w", KINDS, 10, LEASE).await.expect("claim");
    assert_eq!(claimed.iter().map(|j| j.id).collect::<Vec<_>>(), [queued.id]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_duplicate_unique_job_returns_the_pending_one() {
    let test_db = TestDb::new().await;
    let jobs = PgJobs::new(test_db.database());
    let job = || NewJob::new(&IMPORT, json!({"file": 1})).unique("file-1");
    let first = jobs.enqueue(job()).await.expect("first");
    let again = jobs.enqueue(job()).await.expect("again");
    assert!(!first.existing && again.existing);
    assert_eq!(again.id, first.id);
    // Still the same while it runs; once finished the key is free again.
    let claimed = jobs.claim("w", KINDS, 1, LEASE).await.expect("claim");
    assert_eq!(jobs.enqueue(job()).await.expect("while running").id, first.id);
    assert!(jobs.complete(claimed[0].id, claimed[0].attempt).await.expect("complete"));
    let after = jobs.enqueue(job()).await.expect("after");
    assert!(!after.existing && after.id != first.id);
}

#[tokio::test(flavor = "multi_thread")]
async fn four_workers_run_two_thousand_jobs_each_exactly_once() {
    let test_db = TestDb::new().await;
    let db = test_db.database();
    let queue = PgJobs::new(db.clone());
    for _ in 0..2_000 {
        queue.enqueue(NewJob::new(&NOOP, json!({}))).await.expect("enqueue");
    }
    let completions = Arc::new(tokio::sync::Mutex::new(HashMap::new()));
    let mut workers = Vec::new();
    for worker in 0..4 {
        let jobs = PgJobs::new(test_db.database());
        let completions = completions.clone();
        workers.push(tokio::spawn(async move {
            loop {
                let claimed = jobs.claim(&format!("worker-{worker}"), KINDS, 25, LEASE).await.expect("claim");
                if claimed.is_empty() {
                    break;
                }
                for job in claimed {
                    assert!(
                        jobs.complete(job.id, job.attempt).await.expect("complete"),
                        "held by its claimer"
                    );
                    *completions.lock().await.entry(job.id).or_insert(0_u32) += 1;
                }
            }
        }));
    }
    for worker in workers {
        worker.await.expect("worker");
    }
    let completions = completions.lock().await;
    assert_eq!(completions.len(), 2_000, "every job ran");
    assert!(completions.values().all(|n| *n == 1), "no job ran twice");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_lease_gives_one_more_attempt_and_fences_the_late_worker() {
    let test_db = TestDb::new().await;
    let jobs = PgJobs::new(test_db.database());
    let queued = jobs.enqueue(NewJob::new(&SLOW, json!({}))).await.expect("enqueue");
    // The first worker's lease is already over when it is granted (it "died" mid-job).
    let first = jobs.claim("dead-worker", KINDS, 1, Duration::ZERO).await.expect("claim");
    assert_eq!((first.len(), first[0].attempt), (1, 1));
    let second = axis_testkit::eventually(Duration::from_secs(5), || async {
        let claimed = jobs.claim("live-worker", KINDS, 1, LEASE).await.expect("claim");
        (!claimed.is_empty()).then_some(claimed)
    })
    .await
    .expect("the job is claimed again once its lease expired");
    assert_eq!((second[0].id, second[0].attempt), (queued.id, 2), "one more attempt");
    assert!(!jobs.complete(queued.id, 1).await.expect("late complete"), "the late worker is fenced");
    assert!(!jobs.fail(queued.id, 1, "late", None).await.expect("late fail"), "and cannot fail it either");
    assert!(
        jobs.claim("third", KINDS, 1, LEASE).await.expect("claim").is_empty(),
        "running under a live lease"
    );
    assert!(jobs.complete(queued.id, 2).await.expect("complete"));
    let job = jobs.get(queued.id).await.expect("get").expect("job");
    assert_eq!((job.state, job.attempt), (JobState::Completed, 2));
}

#[tokio::test(flavor = "multi_thread")]
async fn failures_retry_with_backoff_then_the_job_is_dead() {
    let test_db = TestDb::new().await;
    let jobs = PgJobs::new(test_db.database());
    let queued = jobs.enqueue(NewJob::new(&FLAKY, json!({}))).await.expect("enqueue");
    for attempt in 1..=3 {
        let claimed = axis_testkit::eventually(Duration::from_secs(5), || async {
            let claimed = jobs.claim("w", KINDS, 1, LEASE).await.expect("claim");
            (!claimed.is_empty()).then_some(claimed)
        })
        .await
        .expect("due again");
        let job = &claimed[0];
        assert_eq!(job.attempt, attempt);
        // Retry right away in the test; the wait itself is `axis_jobs::retry::backoff`.
        let retry_at = axis_jobs::retry::next_run(job, time::OffsetDateTime::now_utc(), 0.0)
            .map(|_| time::OffsetDateTime::now_utc());
        assert_eq!(retry_at.is_none(), attempt == 3, "attempt {attempt}");
        assert!(jobs.fail(job.id, job.attempt, &format!("boom {attempt}"), retry_at).await.expect("fail"));
    }
    let job = jobs.get(queued.id).await.expect("get").expect("job");
    assert_eq!(job.state, JobState::Dead);
    assert_eq!(job.last_error.as_deref(), Some("boom 3"));
    assert!(jobs.claim("w", KINDS, 1, LEASE).await.expect("claim").is_empty(), "a dead job stays dead");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_idle_listener_wakes_on_the_commit_that_queues_a_job_not_at_its_poll() {
    let test_db = TestDb::new().await;
    let db = test_db.database();
    let jobs = PgJobs::new(db.clone());
    let mut wakeups = axis_postgres_jobs::JobWakeups::listen(&test_db.url).await.expect("listen");
    let enqueue = tokio::spawn(async move {
        let queued: Result<_, DomainError> =
            db.in_unit_of_work(|| async { jobs.enqueue(NewJob::new(&NOOP, json!({}))).await }).await;
        queued.expect("queued")
    });
    // A poll of a minute: only the notice can end this wait before the test's own timeout.
    let woken = wakeups.wait(Duration::from_secs(60)).await.expect("wait");
    assert!(woken, "woken by the notice, not by the poll");
    enqueue.await.expect("enqueue task");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_worker_claims_only_the_kinds_it_runs() {
    let test_db = TestDb::new().await;
    let jobs = PgJobs::new(test_db.database());
    let other = jobs.enqueue(NewJob::new(&JobKind::new("other.kind"), json!({}))).await.expect("enqueue");
    assert!(jobs.claim("w", KINDS, 10, LEASE).await.expect("claim").is_empty(), "not a kind it runs");
    let claimed = jobs.claim("w", &["other.kind"], 10, LEASE).await.expect("claim");
    assert_eq!(claimed.iter().map(|j| j.id).collect::<Vec<_>>(), [other.id]);
}

/// A change's jobs ride on its audit record: an admin's cancel that finds the job finished
/// rolls back, and the job it carried is never queued; one that applies queues it.
#[tokio::test(flavor = "multi_thread")]
async fn jobs_carried_by_an_audit_record_commit_with_the_change_or_not_at_all() {
    let test_db = TestDb::new().await;
    let jobs = PgJobs::new(test_db.database());
    let target = jobs.enqueue(NewJob::new(&NOOP, json!({}))).await.expect("enqueue");
    let record = |marker: &str| {
        axis_kernel::AuditRecord::new(
            &axis_kernel::Actor::command_line(),
            "job.cancel",
            "job",
            Some(target.id.to_string()),
            time::OffsetDateTime::now_utc(),
        )
        .queue(NewJob::new(&IMPORT, json!({ "marker": marker })))
    };
    let cancelled = jobs.cancel(target.id, &record("applied")).await.expect("cancel");
    assert_eq!(cancelled.state, JobState::Cancelled);
    let again = jobs.cancel(target.id, &record("refused")).await;
    assert!(matches!(again, Err(DomainError::NotFound)), "{again:?}");
    let carried = jobs
        .list(
            &axis_jobs::JobFilter { kind: Some("test.import".into()), state: None },
            axis_kernel::PageRequest::first(),
        )
        .await
        .expect("list");
    let markers: Vec<_> = carried.items.iter().map(|job| job.args["marker"].clone()).collect();
    assert_eq!(markers, [json!("applied")], "only the committed change's job exists");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_period_fires_once_however_many_workers_ask_and_never_for_an_older_one() {
    use time::macros::datetime;
    let test_db = TestDb::new().await;
    let jobs = PgJobs::new(test_db.database());
    const TICK: JobKind = JobKind::new("test.tick");
    let fire = |period: time::OffsetDateTime| {
        let jobs = jobs.clone();
        async move { jobs.fire_periodic(period, NewJob::new(&TICK, json!({}))).await.expect("fire") }
    };
    let noon = datetime!(2026-11-30 12:00 UTC);
    let racing = futures_util::future::join_all((0..3).map(|_| fire(noon))).await;
    assert_eq!(racing.iter().filter(|fired| fired.is_some()).count(), 1, "three workers, one firing");
    assert!(fire(noon).await.is_none(), "the period fired already");
    assert!(fire(noon - Duration::from_secs(60)).await.is_none(), "an older period never fires");
    assert!(fire(noon + Duration::from_secs(3600)).await.is_some(), "the next period fires");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_purge_removes_what_ended_before_the_cut_off_and_audits_the_count() {
    use axis_jobs::housekeeping::{Housekeeping, PurgeTarget};
    use diesel_async::SimpleAsyncConnection;
    let test_db = TestDb::new().await;
    let db = test_db.database();
    let jobs = PgJobs::new(db.clone());
    for _ in 0..3 {
        let queued = jobs.enqueue(NewJob::new(&NOOP, json!({}))).await.expect("enqueue");
        let claimed = jobs.claim("w", KINDS, 1, LEASE).await.expect("claim");
        assert!(jobs.complete(queued.id, claimed[0].attempt).await.expect("complete"));
    }
    let pending = jobs.enqueue(NewJob::new(&IMPORT, json!({}))).await.expect("pending");
    let mut conn = test_db.connect().await;
    conn.batch_execute(
        "UPDATE jobs SET finished_at = now() - interval '10 days' WHERE finished_at IS NOT NULL",
    )
    .await
    .expect("age them");
    let housekeeping = axis_postgres::PgHousekeeping::new(db);
    let audit = || {
        axis_kernel::AuditRecord::new(
            &axis_kernel::Actor::worker(),
            "housekeeping.purge",
            "housekeeping",
            None,
            time::OffsetDateTime::now_utc(),
        )
    };
    let week_ago = time::OffsetDateTime::now_utc() - time::Duration::days(7);
    let purged = housekeeping.purge(PurgeTarget::FinishedJobs, week_ago, &audit()).await.expect("purge");
    assert_eq!(purged, 3);
    assert_eq!(housekeeping.purge(PurgeTarget::FinishedJobs, week_ago, &audit()).await.expect("again"), 0);
    assert!(jobs.get(pending.id).await.expect("get").is_some(), "an unfinished job stays");
    #[derive(diesel::QueryableByName)]
    struct Purged {
        #[diesel(sql_type = diesel::sql_types::Text)]
        details: String,
    }
    let records: Vec<Purged> = diesel_async::RunQueryDsl::load(
        diesel::sql_query(
            "SELECT details::text AS details FROM audit_logs WHERE action = 'housekeeping.purge'",
        ),
        &mut conn,
    )
    .await
    .expect("audit");
    assert_eq!(records.len(), 1, "one record, for the purge that removed rows");
    assert!(records[0].details.contains("\"purged\": 3"), "{}", records[0].details);
}

#[tokio::test(flavor = "multi_thread")]
async fn old_import_rows_are_purged_and_unfinished_imports_marked_failed() {
    use axis_jobs::housekeeping::{Housekeeping, PurgeTarget};
    use diesel_async::SimpleAsyncConnection;
    let test_db = TestDb::new().await;
    let mut conn = test_db.connect().await;
    // An import that ended 100 days ago, one cut off 100 days ago, one from yesterday; two
    // rows each.
    conn.batch_execute(
        "INSERT INTO clients (id, name, email, status, created_at, updated_at)
           VALUES ('00000000-0000-7000-8000-000000000001', 'Employer', 'hr@example.com', 'active', now(), now());
         INSERT INTO member_imports (id, client_id, mode, dry_run, force, effective_date, status, created_at, finished_at)
         VALUES ('00000000-0000-7000-8000-0000000000a1', '00000000-0000-7000-8000-000000000001', 'merge', false, false,
                 current_date, 'applied', now() - interval '100 days', now() - interval '100 days'),
                ('00000000-0000-7000-8000-0000000000a2', '00000000-0000-7000-8000-000000000001', 'merge', false, false,
                 current_date, 'receiving', now() - interval '100 days', NULL),
                ('00000000-0000-7000-8000-0000000000a3', '00000000-0000-7000-8000-000000000001', 'merge', false, false,
                 current_date, 'applied', now() - interval '1 day', now() - interval '1 day');
         INSERT INTO member_import_rows (import_id, seq, line, kind, new_id)
         SELECT i.id, n, n, 'staff', gen_random_uuid()
           FROM member_imports i, generate_series(2, 3) AS n;",
    )
    .await
    .expect("seed imports");
    let housekeeping = axis_postgres::PgHousekeeping::new(test_db.database());
    let audit = axis_kernel::AuditRecord::new(
        &axis_kernel::Actor::worker(),
        "housekeeping.purge",
        "housekeeping",
        None,
        time::OffsetDateTime::now_utc(),
    );
    let cut_off = time::OffsetDateTime::now_utc() - time::Duration::days(90);
    let purged = housekeeping.purge(PurgeTarget::ImportRows, cut_off, &audit).await.expect("purge");
    assert_eq!(purged, 5, "four rows of the two old imports, and the cut-off upload marked failed");
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM member_import_rows").await.expect("count"),
        2,
        "yesterday's rows stay"
    );
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM member_imports").await.expect("count"),
        3,
        "the imports stay"
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM member_imports WHERE status = 'failed' AND finished_at IS NOT NULL"
        )
        .await
        .expect("count"),
        1
    );
    assert_eq!(housekeeping.purge(PurgeTarget::ImportRows, cut_off, &audit).await.expect("again"), 0);
}

async fn count(conn: &mut diesel_async::AsyncPgConnection, query: &str) -> diesel::QueryResult<i64> {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let row: Count = diesel_async::RunQueryDsl::get_result(diesel::sql_query(query), conn).await?;
    Ok(row.n)
}
