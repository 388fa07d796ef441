//! Routes of the clients domain: industries, clients with their contacts, activities,
//! subscriptions and grants, and tags. Handlers reach `web::Data<ClientService>`.

pub mod clients;
pub mod contacts;
pub mod industries;
pub mod tags;

use axis_http::collection;
use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the client routes; `nested` adds other domains' routes under a client
/// (`/api/v1/clients/{id}/contracts`, …), which must live in the same collection.
pub fn configure(cfg: &mut ServiceConfig, nested: impl FnOnce(&mut ServiceConfig)) {
    cfg.service(collection("/api/v1/industries", industries::configure));
    cfg.service(collection("/api/v1/clients", |cfg| {
        clients::configure(cfg);
        contacts::configure(cfg);
        nested(cfg);
    }));
    cfg.service(collection("/api/v1/tags", tags::configure));
}
