//! The person fields staff and beneficiary bodies share, flat beside their own: one
//! declaration for requests, one for PATCH bodies, one for responses.

use axis_http::dto::parse_date;
use axis_kernel::{ContactMethod, FieldErrors, Gender, Patch, Profile, ProfileFields};
use serde::Serialize;
use utoipa::ToSchema;

/// Declares a request body with the profile fields first, then `$own` fields, and
/// `take_profile()` reading the profile fields into [`ProfileFields`].
macro_rules! with_profile {
    ($(#[$meta:meta])* pub struct $name:ident { $($own:tt)* }) => {
        $(#[$meta])*
        #[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            #[schema(value_type = RequiredName255)]
            pub full_name: String,
            #[schema(value_type = Option<Name255>)]
            pub preferred_name: Option<String>,
            #[schema(value_type = Option<CalendarDate>)]
            pub date_of_birth: Option<String>,
            pub gender: Option<axis_kernel::Gender>,
            #[schema(value_type = Option<PhoneNumber>)]
            pub phone: Option<String>,
            #[schema(value_type = Option<OptionalEmailAddress>)]
            pub email: Option<String>,
            #[schema(value_type = Option<Block1000>)]
            pub address: Option<String>,
            #[schema(value_type = Option<LanguageCode>)]
            pub preferred_language: Option<String>,
            pub preferred_contact_method: Option<axis_kernel::ContactMethod>,
            #[schema(value_type = Option<Name255>)]
            pub emergency_contact_name: Option<String>,
            #[schema(value_type = Option<Line100>)]
            pub emergency_contact_relation: Option<String>,
            #[schema(value_type = Option<PhoneNumber>)]
            pub emergency_contact_phone: Option<String>,
            #[schema(value_type = Option<OptionalEmailAddress>)]
            pub emergency_contact_email: Option<String>,
            $($own)*
        }

        impl $name {
            /// The profile fields, the date of birth parsed (a malformed one is a field error).
            fn take_profile(&mut self, errors: &mut axis_kernel::FieldErrors) -> axis_kernel::ProfileFields {
                axis_kernel::ProfileFields {
                    full_name: std::mem::take(&mut self.full_name),
                    preferred_name: self.preferred_name.take(),
                    date_of_birth: axis_http::dto::parse_date(errors, "date_of_birth", self.date_of_birth.as_deref()),
                    gender: self.gender,
                    phone: self.phone.take(),
                    email: self.email.take(),
                    address: self.address.take(),
                    preferred_language: self.preferred_language.take(),
                    preferred_contact_method: self.preferred_contact_method,
                    emergency_contact_name: self.emergency_contact_name.take(),
                    emergency_contact_relation: self.emergency_contact_relation.take(),
                    emergency_contact_phone: self.emergency_contact_phone.take(),
                    emergency_contact_email: self.emergency_contact_email.take(),
                }
            }
        }
    };
}
pub(crate) use with_profile;

/// The profile fields of a PATCH body: absent keeps, `null` clears (the name is kept).
#[derive(Debug, Default, Clone)]
pub struct ProfilePatch {
    pub full_name: Patch<String>,
    pub preferred_name: Patch<String>,
    pub date_of_birth: Patch<String>,
    pub gender: Patch<Gender>,
    pub phone: Patch<String>,
    pub email: Patch<String>,
    pub address: Patch<String>,
    pub preferred_language: Patch<String>,
    pub preferred_contact_method: Patch<ContactMethod>,
    pub emergency_contact_name: Patch<String>,
    pub emergency_contact_relation: Patch<String>,
    pub emergency_contact_phone: Patch<String>,
    pub emergency_contact_email: Patch<String>,
}

impl ProfilePatch {
    /// A closure-ready change of `profile`, or the field error of a malformed date of birth.
    pub fn into_change(self) -> Result<impl FnOnce(&mut ProfileFields) + Send + Clone, FieldErrors> {
        let date_of_birth = self.date_of_birth.try_map(|text| {
            let mut errors = FieldErrors::new();
            parse_date(&mut errors, "date_of_birth", Some(&text)).ok_or(errors)
        })?;
        Ok(move |p: &mut ProfileFields| {
            self.full_name.apply_to_required(&mut p.full_name);
            self.preferred_name.apply_to(&mut p.preferred_name);
            date_of_birth.apply_to(&mut p.date_of_birth);
            self.gender.apply_to(&mut p.gender);
            self.phone.apply_to(&mut p.phone);
            self.email.apply_to(&mut p.email);
            self.address.apply_to(&mut p.address);
            self.preferred_language.apply_to(&mut p.preferred_language);
            self.preferred_contact_method.apply_to(&mut p.preferred_contact_method);
            self.emergency_contact_name.apply_to(&mut p.emergency_contact_name);
            self.emergency_contact_relation.apply_to(&mut p.emergency_contact_relation);
            self.emergency_contact_phone.apply_to(&mut p.emergency_contact_phone);
            self.emergency_contact_email.apply_to(&mut p.emergency_contact_email);
        })
    }
}

/// Declares a PATCH body with the profile fields first, then `$own` fields, and
/// `take_profile()` splitting off a [`ProfilePatch`].
macro_rules! with_profile_patch {
    ($(#[$meta:meta])* pub struct $name:ident { $($own:tt)* }) => {
        $(#[$meta])*
        #[derive(Debug, Default, Clone, serde::Deserialize, utoipa::ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            #[schema(value_type = Option<RequiredName255>)]
            #[serde(default)]
            pub full_name: axis_kernel::Patch<String>,
            #[schema(value_type = Option<Name255>)]
            #[serde(default)]
            pub preferred_name: axis_kernel::Patch<String>,
            #[schema(value_type = Option<CalendarDate>)]
            #[serde(default)]
            pub date_of_birth: axis_kernel::Patch<String>,
            #[schema(value_type = Option<axis_kernel::Gender>)]
            #[serde(default)]
            pub gender: axis_kernel::Patch<axis_kernel::Gender>,
            #[schema(value_type = Option<PhoneNumber>)]
            #[serde(default)]
            pub phone: axis_kernel::Patch<String>,
            #[schema(value_type = Option<OptionalEmailAddress>)]
            #[serde(default)]
            pub email: axis_kernel::Patch<String>,
            #[schema(value_type = Option<Block1000>)]
            #[serde(default)]
            pub address: axis_kernel::Patch<String>,
            #[schema(value_type = Option<LanguageCode>)]
            #[serde(default)]
            pub preferred_language: axis_kernel::Patch<String>,
            #[schema(value_type = Option<axis_kernel::ContactMethod>)]
            #[serde(default)]
            pub preferred_contact_method: axis_kernel::Patch<axis_kernel::ContactMethod>,
            #[schema(value_type = Option<Name255>)]
            #[serde(default)]
            pub emergency_contact_name: axis_kernel::Patch<String>,
            #[schema(value_type = Option<Line100>)]
            #[serde(default)]
            pub emergency_contact_relation: axis_kernel::Patch<String>,
            #[schema(value_type = Option<PhoneNumber>)]
            #[serde(default)]
            pub emergency_contact_phone: axis_kernel::Patch<String>,
            #[schema(value_type = Option<OptionalEmailAddress>)]
            #[serde(default)]
            pub emergency_contact_email: axis_kernel::Patch<String>,
            $($own)*
        }

        impl $name {
            fn take_profile(&mut self) -> $crate::profile::ProfilePatch {
                $crate::profile::ProfilePatch {
                    full_name: std::mem::take(&mut self.full_name),
                    preferred_name: std::mem::take(&mut self.preferred_name),
                    date_of_birth: std::mem::take(&mut self.date_of_birth),
                    gender: std::mem::take(&mut self.gender),
                    phone: std::mem::take(&mut self.phone),
                    email: std::mem::take(&mut self.email),
                    address: std::mem::take(&mut self.address),
                    preferred_language: std::mem::take(&mut self.preferred_language),
                    preferred_contact_method: std::mem::take(&mut self.preferred_contact_method),
                    emergency_contact_name: std::mem::take(&mut self.emergency_contact_name),
                    emergency_contact_relation: std::mem::take(&mut self.emergency_contact_relation),
                    emergency_contact_phone: std::mem::take(&mut self.emergency_contact_phone),
                    emergency_contact_email: std::mem::take(&mut self.emergency_contact_email),
                }
            }
        }
    };
}
pub(crate) use with_profile_patch;

/// The person fields of a response, flat in the member's object. Viewers get `null` for the
/// contact data (e-mail, phone, address, date of birth, the emergency contact's phone and
/// e-mail).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = MemberProfile)]
pub struct MemberProfileResponse {
    pub full_name: String,
    pub preferred_name: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub date_of_birth: Option<String>,
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

impl From<Profile> for MemberProfileResponse {
    fn from(p: Profile) -> Self {
        Self {
            full_name: p.full_name,
            preferred_name: p.preferred_name,
            date_of_birth: p.date_of_birth.map(|d| d.to_string()),
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
