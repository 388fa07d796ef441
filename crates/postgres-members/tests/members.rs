//! Staff and beneficiaries on a real database: the SQL eligibility chain runs the domain's case
//! table, `eligible_on` agrees with the Rust answer for stored members (inactive client, no
//! contract, a contract that expired yesterday, a termination last month, a beneficiary of an
//! ineligible staff member), moves stay within the employer, and reads are on record.
#![expect(clippy::expect_used, reason = "test setup fails loudly")]

use std::sync::Arc;

use axis_beneficiaries::{
    BeneficiaryAction, BeneficiaryFields, BeneficiaryId, BeneficiaryListQuery, BeneficiaryService,
    EligibilityService, Relation, Who,
};
use axis_contracts::{Act as ContractAct, ContractFields, ContractService};
use axis_kernel::{Actor, ClientId, DomainError, FixedClock, PageRequest, ProfileFields};
use axis_postgres::audited::PgAuditTrail;
use axis_postgres_clients::PgClientAccess;
use axis_postgres_contracts::PgContracts;
use axis_postgres_members::{PgBeneficiaries, PgEligibility, PgStaff};
use axis_staff::eligibility::staff_cases;
use axis_staff::{Act, IneligibleReason, StaffFields, StaffId, StaffListQuery, StaffService};
use axis_testkit::TestDb;
use diesel::sql_types::{Nullable, Text};
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime};

const NOW: OffsetDateTime = datetime!(2026-06-15 09:00 UTC);
const TODAY: Date = date!(2026 - 06 - 15);

#[derive(diesel::QueryableByName)]
struct Reason {
    #[diesel(sql_type = Nullable<Text>)]
    reason: Option<String>,
}

