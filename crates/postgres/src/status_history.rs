//! Status histories (`<entity>_status_changes` tables: owner, status, effective day, time,
//! reason, applied): every domain that keeps one reads and appends it through these functions,
//! naming its table with a [`HistoryTable`]. The statements are the same for every table but
//! for two identifiers, which come from that closed list (checked against the schema by
//! `tests/schema.rs`), never from input; each table's are written once and stay prepared on a
//! connection (`SqlFile`), as diesel's own statements do.

use std::collections::HashMap;
use std::fmt::Display;
use std::str::FromStr;
use std::sync::LazyLock;

use axis_kernel::{DomainError, Scheduled, StatusChange};
use diesel::sql_types::{Array, BigInt, Bool, Date, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::error::{map_diesel, unexpected};
use crate::sql_file::SqlFile;

/// The status histories there are: each names its table and its owner column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryTable {
    Contracts,
    Staff,
    Beneficiaries,
}

impl HistoryTable {
    pub const ALL: [HistoryTable; 3] = [Self::Contracts, Self::Staff, Self::Beneficiaries];

    pub fn table(self) -> &'static str {
        match self {
            Self::Contracts => "contract_status_changes",
            Self::Staff => "staff_status_changes",
            Self::Beneficiaries => "beneficiary_status_changes",
        }
    }

    pub fn owner_column(self) -> &'static str {
        match self {
            Self::Contracts => "contract_id",
            Self::Staff => "staff_id",
            Self::Beneficiaries => "beneficiary_id",
        }
    }

    fn statements(self) -> &'static Statements {
        static ALL: LazyLock<[Statements; 3]> = LazyLock::new(|| HistoryTable::ALL.map(Statements::of));
        &ALL[self as usize]
    }
}

/// One table's statements, written once.
struct Statements {
    /// One owner's history (`=`: a prepared `= ANY` is planned again on every run).
    history_of_one: String,
    histories: String,
    withdraw_waiting: String,
    insert: String,
    due: String,
    mark_applied: String,
}

impl Statements {
    fn of(table: HistoryTable) -> Self {
        let (name, owner) = (table.table(), table.owner_column());
        let columns = format!("id, {owner} AS owner, status, effective_on, at, reason, applied");
        Self {
            history_of_one: format!("SELECT {columns} FROM {name} WHERE {owner} = $1 ORDER BY at, id"),
            histories: format!(
                "SELECT {columns} FROM {name} WHERE {owner} = ANY($1) ORDER BY {owner}, at, id"
            ),
            withdraw_waiting: format!("DELETE FROM {name} WHERE {owner} = $1 AND NOT applied"),
            insert: format!(
                "INSERT INTO {name} ({owner}, status, effective_on, at, reason, applied) VALUES ($1, $2, $3, $4, $5, $6)"
            ),
            due: format!(
                "SELECT {columns} FROM {name} WHERE NOT applied AND effective_on <= $1 ORDER BY effective_on, id LIMIT $2"
            ),
            mark_applied: format!("UPDATE {name} SET applied = true WHERE id = $1 AND NOT applied"),
        }
    }
}

#[derive(QueryableByName)]
struct ChangeRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = SqlUuid)]
    owner: Uuid,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Date)]
    effective_on: time::Date,
    #[diesel(sql_type = Timestamptz)]
    at: time::OffsetDateTime,
    #[diesel(sql_type = Nullable<Text>)]
    reason: Option<String>,
    #[diesel(sql_type = Bool)]
    applied: bool,
}

impl ChangeRow {
    fn change<S: FromStr>(self, table: HistoryTable) -> Result<(i64, Uuid, StatusChange<S>), DomainError> {
        let status = parse_status(table, &self.status)?;
        let change = StatusChange {
            status,
            effective_on: self.effective_on,
            at: self.at,
            reason: self.reason,
            pending: !self.applied,
        };
        Ok((self.id, self.owner, change))
    }
}

fn parse_status<S: FromStr>(table: HistoryTable, text: &str) -> Result<S, DomainError> {
    text.parse::<S>().map_err(|_| unexpected(format!("{}.status holds {text:?}", table.table())))
}

/// The status histories of `owners`, each in the order its changes were recorded (the order in
/// which the latest instruction wins), in one query.
pub async fn histories<S: FromStr>(
    conn: &mut AsyncPgConnection,
    table: HistoryTable,
    owners: &[Uuid],
) -> Result<HashMap<Uuid, Vec<StatusChange<S>>>, DomainError> {
    let rows: Vec<ChangeRow> = match owners {
        [one] => SqlFile::new(&table.statements().history_of_one).bind::<SqlUuid, _>(*one).load(conn).await,
        many => SqlFile::new(&table.statements().histories).bind::<Array<SqlUuid>, _>(many).load(conn).await,
    }
    .map_err(map_diesel)?;
    let mut histories = HashMap::<Uuid, Vec<_>>::new();
    for row in rows {
        let (_, owner, change) = row.change(table)?;
        histories.entry(owner).or_default().push(change);
    }
    Ok(histories)
}

