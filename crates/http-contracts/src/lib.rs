//! Contracts: CRUD with `If-Match`, idempotent create, the lifecycle's actions, billing marks,
//! the list with its filters, and the list nested under a client.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use axis_contracts::{
    Act, BillingFrequency, BillingModel, Contract, ContractDetail, ContractFields, ContractId,
    ContractListQuery, ContractOrdering, ContractService, ContractStatus, PaymentStatus, StatusChange,
};
use axis_http::idempotent::{CreateBody, Created};
use axis_http::schema::{IdempotencyKey, IfMatch};
use axis_kernel::{Actor, ClientId, FieldErrors, Patch};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use axis_http::dto::{Paginated, list_ordering, parse_date, with_etag};
use axis_http::extract::Authenticated;
use axis_http::json::ApiJson;
use axis_http::paged_params;
use axis_http::problem::*;
use axis_http::query::ApiQuery;
use axis_http::schema::*;

/// Registered under `/api/v1/contracts` by [`configure`].
fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_contracts)
        .service(create_contract)
        .service(get_contract)
        .service(replace_contract)
        .service(update_contract)
        .service(delete_contract)
        .service(restore_contract)
        .service(submit_contract)
        .service(activate_contract)
        .service(resume_contract)
        .service(suspend_contract)
        .service(terminate_contract)
        .service(renew_contract)
        .service(mark_contract_paid)
        .service(mark_contract_overdue);
}

axis_http::status_change_response!(
    /// One entry of a contract's status history.
    StatusChangeResponse,
    ContractStatus
);

fn date_text(date: Option<Date>) -> Option<String> {
    date.map(|d| d.to_string())
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Contract)]
pub struct ContractResponse {
    pub id: Uuid,
    pub client_id: Uuid,
    pub number: String,
    pub title: String,
    pub description: Option<String>,
    #[schema(value_type = String, format = Date)]
    pub start_date: String,
    #[schema(value_type = String, format = Date)]
    pub end_date: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub renewal_date: Option<String>,
    /// The status today: a termination dated ahead shows in `scheduled_change` until its day.
    pub status: ContractStatus,
    /// A change dated ahead, waiting for its day (then `status` shows it).
    pub scheduled_change: Option<axis_http::dto::ScheduledChange<ContractStatus>>,
    /// At the currency's scale.
    #[schema(value_type = DecimalAmount)]
    pub billing_amount: String,
    #[schema(value_type = CurrencyCode)]
    pub currency: String,
    pub billing_frequency: BillingFrequency,
    pub billing_model: BillingModel,
    pub covered_headcount: Option<i32>,
    pub payment_status: PaymentStatus,
    pub payment_terms: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub last_billing_date: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub next_billing_date: Option<String>,
    pub renewable: bool,
    pub auto_renew: bool,
    pub renewal_notice_days: i32,
    pub signed_by: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub signed_at: Option<OffsetDateTime>,
    pub termination_reason: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub termination_effective_on: Option<String>,
    pub notes: Option<String>,
    pub version: i32,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub deleted_at: Option<OffsetDateTime>,
    /// Every status change, in the order recorded (detail only; empty in lists).
    pub status_history: Vec<StatusChangeResponse>,
}

impl ContractResponse {
    fn new(c: Contract, history: Vec<StatusChange>) -> Self {
        Self {
            id: c.id.0,
            client_id: c.client_id.0,
            number: c.number,
            title: c.title,
            description: c.description,
            start_date: c.start_date.to_string(),
            end_date: c.end_date.to_string(),
            renewal_date: date_text(c.renewal_date),
            status: c.status,
            scheduled_change: c.scheduled_change.map(Into::into),
            billing_amount: c.billing.amount().to_string(),
            currency: c.billing.currency().code().to_owned(),
            billing_frequency: c.billing_frequency,
            billing_model: c.billing_model,
            covered_headcount: c.covered_headcount,
            payment_status: c.payment_status,
            payment_terms: c.payment_terms,
            last_billing_date: date_text(c.last_billing_date),
            next_billing_date: date_text(c.next_billing_date),
            renewable: c.renewable,
            auto_renew: c.auto_renew,
            renewal_notice_days: c.renewal_notice_days,
            signed_by: c.signed_by,
            signed_at: c.signed_at,
            termination_reason: c.termination_reason,
            termination_effective_on: date_text(c.termination_effective_on),
            notes: c.notes,
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
            deleted_at: c.deleted_at,
            status_history: history.into_iter().map(StatusChangeResponse::from).collect(),
        }
    }
}

