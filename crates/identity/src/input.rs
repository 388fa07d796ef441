//! Validated input: constructors refuse bad values, so a use case never sees them.

use axis_kernel::{Email, FieldErrors, Role};
use time::Date;

use crate::UserStatus;

/// A first or last name: trimmed, at most 150 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let value = raw.trim();
        if raw.chars().count() > 150 {
            return Err("must be at most 150 characters");
        }
        if value.chars().any(char::is_control) {
            return Err("must not contain control characters");
        }
        if value.chars().any(axis_kernel::input::is_invisible) {
            return Err("must not contain zero-width or bidirectional control characters");
        }
        Ok(Self(value.to_owned()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A new password: 12 to 256 characters. Never logged, never stored in clear.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(..)")
    }
}

impl Password {
    pub const MIN_CHARS: usize = 12;
    pub const MAX_CHARS: usize = 256;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let count = raw.chars().count();
        if count < Self::MIN_CHARS {
            return Err(format!("must be at least {} characters", Self::MIN_CHARS));
        }
        if count > Self::MAX_CHARS {
            return Err(format!("must be at most {} characters", Self::MAX_CHARS));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: Email,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
    /// `None` for accounts that will only sign in through the identity provider.
    pub password: Option<Password>,
}

impl NewUser {
    pub fn parse(
        email: &str,
        first_name: &str,
        last_name: &str,
        role: Role,
        password: Option<&str>,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        // A user's address must not pass for another's: one writing system per part.
        let email = Email::parse(email)
            .and_then(Email::single_script)
            .map_err(|e| errors.add("email", e.to_string()))
            .ok();
        let first = PersonName::parse(first_name).map_err(|e| errors.add("first_name", e)).ok();
        let last = PersonName::parse(last_name).map_err(|e| errors.add("last_name", e)).ok();
        let password = match password.map(Password::parse) {
            Some(Err(e)) => {
                errors.add("password", e);
                None
            }
            Some(Ok(p)) => Some(p),
            None => None,
        };
        match (email, first, last) {
            (Some(email), Some(first), Some(last)) if errors.is_empty() => Ok(Self {
                email,
                first_name: first.into_inner(),
                last_name: last.into_inner(),
                role,
                password,
            }),
            _ => Err(errors),
        }
    }
}

/// An administrator's change to a user; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserChanges {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub role: Option<Role>,
    pub status: Option<UserStatus>,
}

impl UserChanges {
    pub fn parse(
        first_name: Option<&str>,
        last_name: Option<&str>,
        role: Option<Role>,
        status: Option<UserStatus>,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let first_name = optional_name(&mut errors, "first_name", first_name);
        let last_name = optional_name(&mut errors, "last_name", last_name);
        errors.into_result()?;
        Ok(Self { first_name, last_name, role, status })
    }
}

/// Trimmed text of at most `max` characters as sent.
fn bounded(errors: &mut FieldErrors, field: &str, value: &str, max: usize) -> String {
    if value.chars().count() > max {
        errors.add(field, format!("must be at most {max} characters"));
    }
    let value = value.trim();
    if value.chars().any(|c| c.is_control() && c != '\n') {
        errors.add(field, "must not contain control characters");
    }
    value.to_owned()
}

/// A user's change to their own profile as it arrives: absent fields stay as they are and
/// `Some(None)` clears a nullable field. Validated into [`ProfileChanges`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileFields {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub full_name: Option<String>,
    pub phone: Option<Option<String>>,
    pub image_url: Option<Option<String>>,
    pub bio: Option<Option<String>>,
    pub date_of_birth: Option<Option<Date>>,
    pub gender: Option<Option<String>>,
    pub language: Option<String>,
    pub timezone: Option<String>,
}

/// Validated, trimmed [`ProfileFields`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileChanges(ProfileFields);

/// Parses an optional name, recording a field error when it is invalid.
fn optional_name(errors: &mut FieldErrors, field: &str, value: Option<&str>) -> Option<String> {
    match PersonName::parse(value?) {
        Ok(name) => Some(name.into_inner()),
        Err(message) => {
            errors.add(field, message);
            None
        }
    }
}

impl ProfileChanges {
    pub fn fields(&self) -> &ProfileFields {
        &self.0
    }

