//! KPIs: types, KPIs, assignments to contracts with their lifecycle, measurements, an
//! assignment's performance against target, and a client's KPI summary.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use axis_contracts::ContractId;
use axis_http::dto::{Paginated, parse_date, with_etag};
use axis_http::extract::Authenticated;
use axis_http::idempotent::{CreateBody, Created};
use axis_http::json::ApiJson;
use axis_http::paged_params;
use axis_http::problem::*;
use axis_http::query::ApiQuery;
use axis_http::schema::*;
use axis_kernel::{ClientId, FieldErrors, Patch};
use axis_kpis::performance::{ClientKpiSummary, Performance, PerformancePeriod, Trend};
use axis_kpis::service::AssignmentPerformance;
use axis_kpis::{
    AssignmentAction, AssignmentFields, AssignmentId, AssignmentListQuery, AssignmentStatus, Direction,
    Frequency, Kpi, KpiAssignment, KpiFields, KpiId, KpiListQuery, KpiService, KpiType, KpiTypeFields,
    KpiTypeId, Measurement, MeasurementFields, MeasurementId, UnitType,
};
use bigdecimal::BigDecimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(axis_http::collection("/api/v1/kpi-types", |cfg| {
        cfg.service(list_types)
            .service(create_type)
            .service(get_type)
            .service(update_type)
            .service(delete_type);
    }))
    .service(axis_http::collection("/api/v1/kpis", |cfg| {
        cfg.service(list_kpis).service(create_kpi).service(get_kpi).service(update_kpi).service(delete_kpi);
    }))
    .service(axis_http::collection("/api/v1/kpi-assignments", |cfg| {
        cfg.service(list_assignments)
            .service(create_assignment)
            .service(get_assignment)
            .service(update_assignment)
            .service(activate_assignment)
            .service(pause_assignment)
            .service(complete_assignment)
            .service(cancel_assignment)
            .service(list_measurements)
            .service(record_measurement)
            .service(assignment_performance);
    }))
    .service(axis_http::collection("/api/v1/kpi-measurements", |cfg| {
        cfg.service(correct_measurement).service(delete_measurement);
    }));
}

/// The client's KPI summary, registered under `/api/v1/clients` beside the client routes.
pub fn configure_nested(cfg: &mut ServiceConfig) {
    cfg.service(client_kpi_summary);
}

/// A decimal as text, without trailing zeros (`"97.5"`).
fn decimal_text(value: &BigDecimal) -> String {
    value.normalized().to_string()
}

/// A KPI type's name: 1–100 characters, no control or invisible characters, not only spaces.
#[derive(ToSchema)]
#[schema(
    min_length = 1,
    max_length = 100,
    pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF]*[^\\s\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF][^\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF]*$"
)]
#[expect(dead_code, reason = "documentation type only")]
pub struct KpiTypeName(String);

/// A KPI's unit (`%`, `sessions`, `hours`): 1–50 characters, as for a name.
#[derive(ToSchema)]
#[schema(
    min_length = 1,
    max_length = 50,
    pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF]*[^\\s\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF][^\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF]*$"
)]
#[expect(dead_code, reason = "documentation type only")]
pub struct KpiUnit(String);

// ---- KPI types.

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = KpiType)]
pub struct KpiTypeResponse {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    /// How much its KPIs count in a client's summary (1 when null).
    pub weight: Option<i32>,
    pub version: i32,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
}

