use async_trait::async_trait;
use axis_kernel::{AuditRecord, DomainError, Email, Page, PageRequest, SessionId, UserId};
use time::OffsetDateTime;

use crate::throttle::{Counter, Subject, ThrottlePolicy};
use crate::{
    AccessClaims, AuthzState, Password, Profile, RefreshToken, RefreshTokenHash, RevokeReason, Session,
    TokenError, User, UserFilter, UserStats,
};

#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait UserRepository: Send + Sync {
    async fn get(&self, id: UserId) -> Result<Option<User>, DomainError>;
    async fn get_profile(&self, id: UserId) -> Result<Option<Profile>, DomainError>;
    /// The user with this e-mail and their password hash, if any.
    async fn find_credentials(&self, email: &Email) -> Result<Option<(User, Option<String>)>, DomainError>;
    async fn list(&self, filter: &UserFilter, page: PageRequest) -> Result<Page<User>, DomainError>;
    async fn stats(&self) -> Result<UserStats, DomainError>;
    async fn count_active_admins(&self) -> Result<u64, DomainError>;
    /// Inserts user and profile. A taken e-mail is `Duplicate { constraint: "users_email_key" }`.
    async fn create(
        &self,
        user: &User,
        password_hash: Option<String>,
        profile: &Profile,
        audit: AuditRecord,
    ) -> Result<(), DomainError>;
    /// Writes names, role, status and `authz_ver` if the stored version is `expected_version`
    /// (else `VersionConflict`); with `end_sessions` also revokes every live session.
    async fn update(
        &self,
        user: &User,
        expected_version: i32,
        end_sessions: bool,
        audit: AuditRecord,
    ) -> Result<User, DomainError>;
    async fn set_password(
        &self,
        id: UserId,
        password_hash: String,
        audit: AuditRecord,
    ) -> Result<(), DomainError>;
    /// Writes the user's names and their profile together.
    async fn update_profile(
        &self,
        user: &User,
        profile: &Profile,
        audit: AuditRecord,
    ) -> Result<(), DomainError>;
}

/// What a refresh-token lookup finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshLookup {
    pub session: Session,
    pub used_at: Option<OffsetDateTime>,
}

#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait SessionRepository: Send + Sync {
    /// Stores a new session with its first refresh token, stamps the user's `last_login_at`
    /// and clears the failed-login counters of `clear_throttle`.
    async fn start(
        &self,
        session: &Session,
        refresh: RefreshTokenHash,
        clear_throttle: &[String],
        audit: AuditRecord,
    ) -> Result<(), DomainError>;
    async fn find_by_refresh(&self, hash: RefreshTokenHash) -> Result<Option<RefreshLookup>, DomainError>;
    /// Spends `old` with one conditional UPDATE and stores `new` in the same session.
    /// Returns false when `old` was already spent (nothing is written then).
    async fn rotate(
        &self,
        old: RefreshTokenHash,
        new: RefreshTokenHash,
        session: SessionId,
        now: OffsetDateTime,
        idle_expires_at: OffsetDateTime,
        audit: AuditRecord,
    ) -> Result<bool, DomainError>;
    /// Ends a session; false when it was already ended.
    async fn revoke(
        &self,
        session: SessionId,
        reason: RevokeReason,
        now: OffsetDateTime,
        audit: AuditRecord,
    ) -> Result<bool, DomainError>;
    async fn get(&self, session: SessionId) -> Result<Option<Session>, DomainError>;
    async fn list_for_user(&self, user: UserId, page: PageRequest) -> Result<Page<Session>, DomainError>;
    async fn authz_state(&self, user: UserId, session: SessionId) -> Result<Option<AuthzState>, DomainError>;
}

#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait LoginThrottle: Send + Sync {
    /// The stored counters among `keys` (missing ones have no failures).
    async fn counters(&self, keys: &[String]) -> Result<Vec<Counter>, DomainError>;
    /// For a paced account (by `policy`), takes the one evaluation slot of the next pace
    /// interval; `Some(until)` when another attempt holds it. `None` also when the account is
    /// not paced. Atomic across instances: of two attempts at once, one gets the slot.
    async fn claim_account_slot(
        &self,
        account: &Subject,
        now: OffsetDateTime,
        policy: ThrottlePolicy,
    ) -> Result<Option<OffsetDateTime>, DomainError>;
    /// Counts one failure against each subject (by `policy` and its kind) and writes `audit`,
    /// together.
    async fn record_failure(
        &self,
        subjects: &[Subject],
        now: OffsetDateTime,
        policy: ThrottlePolicy,
        audit: AuditRecord,
    ) -> Result<(), DomainError>;
}

#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    async fn hash(&self, password: &Password) -> Result<String, DomainError>;
    /// Checks `candidate` against `hash`; with no hash it still spends the same time, so an
    /// unknown e-mail cannot be told from a wrong password by timing.
    async fn verify(&self, candidate: &str, hash: Option<String>) -> bool;
}

/// Signs and checks our access tokens.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait AccessTokenCodec: Send + Sync {
    fn issue(&self, claims: &AccessClaims) -> Result<String, TokenError>;
    fn verify(&self, token: &str, now: OffsetDateTime) -> Result<AccessClaims, TokenError>;
}

/// Secrets from a CSPRNG.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait TokenGenerator: Send + Sync {
    fn refresh_token(&self) -> RefreshToken;
    /// A readable random password for generated accounts.
    fn password(&self) -> String;
}
