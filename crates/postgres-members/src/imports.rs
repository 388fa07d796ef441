//! Eligibility-file imports: the import record, its rows as read, and the set-based check and
//! apply. Every statement covers all of an import's rows at once (`UPDATE … FROM`,
//! `INSERT … SELECT`); no statement runs per row.
//!
//! The check fills in, for each row, the member it is (`member_id`), a dependent's staff member
//! (`staff_id`), why it conflicts (`check_errors`), what it does (`outcome`) and which fields it
//! changes (`changed`), and adds one row for each active staff member a full import deactivates.
//! The apply writes from those columns, so a dry run and a real run of one file report the same.

use async_trait::async_trait;
use axis_beneficiaries::Guardian;
use axis_kernel::{Actor, AuditRecord, ClientId, DomainError, FieldErrors, PageRequest, UserId};
use axis_member_import::ports::{Checked, Ending, ImportStore, StagedRow};
use axis_member_import::{
    Column, ImportId, ImportMode, ImportOptions, ImportRow, ImportStatus, ImportSummary, MemberImport,
    Refusal, ReportEntry, RowOutcome,
};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Date as SqlDate, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::profiles::ProfileRow;
use axis_postgres::Database;
use axis_postgres::audited::audited;
use axis_postgres::error::{TxError, map_diesel, unexpected};
use axis_postgres::schema::member_imports;

#[derive(Insertable)]
#[diesel(table_name = member_imports)]
struct NewImport {
    id: Uuid,
    client_id: Uuid,
    mode: &'static str,
    dry_run: bool,
    force: bool,
    effective_date: Date,
    status: &'static str,
    file_name: Option<String>,
    created_by: Option<Uuid>,
    created_at: OffsetDateTime,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = member_imports)]
struct ImportRecord {
    id: Uuid,
    client_id: Uuid,
    mode: String,
    dry_run: bool,
    force: bool,
    effective_date: Date,
    status: String,
    refusal: Option<String>,
    error: Option<String>,
    file_name: Option<String>,
    file_columns: Vec<Option<String>>,
    ignored_columns: Vec<Option<String>>,
    file_headers: Vec<Option<String>>,
    rows_total: i32,
    created: i32,
    updated: i32,
    unchanged: i32,
    rejected: i32,
    deactivated: i32,
    created_by: Option<Uuid>,
    created_at: OffsetDateTime,
    finished_at: Option<OffsetDateTime>,
}

fn parsed<T: std::str::FromStr>(value: &str, column: &str) -> Result<T, DomainError> {
    value.parse().map_err(|_| unexpected(format!("member_imports.{column}")))
}

impl ImportRecord {
    fn into_import(self) -> Result<MemberImport, DomainError> {
        let count = |n: i32| u64::try_from(n).unwrap_or(0);
        Ok(MemberImport {
            id: ImportId(self.id),
            client_id: ClientId(self.client_id),
            options: ImportOptions {
                mode: parsed::<ImportMode>(&self.mode, "mode")?,
                dry_run: self.dry_run,
                force: self.force,
                effective_date: self.effective_date,
            },
            status: parsed::<ImportStatus>(&self.status, "status")?,
            refusal: self.refusal.as_deref().map(|r| parsed::<Refusal>(r, "refusal")).transpose()?,
            error: self.error,
            file_name: self.file_name,
            columns: self.file_columns.into_iter().flatten().collect(),
            headers: self.file_headers.into_iter().flatten().collect(),
            ignored_columns: self.ignored_columns.into_iter().flatten().collect(),
            summary: ImportSummary {
                rows: count(self.rows_total),
                created: count(self.created),
                updated: count(self.updated),
                unchanged: count(self.unchanged),
                rejected: count(self.rejected),
                deactivated: count(self.deactivated),
            },
            created_by: self.created_by.map(UserId),
            created_at: self.created_at,
            finished_at: self.finished_at,
        })
    }
}

