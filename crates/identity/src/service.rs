//! Identity use cases. HTTP handlers and CLI commands both call these, so every rule and
//! permission about users and sessions is written once, here.

use std::sync::Arc;

use axis_kernel::audit::{created, diff};
use axis_kernel::{
    Actor, AuditRecord, Clock, DomainError, Email, FieldErrors, Page, PageRequest, RequestContext, Role,
    SessionId, UserId,
};
use serde_json::json;
use time::{Duration, OffsetDateTime};

use crate::ports::RefreshLookup;
use crate::throttle::{LoginSubjects, Subject, SubjectKind, ThrottlePolicy};
use crate::{
    AccessClaims, AccessTokenCodec, IdentityError, LoginThrottle, NewUser, Password, PasswordHasher, Profile,
    ProfileChanges, ProfileFields, RefreshToken, RevokeReason, Session, SessionRepository, TokenGenerator,
    User, UserChanges, UserFilter, UserRepository, UserStats, UserStatus,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdentitySettings {
    pub access_ttl: Duration,
    pub refresh_idle_ttl: Duration,
    pub refresh_absolute_ttl: Duration,
    pub throttle: ThrottlePolicy,
    /// Whether e-mail + password login is offered at all.
    pub local_login: bool,
}

impl Default for IdentitySettings {
    fn default() -> Self {
        Self {
            access_ttl: Duration::minutes(15),
            refresh_idle_ttl: Duration::hours(24),
            refresh_absolute_ttl: Duration::days(7),
            throttle: ThrottlePolicy::default(),
            local_login: true,
        }
    }
}

/// What a successful login or refresh hands back.
#[derive(Debug, Clone)]
pub struct IssuedTokens {
    pub access_token: String,
    pub access_expires_in: i64,
    pub refresh_token: RefreshToken,
    pub session_id: SessionId,
    pub user: User,
}

pub struct IdentityService {
    users: Arc<dyn UserRepository>,
    sessions: Arc<dyn SessionRepository>,
    throttle: Arc<dyn LoginThrottle>,
    hasher: Arc<dyn PasswordHasher>,
    codec: Arc<dyn AccessTokenCodec>,
    generator: Arc<dyn TokenGenerator>,
    clock: Arc<dyn Clock>,
    settings: IdentitySettings,
}

/// The ports the identity service drives.
pub struct IdentityPorts {
    pub users: Arc<dyn UserRepository>,
    pub sessions: Arc<dyn SessionRepository>,
    pub throttle: Arc<dyn LoginThrottle>,
    pub hasher: Arc<dyn PasswordHasher>,
    pub codec: Arc<dyn AccessTokenCodec>,
    pub generator: Arc<dyn TokenGenerator>,
    pub clock: Arc<dyn Clock>,
}

fn require_admin(actor: &Actor) -> Result<(), IdentityError> {
    if actor.role == Role::Admin { Ok(()) } else { Err(DomainError::Forbidden.into()) }
}

/// Admins may act on anyone; everyone else only on themselves.
fn require_self_or_admin(actor: &Actor, user: UserId) -> Result<(), IdentityError> {
    if actor.role == Role::Admin || actor.is(user) { Ok(()) } else { Err(DomainError::Forbidden.into()) }
}

impl IdentityService {
    pub fn new(ports: IdentityPorts, settings: IdentitySettings) -> Self {
        Self {
            users: ports.users,
            sessions: ports.sessions,
            throttle: ports.throttle,
            hasher: ports.hasher,
            codec: ports.codec,
            generator: ports.generator,
            clock: ports.clock,
            settings,
        }
    }

    pub fn settings(&self) -> &IdentitySettings {
        &self.settings
    }

    // ---- login, refresh, logout -------------------------------------------------------------

    pub async fn login(
        &self,
        context: &RequestContext,
        email: &str,
        password: &str,
    ) -> Result<IssuedTokens, IdentityError> {
        if !self.settings.local_login {
            return Err(IdentityError::LocalLoginDisabled);
        }
        let now = self.clock.now();
        let policy = self.settings.throttle;
        let subjects = LoginSubjects::new(email, context.ip.as_deref());
        let anonymous = anonymous_actor(context);
        let failure = |reason: &str, user: Option<&User>| {
            AuditRecord::new(&anonymous, "auth.login", "user", user.map(|u| u.id.to_string()), now)
                .failed()
                .with_detail("reason", reason)
        };
        // Refused attempts never count against the account, so a flood of them cannot keep it
        // paced. An address that is locked out and keeps trying extends its own lockout; an
        // attempt that only found the account's slot taken counts nowhere, so an owner who
        // retries while an attacker keeps the account paced never locks themselves out.
        let refuse = async |until: OffsetDateTime, counted: Vec<Subject>| {
            self.throttle.record_failure(&counted, now, policy, failure("throttled", None)).await?;
            let retry_after_secs = (until - now).whole_seconds().max(1).unsigned_abs();
            Err::<IssuedTokens, _>(IdentityError::Throttled { retry_after_secs })
        };
        let counters = self.throttle.counters(&subjects.keys()).await?;
        if let Some(until) = policy.lockout(&subjects, &counters, now) {
            let lockouts = subjects.all().into_iter().filter(|s| s.kind != SubjectKind::Account).collect();
            return refuse(until, lockouts).await;
        }
        if let Some(until) = self.throttle.claim_account_slot(&subjects.account, now, policy).await? {
            return refuse(until, Vec::new()).await;
        }

        let found = match Email::parse(email) {
            Ok(email) => self.users.find_credentials(&email).await?,
            Err(_) => None,
        };
        let (user, hash) = match found {
            Some((user, hash)) => (Some(user), hash),
            None => (None, None),
        };
        let password_ok = self.hasher.verify(password, hash).await;
        let user = match user {
            Some(user) if password_ok && user.status == UserStatus::Active => user,
            Some(user) if password_ok => {
                let record = failure("inactive", Some(&user));
                self.throttle.record_failure(&subjects.all(), now, policy, record).await?;
                return Err(IdentityError::InvalidCredentials);
            }
            other => {
                let record = failure("bad_credentials", other.as_ref());
                self.throttle.record_failure(&subjects.all(), now, policy, record).await?;
                return Err(IdentityError::InvalidCredentials);
            }
        };

        let session = Session {
            id: SessionId::new(),
            user_id: user.id,
            created_at: now,
            last_used_at: now,
            idle_expires_at: now + self.settings.refresh_idle_ttl.min(self.settings.refresh_absolute_ttl),
            absolute_expires_at: now + self.settings.refresh_absolute_ttl,
            revoked_at: None,
            revoked_reason: None,
            ip: context.ip.clone(),
            user_agent: context.user_agent.clone(),
        };
        let actor = Actor::user(user.id, user.role, session.id, user.email.as_str(), context.clone());
        let audit = AuditRecord::new(&actor, "auth.login", "user", Some(user.id.to_string()), now)
            .with_detail("session_id", session.id.to_string());
        let refresh = self.generator.refresh_token();
        // One good password must not reset the address's own counter.
        self.sessions.start(&session, refresh.hash(), &subjects.cleared_by_success(), audit).await?;
        self.issue(user, session.id, refresh, now)
    }

    pub async fn refresh(&self, context: &RequestContext, raw: &str) -> Result<IssuedTokens, IdentityError> {
        let token = RefreshToken::parse(raw).ok_or(IdentityError::InvalidRefreshToken)?;
        let now = self.clock.now();
        let RefreshLookup { session, used_at } =
            self.sessions.find_by_refresh(token.hash()).await?.ok_or(IdentityError::InvalidRefreshToken)?;
        if used_at.is_some() {
            self.end_family_after_reuse(context, &session, now).await?;
            return Err(IdentityError::InvalidRefreshToken);
        }
        if !session.is_live(now) {
            return Err(IdentityError::InvalidRefreshToken);
        }
        let user = self.users.get(session.user_id).await?.ok_or(IdentityError::InvalidRefreshToken)?;
        if user.status != UserStatus::Active {
            return Err(IdentityError::InvalidRefreshToken);
        }
        let actor = Actor::user(user.id, user.role, session.id, user.email.as_str(), context.clone());
        let audit = AuditRecord::new(&actor, "auth.refresh", "session", Some(session.id.to_string()), now);
        let next = self.generator.refresh_token();
        let idle_expires_at = (now + self.settings.refresh_idle_ttl).min(session.absolute_expires_at);
        let rotated =
            self.sessions.rotate(token.hash(), next.hash(), session.id, now, idle_expires_at, audit).await?;
        if !rotated {
            // Another request spent this token first: that is a reuse too.
            self.end_family_after_reuse(context, &session, now).await?;
            return Err(IdentityError::InvalidRefreshToken);
        }
        self.issue(user, session.id, next, now)
    }

    async fn end_family_after_reuse(
        &self,
        context: &RequestContext,
        session: &Session,
        now: OffsetDateTime,
    ) -> Result<(), IdentityError> {
        if session.revoked_at.is_some() {
            return Ok(());
        }
        let audit = AuditRecord::new(
            &anonymous_actor(context),
            "auth.refresh_token_reuse",
            "session",
            Some(session.id.to_string()),
            now,
        )
        .failed()
        .with_detail("user_id", session.user_id.to_string());
        self.sessions.revoke(session.id, RevokeReason::Reuse, now, audit).await?;
        Ok(())
    }

    fn issue(
        &self,
        user: User,
        session: SessionId,
        refresh_token: RefreshToken,
        now: OffsetDateTime,
    ) -> Result<IssuedTokens, IdentityError> {
        let iat = now.unix_timestamp();
        let claims = AccessClaims {
            sub: user.id,
            sid: session,
            role: user.role,
            ver: user.authz_ver,
            jti: uuid::Uuid::now_v7(),
            iat,
            nbf: iat,
            exp: iat + self.settings.access_ttl.whole_seconds(),
        };
        let access_token =
            self.codec.issue(&claims).map_err(|_| IdentityError::Unauthenticated("token signing failed"))?;
        Ok(IssuedTokens {
            access_token,
            access_expires_in: self.settings.access_ttl.whole_seconds(),
            refresh_token,
            session_id: session,
            user,
        })
    }

    pub async fn logout(&self, actor: &Actor) -> Result<(), IdentityError> {
        let Some(session) = actor.session_id else { return Ok(()) };
        let now = self.clock.now();
        let audit = AuditRecord::new(actor, "auth.logout", "session", Some(session.to_string()), now);
        self.sessions.revoke(session, RevokeReason::Logout, now, audit).await?;
        Ok(())
    }

    /// Turns a bearer token into an [`Actor`]: signature and claims first, then the user's
    /// current status, role version and session state from storage.
    pub async fn authenticate(&self, token: &str, context: RequestContext) -> Result<Actor, IdentityError> {
        let now = self.clock.now();
        let claims = self.codec.verify(token, now).map_err(|e| match e {
            crate::TokenError::Invalid(reason) => IdentityError::Unauthenticated(reason),
            crate::TokenError::Signing => IdentityError::Unauthenticated("signing"),
        })?;
        let state = self
            .sessions
            .authz_state(claims.sub, claims.sid)
            .await?
            .ok_or(IdentityError::Unauthenticated("unknown user or session"))?;
        if state.status != UserStatus::Active {
            return Err(IdentityError::Unauthenticated("user is not active"));
        }
        if state.session_revoked || now >= state.session_absolute_expires_at {
            return Err(IdentityError::Unauthenticated("session ended"));
        }
        if state.authz_ver != claims.ver {
            return Err(IdentityError::Unauthenticated("authorization changed since the token was issued"));
        }
        Ok(Actor::user(claims.sub, state.role, claims.sid, state.email.as_str(), context))
    }

    // ---- the signed-in user -----------------------------------------------------------------

    pub async fn me(&self, actor: &Actor) -> Result<(User, Profile), IdentityError> {
        let id = actor.user_id.ok_or(DomainError::NotFound)?;
        let user = self.users.get(id).await?.ok_or(DomainError::NotFound)?;
        let profile = self.users.get_profile(id).await?.ok_or(DomainError::NotFound)?;
        Ok((user, profile))
    }

    pub async fn update_me(
        &self,
        actor: &Actor,
        changes: ProfileFields,
    ) -> Result<(User, Profile), IdentityError> {
        let (user, profile) = self.me(actor).await?;
        let changes = ProfileChanges::parse(changes, self.clock.today())?.into_fields();
        let now = self.clock.now();
        let mut new_user = user.clone();
        let mut new_profile = profile.clone();
        if let Some(v) = changes.first_name {
            new_user.first_name = v;
        }
        if let Some(v) = changes.last_name {
            new_user.last_name = v;
        }
        if let Some(v) = changes.full_name {
            new_profile.full_name = v;
        }
        if let Some(v) = changes.phone {
            new_profile.phone = v;
        }
        if let Some(v) = changes.image_url {
            new_profile.image_url = v;
        }
        if let Some(v) = changes.bio {
            new_profile.bio = v;
        }
        if let Some(v) = changes.date_of_birth {
            new_profile.date_of_birth = v;
        }
        if let Some(v) = changes.gender {
            new_profile.gender = v;
        }
        if let Some(v) = changes.language {
            new_profile.language = v;
        }
        if let Some(v) = changes.timezone {
            new_profile.timezone = v;
        }
        let mut field_changes = diff(&user.audit_view(), &new_user.audit_view());
        field_changes.extend(diff(&profile.audit_view(), &new_profile.audit_view()));
        if field_changes.is_empty() {
            return Ok((user, profile));
        }
        new_user.updated_at = now;
        new_profile.updated_at = now;
        let audit = AuditRecord::new(actor, "profile.update", "user", Some(user.id.to_string()), now)
            .with_changes(field_changes);
        self.users.update_profile(&new_user, &new_profile, audit).await?;
        Ok((new_user, new_profile))
    }

    // ---- user administration ----------------------------------------------------------------

    pub async fn list_users(
        &self,
        actor: &Actor,
        filter: &UserFilter,
        page: PageRequest,
    ) -> Result<Page<User>, IdentityError> {
        require_admin(actor)?;
        Ok(self.users.list(filter, page).await?)
    }

    pub async fn get_user(&self, actor: &Actor, id: UserId) -> Result<User, IdentityError> {
        require_self_or_admin(actor, id)?;
        self.users.get(id).await?.ok_or(DomainError::NotFound.into())
    }

    pub async fn user_stats(&self, actor: &Actor) -> Result<UserStats, IdentityError> {
        require_admin(actor)?;
        Ok(self.users.stats().await?)
    }

    pub async fn create_user(&self, actor: &Actor, input: NewUser) -> Result<User, IdentityError> {
        require_admin(actor)?;
        let now = self.clock.now();
        let password_hash = match &input.password {
            Some(password) => Some(self.hasher.hash(password).await?),
            None => None,
        };
        let user = User {
            id: UserId::new(),
            email: input.email,
            first_name: input.first_name,
            last_name: input.last_name,
            status: UserStatus::Active,
            role: input.role,
            last_login_at: None,
            authz_ver: 1,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let profile = Profile::empty(user.id, user.display_name(), now);
        let mut changes = created(&user.audit_view());
        if password_hash.is_some() {
            changes.push(axis_kernel::FieldChange {
                field: "password".into(),
                old: json!(null),
                new: json!("(set)"),
            });
        }
        let audit = AuditRecord::new(actor, "user.create", "user", Some(user.id.to_string()), now)
            .with_changes(changes);
        self.users.create(&user, password_hash, &profile, audit).await?;
        Ok(user)
    }

    /// Applies an administrator's change. `if_match` is the version the caller last saw.
    pub async fn update_user(
        &self,
        actor: &Actor,
        id: UserId,
        changes: UserChanges,
        if_match: Option<i32>,
    ) -> Result<User, IdentityError> {
        self.change_user(actor, id, changes, if_match, "user.update").await
    }

    /// Disables an account: it can no longer sign in, and its sessions end at once.
    pub async fn disable_user(&self, actor: &Actor, id: UserId) -> Result<User, IdentityError> {
        let changes = UserChanges { status: Some(UserStatus::Disabled), ..Default::default() };
        self.change_user(actor, id, changes, None, "user.disable").await
    }

    async fn change_user(
        &self,
        actor: &Actor,
        id: UserId,
        changes: UserChanges,
        if_match: Option<i32>,
        action: &str,
    ) -> Result<User, IdentityError> {
        require_admin(actor)?;
        let user = self.users.get(id).await?.ok_or(DomainError::NotFound)?;
        axis_kernel::expect_version(if_match, user.version)?;
        let mut next = user.clone();
        if let Some(v) = changes.first_name {
            next.first_name = v;
        }
        if let Some(v) = changes.last_name {
            next.last_name = v;
        }
        if let Some(v) = changes.role {
            next.role = v;
        }
        if let Some(v) = changes.status {
            next.status = v;
        }
        let field_changes = diff(&user.audit_view(), &next.audit_view());
        if field_changes.is_empty() {
            return Ok(user);
        }
        let loses_admin = user.role == Role::Admin
            && user.status == UserStatus::Active
            && (next.role != Role::Admin || next.status != UserStatus::Active);
        if loses_admin && self.users.count_active_admins().await? <= 1 {
            return Err(
                DomainError::conflict("the last active administrator cannot be demoted or disabled").into()
            );
        }
        let authz_changed = next.role != user.role || next.status != user.status;
        if authz_changed {
            next.authz_ver += 1;
        }
        let end_sessions = next.status != UserStatus::Active && user.status == UserStatus::Active;
        let now = self.clock.now();
        next.updated_at = now;
        let audit =
            AuditRecord::new(actor, action, "user", Some(id.to_string()), now).with_changes(field_changes);
        Ok(self.users.update(&next, user.version, end_sessions, audit).await?)
    }

    pub async fn set_password(
        &self,
        actor: &Actor,
        id: UserId,
        password: &Password,
    ) -> Result<(), IdentityError> {
        require_self_or_admin(actor, id)?;
        let user = self.users.get(id).await?.ok_or(DomainError::NotFound)?;
        let hash = self.hasher.hash(password).await?;
        let now = self.clock.now();
        let audit = AuditRecord::new(actor, "user.set_password", "user", Some(user.id.to_string()), now)
            .with_changes(vec![axis_kernel::FieldChange {
                field: "password".into(),
                old: json!("(set)"),
                new: json!("(changed)"),
            }]);
        Ok(self.users.set_password(id, hash, audit).await?)
    }

    pub async fn list_sessions(
        &self,
        actor: &Actor,
        user: UserId,
        page: PageRequest,
    ) -> Result<Page<Session>, IdentityError> {
        require_self_or_admin(actor, user)?;
        if self.users.get(user).await?.is_none() {
            return Err(DomainError::NotFound.into());
        }
        Ok(self.sessions.list_for_user(user, page).await?)
    }

    pub async fn revoke_session(
        &self,
        actor: &Actor,
        user: UserId,
        session: SessionId,
    ) -> Result<(), IdentityError> {
        require_self_or_admin(actor, user)?;
        let found =
            self.sessions.get(session).await?.filter(|s| s.user_id == user).ok_or(DomainError::NotFound)?;
        let now = self.clock.now();
        let reason = if actor.is(user) { RevokeReason::Logout } else { RevokeReason::Admin };
        let audit = AuditRecord::new(actor, "session.revoke", "session", Some(found.id.to_string()), now)
            .with_detail("user_id", user.to_string());
        self.sessions.revoke(found.id, reason, now, audit).await?;
        Ok(())
    }

    /// Makes sure an active administrator exists. Returns the created account and, when no
    /// password was given, the generated one (to show once).
    pub async fn ensure_admin(
        &self,
        email: &str,
        password: Option<&str>,
    ) -> Result<Option<(User, Option<String>)>, IdentityError> {
        if self.users.count_active_admins().await? > 0 {
            return Ok(None);
        }
        let generated = password.is_none().then(|| self.generator.password());
        let password = password.or(generated.as_deref());
        let input = NewUser::parse(email, "", "", Role::Admin, password)?;
        let user = self.create_user(&Actor::command_line(), input).await?;
        Ok(Some((user, generated)))
    }

    /// Finds a user by e-mail for administration commands.
    pub async fn find_user_by_email(&self, actor: &Actor, email: &str) -> Result<User, IdentityError> {
        require_admin(actor)?;
        let email = Email::parse(email).map_err(|e| FieldErrors::single("email", e.to_string()))?;
        let (user, _) = self.users.find_credentials(&email).await?.ok_or(DomainError::NotFound)?;
        Ok(user)
    }
}

/// Login and refresh happen before anyone is known: audited as anonymous with the request's
/// context.
fn anonymous_actor(context: &RequestContext) -> Actor {
    Actor {
        user_id: None,
        role: Role::Viewer,
        session_id: None,
        label: "anonymous".to_owned(),
        context: context.clone(),
    }
}

#[cfg(test)]
mod tests;

/// The HTTP kit's authenticated extractor asks the identity service through this port.
#[async_trait::async_trait]
impl axis_kernel::Authenticator for IdentityService {
    async fn authenticate(
        &self,
        token: &str,
        context: axis_kernel::RequestContext,
    ) -> Result<axis_kernel::Actor, axis_kernel::NotSignedIn> {
        IdentityService::authenticate(self, token, context).await.map_err(|error| match error {
            IdentityError::Unauthenticated(reason) => axis_kernel::NotSignedIn::Refused(reason),
            IdentityError::Domain(error) => axis_kernel::NotSignedIn::Failed(error),
            // Signing in with a token refuses nothing else; anything else is a fault.
            other => axis_kernel::NotSignedIn::Failed(axis_kernel::DomainError::internal(other.to_string())),
        })
    }
}
