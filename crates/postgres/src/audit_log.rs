//! The audit trail: writing records inside other transactions, listing them, and sealing
//! committed records into the hash chain.

use async_trait::async_trait;
use axis_audit::chain::link_hash_v2;
use axis_audit::{
    AuditChainStore, AuditEntry, AuditFilter, AuditHeader, AuditLogReader, ChainLink, GENESIS_HASH,
    HashVersion, SealOutcome, StoredEntry,
};
use axis_kernel::{AuditRecord, DomainError, Page, PageRequest};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Array, BigInt, Nullable, Text, Timestamptz};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::Database;
use crate::error::{TxError, finish, map_diesel, unexpected};
use crate::jobs::queue_jobs;
use crate::schema::{audit_chain, audit_logs};

// Every insertable row writes `None` as NULL rather than DEFAULT: the statement text then
// never varies, so diesel keeps it prepared instead of parsing and planning it per insert.
#[derive(Insertable)]
#[diesel(table_name = audit_logs, treat_none_as_default_value = false)]
struct NewAuditRow<'a> {
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

fn audit_row(record: &AuditRecord) -> Result<NewAuditRow<'_>, DomainError> {
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

/// A record that goes with no change (a read of person data): one statement, atomic on its
/// own, so one round trip instead of three (BEGIN, insert, COMMIT). A record that queues jobs
/// writes them in one transaction with it.
pub(crate) async fn record_alone(db: &Database, record: &AuditRecord) -> Result<(), DomainError> {
    if !record.jobs.is_empty() {
        return crate::audited::audited(db, record, async |_| Ok(())).await;
    }
    let row = audit_row(record)?;
    let mut conn = db.conn().await?;
    diesel::insert_into(audit_logs::table).values(&row).execute(&mut *conn).await.map_err(map_diesel)?;
    Ok(())
}

/// An insert and its audit row as one statement: `WITH change AS (<insert>) INSERT INTO
/// audit_logs …`. A statement is atomic and PostgreSQL runs a data-modifying WITH exactly once,
/// so the pair needs no explicit transaction: one round trip instead of four (BEGIN, insert,
/// audit, COMMIT). Only for inserts that either add their row or fail: the audit row is
/// written whatever the WITH part affected.
pub(crate) async fn insert_with_audit<I>(
    conn: &mut AsyncPgConnection,
    insert: I,
    record: &AuditRecord,
) -> Result<(), DomainError>
where
    I: QueryFragment<Pg> + QueryId + Send + Sync,
{
    if !record.jobs.is_empty() {
        // Jobs are more statements: the insert, its audit row and its jobs share a transaction.
        #[expect(clippy::disallowed_methods, reason = "an audited insert that also queues jobs")]
        let result = conn
            .transaction(async move |conn| {
                insert.execute(conn).await?;
                write_audit(conn, record).await
            })
            .await;
        return result.map_err(|error| match error {
            TxError::Repo(error) => error,
            TxError::Abort => DomainError::NotFound,
        });
    }
    let row = audit_row(record)?;
    let statement = WithAudit { insert, audit: diesel::insert_into(audit_logs::table).values(&row) };
    statement.execute(conn).await.map_err(map_diesel)?;
    Ok(())
}

struct WithAudit<I, A> {
    insert: I,
    audit: A,
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

/// The columns of an audit row as stored, JSON as the text PostgreSQL prints for it: reading
/// it never fails on content.
const STORED_COLUMNS: &str = "a.id, a.txid, a.occurred_at, a.action, a.outcome, a.entity_type, \
     a.entity_id, a.actor_user_id, a.actor_label, a.ip, a.user_agent, a.request_id, \
     a.changes::text AS changes_json, a.details::text AS details_json";

/// Read by name from raw SQL (`STORED_COLUMNS`) and as a selection of the query builder, where
/// the JSON columns are selected as text too.
#[derive(QueryableByName, Queryable, Selectable)]
#[diesel(table_name = audit_logs)]
struct StoredRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    txid: i64,
    #[diesel(sql_type = Timestamptz)]
    occurred_at: OffsetDateTime,
    #[diesel(sql_type = Text)]
    action: String,
    #[diesel(sql_type = Text)]
    outcome: String,
    #[diesel(sql_type = Text)]
    entity_type: String,
    #[diesel(sql_type = Nullable<Text>)]
    entity_id: Option<String>,
    #[diesel(sql_type = Nullable<diesel::sql_types::Uuid>)]
    actor_user_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    actor_label: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    ip: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    user_agent: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    request_id: Option<String>,
    #[diesel(sql_type = Text)]
    #[diesel(select_expression = diesel::dsl::sql::<Text>("audit_logs.changes::text"))]
    #[diesel(select_expression_type = diesel::expression::SqlLiteral<Text>)]
    changes_json: String,
    #[diesel(sql_type = Text)]
    #[diesel(select_expression = diesel::dsl::sql::<Text>("audit_logs.details::text"))]
    #[diesel(select_expression_type = diesel::expression::SqlLiteral<Text>)]
    details_json: String,
}

