//! The answers on fixed facts (the chain's links, the deciding facts, the last day of cover),
//! and the service with its facts port mocked: lookups, batches and their records.

use std::sync::Mutex;

use axis_contracts::ContractStatus;
use axis_kernel::audit::MockAuditTrail;
use axis_kernel::{FixedClock, RequestContext, SessionId, UserId};
use futures_executor::block_on;
use time::macros::{date, datetime};

use super::*;

const NOW: OffsetDateTime = datetime!(2026-06-15 10:00 UTC);
const TODAY: Date = date!(2026 - 06 - 15);

fn clock() -> FixedClock {
    FixedClock::at(NOW)
}

fn change<S>(status: S, effective_on: Date) -> axis_kernel::StatusChange<S> {
    axis_kernel::StatusChange { status, effective_on, at: NOW, reason: None, pending: effective_on > TODAY }
}

fn contract(number: &str, start: Date, end: Date, history: Vec<ContractChange>) -> ContractTerm {
    ContractTerm { id: ContractId::new(), number: number.into(), start_date: start, end_date: end, history }
}

/// An active staff member since 2025 at an active client (since 2025) with this year's
/// contract in force from 1 January.
fn staff_facts() -> PersonFacts {
    let staff_id = StaffId::new();
    PersonFacts {
        found: Found { person: staff_id.0, kind: MemberKind::Staff, staff_id, client_id: ClientId::new() },
        staff: StaffTimeline {
            status: StaffStatus::Active,
            employment_start: date!(2025 - 01 - 01),
            employment_end: None,
            deleted: false,
            history: vec![change(StaffStatus::Active, date!(2025 - 01 - 01))],
        },
        beneficiary: None,
        employer: Employer { active: true, created_at: datetime!(2025-01-01 0:00 UTC) },
        contracts: vec![contract(
            "C-2026-00001",
            date!(2026 - 01 - 01),
            date!(2026 - 12 - 31),
            vec![change(ContractStatus::Active, date!(2026 - 01 - 01))],
        )],
    }
}

fn dependent_of(staff: &PersonFacts) -> PersonFacts {
    let id = Uuid::now_v7();
    PersonFacts {
        found: Found { person: id, kind: MemberKind::Beneficiary, ..staff.found },
        beneficiary: Some(BeneficiaryTimeline {
            status: BeneficiaryStatus::Active,
            deleted: false,
            history: vec![change(BeneficiaryStatus::Active, date!(2025 - 02 - 01))],
        }),
        ..staff.clone()
    }
}

fn ask(facts: &PersonFacts, date: Date) -> Answer {
    answer(facts, date, &clock())
}

#[test]
fn an_eligible_answer_names_the_covering_contract_and_the_last_day_of_cover() {
    let facts = staff_facts();
    let answer = ask(&facts, TODAY);
    assert_eq!(answer.result, Ok(()));
    assert_eq!(answer.contract.as_ref().map(|c| c.number.as_str()), Some("C-2026-00001"));
    assert_eq!(answer.covered_until, Some(date!(2026 - 12 - 31)), "the contract's last day");

    // A termination dated ahead ends cover the day before it takes effect.
    let mut ending = facts.clone();
    ending.contracts[0].history.push(change(ContractStatus::Terminated, date!(2026 - 09 - 30)));
    assert_eq!(ask(&ending, TODAY).covered_until, Some(date!(2026 - 09 - 29)));
    // Next year's contract, already in force from 1 January, carries cover on.
    let mut renewed = facts.clone();
    renewed.contracts.push(contract(
        "C-2027-00001",
        date!(2027 - 01 - 01),
        date!(2027 - 12 - 31),
        vec![change(ContractStatus::Active, date!(2026 - 06 - 01))],
    ));
    assert_eq!(ask(&renewed, TODAY).covered_until, Some(date!(2027 - 12 - 31)));
    // The member's own end comes first.
    let mut leaving = facts.clone();
    leaving.staff.employment_end = Some(date!(2026 - 08 - 31));
    assert_eq!(ask(&leaving, TODAY).covered_until, Some(date!(2026 - 08 - 31)));
    // A suspension dated ahead breaks the run.
    let mut suspended = facts.clone();
    suspended.staff.history.push(change(StaffStatus::Suspended, date!(2026 - 07 - 10)));
    assert_eq!(ask(&suspended, TODAY).covered_until, Some(date!(2026 - 07 - 09)));
    // Not eligible: no last day of cover, but the contract is still named.
    let mut inactive = facts;
    inactive.staff.history.push(change(StaffStatus::Inactive, date!(2026 - 06 - 01)));
    let refused = ask(&inactive, TODAY);
    assert_eq!((refused.result, refused.covered_until), (Err(IneligibleReason::PersonInactive), None));
    assert!(refused.contract.is_some());
}

