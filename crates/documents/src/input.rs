use axis_contracts::ContractId;
use axis_kernel::input::{name, required_name, text};
use axis_kernel::{ClientId, FieldErrors};
use time::Date;

use crate::{Document, DocumentType};

pub const MAX_TITLE: usize = 255;
pub const MAX_DESCRIPTION: usize = 2000;
pub const MAX_TAGS: usize = 20;
pub const MAX_TAG: usize = 50;

/// A document's metadata as received (an upload's form fields, or the result of a PATCH).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentFields {
    pub title: String,
    pub description: Option<String>,
    pub doc_type: DocumentType,
    pub expiry_date: Option<Date>,
    pub confidential: bool,
    pub tags: Vec<String>,
    pub client_id: Option<ClientId>,
    pub contract_id: Option<ContractId>,
}

impl DocumentFields {
    pub fn of(document: &Document) -> Self {
        Self {
            title: document.title.clone(),
            description: document.description.clone(),
            doc_type: document.doc_type,
            expiry_date: document.expiry_date,
            confidential: document.confidential,
            tags: document.tags.clone(),
            client_id: document.client_id,
            contract_id: document.contract_id,
        }
    }
}

/// Metadata that passed its rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentDraft {
    pub title: String,
    pub description: Option<String>,
    pub doc_type: DocumentType,
    pub expiry_date: Option<Date>,
    pub confidential: bool,
    pub tags: Vec<String>,
    pub client_id: Option<ClientId>,
    pub contract_id: Option<ContractId>,
}

impl DocumentDraft {
    /// Checks every field at once. An expiry date set (or changed from `kept_expiry`, what the
    /// document had) must be after `today`; one left as it was may have passed. A contract
    /// names its client too (the contract must be that client's).
    pub fn parse(
        fields: DocumentFields,
        today: Date,
        kept_expiry: Option<Date>,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = required_name(&mut errors, "title", fields.title, MAX_TITLE);
        let description = text(&mut errors, "description", fields.description, MAX_DESCRIPTION);
        if let Some(expiry) = fields.expiry_date
            && Some(expiry) != kept_expiry
            && expiry <= today
        {
            errors.add("expiry_date", "must be after today");
        }
        if fields.contract_id.is_some() && fields.client_id.is_none() {
            errors.add("client_id", "is required with contract_id: the contract's client");
        }
        let tags = tags(&mut errors, fields.tags);
        errors.into_result()?;
        Ok(Self {
            title,
            description,
            doc_type: fields.doc_type,
            expiry_date: fields.expiry_date,
            confidential: fields.confidential,
            tags,
            client_id: fields.client_id,
            contract_id: fields.contract_id,
        })
    }
}

/// Tags trimmed, each 1–50 characters without invisible ones, at most 20, the same tag (in
/// any case) once, in the order given.
fn tags(errors: &mut FieldErrors, raw: Vec<String>) -> Vec<String> {
    let mut kept: Vec<String> = Vec::new();
    for tag in raw {
        let Some(tag) = name(errors, "tags", Some(tag), MAX_TAG) else {
            errors.add("tags", "must not be empty");
            continue;
        };
        if !kept.iter().any(|k| k.to_lowercase() == tag.to_lowercase()) {
            kept.push(tag);
        }
    }
    if kept.len() > MAX_TAGS {
        errors.add("tags", format!("at most {MAX_TAGS} tags"));
    }
    kept
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn fields() -> DocumentFields {
        DocumentFields {
            title: "  Service agreement 2027 ".into(),
            description: None,
            doc_type: DocumentType::Contract,
            expiry_date: Some(date!(2027 - 12 - 31)),
            confidential: false,
            tags: vec!["Legal".into(), " legal ".into(), "signed".into()],
            client_id: Some(ClientId::new()),
            contract_id: Some(ContractId::new()),
        }
    }

    const TODAY: Date = date!(2026 - 12 - 07);

    #[test]
    fn a_draft_is_trimmed_and_its_tags_kept_once() {
        let draft = DocumentDraft::parse(fields(), TODAY, None).expect("valid");
        assert_eq!(draft.title, "Service agreement 2027");
        assert_eq!(draft.tags, ["Legal", "signed"]);
    }

    #[test]
    fn every_field_error_at_once() {
        let fields = DocumentFields {
            title: " ".into(),
            expiry_date: Some(TODAY),
            client_id: None,
            tags: vec!["".into(), "x".repeat(51), "zero\u{200B}width".into()],
            ..fields()
        };
        let errors = DocumentDraft::parse(fields, TODAY, None).expect_err("invalid");
        let fields: Vec<_> = errors.fields().keys().map(String::as_str).collect();
        assert_eq!(fields, ["client_id", "expiry_date", "tags", "title"]);
        assert_eq!(errors.fields()["tags"].len(), 3);
    }

    #[test]
    fn an_expiry_date_kept_as_it_was_may_have_passed() {
        let past = date!(2026 - 01 - 31);
        let fields = DocumentFields { expiry_date: Some(past), ..fields() };
        assert!(DocumentDraft::parse(fields.clone(), TODAY, Some(past)).is_ok());
        assert!(DocumentDraft::parse(fields, TODAY, Some(date!(2027 - 01 - 01))).is_err());
    }

    #[test]
    fn at_most_twenty_tags() {
        let fields = DocumentFields { tags: (0..21).map(|i| format!("t{i}")).collect(), ..fields() };
        assert!(DocumentDraft::parse(fields, TODAY, None).is_err());
    }
}
