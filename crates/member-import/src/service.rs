//! The import use cases: receive a file (read as it arrives, each row checked on its own and
//! stored with the import), then check it against the stored members and preview or apply it
//! — while the upload waits for files of up to [`INLINE_ROWS`] rows, as a job for larger ones.

use std::sync::Arc;

use axis_kernel::{
    Actor, AuditRecord, ClientAccess, ClientAction, ClientGuard, ClientId, Clock, DomainError, JobKind,
    NewJob, Page, PageRequest,
};
use serde_json::json;
use time::Date;

use crate::columns::Header;
use crate::error::ImportError;
use crate::model::{
    INLINE_ROWS, ImportId, ImportMode, ImportOptions, ImportStatus, ImportSummary, MAX_DEACTIVATED_SHARE,
    MemberImport, Refusal, ReportEntry, RowKind, RowOutcome,
};
use crate::ports::{Checked, Ending, ImportStore, StagedRow};
use crate::row::parse_row;
use axis_kernel::csv::{CsvRows, RawRow};

/// The job that checks and applies a large import.
/// Not database-only: its progress must be seen while it runs. A repeated run finds the import
/// no longer queued and does nothing; the apply itself is one transaction.
pub const IMPORT_JOB: JobKind =
    JobKind::new("members.import").attempts(3).timeout(std::time::Duration::from_secs(1_800));

/// Rows are stored with their import in batches of this many.
const BATCH_ROWS: usize = 1_000;

/// Where a running import reports how far it got (a job's progress).
#[async_trait::async_trait]
pub trait Progress: Send + Sync {
    /// `done` of `total` steps, with what is being done; an error stops the import.
    async fn step(&self, done: i64, total: i64, message: &str) -> Result<(), ImportError>;
}

/// What the caller asks of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRequest {
    pub mode: ImportMode,
    pub dry_run: bool,
    pub force: bool,
    /// Today when absent.
    pub effective_date: Option<Date>,
    pub file_name: Option<String>,
}

/// How the upload is answered.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Checked (and, unless a dry run, applied) while the upload waited.
    Done(MemberImport),
    /// A large file: its job checks and applies it.
    Queued(MemberImport),
}

impl Outcome {
    pub fn import(&self) -> &MemberImport {
        match self {
            Outcome::Done(import) | Outcome::Queued(import) => import,
        }
    }
}

pub struct ImportService {
    store: Arc<dyn ImportStore>,
    guard: ClientGuard,
    clock: Arc<dyn Clock>,
}

impl ImportService {
    pub fn new(store: Arc<dyn ImportStore>, access: Arc<dyn ClientAccess>, clock: Arc<dyn Clock>) -> Self {
        Self { store, guard: ClientGuard::new(access), clock }
    }

