//! The eligibility-file import: `POST /api/v1/clients/{id}/staff-imports` takes a CSV
//! (multipart field `file`) and reads it as it arrives; `GET /api/v1/staff-imports/{id}` and
//! `…/report` show how an import went, row by row.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use axis_kernel::{ClientId, FieldErrors, PageRequest};
use axis_member_import::{
    ImportError, ImportId, ImportMode, ImportRequest, ImportService, ImportStatus, ImportSummary,
    MemberImport, Outcome, Refusal, ReportEntry, RowKind, RowOutcome,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use axis_http::dto::{PageQuery, Paginated, parse_date};
use axis_http::extract::Authenticated;
use axis_http::paged_params;
use axis_http::problem::*;
use axis_http::query::ApiQuery;
use axis_http::upload::{FileBreak, FileForm};

/// The largest file an import takes; its own limit beside the JSON body limit.
pub const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(get_import).service(import_report);
}

/// The upload and a client's imports, registered under `/api/v1/clients` beside the client
/// routes.
pub(crate) fn configure_nested(cfg: &mut ServiceConfig) {
    cfg.service(upload_staff_import).service(list_client_imports);
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// Check the file and report what it would do, writing no member (default `false`).
    pub dry_run: Option<bool>,
    /// `merge` (default): create and update the members listed. `full`: also deactivate the
    /// client's active staff the file no longer lists.
    pub mode: Option<ImportMode>,
    /// A full import may deactivate more than 20 % of the client's active staff.
    pub force: Option<bool>,
    /// The day the file describes (default today): the end date of those a full import
    /// deactivates.
    #[param(value_type = Option<String>, format = Date)]
    pub effective_date: Option<String>,
}

/// The upload: the CSV file in the field `file`.
#[derive(ToSchema)]
#[expect(dead_code, reason = "documentation type only: the body is read as a stream")]
pub struct ImportUpload {
    /// UTF-8 (with or without a byte-order mark), comma- or semicolon-separated, a header row
    /// first; at most 20 MiB. The columns are listed in docs/API.md.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = StaffImport)]
pub struct ImportResponse {
    pub id: Uuid,
    pub client_id: Uuid,
    pub mode: ImportMode,
    pub dry_run: bool,
    pub force: bool,
    #[schema(value_type = String, format = Date)]
    pub effective_date: String,
    pub status: ImportStatus,
    /// Why a refused import was refused.
    pub refusal: Option<Refusal>,
    /// Why a failed import failed.
    pub error: Option<String>,
    pub file_name: Option<String>,
    /// The documented names of the file's columns.
    pub columns: Vec<String>,
    /// The header cells that named `columns`, as the file wrote them (same order); the report
    /// names columns this way.
    pub headers: Vec<String>,
    /// Header cells axis does not read.
    pub ignored_columns: Vec<String>,
    pub summary: ImportSummary,
    #[schema(value_type = String, format = DateTime)]
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[schema(value_type = Option<String>, format = DateTime)]
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
}

impl From<MemberImport> for ImportResponse {
    fn from(i: MemberImport) -> Self {
        Self {
            id: i.id.0,
            client_id: i.client_id.0,
            mode: i.options.mode,
            dry_run: i.options.dry_run,
            force: i.options.force,
            effective_date: i.options.effective_date.to_string(),
            status: i.status,
            refusal: i.refusal,
            error: i.error,
            file_name: i.file_name,
            columns: i.columns,
            headers: i.headers,
            ignored_columns: i.ignored_columns,
            summary: i.summary,
            created_at: i.created_at,
            finished_at: i.finished_at,
        }
    }
}

/// One entry of an import's report: a row of the file (by line), or a staff member a full
/// import deactivates. Members are named by id and employee number, never by person data.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = StaffImportReportEntry)]
pub struct ReportEntryResponse {
    /// The row's line in the file (the header is line 1); `null` for a deactivation.
    pub line: Option<u64>,
    pub kind: RowKind,
    pub outcome: RowOutcome,
    pub employee_number: Option<String>,
    /// The staff member or beneficiary the row is or updates; for a created row, the member it
    /// created (none until the import is applied: a dry run or a refused import creates no one).
    pub member_id: Option<Uuid>,
    /// The columns an update changes.
    pub changed: Vec<String>,
    /// Why the row is rejected: column -> messages.
    pub errors: std::collections::BTreeMap<String, Vec<String>>,
}

impl From<ReportEntry> for ReportEntryResponse {
    fn from(e: ReportEntry) -> Self {
        Self {
            line: e.line,
            kind: e.kind,
            outcome: e.outcome,
            employee_number: e.employee_number,
            member_id: e.member_id,
            changed: e.changed,
            errors: e.errors.fields().clone(),
        }
    }
}

/// An import checked while the upload waited, with its whole report.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = StaffImportResult)]
pub struct ImportResultResponse {
    pub import: ImportResponse,
    pub report: Vec<ReportEntryResponse>,
}

impl ImportParams {
    fn request(self, file_name: Option<String>) -> Result<ImportRequest, ApiError> {
        let mut errors = FieldErrors::new();
        let effective_date = parse_date(&mut errors, "effective_date", self.effective_date.as_deref());
        errors.into_result()?;
        Ok(ImportRequest {
            mode: self.mode.unwrap_or(ImportMode::Merge),
            dry_run: self.dry_run.unwrap_or(false),
            force: self.force.unwrap_or(false),
            effective_date,
            file_name,
        })
    }
}

fn location(id: ImportId) -> String {
    format!("/api/v1/staff-imports/{}", id.0)
}

/// The import's own errors as problem+json, each pointing at the import (`instance`), whose
/// report says why (handlers call `.map_err(ImportProblems::problem)`).
pub struct ImportProblems;

impl DomainProblems for ImportProblems {
    type Error = ImportError;

