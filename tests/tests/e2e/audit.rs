//! The audit trail: written in the same transaction as the change, append-only, queryable.

use axis_kernel::Role;
use std::time::Duration;

use axis_testkit::{UserBuilder, eventually, spawn_app, spawn_app_with};
use serde_json::json;

use crate::support::{expect_problem, json, sql, sql_count};

/// The background sealer effectively off, so the test decides when sealing happens.
const MANUAL_SEALING: &[&str] = &["--audit-seal-interval-ms", "3600000"];

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_audit_write_rolls_the_change_back() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let user = UserBuilder::new().insert(&app).await;
    sql(
        &app,
        "CREATE FUNCTION fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$ \
         BEGIN RAISE EXCEPTION 'injected audit failure'; END $$; \
         CREATE TRIGGER fail_audit BEFORE INSERT ON audit_logs FOR EACH ROW \
         WHEN (NEW.action = 'user.update') EXECUTE FUNCTION fail_audit();",
    )
    .await;
    let path = format!("/api/v1/users/{}", user.id);
    let response = app
        .patch(&path)
        .bearer_auth(&admin.access_token)
        .json(&json!({"first_name": "Changed"}))
        .send()
        .await;
    let body = expect_problem(response.unwrap(), 500, "internal_error").await;
    assert!(body.get("detail").is_none(), "5xx bodies are constant: {body}");
    assert!(!body.to_string().contains("injected"), "no driver message leaks");

    let (_, after) = json(app.get(&path).bearer_auth(&admin.access_token).send().await.unwrap()).await;
    assert_eq!(after["first_name"], "Test", "the change rolled back with its audit record");
    assert_eq!(after["version"], 1);

    sql(&app, "DROP TRIGGER fail_audit ON audit_logs").await;
    let response = app
        .patch(&path)
        .bearer_auth(&admin.access_token)
        .json(&json!({"first_name": "Changed"}))
        .send()
        .await;
    assert_eq!(response.unwrap().status(), 200, "the same change succeeds once auditing works");
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_rows_refuse_update_delete_and_truncate() {
    let app = spawn_app().await;
    UserBuilder::new().insert(&app).await;
    let mut conn = app.db.connect().await;
    use diesel_async::SimpleAsyncConnection;
    for statement in ["UPDATE audit_logs SET action = 'x'", "DELETE FROM audit_logs", "TRUNCATE audit_logs"] {
        let error = conn.batch_execute(statement).await.expect_err(statement);
        assert!(error.to_string().contains("append-only"), "{statement}: {error}");
    }
    assert_eq!(sql_count(&app, "SELECT count(*) AS n FROM audit_logs").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn changes_are_recorded_field_by_field_and_can_be_queried() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let user = UserBuilder::new().role(Role::Analyst).insert(&app).await;
    let path = format!("/api/v1/users/{}", user.id);
    let response = app
        .patch(&path)
        .bearer_auth(&admin.access_token)
        .header("User-Agent", "audit-test/1.0")
        .json(&json!({"role": "manager", "first_name": "Test"}))
        .send()
        .await
        .unwrap();
    let request_id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(response.status(), 200);

    let history = format!("/api/v1/audit-logs/entities/user/{}", user.id);
    let (status, page) = json(app.get(&history).bearer_auth(&admin.access_token).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(page["pagination"]["total"], 2, "create and update");
    let update = &page["data"][0];
    assert_eq!(update["action"], "user.update");
    assert_eq!(update["changes"], json!([{"field": "role", "old": "analyst", "new": "manager"}]));
    assert_eq!(update["actor"]["user_id"], admin.user.id.to_string());
    assert_eq!(update["actor"]["label"], admin.user.email);
    assert_eq!(update["actor"]["ip"], "127.0.0.1");
    assert_eq!(update["actor"]["user_agent"], "audit-test/1.0");
    assert_eq!(update["request_id"], request_id);
    assert_eq!(page["data"][1]["action"], "user.create");

    let filtered = format!("/api/v1/audit-logs?action=user.update&user_id={}", admin.user.id);
    let (_, page) = json(app.get(&filtered).bearer_auth(&admin.access_token).send().await.unwrap()).await;
    assert_eq!(page["pagination"]["total"], 1);
    let (_, logins) = json(
        app.get("/api/v1/audit-logs?action=auth.login")
            .bearer_auth(&admin.access_token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(logins["pagination"]["total"], 1);
    let (_, none) = json(
        app.get("/api/v1/audit-logs?from=2999-01-01T00:00:00Z")
            .bearer_auth(&admin.access_token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(none["pagination"]["total"], 0);

    let bad =
        app.get("/api/v1/audit-logs?from=yesterday").bearer_auth(&admin.access_token).send().await.unwrap();
    let body = expect_problem(bad, 422, "validation_failed").await;
    assert!(body["errors"]["from"].is_array());
    let unknown =
        app.get("/api/v1/audit-logs?actor=me").bearer_auth(&admin.access_token).send().await.unwrap();
    expect_problem(unknown, 400, "bad_request").await;
    for role in [Role::Manager, Role::Viewer] {
        let caller = app.logged_in(role).await;
        let response = app.get("/api/v1/audit-logs").bearer_auth(&caller.access_token).send().await.unwrap();
        expect_problem(response, 403, "forbidden").await;
    }
}

/// Seals until `expected` links exist. Sealing waits for every older transaction in the
/// cluster to end (other tests run beside this one), so it is polled with a deadline.
async fn seal_until(app: &axis_testkit::TestApp, expected: i64) {
    let sealed = eventually(Duration::from_secs(10), || async {
        app.wiring.audit.seal(2).await.ok()?;
        let links = sql_count(app, "SELECT count(*) AS n FROM audit_chain").await;
        (links == expected).then_some(())
    })
    .await;
    assert!(sealed.is_some(), "{expected} links within the deadline");
}

#[tokio::test(flavor = "multi_thread")]
async fn committed_records_are_sealed_in_order() {
    let app = spawn_app_with(MANUAL_SEALING).await;
    for _ in 0..5 {
        UserBuilder::new().insert(&app).await;
    }
    seal_until(&app, 5).await;
    let report = app.wiring.audit.verify().await.unwrap();
    assert_eq!(report.first_break, None);
    assert_eq!(report.links_checked, 5);
    assert_eq!(app.wiring.audit.seal(100).await.unwrap().sealed, 0, "nothing is sealed twice");
    let in_order = sql_count(
        &app,
        "SELECT count(*) AS n FROM audit_chain c JOIN audit_chain p ON p.seq = c.seq - 1 \
         WHERE (p.txid, p.audit_id) >= (c.txid, c.audit_id)",
    )
    .await;
    assert_eq!(in_order, 0, "links follow (txid, id) order");
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_writers_are_all_sealed_exactly_once() {
    let app = spawn_app_with(MANUAL_SEALING).await;
    let writers = (0..20).map(|_| UserBuilder::new().insert(&app));
    let sealing = async {
        for _ in 0..10 {
            app.wiring.audit.seal(3).await.unwrap();
        }
    };
    let (_, ()) = tokio::join!(futures_util::future::join_all(writers), sealing);
    seal_until(&app, 20).await;
    let report = app.wiring.audit.verify().await.unwrap();
    assert_eq!(report.first_break, None);
}