impl From<ContractDetail> for ContractResponse {
    fn from(detail: ContractDetail) -> Self {
        Self::new(detail.contract, detail.history)
    }
}

/// A row of a contract list: without its history (every single-contract answer has it).
impl From<Contract> for ContractResponse {
    fn from(contract: Contract) -> Self {
        Self::new(contract, Vec::new())
    }
}

/// A single-contract answer: the contract with its status history, and its `ETag`.
fn contract_response(status: StatusCode, detail: ContractDetail) -> HttpResponse {
    let body = ContractResponse::from(detail);
    with_etag(status, body.version, &body)
}

/// Takes a lifecycle action (from the statuses the table allows, else 409
/// `illegal_transition`) and answers the contract as `GET` does.
async fn act(
    contracts: &ContractService,
    actor: &Actor,
    id: web::Path<ContractId>,
    act: Act,
) -> Result<HttpResponse, ApiError> {
    let contract = contracts.act(actor, id.into_inner(), act, None).await?;
    Ok(contract_response(StatusCode::OK, contract))
}

/// Every writable field of a contract (create and PUT). The status changes only through the
/// actions.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractRequest {
    pub client_id: Uuid,
    /// Generated (`C-YYYY-NNNNN`) when absent on create; kept when absent on PUT.
    #[schema(value_type = Option<ContractNumber>)]
    pub number: Option<String>,
    #[schema(value_type = RequiredLine255)]
    pub title: String,
    #[schema(value_type = Option<Block5000>)]
    pub description: Option<String>,
    #[schema(value_type = CalendarDate)]
    pub start_date: String,
    /// Not before `start_date`.
    #[schema(value_type = CalendarDate)]
    pub end_date: String,
    /// Inside the period; the renewal notice window opens here.
    #[schema(value_type = Option<CalendarDate>)]
    pub renewal_date: Option<String>,
    #[schema(value_type = DecimalAmount)]
    pub billing_amount: String,
    #[schema(value_type = CurrencyCode)]
    pub currency: String,
    /// Default `monthly`.
    pub billing_frequency: Option<BillingFrequency>,
    /// Default `fixed`; `per_employee_per_month` needs `covered_headcount`.
    pub billing_model: Option<BillingModel>,
    #[schema(minimum = 0)]
    pub covered_headcount: Option<i32>,
    #[schema(value_type = Option<Block2000>)]
    pub payment_terms: Option<String>,
    /// Default true.
    pub renewable: Option<bool>,
    /// Default false; needs `renewable`.
    pub auto_renew: Option<bool>,
    /// Default 30; 0–365.
    #[schema(minimum = 0, maximum = 365)]
    pub renewal_notice_days: Option<i32>,
    #[schema(value_type = Option<Line255>)]
    pub signed_by: Option<String>,
    #[schema(value_type = Option<Timestamp>)]
    pub signed_at: Option<String>,
    #[schema(value_type = Option<Block10000>)]
    pub notes: Option<String>,
    /// Alternative to `If-Match` on PUT.
    pub version: Option<i32>,
}

