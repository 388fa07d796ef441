//! The use cases with every port mocked, on a fixed clock.

use std::sync::{Arc, Mutex};

use axis_kernel::access::MockClientAccess;
use axis_kernel::audit::MockAuditTrail;
use axis_kernel::{
    Actor, ClientId, DomainError, FixedClock, ProfileFields, RequestContext, Role, SessionId, UserId,
};
use futures_executor::block_on;
use serde_json::Value;
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime};

use super::*;
use crate::ports::MockStaffRepository;
use axis_kernel::member::MockMemberStore;

const NOW: OffsetDateTime = datetime!(2026-06-15 10:00 UTC);
const TODAY: Date = date!(2026 - 06 - 15);

fn actor(role: Role) -> Actor {
    Actor::user(UserId::new(), role, SessionId::new(), "someone@example.com", RequestContext::default())
}

fn stored(status: StaffStatus) -> StaffMember {
    StaffMember {
        id: StaffId::new(),
        client_id: ClientId::new(),
        profile: Profile {
            full_name: "Amina Nakato".into(),
            email: Some("amina@example.com".into()),
            phone: Some("+256 700 000001".into()),
            date_of_birth: Some(date!(1990 - 04 - 02)),
            ..Profile::default()
        },
        employee_number: Some("E-1".into()),
        job_title: None,
        department: Some("Finance".into()),
        role: crate::StaffRole::Staff,
        employment_start: date!(2025 - 01 - 01),
        employment_end: status.ends_employment().then_some(date!(2026 - 05 - 31)),
        status,
        scheduled_change: None,
        leave: None,
        status_reason: None,
        version: 3,
        created_at: NOW,
        updated_at: NOW,
        deleted_at: None,
        anonymised_at: None,
    }
}

/// What the repository saved (member, history entry, audit record) and what the trail recorded.
type SaveLog = Arc<Mutex<Vec<(StaffMember, Option<StaffStatusChange>, AuditRecord)>>>;
type ReadLog = Arc<Mutex<Vec<AuditRecord>>>;

struct World {
    repo: MockStaffRepository,
    store: MockMemberStore<StaffMember>,
    history: Vec<StaffStatusChange>,
    trail_works: bool,
}

impl World {
    fn holding(member: StaffMember) -> Self {
        let mut store = MockMemberStore::new();
        let found = member.clone();
        store.expect_get().returning(move |_| Ok(Some(found.clone())));
        let history = vec![StaffStatusChange {
            status: StaffStatus::Active,
            effective_on: member.employment_start,
            at: NOW,
            reason: None,
            pending: false,
        }];
        Self { repo: MockStaffRepository::new(), store, history, trail_works: true }
    }

    fn service(mut self) -> (StaffService, SaveLog, ReadLog) {
        let history = self.history.clone();
        self.store.expect_history().returning(move |_| Ok(history.clone()));
        let saved: SaveLog = Arc::new(Mutex::new(Vec::new()));
        let log = saved.clone();
        self.store.expect_save().returning(move |after, expected, change, audit| {
            assert_eq!(expected, 3, "saved against the version read");
            log.lock().expect("log").push((after.clone(), change.clone(), audit.clone()));
            Ok(Some(StaffMember { version: expected + 1, ..after.clone() }))
        });
        let mut access = MockClientAccess::new();
        access.expect_is_visible().returning(|_, _| Ok(true));
        let reads: ReadLog = Arc::new(Mutex::new(Vec::new()));
        let read_log = reads.clone();
        let works = self.trail_works;
        let mut trail = MockAuditTrail::new();
        trail.expect_record().returning(move |record| {
            if !works {
                return Err(DomainError::Internal("audit store down".into()));
            }
            read_log.lock().expect("reads").push(record.clone());
            Ok(())
        });
        let service = StaffService::new(
            Arc::new(self.repo),
            Arc::new(self.store),
            Arc::new(access),
            Arc::new(trail),
            Arc::new(FixedClock::at(NOW)),
        );
        (service, saved, reads)
    }
}

