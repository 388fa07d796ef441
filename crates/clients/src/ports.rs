use async_trait::async_trait;
use axis_kernel::{
    AuditRecord, ClientId, ClientScope, DomainError, Page, PageRequest, Role, SortDirection, UserId,
};
use time::OffsetDateTime;

use crate::{
    Access, Activity, ActivityId, ActivityType, Client, ClientDetail, ClientStats, ClientStatus,
    ClientSummary, Contact, ContactId, Grant, Industry, IndustryId, Tag, TagId,
};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndustryFilter {
    /// Case-insensitive match on name or code.
    pub search: Option<String>,
    pub level: Option<i32>,
}

#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait IndustryRepository: Send + Sync {
    async fn list(&self, filter: &IndustryFilter, page: PageRequest) -> Result<Page<Industry>, DomainError>;
    /// Every live industry (the tree is small).
    async fn all(&self) -> Result<Vec<Industry>, DomainError>;
    async fn get(&self, id: IndustryId) -> Result<Option<Industry>, DomainError>;
    async fn children(&self, id: IndustryId) -> Result<Vec<Industry>, DomainError>;
    /// All live industries below `id`, at any depth.
    async fn descendants(&self, id: IndustryId) -> Result<Vec<Industry>, DomainError>;
    /// Live children and live clients that use the industry.
    async fn usage(&self, id: IndustryId) -> Result<(i64, i64), DomainError>;
    async fn create(&self, industry: &Industry, audit: AuditRecord) -> Result<(), DomainError>;
    /// Writes the industry if its stored version is `expected_version`; shifts the level of
    /// every descendant by `level_delta` in the same transaction.
    async fn update(
        &self,
        industry: &Industry,
        expected_version: i32,
        level_delta: i32,
        audit: AuditRecord,
    ) -> Result<Industry, DomainError>;
    async fn delete(
        &self,
        id: IndustryId,
        now: OffsetDateTime,
        audit: AuditRecord,
    ) -> Result<(), DomainError>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientOrder {
    Name,
    CreatedAt,
    UpdatedAt,
    Status,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientFilter {
    /// Matches name, email, phone, contact person and contact email.
    pub search: Option<String>,
    pub status: Option<ClientStatus>,
    pub is_verified: Option<bool>,
    /// The industry and, when asked, all below it (resolved by the service).
    pub industry_ids: Option<Vec<IndustryId>>,
    pub account_manager: Option<UserId>,
    /// Tag slug.
    pub tag: Option<String>,
    pub created_after: Option<OffsetDateTime>,
    pub created_before: Option<OffsetDateTime>,
    /// Admins only: soft-deleted clients too.
    pub include_deleted: bool,
}

#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait ClientRepository: Send + Sync {
    async fn list(
        &self,
        scope: ClientScope,
        filter: &ClientFilter,
        order: (ClientOrder, SortDirection),
        page: PageRequest,
    ) -> Result<Page<ClientSummary>, DomainError>;
    /// The client if it exists, is in `scope`, and is live (or `include_deleted`).
    async fn get(
        &self,
        scope: ClientScope,
        id: ClientId,
        include_deleted: bool,
    ) -> Result<Option<Client>, DomainError>;
    async fn detail(
        &self,
        scope: ClientScope,
        id: ClientId,
        include_deleted: bool,
    ) -> Result<Option<ClientDetail>, DomainError>;
    /// Ids up the parent chain of `id`, nearest first (unscoped; for cycle checks).
    async fn ancestors(&self, id: ClientId) -> Result<Vec<ClientId>, DomainError>;
    async fn create(&self, client: &Client, tags: &[TagId], audit: AuditRecord) -> Result<(), DomainError>;
    /// Writes every field if the stored version is `expected_version`; replaces the tags when
    /// given. Soft delete and restore are updates of `deleted_at`.
    async fn update(
        &self,
        client: &Client,
        expected_version: i32,
        tags: Option<Vec<TagId>>,
        audit: AuditRecord,
    ) -> Result<Client, DomainError>;
    /// False when the client already has it.
    async fn add_subscription(
        &self,
        id: ClientId,
        subscription: uuid::Uuid,
        audit: AuditRecord,
    ) -> Result<bool, DomainError>;
    /// False when the client does not have it.
    async fn remove_subscription(
        &self,
        id: ClientId,
        subscription: uuid::Uuid,
        audit: AuditRecord,
    ) -> Result<bool, DomainError>;
    async fn stats(&self, id: ClientId) -> Result<ClientStats, DomainError>;
    /// Everyone with access to the client and where it comes from: active admins and managers
    /// (by role), its account manager, its grants.
    async fn access_list(&self, id: ClientId) -> Result<Vec<Access>, DomainError>;
    /// The role of an active user; `None` for a missing or inactive one.
    async fn active_role(&self, user: UserId) -> Result<Option<Role>, DomainError>;
    /// False when the grant already exists.
    async fn grant(&self, grant: &Grant, audit: AuditRecord) -> Result<bool, DomainError>;
    /// Withdraws `user`'s access to `client`: their grant, and the account manager's place when
    /// they hold it, with `audit`, together. False when they had neither.
    async fn revoke_access(
        &self,
        user: UserId,
        client: ClientId,
        audit: AuditRecord,
    ) -> Result<bool, DomainError>;
}

