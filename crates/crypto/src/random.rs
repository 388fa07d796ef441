use axis_identity::{RefreshToken, TokenGenerator};
use rand::Rng;
use rand::TryRngCore;
use rand::rngs::OsRng;

/// Secrets straight from the operating system's CSPRNG.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsTokenGenerator;

/// Letters and digits without look-alikes (0/O, 1/l/I).
const PASSWORD_ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

impl TokenGenerator for OsTokenGenerator {
    fn refresh_token(&self) -> RefreshToken {
        let mut bytes = [0u8; 32];
        fill(&mut bytes);
        RefreshToken::from_bytes(bytes)
    }

    fn password(&self) -> String {
        let mut rng = OsRng.unwrap_err();
        (0..24).map(|_| char::from(PASSWORD_ALPHABET[rng.random_range(0..PASSWORD_ALPHABET.len())])).collect()
    }
}

impl axis_kernel::SecretSource for OsTokenGenerator {
    fn secret(&self) -> [u8; 32] {
        let mut bytes = [0u8; 32];
        fill(&mut bytes);
        bytes
    }
}

/// Fills `bytes` from the OS. The OS source failing is unrecoverable for a security service;
/// `rand` reports it by panicking, which the server turns into a 500 for that request.
pub(crate) fn fill(bytes: &mut [u8]) {
    OsRng.unwrap_err().fill(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_passwords_differ_every_time() {
        let generator = OsTokenGenerator;
        assert_ne!(generator.refresh_token(), generator.refresh_token());
        let password = generator.password();
        assert_eq!(password.len(), 24);
        assert!(password.bytes().all(|b| PASSWORD_ALPHABET.contains(&b)));
        assert_ne!(password, generator.password());
    }
}