    /// Starts an import of `client`'s file (admin, manager): the returned [`Upload`] reads the
    /// file as it arrives.
    pub async fn begin(
        &self,
        actor: &Actor,
        client: ClientId,
        request: ImportRequest,
    ) -> Result<Upload<'_>, ImportError> {
        self.guard.require(actor, client, ClientAction::Manage).await?;
        let now = self.clock.now();
        let today = self.clock.today();
        let import = MemberImport {
            id: ImportId::new(),
            client_id: client,
            options: ImportOptions {
                mode: request.mode,
                dry_run: request.dry_run,
                force: request.force,
                effective_date: request.effective_date.unwrap_or(today),
            },
            status: ImportStatus::Receiving,
            refusal: None,
            error: None,
            // For display only: without control or invisible characters (a right-to-left
            // override would show `staff\u{202E}vsc.exe` as `staffexe.csv`), at most 255.
            file_name: request
                .file_name
                .as_deref()
                .and_then(|name| axis_kernel::input::display_text(name, 255)),
            columns: Vec::new(),
            headers: Vec::new(),
            ignored_columns: Vec::new(),
            summary: ImportSummary::default(),
            created_by: actor.user_id,
            created_at: now,
            finished_at: None,
        };
        let audit = started(actor, &import, now);
        self.store.create(&import, &audit).await?;
        Ok(Upload {
            service: self,
            actor: actor.clone(),
            import,
            reader: CsvRows::new(),
            header: None,
            staged: Vec::new(),
            rows: 0,
            today,
        })
    }

    /// An import (admin, manager, and analysts of the client).
    pub async fn get(&self, actor: &Actor, id: ImportId) -> Result<MemberImport, DomainError> {
        let import = self.store.get(id).await?.ok_or(DomainError::NotFound)?;
        self.guard.require(actor, import.client_id, ClientAction::Review).await?;
        Ok(import)
    }

    /// A client's imports, newest first (admin, manager, and analysts of the client).
    pub async fn list_of_client(
        &self,
        actor: &Actor,
        client: ClientId,
        page: PageRequest,
    ) -> Result<Page<MemberImport>, DomainError> {
        self.guard.require(actor, client, ClientAction::Review).await?;
        let (imports, total) = self.store.list(client, page).await?;
        Ok(Page::new(imports, total, page))
    }

    /// A page of an import's report, optionally of one outcome.
    pub async fn report(
        &self,
        actor: &Actor,
        id: ImportId,
        outcome: Option<RowOutcome>,
        page: PageRequest,
    ) -> Result<Page<ReportEntry>, DomainError> {
        let import = self.get(actor, id).await?;
        let (entries, total) = self.store.report(import.id, outcome, Some(page)).await?;
        Ok(Page::new(entries.into_iter().map(|entry| import.as_headed(entry)).collect(), total, page))
    }

    /// Every entry of an import's report (an upload's answer: at most [`INLINE_ROWS`] rows and
    /// the deactivations).
    pub async fn whole_report(&self, actor: &Actor, id: ImportId) -> Result<Vec<ReportEntry>, DomainError> {
        let import = self.get(actor, id).await?;
        let entries = self.store.report(import.id, None, None).await?.0;
        Ok(entries.into_iter().map(|entry| import.as_headed(entry)).collect())
    }

    /// Who uploaded an import (the job acts for them).
    pub async fn uploader(&self, id: ImportId) -> Result<Option<axis_kernel::UserId>, DomainError> {
        Ok(self.store.get(id).await?.ok_or(DomainError::NotFound)?.created_by)
    }

    /// Runs a queued import (the job's work), as `actor` (the worker, for the uploader).
    pub async fn run_queued(
        &self,
        id: ImportId,
        actor: &Actor,
        progress: Option<&dyn Progress>,
    ) -> Result<MemberImport, ImportError> {
        let import = self.store.get(id).await?.ok_or(DomainError::NotFound)?;
        if import.status != ImportStatus::Queued {
            // Already run (a repeated job): nothing left to do.
            return Ok(import);
        }
        self.check_and_apply(actor, import, progress).await
    }

    /// Checks a received import against the stored members, then previews, refuses or applies
    /// it, recording how it ended.
    async fn check_and_apply(
        &self,
        actor: &Actor,
        import: MemberImport,
        progress: Option<&dyn Progress>,
    ) -> Result<MemberImport, ImportError> {
        if let Some(progress) = progress {
            progress.step(0, 2, "checking the rows against the client's members").await?;
        }
        let Checked { summary, active_staff } = self.store.check(&import).await?;
        if let Some(progress) = progress {
            progress.step(1, 2, "applying the changes").await?;
        }
        let now = self.clock.now();
        let ending = |status, refusal| Ending { status, refusal, error: None, summary, at: now };
        let refusal = if summary.rejected > 0 {
            Some(Refusal::RejectedRows)
        } else if too_many_deactivations(&import.options, summary.deactivated, active_staff) {
            Some(Refusal::TooManyDeactivations)
        } else {
            None
        };
        let end = match (import.options.dry_run, refusal) {
            (true, _) => ending(ImportStatus::Previewed, refusal),
            (false, Some(refusal)) => ending(ImportStatus::Refused, Some(refusal)),
            (false, None) => ending(ImportStatus::Applied, None),
        };
        let audit = ended(actor, &import, &end);
        if end.status == ImportStatus::Applied {
            self.store.apply(&import, actor, now, self.clock.today(), &end, &audit).await?;
        } else {
            self.store.finish(import.id, &end, &audit).await?;
        }
        if let Some(progress) = progress {
            progress.step(2, 2, end.status.as_str()).await?;
        }
        let finished = MemberImport {
            status: end.status,
            refusal: end.refusal,
            summary,
            finished_at: Some(now),
            ..import
        };
        match (finished.options.dry_run, refusal) {
            (false, Some(Refusal::RejectedRows)) => Err(ImportError::RejectedRows {
                import: finished.id,
                rejected: summary.rejected,
                rows: summary.rows,
            }),
            (false, Some(Refusal::TooManyDeactivations)) => Err(ImportError::TooManyDeactivations {
                import: finished.id,
                deactivated: summary.deactivated,
                active: active_staff,
            }),
            _ => Ok(finished),
        }
    }
}

