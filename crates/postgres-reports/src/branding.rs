//! Report templates with their branding revisions, and clients' logos, on PostgreSQL.

use async_trait::async_trait;
use axis_kernel::{AuditRecord, BlobKey, ClientId, DomainError, PageRequest, UserId};
use axis_postgres::audited::{audited, audited_each, audited_if};
use axis_postgres::error::{TxError, map_diesel, unexpected};
use axis_postgres::schema::{client_logos, report_template_revisions, report_templates};
use axis_reports::ReportType;
use axis_reports::logo::{ClientLogo, StoredLogo};
use axis_reports::ports::{BrandingStore, TemplateWrite};
use axis_reports::template::{Branding, ReportTemplate, ReportTemplateId};
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::PgReports;

#[derive(Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = report_templates)]
struct TemplateRow {
    id: Uuid,
    report_type: String,
    name: String,
    is_default: bool,
    revision: i32,
    created_by: Option<Uuid>,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    version: i32,
}

#[derive(Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = report_template_revisions)]
struct RevisionRow {
    template_id: Uuid,
    revision: i32,
    firm_name: Option<String>,
    accent_colour: String,
    heading_colour: String,
    html: Option<String>,
    logo_key: Option<String>,
    logo_format: Option<String>,
    logo_size: Option<i64>,
    logo_sha256: Option<String>,
    created_by: Option<Uuid>,
    created_at: OffsetDateTime,
}

fn stored_logo(
    table: &str,
    key: Option<String>,
    format: Option<String>,
    size: Option<i64>,
    sha256: Option<String>,
) -> Result<Option<StoredLogo>, DomainError> {
    let (Some(key), Some(format)) = (key, format) else { return Ok(None) };
    Ok(Some(StoredLogo {
        key: BlobKey::parse(&key).ok_or_else(|| unexpected(format!("{table} holds the key {key:?}")))?,
        format: format.parse().map_err(|_| unexpected(format!("{table} holds the format {format:?}")))?,
        size: size.and_then(|s| u64::try_from(s).ok()).unwrap_or(0),
        sha256: sha256.unwrap_or_default(),
    }))
}

impl RevisionRow {
    /// The template's current revision, made by `by`.
    fn new(template: &ReportTemplate, by: Option<Uuid>) -> Self {
        let b = &template.branding;
        RevisionRow {
            template_id: template.id.0,
            revision: template.revision,
            firm_name: b.firm_name.clone(),
            accent_colour: b.accent_colour.clone(),
            heading_colour: b.heading_colour.clone(),
            html: b.html.clone(),
            logo_key: b.logo.as_ref().map(|l| l.key.as_str().to_owned()),
            logo_format: b.logo.as_ref().map(|l| l.format.as_str().to_owned()),
            logo_size: b.logo.as_ref().map(|l| i64::try_from(l.size).unwrap_or(i64::MAX)),
            logo_sha256: b.logo.as_ref().map(|l| l.sha256.clone()),
            created_by: by,
            created_at: template.updated_at,
        }
    }

    fn into_branding(self) -> Result<Branding, DomainError> {
        let logo = stored_logo(
            "report_template_revisions",
            self.logo_key,
            self.logo_format,
            self.logo_size,
            self.logo_sha256,
        )?;
        Ok(Branding {
            firm_name: self.firm_name,
            accent_colour: self.accent_colour,
            heading_colour: self.heading_colour,
            html: self.html,
            logo,
        })
    }
}

impl TemplateRow {
    fn new(template: &ReportTemplate) -> Self {
        TemplateRow {
            id: template.id.0,
            report_type: template.report_type.as_str().to_owned(),
            name: template.name.clone(),
            is_default: template.is_default,
            revision: template.revision,
            created_by: template.created_by.map(|u| u.0),
            created_at: template.created_at,
            updated_at: template.updated_at,
            version: template.version,
        }
    }

