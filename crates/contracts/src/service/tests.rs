//! The use cases with the repository and the scope port mocked, on a fixed clock.

use std::sync::{Arc, Mutex};

use axis_kernel::access::MockClientAccess;
use axis_kernel::{Actor, ClientId, DomainError, FixedClock, RequestContext, Role, SessionId, UserId};
use futures_executor::block_on;
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime};

use super::*;
use crate::ports::MockContractRepository;
use crate::{BillingFrequency, ContractStatus};

const NOW: OffsetDateTime = datetime!(2026-06-15 10:00 UTC);
const TODAY: Date = date!(2026 - 06 - 15);

fn actor(role: Role) -> Actor {
    Actor::user(UserId::new(), role, SessionId::new(), "someone@example.com", RequestContext::default())
}

fn fields(client: ClientId) -> ContractFields {
    ContractFields::sample(client)
}

fn stored(status: ContractStatus) -> Contract {
    let draft = ContractDraft::parse(fields(ClientId::new())).expect("valid");
    Contract { status, version: 3, ..Contract::new(ContractId::new(), "C-2026-00001".into(), draft, NOW) }
}

/// What the repository was asked to save: the contract, its history entry, the audit action.
type SaveLog = Arc<Mutex<Vec<(Contract, Option<StatusChange>, String)>>>;

/// Everything visible; the repository holds `contract` and records what is saved.
struct World {
    repo: MockContractRepository,
    visible: bool,
    saved: SaveLog,
}

impl World {
    fn holding(contract: Contract) -> Self {
        let mut repo = MockContractRepository::new();
        let found = contract.clone();
        repo.expect_get().returning(move |_| Ok(Some(found.clone())));
        repo.expect_history().returning(|_| Ok(Vec::new()));
        let saved = Arc::new(Mutex::new(Vec::new()));
        let log = saved.clone();
        repo.expect_save().returning(move |after, expected, change, audit| {
            assert_eq!(expected, 3, "saved against the version read");
            log.lock().expect("log").push((after.clone(), change.clone(), audit.action.clone()));
            Ok(Some(Contract { version: expected + 1, ..after.clone() }))
        });
        Self { repo, visible: true, saved }
    }

    fn service(self) -> (ContractService, SaveLog) {
        let mut access = MockClientAccess::new();
        let visible = self.visible;
        access.expect_is_visible().returning(move |_, _| Ok(visible));
        let service =
            ContractService::new(Arc::new(self.repo), Arc::new(access), Arc::new(FixedClock::at(NOW)));
        (service, self.saved)
    }
}

fn act(status: ContractStatus, act: Act) -> (Result<Contract, DomainError>, Option<StatusChange>) {
    let (service, saved) = World::holding(stored(status)).service();
    let result =
        block_on(service.act(&actor(Role::Manager), ContractId::new(), act, None)).map(|d| d.contract);
    let change = saved.lock().expect("log").first().and_then(|(_, change, _)| change.clone());
    (result, change)
}

#[test]
fn an_action_follows_the_table_and_enters_the_history_effective_today() {
    let (result, change) = act(ContractStatus::Draft, Act::Submit);
    assert_eq!(result.expect("submitted").status, ContractStatus::Pending);
    let change = change.expect("history entry");
    assert_eq!((change.status, change.effective_on, change.at), (ContractStatus::Pending, TODAY, NOW));
    let (refused, change) = act(ContractStatus::Terminated, Act::Resume);
    assert!(matches!(refused, Err(DomainError::IllegalTransition { .. })), "{refused:?}");
    assert_eq!(change, None, "nothing saved");
}

#[test]
fn suspending_and_terminating_need_a_reason_and_a_sound_effective_date() {
    let (missing, _) = act(ContractStatus::Active, Act::Suspend { reason: " ".into() });
    assert!(matches!(missing, Err(DomainError::Validation(_))));
    let (suspended, change) = act(ContractStatus::Active, Act::Suspend { reason: "unpaid".into() });
    assert_eq!(suspended.expect("suspended").status, ContractStatus::Suspended);
    assert_eq!(change.and_then(|c| c.reason).as_deref(), Some("unpaid"));

    let terminate = |on| Act::Terminate { reason: "closed".into(), effective_on: on };
    let (past, _) = act(ContractStatus::Active, terminate(Some(date!(2026 - 06 - 14))));
    assert!(matches!(past, Err(DomainError::Validation(e)) if e.fields().contains_key("effective_on")));
    let (late, _) = act(ContractStatus::Active, terminate(Some(date!(2027 - 01 - 01))));
    assert!(matches!(late, Err(DomainError::Validation(_))), "after the end date");
    // Dated ahead: the status stays as it is today, the termination is scheduled (issue 24 #2).
    let (ended, change) = act(ContractStatus::Suspended, terminate(Some(date!(2026 - 09 - 30))));
    let ended = ended.expect("scheduled");
    assert_eq!(
        (ended.status, ended.termination_effective_on, ended.scheduled_change),
        (
            ContractStatus::Suspended,
            Some(date!(2026 - 09 - 30)),
            Some(axis_kernel::Scheduled { status: ContractStatus::Terminated, on: date!(2026 - 09 - 30) })
        )
    );
    let change = change.expect("a change");
    assert_eq!(
        (change.effective_on, change.pending),
        (date!(2026 - 09 - 30), true),
        "cover ends then, not now"
    );
    let (now, change) = act(ContractStatus::Active, terminate(None));
    assert_eq!(now.expect("terminated").status, ContractStatus::Terminated, "effective today: at once");
    assert!(!change.expect("a change").pending);
}