/// Whether a full import would deactivate more than the allowed share of the client's active
/// staff, and is not forced.
pub fn too_many_deactivations(options: &ImportOptions, deactivated: u64, active_staff: u64) -> bool {
    options.mode == ImportMode::Full
        && !options.force
        && deactivated > 0
        && (deactivated as f64) > MAX_DEACTIVATED_SHARE * (active_staff as f64)
}

/// An import receiving its file.
pub struct Upload<'s> {
    service: &'s ImportService,
    actor: Actor,
    import: MemberImport,
    reader: CsvRows,
    header: Option<Header>,
    staged: Vec<StagedRow>,
    rows: u64,
    today: Date,
}

impl Upload<'_> {
    pub fn id(&self) -> ImportId {
        self.import.id
    }

    /// Reads the next part of the file. On any error the import has ended (failed).
    pub async fn feed(&mut self, chunk: &[u8]) -> Result<(), ImportError> {
        let mut raw = Vec::new();
        if let Err(error) = self.reader.feed(chunk, &mut raw) {
            return Err(self.fail(error.to_string()).await);
        }
        let taken = self.take(raw).await;
        if let Err(error) = &taken
            && !error.has_ended_the_import()
        {
            self.fail(STOPPED.to_owned()).await;
        }
        taken
    }

    /// The end of the file: the import is checked (and applied) now, or queued for its job.
    pub async fn finish(self) -> Result<Outcome, ImportError> {
        self.finish_or_fail(None).await
    }

    /// The end of the file, for a caller that waits whatever the size (the command line): the
    /// import is checked and applied now, reporting to `progress`.
    pub async fn finish_here(self, progress: &dyn Progress) -> Result<MemberImport, ImportError> {
        match self.finish_or_fail(Some(progress)).await? {
            Outcome::Done(import) | Outcome::Queued(import) => Ok(import),
        }
    }

    /// [`Self::finish_as`], and on an error that left the import open, the import failed: no
    /// error path leaves an import receiving.
    async fn finish_or_fail(self, progress: Option<&dyn Progress>) -> Result<Outcome, ImportError> {
        let (service, actor, import, rows) =
            (self.service, self.actor.clone(), self.import.clone(), self.rows);
        let finished = self.finish_as(progress).await;
        if let Err(error) = &finished
            && !error.has_ended_the_import()
        {
            service.record_failure(&actor, &import, rows, STOPPED.to_owned()).await;
        }
        finished
    }

    /// Reads the rest of the file, then runs the import now (small files, or a caller that
    /// waits with `progress`) or queues it for its job.
    async fn finish_as(mut self, progress: Option<&dyn Progress>) -> Result<Outcome, ImportError> {
        let mut raw = Vec::new();
        if let Err(error) = self.reader.finish(&mut raw) {
            return Err(self.fail(error.to_string()).await);
        }
        self.take(raw).await?;
        if self.header.is_none() {
            return Err(self.fail("the file is empty".to_owned()).await);
        }
        self.flush().await?;
        let service = self.service;
        let mut import = self.import;
        import.summary.rows = self.rows;
        if self.rows <= INLINE_ROWS || progress.is_some() {
            return service.check_and_apply(&self.actor, import, progress).await.map(Outcome::Done);
        }
        let now = service.clock.now();
        let queued = Ending {
            status: ImportStatus::Queued,
            refusal: None,
            error: None,
            summary: import.summary,
            at: now,
        };
        let job =
            NewJob::new(&IMPORT_JOB, json!({ "import_id": import.id.0 })).unique(import.id.0.to_string());
        let audit = ended(&self.actor, &import, &queued).queue(job);
        service.store.finish(import.id, &queued, &audit).await?;
        Ok(Outcome::Queued(MemberImport { status: ImportStatus::Queued, ..import }))
    }

    /// Checks rows on their own and stores them in batches; the first row is the header.
    async fn take(&mut self, raw: Vec<RawRow>) -> Result<(), ImportError> {
        for row in raw {
            let Some(header) = &self.header else {
                match Header::parse(&row.cells) {
                    Ok(header) => {
                        let columns = header.columns();
                        let headers = header.labels();
                        self.service
                            .store
                            .set_columns(self.import.id, &columns, &headers, &header.ignored)
                            .await?;
                        self.import.columns = columns.iter().map(|c| c.name().to_owned()).collect();
                        self.import.headers = headers;
                        self.import.ignored_columns = header.ignored.clone();
                        self.header = Some(header);
                    }
                    Err(error) => return Err(self.fail(error.to_string()).await),
                }
                continue;
            };
            self.rows += 1;
            let staged = match parse_row(header, &row, self.import.client_id, self.today) {
                Ok(checked) => StagedRow::Checked(Box::new(checked)),
                Err(errors) => StagedRow::Rejected {
                    line: row.line,
                    kind: kind_of(header, &row),
                    employee_number: header
                        .position(crate::Column::EmployeeNumber)
                        .and_then(|at| row.cells.get(at))
                        // As far as the report keeps it (a number too long is the row's error).
                        .map(|number| number.trim().chars().take(100).collect::<String>())
                        .filter(|number| !number.is_empty()),
                    errors,
                },
            };
            self.staged.push(staged);
            if self.staged.len() >= BATCH_ROWS {
                self.flush().await?;
            }
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), ImportError> {
        if !self.staged.is_empty() {
            self.service.store.stage(self.import.id, &self.staged).await?;
            self.staged.clear();
        }
        Ok(())
    }

    /// Gives the upload up (the request carried no usable file, or too large a one): the
    /// import is recorded as failed with `message`, which the answer repeats.
    pub async fn abandon(self, message: String) -> ImportError {
        self.fail(message).await
    }

    /// Records the import as failed (the file cannot be read) and answers why.
    async fn fail(&self, message: String) -> ImportError {
        self.service.record_failure(&self.actor, &self.import, self.rows, message).await
    }
}

