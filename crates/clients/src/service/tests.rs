use std::sync::Arc;

use axis_kernel::access::MockClientAccess;
use axis_kernel::{
    Actor, ClientId, ClientScope, FixedClock, PageRequest, Patch, RequestContext, Role, SessionId, UserId,
};
use futures_executor::block_on;
use serde_json::json;
use time::OffsetDateTime;
use time::macros::datetime;

use super::*;
use crate::input::{ClientFields, ClientPatch};
use crate::ports::{
    MockActivityRepository, MockClientRepository, MockContactRepository, MockIndustryRepository,
    MockTagRepository,
};
use crate::{Access, AccessSource, ClientDetail, ClientStatus};

const NOW: OffsetDateTime = datetime!(2026-11-21 12:00 UTC);

#[derive(Default)]
struct Mocks {
    industries: MockIndustryRepository,
    clients: MockClientRepository,
    tags: MockTagRepository,
    contacts: MockContactRepository,
    activities: MockActivityRepository,
    access: MockClientAccess,
}

impl Mocks {
    fn service(self) -> ClientService {
        ClientService::new(ClientPorts {
            industries: Arc::new(self.industries),
            clients: Arc::new(self.clients),
            tags: Arc::new(self.tags),
            contacts: Arc::new(self.contacts),
            activities: Arc::new(self.activities),
            access: Arc::new(self.access),
            clock: Arc::new(FixedClock::at(NOW)),
        })
    }
}

fn actor(role: Role) -> Actor {
    Actor::user(UserId::new(), role, SessionId::new(), "someone", RequestContext::default())
}

fn client(status: ClientStatus) -> Client {
    Client {
        name: "Acme".into(),
        email: Some("info@acme.example".into()),
        version: 4,
        ..Client::new(ClientId::new(), status, None, NOW)
    }
}

fn detail(client: &Client) -> ClientDetail {
    ClientDetail {
        client: client.clone(),
        industry: None,
        tags: vec![],
        contacts: vec![],
        subscriptions: vec![],
    }
}

#[test]
fn viewers_and_analysts_cannot_create_clients() {
    for role in [Role::Viewer, Role::Analyst] {
        let mut mocks = Mocks::default();
        mocks.clients.expect_create().never();
        let result = block_on(
            mocks
                .service()
                .create_client(&actor(role), ClientFields { name: "X".into(), ..Default::default() }),
        );
        assert!(matches!(result, Err(ClientError::Forbidden)), "{role}");
    }
}

#[test]
fn an_active_client_needs_a_contact_channel() {
    let mut mocks = Mocks::default();
    mocks.clients.expect_create().never();
    let fields =
        ClientFields { name: "Silent Ltd".into(), status: Some(ClientStatus::Active), ..Default::default() };
    let result = block_on(mocks.service().create_client(&actor(Role::Manager), fields));
    let Err(ClientError::Validation(errors)) = result else { panic!("expected a field error") };
    assert!(errors.fields().contains_key("status"));
}

#[test]
fn an_update_the_current_state_does_not_allow_is_a_conflict() {
    let mut mocks = Mocks::default();
    let current = client(ClientStatus::Active);
    mocks.clients.expect_get().returning(move |_, _, _| Ok(Some(current.clone())));
    mocks.clients.expect_update().never();
    let service = mocks.service();
    let back =
        ClientFields { name: "Acme".into(), status: Some(ClientStatus::Pending), ..Default::default() };
    let result = block_on(service.replace_client(&actor(Role::Manager), ClientId::new(), back, None));
    assert!(matches!(result, Err(ClientError::Conflict { .. })), "{result:?}");
}