    pub fn into_fields(self) -> ProfileFields {
        self.0
    }

    pub fn parse(raw: ProfileFields, today: Date) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let first_name = optional_name(&mut errors, "first_name", raw.first_name.as_deref());
        let last_name = optional_name(&mut errors, "last_name", raw.last_name.as_deref());
        let full_name =
            raw.full_name.map(|v| bounded(&mut errors, "full_name", &v, crate::model::FULL_NAME_MAX));
        let phone = raw.phone.map(|o| o.map(|v| bounded(&mut errors, "phone", &v, 50)));
        if let Some(Some(phone)) = &phone
            && let Err(e) = axis_kernel::Phone::parse(phone)
        {
            errors.add("phone", e.to_string());
        }
        let image_url = raw.image_url.map(|o| o.map(|v| bounded(&mut errors, "image_url", &v, 2048)));
        if let Some(Some(url)) = &image_url
            && !url.starts_with("https://")
        {
            errors.add("image_url", "must be an https:// URL");
        }
        let bio = raw.bio.map(|o| o.map(|v| bounded(&mut errors, "bio", &v, 5000)));
        if let Some(Some(dob)) = raw.date_of_birth
            && dob > today
        {
            errors.add("date_of_birth", "must not be in the future");
        }
        let gender = raw.gender.map(|o| o.map(|v| bounded(&mut errors, "gender", &v, 20)));
        let language = raw.language.map(|v| bounded(&mut errors, "language", &v, 10));
        if let Some(lang) = &language {
            let ok = lang.len() >= 2 && lang.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            if !ok {
                errors.add("language", "must be a language tag such as en or pt-BR");
            }
        }
        let timezone = raw.timezone.map(|v| bounded(&mut errors, "timezone", &v, 50));
        if let Some(tz) = &timezone {
            let ok = !tz.is_empty() && tz.chars().all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c));
            if !ok {
                errors.add("timezone", "must be an IANA time zone name such as Europe/Lisbon");
            }
        }
        errors.into_result()?;
        Ok(Self(ProfileFields {
            first_name,
            last_name,
            full_name,
            phone,
            image_url,
            bio,
            date_of_birth: raw.date_of_birth,
            gender,
            language,
            timezone,
        }))
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn new_user_collects_every_field_error() {
        let errors = NewUser::parse("nope", &"x".repeat(151), "ok", Role::Viewer, Some("short")).unwrap_err();
        let fields: Vec<&String> = errors.fields().keys().collect();
        assert_eq!(fields, ["email", "first_name", "password"]);
    }

    #[test]
    fn new_user_trims_names() {
        let user = NewUser::parse("A@B.io", "  Ada ", "Lovelace", Role::Admin, None).unwrap();
        assert_eq!(user.first_name, "Ada");
        assert_eq!(user.email.as_str(), "a@b.io");
    }

    #[test]
    fn password_length_bounds() {
        assert!(Password::parse(&"x".repeat(11)).is_err());
        assert!(Password::parse(&"x".repeat(12)).is_ok());
        assert!(Password::parse(&"x".repeat(257)).is_err());
        assert_eq!(format!("{:?}", Password::parse(&"secret".repeat(3)).unwrap()), "Password(..)");
    }

    #[test]
    fn profile_rules() {
        let today = date!(2026 - 11 - 21);
        let raw = ProfileFields {
            phone: Some(Some("call me".into())),
            image_url: Some(Some("javascript:alert(1)".into())),
            date_of_birth: Some(Some(date!(2030 - 01 - 01))),
            language: Some("e".into()),
            timezone: Some("Europe/Lisbon; DROP".into()),
            ..Default::default()
        };
        let errors = ProfileChanges::parse(raw, today).unwrap_err();
        assert_eq!(errors.len(), 5);
        let ok = ProfileFields {
            phone: Some(Some("+351 912 345 678".into())),
            bio: Some(None),
            language: Some("pt-BR".into()),
            timezone: Some("Europe/Lisbon".into()),
            ..Default::default()
        };
        let parsed = ProfileChanges::parse(ok, today).unwrap();
        assert_eq!(parsed.fields().bio, Some(None));
    }
}
