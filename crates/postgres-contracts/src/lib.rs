//! Contracts on PostgreSQL: the contract row, its status history, generated numbers, the
//! overlap rule (an exclusion constraint), and coverage read from the history.

use std::sync::Arc;

use async_trait::async_trait;
use axis_contracts::{
    Contract, ContractCoverage, ContractId, ContractListQuery, ContractOrdering, ContractRepository,
    StatusChange, covers,
};
use axis_kernel::{AuditRecord, ClientId, ClientScope, Currency, DomainError, Money, Page, PageRequest};
use bigdecimal::BigDecimal;
use diesel::dsl::{count_star, sql};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Date as SqlDate};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

use axis_postgres::Database;
use axis_postgres::audited::{audited, audited_if, audited_update};
use axis_postgres::error::{Constraint, register_constraints};
use axis_postgres::error::{map_diesel, unexpected};
use axis_postgres::like_pattern;
use axis_postgres::list_totals::{ListPages, ListTotals, list_version, remembered_page};
use axis_postgres::rules::{IN_FORCE, live_clients_in};
use axis_postgres::schema::{client_activities, contract_number_counters, contracts};
use axis_postgres::status_history::{
    HistoryTable, due, histories, history_of, mark_applied, owners_of, record_change, scheduled_of,
    with_owners,
};

/// The constraints of the contract tables users can run into.
const CONSTRAINTS: &[Constraint] = &[
    Constraint {
        name: "contracts_number_key",
        field: "number",
        message: "is already used by another contract",
    },
    Constraint {
        name: "contracts_no_overlap",
        field: "start_date",
        message: "overlaps another contract of this client that is in force or suspended",
    },
    Constraint { name: "contracts_client_id_fkey", field: "client_id", message: "is not a client" },
];

#[derive(Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = contracts, treat_none_as_null = true)]
struct ContractRow {
    id: Uuid,
    client_id: Uuid,
    number: String,
    title: String,
    description: Option<String>,
    start_date: Date,
    end_date: Date,
    renewal_date: Option<Date>,
    status: String,
    billing_amount: BigDecimal,
    currency: String,
    billing_frequency: String,
    billing_model: String,
    covered_headcount: Option<i32>,
    payment_status: String,
    payment_terms: Option<String>,
    last_billing_date: Option<Date>,
    next_billing_date: Option<Date>,
    renewable: bool,
    auto_renew: bool,
    renewal_notice_days: i32,
    signed_by: Option<String>,
    signed_at: Option<OffsetDateTime>,
    termination_reason: Option<String>,
    termination_effective_on: Option<Date>,
    notes: Option<String>,
    notice_sent_for: Option<Date>,
    version: i32,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    deleted_at: Option<OffsetDateTime>,
}

impl From<&Contract> for ContractRow {
    fn from(c: &Contract) -> Self {
        Self {
            id: c.id.0,
            client_id: c.client_id.0,
            number: c.number.clone(),
            title: c.title.clone(),
            description: c.description.clone(),
            start_date: c.start_date,
            end_date: c.end_date,
            renewal_date: c.renewal_date,
            status: c.status.as_str().to_owned(),
            billing_amount: c.billing.amount().clone(),
            currency: c.billing.currency().code().to_owned(),
            billing_frequency: c.billing_frequency.as_str().to_owned(),
            billing_model: c.billing_model.as_str().to_owned(),
            covered_headcount: c.covered_headcount,
            payment_status: c.payment_status.as_str().to_owned(),
            payment_terms: c.payment_terms.clone(),
            last_billing_date: c.last_billing_date,
            next_billing_date: c.next_billing_date,
            renewable: c.renewable,
            auto_renew: c.auto_renew,
            renewal_notice_days: c.renewal_notice_days,
            signed_by: c.signed_by.clone(),
            signed_at: c.signed_at,
            termination_reason: c.termination_reason.clone(),
            termination_effective_on: c.termination_effective_on,
            notes: c.notes.clone(),
            notice_sent_for: c.notice_sent_for,
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
            deleted_at: c.deleted_at,
        }
    }
}

