//! The contract use cases: create, read, list, edit, the lifecycle's actions, billing marks,
//! soft delete and restore, and the daily sweep and renewal notices the job queue runs.

use std::sync::Arc;

use axis_kernel::{
    Actor, AuditRecord, ClientAccess, ClientAction, ClientGuard, Clock, DomainError, FieldErrors, Money,
    Page, PageRequest, Scheduled, apply_due, retry_unconditional,
};
use time::Date;

use crate::billing::add_months;
use crate::input::parse_reason;
use crate::sweep::sweep_move;
use crate::{
    Contract, ContractAction, ContractDraft, ContractFields, ContractId, ContractListQuery,
    ContractRepository, LIFECYCLE, PaymentStatus, StatusChange, SweepMove,
};

/// A contract with its status history, in the order it was recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractDetail {
    pub contract: Contract,
    pub history: Vec<StatusChange>,
}

/// A lifecycle action as requested, with what it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Act {
    Submit,
    /// Cover starts on `effective_on`: by default the start date when it has passed, else
    /// today; never before the start date nor after the end date; a day ahead waits for it.
    Activate {
        effective_on: Option<Date>,
    },
    Suspend {
        reason: String,
    },
    Resume,
    /// Final. Cover ends on `effective_on` (today when absent; not before today, not after
    /// the end date).
    Terminate {
        reason: String,
        effective_on: Option<Date>,
    },
    /// Extends the end date (it must move later); `new_amount` replaces the billing amount, in
    /// the contract's currency.
    Renew {
        new_end: Date,
        new_amount: Option<String>,
    },
}

impl Act {
    pub fn action(&self) -> ContractAction {
        match self {
            Act::Submit => ContractAction::Submit,
            Act::Activate { .. } => ContractAction::Activate,
            Act::Suspend { .. } => ContractAction::Suspend,
            Act::Resume => ContractAction::Resume,
            Act::Terminate { .. } => ContractAction::Terminate,
            Act::Renew { .. } => ContractAction::Renew,
        }
    }
}

/// What one run of the daily sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub expired: u32,
    pub renewed: u32,
    pub notices: u32,
}

/// Rows one sweep reads at a time.
const SWEEP_BATCH: u32 = 500;

pub struct ContractService {
    contracts: Arc<dyn ContractRepository>,
    guard: ClientGuard,
    clock: Arc<dyn Clock>,
}

impl ContractService {
    pub fn new(
        contracts: Arc<dyn ContractRepository>,
        access: Arc<dyn ClientAccess>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { contracts, guard: ClientGuard::new(access), clock }
    }

    /// The contract `id` if the actor may take `action` on it: one outside the actor's scope,
    /// or deleted (unless the actor administers), is `NotFound`.
    async fn load(
        &self,
        actor: &Actor,
        id: ContractId,
        action: ClientAction,
    ) -> Result<Contract, DomainError> {
        self.guard.require_owned(actor, self.contracts.get(id).await?, action).await
    }

    /// Writes `after` over `before` with its audit record; `None` from the store means the
    /// version moved meanwhile (412).
    async fn save(
        &self,
        before: &Contract,
        after: &Contract,
        change: Option<StatusChange>,
        audit: AuditRecord,
    ) -> Result<Contract, DomainError> {
        self.contracts.save(after, before.version, change, &audit).await?.ok_or(DomainError::VersionMismatch)
    }

    pub async fn create(&self, actor: &Actor, fields: ContractFields) -> Result<ContractDetail, DomainError> {
        ClientAction::Manage.require(actor)?;
        let draft = ContractDraft::parse(fields)?;
        self.guard.require_reference(actor, "client_id", draft.client_id).await?;
        let (now, today) = (self.clock.now(), self.clock.today());
        let number = match draft.number.clone() {
            Some(number) => number,
            None => self.contracts.next_number(today.year()).await?,
        };
        let contract = Contract::new(ContractId::new(), number, draft, now);
        let created = StatusChange {
            status: contract.status,
            effective_on: today,
            at: now,
            reason: None,
            pending: false,
        };
        let audit = AuditRecord::created(actor, &contract, now);
        let contract = self.contracts.insert(&contract, &created, &audit).await?;
        Ok(ContractDetail { contract, history: vec![created] })
    }

    pub async fn get(&self, actor: &Actor, id: ContractId) -> Result<ContractDetail, DomainError> {
        let contract = self.load(actor, id, ClientAction::Read).await?;
        self.with_history(contract).await
    }

