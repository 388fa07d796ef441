//! The kinds of text field the API takes, each documented once with the limits the server
//! enforces, so the OpenAPI document states them and every request type refers to the same
//! definition (`#[schema(value_type = Option<Line255>)]`). Documentation types only: values
//! are validated by the domain's constructors, which accept everything these patterns accept.
//!
//! The server trims text and treats an empty optional field as absent, so optional kinds
//! allow `""`; required kinds need one character that is not white space. "Line" kinds refuse
//! control characters; "Block" kinds allow tab, line feed and carriage return.

#![expect(dead_code, reason = "documentation types: never built")]

use utoipa::ToSchema;

/// One line: no control characters (U+0000–U+001F, U+007F–U+009F).
macro_rules! line_kinds {
    ($($(#[$doc:meta])* $name:ident = $max:tt;)*) => {$(
        $(#[$doc])*
        #[derive(ToSchema)]
        #[schema(max_length = $max, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$")]
        pub struct $name(String);
    )*};
}

/// One line that must not be blank.
macro_rules! required_line_kinds {
    ($($(#[$doc:meta])* $name:ident = $max:tt;)*) => {$(
        $(#[$doc])*
        #[derive(ToSchema)]
        #[schema(min_length = 1,
                max_length = $max,
                pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$")]
        pub struct $name(String);
    )*};
}

/// Several lines: tab, line feed and carriage return allowed, other control characters not.
macro_rules! block_kinds {
    ($($(#[$doc:meta])* $name:ident = $max:tt;)*) => {$(
        $(#[$doc])*
        #[derive(ToSchema)]
        #[schema(max_length = $max, pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$")]
        pub struct $name(String);
    )*};
}

/// A name or identifier people read and match on: one line, and no zero-width or bidirectional
/// control characters either (they make two values that read the same differ).
macro_rules! name_kinds {
    ($($(#[$doc:meta])* $name:ident = $min:tt..$max:tt;)*) => {$(
        $(#[$doc])*
        #[derive(ToSchema)]
        #[schema(min_length = $min,
                max_length = $max,
                pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF]*$")]
        pub struct $name(String);
    )*};
}

name_kinds! {
    /// Optional name, at most 150 characters.
    Name150 = 0..150;
    /// Optional name, at most 255 characters.
    Name255 = 0..255;
    /// An identifier such as an employee number, at most 100 characters; stored NFKC-normalised
    /// (`ＥＡ1` is `EA1`) and compared without regard to case.
    Identifier100 = 0..100;
}

/// A required name, at most 255 characters: as [`Name255`], and not blank.
#[derive(ToSchema)]
#[schema(
    min_length = 1,
    max_length = 255,
    pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF]*[^\\s\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF][^\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF]*$"
)]
pub struct RequiredName255(String);

line_kinds! {
    /// Optional text, one line, at most 50 characters.
    Line50 = 50;
    /// Optional text, one line, at most 100 characters.
    Line100 = 100;
    /// Optional text, one line, at most 150 characters.
    Line150 = 150;
    /// Optional text, one line, at most 255 characters.
    Line255 = 255;
}

required_line_kinds! {
    /// Required text, one line, at most 100 characters.
    RequiredLine100 = 100;
    /// Required text, one line, at most 150 characters.
    RequiredLine150 = 150;
    /// Required text, one line, at most 255 characters.
    RequiredLine255 = 255;
}

block_kinds! {
    /// Optional text, several lines, at most 1,000 characters.
    Block1000 = 1000;
    /// Optional text, several lines, at most 2,000 characters.
    Block2000 = 2000;
    /// Optional text, several lines, at most 5,000 characters.
    Block5000 = 5000;
    /// Optional text, several lines, at most 10,000 characters.
    Block10000 = 10000;
    /// Optional text, several lines, at most 20,000 characters.
    Block20000 = 20000;
}

/// Required text of several lines that must not be blank, at most 1,000 characters.
#[derive(ToSchema)]
#[schema(
    min_length = 1,
    max_length = 1000,
    pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
)]
pub struct RequiredBlock1000(String);

/// An amount of money as a decimal string, never more decimals than its currency's minor unit
/// (`"1200"` in UGX, `"12.50"` in USD).
#[derive(ToSchema)]
#[schema(max_length = 20, pattern = "^[0-9]{1,14}(\\.[0-9]{1,4})?$", example = "1200000")]
pub struct DecimalAmount(String);

/// An ISO 4217 currency code.
#[derive(ToSchema)]
#[schema(min_length = 3, max_length = 3, pattern = "^[A-Z]{3}$", example = "UGX")]
pub struct CurrencyCode(String);

/// A contract number: letters, digits and `-_/.`.
#[derive(ToSchema)]
#[schema(min_length = 1, max_length = 100, pattern = "^[A-Za-z0-9._/-]+$", example = "C-2026-00001")]
pub struct ContractNumber(String);

/// An e-mail address (compared case-insensitively; internationalised addresses are allowed):
/// one `@`, at most 64 characters before it, a domain of at least two dot-separated labels, no
/// white space, control, zero-width or bidirectional control characters inside. It is stored
/// NFKC-normalised (`ＡＤＡ@example.com` is `ada@example.com`); an address that is no longer
/// one once normalised is refused.
#[derive(ToSchema)]
#[schema(
    max_length = 254,
    pattern = "^\\s*[^\\s@\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF]{1,64}@[^\\s@.\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF]+(\\.[^\\s@.\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF]+)+\\s*$",
    example = "info@acme.example"
)]
pub struct EmailAddress(String);

