//! Request bodies: the one way axis reads JSON. [`ApiJson`] takes only `application/json`,
//! refuses duplicate object keys, NUL characters and numbers that would not read back equal
//! from PostgreSQL, and turns every shape error into a 422 naming the field in plain words.
//! Whatever it accepts can be stored in a `text` or `jsonb` column and read back unchanged.

use std::fmt;
use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use axis_kernel::FieldErrors;
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::problem::ApiError;

/// The largest JSON body when no `web::JsonConfig`-style limit is registered.
const DEFAULT_LIMIT: usize = 256 * 1024;

/// The body limit, registered once as app data.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A JSON request body, checked and decoded into `T`.
pub struct ApiJson<T>(pub T);

impl<T> ApiJson<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for ApiJson<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let value = read_value(req, payload);
        Box::pin(async move { decode(value.await?).map(ApiJson) })
    }
}

/// The request's body as checked JSON: the content type, the size limit (declared and as it
/// arrives), then the JSON rules of [`parse_value`].
fn read_value(req: &HttpRequest, payload: &mut Payload) -> LocalBoxFuture<'static, Result<Value, ApiError>> {
    let limit = req.app_data::<web::Data<BodyLimit>>().map_or(DEFAULT_LIMIT, |l| l.0);
    let content_type_ok = is_json_content_type(req);
    let declared_length = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let mut payload = payload.take();
    Box::pin(async move {
        if !content_type_ok {
            return Err(ApiError::unsupported_media_type());
        }
        if declared_length.is_some_and(|length| length > limit) {
            return Err(ApiError::payload_too_large(limit as u64));
        }
        let mut body = web::BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|error| ApiError::unreadable_body(&error))?;
            if body.len() + chunk.len() > limit {
                return Err(ApiError::payload_too_large(limit as u64));
            }
            body.extend_from_slice(&chunk);
        }
        parse_value(&body)
    })
}

/// A JSON body a request may leave out (an action whose options all have defaults): `None`
/// when the request carries no body at all (no `Content-Type`, no length or length 0) or the
/// body is `null`; any other body is read exactly as [`ApiJson`] reads it.
pub struct OptionalJson<T>(pub Option<T>);

impl<T> OptionalJson<T> {
    pub fn into_inner(self) -> Option<T> {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for OptionalJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let headers = req.headers();
        let no_length = headers
            .get(header::CONTENT_LENGTH)
            .is_none_or(|v| v.to_str().ok().and_then(|v| v.trim().parse::<u64>().ok()) == Some(0));
        let chunked = headers.get(header::TRANSFER_ENCODING).is_some();
        if !headers.contains_key(header::CONTENT_TYPE) && no_length && !chunked {
            return Box::pin(async { Ok(OptionalJson(None)) });
        }
        let value = read_value(req, payload);
        Box::pin(async move {
            match value.await? {
                // A JSON `null` says "no options" as well as an absent body does.
                Value::Null => Ok(OptionalJson(None)),
                value => decode(value).map(|value| OptionalJson(Some(value))),
            }
        })
    }
}

/// `application/json`, optionally with `charset=utf-8`; nothing else (not even `+json` types).
fn is_json_content_type(req: &HttpRequest) -> bool {
    let Some(value) = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let mut parts = value.split(';').map(str::trim);
    let essence_ok = parts.next().is_some_and(|essence| essence.eq_ignore_ascii_case("application/json"));
    essence_ok
        && parts.all(|param| {
            param.is_empty()
                || param.split_once('=').is_some_and(|(name, value)| {
                    name.trim().eq_ignore_ascii_case("charset")
                        && value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
                })
        })
}

