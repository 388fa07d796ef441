//! `GET /api/v1/eligibility` and `POST /api/v1/eligibility/batch`: may this person (a staff
//! member or a beneficiary) be served on this day, and if not, which link of the chain failed
//! first; with the deciding facts an agent acts on.

use actix_web::{HttpResponse, get, post, web};
use axis_beneficiaries::eligibility::{Answer, Outcome, WhoFields};
use axis_beneficiaries::{EligibilityService, MemberKind};
use axis_kernel::{ClientId, FieldErrors};
use axis_staff::IneligibleReason;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use axis_http::dto::parse_date;
use axis_http::extract::Authenticated;
use axis_http::json::ApiJson;
use axis_http::problem::*;
use axis_http::query::ApiQuery;
use axis_http::schema::{CalendarDate, Identifier100, RequiredName255};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EligibilityParams {
    /// A staff member's or a beneficiary's id. Or name the person by `employee_number` (with
    /// `client`), or by `full_name` and `date_of_birth` (with `client`).
    pub person: Option<Uuid>,
    /// The client the person works for (with `employee_number` or `full_name`).
    pub client: Option<Uuid>,
    /// A staff member's employee number at `client` (case does not matter; no control or
    /// invisible characters, as stored).
    #[param(value_type = Option<String>, min_length = 1, max_length = 100, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF]*[^\\s\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF][^\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF]*$")]
    pub employee_number: Option<String>,
    /// A staff member's or a beneficiary's full name (case and spacing do not matter), with
    /// `date_of_birth` and `client`. Not for viewers, who do not read dates of birth (403).
    #[param(value_type = Option<String>, min_length = 1, max_length = 255, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF]*[^\\s\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF][^\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF]*$")]
    pub full_name: Option<String>,
    /// `YYYY-MM-DD`, with `full_name`.
    #[param(value_type = Option<String>, format = Date)]
    pub date_of_birth: Option<String>,
    /// The day asked about, `YYYY-MM-DD`.
    #[param(value_type = String, format = Date)]
    pub date: String,
}

/// The contract that covers the person on the day.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoveringContract {
    pub id: Uuid,
    pub number: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EligibilityResponse {
    pub person: Uuid,
    pub kind: MemberKind,
    /// The staff member whose employment answers for the person (themselves, for staff).
    pub staff_id: Uuid,
    pub client_id: Uuid,
    #[schema(value_type = String, format = Date)]
    pub date: String,
    pub eligible: bool,
    /// The first failing link when not eligible.
    pub reason: Option<IneligibleReason>,
    /// For a beneficiary refused as `staff_ineligible`: the staff member's own reason.
    pub cause: Option<IneligibleReason>,
    /// The employer's contract in force on the day, if any (named also when another link fails).
    pub contract: Option<CoveringContract>,
    /// When eligible: the last day of unbroken cover from the day asked, as things stand
    /// (changes already dated ahead included).
    #[schema(value_type = Option<String>, format = Date)]
    pub covered_until: Option<String>,
}

impl From<Answer> for EligibilityResponse {
    fn from(answer: Answer) -> Self {
        Self {
            person: answer.found.person,
            kind: answer.found.kind,
            staff_id: answer.found.staff_id.0,
            client_id: answer.found.client_id.0,
            date: answer.date.to_string(),
            eligible: answer.result.is_ok(),
            reason: answer.result.err(),
            cause: answer.cause,
            contract: answer.contract.map(|c| CoveringContract { id: c.id.0, number: c.number }),
            covered_until: answer.covered_until.map(|d| d.to_string()),
        }
    }
}

/// Is the person eligible for service on the day? Name them by id, by employee number at a
/// client, or by full name and date of birth at a client (exactly one match, else 404, or 409
/// when several match — naming nobody). When not eligible, `reason` names the first link of
/// the chain that failed (their status that day, their employment period, their employer — a
/// client that did not exist yet was not active —, a covering contract, and for a beneficiary
/// their staff member, whose own reason is `cause`). On record as a read of the person.
#[utoipa::path(
    tag = "eligibility",
    params(EligibilityParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The answer", body = EligibilityResponse),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        ListErrors,
    )
)]
#[get("")]
async fn eligibility(
    answers: web::Data<EligibilityService>,
    Authenticated(actor): Authenticated,
    query: ApiQuery<EligibilityParams>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let mut errors = FieldErrors::new();
    let date = parse_date(&mut errors, "date", Some(&query.date));
    let fields = WhoFields {
        person: query.person,
        client: query.client.map(ClientId),
        employee_number: query.employee_number,
        full_name: query.full_name,
        date_of_birth: parse_date(&mut errors, "date_of_birth", query.date_of_birth.as_deref()),
    };
    let who = fields.parse(&mut errors, "");
    errors.into_result()?;
    let (Some(who), Some(date)) = (who, date) else {
        return Err(FieldErrors::single("date", "is required").into());
    };
    let answer = answers.one(&actor, who, date).await?;
    Ok(HttpResponse::Ok().json(EligibilityResponse::from(answer)))
}

