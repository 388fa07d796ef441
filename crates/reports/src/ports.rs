//! What the report use cases need stored.

use async_trait::async_trait;
use axis_kernel::{AuditRecord, BlobKey, ClientId, ClientScope, DomainError, PageRequest, UserId};
use time::{Date, OffsetDateTime};

use crate::analytics::{AdvisorAnalytics, AnalyticsQuery};
use crate::logo::ClientLogo;
use crate::model::{Report, ReportFile, ReportId, ReportType};
use crate::share::{Share, ShareAccess, ShareId};
use crate::template::{Branding, ReportTemplate, ReportTemplateId};

#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait ReportStore: Send + Sync {
    /// Records a new report with its audit record (which queues its render job).
    async fn create(&self, report: &Report, audit: &AuditRecord) -> Result<(), DomainError>;
    /// A report, with whether it is stale (its import completed again since).
    async fn get(&self, id: ReportId) -> Result<Option<Report>, DomainError>;
    /// A client's reports, newest first.
    async fn list(&self, client: ClientId, page: PageRequest) -> Result<(Vec<Report>, u64), DomainError>;
    /// `queued` (or `rendering`, a retried attempt) → `rendering`, one more attempt; `false`
    /// when the report was neither.
    async fn start(&self, id: ReportId, audit: &AuditRecord) -> Result<bool, DomainError>;
    /// `rendering` → `ready` with its files and the import's completion time it rendered.
    async fn finish(
        &self,
        id: ReportId,
        files: &[ReportFile],
        import_completed_at: Option<OffsetDateTime>,
        at: OffsetDateTime,
        audit: &AuditRecord,
    ) -> Result<bool, DomainError>;
    /// `rendering` → `failed` with why.
    async fn fail(
        &self,
        id: ReportId,
        error: &str,
        at: OffsetDateTime,
        audit: &AuditRecord,
    ) -> Result<(), DomainError>;
    /// The client's name, as reports show it.
    async fn client_name(&self, client: ClientId) -> Result<Option<String>, DomainError>;
    /// Those of `keys` (stored files) that no report names.
    async fn unrecorded(&self, keys: &[BlobKey]) -> Result<Vec<BlobKey>, DomainError>;
}

#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait ShareStore: Send + Sync {
    /// Records a link with the hash of its token.
    async fn create(
        &self,
        share: &Share,
        token_hash: [u8; 32],
        audit: &AuditRecord,
    ) -> Result<(), DomainError>;
    async fn get(&self, id: ShareId) -> Result<Option<Share>, DomainError>;
    /// A report's links, newest first.
    async fn list(&self, report: ReportId) -> Result<Vec<Share>, DomainError>;
    /// The link whose token hashes to `hash`.
    async fn find(&self, hash: [u8; 32]) -> Result<Option<Share>, DomainError>;
    /// Revokes a link still open; `false` when it was revoked already.
    async fn revoke(&self, id: ShareId, at: OffsetDateTime, audit: &AuditRecord)
    -> Result<bool, DomainError>;
    /// Counts an opening and logs it, with its audit record.
    async fn record_access(
        &self,
        id: ShareId,
        access: &ShareAccess,
        audit: &AuditRecord,
    ) -> Result<(), DomainError>;
    /// A link's openings, newest first.
    async fn accesses(&self, id: ShareId, page: PageRequest) -> Result<(Vec<ShareAccess>, u64), DomainError>;
}

/// A template being written: who writes it, and — when it becomes its type's default — the
/// default it takes over from, as read when `audits` were made (the template's record, then
/// that template's). The write is refused (`Conflict`) when the type's default is another by
/// then, so the records always name what changed.
pub struct TemplateWrite {
    pub template: ReportTemplate,
    pub by: Option<UserId>,
    pub previous_default: Option<ReportTemplateId>,
    pub audits: Vec<AuditRecord>,
}

/// Report templates (with every revision of their branding) and clients' logos.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait BrandingStore: Send + Sync {
    /// Records a new template and its first revision, in one transaction with its audit
    /// records; see [`TemplateWrite`] for the default it takes over.
    async fn create_template(&self, write: TemplateWrite) -> Result<(), DomainError>;
    async fn template(&self, id: ReportTemplateId) -> Result<Option<ReportTemplate>, DomainError>;
    /// Templates (of one type, or all), by type then name.
    async fn templates(
        &self,
        report_type: Option<ReportType>,
        page: PageRequest,
    ) -> Result<(Vec<ReportTemplate>, u64), DomainError>;
    /// The default template of a type, if one is.
    async fn default_template(&self, report_type: ReportType) -> Result<Option<ReportTemplate>, DomainError>;
    /// Replaces a template still at `expected_version` (else `VersionMismatch`), with a new
    /// revision when its revision number moved.
    async fn update_template(&self, write: TemplateWrite, expected_version: i32) -> Result<(), DomainError>;
    /// One revision's branding.
    async fn revision(&self, id: ReportTemplateId, revision: i32) -> Result<Option<Branding>, DomainError>;
    async fn client_logo(&self, client: ClientId) -> Result<Option<ClientLogo>, DomainError>;
    /// Records (or replaces) a client's logo.
    async fn set_client_logo(&self, logo: &ClientLogo, audit: &AuditRecord) -> Result<(), DomainError>;
    /// Removes a client's logo; `false` when it had none.
    async fn remove_client_logo(&self, client: ClientId, audit: &AuditRecord) -> Result<bool, DomainError>;
}

/// The Advisor dashboard's figures (see [`crate::analytics`]).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait AnalyticsStore: Send + Sync {
    /// Over the clients `scope` sees (or `query.client` alone), with `today` for what is due.
    async fn advisor_analytics(
        &self,
        scope: ClientScope,
        query: AnalyticsQuery,
        today: Date,
    ) -> Result<AdvisorAnalytics, DomainError>;
}
