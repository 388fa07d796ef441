//! Validated input. Raw fields come from HTTP or tests; `parse` trims, normalises and checks
//! every field and reports all problems at once.

use axis_kernel::input::{required_text, text};
use axis_kernel::{ClientId, Email, FieldErrors, Patch, Phone, UserId};
use serde_json::Value;
use time::{Date, OffsetDateTime};

use crate::{ActivityType, Client, ClientStatus, ContactId, ContactMethod, ContactRole, IndustryId, TagId};

fn email(errors: &mut FieldErrors, field: &str, value: Option<String>) -> Option<String> {
    if value.as_ref().is_some_and(|v| v.chars().count() > 254) {
        errors.add(field, "must be at most 254 characters");
        return None;
    }
    let value = value.filter(|v| !v.trim().is_empty())?;
    match Email::parse(&value) {
        Ok(email) => Some(email.to_string()),
        Err(e) => {
            errors.add(field, e.to_string());
            None
        }
    }
}

fn phone(errors: &mut FieldErrors, field: &str, value: Option<String>) -> Option<String> {
    if value.as_ref().is_some_and(|v| v.chars().count() > 32) {
        errors.add(field, "must be at most 32 characters");
        return None;
    }
    let value = value.filter(|v| !v.trim().is_empty())?;
    match Phone::parse(&value) {
        Ok(phone) => Some(phone.to_string()),
        Err(e) => {
            errors.add(field, e.to_string());
            None
        }
    }
}

fn website(errors: &mut FieldErrors, value: Option<String>) -> Option<String> {
    let value = text(errors, "website", value, 2048)?;
    let lower = value.to_lowercase();
    let ok = (lower.starts_with("https://") || lower.starts_with("http://"))
        && value
            .split("://")
            .nth(1)
            .is_some_and(|rest| !rest.is_empty() && !rest.contains(char::is_whitespace));
    if !ok {
        errors.add("website", "must be an http:// or https:// URL");
    }
    Some(value)
}

fn timezone(errors: &mut FieldErrors, value: Option<String>) -> Option<String> {
    let value = text(errors, "timezone", value, 50)?;
    if !value.chars().all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c)) {
        errors.add("timezone", "must be an IANA time zone name such as Africa/Kampala");
    }
    Some(value)
}

/// Every writable field of a client, as received. `None` means empty.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClientFields {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub address: Option<String>,
    pub billing_address: Option<String>,
    pub tax_id: Option<String>,
    pub contact_person: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub preferred_contact_method: Option<ContactMethod>,
    pub billing_contact: Option<String>,
    pub industry_id: Option<IndustryId>,
    pub parent_client_id: Option<ClientId>,
    pub account_manager_id: Option<UserId>,
    /// `None` keeps the current status (pending for a new client).
    pub status: Option<ClientStatus>,
    pub timezone: Option<String>,
    pub notes: Option<String>,
    pub metadata: Option<Value>,
    pub last_contact_date: Option<Date>,
    /// `None` keeps the current tags (none for a new client).
    pub tag_ids: Option<Vec<TagId>>,
}

impl ClientFields {
    /// The current state of `client` as fields, for applying a partial update on top.
    pub fn from_client(client: &Client) -> Self {
        Self {
            name: client.name.clone(),
            email: client.email.clone(),
            phone: client.phone.clone(),
            website: client.website.clone(),
            address: client.address.clone(),
            billing_address: client.billing_address.clone(),
            tax_id: client.tax_id.clone(),
            contact_person: client.contact_person.clone(),
            contact_email: client.contact_email.clone(),
            contact_phone: client.contact_phone.clone(),
            preferred_contact_method: client.preferred_contact_method,
            billing_contact: client.billing_contact.clone(),
            industry_id: client.industry_id,
            parent_client_id: client.parent_client_id,
            account_manager_id: client.account_manager_id,
            status: None,
            timezone: client.timezone.clone(),
            notes: client.notes.clone(),
            metadata: Some(client.metadata.clone()),
            last_contact_date: client.last_contact_date,
            tag_ids: None,
        }
    }
}

