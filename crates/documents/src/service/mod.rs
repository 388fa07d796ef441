//! The document use cases: upload (a file read as it arrives), new versions, reads and
//! downloads, edits, publish and archive, delete and restore, and the daily expiry and the
//! sweep of files no upload recorded, which the job queue runs.

use std::sync::Arc;

use axis_kernel::audit::{created, record_read};
use axis_kernel::{
    Actor, AuditRecord, AuditTrail, BlobKey, BlobRead, BlobStore, ByteRange, ClientAction, ClientGuard,
    ClientId, Clock, DomainError, FieldErrors, FileKind, Incoming, Page, PageRequest, StoredFile,
    expect_version, retry_unconditional,
};
use bytes::Bytes;

use crate::input::{DocumentDraft, DocumentFields};
use crate::ports::DocumentReader;
use crate::{
    ACCEPTED_KINDS, DOCUMENT_FILES, Document, DocumentAction, DocumentId, DocumentListQuery,
    DocumentRepository, DocumentStatus, LIFECYCLE,
};

/// How large a document's file may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadLimits {
    pub max_bytes: u64,
}

impl Default for UploadLimits {
    /// 10 MiB.
    fn default() -> Self {
        Self { max_bytes: 10 * 1024 * 1024 }
    }
}

/// Documents the expiry job reads at a time.
const EXPIRY_BATCH: u32 = 500;

pub struct DocumentService {
    documents: Arc<dyn DocumentRepository>,
    files: Arc<dyn BlobStore>,
    trail: Arc<dyn AuditTrail>,
    guard: ClientGuard,
    clock: Arc<dyn Clock>,
    limits: UploadLimits,
}

/// What a new file becomes: a document's first version, or the next version of one.
enum Target {
    First(DocumentDraft),
    Next(Box<Document>),
}

/// An upload receiving its file: feed it the bytes as they arrive, then finish (or abandon).
pub struct DocumentUpload<'s> {
    service: &'s DocumentService,
    actor: Actor,
    target: Target,
    file_name: String,
    incoming: Incoming,
}

/// A document about to be downloaded (its read already on record).
pub struct Download {
    pub document: Document,
}

impl DocumentService {
    pub fn new(
        documents: Arc<dyn DocumentRepository>,
        files: Arc<dyn BlobStore>,
        trail: Arc<dyn AuditTrail>,
        access: Arc<dyn axis_kernel::ClientAccess>,
        clock: Arc<dyn Clock>,
        limits: UploadLimits,
    ) -> Self {
        Self { documents, files, trail, guard: ClientGuard::new(access), clock, limits }
    }

    pub fn limits(&self) -> UploadLimits {
        self.limits
    }

    /// A document as answers show it: with its status today (a passed expiry date reads
    /// `expired` before the daily job stores it so).
    fn as_of_today(&self, mut document: Document) -> Document {
        document.status = document.status_on(self.clock.today());
        document
    }

    /// Confidential documents exist only for admins and managers.
    fn sees_confidential(actor: &Actor) -> bool {
        ClientAction::Manage.allowed_for(actor.role)
    }

    /// The document `id` if the actor may take `action` on it. A confidential one for a role
    /// that may not see it, a deleted one (unless the actor administers), or one of a client
    /// out of scope is `NotFound`, like a missing one. The organisation's own documents (no
    /// client) are read by everyone and changed by managers.
    async fn load(
        &self,
        actor: &Actor,
        id: DocumentId,
        action: ClientAction,
    ) -> Result<Document, DomainError> {
        let document = self.documents.get(id).await?.ok_or(DomainError::NotFound)?;
        if action == ClientAction::Administer {
            // Admin-only actions say so to everyone else first (as for every client record).
            action.require(actor)?;
        }
        let hidden = (document.confidential && !Self::sees_confidential(actor))
            || (document.deleted_at.is_some() && !ClientAction::Administer.allowed_for(actor.role));
        if hidden {
            return Err(DomainError::NotFound);
        }
        match document.client_id {
            Some(client) => self.guard.require(actor, client, action).await?,
            None => organisation_action(action).require(actor)?,
        }
        Ok(document)
    }

