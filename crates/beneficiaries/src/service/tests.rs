//! The use cases with every port mocked, on a fixed clock.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axis_kernel::access::MockClientAccess;
use axis_kernel::audit::MockAuditTrail;
use axis_kernel::{FixedClock, ProfileFields, RequestContext, Role, SessionId, UserId};
use axis_staff::ports::MockStaffRepository;
use axis_staff::{StaffRole, StaffStatus, StaffStatusChange};
use futures_executor::block_on;
use serde_json::Value;
use time::OffsetDateTime;
use time::macros::{date, datetime};

use super::*;
use crate::ports::MockBeneficiaryRepository;
use crate::{Guardian, GuardianKind, Relation};
use axis_kernel::member::MockMemberStore;

const NOW: OffsetDateTime = datetime!(2026-06-15 10:00 UTC);

fn actor(role: Role) -> Actor {
    Actor::user(UserId::new(), role, SessionId::new(), "someone@example.com", RequestContext::default())
}

fn staff_member(client: ClientId, status: StaffStatus) -> StaffMember {
    StaffMember {
        id: StaffId::new(),
        client_id: client,
        profile: Profile { full_name: "Amina Nakato".into(), ..Profile::default() },
        employee_number: None,
        job_title: None,
        department: None,
        role: StaffRole::Staff,
        employment_start: date!(2025 - 01 - 01),
        employment_end: None,
        status,
        scheduled_change: None,
        leave: None,
        status_reason: None,
        version: 1,
        created_at: NOW,
        updated_at: NOW,
        deleted_at: None,
        anonymised_at: None,
    }
}

fn beneficiary_of(staff: &StaffMember, status: BeneficiaryStatus) -> Beneficiary {
    Beneficiary {
        id: BeneficiaryId::new(),
        staff_id: staff.id,
        client_id: staff.client_id,
        profile: Profile {
            full_name: "Joseph Okello".into(),
            phone: Some("+256 700 000009".into()),
            ..Profile::default()
        },
        relation: Relation::Child,
        guardian: Some(Guardian::Named {
            name: "Grace Achieng".into(),
            relation: Some("aunt".into()),
            phone: Some("+256 700 000003".into()),
            email: Some("grace@example.com".into()),
        }),
        status,
        scheduled_change: None,
        last_service_date: None,
        notes: None,
        version: 3,
        created_at: NOW,
        updated_at: NOW,
        deleted_at: None,
        anonymised_at: None,
    }
}

type SaveLog = Arc<Mutex<Vec<(Beneficiary, AuditRecord)>>>;
type ReadLog = Arc<Mutex<Vec<AuditRecord>>>;

/// Staff members by id and one stored beneficiary.
struct World {
    staff: Vec<StaffMember>,
    beneficiary: Beneficiary,
    beneficiary_history: Vec<BeneficiaryStatusChange>,
    trail_works: bool,
}

impl World {
    fn new(staff: Vec<StaffMember>, beneficiary: Beneficiary) -> Self {
        let history = vec![BeneficiaryStatusChange {
            status: BeneficiaryStatus::Active,
            effective_on: date!(2025 - 01 - 01),
            at: NOW,
            reason: None,
            pending: false,
        }];
        Self { staff, beneficiary, beneficiary_history: history, trail_works: true }
    }

