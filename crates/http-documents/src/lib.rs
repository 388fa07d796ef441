//! Documents: upload (multipart, streamed to the blob store), the list with its filters, one
//! document, its versions and a new version, edits with `If-Match`, publish and archive,
//! delete and restore, and the download (streamed, with ranges).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use axis_contracts::ContractId;
use axis_documents::{
    Document, DocumentAction, DocumentFields, DocumentId, DocumentListQuery, DocumentOrdering,
    DocumentService, DocumentStatus, DocumentType,
};
use axis_http::download::{FileHeaders, Wanted};
use axis_http::idempotent::Created;
use axis_http::schema::IfMatch;
use axis_http::upload::{FileForm, receive};
use axis_kernel::{ClientId, DomainError, FieldErrors, FileKind, Patch};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use axis_http::dto::{Paginated, list_ordering, parse_date, with_etag};
use axis_http::extract::Authenticated;
use axis_http::json::ApiJson;
use axis_http::paged_params;
use axis_http::problem::*;
use axis_http::query::ApiQuery;
use axis_http::schema::*;

/// Registered under `/api/v1/documents` by [`configure`].
fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_documents)
        .service(upload_document)
        .service(get_document)
        .service(update_document)
        .service(delete_document)
        .service(restore_document)
        .service(publish_document)
        .service(archive_document)
        .service(list_versions)
        .service(upload_version)
        .service(download_document);
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(axis_http::collection("/api/v1/documents", routes));
}

/// A tag: 1–50 characters, no control or invisible characters, not only spaces.
#[derive(ToSchema)]
#[schema(
    min_length = 1,
    max_length = 50,
    pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF]*[^\\s\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF][^\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF]*$"
)]
#[expect(dead_code, reason = "documentation type only")]
pub struct DocumentTag(String);

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Document)]
pub struct DocumentResponse {
    pub id: Uuid,
    /// The first version's id: every version of the document shares it.
    pub chain_id: Uuid,
    pub version_number: i32,
    pub previous_version_id: Option<Uuid>,
    pub is_latest: bool,
    pub title: String,
    pub description: Option<String>,
    #[serde(rename = "type")]
    #[schema(rename = "type")]
    pub doc_type: DocumentType,
    /// The status today: a draft or published document past its expiry date is `expired`.
    pub status: DocumentStatus,
    #[schema(value_type = Option<String>, format = Date)]
    pub expiry_date: Option<String>,
    pub confidential: bool,
    pub tags: Vec<String>,
    pub client_id: Option<Uuid>,
    pub contract_id: Option<Uuid>,
    /// The uploader's file name (cleaned); the file is stored under a generated name.
    pub file_name: String,
    /// The kind its content was checked to be.
    pub file_kind: FileKind,
    /// What a download is served as.
    pub media_type: String,
    /// Bytes.
    pub size: u64,
    /// SHA-256 of the file, lowercase hex: the download's `ETag`.
    pub sha256: String,
    pub uploaded_by: Option<Uuid>,
    /// Where the file is downloaded.
    pub download_url: String,
    pub version: i32,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub deleted_at: Option<OffsetDateTime>,
}

fn location(id: DocumentId) -> String {
    format!("/api/v1/documents/{id}")
}

impl From<Document> for DocumentResponse {
    fn from(d: Document) -> Self {
        Self {
            id: d.id.0,
            chain_id: d.chain_id.0,
            version_number: d.version_number,
            previous_version_id: d.previous_version_id.map(|id| id.0),
            is_latest: d.is_latest,
            media_type: d.media_type().to_owned(),
            title: d.title,
            description: d.description,
            doc_type: d.doc_type,
            status: d.status,
            expiry_date: d.expiry_date.map(|date| date.to_string()),
            confidential: d.confidential,
            tags: d.tags,
            client_id: d.client_id.map(|id| id.0),
            contract_id: d.contract_id.map(|id| id.0),
            file_name: d.file_name,
            file_kind: d.file.kind,
            size: d.file.size,
            sha256: d.file.sha256,
            uploaded_by: d.uploaded_by.map(|id| id.0),
            download_url: format!("{}/download", location(d.id)),
            version: d.version,
            created_at: d.created_at,
            updated_at: d.updated_at,
            deleted_at: d.deleted_at,
        }
    }
}

fn document_response(status: StatusCode, document: Document) -> HttpResponse {
    let body = DocumentResponse::from(document);
    with_etag(status, body.version, &body)
}

