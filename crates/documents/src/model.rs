use axis_contracts::ContractId;
use axis_kernel::{Audited, ClientId, FileKind, StoredFile, Transitions, UserId, typed_id};
use serde_json::{Value, json};
use time::{Date, OffsetDateTime};

typed_id!(
    /// One version of a document.
    DocumentId
);

axis_kernel::string_enum! {
    /// What a document is.
    pub enum DocumentType {
        Contract => "contract",
        Certification => "certification",
        KpiReport => "kpi_report",
        FeedbackSummary => "feedback_summary",
        BillingReport => "billing_report",
        UtilizationReport => "utilization_report",
        AdvisorReport => "advisor_report",
        Other => "other",
    }
}

axis_kernel::string_enum! {
    /// Where a document is in its life. `expired` is what a draft or published document is
    /// from the day after its expiry date (read that way at once, and stored so by the daily
    /// job).
    pub enum DocumentStatus {
        Draft => "draft",
        Published => "published",
        Archived => "archived",
        Expired => "expired",
    }
}

axis_kernel::string_enum! {
    /// What moves a document's status.
    pub enum DocumentAction {
        Publish => "publish",
        Archive => "archive",
        /// The expiry date passed (the daily job; no one asks for it).
        Expire => "expire",
    }
}

/// Every legal move, one row each.
pub const LIFECYCLE: Transitions<DocumentStatus, DocumentAction> = Transitions::new(&[
    (DocumentStatus::Draft, DocumentAction::Publish, DocumentStatus::Published),
    (DocumentStatus::Draft, DocumentAction::Archive, DocumentStatus::Archived),
    (DocumentStatus::Published, DocumentAction::Archive, DocumentStatus::Archived),
    (DocumentStatus::Expired, DocumentAction::Archive, DocumentStatus::Archived),
    (DocumentStatus::Draft, DocumentAction::Expire, DocumentStatus::Expired),
    (DocumentStatus::Published, DocumentAction::Expire, DocumentStatus::Expired),
]);

/// The kinds of file a document may be (checked by content as well as by name).
pub const ACCEPTED_KINDS: [FileKind; 8] = [
    FileKind::Pdf,
    FileKind::Doc,
    FileKind::Docx,
    FileKind::Xls,
    FileKind::Xlsx,
    FileKind::Csv,
    FileKind::Png,
    FileKind::Jpeg,
];

/// Where document files live in the store (the orphan sweep looks only here).
pub const DOCUMENT_FILES: &str = "documents";

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub id: DocumentId,
    /// The first version's id, shared by every version of the document.
    pub chain_id: DocumentId,
    /// 1 for the first upload, one more for each new version.
    pub version_number: i32,
    pub previous_version_id: Option<DocumentId>,
    /// Only the latest version can be edited, published or given a new version.
    pub is_latest: bool,
    pub title: String,
    pub description: Option<String>,
    pub doc_type: DocumentType,
    /// As stored: [`Document::status_on`] is the status a day has.
    pub status: DocumentStatus,
    pub expiry_date: Option<Date>,
    /// Shown only to admins and managers; everyone else finds no such document.
    pub confidential: bool,
    pub tags: Vec<String>,
    /// `None`: one of the organisation's own documents, readable by every role.
    pub client_id: Option<ClientId>,
    /// A contract of `client_id`.
    pub contract_id: Option<ContractId>,
    /// The uploader's file name, cleaned (metadata only: the file lives under `file.key`).
    pub file_name: String,
    pub file: StoredFile,
    pub uploaded_by: Option<UserId>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub deleted_at: Option<OffsetDateTime>,
    /// Moves with every write (`If-Match`, `ETag`).
    pub version: i32,
}

impl Document {
    /// The status on `day`: a draft or published document whose expiry date is before `day`
    /// is expired (the same rule as SQL's `document_status_on`).
    pub fn status_on(&self, day: Date) -> DocumentStatus {
        status_on(self.status, self.expiry_date, day)
    }

    /// The media type it is served as: the one its checked kind has.
    pub fn media_type(&self) -> &'static str {
        self.file.kind.media_type()
    }
}

/// [`Document::status_on`] for a stored status and expiry date.
pub fn status_on(status: DocumentStatus, expiry_date: Option<Date>, day: Date) -> DocumentStatus {
    match status {
        DocumentStatus::Draft | DocumentStatus::Published
            if expiry_date.is_some_and(|expiry| expiry < day) =>
        {
            DocumentStatus::Expired
        }
        status => status,
    }
}

impl Audited for Document {
    const ENTITY_TYPE: &'static str = "document";
    const ACTIONS: &'static str = "document";

    fn audit_id(&self) -> String {
        self.id.to_string()
    }

    fn audit_view(&self) -> Value {
        json!({
            "title": self.title,
            "description": self.description,
            "type": self.doc_type,
            "status": self.status,
            "expiry_date": self.expiry_date.map(|d| d.to_string()),
            "confidential": self.confidential,
            "tags": self.tags,
            "client_id": self.client_id,
            "contract_id": self.contract_id,
            "file_name": self.file_name,
            "size": self.file.size,
            "sha256": self.file.sha256,
            "version_number": self.version_number,
        })
    }

    fn audit_details(&self) -> Vec<(&'static str, Value)> {
        let mut details = vec![("chain_id", json!(self.chain_id))];
        if let Some(client) = self.client_id {
            details.push(("client_id", json!(client)));
        }
        details
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn the_lifecycle_cell_by_cell() {
        use DocumentAction::*;
        use DocumentStatus::*;
        let statuses = [Draft, Published, Archived, Expired];
        let expected = |from, action| match (from, action) {
            (Draft, Publish) => Some(Published),
            (Draft | Published | Expired, Archive) => Some(Archived),
            (Draft | Published, Expire) => Some(Expired),
            _ => None,
        };
        for from in statuses {
            for action in [Publish, Archive, Expire] {
                assert_eq!(LIFECYCLE.next(from, action).ok(), expected(from, action), "{from} {action}");
            }
        }
    }

    #[test]
    fn a_document_is_expired_from_the_day_after_its_expiry_date() {
        let day = date!(2026 - 12 - 07);
        let cases = [
            (DocumentStatus::Published, Some(date!(2026 - 12 - 06)), DocumentStatus::Expired),
            (DocumentStatus::Published, Some(day), DocumentStatus::Published),
            (DocumentStatus::Draft, Some(date!(2026 - 01 - 01)), DocumentStatus::Expired),
            (DocumentStatus::Draft, None, DocumentStatus::Draft),
            (DocumentStatus::Archived, Some(date!(2026 - 01 - 01)), DocumentStatus::Archived),
            (DocumentStatus::Expired, Some(date!(2027 - 01 - 01)), DocumentStatus::Expired),
        ];
        for (stored, expiry, expected) in cases {
            assert_eq!(status_on(stored, expiry, day), expected, "{stored} {expiry:?}");
        }
    }
}