#[test]
fn renewing_moves_the_end_later_and_may_change_the_amount_in_the_same_currency() {
    let renew =
        |end, amount: Option<&str>| Act::Renew { new_end: end, new_amount: amount.map(str::to_owned) };
    let (earlier, _) = act(ContractStatus::Active, renew(date!(2026 - 12 - 31), None));
    assert!(matches!(earlier, Err(DomainError::Validation(e)) if e.fields().contains_key("end_date")));
    let (fraction, _) = act(ContractStatus::Active, renew(date!(2027 - 12 - 31), Some("10.50")));
    assert!(matches!(fraction, Err(DomainError::Validation(e)) if e.fields().contains_key("billing_amount")));
    let (renewed, _) = act(ContractStatus::Expired, renew(date!(2027 - 12 - 31), Some("1500000")));
    let renewed = renewed.expect("renewed");
    assert_eq!(renewed.status, ContractStatus::Renewed);
    assert_eq!(
        (renewed.end_date, renewed.billing.to_string()),
        (date!(2027 - 12 - 31), "1500000 UGX".to_owned())
    );
}

#[test]
fn marking_paid_sets_the_billing_dates_clamped_to_month_ends() {
    let contract =
        Contract { billing_frequency: BillingFrequency::Monthly, ..stored(ContractStatus::Active) };
    let (service, saved) = World::holding(contract).service();
    let clock_end_of_january = FixedClock::at(datetime!(2026-01-31 12:00 UTC));
    let service = ContractService { clock: Arc::new(clock_end_of_january), ..service };
    let paid = block_on(service.mark_paid(&actor(Role::Admin), ContractId::new())).expect("paid").contract;
    assert_eq!(paid.payment_status, PaymentStatus::Paid);
    assert_eq!(
        (paid.last_billing_date, paid.next_billing_date),
        (Some(date!(2026 - 01 - 31)), Some(date!(2026 - 02 - 28)))
    );
    assert_eq!(saved.lock().expect("log")[0].2, "contract.mark_paid");
}

#[test]
fn roles_and_scope_come_before_anything_else() {
    for role in [Role::Analyst, Role::Viewer] {
        let (service, saved) = World::holding(stored(ContractStatus::Active)).service();
        let result = block_on(service.act(&actor(role), ContractId::new(), Act::Resume, None));
        assert!(matches!(result, Err(DomainError::Forbidden)), "{role} writes nothing");
        assert!(saved.lock().expect("log").is_empty());
        let read = block_on(service.get(&actor(role), ContractId::new()));
        assert!(read.is_ok(), "{role} reads within scope: {read:?}");
    }
    let mut hidden = World::holding(stored(ContractStatus::Active));
    hidden.visible = false;
    let (service, _) = hidden.service();
    let result = block_on(service.act(
        &actor(Role::Manager),
        ContractId::new(),
        Act::Suspend { reason: "x".into() },
        None,
    ));
    assert!(matches!(result, Err(DomainError::NotFound)), "out of scope looks missing");
}

#[test]
fn a_stale_version_and_a_moved_client_are_refused() {
    let (service, _) = World::holding(stored(ContractStatus::Draft)).service();
    let stale = block_on(service.act(&actor(Role::Manager), ContractId::new(), Act::Submit, Some(2)));
    assert!(matches!(stale, Err(DomainError::VersionMismatch)));
    let moved =
        block_on(service.replace(&actor(Role::Manager), ContractId::new(), fields(ClientId::new()), None));
    assert!(matches!(moved, Err(DomainError::Validation(e)) if e.fields().contains_key("client_id")));
}

#[test]
fn create_generates_a_number_and_starts_the_history_as_draft() {
    let client = ClientId::new();
    let mut repo = MockContractRepository::new();
    repo.expect_next_number().withf(|year| *year == 2026).returning(|_| Ok("C-2026-00042".into()));
    repo.expect_insert()
        .withf(|contract, created, audit| {
            contract.number == "C-2026-00042"
                && contract.status == ContractStatus::Draft
                && created.status == ContractStatus::Draft
                && created.effective_on == TODAY
                && audit.action == "contract.create"
        })
        .returning(|contract, _, _| Ok(contract.clone()));
    let world = World { repo, visible: true, saved: Arc::default() };
    let (service, _) = world.service();
    let detail = block_on(service.create(&actor(Role::Manager), fields(client))).expect("created");
    assert_eq!(detail.contract.client_id, client);
    assert_eq!(detail.history.len(), 1);
    let refused = block_on(service.create(&actor(Role::Analyst), fields(client)));
    assert!(matches!(refused, Err(DomainError::Forbidden)));
}

