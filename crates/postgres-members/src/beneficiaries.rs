//! Beneficiaries: the `beneficiaries` row beside its profile, the status history, the list with
//! its filters (eligibility on a date included, through `beneficiary_ineligible_reason`) and a
//! staff member's family.

use std::sync::Arc;

use async_trait::async_trait;
use axis_beneficiaries::{
    Beneficiary, BeneficiaryId, BeneficiaryListQuery, BeneficiaryOrdering, BeneficiaryRepository,
    BeneficiaryStatusChange, Guardian,
};
use axis_kernel::{AuditRecord, ClientId, ClientScope, Clock, DomainError, MemberStore, Page, PageRequest};
use axis_staff::StaffId;
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
use axis_postgres::schema::{beneficiaries, member_profiles};
use axis_postgres::status_history::{
    HistoryTable, due, history_of, mark_applied, owners_of, record_change, scheduled_of, with_owners,
};

/// The beneficiary's status history.
const HISTORY: HistoryTable = HistoryTable::Beneficiaries;

/// The change waiting for its day, as the beneficiary's row keeps it ([`scheduled_of`] reads it).
#[diesel::dsl::auto_type]
fn waiting() -> _ {
    (beneficiaries::scheduled_status, beneficiaries::scheduled_on)
}

/// The searched columns of a beneficiaries row as the database computes them (migration 000016).
#[diesel::dsl::auto_type]
fn search_columns(
    name: String,
    preferred_name: Option<String>,
    employee_number: Option<String>,
    email: Option<String>,
    phone: Option<String>,
) -> _ {
    (
        beneficiaries::search_text.eq(member_search_text(name, preferred_name, employee_number)),
        beneficiaries::contact_search_text.eq(member_contact_search_text(email, phone)),
    )
}

fn searched_columns(profile: &ProfileRow, employee_number: Option<String>) -> search_columns {
    let (name, preferred_name, email, phone) = profile.searched();
    search_columns(name, preferred_name, employee_number, email, phone)
}

#[derive(Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = beneficiaries, treat_none_as_null = true)]
struct BeneficiaryRow {
    id: Uuid,
    staff_id: Uuid,
    client_id: Uuid,
    profile_id: Uuid,
    relation: String,
    guardian_kind: Option<String>,
    guardian_name: Option<String>,
    guardian_relation: Option<String>,
    guardian_phone: Option<String>,
    guardian_email: Option<String>,
    status: String,
    last_service_date: Option<Date>,
    notes: Option<String>,
    version: i32,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    deleted_at: Option<OffsetDateTime>,
    anonymised_at: Option<OffsetDateTime>,
}

impl From<&Beneficiary> for BeneficiaryRow {
    fn from(b: &Beneficiary) -> Self {
        let (name, relation, phone, email) = match &b.guardian {
            Some(Guardian::Named { name, relation, phone, email }) => {
                (Some(name.clone()), relation.clone(), phone.clone(), email.clone())
            }
            _ => (None, None, None, None),
        };
        Self {
            id: b.id.0,
            staff_id: b.staff_id.0,
            client_id: b.client_id.0,
            profile_id: b.id.0,
            relation: b.relation.as_str().to_owned(),
            guardian_kind: b.guardian.as_ref().map(|g| g.kind().as_str().to_owned()),
            guardian_name: name,
            guardian_relation: relation,
            guardian_phone: phone,
            guardian_email: email,
            status: b.status.as_str().to_owned(),
            last_service_date: b.last_service_date,
            notes: b.notes.clone(),
            version: b.version,
            created_at: b.created_at,
            updated_at: b.updated_at,
            deleted_at: b.deleted_at,
            anonymised_at: b.anonymised_at,
        }
    }
}

fn parsed<T: std::str::FromStr>(column: &str, value: &str) -> Result<T, DomainError> {
    value.parse().map_err(|_| unexpected(format!("beneficiaries.{column} holds {value:?}")))
}

/// A beneficiary row with its profile and the change waiting for its day ([`waiting`]).
type BeneficiaryRecord = (BeneficiaryRow, ProfileRow, (Option<String>, Option<Date>));

fn beneficiary_record((row, profile, waiting): BeneficiaryRecord) -> Result<Beneficiary, DomainError> {
    Ok(Beneficiary { scheduled_change: scheduled_of(HISTORY, waiting)?, ..beneficiary((row, profile))? })
}

