use async_trait::async_trait;
use axis_kernel::idempotency::{IdempotencyState, IdempotencyStore, KEY_LIFETIME_HOURS, StoredResponse};
use axis_kernel::{RepoError, UserId};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use time::{Duration, OffsetDateTime};

use crate::Database;
use crate::error::map_diesel;
use crate::schema::idempotency_keys;

#[derive(Clone)]
pub struct PgIdempotency {
    db: Database,
}

impl PgIdempotency {
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

type KeyRow = (Vec<u8>, Option<i32>, Option<Vec<u8>>, Option<String>);

#[async_trait]
impl IdempotencyStore for PgIdempotency {
    async fn begin(
        &self,
        user: UserId,
        key: &str,
        fingerprint: [u8; 32],
    ) -> Result<IdempotencyState, RepoError> {
        let mut conn = self.db.conn().await?;
        let expired = OffsetDateTime::now_utc() - Duration::hours(KEY_LIFETIME_HOURS);
        diesel::delete(
            idempotency_keys::table
                .filter(idempotency_keys::user_id.eq(user.0))
                .filter(idempotency_keys::key.eq(key))
                .filter(idempotency_keys::created_at.lt(expired)),
        )
        .execute(&mut conn)
        .await
        .map_err(map_diesel)?;
        let inserted = diesel::insert_into(idempotency_keys::table)
            .values((
                idempotency_keys::user_id.eq(user.0),
                idempotency_keys::key.eq(key),
                idempotency_keys::request_hash.eq(fingerprint.to_vec()),
            ))
            .on_conflict_do_nothing()
            .execute(&mut conn)
            .await
            .map_err(map_diesel)?;
        if inserted == 1 {
            return Ok(IdempotencyState::New);
        }
        let row: Option<KeyRow> = idempotency_keys::table
            .find((user.0, key))
            .select((
                idempotency_keys::request_hash,
                idempotency_keys::status_code,
                idempotency_keys::response_body,
                idempotency_keys::location,
            ))
            .first(&mut conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        Ok(match row {
            // Abandoned between our insert and this read: the client may simply retry.
            None => IdempotencyState::InProgress,
            Some((hash, _, _, _)) if hash != fingerprint => IdempotencyState::Mismatch,
            Some((_, Some(status), Some(body), location)) => IdempotencyState::Replay(StoredResponse {
                status: u16::try_from(status).unwrap_or(500),
                body,
                location,
            }),
            Some(_) => IdempotencyState::InProgress,
        })
    }

    async fn complete(&self, user: UserId, key: &str, response: &StoredResponse) -> Result<(), RepoError> {
        let mut conn = self.db.conn().await?;
        diesel::update(idempotency_keys::table.find((user.0, key)))
            .set((
                idempotency_keys::status_code.eq(i32::from(response.status)),
                idempotency_keys::response_body.eq(&response.body),
                idempotency_keys::location.eq(&response.location),
            ))
            .execute(&mut conn)
            .await
            .map_err(map_diesel)?;
        Ok(())
    }

    async fn abandon(&self, user: UserId, key: &str) -> Result<(), RepoError> {
        let mut conn = self.db.conn().await?;
        diesel::delete(
            idempotency_keys::table
                .filter(idempotency_keys::user_id.eq(user.0))
                .filter(idempotency_keys::key.eq(key))
                .filter(idempotency_keys::status_code.is_null()),
        )
        .execute(&mut conn)
        .await
        .map_err(map_diesel)?;
        Ok(())
    }
}