impl From<KpiType> for KpiTypeResponse {
    fn from(t: KpiType) -> Self {
        Self {
            id: t.id.0,
            name: t.name,
            description: t.description,
            weight: t.weight,
            version: t.version,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KpiTypeRequest {
    #[schema(value_type = KpiTypeName)]
    pub name: String,
    #[schema(value_type = Option<Block1000>)]
    pub description: Option<String>,
    #[schema(minimum = 1, maximum = 100)]
    pub weight: Option<i32>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KpiTypePatchRequest {
    #[schema(value_type = Option<KpiTypeName>)]
    #[serde(default)]
    pub name: Patch<String>,
    #[schema(value_type = Option<Block1000>)]
    #[serde(default)]
    pub description: Patch<String>,
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 100)]
    #[serde(default)]
    pub weight: Patch<i32>,
    /// Alternative to `If-Match`.
    pub version: Option<i32>,
}

/// KPI types by name (everyone signed in).
#[utoipa::path(
    tag = "kpis",
    params(axis_http::dto::PageQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of KPI types", body = Paginated<KpiTypeResponse>), ListErrors)
)]
#[get("")]
async fn list_types(
    kpis: web::Data<KpiService>,
    Authenticated(_actor): Authenticated,
    query: ApiQuery<axis_http::dto::PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = query.into_inner().page_request()?;
    Ok(HttpResponse::Ok().json(Paginated::from_page(kpis.list_types(page).await?, KpiTypeResponse::from)))
}

/// Create a KPI type (admin, manager); the name is unique in any case (409).
#[utoipa::path(
    tag = "kpis",
    params(IdempotencyKey),
    request_body = KpiTypeRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = KpiTypeResponse,
         headers(("Location" = String, description = "The KPI type"), ("ETag" = String),
                 ("Idempotent-Replayed" = Option<String>))),
        IdempotencyKeyErrors,
        CreateErrors,
    )
)]
#[post("")]
async fn create_type(
    kpis: web::Data<KpiService>,
    Authenticated(actor): Authenticated,
    CreateBody { body, once }: CreateBody<KpiTypeRequest>,
) -> Result<HttpResponse, ApiError> {
    let fields = KpiTypeFields { name: body.name, description: body.description, weight: body.weight };
    once.run(&actor, || async {
        let made = kpis.create_type(&actor, fields).await?;
        Created::new(format!("/api/v1/kpi-types/{}", made.id), made.version, &KpiTypeResponse::from(made))
    })
    .await
}

/// A KPI type.
#[utoipa::path(
    tag = "kpis",
    params(("id" = Uuid, Path, description = "KPI type id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The KPI type", body = KpiTypeResponse, headers(("ETag" = String))), ReadOneErrors)
)]
#[get("/{id}")]
async fn get_type(
    kpis: web::Data<KpiService>,
    Authenticated(_actor): Authenticated,
    id: web::Path<KpiTypeId>,
) -> Result<HttpResponse, ApiError> {
    let found = KpiTypeResponse::from(kpis.get_type(id.into_inner()).await?);
    Ok(with_etag(StatusCode::OK, found.version, &found))
}

/// Change a KPI type (admin, manager).
#[utoipa::path(
    tag = "kpis",
    params(("id" = Uuid, Path, description = "KPI type id"), IfMatch),
    request_body = KpiTypePatchRequest,
    security(("bearer" = [])),
    responses((status = 200, description = "The KPI type", body = KpiTypeResponse, headers(("ETag" = String))), UpdateErrors)
)]
#[patch("/{id}")]
async fn update_type(
    kpis: web::Data<KpiService>,
    Authenticated(actor): Authenticated,
    id: web::Path<KpiTypeId>,
    body: ApiJson<KpiTypePatchRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let if_match = if_match.or_body(body.version)?;
    let change = move |fields: &mut KpiTypeFields| {
        body.name.clone().apply_to_required(&mut fields.name);
        body.description.clone().apply_to(&mut fields.description);
        body.weight.clone().apply_to(&mut fields.weight);
    };
    let saved = KpiTypeResponse::from(kpis.update_type(&actor, id.into_inner(), change, if_match).await?);
    Ok(with_etag(StatusCode::OK, saved.version, &saved))
}

/// Delete a KPI type (admin, manager): 409 while a KPI is of it.
#[utoipa::path(
    tag = "kpis",
    params(("id" = Uuid, Path, description = "KPI type id")),
    security(("bearer" = [])),
    responses((status = 204, description = "Deleted"), (status = 409, response = Conflict), ActOnOneErrors)
)]
#[delete("/{id}")]
async fn delete_type(
    kpis: web::Data<KpiService>,
    Authenticated(actor): Authenticated,
    id: web::Path<KpiTypeId>,
) -> Result<HttpResponse, ApiError> {
    kpis.delete_type(&actor, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

// ---- KPIs.

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Kpi)]
pub struct KpiResponse {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub kpi_type_id: Uuid,
    pub unit: String,
    pub unit_type: UnitType,
    #[schema(value_type = Option<String>)]
    pub target: Option<String>,
    pub direction: Direction,
    pub calculation_method: Option<String>,
    pub frequency: Option<Frequency>,
    pub public: bool,
    /// `null`: a global KPI.
    pub client_id: Option<Uuid>,
    pub contract_id: Option<Uuid>,
    pub version: i32,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
}

impl From<Kpi> for KpiResponse {
    fn from(k: Kpi) -> Self {
        Self {
            id: k.id.0,
            name: k.name,
            description: k.description,
            kpi_type_id: k.kpi_type_id.0,
            unit: k.unit,
            unit_type: k.unit_type,
            target: k.target.as_ref().map(decimal_text),
            direction: k.direction,
            calculation_method: k.calculation_method,
            frequency: k.frequency,
            public: k.public,
            client_id: k.client_id.map(|id| id.0),
            contract_id: k.contract_id.map(|id| id.0),
            version: k.version,
            created_at: k.created_at,
            updated_at: k.updated_at,
        }
    }
}

