use async_trait::async_trait;
use axis_clients::ports::TagRepository;
use axis_clients::{Tag, TagId};
use axis_kernel::{AuditRecord, DomainError, Page, PageRequest};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use super::lower;
use axis_postgres::Database;
use axis_postgres::audited::{audited, audited_update, insert_with_audit};
use axis_postgres::error::{TxError, map_diesel};
use axis_postgres::like_pattern;
use axis_postgres::schema::{client_tags, tags};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = tags, treat_none_as_default_value = false)]
pub(super) struct TagRow {
    id: Uuid,
    name: String,
    slug: String,
    color: String,
    description: Option<String>,
    version: i32,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl From<TagRow> for Tag {
    fn from(row: TagRow) -> Self {
        Tag {
            id: TagId(row.id),
            name: row.name,
            slug: row.slug,
            color: row.color,
            description: row.description,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

impl From<&Tag> for TagRow {
    fn from(t: &Tag) -> Self {
        TagRow {
            id: t.id.0,
            name: t.name.clone(),
            slug: t.slug.clone(),
            color: t.color.clone(),
            description: t.description.clone(),
            version: t.version,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

#[derive(Clone)]
pub struct PgTags {
    db: Database,
}

impl PgTags {
    pub fn new(db: Database) -> Self {
        axis_postgres::error::register_constraints(crate::CONSTRAINTS);
        Self { db }
    }
}

fn filtered(search: Option<&str>) -> tags::BoxedQuery<'static, diesel::pg::Pg> {
    let mut query = tags::table.into_boxed();
    if let Some(search) = search.map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = like_pattern(search);
        query = query.filter(tags::name.ilike(pattern.clone()).or(tags::slug.ilike(pattern)));
    }
    query
}

#[async_trait]
impl TagRepository for PgTags {
    async fn list(&self, search: Option<String>, page: PageRequest) -> Result<Page<(Tag, i64)>, DomainError> {
        let conn = self.db.conn().await?;
        let shared: &AsyncPgConnection = &conn;
        let used_by = client_tags::table
            .filter(client_tags::tag_id.eq(tags::id))
            .count()
            .single_value()
            .assume_not_null();
        let total = filtered(search.as_deref()).count().get_result::<i64>(&mut &*shared);
        let rows = filtered(search.as_deref())
            .select((TagRow::as_select(), used_by))
            .order((lower(tags::name).asc(), tags::id.asc()))
            .limit(i64::from(page.limit()))
            .offset(page.offset() as i64)
            .load::<(TagRow, i64)>(&mut &*shared);
        let (total, rows) = futures_util::try_join!(total, rows).map_err(map_diesel)?;
        let items = rows.into_iter().map(|(row, count)| (Tag::from(row), count)).collect();
        Ok(Page::new(items, total.unsigned_abs(), page))
    }

    async fn get(&self, id: TagId) -> Result<Option<Tag>, DomainError> {
        let mut conn = self.db.conn().await?;
        let row: Option<TagRow> = tags::table
            .find(id.0)
            .select(TagRow::as_select())
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        Ok(row.map(Tag::from))
    }

    async fn create(&self, tag: &Tag, audit: AuditRecord) -> Result<(), DomainError> {
        let mut conn = self.db.conn().await?;
        insert_with_audit(&mut conn, diesel::insert_into(tags::table).values(TagRow::from(tag)), &audit).await
    }

    async fn update(&self, tag: &Tag, expected_version: i32, audit: AuditRecord) -> Result<Tag, DomainError> {
        audited_update(&self.db, &audit, async |conn| {
            let row: Option<TagRow> =
                diesel::update(tags::table.find(tag.id.0).filter(tags::version.eq(expected_version)))
                    .set((
                        tags::name.eq(&tag.name),
                        tags::slug.eq(&tag.slug),
                        tags::color.eq(&tag.color),
                        tags::description.eq(&tag.description),
                        tags::version.eq(tags::version + 1),
                        tags::updated_at.eq(tag.updated_at),
                    ))
                    .returning(TagRow::as_returning())
                    .get_result(conn)
                    .await
                    .optional()?;
            Ok(row.map(Tag::from))
        })
        .await
    }

    async fn delete(&self, id: TagId, audit: AuditRecord) -> Result<(), DomainError> {
        audited(&self.db, &audit, async |conn| {
            let removed = diesel::delete(tags::table.find(id.0)).execute(conn).await?;
            if removed == 0 { Err(TxError::Abort) } else { Ok(()) }
        })
        .await
    }
}
