//! User administration (admins) and the user resource shape.

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use axis_http::idempotent::{CreateBody, Created};
use axis_http::json::ApiJson;
use axis_http::schema::{IdempotencyKey, IfMatch};
use axis_identity::{IdentityService, NewUser, Session, User, UserChanges, UserFilter, UserStatus};
use axis_kernel::{Role, SessionId, UserId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use axis_http::dto::{PageQuery, Paginated, etag};
use axis_http::extract::Authenticated;
use axis_http::paged_params;
use axis_http::problem::*;

use crate::problem::IdentityProblems;
use axis_http::problem::DomainProblems;
use axis_http::query::ApiQuery;
use axis_http::schema::*;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_users)
        .service(create_user)
        .service(get_user)
        .service(update_user)
        .service(disable_user)
        .service(list_sessions)
        .service(revoke_session);
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = User)]
pub struct UserResponse {
    pub id: Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub status: UserStatus,
    pub role: Role,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_login_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    /// Concurrency token; also sent as the `ETag`.
    pub version: i32,
}

impl From<User> for UserResponse {
    fn from(user: User) -> Self {
        Self {
            id: user.id.0,
            email: user.email.to_string(),
            first_name: user.first_name,
            last_name: user.last_name,
            status: user.status,
            role: user.role,
            last_login_at: user.last_login_at,
            created_at: user.created_at,
            updated_at: user.updated_at,
            version: user.version,
        }
    }
}

fn user_response(status: actix_web::http::StatusCode, user: User) -> HttpResponse {
    let tag = etag(user.version);
    HttpResponse::build(status).insert_header((header::ETAG, tag)).json(UserResponse::from(user))
}

paged_params! {
    pub struct UserListQuery {
        pub role: Option<Role>,
        pub status: Option<UserStatus>,
        /// Case-insensitive match on e-mail, first or last name.
        #[param(min_length = 1, pattern = "^[^\\u0000]+$")]
        pub search: Option<String>,
    }
}

/// List users, newest first.
#[utoipa::path(
    tag = "users",
    params(UserListQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of users", body = Paginated<UserResponse>),
        ListErrors,
    )
)]
#[get("")]
async fn list_users(
    identity: web::Data<IdentityService>,
    Authenticated(actor): Authenticated,
    query: ApiQuery<UserListQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let page = query.page_request()?;
    let filter = UserFilter {
        role: query.role,
        status: query.status,
        search: query.search.map(|s| s.chars().take(200).collect()),
    };
    let users = identity.list_users(&actor, &filter, page).await.map_err(IdentityProblems::problem)?;
    Ok(HttpResponse::Ok().json(Paginated::from_page(users, UserResponse::from)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    /// NFKC-normalised and lower-cased; refused with zero-width or bidirectional control
    /// characters, or when its local part or a domain label mixes writing systems (a look-alike
    /// of another address, such as a Cyrillic `а` among Latin letters).
    #[schema(value_type = EmailAddress)]
    pub email: String,
    #[serde(default)]
    #[schema(value_type = Name150)]
    pub first_name: String,
    #[serde(default)]
    #[schema(value_type = Name150)]
    pub last_name: String,
    pub role: Role,
    /// Sets a local password (12 to 256 characters). Omit for accounts that sign in through
    /// the identity provider only.
    #[schema(min_length = 12, max_length = 256, pattern = "^[^\\u0000]*$")]
    pub password: Option<String>,
}

/// Create a user (admin).
#[utoipa::path(
    tag = "users",
    params(IdempotencyKey),
    request_body = CreateUserRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created (or replayed)", body = UserResponse,
         headers(("Location" = String, description = "Where the new resource lives"), ("ETag" = String),
                 ("Idempotent-Replayed" = Option<String>))),
        IdempotencyKeyErrors,
        CreateErrors,
    )
)]
#[post("")]
async fn create_user(
    identity: web::Data<IdentityService>,
    Authenticated(actor): Authenticated,
    CreateBody { body, once }: CreateBody<CreateUserRequest>,
) -> Result<HttpResponse, ApiError> {
    let input =
        NewUser::parse(&body.email, &body.first_name, &body.last_name, body.role, body.password.as_deref())?;
    once.run(&actor, || async {
        let user = identity.create_user(&actor, input).await.map_err(IdentityProblems::problem)?;
        Created::new(format!("/api/v1/users/{}", user.id), user.version, &UserResponse::from(user))
    })
    .await
}

