//! The admin use cases over the queue: list, read, retry, cancel, and the queue's health.

use std::sync::Arc;

use axis_kernel::{Actor, AuditRecord, Clock, DomainError, Page, PageRequest, Role};

use crate::{Job, JobAdmin, JobFilter, JobId, JobState, QueueStats};

/// States a job can be retried from: it is parked, or waits for a later time.
pub const RETRYABLE_FROM: [JobState; 4] =
    [JobState::Dead, JobState::Cancelled, JobState::Retryable, JobState::Scheduled];

pub struct JobService {
    admin: Arc<dyn JobAdmin>,
    clock: Arc<dyn Clock>,
}

fn require_admin(actor: &Actor) -> Result<(), DomainError> {
    if actor.role == Role::Admin { Ok(()) } else { Err(DomainError::Forbidden) }
}

impl JobService {
    pub fn new(admin: Arc<dyn JobAdmin>, clock: Arc<dyn Clock>) -> Self {
        Self { admin, clock }
    }

    pub async fn list(
        &self,
        actor: &Actor,
        filter: &JobFilter,
        page: PageRequest,
    ) -> Result<Page<Job>, DomainError> {
        require_admin(actor)?;
        self.admin.list(filter, page).await
    }

    pub async fn get(&self, actor: &Actor, id: JobId) -> Result<Job, DomainError> {
        require_admin(actor)?;
        self.admin.get(id).await?.ok_or(DomainError::NotFound)
    }

    /// Runs a dead, cancelled or waiting job now, with at least one more attempt.
    pub async fn retry(&self, actor: &Actor, id: JobId) -> Result<Job, DomainError> {
        let job = self.get(actor, id).await?;
        if !RETRYABLE_FROM.contains(&job.state) {
            return Err(DomainError::conflict(format!("a {} job cannot be retried", job.state)));
        }
        let audit = self.record(actor, "job.retry", &job);
        self.admin.retry(id, &audit).await.map_err(changed_meanwhile)
    }

    /// Cancels a job that has not finished: final, and a running handler stops at its next
    /// progress point.
    pub async fn cancel(&self, actor: &Actor, id: JobId) -> Result<Job, DomainError> {
        let job = self.get(actor, id).await?;
        if job.state.is_final() {
            return Err(DomainError::conflict(format!("the job is already {}", job.state)));
        }
        let audit = self.record(actor, "job.cancel", &job);
        self.admin.cancel(id, &audit).await.map_err(changed_meanwhile)
    }

    pub async fn stats(&self, actor: &Actor) -> Result<QueueStats, DomainError> {
        require_admin(actor)?;
        self.admin.stats().await
    }

    fn record(&self, actor: &Actor, action: &str, job: &Job) -> AuditRecord {
        AuditRecord::new(actor, action, "job", Some(job.id.to_string()), self.clock.now())
            .with_detail("kind", job.kind.clone())
            .with_detail("state_before", job.state.as_str())
            .with_detail("attempt", job.attempt)
    }
}

/// The job was there when read, and left the state the action needs before it was applied.
fn changed_meanwhile(error: DomainError) -> DomainError {
    match error {
        DomainError::NotFound => DomainError::conflict("the job changed state meanwhile; read it again"),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use axis_kernel::{FixedClock, RequestContext, SessionId, UserId};
    use futures_executor::block_on;
    use serde_json::json;
    use time::OffsetDateTime;
    use time::macros::datetime;

    use super::*;
    use crate::MockJobAdmin;

    const NOW: OffsetDateTime = datetime!(2026-11-30 12:00 UTC);

    fn job(state: JobState) -> Job {
        let job = crate::model::running_job("test.job", 3, 3);
        Job { state, last_error: Some("down".into()), finished_at: Some(job.created_at), ..job }
    }

    fn person(role: Role) -> Actor {
        Actor::user(UserId::new(), role, SessionId::new(), "p@example.com", RequestContext::default())
    }

    fn service(admin: MockJobAdmin) -> JobService {
        JobService::new(Arc::new(admin), Arc::new(FixedClock::at(NOW)))
    }

    #[test]
    fn only_admins_reach_the_queue() {
        let mut admin = MockJobAdmin::new();
        admin.expect_get().never();
        admin.expect_list().never();
        let service = service(admin);
        for role in [Role::Manager, Role::Analyst, Role::Viewer] {
            let actor = person(role);
            let list = block_on(service.list(&actor, &JobFilter::default(), PageRequest::first()));
            assert!(matches!(list, Err(DomainError::Forbidden)), "{role} lists");
            assert!(matches!(block_on(service.cancel(&actor, JobId::new())), Err(DomainError::Forbidden)));
        }
    }

    #[test]
    fn retry_and_cancel_refuse_states_they_do_not_apply_to() {
        for (state, retry_ok, cancel_ok) in [
            (JobState::Dead, true, false),
            (JobState::Cancelled, true, false),
            (JobState::Completed, false, false),
            (JobState::Running, false, true),
            (JobState::Available, false, true),
            (JobState::Retryable, true, true),
        ] {
            let stored = job(state);
            let mut admin = MockJobAdmin::new();
            let found = stored.clone();
            admin.expect_get().returning(move |_| Ok(Some(found.clone())));
            let changed = stored.clone();
            admin
                .expect_retry()
                .times(usize::from(retry_ok))
                .withf(|_, audit| audit.action == "job.retry" && audit.details["state_before"] != json!(null))
                .returning(move |_, _| Ok(changed.clone()));
            let changed = stored.clone();
            admin
                .expect_cancel()
                .times(usize::from(cancel_ok))
                .withf(|_, audit| audit.action == "job.cancel")
                .returning(move |_, _| Ok(changed.clone()));
            let service = service(admin);
            let admin = person(Role::Admin);
            let retried = block_on(service.retry(&admin, stored.id));
            assert_eq!(retried.is_ok(), retry_ok, "retry from {state}: {retried:?}");
            if !retry_ok {
                assert!(
                    matches!(retried, Err(DomainError::Conflict { .. })),
                    "retry from {state} is a conflict"
                );
            }
            let cancelled = block_on(service.cancel(&admin, stored.id));
            assert_eq!(cancelled.is_ok(), cancel_ok, "cancel from {state}: {cancelled:?}");
        }
    }

    #[test]
    fn a_job_that_moved_on_before_the_change_is_a_conflict() {
        let stored = job(JobState::Dead);
        let mut admin = MockJobAdmin::new();
        admin.expect_get().returning(move |_| Ok(Some(stored.clone())));
        admin.expect_retry().returning(|_, _| Err(DomainError::NotFound));
        let result = block_on(service(admin).retry(&person(Role::Admin), JobId::new()));
        assert!(matches!(result, Err(DomainError::Conflict { .. })), "{result:?}");
    }
}
