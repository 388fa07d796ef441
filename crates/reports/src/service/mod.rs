//! The report use cases: ask for a report of an import (its job renders it), read it and its
//! files, list a client's reports, share it; templates and logos (`branding`).

mod branding;

use std::sync::Arc;

use axis_advisor::{
    AdvisorImportId, AdvisorImportStatus, AdvisorImports, CatalogueStore, Findings, RecommendationFilter,
};
use axis_kernel::{
    Actor, AuditRecord, AuditTrail, BlobKey, BlobRead, BlobStore, ClientAccess, ClientAction, ClientGuard,
    ClientId, Clock, DomainError, FieldErrors, JobKind, NewJob, Page, PageRequest, RequestContext,
    SecretSource,
};
use serde_json::json;

use crate::analytics::{AdvisorAnalytics, AnalyticsQuery, Period};
use crate::model::{
    Report, ReportFile, ReportFormat, ReportId, ReportOptions, ReportRow, ReportStatus, ReportType,
};
use crate::ports::{AnalyticsStore, BrandingStore, ReportStore, ShareStore};
use crate::share::{OpeningLimit, Share, ShareAccess, ShareFields, ShareId, SharePermission, ShareToken};
use crate::template::ReportTemplateId;
use crate::view::{ReportInput, TrendLine};

/// Renders one report; a failed attempt is retried, the last one ends the report `failed`.
pub const RENDER_JOB: JobKind =
    JobKind::new("report.render").attempts(3).timeout(std::time::Duration::from_secs(900));

/// Where report files live in the blob store.
pub const REPORT_FILES: &str = "reports";

#[derive(Debug, Clone)]
pub struct ReportSettings {
    /// The consultancy's name on every report (`AXIS_REPORT_FIRM_NAME`).
    pub firm_name: String,
}

/// What a request for a report asks.
#[derive(Debug, Clone, Default)]
pub struct ReportRequest {
    pub report_type: Option<ReportType>,
    pub options: ReportOptions,
    /// The template to render with; none: the type's default template, if one is.
    pub template_id: Option<ReportTemplateId>,
}

pub struct ReportService {
    reports: Arc<dyn ReportStore>,
    branding: Arc<dyn BrandingStore>,
    analytics: Arc<dyn AnalyticsStore>,
    shares: Arc<dyn ShareStore>,
    secrets: Arc<dyn SecretSource>,
    openings: OpeningLimit,
    imports: Arc<dyn AdvisorImports>,
    findings: Arc<dyn Findings>,
    catalogue: Arc<dyn CatalogueStore>,
    files: Arc<dyn BlobStore>,
    trail: Arc<dyn AuditTrail>,
    guard: ClientGuard,
    clock: Arc<dyn Clock>,
    settings: ReportSettings,
}

/// What rendering a report ended in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rendered {
    Ready,
    Failed(String),
    /// Not queued or rendering (already ready or failed): nothing done.
    Skipped(ReportStatus),
}

fn render_job(id: ReportId) -> NewJob {
    NewJob::new(&RENDER_JOB, json!({"report_id": id})).unique(format!("report:{id}"))
}

impl ReportService {
    #[expect(clippy::too_many_arguments, reason = "the ports the use cases need, each named")]
    pub fn new(
        reports: Arc<dyn ReportStore>,
        branding: Arc<dyn BrandingStore>,
        analytics: Arc<dyn AnalyticsStore>,
        shares: Arc<dyn ShareStore>,
        secrets: Arc<dyn SecretSource>,
        imports: Arc<dyn AdvisorImports>,
        findings: Arc<dyn Findings>,
        catalogue: Arc<dyn CatalogueStore>,
        files: Arc<dyn BlobStore>,
        trail: Arc<dyn AuditTrail>,
        access: Arc<dyn ClientAccess>,
        clock: Arc<dyn Clock>,
        settings: ReportSettings,
    ) -> Self {
        let guard = ClientGuard::new(access);
        let openings = OpeningLimit::default();
        Self {
            reports,
            branding,
            analytics,
            shares,
            secrets,
            openings,
            imports,
            findings,
            catalogue,
            files,
            trail,
            guard,
            clock,
            settings,
        }
    }