impl StoredRow {
    fn into_stored(self, chain_seq: Option<i64>) -> StoredEntry {
        let header = AuditHeader {
            id: self.id,
            txid: self.txid,
            occurred_at: self.occurred_at,
            action: self.action,
            entity_type: self.entity_type,
            entity_id: self.entity_id,
            actor_user_id: self.actor_user_id,
            actor_label: self.actor_label,
            ip: self.ip,
            user_agent: self.user_agent,
            request_id: self.request_id,
            chain_seq,
        };
        StoredEntry {
            header,
            outcome: self.outcome,
            changes_json: self.changes_json,
            details_json: self.details_json,
        }
    }
}

/// Audit-log reader and chain store on PostgreSQL.
#[derive(Clone)]
pub struct PgAuditLog {
    db: Database,
}

impl PgAuditLog {
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

type FilteredAudit<'a> = diesel::dsl::IntoBoxed<
    'a,
    diesel::dsl::LeftJoinOn<
        audit_logs::table,
        audit_chain::table,
        diesel::dsl::Eq<audit_chain::audit_id, audit_logs::id>,
    >,
    diesel::pg::Pg,
>;

fn filtered(filter: &AuditFilter) -> FilteredAudit<'_> {
    let mut query = audit_logs::table
        .left_join(audit_chain::table.on(audit_chain::audit_id.eq(audit_logs::id)))
        .into_boxed();
    match (&filter.entity_type, &filter.entity_id) {
        (entity_type, Some(id)) => query = query.filter(concerning(entity_type.as_deref(), id)),
        (Some(entity_type), None) => query = query.filter(audit_logs::entity_type.eq(entity_type)),
        (None, None) => {}
    }
    if let Some(v) = filter.actor_user_id {
        query = query.filter(audit_logs::actor_user_id.eq(v));
    }
    if let Some(v) = &filter.action {
        query = query.filter(audit_logs::action.eq(v));
    }
    if let Some(v) = filter.from {
        query = query.filter(audit_logs::occurred_at.ge(v));
    }
    if let Some(v) = filter.to {
        query = query.filter(audit_logs::occurred_at.lt(v));
    }
    query
}

/// Records about entity `id` (of `entity_type`, when given): those naming it as their entity,
/// and the reads of person data that showed it among others — a list's `details.ids`, a
/// family's or a batch's `staff_ids` and `beneficiary_ids`, which one partial index keeps
/// (`audit_people_shown`, migration 000020; the condition repeats the index's own so that the
/// planner may use it). Person ids are UUIDs, so a shown id is that person whatever the list.
/// "Who looked at this person" is one filter.
fn concerning(
    entity_type: Option<&str>,
    id: &str,
) -> Box<dyn BoxableExpression<AuditJoin, Pg, SqlType = diesel::sql_types::Bool>> {
    let shown = diesel::dsl::sql::<diesel::sql_types::Bool>(
        "(audit_logs.details ?| ARRAY['ids', 'staff_ids', 'beneficiary_ids'] \
         AND audit_people_shown(audit_logs.details) @> jsonb_build_array(",
    )
    .bind::<Text, _>(id.to_owned())
    .sql("::text))");
    let named = audit_logs::entity_id.eq(id.to_owned());
    match entity_type {
        None => Box::new(named.or(shown).assume_not_null()),
        Some(kind) => {
            Box::new(audit_logs::entity_type.eq(kind.to_owned()).and(named).or(shown).assume_not_null())
        }
    }
}

