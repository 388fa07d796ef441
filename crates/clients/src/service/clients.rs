use axis_kernel::audit::diff;
use axis_kernel::page::parse_ordering;
use axis_kernel::{
    Actor, AuditRecord, Audited, ClientId, FieldErrors, Page, PageRequest, SortDirection, UserId,
};
use serde_json::json;
use time::Date;

use super::ClientService;
use crate::input::{ClientDraft, ClientFields, ClientPatch, parse_reason, parse_subscription_id};
use crate::policy::{self, Action};
use crate::ports::{ClientFilter, ClientOrder};
use crate::{
    Access, AccessSource, Client, ClientDetail, ClientError, ClientStats, ClientStatus, ClientSummary, Grant,
    IndustryId, IndustryRef, TagId,
};

/// The client list as asked for, before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientListQuery {
    pub search: Option<String>,
    pub status: Option<ClientStatus>,
    pub is_verified: Option<bool>,
    pub industry: Option<IndustryId>,
    pub include_subindustries: bool,
    pub account_manager: Option<UserId>,
    pub tag: Option<String>,
    pub created_after: Option<Date>,
    /// Inclusive: clients created on this day are listed. Days are the organisation's
    /// (`Clock::start_of_day`).
    pub created_before: Option<Date>,
    pub ordering: Option<String>,
    pub include_deleted: bool,
}

pub const CLIENT_ORDERINGS: [(&str, ClientOrder); 4] = [
    ("name", ClientOrder::Name),
    ("created_at", ClientOrder::CreatedAt),
    ("updated_at", ClientOrder::UpdatedAt),
    ("status", ClientOrder::Status),
];

/// A status action on a client; deactivating and archiving carry the reason (as sent: it is
/// checked by the use case) that the client keeps as `status_reason`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusChange {
    Activate,
    Deactivate(String),
    Archive(String),
}

impl ClientService {
    pub async fn list_clients(
        &self,
        actor: &Actor,
        query: ClientListQuery,
        page: PageRequest,
    ) -> Result<Page<ClientSummary>, ClientError> {
        policy::require(actor, Action::Read)?;
        if query.include_deleted {
            policy::require(actor, Action::Administer)?;
        }
        let mut errors = FieldErrors::new();
        let order = parse_ordering(
            query.ordering.as_deref(),
            &CLIENT_ORDERINGS,
            (ClientOrder::CreatedAt, SortDirection::Descending),
        )
        .map_err(|e| errors.merge(e))
        .ok();
        if let (Some(after), Some(before)) = (query.created_after, query.created_before)
            && before < after
        {
            errors.add("created_before", "must not be before created_after");
        }
        let search = query.search.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        if search.as_ref().is_some_and(|s| s.chars().count() > 200) {
            errors.add("search", "must be at most 200 characters");
        }
        errors.into_result()?;
        let industry_ids = match query.industry {
            None => None,
            Some(industry) => {
                let mut ids = vec![industry];
                if query.include_subindustries {
                    ids.extend(self.industries.descendants(industry).await?.into_iter().map(|i| i.id));
                }
                Some(ids)
            }
        };
        let filter = ClientFilter {
            search,
            status: query.status,
            is_verified: query.is_verified,
            industry_ids,
            account_manager: query.account_manager,
            tag: query.tag,
            created_after: query.created_after.map(|day| self.clock.start_of_day(day)),
            created_before: query
                .created_before
                .and_then(|day| day.next_day())
                .map(|day| self.clock.start_of_day(day)),
            include_deleted: query.include_deleted,
        };
        let order = order.unwrap_or((ClientOrder::CreatedAt, SortDirection::Descending));
        self.clients.list(actor.client_scope(), &filter, order, page).await
    }

    /// One client; a soft-deleted one only when an admin asks for it.
    pub async fn get_client(
        &self,
        actor: &Actor,
        id: ClientId,
        include_deleted: bool,
    ) -> Result<ClientDetail, ClientError> {
        policy::require(actor, Action::Read)?;
        if include_deleted {
            policy::require(actor, Action::Administer)?;
        }
        self.clients.detail(actor.client_scope(), id, include_deleted).await?.ok_or(ClientError::NotFound)
    }