/// A partial update: absent fields keep their value, `null` clears an optional field. A `null`
/// name, status or tag list keeps it too (they cannot be cleared).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClientPatch {
    pub name: Patch<String>,
    pub email: Patch<String>,
    pub phone: Patch<String>,
    pub website: Patch<String>,
    pub address: Patch<String>,
    pub billing_address: Patch<String>,
    pub tax_id: Patch<String>,
    pub contact_person: Patch<String>,
    pub contact_email: Patch<String>,
    pub contact_phone: Patch<String>,
    pub preferred_contact_method: Patch<ContactMethod>,
    pub billing_contact: Patch<String>,
    pub industry_id: Patch<IndustryId>,
    pub parent_client_id: Patch<ClientId>,
    pub account_manager_id: Patch<UserId>,
    pub status: Patch<ClientStatus>,
    pub timezone: Patch<String>,
    pub notes: Patch<String>,
    pub metadata: Patch<Value>,
    pub last_contact_date: Patch<Date>,
    pub tag_ids: Patch<Vec<TagId>>,
}

impl ClientPatch {
    /// `fields` with this patch applied.
    pub fn apply(self, mut fields: ClientFields) -> ClientFields {
        self.name.apply_to_required(&mut fields.name);
        self.email.apply_to(&mut fields.email);
        self.phone.apply_to(&mut fields.phone);
        self.website.apply_to(&mut fields.website);
        self.address.apply_to(&mut fields.address);
        self.billing_address.apply_to(&mut fields.billing_address);
        self.tax_id.apply_to(&mut fields.tax_id);
        self.contact_person.apply_to(&mut fields.contact_person);
        self.contact_email.apply_to(&mut fields.contact_email);
        self.contact_phone.apply_to(&mut fields.contact_phone);
        self.preferred_contact_method.apply_to(&mut fields.preferred_contact_method);
        self.billing_contact.apply_to(&mut fields.billing_contact);
        self.industry_id.apply_to(&mut fields.industry_id);
        self.parent_client_id.apply_to(&mut fields.parent_client_id);
        self.account_manager_id.apply_to(&mut fields.account_manager_id);
        self.timezone.apply_to(&mut fields.timezone);
        self.notes.apply_to(&mut fields.notes);
        self.metadata.apply_to(&mut fields.metadata);
        self.last_contact_date.apply_to(&mut fields.last_contact_date);
        self.status.apply_to(&mut fields.status);
        self.tag_ids.apply_to(&mut fields.tag_ids);
        fields
    }
}

/// Client fields that passed every rule: trimmed, normalised (e-mails lower case, phones
/// formatted, tags sorted and unique, metadata an object). Read them through `Deref`.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientDraft(ClientFields);

impl std::ops::Deref for ClientDraft {
    type Target = ClientFields;

    fn deref(&self) -> &ClientFields {
        &self.0
    }
}

const MAX_METADATA_BYTES: usize = 16 * 1024;
const MAX_TAGS: usize = 50;

impl ClientDraft {
    pub fn parse(raw: ClientFields, today: Date) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = raw.name.trim().to_owned();
        if name.is_empty() {
            errors.add("name", "must not be empty");
        } else if raw.name.chars().count() > 255 {
            errors.add("name", "must be at most 255 characters");
        } else if name.chars().any(char::is_control) {
            errors.add("name", "must not contain control characters");
        }
        let metadata = raw.metadata.unwrap_or_else(|| Value::Object(Default::default()));
        if !metadata.is_object() {
            errors.add("metadata", "must be a JSON object");
        } else if serde_json::to_vec(&metadata).map_or(0, |v| v.len()) > MAX_METADATA_BYTES {
            errors.add("metadata", format!("must be at most {MAX_METADATA_BYTES} bytes"));
        }
        if raw.last_contact_date.is_some_and(|d| d > today) {
            errors.add("last_contact_date", "must not be in the future");
        }
        let mut tag_ids = raw.tag_ids;
        if let Some(tags) = &mut tag_ids {
            tags.sort();
            tags.dedup();
            if tags.len() > MAX_TAGS {
                errors.add("tag_ids", format!("must list at most {MAX_TAGS} tags"));
            }
        }
        let draft = Self(ClientFields {
            name,
            email: email(&mut errors, "email", raw.email),
            phone: phone(&mut errors, "phone", raw.phone),
            website: website(&mut errors, raw.website),
            address: text(&mut errors, "address", raw.address, 1000),
            billing_address: text(&mut errors, "billing_address", raw.billing_address, 1000),
            tax_id: text(&mut errors, "tax_id", raw.tax_id, 100),
            contact_person: text(&mut errors, "contact_person", raw.contact_person, 255),
            contact_email: email(&mut errors, "contact_email", raw.contact_email),
            contact_phone: phone(&mut errors, "contact_phone", raw.contact_phone),
            preferred_contact_method: raw.preferred_contact_method,
            billing_contact: text(&mut errors, "billing_contact", raw.billing_contact, 255),
            industry_id: raw.industry_id,
            parent_client_id: raw.parent_client_id,
            account_manager_id: raw.account_manager_id,
            status: raw.status,
            timezone: timezone(&mut errors, raw.timezone),
            notes: text(&mut errors, "notes", raw.notes, 10_000),
            metadata: Some(metadata),
            last_contact_date: raw.last_contact_date,
            tag_ids,
        });
        errors.into_result()?;
        Ok(draft)
    }

    /// Writes the draft's fields into `client` (status and tags are handled by the service).
    pub fn apply_to(self, client: &mut Client) {
        let fields = self.0;
        client.name = fields.name;
        client.email = fields.email;
        client.phone = fields.phone;
        client.website = fields.website;
        client.address = fields.address;
        client.billing_address = fields.billing_address;
        client.tax_id = fields.tax_id;
        client.contact_person = fields.contact_person;
        client.contact_email = fields.contact_email;
        client.contact_phone = fields.contact_phone;
        client.preferred_contact_method = fields.preferred_contact_method;
        client.billing_contact = fields.billing_contact;
        client.industry_id = fields.industry_id;
        client.parent_client_id = fields.parent_client_id;
        client.account_manager_id = fields.account_manager_id;
        client.timezone = fields.timezone;
        client.notes = fields.notes;
        client.metadata = fields.metadata.unwrap_or_else(|| Value::Object(Default::default()));
        client.last_contact_date = fields.last_contact_date;
    }
}

