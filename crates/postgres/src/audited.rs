//! The audited write: every change of data and its audit record commit together. Adapters
//! write through these helpers and nothing else opens a transaction (clippy's
//! `disallowed-methods` refuses `AsyncConnection::transaction` outside this module):
//!
//! - [`insert_with_audit`]: a plain insert and its audit row as one statement (the default for
//!   inserts);
//! - [`audited`]: any change, then its audit row, in one transaction;
//! - [`audited_update`]: an update conditional on the version the caller read; no row means
//!   the version moved (412);
//! - [`audited_if`]: a change that may find nothing to do (a link that already exists): then
//!   it rolls back and writes no audit row;
//! - [`audited_purge`]: a bulk removal, audited with its count when it removed anything;
//! - [`audited_each`]: one change that alters several records (a new default that ends the
//!   last one's turn), each with its own audit record.
//!
//! The jobs an audit record carries are queued with it, so they too commit with the change.

use std::borrow::Cow;
use std::future::Future;

use axis_kernel::{AuditRecord, DomainError};
use diesel::pg::Pg;
use diesel::query_builder::{QueryFragment, QueryId};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use crate::Database;
use crate::audit_writer::{WithAudit, audit_row, write_audit};
use crate::error::{TxError, map_diesel};
use crate::schema::audit_logs;

/// An async closure over the transaction's connection whose future is `Send`; spelled as a
/// trait so the bound can name the future (the same device diesel-async uses).
pub trait Change<'c, T>:
    AsyncFnOnce(&'c mut AsyncPgConnection) -> Result<T, TxError>
    + FnOnce(&'c mut AsyncPgConnection) -> <Self as Change<'c, T>>::Fut
{
    type Fut: Future<Output = Result<T, TxError>> + Send;
}

impl<'c, F, Fut, T> Change<'c, T> for F
where
    F: AsyncFnOnce(&'c mut AsyncPgConnection) -> Result<T, TxError>
        + FnOnce(&'c mut AsyncPgConnection) -> Fut,
    Fut: Future<Output = Result<T, TxError>> + Send,
{
    type Fut = Fut;
}

/// Runs `change` and writes `audit` in one transaction. `TxError::Abort` from `change` means
/// the row to change is gone: it rolls back and answers `NotFound`.
pub async fn audited<T, F>(db: &Database, audit: &AuditRecord, change: F) -> Result<T, DomainError>
where
    T: Send,
    F: for<'c> Change<'c, T> + Send,
{
    audited_each(db, std::slice::from_ref(audit), change).await
}

/// Runs `change` and writes every one of `audits` in one transaction: a change that alters
/// several records, each named by its own record. `TxError::Abort` is `NotFound`, as for
/// [`audited`].
pub async fn audited_each<T, F>(db: &Database, audits: &[AuditRecord], change: F) -> Result<T, DomainError>
where
    T: Send,
    F: for<'c> Change<'c, T> + Send,
{
    match in_transaction(db, change, |_| audits.iter().map(Cow::Borrowed).collect()).await {
        Ok(value) => Ok(value),
        Err(TxError::Repo(error)) => Err(error),
        Err(TxError::Abort) => Err(DomainError::NotFound),
    }
}

/// An update conditional on a version: `change` answers `None` when no row had the expected
/// version, which is `VersionMismatch` (412) and rolls back.
pub async fn audited_update<T, F>(db: &Database, audit: &AuditRecord, change: F) -> Result<T, DomainError>
where
    T: Send,
    F: for<'c> Change<'c, Option<T>> + Send,
{
    match audited(db, audit, change).await? {
        Some(value) => Ok(value),
        None => Err(DomainError::VersionMismatch),
    }
}

/// A change that may have nothing to do: `change` answers `false` (the link exists already,
/// the row was not there) and the transaction rolls back without an audit row.
pub async fn audited_if<F>(db: &Database, audit: &AuditRecord, change: F) -> Result<bool, DomainError>
where
    F: for<'c> Change<'c, bool> + Send,
{
    let result = in_transaction(
        db,
        async move |conn| {
            if change(conn).await? { Ok(true) } else { Err(TxError::Abort) }
        },
        |_| vec![Cow::Borrowed(audit)],
    )
    .await;
    match result {
        Ok(done) => Ok(done),
        Err(TxError::Abort) => Ok(false),
        Err(TxError::Repo(error)) => Err(error),
    }
}

/// A bulk removal: `change` answers how many rows it removed. The audit record, with that
/// count as its `purged` detail, is written only when there were any.
pub async fn audited_purge<F>(db: &Database, audit: &AuditRecord, change: F) -> Result<u64, DomainError>
where
    F: for<'c> Change<'c, u64> + Send,
{
    let record = |purged: &u64| {
        (*purged > 0).then(|| Cow::Owned(audit.clone().with_detail("purged", *purged))).into_iter().collect()
    };
    in_transaction(db, change, record).await.map_err(|error| match error {
        TxError::Repo(error) => error,
        TxError::Abort => DomainError::NotFound,
    })
}

/// Runs `change`, then writes the audit records `record` makes of its result (none: no row).
async fn in_transaction<'a, T, F, R>(db: &Database, change: F, record: R) -> Result<T, TxError>
where
    T: Send,
    F: for<'c> Change<'c, T> + Send,
    R: FnOnce(&T) -> Vec<Cow<'a, AuditRecord>> + Send,
{
    let mut conn = db.conn().await?;
    #[expect(clippy::disallowed_methods, reason = "the one place that opens a transaction for a change")]
    let result = conn
        .transaction(async move |conn| {
            let value = change(conn).await?;
            for audit in record(&value) {
                write_audit(conn, &audit).await?;
            }
            Ok(value)
        })
        .await;
    result
}

/// A record that goes with no change (a read of person data): one statement, atomic on its
/// own, so one round trip instead of three (BEGIN, insert, COMMIT). A record that queues jobs
/// writes them in one transaction with it.
pub async fn record_alone(db: &Database, record: &AuditRecord) -> Result<(), DomainError> {
    if !record.jobs.is_empty() {
        return audited(db, record, async |_| Ok(())).await;
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
pub async fn insert_with_audit<I>(
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

/// The `AuditTrail` port: records that go with no change of data (reads of person data,
/// downloads), each one statement.
#[derive(Clone)]
pub struct PgAuditTrail {
    db: Database,
}

impl PgAuditTrail {
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[async_trait::async_trait]
impl axis_kernel::AuditTrail for PgAuditTrail {
    async fn record(&self, record: &AuditRecord) -> Result<(), DomainError> {
        record_alone(&self.db, record).await
    }
}
