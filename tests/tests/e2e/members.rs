//! Staff, beneficiaries and eligibility through the API: the role × scope matrix for every
//! member route, writes that roll back without their audit row, viewers without contact data,
//! every read on record and refused when the record cannot be written, eligibility explained
//! for each failing link and the same answers through `eligible_on`, and anonymisation.

use std::collections::BTreeMap;

use axis_clients::ClientStatus;
use axis_kernel::ClientId;
use axis_kernel::{ClientAction, Role};
use axis_staff::StaffId;
use axis_testkit::matrix::{self, People, Route};
use axis_testkit::{BeneficiaryBuilder, ClientBuilder, StaffBuilder, TestApp, spawn_app};
use serde_json::{Value, json};
use time::{Date, Duration, OffsetDateTime};

use crate::support::{expect_problem, json, sql, sql_count};

fn id(body: &Value) -> String {
    body["id"].as_str().expect("an id").to_owned()
}

fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

fn day(offset: i64) -> String {
    (today() + Duration::days(offset)).to_string()
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> (u16, Value) {
    json(app.post(path).bearer_auth(token).json(&body).send().await.unwrap()).await
}

async fn get(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    json(app.get(path).bearer_auth(token).send().await.unwrap()).await
}

fn staff_body(client: &str, name: &str) -> Value {
    json!({"client_id": client, "full_name": name, "email": "person@example.com", "phone": "+256 700 000001",
           "date_of_birth": "1990-04-02", "employment_start": "2025-01-01", "department": "Finance"})
}

/// A staff member of `client` with contact data, made through the service (the routes under
/// test are the ones after it).
async fn staff(app: &TestApp, _token: &str, client: &str, name: &str) -> String {
    let client = ClientId(client.parse().expect("a client id"));
    StaffBuilder::new(client).name(name).with_contact_data().insert(app).await.member.id.to_string()
}

async fn beneficiary(app: &TestApp, _token: &str, staff: &str, name: &str) -> String {
    let staff = StaffId(staff.parse().expect("a staff id"));
    BeneficiaryBuilder::new(staff).name(name).phone("+256 700 000002").insert(app).await.id.to_string()
}

/// An active client named `name`.
async fn active_client(app: &TestApp, name: &str) -> String {
    ClientBuilder::new().name(name).status(ClientStatus::Active).insert(app).await.client.id.to_string()
}

/// An active contract of `client` from `start` to `end`, in force since its start: an
/// activation covers from the start date once it has passed (issue 24 #7; the helper used to
/// move the history entry back by hand).
async fn contract(app: &TestApp, token: &str, client: &str, start: &str, end: &str) {
    let body = json!({"client_id": client, "title": "EAP", "start_date": start, "end_date": end,
                      "billing_amount": "1000", "currency": "USD"});
    let (status, created) = post(app, token, "/api/v1/contracts", body).await;
    assert_eq!(status, 201, "{created}");
    let contract = id(&created);
    let (status, active) =
        post(app, token, &format!("/api/v1/contracts/{contract}/activate"), json!({})).await;
    assert_eq!(status, 200, "{active}");
    let activation = active["status_history"].as_array().unwrap().last().unwrap().clone();
    let from = day(0).min(start.to_owned());
    assert_eq!(
        (activation["status"].as_str(), activation["effective_on"].as_str()),
        (Some("active"), Some(from.as_str()))
    );
}

/// A client granted to the matrix's in-scope people, with an active staff member, a former
/// (inactive) one, and an active and an inactive beneficiary of the first.
async fn fixture(app: &TestApp, people: &People, deleted: bool) -> BTreeMap<String, String> {
    let token = &people.admin.access_token;
    let granted: Vec<_> = people.granted().iter().map(|person| person.user.id).collect();
    let client = ClientBuilder::new().granted_to(&granted).insert(app).await.client.id.to_string();
    let member = staff(app, token, &client, "Member").await;
    let former = staff(app, token, &client, "Former").await;
    // Employment ended yesterday: inactive today (a later end would be a scheduled change).
    let (status, _) =
        post(app, token, &format!("/api/v1/staff/{former}/deactivate"), json!({"end_date": day(-1)})).await;
    assert_eq!(status, 200);
    let (status, _) = json(
        app.patch(&format!("/api/v1/staff/{member}"))
            .bearer_auth(token)
            .json(&json!({"employee_number": "M-100"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let dependent = beneficiary(app, token, &member, "Dependent").await;
    let inactive = beneficiary(app, token, &member, "Inactive").await;
    let (status, _) =
        post(app, token, &format!("/api/v1/beneficiaries/{inactive}/deactivate"), json!({})).await;
    assert_eq!(status, 200);
    // An import of the client (a dry run: it changes no member), for the import routes.
    let file = reqwest::multipart::Part::bytes(
        b"Employee No,Full Name,Hire Date\nM-1,Imported,2024-01-01\n".to_vec(),
    )
    .file_name("staff.csv");
    let response = app
        .post(&format!("/api/v1/clients/{client}/staff-imports?dry_run=true"))
        .bearer_auth(token)
        .multipart(reqwest::multipart::Form::new().part("file", file))
        .send()
        .await
        .unwrap();
    let (status, imported) = json(response).await;
    assert_eq!(status, 201, "{imported}");
    let import = imported["import"]["id"].as_str().expect("an import id").to_owned();
    if deleted {
        for path in [format!("/api/v1/staff/{member}"), format!("/api/v1/beneficiaries/{dependent}")] {
            assert_eq!(app.delete(&path).bearer_auth(token).send().await.unwrap().status(), 204);
        }
    }
    BTreeMap::from([
        ("client".to_owned(), client),
        ("member".to_owned(), member),
        ("former".to_owned(), former),
        ("dependent".to_owned(), dependent),
        ("inactive".to_owned(), inactive),
        ("import".to_owned(), import),
    ])
}

/// An eligibility file of one staff member, in the file's own header names.
const IMPORT_FILE: &[u8] = b"Employee No,Full Name,Hire Date\nM-7,Uploaded,2024-01-01\n";

/// Every route that acts on an existing member or a client's members.
fn member_routes() -> Vec<Route> {
    use ClientAction::{Administer, Manage, Read, Review};
    let put_staff =
        json!({"client_id": "{client}", "full_name": "Renamed", "employment_start": "2025-01-01"});
    let put_beneficiary = json!({"staff_id": "{member}", "full_name": "Renamed", "relation": "spouse"});
    vec![
        Route::new("GET", "/api/v1/clients/{client}/staff", Read, 200),
        Route::new("GET", "/api/v1/clients/{client}/beneficiaries", Read, 200),
        // Imports name members by id and employee number: analysts and up.
        Route::new("GET", "/api/v1/clients/{client}/staff-imports", Review, 200),
        Route::new("GET", "/api/v1/staff-imports/{import}", Review, 200),
        Route::new("GET", "/api/v1/staff-imports/{import}/report", Review, 200),
        // Uploading one changes members: managers and admins.
        Route::new("POST", "/api/v1/clients/{client}/staff-imports?dry_run=true", Manage, 201)
            .file(IMPORT_FILE),
        Route::new("POST", "/api/v1/clients/{client}/staff-imports", Manage, 201).file(IMPORT_FILE),
        Route::new("GET", "/api/v1/staff/{member}", Read, 200),
        Route::new("GET", "/api/v1/staff/{member}/history", Read, 200),
        Route::new("GET", "/api/v1/staff/{member}/family", Read, 200),
        Route::new("GET", "/api/v1/eligibility?person={member}&date=2026-01-01", Read, 200),
        Route::new("GET", "/api/v1/eligibility?person={dependent}&date=2026-01-01", Read, 200),
        Route::new(
            "GET",
            "/api/v1/eligibility?client={client}&employee_number=m-100&date=2026-01-01",
            Read,
            200,
        ),
        Route::new(
            "GET",
            "/api/v1/eligibility?client={client}&full_name=Member&date_of_birth=1990-04-02&date=2026-01-01",
            Review,
            200,
        ),
        Route::new("PUT", "/api/v1/staff/{member}", Manage, 200).body(put_staff),
        Route::new("PATCH", "/api/v1/staff/{member}", Manage, 200).body(json!({"job_title": "Lead"})),
        Route::new("DELETE", "/api/v1/staff/{member}", Manage, 204),
        Route::new("POST", "/api/v1/staff/{member}/restore", Administer, 200).on_deleted(),
        Route::new("POST", "/api/v1/staff/{member}/deactivate", Manage, 200).body(json!({})),
        Route::new("POST", "/api/v1/staff/{member}/on-leave", Manage, 200)
            .body(json!({"leave_type": "sick"})),
        Route::new("POST", "/api/v1/staff/{member}/suspend", Manage, 200).body(json!({"reason": "r"})),
        Route::new("POST", "/api/v1/staff/{member}/terminate", Manage, 200).body(json!({"reason": "r"})),
        Route::new("POST", "/api/v1/staff/{member}/resign", Manage, 200).body(json!({})),
        Route::new("POST", "/api/v1/staff/{former}/reactivate", Manage, 200).body(json!({})),
        Route::new("POST", "/api/v1/staff/{former}/anonymise", Administer, 200),
        Route::new("GET", "/api/v1/beneficiaries/{dependent}", Read, 200),
        Route::new("GET", "/api/v1/beneficiaries/{dependent}/history", Read, 200),
        Route::new("GET", "/api/v1/beneficiaries/{dependent}/family", Read, 200),
        Route::new("PUT", "/api/v1/beneficiaries/{dependent}", Manage, 200).body(put_beneficiary),
        Route::new("PATCH", "/api/v1/beneficiaries/{dependent}", Manage, 200).body(json!({"notes": "n"})),
        Route::new("DELETE", "/api/v1/beneficiaries/{dependent}", Manage, 204),
        Route::new("POST", "/api/v1/beneficiaries/{dependent}/restore", Administer, 200).on_deleted(),
        Route::new("POST", "/api/v1/beneficiaries/{dependent}/deactivate", Manage, 200).body(json!({})),
        Route::new("POST", "/api/v1/beneficiaries/{inactive}/reactivate", Manage, 200).body(json!({})),
        Route::new("POST", "/api/v1/beneficiaries/{inactive}/anonymise", Administer, 200),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn role_and_scope_matrix_for_every_member_route() {
    let app = spawn_app().await;
    let people = People::sign_in(&app).await;
    let mismatches =
        matrix::run(&app, &people, &member_routes(), |deleted| fixture(&app, &people, deleted)).await;
    assert!(mismatches.is_empty(), "{} mismatches:\n{}", mismatches.len(), mismatches.join("\n"));
}

#[tokio::test(flavor = "multi_thread")]
async fn every_member_write_rolls_back_when_its_audit_record_cannot_be_written() {
    let app = spawn_app().await;
    let people = People::sign_in(&app).await;
    let mut routes = member_routes();
    routes.push(
        Route::new("POST", "/api/v1/staff", ClientAction::Manage, 201)
            .body(staff_body("{client}", "Created")),
    );
    routes.push(
        Route::new("POST", "/api/v1/beneficiaries", ClientAction::Manage, 201)
            .body(json!({"staff_id": "{member}", "full_name": "Created", "relation": "parent"})),
    );
    let failures = matrix::writes_roll_back_without_their_audit(&app, &people, &routes, |deleted| {
        fixture(&app, &people, deleted)
    })
    .await;
    assert!(failures.is_empty(), "{} writes kept without audit:\n{}", failures.len(), failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread")]
async fn viewers_never_see_contact_data() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let viewer = app.logged_in(Role::Viewer).await;
    let analyst = app.logged_in(Role::Analyst).await;
    let client = ClientBuilder::new().granted_to(&[viewer.user.id, analyst.user.id]).insert(&app).await;
    let member = staff(&app, &admin.access_token, &client.client.id.to_string(), "Amina Nakato").await;
    let dependent = beneficiary(&app, &admin.access_token, &member, "Joseph Okello").await;
    let contact =
        ["email", "phone", "address", "date_of_birth", "emergency_contact_phone", "emergency_contact_email"];
    for path in [format!("/api/v1/staff/{member}"), format!("/api/v1/beneficiaries/{dependent}")] {
        let (status, seen) = get(&app, &viewer.access_token, &path).await;
        assert_eq!(status, 200);
        for field in contact {
            assert_eq!(seen[field], Value::Null, "{path}: a viewer sees no {field}");
        }
        assert!(seen["full_name"].is_string());
        let (_, full) = get(&app, &analyst.access_token, &path).await;
        assert!(full["phone"].is_string(), "{path}: analysts see contact data");
    }
    let (_, listed) = get(&app, &viewer.access_token, "/api/v1/staff").await;
    assert_eq!(listed["data"][0]["email"], Value::Null, "nor in lists");
    let (_, family) = get(&app, &viewer.access_token, &format!("/api/v1/staff/{member}/family")).await;
    assert_eq!(family["staff"]["email"], Value::Null);
    assert_eq!(family["beneficiaries"][0]["phone"], Value::Null, "nor in families");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_read_is_on_record_and_refused_when_the_record_cannot_be_written() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;
    let client = ClientBuilder::new().insert(&app).await.client.id.to_string();
    let member = staff(&app, token, &client, "Read Me").await;
    let dependent = beneficiary(&app, token, &member, "Read Me Too").await;
    let reads = [
        format!("/api/v1/staff/{member}"),
        format!("/api/v1/staff/{member}/history"),
        format!("/api/v1/staff/{member}/family"),
        "/api/v1/staff?search=read".to_owned(),
        format!("/api/v1/beneficiaries/{dependent}"),
        "/api/v1/beneficiaries?search=read".to_owned(),
        format!("/api/v1/eligibility?person={dependent}&date={}", day(0)),
    ];
    for path in &reads {
        let before = sql_count(&app, "SELECT count(*) AS n FROM audit_logs WHERE action LIKE '%.read'").await;
        let (status, _) = get(&app, token, path).await;
        assert_eq!(status, 200, "{path}");
        let after = sql_count(&app, "SELECT count(*) AS n FROM audit_logs WHERE action LIKE '%.read'").await;
        assert_eq!(after, before + 1, "{path} wrote one read record");
    }
    let named = sql_count(
        &app,
        &format!("SELECT count(*) AS n FROM audit_logs WHERE action = 'staff.read' AND (entity_id = '{member}' OR details -> 'ids' ? '{member}')"),
    )
    .await;
    assert!(named >= 3, "the records name the member shown");

    sql(
        &app,
        "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit down'; END $$;
         CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_logs FOR EACH ROW EXECUTE FUNCTION refuse_audit();",
    )
    .await;
    for path in &reads {
        let response = app.get(path).bearer_auth(token).send().await.unwrap();
        let body = expect_problem(response, 503, "service_unavailable").await;
        assert!(!body.to_string().contains("Read Me"), "{path}: no person data in the refusal");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn eligibility_is_explained_by_the_first_failing_link_and_eligible_on_agrees() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;
    let covered = active_client(&app, "Covered").await;
    contract(&app, token, &covered, &day(-300), &day(60)).await;
    let inactive = active_client(&app, "Inactive").await;
    contract(&app, token, &inactive, &day(-300), &day(60)).await;
    sql(&app, &format!("UPDATE clients SET status = 'inactive' WHERE id = '{inactive}'")).await;
    let uncovered = active_client(&app, "Uncovered").await;
    let expired = active_client(&app, "Expired").await;
    contract(&app, token, &expired, &day(-300), &day(-1)).await;

    let working = staff(&app, token, &covered, "Working").await;
    let terminated = staff(&app, token, &covered, "Terminated").await;
    let (status, body) = post(
        &app,
        token,
        &format!("/api/v1/staff/{terminated}/terminate"),
        json!({"reason": "redundancy", "end_date": day(-30)}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let at_inactive = staff(&app, token, &inactive, "At Inactive").await;
    let at_uncovered = staff(&app, token, &uncovered, "At Uncovered").await;
    let at_expired = staff(&app, token, &expired, "At Expired").await;
    let spouse = beneficiary(&app, token, &working, "Spouse").await;
    let of_terminated = beneficiary(&app, token, &terminated, "Of Terminated").await;

    let ask = |person: String, date: String| {
        let request =
            app.get(&format!("/api/v1/eligibility?person={person}&date={date}")).bearer_auth(token).send();
        async move { json(request.await.unwrap()).await.1 }
    };
    let cases = [
        (working.clone(), day(0), None),
        (spouse.clone(), day(0), None),
        (at_inactive.clone(), day(0), Some("client_inactive")),
        (at_uncovered.clone(), day(0), Some("no_contract_coverage")),
        (at_expired.clone(), day(0), Some("no_contract_coverage")),
        (at_expired.clone(), day(-1), None),
        (terminated.clone(), day(0), Some("person_inactive")),
        (terminated.clone(), day(-40), None),
        (of_terminated.clone(), day(0), Some("staff_ineligible")),
        (working.clone(), "2024-12-31".to_owned(), Some("employment_not_started")),
    ];
    for (person, date, reason) in &cases {
        let answer = ask(person.clone(), date.clone()).await;
        assert_eq!(answer["eligible"], reason.is_none(), "{person} on {date}: {answer}");
        assert_eq!(answer["reason"], reason.map_or(Value::Null, Value::from), "{person} on {date}");
    }
    let kind = ask(spouse.clone(), day(0)).await;
    assert_eq!(kind["kind"], "beneficiary");

    // The same answers through the lists' `eligible_on`.
    for (person, date, reason) in &cases {
        let lists = ["/api/v1/staff", "/api/v1/beneficiaries"];
        let mut found = false;
        for list in lists {
            let (_, page) = get(&app, token, &format!("{list}?eligible_on={date}&limit=100")).await;
            found |=
                page["data"].as_array().expect("a page").iter().any(|item| item["id"] == person.as_str());
        }
        assert_eq!(found, reason.is_none(), "{person} listed as eligible on {date}");
    }
    let missing = app
        .get(&format!("/api/v1/eligibility?person={}&date={}", uuid::Uuid::now_v7(), day(0)))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    expect_problem(missing, 404, "not_found").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn anonymising_a_former_member_keeps_ids_and_leaves_no_values_in_the_trail() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;
    let client = ClientBuilder::new().insert(&app).await.client.id.to_string();
    let member = staff(&app, token, &client, "Amina Nakato").await;
    let (status, _) = post(&app, token, &format!("/api/v1/staff/{member}/anonymise"), json!({})).await;
    assert_eq!(status, 409, "someone still employed is not anonymised");
    let (status, _) =
        post(&app, token, &format!("/api/v1/staff/{member}/resign"), json!({"end_date": day(-1)})).await;
    assert_eq!(status, 200);
    let (status, erased) = post(&app, token, &format!("/api/v1/staff/{member}/anonymise"), json!({})).await;
    assert_eq!(status, 200, "{erased}");
    assert_eq!(
        (erased["id"].as_str(), erased["client_id"].as_str()),
        (Some(member.as_str()), Some(client.as_str()))
    );
    assert_eq!(erased["full_name"], "(anonymised)");
    assert_eq!((erased["email"].clone(), erased["phone"].clone()), (Value::Null, Value::Null));
    assert!(erased["anonymised_at"].is_string());
    // No record about the member holds the name, e-mail or phone they had.
    let leaks = sql_count(
        &app,
        &format!(
            "SELECT count(*) AS n FROM audit_logs WHERE entity_id = '{member}'
               AND (changes::text LIKE '%Amina%' OR changes::text LIKE '%person@example.com%'
                    OR changes::text LIKE '%700 000001%')"
        ),
    )
    .await;
    assert_eq!(leaks, 0, "person values in the audit trail");
    let named = sql_count(
        &app,
        &format!("SELECT count(*) AS n FROM audit_logs WHERE entity_id = '{member}' AND changes::text LIKE '%\"email\"%'"),
    )
    .await;
    assert!(named > 0, "the records still name the fields");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_minor_child_needs_a_guardian_and_beneficiaries_stay_with_their_employer() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;
    let client = ClientBuilder::new().insert(&app).await.client.id.to_string();
    let other = ClientBuilder::new().insert(&app).await.client.id.to_string();
    let member = staff(&app, token, &client, "Parent").await;
    let elsewhere = staff(&app, token, &other, "Elsewhere").await;
    let birthday = (today() - Duration::days(365 * 10)).to_string();
    let child =
        json!({"staff_id": member, "full_name": "Child", "relation": "child", "date_of_birth": birthday});
    let response = app.post("/api/v1/beneficiaries").bearer_auth(token).json(&child).send().await.unwrap();
    let problem = expect_problem(response, 422, "validation_failed").await;
    assert!(problem["errors"]["guardian_kind"].is_array(), "{problem}");
    let mut guarded = child.clone();
    guarded["guardian_kind"] = json!("named");
    guarded["guardian_name"] = json!("Grace Achieng");
    let (status, created) = post(&app, token, "/api/v1/beneficiaries", guarded).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["client_id"], client.as_str());
    let moved = app
        .patch(&format!("/api/v1/beneficiaries/{}", id(&created)))
        .bearer_auth(token)
        .json(&json!({"staff_id": elsewhere}))
        .send()
        .await
        .unwrap();
    let problem = expect_problem(moved, 422, "validation_failed").await;
    assert!(problem["errors"]["staff_id"].is_array(), "{problem}");
}

/// Writes sent without `If-Match` all land even when they race each other: a version moved by
/// another write is tried again, not answered 412 (that answer is for a stated precondition).
#[tokio::test(flavor = "multi_thread")]
async fn concurrent_unconditional_writes_all_land_and_a_stale_if_match_is_412() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;
    let client = ClientBuilder::new().insert(&app).await.client.id.to_string();
    let member = staff(&app, token, &client, "Raced").await;
    let path = format!("/api/v1/staff/{member}");
    let writes = (0..8).map(|n| {
        let request =
            app.patch(&path).bearer_auth(token).json(&json!({"job_title": format!("Title {n}")})).send();
        async move { request.await.unwrap().status().as_u16() }
    });
    let statuses = futures_util::future::join_all(writes).await;
    assert_eq!(statuses, vec![200; 8], "every unconditional write landed");
    let (_, stored) = get(&app, token, &path).await;
    assert_eq!(stored["version"], 9, "each write moved the version once");
    let stale =
        app.patch(&path).bearer_auth(token).header("If-Match", "\"1\"").json(&json!({"job_title": "Late"}));
    expect_problem(stale.send().await.unwrap(), 412, "precondition_failed").await;
}

/// Member list pages and totals are remembered under the list version: every write is seen at
/// once, and without a write the remembered page is served (a row added behind the version's
/// back stays unseen until the next write, which shows the reuse).
#[tokio::test(flavor = "multi_thread")]
async fn remembered_member_pages_follow_every_write_and_are_reused_without_one() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;
    let client = ClientBuilder::new().insert(&app).await.client.id.to_string();
    let names = |page: Value| -> Vec<String> {
        page["data"]
            .as_array()
            .expect("a page")
            .iter()
            .map(|m| m["full_name"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    let search = "/api/v1/staff?search=paged";
    staff(&app, token, &client, "Paged One").await;
    assert_eq!(names(get(&app, token, search).await.1), ["Paged One"]);
    let two = staff(&app, token, &client, "Paged Two").await;
    assert_eq!(names(get(&app, token, search).await.1), ["Paged One", "Paged Two"], "a new match");
    let renamed =
        app.patch(&format!("/api/v1/staff/{two}")).bearer_auth(token).json(&json!({"full_name": "Other"}));
    assert_eq!(renamed.send().await.unwrap().status(), 200);
    assert_eq!(names(get(&app, token, search).await.1), ["Paged One"], "renamed away");

    sql(
        &app,
        &format!(
            "ALTER TABLE staff DISABLE TRIGGER staff_list_changed;
             INSERT INTO member_profiles (id, full_name) VALUES ('{id}', 'Paged Hidden');
             INSERT INTO staff (id, client_id, profile_id, role, employment_start, status, search_text,
                                contact_search_text, version, created_at, updated_at)
                 VALUES ('{id}', '{client}', '{id}', 'staff', '2025-01-01', 'active', 'paged hidden', '', 1, now(), now());
             ALTER TABLE staff ENABLE TRIGGER staff_list_changed;",
            id = uuid::Uuid::now_v7()
        ),
    )
    .await;
    let (_, page) = get(&app, token, search).await;
    assert_eq!(
        (names(page.clone()), page["pagination"]["total"].clone()),
        (vec!["Paged One".to_owned()], json!(1)),
        "remembered"
    );
    staff(&app, token, &client, "Unrelated").await;
    let (_, page) = get(&app, token, search).await;
    assert_eq!(names(page.clone()), ["Paged Hidden", "Paged One"], "read again after a write");
    assert_eq!(page["pagination"]["total"], 2);
}

/// The client's stats count its members in service by their status today (issue 24 #3: it
/// said `staff: 0` whatever the client had).
#[tokio::test(flavor = "multi_thread")]
async fn client_stats_count_the_members_in_service() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;
    let client = active_client(&app, "Counted").await;
    let member = staff(&app, token, &client, "In Service").await;
    let former = staff(&app, token, &client, "Former").await;
    // Employment ended yesterday: inactive from today.
    let (status, _) =
        post(&app, token, &format!("/api/v1/staff/{former}/deactivate"), json!({"end_date": day(-1)})).await;
    assert_eq!(status, 200);
    let on_leave = staff(&app, token, &client, "Away").await;
    let (status, _) =
        post(&app, token, &format!("/api/v1/staff/{on_leave}/on-leave"), json!({"leave_type": "sick"})).await;
    assert_eq!(status, 200);
    beneficiary(&app, token, &member, "Spouse").await;
    let gone = beneficiary(&app, token, &member, "Parent").await;
    let (status, _) = post(&app, token, &format!("/api/v1/beneficiaries/{gone}/deactivate"), json!({})).await;
    assert_eq!(status, 200);
    let (status, stats) = get(&app, token, &format!("/api/v1/clients/{client}/stats")).await;
    assert_eq!(status, 200);
    assert_eq!((stats["staff"].as_i64(), stats["beneficiaries"].as_i64()), (Some(2), Some(1)), "{stats}");
}

/// A date is `YYYY-MM-DD` and nothing else, in bodies and queries (issue 24 #8: a timestamp was
/// stored as its date); a missing required query parameter is named, and every missing or
/// malformed one is named at once (#9: `query parameter . is malformed`).
#[tokio::test(flavor = "multi_thread")]
async fn dates_are_dates_and_every_missing_parameter_is_named() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;
    let client = active_client(&app, "Dated").await;
    let member = staff(&app, token, &client, "Dated Person").await;
    let body = json!({"client_id": client, "title": "EAP", "start_date": "2026-02-03T23:30:00-05:00",
                      "end_date": "2026-12-31", "billing_amount": "1000", "currency": "USD"});
    let response = app.post("/api/v1/contracts").bearer_auth(token).json(&body).send().await.unwrap();
    let problem = expect_problem(response, 422, "validation_failed").await;
    assert!(problem["errors"]["start_date"].is_array(), "{problem}");
    let (status, problem) =
        get(&app, token, &format!("/api/v1/eligibility?person={member}&date=2026-12-10T10:00:00Z")).await;
    assert_eq!(status, 400, "{problem}");
    assert!(problem["errors"]["date"].is_array(), "{problem}");
    let (status, problem) = get(&app, token, &format!("/api/v1/eligibility?person={member}")).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"]["date"], json!(["is required"]), "{problem}");
    let (status, problem) =
        get(&app, token, "/api/v1/eligibility?date=2026-12-10&date_of_birth=1990-13-01").await;
    assert_eq!(status, 400, "{problem}");
    assert!(problem["errors"]["date_of_birth"].is_array(), "{problem}");
    // Who is asked about: one of three ways, every missing field named at once.
    let (status, problem) = get(&app, token, "/api/v1/eligibility?date=2026-12-10").await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem["errors"]["person"].is_array(), "{problem}");
    let (status, problem) =
        get(&app, token, "/api/v1/eligibility?date=2026-12-10&full_name=Dated%20Person").await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(
        (problem["errors"]["client"].is_array(), problem["errors"]["date_of_birth"].is_array()),
        (true, true),
        "{problem}"
    );
}

/// The ids a member list answers for `query` (as an admin).
async fn listed_ids(app: &TestApp, token: &str, list: &str, query: &str) -> Vec<String> {
    let (status, body) = get(app, token, &format!("{list}?{query}&limit=100")).await;
    assert_eq!(status, 200, "{list}?{query}: {body}");
    body["data"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap().to_owned()).collect()
}

/// Dated truth (issue 24 #1): a change dated ahead leaves the record's status as it is today
/// and shows as its scheduled change; the `status` filter, `eligible_on` and eligibility all
/// agree on every day; on its day the change takes effect by itself, with its audit record;
/// and a later action replaces a scheduled one.
#[tokio::test(flavor = "multi_thread")]
async fn a_change_dated_ahead_is_scheduled_and_takes_effect_on_its_day() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;
    let client = active_client(&app, "Dated Truth").await;
    contract(&app, token, &client, &day(-100), &day(300)).await;
    let member = staff(&app, token, &client, "Leaving Soon").await;
    let dependent = beneficiary(&app, token, &member, "Dependent Leaving").await;

    let (status, answered) = post(
        &app,
        token,
        &format!("/api/v1/beneficiaries/{dependent}/deactivate"),
        json!({"effective_on": day(5)}),
    )
    .await;
    assert_eq!(status, 200, "{answered}");
    assert_eq!(answered["status"], "active", "active until its day: {answered}");
    assert_eq!(answered["scheduled_change"], json!({"status": "inactive", "on": day(5)}));
    let (status, answered) =
        post(&app, token, &format!("/api/v1/staff/{member}/deactivate"), json!({"end_date": day(3)})).await;
    assert_eq!(status, 200, "{answered}");
    assert_eq!(
        (answered["status"].as_str(), answered["employment_end"].as_str()),
        (Some("active"), Some(day(3).as_str()))
    );
    assert_eq!(answered["scheduled_change"], json!({"status": "inactive", "on": day(4)}));

    // Today: active in the status filter, eligible in the list and the answer.
    for (list, id) in [("/api/v1/staff", &member), ("/api/v1/beneficiaries", &dependent)] {
        assert!(listed_ids(&app, token, list, "status=active").await.contains(id), "{list}");
        assert!(!listed_ids(&app, token, list, "status=inactive").await.contains(id), "{list}");
        for (date, eligible) in [(day(0), true), (day(2), true), (day(5), false), (day(6), false)] {
            let listed = listed_ids(&app, token, list, &format!("eligible_on={date}")).await.contains(id);
            let (_, answer) = get(&app, token, &format!("/api/v1/eligibility?person={id}&date={date}")).await;
            assert_eq!(
                (listed, answer["eligible"].as_bool()),
                (eligible, Some(eligible)),
                "{list} on {date}: {answer}"
            );
        }
    }

    // Their days come (moved to today, as if today were later): the job applies them.
    sql(&app, &format!("UPDATE staff_status_changes SET effective_on = '{}' WHERE NOT applied", day(0)))
        .await;
    sql(
        &app,
        &format!("UPDATE beneficiary_status_changes SET effective_on = '{}' WHERE NOT applied", day(0)),
    )
    .await;
    let applied = app.wiring.beneficiaries.apply_scheduled().await.expect("applied");
    assert_eq!(applied, 2);
    assert_eq!(app.wiring.beneficiaries.apply_scheduled().await.expect("again"), 0, "once");
    for (path, entity) in [
        (format!("/api/v1/staff/{member}"), &member),
        (format!("/api/v1/beneficiaries/{dependent}"), &dependent),
    ] {
        let (_, read) = get(&app, token, &path).await;
        assert_eq!(
            (read["status"].as_str(), &read["scheduled_change"]),
            (Some("inactive"), &Value::Null),
            "{read}"
        );
        let records = sql_count(
            &app,
            &format!(
                "SELECT count(*) AS n FROM audit_logs WHERE entity_id = '{entity}' AND action LIKE '%.scheduled_change' \
                 AND actor_label = 'worker'"
            ),
        )
        .await;
        assert_eq!(records, 1, "{path}: the change took effect on record");
    }

    // A later action replaces a scheduled one.
    let other = staff(&app, token, &client, "Changing Plans").await;
    let (_, scheduled) =
        post(&app, token, &format!("/api/v1/staff/{other}/deactivate"), json!({"end_date": day(9)})).await;
    assert_eq!(scheduled["scheduled_change"]["on"], day(10));
    let (status, suspended) =
        post(&app, token, &format!("/api/v1/staff/{other}/suspend"), json!({"reason": "investigation"}))
            .await;
    assert_eq!(status, 200, "{suspended}");
    assert_eq!(
        (suspended["status"].as_str(), &suspended["scheduled_change"]),
        (Some("suspended"), &Value::Null)
    );
    let pending = sql_count(
        &app,
        &format!("SELECT count(*) AS n FROM staff_status_changes WHERE staff_id = '{other}' AND NOT applied"),
    )
    .await;
    assert_eq!(pending, 0, "the scheduled deactivation was withdrawn");
}

/// Issue 24, answers an agent can act on: lookups by employee number and by name and date of
/// birth, batches, the deciding facts (contract, last day of cover, a beneficiary's cause),
/// scope, and every lookup on record as a read of the person ("who looked at this person").
#[tokio::test(flavor = "multi_thread")]
async fn eligibility_lookups_name_the_deciding_facts_and_are_on_record() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let analyst = app.logged_in(Role::Analyst).await;
    let viewer = app.logged_in(Role::Viewer).await;
    let outsider = app.logged_in(Role::Analyst).await;
    let token = &admin.access_token;
    let client = ClientBuilder::new()
        .name("Lookups")
        .status(ClientStatus::Active)
        .granted_to(&[analyst.user.id, viewer.user.id])
        .insert(&app)
        .await
        .client
        .id
        .to_string();
    contract(&app, token, &client, &day(-300), &day(60)).await;
    let (_, contracts) = get(&app, token, &format!("/api/v1/clients/{client}/contracts")).await;
    let number = contracts["data"][0]["number"].as_str().expect("a number").to_owned();
    let contract_id = contracts["data"][0]["id"].as_str().expect("an id").to_owned();
    let mut body = staff_body(&client, "Amina Yusuf");
    body["employee_number"] = json!("EA-1");
    let (status, amina) = post(&app, token, "/api/v1/staff", body).await;
    assert_eq!(status, 201, "{amina}");
    let amina = id(&amina);
    let spouse = beneficiary(&app, token, &amina, "Yusuf Spouse").await;
    let today = day(0);

    // By employee number (case does not matter), with the deciding facts.
    let ask = |token: &str, query: String| {
        let request = app.get(&format!("/api/v1/eligibility?{query}")).bearer_auth(token).send();
        async move { json(request.await.unwrap()).await }
    };
    let (status, answer) =
        ask(&analyst.access_token, format!("client={client}&employee_number=ea-1&date={today}")).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        (answer["person"].as_str(), answer["kind"].as_str(), answer["eligible"].as_bool()),
        (Some(amina.as_str()), Some("staff"), Some(true)),
        "{answer}"
    );
    assert_eq!(answer["contract"], json!({"id": contract_id, "number": number}));
    assert_eq!(answer["covered_until"], json!(day(60)), "the contract's last day");

    // By full name (spacing and case do not matter) and date of birth.
    let by_name =
        format!("client={client}&full_name=%20amina%20%20YUSUF&date_of_birth=1990-04-02&date={today}");
    let (status, answer) = ask(&analyst.access_token, by_name.clone()).await;
    assert_eq!((status, answer["person"].as_str()), (200, Some(amina.as_str())), "{answer}");
    // Viewers do not read dates of birth, so they may not look people up by one.
    let (status, _) = ask(&viewer.access_token, by_name.clone()).await;
    assert_eq!(status, 403);
    // A namesake born the same day: ambiguous, and nobody is named.
    let (status, twin) = post(&app, token, "/api/v1/staff", staff_body(&client, "Amina Yusuf")).await;
    assert_eq!(status, 201, "{twin}");
    let (status, problem) = ask(&analyst.access_token, by_name).await;
    assert_eq!(status, 409, "{problem}");
    assert!(!problem.to_string().contains(&amina) && !problem.to_string().contains(&id(&twin)), "{problem}");
    // Out of scope is not found, however the person is named.
    let (status, _) = ask(&outsider.access_token, format!("person={amina}&date={today}")).await;
    assert_eq!(status, 404);
    let (status, _) =
        ask(&outsider.access_token, format!("client={client}&employee_number=EA-1&date={today}")).await;
    assert_eq!(status, 404);

    // A beneficiary refused through their staff member names the staff member's reason.
    sql(&app, &format!("UPDATE clients SET status = 'inactive' WHERE id = '{client}'")).await;
    let (_, answer) = ask(token, format!("person={spouse}&date={today}")).await;
    assert_eq!(
        (answer["reason"].as_str(), answer["cause"].as_str(), answer["staff_id"].as_str()),
        (Some("staff_ineligible"), Some("client_inactive"), Some(amina.as_str())),
        "{answer}"
    );
    assert_eq!(answer["covered_until"], Value::Null);
    sql(&app, &format!("UPDATE clients SET status = 'active' WHERE id = '{client}'")).await;

    // A batch: answers in order, one record naming everyone answered about.
    let unknown = uuid::Uuid::now_v7().to_string();
    let batch = json!({"date": today, "people": [
        {"person": spouse},
        {"client": client, "employee_number": "EA-1"},
        {"person": unknown},
        {"client": client, "full_name": "Amina Yusuf", "date_of_birth": "1990-04-02"},
    ]});
    let (status, answers) =
        post(&app, &analyst.access_token, "/api/v1/eligibility/batch", batch.clone()).await;
    assert_eq!(status, 200, "{answers}");
    let outcomes: Vec<&str> =
        answers["answers"].as_array().unwrap().iter().map(|a| a["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["answered", "answered", "not_found", "ambiguous"]);
    assert_eq!(answers["answers"][0]["answer"]["person"], json!(spouse));
    assert_eq!(answers["answers"][1]["answer"]["covered_until"], json!(day(60)));
    let (status, outside) = post(&app, &outsider.access_token, "/api/v1/eligibility/batch", batch).await;
    assert_eq!(status, 200, "{outside}");
    assert!(outside["answers"].as_array().unwrap().iter().all(|a| a["outcome"] == "not_found"), "{outside}");
    // A malformed question refuses the whole batch, naming it.
    let (status, problem) = post(
        &app,
        token,
        "/api/v1/eligibility/batch",
        json!({"date": today, "people": [{"person": amina}, {"employee_number": "EA-1"}]}),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem["errors"]["people[1].client"].is_array(), "{problem}");

    // Who looked at Amina: each lookup that answered about her, and the batch.
    let (status, trail) =
        get(&app, token, &format!("/api/v1/audit-logs/entities/staff/{amina}?limit=100")).await;
    assert_eq!(status, 200, "{trail}");
    let actions: Vec<&str> =
        trail["data"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    let reads = actions.iter().filter(|a| **a == "staff.read").count();
    assert_eq!(reads, 2, "by number and by name: {actions:?}");
    assert_eq!(actions.iter().filter(|a| **a == "eligibility.read").count(), 1, "{actions:?}");
    let (_, filtered) = get(&app, token, &format!("/api/v1/audit-logs?entity_id={spouse}&limit=100")).await;
    let spouse_reads: Vec<&str> =
        filtered["data"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert!(
        spouse_reads.contains(&"beneficiary.read") && spouse_reads.contains(&"eligibility.read"),
        "{spouse_reads:?}"
    );
}
