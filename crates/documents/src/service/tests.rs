//! The use cases with the repository, the store, the trail and the scope port mocked, on a
//! fixed clock.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axis_jobs::UnrecordedFiles;
use axis_kernel::access::MockClientAccess;
use axis_kernel::audit::MockAuditTrail;
use axis_kernel::blob::{MockBlobStore, MockBlobWrite};
use axis_kernel::{
    Actor, ClientId, DomainError, FileSink, FixedClock, RequestContext, Role, SessionId, UserId,
};
use futures_executor::block_on;
use time::OffsetDateTime;
use time::macros::{date, datetime};

use super::*;
use crate::ports::MockDocumentRepository;
use crate::{DocumentType, input::DocumentFields};

const NOW: OffsetDateTime = datetime!(2026-06-15 10:00 UTC);

fn actor(role: Role) -> Actor {
    Actor::user(UserId::new(), role, SessionId::new(), "someone@example.com", RequestContext::default())
}

fn fields(client: Option<ClientId>) -> DocumentFields {
    DocumentFields {
        title: "Service agreement".into(),
        description: None,
        doc_type: DocumentType::Contract,
        expiry_date: Some(date!(2027 - 06 - 30)),
        confidential: false,
        tags: vec!["legal".into()],
        client_id: client,
        contract_id: None,
    }
}

fn pdf() -> Bytes {
    let mut file = b"%PDF-1.7\n".to_vec();
    file.resize(6000, b'x');
    Bytes::from(file)
}

/// Files the fake store holds (finished writes), and keys it was asked to delete.
#[derive(Default)]
struct Files {
    stored: BTreeMap<String, Vec<u8>>,
    deleted: Vec<String>,
}

type Shared<T> = Arc<Mutex<T>>;

fn store(files: &Shared<Files>, older: Vec<BlobKey>) -> MockBlobStore {
    let mut store = MockBlobStore::new();
    let on_create = files.clone();
    store.expect_create().returning(move |key| {
        let (files, key) = (on_create.clone(), key.as_str().to_owned());
        let written = Arc::new(Mutex::new(Vec::new()));
        let mut writer = MockBlobWrite::new();
        let buffer = written.clone();
        writer.expect_write().returning(move |chunk| {
            buffer.lock().expect("buffer").extend_from_slice(&chunk);
            Ok(())
        });
        writer.expect_finish().returning(move || {
            let bytes = written.lock().expect("buffer").clone();
            files.lock().expect("files").stored.insert(key.clone(), bytes);
            Ok(())
        });
        writer.expect_abort().returning(|| ());
        Ok(Box::new(writer))
    });
    let on_delete = files.clone();
    store.expect_delete().returning(move |key| {
        let mut files = on_delete.lock().expect("files");
        files.stored.remove(key.as_str());
        files.deleted.push(key.as_str().to_owned());
        Ok(())
    });
    store.expect_list_older().returning(move |_, _| Ok(older.clone()));
    store
}

fn stored_document(client: Option<ClientId>) -> Document {
    let id = DocumentId::new();
    Document {
        id,
        chain_id: id,
        version_number: 2,
        previous_version_id: Some(DocumentId::new()),
        is_latest: true,
        title: "Certificate".into(),
        description: None,
        doc_type: DocumentType::Certification,
        status: DocumentStatus::Draft,
        expiry_date: Some(date!(2027 - 01 - 31)),
        confidential: false,
        tags: vec![],
        client_id: client,
        contract_id: None,
        file_name: "certificate.pdf".into(),
        file: StoredFile {
            key: BlobKey::generated(DOCUMENT_FILES, NOW),
            kind: FileKind::Pdf,
            size: 6000,
            sha256: "ab".repeat(32),
        },
        uploaded_by: None,
        created_at: NOW,
        updated_at: NOW,
        deleted_at: None,
        version: 3,
    }
}

