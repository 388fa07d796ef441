use std::sync::Arc;

use axis_kernel::{Actor, DomainError, Email, FixedClock, RequestContext, Role, SessionId, UserId};
use futures_executor::block_on;
use time::OffsetDateTime;
use time::macros::datetime;

use super::*;
use crate::ports::{
    MockAccessTokenCodec, MockLoginThrottle, MockPasswordHasher, MockSessionRepository, MockTokenGenerator,
    MockUserRepository, RefreshLookup,
};
use crate::{AuthzState, TokenError};

const NOW: OffsetDateTime = datetime!(2026-11-21 12:00 UTC);

#[derive(Default)]
struct Mocks {
    users: MockUserRepository,
    sessions: MockSessionRepository,
    throttle: MockLoginThrottle,
    hasher: MockPasswordHasher,
    codec: MockAccessTokenCodec,
    generator: MockTokenGenerator,
}

impl Mocks {
    fn service(self) -> IdentityService {
        IdentityService::new(
            IdentityPorts {
                users: Arc::new(self.users),
                sessions: Arc::new(self.sessions),
                throttle: Arc::new(self.throttle),
                hasher: Arc::new(self.hasher),
                codec: Arc::new(self.codec),
                generator: Arc::new(self.generator),
                clock: Arc::new(FixedClock::at(NOW)),
            },
            IdentitySettings::default(),
        )
    }
}

fn user(role: Role) -> User {
    User {
        id: UserId::new(),
        email: Email::parse("ada@example.com").unwrap(),
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        status: UserStatus::Active,
        role,
        last_login_at: None,
        authz_ver: 3,
        version: 7,
        created_at: NOW,
        updated_at: NOW,
    }
}

fn actor(role: Role) -> Actor {
    Actor::user(UserId::new(), role, SessionId::new(), "someone", RequestContext::default())
}

fn context() -> RequestContext {
    RequestContext { ip: Some("127.0.0.9".into()), ..Default::default() }
}

#[test]
fn wrong_password_counts_a_failure_and_says_nothing_more() {
    let mut mocks = Mocks::default();
    let stored = user(Role::Viewer);
    mocks.throttle.expect_counters().returning(|_| Ok(vec![]));
    mocks.throttle.expect_claim_account_slot().returning(|_, _, _| Ok(None));
    mocks.users.expect_find_credentials().returning(move |_| Ok(Some((stored.clone(), Some("hash".into())))));
    mocks.hasher.expect_verify().returning(|_, _| false);
    mocks
        .throttle
        .expect_record_failure()
        .withf(|subjects, _, _, audit| {
            subjects.iter().map(|s| s.key.as_str()).collect::<Vec<_>>()
                == ["pair:127.0.0.9|ada@example.com", "ip:127.0.0.9", "account:ada@example.com"]
                && audit.action == "auth.login"
                && audit.outcome == axis_kernel::AuditOutcome::Failure
        })
        .times(1)
        .returning(|_, _, _, _| Ok(()));
    mocks.sessions.expect_start().never();
    let result = block_on(mocks.service().login(&context(), "Ada@Example.com", "wrong password!"));
    assert!(matches!(result, Err(IdentityError::InvalidCredentials)));
}

#[test]
fn unknown_email_still_spends_a_password_check() {
    let mut mocks = Mocks::default();
    mocks.throttle.expect_counters().returning(|_| Ok(vec![]));
    mocks.throttle.expect_claim_account_slot().returning(|_, _, _| Ok(None));
    mocks.users.expect_find_credentials().returning(|_| Ok(None));
    mocks.hasher.expect_verify().withf(|_, hash| hash.is_none()).times(1).returning(|_, _| false);
    mocks.throttle.expect_record_failure().times(1).returning(|_, _, _, _| Ok(()));
    let result = block_on(mocks.service().login(&context(), "nobody@example.com", "whatever password"));
    assert!(matches!(result, Err(IdentityError::InvalidCredentials)));
}

#[test]
fn throttled_login_never_checks_the_password() {
    let mut mocks = Mocks::default();
    mocks.throttle.expect_counters().returning(|_| {
        Ok(vec![crate::throttle::Counter {
            key: "pair:127.0.0.9|ada@example.com".into(),
            failures: 5,
            last_failure_at: NOW,
            blocked_until: Some(NOW + Duration::seconds(42)),
        }])
    });
    mocks.throttle.expect_record_failure().times(1).returning(|_, _, _, _| Ok(()));
    mocks.hasher.expect_verify().never();
    let result = block_on(mocks.service().login(&context(), "ada@example.com", "right password"));
    assert!(matches!(result, Err(IdentityError::Throttled { retry_after_secs: 42 })));
}

