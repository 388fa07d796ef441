//! What the import needs of storage. Matching rows to members, comparing them and applying
//! them are set-based statements over all of an import's rows at once, never a row at a time.

use async_trait::async_trait;
use axis_kernel::{Actor, AuditRecord, ClientId, DomainError, FieldErrors, PageRequest};
use time::OffsetDateTime;

use crate::columns::Column;
use crate::model::{
    ImportId, ImportStatus, ImportSummary, MemberImport, Refusal, ReportEntry, RowKind, RowOutcome,
};
use crate::row::ImportRow;

/// A row as read, ready to be stored with its import.
#[derive(Debug, Clone, PartialEq)]
pub enum StagedRow {
    /// Passed the rules a row can be checked by on its own.
    Checked(Box<ImportRow>),
    /// Refused on its own: the report names its line and the columns at fault.
    Rejected { line: u64, kind: RowKind, employee_number: Option<String>, errors: FieldErrors },
}

/// What checking an import against the stored members found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Checked {
    pub summary: ImportSummary,
    /// The client's active staff (active or on leave) before the import.
    pub active_staff: u64,
}

/// How an import ended, as recorded with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Ending {
    pub status: ImportStatus,
    pub refusal: Option<Refusal>,
    pub error: Option<String>,
    pub summary: ImportSummary,
    pub at: OffsetDateTime,
}

/// Imports and their rows. Every write of an import takes the audit record of its change.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait ImportStore: Send + Sync {
    /// Records a new import, `receiving` its file.
    async fn create(&self, import: &MemberImport, audit: &AuditRecord) -> Result<(), DomainError>;
    /// Stores the file's columns (documented names), the header cells that named them (in the
    /// same order) and the header cells it ignores.
    async fn set_columns(
        &self,
        id: ImportId,
        columns: &[Column],
        headers: &[String],
        ignored: &[String],
    ) -> Result<(), DomainError>;
    /// Adds rows read from the file (in order of their lines).
    async fn stage(&self, id: ImportId, rows: &[StagedRow]) -> Result<(), DomainError>;
    /// Matches the import's rows with the client's stored members and compares them, writing
    /// each row's outcome (and, for a full import, an entry for each active staff member the
    /// file no longer lists). Writes no member.
    async fn check(&self, import: &MemberImport) -> Result<Checked, DomainError>;
    /// Makes every change of a checked import, each member's with its own audit record from
    /// `actor` at `at` (`today` is the organisation's date: new beneficiaries are active from
    /// it), and records the import as applied with `audit`: all in one transaction.
    async fn apply(
        &self,
        import: &MemberImport,
        actor: &Actor,
        at: OffsetDateTime,
        today: time::Date,
        ending: &Ending,
        audit: &AuditRecord,
    ) -> Result<(), DomainError>;
    /// Records how an import ended (previewed, refused, failed) or that it waits for its job
    /// (`queued`; the job goes with `audit`).
    async fn finish(&self, id: ImportId, ending: &Ending, audit: &AuditRecord) -> Result<(), DomainError>;
    async fn get(&self, id: ImportId) -> Result<Option<MemberImport>, DomainError>;
    /// A client's imports, newest first.
    async fn list(
        &self,
        client: ClientId,
        page: PageRequest,
    ) -> Result<(Vec<MemberImport>, u64), DomainError>;
    /// The report, in line order (deactivations last), optionally of one outcome; one page, or
    /// every entry (`None`).
    async fn report(
        &self,
        id: ImportId,
        outcome: Option<RowOutcome>,
        page: Option<PageRequest>,
    ) -> Result<(Vec<ReportEntry>, u64), DomainError>;
}
