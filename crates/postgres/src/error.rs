use axis_kernel::RepoError;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::pooled_connection::PoolError as ConnectError;
use diesel_async::pooled_connection::deadpool::PoolError;

/// The error type inside transactions: diesel errors convert into it, so `?` works, and it
/// carries a domain error out. `Abort` rolls back without being an error to the caller.
#[derive(Debug)]
pub(crate) enum TxError {
    Repo(RepoError),
    Abort,
}

impl From<DieselError> for TxError {
    fn from(error: DieselError) -> Self {
        TxError::Repo(map_diesel(error))
    }
}

impl From<RepoError> for TxError {
    fn from(error: RepoError) -> Self {
        TxError::Repo(error)
    }
}

pub(crate) fn map_diesel(error: DieselError) -> RepoError {
    match error {
        DieselError::NotFound => RepoError::NotFound,
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            RepoError::Duplicate { constraint: info.constraint_name().unwrap_or("unknown").to_owned() }
        }
        DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
            RepoError::MissingReference { constraint: info.constraint_name().unwrap_or("unknown").to_owned() }
        }
        DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => RepoError::Unavailable,
        other => RepoError::Unknown(Box::new(other)),
    }
}

pub(crate) fn map_pool(error: PoolError) -> RepoError {
    match error {
        PoolError::Timeout(_) => RepoError::Unavailable,
        PoolError::Backend(ConnectError::ConnectionError(_)) => RepoError::Unavailable,
        PoolError::Closed => RepoError::Unavailable,
        other => RepoError::Unknown(Box::new(other)),
    }
}

/// Runs `tx` result handling shared by every transaction: `Abort` becomes `aborted`.
pub(crate) fn finish<T>(result: Result<T, TxError>, aborted: T) -> Result<T, RepoError> {
    match result {
        Ok(value) => Ok(value),
        Err(TxError::Abort) => Ok(aborted),
        Err(TxError::Repo(error)) => Err(error),
    }
}

pub(crate) fn unexpected(message: String) -> RepoError {
    RepoError::Unknown(message.into())
}
