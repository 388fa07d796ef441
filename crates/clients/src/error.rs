use axis_kernel::{FieldErrors, RepoError};

/// Everything a clients use case can refuse; the app maps each variant to one HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("not allowed")]
    Forbidden,
    /// Missing, or outside the caller's scope: the two are indistinguishable on purpose.
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Validation(FieldErrors),
    #[error("{0}")]
    Conflict(String),
    /// A natural key already in use (a unique e-mail, a link that exists): a conflict with the
    /// current state, naming the field.
    #[error("already in use")]
    Taken(FieldErrors),
    #[error("the resource was modified since the given version")]
    VersionMismatch,
    #[error(transparent)]
    Repo(RepoError),
}

impl From<FieldErrors> for ClientError {
    fn from(errors: FieldErrors) -> Self {
        ClientError::Validation(errors)
    }
}

/// Unique indexes whose violation is a field error, with the field and the message.
const FIELD_CONSTRAINTS: &[(&str, &str, &str)] = &[
    ("clients_email_key", "email", "is already used by another client"),
    ("industries_code_key", "code", "is already used by another industry"),
    ("industries_name_key", "name", "is already used by another industry"),
    ("industries_external_id_key", "external_id", "is already used by another industry"),
    ("tags_name_key", "name", "is already used by another tag"),
    ("tags_slug_key", "slug", "is already used by another tag"),
    ("client_contacts_email_key", "email", "is already used by another contact of this client"),
];

/// Foreign keys whose violation is a field error.
const REFERENCE_CONSTRAINTS: &[(&str, &str, &str)] = &[
    ("clients_account_manager_id_fkey", "account_manager_id", "is not a user"),
    ("client_tags_tag_id_fkey", "tag_ids", "names a tag that does not exist"),
    ("client_grants_user_id_fkey", "user_id", "is not a user"),
    ("client_activities_contact_id_fkey", "contact_id", "is not a contact of this client"),
];

impl From<RepoError> for ClientError {
    fn from(error: RepoError) -> Self {
        match error {
            RepoError::NotFound => ClientError::NotFound,
            RepoError::VersionConflict => ClientError::VersionMismatch,
            RepoError::Duplicate { constraint } => {
                match FIELD_CONSTRAINTS.iter().find(|(name, _, _)| *name == constraint) {
                    Some((_, field, message)) => ClientError::Taken(FieldErrors::single(*field, *message)),
                    None => ClientError::Conflict(format!("duplicate value ({constraint})")),
                }
            }
            RepoError::MissingReference { constraint } => {
                match REFERENCE_CONSTRAINTS.iter().find(|(name, _, _)| *name == constraint) {
                    Some((_, field, message)) => {
                        ClientError::Validation(FieldErrors::single(*field, *message))
                    }
                    None => ClientError::Conflict(format!(
                        "refers to something that does not exist ({constraint})"
                    )),
                }
            }
            other => ClientError::Repo(other),
        }
    }
}