    fn service(self) -> (BeneficiaryService, SaveLog, ReadLog) {
        let by_id: HashMap<StaffId, StaffMember> = self.staff.iter().map(|m| (m.id, m.clone())).collect();
        let mut staff_store = MockMemberStore::<StaffMember>::new();
        staff_store.expect_get().returning(move |id| Ok(by_id.get(&id).cloned()));
        staff_store.expect_history().returning(|_| {
            Ok(vec![StaffStatusChange {
                status: StaffStatus::Active,
                effective_on: date!(2025 - 01 - 01),
                at: NOW,
                reason: None,
                pending: false,
            }])
        });
        let mut access = MockClientAccess::new();
        access.expect_is_visible().returning(|_, _| Ok(true));
        let access = Arc::new(access);
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
        let trail = Arc::new(trail);
        let clock = Arc::new(FixedClock::at(NOW));
        let staff = Arc::new(StaffService::new(
            Arc::new(MockStaffRepository::new()),
            Arc::new(staff_store),
            access.clone(),
            trail.clone(),
            clock.clone(),
        ));
        let mut repo = MockBeneficiaryRepository::new();
        let mut store = MockMemberStore::<Beneficiary>::new();
        let found = self.beneficiary.clone();
        store.expect_get().returning(move |_| Ok(Some(found.clone())));
        let history = self.beneficiary_history.clone();
        store.expect_history().returning(move |_| Ok(history.clone()));
        let family = vec![self.beneficiary.clone()];
        repo.expect_of_staff().returning(move |_| Ok(family.clone()));
        repo.expect_insert().returning(|b, _, _| Ok(b.clone()));
        let saved: SaveLog = Arc::new(Mutex::new(Vec::new()));
        let log = saved.clone();
        store.expect_save().returning(move |after, expected, _, audit| {
            log.lock().expect("log").push((after.clone(), audit.clone()));
            Ok(Some(Beneficiary { version: expected + 1, ..after.clone() }))
        });
        (BeneficiaryService::new(Arc::new(repo), Arc::new(store), staff, access, trail, clock), saved, reads)
    }
}

fn fields_for(staff: StaffId) -> BeneficiaryFields {
    BeneficiaryFields {
        staff_id: Some(staff),
        profile: ProfileFields { full_name: "Joseph Okello".into(), ..ProfileFields::default() },
        relation: Some(Relation::Spouse),
        ..BeneficiaryFields::default()
    }
}

#[test]
fn a_beneficiary_joins_their_staff_members_client_and_a_minor_child_needs_a_guardian() {
    let client = ClientId::new();
    let member = staff_member(client, StaffStatus::Active);
    let stored = beneficiary_of(&member, BeneficiaryStatus::Active);
    let (service, _, _) = World::new(vec![member.clone()], stored).service();
    let manager = actor(Role::Manager);
    let created = block_on(service.create(&manager, fields_for(member.id))).expect("created");
    assert_eq!((created.client_id, created.status), (client, BeneficiaryStatus::Active));

    let minor = BeneficiaryFields {
        relation: Some(Relation::Child),
        profile: ProfileFields {
            full_name: "Baby".into(),
            date_of_birth: Some(date!(2020 - 01 - 01)),
            ..ProfileFields::default()
        },
        ..fields_for(member.id)
    };
    let refused = block_on(service.create(&manager, minor.clone()));
    assert!(matches!(refused, Err(DomainError::Validation(e)) if e.fields().contains_key("guardian_kind")));
    let guarded = BeneficiaryFields { guardian_kind: Some(GuardianKind::StaffMember), ..minor };
    assert!(block_on(service.create(&manager, guarded)).is_ok());

    let unknown = block_on(service.create(&manager, fields_for(StaffId::new())));
    assert!(matches!(unknown, Err(DomainError::Validation(e)) if e.fields().contains_key("staff_id")));
    let analyst = block_on(service.create(&actor(Role::Analyst), fields_for(member.id)));
    assert!(matches!(analyst, Err(DomainError::Forbidden)));
}

