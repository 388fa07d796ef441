//! The beneficiary use cases: create under a staff member, read (audited, fail-closed), list,
//! family, edit (moving only within the employer), deactivate and reactivate with their dates,
//! soft delete and restore, anonymisation, and eligibility (their own, and anyone's by id).

use std::sync::Arc;

use axis_kernel::{
    Actor, AuditRecord, AuditTrail, ClientAction, ClientId, Clock, DomainError, FieldErrors, Member,
    MemberStore, Members, Page, PageRequest, Profile, retry_unconditional,
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
    members: Members<Beneficiary>,
    staff: Arc<StaffService>,
}

impl BeneficiaryService {
    pub fn new(
        beneficiaries: Arc<dyn BeneficiaryRepository>,
        store: Arc<dyn MemberStore<Beneficiary>>,
        staff: Arc<StaffService>,
        access: Arc<dyn axis_kernel::ClientAccess>,
        trail: Arc<dyn AuditTrail>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { beneficiaries, members: Members::new(store, access, trail, clock), staff }
    }

    /// The beneficiary `id` if the actor may take `action` on them (as for staff).
    async fn load(
        &self,
        actor: &Actor,
        id: BeneficiaryId,
        action: ClientAction,
    ) -> Result<Beneficiary, DomainError> {
        self.members.load(actor, id, action).await
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
        let (now, today) = (self.members.clock.now(), self.members.clock.today());
        let draft = BeneficiaryDraft::parse(fields, today)?;
        let staff = self.staff_reference(actor, draft.staff_id).await?;
        self.members.guard.require(actor, staff.client_id, ClientAction::Manage).await?;
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
        self.members.get(actor, id).await
    }

    /// The status history, in the order it was recorded.
    pub async fn history(
        &self,
        actor: &Actor,
        id: BeneficiaryId,
    ) -> Result<(Beneficiary, Vec<BeneficiaryStatusChange>), DomainError> {
        self.members.history(actor, id).await
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
        self.members.shown_page(actor, found).await
    }

    /// The beneficiaries of one client the actor may see (`NotFound` for a client out of scope).
    pub async fn list_of_client(
        &self,
        actor: &Actor,
        client: ClientId,
        query: BeneficiaryListQuery,
        page: PageRequest,
    ) -> Result<Page<Beneficiary>, DomainError> {
        self.members.guard.require(actor, client, ClientAction::Read).await?;
        self.list(actor, BeneficiaryListQuery { client: Some(client), ..query }, page).await
    }

    /// A staff member with their beneficiaries.
    pub async fn family_of_staff(&self, actor: &Actor, staff: StaffId) -> Result<Family, DomainError> {
        let member = self.staff.load(actor, staff, ClientAction::Read).await?;
        let beneficiaries = self.beneficiaries.of_staff(staff).await?;
        let ids: Vec<BeneficiaryId> = beneficiaries.iter().map(|b| b.id).collect();
        let record = self.members.read_record(actor, &ids).with_detail("staff_ids", vec![staff.to_string()]);
        self.members.record(&record).await?;
        Ok(Family {
            staff: member.seen_by(actor.role),
            beneficiaries: beneficiaries.into_iter().map(|b| b.seen_by(actor.role)).collect(),
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
        let replace = |fields, if_match| self.replace_once(actor, id, fields, if_match);
        self.members.update(actor, id, change, if_match, replace).await
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
        self.members.delete(actor, id).await
    }

    pub async fn restore(&self, actor: &Actor, id: BeneficiaryId) -> Result<Beneficiary, DomainError> {
        self.members.restore(actor, id).await
    }

    /// Erasure (admin) of a former (inactive) beneficiary: the profile, guardian and notes are
    /// blanked; ids, relation and dates stay for statistics.
    pub async fn anonymise(&self, actor: &Actor, id: BeneficiaryId) -> Result<Beneficiary, DomainError> {
        let former = |beneficiary: &Beneficiary| match beneficiary.status {
            BeneficiaryStatus::Inactive => Ok(()),
            _ => Err(DomainError::conflict("only a former (inactive) beneficiary can be anonymised")),
        };
        let erase = |beneficiary: Beneficiary, now| Beneficiary {
            profile: Profile::anonymised(),
            guardian: None,
            notes: None,
            anonymised_at: Some(now),
            ..beneficiary
        };
        self.members.anonymise(actor, id, former, erase).await
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
        self.members.may_edit(&current, if_match)?;
        let draft = BeneficiaryDraft::parse(fields, self.members.clock.today())?;
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
        match AuditRecord::changed(actor, "update", &current, &after, self.members.clock.now()) {
            Some(audit) => self.members.save(&current, &after, None, audit).await,
            None => Ok(current),
        }
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
        axis_kernel::expect_version(if_match, current.version)?;
        let status = LIFECYCLE.next(current.status, action)?;
        let reason = axis_staff::input::parse_reason("reason", reason, false)?;
        let (now, today) = (self.members.clock.now(), self.members.clock.today());
        let effective_on = effective_on.unwrap_or(today);
        // A change before the history begins would be hidden behind the registration.
        let history = self.members.stored_history(id).await?;
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
        self.members.record_change(actor, action.as_str(), &current, current.clone(), change).await
    }

    /// Lets the changes whose day has come take effect (the apply job, as the worker): the staff
    /// members' first, then the beneficiaries' — each status moves with its audit record, in one
    /// transaction. Answers how many changes took effect.
    pub async fn apply_scheduled(&self) -> Result<u64, DomainError> {
        let staff = self.staff.apply_scheduled().await?;
        let beneficiaries = self.members.apply_scheduled().await?;
        Ok(staff + beneficiaries)
    }
}

#[cfg(test)]
mod tests;
