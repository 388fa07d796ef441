//! KPIs on PostgreSQL: types, KPIs, assignments and measurements, each row with its audit
//! record; the contract-of-the-client rule as composite foreign keys and non-overlapping
//! periods as an exclusion constraint.

use std::sync::Arc;

use async_trait::async_trait;
use axis_contracts::ContractId;
use axis_kernel::{AuditRecord, ClientId, ClientScope, DomainError, Page, PageRequest, UserId};
use axis_kpis::model::OwnedMeasurement;
use axis_kpis::{
    AssignmentId, AssignmentListQuery, Kpi, KpiAssignment, KpiId, KpiListQuery, KpiRepository, KpiType,
    KpiTypeId, Measurement, MeasurementId,
};
use bigdecimal::BigDecimal;
use diesel::dsl::{count_star, exists, not, sql};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use axis_postgres::Database;
use axis_postgres::audited::{audited, audited_if, audited_update};
use axis_postgres::error::{Constraint, map_diesel, register_constraints, unexpected};
use axis_postgres::like_pattern;
use axis_postgres::list_totals::{ListTotals, list_version, page_with_remembered_total};
use axis_postgres::rules::live_clients_in;
use axis_postgres::schema::{contracts, kpi_assignments, kpi_measurements, kpi_types, kpis};

/// The constraints of the KPI tables users can run into.
const CONSTRAINTS: &[Constraint] = &[
    Constraint { name: "kpi_types_name_key", field: "name", message: "is already the name of a KPI type" },
    Constraint { name: "kpis_kpi_type_id_fkey", field: "kpi_type_id", message: "is not a KPI type" },
    Constraint { name: "kpis_client_id_fkey", field: "client_id", message: "is not a client" },
    Constraint {
        name: "kpis_contract_of_client",
        field: "contract_id",
        message: "is not a contract of client_id",
    },
    Constraint { name: "kpi_assignments_kpi_id_fkey", field: "kpi_id", message: "is not a KPI" },
    Constraint {
        name: "kpi_assignments_contract_of_client",
        field: "contract_id",
        message: "is not a contract",
    },
    Constraint {
        name: "kpi_measurements_no_overlap",
        field: "period_start",
        message: "the period overlaps another recorded period of this assignment",
    },
];

fn unreadable(table: &str, column: &str, value: &str) -> DomainError {
    unexpected(format!("{table}.{column} holds {value:?}"))
}

fn parsed<T: std::str::FromStr>(table: &str, column: &str, value: &str) -> Result<T, DomainError> {
    value.parse().map_err(|_| unreadable(table, column, value))
}