    /// Checks what a draft points at: a live industry, a visible parent that is not the client
    /// itself or below it, and a new account manager who may hold the place.
    async fn check_references(
        &self,
        actor: &Actor,
        id: ClientId,
        draft: &ClientDraft,
        account_manager_before: Option<UserId>,
    ) -> Result<Option<IndustryRef>, ClientError> {
        let mut errors = FieldErrors::new();
        if let Some(manager) = draft.account_manager_id.filter(|m| Some(*m) != account_manager_before) {
            let role = self.clients.active_role(manager).await?;
            if !role.is_some_and(policy::may_manage_accounts) {
                errors.add("account_manager_id", "must be an active admin, manager or analyst");
            }
        }
        let mut industry_ref = None;
        if let Some(industry) = draft.industry_id {
            match self.industries.get(industry).await? {
                Some(found) => {
                    industry_ref = Some(IndustryRef { id: found.id, name: found.name, code: found.code })
                }
                None => errors.add("industry_id", "is not an industry"),
            }
        }
        if let Some(parent) = draft.parent_client_id {
            if parent == id {
                errors.add("parent_client_id", "cannot be the client itself");
            } else if let Err(refused) = self.guard.require_reference(actor, "parent_client_id", parent).await
            {
                match refused {
                    ClientError::Validation(more) => errors.merge(more),
                    other => return Err(other),
                }
            } else if self.clients.ancestors(parent).await?.contains(&id) {
                errors.add("parent_client_id", "cannot be a client below this one");
            }
        }
        errors.into_result()?;
        Ok(industry_ref)
    }

    fn require_reachable(client: &Client) -> Result<(), ClientError> {
        if client.status == ClientStatus::Active && !client.has_contact_channel() {
            let message = "an active client needs an email, phone, contact_email or contact_phone";
            return Err(FieldErrors::single("status", message).into());
        }
        Ok(())
    }

    pub async fn create_client(
        &self,
        actor: &Actor,
        fields: ClientFields,
    ) -> Result<ClientDetail, ClientError> {
        policy::require(actor, Action::Manage)?;
        let draft = ClientDraft::parse(fields, self.clock.today())?;
        let id = ClientId::new();
        let industry = self.check_references(actor, id, &draft, None).await?;
        let now = self.clock.now();
        let status = draft.status.unwrap_or(ClientStatus::Pending);
        if !matches!(status, ClientStatus::Pending | ClientStatus::Active) {
            return Err(FieldErrors::single("status", "a new client is pending or active").into());
        }
        let tags = draft.tag_ids.clone().unwrap_or_default();
        let mut client = Client::new(id, status, actor.user_id, now);
        draft.apply_to(&mut client);
        Self::require_reachable(&client)?;
        let mut audit = AuditRecord::created(actor, &client, now);
        if !tags.is_empty() {
            let ids: Vec<String> = tags.iter().map(ToString::to_string).collect();
            audit.changes.push(axis_kernel::FieldChange {
                field: "tag_ids".into(),
                old: json!(null),
                new: json!(ids),
            });
        }
        self.clients.create(&client, &tags, audit).await?;
        if !tags.is_empty() {
            return self.clients.detail(actor.client_scope(), id, false).await?.ok_or(ClientError::NotFound);
        }
        // Nothing hangs off a new client yet: its detail is known without reading it back.
        Ok(ClientDetail { client, industry, tags: vec![], contacts: vec![], subscriptions: vec![] })
    }

    /// Replaces every writable field of a client (PUT).
    pub async fn replace_client(
        &self,
        actor: &Actor,
        id: ClientId,
        fields: ClientFields,
        if_match: Option<i32>,
    ) -> Result<ClientDetail, ClientError> {
        let current = self.client_for(actor, id, Action::Edit).await?;
        let draft = ClientDraft::parse(fields, self.clock.today())?;
        self.rewrite(actor, current, draft, if_match).await
    }

    /// Changes the fields a patch names (PATCH), merged over the stored client here, so the
    /// merge and the write see the same version.
    pub async fn update_client(
        &self,
        actor: &Actor,
        id: ClientId,
        patch: ClientPatch,
        if_match: Option<i32>,
    ) -> Result<ClientDetail, ClientError> {
        let current = self.client_for(actor, id, Action::Edit).await?;
        let draft = ClientDraft::parse(patch.apply(ClientFields::from_client(&current)), self.clock.today())?;
        self.rewrite(actor, current, draft, if_match).await
    }

    async fn rewrite(
        &self,
        actor: &Actor,
        current: Client,
        draft: ClientDraft,
        if_match: Option<i32>,
    ) -> Result<ClientDetail, ClientError> {
        let id = current.id;
        axis_kernel::expect_version(if_match, current.version)?;
        if draft.status.is_some_and(|s| s != current.status) {
            policy::require(actor, Action::Manage)?;
        }
        // The account manager sees the client: naming one is granting access.
        if draft.account_manager_id != current.account_manager_id {
            policy::require(actor, policy::CHANGE_ACCOUNT_MANAGER)?;
        }
        self.check_references(actor, id, &draft, current.account_manager_id).await?;
        let mut next = current.clone();
        if let Some(status) = draft.status {
            // Moves the current status does not allow are conflicts with the client's state (409),
            // as with the status actions.
            if status == ClientStatus::Pending && current.status != ClientStatus::Pending {
                return Err(ClientError::conflict("a client cannot go back to pending"));
            }
            next.status = status;
        }
        let tags = draft.tag_ids.clone();
        draft.apply_to(&mut next);
        if Self::require_reachable(&next).is_err() {
            return Err(ClientError::conflict(
                "an active client needs an email, phone, contact_email or contact_phone; keep one or change the status",
            ));
        }
        self.save(actor, &current, next, tags, "update").await
    }

