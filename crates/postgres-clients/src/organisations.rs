use std::sync::Arc;

use async_trait::async_trait;
use axis_clients::ports::{ClientFilter, ClientOrder, ClientRepository};
use axis_clients::{
    Access, AccessSource, Client, ClientDetail, ClientStats, ClientSummary, Grant, IndustryId, IndustryRef,
    TagId,
};
use axis_kernel::{
    AuditRecord, ClientAccess, ClientId, ClientScope, DomainError, Page, PageRequest, Role, SortDirection,
    UserId,
};
use diesel::dsl::{count_star, exists};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Uuid as SqlUuid;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::contacts::ContactRow;
use super::tags::TagRow;
use super::{client_live_total, lower, parse_enum};
use axis_postgres::Database;
use axis_postgres::audited::{audited, audited_if, audited_update, insert_with_audit};
use axis_postgres::error::{TxError, map_diesel};
use axis_postgres::like_pattern;
use axis_postgres::list_totals::{ListTotals, list_version, page_with_remembered_total, pipelined};
use axis_postgres::rules::{IN_FORCE, granted_to};
use axis_postgres::schema::{
    client_contacts, client_grants, client_subscriptions, client_tags, clients, contracts, industries, tags,
    users,
};

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = clients, treat_none_as_null = true, treat_none_as_default_value = false)]
struct ClientRow {
    id: Uuid,
    name: String,
    email: Option<String>,
    phone: Option<String>,
    website: Option<String>,
    address: Option<String>,
    billing_address: Option<String>,
    tax_id: Option<String>,
    contact_person: Option<String>,
    contact_email: Option<String>,
    contact_phone: Option<String>,
    preferred_contact_method: Option<String>,
    billing_contact: Option<String>,
    industry_id: Option<Uuid>,
    parent_client_id: Option<Uuid>,
    account_manager_id: Option<Uuid>,
    status: String,
    status_reason: Option<String>,
    is_verified: bool,
    verified_at: Option<OffsetDateTime>,
    verified_by: Option<Uuid>,
    timezone: Option<String>,
    notes: Option<String>,
    metadata: Value,
    last_contact_date: Option<Date>,
    created_by: Option<Uuid>,
    version: i32,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    deleted_at: Option<OffsetDateTime>,
}

impl TryFrom<ClientRow> for Client {
    type Error = DomainError;

    fn try_from(row: ClientRow) -> Result<Self, Self::Error> {
        Ok(Client {
            id: ClientId(row.id),
            name: row.name,
            email: row.email,
            phone: row.phone,
            website: row.website,
            address: row.address,
            billing_address: row.billing_address,
            tax_id: row.tax_id,
            contact_person: row.contact_person,
            contact_email: row.contact_email,
            contact_phone: row.contact_phone,
            preferred_contact_method: row
                .preferred_contact_method
                .map(|m| parse_enum("preferred_contact_method", &m))
                .transpose()?,
            billing_contact: row.billing_contact,
            industry_id: row.industry_id.map(IndustryId),
            parent_client_id: row.parent_client_id.map(ClientId),
            account_manager_id: row.account_manager_id.map(UserId),
            status: parse_enum("client status", &row.status)?,
            status_reason: row.status_reason,
            is_verified: row.is_verified,
            verified_at: row.verified_at,
            verified_by: row.verified_by.map(UserId),
            timezone: row.timezone,
            notes: row.notes,
            metadata: row.metadata,
            last_contact_date: row.last_contact_date,
            created_by: row.created_by.map(UserId),
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
            deleted_at: row.deleted_at,
        })
    }
}