#[test]
fn roles_come_before_anything_else() {
    let (service, saved, _) = World::holding(stored(StaffStatus::Active)).service();
    for role in [Role::Analyst, Role::Viewer] {
        let created = block_on(service.create(&actor(role), StaffFields::sample(ClientId::new())));
        assert!(matches!(created, Err(DomainError::Forbidden)), "{role:?} create");
        let act =
            block_on(service.act(&actor(role), StaffId::new(), Act::Reactivate { effective_on: None }, None));
        assert!(matches!(act, Err(DomainError::Forbidden)), "{role:?} act");
    }
    let anonymise = block_on(service.anonymise(&actor(Role::Manager), StaffId::new()));
    assert!(matches!(anonymise, Err(DomainError::Forbidden)), "anonymising is for admins");
    assert!(saved.lock().expect("log").is_empty());
}

#[test]
fn every_read_of_person_data_is_recorded_and_fails_closed() {
    let member = stored(StaffStatus::Active);
    let (service, _, reads) = World::holding(member.clone()).service();
    let seen = block_on(service.get(&actor(Role::Analyst), member.id)).expect("read");
    assert_eq!(seen.profile.email.as_deref(), Some("amina@example.com"), "analysts see contact data");
    let records = reads.lock().expect("reads").clone();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].action, "staff.read");
    assert_eq!(
        records[0].entity_id.as_deref(),
        Some(member.id.to_string().as_str()),
        "the member read is named"
    );

    let mut broken = World::holding(member.clone());
    broken.trail_works = false;
    let (service, _, _) = broken.service();
    assert!(matches!(block_on(service.get(&actor(Role::Admin), member.id)), Err(DomainError::Unavailable)));
}

#[test]
fn viewers_never_see_contact_data() {
    let member = stored(StaffStatus::Active);
    let (service, _, _) = World::holding(member.clone()).service();
    let seen = block_on(service.get(&actor(Role::Viewer), member.id)).expect("read");
    assert_eq!((seen.profile.email, seen.profile.phone, seen.profile.date_of_birth), (None, None, None));
    assert_eq!(seen.profile.full_name, "Amina Nakato");
}

#[test]
fn create_starts_the_history_active_from_the_employment_start() {
    let mut repo = MockStaffRepository::new();
    repo.expect_insert().returning(|member, _, _| Ok(member.clone()));
    let world = World { repo, store: MockMemberStore::new(), history: Vec::new(), trail_works: true };
    let (service, _, _) = world.service();
    let detail =
        block_on(service.create(&actor(Role::Manager), StaffFields::sample(ClientId::new()))).expect("ok");
    assert_eq!(detail.member.status, StaffStatus::Active);
    assert_eq!(detail.history[0].effective_on, date!(2024 - 01 - 15));
    let invalid = StaffFields { profile: ProfileFields::default(), ..StaffFields::sample(ClientId::new()) };
    let refused = block_on(service.create(&actor(Role::Manager), invalid));
    assert!(matches!(refused, Err(DomainError::Validation(e)) if e.fields().contains_key("full_name")));
}

#[test]
fn actions_that_end_employment_take_effect_the_day_after_the_end_date() {
    let member = stored(StaffStatus::Active);
    let (service, saved, _) = World::holding(member.clone()).service();
    let manager = actor(Role::Manager);
    let act = Act::Terminate { end_date: Some(date!(2026 - 05 - 31)), reason: "redundancy".into() };
    let after = block_on(service.act(&manager, member.id, act, None)).expect("terminated");
    assert_eq!((after.status, after.employment_end), (StaffStatus::Terminated, Some(date!(2026 - 05 - 31))));
    let (_, change, audit) = saved.lock().expect("log")[0].clone();
    let change = change.expect("a history entry");
    assert_eq!((change.status, change.effective_on), (StaffStatus::Terminated, date!(2026 - 06 - 01)));
    assert_eq!(change.reason.as_deref(), Some("redundancy"));
    assert_eq!(audit.action, "staff.terminate");

    let no_reason = Act::Terminate { end_date: None, reason: " ".into() };
    let refused = block_on(service.act(&manager, member.id, no_reason, None));
    assert!(matches!(refused, Err(DomainError::Validation(e)) if e.fields().contains_key("reason")));
    let too_early = Act::Resign { end_date: Some(date!(2024 - 12 - 31)), reason: None };
    let refused = block_on(service.act(&manager, member.id, too_early, None));
    assert!(matches!(refused, Err(DomainError::Validation(e)) if e.fields().contains_key("end_date")));
}