/// A decimal as a string: at most 14 digits before the point and 4 after.
#[derive(ToSchema)]
#[schema(max_length = 20, pattern = "^-?[0-9]{1,14}(\\.[0-9]{1,4})?$", example = "97.5")]
#[expect(dead_code, reason = "documentation type only")]
pub struct KpiDecimal(String);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KpiRequest {
    #[schema(value_type = RequiredName255)]
    pub name: String,
    #[schema(value_type = Option<Block2000>)]
    pub description: Option<String>,
    pub kpi_type_id: Uuid,
    /// What a value is counted in (`%`, `sessions`, `hours`).
    #[schema(value_type = KpiUnit)]
    pub unit: String,
    pub unit_type: UnitType,
    /// A percentage lies within 0–100.
    #[schema(value_type = Option<KpiDecimal>)]
    pub target: Option<String>,
    pub direction: Direction,
    #[schema(value_type = Option<Block2000>)]
    pub calculation_method: Option<String>,
    pub frequency: Option<Frequency>,
    /// Default true.
    pub public: Option<bool>,
    /// A client's KPI (else global, managed by managers).
    pub client_id: Option<Uuid>,
    /// A contract's KPI: a contract of `client_id`.
    pub contract_id: Option<Uuid>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KpiPatchRequest {
    #[schema(value_type = Option<RequiredName255>)]
    #[serde(default)]
    pub name: Patch<String>,
    #[schema(value_type = Option<Block2000>)]
    #[serde(default)]
    pub description: Patch<String>,
    #[schema(value_type = Option<KpiUnit>)]
    #[serde(default)]
    pub unit: Patch<String>,
    #[schema(value_type = Option<UnitType>)]
    #[serde(default)]
    pub unit_type: Patch<UnitType>,
    #[schema(value_type = Option<KpiDecimal>)]
    #[serde(default)]
    pub target: Patch<String>,
    #[schema(value_type = Option<Direction>)]
    #[serde(default)]
    pub direction: Patch<Direction>,
    #[schema(value_type = Option<Block2000>)]
    #[serde(default)]
    pub calculation_method: Patch<String>,
    #[schema(value_type = Option<Frequency>)]
    #[serde(default)]
    pub frequency: Patch<Frequency>,
    #[schema(value_type = Option<bool>)]
    #[serde(default)]
    pub public: Patch<bool>,
    /// Alternative to `If-Match`.
    pub version: Option<i32>,
}

paged_params! {
    pub struct KpiListParams {
        pub client: Option<Uuid>,
        pub contract: Option<Uuid>,
        pub kpi_type: Option<Uuid>,
        pub public: Option<bool>,
        /// Only global KPIs.
        pub global: Option<bool>,
        /// Matches the name (case-insensitive).
        #[param(min_length = 1, pattern = "^[^\\u0000]+$")]
        pub search: Option<String>,
    }
}

/// KPIs the caller sees: global ones and those of clients in scope, by name.
#[utoipa::path(
    tag = "kpis",
    params(KpiListParams),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of KPIs", body = Paginated<KpiResponse>), ListErrors)
)]
#[get("")]
async fn list_kpis(
    kpis: web::Data<KpiService>,
    Authenticated(actor): Authenticated,
    query: ApiQuery<KpiListParams>,
) -> Result<HttpResponse, ApiError> {
    let params = query.into_inner();
    let page = params.page_request()?;
    let query = KpiListQuery {
        client: params.client.map(ClientId),
        contract: params.contract.map(ContractId),
        kpi_type: params.kpi_type.map(KpiTypeId),
        public: params.public,
        global: params.global.unwrap_or(false),
        search: params.search,
    };
    Ok(HttpResponse::Ok()
        .json(Paginated::from_page(kpis.list_kpis(&actor, query, page).await?, KpiResponse::from)))
}

