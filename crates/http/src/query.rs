//! Query strings: the one way axis reads them. One rule for every parameter (docs/API.md): a
//! value that is not of the declared type or syntax — not a number, not a UUID, not valid
//! percent-encoding, an empty value, an unknown parameter — is 400; a well-typed value outside its bounds or
//! allowed values (including a NUL character) is 422. Both name the parameter in `errors`.

use std::any::TypeId;
use std::collections::HashMap;
use std::future::{Ready, ready};
use std::ops::Deref;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use axis_kernel::FieldErrors;
use serde::de::DeserializeOwned;
use serde_json::Value;
use utoipa::IntoParams;
use utoipa::openapi::path::ParameterIn;

use crate::problem::ApiError;

/// The query string decoded into `T`.
pub struct ApiQuery<T>(pub T);

impl<T> ApiQuery<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for ApiQuery<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + IntoParams + 'static> FromRequest for ApiQuery<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse_query(req.query_string()).map(ApiQuery))
    }
}

/// Checks every pair, then decodes the query string into `T`.
pub fn parse_query<T: DeserializeOwned + IntoParams + 'static>(raw: &str) -> Result<T, ApiError> {
    // Syntax first (400), then every documented parameter at once: values not of their declared
    // type (400) and required ones missing (422, like a missing body field), all named together;
    // then the names and types as serde reads them (400), and only for parameters that exist
    // and took their value, NUL characters (422).
    let with_nul = check_pairs(raw)?;
    check_documented::<T>(raw)?;
    let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(raw.as_bytes()));
    let parsed = serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let name = error.path().to_string();
        let message = error.inner().to_string();
        if let Some(rest) = message.strip_prefix("unknown field `") {
            let unknown = rest.split('`').next().unwrap_or_default();
            return ApiError::bad_request(format!("unknown query parameter {unknown}"))
                .with_errors(FieldErrors::single(unknown, "is not a parameter of this operation"));
        }
        if let Some(rest) = message.strip_prefix("duplicate field `") {
            let repeated = rest.split('`').next().unwrap_or_default();
            return ApiError::bad_request(format!("query parameter {repeated} is given more than once"))
                .with_errors(FieldErrors::single(repeated, "may be given only once"));
        }
        if let Some(rest) = message.strip_prefix("unknown variant `") {
            let allowed = rest.split_once("expected ").map_or("", |(_, list)| list);
            let allowed = allowed.trim_start_matches("one of ").replace('`', "").replace(" or ", ", ");
            return ApiError::validation(FieldErrors::single(name, format!("must be one of: {allowed}")));
        }
        ApiError::bad_request(format!("query parameter {name} is malformed"))
            .with_errors(FieldErrors::single(name, type_message(&message)))
    })?;
    if with_nul.is_empty() { Ok(parsed) } else { Err(ApiError::validation(with_nul)) }
}

/// Every parameter `T` documents, checked at once against the query: a required one that is
/// missing, a value that is not of its declared type or format. One answer names them all.
fn check_documented<T: IntoParams + 'static>(raw: &str) -> Result<(), ApiError> {
    let given: Vec<(String, String)> =
        form_urlencoded::parse(raw.as_bytes()).map(|(n, v)| (n.into_owned(), v.into_owned())).collect();
    let mut malformed = FieldErrors::new();
    let mut missing = FieldErrors::new();
    for parameter in documented::<T>().iter() {
        let value = given.iter().find(|(name, _)| *name == parameter.name).map(|(_, value)| value);
        match value {
            None if parameter.required => missing.add(&parameter.name, "is required"),
            None => {}
            Some(value) => {
                if let Some(message) = parameter.kind.error(value) {
                    malformed.add(&parameter.name, message);
                }
            }
        }
    }
    match (malformed.is_empty(), missing.is_empty()) {
        (true, true) => Ok(()),
        (true, false) => Err(ApiError::validation(missing)),
        (false, _) => {
            let names: Vec<String> = malformed.fields().keys().cloned().collect();
            malformed.merge(missing);
            Err(ApiError::bad_request(format!("query parameters are malformed: {}", names.join(", ")))
                .with_errors(malformed))
        }
    }
}

/// A parameter as its operation documents it: what `check_documented` needs, read from the
/// OpenAPI parameters once per query type (building them is not free; every request asks).
struct Documented {
    name: String,
    required: bool,
    kind: ValueKind,
}

