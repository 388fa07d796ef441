//! Staff: CRUD with `If-Match`, idempotent create, the lifecycle's actions with their dates,
//! the status history, anonymisation, and the lists (all, and a client's).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use axis_http::extract::Authenticated;
use axis_http::idempotent::{CreateBody, Created};
use axis_http::json::ApiJson;
use axis_http::query::ApiQuery;
use axis_http::schema::{IdempotencyKey, IfMatch};
use axis_kernel::{Actor, ClientId, FieldErrors};
use axis_staff::{
    Act, StaffFields, StaffId, StaffListQuery, StaffMember, StaffOrdering, StaffRole, StaffService,
    StaffStatus,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use axis_http::dto::{Paginated, list_ordering, parse_date, with_etag};
use axis_http::paged_params;
use axis_http::problem::*;
use axis_http::schema::*;

use crate::profile::{MemberProfileResponse, with_profile, with_profile_patch};

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_staff)
        .service(create_staff)
        .service(get_staff)
        .service(replace_staff)
        .service(update_staff)
        .service(delete_staff)
        .service(restore_staff)
        .service(staff_history)
        .service(deactivate_staff)
        .service(put_staff_on_leave)
        .service(suspend_staff)
        .service(terminate_staff)
        .service(resign_staff)
        .service(reactivate_staff)
        .service(anonymise_staff);
}

axis_http::status_change_response!(
    /// One entry of a staff member's status history.
    StaffStatusChangeResponse,
    StaffStatus
);

fn date_text(date: Option<time::Date>) -> Option<String> {
    date.map(|d| d.to_string())
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = StaffMember)]
pub struct StaffResponse {
    pub id: Uuid,
    /// The employer.
    pub client_id: Uuid,
    #[serde(flatten)]
    pub profile: MemberProfileResponse,
    pub employee_number: Option<String>,
    pub job_title: Option<String>,
    pub department: Option<String>,
    pub role: StaffRole,
    #[schema(value_type = String, format = Date)]
    pub employment_start: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub employment_end: Option<String>,
    /// The status today.
    pub status: StaffStatus,
    /// A change dated ahead, waiting for its day (then `status` shows it).
    pub scheduled_change: Option<axis_http::dto::ScheduledChange<StaffStatus>>,
    pub leave_type: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub expected_return: Option<String>,
    pub status_reason: Option<String>,
    pub version: i32,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub deleted_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub anonymised_at: Option<OffsetDateTime>,
}

impl From<StaffMember> for StaffResponse {
    fn from(m: StaffMember) -> Self {
        Self {
            id: m.id.0,
            client_id: m.client_id.0,
            profile: m.profile.into(),
            employee_number: m.employee_number,
            job_title: m.job_title,
            department: m.department,
            role: m.role,
            employment_start: m.employment_start.to_string(),
            employment_end: date_text(m.employment_end),
            status: m.status,
            scheduled_change: m.scheduled_change.map(Into::into),
            leave_type: m.leave.as_ref().map(|l| l.leave_type.clone()),
            expected_return: date_text(m.leave.and_then(|l| l.expected_return)),
            status_reason: m.status_reason,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
            deleted_at: m.deleted_at,
            anonymised_at: m.anonymised_at,
        }
    }
}

fn staff_response(member: StaffMember) -> HttpResponse {
    let body = StaffResponse::from(member);
    with_etag(StatusCode::OK, body.version, &body)
}

/// Moves a staff member by a status action and answers them as `GET` does.
async fn act(
    staff: &StaffService,
    actor: &Actor,
    id: web::Path<StaffId>,
    act: Act,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let if_match = if_match.version()?;
    Ok(staff_response(staff.act(actor, id.into_inner(), act, if_match).await?))
}

/// A staff member's status history.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffHistoryResponse {
    pub staff: StaffResponse,
    /// Oldest first.
    pub history: Vec<StaffStatusChangeResponse>,
}

with_profile! {
    /// Every writable field of a staff member (create and PUT). The status and the end of
    /// employment change only through the actions.
    pub struct StaffRequest {
        /// The employer; a member stays with it.
        pub client_id: Uuid,
        #[schema(value_type = Option<Identifier100>)]
        pub employee_number: Option<String>,
        #[schema(value_type = Option<Line255>)]
        pub job_title: Option<String>,
        #[schema(value_type = Option<Line255>)]
        pub department: Option<String>,
        /// Default `staff`.
        pub role: Option<StaffRole>,
        #[schema(value_type = CalendarDate)]
        pub employment_start: String,
        /// Alternative to `If-Match` on PUT.
        pub version: Option<i32>,
    }
}

