//! The beneficiary use cases: create under a staff member, read (audited, fail-closed), list,
//! family, edit (moving only within the employer), deactivate and reactivate with their dates,
//! soft delete and restore, anonymisation, and eligibility (their own, and anyone's by id).

use std::sync::Arc;

use axis_kernel::audit::record_read;
use axis_kernel::{
    Actor, AuditRecord, AuditTrail, ClientAction, ClientGuard, ClientId, Clock, DomainError, FieldErrors,
    Page, PageRequest, Profile, Scheduled, apply_due, expect_version, retry_unconditional,
};
use axis_staff::{StaffId, StaffMember, StaffService};
use time::Date;

use crate::{
    Beneficiary, BeneficiaryAction, BeneficiaryDraft, BeneficiaryFields, BeneficiaryId, BeneficiaryListQuery,
    BeneficiaryRepository, BeneficiaryStatus, BeneficiaryStatusChange, LIFECYCLE,
};

/// A staff member and their beneficiaries.
#[derive(Debug, Clone, PartialEq)]
pub struct Family {
    pub staff: StaffMember,
    pub beneficiaries: Vec<Beneficiary>,
}

axis_kernel::string_enum! {
    /// Which kind of member an answer is about.
    pub enum MemberKind { Staff => "staff", Beneficiary => "beneficiary" }
}

pub struct BeneficiaryService {
    beneficiaries: Arc<dyn BeneficiaryRepository>,
    staff: Arc<StaffService>,
    guard: ClientGuard,
    trail: Arc<dyn AuditTrail>,
    clock: Arc<dyn Clock>,
}

impl BeneficiaryService {
    pub fn new(
        beneficiaries: Arc<dyn BeneficiaryRepository>,
        staff: Arc<StaffService>,
        access: Arc<dyn axis_kernel::ClientAccess>,
        trail: Arc<dyn AuditTrail>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { beneficiaries, staff, guard: ClientGuard::new(access), trail, clock }
    }

    /// The beneficiary `id` if the actor may take `action` on them (as for staff).
    async fn load(
        &self,
        actor: &Actor,
        id: BeneficiaryId,
        action: ClientAction,
    ) -> Result<Beneficiary, DomainError> {
        self.guard.require_owned(actor, self.beneficiaries.get(id).await?, action).await
    }

    /// Records that `actor` was shown these beneficiaries (and staff members, in a family).
    async fn record_read(
        &self,
        actor: &Actor,
        shown: &[BeneficiaryId],
        staff: &[StaffId],
    ) -> Result<(), DomainError> {
        if shown.is_empty() && staff.is_empty() {
            return Ok(());
        }
        let ids = shown.iter().map(ToString::to_string).collect();
        let mut record = AuditRecord::read(actor, "beneficiary", ids, self.clock.now());
        if !staff.is_empty() {
            record =
                record.with_detail("staff_ids", staff.iter().map(ToString::to_string).collect::<Vec<_>>());
        }
        record_read(self.trail.as_ref(), &record).await
    }

    async fn save(
        &self,
        before: &Beneficiary,
        after: &Beneficiary,
        change: Option<BeneficiaryStatusChange>,
        audit: AuditRecord,
    ) -> Result<Beneficiary, DomainError> {
        self.beneficiaries
            .save(after, before.version, change, &audit)
            .await?
            .ok_or(DomainError::VersionMismatch)
    }

    /// The staff member a beneficiary is to belong to, in the actor's scope (else 422).
    async fn staff_reference(&self, actor: &Actor, id: StaffId) -> Result<StaffMember, DomainError> {
        match self.staff.load(actor, id, ClientAction::Read).await {
            Ok(member) if member.deleted_at.is_none() => Ok(member),
            Ok(_) | Err(DomainError::NotFound | DomainError::Forbidden) => {
                Err(FieldErrors::single("staff_id", "does not exist").into())
            }
            Err(other) => Err(other),
        }
    }

