//! The job queue on PostgreSQL: `jobs` rows, claimed with `FOR UPDATE SKIP LOCKED`; every
//! change after a claim is fenced by `(id, attempt)` and `state = 'running'`.

use std::time::Duration;

use async_trait::async_trait;
use axis_jobs::service::RETRYABLE_FROM;
use axis_jobs::{
    Job, JobAdmin, JobFailure, JobFilter, JobId, JobProgress, JobQueue, JobState, JobStore, JobWork, NewJob,
    QueueStats, Queued, Wakeups,
};
use axis_kernel::{AuditRecord, DomainError, Page, PageRequest};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Double, Int4, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

use axis_postgres::Database;
use axis_postgres::audited::audited;
use axis_postgres::error::{TxError, map_diesel, unexpected};
use axis_postgres::job_queueing::{queue_job, state_names};
use axis_postgres::schema::jobs;

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
    attempted_at: Option<OffsetDateTime>,
    progress_done: Option<i64>,
    progress_total: Option<i64>,
    progress_message: Option<String>,
}

impl TryFrom<JobRow> for Job {
    type Error = DomainError;

    fn try_from(row: JobRow) -> Result<Self, DomainError> {
        let progress = match (row.progress_done, row.progress_total) {
            (Some(done), Some(total)) => {
                Some(JobProgress { done, total, message: row.progress_message.unwrap_or_default() })
            }
            _ => None,
        };
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
            attempted_at: row.attempted_at,
            progress,
            created_at: row.created_at,
            updated_at: row.updated_at,
            finished_at: row.finished_at,
        })
    }
}

fn jobs_from(rows: Vec<JobRow>) -> Result<Vec<Job>, DomainError> {
    rows.into_iter().map(Job::try_from).collect()
}

#[derive(Clone)]
pub struct PgJobs {
    db: Database,
}

/// How a database-only job's unit of work ended, when it did not commit.
enum WorkEnd {
    Database(DomainError),
    Failed(JobFailure),
    /// The work succeeded but the job was no longer this worker's: its effects roll back.
    Lost,
}

impl From<DomainError> for WorkEnd {
    fn from(error: DomainError) -> Self {
        WorkEnd::Database(error)
    }
}

impl PgJobs {
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// Runs `sql` (an update fenced by `$1` id and `$2` attempt) and says whether it changed
    /// the held job.
    async fn update_held(&self, sql: &str, id: JobId, attempt: i32) -> Result<bool, DomainError> {
        let mut conn = self.db.conn().await?;
        let changed = diesel::sql_query(sql)
            .bind::<SqlUuid, _>(id.0)
            .bind::<Int4, _>(attempt)
            .execute(&mut *conn)
            .await
            .map_err(map_diesel)?;
        Ok(changed == 1)
    }
}

/// The fence every update after a claim carries.
const HELD: &str = "WHERE id = $1 AND attempt = $2 AND state = 'running'";

#[async_trait]
impl JobQueue for PgJobs {
    async fn enqueue(&self, job: NewJob) -> Result<Queued, DomainError> {
        let mut conn = self.db.conn().await?;
        queue_job(&mut conn, &job).await
    }
}