impl ContractRequest {
    fn into_fields(self) -> Result<(ContractFields, Option<i32>), ApiError> {
        let mut errors = FieldErrors::new();
        let start_date = parse_date(&mut errors, "start_date", Some(&self.start_date));
        let end_date = parse_date(&mut errors, "end_date", Some(&self.end_date));
        let renewal_date = parse_date(&mut errors, "renewal_date", self.renewal_date.as_deref());
        let signed_at = axis_http::dto::parse_time(&mut errors, "signed_at", self.signed_at.as_deref());
        errors.into_result()?;
        let fields = ContractFields {
            client_id: Some(ClientId(self.client_id)),
            number: self.number,
            title: self.title,
            description: self.description,
            start_date,
            end_date,
            renewal_date,
            billing_amount: Some(self.billing_amount),
            currency: Some(self.currency),
            billing_frequency: self.billing_frequency,
            billing_model: self.billing_model,
            covered_headcount: self.covered_headcount,
            payment_terms: self.payment_terms,
            renewable: self.renewable,
            auto_renew: self.auto_renew,
            renewal_notice_days: self.renewal_notice_days,
            signed_by: self.signed_by,
            signed_at,
            notes: self.notes,
        };
        Ok((fields, self.version))
    }
}

/// The longest window `expiring_within` and `billing_due_within` take (ten years).
const MAX_WINDOW_DAYS: u32 = 3650;

paged_params! {
    pub struct ContractListParams {
        pub client: Option<Uuid>,
        pub status: Option<ContractStatus>,
        pub payment_status: Option<PaymentStatus>,
        /// In force and ending within this many days.
        #[param(minimum = 0, maximum = 3650)]
        pub expiring_within: Option<u32>,
        /// In their renewal notice window.
        pub pending_renewal: Option<bool>,
        /// Payment overdue.
        pub overdue: Option<bool>,
        /// Next billing date within this many days.
        #[param(minimum = 0, maximum = 3650)]
        pub billing_due_within: Option<u32>,
        /// Matches the number and the title (case-insensitive).
        #[param(min_length = 1, pattern = "^[^\\u0000]+$")]
        pub search: Option<String>,
        /// `start_date`, `end_date`, `created_at`, `number` or `title`; prefix `-` for
        /// descending (default `-start_date`).
        #[param(pattern = "^-?(start_date|end_date|created_at|number|title)$")]
        pub ordering: Option<String>,
        /// Admins only: include soft-deleted contracts.
        pub include_deleted: Option<bool>,
    }
}

impl ContractListParams {
    fn query(self) -> Result<(ContractListQuery, axis_kernel::PageRequest), ApiError> {
        let mut errors = FieldErrors::new();
        for (field, days) in
            [("expiring_within", self.expiring_within), ("billing_due_within", self.billing_due_within)]
        {
            if days.is_some_and(|days| days > MAX_WINDOW_DAYS) {
                errors.add(field, format!("must be at most {MAX_WINDOW_DAYS}"));
            }
        }
        let page = self.page_request().map_err(|e| errors.merge(e)).ok();
        let (ordering, descending) =
            list_ordering(&mut errors, self.ordering.as_deref(), (ContractOrdering::StartDate, true));
        errors.into_result()?;
        let query = ContractListQuery {
            client: self.client.map(ClientId),
            status: self.status,
            payment_status: self.payment_status,
            expiring_within: self.expiring_within,
            pending_renewal: self.pending_renewal.unwrap_or(false),
            overdue: self.overdue.unwrap_or(false),
            billing_due_within: self.billing_due_within,
            search: self.search,
            ordering,
            descending,
            include_deleted: self.include_deleted.unwrap_or(false),
        };
        Ok((query, page.unwrap_or_else(axis_kernel::PageRequest::first)))
    }
}

/// List contracts in the caller's scope, newest start first.
#[utoipa::path(
    tag = "contracts",
    params(ContractListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of contracts", body = Paginated<ContractResponse>),
        ListErrors,
    )
)]
#[get("")]
async fn list_contracts(
    contracts: web::Data<ContractService>,
    Authenticated(actor): Authenticated,
    query: ApiQuery<ContractListParams>,
) -> Result<HttpResponse, ApiError> {
    let (query, page) = query.into_inner().query()?;
    let page = contracts.list(&actor, query, page).await?;
    Ok(HttpResponse::Ok().json(Paginated::from_page(page, ContractResponse::from)))
}

