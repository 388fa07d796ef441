//! Login, refresh rotation, reuse detection, logout, revocation (SES-1 … SES-6).

use std::time::Duration;

use axis_kernel::Role;
use axis_testkit::{UserBuilder, eventually, spawn_app};
use serde_json::json;

use crate::support::{expect_problem, json, me_status, sql_count};

#[tokio::test(flavor = "multi_thread")]
async fn login_returns_tokens_and_me_describes_the_user() {
    let app = spawn_app().await;
    let user = UserBuilder::new().email("Ada@Example.com").role(Role::Manager).insert(&app).await;
    let response = app
        .post("/api/v1/auth/login")
        .json(&json!({"email": "ada@example.COM", "password": user.password}))
        .send()
        .await
        .unwrap();
    let (status, body) = json(response).await;
    assert_eq!(status, 200);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["user"]["email"], "ada@example.com");
    assert_eq!(body["user"]["role"], "manager");
    let token = body["access_token"].as_str().unwrap();

    let (status, me) = json(app.get("/api/v1/auth/me").bearer_auth(token).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(me["user"]["id"], user.id.to_string());
    assert!(me["user"]["last_login_at"].is_string(), "login is stamped");
    assert_eq!(me["profile"]["language"], "en");

    // SES-1: the refresh token is stored only as its SHA-256.
    let refresh = body["refresh_token"].as_str().unwrap();
    let by_hash = format!(
        "SELECT count(*) AS n FROM refresh_tokens WHERE token_hash = sha256(convert_to('{refresh}', 'UTF8'))"
    );
    assert_eq!(sql_count(&app, &by_hash).await, 1);
    let columns = "SELECT count(*) AS n FROM information_schema.columns \
                   WHERE table_name = 'refresh_tokens' AND data_type = 'text'";
    assert_eq!(sql_count(&app, columns).await, 0, "no text column could hold a plaintext token");
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_password_and_unknown_email_get_the_same_answer() {
    let app = spawn_app().await;
    let user = UserBuilder::new().insert(&app).await;
    let wrong =
        app.post("/api/v1/auth/login").json(&json!({"email": user.email, "password": "not the password"}));
    let unknown =
        app.post("/api/v1/auth/login").json(&json!({"email": "nobody@example.com", "password": "whatever"}));
    let a = expect_problem(wrong.send().await.unwrap(), 401, "invalid_credentials").await;
    let b = expect_problem(unknown.send().await.unwrap(), 401, "invalid_credentials").await;
    assert_eq!(a["detail"], b["detail"]);
    let failures = sql_count(
        &app,
        "SELECT count(*) AS n FROM audit_logs WHERE action = 'auth.login' AND outcome = 'failure'",
    )
    .await;
    assert_eq!(failures, 2, "both failures are audited");
}

#[tokio::test(flavor = "multi_thread")]
async fn repeated_failures_are_slowed_down_per_account() {
    let app = spawn_app().await;
    let user = UserBuilder::new().insert(&app).await;
    let attempt =
        || app.post("/api/v1/auth/login").json(&json!({"email": user.email, "password": "wrong guess!"}));
    for _ in 0..5 {
        assert_eq!(attempt().send().await.unwrap().status(), 401);
    }
    let response = attempt().send().await.unwrap();
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=30).contains(&retry_after), "Retry-After {retry_after}");
    expect_problem(response, 429, "too_many_attempts").await;
    // Even the right password waits until the block ends.
    let right = app.post("/api/v1/auth/login").json(&json!({"email": user.email, "password": user.password}));
    assert_eq!(right.send().await.unwrap().status(), 429);
}

