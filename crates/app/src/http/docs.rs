//! The OpenAPI document and the offline documentation page.

use actix_web::{HttpResponse, get, web};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::http::AppState;
use axis_http::problem::{
    BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, PreconditionFailed, Problem,
    RangeNotSatisfiable, RequestTimeout, ServiceUnavailable, TooManyRequests, Unauthorized, Unprocessable,
    UnsupportedMediaType,
};

pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";
pub const DOCS_PATH: &str = "/api/v1/docs/";

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build();
        api.components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "axis",
        description = "Back office for Employee Assistance Programmes and Azure Advisor reviews. \
                       Errors are RFC 9457 problem details (`application/problem+json`).",
    ),
    modifiers(&BearerAuth),
    components(
        schemas(Problem),
        responses(
            BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PreconditionFailed, PayloadTooLarge,
            RequestTimeout, UnsupportedMediaType, Unprocessable, RangeNotSatisfiable, TooManyRequests,
            ServiceUnavailable
        )
    ),
    tags(
        (name = "auth", description = "Login, tokens, the signed-in user"),
        (name = "users", description = "User administration"),
        (name = "clients", description = "Client organisations, their contacts, timeline, subscriptions and grants"),
        (name = "industries", description = "The industry classification"),
        (name = "tags", description = "Tags that label clients"),
        (name = "contracts", description = "Contracts with clients: terms, billing, lifecycle and status history"),
        (name = "staff", description = "Clients' employees: person data, employment, status history, families"),
        (name = "beneficiaries", description = "Staff members' dependents: person data, relation, guardian, status history"),
        (name = "eligibility", description = "Whether a member may be served on a day, and why not"),
        (name = "documents", description = "Files kept about clients and contracts: versions, publishing, expiry, confidentiality, downloads"),
        (name = "kpis", description = "KPI types, KPIs, their assignment to contracts, measurements and performance against target"),
        (name = "advisor", description = "Azure Advisor reviews: export imports, analyses, snapshot comparisons, findings and the effort catalogue"),
        (name = "reports", description = "Advisor reports: five types rendered as HTML, PDF and an XLSX action plan"),
        (name = "audit", description = "The audit trail"),
        (name = "jobs", description = "The job queue: background work, its progress, retries and cancellation"),
        (name = "health", description = "Health and monitoring"),
        (name = "docs", description = "This document"),
    )
)]
pub struct ApiDoc;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(openapi_json);
}

/// This OpenAPI 3.1 document.
#[utoipa::path(tag = "docs", responses((status = 200, description = "OpenAPI document", body = Object)))]
#[get("/api/v1/openapi.json")]
async fn openapi_json(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(state.openapi_json.clone())
}