/// Parses a body into a JSON value: malformed JSON is 400; well-formed JSON that axis would
/// not store faithfully (duplicate keys, NUL, numbers that change on the way back) is 422.
pub fn parse_value(body: &[u8]) -> Result<Value, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = StrictValue.deserialize(&mut deserializer).and_then(|value| {
        deserializer.end()?;
        Ok(value)
    });
    match value {
        Ok(value) => {
            let mut errors = FieldErrors::new();
            check_storable(&value, &mut String::new(), &mut errors);
            errors.into_result()?;
            Ok(value)
        }
        Err(error) if error.classify() == serde_json::error::Category::Data => {
            // Only the duplicate-key check raises data errors while parsing into a value.
            Err(ApiError::validation(FieldErrors::single("body", error_text(&error))))
        }
        Err(error) => Err(ApiError::bad_request(format!(
            "the body is not valid JSON (line {}, column {})",
            error.line(),
            error.column()
        ))),
    }
}

/// Decodes a checked JSON value into a request type; a shape error is a 422 on its field.
/// Every request body of the API is an object (serde would also take an array for a struct).
pub fn decode<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    if !value.is_object() {
        let found = match value {
            Value::Array(_) => "an array",
            Value::String(_) => "a string",
            Value::Number(_) => "a number",
            Value::Bool(_) => "a boolean",
            _ => "null",
        };
        return Err(ApiError::validation(FieldErrors::single(
            "body",
            format!("must be a JSON object, not {found}"),
        )));
    }
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        let path = if path == "." { String::new() } else { path };
        let (field, message) = plain_message(&path, &error.inner().to_string());
        ApiError::validation(FieldErrors::single(field, message))
    })
}

/// The message of a serde_json error without its position suffix.
fn error_text(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.find(" at line ") {
        Some(cut) => text[..cut].to_owned(),
        None => text,
    }
}

/// `path.field`, unless the path already ends at the field (serde_path_to_error includes an
/// unknown field in the path, a missing one not).
fn join(path: &str, field: &str) -> String {
    if path.is_empty() || path == field {
        field.to_owned()
    } else if path.ends_with(&format!(".{field}")) {
        path.to_owned()
    } else {
        format!("{path}.{field}")
    }
}

fn between_backticks(text: &str) -> Option<&str> {
    let start = text.find('`')? + 1;
    let end = start + text[start..].find('`')?;
    Some(&text[start..end])
}

/// Serde's messages name Rust types (`expected struct ClientRequest with 22 elements`,
/// `expected u32`); this says the same in the API's words, on the field it concerns.
fn plain_message(path: &str, message: &str) -> (String, String) {
    let at = |p: &str| if p.is_empty() { "body".to_owned() } else { p.to_owned() };
    if let Some(name) = message.strip_prefix("unknown field ").and_then(between_backticks) {
        return (join(path, name), "is not a field of this request".to_owned());
    }
    if let Some(name) = message.strip_prefix("missing field ").and_then(between_backticks) {
        return (join(path, name), "is required".to_owned());
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let allowed = rest.split_once("expected ").map_or("", |(_, list)| list);
        let allowed = allowed.trim_start_matches("one of ").replace('`', "").replace(" or ", ", ");
        return (at(path), format!("must be one of: {allowed}"));
    }
    if let Some(rest) =
        message.strip_prefix("invalid type: ").or_else(|| message.strip_prefix("invalid value: "))
    {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return (at(path), format!("must be {}, not {}", plain_expected(expected), plain_found(found)));
    }
    if message.starts_with("invalid length ") {
        let expected = message.split_once(", expected ").map_or("", |(_, e)| e);
        return (at(path), format!("must be {}", plain_expected(expected)));
    }
    (at(path), message.to_owned())
}

fn plain_expected(expected: &str) -> String {
    let expected = expected.trim();
    if expected.starts_with("struct ") || expected == "a map" || expected.starts_with("struct variant") {
        return "a JSON object".to_owned();
    }
    if expected.starts_with("a sequence") || expected.starts_with("tuple") {
        return "a JSON array".to_owned();
    }
    match expected {
        "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number of at least 0".to_owned(),
        "i8" | "i16" | "i32" | "i64" | "isize" => "a whole number".to_owned(),
        "f32" | "f64" => "a number".to_owned(),
        "a string" | "a borrowed string" | "a str" => "a string".to_owned(),
        "a boolean" => "true or false".to_owned(),
        "" => "of another kind".to_owned(),
        other if other.starts_with("enum ") => "one of the documented values".to_owned(),
        other => other.to_owned(),
    }
}