impl StaffRequest {
    fn into_fields(mut self) -> Result<(StaffFields, Option<i32>), ApiError> {
        let mut errors = FieldErrors::new();
        let profile = self.take_profile(&mut errors);
        let employment_start = parse_date(&mut errors, "employment_start", Some(&self.employment_start));
        errors.into_result()?;
        let fields = StaffFields {
            client_id: Some(ClientId(self.client_id)),
            profile,
            employee_number: self.employee_number,
            job_title: self.job_title,
            department: self.department,
            role: self.role,
            employment_start,
        };
        Ok((fields, self.version))
    }
}

with_profile_patch! {
    /// A partial update: only the fields present change; `null` clears an optional field and
    /// keeps a required one (the name, the start of employment).
    pub struct StaffPatchRequest {
        #[schema(value_type = Option<Identifier100>)]
        #[serde(default)]
        pub employee_number: axis_kernel::Patch<String>,
        #[schema(value_type = Option<Line255>)]
        #[serde(default)]
        pub job_title: axis_kernel::Patch<String>,
        #[schema(value_type = Option<Line255>)]
        #[serde(default)]
        pub department: axis_kernel::Patch<String>,
        #[schema(value_type = Option<StaffRole>)]
        #[serde(default)]
        pub role: axis_kernel::Patch<StaffRole>,
        #[schema(value_type = Option<CalendarDate>)]
        #[serde(default)]
        pub employment_start: axis_kernel::Patch<String>,
        /// Alternative to `If-Match`.
        pub version: Option<i32>,
    }
}

paged_params! {
    pub struct StaffListParams {
        pub client: Option<Uuid>,
        pub status: Option<StaffStatus>,
        #[param(min_length = 1, max_length = 255, pattern = "^[^\\u0000]+$")]
        pub department: Option<String>,
        /// Only those eligible for service on this day.
        #[param(value_type = Option<String>, format = Date)]
        pub eligible_on: Option<String>,
        /// Matches name, preferred name and employee number, and e-mail and phone for roles that
        /// read them (not viewers); case-insensitive.
        #[param(min_length = 1, pattern = "^[^\\u0000]+$")]
        pub search: Option<String>,
        /// `full_name`, `employment_start`, `created_at` or `employee_number`; prefix `-` for
        /// descending (default `full_name`).
        #[param(pattern = "^-?(full_name|employment_start|created_at|employee_number)$")]
        pub ordering: Option<String>,
        /// Admins only: include soft-deleted members.
        pub include_deleted: Option<bool>,
    }
}

impl StaffListParams {
    fn query(self) -> Result<(StaffListQuery, axis_kernel::PageRequest), ApiError> {
        let mut errors = FieldErrors::new();
        let page = self.page_request().map_err(|e| errors.merge(e)).ok();
        let (ordering, descending) =
            list_ordering(&mut errors, self.ordering.as_deref(), (StaffOrdering::FullName, false));
        let eligible_on = parse_date(&mut errors, "eligible_on", self.eligible_on.as_deref());
        if self.department.as_ref().is_some_and(|d| d.chars().count() > 255) {
            errors.add("department", "must be at most 255 characters");
        }
        errors.into_result()?;
        let query = StaffListQuery {
            client: self.client.map(ClientId),
            status: self.status,
            department: self.department,
            eligible_on,
            search: self.search.map(axis_kernel::PersonSearch::new),
            ordering,
            descending,
            include_deleted: self.include_deleted.unwrap_or(false),
        };
        Ok((query, page.unwrap_or_else(axis_kernel::PageRequest::first)))
    }
}

/// List staff in the caller's scope, by name. Viewers get no contact data; every member shown
/// is on record (`staff.read`).
#[utoipa::path(
    tag = "staff",
    params(StaffListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of staff", body = Paginated<StaffResponse>),
        ListErrors,
    )
)]
#[get("")]
async fn list_staff(
    staff: web::Data<StaffService>,
    Authenticated(actor): Authenticated,
    query: ApiQuery<StaffListParams>,
) -> Result<HttpResponse, ApiError> {
    let (query, page) = query.into_inner().query()?;
    let page = staff.list(&actor, query, page).await?;
    Ok(HttpResponse::Ok().json(Paginated::from_page(page, StaffResponse::from)))
}

