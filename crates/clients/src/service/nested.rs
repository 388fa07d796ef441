//! Tags, contacts and activities. Contacts and activities live inside a client: every use case
//! first resolves the client within the caller's scope.

use axis_kernel::{Actor, AuditRecord, ClientId, DomainError, Page, PageRequest};

use super::ClientService;
use crate::input::{ActivityDraft, ActivityFields, ContactDraft, TagDraft};
use crate::policy::{self, Action};
use crate::ports::ActivityFilter;
use crate::{Activity, ActivityId, ClientError, Contact, ContactId, Tag, TagId};

impl ClientService {
    pub async fn list_tags(
        &self,
        actor: &Actor,
        search: Option<String>,
        page: PageRequest,
    ) -> Result<Page<(Tag, i64)>, ClientError> {
        policy::require(actor, Action::Read)?;
        self.tags.list(search, page).await
    }

    pub async fn get_tag(&self, actor: &Actor, id: TagId) -> Result<Tag, ClientError> {
        policy::require(actor, Action::Read)?;
        self.tags.get(id).await?.ok_or(ClientError::NotFound)
    }

    pub async fn create_tag(&self, actor: &Actor, draft: TagDraft) -> Result<Tag, ClientError> {
        policy::require(actor, Action::Manage)?;
        let now = self.clock.now();
        let tag = Tag {
            id: TagId::new(),
            name: draft.name,
            slug: draft.slug,
            color: draft.color,
            description: draft.description,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        self.tags.create(&tag, AuditRecord::created(actor, &tag, now)).await?;
        Ok(tag)
    }

    pub async fn update_tag(
        &self,
        actor: &Actor,
        id: TagId,
        draft: TagDraft,
        if_match: Option<i32>,
    ) -> Result<Tag, ClientError> {
        policy::require(actor, Action::Manage)?;
        let current = self.tags.get(id).await?.ok_or(ClientError::NotFound)?;
        axis_kernel::expect_version(if_match, current.version)?;
        let mut next = current.clone();
        next.name = draft.name;
        next.slug = draft.slug;
        next.color = draft.color;
        next.description = draft.description;
        let now = self.clock.now();
        let Some(audit) = AuditRecord::changed(actor, "update", &current, &next, now) else {
            return Ok(current);
        };
        next.updated_at = now;
        self.tags.update(&next, current.version, audit).await
    }

    pub async fn delete_tag(&self, actor: &Actor, id: TagId) -> Result<(), ClientError> {
        policy::require(actor, Action::Manage)?;
        let tag = self.tags.get(id).await?.ok_or(ClientError::NotFound)?;
        let now = self.clock.now();
        self.tags.delete(id, AuditRecord::deleted(actor, &tag, now)).await
    }

    pub async fn list_contacts(
        &self,
        actor: &Actor,
        client: ClientId,
        page: PageRequest,
    ) -> Result<Page<Contact>, ClientError> {
        self.guard.require(actor, client, Action::Read).await?;
        self.contacts.list(client, page).await
    }

    pub async fn get_contact(
        &self,
        actor: &Actor,
        client: ClientId,
        id: ContactId,
    ) -> Result<Contact, ClientError> {
        self.guard.require(actor, client, Action::Read).await?;
        self.contacts.get(client, id).await?.ok_or(ClientError::NotFound)
    }

    pub async fn create_contact(
        &self,
        actor: &Actor,
        client: ClientId,
        draft: ContactDraft,
    ) -> Result<Contact, ClientError> {
        self.guard.require(actor, client, Action::Edit).await?;
        if draft.is_primary {
            self.refuse_second_primary(client).await?;
        }
        let now = self.clock.now();
        let contact = Contact {
            id: ContactId::new(),
            client_id: client,
            first_name: draft.first_name,
            last_name: draft.last_name,
            email: draft.email,
            phone: draft.phone,
            mobile: draft.mobile,
            role: draft.role,
            title: draft.title,
            department: draft.department,
            is_primary: draft.is_primary,
            preferred_contact_method: draft.preferred_contact_method,
            is_active: draft.is_active,
            notes: draft.notes,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        self.contacts.create(&contact, AuditRecord::created(actor, &contact, now)).await?;
        Ok(contact)
    }

    pub async fn update_contact(
        &self,
        actor: &Actor,
        client: ClientId,
        id: ContactId,
        draft: ContactDraft,
        if_match: Option<i32>,
    ) -> Result<Contact, ClientError> {
        self.guard.require(actor, client, Action::Edit).await?;
        let current = self.contacts.get(client, id).await?.ok_or(ClientError::NotFound)?;
        axis_kernel::expect_version(if_match, current.version)?;
        if draft.is_primary && !current.is_primary {
            self.refuse_second_primary(client).await?;
        }
        let next = Contact {
            first_name: draft.first_name,
            last_name: draft.last_name,
            email: draft.email,
            phone: draft.phone,
            mobile: draft.mobile,
            role: draft.role,
            title: draft.title,
            department: draft.department,
            is_primary: draft.is_primary,
            preferred_contact_method: draft.preferred_contact_method,
            is_active: draft.is_active,
            notes: draft.notes,
            ..current.clone()
        };
        self.save_contact(actor, &current, next, "update").await
    }

    /// Makes `id` the client's only primary contact: the move is explicit, and its audit
    /// record names the contact that gave up the flag (`previous_primary`).
    pub async fn set_primary_contact(
        &self,
        actor: &Actor,
        client: ClientId,
        id: ContactId,
    ) -> Result<Contact, ClientError> {
        self.guard.require(actor, client, Action::Edit).await?;
        let current = self.contacts.get(client, id).await?.ok_or(ClientError::NotFound)?;
        let previous = self.contacts.primary(client).await?.filter(|primary| primary.id != id);
        let next = Contact { is_primary: true, updated_at: self.clock.now(), ..current.clone() };
        let Some(mut audit) = AuditRecord::changed(actor, "set_primary", &current, &next, next.updated_at)
        else {
            return Ok(current);
        };
        if let Some(previous) = previous {
            audit = audit.with_detail("previous_primary", previous.id.to_string());
        }
        self.contacts.update(&next, current.version, audit).await
    }

    /// A client has one primary contact, and it is never demoted silently: making another
    /// one primary on create or edit is a 409 naming the current one (the move is
    /// `set-primary`).
    async fn refuse_second_primary(&self, client: ClientId) -> Result<(), ClientError> {
        match self.contacts.primary(client).await? {
            Some(primary) => Err(DomainError::Conflict {
                message: format!(
                    "the client's primary contact is {} ({}); make another one primary with \
                     POST /api/v1/clients/{client}/contacts/{{contact_id}}/set-primary",
                    format!("{} {}", primary.first_name, primary.last_name).trim(),
                    primary.id
                ),
                errors: axis_kernel::FieldErrors::single(
                    "is_primary",
                    format!("held by contact {}", primary.id),
                ),
            }),
            None => Ok(()),
        }
    }

    async fn save_contact(
        &self,
        actor: &Actor,
        current: &Contact,
        mut next: Contact,
        verb: &str,
    ) -> Result<Contact, ClientError> {
        let now = self.clock.now();
        let Some(audit) = AuditRecord::changed(actor, verb, current, &next, now) else {
            return Ok(current.clone());
        };
        next.updated_at = now;
        self.contacts.update(&next, current.version, audit).await
    }

    pub async fn delete_contact(
        &self,
        actor: &Actor,
        client: ClientId,
        id: ContactId,
    ) -> Result<(), ClientError> {
        self.guard.require(actor, client, Action::Edit).await?;
        let contact = self.contacts.get(client, id).await?.ok_or(ClientError::NotFound)?;
        let now = self.clock.now();
        self.contacts.delete(client, id, now, AuditRecord::deleted(actor, &contact, now)).await
    }

    pub async fn list_activities(
        &self,
        actor: &Actor,
        client: ClientId,
        filter: &ActivityFilter,
        page: PageRequest,
    ) -> Result<Page<Activity>, ClientError> {
        self.guard.require(actor, client, Action::Read).await?;
        self.activities.list(client, filter, page).await
    }

    pub async fn get_activity(
        &self,
        actor: &Actor,
        client: ClientId,
        id: ActivityId,
    ) -> Result<Activity, ClientError> {
        self.guard.require(actor, client, Action::Read).await?;
        self.activities.get(client, id).await?.ok_or(ClientError::NotFound)
    }

    /// The contact an activity names must belong to the same client.
    async fn check_contact(&self, client: ClientId, contact: Option<ContactId>) -> Result<(), ClientError> {
        if let Some(contact) = contact
            && self.contacts.get(client, contact).await?.is_none()
        {
            let message = "is not a contact of this client";
            return Err(axis_kernel::FieldErrors::single("contact_id", message).into());
        }
        Ok(())
    }

    pub async fn create_activity(
        &self,
        actor: &Actor,
        client: ClientId,
        fields: ActivityFields,
    ) -> Result<Activity, ClientError> {
        self.guard.require(actor, client, Action::Edit).await?;
        let draft = ActivityDraft::parse(fields, self.clock.now())?;
        let fields = draft.0;
        self.check_contact(client, fields.contact_id).await?;
        let now = self.clock.now();
        let activity = Activity {
            id: ActivityId::new(),
            client_id: client,
            activity_type: fields.activity_type,
            title: fields.title,
            body: fields.body,
            activity_date: fields.activity_date.unwrap_or(now),
            author_id: actor.user_id,
            contact_id: fields.contact_id,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        self.activities.create(&activity, AuditRecord::created(actor, &activity, now)).await?;
        Ok(activity)
    }

    pub async fn update_activity(
        &self,
        actor: &Actor,
        client: ClientId,
        id: ActivityId,
        fields: ActivityFields,
        if_match: Option<i32>,
    ) -> Result<Activity, ClientError> {
        self.guard.require(actor, client, Action::Edit).await?;
        let current = self.activities.get(client, id).await?.ok_or(ClientError::NotFound)?;
        axis_kernel::expect_version(if_match, current.version)?;
        let fields = ActivityDraft::parse(fields, self.clock.now())?.0;
        self.check_contact(client, fields.contact_id).await?;
        let mut next = Activity {
            activity_type: fields.activity_type,
            title: fields.title,
            body: fields.body,
            activity_date: fields.activity_date.unwrap_or(current.activity_date),
            contact_id: fields.contact_id,
            ..current.clone()
        };
        let now = self.clock.now();
        let Some(audit) = AuditRecord::changed(actor, "update", &current, &next, now) else {
            return Ok(current);
        };
        next.updated_at = now;
        self.activities.update(&next, current.version, audit).await
    }

    pub async fn delete_activity(
        &self,
        actor: &Actor,
        client: ClientId,
        id: ActivityId,
    ) -> Result<(), ClientError> {
        self.guard.require(actor, client, Action::Edit).await?;
        let activity = self.activities.get(client, id).await?.ok_or(ClientError::NotFound)?;
        let now = self.clock.now();
        self.activities.delete(client, id, now, AuditRecord::deleted(actor, &activity, now)).await
    }
}
