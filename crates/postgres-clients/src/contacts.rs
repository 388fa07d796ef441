use async_trait::async_trait;
use axis_clients::ports::ContactRepository;
use axis_clients::{Contact, ContactId};
use axis_kernel::{AuditRecord, ClientId, DomainError, Page, PageRequest};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{lower, parse_enum};
use axis_postgres::Database;
use axis_postgres::audited::{audited, audited_update};
use axis_postgres::error::{TxError, map_diesel};
use axis_postgres::schema::client_contacts;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = client_contacts, treat_none_as_default_value = false)]
pub(super) struct ContactRow {
    id: Uuid,
    client_id: Uuid,
    first_name: String,
    last_name: String,
    email: String,
    phone: Option<String>,
    mobile: Option<String>,
    role: String,
    title: Option<String>,
    department: Option<String>,
    is_primary: bool,
    preferred_contact_method: String,
    is_active: bool,
    notes: Option<String>,
    version: i32,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl TryFrom<ContactRow> for Contact {
    type Error = DomainError;

    fn try_from(row: ContactRow) -> Result<Self, Self::Error> {
        Ok(Contact {
            id: ContactId(row.id),
            client_id: ClientId(row.client_id),
            first_name: row.first_name,
            last_name: row.last_name,
            email: row.email,
            phone: row.phone,
            mobile: row.mobile,
            role: parse_enum("contact role", &row.role)?,
            title: row.title,
            department: row.department,
            is_primary: row.is_primary,
            preferred_contact_method: parse_enum("preferred_contact_method", &row.preferred_contact_method)?,
            is_active: row.is_active,
            notes: row.notes,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

impl From<&Contact> for ContactRow {
    fn from(c: &Contact) -> Self {
        ContactRow {
            id: c.id.0,
            client_id: c.client_id.0,
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            email: c.email.clone(),
            phone: c.phone.clone(),
            mobile: c.mobile.clone(),
            role: c.role.as_str().to_owned(),
            title: c.title.clone(),
            department: c.department.clone(),
            is_primary: c.is_primary,
            preferred_contact_method: c.preferred_contact_method.as_str().to_owned(),
            is_active: c.is_active,
            notes: c.notes.clone(),
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

#[derive(Clone)]
pub struct PgContacts {
    db: Database,
}

impl PgContacts {
    pub fn new(db: Database) -> Self {
        axis_postgres::error::register_constraints(crate::CONSTRAINTS);
        Self { db }
    }
}

/// The client's other contacts give up the primary flag (one primary per client).
async fn clear_primary(conn: &mut AsyncPgConnection, client: Uuid, keep: Uuid) -> Result<(), TxError> {
    diesel::update(
        client_contacts::table
            .filter(client_contacts::client_id.eq(client))
            .filter(client_contacts::id.ne(keep))
            .filter(client_contacts::is_primary.eq(true)),
    )
    .set((client_contacts::is_primary.eq(false), client_contacts::version.eq(client_contacts::version + 1)))
    .execute(conn)
    .await?;
    Ok(())
}

#[async_trait]
impl ContactRepository for PgContacts {
    async fn list(&self, client: ClientId, page: PageRequest) -> Result<Page<Contact>, DomainError> {
        let conn = self.db.conn().await?;
        let shared: &AsyncPgConnection = &conn;
        let live = client_contacts::client_id.eq(client.0).and(client_contacts::deleted_at.is_null());
        let total = client_contacts::table.filter(live).count().get_result::<i64>(&mut &*shared);
        let rows = client_contacts::table
            .filter(live)
            .select(ContactRow::as_select())
            .order((
                client_contacts::is_primary.desc(),
                lower(client_contacts::last_name).asc(),
                client_contacts::id.asc(),
            ))
            .limit(i64::from(page.limit()))
            .offset(page.offset() as i64)
            .load::<ContactRow>(&mut &*shared);
        let (total, rows) = futures_util::try_join!(total, rows).map_err(map_diesel)?;
        let items = rows.into_iter().map(Contact::try_from).collect::<Result<_, _>>()?;
        Ok(Page::new(items, total.unsigned_abs(), page))
    }

    async fn get(&self, client: ClientId, id: ContactId) -> Result<Option<Contact>, DomainError> {
        let mut conn = self.db.conn().await?;
        let row: Option<ContactRow> = client_contacts::table
            .find(id.0)
            .filter(client_contacts::client_id.eq(client.0))
            .filter(client_contacts::deleted_at.is_null())
            .select(ContactRow::as_select())
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        row.map(Contact::try_from).transpose()
    }

    async fn primary(&self, client: ClientId) -> Result<Option<Contact>, DomainError> {
        let mut conn = self.db.conn().await?;
        let row: Option<ContactRow> = client_contacts::table
            .filter(client_contacts::client_id.eq(client.0))
            .filter(client_contacts::is_primary.eq(true))
            .filter(client_contacts::deleted_at.is_null())
            .select(ContactRow::as_select())
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        row.map(Contact::try_from).transpose()
    }

    async fn create(&self, contact: &Contact, audit: AuditRecord) -> Result<(), DomainError> {
        let row = ContactRow::from(contact);
        audited(&self.db, &audit, async |conn| {
            diesel::insert_into(client_contacts::table).values(&row).execute(conn).await?;
            Ok(())
        })
        .await
    }

    async fn update(
        &self,
        contact: &Contact,
        expected_version: i32,
        audit: AuditRecord,
    ) -> Result<Contact, DomainError> {
        audited_update(&self.db, &audit, async |conn| {
            if contact.is_primary {
                clear_primary(conn, contact.client_id.0, contact.id.0).await?;
            }
            let row: Option<ContactRow> = diesel::update(
                client_contacts::table
                    .find(contact.id.0)
                    .filter(client_contacts::version.eq(expected_version))
                    .filter(client_contacts::deleted_at.is_null()),
            )
            .set((
                client_contacts::first_name.eq(&contact.first_name),
                client_contacts::last_name.eq(&contact.last_name),
                client_contacts::email.eq(&contact.email),
                client_contacts::phone.eq(&contact.phone),
                client_contacts::mobile.eq(&contact.mobile),
                client_contacts::role.eq(contact.role.as_str()),
                client_contacts::title.eq(&contact.title),
                client_contacts::department.eq(&contact.department),
                client_contacts::is_primary.eq(contact.is_primary),
                client_contacts::preferred_contact_method.eq(contact.preferred_contact_method.as_str()),
                client_contacts::is_active.eq(contact.is_active),
                client_contacts::notes.eq(&contact.notes),
                client_contacts::version.eq(client_contacts::version + 1),
                client_contacts::updated_at.eq(contact.updated_at),
            ))
            .returning(ContactRow::as_returning())
            .get_result(conn)
            .await
            .optional()?;
            let Some(row) = row else { return Ok(None) };
            Ok(Some(Contact::try_from(row)?))
        })
        .await
    }

    async fn delete(
        &self,
        client: ClientId,
        id: ContactId,
        now: OffsetDateTime,
        audit: AuditRecord,
    ) -> Result<(), DomainError> {
        audited(&self.db, &audit, async |conn| {
            let changed = diesel::update(
                client_contacts::table
                    .find(id.0)
                    .filter(client_contacts::client_id.eq(client.0))
                    .filter(client_contacts::deleted_at.is_null()),
            )
            .set((
                client_contacts::deleted_at.eq(now),
                client_contacts::is_primary.eq(false),
                client_contacts::version.eq(client_contacts::version + 1),
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