/// A stored value that no longer reads as the domain's: the database and the code disagree.
fn unreadable(column: &str, value: &str) -> DomainError {
    unexpected(format!("contracts.{column} holds {value:?}"))
}

fn parsed<T: std::str::FromStr>(column: &str, value: &str) -> Result<T, DomainError> {
    value.parse().map_err(|_| unreadable(column, value))
}

impl TryFrom<ContractRow> for Contract {
    type Error = DomainError;

    fn try_from(row: ContractRow) -> Result<Self, DomainError> {
        let currency =
            Currency::from_code(&row.currency).ok_or_else(|| unreadable("currency", &row.currency))?;
        let billing = Money::new(&row.billing_amount, currency)
            .map_err(|_| unreadable("billing_amount", &row.billing_amount.to_string()))?;
        Ok(Contract {
            scheduled_change: None,
            id: ContractId(row.id),
            client_id: ClientId(row.client_id),
            status: parsed("status", &row.status)?,
            billing_frequency: parsed("billing_frequency", &row.billing_frequency)?,
            billing_model: parsed("billing_model", &row.billing_model)?,
            payment_status: parsed("payment_status", &row.payment_status)?,
            billing,
            number: row.number,
            title: row.title,
            description: row.description,
            start_date: row.start_date,
            end_date: row.end_date,
            renewal_date: row.renewal_date,
            covered_headcount: row.covered_headcount,
            payment_terms: row.payment_terms,
            last_billing_date: row.last_billing_date,
            next_billing_date: row.next_billing_date,
            renewable: row.renewable,
            auto_renew: row.auto_renew,
            renewal_notice_days: row.renewal_notice_days,
            signed_by: row.signed_by,
            signed_at: row.signed_at,
            termination_reason: row.termination_reason,
            termination_effective_on: row.termination_effective_on,
            notes: row.notes,
            notice_sent_for: row.notice_sent_for,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
            deleted_at: row.deleted_at,
        })
    }
}

fn contracts_from(rows: Vec<ContractRow>) -> Result<Vec<Contract>, DomainError> {
    rows.into_iter().map(Contract::try_from).collect()
}

/// A contract row with the change waiting for its day ([`waiting`]).
type ContractRecord = (ContractRow, (Option<String>, Option<Date>));

fn contract_record((row, waiting): ContractRecord) -> Result<Contract, DomainError> {
    Ok(Contract { scheduled_change: scheduled_of(HISTORY, waiting)?, ..Contract::try_from(row)? })
}

/// The contract's status history.
const HISTORY: HistoryTable = HistoryTable::Contracts;

/// The change waiting for its day, as the contract's row keeps it ([`scheduled_of`] reads it).
#[diesel::dsl::auto_type]
fn waiting() -> _ {
    (contracts::scheduled_status, contracts::scheduled_on)
}

#[derive(Clone)]
pub struct PgContracts {
    db: Database,
    totals: Arc<ListTotals>,
    /// Pages are remembered like the totals: PostgreSQL plans a list page again on every run
    /// (its LIMIT is a parameter), which costs more than reading the rows.
    pages: Arc<ListPages<ContractRecord>>,
}

impl PgContracts {
    pub fn new(db: Database) -> Self {
        register_constraints(CONSTRAINTS);
        Self { db, totals: Arc::new(ListTotals::default()), pages: Arc::new(ListPages::default()) }
    }

    /// Up to `limit` live contracts of `rows`, the earliest end first: the sweep's batches.
    async fn sweep_batch(&self, rows: BoxedContracts, limit: u32) -> Result<Vec<Contract>, DomainError> {
        let mut conn = self.db.conn().await?;
        let rows: Vec<ContractRow> = rows
            .filter(contracts::deleted_at.is_null())
            .order((contracts::end_date, contracts::id))
            .limit(i64::from(limit))
            .select(ContractRow::as_select())
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        contracts_from(rows)
    }
}

type BoxedContracts = contracts::BoxedQuery<'static, Pg>;