#[async_trait]
impl JobStore for PgJobs {
    async fn claim(
        &self,
        worker: &str,
        kinds: &[&'static str],
        limit: u32,
        lease: Duration,
    ) -> Result<Vec<Job>, DomainError> {
        let mut conn = self.db.conn().await?;
        let rows: Vec<JobRow> = diesel::sql_query(
            "WITH dead AS ( \
                 UPDATE jobs SET state = 'dead', lease_until = NULL, finished_at = now(), updated_at = now(), \
                     last_error = coalesce(last_error || E'\\n', '') || 'lease expired on the last attempt' \
                 WHERE state = 'running' AND lease_until < now() AND attempt >= max_attempts \
             ), due AS ( \
                 SELECT id FROM jobs \
                 WHERE state IN ('available', 'scheduled', 'retryable') AND run_at <= now() AND kind = ANY($4) \
                 ORDER BY run_at, id LIMIT $2 FOR UPDATE SKIP LOCKED \
             ), expired AS ( \
                 SELECT id FROM jobs \
                 WHERE state = 'running' AND lease_until < now() AND attempt < max_attempts AND kind = ANY($4) \
                 ORDER BY lease_until LIMIT $2 FOR UPDATE SKIP LOCKED \
             ) \
             UPDATE jobs SET state = 'running', attempt = attempt + 1, claimed_by = $1, updated_at = now(), \
                 attempted_at = now(), lease_until = now() + make_interval(secs => $3), \
                 progress_done = NULL, progress_total = NULL, progress_message = NULL \
             WHERE id IN (SELECT id FROM (SELECT id FROM expired UNION ALL SELECT id FROM due) AS claimable LIMIT $2) \
             RETURNING *",
        )
        .bind::<Text, _>(worker)
        .bind::<BigInt, _>(i64::from(limit))
        .bind::<Double, _>(lease.as_secs_f64())
        .bind::<Array<Text>, _>(kinds)
        .load(&mut *conn)
        .await
        .map_err(map_diesel)?;
        jobs_from(rows)
    }

    async fn heartbeat(&self, id: JobId, attempt: i32, lease: Duration) -> Result<bool, DomainError> {
        let mut conn = self.db.conn().await?;
        let changed = diesel::sql_query(format!(
            "UPDATE jobs SET lease_until = now() + make_interval(secs => $3), updated_at = now() {HELD}"
        ))
        .bind::<SqlUuid, _>(id.0)
        .bind::<Int4, _>(attempt)
        .bind::<Double, _>(lease.as_secs_f64())
        .execute(&mut *conn)
        .await
        .map_err(map_diesel)?;
        Ok(changed == 1)
    }

    async fn progress(
        &self,
        id: JobId,
        attempt: i32,
        done: i64,
        total: i64,
        message: &str,
    ) -> Result<bool, DomainError> {
        let mut conn = self.db.conn().await?;
        let message: String = message.chars().take(500).collect();
        let changed = diesel::sql_query(format!(
            "UPDATE jobs SET progress_done = $3, progress_total = $4, progress_message = $5, updated_at = now() {HELD}"
        ))
        .bind::<SqlUuid, _>(id.0)
        .bind::<Int4, _>(attempt)
        .bind::<BigInt, _>(done)
        .bind::<BigInt, _>(total)
        .bind::<Text, _>(message)
        .execute(&mut *conn)
        .await
        .map_err(map_diesel)?;
        Ok(changed == 1)
    }

    async fn complete(&self, id: JobId, attempt: i32) -> Result<bool, DomainError> {
        let sql = format!(
            "UPDATE jobs SET state = 'completed', finished_at = now(), lease_until = NULL, updated_at = now() {HELD}"
        );
        self.update_held(&sql, id, attempt).await
    }

    async fn complete_with(
        &self,
        id: JobId,
        attempt: i32,
        work: JobWork<'_>,
    ) -> Result<Result<bool, JobFailure>, DomainError> {
        let ended = self
            .db
            .in_unit_of_work(|| async {
                work.await.map_err(WorkEnd::Failed)?;
                if self.complete(id, attempt).await? { Ok(()) } else { Err(WorkEnd::Lost) }
            })
            .await;
        match ended {
            Ok(()) => Ok(Ok(true)),
            Err(WorkEnd::Lost) => Ok(Ok(false)),
            Err(WorkEnd::Failed(failure)) => Ok(Err(failure)),
            Err(WorkEnd::Database(error)) => Err(error),
        }
    }

    async fn fail(
        &self,
        id: JobId,
        attempt: i32,
        error: &str,
        retry_at: Option<OffsetDateTime>,
    ) -> Result<bool, DomainError> {
        let mut conn = self.db.conn().await?;
        // Without a time to retry at, the job is dead.
        let changed = diesel::sql_query(format!(
            "UPDATE jobs SET last_error = $3, lease_until = NULL, updated_at = now(), \
                 state = CASE WHEN $4::timestamptz IS NULL THEN 'dead' ELSE 'retryable' END, \
                 run_at = coalesce($4, run_at), \
                 finished_at = CASE WHEN $4::timestamptz IS NULL THEN now() END {HELD}"
        ))
        .bind::<SqlUuid, _>(id.0)
        .bind::<Int4, _>(attempt)
        .bind::<Text, _>(error)
        .bind::<Nullable<Timestamptz>, _>(retry_at)
        .execute(&mut *conn)
        .await
        .map_err(map_diesel)?;
        Ok(changed == 1)
    }

    async fn release(&self, id: JobId, attempt: i32) -> Result<bool, DomainError> {
        // The claim's attempt is given back; the fence still holds, since the releasing worker
        // has stopped the run before it calls this.
        let sql = format!(
            "UPDATE jobs SET state = 'available', attempt = attempt - 1, run_at = now(), lease_until = NULL, \
                 claimed_by = NULL, updated_at = now() {HELD}"
        );
        self.update_held(&sql, id, attempt).await
    }

    async fn fire_periodic(
        &self,
        period: OffsetDateTime,
        job: NewJob,
    ) -> Result<Option<Queued>, DomainError> {
        #[derive(QueryableByName)]
        struct Fired {
            #[diesel(sql_type = Text)]
            #[expect(dead_code, reason = "only whether a row came back matters")]
            kind: String,
        }
        self.db
            .in_unit_of_work(|| async {
                let mut conn = self.db.conn().await?;
                let fired: Option<Fired> = diesel::sql_query(
                    "INSERT INTO job_schedules (kind, fired_for, fired_at) VALUES ($1, $2, now()) \
                     ON CONFLICT (kind) DO UPDATE SET fired_for = EXCLUDED.fired_for, fired_at = now() \
                         WHERE job_schedules.fired_for < EXCLUDED.fired_for \
                     RETURNING kind",
                )
                .bind::<Text, _>(job.kind)
                .bind::<Timestamptz, _>(period)
                .get_result(&mut *conn)
                .await
                .optional()
                .map_err(map_diesel)?;
                match fired {
                    Some(_) => queue_job(&mut conn, &job).await.map(Some),
                    None => Ok(None),
                }
            })
            .await
    }
}

#[async_trait]
impl JobAdmin for PgJobs {
    async fn list(&self, filter: &JobFilter, page: PageRequest) -> Result<Page<Job>, DomainError> {
        let filtered = || {
            let mut query = jobs::table.into_boxed();
            if let Some(state) = filter.state {
                query = query.filter(jobs::state.eq(state.as_str()));
            }
            if let Some(kind) = &filter.kind {
                query = query.filter(jobs::kind.eq(kind.clone()));
            }
            query
        };
        let mut conn = self.db.conn().await?;
        let total: i64 = filtered().count().get_result(&mut *conn).await.map_err(map_diesel)?;
        let rows: Vec<JobRow> = filtered()
            .select(JobRow::as_select())
            .order((jobs::created_at.desc(), jobs::id.desc()))
            .limit(i64::from(page.limit()))
            .offset(i64::try_from(page.offset()).unwrap_or(i64::MAX))
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        Ok(Page::new(jobs_from(rows)?, total.unsigned_abs(), page))
    }

