//! Findings: read from a client's snapshots and the states people gave them
//! (`sql/findings.sql`); a change saves the state against the version read.

use async_trait::async_trait;
use axis_advisor::{Finding, FindingFilter, FindingId, FindingStatus, Findings};
use axis_kernel::{AuditRecord, ClientId, DomainError, PageRequest};
use axis_postgres::audited::audited_update;
use axis_postgres::error::map_diesel;
use axis_postgres::schema::{advisor_findings, advisor_imports, advisor_recommendations};
use axis_postgres::sql_file::SqlFile;
use diesel::prelude::*;

use diesel::sql_types::{BigInt, Date as SqlDate, Nullable, Text, Uuid as SqlUuid};
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::rows::FindingRow;
use crate::{PgAdvisor, offset};

const FINDINGS: &str = include_str!("sql/findings.sql");

/// One page of `client`'s findings by `filter` (or the one finding `only`), with the total.
async fn read(
    conn: &mut AsyncPgConnection,
    client: ClientId,
    only: Option<FindingId>,
    filter: &FindingFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<FindingRow>, DomainError> {
    SqlFile::new(FINDINGS)
        .bind::<SqlUuid, _>(client.0)
        .bind::<Nullable<SqlUuid>, _>(only.map(|id| id.0))
        .bind::<Nullable<Text>, _>(filter.status.map(FindingStatus::as_str))
        .bind::<Nullable<SqlUuid>, _>(filter.owner.map(|owner| owner.0))
        .bind::<Nullable<Text>, _>(filter.category.map(|category| category.as_str()))
        .bind::<Nullable<SqlDate>, _>(filter.overdue_on)
        .bind::<BigInt, _>(limit)
        .bind::<BigInt, _>(offset)
        .load(conn)
        .await
        .map_err(map_diesel)
}

#[async_trait]
impl Findings for PgAdvisor {
    async fn get(&self, id: FindingId) -> Result<Option<Finding>, DomainError> {
        use advisor_recommendations as r;
        let mut conn = self.db.conn().await?;
        // The client is in the id's hash, not readable from it: any completed snapshot's row says.
        let client: Option<Uuid> = r::table
            .inner_join(advisor_imports::table)
            .filter(r::finding_id.eq(id.0))
            .filter(advisor_imports::status.eq("completed"))
            .select(advisor_imports::client_id)
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        let Some(client) = client else { return Ok(None) };
        let rows = read(&mut conn, ClientId(client), Some(id), &FindingFilter::default(), 1, 0).await?;
        rows.into_iter().next().map(Finding::try_from).transpose()
    }

    async fn list(
        &self,
        client: ClientId,
        filter: &FindingFilter,
        page: PageRequest,
    ) -> Result<(Vec<Finding>, u64), DomainError> {
        let mut conn = self.db.conn().await?;
        let rows = read(&mut conn, client, None, filter, i64::from(page.limit()), offset(page)).await?;
        let total = match rows.as_slice().first() {
            Some(row) => row.total,
            // A page past the end has no row to carry the total.
            None if page.offset() > 0 => {
                read(&mut conn, client, None, filter, 1, 0).await?.as_slice().first().map_or(0, |r| r.total)
            }
            None => 0,
        };
        let findings = rows.into_iter().map(Finding::try_from).collect::<Result<_, _>>()?;
        Ok((findings, total.unsigned_abs()))
    }

    /// Saves the state of `finding` if it is still at the version before (a finding nobody
    /// changed yet has no state row and reads as version 1).
    async fn all(&self, client: ClientId) -> Result<Vec<Finding>, DomainError> {
        let mut conn = self.db.conn().await?;
        let rows = read(&mut conn, client, None, &FindingFilter::default(), i64::MAX, 0).await?;
        rows.into_iter().map(Finding::try_from).collect()
    }

    async fn save(&self, finding: &Finding, audit: &AuditRecord) -> Result<(), DomainError> {
        use advisor_findings as f;
        let finding = finding.clone();
        audited_update(&self.db, audit, async move |conn| {
            let state = (
                f::id.eq(finding.id.0),
                f::client_id.eq(finding.client_id.0),
                f::status.eq(finding.status.as_str()),
                f::owner_id.eq(finding.owner_id.map(|u| u.0)),
                f::due_date.eq(finding.due_date),
                f::notes.eq(&finding.notes),
                f::dismissed_reason.eq(&finding.dismissed_reason),
                f::updated_at.eq(finding.updated_at),
                f::version.eq(finding.version),
            );
            // No row yet (never changed: read as version 1): the insert is the change. A row:
            // changed only if still at the version read (a concurrent first change included).
            let upsert = diesel::insert_into(f::table).values(state).on_conflict(f::id).do_update().set((
                f::status.eq(excluded(f::status)),
                f::owner_id.eq(excluded(f::owner_id)),
                f::due_date.eq(excluded(f::due_date)),
                f::notes.eq(excluded(f::notes)),
                f::dismissed_reason.eq(excluded(f::dismissed_reason)),
                f::updated_at.eq(excluded(f::updated_at)),
                f::version.eq(excluded(f::version)),
            ));
            let changed =
                diesel::query_dsl::methods::FilterDsl::filter(upsert, f::version.eq(finding.version - 1))
                    .execute(conn)
                    .await?;
            Ok((changed > 0).then_some(()))
        })
        .await
    }
}