fn beneficiary((row, profile): (BeneficiaryRow, ProfileRow)) -> Result<Beneficiary, DomainError> {
    let guardian = match row.guardian_kind.as_deref() {
        None => None,
        Some("staff_member") => Some(Guardian::StaffMember),
        Some("named") => Some(Guardian::Named {
            name: row.guardian_name.unwrap_or_default(),
            relation: row.guardian_relation,
            phone: row.guardian_phone,
            email: row.guardian_email,
        }),
        Some(other) => return Err(unexpected(format!("beneficiaries.guardian_kind holds {other:?}"))),
    };
    Ok(Beneficiary {
        scheduled_change: None,
        id: BeneficiaryId(row.id),
        staff_id: StaffId(row.staff_id),
        client_id: ClientId(row.client_id),
        profile: profile.into_profile()?,
        relation: parsed("relation", &row.relation)?,
        status: parsed("status", &row.status)?,
        guardian,
        last_service_date: row.last_service_date,
        notes: row.notes,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
        deleted_at: row.deleted_at,
        anonymised_at: row.anonymised_at,
    })
}

type BoxedBeneficiaries =
    diesel::dsl::IntoBoxed<'static, diesel::dsl::InnerJoin<beneficiaries::table, member_profiles::table>, Pg>;

/// The list's filters, applied the same way to the page and to its count.
fn filtered(scope: ClientScope, query: &BeneficiaryListQuery, clock: &dyn Clock) -> BoxedBeneficiaries {
    let mut rows = beneficiaries::table
        .inner_join(member_profiles::table)
        .filter(beneficiaries::client_id.eq_any(super::live_clients_in(scope)))
        .into_boxed();
    if !query.include_deleted {
        rows = rows.filter(beneficiaries::deleted_at.is_null());
    }
    if let Some(client) = query.client {
        rows = rows.filter(beneficiaries::client_id.eq(client.0));
    }
    if let Some(staff) = query.staff {
        rows = rows.filter(beneficiaries::staff_id.eq(staff.0));
    }
    if let Some(status) = query.status {
        rows = rows.filter(beneficiaries::status.eq(status.as_str()));
    }
    if let Some(relation) = query.relation {
        rows = rows.filter(beneficiaries::relation.eq(relation.as_str()));
    }
    if let Some(date) = query.eligible_on {
        rows = rows.filter(
            sql::<Bool>("beneficiary_ineligible_reason(beneficiaries.id, ")
                .bind::<SqlDate, _>(date)
                .sql(", ")
                .bind::<Timestamptz, _>(super::end_of(clock, date))
                .sql(") IS NULL"),
        );
    }
    if let Some(search) = &query.search {
        let pattern = || super::lower(like_pattern(search.term()));
        rows = if search.matches_contact_data() {
            rows.filter(
                beneficiaries::search_text
                    .like(pattern())
                    .or(beneficiaries::contact_search_text.like(pattern())),
            )
        } else {
            rows.filter(beneficiaries::search_text.like(pattern()))
        };
    }
    rows
}

fn ordered(
    rows: BoxedBeneficiaries,
    ordering: BeneficiaryOrdering,
    descending: bool,
    sort_after_filter: bool,
) -> BoxedBeneficiaries {
    match (ordering, descending) {
        (BeneficiaryOrdering::FullName, descending) => {
            rows.order(super::by_name(descending, sort_after_filter))
        }
        (BeneficiaryOrdering::CreatedAt, false) => {
            rows.order((beneficiaries::created_at.asc(), beneficiaries::id.asc()))
        }
        (BeneficiaryOrdering::CreatedAt, true) => {
            rows.order((beneficiaries::created_at.desc(), beneficiaries::id.desc()))
        }
    }
}

#[derive(Clone)]
pub struct PgBeneficiaries {
    db: Database,
    clock: Arc<dyn Clock>,
    totals: Arc<ListTotals>,
    /// Pages of searches sort or walk many rows; they are remembered like the totals.
    pages: Arc<ListPages<BeneficiaryRecord>>,
}

impl PgBeneficiaries {
    /// `clock` tells where the organisation's days end (a client created after day D did not
    /// exist on D).
    pub fn new(db: Database, clock: Arc<dyn Clock>) -> Self {
        axis_postgres::error::register_constraints(crate::CONSTRAINTS);
        Self { db, clock, totals: Arc::new(ListTotals::default()), pages: Arc::new(ListPages::default()) }
    }
}

#[async_trait]
impl BeneficiaryRepository for PgBeneficiaries {
    async fn insert(
        &self,
        b: &Beneficiary,
        created: &BeneficiaryStatusChange,
        audit: &AuditRecord,
    ) -> Result<Beneficiary, DomainError> {
        let (row, profile) = (BeneficiaryRow::from(b), ProfileRow::new(b.id.0, &b.profile));
        let id = b.id.0;
        audited(&self.db, audit, async move |conn| {
            diesel::insert_into(member_profiles::table).values(&profile).execute(&mut *conn).await?;
            diesel::insert_into(beneficiaries::table)
                .values((&row, searched_columns(&profile, None::<String>)))
                .execute(&mut *conn)
                .await?;
            record_change(conn, HISTORY, id, created).await?;
            Ok(())
        })
        .await?;
        Ok(b.clone())
    }