/// One person of a batch, named one way: `person`; `employee_number` with `client`; or
/// `full_name` and `date_of_birth` with `client`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchPerson {
    pub person: Option<Uuid>,
    pub client: Option<Uuid>,
    #[schema(value_type = Option<Identifier100>)]
    pub employee_number: Option<String>,
    #[schema(value_type = Option<RequiredName255>)]
    pub full_name: Option<String>,
    #[schema(value_type = Option<CalendarDate>)]
    pub date_of_birth: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EligibilityBatchRequest {
    /// The day asked about, `YYYY-MM-DD`.
    #[schema(value_type = CalendarDate)]
    pub date: String,
    /// 1 to 500 people.
    #[schema(min_items = 1, max_items = 500)]
    pub people: Vec<BatchPerson>,
}

/// What one question of a batch came to.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BatchOutcome {
    Answered,
    NotFound,
    Ambiguous,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchAnswer {
    /// `not_found`: nobody visible matches; `ambiguous`: several do (nobody is named).
    pub outcome: BatchOutcome,
    /// The answer, when `answered`.
    pub answer: Option<EligibilityResponse>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EligibilityBatchResponse {
    #[schema(value_type = String, format = Date)]
    pub date: String,
    /// One per person asked, in their order.
    pub answers: Vec<BatchAnswer>,
}

/// Up to 500 eligibility questions about one day, answered in their order (each person named
/// as in `GET /eligibility`). One record of the read names everyone answered about. A batch
/// with any malformed question is refused whole (422 naming `people[i].field`).
#[utoipa::path(
    tag = "eligibility",
    request_body = EligibilityBatchRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The answers", body = EligibilityBatchResponse),
        CreateErrors,
    )
)]
#[post("/batch")]
async fn eligibility_batch(
    answers: web::Data<EligibilityService>,
    Authenticated(actor): Authenticated,
    body: ApiJson<EligibilityBatchRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut errors = FieldErrors::new();
    let date = parse_date(&mut errors, "date", Some(&body.date));
    let limit = axis_beneficiaries::eligibility::BATCH_LIMIT;
    if body.people.is_empty() || body.people.len() > limit {
        errors.add("people", format!("must hold between 1 and {limit} people"));
    }
    let mut asked = Vec::with_capacity(body.people.len());
    for (index, person) in body.people.into_iter().enumerate().take(limit) {
        let prefix = format!("people[{index}].");
        let fields = WhoFields {
            person: person.person,
            client: person.client.map(ClientId),
            employee_number: person.employee_number,
            full_name: person.full_name,
            date_of_birth: parse_date(
                &mut errors,
                &format!("{prefix}date_of_birth"),
                person.date_of_birth.as_deref(),
            ),
        };
        asked.extend(fields.parse(&mut errors, &prefix));
    }
    errors.into_result()?;
    let Some(date) = date else { return Err(FieldErrors::single("date", "is required").into()) };
    let outcomes = answers.batch(&actor, asked, date).await?;
    let answers = outcomes
        .into_iter()
        .map(|outcome| match outcome {
            Outcome::Answered(answer) => BatchAnswer {
                outcome: BatchOutcome::Answered,
                answer: Some(EligibilityResponse::from(*answer)),
            },
            Outcome::NotFound => BatchAnswer { outcome: BatchOutcome::NotFound, answer: None },
            Outcome::Ambiguous => BatchAnswer { outcome: BatchOutcome::Ambiguous, answer: None },
        })
        .collect();
    Ok(HttpResponse::Ok().json(EligibilityBatchResponse { date: date.to_string(), answers }))
}

pub(crate) fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(eligibility).service(eligibility_batch);
}