/// A client's contracts (same filters as the contract list).
#[utoipa::path(
    tag = "contracts",
    params(("id" = Uuid, Path, description = "Client id"), ContractListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the client's contracts", body = Paginated<ContractResponse>),
        (status = 404, response = NotFound),
        ListErrors,
    )
)]
#[get("/{id}/contracts")]
async fn list_client_contracts(
    contracts: web::Data<ContractService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ClientId>,
    query: ApiQuery<ContractListParams>,
) -> Result<HttpResponse, ApiError> {
    let (query, page) = query.into_inner().query()?;
    let client = id.into_inner();
    let page = contracts.list_of_client(&actor, client, query, page).await?;
    Ok(HttpResponse::Ok().json(Paginated::from_page(page, ContractResponse::from)))
}

/// Create a contract in `draft` (admin, manager). Send `Idempotency-Key` to make retries safe.
#[utoipa::path(
    tag = "contracts",
    params(IdempotencyKey),
    request_body = ContractRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created (or replayed)", body = ContractResponse,
         headers(("Location" = String, description = "Where the new resource lives"), ("ETag" = String),
                 ("Idempotent-Replayed" = Option<String>))),
        IdempotencyKeyErrors,
        CreateErrors,
    )
)]
#[post("")]
async fn create_contract(
    contracts: web::Data<ContractService>,
    Authenticated(actor): Authenticated,
    CreateBody { body, once }: CreateBody<ContractRequest>,
) -> Result<HttpResponse, ApiError> {
    let fields = body.into_fields()?.0;
    once.run(&actor, || async {
        let detail = contracts.create(&actor, fields).await?;
        Created::new(
            format!("/api/v1/contracts/{}", detail.contract.id),
            detail.contract.version,
            &ContractResponse::from(detail),
        )
    })
    .await
}

/// A contract with its status history.
#[utoipa::path(
    tag = "contracts",
    params(("id" = Uuid, Path, description = "Contract id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The contract", body = ContractResponse, headers(("ETag" = String))),
        ReadOneErrors,
    )
)]
#[get("/{id}")]
async fn get_contract(
    contracts: web::Data<ContractService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ContractId>,
) -> Result<HttpResponse, ApiError> {
    Ok(contract_response(StatusCode::OK, contracts.get(&actor, id.into_inner()).await?))
}

/// Replace every writable field (admin, manager); `If-Match` or `version` makes it conditional.
#[utoipa::path(
    tag = "contracts",
    params(("id" = Uuid, Path, description = "Contract id"), IfMatch),
    request_body = ContractRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The contract", body = ContractResponse, headers(("ETag" = String))),
        UpdateErrors,
    )
)]
#[put("/{id}")]
async fn replace_contract(
    contracts: web::Data<ContractService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ContractId>,
    body: ApiJson<ContractRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let (fields, body_version) = body.into_fields()?;
    let if_match = if_match.or_body(body_version)?;
    Ok(contract_response(StatusCode::OK, contracts.replace(&actor, id.into_inner(), fields, if_match).await?))
}