/// The form of an upload: the metadata fields first, the file last. A field without a value
/// is left out (a form has no null).
#[derive(ToSchema)]
#[expect(dead_code, reason = "documentation type only: the form is read as a stream")]
pub struct DocumentUploadForm {
    #[schema(value_type = RequiredName255)]
    title: String,
    #[schema(value_type = Block2000, required = false)]
    description: String,
    #[schema(rename = "type")]
    doc_type: DocumentType,
    /// After today.
    #[schema(value_type = CalendarDate, required = false)]
    expiry_date: String,
    /// `true` or `false` (default): only admins and managers see confidential documents, and
    /// only they may mark one.
    #[schema(required = false)]
    confidential: bool,
    /// A document of a client (else one of the organisation's own, which managers upload).
    #[schema(required = false)]
    client_id: Uuid,
    /// A contract of `client_id`.
    #[schema(required = false)]
    contract_id: Uuid,
    /// Up to 20, one field each.
    #[schema(value_type = Vec<DocumentTag>, required = false, max_items = 20)]
    tags: Vec<String>,
    /// The file, last: PDF, Word (.doc, .docx), Excel (.xls, .xlsx), CSV, PNG or JPEG, named
    /// with its extension; its content must be what the extension says. At most 10 MiB (a
    /// setting).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// A new version's form: the file alone.
#[derive(ToSchema)]
#[expect(dead_code, reason = "documentation type only: the form is read as a stream")]
pub struct VersionUploadForm {
    /// As for an upload; the new version keeps the document's metadata.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// The fields of an upload's form, checked as the domain takes them.
fn upload_fields(form: &mut FileForm) -> Result<DocumentFields, ApiError> {
    let mut errors = FieldErrors::new();
    let title = form.text(&mut errors, "title");
    if title.is_none() {
        errors.add("title", "is required");
    }
    let description = form.text(&mut errors, "description");
    let doc_type = match form.text(&mut errors, "type") {
        None => {
            errors.add("type", "is required");
            None
        }
        Some(text) => {
            text.parse::<DocumentType>().map_err(|_| errors.add("type", "is not a document type")).ok()
        }
    };
    let expiry_date = form.text(&mut errors, "expiry_date");
    let expiry_date = parse_date(&mut errors, "expiry_date", expiry_date.as_deref());
    let confidential = match form.text(&mut errors, "confidential").as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            errors.add("confidential", "must be true or false");
            false
        }
    };
    let mut uuid_field = |name: &str| {
        let text = form.text(&mut errors, name)?;
        text.parse::<Uuid>().map_err(|_| errors.add(name, "must be a UUID")).ok()
    };
    let client_id = uuid_field("client_id").map(ClientId);
    let contract_id = uuid_field("contract_id").map(ContractId);
    let tags = form.texts("tags");
    form.refuse_unknown(&mut errors);
    errors.into_result()?;
    Ok(DocumentFields {
        title: title.unwrap_or_default(),
        description,
        doc_type: doc_type.unwrap_or(DocumentType::Other),
        expiry_date,
        confidential,
        tags,
        client_id,
        contract_id,
    })
}

/// Upload a document (analysts and up for their clients; managers for the organisation's own
/// and for confidential ones). `multipart/form-data` with the metadata fields first and the
/// file last, read as it arrives: the limit (10 MiB) is enforced while it streams, the
/// content must be the kind the file name's extension says (checked by its bytes: a `.pdf`
/// that is an image or a program is 422), and it is stored under a generated name. The
/// document starts as a `draft`, version 1. A refused or broken-off upload leaves nothing.
#[utoipa::path(
    tag = "documents",
    request_body(content = DocumentUploadForm, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Stored", body = DocumentResponse,
         headers(("Location" = String, description = "The document"), ("ETag" = String))),
        UploadErrors,
    )
)]
#[post("")]
async fn upload_document(
    documents: web::Data<DocumentService>,
    Authenticated(actor): Authenticated,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let mut form = FileForm::read(&req, payload, documents.limits().max_bytes).await?;
    let fields = upload_fields(&mut form)?;
    let upload = documents.begin_upload(&actor, fields, form.file_name()).await?;
    let document = receive(form, upload).await?;
    let (location, version) = (location(document.id), document.version);
    Ok(Created::new(location, version, &DocumentResponse::from(document))?.response())
}

