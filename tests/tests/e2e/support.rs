//! Helpers shared by the end-to-end tests.

use axis_testkit::TestApp;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

/// The JSON body of a response, with its status.
pub async fn json(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

/// Asserts a problem+json response with the given status and code; returns the body.
pub async fn expect_problem(response: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status().as_u16(), status, "status");
    let content_type =
        response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.expect("problem body");
    assert_eq!(body["status"], status);
    assert_eq!(body["code"], code, "problem code in {body}");
    assert_eq!(body["type"], format!("https://axis.dev/problems/{code}"));
    assert!(body["request_id"].is_string(), "request id in {body}");
    body
}

/// The claims of a JWT, without checking anything (to forge variants of a real token).
pub fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64")).expect("claims json")
}

/// Signs `claims` with the server's own key under `header`.
pub fn sign_with_server_key(app: &TestApp, header: &jsonwebtoken::Header, claims: &Value) -> String {
    let pem = std::fs::read(&app.settings.jwt_key_file).expect("server key");
    let key = jsonwebtoken::EncodingKey::from_ed_pem(&pem).expect("ed25519 pem");
    jsonwebtoken::encode(header, claims, &key).expect("sign")
}

/// The `kid` the server publishes.
pub async fn server_kid(app: &TestApp) -> String {
    let jwks: Value =
        app.get("/.well-known/jwks.json").send().await.expect("jwks").json().await.expect("json");
    jwks["keys"][0]["kid"].as_str().expect("kid").to_owned()
}

pub fn access_header(kid: &str) -> jsonwebtoken::Header {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
    header.typ = Some("at+jwt".to_owned());
    header.kid = Some(kid.to_owned());
    header
}

/// A token built by hand: any header JSON, any claims, any signature bytes.
pub fn raw_token(header: &Value, claims: &Value, signature: &[u8]) -> String {
    let encode = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).expect("json"));
    format!("{}.{}.{}", encode(header), encode(claims), URL_SAFE_NO_PAD.encode(signature))
}

/// Status of `GET /api/v1/auth/me` with `token`.
pub async fn me_status(app: &TestApp, token: &str) -> u16 {
    app.get("/api/v1/auth/me").bearer_auth(token).send().await.expect("request").status().as_u16()
}

/// Runs one SQL statement on the test database.
pub async fn sql(app: &TestApp, statement: &str) {
    use diesel_async::SimpleAsyncConnection;
    let mut conn = app.db.connect().await;
    conn.batch_execute(statement).await.unwrap_or_else(|e| panic!("{statement}: {e}"));
}

/// A single integer from the test database.
pub async fn sql_count(app: &TestApp, query: &str) -> i64 {
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = app.db.connect().await;
    let row: Count =
        diesel::sql_query(query).get_result(&mut conn).await.unwrap_or_else(|e| panic!("{query}: {e}"));
    row.n
}

/// Every file under `dir`, at any depth (a blob store's directory).
pub fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .flatten()
        .flat_map(|entry| {
            let path = entry.path();
            if path.is_dir() { files_under(&path) } else { vec![path] }
        })
        .collect()
}
