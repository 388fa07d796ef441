//! Person data (a profile) as every domain with people holds it: staff, beneficiaries and,
//! later, providers. One set of fields, one set of rules, and the age rule eligibility and
//! guardianship depend on.

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::input::{name, required_name, text};
use crate::{Email, FieldErrors, Phone};

crate::string_enum! {
    /// How a person (or a client contact) prefers to be reached.
    pub enum ContactMethod { Email => "email", Phone => "phone", Sms => "sms", Whatsapp => "whatsapp", Other => "other" }
}

crate::string_enum! {
    /// As the person states it; `undisclosed` when they prefer not to.
    pub enum Gender { Female => "female", Male => "male", Other => "other", Undisclosed => "undisclosed" }
}

/// A person's data. Contact data (e-mail, phone, address, date of birth) is what viewers never
/// see ([`Profile::without_contact_data`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub full_name: String,
    pub preferred_name: Option<String>,
    pub date_of_birth: Option<Date>,
    pub gender: Option<Gender>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    /// A language tag such as `en`, `sw` or `lg` (ISO 639, two or three letters, lower case).
    pub preferred_language: Option<String>,
    pub preferred_contact_method: Option<ContactMethod>,
    pub emergency_contact: EmergencyContact,
}

/// Whom to call in an emergency; every part optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmergencyContact {
    pub name: Option<String>,
    pub relation: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// The profile fields as sent, before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileFields {
    pub full_name: String,
    pub preferred_name: Option<String>,
    pub date_of_birth: Option<Date>,
    pub gender: Option<Gender>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub preferred_language: Option<String>,
    pub preferred_contact_method: Option<ContactMethod>,
    pub emergency_contact_name: Option<String>,
    pub emergency_contact_relation: Option<String>,
    pub emergency_contact_phone: Option<String>,
    pub emergency_contact_email: Option<String>,
}

impl From<Profile> for ProfileFields {
    fn from(p: Profile) -> Self {
        Self {
            full_name: p.full_name,
            preferred_name: p.preferred_name,
            date_of_birth: p.date_of_birth,
            gender: p.gender,
            phone: p.phone,
            email: p.email,
            address: p.address,
            preferred_language: p.preferred_language,
            preferred_contact_method: p.preferred_contact_method,
            emergency_contact_name: p.emergency_contact.name,
            emergency_contact_relation: p.emergency_contact.relation,
            emergency_contact_phone: p.emergency_contact.phone,
            emergency_contact_email: p.emergency_contact.email,
        }
    }
}

/// The oldest date of birth accepted: nobody served was born before it.
const EARLIEST_BIRTH_YEAR: i32 = 1900;

impl Profile {
    /// Validates `fields` into a profile, adding every problem to `errors` under its field name.
    /// `today` bounds the date of birth (not in the future).
    pub fn parse(errors: &mut FieldErrors, fields: ProfileFields, today: Date) -> Profile {
        let date_of_birth = fields.date_of_birth;
        if let Some(born) = date_of_birth {
            if born > today {
                errors.add("date_of_birth", "must not be in the future");
            } else if born.year() < EARLIEST_BIRTH_YEAR {
                errors.add("date_of_birth", format!("must not be before {EARLIEST_BIRTH_YEAR}"));
            }
        }
        let preferred_language = text(errors, "preferred_language", fields.preferred_language, 3);
        if preferred_language
            .as_deref()
            .is_some_and(|tag| tag.len() < 2 || !tag.chars().all(|c| c.is_ascii_lowercase()))
        {
            errors.add("preferred_language", "must be a language code of two or three lower-case letters");
        }
        Profile {
            full_name: required_name(errors, "full_name", fields.full_name, 255),
            preferred_name: name(errors, "preferred_name", fields.preferred_name, 255),
            date_of_birth,
            gender: fields.gender,
            phone: phone(errors, "phone", fields.phone),
            email: email(errors, "email", fields.email),
            address: text(errors, "address", fields.address, 1000),
            preferred_language,
            preferred_contact_method: fields.preferred_contact_method,
            emergency_contact: EmergencyContact {
                name: name(errors, "emergency_contact_name", fields.emergency_contact_name, 255),
                relation: text(errors, "emergency_contact_relation", fields.emergency_contact_relation, 100),
                phone: phone(errors, "emergency_contact_phone", fields.emergency_contact_phone),
                email: email(errors, "emergency_contact_email", fields.emergency_contact_email),
            },
        }
    }

    /// Completed years on `on`, when the date of birth is known.
    pub fn age_on(&self, on: Date) -> Option<u32> {
        self.date_of_birth.map(|born| age_on(born, on))
    }