/// The repository holding `document` (when given); what is inserted or saved is logged with
/// its audit action.
struct World {
    repo: MockDocumentRepository,
    visible: bool,
    trail_works: bool,
    files: Shared<Files>,
    older: Vec<BlobKey>,
    written: Shared<Vec<(Document, String)>>,
}

impl World {
    fn new(holding: Option<Document>) -> Self {
        let mut repo = MockDocumentRepository::new();
        repo.expect_get().returning(move |_| Ok(holding.clone()));
        let written: Shared<Vec<(Document, String)>> = Arc::default();
        let log = written.clone();
        repo.expect_insert().returning(move |document, audit| {
            log.lock().expect("log").push((document.clone(), audit.action.clone()));
            Ok(document.clone())
        });
        let log = written.clone();
        repo.expect_save().returning(move |document, expected, audit| {
            assert_eq!(expected, 3, "saved against the version read");
            log.lock().expect("log").push((document.clone(), audit.action.clone()));
            Ok(Some(Document { version: expected + 1, ..document.clone() }))
        });
        Self { repo, visible: true, trail_works: true, files: Arc::default(), older: vec![], written }
    }

    fn service(self) -> DocumentService {
        let mut access = MockClientAccess::new();
        let visible = self.visible;
        access.expect_is_visible().returning(move |_, _| Ok(visible));
        let mut trail = MockAuditTrail::new();
        let works = self.trail_works;
        trail.expect_record().returning(move |_| if works { Ok(()) } else { Err(DomainError::Unavailable) });
        DocumentService::new(
            Arc::new(self.repo),
            Arc::new(store(&self.files, self.older)),
            Arc::new(trail),
            Arc::new(access),
            Arc::new(FixedClock::at(NOW)),
            UploadLimits { max_bytes: 1 << 20 },
        )
    }
}

fn upload(
    service: &DocumentService,
    actor: &Actor,
    fields: DocumentFields,
    name: &str,
    file: Bytes,
) -> Result<Document, DomainError> {
    block_on(async {
        let mut upload = service.begin_upload(actor, fields, Some(name)).await?;
        upload.feed(file).await?;
        upload.finish().await
    })
}

fn field_error(result: Result<impl std::fmt::Debug, DomainError>, field: &str) {
    match result {
        Err(DomainError::Validation(errors)) => assert!(errors.fields().contains_key(field), "{errors:?}"),
        other => panic!("expected a field error on {field}, got {other:?}"),
    }
}

#[test]
fn an_upload_is_stored_then_recorded_as_a_first_draft() {
    let world = World::new(None);
    let (files, written) = (world.files.clone(), world.written.clone());
    let service = world.service();
    let client = ClientId::new();
    let document =
        upload(&service, &actor(Role::Analyst), fields(Some(client)), "../../Agreement.PDF", pdf())
            .expect("uploaded");
    assert_eq!((document.version_number, document.chain_id, document.is_latest), (1, document.id, true));
    assert_eq!((document.status, document.client_id), (DocumentStatus::Draft, Some(client)));
    assert_eq!(document.file_name, "Agreement.PDF");
    assert_eq!((document.file.kind, document.file.size), (FileKind::Pdf, 6000));
    assert!(document.file.key.as_str().starts_with("documents/2026/06/"));
    assert_eq!(files.lock().expect("files").stored[document.file.key.as_str()], pdf().to_vec());
    assert_eq!(written.lock().expect("log")[0].1, "document.create");
}

#[test]
fn who_may_upload_what() {
    let client = Some(ClientId::new());
    let service = World::new(None).service();
    let refused = |role, fields| upload(&service, &actor(role), fields, "a.pdf", pdf());
    assert!(matches!(refused(Role::Viewer, fields(client)), Err(DomainError::Forbidden)));
    // The organisation's own documents and confidential ones are a manager's call.
    assert!(matches!(refused(Role::Analyst, fields(None)), Err(DomainError::Forbidden)));
    let confidential = DocumentFields { confidential: true, ..fields(client) };
    assert!(matches!(refused(Role::Analyst, confidential.clone()), Err(DomainError::Forbidden)));
    assert!(refused(Role::Manager, confidential).is_ok());
    assert!(refused(Role::Manager, fields(None)).is_ok());
}