#[test]
fn the_status_of_the_day_asked_is_read_from_the_history() {
    // Terminated last month: employment ended 31 May, terminated from 1 June.
    let mut facts = staff_facts();
    facts.staff.status = StaffStatus::Terminated;
    facts.staff.employment_end = Some(date!(2026 - 05 - 31));
    facts.staff.history.push(change(StaffStatus::Terminated, date!(2026 - 06 - 01)));
    assert_eq!(ask(&facts, date!(2026 - 05 - 20)).result, Ok(()));
    assert_eq!(ask(&facts, date!(2026 - 05 - 20)).covered_until, Some(date!(2026 - 05 - 31)));
    assert_eq!(ask(&facts, TODAY).result, Err(IneligibleReason::PersonInactive));
    assert_eq!(ask(&facts, date!(2024 - 12 - 31)).result, Err(IneligibleReason::EmploymentNotStarted));
    let mut deleted = staff_facts();
    deleted.staff.deleted = true;
    assert_eq!(ask(&deleted, TODAY).result, Err(IneligibleReason::PersonInactive));
}

#[test]
fn the_employer_and_contract_links() {
    let mut facts = staff_facts();
    facts.employer.active = false;
    assert_eq!(ask(&facts, TODAY).result, Err(IneligibleReason::ClientInactive));
    let mut facts = staff_facts();
    facts.contracts[0].history.push(change(ContractStatus::Suspended, date!(2026 - 06 - 01)));
    let answer = ask(&facts, TODAY);
    assert_eq!((answer.result, answer.contract), (Err(IneligibleReason::NoContractCoverage), None));
}

#[test]
fn a_client_that_did_not_exist_yet_was_not_active() {
    // Issue 24: created on 1 March 2026; asked about 15 February, the answer was
    // `no_contract_coverage` (the client's status today stood for every day).
    let mut facts = staff_facts();
    facts.employer.created_at = datetime!(2026-03-01 08:00 UTC);
    facts.contracts[0].start_date = date!(2026 - 03 - 01);
    assert_eq!(ask(&facts, date!(2026 - 02 - 15)).result, Err(IneligibleReason::ClientInactive));
    assert_eq!(ask(&facts, date!(2026 - 02 - 28)).result, Err(IneligibleReason::ClientInactive));
    assert_eq!(ask(&facts, date!(2026 - 03 - 01)).result, Ok(()), "its first day");
    // Entered with its past contract: it existed on the days that contract covers.
    let mut entered_late = staff_facts();
    entered_late.employer.created_at = datetime!(2026-06-01 08:00 UTC);
    assert_eq!(ask(&entered_late, date!(2026 - 02 - 15)).result, Ok(()));
    entered_late.contracts.clear();
    assert_eq!(ask(&entered_late, date!(2026 - 02 - 15)).result, Err(IneligibleReason::ClientInactive));
}

#[test]
fn a_beneficiary_is_asked_about_first_then_their_staff_member_whose_reason_is_the_cause() {
    let staff = staff_facts();
    let spouse = dependent_of(&staff);
    let answer = ask(&spouse, TODAY);
    assert_eq!((answer.result, answer.cause), (Ok(()), None));
    assert_eq!(answer.covered_until, Some(date!(2026 - 12 - 31)));

    let mut at_closed_client = spouse.clone();
    at_closed_client.employer.active = false;
    let answer = ask(&at_closed_client, TODAY);
    assert_eq!(
        (answer.result, answer.cause),
        (Err(IneligibleReason::StaffIneligible), Some(IneligibleReason::ClientInactive))
    );

    // Deactivated from 1 July: covered until 30 June, not from then on.
    let mut leaving = spouse;
    if let Some(timeline) = &mut leaving.beneficiary {
        timeline.history.push(change(BeneficiaryStatus::Inactive, date!(2026 - 07 - 01)));
    }
    assert_eq!(ask(&leaving, TODAY).covered_until, Some(date!(2026 - 06 - 30)));
    let answer = ask(&leaving, date!(2026 - 07 - 01));
    assert_eq!((answer.result, answer.cause), (Err(IneligibleReason::BeneficiaryInactive), None));
}