    pub async fn create(&self, actor: &Actor, fields: BeneficiaryFields) -> Result<Beneficiary, DomainError> {
        ClientAction::Manage.require(actor)?;
        let (now, today) = (self.clock.now(), self.clock.today());
        let draft = BeneficiaryDraft::parse(fields, today)?;
        let staff = self.staff_reference(actor, draft.staff_id).await?;
        self.guard.require(actor, staff.client_id, ClientAction::Manage).await?;
        let beneficiary = Beneficiary {
            id: BeneficiaryId::new(),
            staff_id: staff.id,
            client_id: staff.client_id,
            profile: draft.profile,
            relation: draft.relation,
            guardian: draft.guardian,
            status: BeneficiaryStatus::Active,
            scheduled_change: None,
            last_service_date: draft.last_service_date,
            notes: draft.notes,
            version: 1,
            created_at: now,
            updated_at: now,
            deleted_at: None,
            anonymised_at: None,
        };
        let created = BeneficiaryStatusChange {
            status: BeneficiaryStatus::Active,
            effective_on: today,
            at: now,
            reason: None,
            pending: false,
        };
        let audit = AuditRecord::created(actor, &beneficiary, now);
        self.beneficiaries.insert(&beneficiary, &created, &audit).await
    }

    pub async fn get(&self, actor: &Actor, id: BeneficiaryId) -> Result<Beneficiary, DomainError> {
        let beneficiary = self.load(actor, id, ClientAction::Read).await?;
        self.record_read(actor, &[id], &[]).await?;
        Ok(shown(actor, beneficiary))
    }

    /// The status history, in the order it was recorded.
    pub async fn history(
        &self,
        actor: &Actor,
        id: BeneficiaryId,
    ) -> Result<(Beneficiary, Vec<BeneficiaryStatusChange>), DomainError> {
        let beneficiary = self.load(actor, id, ClientAction::Read).await?;
        let history = self.beneficiaries.history(id).await?;
        self.record_read(actor, &[id], &[]).await?;
        Ok((shown(actor, beneficiary), history))
    }

    pub async fn list(
        &self,
        actor: &Actor,
        query: BeneficiaryListQuery,
        page: PageRequest,
    ) -> Result<Page<Beneficiary>, DomainError> {
        if query.include_deleted {
            ClientAction::Administer.require(actor)?;
        }
        let query = BeneficiaryListQuery { search: query.search.map(|s| s.by(actor.role)), ..query };
        let found = self.beneficiaries.list(actor.client_scope(), &query, page).await?;
        let ids: Vec<BeneficiaryId> = found.items.iter().map(|b| b.id).collect();
        self.record_read(actor, &ids, &[]).await?;
        Ok(found.map(|b| shown(actor, b)))
    }

    /// The beneficiaries of one client the actor may see (`NotFound` for a client out of scope).
    pub async fn list_of_client(
        &self,
        actor: &Actor,
        client: ClientId,
        query: BeneficiaryListQuery,
        page: PageRequest,
    ) -> Result<Page<Beneficiary>, DomainError> {
        self.guard.require(actor, client, ClientAction::Read).await?;
        self.list(actor, BeneficiaryListQuery { client: Some(client), ..query }, page).await
    }

    /// A staff member with their beneficiaries.
    pub async fn family_of_staff(&self, actor: &Actor, staff: StaffId) -> Result<Family, DomainError> {
        let member = self.staff.load(actor, staff, ClientAction::Read).await?;
        let beneficiaries = self.beneficiaries.of_staff(staff).await?;
        let ids: Vec<BeneficiaryId> = beneficiaries.iter().map(|b| b.id).collect();
        self.record_read(actor, &ids, &[staff]).await?;
        Ok(Family {
            staff: StaffMember { profile: member.profile.seen_by(actor.role), ..member },
            beneficiaries: beneficiaries.into_iter().map(|b| shown(actor, b)).collect(),
        })
    }

    /// A beneficiary's family: their staff member and everyone registered under them.
    pub async fn family(&self, actor: &Actor, id: BeneficiaryId) -> Result<Family, DomainError> {
        let beneficiary = self.load(actor, id, ClientAction::Read).await?;
        self.family_of_staff(actor, beneficiary.staff_id).await
    }

    /// Replaces the editable fields (PUT, and PATCH after merging); see `replace_once`. Without
    /// `If-Match` a race with another write is tried again rather than answered 412.
    pub async fn replace(
        &self,
        actor: &Actor,
        id: BeneficiaryId,
        fields: BeneficiaryFields,
        if_match: Option<i32>,
    ) -> Result<Beneficiary, DomainError> {
        retry_unconditional(if_match, || self.replace_once(actor, id, fields.clone(), if_match)).await
    }

    /// Merges `change` into the current fields, then replaces (tried again after a lost race
    /// when the caller sent no `If-Match`).
    pub async fn update(
        &self,
        actor: &Actor,
        id: BeneficiaryId,
        change: impl FnOnce(&mut BeneficiaryFields) + Send + Clone,
        if_match: Option<i32>,
    ) -> Result<Beneficiary, DomainError> {
        retry_unconditional(if_match, || self.update_once(actor, id, change.clone(), if_match)).await
    }

