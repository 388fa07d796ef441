//! A client's contacts and its activity timeline. Both live inside the client: the client is
//! resolved within the caller's scope first, so an out-of-scope client answers 404.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, post, put, web};
use axis_clients::input::{ActivityFields, ContactDraft, ContactFields};
use axis_clients::ports::ActivityFilter;
use axis_clients::{
    Activity, ActivityId, ActivityType, ClientService, Contact, ContactId, ContactMethod, ContactRole,
};
use axis_http::idempotent::{CreateBody, Created};
use axis_http::json::ApiJson;
use axis_http::schema::{IdempotencyKey, IfMatch};
use axis_kernel::{ClientId, FieldErrors};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use axis_http::dto::{PageQuery, Paginated, parse_time, with_etag};
use axis_http::extract::Authenticated;
use axis_http::paged_params;
use axis_http::problem::*;
use axis_http::query::ApiQuery;
use axis_http::schema::*;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_contacts)
        .service(create_contact)
        .service(get_contact)
        .service(replace_contact)
        .service(delete_contact)
        .service(set_primary_contact)
        .service(list_activities)
        .service(create_activity)
        .service(get_activity)
        .service(replace_activity)
        .service(delete_activity);
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Contact)]
pub struct ContactResponse {
    pub id: Uuid,
    pub client_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub mobile: Option<String>,
    pub role: ContactRole,
    pub title: Option<String>,
    pub department: Option<String>,
    /// At most one contact per client is primary.
    pub is_primary: bool,
    pub preferred_contact_method: ContactMethod,
    pub is_active: bool,
    pub notes: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    pub version: i32,
}

impl From<Contact> for ContactResponse {
    fn from(c: Contact) -> Self {
        Self {
            id: c.id.0,
            client_id: c.client_id.0,
            first_name: c.first_name,
            last_name: c.last_name,
            email: c.email,
            phone: c.phone,
            mobile: c.mobile,
            role: c.role,
            title: c.title,
            department: c.department,
            is_primary: c.is_primary,
            preferred_contact_method: c.preferred_contact_method,
            is_active: c.is_active,
            notes: c.notes,
            created_at: c.created_at,
            updated_at: c.updated_at,
            version: c.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactRequest {
    #[schema(value_type = RequiredLine150)]
    pub first_name: String,
    #[schema(value_type = Option<Line150>)]
    pub last_name: Option<String>,
    /// Unique among the client's contacts.
    #[schema(value_type = EmailAddress)]
    pub email: String,
    #[schema(value_type = Option<PhoneNumber>)]
    pub phone: Option<String>,
    #[schema(value_type = Option<PhoneNumber>)]
    pub mobile: Option<String>,
    /// Default `other`.
    pub role: Option<ContactRole>,
    #[schema(value_type = Option<Line150>)]
    pub title: Option<String>,
    #[schema(value_type = Option<Line150>)]
    pub department: Option<String>,
    /// Making a contact primary takes the flag from the client's other contacts.
    pub is_primary: Option<bool>,
    /// Default `email`.
    pub preferred_contact_method: Option<ContactMethod>,
    /// Default true.
    pub is_active: Option<bool>,
    #[schema(value_type = Option<Block5000>)]
    pub notes: Option<String>,
    /// Alternative to `If-Match` on replace.
    pub version: Option<i32>,
}

impl ContactRequest {
    fn draft(self) -> Result<(ContactDraft, Option<i32>), ApiError> {
        let version = self.version;
        let fields = ContactFields {
            first_name: self.first_name,
            last_name: self.last_name,
            email: self.email,
            phone: self.phone,
            mobile: self.mobile,
            role: self.role,
            title: self.title,
            department: self.department,
            is_primary: self.is_primary,
            preferred_contact_method: self.preferred_contact_method,
            is_active: self.is_active,
            notes: self.notes,
        };
        Ok((ContactDraft::parse(fields)?, version))
    }
}

fn contact_response(contact: Contact) -> HttpResponse {
    let version = contact.version;
    with_etag(StatusCode::OK, version, &ContactResponse::from(contact))
}

/// The client's contacts, primary first.
#[utoipa::path(
    tag = "clients",
    params(("id" = Uuid, Path, description = "Client id"), PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of contacts", body = Paginated<ContactResponse>),
        (status = 422, response = Unprocessable),
        (status = 409, response = Conflict),
        SignedInErrors,
        PathIdErrors,
    )
)]
#[get("/{id}/contacts")]
async fn list_contacts(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ClientId>,
    query: ApiQuery<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = query.page_request()?;
    let contacts = clients.list_contacts(&actor, id.into_inner(), page).await?;
    Ok(HttpResponse::Ok().json(Paginated::from_page(contacts, ContactResponse::from)))
}

/// Add a contact (analysts within scope and up).
#[utoipa::path(
    tag = "clients",
    params(("id" = Uuid, Path, description = "Client id"), IdempotencyKey),
    request_body = ContactRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created (or replayed)", body = ContactResponse,
         headers(("Location" = String, description = "Where the new resource lives"), ("ETag" = String),
                 ("Idempotent-Replayed" = Option<String>))),
        IdempotencyKeyErrors,
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        SignedInErrors,
        JsonBodyErrors,
        PathIdErrors,
    )
)]
#[post("/{id}/contacts")]
async fn create_contact(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ClientId>,
    CreateBody { body, once }: CreateBody<ContactRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let draft = body.draft()?.0;
    once.run(&actor, || async {
        let contact = clients.create_contact(&actor, id, draft).await?;
        Created::new(
            format!("/api/v1/clients/{id}/contacts/{}", contact.id),
            contact.version,
            &ContactResponse::from(contact),
        )
    })
    .await
}

