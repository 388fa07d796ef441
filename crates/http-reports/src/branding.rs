//! Report templates (`/api/v1/report-templates`: read by every role, kept by managers) and
//! clients' logos (`/api/v1/clients/{id}/logo`). Logos are sent as the request body itself,
//! `image/png`, `image/jpeg` or `image/svg+xml`, and served as attachments that never run.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use axis_http::download::{FileHeaders, Wanted};
use axis_http::dto::{Paginated, with_etag};
use axis_http::extract::Authenticated;
use axis_http::idempotent::Created;
use axis_http::json::{ApiJson, BodyLimit};
use axis_http::paged_params;
use axis_http::problem::*;
use axis_http::query::ApiQuery;
use axis_http::schema::*;
use axis_http::upload::read_body;
use axis_kernel::{BlobRead, ClientId};
use axis_reports::logo::{ClientLogo, LogoFormat, MAX_LOGO_BYTES, StoredLogo};
use axis_reports::template::{ReportTemplate, ReportTemplateId, TemplateFields};
use axis_reports::{ReportService, ReportType};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

/// The largest template body: a template of 256 KiB written with every character escaped
/// (`\uXXXX`, six bytes for one), and the other fields; above the server's JSON limit.
const TEMPLATE_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// `/api/v1/report-templates`.
pub(crate) fn template_routes(cfg: &mut ServiceConfig) {
    cfg.app_data(web::Data::new(BodyLimit(TEMPLATE_BODY_LIMIT)));
    cfg.service(list_templates)
        .service(create_template)
        .service(get_template)
        .service(replace_template)
        .service(set_template_logo)
        .service(get_template_logo)
        .service(remove_template_logo);
}

/// Under `/api/v1/clients`.
pub(crate) fn client_logo_routes(cfg: &mut ServiceConfig) {
    cfg.service(set_client_logo).service(get_client_logo).service(remove_client_logo);
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ReportLogo)]
pub struct LogoResponse {
    pub format: LogoFormat,
    pub size: u64,
    /// SHA-256 of the stored (rewritten) file, hex; also its download's `ETag`.
    pub sha256: String,
    /// `GET` it to download.
    pub href: String,
}

impl LogoResponse {
    fn new(logo: &StoredLogo, href: String) -> Self {
        LogoResponse { format: logo.format, size: logo.size, sha256: logo.sha256.clone(), href }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ReportTemplate)]
pub struct TemplateResponse {
    pub id: Uuid,
    pub report_type: ReportType,
    pub name: String,
    /// Reports of its type that name no template use this one.
    pub is_default: bool,
    /// The branding's revision; a report records the one it renders with.
    pub revision: i32,
    /// The consultancy's name on the reports; none: the server's setting.
    pub firm_name: Option<String>,
    /// `#rrggbb`.
    pub accent_colour: String,
    /// `#rrggbb`.
    pub heading_colour: String,
    /// The HTML template (minijinja); none: the default.
    pub html: Option<String>,
    pub logo: Option<LogoResponse>,
    pub created_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    pub version: i32,
}

impl From<ReportTemplate> for TemplateResponse {
    fn from(t: ReportTemplate) -> Self {
        let href = format!("/api/v1/report-templates/{}/logo", t.id);
        TemplateResponse {
            id: t.id.0,
            report_type: t.report_type,
            name: t.name,
            is_default: t.is_default,
            revision: t.revision,
            firm_name: t.branding.firm_name,
            accent_colour: t.branding.accent_colour,
            heading_colour: t.branding.heading_colour,
            html: t.branding.html,
            logo: t.branding.logo.as_ref().map(|logo| LogoResponse::new(logo, href)),
            created_by: t.created_by.map(|u| u.0),
            created_at: t.created_at,
            updated_at: t.updated_at,
            version: t.version,
        }
    }
}

fn template_response(status: StatusCode, template: ReportTemplate) -> HttpResponse {
    let body = TemplateResponse::from(template);
    with_etag(status, body.version, &body)
}

