//! The report routes: ask for a report of an import, follow it, download its files, list a
//! client's reports; share links (`shares`).

mod analytics;
mod branding;
mod shares;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use axis_advisor::AdvisorImportId;
use axis_http::download::{FileHeaders, Wanted};
use axis_http::dto::{Paginated, with_etag};
use axis_http::extract::Authenticated;
use axis_http::idempotent::{CreateBody, Created};
use axis_http::paged_params;
use axis_http::problem::*;
use axis_http::query::ApiQuery;
use axis_http::schema::*;
use axis_kernel::ClientId;
use axis_reports::template::ReportTemplateId;
use axis_reports::{
    Report, ReportFormat, ReportId, ReportOptions, ReportRequest, ReportService, ReportStatus, ReportType,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

/// `/api/v1/reports`, `/api/v1/shared`, `/api/v1/report-templates`, `/api/v1/advisor-analytics`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(axis_http::collection("/api/v1/reports", |cfg| {
        cfg.service(get_report).service(download_report);
        shares::routes(cfg);
    }));
    cfg.service(axis_http::collection("/api/v1/shared", shares::public));
    cfg.service(axis_http::collection("/api/v1/report-templates", branding::template_routes));
    cfg.service(axis_http::collection("/api/v1/advisor-analytics", analytics::routes));
}

/// Under `/api/v1/advisor-imports`: asking for a report of an import.
pub fn configure_under_imports(cfg: &mut ServiceConfig) {
    cfg.service(create_report);
}

/// Under `/api/v1/clients`: a client's reports.
pub fn configure_nested(cfg: &mut ServiceConfig) {
    cfg.service(list_client_reports);
    branding::client_logo_routes(cfg);
}

/// What a report covers.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ReportScope)]
pub struct OptionsBody {
    /// Subscriptions (ids or names, any case) to include; none: all. At most 50.
    #[serde(default)]
    #[schema(value_type = Vec<RequiredLine255>, max_items = 50)]
    pub subscriptions: Vec<String>,
    /// Resource groups (any case) to include; none: all. At most 50.
    #[serde(default)]
    #[schema(value_type = Vec<RequiredLine255>, max_items = 50)]
    pub resource_groups: Vec<String>,
    /// The currency whose savings the report shows; none: every currency, apart.
    #[schema(value_type = Option<CurrencyCode>)]
    pub currency: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportRequestBody {
    pub report_type: ReportType,
    #[serde(default)]
    pub options: Option<OptionsBody>,
    /// The report template to render with (of the same type); none: the type's default
    /// template, if one is, else the standard look.
    pub template_id: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ReportFileInfo)]
pub struct FileResponse {
    pub format: ReportFormat,
    pub size: u64,
    /// SHA-256 of the file, hex (also its download's `ETag`).
    pub sha256: String,
    /// `GET` it to download.
    pub href: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Report)]
pub struct ReportResponse {
    pub id: Uuid,
    pub client_id: Uuid,
    pub import_id: Uuid,
    pub report_type: ReportType,
    pub options: OptionsBody,
    pub status: ReportStatus,
    /// Its import was reprocessed (or is being) since it was rendered: ask for a new one.
    pub stale: bool,
    /// The three files, once `ready`.
    pub files: Vec<FileResponse>,
    /// The report template it renders with, and the revision of its branding.
    pub template_id: Option<Uuid>,
    pub template_revision: Option<i32>,
    pub error: Option<String>,
    pub attempts: i32,
    pub created_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<OffsetDateTime>,
    pub version: i32,
}

impl From<Report> for ReportResponse {
    fn from(r: Report) -> Self {
        let files = r
            .files
            .iter()
            .map(|f| FileResponse {
                format: f.format,
                size: f.size,
                sha256: f.sha256.clone(),
                href: format!("/api/v1/reports/{}/download/{}", r.id, f.format),
            })
            .collect();
        ReportResponse {
            id: r.id.0,
            client_id: r.client_id.0,
            import_id: r.import_id.0,
            report_type: r.report_type,
            options: OptionsBody {
                subscriptions: r.options.subscriptions,
                resource_groups: r.options.resource_groups,
                currency: r.options.currency,
            },
            status: r.status,
            stale: r.stale,
            files,
            template_id: r.template.map(|(id, _)| id.0),
            template_revision: r.template.map(|(_, revision)| revision),
            error: r.error,
            attempts: r.attempts,
            created_by: r.created_by.map(|u| u.0),
            created_at: r.created_at,
            finished_at: r.finished_at,
            version: r.version,
        }
    }
}

