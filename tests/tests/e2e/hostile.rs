//! The API under hostile input (issue 11): each finding of the fuzzing run, as a regression
//! test that fails if the finding comes back.

use std::time::Duration;

use axis_kernel::Role;
use axis_testkit::{eventually, spawn_app, spawn_app_with};
use serde_json::json;

use crate::support::{expect_problem, json as json_of, sql, sql_count};

/// The largest double: accepted, and it must read back equal from PostgreSQL's jsonb.
const LARGEST: f64 = 1.797_693_134_862_315_7e308;

#[tokio::test(flavor = "multi_thread")]
async fn finding_1_extreme_numbers_round_trip_and_sealing_never_stops() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;

    let body = json!({"name": "Poison", "metadata": {"x": LARGEST, "y": 5e-324, "z": [-0.1, 1e-7]}});
    let (status, created) =
        json_of(app.post("/api/v1/clients").bearer_auth(token).json(&body).send().await.unwrap()).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();

    // Every route of that client keeps working, and the value reads back equal.
    let (status, detail) =
        json_of(app.get(&format!("/api/v1/clients/{id}")).bearer_auth(token).send().await.unwrap()).await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["metadata"], body["metadata"]);
    let (status, list) =
        json_of(app.get("/api/v1/clients?search=Poison").bearer_auth(token).send().await.unwrap()).await;
    assert_eq!((status, list["pagination"]["total"].as_u64()), (200, Some(1)));

    // A row no JSON reader of axis could parse, written around axis (1e400 is valid jsonb but
    // not a double), and a normal write after it: the sealer must seal both.
    sql(
        &app,
        "INSERT INTO audit_logs (occurred_at, action, outcome, entity_type, changes, details) \
         VALUES (now(), 'test.unreadable', 'success', 'test', '{\"not\": \"a list\"}', '{\"x\": 1e400}')",
    )
    .await;
    let response = app
        .patch(&format!("/api/v1/clients/{id}"))
        .bearer_auth(token)
        .json(&json!({"metadata": {"x": -LARGEST}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let all = sql_count(&app, "SELECT count(*) AS n FROM audit_logs").await;
    let sealed = eventually(Duration::from_secs(10), || async {
        let links = sql_count(&app, "SELECT count(*) AS n FROM audit_chain").await;
        (links == all).then_some(links)
    })
    .await;
    assert_eq!(sealed, Some(all), "every row is sealed, the unreadable one included");
    assert_eq!(sql_count(&app, "SELECT count(*) AS n FROM audit_chain WHERE hash_version = 2").await, all);

    let report = app.wiring.audit.verify().await.unwrap();
    assert_eq!(report.first_break, None);
    assert_eq!(report.links_checked, u64::try_from(all).unwrap());

    // The audit log lists every row, the unreadable one shown as its stored text.
    let (status, audit) =
        json_of(app.get("/api/v1/audit-logs?limit=100").bearer_auth(token).send().await.unwrap()).await;
    assert_eq!(status, 200, "{audit}");
    let unreadable =
        audit["data"].as_array().unwrap().iter().find(|e| e["action"] == "test.unreadable").unwrap();
    // PostgreSQL prints the stored number in full: 1 and 400 zeros.
    assert_eq!(unreadable["details"], format!("{{\"x\": 1{}}}", "0".repeat(400)));
    let update = audit["data"].as_array().unwrap().iter().find(|e| e["action"] == "client.update").unwrap();
    let metadata_change =
        update["changes"].as_array().unwrap().iter().find(|c| c["field"] == "metadata").unwrap();
    assert_eq!(metadata_change["new"], json!({"x": -LARGEST}));

    // Monitoring reports the lag, now that nothing waits: zero.
    let (_, monitoring) =
        json_of(app.get("/api/v1/health/monitoring").bearer_auth(token).send().await.unwrap()).await;
    assert_eq!(monitoring["audit"]["sealing_lag_seconds"], 0.0, "{monitoring}");
}

#[tokio::test(flavor = "multi_thread")]
async fn finding_1_a_sealing_lag_over_the_setting_makes_health_degraded() {
    // A sealer that runs once an hour: rows wait, and health must say so.
    let app =
        spawn_app_with(&["--audit-seal-interval-ms", "3600000", "--audit-seal-lag-alert-secs", "1"]).await;
    let healthy = eventually(Duration::from_secs(10), || async {
        app.wiring.audit.seal(1_000).await.unwrap();
        let (_, health) = json_of(app.get("/api/health").send().await.unwrap()).await;
        (health["status"] == "healthy").then_some(())
    })
    .await;
    assert!(healthy.is_some(), "nothing waits");
    sql(
        &app,
        "INSERT INTO audit_logs (occurred_at, action, outcome, entity_type) \
         VALUES (now() - interval '5 seconds', 'test.waiting', 'success', 'test')",
    )
    .await;
    let response = app.get("/api/health").send().await.unwrap();
    assert_eq!(response.status(), 200);
    let (_, health) = json_of(response).await;
    assert_eq!(health["status"], "degraded");
    // Sealing waits for every older transaction of the cluster to end (other tests run
    // beside this one), so poll.
    let healthy = eventually(Duration::from_secs(10), || async {
        app.wiring.audit.seal(100).await.unwrap();
        let (_, health) = json_of(app.get("/api/health").send().await.unwrap()).await;
        (health["status"] == "healthy").then_some(())
    })
    .await;
    assert!(healthy.is_some(), "healthy once the row is sealed");
}

#[tokio::test(flavor = "multi_thread")]
async fn finding_2_nul_is_refused_everywhere_with_a_named_field() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;

    let response = app
        .post("/api/v1/auth/login")
        .json(&json!({"email": "a\u{0}@example.com", "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    let body = expect_problem(response, 422, "validation_failed").await;
    assert!(body["errors"]["email"].is_array(), "{body}");

    for (metadata, field) in [
        (json!({"k\u{0}": 1}), "metadata.k\\u0000"),
        (json!({"k": "v\u{0}"}), "metadata.k"),
        (json!({"k": ["ok", {"deep": "\u{0}"}]}), "metadata.k[1].deep"),
    ] {
        let response = app
            .post("/api/v1/clients")
            .bearer_auth(token)
            .json(&json!({"name": "Nul Ltd", "metadata": metadata}))
            .send()
            .await
            .unwrap();
        let body = expect_problem(response, 422, "validation_failed").await;
        assert!(body["errors"][field].is_array(), "{field}: {body}");
    }
    assert_eq!(sql_count(&app, "SELECT count(*) AS n FROM clients").await, 0, "nothing was written");

    for (path, parameter) in [
        ("/api/v1/clients?search=%00", "search"),
        ("/api/v1/clients?tag=%00", "tag"),
        ("/api/v1/users?search=%00", "search"),
        ("/api/v1/industries?search=%00", "search"),
        ("/api/v1/audit-logs?action=%00", "action"),
        ("/api/v1/audit-logs/entities/%00/x", "entity_type"),
        ("/api/v1/audit-logs/entities/client/a%00b", "entity_id"),
    ] {
        let response = app.get(path).bearer_auth(token).send().await.unwrap();
        let body = expect_problem(response, 422, "validation_failed").await;
        assert!(body["errors"][parameter].is_array(), "{path}: {body}");
    }
    // Broken percent-encoding is malformed syntax: 400, still naming the parameter.
    let response = app.get("/api/v1/clients?search=%C3%28").bearer_auth(token).send().await.unwrap();
    let body = expect_problem(response, 400, "bad_request").await;
    assert!(body["errors"]["search"].is_array(), "{body}");
    let response =
        app.get("/api/v1/audit-logs/entities/client/%E2%82").bearer_auth(token).send().await.unwrap();
    expect_problem(response, 400, "bad_request").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn finding_4_methods_head_and_fixed_paths() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;

    for method in [reqwest::Method::PUT, reqwest::Method::DELETE, reqwest::Method::OPTIONS] {
        let response = app
            .client
            .request(method.clone(), app.url("/api/v1/industries/tree"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["allow"], "GET, HEAD", "{method}");
        expect_problem(response, 405, "method_not_allowed").await;
    }

    // HEAD on a GET route: same status and headers, no body; and on a route without GET, 405.
    let get = app.get("/api/v1/clients").bearer_auth(token).send().await.unwrap();
    let get_length = get.headers()["content-length"].clone();
    assert!(!get.bytes().await.unwrap().is_empty());
    let head = app.client.head(app.url("/api/v1/clients")).bearer_auth(token).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-type"], "application/json");
    assert_eq!(head.headers()["content-length"], get_length);
    assert!(head.headers().contains_key("x-request-id"));
    assert!(head.bytes().await.unwrap().is_empty());
    let head = app.client.head(app.url("/api/health")).send().await.unwrap();
    assert_eq!(head.status(), 200);
    let head = app.client.head(app.url("/api/v1/clients")).send().await.unwrap();
    assert_eq!(head.status(), 401, "HEAD is authenticated like GET");
    let head = app.client.head(app.url("/api/v1/auth/logout")).bearer_auth(token).send().await.unwrap();
    assert_eq!(head.status(), 405);
    assert_eq!(head.headers()["allow"], "POST");
    assert_eq!(crate::support::me_status(&app, token).await, 200, "HEAD on logout logged nobody out");
}

#[tokio::test(flavor = "multi_thread")]
async fn finding_4_bodies_content_types_and_plain_details() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;
    let create = || app.post("/api/v1/clients").bearer_auth(token);

    for content_type in [
        "application/problem+json",
        "application/merge-patch+json",
        "text/json",
        "application/json; charset=latin1",
    ] {
        let response =
            create().header("content-type", content_type).body(r#"{"name":"x"}"#).send().await.unwrap();
        expect_problem(response, 415, "unsupported_media_type").await;
    }
    let response = create()
        .header("content-type", "application/json; charset=UTF-8")
        .body(r#"{"name":"Charset Ltd"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);

    let response = create()
        .header("content-type", "application/json")
        .body(r#"{"name":"A","name":"B"}"#)
        .send()
        .await
        .unwrap();
    let body = expect_problem(response, 422, "validation_failed").await;
    assert!(
        body["errors"]["body"][0].as_str().unwrap().contains("\"name\" appears more than once"),
        "{body}"
    );

    for (raw, field) in [(r#""a string""#, "body"), (r#"["a", 1]"#, "body"), (r#"{"name": 5}"#, "name")] {
        let response = create().header("content-type", "application/json").body(raw).send().await.unwrap();
        let body = expect_problem(response, 422, "validation_failed").await;
        let text = body.to_string();
        assert!(body["errors"][field].is_array(), "{raw}: {body}");
        for rust in ["struct", "ClientRequest", "elements", "u32", "i64", "Option"] {
            assert!(!text.contains(rust), "{raw}: {text} names a Rust type");
        }
    }
    assert_eq!(sql_count(&app, "SELECT count(*) AS n FROM clients").await, 1);

    // An over-long target: problem+json with a request id, and a documented limit.
    let long = format!("/api/v1/clients?search={}", "a".repeat(9 * 1024));
    let response = app.get(&long).bearer_auth(token).send().await.unwrap();
    let body = expect_problem(response, 414, "uri_too_long").await;
    assert!(body["detail"].as_str().unwrap().contains("8192"));
}

#[tokio::test(flavor = "multi_thread")]
async fn finding_4_cors_allows_only_configured_origins() {
    let app = spawn_app_with(&["--cors-origins", "https://app.example.com"]).await;
    let admin = app.logged_in(Role::Admin).await;
    let preflight = |origin: &str, method: &str, headers: &str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/api/v1/clients"))
            .header("origin", origin)
            .header("access-control-request-method", method)
            .header("access-control-request-headers", headers)
            .send()
    };

    let response =
        preflight("https://app.example.com", "POST", "authorization, content-type, idempotency-key")
            .await
            .unwrap();
    assert_eq!(response.status(), 204);
    let headers = response.headers();
    assert_eq!(headers["access-control-allow-origin"], "https://app.example.com");
    assert!(headers["access-control-allow-methods"].to_str().unwrap().contains("PATCH"));
    for allowed in ["Authorization", "Content-Type", "If-Match", "Idempotency-Key"] {
        assert!(
            headers["access-control-allow-headers"]
                .to_str()
                .unwrap()
                .to_lowercase()
                .contains(&allowed.to_lowercase())
        );
    }
    assert_eq!(headers["vary"], "Origin");
    assert!(!headers.contains_key("access-control-allow-credentials"));

    for (origin, method, request_headers) in [
        ("https://evil.example.com", "POST", "authorization"),
        ("https://app.example.com", "TRACE", "authorization"),
        ("https://app.example.com", "GET", "x-custom"),
        ("null", "GET", ""),
    ] {
        let response = preflight(origin, method, request_headers).await.unwrap();
        assert!(!response.headers().contains_key("access-control-allow-origin"), "{origin} {method}");
        expect_problem(response, 403, "cors_refused").await;
    }

    let response = app
        .get("/api/v1/clients")
        .bearer_auth(&admin.access_token)
        .header("origin", "https://app.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["access-control-allow-origin"], "https://app.example.com");
    let exposed = response.headers()["access-control-expose-headers"].to_str().unwrap().to_owned();
    for header in ["ETag", "Location", "Retry-After", "X-Request-Id", "RateLimit-Remaining"] {
        assert!(exposed.contains(header), "{header} exposed");
    }
    assert_eq!(response.headers()["vary"], "Origin");
    let response =
        app.get("/api/v1/clients").header("origin", "https://evil.example.com").send().await.unwrap();
    assert!(!response.headers().contains_key("access-control-allow-origin"));
    assert_eq!(response.status(), 401);

    // No origins configured (the default): no CORS headers at all, preflights refused.
    let closed = spawn_app().await;
    let response = closed
        .client
        .request(reqwest::Method::OPTIONS, closed.url("/api/v1/clients"))
        .header("origin", "https://app.example.com")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    expect_problem(response, 403, "cors_refused").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn finding_5_attackers_elsewhere_cannot_lock_the_owner_out() {
    // Requests arrive through a trusted proxy, so each can come "from" its own address.
    let app = spawn_app_with(&["--trusted-proxies", "127.0.0.1", "--login-account-pace-secs", "2"]).await;
    let owner = axis_testkit::UserBuilder::new().insert(&app).await;
    let login = |from: &str, password: &str| {
        app.post("/api/v1/auth/login")
            .header("x-forwarded-for", from)
            .json(&json!({"email": owner.email, "password": password}))
            .send()
    };

    // Forty wrong guesses from twenty addresses: the account is now paced.
    let mut paced = 0;
    for round in 0..2 {
        for host in 0..20 {
            let response =
                login(&format!("198.51.100.{host}"), &format!("guess {round} {host}")).await.unwrap();
            match response.status().as_u16() {
                401 => {}
                429 => {
                    let retry: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
                    assert!(
                        (1..=2).contains(&retry),
                        "a paced account never asks for more than the pace: {retry}"
                    );
                    paced += 1;
                }
                other => panic!("unexpected {other}"),
            }
        }
    }
    assert!(paced > 0, "the account became paced");
    let failures =
        sql_count(&app, "SELECT failures::bigint AS n FROM login_throttle WHERE subject LIKE 'account:%'")
            .await;
    assert!(failures < 40, "refused attempts do not count against the account ({failures})");

    // The owner, from an address of their own, gets in within one pace interval.
    let started = std::time::Instant::now();
    let signed_in = eventually(Duration::from_secs(5), || async {
        let response = login("203.0.113.7", &owner.password).await.unwrap();
        match response.status().as_u16() {
            200 => Some(()),
            429 => {
                let retry: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
                assert!(retry <= 2, "Retry-After {retry} is within the pace");
                None
            }
            other => panic!("owner got {other}"),
        }
    })
    .await;
    assert!(signed_in.is_some(), "the owner signed in");
    assert!(started.elapsed() < Duration::from_secs(3), "within one pace interval: {:?}", started.elapsed());

    // A guessing address that keeps going is locked out for this account (a lockout of 30 s,
    // not the pace): its two earlier failures count.
    let mut lockout = None;
    for attempt in 0..5 {
        let response = login("198.51.100.3", &format!("again {attempt}")).await.unwrap();
        if response.status() == 429 {
            lockout = Some(response.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap());
            break;
        }
    }
    assert!(lockout.is_some_and(|secs| secs > 2), "locked out: {lockout:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn finding_5_one_address_guessing_many_accounts_is_locked_out() {
    let app = spawn_app_with(&["--trusted-proxies", "127.0.0.1", "--login-address-free-failures", "6"]).await;
    let statuses: Vec<u16> = futures_util::future::join_all((0..8).map(|n| {
        app.post("/api/v1/auth/login")
            .header("x-forwarded-for", "2001:db8:7:7::1")
            .json(&json!({"email": format!("user{n}@example.com"), "password": "wrong password"}))
            .send()
    }))
    .await
    .into_iter()
    .map(|r| r.unwrap().status().as_u16())
    .collect();
    assert!(statuses.contains(&401));
    // Another address in the same /64 is the same address: an account it fails on once is
    // then refused from it. (The first attempt at an account without recent failures is
    // always evaluated, so an attacker's address cannot lock out others behind it.)
    let guess = || {
        app.post("/api/v1/auth/login")
            .header("x-forwarded-for", "2001:db8:7:7:ffff::2")
            .json(&json!({"email": "someone@example.com", "password": "wrong password"}))
            .send()
    };
    expect_problem(guess().await.unwrap(), 401, "invalid_credentials").await;
    expect_problem(guess().await.unwrap(), 429, "too_many_attempts").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_idempotent_create_and_its_stored_answer_commit_together() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let create = |key: &str, name: &str| {
        app.post("/api/v1/clients")
            .bearer_auth(&admin.access_token)
            .header("Idempotency-Key", key)
            .json(&json!({"name": name}))
            .send()
    };
    // Storing the answer fails after the client row was written: before this change the
    // client stayed and the key answered 409 for a day; now neither is left behind.
    sql(
        &app,
        "CREATE FUNCTION refuse_key() RETURNS trigger LANGUAGE plpgsql AS $$ \
         BEGIN IF NEW.key = 'doomed' THEN RAISE EXCEPTION 'storage failed'; END IF; RETURN NEW; END $$; \
         CREATE TRIGGER refuse_key BEFORE INSERT ON idempotency_keys FOR EACH ROW EXECUTE FUNCTION refuse_key()",
    )
    .await;
    let response = create("doomed", "Doomed Ltd").await.unwrap();
    expect_problem(response, 500, "internal_error").await;
    assert_eq!(sql_count(&app, "SELECT count(*) AS n FROM clients").await, 0, "the create rolled back");
    assert_eq!(
        sql_count(&app, "SELECT count(*) AS n FROM audit_logs WHERE action = 'client.create'").await,
        0,
        "and its audit record"
    );
    sql(&app, "DROP TRIGGER refuse_key ON idempotency_keys").await;
    let retry = create("doomed", "Doomed Ltd").await.unwrap();
    assert_eq!(retry.status(), 201, "the key was released: the retry creates");
    let replay = create("doomed", "Doomed Ltd").await.unwrap();
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    assert_eq!(sql_count(&app, "SELECT count(*) AS n FROM clients").await, 1);

    // Ten requests at once with one key: one creates, the others are told it is in progress
    // (409) or, once it has committed, get its answer; exactly one client exists.
    let statuses: Vec<(u16, bool)> =
        futures_util::future::join_all((0..10).map(|_| create("together", "Together Ltd")))
            .await
            .into_iter()
            .map(|r| {
                let r = r.unwrap();
                (r.status().as_u16(), r.headers().contains_key("idempotent-replayed"))
            })
            .collect();
    let fresh = statuses.iter().filter(|(status, replayed)| *status == 201 && !replayed).count();
    assert_eq!(fresh, 1, "{statuses:?}");
    assert!(statuses.iter().all(|(status, _)| *status == 201 || *status == 409), "{statuses:?}");
    assert_eq!(sql_count(&app, "SELECT count(*) AS n FROM clients WHERE name = 'Together Ltd'").await, 1);
}
