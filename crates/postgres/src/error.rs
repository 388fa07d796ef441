use std::sync::RwLock;

use axis_kernel::{DomainError, FieldErrors};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::pooled_connection::PoolError as ConnectError;
use diesel_async::pooled_connection::deadpool::PoolError;

/// The error type inside transactions: diesel errors convert into it, so `?` works, and it
/// carries a domain error out. `Abort` rolls back without being an error to the caller.
#[derive(Debug)]
pub enum TxError {
    Repo(DomainError),
    Abort,
}

impl From<DieselError> for TxError {
    fn from(error: DieselError) -> Self {
        TxError::Repo(map_diesel(error))
    }
}

impl From<DomainError> for TxError {
    fn from(error: DomainError) -> Self {
        TxError::Repo(error)
    }
}

/// A constraint users can run into, and what the answer says: the field it concerns and why
/// (`is already used by another tag`). A unique index is answered 409 `taken`, an exclusion
/// 409 naming the field, a foreign key 422 on the field.
#[derive(Debug)]
pub struct Constraint {
    pub name: &'static str,
    pub field: &'static str,
    pub message: &'static str,
}

/// The constraints each domain adapter registered ([`register_constraints`]).
static REGISTERED: RwLock<Vec<&'static [Constraint]>> = RwLock::new(Vec::new());

/// Makes `constraints` known to [`map_diesel`]. Each domain adapter registers its tables'
/// constraints when one of its repositories is made; registering the same list again is a
/// no-op.
pub fn register_constraints(constraints: &'static [Constraint]) {
    let known =
        REGISTERED.read().is_ok_and(|lists| lists.iter().any(|list| std::ptr::eq(*list, constraints)));
    if known {
        return;
    }
    if let Ok(mut lists) = REGISTERED.write()
        && !lists.iter().any(|list| std::ptr::eq(*list, constraints))
    {
        lists.push(constraints);
    }
}

/// The names of every registered constraint (for the test that each names one of the schema).
pub fn registered_constraints() -> Vec<&'static str> {
    let Ok(lists) = REGISTERED.read() else { return Vec::new() };
    lists.iter().flat_map(|list| list.iter()).map(|c| c.name).collect()
}

fn lookup(constraint: Option<&str>) -> Option<(&'static str, &'static str)> {
    let name = constraint?;
    let lists = REGISTERED.read().ok()?;
    lists.iter().flat_map(|list| list.iter()).find(|c| c.name == name).map(|c| (c.field, c.message))
}

pub fn map_diesel(error: DieselError) -> DomainError {
    match error {
        DieselError::NotFound => DomainError::NotFound,
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            match lookup(info.constraint_name()) {
                Some((field, message)) => DomainError::taken(field, message),
                None => DomainError::conflict("a record with the same identifying values exists"),
            }
        }
        DieselError::DatabaseError(DatabaseErrorKind::ExclusionViolation, info) => {
            match lookup(info.constraint_name()) {
                Some((field, message)) => DomainError::Conflict {
                    message: format!("{field} {message}"),
                    errors: FieldErrors::single(field, message),
                },
                None => DomainError::conflict("collides with another record"),
            }
        }
        DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
            match lookup(info.constraint_name()) {
                Some((field, message)) => FieldErrors::single(field, message).into(),
                None => {
                    DomainError::conflict("refers to something that does not exist, or is still referred to")
                }
            }
        }
        // The connection is gone (the server stopped or restarted, the network failed): the
        // request may be retried, so it is 503, and the pool drops the broken connection.
        DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, info)
        | DieselError::DatabaseError(DatabaseErrorKind::UnableToSendCommand, info) => {
            unavailable(info.message())
        }
        // The server is shutting down or recovering (SQLSTATE class 57) and ended the session.
        DieselError::DatabaseError(DatabaseErrorKind::Unknown, info) if ends_session(info.message()) => {
            unavailable(info.message())
        }
        other => DomainError::Internal(Box::new(other)),
    }
}

/// Messages PostgreSQL sends when it ends a session itself (admin_shutdown, crash_shutdown,
/// cannot_connect_now); diesel keeps the message but not the SQLSTATE.
fn ends_session(message: &str) -> bool {
    message.starts_with("terminating connection") || message.starts_with("the database system is")
}

pub fn map_pool(error: PoolError) -> DomainError {
    match error {
        PoolError::Timeout(_) | PoolError::Backend(ConnectError::ConnectionError(_)) | PoolError::Closed => {
            unavailable(&error.to_string())
        }
        other => DomainError::Internal(Box::new(other)),
    }
}

/// A 503 says only "retry shortly"; the log says why (a pool out of connections, a server
/// that went away), which is what an operator needs when they persist.
fn unavailable(cause: &str) -> DomainError {
    tracing::warn!(cause, "the database is unavailable: answered 503");
    DomainError::Unavailable
}

/// Runs `tx` result handling shared by every transaction: `Abort` becomes `aborted`.
pub fn finish<T>(result: Result<T, TxError>, aborted: T) -> Result<T, DomainError> {
    match result {
        Ok(value) => Ok(value),
        Err(TxError::Abort) => Ok(aborted),
        Err(TxError::Repo(error)) => Err(error),
    }
}

pub fn unexpected(message: String) -> DomainError {
    DomainError::Internal(message.into())
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
        assert!(matches!(map_diesel(lost), DomainError::Unavailable));
        let ended = DieselError::DatabaseError(
            DatabaseErrorKind::Unknown,
            Box::new("terminating connection due to administrator command".to_owned()),
        );
        assert!(matches!(map_diesel(ended), DomainError::Unavailable));
        let other =
            DieselError::DatabaseError(DatabaseErrorKind::Unknown, Box::new("division by zero".to_owned()));
        assert!(matches!(map_diesel(other), DomainError::Internal(_)));
    }
}
