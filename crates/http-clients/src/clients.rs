//! Client organisations: list, detail, writes, status actions, subscriptions, stats, grants.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use axis_clients::input::{ClientFields, ClientPatch};
use axis_clients::service::{ClientListQuery, StatusChange};
use axis_clients::{
    Access, AccessSource, Client, ClientDetail, ClientStats, ClientStatus, ClientSummary, ContactMethod,
    Grant, IndustryId, TagId,
};
use axis_http::idempotent::{CreateBody, Created};
use axis_http::schema::{IdempotencyKey, IfMatch};
use axis_kernel::{ClientId, FieldErrors, Patch, Role, UserId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::contacts::ContactResponse;
use crate::tags::TagResponse;
use axis_clients::ClientService;
use axis_http::dto::{Paginated, parse_date, with_etag};
use axis_http::extract::Authenticated;
use axis_http::json::ApiJson;
use axis_http::paged_params;
use axis_http::problem::*;
use axis_http::query::ApiQuery;
use axis_http::schema::*;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_clients)
        .service(create_client)
        .service(get_client)
        .service(replace_client)
        .service(update_client)
        .service(delete_client)
        .service(restore_client)
        .service(verify_client)
        .service(activate_client)
        .service(deactivate_client)
        .service(archive_client)
        .service(add_subscription)
        .service(remove_subscription)
        .service(client_stats)
        .service(list_grants)
        .service(add_grant)
        .service(remove_grant);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IndustryRefResponse {
    pub id: Uuid,
    pub name: String,
    pub code: Option<String>,
}

/// A client with its industry, tags, contacts and Azure subscriptions.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Client)]
pub struct ClientResponse {
    pub id: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub address: Option<String>,
    pub billing_address: Option<String>,
    pub tax_id: Option<String>,
    pub contact_person: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub preferred_contact_method: Option<ContactMethod>,
    pub billing_contact: Option<String>,
    pub industry: Option<IndustryRefResponse>,
    pub parent_client_id: Option<Uuid>,
    pub account_manager_id: Option<Uuid>,
    pub azure_subscription_ids: Vec<Uuid>,
    pub tags: Vec<TagResponse>,
    pub contacts: Vec<ContactResponse>,
    pub status: ClientStatus,
    /// Why the client was last deactivated or archived.
    pub status_reason: Option<String>,
    pub is_verified: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub verified_at: Option<OffsetDateTime>,
    pub verified_by: Option<Uuid>,
    pub timezone: Option<String>,
    pub notes: Option<String>,
    #[schema(value_type = Object)]
    pub metadata: serde_json::Value,
    /// `YYYY-MM-DD`; moved forward by calls, e-mails and meetings in the timeline.
    #[schema(value_type = Option<String>, format = Date)]
    pub last_contact_date: Option<String>,
    pub created_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    /// Set on soft-deleted clients (visible to admins only).
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub deleted_at: Option<OffsetDateTime>,
    pub version: i32,
}

impl From<ClientDetail> for ClientResponse {
    fn from(detail: ClientDetail) -> Self {
        let Client {
            id,
            name,
            email,
            phone,
            website,
            address,
            billing_address,
            tax_id,
            contact_person,
            contact_email,
            contact_phone,
            preferred_contact_method,
            billing_contact,
            parent_client_id,
            account_manager_id,
            status,
            status_reason,
            is_verified,
            verified_at,
            verified_by,
            timezone,
            notes,
            metadata,
            last_contact_date,
            created_by,
            version,
            created_at,
            updated_at,
            deleted_at,
            industry_id: _,
        } = detail.client;
        Self {
            id: id.0,
            name,
            email,
            phone,
            website,
            address,
            billing_address,
            tax_id,
            contact_person,
            contact_email,
            contact_phone,
            preferred_contact_method,
            billing_contact,
            industry: detail.industry.map(|i| IndustryRefResponse { id: i.id.0, name: i.name, code: i.code }),
            parent_client_id: parent_client_id.map(|p| p.0),
            account_manager_id: account_manager_id.map(|m| m.0),
            azure_subscription_ids: detail.subscriptions,
            tags: detail.tags.into_iter().map(TagResponse::from).collect(),
            contacts: detail.contacts.into_iter().map(ContactResponse::from).collect(),
            status,
            status_reason,
            is_verified,
            verified_at,
            verified_by: verified_by.map(|v| v.0),
            timezone,
            notes,
            metadata,
            last_contact_date: last_contact_date.map(|d| d.to_string()),
            created_by: created_by.map(|c| c.0),
            created_at,
            updated_at,
            deleted_at,
            version,
        }
    }
}

