//! Staff members: the `staff` row beside its profile, the status history, the list with its
//! filters (eligibility on a date included, through `staff_ineligible_reason`), and the
//! employer check eligibility asks.

use std::sync::Arc;

use async_trait::async_trait;
use axis_kernel::{AuditRecord, ClientId, ClientScope, Clock, DomainError, MemberStore, Page, PageRequest};
use axis_staff::{
    Leave, StaffId, StaffListQuery, StaffMember, StaffOrdering, StaffRepository, StaffStatusChange,
};
use diesel::dsl::{count_star, sql};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Date as SqlDate, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::profiles::{ProfileRow, member_contact_search_text, member_search_text};
use axis_postgres::Database;
use axis_postgres::audited::{audited, audited_if, audited_update};
use axis_postgres::error::{map_diesel, unexpected};
use axis_postgres::like_pattern;
use axis_postgres::list_totals::{ListPages, ListTotals, list_version, remembered_page};
use axis_postgres::schema::{member_profiles, staff};
use axis_postgres::status_history::{
    HistoryTable, due, history_of, mark_applied, owners_of, record_change, scheduled_of, with_owners,
};

/// The staff member's status history.
const HISTORY: HistoryTable = HistoryTable::Staff;

/// The change waiting for its day, as the staff member's row keeps it ([`scheduled_of`] reads it).
#[diesel::dsl::auto_type]
fn waiting() -> _ {
    (staff::scheduled_status, staff::scheduled_on)
}

/// The searched columns of a staff row as the database computes them (migration 000016).
#[diesel::dsl::auto_type]
fn search_columns(
    name: String,
    preferred_name: Option<String>,
    employee_number: Option<String>,
    email: Option<String>,
    phone: Option<String>,
) -> _ {
    (
        staff::search_text.eq(member_search_text(name, preferred_name, employee_number)),
        staff::contact_search_text.eq(member_contact_search_text(email, phone)),
    )
}

fn searched_columns(profile: &ProfileRow, employee_number: Option<String>) -> search_columns {
    let (name, preferred_name, email, phone) = profile.searched();
    search_columns(name, preferred_name, employee_number, email, phone)
}

#[derive(Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = staff, treat_none_as_null = true)]
struct StaffRow {
    id: Uuid,
    client_id: Uuid,
    profile_id: Uuid,
    employee_number: Option<String>,
    job_title: Option<String>,
    department: Option<String>,
    role: String,
    employment_start: Date,
    employment_end: Option<Date>,
    status: String,
    leave_type: Option<String>,
    expected_return: Option<Date>,
    status_reason: Option<String>,
    version: i32,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    deleted_at: Option<OffsetDateTime>,
    anonymised_at: Option<OffsetDateTime>,
}

impl From<&StaffMember> for StaffRow {
    fn from(m: &StaffMember) -> Self {
        Self {
            id: m.id.0,
            client_id: m.client_id.0,
            profile_id: m.id.0,
            employee_number: m.employee_number.clone(),
            job_title: m.job_title.clone(),
            department: m.department.clone(),
            role: m.role.as_str().to_owned(),
            employment_start: m.employment_start,
            employment_end: m.employment_end,
            status: m.status.as_str().to_owned(),
            leave_type: m.leave.as_ref().map(|l| l.leave_type.clone()),
            expected_return: m.leave.as_ref().and_then(|l| l.expected_return),
            status_reason: m.status_reason.clone(),
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
            deleted_at: m.deleted_at,
            anonymised_at: m.anonymised_at,
        }
    }
}

fn parsed<T: std::str::FromStr>(column: &str, value: &str) -> Result<T, DomainError> {
    value.parse().map_err(|_| unexpected(format!("staff.{column} holds {value:?}")))
}

/// A member row with its profile and the change waiting for its day ([`waiting`]).
type StaffRecord = (StaffRow, ProfileRow, (Option<String>, Option<Date>));

fn staff_record((row, profile, waiting): StaffRecord) -> Result<StaffMember, DomainError> {
    Ok(StaffMember { scheduled_change: scheduled_of(HISTORY, waiting)?, ..staff_member((row, profile))? })
}

fn staff_member((row, profile): (StaffRow, ProfileRow)) -> Result<StaffMember, DomainError> {
    Ok(StaffMember {
        scheduled_change: None,
        id: StaffId(row.id),
        client_id: ClientId(row.client_id),
        profile: profile.into_profile()?,
        role: parsed("role", &row.role)?,
        status: parsed("status", &row.status)?,
        leave: row.leave_type.map(|leave_type| Leave { leave_type, expected_return: row.expected_return }),
        employee_number: row.employee_number,
        job_title: row.job_title,
        department: row.department,
        employment_start: row.employment_start,
        employment_end: row.employment_end,
        status_reason: row.status_reason,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
        deleted_at: row.deleted_at,
        anonymised_at: row.anonymised_at,
    })
}