fn admin() -> Actor {
    Actor::user(UserId::new(), Role::Admin, SessionId::new(), "admin@example.com", RequestContext::default())
}

type Records = Arc<Mutex<Vec<AuditRecord>>>;

fn service(facts: MockEligibilityFacts, trail_works: bool) -> (EligibilityService, Records) {
    let records = Arc::new(Mutex::new(Vec::new()));
    let log = records.clone();
    let mut trail = MockAuditTrail::new();
    trail.expect_record().returning(move |record| {
        if !trail_works {
            return Err(DomainError::Unavailable);
        }
        log.lock().expect("log").push(record.clone());
        Ok(())
    });
    let mut access = axis_kernel::access::MockClientAccess::new();
    access.expect_is_visible().returning(|_, _| Ok(true));
    (EligibilityService::new(Arc::new(facts), Arc::new(access), Arc::new(trail), Arc::new(clock())), records)
}

#[test]
fn one_answer_is_on_record_as_a_read_of_the_person_before_it_is_given() {
    let known = staff_facts();
    let mut port = MockEligibilityFacts::new();
    let found = known.found;
    let facts = known.clone();
    port.expect_lookup()
        .returning(move |_, _, _, _| Ok(Lookup { matches: vec![vec![found]], facts: vec![facts.clone()] }));
    let (eligibility, records) = service(port, true);
    let answer = block_on(eligibility.one(&admin(), Who::Id(known.found.person), TODAY)).expect("answer");
    assert_eq!(answer.result, Ok(()));
    let records = records.lock().expect("records").clone();
    assert_eq!(records.len(), 1);
    assert_eq!(
        (records[0].action.as_str(), records[0].entity_id.clone()),
        ("staff.read", Some(known.found.person.to_string()))
    );
    assert_eq!(records[0].details["eligibility_on"], "2026-06-15");

    // No record, no answer.
    let mut port = MockEligibilityFacts::new();
    let facts = known.clone();
    port.expect_lookup()
        .returning(move |_, _, _, _| Ok(Lookup { matches: vec![vec![found]], facts: vec![facts.clone()] }));
    let (eligibility, _) = service(port, false);
    let refused = block_on(eligibility.one(&admin(), Who::Id(known.found.person), TODAY));
    assert!(matches!(refused, Err(DomainError::Unavailable)), "{refused:?}");
}

#[test]
fn nobody_or_several_matching_tell_nothing_about_anyone() {
    let one = staff_facts().found;
    let other = staff_facts().found;
    for (matches, expected) in [(vec![], "not found"), (vec![one, other], "conflict")] {
        let mut port = MockEligibilityFacts::new();
        // Facts of several namesakes may come back: none of them is told or recorded.
        let facts = vec![staff_facts()];
        port.expect_lookup()
            .returning(move |_, _, _, _| Ok(Lookup { matches: vec![matches.clone()], facts: facts.clone() }));
        let (eligibility, records) = service(port, true);
        let who = Who::NameAndBirth {
            client: one.client_id,
            full_name: "Amina Yusuf".into(),
            date_of_birth: date!(1990 - 01 - 01),
        };
        let result = block_on(eligibility.one(&admin(), who, TODAY));
        match (expected, result) {
            ("not found", Err(DomainError::NotFound)) => {}
            ("conflict", Err(DomainError::Conflict { message, .. })) => {
                assert!(!message.contains(&one.person.to_string()), "{message}");
            }
            (_, other) => panic!("{expected}: {other:?}"),
        }
        assert!(records.lock().expect("records").is_empty(), "nothing read, nothing recorded");
    }
}