fn client_response(status: StatusCode, detail: ClientDetail) -> HttpResponse {
    let version = detail.client.version;
    with_etag(status, version, &ClientResponse::from(detail))
}

/// A row of the client list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientListItem {
    pub id: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub status: ClientStatus,
    pub is_verified: bool,
    pub industry_id: Option<Uuid>,
    pub industry_name: Option<String>,
    pub account_manager_id: Option<Uuid>,
    pub active_contracts_count: i64,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub deleted_at: Option<OffsetDateTime>,
    pub version: i32,
}

impl From<ClientSummary> for ClientListItem {
    fn from(s: ClientSummary) -> Self {
        Self {
            id: s.id.0,
            name: s.name,
            email: s.email,
            phone: s.phone,
            status: s.status,
            is_verified: s.is_verified,
            industry_id: s.industry_id.map(|i| i.0),
            industry_name: s.industry_name,
            account_manager_id: s.account_manager_id.map(|m| m.0),
            active_contracts_count: s.active_contracts_count,
            created_at: s.created_at,
            updated_at: s.updated_at,
            deleted_at: s.deleted_at,
            version: s.version,
        }
    }
}

paged_params! {
    pub struct ClientListParams {
        /// Matches name, email, phone, contact person and contact email (case-insensitive).
        #[param(min_length = 1, pattern = "^[^\\u0000]+$")]
        pub search: Option<String>,
        pub status: Option<ClientStatus>,
        pub is_verified: Option<bool>,
        /// Industry id.
        pub industry: Option<Uuid>,
        /// With `industry`: also clients of every industry below it.
        pub include_subindustries: Option<bool>,
        /// User id of the account manager.
        pub account_manager: Option<Uuid>,
        /// Tag slug.
        #[param(min_length = 1, pattern = "^[^\\u0000]+$")]
        pub tag: Option<String>,
        /// Created on or after this day (`YYYY-MM-DD`, UTC).
        #[param(value_type = Option<CalendarDate>)]
        pub created_after: Option<String>,
        /// Created on or before this day (`YYYY-MM-DD`, UTC).
        #[param(value_type = Option<CalendarDate>)]
        pub created_before: Option<String>,
        /// `name`, `created_at`, `updated_at` or `status`; prefix `-` for descending (default `-created_at`).
        #[param(pattern = "^-?(name|created_at|updated_at|status)$")]
        pub ordering: Option<String>,
        /// Admins only: include soft-deleted clients.
        pub include_deleted: Option<bool>,
    }
}

/// List clients in the caller's scope.
#[utoipa::path(
    tag = "clients",
    params(ClientListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of clients", body = Paginated<ClientListItem>),
        (status = 400, response = BadRequest),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
        (status = 409, response = Conflict),
        (status = 409, response = Conflict),
        SignedInErrors,
    )
)]
#[get("")]
async fn list_clients(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    query: ApiQuery<ClientListParams>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let mut errors = FieldErrors::new();
    let page = q.page_request().map_err(|e| errors.merge(e)).ok();
    let created_after = parse_date(&mut errors, "created_after", q.created_after.as_deref());
    let created_before = parse_date(&mut errors, "created_before", q.created_before.as_deref());
    errors.into_result()?;
    let list = ClientListQuery {
        search: q.search,
        status: q.status,
        is_verified: q.is_verified,
        industry: q.industry.map(IndustryId),
        include_subindustries: q.include_subindustries.unwrap_or(false),
        account_manager: q.account_manager.map(UserId),
        tag: q.tag,
        created_after,
        created_before,
        ordering: q.ordering,
        include_deleted: q.include_deleted.unwrap_or(false),
    };
    let clients =
        clients.list_clients(&actor, list, page.unwrap_or_else(axis_kernel::PageRequest::first)).await?;
    Ok(HttpResponse::Ok().json(Paginated::from_page(clients, ClientListItem::from)))
}

