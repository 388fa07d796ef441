//! Reports on PostgreSQL: a report's row with its three files' keys, read with whether its
//! import completed again since it was rendered (stale).

mod analytics;
mod branding;
mod shares;

use async_trait::async_trait;
use axis_advisor::AdvisorImportId;
use axis_kernel::{AuditRecord, BlobKey, ClientId, DomainError, PageRequest, UserId};
use axis_postgres::Database;
use axis_postgres::audited::{audited, audited_if};
use axis_postgres::error::{Constraint, map_diesel, register_constraints, unexpected};
use axis_postgres::schema::{advisor_imports, client_logos, clients, report_template_revisions, reports};
use axis_reports::template::ReportTemplateId;
use axis_reports::{Report, ReportFile, ReportFormat, ReportId, ReportStatus, ReportStore};
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

const CONSTRAINTS: &[Constraint] = &[
    Constraint { name: "reports_import_id_fkey", field: "import_id", message: "is not an Advisor import" },
    Constraint { name: "reports_client_id_fkey", field: "client_id", message: "is not a client" },
    Constraint { name: "reports_template_fkey", field: "template_id", message: "is not a report template" },
    Constraint {
        name: "report_templates_name_key",
        field: "name",
        message: "is taken by a template of this type",
    },
    Constraint {
        name: "report_templates_one_default",
        field: "is_default",
        message: "another template became this type's default at the same time: try again",
    },
    Constraint { name: "client_logos_client_id_fkey", field: "client_id", message: "is not a client" },
];

#[derive(Clone)]
pub struct PgReports {
    db: Database,
}

impl PgReports {
    pub fn new(db: Database) -> Self {
        register_constraints(CONSTRAINTS);
        Self { db }
    }
}

#[derive(Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = reports)]
struct ReportRow {
    id: Uuid,
    client_id: Uuid,
    import_id: Uuid,
    report_type: String,
    options: Value,
    status: String,
    html_key: Option<String>,
    html_size: Option<i64>,
    html_sha256: Option<String>,
    pdf_key: Option<String>,
    pdf_size: Option<i64>,
    pdf_sha256: Option<String>,
    xlsx_key: Option<String>,
    xlsx_size: Option<i64>,
    xlsx_sha256: Option<String>,
    error: Option<String>,
    attempts: i32,
    import_completed_at: Option<OffsetDateTime>,
    created_by: Option<Uuid>,
    created_at: OffsetDateTime,
    finished_at: Option<OffsetDateTime>,
    version: i32,
    template_id: Option<Uuid>,
    template_revision: Option<i32>,
}

fn parsed<T: std::str::FromStr>(column: &str, value: &str) -> Result<T, DomainError> {
    value.parse().map_err(|_| unexpected(format!("reports.{column} holds {value:?}")))
}

fn file(
    format: ReportFormat,
    key: Option<String>,
    size: Option<i64>,
    sha256: Option<String>,
) -> Result<Option<ReportFile>, DomainError> {
    let Some(key) = key else { return Ok(None) };
    let key =
        BlobKey::parse(&key).ok_or_else(|| unexpected(format!("reports.{format}_key holds {key:?}")))?;
    Ok(Some(ReportFile {
        format,
        key,
        size: size.and_then(|s| u64::try_from(s).ok()).unwrap_or(0),
        sha256: sha256.unwrap_or_default(),
    }))
}

impl ReportRow {
    fn new(report: &Report) -> Result<Self, DomainError> {
        Ok(ReportRow {
            id: report.id.0,
            client_id: report.client_id.0,
            import_id: report.import_id.0,
            report_type: report.report_type.as_str().to_owned(),
            options: serde_json::to_value(&report.options).map_err(|e| unexpected(e.to_string()))?,
            status: report.status.as_str().to_owned(),
            html_key: None,
            html_size: None,
            html_sha256: None,
            pdf_key: None,
            pdf_size: None,
            pdf_sha256: None,
            xlsx_key: None,
            xlsx_size: None,
            xlsx_sha256: None,
            error: report.error.clone(),
            attempts: report.attempts,
            import_completed_at: report.import_completed_at,
            created_by: report.created_by.map(|u| u.0),
            created_at: report.created_at,
            finished_at: report.finished_at,
            version: report.version,
            template_id: report.template.map(|(id, _)| id.0),
            template_revision: report.template.map(|(_, revision)| revision),
        })
    }