type BoxedStaff =
    diesel::dsl::IntoBoxed<'static, diesel::dsl::InnerJoin<staff::table, member_profiles::table>, Pg>;

/// The list's filters, applied the same way to the page and to its count.
fn filtered(scope: ClientScope, query: &StaffListQuery, clock: &dyn Clock) -> BoxedStaff {
    let mut rows = staff::table
        .inner_join(member_profiles::table)
        .filter(staff::client_id.eq_any(super::live_clients_in(scope)))
        .into_boxed();
    if !query.include_deleted {
        rows = rows.filter(staff::deleted_at.is_null());
    }
    if let Some(client) = query.client {
        rows = rows.filter(staff::client_id.eq(client.0));
    }
    if let Some(status) = query.status {
        rows = rows.filter(staff::status.eq(status.as_str()));
    }
    if let Some(department) = &query.department {
        rows = rows.filter(staff::department.eq(department.clone()));
    }
    if let Some(date) = query.eligible_on {
        rows = rows.filter(
            sql::<Bool>("staff_ineligible_reason(staff.id, ")
                .bind::<SqlDate, _>(date)
                .sql(", ")
                .bind::<Timestamptz, _>(super::end_of(clock, date))
                .sql(") IS NULL"),
        );
    }
    if let Some(search) = &query.search {
        let pattern = || super::lower(like_pattern(search.term()));
        rows = if search.matches_contact_data() {
            rows.filter(staff::search_text.like(pattern()).or(staff::contact_search_text.like(pattern())))
        } else {
            rows.filter(staff::search_text.like(pattern()))
        };
    }
    rows
}

fn ordered(
    rows: BoxedStaff,
    ordering: StaffOrdering,
    descending: bool,
    sort_after_filter: bool,
) -> BoxedStaff {
    match (ordering, descending) {
        (StaffOrdering::FullName, descending) => rows.order(super::by_name(descending, sort_after_filter)),
        (StaffOrdering::EmploymentStart, false) => {
            rows.order((staff::employment_start.asc(), staff::id.asc()))
        }
        (StaffOrdering::EmploymentStart, true) => {
            rows.order((staff::employment_start.desc(), staff::id.desc()))
        }
        (StaffOrdering::CreatedAt, false) => rows.order((staff::created_at.asc(), staff::id.asc())),
        (StaffOrdering::CreatedAt, true) => rows.order((staff::created_at.desc(), staff::id.desc())),
        (StaffOrdering::EmployeeNumber, false) => rows.order((staff::employee_number.asc(), staff::id.asc())),
        (StaffOrdering::EmployeeNumber, true) => {
            rows.order((staff::employee_number.desc(), staff::id.desc()))
        }
    }
}

#[derive(Clone)]
pub struct PgStaff {
    db: Database,
    clock: Arc<dyn Clock>,
    totals: Arc<ListTotals>,
    /// Pages of searches sort or walk many rows; they are remembered like the totals.
    pages: Arc<ListPages<StaffRecord>>,
}

impl PgStaff {
    /// `clock` tells where the organisation's days end (a client created after day D did not
    /// exist on D).
    pub fn new(db: Database, clock: Arc<dyn Clock>) -> Self {
        axis_postgres::error::register_constraints(crate::CONSTRAINTS);
        Self { db, clock, totals: Arc::new(ListTotals::default()), pages: Arc::new(ListPages::default()) }
    }
}

#[async_trait]
impl StaffRepository for PgStaff {
    async fn insert(
        &self,
        member: &StaffMember,
        created: &StaffStatusChange,
        audit: &AuditRecord,
    ) -> Result<StaffMember, DomainError> {
        let (row, profile) = (StaffRow::from(member), ProfileRow::new(member.id.0, &member.profile));
        let id = member.id.0;
        audited(&self.db, audit, async move |conn| {
            diesel::insert_into(member_profiles::table).values(&profile).execute(&mut *conn).await?;
            diesel::insert_into(staff::table)
                .values((&row, searched_columns(&profile, row.employee_number.clone())))
                .execute(&mut *conn)
                .await?;
            record_change(conn, HISTORY, id, created).await?;
            Ok(())
        })
        .await?;
        Ok(member.clone())
    }