/// `#rrggbb`.
#[derive(ToSchema)]
#[schema(pattern = "^#[0-9a-fA-F]{6}$", example = "#1565c0")]
#[expect(dead_code, reason = "documentation type only")]
pub struct ColourText(String);

/// A minijinja template of at most 256 KiB. It sees `report` (the report's data: `title`,
/// `client`, `firm`, `totals`, `sections`, …, as the default template uses them), `charts`
/// (SVG), `brand` (`accent`, `heading`), `logo` and `firm_logo` (`data:` URLs or none). Every
/// value is escaped; it is rendered against a sample analysis before it is saved.
#[derive(ToSchema)]
#[schema(max_length = 262144, example = "<h1>{{ report.title }}</h1><p>{{ report.client }}</p>")]
#[expect(dead_code, reason = "documentation type only")]
pub struct TemplateText(String);

/// A template as a manager writes it (creating, or replacing all of it).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateRequest {
    /// Required when creating; a template's type never changes.
    pub report_type: Option<ReportType>,
    #[schema(value_type = RequiredName255)]
    pub name: String,
    /// Make it its type's default (the previous default stops being it).
    #[serde(default)]
    pub is_default: bool,
    #[schema(value_type = Option<Name255>)]
    pub firm_name: Option<String>,
    /// Default `#1565c0`.
    #[schema(value_type = Option<ColourText>)]
    pub accent_colour: Option<String>,
    /// Default `#1565c0`.
    #[schema(value_type = Option<ColourText>)]
    pub heading_colour: Option<String>,
    /// None: the default template.
    #[schema(value_type = Option<TemplateText>)]
    pub html: Option<String>,
    /// Alternative to `If-Match` (replacing).
    pub version: Option<i32>,
}

impl TemplateRequest {
    fn fields(self) -> TemplateFields {
        TemplateFields {
            name: self.name,
            is_default: self.is_default,
            firm_name: self.firm_name,
            accent_colour: self.accent_colour,
            heading_colour: self.heading_colour,
            html: self.html,
        }
    }
}

paged_params! {
    pub struct TemplateListParams {
        /// Only templates of this report type.
        pub report_type: Option<ReportType>,
    }
}

/// Report templates, by type then name (every role).
#[utoipa::path(
    tag = "reports",
    params(TemplateListParams),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of templates", body = Paginated<TemplateResponse>), ListErrors)
)]
#[get("")]
async fn list_templates(
    reports: web::Data<ReportService>,
    Authenticated(actor): Authenticated,
    query: ApiQuery<TemplateListParams>,
) -> Result<HttpResponse, ApiError> {
    let params = query.into_inner();
    let page = params.page_request()?;
    let templates = reports.templates(&actor, params.report_type, page).await?;
    Ok(HttpResponse::Ok().json(Paginated::from_page(templates, TemplateResponse::from)))
}

/// Add a template (managers): its HTML, when given, must render a sample analysis (422 with
/// the template's error and line otherwise); its name is unique within its type (409).
#[utoipa::path(
    tag = "reports",
    request_body = TemplateRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = TemplateResponse,
         headers(("Location" = String, description = "The template"), ("ETag" = String))),
        CreateErrors,
    )
)]
#[post("")]
async fn create_template(
    reports: web::Data<ReportService>,
    Authenticated(actor): Authenticated,
    body: ApiJson<TemplateRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let report_type =
        body.report_type.ok_or_else(|| axis_kernel::FieldErrors::single("report_type", "is required"))?;
    let template = reports.create_template(&actor, report_type, body.fields()).await?;
    let (location, version) = (format!("/api/v1/report-templates/{}", template.id), template.version);
    Ok(Created::new(location, version, &TemplateResponse::from(template))?.response())
}

