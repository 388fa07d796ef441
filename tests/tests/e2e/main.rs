//! Black-box tests: the production wiring on port 0, one fresh PostgreSQL database per test.
#![expect(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail the test loudly"
)]

mod advisor;
mod audit;
mod clients;
mod contracts;
mod documents;
mod hostile;
mod imports;
mod jobs;
mod kpis;
mod members;
mod platform;
mod probes;
mod reports;
mod sessions;
mod support;
mod tokens;
mod users;
