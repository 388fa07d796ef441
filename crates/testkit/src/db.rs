//! One database per test, cloned from a template that holds every migration.

use std::path::Path;

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use sha2::{Digest, Sha256};

/// The cluster every test database lives on; `make test` sets it.
const CLUSTER_URL_VAR: &str = "AXIS_TEST_DATABASE_URL";
const TEMPLATE_LOCK: i64 = 0x7e57_7e57;

/// Replaces the database name of a PostgreSQL URL.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let prefix = base.rsplit_once('/').map_or(base, |(prefix, _)| prefix);
    match query {
        Some(query) => format!("{prefix}/{database}?{query}"),
        None => format!("{prefix}/{database}"),
    }
}

fn cluster_url() -> String {
    std::env::var(CLUSTER_URL_VAR).unwrap_or_else(|_| {
        panic!("{CLUSTER_URL_VAR} is not set: run the tests with `make test`, which starts a test PostgreSQL")
    })
}

/// A fingerprint of `migrations/`, so a changed migration gets a fresh template.
fn migrations_fingerprint() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
    let mut files: Vec<_> = walk(&dir);
    files.sort();
    let mut hasher = Sha256::new();
    for file in files {
        hasher.update(file.to_string_lossy().as_bytes());
        hasher.update(std::fs::read(&file).unwrap_or_default());
    }
    hex::encode(&hasher.finalize()[..6])
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return vec![] };
    entries
        .flatten()
        .flat_map(|entry| {
            let path = entry.path();
            if path.is_dir() { walk(&path) } else { vec![path] }
        })
        .collect()
}

async fn admin_connection() -> AsyncPgConnection {
    let url = with_database(&cluster_url(), "postgres");
    AsyncPgConnection::establish(&url).await.expect("connect to the test cluster")
}

async fn database_exists(conn: &mut AsyncPgConnection, name: &str) -> bool {
    #[derive(diesel::QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let found: Found = diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
        .bind::<diesel::sql_types::Text, _>(name)
        .get_result(conn)
        .await
        .expect("query pg_database");
    found.n > 0
}

/// A test database older than this was left behind by a run that crashed or was killed (no
/// test runs this long); the next run drops it.
const STALE_TEST_DATABASE: std::time::Duration = std::time::Duration::from_secs(6 * 3600);

/// Drops templates of other migration sets and test databases left behind by killed runs.
/// Test database names carry a UUID v7, whose first 48 bits are its creation time in ms.
async fn sweep(conn: &mut AsyncPgConnection, current_template: &str) {
    #[derive(diesel::QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        datname: String,
    }
    let names: Vec<Name> = diesel::sql_query(
        "SELECT datname FROM pg_database WHERE datname LIKE 'axis\\_template\\_%' OR datname LIKE 'axis\\_test\\_%'",
    )
    .load(conn)
    .await
    .expect("list test databases");
    let now_ms =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis());
    for Name { datname } in names {
        let stale = match datname.strip_prefix("axis_test_") {
            Some(id) => uuid::Uuid::parse_str(id)
                .ok()
                .and_then(|id| id.get_timestamp())
                .map(|ts| {
                    let (secs, nanos) = ts.to_unix();
                    u128::from(secs) * 1000 + u128::from(nanos / 1_000_000)
                })
                .is_some_and(|created_ms| {
                    now_ms.saturating_sub(created_ms) > STALE_TEST_DATABASE.as_millis()
                }),
            None => datname != current_template && !datname.ends_with("_building"),
        };
        if stale {
            let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {datname} WITH (FORCE)")).await;
        }
    }
}

/// Creates the migrated template once per migration set, whichever test process gets there
/// first, after sweeping what earlier runs left behind.
async fn ensure_template() -> String {
    let template = format!("axis_template_{}", migrations_fingerprint());
    let mut conn = admin_connection().await;
    conn.batch_execute(&format!("SELECT pg_advisory_lock({TEMPLATE_LOCK})")).await.expect("lock");
    sweep(&mut conn, &template).await;
    if !database_exists(&mut conn, &template).await {
        let building = format!("{template}_building");
        conn.batch_execute(&format!("DROP DATABASE IF EXISTS {building}")).await.expect("drop stale build");
        conn.batch_execute(&format!("CREATE DATABASE {building}")).await.expect("create template");
        axis_postgres::run_migrations(&with_database(&cluster_url(), &building))
            .await
            .expect("migrate template");
        // Renamed only when complete, so no test ever clones a half-migrated template.
        conn.batch_execute(&format!("ALTER DATABASE {building} RENAME TO {template}"))
            .await
            .expect("publish");
    }
    conn.batch_execute(&format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK})")).await.expect("unlock");
    template
}

/// A database for one test, dropped when the value is dropped.
pub struct TestDb {
    pub url: String,
    pub name: String,
}

impl TestDb {
    /// A migrated database (needs a multi-thread runtime: migrations block in place).
    pub async fn new() -> Self {
        let template = ensure_template().await;
        let name = format!("axis_test_{}", uuid::Uuid::now_v7().simple());
        let mut conn = admin_connection().await;
        conn.batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .await
            .expect("clone template");
        Self { url: with_database(&cluster_url(), &name), name }
    }

    /// An empty database with no migrations applied (for migration tests).
    pub async fn empty() -> Self {
        let name = format!("axis_test_{}", uuid::Uuid::now_v7().simple());
        let mut conn = admin_connection().await;
        conn.batch_execute(&format!("CREATE DATABASE {name}")).await.expect("create database");
        Self { url: with_database(&cluster_url(), &name), name }
    }

    /// The adapters' view of it: request pools of 8 and a background pool of 8.
    pub fn database(&self) -> axis_postgres::Database {
        axis_postgres::Database::connect(&axis_postgres::PoolSettings {
            url: self.url.clone(),
            max_size: 8,
            background_size: 8,
            workers: 1,
            wait_timeout: std::time::Duration::from_secs(5),
            create_timeout: std::time::Duration::from_secs(5),
            statement_timeout: std::time::Duration::from_secs(10),
            application_name: "axis-test".into(),
        })
        .expect("pool")
    }

    /// A direct connection for assertions and fault injection.
    pub async fn connect(&self) -> AsyncPgConnection {
        AsyncPgConnection::establish(&self.url).await.expect("connect to the test database")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs inside the test's runtime; a separate thread with its own runtime can block.
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            runtime.block_on(async {
                let url = with_database(&cluster_url(), "postgres");
                if let Ok(mut conn) = AsyncPgConnection::establish(&url).await {
                    let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                }
            });
        })
        .join();
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_name_is_replaced() {
        assert_eq!(with_database("postgres://u:p@h:1/axis", "x"), "postgres://u:p@h:1/x");
        assert_eq!(
            with_database("postgres://u:p@h:1/axis?sslmode=disable", "x"),
            "postgres://u:p@h:1/x?sslmode=disable"
        );
    }
}