#[test]
fn a_patch_is_merged_over_the_stored_client() {
    let mut mocks = Mocks::default();
    let mut current = client(ClientStatus::Active);
    current.phone = Some("+256 772 123456".into());
    let stored = current.clone();
    mocks.clients.expect_get().returning(move |_, _, _| Ok(Some(stored.clone())));
    mocks
        .clients
        .expect_update()
        .withf(|next, version, tags, _| {
            next.email.as_deref() == Some("new@acme.example")
                && next.phone.as_deref() == Some("+256 772 123456")
                && *version == 4
                && tags.is_none()
        })
        .returning(|next, _, _, _| Ok(next.clone()));
    let after = current.clone();
    mocks.clients.expect_detail().returning(move |_, _, _| Ok(Some(detail(&after))));
    let patch = ClientPatch { email: Patch::Value("New@Acme.example".into()), ..ClientPatch::default() };
    let result = block_on(mocks.service().update_client(&actor(Role::Manager), current.id, patch, Some(4)));
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn out_of_scope_is_not_found_for_analysts() {
    let mut mocks = Mocks::default();
    let analyst = actor(Role::Analyst);
    let user = analyst.user_id.unwrap();
    mocks
        .clients
        .expect_get()
        .withf(move |scope, _, deleted| *scope == ClientScope::Granted(user) && !deleted)
        .returning(|_, _, _| Ok(None));
    mocks.clients.expect_update().never();
    let result = block_on(mocks.service().verify_client(&analyst, ClientId::new()));
    assert!(matches!(result, Err(ClientError::NotFound)));
}

#[test]
fn analysts_edit_but_do_not_manage_clients_in_scope() {
    let mut mocks = Mocks::default();
    let current = client(ClientStatus::Active);
    mocks.clients.expect_get().returning(move |_, _, _| Ok(Some(current.clone())));
    mocks.access.expect_is_visible().returning(|_, _| Ok(true));
    mocks.clients.expect_update().never();
    let service = mocks.service();
    let analyst = actor(Role::Analyst);
    assert!(matches!(
        block_on(service.verify_client(&analyst, ClientId::new())),
        Err(ClientError::Forbidden)
    ));
    assert!(matches!(
        block_on(service.delete_client(&analyst, ClientId::new())),
        Err(ClientError::Forbidden)
    ));
    let viewer = actor(Role::Viewer);
    let result =
        block_on(service.add_subscription(&viewer, ClientId::new(), "0f8fad5b-d9cb-469f-a165-70867728950e"));
    assert!(matches!(result, Err(ClientError::Forbidden)));
}

#[test]
fn a_client_cannot_become_its_own_ancestor() {
    let mut mocks = Mocks::default();
    let current = client(ClientStatus::Active);
    let id = current.id;
    let child = ClientId::new();
    let child_row = Client { id: child, parent_client_id: Some(id), ..client(ClientStatus::Active) };
    mocks.clients.expect_get().returning(move |_, wanted, _| {
        Ok(Some(if wanted == id { current.clone() } else { child_row.clone() }))
    });
    mocks.access.expect_is_visible().returning(move |_, wanted| Ok(wanted == child));
    mocks.clients.expect_ancestors().returning(move |_| Ok(vec![id]));
    mocks.clients.expect_update().never();
    let fields = ClientFields {
        name: "Acme".into(),
        email: Some("info@acme.example".into()),
        parent_client_id: Some(child),
        ..Default::default()
    };
    let result = block_on(mocks.service().replace_client(&actor(Role::Manager), id, fields, None));
    let Err(ClientError::Validation(errors)) = result else { panic!("expected a field error") };
    assert_eq!(errors.fields()["parent_client_id"], ["cannot be a client below this one"]);
}

#[test]
fn a_stale_version_changes_nothing() {
    let mut mocks = Mocks::default();
    let current = client(ClientStatus::Active);
    mocks.clients.expect_get().returning(move |_, _, _| Ok(Some(current.clone())));
    mocks.clients.expect_update().never();
    let fields = ClientFields {
        name: "Renamed".into(),
        email: Some("info@acme.example".into()),
        ..Default::default()
    };
    let result =
        block_on(mocks.service().replace_client(&actor(Role::Admin), ClientId::new(), fields, Some(3)));
    assert!(matches!(result, Err(ClientError::VersionMismatch)));
}

#[test]
fn deactivation_records_the_reason_and_is_audited() {
    let mut mocks = Mocks::default();
    let current = client(ClientStatus::Active);
    let returned = current.clone();
    mocks.clients.expect_get().returning(move |_, _, _| Ok(Some(current.clone())));
    mocks
        .clients
        .expect_update()
        .withf(|next, expected, tags, audit| {
            next.status == ClientStatus::Inactive
                && next.status_reason.as_deref() == Some("contract ended")
                && *expected == 4
                && tags.is_none()
                && audit.action == "client.deactivate"
                && audit.changes.iter().any(|c| c.field == "status" && c.old == json!("active"))
        })
        .times(1)
        .returning(|next, _, _, _| Ok(next.clone()));
    mocks.clients.expect_detail().returning(move |_, _, _| Ok(Some(detail(&returned))));
    block_on(mocks.service().change_client_status(
        &actor(Role::Manager),
        ClientId::new(),
        StatusChange::Deactivate("  contract ended ".into()),
    ))
    .unwrap();
}

#[test]
fn a_status_action_into_the_current_status_is_a_conflict() {
    let mut mocks = Mocks::default();
    let current = client(ClientStatus::Archived);
    mocks.clients.expect_get().returning(move |_, _, _| Ok(Some(current.clone())));
    mocks.clients.expect_update().never();
    let service = mocks.service();
    let manager = actor(Role::Manager);
    assert!(matches!(
        block_on(service.change_client_status(&manager, ClientId::new(), StatusChange::Archive("x".into()))),
        Err(ClientError::Conflict { .. })
    ));
    assert!(matches!(
        block_on(service.change_client_status(
            &manager,
            ClientId::new(),
            StatusChange::Deactivate("x".into())
        )),
        Err(ClientError::Conflict { .. })
    ));
    assert!(matches!(
        block_on(service.change_client_status(
            &manager,
            ClientId::new(),
            StatusChange::Deactivate("  ".into())
        )),
        Err(ClientError::Validation(_))
    ));
}

#[test]
fn only_admins_see_deleted_clients_and_restore() {
    let mut mocks = Mocks::default();
    mocks.clients.expect_list().never();
    let service = mocks.service();
    let query = ClientListQuery { include_deleted: true, ..Default::default() };
    let result = block_on(service.list_clients(&actor(Role::Manager), query, PageRequest::first()));
    assert!(matches!(result, Err(ClientError::Forbidden)));
    let result = block_on(service.restore_client(&actor(Role::Manager), ClientId::new()));
    assert!(matches!(result, Err(ClientError::Forbidden)));
}

#[test]
fn unknown_ordering_is_a_field_error() {
    let mocks = Mocks::default();
    let query = ClientListQuery { ordering: Some("-password".into()), ..Default::default() };
    let result = block_on(mocks.service().list_clients(&actor(Role::Admin), query, PageRequest::first()));
    let Err(ClientError::Validation(errors)) = result else { panic!("expected a field error") };
    assert!(errors.fields().contains_key("ordering"));
}

#[test]
fn subindustries_are_resolved_into_the_filter() {
    let mut mocks = Mocks::default();
    let root = crate::IndustryId::new();
    let child = crate::Industry {
        id: crate::IndustryId::new(),
        name: "Banking".into(),
        code: None,
        description: None,
        parent_id: Some(root),
        external_id: None,
        level: 1,
        version: 1,
        created_at: NOW,
        updated_at: NOW,
    };
    let child_id = child.id;
    mocks.industries.expect_descendants().returning(move |_| Ok(vec![child.clone()]));
    mocks
        .clients
        .expect_list()
        .withf(move |_, filter, _, _| filter.industry_ids == Some(vec![root, child_id]))
        .times(1)
        .returning(|_, _, _, page| Ok(axis_kernel::Page::new(vec![], 0, page)));
    let query = ClientListQuery { industry: Some(root), include_subindustries: true, ..Default::default() };
    block_on(mocks.service().list_clients(&actor(Role::Viewer), query, PageRequest::first())).unwrap();
}

#[test]
fn an_industry_cannot_move_below_itself() {
    let mut mocks = Mocks::default();
    let id = crate::IndustryId::new();
    let below = crate::IndustryId::new();
    let industry = |id, parent| crate::Industry {
        id,
        name: "x".into(),
        code: None,
        description: None,
        parent_id: parent,
        external_id: None,
        level: 0,
        version: 1,
        created_at: NOW,
        updated_at: NOW,
    };
    let current = industry(id, None);
    let child = industry(below, Some(id));
    mocks.industries.expect_get().returning(move |_| Ok(Some(current.clone())));
    mocks.industries.expect_descendants().returning(move |_| Ok(vec![child.clone()]));
    mocks.industries.expect_update().never();
    let draft = crate::input::IndustryDraft::parse(crate::input::IndustryFields {
        name: "x".into(),
        parent_id: Some(below),
        ..Default::default()
    })
    .unwrap();
    let result = block_on(mocks.service().update_industry(&actor(Role::Manager), id, draft, None));
    assert!(matches!(result, Err(ClientError::Validation(_))));
}

#[test]
fn naming_the_account_manager_is_for_managers_and_only_of_those_who_may_hold_it() {
    let patch =
        |user: UserId| ClientPatch { account_manager_id: Patch::Value(user), ..ClientPatch::default() };
    // An analyst in scope may edit the client, but not name who else sees it.
    let mut mocks = Mocks::default();
    let current = client(ClientStatus::Active);
    mocks.clients.expect_get().returning(move |_, _, _| Ok(Some(current.clone())));
    mocks.access.expect_is_visible().returning(|_, _| Ok(true));
    mocks.clients.expect_update().never();
    mocks.clients.expect_active_role().never();
    let analyst = actor(Role::Analyst);
    let result = block_on(mocks.service().update_client(
        &analyst,
        ClientId::new(),
        patch(analyst.user_id.unwrap()),
        None,
    ));
    assert!(matches!(result, Err(ClientError::Forbidden)), "{result:?}");

    // A manager may, but only for an active admin, manager or analyst.
    for (role, allowed) in
        [(Some(Role::Viewer), false), (None, false), (Some(Role::Analyst), true), (Some(Role::Admin), true)]
    {
        let mut mocks = Mocks::default();
        let current = client(ClientStatus::Active);
        let stored = current.clone();
        mocks.clients.expect_get().returning(move |_, _, _| Ok(Some(current.clone())));
        mocks.access.expect_is_visible().returning(|_, _| Ok(true));
        mocks.clients.expect_active_role().times(1).returning(move |_| Ok(role));
        mocks.clients.expect_update().times(usize::from(allowed)).returning(move |c, _, _, _| Ok(c.clone()));
        mocks.clients.expect_detail().returning(move |_, _, _| Ok(Some(detail(&stored))));
        let result = block_on(mocks.service().update_client(
            &actor(Role::Manager),
            ClientId::new(),
            patch(UserId::new()),
            None,
        ));
        match result {
            Err(ClientError::Validation(errors)) => {
                assert!(!allowed, "{role:?} refused");
                assert!(errors.fields().contains_key("account_manager_id"));
            }
            Ok(_) => assert!(allowed, "{role:?} accepted"),
            other => panic!("{role:?}: {other:?}"),
        }
    }
}

#[test]
fn revoking_withdraws_a_grant_and_the_account_managers_place_but_not_a_role() {
    let user = UserId::new();
    let access = |sources: &[AccessSource]| -> Vec<Access> {
        sources
            .iter()
            .map(|&source| Access {
                user_id: user,
                role: Role::Analyst,
                source,
                granted_at: None,
                granted_by: None,
            })
            .collect()
    };
    for (held, answer) in [
        (vec![AccessSource::Grant, AccessSource::AccountManager], "withdrawn"),
        (vec![AccessSource::Role], "conflict"),
        (vec![], "not found"),
    ] {
        let mut mocks = Mocks::default();
        mocks.access.expect_is_visible().returning(|_, _| Ok(true));
        let listed = access(&held);
        mocks.clients.expect_access_list().returning(move |_| Ok(listed.clone()));
        let withdrawn = answer == "withdrawn";
        mocks
            .clients
            .expect_revoke_access()
            .times(usize::from(withdrawn))
            .withf(|_, _, audit| {
                let fields: Vec<&str> = audit.changes.iter().map(|c| c.field.as_str()).collect();
                fields == ["grant", "account_manager_id"]
            })
            .returning(|_, _, _| Ok(true));
        let result = block_on(mocks.service().revoke_access(&actor(Role::Admin), ClientId::new(), user));
        match (answer, result) {
            ("withdrawn", Ok(()))
            | ("conflict", Err(ClientError::Conflict { .. }))
            | ("not found", Err(ClientError::NotFound)) => {}
            (answer, other) => panic!("{answer}: {other:?}"),
        }
    }
}
