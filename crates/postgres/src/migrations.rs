use axis_kernel::DomainError;
use diesel::QueryableByName;
use diesel::migration::MigrationSource;
use diesel::pg::Pg;
use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, AsyncMigrationHarness, AsyncPgConnection, RunQueryDsl};

use crate::Database;
use crate::error::map_diesel;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    pub applied: Vec<String>,
    pub pending: Vec<String>,
}

async fn harness(url: &str) -> Result<AsyncMigrationHarness<AsyncPgConnection>, anyhow::Error> {
    let conn = AsyncPgConnection::establish(url).await?;
    Ok(AsyncMigrationHarness::new(conn))
}

/// Applies pending migrations; returns the versions it applied. Needs a multi-thread runtime.
pub async fn run_migrations(url: &str) -> Result<Vec<String>, anyhow::Error> {
    let mut harness = harness(url).await?;
    let applied = harness.run_pending_migrations(MIGRATIONS).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(applied.into_iter().map(|v| v.to_string()).collect())
}

/// Reverts every migration (tests of the down scripts only).
pub async fn revert_all_migrations(url: &str) -> Result<Vec<String>, anyhow::Error> {
    let mut harness = harness(url).await?;
    let reverted = harness.revert_all_migrations(MIGRATIONS).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(reverted.into_iter().map(|v| v.to_string()).collect())
}

/// Which embedded migrations the database has, and which it lacks. Reads diesel's bookkeeping
/// table through the pool, so it is safe on any runtime.
pub async fn migration_status(db: &Database) -> Result<MigrationStatus, DomainError> {
    #[derive(QueryableByName)]
    struct Applied {
        #[diesel(sql_type = Text)]
        version: String,
    }
    let mut conn = db.conn().await?;
    let rows: Vec<Applied> =
        diesel::sql_query("SELECT version FROM __diesel_schema_migrations ORDER BY version")
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
    let applied: Vec<String> = rows.into_iter().map(|row| row.version).collect();
    let known = MigrationSource::<Pg>::migrations(&MIGRATIONS)
        .map_err(|e| DomainError::Internal(e.to_string().into()))?;
    let pending = known
        .iter()
        .map(|m| m.name().version().to_string())
        .filter(|version| !applied.contains(version))
        .collect();
    Ok(MigrationStatus { applied, pending })
}
