use std::sync::Arc;

use axis_kernel::{Actor, DomainError, Page, PageRequest, Role};

use crate::chain::ChainVerifier;
use crate::{AuditChainStore, AuditEntry, AuditFilter, AuditLogReader, SealOutcome, VerifyReport};

/// Audit use cases fail only in the ways every use case can (non-admins are `Forbidden`).
pub type AuditError = DomainError;

/// Use cases over the audit trail.
pub struct AuditService {
    reader: Arc<dyn AuditLogReader>,
    chain: Arc<dyn AuditChainStore>,
}

const VERIFY_BATCH: u32 = 1_000;

impl AuditService {
    pub fn new(reader: Arc<dyn AuditLogReader>, chain: Arc<dyn AuditChainStore>) -> Self {
        Self { reader, chain }
    }

    pub async fn list(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
        page: PageRequest,
    ) -> Result<Page<AuditEntry>, AuditError> {
        if actor.role != Role::Admin {
            return Err(AuditError::Forbidden);
        }
        self.reader.list(filter, page).await
    }

    /// Seals everything that is ready, in batches. A batch that comes back short means the
    /// ready rows are done: rows committed since then wait for the next call, so a steady
    /// stream of writes costs one sealing transaction per call, not one per few rows.
    pub async fn seal(&self, batch: u32) -> Result<SealOutcome, AuditError> {
        let mut total = self.chain.seal_pending(batch).await?;
        let mut last_batch = total.sealed;
        while last_batch >= u64::from(batch) {
            let next = self.chain.seal_pending(batch).await?;
            last_batch = next.sealed;
            total = SealOutcome { sealed: total.sealed + next.sealed, ..next };
        }
        Ok(total)
    }

    /// How long the oldest committed, unsealed entry has waited.
    pub async fn sealing_lag(&self) -> Result<std::time::Duration, AuditError> {
        self.chain.sealing_lag().await
    }

    /// Walks the whole chain and reports the first broken link.
    pub async fn verify(&self) -> Result<VerifyReport, AuditError> {
        let mut verifier = ChainVerifier::default();
        let mut after = 0;
        loop {
            let batch = self.chain.links_after(after, VERIFY_BATCH).await?;
            let Some((last, _)) = batch.last() else { break };
            after = last.seq;
            for (link, entry) in &batch {
                verifier.check(link, entry.as_ref());
            }
            if verifier.is_broken() {
                return Ok(verifier.finish());
            }
        }
        if let Some(id) = self.chain.unsealed_behind_horizon(1).await?.first() {
            verifier.unsealed_behind_horizon(*id);
        }
        Ok(verifier.finish())
    }
}

#[cfg(test)]
mod tests {
    use axis_kernel::{Actor, RequestContext, SessionId, UserId};

    use super::*;
    use crate::ports::{MockAuditChainStore, MockAuditLogReader};

    fn actor(role: Role) -> Actor {
        Actor::user(UserId::new(), role, SessionId::new(), "t", RequestContext::default())
    }

    #[test]
    fn only_admins_read_the_log() {
        let mut reader = MockAuditLogReader::new();
        reader.expect_list().never();
        let service = AuditService::new(Arc::new(reader), Arc::new(MockAuditChainStore::new()));
        for role in [Role::Manager, Role::Analyst, Role::Viewer] {
            let result = futures_executor::block_on(service.list(
                &actor(role),
                &AuditFilter::default(),
                PageRequest::first(),
            ));
            assert!(matches!(result, Err(AuditError::Forbidden)), "{role} must be refused");
        }
    }

    /// Seals with a store that seals each of `batches` in turn; answers the total sealed.
    fn seal_in_batches(batches: &'static [u64], limit: u32) -> Option<u64> {
        let mut chain = MockAuditChainStore::new();
        let mut calls = 0;
        chain.expect_seal_pending().times(batches.len()).returning(move |_| {
            calls += 1;
            Ok(SealOutcome { sealed: batches[calls - 1], head_seq: 0, head_hash: [0; 32] })
        });
        let service = AuditService::new(Arc::new(MockAuditLogReader::new()), Arc::new(chain));
        futures_executor::block_on(service.seal(limit)).map(|o| o.sealed).ok()
    }

    #[test]
    fn seal_repeats_until_a_batch_comes_back_short() {
        assert_eq!(seal_in_batches(&[10, 10, 0], 10), Some(20), "until nothing is left");
        assert_eq!(seal_in_batches(&[10, 4], 10), Some(14), "a short batch ends it");
    }
}