/// A partial update: only the fields present change; `null` clears an optional field, keeps a
/// required one (number, title, dates, amount, currency) and resets one with a default.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractPatchRequest {
    #[schema(value_type = Option<ContractNumber>)]
    #[serde(default)]
    pub number: Patch<String>,
    #[schema(value_type = Option<RequiredLine255>)]
    #[serde(default)]
    pub title: Patch<String>,
    #[schema(value_type = Option<Block5000>)]
    #[serde(default)]
    pub description: Patch<String>,
    #[schema(value_type = Option<CalendarDate>)]
    #[serde(default)]
    pub start_date: Patch<String>,
    #[schema(value_type = Option<CalendarDate>)]
    #[serde(default)]
    pub end_date: Patch<String>,
    #[schema(value_type = Option<CalendarDate>)]
    #[serde(default)]
    pub renewal_date: Patch<String>,
    #[schema(value_type = Option<DecimalAmount>)]
    #[serde(default)]
    pub billing_amount: Patch<String>,
    #[schema(value_type = Option<CurrencyCode>)]
    #[serde(default)]
    pub currency: Patch<String>,
    #[schema(value_type = Option<BillingFrequency>)]
    #[serde(default)]
    pub billing_frequency: Patch<BillingFrequency>,
    #[schema(value_type = Option<BillingModel>)]
    #[serde(default)]
    pub billing_model: Patch<BillingModel>,
    #[schema(value_type = Option<i32>, minimum = 0)]
    #[serde(default)]
    pub covered_headcount: Patch<i32>,
    #[schema(value_type = Option<Block2000>)]
    #[serde(default)]
    pub payment_terms: Patch<String>,
    #[schema(value_type = Option<bool>)]
    #[serde(default)]
    pub renewable: Patch<bool>,
    #[schema(value_type = Option<bool>)]
    #[serde(default)]
    pub auto_renew: Patch<bool>,
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 365)]
    #[serde(default)]
    pub renewal_notice_days: Patch<i32>,
    #[schema(value_type = Option<Line255>)]
    #[serde(default)]
    pub signed_by: Patch<String>,
    #[schema(value_type = Option<Timestamp>)]
    #[serde(default)]
    pub signed_at: Patch<String>,
    #[schema(value_type = Option<Block10000>)]
    #[serde(default)]
    pub notes: Patch<String>,
    /// Alternative to `If-Match`.
    pub version: Option<i32>,
}

fn patched_date(field: &'static str, patch: Patch<String>) -> Result<Patch<Date>, FieldErrors> {
    patch.try_map(|text| {
        let mut errors = FieldErrors::new();
        parse_date(&mut errors, field, Some(&text)).ok_or(errors)
    })
}

/// Change some fields of a contract (admin, manager). `If-Match` or `version` makes it
/// conditional.
#[utoipa::path(
    tag = "contracts",
    params(("id" = Uuid, Path, description = "Contract id"), IfMatch),
    request_body = ContractPatchRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The contract", body = ContractResponse, headers(("ETag" = String))),
        UpdateErrors,
    )
)]
#[patch("/{id}")]
async fn update_contract(
    contracts: web::Data<ContractService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ContractId>,
    body: ApiJson<ContractPatchRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    let if_match = if_match.or_body(body.version)?;
    let start_date = patched_date("start_date", body.start_date)?;
    let end_date = patched_date("end_date", body.end_date)?;
    let renewal_date = patched_date("renewal_date", body.renewal_date)?;
    let signed_at = body.signed_at.try_map(|text| {
        let mut errors = FieldErrors::new();
        axis_http::dto::parse_time(&mut errors, "signed_at", Some(&text)).ok_or(errors)
    })?;
    let change = move |fields: &mut ContractFields| {
        body.number.apply_to_present(&mut fields.number);
        body.title.apply_to_required(&mut fields.title);
        body.description.apply_to(&mut fields.description);
        start_date.apply_to_present(&mut fields.start_date);
        end_date.apply_to_present(&mut fields.end_date);
        renewal_date.apply_to(&mut fields.renewal_date);
        body.billing_amount.apply_to_present(&mut fields.billing_amount);
        body.currency.apply_to_present(&mut fields.currency);
        body.billing_frequency.apply_to(&mut fields.billing_frequency);
        body.billing_model.apply_to(&mut fields.billing_model);
        body.covered_headcount.apply_to(&mut fields.covered_headcount);
        body.payment_terms.apply_to(&mut fields.payment_terms);
        body.renewable.apply_to(&mut fields.renewable);
        body.auto_renew.apply_to(&mut fields.auto_renew);
        body.renewal_notice_days.apply_to(&mut fields.renewal_notice_days);
        body.signed_by.apply_to(&mut fields.signed_by);
        signed_at.apply_to(&mut fields.signed_at);
        body.notes.apply_to(&mut fields.notes);
    };
    let contract = contracts.update(&actor, id, change, if_match).await?;
    Ok(contract_response(StatusCode::OK, contract))
}