    /// The profile as a viewer may see it: no e-mail, phone, address or date of birth (the
    /// emergency contact's phone and e-mail are contact data too).
    pub fn without_contact_data(mut self) -> Profile {
        self.email = None;
        self.phone = None;
        self.address = None;
        self.date_of_birth = None;
        self.emergency_contact.phone = None;
        self.emergency_contact.email = None;
        self
    }

    /// The profile as someone of `role` may see it: viewers never see contact data.
    pub fn seen_by(self, role: crate::Role) -> Profile {
        if reads_contact_data(role) { self } else { self.without_contact_data() }
    }

    /// What is left of a former member after erasure: a placeholder name and nothing else.
    pub fn anonymised() -> Profile {
        Profile { full_name: "(anonymised)".to_owned(), ..Profile::default() }
    }
}

/// Whether `role` reads people's contact data (e-mail, phone, address, date of birth): every
/// role but viewers. The one rule behind what a profile shows and what a search may match.
pub fn reads_contact_data(role: crate::Role) -> bool {
    role != crate::Role::Viewer
}

/// A search over people as the searcher may run it. What a role may not read it may not
/// search: contact data (e-mail, phone) is matched only for roles that read it, so a search
/// cannot be used to recover a value the answer hides. Made without a role, a search matches
/// no contact data; [`PersonSearch::by`] widens it for the roles that may.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonSearch {
    term: String,
    contact_data: bool,
}

impl PersonSearch {
    /// A search for `term` over what every role reads (names, numbers).
    pub fn new(term: impl Into<String>) -> Self {
        Self { term: term.into(), contact_data: false }
    }

    /// The same search as someone of `role` may run it.
    pub fn by(self, role: crate::Role) -> Self {
        Self { contact_data: reads_contact_data(role), ..self }
    }

    pub fn term(&self) -> &str {
        &self.term
    }

    /// Whether e-mail and phone may be matched.
    pub fn matches_contact_data(&self) -> bool {
        self.contact_data
    }
}

/// The profile's fields as the flat API and the audit views name them.
pub const PROFILE_FIELDS: &[&str] = &[
    "full_name",
    "preferred_name",
    "date_of_birth",
    "gender",
    "phone",
    "email",
    "address",
    "preferred_language",
    "preferred_contact_method",
    "emergency_contact_name",
    "emergency_contact_relation",
    "emergency_contact_phone",
    "emergency_contact_email",
];

impl Profile {
    /// The profile as a flat JSON object (the fields of [`PROFILE_FIELDS`]), for audit views.
    pub fn audit_view(&self) -> serde_json::Map<String, serde_json::Value> {
        let view = serde_json::json!({
            "full_name": self.full_name,
            "preferred_name": self.preferred_name,
            "date_of_birth": self.date_of_birth.map(|d| d.to_string()),
            "gender": self.gender.map(|g| g.as_str()),
            "phone": self.phone,
            "email": self.email,
            "address": self.address,
            "preferred_language": self.preferred_language,
            "preferred_contact_method": self.preferred_contact_method.map(|m| m.as_str()),
            "emergency_contact_name": self.emergency_contact.name,
            "emergency_contact_relation": self.emergency_contact.relation,
            "emergency_contact_phone": self.emergency_contact.phone,
            "emergency_contact_email": self.emergency_contact.email,
        });
        match view {
            serde_json::Value::Object(map) => map,
            _ => serde_json::Map::new(),
        }
    }
}

/// A phone number as written, checked.
pub fn phone(errors: &mut FieldErrors, field: &str, value: Option<String>) -> Option<String> {
    let value = text(errors, field, value, 32)?;
    match Phone::parse(&value) {
        Ok(phone) => Some(phone.as_str().to_owned()),
        Err(e) => {
            errors.add(field, e.to_string());
            None
        }
    }
}

/// An e-mail address, checked and lower-cased.
pub fn email(errors: &mut FieldErrors, field: &str, value: Option<String>) -> Option<String> {
    let value = text(errors, field, value, 254)?;
    match Email::parse(&value) {
        Ok(email) => Some(email.as_str().to_owned()),
        Err(e) => {
            errors.add(field, e.to_string());
            None
        }
    }
}

/// Completed years between `born` and `on` (0 before the first birthday, and for a date of
/// birth after `on`). Someone born on 29 February has their birthday on 1 March in other years.
pub fn age_on(born: Date, on: Date) -> u32 {
    let years = on.year() - born.year();
    let birthday_this_year = birthday_in(born, on.year());
    let completed = if on < birthday_this_year { years - 1 } else { years };
    u32::try_from(completed).unwrap_or(0)
}

