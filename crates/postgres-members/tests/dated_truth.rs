//! Dated truth as a property (issue 24): random member and contract histories — dated actions
//! in random order, past and future — are lived day by day on a moving clock (each morning
//! the apply jobs and the contract sweep run, then the day's actions), and every day every answer must agree: a
//! record's status is its history's status that day; the `status` filter, `eligible_on` (for
//! days around today too), `expiring_within`, the client's stats and the eligibility answer all
//! say the same.
#![expect(clippy::expect_used, reason = "test setup fails loudly")]

use std::sync::{Arc, Mutex};

use axis_beneficiaries::{
    BeneficiaryAction, BeneficiaryFields, BeneficiaryId, BeneficiaryListQuery, BeneficiaryService,
    BeneficiaryStatus, EligibilityService, Relation, Who,
};
use axis_clients::ports::ClientRepository;
use axis_contracts::{
    Act as ContractAct, ContractFields, ContractId, ContractListQuery, ContractOrdering, ContractService,
};
use axis_kernel::{Actor, ClientId, Clock, DomainError, PageRequest, ProfileFields, scheduled, status_on};
use axis_postgres::audited::PgAuditTrail;
use axis_postgres_clients::{PgClientAccess, PgClients};
use axis_postgres_contracts::PgContracts;
use axis_postgres_members::{PgBeneficiaries, PgEligibility, PgStaff};
use axis_staff::{Act, StaffFields, StaffId, StaffListQuery, StaffService};
use axis_testkit::TestDb;
use diesel_async::SimpleAsyncConnection;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use time::macros::{date, time};
use time::{Date, Duration, OffsetDateTime, Time};

/// A clock the test moves from day to day (the organisation is on UTC).
struct MovingClock(Mutex<OffsetDateTime>);

impl MovingClock {
    fn set(&self, day: Date) {
        *self.0.lock().expect("clock") = day.with_time(time!(09:00)).assume_utc();
    }
}

impl Clock for MovingClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().expect("clock")
    }

    fn today(&self) -> Date {
        self.now().date()
    }

    fn start_of_day(&self, day: Date) -> OffsetDateTime {
        day.with_time(Time::MIDNIGHT).assume_utc()
    }
}

struct World {
    clock: Arc<MovingClock>,
    contracts: ContractService,
    staff: Arc<StaffService>,
    beneficiaries: BeneficiaryService,
    eligibility: EligibilityService,
    clients: PgClients,
}

fn world(db: &TestDb, first_day: Date) -> World {
    let database = db.database();
    let clock = Arc::new(MovingClock(Mutex::new(first_day.midnight().assume_utc())));
    let access = Arc::new(PgClientAccess::new(database.clone()));
    let trail = Arc::new(PgAuditTrail::new(database.clone()));
    let pg_staff = Arc::new(PgStaff::new(database.clone(), clock.clone()));
    let pg_beneficiaries = Arc::new(PgBeneficiaries::new(database.clone(), clock.clone()));
    let staff =
        Arc::new(StaffService::new(pg_staff.clone(), pg_staff, access.clone(), trail.clone(), clock.clone()));
    World {
        contracts: ContractService::new(
            Arc::new(PgContracts::new(database.clone())),
            access.clone(),
            clock.clone(),
        ),
        beneficiaries: BeneficiaryService::new(
            pg_beneficiaries.clone(),
            pg_beneficiaries,
            staff.clone(),
            access.clone(),
            trail.clone(),
            clock.clone(),
        ),
        eligibility: EligibilityService::new(
            Arc::new(PgEligibility::new(database.clone())),
            access,
            trail,
            clock.clone(),
        ),
        clients: PgClients::new(database),
        staff,
        clock,
    }
}

/// One dated action, taken on the morning of its day.
#[derive(Debug, Clone)]
enum Action {
    Staff(Act),
    Beneficiary(BeneficiaryAction, Option<Date>),
    Contract(ContractAct),
}

/// A random action dated up to `back` days before and `ahead` days after `today`.
fn random_action(rng: &mut StdRng, today: Date) -> Action {
    let kind = rng.random_range(0..9);
    let mut dated = |back: i64, ahead: i64| Some(today + Duration::days(rng.random_range(-back..=ahead)));
    match kind {
        0 => Action::Staff(Act::Deactivate { end_date: dated(3, 8), reason: None }),
        1 => Action::Staff(Act::Suspend { reason: "review".into(), effective_on: dated(0, 8) }),
        2 => Action::Staff(Act::Reactivate { effective_on: dated(0, 8) }),
        3 => Action::Staff(Act::OnLeave {
            leave_type: "sick".into(),
            expected_return: None,
            effective_on: dated(0, 8),
        }),
        4 => Action::Beneficiary(BeneficiaryAction::Deactivate, dated(3, 8)),
        5 => Action::Beneficiary(BeneficiaryAction::Reactivate, dated(0, 8)),
        6 => Action::Contract(ContractAct::Suspend { reason: "unpaid".into() }),
        7 => Action::Contract(ContractAct::Resume),
        _ => Action::Contract(ContractAct::Terminate { reason: "closed".into(), effective_on: dated(0, 10) }),
    }
}

