//! Partial updates: a field of a PATCH body is absent (keep), `null` (clear) or a value (set).

use serde::{Deserialize, Deserializer};

/// One field of a partial update. Declare the field `#[serde(default)]` so that an absent field
/// is [`Patch::Absent`]; `null` is [`Patch::Null`] and anything else [`Patch::Value`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Patch<T> {
    #[default]
    Absent,
    Null,
    Value(T),
}

impl<T> Patch<T> {
    pub fn is_absent(&self) -> bool {
        matches!(self, Patch::Absent)
    }

    /// Writes the patch over an optional field: absent keeps it, `null` clears it.
    pub fn apply_to(self, field: &mut Option<T>) {
        match self {
            Patch::Absent => {}
            Patch::Null => *field = None,
            Patch::Value(value) => *field = Some(value),
        }
    }

    /// Writes the patch over a required field: absent and `null` keep it (a required field
    /// cannot be cleared; its validation reports a `null` sent for it).
    pub fn apply_to_required(self, field: &mut T) {
        if let Patch::Value(value) = self {
            *field = value;
        }
    }

    /// Writes the patch over a field that always has a value once set (a contract's dates):
    /// absent and `null` keep it, as for [`Patch::apply_to_required`].
    pub fn apply_to_present(self, field: &mut Option<T>) {
        if let Patch::Value(value) = self {
            *field = Some(value);
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Patch<U> {
        match self {
            Patch::Absent => Patch::Absent,
            Patch::Null => Patch::Null,
            Patch::Value(value) => Patch::Value(f(value)),
        }
    }

    /// For fallible conversions of the value (parsing a date sent as text).
    pub fn try_map<U, E>(self, f: impl FnOnce(T) -> Result<U, E>) -> Result<Patch<U>, E> {
        Ok(match self {
            Patch::Absent => Patch::Absent,
            Patch::Null => Patch::Null,
            Patch::Value(value) => Patch::Value(f(value)?),
        })
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(deserializer)? {
            None => Patch::Null,
            Some(value) => Patch::Value(value),
        })
    }
}

/// A patch field is documented as its value's schema, nullable, and never required.
#[cfg(feature = "openapi")]
impl<T: utoipa::PartialSchema> utoipa::PartialSchema for Patch<T> {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
        OneOfBuilder::new().item(T::schema()).item(ObjectBuilder::new().schema_type(Type::Null)).into()
    }
}

#[cfg(feature = "openapi")]
impl<T: utoipa::ToSchema> utoipa::ToSchema for Patch<T> {
    fn name() -> std::borrow::Cow<'static, str> {
        T::name()
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Deserialize)]
    struct Body {
        #[serde(default)]
        note: Patch<String>,
    }

    fn read(json: &str) -> Patch<String> {
        serde_json::from_str::<Body>(json).map(|b| b.note).unwrap_or(Patch::Absent)
    }

    #[test]
    fn absent_null_and_value_are_three_things() {
        assert_eq!(read("{}"), Patch::Absent);
        assert_eq!(read(r#"{"note": null}"#), Patch::Null);
        assert_eq!(read(r#"{"note": "x"}"#), Patch::Value("x".to_owned()));
        let mut field = Some("old".to_owned());
        Patch::Absent.apply_to(&mut field);
        assert_eq!(field.as_deref(), Some("old"));
        Patch::Null.apply_to(&mut field);
        assert_eq!(field, None);
        Patch::Value("new".to_owned()).apply_to(&mut field);
        assert_eq!(field.as_deref(), Some("new"));
    }
}
