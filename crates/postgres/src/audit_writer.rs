//! The audit writer: one audit record's row, written inside the caller's transaction with the
//! jobs it carries (`write_audit`), or as the second half of one statement with an insert
//! (`WithAudit`). Only the audited writes (`audited.rs`) call it.

use axis_kernel::{AuditRecord, DomainError};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::TxError;
use crate::job_queueing::queue_jobs;
use crate::schema::audit_logs;

// Every insertable row writes `None` as NULL rather than DEFAULT: the statement text then
// never varies, so diesel keeps it prepared instead of parsing and planning it per insert.
#[derive(Insertable)]
#[diesel(table_name = audit_logs, treat_none_as_default_value = false)]
pub(crate) struct NewAuditRow<'a> {
    occurred_at: OffsetDateTime,
    action: &'a str,
    outcome: &'a str,
    entity_type: &'a str,
    entity_id: Option<&'a str>,
    actor_user_id: Option<Uuid>,
    actor_label: Option<&'a str>,
    ip: Option<&'a str>,
    user_agent: Option<&'a str>,
    request_id: Option<&'a str>,
    changes: Value,
    details: Value,
}

/// Trims free text to the column's limit so an oversized header can never fail the change.
fn clip(value: Option<&str>, max_chars: usize) -> Option<&str> {
    value.map(|v| match v.char_indices().nth(max_chars) {
        Some((cut, _)) => &v[..cut],
        None => v,
    })
}

pub(crate) fn audit_row(record: &AuditRecord) -> Result<NewAuditRow<'_>, DomainError> {
    let changes = serde_json::to_value(&record.changes).map_err(|e| DomainError::Internal(e.into()))?;
    Ok(NewAuditRow {
        occurred_at: record.occurred_at,
        action: &record.action,
        outcome: record.outcome.as_str(),
        entity_type: &record.entity_type,
        entity_id: clip(record.entity_id.as_deref(), 100),
        actor_user_id: record.actor_user_id,
        actor_label: clip(record.actor_label.as_deref(), 320),
        ip: clip(record.ip.as_deref(), 64),
        user_agent: clip(record.user_agent.as_deref(), 512),
        request_id: clip(record.request_id.as_deref(), 128),
        changes,
        details: record.details.clone(),
    })
}

/// Writes `record`, and queues the jobs it carries, on `conn`, which is inside the caller's
/// transaction.
pub(crate) async fn write_audit(conn: &mut AsyncPgConnection, record: &AuditRecord) -> Result<(), TxError> {
    let row = audit_row(record)?;
    diesel::insert_into(audit_logs::table).values(&row).execute(conn).await?;
    queue_jobs(conn, &record.jobs).await?;
    Ok(())
}

/// `WITH change AS (<insert>) <audit insert>`: see `audited::insert_with_audit`.
pub(crate) struct WithAudit<I, A> {
    pub insert: I,
    pub audit: A,
}

impl<I: QueryFragment<Pg>, A: QueryFragment<Pg>> QueryFragment<Pg> for WithAudit<I, A> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("WITH change AS (");
        self.insert.walk_ast(out.reborrow())?;
        out.push_sql(") ");
        self.audit.walk_ast(out.reborrow())
    }
}

// A static id when both parts have one, so the prepared statement is found by type rather than
// by hashing and comparing the statement's text (870 bytes for a client) on every insert.
impl<I: QueryId, A: QueryId> QueryId for WithAudit<I, A> {
    type QueryId = WithAudit<I::QueryId, A::QueryId>;
    const HAS_STATIC_QUERY_ID: bool = I::HAS_STATIC_QUERY_ID && A::HAS_STATIC_QUERY_ID;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn audit_row() -> NewAuditRow<'static> {
        NewAuditRow {
            occurred_at: OffsetDateTime::UNIX_EPOCH,
            action: "client.create",
            outcome: "success",
            entity_type: "client",
            entity_id: None,
            actor_user_id: None,
            actor_label: None,
            ip: None,
            user_agent: None,
            request_id: None,
            changes: Value::Null,
            details: Value::Null,
        }
    }

    #[test]
    fn the_audit_insert_has_one_text_so_it_stays_prepared() {
        let row = audit_row();
        let insert = diesel::insert_into(audit_logs::table).values(&row);
        assert!(matches!(insert.is_safe_to_cache_prepared(&Pg), Ok(true)));
    }

    fn statement_has_static_id<T: QueryId>(_: &T) -> bool {
        T::HAS_STATIC_QUERY_ID
    }

    #[test]
    fn an_insert_with_its_audit_is_one_prepared_statement() {
        use crate::schema::client_live_counts;
        let row = audit_row();
        let statement = WithAudit {
            insert: diesel::insert_into(client_live_counts::table)
                .values((client_live_counts::slot.eq(1_i16), client_live_counts::n.eq(0_i64))),
            audit: diesel::insert_into(audit_logs::table).values(&row),
        };
        assert!(matches!(statement.is_safe_to_cache_prepared(&Pg), Ok(true)));
        assert!(statement_has_static_id(&statement), "cached by type, not by text");
        let sql = diesel::debug_query::<Pg, _>(&statement).to_string();
        assert!(
            sql.starts_with(
                "WITH change AS (INSERT INTO \"client_live_counts\" (\"slot\", \"n\") VALUES ($1, $2)) \
                 INSERT INTO \"audit_logs\" (\"occurred_at\""
            ),
            "{sql}"
        );
        assert!(sql.contains("-- binds: [1, 0, "), "the insert's values bind first: {sql}");
    }
}