/// A template (every role).
#[utoipa::path(
    tag = "reports",
    params(("id" = Uuid, Path, description = "Template id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The template", body = TemplateResponse, headers(("ETag" = String))), ReadOneErrors)
)]
#[get("/{id}")]
async fn get_template(
    reports: web::Data<ReportService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ReportTemplateId>,
) -> Result<HttpResponse, ApiError> {
    Ok(template_response(StatusCode::OK, reports.template(&actor, id.into_inner()).await?))
}

/// Replace a template (managers); a change of its branding is a new revision, and reports
/// asked for before keep the revision they were asked with.
#[utoipa::path(
    tag = "reports",
    params(("id" = Uuid, Path, description = "Template id"), IfMatch),
    request_body = TemplateRequest,
    security(("bearer" = [])),
    responses((status = 200, description = "The template", body = TemplateResponse, headers(("ETag" = String))), UpdateErrors)
)]
#[put("/{id}")]
async fn replace_template(
    reports: web::Data<ReportService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ReportTemplateId>,
    body: ApiJson<TemplateRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let if_match = if_match.or_body(body.version)?;
    let id = id.into_inner();
    if let Some(asked) = body.report_type {
        let current = reports.template(&actor, id).await?;
        if asked != current.report_type {
            return Err(axis_kernel::FieldErrors::single("report_type", "cannot change").into());
        }
    }
    let template = reports.replace_template(&actor, id, body.fields(), if_match).await?;
    Ok(template_response(StatusCode::OK, template))
}

/// An uploaded logo: the body, of one of the three image types, within the size limit.
async fn logo_body(req: &HttpRequest, payload: web::Payload) -> Result<web::Bytes, ApiError> {
    let media_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(|value| value.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
    if media_type.as_deref().is_none_or(|m| m.parse::<LogoFormat>().is_err()) {
        return Err(ApiError::unsupported_media_type()
            .with_detail("send the logo as the body, of type image/png, image/jpeg or image/svg+xml"));
    }
    read_body(req, payload, MAX_LOGO_BYTES).await
}

/// A stored logo as a download: an attachment, never run (the kit's file headers: no sniffing,
/// a sandbox with nothing allowed).
fn logo_file(
    req: &HttpRequest,
    logo: &StoredLogo,
    read: BlobRead,
    name: &str,
) -> Result<HttpResponse, ApiError> {
    let extension = match logo.format {
        LogoFormat::Png => "png",
        LogoFormat::Jpeg => "jpg",
        LogoFormat::Svg => "svg",
    };
    let file_name = format!("{name}.{extension}");
    let headers = FileHeaders {
        file_name: &file_name,
        media_type: logo.format.as_str(),
        size: logo.size,
        etag: &logo.sha256,
    };
    Ok(match headers.wanted(req)? {
        Wanted::NotModified => headers.not_modified(),
        _ => headers.respond(read),
    })
}

/// Give a template its logo (managers): PNG or JPEG (decoded and encoded again) or SVG
/// (rewritten without scripts, links or outside references), at most 512 KiB and 4,096 pixels
/// a side; a new revision.
#[utoipa::path(
    tag = "reports",
    params(("id" = Uuid, Path, description = "Template id"), IfMatch),
    request_body(content((BinaryFile = "image/png"), (BinaryFile = "image/jpeg"), (BinaryFile = "image/svg+xml"))),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The template", body = TemplateResponse, headers(("ETag" = String))),
        (status = 412, response = PreconditionFailed),
        UploadErrors,
    )
)]
#[put("/{id}/logo")]
async fn set_template_logo(
    reports: web::Data<ReportService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ReportTemplateId>,
    if_match: IfMatch,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let if_match = if_match.version()?;
    let bytes = logo_body(&req, payload).await?;
    let template = reports.set_template_logo(&actor, id.into_inner(), &bytes, if_match).await?;
    Ok(template_response(StatusCode::OK, template))
}

