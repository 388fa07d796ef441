//! Clients on PostgreSQL: industries, clients (with subscriptions, tags and grants), tags,
//! contacts and activities.

mod activities;
mod contacts;
mod industries;
mod organisations;
mod tags;

pub use activities::PgActivities;
pub use contacts::PgContacts;
pub use industries::PgIndustries;
pub use organisations::{PgClientAccess, PgClients};
pub use tags::PgTags;

use axis_kernel::DomainError;

use axis_postgres::error::Constraint;
use axis_postgres::error::unexpected;

/// The constraints of the client tables users can run into.
pub(crate) const CONSTRAINTS: &[Constraint] = &[
    Constraint { name: "clients_email_key", field: "email", message: "is already used by another client" },
    Constraint { name: "industries_code_key", field: "code", message: "is already used by another industry" },
    Constraint { name: "industries_name_key", field: "name", message: "is already used by another industry" },
    Constraint {
        name: "industries_external_id_key",
        field: "external_id",
        message: "is already used by another industry",
    },
    Constraint { name: "tags_name_key", field: "name", message: "is already used by another tag" },
    Constraint { name: "tags_slug_key", field: "slug", message: "is already used by another tag" },
    Constraint {
        name: "client_contacts_email_key",
        field: "email",
        message: "is already used by another contact of this client",
    },
    Constraint {
        name: "clients_account_manager_id_fkey",
        field: "account_manager_id",
        message: "is not a user",
    },
    Constraint {
        name: "client_tags_tag_id_fkey",
        field: "tag_ids",
        message: "names a tag that does not exist",
    },
    Constraint { name: "client_grants_user_id_fkey", field: "user_id", message: "is not a user" },
    Constraint {
        name: "client_activities_contact_id_fkey",
        field: "contact_id",
        message: "is not a contact of this client",
    },
];

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);
diesel::define_sql_function!(
    /// Live clients, of one status or all (counters kept by statement triggers; see the
    /// linear_counts migration).
    fn client_live_total(status: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::BigInt
);

/// Reads a stored enum value; an unknown one means the database and the code disagree.
fn parse_enum<T: std::str::FromStr>(column: &str, value: &str) -> Result<T, DomainError> {
    value.parse().map_err(|_| unexpected(format!("unknown {column} {value:?}")))
}

/// Folds the counter deltas that writes appended into the client counters (see the
/// linear_counts migration). Totals are exact either way; folding keeps their reads short.
/// Answers how many deltas were folded.
pub async fn roll_up_client_counts(db: &axis_postgres::Database) -> Result<i64, DomainError> {
    use diesel_async::RunQueryDsl;
    diesel::define_sql_function!(fn client_counts_roll_up() -> diesel::sql_types::BigInt);
    let mut conn = db.conn().await?;
    diesel::select(client_counts_roll_up())
        .get_result(&mut *conn)
        .await
        .map_err(axis_postgres::error::map_diesel)
}
