//! The job queue on PostgreSQL: `jobs` rows, claimed with `FOR UPDATE SKIP LOCKED`.

use std::time::Duration;

use async_trait::async_trait;
use axis_jobs::{Job, JobId, JobQueue, JobState, JobStore, NewJob, Queued};
use axis_kernel::DomainError;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Int4, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::Database;
use crate::error::{map_diesel, unexpected};
use crate::schema::jobs;

#[derive(Queryable, Selectable, QueryableByName)]
#[diesel(table_name = jobs)]
struct JobRow {
    id: Uuid,
    kind: String,
    args: Value,
    state: String,
    attempt: i32,
    max_attempts: i32,
    unique_key: Option<String>,
    run_at: OffsetDateTime,
    lease_until: Option<OffsetDateTime>,
    claimed_by: Option<String>,
    last_error: Option<String>,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    finished_at: Option<OffsetDateTime>,
}

impl TryFrom<JobRow> for Job {
    type Error = DomainError;

    fn try_from(row: JobRow) -> Result<Self, DomainError> {
        Ok(Job {
            id: JobId(row.id),
            state: row
                .state
                .parse::<JobState>()
                .map_err(|_| unexpected(format!("unknown job state {:?}", row.state)))?,
            kind: row.kind,
            args: row.args,
            attempt: row.attempt,
            max_attempts: row.max_attempts,
            unique_key: row.unique_key,
            run_at: row.run_at,
            lease_until: row.lease_until,
            claimed_by: row.claimed_by,
            last_error: row.last_error,
            created_at: row.created_at,
            updated_at: row.updated_at,
            finished_at: row.finished_at,
        })
    }
}

#[derive(Clone)]
pub struct PgJobs {
    db: Database,
}

impl PgJobs {
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// Ends the job `id` while claim `attempt` still holds it (every change after a claim is
    /// fenced by it): `outcome` sets the final state; `error`, when given, is recorded.
    async fn finish_held(
        &self,
        id: JobId,
        attempt: i32,
        outcome: &'static str,
        error: Option<&str>,
    ) -> Result<bool, DomainError> {
        let mut conn = self.db.conn().await?;
        let changed = diesel::sql_query(format!(
            "UPDATE jobs SET {outcome}, last_error = coalesce($3, last_error), lease_until = NULL, \
                 updated_at = now() \
             WHERE id = $1 AND attempt = $2 AND state = 'running'"
        ))
        .bind::<SqlUuid, _>(id.0)
        .bind::<Int4, _>(attempt)
        .bind::<diesel::sql_types::Nullable<Text>, _>(error)
        .execute(&mut *conn)
        .await
        .map_err(map_diesel)?;
        Ok(changed == 1)
    }
}

fn seconds(duration: Duration) -> f64 {
    duration.as_secs_f64()
}

#[async_trait]
impl JobQueue for PgJobs {
    async fn enqueue(&self, job: NewJob) -> Result<Queued, DomainError> {
        let mut conn = self.db.conn().await?;
        let id = JobId::new();
        let state = if job.run_at.is_some() { JobState::Scheduled } else { JobState::Available };
        // A pending job with the same unique key wins: nothing is inserted and its id returned.
        // Should it finish between the insert and the look-up, the insert is tried again.
        for _ in 0..3 {
            #[derive(QueryableByName)]
            struct Inserted {
                #[diesel(sql_type = SqlUuid)]
                id: Uuid,
            }
            let inserted: Option<Inserted> = diesel::sql_query(
                "INSERT INTO jobs (id, kind, args, state, attempt, max_attempts, unique_key, run_at, \
                                   created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, 0, $5, $6, coalesce($7, now()), now(), now()) \
                 ON CONFLICT (kind, unique_key) \
                     WHERE unique_key IS NOT NULL AND state IN ('available', 'scheduled', 'running', 'retryable') \
                 DO NOTHING RETURNING id",
            )
            .bind::<SqlUuid, _>(id.0)
            .bind::<Text, _>(&job.kind)
            .bind::<diesel::sql_types::Jsonb, _>(&job.args)
            .bind::<Text, _>(state.as_str())
            .bind::<Int4, _>(job.max_attempts)
            .bind::<diesel::sql_types::Nullable<Text>, _>(job.unique_key.as_deref())
            .bind::<diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>, _>(job.run_at)
            .get_result(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
            if let Some(row) = inserted {
                return Ok(Queued { id: JobId(row.id), existing: false });
            }
            let existing: Option<Uuid> = jobs::table
                .filter(jobs::kind.eq(&job.kind))
                .filter(jobs::unique_key.eq(job.unique_key.as_deref()))
                .filter(jobs::state.eq_any(JobState::PENDING.map(JobState::as_str)))
                .select(jobs::id)
                .first(&mut *conn)
                .await
                .optional()
                .map_err(map_diesel)?;
            if let Some(existing) = existing {
                return Ok(Queued { id: JobId(existing), existing: true });
            }
        }
        Err(unexpected(format!("could not queue a {} job: its unique key kept changing hands", job.kind)))
    }
}

#[async_trait]
impl JobStore for PgJobs {
    async fn claim(&self, worker: &str, limit: u32, lease: Duration) -> Result<Vec<Job>, DomainError> {
        let mut conn = self.db.conn().await?;
        // A job whose lease ran out after its last attempt is dead, not claimed again.
        diesel::sql_query(
            "UPDATE jobs SET state = 'dead', lease_until = NULL, finished_at = now(), updated_at = now(), \
                 last_error = coalesce(last_error || E'\\n', '') || 'lease expired on the last attempt' \
             WHERE state = 'running' AND lease_until < now() AND attempt >= max_attempts",
        )
        .execute(&mut *conn)
        .await
        .map_err(map_diesel)?;
        let rows: Vec<JobRow> = diesel::sql_query(
            "WITH due AS ( \
                 SELECT id FROM jobs \
                 WHERE state IN ('available', 'scheduled', 'retryable') AND run_at <= now() \
                 ORDER BY run_at, id LIMIT $2 FOR UPDATE SKIP LOCKED \
             ), expired AS ( \
                 SELECT id FROM jobs \
                 WHERE state = 'running' AND lease_until < now() AND attempt < max_attempts \
                 ORDER BY lease_until LIMIT $2 FOR UPDATE SKIP LOCKED \
             ) \
             UPDATE jobs SET state = 'running', attempt = attempt + 1, claimed_by = $1, updated_at = now(), \
                 lease_until = now() + make_interval(secs => $3) \
             WHERE id IN (SELECT id FROM (SELECT id FROM expired UNION ALL SELECT id FROM due) AS claimable LIMIT $2) \
             RETURNING *",
        )
        .bind::<Text, _>(worker)
        .bind::<BigInt, _>(i64::from(limit))
        .bind::<Double, _>(seconds(lease))
        .load(&mut *conn)
        .await
        .map_err(map_diesel)?;
        rows.into_iter().map(Job::try_from).collect()
    }

