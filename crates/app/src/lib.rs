//! The composition root: configuration, wiring, HTTP routes, the OpenAPI document and the
//! `axis` command line. No SQL and no business rule lives here.

pub mod authz_cache;
pub mod cli;
pub mod config;
pub mod http;
pub mod problem;
pub mod startup;
pub mod telemetry;

pub use config::Settings;
pub use startup::{Application, Wiring};
