use axis_kernel::person::PROFILE_FIELDS;
use axis_kernel::{Audited, ClientId, Profile, typed_id};
use serde_json::{Value, json};
use time::{Date, OffsetDateTime};

typed_id!(
    /// A client's employee ("staff member"), served by the programme.
    StaffId
);

axis_kernel::string_enum! {
    /// Where a staff member stands with their employer. Changes only through the lifecycle's
    /// actions ([`crate::lifecycle`]), never by editing the member.
    pub enum StaffStatus {
        Active => "active",
        /// Away for a while and still served.
        OnLeave => "on_leave",
        Inactive => "inactive",
        Suspended => "suspended",
        /// Final; needs an employment end date.
        Terminated => "terminated",
        /// Final; needs an employment end date.
        Resigned => "resigned",
    }
}

impl StaffStatus {
    /// A member in this status may be served (the first link of eligibility).
    pub fn allows_service(self) -> bool {
        matches!(self, StaffStatus::Active | StaffStatus::OnLeave)
    }

    /// The status ends employment, so the member must have an end date.
    pub fn ends_employment(self) -> bool {
        matches!(self, StaffStatus::Terminated | StaffStatus::Resigned)
    }
}

axis_kernel::string_enum! {
    /// The member's role at their employer.
    pub enum StaffRole { Admin => "admin", Manager => "manager", Staff => "staff", Volunteer => "volunteer" }
}

/// One entry of a member's status history.
pub type StaffStatusChange = axis_kernel::StatusChange<StaffStatus>;

/// Why and until when a member on leave is away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leave {
    pub leave_type: String,
    pub expected_return: Option<Date>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StaffMember {
    pub id: StaffId,
    /// The employer.
    pub client_id: ClientId,
    pub profile: Profile,
    /// The employer's number for them; unique within the client.
    pub employee_number: Option<String>,
    pub job_title: Option<String>,
    pub department: Option<String>,
    pub role: StaffRole,
    pub employment_start: Date,
    pub employment_end: Option<Date>,
    /// The status today. A change dated ahead waits in `scheduled_change` until its day.
    pub status: StaffStatus,
    /// A status change dated ahead that has not taken effect (it does on its day, by itself).
    pub scheduled_change: Option<axis_kernel::Scheduled<StaffStatus>>,
    /// Set while on leave.
    pub leave: Option<Leave>,
    /// Why employment ended or the member was deactivated or suspended.
    pub status_reason: Option<String>,
    pub version: i32,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub deleted_at: Option<OffsetDateTime>,
    /// When the profile was erased; the ids stay for statistics.
    pub anonymised_at: Option<OffsetDateTime>,
}

impl Audited for StaffMember {
    const ENTITY_TYPE: &'static str = "staff";
    const ACTIONS: &'static str = "staff";
    fn withholds(field: &str) -> bool {
        PROFILE_FIELDS.contains(&field)
    }

    fn audit_id(&self) -> String {
        self.id.to_string()
    }

    fn audit_view(&self) -> Value {
        let mut view = self.profile.audit_view();
        let own = json!({
            "client_id": self.client_id.to_string(),
            "employee_number": self.employee_number,
            "job_title": self.job_title,
            "department": self.department,
            "role": self.role.as_str(),
            "employment_start": self.employment_start.to_string(),
            "employment_end": self.employment_end.map(|d| d.to_string()),
            "status": self.status.as_str(),
            "leave_type": self.leave.as_ref().map(|l| l.leave_type.clone()),
            "expected_return": self.leave.as_ref().and_then(|l| l.expected_return).map(|d| d.to_string()),
            "status_reason": self.status_reason,
            "deleted": self.deleted_at.is_some(),
            "anonymised": self.anonymised_at.is_some(),
        });
        if let Value::Object(own) = own {
            view.extend(own);
        }
        Value::Object(view)
    }

    fn audit_details(&self) -> Vec<(&'static str, Value)> {
        vec![("client_id", Value::String(self.client_id.to_string()))]
    }
}

impl axis_kernel::Member for StaffMember {
    type Id = StaffId;
    type Status = StaffStatus;
    type Fields = crate::StaffFields;
    const NOUN: &'static str = "staff member";

    fn id(&self) -> StaffId {
        self.id
    }

    fn version(&self) -> i32 {
        self.version
    }

    fn deleted_at(&self) -> Option<OffsetDateTime> {
        self.deleted_at
    }

    fn with_deleted_at(self, deleted_at: Option<OffsetDateTime>) -> Self {
        Self { deleted_at, ..self }
    }

    fn is_anonymised(&self) -> bool {
        self.anonymised_at.is_some()
    }

    fn fields(&self) -> crate::StaffFields {
        crate::StaffFields::from_member(self)
    }

    fn seen_by(self, role: axis_kernel::Role) -> Self {
        Self { profile: self.profile.seen_by(role), ..self }
    }

    /// The reason a member keeps with their status: none once active again.
    fn with_change(self, change: &StaffStatusChange) -> Self {
        if change.pending {
            let scheduled = axis_kernel::Scheduled { status: change.status, on: change.effective_on };
            return Self { scheduled_change: Some(scheduled), ..self };
        }
        let status_reason = if change.status == StaffStatus::Active { None } else { change.reason.clone() };
        Self { status: change.status, status_reason, scheduled_change: None, ..self }
    }
}

impl axis_kernel::ClientOwned for StaffMember {
    fn owner(&self) -> ClientId {
        self.client_id
    }

    fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }
}
