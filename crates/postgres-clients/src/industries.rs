use async_trait::async_trait;
use axis_clients::ports::{IndustryFilter, IndustryRepository};
use axis_clients::{Industry, IndustryId};
use axis_kernel::{AuditRecord, DomainError, Page, PageRequest};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use time::OffsetDateTime;
use uuid::Uuid;

use super::lower;
use axis_postgres::Database;
use axis_postgres::audited::{audited, audited_update, insert_with_audit};
use axis_postgres::error::{TxError, map_diesel};
use axis_postgres::like_pattern;
use axis_postgres::schema::{clients, industries};

#[derive(Queryable, Selectable, QueryableByName, Insertable)]
#[diesel(table_name = industries, treat_none_as_default_value = false)]
pub(super) struct IndustryRow {
    id: Uuid,
    name: String,
    code: Option<String>,
    description: Option<String>,
    parent_id: Option<Uuid>,
    external_id: Option<String>,
    level: i32,
    version: i32,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl From<IndustryRow> for Industry {
    fn from(row: IndustryRow) -> Self {
        Industry {
            id: IndustryId(row.id),
            name: row.name,
            code: row.code,
            description: row.description,
            parent_id: row.parent_id.map(IndustryId),
            external_id: row.external_id,
            level: row.level,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

impl From<&Industry> for IndustryRow {
    fn from(i: &Industry) -> Self {
        IndustryRow {
            id: i.id.0,
            name: i.name.clone(),
            code: i.code.clone(),
            description: i.description.clone(),
            parent_id: i.parent_id.map(|p| p.0),
            external_id: i.external_id.clone(),
            level: i.level,
            version: i.version,
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}

#[derive(Clone)]
pub struct PgIndustries {
    db: Database,
}

impl PgIndustries {
    pub fn new(db: Database) -> Self {
        axis_postgres::error::register_constraints(crate::CONSTRAINTS);
        Self { db }
    }
}

fn filtered(filter: &IndustryFilter) -> industries::BoxedQuery<'static, diesel::pg::Pg> {
    let mut query = industries::table.filter(industries::deleted_at.is_null()).into_boxed();
    if let Some(search) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = like_pattern(search);
        query = query.filter(industries::name.ilike(pattern.clone()).or(industries::code.ilike(pattern)));
    }
    if let Some(level) = filter.level {
        query = query.filter(industries::level.eq(level));
    }
    query
}

/// Live industries below `id` at any depth, by a recursive query.
const DESCENDANTS_SQL: &str = "WITH RECURSIVE below AS ( \
        SELECT * FROM industries WHERE parent_id = $1 AND deleted_at IS NULL \
        UNION ALL \
        SELECT i.* FROM industries i JOIN below b ON i.parent_id = b.id WHERE i.deleted_at IS NULL) \
     SELECT id, name, code, description, parent_id, external_id, level, version, created_at, updated_at \
     FROM below ORDER BY level, lower(name)";

#[async_trait]
impl IndustryRepository for PgIndustries {
    async fn list(&self, filter: &IndustryFilter, page: PageRequest) -> Result<Page<Industry>, DomainError> {
        let mut conn = self.db.conn().await?;
        let total: i64 = filtered(filter).count().get_result(&mut *conn).await.map_err(map_diesel)?;
        let rows: Vec<IndustryRow> = filtered(filter)
            .select(IndustryRow::as_select())
            .order((industries::level.asc(), lower(industries::name).asc(), industries::id.asc()))
            .limit(i64::from(page.limit()))
            .offset(page.offset() as i64)
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        Ok(Page::new(rows.into_iter().map(Industry::from).collect(), total.unsigned_abs(), page))
    }

    async fn all(&self) -> Result<Vec<Industry>, DomainError> {
        let mut conn = self.db.conn().await?;
        let rows: Vec<IndustryRow> = industries::table
            .filter(industries::deleted_at.is_null())
            .select(IndustryRow::as_select())
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        Ok(rows.into_iter().map(Industry::from).collect())
    }

    async fn get(&self, id: IndustryId) -> Result<Option<Industry>, DomainError> {
        let mut conn = self.db.conn().await?;
        let row: Option<IndustryRow> = industries::table
            .find(id.0)
            .filter(industries::deleted_at.is_null())
            .select(IndustryRow::as_select())
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        Ok(row.map(Industry::from))
    }

    async fn children(&self, id: IndustryId) -> Result<Vec<Industry>, DomainError> {
        let mut conn = self.db.conn().await?;
        let rows: Vec<IndustryRow> = industries::table
            .filter(industries::parent_id.eq(id.0))
            .filter(industries::deleted_at.is_null())
            .select(IndustryRow::as_select())
            .order(lower(industries::name).asc())
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        Ok(rows.into_iter().map(Industry::from).collect())
    }

    async fn descendants(&self, id: IndustryId) -> Result<Vec<Industry>, DomainError> {
        let mut conn = self.db.conn().await?;
        let rows: Vec<IndustryRow> = diesel::sql_query(DESCENDANTS_SQL)
            .bind::<SqlUuid, _>(id.0)
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        Ok(rows.into_iter().map(Industry::from).collect())
    }

    async fn usage(&self, id: IndustryId) -> Result<(i64, i64), DomainError> {
        let mut conn = self.db.conn().await?;
        let children: i64 = industries::table
            .filter(industries::parent_id.eq(id.0))
            .filter(industries::deleted_at.is_null())
            .count()
            .get_result(&mut *conn)
            .await
            .map_err(map_diesel)?;
        let clients: i64 = clients::table
            .filter(clients::industry_id.eq(id.0))
            .filter(clients::deleted_at.is_null())
            .count()
            .get_result(&mut *conn)
            .await
            .map_err(map_diesel)?;
        Ok((children, clients))
    }

    async fn create(&self, industry: &Industry, audit: AuditRecord) -> Result<(), DomainError> {
        let mut conn = self.db.conn().await?;
        let insert = diesel::insert_into(industries::table).values(IndustryRow::from(industry));
        insert_with_audit(&mut conn, insert, &audit).await
    }

    async fn update(
        &self,
        industry: &Industry,
        expected_version: i32,
        level_delta: i32,
        audit: AuditRecord,
    ) -> Result<Industry, DomainError> {
        audited_update(&self.db, &audit, async |conn| {
            let row: Option<IndustryRow> = diesel::update(
                industries::table
                    .find(industry.id.0)
                    .filter(industries::version.eq(expected_version))
                    .filter(industries::deleted_at.is_null()),
            )
            .set((
                industries::name.eq(&industry.name),
                industries::code.eq(&industry.code),
                industries::description.eq(&industry.description),
                industries::parent_id.eq(industry.parent_id.map(|p| p.0)),
                industries::external_id.eq(&industry.external_id),
                industries::level.eq(industry.level),
                industries::version.eq(industries::version + 1),
                industries::updated_at.eq(industry.updated_at),
            ))
            .returning(IndustryRow::as_returning())
            .get_result(conn)
            .await
            .optional()?;
            let Some(row) = row else { return Ok(None) };
            if level_delta != 0 {
                diesel::sql_query(
                    "WITH RECURSIVE below AS ( \
                            SELECT id FROM industries WHERE parent_id = $1 \
                            UNION ALL SELECT i.id FROM industries i JOIN below b ON i.parent_id = b.id) \
                         UPDATE industries SET level = level + $2 WHERE id IN (SELECT id FROM below)",
                )
                .bind::<SqlUuid, _>(industry.id.0)
                .bind::<Integer, _>(level_delta)
                .execute(conn)
                .await?;
            }
            Ok(Some(Industry::from(row)))
        })
        .await
    }

    async fn delete(
        &self,
        id: IndustryId,
        now: OffsetDateTime,
        audit: AuditRecord,
    ) -> Result<(), DomainError> {
        audited(&self.db, &audit, async |conn| {
            let changed =
                diesel::update(industries::table.find(id.0).filter(industries::deleted_at.is_null()))
                    .set((industries::deleted_at.eq(now), industries::version.eq(industries::version + 1)))
                    .execute(conn)
                    .await?;
            if changed == 0 {
                return Err(TxError::Repo(DomainError::NotFound));
            }
            Ok(())
        })
        .await
    }
}