    /// The report, `stale` when its import's completion is no longer the one it rendered.
    fn into_domain(self, import: (String, Option<OffsetDateTime>)) -> Result<Report, DomainError> {
        let status: ReportStatus = parsed("status", &self.status)?;
        let (import_status, import_finished) = import;
        let stale = status == ReportStatus::Ready
            && (import_status != "completed" || import_finished != self.import_completed_at);
        let files = [
            file(ReportFormat::Html, self.html_key, self.html_size, self.html_sha256)?,
            file(ReportFormat::Pdf, self.pdf_key, self.pdf_size, self.pdf_sha256)?,
            file(ReportFormat::Xlsx, self.xlsx_key, self.xlsx_size, self.xlsx_sha256)?,
        ];
        Ok(Report {
            id: ReportId(self.id),
            client_id: ClientId(self.client_id),
            import_id: AdvisorImportId(self.import_id),
            report_type: parsed("report_type", &self.report_type)?,
            options: serde_json::from_value(self.options)
                .map_err(|e| unexpected(format!("reports.options: {e}")))?,
            status,
            files: files.into_iter().flatten().collect(),
            error: self.error,
            attempts: self.attempts,
            created_by: self.created_by.map(UserId),
            created_at: self.created_at,
            finished_at: self.finished_at,
            import_completed_at: self.import_completed_at,
            stale,
            template: self.template_id.zip(self.template_revision).map(|(id, r)| (ReportTemplateId(id), r)),
            version: self.version,
        })
    }
}

type Row = (ReportRow, (String, Option<OffsetDateTime>));

#[async_trait]
impl ReportStore for PgReports {
    async fn create(&self, report: &Report, audit: &AuditRecord) -> Result<(), DomainError> {
        let row = ReportRow::new(report)?;
        audited(&self.db, audit, async move |conn| {
            diesel::insert_into(reports::table).values(&row).execute(conn).await?;
            Ok(())
        })
        .await
    }

    async fn get(&self, id: ReportId) -> Result<Option<Report>, DomainError> {
        let mut conn = self.db.conn().await?;
        let row: Option<Row> = reports::table
            .inner_join(advisor_imports::table)
            .filter(reports::id.eq(id.0))
            .select((ReportRow::as_select(), (advisor_imports::status, advisor_imports::finished_at)))
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        row.map(|(report, import)| report.into_domain(import)).transpose()
    }

    async fn list(&self, client: ClientId, page: PageRequest) -> Result<(Vec<Report>, u64), DomainError> {
        let mut conn = self.db.conn().await?;
        let total: i64 = reports::table
            .filter(reports::client_id.eq(client.0))
            .select(count_star())
            .get_result(&mut *conn)
            .await
            .map_err(map_diesel)?;
        let rows: Vec<Row> = reports::table
            .inner_join(advisor_imports::table)
            .filter(reports::client_id.eq(client.0))
            .order((reports::created_at.desc(), reports::id.desc()))
            .select((ReportRow::as_select(), (advisor_imports::status, advisor_imports::finished_at)))
            .limit(i64::from(page.limit()))
            .offset(i64::try_from(page.offset()).unwrap_or(i64::MAX))
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        let reports = rows.into_iter().map(|(r, i)| r.into_domain(i)).collect::<Result<_, _>>()?;
        Ok((reports, total.unsigned_abs()))
    }

    async fn start(&self, id: ReportId, audit: &AuditRecord) -> Result<bool, DomainError> {
        audited_if(&self.db, audit, async move |conn| {
            use reports as r;
            let starting = [ReportStatus::Queued.as_str(), ReportStatus::Rendering.as_str()];
            let changed = diesel::update(r::table.filter(r::id.eq(id.0)).filter(r::status.eq_any(starting)))
                .set((
                    r::status.eq(ReportStatus::Rendering.as_str()),
                    r::attempts.eq(r::attempts + 1),
                    r::version.eq(r::version + 1),
                ))
                .execute(conn)
                .await?;
            Ok(changed > 0)
        })
        .await
    }

