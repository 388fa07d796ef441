//! Clients end to end: every route, filters, ordering, pagination, scope, soft delete,
//! concurrency control and idempotent creation, on real PostgreSQL.

use std::collections::BTreeMap;

use axis_kernel::{ClientAction, Role};
use axis_testkit::matrix::{self, People, Route};
use axis_testkit::{ClientBuilder, TestApp, spawn_app};
use serde_json::{Value, json};

use crate::support::{expect_problem, json, sql_count};

const SUBSCRIPTION: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

/// Creates a client as `token` and returns its body.
async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let response = app.post("/api/v1/clients").bearer_auth(token).json(&body).send().await.unwrap();
    let (status, body) = json(response).await;
    assert_eq!(status, 201, "{body}");
    body
}

fn id(body: &Value) -> String {
    body["id"].as_str().unwrap().to_owned()
}

async fn list(app: &TestApp, token: &str, query: &str) -> Value {
    let (status, body) =
        json(app.get(&format!("/api/v1/clients?{query}")).bearer_auth(token).send().await.unwrap()).await;
    assert_eq!(status, 200, "{query}: {body}");
    body
}

fn names(page: &Value) -> Vec<String> {
    page["data"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn create_read_replace_patch_and_audit() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;
    let banking = "01900000-0000-7000-8001-00000000000b";
    let response = app
        .post("/api/v1/clients")
        .bearer_auth(token)
        .json(&json!({
            "name": "  Acme Uganda Ltd ", "email": "Info@Acme.example", "phone": "+256 772 123456",
            "website": "https://acme.example", "industry_id": banking, "status": "active",
            "metadata": {"source": "referral"}, "timezone": "Africa/Kampala"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(response.headers()["etag"], "\"1\"");
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["name"], "Acme Uganda Ltd");
    assert_eq!(created["email"], "info@acme.example");
    assert_eq!(created["industry"], json!({"id": banking, "name": "Banking", "code": "FIN-BNK"}));
    assert_eq!(created["status"], "active");
    assert_eq!(created["created_by"], admin.user.id.to_string());
    assert_eq!(location, format!("/api/v1/clients/{}", id(&created)));

    let (_, fetched) = json(app.get(&location).bearer_auth(token).send().await.unwrap()).await;
    assert_eq!(fetched, created);

    let response = app
        .patch(&location)
        .bearer_auth(token)
        .header("If-Match", "\"1\"")
        .json(&json!({"phone": null, "notes": "Key account", "contact_person": "Grace"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["etag"], "\"2\"");
    let (_, patched) = json(response).await;
    assert_eq!(patched["phone"], Value::Null);
    assert_eq!(patched["notes"], "Key account");
    assert_eq!(patched["website"], "https://acme.example", "absent fields stay");

    let response = app
        .client
        .put(app.url(&location))
        .bearer_auth(token)
        .json(&json!({"name": "Acme (U) Ltd", "email": "info@acme.example", "version": 2}))
        .send()
        .await
        .unwrap();
    let (status, replaced) = json(response).await;
    assert_eq!(status, 200, "{replaced}");
    assert_eq!(replaced["website"], Value::Null, "PUT replaces every field");
    assert_eq!(replaced["status"], "active", "PUT without status keeps it");
    assert_eq!(replaced["version"], 3);

    let history = format!("/api/v1/audit-logs/entities/client/{}", id(&created));
    let (_, audit) = json(app.get(&history).bearer_auth(token).send().await.unwrap()).await;
    let actions: Vec<&str> =
        audit["data"].as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["client.update", "client.update", "client.create"]);
    let patch_changes = &audit["data"][1]["changes"];
    let fields: Vec<&str> =
        patch_changes.as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["contact_person", "notes", "phone"]);
    assert_eq!(patch_changes[2], json!({"field": "phone", "old": "+256 772 123456", "new": null}));
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_refused_with_field_errors_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;
    let existing = create(&app, token, json!({"name": "First", "email": "shared@example.com"})).await;

    let duplicate = app
        .post("/api/v1/clients")
        .bearer_auth(token)
        .json(&json!({"name": "Second", "email": "SHARED@example.com"}));
    let body = expect_problem(duplicate.send().await.unwrap(), 409, "conflict").await;
    assert_eq!(body["errors"]["email"], json!(["is already used by another client"]));

    let silent =
        app.post("/api/v1/clients").bearer_auth(token).json(&json!({"name": "Silent", "status": "active"}));
    let body = expect_problem(silent.send().await.unwrap(), 422, "validation_failed").await;
    assert!(body["errors"]["status"].is_array());

    let bad = app.post("/api/v1/clients").bearer_auth(token).json(&json!({
        "name": " ", "email": "nope", "website": "ftp://x", "industry_id": uuid::Uuid::now_v7(),
        "account_manager_id": uuid::Uuid::now_v7(), "last_contact_date": "2999-01-01"
    }));
    let body = expect_problem(bad.send().await.unwrap(), 422, "validation_failed").await;
    for field in ["name", "email", "website", "last_contact_date"] {
        assert!(body["errors"][field].is_array(), "{field}: {body}");
    }
    let unknown_refs = app.post("/api/v1/clients").bearer_auth(token).json(&json!({
        "name": "Refs", "industry_id": uuid::Uuid::now_v7()
    }));
    let body = expect_problem(unknown_refs.send().await.unwrap(), 422, "validation_failed").await;
    assert_eq!(body["errors"]["industry_id"], json!(["is not an industry"]));
    let no_manager = app.post("/api/v1/clients").bearer_auth(token).json(&json!({
        "name": "Managed", "account_manager_id": uuid::Uuid::now_v7()
    }));
    let body = expect_problem(no_manager.send().await.unwrap(), 422, "validation_failed").await;
    assert_eq!(body["errors"]["account_manager_id"], json!(["must be an active admin, manager or analyst"]));
    for forbidden in ["id", "created_by", "deleted_at", "is_verified", "version_x"] {
        let mut payload = json!({"name": "Sneaky"});
        payload[forbidden] = json!("x");
        let response = app.post("/api/v1/clients").bearer_auth(token).json(&payload).send().await.unwrap();
        expect_problem(response, 422, "validation_failed").await;
    }
    assert_eq!(sql_count(&app, "SELECT count(*) AS n FROM clients").await, 1, "nothing else was written");

    // A client cannot become its own ancestor.
    let child = create(&app, token, json!({"name": "Child", "parent_client_id": id(&existing)})).await;
    let cycle = app
        .patch(&format!("/api/v1/clients/{}", id(&existing)))
        .bearer_auth(token)
        .json(&json!({"parent_client_id": id(&child)}));
    let body = expect_problem(cycle.send().await.unwrap(), 422, "validation_failed").await;
    assert_eq!(body["errors"]["parent_client_id"], json!(["cannot be a client below this one"]));
    let own = app
        .patch(&format!("/api/v1/clients/{}", id(&existing)))
        .bearer_auth(token)
        .json(&json!({"parent_client_id": id(&existing)}));
    expect_problem(own.send().await.unwrap(), 422, "validation_failed").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn stale_if_match_is_412() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;
    let client = create(&app, token, json!({"name": "Versioned"})).await;
    let path = format!("/api/v1/clients/{}", id(&client));
    let stale =
        app.patch(&path).bearer_auth(token).header("If-Match", "\"7\"").json(&json!({"name": "Changed"}));
    expect_problem(stale.send().await.unwrap(), 412, "precondition_failed").await;
    let stale_body = app.patch(&path).bearer_auth(token).json(&json!({"name": "Changed", "version": 9}));
    expect_problem(stale_body.send().await.unwrap(), 412, "precondition_failed").await;
    let (_, after) = json(app.get(&path).bearer_auth(token).send().await.unwrap()).await;
    assert_eq!((after["name"].as_str(), after["version"].as_i64()), (Some("Versioned"), Some(1)));
}

#[tokio::test(flavor = "multi_thread")]
async fn idempotent_create_replays_and_refuses_a_different_body() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;
    let send = |body: Value| {
        app.post("/api/v1/clients")
            .bearer_auth(token)
            .header("Idempotency-Key", "create-acme-1")
            .json(&body)
            .send()
    };
    let first = send(json!({"name": "Acme", "email": "a@acme.example"})).await.unwrap();
    assert_eq!(first.status(), 201);
    let location = first.headers()["location"].clone();
    let first: Value = first.json().await.unwrap();
    let replay = send(json!({"email": "a@acme.example", "name": "Acme"})).await.unwrap();
    assert_eq!(replay.status(), 201);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    assert_eq!(replay.headers()["location"], location);
    assert_eq!(replay.headers()["etag"], "\"1\"");
    let replay: Value = replay.json().await.unwrap();
    assert_eq!(replay, first, "the first response, byte for byte");
    assert_eq!(sql_count(&app, "SELECT count(*) AS n FROM clients").await, 1);

    let other = send(json!({"name": "Other"})).await.unwrap();
    expect_problem(other, 422, "validation_failed").await;
    let bad_key = app
        .post("/api/v1/clients")
        .bearer_auth(token)
        .header("Idempotency-Key", "")
        .json(&json!({"name": "X"}));
    expect_problem(bad_key.send().await.unwrap(), 400, "bad_request").await;

    // A failed create releases its key: the corrected retry succeeds.
    let retry = |body: Value| {
        app.post("/api/v1/clients")
            .bearer_auth(token)
            .header("Idempotency-Key", "create-2")
            .json(&body)
            .send()
    };
    assert_eq!(retry(json!({"name": "Y", "status": "active"})).await.unwrap().status(), 422);
    assert_eq!(retry(json!({"name": "Y", "status": "active"})).await.unwrap().status(), 422, "not replayed");
    let creates =
        sql_count(&app, "SELECT count(*) AS n FROM audit_logs WHERE action = 'client.create'").await;
    assert_eq!(creates, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn filters_search_and_ordering() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;
    let manager = app.logged_in(Role::Manager).await;
    let (_, tag) = json(
        app.post("/api/v1/tags")
            .bearer_auth(token)
            .json(&json!({"name": "Key Account"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let finance = "01900000-0000-7000-8000-000000000005";
    let banking = "01900000-0000-7000-8001-00000000000b";
    let health = "01900000-0000-7000-8000-000000000007";
    let bravo = create(&app, token, json!({"name": "Bravo Bank", "email": "hello@bravo.example", "industry_id": banking, "status": "active", "tag_ids": [tag["id"]]})).await;
    let alpha = create(
        &app,
        token,
        json!({"name": "alpha finance", "industry_id": finance, "account_manager_id": manager.user.id}),
    )
    .await;
    let charlie = create(&app, token, json!({"name": "Charlie Clinic", "contact_person": "Dr Zawadi", "contact_phone": "+256 700 000001", "industry_id": health, "status": "active"})).await;
    app.post(&format!("/api/v1/clients/{}/verify", id(&charlie))).bearer_auth(token).send().await.unwrap();

    assert_eq!(
        names(&list(&app, token, "").await),
        ["Charlie Clinic", "alpha finance", "Bravo Bank"],
        "newest first"
    );
    assert_eq!(
        names(&list(&app, token, "ordering=name").await),
        ["alpha finance", "Bravo Bank", "Charlie Clinic"]
    );
    assert_eq!(
        names(&list(&app, token, "ordering=-name").await),
        ["Charlie Clinic", "Bravo Bank", "alpha finance"]
    );
    assert_eq!(
        names(&list(&app, token, "ordering=created_at").await),
        ["Bravo Bank", "alpha finance", "Charlie Clinic"]
    );
    assert_eq!(names(&list(&app, token, "ordering=-updated_at").await)[0], "Charlie Clinic", "verified last");
    assert_eq!(
        names(&list(&app, token, "ordering=status").await),
        ["Bravo Bank", "Charlie Clinic", "alpha finance"]
    );
    assert_eq!(names(&list(&app, token, "ordering=-status").await)[0], "alpha finance");

    assert_eq!(names(&list(&app, token, "search=BRAVO").await), ["Bravo Bank"]);
    assert_eq!(names(&list(&app, token, "search=zawadi").await), ["Charlie Clinic"], "contact person");
    assert_eq!(
        names(&list(&app, token, "search=700%20000001").await),
        Vec::<String>::new(),
        "contact phone is not searched"
    );
    assert_eq!(names(&list(&app, token, "search=100%25").await), Vec::<String>::new(), "% is literal");
    assert_eq!(names(&list(&app, token, "status=pending").await), ["alpha finance"]);
    assert_eq!(names(&list(&app, token, "is_verified=true").await), ["Charlie Clinic"]);
    assert_eq!(names(&list(&app, token, &format!("industry={finance}")).await), ["alpha finance"]);
    assert_eq!(
        names(
            &list(&app, token, &format!("industry={finance}&include_subindustries=true&ordering=name")).await
        ),
        ["alpha finance", "Bravo Bank"]
    );
    assert_eq!(
        names(&list(&app, token, &format!("account_manager={}", manager.user.id)).await),
        ["alpha finance"]
    );
    assert_eq!(names(&list(&app, token, "tag=key-account").await), ["Bravo Bank"]);
    let today = time::OffsetDateTime::now_utc().date();
    assert_eq!(
        list(&app, token, &format!("created_after={today}&created_before={today}")).await["pagination"]["total"],
        3
    );
    assert_eq!(
        list(&app, token, &format!("created_after={}", today.next_day().unwrap())).await["pagination"]["total"],
        0
    );

    let page = list(&app, token, "ordering=name").await;
    let first = &page["data"][0];
    assert_eq!(first["industry_name"], "Financial Services");
    assert_eq!(first["active_contracts_count"], 0);
    assert_eq!(first["id"], alpha["id"]);
    assert!(first.get("notes").is_none(), "list items are summaries");
    let _ = bravo;

    for (query, field) in [
        ("ordering=password", "ordering"),
        ("created_after=yesterday", "created_after"),
        ("limit=101", "limit"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("status=gone", "status"),
        ("search=a%00b", "search"),
    ] {
        let response = app.get(&format!("/api/v1/clients?{query}")).bearer_auth(token).send().await.unwrap();
        let body = expect_problem(response, 422, "validation_failed").await;
        assert!(body["errors"][field].is_array(), "{query}: {body}");
    }
    // Not of the declared type or syntax: 400, naming the parameter.
    for (query, parameter) in [
        ("is_verified=maybe", "is_verified"),
        ("industry=x", "industry"),
        ("colour=red", "colour"),
        ("page=two", "page"),
        ("search=%zz", "search"),
    ] {
        let response = app.get(&format!("/api/v1/clients?{query}")).bearer_auth(token).send().await.unwrap();
        let body = expect_problem(response, 400, "bad_request").await;
        assert!(body["errors"][parameter].is_array(), "{query}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn pagination_edges_are_exact() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;
    for n in 0..23 {
        create(&app, token, json!({"name": format!("Client {n:02}")})).await;
    }
    let last = list(&app, token, "page=3&limit=10&ordering=name").await;
    assert_eq!(last["pagination"], json!({"total": 23, "pages": 3, "page": 3, "limit": 10}));
    assert_eq!(names(&last), ["Client 20", "Client 21", "Client 22"]);
    let beyond = list(&app, token, "page=4&limit=10").await;
    assert_eq!(beyond["data"], json!([]));
    assert_eq!(beyond["pagination"]["total"], 23);
    let all = list(&app, token, "limit=100").await;
    assert_eq!(all["data"].as_array().unwrap().len(), 23);
    assert_eq!(all["pagination"]["pages"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn soft_deleted_clients_are_invisible_until_restored() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let manager = app.logged_in(Role::Manager).await;
    let client =
        create(&app, &admin.access_token, json!({"name": "Ghost Ltd", "email": "boo@ghost.example"})).await;
    let path = format!("/api/v1/clients/{}", id(&client));
    assert_eq!(app.delete(&path).bearer_auth(&manager.access_token).send().await.unwrap().status(), 204);

    for token in [&manager.access_token, &admin.access_token] {
        for route in
            [path.clone(), format!("{path}/stats"), format!("{path}/contacts"), format!("{path}/activities")]
        {
            let response = app.get(&route).bearer_auth(token).send().await.unwrap();
            expect_problem(response, 404, "not_found").await;
        }
        assert_eq!(list(&app, token, "search=ghost").await["pagination"]["total"], 0);
        assert_eq!(list(&app, token, "").await["pagination"]["total"], 0);
    }
    let response =
        app.patch(&path).bearer_auth(&admin.access_token).json(&json!({"name": "x"})).send().await.unwrap();
    expect_problem(response, 404, "not_found").await;
    // The e-mail of a deleted client is free again.
    create(&app, &admin.access_token, json!({"name": "New Ghost", "email": "boo@ghost.example"})).await;

    let response = app
        .get("/api/v1/clients?include_deleted=true")
        .bearer_auth(&manager.access_token)
        .send()
        .await
        .unwrap();
    expect_problem(response, 403, "forbidden").await;
    let with_deleted = list(&app, &admin.access_token, "include_deleted=true&search=ghost").await;
    assert_eq!(with_deleted["pagination"]["total"], 2);
    let (status, deleted) = json(
        app.get(&format!("{path}?include_deleted=true"))
            .bearer_auth(&admin.access_token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert!(deleted["deleted_at"].is_string());

    let restore =
        app.post(&format!("{path}/restore")).bearer_auth(&manager.access_token).send().await.unwrap();
    expect_problem(restore, 403, "forbidden").await;
    let restore = app.post(&format!("{path}/restore")).bearer_auth(&admin.access_token).send().await.unwrap();
    let (status, restored) = json(restore).await;
    assert_eq!(status, 409, "the e-mail is taken by the new client now: {restored}");
    app.patch(&format!(
        "/api/v1/clients/{}",
        id(&list(&app, &admin.access_token, "search=new%20ghost").await["data"][0])
    ))
    .bearer_auth(&admin.access_token)
    .json(&json!({"email": null}))
    .send()
    .await
    .unwrap();
    let (status, restored) =
        json(app.post(&format!("{path}/restore")).bearer_auth(&admin.access_token).send().await.unwrap())
            .await;
    assert_eq!(status, 200, "{restored}");
    assert_eq!(restored["deleted_at"], Value::Null);
    assert_eq!(app.get(&path).bearer_auth(&manager.access_token).send().await.unwrap().status(), 200);
    let actions = sql_count(&app, &format!("SELECT count(*) AS n FROM audit_logs WHERE entity_id = '{}' AND action IN ('client.delete', 'client.restore')", id(&client))).await;
    assert_eq!(actions, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn status_actions_subscriptions_and_stats() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;
    let client =
        create(&app, token, json!({"name": "Lifecycle Ltd", "contact_email": "ops@life.example"})).await;
    let path = format!("/api/v1/clients/{}", id(&client));
    let post = |suffix: &str, body: Option<Value>| {
        let request = app.post(&format!("{path}{suffix}")).bearer_auth(token);
        match body {
            Some(body) => request.json(&body),
            None => request,
        }
        .send()
    };
    let (_, active) = json(post("/activate", None).await.unwrap()).await;
    assert_eq!(active["status"], "active");
    expect_problem(post("/activate", None).await.unwrap(), 409, "conflict").await;
    expect_problem(
        post("/deactivate", Some(json!({"reason": "  "}))).await.unwrap(),
        422,
        "validation_failed",
    )
    .await;
    expect_problem(post("/deactivate", Some(json!({}))).await.unwrap(), 422, "validation_failed").await;
    let (_, inactive) =
        json(post("/deactivate", Some(json!({"reason": "Contract ended"}))).await.unwrap()).await;
    assert_eq!(
        (inactive["status"].as_str(), inactive["status_reason"].as_str()),
        (Some("inactive"), Some("Contract ended"))
    );
    let (_, archived) = json(post("/archive", Some(json!({"reason": "Merged"}))).await.unwrap()).await;
    assert_eq!(archived["status"], "archived");
    expect_problem(post("/deactivate", Some(json!({"reason": "x"}))).await.unwrap(), 409, "conflict").await;
    let (_, verified) = json(post("/verify", None).await.unwrap()).await;
    assert_eq!(verified["is_verified"], true);
    assert_eq!(verified["verified_by"], admin.user.id.to_string());
    expect_problem(post("/verify", None).await.unwrap(), 409, "conflict").await;

    let (status, linked) = json(
        post("/subscriptions", Some(json!({"subscription_id": SUBSCRIPTION.to_uppercase()}))).await.unwrap(),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(linked["azure_subscription_ids"], json!([SUBSCRIPTION]));
    let body = expect_problem(
        post("/subscriptions", Some(json!({"subscription_id": SUBSCRIPTION}))).await.unwrap(),
        409,
        "conflict",
    )
    .await;
    assert_eq!(body["errors"]["subscription_id"], json!(["is already linked to this client"]));
    expect_problem(
        post("/subscriptions", Some(json!({"subscription_id": "not-a-guid"}))).await.unwrap(),
        422,
        "validation_failed",
    )
    .await;

    let (_, stats) = json(app.get(&format!("{path}/stats")).bearer_auth(token).send().await.unwrap()).await;
    assert_eq!(
        stats,
        json!({"contracts_total": 0, "contracts_active": 0, "staff": 0, "beneficiaries": 0, "subscriptions": 1, "reports": 0, "contacts": 0, "activities": 0})
    );

    let remove =
        app.delete(&format!("{path}/subscriptions/{SUBSCRIPTION}")).bearer_auth(token).send().await.unwrap();
    assert_eq!(remove.status(), 204);
    let again =
        app.delete(&format!("{path}/subscriptions/{SUBSCRIPTION}")).bearer_auth(token).send().await.unwrap();
    expect_problem(again, 404, "not_found").await;
    let junk = app.delete(&format!("{path}/subscriptions/junk")).bearer_auth(token).send().await.unwrap();
    expect_problem(junk, 404, "not_found").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn contacts_keep_one_primary_and_activities_move_last_contact() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;
    let client = create(&app, token, json!({"name": "Contacts Ltd"})).await;
    let other = create(&app, token, json!({"name": "Other Ltd"})).await;
    let base = format!("/api/v1/clients/{}", id(&client));
    let add = |body: Value| app.post(&format!("{base}/contacts")).bearer_auth(token).json(&body).send();
    let (status, first) = json(
        add(json!({"first_name": "Ada", "email": "ada@c.example", "is_primary": true, "role": "billing"}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{first}");
    // Issue 24: a second primary is refused naming the current one (it used to take the flag
    // and demote Ada silently: 201).
    let refused = expect_problem(
        add(json!({"first_name": "Bo", "last_name": "Li", "email": "bo@c.example", "is_primary": true, "role": "hr"}))
            .await
            .unwrap(),
        409,
        "conflict",
    )
    .await;
    assert!(refused["detail"].as_str().unwrap().contains(first["id"].as_str().unwrap()), "{refused}");
    assert_eq!(refused["errors"]["is_primary"], json!([format!("held by contact {}", id(&first))]));
    let (status, second) = json(
        add(json!({"first_name": "Bo", "last_name": "Li", "email": "bo@c.example", "role": "hr"}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, second["role"].as_str()), (201, Some("hr")), "{second}");
    let promote = app
        .put(&format!("{base}/contacts/{}", id(&second)))
        .bearer_auth(token)
        .json(&json!({"first_name": "Bo", "last_name": "Li", "email": "bo@c.example", "role": "hr", "is_primary": true}))
        .send()
        .await
        .unwrap();
    expect_problem(promote, 409, "conflict").await;
    // The move is explicit, and on record naming who gave up the flag.
    let moved = app
        .post(&format!("{base}/contacts/{}/set-primary", id(&second)))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 200);
    let (_, trail) = json(
        app.get(&format!("/api/v1/audit-logs?action=client.contact.set_primary&entity_id={}", id(&second)))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(trail["data"][0]["details"]["previous_primary"], first["id"], "{trail}");
    let body = expect_problem(
        add(json!({"first_name": "Dup", "email": "ADA@c.example"})).await.unwrap(),
        409,
        "conflict",
    )
    .await;
    assert_eq!(body["errors"]["email"], json!(["is already used by another contact of this client"]));

    let (_, page) = json(app.get(&format!("{base}/contacts")).bearer_auth(token).send().await.unwrap()).await;
    let primaries: Vec<&Value> =
        page["data"].as_array().unwrap().iter().filter(|c| c["is_primary"] == true).collect();
    assert_eq!(primaries.len(), 1);
    assert_eq!(primaries[0]["id"], second["id"]);

    let set = app
        .post(&format!("{base}/contacts/{}/set-primary", id(&first)))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    let (_, detail) = json(app.get(&base).bearer_auth(token).send().await.unwrap()).await;
    assert_eq!(detail["contacts"][0]["id"], first["id"], "primary first");
    assert_eq!(detail["contacts"][1]["is_primary"], false);

    let foreign = format!("/api/v1/clients/{}/contacts/{}", id(&other), id(&first));
    expect_problem(app.get(&foreign).bearer_auth(token).send().await.unwrap(), 404, "not_found").await;

    let log = |body: Value| app.post(&format!("{base}/activities")).bearer_auth(token).json(&body).send();
    let (status, call) = json(log(json!({"activity_type": "call", "title": "Quarterly review", "activity_date": "2026-11-20T09:30:00Z", "contact_id": first["id"]})).await.unwrap()).await;
    assert_eq!(status, 201, "{call}");
    assert_eq!(call["author_id"], admin.user.id.to_string());
    let (_, note) =
        json(log(json!({"activity_type": "note", "title": "Internal note"})).await.unwrap()).await;
    let other_contact = {
        let (_, c) = json(
            app.post(&format!("/api/v1/clients/{}/contacts", id(&other)))
                .bearer_auth(token)
                .json(&json!({"first_name": "X", "email": "x@o.example"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        c
    };
    let body = expect_problem(
        log(json!({"activity_type": "call", "title": "t", "contact_id": other_contact["id"]})).await.unwrap(),
        422,
        "validation_failed",
    )
    .await;
    assert!(body["errors"]["contact_id"].is_array());
    let (_, detail) = json(app.get(&base).bearer_auth(token).send().await.unwrap()).await;
    assert_eq!(detail["last_contact_date"], "2026-11-20", "a call is contact; a note is not");

    let (_, calls) = json(
        app.get(&format!("{base}/activities?activity_type=call")).bearer_auth(token).send().await.unwrap(),
    )
    .await;
    assert_eq!(calls["pagination"]["total"], 1);
    let (_, timeline) =
        json(app.get(&format!("{base}/activities")).bearer_auth(token).send().await.unwrap()).await;
    assert_eq!(timeline["data"][0]["id"], note["id"], "newest first");

    let activity = format!("{base}/activities/{}", id(&call));
    let replaced = app
        .client
        .put(app.url(&activity))
        .bearer_auth(token)
        .header("If-Match", "\"1\"")
        .json(&json!({"activity_type": "meeting", "title": "Review (moved)"}))
        .send()
        .await
        .unwrap();
    let (status, replaced) = json(replaced).await;
    assert_eq!(status, 200, "{replaced}");
    assert_eq!(replaced["activity_type"], "meeting");
    assert_eq!(app.delete(&activity).bearer_auth(token).send().await.unwrap().status(), 204);
    expect_problem(app.get(&activity).bearer_auth(token).send().await.unwrap(), 404, "not_found").await;
    let contact = format!("{base}/contacts/{}", id(&second));
    let replaced = app
        .client
        .put(app.url(&contact))
        .bearer_auth(token)
        .json(&json!({"first_name": "Bo", "email": "bo@c.example", "title": "CFO"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json(replaced).await.1["title"], "CFO");
    assert_eq!(app.delete(&contact).bearer_auth(token).send().await.unwrap().status(), 204);
    let (_, stats) = json(app.get(&format!("{base}/stats")).bearer_auth(token).send().await.unwrap()).await;
    assert_eq!((stats["contacts"].as_i64(), stats["activities"].as_i64()), (Some(1), Some(1)));
}

#[tokio::test(flavor = "multi_thread")]
async fn industries_form_a_tree_that_cannot_loop() {
    let app = spawn_app().await;
    let manager = app.logged_in(Role::Manager).await;
    let viewer = app.logged_in(Role::Viewer).await;
    let token = &manager.access_token;
    let (_, tree) =
        json(app.get("/api/v1/industries/tree").bearer_auth(&viewer.access_token).send().await.unwrap())
            .await;
    let roots = tree.as_array().unwrap();
    assert_eq!(roots.len(), 14);
    assert_eq!(roots[0]["name"], "Agriculture");
    assert_eq!(roots[0]["children"].as_array().unwrap().len(), 3);
    let (_, roots_page) =
        json(app.get("/api/v1/industries?level=0&limit=100").bearer_auth(token).send().await.unwrap()).await;
    assert_eq!(roots_page["pagination"]["total"], 14);
    let (_, found) =
        json(app.get("/api/v1/industries?search=bank").bearer_auth(token).send().await.unwrap()).await;
    assert_eq!(found["data"][0]["code"], "FIN-BNK");

    let create = |body: Value| app.post("/api/v1/industries").bearer_auth(token).json(&body).send();
    let (status, top) = json(create(json!({"name": "Mining", "code": "min"})).await.unwrap()).await;
    assert_eq!((status, top["code"].as_str(), top["level"].as_i64()), (201, Some("MIN"), Some(0)));
    let (_, mid) = json(
        create(json!({"name": "Gold Mining", "code": "MIN-GLD", "parent_id": top["id"]})).await.unwrap(),
    )
    .await;
    let (_, low) =
        json(create(json!({"name": "Artisanal Gold", "parent_id": mid["id"]})).await.unwrap()).await;
    assert_eq!(low["level"], 2);
    let body =
        expect_problem(create(json!({"name": "Again", "code": "MIN"})).await.unwrap(), 409, "conflict").await;
    assert_eq!(body["errors"]["code"], json!(["is already used by another industry"]));
    let denied = app
        .post("/api/v1/industries")
        .bearer_auth(&viewer.access_token)
        .json(&json!({"name": "Nope"}))
        .send()
        .await
        .unwrap();
    expect_problem(denied, 403, "forbidden").await;

    let (_, children) = json(
        app.get(&format!("/api/v1/industries/{}/children", id(&top)))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(children.as_array().unwrap().len(), 1);
    let (_, below) = json(
        app.get(&format!("/api/v1/industries/{}/descendants", id(&top)))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        below.as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect::<Vec<_>>(),
        ["Gold Mining", "Artisanal Gold"]
    );

    let top_path = format!("/api/v1/industries/{}", id(&top));
    let looped = app
        .client
        .put(app.url(&top_path))
        .bearer_auth(token)
        .json(&json!({"name": "Mining", "code": "MIN", "parent_id": low["id"]}))
        .send()
        .await
        .unwrap();
    expect_problem(looped, 422, "validation_failed").await;
    // Moving the middle industry to the top re-levels what hangs below it.
    let mid_path = format!("/api/v1/industries/{}", id(&mid));
    let moved = app
        .client
        .put(app.url(&mid_path))
        .bearer_auth(token)
        .json(&json!({"name": "Gold Mining", "code": "MIN-GLD"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json(moved).await.1["level"], 0);
    let (_, low_now) =
        json(app.get(&format!("/api/v1/industries/{}", id(&low))).bearer_auth(token).send().await.unwrap())
            .await;
    assert_eq!(low_now["level"], 1);

    let in_use = app.delete(&mid_path).bearer_auth(token).send().await.unwrap();
    expect_problem(in_use, 409, "conflict").await;
    assert_eq!(app.delete(&top_path).bearer_auth(token).send().await.unwrap().status(), 204);
    expect_problem(app.get(&top_path).bearer_auth(token).send().await.unwrap(), 404, "not_found").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn tags_label_clients() {
    let app = spawn_app().await;
    let manager = app.logged_in(Role::Manager).await;
    let token = &manager.access_token;
    let (status, tag) = json(
        app.post("/api/v1/tags")
            .bearer_auth(token)
            .json(&json!({"name": "Strategic / VIP", "color": "#ff8800"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!((tag["slug"].as_str(), tag["color"].as_str()), (Some("strategic-vip"), Some("#FF8800")));
    let dup = app
        .post("/api/v1/tags")
        .bearer_auth(token)
        .json(&json!({"name": "strategic / vip"}))
        .send()
        .await
        .unwrap();
    let body = expect_problem(dup, 409, "conflict").await;
    assert!(body["errors"]["name"].is_array());
    let client = create(&app, token, json!({"name": "Tagged", "tag_ids": [tag["id"]]})).await;
    assert_eq!(client["tags"][0]["slug"], "strategic-vip");
    let (_, page) = json(app.get("/api/v1/tags?search=vip").bearer_auth(token).send().await.unwrap()).await;
    assert_eq!(page["data"][0]["clients_count"], 1);
    let tag_path = format!("/api/v1/tags/{}", id(&tag));
    let renamed = app
        .client
        .put(app.url(&tag_path))
        .bearer_auth(token)
        .json(&json!({"name": "Strategic", "version": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(json(renamed).await.1["slug"], "strategic");
    let unknown = app
        .patch(&format!("/api/v1/clients/{}", id(&client)))
        .bearer_auth(token)
        .json(&json!({"tag_ids": [uuid::Uuid::now_v7()]}))
        .send()
        .await
        .unwrap();
    let body = expect_problem(unknown, 422, "validation_failed").await;
    assert!(body["errors"]["tag_ids"].is_array());
    assert_eq!(app.delete(&tag_path).bearer_auth(token).send().await.unwrap().status(), 204);
    let (_, after) =
        json(app.get(&format!("/api/v1/clients/{}", id(&client))).bearer_auth(token).send().await.unwrap())
            .await;
    assert_eq!(after["tags"], json!([]));
}

/// The objects one matrix cell works on: a client granted to the matrix's "in" users, with a
/// contact, an activity and a subscription; soft-deleted for routes that act on deleted clients.
async fn fixture(app: &TestApp, people: &People, deleted: bool) -> BTreeMap<String, String> {
    let token = &people.admin.access_token;
    let granted: Vec<_> = people.granted().iter().map(|person| person.user.id).collect();
    let client = ClientBuilder::new().granted_to(&granted).insert(app).await.client.id.to_string();
    let post = |path: String, body: Value| app.post(&path).bearer_auth(token).json(&body).send();
    let subscription =
        post(format!("/api/v1/clients/{client}/subscriptions"), json!({"subscription_id": SUBSCRIPTION}));
    assert_eq!(subscription.await.unwrap().status(), 201);
    let contact = json!({"first_name": "C", "email": "c@matrix.example"});
    let (_, contact) = json(post(format!("/api/v1/clients/{client}/contacts"), contact).await.unwrap()).await;
    let activity = json!({"activity_type": "note", "title": "n"});
    let (_, activity) =
        json(post(format!("/api/v1/clients/{client}/activities"), activity).await.unwrap()).await;
    if deleted {
        let response =
            app.delete(&format!("/api/v1/clients/{client}")).bearer_auth(token).send().await.unwrap();
        assert_eq!(response.status(), 204);
    }
    BTreeMap::from([
        ("client".to_owned(), client),
        ("contact".to_owned(), id(&contact)),
        ("activity".to_owned(), id(&activity)),
    ])
}

/// Every route under a client, with what it needs and answers.
fn client_routes() -> Vec<Route> {
    use ClientAction::{Administer, Edit, Manage, Read};
    let client = "/api/v1/clients/{client}";
    vec![
        Route::new("GET", client, Read, 200),
        Route::new("PUT", client, Edit, 200).body(json!({"name": "Renamed", "phone": "+256 700 111222"})),
        Route::new("PATCH", client, Edit, 200).body(json!({"notes": "n"})),
        // Naming the account manager gives that user the client: managers and up.
        Route::new("PATCH", client, Manage, 200).body(json!({"account_manager_id": "{manager}"})),
        Route::new("DELETE", client, Manage, 204),
        Route::new("POST", "/api/v1/clients/{client}/restore", Administer, 200).on_deleted(),
        Route::new("POST", "/api/v1/clients/{client}/verify", Manage, 200),
        Route::new("POST", "/api/v1/clients/{client}/activate", Manage, 200),
        Route::new("POST", "/api/v1/clients/{client}/deactivate", Manage, 200).body(json!({"reason": "r"})),
        Route::new("POST", "/api/v1/clients/{client}/archive", Manage, 200).body(json!({"reason": "r"})),
        Route::new("POST", "/api/v1/clients/{client}/subscriptions", Edit, 201)
            .body(json!({"subscription_id": "11111111-2222-4333-8444-555555555555"})),
        Route::new(
            "DELETE",
            "/api/v1/clients/{client}/subscriptions/0f8fad5b-d9cb-469f-a165-70867728950e",
            Edit,
            204,
        )
        .not_compared_with_missing(),
        Route::new("GET", "/api/v1/clients/{client}/stats", Read, 200),
        Route::new("GET", "/api/v1/clients/{client}/grants", Administer, 200),
        Route::new("POST", "/api/v1/clients/{client}/grants", Administer, 201)
            .body(json!({"user_id": "{manager}"})),
        Route::new("DELETE", "/api/v1/clients/{client}/grants/{extra}", Administer, 204),
        Route::new("GET", "/api/v1/clients/{client}/contacts", Read, 200),
        Route::new("POST", "/api/v1/clients/{client}/contacts", Edit, 201)
            .body(json!({"first_name": "N", "email": "n@matrix.example"})),
        Route::new("GET", "/api/v1/clients/{client}/contacts/{contact}", Read, 200),
        Route::new("PUT", "/api/v1/clients/{client}/contacts/{contact}", Edit, 200)
            .body(json!({"first_name": "C2", "email": "c@matrix.example"})),
        Route::new("DELETE", "/api/v1/clients/{client}/contacts/{contact}", Edit, 204),
        Route::new("POST", "/api/v1/clients/{client}/contacts/{contact}/set-primary", Edit, 200),
        Route::new("GET", "/api/v1/clients/{client}/activities", Read, 200),
        Route::new("POST", "/api/v1/clients/{client}/activities", Edit, 201)
            .body(json!({"activity_type": "call", "title": "t"})),
        Route::new("GET", "/api/v1/clients/{client}/activities/{activity}", Read, 200),
        Route::new("PUT", "/api/v1/clients/{client}/activities/{activity}", Edit, 200)
            .body(json!({"activity_type": "note", "title": "t2"})),
        Route::new("DELETE", "/api/v1/clients/{client}/activities/{activity}", Edit, 204),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn az1_role_and_scope_matrix_for_every_client_route() {
    let app = spawn_app().await;
    let people = People::sign_in(&app).await;
    let routes = client_routes();
    let mismatches = matrix::run(&app, &people, &routes, |deleted| fixture(&app, &people, deleted)).await;
    assert!(mismatches.is_empty(), "{} mismatches:\n{}", mismatches.len(), mismatches.join("\n"));
}

#[tokio::test(flavor = "multi_thread")]
async fn every_client_write_rolls_back_when_its_audit_record_cannot_be_written() {
    let app = spawn_app().await;
    let people = People::sign_in(&app).await;
    let routes = client_routes();
    let failures = matrix::writes_roll_back_without_their_audit(&app, &people, &routes, |deleted| {
        fixture(&app, &people, deleted)
    })
    .await;
    assert!(
        failures.is_empty(),
        "{} write paths kept a change without its audit row:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The write paths outside a client: creating a client, industries, tags and users.
#[tokio::test(flavor = "multi_thread")]
async fn every_other_write_rolls_back_when_its_audit_record_cannot_be_written() {
    use ClientAction::Manage;
    let app = spawn_app().await;
    let people = People::sign_in(&app).await;
    let token = people.admin.access_token.clone();
    let routes = [
        Route::new("POST", "/api/v1/clients", Manage, 201).body(json!({"name": "New Ltd"})),
        Route::new("POST", "/api/v1/industries", Manage, 201).body(json!({"name": "Fishing"})),
        Route::new("PUT", "/api/v1/industries/{industry}", Manage, 200).body(json!({"name": "Fishing & Co"})),
        Route::new("DELETE", "/api/v1/industries/{industry}", Manage, 204),
        Route::new("POST", "/api/v1/tags", Manage, 201).body(json!({"name": "Brand new"})),
        Route::new("PUT", "/api/v1/tags/{tag}", Manage, 200).body(json!({"name": "Renamed tag"})),
        Route::new("DELETE", "/api/v1/tags/{tag}", Manage, 204),
        Route::new("POST", "/api/v1/users", Manage, 201).body(
            json!({"email": "new.user@example.com", "first_name": "N", "last_name": "U", "role": "viewer"}),
        ),
        Route::new("PATCH", "/api/v1/users/{user}", Manage, 200).body(json!({"first_name": "Changed"})),
    ];
    let fixture = |_| {
        let (app, token) = (&app, token.clone());
        async move {
            let unique = uuid::Uuid::now_v7().simple().to_string();
            let post =
                |path: &'static str, body: Value| app.post(path).bearer_auth(&token).json(&body).send();
            let (_, industry) =
                json(post("/api/v1/industries", json!({"name": format!("I {unique}")})).await.unwrap()).await;
            let (_, tag) =
                json(post("/api/v1/tags", json!({"name": format!("T {unique}")})).await.unwrap()).await;
            let user = axis_testkit::UserBuilder::new().insert(app).await;
            BTreeMap::from([
                ("industry".to_owned(), id(&industry)),
                ("tag".to_owned(), id(&tag)),
                ("user".to_owned(), user.id.to_string()),
            ])
        }
    };
    let failures = matrix::writes_roll_back_without_their_audit(&app, &people, &routes, fixture).await;
    assert!(
        failures.is_empty(),
        "{} write paths kept a change without its audit row:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn scope_applies_to_lists_counts_search_and_creation() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let analyst = app.logged_in(Role::Analyst).await;
    // An account manager must be an admin, manager or analyst; this one has no grant.
    let account_manager = app.logged_in(Role::Analyst).await;
    let token = &admin.access_token;
    let granted = create(&app, token, json!({"name": "Granted Co"})).await;
    create(&app, token, json!({"name": "Hidden Co"})).await;
    let managed =
        create(&app, token, json!({"name": "Managed Co", "account_manager_id": account_manager.user.id}))
            .await;
    app.post(&format!("/api/v1/clients/{}/grants", id(&granted)))
        .bearer_auth(token)
        .json(&json!({"user_id": analyst.user.id}))
        .send()
        .await
        .unwrap();

    let seen = list(&app, &analyst.access_token, "").await;
    assert_eq!(names(&seen), ["Granted Co"]);
    assert_eq!(seen["pagination"]["total"], 1, "counts are scoped too");
    assert_eq!(list(&app, &analyst.access_token, "search=co").await["pagination"]["total"], 1);
    assert_eq!(
        names(&list(&app, &account_manager.access_token, "").await),
        ["Managed Co"],
        "account managers see their clients"
    );
    assert_eq!(list(&app, token, "").await["pagination"]["total"], 3);
    let _ = managed;

    for caller in [&analyst, &account_manager] {
        let create = app
            .post("/api/v1/clients")
            .bearer_auth(&caller.access_token)
            .json(&json!({"name": "Mine"}))
            .send()
            .await
            .unwrap();
        expect_problem(create, 403, "forbidden").await;
    }
    let anonymous = app.get("/api/v1/clients").send().await.unwrap();
    expect_problem(anonymous, 401, "unauthenticated").await;

    // Revoking the grant takes the client out of scope at once.
    let revoke = app
        .delete(&format!("/api/v1/clients/{}/grants/{}", id(&granted), analyst.user.id))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), 204);
    assert_eq!(list(&app, &analyst.access_token, "").await["pagination"]["total"], 0);
    let gone = app
        .get(&format!("/api/v1/clients/{}", id(&granted)))
        .bearer_auth(&analyst.access_token)
        .send()
        .await
        .unwrap();
    expect_problem(gone, 404, "not_found").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn list_totals_stay_exact_through_every_kind_of_change() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;
    let mut ids = Vec::new();
    for n in 0..6 {
        ids.push(id(&create(
            &app,
            token,
            json!({"name": format!("Counted {n}"), "email": format!("c{n}@count.example")}),
        )
        .await));
    }
    let post = |path: String, body: Value| app.post(&path).bearer_auth(token).json(&body).send();
    post(format!("/api/v1/clients/{}/activate", ids[0]), json!({})).await.unwrap();
    post(format!("/api/v1/clients/{}/activate", ids[1]), json!({})).await.unwrap();
    post(format!("/api/v1/clients/{}/archive", ids[2]), json!({"reason": "r"})).await.unwrap();
    app.delete(&format!("/api/v1/clients/{}", ids[3])).bearer_auth(token).send().await.unwrap();
    app.delete(&format!("/api/v1/clients/{}", ids[4])).bearer_auth(token).send().await.unwrap();
    post(format!("/api/v1/clients/{}/restore", ids[4]), json!({})).await.unwrap();
    app.patch(&format!("/api/v1/clients/{}", ids[5]))
        .bearer_auth(token)
        .json(&json!({"status": "suspended"}))
        .send()
        .await
        .unwrap();

    for status in ["", "active", "pending", "archived", "suspended", "inactive"] {
        let query = if status.is_empty() { String::new() } else { format!("status={status}") };
        let total = list(&app, token, &query).await["pagination"]["total"].as_i64().unwrap();
        let condition = if status.is_empty() { String::new() } else { format!(" AND status = '{status}'") };
        let counted = sql_count(
            &app,
            &format!("SELECT count(*) AS n FROM clients WHERE deleted_at IS NULL{condition}"),
        )
        .await;
        assert_eq!(total, counted, "status {status:?}");
    }
    assert_eq!(list(&app, token, "").await["pagination"]["total"], 5);
}

/// The total of `query` as `token` sees it.
async fn total(app: &TestApp, token: &str, query: &str) -> i64 {
    list(app, token, query).await["pagination"]["total"].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn remembered_totals_follow_every_change_they_depend_on() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let analyst = app.logged_in(Role::Analyst).await;
    let token = &admin.access_token;
    let a = id(&create(&app, token, json!({"name": "Remembered A"})).await);
    let b = id(&create(&app, token, json!({"name": "Remembered B"})).await);
    create(&app, token, json!({"name": "Other"})).await;
    let search = "search=remembered";
    assert_eq!(total(&app, token, search).await, 2);
    assert_eq!(total(&app, token, search).await, 2, "asked again");

    let c = id(&create(&app, token, json!({"name": "Remembered C"})).await);
    assert_eq!(total(&app, token, search).await, 3, "a new match");
    let rename =
        app.patch(&format!("/api/v1/clients/{c}")).bearer_auth(token).json(&json!({"name": "Other C"}));
    assert_eq!(rename.send().await.unwrap().status(), 200);
    assert_eq!(total(&app, token, search).await, 2, "renamed away");
    app.delete(&format!("/api/v1/clients/{a}")).bearer_auth(token).send().await.unwrap();
    assert_eq!(total(&app, token, search).await, 1, "soft-deleted");
    app.post(&format!("/api/v1/clients/{a}/restore")).bearer_auth(token).send().await.unwrap();
    assert_eq!(total(&app, token, search).await, 2, "restored");

    // The tag filter depends on client tags and on the tags' slugs.
    let (_, tag) = json(
        app.post("/api/v1/tags").bearer_auth(token).json(&json!({"name": "Gold"})).send().await.unwrap(),
    )
    .await;
    assert_eq!(total(&app, token, "tag=gold").await, 0);
    let tagged =
        app.patch(&format!("/api/v1/clients/{b}")).bearer_auth(token).json(&json!({"tag_ids": [tag["id"]]}));
    assert_eq!(tagged.send().await.unwrap().status(), 200);
    assert_eq!(total(&app, token, "tag=gold").await, 1, "tagged");
    let renamed = app
        .client
        .put(app.url(&format!("/api/v1/tags/{}", id(&tag))))
        .bearer_auth(token)
        .json(&json!({"name": "Platinum", "version": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.status(), 200);
    assert_eq!(total(&app, token, "tag=gold").await, 0, "the slug moved");
    assert_eq!(total(&app, token, "tag=platinum").await, 1);

    // An analyst's totals depend on grants.
    let analyst_token = &analyst.access_token;
    assert_eq!(total(&app, analyst_token, search).await, 0);
    let grants = format!("/api/v1/clients/{b}/grants");
    let granted = app.post(&grants).bearer_auth(token).json(&json!({"user_id": analyst.user.id}));
    assert_eq!(granted.send().await.unwrap().status(), 201);
    assert_eq!(total(&app, analyst_token, search).await, 1, "granted");
    let revoked =
        app.delete(&format!("{grants}/{}", analyst.user.id)).bearer_auth(token).send().await.unwrap();
    assert_eq!(revoked.status(), 204);
    assert_eq!(total(&app, analyst_token, search).await, 0, "revoked");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_total_is_counted_again_only_after_a_write() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;
    create(&app, token, json!({"name": "Quiet One"})).await;
    // The hot search shape and the general filtered shape both remember their totals.
    let queries = ["search=quiet", "search=quiet&is_verified=false&ordering=name"];
    for query in queries {
        assert_eq!(total(&app, token, query).await, 1, "{query}");
    }
    // A row the change counter does not see: the remembered totals are served unchanged,
    // which shows they are reused rather than counted again.
    crate::support::sql(
        &app,
        "ALTER TABLE clients DISABLE TRIGGER clients_counted_insert;
         INSERT INTO clients (id, name) VALUES (gen_random_uuid(), 'Quiet Two');
         ALTER TABLE clients ENABLE TRIGGER clients_counted_insert;",
    )
    .await;
    for query in queries {
        assert_eq!(total(&app, token, query).await, 1, "remembered: {query}");
    }
    // Any counted write moves the version, and the next request counts again.
    create(&app, token, json!({"name": "Unrelated"})).await;
    for query in queries {
        assert_eq!(total(&app, token, query).await, 2, "recounted: {query}");
    }
}
