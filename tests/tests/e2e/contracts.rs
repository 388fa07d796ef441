//! Contracts through the API: every route × every kind of caller, audits that roll writes back,
//! idempotent create, stale `If-Match`, the overlap rule (also racing), illegal transitions, and
//! the sweep and renewal notice run by the real job queue.

use std::collections::BTreeMap;
use std::time::Duration;

use axis_jobs::{JobQueue, NewJob};
use axis_kernel::{ClientAction, Role};
use axis_postgres_jobs::PgJobs;
use axis_testkit::matrix::{self, People, Route};
use axis_testkit::{ClientBuilder, ContractBuilder, TestApp, eventually, spawn_app, spawn_app_with};
use serde_json::{Value, json};

use crate::support::{expect_problem, json};

fn id(body: &Value) -> String {
    body["id"].as_str().expect("an id").to_owned()
}

fn contract_body(client: &str, start: &str, end: &str) -> Value {
    json!({"client_id": client, "title": "EAP", "start_date": start, "end_date": end,
           "billing_amount": "1200000", "currency": "UGX"})
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> (u16, Value) {
    json(app.post(path).bearer_auth(token).json(&body).send().await.unwrap()).await
}

/// A contract of `client` for `start..=end`, created by `token`, then moved by `actions`.
async fn contract(
    app: &TestApp,
    token: &str,
    client: &str,
    start: &str,
    end: &str,
    actions: &[(&str, Value)],
) -> String {
    let (status, created) = post(app, token, "/api/v1/contracts", contract_body(client, start, end)).await;
    assert_eq!(status, 201, "{created}");
    let contract = id(&created);
    for (action, body) in actions {
        let (status, moved) =
            post(app, token, &format!("/api/v1/contracts/{contract}/{action}"), body.clone()).await;
        assert_eq!(status, 200, "{action}: {moved}");
    }
    contract
}

/// A client granted to the matrix's in-scope people, with a draft, an active and a suspended
/// contract (in different years, with room to renew the active one: both hold their periods).
async fn fixture(app: &TestApp, people: &People, deleted: bool) -> BTreeMap<String, String> {
    let token = &people.admin.access_token;
    let granted: Vec<_> = people.granted().iter().map(|person| person.user.id).collect();
    let client_id = ClientBuilder::new().granted_to(&granted).insert(app).await.client.id;
    let client = client_id.to_string();
    let year = |y: i32| {
        let on = |month, day| time::Date::from_calendar_date(y, month, day).expect("a day");
        (on(time::Month::January, 1), on(time::Month::December, 31))
    };
    let (start, end) = year(2024);
    let draft = ContractBuilder::new(client_id, start, end).insert(app).await.contract.id.to_string();
    let (start, end) = year(2026);
    let active =
        ContractBuilder::new(client_id, start, end).active().insert(app).await.contract.id.to_string();
    let suspended = contract(
        app,
        token,
        &client,
        "2028-01-01",
        "2028-12-31",
        &[("activate", json!({})), ("suspend", json!({"reason": "unpaid"}))],
    )
    .await;
    if deleted {
        let response =
            app.delete(&format!("/api/v1/contracts/{draft}")).bearer_auth(token).send().await.unwrap();
        assert_eq!(response.status(), 204);
    }
    BTreeMap::from([
        ("client".to_owned(), client),
        ("draft".to_owned(), draft),
        ("active".to_owned(), active),
        ("suspended".to_owned(), suspended),
    ])
}

/// Every route that acts on an existing contract or a client's contracts.
fn contract_routes() -> Vec<Route> {
    use ClientAction::{Administer, Manage, Read};
    vec![
        Route::new("GET", "/api/v1/clients/{client}/contracts", Read, 200),
        Route::new("GET", "/api/v1/contracts/{draft}", Read, 200),
        Route::new("PUT", "/api/v1/contracts/{draft}", Manage, 200).body(contract_body(
            "{client}",
            "2024-02-01",
            "2024-12-31",
        )),
        Route::new("PATCH", "/api/v1/contracts/{draft}", Manage, 200).body(json!({"title": "Renamed"})),
        Route::new("DELETE", "/api/v1/contracts/{draft}", Manage, 204),
        Route::new("POST", "/api/v1/contracts/{draft}/restore", Administer, 200).on_deleted(),
        Route::new("POST", "/api/v1/contracts/{draft}/submit", Manage, 200),
        Route::new("POST", "/api/v1/contracts/{draft}/activate", Manage, 200),
        Route::new("POST", "/api/v1/contracts/{suspended}/resume", Manage, 200),
        Route::new("POST", "/api/v1/contracts/{active}/suspend", Manage, 200).body(json!({"reason": "r"})),
        Route::new("POST", "/api/v1/contracts/{active}/terminate", Manage, 200).body(json!({"reason": "r"})),
        Route::new("POST", "/api/v1/contracts/{active}/renew", Manage, 200)
            .body(json!({"end_date": "2027-06-30"})),
        Route::new("POST", "/api/v1/contracts/{active}/mark-paid", Manage, 200),
        Route::new("POST", "/api/v1/contracts/{active}/mark-overdue", Manage, 200),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn role_and_scope_matrix_for_every_contract_route() {
    let app = spawn_app().await;
    let people = People::sign_in(&app).await;
    let mismatches =
        matrix::run(&app, &people, &contract_routes(), |deleted| fixture(&app, &people, deleted)).await;
    assert!(mismatches.is_empty(), "{} mismatches:\n{}", mismatches.len(), mismatches.join("\n"));
}

#[tokio::test(flavor = "multi_thread")]
async fn every_contract_write_rolls_back_when_its_audit_record_cannot_be_written() {
    let app = spawn_app().await;
    let people = People::sign_in(&app).await;
    let mut routes = contract_routes();
    routes.push(Route::new("POST", "/api/v1/contracts", ClientAction::Manage, 201).body(contract_body(
        "{client}",
        "2030-01-01",
        "2030-12-31",
    )));
    let failures = matrix::writes_roll_back_without_their_audit(&app, &people, &routes, |deleted| {
        fixture(&app, &people, deleted)
    })
    .await;
    assert!(failures.is_empty(), "{} writes kept without audit:\n{}", failures.len(), failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread")]
async fn create_is_for_managers_in_scope_and_idempotent() {
    let app = spawn_app().await;
    let manager = app.logged_in(Role::Manager).await;
    let analyst = app.logged_in(Role::Analyst).await;
    let client = ClientBuilder::new().granted_to(&[analyst.user.id]).insert(&app).await.client.id.to_string();
    let body = contract_body(&client, "2026-01-01", "2026-12-31");
    let refused =
        app.post("/api/v1/contracts").bearer_auth(&analyst.access_token).json(&body).send().await.unwrap();
    expect_problem(refused, 403, "forbidden").await;
    let missing = contract_body(&uuid::Uuid::now_v7().to_string(), "2026-01-01", "2026-12-31");
    let unknown =
        app.post("/api/v1/contracts").bearer_auth(&manager.access_token).json(&missing).send().await.unwrap();
    let problem = expect_problem(unknown, 422, "validation_failed").await;
    assert!(problem["errors"]["client_id"].is_array(), "{problem}");
    let mut fraction = body.clone();
    fraction["billing_amount"] = json!("1200.50");
    let precise = app
        .post("/api/v1/contracts")
        .bearer_auth(&manager.access_token)
        .json(&fraction)
        .send()
        .await
        .unwrap();
    let problem = expect_problem(precise, 422, "validation_failed").await;
    assert!(problem["errors"]["billing_amount"].is_array(), "UGX has no minor unit: {problem}");

    let send = || {
        app.post("/api/v1/contracts")
            .bearer_auth(&manager.access_token)
            .header("Idempotency-Key", "contract-once")
            .json(&body)
            .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status(), 201);
    let (_, created) = json(first).await;
    let again = send().await.unwrap();
    assert_eq!(again.status(), 201);
    assert!(again.headers().get("Idempotent-Replayed").is_some(), "a replay says so");
    let (_, replayed) = json(again).await;
    assert_eq!(replayed["id"], created["id"], "one contract, not two");
    assert_eq!(created["number"].as_str().map(|n| n.starts_with("C-")), Some(true), "{created}");
    assert_eq!(
        (created["status"].as_str(), created["status_history"][0]["status"].as_str()),
        (Some("draft"), Some("draft"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stale_if_match_is_412_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let client = ClientBuilder::new().insert(&app).await.client.id.to_string();
    let contract = contract(&app, &admin.access_token, &client, "2026-01-01", "2026-12-31", &[]).await;
    let path = format!("/api/v1/contracts/{contract}");
    let stale = app
        .patch(&path)
        .bearer_auth(&admin.access_token)
        .header("If-Match", "\"7\"")
        .json(&json!({"title": "Changed"}))
        .send()
        .await
        .unwrap();
    expect_problem(stale, 412, "precondition_failed").await;
    let (_, now) = json(app.get(&path).bearer_auth(&admin.access_token).send().await.unwrap()).await;
    assert_eq!((now["title"].as_str(), now["version"].as_i64()), (Some("EAP"), Some(1)));
    // `null` keeps a required field (as the schema allows it), and clears an optional one.
    let nulls = json!({"number": null, "title": null, "start_date": null, "end_date": null,
                       "billing_amount": null, "currency": null, "notes": null});
    let (status, kept) =
        json(app.patch(&path).bearer_auth(&admin.access_token).json(&nulls).send().await.unwrap()).await;
    assert_eq!(status, 200, "{kept}");
    assert_eq!((kept["start_date"].as_str(), kept["currency"].as_str()), (Some("2026-01-01"), Some("UGX")));
}

#[tokio::test(flavor = "multi_thread")]
async fn overlapping_in_force_contracts_are_409_even_when_two_requests_race() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;
    let client = ClientBuilder::new().insert(&app).await.client.id.to_string();
    let a = contract(&app, token, &client, "2026-01-01", "2026-12-31", &[]).await;
    let b = contract(&app, token, &client, "2026-07-01", "2027-06-30", &[]).await;
    let activate = |contract: String| {
        let request = app.post(&format!("/api/v1/contracts/{contract}/activate")).bearer_auth(token).send();
        async move { request.await.unwrap() }
    };
    let (first, second) = tokio::join!(activate(a.clone()), activate(b.clone()));
    let mut statuses = [first.status().as_u16(), second.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "exactly one of two overlapping contracts is in force");
    let refused = if first.status() == 409 { first } else { second };
    let problem = expect_problem(refused, 409, "conflict").await;
    assert!(problem["errors"]["start_date"].is_array(), "{problem}");

    let illegal = app.post(&format!("/api/v1/contracts/{a}/resume")).bearer_auth(token).send().await.unwrap();
    let problem = expect_problem(illegal, 409, "illegal_transition").await;
    assert!(problem["detail"].as_str().is_some_and(|d| d.contains("resume")), "{problem}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_queue_runs_the_sweep_expiring_contracts_and_noticing_renewals_once() {
    let app = spawn_app_with(&["--job-concurrency", "2", "--job-poll-interval-ms", "100"]).await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;
    let client = ClientBuilder::new().insert(&app).await.client.id.to_string();
    let today = time::OffsetDateTime::now_utc().date();
    let day = |offset: i64| (today + time::Duration::days(offset)).to_string();
    let ended = contract(&app, token, &client, &day(-300), &day(-1), &[("activate", json!({}))]).await;
    let ending = contract(&app, token, &client, &day(0), &day(10), &[("activate", json!({}))]).await;
    let queue = PgJobs::new(app.wiring.db.clone());
    for _ in 0..2 {
        let run = queue.enqueue(NewJob::new(&axis_contracts::jobs::SWEEP, json!({}))).await.unwrap();
        let path = format!("/api/v1/jobs/{}", run.id);
        eventually(Duration::from_secs(20), || async {
            let (_, job) = json(app.get(&path).bearer_auth(token).send().await.unwrap()).await;
            (job["state"] == "completed").then_some(())
        })
        .await
        .expect("the sweep ran");
    }
    let (_, expired) =
        json(app.get(&format!("/api/v1/contracts/{ended}")).bearer_auth(token).send().await.unwrap()).await;
    assert_eq!(expired["status"], "expired", "{expired}");
    assert_eq!(
        expired["status_history"].as_array().and_then(|h| h.last()).map(|c| c["effective_on"].clone()),
        Some(json!(day(0)))
    );
    let (_, activities) = json(
        app.get(&format!("/api/v1/clients/{client}/activities")).bearer_auth(token).send().await.unwrap(),
    )
    .await;
    let (_, ending) =
        json(app.get(&format!("/api/v1/contracts/{ending}")).bearer_auth(token).send().await.unwrap()).await;
    let notice = format!("contract {} expires on {}", ending["number"].as_str().unwrap_or(""), day(10));
    let notices = activities["data"]
        .as_array()
        .map_or(0, |items| items.iter().filter(|a| a["title"] == notice.as_str()).count());
    assert_eq!(notices, 1, "noticed once over two sweeps: {activities}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_client_list_and_stats_count_contracts() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;
    let client = ClientBuilder::new().name("Counted Ltd").insert(&app).await.client.id.to_string();
    contract(&app, token, &client, "2026-01-01", "2026-12-31", &[("activate", json!({}))]).await;
    contract(&app, token, &client, "2027-01-01", "2027-12-31", &[]).await;
    let (_, list) =
        json(app.get("/api/v1/clients?search=Counted").bearer_auth(token).send().await.unwrap()).await;
    assert_eq!(list["data"][0]["active_contracts_count"], 1, "{list}");
    let (_, stats) =
        json(app.get(&format!("/api/v1/clients/{client}/stats")).bearer_auth(token).send().await.unwrap())
            .await;
    assert_eq!(
        (stats["contracts_total"].as_i64(), stats["contracts_active"].as_i64()),
        (Some(2), Some(1)),
        "{stats}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_list_is_scoped_and_filters_by_dates_payment_and_text() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let analyst = app.logged_in(Role::Analyst).await;
    let token = &admin.access_token;
    let mine = ClientBuilder::new().granted_to(&[analyst.user.id]).insert(&app).await.client.id.to_string();
    let other = ClientBuilder::new().insert(&app).await.client.id.to_string();
    let today = time::OffsetDateTime::now_utc().date();
    let day = |offset: i64| (today + time::Duration::days(offset)).to_string();
    // Ends in 20 days: expiring within 30, in its notice window; paid, so billed again in a month.
    let ending = contract(
        &app,
        token,
        &mine,
        &day(-100),
        &day(20),
        &[("activate", json!({})), ("mark-paid", json!({}))],
    )
    .await;
    // Runs a year from next month, overdue.
    let later = contract(
        &app,
        token,
        &mine,
        &day(40),
        &day(400),
        &[("activate", json!({})), ("mark-overdue", json!({}))],
    )
    .await;
    let hidden = contract(&app, token, &other, &day(-100), &day(20), &[("activate", json!({}))]).await;
    let ids = |page: &Value| -> Vec<String> {
        page["data"].as_array().map(|items| items.iter().map(id).collect()).unwrap_or_default()
    };
    let list = |query: String, token: String| {
        let request = app.get(&format!("/api/v1/contracts?{query}")).bearer_auth(token).send();
        async move { json(request.await.unwrap()).await.1 }
    };
    let analyst_sees = ids(&list("limit=100".into(), analyst.access_token.clone()).await);
    assert!(
        analyst_sees.contains(&ending) && analyst_sees.contains(&later) && !analyst_sees.contains(&hidden)
    );
    let outside = list(format!("client={other}"), analyst.access_token.clone()).await;
    assert_eq!(outside["pagination"]["total"], 0, "a client filter outside the scope finds none");
    for (query, expected) in [
        (format!("client={mine}&expiring_within=30"), vec![ending.clone()]),
        (format!("client={mine}&pending_renewal=true"), vec![ending.clone()]),
        (format!("client={mine}&overdue=true"), vec![later.clone()]),
        (format!("client={mine}&payment_status=paid"), vec![ending.clone()]),
        (format!("client={mine}&billing_due_within=45"), vec![ending.clone()]),
        (format!("client={mine}&ordering=start_date"), vec![ending.clone(), later.clone()]),
        (format!("client={mine}&ordering=-start_date"), vec![later.clone(), ending.clone()]),
    ] {
        assert_eq!(ids(&list(query.clone(), token.clone()).await), expected, "{query}");
    }
    let (_, number) =
        json(app.get(&format!("/api/v1/contracts/{later}")).bearer_auth(token).send().await.unwrap()).await;
    let search = number["number"].as_str().unwrap_or_default().to_lowercase();
    assert_eq!(ids(&list(format!("search={search}"), token.clone()).await), vec![later.clone()]);
    let status_edit = app
        .patch(&format!("/api/v1/contracts/{later}"))
        .bearer_auth(token)
        .json(&json!({"status": "terminated"}))
        .send()
        .await
        .unwrap();
    assert!(status_edit.status().is_client_error(), "the status changes only through actions");
}

/// Contract list totals are remembered between writes (list_totals.rs): every write they
/// depend on, to contracts, clients or grants, makes the next request count again.
#[tokio::test(flavor = "multi_thread")]
async fn remembered_contract_totals_follow_every_change_they_depend_on() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let analyst = app.logged_in(Role::Analyst).await;
    let token = &admin.access_token;
    let client = ClientBuilder::new().insert(&app).await.client.id.to_string();
    let total = |query: &str, token: &str| {
        let request = app.get(&format!("/api/v1/contracts?{query}")).bearer_auth(token).send();
        async move { json(request.await.unwrap()).await.1["pagination"]["total"].as_i64() }
    };
    let first = contract(&app, token, &client, "2026-01-01", "2026-12-31", &[("activate", json!({}))]).await;
    assert_eq!(total("", token).await, Some(1));
    assert_eq!(total("status=active", token).await, Some(1), "asked once");
    assert_eq!(total("status=active", token).await, Some(1), "asked again");

    contract(&app, token, &client, "2027-01-01", "2027-12-31", &[("activate", json!({}))]).await;
    assert_eq!(total("status=active", token).await, Some(2), "a new match");
    let (status, _) =
        post(&app, token, &format!("/api/v1/contracts/{first}/terminate"), json!({"reason": "closed"})).await;
    assert_eq!(status, 200);
    assert_eq!(total("status=active", token).await, Some(1), "terminated away");
    let deleted = app.delete(&format!("/api/v1/contracts/{first}")).bearer_auth(token).send().await.unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(total("", token).await, Some(1), "soft-deleted");
    let (status, _) = post(&app, token, &format!("/api/v1/contracts/{first}/restore"), json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(total("", token).await, Some(2), "restored");

    // An analyst's totals depend on grants; everyone's on the client being live.
    assert_eq!(total("", &analyst.access_token).await, Some(0));
    let grants = format!("/api/v1/clients/{client}/grants");
    let granted = app.post(&grants).bearer_auth(token).json(&json!({"user_id": analyst.user.id}));
    assert_eq!(granted.send().await.unwrap().status(), 201);
    assert_eq!(total("", &analyst.access_token).await, Some(2), "granted");
    let gone = app.delete(&format!("/api/v1/clients/{client}")).bearer_auth(token).send().await.unwrap();
    assert_eq!(gone.status(), 204);
    assert_eq!(total("", token).await, Some(0), "the client was deleted");
    assert_eq!(total("", &analyst.access_token).await, Some(0));
}

/// Every answer about one contract has one shape, filled the same way: an action's answer
/// carries the status history `GET` shows (issue 24 #10: submit, activate and renew answered
/// an empty one). And a renewed contract takes every action an active one takes (#6).
#[tokio::test(flavor = "multi_thread")]
async fn an_action_answers_the_contract_as_get_does_and_renewed_acts_like_active() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;
    let client = ClientBuilder::new().insert_id(&app).await;
    let contract = contract(&app, token, &client, "2026-01-01", "2026-12-31", &[]).await;
    let path = format!("/api/v1/contracts/{contract}");
    for (action, body) in [
        ("submit", json!({})),
        ("activate", json!({})),
        ("renew", json!({"end_date": "2027-12-31"})),
        ("suspend", json!({"reason": "unpaid"})),
    ] {
        let (status, answered) = post(&app, token, &format!("{path}/{action}"), body).await;
        assert_eq!(status, 200, "{action}: {answered}");
        let (_, read) = json(app.get(&path).bearer_auth(token).send().await.unwrap()).await;
        assert_eq!(answered, read, "{action}: the action's answer is the contract as GET shows it");
        assert!(!answered["status_history"].as_array().unwrap().is_empty(), "{action}");
    }
    let (_, read) = json(app.get(&path).bearer_auth(token).send().await.unwrap()).await;
    assert_eq!(read["status"], "suspended", "a renewed contract was suspended");
}

/// `If-Match: *` is any current version; a weak ETag never matches under `If-Match` (412,
/// saying why); a stale `version` in the body is 412 naming both places a version is given
/// (issue 24 #11: `*` and `W/"n"` were 400).
#[tokio::test(flavor = "multi_thread")]
async fn if_match_takes_a_star_and_refuses_weak_etags_as_412() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;
    let client = ClientBuilder::new().insert_id(&app).await;
    let contract = contract(&app, token, &client, "2026-01-01", "2026-12-31", &[]).await;
    let path = format!("/api/v1/contracts/{contract}");
    let patch = |if_match: Option<&str>, body: Value| {
        let request = app.patch(&path).bearer_auth(token).json(&body);
        match if_match {
            Some(value) => request.header("If-Match", value),
            None => request,
        }
    };
    let (status, body) = json(patch(Some("*"), json!({"notes": "any version"})).send().await.unwrap()).await;
    assert_eq!(status, 200, "{body}");
    let version = body["version"].as_i64().unwrap();
    let weak = patch(Some(&format!("W/\"{version}\"")), json!({"notes": "weak"})).send().await.unwrap();
    let problem = expect_problem(weak, 412, "precondition_failed").await;
    assert!(problem["detail"].as_str().unwrap().contains("weak"), "{problem}");
    let stale = patch(None, json!({"notes": "stale", "version": version - 1})).send().await.unwrap();
    let problem = expect_problem(stale, 412, "precondition_failed").await;
    assert!(problem["detail"].as_str().unwrap().contains("`version`"), "{problem}");
    let (_, read) = json(app.get(&path).bearer_auth(token).send().await.unwrap()).await;
    assert_eq!(read["notes"], "any version", "refused writes change nothing");
}

/// A termination dated ahead leaves the contract in force until its day, everywhere (issue 24
/// #2: the client's counts, its stats and `expiring_within` dropped it at once while
/// eligibility still covered its people); the contract reads `active` with the termination
/// scheduled, and on its day it takes effect by itself.
#[tokio::test(flavor = "multi_thread")]
async fn a_termination_dated_ahead_keeps_the_contract_in_force_until_its_day() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;
    let client = ClientBuilder::new().insert_id(&app).await;
    let today = time::OffsetDateTime::now_utc().date();
    let day = |offset: i64| (today + time::Duration::days(offset)).to_string();
    let contract = contract(&app, token, &client, &day(-30), &day(20), &[("activate", json!({}))]).await;
    let path = format!("/api/v1/contracts/{contract}");
    let (status, answered) = post(
        &app,
        token,
        &format!("{path}/terminate"),
        json!({"reason": "client left", "effective_on": day(10)}),
    )
    .await;
    assert_eq!(status, 200, "{answered}");
    assert_eq!(answered["status"], "active");
    assert_eq!(answered["scheduled_change"], json!({"status": "terminated", "on": day(10)}));
    // What the client list, the client's stats and `expiring_within` count as in force.
    let in_force = || async {
        let (_, listed) =
            json(app.get("/api/v1/clients?limit=100").bearer_auth(token).send().await.unwrap()).await;
        let row =
            listed["data"].as_array().unwrap().iter().find(|c| c["id"] == client.as_str()).cloned().unwrap();
        let stats = format!("/api/v1/clients/{client}/stats");
        let (_, stats) = json(app.get(&stats).bearer_auth(token).send().await.unwrap()).await;
        let expiring = format!("/api/v1/contracts?client={client}&expiring_within=30");
        let (_, expiring) = json(app.get(&expiring).bearer_auth(token).send().await.unwrap()).await;
        (
            row["active_contracts_count"].as_i64(),
            stats["contracts_active"].as_i64(),
            expiring["pagination"]["total"].as_i64(),
        )
    };
    assert_eq!(in_force().await, (Some(1), Some(1), Some(1)), "in force until its day");

    // Its day comes (moved to today, as if today were later): the job applies it.
    crate::support::sql(
        &app,
        &format!("UPDATE contract_status_changes SET effective_on = '{}' WHERE NOT applied", day(0)),
    )
    .await;
    assert_eq!(app.wiring.contracts.apply_scheduled().await.expect("applied"), 1);
    let (_, read) = json(app.get(&path).bearer_auth(token).send().await.unwrap()).await;
    assert_eq!(
        (read["status"].as_str(), &read["scheduled_change"]),
        (Some("terminated"), &Value::Null),
        "{read}"
    );
    assert_eq!(in_force().await, (Some(0), Some(0), Some(0)), "no longer in force");
}
