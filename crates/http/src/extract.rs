//! Extractors: who is calling, and from where.

use std::future::{Ready, ready};
use std::net::IpAddr;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use axis_kernel::{Actor, RequestContext};
use futures_util::future::LocalBoxFuture;

use crate::HttpContext;
use crate::middleware::RequestId;
use crate::problem::ApiError;

const MAX_TOKEN_LEN: usize = 4_096;
const MAX_USER_AGENT_CHARS: usize = 512;

/// The caller's address: the socket peer, or — only when the peer is a trusted proxy — the
/// nearest untrusted address in `X-Forwarded-For`.
fn client_ip(req: &HttpRequest, trusted: &[IpAddr]) -> Option<String> {
    let peer = req.peer_addr()?.ip();
    if !trusted.contains(&peer) {
        return Some(peer.to_string());
    }
    let forwarded = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok()).unwrap_or("");
    let nearest_untrusted = forwarded
        .split(',')
        .rev()
        .filter_map(|hop| hop.trim().parse::<IpAddr>().ok())
        .find(|ip| !trusted.contains(ip));
    Some(nearest_untrusted.unwrap_or(peer).to_string())
}

pub fn request_context(req: &HttpRequest) -> RequestContext {
    let trusted =
        req.app_data::<web::Data<HttpContext>>().map(|s| s.trusted_proxies.clone()).unwrap_or_default();
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|ua| ua.chars().take(MAX_USER_AGENT_CHARS).collect());
    RequestContext {
        ip: client_ip(req, &trusted),
        user_agent,
        request_id: req.extensions().get::<RequestId>().map(|id| id.0.clone()),
    }
}

/// The request's origin, for routes that work without a login (login, refresh).
pub struct Context(pub RequestContext);

impl FromRequest for Context {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Context(request_context(req))))
    }
}

/// The token of an `Authorization: Bearer …` header, and nothing else (never a query string).
fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    let well_formed =
        scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && token.len() <= MAX_TOKEN_LEN;
    well_formed.then(|| token.to_owned())
}

/// A signed-in caller. Extracting it verifies the access token and the user's current state.
pub struct Authenticated(pub Actor);

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<HttpContext>>().cloned();
        let token = bearer_token(req);
        let context = request_context(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal(&"HttpContext is not registered"))?;
            let token = token.ok_or_else(ApiError::unauthorized)?;
            let actor = state.authenticator.authenticate(&token, context).await?;
            Ok(Authenticated(actor))
        })
    }
}
