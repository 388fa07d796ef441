//! Documents on PostgreSQL: one row per version (the file itself is in the blob store), the
//! chain with one latest version, the status read for a day by `document_status_on`, and the
//! contract-of-the-client rule as a foreign key.

use std::sync::Arc;

use async_trait::async_trait;
use axis_contracts::ContractId;
use axis_documents::{
    Document, DocumentId, DocumentListQuery, DocumentOrdering, DocumentReader, DocumentRepository,
};
use axis_kernel::{
    AuditRecord, BlobKey, ClientId, DomainError, FileKind, Page, PageRequest, StoredFile, UserId,
};
use diesel::dsl::{count_star, sql};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Date as SqlDate, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

use axis_postgres::Database;
use axis_postgres::audited::{audited, audited_if, audited_update};
use axis_postgres::error::{Constraint, map_diesel, register_constraints, unexpected};
use axis_postgres::like_pattern;
use axis_postgres::list_totals::{ListTotals, list_version, page_with_remembered_total};
use axis_postgres::rules::live_clients_in;
use axis_postgres::schema::documents;

/// The constraints of the documents table users can run into.
const CONSTRAINTS: &[Constraint] = &[
    Constraint { name: "documents_client_id_fkey", field: "client_id", message: "is not a client" },
    Constraint {
        name: "documents_contract_of_client",
        field: "contract_id",
        message: "is not a contract of the document's client",
    },
];

#[derive(Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = documents, treat_none_as_null = true)]
struct DocumentRow {
    id: Uuid,
    chain_id: Uuid,
    version_number: i32,
    previous_version_id: Option<Uuid>,
    is_latest: bool,
    title: String,
    description: Option<String>,
    doc_type: String,
    status: String,
    expiry_date: Option<Date>,
    confidential: bool,
    tags: Vec<Option<String>>,
    client_id: Option<Uuid>,
    contract_id: Option<Uuid>,
    file_key: String,
    file_name: String,
    file_kind: String,
    size: i64,
    sha256: String,
    uploaded_by: Option<Uuid>,
    version: i32,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    deleted_at: Option<OffsetDateTime>,
}

impl From<&Document> for DocumentRow {
    fn from(d: &Document) -> Self {
        Self {
            id: d.id.0,
            chain_id: d.chain_id.0,
            version_number: d.version_number,
            previous_version_id: d.previous_version_id.map(|id| id.0),
            is_latest: d.is_latest,
            title: d.title.clone(),
            description: d.description.clone(),
            doc_type: d.doc_type.as_str().to_owned(),
            status: d.status.as_str().to_owned(),
            expiry_date: d.expiry_date,
            confidential: d.confidential,
            tags: d.tags.iter().cloned().map(Some).collect(),
            client_id: d.client_id.map(|id| id.0),
            contract_id: d.contract_id.map(|id| id.0),
            file_key: d.file.key.as_str().to_owned(),
            file_name: d.file_name.clone(),
            file_kind: d.file.kind.as_str().to_owned(),
            size: i64::try_from(d.file.size).unwrap_or(i64::MAX),
            sha256: d.file.sha256.clone(),
            uploaded_by: d.uploaded_by.map(|id| id.0),
            version: d.version,
            created_at: d.created_at,
            updated_at: d.updated_at,
            deleted_at: d.deleted_at,
        }
    }
}

/// A stored value that no longer reads as the domain's: the database and the code disagree.
fn unreadable(column: &str, value: &str) -> DomainError {
    unexpected(format!("documents.{column} holds {value:?}"))
}

fn parsed<T: std::str::FromStr>(column: &str, value: &str) -> Result<T, DomainError> {
    value.parse().map_err(|_| unreadable(column, value))
}

impl TryFrom<DocumentRow> for Document {
    type Error = DomainError;

    fn try_from(row: DocumentRow) -> Result<Self, DomainError> {
        let key = BlobKey::parse(&row.file_key).ok_or_else(|| unreadable("file_key", &row.file_key))?;
        let kind: FileKind = parsed("file_kind", &row.file_kind)?;
        Ok(Document {
            id: DocumentId(row.id),
            chain_id: DocumentId(row.chain_id),
            version_number: row.version_number,
            previous_version_id: row.previous_version_id.map(DocumentId),
            is_latest: row.is_latest,
            title: row.title,
            description: row.description,
            doc_type: parsed("doc_type", &row.doc_type)?,
            status: parsed("status", &row.status)?,
            expiry_date: row.expiry_date,
            confidential: row.confidential,
            tags: row.tags.into_iter().flatten().collect(),
            client_id: row.client_id.map(ClientId),
            contract_id: row.contract_id.map(ContractId),
            file_name: row.file_name,
            file: StoredFile { key, kind, size: row.size.unsigned_abs(), sha256: row.sha256 },
            uploaded_by: row.uploaded_by.map(UserId),
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
            deleted_at: row.deleted_at,
        })
    }
}

