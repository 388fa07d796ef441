//! Share links on PostgreSQL: the token's hash, the link, its openings.

use async_trait::async_trait;
use axis_kernel::{AuditRecord, ClientId, DomainError, PageRequest, UserId};
use axis_postgres::audited::{audited, audited_if};
use axis_postgres::error::{map_diesel, unexpected};
use axis_postgres::schema::{report_share_accesses, report_shares};
use axis_reports::{ReportId, Share, ShareAccess, ShareId, ShareStore};
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::PgReports;

#[derive(Clone, Queryable, Selectable)]
#[diesel(table_name = report_shares)]
struct ShareRow {
    id: Uuid,
    report_id: Uuid,
    client_id: Uuid,
    permission: String,
    recipient_email: Option<String>,
    expires_at: OffsetDateTime,
    revoked_at: Option<OffsetDateTime>,
    access_count: i64,
    last_accessed_at: Option<OffsetDateTime>,
    created_by: Option<Uuid>,
    created_at: OffsetDateTime,
}

impl TryFrom<ShareRow> for Share {
    type Error = DomainError;

    fn try_from(row: ShareRow) -> Result<Self, DomainError> {
        Ok(Share {
            id: ShareId(row.id),
            report_id: ReportId(row.report_id),
            client_id: ClientId(row.client_id),
            permission: row
                .permission
                .parse()
                .map_err(|_| unexpected(format!("report_shares.permission holds {:?}", row.permission)))?,
            recipient_email: row.recipient_email,
            expires_at: row.expires_at,
            revoked_at: row.revoked_at,
            access_count: row.access_count,
            last_accessed_at: row.last_accessed_at,
            created_by: row.created_by.map(UserId),
            created_at: row.created_at,
        })
    }
}

#[async_trait]
impl ShareStore for PgReports {
    async fn create(
        &self,
        share: &Share,
        token_hash: [u8; 32],
        audit: &AuditRecord,
    ) -> Result<(), DomainError> {
        let share = share.clone();
        audited(&self.db, audit, async move |conn| {
            use report_shares as s;
            diesel::insert_into(s::table)
                .values((
                    s::id.eq(share.id.0),
                    s::report_id.eq(share.report_id.0),
                    s::client_id.eq(share.client_id.0),
                    s::token_hash.eq(token_hash.to_vec()),
                    s::permission.eq(share.permission.as_str()),
                    s::recipient_email.eq(&share.recipient_email),
                    s::expires_at.eq(share.expires_at),
                    s::created_by.eq(share.created_by.map(|u| u.0)),
                    s::created_at.eq(share.created_at),
                ))
                .execute(conn)
                .await?;
            Ok(())
        })
        .await
    }

    async fn get(&self, id: ShareId) -> Result<Option<Share>, DomainError> {
        let mut conn = self.db.conn().await?;
        let row: Option<ShareRow> = report_shares::table
            .find(id.0)
            .select(ShareRow::as_select())
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        row.map(Share::try_from).transpose()
    }

    async fn list(&self, report: ReportId) -> Result<Vec<Share>, DomainError> {
        use report_shares as s;
        let mut conn = self.db.conn().await?;
        let rows: Vec<ShareRow> = s::table
            .filter(s::report_id.eq(report.0))
            .order((s::created_at.desc(), s::id.desc()))
            .select(ShareRow::as_select())
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        rows.into_iter().map(Share::try_from).collect()
    }

    async fn find(&self, hash: [u8; 32]) -> Result<Option<Share>, DomainError> {
        let mut conn = self.db.conn().await?;
        let row: Option<ShareRow> = report_shares::table
            .filter(report_shares::token_hash.eq(hash.to_vec()))
            .select(ShareRow::as_select())
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        row.map(Share::try_from).transpose()
    }

    async fn revoke(
        &self,
        id: ShareId,
        at: OffsetDateTime,
        audit: &AuditRecord,
    ) -> Result<bool, DomainError> {
        audited_if(&self.db, audit, async move |conn| {
            use report_shares as s;
            let changed = diesel::update(s::table.filter(s::id.eq(id.0)).filter(s::revoked_at.is_null()))
                .set(s::revoked_at.eq(Some(at)))
                .execute(conn)
                .await?;
            Ok(changed > 0)
        })
        .await
    }

    async fn record_access(
        &self,
        id: ShareId,
        access: &ShareAccess,
        audit: &AuditRecord,
    ) -> Result<(), DomainError> {
        let access = access.clone();
        audited(&self.db, audit, async move |conn| {
            use report_shares as s;
            diesel::update(s::table.filter(s::id.eq(id.0)))
                .set((s::access_count.eq(s::access_count + 1), s::last_accessed_at.eq(Some(access.at))))
                .execute(conn)
                .await?;
            let ip: Option<String> = access.ip.map(|ip| ip.chars().take(64).collect());
            diesel::insert_into(report_share_accesses::table)
                .values((
                    report_share_accesses::share_id.eq(id.0),
                    report_share_accesses::at.eq(access.at),
                    report_share_accesses::ip.eq(ip),
                    report_share_accesses::user_agent.eq(access.user_agent),
                    report_share_accesses::format.eq(access.format),
                ))
                .execute(conn)
                .await?;
            Ok(())
        })
        .await
    }

    async fn accesses(&self, id: ShareId, page: PageRequest) -> Result<(Vec<ShareAccess>, u64), DomainError> {
        use report_share_accesses as a;
        let mut conn = self.db.conn().await?;
        let total: i64 = a::table
            .filter(a::share_id.eq(id.0))
            .select(count_star())
            .get_result(&mut *conn)
            .await
            .map_err(map_diesel)?;
        let rows: Vec<(OffsetDateTime, Option<String>, Option<String>, String)> = a::table
            .filter(a::share_id.eq(id.0))
            .order((a::at.desc(), a::id.desc()))
            .select((a::at, a::ip, a::user_agent, a::format))
            .limit(i64::from(page.limit()))
            .offset(i64::try_from(page.offset()).unwrap_or(i64::MAX))
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        let accesses = rows
            .into_iter()
            .map(|(at, ip, user_agent, format)| ShareAccess { at, ip, user_agent, format })
            .collect();
        Ok((accesses, total.unsigned_abs()))
    }
}
