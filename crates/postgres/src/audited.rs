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
//!   it rolls back and writes no audit row.

use std::future::Future;

use axis_kernel::{AuditRecord, DomainError};
use diesel_async::{AsyncConnection, AsyncPgConnection};

use crate::Database;
pub(crate) use crate::audit_log::insert_with_audit;
use crate::audit_log::write_audit;
use crate::error::TxError;

/// An async closure over the transaction's connection whose future is `Send`; spelled as a
/// trait so the bound can name the future (the same device diesel-async uses).
pub(crate) trait Change<'c, T>:
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
pub(crate) async fn audited<T, F>(db: &Database, audit: &AuditRecord, change: F) -> Result<T, DomainError>
where
    T: Send,
    F: for<'c> Change<'c, T> + Send,
{
    match in_transaction(db, audit, change).await {
        Ok(value) => Ok(value),
        Err(TxError::Repo(error)) => Err(error),
        Err(TxError::Abort) => Err(DomainError::NotFound),
    }
}

/// An update conditional on a version: `change` answers `None` when no row had the expected
/// version, which is `VersionMismatch` (412) and rolls back.
pub(crate) async fn audited_update<T, F>(
    db: &Database,
    audit: &AuditRecord,
    change: F,
) -> Result<T, DomainError>
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
pub(crate) async fn audited_if<F>(db: &Database, audit: &AuditRecord, change: F) -> Result<bool, DomainError>
where
    F: for<'c> Change<'c, bool> + Send,
{
    let result = in_transaction(
        db,
        audit,
        async move |conn| {
            if change(conn).await? { Ok(true) } else { Err(TxError::Abort) }
        },
    )
    .await;
    match result {
        Ok(done) => Ok(done),
        Err(TxError::Abort) => Ok(false),
        Err(TxError::Repo(error)) => Err(error),
    }
}

async fn in_transaction<T, F>(db: &Database, audit: &AuditRecord, change: F) -> Result<T, TxError>
where
    T: Send,
    F: for<'c> Change<'c, T> + Send,
{
    let mut conn = db.conn().await?;
    #[expect(clippy::disallowed_methods, reason = "the one place that opens a transaction for a change")]
    let result = conn
        .transaction(async move |conn| {
            let value = change(conn).await?;
            write_audit(conn, audit).await?;
            Ok(value)
        })
        .await;
    result
}