    async fn get(&self, id: JobId) -> Result<Option<Job>, DomainError> {
        let mut conn = self.db.conn().await?;
        let row: Option<JobRow> = jobs::table
            .find(id.0)
            .select(JobRow::as_select())
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        row.map(Job::try_from).transpose()
    }

    async fn retry(&self, id: JobId, audit: &AuditRecord) -> Result<Job, DomainError> {
        let sql = "UPDATE jobs SET state = 'available', run_at = now(), max_attempts = greatest(max_attempts, attempt + 1), \
                       finished_at = NULL, lease_until = NULL, updated_at = now() \
                   WHERE id = $1 AND state = ANY($2) RETURNING *";
        self.change_state(sql, id, &RETRYABLE_FROM, audit).await
    }

    async fn cancel(&self, id: JobId, audit: &AuditRecord) -> Result<Job, DomainError> {
        let sql = "UPDATE jobs SET state = 'cancelled', finished_at = now(), lease_until = NULL, updated_at = now() \
                   WHERE id = $1 AND state = ANY($2) RETURNING *";
        self.change_state(sql, id, &JobState::PENDING, audit).await
    }

    async fn stats(&self) -> Result<QueueStats, DomainError> {
        #[derive(QueryableByName)]
        struct StateCount {
            #[diesel(sql_type = Text)]
            state: String,
            #[diesel(sql_type = BigInt)]
            jobs: i64,
        }
        #[derive(QueryableByName)]
        struct Age {
            #[diesel(sql_type = Double)]
            seconds: f64,
        }
        let mut conn = self.db.conn().await?;
        let counts: Vec<StateCount> =
            diesel::sql_query("SELECT state, count(*) AS jobs FROM jobs GROUP BY state")
                .load(&mut *conn)
                .await
                .map_err(map_diesel)?;
        let age: Age = diesel::sql_query(
            "SELECT coalesce(extract(epoch FROM now() - min(run_at))::float8, 0) AS seconds FROM jobs \
             WHERE state IN ('available', 'scheduled', 'retryable') AND run_at <= now()",
        )
        .get_result(&mut *conn)
        .await
        .map_err(map_diesel)?;
        let by_state = JobState::ALL
            .iter()
            .map(|&state| {
                let n =
                    counts.iter().find(|c| c.state == state.as_str()).map_or(0, |c| c.jobs.unsigned_abs());
                (state, n)
            })
            .collect();
        Ok(QueueStats { by_state, oldest_due_age: Duration::from_secs_f64(age.seconds.max(0.0)) })
    }
}

impl PgJobs {
    /// An admin's state change: `sql` updates job `$1` if its state is one of `$2`, with the
    /// audit record in the same transaction. `NotFound` when it was in none of them.
    async fn change_state(
        &self,
        sql: &'static str,
        id: JobId,
        from: &[JobState],
        audit: &AuditRecord,
    ) -> Result<Job, DomainError> {
        let from = state_names(from);
        let row: JobRow = audited(&self.db, audit, async move |conn| {
            let row: Option<JobRow> = diesel::sql_query(sql)
                .bind::<SqlUuid, _>(id.0)
                .bind::<Array<Text>, _>(&from)
                .get_result(conn)
                .await
                .optional()?;
            row.ok_or(TxError::Abort)
        })
        .await?;
        Job::try_from(row)
    }
}

/// Wakes an idle worker when jobs are queued: its own connection, listening on `axis_jobs`,
/// which the insert trigger notifies when the inserting transaction commits. Waits end early on
/// a notice and otherwise at the caller's poll interval, so an idle queue costs nothing and a
/// new job is seen within milliseconds. A lost connection is opened again on the next wait;
/// until then the worker polls.
pub struct JobWakeups {
    url: String,
    conn: Option<AsyncPgConnection>,
}

impl JobWakeups {
    /// Listens at once; fails when the database cannot be reached.
    pub async fn listen(url: &str) -> Result<Self, DomainError> {
        Ok(Self { url: url.to_owned(), conn: Some(Self::connect(url).await?) })
    }