/// A reason for a status change: required, at most 1000 characters.
pub fn parse_reason(raw: &str) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::new();
    let reason = required_text(&mut errors, "reason", raw.to_owned(), 1000);
    errors.into_result()?;
    Ok(reason)
}

/// An Azure subscription id: a GUID, stored in canonical lower-case form.
pub fn parse_subscription_id(raw: &str) -> Result<uuid::Uuid, FieldErrors> {
    let trimmed = raw.trim();
    let is_guid_shape = trimmed.len() == 36 && trimmed.chars().filter(|c| *c == '-').count() == 4;
    match uuid::Uuid::parse_str(trimmed) {
        Ok(id) if is_guid_shape && !id.is_nil() => Ok(id),
        _ => Err(FieldErrors::single(
            "subscription_id",
            "must be a subscription GUID such as 0f8fad5b-d9cb-469f-a165-70867728950e",
        )),
    }
}

/// Industry fields as received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndustryFields {
    pub name: String,
    pub code: Option<String>,
    pub description: Option<String>,
    pub parent_id: Option<IndustryId>,
    pub external_id: Option<String>,
}

/// Validated industry fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndustryDraft(pub IndustryFields);

impl IndustryDraft {
    pub fn parse(raw: IndustryFields) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = required_text(&mut errors, "name", raw.name, 255);
        let code = text(&mut errors, "code", raw.code, 50).map(|c| c.to_uppercase());
        if let Some(code) = &code {
            let mut chars = code.chars();
            let ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '-');
            if !ok {
                errors.add("code", "must be letters, digits and dashes, such as FIN-BNK");
            }
        }
        let fields = IndustryFields {
            name,
            code,
            description: text(&mut errors, "description", raw.description, 2000),
            parent_id: raw.parent_id,
            external_id: text(&mut errors, "external_id", raw.external_id, 100),
        };
        errors.into_result()?;
        Ok(Self(fields))
    }
}

/// Tag fields as received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagFields {
    pub name: String,
    pub slug: Option<String>,
    pub color: Option<String>,
    pub description: Option<String>,
}

/// Validated tag fields; the slug is derived from the name when not given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagDraft {
    pub name: String,
    pub slug: String,
    pub color: String,
    pub description: Option<String>,
}

/// `"Key Account / VIP"` -> `"key-account-vip"`.
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_owned()
}

/// The slug of a tag named `name`: its letters and digits, or — for a name without any, such
/// as `★★★` — `tag-` and eight hex digits of the name's SHA-256 (names are unique, so slugs
/// stay unique).
fn derived_slug(name: &str) -> String {
    use sha2::Digest;
    let slug = slugify(name);
    if !slug.is_empty() || name.is_empty() {
        return slug;
    }
    let digest = sha2::Sha256::digest(name.as_bytes());
    format!("tag-{}", digest.iter().take(4).map(|b| format!("{b:02x}")).collect::<String>())
}

pub const DEFAULT_TAG_COLOR: &str = "#6B7280";

