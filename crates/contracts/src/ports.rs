use async_trait::async_trait;
use axis_kernel::{AuditRecord, ClientId, ClientScope, DomainError, Page, PageRequest};
use time::Date;

use crate::{Contract, ContractId, ContractStatus, PaymentStatus, StatusChange};

axis_kernel::string_enum! {
    /// The order of a contract list (`-` in the API for descending).
    pub enum ContractOrdering {
        StartDate => "start_date",
        EndDate => "end_date",
        CreatedAt => "created_at",
        Number => "number",
        Title => "title",
    }
}

/// Which contracts a list shows. The day windows count from the organisation's today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractListQuery {
    pub client: Option<ClientId>,
    pub status: Option<ContractStatus>,
    pub payment_status: Option<PaymentStatus>,
    /// In force and ending within this many days from today.
    pub expiring_within: Option<u32>,
    /// In their notice window (renewable, in force, the window open, not yet ended).
    pub pending_renewal: bool,
    /// Payment overdue.
    pub overdue: bool,
    /// Next billing date within this many days from today.
    pub billing_due_within: Option<u32>,
    /// Contract number or title, case-insensitive.
    pub search: Option<String>,
    pub ordering: ContractOrdering,
    pub descending: bool,
    pub include_deleted: bool,
}

/// Contracts as stored. Every write takes the audit record of its change and commits with it.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait ContractRepository: Send + Sync {
    /// The next generated number of `year`: `C-YYYY-NNNNN`.
    async fn next_number(&self, year: i32) -> Result<String, DomainError>;
    /// Stores a new contract with the first entry of its history.
    async fn insert(
        &self,
        contract: &Contract,
        created: &StatusChange,
        audit: &AuditRecord,
    ) -> Result<Contract, DomainError>;
    /// Deleted ones too: the service decides who may see them.
    async fn get(&self, id: ContractId) -> Result<Option<Contract>, DomainError>;
    /// Oldest first.
    async fn history(&self, id: ContractId) -> Result<Vec<StatusChange>, DomainError>;
    async fn list(
        &self,
        scope: ClientScope,
        query: &ContractListQuery,
        today: Date,
        page: PageRequest,
    ) -> Result<Page<Contract>, DomainError>;
    /// Writes `contract` as it now is if the stored version is still `expected`, appending
    /// `change` to its history when the status changed. `None`: the version moved on.
    async fn save(
        &self,
        contract: &Contract,
        expected: i32,
        change: Option<StatusChange>,
        audit: &AuditRecord,
    ) -> Result<Option<Contract>, DomainError>;
    /// Up to `limit` changes dated on or before `today` that have not taken effect, with their
    /// contracts: (contract, change id, change).
    async fn due_changes(
        &self,
        today: Date,
        limit: i64,
    ) -> Result<Vec<(Contract, i64, StatusChange)>, DomainError>;
    /// Writes `contract` (its status moved by change `change_id`) if its stored version is still
    /// `expected`, marks the change taken effect and writes `audit`, in one transaction. False
    /// when the contract or the change moved meanwhile.
    async fn apply_change(
        &self,
        contract: &Contract,
        expected: i32,
        change_id: i64,
        audit: &AuditRecord,
    ) -> Result<bool, DomainError>;
    /// In force with their last day before `today`: what the daily sweep moves.
    async fn ended_before(&self, today: Date, limit: u32) -> Result<Vec<Contract>, DomainError>;
    /// In their notice window on `today` and not yet noticed for their current end date.
    async fn notices_due(&self, today: Date, limit: u32) -> Result<Vec<Contract>, DomainError>;
    /// Records the renewal notice of `contract` once for its end date: the client activity
    /// `summary` and the mark, in one transaction. `false` when it was recorded already.
    async fn record_notice(
        &self,
        contract: &Contract,
        summary: &str,
        audit: &AuditRecord,
    ) -> Result<bool, DomainError>;
}
