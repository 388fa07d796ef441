//! RFC 9457 problem details: the one error shape of the API. Every failure — domain errors,
//! extractor failures, unknown routes, wrong methods — leaves through [`ApiError`].

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use axis_kernel::{DomainError, FieldErrors, NotSignedIn};
use serde::Serialize;
use utoipa::{ToResponse, ToSchema};

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";
const TYPE_BASE: &str = "https://axis.dev/problems/";

tokio::task_local! {
    /// The id of the request being handled, so error bodies can carry it.
    pub static REQUEST_ID: String;
}

/// A problem details body.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// URI naming the kind of problem.
    #[schema(example = "https://axis.dev/problems/validation_failed")]
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// Stable machine-readable code; see the list in docs/API.md.
    #[schema(example = "validation_failed")]
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Field name -> messages (422 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<BTreeMap<String, Vec<String>>>,
    /// The resource this occurrence concerns, when there is one to read (an import refused
    /// with its report).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

macro_rules! problem_responses {
    ($($name:ident => $description:literal),* $(,)?) => {
        $(
            #[derive(ToResponse)]
            #[response(description = $description, content_type = "application/problem+json")]
            #[expect(dead_code, reason = "documentation type only: never built")]
            pub struct $name(Problem);
        )*
    };
}

problem_responses! {
    BadRequest => "Malformed request: bad JSON, bad path or query value, unknown query parameter",
    Unauthorized => "Missing, invalid or expired credentials",
    Forbidden => "The caller's role may not perform this action",
    NotFound => "No such object, or the caller may not see it",
    Conflict => "Conflicts with the current state",
    PreconditionFailed => "If-Match did not match the current version",
    PayloadTooLarge => "Request body too large",
    RequestTimeout => "The request body did not arrive in time (a pause or the whole body took too long)",
    UnsupportedMediaType => "Body is not application/json",
    Unprocessable => "Well-formed but invalid values; see `errors`",
    RangeNotSatisfiable => "The Range header asks for no byte of the file; Content-Range gives its size",
    TooManyRequests => "Too many attempts; see Retry-After",
    ServiceUnavailable => "A dependency is unavailable or saturated; see Retry-After",
}

/// Documentation groups of error responses, so each route lists what is particular to it and
/// names the rest once.
macro_rules! response_group {
    ($(#[$meta:meta])* $name:ident { $($status:literal => $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(utoipa::IntoResponses)]
        pub enum $name {
            $(
                #[response(status = $status)]
                $variant(#[ref_response] $variant),
            )+
        }
    };
}

response_group!(
    /// Every route behind a bearer token: 401 without a valid one, 503 when the database is unavailable.
    SignedInErrors { 401 => Unauthorized, 503 => ServiceUnavailable }
);
response_group!(
    /// Every route that reads a JSON body.
    JsonBodyErrors {
        400 => BadRequest, 408 => RequestTimeout, 413 => PayloadTooLarge, 415 => UnsupportedMediaType,
        422 => Unprocessable
    }
);
response_group!(
    /// Every route with an id in its path: malformed (400) or missing or out of scope (404).
    PathIdErrors { 400 => BadRequest, 404 => NotFound }
);

response_group!(
    /// Every idempotent create: a malformed `Idempotency-Key` (400), a request with the same key
    /// still in progress (409), the key used before with another body (422).
    IdempotencyKeyErrors { 400 => BadRequest, 409 => Conflict, 422 => Unprocessable }
);

response_group!(
    /// A file upload (`multipart/form-data`, the file last): the role, the form's and the
    /// file's errors (too large while it streams, of another kind than its name says), the
    /// body's read deadline, and a state that refuses it.
    UploadErrors {
        400 => BadRequest, 401 => Unauthorized, 403 => Forbidden, 404 => NotFound, 408 => RequestTimeout,
        409 => Conflict, 413 => PayloadTooLarge, 415 => UnsupportedMediaType, 422 => Unprocessable,
        503 => ServiceUnavailable
    }
);

// The usual combinations, so a route names one group for the errors its kind of operation has.
response_group!(
    /// Reading one resource by id: `SignedInErrors` and `PathIdErrors`.
    ReadOneErrors { 400 => BadRequest, 401 => Unauthorized, 404 => NotFound, 503 => ServiceUnavailable }
);
response_group!(
    /// A list only some roles may read, with its query's errors.
    ListErrors { 400 => BadRequest, 401 => Unauthorized, 403 => Forbidden, 422 => Unprocessable, 503 => ServiceUnavailable }
);
response_group!(
    /// Acting on one resource by id without a body (delete, a status action) that not every role may take.
    ActOnOneErrors { 400 => BadRequest, 401 => Unauthorized, 403 => Forbidden, 404 => NotFound, 503 => ServiceUnavailable }
);
response_group!(
    /// Creating a resource from a JSON body: the role, a taken natural key, and the body's errors.
    CreateErrors {
        400 => BadRequest, 401 => Unauthorized, 403 => Forbidden, 408 => RequestTimeout, 409 => Conflict,
        413 => PayloadTooLarge, 415 => UnsupportedMediaType, 422 => Unprocessable, 503 => ServiceUnavailable
    }
);
response_group!(
    /// Writing one resource by id from a JSON body, conditional on `If-Match`.
    UpdateErrors {
        400 => BadRequest, 401 => Unauthorized, 403 => Forbidden, 404 => NotFound, 408 => RequestTimeout,
        409 => Conflict, 412 => PreconditionFailed, 413 => PayloadTooLarge, 415 => UnsupportedMediaType,
        422 => Unprocessable, 503 => ServiceUnavailable
    }
);

/// A domain's own errors (beside `DomainError`, which maps in this crate) as problem+json. The
/// routes crate of such a domain implements it on a marker type of its own — the orphan rule
/// allows no `From` between the kit's `ApiError` and another crate's error — and its handlers
/// map with `.map_err(IdentityProblems::problem)`.
pub trait DomainProblems {
    type Error;
    fn problem(error: Self::Error) -> ApiError;
}

/// An error on its way to becoming a problem response (boxed: it travels in every `Result`).
#[derive(Debug)]
pub struct ApiError(Box<Details>);

#[derive(Debug)]
struct Details {
    status: StatusCode,
    code: &'static str,
    title: &'static str,
    detail: Option<String>,
    errors: Option<FieldErrors>,
    retry_after_secs: Option<u64>,
    allow: Option<String>,
    /// `bytes */<size>` of a 416.
    content_range: Option<String>,
    instance: Option<String>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.0.status.as_u16(), self.0.code)
    }
}

impl ApiError {
    /// A problem with its status, `code` and title: the constructors below, and a domain's own
    /// problems, which its routes crate maps from the domain's errors (`axis_http_identity::IdentityProblems`, through `DomainProblems`).
    pub fn new(status: StatusCode, code: &'static str, title: &'static str) -> Self {
        Self(Box::new(Details {
            status,
            code,
            title,
            detail: None,
            errors: None,
            retry_after_secs: None,
            allow: None,
            content_range: None,
            instance: None,
        }))
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.0.detail = Some(detail.into());
        self
    }

    /// Points at the resource this occurrence concerns (RFC 9457 `instance`).
    pub fn with_instance(mut self, instance: impl Into<String>) -> Self {
        self.0.instance = Some(instance.into());
        self
    }

    /// Names the offending fields or parameters (any status, not only 422).
    pub fn with_errors(mut self, errors: FieldErrors) -> Self {
        self.0.errors = Some(errors);
        self
    }

    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", "Request is malformed").with_detail(detail)
    }

    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", "Authentication required")
            .with_detail("a valid bearer access token is required")
    }

    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "Not allowed")
            .with_detail("your role may not perform this action")
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "Not found").with_detail("no such resource")
    }

    pub fn method_not_allowed(allow: String) -> Self {
        let mut error = Self::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "Method not allowed")
            .with_detail(format!("allowed methods: {allow}"));
        error.0.allow = Some(allow);
        error
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", "Conflicts with the current state").with_detail(detail)
    }

    pub fn precondition_failed() -> Self {
        Self::new(StatusCode::PRECONDITION_FAILED, "precondition_failed", "Version mismatch").with_detail(
            "the version given (the If-Match header, else `version` in the body) is not the current one; \
                 read the resource again",
        )
    }

    pub fn payload_too_large(limit: u64) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "Request body too large")
            .with_detail(format!("the body must be at most {limit} bytes"))
    }

    /// A body that missed its read deadline ([`crate::body`]); the connection is closed after
    /// the answer, since the rest of the body may still arrive.
    pub fn request_timeout() -> Self {
        Self::new(StatusCode::REQUEST_TIMEOUT, "request_timeout", "Request body timed out")
            .with_detail("the request body stopped arriving or took too long; send it again")
    }

    /// A body that could not be read: timed out (408) or broken off (400).
    pub fn unreadable_body(error: &actix_web::error::PayloadError) -> Self {
        if crate::body::timed_out(error) {
            Self::request_timeout()
        } else {
            Self::bad_request("the body could not be read")
        }
    }

    /// A Range that asks for no byte of a file of `size` bytes.
    pub fn range_not_satisfiable(size: u64) -> Self {
        let mut error =
            Self::new(StatusCode::RANGE_NOT_SATISFIABLE, "range_not_satisfiable", "Range not satisfiable")
                .with_detail(format!("the file has {size} bytes"));
        error.0.content_range = Some(format!("bytes */{size}"));
        error
    }

    pub fn uri_too_long(limit: usize) -> Self {
        Self::new(StatusCode::URI_TOO_LONG, "uri_too_long", "Request target too long")
            .with_detail(format!("the path and query must be at most {limit} bytes"))
    }

    pub fn cors_refused() -> Self {
        Self::new(StatusCode::FORBIDDEN, "cors_refused", "Cross-origin request refused")
            .with_detail("this origin, method or header is not allowed to call the API from a browser")
    }

    pub fn unsupported_media_type() -> Self {
        Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "Unsupported media type")
            .with_detail("send the body as application/json")
    }

    pub fn validation(errors: FieldErrors) -> Self {
        let count = errors.len();
        let mut error =
            Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", "Request is invalid")
                .with_detail(if count == 1 {
                    "1 field is invalid".to_owned()
                } else {
                    format!("{count} fields are invalid")
                });
        error.0.errors = Some(errors);
        error
    }

    /// A body that parsed as JSON but does not fit the expected shape.
    pub fn unprocessable(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", "Request is invalid")
            .with_detail(detail)
    }

    pub fn too_many_requests(code: &'static str, retry_after_secs: u64) -> Self {
        let mut error = Self::new(StatusCode::TOO_MANY_REQUESTS, code, "Too many requests")
            .with_detail(format!("try again in {retry_after_secs} s"));
        error.0.retry_after_secs = Some(retry_after_secs);
        error
    }

    /// 5xx bodies are constant; the cause is logged here, once.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "request failed");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "Internal server error")
    }

    pub fn unavailable() -> Self {
        let mut error =
            Self::new(StatusCode::SERVICE_UNAVAILABLE, "service_unavailable", "Service unavailable")
                .with_detail("a dependency is unavailable; retry shortly");
        error.0.retry_after_secs = Some(1);
        error
    }

    pub fn problem(&self) -> Problem {
        let details = &self.0;
        Problem {
            kind: format!("{TYPE_BASE}{}", details.code),
            title: details.title.to_owned(),
            status: details.status.as_u16(),
            code: details.code.to_owned(),
            detail: details.detail.clone(),
            errors: details.errors.as_ref().map(|e| e.fields().clone()),
            instance: details.instance.clone(),
            request_id: REQUEST_ID.try_with(Clone::clone).ok(),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.0.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.0.status);
        response.insert_header((header::CONTENT_TYPE, PROBLEM_CONTENT_TYPE));
        if self.0.status == StatusCode::UNAUTHORIZED {
            response.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
        }
        if let Some(secs) = self.0.retry_after_secs {
            response.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        if let Some(allow) = &self.0.allow {
            response.insert_header((header::ALLOW, allow.clone()));
        }
        if let Some(range) = &self.0.content_range {
            response.insert_header((header::CONTENT_RANGE, range.clone()));
        }
        if self.0.status == StatusCode::REQUEST_TIMEOUT {
            response.force_close();
        }
        response.body(serde_json::to_vec(&self.problem()).unwrap_or_default())
    }
}