    fn into_domain(self, revision: RevisionRow) -> Result<ReportTemplate, DomainError> {
        Ok(ReportTemplate {
            id: ReportTemplateId(self.id),
            report_type: self.report_type.parse().map_err(|_| {
                unexpected(format!("report_templates.report_type holds {:?}", self.report_type))
            })?,
            name: self.name,
            is_default: self.is_default,
            revision: self.revision,
            branding: revision.into_branding()?,
            created_by: self.created_by.map(UserId),
            created_at: self.created_at,
            updated_at: self.updated_at,
            version: self.version,
        })
    }
}

/// A template with its current revision.
#[diesel::dsl::auto_type]
fn with_current_revision() -> _ {
    let current = report_template_revisions::template_id
        .eq(report_templates::id)
        .and(report_template_revisions::revision.eq(report_templates::revision));
    report_templates::table.inner_join(report_template_revisions::table.on(current))
}

type Row = (TemplateRow, RevisionRow);

/// When the written template is its type's default, the type's other default stops being it —
/// only if that is the one the audit records name (locked, then compared), else `Conflict`.
async fn take_over_default(conn: &mut AsyncPgConnection, write: &TemplateWrite) -> Result<(), TxError> {
    use report_templates as t;
    let template = &write.template;
    if !template.is_default {
        return Ok(());
    }
    let others = t::table
        .filter(t::report_type.eq(template.report_type.as_str()))
        .filter(t::is_default)
        .filter(t::id.ne(template.id.0));
    let current: Vec<Uuid> = others.select(t::id).for_update().load(conn).await?;
    if current != write.previous_default.map(|id| id.0).into_iter().collect::<Vec<_>>() {
        let why = "the report type's default template changed meanwhile: read it again and retry";
        return Err(TxError::Repo(DomainError::conflict(why)));
    }
    diesel::update(others)
        .set((t::is_default.eq(false), t::version.eq(t::version + 1), t::updated_at.eq(template.updated_at)))
        .execute(conn)
        .await?;
    Ok(())
}

#[async_trait]
impl BrandingStore for PgReports {
    async fn create_template(&self, write: TemplateWrite) -> Result<(), DomainError> {
        let audits = write.audits.clone();
        let owned = write;
        audited_each(&self.db, &audits, async move |conn| {
            take_over_default(conn, &owned).await?;
            diesel::insert_into(report_templates::table)
                .values(TemplateRow::new(&owned.template))
                .execute(conn)
                .await?;
            diesel::insert_into(report_template_revisions::table)
                .values(RevisionRow::new(&owned.template, owned.by.map(|u| u.0)))
                .execute(conn)
                .await?;
            Ok(())
        })
        .await
    }

    async fn template(&self, id: ReportTemplateId) -> Result<Option<ReportTemplate>, DomainError> {
        let mut conn = self.db.conn().await?;
        let row: Option<Row> = with_current_revision()
            .filter(report_templates::id.eq(id.0))
            .select((TemplateRow::as_select(), RevisionRow::as_select()))
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        row.map(|(t, r)| t.into_domain(r)).transpose()
    }

    async fn templates(
        &self,
        report_type: Option<ReportType>,
        page: PageRequest,
    ) -> Result<(Vec<ReportTemplate>, u64), DomainError> {
        use report_templates as t;
        let mut conn = self.db.conn().await?;
        let mut count = t::table.select(count_star()).into_boxed();
        let mut query =
            with_current_revision().select((TemplateRow::as_select(), RevisionRow::as_select())).into_boxed();
        if let Some(kind) = report_type {
            count = count.filter(t::report_type.eq(kind.as_str()));
            query = query.filter(t::report_type.eq(kind.as_str()));
        }
        let total: i64 = count.get_result(&mut *conn).await.map_err(map_diesel)?;
        let rows: Vec<Row> = query
            .order((t::report_type.asc(), t::name.asc(), t::id.asc()))
            .limit(i64::from(page.limit()))
            .offset(i64::try_from(page.offset()).unwrap_or(i64::MAX))
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        let templates = rows.into_iter().map(|(t, r)| t.into_domain(r)).collect::<Result<_, _>>()?;
        Ok((templates, total.unsigned_abs()))
    }