    /// Writes `next` over `current` with its audit record, unless nothing changed.
    async fn save(
        &self,
        actor: &Actor,
        current: &Client,
        mut next: Client,
        tags: Option<Vec<TagId>>,
        verb: &str,
    ) -> Result<ClientDetail, ClientError> {
        let scope = actor.client_scope();
        // The caller was authorised for this client already: read the result back whatever its state.
        let include_deleted = true;
        let mut changes = diff(&current.audit_view(), &next.audit_view());
        if let Some(tags) = &tags {
            let detail = self
                .clients
                .detail(scope, current.id, include_deleted)
                .await?
                .ok_or(ClientError::NotFound)?;
            let mut before: Vec<TagId> = detail.tags.iter().map(|t| t.id).collect();
            before.sort();
            if &before != tags {
                let show = |ids: &[TagId]| json!(ids.iter().map(ToString::to_string).collect::<Vec<_>>());
                changes.push(axis_kernel::FieldChange {
                    field: "tag_ids".into(),
                    old: show(&before),
                    new: show(tags),
                });
            }
        }
        if changes.is_empty() {
            return self
                .clients
                .detail(scope, current.id, include_deleted)
                .await?
                .ok_or(ClientError::NotFound);
        }
        let now = self.clock.now();
        next.updated_at = now;
        let audit = AuditRecord::action(actor, verb, current, now).with_changes(changes);
        self.clients.update(&next, current.version, tags, audit).await?;
        self.clients.detail(scope, current.id, include_deleted).await?.ok_or(ClientError::NotFound)
    }

    pub async fn delete_client(&self, actor: &Actor, id: ClientId) -> Result<(), ClientError> {
        let current = self.client_for(actor, id, Action::Manage).await?;
        let mut next = current.clone();
        next.deleted_at = Some(self.clock.now());
        self.save(actor, &current, next, None, "delete").await.map(|_| ())
    }

    pub async fn restore_client(&self, actor: &Actor, id: ClientId) -> Result<ClientDetail, ClientError> {
        policy::require(actor, Action::Administer)?;
        let current = self.clients.get(actor.client_scope(), id, true).await?.ok_or(ClientError::NotFound)?;
        if current.deleted_at.is_none() {
            return Err(ClientError::conflict("the client is not deleted"));
        }
        let mut next = current.clone();
        next.deleted_at = None;
        self.save(actor, &current, next, None, "restore").await
    }

    pub async fn verify_client(&self, actor: &Actor, id: ClientId) -> Result<ClientDetail, ClientError> {
        let current = self.client_for(actor, id, Action::Manage).await?;
        if current.is_verified {
            return Err(ClientError::conflict("the client is already verified"));
        }
        let mut next = current.clone();
        next.is_verified = true;
        next.verified_at = Some(self.clock.now());
        next.verified_by = actor.user_id;
        self.save(actor, &current, next, None, "verify").await
    }

    /// Activates, deactivates or archives a client (admin, manager).
    pub async fn change_client_status(
        &self,
        actor: &Actor,
        id: ClientId,
        change: StatusChange,
    ) -> Result<ClientDetail, ClientError> {
        let (target, reason, action) = match change {
            StatusChange::Activate => (ClientStatus::Active, None, "activate"),
            StatusChange::Deactivate(reason) => {
                (ClientStatus::Inactive, Some(parse_reason(&reason)?), "deactivate")
            }
            StatusChange::Archive(reason) => {
                (ClientStatus::Archived, Some(parse_reason(&reason)?), "archive")
            }
        };
        let current = self.client_for(actor, id, Action::Manage).await?;
        if current.status == target {
            return Err(ClientError::conflict(format!("the client is already {target}")));
        }
        if target == ClientStatus::Inactive && current.status == ClientStatus::Archived {
            return Err(ClientError::conflict("an archived client can only be activated"));
        }
        let mut next = current.clone();
        next.status = target;
        next.status_reason = reason;
        // The client's current data does not allow the move: a conflict with its state (409),
        // not an invalid request (the action has no body to correct).
        if Self::require_reachable(&next).is_err() {
            return Err(ClientError::conflict(
                "an active client needs an email, phone, contact_email or contact_phone; add one first",
            ));
        }
        self.save(actor, &current, next, None, action).await
    }

