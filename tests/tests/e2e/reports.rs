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
/// A 48 × 16 PNG.
const LOGO: &[u8] = include_bytes!("logo.png");

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
        template_id: None,
    };
    let made = app.wiring.reports.create(&operator, done.id, request).await.unwrap();
    app.wiring.reports.set_client_logo(&operator, client, LOGO).await.unwrap();
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
        Route::new("PUT", "/api/v1/clients/{client}/logo", Manage, 200).raw("image/png", LOGO),
        Route::new("GET", "/api/v1/clients/{client}/logo", Read, 200),
        Route::new("DELETE", "/api/v1/clients/{client}/logo", Manage, 204),
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
            .json(&json!({"report_type": "cost", "options": {"currency": "usd dollars", "subscriptions": ["sub\u{9b}"]}}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["errors"]["options.subscriptions"].is_array(), "a control character: {refused}");
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

/// Sends `bytes` as the body of `method path`, of `media_type`.
async fn send_raw(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    media_type: &str,
    bytes: Vec<u8>,
) -> (u16, Value) {
    let request = app.client.request(method.parse().unwrap(), app.url(path)).bearer_auth(token);
    json(request.header("Content-Type", media_type).body(bytes).send().await.unwrap()).await
}

async fn post_json(app: &TestApp, token: &str, path: &str, body: Value) -> (u16, Value) {
    json(app.post(path).bearer_auth(token).json(&body).send().await.unwrap()).await
}

async fn put_json(app: &TestApp, token: &str, path: &str, body: Value) -> (u16, Value) {
    json(app.put(path).bearer_auth(token).json(&body).send().await.unwrap()).await
}

#[tokio::test(flavor = "multi_thread")]
async fn templates_and_logos_brand_reports_and_every_value_stays_text() {
    let app = spawn_app().await;
    let manager = app.logged_in(Role::Manager).await;
    let analyst = app.logged_in(Role::Analyst).await;
    let viewer = app.logged_in(Role::Viewer).await;
    let client = ClientBuilder::new()
        .name("Wide World Importers")
        .granted_to(&[analyst.user.id, viewer.user.id])
        .insert(&app)
        .await
        .client
        .id;
    let (m, a, v) =
        (manager.access_token.as_str(), analyst.access_token.as_str(), viewer.access_token.as_str());
    let hostile = "<script>alert(1)</script> {{7*7}} #set page =HYPERLINK(\"http://x\")";
    let custom = "<html><body><h1 style=\"color: {{ brand.heading }}\">CUSTOM {{ report.title }}</h1>\
                  <p>{{ report.client }} by {{ report.firm }}: {{ report.totals.recommendations }}</p>\
                  {% if logo %}<img src=\"{{ logo }}\">{% endif %}{% if firm_logo %}<img src=\"{{ firm_logo }}\">{% endif %}\
                  {{ charts.categories }}</body></html>";
    let template = json!({
        "report_type": "executive", "name": "Northwind look", "is_default": true, "firm_name": hostile,
        "accent_colour": "#AA3300", "heading_colour": "#123456", "html": custom,
    });

    // Managers keep templates; everyone reads them.
    assert_eq!(post_json(&app, a, "/api/v1/report-templates", template.clone()).await.0, 403);
    let (status, made) = post_json(&app, m, "/api/v1/report-templates", template.clone()).await;
    assert_eq!(status, 201, "{made}");
    let template_id = made["id"].as_str().unwrap().to_owned();
    assert_eq!((made["revision"].as_i64(), made["accent_colour"].as_str()), (Some(1), Some("#aa3300")));
    let (status, list) = get(&app, v, "/api/v1/report-templates?report_type=executive").await;
    assert_eq!((status, list["pagination"]["total"].as_i64()), (200, Some(1)), "{list}");
    assert_eq!(post_json(&app, m, "/api/v1/report-templates", template.clone()).await.0, 409, "a taken name");

    // A template is tried before it is kept: what does not render is refused with why.
    for (html, says) in [
        ("{% for x in %}", "syntax error"),
        ("{{ report.nothing_here }}", "undefined"),
        ("{% include '/etc/passwd' %}", "not found"),
        ("{% autoescape false %}{{ report.client }}{% endautoescape %}", "autoescape"),
        (
            "{% macro f(n) %}{% if n < 40 %}{{ f(n+1) }}{{ f(n+1) }}{% endif %}{% endmacro %}{{ f(0) }}",
            "fuel",
        ),
    ] {
        let body = json!({"report_type": "cost", "name": format!("Broken {says}"), "html": html});
        let (status, refused) = post_json(&app, m, "/api/v1/report-templates", body).await;
        assert_eq!(status, 422, "{refused}");
        assert!(refused["errors"]["html"][0].as_str().unwrap().contains(says), "{refused}");
    }
    let (status, refused) = post_json(
        &app,
        m,
        "/api/v1/report-templates",
        json!({"report_type": "cost", "name": "Red", "accent_colour": "red"}),
    )
    .await;
    assert_eq!((status, refused["errors"]["accent_colour"].is_array()), (422, true), "{refused}");
    let templates = sql_count(&app, "SELECT count(*) AS n FROM report_templates").await;
    assert_eq!(templates, 1, "nothing refused was kept");

    // Logos: PNG, JPEG or SVG only, size-limited, rewritten; the SVG loses its script.
    let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" width="60" height="20" onload="alert(1)"><script>alert(2)</script><rect width="60" height="20" fill="#aa3300"/><image href="https://evil.example/x.png" width="5" height="5"/></svg>"##;
    let logo_path = format!("/api/v1/report-templates/{template_id}/logo");
    assert_eq!(send_raw(&app, a, "PUT", &logo_path, "image/svg+xml", svg.to_vec()).await.0, 403);
    let (status, branded) = send_raw(&app, m, "PUT", &logo_path, "image/svg+xml", svg.to_vec()).await;
    assert_eq!((status, branded["revision"].as_i64()), (200, Some(2)), "{branded}");
    let (status, headers, stored) = bytes(&app, v, &logo_path).await;
    assert_eq!((status, headers["content-type"].to_str().unwrap()), (200, "image/svg+xml"));
    assert!(headers["content-security-policy"].to_str().unwrap().contains("sandbox"));
    assert!(headers["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let stored = String::from_utf8(stored).unwrap();
    assert!(
        !stored.contains("script") && !stored.contains("onload") && !stored.contains("evil.example"),
        "{stored}"
    );

    let client_logo = format!("/api/v1/clients/{client}/logo");
    let (status, refused) =
        send_raw(&app, m, "PUT", &client_logo, "image/png", b"MZ\x90\x00 not a picture".to_vec()).await;
    assert_eq!((status, refused["errors"]["logo"].is_array()), (422, true), "{refused}");
    let (status, _) = send_raw(&app, m, "PUT", &client_logo, "application/x-msdownload", LOGO.to_vec()).await;
    assert_eq!(status, 415);
    let (status, _) = send_raw(&app, m, "PUT", &client_logo, "image/png", vec![0; 600 * 1024]).await;
    assert_eq!(status, 413);
    assert_eq!(send_raw(&app, a, "PUT", &client_logo, "image/png", LOGO.to_vec()).await.0, 403);
    let (status, logo) = send_raw(&app, m, "PUT", &client_logo, "image/png", LOGO.to_vec()).await;
    assert_eq!((status, logo["logo"]["format"].as_str()), (200, Some("image/png")), "{logo}");
    let (status, _, png) = bytes(&app, v, &client_logo).await;
    assert_eq!((status, &png[..4]), (200, &b"\x89PNG"[..]));

    // A report that names no template renders with the type's default, at its revision now.
    let done = import(&app, client, SAMPLE.to_vec(), true).await;
    let ready = report(&app, a, &done.id.to_string(), json!({"report_type": "executive"})).await;
    assert_eq!(
        (ready["template_id"].as_str(), ready["template_revision"].as_i64()),
        (Some(template_id.as_str()), Some(2))
    );
    let id = ready["id"].as_str().unwrap().to_owned();
    let (_, _, html) = bytes(&app, a, &format!("/api/v1/reports/{id}/download/html")).await;
    let html = String::from_utf8(html).unwrap();
    assert!(
        html.contains("CUSTOM Azure Advisor review") && html.contains("Wide World Importers"),
        "the custom template"
    );
    assert!(
        html.contains("data:image/png;base64,") && html.contains("data:image/svg+xml;base64,"),
        "both logos"
    );
    assert!(html.contains("color: #123456"), "the heading colour");
    assert!(!html.contains("<script>") && html.contains("{{7*7}}"), "the firm name is text");
    let (_, _, pdf) = bytes(&app, a, &format!("/api/v1/reports/{id}/download/pdf")).await;
    let text = pdf_text(&pdf);
    assert!(text.contains("#set page") && text.contains("{{7*7}}") && text.contains("<script>"), "{text}");
    assert!(text.contains("Wide World Importers"));

    // A new look is a new revision; the report asked for before keeps the one it had.
    let changed =
        json!({"name": "Northwind look", "is_default": true, "firm_name": "Northwind", "html": null});
    let (status, replaced) =
        put_json(&app, m, &format!("/api/v1/report-templates/{template_id}"), changed).await;
    assert_eq!(
        (status, replaced["revision"].as_i64(), replaced["logo"]["format"].as_str()),
        (200, Some(3), Some("image/svg+xml"))
    );
    let (_, before) = get(&app, a, &format!("/api/v1/reports/{id}")).await;
    assert_eq!(before["template_revision"], 2);
    app.wiring.reports.render(ReportId(id.parse().unwrap())).await.unwrap();
    let again = report(&app, a, &done.id.to_string(), json!({"report_type": "executive"})).await;
    assert_eq!(again["template_revision"], 3);
    let (_, _, html) =
        bytes(&app, a, &format!("/api/v1/reports/{}/download/html", again["id"].as_str().unwrap())).await;
    let html = String::from_utf8(html).unwrap();
    assert!(
        !html.contains("CUSTOM") && html.contains("Northwind"),
        "the default template, the new firm name"
    );

    // One default per type: a new default takes over; a template of another type is refused.
    let (_, second) = post_json(
        &app,
        m,
        "/api/v1/report-templates",
        json!({"report_type": "executive", "name": "Plain", "is_default": true}),
    )
    .await;
    let (_, first) = get(&app, v, &format!("/api/v1/report-templates/{template_id}")).await;
    assert_eq!((first["is_default"].as_bool(), second["is_default"].as_bool()), (Some(false), Some(true)));
    let (_, cost) =
        post_json(&app, m, "/api/v1/report-templates", json!({"report_type": "cost", "name": "Finance"}))
            .await;
    let (status, refused) = post_json(
        &app,
        a,
        &format!("/api/v1/advisor-imports/{}/reports", done.id),
        json!({"report_type": "executive", "template_id": cost["id"]}),
    )
    .await;
    assert_eq!((status, refused["errors"]["template_id"].is_array()), (422, true), "{refused}");

    // Every change is on the audit trail.
    let audited = sql_count(
        &app,
        "SELECT count(*) AS n FROM audit_logs WHERE action IN ('report_template.create', 'report_template.update', 'client.logo.create')",
    )
    .await;
    // Three templates made; three updates (the logo, the replacement, the first template's turn
    // as default ended by "Plain"); the client's logo.
    assert_eq!(audited, 3 + 3 + 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_advisor_dashboard_counts_what_the_caller_may_see() {
    let app = spawn_app().await;
    let manager = app.logged_in(Role::Manager).await;
    let analyst = app.logged_in(Role::Analyst).await;
    let mine =
        ClientBuilder::new().name("Granted Co").granted_to(&[analyst.user.id]).insert(&app).await.client.id;
    let other = ClientBuilder::new().name("Other Co").insert(&app).await.client.id;
    let first = import(&app, mine, SAMPLE.to_vec(), true).await;
    import(&app, other, SAMPLE.to_vec(), true).await;
    report(&app, &analyst.access_token, &first.id.to_string(), json!({"report_type": "cost"})).await;

    // One of the granted client's findings is due yesterday and still open.
    let (_, findings) =
        get(&app, &analyst.access_token, &format!("/api/v1/clients/{mine}/findings?limit=1")).await;
    let finding = findings["data"][0]["id"].as_str().unwrap().to_owned();
    let yesterday = (time::OffsetDateTime::now_utc().date() - time::Duration::days(1)).to_string();
    let response = app
        .patch(&format!("/api/v1/findings/{finding}"))
        .bearer_auth(&analyst.access_token)
        .json(&json!({"due_date": yesterday, "status": "in_progress"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());

    let (status, seen) = get(&app, &analyst.access_token, "/api/v1/advisor-analytics").await;
    assert_eq!(status, 200, "{seen}");
    let (_, all) = get(&app, &manager.access_token, "/api/v1/advisor-analytics").await;
    assert_eq!(
        (seen["clients_with_snapshot"].as_i64(), all["clients_with_snapshot"].as_i64()),
        (Some(1), Some(2))
    );
    let imports = |v: &Value| {
        v["imports_by_month"].as_array().unwrap().iter().map(|m| m["imports"].as_i64().unwrap()).sum::<i64>()
    };
    assert_eq!((imports(&seen), imports(&all)), (1, 2));
    assert_eq!(seen["reports_by_month"][0]["report_type"], "cost");
    let findings_of = |v: &Value| {
        v["findings"].as_array().unwrap().iter().map(|m| m["findings"].as_i64().unwrap()).sum::<i64>()
    };
    assert_eq!(findings_of(&seen), 14, "the sample's 14 findings");
    assert_eq!(findings_of(&all), 28);
    assert!(seen["findings"].as_array().unwrap().iter().any(|f| f["status"] == "in_progress"), "{seen}");
    // Savings per currency from the import's own analysis, never blended.
    let expected = sql_count(
        &app,
        &format!(
            "SELECT round(sum(annual_savings))::bigint AS n FROM advisor_recommendations \
             WHERE import_id = '{}' AND currency = 'USD' AND alternative IS NULL",
            first.id
        ),
    )
    .await;
    let usd = seen["savings"].as_array().unwrap().iter().find(|s| s["currency"] == "USD").unwrap().clone();
    let annual: f64 = usd["annual"].as_str().unwrap().parse().unwrap();
    assert_eq!(annual.round() as i64, expected, "{usd}");
    assert_eq!(seen["top_clients"][0]["client_name"], "Granted Co");
    assert!(all["top_clients"].as_array().unwrap().iter().any(|c| c["client_name"] == "Other Co"));
    assert_eq!(
        (seen["open_past_due"].as_i64(), seen["past_due_by_client"][0]["client_name"].as_str()),
        (Some(1), Some("Granted Co"))
    );

    // One client: in scope only; a period runs forwards; before the imports, nothing.
    let (status, _) =
        get(&app, &analyst.access_token, &format!("/api/v1/advisor-analytics?client_id={other}")).await;
    assert_eq!(status, 404);
    let (status, one) =
        get(&app, &manager.access_token, &format!("/api/v1/advisor-analytics?client_id={other}")).await;
    assert_eq!(
        (status, one["clients_with_snapshot"].as_i64(), one["open_past_due"].as_i64()),
        (200, Some(1), Some(0))
    );
    let (status, refused) =
        get(&app, &manager.access_token, "/api/v1/advisor-analytics?from=2026-05-01&to=2026-04-01").await;
    assert_eq!((status, refused["errors"]["from"].is_array()), (422, true), "{refused}");
    let (_, before) =
        get(&app, &manager.access_token, "/api/v1/advisor-analytics?from=2020-01-01&to=2020-12-31").await;
    assert_eq!(
        (before["clients_with_snapshot"].as_i64(), before["findings"].as_array().map(Vec::len)),
        (Some(0), Some(0))
    );
    assert_eq!(before["open_past_due"], 1, "what is past due is today's, whatever the period");
}