    async fn default_template(&self, report_type: ReportType) -> Result<Option<ReportTemplate>, DomainError> {
        use report_templates as t;
        let mut conn = self.db.conn().await?;
        let row: Option<Row> = with_current_revision()
            .filter(t::report_type.eq(report_type.as_str()))
            .filter(t::is_default)
            .select((TemplateRow::as_select(), RevisionRow::as_select()))
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        row.map(|(t, r)| t.into_domain(r)).transpose()
    }

    async fn update_template(&self, write: TemplateWrite, expected_version: i32) -> Result<(), DomainError> {
        let audits = write.audits.clone();
        let owned = write;
        audited_each(&self.db, &audits, async move |conn| {
            use report_templates as t;
            take_over_default(conn, &owned).await?;
            let template = &owned.template;
            let changed = diesel::update(
                t::table.filter(t::id.eq(template.id.0)).filter(t::version.eq(expected_version)),
            )
            .set((
                t::name.eq(&template.name),
                t::is_default.eq(template.is_default),
                t::revision.eq(template.revision),
                t::updated_at.eq(template.updated_at),
                t::version.eq(template.version),
            ))
            .execute(conn)
            .await?;
            if changed == 0 {
                return Err(TxError::Repo(DomainError::VersionMismatch));
            }
            // A new revision number is a new row; the same one is already there.
            diesel::insert_into(report_template_revisions::table)
                .values(RevisionRow::new(template, owned.by.map(|u| u.0)))
                .on_conflict_do_nothing()
                .execute(conn)
                .await?;
            Ok(())
        })
        .await
    }

    async fn revision(&self, id: ReportTemplateId, revision: i32) -> Result<Option<Branding>, DomainError> {
        let mut conn = self.db.conn().await?;
        let row: Option<RevisionRow> = report_template_revisions::table
            .find((id.0, revision))
            .select(RevisionRow::as_select())
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        row.map(RevisionRow::into_branding).transpose()
    }

    async fn client_logo(&self, client: ClientId) -> Result<Option<ClientLogo>, DomainError> {
        use client_logos as l;
        let mut conn = self.db.conn().await?;
        type LogoRow = (String, String, i64, String, Option<Uuid>, OffsetDateTime);
        let row: Option<LogoRow> = l::table
            .find(client.0)
            .select((l::key, l::format, l::size, l::sha256, l::uploaded_by, l::uploaded_at))
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        let Some((key, format, size, sha256, uploaded_by, uploaded_at)) = row else { return Ok(None) };
        let logo = stored_logo("client_logos", Some(key), Some(format), Some(size), Some(sha256))?
            .ok_or_else(|| unexpected("client_logos holds a logo without a key".to_owned()))?;
        Ok(Some(ClientLogo { client_id: client, logo, uploaded_by: uploaded_by.map(UserId), uploaded_at }))
    }

    async fn set_client_logo(&self, logo: &ClientLogo, audit: &AuditRecord) -> Result<(), DomainError> {
        let logo = logo.clone();
        audited(&self.db, audit, async move |conn| {
            use client_logos as l;
            let values = (
                l::client_id.eq(logo.client_id.0),
                l::key.eq(logo.logo.key.as_str().to_owned()),
                l::format.eq(logo.logo.format.as_str()),
                l::size.eq(i64::try_from(logo.logo.size).unwrap_or(i64::MAX)),
                l::sha256.eq(logo.logo.sha256.clone()),
                l::uploaded_by.eq(logo.uploaded_by.map(|u| u.0)),
                l::uploaded_at.eq(logo.uploaded_at),
            );
            diesel::insert_into(l::table)
                .values(values.clone())
                .on_conflict(l::client_id)
                .do_update()
                .set(values)
                .execute(conn)
                .await?;
            Ok(())
        })
        .await
    }

    async fn remove_client_logo(&self, client: ClientId, audit: &AuditRecord) -> Result<bool, DomainError> {
        audited_if(&self.db, audit, async move |conn| {
            let removed = diesel::delete(client_logos::table.find(client.0)).execute(conn).await?;
            Ok(removed > 0)
        })
        .await
    }
}
