//! The API as one document and one router: each domain's routes crate registers its routes
//! through its `configure`, and the server and the OpenAPI document are built from the same
//! [`configure`], so a route cannot exist without being documented. Health and the document
//! itself are the app's own routes.

pub mod docs;
pub mod health;

use std::sync::Arc;

use actix_web::App;
use axis_audit::AuditService;
use axis_identity::IdentityService;
use axis_postgres::Database;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_actix_web::service_config::ServiceConfig;

/// What the app's own routes (health, the document) reach.
pub struct AppState {
    pub identity: Arc<IdentityService>,
    pub audit: Arc<AuditService>,
    pub jobs: Arc<axis_jobs::JobService>,
    pub db: Database,
    pub openapi_json: String,
    /// Audit records waiting longer than this to be sealed make `/api/health` say `degraded`.
    pub seal_lag_alert: std::time::Duration,
}

/// Registers every route of the API, in the order the document lists them.
pub fn configure(cfg: &mut ServiceConfig) {
    health::configure(cfg);
    axis_http_identity::configure(cfg);
    axis_http_clients::configure(cfg, |cfg| {
        axis_http_contracts::configure_nested(cfg);
        axis_http_members::configure_nested(cfg);
        axis_http_kpis::configure_nested(cfg);
        axis_http_advisor::configure_nested(cfg);
        axis_http_reports::configure_nested(cfg);
    });
    axis_http_contracts::configure(cfg);
    axis_http_members::configure(cfg);
    axis_http_documents::configure(cfg);
    axis_http_kpis::configure(cfg);
    axis_http_advisor::configure(cfg, axis_http_reports::configure_under_imports);
    axis_http_reports::configure(cfg);
    axis_http_audit::configure(cfg);
    axis_http_jobs::configure(cfg);
    docs::configure(cfg);
}

/// The OpenAPI document, built from the same route registration as the server.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, api) =
        App::new().into_utoipa_app().openapi(docs::ApiDoc::openapi()).configure(configure).split_for_parts();
    api
}
