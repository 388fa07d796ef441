//! Users, profiles, roles, local login, access-token claims and refresh-token families.

pub mod error;
pub mod input;
pub mod model;
pub mod ports;
pub mod service;
pub mod throttle;
pub mod tokens;

pub use error::IdentityError;
pub use input::{NewUser, Password, PersonName, ProfileChanges, ProfileFields, UserChanges};
pub use model::{AuthzState, Profile, RevokeReason, Session, User, UserFilter, UserStats, UserStatus};
pub use ports::{
    AccessTokenCodec, LoginThrottle, PasswordHasher, SessionRepository, TokenGenerator, UserRepository,
};
pub use service::{IdentityService, IdentitySettings, IssuedTokens};
pub use throttle::ThrottlePolicy;
pub use tokens::{AccessClaims, RefreshToken, RefreshTokenHash, TokenError};
