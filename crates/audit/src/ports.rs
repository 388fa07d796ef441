use async_trait::async_trait;
use axis_kernel::{DomainError, Page, PageRequest};

use crate::{AuditEntry, AuditFilter, ChainLink, StoredEntry};

/// Reads the audit trail.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait AuditLogReader: Send + Sync {
    /// Entries matching `filter`, newest first.
    async fn list(&self, filter: &AuditFilter, page: PageRequest) -> Result<Page<AuditEntry>, DomainError>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SealOutcome {
    pub sealed: u64,
    pub head_seq: i64,
    pub head_hash: [u8; 32],
}

/// Seals committed entries into the chain and reads the chain back for verification.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait AuditChainStore: Send + Sync {
    /// Appends links for up to `limit` entries whose writing transactions have all ended, in
    /// (txid, id) order. Safe to run from several processes at once: sealers take turns.
    async fn seal_pending(&self, limit: u32) -> Result<SealOutcome, DomainError>;

    /// Links with `seq > after`, in order, each with the entry it names if that still exists.
    async fn links_after(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(ChainLink, Option<StoredEntry>)>, DomainError>;

    /// Ids of entries without a link that sort before the last link: they cannot have been
    /// written before sealing and so were inserted behind the sealer's back.
    async fn unsealed_behind_horizon(&self, limit: u32) -> Result<Vec<i64>, DomainError>;

    /// How long the oldest committed entry has waited to be sealed (zero when none waits).
    async fn sealing_lag(&self) -> Result<std::time::Duration, DomainError>;
}