/// An optional e-mail address: empty means none.
#[derive(ToSchema)]
#[schema(
    max_length = 254,
    pattern = "^\\s*([^\\s@\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF]{1,64}@[^\\s@.\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF]+(\\.[^\\s@.\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF]+)+)?\\s*$",
    example = "info@acme.example"
)]
pub struct OptionalEmailAddress(String);

/// An optional phone number as people write it: 5 to 20 digits with `+ - ( ) .` and spaces;
/// empty means none.
#[derive(ToSchema)]
#[schema(max_length = 32, pattern = "^ *(\\+?([ ().-]*[0-9]){5,20}[ ().-]*)?$", example = "+256 414 123456")]
pub struct PhoneNumber(String);

/// An optional `http://` or `https://` URL; empty means none.
#[derive(ToSchema)]
#[schema(max_length = 2048, pattern = "^(https?://[^\\s\\u0000-\\u001F\\u007F-\\u009F]+)?$")]
pub struct WebsiteUrl(String);

/// An optional IANA time zone name; empty means none.
#[derive(ToSchema)]
#[schema(max_length = 50, pattern = "^[A-Za-z0-9/_+-]*$", example = "Africa/Kampala")]
pub struct TimeZoneName(String);

/// An Azure subscription GUID (not all zeros).
#[derive(ToSchema)]
#[schema(
    pattern = "^[0-9A-Fa-f]{7}[1-9A-Fa-f]-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$",
    example = "0f8fad5b-d9cb-469f-a165-70867728950e"
)]
pub struct SubscriptionGuid(String);

/// An optional language code: two or three lower-case letters (ISO 639: `en`, `sw`, `lug`);
/// empty means none.
#[derive(ToSchema)]
#[schema(max_length = 3, pattern = "^([a-z]{2,3})?$", example = "en")]
pub struct LanguageCode(String);

/// A calendar date, `YYYY-MM-DD`.
#[derive(ToSchema)]
#[schema(format = Date, example = "2026-11-21")]
pub struct CalendarDate(String);

/// A point in time, RFC 3339.
#[derive(ToSchema)]
#[schema(format = DateTime, example = "2026-11-21T10:00:00Z")]
pub struct Timestamp(String);

/// A file's bytes, as a request or response body of its media type.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
#[expect(dead_code, reason = "documentation type only")]
pub struct BinaryFile(Vec<u8>);

/// `If-Match: "<version>"`: the write happens only if the resource is still at that version
/// (412 otherwise; a value of another shape is 400).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfMatch {
    /// ETag from a previous read, e.g. `"3"`.
    #[param(rename = "If-Match", value_type = String, required = false, pattern = "^\\s*\"[0-9]{1,9}\"\\s*$", example = "\"3\"")]
    if_match: Option<String>,
}

impl IfMatch {
    /// The version a write is conditional on: this header, else a `version` the body carries.
    /// A malformed header is 400, a weak ETag 412 ([`crate::dto::parse_if_match`]).
    pub fn or_body(self, body_version: Option<i32>) -> Result<Option<i32>, crate::problem::ApiError> {
        Ok(crate::dto::parse_if_match(self.if_match.as_deref())?.or(body_version))
    }

    /// The version a write without a body is conditional on, if any.
    pub fn version(self) -> Result<Option<i32>, crate::problem::ApiError> {
        self.or_body(None)
    }
}

/// Reading the header never fails; its value is judged when the handler asks for the version,
/// so a body's own errors still come first, as on every route.
impl actix_web::FromRequest for IfMatch {
    type Error = crate::problem::ApiError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &actix_web::HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let header = req.headers().get(actix_web::http::header::IF_MATCH).and_then(|v| v.to_str().ok());
        std::future::ready(Ok(IfMatch { if_match: header.map(str::to_owned) }))
    }
}

/// `Idempotency-Key`: a retry with the same key and body replays the first response (24 h).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyKey {
    /// 1 to 255 visible ASCII characters, chosen by the client per intended create.
    #[param(rename = "Idempotency-Key", value_type = String, required = false, min_length = 1, max_length = 255, pattern = "^[\\x21-\\x7E]{1,255}$")]
    idempotency_key: Option<String>,
}