impl From<&Client> for ClientRow {
    fn from(c: &Client) -> Self {
        ClientRow {
            id: c.id.0,
            name: c.name.clone(),
            email: c.email.clone(),
            phone: c.phone.clone(),
            website: c.website.clone(),
            address: c.address.clone(),
            billing_address: c.billing_address.clone(),
            tax_id: c.tax_id.clone(),
            contact_person: c.contact_person.clone(),
            contact_email: c.contact_email.clone(),
            contact_phone: c.contact_phone.clone(),
            preferred_contact_method: c.preferred_contact_method.map(|m| m.as_str().to_owned()),
            billing_contact: c.billing_contact.clone(),
            industry_id: c.industry_id.map(|i| i.0),
            parent_client_id: c.parent_client_id.map(|i| i.0),
            account_manager_id: c.account_manager_id.map(|i| i.0),
            status: c.status.as_str().to_owned(),
            status_reason: c.status_reason.clone(),
            is_verified: c.is_verified,
            verified_at: c.verified_at,
            verified_by: c.verified_by.map(|i| i.0),
            timezone: c.timezone.clone(),
            notes: c.notes.clone(),
            metadata: c.metadata.clone(),
            last_contact_date: c.last_contact_date,
            created_by: c.created_by.map(|i| i.0),
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
            deleted_at: c.deleted_at,
        }
    }
}

type SummaryRow = (
    Uuid,
    String,
    Option<String>,
    Option<String>,
    String,
    bool,
    Option<Uuid>,
    Option<String>,
    Option<Uuid>,
    i64,
    i32,
    OffsetDateTime,
    OffsetDateTime,
    Option<OffsetDateTime>,
);

fn summary(row: SummaryRow) -> Result<ClientSummary, DomainError> {
    let (
        id,
        name,
        email,
        phone,
        status,
        is_verified,
        industry_id,
        industry_name,
        manager,
        contracts,
        version,
        created,
        updated,
        deleted,
    ) = row;
    Ok(ClientSummary {
        id: ClientId(id),
        name,
        email,
        phone,
        status: parse_enum("client status", &status)?,
        is_verified,
        industry_id: industry_id.map(IndustryId),
        industry_name,
        account_manager_id: manager.map(UserId),
        active_contracts_count: contracts,
        version,
        created_at: created,
        updated_at: updated,
        deleted_at: deleted,
    })
}

/// Clients in `scope`: every client, or those the user is granted or manages.
fn in_scope(scope: ClientScope, query: clients::BoxedQuery<'static, Pg>) -> clients::BoxedQuery<'static, Pg> {
    match scope {
        ClientScope::All => query,
        ClientScope::Granted(user) => query.filter(granted_to(user.0)),
    }
}

fn filtered(scope: ClientScope, filter: &ClientFilter) -> clients::BoxedQuery<'static, Pg> {
    let mut query = clients::table.into_boxed();
    if !filter.include_deleted {
        query = query.filter(clients::deleted_at.is_null());
    }
    if let Some(search) = &filter.search {
        // Lower-cased like the generated `search_text`, so the trigram index answers it.
        query = query.filter(clients::search_text.like(like_pattern(&search.to_lowercase())));
    }
    if let Some(status) = filter.status {
        query = query.filter(clients::status.eq(status.as_str()));
    }
    if let Some(verified) = filter.is_verified {
        query = query.filter(clients::is_verified.eq(verified));
    }
    if let Some(ids) = &filter.industry_ids {
        query = query.filter(clients::industry_id.eq_any(ids.iter().map(|i| i.0).collect::<Vec<_>>()));
    }
    if let Some(manager) = filter.account_manager {
        query = query.filter(clients::account_manager_id.eq(manager.0));
    }
    if let Some(slug) = &filter.tag {
        let tagged = client_tags::table
            .inner_join(tags::table)
            .filter(tags::slug.eq(slug.clone()))
            .select(client_tags::client_id);
        query = query.filter(clients::id.eq_any(tagged));
    }
    if let Some(after) = filter.created_after {
        query = query.filter(clients::created_at.ge(after));
    }
    if let Some(before) = filter.created_before {
        query = query.filter(clients::created_at.lt(before));
    }
    in_scope(scope, query)
}

/// The list requests common enough to get fixed query shapes, which PostgreSQL plans once:
/// every client, one status, or a search, for callers who see every client, newest first.
enum HotShape {
    All,
    Status(axis_clients::ClientStatus),
    Search(String),
}

