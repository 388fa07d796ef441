//! Purges of rows that have outlived their use, in bounded batches (each statement stays well
//! inside the statement timeout) within one audited transaction.

use async_trait::async_trait;
use axis_jobs::housekeeping::{Housekeeping, PurgeTarget};
use axis_kernel::{AuditRecord, DomainError};
use diesel::sql_types::{BigInt, Timestamptz};
use diesel_async::RunQueryDsl;
use time::OffsetDateTime;

use crate::Database;
use crate::audited::audited_purge;

/// Rows one statement deletes at most.
const BATCH: i64 = 5_000;

pub struct PgHousekeeping {
    db: Database,
}

impl PgHousekeeping {
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

/// One batch of `target`: rows that ended before `$1`, at most `$2` of them.
fn batch_sql(target: PurgeTarget) -> &'static str {
    match target {
        // Their refresh tokens go with them (ON DELETE CASCADE).
        PurgeTarget::EndedSessions => {
            "DELETE FROM auth_sessions WHERE id IN (SELECT id FROM auth_sessions \
                 WHERE coalesce(revoked_at, least(idle_expires_at, absolute_expires_at)) < $1 LIMIT $2)"
        }
        PurgeTarget::SpentIdempotencyKeys => {
            "DELETE FROM idempotency_keys WHERE (user_id, key) IN (SELECT user_id, key FROM idempotency_keys \
                 WHERE created_at < $1 LIMIT $2)"
        }
        PurgeTarget::FinishedJobs => {
            "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs \
                 WHERE finished_at < $1 AND state IN ('completed', 'dead', 'cancelled') LIMIT $2)"
        }
        PurgeTarget::ImportRows => {
            "DELETE FROM member_import_rows WHERE ctid IN (SELECT r.ctid FROM member_import_rows r \
                 JOIN member_imports i ON i.id = r.import_id WHERE coalesce(i.finished_at, i.created_at) < $1 \
                 LIMIT $2)"
        }
        PurgeTarget::StalledUploads => FAIL_STALLED_UPLOADS,
    }
}

/// Marks failed, a batch at a time, the imports still receiving their file that started
/// before the cut-off.
const FAIL_STALLED_UPLOADS: &str = "UPDATE member_imports SET status = 'failed', \
    error = 'the upload stalled or was cut off before the file ended', finished_at = now() \
    WHERE id IN (SELECT id FROM member_imports WHERE status = 'receiving' AND created_at < $1 LIMIT $2)";

/// What a purge changes once it has deleted, counted with what it deleted: imports that started
/// before the cut-off and never ended (their rows are gone now) are marked failed.
fn after_sql(target: PurgeTarget) -> Option<&'static str> {
    match target {
        PurgeTarget::ImportRows => Some(
            "UPDATE member_imports SET status = 'failed', error = 'the upload or its job never finished', \
                 finished_at = now() WHERE status IN ('receiving', 'queued') AND created_at < $1",
        ),
        _ => None,
    }
}

#[async_trait]
impl Housekeeping for PgHousekeeping {
    async fn purge(
        &self,
        target: PurgeTarget,
        before: OffsetDateTime,
        audit: &AuditRecord,
    ) -> Result<u64, DomainError> {
        audited_purge(&self.db, audit, async move |conn| {
            let mut purged = 0_u64;
            loop {
                let deleted = diesel::sql_query(batch_sql(target))
                    .bind::<Timestamptz, _>(before)
                    .bind::<BigInt, _>(BATCH)
                    .execute(&mut *conn)
                    .await?;
                purged += deleted as u64;
                if (deleted as i64) < BATCH {
                    break;
                }
            }
            if let Some(statement) = after_sql(target) {
                purged +=
                    diesel::sql_query(statement).bind::<Timestamptz, _>(before).execute(&mut *conn).await?
                        as u64;
            }
            Ok(purged)
        })
        .await
    }
}
