//! The Advisor use cases: upload an export (a CSV streamed to the blob store, or the API's
//! JSON), read it on the job queue into a snapshot, analyse and compare snapshots, manage each
//! finding and the catalogue. Viewers read; analysts upload, reprocess, cancel and work on
//! findings; managers add manual recommendations and keep the catalogue.

mod catalogue;
mod findings;

use std::sync::Arc;
use std::time::Duration;

use axis_kernel::{
    Actor, AuditRecord, AuditTrail, Audited, BlobKey, BlobStore, ClientAccess, ClientAction, ClientGuard,
    ClientId, Clock, DomainError, FieldErrors, FileKind, Incoming, JobKind, NewJob, Page, PageRequest,
    StoredFile, retry_unconditional,
};
use bytes::Bytes;
use futures_util::StreamExt;
use serde_json::{Value, json};

use crate::analysis::{Analysis, analyse};
use crate::diff::{Change, DiffItem, DiffSummary, compare};
use crate::import::{
    AdvisorImport, AdvisorImportId, AdvisorImportStatus, ImportCounts, ImportFile, ImportResult,
    StoredRecommendation,
};
use crate::model::{Category, ProblemKind, Recommendation, RowProblem};
use crate::parse::{CsvExport, Limits, ParseError, Parsed};
use crate::ports::{AdvisorImports, CatalogueStore, Completion, Findings, RecommendationFilter};
use crate::score::AdvisorScore;

pub use findings::FindingChange;

/// The job that reads an uploaded export. Retried when storage fails; a worker killed midway
/// leaves nothing stored (the whole read is stored in one transaction), and the next attempt
/// reads the file again.
pub const PROCESS_JOB: JobKind =
    JobKind::new("advisor.process").attempts(3).timeout(Duration::from_secs(1_800));

/// Where exports are stored (a prefix of the blob store).
pub const ADVISOR_FILES: &str = "advisor-imports";

/// Limits of an upload and of the file read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdvisorSettings {
    /// The largest export accepted, in bytes.
    pub max_bytes: u64,
    pub limits: Limits,
}

impl Default for AdvisorSettings {
    fn default() -> Self {
        AdvisorSettings { max_bytes: 50 * 1024 * 1024, limits: Limits::default() }
    }
}

/// What an upload says besides its file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UploadRequest {
    pub file_name: Option<String>,
    /// For a download made inside one category (no category column).
    pub category: Option<Category>,
    /// The score the portal shows, typed in.
    pub advisor_score: Option<AdvisorScore>,
}

/// A comparison with the client's previous snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffView {
    pub import_id: AdvisorImportId,
    /// `None`: this is the client's first snapshot (everything is new).
    pub previous_import_id: Option<AdvisorImportId>,
    pub summary: DiffSummary,
    pub items: Vec<DiffItem>,
}

/// One snapshot in a client's trend.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendPoint {
    pub import: AdvisorImport,
    pub analysis: Analysis,
}

pub struct AdvisorService {
    imports: Arc<dyn AdvisorImports>,
    trail: Arc<dyn AuditTrail>,
    findings: Arc<dyn Findings>,
    catalogue: Arc<dyn CatalogueStore>,
    files: Arc<dyn BlobStore>,
    guard: ClientGuard,
    clock: Arc<dyn Clock>,
    settings: AdvisorSettings,
}

impl AdvisorService {
    #[expect(clippy::too_many_arguments, reason = "the ports, the clock and the settings, each named")]
    pub fn new(
        imports: Arc<dyn AdvisorImports>,
        trail: Arc<dyn AuditTrail>,
        findings: Arc<dyn Findings>,
        catalogue: Arc<dyn CatalogueStore>,
        files: Arc<dyn BlobStore>,
        access: Arc<dyn ClientAccess>,
        clock: Arc<dyn Clock>,
        settings: AdvisorSettings,
    ) -> Self {
        Self { imports, trail, findings, catalogue, files, guard: ClientGuard::new(access), clock, settings }
    }

    pub fn settings(&self) -> AdvisorSettings {
        self.settings
    }

    /// The organisation's date today (what `overdue` is read against).
    pub fn today(&self) -> time::Date {
        self.clock.today()
    }

