//! An import as axis keeps it — one upload, one snapshot of one client — and the findings that
//! live across a client's snapshots.

use axis_kernel::{BlobKey, ClientId, FileKind, UserId};
use bigdecimal::BigDecimal;
use time::{Date, OffsetDateTime};

use crate::model::{Category, ExportFormat, Impact, Recommendation, RowProblem};
use crate::score::AdvisorScore;

axis_kernel::typed_id!(
    /// One upload of an Advisor export: a snapshot of one client.
    AdvisorImportId
);

axis_kernel::typed_id!(
    /// One finding of a client, the same across its snapshots.
    FindingId
);

axis_kernel::string_enum! {
    /// Where an import stands.
    pub enum AdvisorImportStatus {
        /// The file is stored; its job will read it.
        Uploaded => "uploaded",
        /// Its job is reading it.
        Processing => "processing",
        /// Read and analysed: its recommendations, problems and analysis are stored.
        Completed => "completed",
        /// The file could not be read as an export (`error` says why); nothing is stored.
        Failed => "failed",
        /// Stopped by a user before it completed; nothing is stored.
        Cancelled => "cancelled",
    }
}

impl AdvisorImportStatus {
    /// Whether a user may cancel it now.
    pub fn can_cancel(self) -> bool {
        matches!(self, AdvisorImportStatus::Uploaded | AdvisorImportStatus::Processing)
    }

    /// Whether it may be read again from its file.
    pub fn can_reprocess(self) -> bool {
        matches!(
            self,
            AdvisorImportStatus::Completed | AdvisorImportStatus::Failed | AdvisorImportStatus::Cancelled
        )
    }
}

/// An import's row counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = AdvisorImportCounts))]
pub struct ImportCounts {
    /// Data rows (items, for JSON) read.
    pub rows: u64,
    pub accepted: u64,
    pub duplicate: u64,
    pub rejected: u64,
    /// Recommendations a manager added.
    pub manual: u64,
}

/// An import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdvisorImport {
    pub id: AdvisorImportId,
    pub client_id: ClientId,
    pub status: AdvisorImportStatus,
    /// Known once read.
    pub format: Option<ExportFormat>,
    pub file: ImportFile,
    /// The upload's category, for a download made inside one category.
    pub category: Option<Category>,
    /// Microsoft's score as the import carries it (the API's list or manual entry).
    pub advisor_score: Option<AdvisorScore>,
    pub counts: ImportCounts,
    /// 0–100 while processing.
    pub progress: i16,
    pub error: Option<String>,
    /// Times its job started reading it.
    pub attempts: i32,
    pub created_by: Option<UserId>,
    pub created_at: OffsetDateTime,
    pub started_at: Option<OffsetDateTime>,
    pub finished_at: Option<OffsetDateTime>,
    pub version: i32,
}

/// The uploaded file, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportFile {
    pub key: BlobKey,
    pub name: String,
    pub kind: FileKind,
    pub size: u64,
    pub sha256: String,
}

/// What a completed read stores, in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportResult {
    pub format: ExportFormat,
    pub counts: ImportCounts,
    pub recommendations: Vec<Recommendation>,
    pub problems: Vec<RowProblem>,
    pub analysis: crate::Analysis,
    pub advisor_score: Option<AdvisorScore>,
}

/// A stored recommendation: what was read, and the finding it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecommendation {
    pub finding_id: FindingId,
    pub finding_status: FindingStatus,
    pub recommendation: Recommendation,
}

axis_kernel::string_enum! {
    /// Where a finding stands. `resolved` is set by axis only: the finding is gone from the
    /// client's newest export (and reopens as `open` if a later export has it again).
    pub enum FindingStatus {
        Open => "open",
        InProgress => "in_progress",
        Done => "done",
        /// Not to be acted on; `dismissed_reason` says why.
        Dismissed => "dismissed",
        Resolved => "resolved",
    }
}

/// A finding of a client, carried across snapshots by its natural key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub id: FindingId,
    pub client_id: ClientId,
    pub category: Category,
    pub impact: Impact,
    pub recommendation: String,
    pub resource_name: Option<String>,
    pub resource_type: Option<String>,
    pub subscription_id: Option<String>,
    /// As the newest snapshot that has it gives them.
    pub annual_savings: Option<BigDecimal>,
    pub currency: Option<String>,
    pub status: FindingStatus,
    pub owner_id: Option<UserId>,
    /// The owner's e-mail, as read (not saved with the finding).
    pub owner_email: Option<String>,
    pub due_date: Option<Date>,
    pub notes: Option<String>,
    pub dismissed_reason: Option<String>,
    /// The newest import of the client that has it.
    pub last_import_id: AdvisorImportId,
    pub resolved_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub version: i32,
}

impl Finding {
    /// Past its due date on `today` and still to be acted on.
    pub fn is_overdue(&self, today: Date) -> bool {
        self.due_date.is_some_and(|due| due < today)
            && matches!(self.status, FindingStatus::Open | FindingStatus::InProgress)
    }
}
