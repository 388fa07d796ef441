//! Imports: upload, list, one import, its analysis, recommendations, rejected rows and diff;
//! reprocess, cancel, the Advisor score and manual recommendations; a client's trend.

use std::collections::BTreeMap;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use axis_advisor::analysis::{Amount, Analysis, SavingsTotal, money};
use axis_advisor::{
    AdvisorImportId, AdvisorScore, AdvisorService, Alternative, BillingIncrease, Category, Change,
    DiffSummary, FindingStatus, Impact, ManualFields, ProblemKind, RecommendationFilter,
    StoredRecommendation, UploadRequest,
};
use axis_http::download::content_disposition;
use axis_http::dto::{Paginated, with_etag};
use axis_http::extract::Authenticated;
use axis_http::idempotent::Created;
use axis_http::json::ApiJson;
use axis_http::paged_params;
use axis_http::problem::*;
use axis_http::query::ApiQuery;
use axis_http::schema::*;
use axis_http::upload::{FileForm, read_body, receive};
use axis_kernel::{ClientId, FieldErrors, Page};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::{ImportResponse, amount_of, import_location};

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(get_import)
        .service(get_analysis)
        .service(list_recommendations)
        .service(add_recommendations)
        .service(list_errors)
        .service(get_diff)
        .service(reprocess_import)
        .service(cancel_import)
        .service(set_advisor_score);
}

pub(crate) fn nested(cfg: &mut ServiceConfig) {
    cfg.service(upload_import).service(list_imports).service(client_trend);
}

fn import_response(status: StatusCode, import: axis_advisor::AdvisorImport) -> HttpResponse {
    let body = ImportResponse::from(import);
    with_etag(status, body.version, &body)
}

/// A score as the portal shows it: 0–100, at most two decimals.
#[derive(ToSchema)]
#[schema(pattern = "^(100(\\.0{1,2})?|[0-9]{1,2}(\\.[0-9]{1,2})?)$", example = "65")]
#[expect(dead_code, reason = "documentation type only")]
pub struct ScoreText(String);

/// The upload form: the optional fields first, the file last.
#[derive(ToSchema)]
#[expect(dead_code, reason = "documentation type only: the form is read as a stream")]
pub struct AdvisorUploadForm {
    /// For a download made inside one category (13 columns, no `Category`): the category every
    /// row has. Ignored when the file has a category column.
    #[schema(required = false)]
    category: Category,
    /// The Advisor score the portal shows for this snapshot (Microsoft's; axis never computes
    /// one).
    #[schema(value_type = ScoreText, required = false)]
    advisor_score: String,
    /// The portal's Advisor export (`.csv`): UTF-8 with or without BOM, or Windows-1252;
    /// commas or semicolons. At most 50 MiB.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// The Advisor REST API's list response (`GET …/providers/Microsoft.Advisor/recommendations`),
/// optionally with the `Microsoft.Advisor/advisorScore` list response as `advisorScore`.
#[derive(ToSchema)]
#[expect(dead_code, reason = "documentation type only: the body is read as it is")]
pub struct AdvisorApiExport {
    /// `Microsoft.Advisor/recommendations` objects (`id`, `name`, `properties`).
    value: Vec<serde_json::Value>,
    #[serde(rename = "nextLink")]
    #[schema(required = false)]
    next_link: Option<String>,
    /// `{"value": [{"name": "Advisor", "properties": {"lastRefreshedScore": {"score": 65}}}, …]}`.
    #[serde(rename = "advisorScore")]
    #[schema(required = false, value_type = Object)]
    advisor_score: Option<serde_json::Value>,
}

/// Upload a client's Advisor export (analysts and up): the portal's CSV as
/// `multipart/form-data` (streamed to the store, at most 50 MiB, checked to be text), or the
/// REST API's JSON as `application/json`. The import starts `uploaded` and its job reads it
/// (`processing`, then `completed` or `failed`): follow it with `GET /api/v1/advisor-imports/{id}`.
#[utoipa::path(
    tag = "advisor",
    params(("id" = Uuid, Path, description = "Client id")),
    request_body(content(
        (AdvisorUploadForm = "multipart/form-data"),
        (AdvisorApiExport = "application/json"),
    )),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Stored; its job reads it", body = ImportResponse,
         headers(("Location" = String, description = "The import"), ("ETag" = String))),
        UploadErrors,
    )
)]
#[post("/{id}/advisor-imports")]
async fn upload_import(
    advisor: web::Data<AdvisorService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ClientId>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let client = id.into_inner();
    let limit = advisor.settings().max_bytes;
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.to_ascii_lowercase().starts_with("application/json"));
    let import = if is_json {
        let body = read_body(&req, payload, limit).await?;
        advisor.upload_json(&actor, client, body, None).await?
    } else {
        let mut form = FileForm::read(&req, payload, limit).await?;
        let request = upload_request(&mut form)?;
        let upload = advisor.begin_upload(&actor, client, request).await?;
        receive(form, upload).await?
    };
    let (location, version) = (import_location(import.id), import.version);
    Ok(Created::new(location, version, &ImportResponse::from(import))?.response())
}