    async fn list(
        &self,
        scope: ClientScope,
        query: &BeneficiaryListQuery,
        page: PageRequest,
    ) -> Result<Page<Beneficiary>, DomainError> {
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
                .select((BeneficiaryRow::as_select(), ProfileRow::as_select(), waiting()))
                .limit(i64::from(page.limit()))
                .offset(i64::try_from(page.offset()).unwrap_or(i64::MAX))
            },
        )
        .await?;
        let items = rows.into_iter().map(beneficiary_record).collect::<Result<Vec<_>, _>>()?;
        Ok(Page::new(items, total.unsigned_abs(), page))
    }

    async fn of_staff(&self, staff: StaffId) -> Result<Vec<Beneficiary>, DomainError> {
        let mut conn = self.db.conn().await?;
        let rows: Vec<BeneficiaryRecord> = beneficiaries::table
            .inner_join(member_profiles::table)
            .filter(beneficiaries::staff_id.eq(staff.0))
            .filter(beneficiaries::deleted_at.is_null())
            .order((super::lower(member_profiles::full_name), member_profiles::id))
            .select((BeneficiaryRow::as_select(), ProfileRow::as_select(), waiting()))
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        rows.into_iter().map(beneficiary_record).collect()
    }
}

#[async_trait]
impl MemberStore<Beneficiary> for PgBeneficiaries {
    async fn get(&self, id: BeneficiaryId) -> Result<Option<Beneficiary>, DomainError> {
        let mut conn = self.db.conn().await?;
        let row: Option<BeneficiaryRecord> = beneficiaries::table
            .inner_join(member_profiles::table)
            .filter(beneficiaries::id.eq(id.0))
            .select((BeneficiaryRow::as_select(), ProfileRow::as_select(), waiting()))
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        row.map(beneficiary_record).transpose()
    }

    async fn history(&self, id: BeneficiaryId) -> Result<Vec<BeneficiaryStatusChange>, DomainError> {
        let mut conn = self.db.conn().await?;
        history_of(&mut conn, HISTORY, id.0).await
    }

    async fn save(
        &self,
        b: &Beneficiary,
        expected: i32,
        change: Option<BeneficiaryStatusChange>,
        audit: &AuditRecord,
    ) -> Result<Option<Beneficiary>, DomainError> {
        let now = OffsetDateTime::now_utc();
        let waiting_after = axis_postgres::status_history::still_waiting(change.as_ref(), b.scheduled_change);
        let row = BeneficiaryRow { version: expected + 1, updated_at: now, ..BeneficiaryRow::from(b) };
        let profile = ProfileRow::new(b.id.0, &b.profile);
        let id = b.id.0;
        let saved = audited_update(&self.db, audit, async move |conn| {
            let saved: Option<BeneficiaryRow> = diesel::update(
                beneficiaries::table
                    .filter(beneficiaries::id.eq(id))
                    .filter(beneficiaries::version.eq(expected)),
            )
            .set((&row, searched_columns(&profile, None::<String>)))
            .returning(BeneficiaryRow::as_returning())
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
            Ok(row) => Ok(Some(Beneficiary { scheduled_change: waiting_after, ..beneficiary(row)? })),
            Err(DomainError::VersionMismatch) => Ok(None),
            Err(error) => Err(error),
        }
    }

    async fn due_changes(
        &self,
        today: Date,
        limit: i64,
    ) -> Result<Vec<(Beneficiary, i64, BeneficiaryStatusChange)>, DomainError> {
        let mut conn = self.db.conn().await?;
        let due_changes = due(&mut conn, HISTORY, today, limit).await?;
        let rows: Vec<(BeneficiaryRow, ProfileRow)> = beneficiaries::table
            .inner_join(member_profiles::table)
            .filter(beneficiaries::id.eq_any(owners_of(&due_changes)))
            .select((BeneficiaryRow::as_select(), ProfileRow::as_select()))
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        let found: Vec<(Uuid, Beneficiary)> =
            rows.into_iter().map(|row| beneficiary(row).map(|b| (b.id.0, b))).collect::<Result<_, _>>()?;
        Ok(with_owners(due_changes, found))
    }

    async fn apply_change(
        &self,
        b: &Beneficiary,
        expected: i32,
        change_id: i64,
        audit: &AuditRecord,
    ) -> Result<bool, DomainError> {
        let (id, status, at) = (b.id.0, b.status.as_str().to_owned(), audit.occurred_at);
        audited_if(&self.db, audit, async move |conn| {
            if !mark_applied(conn, HISTORY, change_id).await? {
                return Ok(false);
            }
            let moved = diesel::update(
                beneficiaries::table
                    .filter(beneficiaries::id.eq(id))
                    .filter(beneficiaries::version.eq(expected)),
            )
            .set((
                beneficiaries::status.eq(status),
                beneficiaries::version.eq(expected + 1),
                beneficiaries::updated_at.eq(at),
            ))
            .execute(conn)
            .await?;
            Ok(moved == 1)
        })
        .await
    }
}
