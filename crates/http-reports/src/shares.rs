//! Share links: managers make and revoke them; whoever holds one opens the report with no
//! account, as the link allows, within its per-link rate.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, post, web};
use axis_http::download::FileHeaders;
use axis_http::dto::Paginated;
use axis_http::extract::{Authenticated, Context};
use axis_http::json::ApiJson;
use axis_http::paged_params;
use axis_http::problem::*;
use axis_http::query::ApiQuery;
use axis_http::schema::*;
use axis_reports::{
    ReportFormat, ReportId, ReportService, Share, ShareAccess, ShareFields, ShareId, SharePermission,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

/// Under `/api/v1/reports`.
pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_share).service(list_shares).service(share_accesses).service(revoke_share);
}

/// `/api/v1/shared`: the public side.
pub(crate) fn public(cfg: &mut ServiceConfig) {
    cfg.service(open_shared).service(open_shared_pdf);
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareRequest {
    pub permission: SharePermission,
    /// When the link stops opening: required, in the future, at most 90 days ahead.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: OffsetDateTime,
    /// Who it is for (kept as a note).
    #[schema(value_type = Option<EmailAddress>)]
    pub recipient_email: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ReportShare)]
pub struct ShareResponse {
    pub id: Uuid,
    pub report_id: Uuid,
    pub permission: SharePermission,
    pub recipient_email: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub revoked_at: Option<OffsetDateTime>,
    /// Whether it opens now (not expired, not revoked).
    pub open: bool,
    pub access_count: i64,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_accessed_at: Option<OffsetDateTime>,
    pub created_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

impl ShareResponse {
    fn of(share: Share, now: OffsetDateTime) -> Self {
        ShareResponse {
            open: share.is_open(now),
            id: share.id.0,
            report_id: share.report_id.0,
            permission: share.permission,
            recipient_email: share.recipient_email,
            expires_at: share.expires_at,
            revoked_at: share.revoked_at,
            access_count: share.access_count,
            last_accessed_at: share.last_accessed_at,
            created_by: share.created_by.map(|u| u.0),
            created_at: share.created_at,
        }
    }
}

/// A new link with its token, shown this once.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = NewReportShare)]
pub struct NewShareResponse {
    #[serde(flatten)]
    pub share: ShareResponse,
    /// The link's secret: only its hash is kept, so it cannot be shown again.
    pub token: String,
    /// The page the link opens (`…/pdf` for the PDF, when the link allows downloads).
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ReportShareAccess)]
pub struct AccessResponse {
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// `html` or `pdf`.
    pub format: String,
}

impl From<ShareAccess> for AccessResponse {
    fn from(a: ShareAccess) -> Self {
        AccessResponse { at: a.at, ip: a.ip, user_agent: a.user_agent, format: a.format }
    }
}

/// Share a ready report through a link (managers and up). The token is in this answer only
/// (so this create takes no `Idempotency-Key`: a replay would have to keep the token). 409
/// until the report is ready.
#[utoipa::path(
    tag = "reports",
    params(("id" = Uuid, Path, description = "Report id")),
    request_body = ShareRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created, with its token", body = NewShareResponse,
         headers(("Location" = String, description = "The link"))),
        (status = 404, response = NotFound),
        CreateErrors,
    )
)]
#[post("/{id}/shares")]
async fn create_share(
    reports: web::Data<ReportService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ReportId>,
    body: ApiJson<ShareRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let fields = ShareFields {
        permission: Some(body.permission),
        expires_at: Some(body.expires_at),
        recipient_email: body.recipient_email,
    };
    let report = id.into_inner();
    let (share, token) = reports.create_share(&actor, report, fields).await?;
    let location = format!("/api/v1/reports/{report}/shares/{}", share.id);
    let url = format!("/api/v1/shared/{}", token.0);
    let created = share.created_at;
    let body = NewShareResponse { share: ShareResponse::of(share, created), token: token.0, url };
    Ok(HttpResponse::build(StatusCode::CREATED).insert_header((header::LOCATION, location)).json(body))
}

/// A report's links, newest first, with how often each was opened (managers and up).
#[utoipa::path(
    tag = "reports",
    params(("id" = Uuid, Path, description = "Report id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The links", body = Vec<ShareResponse>), ReadOneErrors, (status = 403, response = Forbidden))
)]
#[get("/{id}/shares")]
async fn list_shares(
    reports: web::Data<ReportService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ReportId>,
) -> Result<HttpResponse, ApiError> {
    let now = OffsetDateTime::now_utc();
    let shares = reports.shares(&actor, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(shares.into_iter().map(|s| ShareResponse::of(s, now)).collect::<Vec<_>>()))
}

