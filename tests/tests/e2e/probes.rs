//! What an attacker with a signed-in account probed for (issue 23), each hole as a regression
//! test: the account manager as a grant nobody checked, list searches and filters as an oracle
//! on data the caller may not read, and one address locking out everyone behind it.

use axis_clients::ClientStatus;
use axis_kernel::Role;
use axis_testkit::{ClientBuilder, UserBuilder, spawn_app, spawn_app_with};
use serde_json::{Value, json};

use crate::support::{expect_problem, json, sql_count};

async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    json(request.send().await.expect("request")).await
}

/// Who may name a client's account manager (managers and admins), whom (an active admin,
/// manager or analyst), and that the access it gives shows in the grants list and is
/// withdrawn by revoking it.
#[tokio::test(flavor = "multi_thread")]
async fn the_account_manager_is_a_grant_only_those_who_grant_may_give() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let manager = app.logged_in(Role::Manager).await;
    let analyst = app.logged_in(Role::Analyst).await;
    let other_analyst = app.logged_in(Role::Analyst).await;
    let viewer_elsewhere = app.logged_in(Role::Viewer).await;
    let client = ClientBuilder::new()
        .status(ClientStatus::Active)
        .granted_to(&[analyst.user.id])
        .insert_id(&app)
        .await;
    let path = format!("/api/v1/clients/{client}");
    let patch = |token: &str, user: Value| {
        app.patch(&path).bearer_auth(token).json(&json!({"account_manager_id": user}))
    };
    let reads = |token: &str| app.get(&path).bearer_auth(token);

    // The probe's finding: an analyst in scope named a viewer of another client, who then read
    // this one. Now 403, and nothing changed.
    let (status, _) = send(patch(&analyst.access_token, json!(viewer_elsewhere.user.id))).await;
    assert_eq!(status, 403, "an analyst may not name the account manager");
    assert_eq!(send(reads(&viewer_elsewhere.access_token)).await.0, 404, "the viewer still cannot see it");
    // Nor make themselves account manager (to keep access after a revoke).
    assert_eq!(send(patch(&analyst.access_token, json!(analyst.user.id))).await.0, 403);
    // An analyst's PATCH of other fields is still theirs to make.
    assert_eq!(
        send(app.patch(&path).bearer_auth(&analyst.access_token).json(&json!({"notes": "n"}))).await.0,
        200
    );

    // A manager may not name a viewer, a disabled user or nobody at all.
    for who in [json!(viewer_elsewhere.user.id), json!(uuid::Uuid::now_v7())] {
        let response = patch(&manager.access_token, who).send().await.unwrap();
        let body = expect_problem(response, 422, "validation_failed").await;
        assert!(body["errors"]["account_manager_id"].is_array(), "{body}");
    }
    let (status, _) = send(
        app.delete(&format!("/api/v1/users/{}", other_analyst.user.id)).bearer_auth(&admin.access_token),
    )
    .await;
    assert_eq!(status, 204, "disabled");
    let response = patch(&manager.access_token, json!(other_analyst.user.id)).send().await.unwrap();
    expect_problem(response, 422, "validation_failed").await;

    // A manager names an analyst who has no grant: the analyst now sees the client, and the
    // grants list says why.
    let manager_analyst = app.logged_in(Role::Analyst).await;
    assert_eq!(send(reads(&manager_analyst.access_token)).await.0, 404);
    let (status, body) = send(patch(&manager.access_token, json!(manager_analyst.user.id))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(send(reads(&manager_analyst.access_token)).await.0, 200);
    let (status, access) = send(app.get(&format!("{path}/grants")).bearer_auth(&admin.access_token)).await;
    assert_eq!(status, 200, "{access}");
    let sources_of = |user: &str| -> Vec<String> {
        access
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["user_id"] == user)
            .map(|a| a["source"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(sources_of(&manager_analyst.user.id.to_string()), ["account_manager"]);
    assert_eq!(sources_of(&analyst.user.id.to_string()), ["grant"]);
    assert_eq!(sources_of(&manager.user.id.to_string()), ["role"]);
    assert_eq!(sources_of(&admin.user.id.to_string()), ["role"]);
    assert!(sources_of(&viewer_elsewhere.user.id.to_string()).is_empty());

    // Revoking the account manager's access withdraws the place: they no longer see the client.
    let revoke = |user: &str| app.delete(&format!("{path}/grants/{user}")).bearer_auth(&admin.access_token);
    assert_eq!(send(revoke(&manager_analyst.user.id.to_string())).await.0, 204);
    assert_eq!(send(reads(&manager_analyst.access_token)).await.0, 404, "revoking access revokes it");
    let (_, detail) = send(reads(&admin.access_token)).await;
    assert_eq!(detail["account_manager_id"], Value::Null);
    // A user with access by role only: 409, change the role instead; with none: 404.
    let response = revoke(&manager.user.id.to_string()).send().await.unwrap();
    expect_problem(response, 409, "conflict").await;
    assert_eq!(send(revoke(&viewer_elsewhere.user.id.to_string())).await.0, 404);
}

/// The values a viewer may not read of a person, found by comparing what an analyst and a
/// viewer are shown of the same person: the fields the analyst sees filled and the viewer sees
/// `null`.
fn hidden_values(seen_by_analyst: &Value, seen_by_viewer: &Value) -> Vec<(String, String)> {
    let mut hidden = Vec::new();
    for (field, value) in seen_by_analyst.as_object().expect("an object") {
        if let (Some(text), Value::Null) = (value.as_str(), &seen_by_viewer[field]) {
            hidden.push((field.clone(), text.to_owned()));
        }
    }
    hidden
}

/// How many rows a list answers (its `total`, else its page's length).
fn listed(body: &Value) -> i64 {
    body["total"].as_i64().unwrap_or_else(|| body["data"].as_array().map_or(0, |d| d.len() as i64))
}

/// What a role may not read it may not filter, search or sort on, in every list: every GET
/// list route of the served OpenAPI document, each of its text query parameters given each
/// value the viewer is not shown of a person (and a part of it), answers the viewer exactly as
/// a value that matches nothing does. The same probes as an analyst find the person, so the
/// probe would see a leak.
#[tokio::test(flavor = "multi_thread")]
async fn no_list_filter_or_search_tells_a_viewer_what_it_hides() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let viewer = app.logged_in(Role::Viewer).await;
    let analyst = app.logged_in(Role::Analyst).await;
    let client = ClientBuilder::new()
        .status(ClientStatus::Active)
        .granted_to(&[viewer.user.id, analyst.user.id])
        .insert_id(&app)
        .await;
    let person = json!({"client_id": client, "full_name": "Probe Target", "email": "qzv.secret@example.com",
                        "phone": "+256 799 314159", "address": "Plot 7 Kololo", "date_of_birth": "1984-07-12",
                        "employment_start": "2025-01-01", "employee_number": "PT-1",
                        "emergency_contact_name": "Kin", "emergency_contact_phone": "+256 788 271828",
                        "emergency_contact_email": "kin.hidden@example.com"});
    let (status, staff) =
        send(app.post("/api/v1/staff").bearer_auth(&admin.access_token).json(&person)).await;
    assert_eq!(status, 201, "{staff}");
    let staff_id = staff["id"].as_str().unwrap().to_owned();
    let dependent = json!({"staff_id": staff_id, "full_name": "Probe Kin", "relation": "spouse",
                           "email": "dep.secret@example.com", "phone": "+256 777 161803"});
    let (status, dependent) =
        send(app.post("/api/v1/beneficiaries").bearer_auth(&admin.access_token).json(&dependent)).await;
    assert_eq!(status, 201, "{dependent}");
    let dependent_id = dependent["id"].as_str().unwrap().to_owned();

    let mut secrets = Vec::new();
    for path in [format!("/api/v1/staff/{staff_id}"), format!("/api/v1/beneficiaries/{dependent_id}")] {
        let (_, as_analyst) = send(app.get(&path).bearer_auth(&analyst.access_token)).await;
        let (_, as_viewer) = send(app.get(&path).bearer_auth(&viewer.access_token)).await;
        secrets.extend(hidden_values(&as_analyst, &as_viewer));
    }
    let fields: Vec<&str> = secrets.iter().map(|(field, _)| field.as_str()).collect();
    for expected in ["email", "phone", "address", "date_of_birth", "emergency_contact_phone"] {
        assert!(fields.contains(&expected), "{expected} is hidden from viewers: {fields:?}");
    }

    // Every GET route that answers a page, with the query parameters it takes.
    let (_, document) = send(app.get("/api/v1/openapi.json")).await;
    let mut probed_routes = 0;
    let mut analyst_found = 0;
    for (path, item) in document["paths"].as_object().expect("paths") {
        let Some(get) = item.get("get") else { continue };
        let answers_a_page = get["responses"]["200"]["content"]["application/json"]["schema"]
            .to_string()
            .contains("Paginated");
        if !answers_a_page {
            continue;
        }
        let Some(concrete) = concrete_path(path, &client, &staff_id) else { continue };
        let parameters: Vec<&Value> = get["parameters"]
            .as_array()
            .map(|p| p.iter().filter(|p| p["in"] == "query").collect())
            .unwrap_or_default();
        for parameter in parameters {
            let name = parameter["name"].as_str().unwrap();
            let schema = &parameter["schema"];
            if name == "ordering" {
                // Sorting is a filter too: no ordering may name a hidden field.
                let pattern = schema["pattern"].as_str().unwrap_or("");
                for (field, _) in &secrets {
                    assert!(
                        !pattern.contains(field.as_str()),
                        "{path} sorts on {field}, hidden from viewers"
                    );
                }
                continue;
            }
            let is_text =
                schema["type"] == "string" && schema.get("enum").is_none() && schema.get("format").is_none();
            if !is_text || ["cursor", "limit", "offset", "page"].contains(&name) {
                continue;
            }
            probed_routes += 1;
            let ask = |token: &str, value: &str| {
                let url = format!(
                    "{concrete}{}{name}={}",
                    if concrete.contains('?') { '&' } else { '?' },
                    urlencode(value)
                );
                let token = token.to_owned();
                let request = app.get(&url).bearer_auth(token);
                async move { send(request).await }
            };
            let (status, nothing) = ask(&viewer.access_token, "zz-matches-nothing-zz").await;
            if status != 200 {
                continue;
            }
            for (field, value) in &secrets {
                for probe in probes(value) {
                    let (status, answer) = ask(&viewer.access_token, &probe).await;
                    assert_eq!(status, 200, "{path}?{name}={probe}: {answer}");
                    assert_eq!(
                        listed(&answer),
                        listed(&nothing),
                        "{path}?{name}= tells a viewer about the hidden {field} ({probe:?})"
                    );
                    let (_, as_analyst) = ask(&analyst.access_token, &probe).await;
                    if listed(&as_analyst) > 0 {
                        analyst_found += 1;
                    }
                }
            }
        }
    }
    assert!(probed_routes >= 4, "the staff and beneficiary lists were probed ({probed_routes})");
    assert!(analyst_found > 0, "the same probes find the person for an analyst, who reads those fields");
}

/// `path` with its path parameters filled (a client's lists by the probe's client), or `None`
/// for a route whose parameters the probe has no value for.
fn concrete_path(path: &str, client: &str, staff: &str) -> Option<String> {
    let filled = path
        .replace("/clients/{id}/", &format!("/clients/{client}/"))
        .replace("/staff/{id}/", &format!("/staff/{staff}/"));
    (!filled.contains('{')).then_some(filled)
}

/// The whole value and a telling part of it (what a character-at-a-time search would try).
fn probes(value: &str) -> Vec<String> {
    let part: String = value.chars().skip(1).take(6).collect();
    vec![value.to_owned(), part]
}

fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// Behind one address (a company's NAT, a proxy) many people sign in. Other traffic's failed
/// logins lock the address, yet an account without recent failures of its own signs in with
/// its correct password at once; an account that is being guessed at does wait.
#[tokio::test(flavor = "multi_thread")]
async fn one_address_cannot_lock_out_the_accounts_behind_it() {
    let app = spawn_app_with(&["--trusted-proxies", "127.0.0.1"]).await;
    let colleague = UserBuilder::new().insert(&app).await;
    let guessed = UserBuilder::new().insert(&app).await;
    let shared = "203.0.113.50";
    let login = |email: &str, password: &str| {
        app.post("/api/v1/auth/login")
            .header("x-forwarded-for", shared)
            .json(&json!({"email": email, "password": password}))
            .send()
    };
    // Thirty failures from the shared address over five other accounts lock the address.
    let mut locked = false;
    for attempt in 0..30 {
        let response = login(&format!("nobody{}@example.com", attempt % 5), "wrong password!").await.unwrap();
        locked |= response.status() == 429;
    }
    assert!(locked, "the address is locked for accounts being guessed");
    let address_locked = sql_count(
        &app,
        &format!(
            "SELECT count(*) AS n FROM login_throttle WHERE subject = 'ip:{shared}' AND blocked_until > now()"
        ),
    )
    .await;
    assert_eq!(address_locked, 1, "the shared address itself is locked");
    // The colleague, who never failed, signs in from the same address at once.
    let response = login(&colleague.email, &colleague.password).await.unwrap();
    assert_eq!(response.status(), 200, "a correct password behind a locked address");
    // An account that failed just now from elsewhere is refused from the locked address.
    let elsewhere = app
        .post("/api/v1/auth/login")
        .header("x-forwarded-for", "198.51.100.9")
        .json(&json!({"email": guessed.email, "password": "wrong password!"}))
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), 401);
    let response = login(&guessed.email, &guessed.password).await.unwrap();
    assert_eq!(response.status(), 429, "an account being guessed at waits behind a locked address");
}
