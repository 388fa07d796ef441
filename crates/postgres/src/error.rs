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
        // The connection is gone (the server stopped or restarted, the network failed): the
        // request may be retried, so it is 503, and the pool drops the broken connection.
        DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _)
        | DieselError::DatabaseError(DatabaseErrorKind::UnableToSendCommand, _) => RepoError::Unavailable,
        // The server is shutting down or recovering (SQLSTATE class 57) and ended the session.
        DieselError::DatabaseError(DatabaseErrorKind::Unknown, info) if ends_session(info.message()) => {
            RepoError::Unavailable
        }
        other => RepoError::Unknown(Box::new(other)),
    }
}

/// Messages PostgreSQL sends when it ends a session itself (admin_shutdown, crash_shutdown,
/// cannot_connect_now); diesel keeps the message but not the SQLSTATE.
fn ends_session(message: &str) -> bool {
    message.starts_with("terminating connection") || message.starts_with("the database system is")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lost_or_ended_session_is_unavailable_not_a_bug() {
        let lost = DieselError::DatabaseError(
            DatabaseErrorKind::UnableToSendCommand,
            Box::new("connection closed".to_owned()),
        );
        assert!(matches!(map_diesel(lost), RepoError::Unavailable));
        let ended = DieselError::DatabaseError(
            DatabaseErrorKind::Unknown,
            Box::new("terminating connection due to administrator command".to_owned()),
        );
        assert!(matches!(map_diesel(ended), RepoError::Unavailable));
        let other =
            DieselError::DatabaseError(DatabaseErrorKind::Unknown, Box::new("division by zero".to_owned()));
        assert!(matches!(map_diesel(other), RepoError::Unknown(_)));
    }
}