#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait TagRepository: Send + Sync {
    async fn list(&self, search: Option<String>, page: PageRequest) -> Result<Page<(Tag, i64)>, DomainError>;
    async fn get(&self, id: TagId) -> Result<Option<Tag>, DomainError>;
    async fn create(&self, tag: &Tag, audit: AuditRecord) -> Result<(), DomainError>;
    async fn update(&self, tag: &Tag, expected_version: i32, audit: AuditRecord) -> Result<Tag, DomainError>;
    /// Removes the tag and its links to clients.
    async fn delete(&self, id: TagId, audit: AuditRecord) -> Result<(), DomainError>;
}

#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait ContactRepository: Send + Sync {
    async fn list(&self, client: ClientId, page: PageRequest) -> Result<Page<Contact>, DomainError>;
    async fn get(&self, client: ClientId, id: ContactId) -> Result<Option<Contact>, DomainError>;
    /// The client's primary contact, if it has one.
    async fn primary(&self, client: ClientId) -> Result<Option<Contact>, DomainError>;
    /// Inserts (a second primary contact is refused by the unique index: `Conflict`).
    async fn create(&self, contact: &Contact, audit: AuditRecord) -> Result<(), DomainError>;
    /// Writes `contact` if still at `expected_version`; a contact made primary takes the flag
    /// from the client's other contacts (the service asked first and put it on record).
    async fn update(
        &self,
        contact: &Contact,
        expected_version: i32,
        audit: AuditRecord,
    ) -> Result<Contact, DomainError>;
    async fn delete(
        &self,
        client: ClientId,
        id: ContactId,
        now: OffsetDateTime,
        audit: AuditRecord,
    ) -> Result<(), DomainError>;
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityFilter {
    pub activity_type: Option<ActivityType>,
    pub from: Option<OffsetDateTime>,
    pub to: Option<OffsetDateTime>,
}

#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait ActivityRepository: Send + Sync {
    async fn list(
        &self,
        client: ClientId,
        filter: &ActivityFilter,
        page: PageRequest,
    ) -> Result<Page<Activity>, DomainError>;
    async fn get(&self, client: ClientId, id: ActivityId) -> Result<Option<Activity>, DomainError>;
    /// Inserts and moves the client's `last_contact_date` forward for calls, e-mails and meetings.
    async fn create(&self, activity: &Activity, audit: AuditRecord) -> Result<(), DomainError>;
    async fn update(
        &self,
        activity: &Activity,
        expected_version: i32,
        audit: AuditRecord,
    ) -> Result<Activity, DomainError>;
    async fn delete(
        &self,
        client: ClientId,
        id: ActivityId,
        now: OffsetDateTime,
        audit: AuditRecord,
    ) -> Result<(), DomainError>;
}
