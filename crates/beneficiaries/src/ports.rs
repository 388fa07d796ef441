use async_trait::async_trait;
use axis_kernel::{AuditRecord, ClientId, ClientScope, DomainError, Page, PageRequest, PersonSearch};
use axis_staff::StaffId;
use time::Date;

use crate::{Beneficiary, BeneficiaryId, BeneficiaryStatus, BeneficiaryStatusChange, Relation};

axis_kernel::string_enum! {
    /// How a beneficiary list is ordered (`-` in the API for descending).
    pub enum BeneficiaryOrdering { FullName => "full_name", CreatedAt => "created_at" }
}

/// Which beneficiaries a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BeneficiaryListQuery {
    pub client: Option<ClientId>,
    pub staff: Option<StaffId>,
    pub status: Option<BeneficiaryStatus>,
    pub relation: Option<Relation>,
    /// Only those eligible on this date (the eligibility chain, in SQL).
    pub eligible_on: Option<Date>,
    /// Matches name, preferred name and employee number, and e-mail and phone for roles that
    /// read them (trigram search).
    pub search: Option<PersonSearch>,
    pub ordering: BeneficiaryOrdering,
    pub descending: bool,
    pub include_deleted: bool,
}

impl Default for BeneficiaryListQuery {
    fn default() -> Self {
        Self {
            client: None,
            staff: None,
            status: None,
            relation: None,
            eligible_on: None,
            search: None,
            ordering: BeneficiaryOrdering::FullName,
            descending: false,
            include_deleted: false,
        }
    }
}

#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait BeneficiaryRepository: Send + Sync {
    /// The beneficiary, their first status change and the audit record, in one transaction.
    async fn insert(
        &self,
        beneficiary: &Beneficiary,
        created: &BeneficiaryStatusChange,
        audit: &AuditRecord,
    ) -> Result<Beneficiary, DomainError>;
    /// Deleted ones too: the service decides who may see them.
    async fn get(&self, id: BeneficiaryId) -> Result<Option<Beneficiary>, DomainError>;
    /// Oldest first.
    async fn history(&self, id: BeneficiaryId) -> Result<Vec<BeneficiaryStatusChange>, DomainError>;
    async fn list(
        &self,
        scope: ClientScope,
        query: &BeneficiaryListQuery,
        page: PageRequest,
    ) -> Result<Page<Beneficiary>, DomainError>;
    /// The live beneficiaries of one staff member, by name.
    async fn of_staff(&self, staff: StaffId) -> Result<Vec<Beneficiary>, DomainError>;
    /// Writes `beneficiary` if its stored version is still `expected` (else `None`), with the
    /// status change, if any, and the audit record, in one transaction.
    async fn save(
        &self,
        beneficiary: &Beneficiary,
        expected: i32,
        change: Option<BeneficiaryStatusChange>,
        audit: &AuditRecord,
    ) -> Result<Option<Beneficiary>, DomainError>;
    /// Up to `limit` changes dated on or before `today` that have not taken effect, with their
    /// beneficiaries: (beneficiary, change id, change).
    async fn due_changes(
        &self,
        today: Date,
        limit: i64,
    ) -> Result<Vec<(Beneficiary, i64, BeneficiaryStatusChange)>, DomainError>;
    /// Writes `beneficiary` (its status moved by change `change_id`) if its stored version is
    /// still `expected`, marks the change taken effect and writes `audit`, in one transaction.
    /// False when the beneficiary or the change moved meanwhile.
    async fn apply_change(
        &self,
        beneficiary: &Beneficiary,
        expected: i32,
        change_id: i64,
        audit: &AuditRecord,
    ) -> Result<bool, DomainError>;
}