fn documents_from(rows: Vec<DocumentRow>) -> Result<Vec<Document>, DomainError> {
    rows.into_iter().map(Document::try_from).collect()
}

diesel::define_sql_function!(
    /// A document's status on a day (migration 000021): the rule `Document::status_on` states.
    fn document_status_on(status: Text, expiry_date: diesel::sql_types::Nullable<SqlDate>, day: SqlDate) -> Text
);

#[derive(Clone)]
pub struct PgDocuments {
    db: Database,
    totals: Arc<ListTotals>,
}

impl PgDocuments {
    pub fn new(db: Database) -> Self {
        register_constraints(CONSTRAINTS);
        Self { db, totals: Arc::new(ListTotals::default()) }
    }
}

type BoxedDocuments = documents::BoxedQuery<'static, Pg>;

/// The list's filters, applied the same way to the page and to its count. The scope first:
/// the organisation's own documents and those of clients the reader sees; confidential ones
/// only for a reader who may see them, so no other filter can find them either.
fn filtered(reader: DocumentReader, query: &DocumentListQuery, today: Date) -> BoxedDocuments {
    let mut rows = documents::table
        .filter(
            documents::client_id
                .is_null()
                .or(documents::client_id.assume_not_null().eq_any(live_clients_in(reader.scope))),
        )
        .into_boxed();
    if !reader.sees_confidential {
        rows = rows.filter(documents::confidential.eq(false));
    }
    if !query.include_deleted {
        rows = rows.filter(documents::deleted_at.is_null());
    }
    if query.latest_only {
        rows = rows.filter(documents::is_latest.eq(true));
    }
    if let Some(client) = query.client {
        rows = rows.filter(documents::client_id.eq(client.0));
    }
    if let Some(contract) = query.contract {
        rows = rows.filter(documents::contract_id.eq(contract.0));
    }
    if let Some(doc_type) = query.doc_type {
        rows = rows.filter(documents::doc_type.eq(doc_type.as_str()));
    }
    let status_today = document_status_on(documents::status, documents::expiry_date, today);
    if let Some(status) = query.status {
        rows = rows.filter(status_today.eq(status.as_str()));
    }
    if let Some(days) = query.expiring_within {
        rows = rows
            .filter(document_status_on(documents::status, documents::expiry_date, today).ne("expired"))
            .filter(documents::status.ne("archived"))
            .filter(documents::expiry_date.between(today, today + Duration::days(i64::from(days))));
    }
    if let Some(confidential) = query.confidential {
        rows = rows.filter(documents::confidential.eq(confidential));
    }
    if let Some(tag) = &query.tag {
        rows = rows.filter(
            sql::<Bool>("EXISTS (SELECT FROM unnest(documents.tags) AS tag WHERE lower(tag) = lower(")
                .bind::<Text, _>(tag.clone())
                .sql("))"),
        );
    }
    if let Some(search) = &query.search {
        rows = rows.filter(
            sql::<Bool>("(title || ' ' || coalesce(description, '') || ' ' || file_name) ILIKE ")
                .bind::<Text, _>(like_pattern(search)),
        );
    }
    rows
}

fn ordered(rows: BoxedDocuments, ordering: DocumentOrdering, descending: bool) -> BoxedDocuments {
    use DocumentOrdering::*;
    match (ordering, descending) {
        (CreatedAt, false) => rows.order((documents::created_at.asc(), documents::id.asc())),
        (CreatedAt, true) => rows.order((documents::created_at.desc(), documents::id.desc())),
        (Title, false) => rows.order((documents::title.asc(), documents::id.asc())),
        (Title, true) => rows.order((documents::title.desc(), documents::id.desc())),
        (ExpiryDate, false) => rows.order((documents::expiry_date.asc().nulls_last(), documents::id.asc())),
        (ExpiryDate, true) => rows.order((documents::expiry_date.desc().nulls_last(), documents::id.desc())),
        (Size, false) => rows.order((documents::size.asc(), documents::id.asc())),
        (Size, true) => rows.order((documents::size.desc(), documents::id.desc())),
    }
}

#[async_trait]
impl DocumentRepository for PgDocuments {
    async fn insert(&self, document: &Document, audit: &AuditRecord) -> Result<Document, DomainError> {
        let row = DocumentRow::from(document);
        audited(&self.db, audit, async move |conn| {
            diesel::insert_into(documents::table).values(&row).execute(&mut *conn).await?;
            Ok(())
        })
        .await?;
        Ok(document.clone())
    }

    async fn insert_version(
        &self,
        previous: DocumentId,
        expected: i32,
        document: &Document,
        audit: &AuditRecord,
    ) -> Result<Option<Document>, DomainError> {
        let row = DocumentRow::from(document);
        let now = document.created_at;
        let inserted = audited_if(&self.db, audit, async move |conn| {
            // The previous version stops being the latest only if it still is, unchanged.
            let superseded = diesel::update(
                documents::table
                    .filter(documents::id.eq(previous.0))
                    .filter(documents::version.eq(expected))
                    .filter(documents::is_latest.eq(true))
                    .filter(documents::deleted_at.is_null()),
            )
            .set((
                documents::is_latest.eq(false),
                documents::version.eq(expected + 1),
                documents::updated_at.eq(now),
            ))
            .execute(&mut *conn)
            .await?;
            if superseded == 0 {
                return Ok(false);
            }
            diesel::insert_into(documents::table).values(&row).execute(&mut *conn).await?;
            Ok(true)
        })
        .await?;
        Ok(inserted.then(|| document.clone()))
    }