    /// The contracts of one client the actor may see (`NotFound` for a client out of scope).
    pub async fn list_of_client(
        &self,
        actor: &Actor,
        client: axis_kernel::ClientId,
        query: ContractListQuery,
        page: PageRequest,
    ) -> Result<Page<Contract>, DomainError> {
        self.guard.require(actor, client, ClientAction::Read).await?;
        self.list(actor, ContractListQuery { client: Some(client), ..query }, page).await
    }

    /// Contracts in the actor's scope (a `client` filter outside it finds none), the day windows
    /// counted from the organisation's today.
    pub async fn list(
        &self,
        actor: &Actor,
        query: ContractListQuery,
        page: PageRequest,
    ) -> Result<Page<Contract>, DomainError> {
        if query.include_deleted {
            ClientAction::Administer.require(actor)?;
        }
        self.contracts.list(actor.client_scope(), &query, self.clock.today(), page).await
    }

    /// Replaces the editable fields (PUT, and PATCH after merging). Without `If-Match` a race
    /// with another write is tried again rather than answered 412 (so for every write below).
    pub async fn replace(
        &self,
        actor: &Actor,
        id: ContractId,
        fields: ContractFields,
        if_match: Option<i32>,
    ) -> Result<ContractDetail, DomainError> {
        let contract =
            retry_unconditional(if_match, || self.replace_once(actor, id, fields.clone(), if_match)).await?;
        self.with_history(contract).await
    }

    pub async fn update(
        &self,
        actor: &Actor,
        id: ContractId,
        change: impl FnOnce(&mut ContractFields) + Send + Clone,
        if_match: Option<i32>,
    ) -> Result<ContractDetail, DomainError> {
        let contract =
            retry_unconditional(if_match, || self.update_once(actor, id, change.clone(), if_match)).await?;
        self.with_history(contract).await
    }

    pub async fn act(
        &self,
        actor: &Actor,
        id: ContractId,
        act: Act,
        if_match: Option<i32>,
    ) -> Result<ContractDetail, DomainError> {
        let contract =
            retry_unconditional(if_match, || self.act_once(actor, id, act.clone(), if_match)).await?;
        self.with_history(contract).await
    }

    pub async fn mark_paid(&self, actor: &Actor, id: ContractId) -> Result<ContractDetail, DomainError> {
        let contract = retry_unconditional(None, || self.mark_paid_once(actor, id)).await?;
        self.with_history(contract).await
    }

    pub async fn mark_overdue(&self, actor: &Actor, id: ContractId) -> Result<ContractDetail, DomainError> {
        let contract = retry_unconditional(None, || self.mark_overdue_once(actor, id)).await?;
        self.with_history(contract).await
    }

    pub async fn delete(&self, actor: &Actor, id: ContractId) -> Result<(), DomainError> {
        retry_unconditional(None, || self.delete_once(actor, id)).await
    }

    pub async fn restore(&self, actor: &Actor, id: ContractId) -> Result<ContractDetail, DomainError> {
        let contract = retry_unconditional(None, || self.restore_once(actor, id)).await?;
        self.with_history(contract).await
    }

    /// A contract as every single-contract answer shows it: with its status history, so an
    /// action's answer is the same shape as `GET` and as full.
    async fn with_history(&self, contract: Contract) -> Result<ContractDetail, DomainError> {
        let history = self.contracts.history(contract.id).await?;
        Ok(ContractDetail { contract, history })
    }

    /// Replaces the editable fields (PUT, and PATCH after merging). The client and the status
    /// do not change this way.
    async fn replace_once(
        &self,
        actor: &Actor,
        id: ContractId,
        mut fields: ContractFields,
        if_match: Option<i32>,
    ) -> Result<Contract, DomainError> {
        let current = self.load(actor, id, ClientAction::Manage).await?;
        axis_kernel::expect_version(if_match, current.version)?;
        if fields.client_id.is_some_and(|client| client != current.client_id) {
            return Err(
                FieldErrors::single("client_id", "cannot change: a contract stays with its client").into()
            );
        }
        fields.client_id = Some(current.client_id);
        let after = current.edited(ContractDraft::parse(fields)?);
        let now = self.clock.now();
        match AuditRecord::changed(actor, "update", &current, &after, now) {
            Some(audit) => self.save(&current, &after, None, audit).await,
            None => Ok(current),
        }
    }

    /// Merges `change` into the current fields, then replaces.
    async fn update_once(
        &self,
        actor: &Actor,
        id: ContractId,
        change: impl FnOnce(&mut ContractFields) + Send,
        if_match: Option<i32>,
    ) -> Result<Contract, DomainError> {
        let current = self.load(actor, id, ClientAction::Manage).await?;
        let mut fields = ContractFields::from_contract(&current);
        change(&mut fields);
        self.replace_once(actor, id, fields, if_match.or(Some(current.version))).await
    }

