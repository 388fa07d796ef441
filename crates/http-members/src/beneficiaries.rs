//! Beneficiaries: CRUD with `If-Match`, idempotent create, deactivate and reactivate with their
//! dates, the status history, families, anonymisation, and the lists (all, and a client's).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use axis_beneficiaries::{
    Beneficiary, BeneficiaryAction, BeneficiaryFields, BeneficiaryId, BeneficiaryListQuery,
    BeneficiaryOrdering, BeneficiaryService, BeneficiaryStatus, Family, Guardian, GuardianKind, Relation,
};
use axis_http::extract::Authenticated;
use axis_http::idempotent::{CreateBody, Created};
use axis_http::json::ApiJson;
use axis_http::query::ApiQuery;
use axis_http::schema::{IdempotencyKey, IfMatch};
use axis_kernel::{Actor, ClientId, FieldErrors};
use axis_staff::StaffId;
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
use crate::staff::{StaffResponse, dates};

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_beneficiaries)
        .service(create_beneficiary)
        .service(get_beneficiary)
        .service(replace_beneficiary)
        .service(update_beneficiary)
        .service(delete_beneficiary)
        .service(restore_beneficiary)
        .service(beneficiary_history)
        .service(beneficiary_family)
        .service(deactivate_beneficiary)
        .service(reactivate_beneficiary)
        .service(anonymise_beneficiary);
}