#[test]
fn a_paced_account_refuses_without_a_password_check_and_counts_the_refusal_nowhere() {
    let mut mocks = Mocks::default();
    mocks.throttle.expect_counters().returning(|_| Ok(vec![]));
    mocks
        .throttle
        .expect_claim_account_slot()
        .withf(|account, _, _| account.key == "account:ada@example.com")
        .returning(|_, _, _| Ok(Some(NOW + Duration::seconds(4))));
    mocks
        .throttle
        .expect_record_failure()
        .withf(|subjects, _, _, _| subjects.is_empty())
        .times(1)
        .returning(|_, _, _, _| Ok(()));
    mocks.hasher.expect_verify().never();
    let result = block_on(mocks.service().login(&context(), "ada@example.com", "right password"));
    assert!(matches!(result, Err(IdentityError::Throttled { retry_after_secs: 4 })));
}

#[test]
fn suspended_user_cannot_log_in_even_with_the_right_password() {
    let mut mocks = Mocks::default();
    let mut stored = user(Role::Admin);
    stored.status = UserStatus::Suspended;
    mocks.throttle.expect_counters().returning(|_| Ok(vec![]));
    mocks.throttle.expect_claim_account_slot().returning(|_, _, _| Ok(None));
    mocks.users.expect_find_credentials().returning(move |_| Ok(Some((stored.clone(), Some("hash".into())))));
    mocks.hasher.expect_verify().returning(|_, _| true);
    mocks.throttle.expect_record_failure().times(1).returning(|_, _, _, _| Ok(()));
    mocks.sessions.expect_start().never();
    let result = block_on(mocks.service().login(&context(), "ada@example.com", "right password"));
    assert!(matches!(result, Err(IdentityError::InvalidCredentials)));
}

#[test]
fn successful_login_starts_a_session_and_issues_tokens() {
    let mut mocks = Mocks::default();
    let stored = user(Role::Manager);
    let user_id = stored.id;
    mocks.throttle.expect_counters().returning(|_| Ok(vec![]));
    mocks.throttle.expect_claim_account_slot().returning(|_, _, _| Ok(None));
    mocks.users.expect_find_credentials().returning(move |_| Ok(Some((stored.clone(), Some("hash".into())))));
    mocks.hasher.expect_verify().returning(|_, _| true);
    mocks.generator.expect_refresh_token().returning(|| RefreshToken::from_bytes([1; 32]));
    mocks
        .sessions
        .expect_start()
        .withf(move |session, _, clear, audit| {
            session.user_id == user_id
                && session.absolute_expires_at == NOW + Duration::days(7)
                && clear == ["pair:127.0.0.9|ada@example.com", "account:ada@example.com"]
                && audit.action == "auth.login"
        })
        .times(1)
        .returning(|_, _, _, _| Ok(()));
    mocks
        .codec
        .expect_issue()
        .withf(|claims| claims.role == Role::Manager && claims.ver == 3 && claims.exp - claims.iat == 900)
        .returning(|_| Ok("signed".into()));
    let issued = block_on(mocks.service().login(&context(), "ada@example.com", "right password")).unwrap();
    assert_eq!(issued.access_token, "signed");
    assert_eq!(issued.access_expires_in, 900);
}

fn session(user: UserId) -> Session {
    Session {
        id: SessionId::new(),
        user_id: user,
        created_at: NOW - Duration::hours(1),
        last_used_at: NOW - Duration::hours(1),
        idle_expires_at: NOW + Duration::hours(23),
        absolute_expires_at: NOW + Duration::days(6),
        revoked_at: None,
        revoked_reason: None,
        ip: None,
        user_agent: None,
    }
}

#[test]
fn replaying_a_spent_refresh_token_ends_the_family() {
    let mut mocks = Mocks::default();
    let family = session(UserId::new());
    let family_id = family.id;
    mocks
        .sessions
        .expect_find_by_refresh()
        .returning(move |_| Ok(Some(RefreshLookup { session: family.clone(), used_at: Some(NOW) })));
    mocks
        .sessions
        .expect_revoke()
        .withf(move |id, reason, _, audit| {
            *id == family_id && *reason == RevokeReason::Reuse && audit.action == "auth.refresh_token_reuse"
        })
        .times(1)
        .returning(|_, _, _, _| Ok(true));
    mocks.sessions.expect_rotate().never();
    let token = RefreshToken::from_bytes([9; 32]);
    let result = block_on(mocks.service().refresh(&context(), token.expose()));
    assert!(matches!(result, Err(IdentityError::InvalidRefreshToken)));
}

