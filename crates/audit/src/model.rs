use axis_kernel::{AuditOutcome, FieldChange};
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

/// The columns every audit row has and both of its forms share: who did what, when, to what,
/// from where, and where the row sits in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditHeader {
    pub id: i64,
    /// The id of the transaction that wrote it: the chain is ordered by (txid, id).
    pub txid: i64,
    pub occurred_at: OffsetDateTime,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub actor_user_id: Option<Uuid>,
    pub actor_label: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    /// Position in the hash chain, once sealed.
    pub chain_seq: Option<i64>,
}

/// An audit row for display, its JSON columns parsed. Its header's fields read through `Deref`.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub header: AuditHeader,
    pub outcome: AuditOutcome,
    pub changes: Vec<FieldChange>,
    pub details: Value,
}

/// An audit row exactly as stored: its JSON columns as the text PostgreSQL prints for them.
/// What the chain hashes; [`StoredEntry::parse`] gives the display form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    pub header: AuditHeader,
    pub outcome: String,
    pub changes_json: String,
    pub details_json: String,
}

macro_rules! reads_its_header {
    ($($entry:ty),*) => {$(
        impl std::ops::Deref for $entry {
            type Target = AuditHeader;

            fn deref(&self) -> &AuditHeader {
                &self.header
            }
        }

        impl std::ops::DerefMut for $entry {
            fn deref_mut(&mut self) -> &mut AuditHeader {
                &mut self.header
            }
        }
    )*};
}

reads_its_header!(AuditEntry, StoredEntry);

/// Filters of the audit-log list; every one is optional and they combine with AND.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub actor_user_id: Option<Uuid>,
    pub action: Option<String>,
    pub from: Option<OffsetDateTime>,
    pub to: Option<OffsetDateTime>,
}