/// Every writable field of a client (create and full replace).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientRequest {
    #[schema(value_type = RequiredLine255, example = "Acme Uganda Ltd")]
    pub name: String,
    #[schema(value_type = Option<OptionalEmailAddress>)]
    pub email: Option<String>,
    #[schema(value_type = Option<PhoneNumber>)]
    pub phone: Option<String>,
    /// `http://` or `https://` URL.
    #[schema(value_type = Option<WebsiteUrl>)]
    pub website: Option<String>,
    #[schema(value_type = Option<Block1000>)]
    pub address: Option<String>,
    #[schema(value_type = Option<Block1000>)]
    pub billing_address: Option<String>,
    #[schema(value_type = Option<Line100>)]
    pub tax_id: Option<String>,
    #[schema(value_type = Option<Line255>)]
    pub contact_person: Option<String>,
    #[schema(value_type = Option<OptionalEmailAddress>)]
    pub contact_email: Option<String>,
    #[schema(value_type = Option<PhoneNumber>)]
    pub contact_phone: Option<String>,
    pub preferred_contact_method: Option<ContactMethod>,
    #[schema(value_type = Option<Line255>)]
    pub billing_contact: Option<String>,
    pub industry_id: Option<Uuid>,
    pub parent_client_id: Option<Uuid>,
    /// The user who looks after the client; they see it, so changing it is granting access:
    /// managers and admins only, and it must be an active admin, manager or analyst.
    pub account_manager_id: Option<Uuid>,
    /// On create `pending` (default) or `active`; on replace, absent keeps the status.
    pub status: Option<ClientStatus>,
    /// IANA time zone, e.g. `Africa/Kampala`.
    #[schema(value_type = Option<TimeZoneName>)]
    pub timezone: Option<String>,
    #[schema(value_type = Option<Block10000>)]
    pub notes: Option<String>,
    /// Free-form JSON object, at most 16 KiB.
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<serde_json::Value>,
    /// `YYYY-MM-DD`.
    #[schema(value_type = Option<CalendarDate>)]
    pub last_contact_date: Option<String>,
    /// Replaces the client's tags; absent keeps them on replace.
    pub tag_ids: Option<Vec<Uuid>>,
    /// Alternative to `If-Match` on replace.
    pub version: Option<i32>,
}

impl ClientRequest {
    /// The fields as the domain takes them (the body's `version` apart); a malformed date is
    /// reported here, every other rule by the use case.
    fn into_fields(self) -> Result<(ClientFields, Option<i32>), ApiError> {
        let mut errors = FieldErrors::new();
        let last_contact_date =
            parse_date(&mut errors, "last_contact_date", self.last_contact_date.as_deref());
        errors.into_result()?;
        let fields = ClientFields {
            name: self.name,
            email: self.email,
            phone: self.phone,
            website: self.website,
            address: self.address,
            billing_address: self.billing_address,
            tax_id: self.tax_id,
            contact_person: self.contact_person,
            contact_email: self.contact_email,
            contact_phone: self.contact_phone,
            preferred_contact_method: self.preferred_contact_method,
            billing_contact: self.billing_contact,
            industry_id: self.industry_id.map(IndustryId),
            parent_client_id: self.parent_client_id.map(ClientId),
            account_manager_id: self.account_manager_id.map(UserId),
            status: self.status,
            timezone: self.timezone,
            notes: self.notes,
            metadata: self.metadata,
            last_contact_date,
            tag_ids: self.tag_ids.map(|ids| ids.into_iter().map(TagId).collect()),
        };
        Ok((fields, self.version))
    }
}

