//! HTTP: one module per area, each with a `configure` that registers its documented routes.
//! The server and the OpenAPI document are built from the same [`configure`], so a route
//! cannot exist without being documented.

pub mod audit;
pub mod auth;
pub mod clients;
pub mod contacts;
pub mod cors;
pub mod docs;
pub mod dto;
pub mod extract;
pub mod fallback;
pub mod health;
pub mod idempotent;
pub mod industries;
pub mod json;
pub mod middleware;
pub mod query;
pub mod schema;
pub mod tags;
pub mod users;

use std::sync::Arc;

use actix_web::dev::HttpServiceFactory;
use actix_web::{App, web};
use axis_audit::AuditService;
use axis_clients::ClientService;
use axis_identity::IdentityService;
use axis_kernel::idempotency::IdempotencyStore;
use axis_postgres::Database;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_actix_web::OpenApiFactory;
use utoipa_actix_web::scope::scope;
use utoipa_actix_web::service_config::ServiceConfig;

/// What handlers reach: use-case services and read-only facts about this instance.
pub struct AppState {
    pub identity: Arc<IdentityService>,
    pub audit: Arc<AuditService>,
    pub clients: Arc<ClientService>,
    pub idempotency: Arc<dyn IdempotencyStore>,
    pub db: Database,
    pub jwks: serde_json::Value,
    pub openapi_json: String,
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Audit records waiting longer than this to be sealed make `/api/health` say `degraded`.
    pub seal_lag_alert: std::time::Duration,
}

/// Registers every route of the API. Each collection is a scope: the router compares the
/// scope's fixed prefix first and only then tries the patterns inside it, instead of running
/// the regex of every `{id}` route registered before the one that matches.
pub fn configure(cfg: &mut ServiceConfig) {
    health::configure(cfg);
    auth::configure(cfg);
    cfg.service(collection("/api/v1/users", users::configure));
    cfg.service(collection("/api/v1/industries", industries::configure));
    cfg.service(collection("/api/v1/clients", |cfg| {
        clients::configure(cfg);
        contacts::configure(cfg);
    }));
    cfg.service(collection("/api/v1/tags", tags::configure));
    cfg.service(collection("/api/v1/audit-logs", audit::configure));
    docs::configure(cfg);
}

/// The routes under `prefix`; paths inside that match none of them get the same 404/405
/// answer as the rest of the API.
fn collection(
    prefix: &str,
    routes: impl FnOnce(&mut ServiceConfig),
) -> impl HttpServiceFactory + OpenApiFactory + 'static {
    scope(prefix).default_service(web::to(fallback::not_found_or_not_allowed)).configure(routes)
}

/// The OpenAPI document, built from the same route registration as the server.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, api) =
        App::new().into_utoipa_app().openapi(docs::ApiDoc::openapi()).configure(configure).split_for_parts();
    api
}
