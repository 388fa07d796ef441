//! Advisor reports through the API: every route × every kind of caller, writes that roll back
//! without their audit record, each of the five types rendered by its job to HTML, PDF and
//! XLSX and read back with real readers (pdftotext, calamine), hostile values as text, a
//! report made stale by reprocessing its import.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

use axis_kernel::{ClientAction, Role};
use axis_reports::{Rendered, ReportId};
use axis_testkit::advisor::import;
use axis_testkit::matrix::{self, People, Route};
use axis_testkit::{ClientBuilder, TestApp, spawn_app};
use calamine::{Data, Reader, Xlsx};
use serde_json::{Value, json};

use crate::support::{json, sql_count};

const SAMPLE: &[u8] = include_bytes!("../../../crates/advisor/tests/samples/advisor_sample.csv");

async fn get(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    json(app.get(path).bearer_auth(token).send().await.unwrap()).await
}

async fn bytes(app: &TestApp, token: &str, path: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let response = app.get(path).bearer_auth(token).send().await.unwrap();
    let (status, headers) = (response.status().as_u16(), response.headers().clone());
    (status, headers, response.bytes().await.unwrap().to_vec())
}

/// Asks for a report and runs the job it queued.
async fn report(app: &TestApp, token: &str, import: &str, body: Value) -> Value {
    let path = format!("/api/v1/advisor-imports/{import}/reports");
    let (status, made) = json(app.post(&path).bearer_auth(token).json(&body).send().await.unwrap()).await;
    assert_eq!((status, made["status"].as_str()), (201, Some("queued")), "{made}");
    let id = ReportId(made["id"].as_str().unwrap().parse().unwrap());
    assert_eq!(app.wiring.reports.render(id).await.unwrap(), Rendered::Ready);
    let (status, ready) = get(app, token, &format!("/api/v1/reports/{id}")).await;
    assert_eq!((status, ready["status"].as_str()), (200, Some("ready")), "{ready}");
    ready
}

fn pdf_text(pdf: &[u8]) -> String {
    let mut child = Command::new("pdftotext")
        .args(["-layout", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(pdf).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn sheet(xlsx: &[u8]) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx.to_vec())).unwrap();
    book.worksheet_range("Action plan").unwrap().rows().map(|row| row.to_vec()).collect()
}

async fn fixture(app: &TestApp, people: &People) -> BTreeMap<String, String> {
    let granted: Vec<_> = people.granted().iter().map(|person| person.user.id).collect();
    let client = ClientBuilder::new().granted_to(&granted).insert(app).await.client.id;
    let done = import(app, client, SAMPLE.to_vec(), true).await;
    let operator = axis_kernel::Actor::command_line();
    let request = axis_reports::ReportRequest {
        report_type: Some(axis_reports::ReportType::Executive),
        options: Default::default(),
    };
    let made = app.wiring.reports.create(&operator, done.id, request).await.unwrap();
    app.wiring.reports.render(made.id).await.unwrap();
    let fields = axis_reports::ShareFields {
        permission: Some(axis_reports::SharePermission::View),
        expires_at: Some(time::OffsetDateTime::now_utc() + time::Duration::days(7)),
        recipient_email: None,
    };
    let (share, _) = app.wiring.reports.create_share(&operator, made.id, fields).await.unwrap();
    BTreeMap::from([
        ("client".to_owned(), client.to_string()),
        ("import".to_owned(), done.id.to_string()),
        ("report".to_owned(), made.id.to_string()),
        ("share".to_owned(), share.id.to_string()),
    ])
}