fn upload_request(form: &mut FileForm) -> Result<UploadRequest, ApiError> {
    let mut errors = FieldErrors::new();
    let category = form
        .text(&mut errors, "category")
        .and_then(|text| text.parse::<Category>().map_err(|e| errors.add("category", e.to_string())).ok());
    let advisor_score = form
        .text(&mut errors, "advisor_score")
        .and_then(|text| AdvisorScore::manual(&text).map_err(|m| errors.add("advisor_score", m)).ok());
    form.refuse_unknown(&mut errors);
    errors.into_result()?;
    Ok(UploadRequest { file_name: form.file_name().map(str::to_owned), category, advisor_score })
}

paged_params! {
    pub struct ImportListParams {}
}

/// A client's imports, newest first (every role, within scope).
#[utoipa::path(
    tag = "advisor",
    params(("id" = Uuid, Path, description = "Client id"), ImportListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of imports", body = Paginated<ImportResponse>),
        (status = 422, response = Unprocessable),
        ReadOneErrors,
    )
)]
#[get("/{id}/advisor-imports")]
async fn list_imports(
    advisor: web::Data<AdvisorService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ClientId>,
    query: ApiQuery<ImportListParams>,
) -> Result<HttpResponse, ApiError> {
    let page = query.into_inner().page_request()?;
    let imports = advisor.list(&actor, id.into_inner(), page).await?;
    Ok(HttpResponse::Ok().json(Paginated::from_page(imports, ImportResponse::from)))
}

/// An import: its status, progress and row counts.
#[utoipa::path(
    tag = "advisor",
    params(("id" = Uuid, Path, description = "Import id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The import", body = ImportResponse, headers(("ETag" = String))), ReadOneErrors)
)]
#[get("/{id}")]
async fn get_import(
    advisor: web::Data<AdvisorService>,
    Authenticated(actor): Authenticated,
    id: web::Path<AdvisorImportId>,
) -> Result<HttpResponse, ApiError> {
    Ok(import_response(StatusCode::OK, advisor.get(&actor, id.into_inner()).await?))
}

/// A completed import's analysis: counts by category, impact, subscription and resource type;
/// savings per currency (commitment alternatives apart, never summed); top recommendations;
/// quick wins; retirements; the remediation / billing-increase split; hours, investment and
/// the risk matrix from the catalogue; ratios with their formulas; the Advisor score when the
/// import carries one. 409 until the import completes.
#[utoipa::path(
    tag = "advisor",
    params(("id" = Uuid, Path, description = "Import id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The analysis", body = Analysis),
        (status = 409, response = Conflict),
        ReadOneErrors,
    )
)]
#[get("/{id}/analysis")]
async fn get_analysis(
    advisor: web::Data<AdvisorService>,
    Authenticated(actor): Authenticated,
    id: web::Path<AdvisorImportId>,
) -> Result<HttpResponse, ApiError> {
    let (_, analysis) = advisor.analysis(&actor, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(analysis))
}

