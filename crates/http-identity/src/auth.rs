//! Login, token refresh, logout, the signed-in user, and our public signing keys.

use actix_web::{HttpResponse, get, patch, post, web};
use axis_identity::{IdentityService, IssuedTokens, Profile, ProfileFields, User};
use axis_kernel::FieldErrors;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::problem::IdentityProblems;
use crate::users::UserResponse;
use axis_http::dto::nullable;
use axis_http::extract::{Authenticated, Context};
use axis_http::json::ApiJson;
use axis_http::problem::DomainProblems;
use axis_http::problem::{ApiError, Forbidden, JsonBodyErrors, SignedInErrors, TooManyRequests};
use axis_http::schema::*;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(login).service(refresh).service(logout).service(me).service(update_me).service(jwks);
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(value_type = EmailAddress, example = "admin@example.com")]
    pub email: String,
    /// Any text without NUL characters.
    #[schema(pattern = "^[^\\u0000]*$")]
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// Access token (JWT, `typ: at+jwt`); send as `Authorization: Bearer …`.
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Opaque, single-use: each refresh returns a new one, and replaying a spent one ends the
    /// whole session.
    pub refresh_token: String,
    pub session_id: Uuid,
    pub user: UserResponse,
}

impl From<IssuedTokens> for TokenResponse {
    fn from(tokens: IssuedTokens) -> Self {
        Self {
            access_token: tokens.access_token,
            token_type: "Bearer",
            expires_in: tokens.access_expires_in,
            refresh_token: tokens.refresh_token.expose().to_owned(),
            session_id: tokens.session_id.0,
            user: tokens.user.into(),
        }
    }
}

/// Log in with e-mail and password. Repeated failures per account and per address are slowed
/// down (429 with `Retry-After`).
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenResponse),
        (status = 403, response = Forbidden),
        (status = 429, response = TooManyRequests),
        SignedInErrors,
        JsonBodyErrors,
    )
)]
#[post("/api/v1/auth/login")]
async fn login(
    identity: web::Data<IdentityService>,
    Context(context): Context,
    body: ApiJson<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let tokens =
        identity.login(&context, &body.email, &body.password).await.map_err(IdentityProblems::problem)?;
    Ok(HttpResponse::Ok().json(TokenResponse::from(tokens)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// Any text without NUL characters.
    #[schema(pattern = "^[^\\u0000]*$")]
    pub refresh_token: String,
}

/// Exchange a refresh token for a new access token and a new refresh token.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "Rotated", body = TokenResponse),
        SignedInErrors,
        JsonBodyErrors,
    )
)]
#[post("/api/v1/auth/refresh")]
async fn refresh(
    identity: web::Data<IdentityService>,
    Context(context): Context,
    body: ApiJson<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let tokens = identity.refresh(&context, &body.refresh_token).await.map_err(IdentityProblems::problem)?;
    Ok(HttpResponse::Ok().json(TokenResponse::from(tokens)))
}

/// End the current session: its refresh token and access tokens stop working.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Logged out"),
        SignedInErrors,
    )
)]
#[post("/api/v1/auth/logout")]
async fn logout(
    identity: web::Data<IdentityService>,
    Authenticated(actor): Authenticated,
) -> Result<HttpResponse, ApiError> {
    identity.logout(&actor).await.map_err(IdentityProblems::problem)?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileResponse {
    pub full_name: String,
    pub phone: Option<String>,
    pub image_url: Option<String>,
    pub bio: Option<String>,
    /// `YYYY-MM-DD`.
    #[schema(value_type = Option<String>, format = Date)]
    pub date_of_birth: Option<String>,
    pub gender: Option<String>,
    pub language: String,
    pub timezone: String,
}

impl From<Profile> for ProfileResponse {
    fn from(p: Profile) -> Self {
        Self {
            full_name: p.full_name,
            phone: p.phone,
            image_url: p.image_url,
            bio: p.bio,
            date_of_birth: p.date_of_birth.map(|d| d.to_string()),
            gender: p.gender,
            language: p.language,
            timezone: p.timezone,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    pub user: UserResponse,
    pub profile: ProfileResponse,
}

fn me_response((user, profile): (User, Profile)) -> MeResponse {
    MeResponse { user: user.into(), profile: profile.into() }
}

/// The signed-in user and their profile.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The signed-in user", body = MeResponse),
        SignedInErrors,
    )
)]
#[get("/api/v1/auth/me")]
async fn me(
    identity: web::Data<IdentityService>,
    Authenticated(actor): Authenticated,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(me_response(identity.me(&actor).await.map_err(IdentityProblems::problem)?)))
}