/// Soft-delete a contract (admin, manager): it disappears from every read; admins can restore it.
#[utoipa::path(
    tag = "contracts",
    params(("id" = Uuid, Path, description = "Contract id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        ActOnOneErrors,
    )
)]
#[delete("/{id}")]
async fn delete_contract(
    contracts: web::Data<ContractService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ContractId>,
) -> Result<HttpResponse, ApiError> {
    contracts.delete(&actor, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Restore a soft-deleted contract (admin).
#[utoipa::path(
    tag = "contracts",
    params(("id" = Uuid, Path, description = "Contract id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The contract", body = ContractResponse, headers(("ETag" = String))),
        (status = 409, response = Conflict),
        ActOnOneErrors,
    )
)]
#[post("/{id}/restore")]
async fn restore_contract(
    contracts: web::Data<ContractService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ContractId>,
) -> Result<HttpResponse, ApiError> {
    Ok(contract_response(StatusCode::OK, contracts.restore(&actor, id.into_inner()).await?))
}

/// Submit a draft for approval (draft → pending).
#[utoipa::path(
    tag = "contracts",
    params(("id" = Uuid, Path, description = "Contract id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The contract", body = ContractResponse, headers(("ETag" = String))),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
        ActOnOneErrors,
    )
)]
#[post("/{id}/submit")]
async fn submit_contract(
    contracts: web::Data<ContractService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ContractId>,
) -> Result<HttpResponse, ApiError> {
    act(&contracts, &actor, id, Act::Submit).await
}

/// Resume a suspended contract (→ active).
#[utoipa::path(
    tag = "contracts",
    params(("id" = Uuid, Path, description = "Contract id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The contract", body = ContractResponse, headers(("ETag" = String))),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
        ActOnOneErrors,
    )
)]
#[post("/{id}/resume")]
async fn resume_contract(
    contracts: web::Data<ContractService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ContractId>,
) -> Result<HttpResponse, ApiError> {
    act(&contracts, &actor, id, Act::Resume).await
}

/// Mark the current period paid: the last billing date becomes today, the next one a
/// billing period later (clamped to month ends).
#[utoipa::path(
    tag = "contracts",
    params(("id" = Uuid, Path, description = "Contract id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The contract", body = ContractResponse, headers(("ETag" = String))),
        (status = 409, response = Conflict),
        ActOnOneErrors,
    )
)]
#[post("/{id}/mark-paid")]
async fn mark_contract_paid(
    contracts: web::Data<ContractService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ContractId>,
) -> Result<HttpResponse, ApiError> {
    Ok(contract_response(StatusCode::OK, contracts.mark_paid(&actor, id.into_inner()).await?))
}

