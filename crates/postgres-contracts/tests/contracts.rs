//! Contracts on a real database through their use cases: generated numbers, the overlap rule
//! enforced by PostgreSQL (also for two racing activations), stale versions, coverage read
//! from the stored history, and the renewal notice recorded once.
#![expect(clippy::expect_used, reason = "test setup fails loudly")]

use std::sync::Arc;

use axis_contracts::{Act, ContractCoverage, ContractFields, ContractService, ContractStatus};
use axis_kernel::{Actor, ClientId, DomainError, FixedClock};
use axis_postgres_clients::PgClientAccess;
use axis_postgres_contracts::{PgContractCoverage, PgContracts};
use axis_testkit::TestDb;
use diesel_async::SimpleAsyncConnection;
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime};

const NOW: OffsetDateTime = datetime!(2026-03-01 09:00 UTC);

async fn client(db: &TestDb) -> ClientId {
    let id = ClientId::new();
    let mut conn = db.connect().await;
    conn.batch_execute(&format!(
        "INSERT INTO clients (id, name, status, created_at, updated_at) VALUES ('{id}', 'Client {id}', 'active', now(), now())"
    ))
    .await
    .expect("client");
    id
}

fn service(db: &TestDb, now: OffsetDateTime) -> ContractService {
    let database = db.database();
    ContractService::new(
        Arc::new(PgContracts::new(database.clone())),
        Arc::new(PgClientAccess::new(database)),
        Arc::new(FixedClock::at(now)),
    )
}