#[derive(Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = kpi_types, treat_none_as_null = true)]
struct TypeRow {
    id: Uuid,
    name: String,
    description: Option<String>,
    weight: Option<i32>,
    version: i32,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl From<&KpiType> for TypeRow {
    fn from(t: &KpiType) -> Self {
        Self {
            id: t.id.0,
            name: t.name.clone(),
            description: t.description.clone(),
            weight: t.weight,
            version: t.version,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

impl From<TypeRow> for KpiType {
    fn from(row: TypeRow) -> Self {
        KpiType {
            id: KpiTypeId(row.id),
            name: row.name,
            description: row.description,
            weight: row.weight,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

#[derive(Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = kpis, treat_none_as_null = true)]
struct KpiRow {
    id: Uuid,
    name: String,
    description: Option<String>,
    kpi_type_id: Uuid,
    unit: String,
    unit_type: String,
    target: Option<BigDecimal>,
    direction: String,
    calculation_method: Option<String>,
    frequency: Option<String>,
    public: bool,
    client_id: Option<Uuid>,
    contract_id: Option<Uuid>,
    version: i32,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl From<&Kpi> for KpiRow {
    fn from(k: &Kpi) -> Self {
        Self {
            id: k.id.0,
            name: k.name.clone(),
            description: k.description.clone(),
            kpi_type_id: k.kpi_type_id.0,
            unit: k.unit.clone(),
            unit_type: k.unit_type.as_str().to_owned(),
            target: k.target.clone(),
            direction: k.direction.as_str().to_owned(),
            calculation_method: k.calculation_method.clone(),
            frequency: k.frequency.map(|f| f.as_str().to_owned()),
            public: k.public,
            client_id: k.client_id.map(|id| id.0),
            contract_id: k.contract_id.map(|id| id.0),
            version: k.version,
            created_at: k.created_at,
            updated_at: k.updated_at,
        }
    }
}

impl TryFrom<KpiRow> for Kpi {
    type Error = DomainError;

    fn try_from(row: KpiRow) -> Result<Self, DomainError> {
        Ok(Kpi {
            id: KpiId(row.id),
            name: row.name,
            description: row.description,
            kpi_type_id: KpiTypeId(row.kpi_type_id),
            unit: row.unit,
            unit_type: parsed("kpis", "unit_type", &row.unit_type)?,
            target: row.target,
            direction: parsed("kpis", "direction", &row.direction)?,
            calculation_method: row.calculation_method,
            frequency: row.frequency.as_deref().map(|f| parsed("kpis", "frequency", f)).transpose()?,
            public: row.public,
            client_id: row.client_id.map(ClientId),
            contract_id: row.contract_id.map(ContractId),
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

#[derive(Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = kpi_assignments, treat_none_as_null = true)]
struct AssignmentRow {
    id: Uuid,
    kpi_id: Uuid,
    contract_id: Uuid,
    client_id: Uuid,
    target: Option<BigDecimal>,
    frequency: String,
    status: String,
    start_date: Date,
    end_date: Option<Date>,
    notes: Option<String>,
    version: i32,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl From<&KpiAssignment> for AssignmentRow {
    fn from(a: &KpiAssignment) -> Self {
        Self {
            id: a.id.0,
            kpi_id: a.kpi_id.0,
            contract_id: a.contract_id.0,
            client_id: a.client_id.0,
            target: a.target.clone(),
            frequency: a.frequency.as_str().to_owned(),
            status: a.status.as_str().to_owned(),
            start_date: a.start_date,
            end_date: a.end_date,
            notes: a.notes.clone(),
            version: a.version,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

impl TryFrom<AssignmentRow> for KpiAssignment {
    type Error = DomainError;

    fn try_from(row: AssignmentRow) -> Result<Self, DomainError> {
        Ok(KpiAssignment {
            id: AssignmentId(row.id),
            kpi_id: KpiId(row.kpi_id),
            contract_id: ContractId(row.contract_id),
            client_id: ClientId(row.client_id),
            target: row.target,
            frequency: parsed("kpi_assignments", "frequency", &row.frequency)?,
            status: parsed("kpi_assignments", "status", &row.status)?,
            start_date: row.start_date,
            end_date: row.end_date,
            notes: row.notes,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

#[derive(Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = kpi_measurements, treat_none_as_null = true)]
struct MeasurementRow {
    id: Uuid,
    assignment_id: Uuid,
    period_start: Date,
    period_end: Date,
    value: BigDecimal,
    note: Option<String>,
    recorded_by: Option<Uuid>,
    recorded_at: OffsetDateTime,
    version: i32,
}

impl From<&Measurement> for MeasurementRow {
    fn from(m: &Measurement) -> Self {
        Self {
            id: m.id.0,
            assignment_id: m.assignment_id.0,
            period_start: m.period_start,
            period_end: m.period_end,
            value: m.value.clone(),
            note: m.note.clone(),
            recorded_by: m.recorded_by.map(|id| id.0),
            recorded_at: m.recorded_at,
            version: m.version,
        }
    }
}

impl From<MeasurementRow> for Measurement {
    fn from(row: MeasurementRow) -> Self {
        Measurement {
            id: MeasurementId(row.id),
            assignment_id: AssignmentId(row.assignment_id),
            period_start: row.period_start,
            period_end: row.period_end,
            value: row.value,
            note: row.note,
            recorded_by: row.recorded_by.map(UserId),
            recorded_at: row.recorded_at,
            version: row.version,
        }
    }
}

fn kpis_from(rows: Vec<KpiRow>) -> Result<Vec<Kpi>, DomainError> {
    rows.into_iter().map(Kpi::try_from).collect()
}

fn assignments_from(rows: Vec<AssignmentRow>) -> Result<Vec<KpiAssignment>, DomainError> {
    rows.into_iter().map(KpiAssignment::try_from).collect()
}

fn offset(page: PageRequest) -> i64 {
    i64::try_from(page.offset()).unwrap_or(i64::MAX)
}

#[derive(Clone)]
pub struct PgKpis {
    db: Database,
    totals: Arc<ListTotals>,
}

impl PgKpis {
    pub fn new(db: Database) -> Self {
        register_constraints(CONSTRAINTS);
        Self { db, totals: Arc::new(ListTotals::default()) }
    }
}

/// KPIs a reader sees: global ones and those of the clients in scope, with the list's filters.
fn kpis_filtered(scope: ClientScope, query: &KpiListQuery) -> kpis::BoxedQuery<'static, Pg> {
    let mut rows = kpis::table
        .filter(
            kpis::client_id.is_null().or(kpis::client_id.assume_not_null().eq_any(live_clients_in(scope))),
        )
        .into_boxed();
    if let Some(client) = query.client {
        rows = rows.filter(kpis::client_id.eq(client.0));
    }
    if let Some(contract) = query.contract {
        rows = rows.filter(kpis::contract_id.eq(contract.0));
    }
    if let Some(kind) = query.kpi_type {
        rows = rows.filter(kpis::kpi_type_id.eq(kind.0));
    }
    if let Some(public) = query.public {
        rows = rows.filter(kpis::public.eq(public));
    }
    if query.global {
        rows = rows.filter(kpis::client_id.is_null());
    }
    if let Some(search) = &query.search {
        rows = rows.filter(sql::<Bool>("kpis.name ILIKE ").bind::<Text, _>(like_pattern(search)));
    }
    rows
}

fn assignments_filtered(
    scope: ClientScope,
    query: &AssignmentListQuery,
) -> kpi_assignments::BoxedQuery<'static, Pg> {
    let mut rows =
        kpi_assignments::table.filter(kpi_assignments::client_id.eq_any(live_clients_in(scope))).into_boxed();
    if let Some(client) = query.client {
        rows = rows.filter(kpi_assignments::client_id.eq(client.0));
    }
    if let Some(contract) = query.contract {
        rows = rows.filter(kpi_assignments::contract_id.eq(contract.0));
    }
    if let Some(kpi) = query.kpi {
        rows = rows.filter(kpi_assignments::kpi_id.eq(kpi.0));
    }
    if let Some(status) = query.status {
        rows = rows.filter(kpi_assignments::status.eq(status.as_str()));
    }
    rows
}

/// A conditional update's answer: `None` when the version moved (412 for the caller).
fn moved_is_none<T>(saved: Result<T, DomainError>) -> Result<Option<T>, DomainError> {
    match saved {
        Ok(value) => Ok(Some(value)),
        Err(DomainError::VersionMismatch) => Ok(None),
        Err(error) => Err(error),
    }
}

#[async_trait]
impl KpiRepository for PgKpis {
    async fn insert_type(&self, kpi_type: &KpiType, audit: &AuditRecord) -> Result<KpiType, DomainError> {
        let row = TypeRow::from(kpi_type);
        audited(&self.db, audit, async move |conn| {
            diesel::insert_into(kpi_types::table).values(&row).execute(conn).await?;
            Ok(())
        })
        .await?;
        Ok(kpi_type.clone())
    }

    async fn get_type(&self, id: KpiTypeId) -> Result<Option<KpiType>, DomainError> {
        let mut conn = self.db.conn().await?;
        let row: Option<TypeRow> = kpi_types::table
            .find(id.0)
            .select(TypeRow::as_select())
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        Ok(row.map(KpiType::from))
    }

    async fn list_types(&self, page: PageRequest) -> Result<Page<KpiType>, DomainError> {
        let conn = self.db.conn().await?;
        let shared: &AsyncPgConnection = &conn;
        let (total, rows) = page_with_remembered_total(
            shared,
            &self.totals,
            kpi_types::table.select((list_version(), count_star())),
            kpi_types::table
                .order((kpi_types::name, kpi_types::id))
                .select(TypeRow::as_select())
                .limit(i64::from(page.limit()))
                .offset(offset(page)),
        )
        .await?;
        Ok(Page::new(rows.into_iter().map(KpiType::from).collect(), total.unsigned_abs(), page))
    }

    async fn save_type(
        &self,
        kpi_type: &KpiType,
        expected: i32,
        audit: &AuditRecord,
    ) -> Result<Option<KpiType>, DomainError> {
        let row = TypeRow { version: expected + 1, ..TypeRow::from(kpi_type) };
        let id = kpi_type.id.0;
        let saved = audited_update(&self.db, audit, async move |conn| {
            Ok(diesel::update(
                kpi_types::table.filter(kpi_types::id.eq(id)).filter(kpi_types::version.eq(expected)),
            )
            .set(&row)
            .returning(TypeRow::as_returning())
            .get_result(conn)
            .await
            .optional()?)
        })
        .await;
        moved_is_none(saved).map(|row| row.map(KpiType::from))
    }

    async fn delete_type(&self, id: KpiTypeId, audit: &AuditRecord) -> Result<bool, DomainError> {
        audited_if(&self.db, audit, async move |conn| {
            let unused = not(exists(kpis::table.filter(kpis::kpi_type_id.eq(id.0))));
            let removed = diesel::delete(kpi_types::table.filter(kpi_types::id.eq(id.0)).filter(unused))
                .execute(conn)
                .await?;
            Ok(removed == 1)
        })
        .await
    }

    async fn insert_kpi(&self, kpi: &Kpi, audit: &AuditRecord) -> Result<Kpi, DomainError> {
        let row = KpiRow::from(kpi);
        audited(&self.db, audit, async move |conn| {
            diesel::insert_into(kpis::table).values(&row).execute(conn).await?;
            Ok(())
        })
        .await?;
        Ok(kpi.clone())
    }

    async fn get_kpi(&self, id: KpiId) -> Result<Option<Kpi>, DomainError> {
        let mut conn = self.db.conn().await?;
        let row: Option<KpiRow> = kpis::table
            .find(id.0)
            .select(KpiRow::as_select())
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        row.map(Kpi::try_from).transpose()
    }

    async fn list_kpis(
        &self,
        scope: ClientScope,
        query: &KpiListQuery,
        page: PageRequest,
    ) -> Result<Page<Kpi>, DomainError> {
        let conn = self.db.conn().await?;
        let shared: &AsyncPgConnection = &conn;
        let (total, rows) = page_with_remembered_total(
            shared,
            &self.totals,
            kpis_filtered(scope, query).select((list_version(), count_star())),
            kpis_filtered(scope, query)
                .order((kpis::name, kpis::id))
                .select(KpiRow::as_select())
                .limit(i64::from(page.limit()))
                .offset(offset(page)),
        )
        .await?;
        Ok(Page::new(kpis_from(rows)?, total.unsigned_abs(), page))
    }

    async fn save_kpi(
        &self,
        kpi: &Kpi,
        expected: i32,
        audit: &AuditRecord,
    ) -> Result<Option<Kpi>, DomainError> {
        let row = KpiRow { version: expected + 1, ..KpiRow::from(kpi) };
        let id = kpi.id.0;
        let saved = audited_update(&self.db, audit, async move |conn| {
            Ok(diesel::update(kpis::table.filter(kpis::id.eq(id)).filter(kpis::version.eq(expected)))
                .set(&row)
                .returning(KpiRow::as_returning())
                .get_result(conn)
                .await
                .optional()?)
        })
        .await;
        moved_is_none(saved)?.map(Kpi::try_from).transpose()
    }

    async fn delete_kpi(&self, id: KpiId, audit: &AuditRecord) -> Result<bool, DomainError> {
        audited_if(&self.db, audit, async move |conn| {
            let unused = not(exists(kpi_assignments::table.filter(kpi_assignments::kpi_id.eq(id.0))));
            let removed =
                diesel::delete(kpis::table.filter(kpis::id.eq(id.0)).filter(unused)).execute(conn).await?;
            Ok(removed == 1)
        })
        .await
    }

    async fn contract_client(&self, contract: ContractId) -> Result<Option<ClientId>, DomainError> {
        let mut conn = self.db.conn().await?;
        let client: Option<Uuid> = contracts::table
            .filter(contracts::id.eq(contract.0))
            .filter(contracts::deleted_at.is_null())
            .select(contracts::client_id)
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        Ok(client.map(ClientId))
    }

    async fn insert_assignment(
        &self,
        assignment: &KpiAssignment,
        audit: &AuditRecord,
    ) -> Result<KpiAssignment, DomainError> {
        let row = AssignmentRow::from(assignment);
        audited(&self.db, audit, async move |conn| {
            diesel::insert_into(kpi_assignments::table).values(&row).execute(conn).await?;
            Ok(())
        })
        .await?;
        Ok(assignment.clone())
    }

    async fn get_assignment(&self, id: AssignmentId) -> Result<Option<KpiAssignment>, DomainError> {
        let mut conn = self.db.conn().await?;
        let row: Option<AssignmentRow> = kpi_assignments::table
            .find(id.0)
            .select(AssignmentRow::as_select())
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        row.map(KpiAssignment::try_from).transpose()
    }

    async fn list_assignments(
        &self,
        scope: ClientScope,
        query: &AssignmentListQuery,
        page: PageRequest,
    ) -> Result<Page<KpiAssignment>, DomainError> {
        let conn = self.db.conn().await?;
        let shared: &AsyncPgConnection = &conn;
        let (total, rows) = page_with_remembered_total(
            shared,
            &self.totals,
            assignments_filtered(scope, query).select((list_version(), count_star())),
            assignments_filtered(scope, query)
                .order((kpi_assignments::created_at.desc(), kpi_assignments::id.desc()))
                .select(AssignmentRow::as_select())
                .limit(i64::from(page.limit()))
                .offset(offset(page)),
        )
        .await?;
        Ok(Page::new(assignments_from(rows)?, total.unsigned_abs(), page))
    }

    async fn save_assignment(
        &self,
        assignment: &KpiAssignment,
        expected: i32,
        audit: &AuditRecord,
    ) -> Result<Option<KpiAssignment>, DomainError> {
        let row = AssignmentRow { version: expected + 1, ..AssignmentRow::from(assignment) };
        let id = assignment.id.0;
        let saved = audited_update(&self.db, audit, async move |conn| {
            Ok(diesel::update(
                kpi_assignments::table
                    .filter(kpi_assignments::id.eq(id))
                    .filter(kpi_assignments::version.eq(expected)),
            )
            .set(&row)
            .returning(AssignmentRow::as_returning())
            .get_result(conn)
            .await
            .optional()?)
        })
        .await;
        moved_is_none(saved)?.map(KpiAssignment::try_from).transpose()
    }

    async fn client_assignments(
        &self,
        client: ClientId,
    ) -> Result<Vec<(KpiAssignment, Kpi, Option<KpiType>)>, DomainError> {
        let mut conn = self.db.conn().await?;
        let rows: Vec<(AssignmentRow, KpiRow, TypeRow)> = kpi_assignments::table
            .inner_join(kpis::table.inner_join(kpi_types::table))
            .filter(kpi_assignments::client_id.eq(client.0))
            .filter(kpi_assignments::status.ne("cancelled"))
            .order((kpis::name, kpi_assignments::created_at, kpi_assignments::id))
            .select((AssignmentRow::as_select(), KpiRow::as_select(), TypeRow::as_select()))
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        rows.into_iter()
            .map(|(assignment, kpi, kind)| Ok((assignment.try_into()?, kpi.try_into()?, Some(kind.into()))))
            .collect()
    }

    async fn measurements(&self, assignment: AssignmentId) -> Result<Vec<Measurement>, DomainError> {
        self.measurements_of(&[assignment]).await
    }

    async fn measurements_of(&self, assignments: &[AssignmentId]) -> Result<Vec<Measurement>, DomainError> {
        let ids: Vec<Uuid> = assignments.iter().map(|id| id.0).collect();
        let mut conn = self.db.conn().await?;
        let rows: Vec<MeasurementRow> = kpi_measurements::table
            .filter(kpi_measurements::assignment_id.eq_any(ids))
            .order((kpi_measurements::assignment_id, kpi_measurements::period_start))
            .select(MeasurementRow::as_select())
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        Ok(rows.into_iter().map(Measurement::from).collect())
    }

    async fn get_measurement(&self, id: MeasurementId) -> Result<Option<Measurement>, DomainError> {
        let mut conn = self.db.conn().await?;
        let row: Option<MeasurementRow> = kpi_measurements::table
            .find(id.0)
            .select(MeasurementRow::as_select())
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        Ok(row.map(Measurement::from))
    }

    async fn insert_measurement(
        &self,
        measurement: &OwnedMeasurement,
        audit: &AuditRecord,
    ) -> Result<Measurement, DomainError> {
        let row = MeasurementRow::from(&measurement.measurement);
        audited(&self.db, audit, async move |conn| {
            diesel::insert_into(kpi_measurements::table).values(&row).execute(conn).await?;
            Ok(())
        })
        .await?;
        Ok(measurement.measurement.clone())
    }

    async fn save_measurement(
        &self,
        measurement: &OwnedMeasurement,
        expected: i32,
        audit: &AuditRecord,
    ) -> Result<Option<Measurement>, DomainError> {
        let row = MeasurementRow { version: expected + 1, ..MeasurementRow::from(&measurement.measurement) };
        let id = measurement.measurement.id.0;
        let saved = audited_update(&self.db, audit, async move |conn| {
            Ok(diesel::update(
                kpi_measurements::table
                    .filter(kpi_measurements::id.eq(id))
                    .filter(kpi_measurements::version.eq(expected)),
            )
            .set(&row)
            .returning(MeasurementRow::as_returning())
            .get_result(conn)
            .await
            .optional()?)
        })
        .await;
        Ok(moved_is_none(saved)?.map(Measurement::from))
    }

    async fn delete_measurement(&self, id: MeasurementId, audit: &AuditRecord) -> Result<bool, DomainError> {
        audited_if(&self.db, audit, async move |conn| {
            Ok(diesel::delete(kpi_measurements::table.filter(kpi_measurements::id.eq(id.0)))
                .execute(conn)
                .await?
                == 1)
        })
        .await
    }
}
