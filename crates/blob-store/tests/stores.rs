//! One suite, three stores: a local directory, a real S3-compatible server (moto in server
//! mode) and the Azure Blob emulator (azurite), each started here on a free loopback port and
//! stopped when its test ends. `scripts/stores.sh install` (run by `make test`) puts moto and
//! azurite into `./.data/`.
#![expect(clippy::expect_used, reason = "test helpers fail loudly")]

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axis_blob_store::{BlobSettings, ObjectBlobStore};
use axis_kernel::files::FileKind;
use axis_kernel::{BlobKey, BlobStore, ByteRange, DomainError, Incoming};
use bytes::Bytes;
use futures_util::TryStreamExt;
use time::OffsetDateTime;
use tokio::process::{Child, Command};

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A tool `scripts/stores.sh install` puts under `./.data/`.
fn tool(relative: &str) -> PathBuf {
    let path = workspace().join(".data").join(relative);
    assert!(path.exists(), "{} is missing: run scripts/stores.sh install (make test does)", path.display());
    path
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

/// Polls `ready` until it answers true, for at most 60 seconds.
async fn wait_for(what: &str, mut ready: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !ready().await {
        assert!(Instant::now() < deadline, "{what} did not start within 60 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A server process, killed when dropped.
struct Server {
    _child: Child,
    port: u16,
}

fn spawn(program: PathBuf, args: &[String]) -> Child {
    Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the server starts")
}

async fn moto() -> Server {
    let port = free_port();
    let child = spawn(
        tool("venv-stores/bin/moto_server"),
        &["-H".into(), "127.0.0.1".into(), "-p".into(), port.to_string()],
    );
    let client = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}");
    wait_for("moto", async || client.get(&url).send().await.is_ok()).await;
    // moto does not check signatures: a plain PUT makes the bucket.
    let made = client.put(format!("{url}/axis-test")).send().await.expect("bucket made");
    assert!(made.status().is_success(), "{}", made.status());
    Server { _child: child, port }
}

async fn azurite(data: &std::path::Path) -> Server {
    let port = free_port();
    let args = [
        "--blobHost",
        "127.0.0.1",
        "--blobPort",
        &port.to_string(),
        "--location",
        &data.display().to_string(),
        "--skipApiVersionCheck",
        "--silent",
    ]
    .map(str::to_owned);
    let child = spawn(tool("azurite/node_modules/.bin/azurite-blob"), &args);
    wait_for("azurite", async || tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok()).await;
    let made = Command::new(tool("venv-stores/bin/python"))
        .arg(workspace().join("scripts/stores/make-container.py"))
        .args([port.to_string(), "axis-test".into()])
        .status()
        .await
        .expect("the container script runs");
    assert!(made.success(), "the container was not made");
    Server { _child: child, port }
}

/// Azurite's published development account key (the same in every installation).
const AZURITE_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

fn key() -> BlobKey {
    BlobKey::generated("documents", OffsetDateTime::now_utc())
}

async fn read_all(
    store: &dyn BlobStore,
    key: &BlobKey,
    range: Option<ByteRange>,
) -> Result<Vec<u8>, DomainError> {
    let read = store.read(key, range).await?;
    let chunks: Vec<Bytes> = read.body.try_collect().await?;
    Ok(chunks.concat())
}

/// A file of `size` bytes that is not the same from part to part.
fn content(size: usize) -> Vec<u8> {
    let mut file = b"%PDF-1.7\n".to_vec();
    file.extend((0..size - file.len()).map(|i| (i % 251) as u8));
    file
}

/// What every store must do the same way.
async fn suite(store: Arc<dyn BlobStore>) {
    // A small file (one put) and one past the part size (a multipart upload).
    for size in [10_000, 9 * 1024 * 1024 + 123] {
        let file = content(size);
        let key = key();
        let mut write = store.create(&key).await.expect("create");
        for chunk in file.chunks(256 * 1024) {
            write.write(Bytes::copy_from_slice(chunk)).await.expect("write");
        }
        assert!(
            matches!(store.read(&key, None).await, Err(DomainError::NotFound)),
            "nothing is visible before the write finishes"
        );
        write.finish().await.expect("finish");
        assert_eq!(read_all(store.as_ref(), &key, None).await.expect("read"), file, "{size} bytes");
        let range = ByteRange { start: 5000, end: 9000 };
        let read = store.read(&key, Some(range)).await.expect("a range");
        assert_eq!((read.range.clone(), read.size), (5000..9000, size as u64));
        assert_eq!(read_all(store.as_ref(), &key, Some(range)).await.expect("range"), file[5000..9000]);
        store.delete(&key).await.expect("delete");
        assert!(matches!(store.read(&key, None).await, Err(DomainError::NotFound)));
    }

    // An aborted write leaves nothing, whether it was still buffered or already in parts.
    for size in [1000, 9 * 1024 * 1024] {
        let key = key();
        let mut write = store.create(&key).await.expect("create");
        write.write(Bytes::from(content(size))).await.expect("write");
        write.abort().await;
        assert!(matches!(store.read(&key, None).await, Err(DomainError::NotFound)), "{size}");
    }

    // Deleting what is not there is no error; reading it is NotFound.
    let missing = key();
    store.delete(&missing).await.expect("deleting nothing");
    assert!(matches!(store.read(&missing, None).await, Err(DomainError::NotFound)));

    // The sweep's listing: files older than a moment, under a prefix, as our keys.
    let kept = key();
    let mut write = store.create(&kept).await.expect("create");
    write.write(Bytes::from(content(2000))).await.expect("write");
    write.finish().await.expect("finish");
    let later = OffsetDateTime::now_utc() + time::Duration::minutes(1);
    let earlier = OffsetDateTime::now_utc() - time::Duration::hours(1);
    assert!(store.list_older("documents", later).await.expect("list").contains(&kept));
    assert!(!store.list_older("documents", earlier).await.expect("list").contains(&kept));
    assert!(store.list_older("reports", later).await.expect("list").is_empty());
    store.delete(&kept).await.expect("delete");

    // An upload read as it arrives: a refused one leaves nothing behind in the store.
    let refused_key = key();
    let mut incoming = Incoming::new(store.clone(), refused_key.clone(), FileKind::Pdf, 1 << 20);
    incoming.feed(Bytes::from(vec![b'M'; 8192])).await.expect_err("not a PDF");
    let mut too_large = Incoming::new(store.clone(), key(), FileKind::Pdf, 100_000);
    too_large.feed(Bytes::from(content(90_000))).await.expect("under the limit");
    assert!(matches!(too_large.feed(Bytes::from(content(20_000))).await, Err(DomainError::TooLarge { .. })));
    let stored = {
        let mut incoming = Incoming::new(store.clone(), key(), FileKind::Pdf, 1 << 20);
        incoming.feed(Bytes::from(content(50_000))).await.expect("fed");
        incoming.finish().await.expect("stored")
    };
    let listed = store.list_older("documents", later).await.expect("list");
    assert_eq!(listed, std::slice::from_ref(&stored.key), "only the finished upload is in the store");
    store.delete(&stored.key).await.expect("delete");
}

#[tokio::test]
async fn a_local_directory() {
    let directory = std::env::temp_dir().join(format!("axis-blobs-{}", uuid::Uuid::now_v7()));
    let store = ObjectBlobStore::open(&BlobSettings::local(&directory)).expect("opened");
    suite(Arc::new(store)).await;
    std::fs::remove_dir_all(&directory).ok();
}

#[tokio::test]
async fn an_s3_compatible_server() {
    let server = moto().await;
    let settings = BlobSettings {
        url: "s3://axis-test/some/prefix".into(),
        options: [
            ("aws_endpoint", format!("http://127.0.0.1:{}", server.port)),
            ("aws_allow_http", "true".into()),
            ("aws_access_key_id", "test".into()),
            ("aws_secret_access_key", "test".into()),
            ("aws_region", "us-east-1".into()),
        ]
        .map(|(key, value)| (key.to_owned(), value))
        .to_vec(),
    };
    suite(Arc::new(ObjectBlobStore::open(&settings).expect("opened"))).await;
}

#[tokio::test]
async fn the_azure_blob_emulator() {
    let data = std::env::temp_dir().join(format!("axis-azurite-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&data).expect("a data directory");
    let server = azurite(&data).await;
    // The emulator as any Azure account is configured: its name, key and endpoint.
    let settings = BlobSettings {
        url: "az://axis-test/some/prefix".into(),
        options: [
            ("azure_storage_account_name", "devstoreaccount1".to_owned()),
            ("azure_storage_access_key", AZURITE_KEY.to_owned()),
            ("azure_storage_endpoint", format!("http://127.0.0.1:{}/devstoreaccount1", server.port)),
            ("allow_http", "true".to_owned()),
        ]
        .map(|(key, value)| (key.to_owned(), value))
        .to_vec(),
    };
    suite(Arc::new(ObjectBlobStore::open(&settings).expect("opened"))).await;
    drop(server);
    std::fs::remove_dir_all(&data).ok();
}
