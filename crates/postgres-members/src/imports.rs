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

const STAGE: &str = "
    INSERT INTO member_import_rows (import_id, seq, line, kind, new_id, employee_number, full_name, preferred_name,
        date_of_birth, gender, phone, email, address, preferred_language, preferred_contact_method,
        emergency_contact_name, emergency_contact_relation, emergency_contact_phone, emergency_contact_email,
        job_title, department, staff_role, employment_start, relation, guardian_kind, guardian_name,
        guardian_relation, guardian_phone, guardian_email, errors)
    SELECT $1, * FROM unnest($2::int[], $3::bigint[], $4::text[], $5::uuid[], $6::text[], $7::text[], $8::text[],
        $9::date[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[],
        $17::text[], $18::text[], $19::text[], $20::text[], $21::text[], $22::text[], $23::date[], $24::text[],
        $25::text[], $26::text[], $27::text[], $28::text[], $29::text[], $30::jsonb[])";

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

/// The person columns an import may set besides the name (always set): the kernel's profile
/// fields, whose names the file's columns, the import's rows and the profiles share.
/// Statements name them through the placeholders `{person}` (which of them a match changes),
/// `{person_but_birth}` (the same for a dependent, whose birth date is part of the match) and
/// `{assign_person}` (setting those the file has).
fn person_columns() -> impl Iterator<Item = &'static &'static str> {
    axis_kernel::person::PROFILE_FIELDS.iter().filter(|field| **field != "full_name")
}

/// `statements` with the person-column placeholders written out.
fn with_person_columns(statements: &[&str]) -> Vec<String> {
    let changed = |columns: &mut dyn Iterator<Item = &&str>| {
        columns
            .map(|c| format!("CASE WHEN '{c}' = ANY($3) AND p.{c} IS DISTINCT FROM r.{c} THEN '{c}' END"))
            .collect::<Vec<_>>()
            .join(",\n            ")
    };
    let person = changed(&mut person_columns());
    let person_but_birth = changed(&mut person_columns().filter(|c| **c != "date_of_birth"));
    let assign = person_columns()
        .map(|c| format!("{c} = CASE WHEN '{c}' = ANY($3) THEN r.{c} ELSE p.{c} END"))
        .collect::<Vec<_>>()
        .join(",\n            ");
    statements
        .iter()
        .map(|statement| {
            statement
                .replace("{person}", &person)
                .replace("{person_but_birth}", &person_but_birth)
                .replace("{assign_person}", &assign)
        })
        .collect()
}

static CHECK: std::sync::LazyLock<Vec<String>> =
    std::sync::LazyLock::new(|| with_person_columns(CHECK_STATEMENTS));
static APPLY: std::sync::LazyLock<Vec<String>> =
    std::sync::LazyLock::new(|| with_person_columns(APPLY_STATEMENTS));

/// The statements of the check, in order. `$1` is the import, `$2` its client, `$3` the
/// documented names of the file's columns.
const CHECK_STATEMENTS: &[&str] = &[
    // The rows just loaded have no statistics yet: without them the planner takes every join
    // below for one of a few rows (a dependent's staff member took 11.6 s for 10,000 rows).
    "ANALYZE member_import_rows",
    // A repeated check (a retried job) starts from the rows as read.
    "DELETE FROM member_import_rows WHERE import_id = $1 AND line IS NULL",
    "UPDATE member_import_rows SET check_errors = NULL, member_id = NULL, staff_id = NULL, outcome = NULL,
            changed = '{}'
      WHERE import_id = $1",
    // Staff by employee number (rows that failed their own checks too: a full import must not
    // deactivate a member whose row is only malformed).
    "UPDATE member_import_rows r SET member_id = s.id
       FROM staff s
      WHERE r.import_id = $1 AND r.kind = 'staff' AND r.employee_number IS NOT NULL
        AND s.client_id = $2 AND s.deleted_at IS NULL AND lower(s.employee_number) = lower(r.employee_number)",
    // Then by e-mail, when the numbers do not say otherwise.
    "WITH by_email AS (
         SELECT lower(p.email) AS email, count(*) AS n, (array_agg(s.id))[1] AS id,
                (array_agg(s.employee_number))[1] AS employee_number
           FROM staff s JOIN member_profiles p ON p.id = s.profile_id
          WHERE s.client_id = $2 AND s.deleted_at IS NULL AND p.email IS NOT NULL
          GROUP BY lower(p.email))
     UPDATE member_import_rows r
        SET member_id = CASE WHEN m.n = 1 AND (r.employee_number IS NULL OR m.employee_number IS NULL)
                             THEN m.id END,
            check_errors = CASE
                WHEN m.n > 1 THEN
                    '{\"email\": [\"matches more than one staff member: give the employee number\"]}'::jsonb
                WHEN r.employee_number IS NOT NULL AND m.employee_number IS NOT NULL THEN
                    '{\"email\": [\"belongs to a staff member with another employee number\"]}'::jsonb
                END
       FROM by_email m
      WHERE r.import_id = $1 AND r.kind = 'staff' AND r.errors IS NULL AND r.member_id IS NULL
        AND r.email IS NOT NULL AND m.email = lower(r.email)",
    // One staff member per row: a number (in any case), a matched member or an e-mail that
    // comes again is refused on the later rows, naming the first; a row that repeats two of
    // them hears of both.
    "WITH keys AS (
         SELECT seq, line, 'employee_number' AS key_field, 'n:' || lower(employee_number) AS key
           FROM member_import_rows
          WHERE import_id = $1 AND kind = 'staff' AND errors IS NULL AND employee_number IS NOT NULL
         UNION ALL
         SELECT seq, line, 'email', 'm:' || member_id
           FROM member_import_rows
          WHERE import_id = $1 AND kind = 'staff' AND errors IS NULL AND member_id IS NOT NULL
            AND employee_number IS NULL
         UNION ALL
         SELECT seq, line, 'email', 'e:' || lower(email)
           FROM member_import_rows
          WHERE import_id = $1 AND kind = 'staff' AND errors IS NULL AND email IS NOT NULL),
     again AS (
         SELECT seq, key_field, first_value(line) OVER (PARTITION BY key ORDER BY seq) AS first_line,
                row_number() OVER (PARTITION BY key ORDER BY seq) AS nth
           FROM keys),
     found AS (
         SELECT seq, jsonb_object_agg(key_field, jsonb_build_array('is on line ' || first_line || ' already')) AS errors
           FROM again WHERE nth > 1 GROUP BY seq)
     UPDATE member_import_rows r
        SET check_errors = coalesce(r.check_errors, '{}'::jsonb) || f.errors
       FROM found f
      WHERE r.import_id = $1 AND r.seq = f.seq",
    // What stored staff members allow.
    "UPDATE member_import_rows r
        SET check_errors = coalesce(r.check_errors, '{}'::jsonb) || CASE
                WHEN s.anonymised_at IS NOT NULL THEN
                    '{\"employee_number\": [\"is an anonymised staff member, who cannot be updated\"]}'::jsonb
                ELSE jsonb_build_object('employment_start', jsonb_build_array(
                    'must not be after the employment end date ' || s.employment_end))
                END
       FROM staff s
      WHERE r.import_id = $1 AND r.kind = 'staff' AND r.errors IS NULL AND r.member_id = s.id
        AND (s.anonymised_at IS NOT NULL OR s.employment_end < r.employment_start)",
    // A dependent's staff member: a staff row of the file with their number, else a stored one.
    // Numbers compare without regard to case, as the stored ones are unique.
    "WITH file_staff AS (
         SELECT DISTINCT ON (lower(employee_number)) lower(employee_number) AS number_key,
                coalesce(member_id, new_id) AS id
           FROM member_import_rows
          WHERE import_id = $1 AND kind = 'staff' AND errors IS NULL AND check_errors IS NULL
            AND employee_number IS NOT NULL
          ORDER BY lower(employee_number), seq),
     rejected_staff AS (
         SELECT DISTINCT ON (lower(employee_number)) lower(employee_number) AS number_key, line
           FROM member_import_rows
          WHERE import_id = $1 AND kind = 'staff' AND employee_number IS NOT NULL
            AND (errors IS NOT NULL OR check_errors IS NOT NULL)
          ORDER BY lower(employee_number), seq),
     resolved AS (
         SELECT d.seq, coalesce(f.id, s.id) AS staff_id, rs.line AS rejected_line
           FROM member_import_rows d
           LEFT JOIN file_staff f ON f.number_key = lower(d.employee_number)
           LEFT JOIN staff s ON s.client_id = $2 AND s.deleted_at IS NULL
                            AND lower(s.employee_number) = lower(d.employee_number)
           LEFT JOIN rejected_staff rs ON rs.number_key = lower(d.employee_number)
          WHERE d.import_id = $1 AND d.kind = 'dependent' AND d.errors IS NULL)
     UPDATE member_import_rows r
        SET staff_id = x.staff_id,
            check_errors = CASE
                WHEN x.staff_id IS NULL AND x.rejected_line IS NOT NULL THEN jsonb_build_object('employee_number',
                    jsonb_build_array('names the staff member of line ' || x.rejected_line || ', whose row is rejected'))
                WHEN x.staff_id IS NULL THEN
                    '{\"employee_number\": [\"names no staff member of this client, in the file or on record\"]}'::jsonb
                END
       FROM resolved x
      WHERE r.import_id = $1 AND r.seq = x.seq",
    // Dependents by their staff member, name and date of birth.
    "UPDATE member_import_rows r SET member_id = b.id
       FROM beneficiaries b JOIN member_profiles p ON p.id = b.profile_id
      WHERE r.import_id = $1 AND r.kind = 'dependent' AND r.errors IS NULL AND r.check_errors IS NULL
        AND b.staff_id = r.staff_id AND b.deleted_at IS NULL
        AND lower(p.full_name) = lower(r.full_name) AND p.date_of_birth IS NOT DISTINCT FROM r.date_of_birth",
    "UPDATE member_import_rows r
        SET check_errors = '{\"full_name\": [\"is an anonymised beneficiary, who cannot be updated\"]}'::jsonb
       FROM beneficiaries b
      WHERE r.import_id = $1 AND r.kind = 'dependent' AND r.member_id = b.id AND b.anonymised_at IS NOT NULL",
    "WITH again AS (
         SELECT seq, first_value(line) OVER w AS first_line, row_number() OVER w AS nth
           FROM member_import_rows
          WHERE import_id = $1 AND kind = 'dependent' AND errors IS NULL AND check_errors IS NULL
         WINDOW w AS (PARTITION BY staff_id, lower(full_name), date_of_birth ORDER BY seq))
     UPDATE member_import_rows r
        SET check_errors = jsonb_build_object('full_name',
                jsonb_build_array('is on line ' || a.first_line || ' already (same staff member and date of birth)'))
       FROM again a
      WHERE r.import_id = $1 AND r.seq = a.seq AND a.nth > 1",
    // Which fields a matched staff member's row changes: the columns the file has.
    "UPDATE member_import_rows r
        SET changed = array_remove(ARRAY[
            CASE WHEN p.full_name IS DISTINCT FROM r.full_name THEN 'full_name' END,
            {person},
            CASE WHEN 'employee_number' = ANY($3) AND s.employee_number IS DISTINCT FROM r.employee_number THEN 'employee_number' END,
            CASE WHEN 'job_title' = ANY($3) AND s.job_title IS DISTINCT FROM r.job_title THEN 'job_title' END,
            CASE WHEN 'department' = ANY($3) AND s.department IS DISTINCT FROM r.department THEN 'department' END,
            CASE WHEN 'staff_role' = ANY($3) AND s.role IS DISTINCT FROM r.staff_role THEN 'staff_role' END,
            CASE WHEN s.employment_start IS DISTINCT FROM r.employment_start THEN 'employment_start' END
        ], NULL)
       FROM staff s JOIN member_profiles p ON p.id = s.profile_id
      WHERE r.import_id = $1 AND r.kind = 'staff' AND r.errors IS NULL AND r.check_errors IS NULL
        AND s.id = r.member_id",
    // … and a matched dependent's row (the guardian only when the file has guardian columns).
    "UPDATE member_import_rows r
        SET changed = array_remove(ARRAY[
            CASE WHEN p.full_name IS DISTINCT FROM r.full_name THEN 'full_name' END,
            {person_but_birth},
            CASE WHEN b.relation IS DISTINCT FROM r.relation THEN 'relation' END,
            CASE WHEN 'guardian_name' = ANY($3) AND (b.guardian_kind IS DISTINCT FROM r.guardian_kind
                      OR b.guardian_name IS DISTINCT FROM r.guardian_name
                      OR b.guardian_relation IS DISTINCT FROM r.guardian_relation
                      OR b.guardian_phone IS DISTINCT FROM r.guardian_phone
                      OR b.guardian_email IS DISTINCT FROM r.guardian_email) THEN 'guardian' END
        ], NULL)
       FROM beneficiaries b JOIN member_profiles p ON p.id = b.profile_id
      WHERE r.import_id = $1 AND r.kind = 'dependent' AND r.errors IS NULL AND r.check_errors IS NULL
        AND b.id = r.member_id",
    "UPDATE member_import_rows
        SET outcome = CASE WHEN errors IS NOT NULL OR check_errors IS NOT NULL THEN 'rejected'
                           WHEN member_id IS NULL THEN 'created'
                           WHEN cardinality(changed) > 0 THEN 'updated'
                           ELSE 'unchanged' END
      WHERE import_id = $1",
];

