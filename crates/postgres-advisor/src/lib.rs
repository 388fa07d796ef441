//! Advisor imports on PostgreSQL: imports, their recommendations (stored in batches of
//! thousands of rows, one `INSERT … SELECT FROM unnest(…)` each, never a row at a time), the
//! rows not taken, findings across snapshots, and the catalogue.

mod catalogue;
mod findings;
mod imports;
mod rows;

use axis_postgres::Database;
use axis_postgres::error::{Constraint, register_constraints};

/// The constraints of the Advisor tables users can run into.
const CONSTRAINTS: &[Constraint] = &[
    Constraint { name: "advisor_imports_client_id_fkey", field: "client_id", message: "is not a client" },
    Constraint { name: "advisor_findings_owner_id_fkey", field: "owner_id", message: "is not a user" },
    Constraint {
        name: "advisor_catalogue_type_key",
        field: "recommendation_type_id",
        message: "already has a catalogue entry",
    },
    Constraint {
        name: "advisor_catalogue_text_key",
        field: "recommendation",
        message: "already has a catalogue entry",
    },
    Constraint {
        name: "advisor_recommendations_once",
        field: "recommendations",
        message: "is already a finding of this import",
    },
];

/// Every Advisor port on one database.
#[derive(Clone)]
pub struct PgAdvisor {
    db: Database,
}

impl PgAdvisor {
    pub fn new(db: Database) -> Self {
        register_constraints(CONSTRAINTS);
        Self { db }
    }
}

fn offset(page: axis_kernel::PageRequest) -> i64 {
    i64::try_from(page.offset()).unwrap_or(i64::MAX)
}

fn count(value: u64) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}