    /// A lifecycle action (tried again after a lost race when the caller sent no `If-Match`).
    pub async fn act(
        &self,
        actor: &Actor,
        id: BeneficiaryId,
        action: BeneficiaryAction,
        effective_on: Option<Date>,
        reason: Option<String>,
        if_match: Option<i32>,
    ) -> Result<Beneficiary, DomainError> {
        retry_unconditional(if_match, || {
            self.act_once(actor, id, action, effective_on, reason.clone(), if_match)
        })
        .await
    }

    /// Soft delete: gone from every read but for admins, who can restore it.
    pub async fn delete(&self, actor: &Actor, id: BeneficiaryId) -> Result<(), DomainError> {
        retry_unconditional(None, || self.delete_once(actor, id)).await
    }

    pub async fn restore(&self, actor: &Actor, id: BeneficiaryId) -> Result<Beneficiary, DomainError> {
        retry_unconditional(None, || self.restore_once(actor, id)).await
    }

    /// Erasure (admin) of a former member's person data; see `anonymise_once`.
    pub async fn anonymise(&self, actor: &Actor, id: BeneficiaryId) -> Result<Beneficiary, DomainError> {
        retry_unconditional(None, || self.anonymise_once(actor, id)).await
    }

    /// Replaces the editable fields (PUT, and PATCH after merging). A beneficiary moves only
    /// between staff members of the same client; the status does not change this way.
    async fn replace_once(
        &self,
        actor: &Actor,
        id: BeneficiaryId,
        fields: BeneficiaryFields,
        if_match: Option<i32>,
    ) -> Result<Beneficiary, DomainError> {
        let current = self.load(actor, id, ClientAction::Manage).await?;
        expect_version(if_match, current.version)?;
        if current.anonymised_at.is_some() {
            return Err(DomainError::conflict("an anonymised beneficiary cannot be edited"));
        }
        let draft = BeneficiaryDraft::parse(fields, self.clock.today())?;
        if draft.staff_id != current.staff_id {
            let staff = self.staff_reference(actor, draft.staff_id).await?;
            if staff.client_id != current.client_id {
                return Err(FieldErrors::single(
                    "staff_id",
                    "must be a staff member of the same client: a beneficiary moves only within their employer",
                )
                .into());
            }
        }
        let after = Beneficiary {
            staff_id: draft.staff_id,
            profile: draft.profile,
            relation: draft.relation,
            guardian: draft.guardian,
            last_service_date: draft.last_service_date,
            notes: draft.notes,
            ..current.clone()
        };
        match AuditRecord::changed(actor, "update", &current, &after, self.clock.now()) {
            Some(audit) => self.save(&current, &after, None, audit).await,
            None => Ok(current),
        }
    }

    /// Merges `change` into the current fields, then replaces.
    async fn update_once(
        &self,
        actor: &Actor,
        id: BeneficiaryId,
        change: impl FnOnce(&mut BeneficiaryFields) + Send,
        if_match: Option<i32>,
    ) -> Result<Beneficiary, DomainError> {
        let current = self.load(actor, id, ClientAction::Manage).await?;
        let mut fields = BeneficiaryFields::from_beneficiary(&current);
        change(&mut fields);
        self.replace_once(actor, id, fields, if_match.or(Some(current.version))).await
    }

    /// `/deactivate` or `/reactivate`, effective on `effective_on` (today when absent).
    async fn act_once(
        &self,
        actor: &Actor,
        id: BeneficiaryId,
        action: BeneficiaryAction,
        effective_on: Option<Date>,
        reason: Option<String>,
        if_match: Option<i32>,
    ) -> Result<Beneficiary, DomainError> {
        let current = self.load(actor, id, ClientAction::Manage).await?;
        expect_version(if_match, current.version)?;
        let status = LIFECYCLE.next(current.status, action)?;
        let reason = axis_staff::input::parse_reason("reason", reason, false)?;
        let (now, today) = (self.clock.now(), self.clock.today());
        let effective_on = effective_on.unwrap_or(today);
        // A change before the history begins would be hidden behind the registration.
        let history = self.beneficiaries.history(id).await?;
        if let Some(registered) = history.first().map(|change| change.effective_on)
            && effective_on < registered
        {
            return Err(FieldErrors::single(
                "effective_on",
                format!("must not be before the beneficiary was registered ({registered})"),
            )
            .into());
        }
        let change = BeneficiaryStatusChange::dated(status, effective_on, today, now, reason);
        // Dated ahead, the change waits for its day (the record keeps today's status); it
        // replaces any change scheduled before it.
        let after = if change.pending {
            Beneficiary { scheduled_change: Some(Scheduled { status, on: effective_on }), ..current.clone() }
        } else {
            Beneficiary { status, scheduled_change: None, ..current.clone() }
        };
        let audit = AuditRecord::changed_or_action(actor, action.as_str(), &current, &after, now)
            .with_detail("effective_on", effective_on.to_string())
            .with_detail("scheduled", change.pending);
        self.save(&current, &after, Some(change), audit).await
    }

