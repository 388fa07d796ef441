//! Queueing jobs inside the caller's transaction: the jobs an audit record carries commit with
//! the change that asked for them (the queue's own adapter, `jobs.rs`, claims and runs them).

use axis_jobs::{JobId, JobState, NewJob, Queued};
use axis_kernel::DomainError;
use diesel::prelude::*;
use diesel::sql_types::{Int4, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::error::{map_diesel, unexpected};
use crate::schema::jobs;

pub fn state_names(states: &[JobState]) -> Vec<&'static str> {
    states.iter().map(|state| state.as_str()).collect()
}

/// Queues `jobs` on `conn`, inside whatever transaction the caller has. A pending job with the
/// same kind and unique key wins: nothing is inserted and its id is returned.
pub async fn queue_jobs(conn: &mut AsyncPgConnection, jobs: &[NewJob]) -> Result<Vec<Queued>, DomainError> {
    let mut queued = Vec::with_capacity(jobs.len());
    for job in jobs {
        queued.push(queue_job(conn, job).await?);
    }
    Ok(queued)
}

pub async fn queue_job(conn: &mut AsyncPgConnection, job: &NewJob) -> Result<Queued, DomainError> {
    #[derive(QueryableByName)]
    struct Inserted {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
    }
    let id = JobId::new();
    let state = if job.run_at.is_some() { JobState::Scheduled } else { JobState::Available };
    // Should the pending job finish between the insert and the look-up, the insert is tried
    // again: its key is free by then.
    for _ in 0..3 {
        let inserted: Option<Inserted> = diesel::sql_query(
            "INSERT INTO jobs (id, kind, args, state, attempt, max_attempts, unique_key, run_at, \
                               created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 0, $5, $6, coalesce($7, now()), now(), now()) \
             ON CONFLICT (kind, unique_key) \
                 WHERE unique_key IS NOT NULL AND state IN ('available', 'scheduled', 'running', 'retryable') \
             DO NOTHING RETURNING id",
        )
        .bind::<SqlUuid, _>(id.0)
        .bind::<Text, _>(job.kind)
        .bind::<Jsonb, _>(&job.args)
        .bind::<Text, _>(state.as_str())
        .bind::<Int4, _>(job.max_attempts)
        .bind::<Nullable<Text>, _>(job.unique_key.as_deref())
        .bind::<Nullable<Timestamptz>, _>(job.run_at)
        .get_result(conn)
        .await
        .optional()
        .map_err(map_diesel)?;
        if let Some(row) = inserted {
            return Ok(Queued { id: JobId(row.id), existing: false });
        }
        let existing: Option<Uuid> = jobs::table
            .filter(jobs::kind.eq(job.kind))
            .filter(jobs::unique_key.eq(job.unique_key.as_deref()))
            .filter(jobs::state.eq_any(state_names(&JobState::PENDING)))
            .select(jobs::id)
            .first(conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        if let Some(existing) = existing {
            return Ok(Queued { id: JobId(existing), existing: true });
        }
    }
    Err(unexpected(format!("could not queue a {} job: its unique key kept changing hands", job.kind)))
}
