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
    BTreeMap::from([
        ("client".to_owned(), client.to_string()),
        ("import".to_owned(), done.id.to_string()),
        ("report".to_owned(), made.id.to_string()),
    ])
}

fn report_routes() -> Vec<Route> {
    use ClientAction::{Edit, Read};
    vec![
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