#[test]
fn a_client_out_of_scope_is_not_a_client() {
    let mut world = World::new(None);
    world.visible = false;
    let service = world.service();
    field_error(
        upload(&service, &actor(Role::Analyst), fields(Some(ClientId::new())), "a.pdf", pdf()),
        "client_id",
    );
}

#[test]
fn the_file_name_must_name_an_accepted_kind() {
    let service = World::new(None).service();
    let analyst = actor(Role::Analyst);
    for name in ["setup.exe", "page.html", "noextension", ".."] {
        field_error(upload(&service, &analyst, fields(Some(ClientId::new())), name, pdf()), "file");
    }
}

#[test]
fn content_that_is_not_its_kind_is_refused_and_nothing_recorded() {
    let mut world = World::new(None);
    world.repo.checkpoint();
    world.repo.expect_insert().never();
    let files = world.files.clone();
    let service = world.service();
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.resize(6000, 0);
    let refused = upload(&service, &actor(Role::Manager), fields(None), "report.pdf", Bytes::from(png));
    field_error(refused, "file");
    let mut program = b"MZ\x90\0".to_vec();
    program.resize(6000, 0);
    field_error(
        upload(&service, &actor(Role::Manager), fields(None), "report.pdf", Bytes::from(program)),
        "file",
    );
    assert!(files.lock().expect("files").stored.is_empty());
}

#[test]
fn a_file_whose_record_fails_is_removed_again() {
    let mut world = World::new(None);
    world.repo.checkpoint();
    world.repo.expect_insert().returning(|_, _| Err(DomainError::Unavailable));
    let files = world.files.clone();
    let service = world.service();
    let result = upload(&service, &actor(Role::Manager), fields(None), "a.pdf", pdf());
    assert!(matches!(result, Err(DomainError::Unavailable)));
    let files = files.lock().expect("files");
    assert!(files.stored.is_empty() && files.deleted.len() == 1);
}

#[test]
fn an_upload_over_the_limit_stops_at_the_limit() {
    let service = World::new(None).service();
    let result = block_on(async {
        let mut upload = service.begin_upload(&actor(Role::Manager), fields(None), Some("big.pdf")).await?;
        for _ in 0..1000 {
            upload.feed(pdf()).await?;
        }
        upload.finish().await
    });
    assert!(matches!(result, Err(DomainError::TooLarge { limit: 1_048_576 })), "{result:?}");
}

#[test]
fn confidential_and_deleted_documents_are_missing_to_those_who_may_not_see_them() {
    let confidential = Document { confidential: true, ..stored_document(Some(ClientId::new())) };
    let service = World::new(Some(confidential)).service();
    let id = DocumentId::new();
    assert!(matches!(block_on(service.get(&actor(Role::Analyst), id)), Err(DomainError::NotFound)));
    assert!(matches!(block_on(service.get(&actor(Role::Viewer), id)), Err(DomainError::NotFound)));
    assert!(block_on(service.get(&actor(Role::Manager), id)).is_ok());
    let deleted = Document { deleted_at: Some(NOW), ..stored_document(None) };
    let service = World::new(Some(deleted)).service();
    assert!(matches!(block_on(service.get(&actor(Role::Manager), id)), Err(DomainError::NotFound)));
    assert!(block_on(service.get(&actor(Role::Admin), id)).is_ok());
}

#[test]
fn out_of_scope_is_missing_and_the_organisations_documents_are_everyones_to_read() {
    let mut world = World::new(Some(stored_document(Some(ClientId::new()))));
    world.visible = false;
    let service = world.service();
    assert!(matches!(
        block_on(service.get(&actor(Role::Analyst), DocumentId::new())),
        Err(DomainError::NotFound)
    ));
    let service = World::new(Some(stored_document(None))).service();
    assert!(block_on(service.get(&actor(Role::Viewer), DocumentId::new())).is_ok());
    let edit = block_on(service.act(&actor(Role::Analyst), DocumentId::new(), DocumentAction::Publish, None));
    assert!(matches!(edit, Err(DomainError::Forbidden)));
}