    pub async fn add_subscription(
        &self,
        actor: &Actor,
        id: ClientId,
        raw_subscription: &str,
    ) -> Result<ClientDetail, ClientError> {
        let subscription = parse_subscription_id(raw_subscription)?;
        self.guard.require(actor, id, Action::Edit).await?;
        let now = self.clock.now();
        let audit = AuditRecord::new(actor, "client.subscription.add", "client", Some(id.to_string()), now)
            .with_changes(vec![axis_kernel::FieldChange {
                field: "azure_subscription_ids".into(),
                old: json!(null),
                new: json!(subscription.to_string()),
            }]);
        if !self.clients.add_subscription(id, subscription, audit).await? {
            let message = "is already linked to this client";
            return Err(ClientError::taken("subscription_id", message));
        }
        self.clients.detail(actor.client_scope(), id, false).await?.ok_or(ClientError::NotFound)
    }

    pub async fn remove_subscription(
        &self,
        actor: &Actor,
        id: ClientId,
        raw_subscription: &str,
    ) -> Result<(), ClientError> {
        self.guard.require(actor, id, Action::Edit).await?;
        // An id that is not a GUID cannot be linked: the same 404 as any unknown one.
        let subscription = parse_subscription_id(raw_subscription).map_err(|_| ClientError::NotFound)?;
        let now = self.clock.now();
        let audit =
            AuditRecord::new(actor, "client.subscription.remove", "client", Some(id.to_string()), now)
                .with_changes(vec![axis_kernel::FieldChange {
                    field: "azure_subscription_ids".into(),
                    old: json!(subscription.to_string()),
                    new: json!(null),
                }]);
        if self.clients.remove_subscription(id, subscription, audit).await? {
            Ok(())
        } else {
            Err(ClientError::NotFound)
        }
    }

    pub async fn client_stats(&self, actor: &Actor, id: ClientId) -> Result<ClientStats, ClientError> {
        self.guard.require(actor, id, Action::Read).await?;
        self.clients.stats(id).await
    }

    /// Everyone with access to the client and where it comes from (admin).
    pub async fn list_grants(&self, actor: &Actor, id: ClientId) -> Result<Vec<Access>, ClientError> {
        policy::require(actor, Action::Administer)?;
        self.guard.require(actor, id, Action::Administer).await?;
        self.clients.access_list(id).await
    }

    pub async fn grant_access(
        &self,
        actor: &Actor,
        id: ClientId,
        user: UserId,
    ) -> Result<Grant, ClientError> {
        policy::require(actor, Action::Administer)?;
        self.guard.require(actor, id, Action::Administer).await?;
        let now = self.clock.now();
        let grant = Grant { user_id: user, client_id: id, granted_at: now, granted_by: actor.user_id };
        let audit = AuditRecord::new(actor, "client.grant", "client", Some(id.to_string()), now)
            .with_changes(vec![axis_kernel::FieldChange {
                field: "grant".into(),
                old: json!(null),
                new: json!(user.to_string()),
            }]);
        if !self.clients.grant(&grant, audit).await? {
            return Err(ClientError::taken("user_id", "already has access to this client"));
        }
        Ok(grant)
    }

    /// Withdraws a user's access to the client, whatever gives it to them but their role: their
    /// grant, and the account manager's place when they hold it (admin). Access by role is
    /// changed by changing the role.
    pub async fn revoke_access(&self, actor: &Actor, id: ClientId, user: UserId) -> Result<(), ClientError> {
        policy::require(actor, Action::Administer)?;
        self.guard.require(actor, id, Action::Administer).await?;
        let access = self.clients.access_list(id).await?;
        let held: Vec<AccessSource> = access.iter().filter(|a| a.user_id == user).map(|a| a.source).collect();
        if held.is_empty() {
            return Err(ClientError::NotFound);
        }
        if held == [AccessSource::Role] {
            return Err(ClientError::conflict(
                "the user sees every client by their role; change the role to withdraw it",
            ));
        }
        let now = self.clock.now();
        let user_text = json!(user.to_string());
        let mut changes = Vec::new();
        if held.contains(&AccessSource::Grant) {
            changes.push(axis_kernel::FieldChange {
                field: "grant".into(),
                old: user_text.clone(),
                new: json!(null),
            });
        }
        if held.contains(&AccessSource::AccountManager) {
            changes.push(axis_kernel::FieldChange {
                field: "account_manager_id".into(),
                old: user_text,
                new: json!(null),
            });
        }
        let audit = AuditRecord::new(actor, "client.revoke_grant", "client", Some(id.to_string()), now)
            .with_changes(changes);
        if self.clients.revoke_access(user, id, audit).await? { Ok(()) } else { Err(ClientError::NotFound) }
    }
}