#[test]
fn the_sweep_expires_or_renews_what_ended_and_notices_once() {
    let ended = Contract { end_date: date!(2026 - 06 - 14), ..stored(ContractStatus::Active) };
    let renewing =
        Contract { end_date: date!(2026 - 06 - 14), auto_renew: true, ..stored(ContractStatus::Renewed) };
    let noticed = stored(ContractStatus::Active);
    let mut repo = MockContractRepository::new();
    let batch = vec![ended, renewing];
    repo.expect_ended_before().withf(|today, _| *today == TODAY).returning(move |_, _| Ok(batch.clone()));
    let saved = Arc::new(Mutex::new(Vec::new()));
    let log = saved.clone();
    repo.expect_save().returning(move |after, expected, change, audit| {
        log.lock().expect("log").push((after.clone(), change.clone(), audit.action.clone()));
        Ok(Some(Contract { version: expected + 1, ..after.clone() }))
    });
    repo.expect_notices_due().returning(move |_, _| Ok(vec![noticed.clone()]));
    repo.expect_record_notice()
        .withf(|_, summary, audit| {
            summary == "contract C-2026-00001 expires on 2026-12-31"
                && audit.actor_label.as_deref() == Some("worker")
        })
        .returning(|_, _, _| Ok(true));
    let (service, _) = World { repo, visible: true, saved: Arc::default() }.service();
    let report = block_on(service.sweep()).expect("swept");
    assert_eq!(report, SweepReport { expired: 1, renewed: 1, notices: 1 });
    let saved = saved.lock().expect("log");
    let expired = &saved[0];
    assert_eq!(
        (expired.0.status, expired.1.as_ref().map(|c| c.effective_on)),
        (ContractStatus::Expired, Some(TODAY))
    );
    let renewed = &saved[1];
    assert_eq!(
        (renewed.0.status, renewed.0.end_date),
        (ContractStatus::Renewed, date!(2026 - 11 - 26)),
        "165 more days, as long as the period"
    );
    assert_eq!(renewed.2, "contract.renew");
}

#[test]
fn an_activation_covers_from_the_start_date_once_it_has_passed() {
    // Issue 24 #7: activated on 15 June, a contract starting on 1 January covered from 15 June
    // only (`effective_on` was the day of the action).
    let start = stored(ContractStatus::Pending).start_date;
    assert!(start < TODAY, "the sample starts before today");
    let (active, change) = act(ContractStatus::Pending, Act::Activate { effective_on: None });
    assert_eq!(active.expect("activated").status, ContractStatus::Active);
    let change = change.expect("a change");
    assert_eq!((change.status, change.effective_on, change.pending), (ContractStatus::Active, start, false));

    // A day given with the action: not before the start date, not after the end date.
    let on = |day| Act::Activate { effective_on: Some(day) };
    let (early, _) = act(ContractStatus::Pending, on(start.previous_day().expect("a day")));
    assert!(matches!(early, Err(DomainError::Validation(e)) if e.fields().contains_key("effective_on")));
    let (late, _) = act(ContractStatus::Draft, on(date!(2027 - 01 - 01)));
    assert!(matches!(late, Err(DomainError::Validation(e)) if e.fields().contains_key("effective_on")));
    let (from_march, change) = act(ContractStatus::Draft, on(date!(2026 - 03 - 01)));
    assert_eq!(from_march.expect("activated").status, ContractStatus::Active);
    assert_eq!(change.expect("a change").effective_on, date!(2026 - 03 - 01));

    // A day ahead waits for it: the status stays, the activation shows as scheduled.
    let (later, change) = act(ContractStatus::Pending, on(date!(2026 - 07 - 01)));
    let later = later.expect("scheduled");
    assert_eq!(
        (later.status, later.scheduled_change),
        (
            ContractStatus::Pending,
            Some(axis_kernel::Scheduled { status: ContractStatus::Active, on: date!(2026 - 07 - 01) })
        )
    );
    assert!(change.expect("a change").pending);
}

#[test]
fn a_suspension_that_outlasted_the_period_cannot_be_resumed() {
    // Found by the dated-truth property test: resumed after its end date, a contract read
    // `active` (in force, counted) with no day left to cover, until the next sweep.
    let mut ended = stored(ContractStatus::Suspended);
    ended.end_date = TODAY.previous_day().expect("a day");
    let (service, saved) = World::holding(ended).service();
    let refused = block_on(service.act(&actor(Role::Manager), ContractId::new(), Act::Resume, None));
    assert!(
        matches!(&refused, Err(DomainError::Conflict { message, .. }) if message.contains("renew")),
        "{refused:?}"
    );
    assert!(saved.lock().expect("log").is_empty());
    let (resumed, _) = act(ContractStatus::Suspended, Act::Resume);
    assert_eq!(resumed.expect("resumed").status, ContractStatus::Active, "within the period");
}
