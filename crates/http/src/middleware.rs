//! Request ids and one log line per request, HEAD on GET routes, and the checks every request
//! target passes before routing.

use std::time::Instant;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, ResponseError, web};
use axis_kernel::FieldErrors;
use tracing::Instrument;

use crate::fallback::RouteTable;
use crate::problem::{ApiError, REQUEST_ID};
use crate::query::strict_decode;

/// The id given to each request; echoed in `X-Request-Id`, in problem bodies and in logs.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = uuid::Uuid::now_v7().to_string();
    req.extensions_mut().insert(RequestId(id.clone()));
    let started = Instant::now();
    // Field values are only computed when the level is enabled.
    let span = tracing::info_span!("request", request_id = %id, method = %req.method());
    let result = REQUEST_ID.scope(id.clone(), next.call(req)).instrument(span.clone()).await;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1_000.0;
    match result {
        Ok(mut response) => {
            let status = response.status().as_u16();
            // The route pattern (`/api/v1/users/{id}`), never the raw path or query: those can
            // carry personal data such as search terms.
            span.in_scope(|| {
                tracing::info!(
                    route = %response.request().match_pattern().as_deref().unwrap_or("unmatched"),
                    status,
                    elapsed_ms,
                    "request finished"
                )
            });
            if let Ok(value) = HeaderValue::from_str(&id) {
                response.headers_mut().insert(HeaderName::from_static("x-request-id"), value);
            }
            Ok(response)
        }
        Err(error) => {
            span.in_scope(|| tracing::warn!(elapsed_ms, error = %error, "request failed"));
            Err(error)
        }
    }
}

/// Set on a `HEAD` request that is being answered by its `GET` route, so handlers with side
/// effects on reads (read-audit records) can skip them.
#[derive(Debug, Clone, Copy)]
pub struct HeadRequest;

/// `HEAD` on every `GET` route: the request runs as `GET` and the HTTP codec, which remembers
/// the original method, sends the same status and headers without the body.
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
        req.extensions_mut().insert(HeadRequest);
    }
    next.call(req).await
}

/// The longest path and query accepted; longer targets are 414.
pub const MAX_TARGET_BYTES: usize = 8 * 1024;

/// Checks what every route receives before any of them runs: the request target's length, its
/// percent-encoding, and NUL characters in the path (query values are checked by `ApiQuery`).
/// One place, so no handler can forget it.
pub async fn guard_input(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if let Some(error) = refuse_target(&req) {
        let response = error.error_response();
        return Ok(req.into_response(response).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

fn refuse_target(req: &ServiceRequest) -> Option<ApiError> {
    let target_len = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if target_len > MAX_TARGET_BYTES {
        return Some(ApiError::uri_too_long(MAX_TARGET_BYTES));
    }
    let path = req.uri().path();
    if !path.contains('%') {
        return None;
    }
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let routes = req.app_data::<web::Data<RouteTable>>();
    let names = routes.and_then(|r| r.parameter_names(path)).unwrap_or_default();
    let name_of = |index: usize| names.get(index).cloned().flatten().unwrap_or_else(|| "path".to_owned());
    let mut nul = FieldErrors::new();
    for (index, segment) in segments.iter().enumerate() {
        match strict_decode_path(segment) {
            None => {
                let name = name_of(index);
                return Some(
                    ApiError::bad_request(format!(
                        "path parameter {name} is not valid percent-encoded UTF-8"
                    ))
                    .with_errors(FieldErrors::single(name, "is not valid percent-encoded UTF-8")),
                );
            }
            Some(decoded) if decoded.contains('\0') => {
                nul.add(name_of(index), "must not contain NUL characters")
            }
            Some(_) => {}
        }
    }
    (!nul.is_empty()).then(|| ApiError::validation(nul))
}

/// Percent-decodes a path segment (`+` stays a plus), refusing broken escapes and invalid UTF-8.
fn strict_decode_path(segment: &str) -> Option<String> {
    strict_decode(&segment.replace('+', "%2B"))
}