/// Get a user (admins, or the user themselves).
#[utoipa::path(
    tag = "users",
    params(("id" = Uuid, Path, description = "User id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The user", body = UserResponse, headers(("ETag" = String))),
        ActOnOneErrors,
    )
)]
#[get("/{id}")]
async fn get_user(
    identity: web::Data<IdentityService>,
    Authenticated(actor): Authenticated,
    id: web::Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    let user = identity.get_user(&actor, id.into_inner()).await.map_err(IdentityProblems::problem)?;
    Ok(user_response(actix_web::http::StatusCode::OK, user))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    #[schema(value_type = Option<Name150>)]
    pub first_name: Option<String>,
    #[schema(value_type = Option<Name150>)]
    pub last_name: Option<String>,
    /// Changing the role ends the validity of the user's current access tokens.
    pub role: Option<Role>,
    /// Suspending or disabling also ends every session of the user.
    pub status: Option<UserStatus>,
}

/// Change a user's names, role or status (admin). Send `If-Match` to make it conditional.
#[utoipa::path(
    tag = "users",
    params(("id" = Uuid, Path, description = "User id"), IfMatch),
    request_body = UpdateUserRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The updated user", body = UserResponse, headers(("ETag" = String))),
        UpdateErrors,
    )
)]
#[patch("/{id}")]
async fn update_user(
    identity: web::Data<IdentityService>,
    Authenticated(actor): Authenticated,
    id: web::Path<UserId>,
    body: ApiJson<UpdateUserRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let if_match = if_match.version()?;
    let changes =
        UserChanges::parse(body.first_name.as_deref(), body.last_name.as_deref(), body.role, body.status)?;
    let user = identity
        .update_user(&actor, id.into_inner(), changes, if_match)
        .await
        .map_err(IdentityProblems::problem)?;
    Ok(user_response(actix_web::http::StatusCode::OK, user))
}

/// Disable a user (admin): they can no longer sign in and their sessions end at once.
/// Accounts are never erased, so the audit trail keeps its actors.
#[utoipa::path(
    tag = "users",
    params(("id" = Uuid, Path, description = "User id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Disabled"),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        SignedInErrors,
        PathIdErrors,
    )
)]
#[delete("/{id}")]
async fn disable_user(
    identity: web::Data<IdentityService>,
    Authenticated(actor): Authenticated,
    id: web::Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    identity.disable_user(&actor, id.into_inner()).await.map_err(IdentityProblems::problem)?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Session)]
pub struct SessionResponse {
    pub id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub last_used_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub idle_expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub absolute_expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub revoked_at: Option<OffsetDateTime>,
    /// `logout`, `reuse`, `admin` or `user_disabled`.
    pub revoked_reason: Option<String>,
    /// Whether the session can still be refreshed.
    pub active: bool,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl SessionResponse {
    fn new(session: Session, now: OffsetDateTime) -> Self {
        Self {
            id: session.id.0,
            active: session.is_live(now),
            created_at: session.created_at,
            last_used_at: session.last_used_at,
            idle_expires_at: session.idle_expires_at,
            absolute_expires_at: session.absolute_expires_at,
            revoked_at: session.revoked_at,
            revoked_reason: session.revoked_reason.map(|r| r.as_str().to_owned()),
            ip: session.ip,
            user_agent: session.user_agent,
        }
    }
}

/// A user's login sessions, newest first (admins, or the user themselves).
#[utoipa::path(
    tag = "users",
    params(("id" = Uuid, Path, description = "User id"), PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of sessions", body = Paginated<SessionResponse>),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
        SignedInErrors,
        PathIdErrors,
    )
)]
#[get("/{id}/sessions")]
async fn list_sessions(
    identity: web::Data<IdentityService>,
    Authenticated(actor): Authenticated,
    id: web::Path<UserId>,
    query: ApiQuery<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = query.page_request()?;
    let sessions =
        identity.list_sessions(&actor, id.into_inner(), page).await.map_err(IdentityProblems::problem)?;
    let now = OffsetDateTime::now_utc();
    Ok(HttpResponse::Ok().json(Paginated::from_page(sessions, |s| SessionResponse::new(s, now))))
}

/// End one session: its refresh token stops working and so do its access tokens.
#[utoipa::path(
    tag = "users",
    params(("id" = Uuid, Path, description = "User id"), ("sid" = Uuid, Path, description = "Session id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Ended (or already ended)"),
        ActOnOneErrors,
    )
)]
#[delete("/{id}/sessions/{sid}")]
async fn revoke_session(
    identity: web::Data<IdentityService>,
    Authenticated(actor): Authenticated,
    ids: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (user, session) = ids.into_inner();
    identity
        .revoke_session(&actor, UserId(user), SessionId(session))
        .await
        .map_err(IdentityProblems::problem)?;
    Ok(HttpResponse::NoContent().finish())
}