#[test]
fn a_beneficiary_moves_only_between_staff_members_of_the_same_client() {
    let client = ClientId::new();
    let first = staff_member(client, StaffStatus::Active);
    let colleague = staff_member(client, StaffStatus::Active);
    let elsewhere = staff_member(ClientId::new(), StaffStatus::Active);
    let stored = beneficiary_of(&first, BeneficiaryStatus::Active);
    let world = World::new(vec![first.clone(), colleague.clone(), elsewhere.clone()], stored.clone());
    let (service, saved, _) = world.service();
    let manager = actor(Role::Manager);
    let moved = block_on(service.update(&manager, stored.id, |f| f.staff_id = Some(colleague.id), None));
    assert_eq!(moved.expect("moved").staff_id, colleague.id);
    let refused = block_on(service.update(&manager, stored.id, |f| f.staff_id = Some(elsewhere.id), None));
    assert!(matches!(refused, Err(DomainError::Validation(e)) if e.fields().contains_key("staff_id")));
    assert_eq!(saved.lock().expect("log").len(), 1);
}

#[test]
fn reads_are_recorded_viewers_see_no_contact_data_and_a_lost_record_refuses_the_read() {
    let member = staff_member(ClientId::new(), StaffStatus::Active);
    let stored = beneficiary_of(&member, BeneficiaryStatus::Active);
    let (service, _, reads) = World::new(vec![member.clone()], stored.clone()).service();
    let seen = block_on(service.get(&actor(Role::Viewer), stored.id)).expect("read");
    assert_eq!(seen.profile.phone, None);
    assert!(
        matches!(seen.guardian, Some(Guardian::Named { ref name, phone: None, email: None, .. }) if name == "Grace Achieng")
    );
    let family = block_on(service.family_of_staff(&actor(Role::Analyst), member.id)).expect("family");
    assert_eq!(family.beneficiaries.len(), 1);
    let records = reads.lock().expect("reads").clone();
    assert_eq!(records.len(), 2, "one record per response");
    assert_eq!(records[1].action, "beneficiary.read");
    assert_eq!(records[1].details["staff_ids"], serde_json::json!([member.id.to_string()]));

    let mut broken = World::new(vec![member], stored.clone());
    broken.trail_works = false;
    let (service, _, _) = broken.service();
    assert!(matches!(block_on(service.get(&actor(Role::Admin), stored.id)), Err(DomainError::Unavailable)));
}

#[test]
fn deactivation_follows_the_table_and_anonymising_needs_a_former_beneficiary() {
    let member = staff_member(ClientId::new(), StaffStatus::Active);
    let stored = beneficiary_of(&member, BeneficiaryStatus::Active);
    let (service, saved, _) = World::new(vec![member.clone()], stored.clone()).service();
    let admin = actor(Role::Admin);
    let again = block_on(service.act(&admin, stored.id, BeneficiaryAction::Reactivate, None, None, None));
    assert!(matches!(again, Err(DomainError::IllegalTransition { .. })));
    let refused = block_on(service.anonymise(&admin, stored.id));
    assert!(matches!(refused, Err(DomainError::Conflict { .. })));
    let backdated = BeneficiaryAction::Deactivate;
    let backdated =
        block_on(service.act(&admin, stored.id, backdated, Some(date!(2024 - 12 - 31)), None, None));
    assert!(matches!(backdated, Err(DomainError::Validation(e)) if e.fields().contains_key("effective_on")));
    let done = block_on(service.act(
        &admin,
        stored.id,
        BeneficiaryAction::Deactivate,
        None,
        Some("moved".into()),
        None,
    ));
    assert_eq!(done.expect("deactivated").status, BeneficiaryStatus::Inactive);

    let former = beneficiary_of(&member, BeneficiaryStatus::Inactive);
    let (service, saved_former, _) = World::new(vec![member], former.clone()).service();
    let erased = block_on(service.anonymise(&admin, former.id)).expect("anonymised");
    assert_eq!((erased.profile, erased.guardian), (Profile::anonymised(), None));
    let (_, audit) = saved_former.lock().expect("log")[0].clone();
    for field in ["full_name", "guardian_name", "guardian_phone"] {
        let change = audit.changes.iter().find(|c| c.field == field).expect("named");
        assert_eq!((&change.old, &change.new), (&Value::Null, &Value::Null), "{field} keeps no values");
    }
    assert_eq!(saved.lock().expect("log").len(), 1);
}
