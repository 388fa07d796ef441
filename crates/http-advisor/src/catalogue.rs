//! The effort and investment catalogue: read by every role, kept by managers.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, post, put, web};
use axis_advisor::AdvisorService;
use axis_advisor::analysis::money;
use axis_advisor::catalogue::{CatalogueEntry, CatalogueEntryId, CatalogueFields};
use axis_http::dto::{Paginated, with_etag};
use axis_http::extract::Authenticated;
use axis_http::idempotent::Created;
use axis_http::json::ApiJson;
use axis_http::paged_params;
use axis_http::problem::*;
use axis_http::query::ApiQuery;
use axis_http::schema::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_entries)
        .service(create_entry)
        .service(get_entry)
        .service(replace_entry)
        .service(delete_entry);
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AdvisorCatalogueEntry)]
pub struct EntryResponse {
    pub id: Uuid,
    pub recommendation_type_id: Option<String>,
    pub recommendation: Option<String>,
    /// Decimal text.
    pub effort_hours: String,
    /// The monthly cost the fix adds, decimal text, in `currency`.
    pub monthly_investment: Option<String>,
    pub currency: Option<String>,
    /// The Azure service that carries out the fix.
    pub solution: Option<String>,
    /// 1 (least) to 5.
    pub risk_probability: i16,
    /// 1 (least) to 5.
    pub risk_impact: i16,
    pub billing_increase: bool,
    pub version: i32,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
}

impl From<CatalogueEntry> for EntryResponse {
    fn from(e: CatalogueEntry) -> Self {
        EntryResponse {
            id: e.id.0,
            recommendation_type_id: e.recommendation_type_id,
            recommendation: e.recommendation,
            effort_hours: money(&e.effort_hours),
            monthly_investment: e.monthly_investment.as_ref().map(money),
            currency: e.currency,
            solution: e.solution,
            risk_probability: e.risk_probability,
            risk_impact: e.risk_impact,
            billing_increase: e.billing_increase,
            version: e.version,
            updated_at: e.updated_at,
        }
    }
}

fn entry_response(status: StatusCode, entry: CatalogueEntry) -> HttpResponse {
    let body = EntryResponse::from(entry);
    with_etag(status, body.version, &body)
}

/// Hours: 0–1000, at most two decimals.
#[derive(ToSchema)]
#[schema(pattern = "^(1000(\\.0{1,2})?|[0-9]{1,3}(\\.[0-9]{1,2})?)$", example = "2.5")]
#[expect(dead_code, reason = "documentation type only")]
pub struct HoursText(String);

/// A non-negative amount, at most two decimals.
#[derive(ToSchema)]
#[schema(pattern = "^[0-9]{1,15}(\\.[0-9]{1,2})?$", example = "15.00")]
#[expect(dead_code, reason = "documentation type only")]
pub struct MoneyText(String);

/// An entry as a manager writes it: a key (the type id, the text, or both), the effort, the
/// investment with its currency, the service, the risk.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryRequest {
    /// Advisor's `recommendationTypeId`, matched first (any case).
    #[schema(value_type = Option<Line100>)]
    pub recommendation_type_id: Option<String>,
    /// The recommendation's text, matched when no type id does (any case and spacing);
    /// required without `recommendation_type_id`.
    #[schema(value_type = Option<Block5000>)]
    pub recommendation: Option<String>,
    #[schema(value_type = HoursText)]
    pub effort_hours: String,
    #[schema(value_type = Option<MoneyText>)]
    pub monthly_investment: Option<String>,
    /// With `monthly_investment`.
    #[schema(value_type = Option<CurrencyCode>)]
    pub currency: Option<String>,
    #[schema(value_type = Option<Line255>)]
    pub solution: Option<String>,
    #[schema(minimum = 1, maximum = 5)]
    pub risk_probability: i16,
    #[schema(minimum = 1, maximum = 5)]
    pub risk_impact: i16,
    pub billing_increase: bool,
    /// Alternative to `If-Match` (replacing).
    pub version: Option<i32>,
}

