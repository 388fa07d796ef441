use async_trait::async_trait;
use axis_clients::ports::{ActivityFilter, ActivityRepository};
use axis_clients::{Activity, ActivityId, ActivityType, ContactId};
use axis_kernel::{AuditRecord, ClientId, DomainError, Page, PageRequest, UserId};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use super::parse_enum;
use axis_postgres::Database;
use axis_postgres::audited::{audited, audited_update};
use axis_postgres::error::{TxError, map_diesel};
use axis_postgres::schema::{client_activities, clients};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = client_activities, treat_none_as_default_value = false)]
struct ActivityRow {
    id: Uuid,
    client_id: Uuid,
    activity_type: String,
    title: String,
    body: Option<String>,
    activity_date: OffsetDateTime,
    author_id: Option<Uuid>,
    contact_id: Option<Uuid>,
    version: i32,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl TryFrom<ActivityRow> for Activity {
    type Error = DomainError;

    fn try_from(row: ActivityRow) -> Result<Self, Self::Error> {
        Ok(Activity {
            id: ActivityId(row.id),
            client_id: ClientId(row.client_id),
            activity_type: parse_enum("activity type", &row.activity_type)?,
            title: row.title,
            body: row.body,
            activity_date: row.activity_date,
            author_id: row.author_id.map(UserId),
            contact_id: row.contact_id.map(ContactId),
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

impl From<&Activity> for ActivityRow {
    fn from(a: &Activity) -> Self {
        ActivityRow {
            id: a.id.0,
            client_id: a.client_id.0,
            activity_type: a.activity_type.as_str().to_owned(),
            title: a.title.clone(),
            body: a.body.clone(),
            activity_date: a.activity_date,
            author_id: a.author_id.map(|u| u.0),
            contact_id: a.contact_id.map(|c| c.0),
            version: a.version,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

#[derive(Clone)]
pub struct PgActivities {
    db: Database,
}

impl PgActivities {
    pub fn new(db: Database) -> Self {
        axis_postgres::error::register_constraints(crate::CONSTRAINTS);
        Self { db }
    }
}

fn filtered(client: ClientId, filter: &ActivityFilter) -> client_activities::BoxedQuery<'static, Pg> {
    let mut query = client_activities::table
        .filter(client_activities::client_id.eq(client.0))
        .filter(client_activities::deleted_at.is_null())
        .into_boxed();
    if let Some(kind) = filter.activity_type {
        query = query.filter(client_activities::activity_type.eq(kind.as_str()));
    }
    if let Some(from) = filter.from {
        query = query.filter(client_activities::activity_date.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(client_activities::activity_date.lt(to));
    }
    query
}

/// Calls, e-mails and meetings are contact with the client.
fn is_contact(kind: ActivityType) -> bool {
    matches!(kind, ActivityType::Call | ActivityType::Email | ActivityType::Meeting)
}

async fn touch_last_contact(conn: &mut AsyncPgConnection, activity: &Activity) -> Result<(), TxError> {
    if !is_contact(activity.activity_type) {
        return Ok(());
    }
    let day = activity.activity_date.date();
    diesel::update(
        clients::table
            .find(activity.client_id.0)
            .filter(clients::last_contact_date.is_null().or(clients::last_contact_date.lt(day))),
    )
    .set(clients::last_contact_date.eq(day))
    .execute(conn)
    .await?;
    Ok(())
}

#[async_trait]
impl ActivityRepository for PgActivities {
    async fn list(
        &self,
        client: ClientId,
        filter: &ActivityFilter,
        page: PageRequest,
    ) -> Result<Page<Activity>, DomainError> {
        let conn = self.db.conn().await?;
        let shared: &AsyncPgConnection = &conn;
        let total = filtered(client, filter).count().get_result::<i64>(&mut &*shared);
        let rows = filtered(client, filter)
            .select(ActivityRow::as_select())
            .order((client_activities::activity_date.desc(), client_activities::id.desc()))
            .limit(i64::from(page.limit()))
            .offset(page.offset() as i64)
            .load::<ActivityRow>(&mut &*shared);
        let (total, rows) = futures_util::try_join!(total, rows).map_err(map_diesel)?;
        let items = rows.into_iter().map(Activity::try_from).collect::<Result<_, _>>()?;
        Ok(Page::new(items, total.unsigned_abs(), page))
    }

    async fn get(&self, client: ClientId, id: ActivityId) -> Result<Option<Activity>, DomainError> {
        let mut conn = self.db.conn().await?;
        let row: Option<ActivityRow> = client_activities::table
            .find(id.0)
            .filter(client_activities::client_id.eq(client.0))
            .filter(client_activities::deleted_at.is_null())
            .select(ActivityRow::as_select())
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        row.map(Activity::try_from).transpose()
    }

    async fn create(&self, activity: &Activity, audit: AuditRecord) -> Result<(), DomainError> {
        let row = ActivityRow::from(activity);
        audited(&self.db, &audit, async |conn| {
            diesel::insert_into(client_activities::table).values(&row).execute(conn).await?;
            touch_last_contact(conn, activity).await?;
            Ok(())
        })
        .await
    }

    async fn update(
        &self,
        activity: &Activity,
        expected_version: i32,
        audit: AuditRecord,
    ) -> Result<Activity, DomainError> {
        audited_update(&self.db, &audit, async |conn| {
            let row: Option<ActivityRow> = diesel::update(
                client_activities::table
                    .find(activity.id.0)
                    .filter(client_activities::version.eq(expected_version))
                    .filter(client_activities::deleted_at.is_null()),
            )
            .set((
                client_activities::activity_type.eq(activity.activity_type.as_str()),
                client_activities::title.eq(&activity.title),
                client_activities::body.eq(&activity.body),
                client_activities::activity_date.eq(activity.activity_date),
                client_activities::contact_id.eq(activity.contact_id.map(|c| c.0)),
                client_activities::version.eq(client_activities::version + 1),
                client_activities::updated_at.eq(activity.updated_at),
            ))
            .returning(ActivityRow::as_returning())
            .get_result(conn)
            .await
            .optional()?;
            let Some(row) = row else { return Ok(None) };
            touch_last_contact(conn, activity).await?;
            Ok(Some(Activity::try_from(row)?))
        })
        .await
    }

    async fn delete(
        &self,
        client: ClientId,
        id: ActivityId,
        now: OffsetDateTime,
        audit: AuditRecord,
    ) -> Result<(), DomainError> {
        audited(&self.db, &audit, async |conn| {
            let changed = diesel::update(
                client_activities::table
                    .find(id.0)
                    .filter(client_activities::client_id.eq(client.0))
                    .filter(client_activities::deleted_at.is_null()),
            )
            .set((
                client_activities::deleted_at.eq(now),
                client_activities::version.eq(client_activities::version + 1),
            ))
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