/// One contact.
#[utoipa::path(
    tag = "clients",
    params(("id" = Uuid, Path, description = "Client id"), ("contact_id" = Uuid, Path, description = "Contact id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The contact", body = ContactResponse, headers(("ETag" = String))),
        ReadOneErrors,
    )
)]
#[get("/{id}/contacts/{contact_id}")]
async fn get_contact(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    ids: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (client, contact) = ids.into_inner();
    Ok(contact_response(clients.get_contact(&actor, ClientId(client), ContactId(contact)).await?))
}

/// Replace a contact.
#[utoipa::path(
    tag = "clients",
    params(("id" = Uuid, Path, description = "Client id"), ("contact_id" = Uuid, Path, description = "Contact id"), IfMatch),
    request_body = ContactRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The contact", body = ContactResponse, headers(("ETag" = String))),
        UpdateErrors,
    )
)]
#[put("/{id}/contacts/{contact_id}")]
async fn replace_contact(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    ids: web::Path<(Uuid, Uuid)>,
    body: ApiJson<ContactRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (client, contact) = ids.into_inner();
    let body = body.into_inner();
    let (draft, body_version) = body.draft()?;
    let if_match = if_match.or_body(body_version)?;
    let contact =
        clients.update_contact(&actor, ClientId(client), ContactId(contact), draft, if_match).await?;
    Ok(contact_response(contact))
}

/// Remove a contact (soft delete).
#[utoipa::path(
    tag = "clients",
    params(("id" = Uuid, Path, description = "Client id"), ("contact_id" = Uuid, Path, description = "Contact id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        ActOnOneErrors,
    )
)]
#[delete("/{id}/contacts/{contact_id}")]
async fn delete_contact(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    ids: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (client, contact) = ids.into_inner();
    clients.delete_contact(&actor, ClientId(client), ContactId(contact)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Make this the client's primary contact (the previous one loses the flag).
#[utoipa::path(
    tag = "clients",
    params(("id" = Uuid, Path, description = "Client id"), ("contact_id" = Uuid, Path, description = "Contact id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The contact", body = ContactResponse, headers(("ETag" = String))),
        ActOnOneErrors,
    )
)]
#[post("/{id}/contacts/{contact_id}/set-primary")]
async fn set_primary_contact(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    ids: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (client, contact) = ids.into_inner();
    Ok(contact_response(clients.set_primary_contact(&actor, ClientId(client), ContactId(contact)).await?))
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Activity)]
pub struct ActivityResponse {
    pub id: Uuid,
    pub client_id: Uuid,
    pub activity_type: ActivityType,
    pub title: String,
    pub body: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub activity_date: OffsetDateTime,
    /// The user who recorded it.
    pub author_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    pub version: i32,
}