    /// Starts the upload of `client`'s CSV export (analysts and up): the returned upload takes
    /// the file as it arrives.
    pub async fn begin_upload(
        &self,
        actor: &Actor,
        client: ClientId,
        request: UploadRequest,
    ) -> Result<ImportUpload<'_>, DomainError> {
        self.guard.require(actor, client, ClientAction::Edit).await?;
        // A file is taken as the CSV it must be (its content is checked) unless its name says
        // it is another kind (`.xlsx`, `.pdf`, …).
        let name = match request.file_name.as_deref().and_then(axis_kernel::files::shown_file_name) {
            None => "advisor-export.csv".to_owned(),
            Some(name) if matches!(FileKind::from_file_name(&name), None | Some(FileKind::Csv)) => name,
            Some(_) => {
                let why = "must be a CSV file (.csv): the portal's Advisor export";
                return Err(FieldErrors::single("file", why).into());
            }
        };
        let key = BlobKey::generated(ADVISOR_FILES, self.clock.now());
        Ok(ImportUpload {
            service: self,
            actor: actor.clone(),
            client,
            request: UploadRequest { file_name: Some(name), ..request },
            incoming: Incoming::new(self.files.clone(), key, FileKind::Csv, self.settings.max_bytes),
        })
    }

    /// Imports the Advisor REST API's JSON (a `value[]` list, optionally with `advisorScore`):
    /// checked to be such a list before anything is stored.
    pub async fn upload_json(
        &self,
        actor: &Actor,
        client: ClientId,
        body: Bytes,
        category: Option<Category>,
    ) -> Result<AdvisorImport, DomainError> {
        self.guard.require(actor, client, ClientAction::Edit).await?;
        if body.len() as u64 > self.settings.max_bytes {
            return Err(DomainError::TooLarge { limit: self.settings.max_bytes });
        }
        let score = match crate::api::parse_json(&body, self.settings.limits) {
            Ok((_, score)) => score,
            Err(error) => return Err(FieldErrors::single("value", error.to_string()).into()),
        };
        let key = BlobKey::generated(ADVISOR_FILES, self.clock.now());
        let mut incoming = Incoming::new(self.files.clone(), key, FileKind::Json, self.settings.max_bytes);
        incoming.feed(body).await?;
        let file = incoming.finish().await?;
        let request = UploadRequest {
            file_name: Some("advisor-recommendations.json".into()),
            category,
            advisor_score: score,
        };
        self.record_or_drop(actor, client, request, file).await
    }

    /// Puts a stored file on record as a new import with its job; if that fails, the file is
    /// removed again.
    async fn record_or_drop(
        &self,
        actor: &Actor,
        client: ClientId,
        request: UploadRequest,
        file: StoredFile,
    ) -> Result<AdvisorImport, DomainError> {
        let key = file.key.clone();
        let recorded = self.record(actor, client, request, file).await;
        if recorded.is_err() {
            let _ = self.files.delete(&key).await;
        }
        recorded
    }

    async fn record(
        &self,
        actor: &Actor,
        client: ClientId,
        request: UploadRequest,
        file: StoredFile,
    ) -> Result<AdvisorImport, DomainError> {
        let now = self.clock.now();
        let import = AdvisorImport {
            id: AdvisorImportId::new(),
            client_id: client,
            status: AdvisorImportStatus::Uploaded,
            format: None,
            file: ImportFile {
                key: file.key,
                name: request.file_name.unwrap_or_else(|| "advisor.csv".into()),
                kind: file.kind,
                size: file.size,
                sha256: file.sha256,
            },
            category: request.category,
            advisor_score: request.advisor_score,
            counts: ImportCounts::default(),
            progress: 0,
            error: None,
            attempts: 0,
            created_by: actor.user_id,
            created_at: now,
            started_at: None,
            finished_at: None,
            version: 1,
        };
        let audit = AuditRecord::created(actor, &import, now).queue(process_job(&import));
        self.imports.create(&import, &audit).await?;
        Ok(import)
    }

    /// An import (every role, within scope).
    pub async fn get(&self, actor: &Actor, id: AdvisorImportId) -> Result<AdvisorImport, DomainError> {
        self.load(actor, id, ClientAction::Read).await
    }

    async fn load(
        &self,
        actor: &Actor,
        id: AdvisorImportId,
        action: ClientAction,
    ) -> Result<AdvisorImport, DomainError> {
        let import = self.imports.get(id).await?.ok_or(DomainError::NotFound)?;
        self.guard.require(actor, import.client_id, action).await?;
        Ok(import)
    }

    /// A client's imports, newest first.
    pub async fn list(
        &self,
        actor: &Actor,
        client: ClientId,
        page: PageRequest,
    ) -> Result<Page<AdvisorImport>, DomainError> {
        self.guard.require(actor, client, ClientAction::Read).await?;
        let (imports, total) = self.imports.list(client, page).await?;
        Ok(Page::new(imports, total, page))
    }

    /// A completed import and its analysis.
    pub async fn analysis(
        &self,
        actor: &Actor,
        id: AdvisorImportId,
    ) -> Result<(AdvisorImport, Analysis), DomainError> {
        let import = self.completed(actor, id, ClientAction::Read).await?;
        let analysis = self.imports.analysis(id).await?.ok_or(DomainError::NotFound)?;
        Ok((import, analysis))
    }

    async fn completed(
        &self,
        actor: &Actor,
        id: AdvisorImportId,
        action: ClientAction,
    ) -> Result<AdvisorImport, DomainError> {
        let import = self.load(actor, id, action).await?;
        if import.status != AdvisorImportStatus::Completed {
            return Err(DomainError::conflict(format!(
                "the import is {}: it has no recommendations until it completes",
                import.status
            )));
        }
        Ok(import)
    }

    /// A page of a completed import's recommendations, or all of them (`page` `None`: the
    /// CSV export).
    pub async fn recommendations(
        &self,
        actor: &Actor,
        id: AdvisorImportId,
        filter: &RecommendationFilter,
        page: Option<PageRequest>,
    ) -> Result<(Vec<StoredRecommendation>, u64), DomainError> {
        self.completed(actor, id, ClientAction::Read).await?;
        self.imports.recommendations(id, filter, page).await
    }

    /// The rows an import did not take (rejected, duplicate), in line order.
    pub async fn problems(
        &self,
        actor: &Actor,
        id: AdvisorImportId,
        page: PageRequest,
    ) -> Result<Page<RowProblem>, DomainError> {
        self.load(actor, id, ClientAction::Read).await?;
        let (problems, total) = self.imports.problems(id, page).await?;
        Ok(Page::new(problems, total, page))
    }

    /// The import compared with the client's previous completed one; `change` keeps one kind.
    pub async fn diff(
        &self,
        actor: &Actor,
        id: AdvisorImportId,
        change: Option<Change>,
    ) -> Result<DiffView, DomainError> {
        let import = self.completed(actor, id, ClientAction::Read).await?;
        let previous = self.imports.previous(&import).await?;
        let before = match &previous {
            Some(previous) => self.imports.snapshot(previous.id).await?,
            None => Vec::new(),
        };
        let after = self.imports.snapshot(id).await?;
        let (summary, mut items) = compare(&before, &after);
        if let Some(change) = change {
            items.retain(|item| item.change == change);
        }
        Ok(DiffView { import_id: id, previous_import_id: previous.map(|p| p.id), summary, items })
    }

    /// A client's completed snapshots, oldest first, each with its analysis.
    pub async fn trend(&self, actor: &Actor, client: ClientId) -> Result<Vec<TrendPoint>, DomainError> {
        self.guard.require(actor, client, ClientAction::Read).await?;
        let history = self.imports.history(client).await?;
        Ok(history.into_iter().map(|(import, analysis)| TrendPoint { import, analysis }).collect())
    }

    /// Reads the import's file again (a completed, failed or cancelled import): the same file
    /// gives the same snapshot.
    pub async fn reprocess(&self, actor: &Actor, id: AdvisorImportId) -> Result<AdvisorImport, DomainError> {
        let import = self.load(actor, id, ClientAction::Edit).await?;
        if !import.status.can_reprocess() {
            return Err(DomainError::IllegalTransition {
                from: import.status.to_string(),
                action: "reprocess".into(),
            });
        }
        let now = self.clock.now();
        let audit = AuditRecord::action(actor, "reprocess", &import, now).queue(process_job(&import));
        let from =
            [AdvisorImportStatus::Completed, AdvisorImportStatus::Failed, AdvisorImportStatus::Cancelled];
        if !self.imports.transition(id, &from, AdvisorImportStatus::Uploaded, now, &audit).await? {
            return Err(DomainError::conflict("the import changed meanwhile: read it again"));
        }
        self.imports.get(id).await?.ok_or(DomainError::NotFound)
    }

    /// Stops an import that has not completed; nothing of it is stored.
    pub async fn cancel(&self, actor: &Actor, id: AdvisorImportId) -> Result<AdvisorImport, DomainError> {
        let import = self.load(actor, id, ClientAction::Edit).await?;
        if !import.status.can_cancel() {
            return Err(DomainError::IllegalTransition {
                from: import.status.to_string(),
                action: "cancel".into(),
            });
        }
        let now = self.clock.now();
        let audit = AuditRecord::action(actor, "cancel", &import, now);
        let from = [AdvisorImportStatus::Uploaded, AdvisorImportStatus::Processing];
        if !self.imports.transition(id, &from, AdvisorImportStatus::Cancelled, now, &audit).await? {
            return Err(DomainError::conflict("the import completed meanwhile"));
        }
        self.imports.get(id).await?.ok_or(DomainError::NotFound)
    }

    /// Sets (or clears) the Advisor score the portal shows for this snapshot; a completed
    /// import's analysis carries it at once.
    pub async fn set_score(
        &self,
        actor: &Actor,
        id: AdvisorImportId,
        score: Option<AdvisorScore>,
        if_match: Option<i32>,
    ) -> Result<AdvisorImport, DomainError> {
        retry_unconditional(if_match, || async {
            let current = self.load(actor, id, ClientAction::Edit).await?;
            axis_kernel::expect_version(if_match, current.version)?;
            let analysis = match current.status {
                AdvisorImportStatus::Completed => Some(self.reanalyse(&current, score.clone(), &[]).await?),
                _ => None,
            };
            let after = AdvisorImport {
                advisor_score: score.clone(),
                version: current.version + 1,
                ..current.clone()
            };
            let audit = AuditRecord::changed_or_action(actor, "score", &current, &after, self.clock.now());
            if self.imports.set_score(id, current.version, score.clone(), analysis, &audit).await? {
                Ok(after)
            } else {
                Err(DomainError::VersionMismatch)
            }
        })
        .await
    }

    /// Adds recommendations a manager wrote (the seed's `add-manual-recommendations`) to a
    /// completed import, marked manual; the analysis is recomputed with them.
    pub async fn add_manual(
        &self,
        actor: &Actor,
        id: AdvisorImportId,
        additions: Vec<Recommendation>,
    ) -> Result<AdvisorImport, DomainError> {
        let import = self.completed(actor, id, ClientAction::Manage).await?;
        let existing = self.imports.all_recommendations(id).await?;
        let keys: std::collections::HashSet<String> =
            existing.iter().map(Recommendation::natural_key).collect();
        let mut errors = FieldErrors::new();
        let mut seen = std::collections::HashSet::new();
        for (at, addition) in additions.iter().enumerate() {
            let key = addition.natural_key();
            if keys.contains(&key) || !seen.insert(key) {
                errors.add(format!("recommendations[{at}]"), "is already a finding of this import");
            }
        }
        if !errors.is_empty() {
            return Err(DomainError::Conflict {
                message: "a recommendation is already in the import".into(),
                errors,
            });
        }
        let analysis =
            self.reanalyse_over(&import, import.advisor_score.clone(), &existing, &additions).await?;
        let now = self.clock.now();
        let audit =
            AuditRecord::action(actor, "add_manual", &import, now).with_detail("count", additions.len());
        self.imports.add_manual(&import, &additions, &analysis, &audit).await?;
        self.imports.get(id).await?.ok_or(DomainError::NotFound)
    }

    async fn reanalyse(
        &self,
        import: &AdvisorImport,
        score: Option<AdvisorScore>,
        added: &[Recommendation],
    ) -> Result<Analysis, DomainError> {
        let existing = self.imports.all_recommendations(import.id).await?;
        self.reanalyse_over(import, score, &existing, added).await
    }

    async fn reanalyse_over(
        &self,
        import: &AdvisorImport,
        score: Option<AdvisorScore>,
        existing: &[Recommendation],
        added: &[Recommendation],
    ) -> Result<Analysis, DomainError> {
        let catalogue = self.catalogue.all().await?;
        let all: Vec<Recommendation> = existing.iter().chain(added).cloned().collect();
        Ok(analyse(&all, &catalogue, score, import.created_at.date()))
    }

    /// The job's work: reads the import's file into its snapshot. An import no longer waiting
    /// (cancelled, or completed by an earlier attempt) is left as it is.
    pub async fn process(&self, id: AdvisorImportId) -> Result<Processed, DomainError> {
        let import = self.imports.get(id).await?.ok_or(DomainError::NotFound)?;
        if !matches!(import.status, AdvisorImportStatus::Uploaded | AdvisorImportStatus::Processing) {
            return Ok(Processed::Skipped(import.status));
        }
        let now = self.clock.now();
        let worker = Actor::worker_for(import.created_by);
        let from = [AdvisorImportStatus::Uploaded, AdvisorImportStatus::Processing];
        let audit =
            AuditRecord::action(&worker, "process", &import, now).with_detail("attempt", import.attempts + 1);
        if !self.imports.transition(id, &from, AdvisorImportStatus::Processing, now, &audit).await? {
            return Ok(Processed::Skipped(AdvisorImportStatus::Cancelled));
        }
        let parsed = match self.read_file(&import).await? {
            Ok(parsed) => parsed,
            Err(error) => {
                let message = error.to_string();
                let audit = AuditRecord::action(&worker, "fail", &import, self.clock.now())
                    .with_detail("error", message.clone());
                self.imports.fail(id, &message, self.clock.now(), &audit).await?;
                return Ok(Processed::Failed(message));
            }
        };
        let (parsed, score) = parsed;
        if parsed.recommendations.is_empty() {
            let message = if parsed.rows == 0 {
                "the file has no data rows".to_owned()
            } else {
                format!("none of the file's {} rows could be read: the errors list says why", parsed.rows)
            };
            let audit = AuditRecord::action(&worker, "fail", &import, self.clock.now())
                .with_detail("error", message.clone());
            self.imports.fail(id, &message, self.clock.now(), &audit).await?;
            return Ok(Processed::Failed(message));
        }
        self.imports.set_progress(id, 80).await?;
        let catalogue = self.catalogue.all().await?;
        let score = import.advisor_score.clone().or(score);
        let analysis = analyse(&parsed.recommendations, &catalogue, score.clone(), import.created_at.date());
        let counts = ImportCounts {
            rows: parsed.rows,
            accepted: parsed.recommendations.len() as u64,
            duplicate: parsed.count(ProblemKind::Duplicate),
            rejected: parsed.count(ProblemKind::Rejected),
            manual: 0,
        };
        let result = ImportResult {
            format: parsed.format,
            counts,
            recommendations: parsed.recommendations,
            problems: parsed.problems,
            analysis,
            advisor_score: score,
        };
        let now = self.clock.now();
        let audit = AuditRecord::action(&worker, "complete", &import, now).with_detail(
            "counts",
            json!({"rows": counts.rows, "accepted": counts.accepted, "duplicate": counts.duplicate, "rejected": counts.rejected}),
        );
        match self.imports.complete(&import, &result, now, &audit).await? {
            Completion::Completed => Ok(Processed::Completed(counts)),
            Completion::NotProcessing => Ok(Processed::Skipped(AdvisorImportStatus::Cancelled)),
        }
    }

    /// Ends an import its job could not complete (the last attempt failed): `failed` with why.
    pub async fn give_up(&self, id: AdvisorImportId, why: &str) -> Result<(), DomainError> {
        let import = self.imports.get(id).await?.ok_or(DomainError::NotFound)?;
        let worker = Actor::worker_for(import.created_by);
        let audit = AuditRecord::action(&worker, "fail", &import, self.clock.now()).with_detail("error", why);
        self.imports.fail(id, why, self.clock.now(), &audit).await
    }

    /// Reads the stored file as it streams from the store, reporting progress by bytes.
    async fn read_file(
        &self,
        import: &AdvisorImport,
    ) -> Result<Result<(Parsed, Option<AdvisorScore>), ParseError>, DomainError> {
        let read = self.files.read(&import.file.key, None).await?;
        let mut body = read.body;
        let size = read.size.max(1);
        let limits = self.settings.limits;
        let mut done = 0u64;
        let mut reported = 0i16;
        let mut report = async |done: u64| -> Result<(), DomainError> {
            let percent = (done.saturating_mul(70) / size).min(70) as i16 + 5;
            if percent >= reported + 5 {
                reported = percent;
                self.imports.set_progress(import.id, percent).await?;
            }
            Ok(())
        };
        if import.file.kind == FileKind::Json {
            let mut bytes = Vec::with_capacity(size as usize);
            while let Some(chunk) = body.next().await {
                let chunk = chunk?;
                done += chunk.len() as u64;
                bytes.extend_from_slice(&chunk);
                report(done).await?;
            }
            return Ok(crate::api::parse_json(&bytes, limits));
        }
        let mut export = CsvExport::new(import.category, limits);
        while let Some(chunk) = body.next().await {
            let chunk = chunk?;
            done += chunk.len() as u64;
            if let Err(error) = export.feed(&chunk) {
                return Ok(Err(error));
            }
            report(done).await?;
        }
        Ok(export.finish().map(|parsed| (parsed, None)))
    }
}