/// Rows to store with their import, a vector a column: one `INSERT … SELECT FROM unnest(…)`
/// stores a whole batch with 30 bound arrays.
#[derive(Default)]
struct StagedColumns {
    seq: Vec<i32>,
    line: Vec<i64>,
    kind: Vec<&'static str>,
    new_id: Vec<Uuid>,
    employee_number: Vec<Option<String>>,
    full_name: Vec<Option<String>>,
    preferred_name: Vec<Option<String>>,
    date_of_birth: Vec<Option<Date>>,
    gender: Vec<Option<String>>,
    phone: Vec<Option<String>>,
    email: Vec<Option<String>>,
    address: Vec<Option<String>>,
    preferred_language: Vec<Option<String>>,
    preferred_contact_method: Vec<Option<String>>,
    emergency_contact_name: Vec<Option<String>>,
    emergency_contact_relation: Vec<Option<String>>,
    emergency_contact_phone: Vec<Option<String>>,
    emergency_contact_email: Vec<Option<String>>,
    job_title: Vec<Option<String>>,
    department: Vec<Option<String>>,
    staff_role: Vec<Option<String>>,
    employment_start: Vec<Option<Date>>,
    relation: Vec<Option<String>>,
    guardian_kind: Vec<Option<String>>,
    guardian_name: Vec<Option<String>>,
    guardian_relation: Vec<Option<String>>,
    guardian_phone: Vec<Option<String>>,
    guardian_email: Vec<Option<String>>,
    errors: Vec<Option<Value>>,
}