/// A full import's deactivations: the client's active staff no row of the file is.
const DEACTIVATIONS: &str = "
    INSERT INTO member_import_rows (import_id, seq, line, kind, new_id, employee_number, member_id, outcome)
    SELECT $1, m.last + row_number() OVER (ORDER BY s.employee_number, s.id), NULL, 'staff', s.id,
           s.employee_number, s.id, 'deactivated'
      FROM staff s, (SELECT coalesce(max(seq), 0) AS last FROM member_import_rows WHERE import_id = $1) m
     WHERE s.client_id = $2 AND s.deleted_at IS NULL AND s.status IN ('active', 'on_leave')
       AND NOT EXISTS (SELECT 1 FROM member_import_rows r
                        WHERE r.import_id = $1 AND r.kind = 'staff' AND r.member_id = s.id)";

/// The writes of an applied import, in order. `$1` import, `$2` client, `$3` the file's columns,
/// `$4` now, `$5` today, `$6` the effective date.
const APPLY_STATEMENTS: &[&str] = &[
    "INSERT INTO member_profiles (id, full_name, preferred_name, date_of_birth, gender, phone, email, address,
                                  preferred_language, preferred_contact_method, emergency_contact_name,
                                  emergency_contact_relation, emergency_contact_phone, emergency_contact_email)
     SELECT new_id, full_name, preferred_name, date_of_birth, gender, phone, email, address, preferred_language,
            preferred_contact_method, emergency_contact_name, emergency_contact_relation,
            emergency_contact_phone, emergency_contact_email
       FROM member_import_rows WHERE import_id = $1 AND outcome = 'created'",
    "INSERT INTO staff (id, client_id, profile_id, employee_number, job_title, department, role,
                        employment_start, status, search_text, contact_search_text, version, created_at,
                        updated_at)
     SELECT new_id, $2, new_id, employee_number, job_title, department, staff_role, employment_start, 'active',
            member_search_text(full_name, preferred_name, employee_number),
            member_contact_search_text(email, phone), 1, $4, $4
       FROM member_import_rows WHERE import_id = $1 AND kind = 'staff' AND outcome = 'created'",
    // Active from the start of employment, as a member created through the API.
    "INSERT INTO staff_status_changes (staff_id, status, effective_on, at)
     SELECT new_id, 'active', employment_start, $4
       FROM member_import_rows WHERE import_id = $1 AND kind = 'staff' AND outcome = 'created'",
    "INSERT INTO beneficiaries (id, staff_id, client_id, profile_id, relation, guardian_kind, guardian_name,
                                guardian_relation, guardian_phone, guardian_email, status, search_text,
                                contact_search_text, version, created_at, updated_at)
     SELECT new_id, staff_id, $2, new_id, relation, guardian_kind, guardian_name, guardian_relation,
            guardian_phone, guardian_email, 'active',
            member_search_text(full_name, preferred_name, NULL), member_contact_search_text(email, phone),
            1, $4, $4
       FROM member_import_rows WHERE import_id = $1 AND kind = 'dependent' AND outcome = 'created'",
    "INSERT INTO beneficiary_status_changes (beneficiary_id, status, effective_on, at)
     SELECT new_id, 'active', $5, $4
       FROM member_import_rows WHERE import_id = $1 AND kind = 'dependent' AND outcome = 'created'",
    // Updates: the columns the file has.
    "UPDATE member_profiles p SET
            full_name = r.full_name,
            {assign_person}
       FROM member_import_rows r
      WHERE r.import_id = $1 AND r.outcome = 'updated' AND p.id = r.member_id",
    "UPDATE staff s SET
            employee_number = CASE WHEN 'employee_number' = ANY($3) THEN r.employee_number ELSE s.employee_number END,
            job_title = CASE WHEN 'job_title' = ANY($3) THEN r.job_title ELSE s.job_title END,
            department = CASE WHEN 'department' = ANY($3) THEN r.department ELSE s.department END,
            role = CASE WHEN 'staff_role' = ANY($3) THEN r.staff_role ELSE s.role END,
            employment_start = r.employment_start,
            version = s.version + 1,
            updated_at = $4
       FROM member_import_rows r
      WHERE r.import_id = $1 AND r.kind = 'staff' AND r.outcome = 'updated' AND s.id = r.member_id",
    "UPDATE beneficiaries b SET
            relation = r.relation,
            guardian_kind = CASE WHEN 'guardian_name' = ANY($3) THEN r.guardian_kind ELSE b.guardian_kind END,
            guardian_name = CASE WHEN 'guardian_name' = ANY($3) THEN r.guardian_name ELSE b.guardian_name END,
            guardian_relation = CASE WHEN 'guardian_name' = ANY($3) THEN r.guardian_relation ELSE b.guardian_relation END,
            guardian_phone = CASE WHEN 'guardian_name' = ANY($3) THEN r.guardian_phone ELSE b.guardian_phone END,
            guardian_email = CASE WHEN 'guardian_name' = ANY($3) THEN r.guardian_email ELSE b.guardian_email END,
            version = b.version + 1,
            updated_at = $4
       FROM member_import_rows r
      WHERE r.import_id = $1 AND r.kind = 'dependent' AND r.outcome = 'updated' AND b.id = r.member_id",
    // The searched text of every member updated, from the profile as it now is.
    "UPDATE staff s SET search_text = member_search_text(p.full_name, p.preferred_name, s.employee_number),
            contact_search_text = member_contact_search_text(p.email, p.phone)
       FROM member_import_rows r, member_profiles p
      WHERE r.import_id = $1 AND r.kind = 'staff' AND r.outcome = 'updated' AND s.id = r.member_id AND p.id = s.profile_id",
    "UPDATE beneficiaries b SET search_text = member_search_text(p.full_name, p.preferred_name, NULL),
            contact_search_text = member_contact_search_text(p.email, p.phone)
       FROM member_import_rows r, member_profiles p
      WHERE r.import_id = $1 AND r.kind = 'dependent' AND r.outcome = 'updated' AND b.id = r.member_id
        AND p.id = b.profile_id",
    // A full import's leavers: employment ends on the file's day ($6), inactive from the next,
    // as `/deactivate` does; a member who had not started by then never starts (inactive from
    // their start, so never covered). A day still ahead of today ($5) waits as a scheduled
    // change, which replaces any scheduled before it; the status moves now only when it is due.
    "DELETE FROM staff_status_changes h USING member_import_rows r
      WHERE r.import_id = $1 AND r.outcome = 'deactivated' AND h.staff_id = r.member_id AND NOT h.applied",
    "INSERT INTO staff_status_changes (staff_id, status, effective_on, at, reason, applied)
     SELECT s.id, 'inactive', x.effective_on, $4, 'not in the eligibility file of ' || $6, x.effective_on <= $5
       FROM member_import_rows r JOIN staff s ON s.id = r.member_id,
            LATERAL (SELECT CASE WHEN s.employment_start > $6 THEN s.employment_start ELSE $6 + 1 END
                            AS effective_on) x
      WHERE r.import_id = $1 AND r.outcome = 'deactivated'",
    // The members the change above (made at $4) reached: the status moves where it is due.
    "WITH leavers AS (
         SELECT h.staff_id, h.applied AS due
           FROM member_import_rows r JOIN staff_status_changes h ON h.staff_id = r.member_id
          WHERE r.import_id = $1 AND r.outcome = 'deactivated' AND h.at = $4 AND h.status = 'inactive')
     UPDATE staff s SET employment_end = greatest($6, s.employment_start),
            status = CASE WHEN l.due THEN 'inactive' ELSE s.status END,
            leave_type = CASE WHEN l.due THEN NULL ELSE s.leave_type END,
            expected_return = CASE WHEN l.due THEN NULL ELSE s.expected_return END,
            status_reason = CASE WHEN l.due THEN 'not in the eligibility file of ' || $6 ELSE s.status_reason END,
            version = s.version + 1, updated_at = $4
       FROM leavers l
      WHERE s.id = l.staff_id",
];