    async fn list(
        &self,
        scope: ClientScope,
        query: &StaffListQuery,
        page: PageRequest,
    ) -> Result<Page<StaffMember>, DomainError> {
        // One connection for the page and what it shows (a second while holding the first
        // would let concurrent lists exhaust the pool).
        let conn = self.db.conn().await?;
        let shared: &AsyncPgConnection = &conn;
        let (total, rows) = remembered_page(
            shared,
            &self.totals,
            &self.pages,
            || filtered(scope, query, self.clock.as_ref()).select((list_version(), count_star())),
            |total_hint| {
                ordered(
                    filtered(scope, query, self.clock.as_ref()),
                    query.ordering,
                    query.descending,
                    super::sort_after_search(query.search.is_some(), total_hint),
                )
                .select((StaffRow::as_select(), ProfileRow::as_select(), waiting()))
                .limit(i64::from(page.limit()))
                .offset(i64::try_from(page.offset()).unwrap_or(i64::MAX))
            },
        )
        .await?;
        let items = rows.into_iter().map(staff_record).collect::<Result<Vec<_>, _>>()?;
        Ok(Page::new(items, total.unsigned_abs(), page))
    }
}

#[async_trait]
impl MemberStore<StaffMember> for PgStaff {
    async fn get(&self, id: StaffId) -> Result<Option<StaffMember>, DomainError> {
        let mut conn = self.db.conn().await?;
        let row: Option<StaffRecord> = staff::table
            .inner_join(member_profiles::table)
            .filter(staff::id.eq(id.0))
            .select((StaffRow::as_select(), ProfileRow::as_select(), waiting()))
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        row.map(staff_record).transpose()
    }

    async fn history(&self, id: StaffId) -> Result<Vec<StaffStatusChange>, DomainError> {
        let mut conn = self.db.conn().await?;
        history_of(&mut conn, HISTORY, id.0).await
    }

    async fn save(
        &self,
        member: &StaffMember,
        expected: i32,
        change: Option<StaffStatusChange>,
        audit: &AuditRecord,
    ) -> Result<Option<StaffMember>, DomainError> {
        let now = OffsetDateTime::now_utc();
        let waiting_after =
            axis_postgres::status_history::still_waiting(change.as_ref(), member.scheduled_change);
        let row = StaffRow { version: expected + 1, updated_at: now, ..StaffRow::from(member) };
        let profile = ProfileRow::new(member.id.0, &member.profile);
        let id = member.id.0;
        let saved = audited_update(&self.db, audit, async move |conn| {
            let saved: Option<StaffRow> =
                diesel::update(staff::table.filter(staff::id.eq(id)).filter(staff::version.eq(expected)))
                    .set((&row, searched_columns(&profile, row.employee_number.clone())))
                    .returning(StaffRow::as_returning())
                    .get_result(&mut *conn)
                    .await
                    .optional()?;
            let Some(saved) = saved else { return Ok(None) };
            let profile = super::profiles::save_profile(conn, &profile).await?;
            if let Some(change) = &change {
                record_change(conn, HISTORY, id, change).await?;
            }
            Ok(Some((saved, profile)))
        })
        .await;
        match saved {
            Ok(row) => Ok(Some(StaffMember { scheduled_change: waiting_after, ..staff_member(row)? })),
            Err(DomainError::VersionMismatch) => Ok(None),
            Err(error) => Err(error),
        }
    }

    async fn due_changes(
        &self,
        today: Date,
        limit: i64,
    ) -> Result<Vec<(StaffMember, i64, StaffStatusChange)>, DomainError> {
        let mut conn = self.db.conn().await?;
        let due_changes = due(&mut conn, HISTORY, today, limit).await?;
        let rows: Vec<(StaffRow, ProfileRow)> = staff::table
            .inner_join(member_profiles::table)
            .filter(staff::id.eq_any(owners_of(&due_changes)))
            .select((StaffRow::as_select(), ProfileRow::as_select()))
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        let found: Vec<(Uuid, StaffMember)> =
            rows.into_iter().map(|row| staff_member(row).map(|m| (m.id.0, m))).collect::<Result<_, _>>()?;
        Ok(with_owners(due_changes, found))
    }

    async fn apply_change(
        &self,
        member: &StaffMember,
        expected: i32,
        change_id: i64,
        audit: &AuditRecord,
    ) -> Result<bool, DomainError> {
        let row = StaffRow { version: expected + 1, updated_at: audit.occurred_at, ..StaffRow::from(member) };
        let id = member.id.0;
        audited_if(&self.db, audit, async move |conn| {
            if !mark_applied(conn, HISTORY, change_id).await? {
                return Ok(false);
            }
            let moved =
                diesel::update(staff::table.filter(staff::id.eq(id)).filter(staff::version.eq(expected)))
                    .set((
                        staff::status.eq(&row.status),
                        staff::status_reason.eq(&row.status_reason),
                        staff::version.eq(row.version),
                        staff::updated_at.eq(row.updated_at),
                    ))
                    .execute(conn)
                    .await?;
            Ok(moved == 1)
        })
        .await
    }
}