/// Upload a new version of a document (its latest version): it starts as a `draft` with the
/// document's metadata, and the version before stops being the latest.
#[utoipa::path(
    tag = "documents",
    params(("id" = Uuid, Path, description = "Document id (its latest version)")),
    request_body(content = VersionUploadForm, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Stored", body = DocumentResponse,
         headers(("Location" = String, description = "The new version"), ("ETag" = String))),
        UploadErrors,
    )
)]
#[post("/{id}/versions")]
async fn upload_version(
    documents: web::Data<DocumentService>,
    Authenticated(actor): Authenticated,
    id: web::Path<DocumentId>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let form = FileForm::read(&req, payload, documents.limits().max_bytes).await?;
    let mut errors = FieldErrors::new();
    form.refuse_unknown(&mut errors);
    errors.into_result()?;
    let upload = documents.begin_version(&actor, id.into_inner(), form.file_name()).await?;
    let document = receive(form, upload).await?;
    let (location, version) = (location(document.id), document.version);
    Ok(Created::new(location, version, &DocumentResponse::from(document))?.response())
}

/// The longest window `expiring_within` takes (ten years).
const MAX_WINDOW_DAYS: u32 = 3650;

paged_params! {
    pub struct DocumentListParams {
        pub client: Option<Uuid>,
        pub contract: Option<Uuid>,
        #[param(rename = "type")]
        #[serde(rename = "type")]
        pub doc_type: Option<DocumentType>,
        /// The status today.
        pub status: Option<DocumentStatus>,
        /// Not expired, not archived, and expiring within this many days.
        #[param(minimum = 0, maximum = 3650)]
        pub expiring_within: Option<u32>,
        /// Only each document's latest version (default `true`).
        pub latest: Option<bool>,
        /// Admins and managers: confidential ones only (`true`) or none (`false`); other roles
        /// never see confidential documents.
        pub confidential: Option<bool>,
        /// Documents with this tag (any case).
        #[param(min_length = 1, max_length = 50, pattern = "^[^\\u0000]+$")]
        pub tag: Option<String>,
        /// Matches the title, the description and the file name (case-insensitive).
        #[param(min_length = 1, pattern = "^[^\\u0000]+$")]
        pub search: Option<String>,
        /// `created_at`, `title`, `expiry_date` or `size`; prefix `-` for descending (default
        /// `-created_at`).
        #[param(pattern = "^-?(created_at|title|expiry_date|size)$")]
        pub ordering: Option<String>,
        /// Admins only: include deleted documents.
        pub include_deleted: Option<bool>,
    }
}

impl DocumentListParams {
    fn query(self) -> Result<(DocumentListQuery, axis_kernel::PageRequest), ApiError> {
        let mut errors = FieldErrors::new();
        if self.tag.as_ref().is_some_and(|tag| tag.chars().count() > 50) {
            errors.add("tag", "must be at most 50 characters");
        }
        if self.expiring_within.is_some_and(|days| days > MAX_WINDOW_DAYS) {
            errors.add("expiring_within", format!("must be at most {MAX_WINDOW_DAYS}"));
        }
        let page = self.page_request().map_err(|e| errors.merge(e)).ok();
        let (ordering, descending) =
            list_ordering(&mut errors, self.ordering.as_deref(), (DocumentOrdering::CreatedAt, true));
        errors.into_result()?;
        let query = DocumentListQuery {
            client: self.client.map(ClientId),
            contract: self.contract.map(ContractId),
            doc_type: self.doc_type,
            status: self.status,
            expiring_within: self.expiring_within,
            latest_only: self.latest.unwrap_or(true),
            confidential: self.confidential,
            tag: self.tag,
            search: self.search,
            ordering,
            descending,
            include_deleted: self.include_deleted.unwrap_or(false),
        };
        Ok((query, page.unwrap_or_else(axis_kernel::PageRequest::first)))
    }
}

/// List documents: the organisation's own and those of clients in the caller's scope, newest
/// first. Confidential documents are listed only for admins and managers.
#[utoipa::path(
    tag = "documents",
    params(DocumentListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of documents", body = Paginated<DocumentResponse>),
        ListErrors,
    )
)]
#[get("")]
async fn list_documents(
    documents: web::Data<DocumentService>,
    Authenticated(actor): Authenticated,
    query: ApiQuery<DocumentListParams>,
) -> Result<HttpResponse, ApiError> {
    let (query, page) = query.into_inner().query()?;
    let page = documents.list(&actor, query, page).await?;
    Ok(HttpResponse::Ok().json(Paginated::from_page(page, DocumentResponse::from)))
}

