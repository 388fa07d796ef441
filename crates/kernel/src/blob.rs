//! File contents kept outside the database (documents, and next Advisor exports and rendered
//! reports): the [`BlobStore`] port, the generated keys files live under, and [`Incoming`], a
//! file read as it arrives — held to its limit, hashed, its kind checked by its first bytes —
//! whose bytes reach the store only once its kind is known to be allowed.

use std::ops::Range;
use std::pin::Pin;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use futures_core::Stream;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::files::{Content, FileKind, SNIFF_BYTES, ZIP_TAIL_BYTES, check_office_zip};
use crate::{DomainError, FieldErrors};

/// Where a file lives in the store: `<area>/<yyyy>/<mm>/<uuid>`, always generated, never taken
/// from what a user sent, so no name can reach outside the store's root.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BlobKey(String);

impl BlobKey {
    /// A new key in `area` (`documents`), filed by the month it was made.
    pub fn generated(area: &'static str, at: OffsetDateTime) -> Self {
        Self(format!("{area}/{:04}/{:02}/{}", at.year(), u8::from(at.month()), uuid::Uuid::now_v7()))
    }

    /// A key as stored (the database, a listing): lowercase letters, digits, `-` and `/`
    /// segments that are not empty; anything else is no key of ours.
    pub fn parse(stored: &str) -> Option<Self> {
        let shaped = !stored.is_empty()
            && stored.split('/').all(|segment| {
                !segment.is_empty()
                    && segment.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            });
        shaped.then(|| Self(stored.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for BlobKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A file's bytes as they are read from the store.
pub type BlobBody = Pin<Box<dyn Stream<Item = Result<Bytes, DomainError>> + Send>>;

/// The bytes `start..end` of a file (end exclusive), resolved against its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    pub start: u64,
    pub end: u64,
}

impl ByteRange {
    pub fn len(&self) -> u64 {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// A part of a file a reader asks for (HTTP's `bytes=` forms), before the file's size is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeRequest {
    /// `first-last`, both inclusive.
    Closed { first: u64, last: u64 },
    /// `first-`: from `first` to the end.
    From { first: u64 },
    /// `-n`: the last `n` bytes.
    Last { bytes: u64 },
}

impl RangeRequest {
    /// The bytes of a file of `size` it asks for; `None` when it asks for none of them (an
    /// answer of 416).
    pub fn resolve(self, size: u64) -> Option<ByteRange> {
        let (start, end) = match self {
            RangeRequest::Closed { first, last } if first <= last => {
                (first, last.saturating_add(1).min(size))
            }
            RangeRequest::Closed { .. } => return None,
            RangeRequest::From { first } => (first, size),
            RangeRequest::Last { bytes } => (size.saturating_sub(bytes), size),
        };
        (start < end).then_some(ByteRange { start, end })
    }
}

/// A file being read: the part asked for and the whole file's size.
pub struct BlobRead {
    pub range: Range<u64>,
    pub size: u64,
    pub body: BlobBody,
}

impl BlobRead {
    /// The whole body in memory, for small files (a logo); `TooLarge` past `limit` bytes.
    pub async fn into_bytes(mut self, limit: u64) -> Result<Vec<u8>, DomainError> {
        if self.size > limit {
            return Err(DomainError::TooLarge { limit });
        }
        let mut bytes = Vec::with_capacity(usize::try_from(self.size).unwrap_or(0));
        while let Some(chunk) = std::future::poll_fn(|cx| self.body.as_mut().poll_next(cx)).await {
            bytes.extend_from_slice(&chunk?);
            if bytes.len() as u64 > limit {
                return Err(DomainError::TooLarge { limit });
            }
        }
        Ok(bytes)
    }
}

/// Where files live: a local directory, S3 or Azure Blob (the adapter decides by
/// configuration). A write is visible under its key only once finished; an aborted one leaves
/// nothing.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait BlobStore: Send + Sync {
    /// Starts writing the file `key`.
    async fn create(&self, key: &BlobKey) -> Result<Box<dyn BlobWrite>, DomainError>;
    /// Reads `range` of the file (all of it when `None`); `NotFound` when there is no such file.
    async fn read(&self, key: &BlobKey, range: Option<ByteRange>) -> Result<BlobRead, DomainError>;
    /// Removes the file; one that is not there is no error.
    async fn delete(&self, key: &BlobKey) -> Result<(), DomainError>;
    /// The files under `prefix` written before `before` (what an orphan sweep looks at).
    async fn list_older(&self, prefix: &str, before: OffsetDateTime) -> Result<Vec<BlobKey>, DomainError>;
}

/// How long a stored file may wait for the record that names it before a sweep removes it:
/// an upload records its file within seconds, one that stopped in between never will.
pub const UNRECORDED_AFTER: time::Duration = time::Duration::hours(1);

/// The use case's side of an upload: the file fed to it as it arrives, then finished (stored
/// and put on record) or abandoned (nothing left). Every upload route pipes its form's file
/// into one (`axis_http::upload::receive`).
#[async_trait]
pub trait FileSink: Send {
    /// What a finished upload gives (the document, the import).
    type Output: Send;
    /// The next bytes; on an error the upload is over and has left nothing.
    async fn feed(&mut self, chunk: Bytes) -> Result<(), DomainError>;
    /// The end of the file.
    async fn finish(self) -> Result<Self::Output, DomainError>;
    /// The upload broke off: what was written is dropped.
    async fn abandon(self);
}

/// The records that name stored files (a domain's adapter asks its own table).
#[async_trait]
pub trait FileRecords: Send + Sync {
    /// Those of `keys` that no record names.
    async fn unrecorded(&self, keys: &[BlobKey]) -> Result<Vec<BlobKey>, DomainError>;
}

/// Removes the files under `area` stored more than [`UNRECORDED_AFTER`] before `now` that no
/// record names (`records` is asked 1,000 keys at a time). Answers how many were removed.
/// Every area with uploads (documents, Advisor exports) sweeps its files this way.
pub async fn remove_unrecorded(
    files: &dyn BlobStore,
    records: &dyn FileRecords,
    area: &str,
    now: OffsetDateTime,
) -> Result<u64, DomainError> {
    let stored = files.list_older(area, now - UNRECORDED_AFTER).await?;
    let mut removed = 0u64;
    for keys in stored.chunks(1000) {
        for key in records.unrecorded(keys).await? {
            files.delete(&key).await?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// [`remove_unrecorded`] with its record: when it removed any, one audit record
/// `<entity_type>.unrecorded_files_removed` by the worker, with the count. What every area's
/// periodic sweep runs.
pub async fn sweep_unrecorded(
    files: &dyn BlobStore,
    records: &dyn FileRecords,
    trail: &dyn crate::AuditTrail,
    area: &str,
    entity_type: &str,
    now: OffsetDateTime,
) -> Result<u64, DomainError> {
    let removed = remove_unrecorded(files, records, area, now).await?;
    if removed > 0 {
        let action = format!("{entity_type}.unrecorded_files_removed");
        let audit = crate::AuditRecord::new(&crate::Actor::worker(), action, entity_type, None, now)
            .with_detail("count", removed);
        trail.record(&audit).await?;
    }
    Ok(removed)
}

/// One file being written.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait BlobWrite: Send {
    async fn write(&mut self, chunk: Bytes) -> Result<(), DomainError>;
    /// Makes the file visible under its key.
    async fn finish(self: Box<Self>) -> Result<(), DomainError>;
    /// Drops what was written; the key stays free.
    async fn abort(self: Box<Self>);
}

/// A file fully received and stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub key: BlobKey,
    pub kind: FileKind,
    pub size: u64,
    /// Lowercase hex.
    pub sha256: String,
}

/// A file read as it arrives: every byte counted against `limit` (the caller stops reading at
/// the first refusal), hashed, and written to the store only once its first bytes show the
/// kind its name gives. Zip-based kinds keep their last 256 KiB to check their directory at
/// the end. Every error has already dropped what was written.
pub struct Incoming {
    store: Arc<dyn BlobStore>,
    key: BlobKey,
    kind: FileKind,
    limit: u64,
    /// The first bytes, held until the kind is known.
    head: Vec<u8>,
    writer: Option<Box<dyn BlobWrite>>,
    size: u64,
    hasher: Sha256,
    tail: Vec<u8>,
}

impl Incoming {
    /// A file of `kind` (what its name says) to be stored under `key`, of at most `limit` bytes.
    pub fn new(store: Arc<dyn BlobStore>, key: BlobKey, kind: FileKind, limit: u64) -> Self {
        Self {
            store,
            key,
            kind,
            limit,
            head: Vec::new(),
            writer: None,
            size: 0,
            hasher: Sha256::new(),
            tail: Vec::new(),
        }
    }

    /// The next bytes of the file. `TooLarge` once the file passes its limit; a field error on
    /// `file` when its content is not of its kind.
    pub async fn feed(&mut self, chunk: Bytes) -> Result<(), DomainError> {
        self.size += chunk.len() as u64;
        if self.size > self.limit {
            self.drop_written().await;
            return Err(DomainError::TooLarge { limit: self.limit });
        }
        self.hasher.update(&chunk);
        if matches!(self.kind, FileKind::Docx | FileKind::Xlsx) {
            self.keep_tail(&chunk);
        }
        if self.writer.is_none() {
            self.head.extend_from_slice(&chunk);
            if self.head.len() < SNIFF_BYTES {
                return Ok(());
            }
            return self.start_writing().await;
        }
        self.write(chunk).await
    }

    /// The end of the file: checked once more, then visible in the store.
    pub async fn finish(mut self) -> Result<StoredFile, DomainError> {
        if self.size == 0 {
            return Err(FieldErrors::single("file", "is empty").into());
        }
        if self.writer.is_none() {
            self.start_writing().await?;
        }
        if matches!(self.kind, FileKind::Docx | FileKind::Xlsx)
            && let Err(why) = check_office_zip(self.kind, &self.tail, self.size)
        {
            self.drop_written().await;
            return Err(FieldErrors::single("file", why).into());
        }
        let writer = self.writer.take().ok_or(DomainError::Unavailable)?;
        writer.finish().await?;
        Ok(StoredFile {
            key: self.key,
            kind: self.kind,
            size: self.size,
            sha256: hex_lower(&self.hasher.finalize()),
        })
    }

    /// The upload broke off: nothing it wrote stays.
    pub async fn abandon(mut self) {
        self.drop_written().await;
    }

    /// The first bytes are in: refused unless they are of the file's kind, else written.
    async fn start_writing(&mut self) -> Result<(), DomainError> {
        let content = Content::of(&self.head[..self.head.len().min(SNIFF_BYTES)]);
        if !self.kind.accepts(content) {
            let why =
                format!("is named as {} but its content is {}", self.kind.describe(), content.describe());
            return Err(FieldErrors::single("file", why).into());
        }
        self.writer = Some(self.store.create(&self.key).await?);
        let head = Bytes::from(std::mem::take(&mut self.head));
        self.write(head).await
    }

    async fn write(&mut self, chunk: Bytes) -> Result<(), DomainError> {
        let Some(writer) = self.writer.as_mut() else { return Err(DomainError::Unavailable) };
        if let Err(error) = writer.write(chunk).await {
            self.drop_written().await;
            return Err(error);
        }
        Ok(())
    }

    fn keep_tail(&mut self, chunk: &[u8]) {
        self.tail.extend_from_slice(chunk);
        if self.tail.len() > 2 * ZIP_TAIL_BYTES {
            self.tail.drain(..self.tail.len() - ZIP_TAIL_BYTES);
        }
    }

    async fn drop_written(&mut self) {
        if let Some(writer) = self.writer.take() {
            writer.abort().await;
        }
    }
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use futures_executor::block_on;

    use super::*;

    /// What the fake store saw: bytes written, and whether the write finished or was aborted.
    #[derive(Default)]
    struct Seen {
        created: u32,
        written: Vec<u8>,
        finished: bool,
        aborted: bool,
    }

    fn store(seen: &Arc<Mutex<Seen>>) -> Arc<dyn BlobStore> {
        let mut store = MockBlobStore::new();
        let seen = seen.clone();
        store.expect_create().returning(move |_| {
            seen.lock().map(|mut s| s.created += 1).ok();
            let mut writer = MockBlobWrite::new();
            let (on_write, on_finish, on_abort) = (seen.clone(), seen.clone(), seen.clone());
            writer.expect_write().returning(move |chunk| {
                on_write.lock().map(|mut s| s.written.extend_from_slice(&chunk)).ok();
                Ok(())
            });
            writer.expect_finish().returning(move || {
                on_finish.lock().map(|mut s| s.finished = true).ok();
                Ok(())
            });
            writer.expect_abort().returning(move || {
                on_abort.lock().map(|mut s| s.aborted = true).ok();
            });
            Ok(Box::new(writer))
        });
        Arc::new(store)
    }

    fn key() -> BlobKey {
        BlobKey::generated("documents", OffsetDateTime::UNIX_EPOCH)
    }

    fn pdf(size: usize) -> Vec<u8> {
        let mut file = b"%PDF-1.7\n".to_vec();
        file.resize(size, b'x');
        file
    }

    #[test]
    fn a_file_of_its_kind_is_stored_whole_with_its_hash() {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let mut incoming = Incoming::new(store(&seen), key(), FileKind::Pdf, 20_000);
        let file = pdf(10_000);
        for chunk in file.chunks(1000) {
            block_on(incoming.feed(Bytes::copy_from_slice(chunk))).expect("fed");
        }
        let stored = block_on(incoming.finish()).expect("stored");
        assert_eq!(stored.size, 10_000);
        assert_eq!(stored.sha256, hex_lower(&Sha256::digest(&file)));
        let seen = seen.lock().expect("seen");
        assert_eq!((seen.created, seen.finished, seen.aborted), (1, true, false));
        assert_eq!(seen.written, file);
    }

    #[test]
    fn a_file_shorter_than_the_sniffed_head_is_checked_at_its_end() {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let mut incoming = Incoming::new(store(&seen), key(), FileKind::Csv, 20_000);
        block_on(incoming.feed(Bytes::from_static(b"a,b\n1,2\n"))).expect("fed");
        assert_eq!(seen.lock().expect("seen").created, 0, "nothing written before the kind is known");
        assert_eq!(block_on(incoming.finish()).expect("stored").size, 8);
    }

    #[test]
    fn content_of_another_kind_is_refused_before_anything_is_written() {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let mut incoming = Incoming::new(store(&seen), key(), FileKind::Pdf, 1 << 20);
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.resize(SNIFF_BYTES, 0);
        let refused = block_on(incoming.feed(Bytes::from(png)));
        let Err(DomainError::Validation(errors)) = refused else { panic!("expected a refusal") };
        assert_eq!(errors.fields()["file"], ["is named as a PDF document but its content is a PNG image"]);
        assert_eq!(seen.lock().expect("seen").created, 0);
    }

    #[test]
    fn passing_the_limit_drops_what_was_written() {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let mut incoming = Incoming::new(store(&seen), key(), FileKind::Pdf, 8192);
        block_on(incoming.feed(Bytes::from(pdf(8000)))).expect("under the limit");
        let refused = block_on(incoming.feed(Bytes::from(vec![b'x'; 500])));
        assert!(matches!(refused, Err(DomainError::TooLarge { limit: 8192 })), "{refused:?}");
        let seen = seen.lock().expect("seen");
        assert!(seen.aborted && !seen.finished);
    }

    #[test]
    fn an_abandoned_or_empty_upload_leaves_nothing() {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let mut incoming = Incoming::new(store(&seen), key(), FileKind::Pdf, 1 << 20);
        block_on(incoming.feed(Bytes::from(pdf(5000)))).expect("fed");
        block_on(incoming.abandon());
        assert!(seen.lock().expect("seen").aborted);
        let empty = Incoming::new(store(&seen), key(), FileKind::Pdf, 1 << 20);
        assert!(matches!(block_on(empty.finish()), Err(DomainError::Validation(_))));
    }

    #[test]
    fn a_zip_posing_as_a_workbook_is_refused_at_its_end() {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let mut incoming = Incoming::new(store(&seen), key(), FileKind::Xlsx, 1 << 20);
        let zip = crate::files::tests::zip(&[("payload.exe", &[b'M'; 6000])]);
        block_on(incoming.feed(Bytes::from(zip))).expect("a zip is fed");
        assert!(matches!(block_on(incoming.finish()), Err(DomainError::Validation(_))));
        let seen = seen.lock().expect("seen");
        assert!(seen.aborted && !seen.finished);
    }

    #[test]
    fn keys_are_generated_and_parsed_strictly() {
        let key = BlobKey::generated("documents", OffsetDateTime::UNIX_EPOCH);
        assert!(key.as_str().starts_with("documents/1970/01/"));
        assert_eq!(BlobKey::parse(key.as_str()), Some(key));
        for bad in ["", "../x", "documents//x", "Documents/x", "documents/x.pdf", "/x", "a/"] {
            assert_eq!(BlobKey::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn ranges_resolve_against_the_size() {
        use RangeRequest::*;
        let r = |start, end| Some(ByteRange { start, end });
        assert_eq!(Closed { first: 0, last: 99 }.resolve(1000), r(0, 100));
        assert_eq!(Closed { first: 900, last: 5000 }.resolve(1000), r(900, 1000));
        assert_eq!(Closed { first: 1000, last: 1001 }.resolve(1000), None);
        assert_eq!(Closed { first: 5, last: 4 }.resolve(1000), None);
        assert_eq!(From { first: 10 }.resolve(1000), r(10, 1000));
        assert_eq!(Last { bytes: 10 }.resolve(1000), r(990, 1000));
        assert_eq!(Last { bytes: 5000 }.resolve(1000), r(0, 1000));
        assert_eq!(Last { bytes: 0 }.resolve(1000), None);
    }
}
