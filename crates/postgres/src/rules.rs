//! The few SQL rules several domains' adapters share: which clients a scope sees, and which
//! contract statuses are in force. Each is written once here; no domain adapter reaches into
//! another's.

use axis_kernel::ClientScope;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Uuid as SqlUuid;
use uuid::Uuid;

use crate::schema::{client_grants, clients};

/// The statuses in force, as stored (`ContractStatus::is_in_force`; a test in the contracts
/// adapter keeps them equal).
pub const IN_FORCE: [&str; 2] = ["active", "renewed"];

/// The visible-clients rule for an analyst or viewer, written once: the clients they are
/// granted or whose account manager they are. Lists, counts, search, detail and the scope guard
/// all filter with it, in the same statement as the read.
#[diesel::dsl::auto_type]
pub fn granted_to(user: Uuid) -> _ {
    clients::id
        .eq_any(client_grants::table.filter(client_grants::user_id.eq(user)).select(client_grants::client_id))
        .or(clients::account_manager_id.eq(user))
}

/// The ids of the live clients in `scope`, as a subquery: what every list of a client's
/// belongings (contracts, staff, beneficiaries) filters on.
pub fn live_clients_in(scope: ClientScope) -> clients::BoxedQuery<'static, Pg, SqlUuid> {
    let live = clients::table.filter(clients::deleted_at.is_null()).select(clients::id).into_boxed();
    match scope {
        ClientScope::All => live,
        ClientScope::Granted(user) => live.filter(granted_to(user.0)),
    }
}
