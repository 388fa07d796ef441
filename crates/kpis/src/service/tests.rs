//! The KPI use cases with the repository and the scope port mocked, on a fixed clock.

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use axis_kernel::access::MockClientAccess;
use axis_kernel::{Actor, FixedClock, RequestContext, Role, SessionId, UserId};
use bigdecimal::BigDecimal;
use futures_executor::block_on;
use time::OffsetDateTime;
use time::macros::{date, datetime};

use super::*;
use crate::ports::MockKpiRepository;
use crate::{Direction, Frequency, UnitType};

const NOW: OffsetDateTime = datetime!(2026-06-15 10:00 UTC);

fn actor(role: Role) -> Actor {
    Actor::user(UserId::new(), role, SessionId::new(), "someone@example.com", RequestContext::default())
}

fn kpi(client: Option<ClientId>, contract: Option<ContractId>) -> Kpi {
    Kpi {
        id: KpiId::new(),
        name: "Utilisation".into(),
        description: None,
        kpi_type_id: KpiTypeId::new(),
        unit: "%".into(),
        unit_type: UnitType::Percentage,
        target: Some(BigDecimal::from(5)),
        direction: Direction::HigherIsBetter,
        calculation_method: None,
        frequency: Some(Frequency::Quarterly),
        public: true,
        client_id: client,
        contract_id: contract,
        version: 1,
        created_at: NOW,
        updated_at: NOW,
    }
}

fn assignment(client: ClientId, status: AssignmentStatus) -> KpiAssignment {
    KpiAssignment {
        id: AssignmentId::new(),
        kpi_id: KpiId::new(),
        contract_id: ContractId::new(),
        client_id: client,
        target: None,
        frequency: Frequency::Quarterly,
        status,
        start_date: date!(2026 - 01 - 01),
        end_date: Some(date!(2026 - 12 - 31)),
        notes: None,
        version: 3,
        created_at: NOW,
        updated_at: NOW,
    }
}

fn service(repo: MockKpiRepository, visible: bool) -> KpiService {
    let mut access = MockClientAccess::new();
    access.expect_is_visible().returning(move |_, _| Ok(visible));
    KpiService::new(Arc::new(repo), Arc::new(access), Arc::new(FixedClock::at(NOW)))
}

fn field_error<T: std::fmt::Debug>(result: Result<T, DomainError>, field: &str) {
    match result {
        Err(DomainError::Validation(errors)) => assert!(errors.fields().contains_key(field), "{errors:?}"),
        other => panic!("expected a field error on {field}, got {other:?}"),
    }
}

fn assignment_fields(kpi: KpiId, contract: ContractId) -> AssignmentFields {
    AssignmentFields {
        kpi_id: kpi,
        contract_id: contract,
        target: Some("7.5".into()),
        frequency: Frequency::Quarterly,
        start_date: date!(2026 - 01 - 01),
        end_date: None,
        notes: None,
    }
}

#[test]
fn an_assignment_takes_its_client_from_the_contract_and_only_a_kpi_that_applies() {
    let (client, contract) = (ClientId::new(), ContractId::new());
    let mut repo = MockKpiRepository::new();
    repo.expect_contract_client().returning(move |_| Ok(Some(client)));
    let own = kpi(Some(client), None);
    let (own_id, foreign) = (own.id, kpi(Some(ClientId::new()), None));
    let foreign_id = foreign.id;
    repo.expect_get_kpi()
        .returning(move |id| Ok(Some(if id == own_id { own.clone() } else { foreign.clone() })));
    repo.expect_insert_assignment().returning(|a, audit| {
        assert_eq!(audit.action, "kpi_assignment.create");
        Ok(a.clone())
    });
    let service = service(repo, true);
    let manager = actor(Role::Manager);
    let made =
        block_on(service.create_assignment(&manager, assignment_fields(own_id, contract))).expect("assigned");
    assert_eq!((made.client_id, made.status), (client, AssignmentStatus::Pending));
    assert_eq!(made.target, Some(BigDecimal::from_str("7.5").expect("decimal")));
    field_error(
        block_on(service.create_assignment(&manager, assignment_fields(foreign_id, contract))),
        "kpi_id",
    );
    let refused =
        block_on(service.create_assignment(&actor(Role::Analyst), assignment_fields(own_id, contract)));
    assert!(matches!(refused, Err(DomainError::Forbidden)));
}

