//! TOK-1 … TOK-5: every forged or misplaced token is refused with 401.

use axis_kernel::Role;
use axis_testkit::{TestApp, spawn_app};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::support::{
    access_header, claims_of, expect_problem, me_status, raw_token, server_kid, sign_with_server_key,
};

async fn assert_refused(app: &TestApp, token: &str, case: &str) {
    let response = app.get("/api/v1/auth/me").bearer_auth(token).send().await.expect("request");
    assert_eq!(response.status(), 401, "{case} must be refused");
    assert_eq!(
        response.headers().get("www-authenticate").and_then(|v| v.to_str().ok()),
        Some("Bearer"),
        "{case}"
    );
    let body = expect_problem(response, 401, "unauthenticated").await;
    assert!(!body.to_string().contains(token), "{case}: the error must not echo the token");
}

#[tokio::test(flavor = "multi_thread")]
async fn tok1_unsigned_and_wrongly_signed_tokens_are_401() {
    let app = spawn_app().await;
    let session = app.logged_in(Role::Admin).await;
    assert_eq!(me_status(&app, &session.access_token).await, 200, "the genuine token works");
    let claims = claims_of(&session.access_token);
    let kid = server_kid(&app).await;

    for alg in ["none", "NONE", "nOnE"] {
        let token = raw_token(&json!({"alg": alg, "typ": "at+jwt", "kid": kid}), &claims, b"");
        assert_refused(&app, &token, &format!("alg {alg}")).await;
        let no_signature = token.trim_end_matches('.').to_owned() + ".";
        assert_refused(&app, &no_signature, &format!("alg {alg} without signature")).await;
    }

    // HS256 keyed with our public key (the classic algorithm-confusion attack).
    let jwks: Value = app.get("/.well-known/jwks.json").send().await.unwrap().json().await.unwrap();
    let public_x = jwks["keys"][0]["x"].as_str().unwrap().to_owned();
    let public_raw = URL_SAFE_NO_PAD.decode(&public_x).unwrap();
    for secret in [public_raw.as_slice(), public_x.as_bytes()] {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
        header.typ = Some("at+jwt".into());
        header.kid = Some(kid.clone());
        let token =
            jsonwebtoken::encode(&header, &claims, &jsonwebtoken::EncodingKey::from_secret(secret)).unwrap();
        assert_refused(&app, &token, "HS256 keyed with the public key").await;
    }

    // A valid signature from an attacker's key, claiming our kid.
    let attacker = axis_crypto_pem();
    let key = jsonwebtoken::EncodingKey::from_ed_pem(attacker.as_bytes()).unwrap();
    let token = jsonwebtoken::encode(&access_header(&kid), &claims, &key).unwrap();
    assert_refused(&app, &token, "attacker key with our kid").await;

    // Unknown kid, and a tampered payload under the genuine signature.
    let token = sign_with_server_key(&app, &access_header("someone-elses-key"), &claims);
    assert_refused(&app, &token, "unknown kid").await;
    let mut parts: Vec<String> = session.access_token.split('.').map(str::to_owned).collect();
    let mut tampered = claims.clone();
    tampered["role"] = json!("viewer");
    parts[1] = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&tampered).unwrap());
    assert_refused(&app, &parts.join("."), "tampered payload").await;
}