/// The day `born`'s birthday falls on in `year`.
fn birthday_in(born: Date, year: i32) -> Date {
    Date::from_calendar_date(year, born.month(), born.day())
        .or_else(|_| Date::from_calendar_date(year, Month::March, 1))
        .unwrap_or(born)
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn age_counts_completed_years_on_the_boundary_days() {
        let born = date!(2008 - 06 - 15);
        assert_eq!(age_on(born, date!(2026 - 06 - 14)), 17, "17 years 364 days");
        assert_eq!(age_on(born, date!(2026 - 06 - 15)), 18, "the 18th birthday");
        assert_eq!(age_on(born, date!(2026 - 06 - 16)), 18);
        assert_eq!(age_on(born, date!(2008 - 06 - 15)), 0, "the day of birth");
        assert_eq!(age_on(born, date!(2000 - 01 - 01)), 0, "before birth");
    }

    #[test]
    fn a_29_february_birthday_counts_from_1_march_in_other_years() {
        let born = date!(2008 - 02 - 29);
        assert_eq!(age_on(born, date!(2026 - 02 - 28)), 17, "not yet: 2026 has no 29 February");
        assert_eq!(age_on(born, date!(2026 - 03 - 01)), 18, "1 March stands in for it");
        assert_eq!(age_on(born, date!(2028 - 02 - 28)), 19);
        assert_eq!(age_on(born, date!(2028 - 02 - 29)), 20, "a leap year has the day itself");
    }

    fn fields() -> ProfileFields {
        ProfileFields { full_name: "Amina Nakato".into(), ..ProfileFields::default() }
    }

    #[test]
    fn every_profile_rule_names_its_field() {
        let today = date!(2026 - 11 - 30);
        let cases = [
            (ProfileFields { full_name: "  ".into(), ..fields() }, "full_name"),
            (ProfileFields { date_of_birth: Some(date!(2026 - 12 - 01)), ..fields() }, "date_of_birth"),
            (ProfileFields { date_of_birth: Some(date!(1899 - 12 - 31)), ..fields() }, "date_of_birth"),
            (ProfileFields { phone: Some("call me".into()), ..fields() }, "phone"),
            (ProfileFields { email: Some("nobody".into()), ..fields() }, "email"),
            (ProfileFields { preferred_language: Some("English".into()), ..fields() }, "preferred_language"),
            (ProfileFields { preferred_language: Some("e".into()), ..fields() }, "preferred_language"),
            (
                ProfileFields { emergency_contact_phone: Some("12".into()), ..fields() },
                "emergency_contact_phone",
            ),
            (
                ProfileFields { emergency_contact_email: Some("x@".into()), ..fields() },
                "emergency_contact_email",
            ),
            (ProfileFields { address: Some("a".repeat(1001)), ..fields() }, "address"),
        ];
        for (fields, field) in cases {
            let mut errors = FieldErrors::new();
            Profile::parse(&mut errors, fields, today);
            let named: Vec<_> = errors.fields().keys().cloned().collect();
            assert_eq!(named, vec![field.to_owned()], "{field}");
        }
    }

    #[test]
    fn a_valid_profile_is_trimmed_and_normalised() {
        let mut errors = FieldErrors::new();
        let profile = Profile::parse(
            &mut errors,
            ProfileFields {
                full_name: " Amina Nakato ".into(),
                email: Some("Amina@Example.COM".into()),
                preferred_language: Some("lg".into()),
                date_of_birth: Some(date!(1990 - 04 - 02)),
                ..fields()
            },
            date!(2026 - 11 - 30),
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(profile.full_name, "Amina Nakato");
        assert_eq!(profile.email.as_deref(), Some("amina@example.com"));
        assert_eq!(profile.age_on(date!(2026 - 11 - 30)), Some(36));
    }

    #[test]
    fn a_search_matches_contact_data_only_for_roles_that_read_it() {
        for role in crate::Role::ALL {
            let search = PersonSearch::new("0700").by(*role);
            assert_eq!(search.matches_contact_data(), *role != crate::Role::Viewer, "{role}");
            let profile = Profile { email: Some("a@x.ug".into()), ..Profile::default() };
            assert_eq!(profile.seen_by(*role).email.is_some(), search.matches_contact_data(), "{role}");
        }
        assert!(!PersonSearch::new("0700").matches_contact_data());
    }

    #[test]
    fn viewers_see_no_contact_data() {
        let profile = Profile {
            full_name: "Amina".into(),
            phone: Some("+256 700 000001".into()),
            email: Some("a@example.com".into()),
            address: Some("Kampala".into()),
            date_of_birth: Some(date!(1990 - 04 - 02)),
            emergency_contact: EmergencyContact {
                name: Some("Joseph".into()),
                phone: Some("+256 700 000002".into()),
                ..EmergencyContact::default()
            },
            ..Profile::default()
        };
        let seen = profile.without_contact_data();
        assert_eq!((seen.phone, seen.email, seen.address, seen.date_of_birth), (None, None, None, None));
        assert_eq!(seen.emergency_contact.phone, None);
        assert_eq!(seen.full_name, "Amina");
        assert_eq!(seen.emergency_contact.name.as_deref(), Some("Joseph"));
    }
}
