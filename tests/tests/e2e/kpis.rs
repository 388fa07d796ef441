//! KPIs through the API: every route × every kind of caller, audits that roll writes back,
//! the contract-of-the-client rules, the lifecycle, overlapping periods (also racing), and
//! performance and a client's summary computed from the stored measurements.

use std::collections::BTreeMap;

use axis_kernel::{ClientAction, Role};
use axis_testkit::matrix::{self, People, Route};
use axis_testkit::{ClientBuilder, ContractBuilder, TestApp, spawn_app};
use serde_json::{Value, json};
use time::macros::date;

use crate::support::{expect_problem, json};

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> (u16, Value) {
    json(app.post(path).bearer_auth(token).json(&body).send().await.unwrap()).await
}

fn id(body: &Value) -> String {
    body["id"].as_str().unwrap_or_else(|| panic!("an id in {body}")).to_owned()
}

/// A type, a KPI of `client`, and an ongoing assignment of it to `contract` with one
/// measurement; answers their ids.
async fn kpi_setup(app: &TestApp, token: &str, client: &str, contract: &str) -> BTreeMap<String, String> {
    let (status, kind) = post(
        app,
        token,
        "/api/v1/kpi-types",
        json!({"name": format!("Quality {}", uuid::Uuid::now_v7()), "weight": 2}),
    )
    .await;
    assert_eq!(status, 201, "{kind}");
    let (status, kpi) = post(
        app,
        token,
        "/api/v1/kpis",
        json!({
            "name": "Utilisation", "kpi_type_id": id(&kind), "unit": "%", "unit_type": "percentage",
            "target": "5", "direction": "higher_is_better", "client_id": client
        }),
    )
    .await;
    assert_eq!(status, 201, "{kpi}");
    let (status, assignment) = post(
        app,
        token,
        "/api/v1/kpi-assignments",
        json!({
            "kpi_id": id(&kpi), "contract_id": contract, "frequency": "quarterly", "start_date": "2026-01-01"
        }),
    )
    .await;
    assert_eq!(status, 201, "{assignment}");
    let assignment_id = id(&assignment);
    let (status, _) =
        post(app, token, &format!("/api/v1/kpi-assignments/{assignment_id}/activate"), json!(null)).await;
    assert_eq!(status, 200);
    let (status, measurement) = post(
        app,
        token,
        &format!("/api/v1/kpi-assignments/{assignment_id}/measurements"),
        json!({
            "period_start": "2026-01-01", "period_end": "2026-03-31", "value": "6.5"
        }),
    )
    .await;
    assert_eq!(status, 201, "{measurement}");
    BTreeMap::from([
        ("kpi_type".to_owned(), id(&kind)),
        ("kpi".to_owned(), id(&kpi)),
        ("assignment".to_owned(), assignment_id),
        ("measurement".to_owned(), id(&measurement)),
    ])
}

async fn fixture(app: &TestApp, people: &People) -> BTreeMap<String, String> {
    let granted: Vec<_> = people.granted().iter().map(|person| person.user.id).collect();
    let client = ClientBuilder::new().granted_to(&granted).insert(app).await.client.id;
    let contract = ContractBuilder::new(client, date!(2026 - 01 - 01), date!(2026 - 12 - 31))
        .insert(app)
        .await
        .contract
        .id;
    let mut values =
        kpi_setup(app, &people.admin.access_token, &client.to_string(), &contract.to_string()).await;
    values.insert("client".into(), client.to_string());
    values.insert("contract".into(), contract.to_string());
    values
}

