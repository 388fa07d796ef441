use async_trait::async_trait;
use axis_kernel::{AuditRecord, ClientId, ClientScope, DomainError, Page, PageRequest, PersonSearch};
use axis_staff::StaffId;
use time::Date;

use crate::{Beneficiary, BeneficiaryStatus, BeneficiaryStatusChange, Relation};

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

/// What beneficiaries alone need of their store; the rest (read one, its history, save, the
/// changes due) is the kernel's `MemberStore<Beneficiary>`.
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
    async fn list(
        &self,
        scope: ClientScope,
        query: &BeneficiaryListQuery,
        page: PageRequest,
    ) -> Result<Page<Beneficiary>, DomainError>;
    /// The live beneficiaries of one staff member, by name.
    async fn of_staff(&self, staff: StaffId) -> Result<Vec<Beneficiary>, DomainError>;
}
