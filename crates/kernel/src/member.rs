//! What staff members and beneficiaries share: a person record of a client with a dated
//! status, read under audit and shown without contact data to viewers. The use cases both
//! kinds have — read one, its history, a page shown, merge-then-replace, soft delete and
//! restore, erasure, the changes that take effect on their day — are written once here
//! ([`Members`]), generic over the kind ([`Member`]); each kind's service adds what is its own
//! (creating one, its edits and lifecycle).

use std::fmt::Display;
use std::future::Future;
use std::sync::Arc;

use async_trait::async_trait;
use time::{Date, OffsetDateTime};

use crate::audit::record_read;
use crate::{
    Actor, AuditRecord, AuditTrail, Audited, ClientAccess, ClientAction, ClientGuard, ClientOwned, Clock,
    DomainError, Page, Role, Scheduled, StatusChange, apply_due, expect_version, retry_unconditional,
};

/// A kind of member record (a staff member, a beneficiary).
pub trait Member: Audited + ClientOwned + Clone + Send + Sync + 'static {
    type Id: Copy + Display + Send + Sync + 'static;
    type Status: Copy + PartialEq + Send + Sync + 'static;
    /// The fields an edit sends (PUT), which a PATCH merges into.
    type Fields: Clone + Send + Sync + 'static;
    /// How messages name one (`staff member`).
    const NOUN: &'static str;

    fn id(&self) -> Self::Id;
    fn version(&self) -> i32;
    fn deleted_at(&self) -> Option<OffsetDateTime>;
    fn with_deleted_at(self, at: Option<OffsetDateTime>) -> Self;
    fn is_anonymised(&self) -> bool;
    /// The member's current fields, for a PATCH to merge into.
    fn fields(&self) -> Self::Fields;
    /// As someone in `role` may see them: viewers never see contact data.
    fn seen_by(self, role: Role) -> Self;
    /// The member after `change` is recorded: its status moves now, or, dated ahead, it waits
    /// as the scheduled change (the status stays today's).
    fn with_change(self, change: &StatusChange<Self::Status>) -> Self;
    /// The member once `change`, which waited for its day, has taken effect (the apply job).
    fn took_effect(self, change: &StatusChange<Self::Status>) -> Self {
        self.with_change(&StatusChange { pending: false, ..change.clone() })
    }
}

/// A change whose day has come, with its member: (member, change id, change).
pub type DueChange<M> = (M, i64, StatusChange<<M as Member>::Status>);

/// Where the records of one kind are kept: what [`Members`] needs of its repository.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait MemberStore<M: Member>: Send + Sync {
    /// Deleted ones too: the use case decides who may see them.
    async fn get(&self, id: M::Id) -> Result<Option<M>, DomainError>;
    /// Oldest first, in the order recorded.
    async fn history(&self, id: M::Id) -> Result<Vec<StatusChange<M::Status>>, DomainError>;
    /// Writes `member` if its stored version is still `expected` (else `None`), with the status
    /// change, if any, and the audit record, in one transaction.
    async fn save(
        &self,
        member: &M,
        expected: i32,
        change: Option<StatusChange<M::Status>>,
        audit: &AuditRecord,
    ) -> Result<Option<M>, DomainError>;
    /// Up to `limit` changes dated on or before `today` that have not taken effect, with their
    /// members: (member, change id, change).
    async fn due_changes(&self, today: Date, limit: i64) -> Result<Vec<DueChange<M>>, DomainError>;
    /// Writes `member` (its status moved by change `change_id`) if its stored version is still
    /// `expected`, marks the change taken effect and writes `audit`, in one transaction. False
    /// when the member or the change moved meanwhile.
    async fn apply_change(
        &self,
        member: &M,
        expected: i32,
        change_id: i64,
        audit: &AuditRecord,
    ) -> Result<bool, DomainError>;
}

/// The use cases every kind of member has.
pub struct Members<M: Member> {
    store: Arc<dyn MemberStore<M>>,
    pub guard: ClientGuard,
    trail: Arc<dyn AuditTrail>,
    pub clock: Arc<dyn Clock>,
}