type AuditJoin = diesel::helper_types::LeftJoinQuerySource<
    audit_logs::table,
    audit_chain::table,
    diesel::dsl::Eq<audit_chain::audit_id, audit_logs::id>,
>;

#[async_trait]
impl AuditLogReader for PgAuditLog {
    async fn list(&self, filter: &AuditFilter, page: PageRequest) -> Result<Page<AuditEntry>, DomainError> {
        let mut conn = self.db.conn().await?;
        let total: i64 = filtered(filter).count().get_result(&mut *conn).await.map_err(map_diesel)?;
        let rows: Vec<(StoredRow, Option<i64>)> = filtered(filter)
            .select((StoredRow::as_select(), audit_chain::seq.nullable()))
            .order(audit_logs::id.desc())
            .limit(i64::from(page.limit()))
            .offset(page.offset() as i64)
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        // Displayed leniently: a row whose JSON no longer reads as written still lists.
        let items = rows.into_iter().map(|(row, seq)| row.into_stored(seq).display()).collect();
        Ok(Page::new(items, total.unsigned_abs(), page))
    }
}

/// Any fixed number: the key of the advisory lock that lets one sealer run at a time.
const SEALER_LOCK_KEY: i64 = 0x00A1_5A0D_17C4_A1A5;

#[derive(Queryable, Selectable)]
#[diesel(table_name = audit_chain)]
struct LinkRow {
    seq: i64,
    audit_id: i64,
    txid: i64,
    hash: Vec<u8>,
    hash_version: i16,
}

impl LinkRow {
    fn hash(&self) -> Result<[u8; 32], DomainError> {
        self.hash
            .as_slice()
            .try_into()
            .map_err(|_| unexpected(format!("link {} has a malformed hash", self.seq)))
    }

    fn link(&self) -> Result<ChainLink, DomainError> {
        let version = HashVersion::from_number(self.hash_version).ok_or_else(|| {
            unexpected(format!("link {} has unknown hash version {}", self.seq, self.hash_version))
        })?;
        Ok(ChainLink { seq: self.seq, audit_id: self.audit_id, hash: self.hash()?, version })
    }
}

#[derive(Insertable)]
#[diesel(table_name = audit_chain)]
struct NewLink {
    seq: i64,
    audit_id: i64,
    txid: i64,
    hash: Vec<u8>,
    hash_version: i16,
}

async fn last_link(conn: &mut AsyncPgConnection) -> Result<Option<LinkRow>, TxError> {
    Ok(audit_chain::table
        .select(LinkRow::as_select())
        .order(audit_chain::seq.desc())
        .first(conn)
        .await
        .optional()?)
}

