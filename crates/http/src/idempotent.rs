//! `Idempotency-Key` on create endpoints (draft-ietf-httpapi-idempotency-key-header): a retry
//! with the same key and body replays the first response, the same key with another body is
//! 422, and a duplicate while the first is still running is 409. Every create endpoint reads
//! its body through [`CreateBody`] and answers through [`IdempotentCreate::run`].

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use axis_kernel::idempotency::{IdempotencyState, StoredResponse, valid_key};
use axis_kernel::{Actor, in_unit_of_work};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::HttpContext;
use crate::dto::etag;
use crate::json::{ApiJson, decode};
use crate::problem::ApiError;

pub const HEADER: &str = "Idempotency-Key";

/// The body of a create request, decoded, with what makes the create idempotent.
pub struct CreateBody<T> {
    pub body: T,
    pub once: IdempotentCreate,
}

/// A create that runs at most once per (user, key, request).
pub struct IdempotentCreate {
    key: Option<String>,
    fingerprint: [u8; 32],
    context: web::Data<HttpContext>,
}

/// What a create handler produces: the JSON body, its version and where the new resource lives.
pub struct Created {
    body: Vec<u8>,
    version: i32,
    location: String,
}

impl Created {
    pub fn new(location: String, version: i32, body: &impl Serialize) -> Result<Self, ApiError> {
        let body = serde_json::to_vec(body).map_err(|e| ApiError::internal(&e))?;
        Ok(Self { body, version, location })
    }

    /// The 201 answer itself, for a create that is not replayed by key (an upload, whose
    /// body is a stream).
    pub fn response(self) -> HttpResponse {
        respond(201, self.body, Some(&self.location), Some(self.version), false)
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for CreateBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = ApiJson::<serde_json::Value>::from_request(req, payload);
        let context = req.app_data::<web::Data<HttpContext>>().cloned();
        let header = req.headers().get(HEADER).map(|v| v.to_str().ok().map(str::to_owned));
        let (method, path) = (req.method().clone(), req.path().to_owned());
        Box::pin(async move {
            let value = json.await?.into_inner();
            let context = context.ok_or_else(|| ApiError::internal(&"HttpContext is not registered"))?;
            let mut hasher = Sha256::new();
            hasher.update(method.as_str().as_bytes());
            hasher.update(path.as_bytes());
            hasher.update(serde_json::to_vec(&value).unwrap_or_default());
            let fingerprint: [u8; 32] = hasher.finalize().into();
            // The body's own errors come first, as on any route; then the key's.
            let body: T = decode(value)?;
            let key = match header {
                None => None,
                Some(Some(key)) if valid_key(&key) => Some(key),
                Some(_) => {
                    return Err(ApiError::bad_request(
                        "Idempotency-Key must be 1 to 255 visible ASCII characters",
                    ));
                }
            };
            Ok(CreateBody { body, once: IdempotentCreate { key, fingerprint, context } })
        })
    }
}

impl IdempotentCreate {
    /// Runs `create` unless this key already did: then the stored answer is replayed.
    pub async fn run<F, Fut>(self, actor: &Actor, create: F) -> Result<HttpResponse, ApiError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Created, ApiError>>,
    {
        let (Some(key), Some(user)) = (self.key, actor.user_id) else {
            let created = create().await?;
            return Ok(respond(201, created.body, Some(&created.location), Some(created.version), false));
        };
        let (store, fingerprint) = (&self.context.idempotency, self.fingerprint);
        // One transaction for the claim, the create and its stored answer: they commit together
        // or not at all (a failed create, a crash, a lost connection release the key).
        in_unit_of_work(self.context.unit_of_work.as_ref(), async {
            match store.begin(user, &key, fingerprint).await? {
                IdempotencyState::New => {
                    let created = create().await?;
                    let stored =
                        StoredResponse { status: 201, body: created.body, location: Some(created.location) };
                    store.complete(user, &key, fingerprint, &stored).await?;
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
