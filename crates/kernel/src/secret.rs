//! Unguessable values (share-link tokens): 256 bits from the operating system's CSPRNG, behind
//! a port so the domain stays free of it and tests can fix them.

/// A source of 32 random bytes.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait SecretSource: Send + Sync {
    fn secret(&self) -> [u8; 32];
}