/// Create a KPI (admin, manager): global, a client's, or a contract's (naming its client).
#[utoipa::path(
    tag = "kpis",
    params(IdempotencyKey),
    request_body = KpiRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = KpiResponse,
         headers(("Location" = String, description = "The KPI"), ("ETag" = String),
                 ("Idempotent-Replayed" = Option<String>))),
        IdempotencyKeyErrors,
        CreateErrors,
    )
)]
#[post("")]
async fn create_kpi(
    kpis: web::Data<KpiService>,
    Authenticated(actor): Authenticated,
    CreateBody { body: b, once }: CreateBody<KpiRequest>,
) -> Result<HttpResponse, ApiError> {
    let fields = KpiFields {
        name: b.name,
        description: b.description,
        kpi_type_id: KpiTypeId(b.kpi_type_id),
        unit: b.unit,
        unit_type: b.unit_type,
        target: b.target,
        direction: b.direction,
        calculation_method: b.calculation_method,
        frequency: b.frequency,
        public: b.public.unwrap_or(true),
        client_id: b.client_id.map(ClientId),
        contract_id: b.contract_id.map(ContractId),
    };
    once.run(&actor, || async {
        let made = kpis.create_kpi(&actor, fields).await?;
        Created::new(format!("/api/v1/kpis/{}", made.id), made.version, &KpiResponse::from(made))
    })
    .await
}

/// A KPI.
#[utoipa::path(
    tag = "kpis",
    params(("id" = Uuid, Path, description = "KPI id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The KPI", body = KpiResponse, headers(("ETag" = String))), ReadOneErrors)
)]
#[get("/{id}")]
async fn get_kpi(
    kpis: web::Data<KpiService>,
    Authenticated(actor): Authenticated,
    id: web::Path<KpiId>,
) -> Result<HttpResponse, ApiError> {
    let found = KpiResponse::from(kpis.get_kpi(&actor, id.into_inner()).await?);
    Ok(with_etag(StatusCode::OK, found.version, &found))
}

/// Change a KPI (admin, manager); its type, client and contract stay.
#[utoipa::path(
    tag = "kpis",
    params(("id" = Uuid, Path, description = "KPI id"), IfMatch),
    request_body = KpiPatchRequest,
    security(("bearer" = [])),
    responses((status = 200, description = "The KPI", body = KpiResponse, headers(("ETag" = String))), UpdateErrors)
)]
#[patch("/{id}")]
async fn update_kpi(
    kpis: web::Data<KpiService>,
    Authenticated(actor): Authenticated,
    id: web::Path<KpiId>,
    body: ApiJson<KpiPatchRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let if_match = if_match.or_body(b.version)?;
    let change = move |f: &mut KpiFields| {
        b.name.clone().apply_to_required(&mut f.name);
        b.description.clone().apply_to(&mut f.description);
        b.unit.clone().apply_to_required(&mut f.unit);
        b.unit_type.clone().apply_to_required(&mut f.unit_type);
        b.target.clone().apply_to(&mut f.target);
        b.direction.clone().apply_to_required(&mut f.direction);
        b.calculation_method.clone().apply_to(&mut f.calculation_method);
        b.frequency.clone().apply_to(&mut f.frequency);
        b.public.clone().apply_to_required(&mut f.public);
    };
    let saved = KpiResponse::from(kpis.update_kpi(&actor, id.into_inner(), change, if_match).await?);
    Ok(with_etag(StatusCode::OK, saved.version, &saved))
}

/// Delete a KPI (admin, manager): 409 while it is assigned.
#[utoipa::path(
    tag = "kpis",
    params(("id" = Uuid, Path, description = "KPI id")),
    security(("bearer" = [])),
    responses((status = 204, description = "Deleted"), (status = 409, response = Conflict), ActOnOneErrors)
)]
#[delete("/{id}")]
async fn delete_kpi(
    kpis: web::Data<KpiService>,
    Authenticated(actor): Authenticated,
    id: web::Path<KpiId>,
) -> Result<HttpResponse, ApiError> {
    kpis.delete_kpi(&actor, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

// ---- Assignments.

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = KpiAssignment)]
pub struct AssignmentResponse {
    pub id: Uuid,
    pub kpi_id: Uuid,
    pub contract_id: Uuid,
    pub client_id: Uuid,
    /// The assignment's own target (null: the KPI's).
    #[schema(value_type = Option<String>)]
    pub target: Option<String>,
    pub frequency: Frequency,
    pub status: AssignmentStatus,
    #[schema(value_type = String, format = Date)]
    pub start_date: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub end_date: Option<String>,
    pub notes: Option<String>,
    pub version: i32,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
}

