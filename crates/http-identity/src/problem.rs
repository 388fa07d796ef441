//! The identity domain's own errors as problem+json, through the kit's `DomainProblems`
//! (handlers call `.map_err(IdentityProblems::problem)`).

use actix_web::http::StatusCode;
use axis_http::problem::{ApiError, DomainProblems};
use axis_identity::IdentityError;

/// Maps [`IdentityError`]: failed logins, throttling, refused tokens.
pub struct IdentityProblems;

impl DomainProblems for IdentityProblems {
    type Error = IdentityError;

    fn problem(error: IdentityError) -> ApiError {
        match error {
            IdentityError::InvalidCredentials => {
                ApiError::new(StatusCode::UNAUTHORIZED, "invalid_credentials", "Login failed")
                    .with_detail("the e-mail or the password is wrong")
            }
            IdentityError::Throttled { retry_after_secs } => {
                ApiError::too_many_requests("too_many_attempts", retry_after_secs)
            }
            IdentityError::LocalLoginDisabled => {
                ApiError::new(StatusCode::FORBIDDEN, "local_login_disabled", "Not allowed")
                    .with_detail("e-mail and password login is switched off")
            }
            IdentityError::InvalidRefreshToken => {
                ApiError::new(StatusCode::UNAUTHORIZED, "invalid_refresh_token", "Refresh failed")
                    .with_detail("the refresh token is unknown, spent, revoked or expired; log in again")
            }
            IdentityError::Unauthenticated(reason) => {
                tracing::debug!(reason, "access token refused");
                ApiError::unauthorized()
            }
            IdentityError::Domain(error) => error.into(),
        }
    }
}
