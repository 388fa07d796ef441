//! PostgreSQL adapter: diesel-async implementations of the domain ports, the pool, and the
//! embedded migrations. Every mutating method writes its audit record in the same transaction.

mod audit_writer;
pub mod audited;
pub mod error;
mod housekeeping;
mod idempotency;
pub mod job_queueing;
pub mod list_totals;
mod migrations;
mod pool;
pub mod rules;
pub mod schema;
pub mod sql_file;
pub mod status_history;

pub use housekeeping::PgHousekeeping;
pub use idempotency::PgIdempotency;
pub use migrations::{MigrationStatus, migration_status, revert_all_migrations, run_migrations};
pub use pool::{Database, DbHealth, PgConn, PgPool, PoolSettings, PoolUsage};

/// A `LIKE` pattern matching `search` anywhere: `%` and `_` in the input match themselves.
pub fn like_pattern(search: &str) -> String {
    let escaped = search.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}
