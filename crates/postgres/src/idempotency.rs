//! `Idempotency-Key` answers in PostgreSQL. Both calls run inside the create's unit of work
//! ([`crate::Database::in_unit_of_work`]): the key is held by a transaction-scoped advisory
//! lock while the create runs, and its stored answer commits with the create.

use async_trait::async_trait;
use axis_kernel::idempotency::{IdempotencyState, IdempotencyStore, KEY_LIFETIME_HOURS, StoredResponse};
use axis_kernel::{DomainError, UserId};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text, Uuid as SqlUuid};
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

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

#[async_trait]
impl IdempotencyStore for PgIdempotency {
    async fn begin(
        &self,
        user: UserId,
        key: &str,
        fingerprint: [u8; 32],
    ) -> Result<IdempotencyState, DomainError> {
        let mut conn = self.db.conn().await?;
        // Held until the unit of work commits or rolls back, whichever way it ends.
        let lock: Locked = diesel::sql_query(
            "SELECT pg_try_advisory_xact_lock(hashtextextended($1::text || '/' || $2, 0)) AS locked",
        )
        .bind::<SqlUuid, _>(user.0)
        .bind::<Text, _>(key)
        .get_result(&mut *conn)
        .await
        .map_err(map_diesel)?;
        if !lock.locked {
            return Ok(IdempotencyState::InProgress);
        }
        let expired = OffsetDateTime::now_utc() - Duration::hours(KEY_LIFETIME_HOURS);
        diesel::delete(
            idempotency_keys::table
                .filter(idempotency_keys::user_id.eq(user.0))
                .filter(idempotency_keys::key.eq(key))
                .filter(idempotency_keys::created_at.lt(expired)),
        )
        .execute(&mut *conn)
        .await
        .map_err(map_diesel)?;
        let row: Option<KeyRow> = idempotency_keys::table
            .find((user.0, key))
            .select((
                idempotency_keys::request_hash,
                idempotency_keys::status_code,
                idempotency_keys::response_body,
                idempotency_keys::location,
            ))
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        Ok(match row {
            None => IdempotencyState::New,
            Some((hash, _, _, _)) if hash != fingerprint => IdempotencyState::Mismatch,
            Some((_, Some(status), Some(body), location)) => IdempotencyState::Replay(StoredResponse {
                status: u16::try_from(status).unwrap_or(500),
                body,
                location,
            }),
            // Rows without an answer are only left by versions before answers committed with
            // their create; nothing holds them, so the request may run again.
            Some(_) => IdempotencyState::New,
        })
    }

    async fn complete(
        &self,
        user: UserId,
        key: &str,
        fingerprint: [u8; 32],
        response: &StoredResponse,
    ) -> Result<(), DomainError> {
        let mut conn = self.db.conn().await?;
        let status = i32::from(response.status);
        diesel::insert_into(idempotency_keys::table)
            .values((
                idempotency_keys::user_id.eq(user.0),
                idempotency_keys::key.eq(key),
                idempotency_keys::request_hash.eq(fingerprint.to_vec()),
                idempotency_keys::status_code.eq(status),
                idempotency_keys::response_body.eq(&response.body),
                idempotency_keys::location.eq(&response.location),
            ))
            .on_conflict((idempotency_keys::user_id, idempotency_keys::key))
            .do_update()
            .set((
                idempotency_keys::request_hash.eq(fingerprint.to_vec()),
                idempotency_keys::status_code.eq(status),
                idempotency_keys::response_body.eq(&response.body),
                idempotency_keys::location.eq(&response.location),
                idempotency_keys::created_at.eq(OffsetDateTime::now_utc()),
            ))
            .execute(&mut *conn)
            .await
            .map_err(map_diesel)?;
        Ok(())
    }
}