/// A document (one version).
#[utoipa::path(
    tag = "documents",
    params(("id" = Uuid, Path, description = "Document id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The document", body = DocumentResponse, headers(("ETag" = String))),
        ReadOneErrors,
    )
)]
#[get("/{id}")]
async fn get_document(
    documents: web::Data<DocumentService>,
    Authenticated(actor): Authenticated,
    id: web::Path<DocumentId>,
) -> Result<HttpResponse, ApiError> {
    Ok(document_response(StatusCode::OK, documents.get(&actor, id.into_inner()).await?))
}

/// Every version of the document, newest first.
#[utoipa::path(
    tag = "documents",
    params(("id" = Uuid, Path, description = "Id of any version")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The versions", body = Vec<DocumentResponse>),
        ReadOneErrors,
    )
)]
#[get("/{id}/versions")]
async fn list_versions(
    documents: web::Data<DocumentService>,
    Authenticated(actor): Authenticated,
    id: web::Path<DocumentId>,
) -> Result<HttpResponse, ApiError> {
    let versions = documents.versions(&actor, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(versions.into_iter().map(DocumentResponse::from).collect::<Vec<_>>()))
}

/// A partial update of the latest version's metadata: only the fields present change; `null`
/// clears an optional field. The client stays; `confidential` is a manager's to change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentPatchRequest {
    #[schema(value_type = Option<RequiredName255>)]
    #[serde(default)]
    pub title: Patch<String>,
    #[schema(value_type = Option<Block2000>)]
    #[serde(default)]
    pub description: Patch<String>,
    #[schema(value_type = Option<DocumentType>, rename = "type")]
    #[serde(default, rename = "type")]
    pub doc_type: Patch<DocumentType>,
    /// After today (or unchanged).
    #[schema(value_type = Option<CalendarDate>)]
    #[serde(default)]
    pub expiry_date: Patch<String>,
    #[schema(value_type = Option<bool>)]
    #[serde(default)]
    pub confidential: Patch<bool>,
    /// Replaces the tags.
    #[schema(value_type = Option<Vec<DocumentTag>>)]
    #[serde(default)]
    pub tags: Patch<Vec<String>>,
    /// A contract of the document's client.
    #[schema(value_type = Option<Uuid>)]
    #[serde(default)]
    pub contract_id: Patch<Uuid>,
    /// Alternative to `If-Match`.
    pub version: Option<i32>,
}

/// Change the latest version's metadata (analysts and up for their clients' documents).
#[utoipa::path(
    tag = "documents",
    params(("id" = Uuid, Path, description = "Document id"), IfMatch),
    request_body = DocumentPatchRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The document", body = DocumentResponse, headers(("ETag" = String))),
        UpdateErrors,
    )
)]
#[patch("/{id}")]
async fn update_document(
    documents: web::Data<DocumentService>,
    Authenticated(actor): Authenticated,
    id: web::Path<DocumentId>,
    body: ApiJson<DocumentPatchRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let if_match = if_match.or_body(body.version)?;
    let expiry_date = body.expiry_date.try_map(|text| {
        let mut errors = FieldErrors::new();
        parse_date(&mut errors, "expiry_date", Some(&text)).ok_or(errors)
    })?;
    let change = move |fields: &mut DocumentFields| {
        body.title.clone().apply_to_required(&mut fields.title);
        body.description.clone().apply_to(&mut fields.description);
        body.doc_type.clone().apply_to_required(&mut fields.doc_type);
        expiry_date.clone().apply_to(&mut fields.expiry_date);
        body.confidential.clone().apply_to_required(&mut fields.confidential);
        match body.tags.clone() {
            Patch::Absent => {}
            Patch::Null => fields.tags.clear(),
            Patch::Value(tags) => fields.tags = tags,
        }
        let mut contract = fields.contract_id.map(|id| id.0);
        body.contract_id.clone().apply_to(&mut contract);
        fields.contract_id = contract.map(ContractId);
    };
    let document = documents.update(&actor, id.into_inner(), change, if_match).await?;
    Ok(document_response(StatusCode::OK, document))
}

/// Publish a draft (analysts and up). A draft past its expiry date is expired: 409.
#[utoipa::path(
    tag = "documents",
    params(("id" = Uuid, Path, description = "Document id"), IfMatch),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The document", body = DocumentResponse, headers(("ETag" = String))),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        ActOnOneErrors,
    )
)]
#[post("/{id}/publish")]
async fn publish_document(
    documents: web::Data<DocumentService>,
    Authenticated(actor): Authenticated,
    id: web::Path<DocumentId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let document =
        documents.act(&actor, id.into_inner(), DocumentAction::Publish, if_match.version()?).await?;
    Ok(document_response(StatusCode::OK, document))
}