/// One owner's status history, in the order recorded.
pub async fn history_of<S: FromStr>(
    conn: &mut AsyncPgConnection,
    table: HistoryTable,
    owner: Uuid,
) -> Result<Vec<StatusChange<S>>, DomainError> {
    Ok(histories(conn, table, &[owner]).await?.remove(&owner).unwrap_or_default())
}

/// Appends `change` to `owner`'s history. The latest instruction wins: a change still waiting
/// for its day is withdrawn by any change recorded after it.
pub async fn record_change<S: Display>(
    conn: &mut AsyncPgConnection,
    table: HistoryTable,
    owner: Uuid,
    change: &StatusChange<S>,
) -> QueryResult<()> {
    let statements = table.statements();
    SqlFile::new(&statements.withdraw_waiting).bind::<SqlUuid, _>(owner).execute(conn).await?;
    SqlFile::new(&statements.insert)
        .bind::<SqlUuid, _>(owner)
        .bind::<Text, _>(change.status.to_string())
        .bind::<Date, _>(change.effective_on)
        .bind::<Timestamptz, _>(change.at)
        .bind::<Nullable<Text>, _>(change.reason.as_deref())
        .bind::<Bool, _>(!change.pending)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Up to `limit` changes whose day (`today` or before) has come and that have not taken
/// effect: (change id, owner, change), oldest day first.
pub async fn due<S: FromStr>(
    conn: &mut AsyncPgConnection,
    table: HistoryTable,
    today: time::Date,
    limit: i64,
) -> Result<Vec<(i64, Uuid, StatusChange<S>)>, DomainError> {
    let rows: Vec<ChangeRow> = SqlFile::new(&table.statements().due)
        .bind::<Date, _>(today)
        .bind::<BigInt, _>(limit)
        .load(conn)
        .await
        .map_err(map_diesel)?;
    rows.into_iter().map(|row| row.change(table)).collect()
}

/// The owners of `due` changes (to load them with one query).
pub fn owners_of<S>(due: &[(i64, Uuid, StatusChange<S>)]) -> Vec<Uuid> {
    due.iter().map(|(_, owner, _)| *owner).collect()
}

/// Each due change with its owner, found among `owners` by id: (owner, change id, change). A
/// change whose owner was not loaded is left out.
pub fn with_owners<S, R>(
    due: Vec<(i64, Uuid, StatusChange<S>)>,
    owners: impl IntoIterator<Item = (Uuid, R)>,
) -> Vec<(R, i64, StatusChange<S>)> {
    let mut found: HashMap<Uuid, R> = owners.into_iter().collect();
    due.into_iter().filter_map(|(id, owner, change)| found.remove(&owner).map(|r| (r, id, change))).collect()
}

/// Marks change `id` as taken effect; false when it was withdrawn or applied meanwhile.
pub async fn mark_applied(conn: &mut AsyncPgConnection, table: HistoryTable, id: i64) -> QueryResult<bool> {
    let marked = SqlFile::new(&table.statements().mark_applied).bind::<BigInt, _>(id).execute(conn).await?;
    Ok(marked == 1)
}

/// The owner's change waiting for its day from the two columns of the owner's row that keep
/// it (`scheduled_status`, `scheduled_on`: migration 000020's trigger copies the history's
/// waiting change, at most one, onto the owner's row, so reads take it with the row).
pub fn scheduled_of<S: FromStr>(
    table: HistoryTable,
    (status, on): (Option<String>, Option<time::Date>),
) -> Result<Option<Scheduled<S>>, DomainError> {
    match (status, on) {
        (Some(status), Some(on)) => Ok(Some(Scheduled { status: parse_status(table, &status)?, on })),
        _ => Ok(None),
    }
}

/// The change a record has waiting after a save: the one the save records, when it is dated
/// ahead; none when the save records one that takes effect (recording withdraws what waited);
/// else what waited before.
pub fn still_waiting<S: Copy>(
    recorded: Option<&axis_kernel::StatusChange<S>>,
    before: Option<axis_kernel::Scheduled<S>>,
) -> Option<axis_kernel::Scheduled<S>> {
    match recorded {
        Some(change) if change.pending => {
            Some(axis_kernel::Scheduled { status: change.status, on: change.effective_on })
        }
        Some(_) => None,
        None => before,
    }
}
