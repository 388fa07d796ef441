use std::collections::BTreeMap;

/// Field name -> messages; becomes the `errors` member of a 422 problem.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(BTreeMap<String, Vec<String>>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.entry(field.into()).or_default().push(message.into());
    }

    pub fn single(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut errors = Self::new();
        errors.add(field, message);
        errors
    }

    /// Adds every error of `other`.
    pub fn merge(&mut self, other: FieldErrors) {
        for (field, messages) in other.0 {
            self.0.entry(field).or_default().extend(messages);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn fields(&self) -> &BTreeMap<String, Vec<String>> {
        &self.0
    }

    /// `Ok(())` when nothing was collected, so validation can end with `errors.into_result()?`.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}

/// What any use case can answer, and what any port can report. Each domain error enum wraps it
/// with `#[from]` and adds only the failures its own operations have; a domain with none of its
/// own uses it as it is. The HTTP layer maps it to problem+json in one place. Adapters translate
/// their driver's failures into it (a unique index into `Conflict` naming the field), so no
/// driver message and no constraint name crosses into a domain crate.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The actor's role may not do this.
    #[error("not allowed")]
    Forbidden,
    /// Missing, or outside the actor's scope: the two are indistinguishable on purpose.
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Validation(FieldErrors),
    /// Refused by the current state; `errors` names the fields when a natural key is taken.
    #[error("{message}")]
    Conflict { message: String, errors: FieldErrors },
    /// The lifecycle has no move for `action` from status `from` (see [`crate::lifecycle`]).
    #[error("cannot {action} from status {from}")]
    IllegalTransition { from: String, action: String },
    /// The stored version is not the one the caller read (optimistic concurrency).
    #[error("the resource was modified since the given version")]
    VersionMismatch,
    /// An upload passed its limit of `limit` bytes (it is read no further).
    #[error("larger than {limit} bytes")]
    TooLarge { limit: u64 },
    /// Storage or another dependency could not be reached in time; the caller may retry.
    #[error("a dependency is unavailable")]
    Unavailable,
    /// The caller asked too often; it may ask again after `retry_after_secs`.
    #[error("too many requests")]
    RateLimited { retry_after_secs: u64 },
    /// A fault of the system itself; logged, never shown.
    #[error(transparent)]
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

impl DomainError {
    /// A conflict with the current state, explained.
    pub fn conflict(message: impl Into<String>) -> Self {
        DomainError::Conflict { message: message.into(), errors: FieldErrors::new() }
    }

    /// A conflict with stored data that one field runs into (a period outside its stored
    /// assignment): the message, also as the field's error.
    pub fn conflict_on(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        DomainError::Conflict { errors: FieldErrors::single(field, message.clone()), message }
    }

    /// A natural key already in use: a conflict naming the field.
    pub fn taken(field: &str, message: impl Into<String>) -> Self {
        DomainError::Conflict {
            message: format!("{field} is already in use"),
            errors: FieldErrors::single(field, message),
        }
    }

    /// A fault described in words (an impossible row, a broken invariant).
    pub fn internal(message: impl Into<String>) -> Self {
        DomainError::Internal(message.into().into())
    }
}

impl From<FieldErrors> for DomainError {
    fn from(errors: FieldErrors) -> Self {
        DomainError::Validation(errors)
    }
}

/// For a domain error enum that wraps [`DomainError`] as its `Domain` variant: field errors
/// convert into it too, so `errors.into_result()?` works in its use cases.
#[macro_export]
macro_rules! wraps_domain_error {
    ($error:ty) => {
        impl From<$crate::FieldErrors> for $error {
            fn from(errors: $crate::FieldErrors) -> Self {
                Self::Domain($crate::DomainError::Validation(errors))
            }
        }
    };
}

/// The check of a conditional write: `VersionMismatch` (412) when the caller's expected version
/// (`If-Match` or `version` in the body) is not the current one; no expectation always passes.
pub fn expect_version(if_match: Option<i32>, current: i32) -> Result<(), DomainError> {
    match if_match {
        Some(expected) if expected != current => Err(DomainError::VersionMismatch),
        _ => Ok(()),
    }
}

/// How many times a write the caller did not make conditional is tried when concurrent writes
/// keep moving the version between its read and its write. Every round one of the racing
/// writes lands, so this many writers racing on one row all land.
const UNCONDITIONAL_ATTEMPTS: u32 = 12;

/// Runs `attempt` (read, decide, write against the version read) and, when the caller sent no
/// `If-Match` (`if_match` is `None`), runs it again after losing a race to another write: a
/// version mismatch is the caller's precondition failing only when the caller stated one.
pub async fn retry_unconditional<T, F, Fut>(if_match: Option<i32>, mut attempt: F) -> Result<T, DomainError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, DomainError>>,
{
    let mut tries = 1;
    loop {
        match attempt().await {
            Err(DomainError::VersionMismatch) if if_match.is_none() && tries < UNCONDITIONAL_ATTEMPTS => {
                tries += 1
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod retry_tests {
    use std::cell::Cell;

    use super::*;

    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        // The attempts below never wait, so one poll finishes them.
        let waker = std::task::Waker::noop();
        let mut context = std::task::Context::from_waker(waker);
        let mut future = std::pin::pin!(future);
        match future.as_mut().poll(&mut context) {
            std::task::Poll::Ready(output) => output,
            std::task::Poll::Pending => panic!("an attempt waited"),
        }
    }

    #[test]
    fn a_lost_race_is_tried_again_only_without_if_match() {
        let calls = Cell::new(0);
        let losing_twice = || {
            calls.set(calls.get() + 1);
            let call = calls.get();
            async move { if call < 3 { Err(DomainError::VersionMismatch) } else { Ok(call) } }
        };
        assert_eq!(block_on(retry_unconditional(None, losing_twice)).ok(), Some(3));
        calls.set(0);
        let result = block_on(retry_unconditional(Some(7), losing_twice));
        assert!(matches!(result, Err(DomainError::VersionMismatch)), "the caller's If-Match failed");
        assert_eq!(calls.get(), 1);
        calls.set(0);
        let always = || {
            calls.set(calls.get() + 1);
            async { Err::<(), _>(DomainError::VersionMismatch) }
        };
        assert!(block_on(retry_unconditional(None, always)).is_err(), "gives up in the end");
        assert_eq!(calls.get(), UNCONDITIONAL_ATTEMPTS);
    }
}