    fn problem(error: ImportError) -> ApiError {
        let instance = location;
        match error {
            ImportError::Domain(error) => error.into(),
            ImportError::UnreadableFile { import, message } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "unreadable_file", "The file cannot be read")
                    .with_detail(message.clone())
                    .with_errors(FieldErrors::single("file", message))
                    .with_instance(instance(import))
            }
            error @ ImportError::RejectedRows { import, .. } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "rejected_rows", "Rows are rejected")
                    .with_detail(format!("{error}: the import's report lists them"))
                    .with_instance(instance(import))
            }
            error @ ImportError::TooManyDeactivations { import, .. } => {
                ApiError::new(StatusCode::CONFLICT, "too_many_deactivations", "Too many deactivations")
                    .with_detail(error.to_string())
                    .with_instance(instance(import))
            }
        }
    }
}

/// Import a client's eligibility file: staff and their dependents, one row a person (admin,
/// manager). The file is read as it arrives; each row is checked on its own, then all of them
/// against the client's members (staff by employee number, then e-mail; dependents by staff
/// member, full name and date of birth). A file of up to 5,000 rows is checked while the
/// upload waits and answers with its whole report (201); a larger one runs as a job (202,
/// follow `Location`). A real run is all or nothing: a file with rejected rows changes nothing
/// (422 `rejected_rows`), and a `full` import that would deactivate more than 20 % of the
/// client's active staff is refused (409 `too_many_deactivations`) unless `force=true`; both
/// point at the import (`instance`), whose report says why.
#[utoipa::path(
    tag = "staff",
    params(("id" = Uuid, Path, description = "Client id"), ImportParams),
    request_body(content = ImportUpload, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Checked (and applied, unless a dry run), with the whole report",
         body = ImportResultResponse, headers(("Location" = String, description = "The import"))),
        (status = 202, description = "A large file: its job checks and applies it", body = ImportResponse,
         headers(("Location" = String, description = "The import"))),
        (status = 400, response = BadRequest),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 408, response = RequestTimeout),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
        SignedInErrors,
    )
)]
#[post("/{id}/staff-imports")]
async fn upload_staff_import(
    imports: web::Data<ImportService>,
    Authenticated(actor): Authenticated,
    id: web::Path<Uuid>,
    params: ApiQuery<ImportParams>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let mut form = FileForm::read(&req, payload, MAX_FILE_BYTES).await?;
    let mut errors = FieldErrors::new();
    form.refuse_unknown(&mut errors);
    errors.into_result()?;
    let request = params.into_inner().request(form.file_name().map(str::to_owned))?;
    let mut upload =
        imports.begin(&actor, ClientId(id.into_inner()), request).await.map_err(ImportProblems::problem)?;
    loop {
        match form.next_chunk().await {
            Ok(Some(chunk)) => upload.feed(&chunk).await.map_err(ImportProblems::problem)?,
            Ok(None) => break,
            // The import ends failed whichever way the upload broke off; a stalled one is
            // answered 408 (the body's deadline), one past the limit 413, any other break as
            // the import's failure.
            Err(broken) => {
                let ended = upload.abandon(broken.reason()).await;
                return Err(match broken {
                    FileBreak::Broken(_) => ImportProblems::problem(ended),
                    other => other.into(),
                });
            }
        }
    }
    match upload.finish().await.map_err(ImportProblems::problem)? {
        Outcome::Done(import) => {
            let report = imports.whole_report(&actor, import.id).await?;
            Ok(HttpResponse::build(StatusCode::CREATED)
                .insert_header((header::LOCATION, location(import.id)))
                .content_type(ContentType::json())
                .json(ImportResultResponse {
                    import: import.into(),
                    report: report.into_iter().map(Into::into).collect(),
                }))
        }
        Outcome::Queued(import) => Ok(HttpResponse::Accepted()
            .insert_header((header::LOCATION, location(import.id)))
            .json(ImportResponse::from(import))),
    }
}

