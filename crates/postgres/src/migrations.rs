use diesel::migration::MigrationSource;
use diesel::pg::Pg;
use diesel_async::{AsyncConnection, AsyncMigrationHarness, AsyncPgConnection};
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

/// Which embedded migrations the database has, and which it lacks.
pub async fn migration_status(url: &str) -> Result<MigrationStatus, anyhow::Error> {
    let mut harness = harness(url).await?;
    let applied: Vec<String> = harness
        .applied_migrations()
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .into_iter()
        .map(|v| v.to_string())
        .collect();
    let known = MigrationSource::<Pg>::migrations(&MIGRATIONS).map_err(|e| anyhow::anyhow!("{e}"))?;
    let pending = known
        .iter()
        .map(|m| m.name().version().to_string())
        .filter(|version| !applied.contains(version))
        .collect();
    Ok(MigrationStatus { applied, pending })
}
