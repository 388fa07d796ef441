//! Request ids, one log line per request, and the security headers of every response.

use std::time::Instant;

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;

use crate::problem::REQUEST_ID;

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