#[test]
fn a_new_version_follows_the_latest_as_a_draft_with_its_metadata() {
    let previous = Document {
        status: DocumentStatus::Published,
        tags: vec!["signed".into()],
        expiry_date: Some(date!(2026 - 01 - 01)),
        ..stored_document(Some(ClientId::new()))
    };
    let mut world = World::new(Some(previous.clone()));
    let log = world.written.clone();
    let expected_previous = previous.clone();
    world.repo.expect_insert_version().returning(move |previous, expected, document, audit| {
        assert_eq!((previous, expected), (expected_previous.id, 3));
        log.lock().expect("log").push((document.clone(), audit.action.clone()));
        Ok(Some(document.clone()))
    });
    let service = world.service();
    let next = block_on(async {
        let mut upload = service.begin_version(&actor(Role::Analyst), previous.id, Some("v3.pdf")).await?;
        upload.feed(pdf()).await?;
        upload.finish().await
    })
    .expect("a new version");
    assert_eq!(
        (next.version_number, next.previous_version_id, next.chain_id),
        (3, Some(previous.id), previous.chain_id)
    );
    assert_eq!(
        (next.status, next.tags.clone(), next.title.clone()),
        (DocumentStatus::Draft, previous.tags, previous.title)
    );
    assert_eq!(next.expiry_date, None, "an expiry date that passed is not carried");
}

#[test]
fn a_version_raced_by_another_is_a_conflict_and_its_file_removed() {
    let mut world = World::new(Some(stored_document(None)));
    world.repo.expect_insert_version().returning(|_, _, _, _| Ok(None));
    let files = world.files.clone();
    let service = world.service();
    let result = block_on(async {
        let mut upload =
            service.begin_version(&actor(Role::Manager), DocumentId::new(), Some("b.pdf")).await?;
        upload.feed(pdf()).await?;
        upload.finish().await
    });
    assert!(matches!(result, Err(DomainError::Conflict { .. })), "{result:?}");
    assert!(files.lock().expect("files").stored.is_empty());
}

#[test]
fn only_the_latest_version_changes() {
    let old = Document { is_latest: false, ..stored_document(None) };
    let service = World::new(Some(old)).service();
    let manager = actor(Role::Manager);
    let publish = block_on(service.act(&manager, DocumentId::new(), DocumentAction::Publish, None));
    assert!(matches!(publish, Err(DomainError::Conflict { .. })));
    let version = block_on(service.begin_version(&manager, DocumentId::new(), Some("x.pdf")));
    assert!(matches!(version, Err(DomainError::Conflict { .. })));
}

#[test]
fn actions_read_the_status_today() {
    let manager = actor(Role::Manager);
    let service = World::new(Some(stored_document(None))).service();
    let published = block_on(service.act(&manager, DocumentId::new(), DocumentAction::Publish, None));
    assert_eq!(published.expect("published").status, DocumentStatus::Published);
    // Past its expiry date a draft is expired: it cannot be published, but it can be archived.
    let lapsed = Document { expiry_date: Some(date!(2026 - 06 - 14)), ..stored_document(None) };
    let service = World::new(Some(lapsed)).service();
    let publish = block_on(service.act(&manager, DocumentId::new(), DocumentAction::Publish, None));
    assert!(matches!(publish, Err(DomainError::IllegalTransition { .. })), "{publish:?}");
    let archived = block_on(service.act(&manager, DocumentId::new(), DocumentAction::Archive, None));
    assert_eq!(archived.expect("archived").status, DocumentStatus::Archived);
    let expire = block_on(service.act(&manager, DocumentId::new(), DocumentAction::Expire, None));
    assert!(matches!(expire, Err(DomainError::Forbidden)));
}

