//! Clients on PostgreSQL: industries, clients (with subscriptions, tags and grants), tags,
//! contacts and activities.

mod activities;
mod contacts;
mod industries;
mod list_totals;
mod organisations;
mod tags;

pub use activities::PgActivities;
pub use contacts::PgContacts;
pub use industries::PgIndustries;
pub use organisations::PgClients;
pub use tags::PgTags;

use axis_kernel::DomainError;

use crate::error::unexpected;

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);
diesel::define_sql_function!(
    /// Live clients, of one status or all (kept by a trigger; see the client_counts migration).
    fn client_live_total(status: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::BigInt
);
diesel::define_sql_function!(
    /// The client list version: moves with every write a filtered list total depends on (see the
    /// client_list_changes migration).
    fn client_list_version() -> diesel::sql_types::BigInt
);

/// Reads a stored enum value; an unknown one means the database and the code disagree.
fn parse_enum<T: std::str::FromStr>(column: &str, value: &str) -> Result<T, DomainError> {
    value.parse().map_err(|_| unexpected(format!("unknown {column} {value:?}")))
}