/// Mark the payment overdue (from pending or paid; else 409).
#[utoipa::path(
    tag = "contracts",
    params(("id" = Uuid, Path, description = "Contract id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The contract", body = ContractResponse, headers(("ETag" = String))),
        (status = 409, response = Conflict),
        ActOnOneErrors,
    )
)]
#[post("/{id}/mark-overdue")]
async fn mark_contract_overdue(
    contracts: web::Data<ContractService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ContractId>,
) -> Result<HttpResponse, ApiError> {
    Ok(contract_response(StatusCode::OK, contracts.mark_overdue(&actor, id.into_inner()).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspendRequest {
    #[schema(value_type = RequiredBlock1000)]
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TerminateRequest {
    #[schema(value_type = RequiredBlock1000)]
    pub reason: String,
    /// Cover ends on this day: today when absent, never before today nor after the end date.
    #[schema(value_type = Option<CalendarDate>)]
    pub effective_on: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivateRequest {
    /// Cover starts on this day: by default the start date when it has passed, else today.
    /// Never before the start date nor after the end date; a day ahead schedules the
    /// activation (the contract shows it as its `scheduled_change` until then).
    #[schema(value_type = Option<CalendarDate>)]
    pub effective_on: Option<String>,
}

/// Activate (draft or pending → active). Cover runs from the contract's start date when that
/// has passed (an activation can be backdated to it, never earlier), or from `effective_on`.
/// The body may be left out.
#[utoipa::path(
    tag = "contracts",
    params(("id" = Uuid, Path, description = "Contract id")),
    request_body = Option<ActivateRequest>,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The contract", body = ContractResponse, headers(("ETag" = String))),
        (status = 409, response = Conflict),
        UpdateErrors,
    )
)]
#[post("/{id}/activate")]
async fn activate_contract(
    contracts: web::Data<ContractService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ContractId>,
    body: axis_http::json::OptionalJson<ActivateRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::new();
    let effective_on = body
        .into_inner()
        .and_then(|body| parse_date(&mut errors, "effective_on", body.effective_on.as_deref()));
    errors.into_result()?;
    let contract = contracts.act(&actor, id.into_inner(), Act::Activate { effective_on }, None).await?;
    Ok(contract_response(StatusCode::OK, contract))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenewRequest {
    /// After the current end date.
    #[schema(value_type = CalendarDate)]
    pub end_date: String,
    /// A new amount in the contract's currency.
    #[schema(value_type = Option<DecimalAmount>)]
    pub billing_amount: Option<String>,
}

/// Suspend an active contract with a reason: it covers nothing while suspended.
#[utoipa::path(
    tag = "contracts",
    params(("id" = Uuid, Path, description = "Contract id")),
    request_body = SuspendRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The contract", body = ContractResponse, headers(("ETag" = String))),
        (status = 409, response = Conflict),
        UpdateErrors,
    )
)]
#[post("/{id}/suspend")]
async fn suspend_contract(
    contracts: web::Data<ContractService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ContractId>,
    body: ApiJson<SuspendRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    act(&contracts, &actor, id, Act::Suspend { reason: body.reason }).await
}

/// Terminate (active, suspended or renewed → terminated, final) with a reason and an effective date.
#[utoipa::path(
    tag = "contracts",
    params(("id" = Uuid, Path, description = "Contract id")),
    request_body = TerminateRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The contract", body = ContractResponse, headers(("ETag" = String))),
        (status = 409, response = Conflict),
        UpdateErrors,
    )
)]
#[post("/{id}/terminate")]
async fn terminate_contract(
    contracts: web::Data<ContractService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ContractId>,
    body: ApiJson<TerminateRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut errors = FieldErrors::new();
    let effective_on = parse_date(&mut errors, "effective_on", body.effective_on.as_deref());
    errors.into_result()?;
    act(&contracts, &actor, id, Act::Terminate { reason: body.reason, effective_on }).await
}

/// Renew (active, renewed or expired → renewed) to a later end date, optionally at a new amount.
#[utoipa::path(
    tag = "contracts",
    params(("id" = Uuid, Path, description = "Contract id")),
    request_body = RenewRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The contract", body = ContractResponse, headers(("ETag" = String))),
        (status = 409, response = Conflict),
        UpdateErrors,
    )
)]
#[post("/{id}/renew")]
async fn renew_contract(
    contracts: web::Data<ContractService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ContractId>,
    body: ApiJson<RenewRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut errors = FieldErrors::new();
    let new_end = parse_date(&mut errors, "end_date", Some(&body.end_date)).ok_or(errors)?;
    act(&contracts, &actor, id, Act::Renew { new_end, new_amount: body.billing_amount }).await
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(axis_http::collection("/api/v1/contracts", routes));
}

/// The client's nested list, registered under `/api/v1/clients` beside the client routes.
pub fn configure_nested(cfg: &mut ServiceConfig) {
    cfg.service(list_client_contracts);
}
