//! The staff use cases: create, read (every read of person data audited, fail-closed), list,
//! edit, the lifecycle's actions with their dates, soft delete and restore, anonymisation, and
//! eligibility on a date.

use std::sync::Arc;

use axis_kernel::{
    Actor, AuditRecord, AuditTrail, ClientAccess, ClientAction, Clock, DomainError, FieldErrors, MemberStore,
    Members, Page, PageRequest, Profile, retry_unconditional,
};
use time::{Date, Duration};

use crate::input::parse_reason;
use crate::{
    LIFECYCLE, Leave, StaffAction, StaffDraft, StaffFields, StaffId, StaffListQuery, StaffMember,
    StaffRepository, StaffStatus, StaffStatusChange,
};

/// A member with their status history, in the order it was recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffDetail {
    pub member: StaffMember,
    pub history: Vec<StaffStatusChange>,
}

/// A lifecycle action as requested, with what it needs. Dates default to today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Act {
    /// Employment ends on `end_date`; the member is inactive from the day after.
    Deactivate {
        end_date: Option<Date>,
        reason: Option<String>,
    },
    OnLeave {
        leave_type: String,
        expected_return: Option<Date>,
        effective_on: Option<Date>,
    },
    Suspend {
        reason: String,
        effective_on: Option<Date>,
    },
    /// Final. Employment ends on `end_date`.
    Terminate {
        end_date: Option<Date>,
        reason: String,
    },
    /// Final. Employment ends on `end_date`.
    Resign {
        end_date: Option<Date>,
        reason: Option<String>,
    },
    /// Back to active: leave and any end of employment are cleared.
    Reactivate {
        effective_on: Option<Date>,
    },
}

impl Act {
    pub fn action(&self) -> StaffAction {
        match self {
            Act::Deactivate { .. } => StaffAction::Deactivate,
            Act::OnLeave { .. } => StaffAction::OnLeave,
            Act::Suspend { .. } => StaffAction::Suspend,
            Act::Terminate { .. } => StaffAction::Terminate,
            Act::Resign { .. } => StaffAction::Resign,
            Act::Reactivate { .. } => StaffAction::Reactivate,
        }
    }
}

pub struct StaffService {
    staff: Arc<dyn StaffRepository>,
    members: Members<StaffMember>,
}

impl StaffService {
    pub fn new(
        staff: Arc<dyn StaffRepository>,
        store: Arc<dyn MemberStore<StaffMember>>,
        access: Arc<dyn ClientAccess>,
        trail: Arc<dyn AuditTrail>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { staff, members: Members::new(store, access, trail, clock) }
    }

    /// The member `id` if the actor may take `action` on them: one outside the actor's scope,
    /// or deleted (unless the actor administers), is `NotFound`. Records no read: a use case
    /// that shows the member records it (beneficiaries load their staff member through this).
    pub async fn load(
        &self,
        actor: &Actor,
        id: StaffId,
        action: ClientAction,
    ) -> Result<StaffMember, DomainError> {
        self.members.load(actor, id, action).await
    }

    pub async fn create(&self, actor: &Actor, fields: StaffFields) -> Result<StaffDetail, DomainError> {
        ClientAction::Manage.require(actor)?;
        let draft = StaffDraft::parse(fields, None, self.members.clock.today())?;
        self.members.guard.require_reference(actor, "client_id", draft.client_id).await?;
        let now = self.members.clock.now();
        let member = StaffMember {
            id: StaffId::new(),
            client_id: draft.client_id,
            profile: draft.profile,
            employee_number: draft.employee_number,
            job_title: draft.job_title,
            department: draft.department,
            role: draft.role,
            employment_start: draft.employment_start,
            employment_end: None,
            status: StaffStatus::Active,
            scheduled_change: None,
            leave: None,
            status_reason: None,
            version: 1,
            created_at: now,
            updated_at: now,
            deleted_at: None,
            anonymised_at: None,
        };
        // Active from the start of employment, so past dates within it have their answer.
        let created = StaffStatusChange {
            status: StaffStatus::Active,
            effective_on: member.employment_start,
            at: now,
            reason: None,
            pending: false,
        };
        let audit = AuditRecord::created(actor, &member, now);
        let member = self.staff.insert(&member, &created, &audit).await?;
        Ok(StaffDetail { member, history: vec![created] })
    }

