//! The audit trail: stored entries, how they are queried, and the hash chain that makes any
//! edit, deletion or reordering of sealed entries detectable.

pub mod chain;
pub mod model;
pub mod ports;
pub mod service;

pub use chain::{ChainBreak, ChainLink, GENESIS_HASH, HashVersion, VerifyReport};
pub use model::{AuditEntry, AuditFilter, AuditHeader, StoredEntry};
pub use ports::{AuditChainStore, AuditLogReader, SealOutcome};
pub use service::{AuditError, AuditService};