/// A fresh Ed25519 key that the server does not know.
fn axis_crypto_pem() -> String {
    use ed25519_dalek::pkcs8::EncodePrivateKey;
    let key = ed25519_dalek::SigningKey::from_bytes(&[42u8; 32]);
    key.to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF).expect("pem").to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn tok2_wrong_or_missing_claims_and_typ_are_401() {
    let app = spawn_app().await;
    let session = app.logged_in(Role::Viewer).await;
    let claims = claims_of(&session.access_token);
    let kid = server_kid(&app).await;

    // Re-signed with our key but unchanged: accepted, so every refusal below is the change's.
    let resigned = sign_with_server_key(&app, &access_header(&kid), &claims);
    assert_eq!(me_status(&app, &resigned).await, 200);

    for (field, value) in [
        ("iss", json!("https://login.microsoftonline.com/x/v2.0")),
        ("aud", json!("00000003-0000-0000-c000-000000000000")),
    ] {
        let mut forged = claims.clone();
        forged[field] = value;
        assert_refused(&app, &sign_with_server_key(&app, &access_header(&kid), &forged), field).await;
    }
    for missing in ["iss", "aud", "sub", "exp", "iat", "nbf", "jti", "sid", "role", "ver"] {
        let mut forged = claims.clone();
        forged.as_object_mut().unwrap().remove(missing);
        let token = sign_with_server_key(&app, &access_header(&kid), &forged);
        assert_refused(&app, &token, &format!("missing {missing}")).await;
    }
    for typ in [None, Some("JWT"), Some("id_token+jwt")] {
        let mut header = access_header(&kid);
        header.typ = typ.map(str::to_owned);
        assert_refused(&app, &sign_with_server_key(&app, &header, &claims), &format!("typ {typ:?}")).await;
    }
    let mut future = claims.clone();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    future["nbf"] = json!(now + 120);
    assert_refused(&app, &sign_with_server_key(&app, &access_header(&kid), &future), "nbf in the future")
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn tok2_expiry_leeway_boundary_is_exact() {
    let app = spawn_app().await;
    let session = app.logged_in(Role::Viewer).await;
    let kid = server_kid(&app).await;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let with_exp = |exp: i64| {
        let mut claims = claims_of(&session.access_token);
        claims["iat"] = json!(exp - 900);
        claims["nbf"] = json!(exp - 900);
        claims["exp"] = json!(exp);
        sign_with_server_key(&app, &access_header(&kid), &claims)
    };
    // Leeway is 30 s: 29 s past expiry still passes, 31 s does not (a 1 s margin for the test).
    assert_eq!(me_status(&app, &with_exp(now - 28)).await, 200, "inside the leeway");
    assert_refused(&app, &with_exp(now - 31), "expired beyond the leeway").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn tok3_tok5_tokens_only_where_they_belong() {
    let app = spawn_app().await;
    let session = app.logged_in(Role::Viewer).await;
    assert_refused(&app, &session.refresh_token, "refresh token as bearer").await;

    // An access token at the refresh endpoint is not a refresh token.
    let response = app
        .post("/api/v1/auth/refresh")
        .json(&json!({"refresh_token": session.access_token}))
        .send()
        .await
        .unwrap();
    expect_problem(response, 401, "invalid_refresh_token").await;

    // Tokens are read from the Authorization header only.
    let response =
        app.get(&format!("/api/v1/auth/me?access_token={}", session.access_token)).send().await.unwrap();
    assert_eq!(response.status(), 401);
    let response = app
        .get("/api/v1/auth/me")
        .header("Authorization", format!("Basic {}", session.access_token))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401, "only the Bearer scheme");
}

#[tokio::test(flavor = "multi_thread")]
async fn tok4_key_carrying_headers_and_hostile_kids_are_401_without_fetching() {
    // A canary listener: any connection to it would mean the server followed a header URL.
    let canary = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    canary.set_nonblocking(true).unwrap();
    let canary_url = format!("http://{}/jwks.json", canary.local_addr().unwrap());

    let app = spawn_app().await;
    let session = app.logged_in(Role::Viewer).await;
    let claims = claims_of(&session.access_token);
    let kid = server_kid(&app).await;

    let mut header = access_header(&kid);
    header.jku = Some(canary_url.clone());
    assert_refused(&app, &sign_with_server_key(&app, &header, &claims), "jku").await;
    let mut header = access_header(&kid);
    header.x5u = Some(canary_url.clone());
    assert_refused(&app, &sign_with_server_key(&app, &header, &claims), "x5u").await;
    let mut header = access_header(&kid);
    header.x5c = Some(vec!["MIIB".into()]);
    assert_refused(&app, &sign_with_server_key(&app, &header, &claims), "x5c").await;

    for hostile in ["../../etc/passwd", "' OR 1=1--"] {
        let token = sign_with_server_key(&app, &access_header(hostile), &claims);
        let response = app.get("/api/v1/auth/me").bearer_auth(&token).send().await.unwrap();
        let body = expect_problem(response, 401, "unauthenticated").await;
        assert!(!body.to_string().contains(hostile), "the error must not echo the kid");
    }
    assert!(canary.accept().is_err(), "the canary must have received no connection");
}
