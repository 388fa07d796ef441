use async_trait::async_trait;
use axis_kernel::{AuditRecord, ClientId, ClientScope, DomainError, Page, PageRequest, PersonSearch};
use time::Date;

use crate::{StaffId, StaffMember, StaffStatus, StaffStatusChange};

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
    /// Deleted ones too: the service decides who may see them.
    async fn get(&self, id: StaffId) -> Result<Option<StaffMember>, DomainError>;
    /// Oldest first.
    async fn history(&self, id: StaffId) -> Result<Vec<StaffStatusChange>, DomainError>;
    async fn list(
        &self,
        scope: ClientScope,
        query: &StaffListQuery,
        page: PageRequest,
    ) -> Result<Page<StaffMember>, DomainError>;
    /// Writes `member` if its stored version is still `expected` (else `None`), with the status
    /// change, if any, and the audit record, in one transaction.
    async fn save(
        &self,
        member: &StaffMember,
        expected: i32,
        change: Option<StaffStatusChange>,
        audit: &AuditRecord,
    ) -> Result<Option<StaffMember>, DomainError>;
    /// Up to `limit` changes dated on or before `today` that have not taken effect, with their
    /// members: (member, change id, change).
    async fn due_changes(
        &self,
        today: Date,
        limit: i64,
    ) -> Result<Vec<(StaffMember, i64, StaffStatusChange)>, DomainError>;
    /// Writes `member` (its status moved by change `change_id`) if its stored version is still
    /// `expected`, marks the change taken effect and writes `audit`, in one transaction. False
    /// when the member or the change moved meanwhile.
    async fn apply_change(
        &self,
        member: &StaffMember,
        expected: i32,
        change_id: i64,
        audit: &AuditRecord,
    ) -> Result<bool, DomainError>;
}