/// A client's staff (same filters as the staff list).
#[utoipa::path(
    tag = "staff",
    params(("id" = Uuid, Path, description = "Client id"), StaffListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the client's staff", body = Paginated<StaffResponse>),
        (status = 404, response = NotFound),
        ListErrors,
    )
)]
#[get("/{id}/staff")]
async fn list_client_staff(
    staff: web::Data<StaffService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ClientId>,
    query: ApiQuery<StaffListParams>,
) -> Result<HttpResponse, ApiError> {
    let (query, page) = query.into_inner().query()?;
    let client = id.into_inner();
    let page = staff.list_of_client(&actor, client, query, page).await?;
    Ok(HttpResponse::Ok().json(Paginated::from_page(page, StaffResponse::from)))
}

/// Create a staff member, `active` from the start of employment (admin, manager). Send
/// `Idempotency-Key` to make retries safe.
#[utoipa::path(
    tag = "staff",
    params(IdempotencyKey),
    request_body = StaffRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created (or replayed)", body = StaffResponse,
         headers(("Location" = String, description = "Where the new resource lives"), ("ETag" = String),
                 ("Idempotent-Replayed" = Option<String>))),
        IdempotencyKeyErrors,
        CreateErrors,
    )
)]
#[post("")]
async fn create_staff(
    staff: web::Data<StaffService>,
    Authenticated(actor): Authenticated,
    CreateBody { body, once }: CreateBody<StaffRequest>,
) -> Result<HttpResponse, ApiError> {
    let fields = body.into_fields()?.0;
    once.run(&actor, || async {
        let member = staff.create(&actor, fields).await?.member;
        Created::new(format!("/api/v1/staff/{}", member.id), member.version, &StaffResponse::from(member))
    })
    .await
}

/// One staff member (on record as `staff.read`; viewers get no contact data).
#[utoipa::path(
    tag = "staff",
    params(("id" = Uuid, Path, description = "Staff member id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The staff member", body = StaffResponse, headers(("ETag" = String))),
        ReadOneErrors,
    )
)]
#[get("/{id}")]
async fn get_staff(
    staff: web::Data<StaffService>,
    Authenticated(actor): Authenticated,
    id: web::Path<StaffId>,
) -> Result<HttpResponse, ApiError> {
    Ok(staff_response(staff.get(&actor, id.into_inner()).await?))
}

/// A staff member's status history, in the order it was recorded.
#[utoipa::path(
    tag = "staff",
    params(("id" = Uuid, Path, description = "Staff member id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The history", body = StaffHistoryResponse),
        ReadOneErrors,
    )
)]
#[get("/{id}/history")]
async fn staff_history(
    staff: web::Data<StaffService>,
    Authenticated(actor): Authenticated,
    id: web::Path<StaffId>,
) -> Result<HttpResponse, ApiError> {
    let detail = staff.history(&actor, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(StaffHistoryResponse {
        staff: detail.member.into(),
        history: detail.history.into_iter().map(Into::into).collect(),
    }))
}

/// Replace every writable field (admin, manager); `If-Match` or `version` makes it conditional.
#[utoipa::path(
    tag = "staff",
    params(("id" = Uuid, Path, description = "Staff member id"), IfMatch),
    request_body = StaffRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The staff member", body = StaffResponse, headers(("ETag" = String))),
        UpdateErrors,
    )
)]
#[put("/{id}")]
async fn replace_staff(
    staff: web::Data<StaffService>,
    Authenticated(actor): Authenticated,
    id: web::Path<StaffId>,
    body: ApiJson<StaffRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let (fields, body_version) = body.into_fields()?;
    let if_match = if_match.or_body(body_version)?;
    Ok(staff_response(staff.replace(&actor, id.into_inner(), fields, if_match).await?))
}

/// Change some fields of a staff member (admin, manager). `If-Match` or `version` makes it
/// conditional.
#[utoipa::path(
    tag = "staff",
    params(("id" = Uuid, Path, description = "Staff member id"), IfMatch),
    request_body = StaffPatchRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The staff member", body = StaffResponse, headers(("ETag" = String))),
        UpdateErrors,
    )
)]
#[patch("/{id}")]
async fn update_staff(
    staff: web::Data<StaffService>,
    Authenticated(actor): Authenticated,
    id: web::Path<StaffId>,
    body: ApiJson<StaffPatchRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let mut body = body.into_inner();
    let if_match = if_match.or_body(body.version)?;
    let profile = body.take_profile().into_change()?;
    let employment_start = body.employment_start.try_map(|text| {
        let mut errors = FieldErrors::new();
        parse_date(&mut errors, "employment_start", Some(&text)).ok_or(errors)
    })?;
    let change = move |fields: &mut StaffFields| {
        profile(&mut fields.profile);
        body.employee_number.apply_to(&mut fields.employee_number);
        body.job_title.apply_to(&mut fields.job_title);
        body.department.apply_to(&mut fields.department);
        body.role.apply_to(&mut fields.role);
        employment_start.apply_to_present(&mut fields.employment_start);
    };
    Ok(staff_response(staff.update(&actor, id.into_inner(), change, if_match).await?))
}