/// Exports under `advisor-imports/` that no import names (an upload that stopped between
/// storing its file and recording it).
#[async_trait::async_trait]
impl axis_jobs::UnrecordedFiles for AdvisorService {
    async fn sweep_unrecorded_files(&self) -> Result<u64, DomainError> {
        let records = ImportFiles(self.imports.as_ref());
        let (files, trail) = (self.files.as_ref(), self.trail.as_ref());
        axis_kernel::blob::sweep_unrecorded(
            files,
            &records,
            trail,
            ADVISOR_FILES,
            "advisor_import",
            self.clock.now(),
        )
        .await
    }
}

/// The imports' records of stored files, for the sweep.
struct ImportFiles<'a>(&'a dyn AdvisorImports);

#[async_trait::async_trait]
impl axis_kernel::FileRecords for ImportFiles<'_> {
    async fn unrecorded(&self, keys: &[BlobKey]) -> Result<Vec<BlobKey>, DomainError> {
        self.0.unrecorded(keys).await
    }
}

/// What a run of the job did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Processed {
    Completed(ImportCounts),
    /// The file is not an export (the import records why).
    Failed(String),
    /// Nothing to do: the import is in this status.
    Skipped(AdvisorImportStatus),
}

/// The job that reads `import`, once per upload or reprocess.
fn process_job(import: &AdvisorImport) -> NewJob {
    NewJob::new(&PROCESS_JOB, json!({ "import_id": import.id.0 }))
        .unique(format!("{}:{}", import.id, import.version))
}

