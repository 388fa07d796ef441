//! What Advisor imports need of storage. Every write takes the audit record of its change (and
//! the job it queues) into the same transaction.

use async_trait::async_trait;
use axis_kernel::{AuditRecord, ClientId, DomainError, PageRequest, UserId};
use time::{Date, OffsetDateTime};

use crate::analysis::Analysis;
use crate::catalogue::{Catalogue, CatalogueDraft, CatalogueEntry, CatalogueEntryId};
use crate::diff::SnapshotItem;
use crate::import::{
    AdvisorImport, AdvisorImportId, AdvisorImportStatus, Finding, FindingId, FindingStatus, ImportResult,
    StoredRecommendation,
};
use crate::model::{Category, Impact, Recommendation, RowProblem};
use crate::score::AdvisorScore;

/// How an import's recommendations are filtered and ordered (by impact, high first, then
/// annual saving, then line).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecommendationFilter {
    pub category: Option<Category>,
    pub impact: Option<Impact>,
    pub subscription: Option<String>,
    pub resource_group: Option<String>,
    pub resource_type: Option<String>,
    pub has_savings: Option<bool>,
    /// The finding's status.
    pub status: Option<FindingStatus>,
    /// In the recommendation, resource name or resource group (case-insensitive).
    pub search: Option<String>,
}

/// How a client's findings are filtered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FindingFilter {
    pub status: Option<FindingStatus>,
    pub owner: Option<UserId>,
    pub category: Option<Category>,
    /// Past their due date and still open or in progress, on this day.
    pub overdue_on: Option<Date>,
}

/// How a completion ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completion {
    Completed,
    /// The import was no longer processing (cancelled meanwhile): nothing was stored.
    NotProcessing,
}

#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait AdvisorImports: Send + Sync {
    /// Records a new import (its file already stored); `audit` queues its job.
    async fn create(&self, import: &AdvisorImport, audit: &AuditRecord) -> Result<(), DomainError>;
    async fn get(&self, id: AdvisorImportId) -> Result<Option<AdvisorImport>, DomainError>;
    /// A client's imports, newest first.
    async fn list(
        &self,
        client: ClientId,
        page: PageRequest,
    ) -> Result<(Vec<AdvisorImport>, u64), DomainError>;
    /// Moves the import from one of `from` to `to` with `audit` (which may queue a job);
    /// `false`, and nothing written, when it was in none of them. Entering `processing` counts an attempt and clears the
    /// progress; leaving for `uploaded` clears the error.
    async fn transition(
        &self,
        id: AdvisorImportId,
        from: &[AdvisorImportStatus],
        to: AdvisorImportStatus,
        at: OffsetDateTime,
        audit: &AuditRecord,
    ) -> Result<bool, DomainError>;
    /// How far the job got (0–100): operational, like a job's own progress, so not audited.
    async fn set_progress(&self, id: AdvisorImportId, percent: i16) -> Result<(), DomainError>;
    /// Stores what the file held, replacing what an earlier read stored, links each
    /// recommendation to its finding (creating the new ones) and, when this is the client's
    /// newest completed snapshot, resolves the findings it no longer has and reopens the ones it
    /// has again — all in one transaction, and only if the import is still processing.
    async fn complete(
        &self,
        import: &AdvisorImport,
        result: &ImportResult,
        at: OffsetDateTime,
        audit: &AuditRecord,
    ) -> Result<Completion, DomainError>;
    /// Records the import as failed with `error` (if it is still processing).
    async fn fail(
        &self,
        id: AdvisorImportId,
        error: &str,
        at: OffsetDateTime,
        audit: &AuditRecord,
    ) -> Result<(), DomainError>;
    /// Sets the score the import carries and, for a completed import, its analysis
    /// (recomputed with it), if its version is still `expected`; `false` when it moved.
    async fn set_score(
        &self,
        id: AdvisorImportId,
        expected: i32,
        score: Option<AdvisorScore>,
        analysis: Option<Analysis>,
        audit: &AuditRecord,
    ) -> Result<bool, DomainError>;
    /// Adds recommendations a manager wrote to a completed import, with the analysis
    /// recomputed over all of them.
    async fn add_manual(
        &self,
        import: &AdvisorImport,
        recommendations: &[Recommendation],
        analysis: &Analysis,
        audit: &AuditRecord,
    ) -> Result<(), DomainError>;
    async fn analysis(&self, id: AdvisorImportId) -> Result<Option<Analysis>, DomainError>;
    /// A page of recommendations (every one when `page` is `None`).
    async fn recommendations(
        &self,
        id: AdvisorImportId,
        filter: &RecommendationFilter,
        page: Option<PageRequest>,
    ) -> Result<(Vec<StoredRecommendation>, u64), DomainError>;
    /// Every recommendation as read (for a new analysis).
    async fn all_recommendations(&self, id: AdvisorImportId) -> Result<Vec<Recommendation>, DomainError>;
    /// A page of the rows not taken, in line order.
    async fn problems(
        &self,
        id: AdvisorImportId,
        page: PageRequest,
    ) -> Result<(Vec<RowProblem>, u64), DomainError>;
    /// The import's findings as a comparison needs them.
    async fn snapshot(&self, id: AdvisorImportId) -> Result<Vec<SnapshotItem>, DomainError>;
    /// The client's completed import before `import` (by upload time).
    async fn previous(&self, import: &AdvisorImport) -> Result<Option<AdvisorImport>, DomainError>;
    /// The client's completed imports, oldest first, with their analyses.
    async fn history(&self, client: ClientId) -> Result<Vec<(AdvisorImport, Analysis)>, DomainError>;
    /// Those of `keys` (stored files) that no import names.
    async fn unrecorded(
        &self,
        keys: &[axis_kernel::BlobKey],
    ) -> Result<Vec<axis_kernel::BlobKey>, DomainError>;
}

#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait Findings: Send + Sync {
    async fn get(&self, id: FindingId) -> Result<Option<Finding>, DomainError>;
    async fn list(
        &self,
        client: ClientId,
        filter: &FindingFilter,
        page: PageRequest,
    ) -> Result<(Vec<Finding>, u64), DomainError>;
    /// Every finding of the client (what a report's action plan lists).
    async fn all(&self, client: ClientId) -> Result<Vec<Finding>, DomainError>;
    /// Saves a finding's status, owner, due date, notes and reason if its version is still
    /// `finding.version - 1`; `Conflict` otherwise.
    async fn save(&self, finding: &Finding, audit: &AuditRecord) -> Result<(), DomainError>;
}

#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait CatalogueStore: Send + Sync {
    async fn all(&self) -> Result<Catalogue, DomainError>;
    async fn get(&self, id: CatalogueEntryId) -> Result<Option<CatalogueEntry>, DomainError>;
    async fn list(
        &self,
        search: Option<String>,
        page: PageRequest,
    ) -> Result<(Vec<CatalogueEntry>, u64), DomainError>;
    async fn create(
        &self,
        id: CatalogueEntryId,
        draft: &CatalogueDraft,
        at: OffsetDateTime,
        audit: &AuditRecord,
    ) -> Result<CatalogueEntry, DomainError>;
    /// Replaces the entry if its version is still `version`.
    async fn update(
        &self,
        id: CatalogueEntryId,
        version: i32,
        draft: &CatalogueDraft,
        at: OffsetDateTime,
        audit: &AuditRecord,
    ) -> Result<CatalogueEntry, DomainError>;
    async fn delete(&self, id: CatalogueEntryId, audit: &AuditRecord) -> Result<(), DomainError>;
}