/// The list's filters, applied the same way to the page and to its count.
fn filtered(scope: ClientScope, query: &ContractListQuery, today: Date) -> BoxedContracts {
    let mut rows = contracts::table.filter(contracts::client_id.eq_any(live_clients_in(scope))).into_boxed();
    if !query.include_deleted {
        rows = rows.filter(contracts::deleted_at.is_null());
    }
    if let Some(client) = query.client {
        rows = rows.filter(contracts::client_id.eq(client.0));
    }
    if let Some(status) = query.status {
        rows = rows.filter(contracts::status.eq(status.as_str()));
    }
    if let Some(payment) = query.payment_status {
        rows = rows.filter(contracts::payment_status.eq(payment.as_str()));
    }
    if let Some(days) = query.expiring_within {
        rows = rows
            .filter(contracts::status.eq_any(IN_FORCE))
            .filter(contracts::end_date.between(today, today + Duration::days(i64::from(days))));
    }
    if query.pending_renewal {
        rows = in_notice_window(rows, today);
    }
    if query.overdue {
        rows = rows.filter(contracts::payment_status.eq("overdue"));
    }
    if let Some(days) = query.billing_due_within {
        rows =
            rows.filter(contracts::next_billing_date.between(today, today + Duration::days(i64::from(days))));
    }
    if let Some(search) = &query.search {
        rows = rows.filter(
            sql::<Bool>("(number || ' ' || title) ILIKE ")
                .bind::<diesel::sql_types::Text, _>(like_pattern(search)),
        );
    }
    rows
}

/// In force, renewable, not yet ended, and past the day the notice window opens (the renewal
/// date, else `renewal_notice_days` before the end): `axis_contracts::in_notice_window` in SQL.
fn in_notice_window(rows: BoxedContracts, today: Date) -> BoxedContracts {
    rows.filter(contracts::status.eq_any(IN_FORCE))
        .filter(contracts::renewable.eq(true))
        .filter(contracts::end_date.ge(today))
        .filter(
            sql::<Bool>("coalesce(renewal_date, end_date - renewal_notice_days) <= ")
                .bind::<SqlDate, _>(today),
        )
}

fn ordered(rows: BoxedContracts, ordering: ContractOrdering, descending: bool) -> BoxedContracts {
    use ContractOrdering::*;
    match (ordering, descending) {
        (StartDate, false) => rows.order((contracts::start_date.asc(), contracts::id.asc())),
        (StartDate, true) => rows.order((contracts::start_date.desc(), contracts::id.desc())),
        (EndDate, false) => rows.order((contracts::end_date.asc(), contracts::id.asc())),
        (EndDate, true) => rows.order((contracts::end_date.desc(), contracts::id.desc())),
        (CreatedAt, false) => rows.order((contracts::created_at.asc(), contracts::id.asc())),
        (CreatedAt, true) => rows.order((contracts::created_at.desc(), contracts::id.desc())),
        (Number, false) => rows.order((contracts::number.asc(), contracts::id.asc())),
        (Number, true) => rows.order((contracts::number.desc(), contracts::id.desc())),
        (Title, false) => rows.order((contracts::title.asc(), contracts::id.asc())),
        (Title, true) => rows.order((contracts::title.desc(), contracts::id.desc())),
    }
}

#[async_trait]
impl ContractRepository for PgContracts {
    async fn next_number(&self, year: i32) -> Result<String, DomainError> {
        let mut conn = self.db.conn().await?;
        let last: i32 = diesel::insert_into(contract_number_counters::table)
            .values((contract_number_counters::year.eq(year), contract_number_counters::last.eq(1)))
            .on_conflict(contract_number_counters::year)
            .do_update()
            .set(contract_number_counters::last.eq(contract_number_counters::last + 1))
            .returning(contract_number_counters::last)
            .get_result(&mut *conn)
            .await
            .map_err(map_diesel)?;
        Ok(format!("C-{year}-{last:05}"))
    }

