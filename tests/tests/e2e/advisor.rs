//! Azure Advisor imports through the API: every route × every kind of caller, writes that roll
//! back without their audit record, an upload read by its job into an analysis, rows and
//! errors, the CSV export, two snapshots compared with their findings carried over, a job
//! dropped in the middle of storing a snapshot, hostile cells, the catalogue.

use std::collections::BTreeMap;
use std::time::Duration;

use axis_advisor::Processed;
use axis_jobs::UnrecordedFiles;
use axis_kernel::{ClientAction, ClientId, Role};
use axis_testkit::advisor::{HEADER, export, import, row};
use axis_testkit::matrix::{self, People, Route};
use axis_testkit::{ClientBuilder, TestApp, eventually, spawn_app};
use diesel_async::SimpleAsyncConnection;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::support::{files_under, json, sql_count};

const SAMPLE: &[u8] = include_bytes!("../../../crates/advisor/tests/samples/advisor_sample.csv");
const API_SAMPLE: &[u8] = include_bytes!("../../../crates/advisor/tests/samples/advisor_api_sample.json");

fn form(fields: &[(&str, &str)], name: &str, contents: Vec<u8>) -> Form {
    let form =
        fields.iter().fold(Form::new(), |form, (key, value)| form.text(key.to_string(), value.to_string()));
    form.part("file", Part::bytes(contents).file_name(name.to_owned()))
}

async fn get(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    json(app.get(path).bearer_auth(token).send().await.unwrap()).await
}