/// One recommendation of an import, as read, with the finding it is.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AdvisorRecommendation)]
pub struct RecommendationResponse {
    pub finding_id: Uuid,
    pub finding_status: FindingStatus,
    /// Its line in the file (none for the API's JSON and manual ones).
    pub line: Option<u64>,
    pub category: Category,
    pub impact: Impact,
    pub recommendation: String,
    pub subscription_id: Option<String>,
    pub subscription_name: Option<String>,
    pub resource_group: Option<String>,
    pub resource_name: Option<String>,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub updated_at: Option<OffsetDateTime>,
    pub potential_benefits: Option<String>,
    pub annual_savings: Option<Amount>,
    /// A twelfth of the annual saving.
    pub monthly_savings: Option<Amount>,
    pub carbon_reduction: Option<String>,
    /// The export's `Cost implications`: carrying it out raises the bill by about this much.
    pub billing_increase: Option<BillingIncrease>,
    #[schema(value_type = Option<String>, format = Date)]
    pub retirement_date: Option<String>,
    pub retiring_feature: Option<String>,
    pub change_description: Option<String>,
    pub recommendation_type_id: Option<String>,
    pub external_id: Option<String>,
    /// A reservation or savings plan: an alternative, not added to the savings totals.
    pub alternative: Option<Alternative>,
    pub term: Option<String>,
    pub lookback_days: Option<String>,
    /// The file's columns axis does not read, by header.
    pub extra: BTreeMap<String, String>,
    /// Added by a manager.
    pub manual: bool,
}

impl From<StoredRecommendation> for RecommendationResponse {
    fn from(stored: StoredRecommendation) -> Self {
        let r = stored.recommendation;
        RecommendationResponse {
            finding_id: stored.finding_id.0,
            finding_status: stored.finding_status,
            line: r.line,
            annual_savings: amount_of(r.annual_savings.as_ref(), r.currency.as_deref()),
            monthly_savings: amount_of(r.monthly_savings().as_ref(), r.currency.as_deref()),
            category: r.category,
            impact: r.impact,
            recommendation: r.recommendation,
            subscription_id: r.subscription_id,
            subscription_name: r.subscription_name,
            resource_group: r.resource_group,
            resource_name: r.resource_name,
            resource_type: r.resource_type,
            resource_id: r.resource_id,
            updated_at: r.updated_at,
            potential_benefits: r.potential_benefits,
            carbon_reduction: r.carbon_reduction,
            billing_increase: r.billing_increase,
            retirement_date: r.retirement_date.map(|d| d.to_string()),
            retiring_feature: r.retiring_feature,
            change_description: r.change_description,
            recommendation_type_id: r.recommendation_type_id,
            external_id: r.external_id,
            alternative: r.alternative,
            term: r.term,
            lookback_days: r.lookback_days,
            extra: r.extra,
            manual: r.manual,
        }
    }
}

paged_params! {
    pub struct RecommendationListParams {
        pub category: Option<Category>,
        pub impact: Option<Impact>,
        /// A subscription's id or name (any case).
        #[param(min_length = 1, max_length = 1000, pattern = "^[^\\u0000]+$")]
        pub subscription: Option<String>,
        /// Any case.
        #[param(min_length = 1, max_length = 1000, pattern = "^[^\\u0000]+$")]
        pub resource_group: Option<String>,
        /// As the export names it (`Virtual machine`), any case.
        #[param(min_length = 1, max_length = 1000, pattern = "^[^\\u0000]+$")]
        pub resource_type: Option<String>,
        /// With (`true`) or without (`false`) an annual saving.
        pub has_savings: Option<bool>,
        /// The finding's status.
        pub status: Option<FindingStatus>,
        /// In the recommendation, resource name or resource group (case-insensitive).
        #[param(min_length = 1, max_length = 1000, pattern = "^[^\\u0000]+$")]
        pub search: Option<String>,
    }
}