impl From<KpiAssignment> for AssignmentResponse {
    fn from(a: KpiAssignment) -> Self {
        Self {
            id: a.id.0,
            kpi_id: a.kpi_id.0,
            contract_id: a.contract_id.0,
            client_id: a.client_id.0,
            target: a.target.as_ref().map(decimal_text),
            frequency: a.frequency,
            status: a.status,
            start_date: a.start_date.to_string(),
            end_date: a.end_date.map(|d| d.to_string()),
            notes: a.notes,
            version: a.version,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

fn assignment_response(status: StatusCode, assignment: KpiAssignment) -> HttpResponse {
    let body = AssignmentResponse::from(assignment);
    with_etag(status, body.version, &body)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentRequest {
    /// Global, the contract's client's, or the contract's own KPI.
    pub kpi_id: Uuid,
    pub contract_id: Uuid,
    /// Overrides the KPI's target.
    #[schema(value_type = Option<KpiDecimal>)]
    pub target: Option<String>,
    pub frequency: Frequency,
    #[schema(value_type = CalendarDate)]
    pub start_date: String,
    /// Not before `start_date`.
    #[schema(value_type = Option<CalendarDate>)]
    pub end_date: Option<String>,
    #[schema(value_type = Option<Block5000>)]
    pub notes: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentPatchRequest {
    #[schema(value_type = Option<KpiDecimal>)]
    #[serde(default)]
    pub target: Patch<String>,
    #[schema(value_type = Option<Frequency>)]
    #[serde(default)]
    pub frequency: Patch<Frequency>,
    /// Not before the start date, nor before a measured period's end.
    #[schema(value_type = Option<CalendarDate>)]
    #[serde(default)]
    pub end_date: Patch<String>,
    #[schema(value_type = Option<Block5000>)]
    #[serde(default)]
    pub notes: Patch<String>,
    /// Alternative to `If-Match`.
    pub version: Option<i32>,
}

paged_params! {
    pub struct AssignmentListParams {
        pub client: Option<Uuid>,
        pub contract: Option<Uuid>,
        pub kpi: Option<Uuid>,
        pub status: Option<AssignmentStatus>,
    }
}

/// Assignments of the clients in the caller's scope, newest first.
#[utoipa::path(
    tag = "kpis",
    params(AssignmentListParams),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of assignments", body = Paginated<AssignmentResponse>), ListErrors)
)]
#[get("")]
async fn list_assignments(
    kpis: web::Data<KpiService>,
    Authenticated(actor): Authenticated,
    query: ApiQuery<AssignmentListParams>,
) -> Result<HttpResponse, ApiError> {
    let params = query.into_inner();
    let page = params.page_request()?;
    let query = AssignmentListQuery {
        client: params.client.map(ClientId),
        contract: params.contract.map(ContractId),
        kpi: params.kpi.map(KpiId),
        status: params.status,
    };
    let listed = kpis.list_assignments(&actor, query, page).await?;
    Ok(HttpResponse::Ok().json(Paginated::from_page(listed, AssignmentResponse::from)))
}

/// Assign a KPI to a contract (admin, manager): `pending`, the client the contract's.
#[utoipa::path(
    tag = "kpis",
    params(IdempotencyKey),
    request_body = AssignmentRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = AssignmentResponse,
         headers(("Location" = String, description = "The assignment"), ("ETag" = String),
                 ("Idempotent-Replayed" = Option<String>))),
        IdempotencyKeyErrors,
        CreateErrors,
    )
)]
#[post("")]
async fn create_assignment(
    kpis: web::Data<KpiService>,
    Authenticated(actor): Authenticated,
    CreateBody { body: b, once }: CreateBody<AssignmentRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::new();
    let start_date = parse_date(&mut errors, "start_date", Some(&b.start_date));
    let end_date = parse_date(&mut errors, "end_date", b.end_date.as_deref());
    errors.into_result()?;
    let Some(start_date) = start_date else {
        return Err(FieldErrors::single("start_date", "is required").into());
    };
    let fields = AssignmentFields {
        kpi_id: KpiId(b.kpi_id),
        contract_id: ContractId(b.contract_id),
        target: b.target,
        frequency: b.frequency,
        start_date,
        end_date,
        notes: b.notes,
    };
    once.run(&actor, || async {
        let made = kpis.create_assignment(&actor, fields).await?;
        Created::new(
            format!("/api/v1/kpi-assignments/{}", made.id),
            made.version,
            &AssignmentResponse::from(made),
        )
    })
    .await
}

/// An assignment.
#[utoipa::path(
    tag = "kpis",
    params(("id" = Uuid, Path, description = "Assignment id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The assignment", body = AssignmentResponse, headers(("ETag" = String))), ReadOneErrors)
)]
#[get("/{id}")]
async fn get_assignment(
    kpis: web::Data<KpiService>,
    Authenticated(actor): Authenticated,
    id: web::Path<AssignmentId>,
) -> Result<HttpResponse, ApiError> {
    Ok(assignment_response(StatusCode::OK, kpis.get_assignment(&actor, id.into_inner()).await?))
}