impl From<Activity> for ActivityResponse {
    fn from(a: Activity) -> Self {
        Self {
            id: a.id.0,
            client_id: a.client_id.0,
            activity_type: a.activity_type,
            title: a.title,
            body: a.body,
            activity_date: a.activity_date,
            author_id: a.author_id.map(|u| u.0),
            contact_id: a.contact_id.map(|c| c.0),
            created_at: a.created_at,
            updated_at: a.updated_at,
            version: a.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityRequest {
    pub activity_type: ActivityType,
    #[schema(value_type = RequiredLine255)]
    pub title: String,
    #[schema(value_type = Option<Block20000>)]
    pub body: Option<String>,
    /// RFC 3339; defaults to now.
    #[schema(value_type = Option<Timestamp>)]
    pub activity_date: Option<String>,
    /// A contact of the same client.
    pub contact_id: Option<Uuid>,
    /// Alternative to `If-Match` on replace.
    pub version: Option<i32>,
}

impl ActivityRequest {
    fn draft(self) -> Result<(ActivityFields, Option<i32>), ApiError> {
        let mut errors = FieldErrors::new();
        let activity_date = parse_time(&mut errors, "activity_date", self.activity_date.as_deref());
        errors.into_result()?;
        let fields = ActivityFields {
            activity_type: self.activity_type,
            title: self.title,
            body: self.body,
            activity_date,
            contact_id: self.contact_id.map(ContactId),
        };
        Ok((fields, self.version))
    }
}

fn activity_response(activity: Activity) -> HttpResponse {
    let version = activity.version;
    with_etag(StatusCode::OK, version, &ActivityResponse::from(activity))
}

paged_params! {
    pub struct ActivityListParams {
        pub activity_type: Option<ActivityType>,
        /// At or after this RFC 3339 time.
        #[param(value_type = Option<Timestamp>)]
        pub from: Option<String>,
        /// Before this RFC 3339 time.
        #[param(value_type = Option<Timestamp>)]
        pub to: Option<String>,
    }
}

/// The client's timeline, newest first.
#[utoipa::path(
    tag = "clients",
    params(("id" = Uuid, Path, description = "Client id"), ActivityListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of activities", body = Paginated<ActivityResponse>),
        (status = 422, response = Unprocessable),
        SignedInErrors,
        PathIdErrors,
    )
)]
#[get("/{id}/activities")]
async fn list_activities(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ClientId>,
    query: ApiQuery<ActivityListParams>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let mut errors = FieldErrors::new();
    let page = query.page_request().map_err(|e| errors.merge(e)).ok();
    let from = parse_time(&mut errors, "from", query.from.as_deref());
    let to = parse_time(&mut errors, "to", query.to.as_deref());
    errors.into_result()?;
    let filter = ActivityFilter { activity_type: query.activity_type, from, to };
    let page = page.unwrap_or_else(axis_kernel::PageRequest::first);
    let activities = clients.list_activities(&actor, id.into_inner(), &filter, page).await?;
    Ok(HttpResponse::Ok().json(Paginated::from_page(activities, ActivityResponse::from)))
}

/// Record an activity or note (analysts within scope and up). Calls, e-mails and meetings move
/// the client's `last_contact_date` forward.
#[utoipa::path(
    tag = "clients",
    params(("id" = Uuid, Path, description = "Client id"), IdempotencyKey),
    request_body = ActivityRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created (or replayed)", body = ActivityResponse,
         headers(("Location" = String, description = "Where the new resource lives"), ("ETag" = String),
                 ("Idempotent-Replayed" = Option<String>))),
        IdempotencyKeyErrors,
        (status = 403, response = Forbidden),
        SignedInErrors,
        JsonBodyErrors,
        PathIdErrors,
    )
)]
#[post("/{id}/activities")]
async fn create_activity(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    id: web::Path<ClientId>,
    CreateBody { body, once }: CreateBody<ActivityRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let draft = body.draft()?.0;
    once.run(&actor, || async {
        let activity = clients.create_activity(&actor, id, draft).await?;
        Created::new(
            format!("/api/v1/clients/{id}/activities/{}", activity.id),
            activity.version,
            &ActivityResponse::from(activity),
        )
    })
    .await
}

/// One activity.
#[utoipa::path(
    tag = "clients",
    params(("id" = Uuid, Path, description = "Client id"), ("activity_id" = Uuid, Path, description = "Activity id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The activity", body = ActivityResponse, headers(("ETag" = String))),
        ReadOneErrors,
    )
)]
#[get("/{id}/activities/{activity_id}")]
async fn get_activity(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    ids: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (client, activity) = ids.into_inner();
    Ok(activity_response(clients.get_activity(&actor, ClientId(client), ActivityId(activity)).await?))
}

/// Replace an activity.
#[utoipa::path(
    tag = "clients",
    params(("id" = Uuid, Path, description = "Client id"), ("activity_id" = Uuid, Path, description = "Activity id"), IfMatch),
    request_body = ActivityRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The activity", body = ActivityResponse, headers(("ETag" = String))),
        (status = 403, response = Forbidden),
        (status = 412, response = PreconditionFailed),
        SignedInErrors,
        JsonBodyErrors,
        PathIdErrors,
    )
)]
#[put("/{id}/activities/{activity_id}")]
async fn replace_activity(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    ids: web::Path<(Uuid, Uuid)>,
    body: ApiJson<ActivityRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (client, activity) = ids.into_inner();
    let body = body.into_inner();
    let (draft, body_version) = body.draft()?;
    let if_match = if_match.or_body(body_version)?;
    let activity =
        clients.update_activity(&actor, ClientId(client), ActivityId(activity), draft, if_match).await?;
    Ok(activity_response(activity))
}

/// Remove an activity (soft delete).
#[utoipa::path(
    tag = "clients",
    params(("id" = Uuid, Path, description = "Client id"), ("activity_id" = Uuid, Path, description = "Activity id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        ActOnOneErrors,
    )
)]
#[delete("/{id}/activities/{activity_id}")]
async fn delete_activity(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    ids: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (client, activity) = ids.into_inner();
    clients.delete_activity(&actor, ClientId(client), ActivityId(activity)).await?;
    Ok(HttpResponse::NoContent().finish())
}