#[test]
fn an_edit_keeps_the_client_and_leaves_confidentiality_to_managers() {
    let client = ClientId::new();
    let service = World::new(Some(stored_document(Some(client)))).service();
    let analyst = actor(Role::Analyst);
    let id = DocumentId::new();
    let moved = block_on(service.update(
        &analyst,
        id,
        |f: &mut DocumentFields| f.client_id = Some(ClientId::new()),
        None,
    ));
    field_error(moved, "client_id");
    let hidden = block_on(service.update(&analyst, id, |f: &mut DocumentFields| f.confidential = true, None));
    assert!(matches!(hidden, Err(DomainError::Forbidden)));
    let past = block_on(service.update(
        &analyst,
        id,
        |f: &mut DocumentFields| f.expiry_date = Some(date!(2026 - 06 - 15)),
        None,
    ));
    field_error(past, "expiry_date");
    let stale =
        block_on(service.update(&analyst, id, |f: &mut DocumentFields| f.title = "New".into(), Some(2)));
    assert!(matches!(stale, Err(DomainError::VersionMismatch)));
    let renamed =
        block_on(service.update(&analyst, id, |f: &mut DocumentFields| f.title = "New".into(), Some(3)));
    assert_eq!(renamed.expect("renamed").title, "New");
}

#[test]
fn a_download_is_on_record_or_refused() {
    let service = World::new(Some(stored_document(None))).service();
    assert!(block_on(service.download(&actor(Role::Viewer), DocumentId::new())).is_ok());
    let mut world = World::new(Some(stored_document(None)));
    world.trail_works = false;
    let service = world.service();
    let refused = block_on(service.download(&actor(Role::Viewer), DocumentId::new()));
    assert!(matches!(refused, Err(DomainError::Unavailable)));
}

#[test]
fn the_daily_job_stores_passed_expiry_dates_as_expired() {
    let mut world = World::new(None);
    let lapsed = Document { expiry_date: Some(date!(2026 - 06 - 01)), ..stored_document(None) };
    world.repo.expect_expired_before().returning(move |today, _| {
        assert_eq!(today, date!(2026 - 06 - 15));
        Ok(vec![lapsed.clone()])
    });
    let written = world.written.clone();
    let service = world.service();
    assert_eq!(block_on(service.expire_due()).expect("ran"), 1);
    let written = written.lock().expect("log");
    assert_eq!((written[0].0.status, written[0].1.as_str()), (DocumentStatus::Expired, "document.expire"));
}

#[test]
fn the_sweep_removes_only_files_no_document_names() {
    let mut world = World::new(None);
    let (kept, orphan) = (BlobKey::generated(DOCUMENT_FILES, NOW), BlobKey::generated(DOCUMENT_FILES, NOW));
    world.older = vec![kept.clone(), orphan.clone()];
    let unrecorded = orphan.clone();
    world.repo.expect_unrecorded().returning(move |keys| {
        assert_eq!(keys.len(), 2);
        Ok(vec![unrecorded.clone()])
    });
    let files = world.files.clone();
    let service = world.service();
    assert_eq!(block_on(service.sweep_unrecorded_files()).expect("swept"), 1);
    assert_eq!(files.lock().expect("files").deleted, [orphan.as_str().to_owned()]);
}

#[test]
fn delete_and_restore_move_the_whole_chain() {
    let mut world = World::new(Some(stored_document(None)));
    world.repo.expect_set_deleted().returning(|_, at, audit| {
        assert_eq!(audit.action, if at.is_some() { "document.delete" } else { "document.restore" });
        Ok(true)
    });
    let service = world.service();
    assert!(matches!(
        block_on(service.delete(&actor(Role::Analyst), DocumentId::new())),
        Err(DomainError::Forbidden)
    ));
    assert!(block_on(service.delete(&actor(Role::Manager), DocumentId::new())).is_ok());
    let restore = block_on(service.restore(&actor(Role::Admin), DocumentId::new()));
    assert!(matches!(restore, Err(DomainError::Conflict { .. })), "not deleted");
}