/// Change an assignment (admin, manager); its KPI, contract and start date stay.
#[utoipa::path(
    tag = "kpis",
    params(("id" = Uuid, Path, description = "Assignment id"), IfMatch),
    request_body = AssignmentPatchRequest,
    security(("bearer" = [])),
    responses((status = 200, description = "The assignment", body = AssignmentResponse, headers(("ETag" = String))), UpdateErrors)
)]
#[patch("/{id}")]
async fn update_assignment(
    kpis: web::Data<KpiService>,
    Authenticated(actor): Authenticated,
    id: web::Path<AssignmentId>,
    body: ApiJson<AssignmentPatchRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let if_match = if_match.or_body(b.version)?;
    let end_date = b.end_date.try_map(|text| {
        let mut errors = FieldErrors::new();
        parse_date(&mut errors, "end_date", Some(&text)).ok_or(errors)
    })?;
    let change = move |f: &mut AssignmentFields| {
        b.target.clone().apply_to(&mut f.target);
        b.frequency.clone().apply_to_required(&mut f.frequency);
        end_date.clone().apply_to(&mut f.end_date);
        b.notes.clone().apply_to(&mut f.notes);
    };
    Ok(assignment_response(
        StatusCode::OK,
        kpis.update_assignment(&actor, id.into_inner(), change, if_match).await?,
    ))
}

async fn act(
    kpis: &KpiService,
    actor: &axis_kernel::Actor,
    id: AssignmentId,
    action: AssignmentAction,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    Ok(assignment_response(StatusCode::OK, kpis.act(actor, id, action, if_match.version()?).await?))
}

/// `pending → ongoing` (admin, manager).
#[utoipa::path(
    tag = "kpis",
    params(("id" = Uuid, Path, description = "Assignment id"), IfMatch),
    security(("bearer" = [])),
    responses((status = 200, description = "The assignment", body = AssignmentResponse), (status = 409, response = Conflict), (status = 412, response = PreconditionFailed), ActOnOneErrors)
)]
#[post("/{id}/activate")]
async fn activate_assignment(
    kpis: web::Data<KpiService>,
    Authenticated(actor): Authenticated,
    id: web::Path<AssignmentId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    act(&kpis, &actor, id.into_inner(), AssignmentAction::Activate, if_match).await
}

/// `ongoing → pending` (admin, manager).
#[utoipa::path(
    tag = "kpis",
    params(("id" = Uuid, Path, description = "Assignment id"), IfMatch),
    security(("bearer" = [])),
    responses((status = 200, description = "The assignment", body = AssignmentResponse), (status = 409, response = Conflict), (status = 412, response = PreconditionFailed), ActOnOneErrors)
)]
#[post("/{id}/pause")]
async fn pause_assignment(
    kpis: web::Data<KpiService>,
    Authenticated(actor): Authenticated,
    id: web::Path<AssignmentId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    act(&kpis, &actor, id.into_inner(), AssignmentAction::Pause, if_match).await
}

/// `ongoing → completed`, final (admin, manager).
#[utoipa::path(
    tag = "kpis",
    params(("id" = Uuid, Path, description = "Assignment id"), IfMatch),
    security(("bearer" = [])),
    responses((status = 200, description = "The assignment", body = AssignmentResponse), (status = 409, response = Conflict), (status = 412, response = PreconditionFailed), ActOnOneErrors)
)]
#[post("/{id}/complete")]
async fn complete_assignment(
    kpis: web::Data<KpiService>,
    Authenticated(actor): Authenticated,
    id: web::Path<AssignmentId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    act(&kpis, &actor, id.into_inner(), AssignmentAction::Complete, if_match).await
}

/// `pending | ongoing → cancelled`, final (admin, manager).
#[utoipa::path(
    tag = "kpis",
    params(("id" = Uuid, Path, description = "Assignment id"), IfMatch),
    security(("bearer" = [])),
    responses((status = 200, description = "The assignment", body = AssignmentResponse), (status = 409, response = Conflict), (status = 412, response = PreconditionFailed), ActOnOneErrors)
)]
#[post("/{id}/cancel")]
async fn cancel_assignment(
    kpis: web::Data<KpiService>,
    Authenticated(actor): Authenticated,
    id: web::Path<AssignmentId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    act(&kpis, &actor, id.into_inner(), AssignmentAction::Cancel, if_match).await
}

// ---- Measurements.

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = KpiMeasurement)]
pub struct MeasurementResponse {
    pub id: Uuid,
    pub assignment_id: Uuid,
    #[schema(value_type = String, format = Date)]
    pub period_start: String,
    #[schema(value_type = String, format = Date)]
    pub period_end: String,
    pub value: String,
    pub note: Option<String>,
    pub recorded_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub recorded_at: OffsetDateTime,
    pub version: i32,
}