axis_http::status_change_response!(
    /// One entry of a beneficiary's status history.
    BeneficiaryStatusChangeResponse,
    BeneficiaryStatus
);

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Beneficiary)]
pub struct BeneficiaryResponse {
    pub id: Uuid,
    pub staff_id: Uuid,
    /// The staff member's employer.
    pub client_id: Uuid,
    #[serde(flatten)]
    pub profile: MemberProfileResponse,
    pub relation: Relation,
    /// `staff_member`, `named` (see the `guardian_*` fields) or none.
    pub guardian_kind: Option<GuardianKind>,
    pub guardian_name: Option<String>,
    pub guardian_relation: Option<String>,
    pub guardian_phone: Option<String>,
    pub guardian_email: Option<String>,
    /// The status today.
    pub status: BeneficiaryStatus,
    /// A change dated ahead, waiting for its day (then `status` shows it).
    pub scheduled_change: Option<axis_http::dto::ScheduledChange<BeneficiaryStatus>>,
    #[schema(value_type = Option<String>, format = Date)]
    pub last_service_date: Option<String>,
    pub notes: Option<String>,
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

impl From<Beneficiary> for BeneficiaryResponse {
    fn from(b: Beneficiary) -> Self {
        let guardian_kind = b.guardian.as_ref().map(Guardian::kind);
        let (guardian_name, guardian_relation, guardian_phone, guardian_email) = match b.guardian {
            Some(Guardian::Named { name, relation, phone, email }) => (Some(name), relation, phone, email),
            _ => (None, None, None, None),
        };
        Self {
            id: b.id.0,
            staff_id: b.staff_id.0,
            client_id: b.client_id.0,
            profile: b.profile.into(),
            relation: b.relation,
            guardian_kind,
            guardian_name,
            guardian_relation,
            guardian_phone,
            guardian_email,
            status: b.status,
            scheduled_change: b.scheduled_change.map(Into::into),
            last_service_date: b.last_service_date.map(|d| d.to_string()),
            notes: b.notes,
            version: b.version,
            created_at: b.created_at,
            updated_at: b.updated_at,
            deleted_at: b.deleted_at,
            anonymised_at: b.anonymised_at,
        }
    }
}

fn beneficiary_response(beneficiary: Beneficiary) -> HttpResponse {
    let body = BeneficiaryResponse::from(beneficiary);
    with_etag(StatusCode::OK, body.version, &body)
}

/// Moves a beneficiary by a status action from `effective_on` and answers them as `GET` does.
async fn act(
    beneficiaries: &BeneficiaryService,
    actor: &Actor,
    id: web::Path<BeneficiaryId>,
    action: BeneficiaryAction,
    body: BeneficiaryStatusRequest,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let if_match = if_match.version()?;
    let [effective_on] = dates([("effective_on", body.effective_on.as_deref())])?;
    let moved =
        beneficiaries.act(actor, id.into_inner(), action, effective_on, body.reason, if_match).await?;
    Ok(beneficiary_response(moved))
}

/// A beneficiary's status history.
#[derive(Debug, Serialize, ToSchema)]
pub struct BeneficiaryHistoryResponse {
    pub beneficiary: BeneficiaryResponse,
    /// Oldest first.
    pub history: Vec<BeneficiaryStatusChangeResponse>,
}

/// A staff member and everyone registered under them.
#[derive(Debug, Serialize, ToSchema)]
pub struct FamilyResponse {
    pub staff: StaffResponse,
    /// By name.
    pub beneficiaries: Vec<BeneficiaryResponse>,
}

impl From<Family> for FamilyResponse {
    fn from(family: Family) -> Self {
        Self {
            staff: family.staff.into(),
            beneficiaries: family.beneficiaries.into_iter().map(Into::into).collect(),
        }
    }
}

with_profile! {
    /// Every writable field of a beneficiary (create and PUT). The status changes only through
    /// the actions.
    pub struct BeneficiaryRequest {
        /// Their staff member; a beneficiary moves only between staff members of one client.
        pub staff_id: Uuid,
        pub relation: Relation,
        /// Required for a child under 18: `staff_member`, or `named` with `guardian_name`.
        pub guardian_kind: Option<GuardianKind>,
        #[schema(value_type = Option<Name255>)]
        pub guardian_name: Option<String>,
        #[schema(value_type = Option<Line100>)]
        pub guardian_relation: Option<String>,
        #[schema(value_type = Option<PhoneNumber>)]
        pub guardian_phone: Option<String>,
        #[schema(value_type = Option<OptionalEmailAddress>)]
        pub guardian_email: Option<String>,
        #[schema(value_type = Option<CalendarDate>)]
        pub last_service_date: Option<String>,
        #[schema(value_type = Option<Block10000>)]
        pub notes: Option<String>,
        /// Alternative to `If-Match` on PUT.
        pub version: Option<i32>,
    }
}

impl BeneficiaryRequest {
    fn into_fields(mut self) -> Result<(BeneficiaryFields, Option<i32>), ApiError> {
        let mut errors = FieldErrors::new();
        let profile = self.take_profile(&mut errors);
        let last_service_date =
            parse_date(&mut errors, "last_service_date", self.last_service_date.as_deref());
        errors.into_result()?;
        let fields = BeneficiaryFields {
            staff_id: Some(StaffId(self.staff_id)),
            profile,
            relation: Some(self.relation),
            guardian_kind: self.guardian_kind,
            guardian_name: self.guardian_name,
            guardian_relation: self.guardian_relation,
            guardian_phone: self.guardian_phone,
            guardian_email: self.guardian_email,
            last_service_date,
            notes: self.notes,
        };
        Ok((fields, self.version))
    }
}

with_profile_patch! {
    /// A partial update: only the fields present change; `null` clears an optional field and
    /// keeps a required one (the name, the staff member, the relation).
    pub struct BeneficiaryPatchRequest {
        #[schema(value_type = Option<Uuid>)]
        #[serde(default)]
        pub staff_id: axis_kernel::Patch<Uuid>,
        #[schema(value_type = Option<Relation>)]
        #[serde(default)]
        pub relation: axis_kernel::Patch<Relation>,
        #[schema(value_type = Option<GuardianKind>)]
        #[serde(default)]
        pub guardian_kind: axis_kernel::Patch<GuardianKind>,
        #[schema(value_type = Option<Name255>)]
        #[serde(default)]
        pub guardian_name: axis_kernel::Patch<String>,
        #[schema(value_type = Option<Line100>)]
        #[serde(default)]
        pub guardian_relation: axis_kernel::Patch<String>,
        #[schema(value_type = Option<PhoneNumber>)]
        #[serde(default)]
        pub guardian_phone: axis_kernel::Patch<String>,
        #[schema(value_type = Option<OptionalEmailAddress>)]
        #[serde(default)]
        pub guardian_email: axis_kernel::Patch<String>,
        #[schema(value_type = Option<CalendarDate>)]
        #[serde(default)]
        pub last_service_date: axis_kernel::Patch<String>,
        #[schema(value_type = Option<Block10000>)]
        #[serde(default)]
        pub notes: axis_kernel::Patch<String>,
        /// Alternative to `If-Match`.
        pub version: Option<i32>,
    }
}

paged_params! {
    pub struct BeneficiaryListParams {
        pub client: Option<Uuid>,
        /// Beneficiaries of this staff member.
        pub staff: Option<Uuid>,
        pub status: Option<BeneficiaryStatus>,
        pub relation: Option<Relation>,
        /// Only those eligible for service on this day.
        #[param(value_type = Option<String>, format = Date)]
        pub eligible_on: Option<String>,
        /// Matches name and preferred name, and e-mail and phone for roles that read them (not
        /// viewers); case-insensitive.
        #[param(min_length = 1, pattern = "^[^\\u0000]+$")]
        pub search: Option<String>,
        /// `full_name` or `created_at`; prefix `-` for descending (default `full_name`).
        #[param(pattern = "^-?(full_name|created_at)$")]
        pub ordering: Option<String>,
        /// Admins only: include soft-deleted beneficiaries.
        pub include_deleted: Option<bool>,
    }
}

impl BeneficiaryListParams {
    fn query(self) -> Result<(BeneficiaryListQuery, axis_kernel::PageRequest), ApiError> {
        let mut errors = FieldErrors::new();
        let page = self.page_request().map_err(|e| errors.merge(e)).ok();
        let (ordering, descending) =
            list_ordering(&mut errors, self.ordering.as_deref(), (BeneficiaryOrdering::FullName, false));
        let eligible_on = parse_date(&mut errors, "eligible_on", self.eligible_on.as_deref());
        errors.into_result()?;
        let query = BeneficiaryListQuery {
            client: self.client.map(ClientId),
            staff: self.staff.map(StaffId),
            status: self.status,
            relation: self.relation,
            eligible_on,
            search: self.search.map(axis_kernel::PersonSearch::new),
            ordering,
            descending,
            include_deleted: self.include_deleted.unwrap_or(false),
        };
        Ok((query, page.unwrap_or_else(axis_kernel::PageRequest::first)))
    }
}

/// List beneficiaries in the caller's scope, by name. Viewers get no contact data; every
/// beneficiary shown is on record (`beneficiary.read`).
#[utoipa::path(
    tag = "beneficiaries",
    params(BeneficiaryListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of beneficiaries", body = Paginated<BeneficiaryResponse>),
        ListErrors,
    )
)]
#[get("")]
async fn list_beneficiaries(
    beneficiaries: web::Data<BeneficiaryService>,
    Authenticated(actor): Authenticated,
    query: ApiQuery<BeneficiaryListParams>,
) -> Result<HttpResponse, ApiError> {
    let (query, page) = query.into_inner().query()?;
    let page = beneficiaries.list(&actor, query, page).await?;
    Ok(HttpResponse::Ok().json(Paginated::from_page(page, BeneficiaryResponse::from)))
}

