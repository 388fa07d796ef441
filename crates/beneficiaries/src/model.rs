use axis_kernel::person::PROFILE_FIELDS;
use axis_kernel::{Audited, ClientId, Profile, typed_id};
use axis_staff::StaffId;
use serde_json::{Value, json};
use time::{Date, OffsetDateTime};

typed_id!(
    /// A staff member's dependent, served through the staff member's programme.
    BeneficiaryId
);

axis_kernel::string_enum! {
    /// Whether the beneficiary may be served. Changes only through `/deactivate` and
    /// `/reactivate`, each kept with its date.
    pub enum BeneficiaryStatus { Active => "active", Inactive => "inactive" }
}

axis_kernel::string_enum! {
    /// How the beneficiary is related to their staff member.
    pub enum Relation {
        Child => "child",
        Spouse => "spouse",
        Parent => "parent",
        Sibling => "sibling",
        Grandparent => "grandparent",
        Guardian => "guardian",
        Other => "other",
    }
}

/// One entry of a beneficiary's status history.
pub type BeneficiaryStatusChange = axis_kernel::StatusChange<BeneficiaryStatus>;

/// Who answers for a minor: their staff member, or a person named with the beneficiary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Guardian {
    StaffMember,
    Named { name: String, relation: Option<String>, phone: Option<String>, email: Option<String> },
}

axis_kernel::string_enum! {
    /// Which kind of guardian a beneficiary has, as the API and the database spell it.
    pub enum GuardianKind { StaffMember => "staff_member", Named => "named" }
}

impl Guardian {
    pub fn kind(&self) -> GuardianKind {
        match self {
            Guardian::StaffMember => GuardianKind::StaffMember,
            Guardian::Named { .. } => GuardianKind::Named,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Beneficiary {
    pub id: BeneficiaryId,
    pub staff_id: StaffId,
    /// The staff member's employer: a beneficiary stays within it.
    pub client_id: ClientId,
    pub profile: Profile,
    pub relation: Relation,
    pub guardian: Option<Guardian>,
    /// The status today. A change dated ahead waits in `scheduled_change` until its day.
    pub status: BeneficiaryStatus,
    /// A status change dated ahead that has not taken effect (it does on its day, by itself).
    pub scheduled_change: Option<axis_kernel::Scheduled<BeneficiaryStatus>>,
    pub last_service_date: Option<Date>,
    pub notes: Option<String>,
    pub version: i32,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub deleted_at: Option<OffsetDateTime>,
    pub anonymised_at: Option<OffsetDateTime>,
}

/// A named guardian's fields and the notes: person data besides the profile.
const OTHER_PERSON_FIELDS: &[&str] =
    &["guardian_name", "guardian_relation", "guardian_phone", "guardian_email", "notes"];

impl Audited for Beneficiary {
    const ENTITY_TYPE: &'static str = "beneficiary";
    const ACTIONS: &'static str = "beneficiary";
    fn withholds(field: &str) -> bool {
        PROFILE_FIELDS.contains(&field) || OTHER_PERSON_FIELDS.contains(&field)
    }

    fn audit_id(&self) -> String {
        self.id.to_string()
    }

    fn audit_view(&self) -> Value {
        let mut view = self.profile.audit_view();
        let named = match &self.guardian {
            Some(Guardian::Named { name, relation, phone, email }) => {
                (Some(name.clone()), relation.clone(), phone.clone(), email.clone())
            }
            _ => (None, None, None, None),
        };
        let own = json!({
            "staff_id": self.staff_id.to_string(),
            "client_id": self.client_id.to_string(),
            "relation": self.relation.as_str(),
            "guardian_kind": self.guardian.as_ref().map(|g| g.kind().as_str()),
            "guardian_name": named.0,
            "guardian_relation": named.1,
            "guardian_phone": named.2,
            "guardian_email": named.3,
            "status": self.status.as_str(),
            "last_service_date": self.last_service_date.map(|d| d.to_string()),
            "notes": self.notes,
            "deleted": self.deleted_at.is_some(),
            "anonymised": self.anonymised_at.is_some(),
        });
        if let Value::Object(own) = own {
            view.extend(own);
        }
        Value::Object(view)
    }

    fn audit_details(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("client_id", Value::String(self.client_id.to_string())),
            ("staff_id", Value::String(self.staff_id.to_string())),
        ]
    }
}

impl axis_kernel::Member for Beneficiary {
    type Id = BeneficiaryId;
    type Status = BeneficiaryStatus;
    type Fields = crate::BeneficiaryFields;
    const NOUN: &'static str = "beneficiary";

    fn id(&self) -> BeneficiaryId {
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

    fn fields(&self) -> crate::BeneficiaryFields {
        crate::BeneficiaryFields::from_beneficiary(self)
    }

    /// Viewers never see contact data, nor a named guardian's phone and e-mail.
    fn seen_by(self, role: axis_kernel::Role) -> Self {
        let hidden = !axis_kernel::person::reads_contact_data(role);
        let guardian = match self.guardian {
            Some(Guardian::Named { name, relation, .. }) if hidden => {
                Some(Guardian::Named { name, relation, phone: None, email: None })
            }
            other => other,
        };
        Self { profile: self.profile.seen_by(role), guardian, ..self }
    }

    fn with_change(self, change: &BeneficiaryStatusChange) -> Self {
        if change.pending {
            let scheduled = axis_kernel::Scheduled { status: change.status, on: change.effective_on };
            return Self { scheduled_change: Some(scheduled), ..self };
        }
        Self { status: change.status, scheduled_change: None, ..self }
    }
}

impl axis_kernel::ClientOwned for Beneficiary {
    fn owner(&self) -> ClientId {
        self.client_id
    }

    fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }
}