fn fields(client: ClientId, start: Date, end: Date) -> ContractFields {
    ContractFields {
        client_id: Some(client),
        title: "EAP".into(),
        start_date: Some(start),
        end_date: Some(end),
        billing_amount: Some("1200000".into()),
        currency: Some("UGX".into()),
        ..ContractFields::default()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn numbers_are_generated_per_year_and_given_ones_are_unique() {
    let db = TestDb::new().await;
    let contracts = service(&db, NOW);
    let client = client(&db).await;
    let cli = Actor::command_line();
    let year = fields(client, date!(2026 - 01 - 01), date!(2026 - 12 - 31));
    let first = contracts.create(&cli, year.clone()).await.expect("first");
    let second = contracts.create(&cli, year.clone()).await.expect("second");
    assert_eq!(
        (first.contract.number.as_str(), second.contract.number.as_str()),
        ("C-2026-00001", "C-2026-00002")
    );
    let taken = contracts.create(&cli, ContractFields { number: Some("C-2026-00001".into()), ..year }).await;
    assert!(
        matches!(&taken, Err(DomainError::Conflict { errors, .. }) if errors.fields().contains_key("number")),
        "{taken:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn overlapping_in_force_contracts_are_refused_by_the_database_even_when_racing() {
    let db = TestDb::new().await;
    let contracts = Arc::new(service(&db, NOW));
    let client = client(&db).await;
    let cli = Actor::command_line();
    let a = contracts
        .create(&cli, fields(client, date!(2026 - 01 - 01), date!(2026 - 12 - 31)))
        .await
        .expect("a");
    let b = contracts
        .create(&cli, fields(client, date!(2026 - 06 - 01), date!(2027 - 05 - 31)))
        .await
        .expect("b");
    // Drafts may overlap; activating both at once lets exactly one through.
    let race = |id| {
        let contracts = contracts.clone();
        tokio::spawn(async move {
            contracts.act(&Actor::command_line(), id, Act::Activate { effective_on: None }, None).await
        })
    };
    let (first, second) = (race(a.contract.id), race(b.contract.id));
    let results = [first.await.expect("task"), second.await.expect("task")];
    let refused: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert_eq!(refused.len(), 1, "{results:?}");
    assert!(
        matches!(refused[0], DomainError::Conflict { errors, .. } if errors.fields().contains_key("start_date")),
        "{:?}",
        refused[0]
    );
    // A period that does not overlap is fine.
    let c = contracts
        .create(&cli, fields(client, date!(2027 - 06 - 01), date!(2027 - 12 - 31)))
        .await
        .expect("c");
    contracts
        .act(&cli, c.contract.id, Act::Activate { effective_on: None }, None)
        .await
        .expect("next year's activates");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stale_version_changes_nothing() {
    let db = TestDb::new().await;
    let contracts = service(&db, NOW);
    let client = client(&db).await;
    let cli = Actor::command_line();
    let created = contracts
        .create(&cli, fields(client, date!(2026 - 01 - 01), date!(2026 - 12 - 31)))
        .await
        .expect("c");
    let id = created.contract.id;
    contracts.act(&cli, id, Act::Submit, Some(1)).await.expect("submitted at version 1");
    let stale = contracts.act(&cli, id, Act::Activate { effective_on: None }, Some(1)).await;
    assert!(matches!(stale, Err(DomainError::VersionMismatch)), "{stale:?}");
    let now = contracts.get(&cli, id).await.expect("get");
    assert_eq!(
        (now.contract.status, now.contract.version, now.history.len()),
        (ContractStatus::Pending, 2, 2)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn coverage_is_read_from_the_stored_history() {
    let db = TestDb::new().await;
    let client = client(&db).await;
    let cli = Actor::command_line();
    let year = fields(client, date!(2026 - 01 - 01), date!(2026 - 12 - 31));
    let id = service(&db, datetime!(2026-01-01 08:00 UTC)).create(&cli, year).await.expect("c").contract.id;
    service(&db, datetime!(2026-01-01 09:00 UTC))
        .act(&cli, id, Act::Activate { effective_on: None }, None)
        .await
        .expect("active");
    let suspend = Act::Suspend { reason: "unpaid".into() };
    service(&db, datetime!(2026-03-10 09:00 UTC)).act(&cli, id, suspend, None).await.expect("suspended");
    service(&db, datetime!(2026-03-20 09:00 UTC)).act(&cli, id, Act::Resume, None).await.expect("resumed");
    let terminate = Act::Terminate { reason: "closed".into(), effective_on: Some(date!(2026 - 09 - 01)) };
    service(&db, datetime!(2026-05-01 09:00 UTC)).act(&cli, id, terminate, None).await.expect("terminated");

    let coverage = PgContractCoverage::new(db.database());
    for (day, covered) in [
        (date!(2025 - 12 - 31), false),
        (date!(2026 - 02 - 01), true),
        (date!(2026 - 03 - 15), false),
        (date!(2026 - 03 - 20), true),
        (date!(2026 - 08 - 31), true),
        (date!(2026 - 09 - 01), false),
    ] {
        let found = coverage.covering(client, day).await.expect("coverage");
        assert_eq!(found, covered.then_some(id), "{day}");
    }
    assert_eq!(coverage.covering(ClientId::new(), date!(2026 - 02 - 01)).await.expect("other client"), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sweep_expires_and_notices_once() {
    let db = TestDb::new().await;
    let client = client(&db).await;
    let cli = Actor::command_line();
    let at = |now| service(&db, now);
    let ending =
        at(NOW).create(&cli, fields(client, date!(2026 - 01 - 01), date!(2026 - 03 - 31))).await.expect("c");
    at(NOW).act(&cli, ending.contract.id, Act::Activate { effective_on: None }, None).await.expect("active");
    // 15 March: inside the 30-day notice window.
    let march = at(datetime!(2026-03-15 06:00 UTC));
    assert_eq!(march.sweep().await.expect("sweep").notices, 1);
    assert_eq!(march.sweep().await.expect("again").notices, 0, "once per period");
    let mut conn = db.connect().await;
    conn.batch_execute(&format!(
        "DO $$ BEGIN IF (SELECT count(*) FROM client_activities WHERE client_id = '{client}' \
         AND title = 'contract {} expires on 2026-03-31') <> 1 THEN RAISE EXCEPTION 'no notice'; END IF; END $$",
        ending.contract.number
    ))
    .await
    .expect("one activity records the notice");
    let april = at(datetime!(2026-04-01 06:00 UTC));
    assert_eq!(april.sweep().await.expect("sweep").expired, 1);
    let after = april.get(&cli, ending.contract.id).await.expect("get");
    assert_eq!(after.contract.status, ContractStatus::Expired);
    assert_eq!(after.history.last().map(|c| c.effective_on), Some(date!(2026 - 04 - 01)));
}
