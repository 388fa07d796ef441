//! A report: one rendering of one Advisor import, of one of five types, in three formats.

use axis_advisor::{AdvisorImportId, FindingId, FindingStatus, Recommendation};
use axis_kernel::Audited;
use axis_kernel::{BlobKey, ClientId, UserId};

use crate::template::ReportTemplateId;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::{Date, OffsetDateTime};

axis_kernel::typed_id!(
    /// A report.
    ReportId
);

axis_kernel::string_enum! {
    /// Who a report is for: `detailed` (technical teams: every recommendation by category),
    /// `executive` (leadership: totals, quick wins, the plan), `cost` (finance: savings per
    /// currency, commitments apart), `security` (the security findings by impact),
    /// `operations` (reliability, operational excellence and performance).
    pub enum ReportType {
        Detailed => "detailed",
        Executive => "executive",
        Cost => "cost",
        Security => "security",
        Operations => "operations",
    }
}

impl ReportType {
    pub fn title(self) -> &'static str {
        match self {
            ReportType::Detailed => "Azure Advisor review: detailed findings",
            ReportType::Executive => "Azure Advisor review: executive summary",
            ReportType::Cost => "Azure Advisor review: cost optimisation",
            ReportType::Security => "Azure Advisor review: security",
            ReportType::Operations => "Azure Advisor review: operations",
        }
    }
}

axis_kernel::string_enum! {
    /// The files a report is rendered to.
    pub enum ReportFormat { Html => "html", Pdf => "pdf", Xlsx => "xlsx" }
}

impl ReportFormat {
    pub fn media_type(self) -> &'static str {
        match self {
            ReportFormat::Html => "text/html; charset=utf-8",
            ReportFormat::Pdf => "application/pdf",
            ReportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

axis_kernel::string_enum! {
    /// `queued` until its job starts, `rendering`, then `ready` or `failed`.
    pub enum ReportStatus {
        Queued => "queued",
        Rendering => "rendering",
        Ready => "ready",
        Failed => "failed",
    }
}

/// What a report covers: some subscriptions or resource groups only (ids or names, any case;
/// empty: all), and the currency its savings show in (none: every currency, apart).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportOptions {
    #[serde(default)]
    pub subscriptions: Vec<String>,
    #[serde(default)]
    pub resource_groups: Vec<String>,
    #[serde(default)]
    pub currency: Option<String>,
}

impl ReportOptions {
    /// Whether `recommendation` is in the report's scope.
    pub fn covers(&self, recommendation: &Recommendation) -> bool {
        let named = |wanted: &[String], values: &[Option<&str>]| {
            wanted.is_empty()
                || wanted.iter().any(|w| values.iter().flatten().any(|value| value.eq_ignore_ascii_case(w)))
        };
        named(
            &self.subscriptions,
            &[recommendation.subscription_id.as_deref(), recommendation.subscription_name.as_deref()],
        ) && named(&self.resource_groups, &[recommendation.resource_group.as_deref()])
    }
}

/// A rendered file in the blob store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFile {
    pub format: ReportFormat,
    pub key: BlobKey,
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub id: ReportId,
    pub client_id: ClientId,
    pub import_id: AdvisorImportId,
    pub report_type: ReportType,
    pub options: ReportOptions,
    pub status: ReportStatus,
    pub files: Vec<ReportFile>,
    pub error: Option<String>,
    pub attempts: i32,
    pub created_by: Option<UserId>,
    pub created_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
    /// When the import it renders was last completed, as the report read it.
    pub import_completed_at: Option<OffsetDateTime>,
    /// Read with the report: its import was reprocessed (or is being) since it was rendered.
    pub stale: bool,
    /// The report template and the revision of its branding the report renders with; none:
    /// the default look.
    pub template: Option<(ReportTemplateId, i32)>,
    pub version: i32,
}

impl Report {
    pub fn file(&self, format: ReportFormat) -> Option<&ReportFile> {
        self.files.iter().find(|file| file.format == format)
    }
}

/// One recommendation of the import with what people did about its finding.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    pub finding_id: FindingId,
    pub recommendation: Recommendation,
    pub status: FindingStatus,
    pub owner: Option<String>,
    pub due_date: Option<Date>,
}

impl Audited for Report {
    const ENTITY_TYPE: &'static str = "report";
    const ACTIONS: &'static str = "report";

    fn audit_id(&self) -> String {
        self.id.to_string()
    }

    fn audit_view(&self) -> Value {
        json!({
            "import_id": self.import_id, "report_type": self.report_type, "options": self.options,
            "status": self.status, "template_id": self.template.map(|(id, _)| id),
            "template_revision": self.template.map(|(_, revision)| revision),
        })
    }

    fn audit_details(&self) -> Vec<(&'static str, Value)> {
        vec![("client_id", json!(self.client_id))]
    }
}