/// A status action (no body) on an import.
async fn act(app: &TestApp, token: &str, import: impl std::fmt::Display, action: &str) -> (u16, Value) {
    json(
        app.post(&format!("/api/v1/advisor-imports/{import}/{action}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// Uploads through the API and runs the job the upload queued.
async fn upload_and_run(app: &TestApp, token: &str, client: ClientId, form: Form) -> Value {
    let path = format!("/api/v1/clients/{client}/advisor-imports");
    let (status, body) = json(app.post(&path).bearer_auth(token).multipart(form).send().await.unwrap()).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["status"], "uploaded");
    let id: uuid::Uuid = body["id"].as_str().unwrap().parse().unwrap();
    app.wiring.advisor.process(axis_advisor::AdvisorImportId(id)).await.unwrap();
    let (status, body) = get(app, token, &format!("/api/v1/advisor-imports/{id}")).await;
    assert_eq!(status, 200);
    body
}

/// A client granted to the matrix's in-scope people, with a completed import (and its
/// findings), a second import still waiting, and a catalogue entry.
async fn fixture(app: &TestApp, people: &People) -> BTreeMap<String, String> {
    let granted: Vec<_> = people.granted().iter().map(|person| person.user.id).collect();
    let client = ClientBuilder::new().granted_to(&granted).insert(app).await.client.id;
    let done = import(app, client, SAMPLE.to_vec(), true).await;
    let waiting = import(app, client, SAMPLE.to_vec(), false).await;
    let finding = sql_finding(app, client).await;
    BTreeMap::from([
        ("client".to_owned(), client.to_string()),
        ("import".to_owned(), done.id.to_string()),
        ("waiting".to_owned(), waiting.id.to_string()),
        ("finding".to_owned(), finding),
    ])
}

async fn sql_finding(app: &TestApp, client: ClientId) -> String {
    let operator = axis_kernel::Actor::command_line();
    let page = axis_kernel::PageRequest::first();
    let findings =
        app.wiring.advisor.findings(&operator, client, Default::default(), false, page).await.unwrap();
    findings.items[0].id.to_string()
}

fn advisor_routes() -> Vec<Route> {
    use ClientAction::{Edit, Manage, Read};
    vec![
        Route::new("GET", "/api/v1/advisor-imports/{import}", Read, 200),
        Route::new("GET", "/api/v1/advisor-imports/{import}/analysis", Read, 200),
        Route::new("GET", "/api/v1/advisor-imports/{import}/recommendations", Read, 200),
        Route::new("GET", "/api/v1/advisor-imports/{import}/errors", Read, 200),
        Route::new("GET", "/api/v1/advisor-imports/{import}/diff", Read, 200),
        Route::new("GET", "/api/v1/clients/{client}/advisor-imports", Read, 200),
        Route::new("GET", "/api/v1/clients/{client}/advisor-trend", Read, 200),
        Route::new("GET", "/api/v1/clients/{client}/findings", Read, 200),
        Route::new("GET", "/api/v1/findings/{finding}", Read, 200),
        Route::new("PATCH", "/api/v1/findings/{finding}", Edit, 200)
            .body(json!({"status": "in_progress", "notes": "ticket 42"})),
        Route::new("PUT", "/api/v1/advisor-imports/{import}/advisor-score", Edit, 200).body(json!({"score": "65"})),
        Route::new("POST", "/api/v1/advisor-imports/{waiting}/cancel", Edit, 200),
        Route::new("POST", "/api/v1/advisor-imports/{import}/reprocess", Edit, 200),
        Route::new("POST", "/api/v1/advisor-imports/{import}/recommendations", Manage, 200).body(json!({
            "recommendations": [{"category": "security", "impact": "high", "recommendation": "Rotate the keys",
                                 "resource_name": "kv-prod"}]
        })),
        Route::new("POST", "/api/v1/clients/{client}/advisor-imports", Edit, 201).upload(
            &[("advisor_score", "61")],
            "Advisor_2025-11-24.csv",
            SAMPLE,
        ),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn role_and_scope_matrix_for_every_advisor_route() {
    let app = spawn_app().await;
    let people = People::sign_in(&app).await;
    let mismatches = matrix::run(&app, &people, &advisor_routes(), |_| fixture(&app, &people)).await;
    assert!(mismatches.is_empty(), "{} mismatches:\n{}", mismatches.len(), mismatches.join("\n"));
}

#[tokio::test(flavor = "multi_thread")]
async fn every_advisor_write_rolls_back_when_its_audit_record_cannot_be_written() {
    let app = spawn_app().await;
    let people = People::sign_in(&app).await;
    let failures = matrix::writes_roll_back_without_their_audit(&app, &people, &advisor_routes(), |_| {
        fixture(&app, &people)
    })
    .await;
    assert!(failures.is_empty(), "{} writes kept without audit:\n{}", failures.len(), failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_upload_is_read_by_its_job_into_an_analysis_rows_and_errors() {
    let app = spawn_app().await;
    let analyst = app.logged_in(Role::Analyst).await;
    let client = ClientBuilder::new().granted_to(&[analyst.user.id]).insert(&app).await.client.id;
    let token = analyst.access_token.as_str();
    // The sample, plus a bad row, a duplicate and a hostile one.
    let mut file = SAMPLE.to_vec();
    file.extend_from_slice(b"Sustainability,Critical,Bad row,s,S,rg,vm,Disk,,,,,,,,,\r\n");
    file.extend_from_slice(b"Cost,High,Right-size or shutdown underutilized virtual machines,5f0c2a4e-8b1d-4c3a-9e27-1a2b3c4d5e6f,Contoso Production,rg-prod-app,vm-app-01,Virtual machine,,,1,USD,,No data,,,\r\n");
    file.extend_from_slice(
        b"Security,High,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",s1,Sub,rg,<script>alert(1)</script>,{{7*7}},,-2+3,,,,No data,,,\r\n",
    );
    let import = upload_and_run(&app, token, client, form(&[], "Advisor_export.csv", file)).await;
    assert_eq!(import["status"], "completed", "{import}");
    assert_eq!(import["format"], "portal_17");
    assert_eq!(
        import["counts"],
        json!({"rows": 17, "accepted": 15, "duplicate": 1, "rejected": 1, "manual": 0})
    );
    let id = import["id"].as_str().unwrap();

    let (status, analysis) = get(&app, token, &format!("/api/v1/advisor-imports/{id}/analysis")).await;
    assert_eq!(status, 200, "{analysis}");
    assert_eq!(analysis["recommendations"], 15);
    assert_eq!(
        analysis["savings"],
        json!([{"currency": "USD", "annual": "6684.00", "monthly": "557.00", "recommendations": 1}])
    );
    assert_eq!(analysis["commitments"].as_array().unwrap().len(), 2, "reservations apart, never summed");
    assert_eq!(analysis["advisor_score"], Value::Null, "never invented");
    assert!(analysis["effort"]["matched"].as_u64().unwrap() >= 14, "the seeded catalogue prices the sample");

    let (status, errors) = get(&app, token, &format!("/api/v1/advisor-imports/{id}/errors")).await;
    assert_eq!(status, 200);
    let lines: Vec<(u64, &str)> = errors["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_u64().unwrap(), e["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(lines, [(16, "rejected"), (16, "rejected"), (17, "duplicate")]);

    let (status, page) =
        get(&app, token, &format!("/api/v1/advisor-imports/{id}/recommendations?limit=5")).await;
    assert_eq!(status, 200);
    assert_eq!(page["pagination"]["total"], 15);
    let first: Vec<(&str, Option<&str>)> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["impact"].as_str().unwrap(), r["annual_savings"]["amount"].as_str()))
        .collect();
    assert_eq!(
        first[..3],
        [("high", Some("12604.00")), ("high", Some("10490.00")), ("high", Some("6684.00"))]
    );
    let (_, security) = get(
        &app,
        token,
        &format!("/api/v1/advisor-imports/{id}/recommendations?category=security&has_savings=false"),
    )
    .await;
    assert_eq!(security["pagination"]["total"], 4);
    let (_, searched) =
        get(&app, token, &format!("/api/v1/advisor-imports/{id}/recommendations?search=script")).await;
    let hostile = &searched["data"][0];
    assert_eq!(hostile["recommendation"], "=HYPERLINK(\"http://evil.example\",\"x\")", "stored verbatim");
    assert_eq!(hostile["resource_name"], "<script>alert(1)</script>");
    assert_eq!(hostile["resource_type"], "{{7*7}}");
    assert_eq!(hostile["potential_benefits"], "-2+3");

    let csv = app
        .get(&format!("/api/v1/advisor-imports/{id}/recommendations?search=script"))
        .bearer_auth(token)
        .header("Accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    let data = text.lines().nth(1).unwrap();
    assert!(data.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\""), "{data}");
    assert!(data.contains(",'-2+3,"), "escaped on output only: {data}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_json_and_a_category_view_are_imports_too() {
    let app = spawn_app().await;
    let analyst = app.logged_in(Role::Analyst).await;
    let client = ClientBuilder::new().granted_to(&[analyst.user.id]).insert(&app).await.client.id;
    let token = analyst.access_token.as_str();
    let path = format!("/api/v1/clients/{client}/advisor-imports");
    let mut document: Value = serde_json::from_slice(API_SAMPLE).unwrap();
    document["advisorScore"] = json!({"value": [{"name": "Advisor", "properties": {"lastRefreshedScore": {"score": 65, "date": "2025-11-24"}}}]});
    let (status, body) = json(app.post(&path).bearer_auth(token).json(&document).send().await.unwrap()).await;
    assert_eq!(status, 201, "{body}");
    let id: uuid::Uuid = body["id"].as_str().unwrap().parse().unwrap();
    app.wiring.advisor.process(axis_advisor::AdvisorImportId(id)).await.unwrap();
    let (_, analysis) = get(&app, token, &format!("/api/v1/advisor-imports/{id}/analysis")).await;
    assert_eq!(analysis["recommendations"], 3);
    assert_eq!(analysis["advisor_score"]["overall"], "65");
    assert_eq!(analysis["advisor_score"]["source"], "api");
    let (status, refused) =
        json(app.post(&path).bearer_auth(token).json(&json!({"items": []})).send().await.unwrap()).await;
    assert_eq!((status, refused["errors"]["value"].is_array()), (422, true), "{refused}");

    let view =
        include_bytes!("../../../crates/advisor/tests/samples/advisor_sample_category_view.csv").to_vec();
    let without = upload_and_run(&app, token, client, form(&[], "view.csv", view.clone())).await;
    assert_eq!(without["status"], "failed");
    assert!(without["error"].as_str().unwrap().contains("Category"), "{without}");
    let with =
        upload_and_run(&app, token, client, form(&[("category", "reliability")], "view.csv", view)).await;
    assert_eq!(
        (with["status"].as_str(), with["format"].as_str()),
        (Some("completed"), Some("category_view"))
    );
    let (status, refused) = json(
        app.post(&path)
            .bearer_auth(token)
            .multipart(form(&[], "export.xlsx", SAMPLE.to_vec()))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
}

/// The findings of a client by status.
async fn statuses(app: &TestApp, token: &str, client: ClientId) -> BTreeMap<String, (String, Value)> {
    let (_, page) = get(app, token, &format!("/api/v1/clients/{client}/findings?limit=100")).await;
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let key = f["resource_name"].as_str().unwrap_or("").to_owned();
            (key, (f["status"].as_str().unwrap().to_owned(), f.clone()))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn two_snapshots_compare_and_carry_each_findings_status() {
    let app = spawn_app().await;
    let analyst = app.logged_in(Role::Analyst).await;
    let client = ClientBuilder::new().granted_to(&[analyst.user.id]).insert(&app).await.client.id;
    let token = analyst.access_token.as_str();
    // Snapshot 1: findings 0–9. Snapshot 2: 2–11 (0 and 1 gone, 10 and 11 new, 6 saves 1,000 more).
    let first: Vec<String> = (0..10).map(|n| row(n, "t")).collect();
    let mut second: Vec<String> = (2..12).map(|n| row(n, "t")).collect();
    second[4] = second[4].replace("\"7,006\"", "\"8,006\"");
    let file = |rows: &[String]| format!("{HEADER}\r\n{}\r\n", rows.join("\r\n")).into_bytes();
    let one = upload_and_run(&app, token, client, form(&[], "one.csv", file(&first))).await;
    let before = statuses(&app, token, client).await;
    assert_eq!(before.len(), 10);
    // Work on two findings: one that persists, one that will disappear.
    let (persisting, gone) = (&before["res-t-2"].1, &before["res-t-0"].1);
    let owner = analyst.user.id.to_string();
    let change =
        json!({"status": "in_progress", "owner_id": owner, "due_date": "2026-01-31", "notes": "ticket 7"});
    let (status, body) = json(
        app.patch(&format!("/api/v1/findings/{}", persisting["id"].as_str().unwrap()))
            .bearer_auth(token)
            .json(&change)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let dismiss = json!({"status": "dismissed"});
    let (status, refused) = json(
        app.patch(&format!("/api/v1/findings/{}", gone["id"].as_str().unwrap()))
            .bearer_auth(token)
            .json(&dismiss)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, refused["errors"]["dismissed_reason"].is_array()), (422, true), "{refused}");
    // The other finding that will disappear is marked done, with a note.
    let done = json!({"status": "done", "notes": "fixed in the portal"});
    let (status, body) = json(
        app.patch(&format!("/api/v1/findings/{}", before["res-t-1"].1["id"].as_str().unwrap()))
            .bearer_auth(token)
            .json(&done)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let two = upload_and_run(&app, token, client, form(&[], "two.csv", file(&second))).await;
    let id = two["id"].as_str().unwrap();
    let (status, diff) = get(&app, token, &format!("/api/v1/advisor-imports/{id}/diff?limit=100")).await;
    assert_eq!(status, 200, "{diff}");
    assert_eq!(diff["previous_import_id"], one["id"]);
    assert_eq!(diff["summary"]["new"]["count"], 2);
    assert_eq!(diff["summary"]["resolved"]["count"], 2);
    assert_eq!(diff["summary"]["persisting"]["count"], 8);
    assert_eq!(
        diff["summary"]["persisting"]["annual_savings_delta"],
        json!([{"currency": "USD", "amount": "1000.00"}])
    );
    let (_, resolved_only) =
        get(&app, token, &format!("/api/v1/advisor-imports/{id}/diff?change=resolved")).await;
    assert_eq!(resolved_only["items"]["pagination"]["total"], 2);

    let after = statuses(&app, token, client).await;
    assert_eq!(after.len(), 12);
    let carried = &after["res-t-2"];
    assert_eq!(carried.0, "in_progress", "carried to the next snapshot");
    assert_eq!(
        (carried.1["notes"].as_str(), carried.1["due_date"].as_str()),
        (Some("ticket 7"), Some("2026-01-31"))
    );
    assert_eq!(carried.1["overdue"], true, "past its due date and still in progress");
    assert_eq!(after["res-t-0"].0, "resolved", "gone from the newer export");
    assert_eq!(after["res-t-1"].0, "resolved", "gone, though someone had marked it done");
    assert_eq!(after["res-t-1"].1["notes"], "fixed in the portal");
    assert_eq!(
        after["res-t-0"].1["resolved_at"], two["finished_at"],
        "resolved by the snapshot that lacks it"
    );
    assert_eq!(after["res-t-0"].1["last_import_id"], one["id"]);
    assert_eq!(after["res-t-11"].0, "open");
    let (status, refused) = json(
        app.patch(&format!("/api/v1/findings/{}", after["res-t-0"].1["id"].as_str().unwrap()))
            .bearer_auth(token)
            .json(&json!({"status": "open"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422, "an export reopens a resolved finding, not a person: {refused}");
    let (_, resolved) = get(&app, token, &format!("/api/v1/clients/{client}/findings?status=resolved")).await;
    assert_eq!(resolved["pagination"]["total"], 2);
    // An import's rows carry their findings' status as of now, in the older snapshot too.
    let one_id = one["id"].as_str().unwrap();
    for (import, status, total) in [
        (one_id, "resolved", 2),
        (one_id, "in_progress", 1),
        (id, "in_progress", 1),
        (id, "resolved", 0),
        (id, "open", 9),
    ] {
        let (_, rows) =
            get(&app, token, &format!("/api/v1/advisor-imports/{import}/recommendations?status={status}"))
                .await;
        assert_eq!(rows["pagination"]["total"], total, "{import} {status}: {rows}");
    }
    let (_, overdue) = get(&app, token, &format!("/api/v1/clients/{client}/findings?overdue=true")).await;
    assert_eq!(overdue["pagination"]["total"], 1);
    let (status, refused) = json(
        app.patch(&format!("/api/v1/findings/{}", after["res-t-11"].1["id"].as_str().unwrap()))
            .bearer_auth(token)
            .json(&json!({"status": "resolved"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422, "resolved is axis's to set: {refused}");

    // A third snapshot with finding 0 again reopens it.
    let third: Vec<String> = (0..12).map(|n| row(n, "t")).collect();
    upload_and_run(&app, token, client, form(&[], "three.csv", file(&third))).await;
    let reopened = statuses(&app, token, client).await;
    assert_eq!(reopened["res-t-0"].0, "open");
    assert_eq!(reopened["res-t-1"].0, "open", "back in an export: open again, not done");
    assert_eq!(reopened["res-t-1"].1["notes"], "fixed in the portal", "its notes kept");
    let (_, trend) = get(&app, token, &format!("/api/v1/clients/{client}/advisor-trend")).await;
    let counts: Vec<u64> =
        trend.as_array().unwrap().iter().map(|p| p["recommendations"].as_u64().unwrap()).collect();
    assert_eq!(counts, [10, 10, 12]);
    // Reprocessing the newest gives the same snapshot and keeps the statuses.
    let latest = statuses(&app, token, client).await;
    let (_, imports) = get(&app, token, &format!("/api/v1/clients/{client}/advisor-imports")).await;
    let newest = imports["data"][0]["id"].as_str().unwrap().to_owned();
    let (status, _) = act(&app, token, &newest, "reprocess").await;
    assert_eq!(status, 200);
    app.wiring.advisor.process(axis_advisor::AdvisorImportId(newest.parse().unwrap())).await.unwrap();
    let again = statuses(&app, token, client).await;
    let status_of = |m: &BTreeMap<String, (String, Value)>| {
        m.iter().map(|(k, v)| (k.clone(), v.0.clone())).collect::<Vec<_>>()
    };
    assert_eq!(status_of(&again), status_of(&latest));
    let rows = sql_count(
        &app,
        &format!("SELECT count(*) AS n FROM advisor_recommendations WHERE import_id = '{newest}'"),
    )
    .await;
    assert_eq!(rows, 12, "the same rows once, not twice");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_dropped_while_storing_leaves_nothing_and_the_next_attempt_stores_each_row_once() {
    let app = spawn_app().await;
    let client = ClientBuilder::new().insert(&app).await.client.id;
    // Snapshot 1 has finding 0, which snapshot 2 lacks, and someone gave it a state (as a PATCH
    // does): storing snapshot 2 marks that state resolved, after every row of snapshot 2 is
    // written. The test holds the state's row lock, so the store waits there, in the middle of
    // its transaction, and the job is dropped at that point.
    let first = import(&app, client, export(1, "k"), true).await;
    let given = sql_count(
        &app,
        &format!(
            "WITH s AS (INSERT INTO advisor_findings (id, client_id, status, updated_at, version) \
             SELECT finding_id, '{client}', 'in_progress', now(), 2 FROM advisor_recommendations \
             WHERE import_id = '{}' RETURNING 1) SELECT count(*) AS n FROM s",
            first.id
        ),
    )
    .await;
    assert_eq!(given, 1);
    let rows = 20_000;
    let mut file = HEADER.to_owned();
    for n in 1..=rows {
        file.push_str("\r\n");
        file.push_str(&row(n, "k"));
    }
    let second = import(&app, client, file.into_bytes(), false).await;
    let mut holder = app.db.connect().await;
    holder
        .batch_execute(&format!(
            "BEGIN; SELECT id FROM advisor_findings WHERE client_id = '{client}' FOR UPDATE"
        ))
        .await
        .unwrap();
    let advisor = app.wiring.advisor.clone();
    let job = tokio::spawn(async move { advisor.process(second.id).await });
    let waiting = eventually(Duration::from_secs(60), || async {
        let n = sql_count(
            &app,
            "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%advisor_findings%'",
        )
        .await;
        (n > 0).then_some(())
    })
    .await;
    assert!(waiting.is_some(), "the job reached the resolve step");
    job.abort();
    assert!(job.await.unwrap_err().is_cancelled());
    holder.batch_execute("ROLLBACK").await.unwrap();
    let gone = eventually(Duration::from_secs(30), || async {
        let active = sql_count(
            &app,
            "SELECT count(*) AS n FROM pg_stat_activity WHERE state <> 'idle' AND query LIKE '%advisor_findings%' AND pid <> pg_backend_pid()",
        )
        .await;
        (active == 0).then_some(())
    })
    .await;
    assert!(gone.is_some(), "the dropped job's transaction ended");
    let stored = sql_count(
        &app,
        &format!("SELECT count(*) AS n FROM advisor_recommendations WHERE import_id = '{}'", second.id),
    )
    .await;
    assert_eq!(stored, 0, "nothing of the dropped attempt");
    let operator = axis_kernel::Actor::command_line();
    assert_eq!(app.wiring.advisor.get(&operator, second.id).await.unwrap().status.as_str(), "processing");

    let processed = app.wiring.advisor.process(second.id).await.unwrap();
    assert!(
        matches!(processed, Processed::Completed(counts) if counts.accepted == rows as u64),
        "{processed:?}"
    );
    let done = app.wiring.advisor.get(&operator, second.id).await.unwrap();
    assert_eq!((done.status.as_str(), done.attempts), ("completed", 2));
    let stored = sql_count(
        &app,
        &format!("SELECT count(*) AS n FROM advisor_recommendations WHERE import_id = '{}'", second.id),
    )
    .await;
    assert_eq!(stored, rows as i64, "each accepted row once");
}

#[tokio::test(flavor = "multi_thread")]
async fn cancel_reprocess_and_the_score_follow_the_import() {
    let app = spawn_app().await;
    let analyst = app.logged_in(Role::Analyst).await;
    let client = ClientBuilder::new().granted_to(&[analyst.user.id]).insert(&app).await.client.id;
    let token = analyst.access_token.as_str();
    let waiting = import(&app, client, SAMPLE.to_vec(), false).await;
    let (status, body) = get(&app, token, &format!("/api/v1/advisor-imports/{}/analysis", waiting.id)).await;
    assert_eq!(status, 409, "{body}");
    let (status, cancelled) = act(&app, token, waiting.id, "cancel").await;
    assert_eq!((status, cancelled["status"].as_str()), (200, Some("cancelled")));
    assert_eq!(
        app.wiring.advisor.process(waiting.id).await.unwrap(),
        Processed::Skipped(axis_advisor::AdvisorImportStatus::Cancelled)
    );
    let (status, _) = act(&app, token, waiting.id, "cancel").await;
    assert_eq!(status, 409, "already cancelled");
    let (status, again) = act(&app, token, waiting.id, "reprocess").await;
    assert_eq!((status, again["status"].as_str()), (200, Some("uploaded")));
    app.wiring.advisor.process(waiting.id).await.unwrap();
    let path = format!("/api/v1/advisor-imports/{}/advisor-score", waiting.id);
    let (status, scored) =
        json(app.put(&path).bearer_auth(token).json(&json!({"score": "72.5"})).send().await.unwrap()).await;
    assert_eq!(status, 200, "{scored}");
    assert_eq!(scored["advisor_score"]["overall"], "72.5");
    let (_, analysis) = get(&app, token, &format!("/api/v1/advisor-imports/{}/analysis", waiting.id)).await;
    assert_eq!(analysis["advisor_score"]["source"], "manual");
    let (status, _) =
        json(app.put(&path).bearer_auth(token).json(&json!({"score": "101"})).send().await.unwrap()).await;
    assert_eq!(status, 422);
    let (status, _) = json(
        app.put(&path)
            .bearer_auth(token)
            .header("If-Match", "\"1\"")
            .json(&json!({"score": "50"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 412, "a stale version");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_catalogue_is_read_by_all_and_kept_by_managers() {
    let app = spawn_app().await;
    let (manager, analyst) = (app.logged_in(Role::Manager).await, app.logged_in(Role::Analyst).await);
    let (status, page) = get(&app, &analyst.access_token, "/api/v1/advisor-catalogue?search=reserved").await;
    assert_eq!((status, page["pagination"]["total"].as_u64()), (200, Some(1)), "seeded defaults");
    let entry = json!({"recommendation": "Enable MFA for admins", "effort_hours": "1.5", "monthly_investment": "0",
                       "currency": "usd", "risk_probability": 4, "risk_impact": 5, "billing_increase": false});
    let (status, _) = json(
        app.post("/api/v1/advisor-catalogue")
            .bearer_auth(&analyst.access_token)
            .json(&entry)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 403);
    let (status, created) = json(
        app.post("/api/v1/advisor-catalogue")
            .bearer_auth(&manager.access_token)
            .json(&entry)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!((created["effort_hours"].as_str(), created["currency"].as_str()), (Some("1.50"), Some("USD")));
    let (status, taken) = json(
        app.post("/api/v1/advisor-catalogue")
            .bearer_auth(&manager.access_token)
            .json(&entry)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 409, "{taken}");
    let bad = json!({"effort_hours": "1001", "risk_probability": 0, "risk_impact": 6, "billing_increase": true, "monthly_investment": "5"});
    let (status, refused) = json(
        app.post("/api/v1/advisor-catalogue")
            .bearer_auth(&manager.access_token)
            .json(&bad)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = refused["errors"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(fields, ["currency", "effort_hours", "recommendation", "risk_impact", "risk_probability"]);
    let id = created["id"].as_str().unwrap();
    let (status, _) = json(
        app.delete(&format!("/api/v1/advisor-catalogue/{id}"))
            .bearer_auth(&manager.access_token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 204);
}

/// An export stored by an upload that never recorded it (a crash in between) is removed by
/// the sweep once it is an hour old; recorded exports and other areas' files stay.
#[tokio::test(flavor = "multi_thread")]
async fn the_sweep_removes_exports_no_import_names() {
    let app = spawn_app().await;
    let client = ClientBuilder::new().insert(&app).await.client.id;
    let kept = import(&app, client, SAMPLE.to_vec(), false).await;
    let orphan = app.blob_dir.join("advisor-imports/2026/01/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
    let document = app.blob_dir.join("documents/2026/01/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c");
    for path in [&orphan, &document] {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, b"Category,Business Impact,Recommendation\n").unwrap();
    }
    for file in files_under(&app.blob_dir) {
        let touched =
            std::process::Command::new("touch").args(["-d", "2 hours ago"]).arg(&file).status().unwrap();
        assert!(touched.success());
    }
    assert_eq!(app.wiring.advisor.sweep_unrecorded_files().await.unwrap(), 1);
    let mut left: Vec<String> =
        files_under(&app.blob_dir).iter().map(|p| p.to_string_lossy().into_owned()).collect();
    left.sort();
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(left.iter().any(|path| path.ends_with(kept.file.key.as_str())), "{left:?}");
    assert!(left.iter().any(|path| path.contains("/documents/")), "{left:?}");
    let removed =
        "SELECT count(*) AS n FROM audit_logs WHERE action = 'advisor_import.unrecorded_files_removed'";
    assert_eq!(sql_count(&app, removed).await, 1);
}