impl From<Measurement> for MeasurementResponse {
    fn from(m: Measurement) -> Self {
        Self {
            id: m.id.0,
            assignment_id: m.assignment_id.0,
            period_start: m.period_start.to_string(),
            period_end: m.period_end.to_string(),
            value: decimal_text(&m.value),
            note: m.note,
            recorded_by: m.recorded_by.map(|id| id.0),
            recorded_at: m.recorded_at,
            version: m.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasurementRequest {
    #[schema(value_type = CalendarDate)]
    pub period_start: String,
    /// Not before `period_start`; the period within the assignment's dates and overlapping no
    /// other of its periods (409).
    #[schema(value_type = CalendarDate)]
    pub period_end: String,
    #[schema(value_type = KpiDecimal)]
    pub value: String,
    #[schema(value_type = Option<Block2000>)]
    pub note: Option<String>,
    /// Corrections: alternative to `If-Match`.
    pub version: Option<i32>,
}

impl MeasurementRequest {
    fn fields(self) -> Result<(MeasurementFields, Option<i32>), ApiError> {
        let mut errors = FieldErrors::new();
        let start = parse_date(&mut errors, "period_start", Some(&self.period_start));
        let end = parse_date(&mut errors, "period_end", Some(&self.period_end));
        errors.into_result()?;
        let (Some(period_start), Some(period_end)) = (start, end) else {
            return Err(FieldErrors::single("period_start", "is required").into());
        };
        Ok((MeasurementFields { period_start, period_end, value: self.value, note: self.note }, self.version))
    }
}

/// An assignment's measurements in period order.
#[utoipa::path(
    tag = "kpis",
    params(("id" = Uuid, Path, description = "Assignment id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The measurements", body = Vec<MeasurementResponse>), ReadOneErrors)
)]
#[get("/{id}/measurements")]
async fn list_measurements(
    kpis: web::Data<KpiService>,
    Authenticated(actor): Authenticated,
    id: web::Path<AssignmentId>,
) -> Result<HttpResponse, ApiError> {
    let measured = kpis.measurements(&actor, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(measured.into_iter().map(MeasurementResponse::from).collect::<Vec<_>>()))
}

/// Record a period's value (analysts and up): the assignment pending or ongoing.
#[utoipa::path(
    tag = "kpis",
    params(("id" = Uuid, Path, description = "Assignment id"), IdempotencyKey),
    request_body = MeasurementRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Recorded", body = MeasurementResponse,
         headers(("Location" = String, description = "The measurement"), ("ETag" = String),
                 ("Idempotent-Replayed" = Option<String>))),
        (status = 404, response = NotFound),
        IdempotencyKeyErrors,
        CreateErrors,
    )
)]
#[post("/{id}/measurements")]
async fn record_measurement(
    kpis: web::Data<KpiService>,
    Authenticated(actor): Authenticated,
    id: web::Path<AssignmentId>,
    CreateBody { body, once }: CreateBody<MeasurementRequest>,
) -> Result<HttpResponse, ApiError> {
    let (fields, _) = body.fields()?;
    let id = id.into_inner();
    once.run(&actor, || async {
        let made = kpis.record(&actor, id, fields).await?;
        Created::new(
            format!("/api/v1/kpi-measurements/{}", made.id),
            made.version,
            &MeasurementResponse::from(made),
        )
    })
    .await
}

/// Correct a measurement (analysts and up; not on a cancelled assignment).
#[utoipa::path(
    tag = "kpis",
    params(("id" = Uuid, Path, description = "Measurement id"), IfMatch),
    request_body = MeasurementRequest,
    security(("bearer" = [])),
    responses((status = 200, description = "The measurement", body = MeasurementResponse, headers(("ETag" = String))), UpdateErrors)
)]
#[put("/{id}")]
async fn correct_measurement(
    kpis: web::Data<KpiService>,
    Authenticated(actor): Authenticated,
    id: web::Path<MeasurementId>,
    body: ApiJson<MeasurementRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (fields, version) = body.into_inner().fields()?;
    let if_match = if_match.or_body(version)?;
    let saved = MeasurementResponse::from(kpis.correct(&actor, id.into_inner(), fields, if_match).await?);
    Ok(with_etag(StatusCode::OK, saved.version, &saved))
}

