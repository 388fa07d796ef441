//! `Idempotency-Key` support for create endpoints: a retry with the same key and body replays
//! the first response; the same key with another body is refused; a concurrent duplicate is
//! told the first is still running.

use async_trait::async_trait;

use crate::{DomainError, UserId};

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
    /// First use: the caller runs the request and completes the key, in the same unit of work.
    New,
    /// Seen and finished: answer with this response.
    Replay(StoredResponse),
    /// Seen with another request body.
    Mismatch,
    /// Seen and still running.
    InProgress,
}

/// Remembers the answers of creates by key. Both methods run inside the unit of work of the
/// create they belong to, so the stored answer commits with the create or not at all: a key can
/// never be left taken by a create that committed without its answer, nor by one that failed.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Takes `key` for `user` until the unit of work ends (another request with it meanwhile is
    /// told `InProgress`), or reports what it was already used for.
    async fn begin(
        &self,
        user: UserId,
        key: &str,
        fingerprint: [u8; 32],
    ) -> Result<IdempotencyState, DomainError>;
    /// Stores the answer to replay.
    async fn complete(
        &self,
        user: UserId,
        key: &str,
        fingerprint: [u8; 32],
        response: &StoredResponse,
    ) -> Result<(), DomainError>;
}

/// A key is 1 to 255 visible ASCII characters.
pub fn valid_key(key: &str) -> bool {
    (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}