    /// May the actor put a document of `client` (and marked `confidential`) on record.
    async fn may_write(
        &self,
        actor: &Actor,
        client: Option<ClientId>,
        confidential: bool,
    ) -> Result<(), DomainError> {
        match client {
            Some(client) => {
                ClientAction::Edit.require(actor)?;
                self.guard.require_reference(actor, "client_id", client).await?;
            }
            None => ClientAction::Manage.require(actor)?,
        }
        if confidential {
            // Marking a document confidential hides it from analysts: it is a manager's call.
            ClientAction::Manage.require(actor)?;
        }
        Ok(())
    }

    /// Starts an upload of a new document described by `fields`, its file named `file_name`
    /// (whose extension must be an accepted kind). Everything but the file's content is
    /// checked before a byte is read.
    pub async fn begin_upload(
        &self,
        actor: &Actor,
        fields: DocumentFields,
        file_name: Option<&str>,
    ) -> Result<DocumentUpload<'_>, DomainError> {
        ClientAction::Edit.require(actor)?;
        let mut errors = FieldErrors::new();
        let file = file_of(&mut errors, file_name);
        let draft = DocumentDraft::parse(fields, self.clock.today(), None).map_err(|e| errors.merge(e)).ok();
        errors.into_result()?;
        let (Some((file_name, kind)), Some(draft)) = (file, draft) else {
            return Err(DomainError::Unavailable);
        };
        self.may_write(actor, draft.client_id, draft.confidential).await?;
        Ok(self.upload(actor, Target::First(draft), file_name, kind))
    }

    /// Starts an upload of the next version of document `id` (its latest version).
    pub async fn begin_version(
        &self,
        actor: &Actor,
        id: DocumentId,
        file_name: Option<&str>,
    ) -> Result<DocumentUpload<'_>, DomainError> {
        let current = self.load(actor, id, ClientAction::Edit).await?;
        require_latest(&current)?;
        let mut errors = FieldErrors::new();
        let file = file_of(&mut errors, file_name);
        errors.into_result()?;
        let Some((file_name, kind)) = file else { return Err(DomainError::Unavailable) };
        Ok(self.upload(actor, Target::Next(Box::new(current)), file_name, kind))
    }

    fn upload(&self, actor: &Actor, target: Target, file_name: String, kind: FileKind) -> DocumentUpload<'_> {
        let key = BlobKey::generated(DOCUMENT_FILES, self.clock.now());
        DocumentUpload {
            service: self,
            actor: actor.clone(),
            target,
            file_name,
            incoming: Incoming::new(self.files.clone(), key, kind, self.limits.max_bytes),
        }
    }

    /// Puts a stored file on record as the upload's target.
    async fn record(
        &self,
        actor: &Actor,
        target: Target,
        file_name: String,
        file: StoredFile,
    ) -> Result<Document, DomainError> {
        let (now, today) = (self.clock.now(), self.clock.today());
        let id = DocumentId::new();
        match target {
            Target::First(draft) => {
                let document = Document {
                    id,
                    chain_id: id,
                    version_number: 1,
                    previous_version_id: None,
                    is_latest: true,
                    title: draft.title,
                    description: draft.description,
                    doc_type: draft.doc_type,
                    status: DocumentStatus::Draft,
                    expiry_date: draft.expiry_date,
                    confidential: draft.confidential,
                    tags: draft.tags,
                    client_id: draft.client_id,
                    contract_id: draft.contract_id,
                    file_name,
                    file,
                    uploaded_by: actor.user_id,
                    created_at: now,
                    updated_at: now,
                    deleted_at: None,
                    version: 1,
                };
                let audit = AuditRecord::created(actor, &document, now);
                self.documents.insert(&document, &audit).await
            }
            Target::Next(previous) => {
                // The next version starts as a draft with the same metadata; an expiry date
                // that has passed is not carried (it would be expired on arrival).
                let document = Document {
                    id,
                    version_number: previous.version_number + 1,
                    previous_version_id: Some(previous.id),
                    is_latest: true,
                    status: DocumentStatus::Draft,
                    expiry_date: previous.expiry_date.filter(|expiry| *expiry >= today),
                    file_name,
                    file,
                    uploaded_by: actor.user_id,
                    created_at: now,
                    updated_at: now,
                    deleted_at: None,
                    version: 1,
                    ..(*previous).clone()
                };
                let audit = AuditRecord::action(actor, "version", &document, now)
                    .with_changes(created(&axis_kernel::Audited::audit_view(&document)))
                    .with_detail("previous_version_id", previous.id.to_string());
                self.documents
                    .insert_version(previous.id, previous.version, &document, &audit)
                    .await?
                    .ok_or_else(|| {
                        DomainError::conflict(
                            "another version was uploaded meanwhile: upload against the latest",
                        )
                    })
            }
        }
    }

    pub async fn get(&self, actor: &Actor, id: DocumentId) -> Result<Document, DomainError> {
        Ok(self.as_of_today(self.load(actor, id, ClientAction::Read).await?))
    }

    /// Every version of the document `id` belongs to, newest first.
    pub async fn versions(&self, actor: &Actor, id: DocumentId) -> Result<Vec<Document>, DomainError> {
        let document = self.load(actor, id, ClientAction::Read).await?;
        let sees_confidential = Self::sees_confidential(actor);
        let versions = self.documents.versions(document.chain_id).await?;
        Ok(versions
            .into_iter()
            .filter(|version| sees_confidential || !version.confidential)
            .map(|version| self.as_of_today(version))
            .collect())
    }

    /// Documents in the actor's scope, the organisation's own included; confidential ones only
    /// for admins and managers (for anyone else they are not there, so no filter finds them).
    pub async fn list(
        &self,
        actor: &Actor,
        query: DocumentListQuery,
        page: PageRequest,
    ) -> Result<Page<Document>, DomainError> {
        if query.include_deleted {
            ClientAction::Administer.require(actor)?;
        }
        let reader =
            DocumentReader { scope: actor.client_scope(), sees_confidential: Self::sees_confidential(actor) };
        let page = self.documents.list(reader, &query, self.clock.today(), page).await?;
        Ok(page.map(|document| self.as_of_today(document)))
    }

    /// Merges `change` into the latest version's metadata. The client stays; marking or
    /// unmarking confidential is a manager's call.
    pub async fn update(
        &self,
        actor: &Actor,
        id: DocumentId,
        change: impl FnOnce(&mut DocumentFields) + Send + Clone,
        if_match: Option<i32>,
    ) -> Result<Document, DomainError> {
        let document =
            retry_unconditional(if_match, || self.update_once(actor, id, change.clone(), if_match)).await?;
        Ok(self.as_of_today(document))
    }

    async fn update_once(
        &self,
        actor: &Actor,
        id: DocumentId,
        change: impl FnOnce(&mut DocumentFields) + Send,
        if_match: Option<i32>,
    ) -> Result<Document, DomainError> {
        let current = self.load(actor, id, ClientAction::Edit).await?;
        expect_version(if_match, current.version)?;
        require_latest(&current)?;
        let mut fields = DocumentFields::of(&current);
        change(&mut fields);
        if fields.client_id != current.client_id {
            return Err(
                FieldErrors::single("client_id", "cannot change: a document stays with its client").into()
            );
        }
        if fields.confidential != current.confidential {
            ClientAction::Manage.require(actor)?;
        }
        let draft = DocumentDraft::parse(fields, self.clock.today(), current.expiry_date)?;
        let now = self.clock.now();
        let after = Document {
            title: draft.title,
            description: draft.description,
            doc_type: draft.doc_type,
            expiry_date: draft.expiry_date,
            confidential: draft.confidential,
            tags: draft.tags,
            contract_id: draft.contract_id,
            updated_at: now,
            ..current.clone()
        };
        match AuditRecord::changed(actor, "update", &current, &after, now) {
            Some(audit) => self.save(&current, &after, audit).await,
            None => Ok(current),
        }
    }

    /// Publishes or archives the latest version, by the lifecycle from its status today.
    pub async fn act(
        &self,
        actor: &Actor,
        id: DocumentId,
        action: DocumentAction,
        if_match: Option<i32>,
    ) -> Result<Document, DomainError> {
        if action == DocumentAction::Expire {
            // Expiry is the date's doing, never a request's.
            return Err(DomainError::Forbidden);
        }
        let document = retry_unconditional(if_match, || self.act_once(actor, id, action, if_match)).await?;
        Ok(self.as_of_today(document))
    }

    async fn act_once(
        &self,
        actor: &Actor,
        id: DocumentId,
        action: DocumentAction,
        if_match: Option<i32>,
    ) -> Result<Document, DomainError> {
        let current = self.load(actor, id, ClientAction::Edit).await?;
        expect_version(if_match, current.version)?;
        require_latest(&current)?;
        let (now, today) = (self.clock.now(), self.clock.today());
        let status = LIFECYCLE.next(current.status_on(today), action)?;
        let after = Document { status, updated_at: now, ..current.clone() };
        let audit = AuditRecord::changed_or_action(actor, &action.to_string(), &current, &after, now);
        self.save(&current, &after, audit).await
    }

    async fn save(
        &self,
        before: &Document,
        after: &Document,
        audit: AuditRecord,
    ) -> Result<Document, DomainError> {
        self.documents.save(after, before.version, &audit).await?.ok_or(DomainError::VersionMismatch)
    }

    /// Deletes the document: every version (managers). The files stay until it is purged, so
    /// an admin can restore it.
    pub async fn delete(&self, actor: &Actor, id: DocumentId) -> Result<(), DomainError> {
        let current = self.load(actor, id, ClientAction::Manage).await?;
        if current.deleted_at.is_some() {
            return Err(DomainError::NotFound);
        }
        let now = self.clock.now();
        let audit = AuditRecord::action(actor, "delete", &current, now);
        if self.documents.set_deleted(current.chain_id, Some(now), &audit).await? {
            Ok(())
        } else {
            Err(DomainError::NotFound)
        }
    }

    /// Restores a deleted document with every version (admins).
    pub async fn restore(&self, actor: &Actor, id: DocumentId) -> Result<Document, DomainError> {
        let current = self.load(actor, id, ClientAction::Administer).await?;
        if current.deleted_at.is_none() {
            return Err(DomainError::conflict("the document is not deleted"));
        }
        let audit = AuditRecord::action(actor, "restore", &current, self.clock.now());
        if !self.documents.set_deleted(current.chain_id, None, &audit).await? {
            return Err(DomainError::conflict("the document is not deleted"));
        }
        let restored = self.documents.get(id).await?.ok_or(DomainError::NotFound)?;
        Ok(self.as_of_today(restored))
    }

    /// The document `id` for a download, its read put on record first: when the record cannot
    /// be written the download is refused.
    pub async fn download(&self, actor: &Actor, id: DocumentId) -> Result<Download, DomainError> {
        let document = self.load(actor, id, ClientAction::Read).await?;
        let audit = AuditRecord::action(actor, "download", &document, self.clock.now());
        record_read(self.trail.as_ref(), &audit).await?;
        Ok(Download { document: self.as_of_today(document) })
    }

    /// The bytes of a download (`range` of them, or all).
    pub async fn read_file(
        &self,
        download: &Download,
        range: Option<ByteRange>,
    ) -> Result<BlobRead, DomainError> {
        self.files.read(&download.document.file.key, range).await
    }

    /// Stores as expired the drafts and published documents whose expiry date has passed
    /// (reads already show them expired), each with its audit record. Answers how many.
    pub async fn expire_due(&self) -> Result<u64, DomainError> {
        let worker = Actor::worker();
        let mut expired = 0;
        loop {
            let (now, today) = (self.clock.now(), self.clock.today());
            let due = self.documents.expired_before(today, EXPIRY_BATCH).await?;
            let mut moved = 0;
            for current in &due {
                let status = LIFECYCLE.next(current.status, DocumentAction::Expire)?;
                let after = Document { status, updated_at: now, ..current.clone() };
                let audit = AuditRecord::changed_or_action(&worker, "expire", current, &after, now);
                if self.documents.save(&after, current.version, &audit).await?.is_some() {
                    moved += 1;
                }
            }
            expired += moved;
            if due.len() < EXPIRY_BATCH as usize || moved == 0 {
                return Ok(expired);
            }
        }
    }
}

