//! Members: staff (a client's employees) and beneficiaries (their dependents), their families
//! and status histories, the eligibility question every service asks first, and the monthly
//! eligibility-file import.

mod beneficiaries;
mod eligibility;
mod imports;
mod profile;
mod staff;

use utoipa_actix_web::service_config::ServiceConfig;

pub use beneficiaries::{BeneficiaryRequest, BeneficiaryResponse, FamilyResponse};
pub use eligibility::EligibilityResponse;
pub use imports::{ImportResponse, ImportResultResponse, MAX_FILE_BYTES};
pub use staff::{StaffRequest, StaffResponse};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(axis_http::collection("/api/v1/staff", |cfg| {
        staff::routes(cfg);
        beneficiaries::configure_under_staff(cfg);
    }));
    cfg.service(axis_http::collection("/api/v1/beneficiaries", beneficiaries::routes));
    cfg.service(axis_http::collection("/api/v1/eligibility", eligibility::routes));
    cfg.service(axis_http::collection("/api/v1/staff-imports", imports::routes));
}

/// The clients' nested lists, registered under `/api/v1/clients` beside the client routes.
pub fn configure_nested(cfg: &mut ServiceConfig) {
    staff::configure_nested(cfg);
    beneficiaries::configure_nested(cfg);
    imports::configure_nested(cfg);
}