    pub async fn get(&self, actor: &Actor, id: StaffId) -> Result<StaffMember, DomainError> {
        self.members.get(actor, id).await
    }

    /// The status history, in the order it was recorded.
    pub async fn history(&self, actor: &Actor, id: StaffId) -> Result<StaffDetail, DomainError> {
        let (member, history) = self.members.history(actor, id).await?;
        Ok(StaffDetail { member, history })
    }

    /// Members in the actor's scope (a `client` filter outside it finds none).
    pub async fn list(
        &self,
        actor: &Actor,
        query: StaffListQuery,
        page: PageRequest,
    ) -> Result<Page<StaffMember>, DomainError> {
        if query.include_deleted {
            ClientAction::Administer.require(actor)?;
        }
        let query = StaffListQuery { search: query.search.map(|s| s.by(actor.role)), ..query };
        let found = self.staff.list(actor.client_scope(), &query, page).await?;
        self.members.shown_page(actor, found).await
    }

    /// The staff of one client the actor may see (`NotFound` for a client out of scope).
    pub async fn list_of_client(
        &self,
        actor: &Actor,
        client: axis_kernel::ClientId,
        query: StaffListQuery,
        page: PageRequest,
    ) -> Result<Page<StaffMember>, DomainError> {
        self.members.guard.require(actor, client, ClientAction::Read).await?;
        self.list(actor, StaffListQuery { client: Some(client), ..query }, page).await
    }

    /// Replaces the editable fields (PUT, and PATCH after merging); see `replace_once`. Without
    /// `If-Match` a race with another write is tried again rather than answered 412.
    pub async fn replace(
        &self,
        actor: &Actor,
        id: StaffId,
        fields: StaffFields,
        if_match: Option<i32>,
    ) -> Result<StaffMember, DomainError> {
        retry_unconditional(if_match, || self.replace_once(actor, id, fields.clone(), if_match)).await
    }

    /// Merges `change` into the current fields, then replaces (tried again after a lost race
    /// when the caller sent no `If-Match`).
    pub async fn update(
        &self,
        actor: &Actor,
        id: StaffId,
        change: impl FnOnce(&mut StaffFields) + Send + Clone,
        if_match: Option<i32>,
    ) -> Result<StaffMember, DomainError> {
        let replace = |fields, if_match| self.replace_once(actor, id, fields, if_match);
        self.members.update(actor, id, change, if_match, replace).await
    }

    /// A lifecycle action (tried again after a lost race when the caller sent no `If-Match`).
    pub async fn act(
        &self,
        actor: &Actor,
        id: StaffId,
        act: Act,
        if_match: Option<i32>,
    ) -> Result<StaffMember, DomainError> {
        retry_unconditional(if_match, || self.act_once(actor, id, act.clone(), if_match)).await
    }

    /// Soft delete: gone from every read but for admins, who can restore it.
    pub async fn delete(&self, actor: &Actor, id: StaffId) -> Result<(), DomainError> {
        self.members.delete(actor, id).await
    }

    pub async fn restore(&self, actor: &Actor, id: StaffId) -> Result<StaffMember, DomainError> {
        self.members.restore(actor, id).await
    }

    /// Erasure (admin): a former member's profile is blanked; ids, employer, dates and status
    /// stay for statistics. Someone still employed is refused (409).
    pub async fn anonymise(&self, actor: &Actor, id: StaffId) -> Result<StaffMember, DomainError> {
        let former = |member: &StaffMember| {
            if member.status.ends_employment() || member.status == StaffStatus::Inactive {
                return Ok(());
            }
            Err(DomainError::conflict(
                "only a former member (inactive, terminated or resigned) can be anonymised",
            ))
        };
        let erase = |member: StaffMember, now| StaffMember {
            profile: Profile::anonymised(),
            employee_number: None,
            status_reason: None,
            leave: None,
            anonymised_at: Some(now),
            ..member
        };
        self.members.anonymise(actor, id, former, erase).await
    }

