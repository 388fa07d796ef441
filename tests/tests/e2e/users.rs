//! User administration and the signed-in user's profile.

use axis_kernel::Role;
use axis_testkit::{UserBuilder, spawn_app};
use serde_json::json;

use crate::support::{expect_problem, json};

#[tokio::test(flavor = "multi_thread")]
async fn admin_creates_reads_updates_and_lists_users() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let response = app
        .post("/api/v1/users")
        .bearer_auth(&admin.access_token)
        .json(&json!({"email": " New.Person@Example.com ", "first_name": " New ", "last_name": "Person", "role": "analyst", "password": "a long enough password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(response.headers()["etag"], "\"1\"");
    let created: serde_json::Value = response.json().await.unwrap();
    assert_eq!(created["email"], "new.person@example.com");
    assert_eq!(created["first_name"], "New");
    assert_eq!(location, format!("/api/v1/users/{}", created["id"].as_str().unwrap()));

    let (status, fetched) =
        json(app.get(&location).bearer_auth(&admin.access_token).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(fetched, created);
    assert!(fetched.get("password_hash").is_none() && fetched.get("password").is_none());

    let response = app
        .patch(&location)
        .bearer_auth(&admin.access_token)
        .header("If-Match", "\"1\"")
        .json(&json!({"last_name": "Renamed", "status": "suspended"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["etag"], "\"2\"");
    let (status, updated) = json(response).await;
    assert_eq!(status, 200);
    assert_eq!(updated["last_name"], "Renamed");
    assert_eq!(updated["status"], "suspended");

    let (_, page) = json(
        app.get("/api/v1/users?status=suspended&search=renamed")
            .bearer_auth(&admin.access_token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(page["pagination"], json!({"total": 1, "pages": 1, "page": 1, "limit": 10}));
    assert_eq!(page["data"][0]["id"], created["id"]);
    let (_, admins) =
        json(app.get("/api/v1/users?role=admin").bearer_auth(&admin.access_token).send().await.unwrap())
            .await;
    assert_eq!(admins["pagination"]["total"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn stale_if_match_is_412_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let user = UserBuilder::new().insert(&app).await;
    let path = format!("/api/v1/users/{}", user.id);
    let response = app
        .patch(&path)
        .bearer_auth(&admin.access_token)
        .header("If-Match", "\"7\"")
        .json(&json!({"first_name": "Changed"}))
        .send()
        .await
        .unwrap();
    expect_problem(response, 412, "precondition_failed").await;
    let (_, after) = json(app.get(&path).bearer_auth(&admin.access_token).send().await.unwrap()).await;
    assert_eq!(after["first_name"], "Test");
    assert_eq!(after["version"], 1);
    let response = app
        .patch(&path)
        .bearer_auth(&admin.access_token)
        .header("If-Match", "7")
        .json(&json!({}))
        .send()
        .await;
    expect_problem(response.unwrap(), 400, "bad_request").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn duplicate_email_and_bad_fields_are_422_with_field_errors() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let existing = UserBuilder::new().insert(&app).await;
    let response = app
        .post("/api/v1/users")
        .bearer_auth(&admin.access_token)
        .json(&json!({"email": existing.email.to_uppercase(), "role": "viewer"}))
        .send()
        .await
        .unwrap();
    let body = expect_problem(response, 409, "conflict").await;
    assert_eq!(body["errors"]["email"][0], "is already used by another user");

    let response = app
        .post("/api/v1/users")
        .bearer_auth(&admin.access_token)
        .json(&json!({"email": "not-an-email", "role": "viewer", "password": "short"}))
        .send()
        .await
        .unwrap();
    let body = expect_problem(response, 422, "validation_failed").await;
    assert!(body["errors"]["email"].is_array() && body["errors"]["password"].is_array(), "{body}");

    // Fields that are not writable are unknown fields: refused, never silently dropped.
    for field in ["id", "authz_ver", "created_at", "password_hash"] {
        let mut payload = json!({"email": "x@example.com", "role": "viewer"});
        payload[field] = json!("1");
        let response =
            app.post("/api/v1/users").bearer_auth(&admin.access_token).json(&payload).send().await.unwrap();
        expect_problem(response, 422, "validation_failed").await;
    }
    let response = app
        .post("/api/v1/users")
        .bearer_auth(&admin.access_token)
        .json(&json!({"email": "x@example.com", "role": "superuser"}))
        .send()
        .await
        .unwrap();
    expect_problem(response, 422, "validation_failed").await;
    let count =
        crate::support::sql_count(&app, "SELECT count(*) AS n FROM users WHERE email = 'x@example.com'")
            .await;
    assert_eq!(count, 0, "refused writes change nothing");

    // An address that reads like another's: a Cyrillic `а` among Latin letters, an invisible
    // character; and one written in full-width letters is the ordinary address it reads as.
    for look_alike in ["\u{0430}dmin@example.com", "admin\u{200B}@example.com"] {
        let response = app
            .post("/api/v1/users")
            .bearer_auth(&admin.access_token)
            .json(&json!({"email": look_alike, "role": "viewer"}))
            .send()
            .await
            .unwrap();
        let body = expect_problem(response, 422, "validation_failed").await;
        assert!(body["errors"]["email"].is_array(), "{look_alike}: {body}");
    }
    let response = app
        .post("/api/v1/users")
        .bearer_auth(&admin.access_token)
        .json(&json!({"email": existing.email.to_uppercase().replace('E', "Ｅ"), "role": "viewer"}))
        .send()
        .await
        .unwrap();
    expect_problem(response, 409, "conflict").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn only_admins_manage_users_and_users_read_themselves() {
    let app = spawn_app().await;
    let target = UserBuilder::new().insert(&app).await;
    for role in [Role::Manager, Role::Analyst, Role::Viewer] {
        let caller = app.logged_in(role).await;
        let token = &caller.access_token;
        let list = app.get("/api/v1/users").bearer_auth(token).send().await.unwrap();
        expect_problem(list, 403, "forbidden").await;
        let create = app
            .post("/api/v1/users")
            .bearer_auth(token)
            .json(&json!({"email": "y@example.com", "role": "admin"}));
        expect_problem(create.send().await.unwrap(), 403, "forbidden").await;
        let path = format!("/api/v1/users/{}", target.id);
        let patch = app.patch(&path).bearer_auth(token).json(&json!({"role": "admin"}));
        expect_problem(patch.send().await.unwrap(), 403, "forbidden").await;
        expect_problem(app.delete(&path).bearer_auth(token).send().await.unwrap(), 403, "forbidden").await;
        expect_problem(app.get(&path).bearer_auth(token).send().await.unwrap(), 403, "forbidden").await;
        let own = format!("/api/v1/users/{}", caller.user.id);
        assert_eq!(app.get(&own).bearer_auth(token).send().await.unwrap().status(), 200);
    }
    let anonymous = app.get("/api/v1/users").send().await.unwrap();
    expect_problem(anonymous, 401, "unauthenticated").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_last_admin_cannot_be_demoted_and_missing_users_are_404() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let path = format!("/api/v1/users/{}", admin.user.id);
    let response =
        app.patch(&path).bearer_auth(&admin.access_token).json(&json!({"role": "manager"})).send().await;
    expect_problem(response.unwrap(), 409, "conflict").await;
    let missing = format!("/api/v1/users/{}", uuid::Uuid::now_v7());
    expect_problem(
        app.get(&missing).bearer_auth(&admin.access_token).send().await.unwrap(),
        404,
        "not_found",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn users_edit_their_own_profile() {
    let app = spawn_app().await;
    let me = app.logged_in(Role::Viewer).await;
    let response = app
        .patch("/api/v1/auth/me")
        .bearer_auth(&me.access_token)
        .json(&json!({"first_name": "Grace", "phone": "+351 912 345 678", "timezone": "Europe/Lisbon", "date_of_birth": "1990-04-01"}))
        .send()
        .await
        .unwrap();
    let (status, body) = json(response).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["first_name"], "Grace");
    assert_eq!(body["profile"]["phone"], "+351 912 345 678");
    assert_eq!(body["profile"]["date_of_birth"], "1990-04-01");

    let cleared =
        app.patch("/api/v1/auth/me").bearer_auth(&me.access_token).json(&json!({"phone": null})).send().await;
    let (_, body) = json(cleared.unwrap()).await;
    assert_eq!(body["profile"]["phone"], serde_json::Value::Null);
    assert_eq!(body["profile"]["timezone"], "Europe/Lisbon", "absent fields stay");

    let escalate = app
        .patch("/api/v1/auth/me")
        .bearer_auth(&me.access_token)
        .json(&json!({"role": "admin"}))
        .send()
        .await;
    expect_problem(escalate.unwrap(), 422, "validation_failed").await;
    let invalid = app
        .patch("/api/v1/auth/me")
        .bearer_auth(&me.access_token)
        .json(&json!({"image_url": "javascript:alert(1)"}))
        .send()
        .await;
    let body = expect_problem(invalid.unwrap(), 422, "validation_failed").await;
    assert!(body["errors"]["image_url"].is_array());

    let history = crate::support::sql_count(
        &app,
        &format!(
            "SELECT count(*) AS n FROM audit_logs WHERE action = 'profile.update' AND entity_id = '{}'",
            me.user.id
        ),
    )
    .await;
    assert_eq!(history, 2, "each effective change is audited once");
}