#[test]
fn a_batch_answers_in_order_with_one_record_naming_everyone_answered_about() {
    let staff = staff_facts();
    let spouse = dependent_of(&staff);
    let stranger = staff_facts().found;
    let (staff_found, spouse_found) = (staff.found, spouse.found);
    let mut port = MockEligibilityFacts::new();
    let facts = vec![spouse.clone(), staff.clone()];
    port.expect_lookup().returning(move |_, _, asked, _| {
        assert_eq!(asked.len(), 5);
        Ok(Lookup {
            matches: vec![
                vec![spouse_found],
                vec![],
                vec![staff_found, stranger],
                vec![staff_found],
                vec![staff_found],
            ],
            facts: facts.clone(),
        })
    });
    let (eligibility, records) = service(port, true);
    let asked = vec![Who::Id(spouse.found.person); 5];
    let outcomes = block_on(eligibility.batch(&admin(), asked, TODAY)).expect("answers");
    assert!(matches!(&outcomes[0], Outcome::Answered(a) if a.found == spouse_found));
    assert_eq!(outcomes[1], Outcome::NotFound);
    assert_eq!(outcomes[2], Outcome::Ambiguous);
    assert!(matches!(&outcomes[3], Outcome::Answered(a) if a.found == staff_found));
    assert!(matches!(&outcomes[4], Outcome::Answered(a) if a.found == staff_found), "asked twice");
    let records = records.lock().expect("records").clone();
    assert_eq!(records.len(), 1, "one record for the batch");
    assert_eq!(records[0].action, "eligibility.read");
    assert_eq!(records[0].details["staff_ids"], serde_json::json!([staff_found.person.to_string()]));
    assert_eq!(records[0].details["beneficiary_ids"], serde_json::json!([spouse_found.person.to_string()]));

    let (eligibility, _) = service(MockEligibilityFacts::new(), true);
    let too_many =
        block_on(eligibility.batch(&admin(), vec![Who::Id(Uuid::now_v7()); BATCH_LIMIT + 1], TODAY));
    assert!(matches!(too_many, Err(DomainError::Validation(e)) if e.fields().contains_key("people")));
    let none = block_on(eligibility.batch(&admin(), Vec::new(), TODAY));
    assert!(matches!(none, Err(DomainError::Validation(_))));
}

#[test]
fn viewers_may_not_look_people_up_by_date_of_birth_which_they_cannot_read() {
    let viewer = Actor::user(
        UserId::new(),
        Role::Viewer,
        SessionId::new(),
        "viewer@example.com",
        RequestContext::default(),
    );
    let mut port = MockEligibilityFacts::new();
    port.expect_lookup().never();
    let (eligibility, _) = service(port, true);
    let who = Who::NameAndBirth {
        client: ClientId::new(),
        full_name: "Amina Yusuf".into(),
        date_of_birth: date!(1990 - 01 - 01),
    };
    assert!(matches!(block_on(eligibility.one(&viewer, who.clone(), TODAY)), Err(DomainError::Forbidden)));
    let batch = block_on(eligibility.batch(&viewer, vec![Who::Id(Uuid::now_v7()), who], TODAY));
    assert!(matches!(batch, Err(DomainError::Forbidden)));
}

#[test]
fn a_question_names_the_person_exactly_one_way_and_every_problem_at_once() {
    let client = ClientId::new();
    let parse = |fields: WhoFields| {
        let mut errors = FieldErrors::new();
        let who = fields.parse(&mut errors, "");
        (who, errors.fields().keys().cloned().collect::<Vec<_>>())
    };
    let id = Uuid::now_v7();
    assert_eq!(parse(WhoFields { person: Some(id), ..WhoFields::default() }).0, Some(Who::Id(id)));
    let by_number =
        WhoFields { client: Some(client), employee_number: Some(" ＥＡ1 ".into()), ..WhoFields::default() };
    assert_eq!(parse(by_number).0, Some(Who::EmployeeNumber { client, number: "EA1".into() }), "as stored");
    let by_name = WhoFields {
        client: Some(client),
        full_name: Some("Amina Yusuf".into()),
        date_of_birth: Some(date!(1990 - 01 - 01)),
        ..WhoFields::default()
    };
    assert!(matches!(parse(by_name).0, Some(Who::NameAndBirth { .. })));

    assert_eq!(parse(WhoFields::default()), (None, vec!["person".to_owned()]));
    let (who, fields) = parse(WhoFields { full_name: Some("Amina".into()), ..WhoFields::default() });
    assert_eq!((who, fields), (None, vec!["client".to_owned(), "date_of_birth".to_owned()]), "all at once");
    let (who, fields) = parse(WhoFields {
        person: Some(id),
        employee_number: Some("EA1".into()),
        client: Some(client),
        ..WhoFields::default()
    });
    assert_eq!((who, fields), (None, vec!["person".to_owned()]));
}
