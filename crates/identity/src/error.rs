use axis_kernel::{FieldErrors, RepoError};

/// Everything an identity use case can refuse, each mapped to one HTTP status by the app.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// Wrong e-mail or password, or an account that may not sign in: one answer for all.
    #[error("invalid e-mail or password")]
    InvalidCredentials,
    #[error("too many failed attempts; retry in {retry_after_secs} s")]
    Throttled { retry_after_secs: u64 },
    #[error("local accounts are switched off")]
    LocalLoginDisabled,
    /// A refresh token that is unknown, spent, revoked or expired.
    #[error("invalid refresh token")]
    InvalidRefreshToken,
    /// No usable access token. The reason is for logs only.
    #[error("not authenticated: {0}")]
    Unauthenticated(&'static str),
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Validation(FieldErrors),
    #[error("{0}")]
    Conflict(&'static str),
    /// A natural key already in use, naming the field (409).
    #[error("already in use")]
    Taken(FieldErrors),
    #[error("the resource was modified since the given version")]
    VersionMismatch,
    #[error(transparent)]
    Repo(RepoError),
}

impl From<RepoError> for IdentityError {
    fn from(error: RepoError) -> Self {
        match error {
            RepoError::NotFound => IdentityError::NotFound,
            RepoError::VersionConflict => IdentityError::VersionMismatch,
            RepoError::Duplicate { constraint } if constraint == "users_email_key" => {
                IdentityError::Taken(FieldErrors::single("email", "is already used by another user"))
            }
            other => IdentityError::Repo(other),
        }
    }
}

impl From<FieldErrors> for IdentityError {
    fn from(errors: FieldErrors) -> Self {
        IdentityError::Validation(errors)
    }
}
