//! Liveness for load balancers (public, status only) and a detailed view for admins.

use actix_web::{HttpResponse, get, web};
use axis_postgres::migration_status;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::http::AppState;
use axis_http::extract::Authenticated;
use axis_http::problem::{ApiError, DomainProblems, Forbidden, SignedInErrors};
use axis_kernel::Role;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health).service(monitoring);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    Healthy,
    Degraded,
    Unhealthy,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthResponse {
    pub status: HealthStatus,
}

/// Is this instance able to serve? 503 when the database is unreachable; 200 `degraded` when
/// audit records wait longer than `AXIS_AUDIT_SEAL_LAG_ALERT_SECS` to be sealed.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "Healthy or degraded", body = HealthResponse),
        (status = 503, description = "Unhealthy", body = HealthResponse),
    )
)]
#[get("/api/health")]
async fn health(state: web::Data<AppState>) -> HttpResponse {
    // The lag query is one round trip and also proves the database answers.
    match state.audit.sealing_lag().await {
        Ok(lag) => {
            let status =
                if lag > state.seal_lag_alert { HealthStatus::Degraded } else { HealthStatus::Healthy };
            HttpResponse::Ok().json(HealthResponse { status })
        }
        Err(_) => HttpResponse::ServiceUnavailable()
            .insert_header(("Retry-After", "1"))
            .json(HealthResponse { status: HealthStatus::Unhealthy }),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DatabaseHealth {
    pub status: HealthStatus,
    pub latency_ms: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PoolHealth {
    pub max_size: usize,
    pub size: usize,
    pub available: usize,
    /// Requests waiting for a connection right now.
    pub waiting: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MigrationHealth {
    pub applied: usize,
    /// Embedded migrations the database has not applied (should be empty).
    pub pending: Vec<String>,
    pub latest: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoleCount {
    pub role: Role,
    pub users: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserCounts {
    pub total: u64,
    pub active: u64,
    pub by_role: Vec<RoleCount>,
    pub live_sessions: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditHealth {
    /// How long the oldest committed audit record has waited to be sealed (0 when none waits).
    pub sealing_lag_seconds: f64,
    /// The lag above which health reports `degraded`.
    pub sealing_lag_alert_seconds: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobStateCount {
    pub state: axis_jobs::JobState,
    pub jobs: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobQueueHealth {
    /// Jobs in each state (finished ones until they are purged).
    pub by_state: Vec<JobStateCount>,
    /// How long the oldest due job has waited to start (0 when none waits): how far behind
    /// the workers are.
    pub oldest_due_age_seconds: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MonitoringResponse {
    pub status: HealthStatus,
    pub version: &'static str,
    pub uptime_seconds: u64,
    pub database: DatabaseHealth,
    pub pool: PoolHealth,
    pub migrations: MigrationHealth,
    pub audit: AuditHealth,
    pub users: UserCounts,
    pub jobs: JobQueueHealth,
}

/// Detailed health (admin): database latency, pool usage, migrations, uptime, user counts, and
/// the job queue's depth per state and the age of its oldest due job.
#[utoipa::path(
    tag = "health",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Detailed health", body = MonitoringResponse),
        (status = 403, response = Forbidden),
        SignedInErrors,
    )
)]
#[get("/api/v1/health/monitoring")]
async fn monitoring(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<HttpResponse, ApiError> {
    let stats =
        state.identity.user_stats(&actor).await.map_err(axis_http_identity::IdentityProblems::problem)?;
    let ping = state.db.ping().await?;
    let migrations = migration_status(&state.db).await?;
    let lag = state.audit.sealing_lag().await?;
    let queue = state.jobs.stats(&actor).await?;
    let status = if !migrations.pending.is_empty() || ping.pool.waiting > 0 || lag > state.seal_lag_alert {
        HealthStatus::Degraded
    } else {
        HealthStatus::Healthy
    };
    let body = MonitoringResponse {
        status,
        version: env!("CARGO_PKG_VERSION"),
        uptime_seconds: state.db.uptime().as_secs(),
        database: DatabaseHealth {
            status: HealthStatus::Healthy,
            latency_ms: ping.latency.as_secs_f64() * 1_000.0,
        },
        pool: PoolHealth {
            max_size: ping.pool.max_size,
            size: ping.pool.size,
            available: ping.pool.available,
            waiting: ping.pool.waiting,
        },
        migrations: MigrationHealth {
            applied: migrations.applied.len(),
            latest: migrations.applied.iter().max().cloned(),
            pending: migrations.pending,
        },
        audit: AuditHealth {
            sealing_lag_seconds: lag.as_secs_f64(),
            sealing_lag_alert_seconds: state.seal_lag_alert.as_secs(),
        },
        users: UserCounts {
            total: stats.total,
            active: stats.active,
            by_role: stats.by_role.into_iter().map(|(role, users)| RoleCount { role, users }).collect(),
            live_sessions: stats.live_sessions,
        },
        jobs: JobQueueHealth {
            by_state: queue.by_state.into_iter().map(|(state, jobs)| JobStateCount { state, jobs }).collect(),
            oldest_due_age_seconds: queue.oldest_due_age.as_secs_f64(),
        },
    };
    Ok(HttpResponse::Ok().json(body))
}