impl EntryRequest {
    fn fields(self) -> CatalogueFields {
        CatalogueFields {
            recommendation_type_id: self.recommendation_type_id,
            recommendation: self.recommendation,
            effort_hours: self.effort_hours,
            monthly_investment: self.monthly_investment,
            currency: self.currency,
            solution: self.solution,
            risk_probability: self.risk_probability,
            risk_impact: self.risk_impact,
            billing_increase: self.billing_increase,
        }
    }
}

paged_params! {
    pub struct EntryListParams {
        /// In the text, the type id or the solution (case-insensitive).
        #[param(min_length = 1, max_length = 1000, pattern = "^[^\\u0000]+$")]
        pub search: Option<String>,
    }
}

/// The catalogue (every role).
#[utoipa::path(
    tag = "advisor",
    params(EntryListParams),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of entries", body = Paginated<EntryResponse>), ListErrors)
)]
#[get("")]
async fn list_entries(
    advisor: web::Data<AdvisorService>,
    Authenticated(actor): Authenticated,
    query: ApiQuery<EntryListParams>,
) -> Result<HttpResponse, ApiError> {
    let params = query.into_inner();
    let page = params.page_request()?;
    let mut errors = axis_kernel::FieldErrors::new();
    crate::at_most(&mut errors, "search", params.search.as_deref(), crate::MAX_FILTER_CHARS);
    errors.into_result()?;
    let entries = advisor.catalogue_entries(&actor, params.search, page).await?;
    Ok(HttpResponse::Ok().json(Paginated::from_page(entries, EntryResponse::from)))
}

/// Add an entry (managers); its key must be new (409).
#[utoipa::path(
    tag = "advisor",
    request_body = EntryRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = EntryResponse,
         headers(("Location" = String, description = "The entry"), ("ETag" = String))),
        CreateErrors,
    )
)]
#[post("")]
async fn create_entry(
    advisor: web::Data<AdvisorService>,
    Authenticated(actor): Authenticated,
    body: ApiJson<EntryRequest>,
) -> Result<HttpResponse, ApiError> {
    let entry = advisor.create_catalogue_entry(&actor, body.into_inner().fields()).await?;
    let (location, version) = (format!("/api/v1/advisor-catalogue/{}", entry.id), entry.version);
    Ok(Created::new(location, version, &EntryResponse::from(entry))?.response())
}

/// An entry.
#[utoipa::path(
    tag = "advisor",
    params(("id" = Uuid, Path, description = "Entry id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The entry", body = EntryResponse, headers(("ETag" = String))), ReadOneErrors)
)]
#[get("/{id}")]
async fn get_entry(
    advisor: web::Data<AdvisorService>,
    Authenticated(actor): Authenticated,
    id: web::Path<CatalogueEntryId>,
) -> Result<HttpResponse, ApiError> {
    Ok(entry_response(StatusCode::OK, advisor.catalogue_entry(&actor, id.into_inner()).await?))
}

/// Replace an entry (managers).
#[utoipa::path(
    tag = "advisor",
    params(("id" = Uuid, Path, description = "Entry id"), IfMatch),
    request_body = EntryRequest,
    security(("bearer" = [])),
    responses((status = 200, description = "The entry", body = EntryResponse, headers(("ETag" = String))), UpdateErrors)
)]
#[put("/{id}")]
async fn replace_entry(
    advisor: web::Data<AdvisorService>,
    Authenticated(actor): Authenticated,
    id: web::Path<CatalogueEntryId>,
    body: ApiJson<EntryRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let if_match = if_match.or_body(body.version)?;
    let entry = advisor.update_catalogue_entry(&actor, id.into_inner(), body.fields(), if_match).await?;
    Ok(entry_response(StatusCode::OK, entry))
}

/// Remove an entry (managers): analyses made later no longer price its findings.
#[utoipa::path(
    tag = "advisor",
    params(("id" = Uuid, Path, description = "Entry id")),
    security(("bearer" = [])),
    responses((status = 204, description = "Removed"), ActOnOneErrors)
)]
#[delete("/{id}")]
async fn delete_entry(
    advisor: web::Data<AdvisorService>,
    Authenticated(actor): Authenticated,
    id: web::Path<CatalogueEntryId>,
) -> Result<HttpResponse, ApiError> {
    advisor.delete_catalogue_entry(&actor, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
