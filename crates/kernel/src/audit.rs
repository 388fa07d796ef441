//! The audit record every mutating use case builds and hands to its port, which writes it
//! in the same transaction as the change.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use crate::Actor;
use crate::jobs::NewJob;

crate::string_enum! {
    /// Whether the audited action happened or was refused.
    pub enum AuditOutcome { Success => "success", Failure => "failure" }
}

/// One changed field with its value before and after (`null` when absent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub old: Value,
    pub new: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    /// Dotted verb, e.g. `user.create`, `auth.login`.
    pub action: String,
    pub outcome: AuditOutcome,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub actor_user_id: Option<uuid::Uuid>,
    pub actor_label: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    pub changes: Vec<FieldChange>,
    pub details: Value,
    pub occurred_at: OffsetDateTime,
    /// Jobs the change asks for, queued in its transaction.
    pub jobs: Vec<NewJob>,
}

impl AuditRecord {
    /// A successful action by `actor` on one entity.
    pub fn new(
        actor: &Actor,
        action: impl Into<String>,
        entity_type: impl Into<String>,
        entity_id: Option<String>,
        occurred_at: OffsetDateTime,
    ) -> Self {
        Self {
            action: action.into(),
            outcome: AuditOutcome::Success,
            entity_type: entity_type.into(),
            entity_id,
            actor_user_id: actor.user_id.map(|id| id.0),
            actor_label: Some(actor.label.clone()),
            ip: actor.context.ip.clone(),
            user_agent: actor.context.user_agent.clone(),
            request_id: actor.context.request_id.clone(),
            changes: Vec::new(),
            details: Value::Object(Default::default()),
            occurred_at,
            jobs: Vec::new(),
        }
    }

    pub fn failed(mut self) -> Self {
        self.outcome = AuditOutcome::Failure;
        self
    }

    pub fn with_changes(mut self, changes: Vec<FieldChange>) -> Self {
        self.changes = changes;
        self
    }

    /// Queues `job` with the change: it exists only if the change commits.
    pub fn queue(mut self, job: NewJob) -> Self {
        self.jobs.push(job);
        self
    }

    pub fn with_detail(mut self, key: &str, value: impl Into<Value>) -> Self {
        if let Value::Object(map) = &mut self.details {
            map.insert(key.to_owned(), value.into());
        }
        self
    }
}

/// An entity whose changes are audited: how its records name it, and the view they compare.
pub trait Audited {
    /// `entity_type` of its records, e.g. `client_contact`.
    const ENTITY_TYPE: &'static str;
    /// The prefix of its actions: `client.contact` gives `client.contact.create`, `….update`, ….
    const ACTIONS: &'static str;
    fn audit_id(&self) -> String;
    /// The fields a record compares, as a JSON object.
    fn audit_view(&self) -> Value;
    /// Whether no record stores the values of `field` (person data): a change names the field
    /// with `null` before and after, so erasing the person leaves none of it in the trail.
    fn withholds(field: &str) -> bool {
        let _ = field;
        false
    }
    /// Details every record of it carries, such as the client a contact belongs to.
    fn audit_details(&self) -> Vec<(&'static str, Value)> {
        Vec::new()
    }
}

/// `changes` with the values of `E`'s withheld fields blanked.
fn withhold<E: Audited>(changes: Vec<FieldChange>) -> Vec<FieldChange> {
    changes
        .into_iter()
        .map(|change| {
            if E::withholds(&change.field) {
                FieldChange { field: change.field, old: Value::Null, new: Value::Null }
            } else {
                change
            }
        })
        .collect()
}

impl AuditRecord {
    /// `<entity_type>.read`: `actor` was shown the entities `ids` (person data, whose every
    /// read is on record). A read of one names it as its entity; a read of several lists them
    /// as `ids`, which the trail's entity filter also searches ("who looked at this person").
    pub fn read(actor: &Actor, entity_type: &str, ids: Vec<String>, at: OffsetDateTime) -> Self {
        let action = format!("{entity_type}.read");
        match <[String; 1]>::try_from(ids) {
            Ok([one]) => AuditRecord::new(actor, action, entity_type, Some(one), at),
            Err(several) => {
                AuditRecord::new(actor, action, entity_type, None, at).with_detail("ids", several)
            }
        }
    }
}

