use axis_kernel::{AuditOutcome, FieldChange};
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

/// An audit row as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub id: i64,
    /// The id of the transaction that wrote it: the chain is ordered by (txid, id).
    pub txid: i64,
    pub occurred_at: OffsetDateTime,
    pub action: String,
    pub outcome: AuditOutcome,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub actor_user_id: Option<Uuid>,
    pub actor_label: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    pub changes: Vec<FieldChange>,
    pub details: Value,
    /// Position in the hash chain, once sealed.
    pub chain_seq: Option<i64>,
}

/// An audit row exactly as stored: its JSON columns as the text PostgreSQL prints for them.
/// What the chain hashes; [`StoredEntry::parse`] gives the display form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    pub id: i64,
    pub txid: i64,
    pub occurred_at: OffsetDateTime,
    pub action: String,
    pub outcome: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub actor_user_id: Option<Uuid>,
    pub actor_label: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    pub changes_json: String,
    pub details_json: String,
    pub chain_seq: Option<i64>,
}

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