impl RecommendationListParams {
    fn filter(&self) -> Result<RecommendationFilter, ApiError> {
        let mut errors = FieldErrors::new();
        for (name, value) in [
            ("subscription", &self.subscription),
            ("resource_group", &self.resource_group),
            ("resource_type", &self.resource_type),
            ("search", &self.search),
        ] {
            crate::at_most(&mut errors, name, value.as_deref(), crate::MAX_FILTER_CHARS);
        }
        errors.into_result()?;
        Ok(RecommendationFilter {
            category: self.category,
            impact: self.impact,
            subscription: self.subscription.clone(),
            resource_group: self.resource_group.clone(),
            resource_type: self.resource_type.clone(),
            has_savings: self.has_savings,
            status: self.status,
            search: self.search.clone(),
        })
    }
}

/// Whether the caller asked for CSV.
fn wants_csv(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.to_ascii_lowercase().contains("text/csv"))
}

/// The columns of the CSV export.
const CSV_HEADER: [&str; 17] = [
    "Line",
    "Category",
    "Business Impact",
    "Recommendation",
    "Subscription ID",
    "Subscription Name",
    "Resource Group",
    "Resource Name",
    "Type",
    "Potential benefits",
    "Potential Annual Cost Savings",
    "Currency",
    "Alternative",
    "Cost implications",
    "Retirement date",
    "Retiring feature",
    "Finding status",
];

fn csv_of(recommendations: Vec<StoredRecommendation>) -> String {
    let mut out = axis_kernel::csv::export_row(&CSV_HEADER);
    for stored in recommendations {
        let r = &stored.recommendation;
        let line = r.line.map(|l| l.to_string()).unwrap_or_default();
        let savings = r.annual_savings.as_ref().map(money).unwrap_or_default();
        let retirement = r.retirement_date.map(|d| d.to_string()).unwrap_or_default();
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        let cells = [
            line,
            r.category.to_string(),
            r.impact.to_string(),
            r.recommendation.clone(),
            text(&r.subscription_id),
            text(&r.subscription_name),
            text(&r.resource_group),
            text(&r.resource_name),
            text(&r.resource_type),
            text(&r.potential_benefits),
            savings,
            text(&r.currency),
            r.alternative.map(|a| a.to_string()).unwrap_or_default(),
            r.billing_increase.map(|b| b.to_string()).unwrap_or_default(),
            retirement,
            text(&r.retiring_feature),
            stored.finding_status.to_string(),
        ];
        let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
        out.push_str(&axis_kernel::csv::export_row(&cells));
    }
    out
}

/// A completed import's recommendations, by impact (high first), then annual saving, then
/// line. With `Accept: text/csv`, every matching one as a CSV file (cells that would run as a
/// spreadsheet formula get a leading `'`; stored values stay as read); else a page of JSON.
#[utoipa::path(
    tag = "advisor",
    params(("id" = Uuid, Path, description = "Import id"), RecommendationListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of recommendations, or all of them as CSV",
         content((Paginated<RecommendationResponse> = "application/json"), (String = "text/csv"))),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
        ReadOneErrors,
    )
)]
#[get("/{id}/recommendations")]
async fn list_recommendations(
    advisor: web::Data<AdvisorService>,
    Authenticated(actor): Authenticated,
    id: web::Path<AdvisorImportId>,
    query: ApiQuery<RecommendationListParams>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let params = query.into_inner();
    let page = params.page_request()?;
    let id = id.into_inner();
    if wants_csv(&req) {
        let (all, _) = advisor.recommendations(&actor, id, &params.filter()?, None).await?;
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((header::CONTENT_DISPOSITION, content_disposition(&format!("advisor-{id}.csv"))))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(csv_of(all)));
    }
    let (items, total) = advisor.recommendations(&actor, id, &params.filter()?, Some(page)).await?;
    Ok(HttpResponse::Ok()
        .json(Paginated::from_page(Page::new(items, total, page), RecommendationResponse::from)))
}