impl<M: Member> Members<M> {
    pub fn new(
        store: Arc<dyn MemberStore<M>>,
        access: Arc<dyn ClientAccess>,
        trail: Arc<dyn AuditTrail>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { store, guard: ClientGuard::new(access), trail, clock }
    }

    /// The member `id` if the actor may take `action` on them: one outside the actor's scope,
    /// or deleted (unless the actor administers), is `NotFound`. Records no read: a use case
    /// that shows the member records it.
    pub async fn load(&self, actor: &Actor, id: M::Id, action: ClientAction) -> Result<M, DomainError> {
        self.guard.require_owned(actor, self.store.get(id).await?, action).await
    }

    /// The record that `actor` was shown these members (`M::ENTITY_TYPE` reads).
    pub fn read_record(&self, actor: &Actor, ids: &[M::Id]) -> AuditRecord {
        let shown = ids.iter().map(ToString::to_string).collect();
        AuditRecord::read(actor, M::ENTITY_TYPE, shown, self.clock.now())
    }

    /// Writes `record` of a read; without it there is no answer.
    pub async fn record(&self, record: &AuditRecord) -> Result<(), DomainError> {
        record_read(self.trail.as_ref(), record).await
    }

    /// Records that `actor` was shown these members (nothing when none was).
    pub async fn record_read(&self, actor: &Actor, ids: &[M::Id]) -> Result<(), DomainError> {
        if ids.is_empty() {
            return Ok(());
        }
        self.record(&self.read_record(actor, ids)).await
    }

    /// Writes `after` over `before` (conditional on the version read), with its history entry
    /// and audit record.
    pub async fn save(
        &self,
        before: &M,
        after: &M,
        change: Option<StatusChange<M::Status>>,
        audit: AuditRecord,
    ) -> Result<M, DomainError> {
        self.store.save(after, before.version(), change, &audit).await?.ok_or(DomainError::VersionMismatch)
    }

    /// One member, on record as read.
    pub async fn get(&self, actor: &Actor, id: M::Id) -> Result<M, DomainError> {
        let member = self.load(actor, id, ClientAction::Read).await?;
        self.record_read(actor, &[id]).await?;
        Ok(member.seen_by(actor.role))
    }

    /// One member with their status history, in the order it was recorded; on record as read.
    pub async fn history(
        &self,
        actor: &Actor,
        id: M::Id,
    ) -> Result<(M, Vec<StatusChange<M::Status>>), DomainError> {
        let member = self.load(actor, id, ClientAction::Read).await?;
        let history = self.store.history(id).await?;
        self.record_read(actor, &[id]).await?;
        Ok((member.seen_by(actor.role), history))
    }

    /// The status history without a read record (a use case that checks a date against it).
    pub async fn stored_history(&self, id: M::Id) -> Result<Vec<StatusChange<M::Status>>, DomainError> {
        self.store.history(id).await
    }

    /// A page found for `actor`, on record as read and shown as they may see it.
    pub async fn shown_page(&self, actor: &Actor, found: Page<M>) -> Result<Page<M>, DomainError> {
        let ids: Vec<M::Id> = found.items.iter().map(Member::id).collect();
        self.record_read(actor, &ids).await?;
        Ok(found.map(|member| member.seen_by(actor.role)))
    }

    /// Merges `change` into the member's current fields, then `replace`s them (conditional on
    /// `if_match`, else on the version read, and tried again after a lost race when the caller
    /// sent no `If-Match`). `replace` is the kind's PUT.
    pub async fn update<F, R, Fut>(
        &self,
        actor: &Actor,
        id: M::Id,
        change: F,
        if_match: Option<i32>,
        replace: R,
    ) -> Result<M, DomainError>
    where
        F: FnOnce(&mut M::Fields) + Send + Clone,
        R: Fn(M::Fields, Option<i32>) -> Fut,
        Fut: Future<Output = Result<M, DomainError>>,
    {
        retry_unconditional(if_match, || {
            let change = change.clone();
            let replace = &replace;
            async move {
                let current = self.load(actor, id, ClientAction::Manage).await?;
                let mut fields = current.fields();
                change(&mut fields);
                replace(fields, if_match.or(Some(current.version()))).await
            }
        })
        .await
    }