impl From<DomainError> for ApiError {
    /// The one mapping of what every use case can answer.
    fn from(error: DomainError) -> Self {
        match error {
            DomainError::Forbidden => ApiError::forbidden(),
            DomainError::NotFound => ApiError::not_found(),
            DomainError::Validation(errors) => ApiError::validation(errors),
            DomainError::Conflict { message, errors } if errors.is_empty() => ApiError::conflict(message),
            DomainError::Conflict { message, errors } => ApiError::conflict(message).with_errors(errors),
            DomainError::IllegalTransition { from, action } => {
                ApiError::new(StatusCode::CONFLICT, "illegal_transition", "Not allowed in this status")
                    .with_detail(format!("cannot {action} from status {from}"))
            }
            DomainError::VersionMismatch => ApiError::precondition_failed(),
            DomainError::TooLarge { limit } => ApiError::payload_too_large(limit),
            DomainError::Unavailable => ApiError::unavailable(),
            DomainError::RateLimited { retry_after_secs } => {
                ApiError::too_many_requests("rate_limited", retry_after_secs)
            }
            DomainError::Internal(cause) => ApiError::internal(&cause),
        }
    }
}

impl From<NotSignedIn> for ApiError {
    fn from(error: NotSignedIn) -> Self {
        match error {
            NotSignedIn::Refused(reason) => {
                tracing::debug!(reason, "access token refused");
                ApiError::unauthorized()
            }
            NotSignedIn::Failed(error) => error.into(),
        }
    }
}

impl From<FieldErrors> for ApiError {
    fn from(errors: FieldErrors) -> Self {
        ApiError::validation(errors)
    }
}