    /// A lifecycle action: refused with `illegal_transition` unless the table allows it from
    /// the current status; the change enters the history with its effective date.
    async fn act_once(
        &self,
        actor: &Actor,
        id: ContractId,
        act: Act,
        if_match: Option<i32>,
    ) -> Result<Contract, DomainError> {
        let current = self.load(actor, id, ClientAction::Manage).await?;
        axis_kernel::expect_version(if_match, current.version)?;
        let action = act.action();
        let status = LIFECYCLE.next(current.status, action)?;
        let (now, today) = (self.clock.now(), self.clock.today());
        let mut after = Contract { status, ..current.clone() };
        let mut effective_on = today;
        let mut reason = None;
        match act {
            Act::Submit => {}
            // A suspension that outlasted the period leaves nothing to resume (the sweep
            // expires only contracts in force): cover comes back by renewing.
            Act::Resume if current.end_date < today => {
                return Err(DomainError::conflict(format!(
                    "the contract ended on {}: renew it to give cover again",
                    current.end_date
                )));
            }
            Act::Resume => {}
            Act::Activate { effective_on: on } => {
                // Backdated to the start date at most; a contract starting later is activated
                // today (it covers nothing before its period anyway).
                let earliest = current.start_date.min(today);
                effective_on = on.unwrap_or(earliest);
                let mut errors = FieldErrors::new();
                if effective_on < earliest {
                    errors.add("effective_on", "must not be before the start date");
                } else if effective_on > current.end_date {
                    errors.add("effective_on", "must not be after the end date");
                }
                errors.into_result()?;
            }
            Act::Suspend { reason: raw } => reason = Some(parse_reason(raw)?),
            Act::Terminate { reason: raw, effective_on: on } => {
                let mut errors = FieldErrors::new();
                let why = parse_reason(raw).map_err(|e| errors.merge(e)).ok();
                effective_on = on.unwrap_or(today);
                if effective_on < today {
                    errors.add("effective_on", "must not be before today: cover already given stays given");
                } else if effective_on > current.end_date && effective_on != today {
                    // Today is always allowed: a contract left running past its end date
                    // (the sweep has not yet expired it) can still be terminated.
                    errors.add("effective_on", "must not be after the end date");
                }
                errors.into_result()?;
                after.termination_reason = why.clone();
                after.termination_effective_on = Some(effective_on);
                reason = why;
            }
            Act::Renew { new_end, new_amount } => {
                let mut errors = FieldErrors::new();
                if new_end <= current.end_date {
                    errors.add("end_date", "must be after the current end date");
                }
                if let Some(amount) = new_amount {
                    match Money::parse(&amount, current.billing.currency().code()) {
                        Ok(money) => after.billing = money,
                        Err(e) => errors.add("billing_amount", e.to_string()),
                    }
                }
                errors.into_result()?;
                after.end_date = new_end;
                after.renewal_date = None;
            }
        }
        // A termination dated ahead waits for its day: in force until then, everywhere.
        let change = StatusChange::dated(status, effective_on, today, now, reason);
        if change.pending {
            after.status = current.status;
            after.scheduled_change = Some(Scheduled { status, on: effective_on });
        } else {
            after.scheduled_change = None;
        }
        let audit = self
            .transition_record(actor, action, &current, &after, &change)
            .with_detail("scheduled", change.pending);
        self.save(&current, &after, Some(change), audit).await
    }

    /// Lets the changes whose day has come take effect (the apply job, as the worker): each
    /// contract's status moves with its audit record, in one transaction. Answers how many.
    pub async fn apply_scheduled(&self) -> Result<u64, DomainError> {
        let today = self.clock.today();
        apply_due(
            |limit| self.contracts.due_changes(today, limit),
            |(contract, change_id, change): (Contract, i64, StatusChange)| async move {
                let after = Contract { status: change.status, scheduled_change: None, ..contract.clone() };
                let audit = AuditRecord::changed_or_action(
                    &Actor::worker(),
                    "scheduled_change",
                    &contract,
                    &after,
                    self.clock.now(),
                )
                .with_detail("effective_on", change.effective_on.to_string());
                self.contracts.apply_change(&after, contract.version, change_id, &audit).await
            },
        )
        .await
    }

    fn transition_record(
        &self,
        actor: &Actor,
        action: ContractAction,
        before: &Contract,
        after: &Contract,
        change: &StatusChange,
    ) -> AuditRecord {
        let now = change.at;
        AuditRecord::changed_or_action(actor, action.as_str(), before, after, now)
            .with_detail("effective_on", change.effective_on.to_string())
    }

