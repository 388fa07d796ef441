//! The composition root: configuration, wiring, the OpenAPI document assembled from the routes
//! crates, health routes and the `axis` command line. No SQL and no business rule lives here.

pub mod authz_cache;
pub mod cli;
pub mod config;
pub mod http;
pub mod startup;
pub mod telemetry;

pub use config::Settings;
pub use startup::{Application, Wiring};
