//! Azure Advisor imports: upload a client's export (the portal's CSV as a form, or the REST
//! API's JSON), follow its processing, read its analysis, recommendations (JSON or CSV) and
//! rejected rows, compare it with the previous snapshot, follow the client's trend, work on
//! findings, and keep the effort and investment catalogue.

mod catalogue;
mod findings;
mod imports;

use axis_advisor::analysis::{Amount, money};
use axis_advisor::{AdvisorImport, AdvisorImportStatus, ImportCounts};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

pub use imports::{AdvisorApiExport, AdvisorUploadForm};

/// Registers `/api/v1/advisor-imports`, `/api/v1/findings` and `/api/v1/advisor-catalogue`.
/// The Advisor collections; `nested` adds other crates' routes under an import
/// (`/api/v1/advisor-imports/{id}/…`, such as its reports).
pub fn configure(cfg: &mut ServiceConfig, nested: impl FnOnce(&mut ServiceConfig)) {
    cfg.service(axis_http::collection("/api/v1/advisor-imports", |cfg| {
        imports::routes(cfg);
        nested(cfg);
    }));
    cfg.service(axis_http::collection("/api/v1/findings", findings::routes));
    cfg.service(axis_http::collection("/api/v1/advisor-catalogue", catalogue::routes));
}

/// A client's imports, trend and findings, registered under `/api/v1/clients`.
pub fn configure_nested(cfg: &mut ServiceConfig) {
    imports::nested(cfg);
    findings::nested(cfg);
}

/// The longest text a list filter takes (as its parameters document).
const MAX_FILTER_CHARS: usize = 1000;

/// A filter's text of at most `max` characters (an error on `name` otherwise).
fn at_most(errors: &mut axis_kernel::FieldErrors, name: &str, value: Option<&str>, max: usize) {
    if value.is_some_and(|text| text.chars().count() > max) {
        errors.add(name, format!("must be at most {max} characters"));
    }
}

/// An amount in a currency, decimal text.
fn amount_of(value: Option<&bigdecimal::BigDecimal>, currency: Option<&str>) -> Option<Amount> {
    Some(Amount { currency: currency?.to_owned(), amount: money(value?) })
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AdvisorImport)]
pub struct ImportResponse {
    pub id: Uuid,
    pub client_id: Uuid,
    pub status: AdvisorImportStatus,
    /// What the file was, once read.
    pub format: Option<axis_advisor::ExportFormat>,
    /// The uploaded file's name (cleaned); stored under a generated name.
    pub file_name: String,
    pub file_kind: axis_kernel::FileKind,
    pub file_size: u64,
    /// SHA-256, lowercase hex.
    pub file_sha256: String,
    /// The upload's category (a download made inside one category).
    pub category: Option<axis_advisor::Category>,
    /// Microsoft's score as the import carries it (API or manual entry); never computed.
    pub advisor_score: Option<axis_advisor::AdvisorScore>,
    pub counts: ImportCounts,
    /// 0–100 while processing.
    pub progress: i16,
    /// Why it failed.
    pub error: Option<String>,
    /// Times its job started reading it.
    pub attempts: i32,
    pub created_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub started_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<OffsetDateTime>,
    pub version: i32,
}

impl From<AdvisorImport> for ImportResponse {
    fn from(i: AdvisorImport) -> Self {
        ImportResponse {
            id: i.id.0,
            client_id: i.client_id.0,
            status: i.status,
            format: i.format,
            file_name: i.file.name,
            file_kind: i.file.kind,
            file_size: i.file.size,
            file_sha256: i.file.sha256,
            category: i.category,
            advisor_score: i.advisor_score,
            counts: i.counts,
            progress: i.progress,
            error: i.error,
            attempts: i.attempts,
            created_by: i.created_by.map(|u| u.0),
            created_at: i.created_at,
            started_at: i.started_at,
            finished_at: i.finished_at,
            version: i.version,
        }
    }
}

fn import_location(id: axis_advisor::AdvisorImportId) -> String {
    format!("/api/v1/advisor-imports/{id}")
}