/// Create a client (admin, manager). Send `Idempotency-Key` to make retries safe.
#[utoipa::path(
    tag = "clients",
    params(IdempotencyKey),
    request_body = ClientRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created (or replayed)", body = ClientResponse,
         headers(("Location" = String, description = "Where the new resource lives"), ("ETag" = String),
                 ("Idempotent-Replayed" = Option<String>))),
        IdempotencyKeyErrors,
        CreateErrors,
    )
)]
#[post("")]
async fn create_client(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    CreateBody { body, once }: CreateBody<ClientRequest>,
) -> Result<HttpResponse, ApiError> {
    let fields = body.into_fields()?.0;
    once.run(&actor, || async {
        let detail = clients.create_client(&actor, fields).await?;
        Created::new(
            format!("/api/v1/clients/{}", detail.client.id),
            detail.client.version,
            &ClientResponse::from(detail),
        )
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ClientGetParams {
    /// Admins only: return the client even if it is soft-deleted.
    pub include_deleted: Option<bool>,
}

/// A client with its industry, tags, contacts and subscriptions.
#[utoipa::path(
    tag = "clients",
    params(("id" = Uuid, Path, description = "Client id"), ClientGetParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The client", body = ClientResponse, headers(("ETag" = String))),
        ActOnOneErrors,
    )
)]
#[get("/{id}")]
async fn get_client(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ClientId>,
    query: ApiQuery<ClientGetParams>,
) -> Result<HttpResponse, ApiError> {
    let include_deleted = query.include_deleted.unwrap_or(false);
    let detail = clients.get_client(&actor, id.into_inner(), include_deleted).await?;
    Ok(client_response(StatusCode::OK, detail))
}

/// Replace every writable field (admin, manager; analysts within scope). `If-Match` or
/// `version` makes it conditional.
#[utoipa::path(
    tag = "clients",
    params(("id" = Uuid, Path, description = "Client id"), IfMatch),
    request_body = ClientRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The updated client", body = ClientResponse, headers(("ETag" = String))),
        UpdateErrors,
    )
)]
#[put("/{id}")]
async fn replace_client(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ClientId>,
    body: ApiJson<ClientRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let (fields, body_version) = body.into_fields()?;
    let if_match = if_match.or_body(body_version)?;
    let detail = clients.replace_client(&actor, id.into_inner(), fields, if_match).await?;
    Ok(client_response(StatusCode::OK, detail))
}

/// A partial update: only the fields present change; `null` clears an optional field.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientPatchRequest {
    #[schema(value_type = Option<RequiredLine255>)]
    #[serde(default)]
    pub name: Patch<String>,
    #[schema(value_type = Option<OptionalEmailAddress>)]
    #[serde(default)]
    pub email: Patch<String>,
    #[schema(value_type = Option<PhoneNumber>)]
    #[serde(default)]
    pub phone: Patch<String>,
    #[schema(value_type = Option<WebsiteUrl>)]
    #[serde(default)]
    pub website: Patch<String>,
    #[schema(value_type = Option<Block1000>)]
    #[serde(default)]
    pub address: Patch<String>,
    #[schema(value_type = Option<Block1000>)]
    #[serde(default)]
    pub billing_address: Patch<String>,
    #[schema(value_type = Option<Line100>)]
    #[serde(default)]
    pub tax_id: Patch<String>,
    #[schema(value_type = Option<Line255>)]
    #[serde(default)]
    pub contact_person: Patch<String>,
    #[schema(value_type = Option<OptionalEmailAddress>)]
    #[serde(default)]
    pub contact_email: Patch<String>,
    #[schema(value_type = Option<PhoneNumber>)]
    #[serde(default)]
    pub contact_phone: Patch<String>,
    #[schema(value_type = Option<ContactMethod>)]
    #[serde(default)]
    pub preferred_contact_method: Patch<ContactMethod>,
    #[schema(value_type = Option<Line255>)]
    #[serde(default)]
    pub billing_contact: Patch<String>,
    #[schema(value_type = Option<Uuid>)]
    #[serde(default)]
    pub industry_id: Patch<IndustryId>,
    #[schema(value_type = Option<Uuid>)]
    #[serde(default)]
    pub parent_client_id: Patch<ClientId>,
    /// Managers and admins only (it grants the client); an active admin, manager or analyst.
    #[schema(value_type = Option<Uuid>)]
    #[serde(default)]
    pub account_manager_id: Patch<UserId>,
    #[schema(value_type = Option<ClientStatus>)]
    #[serde(default)]
    pub status: Patch<ClientStatus>,
    #[schema(value_type = Option<TimeZoneName>)]
    #[serde(default)]
    pub timezone: Patch<String>,
    #[schema(value_type = Option<Block10000>)]
    #[serde(default)]
    pub notes: Patch<String>,
    #[schema(value_type = Option<Object>)]
    #[serde(default)]
    pub metadata: Patch<serde_json::Value>,
    /// `YYYY-MM-DD`.
    #[schema(value_type = Option<CalendarDate>)]
    #[serde(default)]
    pub last_contact_date: Patch<String>,
    #[schema(value_type = Option<Vec<Uuid>>)]
    #[serde(default)]
    pub tag_ids: Patch<Vec<TagId>>,
    /// Alternative to `If-Match`.
    pub version: Option<i32>,
}

