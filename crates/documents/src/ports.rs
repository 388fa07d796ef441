use async_trait::async_trait;
use axis_contracts::ContractId;
use axis_kernel::{AuditRecord, BlobKey, ClientId, ClientScope, DomainError, Page, PageRequest};
use time::{Date, OffsetDateTime};

use crate::{Document, DocumentId, DocumentStatus, DocumentType};

axis_kernel::string_enum! {
    /// The order of a document list (`-` in the API for descending).
    pub enum DocumentOrdering {
        CreatedAt => "created_at",
        Title => "title",
        ExpiryDate => "expiry_date",
        Size => "size",
    }
}

/// Which documents a list shows. Statuses and windows are read on the organisation's today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentListQuery {
    pub client: Option<ClientId>,
    pub contract: Option<ContractId>,
    pub doc_type: Option<DocumentType>,
    /// The status today (an expiry date that passed reads `expired`).
    pub status: Option<DocumentStatus>,
    /// Not expired today, and expiring within this many days.
    pub expiring_within: Option<u32>,
    /// Only each document's latest version (the default); `false` lists every version.
    pub latest_only: bool,
    pub confidential: Option<bool>,
    /// Documents carrying this tag (any case).
    pub tag: Option<String>,
    /// Title, description or file name, case-insensitive.
    pub search: Option<String>,
    pub ordering: DocumentOrdering,
    pub descending: bool,
    pub include_deleted: bool,
}

/// Who is asking a list: the clients they see, and whether confidential documents exist for
/// them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentReader {
    pub scope: ClientScope,
    pub sees_confidential: bool,
}

/// Documents as stored. Every write takes the audit record of its change and commits with it.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait DocumentRepository: Send + Sync {
    /// Stores a first version.
    async fn insert(&self, document: &Document, audit: &AuditRecord) -> Result<Document, DomainError>;
    /// Stores `document` as the next version after `previous`, which stops being the latest,
    /// if `previous` is still the latest at version `expected`. `None`: it moved meanwhile.
    async fn insert_version(
        &self,
        previous: DocumentId,
        expected: i32,
        document: &Document,
        audit: &AuditRecord,
    ) -> Result<Option<Document>, DomainError>;
    /// Deleted ones too: the service decides who may see them.
    async fn get(&self, id: DocumentId) -> Result<Option<Document>, DomainError>;
    /// Every version of the chain, newest first.
    async fn versions(&self, chain: DocumentId) -> Result<Vec<Document>, DomainError>;
    async fn list(
        &self,
        reader: DocumentReader,
        query: &DocumentListQuery,
        today: Date,
        page: PageRequest,
    ) -> Result<Page<Document>, DomainError>;
    /// Writes `document` as it now is if the stored version is still `expected`. `None`: the
    /// version moved on.
    async fn save(
        &self,
        document: &Document,
        expected: i32,
        audit: &AuditRecord,
    ) -> Result<Option<Document>, DomainError>;
    /// Marks every version of the chain deleted at `at`, or restores them (`None`). False
    /// when there was nothing to change (deleted, or restored, meanwhile).
    async fn set_deleted(
        &self,
        chain: DocumentId,
        at: Option<OffsetDateTime>,
        audit: &AuditRecord,
    ) -> Result<bool, DomainError>;
    /// Drafts and published documents whose expiry date is before `today` (the daily job
    /// stores them expired).
    async fn expired_before(&self, today: Date, limit: u32) -> Result<Vec<Document>, DomainError>;
    /// Of `keys`, those no document (deleted ones included) names: files an upload stored but
    /// never recorded.
    async fn unrecorded(&self, keys: &[BlobKey]) -> Result<Vec<BlobKey>, DomainError>;
}