/// Soft-delete a staff member (admin, manager); admins can restore them.
#[utoipa::path(
    tag = "staff",
    params(("id" = Uuid, Path, description = "Staff member id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        ActOnOneErrors,
    )
)]
#[delete("/{id}")]
async fn delete_staff(
    staff: web::Data<StaffService>,
    Authenticated(actor): Authenticated,
    id: web::Path<StaffId>,
) -> Result<HttpResponse, ApiError> {
    staff.delete(&actor, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Restore a soft-deleted staff member (admin).
#[utoipa::path(
    tag = "staff",
    params(("id" = Uuid, Path, description = "Staff member id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The staff member", body = StaffResponse, headers(("ETag" = String))),
        (status = 409, response = Conflict),
        ActOnOneErrors,
    )
)]
#[post("/{id}/restore")]
async fn restore_staff(
    staff: web::Data<StaffService>,
    Authenticated(actor): Authenticated,
    id: web::Path<StaffId>,
) -> Result<HttpResponse, ApiError> {
    Ok(staff_response(staff.restore(&actor, id.into_inner()).await?))
}

/// Erase a former member's person data (admin): the profile is blanked, ids, employer,
/// dates and status stay for statistics. Someone still employed is 409.
#[utoipa::path(
    tag = "staff",
    params(("id" = Uuid, Path, description = "Staff member id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The anonymised member", body = StaffResponse, headers(("ETag" = String))),
        (status = 409, response = Conflict),
        ActOnOneErrors,
    )
)]
#[post("/{id}/anonymise")]
async fn anonymise_staff(
    staff: web::Data<StaffService>,
    Authenticated(actor): Authenticated,
    id: web::Path<StaffId>,
) -> Result<HttpResponse, ApiError> {
    Ok(staff_response(staff.anonymise(&actor, id.into_inner()).await?))
}

/// Ends employment on `end_date` (today when absent); the status changes the day after.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndOfEmploymentRequest {
    #[schema(value_type = Option<CalendarDate>)]
    pub end_date: Option<String>,
    #[schema(value_type = Option<Block1000>)]
    pub reason: Option<String>,
}

/// Like [`EndOfEmploymentRequest`], with the reason required.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TerminationRequest {
    #[schema(value_type = Option<CalendarDate>)]
    pub end_date: Option<String>,
    #[schema(value_type = RequiredBlock1000)]
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeaveRequest {
    /// Maternity, sick, study…
    #[schema(value_type = RequiredBlock1000)]
    pub leave_type: String,
    /// After the leave starts.
    #[schema(value_type = Option<CalendarDate>)]
    pub expected_return: Option<String>,
    /// The first day of leave; today when absent.
    #[schema(value_type = Option<CalendarDate>)]
    pub effective_on: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffSuspendRequest {
    #[schema(value_type = RequiredBlock1000)]
    pub reason: String,
    /// Today when absent.
    #[schema(value_type = Option<CalendarDate>)]
    pub effective_on: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReactivateRequest {
    /// Today when absent.
    #[schema(value_type = Option<CalendarDate>)]
    pub effective_on: Option<String>,
}

/// Parses the dates of an action body, or answers their field errors.
pub(crate) fn dates<const N: usize>(
    fields: [(&str, Option<&str>); N],
) -> Result<[Option<time::Date>; N], ApiError> {
    let mut errors = FieldErrors::new();
    let parsed = fields.map(|(field, text)| parse_date(&mut errors, field, text));
    errors.into_result()?;
    Ok(parsed)
}

/// Deactivate: employment ends on `end_date`, inactive from the day after.
#[utoipa::path(
    tag = "staff",
    params(("id" = Uuid, Path, description = "Staff member id"), IfMatch),
    request_body = EndOfEmploymentRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The staff member", body = StaffResponse, headers(("ETag" = String))),
        (status = 409, response = Conflict),
        UpdateErrors,
    )
)]
#[post("/{id}/deactivate")]
async fn deactivate_staff(
    staff: web::Data<StaffService>,
    Authenticated(actor): Authenticated,
    id: web::Path<StaffId>,
    body: ApiJson<EndOfEmploymentRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let [end_date] = dates([("end_date", body.end_date.as_deref())])?;
    act(&staff, &actor, id, Act::Deactivate { end_date, reason: body.reason }, if_match).await
}