/// Change some fields of a client. `If-Match` or `version` makes it conditional.
#[utoipa::path(
    tag = "clients",
    params(("id" = Uuid, Path, description = "Client id"), IfMatch),
    request_body = ClientPatchRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The updated client", body = ClientResponse, headers(("ETag" = String))),
        UpdateErrors,
    )
)]
#[patch("/{id}")]
async fn update_client(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ClientId>,
    body: ApiJson<ClientPatchRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let if_match = if_match.or_body(body.version)?;
    let last_contact_date = body.last_contact_date.try_map(|text| {
        axis_kernel::input::date(&text).map_err(|message| FieldErrors::single("last_contact_date", message))
    })?;
    let patch = ClientPatch {
        name: body.name,
        email: body.email,
        phone: body.phone,
        website: body.website,
        address: body.address,
        billing_address: body.billing_address,
        tax_id: body.tax_id,
        contact_person: body.contact_person,
        contact_email: body.contact_email,
        contact_phone: body.contact_phone,
        preferred_contact_method: body.preferred_contact_method,
        billing_contact: body.billing_contact,
        industry_id: body.industry_id,
        parent_client_id: body.parent_client_id,
        account_manager_id: body.account_manager_id,
        status: body.status,
        timezone: body.timezone,
        notes: body.notes,
        metadata: body.metadata,
        last_contact_date,
        tag_ids: body.tag_ids,
    };
    let detail = clients.update_client(&actor, id.into_inner(), patch, if_match).await?;
    Ok(client_response(StatusCode::OK, detail))
}

/// Soft-delete a client (admin, manager): it disappears from every read; admins can restore it.
#[utoipa::path(
    tag = "clients",
    params(("id" = Uuid, Path, description = "Client id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        ActOnOneErrors,
    )
)]
#[delete("/{id}")]
async fn delete_client(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ClientId>,
) -> Result<HttpResponse, ApiError> {
    clients.delete_client(&actor, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Restore a soft-deleted client (admin).
#[utoipa::path(
    tag = "clients",
    params(("id" = Uuid, Path, description = "Client id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The client", body = ClientResponse, headers(("ETag" = String))),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
        ActOnOneErrors,
    )
)]
#[post("/{id}/restore")]
async fn restore_client(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ClientId>,
) -> Result<HttpResponse, ApiError> {
    Ok(client_response(StatusCode::OK, clients.restore_client(&actor, id.into_inner()).await?))
}