async fn take(w: &World, staff: StaffId, beneficiary: BeneficiaryId, contract: ContractId, action: Action) {
    let cli = Actor::command_line();
    let result = match action.clone() {
        Action::Staff(act) => w.staff.act(&cli, staff, act, None).await.map(|_| ()),
        Action::Beneficiary(act, on) => {
            w.beneficiaries.act(&cli, beneficiary, act, on, None, None).await.map(|_| ())
        }
        Action::Contract(act) => w.contracts.act(&cli, contract, act, None).await.map(|_| ()),
    };
    // A move the lifecycle or the dates do not allow is refused and changes nothing.
    if let Err(error) = &result {
        let refused = matches!(
            error,
            DomainError::IllegalTransition { .. } | DomainError::Validation(_) | DomainError::Conflict { .. }
        );
        assert!(refused, "{action:?}: {error:?}");
    }
}

async fn listed_staff(w: &World, query: StaffListQuery) -> Vec<StaffId> {
    let page = PageRequest::parse(Some(1), Some(100)).expect("page");
    let found = w.staff.list(&Actor::command_line(), query, page).await.expect("staff list");
    found.items.into_iter().map(|m| m.id).collect()
}

async fn listed_beneficiaries(w: &World, query: BeneficiaryListQuery) -> Vec<BeneficiaryId> {
    let page = PageRequest::parse(Some(1), Some(100)).expect("page");
    let found = w.beneficiaries.list(&Actor::command_line(), query, page).await.expect("beneficiary list");
    found.items.into_iter().map(|b| b.id).collect()
}

