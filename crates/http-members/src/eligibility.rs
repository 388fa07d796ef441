//! `GET /api/v1/eligibility`: is this person (a staff member or a beneficiary) eligible for
//! service on this day, and if not, which link of the chain failed first.

use actix_web::{HttpResponse, get, web};
use axis_beneficiaries::{BeneficiaryService, MemberKind};
use axis_kernel::FieldErrors;
use axis_staff::IneligibleReason;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use axis_http::dto::parse_date;
use axis_http::extract::Authenticated;
use axis_http::problem::*;
use axis_http::query::ApiQuery;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EligibilityParams {
    /// A staff member's or a beneficiary's id.
    pub person: Uuid,
    /// The day asked about, `YYYY-MM-DD`.
    #[param(value_type = String, format = Date)]
    pub date: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EligibilityResponse {
    pub person: Uuid,
    pub kind: MemberKind,
    #[schema(value_type = String, format = Date)]
    pub date: String,
    pub eligible: bool,
    /// The first failing link when not eligible.
    pub reason: Option<IneligibleReason>,
}

/// Is the person eligible for service on the day? When not, `reason` names the first link of
/// the chain that failed (their status that day, their employment period, their employer, a
/// covering contract, and for a beneficiary their staff member). On record as a read.
#[utoipa::path(
    tag = "eligibility",
    params(EligibilityParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The answer", body = EligibilityResponse),
        (status = 404, response = NotFound),
        ListErrors,
    )
)]
#[get("")]
async fn eligibility(
    members: web::Data<BeneficiaryService>,
    Authenticated(actor): Authenticated,
    query: ApiQuery<EligibilityParams>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let mut errors = FieldErrors::new();
    let date = parse_date(&mut errors, "date", Some(&query.date)).ok_or(errors)?;
    let (member, answer) = members.eligibility_of_person(&actor, query.person, date).await?;
    let kind = member.kind();
    Ok(HttpResponse::Ok().json(EligibilityResponse {
        person: query.person,
        kind,
        date: date.to_string(),
        eligible: answer.is_ok(),
        reason: answer.err(),
    }))
}

pub(crate) fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(eligibility);
}