/// Mark the client verified (admin, manager); 409 if it already is.
#[utoipa::path(
    tag = "clients",
    params(("id" = Uuid, Path, description = "Client id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The client", body = ClientResponse, headers(("ETag" = String))),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
        ActOnOneErrors,
    )
)]
#[post("/{id}/verify")]
async fn verify_client(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ClientId>,
) -> Result<HttpResponse, ApiError> {
    Ok(client_response(StatusCode::OK, clients.verify_client(&actor, id.into_inner()).await?))
}

/// Activate the client (admin, manager); it needs a contact channel.
#[utoipa::path(
    tag = "clients",
    params(("id" = Uuid, Path, description = "Client id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The client", body = ClientResponse, headers(("ETag" = String))),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
        ActOnOneErrors,
    )
)]
#[post("/{id}/activate")]
async fn activate_client(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ClientId>,
) -> Result<HttpResponse, ApiError> {
    let detail = clients.change_client_status(&actor, id.into_inner(), StatusChange::Activate).await?;
    Ok(client_response(StatusCode::OK, detail))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    /// Why; kept on the client as `status_reason` and in the audit trail.
    #[schema(value_type = RequiredBlock1000)]
    pub reason: String,
}

/// Deactivate the client with a reason (admin, manager).
#[utoipa::path(
    tag = "clients",
    params(("id" = Uuid, Path, description = "Client id")),
    request_body = ReasonRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The client", body = ClientResponse, headers(("ETag" = String))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/{id}/deactivate")]
async fn deactivate_client(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ClientId>,
    body: ApiJson<ReasonRequest>,
) -> Result<HttpResponse, ApiError> {
    let change = StatusChange::Deactivate(body.into_inner().reason);
    let detail = clients.change_client_status(&actor, id.into_inner(), change).await?;
    Ok(client_response(StatusCode::OK, detail))
}

/// Archive the client with a reason (admin, manager).
#[utoipa::path(
    tag = "clients",
    params(("id" = Uuid, Path, description = "Client id")),
    request_body = ReasonRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The client", body = ClientResponse, headers(("ETag" = String))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/{id}/archive")]
async fn archive_client(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ClientId>,
    body: ApiJson<ReasonRequest>,
) -> Result<HttpResponse, ApiError> {
    let change = StatusChange::Archive(body.into_inner().reason);
    let detail = clients.change_client_status(&actor, id.into_inner(), change).await?;
    Ok(client_response(StatusCode::OK, detail))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionRequest {
    /// Azure subscription GUID.
    #[schema(value_type = SubscriptionGuid, example = "0f8fad5b-d9cb-469f-a165-70867728950e")]
    pub subscription_id: String,
}

/// Link an Azure subscription to the client (analysts within scope and up).
#[utoipa::path(
    tag = "clients",
    params(("id" = Uuid, Path, description = "Client id")),
    request_body = SubscriptionRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Linked; the client", body = ClientResponse, headers(("ETag" = String))),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        SignedInErrors,
        JsonBodyErrors,
        PathIdErrors,
    )
)]
#[post("/{id}/subscriptions")]
async fn add_subscription(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ClientId>,
    body: ApiJson<SubscriptionRequest>,
) -> Result<HttpResponse, ApiError> {
    let detail = clients.add_subscription(&actor, id.into_inner(), &body.subscription_id).await?;
    Ok(client_response(StatusCode::CREATED, detail))
}

