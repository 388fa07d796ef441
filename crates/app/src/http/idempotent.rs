//! `Idempotency-Key` on create endpoints (draft-ietf-httpapi-idempotency-key-header): a retry
//! with the same key and body replays the first response, the same key with another body is
//! 422, and a duplicate while the first is still running is 409.

use std::future::Future;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use axis_kernel::Actor;
use axis_kernel::idempotency::{IdempotencyState, StoredResponse, valid_key};
use sha2::{Digest, Sha256};

use crate::http::AppState;
use crate::http::dto::etag;
use crate::problem::ApiError;

pub const HEADER: &str = "Idempotency-Key";

/// What a create handler produces: the JSON body, its version and where the new resource lives.
pub struct Created {
    pub body: Vec<u8>,
    pub version: i32,
    pub location: String,
}

fn respond(
    status: u16,
    body: Vec<u8>,
    location: Option<&str>,
    version: Option<i32>,
    replayed: bool,
) -> HttpResponse {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED);
    let mut response = HttpResponse::build(status);
    response.content_type("application/json");
    if let Some(location) = location.and_then(|l| HeaderValue::from_str(l).ok()) {
        response.insert_header((header::LOCATION, location));
    }
    if let Some(version) = version {
        response.insert_header((header::ETAG, etag(version)));
    }
    if replayed {
        response.insert_header(("Idempotent-Replayed", "true"));
    }
    response.body(body)
}

/// The `version` member of a stored JSON body, for the replayed `ETag`.
fn stored_version(body: &[u8]) -> Option<i32> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    value.get("version")?.as_i64().and_then(|v| i32::try_from(v).ok())
}

/// Runs `create` at most once per (user, key, body).
pub async fn create_once<F, Fut>(
    state: &AppState,
    actor: &Actor,
    req: &HttpRequest,
    body: &serde_json::Value,
    create: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Created, ApiError>>,
{
    let key = match req.headers().get(HEADER) {
        None => None,
        Some(value) => match value.to_str().ok().filter(|k| valid_key(k)) {
            Some(key) => Some(key.to_owned()),
            None => {
                return Err(ApiError::bad_request(
                    "Idempotency-Key must be 1 to 255 visible ASCII characters",
                ));
            }
        },
    };
    let (Some(key), Some(user)) = (key, actor.user_id) else {
        let created = create().await?;
        return Ok(respond(201, created.body, Some(&created.location), Some(created.version), false));
    };
    let mut hasher = Sha256::new();
    hasher.update(req.method().as_str().as_bytes());
    hasher.update(req.path().as_bytes());
    hasher.update(serde_json::to_vec(body).unwrap_or_default());
    let fingerprint: [u8; 32] = hasher.finalize().into();
    // One transaction for the claim, the create and its stored answer: they commit together
    // or not at all (a failed create, a crash, a lost connection release the key).
    state
        .db
        .in_unit_of_work(|| async {
            match state.idempotency.begin(user, &key, fingerprint).await? {
                IdempotencyState::New => {
                    let created = create().await?;
                    let stored =
                        StoredResponse { status: 201, body: created.body, location: Some(created.location) };
                    state.idempotency.complete(user, &key, fingerprint, &stored).await?;
                    Ok(respond(201, stored.body, stored.location.as_deref(), Some(created.version), false))
                }
                IdempotencyState::Replay(stored) => {
                    let version = stored_version(&stored.body);
                    Ok(respond(stored.status, stored.body, stored.location.as_deref(), version, true))
                }
                IdempotencyState::Mismatch => Err(ApiError::unprocessable(
                    "this Idempotency-Key was used with a different request body",
                )),
                IdempotencyState::InProgress => {
                    Err(ApiError::conflict("a request with this Idempotency-Key is still being processed"))
                }
            }
        })
        .await
}