/// Archive a draft, published or expired document (analysts and up).
#[utoipa::path(
    tag = "documents",
    params(("id" = Uuid, Path, description = "Document id"), IfMatch),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The document", body = DocumentResponse, headers(("ETag" = String))),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        ActOnOneErrors,
    )
)]
#[post("/{id}/archive")]
async fn archive_document(
    documents: web::Data<DocumentService>,
    Authenticated(actor): Authenticated,
    id: web::Path<DocumentId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let document =
        documents.act(&actor, id.into_inner(), DocumentAction::Archive, if_match.version()?).await?;
    Ok(document_response(StatusCode::OK, document))
}

/// Delete a document with every version (admin, manager); admins can restore it.
#[utoipa::path(
    tag = "documents",
    params(("id" = Uuid, Path, description = "Id of any version")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        ActOnOneErrors,
    )
)]
#[delete("/{id}")]
async fn delete_document(
    documents: web::Data<DocumentService>,
    Authenticated(actor): Authenticated,
    id: web::Path<DocumentId>,
) -> Result<HttpResponse, ApiError> {
    documents.delete(&actor, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Restore a deleted document with every version (admin).
#[utoipa::path(
    tag = "documents",
    params(("id" = Uuid, Path, description = "Id of any version")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The document", body = DocumentResponse, headers(("ETag" = String))),
        (status = 409, response = Conflict),
        ActOnOneErrors,
    )
)]
#[post("/{id}/restore")]
async fn restore_document(
    documents: web::Data<DocumentService>,
    Authenticated(actor): Authenticated,
    id: web::Path<DocumentId>,
) -> Result<HttpResponse, ApiError> {
    Ok(document_response(StatusCode::OK, documents.restore(&actor, id.into_inner()).await?))
}

/// The `Range` header, documented.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Header)]
#[expect(dead_code, reason = "documentation type only: the headers are read from the request")]
pub struct DownloadHeaders {
    /// One range, `bytes=first-last`, `bytes=first-` or `bytes=-suffix` (answered 206);
    /// several ranges are answered with the whole file.
    #[param(rename = "Range")]
    range: Option<String>,
    /// The document's `ETag`: 304 when it is still the same file.
    #[param(rename = "If-None-Match")]
    if_none_match: Option<String>,
}

/// Download the file, streamed: `Content-Disposition: attachment` with the file name,
/// `nosniff`, `Cache-Control: no-store`, the SHA-256 as `ETag`, and byte ranges. Every download
/// is on record.
#[utoipa::path(
    tag = "documents",
    params(("id" = Uuid, Path, description = "Document id"), DownloadHeaders),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The file, as the media type of its checked kind", content(
            (BinaryFile = "application/pdf"), (BinaryFile = "image/png"), (BinaryFile = "image/jpeg"),
            (BinaryFile = "application/msword"), (BinaryFile = "application/vnd.ms-excel"),
            (BinaryFile = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            (BinaryFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (BinaryFile = "text/csv")
         ),
         headers(("ETag" = String), ("Content-Disposition" = String), ("Accept-Ranges" = String))),
        (status = 206, description = "The range asked for", content(
            (BinaryFile = "application/pdf"), (BinaryFile = "image/png"), (BinaryFile = "image/jpeg"),
            (BinaryFile = "application/msword"), (BinaryFile = "application/vnd.ms-excel"),
            (BinaryFile = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            (BinaryFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (BinaryFile = "text/csv")
         ),
         headers(("Content-Range" = String), ("ETag" = String))),
        (status = 304, description = "Not modified"),
        (status = 416, response = RangeNotSatisfiable),
        ReadOneErrors,
    )
)]
#[get("/{id}/download")]
async fn download_document(
    documents: web::Data<DocumentService>,
    Authenticated(actor): Authenticated,
    id: web::Path<DocumentId>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let download = documents.download(&actor, id.into_inner()).await?;
    let document = &download.document;
    let headers = FileHeaders {
        file_name: &document.file_name,
        media_type: document.media_type(),
        size: document.file.size,
        etag: &document.file.sha256,
    };
    let range = match headers.wanted(&req)? {
        Wanted::NotModified => return Ok(headers.not_modified()),
        Wanted::Whole => None,
        Wanted::Part(range) => Some(range),
    };
    let read = documents.read_file(&download, range).await.map_err(|error| match error {
        // The row names a file the store does not have: a fault, not a missing document.
        DomainError::NotFound => ApiError::internal(&"a document's file is missing from the store"),
        other => other.into(),
    })?;
    Ok(headers.respond(read))
}