/// Unlink an Azure subscription.
#[utoipa::path(
    tag = "clients",
    params(("id" = Uuid, Path, description = "Client id"), ("sub_id" = String, Path, description = "Subscription GUID")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Unlinked"),
        ActOnOneErrors,
    )
)]
#[delete("/{id}/subscriptions/{sub_id}")]
async fn remove_subscription(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    path: web::Path<(Uuid, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, subscription) = path.into_inner();
    clients.remove_subscription(&actor, ClientId(id), &subscription).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClientStatsResponse {
    pub contracts_total: i64,
    pub contracts_active: i64,
    /// Staff members in service today (active or on leave).
    pub staff: i64,
    /// Active beneficiaries.
    pub beneficiaries: i64,
    pub subscriptions: i64,
    pub reports: i64,
    pub contacts: i64,
    pub activities: i64,
}

impl From<ClientStats> for ClientStatsResponse {
    fn from(s: ClientStats) -> Self {
        Self {
            contracts_total: s.contracts_total,
            contracts_active: s.contracts_active,
            staff: s.staff,
            beneficiaries: s.beneficiaries,
            subscriptions: s.subscriptions,
            reports: s.reports,
            contacts: s.contacts,
            activities: s.activities,
        }
    }
}

/// Counts about the client (contracts, staff and reports arrive with their domains).
#[utoipa::path(
    tag = "clients",
    params(("id" = Uuid, Path, description = "Client id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Counts", body = ClientStatsResponse),
        ReadOneErrors,
    )
)]
#[get("/{id}/stats")]
async fn client_stats(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ClientId>,
) -> Result<HttpResponse, ApiError> {
    let stats = clients.client_stats(&actor, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(ClientStatsResponse::from(stats)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GrantResponse {
    pub user_id: Uuid,
    pub client_id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub granted_at: OffsetDateTime,
    pub granted_by: Option<Uuid>,
}

impl From<Grant> for GrantResponse {
    fn from(g: Grant) -> Self {
        Self {
            user_id: g.user_id.0,
            client_id: g.client_id.0,
            granted_at: g.granted_at,
            granted_by: g.granted_by.map(|u| u.0),
        }
    }
}

/// One user's access to the client and where it comes from.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessResponse {
    pub user_id: Uuid,
    /// The user's role today.
    pub role: Role,
    /// `role` (admins and managers see every client), `account_manager`, or `grant`.
    pub source: AccessSource,
    /// When the grant was made (`null` for a role or an account manager).
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub granted_at: Option<OffsetDateTime>,
    pub granted_by: Option<Uuid>,
}

impl From<Access> for AccessResponse {
    fn from(a: Access) -> Self {
        Self {
            user_id: a.user_id.0,
            role: a.role,
            source: a.source,
            granted_at: a.granted_at,
            granted_by: a.granted_by.map(|u| u.0),
        }
    }
}

/// Everyone who can see this client and why (admin): active admins and managers by their
/// role, the account manager, and the users granted it. A user with two sources is listed
/// once for each.
#[utoipa::path(
    tag = "clients",
    params(("id" = Uuid, Path, description = "Client id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Access to the client by source", body = Vec<AccessResponse>),
        ActOnOneErrors,
    )
)]
#[get("/{id}/grants")]
async fn list_grants(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ClientId>,
) -> Result<HttpResponse, ApiError> {
    let access = clients.list_grants(&actor, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(access.into_iter().map(AccessResponse::from).collect::<Vec<_>>()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantRequest {
    pub user_id: Uuid,
}

/// Grant a user access to this client (admin).
#[utoipa::path(
    tag = "clients",
    params(("id" = Uuid, Path, description = "Client id")),
    request_body = GrantRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Granted", body = GrantResponse),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        SignedInErrors,
        JsonBodyErrors,
        PathIdErrors,
    )
)]
#[post("/{id}/grants")]
async fn add_grant(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ClientId>,
    body: ApiJson<GrantRequest>,
) -> Result<HttpResponse, ApiError> {
    let grant = clients.grant_access(&actor, id.into_inner(), UserId(body.user_id)).await?;
    Ok(HttpResponse::Created().json(GrantResponse::from(grant)))
}

/// Withdraw a user's access to this client (admin): their grant and, when they are its
/// account manager, that place too. 404 when neither gives them the client; 409 when only
/// their role does (change the role instead).
#[utoipa::path(
    tag = "clients",
    params(("id" = Uuid, Path, description = "Client id"), ("user_id" = Uuid, Path, description = "User id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 409, response = Conflict),
        ActOnOneErrors,
    )
)]
#[delete("/{id}/grants/{user_id}")]
async fn remove_grant(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    ids: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, user) = ids.into_inner();
    clients.revoke_access(&actor, ClientId(id), UserId(user)).await?;
    Ok(HttpResponse::NoContent().finish())
}