fn plain_found(found: &str) -> String {
    let kind = found.split_whitespace().next().unwrap_or(found);
    match kind {
        "string" => "a string".to_owned(),
        "integer" => "a whole number".to_owned(),
        "floating" => "a decimal number".to_owned(),
        "boolean" => "a boolean".to_owned(),
        "map" => "an object".to_owned(),
        "sequence" => "an array".to_owned(),
        "null" => "null".to_owned(),
        _ => "that".to_owned(),
    }
}

/// Everything PostgreSQL must store as it was sent: no NUL in strings or keys (text and jsonb
/// refuse them), and every number reads back equal after PostgreSQL prints it.
fn check_storable(value: &Value, path: &mut String, errors: &mut FieldErrors) {
    let here = |path: &str| if path.is_empty() { "body".to_owned() } else { path.to_owned() };
    match value {
        Value::String(text) if text.contains('\0') => {
            errors.add(here(path), "must not contain NUL characters");
        }
        Value::Number(number) if !round_trips(number) => {
            errors.add(here(path), "is a number that cannot be stored exactly");
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{index}]"));
                check_storable(item, path, errors);
                path.truncate(len);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                if key.contains('\0') {
                    path.push_str(&key.replace('\0', "\\u0000"));
                    errors.add(here(path), "keys must not contain NUL characters");
                } else {
                    path.push_str(key);
                    check_storable(item, path, errors);
                }
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// Does `number` read back equal once PostgreSQL has stored it? jsonb keeps numbers as exact
/// decimals and prints them without an exponent, so the test is: spell the number as
/// PostgreSQL will, read it back, compare.
pub fn round_trips(number: &Number) -> bool {
    if number.is_i64() || number.is_u64() {
        return true;
    }
    let Some(float) = number.as_f64().filter(|f| f.is_finite()) else { return false };
    let Some(plain) = plain_decimal(&float.to_string()) else { return false };
    serde_json::from_str::<f64>(&plain).is_ok_and(|back| back == float)
}

/// `1.5e3` -> `1500`, `2.5e-3` -> `0.0025`: how PostgreSQL prints a numeric.
fn plain_decimal(text: &str) -> Option<String> {
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().ok()?),
        None => (text, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{int_part}{frac_part}");
    let point = i32::try_from(int_part.len()).ok()? + exponent;
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    if point <= 0 {
        out.push_str("0.");
        out.push_str(&"0".repeat(usize::try_from(-point).ok()?));
        out.push_str(&digits);
    } else {
        let point = usize::try_from(point).ok()?;
        if point >= digits.len() {
            out.push_str(&digits);
            out.push_str(&"0".repeat(point - digits.len()));
        } else {
            out.push_str(&digits[..point]);
            out.push('.');
            out.push_str(&digits[point..]);
        }
    }
    Some(out)
}

/// A JSON value that refuses duplicate object keys (serde_json keeps the last one silently).
struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    /// A number with no fraction (`3.0`) is a whole number, as JSON Schema says; it is kept as
    /// one so it fits integer fields.
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0; // 2^53
        if v.fract() == 0.0 && v.abs() < EXACT_INTEGERS {
            #[expect(clippy::cast_possible_truncation, reason = "whole and below 2^53: exact")]
            return Ok(Value::Number((v as i64).into()));
        }
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(StrictValue)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                let shown = key.replace('\0', "\\u0000");
                return Err(de::Error::custom(format!("the key \"{shown}\" appears more than once")));
            }
            let value = map.next_value_seed(StrictValue)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    fn problem(error: ApiError) -> (u16, Option<std::collections::BTreeMap<String, Vec<String>>>) {
        let problem = error.problem();
        (problem.status, problem.errors)
    }

    #[test]
    fn the_largest_number_is_accepted_and_reads_back_equal() {
        let value = parse_value(br#"{"x": 1.7976931348623157e308, "y": 5e-324, "z": -0.1}"#)
            .unwrap_or_else(|e| unreachable!("{e}"));
        for key in ["x", "y", "z"] {
            let number = value[key].as_f64().unwrap_or_default();
            let printed = plain_decimal(&number.to_string()).unwrap_or_default();
            assert_eq!(serde_json::from_str::<f64>(&printed).ok(), Some(number), "{key}: {printed}");
        }
        assert_eq!(plain_decimal("1.5e3").as_deref(), Some("1500"));
        assert_eq!(plain_decimal("-2.5e-3").as_deref(), Some("-0.0025"));
        assert_eq!(plain_decimal("12.75").as_deref(), Some("12.75"));
    }

    #[test]
    fn whole_numbers_written_with_a_fraction_are_whole_numbers() {
        let value = parse_value(br#"{"version": 3.0, "big": 1e300, "half": 0.5}"#).unwrap_or_default();
        assert_eq!(value["version"], serde_json::json!(3));
        assert!(value["big"].is_f64() && value["half"].is_f64());
    }

    #[test]
    fn duplicate_keys_are_422_at_any_depth() {
        for body in [&br#"{"a": 1, "a": 2}"#[..], br#"{"m": {"k": 1, "k": 1}}"#, br#"[{"x": 0, "x": 0}]"#] {
            let (status, errors) = problem(parse_value(body).err().unwrap_or_else(|| unreachable!()));
            assert_eq!(status, 422);
            assert!(errors.is_some_and(|e| e["body"][0].contains("more than once")));
        }
    }

    #[test]
    fn nul_in_strings_and_keys_is_422_on_the_field() {
        let (status, errors) =
            problem(parse_value(br#"{"name": "a\u0000b"}"#).err().unwrap_or_else(|| unreachable!()));
        assert_eq!((status, errors.map(|e| e.contains_key("name"))), (422, Some(true)));
        let (status, errors) = problem(
            parse_value(br#"{"metadata": {"k\u0000": 1, "list": ["\u0000"]}}"#)
                .err()
                .unwrap_or_else(|| unreachable!()),
        );
        assert_eq!(status, 422);
        let errors = errors.unwrap_or_default();
        assert!(errors.contains_key("metadata.k\\u0000"), "{errors:?}");
        assert!(errors.contains_key("metadata.list[0]"), "{errors:?}");
    }

    #[test]
    fn malformed_json_is_400() {
        for body in [&b"{"[..], b"{\"a\": }", b"", b"[1,]", b"{} x"] {
            let error = parse_value(body).err().unwrap_or_else(|| unreachable!());
            assert_eq!(error.problem().status, 400, "{:?}", String::from_utf8_lossy(body));
        }
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only decoded")]
    struct Sample {
        name: String,
        count: Option<u32>,
        kind: Option<Kind>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Small,
        Large,
    }

    fn decode_errors(value: Value) -> std::collections::BTreeMap<String, Vec<String>> {
        let error = decode::<Sample>(value).err().unwrap_or_else(|| unreachable!());
        assert_eq!(error.problem().status, 422);
        error.problem().errors.unwrap_or_default()
    }

    #[test]
    fn shape_errors_name_the_field_in_plain_words() {
        let errors = decode_errors(json!("just a string"));
        assert_eq!(errors["body"], ["must be a JSON object, not a string"]);
        let errors = decode_errors(json!(["a", 1]));
        assert!(!errors["body"][0].contains("Sample"), "{errors:?}");
        let errors = decode_errors(json!({"name": "x", "count": -1}));
        assert_eq!(errors["count"], ["must be a whole number of at least 0, not a whole number"]);
        let errors = decode_errors(json!({"name": "x", "kind": "medium"}));
        assert_eq!(errors["kind"], ["must be one of: small, large"]);
        let errors = decode_errors(json!({"name": "x", "colour": "red"}));
        assert_eq!(errors["colour"], ["is not a field of this request"]);
        let errors = decode_errors(json!({}));
        assert_eq!(errors["name"], ["is required"]);
    }
}