/// Fields a user may change about themselves. `null` clears an optional field; absent fields
/// stay as they are. Role and status are not here: only admins change those.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMeRequest {
    #[schema(value_type = Option<Name150>)]
    pub first_name: Option<String>,
    #[schema(value_type = Option<Name150>)]
    pub last_name: Option<String>,
    /// Line feeds allowed, other control characters not.
    #[schema(max_length = 255, pattern = "^[^\\u0000-\\u0009\\u000B-\\u001F\\u007F-\\u009F]*$")]
    pub full_name: Option<String>,
    /// 5 to 20 digits with `+ - ( ) .` and spaces.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 32, pattern = "^ *\\+?([ ().-]*[0-9]){5,20}[ ().-]*$")]
    pub phone: Option<Option<String>>,
    /// An `https://` URL.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 2048, pattern = "^https://[^\\s\\u0000-\\u001F\\u007F-\\u009F]*$")]
    pub image_url: Option<Option<String>>,
    /// Line feeds allowed, other control characters not.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 5000, pattern = "^[^\\u0000-\\u0009\\u000B-\\u001F\\u007F-\\u009F]*$")]
    pub bio: Option<Option<String>>,
    /// Not in the future.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<CalendarDate>)]
    pub date_of_birth: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 20, pattern = "^[^\\u0000-\\u0009\\u000B-\\u001F\\u007F-\\u009F]*$")]
    pub gender: Option<Option<String>>,
    /// Language tag such as `en` or `pt-BR`.
    #[schema(pattern = "^[A-Za-z0-9-]{2,10}$")]
    pub language: Option<String>,
    /// IANA time zone such as `Europe/Lisbon`.
    #[schema(pattern = "^[A-Za-z0-9/_+-]{1,50}$")]
    pub timezone: Option<String>,
}

/// Update the signed-in user's names and profile.
#[utoipa::path(
    tag = "auth",
    request_body = UpdateMeRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The updated user", body = MeResponse),
        SignedInErrors,
        JsonBodyErrors,
    )
)]
#[patch("/api/v1/auth/me")]
async fn update_me(
    identity: web::Data<IdentityService>,
    Authenticated(actor): Authenticated,
    body: ApiJson<UpdateMeRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let date_of_birth = match body.date_of_birth {
        Some(Some(text)) => Some(Some(
            axis_kernel::input::date(&text)
                .map_err(|message| FieldErrors::single("date_of_birth", message))?,
        )),
        Some(None) => Some(None),
        None => None,
    };
    let raw = ProfileFields {
        first_name: body.first_name,
        last_name: body.last_name,
        full_name: body.full_name,
        phone: body.phone,
        image_url: body.image_url,
        bio: body.bio,
        date_of_birth,
        gender: body.gender,
        language: body.language,
        timezone: body.timezone,
    };
    Ok(HttpResponse::Ok()
        .json(me_response(identity.update_me(&actor, raw).await.map_err(IdentityProblems::problem)?)))
}

/// The public keys that verify our access tokens (JWK Set), for other services.
#[utoipa::path(
    tag = "auth",
    responses((status = 200, description = "JWK Set", body = Object, content_type = "application/jwk-set+json"))
)]
#[get("/.well-known/jwks.json")]
async fn jwks(keys: web::Data<crate::Jwks>) -> HttpResponse {
    HttpResponse::Ok().content_type("application/jwk-set+json").json(&keys.0)
}
