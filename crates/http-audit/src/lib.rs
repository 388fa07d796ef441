//! The audit trail (admins).

use actix_web::{HttpResponse, get, web};
use axis_audit::{AuditEntry, AuditFilter, AuditService};
use axis_kernel::{AuditOutcome, FieldErrors};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use axis_http::dto::{PageQuery, Paginated, parse_time};
use axis_http::extract::Authenticated;
use axis_http::paged_params;
use axis_http::problem::{ApiError, ListErrors};
use axis_http::query::ApiQuery;
use axis_http::schema::*;

/// The audit trail (admins): registered under `/api/v1/audit-logs` by [`configure`].
fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_audit_logs).service(entity_history);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldChangeResponse {
    pub field: String,
    /// Any JSON value (`null` when the field had none).
    #[schema(value_type = Value)]
    pub old: serde_json::Value,
    /// Any JSON value (`null` when the field has none now).
    #[schema(value_type = Value)]
    pub new: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditActorResponse {
    /// `null` for the command line and for anonymous attempts (failed logins).
    pub user_id: Option<Uuid>,
    /// The e-mail at the time, `cli` or `anonymous`.
    pub label: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AuditLog)]
pub struct AuditLogResponse {
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: OffsetDateTime,
    /// Dotted verb such as `user.update` or `auth.login`.
    pub action: String,
    pub outcome: AuditOutcome,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub actor: AuditActorResponse,
    pub request_id: Option<String>,
    pub changes: Vec<FieldChangeResponse>,
    /// Any JSON value; an object for every record axis writes.
    #[schema(value_type = Value)]
    pub details: serde_json::Value,
    /// Position in the hash chain; `null` until the record is sealed (normally within seconds).
    pub chain_seq: Option<i64>,
}

impl From<AuditEntry> for AuditLogResponse {
    fn from(entry: AuditEntry) -> Self {
        let AuditEntry { header: e, outcome, changes, details } = entry;
        Self {
            id: e.id,
            occurred_at: e.occurred_at,
            action: e.action,
            outcome,
            entity_type: e.entity_type,
            entity_id: e.entity_id,
            actor: AuditActorResponse {
                user_id: e.actor_user_id,
                label: e.actor_label,
                ip: e.ip,
                user_agent: e.user_agent,
            },
            request_id: e.request_id,
            changes: changes
                .into_iter()
                .map(|c| FieldChangeResponse { field: c.field, old: c.old, new: c.new })
                .collect(),
            details,
            chain_seq: e.chain_seq,
        }
    }
}

paged_params! {
    pub struct AuditQuery {
        /// e.g. `user`, `session`.
        #[param(min_length = 1, pattern = "^[^\\u0000]+$")]
        pub entity_type: Option<String>,
        #[param(min_length = 1, pattern = "^[^\\u0000]+$")]
        pub entity_id: Option<String>,
        /// Only records by this user.
        pub user_id: Option<Uuid>,
        /// e.g. `user.update`.
        #[param(min_length = 1, pattern = "^[^\\u0000]+$")]
        pub action: Option<String>,
        /// Records at or after this RFC 3339 time.
        #[param(value_type = Option<Timestamp>)]
        pub from: Option<String>,
        /// Records before this RFC 3339 time.
        #[param(value_type = Option<Timestamp>)]
        pub to: Option<String>,
    }
}

/// Search the audit trail, newest first.
#[utoipa::path(
    tag = "audit",
    params(AuditQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of audit records", body = Paginated<AuditLogResponse>),
        ListErrors,
    )
)]
#[get("")]
async fn list_audit_logs(
    audit: web::Data<AuditService>,
    Authenticated(actor): Authenticated,
    query: ApiQuery<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let mut errors = FieldErrors::new();
    let from = parse_time(&mut errors, "from", query.from.as_deref());
    let to = parse_time(&mut errors, "to", query.to.as_deref());
    if let (Some(from), Some(to)) = (from, to)
        && to < from
    {
        errors.add("to", "must not be before from");
    }
    let page = query.page_request();
    errors.into_result()?;
    let filter = AuditFilter {
        entity_type: query.entity_type,
        entity_id: query.entity_id,
        actor_user_id: query.user_id,
        action: query.action,
        from,
        to,
    };
    let entries = audit.list(&actor, &filter, page?).await?;
    Ok(HttpResponse::Ok().json(Paginated::from_page(entries, AuditLogResponse::from)))
}

/// The history of one entity, newest first.
#[utoipa::path(
    tag = "audit",
    params(
        ("entity_type" = String, Path, description = "e.g. `user`"),
        ("entity_id" = String, Path, description = "The entity's id"),
        PageQuery,
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of audit records", body = Paginated<AuditLogResponse>),
        ListErrors,
    )
)]
#[get("/entities/{entity_type}/{entity_id}")]
async fn entity_history(
    audit: web::Data<AuditService>,
    Authenticated(actor): Authenticated,
    path: web::Path<(String, String)>,
    query: ApiQuery<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (entity_type, entity_id) = path.into_inner();
    let page = query.page_request()?;
    let filter =
        AuditFilter { entity_type: Some(entity_type), entity_id: Some(entity_id), ..AuditFilter::default() };
    let entries = audit.list(&actor, &filter, page).await?;
    Ok(HttpResponse::Ok().json(Paginated::from_page(entries, AuditLogResponse::from)))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(axis_http::collection("/api/v1/audit-logs", routes));
}
