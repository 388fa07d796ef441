//! The `axis` binary as a script would use it: exit codes and messages.
#![expect(clippy::expect_used, reason = "test setup fails loudly")]

use std::io::Write;
use std::process::{Command, Output, Stdio};

use axis_testkit::TestDb;
use diesel_async::SimpleAsyncConnection;

fn axis(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_axis"))
        .args(args)
        .env_remove("DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run axis");
    if let Some(input) = stdin {
        child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write stdin");
    }
    child.wait_with_output().expect("axis output")
}

/// Reads a child's output to its end on a thread of its own.
fn drain(pipe: Option<impl std::io::Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Creates three users through the CLI, so the audit log has three records.
fn seed_users(url: &str) {
    for n in 0..3 {
        let email = format!("person{n}@example.com");
        let out =
            axis(&["user", "create", "--database-url", url, "--email", &email, "--role", "viewer"], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
}

async fn tamper(db: &TestDb, statements: &str) {
    let mut conn = db.connect().await;
    conn.batch_execute(&format!(
        "ALTER TABLE audit_logs DISABLE TRIGGER audit_logs_append_only; \
         ALTER TABLE audit_chain DISABLE TRIGGER audit_chain_append_only; {statements}"
    ))
    .await
    .expect("tamper");
}

fn verify(url: &str) -> Output {
    axis(&["audit", "verify", "--database-url", url], None)
}

/// Runs `axis audit verify` until all three seeded records are sealed. Sealing waits for every
/// older transaction in the cluster to end, and other tests run beside this one.
fn verify_until_sealed(url: &str) -> Output {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let out = verify(url);
        let done = text(&out.stdout).contains("audit chain intact: 3 link(s) checked");
        if done || std::time::Instant::now() > deadline {
            return out;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_verify_passes_an_intact_chain_and_finds_an_edited_row() {
    let db = TestDb::new().await;
    seed_users(&db.url);
    // Sealing waits for older transactions of other tests in the cluster: poll until all three
    // records are in the chain (the first run may seal only some of them).
    let out = verify_until_sealed(&db.url);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("audit chain intact: 3 link(s) checked"), "{}", text(&out.stdout));

    tamper(&db, "UPDATE audit_logs SET actor_label = 'mallory' WHERE id = (SELECT audit_id FROM audit_chain WHERE seq = 2)").await;
    let out = verify(&db.url);
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).contains("link 2: hash mismatch"), "{}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_verify_finds_a_deleted_row() {
    let db = TestDb::new().await;
    seed_users(&db.url);
    assert!(text(&verify_until_sealed(&db.url).stdout).contains("3 link(s) checked"));
    tamper(&db, "DELETE FROM audit_logs WHERE id = (SELECT audit_id FROM audit_chain WHERE seq = 2)").await;
    let out = verify(&db.url);
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).contains("link 2: audit entry"), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("missing (deleted)"), "{}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_verify_finds_reordered_rows() {
    let db = TestDb::new().await;
    seed_users(&db.url);
    assert!(text(&verify_until_sealed(&db.url).stdout).contains("3 link(s) checked"));
    tamper(
        &db,
        "UPDATE audit_chain SET seq = -seq WHERE seq IN (2, 3); \
         UPDATE audit_chain SET seq = 3 WHERE seq = -2; \
         UPDATE audit_chain SET seq = 2 WHERE seq = -3;",
    )
    .await;
    let out = verify(&db.url);
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).contains("link 2: hash mismatch"), "{}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_verify_finds_a_row_slipped_in_behind_the_seal() {
    let db = TestDb::new().await;
    seed_users(&db.url);
    assert!(text(&verify_until_sealed(&db.url).stdout).contains("3 link(s) checked"));
    tamper(
        &db,
        "INSERT INTO audit_logs (txid, occurred_at, action, outcome, entity_type) \
         VALUES (1, now(), 'user.create', 'success', 'user')",
    )
    .await;
    let out = verify(&db.url);
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).contains("inserted behind the sealed part"), "{}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread")]
async fn user_commands_have_script_friendly_exit_codes() {
    let db = TestDb::new().await;
    let url = db.url.as_str();
    let create = [
        "user",
        "create",
        "--database-url",
        url,
        "--email",
        "ops@example.com",
        "--role",
        "manager",
        "--password-stdin",
    ];
    let out = axis(&create, Some("a sufficiently long password\n"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("with role manager"));

    let out = axis(&create, Some("a sufficiently long password\n"));
    assert_eq!(out.status.code(), Some(4), "duplicate e-mail is refused: {}", text(&out.stderr));
    assert!(text(&out.stderr).contains("email: is already used"));
    let out = axis(
        &[
            "user",
            "create",
            "--database-url",
            url,
            "--email",
            "x@example.com",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        Some("short\n"),
    );
    assert_eq!(out.status.code(), Some(4));

    let out = axis(
        &["user", "set-role", "--database-url", url, "--email", "OPS@example.com", "--role", "analyst"],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = axis(&["user", "disable", "--database-url", url, "--email", "ops@example.com"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = axis(&["user", "disable", "--database-url", url, "--email", "nobody@example.com"], None);
    assert_eq!(out.status.code(), Some(4));

    let out = axis(&["user", "ensure-admin", "--database-url", url, "--email", "root@example.com"], None);
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("created administrator root@example.com with password: "));
    let out = axis(&["user", "ensure-admin", "--database-url", url, "--email", "root@example.com"], None);
    assert_eq!(text(&out.stdout).trim(), "an active administrator exists");

    let out = axis(
        &["user", "create", "--database-url", "mysql://nope", "--email", "a@b.io", "--role", "viewer"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let out = axis(&["user", "frobnicate"], None);
    assert_eq!(out.status.code(), Some(2), "usage errors exit 2");
    let out =
        axis(&["user", "set-role", "--database-url", url, "--email", "a@b.io", "--role", "overlord"], None);
    assert_eq!(out.status.code(), Some(2), "a role that does not exist is a usage error");
    assert!(text(&out.stderr).contains("admin, manager, analyst, viewer"), "{}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread")]
async fn check_reports_every_configuration_problem() {
    let out = axis(
        &[
            "check",
            "--database-url",
            "http://x",
            "--jwt-key-file",
            "/nonexistent/key.pem",
            "--refresh-idle-ttl-secs",
            "999999",
            "--refresh-absolute-ttl-secs",
            "3600",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("DATABASE_URL must start with postgres://"), "{stderr}");
    assert!(stderr.contains("AXIS_JWT_KEY_FILE /nonexistent/key.pem"), "{stderr}");
    assert!(stderr.contains("must not exceed AXIS_REFRESH_ABSOLUTE_TTL_SECS"), "{stderr}");

    let key = std::env::temp_dir().join(format!("axis-cli-{}.pem", std::process::id()));
    let _ = std::fs::remove_file(&key);
    let key_path = key.to_string_lossy().into_owned();
    let out = axis(&["keygen", "--out", &key_path], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = axis(&["keygen", "--out", &key_path], None);
    assert_eq!(out.status.code(), Some(4), "an existing key is never overwritten");
    let out =
        axis(&["check", "--database-url", "postgres://localhost/axis", "--jwt-key-file", &key_path], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "configuration is valid");
    let out = axis(
        &[
            "check",
            "--database-url",
            "postgres://localhost/axis",
            "--jwt-key-file",
            &key_path,
            "--jwt-leeway-secs",
            "60",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "leeway over 30 s is refused");
    let valid = ["check", "--database-url", "postgres://localhost/axis", "--jwt-key-file", &key_path];
    let out = axis(&[&valid[..], &["--timezone", "Africa/Kampala"]].concat(), None);
    assert!(out.status.success(), "an IANA zone is accepted: {}", text(&out.stderr));
    let out = axis(&[&valid[..], &["--timezone", "Mars/Olympus_Mons"]].concat(), None);
    assert_eq!(out.status.code(), Some(2), "an unknown time zone is refused");
    assert!(text(&out.stderr).contains("AXIS_TIMEZONE"), "{}", text(&out.stderr));
    let _ = std::fs::remove_file(&key);
}

#[tokio::test(flavor = "multi_thread")]
async fn migrate_applies_everything_once() {
    let db = TestDb::empty().await;
    let out = axis(&["migrate", "--database-url", &db.url], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let applied = format!("applied {} migration(s):", axis_testkit::migration_count());
    assert!(text(&out.stdout).starts_with(&applied), "{}", text(&out.stdout));
    let out = axis(&["migrate", "--database-url", &db.url], None);
    assert_eq!(text(&out.stdout).trim(), "applied 0 migration(s)");
}

#[test]
fn operations_guide_documents_every_setting() {
    let help = axis(&["serve", "--help"], None);
    let help = text(&help.stdout);
    let guide = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/OPERATIONS.md"))
        .expect("docs/OPERATIONS.md");
    let variables: Vec<&str> =
        help.split("[env: ").skip(1).filter_map(|rest| rest.split(['=', ']']).next()).collect();
    assert!(variables.len() >= 25, "found {variables:?}");
    for variable in variables {
        assert!(guide.contains(&format!("`{variable}`")), "docs/OPERATIONS.md does not document {variable}");
    }
}

/// Finding 6 of issue 11: `make run` (scripts/run.sh) builds exactly what `make test` built, so
/// running the server after the tests compiles nothing. This test runs inside `make test`,
/// after its build: asking cargo for `make run`'s build must find every unit fresh.
#[test]
fn make_run_reuses_the_build_make_test_made() {
    let script = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/run.sh"))
        .expect("scripts/run.sh");
    let build_line = script
        .lines()
        .find(|line| line.trim_start().starts_with("cargo build"))
        .expect("run.sh builds with cargo");
    let args: Vec<&str> = build_line.split_whitespace().skip(1).collect();
    let started = std::time::Instant::now();
    // A developer's shell, not the test runner's environment (nextest and cargo set variables
    // that build scripts watch, which would make cargo rebuild). CARGO_INCREMENTAL is part of
    // the profile: CI sets it for both builds, and so would a developer's shell.
    let keep = ["PATH", "HOME", "CARGO_HOME", "RUSTUP_HOME", "USER", "CARGO_INCREMENTAL"];
    let out = Command::new(env!("CARGO"))
        .env_clear()
        .envs(std::env::vars().filter(|(name, _)| keep.contains(&name.as_str())))
        .args(&args)
        .arg("--message-format=json")
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .expect("cargo runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rebuilt: Vec<String> = text(&out.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact" && message["fresh"] == false)
        .map(|message| message["target"]["name"].as_str().unwrap_or("?").to_owned())
        .collect();
    assert!(rebuilt.is_empty(), "`{build_line}` rebuilt {rebuilt:?} after make test's build");
    eprintln!("make run's build after make test: {:?}, nothing compiled", started.elapsed());
}

/// `axis serve` as deployed: JSON logs that never contain tokens, passwords or e-mail
/// addresses, one parseable line per event even for hostile headers, and a clean exit on
/// SIGTERM.
#[tokio::test(flavor = "multi_thread")]
async fn serve_logs_json_without_secrets_and_stops_on_sigterm() {
    let db = TestDb::new().await;
    let email = "logger@example.com";
    let password = "a sufficiently long password";
    let out = axis(
        &[
            "user",
            "create",
            "--database-url",
            &db.url,
            "--email",
            email,
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some(password),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let key = std::env::temp_dir().join(format!("axis-serve-{}.pem", std::process::id()));
    let _ = std::fs::remove_file(&key);
    assert!(axis(&["keygen", "--out", &key.to_string_lossy()], None).status.success());
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
        probe.local_addr().expect("addr").port()
    };
    let bind = format!("127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_axis"))
        .args(["serve", "--database-url", &db.url, "--jwt-key-file", &key.to_string_lossy(), "--bind", &bind])
        .args(["--workers", "1", "--log-format", "json", "--log-level", "debug"])
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start axis serve");
    // Drained while the server runs: a full pipe would stall its logging, and with it the server.
    let (stdout, stderr) = (drain(child.stdout.take()), drain(child.stderr.take()));
    let base = format!("http://{bind}");
    let client = reqwest::Client::new();
    let up = axis_testkit::eventually(std::time::Duration::from_secs(20), || async {
        let response = client.get(format!("{base}/api/health")).send().await.ok()?;
        response.status().is_success().then_some(())
    })
    .await;
    assert!(up.is_some(), "axis serve answered /api/health");

    let login: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": email, "password": password}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("login body");
    let access = login["access_token"].as_str().expect("access token").to_owned();
    let refresh = login["refresh_token"].as_str().expect("refresh token").to_owned();
    let me = client
        .get(format!("{base}/api/v1/auth/me?search={email}"))
        .bearer_auth(&access)
        .header("User-Agent", "x\",\"level\":\"ERROR\",\"forged\":true,\"y\":\"")
        .send()
        .await
        .expect("me");
    assert!(me.status().is_client_error() || me.status().is_success());
    let forged =
        client.get(format!("{base}/api/v1/users")).bearer_auth("eyJhbGciOiJub25lIn0.e30.").send().await;
    assert_eq!(forged.expect("forged").status(), 401);

    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(status.success());
    let exit = child.wait().expect("axis serve exits");
    let _ = std::fs::remove_file(&key);
    assert!(exit.success(), "clean exit on SIGTERM: {exit:?}");

    let logs = format!("{}{}", text(&stdout.join().expect("stdout")), text(&stderr.join().expect("stderr")));
    let json_lines: Vec<serde_json::Value> = logs
        .lines()
        .filter(|line| line.starts_with('{'))
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not one JSON object per line ({e}): {line}"))
        })
        .collect();
    let finished = json_lines.iter().filter(|l| l["message"] == "request finished").count();
    assert!(finished >= 4, "one line per request, found {finished}");
    assert!(json_lines.iter().all(|l| l.get("forged").is_none()), "a header cannot inject a log record");
    assert!(
        json_lines
            .iter()
            .filter(|l| l["message"] == "request finished")
            .all(|l| l["span"]["request_id"].is_string()),
        "every request line carries its request id"
    );
    for secret in [access.as_str(), refresh.as_str(), password, email, "eyJ"] {
        assert!(!logs.contains(secret), "the logs contain {secret:?}");
    }
}

/// `axis worker` as an operator runs it: it runs queued jobs, `axis jobs list` shows them, and
/// SIGTERM stops it gracefully (exit 0, its log says so).
#[tokio::test(flavor = "multi_thread")]
async fn a_worker_process_runs_jobs_and_stops_on_sigterm() {
    let db = TestDb::new().await;
    let mut conn = db.connect().await;
    conn.batch_execute(
        "INSERT INTO jobs (id, kind, args, state, attempt, max_attempts, run_at, created_at, updated_at) \
         SELECT gen_random_uuid(), 'system.noop', '{}', 'available', 0, 3, now(), now(), now() \
         FROM generate_series(1, 5)",
    )
    .await
    .expect("queue five no-op jobs");
    let worker = Command::new(env!("CARGO_BIN_EXE_axis"))
        .args(["worker", "--database-url", &db.url, "--job-concurrency", "2", "--log-level", "info"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start axis worker");
    let listed = axis_testkit::eventually(std::time::Duration::from_secs(20), || async {
        let out = axis(
            &["jobs", "list", "--database-url", &db.url, "--kind", "system.noop", "--state", "completed"],
            None,
        );
        text(&out.stdout).contains("5 of 5 job(s)").then_some(out)
    })
    .await;
    let terminated = Command::new("kill").args(["-TERM", &worker.id().to_string()]).status().expect("kill");
    assert!(terminated.success());
    let out = worker.wait_with_output().expect("worker output");
    assert!(listed.is_some(), "the worker ran the five jobs; its log: {}", text(&out.stdout));
    assert!(out.status.success(), "SIGTERM is a graceful stop: {:?} {}", out.status, text(&out.stderr));
    assert!(text(&out.stdout).contains("job worker stopped"), "{}", text(&out.stdout));
}

/// SIGTERM while a job runs: the worker waits out its grace period, hands the job back unrun
/// (due at once, its attempt not spent) and exits 0; another worker then finishes it. The job
/// is held mid-run by a lock the test takes on the table its purge deletes from.
#[tokio::test(flavor = "multi_thread")]
async fn sigterm_mid_job_hands_the_job_back_and_loses_nothing() {
    let db = TestDb::new().await;
    let mut lock = db.connect().await;
    lock.batch_execute("BEGIN; LOCK TABLE idempotency_keys IN ACCESS EXCLUSIVE MODE").await.expect("lock");
    let worker = |grace: &str| {
        Command::new(env!("CARGO_BIN_EXE_axis"))
            .args(["worker", "--database-url", &db.url, "--job-concurrency", "4"])
            .args(["--job-shutdown-grace-secs", grace, "--log-level", "warn"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start axis worker")
    };
    let purge = "SELECT count(*) AS n FROM jobs WHERE kind = 'housekeeping.purge_idempotency_keys'";
    let first = worker("1");
    // The worker fires the purge for the current period at start; it blocks on the lock.
    let running = axis_testkit::eventually(std::time::Duration::from_secs(20), || async {
        let n = count(&db, &format!("{purge} AND state = 'running'")).await;
        (n == 1).then_some(())
    })
    .await;
    let terminated = Command::new("kill").args(["-TERM", &first.id().to_string()]).status().expect("kill");
    assert!(terminated.success());
    let out = first.wait_with_output().expect("worker output");
    assert!(running.is_some(), "the purge ran: {}", text(&out.stderr));
    assert!(out.status.success(), "a graceful stop: {:?} {}", out.status, text(&out.stderr));
    let handed_back = format!("{purge} AND state = 'available' AND attempt = 0");
    assert_eq!(count(&db, &handed_back).await, 1, "handed back, its attempt not spent");
    let period = "(SELECT unique_key FROM jobs WHERE kind = 'housekeeping.purge_idempotency_keys' LIMIT 1)";

    lock.batch_execute("ROLLBACK").await.expect("unlock");
    let mut second = worker("20");
    let finished = format!("{purge} AND unique_key = {period} AND state = 'completed' AND attempt = 1");
    let done = axis_testkit::eventually(std::time::Duration::from_secs(20), || async {
        (count(&db, &finished).await == 1).then_some(())
    })
    .await;
    let _ = Command::new("kill").args(["-TERM", &second.id().to_string()]).status();
    let _ = second.wait();
    assert!(done.is_some(), "the other worker finished it on its first counted attempt");
    let same_period = format!("{purge} AND unique_key = {period}");
    assert_eq!(count(&db, &same_period).await, 1, "one job for the period: never lost, never doubled");
}

async fn count(db: &TestDb, query: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = db.connect().await;
    let row: Count =
        diesel_async::RunQueryDsl::get_result(diesel::sql_query(query), &mut conn).await.expect("count");
    row.n
}

#[tokio::test(flavor = "multi_thread")]
async fn import_staff_applies_a_file_by_the_apis_rules_and_lists_rejected_rows() {
    let app = axis_testkit::spawn_app().await;
    let client =
        axis_testkit::ClientBuilder::new().name("Command Line Co").insert(&app).await.client.id.to_string();
    let url = app.db.url.clone();
    let dir = std::env::temp_dir().join(format!("axis-import-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let write = |name: &str, rows: &str| {
        let path = dir.join(name);
        std::fs::write(&path, format!("employee_number;name;email;start_date\n{rows}"))
            .expect("write the file");
        path.to_string_lossy().into_owned()
    };
    let bad = write(
        "bad.csv",
        "E-1;Amina;amina@x.ug;2024-01-15\nE-2;Okello;not-an-email;2024-01-15\nE-3;Nakato;;2024-02-30\n",
    );
    let good = write(
        "good.csv",
        "E-1;Amina;amina@x.ug;2024-01-15\nE-2;Okello;okello@x.ug;2024-01-15\nE-3;Nakato;;2024-02-28\n",
    );
    let run = |file: &str, extra: &[&str]| {
        let mut args =
            vec!["import", "staff", file, "--client", client.as_str(), "--database-url", url.as_str()];
        args.extend_from_slice(extra);
        axis(&args, None)
    };
    let staff = format!("SELECT count(*) AS n FROM staff WHERE client_id = '{client}'");

    let out = run(&bad, &[]);
    assert_eq!(out.status.code(), Some(4), "refused: {}", text(&out.stderr));
    let listed = text(&out.stdout);
    assert!(listed.contains("refused: 3 row(s): 1 created, 0 updated, 0 unchanged, 2 rejected"), "{listed}");
    assert!(text(&out.stderr).contains("nothing was changed"), "{}", text(&out.stderr));
    // Columns as the file named them.
    assert!(listed.contains("line 3: email:") && listed.contains("line 4: start_date:"), "{listed}");
    assert_eq!(count(&app.db, &staff).await, 0, "nothing written");

    let out = run(&good, &["--dry-run"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("previewed: 3 row(s): 3 created"), "{}", text(&out.stdout));
    assert_eq!(count(&app.db, &staff).await, 0, "a dry run writes no member");

    let out = run(&good, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("applied: 3 row(s): 3 created"), "{}", text(&out.stdout));
    assert_eq!(count(&app.db, &staff).await, 3);
    let audited =
        "SELECT count(*) AS n FROM audit_logs WHERE action = 'staff.create' AND actor_label = 'cli'";
    assert_eq!(count(&app.db, audited).await, 3, "each member created on record, by the operator");
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread")]
async fn import_advisor_reads_an_export_into_a_snapshot_and_lists_rejected_rows() {
    let app = axis_testkit::spawn_app().await;
    let client = axis_testkit::ClientBuilder::new().insert(&app).await.client.id.to_string();
    let url = app.db.url.clone();
    let blobs = app.blob_dir.to_string_lossy().into_owned();
    let dir = std::env::temp_dir().join(format!("axis-advisor-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut file = include_bytes!("../../advisor/tests/samples/advisor_sample.csv").to_vec();
    file.extend_from_slice(b"Sustainability,High,Not a category,s,S,rg,vm,Disk,,,,,,,,,\r\n");
    let path = dir.join("Advisor_2025-11-24.csv");
    std::fs::write(&path, file).expect("write the export");
    let path = path.to_string_lossy().into_owned();
    let args = [
        "import",
        "advisor",
        path.as_str(),
        "--client",
        client.as_str(),
        "--score",
        "64",
        "--database-url",
        url.as_str(),
        "--blob-url",
        blobs.as_str(),
    ];
    let out = axis(&args, None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let listed = text(&out.stdout);
    assert!(listed.contains("completed: 15 row(s): 14 accepted, 0 duplicate, 1 rejected"), "{listed}");
    assert!(listed.contains("line 16 (rejected): Category:"), "{listed}");
    let stored = format!(
        "SELECT count(*) AS n FROM advisor_recommendations r JOIN advisor_imports i ON i.id = r.import_id WHERE i.client_id = '{client}'"
    );
    assert_eq!(count(&app.db, &stored).await, 14);
    let scored = format!(
        "SELECT count(*) AS n FROM advisor_imports WHERE client_id = '{client}' AND advisor_score->>'overall' = '64'"
    );
    assert_eq!(count(&app.db, &scored).await, 1, "the typed-in score goes with the snapshot");

    let out = axis(
        &[
            "import",
            "advisor",
            path.as_str(),
            "--client",
            client.as_str(),
            "--category",
            "nonsense",
            "--database-url",
            url.as_str(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    std::fs::remove_dir_all(&dir).ok();
}