/// Put an active member on leave (still served while away).
#[utoipa::path(
    tag = "staff",
    params(("id" = Uuid, Path, description = "Staff member id"), IfMatch),
    request_body = LeaveRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The staff member", body = StaffResponse, headers(("ETag" = String))),
        (status = 409, response = Conflict),
        UpdateErrors,
    )
)]
#[post("/{id}/on-leave")]
async fn put_staff_on_leave(
    staff: web::Data<StaffService>,
    Authenticated(actor): Authenticated,
    id: web::Path<StaffId>,
    body: ApiJson<LeaveRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let [expected_return, effective_on] = dates([
        ("expected_return", body.expected_return.as_deref()),
        ("effective_on", body.effective_on.as_deref()),
    ])?;
    act(
        &staff,
        &actor,
        id,
        Act::OnLeave { leave_type: body.leave_type, expected_return, effective_on },
        if_match,
    )
    .await
}

/// Suspend with a reason: not served while suspended.
#[utoipa::path(
    tag = "staff",
    params(("id" = Uuid, Path, description = "Staff member id"), IfMatch),
    request_body = StaffSuspendRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The staff member", body = StaffResponse, headers(("ETag" = String))),
        (status = 409, response = Conflict),
        UpdateErrors,
    )
)]
#[post("/{id}/suspend")]
async fn suspend_staff(
    staff: web::Data<StaffService>,
    Authenticated(actor): Authenticated,
    id: web::Path<StaffId>,
    body: ApiJson<StaffSuspendRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let [effective_on] = dates([("effective_on", body.effective_on.as_deref())])?;
    act(&staff, &actor, id, Act::Suspend { reason: body.reason, effective_on }, if_match).await
}

/// Terminate (final) with a reason: employment ends on `end_date`, terminated from the day after.
#[utoipa::path(
    tag = "staff",
    params(("id" = Uuid, Path, description = "Staff member id"), IfMatch),
    request_body = TerminationRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The staff member", body = StaffResponse, headers(("ETag" = String))),
        (status = 409, response = Conflict),
        UpdateErrors,
    )
)]
#[post("/{id}/terminate")]
async fn terminate_staff(
    staff: web::Data<StaffService>,
    Authenticated(actor): Authenticated,
    id: web::Path<StaffId>,
    body: ApiJson<TerminationRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let [end_date] = dates([("end_date", body.end_date.as_deref())])?;
    act(&staff, &actor, id, Act::Terminate { end_date, reason: body.reason }, if_match).await
}

/// Record a resignation (final): employment ends on `end_date`, resigned from the day after.
#[utoipa::path(
    tag = "staff",
    params(("id" = Uuid, Path, description = "Staff member id"), IfMatch),
    request_body = EndOfEmploymentRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The staff member", body = StaffResponse, headers(("ETag" = String))),
        (status = 409, response = Conflict),
        UpdateErrors,
    )
)]
#[post("/{id}/resign")]
async fn resign_staff(
    staff: web::Data<StaffService>,
    Authenticated(actor): Authenticated,
    id: web::Path<StaffId>,
    body: ApiJson<EndOfEmploymentRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let [end_date] = dates([("end_date", body.end_date.as_deref())])?;
    act(&staff, &actor, id, Act::Resign { end_date, reason: body.reason }, if_match).await
}

/// Back to active (from on leave, inactive or suspended): leave and any end of employment are cleared.
#[utoipa::path(
    tag = "staff",
    params(("id" = Uuid, Path, description = "Staff member id"), IfMatch),
    request_body = ReactivateRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The staff member", body = StaffResponse, headers(("ETag" = String))),
        (status = 409, response = Conflict),
        UpdateErrors,
    )
)]
#[post("/{id}/reactivate")]
async fn reactivate_staff(
    staff: web::Data<StaffService>,
    Authenticated(actor): Authenticated,
    id: web::Path<StaffId>,
    body: ApiJson<ReactivateRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let [effective_on] = dates([("effective_on", body.effective_on.as_deref())])?;
    act(&staff, &actor, id, Act::Reactivate { effective_on }, if_match).await
}

/// The client's nested staff list, registered under `/api/v1/clients` beside the client routes.
pub(crate) fn configure_nested(cfg: &mut ServiceConfig) {
    cfg.service(list_client_staff);
}
