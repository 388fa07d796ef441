use argon2::{Argon2, PasswordHash, PasswordHasher as _, PasswordVerifier as _};
use async_trait::async_trait;
use axis_identity::{Password, PasswordHasher};
use axis_kernel::DomainError;

/// argon2id with the crate's defaults (19 MiB, 2 passes, 1 lane: the OWASP minimum), run on
/// tokio's blocking pool so hashing never stalls the request threads.
#[derive(Clone)]
pub struct Argon2Hasher {
    /// A hash of a random password, checked when the account does not exist so that the
    /// answer takes as long as for a real account.
    decoy: String,
}

impl Argon2Hasher {
    pub fn new() -> Result<Self, anyhow::Error> {
        let mut seed = [0u8; 32];
        crate::random::fill(&mut seed);
        let decoy =
            Argon2::default().hash_password(&seed).map_err(|e| anyhow::anyhow!("argon2: {e}"))?.to_string();
        Ok(Self { decoy })
    }
}

fn check(candidate: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default().verify_password(candidate.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: &Password) -> Result<String, DomainError> {
        let password = password.expose().to_owned();
        tokio::task::spawn_blocking(move || {
            Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string())
        })
        .await
        .map_err(|e| DomainError::Internal(e.into()))?
        .map_err(|e| DomainError::Internal(e.to_string().into()))
    }

    async fn verify(&self, candidate: &str, hash: Option<String>) -> bool {
        let candidate = candidate.to_owned();
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.decoy.clone());
        let matched = tokio::task::spawn_blocking(move || check(&candidate, &hash)).await.unwrap_or(false);
        known && matched
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_wrong_passwords_do_not() {
        let hasher = Argon2Hasher::new().unwrap();
        let password = Password::parse("correct horse battery").unwrap();
        let hash = hasher.hash(&password).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(hasher.verify("correct horse battery", Some(hash.clone())).await);
        assert!(!hasher.verify("correct horse battery!", Some(hash)).await);
        assert!(!hasher.verify("correct horse battery", None).await);
        assert!(!hasher.verify("x", Some("not a hash".into())).await);
    }
}
