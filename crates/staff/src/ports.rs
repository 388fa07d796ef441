use async_trait::async_trait;
use axis_kernel::{AuditRecord, ClientId, ClientScope, DomainError, Page, PageRequest, PersonSearch};
use time::Date;

use crate::{StaffMember, StaffStatus, StaffStatusChange};

axis_kernel::string_enum! {
    /// How a staff list is ordered (`-` in the API for descending).
    pub enum StaffOrdering {
        FullName => "full_name",
        EmploymentStart => "employment_start",
        CreatedAt => "created_at",
        EmployeeNumber => "employee_number",
    }
}

/// Which staff members a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffListQuery {
    pub client: Option<ClientId>,
    pub status: Option<StaffStatus>,
    pub department: Option<String>,
    /// Only those eligible on this date (the eligibility chain, in SQL).
    pub eligible_on: Option<Date>,
    /// Matches name, preferred name and employee number, and e-mail and phone for roles that
    /// read them (trigram search).
    pub search: Option<PersonSearch>,
    pub ordering: StaffOrdering,
    pub descending: bool,
    pub include_deleted: bool,
}

impl Default for StaffListQuery {
    fn default() -> Self {
        Self {
            client: None,
            status: None,
            department: None,
            eligible_on: None,
            search: None,
            ordering: StaffOrdering::FullName,
            descending: false,
            include_deleted: false,
        }
    }
}

/// What staff members alone need of their store; the rest (read one, its history, save, the
/// changes due) is the kernel's `MemberStore<StaffMember>`.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait StaffRepository: Send + Sync {
    /// The member, their first status change and the audit record, in one transaction.
    async fn insert(
        &self,
        member: &StaffMember,
        created: &StaffStatusChange,
        audit: &AuditRecord,
    ) -> Result<StaffMember, DomainError>;
    async fn list(
        &self,
        scope: ClientScope,
        query: &StaffListQuery,
        page: PageRequest,
    ) -> Result<Page<StaffMember>, DomainError>;
}