/// Why an import that stopped on an error (a lost connection to the database, say) failed; the
/// error itself goes to the caller and the logs, not into the import.
const STOPPED: &str = "the import stopped on an error before it ended; upload the file again";

impl ImportService {
    /// Records `import` as failed with `message`, after `rows` rows, and answers why.
    async fn record_failure(
        &self,
        actor: &Actor,
        import: &MemberImport,
        rows: u64,
        message: String,
    ) -> ImportError {
        let ending = Ending {
            status: ImportStatus::Failed,
            refusal: None,
            error: Some(message.clone()),
            summary: ImportSummary { rows, ..ImportSummary::default() },
            at: self.clock.now(),
        };
        let audit = ended(actor, import, &ending);
        match self.store.finish(import.id, &ending, &audit).await {
            Ok(()) => ImportError::UnreadableFile { import: import.id, message },
            Err(error) => error.into(),
        }
    }
}

/// Whom a row that failed its checks describes, as far as its relation cell says.
fn kind_of(header: &Header, row: &RawRow) -> RowKind {
    let relation = header.position(crate::Column::Relation).and_then(|at| row.cells.get(at));
    relation.map_or(RowKind::Staff, |cell| crate::row::kind_named(cell))
}

fn started(actor: &Actor, import: &MemberImport, at: time::OffsetDateTime) -> AuditRecord {
    AuditRecord::new(actor, "member_import.start", "member_import", Some(import.id.0.to_string()), at)
        .with_detail("client_id", import.client_id.0.to_string())
        .with_detail("mode", import.options.mode.as_str())
        .with_detail("dry_run", import.options.dry_run)
}

fn ended(actor: &Actor, import: &MemberImport, ending: &Ending) -> AuditRecord {
    let s = ending.summary;
    AuditRecord::new(
        actor,
        format!("member_import.{}", ending.status),
        "member_import",
        Some(import.id.0.to_string()),
        ending.at,
    )
    .with_detail("client_id", import.client_id.0.to_string())
    .with_detail(
        "summary",
        json!({
            "rows": s.rows, "created": s.created, "updated": s.updated, "unchanged": s.unchanged,
            "rejected": s.rejected, "deactivated": s.deactivated,
        }),
    )
}