/// A client's beneficiaries (same filters as the beneficiary list).
#[utoipa::path(
    tag = "beneficiaries",
    params(("id" = Uuid, Path, description = "Client id"), BeneficiaryListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the client's beneficiaries", body = Paginated<BeneficiaryResponse>),
        (status = 404, response = NotFound),
        ListErrors,
    )
)]
#[get("/{id}/beneficiaries")]
async fn list_client_beneficiaries(
    beneficiaries: web::Data<BeneficiaryService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ClientId>,
    query: ApiQuery<BeneficiaryListParams>,
) -> Result<HttpResponse, ApiError> {
    let (query, page) = query.into_inner().query()?;
    let client = id.into_inner();
    let page = beneficiaries.list_of_client(&actor, client, query, page).await?;
    Ok(HttpResponse::Ok().json(Paginated::from_page(page, BeneficiaryResponse::from)))
}

/// Register a beneficiary under a staff member (admin, manager); they join the staff member's
/// client. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(
    tag = "beneficiaries",
    params(IdempotencyKey),
    request_body = BeneficiaryRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created (or replayed)", body = BeneficiaryResponse,
         headers(("Location" = String, description = "Where the new resource lives"), ("ETag" = String),
                 ("Idempotent-Replayed" = Option<String>))),
        IdempotencyKeyErrors,
        CreateErrors,
    )
)]
#[post("")]
async fn create_beneficiary(
    beneficiaries: web::Data<BeneficiaryService>,
    Authenticated(actor): Authenticated,
    CreateBody { body, once }: CreateBody<BeneficiaryRequest>,
) -> Result<HttpResponse, ApiError> {
    let fields = body.into_fields()?.0;
    once.run(&actor, || async {
        let created = beneficiaries.create(&actor, fields).await?;
        Created::new(
            format!("/api/v1/beneficiaries/{}", created.id),
            created.version,
            &BeneficiaryResponse::from(created),
        )
    })
    .await
}

/// One beneficiary (on record as `beneficiary.read`; viewers get no contact data).
#[utoipa::path(
    tag = "beneficiaries",
    params(("id" = Uuid, Path, description = "Beneficiary id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The beneficiary", body = BeneficiaryResponse, headers(("ETag" = String))),
        ReadOneErrors,
    )
)]
#[get("/{id}")]
async fn get_beneficiary(
    beneficiaries: web::Data<BeneficiaryService>,
    Authenticated(actor): Authenticated,
    id: web::Path<BeneficiaryId>,
) -> Result<HttpResponse, ApiError> {
    Ok(beneficiary_response(beneficiaries.get(&actor, id.into_inner()).await?))
}