#[test]
fn a_contract_out_of_scope_is_not_a_contract() {
    let mut repo = MockKpiRepository::new();
    repo.expect_contract_client().returning(|_| Ok(Some(ClientId::new())));
    let service = service(repo, false);
    let made = block_on(
        service.create_assignment(&actor(Role::Manager), assignment_fields(KpiId::new(), ContractId::new())),
    );
    field_error(made, "contract_id");
}

#[test]
fn a_kpi_of_a_contract_must_name_that_contracts_client() {
    let (client, other) = (ClientId::new(), ClientId::new());
    let mut repo = MockKpiRepository::new();
    repo.expect_get_type().returning(|_| {
        Ok(Some(KpiType {
            id: KpiTypeId::new(),
            name: "Q".into(),
            description: None,
            weight: None,
            version: 1,
            created_at: NOW,
            updated_at: NOW,
        }))
    });
    repo.expect_contract_client().returning(move |_| Ok(Some(other)));
    let service = service(repo, true);
    let fields = KpiFields {
        name: "Sessions".into(),
        description: None,
        kpi_type_id: KpiTypeId::new(),
        unit: "sessions".into(),
        unit_type: UnitType::Count,
        target: None,
        direction: Direction::HigherIsBetter,
        calculation_method: None,
        frequency: None,
        public: false,
        client_id: Some(client),
        contract_id: Some(ContractId::new()),
    };
    field_error(block_on(service.create_kpi(&actor(Role::Manager), fields)), "contract_id");
}

#[test]
fn a_kpis_type_client_and_contract_stay_put() {
    let client = ClientId::new();
    let stored = kpi(Some(client), None);
    let mut repo = MockKpiRepository::new();
    repo.expect_get_kpi().returning(move |_| Ok(Some(stored.clone())));
    let service = service(repo, true);
    let moved = block_on(service.update_kpi(
        &actor(Role::Manager),
        KpiId::new(),
        |f: &mut KpiFields| f.client_id = None,
        None,
    ));
    field_error(moved, "client_id");
    let analyst = block_on(service.update_kpi(
        &actor(Role::Analyst),
        KpiId::new(),
        |f: &mut KpiFields| f.name = "x".into(),
        None,
    ));
    assert!(matches!(analyst, Err(DomainError::Forbidden)));
}

#[test]
fn global_kpis_are_everyones_to_read_and_a_managers_to_change() {
    let stored = kpi(None, None);
    let mut repo = MockKpiRepository::new();
    repo.expect_get_kpi().returning(move |_| Ok(Some(stored.clone())));
    let service = service(repo, false);
    assert!(block_on(service.get_kpi(&actor(Role::Viewer), KpiId::new())).is_ok());
    let deleted = block_on(service.delete_kpi(&actor(Role::Analyst), KpiId::new()));
    assert!(matches!(deleted, Err(DomainError::Forbidden)));
}

type Recorded = Arc<Mutex<Vec<(Measurement, String)>>>;

fn measuring(status: AssignmentStatus) -> (KpiService, Recorded) {
    let stored = assignment(ClientId::new(), status);
    let mut repo = MockKpiRepository::new();
    repo.expect_get_assignment().returning(move |_| Ok(Some(stored.clone())));
    let recorded: Recorded = Arc::default();
    let log = recorded.clone();
    repo.expect_insert_measurement().returning(move |m, audit| {
        log.lock().expect("log").push((m.measurement.clone(), audit.action.clone()));
        Ok(m.measurement.clone())
    });
    (service(repo, true), recorded)
}

fn period(start: time::Date, end: time::Date, value: &str) -> MeasurementFields {
    MeasurementFields { period_start: start, period_end: end, value: value.into(), note: None }
}