    async fn insert(
        &self,
        contract: &Contract,
        created: &StatusChange,
        audit: &AuditRecord,
    ) -> Result<Contract, DomainError> {
        let row = ContractRow::from(contract);
        let id = contract.id;
        audited(&self.db, audit, async move |conn| {
            diesel::insert_into(contracts::table).values(&row).execute(&mut *conn).await?;
            record_change(conn, HISTORY, id.0, created).await?;
            Ok(())
        })
        .await?;
        Ok(contract.clone())
    }

    async fn get(&self, id: ContractId) -> Result<Option<Contract>, DomainError> {
        let mut conn = self.db.conn().await?;
        let row: Option<ContractRecord> = contracts::table
            .find(id.0)
            .select((ContractRow::as_select(), waiting()))
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        row.map(contract_record).transpose()
    }

    async fn history(&self, id: ContractId) -> Result<Vec<StatusChange>, DomainError> {
        let mut conn = self.db.conn().await?;
        history_of(&mut conn, HISTORY, id.0).await
    }

    async fn list(
        &self,
        scope: ClientScope,
        query: &ContractListQuery,
        today: Date,
        page: PageRequest,
    ) -> Result<Page<Contract>, DomainError> {
        // One connection for the page and what it shows (a second while holding the first
        // would let concurrent lists exhaust the pool).
        let conn = self.db.conn().await?;
        let shared: &AsyncPgConnection = &conn;
        let (total, rows) = remembered_page(
            shared,
            &self.totals,
            &self.pages,
            || filtered(scope, query, today).select((list_version(), count_star())),
            |_total| {
                ordered(filtered(scope, query, today), query.ordering, query.descending)
                    .select((ContractRow::as_select(), waiting()))
                    .limit(i64::from(page.limit()))
                    .offset(i64::try_from(page.offset()).unwrap_or(i64::MAX))
            },
        )
        .await?;
        let items = rows.into_iter().map(contract_record).collect::<Result<Vec<_>, _>>()?;
        Ok(Page::new(items, total.unsigned_abs(), page))
    }

    async fn save(
        &self,
        contract: &Contract,
        expected: i32,
        change: Option<StatusChange>,
        audit: &AuditRecord,
    ) -> Result<Option<Contract>, DomainError> {
        let now = OffsetDateTime::now_utc();
        let waiting_after =
            axis_postgres::status_history::still_waiting(change.as_ref(), contract.scheduled_change);
        let row = ContractRow { version: expected + 1, updated_at: now, ..ContractRow::from(contract) };
        let id = contract.id;
        let saved = audited_update(&self.db, audit, async move |conn| {
            let saved: Option<ContractRow> = diesel::update(
                contracts::table.filter(contracts::id.eq(id.0)).filter(contracts::version.eq(expected)),
            )
            .set(&row)
            .returning(ContractRow::as_returning())
            .get_result(&mut *conn)
            .await
            .optional()?;
            if let (Some(_), Some(change)) = (&saved, &change) {
                record_change(conn, HISTORY, id.0, change).await?;
            }
            Ok(saved)
        })
        .await;
        match saved {
            Ok(row) => Ok(Some(Contract { scheduled_change: waiting_after, ..Contract::try_from(row)? })),
            Err(DomainError::VersionMismatch) => Ok(None),
            Err(error) => Err(error),
        }
    }

    async fn due_changes(
        &self,
        today: Date,
        limit: i64,
    ) -> Result<Vec<(Contract, i64, StatusChange)>, DomainError> {
        let mut conn = self.db.conn().await?;
        let due_changes = due(&mut conn, HISTORY, today, limit).await?;
        let rows: Vec<ContractRow> = contracts::table
            .filter(contracts::id.eq_any(owners_of(&due_changes)))
            .select(ContractRow::as_select())
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        let found = contracts_from(rows)?.into_iter().map(|c| (c.id.0, c));
        Ok(with_owners(due_changes, found))
    }