/// A guardian's columns: kind, name, relation, phone, e-mail.
type GuardianValues = (&'static str, Option<String>, Option<String>, Option<String>, Option<String>);

/// The values of one row that are not a person's profile.
#[derive(Default)]
struct RowValues {
    employee_number: Option<String>,
    job_title: Option<String>,
    department: Option<String>,
    staff_role: Option<String>,
    employment_start: Option<Date>,
    relation: Option<String>,
    guardian: Option<GuardianValues>,
    errors: Option<Value>,
}

impl StagedColumns {
    fn push_row(
        &mut self,
        line: u64,
        kind: &'static str,
        profile: Option<&axis_kernel::Profile>,
        values: RowValues,
    ) {
        let new_id = Uuid::now_v7();
        self.seq.push(i32::try_from(line).unwrap_or(i32::MAX));
        self.line.push(i64::try_from(line).unwrap_or(i64::MAX));
        self.kind.push(kind);
        self.new_id.push(new_id);
        // The person columns come from the same mapping as a member's profile row.
        let p = profile.map(|profile| ProfileRow::new(new_id, profile));
        self.full_name.push(p.as_ref().map(|p| p.full_name.clone()));
        self.preferred_name.push(p.as_ref().and_then(|p| p.preferred_name.clone()));
        self.date_of_birth.push(p.as_ref().and_then(|p| p.date_of_birth));
        self.gender.push(p.as_ref().and_then(|p| p.gender.clone()));
        self.phone.push(p.as_ref().and_then(|p| p.phone.clone()));
        self.email.push(p.as_ref().and_then(|p| p.email.clone()));
        self.address.push(p.as_ref().and_then(|p| p.address.clone()));
        self.preferred_language.push(p.as_ref().and_then(|p| p.preferred_language.clone()));
        self.preferred_contact_method.push(p.as_ref().and_then(|p| p.preferred_contact_method.clone()));
        self.emergency_contact_name.push(p.as_ref().and_then(|p| p.emergency_contact_name.clone()));
        self.emergency_contact_relation.push(p.as_ref().and_then(|p| p.emergency_contact_relation.clone()));
        self.emergency_contact_phone.push(p.as_ref().and_then(|p| p.emergency_contact_phone.clone()));
        self.emergency_contact_email.push(p.as_ref().and_then(|p| p.emergency_contact_email.clone()));
        self.employee_number.push(values.employee_number);
        self.job_title.push(values.job_title);
        self.department.push(values.department);
        self.staff_role.push(values.staff_role);
        self.employment_start.push(values.employment_start);
        self.relation.push(values.relation);
        let (kind, name, relation, phone, email) = match values.guardian {
            Some((kind, name, relation, phone, email)) => {
                (Some(kind.to_owned()), name, relation, phone, email)
            }
            None => (None, None, None, None, None),
        };
        self.guardian_kind.push(kind);
        self.guardian_name.push(name);
        self.guardian_relation.push(relation);
        self.guardian_phone.push(phone);
        self.guardian_email.push(email);
        self.errors.push(values.errors);
    }

    fn push(&mut self, staged: &StagedRow) -> Result<(), DomainError> {
        match staged {
            StagedRow::Checked(row) => match &**row {
                ImportRow::Staff(staff) => {
                    let d = &staff.draft;
                    let values = RowValues {
                        employee_number: d.employee_number.clone(),
                        job_title: d.job_title.clone(),
                        department: d.department.clone(),
                        staff_role: Some(d.role.as_str().to_owned()),
                        employment_start: Some(d.employment_start),
                        ..RowValues::default()
                    };
                    self.push_row(staff.line, "staff", Some(&d.profile), values);
                }
                ImportRow::Dependent(dependent) => {
                    let guardian = dependent.guardian.as_ref().map(|guardian| match guardian {
                        Guardian::StaffMember => ("staff_member", None, None, None, None),
                        Guardian::Named { name, relation, phone, email } => {
                            ("named", Some(name.clone()), relation.clone(), phone.clone(), email.clone())
                        }
                    });
                    let values = RowValues {
                        employee_number: Some(dependent.staff_employee_number.clone()),
                        relation: Some(dependent.relation.as_str().to_owned()),
                        guardian,
                        ..RowValues::default()
                    };
                    self.push_row(dependent.line, "dependent", Some(&dependent.profile), values);
                }
            },
            StagedRow::Rejected { line, kind, employee_number, errors } => {
                let errors =
                    serde_json::to_value(errors.fields()).map_err(|e| DomainError::Internal(e.into()))?;
                let values = RowValues {
                    employee_number: employee_number.clone(),
                    errors: Some(errors),
                    ..RowValues::default()
                };
                self.push_row(*line, kind.as_str(), None, values);
            }
        }
        Ok(())
    }
}

#[derive(QueryableByName)]
struct OutcomeCount {
    #[diesel(sql_type = Text)]
    outcome: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Number {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct ReportRow {
    #[diesel(sql_type = Nullable<BigInt>)]
    line: Option<i64>,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    outcome: String,
    #[diesel(sql_type = Nullable<Text>)]
    employee_number: Option<String>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    member_id: Option<Uuid>,
    #[diesel(sql_type = Array<Text>)]
    changed: Vec<String>,
    #[diesel(sql_type = Nullable<diesel::sql_types::Jsonb>)]
    errors: Option<Value>,
}

/// Field errors from their stored JSON (`{"column": ["message", …]}`).
fn field_errors(value: Option<Value>) -> FieldErrors {
    let mut errors = FieldErrors::new();
    if let Some(Value::Object(fields)) = value {
        for (field, messages) in fields {
            for message in messages.as_array().into_iter().flatten() {
                errors.add(field.clone(), message.as_str().unwrap_or_default());
            }
        }
    }
    errors
}

/// The statements of a `.sql` file, in order: each ends with `;` at the end of a line.
fn statements(file: &'static str) -> impl Iterator<Item = &'static str> {
    file.split(";\n").map(str::trim).filter(|chunk| chunk.lines().any(|line| !line.starts_with("--")))
}

/// The check of a staged import; `$3`, the file's columns, decides which person fields a row
/// may change (written out per column: the `PROFILE_FIELDS` test keeps them complete).
const CHECK: &str = include_str!("imports_sql/check.sql");
/// The writes of an applied import.
const APPLY: &str = include_str!("imports_sql/apply.sql");
const STAGE: &str = include_str!("imports_sql/stage.sql");
const DEACTIVATIONS: &str = include_str!("imports_sql/deactivations.sql");
const AUDIT_PER_MEMBER: &str = include_str!("imports_sql/audit_per_member.sql");

#[derive(Clone)]
pub struct PgImports {
    db: Database,
}

impl PgImports {
    pub fn new(db: Database) -> Self {
        axis_postgres::error::register_constraints(crate::CONSTRAINTS);
        Self { db }
    }
}

/// The counts of each outcome of an import's rows.
async fn summary(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<ImportSummary> {
    let counts: Vec<OutcomeCount> = diesel::sql_query(
        "SELECT outcome, count(*) AS n FROM member_import_rows WHERE import_id = $1 AND outcome IS NOT NULL
          GROUP BY outcome",
    )
    .bind::<SqlUuid, _>(id)
    .load(conn)
    .await?;
    let mut summary = ImportSummary::default();
    for OutcomeCount { outcome, n } in counts {
        let n = u64::try_from(n).unwrap_or(0);
        match outcome.as_str() {
            "created" => summary.created = n,
            "updated" => summary.updated = n,
            "unchanged" => summary.unchanged = n,
            "rejected" => summary.rejected = n,
            "deactivated" => summary.deactivated = n,
            _ => {}
        }
    }
    summary.rows = summary.created + summary.updated + summary.unchanged + summary.rejected;
    Ok(summary)
}

/// Records how an import ended on `conn`, if it had not: an import ends once (a repeated job or
/// a second runner finds it ended and changes nothing). The row stays locked until the caller's
/// transaction ends, so two runners cannot both apply.
async fn record_ending(conn: &mut AsyncPgConnection, id: Uuid, ending: &Ending) -> Result<(), TxError> {
    let count = |n: u64| i32::try_from(n).unwrap_or(i32::MAX);
    let s = ending.summary;
    let finished = (ending.status != ImportStatus::Queued).then_some(ending.at);
    let open =
        member_imports::status.eq_any([ImportStatus::Receiving.as_str(), ImportStatus::Queued.as_str()]);
    let recorded = diesel::update(member_imports::table.find(id).filter(open))
        .set((
            member_imports::status.eq(ending.status.as_str()),
            member_imports::refusal.eq(ending.refusal.map(|r| r.as_str())),
            member_imports::error.eq(ending.error.as_deref()),
            member_imports::rows_total.eq(count(s.rows)),
            member_imports::created.eq(count(s.created)),
            member_imports::updated.eq(count(s.updated)),
            member_imports::unchanged.eq(count(s.unchanged)),
            member_imports::rejected.eq(count(s.rejected)),
            member_imports::deactivated.eq(count(s.deactivated)),
            member_imports::finished_at.eq(finished),
        ))
        .execute(conn)
        .await?;
    if recorded == 0 {
        return Err(TxError::Repo(DomainError::conflict("the import has already ended")));
    }
    Ok(())
}

#[async_trait]
impl ImportStore for PgImports {
    async fn create(&self, import: &MemberImport, audit: &AuditRecord) -> Result<(), DomainError> {
        let row = NewImport {
            id: import.id.0,
            client_id: import.client_id.0,
            mode: import.options.mode.as_str(),
            dry_run: import.options.dry_run,
            force: import.options.force,
            effective_date: import.options.effective_date,
            status: import.status.as_str(),
            file_name: import.file_name.clone(),
            created_by: import.created_by.map(|u| u.0),
            created_at: import.created_at,
        };
        audited(&self.db, audit, async move |conn| {
            diesel::insert_into(member_imports::table).values(&row).execute(conn).await?;
            Ok(())
        })
        .await
    }

    async fn set_columns(
        &self,
        id: ImportId,
        columns: &[Column],
        headers: &[String],
        ignored: &[String],
    ) -> Result<(), DomainError> {
        let names: Vec<Option<&str>> = columns.iter().map(|c| Some(c.name())).collect();
        let headers: Vec<Option<&str>> = headers.iter().map(|cell| Some(cell.as_str())).collect();
        let ignored: Vec<Option<&str>> = ignored.iter().map(|cell| Some(cell.as_str())).collect();
        let mut conn = self.db.conn().await?;
        diesel::update(member_imports::table.find(id.0))
            .set((
                member_imports::file_columns.eq(names),
                member_imports::file_headers.eq(headers),
                member_imports::ignored_columns.eq(ignored),
            ))
            .execute(&mut *conn)
            .await
            .map_err(map_diesel)?;
        Ok(())
    }

    async fn stage(&self, id: ImportId, rows: &[StagedRow]) -> Result<(), DomainError> {
        let mut c = StagedColumns::default();
        for row in rows {
            c.push(row)?;
        }
        type Texts = Array<Nullable<Text>>;
        type Dates = Array<Nullable<SqlDate>>;
        let mut conn = self.db.conn().await?;
        diesel::sql_query(STAGE)
            .bind::<SqlUuid, _>(id.0)
            .bind::<Array<diesel::sql_types::Integer>, _>(&c.seq)
            .bind::<Array<BigInt>, _>(&c.line)
            .bind::<Array<Text>, _>(&c.kind)
            .bind::<Array<SqlUuid>, _>(&c.new_id)
            .bind::<Texts, _>(&c.employee_number)
            .bind::<Texts, _>(&c.full_name)
            .bind::<Texts, _>(&c.preferred_name)
            .bind::<Dates, _>(&c.date_of_birth)
            .bind::<Texts, _>(&c.gender)
            .bind::<Texts, _>(&c.phone)
            .bind::<Texts, _>(&c.email)
            .bind::<Texts, _>(&c.address)
            .bind::<Texts, _>(&c.preferred_language)
            .bind::<Texts, _>(&c.preferred_contact_method)
            .bind::<Texts, _>(&c.emergency_contact_name)
            .bind::<Texts, _>(&c.emergency_contact_relation)
            .bind::<Texts, _>(&c.emergency_contact_phone)
            .bind::<Texts, _>(&c.emergency_contact_email)
            .bind::<Texts, _>(&c.job_title)
            .bind::<Texts, _>(&c.department)
            .bind::<Texts, _>(&c.staff_role)
            .bind::<Dates, _>(&c.employment_start)
            .bind::<Texts, _>(&c.relation)
            .bind::<Texts, _>(&c.guardian_kind)
            .bind::<Texts, _>(&c.guardian_name)
            .bind::<Texts, _>(&c.guardian_relation)
            .bind::<Texts, _>(&c.guardian_phone)
            .bind::<Texts, _>(&c.guardian_email)
            .bind::<Array<Nullable<diesel::sql_types::Jsonb>>, _>(&c.errors)
            .execute(&mut *conn)
            .await
            .map_err(map_diesel)?;
        Ok(())
    }

    async fn check(&self, import: &MemberImport) -> Result<Checked, DomainError> {
        let (id, client) = (import.id.0, import.client_id.0);
        let columns = import.columns.clone();
        let full = import.options.mode == ImportMode::Full;
        let mut conn = self.db.conn().await?;
        for statement in statements(CHECK) {
            diesel::sql_query(statement)
                .bind::<SqlUuid, _>(id)
                .bind::<SqlUuid, _>(client)
                .bind::<Array<Text>, _>(&columns)
                .execute(&mut *conn)
                .await
                .map_err(map_diesel)?;
        }
        if full {
            diesel::sql_query(DEACTIVATIONS)
                .bind::<SqlUuid, _>(id)
                .bind::<SqlUuid, _>(client)
                .execute(&mut *conn)
                .await
                .map_err(map_diesel)?;
        }
        let summary = summary(&mut conn, id).await.map_err(map_diesel)?;
        let active: Number = diesel::sql_query(
            "SELECT count(*) AS n FROM staff
              WHERE client_id = $1 AND deleted_at IS NULL AND status IN ('active', 'on_leave')",
        )
        .bind::<SqlUuid, _>(client)
        .get_result(&mut *conn)
        .await
        .map_err(map_diesel)?;
        Ok(Checked { summary, active_staff: u64::try_from(active.n).unwrap_or(0) })
    }

    async fn apply(
        &self,
        import: &MemberImport,
        actor: &Actor,
        at: OffsetDateTime,
        today: Date,
        ending: &Ending,
        audit: &AuditRecord,
    ) -> Result<(), DomainError> {
        let (id, client) = (import.id.0, import.client_id.0);
        let columns = import.columns.clone();
        let effective = import.options.effective_date;
        let (ending, actor) = (ending.clone(), actor.clone());
        audited(&self.db, audit, async move |conn| {
            // First: claims the import, so a second runner waits here and then finds it ended.
            record_ending(conn, id, &ending).await?;
            for statement in statements(APPLY) {
                diesel::sql_query(statement)
                    .bind::<SqlUuid, _>(id)
                    .bind::<SqlUuid, _>(client)
                    .bind::<Array<Text>, _>(&columns)
                    .bind::<Timestamptz, _>(at)
                    .bind::<SqlDate, _>(today)
                    .bind::<SqlDate, _>(effective)
                    .execute(&mut *conn)
                    .await?;
            }
            let context = &actor.context;
            diesel::sql_query(AUDIT_PER_MEMBER)
                .bind::<SqlUuid, _>(id)
                .bind::<SqlUuid, _>(client)
                .bind::<Array<Text>, _>(&columns)
                .bind::<Timestamptz, _>(at)
                .bind::<Nullable<SqlUuid>, _>(actor.user_id.map(|u| u.0))
                .bind::<Nullable<Text>, _>(Some(actor.label.as_str()))
                .bind::<Nullable<Text>, _>(context.ip.as_deref())
                .bind::<Nullable<Text>, _>(context.user_agent.as_deref())
                .bind::<Nullable<Text>, _>(context.request_id.as_deref())
                .execute(&mut *conn)
                .await?;
            Ok::<(), TxError>(())
        })
        .await
    }

    async fn finish(&self, id: ImportId, ending: &Ending, audit: &AuditRecord) -> Result<(), DomainError> {
        let ending = ending.clone();
        audited(&self.db, audit, async move |conn| {
            record_ending(conn, id.0, &ending).await?;
            Ok(())
        })
        .await
    }

    async fn get(&self, id: ImportId) -> Result<Option<MemberImport>, DomainError> {
        let mut conn = self.db.conn().await?;
        let record: Option<ImportRecord> = member_imports::table
            .find(id.0)
            .select(ImportRecord::as_select())
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        record.map(ImportRecord::into_import).transpose()
    }

    async fn list(
        &self,
        client: ClientId,
        page: PageRequest,
    ) -> Result<(Vec<MemberImport>, u64), DomainError> {
        let mut conn = self.db.conn().await?;
        let of_client = member_imports::table.filter(member_imports::client_id.eq(client.0));
        let total: i64 = of_client.count().get_result(&mut *conn).await.map_err(map_diesel)?;
        let records: Vec<ImportRecord> = of_client
            .order((member_imports::created_at.desc(), member_imports::id.desc()))
            .limit(i64::from(page.limit()))
            .offset(i64::try_from(page.offset()).unwrap_or(i64::MAX))
            .select(ImportRecord::as_select())
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        let imports = records.into_iter().map(ImportRecord::into_import).collect::<Result<_, _>>()?;
        Ok((imports, total.unsigned_abs()))
    }

    async fn report(
        &self,
        id: ImportId,
        outcome: Option<RowOutcome>,
        page: Option<PageRequest>,
    ) -> Result<(Vec<ReportEntry>, u64), DomainError> {
        let mut conn = self.db.conn().await?;
        let outcome = outcome.map(|o| o.as_str());
        let total: Number = diesel::sql_query(
            "SELECT count(*) AS n FROM member_import_rows
              WHERE import_id = $1 AND outcome IS NOT NULL AND ($2::text IS NULL OR outcome = $2)",
        )
        .bind::<SqlUuid, _>(id.0)
        .bind::<Nullable<Text>, _>(outcome)
        .get_result(&mut *conn)
        .await
        .map_err(map_diesel)?;
        let rows: Vec<ReportRow> = diesel::sql_query(
            // A created row names its new member only once the import is applied: a dry run or
            // a refused import created no one, and an id that exists nowhere would mislead.
            "SELECT r.line, r.kind, r.outcome, r.employee_number,
                    CASE WHEN r.outcome <> 'created' THEN r.member_id
                         WHEN i.status = 'applied' THEN r.new_id END AS member_id,
                    r.changed,
                    CASE WHEN r.errors IS NULL AND r.check_errors IS NULL THEN NULL
                         ELSE coalesce(r.errors, '{}'::jsonb) || coalesce(r.check_errors, '{}'::jsonb) END AS errors
               FROM member_import_rows r JOIN member_imports i ON i.id = r.import_id
              WHERE r.import_id = $1 AND r.outcome IS NOT NULL AND ($2::text IS NULL OR r.outcome = $2)
              ORDER BY r.seq
              LIMIT $3 OFFSET $4",
        )
        .bind::<SqlUuid, _>(id.0)
        .bind::<Nullable<Text>, _>(outcome)
        .bind::<BigInt, _>(page.map_or(i64::MAX, |page| i64::from(page.limit())))
        .bind::<BigInt, _>(page.map_or(0, |page| i64::try_from(page.offset()).unwrap_or(i64::MAX)))
        .load(&mut *conn)
        .await
        .map_err(map_diesel)?;
        let total = total.n.unsigned_abs();
        let items = rows
            .into_iter()
            .map(|row| {
                Ok(ReportEntry {
                    line: row.line.and_then(|line| u64::try_from(line).ok()),
                    kind: parsed(&row.kind, "kind")?,
                    outcome: parsed(&row.outcome, "outcome")?,
                    employee_number: row.employee_number,
                    member_id: row.member_id,
                    changed: row.changed,
                    errors: field_errors(row.errors),
                })
            })
            .collect::<Result<_, DomainError>>()?;
        Ok((items, total))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The statements write the person columns out one by one; a profile field added to the
    /// kernel must be added to them too, or an import would silently never set it.
    #[test]
    fn the_statements_name_every_person_column() {
        for field in axis_kernel::person::PROFILE_FIELDS.iter().filter(|field| **field != "full_name") {
            let compared = format!("CASE WHEN '{field}' = ANY($3) AND p.{field} IS DISTINCT FROM r.{field}");
            let expected = if *field == "date_of_birth" { 1 } else { 2 };
            assert_eq!(CHECK.matches(&compared).count(), expected, "check.sql compares {field}");
            let assigned =
                format!("{field} = CASE WHEN '{field}' = ANY($3) THEN r.{field} ELSE p.{field} END");
            assert_eq!(APPLY.matches(&assigned).count(), 1, "apply.sql sets {field}");
        }
    }

    #[test]
    fn every_statement_of_a_file_is_one_statement() {
        for file in [CHECK, APPLY] {
            for statement in statements(file) {
                let body: Vec<&str> = statement.lines().filter(|line| !line.starts_with("--")).collect();
                let first = body.iter().flat_map(|line| line.split_whitespace()).next().unwrap_or("");
                assert!(
                    ["ANALYZE", "DELETE", "UPDATE", "WITH", "INSERT"].contains(&first),
                    "a statement starts with {first:?}: {statement}"
                );
                assert!(!body.join("\n").contains(';'), "one statement at a time: {statement}");
            }
        }
        assert_eq!(statements(CHECK).count(), 14);
        assert_eq!(statements(APPLY).count(), 13);
    }
}