/// Ask for a report of a completed import (analysts and up): it starts `queued`, its job
/// renders HTML, PDF and XLSX (`rendering`, then `ready` or `failed`). 409 while the import
/// is not completed.
#[utoipa::path(
    tag = "reports",
    params(("id" = Uuid, Path, description = "Import id"), IdempotencyKey),
    request_body = ReportRequestBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Queued", body = ReportResponse,
         headers(("Location" = String, description = "The report"), ("ETag" = String),
                 ("Idempotent-Replayed" = Option<String>))),
        (status = 404, response = NotFound),
        IdempotencyKeyErrors,
        CreateErrors,
    )
)]
#[post("/{id}/reports")]
async fn create_report(
    reports: web::Data<ReportService>,
    Authenticated(actor): Authenticated,
    id: web::Path<AdvisorImportId>,
    CreateBody { body, once }: CreateBody<ReportRequestBody>,
) -> Result<HttpResponse, ApiError> {
    let options = body.options.unwrap_or_default();
    let request = ReportRequest {
        report_type: Some(body.report_type),
        options: ReportOptions {
            subscriptions: options.subscriptions,
            resource_groups: options.resource_groups,
            currency: options.currency,
        },
        template_id: body.template_id.map(ReportTemplateId),
    };
    let import = id.into_inner();
    once.run(&actor, || async {
        let report = reports.create(&actor, import, request).await?;
        Created::new(format!("/api/v1/reports/{}", report.id), report.version, &ReportResponse::from(report))
    })
    .await
}

/// A report: its status, whether it is stale, its files.
#[utoipa::path(
    tag = "reports",
    params(("id" = Uuid, Path, description = "Report id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The report", body = ReportResponse, headers(("ETag" = String))), ReadOneErrors)
)]
#[get("/{id}")]
async fn get_report(
    reports: web::Data<ReportService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ReportId>,
) -> Result<HttpResponse, ApiError> {
    let report = ReportResponse::from(reports.get(&actor, id.into_inner()).await?);
    Ok(with_etag(StatusCode::OK, report.version, &report))
}

/// A ready report's file: `html` (a self-contained page), `pdf` (A4) or `xlsx` (the action
/// plan, one row per finding). Saved, never shown inline. 409 until the report is ready.
#[utoipa::path(
    tag = "reports",
    params(
        ("id" = Uuid, Path, description = "Report id"),
        ("format" = ReportFormat, Path, description = "The file's format"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The file", content(
            (BinaryFile = "text/html"), (BinaryFile = "application/pdf"),
            (BinaryFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
         ),
         headers(("ETag" = String), ("Content-Disposition" = String))),
        (status = 304, description = "Not modified"),
        (status = 409, response = Conflict),
        ReadOneErrors,
    )
)]
#[get("/{id}/download/{format}")]
async fn download_report(
    reports: web::Data<ReportService>,
    Authenticated(actor): Authenticated,
    path: web::Path<(ReportId, ReportFormat)>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (id, format) = path.into_inner();
    let (report, file, read) = reports.download(&actor, id, format).await?;
    let file_name = format!("{}-report-{}.{}", report.report_type, report.created_at.date(), format);
    let headers = FileHeaders {
        file_name: &file_name,
        media_type: format.media_type(),
        size: file.size,
        etag: &file.sha256,
    };
    match headers.wanted(&req)? {
        Wanted::NotModified => Ok(headers.not_modified()),
        _ => Ok(headers.respond(read)),
    }
}

paged_params! {
    pub struct ReportListParams {}
}

/// A client's reports, newest first (every role, within scope).
#[utoipa::path(
    tag = "reports",
    params(("id" = Uuid, Path, description = "Client id"), ReportListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of reports", body = Paginated<ReportResponse>),
        (status = 422, response = Unprocessable),
        ReadOneErrors,
    )
)]
#[get("/{id}/reports")]
async fn list_client_reports(
    reports: web::Data<ReportService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ClientId>,
    query: ApiQuery<ReportListParams>,
) -> Result<HttpResponse, ApiError> {
    let page = query.into_inner().page_request()?;
    let list = reports.list(&actor, id.into_inner(), page).await?;
    Ok(HttpResponse::Ok().json(Paginated::from_page(list, ReportResponse::from)))
}
