//! Documents through the API: every route × every kind of caller, audits that roll writes
//! back, the download's headers and ranges, files refused by their content, hostile names,
//! uploads refused while they stream (memory measured), broken-off uploads, versions,
//! confidentiality, expiry and the sweep of unrecorded files.

use std::collections::BTreeMap;
use std::time::Duration;

use axis_jobs::UnrecordedFiles;
use axis_kernel::{ClientAction, Role};
use axis_testkit::documents::pdf;
use axis_testkit::matrix::{self, People, Route};
use axis_testkit::{
    ClientBuilder, ContractBuilder, DocumentBuilder, TestApp, eventually, spawn_app, spawn_app_with,
};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::support::{expect_problem, files_under, json, sql, sql_count};

static PDF: std::sync::LazyLock<Vec<u8>> = std::sync::LazyLock::new(|| pdf(30_000));

fn leaked_pdf() -> &'static [u8] {
    PDF.as_slice()
}

/// A form with `fields`, then `contents` as the file `name`.
fn form(fields: &[(&str, &str)], name: &str, contents: Vec<u8>) -> Form {
    let form =
        fields.iter().fold(Form::new(), |form, (key, value)| form.text(key.to_string(), value.to_string()));
    form.part("file", Part::bytes(contents).file_name(name.to_owned()))
}

async fn upload(app: &TestApp, token: &str, form: Form) -> (u16, Value) {
    json(app.post("/api/v1/documents").bearer_auth(token).multipart(form).send().await.unwrap()).await
}

/// Documents and files on record: rows, and files under the app's blob directory.
async fn stored(app: &TestApp) -> (i64, usize) {
    let rows = sql_count(app, "SELECT count(*) AS n FROM documents").await;
    let files = files_under(&app.blob_dir).len();
    (rows, files)
}

/// A client granted to the matrix's in-scope people with four documents of it: one to read and
/// edit, one to publish, one to archive, one deleted (for restore).
async fn fixture(app: &TestApp, people: &People, deleted: bool) -> BTreeMap<String, String> {
    let granted: Vec<_> = people.granted().iter().map(|person| person.user.id).collect();
    let client = ClientBuilder::new().granted_to(&granted).insert(app).await.client.id;
    let document = DocumentBuilder::new().client(client).insert(app).await;
    let other = DocumentBuilder::new().client(client).insert(app).await;
    if deleted {
        let operator = axis_kernel::Actor::command_line();
        app.wiring.documents.delete(&operator, document.id).await.expect("delete");
    }
    BTreeMap::from([
        ("client".to_owned(), client.to_string()),
        ("document".to_owned(), document.id.to_string()),
        ("other".to_owned(), other.id.to_string()),
    ])
}

fn document_routes() -> Vec<Route> {
    use ClientAction::{Administer, Edit, Manage, Read};
    vec![
        Route::new("GET", "/api/v1/documents/{document}", Read, 200),
        Route::new("GET", "/api/v1/documents/{document}/versions", Read, 200),
        Route::new("GET", "/api/v1/documents/{document}/download", Read, 200),
        Route::new("PATCH", "/api/v1/documents/{document}", Edit, 200).body(json!({"title": "Renamed"})),
        Route::new("POST", "/api/v1/documents/{document}/publish", Edit, 200),
        Route::new("POST", "/api/v1/documents/{other}/archive", Edit, 200),
        Route::new("POST", "/api/v1/documents/{document}/versions", Edit, 201).upload(
            &[],
            "v2.pdf",
            leaked_pdf(),
        ),
        Route::new("DELETE", "/api/v1/documents/{document}", Manage, 204),
        Route::new("POST", "/api/v1/documents/{document}/restore", Administer, 200).on_deleted(),
    ]
}