/// The type or format a parameter's value must have, from its schema (a `$ref` or another kind
/// is left to serde).
#[derive(Clone, Copy)]
enum ValueKind {
    Integer,
    Boolean,
    Uuid,
    Date,
    Other,
}

impl ValueKind {
    fn of(schema: &Value) -> Self {
        let types: Vec<&str> = match &schema["type"] {
            Value::String(one) => vec![one.as_str()],
            Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
            _ => return ValueKind::Other,
        };
        if types.contains(&"integer") {
            return ValueKind::Integer;
        }
        if types.contains(&"boolean") {
            return ValueKind::Boolean;
        }
        match schema["format"].as_str() {
            Some("uuid") => ValueKind::Uuid,
            Some("date") => ValueKind::Date,
            _ => ValueKind::Other,
        }
    }

    /// Why `value` is not of this kind, if it is not.
    fn error(self, value: &str) -> Option<&'static str> {
        match self {
            ValueKind::Integer => value.parse::<i64>().is_err().then_some("must be a whole number"),
            ValueKind::Boolean => (!matches!(value, "true" | "false")).then_some("must be true or false"),
            ValueKind::Uuid => uuid::Uuid::parse_str(value).is_err().then_some("must be a UUID"),
            ValueKind::Date => axis_kernel::input::date(value).err(),
            ValueKind::Other => None,
        }
    }
}

type DocumentedByType = HashMap<TypeId, Arc<Vec<Documented>>>;

/// The parameters `T` documents, built on first use and kept.
fn documented<T: IntoParams + 'static>() -> Arc<Vec<Documented>> {
    static KNOWN: OnceLock<RwLock<DocumentedByType>> = OnceLock::new();
    let known = KNOWN.get_or_init(Default::default);
    if let Some(found) = known.read().unwrap_or_else(PoisonError::into_inner).get(&TypeId::of::<T>()) {
        return found.clone();
    }
    let parameters: Vec<Documented> = T::into_params(|| Some(ParameterIn::Query))
        .into_iter()
        .map(|parameter| Documented {
            required: matches!(parameter.required, utoipa::openapi::Required::True),
            kind: parameter
                .schema
                .as_ref()
                .and_then(|schema| serde_json::to_value(schema).ok())
                .map_or(ValueKind::Other, |schema| ValueKind::of(&schema)),
            name: parameter.name,
        })
        .collect();
    let parameters = Arc::new(parameters);
    known.write().unwrap_or_else(PoisonError::into_inner).insert(TypeId::of::<T>(), parameters.clone());
    parameters
}

/// What kind of value was expected, from serde's message about it.
fn type_message(message: &str) -> &'static str {
    if message.contains("UUID") {
        "must be a UUID"
    } else if message.contains("digit") || message.contains("number") || message.contains("integer") {
        "must be a whole number"
    } else if message.contains("`true` or `false`") || message.contains("bool") {
        "must be true or false"
    } else {
        "is malformed"
    }
}

/// Every `name=value` pair must be valid percent-encoding of UTF-8 and not empty (400); the
/// parameters whose values hold a NUL are returned for a 422 once the names are known good.
fn check_pairs(raw: &str) -> Result<FieldErrors, ApiError> {
    let mut refused = FieldErrors::new();
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let Some(name) = strict_decode(name) else {
            return Err(ApiError::bad_request("a query parameter name is not valid percent-encoded UTF-8"));
        };
        let Some(value) = strict_decode(value) else {
            let shown = name.replace('\0', "\\u0000");
            return Err(ApiError::bad_request(format!(
                "query parameter {shown} is not valid percent-encoded UTF-8"
            ))
            .with_errors(FieldErrors::single(shown, "is not valid percent-encoded UTF-8")));
        };
        if name.contains('\0') {
            return Err(ApiError::bad_request("a query parameter name contains a NUL character"));
        }
        if value.is_empty() {
            return Err(ApiError::bad_request(format!("query parameter {name} is empty")).with_errors(
                FieldErrors::single(name, "must not be empty; leave the parameter out instead"),
            ));
        }
        if value.contains('\0') {
            refused.add(name, "must not contain NUL characters");
        }
    }
    Ok(refused)
}