    /// Replaces the editable fields (PUT, and PATCH after merging). The employer, the status
    /// and the end date do not change this way.
    async fn replace_once(
        &self,
        actor: &Actor,
        id: StaffId,
        mut fields: StaffFields,
        if_match: Option<i32>,
    ) -> Result<StaffMember, DomainError> {
        let current = self.load(actor, id, ClientAction::Manage).await?;
        self.members.may_edit(&current, if_match)?;
        if fields.client_id.is_some_and(|client| client != current.client_id) {
            return Err(FieldErrors::single(
                "client_id",
                "cannot change: a member stays with their employer",
            )
            .into());
        }
        fields.client_id = Some(current.client_id);
        let draft = StaffDraft::parse(fields, current.employment_end, self.members.clock.today())?;
        let after = StaffMember {
            profile: draft.profile,
            employee_number: draft.employee_number,
            job_title: draft.job_title,
            department: draft.department,
            role: draft.role,
            employment_start: draft.employment_start,
            ..current.clone()
        };
        match AuditRecord::changed(actor, "update", &current, &after, self.members.clock.now()) {
            Some(audit) => self.members.save(&current, &after, None, audit).await,
            None => Ok(current),
        }
    }

    /// A lifecycle action: refused with `illegal_transition` unless the table allows it; the
    /// change enters the history with its effective date.
    async fn act_once(
        &self,
        actor: &Actor,
        id: StaffId,
        act: Act,
        if_match: Option<i32>,
    ) -> Result<StaffMember, DomainError> {
        let current = self.load(actor, id, ClientAction::Manage).await?;
        axis_kernel::expect_version(if_match, current.version)?;
        let action = act.action();
        let status = LIFECYCLE.next(current.status, action)?;
        let today = self.members.clock.today();
        let mut after = StaffMember { leave: None, ..current.clone() };
        let mut errors = FieldErrors::new();
        let (effective_on, reason) = match act {
            Act::Deactivate { end_date, reason } => {
                let reason =
                    parse_reason("reason", reason, false).map_err(|e| errors.merge(e)).ok().flatten();
                let end = self.end_of_employment(&mut errors, &current, end_date.unwrap_or(today));
                after.employment_end = Some(end);
                (end + Duration::days(1), reason)
            }
            Act::Terminate { end_date, reason } => {
                let reason =
                    parse_reason("reason", Some(reason), true).map_err(|e| errors.merge(e)).ok().flatten();
                let end = self.end_of_employment(&mut errors, &current, end_date.unwrap_or(today));
                after.employment_end = Some(end);
                (end + Duration::days(1), reason)
            }
            Act::Resign { end_date, reason } => {
                let reason =
                    parse_reason("reason", reason, false).map_err(|e| errors.merge(e)).ok().flatten();
                let end = self.end_of_employment(&mut errors, &current, end_date.unwrap_or(today));
                after.employment_end = Some(end);
                (end + Duration::days(1), reason)
            }
            Act::OnLeave { leave_type, expected_return, effective_on } => {
                let on = effective_on.unwrap_or(today);
                let leave_type = parse_reason("leave_type", Some(leave_type), true)
                    .map_err(|e| errors.merge(e))
                    .ok()
                    .flatten()
                    .unwrap_or_default();
                if expected_return.is_some_and(|back| back <= on) {
                    errors.add("expected_return", "must be after the leave starts");
                }
                after.leave = Some(Leave { leave_type: leave_type.clone(), expected_return });
                (on, Some(leave_type))
            }
            Act::Suspend { reason, effective_on } => {
                let reason =
                    parse_reason("reason", Some(reason), true).map_err(|e| errors.merge(e)).ok().flatten();
                (effective_on.unwrap_or(today), reason)
            }
            Act::Reactivate { effective_on } => {
                after.employment_end = None;
                (effective_on.unwrap_or(today), None)
            }
        };
        if effective_on < current.employment_start && action != StaffAction::Reactivate {
            errors.add("effective_on", "must not be before the employment start");
        }
        errors.into_result()?;
        let change = StaffStatusChange::dated(status, effective_on, today, self.members.clock.now(), reason);
        self.members.record_change(actor, action.as_str(), &current, after, change).await
    }

    /// Lets the changes whose day has come take effect (the apply job, as the worker): each
    /// member's status moves, with its audit record, in one transaction. Answers how many.
    pub async fn apply_scheduled(&self) -> Result<u64, DomainError> {
        self.members.apply_scheduled().await
    }

    /// An employment end date, checked against the start.
    fn end_of_employment(&self, errors: &mut FieldErrors, member: &StaffMember, end: Date) -> Date {
        if end < member.employment_start {
            errors.add("end_date", "must not be before the employment start");
        }
        end
    }
}

#[cfg(test)]
mod tests;