impl TagDraft {
    pub fn parse(raw: TagFields) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = required_text(&mut errors, "name", raw.name, 100);
        let slug = match text(&mut errors, "slug", raw.slug, 100) {
            Some(slug) => {
                if slugify(&slug) != slug {
                    errors.add("slug", "must be lower-case letters and digits separated by single dashes");
                }
                slug
            }
            None => derived_slug(&name),
        };
        let color = text(&mut errors, "color", raw.color, 7).map(|c| c.to_uppercase());
        if let Some(color) = &color {
            let ok = color.len() == 7
                && color.starts_with('#')
                && color[1..].chars().all(|c| c.is_ascii_hexdigit());
            if !ok {
                errors.add("color", "must be a colour such as #6B7280");
            }
        }
        let description = text(&mut errors, "description", raw.description, 1000);
        errors.into_result()?;
        Ok(Self { name, slug, color: color.unwrap_or_else(|| DEFAULT_TAG_COLOR.to_owned()), description })
    }
}

/// Contact fields as received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactFields {
    pub first_name: String,
    pub last_name: Option<String>,
    pub email: String,
    pub phone: Option<String>,
    pub mobile: Option<String>,
    pub role: Option<ContactRole>,
    pub title: Option<String>,
    pub department: Option<String>,
    pub is_primary: Option<bool>,
    pub preferred_contact_method: Option<ContactMethod>,
    pub is_active: Option<bool>,
    pub notes: Option<String>,
}

/// Validated contact fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactDraft {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub mobile: Option<String>,
    pub role: ContactRole,
    pub title: Option<String>,
    pub department: Option<String>,
    pub is_primary: bool,
    pub preferred_contact_method: ContactMethod,
    pub is_active: bool,
    pub notes: Option<String>,
}

impl ContactDraft {
    pub fn parse(raw: ContactFields) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let first_name = required_text(&mut errors, "first_name", raw.first_name, 150);
        let email = match email(&mut errors, "email", Some(raw.email)) {
            Some(email) => email,
            None => {
                if errors.fields().get("email").is_none() {
                    errors.add("email", "must not be empty");
                }
                String::new()
            }
        };
        let draft = Self {
            first_name,
            last_name: text(&mut errors, "last_name", raw.last_name, 150).unwrap_or_default(),
            email,
            phone: phone(&mut errors, "phone", raw.phone),
            mobile: phone(&mut errors, "mobile", raw.mobile),
            role: raw.role.unwrap_or(ContactRole::Other),
            title: text(&mut errors, "title", raw.title, 150),
            department: text(&mut errors, "department", raw.department, 150),
            is_primary: raw.is_primary.unwrap_or(false),
            preferred_contact_method: raw.preferred_contact_method.unwrap_or(ContactMethod::Email),
            is_active: raw.is_active.unwrap_or(true),
            notes: text(&mut errors, "notes", raw.notes, 5000),
        };
        errors.into_result()?;
        Ok(draft)
    }
}

/// Activity fields as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityFields {
    pub activity_type: ActivityType,
    pub title: String,
    pub body: Option<String>,
    /// Defaults to now.
    pub activity_date: Option<OffsetDateTime>,
    pub contact_id: Option<ContactId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityDraft(pub ActivityFields);

impl ActivityDraft {
    pub fn parse(raw: ActivityFields, now: OffsetDateTime) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = text(&mut errors, "title", Some(raw.title), 255).unwrap_or_default();
        if title.is_empty() {
            errors.add("title", "must not be empty");
        }
        let body = text(&mut errors, "body", raw.body, 20_000);
        if raw.activity_date.is_some_and(|d| d > now + time::Duration::days(366)) {
            errors.add("activity_date", "must be within a year from now");
        }
        errors.into_result()?;
        Ok(Self(ActivityFields { title, body, activity_date: Some(raw.activity_date.unwrap_or(now)), ..raw }))
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    const TODAY: Date = date!(2026 - 11 - 21);

    fn fields(name: &str) -> ClientFields {
        ClientFields { name: name.into(), ..ClientFields::default() }
    }

    #[test]
    fn name_is_required_and_trimmed() {
        assert_eq!(ClientDraft::parse(fields("  Acme Ltd \n"), TODAY).unwrap().name, "Acme Ltd");
        let errors = ClientDraft::parse(fields("   "), TODAY).unwrap_err();
        assert!(errors.fields().contains_key("name"));
        assert!(ClientDraft::parse(fields(&"x".repeat(256)), TODAY).is_err());
    }

