//! `Idempotency-Key` support for create endpoints: a retry with the same key and body replays
//! the first response; the same key with another body is refused; a concurrent duplicate is
//! told the first is still running.

use async_trait::async_trait;

use crate::{RepoError, UserId};

/// How long a key is remembered.
pub const KEY_LIFETIME_HOURS: i64 = 24;

/// A completed response, kept for replays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub body: Vec<u8>,
    pub location: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyState {
    /// First use: the caller runs the request, then completes or abandons the key.
    New,
    /// Seen and finished: answer with this response.
    Replay(StoredResponse),
    /// Seen with another request body.
    Mismatch,
    /// Seen and still running.
    InProgress,
}

#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Claims `key` for `user` with the request's fingerprint, or reports what it was used for.
    async fn begin(
        &self,
        user: UserId,
        key: &str,
        fingerprint: [u8; 32],
    ) -> Result<IdempotencyState, RepoError>;
    async fn complete(&self, user: UserId, key: &str, response: &StoredResponse) -> Result<(), RepoError>;
    /// Releases a key whose request failed, so the client may retry it.
    async fn abandon(&self, user: UserId, key: &str) -> Result<(), RepoError>;
}

/// A key is 1 to 255 visible ASCII characters.
pub fn valid_key(key: &str) -> bool {
    (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}
