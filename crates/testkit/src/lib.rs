//! Test harness: a fresh database per test (cloned from a migrated template), the production
//! server on port 0, builders for users and clients, and the role × scope matrix.
#![expect(
    clippy::expect_used,
    clippy::panic,
    reason = "a harness fails the test loudly when its setup fails"
)]

pub mod advisor;
mod clients;
mod db;
pub mod documents;
pub mod matrix;
pub mod members;
mod users;

use std::net::TcpListener;
use std::path::PathBuf;

use axis_app::{Application, Settings, Wiring};
use clap::Parser;

pub use clients::ClientBuilder;
pub use db::TestDb;
pub use documents::DocumentBuilder;
pub use members::{BeneficiaryBuilder, ContractBuilder, StaffBuilder};
pub use users::{LoggedIn, TestUser, UserBuilder};

#[derive(Parser)]
struct SettingsArgs {
    #[command(flatten)]
    settings: Settings,
}

/// A running server on its own database.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub wiring: Wiring,
    pub db: TestDb,
    pub settings: Settings,
    key_file: PathBuf,
    /// This app's blob store (a local directory unless the test gave `--blob-url`).
    pub blob_dir: PathBuf,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.key_file);
        let _ = std::fs::remove_dir_all(&self.blob_dir);
    }
}

/// Extra command-line style settings, e.g. `["--db-pool-size", "1"]`.
pub async fn spawn_app_with(extra: &[&str]) -> TestApp {
    let db = TestDb::new().await;
    let key_file = std::env::temp_dir().join(format!("axis-test-{}.pem", uuid::Uuid::now_v7()));
    let pem = axis_crypto::generate_signing_key_pem().expect("generate a key");
    std::fs::write(&key_file, pem).expect("write the test key");
    let key_path = key_file.to_string_lossy().into_owned();
    let blob_dir = std::env::temp_dir().join(format!("axis-test-blobs-{}", uuid::Uuid::now_v7()));
    let blob_path = blob_dir.to_string_lossy().into_owned();
    let defaults = [
        ("--bind", "127.0.0.1:0"),
        ("--workers", "1"),
        ("--db-pool-size", "4"),
        ("--audit-seal-interval-ms", "200"),
        // No job worker unless a test asks for one: its jobs would change the data under the
        // tests that compare it before and after.
        ("--job-concurrency", "0"),
        ("--blob-url", blob_path.as_str()),
    ];
    let mut args = vec!["axis", "--database-url", db.url.as_str(), "--jwt-key-file", key_path.as_str()];
    for (flag, value) in defaults {
        if !extra.contains(&flag) {
            args.extend([flag, value]);
        }
    }
    args.extend_from_slice(extra);
    let settings =
        SettingsArgs::try_parse_from(args).unwrap_or_else(|e| panic!("test settings: {e}")).settings;
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    let wiring = Wiring::from_settings(&settings).expect("wire the application");
    let app =
        Application::build_with(settings.clone(), wiring.clone(), listener).expect("build the application");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let client =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    TestApp { address, client, wiring, db, settings, key_file, blob_dir }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.get(self.url(path))
    }

    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.post(self.url(path))
    }

    pub fn put(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.put(self.url(path))
    }

    pub fn patch(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.patch(self.url(path))
    }

    pub fn delete(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.delete(self.url(path))
    }

    /// A new user of `role`, logged in.
    pub async fn logged_in(&self, role: axis_kernel::Role) -> LoggedIn {
        UserBuilder::new().role(role).insert(self).await.login(self).await
    }
}

/// Polls `check` until it returns `Some` or `deadline` passes (no fixed sleeps in tests).
pub async fn eventually<T, F, Fut>(deadline: std::time::Duration, mut check: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let until = std::time::Instant::now() + deadline;
    loop {
        if let Some(value) = check().await {
            return Some(value);
        }
        if std::time::Instant::now() >= until {
            return None;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

/// How many migrations the repository holds: one directory each under `migrations/`.
pub fn migration_count() -> usize {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
    std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("reading {}: {error}", dir.display()))
        .filter(|entry| entry.as_ref().is_ok_and(|e| e.path().join("up.sql").is_file()))
        .count()
}

/// A PostgreSQL client program (`pg_dump`, `psql`) from the newest server installation under
/// `/usr/lib/postgresql`, the binaries `make test` runs its cluster with; else from `PATH`.
pub fn pg_tool(name: &str) -> std::path::PathBuf {
    let mut installed: Vec<std::path::PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin").join(name))
        .filter(|path| path.is_file())
        .collect();
    installed.sort_by_key(|path| {
        path.components().nth(3).and_then(|v| v.as_os_str().to_str()?.parse::<u32>().ok()).unwrap_or(0)
    });
    installed.pop().unwrap_or_else(|| std::path::PathBuf::from(name))
}