    /// Paid: the last billing date is today and the next one a billing period later.
    async fn mark_paid_once(&self, actor: &Actor, id: ContractId) -> Result<Contract, DomainError> {
        let current = self.load(actor, id, ClientAction::Manage).await?;
        let today = self.clock.today();
        let after = Contract {
            payment_status: PaymentStatus::Paid,
            last_billing_date: Some(today),
            next_billing_date: Some(add_months(today, current.billing_frequency.months())),
            ..current.clone()
        };
        self.billing_change(actor, "mark_paid", &current, &after).await
    }

    /// Overdue: from pending or paid only.
    async fn mark_overdue_once(&self, actor: &Actor, id: ContractId) -> Result<Contract, DomainError> {
        let current = self.load(actor, id, ClientAction::Manage).await?;
        if !matches!(current.payment_status, PaymentStatus::Pending | PaymentStatus::Paid) {
            return Err(DomainError::conflict(format!(
                "a contract whose payment is {} cannot be marked overdue",
                current.payment_status
            )));
        }
        let after = Contract { payment_status: PaymentStatus::Overdue, ..current.clone() };
        self.billing_change(actor, "mark_overdue", &current, &after).await
    }

    async fn billing_change(
        &self,
        actor: &Actor,
        verb: &str,
        before: &Contract,
        after: &Contract,
    ) -> Result<Contract, DomainError> {
        let now = self.clock.now();
        let audit = AuditRecord::changed_or_action(actor, verb, before, after, now);
        self.save(before, after, None, audit).await
    }

    /// Soft delete: gone from every read but for admins, who can restore it.
    async fn delete_once(&self, actor: &Actor, id: ContractId) -> Result<(), DomainError> {
        let current = self.load(actor, id, ClientAction::Manage).await?;
        if current.deleted_at.is_some() {
            return Err(DomainError::NotFound);
        }
        let now = self.clock.now();
        let after = Contract { deleted_at: Some(now), ..current.clone() };
        self.save(&current, &after, None, AuditRecord::deleted(actor, &current, now)).await.map(|_| ())
    }

    async fn restore_once(&self, actor: &Actor, id: ContractId) -> Result<Contract, DomainError> {
        let current = self.load(actor, id, ClientAction::Administer).await?;
        if current.deleted_at.is_none() {
            return Err(DomainError::conflict("the contract is not deleted"));
        }
        let after = Contract { deleted_at: None, ..current.clone() };
        let now = self.clock.now();
        let audit = AuditRecord::changed_or_action(actor, "restore", &current, &after, now);
        self.save(&current, &after, None, audit).await
    }

    /// The daily sweep, as the worker: in-force contracts past their end expire, or renew for
    /// one more period when they renew themselves; contracts entering their notice window get
    /// their renewal notice once. Safe to run any number of times a day.
    pub async fn sweep(&self) -> Result<SweepReport, DomainError> {
        let worker = Actor::worker();
        let today = self.clock.today();
        let mut report = SweepReport::default();
        loop {
            let ended = self.contracts.ended_before(today, SWEEP_BATCH).await?;
            let mut moved = 0;
            for current in &ended {
                let Some(step) = sweep_move(current, today) else { continue };
                let status = LIFECYCLE.next(current.status, step.action())?;
                let (after, effective_on) = match step {
                    SweepMove::Expire { effective_on } => {
                        (Contract { status, ..current.clone() }, effective_on)
                    }
                    SweepMove::Renew { new_end, effective_on } => (
                        Contract { status, end_date: new_end, renewal_date: None, ..current.clone() },
                        effective_on,
                    ),
                };
                let change =
                    StatusChange { status, effective_on, at: self.clock.now(), reason: None, pending: false };
                let audit = self.transition_record(&worker, step.action(), current, &after, &change);
                // Someone changed it meanwhile: the next sweep looks again.
                if self.contracts.save(&after, current.version, Some(change), &audit).await?.is_some() {
                    moved += 1;
                    match step {
                        SweepMove::Expire { .. } => report.expired += 1,
                        SweepMove::Renew { .. } => report.renewed += 1,
                    }
                }
            }
            if ended.len() < SWEEP_BATCH as usize || moved == 0 {
                break;
            }
        }
        for contract in self.contracts.notices_due(today, SWEEP_BATCH).await? {
            let summary = format!("contract {} expires on {}", contract.number, contract.end_date);
            let audit = AuditRecord::action(&worker, "renewal_notice", &contract, self.clock.now())
                .with_detail("end_date", contract.end_date.to_string());
            if self.contracts.record_notice(&contract, &summary, &audit).await? {
                report.notices += 1;
            }
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests;