    /// Listens from the first wait on (a process may start before its database).
    pub fn lazy(url: &str) -> Self {
        Self { url: url.to_owned(), conn: None }
    }

    async fn connect(url: &str) -> Result<AsyncPgConnection, DomainError> {
        use diesel_async::AsyncConnection;
        // Not reaching the database is what the pool reports as unavailable too.
        let mut conn = AsyncPgConnection::establish(url).await.map_err(|_| DomainError::Unavailable)?;
        diesel::sql_query("LISTEN axis_jobs").execute(&mut conn).await.map_err(map_diesel)?;
        Ok(conn)
    }
}

#[async_trait]
impl Wakeups for JobWakeups {
    async fn wait(&mut self, poll: Duration) -> Result<bool, DomainError> {
        use futures_util::{FutureExt, StreamExt};
        let conn = match &mut self.conn {
            Some(conn) => conn,
            None => match Self::connect(&self.url).await {
                // Freshly listening: jobs queued while it was not are found by this claim.
                Ok(conn) => {
                    self.conn = Some(conn);
                    return Ok(true);
                }
                Err(error) => {
                    tokio::time::sleep(poll).await;
                    return Err(error);
                }
            },
        };
        let outcome = {
            let mut notices = std::pin::pin!(conn.notifications_stream());
            match tokio::time::timeout(poll, notices.next()).await {
                Ok(Some(Ok(_))) => {
                    // Notices that arrived while the worker was busy say nothing more: one
                    // claim answers them all.
                    while let Some(Some(Ok(_))) = notices.next().now_or_never() {}
                    Ok(true)
                }
                Ok(Some(Err(error))) => Err(map_diesel(error)),
                Ok(None) => Err(DomainError::Unavailable),
                Err(_) => Ok(false),
            }
        };
        if outcome.is_err() {
            self.conn = None;
        }
        outcome
    }
}
