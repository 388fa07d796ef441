use axis_kernel::{DomainError, wraps_domain_error};

/// What identity use cases can refuse beyond what every use case can ([`DomainError`]).
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
    #[error(transparent)]
    Domain(#[from] DomainError),
}

wraps_domain_error!(IdentityError);