/// Delete a measurement (analysts and up; not on a cancelled assignment).
#[utoipa::path(
    tag = "kpis",
    params(("id" = Uuid, Path, description = "Measurement id")),
    security(("bearer" = [])),
    responses((status = 204, description = "Deleted"), (status = 409, response = Conflict), ActOnOneErrors)
)]
#[delete("/{id}")]
async fn delete_measurement(
    kpis: web::Data<KpiService>,
    Authenticated(actor): Authenticated,
    id: web::Path<MeasurementId>,
) -> Result<HttpResponse, ApiError> {
    kpis.delete_measurement(&actor, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

// ---- Performance.

#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodResponse {
    #[schema(value_type = String, format = Date)]
    pub period_start: String,
    #[schema(value_type = String, format = Date)]
    pub period_end: String,
    pub value: String,
    pub target: Option<String>,
    /// By the KPI's direction; null without a target.
    pub met: Option<bool>,
    /// The value less the period before's.
    pub change: Option<String>,
    pub trend: Option<Trend>,
}

impl From<PerformancePeriod> for PeriodResponse {
    fn from(p: PerformancePeriod) -> Self {
        Self {
            period_start: p.period_start.to_string(),
            period_end: p.period_end.to_string(),
            value: decimal_text(&p.value),
            target: p.target.as_ref().map(decimal_text),
            met: p.met,
            change: p.change.as_ref().map(decimal_text),
            trend: p.trend,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PerformanceResponse {
    pub assignment: AssignmentResponse,
    pub kpi: KpiResponse,
    /// The assignment's own target, else the KPI's.
    pub target: Option<String>,
    pub direction: Direction,
    pub periods: Vec<PeriodResponse>,
    pub measured: usize,
    pub met: usize,
    /// Percentage of measured periods that met the target (two decimals).
    pub met_rate: Option<String>,
    pub latest: Option<String>,
    pub average: Option<String>,
    /// Over every period: the sign of the least-squares slope, read by the direction.
    pub trend: Option<Trend>,
}

impl PerformanceResponse {
    fn new(assignment: KpiAssignment, kpi: Kpi, p: Performance) -> Self {
        Self {
            assignment: assignment.into(),
            kpi: kpi.into(),
            target: p.target.as_ref().map(decimal_text),
            direction: p.direction,
            measured: p.measured,
            met: p.met,
            met_rate: p.met_rate.as_ref().map(|r| r.to_string()),
            latest: p.latest.as_ref().map(decimal_text),
            average: p.average.as_ref().map(decimal_text),
            trend: p.trend,
            periods: p.periods.into_iter().map(PeriodResponse::from).collect(),
        }
    }
}

/// Target against actual per measured period, met or not by the KPI's direction, with the
/// trend.
#[utoipa::path(
    tag = "kpis",
    params(("id" = Uuid, Path, description = "Assignment id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The performance", body = PerformanceResponse), ReadOneErrors)
)]
#[get("/{id}/performance")]
async fn assignment_performance(
    kpis: web::Data<KpiService>,
    Authenticated(actor): Authenticated,
    id: web::Path<AssignmentId>,
) -> Result<HttpResponse, ApiError> {
    let AssignmentPerformance { assignment, kpi, performance } =
        kpis.performance(&actor, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(PerformanceResponse::new(assignment, kpi, performance)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KpiSummaryResponse {
    pub client_id: Uuid,
    /// Every assignment of the client's contracts but the cancelled.
    pub assignments: Vec<PerformanceResponse>,
    /// Assignments with a target and a measured period.
    pub measured: usize,
    /// Of those, met in their latest period.
    pub on_target: usize,
    /// Σ weight × met rate / Σ weight over the measured assignments (a type's weight, 1
    /// without one).
    pub weighted_met_rate: Option<String>,
}

fn summary_response(client: ClientId, summary: ClientKpiSummary) -> KpiSummaryResponse {
    KpiSummaryResponse {
        client_id: client.0,
        measured: summary.measured,
        on_target: summary.on_target,
        weighted_met_rate: summary.weighted_met_rate.as_ref().map(|r| r.to_string()),
        assignments: summary
            .rows
            .into_iter()
            .map(|row| PerformanceResponse::new(row.assignment, row.kpi, row.performance))
            .collect(),
    }
}

/// A client's KPIs across its contracts (signed in, scoped).
#[utoipa::path(
    tag = "kpis",
    params(("id" = Uuid, Path, description = "Client id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The summary", body = KpiSummaryResponse), ReadOneErrors)
)]
#[get("/{id}/kpi-summary")]
async fn client_kpi_summary(
    kpis: web::Data<KpiService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ClientId>,
) -> Result<HttpResponse, ApiError> {
    let client = id.into_inner();
    let summary = kpis.client_summary(&actor, client).await?;
    Ok(HttpResponse::Ok().json(summary_response(client, summary)))
}