paged_params! {
    pub struct AccessListParams {}
}

/// A link's openings, newest first: when, from which address, with which browser (managers and
/// up).
#[utoipa::path(
    tag = "reports",
    params(("id" = Uuid, Path, description = "Report id"), ("share_id" = Uuid, Path, description = "Link id"), AccessListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of openings", body = Paginated<AccessResponse>),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
        ReadOneErrors,
    )
)]
#[get("/{id}/shares/{share_id}/accesses")]
async fn share_accesses(
    reports: web::Data<ReportService>,
    Authenticated(actor): Authenticated,
    path: web::Path<(ReportId, ShareId)>,
    query: ApiQuery<AccessListParams>,
) -> Result<HttpResponse, ApiError> {
    let (report, share) = path.into_inner();
    let page = query.into_inner().page_request()?;
    let accesses = reports.share_accesses(&actor, report, share, page).await?;
    Ok(HttpResponse::Ok().json(Paginated::from_page(accesses, AccessResponse::from)))
}

/// Revoke a link (managers and up): it opens nothing from now on, the same 404 as a link that
/// never existed. Revoking again changes nothing.
#[utoipa::path(
    tag = "reports",
    params(("id" = Uuid, Path, description = "Report id"), ("share_id" = Uuid, Path, description = "Link id")),
    security(("bearer" = [])),
    responses((status = 204, description = "Revoked"), ActOnOneErrors)
)]
#[delete("/{id}/shares/{share_id}")]
async fn revoke_share(
    reports: web::Data<ReportService>,
    Authenticated(actor): Authenticated,
    path: web::Path<(ReportId, ShareId)>,
) -> Result<HttpResponse, ApiError> {
    let (report, share) = path.into_inner();
    reports.revoke_share(&actor, report, share).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// How a shared page may behave in a browser: its own inline styles and images only, no
/// script, no frame, no referrer, nothing kept.
const SHARED_PAGE_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox";

/// Open a shared report (no account): its HTML page. An unknown, expired or revoked link is
/// 404; more than 30 openings of one link a minute are 429.
#[utoipa::path(
    tag = "reports",
    params(("token" = String, Path, description = "The link's token: 43 characters of base64url")),
    responses(
        (status = 200, description = "The report page", content((String = "text/html")),
         headers(("Content-Security-Policy" = String), ("Referrer-Policy" = String))),
        (status = 404, response = NotFound),
        (status = 429, response = TooManyRequests),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/{token}")]
async fn open_shared(
    reports: web::Data<ReportService>,
    Context(context): Context,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (_, file, read) = reports.open_shared(&token, ReportFormat::Html, context).await?;
    let mut response = HttpResponse::Ok();
    response
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, SHARED_PAGE_POLICY))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("X-Robots-Tag", "noindex, nofollow"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::ETAG, format!("\"{}\"", file.sha256)));
    Ok(response.no_chunking(read.size).streaming(read.body))
}

/// Download a shared report's PDF (no account), when the link allows downloads; otherwise the
/// same 404 as an unknown link.
#[utoipa::path(
    tag = "reports",
    params(("token" = String, Path, description = "The link's token: 43 characters of base64url")),
    responses(
        (status = 200, description = "The PDF", content((BinaryFile = "application/pdf")),
         headers(("Content-Disposition" = String), ("ETag" = String))),
        (status = 404, response = NotFound),
        (status = 429, response = TooManyRequests),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/{token}/pdf")]
async fn open_shared_pdf(
    reports: web::Data<ReportService>,
    Context(context): Context,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (report, file, read) = reports.open_shared(&token, ReportFormat::Pdf, context).await?;
    let file_name = format!("{}-report-{}.pdf", report.report_type, report.created_at.date());
    let headers = FileHeaders {
        file_name: &file_name,
        media_type: ReportFormat::Pdf.media_type(),
        size: file.size,
        etag: &file.sha256,
    };
    let mut response = headers.respond(read);
    response.headers_mut().insert(header::REFERRER_POLICY, header::HeaderValue::from_static("no-referrer"));
    Ok(response)
}
