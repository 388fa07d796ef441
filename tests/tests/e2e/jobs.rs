//! The job queue's admin API and the worker inside `axis serve`: admins only, the periodic
//! housekeeping fires at start, retry and cancel follow the job's state and are audited, and
//! monitoring shows the queue.

use std::time::Duration;

use axis_jobs::{JobKind, JobQueue, NewJob};
use axis_kernel::Role;
use axis_postgres_jobs::PgJobs;
use axis_testkit::{TestApp, eventually, spawn_app, spawn_app_with};
use serde_json::{Value, json};

use crate::support::{expect_problem, json, sql_count};

const DEADLINE: Duration = Duration::from_secs(20);
const WITH_WORKER: &[&str] = &["--job-concurrency", "2", "--job-poll-interval-ms", "100"];

async fn job(app: &TestApp, token: &str, id: &str) -> Value {
    let (status, body) =
        json(app.get(&format!("/api/v1/jobs/{id}")).bearer_auth(token).send().await.unwrap()).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn until_state(app: &TestApp, token: &str, id: &str, state: &str) -> Value {
    eventually(DEADLINE, || async {
        let body = job(app, token, id).await;
        (body["state"] == state).then_some(body)
    })
    .await
    .unwrap_or_else(|| panic!("job {id} never became {state}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn only_admins_see_and_steer_jobs() {
    let app = spawn_app().await;
    let id = uuid::Uuid::now_v7();
    for role in [Role::Manager, Role::Analyst, Role::Viewer] {
        let person = app.logged_in(role).await;
        let token = &person.access_token;
        let list = app.get("/api/v1/jobs").bearer_auth(token).send().await.unwrap();
        expect_problem(list, 403, "forbidden").await;
        let one = app.get(&format!("/api/v1/jobs/{id}")).bearer_auth(token).send().await.unwrap();
        expect_problem(one, 403, "forbidden").await;
        for action in ["retry", "cancel"] {
            let acted =
                app.post(&format!("/api/v1/jobs/{id}/{action}")).bearer_auth(token).send().await.unwrap();
            expect_problem(acted, 403, "forbidden").await;
        }
        let monitoring = app.get("/api/v1/health/monitoring").bearer_auth(token).send().await.unwrap();
        expect_problem(monitoring, 403, "forbidden").await;
    }
    expect_problem(app.get("/api/v1/jobs").send().await.unwrap(), 401, "unauthenticated").await;
    let admin = app.logged_in(Role::Admin).await;
    let missing =
        app.get(&format!("/api/v1/jobs/{id}")).bearer_auth(&admin.access_token).send().await.unwrap();
    expect_problem(missing, 404, "not_found").await;
    let bad_state =
        app.get("/api/v1/jobs?state=finished").bearer_auth(&admin.access_token).send().await.unwrap();
    expect_problem(bad_state, 422, "validation_failed").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_server_runs_jobs_and_admins_retry_and_cancel_them_by_state() {
    let app = spawn_app_with(WITH_WORKER).await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;

    // The housekeeping purges fire when the worker starts (their first period).
    let (_, fired) = json(
        app.get("/api/v1/jobs?kind=housekeeping.purge_finished_jobs")
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let purge = eventually(DEADLINE, || async {
        let (_, page) = json(
            app.get("/api/v1/jobs?kind=housekeeping.purge_finished_jobs&state=completed")
                .bearer_auth(token)
                .send()
                .await
                .unwrap(),
        )
        .await;
        (page["pagination"]["total"] == 1).then_some(page)
    })
    .await
    .unwrap_or_else(|| panic!("the purge of finished jobs ran once at start: {fired}"));
    assert!(purge["data"][0]["unique_key"].as_str().is_some_and(|key| key.starts_with("period:")));

    let queue = PgJobs::new(app.wiring.db.clone());
    let noop = JobKind::new("system.noop");
    let done = queue.enqueue(NewJob::new(&noop, json!({}))).await.unwrap();
    let completed = until_state(&app, token, &done.id.to_string(), "completed").await;
    assert_eq!(completed["attempt"], 1);
    assert!(completed["finished_at"].is_string());
    for action in ["retry", "cancel"] {
        let refused =
            app.post(&format!("/api/v1/jobs/{}/{action}", done.id)).bearer_auth(token).send().await.unwrap();
        expect_problem(refused, 409, "conflict").await;
    }

    // A job due tomorrow: retry runs it now; another is cancelled before it is due.
    let tomorrow = time::OffsetDateTime::now_utc() + time::Duration::days(1);
    let later = queue.enqueue(NewJob::new(&noop, json!({})).at(tomorrow)).await.unwrap();
    assert_eq!(job(&app, token, &later.id.to_string()).await["state"], "scheduled");
    let (status, retried) =
        json(app.post(&format!("/api/v1/jobs/{}/retry", later.id)).bearer_auth(token).send().await.unwrap())
            .await;
    assert_eq!((status, &retried["state"]), (200, &json!("available")), "{retried}");
    until_state(&app, token, &later.id.to_string(), "completed").await;

    let dropped = queue.enqueue(NewJob::new(&noop, json!({})).at(tomorrow)).await.unwrap();
    let (status, cancelled) = json(
        app.post(&format!("/api/v1/jobs/{}/cancel", dropped.id)).bearer_auth(token).send().await.unwrap(),
    )
    .await;
    assert_eq!((status, &cancelled["state"]), (200, &json!("cancelled")), "{cancelled}");
    let audited = sql_count(
        &app,
        &format!(
            "SELECT count(*) AS n FROM audit_logs WHERE entity_type = 'job' AND entity_id = '{}' \
             AND action = 'job.cancel' AND details->>'state_before' = 'scheduled'",
            dropped.id
        ),
    )
    .await;
    assert_eq!(audited, 1, "the cancel is audited with the state it left");

    let (_, listed) = json(
        app.get("/api/v1/jobs?kind=system.noop&state=cancelled").bearer_auth(token).send().await.unwrap(),
    )
    .await;
    assert_eq!(listed["pagination"]["total"], 1);
    assert_eq!(listed["data"][0]["id"], dropped.id.to_string());

    let (status, health) =
        json(app.get("/api/v1/health/monitoring").bearer_auth(token).send().await.unwrap()).await;
    assert_eq!(status, 200);
    let states: Vec<&str> =
        health["jobs"]["by_state"].as_array().unwrap().iter().filter_map(|s| s["state"].as_str()).collect();
    assert_eq!(states, ["available", "scheduled", "running", "completed", "retryable", "dead", "cancelled"]);
    let cancelled_count =
        health["jobs"]["by_state"].as_array().unwrap().iter().find(|s| s["state"] == "cancelled");
    assert_eq!(cancelled_count.map(|s| s["jobs"].clone()), Some(json!(1)));
    assert!(health["jobs"]["oldest_due_age_seconds"].as_f64().is_some());
}