    async fn get(&self, id: DocumentId) -> Result<Option<Document>, DomainError> {
        let mut conn = self.db.conn().await?;
        let row: Option<DocumentRow> = documents::table
            .find(id.0)
            .select(DocumentRow::as_select())
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        row.map(Document::try_from).transpose()
    }

    async fn versions(&self, chain: DocumentId) -> Result<Vec<Document>, DomainError> {
        let mut conn = self.db.conn().await?;
        let rows: Vec<DocumentRow> = documents::table
            .filter(documents::chain_id.eq(chain.0))
            .order(documents::version_number.desc())
            .select(DocumentRow::as_select())
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        documents_from(rows)
    }

    async fn list(
        &self,
        reader: DocumentReader,
        query: &DocumentListQuery,
        today: Date,
        page: PageRequest,
    ) -> Result<Page<Document>, DomainError> {
        let conn = self.db.conn().await?;
        let shared: &AsyncPgConnection = &conn;
        let (total, rows) = page_with_remembered_total(
            shared,
            &self.totals,
            filtered(reader, query, today).select((list_version(), count_star())),
            ordered(filtered(reader, query, today), query.ordering, query.descending)
                .select(DocumentRow::as_select())
                .limit(i64::from(page.limit()))
                .offset(i64::try_from(page.offset()).unwrap_or(i64::MAX)),
        )
        .await?;
        Ok(Page::new(documents_from(rows)?, total.unsigned_abs(), page))
    }

    async fn save(
        &self,
        document: &Document,
        expected: i32,
        audit: &AuditRecord,
    ) -> Result<Option<Document>, DomainError> {
        let row = DocumentRow { version: expected + 1, ..DocumentRow::from(document) };
        let id = document.id;
        let saved = audited_update(&self.db, audit, async move |conn| {
            let saved: Option<DocumentRow> = diesel::update(
                documents::table.filter(documents::id.eq(id.0)).filter(documents::version.eq(expected)),
            )
            .set(&row)
            .returning(DocumentRow::as_returning())
            .get_result(&mut *conn)
            .await
            .optional()?;
            Ok(saved)
        })
        .await;
        match saved {
            Ok(row) => Document::try_from(row).map(Some),
            Err(DomainError::VersionMismatch) => Ok(None),
            Err(error) => Err(error),
        }
    }

    async fn set_deleted(
        &self,
        chain: DocumentId,
        at: Option<OffsetDateTime>,
        audit: &AuditRecord,
    ) -> Result<bool, DomainError> {
        let now = audit.occurred_at;
        audited_if(&self.db, audit, async move |conn| {
            let rows = documents::table.filter(documents::chain_id.eq(chain.0));
            let changed = match at {
                Some(at) => {
                    diesel::update(rows.filter(documents::deleted_at.is_null()))
                        .set((
                            documents::deleted_at.eq(at),
                            documents::version.eq(documents::version + 1),
                            documents::updated_at.eq(now),
                        ))
                        .execute(&mut *conn)
                        .await?
                }
                None => {
                    diesel::update(rows.filter(documents::deleted_at.is_not_null()))
                        .set((
                            documents::deleted_at.eq(None::<OffsetDateTime>),
                            documents::version.eq(documents::version + 1),
                            documents::updated_at.eq(now),
                        ))
                        .execute(&mut *conn)
                        .await?
                }
            };
            Ok(changed > 0)
        })
        .await
    }

    async fn expired_before(&self, today: Date, limit: u32) -> Result<Vec<Document>, DomainError> {
        let mut conn = self.db.conn().await?;
        let rows: Vec<DocumentRow> = documents::table
            .filter(documents::status.eq_any(["draft", "published"]))
            .filter(documents::deleted_at.is_null())
            .filter(documents::expiry_date.lt(today))
            .order((documents::expiry_date, documents::id))
            .limit(i64::from(limit))
            .select(DocumentRow::as_select())
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        documents_from(rows)
    }

    async fn unrecorded(&self, keys: &[BlobKey]) -> Result<Vec<BlobKey>, DomainError> {
        let wanted: Vec<String> = keys.iter().map(|key| key.as_str().to_owned()).collect();
        let mut conn = self.db.conn().await?;
        let recorded: Vec<String> = documents::table
            .filter(documents::file_key.eq_any(&wanted))
            .select(documents::file_key)
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        Ok(keys.iter().filter(|key| !recorded.iter().any(|r| r == key.as_str())).cloned().collect())
    }
}
