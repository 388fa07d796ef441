//! Cryptography adapters: Ed25519 access tokens (JWT), argon2id passwords, and secrets from
//! the operating system's CSPRNG.

mod jwt;
mod password;
mod random;

pub use jwt::{Ed25519Codec, JwtSettings, KeyError, generate_signing_key_pem};
pub use password::Argon2Hasher;
pub use random::OsTokenGenerator;