#[test]
fn losing_a_rotation_race_counts_as_reuse() {
    let mut mocks = Mocks::default();
    let owner = user(Role::Viewer);
    let family = session(owner.id);
    mocks
        .sessions
        .expect_find_by_refresh()
        .returning(move |_| Ok(Some(RefreshLookup { session: family.clone(), used_at: None })));
    mocks.users.expect_get().returning(move |_| Ok(Some(owner.clone())));
    mocks.generator.expect_refresh_token().returning(|| RefreshToken::from_bytes([2; 32]));
    mocks.sessions.expect_rotate().returning(|_, _, _, _, _, _| Ok(false));
    mocks.sessions.expect_revoke().times(1).returning(|_, _, _, _| Ok(true));
    mocks.codec.expect_issue().never();
    let token = RefreshToken::from_bytes([9; 32]);
    let result = block_on(mocks.service().refresh(&context(), token.expose()));
    assert!(matches!(result, Err(IdentityError::InvalidRefreshToken)));
}

/// A refresh with a token of `family`, which the store finds unused.
fn refresh_of(family: Session) -> Result<IssuedTokens, IdentityError> {
    let mut mocks = Mocks::default();
    mocks
        .sessions
        .expect_find_by_refresh()
        .returning(move |_| Ok(Some(RefreshLookup { session: family.clone(), used_at: None })));
    mocks.sessions.expect_rotate().never();
    let token = RefreshToken::from_bytes([9; 32]);
    block_on(mocks.service().refresh(&context(), token.expose()))
}

#[test]
fn an_expired_session_cannot_refresh() {
    let mut idle = session(UserId::new());
    idle.idle_expires_at = NOW - Duration::seconds(1);
    assert!(matches!(refresh_of(idle), Err(IdentityError::InvalidRefreshToken)), "idle too long");
    // Past its absolute expiry, even while in use.
    let mut old = session(UserId::new());
    old.last_used_at = NOW - Duration::seconds(5);
    old.absolute_expires_at = NOW - Duration::seconds(1);
    assert!(matches!(refresh_of(old), Err(IdentityError::InvalidRefreshToken)), "too old");
}

#[test]
fn rotation_never_extends_idle_expiry_past_the_absolute_one() {
    let mut mocks = Mocks::default();
    let owner = user(Role::Viewer);
    let mut family = session(owner.id);
    family.absolute_expires_at = NOW + Duration::hours(2);
    let absolute = family.absolute_expires_at;
    mocks
        .sessions
        .expect_find_by_refresh()
        .returning(move |_| Ok(Some(RefreshLookup { session: family.clone(), used_at: None })));
    mocks.users.expect_get().returning(move |_| Ok(Some(owner.clone())));
    mocks.generator.expect_refresh_token().returning(|| RefreshToken::from_bytes([3; 32]));
    mocks
        .sessions
        .expect_rotate()
        .withf(move |_, _, _, _, idle, audit| *idle == absolute && audit.action == "auth.refresh")
        .times(1)
        .returning(|_, _, _, _, _, _| Ok(true));
    mocks.codec.expect_issue().returning(|_| Ok("signed".into()));
    let token = RefreshToken::from_bytes([9; 32]);
    assert!(block_on(mocks.service().refresh(&context(), token.expose())).is_ok());
}

fn claims(ver: i32) -> AccessClaims {
    AccessClaims {
        sub: UserId::new(),
        sid: SessionId::new(),
        role: Role::Admin,
        ver,
        jti: uuid::Uuid::now_v7(),
        iat: NOW.unix_timestamp(),
        nbf: NOW.unix_timestamp(),
        exp: NOW.unix_timestamp() + 900,
    }
}

fn state(ver: i32, role: Role) -> AuthzState {
    AuthzState {
        status: UserStatus::Active,
        role,
        authz_ver: ver,
        email: Email::parse("ada@example.com").unwrap(),
        session_revoked: false,
        session_absolute_expires_at: NOW + Duration::days(1),
    }
}

#[test]
fn a_token_from_before_a_role_change_is_refused() {
    let mut mocks = Mocks::default();
    mocks.codec.expect_verify().returning(|_, _| Ok(claims(3)));
    mocks.sessions.expect_authz_state().returning(|_, _| Ok(Some(state(4, Role::Viewer))));
    let result = block_on(mocks.service().authenticate("t", RequestContext::default()));
    assert!(matches!(result, Err(IdentityError::Unauthenticated(_))));
}

#[test]
fn a_revoked_session_refuses_its_access_tokens() {
    let mut mocks = Mocks::default();
    mocks.codec.expect_verify().returning(|_, _| Ok(claims(3)));
    mocks.sessions.expect_authz_state().returning(|_, _| {
        let mut s = state(3, Role::Admin);
        s.session_revoked = true;
        Ok(Some(s))
    });
    let result = block_on(mocks.service().authenticate("t", RequestContext::default()));
    assert!(matches!(result, Err(IdentityError::Unauthenticated(_))));
}

