//! The [`BlobStore`] port on the `object_store` crate: a local directory by default, S3 or an
//! S3-compatible server (`s3://bucket/prefix`), or Azure Blob (`az://container/prefix`) by
//! configuration. Writes go through `object_store`'s buffered writer: a small file is one
//! put, a larger one a multipart upload that an abort removes; nothing is visible under a
//! key until its write finished.

use std::sync::Arc;

use async_trait::async_trait;
use axis_kernel::{BlobKey, BlobRead, BlobStore, BlobWrite, ByteRange, DomainError};
use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::azure::MicrosoftAzureBuilder;
use object_store::buffered::BufWriter;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt};
use time::OffsetDateTime;
use tokio::io::AsyncWriteExt;

/// What a store is opened from: `AXIS_BLOB_URL`, and settings of the provider (credentials,
/// an endpoint) as `object_store` names them (`aws_endpoint`, `azure_storage_account_name`,
/// …). Unset settings come from the environment (`AWS_*`, `AZURE_*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobSettings {
    /// `s3://bucket[/prefix]`, `az://container[/prefix]` (also `azure://`, `abfs://`), or a
    /// local directory (a path, or `file:///path`).
    pub url: String,
    pub options: Vec<(String, String)>,
}

impl BlobSettings {
    /// A local directory.
    pub fn local(directory: &std::path::Path) -> Self {
        Self { url: directory.display().to_string(), options: Vec::new() }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("AXIS_BLOB_URL {url:?}: {why}")]
    Url { url: String, why: String },
    #[error("the blob store cannot be opened: {0}")]
    Store(#[from] object_store::Error),
    #[error("the local blob directory cannot be made: {0}")]
    Directory(#[from] std::io::Error),
}

/// The size up to which a file is written with one request; beyond it, in parts of this size
/// (S3's parts must be at least 5 MiB).
const PART_BYTES: usize = 8 * 1024 * 1024;

#[derive(Clone)]
pub struct ObjectBlobStore {
    store: Arc<dyn ObjectStore>,
    /// For logs and `/health`: the kind of store and where, never a credential.
    description: String,
}

impl std::fmt::Debug for ObjectBlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.description)
    }
}

impl ObjectBlobStore {
    pub fn open(settings: &BlobSettings) -> Result<Self, OpenError> {
        let url_error = |why: &str| OpenError::Url { url: settings.url.clone(), why: why.to_owned() };
        let scheme = settings.url.split_once("://").map(|(scheme, _)| scheme.to_ascii_lowercase());
        let (store, description): (Arc<dyn ObjectStore>, String) = match scheme.as_deref() {
            Some("s3" | "s3a") => {
                let mut builder = AmazonS3Builder::from_env().with_url(&settings.url);
                for (key, value) in &settings.options {
                    let key = key.parse().map_err(|_| url_error(&format!("unknown S3 setting {key}")))?;
                    builder = builder.with_config(key, value);
                }
                let prefix = url_path(&settings.url).map_err(|why| url_error(&why))?;
                (Arc::new(PrefixStore::new(builder.build()?, prefix)), format!("S3 at {}", settings.url))
            }
            Some("az" | "azure" | "abfs" | "abfss" | "adl") => {
                let mut builder = MicrosoftAzureBuilder::from_env().with_url(&settings.url);
                for (key, value) in &settings.options {
                    let key = key.parse().map_err(|_| url_error(&format!("unknown Azure setting {key}")))?;
                    builder = builder.with_config(key, value);
                }
                let prefix = url_path(&settings.url).map_err(|why| url_error(&why))?;
                (
                    Arc::new(PrefixStore::new(builder.build()?, prefix)),
                    format!("Azure Blob at {}", settings.url),
                )
            }
            Some("file") => {
                let directory = settings.url.trim_start_matches("file://");
                (local(directory)?, format!("local directory {directory}"))
            }
            Some(other) => return Err(url_error(&format!("unknown store {other}://"))),
            None => (local(&settings.url)?, format!("local directory {}", settings.url)),
        };
        Ok(Self { store, description })
    }

