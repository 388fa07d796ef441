//! Members on PostgreSQL: person data in `member_profiles`, staff and beneficiaries with their
//! status histories, the employer check and the trail of reads.

mod beneficiaries;
mod profiles;
mod staff;

pub use beneficiaries::PgBeneficiaries;
pub use staff::{PgEmployerStatus, PgStaff};

use async_trait::async_trait;
use axis_kernel::{AuditRecord, AuditTrail, DomainError};

use crate::Database;
use crate::audited::audited;
pub(crate) use crate::clients::live_clients_in;

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// Writes records that go with no change (reads of person data), each in its own transaction.
#[derive(Clone)]
pub struct PgAuditTrail {
    db: Database,
}

impl PgAuditTrail {
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[async_trait]
impl AuditTrail for PgAuditTrail {
    async fn record(&self, record: &AuditRecord) -> Result<(), DomainError> {
        audited(&self.db, record, async |_| Ok(())).await
    }
}