    async fn apply_change(
        &self,
        contract: &Contract,
        expected: i32,
        change_id: i64,
        audit: &AuditRecord,
    ) -> Result<bool, DomainError> {
        let (id, status, at) = (contract.id.0, contract.status.as_str().to_owned(), audit.occurred_at);
        audited_if(&self.db, audit, async move |conn| {
            if !mark_applied(conn, HISTORY, change_id).await? {
                return Ok(false);
            }
            let moved = diesel::update(
                contracts::table.filter(contracts::id.eq(id)).filter(contracts::version.eq(expected)),
            )
            .set((
                contracts::status.eq(status),
                contracts::version.eq(expected + 1),
                contracts::updated_at.eq(at),
            ))
            .execute(conn)
            .await?;
            Ok(moved == 1)
        })
        .await
    }

    async fn ended_before(&self, today: Date, limit: u32) -> Result<Vec<Contract>, DomainError> {
        let rows = contracts::table
            .filter(contracts::status.eq_any(IN_FORCE))
            .filter(contracts::end_date.lt(today))
            .into_boxed();
        self.sweep_batch(rows, limit).await
    }

    async fn notices_due(&self, today: Date, limit: u32) -> Result<Vec<Contract>, DomainError> {
        let rows = in_notice_window(contracts::table.into_boxed(), today)
            .filter(contracts::notice_sent_for.is_distinct_from(contracts::end_date.nullable()));
        self.sweep_batch(rows, limit).await
    }

    async fn record_notice(
        &self,
        contract: &Contract,
        summary: &str,
        audit: &AuditRecord,
    ) -> Result<bool, DomainError> {
        let (id, client, end) = (contract.id, contract.client_id, contract.end_date);
        let summary = summary.to_owned();
        audited_if(&self.db, audit, async move |conn| {
            let marked = diesel::update(
                contracts::table
                    .filter(contracts::id.eq(id.0))
                    .filter(contracts::notice_sent_for.is_distinct_from(Some(end))),
            )
            .set(contracts::notice_sent_for.eq(end))
            .execute(&mut *conn)
            .await?;
            if marked == 0 {
                return Ok(false);
            }
            let now = OffsetDateTime::now_utc();
            diesel::insert_into(client_activities::table)
                .values((
                    client_activities::id.eq(Uuid::now_v7()),
                    client_activities::client_id.eq(client.0),
                    client_activities::activity_type.eq("note"),
                    client_activities::title.eq(summary),
                    client_activities::activity_date.eq(now),
                    client_activities::version.eq(1),
                    client_activities::created_at.eq(now),
                    client_activities::updated_at.eq(now),
                ))
                .execute(&mut *conn)
                .await?;
            Ok(true)
        })
        .await
    }
}

/// Coverage from the history: the client's contracts whose period holds the date, each asked
/// whether its history puts it in force then.
#[derive(Clone)]
pub struct PgContractCoverage {
    contracts: PgContracts,
}

impl PgContractCoverage {
    pub fn new(db: Database) -> Self {
        Self { contracts: PgContracts::new(db) }
    }
}

#[async_trait]
impl ContractCoverage for PgContractCoverage {
    async fn covering(&self, client: ClientId, date: Date) -> Result<Option<ContractId>, DomainError> {
        let mut conn = self.contracts.db.conn().await?;
        let candidates: Vec<(Uuid, Date, Date)> = contracts::table
            .filter(contracts::client_id.eq(client.0))
            .filter(contracts::deleted_at.is_null())
            .filter(contracts::start_date.le(date))
            .filter(contracts::end_date.ge(date))
            .filter(contracts::status.ne_all(["draft", "pending"]))
            .select((contracts::id, contracts::start_date, contracts::end_date))
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        let ids: Vec<Uuid> = candidates.iter().map(|(id, _, _)| *id).collect();
        let histories = histories(&mut conn, HISTORY, &ids).await?;
        let covering = candidates.into_iter().find(|(id, start, end)| {
            histories.get(id).is_some_and(|history| covers(*start, *end, history, date))
        });
        Ok(covering.map(|(id, _, _)| ContractId(id)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axis_contracts::ContractStatus;

    #[test]
    fn in_force_is_the_domains_in_force() {
        let domain: Vec<&str> = ContractStatus::ALL
            .iter()
            .filter(|status| status.is_in_force())
            .map(|status| status.as_str())
            .collect();
        assert_eq!(domain, IN_FORCE);
    }
}