    pub fn describe(&self) -> &str {
        &self.description
    }
}

fn local(directory: &str) -> Result<Arc<dyn ObjectStore>, OpenError> {
    std::fs::create_dir_all(directory)?;
    Ok(Arc::new(LocalFileSystem::new_with_prefix(directory)?.with_automatic_cleanup(true)))
}

/// The path part of a store URL (`s3://bucket/a/b` gives `a/b`), the prefix every key is
/// stored under.
fn url_path(url: &str) -> Result<Path, String> {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_scheme.split_once('/').map_or("", |(_, path)| path).trim_matches('/');
    Path::parse(path).map_err(|error| error.to_string())
}

fn key_path(key: &BlobKey) -> Path {
    // A key is lowercase letters, digits, `-` and `/` (BlobKey::parse): a valid path as is.
    Path::from(key.as_str())
}

/// Every store failure is the store being unavailable to the caller, with the cause logged;
/// a missing file is `NotFound`.
fn store_error(error: object_store::Error) -> DomainError {
    match error {
        object_store::Error::NotFound { .. } => DomainError::NotFound,
        other => {
            tracing::error!(error = %other, "blob store");
            DomainError::Unavailable
        }
    }
}

#[async_trait]
impl BlobStore for ObjectBlobStore {
    async fn create(&self, key: &BlobKey) -> Result<Box<dyn BlobWrite>, DomainError> {
        let writer = BufWriter::with_capacity(self.store.clone(), key_path(key), PART_BYTES);
        Ok(Box::new(ObjectWrite { writer }))
    }

    async fn read(&self, key: &BlobKey, range: Option<ByteRange>) -> Result<BlobRead, DomainError> {
        let options = GetOptions {
            range: range.map(|range| GetRange::Bounded(range.start..range.end)),
            ..GetOptions::default()
        };
        let got = self.store.get_opts(&key_path(key), options).await.map_err(store_error)?;
        let (size, read) = (got.meta.size, got.range.clone());
        let body = got.into_stream().map_err(store_error).boxed();
        Ok(BlobRead { range: read, size, body })
    }

    async fn delete(&self, key: &BlobKey) -> Result<(), DomainError> {
        match self.store.delete(&key_path(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(store_error(error)),
        }
    }

    async fn list_older(&self, prefix: &str, before: OffsetDateTime) -> Result<Vec<BlobKey>, DomainError> {
        let prefix = Path::parse(prefix).map_err(|error| DomainError::internal(error.to_string()))?;
        let before = before.unix_timestamp();
        let listed: Vec<_> = self.store.list(Some(&prefix)).try_collect().await.map_err(store_error)?;
        Ok(listed
            .into_iter()
            .filter(|meta| meta.last_modified.timestamp() < before)
            // Anything that is not one of our keys (a stray file) is left alone.
            .filter_map(|meta| BlobKey::parse(meta.location.as_ref()))
            .collect())
    }
}

struct ObjectWrite {
    writer: BufWriter,
}

#[async_trait]
impl BlobWrite for ObjectWrite {
    async fn write(&mut self, chunk: Bytes) -> Result<(), DomainError> {
        self.writer.put(chunk).await.map_err(store_error)
    }

    async fn finish(mut self: Box<Self>) -> Result<(), DomainError> {
        self.writer.shutdown().await.map_err(|error| {
            tracing::error!(%error, "blob store: finishing a write");
            DomainError::Unavailable
        })
    }

    async fn abort(mut self: Box<Self>) {
        if let Err(error) = self.writer.abort().await {
            // A part left behind on S3 is removed by the bucket's lifecycle rule; locally by
            // the next abort of the same key (never reused) or by hand (docs/OPERATIONS.md).
            tracing::warn!(%error, "blob store: aborting a write");
        }
    }
}