#[async_trait]
impl AuditChainStore for PgAuditLog {
    async fn seal_pending(&self, limit: u32) -> Result<SealOutcome, DomainError> {
        let mut conn = self.db.conn().await?;
        #[expect(
            clippy::disallowed_methods,
            reason = "sealing is the audit log's own bookkeeping: it changes no data and has no audit row"
        )]
        let result = conn
            .transaction(async |conn| {
                // Sealers take turns; the statement timeout bounds the wait.
                diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
                    .bind::<BigInt, _>(SEALER_LOCK_KEY)
                    .execute(conn)
                    .await?;
                let last = last_link(conn).await?;
                let (after_txid, after_id) = last.as_ref().map_or((-1, -1), |l| (l.txid, l.audit_id));
                // Every transaction below this statement's snapshot xmin has ended, so rows
                // below it can no longer appear: sealing them in (txid, id) order never needs
                // revisiting, and writers never wait for the sealer.
                let rows: Vec<StoredRow> = diesel::sql_query(format!(
                    "SELECT {STORED_COLUMNS} FROM audit_logs a \
                     WHERE (a.txid, a.id) > ($1, $2) \
                     AND a.txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint \
                     ORDER BY a.txid, a.id LIMIT $3"
                ))
                .bind::<BigInt, _>(after_txid)
                .bind::<BigInt, _>(after_id)
                .bind::<BigInt, _>(i64::from(limit))
                .load(conn)
                .await?;
                let (mut seq, mut previous) = match &last {
                    Some(link) => (link.seq, link.hash()?),
                    None => (0, GENESIS_HASH),
                };
                let mut links = Vec::with_capacity(rows.len());
                for row in rows {
                    // Over the stored text: no row's content can stop the chain.
                    let entry = row.into_stored(None);
                    previous = link_hash_v2(&previous, &entry);
                    seq += 1;
                    links.push(NewLink {
                        seq,
                        audit_id: entry.id,
                        txid: entry.txid,
                        hash: previous.to_vec(),
                        hash_version: HashVersion::CURRENT.number(),
                    });
                }
                if !links.is_empty() {
                    diesel::insert_into(audit_chain::table).values(&links).execute(conn).await?;
                }
                Ok(SealOutcome { sealed: links.len() as u64, head_seq: seq, head_hash: previous })
            })
            .await;
        finish(result, SealOutcome { sealed: 0, head_seq: 0, head_hash: GENESIS_HASH })
    }

    async fn links_after(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(ChainLink, Option<StoredEntry>)>, DomainError> {
        let mut conn = self.db.conn().await?;
        let links: Vec<LinkRow> = audit_chain::table
            .filter(audit_chain::seq.gt(after))
            .order(audit_chain::seq.asc())
            .limit(i64::from(limit))
            .select(LinkRow::as_select())
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        let ids: Vec<i64> = links.iter().map(|link| link.audit_id).collect();
        let rows: Vec<StoredRow> =
            diesel::sql_query(format!("SELECT {STORED_COLUMNS} FROM audit_logs a WHERE a.id = ANY($1)"))
                .bind::<Array<BigInt>, _>(&ids)
                .load(&mut *conn)
                .await
                .map_err(map_diesel)?;
        let mut entries: std::collections::HashMap<i64, StoredRow> =
            rows.into_iter().map(|row| (row.id, row)).collect();
        links
            .into_iter()
            .map(|link| {
                let entry = entries.remove(&link.audit_id).map(|row| row.into_stored(Some(link.seq)));
                Ok((link.link()?, entry))
            })
            .collect()
    }

    async fn unsealed_behind_horizon(&self, limit: u32) -> Result<Vec<i64>, DomainError> {
        #[derive(QueryableByName)]
        struct Id {
            #[diesel(sql_type = BigInt)]
            id: i64,
        }
        let mut conn = self.db.conn().await?;
        let ids: Vec<Id> = diesel::sql_query(
            "SELECT a.id FROM audit_logs a \
             WHERE (a.txid, a.id) < (SELECT txid, audit_id FROM audit_chain ORDER BY seq DESC LIMIT 1) \
             AND NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.audit_id = a.id) \
             ORDER BY a.txid, a.id LIMIT $1",
        )
        .bind::<BigInt, _>(i64::from(limit))
        .load(&mut *conn)
        .await
        .map_err(map_diesel)?;
        Ok(ids.into_iter().map(|row| row.id).collect())
    }

    async fn sealing_lag(&self) -> Result<std::time::Duration, DomainError> {
        #[derive(QueryableByName)]
        struct Lag {
            #[diesel(sql_type = diesel::sql_types::Double)]
            seconds: f64,
        }
        let mut conn = self.db.conn().await?;
        // Rows after the last link are the unsealed ones (the chain is sealed in (txid, id)
        // order), found through the (txid, id) index; the oldest of them sets the lag.
        let lag: Lag = diesel::sql_query(
            "SELECT coalesce(extract(epoch FROM now() - min(a.occurred_at)), 0)::float8 AS seconds \
             FROM audit_logs a \
             WHERE (a.txid, a.id) > coalesce( \
                 (SELECT (c.txid, c.audit_id) FROM audit_chain c ORDER BY c.seq DESC LIMIT 1), \
                 (-1::bigint, -1::bigint))",
        )
        .get_result(&mut *conn)
        .await
        .map_err(map_diesel)?;
        Ok(std::time::Duration::from_secs_f64(lag.seconds.max(0.0)))
    }
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
