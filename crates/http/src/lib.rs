//! The HTTP kit every routes crate uses: problem+json errors, the body and query readers,
//! extractors (the signed-in actor, idempotent creates), middleware, paging and ETag helpers,
//! the documented field kinds, and the 404/405 fallback.

pub mod body;
pub mod cors;
pub mod download;
pub mod dto;
pub mod extract;
pub mod fallback;
pub mod idempotent;
pub mod json;
pub mod middleware;
pub mod problem;
pub mod query;
pub mod schema;
pub mod upload;

use std::net::IpAddr;
use std::sync::Arc;

use actix_web::dev::HttpServiceFactory;
use actix_web::web;
use axis_kernel::idempotency::IdempotencyStore;
use axis_kernel::{Authenticator, UnitOfWork};
use utoipa_actix_web::OpenApiFactory;
use utoipa_actix_web::scope::scope;
use utoipa_actix_web::service_config::ServiceConfig;

/// What the shared extractors reach, registered once as `web::Data<HttpContext>`. Each routes
/// crate reaches its own use-case service as `web::Data<TheService>`.
pub struct HttpContext {
    /// Verifies access tokens for [`extract::Authenticated`].
    pub authenticator: Arc<dyn Authenticator>,
    /// Remembers the answers of creates sent with an `Idempotency-Key`.
    pub idempotency: Arc<dyn IdempotencyStore>,
    /// Runs an idempotent create and its stored answer as one transaction.
    pub unit_of_work: Arc<dyn UnitOfWork>,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
}

/// The routes under `prefix` as one scope: the router compares the fixed prefix before it
/// tries any `{id}` pattern inside, and paths inside that match no route get the same 404/405
/// answer as the rest of the API.
pub fn collection(
    prefix: &str,
    routes: impl FnOnce(&mut ServiceConfig),
) -> impl HttpServiceFactory + OpenApiFactory + 'static {
    scope(prefix).default_service(web::to(fallback::not_found_or_not_allowed)).configure(routes)
}