fn code(answer: Result<(), IneligibleReason>) -> Option<String> {
    answer.err().map(|reason| reason.as_str().to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sql_chain_runs_the_domains_case_table() {
    let db = TestDb::new().await;
    let mut conn = db.connect().await;
    for (name, facts, date, expected) in staff_cases() {
        let end = facts.employment_end.map_or("NULL".to_owned(), |end| format!("'{end}'"));
        let sql = format!(
            "SELECT staff_chain('{}', '{}', {end}, {}, {}, '{date}') AS reason",
            facts.status_on_date, facts.employment_start, facts.client_active, facts.contract_covers
        );
        let row: Reason = diesel::sql_query(&sql).get_result(&mut conn).await.expect("staff_chain");
        assert_eq!(row.reason, code(expected), "{name}");
    }
    for (active, staff, expected) in [
        (true, None, None),
        (false, None, Some("beneficiary_inactive")),
        (false, Some("client_inactive"), Some("beneficiary_inactive")),
        (true, Some("no_contract_coverage"), Some("staff_ineligible")),
    ] {
        let staff_sql = staff.map_or("NULL".to_owned(), |reason| format!("'{reason}'"));
        let sql = format!("SELECT beneficiary_chain({active}, {staff_sql}) AS reason");
        let row: Reason = diesel::sql_query(&sql).get_result(&mut conn).await.expect("beneficiary_chain");
        assert_eq!(row.reason.as_deref(), expected, "{active} {staff:?}");
    }
}

struct Members {
    staff: Arc<StaffService>,
    beneficiaries: BeneficiaryService,
    eligibility: EligibilityService,
    contracts_then: ContractService,
}

fn members(db: &TestDb) -> Members {
    let database = db.database();
    let access = Arc::new(PgClientAccess::new(database.clone()));
    let trail = Arc::new(PgAuditTrail::new(database.clone()));
    let clock = Arc::new(FixedClock::at(NOW));
    let pg_staff = Arc::new(PgStaff::new(database.clone(), clock.clone()));
    let pg_beneficiaries = Arc::new(PgBeneficiaries::new(database.clone(), clock.clone()));
    let staff =
        Arc::new(StaffService::new(pg_staff.clone(), pg_staff, access.clone(), trail.clone(), clock.clone()));
    let beneficiaries = BeneficiaryService::new(
        pg_beneficiaries.clone(),
        pg_beneficiaries,
        staff.clone(),
        access.clone(),
        trail.clone(),
        clock.clone(),
    );
    let eligibility =
        EligibilityService::new(Arc::new(PgEligibility::new(database.clone())), access.clone(), trail, clock);
    // Contracts are set up on the first of January, so their history covers the year.
    let contracts_then = ContractService::new(
        Arc::new(PgContracts::new(database)),
        access,
        Arc::new(FixedClock::at(datetime!(2026-01-01 09:00 UTC))),
    );
    Members { staff, beneficiaries, eligibility, contracts_then }
}

async fn client(db: &TestDb, status: &str) -> ClientId {
    let id = ClientId::new();
    let mut conn = db.connect().await;
    conn.batch_execute(&format!(
        "INSERT INTO clients (id, name, status, created_at, updated_at) VALUES ('{id}', 'Client {id}', '{status}', '2025-01-01T00:00:00Z', now())"
    ))
    .await
    .expect("client");
    id
}

async fn contract(m: &Members, client: ClientId, end: Date) {
    let cli = Actor::command_line();
    let fields = ContractFields {
        client_id: Some(client),
        title: "EAP".into(),
        start_date: Some(date!(2026 - 01 - 01)),
        end_date: Some(end),
        billing_amount: Some("1000".into()),
        currency: Some("USD".into()),
        ..ContractFields::default()
    };
    let created = m.contracts_then.create(&cli, fields).await.expect("contract");
    m.contracts_then
        .act(&cli, created.contract.id, ContractAct::Activate { effective_on: None }, None)
        .await
        .expect("activated");
}

async fn staff_member(m: &Members, client: ClientId, name: &str) -> StaffId {
    let fields = StaffFields {
        client_id: Some(client),
        profile: ProfileFields { full_name: name.into(), ..ProfileFields::default() },
        employment_start: Some(date!(2025 - 01 - 01)),
        ..StaffFields::default()
    };
    m.staff.create(&Actor::command_line(), fields).await.expect("staff").member.id
}

async fn dependent(m: &Members, staff: StaffId, name: &str) -> BeneficiaryId {
    let fields = BeneficiaryFields {
        staff_id: Some(staff),
        profile: ProfileFields { full_name: name.into(), ..ProfileFields::default() },
        relation: Some(Relation::Spouse),
        ..BeneficiaryFields::default()
    };
    m.beneficiaries.create(&Actor::command_line(), fields).await.expect("beneficiary").id
}

#[tokio::test(flavor = "multi_thread")]
async fn eligible_on_agrees_with_the_rust_answer_for_stored_members() {
    let db = TestDb::new().await;
    let m = members(&db);
    let cli = Actor::command_line();
    let covered = client(&db, "active").await;
    contract(&m, covered, date!(2026 - 12 - 31)).await;
    let inactive_client = client(&db, "inactive").await;
    contract(&m, inactive_client, date!(2026 - 12 - 31)).await;
    let uncovered = client(&db, "active").await;
    let expired = client(&db, "active").await;
    contract(&m, expired, date!(2026 - 06 - 14)).await;

    let working = staff_member(&m, covered, "Working").await;
    let terminated = staff_member(&m, covered, "Terminated Last Month").await;
    let act = Act::Terminate { end_date: Some(date!(2026 - 05 - 31)), reason: "redundancy".into() };
    m.staff.act(&cli, terminated, act, None).await.expect("terminated");
    let at_inactive_client = staff_member(&m, inactive_client, "Inactive Client").await;
    let at_uncovered = staff_member(&m, uncovered, "No Contract").await;
    let at_expired = staff_member(&m, expired, "Expired Yesterday").await;

    let spouse = dependent(&m, working, "Spouse").await;
    let former = dependent(&m, working, "Former").await;
    m.beneficiaries
        .act(&cli, former, BeneficiaryAction::Deactivate, None, None, None)
        .await
        .expect("deactivated");
    let of_terminated = dependent(&m, terminated, "Of Terminated").await;

    let expected_today = [
        (working, None),
        (terminated, Some(IneligibleReason::PersonInactive)),
        (at_inactive_client, Some(IneligibleReason::ClientInactive)),
        (at_uncovered, Some(IneligibleReason::NoContractCoverage)),
        (at_expired, Some(IneligibleReason::NoContractCoverage)),
    ];
    for (id, reason) in expected_today {
        let answer = m.eligibility.one(&cli, Who::Id(id.0), TODAY).await.expect("answer").result;
        assert_eq!(answer.err(), reason, "{id}");
    }
    assert_eq!(
        m.eligibility.one(&cli, Who::Id(terminated.0), date!(2026 - 05 - 20)).await.expect("answer").result,
        Ok(())
    );
    assert_eq!(
        m.eligibility.one(&cli, Who::Id(of_terminated.0), TODAY).await.expect("answer").result,
        Err(IneligibleReason::StaffIneligible)
    );
    assert_eq!(
        m.eligibility.one(&cli, Who::Id(former.0), TODAY).await.expect("answer").result,
        Err(IneligibleReason::BeneficiaryInactive)
    );

    let page = PageRequest::parse(Some(1), Some(100)).expect("page");
    for date in [TODAY, date!(2026 - 05 - 20), date!(2026 - 06 - 14), date!(2024 - 06 - 01)] {
        let listed = m
            .staff
            .list(&cli, StaffListQuery { eligible_on: Some(date), ..StaffListQuery::default() }, page)
            .await
            .expect("staff list");
        for id in [working, terminated, at_inactive_client, at_uncovered, at_expired] {
            let rust = m.eligibility.one(&cli, Who::Id(id.0), date).await.expect("answer").result.is_ok();
            let sql = listed.items.iter().any(|member| member.id == id);
            assert_eq!(sql, rust, "staff {id} on {date}");
        }
        let listed = m
            .beneficiaries
            .list(
                &cli,
                BeneficiaryListQuery { eligible_on: Some(date), ..BeneficiaryListQuery::default() },
                page,
            )
            .await
            .expect("beneficiary list");
        for id in [spouse, former, of_terminated] {
            let rust = m.eligibility.one(&cli, Who::Id(id.0), date).await.expect("answer").result.is_ok();
            let sql = listed.items.iter().any(|b| b.id == id);
            assert_eq!(sql, rust, "beneficiary {id} on {date}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn members_round_trip_and_move_only_within_their_employer() {
    let db = TestDb::new().await;
    let m = members(&db);
    let cli = Actor::command_line();
    let (a, b) = (client(&db, "active").await, client(&db, "active").await);
    let first = staff_member(&m, a, "First").await;
    let colleague = staff_member(&m, a, "Colleague").await;
    let elsewhere = staff_member(&m, b, "Elsewhere").await;
    let renamed = m
        .staff
        .update(
            &cli,
            first,
            |f| {
                f.profile.email = Some("First@Example.com".into());
                f.employee_number = Some("E-7".into());
            },
            None,
        )
        .await
        .expect("updated");
    assert_eq!((renamed.profile.email.as_deref(), renamed.version), (Some("first@example.com"), 2));
    let found = m
        .staff
        .list(
            &cli,
            StaffListQuery {
                search: Some(axis_kernel::PersonSearch::new("e-7")),
                ..StaffListQuery::default()
            },
            PageRequest::first(),
        )
        .await
        .expect("search");
    assert_eq!(
        found.items.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![first],
        "search on the employee number"
    );
    let taken = m.staff.update(&cli, colleague, |f| f.employee_number = Some("E-7".into()), None).await;
    assert!(
        matches!(&taken, Err(DomainError::Conflict { errors, .. }) if errors.fields().contains_key("employee_number")),
        "{taken:?}"
    );

    let spouse = dependent(&m, first, "Spouse").await;
    let moved =
        m.beneficiaries.update(&cli, spouse, |f| f.staff_id = Some(colleague), None).await.expect("moved");
    assert_eq!(moved.staff_id, colleague);
    let refused = m.beneficiaries.update(&cli, spouse, |f| f.staff_id = Some(elsewhere), None).await;
    assert!(
        matches!(&refused, Err(DomainError::Validation(e)) if e.fields().contains_key("staff_id")),
        "{refused:?}"
    );
    // The database refuses it too, whoever writes.
    let mut conn = db.connect().await;
    let direct = conn
        .batch_execute(&format!("UPDATE beneficiaries SET staff_id = '{elsewhere}' WHERE id = '{spouse}'"))
        .await;
    assert!(direct.is_err(), "the (staff, client) reference holds in the database");

    let family = m.beneficiaries.family_of_staff(&cli, colleague).await.expect("family");
    assert_eq!(family.beneficiaries.iter().map(|b| b.id).collect::<Vec<_>>(), vec![spouse]);
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[tokio::test(flavor = "multi_thread")]
async fn every_read_of_person_data_is_on_record() {
    let db = TestDb::new().await;
    let m = members(&db);
    let cli = Actor::command_line();
    let employer = client(&db, "active").await;
    let member = staff_member(&m, employer, "Read Me").await;
    m.staff.get(&cli, member).await.expect("read");
    let mut conn = db.connect().await;
    let sql = format!(
        "SELECT count(*) AS n FROM audit_logs WHERE action = 'staff.read' AND entity_id = '{member}'"
    );
    let count: Count = diesel::sql_query(&sql).get_result(&mut conn).await.expect("count");
    assert_eq!(count.n, 1);
}
