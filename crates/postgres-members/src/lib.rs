//! Members on PostgreSQL: person data in `member_profiles`, staff and beneficiaries with their
//! status histories, the employer check; reads are put on record through the base crate's
//! `PgAuditTrail`.

mod beneficiaries;
mod eligibility;
mod imports;
mod profiles;
mod staff;

pub use beneficiaries::PgBeneficiaries;
pub use eligibility::PgEligibility;
pub use imports::PgImports;
pub use staff::PgStaff;

use axis_postgres::error::Constraint;
pub(crate) use axis_postgres::rules::live_clients_in;

/// The constraints of the member tables users can run into.
pub(crate) const CONSTRAINTS: &[Constraint] = &[
    Constraint {
        name: "staff_employee_number_key",
        field: "employee_number",
        message: "is already used by another staff member of this client",
    },
    Constraint { name: "staff_client_id_fkey", field: "client_id", message: "is not a client" },
    Constraint {
        name: "beneficiaries_staff_id_client_id_fkey",
        field: "staff_id",
        message: "must be a staff member of the same client",
    },
];

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// Up to this many matches of a search are sorted after the search finds them; more are read
/// in name order from the index, stopping at the page. (Walking the name index for a few
/// matches that sort late reads most of the index; sorting many matches reads them all.)
pub(crate) const FEW_MATCHES: i64 = 2_000;

/// Whether a list with this search and about this many matches sorts them rather than walking
/// the name index.
pub(crate) fn sort_after_search(searching: bool, total_hint: i64) -> bool {
    searching && total_hint <= FEW_MATCHES
}

/// The by-name order of a member list: `lower(full_name)`, then the profile id. Sorted after
/// filtering, the same order is written so that the name index does not apply.
pub(crate) fn by_name(
    descending: bool,
    sort_after_filter: bool,
) -> (
    diesel::expression::SqlLiteral<diesel::sql_types::Text>,
    diesel::expression::SqlLiteral<diesel::sql_types::Uuid>,
) {
    use diesel::dsl::sql;
    // `|| ''` hides the column from the index (same order, sorted after filtering).
    let name = match (sort_after_filter, descending) {
        (false, false) => "lower(member_profiles.full_name) ASC",
        (false, true) => "lower(member_profiles.full_name) DESC",
        (true, false) => "lower(member_profiles.full_name) || '' ASC",
        (true, true) => "lower(member_profiles.full_name) || '' DESC",
    };
    let id = if descending { "member_profiles.id DESC" } else { "member_profiles.id ASC" };
    (sql(name), sql(id))
}

/// The instant day `date` ends in the organisation's time zone: the eligibility functions
/// compare a client's creation with it.
pub(crate) fn end_of(clock: &dyn axis_kernel::Clock, date: time::Date) -> time::OffsetDateTime {
    clock.start_of_day(date.next_day().unwrap_or(date))
}
