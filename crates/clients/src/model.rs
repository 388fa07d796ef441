use axis_kernel::{Audited, ClientId, UserId, typed_id};
use serde_json::{Value, json};
use time::{Date, OffsetDateTime};

typed_id!(
    /// An industry of the classification tree.
    IndustryId
);
typed_id!(
    /// A tag that labels clients.
    TagId
);
typed_id!(
    /// A person to talk to at a client.
    ContactId
);
typed_id!(
    /// An entry of a client's timeline.
    ActivityId
);

axis_kernel::string_enum! {
    /// The life of a client organisation.
    pub enum ClientStatus { Pending => "pending", Active => "active", Inactive => "inactive", Suspended => "suspended", Archived => "archived" }
}
/// Shared with every person's profile.
pub use axis_kernel::person::ContactMethod;
axis_kernel::string_enum! {
    pub enum ContactRole { Primary => "primary", Billing => "billing", Technical => "technical", Executive => "executive", Legal => "legal", Hr => "hr", Other => "other" }
}
axis_kernel::string_enum! {
    pub enum ActivityType {
        Note => "note", Call => "call", Email => "email", Meeting => "meeting", StatusChange => "status_change",
        ContractSigned => "contract_signed", PaymentReceived => "payment_received",
        DocumentUploaded => "document_uploaded", Verification => "verification", Issue => "issue",
        Opportunity => "opportunity", Other => "other",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Industry {
    pub id: IndustryId,
    pub name: String,
    pub code: Option<String>,
    pub description: Option<String>,
    pub parent_id: Option<IndustryId>,
    pub external_id: Option<String>,
    /// 0 for a root, parent's level + 1 below it.
    pub level: i32,
    pub version: i32,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl Audited for Industry {
    const ENTITY_TYPE: &'static str = "industry";
    const ACTIONS: &'static str = "industry";

    fn audit_id(&self) -> String {
        self.id.to_string()
    }

    fn audit_view(&self) -> Value {
        json!({
            "name": self.name,
            "code": self.code,
            "description": self.description,
            "parent_id": self.parent_id.map(|p| p.to_string()),
            "external_id": self.external_id,
            "level": self.level,
        })
    }
}

/// An industry with its subtree, for `/industries/tree`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndustryNode {
    pub industry: Industry,
    pub children: Vec<IndustryNode>,
}

/// Builds the forest from a flat list (any order); children are sorted by name.
pub fn industry_forest(mut industries: Vec<Industry>) -> Vec<IndustryNode> {
    industries.sort_by_key(|i| i.name.to_lowercase());
    fn children_of(parent: Option<IndustryId>, all: &[Industry]) -> Vec<IndustryNode> {
        all.iter()
            .filter(|i| i.parent_id == parent)
            .map(|i| IndustryNode { industry: i.clone(), children: children_of(Some(i.id), all) })
            .collect()
    }
    children_of(None, &industries)
}

/// The industry as shown inside a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndustryRef {
    pub id: IndustryId,
    pub name: String,
    pub code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub id: ClientId,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub address: Option<String>,
    pub billing_address: Option<String>,
    pub tax_id: Option<String>,
    pub contact_person: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub preferred_contact_method: Option<ContactMethod>,
    pub billing_contact: Option<String>,
    pub industry_id: Option<IndustryId>,
    pub parent_client_id: Option<ClientId>,
    pub account_manager_id: Option<UserId>,
    pub status: ClientStatus,
    pub status_reason: Option<String>,
    pub is_verified: bool,
    pub verified_at: Option<OffsetDateTime>,
    pub verified_by: Option<UserId>,
    pub timezone: Option<String>,
    pub notes: Option<String>,
    pub metadata: Value,
    pub last_contact_date: Option<Date>,
    pub created_by: Option<UserId>,
    pub version: i32,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub deleted_at: Option<OffsetDateTime>,
}

impl Client {
    /// A client with nothing set but its id, status and creator: a draft fills in the rest.
    pub fn new(id: ClientId, status: ClientStatus, created_by: Option<UserId>, now: OffsetDateTime) -> Self {
        Client {
            id,
            name: String::new(),
            email: None,
            phone: None,
            website: None,
            address: None,
            billing_address: None,
            tax_id: None,
            contact_person: None,
            contact_email: None,
            contact_phone: None,
            preferred_contact_method: None,
            billing_contact: None,
            industry_id: None,
            parent_client_id: None,
            account_manager_id: None,
            status,
            status_reason: None,
            is_verified: false,
            verified_at: None,
            verified_by: None,
            timezone: None,
            notes: None,
            metadata: json!({}),
            last_contact_date: None,
            created_by,
            version: 1,
            created_at: now,
            updated_at: now,
            deleted_at: None,
        }
    }

    /// An active client must be reachable: at least one of email, phone, contact email or phone.
    pub fn has_contact_channel(&self) -> bool {
        [&self.email, &self.phone, &self.contact_email, &self.contact_phone].iter().any(|v| v.is_some())
    }
}

impl Audited for Client {
    const ENTITY_TYPE: &'static str = "client";
    const ACTIONS: &'static str = "client";

    fn audit_id(&self) -> String {
        self.id.to_string()
    }

    /// The fields an audit record compares.
    fn audit_view(&self) -> Value {
        json!({
            "name": self.name,
            "email": self.email,
            "phone": self.phone,
            "website": self.website,
            "address": self.address,
            "billing_address": self.billing_address,
            "tax_id": self.tax_id,
            "contact_person": self.contact_person,
            "contact_email": self.contact_email,
            "contact_phone": self.contact_phone,
            "preferred_contact_method": self.preferred_contact_method.map(|m| m.as_str()),
            "billing_contact": self.billing_contact,
            "industry_id": self.industry_id.map(|i| i.to_string()),
            "parent_client_id": self.parent_client_id.map(|i| i.to_string()),
            "account_manager_id": self.account_manager_id.map(|i| i.to_string()),
            "status": self.status.as_str(),
            "status_reason": self.status_reason,
            "is_verified": self.is_verified,
            "timezone": self.timezone,
            "notes": self.notes,
            "metadata": self.metadata,
            "last_contact_date": self.last_contact_date.map(|d| d.to_string()),
            "deleted_at": self.deleted_at.map(|d| d.unix_timestamp()),
        })
    }
}

/// A row of the client list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSummary {
    pub id: ClientId,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub status: ClientStatus,
    pub is_verified: bool,
    pub industry_id: Option<IndustryId>,
    pub industry_name: Option<String>,
    pub account_manager_id: Option<UserId>,
    pub active_contracts_count: i64,
    pub version: i32,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub deleted_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub id: TagId,
    pub name: String,
    pub slug: String,
    /// `#RRGGBB`, upper case.
    pub color: String,
    pub description: Option<String>,
    pub version: i32,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl Audited for Tag {
    const ENTITY_TYPE: &'static str = "tag";
    const ACTIONS: &'static str = "tag";

    fn audit_id(&self) -> String {
        self.id.to_string()
    }

    fn audit_view(&self) -> Value {
        json!({"name": self.name, "slug": self.slug, "color": self.color, "description": self.description})
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: ContactId,
    pub client_id: ClientId,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub mobile: Option<String>,
    pub role: ContactRole,
    pub title: Option<String>,
    pub department: Option<String>,
    pub is_primary: bool,
    pub preferred_contact_method: ContactMethod,
    pub is_active: bool,
    pub notes: Option<String>,
    pub version: i32,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl Audited for Contact {
    const ENTITY_TYPE: &'static str = "client_contact";
    const ACTIONS: &'static str = "client.contact";

    fn audit_id(&self) -> String {
        self.id.to_string()
    }

    fn audit_details(&self) -> Vec<(&'static str, Value)> {
        vec![("client_id", json!(self.client_id.to_string()))]
    }

    fn audit_view(&self) -> Value {
        json!({
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            "phone": self.phone,
            "mobile": self.mobile,
            "role": self.role.as_str(),
            "title": self.title,
            "department": self.department,
            "is_primary": self.is_primary,
            "preferred_contact_method": self.preferred_contact_method.as_str(),
            "is_active": self.is_active,
            "notes": self.notes,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    pub id: ActivityId,
    pub client_id: ClientId,
    pub activity_type: ActivityType,
    pub title: String,
    pub body: Option<String>,
    pub activity_date: OffsetDateTime,
    pub author_id: Option<UserId>,
    pub contact_id: Option<ContactId>,
    pub version: i32,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl Audited for Activity {
    const ENTITY_TYPE: &'static str = "client_activity";
    const ACTIONS: &'static str = "client.activity";

    fn audit_id(&self) -> String {
        self.id.to_string()
    }

    fn audit_details(&self) -> Vec<(&'static str, Value)> {
        vec![("client_id", json!(self.client_id.to_string()))]
    }

    fn audit_view(&self) -> Value {
        json!({
            "activity_type": self.activity_type.as_str(),
            "title": self.title,
            "body": self.body,
            "activity_date": self.activity_date.unix_timestamp(),
            "contact_id": self.contact_id.map(|c| c.to_string()),
        })
    }
}

/// Everything the client page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientDetail {
    pub client: Client,
    pub industry: Option<IndustryRef>,
    pub tags: Vec<Tag>,
    pub contacts: Vec<Contact>,
    pub subscriptions: Vec<uuid::Uuid>,
}

/// Counts about one client. Grows as domains arrive (contracts, staff, reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClientStats {
    pub contracts_total: i64,
    pub contracts_active: i64,
    /// Staff members in service today (active or on leave), not deleted.
    pub staff: i64,
    /// Active beneficiaries of those staff members' employer, not deleted.
    pub beneficiaries: i64,
    pub subscriptions: i64,
    pub reports: i64,
    pub contacts: i64,
    pub activities: i64,
}

axis_kernel::string_enum! {
    /// Where a user's access to a client comes from.
    pub enum AccessSource {
        /// Admins and managers see every client by their role.
        Role => "role",
        /// The client's account manager sees it.
        AccountManager => "account_manager",
        /// An admin granted the user this client.
        Grant => "grant",
    }
}

/// One user's access to one client and where it comes from; a user can hold several. What
/// `GET /clients/{id}/grants` lists: every source of access, in one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub user_id: UserId,
    pub role: axis_kernel::Role,
    pub source: AccessSource,
    /// When it was granted (grants only: a role or an account manager has no grant date).
    pub granted_at: Option<OffsetDateTime>,
    pub granted_by: Option<UserId>,
}

/// An analyst's or viewer's access to one client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub user_id: UserId,
    pub client_id: ClientId,
    pub granted_at: OffsetDateTime,
    pub granted_by: Option<UserId>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_enums_round_trip() {
        for status in ClientStatus::ALL {
            assert_eq!(status.as_str().parse::<ClientStatus>(), Ok(*status));
        }
        assert!("Active".parse::<ClientStatus>().is_err());
        assert_eq!(ActivityType::StatusChange.as_str(), "status_change");
    }

    #[test]
    fn forest_nests_children_under_parents() {
        let now = OffsetDateTime::UNIX_EPOCH;
        let industry = |name: &str, parent: Option<IndustryId>| Industry {
            id: IndustryId::new(),
            name: name.into(),
            code: None,
            description: None,
            parent_id: parent,
            external_id: None,
            level: i32::from(parent.is_some()),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let root = industry("Finance", None);
        let child = industry("Banking", Some(root.id));
        let other = industry("Agriculture", None);
        let forest = industry_forest(vec![child.clone(), root.clone(), other.clone()]);
        assert_eq!(forest.len(), 2);
        assert_eq!(forest[0].industry.name, "Agriculture");
        assert_eq!(forest[1].children[0].industry, child);
    }
}