/// A recommendation a manager adds by hand.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ManualRecommendationRequest {
    pub category: Category,
    pub impact: Impact,
    #[schema(value_type = RequiredBlock5000)]
    pub recommendation: String,
    #[schema(value_type = Option<Line255>)]
    pub subscription_id: Option<String>,
    #[schema(value_type = Option<Line255>)]
    pub subscription_name: Option<String>,
    #[schema(value_type = Option<Line255>)]
    pub resource_group: Option<String>,
    #[schema(value_type = Option<Line255>)]
    pub resource_name: Option<String>,
    #[schema(value_type = Option<Line255>)]
    pub resource_type: Option<String>,
    #[schema(value_type = Option<Block5000>)]
    pub potential_benefits: Option<String>,
    /// Annual, with `currency`.
    #[schema(value_type = Option<AmountText>)]
    pub annual_savings: Option<String>,
    /// ISO 4217, with `annual_savings`.
    #[schema(value_type = Option<CurrencyCode>)]
    pub currency: Option<String>,
}

/// Text of one or more lines that is not blank, at most 5,000 characters.
#[derive(ToSchema)]
#[schema(
    min_length = 1,
    max_length = 5000,
    pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
)]
#[expect(dead_code, reason = "documentation type only")]
pub struct RequiredBlock5000(String);

/// A non-negative amount as decimal text: digits (thousands may be grouped with commas),
/// at most six decimals.
#[derive(ToSchema)]
#[schema(pattern = "^([0-9]{1,15}|[0-9]{1,3}(,[0-9]{3}){1,4})(\\.[0-9]{1,6})?$", example = "1250.00")]
#[expect(dead_code, reason = "documentation type only")]
pub struct AmountText(String);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ManualRecommendationsRequest {
    #[schema(min_items = 1, max_items = 1000)]
    pub recommendations: Vec<ManualRecommendationRequest>,
}

/// Add recommendations to a completed import by hand (managers; the seed's
/// `add-manual-recommendations`): marked manual, counted as findings, and the analysis is
/// recomputed with them. One already in the import (its natural key) is 409.
#[utoipa::path(
    tag = "advisor",
    params(("id" = Uuid, Path, description = "Import id")),
    request_body = ManualRecommendationsRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The import", body = ImportResponse, headers(("ETag" = String))),
        (status = 404, response = NotFound),
        CreateErrors,
    )
)]
#[post("/{id}/recommendations")]
async fn add_recommendations(
    advisor: web::Data<AdvisorService>,
    Authenticated(actor): Authenticated,
    id: web::Path<AdvisorImportId>,
    body: ApiJson<ManualRecommendationsRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut errors = FieldErrors::new();
    if body.recommendations.is_empty() || body.recommendations.len() > 1000 {
        errors.add("recommendations", "must hold 1 to 1000 recommendations");
    }
    let mut added = Vec::new();
    for (at, r) in body.recommendations.into_iter().enumerate() {
        let fields = ManualFields {
            category: Some(r.category),
            impact: Some(r.impact),
            recommendation: Some(r.recommendation),
            subscription_id: r.subscription_id,
            subscription_name: r.subscription_name,
            resource_group: r.resource_group,
            resource_name: r.resource_name,
            resource_type: r.resource_type,
            potential_benefits: r.potential_benefits,
            annual_savings: r.annual_savings,
            currency: r.currency,
        };
        if let Some(recommendation) = fields.parse(&format!("recommendations[{at}]"), &mut errors) {
            added.push(recommendation);
        }
    }
    errors.into_result()?;
    let import = advisor.add_manual(&actor, id.into_inner(), added).await?;
    Ok(import_response(StatusCode::OK, import))
}

/// A row the import did not take.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AdvisorImportError)]
pub struct ProblemResponse {
    /// The row's first line (the header is line 1); for JSON, the item's position in `value`.
    pub line: u64,
    pub kind: ProblemKind,
    /// The column at fault, as the file's header names it (none: the whole row).
    pub column: Option<String>,
    pub message: String,
}

paged_params! {
    pub struct ErrorListParams {}
}

