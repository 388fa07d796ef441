//! Client organisations: hierarchical industries, clients with their Azure subscriptions,
//! account manager and parent client, contacts, activities, tags, and who may see which client.

pub mod error;
pub mod input;
pub mod model;
pub mod policy;
pub mod ports;
pub mod service;

pub use error::ClientError;
pub use model::*;
pub use service::ClientService;