#[tokio::test(flavor = "multi_thread")]
async fn refresh_rotates_and_the_old_token_is_spent() {
    let app = spawn_app().await;
    let session = app.logged_in(Role::Viewer).await;
    let refresh = |token: &str| app.post("/api/v1/auth/refresh").json(&json!({"refresh_token": token}));
    let (status, rotated) = json(refresh(&session.refresh_token).send().await.unwrap()).await;
    assert_eq!(status, 200);
    let next = rotated["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(next, session.refresh_token);
    assert_eq!(rotated["session_id"], session.session_id.as_str());
    assert_eq!(me_status(&app, rotated["access_token"].as_str().unwrap()).await, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn ses2_replaying_a_spent_refresh_token_revokes_the_family() {
    let app = spawn_app().await;
    let session = app.logged_in(Role::Viewer).await;
    let refresh = |token: &str| app.post("/api/v1/auth/refresh").json(&json!({"refresh_token": token}));
    let (_, second) = json(refresh(&session.refresh_token).send().await.unwrap()).await;
    let r2 = second["refresh_token"].as_str().unwrap().to_owned();
    let a2 = second["access_token"].as_str().unwrap().to_owned();

    expect_problem(refresh(&session.refresh_token).send().await.unwrap(), 401, "invalid_refresh_token").await;
    expect_problem(refresh(&r2).send().await.unwrap(), 401, "invalid_refresh_token").await;
    let refused =
        eventually(Duration::from_secs(1), || async { (me_status(&app, &a2).await == 401).then_some(()) })
            .await;
    assert!(refused.is_some(), "the family's access token must stop working within 1 s");
    let events =
        sql_count(&app, "SELECT count(*) AS n FROM audit_logs WHERE action = 'auth.refresh_token_reuse'")
            .await;
    assert_eq!(events, 1, "exactly one reuse event");
}

#[tokio::test(flavor = "multi_thread")]
async fn ses3_fifty_parallel_refreshes_give_exactly_one_success() {
    let app = spawn_app().await;
    let session = app.logged_in(Role::Viewer).await;
    let requests = (0..50).map(|_| {
        app.post("/api/v1/auth/refresh").json(&json!({"refresh_token": session.refresh_token})).send()
    });
    let responses = futures_util::future::join_all(requests).await;
    let statuses: Vec<u16> = responses.into_iter().map(|r| r.unwrap().status().as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "statuses: {statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 49);
    let live_successors = sql_count(
        &app,
        &format!(
            "SELECT count(*) AS n FROM refresh_tokens WHERE session_id = '{}' AND used_at IS NULL",
            session.session_id
        ),
    )
    .await;
    assert!(live_successors <= 1, "never two live successors, found {live_successors}");
}

#[tokio::test(flavor = "multi_thread")]
async fn logout_ends_the_session() {
    let app = spawn_app().await;
    let session = app.logged_in(Role::Analyst).await;
    let response = app.post("/api/v1/auth/logout").bearer_auth(&session.access_token).send().await.unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(me_status(&app, &session.access_token).await, 401, "refused at once on this instance");
    let refresh = app.post("/api/v1/auth/refresh").json(&json!({"refresh_token": session.refresh_token}));
    assert_eq!(refresh.send().await.unwrap().status(), 401);
}

#[tokio::test(flavor = "multi_thread")]
async fn ses5_role_change_and_disabling_invalidate_old_tokens() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let demoted = app.logged_in(Role::Admin).await;
    assert_eq!(
        app.get("/api/v1/users").bearer_auth(&demoted.access_token).send().await.unwrap().status(),
        200
    );

    let path = format!("/api/v1/users/{}", demoted.user.id);
    let response =
        app.patch(&path).bearer_auth(&admin.access_token).json(&json!({"role": "viewer"})).send().await;
    assert_eq!(response.unwrap().status(), 200);
    let refused = eventually(Duration::from_secs(5), || async {
        let status = app.get("/api/v1/users").bearer_auth(&demoted.access_token).send().await.ok()?.status();
        (status == 401).then_some(())
    })
    .await;
    assert!(refused.is_some(), "the pre-demotion token must stop working within 5 s");

    // Logging in again gives a viewer token: authenticated, but no longer allowed.
    let again = demoted.user.login(&app).await;
    let response = app.get("/api/v1/users").bearer_auth(&again.access_token).send().await.unwrap();
    expect_problem(response, 403, "forbidden").await;

    let response = app.delete(&path).bearer_auth(&admin.access_token).send().await.unwrap();
    assert_eq!(response.status(), 204);
    let refused = eventually(Duration::from_secs(5), || async {
        (me_status(&app, &again.access_token).await == 401).then_some(())
    })
    .await;
    assert!(refused.is_some(), "a disabled user's token must stop working");
    let login = app
        .post("/api/v1/auth/login")
        .json(&json!({"email": demoted.user.email, "password": demoted.user.password}));
    expect_problem(login.send().await.unwrap(), 401, "invalid_credentials").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ses6_admins_list_and_end_sessions_users_see_their_own() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let viewer = app.logged_in(Role::Viewer).await;
    let second = viewer.user.login(&app).await;

    let path = format!("/api/v1/users/{}/sessions", viewer.user.id);
    let (status, own) = json(app.get(&path).bearer_auth(&viewer.access_token).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(own["pagination"]["total"], 2);
    assert_eq!(own["data"][0]["active"], true);

    let other = format!("/api/v1/users/{}/sessions", admin.user.id);
    let response = app.get(&other).bearer_auth(&viewer.access_token).send().await.unwrap();
    expect_problem(response, 403, "forbidden").await;

    let end = format!("/api/v1/users/{}/sessions/{}", viewer.user.id, second.session_id);
    assert_eq!(app.delete(&end).bearer_auth(&admin.access_token).send().await.unwrap().status(), 204);
    let refused = eventually(Duration::from_secs(5), || async {
        (me_status(&app, &second.access_token).await == 401).then_some(())
    })
    .await;
    assert!(refused.is_some(), "the ended session's token must stop working");
    assert_eq!(me_status(&app, &viewer.access_token).await, 200, "the other session lives on");

    let missing = format!("/api/v1/users/{}/sessions/{}", viewer.user.id, uuid::Uuid::now_v7());
    let response = app.delete(&missing).bearer_auth(&admin.access_token).send().await.unwrap();
    expect_problem(response, 404, "not_found").await;
}