/// A template's logo, as stored (every role).
#[utoipa::path(
    tag = "reports",
    params(("id" = Uuid, Path, description = "Template id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The logo", content((BinaryFile = "image/png"), (BinaryFile = "image/jpeg"), (BinaryFile = "image/svg+xml")),
         headers(("ETag" = String), ("Content-Disposition" = String))),
        (status = 304, description = "Not modified"),
        ReadOneErrors,
    )
)]
#[get("/{id}/logo")]
async fn get_template_logo(
    reports: web::Data<ReportService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ReportTemplateId>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (logo, read) = reports.template_logo(&actor, id.into_inner()).await?;
    logo_file(&req, &logo, read, "template-logo")
}

/// Take a template's logo away (managers): a new revision.
#[utoipa::path(
    tag = "reports",
    params(("id" = Uuid, Path, description = "Template id"), IfMatch),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The template", body = TemplateResponse, headers(("ETag" = String))),
        (status = 412, response = PreconditionFailed),
        ActOnOneErrors,
    )
)]
#[delete("/{id}/logo")]
async fn remove_template_logo(
    reports: web::Data<ReportService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ReportTemplateId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let template = reports.remove_template_logo(&actor, id.into_inner(), if_match.version()?).await?;
    Ok(template_response(StatusCode::OK, template))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClientLogoResponse {
    pub client_id: Uuid,
    pub logo: LogoResponse,
    pub uploaded_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub uploaded_at: OffsetDateTime,
}

impl From<ClientLogo> for ClientLogoResponse {
    fn from(logo: ClientLogo) -> Self {
        let href = format!("/api/v1/clients/{}/logo", logo.client_id);
        ClientLogoResponse {
            client_id: logo.client_id.0,
            logo: LogoResponse::new(&logo.logo, href),
            uploaded_by: logo.uploaded_by.map(|u| u.0),
            uploaded_at: logo.uploaded_at,
        }
    }
}

/// Set a client's logo, replacing its last (managers, within scope): shown on every report of
/// the client rendered from then on. PNG or JPEG (decoded and encoded again) or SVG (rewritten
/// without scripts, links or outside references), at most 512 KiB and 4,096 pixels a side.
#[utoipa::path(
    tag = "reports",
    params(("id" = Uuid, Path, description = "Client id")),
    request_body(content((BinaryFile = "image/png"), (BinaryFile = "image/jpeg"), (BinaryFile = "image/svg+xml"))),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The logo as stored", body = ClientLogoResponse),
        UploadErrors,
    )
)]
#[put("/{id}/logo")]
async fn set_client_logo(
    reports: web::Data<ReportService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ClientId>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let bytes = logo_body(&req, payload).await?;
    let logo = reports.set_client_logo(&actor, id.into_inner(), &bytes).await?;
    Ok(HttpResponse::Ok().json(ClientLogoResponse::from(logo)))
}

/// A client's logo, as stored (every role, within scope).
#[utoipa::path(
    tag = "reports",
    params(("id" = Uuid, Path, description = "Client id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The logo", content((BinaryFile = "image/png"), (BinaryFile = "image/jpeg"), (BinaryFile = "image/svg+xml")),
         headers(("ETag" = String), ("Content-Disposition" = String))),
        (status = 304, description = "Not modified"),
        ReadOneErrors,
    )
)]
#[get("/{id}/logo")]
async fn get_client_logo(
    reports: web::Data<ReportService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ClientId>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (logo, read) = reports.client_logo(&actor, id.into_inner()).await?;
    logo_file(&req, &logo.logo, read, "client-logo")
}

/// Remove a client's logo (managers, within scope).
#[utoipa::path(
    tag = "reports",
    params(("id" = Uuid, Path, description = "Client id")),
    security(("bearer" = [])),
    responses((status = 204, description = "Removed"), ActOnOneErrors)
)]
#[delete("/{id}/logo")]
async fn remove_client_logo(
    reports: web::Data<ReportService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ClientId>,
) -> Result<HttpResponse, ApiError> {
    reports.remove_client_logo(&actor, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