/// A beneficiary's status history, in the order it was recorded.
#[utoipa::path(
    tag = "beneficiaries",
    params(("id" = Uuid, Path, description = "Beneficiary id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The history", body = BeneficiaryHistoryResponse),
        ReadOneErrors,
    )
)]
#[get("/{id}/history")]
async fn beneficiary_history(
    beneficiaries: web::Data<BeneficiaryService>,
    Authenticated(actor): Authenticated,
    id: web::Path<BeneficiaryId>,
) -> Result<HttpResponse, ApiError> {
    let (beneficiary, history) = beneficiaries.history(&actor, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(BeneficiaryHistoryResponse {
        beneficiary: beneficiary.into(),
        history: history.into_iter().map(Into::into).collect(),
    }))
}

/// The beneficiary's family: their staff member and everyone registered under them.
#[utoipa::path(
    tag = "beneficiaries",
    params(("id" = Uuid, Path, description = "Beneficiary id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The family", body = FamilyResponse),
        ReadOneErrors,
    )
)]
#[get("/{id}/family")]
async fn beneficiary_family(
    beneficiaries: web::Data<BeneficiaryService>,
    Authenticated(actor): Authenticated,
    id: web::Path<BeneficiaryId>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(FamilyResponse::from(beneficiaries.family(&actor, id.into_inner()).await?)))
}

/// A staff member's family: the member and everyone registered under them.
#[utoipa::path(
    tag = "staff",
    params(("id" = Uuid, Path, description = "Staff member id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The family", body = FamilyResponse),
        ReadOneErrors,
    )
)]
#[get("/{id}/family")]
async fn staff_family(
    beneficiaries: web::Data<BeneficiaryService>,
    Authenticated(actor): Authenticated,
    id: web::Path<StaffId>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok()
        .json(FamilyResponse::from(beneficiaries.family_of_staff(&actor, id.into_inner()).await?)))
}

/// Replace every writable field (admin, manager); `If-Match` or `version` makes it conditional.
#[utoipa::path(
    tag = "beneficiaries",
    params(("id" = Uuid, Path, description = "Beneficiary id"), IfMatch),
    request_body = BeneficiaryRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The beneficiary", body = BeneficiaryResponse, headers(("ETag" = String))),
        UpdateErrors,
    )
)]
#[put("/{id}")]
async fn replace_beneficiary(
    beneficiaries: web::Data<BeneficiaryService>,
    Authenticated(actor): Authenticated,
    id: web::Path<BeneficiaryId>,
    body: ApiJson<BeneficiaryRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let (fields, body_version) = body.into_fields()?;
    let if_match = if_match.or_body(body_version)?;
    Ok(beneficiary_response(beneficiaries.replace(&actor, id.into_inner(), fields, if_match).await?))
}

/// Change some fields of a beneficiary (admin, manager). `If-Match` or `version` makes it
/// conditional.
#[utoipa::path(
    tag = "beneficiaries",
    params(("id" = Uuid, Path, description = "Beneficiary id"), IfMatch),
    request_body = BeneficiaryPatchRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The beneficiary", body = BeneficiaryResponse, headers(("ETag" = String))),
        UpdateErrors,
    )
)]
#[patch("/{id}")]
async fn update_beneficiary(
    beneficiaries: web::Data<BeneficiaryService>,
    Authenticated(actor): Authenticated,
    id: web::Path<BeneficiaryId>,
    body: ApiJson<BeneficiaryPatchRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let mut body = body.into_inner();
    let if_match = if_match.or_body(body.version)?;
    let profile = body.take_profile().into_change()?;
    let last_service_date = body.last_service_date.try_map(|text| {
        let mut errors = FieldErrors::new();
        parse_date(&mut errors, "last_service_date", Some(&text)).ok_or(errors)
    })?;
    let change = move |fields: &mut BeneficiaryFields| {
        profile(&mut fields.profile);
        body.staff_id.map(StaffId).apply_to_present(&mut fields.staff_id);
        body.relation.apply_to_present(&mut fields.relation);
        body.guardian_kind.apply_to(&mut fields.guardian_kind);
        body.guardian_name.apply_to(&mut fields.guardian_name);
        body.guardian_relation.apply_to(&mut fields.guardian_relation);
        body.guardian_phone.apply_to(&mut fields.guardian_phone);
        body.guardian_email.apply_to(&mut fields.guardian_email);
        last_service_date.apply_to(&mut fields.last_service_date);
        body.notes.apply_to(&mut fields.notes);
    };
    Ok(beneficiary_response(beneficiaries.update(&actor, id.into_inner(), change, if_match).await?))
}

