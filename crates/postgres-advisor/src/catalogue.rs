//! The effort and investment catalogue.

use async_trait::async_trait;
use axis_advisor::CatalogueStore;
use axis_advisor::catalogue::{Catalogue, CatalogueDraft, CatalogueEntry, CatalogueEntryId};
use axis_kernel::{AuditRecord, DomainError, PageRequest};
use axis_postgres::audited::{audited, audited_update};
use axis_postgres::error::map_diesel;
use axis_postgres::like_pattern;
use axis_postgres::schema::advisor_catalogue;
use diesel::dsl::{count_star, sql};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel_async::RunQueryDsl;
use time::OffsetDateTime;

use crate::rows::CatalogueRow;
use crate::{PgAdvisor, offset};

fn searched(search: &Option<String>) -> advisor_catalogue::BoxedQuery<'static, Pg> {
    let mut rows = advisor_catalogue::table.into_boxed();
    if let Some(search) = search {
        let pattern = like_pattern(search);
        rows = rows.filter(
            sql::<Bool>("(advisor_catalogue.recommendation ILIKE ")
                .bind::<Text, _>(pattern.clone())
                .sql(" OR advisor_catalogue.recommendation_type_id ILIKE ")
                .bind::<Text, _>(pattern.clone())
                .sql(" OR advisor_catalogue.solution ILIKE ")
                .bind::<Text, _>(pattern)
                .sql(")"),
        );
    }
    rows
}

fn row_of(id: CatalogueEntryId, draft: &CatalogueDraft, version: i32, at: OffsetDateTime) -> CatalogueRow {
    CatalogueRow {
        id: id.0,
        recommendation_type_id: draft.recommendation_type_id.clone(),
        recommendation: draft.recommendation.clone(),
        effort_hours: draft.effort_hours.clone(),
        monthly_investment: draft.monthly_investment.clone(),
        currency: draft.currency.clone(),
        solution: draft.solution.clone(),
        risk_probability: draft.risk_probability,
        risk_impact: draft.risk_impact,
        billing_increase: draft.billing_increase,
        version,
        created_at: at,
        updated_at: at,
    }
}

#[async_trait]
impl CatalogueStore for PgAdvisor {
    async fn all(&self) -> Result<Catalogue, DomainError> {
        let mut conn = self.db.conn().await?;
        let rows: Vec<CatalogueRow> = advisor_catalogue::table
            .order(advisor_catalogue::id)
            .select(CatalogueRow::as_select())
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        Ok(Catalogue::new(rows.into_iter().map(CatalogueEntry::from).collect()))
    }

    async fn get(&self, id: CatalogueEntryId) -> Result<Option<CatalogueEntry>, DomainError> {
        let mut conn = self.db.conn().await?;
        let row: Option<CatalogueRow> = advisor_catalogue::table
            .find(id.0)
            .select(CatalogueRow::as_select())
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        Ok(row.map(CatalogueEntry::from))
    }

    async fn list(
        &self,
        search: Option<String>,
        page: PageRequest,
    ) -> Result<(Vec<CatalogueEntry>, u64), DomainError> {
        use advisor_catalogue as c;
        let mut conn = self.db.conn().await?;
        let total: i64 =
            searched(&search).select(count_star()).get_result(&mut *conn).await.map_err(map_diesel)?;
        let rows: Vec<CatalogueRow> = searched(&search)
            .order((c::recommendation.asc(), c::recommendation_type_id.asc(), c::id.asc()))
            .select(CatalogueRow::as_select())
            .limit(i64::from(page.limit()))
            .offset(offset(page))
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        Ok((rows.into_iter().map(CatalogueEntry::from).collect(), total.unsigned_abs()))
    }

    async fn create(
        &self,
        id: CatalogueEntryId,
        draft: &CatalogueDraft,
        at: OffsetDateTime,
        audit: &AuditRecord,
    ) -> Result<CatalogueEntry, DomainError> {
        let row = row_of(id, draft, 1, at);
        let stored = audited(&self.db, audit, async move |conn| {
            Ok(diesel::insert_into(advisor_catalogue::table)
                .values(&row)
                .returning(CatalogueRow::as_returning())
                .get_result(conn)
                .await?)
        })
        .await?;
        Ok(CatalogueEntry::from(stored))
    }

    async fn update(
        &self,
        id: CatalogueEntryId,
        version: i32,
        draft: &CatalogueDraft,
        at: OffsetDateTime,
        audit: &AuditRecord,
    ) -> Result<CatalogueEntry, DomainError> {
        use advisor_catalogue as c;
        let draft = draft.clone();
        let stored = audited_update(&self.db, audit, async move |conn| {
            Ok(diesel::update(c::table.filter(c::id.eq(id.0)).filter(c::version.eq(version)))
                .set((
                    c::recommendation_type_id.eq(&draft.recommendation_type_id),
                    c::recommendation.eq(&draft.recommendation),
                    c::effort_hours.eq(&draft.effort_hours),
                    c::monthly_investment.eq(&draft.monthly_investment),
                    c::currency.eq(&draft.currency),
                    c::solution.eq(&draft.solution),
                    c::risk_probability.eq(draft.risk_probability),
                    c::risk_impact.eq(draft.risk_impact),
                    c::billing_increase.eq(draft.billing_increase),
                    c::version.eq(version + 1),
                    c::updated_at.eq(at),
                ))
                .returning(CatalogueRow::as_returning())
                .get_result(conn)
                .await
                .optional()?)
        })
        .await?;
        Ok(CatalogueEntry::from(stored))
    }

    async fn delete(&self, id: CatalogueEntryId, audit: &AuditRecord) -> Result<(), DomainError> {
        audited(&self.db, audit, async move |conn| {
            diesel::delete(advisor_catalogue::table.find(id.0)).execute(conn).await?;
            Ok(())
        })
        .await
    }
}
