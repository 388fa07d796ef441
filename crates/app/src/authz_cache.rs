//! A short per-instance cache in front of the per-request authorisation lookup. PostgreSQL
//! stays the source of truth: an entry lives at most `ttl` (≤ 5 s), so a role change, a
//! disabled user or a revoked session is seen by every instance within that time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use axis_identity::ports::RefreshLookup;
use axis_identity::{AuthzState, RefreshTokenHash, RevokeReason, Session, SessionRepository};
use axis_kernel::{AuditRecord, Page, PageRequest, RepoError, SessionId, UserId};
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
    ) -> Result<(), RepoError> {
        self.inner.start(session, refresh, clear_throttle, audit).await
    }

    async fn find_by_refresh(&self, hash: RefreshTokenHash) -> Result<Option<RefreshLookup>, RepoError> {
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
    ) -> Result<bool, RepoError> {
        self.inner.rotate(old, new, session, now, idle_expires_at, audit).await
    }

    async fn revoke(
        &self,
        session: SessionId,
        reason: RevokeReason,
        now: OffsetDateTime,
        audit: AuditRecord,
    ) -> Result<bool, RepoError> {
        let revoked = self.inner.revoke(session, reason, now, audit).await?;
        self.forget_session(session);
        Ok(revoked)
    }

    async fn get(&self, session: SessionId) -> Result<Option<Session>, RepoError> {
        self.inner.get(session).await
    }

    async fn list_for_user(&self, user: UserId, page: PageRequest) -> Result<Page<Session>, RepoError> {
        self.inner.list_for_user(user, page).await
    }

    async fn authz_state(&self, user: UserId, session: SessionId) -> Result<Option<AuthzState>, RepoError> {
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