#[test]
fn leave_is_kept_with_its_type_and_return_and_cleared_on_reactivation() {
    let member = stored(StaffStatus::Active);
    let (service, saved, _) = World::holding(member.clone()).service();
    let manager = actor(Role::Manager);
    let leave = Act::OnLeave {
        leave_type: "maternity".into(),
        expected_return: Some(date!(2026 - 10 - 01)),
        effective_on: None,
    };
    let after = block_on(service.act(&manager, member.id, leave, None)).expect("on leave");
    assert_eq!(after.status, StaffStatus::OnLeave);
    assert_eq!(after.leave.map(|l| l.leave_type), Some("maternity".into()));
    let back_before =
        Act::OnLeave { leave_type: "sick".into(), expected_return: Some(TODAY), effective_on: None };
    let refused = block_on(service.act(&manager, member.id, back_before, None));
    assert!(matches!(refused, Err(DomainError::Validation(e)) if e.fields().contains_key("expected_return")));
    assert_eq!(saved.lock().expect("log").len(), 1);

    let on_leave = StaffMember {
        status: StaffStatus::OnLeave,
        leave: Some(Leave { leave_type: "sick".into(), expected_return: None }),
        ..stored(StaffStatus::Active)
    };
    let (service, _, _) = World::holding(on_leave.clone()).service();
    let back = block_on(service.act(&manager, on_leave.id, Act::Reactivate { effective_on: None }, None))
        .expect("ok");
    assert_eq!((back.status, back.leave), (StaffStatus::Active, None));
}

#[test]
fn an_action_the_table_does_not_hold_is_an_illegal_transition() {
    let member = stored(StaffStatus::Terminated);
    let (service, saved, _) = World::holding(member.clone()).service();
    for act in [
        Act::Reactivate { effective_on: None },
        Act::Suspend { reason: "x".into(), effective_on: None },
        Act::Deactivate { end_date: None, reason: None },
    ] {
        let refused = block_on(service.act(&actor(Role::Manager), member.id, act.clone(), None));
        assert!(matches!(refused, Err(DomainError::IllegalTransition { .. })), "{act:?}");
    }
    assert!(saved.lock().expect("log").is_empty());
}

#[test]
fn anonymising_blanks_a_former_members_profile_and_the_trail_keeps_no_values() {
    let admin = actor(Role::Admin);
    let (service, _, _) = World::holding(stored(StaffStatus::Active)).service();
    let refused = block_on(service.anonymise(&admin, StaffId::new()));
    assert!(matches!(refused, Err(DomainError::Conflict { .. })), "still employed");

    let former = stored(StaffStatus::Resigned);
    let (service, saved, _) = World::holding(former.clone()).service();
    let after = block_on(service.anonymise(&admin, former.id)).expect("anonymised");
    assert_eq!(after.profile, Profile::anonymised());
    assert!(after.anonymised_at.is_some());
    assert_eq!((after.id, after.client_id, after.status), (former.id, former.client_id, former.status));
    let (_, _, audit) = saved.lock().expect("log")[0].clone();
    let email = audit.changes.iter().find(|c| c.field == "email").expect("the e-mail is named");
    assert_eq!((&email.old, &email.new), (&Value::Null, &Value::Null), "but its values are not kept");
    assert!(audit.changes.iter().any(|c| c.field == "anonymised" && c.new == Value::Bool(true)));
}