    async fn finish(
        &self,
        id: ReportId,
        files: &[ReportFile],
        import_completed_at: Option<OffsetDateTime>,
        at: OffsetDateTime,
        audit: &AuditRecord,
    ) -> Result<bool, DomainError> {
        let of = |format: ReportFormat| files.iter().find(|f| f.format == format).cloned();
        let (html, pdf, xlsx) = (of(ReportFormat::Html), of(ReportFormat::Pdf), of(ReportFormat::Xlsx));
        let (Some(html), Some(pdf), Some(xlsx)) = (html, pdf, xlsx) else {
            return Err(unexpected("a ready report has its three files".to_owned()));
        };
        let size = |f: &ReportFile| i64::try_from(f.size).unwrap_or(i64::MAX);
        audited_if(&self.db, audit, async move |conn| {
            use reports as r;
            let changed = diesel::update(
                r::table.filter(r::id.eq(id.0)).filter(r::status.eq(ReportStatus::Rendering.as_str())),
            )
            .set((
                r::status.eq(ReportStatus::Ready.as_str()),
                r::html_key.eq(Some(html.key.as_str())),
                r::html_size.eq(Some(size(&html))),
                r::html_sha256.eq(Some(&html.sha256)),
                r::pdf_key.eq(Some(pdf.key.as_str())),
                r::pdf_size.eq(Some(size(&pdf))),
                r::pdf_sha256.eq(Some(&pdf.sha256)),
                r::xlsx_key.eq(Some(xlsx.key.as_str())),
                r::xlsx_size.eq(Some(size(&xlsx))),
                r::xlsx_sha256.eq(Some(&xlsx.sha256)),
                r::error.eq(None::<String>),
                r::import_completed_at.eq(import_completed_at),
                r::finished_at.eq(Some(at)),
                r::version.eq(r::version + 1),
            ))
            .execute(conn)
            .await?;
            Ok(changed > 0)
        })
        .await
    }

    async fn fail(
        &self,
        id: ReportId,
        error: &str,
        at: OffsetDateTime,
        audit: &AuditRecord,
    ) -> Result<(), DomainError> {
        let error: String = error.chars().take(2000).collect();
        audited_if(&self.db, audit, async move |conn| {
            use reports as r;
            let unfinished = [ReportStatus::Queued.as_str(), ReportStatus::Rendering.as_str()];
            let changed =
                diesel::update(r::table.filter(r::id.eq(id.0)).filter(r::status.eq_any(unfinished)))
                    .set((
                        r::status.eq(ReportStatus::Failed.as_str()),
                        r::error.eq(Some(&error)),
                        r::finished_at.eq(Some(at)),
                        r::version.eq(r::version + 1),
                    ))
                    .execute(conn)
                    .await?;
            Ok(changed > 0)
        })
        .await?;
        Ok(())
    }

    async fn client_name(&self, client: ClientId) -> Result<Option<String>, DomainError> {
        let mut conn = self.db.conn().await?;
        clients::table
            .find(client.0)
            .select(clients::name)
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)
    }

    /// Report files and logos: a key is recorded when a report, a template revision or a
    /// client's logo names it.
    async fn unrecorded(&self, keys: &[BlobKey]) -> Result<Vec<BlobKey>, DomainError> {
        use reports as r;
        let wanted: Vec<&str> = keys.iter().map(|key| key.as_str()).collect();
        let mut conn = self.db.conn().await?;
        let rows: Vec<(Option<String>, Option<String>, Option<String>)> = r::table
            .filter(
                r::html_key.eq_any(&wanted).or(r::pdf_key.eq_any(&wanted)).or(r::xlsx_key.eq_any(&wanted)),
            )
            .select((r::html_key, r::pdf_key, r::xlsx_key))
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        let mut recorded: Vec<String> = rows.into_iter().flat_map(|(h, p, x)| [h, p, x]).flatten().collect();
        let template_logos: Vec<Option<String>> = report_template_revisions::table
            .filter(report_template_revisions::logo_key.eq_any(&wanted))
            .select(report_template_revisions::logo_key)
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        recorded.extend(template_logos.into_iter().flatten());
        let client_logos: Vec<String> = client_logos::table
            .filter(client_logos::key.eq_any(&wanted))
            .select(client_logos::key)
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        recorded.extend(client_logos);
        Ok(keys.iter().filter(|key| !recorded.iter().any(|r| r == key.as_str())).cloned().collect())
    }
}