    async fn heartbeat(&self, id: JobId, attempt: i32, lease: Duration) -> Result<bool, DomainError> {
        let mut conn = self.db.conn().await?;
        let changed = diesel::sql_query(
            "UPDATE jobs SET lease_until = now() + make_interval(secs => $3), updated_at = now() \
             WHERE id = $1 AND attempt = $2 AND state = 'running'",
        )
        .bind::<SqlUuid, _>(id.0)
        .bind::<Int4, _>(attempt)
        .bind::<Double, _>(seconds(lease))
        .execute(&mut *conn)
        .await
        .map_err(map_diesel)?;
        Ok(changed == 1)
    }

    async fn complete(&self, id: JobId, attempt: i32) -> Result<bool, DomainError> {
        self.finish_held(id, attempt, "state = 'completed', finished_at = now()", None).await
    }

    async fn fail(
        &self,
        id: JobId,
        attempt: i32,
        error: &str,
        retry_at: Option<OffsetDateTime>,
    ) -> Result<bool, DomainError> {
        match retry_at {
            Some(retry_at) => {
                let mut conn = self.db.conn().await?;
                let changed = diesel::sql_query(
                    "UPDATE jobs SET state = 'retryable', run_at = $3, last_error = $4, lease_until = NULL, \
                         updated_at = now() \
                     WHERE id = $1 AND attempt = $2 AND state = 'running'",
                )
                .bind::<SqlUuid, _>(id.0)
                .bind::<Int4, _>(attempt)
                .bind::<diesel::sql_types::Timestamptz, _>(retry_at)
                .bind::<Text, _>(error)
                .execute(&mut *conn)
                .await
                .map_err(map_diesel)?;
                Ok(changed == 1)
            }
            None => self.finish_held(id, attempt, "state = 'dead', finished_at = now()", Some(error)).await,
        }
    }

    async fn get(&self, id: JobId) -> Result<Option<Job>, DomainError> {
        let mut conn = self.db.conn().await?;
        let query = diesel::sql_query("SELECT * FROM jobs WHERE id = $1").bind::<SqlUuid, _>(id.0);
        let row: Option<JobRow> = query.get_result(&mut *conn).await.optional().map_err(map_diesel)?;
        row.map(Job::try_from).transpose()
    }
}

/// Wakes an idle worker when jobs are queued: its own connection, listening on `axis_jobs`,
/// which the insert trigger notifies when the inserting transaction commits. Waits end early on
/// a notice and otherwise at the caller's poll interval, so an idle queue costs nothing and a
/// new job is seen within milliseconds.
pub struct JobWakeups {
    conn: diesel_async::AsyncPgConnection,
}

impl JobWakeups {
    pub async fn listen(url: &str) -> Result<Self, DomainError> {
        use diesel_async::AsyncConnection;
        // Not reaching the database is what the pool reports as unavailable too.
        let mut conn =
            diesel_async::AsyncPgConnection::establish(url).await.map_err(|_| DomainError::Unavailable)?;
        diesel::sql_query("LISTEN axis_jobs").execute(&mut conn).await.map_err(map_diesel)?;
        Ok(Self { conn })
    }

    /// Waits until jobs are queued (`true`) or `poll` passes (`false`).
    pub async fn wait(&mut self, poll: Duration) -> Result<bool, DomainError> {
        use futures_util::StreamExt;
        let mut notices = std::pin::pin!(self.conn.notifications_stream());
        match tokio::time::timeout(poll, notices.next()).await {
            Ok(Some(Ok(_))) => Ok(true),
            Ok(Some(Err(error))) => Err(map_diesel(error)),
            Ok(None) | Err(_) => Ok(false),
        }
    }
}