    /// Records a status change with its audit record (`action`, the day it takes effect and
    /// whether it waits for it): dated ahead, it waits as the member's scheduled change and
    /// replaces any scheduled before it.
    pub async fn record_change(
        &self,
        actor: &Actor,
        action: &str,
        current: &M,
        after: M,
        change: StatusChange<M::Status>,
    ) -> Result<M, DomainError> {
        let after = after.with_change(&change);
        let audit = AuditRecord::changed_or_action(actor, action, current, &after, change.at)
            .with_detail("effective_on", change.effective_on.to_string())
            .with_detail("scheduled", change.pending);
        self.save(current, &after, Some(change), audit).await
    }

    /// Soft delete: gone from every read but for admins, who can restore it.
    pub async fn delete(&self, actor: &Actor, id: M::Id) -> Result<(), DomainError> {
        retry_unconditional(None, || async {
            let current = self.load(actor, id, ClientAction::Manage).await?;
            if current.deleted_at().is_some() {
                return Err(DomainError::NotFound);
            }
            let now = self.clock.now();
            let after = current.clone().with_deleted_at(Some(now));
            self.save(&current, &after, None, AuditRecord::deleted(actor, &current, now)).await.map(|_| ())
        })
        .await
    }

    /// Brings a soft-deleted member back (admin).
    pub async fn restore(&self, actor: &Actor, id: M::Id) -> Result<M, DomainError> {
        retry_unconditional(None, || async {
            let current = self.load(actor, id, ClientAction::Administer).await?;
            if current.deleted_at().is_none() {
                return Err(DomainError::conflict(format!("the {} is not deleted", M::NOUN)));
            }
            let after = current.clone().with_deleted_at(None);
            let audit = AuditRecord::changed_or_action(actor, "restore", &current, &after, self.clock.now());
            self.save(&current, &after, None, audit).await
        })
        .await
    }

    /// Erasure (admin) of a former member's person data: `former` says whether the member may
    /// be erased (409 with its message if not), `erase` blanks what is personal; ids, employer,
    /// dates and status stay for statistics.
    pub async fn anonymise(
        &self,
        actor: &Actor,
        id: M::Id,
        former: impl Fn(&M) -> Result<(), DomainError>,
        erase: impl Fn(M, OffsetDateTime) -> M,
    ) -> Result<M, DomainError> {
        retry_unconditional(None, || async {
            let current = self.load(actor, id, ClientAction::Administer).await?;
            if current.is_anonymised() {
                return Err(DomainError::conflict(format!("the {} is already anonymised", M::NOUN)));
            }
            former(&current)?;
            let now = self.clock.now();
            let after = erase(current.clone(), now);
            let audit = AuditRecord::changed_or_action(actor, "anonymise", &current, &after, now);
            self.save(&current, &after, None, audit).await
        })
        .await
    }

    /// Refuses an edit of an anonymised member and one that does not hold `if_match`.
    pub fn may_edit(&self, current: &M, if_match: Option<i32>) -> Result<(), DomainError> {
        expect_version(if_match, current.version())?;
        if current.is_anonymised() {
            return Err(DomainError::conflict(format!("an anonymised {} cannot be edited", M::NOUN)));
        }
        Ok(())
    }

    /// Lets the changes whose day has come take effect (the apply job, as the worker): each
    /// member's status moves, with its audit record, in one transaction. Answers how many.
    pub async fn apply_scheduled(&self) -> Result<u64, DomainError> {
        let today = self.clock.today();
        apply_due(
            |limit| self.store.due_changes(today, limit),
            |(member, change_id, change): DueChange<M>| async move {
                let after = member.clone().took_effect(&change);
                let audit = AuditRecord::changed_or_action(
                    &Actor::worker(),
                    "scheduled_change",
                    &member,
                    &after,
                    self.clock.now(),
                )
                .with_detail("effective_on", change.effective_on.to_string());
                self.store.apply_change(&after, member.version(), change_id, &audit).await
            },
        )
        .await
    }
}

/// The scheduled change a member shows for `change` when it waits for its day.
pub fn waiting<S: Copy>(change: &StatusChange<S>) -> Option<Scheduled<S>> {
    change.pending.then_some(Scheduled { status: change.status, on: change.effective_on })
}