/// Writes `record` of a read before its data is answered: if it cannot be written, the read is
/// refused as `Unavailable` (503) rather than answered unrecorded.
pub async fn record_read(trail: &dyn AuditTrail, record: &AuditRecord) -> Result<(), crate::DomainError> {
    trail.record(record).await.map_err(|_| crate::DomainError::Unavailable)
}

/// Writes a record that goes with no change of data: a read of person data. An error means
/// the record was not written, and the read must not be answered.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait::async_trait]
pub trait AuditTrail: Send + Sync {
    async fn record(&self, record: &AuditRecord) -> Result<(), crate::DomainError>;
}

impl AuditRecord {
    /// `<actions>.<verb>` on `entity`, with its details and no changes yet.
    pub fn action<E: Audited>(actor: &Actor, verb: &str, entity: &E, at: OffsetDateTime) -> Self {
        let record = AuditRecord::new(
            actor,
            format!("{}.{verb}", E::ACTIONS),
            E::ENTITY_TYPE,
            Some(entity.audit_id()),
            at,
        );
        entity.audit_details().into_iter().fold(record, |record, (key, value)| record.with_detail(key, value))
    }

    /// `<actions>.create`, every field a change from `null`.
    pub fn created<E: Audited>(actor: &Actor, entity: &E, at: OffsetDateTime) -> Self {
        Self::action(actor, "create", entity, at).with_changes(withhold::<E>(created(&entity.audit_view())))
    }

    /// `<actions>.<verb>` from `before` to `after`, or `None` when no audited field changed
    /// (then there is nothing to write either).
    pub fn changed<E: Audited>(
        actor: &Actor,
        verb: &str,
        before: &E,
        after: &E,
        at: OffsetDateTime,
    ) -> Option<Self> {
        let changes = withhold::<E>(diff(&before.audit_view(), &after.audit_view()));
        (!changes.is_empty()).then(|| Self::action(actor, verb, after, at).with_changes(changes))
    }

    /// `<actions>.<verb>` with the fields that changed, or with none when the action changed
    /// no audited field (an action is recorded either way).
    pub fn changed_or_action<E: Audited>(
        actor: &Actor,
        verb: &str,
        before: &E,
        after: &E,
        at: OffsetDateTime,
    ) -> Self {
        Self::changed(actor, verb, before, after, at).unwrap_or_else(|| Self::action(actor, verb, after, at))
    }

    /// `<actions>.delete`, every field a change to `null`.
    pub fn deleted<E: Audited>(actor: &Actor, entity: &E, at: OffsetDateTime) -> Self {
        Self::action(actor, "delete", entity, at)
            .with_changes(withhold::<E>(diff(&entity.audit_view(), &Value::Null)))
    }
}

/// Field-level differences between two JSON objects (the audit views of an entity before and
/// after a change). Fields present on one side only compare against `null`.
pub fn diff(old: &Value, new: &Value) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let old_fields = old.as_object().unwrap_or(&empty);
    let new_fields = new.as_object().unwrap_or(&empty);
    let mut names: Vec<&String> = old_fields.keys().chain(new_fields.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter_map(|name| {
            let before = old_fields.get(name).cloned().unwrap_or(Value::Null);
            let after = new_fields.get(name).cloned().unwrap_or(Value::Null);
            (before != after).then(|| FieldChange { field: name.clone(), old: before, new: after })
        })
        .collect()
}

/// Every field of a new entity as a change from `null`.
pub fn created(new: &Value) -> Vec<FieldChange> {
    diff(&Value::Null, new)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn diff_lists_only_changed_fields() {
        let changes = diff(&json!({"a": 1, "b": "x", "c": null}), &json!({"a": 1, "b": "y", "d": true}));
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["b", "d"]);
        assert_eq!(changes[0].old, json!("x"));
        assert_eq!(changes[0].new, json!("y"));
        assert_eq!(changes[1].old, Value::Null);
    }

    #[test]
    fn created_lists_every_field() {
        assert_eq!(created(&json!({"a": 1, "b": 2})).len(), 2);
    }
}