/// Files under `documents/` older than an hour that no document names: left by an upload that
/// stopped between storing its file and recording it.
#[async_trait::async_trait]
impl axis_jobs::UnrecordedFiles for DocumentService {
    async fn sweep_unrecorded_files(&self) -> Result<u64, DomainError> {
        let records = DocumentFiles(self.documents.as_ref());
        let (files, trail) = (self.files.as_ref(), self.trail.as_ref());
        axis_kernel::blob::sweep_unrecorded(
            files,
            &records,
            trail,
            DOCUMENT_FILES,
            "document",
            self.clock.now(),
        )
        .await
    }
}

/// The documents' records of stored files, for the sweep.
struct DocumentFiles<'a>(&'a dyn DocumentRepository);

#[async_trait::async_trait]
impl axis_kernel::FileRecords for DocumentFiles<'_> {
    async fn unrecorded(&self, keys: &[BlobKey]) -> Result<Vec<BlobKey>, DomainError> {
        self.0.unrecorded(keys).await
    }
}

#[async_trait::async_trait]
impl axis_kernel::FileSink for DocumentUpload<'_> {
    type Output = Document;

    async fn feed(&mut self, chunk: Bytes) -> Result<(), DomainError> {
        self.incoming.feed(chunk).await
    }

    /// The end of the file: stored, then put on record. If the record cannot be written the
    /// file is removed again (or, if even that fails, left to the sweep).
    async fn finish(self) -> Result<Document, DomainError> {
        let file = self.incoming.finish().await?;
        let key = file.key.clone();
        let recorded = self.service.record(&self.actor, self.target, self.file_name, file).await;
        if recorded.is_err() {
            let _ = self.service.files.delete(&key).await;
        }
        recorded
    }

    async fn abandon(self) {
        self.incoming.abandon().await;
    }
}