#[test]
fn measurements_fall_within_the_assignment_while_it_runs() {
    let (service, recorded) = measuring(AssignmentStatus::Ongoing);
    let analyst = actor(Role::Analyst);
    let id = AssignmentId::new();
    let made =
        block_on(service.record(&analyst, id, period(date!(2026 - 01 - 01), date!(2026 - 03 - 31), "6.25")));
    assert_eq!(made.expect("recorded").value, BigDecimal::from_str("6.25").expect("decimal"));
    assert_eq!(recorded.lock().expect("log")[0].1, "kpi_measurement.create");
    // Outside the assignment's dates: a rule over the stored assignment, so a conflict (409)
    // naming the field.
    for outside in [
        period(date!(2025 - 12 - 01), date!(2026 - 01 - 31), "1"),
        period(date!(2026 - 12 - 01), date!(2027 - 01 - 31), "1"),
    ] {
        let refused = block_on(service.record(&analyst, id, outside));
        let named = matches!(&refused, Err(DomainError::Conflict { errors, .. }) if errors.fields().contains_key("period_start"));
        assert!(named, "{refused:?}");
    }
    field_error(
        block_on(service.record(&analyst, id, period(date!(2026 - 02 - 01), date!(2026 - 01 - 31), "1"))),
        "period_end",
    );
    field_error(
        block_on(service.record(&analyst, id, period(date!(2026 - 01 - 01), date!(2026 - 01 - 31), "1e3"))),
        "value",
    );
    let viewer = block_on(service.record(
        &actor(Role::Viewer),
        id,
        period(date!(2026 - 01 - 01), date!(2026 - 01 - 31), "1"),
    ));
    assert!(matches!(viewer, Err(DomainError::Forbidden)));
    let (finished, _) = measuring(AssignmentStatus::Completed);
    let late =
        block_on(finished.record(&analyst, id, period(date!(2026 - 01 - 01), date!(2026 - 01 - 31), "1")));
    assert!(matches!(late, Err(DomainError::Conflict { .. })), "{late:?}");
}

#[test]
fn the_lifecycle_moves_by_its_table() {
    let stored = assignment(ClientId::new(), AssignmentStatus::Pending);
    let mut repo = MockKpiRepository::new();
    repo.expect_get_assignment().returning(move |_| Ok(Some(stored.clone())));
    repo.expect_save_assignment().returning(|a, expected, audit| {
        assert_eq!((expected, audit.action.as_str()), (3, "kpi_assignment.activate"));
        Ok(Some(a.clone()))
    });
    let service = service(repo, true);
    let manager = actor(Role::Manager);
    let moved = block_on(service.act(&manager, AssignmentId::new(), AssignmentAction::Activate, None));
    assert_eq!(moved.expect("activated").status, AssignmentStatus::Ongoing);
    let illegal = block_on(service.act(&manager, AssignmentId::new(), AssignmentAction::Complete, None));
    assert!(matches!(illegal, Err(DomainError::IllegalTransition { .. })));
    let stale = block_on(service.act(&manager, AssignmentId::new(), AssignmentAction::Activate, Some(2)));
    assert!(matches!(stale, Err(DomainError::VersionMismatch)));
}

#[test]
fn an_assignment_out_of_scope_is_missing() {
    let stored = assignment(ClientId::new(), AssignmentStatus::Ongoing);
    let mut repo = MockKpiRepository::new();
    repo.expect_get_assignment().returning(move |_| Ok(Some(stored.clone())));
    let service = service(repo, false);
    let read = block_on(service.performance(&actor(Role::Analyst), AssignmentId::new()));
    assert!(matches!(read, Err(DomainError::NotFound)));
}

#[test]
fn a_type_in_use_is_not_deleted() {
    let mut repo = MockKpiRepository::new();
    repo.expect_get_type().returning(|id| {
        Ok(Some(KpiType {
            id,
            name: "Q".into(),
            description: None,
            weight: Some(2),
            version: 1,
            created_at: NOW,
            updated_at: NOW,
        }))
    });
    repo.expect_delete_type().returning(|_, _| Ok(false));
    let service = service(repo, true);
    let deleted = block_on(service.delete_type(&actor(Role::Manager), KpiTypeId::new()));
    assert!(matches!(deleted, Err(DomainError::Conflict { .. })));
}