fn upload_route() -> Route {
    Route::new("POST", "/api/v1/documents", ClientAction::Edit, 201).upload(
        &[("title", "Certificate"), ("type", "certification"), ("client_id", "{client}"), ("tags", "iso")],
        "certificate.pdf",
        leaked_pdf(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn role_and_scope_matrix_for_every_document_route() {
    let app = spawn_app().await;
    let people = People::sign_in(&app).await;
    let mismatches =
        matrix::run(&app, &people, &document_routes(), |deleted| fixture(&app, &people, deleted)).await;
    assert!(mismatches.is_empty(), "{} mismatches:\n{}", mismatches.len(), mismatches.join("\n"));
}

#[tokio::test(flavor = "multi_thread")]
async fn every_document_write_rolls_back_when_its_audit_record_cannot_be_written() {
    let app = spawn_app().await;
    let people = People::sign_in(&app).await;
    let mut routes = document_routes();
    routes.push(upload_route());
    let failures = matrix::writes_roll_back_without_their_audit(&app, &people, &routes, |deleted| {
        fixture(&app, &people, deleted)
    })
    .await;
    assert!(failures.is_empty(), "{} writes kept without audit:\n{}", failures.len(), failures.join("\n"));
}

/// Who may upload: analysts for clients they see (another client is "not a client"), managers
/// for the organisation's own and confidential documents, viewers never.
#[tokio::test(flavor = "multi_thread")]
async fn who_may_upload() {
    let app = spawn_app().await;
    let people = People::sign_in(&app).await;
    let granted: Vec<_> = people.granted().iter().map(|person| person.user.id).collect();
    let client = ClientBuilder::new().granted_to(&granted).insert(&app).await.client.id.to_string();
    let unseen = ClientBuilder::new().insert(&app).await.client.id.to_string();
    let fields = |client: &str| {
        vec![("title", "T".to_owned()), ("type", "other".to_owned()), ("client_id", client.to_owned())]
    };
    let send = |token: String, fields: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let form = fields.iter().fold(Form::new(), |f, (k, v)| f.text(*k, v.clone()));
            let form = form.part("file", Part::bytes(pdf(5000)).file_name("a.pdf"));
            json(app.post("/api/v1/documents").bearer_auth(token).multipart(form).send().await.unwrap()).await
        }
    };
    let (status, _) = send(people.viewer_in.access_token.clone(), fields(&client)).await;
    assert_eq!(status, 403);
    let (status, body) = send(people.analyst_in.access_token.clone(), fields(&client)).await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = send(people.analyst_in.access_token.clone(), fields(&unseen)).await;
    assert_eq!((status, body["errors"]["client_id"].is_array()), (422, true), "{body}");
    let mut confidential = fields(&client);
    confidential.push(("confidential", "true".to_owned()));
    let (status, _) = send(people.analyst_in.access_token.clone(), confidential.clone()).await;
    assert_eq!(status, 403);
    let (status, _) = send(people.manager.access_token.clone(), confidential).await;
    assert_eq!(status, 201);
    let own = vec![("title", "Policy".to_owned()), ("type", "other".to_owned())];
    assert_eq!(send(people.analyst_in.access_token.clone(), own.clone()).await.0, 403);
    assert_eq!(send(people.manager.access_token.clone(), own).await.0, 201);
    // The organisation's own documents are everyone's to read.
    let (status, listed) = json(
        app.get("/api/v1/documents?search=Policy")
            .bearer_auth(&people.viewer_out.access_token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, listed["pagination"]["total"].as_u64()), (200, Some(1)), "{listed}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_upload_is_downloaded_byte_for_byte_with_safe_headers_and_ranges() {
    let app = spawn_app().await;
    let manager = app.logged_in(Role::Manager).await;
    let token = &manager.access_token;
    let client = ClientBuilder::new().insert(&app).await.client.id;
    let contract = ContractBuilder::new(
        client,
        time::macros::date!(2026 - 01 - 01),
        time::macros::date!(2026 - 12 - 31),
    )
    .insert(&app)
    .await
    .contract
    .id
    .to_string();
    let file = pdf(100_000);
    let (client_text, expiry) = (client.to_string(), "2099-01-31");
    let fields = [
        ("title", "Signed agreement"),
        ("description", "The 2026 agreement"),
        ("type", "contract"),
        ("client_id", client_text.as_str()),
        ("contract_id", contract.as_str()),
        ("expiry_date", expiry),
        ("tags", "Legal"),
        ("tags", "signed"),
    ];
    let response = app
        .post("/api/v1/documents")
        .bearer_auth(token)
        .multipart(form(&fields, "Résumé \"final\".pdf", file.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let document: Value = response.json().await.unwrap();
    let sha256 = hex::encode(Sha256::digest(&file));
    assert_eq!(location, format!("/api/v1/documents/{}", document["id"].as_str().unwrap()));
    assert_eq!(document["sha256"], sha256);
    assert_eq!((document["size"].as_u64(), document["status"].as_str()), (Some(100_000), Some("draft")));
    assert_eq!(document["tags"], json!(["Legal", "signed"]));
    assert_eq!(
        (document["file_kind"].as_str(), document["media_type"].as_str()),
        (Some("pdf"), Some("application/pdf"))
    );
    assert_eq!(document["contract_id"], json!(contract));

    let download = format!("{location}/download");
    let response = app.get(&download).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let header = |name: &str| response.headers().get(name).map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(header("content-type").as_deref(), Some("application/pdf"));
    assert_eq!(
        header("content-disposition").as_deref(),
        Some(
            "attachment; filename=\"R_sum_ _final_.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22.pdf"
        )
    );
    assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"));
    assert_eq!(header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(header("content-security-policy").as_deref(), Some("sandbox; default-src 'none'"));
    assert_eq!(header("etag"), Some(format!("\"{sha256}\"")));
    assert_eq!(header("accept-ranges").as_deref(), Some("bytes"));
    assert_eq!(header("content-length").as_deref(), Some("100000"));
    assert_eq!(response.bytes().await.unwrap().to_vec(), file);

    let ranged =
        app.get(&download).bearer_auth(token).header("Range", "bytes=1000-1999").send().await.unwrap();
    assert_eq!(ranged.status(), 206);
    assert_eq!(ranged.headers()["content-range"], "bytes 1000-1999/100000");
    assert_eq!(ranged.bytes().await.unwrap().to_vec(), file[1000..2000]);
    let tail = app.get(&download).bearer_auth(token).header("Range", "bytes=-10").send().await.unwrap();
    assert_eq!(tail.bytes().await.unwrap().to_vec(), file[99_990..]);
    let beyond = app.get(&download).bearer_auth(token).header("Range", "bytes=200000-").send().await.unwrap();
    assert_eq!(beyond.headers()["content-range"], "bytes */100000");
    expect_problem(beyond, 416, "range_not_satisfiable").await;
    let stale = app
        .get(&download)
        .bearer_auth(token)
        .header("Range", "bytes=0-9")
        .header("If-Range", "\"another\"")
        .send()
        .await
        .unwrap();
    assert_eq!((stale.status().as_u16(), stale.bytes().await.unwrap().len()), (200, 100_000));
    let cached = app
        .get(&download)
        .bearer_auth(token)
        .header("If-None-Match", format!("\"{sha256}\""))
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status(), 304);
    // Every download is on record.
    let downloads = format!(
        "SELECT count(*) AS n FROM audit_logs WHERE action = 'document.download' AND entity_id = '{}'",
        document["id"].as_str().unwrap()
    );
    assert_eq!(sql_count(&app, &downloads).await, 6);
}

#[tokio::test(flavor = "multi_thread")]
async fn files_whose_content_is_not_what_their_name_says_are_refused_and_leave_nothing() {
    let app = spawn_app().await;
    let manager = app.logged_in(Role::Manager).await;
    let token = &manager.access_token;
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.resize(10_000, 0);
    let mut program = b"MZ\x90\0\x03\0\0\0\x04\0".to_vec();
    program.resize(10_000, 0);
    let mut elf = b"\x7fELF\x02\x01\x01".to_vec();
    elf.resize(10_000, 0);
    let zip_of_a_program = {
        // A zip (stored) holding only `setup.exe`, named .docx.
        let name = b"setup.exe";
        let content = [b'M'; 600];
        let mut file = b"PK\x03\x04\x14\0\0\0\0\0\0\0\0\0\0\0\0\0".to_vec();
        file.extend_from_slice(&(content.len() as u32).to_le_bytes());
        file.extend_from_slice(&(content.len() as u32).to_le_bytes());
        file.extend_from_slice(&(name.len() as u16).to_le_bytes());
        file.extend_from_slice(&0u16.to_le_bytes());
        file.extend_from_slice(name);
        file.extend_from_slice(&content);
        let directory_at = file.len() as u32;
        let mut directory = b"PK\x01\x02\x14\0\x14\0\0\0\0\0\0\0\0\0\0\0\0\0".to_vec();
        directory.extend_from_slice(&(content.len() as u32).to_le_bytes());
        directory.extend_from_slice(&(content.len() as u32).to_le_bytes());
        directory.extend_from_slice(&(name.len() as u16).to_le_bytes());
        directory.extend_from_slice(&[0; 12]);
        directory.extend_from_slice(&0u32.to_le_bytes());
        directory.extend_from_slice(name);
        file.extend_from_slice(&directory);
        file.extend_from_slice(b"PK\x05\x06\0\0\0\0\x01\0\x01\0");
        file.extend_from_slice(&(directory.len() as u32).to_le_bytes());
        file.extend_from_slice(&directory_at.to_le_bytes());
        file.extend_from_slice(&0u16.to_le_bytes());
        file
    };
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("scan.pdf", png),
        ("report.pdf", program.clone()),
        ("data.csv", elf),
        ("letter.docx", zip_of_a_program),
        ("page.csv", b"<html><script>alert(1)</script></html>".to_vec()),
        (
            "drawing.png",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec(),
        ),
        ("setup.exe", program),
        ("empty.pdf", Vec::new()),
    ];
    for (name, contents) in cases {
        let (status, problem) =
            upload(&app, token, form(&[("title", "T"), ("type", "other")], name, contents)).await;
        assert_eq!(status, 422, "{name}: {problem}");
        assert!(problem["errors"]["file"].is_array(), "{name}: {problem}");
    }
    assert_eq!(stored(&app).await, (0, 0), "no row and no file");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hostile_file_name_is_only_metadata() {
    let app = spawn_app().await;
    let manager = app.logged_in(Role::Manager).await;
    let token = &manager.access_token;
    for (name, shown) in [
        ("../../../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\win.ini.pdf", "win.ini.pdf"),
        ("%2e%2e%2fsecret.pdf", "%2e%2e%2fsecret.pdf"),
        ("invoice\u{202E}fdp.exe.pdf", "invoicefdp.exe.pdf"),
    ] {
        let (status, document) =
            upload(&app, token, form(&[("title", "T"), ("type", "other")], name, pdf(4000))).await;
        assert_eq!(status, 201, "{name}: {document}");
        assert_eq!(document["file_name"], shown, "{name}");
    }
    // Every file is under the store's root, under a generated key.
    let files = files_under(&app.blob_dir);
    assert_eq!(files.len(), 4);
    for file in files {
        let key = file.strip_prefix(&app.blob_dir).unwrap().to_string_lossy().into_owned();
        assert!(axis_kernel::BlobKey::parse(&key).is_some(), "{key}");
    }
}

/// The resident memory of this process (the server runs in it), in bytes.
fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|line| line.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() * 1024
}

/// A 200 MiB upload with no declared length is refused once it passes the 10 MiB limit: the
/// server reads no further, keeps nothing, and its memory does not grow with the upload. One
/// declaring its length is refused before a byte is read.
#[tokio::test(flavor = "multi_thread")]
async fn an_upload_over_the_limit_is_refused_while_it_streams() {
    let app = spawn_app().await;
    let manager = app.logged_in(Role::Manager).await;
    let before = resident_bytes();
    let chunk = bytes::Bytes::from(vec![b'x'; 64 * 1024]);
    let head = bytes::Bytes::from(
        "--b\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nBig\r\n\
         --b\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\nother\r\n\
         --b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.pdf\"\r\n\r\n%PDF-1.7\n",
    );
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counter = sent.clone();
    let body = futures_util::stream::iter(
        std::iter::once(head).chain(std::iter::repeat_n(chunk, 200 * 16)).map(move |part| {
            counter.fetch_add(part.len() as u64, std::sync::atomic::Ordering::Relaxed);
            Ok::<_, std::io::Error>(part)
        }),
    );
    let started = std::time::Instant::now();
    let response = app
        .post("/api/v1/documents")
        .bearer_auth(&manager.access_token)
        .header("Content-Type", "multipart/form-data; boundary=b")
        .body(reqwest::Body::wrap_stream(body))
        .send()
        .await;
    let elapsed = started.elapsed();
    let grown = resident_bytes().saturating_sub(before);
    let sent = sent.load(std::sync::atomic::Ordering::Relaxed);
    println!(
        "200 MiB upload: answered after {elapsed:?}, {} MiB sent, resident memory grew {} KiB",
        sent / (1 << 20),
        grown / 1024
    );
    match response {
        Ok(response) => expect_problem(response, 413, "payload_too_large").await,
        // The server may close the connection while the client is still sending.
        Err(error) => panic!("no answer to the refused upload: {error}"),
    };
    assert!(sent < 200 * 1024 * 1024, "the whole upload was sent ({sent} bytes): the server read it all");
    assert!(grown < 32 * 1024 * 1024, "resident memory grew {grown} bytes");
    assert_eq!(stored(&app).await, (0, 0));
    let declared = app
        .post("/api/v1/documents")
        .bearer_auth(&manager.access_token)
        .header("Content-Type", "multipart/form-data; boundary=b")
        .header("Content-Length", (200u64 << 20).to_string())
        .body("--b\r\n")
        .send()
        .await
        .unwrap();
    expect_problem(declared, 413, "payload_too_large").await;
}

/// A client that stops half-way through its file leaves neither a row nor a file.
#[tokio::test(flavor = "multi_thread")]
async fn an_interrupted_upload_leaves_nothing() {
    use tokio::io::AsyncWriteExt;
    let app = spawn_app_with(&["--body-idle-timeout-secs", "1"]).await;
    let manager = app.logged_in(Role::Manager).await;
    let address = app.url("").trim_start_matches("http://").to_owned();
    let mut file = String::from("%PDF-1.7\n");
    file.push_str(&"y".repeat(9 * 1024 * 1024));
    let part = format!(
        "--b\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nCut off\r\n\
         --b\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\nother\r\n\
         --b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cut.pdf\"\r\n\r\n{file}"
    );
    let mut socket = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /api/v1/documents HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {}\r\n\r\n",
        manager.access_token,
        part.len() + 1_000_000
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    socket.write_all(part.as_bytes()).await.unwrap();
    drop(socket);
    // Past the part size, so the store had a multipart upload under way when the client left.
    let clean = eventually(Duration::from_secs(20), || async {
        (stored(&app).await == (0, 0) && files_under(&app.blob_dir).is_empty()).then_some(())
    })
    .await;
    assert!(clean.is_some(), "left behind: {:?}", files_under(&app.blob_dir));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_version_supersedes_the_latest() {
    let app = spawn_app().await;
    let analyst = app.logged_in(Role::Analyst).await;
    let client = ClientBuilder::new().granted_to(&[analyst.user.id]).insert(&app).await.client.id;
    let first =
        DocumentBuilder::new().client(client).fields(|f| f.tags = vec!["kept".into()]).insert(&app).await;
    let token = &analyst.access_token;
    let path = format!("/api/v1/documents/{}/versions", first.id);
    let send = |file: Vec<u8>| app.post(&path).bearer_auth(token).multipart(form(&[], "v2.pdf", file)).send();
    let (status, second) = json(send(pdf(7000)).await.unwrap()).await;
    assert_eq!(status, 201, "{second}");
    assert_eq!(
        (second["version_number"].as_i64(), second["previous_version_id"].as_str()),
        (Some(2), Some(first.id.to_string().as_str()))
    );
    assert_eq!(
        (second["chain_id"].as_str(), second["tags"].clone()),
        (Some(first.id.to_string().as_str()), json!(["kept"]))
    );
    // The old version is no longer the latest: it stays readable, and changes go to the latest.
    let (_, old) =
        json(app.get(&format!("/api/v1/documents/{}", first.id)).bearer_auth(token).send().await.unwrap())
            .await;
    assert_eq!(old["is_latest"], false);
    let edit = app
        .patch(&format!("/api/v1/documents/{}", first.id))
        .bearer_auth(token)
        .json(&json!({"title": "x"}))
        .send()
        .await
        .unwrap();
    expect_problem(edit, 409, "conflict").await;
    expect_problem(send(pdf(7000)).await.unwrap(), 409, "conflict").await;
    let (_, versions) = json(
        app.get(&format!("/api/v1/documents/{}/versions", first.id)).bearer_auth(token).send().await.unwrap(),
    )
    .await;
    let numbers: Vec<i64> =
        versions.as_array().unwrap().iter().map(|v| v["version_number"].as_i64().unwrap()).collect();
    assert_eq!(numbers, [2, 1]);
    let (_, listed) =
        json(app.get(&format!("/api/v1/documents?client={client}")).bearer_auth(token).send().await.unwrap())
            .await;
    assert_eq!(listed["pagination"]["total"], 1, "the latest only by default: {listed}");
    let (_, all) = json(
        app.get(&format!("/api/v1/documents?client={client}&latest=false"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(all["pagination"]["total"], 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn confidential_documents_exist_only_for_admins_and_managers() {
    let app = spawn_app().await;
    let analyst = app.logged_in(Role::Analyst).await;
    let viewer = app.logged_in(Role::Viewer).await;
    let manager = app.logged_in(Role::Manager).await;
    let client =
        ClientBuilder::new().granted_to(&[analyst.user.id, viewer.user.id]).insert(&app).await.client.id;
    let secret = DocumentBuilder::new().client(client).confidential().insert(&app).await;
    let missing = uuid::Uuid::now_v7();
    for token in [&analyst.access_token, &viewer.access_token] {
        for suffix in ["", "/versions", "/download"] {
            let hidden = app
                .get(&format!("/api/v1/documents/{}{suffix}", secret.id))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            let nothing = app
                .get(&format!("/api/v1/documents/{missing}{suffix}"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            let (mut hidden, mut nothing) = (json(hidden).await, json(nothing).await);
            for body in [&mut hidden.1, &mut nothing.1] {
                body.as_object_mut().unwrap().remove("request_id");
            }
            assert_eq!((hidden.0, &hidden.1), (404, &nothing.1), "{suffix}");
        }
        for query in ["", "?confidential=true", "?search=Service"] {
            let (_, listed) =
                json(app.get(&format!("/api/v1/documents{query}")).bearer_auth(token).send().await.unwrap())
                    .await;
            assert_eq!(listed["pagination"]["total"], 0, "{query}: {listed}");
        }
    }
    let (status, seen) = json(
        app.get(&format!("/api/v1/documents/{}", secret.id))
            .bearer_auth(&manager.access_token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, seen["confidential"].as_bool()), (200, Some(true)));
    let (_, listed) = json(
        app.get("/api/v1/documents?confidential=true")
            .bearer_auth(&manager.access_token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(listed["pagination"]["total"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_passed_expiry_date_reads_expired_at_once_and_the_job_stores_it() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;
    let today = time::OffsetDateTime::now_utc().date();
    let client = ClientBuilder::new().insert(&app).await.client.id;
    let soon = DocumentBuilder::new()
        .client(client)
        .fields(|f| f.expiry_date = Some(today + time::Duration::days(10)))
        .insert(&app)
        .await;
    let lapsed = DocumentBuilder::new()
        .client(client)
        .fields(|f| f.expiry_date = Some(today + time::Duration::days(40)))
        .insert(&app)
        .await;
    // The day passes (an expiry date cannot be set in the past through the API).
    sql(&app, &format!("UPDATE documents SET expiry_date = current_date - 1 WHERE id = '{}'", lapsed.id))
        .await;
    let (_, shown) =
        json(app.get(&format!("/api/v1/documents/{}", lapsed.id)).bearer_auth(token).send().await.unwrap())
            .await;
    assert_eq!(shown["status"], "expired");
    let ids = |listed: &Value| -> Vec<String> {
        listed["data"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap().to_owned()).collect()
    };
    let (_, expired) =
        json(app.get("/api/v1/documents?status=expired").bearer_auth(token).send().await.unwrap()).await;
    assert_eq!(ids(&expired), [lapsed.id.to_string()]);
    let (_, drafts) =
        json(app.get("/api/v1/documents?status=draft").bearer_auth(token).send().await.unwrap()).await;
    assert_eq!(ids(&drafts), [soon.id.to_string()]);
    let (_, expiring) =
        json(app.get("/api/v1/documents?expiring_within=30").bearer_auth(token).send().await.unwrap()).await;
    assert_eq!(ids(&expiring), [soon.id.to_string()]);
    let publish = app
        .post(&format!("/api/v1/documents/{}/publish", lapsed.id))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    expect_problem(publish, 409, "illegal_transition").await;
    assert_eq!(app.wiring.documents.expire_due().await.unwrap(), 1);
    let stored_status =
        format!("SELECT count(*) AS n FROM documents WHERE id = '{}' AND status = 'expired'", lapsed.id);
    assert_eq!(sql_count(&app, &stored_status).await, 1);
    let expiries = format!(
        "SELECT count(*) AS n FROM audit_logs WHERE action = 'document.expire' AND entity_id = '{}'",
        lapsed.id
    );
    assert_eq!(sql_count(&app, &expiries).await, 1);
    assert_eq!(app.wiring.documents.expire_due().await.unwrap(), 0, "a second run finds nothing");
    let (status, archived) = json(
        app.post(&format!("/api/v1/documents/{}/archive", lapsed.id))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, archived["status"].as_str()), (200, Some("archived")));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_list_filters_and_refuses_what_it_cannot_read() {
    let app = spawn_app().await;
    let admin = app.logged_in(Role::Admin).await;
    let token = &admin.access_token;
    let client = ClientBuilder::new().insert(&app).await.client.id;
    let other = ClientBuilder::new().insert(&app).await.client.id;
    let certificate = DocumentBuilder::new()
        .client(client)
        .fields(|f| {
            f.title = "ISO certificate".into();
            f.doc_type = axis_documents::DocumentType::Certification;
            f.tags = vec!["ISO".into()];
        })
        .insert(&app)
        .await;
    DocumentBuilder::new().client(other).insert(&app).await;
    let one = |query: &'static str| {
        let app = &app;
        async move {
            let (status, listed) =
                json(app.get(&format!("/api/v1/documents?{query}")).bearer_auth(token).send().await.unwrap())
                    .await;
            assert_eq!(status, 200, "{query}: {listed}");
            listed["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    let id = certificate.id.to_string();
    assert_eq!(one("type=certification").await, std::slice::from_ref(&id));
    assert_eq!(one("tag=iso").await, std::slice::from_ref(&id));
    assert_eq!(one("search=certif").await, std::slice::from_ref(&id));
    assert_eq!(one("ordering=title").await.len(), 2);
    let filtered =
        app.get(&format!("/api/v1/documents?client={client}")).bearer_auth(token).send().await.unwrap();
    assert_eq!(json(filtered).await.1["pagination"]["total"], 1);
    for bad in ["ordering=sha256", "expiring_within=99999", "status=lost", "unknown=1"] {
        let response = app.get(&format!("/api/v1/documents?{bad}")).bearer_auth(token).send().await.unwrap();
        assert!(matches!(response.status().as_u16(), 400 | 422), "{bad}: {}", response.status());
    }
}

/// A file left by an upload that stopped between storing it and recording it (a crash) is
/// removed by the sweep once it is an hour old; recorded files stay.
#[tokio::test(flavor = "multi_thread")]
async fn the_sweep_removes_files_no_document_names() {
    let app = spawn_app().await;
    let kept = DocumentBuilder::new().insert(&app).await;
    let orphan = app.blob_dir.join("documents/2026/01/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
    std::fs::create_dir_all(orphan.parent().unwrap()).unwrap();
    std::fs::write(&orphan, b"%PDF-1.7 left behind").unwrap();
    for file in files_under(&app.blob_dir) {
        let touched =
            std::process::Command::new("touch").args(["-d", "2 hours ago"]).arg(&file).status().unwrap();
        assert!(touched.success());
    }
    assert_eq!(app.wiring.documents.sweep_unrecorded_files().await.unwrap(), 1);
    let left: Vec<_> = files_under(&app.blob_dir);
    assert_eq!(left.len(), 1);
    assert!(left[0].ends_with(kept.file.key.as_str()), "{left:?}");
    let removed = "SELECT count(*) AS n FROM audit_logs WHERE action = 'document.unrecorded_files_removed'";
    assert_eq!(sql_count(&app, removed).await, 1);
}