    /// Asks for a report of a completed import (analysts and up, within scope): `queued`, and
    /// its job renders it.
    pub async fn create(
        &self,
        actor: &Actor,
        import: AdvisorImportId,
        request: ReportRequest,
    ) -> Result<Report, DomainError> {
        let import = self.imports.get(import).await?.ok_or(DomainError::NotFound)?;
        self.guard.require(actor, import.client_id, ClientAction::Edit).await?;
        let options = checked(request.options, request.report_type)?;
        let report_type =
            request.report_type.ok_or_else(|| FieldErrors::single("report_type", "is required"))?;
        if import.status != AdvisorImportStatus::Completed {
            return Err(DomainError::conflict(
                "the import is not completed: a report renders a completed import",
            ));
        }
        let template = self.template_for(report_type, request.template_id).await?;
        let now = self.clock.now();
        let report = Report {
            id: ReportId::new(),
            client_id: import.client_id,
            import_id: import.id,
            report_type,
            options,
            status: ReportStatus::Queued,
            files: Vec::new(),
            error: None,
            attempts: 0,
            created_by: actor.user_id,
            created_at: now,
            finished_at: None,
            import_completed_at: None,
            stale: false,
            template,
            version: 1,
        };
        let audit = AuditRecord::created(actor, &report, now).queue(render_job(report.id));
        self.reports.create(&report, &audit).await?;
        Ok(report)
    }

    /// The Advisor dashboard over the clients the actor sees, or one of them (every role,
    /// within scope): see [`crate::analytics`].
    pub async fn analytics(
        &self,
        actor: &Actor,
        from: Option<time::Date>,
        to: Option<time::Date>,
        client: Option<ClientId>,
    ) -> Result<AdvisorAnalytics, DomainError> {
        let today = self.clock.today();
        let query = AnalyticsQuery::new(from, to, client, today)?;
        if let Some(client) = client {
            self.guard.require(actor, client, ClientAction::Read).await?;
        }
        let figures = self.analytics.advisor_analytics(actor.client_scope(), query, today).await?;
        let period =
            Period { from: query.from.to_string(), to: query.to.to_string(), client_id: client.map(|c| c.0) };
        Ok(AdvisorAnalytics { period: Some(period), ..figures })
    }

    /// A report (every role, within scope).
    pub async fn get(&self, actor: &Actor, id: ReportId) -> Result<Report, DomainError> {
        let report = self.reports.get(id).await?.ok_or(DomainError::NotFound)?;
        self.guard.require(actor, report.client_id, ClientAction::Read).await?;
        Ok(report)
    }

    /// A client's reports, newest first (every role, within scope).
    pub async fn list(
        &self,
        actor: &Actor,
        client: ClientId,
        page: PageRequest,
    ) -> Result<Page<Report>, DomainError> {
        self.guard.require(actor, client, ClientAction::Read).await?;
        let (reports, total) = self.reports.list(client, page).await?;
        Ok(Page::new(reports, total, page))
    }

    /// A ready report's file in `format`, its download on record.
    pub async fn download(
        &self,
        actor: &Actor,
        id: ReportId,
        format: ReportFormat,
    ) -> Result<(Report, ReportFile, BlobRead), DomainError> {
        let report = self.get(actor, id).await?;
        let (file, read) = self.open(&report, format).await?;
        let record = AuditRecord::action(actor, "download", &report, self.clock.now())
            .with_detail("format", format.as_str());
        axis_kernel::audit::record_read(self.trail.as_ref(), &record).await?;
        Ok((report, file, read))
    }

    /// The file of a ready report, for whoever may have it (a download, a share link).
    pub async fn open(
        &self,
        report: &Report,
        format: ReportFormat,
    ) -> Result<(ReportFile, BlobRead), DomainError> {
        if report.status != ReportStatus::Ready {
            return Err(DomainError::conflict("the report is not ready: follow its status"));
        }
        let file = report.file(format).cloned().ok_or(DomainError::NotFound)?;
        let read = self.files.read(&file.key, None).await?;
        Ok((file, read))
    }