    #[test]
    fn every_bad_field_is_reported() {
        let raw = ClientFields {
            name: "Acme".into(),
            email: Some("nope".into()),
            phone: Some("call me".into()),
            website: Some("javascript:alert(1)".into()),
            contact_email: Some("a@".into()),
            timezone: Some("Mars/Olympus Mons".into()),
            metadata: Some(Value::String("x".into())),
            last_contact_date: Some(date!(2030 - 01 - 01)),
            ..ClientFields::default()
        };
        let errors = ClientDraft::parse(raw, TODAY).unwrap_err();
        let fields: Vec<&str> = errors.fields().keys().map(String::as_str).collect();
        assert_eq!(
            fields,
            ["contact_email", "email", "last_contact_date", "metadata", "phone", "timezone", "website"]
        );
    }

    #[test]
    fn emails_are_normalised_and_blank_text_is_empty() {
        let raw = ClientFields {
            name: "Acme".into(),
            email: Some(" Info@ACME.example ".into()),
            address: Some("   ".into()),
            ..ClientFields::default()
        };
        let draft = ClientDraft::parse(raw, TODAY).unwrap();
        assert_eq!(draft.email.as_deref(), Some("info@acme.example"));
        assert_eq!(draft.address, None);
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let base = ClientFields {
            name: "Acme".into(),
            phone: Some("+256 772 123456".into()),
            ..ClientFields::default()
        };
        let patch = ClientPatch {
            email: Patch::Value("a@b.io".into()),
            phone: Patch::Null,
            ..ClientPatch::default()
        };
        let merged = patch.apply(base);
        assert_eq!(merged.name, "Acme");
        assert_eq!(merged.email.as_deref(), Some("a@b.io"));
        assert_eq!(merged.phone, None);
    }

    #[test]
    fn subscription_ids_must_be_guids() {
        assert!(parse_subscription_id("0f8fad5b-d9cb-469f-a165-70867728950e").is_ok());
        assert!(parse_subscription_id("0F8FAD5B-D9CB-469F-A165-70867728950E").is_ok());
        for bad in
            ["", "not-a-guid", "0f8fad5bd9cb469fa16570867728950e", "00000000-0000-0000-0000-000000000000"]
        {
            assert!(parse_subscription_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_name_without_letters_or_digits_gets_a_stable_slug() {
        let slug = derived_slug("★★★");
        assert!(slug.starts_with("tag-") && slug.len() == 12, "{slug}");
        assert_eq!(slug, derived_slug("★★★"));
        assert_ne!(slug, derived_slug("☆☆☆"));
        assert_eq!(derived_slug("Key Account"), "key-account");
    }

    #[test]
    fn slugs_and_colours() {
        assert_eq!(slugify("Key Account / VIP"), "key-account-vip");
        assert_eq!(slugify("  --Ünïcode  Tag-- "), "n-code-tag");
        let tag = TagDraft::parse(TagFields {
            name: "Key Account".into(),
            color: Some("#ff00aa".into()),
            ..TagFields::default()
        })
        .unwrap();
        assert_eq!((tag.slug.as_str(), tag.color.as_str()), ("key-account", "#FF00AA"));
        assert!(
            TagDraft::parse(TagFields {
                name: "x".into(),
                color: Some("red".into()),
                ..TagFields::default()
            })
            .is_err()
        );
        assert!(
            TagDraft::parse(TagFields {
                name: "x".into(),
                slug: Some("Bad Slug".into()),
                ..TagFields::default()
            })
            .is_err()
        );
    }

    #[test]
    fn industry_codes_are_upper_case_and_checked() {
        let draft = IndustryDraft::parse(IndustryFields {
            name: "Banking".into(),
            code: Some("fin-bnk".into()),
            ..IndustryFields::default()
        })
        .unwrap();
        assert_eq!(draft.0.code.as_deref(), Some("FIN-BNK"));
        assert!(
            IndustryDraft::parse(IndustryFields {
                name: "x".into(),
                code: Some("-X".into()),
                ..IndustryFields::default()
            })
            .is_err()
        );
        assert!(IndustryDraft::parse(IndustryFields::default()).is_err());
    }

    #[test]
    fn contacts_need_a_name_and_an_email() {
        let errors = ContactDraft::parse(ContactFields::default()).unwrap_err();
        let fields: Vec<&str> = errors.fields().keys().map(String::as_str).collect();
        assert_eq!(fields, ["email", "first_name"]);
        let ok = ContactDraft::parse(ContactFields {
            first_name: "Ada".into(),
            email: "ADA@example.com".into(),
            ..ContactFields::default()
        })
        .unwrap();
        assert_eq!(ok.email, "ada@example.com");
        assert_eq!(ok.role, ContactRole::Other);
    }
}
