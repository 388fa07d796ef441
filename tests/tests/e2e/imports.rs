//! The eligibility-file import through the API on real PostgreSQL: a file of 1,000 staff and
//! 500 dependents with 10 bad rows previewed, refused as a whole, corrected and applied,
//! imported again unchanged; the match rules; a full import that drops 30 % refused without
//! `force`; a large file through the job queue with progress; who may import; bad uploads.

use std::collections::BTreeSet;

use axis_clients::ClientStatus;
use axis_kernel::Role;
use axis_testkit::{ClientBuilder, TestApp, eventually, spawn_app, spawn_app_with};
use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::support::{expect_problem, json, sql_count};

/// An active client, as its id.
async fn active_client(app: &TestApp, name: &str) -> String {
    ClientBuilder::new().name(name).status(ClientStatus::Active).insert(app).await.client.id.to_string()
}

/// Uploads `file` to `client`'s imports with the query `query`.
async fn upload(
    app: &TestApp,
    token: &str,
    client: &str,
    query: &str,
    file: impl Into<Vec<u8>>,
) -> (u16, Value) {
    let part = Part::bytes(file.into()).file_name("staff.csv").mime_str("text/csv").unwrap();
    let response = app
        .post(&format!("/api/v1/clients/{client}/staff-imports?{query}"))
        .bearer_auth(token)
        .multipart(Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    json(response).await
}

const HEADER: &str =
    "Employee No,Relation,Full Name,DOB,Gender,E-mail,Phone,Department,Staff Role,Hire Date,Guardian Name\n";

/// A file's rows: 1,000 staff (`E-0000`…) and a dependent for each of the first 500 (children
/// under 18 for the even ones, spouses for the odd ones).
fn rows() -> Vec<String> {
    let mut rows = Vec::new();
    for n in 0..1_000 {
        rows.push(format!(
            "E-{n:04},self,Staff Member {n},1985-03-{day:02},female,staff{n}@example.com,+256 700 {n:06},Finance,staff,2020-01-15,",
            day = n % 28 + 1
        ));
    }
    for n in 0..500 {
        let (relation, born) = if n % 2 == 0 { ("child", "2015-06-01") } else { ("spouse", "1984-02-29") };
        rows.push(format!("E-{n:04},{relation},Dependent {n},{born},male,,,,,,"));
    }
    rows
}

fn file(rows: &[String]) -> String {
    let mut file = HEADER.to_owned();
    for row in rows {
        file.push_str(row);
        file.push('\n');
    }
    file
}

/// Ten rows each broken in one way, by index into `rows()`; the file line is the index + 2.
fn broken(rows: &mut [String]) -> BTreeSet<u64> {
    // Staff rows from 500 on have no dependents, whose rows would fail with them.
    let breaks: [(usize, &str, &str); 10] = [
        (503, "staff503@example.com", "not-an-email"),
        (510, "1985-03-07", "1985-13-07"),
        (520, "Staff Member 520", ""),
        (1_002, "child", "cousin"),
        (1_003, "E-0003,spouse", "E-9999,spouse"),
        (541, "E-0541,", "E-0540,"),
        (550, ",female,", ",maybe,"),
        (560, "2020-01-15", "15/01/2020"),
        (570, ",staff,", ",boss,"),
        (580, "E-0580", &"9".repeat(101)),
    ];
    let mut lines = BTreeSet::new();
    for (index, from, to) in breaks {
        assert!(rows[index].contains(from), "row {index} has {from}");
        rows[index] = rows[index].replacen(from, to, 1);
        lines.insert(index as u64 + 2);
    }
    lines
}

async fn report(app: &TestApp, token: &str, import: &str, query: &str) -> Vec<Value> {
    let mut entries = Vec::new();
    for page in 1.. {
        let (status, body) = json(
            app.get(&format!("/api/v1/staff-imports/{import}/report?limit=100&page={page}&{query}"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let data = body["data"].as_array().unwrap().clone();
        if data.is_empty() {
            break;
        }
        entries.extend(data);
    }
    entries
}

async fn count(app: &TestApp, table: &str, client: &str) -> i64 {
    sql_count(app, &format!("SELECT count(*) AS n FROM {table} WHERE client_id = '{client}'")).await
}

fn lines(entries: &[Value]) -> BTreeSet<u64> {
    entries.iter().map(|e| e["line"].as_u64().unwrap()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_with_bad_rows_is_previewed_refused_corrected_applied_and_imported_again_unchanged() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let client = active_client(&app, "Nile Breweries").await;
    let mut bad = rows();
    let bad_lines = broken(&mut bad);

    // Dry run: the report names the ten rows by line; nothing is written.
    let (status, body) = upload(&app, &admin.access_token, &client, "dry_run=true", file(&bad)).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["import"]["status"], "previewed");
    assert_eq!(body["import"]["summary"]["rows"], 1_500);
    assert_eq!(body["import"]["summary"]["rejected"], 10);
    let rejected: Vec<Value> =
        body["report"].as_array().unwrap().iter().filter(|e| e["outcome"] == "rejected").cloned().collect();
    assert_eq!(lines(&rejected), bad_lines);
    let by_line = |line: u64| rejected.iter().find(|e| e["line"] == line).unwrap()["errors"].clone();
    // Columns as the file's header names them.
    assert!(by_line(505)["E-mail"].is_array(), "{}", by_line(505));
    assert!(by_line(1_005)["Employee No"][0].as_str().unwrap().contains("names no staff member"));
    assert!(by_line(543)["Employee No"][0].as_str().unwrap().contains("is on line 542 already"));
    assert_eq!((count(&app, "staff", &client).await, count(&app, "beneficiaries", &client).await), (0, 0));
    let import = body["import"]["id"].as_str().unwrap().to_owned();
    assert_eq!(lines(&report(&app, &admin.access_token, &import, "outcome=rejected").await), bad_lines);

    // A real run of the same file is refused as a whole.
    let (status, problem) = upload(&app, &admin.access_token, &client, "", file(&bad)).await;
    assert_eq!((status, problem["code"].as_str()), (422, Some("rejected_rows")), "{problem}");
    let (_, refused) = json(
        app.get(problem["instance"].as_str().unwrap()).bearer_auth(&admin.access_token).send().await.unwrap(),
    )
    .await;
    assert_eq!(
        (refused["status"].as_str(), refused["refusal"].as_str()),
        (Some("refused"), Some("rejected_rows"))
    );
    assert_eq!((count(&app, "staff", &client).await, count(&app, "beneficiaries", &client).await), (0, 0));

    // The corrected file is applied: every member, each with an audit record naming fields only.
    let good = file(&rows());
    let (status, body) = upload(&app, &admin.access_token, &client, "", good.clone()).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["import"]["status"], "applied");
    assert_eq!(body["import"]["summary"]["created"], 1_500);
    assert_eq!(
        (count(&app, "staff", &client).await, count(&app, "beneficiaries", &client).await),
        (1_000, 500)
    );
    let import = body["import"]["id"].as_str().unwrap();
    let audited = format!("audit_logs WHERE details->>'import_id' = '{import}'");
    assert_eq!(sql_count(&app, &format!("SELECT count(*) AS n FROM {audited}")).await, 1_500);
    let with_values = format!(
        "SELECT count(*) AS n FROM (SELECT jsonb_array_elements(changes) AS c FROM {audited}) named \
          WHERE c->'old' <> 'null' OR c->'new' <> 'null' OR c->>'field' IS NULL"
    );
    assert_eq!(sql_count(&app, &with_values).await, 0, "fields named, no values in the trail");
    let children_with_guardian = sql_count(
        &app,
        &format!(
            "SELECT count(*) AS n FROM beneficiaries WHERE client_id = '{client}' AND relation = 'child' \
                  AND guardian_kind = 'staff_member'"
        ),
    )
    .await;
    assert_eq!(children_with_guardian, 250);

    // The same file again changes nothing.
    let versions = format!("SELECT sum(version)::bigint AS n FROM staff WHERE client_id = '{client}'");
    let before = sql_count(&app, &versions).await;
    let (status, body) = upload(&app, &admin.access_token, &client, "", good).await;
    assert_eq!(status, 201, "{body}");
    let summary = &body["import"]["summary"];
    assert_eq!(
        (summary["unchanged"].as_u64(), summary["created"].as_u64(), summary["updated"].as_u64()),
        (Some(1_500), Some(0), Some(0))
    );
    assert_eq!(sql_count(&app, &versions).await, before);
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_match_by_number_then_e_mail_and_dependents_by_staff_name_and_birth_date() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Manager).await;
    let token = &admin.access_token;
    let client = active_client(&app, "Matching Ltd").await;
    let first = "employee_number,relation,name,dob,email,department,start_date\n\
                 E-1,,Amina Nakato,1990-01-01,amina@x.ug,Finance,2020-01-01\n\
                 ,,Okello John,1980-05-05,okello@x.ug,Sales,2021-01-01\n\
                 E-1,child,Baby Nakato,2019-04-01,,,\n";
    let (status, body) = upload(&app, token, &client, "", first).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["import"]["summary"]["created"], 3);
    let member = |entries: &Value, line: u64| -> String {
        entries.as_array().unwrap().iter().find(|e| e["line"] == line).unwrap()["member_id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (amina, okello, baby) =
        (member(&body["report"], 2), member(&body["report"], 3), member(&body["report"], 4));

    // By number (Amina moves department), by e-mail (Okello gets a number), the child by staff
    // member + name + birth date; a child with another birth date is someone else.
    let second = "employee_number,relation,name,dob,email,department,start_date\n\
                  E-1,,Amina Nakato,1990-01-01,amina@x.ug,Audit,2020-01-01\n\
                  E-2,,Okello John,1980-05-05,OKELLO@x.ug,Sales,2021-01-01\n\
                  E-1,child,baby nakato,2019-04-01,,,\n\
                  E-1,child,Baby Nakato,2021-07-07,,,\n\
                  E-3,,Nakato Grace,1999-09-09,grace@x.ug,Sales,not-a-date\n\
                  E-3,spouse,Mukasa Paul,1998-01-01,,,\n";
    // Previewed: the last two rows (a malformed date, and the dependent of that row) would
    // refuse a real run.
    let (status, body) = upload(&app, token, &client, "dry_run=true", second).await;
    assert_eq!(status, 201, "{body}");
    let report = body["report"].as_array().unwrap();
    let errors = |line: u64| report.iter().find(|e| e["line"] == line).unwrap()["errors"].clone();
    // Named as the file's header named them (issue 24: `start_date`, not `employment_start`).
    assert!(errors(6)["start_date"].is_array(), "{}", errors(6));
    assert_eq!(
        body["import"]["headers"][body["import"]["columns"]
            .as_array()
            .unwrap()
            .iter()
            .position(|c| c == "employment_start")
            .unwrap()],
        "start_date"
    );
    assert_eq!(errors(7)["employee_number"][0], "names the staff member of line 6, whose row is rejected");
    let applied = second.lines().take(5).collect::<Vec<_>>().join("\n") + "\n";
    let (status, body) = upload(&app, token, &client, "", applied).await;
    assert_eq!(status, 201, "{body}");
    let report = body["report"].as_array().unwrap();
    let entry = |line: u64| report.iter().find(|e| e["line"] == line).unwrap().clone();
    assert_eq!(
        (entry(2)["outcome"].as_str(), entry(2)["member_id"].as_str()),
        (Some("updated"), Some(amina.as_str()))
    );
    assert_eq!(entry(2)["changed"], serde_json::json!(["department"]));
    assert_eq!(
        (entry(3)["outcome"].as_str(), entry(3)["member_id"].as_str()),
        (Some("updated"), Some(okello.as_str()))
    );
    // E-mail addresses are kept in lower case: only the number is new.
    assert_eq!(entry(3)["changed"], serde_json::json!(["employee_number"]));
    assert_eq!(entry(4)["member_id"].as_str(), Some(baby.as_str()), "matched whatever the case of the name");
    assert_eq!(entry(4)["changed"], serde_json::json!(["name"]), "as the header named it");
    assert_eq!(entry(5)["outcome"], "created");
    let number = sql_count(
        &app,
        &format!("SELECT count(*) AS n FROM staff WHERE id = '{okello}' AND employee_number = 'E-2'"),
    )
    .await;
    assert_eq!(number, 1);
    // The list's search finds members by what the import wrote.
    let (_, found) = json(app.get("/api/v1/staff?search=e-2").bearer_auth(token).send().await.unwrap()).await;
    assert_eq!(found["data"][0]["id"].as_str(), Some(okello.as_str()), "{found}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_import_that_drops_30_percent_is_refused_unless_forced() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;
    let client = active_client(&app, "Shrinking Co").await;
    let everyone: Vec<String> = rows().into_iter().take(1_000).collect();
    let (status, body) = upload(&app, token, &client, "", file(&everyone)).await;
    assert_eq!(status, 201, "{body}");

    let kept = file(&everyone[..700]);
    let (status, problem) =
        upload(&app, token, &client, "mode=full&effective_date=2026-10-31", kept.clone()).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("too_many_deactivations")), "{problem}");
    assert!(problem["detail"].as_str().unwrap().contains("300 of 1000"), "{problem}");
    let active =
        format!("SELECT count(*) AS n FROM staff WHERE client_id = '{client}' AND status = 'active'");
    assert_eq!(sql_count(&app, &active).await, 1_000, "nothing changed");

    let (status, body) =
        upload(&app, token, &client, "mode=full&effective_date=2026-10-31&force=true", kept).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        (body["import"]["status"].as_str(), body["import"]["summary"]["deactivated"].as_u64()),
        (Some("applied"), Some(300))
    );
    assert_eq!(sql_count(&app, &active).await, 700);
    let ended = format!(
        "SELECT count(*) AS n FROM staff s JOIN staff_status_changes h ON h.staff_id = s.id AND h.status = 'inactive' \
         WHERE s.client_id = '{client}' AND s.employment_end = '2026-10-31' AND h.effective_on = '2026-11-01'"
    );
    assert_eq!(sql_count(&app, &ended).await, 300);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_large_file_runs_as_a_job_with_progress() {
    let app = spawn_app_with(&["--job-concurrency", "1", "--job-poll-interval-ms", "100"]).await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;
    let client = active_client(&app, "Big Employer").await;
    let mut large = String::from("employee_number,name,start_date\n");
    for n in 0..5_001 {
        large.push_str(&format!("E-{n},Member {n},2024-01-15\n"));
    }
    let (status, body) = upload(&app, token, &client, "", large).await;
    assert_eq!((status, body["status"].as_str()), (202, Some("queued")), "{body}");
    let import = body["id"].as_str().unwrap().to_owned();
    let done = eventually(std::time::Duration::from_secs(120), || async {
        let (_, body) = json(
            app.get(&format!("/api/v1/staff-imports/{import}")).bearer_auth(token).send().await.unwrap(),
        )
        .await;
        (body["status"] == "applied").then_some(body)
    })
    .await
    .expect("the job applies the import");
    assert_eq!(done["summary"]["created"], 5_001);
    assert_eq!(
        sql_count(&app, &format!("SELECT count(*) AS n FROM staff WHERE client_id = '{client}'")).await,
        5_001
    );
    let (_, jobs) =
        json(app.get("/api/v1/jobs?kind=members.import").bearer_auth(token).send().await.unwrap()).await;
    let job = &jobs["data"][0];
    assert_eq!(
        (job["state"].as_str(), job["progress"]["done"].as_i64(), job["progress"]["total"].as_i64()),
        (Some("completed"), Some(2), Some(2)),
        "{jobs}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn who_may_import_and_what_a_bad_upload_gets() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let analyst = app.logged_in(Role::Analyst).await;
    let viewer = app.logged_in(Role::Viewer).await;
    let client = ClientBuilder::new()
        .name("Careful Ltd")
        .status(ClientStatus::Active)
        .granted_to(&[analyst.user.id])
        .insert_id(&app)
        .await;
    let small = "employee_number,name,start_date\nE-1,Amina,2024-01-15\n";
    for (who, token, expected) in
        [("analyst", &analyst.access_token, 403), ("viewer", &viewer.access_token, 404)]
    {
        let (status, _) = upload(&app, token, &client, "", small).await;
        assert_eq!(status, expected, "{who}");
    }
    let (status, body) = upload(&app, &admin.access_token, &client, "dry_run=true", small).await;
    assert_eq!(status, 201, "{body}");
    let import = body["import"]["id"].as_str().unwrap();
    assert_eq!(body["import"]["file_name"], "staff.csv", "the upload's file name is kept");
    let (status, _) = json(
        app.get(&format!("/api/v1/staff-imports/{import}"))
            .bearer_auth(&analyst.access_token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "an analyst of the client reads the import");
    let (status, _) = json(
        app.get(&format!("/api/v1/staff-imports/{import}"))
            .bearer_auth(&viewer.access_token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404, "out of scope");
    let (status, listed) = json(
        app.get(&format!("/api/v1/clients/{client}/staff-imports"))
            .bearer_auth(&analyst.access_token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, listed["data"][0]["id"].as_str()), (200, Some(import)), "{listed}");
    assert_eq!(listed["data"][0]["summary"]["created"], 1);

    // Not UTF-8, no header, not multipart, too large.
    let latin1: Vec<u8> =
        "employee_number,name,start_date\nE-1,Jos\u{e9},2024-01-15\n".chars().map(|c| c as u8).collect();
    let (status, problem) = upload(&app, &admin.access_token, &client, "", latin1).await;
    assert_eq!((status, problem["code"].as_str()), (422, Some("unreadable_file")), "{problem}");
    assert!(problem["errors"]["file"][0].as_str().unwrap().contains("line 2 is not UTF-8"));
    let (status, problem) = upload(&app, &admin.access_token, &client, "", "name\nAmina\n").await;
    assert_eq!((status, problem["code"].as_str()), (422, Some("unreadable_file")), "{problem}");
    let response = app
        .post(&format!("/api/v1/clients/{client}/staff-imports"))
        .bearer_auth(&admin.access_token)
        .body(small)
        .header("content-type", "text/csv")
        .send()
        .await
        .unwrap();
    expect_problem(response, 415, "unsupported_media_type").await;
    let mut huge = small.as_bytes().to_vec();
    huge.resize(21 * 1024 * 1024, b'\n');
    let (status, problem) = upload(&app, &admin.access_token, &client, "", huge).await;
    assert_eq!((status, problem["code"].as_str()), (413, Some("payload_too_large")), "{problem}");
    // A form without the field `file` creates no import.
    let imports = format!("SELECT count(*) AS n FROM member_imports WHERE client_id = '{client}'");
    let before = sql_count(&app, &imports).await;
    let response = app
        .post(&format!("/api/v1/clients/{client}/staff-imports"))
        .bearer_auth(&admin.access_token)
        .multipart(Form::new().text("note", "no file here"))
        .send()
        .await
        .unwrap();
    let problem = expect_problem(response, 422, "validation_failed").await;
    assert!(problem["errors"]["file"].is_array(), "{problem}");
    assert_eq!(sql_count(&app, &imports).await, before);
    let (status, problem) = upload(&app, &admin.access_token, &client, "mode=partial", small).await;
    assert_eq!((status, problem["errors"]["mode"].is_array()), (422, true), "{problem}");
    assert_eq!(
        sql_count(&app, &format!("SELECT count(*) AS n FROM staff WHERE client_id = '{client}'")).await,
        0
    );
}

/// Imports name members by id and employee number and keep row errors and file names: the
/// routes that read them are for admins, managers and analysts of the client, as docs/API.md
/// says; a viewer of the client is refused (403), a viewer of another client finds nothing
/// (404). A file with bare CR line ends reads as rows, each on a line of its own.
#[tokio::test(flavor = "multi_thread")]
async fn viewers_do_not_read_imports_and_bare_cr_files_import() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let viewer = app.logged_in(Role::Viewer).await;
    let analyst = app.logged_in(Role::Analyst).await;
    let outsider = app.logged_in(Role::Viewer).await;
    let client = ClientBuilder::new()
        .status(ClientStatus::Active)
        .granted_to(&[viewer.user.id, analyst.user.id])
        .insert_id(&app)
        .await;
    let cr_file =
        "Employee No,Full Name,Hire Date\rE-1,First Person,2024-01-01\rE-2,Second Person,2024-01-01\r";
    let (status, body) = upload(&app, &admin.access_token, &client, "dry_run=true", cr_file).await;
    assert_eq!(status, 201, "{body}");
    let lines: Vec<i64> =
        body["report"].as_array().unwrap().iter().map(|e| e["line"].as_i64().unwrap()).collect();
    assert_eq!(lines, [2, 3], "{body}");
    assert_eq!(body["import"]["status"], "previewed");
    // A dry run created no one: its created rows name no member (issue 24: they named ids that
    // existed nowhere).
    assert!(
        body["report"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["outcome"] == "created" && e["member_id"].is_null()),
        "{body}"
    );
    let import = body["import"]["id"].as_str().unwrap().to_owned();
    for path in [
        format!("/api/v1/clients/{client}/staff-imports"),
        format!("/api/v1/staff-imports/{import}"),
        format!("/api/v1/staff-imports/{import}/report"),
    ] {
        let status_of = |token: String| {
            let request = app.get(&path).bearer_auth(token);
            async move { request.send().await.unwrap().status().as_u16() }
        };
        assert_eq!(status_of(viewer.access_token.clone()).await, 403, "{path} as a viewer of the client");
        assert_eq!(
            status_of(outsider.access_token.clone()).await,
            404,
            "{path} as a viewer of another client"
        );
        assert_eq!(status_of(analyst.access_token.clone()).await, 200, "{path} as an analyst of the client");
    }
}

/// Employee numbers and e-mails compare as people read them: `EA1`, `ＥＡ1` and `ea1` are one
/// number, on record and in a file; a number or an e-mail that comes again is refused on the
/// later row, naming the first; invisible characters are refused in numbers and names.
#[tokio::test(flavor = "multi_thread")]
async fn identifiers_compare_as_people_read_them_and_repeats_are_refused() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let client = ClientBuilder::new().status(ClientStatus::Active).insert_id(&app).await;
    let create = |number: &str, email: &str| {
        app.post("/api/v1/staff").bearer_auth(&admin.access_token).json(&serde_json::json!({
            "client_id": client, "full_name": "Stored Person", "employee_number": number, "email": email,
            "employment_start": "2024-01-01"
        }))
    };
    let (status, stored) = json(create("EA1", "stored@example.com").send().await.unwrap()).await;
    assert_eq!(status, 201, "{stored}");
    for same in ["ea1", "ＥＡ1"] {
        let response = create(same, "other@example.com").send().await.unwrap();
        let body = expect_problem(response, 409, "conflict").await;
        assert!(body["errors"]["employee_number"].is_array(), "{same}: {body}");
    }
    let (status, hidden) = json(create("EB9\u{200B}", "hidden@example.com").send().await.unwrap()).await;
    assert_eq!(status, 422, "{hidden}");

    let file = "Employee No,Full Name,E-mail,Hire Date\n\
                ea1,Stored Person Renamed,stored@example.com,2024-01-01\n\
                ＥＡ1,Someone Else,else@example.com,2024-01-01\n\
                EB2,Okello John,okello@example.com,2024-01-01\n\
                EB3,Okello Twin,OKELLO@example.com,2024-01-01\n\
                EB4\u{200B},Zero Width,zero@example.com,2024-01-01\n\
                EB5,Ami\u{202E}na,amina@example.com,2024-01-01\n";
    let (status, body) = upload(&app, &admin.access_token, &client, "dry_run=true", file).await;
    assert_eq!(status, 201, "{body}");
    let report = body["report"].as_array().unwrap();
    let entry = |line: i64| {
        report.iter().find(|e| e["line"] == line).unwrap_or_else(|| panic!("line {line}: {body}"))
    };
    assert_eq!(entry(2)["outcome"], "updated", "ea1 is the stored EA1: {body}");
    assert_eq!(entry(2)["member_id"], stored["id"]);
    assert_eq!(entry(3)["outcome"], "rejected");
    assert_eq!(entry(3)["errors"]["Employee No"], serde_json::json!(["is on line 2 already"]));
    assert_eq!(entry(4)["outcome"], "created");
    assert_eq!(entry(5)["outcome"], "rejected", "the same e-mail again: {body}");
    assert_eq!(entry(5)["errors"]["E-mail"], serde_json::json!(["is on line 4 already"]));
    assert_eq!(entry(6)["outcome"], "rejected");
    assert!(entry(6)["errors"]["Employee No"].is_array(), "{body}");
    assert_eq!(entry(7)["outcome"], "rejected");
    assert!(entry(7)["errors"]["Full Name"].is_array(), "{body}");
}

/// An upload that never completes is answered and its import ends failed: a body that ends
/// without the form's closing boundary at once (422 `unreadable_file`), a body that stops
/// arriving once its deadline passes (408, the connection closed). Before the read deadline
/// such uploads were never answered and their imports stayed `receiving`.
#[tokio::test(flavor = "multi_thread")]
async fn an_upload_that_never_completes_is_answered_and_its_import_ends_failed() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app_with(&["--body-idle-timeout-secs", "1", "--body-read-timeout-secs", "3"]).await;
    let admin = app.logged_in(Role::Admin).await;
    let client = ClientBuilder::new().status(ClientStatus::Active).insert_id(&app).await;
    let address = app.url("").trim_start_matches("http://").to_owned();
    let part = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"staff.csv\"\r\n\r\n\
                Employee No,Full Name,Hire Date\nE-1,Stalled Person,2024-01-01\n";
    for (declared, expected) in
        [(part.len(), "422 Unprocessable Entity"), (part.len() + 10_000, "408 Request Timeout")]
    {
        let started = std::time::Instant::now();
        let mut socket = tokio::net::TcpStream::connect(&address).await.unwrap();
        let head = format!(
            "POST /api/v1/clients/{client}/staff-imports?dry_run=true HTTP/1.1\r\nHost: {address}\r\n\
             Authorization: Bearer {}\r\nContent-Type: multipart/form-data; boundary=b\r\n\
             Content-Length: {declared}\r\n\r\n{part}",
            admin.access_token
        );
        socket.write_all(head.as_bytes()).await.unwrap();
        // Read until the server closes the connection: at once after a 408, after its keep-alive
        // (5 s) after a 422 (bounded by the test's own deadline).
        let mut answer = Vec::new();
        let read =
            tokio::time::timeout(std::time::Duration::from_secs(15), socket.read_to_end(&mut answer)).await;
        assert!(read.is_ok(), "declared {declared}: no answer, or the connection stayed open");
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with(&format!("HTTP/1.1 {expected}")), "declared {declared}: {answer}");
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "{:?}", started.elapsed());
    }
    let (status, imports) = json(
        app.get(&format!("/api/v1/clients/{client}/staff-imports"))
            .bearer_auth(&admin.access_token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let statuses: Vec<&str> =
        imports["data"].as_array().unwrap().iter().map(|i| i["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["failed", "failed"], "{imports}");
}

/// A full import dated ahead schedules its deactivations (issue 24 #1: they showed inactive at
/// once), and a member who had not started by the file's day never starts: never covered
/// (#4: they got one day of cover, their start day).
#[tokio::test(flavor = "multi_thread")]
async fn a_full_import_schedules_what_is_dated_ahead_and_never_covers_who_never_started() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;
    let client = ClientBuilder::new().status(ClientStatus::Active).insert_id(&app).await;
    let today = time::OffsetDateTime::now_utc().date();
    let day = |offset: i64| (today + time::Duration::days(offset)).to_string();
    let create = |number: &str, start: String| {
        app.post("/api/v1/staff").bearer_auth(token).json(&serde_json::json!({
            "client_id": client, "full_name": format!("Member {number}"), "employee_number": number,
            "employment_start": start
        }))
    };
    let (_, kept) = json(create("K-1", day(-100)).send().await.unwrap()).await;
    let (_, leaving) = json(create("L-1", day(-100)).send().await.unwrap()).await;
    let (_, never) = json(create("N-1", day(20)).send().await.unwrap()).await;
    let file = format!("Employee No,Full Name,Hire Date\nK-1,Member K-1,{}\n", day(-100));
    let query = format!("mode=full&force=true&effective_date={}", day(5));
    let (status, body) = upload(&app, token, &client, &query, file).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["import"]["summary"]["deactivated"], 2, "{body}");
    let read = |id: &Value| {
        let request =
            app.get(&format!("/api/v1/staff/{}", id["id"].as_str().unwrap())).bearer_auth(token).send();
        async move { json(request.await.unwrap()).await.1 }
    };
    let leaving_now = read(&leaving).await;
    assert_eq!(leaving_now["status"], "active", "active until the day after the file's: {leaving_now}");
    assert_eq!(leaving_now["scheduled_change"], serde_json::json!({"status": "inactive", "on": day(6)}));
    assert_eq!(read(&kept).await["scheduled_change"], Value::Null);
    let never_now = read(&never).await;
    assert_eq!(
        never_now["scheduled_change"],
        serde_json::json!({"status": "inactive", "on": day(20)}),
        "{never_now}"
    );
    // The first failing link is the status from the start day on (before the fix it was
    // active on its start day, the one day of cover a contract would have given).
    for (date, reason) in
        [(day(19), "employment_not_started"), (day(20), "person_inactive"), (day(21), "person_inactive")]
    {
        let (_, answer) = json(
            app.get(&format!("/api/v1/eligibility?person={}&date={date}", never["id"].as_str().unwrap()))
                .bearer_auth(token)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (answer["eligible"].as_bool(), answer["reason"].as_str()),
            (Some(false), Some(reason)),
            "{date}: {answer}"
        );
    }
}
