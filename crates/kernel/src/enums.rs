//! String enums: Rust enums end to end, whose one string form (API, database, audit) is written
//! once, next to the variant.

/// A value that is not one of an enum's string forms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be one of {expected}")]
pub struct UnknownValue {
    /// The accepted forms, comma-separated.
    pub expected: String,
}

/// Declares an enum whose variants each have one string form: serde, `Display`, `FromStr`,
/// `as_str` and `ALL` all use it, and with the invoking crate's `openapi` feature the enum
/// derives its OpenAPI schema too (so the API documents the domain type itself).
///
/// ```
/// axis_kernel::string_enum! {
///     /// How a contact prefers to be reached.
///     pub enum Channel { Email => "email", Phone => "phone" }
/// }
/// assert_eq!("phone".parse::<Channel>(), Ok(Channel::Phone));
/// assert_eq!(Channel::Email.to_string(), "email");
/// ```
#[macro_export]
macro_rules! string_enum {
    ($(#[doc = $doc:expr])* $vis:vis enum $name:ident { $($(#[doc = $variant_doc:expr])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        $vis enum $name {
            $($(#[doc = $variant_doc])* #[serde(rename = $text)] $variant),+
        }

        // Written out rather than derived: the derive does not read a `rename` that a macro
        // passes through, and would document the variant names instead of the string forms.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                let docs: &[&str] = &[$($doc),*];
                let description = docs.iter().map(|line| line.trim()).collect::<Vec<_>>().join(" ");
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($text),+]))
                    .description((!description.is_empty()).then_some(description))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::enums::UnknownValue;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Self::ALL.iter().copied().find(|v| v.as_str() == value).ok_or_else(|| {
                    let names: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    $crate::enums::UnknownValue { expected: names.join(", ") }
                })
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::string_enum! {
        /// A test enum whose string forms are not its variant names.
        enum Shade { Light => "light", VeryDark => "very-dark" }
    }

    #[test]
    fn every_form_is_the_written_one() {
        for shade in Shade::ALL {
            assert_eq!(shade.as_str().parse::<Shade>(), Ok(*shade));
            assert_eq!(serde_json::to_value(shade).ok(), Some(serde_json::json!(shade.as_str())));
        }
        assert_eq!(Shade::VeryDark.to_string(), "very-dark");
        let error = "VeryDark".parse::<Shade>().unwrap_err();
        assert_eq!(error.to_string(), "must be one of light, very-dark");
    }
}