/// One audit record per member changed, from the uploader, naming the fields but never their
/// values. `$1` import, `$2` client, `$3` the file's columns, `$4` now, then the actor's
/// user id, label, address, user agent and request id (`$5`–`$9`).
const AUDIT_PER_MEMBER: &str = "
    INSERT INTO audit_logs (occurred_at, action, outcome, entity_type, entity_id, actor_user_id, actor_label,
                            ip, user_agent, request_id, changes, details)
    SELECT $4,
           CASE r.kind WHEN 'staff' THEN 'staff.' ELSE 'beneficiary.' END
               || CASE r.outcome WHEN 'created' THEN 'create' WHEN 'updated' THEN 'update' ELSE 'deactivate' END,
           'success',
           CASE r.kind WHEN 'staff' THEN 'staff' ELSE 'beneficiary' END,
           coalesce(r.member_id, r.new_id)::text,
           $5, left($6, 320), left($7, 64), left($8, 512), left($9, 128),
           (SELECT coalesce(jsonb_agg(jsonb_build_object('field', f, 'old', NULL, 'new', NULL)), '[]'::jsonb)
              FROM unnest(CASE r.outcome WHEN 'created' THEN $3
                                         WHEN 'updated' THEN r.changed
                                         ELSE ARRAY['status', 'employment_end', 'status_reason'] END) f),
           jsonb_build_object('client_id', $2::text, 'import_id', $1::text)
      FROM member_import_rows r
     WHERE r.import_id = $1 AND r.outcome IN ('created', 'updated', 'deactivated')
     ORDER BY r.seq";

#[derive(Clone)]
pub struct PgImports {
    db: Database,
}

impl PgImports {
    pub fn new(db: Database) -> Self {
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
        for statement in CHECK.iter() {
            diesel::sql_query(statement.as_str())
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
            for statement in APPLY.iter() {
                diesel::sql_query(statement.as_str())
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