/// Soft-delete a beneficiary (admin, manager); admins can restore them.
#[utoipa::path(
    tag = "beneficiaries",
    params(("id" = Uuid, Path, description = "Beneficiary id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        ActOnOneErrors,
    )
)]
#[delete("/{id}")]
async fn delete_beneficiary(
    beneficiaries: web::Data<BeneficiaryService>,
    Authenticated(actor): Authenticated,
    id: web::Path<BeneficiaryId>,
) -> Result<HttpResponse, ApiError> {
    beneficiaries.delete(&actor, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Restore a soft-deleted beneficiary (admin).
#[utoipa::path(
    tag = "beneficiaries",
    params(("id" = Uuid, Path, description = "Beneficiary id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The beneficiary", body = BeneficiaryResponse, headers(("ETag" = String))),
        (status = 409, response = Conflict),
        ActOnOneErrors,
    )
)]
#[post("/{id}/restore")]
async fn restore_beneficiary(
    beneficiaries: web::Data<BeneficiaryService>,
    Authenticated(actor): Authenticated,
    id: web::Path<BeneficiaryId>,
) -> Result<HttpResponse, ApiError> {
    Ok(beneficiary_response(beneficiaries.restore(&actor, id.into_inner()).await?))
}

/// Erase a former (inactive) beneficiary's person data (admin): profile, guardian and notes
/// are blanked; ids, relation and dates stay for statistics.
#[utoipa::path(
    tag = "beneficiaries",
    params(("id" = Uuid, Path, description = "Beneficiary id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The anonymised beneficiary", body = BeneficiaryResponse, headers(("ETag" = String))),
        (status = 409, response = Conflict),
        ActOnOneErrors,
    )
)]
#[post("/{id}/anonymise")]
async fn anonymise_beneficiary(
    beneficiaries: web::Data<BeneficiaryService>,
    Authenticated(actor): Authenticated,
    id: web::Path<BeneficiaryId>,
) -> Result<HttpResponse, ApiError> {
    Ok(beneficiary_response(beneficiaries.anonymise(&actor, id.into_inner()).await?))
}

/// A status change with its day (today when absent, not before the registration).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BeneficiaryStatusRequest {
    #[schema(value_type = Option<CalendarDate>)]
    pub effective_on: Option<String>,
    #[schema(value_type = Option<Block1000>)]
    pub reason: Option<String>,
}

/// Deactivate (active → inactive): not served from `effective_on`.
#[utoipa::path(
    tag = "beneficiaries",
    params(("id" = Uuid, Path, description = "Beneficiary id"), IfMatch),
    request_body = BeneficiaryStatusRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The beneficiary", body = BeneficiaryResponse, headers(("ETag" = String))),
        (status = 409, response = Conflict),
        UpdateErrors,
    )
)]
#[post("/{id}/deactivate")]
async fn deactivate_beneficiary(
    beneficiaries: web::Data<BeneficiaryService>,
    Authenticated(actor): Authenticated,
    id: web::Path<BeneficiaryId>,
    body: ApiJson<BeneficiaryStatusRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    act(&beneficiaries, &actor, id, BeneficiaryAction::Deactivate, body.into_inner(), if_match).await
}

/// Reactivate (inactive → active) from `effective_on`.
#[utoipa::path(
    tag = "beneficiaries",
    params(("id" = Uuid, Path, description = "Beneficiary id"), IfMatch),
    request_body = BeneficiaryStatusRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The beneficiary", body = BeneficiaryResponse, headers(("ETag" = String))),
        (status = 409, response = Conflict),
        UpdateErrors,
    )
)]
#[post("/{id}/reactivate")]
async fn reactivate_beneficiary(
    beneficiaries: web::Data<BeneficiaryService>,
    Authenticated(actor): Authenticated,
    id: web::Path<BeneficiaryId>,
    body: ApiJson<BeneficiaryStatusRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    act(&beneficiaries, &actor, id, BeneficiaryAction::Reactivate, body.into_inner(), if_match).await
}

/// The family route under `/api/v1/staff` and the client's nested list.
pub(crate) fn configure_under_staff(cfg: &mut ServiceConfig) {
    cfg.service(staff_family);
}

pub(crate) fn configure_nested(cfg: &mut ServiceConfig) {
    cfg.service(list_client_beneficiaries);
}
