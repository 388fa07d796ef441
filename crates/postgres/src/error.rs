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

/// Unique indexes whose violation means a natural key is taken: (constraint, field, message).
/// A new unique index that users can hit belongs here, so the answer names the field.
const UNIQUE_KEYS: &[(&str, &str, &str)] = &[
    ("users_email_key", "email", "is already used by another user"),
    ("clients_email_key", "email", "is already used by another client"),
    ("industries_code_key", "code", "is already used by another industry"),
    ("industries_name_key", "name", "is already used by another industry"),
    ("industries_external_id_key", "external_id", "is already used by another industry"),
    ("tags_name_key", "name", "is already used by another tag"),
    ("tags_slug_key", "slug", "is already used by another tag"),
    ("client_contacts_email_key", "email", "is already used by another contact of this client"),
    ("contracts_number_key", "number", "is already used by another contract"),
    (
        "staff_employee_number_key",
        "employee_number",
        "is already used by another staff member of this client",
    ),
];

/// Exclusion constraints whose violation means the values collide with another row's:
/// (constraint, field, message), answered 409 naming the field.
const EXCLUSIONS: &[(&str, &str, &str)] = &[(
    "contracts_no_overlap",
    "start_date",
    "overlaps another contract of this client that is in force or suspended",
)];

/// Foreign keys whose violation means a field names something that does not exist.
const REFERENCES: &[(&str, &str, &str)] = &[
    ("clients_account_manager_id_fkey", "account_manager_id", "is not a user"),
    ("client_tags_tag_id_fkey", "tag_ids", "names a tag that does not exist"),
    ("client_grants_user_id_fkey", "user_id", "is not a user"),
    ("client_activities_contact_id_fkey", "contact_id", "is not a contact of this client"),
    ("contracts_client_id_fkey", "client_id", "is not a client"),
    ("staff_client_id_fkey", "client_id", "is not a client"),
    ("beneficiaries_staff_id_client_id_fkey", "staff_id", "must be a staff member of the same client"),
];

fn lookup(
    table: &'static [(&str, &str, &str)],
    constraint: Option<&str>,
) -> Option<(&'static str, &'static str)> {
    let constraint = constraint?;
    table.iter().find(|(name, _, _)| *name == constraint).map(|(_, field, message)| (*field, *message))
}

pub fn map_diesel(error: DieselError) -> DomainError {
    match error {
        DieselError::NotFound => DomainError::NotFound,
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            match lookup(UNIQUE_KEYS, info.constraint_name()) {
                Some((field, message)) => DomainError::taken(field, message),
                None => DomainError::conflict("a record with the same identifying values exists"),
            }
        }
        DieselError::DatabaseError(DatabaseErrorKind::ExclusionViolation, info) => {
            match lookup(EXCLUSIONS, info.constraint_name()) {
                Some((field, message)) => DomainError::Conflict {
                    message: format!("{field} {message}"),
                    errors: FieldErrors::single(field, message),
                },
                None => DomainError::conflict("collides with another record"),
            }
        }
        DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
            match lookup(REFERENCES, info.constraint_name()) {
                Some((field, message)) => FieldErrors::single(field, message).into(),
                None => {
                    DomainError::conflict("refers to something that does not exist, or is still referred to")
                }
            }
        }
        // The connection is gone (the server stopped or restarted, the network failed): the
        // request may be retried, so it is 503, and the pool drops the broken connection.
        DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _)
        | DieselError::DatabaseError(DatabaseErrorKind::UnableToSendCommand, _) => DomainError::Unavailable,
        // The server is shutting down or recovering (SQLSTATE class 57) and ended the session.
        DieselError::DatabaseError(DatabaseErrorKind::Unknown, info) if ends_session(info.message()) => {
            DomainError::Unavailable
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
        PoolError::Timeout(_) => DomainError::Unavailable,
        PoolError::Backend(ConnectError::ConnectionError(_)) => DomainError::Unavailable,
        PoolError::Closed => DomainError::Unavailable,
        other => DomainError::Internal(Box::new(other)),
    }
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