    /// Lets the changes whose day has come take effect (the apply job, as the worker): the staff
    /// members' first, then the beneficiaries' — each status moves with its audit record, in one
    /// transaction. Answers how many changes took effect.
    pub async fn apply_scheduled(&self) -> Result<u64, DomainError> {
        let today = self.clock.today();
        let staff = self.staff.apply_scheduled().await?;
        let beneficiaries = apply_due(
            |limit| self.beneficiaries.due_changes(today, limit),
            |(beneficiary, change_id, change): (Beneficiary, i64, BeneficiaryStatusChange)| async move {
                let after =
                    Beneficiary { status: change.status, scheduled_change: None, ..beneficiary.clone() };
                let audit = AuditRecord::changed_or_action(
                    &Actor::worker(),
                    "scheduled_change",
                    &beneficiary,
                    &after,
                    self.clock.now(),
                )
                .with_detail("effective_on", change.effective_on.to_string());
                self.beneficiaries.apply_change(&after, beneficiary.version, change_id, &audit).await
            },
        )
        .await?;
        Ok(staff + beneficiaries)
    }

    async fn delete_once(&self, actor: &Actor, id: BeneficiaryId) -> Result<(), DomainError> {
        let current = self.load(actor, id, ClientAction::Manage).await?;
        if current.deleted_at.is_some() {
            return Err(DomainError::NotFound);
        }
        let now = self.clock.now();
        let after = Beneficiary { deleted_at: Some(now), ..current.clone() };
        self.save(&current, &after, None, AuditRecord::deleted(actor, &current, now)).await.map(|_| ())
    }

    async fn restore_once(&self, actor: &Actor, id: BeneficiaryId) -> Result<Beneficiary, DomainError> {
        let current = self.load(actor, id, ClientAction::Administer).await?;
        if current.deleted_at.is_none() {
            return Err(DomainError::conflict("the beneficiary is not deleted"));
        }
        let after = Beneficiary { deleted_at: None, ..current.clone() };
        let now = self.clock.now();
        let audit = AuditRecord::changed_or_action(actor, "restore", &current, &after, now);
        self.save(&current, &after, None, audit).await
    }

    /// Erasure (admin) of a former (inactive) beneficiary: the profile, guardian and notes are
    /// blanked; ids, relation and dates stay for statistics.
    async fn anonymise_once(&self, actor: &Actor, id: BeneficiaryId) -> Result<Beneficiary, DomainError> {
        let current = self.load(actor, id, ClientAction::Administer).await?;
        if current.anonymised_at.is_some() {
            return Err(DomainError::conflict("the beneficiary is already anonymised"));
        }
        if current.status != BeneficiaryStatus::Inactive {
            return Err(DomainError::conflict("only a former (inactive) beneficiary can be anonymised"));
        }
        let now = self.clock.now();
        let after = Beneficiary {
            profile: Profile::anonymised(),
            guardian: None,
            notes: None,
            anonymised_at: Some(now),
            ..current.clone()
        };
        let audit = AuditRecord::changed_or_action(actor, "anonymise", &current, &after, now);
        self.save(&current, &after, None, audit).await
    }
}

/// The beneficiary as `actor` may see them: viewers never see contact data (nor a named
/// guardian's phone and e-mail).
fn shown(actor: &Actor, beneficiary: Beneficiary) -> Beneficiary {
    let hidden = !axis_kernel::person::reads_contact_data(actor.role);
    let guardian = match beneficiary.guardian {
        Some(crate::Guardian::Named { name, relation, .. }) if hidden => {
            Some(crate::Guardian::Named { name, relation, phone: None, email: None })
        }
        other => other,
    };
    Beneficiary { profile: beneficiary.profile.seen_by(actor.role), guardian, ..beneficiary }
}

#[cfg(test)]
mod tests;