/// The rows an import did not take (rejected with why, or a duplicate of which line), in line
/// order.
#[utoipa::path(
    tag = "advisor",
    params(("id" = Uuid, Path, description = "Import id"), ErrorListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of row errors", body = Paginated<ProblemResponse>),
        (status = 422, response = Unprocessable),
        ReadOneErrors,
    )
)]
#[get("/{id}/errors")]
async fn list_errors(
    advisor: web::Data<AdvisorService>,
    Authenticated(actor): Authenticated,
    id: web::Path<AdvisorImportId>,
    query: ApiQuery<ErrorListParams>,
) -> Result<HttpResponse, ApiError> {
    let page = query.into_inner().page_request()?;
    let problems = advisor.problems(&actor, id.into_inner(), page).await?;
    Ok(HttpResponse::Ok().json(Paginated::from_page(problems, |p| ProblemResponse {
        line: p.line,
        kind: p.kind,
        column: p.column,
        message: p.message,
    })))
}

/// One finding's change between the snapshots.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AdvisorDiffItem)]
pub struct DiffItemResponse {
    pub change: Change,
    pub finding_id: Option<Uuid>,
    pub recommendation: String,
    pub category: Category,
    pub impact: Impact,
    pub resource_name: Option<String>,
    /// In the newer snapshot (the older one for a resolved finding).
    pub annual_savings: Option<Amount>,
    /// In the older snapshot, for a persisting finding.
    pub previous_annual_savings: Option<Amount>,
    pub alternative: bool,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AdvisorDiff)]
pub struct DiffResponse {
    pub import_id: Uuid,
    /// The client's completed import before this one; none for its first snapshot.
    pub previous_import_id: Option<Uuid>,
    pub summary: DiffSummary,
    /// A page of the findings: new first, then persisting, then resolved.
    pub items: Paginated<DiffItemResponse>,
}

paged_params! {
    pub struct DiffParams {
        /// Only findings that changed this way.
        pub change: Option<Change>,
    }
}

/// The import compared with the client's previous completed import on each finding's natural
/// key (the recommendation type id when present, else category and text, with the resource):
/// new, resolved and persisting findings, with savings per currency.
#[utoipa::path(
    tag = "advisor",
    params(("id" = Uuid, Path, description = "Import id"), DiffParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The comparison", body = DiffResponse),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
        ReadOneErrors,
    )
)]
#[get("/{id}/diff")]
async fn get_diff(
    advisor: web::Data<AdvisorService>,
    Authenticated(actor): Authenticated,
    id: web::Path<AdvisorImportId>,
    query: ApiQuery<DiffParams>,
) -> Result<HttpResponse, ApiError> {
    let params = query.into_inner();
    let page = params.page_request()?;
    let diff = advisor.diff(&actor, id.into_inner(), params.change).await?;
    let total = diff.items.len() as u64;
    let items: Vec<DiffItemResponse> = diff
        .items
        .into_iter()
        .skip(usize::try_from(page.offset()).unwrap_or(usize::MAX))
        .take(page.limit() as usize)
        .map(|d| DiffItemResponse {
            change: d.change,
            finding_id: d.item.finding_id,
            annual_savings: amount_of(d.item.annual_savings.as_ref(), d.item.currency.as_deref()),
            previous_annual_savings: amount_of(
                d.previous_annual_savings.as_ref(),
                d.item.currency.as_deref(),
            ),
            recommendation: d.item.recommendation,
            category: d.item.category,
            impact: d.item.impact,
            resource_name: d.item.resource_name,
            alternative: d.item.alternative,
        })
        .collect();
    Ok(HttpResponse::Ok().json(DiffResponse {
        import_id: diff.import_id.0,
        previous_import_id: diff.previous_import_id.map(|p| p.0),
        summary: diff.summary,
        items: Paginated::from_page(Page::new(items, total, page), |item| item),
    }))
}