fn in_days(days: i64) -> String {
    (time::OffsetDateTime::now_utc() + time::Duration::days(days))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

fn report_routes() -> Vec<Route> {
    use ClientAction::{Edit, Manage, Read};
    vec![
        Route::new("POST", "/api/v1/reports/{report}/shares", Manage, 201)
            .body(json!({"permission": "view", "expires_at": in_days(7)})),
        Route::new("GET", "/api/v1/reports/{report}/shares", Manage, 200),
        Route::new("GET", "/api/v1/reports/{report}/shares/{share}/accesses", Manage, 200),
        Route::new("DELETE", "/api/v1/reports/{report}/shares/{share}", Manage, 204),
        Route::new("POST", "/api/v1/advisor-imports/{import}/reports", Edit, 201)
            .body(json!({"report_type": "cost", "options": {"currency": "USD"}})),
        Route::new("GET", "/api/v1/reports/{report}", Read, 200),
        Route::new("GET", "/api/v1/reports/{report}/download/pdf", Read, 200),
        Route::new("GET", "/api/v1/clients/{client}/reports", Read, 200),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn role_and_scope_matrix_for_every_report_route() {
    let app = spawn_app().await;
    let people = People::sign_in(&app).await;
    let mismatches = matrix::run(&app, &people, &report_routes(), |_| fixture(&app, &people)).await;
    assert!(mismatches.is_empty(), "{} mismatches:\n{}", mismatches.len(), mismatches.join("\n"));
}

#[tokio::test(flavor = "multi_thread")]
async fn every_report_write_rolls_back_when_its_audit_record_cannot_be_written() {
    let app = spawn_app().await;
    let people = People::sign_in(&app).await;
    let failures = matrix::writes_roll_back_without_their_audit(&app, &people, &report_routes(), |_| {
        fixture(&app, &people)
    })
    .await;
    assert!(failures.is_empty(), "{} writes kept without audit:\n{}", failures.len(), failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread")]
async fn each_report_type_is_rendered_to_html_pdf_and_xlsx_with_the_analysis_totals() {
    let app = spawn_app().await;
    let analyst = app.logged_in(Role::Analyst).await;
    let client = ClientBuilder::new()
        .name("Fabrikam Holdings")
        .granted_to(&[analyst.user.id])
        .insert(&app)
        .await
        .client
        .id;
    let token = analyst.access_token.as_str();
    let done = import(&app, client, SAMPLE.to_vec(), true).await;
    let import_id = done.id.to_string();
    for kind in ["detailed", "executive", "cost", "security", "operations"] {
        let ready = report(&app, token, &import_id, json!({"report_type": kind})).await;
        let id = ready["id"].as_str().unwrap();
        assert_eq!(ready["files"].as_array().unwrap().len(), 3, "{ready}");

        let (status, headers, html) =
            bytes(&app, token, &format!("/api/v1/reports/{id}/download/html")).await;
        assert_eq!(status, 200);
        assert!(headers["content-disposition"].to_str().unwrap().starts_with("attachment"));
        assert_eq!(headers["x-content-type-options"], "nosniff");
        let html = String::from_utf8(html).unwrap();
        assert!(html.contains("Fabrikam Holdings") && html.contains("<svg"), "{kind}: the HTML");

        let (status, headers, pdf) = bytes(&app, token, &format!("/api/v1/reports/{id}/download/pdf")).await;
        assert_eq!((status, headers["content-type"].to_str().unwrap()), (200, "application/pdf"));
        let text = pdf_text(&pdf);
        assert!(text.contains("Fabrikam Holdings"), "{kind}: the client on the PDF");
        // The totals the report's own analysis gives (the report type's share of the import).
        let view_total = expected_total(&app, &import_id, kind).await;
        assert!(
            text.contains(&format!("{view_total}\n")) || text.contains(&format!("{view_total} ")),
            "{kind}: {view_total} in the PDF"
        );

        let (status, _, xlsx) = bytes(&app, token, &format!("/api/v1/reports/{id}/download/xlsx")).await;
        assert_eq!(status, 200);
        assert_eq!(sheet(&xlsx).len() as u64, view_total + 1, "{kind}: one row per finding, and the header");
    }
    let (_, list) = get(&app, token, &format!("/api/v1/clients/{client}/reports")).await;
    assert_eq!(list["pagination"]["total"], 5);
}

/// How many recommendations a report of `kind` covers, counted in the import's rows.
async fn expected_total(app: &TestApp, import: &str, kind: &str) -> u64 {
    let of_kind = match kind {
        "cost" => "(category = 'cost' OR annual_savings IS NOT NULL)",
        "security" => "category = 'security'",
        "operations" => "category IN ('reliability', 'operational_excellence', 'performance')",
        _ => "true",
    };
    let query = format!(
        "SELECT count(*) AS n FROM advisor_recommendations WHERE import_id = '{import}' AND {of_kind}"
    );
    sql_count(app, &query).await.unsigned_abs()
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_names_and_texts_stay_text_and_a_reprocessed_import_makes_its_reports_stale() {
    let app = spawn_app().await;
    let analyst = app.logged_in(Role::Analyst).await;
    let hostile = "<script>alert(1)</script> {{7*7}} #set page =HYPERLINK(\"http://x\")";
    let client =
        ClientBuilder::new().name(hostile).granted_to(&[analyst.user.id]).insert(&app).await.client.id;
    let token = analyst.access_token.as_str();
    let csv = String::from_utf8_lossy(SAMPLE).replacen(
        "Right-size or shutdown underutilized virtual machines",
        "=HYPERLINK(http://x) <script>x</script>",
        1,
    );
    let done = import(&app, client, csv.into_bytes(), true).await;
    let ready = report(&app, token, &done.id.to_string(), json!({"report_type": "detailed"})).await;
    let id = ready["id"].as_str().unwrap();

    let (_, _, html) = bytes(&app, token, &format!("/api/v1/reports/{id}/download/html")).await;
    let html = String::from_utf8(html).unwrap();
    assert!(!html.contains("<script>"), "no script from data");
    assert!(html.contains("{{7*7}}"), "a template in a name is not run");
    let (_, _, pdf) = bytes(&app, token, &format!("/api/v1/reports/{id}/download/pdf")).await;
    let text = pdf_text(&pdf);
    assert!(text.contains("#set page") && text.contains("{{7*7}}") && text.contains("=HYPERLINK"), "{text}");
    let (_, _, xlsx) = bytes(&app, token, &format!("/api/v1/reports/{id}/download/xlsx")).await;
    let cells: Vec<Data> = sheet(&xlsx).into_iter().flatten().collect();
    assert!(cells.contains(&Data::String("=HYPERLINK(http://x) <script>x</script>".into())), "a text cell");

    // Not stale until its import is read again.
    assert_eq!(ready["stale"], false);
    let (status, _) = json(
        app.post(&format!("/api/v1/advisor-imports/{}/reprocess", done.id))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let (_, stale) = get(&app, token, &format!("/api/v1/reports/{id}")).await;
    assert_eq!(stale["stale"], true, "{stale}");
    let (status, refused) = json(
        app.post(&format!("/api/v1/advisor-imports/{}/reports", done.id))
            .bearer_auth(token)
            .json(&json!({"report_type": "cost"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 409, "a report of an import being read again waits: {refused}");
    let (status, refused) = json(
        app.post(&format!("/api/v1/advisor-imports/{}/reports", done.id))
            .bearer_auth(token)
            .json(&json!({"report_type": "cost", "options": {"currency": "usd dollars"}}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_share_link_opens_its_report_as_allowed_until_revoked_and_every_opening_is_logged() {
    let app = spawn_app().await;
    let manager = app.logged_in(Role::Manager).await;
    let analyst = app.logged_in(Role::Analyst).await;
    let granted = [manager.user.id, analyst.user.id];
    let client = ClientBuilder::new().name("Tailspin Toys").granted_to(&granted).insert(&app).await.client.id;
    let done = import(&app, client, SAMPLE.to_vec(), true).await;
    let ready =
        report(&app, &analyst.access_token, &done.id.to_string(), json!({"report_type": "executive"})).await;
    let id = ready["id"].as_str().unwrap();
    let share = |token: &str, body: Value| {
        app.post(&format!("/api/v1/reports/{id}/shares")).bearer_auth(token.to_owned()).json(&body).send()
    };
    let (status, _) = json(
        share(&analyst.access_token, json!({"permission": "view", "expires_at": in_days(7)})).await.unwrap(),
    )
    .await;
    assert_eq!(status, 403, "analysts do not share");
    for (body, field) in [
        (json!({"permission": "view", "expires_at": in_days(91)}), "expires_at"),
        (json!({"permission": "view", "expires_at": in_days(-1)}), "expires_at"),
        (
            json!({"permission": "view", "expires_at": in_days(3), "recipient_email": "nobody"}),
            "recipient_email",
        ),
    ] {
        let (status, refused) = json(share(&manager.access_token, body).await.unwrap()).await;
        assert_eq!((status, refused["errors"][field].is_array()), (422, true), "{refused}");
    }
    let (status, view) = json(
        share(&manager.access_token, json!({"permission": "view", "expires_at": in_days(7), "recipient_email": "cfo@tailspin.example"}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{view}");
    let token = view["token"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 43);
    let stored = sql_count(
        &app,
        &format!("SELECT count(*) AS n FROM report_shares WHERE token_hash = sha256('{token}'::bytea)"),
    )
    .await;
    assert_eq!(stored, 1, "the hash is kept");
    let anywhere = sql_count(&app, &format!("SELECT count(*) AS n FROM audit_logs WHERE details::text LIKE '%{token}%' OR changes::text LIKE '%{token}%'")).await;
    assert_eq!(anywhere, 0, "the token itself is nowhere");

    // No account needed; the page is the report, locked down.
    let page = app
        .get(&format!("/api/v1/shared/{token}"))
        .header("User-Agent", "Mail client 1.0")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(headers["content-security-policy"].to_str().unwrap().contains("sandbox"));
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["cache-control"], "no-store");
    assert!(page.text().await.unwrap().contains("Tailspin Toys"));
    let (status, not_here) =
        json(app.get(&format!("/api/v1/shared/{token}/pdf")).send().await.unwrap()).await;
    assert_eq!(status, 404, "a view link does not download: {not_here}");

    let (status, download) = json(
        share(&manager.access_token, json!({"permission": "download", "expires_at": in_days(1)}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201);
    let download_token = download["token"].as_str().unwrap().to_owned();
    let response = app.get(&format!("/api/v1/shared/{download_token}/pdf")).send().await.unwrap();
    assert_eq!(
        (response.status().as_u16(), response.headers()["content-type"].to_str().unwrap()),
        (200, "application/pdf")
    );
    assert!(pdf_text(&response.bytes().await.unwrap()).contains("Tailspin Toys"));

    // Counted and logged, on the audit trail too.
    let (_, links) = get(&app, &manager.access_token, &format!("/api/v1/reports/{id}/shares")).await;
    let view_link = links.as_array().unwrap().iter().find(|l| l["id"] == view["id"]).unwrap().clone();
    assert_eq!(view_link["access_count"], 1);
    let view_id = view["id"].as_str().unwrap();
    let (_, log) =
        get(&app, &manager.access_token, &format!("/api/v1/reports/{id}/shares/{view_id}/accesses")).await;
    assert_eq!(
        (log["data"][0]["format"].as_str(), log["data"][0]["user_agent"].as_str()),
        (Some("html"), Some("Mail client 1.0"))
    );
    let audited =
        sql_count(&app, "SELECT count(*) AS n FROM audit_logs WHERE action = 'report_share.access'").await;
    assert_eq!(audited, 2);

    // Thirty openings a minute per link, then 429.
    let mut last = 0;
    for _ in 0..31 {
        last = app.get(&format!("/api/v1/shared/{download_token}")).send().await.unwrap().status().as_u16();
    }
    assert_eq!(last, 429);

    // Revoked, expired and unknown links are the same 404.
    let revoke = app
        .delete(&format!("/api/v1/reports/{id}/shares/{view_id}"))
        .bearer_auth(&manager.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), 204);
    let (status, revoked) = json(app.get(&format!("/api/v1/shared/{token}")).send().await.unwrap()).await;
    let (_, unknown) =
        json(app.get(&format!("/api/v1/shared/{}", "A".repeat(43))).send().await.unwrap()).await;
    assert_eq!(status, 404);
    assert_eq!(
        (revoked["type"].clone(), revoked["detail"].clone()),
        (unknown["type"].clone(), unknown["detail"].clone())
    );
    let (_, soon) = json(
        share(&manager.access_token, json!({"permission": "view", "expires_at": in_days(2)})).await.unwrap(),
    )
    .await;
    let soon_token = soon["token"].as_str().unwrap().to_owned();
    let expired = sql_count(
        &app,
        &format!(
            "WITH e AS (UPDATE report_shares SET created_at = now() - interval '2 days', expires_at = now() - interval '1 second' \
             WHERE id = '{}' RETURNING 1) SELECT count(*) AS n FROM e",
            soon["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(expired, 1);
    let (status, _) = json(app.get(&format!("/api/v1/shared/{soon_token}")).send().await.unwrap()).await;
    assert_eq!(status, 404, "expired");
}
