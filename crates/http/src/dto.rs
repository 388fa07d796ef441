//! Shapes shared by several routes: lists, paging parameters, enums as the API spells them.

use axis_kernel::{FieldErrors, Page, PageRequest};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

/// Paging metadata of every list (`{data, pagination}`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Pagination {
    /// Exact number of matching items.
    pub total: u64,
    pub pages: u64,
    pub page: u32,
    pub limit: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Paginated<T: ToSchema> {
    pub data: Vec<T>,
    pub pagination: Pagination,
}

impl<T: ToSchema> Paginated<T> {
    pub fn from_page<U>(page: Page<U>, f: impl FnMut(U) -> T) -> Self {
        let pagination =
            Pagination { total: page.total, pages: page.pages(), page: page.page, limit: page.limit };
        Self { data: page.items.into_iter().map(f).collect(), pagination }
    }
}

/// Declares the query parameters of a list: `page` and `limit` first, then the list's own
/// filters, with `page_request()` reading the two. Every list route's parameters are one.
#[macro_export]
macro_rules! paged_params {
    (pub struct $name:ident { $($filters:tt)* }) => {
        #[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
        #[serde(deny_unknown_fields)]
        #[into_params(parameter_in = Query)]
        pub struct $name {
            /// Page number, from 1.
            #[param(minimum = 1, maximum = 1000000)]
            pub page: Option<i64>,
            /// Items per page, 1 to 100 (default 10).
            #[param(minimum = 1, maximum = 100)]
            pub limit: Option<i64>,
            $($filters)*
        }

        impl $name {
            /// `page` and `limit` as a validated [`axis_kernel::PageRequest`].
            pub fn page_request(&self) -> Result<axis_kernel::PageRequest, axis_kernel::FieldErrors> {
                $crate::dto::page_request(self.page, self.limit)
            }
        }
    };
}

paged_params! {
    pub struct PageQuery {}
}

/// `page` and `limit` as received; validated by [`PageRequest::parse`].
/// Both are read as any whole number, so `-1` and `0` get the same 422 as other out-of-range values.
pub fn page_request(page: Option<i64>, limit: Option<i64>) -> Result<PageRequest, FieldErrors> {
    let narrow =
        |value: Option<i64>| value.map(|v| u32::try_from(v.clamp(0, i64::from(u32::MAX))).unwrap_or(0));
    PageRequest::parse(narrow(page), narrow(limit))
}

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`) in PATCH bodies.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Parses an `If-Match` value into the version a write is conditional on: `"7"` is version 7;
/// `*` asks only that the resource exists (any current version: no version to compare). A weak
/// validator (`W/"7"`) never matches under `If-Match`, which compares strongly (RFC 9110
/// §13.1.1): 412 at once, saying so.
pub fn parse_if_match(value: Option<&str>) -> Result<Option<i32>, crate::problem::ApiError> {
    let Some(raw) = value.map(str::trim) else { return Ok(None) };
    if raw == "*" {
        return Ok(None);
    }
    let strong =
        |v: &str| v.strip_prefix('"').and_then(|v| v.strip_suffix('"')).and_then(|v| v.parse::<i32>().ok());
    if let Some(version) = raw.strip_prefix("W/").and_then(strong) {
        return Err(crate::problem::ApiError::precondition_failed().with_detail(format!(
            "If-Match compares ETags strongly and a weak one (W/\"{version}\") never matches; send \"{version}\""
        )));
    }
    strong(raw)
        .map(Some)
        .ok_or_else(|| crate::problem::ApiError::bad_request("If-Match must be an ETag such as \"3\", or *"))
}

pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// Parses an optional `YYYY-MM-DD` date (the kernel's one rule for dates).
pub use axis_kernel::input::parse_date;

/// Parses an optional RFC 3339 time, recording a field error when it is malformed.
pub fn parse_time(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<&str>,
) -> Option<time::OffsetDateTime> {
    let value = value?;
    time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339)
        .map_err(|_| errors.add(field, "must be an RFC 3339 time such as 2026-11-21T10:00:00Z"))
        .ok()
}

/// A JSON body with an `ETag` of its version.
pub fn with_etag<T: Serialize>(
    status: actix_web::http::StatusCode,
    version: i32,
    body: &T,
) -> actix_web::HttpResponse {
    actix_web::HttpResponse::build(status)
        .insert_header((actix_web::http::header::ETAG, etag(version)))
        .json(body)
}

/// An `ordering` query value (`name` or `-name` for descending) read as one of a list's
/// orderings, a string enum; `default` when absent. A name the list does not know is a
/// field error.
pub fn list_ordering<T: std::str::FromStr>(
    errors: &mut FieldErrors,
    raw: Option<&str>,
    default: (T, bool),
) -> (T, bool) {
    let Some(raw) = raw else { return default };
    let (descending, name) = raw.strip_prefix('-').map_or((false, raw), |rest| (true, rest));
    match name.parse::<T>() {
        Ok(ordering) => (ordering, descending),
        Err(_) => {
            errors.add("ordering", "is not a known ordering");
            default
        }
    }
}

/// Declares the history entry a routes crate shows for a status type: the status, the day it
/// took effect, when the change was made and why.
#[macro_export]
macro_rules! status_change_response {
    ($(#[$meta:meta])* $name:ident, $status:ty) => {
        $(#[$meta])*
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            pub status: $status,
            /// From this day the status held.
            #[schema(value_type = String, format = Date)]
            pub effective_on: String,
            #[serde(with = "time::serde::rfc3339")]
            #[schema(value_type = String, format = DateTime)]
            pub at: time::OffsetDateTime,
            pub reason: Option<String>,
        }

        impl From<axis_kernel::StatusChange<$status>> for $name {
            fn from(change: axis_kernel::StatusChange<$status>) -> Self {
                Self {
                    status: change.status,
                    effective_on: change.effective_on.to_string(),
                    at: change.at,
                    reason: change.reason,
                }
            }
        }
    };
}

/// A status change dated ahead that has not taken effect: the status the record will take and
/// the day it does (by itself). The record's `status` is its status today.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduledChange<S: ToSchema> {
    pub status: S,
    #[schema(value_type = String, format = Date)]
    pub on: String,
}

impl<S: ToSchema> From<axis_kernel::Scheduled<S>> for ScheduledChange<S> {
    fn from(change: axis_kernel::Scheduled<S>) -> Self {
        Self { status: change.status, on: change.on.to_string() }
    }
}