    /// Renders a report (its job): HTML, PDF and XLSX from its import, stored in the blob store.
    pub async fn render(&self, id: ReportId) -> Result<Rendered, DomainError> {
        let report = self.reports.get(id).await?.ok_or(DomainError::NotFound)?;
        if !matches!(report.status, ReportStatus::Queued | ReportStatus::Rendering) {
            return Ok(Rendered::Skipped(report.status));
        }
        let worker = Actor::worker_for(report.created_by);
        let audit = AuditRecord::action(&worker, "render", &report, self.clock.now())
            .with_detail("attempt", report.attempts + 1);
        if !self.reports.start(id, &audit).await? {
            return Ok(Rendered::Skipped(report.status));
        }
        let import = self.imports.get(report.import_id).await?.ok_or(DomainError::NotFound)?;
        if import.status != AdvisorImportStatus::Completed {
            let why =
                "the import is no longer completed (reprocessed or failed): ask again once it completes";
            self.fail(&report, why).await?;
            return Ok(Rendered::Failed(why.into()));
        }
        let (stored, _) =
            self.imports.recommendations(import.id, &RecommendationFilter::default(), None).await?;
        let findings = self.findings.all(import.client_id).await?;
        let states: std::collections::HashMap<_, _> = findings.into_iter().map(|f| (f.id, f)).collect();
        let rows: Vec<ReportRow> = stored
            .into_iter()
            .map(|s| {
                let state = states.get(&s.finding_id);
                ReportRow {
                    finding_id: s.finding_id,
                    status: s.finding_status,
                    owner: state.and_then(|f| f.owner_email.clone()),
                    due_date: state.and_then(|f| f.due_date),
                    recommendation: s.recommendation,
                }
            })
            .collect();
        let catalogue = self.catalogue.all().await?;
        let history = self.imports.history(import.client_id).await?;
        let trend = history
            .iter()
            .filter(|(i, _)| (i.created_at, i.id) <= (import.created_at, import.id))
            .map(|(i, analysis)| TrendLine::of(i.created_at, analysis))
            .collect();
        let client_name = self.reports.client_name(import.client_id).await?.unwrap_or_default();
        let (brand, branding) = self.look(&report).await?;
        let firm_name = branding.firm_name.clone().unwrap_or_else(|| self.settings.firm_name.clone());
        let input = ReportInput {
            report_type: report.report_type,
            options: &report.options,
            client_name: &client_name,
            firm_name: &firm_name,
            generated_at: self.clock.now(),
            snapshot_at: import.created_at,
            file_name: &import.file.name,
            advisor_score: import.advisor_score.clone(),
            catalogue: &catalogue,
            trend,
        };
        let view = crate::view::build(&input, &rows);
        let rendered = match crate::render(&view, &brand, branding.html.as_deref()) {
            Ok(rendered) => rendered,
            Err(error) => {
                let why = error.to_string();
                self.fail(&report, &why).await?;
                return Ok(Rendered::Failed(why));
            }
        };
        let mut files = Vec::new();
        for (format, bytes) in [
            (ReportFormat::Html, rendered.html.into_bytes()),
            (ReportFormat::Pdf, rendered.pdf),
            (ReportFormat::Xlsx, rendered.xlsx),
        ] {
            match self.store(format, bytes).await {
                Ok(file) => files.push(file),
                Err(error) => {
                    for file in &files {
                        let _ = self.files.delete(&file.key).await;
                    }
                    return Err(error);
                }
            }
        }
        let now = self.clock.now();
        let audit = AuditRecord::action(&worker, "ready", &report, now);
        let finished = self.reports.finish(id, &files, import.finished_at, now, &audit).await;
        if !matches!(finished, Ok(true)) {
            for file in &files {
                let _ = self.files.delete(&file.key).await;
            }
        }
        Ok(if finished? { Rendered::Ready } else { Rendered::Skipped(ReportStatus::Failed) })
    }

    async fn store(&self, format: ReportFormat, bytes: Vec<u8>) -> Result<ReportFile, DomainError> {
        let key = BlobKey::generated(REPORT_FILES, self.clock.now());
        let size = bytes.len() as u64;
        let sha256 = crate::template::sha256_hex(&bytes);
        let mut writer = self.files.create(&key).await?;
        if let Err(error) = writer.write(bytes.into()).await {
            writer.abort().await;
            return Err(error);
        }
        writer.finish().await?;
        Ok(ReportFile { format, key, size, sha256 })
    }