/// Percent-decodes one component (`+` is a space), refusing broken escapes and invalid UTF-8
/// rather than replacing them.
pub fn strict_decode(component: &str) -> Option<String> {
    let bytes = component.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let text = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(text, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize, IntoParams)]
    #[serde(deny_unknown_fields)]
    #[into_params(parameter_in = Query)]
    #[expect(dead_code, reason = "only decoded")]
    struct Params {
        page: Option<i64>,
        search: Option<String>,
        id: Option<uuid::Uuid>,
        active: Option<bool>,
        #[param(inline)]
        kind: Option<Kind>,
    }

    #[derive(Debug, Deserialize, utoipa::ToSchema)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        One,
        Two,
    }

    /// A query with required parameters, as `/eligibility` has.
    #[derive(Debug, Deserialize, IntoParams)]
    #[serde(deny_unknown_fields)]
    #[into_params(parameter_in = Query)]
    #[expect(dead_code, reason = "only decoded")]
    struct Required {
        person: uuid::Uuid,
        #[param(value_type = String, format = Date)]
        date: String,
        limit: Option<i64>,
    }

    fn refused<T: DeserializeOwned + IntoParams + std::fmt::Debug + 'static>(
        raw: &str,
    ) -> (u16, Vec<(String, Vec<String>)>) {
        let error = parse_query::<T>(raw).err().unwrap_or_else(|| unreachable!("{raw} was accepted"));
        let problem = error.problem();
        (problem.status, problem.errors.unwrap_or_default().into_iter().collect())
    }

    #[test]
    fn every_missing_or_malformed_parameter_is_named_at_once() {
        let expected = |pairs: &[(&str, &str)]| -> Vec<(String, Vec<String>)> {
            pairs.iter().map(|(n, m)| ((*n).to_owned(), vec![(*m).to_owned()])).collect()
        };
        let uuid = "0f8fad5b-d9cb-469f-a165-70867728950e";
        assert_eq!(
            refused::<Required>(""),
            (422, expected(&[("date", "is required"), ("person", "is required")]))
        );
        assert_eq!(
            refused::<Required>(&format!("person={uuid}")),
            (422, expected(&[("date", "is required")]))
        );
        let (status, errors) = refused::<Required>("person=nope&date=2026-12-10T10:00:00Z&limit=x");
        assert_eq!(status, 400);
        let named: Vec<&str> = errors.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(named, ["date", "limit", "person"], "{errors:?}");
        assert!(parse_query::<Required>(&format!("person={uuid}&date=2026-12-10")).is_ok());
    }

    fn refusal(raw: &str) -> (u16, Vec<String>) {
        let error = parse_query::<Params>(raw).err().unwrap_or_else(|| unreachable!("{raw} was accepted"));
        let problem = error.problem();
        (problem.status, problem.errors.unwrap_or_default().into_keys().collect())
    }

    #[test]
    fn wrong_types_and_syntax_are_400_naming_the_parameter() {
        assert_eq!(refusal("page=x"), (400, vec!["page".to_owned()]));
        assert_eq!(refusal("page=1.5"), (400, vec!["page".to_owned()]));
        assert_eq!(refusal("id=not-a-uuid"), (400, vec!["id".to_owned()]));
        assert_eq!(refusal("active=maybe"), (400, vec!["active".to_owned()]));
        assert_eq!(refusal("search=%zz"), (400, vec!["search".to_owned()]));
        assert_eq!(refusal("search=%ff"), (400, vec!["search".to_owned()]));
        assert_eq!(refusal("colour=red"), (400, vec!["colour".to_owned()]));
        assert_eq!(refusal("page=1&page=2"), (400, vec!["page".to_owned()]));
        assert_eq!(refusal("id="), (400, vec!["id".to_owned()]));
        assert_eq!(refusal("search="), (400, vec!["search".to_owned()]));
    }

    #[test]
    fn a_nul_in_an_unknown_parameter_is_the_unknown_parameter() {
        assert_eq!(refusal("colour=%00"), (400, vec!["colour".to_owned()]));
    }

    #[test]
    fn well_typed_values_outside_what_is_allowed_are_422() {
        assert_eq!(refusal("search=a%00b"), (422, vec!["search".to_owned()]));
        assert_eq!(refusal("kind=three"), (422, vec!["kind".to_owned()]));
    }

    #[test]
    fn good_values_pass() {
        let parsed = parse_query::<Params>("page=-1&search=caf%C3%A9+bar&kind=two&active=true");
        assert!(parsed.is_ok());
        assert_eq!(strict_decode("caf%C3%A9+bar").as_deref(), Some("café bar"));
    }
}
