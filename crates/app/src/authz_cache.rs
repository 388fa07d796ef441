//! Per-instance caches on the per-request path: verified tokens, and a short cache in front of
//! the authorisation lookup. PostgreSQL stays the source of truth: an authorisation entry lives
//! at most `ttl` (≤ 5 s), so a role change, a disabled user or a revoked session is seen by
//! every instance within that time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use axis_identity::ports::RefreshLookup;
use axis_identity::{
    AccessClaims, AccessTokenCodec, AuthzState, RefreshTokenHash, RevokeReason, Session, SessionRepository,
    TokenError,
};
use axis_kernel::{AuditRecord, DomainError, Page, PageRequest, SessionId, UserId};
use time::OffsetDateTime;

/// Beyond this many entries the cache is cleared rather than grown.
const MAX_ENTRIES: usize = 50_000;

type Entries = HashMap<(UserId, SessionId), (Instant, Option<AuthzState>)>;

pub struct CachedSessions {
    inner: Arc<dyn SessionRepository>,
    ttl: Duration,
    entries: Mutex<Entries>,
}

impl CachedSessions {
    pub fn new(inner: Arc<dyn SessionRepository>, ttl: Duration) -> Self {
        Self { inner, ttl, entries: Mutex::new(HashMap::new()) }
    }

    fn cached(&self, key: &(UserId, SessionId)) -> Option<Option<AuthzState>> {
        let entries = self.entries.lock().ok()?;
        entries.get(key).filter(|(at, _)| at.elapsed() < self.ttl).map(|(_, state)| state.clone())
    }

    fn store(&self, key: (UserId, SessionId), state: Option<AuthzState>) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(key, (Instant::now(), state));
        }
    }

    /// A session ended through this instance is refused here at once, not after the TTL.
    fn forget_session(&self, session: SessionId) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|(_, sid), _| *sid != session);
        }
    }
}

#[async_trait]
impl SessionRepository for CachedSessions {
    async fn start(
        &self,
        session: &Session,
        refresh: RefreshTokenHash,
        clear_throttle: &[String],
        audit: AuditRecord,
    ) -> Result<(), DomainError> {
        self.inner.start(session, refresh, clear_throttle, audit).await
    }

    async fn find_by_refresh(&self, hash: RefreshTokenHash) -> Result<Option<RefreshLookup>, DomainError> {
        self.inner.find_by_refresh(hash).await
    }

    async fn rotate(
        &self,
        old: RefreshTokenHash,
        new: RefreshTokenHash,
        session: SessionId,
        now: OffsetDateTime,
        idle_expires_at: OffsetDateTime,
        audit: AuditRecord,
    ) -> Result<bool, DomainError> {
        self.inner.rotate(old, new, session, now, idle_expires_at, audit).await
    }

    async fn revoke(
        &self,
        session: SessionId,
        reason: RevokeReason,
        now: OffsetDateTime,
        audit: AuditRecord,
    ) -> Result<bool, DomainError> {
        let revoked = self.inner.revoke(session, reason, now, audit).await?;
        self.forget_session(session);
        Ok(revoked)
    }

    async fn get(&self, session: SessionId) -> Result<Option<Session>, DomainError> {
        self.inner.get(session).await
    }

    async fn list_for_user(&self, user: UserId, page: PageRequest) -> Result<Page<Session>, DomainError> {
        self.inner.list_for_user(user, page).await
    }

    async fn authz_state(&self, user: UserId, session: SessionId) -> Result<Option<AuthzState>, DomainError> {
        if self.ttl.is_zero() {
            return self.inner.authz_state(user, session).await;
        }
        let key = (user, session);
        if let Some(state) = self.cached(&key) {
            return Ok(state);
        }
        let state = self.inner.authz_state(user, session).await?;
        self.store(key, state.clone());
        Ok(state)
    }
}

/// Remembers tokens whose signature and claims were verified, so a client's repeated requests
/// do not pay for an Ed25519 verification each time. Expiry is re-checked on every hit; the
/// user's and session's state is still checked per request through [`CachedSessions`].
pub struct CachedTokens {
    inner: Arc<dyn AccessTokenCodec>,
    leeway_secs: i64,
    verified: Mutex<HashMap<String, AccessClaims>>,
}

impl CachedTokens {
    pub fn new(inner: Arc<dyn AccessTokenCodec>, leeway_secs: i64) -> Self {
        Self { inner, leeway_secs, verified: Mutex::new(HashMap::new()) }
    }
}

impl AccessTokenCodec for CachedTokens {
    fn issue(&self, claims: &AccessClaims) -> Result<String, TokenError> {
        self.inner.issue(claims)
    }

    fn verify(&self, token: &str, now: OffsetDateTime) -> Result<AccessClaims, TokenError> {
        let now_secs = now.unix_timestamp();
        let still_valid =
            |c: &AccessClaims| now_secs <= c.exp + self.leeway_secs && c.nbf <= now_secs + self.leeway_secs;
        if let Some(claims) = self.verified.lock().ok().and_then(|m| m.get(token).cloned())
            && still_valid(&claims)
        {
            return Ok(claims);
        }
        let claims = self.inner.verify(token, now)?;
        if let Ok(mut verified) = self.verified.lock() {
            if verified.len() >= MAX_ENTRIES {
                verified.retain(|_, c| still_valid(c));
                if verified.len() >= MAX_ENTRIES {
                    verified.clear();
                }
            }
            verified.insert(token.to_owned(), claims.clone());
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use axis_kernel::{Role, SessionId, UserId};

    use super::*;

    /// Accepts any token until `exp`, counting how often it is asked.
    struct CountingCodec {
        calls: AtomicUsize,
        exp: i64,
    }

    impl AccessTokenCodec for CountingCodec {
        fn issue(&self, _: &AccessClaims) -> Result<String, TokenError> {
            Err(TokenError::Signing)
        }

        fn verify(&self, _: &str, now: OffsetDateTime) -> Result<AccessClaims, TokenError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            if now.unix_timestamp() > self.exp {
                return Err(TokenError::Invalid("expired"));
            }
            Ok(AccessClaims {
                sub: UserId::new(),
                sid: SessionId::new(),
                role: Role::Viewer,
                ver: 1,
                jti: uuid::Uuid::now_v7(),
                iat: 0,
                nbf: 0,
                exp: self.exp,
            })
        }
    }

    fn at(secs: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(secs).unwrap()
    }

    #[test]
    fn verified_tokens_are_remembered_until_they_expire() {
        let inner = Arc::new(CountingCodec { calls: AtomicUsize::new(0), exp: 1_000 });
        let cached = CachedTokens::new(inner.clone(), 0);
        assert!(cached.verify("t", at(900)).is_ok());
        assert!(cached.verify("t", at(950)).is_ok());
        assert_eq!(inner.calls.load(Ordering::SeqCst), 1, "the second check is a cache hit");
        assert!(cached.verify("other", at(950)).is_ok());
        assert_eq!(inner.calls.load(Ordering::SeqCst), 2, "another token is verified on its own");
        assert!(cached.verify("t", at(1_001)).is_err(), "an expired token is never served from the cache");
        assert_eq!(inner.calls.load(Ordering::SeqCst), 3);
    }
}