/// Every route on a client's KPI data (types and global KPIs belong to no client: below).
fn kpi_routes() -> Vec<Route> {
    use ClientAction::{Edit, Manage, Read};
    vec![
        Route::new("GET", "/api/v1/kpis/{kpi}", Read, 200),
        Route::new("PATCH", "/api/v1/kpis/{kpi}", Manage, 200).body(json!({"name": "Renamed"})),
        Route::new("GET", "/api/v1/kpi-assignments/{assignment}", Read, 200),
        Route::new("PATCH", "/api/v1/kpi-assignments/{assignment}", Manage, 200).body(json!({"notes": "n"})),
        Route::new("POST", "/api/v1/kpi-assignments/{assignment}/pause", Manage, 200),
        Route::new("POST", "/api/v1/kpi-assignments/{assignment}/complete", Manage, 200),
        Route::new("POST", "/api/v1/kpi-assignments/{assignment}/cancel", Manage, 200),
        Route::new("GET", "/api/v1/kpi-assignments/{assignment}/measurements", Read, 200),
        Route::new("POST", "/api/v1/kpi-assignments/{assignment}/measurements", Edit, 201)
            .body(json!({"period_start": "2026-04-01", "period_end": "2026-06-30", "value": "4"})),
        Route::new("GET", "/api/v1/kpi-assignments/{assignment}/performance", Read, 200),
        Route::new("PUT", "/api/v1/kpi-measurements/{measurement}", Edit, 200)
            .body(json!({"period_start": "2026-01-01", "period_end": "2026-03-31", "value": "7"})),
        Route::new("DELETE", "/api/v1/kpi-measurements/{measurement}", Edit, 204),
        Route::new("GET", "/api/v1/clients/{client}/kpi-summary", Read, 200),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn role_and_scope_matrix_for_every_kpi_route() {
    let app = spawn_app().await;
    let people = People::sign_in(&app).await;
    let mismatches = matrix::run(&app, &people, &kpi_routes(), |_| fixture(&app, &people)).await;
    assert!(mismatches.is_empty(), "{} mismatches:\n{}", mismatches.len(), mismatches.join("\n"));
}

#[tokio::test(flavor = "multi_thread")]
async fn every_kpi_write_rolls_back_when_its_audit_record_cannot_be_written() {
    let app = spawn_app().await;
    let people = People::sign_in(&app).await;
    let mut routes = kpi_routes();
    routes.extend([
        Route::new("POST", "/api/v1/kpi-types", ClientAction::Manage, 201)
            .body(json!({"name": "Another type"})),
        Route::new("PATCH", "/api/v1/kpi-types/{kpi_type}", ClientAction::Manage, 200)
            .body(json!({"weight": 5})),
        Route::new("POST", "/api/v1/kpis", ClientAction::Manage, 201).body(json!({
            "name": "Sessions", "kpi_type_id": "{kpi_type}", "unit": "sessions", "unit_type": "count",
            "direction": "higher_is_better", "client_id": "{client}", "contract_id": "{contract}"
        })),
        Route::new("POST", "/api/v1/kpi-assignments", ClientAction::Manage, 201).body(json!({
            "kpi_id": "{kpi}", "contract_id": "{contract}", "frequency": "monthly", "start_date": "2026-02-01"
        })),
    ]);
    let failures =
        matrix::writes_roll_back_without_their_audit(&app, &people, &routes, |_| fixture(&app, &people))
            .await;
    assert!(failures.is_empty(), "{} writes kept without audit:\n{}", failures.len(), failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread")]
async fn types_and_global_kpis_are_everyones_to_read_and_managers_to_write() {
    let app = spawn_app().await;
    let (manager, analyst, viewer) = (
        app.logged_in(Role::Manager).await,
        app.logged_in(Role::Analyst).await,
        app.logged_in(Role::Viewer).await,
    );
    let (status, kind) =
        post(&app, &manager.access_token, "/api/v1/kpi-types", json!({"name": "Reach"})).await;
    assert_eq!(status, 201);
    let (status, _) = post(&app, &manager.access_token, "/api/v1/kpi-types", json!({"name": " reach"})).await;
    assert_eq!(status, 409, "type names are unique in any case");
    let (status, _) = post(&app, &analyst.access_token, "/api/v1/kpi-types", json!({"name": "Other"})).await;
    assert_eq!(status, 403);
    let global = json!({"name": "Satisfaction", "kpi_type_id": id(&kind), "unit": "score", "unit_type": "score",
                        "target": "4.5", "direction": "higher_is_better"});
    assert_eq!(post(&app, &analyst.access_token, "/api/v1/kpis", global.clone()).await.0, 403);
    let (status, kpi) = post(&app, &manager.access_token, "/api/v1/kpis", global).await;
    assert_eq!((status, kpi["target"].as_str()), (201, Some("4.5")), "{kpi}");
    let (status, listed) =
        json(app.get("/api/v1/kpis?global=true").bearer_auth(&viewer.access_token).send().await.unwrap())
            .await;
    assert_eq!((status, listed["pagination"]["total"].as_u64()), (200, Some(1)));
    let refused = app
        .delete(&format!("/api/v1/kpi-types/{}", id(&kind)))
        .bearer_auth(&manager.access_token)
        .send()
        .await
        .unwrap();
    expect_problem(refused, 409, "conflict").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_kpi_and_its_assignments_stay_with_one_client() {
    let app = spawn_app().await;
    let manager = app.logged_in(Role::Manager).await;
    let token = &manager.access_token;
    let client = ClientBuilder::new().insert(&app).await.client.id;
    let other = ClientBuilder::new().insert(&app).await.client.id;
    let contract = ContractBuilder::new(client, date!(2026 - 01 - 01), date!(2026 - 12 - 31))
        .insert(&app)
        .await
        .contract
        .id;
    let others = ContractBuilder::new(other, date!(2026 - 01 - 01), date!(2026 - 12 - 31))
        .insert(&app)
        .await
        .contract
        .id;
    let (_, kind) = post(&app, token, "/api/v1/kpi-types", json!({"name": "Quality"})).await;
    let kpi_body = |client: String, contract: Option<String>| {
        json!({
            "name": "Response", "kpi_type_id": id(&kind), "unit": "hours", "unit_type": "time",
            "direction": "lower_is_better", "target": "24", "client_id": client, "contract_id": contract
        })
    };
    let (status, problem) =
        post(&app, token, "/api/v1/kpis", kpi_body(client.to_string(), Some(others.to_string()))).await;
    assert_eq!((status, problem["errors"]["contract_id"].is_array()), (422, true), "{problem}");
    let (status, kpi) = post(&app, token, "/api/v1/kpis", kpi_body(client.to_string(), None)).await;
    assert_eq!(status, 201, "{kpi}");
    let assign = |contract: String| json!({"kpi_id": id(&kpi), "contract_id": contract, "frequency": "monthly", "start_date": "2026-01-01"});
    let (status, problem) = post(&app, token, "/api/v1/kpi-assignments", assign(others.to_string())).await;
    assert_eq!((status, problem["errors"]["kpi_id"].is_array()), (422, true), "{problem}");
    let (status, assignment) =
        post(&app, token, "/api/v1/kpi-assignments", assign(contract.to_string())).await;
    assert_eq!((status, assignment["client_id"].as_str()), (201, Some(client.to_string().as_str())));
    let moved = app
        .patch(&format!("/api/v1/kpis/{}", id(&kpi)))
        .bearer_auth(token)
        .json(&json!({"client_id": other}))
        .send()
        .await
        .unwrap();
    assert!(matches!(moved.status().as_u16(), 400 | 422), "the client is not writable: {}", moved.status());
}

#[tokio::test(flavor = "multi_thread")]
async fn performance_and_the_client_summary_come_from_the_stored_periods() {
    let app = spawn_app().await;
    let manager = app.logged_in(Role::Manager).await;
    let token = &manager.access_token;
    let client = ClientBuilder::new().insert(&app).await.client.id;
    let contract = ContractBuilder::new(client, date!(2026 - 01 - 01), date!(2026 - 12 - 31))
        .insert(&app)
        .await
        .contract
        .id;
    let ids = kpi_setup(&app, token, &client.to_string(), &contract.to_string()).await;
    let assignment = &ids["assignment"];
    let record = |start: &str, end: &str, value: &str| {
        app.post(&format!("/api/v1/kpi-assignments/{assignment}/measurements"))
            .bearer_auth(token)
            .json(&json!({"period_start": start, "period_end": end, "value": value}))
            .send()
    };
    assert_eq!(record("2026-04-01", "2026-06-30", "4").await.unwrap().status(), 201);
    assert_eq!(record("2026-07-01", "2026-09-30", "5.25").await.unwrap().status(), 201);
    let overlap = record("2026-09-01", "2026-10-31", "1").await.unwrap();
    let problem = expect_problem(overlap, 409, "conflict").await;
    assert!(problem["errors"]["period_start"].is_array(), "{problem}");
    let outside = record("2027-01-01", "2027-03-31", "1").await.unwrap();
    assert_eq!(outside.status(), 201, "an open-ended assignment takes any later period");
    let (status, performance) = json(
        app.get(&format!("/api/v1/kpi-assignments/{assignment}/performance"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{performance}");
    let met: Vec<Value> =
        performance["periods"].as_array().unwrap().iter().map(|p| p["met"].clone()).collect();
    assert_eq!(met, [json!(true), json!(false), json!(true), json!(false)], "{performance}");
    assert_eq!(performance["met_rate"], "50.00");
    assert_eq!(performance["periods"][1]["change"], "-2.5");
    assert_eq!(performance["periods"][1]["trend"], "worsening");
    let (status, summary) = json(
        app.get(&format!("/api/v1/clients/{client}/kpi-summary")).bearer_auth(token).send().await.unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{summary}");
    assert_eq!((summary["measured"].as_u64(), summary["on_target"].as_u64()), (Some(1), Some(0)));
    assert_eq!(summary["weighted_met_rate"], "50.00");
}

#[tokio::test(flavor = "multi_thread")]
async fn racing_recorders_of_one_period_record_it_once() {
    let app = spawn_app().await;
    let manager = app.logged_in(Role::Manager).await;
    let token = manager.access_token.clone();
    let client = ClientBuilder::new().insert(&app).await.client.id;
    let contract = ContractBuilder::new(client, date!(2026 - 01 - 01), date!(2026 - 12 - 31))
        .insert(&app)
        .await
        .contract
        .id;
    let ids = kpi_setup(&app, &token, &client.to_string(), &contract.to_string()).await;
    let path = format!("/api/v1/kpi-assignments/{}/measurements", ids["assignment"]);
    let sends = (0..8).map(|i| {
        app.post(&path)
            .bearer_auth(&token)
            .json(&json!({"period_start": "2026-05-01", "period_end": "2026-05-31", "value": i.to_string()}))
            .send()
    });
    let statuses: Vec<u16> = futures_util::future::join_all(sends)
        .await
        .into_iter()
        .map(|r| r.unwrap().status().as_u16())
        .collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 201 || *s == 409), "{statuses:?}");
}