/// Read the import's file again (analysts and up; a completed, failed or cancelled import):
/// the same file gives the same snapshot, and its findings keep their statuses.
#[utoipa::path(
    tag = "advisor",
    params(("id" = Uuid, Path, description = "Import id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The import, `uploaded` again", body = ImportResponse, headers(("ETag" = String))),
        (status = 409, response = Conflict),
        ActOnOneErrors,
    )
)]
#[post("/{id}/reprocess")]
async fn reprocess_import(
    advisor: web::Data<AdvisorService>,
    Authenticated(actor): Authenticated,
    id: web::Path<AdvisorImportId>,
) -> Result<HttpResponse, ApiError> {
    Ok(import_response(StatusCode::OK, advisor.reprocess(&actor, id.into_inner()).await?))
}

/// Stop an import that has not completed (analysts and up): nothing of it is stored.
#[utoipa::path(
    tag = "advisor",
    params(("id" = Uuid, Path, description = "Import id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The import, `cancelled`", body = ImportResponse, headers(("ETag" = String))),
        (status = 409, response = Conflict),
        ActOnOneErrors,
    )
)]
#[post("/{id}/cancel")]
async fn cancel_import(
    advisor: web::Data<AdvisorService>,
    Authenticated(actor): Authenticated,
    id: web::Path<AdvisorImportId>,
) -> Result<HttpResponse, ApiError> {
    Ok(import_response(StatusCode::OK, advisor.cancel(&actor, id.into_inner()).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreRequest {
    /// The Advisor score the portal shows (0–100); `null` clears it.
    #[schema(value_type = Option<ScoreText>)]
    pub score: Option<String>,
    /// Alternative to `If-Match`.
    pub version: Option<i32>,
}

/// Set the Advisor score the portal shows for this snapshot (analysts and up): a completed
/// import's analysis carries it at once.
#[utoipa::path(
    tag = "advisor",
    params(("id" = Uuid, Path, description = "Import id"), IfMatch),
    request_body = ScoreRequest,
    security(("bearer" = [])),
    responses((status = 200, description = "The import", body = ImportResponse, headers(("ETag" = String))), UpdateErrors)
)]
#[put("/{id}/advisor-score")]
async fn set_advisor_score(
    advisor: web::Data<AdvisorService>,
    Authenticated(actor): Authenticated,
    id: web::Path<AdvisorImportId>,
    body: ApiJson<ScoreRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let if_match = if_match.or_body(body.version)?;
    let score = match body.score.as_deref().map(AdvisorScore::manual).transpose() {
        Ok(score) => score,
        Err(message) => return Err(FieldErrors::single("score", message).into()),
    };
    let import = advisor.set_score(&actor, id.into_inner(), score, if_match).await?;
    Ok(import_response(StatusCode::OK, import))
}

/// One snapshot of a client's trend.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AdvisorTrendPoint)]
pub struct TrendPointResponse {
    pub import_id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    pub recommendations: u64,
    pub by_category: Vec<axis_advisor::analysis::CategorySummary>,
    pub by_impact: Vec<axis_advisor::analysis::ImpactCount>,
    pub savings: Vec<SavingsTotal>,
    pub advisor_score: Option<AdvisorScore>,
}

/// A client's completed snapshots, oldest first: counts and savings per currency over time.
#[utoipa::path(
    tag = "advisor",
    params(("id" = Uuid, Path, description = "Client id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The trend", body = Vec<TrendPointResponse>), ReadOneErrors)
)]
#[get("/{id}/advisor-trend")]
async fn client_trend(
    advisor: web::Data<AdvisorService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ClientId>,
) -> Result<HttpResponse, ApiError> {
    let points = advisor.trend(&actor, id.into_inner()).await?;
    let body: Vec<TrendPointResponse> = points
        .into_iter()
        .map(|point| TrendPointResponse {
            import_id: point.import.id.0,
            created_at: point.import.created_at,
            recommendations: point.analysis.recommendations,
            by_category: point.analysis.by_category,
            by_impact: point.analysis.by_impact,
            savings: point.analysis.savings,
            advisor_score: point.analysis.advisor_score,
        })
        .collect();
    Ok(HttpResponse::Ok().json(body))
}
