//! Routes of the identity domain: login, tokens, the signed-in user's profile and sessions,
//! and user administration. Handlers reach `web::Data<IdentityService>`.

pub mod auth;
pub mod problem;
pub mod users;

pub use problem::IdentityProblems;

use axis_http::collection;
use utoipa_actix_web::service_config::ServiceConfig;

/// The public signing keys served at `/.well-known/jwks.json`, registered as `web::Data<Jwks>`.
pub struct Jwks(pub serde_json::Value);

pub fn configure(cfg: &mut ServiceConfig) {
    auth::configure(cfg);
    cfg.service(collection("/api/v1/users", users::configure));
}
