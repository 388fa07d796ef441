//! Findings: a client's list with its filters, one finding, and its changes.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, patch, web};
use axis_advisor::{
    AdvisorService, Category, Finding, FindingChange, FindingFilter, FindingId, FindingStatus, Impact,
};
use axis_http::dto::{Paginated, parse_date, with_etag};
use axis_http::extract::Authenticated;
use axis_http::json::ApiJson;
use axis_http::paged_params;
use axis_http::problem::*;
use axis_http::query::ApiQuery;
use axis_http::schema::*;
use axis_kernel::{ClientId, FieldErrors, Patch, UserId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::amount_of;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(get_finding).service(update_finding);
}

pub(crate) fn nested(cfg: &mut ServiceConfig) {
    cfg.service(list_findings);
}

/// A finding of a client: the same across its snapshots, with what the team does about it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AdvisorFinding)]
pub struct FindingResponse {
    pub id: Uuid,
    pub client_id: Uuid,
    pub category: Category,
    pub impact: Impact,
    pub recommendation: String,
    pub resource_name: Option<String>,
    pub resource_type: Option<String>,
    pub subscription_id: Option<String>,
    /// As the newest snapshot that has it gives it.
    pub annual_savings: Option<axis_advisor::analysis::Amount>,
    /// `resolved` while the client's newest export lacks it (open again when an export has it).
    pub status: FindingStatus,
    pub owner_id: Option<Uuid>,
    /// The owner's e-mail.
    pub owner_email: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<String>,
    /// Past its due date today and still open or in progress.
    pub overdue: bool,
    pub notes: Option<String>,
    pub dismissed_reason: Option<String>,
    /// The newest import of the client that has it.
    pub last_import_id: Uuid,
    /// When the import that first lacked it completed (resolved findings only).
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub resolved_at: Option<OffsetDateTime>,
    /// First seen: when the oldest import that has it was uploaded.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    pub version: i32,
}

fn response(finding: Finding, today: time::Date) -> FindingResponse {
    FindingResponse {
        overdue: finding.is_overdue(today),
        id: finding.id.0,
        client_id: finding.client_id.0,
        category: finding.category,
        impact: finding.impact,
        annual_savings: amount_of(finding.annual_savings.as_ref(), finding.currency.as_deref()),
        recommendation: finding.recommendation,
        resource_name: finding.resource_name,
        resource_type: finding.resource_type,
        subscription_id: finding.subscription_id,
        status: finding.status,
        owner_id: finding.owner_id.map(|u| u.0),
        owner_email: finding.owner_email,
        due_date: finding.due_date.map(|d| d.to_string()),
        notes: finding.notes,
        dismissed_reason: finding.dismissed_reason,
        last_import_id: finding.last_import_id.0,
        resolved_at: finding.resolved_at,
        created_at: finding.created_at,
        updated_at: finding.updated_at,
        version: finding.version,
    }
}

paged_params! {
    pub struct FindingListParams {
        pub status: Option<FindingStatus>,
        /// Findings this user owns.
        pub owner: Option<Uuid>,
        pub category: Option<Category>,
        /// Only those past their due date and still open or in progress (`true`).
        pub overdue: Option<bool>,
    }
}

/// A client's findings, soonest due first (every role, within scope).
#[utoipa::path(
    tag = "advisor",
    params(("id" = Uuid, Path, description = "Client id"), FindingListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of findings", body = Paginated<FindingResponse>),
        (status = 422, response = Unprocessable),
        ReadOneErrors,
    )
)]
#[get("/{id}/findings")]
async fn list_findings(
    advisor: web::Data<AdvisorService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ClientId>,
    query: ApiQuery<FindingListParams>,
) -> Result<HttpResponse, ApiError> {
    let params = query.into_inner();
    let page = params.page_request()?;
    let filter = FindingFilter {
        status: params.status,
        owner: params.owner.map(UserId),
        category: params.category,
        overdue_on: None,
    };
    let today = advisor.today();
    let findings =
        advisor.findings(&actor, id.into_inner(), filter, params.overdue.unwrap_or(false), page).await?;
    Ok(HttpResponse::Ok().json(Paginated::from_page(findings, |f| response(f, today))))
}

/// A finding.
#[utoipa::path(
    tag = "advisor",
    params(("id" = Uuid, Path, description = "Finding id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The finding", body = FindingResponse, headers(("ETag" = String))), ReadOneErrors)
)]
#[get("/{id}")]
async fn get_finding(
    advisor: web::Data<AdvisorService>,
    Authenticated(actor): Authenticated,
    id: web::Path<FindingId>,
) -> Result<HttpResponse, ApiError> {
    let finding = advisor.finding(&actor, id.into_inner()).await?;
    let body = response(finding, advisor.today());
    Ok(with_etag(StatusCode::OK, body.version, &body))
}

/// What changes: fields present change, `null` clears.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingPatchRequest {
    /// Not `resolved`, and not for a resolved finding: exports set and end it. `dismissed`
    /// needs `dismissed_reason`. Never null.
    #[schema(value_type = FindingStatus)]
    #[serde(default)]
    pub status: Patch<FindingStatus>,
    /// A user who owns it.
    #[schema(value_type = Option<Uuid>)]
    #[serde(default)]
    pub owner_id: Patch<Uuid>,
    #[schema(value_type = Option<CalendarDate>)]
    #[serde(default)]
    pub due_date: Patch<String>,
    #[schema(value_type = Option<Block5000>)]
    #[serde(default)]
    pub notes: Patch<String>,
    #[schema(value_type = Option<Block2000>)]
    #[serde(default)]
    pub dismissed_reason: Patch<String>,
    /// Alternative to `If-Match`.
    pub version: Option<i32>,
}

/// An option that changes (`Some`) to a value or to none, or stays (`None`).
fn change_of<T>(patch: Patch<T>) -> Option<Option<T>> {
    match patch {
        Patch::Absent => None,
        Patch::Null => Some(None),
        Patch::Value(value) => Some(Some(value)),
    }
}

/// Change a finding (analysts and up): its status, owner, due date, notes; they carry over to
/// the same finding in later snapshots.
#[utoipa::path(
    tag = "advisor",
    params(("id" = Uuid, Path, description = "Finding id"), IfMatch),
    request_body = FindingPatchRequest,
    security(("bearer" = [])),
    responses((status = 200, description = "The finding", body = FindingResponse, headers(("ETag" = String))), UpdateErrors)
)]
#[patch("/{id}")]
async fn update_finding(
    advisor: web::Data<AdvisorService>,
    Authenticated(actor): Authenticated,
    id: web::Path<FindingId>,
    body: ApiJson<FindingPatchRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let if_match = if_match.or_body(body.version)?;
    let mut errors = FieldErrors::new();
    let due_date = match change_of(body.due_date) {
        Some(Some(text)) => Some(parse_date(&mut errors, "due_date", Some(&text))),
        other => other.map(|_| None),
    };
    let status = match body.status {
        Patch::Null => {
            errors.add("status", "must not be null");
            None
        }
        other => change_of(other).flatten(),
    };
    errors.into_result()?;
    let change = FindingChange {
        status,
        owner_id: change_of(body.owner_id).map(|owner| owner.map(UserId)),
        due_date,
        notes: change_of(body.notes),
        dismissed_reason: change_of(body.dismissed_reason),
    };
    let finding = advisor.update_finding(&actor, id.into_inner(), change, if_match).await?;
    let body = response(finding, advisor.today());
    Ok(with_etag(StatusCode::OK, body.version, &body))
}