#[test]
fn the_role_comes_from_storage_not_the_token() {
    let mut mocks = Mocks::default();
    mocks.codec.expect_verify().returning(|_, _| Ok(claims(3)));
    mocks.sessions.expect_authz_state().returning(|_, _| Ok(Some(state(3, Role::Analyst))));
    let actor = block_on(mocks.service().authenticate("t", RequestContext::default())).unwrap();
    assert_eq!(actor.role, Role::Analyst);
}

#[test]
fn a_bad_signature_is_unauthenticated() {
    let mut mocks = Mocks::default();
    mocks.codec.expect_verify().returning(|_, _| Err(TokenError::Invalid("signature")));
    mocks.sessions.expect_authz_state().never();
    let result = block_on(mocks.service().authenticate("t", RequestContext::default()));
    assert!(matches!(result, Err(IdentityError::Unauthenticated("signature"))));
}

#[test]
fn only_admins_manage_users() {
    for role in [Role::Manager, Role::Analyst, Role::Viewer] {
        let mut mocks = Mocks::default();
        mocks.users.expect_create().never();
        mocks.users.expect_update().never();
        let service = mocks.service();
        let input = NewUser::parse("new@example.com", "N", "U", Role::Viewer, None).unwrap();
        assert!(matches!(
            block_on(service.create_user(&actor(role), input)),
            Err(IdentityError::Domain(DomainError::Forbidden))
        ));
        let change = UserChanges { role: Some(Role::Admin), ..Default::default() };
        let result = block_on(service.update_user(&actor(role), UserId::new(), change, None));
        assert!(matches!(result, Err(IdentityError::Domain(DomainError::Forbidden))));
    }
}

#[test]
fn a_role_change_bumps_the_authorisation_version_and_is_audited() {
    let mut mocks = Mocks::default();
    let stored = user(Role::Manager);
    let id = stored.id;
    mocks.users.expect_get().returning(move |_| Ok(Some(stored.clone())));
    mocks
        .users
        .expect_update()
        .withf(|next, expected, end_sessions, audit| {
            next.role == Role::Viewer
                && next.authz_ver == 4
                && *expected == 7
                && !end_sessions
                && audit.changes.len() == 1
                && audit.changes[0].field == "role"
        })
        .times(1)
        .returning(|next, _, _, _| Ok(next.clone()));
    let change = UserChanges { role: Some(Role::Viewer), ..Default::default() };
    let updated = block_on(mocks.service().update_user(&actor(Role::Admin), id, change, Some(7))).unwrap();
    assert_eq!(updated.authz_ver, 4);
}

#[test]
fn a_stale_version_is_refused() {
    let mut mocks = Mocks::default();
    let stored = user(Role::Manager);
    let id = stored.id;
    mocks.users.expect_get().returning(move |_| Ok(Some(stored.clone())));
    mocks.users.expect_update().never();
    let change = UserChanges { first_name: Some("X".into()), ..Default::default() };
    let result = block_on(mocks.service().update_user(&actor(Role::Admin), id, change, Some(6)));
    assert!(matches!(result, Err(IdentityError::Domain(DomainError::VersionMismatch))));
}

#[test]
fn the_last_admin_cannot_be_disabled() {
    let mut mocks = Mocks::default();
    let stored = user(Role::Admin);
    let id = stored.id;
    mocks.users.expect_get().returning(move |_| Ok(Some(stored.clone())));
    mocks.users.expect_count_active_admins().returning(|| Ok(1));
    mocks.users.expect_update().never();
    let result = block_on(mocks.service().disable_user(&actor(Role::Admin), id));
    assert!(matches!(result, Err(IdentityError::Domain(DomainError::Conflict { .. }))));
}

#[test]
fn disabling_ends_every_session() {
    let mut mocks = Mocks::default();
    let stored = user(Role::Viewer);
    let id = stored.id;
    mocks.users.expect_get().returning(move |_| Ok(Some(stored.clone())));
    mocks
        .users
        .expect_update()
        .withf(|next, _, end_sessions, audit| {
            next.status == UserStatus::Disabled && *end_sessions && audit.action == "user.disable"
        })
        .times(1)
        .returning(|next, _, _, _| Ok(next.clone()));
    block_on(mocks.service().disable_user(&actor(Role::Admin), id)).unwrap();
}

#[test]
fn users_see_only_their_own_sessions() {
    let mocks = Mocks::default();
    let viewer = actor(Role::Viewer);
    let result = block_on(mocks.service().list_sessions(&viewer, UserId::new(), PageRequest::first()));
    assert!(matches!(result, Err(IdentityError::Domain(DomainError::Forbidden))));
}
