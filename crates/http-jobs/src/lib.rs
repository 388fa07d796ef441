//! The job queue (admins): what is queued, running, failed or done, and retry and cancel.

use actix_web::{HttpResponse, get, post, web};
use axis_jobs::{Job, JobFilter, JobId, JobService, JobState};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use axis_http::dto::Paginated;
use axis_http::extract::Authenticated;
use axis_http::paged_params;
use axis_http::problem::{ActOnOneErrors, ApiError, Conflict, ListErrors};
use axis_http::query::ApiQuery;

/// Registered under `/api/v1/jobs` by [`configure`].
fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_jobs).service(get_job).service(retry_job).service(cancel_job);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobProgressResponse {
    pub done: i64,
    pub total: i64,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Job)]
pub struct JobResponse {
    pub id: Uuid,
    /// e.g. `housekeeping.purge_finished_jobs`.
    pub kind: String,
    /// The handler's input.
    #[schema(value_type = Object)]
    pub args: serde_json::Value,
    pub state: JobState,
    /// Runs so far (each claim by a worker is one).
    pub attempt: i32,
    pub max_attempts: i32,
    /// While this job is pending, queuing the same kind with this key returns it instead.
    pub unique_key: Option<String>,
    /// Due at (for `scheduled` and `retryable` jobs, when it runs next).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub run_at: OffsetDateTime,
    /// While running: the worker's lease, renewed by its heartbeat.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub lease_until: Option<OffsetDateTime>,
    /// The worker that holds or last held it.
    pub claimed_by: Option<String>,
    pub last_error: Option<String>,
    /// When the current or last attempt began.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub attempted_at: Option<OffsetDateTime>,
    /// How far the current or last run got, as its handler reported.
    pub progress: Option<JobProgressResponse>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    /// When it completed, died or was cancelled.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<OffsetDateTime>,
}

impl From<Job> for JobResponse {
    fn from(job: Job) -> Self {
        Self {
            id: job.id.0,
            kind: job.kind,
            args: job.args,
            state: job.state,
            attempt: job.attempt,
            max_attempts: job.max_attempts,
            unique_key: job.unique_key,
            run_at: job.run_at,
            lease_until: job.lease_until,
            claimed_by: job.claimed_by,
            last_error: job.last_error,
            attempted_at: job.attempted_at,
            progress: job.progress.map(|p| JobProgressResponse {
                done: p.done,
                total: p.total,
                message: p.message,
            }),
            created_at: job.created_at,
            updated_at: job.updated_at,
            finished_at: job.finished_at,
        }
    }
}

paged_params! {
    pub struct JobListParams {
        pub state: Option<JobState>,
        /// e.g. `housekeeping.purge_finished_jobs`.
        #[param(min_length = 1, pattern = "^[^\\u0000]+$")]
        pub kind: Option<String>,
    }
}

/// List jobs, newest first (admin).
#[utoipa::path(
    tag = "jobs",
    params(JobListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of jobs", body = Paginated<JobResponse>),
        ListErrors,
    )
)]
#[get("")]
async fn list_jobs(
    jobs: web::Data<JobService>,
    Authenticated(actor): Authenticated,
    query: ApiQuery<JobListParams>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let page = query.page_request()?;
    let filter = JobFilter { state: query.state, kind: query.kind };
    let page = jobs.list(&actor, &filter, page).await?;
    Ok(HttpResponse::Ok().json(Paginated::from_page(page, JobResponse::from)))
}

/// One job, with its progress and last error (admin).
#[utoipa::path(
    tag = "jobs",
    params(("id" = Uuid, Path, description = "Job id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The job", body = JobResponse),
        ActOnOneErrors,
    )
)]
#[get("/{id}")]
async fn get_job(
    jobs: web::Data<JobService>,
    Authenticated(actor): Authenticated,
    id: web::Path<JobId>,
) -> Result<HttpResponse, ApiError> {
    let job = jobs.get(&actor, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(JobResponse::from(job)))
}

/// Run a dead, cancelled or waiting job now, with at least one more attempt (admin); 409
/// for a job that is available, running or completed.
#[utoipa::path(
    tag = "jobs",
    params(("id" = Uuid, Path, description = "Job id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The job, due now", body = JobResponse),
        (status = 409, response = Conflict),
        ActOnOneErrors,
    )
)]
#[post("/{id}/retry")]
async fn retry_job(
    jobs: web::Data<JobService>,
    Authenticated(actor): Authenticated,
    id: web::Path<JobId>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(JobResponse::from(jobs.retry(&actor, id.into_inner()).await?)))
}

/// Cancel a job that has not finished (admin): final; a running job's handler stops at its
/// next progress point. 409 for a finished job.
#[utoipa::path(
    tag = "jobs",
    params(("id" = Uuid, Path, description = "Job id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The cancelled job", body = JobResponse),
        (status = 409, response = Conflict),
        ActOnOneErrors,
    )
)]
#[post("/{id}/cancel")]
async fn cancel_job(
    jobs: web::Data<JobService>,
    Authenticated(actor): Authenticated,
    id: web::Path<JobId>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(JobResponse::from(jobs.cancel(&actor, id.into_inner()).await?)))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(axis_http::collection("/api/v1/jobs", routes));
}