    async fn fail(&self, report: &Report, why: &str) -> Result<(), DomainError> {
        let worker = Actor::worker_for(report.created_by);
        let now = self.clock.now();
        let audit = AuditRecord::action(&worker, "fail", report, now).with_detail("error", why);
        self.reports.fail(report.id, why, now, &audit).await
    }

    /// Ends a report its job could not render (the last attempt failed): `failed` with why.
    pub async fn give_up(&self, id: ReportId, why: &str) -> Result<(), DomainError> {
        let report = self.reports.get(id).await?.ok_or(DomainError::NotFound)?;
        self.fail(&report, why).await
    }

    /// A report's share link and its manager (managers and up, within scope).
    async fn share_of(
        &self,
        actor: &Actor,
        report: ReportId,
        share: ShareId,
    ) -> Result<(Report, Share), DomainError> {
        let report = self.get(actor, report).await?;
        self.guard.require(actor, report.client_id, ClientAction::Manage).await?;
        let share = self
            .shares
            .get(share)
            .await?
            .filter(|s| s.report_id == report.id)
            .ok_or(DomainError::NotFound)?;
        Ok((report, share))
    }

    /// Shares a ready report through a link (managers and up, within scope): the token is in
    /// the answer only, never again.
    pub async fn create_share(
        &self,
        actor: &Actor,
        report: ReportId,
        fields: ShareFields,
    ) -> Result<(Share, ShareToken), DomainError> {
        let report = self.get(actor, report).await?;
        self.guard.require(actor, report.client_id, ClientAction::Manage).await?;
        let now = self.clock.now();
        let draft = fields.parse(now)?;
        if report.status != ReportStatus::Ready {
            return Err(DomainError::conflict("the report is not ready: share it once it is"));
        }
        let token = ShareToken::new(self.secrets.secret());
        let share = Share {
            id: ShareId::new(),
            report_id: report.id,
            client_id: report.client_id,
            permission: draft.permission,
            recipient_email: draft.recipient_email,
            expires_at: draft.expires_at,
            revoked_at: None,
            access_count: 0,
            last_accessed_at: None,
            created_by: actor.user_id,
            created_at: now,
        };
        let audit = AuditRecord::created(actor, &share, now);
        self.shares.create(&share, ShareToken::hash(&token.0), &audit).await?;
        Ok((share, token))
    }

    /// A report's links (managers and up, within scope).
    pub async fn shares(&self, actor: &Actor, report: ReportId) -> Result<Vec<Share>, DomainError> {
        let report = self.get(actor, report).await?;
        self.guard.require(actor, report.client_id, ClientAction::Manage).await?;
        self.shares.list(report.id).await
    }

    /// A link's openings (managers and up, within scope).
    pub async fn share_accesses(
        &self,
        actor: &Actor,
        report: ReportId,
        share: ShareId,
        page: PageRequest,
    ) -> Result<Page<ShareAccess>, DomainError> {
        let (_, share) = self.share_of(actor, report, share).await?;
        let (accesses, total) = self.shares.accesses(share.id, page).await?;
        Ok(Page::new(accesses, total, page))
    }

    /// Revokes a link (managers and up, within scope); revoking it again changes nothing.
    pub async fn revoke_share(
        &self,
        actor: &Actor,
        report: ReportId,
        share: ShareId,
    ) -> Result<(), DomainError> {
        let (_, share) = self.share_of(actor, report, share).await?;
        let now = self.clock.now();
        let revoked = Share { revoked_at: Some(now), ..share.clone() };
        let audit = AuditRecord::changed(actor, "revoke", &share, &revoked, now)
            .unwrap_or_else(|| AuditRecord::action(actor, "revoke", &share, now));
        self.shares.revoke(share.id, now, &audit).await?;
        Ok(())
    }