/// Everything that must agree on `today` for one client's member, dependent and contract.
async fn check_day(
    w: &World,
    client: ClientId,
    staff: StaffId,
    beneficiary: BeneficiaryId,
    contract: ContractId,
    context: &str,
) {
    let cli = Actor::command_line();
    let today = w.clock.today();
    let member = w.staff.history(&cli, staff).await.expect("staff");
    let expected = status_on(&member.history, today).expect("a staff status");
    assert_eq!(member.member.status, expected, "{context}: staff status");
    let (dependent, history) = w.beneficiaries.history(&cli, beneficiary).await.expect("beneficiary");
    let expected_dependent = status_on(&history, today).expect("a beneficiary status");
    assert_eq!(dependent.status, expected_dependent, "{context}: beneficiary status");
    let detail = w.contracts.get(&cli, contract).await.expect("contract");
    let expected_contract = status_on(&detail.history, today).expect("a contract status");
    assert_eq!(detail.contract.status, expected_contract, "{context}: contract status");
    // The scheduled change each record carries on its row is the one its history waits for.
    assert_eq!(
        member.member.scheduled_change,
        scheduled(&member.history, today),
        "{context}: staff scheduled"
    );
    assert_eq!(dependent.scheduled_change, scheduled(&history, today), "{context}: beneficiary scheduled");
    assert_eq!(
        detail.contract.scheduled_change,
        scheduled(&detail.history, today),
        "{context}: contract scheduled"
    );

    // The status filters.
    let by_status =
        StaffListQuery { client: Some(client), status: Some(expected), ..StaffListQuery::default() };
    assert_eq!(listed_staff(w, by_status).await, vec![staff], "{context}: staff status filter");
    let by_status = BeneficiaryListQuery {
        client: Some(client),
        status: Some(expected_dependent),
        ..BeneficiaryListQuery::default()
    };
    assert_eq!(listed_beneficiaries(w, by_status).await, vec![beneficiary], "{context}: beneficiary filter");

    // `eligible_on` and the answer, today and on days around it.
    for offset in [-4, 0, 3, 9] {
        let day = today + Duration::days(offset);
        let staff_answer = w.eligibility.one(&cli, Who::Id(staff.0), day).await.expect("answer");
        let listed = listed_staff(
            w,
            StaffListQuery { client: Some(client), eligible_on: Some(day), ..StaffListQuery::default() },
        )
        .await;
        assert_eq!(
            listed.contains(&staff),
            staff_answer.result.is_ok(),
            "{context}: staff eligible on {day}"
        );
        let dependent_answer = w.eligibility.one(&cli, Who::Id(beneficiary.0), day).await.expect("answer");
        let listed = listed_beneficiaries(
            w,
            BeneficiaryListQuery {
                client: Some(client),
                eligible_on: Some(day),
                ..BeneficiaryListQuery::default()
            },
        )
        .await;
        assert_eq!(
            listed.contains(&beneficiary),
            dependent_answer.result.is_ok(),
            "{context}: beneficiary eligible on {day}"
        );
        // The answer's contract is the one whose history covers the day.
        let covers = axis_contracts::covers(
            detail.contract.start_date,
            detail.contract.end_date,
            &detail.history,
            day,
        );
        assert_eq!(staff_answer.contract.is_some(), covers, "{context}: covering contract on {day}");
    }

    // The contract list and the client's counts read the same status.
    let in_force = expected_contract.is_in_force();
    let expiring = ContractListQuery {
        client: Some(client),
        status: None,
        payment_status: None,
        expiring_within: Some(400),
        pending_renewal: false,
        overdue: false,
        billing_due_within: None,
        search: None,
        ordering: ContractOrdering::StartDate,
        descending: false,
        include_deleted: false,
    };
    let page = PageRequest::parse(Some(1), Some(10)).expect("page");
    let listed = w.contracts.list(&cli, expiring, page).await.expect("contracts");
    let ends_within = detail.contract.end_date <= today + Duration::days(400);
    assert_eq!(
        listed.items.len(),
        usize::from(in_force && ends_within),
        "{context}: expiring_within ({:?} {}..{}, {:?})",
        detail.contract.status,
        detail.contract.start_date,
        detail.contract.end_date,
        detail.history
    );
    let stats = w.clients.stats(client).await.expect("stats");
    assert_eq!(stats.contracts_active, i64::from(in_force), "{context}: contracts_active");
    assert_eq!(stats.staff, i64::from(expected.allows_service()), "{context}: stats staff");
    assert_eq!(
        stats.beneficiaries,
        i64::from(expected_dependent == BeneficiaryStatus::Active),
        "{context}: stats beneficiaries"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_answer_agrees_on_every_day_of_random_dated_histories() {
    let db = TestDb::new().await;
    let first_day = date!(2026 - 03 - 01);
    let w = world(&db, first_day);
    let cli = Actor::command_line();
    const CASES: u64 = 6;
    const DAYS: i64 = 30;
    for seed in 0..CASES {
        let mut rng = StdRng::seed_from_u64(seed);
        w.clock.set(first_day);
        let client = ClientId::new();
        let mut conn = db.connect().await;
        conn.batch_execute(&format!(
            "INSERT INTO clients (id, name, status, created_at, updated_at) \
             VALUES ('{client}', 'Dated {seed}', 'active', '2025-01-01T00:00:00Z', now())"
        ))
        .await
        .expect("client");
        let start = first_day - Duration::days(rng.random_range(0..20));
        let contract = w
            .contracts
            .create(
                &cli,
                ContractFields {
                    client_id: Some(client),
                    title: "EAP".into(),
                    start_date: Some(start),
                    end_date: Some(start + Duration::days(rng.random_range(10..60))),
                    billing_amount: Some("1000".into()),
                    currency: Some("USD".into()),
                    ..ContractFields::default()
                },
            )
            .await
            .expect("contract")
            .contract
            .id;
        let activation = ContractAct::Activate {
            effective_on: rng.random_bool(0.5).then(|| first_day + Duration::days(rng.random_range(0..5))),
        };
        take(&w, StaffId::new(), BeneficiaryId::new(), contract, Action::Contract(activation)).await;
        let staff = w
            .staff
            .create(
                &cli,
                StaffFields {
                    client_id: Some(client),
                    profile: ProfileFields {
                        full_name: format!("Member {seed}"),
                        ..ProfileFields::default()
                    },
                    employment_start: Some(date!(2025 - 01 - 01)),
                    ..StaffFields::default()
                },
            )
            .await
            .expect("staff")
            .member
            .id;
        let beneficiary = w
            .beneficiaries
            .create(
                &cli,
                BeneficiaryFields {
                    staff_id: Some(staff),
                    profile: ProfileFields {
                        full_name: format!("Spouse {seed}"),
                        ..ProfileFields::default()
                    },
                    relation: Some(Relation::Spouse),
                    ..BeneficiaryFields::default()
                },
            )
            .await
            .expect("beneficiary")
            .id;
        // Up to three actions a day, on random days.
        let mut plan: Vec<(i64, Action)> = (0..14)
            .map(|_| {
                let day = rng.random_range(0..DAYS);
                (day, random_action(&mut rng, first_day + Duration::days(day)))
            })
            .collect();
        plan.sort_by_key(|(day, _)| *day);
        for day in 0..DAYS {
            let today = first_day + Duration::days(day);
            w.clock.set(today);
            w.staff.apply_scheduled().await.expect("staff apply");
            w.beneficiaries.apply_scheduled().await.expect("beneficiary apply");
            w.contracts.apply_scheduled().await.expect("contract apply");
            // The daily sweep: a contract past its end date expires.
            w.contracts.sweep().await.expect("sweep");
            for (_, action) in plan.iter().filter(|(on, _)| *on == day) {
                take(&w, staff, beneficiary, contract, action.clone()).await;
            }
            let context = format!("seed {seed}, {today}");
            check_day(&w, client, staff, beneficiary, contract, &context).await;
        }
        // Something must have happened for the case to say anything.
        let history = w.staff.history(&cli, staff).await.expect("staff").history;
        let contract_history = w.contracts.get(&cli, contract).await.expect("contract").history;
        assert!(history.len() + contract_history.len() > 3, "seed {seed}: the plan changed nothing");
    }
}
