//! Access-token claims and refresh tokens.

use axis_kernel::{Role, SessionId, UserId};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// The claims of our access token (`typ: at+jwt`). Issuer and audience are the codec's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessClaims {
    pub sub: UserId,
    pub sid: SessionId,
    pub role: Role,
    /// The user's `authz_ver` when the token was issued.
    pub ver: i32,
    pub jti: uuid::Uuid,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Any reason a presented token is not accepted. The reason is for logs, never for clients.
    #[error("invalid token: {0}")]
    Invalid(&'static str),
    #[error("token signing failed")]
    Signing,
}

/// An opaque refresh token as handed to the client (256 bits, base64url).
#[derive(Clone, PartialEq, Eq)]
pub struct RefreshToken(String);

impl std::fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RefreshToken(..)")
    }
}

/// The stored form of a refresh token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RefreshTokenHash(pub [u8; 32]);

impl RefreshToken {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Accepts only the exact shape we issue, so junk never reaches the database.
    pub fn parse(raw: &str) -> Option<Self> {
        let decoded = URL_SAFE_NO_PAD.decode(raw.trim()).ok()?;
        (decoded.len() == 32).then(|| Self(raw.trim().to_owned()))
    }

    pub fn hash(&self) -> RefreshTokenHash {
        RefreshTokenHash(Sha256::digest(self.0.as_bytes()).into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_tokens_round_trip_and_hash_stably() {
        let token = RefreshToken::from_bytes([7; 32]);
        assert_eq!(token.expose().len(), 43);
        let parsed = RefreshToken::parse(token.expose()).unwrap();
        assert_eq!(parsed.hash(), token.hash());
        assert_ne!(RefreshToken::from_bytes([8; 32]).hash(), token.hash());
    }

    #[test]
    fn malformed_refresh_tokens_are_refused() {
        for bad in ["", "abc", "eyJhbGciOiJFZERTQSJ9.e30.sig", &"A".repeat(44), "!!!!"] {
            assert!(RefreshToken::parse(bad).is_none(), "{bad:?}");
        }
    }
}
