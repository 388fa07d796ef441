//! `GET /api/v1/advisor-analytics`: the Advisor dashboard.

use actix_web::{HttpResponse, get, web};
use axis_http::dto::parse_date;
use axis_http::extract::Authenticated;
use axis_http::problem::*;
use axis_http::query::ApiQuery;
use axis_http::schema::CalendarDate;
use axis_kernel::{ClientId, FieldErrors};
use axis_reports::ReportService;
use axis_reports::analytics::AdvisorAnalytics;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(advisor_analytics);
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AnalyticsParams {
    /// The period's first day (`YYYY-MM-DD`, UTC); default the first of the month eleven
    /// months before `to`. At most five years before `to`.
    #[param(value_type = Option<CalendarDate>)]
    pub from: Option<String>,
    /// The period's last day (`YYYY-MM-DD`, UTC); default today.
    #[param(value_type = Option<CalendarDate>)]
    pub to: Option<String>,
    /// One client only (within scope).
    pub client_id: Option<Uuid>,
}

/// The Advisor dashboard (every role, over the clients in scope): imports per month, reports
/// per month and type, the findings of each client's newest snapshot of the period by category
/// and today's status, savings per currency (never summed across currencies; commitment
/// alternatives apart), the top ten clients by savings in each currency, and the findings open
/// past their due date today.
#[utoipa::path(
    tag = "reports",
    params(AnalyticsParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The dashboard", body = AdvisorAnalytics),
        (status = 404, response = NotFound),
        ListErrors,
    )
)]
#[get("")]
async fn advisor_analytics(
    reports: web::Data<ReportService>,
    Authenticated(actor): Authenticated,
    query: ApiQuery<AnalyticsParams>,
) -> Result<HttpResponse, ApiError> {
    let params = query.into_inner();
    let mut errors = FieldErrors::new();
    let from = parse_date(&mut errors, "from", params.from.as_deref());
    let to = parse_date(&mut errors, "to", params.to.as_deref());
    errors.into_result()?;
    let analytics = reports.analytics(&actor, from, to, params.client_id.map(ClientId)).await?;
    Ok(HttpResponse::Ok().json(analytics))
}