/// An action on one of the organisation's own documents: reading is everyone's, changing them
/// a manager's.
fn organisation_action(action: ClientAction) -> ClientAction {
    match action {
        ClientAction::Read => ClientAction::Read,
        ClientAction::Review | ClientAction::Edit | ClientAction::Manage => ClientAction::Manage,
        ClientAction::Administer => ClientAction::Administer,
    }
}

fn require_latest(document: &Document) -> Result<(), DomainError> {
    if document.is_latest {
        Ok(())
    } else {
        Err(DomainError::conflict(format!(
            "version {} is not the latest: change the latest version instead",
            document.version_number
        )))
    }
}

/// The shown name of an uploaded file and the kind its extension names, which must be one a
/// document may be.
fn file_of(errors: &mut FieldErrors, raw: Option<&str>) -> Option<(String, FileKind)> {
    let Some(name) = raw.and_then(axis_kernel::files::shown_file_name) else {
        errors.add("file", "needs a file name (with its extension)");
        return None;
    };
    match FileKind::from_file_name(&name).filter(|kind| ACCEPTED_KINDS.contains(kind)) {
        Some(kind) => Some((name, kind)),
        None => {
            errors.add("file", "must be a PDF, Word, Excel, CSV, PNG or JPEG file (.pdf, .doc, .docx, .xls, .xlsx, .csv, .png, .jpg)");
            None
        }
    }
}

#[cfg(test)]
mod tests;