    /// What a link opens, for whoever holds it: the HTML page, or the PDF when the link allows
    /// downloads. An unknown, expired or revoked link, and a view-only link asked for the PDF,
    /// are all the same `NotFound`. Each opening is counted, logged and audited.
    pub async fn open_shared(
        &self,
        token: &str,
        format: ReportFormat,
        context: RequestContext,
    ) -> Result<(Report, ReportFile, BlobRead), DomainError> {
        let now = self.clock.now();
        let hash = ShareToken::hash(token);
        let share = self.shares.find(hash).await?.filter(|s| s.is_open(now)).ok_or(DomainError::NotFound)?;
        let allowed = match format {
            ReportFormat::Html => true,
            ReportFormat::Pdf => share.permission == SharePermission::Download,
            ReportFormat::Xlsx => false,
        };
        if !allowed {
            return Err(DomainError::NotFound);
        }
        self.openings.admit(hash, now)?;
        let report = self.reports.get(share.report_id).await?.ok_or(DomainError::NotFound)?;
        if report.status != ReportStatus::Ready {
            return Err(DomainError::NotFound);
        }
        let (file, read) = self.open(&report, format).await?;
        let access = ShareAccess {
            at: now,
            ip: context.ip.clone(),
            user_agent: context.user_agent.as_ref().map(|ua| ua.chars().take(500).collect()),
            format: format.as_str().to_owned(),
        };
        let holder = Actor::link_holder(format!("share link {}", share.id), context);
        let audit =
            AuditRecord::action(&holder, "access", &share, now).with_detail("format", format.as_str());
        self.shares.record_access(share.id, &access, &audit).await?;
        Ok((report, file, read))
    }
}

/// Report files no report names (a render that stopped between its files and its record).
#[async_trait::async_trait]
impl axis_jobs::UnrecordedFiles for ReportService {
    async fn sweep_unrecorded_files(&self) -> Result<u64, DomainError> {
        let records = Records(self.reports.clone());
        let (files, trail) = (self.files.as_ref(), self.trail.as_ref());
        let now = self.clock.now();
        let reports =
            axis_kernel::blob::sweep_unrecorded(files, &records, trail, REPORT_FILES, "report", now).await?;
        let logos =
            axis_kernel::blob::sweep_unrecorded(files, &records, trail, crate::logo::LOGO_FILES, "logo", now)
                .await?;
        Ok(reports + logos)
    }
}

struct Records(Arc<dyn ReportStore>);

#[async_trait::async_trait]
impl axis_kernel::blob::FileRecords for Records {
    async fn unrecorded(&self, keys: &[BlobKey]) -> Result<Vec<BlobKey>, DomainError> {
        self.0.unrecorded(keys).await
    }
}

/// The options as given, held to their limits: at most 50 subscriptions and 50 resource
/// groups of at most 255 characters, and an ISO 4217 currency.
fn checked(options: ReportOptions, report_type: Option<ReportType>) -> Result<ReportOptions, DomainError> {
    let mut errors = FieldErrors::new();
    if report_type.is_none() {
        errors.add("report_type", "is required: detailed, executive, cost, security or operations");
    }
    let mut names = |field: &str, values: Vec<String>| -> Vec<String> {
        if values.len() > 50 {
            errors.add(field, "at most 50");
        }
        let mut kept: Vec<String> = Vec::new();
        for value in values {
            let value = value.trim().to_owned();
            if value.is_empty() || value.chars().count() > 255 {
                errors.add(field, "each is 1 to 255 characters");
            } else if value.chars().any(char::is_control) {
                errors.add(field, "must not contain control characters");
            } else if !kept.iter().any(|k| k.eq_ignore_ascii_case(&value)) {
                kept.push(value);
            }
        }
        kept
    };
    let subscriptions = names("options.subscriptions", options.subscriptions);
    let resource_groups = names("options.resource_groups", options.resource_groups);
    let currency = match options.currency {
        Some(code) => match axis_kernel::Currency::from_code(&code.trim().to_uppercase()) {
            Some(currency) => Some(currency.code().to_owned()),
            None => {
                errors.add("options.currency", "must be an ISO 4217 code such as USD");
                None
            }
        },
        None => None,
    };
    errors.into_result()?;
    Ok(ReportOptions { subscriptions, resource_groups, currency })
}
