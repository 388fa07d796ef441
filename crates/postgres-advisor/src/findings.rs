//! Findings: read by client with their filters, saved against the version read.

use async_trait::async_trait;
use axis_advisor::{Finding, FindingFilter, FindingId, FindingStatus, Findings};
use axis_kernel::{AuditRecord, ClientId, DomainError, PageRequest};
use axis_postgres::audited::audited_update;
use axis_postgres::error::map_diesel;
use axis_postgres::schema::advisor_findings;
use diesel::dsl::count_star;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::rows::FindingRow;
use crate::{PgAdvisor, offset};

fn filtered(client: ClientId, filter: &FindingFilter) -> advisor_findings::BoxedQuery<'static, Pg> {
    use advisor_findings as f;
    let mut rows = f::table.filter(f::client_id.eq(client.0)).into_boxed();
    if let Some(status) = filter.status {
        rows = rows.filter(f::status.eq(status.as_str()));
    }
    if let Some(owner) = filter.owner {
        rows = rows.filter(f::owner_id.eq(owner.0));
    }
    if let Some(category) = filter.category {
        rows = rows.filter(f::category.eq(category.as_str()));
    }
    if let Some(day) = filter.overdue_on {
        let open = [FindingStatus::Open.as_str(), FindingStatus::InProgress.as_str()];
        rows = rows.filter(f::due_date.lt(day)).filter(f::status.eq_any(open));
    }
    rows
}

#[async_trait]
impl Findings for PgAdvisor {
    async fn get(&self, id: FindingId) -> Result<Option<Finding>, DomainError> {
        let mut conn = self.db.conn().await?;
        let row: Option<FindingRow> = advisor_findings::table
            .find(id.0)
            .select(FindingRow::as_select())
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        row.map(Finding::try_from).transpose()
    }

    async fn list(
        &self,
        client: ClientId,
        filter: &FindingFilter,
        page: PageRequest,
    ) -> Result<(Vec<Finding>, u64), DomainError> {
        use advisor_findings as f;
        let mut conn = self.db.conn().await?;
        let total: i64 =
            filtered(client, filter).select(count_star()).get_result(&mut *conn).await.map_err(map_diesel)?;
        let rows: Vec<FindingRow> = filtered(client, filter)
            .order((f::due_date.asc().nulls_last(), f::created_at.asc(), f::id.asc()))
            .select(FindingRow::as_select())
            .limit(i64::from(page.limit()))
            .offset(offset(page))
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        let findings = rows.into_iter().map(Finding::try_from).collect::<Result<_, _>>()?;
        Ok((findings, total.unsigned_abs()))
    }

    async fn save(&self, finding: &Finding, audit: &AuditRecord) -> Result<(), DomainError> {
        use advisor_findings as f;
        let finding = finding.clone();
        audited_update(&self.db, audit, async move |conn| {
            let changed = diesel::update(
                f::table.filter(f::id.eq(finding.id.0)).filter(f::version.eq(finding.version - 1)),
            )
            .set((
                f::status.eq(finding.status.as_str()),
                f::owner_id.eq(finding.owner_id.map(|u| u.0)),
                f::due_date.eq(finding.due_date),
                f::notes.eq(&finding.notes),
                f::dismissed_reason.eq(&finding.dismissed_reason),
                f::resolved_at.eq(finding.resolved_at),
                f::updated_at.eq(finding.updated_at),
                f::version.eq(finding.version),
            ))
            .execute(conn)
            .await?;
            Ok((changed > 0).then_some(()))
        })
        .await
    }
}