fn hot_shape(
    scope: ClientScope,
    filter: &ClientFilter,
    order: (ClientOrder, SortDirection),
) -> Option<HotShape> {
    let ClientFilter {
        search,
        status,
        is_verified,
        industry_ids,
        account_manager,
        tag,
        created_after,
        created_before,
        include_deleted,
    } = filter;
    let plain = scope == ClientScope::All
        && order == (ClientOrder::CreatedAt, SortDirection::Descending)
        && is_verified.is_none()
        && industry_ids.is_none()
        && account_manager.is_none()
        && tag.is_none()
        && created_after.is_none()
        && created_before.is_none()
        && !include_deleted;
    match (plain, status, search) {
        (true, None, None) => Some(HotShape::All),
        (true, Some(status), None) => Some(HotShape::Status(*status)),
        (true, None, Some(search)) => Some(HotShape::Search(like_pattern(&search.to_lowercase()))),
        _ => None,
    }
}

/// The columns of a list row, the in-force contracts counted in the same statement.
#[diesel::dsl::auto_type]
fn summary_columns() -> _ {
    // auto_type reads a bare constant as a type: name its type here.
    let in_force: [&'static str; 2] = IN_FORCE;
    (
        clients::id,
        clients::name,
        clients::email,
        clients::phone,
        clients::status,
        clients::is_verified,
        clients::industry_id,
        industries::table
            .filter(industries::id.nullable().eq(clients::industry_id))
            .select(industries::name)
            .single_value(),
        clients::account_manager_id,
        contracts::table
            .filter(contracts::client_id.eq(clients::id))
            .filter(contracts::status.eq_any(in_force))
            .filter(contracts::deleted_at.is_null())
            .select(count_star())
            .single_value()
            .assume_not_null(),
        clients::version,
        clients::created_at,
        clients::updated_at,
        clients::deleted_at,
    )
}

#[derive(Clone)]
pub struct PgClients {
    db: Database,
    totals: Arc<ListTotals>,
}

impl PgClients {
    pub fn new(db: Database) -> Self {
        axis_postgres::error::register_constraints(crate::CONSTRAINTS);
        Self { db, totals: Arc::new(ListTotals::default()) }
    }
}

/// One client. Written as fixed query shapes (not a boxed query) so PostgreSQL can reuse the
/// prepared statement: this runs on every request that touches a client.
async fn find(
    conn: &mut AsyncPgConnection,
    scope: ClientScope,
    id: ClientId,
    include_deleted: bool,
) -> Result<Option<Client>, DomainError> {
    let by_id = clients::table.find(id.0).select(ClientRow::as_select());
    let row: Option<ClientRow> = match (scope, include_deleted) {
        (ClientScope::All, false) => by_id.filter(clients::deleted_at.is_null()).first(conn).await,
        (ClientScope::All, true) => by_id.first(conn).await,
        (ClientScope::Granted(user), false) => {
            by_id.filter(clients::deleted_at.is_null()).filter(granted_to(user.0)).first(conn).await
        }
        (ClientScope::Granted(user), true) => by_id.filter(granted_to(user.0)).first(conn).await,
    }
    .optional()
    .map_err(map_diesel)?;
    row.map(Client::try_from).transpose()
}

async fn replace_tags(conn: &mut AsyncPgConnection, client: Uuid, tags: &[TagId]) -> Result<(), TxError> {
    diesel::delete(client_tags::table.filter(client_tags::client_id.eq(client))).execute(conn).await?;
    insert_tags(conn, client, tags).await
}

async fn insert_tags(conn: &mut AsyncPgConnection, client: Uuid, tags: &[TagId]) -> Result<(), TxError> {
    let rows: Vec<_> =
        tags.iter().map(|t| (client_tags::client_id.eq(client), client_tags::tag_id.eq(t.0))).collect();
    if !rows.is_empty() {
        diesel::insert_into(client_tags::table).values(&rows).execute(conn).await?;
    }
    Ok(())
}

/// The scope guard's question, asked with the same rule as every read.
#[derive(Clone)]
pub struct PgClientAccess {
    db: Database,
}

impl PgClientAccess {
    pub fn new(db: Database) -> Self {
        axis_postgres::error::register_constraints(crate::CONSTRAINTS);
        Self { db }
    }
}

#[async_trait]
impl ClientAccess for PgClientAccess {
    async fn is_visible(&self, scope: ClientScope, client: ClientId) -> Result<bool, DomainError> {
        let mut conn = self.db.conn().await?;
        let live = clients::table.find(client.0).filter(clients::deleted_at.is_null());
        match scope {
            ClientScope::All => diesel::select(exists(live)).get_result(&mut *conn).await,
            ClientScope::Granted(user) => {
                diesel::select(exists(live.filter(granted_to(user.0)))).get_result(&mut *conn).await
            }
        }
        .map_err(map_diesel)
    }
}

#[async_trait]
impl ClientRepository for PgClients {
    async fn list(
        &self,
        scope: ClientScope,
        filter: &ClientFilter,
        (order, direction): (ClientOrder, SortDirection),
        page: PageRequest,
    ) -> Result<Page<ClientSummary>, DomainError> {
        let conn = self.db.conn().await?;
        let shared: &AsyncPgConnection = &conn;
        let (limit, offset) = (i64::from(page.limit()), page.offset() as i64);
        // Count and page are sent pipelined: one round trip.
        let (total, rows) = match hot_shape(scope, filter, (order, direction)) {
            Some(HotShape::All) => {
                pipelined::<_, _, _, SummaryRow>(
                    shared,
                    diesel::select(client_live_total(None::<String>)),
                    clients::table
                        .filter(clients::deleted_at.is_null())
                        .select(summary_columns())
                        .order((clients::created_at.desc(), clients::id.desc()))
                        .limit(limit)
                        .offset(offset),
                )
                .await?
            }
            Some(HotShape::Status(status)) => {
                pipelined::<_, _, _, SummaryRow>(
                    shared,
                    diesel::select(client_live_total(Some(status.as_str().to_owned()))),
                    clients::table
                        .filter(clients::deleted_at.is_null())
                        .filter(clients::status.eq(status.as_str()))
                        .select(summary_columns())
                        .order((clients::created_at.desc(), clients::id.desc()))
                        .limit(limit)
                        .offset(offset),
                )
                .await?
            }
            Some(HotShape::Search(pattern)) => {
                page_with_remembered_total::<_, _, SummaryRow>(
                    shared,
                    &self.totals,
                    clients::table
                        .filter(clients::deleted_at.is_null())
                        .filter(clients::search_text.like(pattern.clone()))
                        .select((list_version(), count_star())),
                    clients::table
                        .filter(clients::deleted_at.is_null())
                        .filter(clients::search_text.like(pattern.clone()))
                        .select(summary_columns())
                        .order((clients::created_at.desc(), clients::id.desc()))
                        .limit(limit)
                        .offset(offset),
                )
                .await?
            }
            None => {
                let query = filtered(scope, filter).select(summary_columns());
                let query = match (order, direction == SortDirection::Descending) {
                    (ClientOrder::Name, false) => {
                        query.order((lower(clients::name).asc(), clients::id.asc()))
                    }
                    (ClientOrder::Name, true) => {
                        query.order((lower(clients::name).desc(), clients::id.desc()))
                    }
                    (ClientOrder::CreatedAt, false) => {
                        query.order((clients::created_at.asc(), clients::id.asc()))
                    }
                    (ClientOrder::CreatedAt, true) => {
                        query.order((clients::created_at.desc(), clients::id.desc()))
                    }
                    (ClientOrder::UpdatedAt, false) => {
                        query.order((clients::updated_at.asc(), clients::id.asc()))
                    }
                    (ClientOrder::UpdatedAt, true) => {
                        query.order((clients::updated_at.desc(), clients::id.desc()))
                    }
                    (ClientOrder::Status, false) => query.order((clients::status.asc(), clients::id.asc())),
                    (ClientOrder::Status, true) => query.order((clients::status.desc(), clients::id.desc())),
                };
                page_with_remembered_total::<_, _, SummaryRow>(
                    shared,
                    &self.totals,
                    filtered(scope, filter).select((list_version(), count_star())),
                    query.limit(limit).offset(offset),
                )
                .await?
            }
        };
        let items = rows.into_iter().map(summary).collect::<Result<_, _>>()?;
        Ok(Page::new(items, total.unsigned_abs(), page))
    }

    async fn get(
        &self,
        scope: ClientScope,
        id: ClientId,
        include_deleted: bool,
    ) -> Result<Option<Client>, DomainError> {
        let mut conn = self.db.conn().await?;
        find(&mut conn, scope, id, include_deleted).await
    }

    async fn detail(
        &self,
        scope: ClientScope,
        id: ClientId,
        include_deleted: bool,
    ) -> Result<Option<ClientDetail>, DomainError> {
        let mut conn = self.db.conn().await?;
        let Some(client) = find(&mut conn, scope, id, include_deleted).await? else { return Ok(None) };
        let shared: &AsyncPgConnection = &conn;
        let industry = industries::table
            .filter(industries::id.nullable().eq(client.industry_id.map(|i| i.0)))
            .select((industries::id, industries::name, industries::code))
            .first::<(Uuid, String, Option<String>)>(&mut &*shared);
        let tag_rows = client_tags::table
            .inner_join(tags::table)
            .filter(client_tags::client_id.eq(id.0))
            .select(TagRow::as_select())
            .order(lower(tags::name).asc())
            .load::<TagRow>(&mut &*shared);
        let contact_rows = client_contacts::table
            .filter(client_contacts::client_id.eq(id.0))
            .filter(client_contacts::deleted_at.is_null())
            .select(ContactRow::as_select())
            .order((
                client_contacts::is_primary.desc(),
                lower(client_contacts::last_name).asc(),
                client_contacts::id.asc(),
            ))
            .load::<ContactRow>(&mut &*shared);
        let subscriptions = client_subscriptions::table
            .filter(client_subscriptions::client_id.eq(id.0))
            .select(client_subscriptions::subscription_id)
            .order(client_subscriptions::added_at.asc())
            .load::<Uuid>(&mut &*shared);
        let (industry, tag_rows, contact_rows, subscriptions) = futures_util::try_join!(
            async { industry.await.optional() },
            tag_rows,
            contact_rows,
            subscriptions
        )
        .map_err(map_diesel)?;
        Ok(Some(ClientDetail {
            client,
            industry: industry.map(|(id, name, code)| IndustryRef { id: IndustryId(id), name, code }),
            tags: tag_rows.into_iter().map(Into::into).collect(),
            contacts: contact_rows.into_iter().map(TryInto::try_into).collect::<Result<_, _>>()?,
            subscriptions,
        }))
    }

    async fn ancestors(&self, id: ClientId) -> Result<Vec<ClientId>, DomainError> {
        #[derive(QueryableByName)]
        struct Ancestor {
            #[diesel(sql_type = SqlUuid)]
            id: Uuid,
        }
        let mut conn = self.db.conn().await?;
        // Bounded depth: a chain longer than this is a cycle already, which writes prevent.
        let rows: Vec<Ancestor> = diesel::sql_query(
            "WITH RECURSIVE up AS ( \
                SELECT parent_client_id AS id, 1 AS depth FROM clients WHERE id = $1 \
                UNION ALL SELECT c.parent_client_id, up.depth + 1 FROM clients c JOIN up ON c.id = up.id \
                WHERE up.depth < 100) \
             SELECT id FROM up WHERE id IS NOT NULL ORDER BY depth",
        )
        .bind::<SqlUuid, _>(id.0)
        .load(&mut *conn)
        .await
        .map_err(map_diesel)?;
        Ok(rows.into_iter().map(|r| ClientId(r.id)).collect())
    }

    async fn create(&self, client: &Client, tags: &[TagId], audit: AuditRecord) -> Result<(), DomainError> {
        let row = ClientRow::from(client);
        if tags.is_empty() {
            let mut conn = self.db.conn().await?;
            return insert_with_audit(&mut conn, diesel::insert_into(clients::table).values(&row), &audit)
                .await;
        }
        audited(&self.db, &audit, async |conn| {
            diesel::insert_into(clients::table).values(&row).execute(conn).await?;
            insert_tags(conn, client.id.0, tags).await
        })
        .await
    }

    async fn update(
        &self,
        client: &Client,
        expected_version: i32,
        tags: Option<Vec<TagId>>,
        audit: AuditRecord,
    ) -> Result<Client, DomainError> {
        let mut row = ClientRow::from(client);
        row.version = expected_version + 1;
        audited_update(&self.db, &audit, async |conn| {
            let updated: Option<ClientRow> = diesel::update(
                clients::table.find(client.id.0).filter(clients::version.eq(expected_version)),
            )
            .set(&row)
            .returning(ClientRow::as_returning())
            .get_result(conn)
            .await
            .optional()?;
            let Some(updated) = updated else { return Ok(None) };
            if let Some(tags) = &tags {
                replace_tags(conn, client.id.0, tags).await?;
            }
            Ok(Some(Client::try_from(updated)?))
        })
        .await
    }

    async fn add_subscription(
        &self,
        id: ClientId,
        subscription: Uuid,
        audit: AuditRecord,
    ) -> Result<bool, DomainError> {
        audited_if(&self.db, &audit, async |conn| {
            let inserted = diesel::insert_into(client_subscriptions::table)
                .values((
                    client_subscriptions::client_id.eq(id.0),
                    client_subscriptions::subscription_id.eq(subscription),
                ))
                .on_conflict_do_nothing()
                .execute(conn)
                .await?;
            if inserted == 0 {
                return Ok(false);
            }
            Ok(true)
        })
        .await
    }

    async fn remove_subscription(
        &self,
        id: ClientId,
        subscription: Uuid,
        audit: AuditRecord,
    ) -> Result<bool, DomainError> {
        audited_if(&self.db, &audit, async |conn| {
            let removed = diesel::delete(
                client_subscriptions::table
                    .filter(client_subscriptions::client_id.eq(id.0))
                    .filter(client_subscriptions::subscription_id.eq(subscription)),
            )
            .execute(conn)
            .await?;
            if removed == 0 {
                return Ok(false);
            }
            Ok(true)
        })
        .await
    }

    async fn stats(&self, id: ClientId) -> Result<ClientStats, DomainError> {
        #[derive(QueryableByName)]
        struct Counts {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            contracts_total: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            contracts_active: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            staff: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            beneficiaries: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            subscriptions: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            contacts: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            activities: i64,
        }
        let mut conn = self.db.conn().await?;
        // Every count in one statement, so they agree with each other (one snapshot).
        let counts: Counts = axis_postgres::sql_file::SqlFile::new(include_str!("stats.sql"))
            .bind::<SqlUuid, _>(id.0)
            .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(IN_FORCE.to_vec())
            .get_result(&mut *conn)
            .await
            .map_err(map_diesel)?;
        Ok(ClientStats {
            contracts_total: counts.contracts_total,
            contracts_active: counts.contracts_active,
            staff: counts.staff,
            beneficiaries: counts.beneficiaries,
            subscriptions: counts.subscriptions,
            reports: 0,
            contacts: counts.contacts,
            activities: counts.activities,
        })
    }

    async fn access_list(&self, id: ClientId) -> Result<Vec<Access>, DomainError> {
        let mut conn = self.db.conn().await?;
        let by_role: Vec<(Uuid, String)> = users::table
            .filter(users::status.eq("active"))
            .filter(users::role.eq_any(["admin", "manager"]))
            .select((users::id, users::role))
            .order(users::email.asc())
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        let managed_by: Vec<(Uuid, String)> = clients::table
            .inner_join(users::table.on(users::id.nullable().eq(clients::account_manager_id)))
            .filter(clients::id.eq(id.0))
            .select((users::id, users::role))
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        let granted: Vec<(Uuid, String, OffsetDateTime, Option<Uuid>)> = client_grants::table
            .inner_join(users::table.on(users::id.eq(client_grants::user_id)))
            .filter(client_grants::client_id.eq(id.0))
            .select((users::id, users::role, client_grants::granted_at, client_grants::granted_by))
            .order(client_grants::granted_at.asc())
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        let access = |user: Uuid, role: &str, source, at, by: Option<Uuid>| -> Result<Access, DomainError> {
            Ok(Access {
                user_id: UserId(user),
                role: parse_enum("user role", role)?,
                source,
                granted_at: at,
                granted_by: by.map(UserId),
            })
        };
        let by_role = by_role.iter().map(|(user, role)| access(*user, role, AccessSource::Role, None, None));
        let managed = managed_by
            .iter()
            .map(|(user, role)| access(*user, role, AccessSource::AccountManager, None, None));
        let granted = granted
            .iter()
            .map(|(user, role, at, by)| access(*user, role, AccessSource::Grant, Some(*at), *by));
        by_role.chain(managed).chain(granted).collect()
    }

    async fn active_role(&self, user: UserId) -> Result<Option<Role>, DomainError> {
        let mut conn = self.db.conn().await?;
        let role: Option<String> = users::table
            .filter(users::id.eq(user.0))
            .filter(users::status.eq("active"))
            .select(users::role)
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        role.map(|role| parse_enum("user role", &role)).transpose()
    }

    async fn grant(&self, grant: &Grant, audit: AuditRecord) -> Result<bool, DomainError> {
        audited_if(&self.db, &audit, async |conn| {
            let inserted = diesel::insert_into(client_grants::table)
                .values((
                    client_grants::user_id.eq(grant.user_id.0),
                    client_grants::client_id.eq(grant.client_id.0),
                    client_grants::granted_at.eq(grant.granted_at),
                    client_grants::granted_by.eq(grant.granted_by.map(|u| u.0)),
                ))
                .on_conflict_do_nothing()
                .execute(conn)
                .await?;
            if inserted == 0 {
                return Ok(false);
            }
            Ok(true)
        })
        .await
    }

    async fn revoke_access(
        &self,
        user: UserId,
        client: ClientId,
        audit: AuditRecord,
    ) -> Result<bool, DomainError> {
        let now = audit.occurred_at;
        audited_if(&self.db, &audit, async |conn| {
            let removed = diesel::delete(
                client_grants::table
                    .filter(client_grants::user_id.eq(user.0))
                    .filter(client_grants::client_id.eq(client.0)),
            )
            .execute(conn)
            .await?;
            let unassigned = diesel::update(
                clients::table
                    .filter(clients::id.eq(client.0))
                    .filter(clients::account_manager_id.eq(user.0)),
            )
            .set((
                clients::account_manager_id.eq(None::<Uuid>),
                clients::version.eq(clients::version + 1),
                clients::updated_at.eq(now),
            ))
            .execute(conn)
            .await?;
            Ok(removed + unassigned > 0)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use diesel::query_builder::QueryFragment;

    use super::*;

    #[test]
    fn the_client_insert_has_one_text_so_it_stays_prepared() {
        let row = ClientRow {
            id: Uuid::nil(),
            name: "Acme".into(),
            email: None,
            phone: None,
            website: None,
            address: None,
            billing_address: None,
            tax_id: None,
            contact_person: None,
            contact_email: None,
            contact_phone: None,
            preferred_contact_method: None,
            billing_contact: None,
            industry_id: None,
            parent_client_id: None,
            account_manager_id: None,
            status: "pending".into(),
            status_reason: None,
            is_verified: false,
            verified_at: None,
            verified_by: None,
            timezone: None,
            notes: None,
            metadata: Value::Null,
            last_contact_date: None,
            created_by: None,
            version: 1,
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
            deleted_at: None,
        };
        let insert = diesel::insert_into(clients::table).values(&row);
        assert!(matches!(insert.is_safe_to_cache_prepared(&Pg), Ok(true)));
    }
}
