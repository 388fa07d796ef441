//! Cross-origin requests from browsers: only the origins in `AXIS_CORS_ORIGINS` (none by
//! default). Tokens travel in the `Authorization` header, not cookies, so credentials are never
//! allowed and the allowed origin is always echoed exactly, never `*`.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError, web};

use crate::problem::ApiError;

const ALLOWED_METHODS: &str = "GET, HEAD, POST, PUT, PATCH, DELETE";
const ALLOWED_HEADERS: [&str; 4] = ["authorization", "content-type", "if-match", "idempotency-key"];
const EXPOSED_HEADERS: &str = "ETag, Location, Retry-After, X-Request-Id, Idempotent-Replayed, \
     RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, RateLimit-Policy";
/// How long a browser may reuse a preflight answer.
const PREFLIGHT_MAX_AGE_SECS: &str = "600";

/// The configured origins, compared byte for byte with the `Origin` header.
#[derive(Debug, Clone, Default)]
pub struct CorsOrigins(pub Vec<String>);

/// `scheme://host[:port]` with nothing after it.
pub fn valid_origin(origin: &str) -> bool {
    let Some((scheme, rest)) = origin.split_once("://") else { return false };
    matches!(scheme, "http" | "https")
        && !rest.is_empty()
        && !rest.contains(['/', '*', '?', '#', ' ', ','])
        && rest.is_ascii()
}

fn allowed_origin<'a>(headers: &'a HeaderMap, origins: &CorsOrigins) -> Option<&'a HeaderValue> {
    let origin = headers.get(header::ORIGIN)?;
    let text = origin.to_str().ok()?;
    origins.0.iter().any(|allowed| allowed == text).then_some(origin)
}

fn preflight_allowed(headers: &HeaderMap) -> bool {
    let method_ok = headers
        .get(header::ACCESS_CONTROL_REQUEST_METHOD)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|method| ALLOWED_METHODS.split(", ").any(|allowed| allowed == method));
    let headers_ok = headers
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|list| {
            list.split(',')
                .map(|h| h.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .all(|h| ALLOWED_HEADERS.contains(&h.as_str()))
        });
    method_ok && headers_ok
}

/// Answers preflights and marks the responses of allowed origins.
pub async fn cors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let is_preflight = req.method() == Method::OPTIONS
        && req.headers().contains_key(header::ORIGIN)
        && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let origins = req.app_data::<web::Data<CorsOrigins>>().cloned().unwrap_or_default();
    let origin = allowed_origin(req.headers(), &origins).cloned();
    if is_preflight {
        let response = match origin {
            Some(origin) if preflight_allowed(req.headers()) => HttpResponse::build(StatusCode::NO_CONTENT)
                .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin))
                .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS))
                .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS.join(", ")))
                .insert_header((header::ACCESS_CONTROL_MAX_AGE, PREFLIGHT_MAX_AGE_SECS))
                .insert_header((header::VARY, "Origin"))
                .finish(),
            _ => {
                let mut refused = ApiError::cors_refused().error_response();
                refused.headers_mut().insert(header::VARY, HeaderValue::from_static("Origin"));
                refused
            }
        };
        return Ok(req.into_response(response).map_into_right_body());
    }
    let mut response = next.call(req).await?;
    if let Some(origin) = origin {
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static(EXPOSED_HEADERS));
    }
    if !origins.0.is_empty() {
        // The answer depends on the Origin header whenever any origin is allowed.
        response.headers_mut().append(HeaderName::from_static("vary"), HeaderValue::from_static("Origin"));
    }
    Ok(response.map_into_left_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        for good in ["https://app.example.com", "http://localhost:5173", "https://[::1]:8443"] {
            assert!(valid_origin(good), "{good}");
        }
        for bad in
            ["*", "https://*.example.com", "app.example.com", "https://a.example.com/", "ftp://x", "https://"]
        {
            assert!(!valid_origin(bad), "{bad}");
        }
    }
}
