//! The HTTP platform: problem+json everywhere, health, limits, pool exhaustion, OpenAPI.

use std::time::{Duration, Instant};

use axis_kernel::Role;
use axis_testkit::{spawn_app, spawn_app_with};
use serde_json::Value;

use crate::support::{expect_problem, json};

#[tokio::test(flavor = "multi_thread")]
async fn health_is_public_and_monitoring_is_for_admins() {
    let app = spawn_app().await;
    let response = app.get("/api/health").send().await.unwrap();
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert!(response.headers().contains_key("x-request-id"));
    let (status, body) = json(response).await;
    assert_eq!((status, body), (200, serde_json::json!({"status": "healthy"})));

    expect_problem(app.get("/api/v1/health/monitoring").send().await.unwrap(), 401, "unauthenticated").await;
    let manager = app.logged_in(Role::Manager).await;
    let response =
        app.get("/api/v1/health/monitoring").bearer_auth(&manager.access_token).send().await.unwrap();
    expect_problem(response, 403, "forbidden").await;

    let admin = app.logged_in(Role::Admin).await;
    let response =
        app.get("/api/v1/health/monitoring").bearer_auth(&admin.access_token).send().await.unwrap();
    let (status, body) = json(response).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "healthy");
    assert!(body["database"]["latency_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(body["migrations"]["pending"], serde_json::json!([]));
    assert_eq!(body["migrations"]["applied"], axis_testkit::migration_count());
    assert_eq!(body["pool"]["max_size"], 4 + 2, "the one worker's 4 and the background pool's 2");
    assert_eq!(body["users"]["total"], 2);
    assert_eq!(body["users"]["live_sessions"], 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_routes_and_wrong_methods_are_problems() {
    let app = spawn_app().await;
    expect_problem(app.get("/api/v1/nothing-here").send().await.unwrap(), 404, "not_found").await;
    let inside_a_collection = format!("/api/v1/clients/{}/nothing-here", uuid::Uuid::now_v7());
    expect_problem(app.get(&inside_a_collection).send().await.unwrap(), 404, "not_found").await;
    let response = app.client.put(app.url("/api/v1/users")).send().await.unwrap();
    assert_eq!(response.headers()["allow"], "GET, HEAD, POST");
    expect_problem(response, 405, "method_not_allowed").await;
    let response =
        app.client.put(app.url(&format!("/api/v1/users/{}", uuid::Uuid::now_v7()))).send().await.unwrap();
    assert_eq!(response.headers()["allow"], "DELETE, GET, HEAD, PATCH");
    expect_problem(response, 405, "method_not_allowed").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_requests_are_problems_not_panics() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;
    let login = || app.post("/api/v1/auth/login");

    let response = login().header("content-type", "application/json").body("{not json").send().await.unwrap();
    expect_problem(response, 400, "bad_request").await;
    let response = login().header("content-type", "text/plain").body("{}").send().await.unwrap();
    expect_problem(response, 415, "unsupported_media_type").await;
    let response = login()
        .json(&serde_json::json!({"email": "a@b.io", "password": "x", "extra": 1}))
        .send()
        .await
        .unwrap();
    expect_problem(response, 422, "validation_failed").await;
    let response = login().json(&serde_json::json!({"email": 5})).send().await.unwrap();
    expect_problem(response, 422, "validation_failed").await;
    let huge = format!("{{\"email\": \"{}\", \"password\": \"x\"}}", "a".repeat(300 * 1024));
    let response = login().header("content-type", "application/json").body(huge).send().await.unwrap();
    expect_problem(response, 413, "payload_too_large").await;

    let response = app.get("/api/v1/users/not-a-uuid").bearer_auth(token).send().await.unwrap();
    expect_problem(response, 400, "bad_request").await;
    let response = app.get("/api/v1/users?limit=101").bearer_auth(token).send().await.unwrap();
    let body = expect_problem(response, 422, "validation_failed").await;
    assert!(body["errors"]["limit"].is_array());
    let response = app.get("/api/v1/users?page=0").bearer_auth(token).send().await.unwrap();
    expect_problem(response, 422, "validation_failed").await;
    let response = app.get("/api/v1/users?limit=ten").bearer_auth(token).send().await.unwrap();
    expect_problem(response, 400, "bad_request").await;
    let response = app.get("/api/v1/users?role=root").bearer_auth(token).send().await.unwrap();
    let body = expect_problem(response, 422, "validation_failed").await;
    assert_eq!(body["errors"]["role"][0], "must be one of: admin, manager, analyst, viewer");
}

#[tokio::test(flavor = "multi_thread")]
async fn problem_bodies_carry_the_request_id_of_the_response() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/users").send().await.unwrap();
    let header = response.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body = expect_problem(response, 401, "unauthenticated").await;
    assert_eq!(body["request_id"], header);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_exhausted_pool_answers_503_within_the_wait_timeout() {
    let app = spawn_app_with(&["--db-pool-size", "1", "--db-pool-wait-timeout-ms", "300"]).await;
    let session = app.logged_in(Role::Viewer).await;
    let worker_pool = app.wiring.db.worker_pool(0).expect("the one HTTP worker has a pool");
    let held = worker_pool.get().await.expect("take its only connection");
    let started = Instant::now();
    let response = app.get("/api/v1/auth/me").bearer_auth(&session.access_token).send().await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(response.headers()["retry-after"], "1");
    expect_problem(response, 503, "service_unavailable").await;
    assert!(elapsed >= Duration::from_millis(250), "waited for the pool ({elapsed:?})");
    assert!(elapsed < Duration::from_secs(2), "never hangs ({elapsed:?})");
    let health = app.get("/api/health").send().await.unwrap();
    assert_eq!(health.status(), 503, "health reports the saturated database");
    drop(held);
    assert_eq!(
        app.get("/api/v1/auth/me").bearer_auth(&session.access_token).send().await.unwrap().status(),
        200
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn jwks_and_openapi_are_public() {
    let app = spawn_app().await;
    let (status, jwks) = json(app.get("/.well-known/jwks.json").send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(jwks["keys"][0]["alg"], "EdDSA");
    assert!(jwks["keys"][0].get("d").is_none(), "never the private key");
    let (status, spec) = json(app.get("/api/v1/openapi.json").send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(spec, serde_json::to_value(axis_app::http::openapi()).unwrap());
    let docs = app.get("/api/v1/docs/").send().await.unwrap();
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.unwrap().contains("swagger"), "the docs page is served from the binary");
}

/// Every `$ref` of the document points at something it has: a response group naming a response
/// the components do not register would pass the snapshot and break every client's tooling
/// (schemathesis refused 40 operations over a missing `RequestTimeout`).
#[test]
fn every_reference_in_the_openapi_document_resolves() {
    fn refs<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(target)) = map.get("$ref") {
                    found.push(target);
                }
                map.values().for_each(|v| refs(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
            _ => {}
        }
    }
    let spec: Value = serde_json::to_value(axis_app::http::openapi()).unwrap();
    let mut found = Vec::new();
    refs(&spec, &mut found);
    assert!(!found.is_empty());
    let dangling: std::collections::BTreeSet<&str> = found
        .into_iter()
        .filter(|target| {
            let pointer = target.strip_prefix('#').unwrap_or(target);
            spec.pointer(pointer).is_none()
        })
        .collect();
    assert!(dangling.is_empty(), "references to nothing: {dangling:?}");
}

#[test]
fn openapi_document_snapshot() {
    let spec: Value = serde_json::to_value(axis_app::http::openapi()).unwrap();
    insta::assert_json_snapshot!("openapi", spec);
}

/// Every type deriving `ToSchema` in the workspace, as (component name, where it is declared).
/// The component name is the `#[schema(as = …)]` name when there is one, else the type's own.
/// Generic types and types declared inside macros (`$name`) are left out: their names are made
/// where they are used.
fn declared_schema_names() -> Vec<(String, String)> {
    fn rust_files(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                rust_files(&path, found);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                found.push(path);
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(root.join("crates")).unwrap().flatten() {
        rust_files(&entry.path().join("src"), &mut files);
    }
    let mut names = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        let place = |at: usize| format!("{}:{}", file.strip_prefix(&root).unwrap_or(&file).display(), at + 1);
        for (at, line) in lines.iter().enumerate() {
            // `string_enum!` enums document themselves under their own name.
            if line.contains("string_enum! {") {
                if let Some(rest) = lines[at + 1..].iter().find_map(|item| item.strip_prefix("pub enum ")) {
                    let name: String =
                        rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    names.push((name, place(at)));
                }
                continue;
            }
            // A plain derive, or a domain type's derive behind its `openapi` feature.
            let derives = line.starts_with("#[derive(") || line.starts_with("#[cfg_attr(");
            if !(derives && line.contains("ToSchema")) {
                continue;
            }
            let mut renamed = None;
            for item in &lines[at + 1..] {
                let attribute = item.strip_prefix("#[cfg_attr(feature = \"openapi\", ").unwrap_or(item);
                let attribute = attribute.strip_prefix("#[").unwrap_or(attribute);
                if let Some(rest) = attribute.strip_prefix("schema(as = ") {
                    renamed = rest.split([')', ',']).next().map(str::to_owned);
                }
                let Some(rest) = [
                    "pub struct ",
                    "pub enum ",
                    "struct ",
                    "enum ",
                    "pub(crate) struct ",
                    "pub(crate) enum ",
                ]
                .iter()
                .find_map(|keyword| item.strip_prefix(keyword)) else {
                    continue;
                };
                let name: String =
                    rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$').collect();
                let generic = rest[name.len()..].starts_with('<');
                if !generic && !name.starts_with('$') {
                    names.push((renamed.unwrap_or(name), place(at)));
                }
                break;
            }
        }
    }
    names
}

/// Two types under one component name would silently share one schema in the document (the
/// one registered last), so one of them would be documented wrongly.
#[test]
fn every_schema_name_is_declared_once() {
    let names = declared_schema_names();
    assert!(names.len() > 50, "the scan found only {} schema types", names.len());
    let mut seen = std::collections::BTreeMap::<&str, &str>::new();
    let mut clashes = Vec::new();
    for (name, place) in &names {
        if let Some(first) = seen.insert(name, place) {
            clashes.push(format!("{name}: {first} and {place}"));
        }
    }
    assert!(
        clashes.is_empty(),
        "component names declared twice (use #[schema(as = …)]):\n{}",
        clashes.join("\n")
    );
}

/// The handlers the routes crates and the app register (`.service(handler)` in their
/// `configure` functions), counted in the source so the number grows with the code.
fn registered_handlers() -> usize {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut sources = vec![root.join("crates/app/src/http")];
    for entry in std::fs::read_dir(root.join("crates")).unwrap().flatten() {
        if entry.file_name().to_string_lossy().starts_with("http-") {
            sources.push(entry.path().join("src"));
        }
    }
    let mut count = 0;
    for dir in sources {
        for file in std::fs::read_dir(&dir).unwrap().flatten() {
            let text = std::fs::read_to_string(file.path()).unwrap();
            count += text
                .match_indices(".service(")
                .filter(|(at, _)| {
                    let rest = &text[at + ".service(".len()..];
                    let name: String =
                        rest.chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
                    !name.is_empty() && rest[name.len()..].starts_with(')')
                })
                .count();
        }
    }
    assert!(count > 0, "no handlers found under {}", root.display());
    count
}

#[test]
fn every_operation_documents_its_errors() {
    let spec: Value = serde_json::to_value(axis_app::http::openapi()).unwrap();
    let paths = spec["paths"].as_object().unwrap();
    let operations: usize = paths.values().map(|item| item.as_object().unwrap().len()).sum();
    assert_eq!(operations, registered_handlers(), "every registered handler is one documented operation");
    let public = [
        "/api/health",
        "/.well-known/jwks.json",
        "/api/v1/openapi.json",
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        // A share link is its own key.
        "/api/v1/shared/{token}",
        "/api/v1/shared/{token}/pdf",
    ];
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            if public.contains(&path.as_str()) {
                assert!(operation.get("security").is_none(), "{method} {path} is public");
            } else {
                assert!(responses.contains_key("401"), "{method} {path} documents 401");
                assert!(responses.contains_key("503"), "{method} {path} documents 503");
                assert!(operation.get("security").is_some(), "{method} {path} needs a token");
            }
        }
    }
}

/// The app registers every domain adapter's constraints (each adapter its own), and each name
/// is a constraint or index of the migrated schema: a renamed one would otherwise answer a
/// taken e-mail with a bare conflict instead of naming the field.
#[tokio::test(flavor = "multi_thread")]
async fn every_registered_constraint_is_one_of_the_schema() {
    use diesel::sql_types::Text;
    use diesel_async::RunQueryDsl;

    #[derive(diesel::QueryableByName)]
    struct Name {
        #[diesel(sql_type = Text)]
        name: String,
    }

    let app = spawn_app().await;
    let registered = axis_postgres::error::registered_constraints();
    for expected in
        ["users_email_key", "clients_email_key", "contracts_no_overlap", "staff_employee_number_key"]
    {
        assert!(registered.contains(&expected), "{expected} is registered by its adapter");
    }
    let mut conn = app.db.connect().await;
    let names: Vec<Name> = diesel::sql_query(
        "SELECT conname::text AS name FROM pg_constraint UNION SELECT relname::text FROM pg_class WHERE relkind = 'i'",
    )
    .load(&mut conn)
    .await
    .unwrap();
    let names: Vec<&str> = names.iter().map(|n| n.name.as_str()).collect();
    for constraint in registered {
        assert!(names.contains(&constraint), "{constraint} is not a constraint or index of the schema");
    }
}
