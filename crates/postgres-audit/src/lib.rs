//! The audit trail on PostgreSQL: listing records (with "who looked at this person") and
//! sealing committed records into the hash chain. Records are written by the base crate's
//! audited writes, inside the change they record.

use async_trait::async_trait;
use axis_audit::chain::link_hash_v2;
use axis_audit::{
    AuditChainStore, AuditEntry, AuditFilter, AuditHeader, AuditLogReader, ChainLink, GENESIS_HASH,
    HashVersion, SealOutcome, StoredEntry,
};
use axis_kernel::{DomainError, Page, PageRequest};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Nullable, Text, Timestamptz};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use axis_postgres::Database;
use axis_postgres::error::{TxError, finish, map_diesel, unexpected};
use axis_postgres::schema::{audit_chain, audit_logs};

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