/// A CSV export being received.
pub struct ImportUpload<'s> {
    service: &'s AdvisorService,
    actor: Actor,
    client: ClientId,
    request: UploadRequest,
    incoming: Incoming,
}

#[async_trait::async_trait]
impl axis_kernel::FileSink for ImportUpload<'_> {
    type Output = AdvisorImport;

    async fn feed(&mut self, chunk: Bytes) -> Result<(), DomainError> {
        self.incoming.feed(chunk).await
    }

    /// The end of the file: stored, then put on record with its job.
    async fn finish(self) -> Result<AdvisorImport, DomainError> {
        let file = self.incoming.finish().await?;
        self.service.record_or_drop(&self.actor, self.client, self.request, file).await
    }

    async fn abandon(self) {
        self.incoming.abandon().await;
    }
}

impl Audited for AdvisorImport {
    const ENTITY_TYPE: &'static str = "advisor_import";
    const ACTIONS: &'static str = "advisor_import";

    fn audit_id(&self) -> String {
        self.id.to_string()
    }

    fn audit_view(&self) -> Value {
        json!({
            "client_id": self.client_id, "status": self.status, "file_name": self.file.name,
            "file_size": self.file.size, "file_sha256": self.file.sha256, "category": self.category,
            "advisor_score": self.advisor_score.as_ref().and_then(|s| s.overall.clone()),
        })
    }

    fn audit_details(&self) -> Vec<(&'static str, Value)> {
        vec![("client_id", json!(self.client_id))]
    }
}

#[cfg(test)]
mod tests;