/// An import: its options, status and counts (admin, manager, and analysts of the client).
#[utoipa::path(
    tag = "staff",
    params(("id" = Uuid, Path, description = "Import id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The import", body = ImportResponse),
        ActOnOneErrors,
    )
)]
#[get("/{id}")]
async fn get_import(
    imports: web::Data<ImportService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ImportId>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(ImportResponse::from(imports.get(&actor, id.into_inner()).await?)))
}

/// A client's imports, newest first (admin, manager, and analysts of the client).
#[utoipa::path(
    tag = "staff",
    params(("id" = Uuid, Path, description = "Client id"), PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the client's imports", body = Paginated<ImportResponse>),
        (status = 422, response = Unprocessable),
        ActOnOneErrors,
    )
)]
#[get("/{id}/staff-imports")]
async fn list_client_imports(
    imports: web::Data<ImportService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ClientId>,
    params: ApiQuery<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = params.into_inner().page_request()?;
    let listed = imports.list_of_client(&actor, id.into_inner(), page).await?;
    Ok(HttpResponse::Ok().json(Paginated::from_page(listed, ImportResponse::from)))
}

paged_params! {
    pub struct ReportParams {
        /// Only entries of this outcome.
        pub outcome: Option<RowOutcome>,
    }
}

/// An import's report, a page at a time in line order (deactivations last).
#[utoipa::path(
    tag = "staff",
    params(("id" = Uuid, Path, description = "Import id"), ReportParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the report", body = Paginated<ReportEntryResponse>),
        (status = 422, response = Unprocessable),
        ActOnOneErrors,
    )
)]
#[get("/{id}/report")]
async fn import_report(
    imports: web::Data<ImportService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ImportId>,
    params: ApiQuery<ReportParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let page: PageRequest = params.page_request()?;
    let report = imports.report(&actor, id.into_inner(), params.outcome, page).await?;
    Ok(HttpResponse::Ok().json(Paginated::from_page(report, ReportEntryResponse::from)))
}
