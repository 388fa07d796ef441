//! One transaction around several port calls: the port the HTTP kit runs an idempotent create
//! and its stored answer in, so that both commit or neither does. The database adapter
//! implements it; nothing above it knows what a connection is.

use std::future::Future;
use std::pin::Pin;

use crate::DomainError;

/// The work of a unit: it answers whether it succeeded (commit) or not (roll back).
pub type Work<'a> = Pin<Box<dyn Future<Output = bool> + 'a>>;

/// Runs work as one transaction: every adapter call made while it runs shares it. An error
/// means the unit itself failed (it could not begin or commit); work that reports failure is
/// rolled back and is not an error of the unit.
#[async_trait::async_trait(?Send)]
pub trait UnitOfWork: Send + Sync {
    async fn run<'a>(&self, work: Work<'a>) -> Result<(), DomainError>;
}

/// `work` as one unit of `unit`: its own answer, committed when it is `Ok`.
pub async fn in_unit_of_work<T, E: From<DomainError>>(
    unit: &dyn UnitOfWork,
    work: impl Future<Output = Result<T, E>>,
) -> Result<T, E> {
    let mut outcome = None;
    let ran = unit
        .run(Box::pin(async {
            let result = work.await;
            let succeeded = result.is_ok();
            outcome = Some(result);
            succeeded
        }))
        .await;
    match (ran, outcome) {
        (_, Some(Err(error))) => Err(error),
        (Ok(()), Some(Ok(value))) => Ok(value),
        (Err(error), _) => Err(error.into()),
        (Ok(()), None) => Err(DomainError::internal("a unit of work ended without running its work").into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Records whether each unit committed.
    #[derive(Default)]
    struct Recorded {
        commits: Mutex<Vec<bool>>,
        fail_commit: bool,
    }

    #[async_trait::async_trait(?Send)]
    impl UnitOfWork for Recorded {
        async fn run<'a>(&self, work: Work<'a>) -> Result<(), DomainError> {
            let succeeded = work.await;
            if succeeded && self.fail_commit {
                return Err(DomainError::Unavailable);
            }
            self.commits.lock().expect("commits").push(succeeded);
            Ok(())
        }
    }

    #[test]
    fn the_work_answers_and_decides_commit_or_rollback() {
        let unit = Recorded::default();
        let done: Result<i32, DomainError> =
            futures_executor::block_on(in_unit_of_work(&unit, async { Ok(7) }));
        assert_eq!(done.expect("committed"), 7);
        let failed: Result<i32, DomainError> =
            futures_executor::block_on(in_unit_of_work(&unit, async { Err(DomainError::NotFound) }));
        assert!(matches!(failed, Err(DomainError::NotFound)), "the work's own error: {failed:?}");
        assert_eq!(*unit.commits.lock().expect("commits"), vec![true, false]);

        let broken = Recorded { fail_commit: true, ..Recorded::default() };
        let lost: Result<i32, DomainError> =
            futures_executor::block_on(in_unit_of_work(&broken, async { Ok(7) }));
        assert!(matches!(lost, Err(DomainError::Unavailable)), "a failed commit is the answer: {lost:?}");
    }
}
