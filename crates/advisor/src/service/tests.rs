//! The use cases with storage, the blob store and the scope port mocked, on a fixed clock.

use std::sync::{Arc, Mutex};

use axis_kernel::access::MockClientAccess;
use axis_kernel::blob::{BlobRead, MockBlobStore, MockBlobWrite};
use axis_kernel::{FileSink, FixedClock, RequestContext, Role, SessionId, UserId};
use futures_executor::block_on;
use time::OffsetDateTime;
use time::macros::{date, datetime};

use super::*;
use crate::catalogue::Catalogue;
use crate::import::{Finding, FindingId, FindingStatus};
use crate::ports::{MockAdvisorImports, MockCatalogueStore, MockFindings};
use crate::service::findings::apply;

const NOW: OffsetDateTime = datetime!(2026-06-15 10:00 UTC);
const SAMPLE: &[u8] = include_bytes!("../../tests/samples/advisor_sample.csv");

fn actor(role: Role) -> Actor {
    Actor::user(UserId::new(), role, SessionId::new(), "someone@example.com", RequestContext::default())
}

/// A store that keeps what is written in `written` and serves `content` for any read.
fn files(
    written: Arc<Mutex<Vec<u8>>>,
    deleted: Arc<Mutex<Vec<String>>>,
    content: &'static [u8],
) -> MockBlobStore {
    let mut store = MockBlobStore::new();
    store.expect_create().returning(move |_| {
        let buffer = written.clone();
        let mut writer = MockBlobWrite::new();
        writer.expect_write().returning(move |chunk| {
            buffer.lock().expect("buffer").extend_from_slice(&chunk);
            Ok(())
        });
        writer.expect_finish().returning(|| Ok(()));
        writer.expect_abort().returning(|| ());
        Ok(Box::new(writer))
    });
    store.expect_delete().returning(move |key| {
        deleted.lock().expect("deleted").push(key.as_str().to_owned());
        Ok(())
    });
    store.expect_read().returning(move |_, _| {
        let chunks: Vec<Result<Bytes, DomainError>> =
            content.chunks(100).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
        Ok(BlobRead {
            range: 0..content.len() as u64,
            size: content.len() as u64,
            body: Box::pin(futures_util::stream::iter(chunks)),
        })
    });
    store
}

fn access(visible: bool) -> MockClientAccess {
    let mut access = MockClientAccess::new();
    access.expect_is_visible().returning(move |_, _| Ok(visible));
    access
}

fn import(status: AdvisorImportStatus, kind: FileKind) -> AdvisorImport {
    AdvisorImport {
        id: AdvisorImportId::new(),
        client_id: ClientId::new(),
        status,
        format: None,
        file: ImportFile {
            key: BlobKey::generated(ADVISOR_FILES, NOW),
            name: "advisor.csv".into(),
            kind,
            size: SAMPLE.len() as u64,
            sha256: "ab".repeat(32),
        },
        category: None,
        advisor_score: None,
        counts: ImportCounts::default(),
        progress: 0,
        error: None,
        attempts: 0,
        created_by: Some(UserId::new()),
        created_at: NOW,
        started_at: None,
        finished_at: None,
        version: 1,
    }
}

/// What a fake records, shared with the test.
type Log<T> = Arc<Mutex<Vec<T>>>;

struct World {
    imports: MockAdvisorImports,
    findings: MockFindings,
    catalogue: MockCatalogueStore,
    files: MockBlobStore,
    visible: bool,
}

impl World {
    fn new(content: &'static [u8]) -> (World, Log<u8>, Log<String>) {
        let (written, deleted) = (Arc::default(), Arc::default());
        let mut catalogue = MockCatalogueStore::new();
        catalogue.expect_all().returning(|| Ok(Catalogue::default()));
        let world = World {
            imports: MockAdvisorImports::new(),
            findings: MockFindings::new(),
            catalogue,
            files: files(Arc::clone(&written), Arc::clone(&deleted), content),
            visible: true,
        };
        (world, written, deleted)
    }

    fn service(self) -> AdvisorService {
        AdvisorService::new(
            Arc::new(self.imports),
            Arc::new(axis_kernel::audit::MockAuditTrail::new()),
            Arc::new(self.findings),
            Arc::new(self.catalogue),
            Arc::new(self.files),
            Arc::new(access(self.visible)),
            Arc::new(FixedClock::at(NOW)),
            AdvisorSettings::default(),
        )
    }
}

fn upload(service: &AdvisorService, role: Role, name: &str) -> Result<AdvisorImport, DomainError> {
    block_on(async {
        let request = UploadRequest { file_name: Some(name.into()), ..UploadRequest::default() };
        let mut upload = service.begin_upload(&actor(role), ClientId::new(), request).await?;
        upload.feed(Bytes::from_static(SAMPLE)).await?;
        upload.finish().await
    })
}

#[test]
fn a_csv_upload_is_stored_then_recorded_with_its_job() {
    let (mut world, written, _) = World::new(SAMPLE);
    let recorded = Arc::new(Mutex::new(Vec::new()));
    let log = recorded.clone();
    world.imports.expect_create().returning(move |import, audit| {
        log.lock().expect("log").push((import.clone(), audit.clone()));
        Ok(())
    });
    let import = upload(&world.service(), Role::Analyst, "Advisor_2025-02-01.csv").unwrap();
    assert_eq!(import.status, AdvisorImportStatus::Uploaded);
    assert_eq!(import.file.size, SAMPLE.len() as u64);
    assert_eq!(*written.lock().unwrap(), SAMPLE);
    let recorded = recorded.lock().unwrap();
    let (_, audit) = &recorded[0];
    assert_eq!(audit.action, "advisor_import.create");
    assert_eq!(audit.jobs.len(), 1, "the job goes with the record");
    assert_eq!(audit.jobs[0].kind, PROCESS_JOB.name);
}

#[test]
fn uploads_are_for_analysts_within_scope_and_csv_only() {
    let (world, _, _) = World::new(SAMPLE);
    assert!(matches!(upload(&world.service(), Role::Viewer, "a.csv"), Err(DomainError::Forbidden)));
    let (mut world, _, _) = World::new(SAMPLE);
    world.visible = false;
    assert!(matches!(upload(&world.service(), Role::Admin, "a.csv"), Err(DomainError::NotFound)));
    let (world, _, _) = World::new(SAMPLE);
    let refused = upload(&world.service(), Role::Analyst, "advisor.xlsx");
    assert!(matches!(refused, Err(DomainError::Validation(errors)) if errors.fields().contains_key("file")));
}

#[test]
fn a_record_that_fails_removes_the_stored_file() {
    let (mut world, _, deleted) = World::new(SAMPLE);
    world.imports.expect_create().returning(|_, _| Err(DomainError::Unavailable));
    assert!(matches!(upload(&world.service(), Role::Manager, "a.csv"), Err(DomainError::Unavailable)));
    assert_eq!(deleted.lock().unwrap().len(), 1);
}

#[test]
fn json_that_is_not_a_recommendation_list_is_refused_before_anything_is_stored() {
    let (world, written, _) = World::new(SAMPLE);
    let service = world.service();
    let refused = block_on(service.upload_json(
        &actor(Role::Analyst),
        ClientId::new(),
        Bytes::from_static(b"{\"items\":[]}"),
        None,
    ));
    assert!(matches!(refused, Err(DomainError::Validation(errors)) if errors.fields().contains_key("value")));
    assert!(written.lock().unwrap().is_empty());
}

/// Runs the job over `stored` holding `content`; answers what it did and what `complete` got.
fn process(
    stored: AdvisorImport,
    content: &'static [u8],
) -> (Processed, Option<ImportResult>, Option<String>) {
    let (mut world, _, _) = World::new(content);
    let id = stored.id;
    world.imports.expect_get().returning(move |_| Ok(Some(stored.clone())));
    world.imports.expect_transition().returning(|_, _, _, _, _| Ok(true));
    world.imports.expect_set_progress().returning(|_, _| Ok(()));
    let completed = Arc::new(Mutex::new(None));
    let failed = Arc::new(Mutex::new(None));
    let (on_complete, on_fail) = (completed.clone(), failed.clone());
    world.imports.expect_complete().returning(move |_, result, _, audit| {
        assert_eq!(audit.action, "advisor_import.complete");
        *on_complete.lock().unwrap() = Some(result.clone());
        Ok(Completion::Completed)
    });
    world.imports.expect_fail().returning(move |_, error, _, _| {
        *on_fail.lock().unwrap() = Some(error.to_owned());
        Ok(())
    });
    let processed = block_on(world.service().process(id)).unwrap();
    let result = completed.lock().unwrap().clone();
    let error = failed.lock().unwrap().clone();
    (processed, result, error)
}

#[test]
fn the_job_reads_the_file_and_stores_the_whole_snapshot_at_once() {
    let (processed, result, error) = process(import(AdvisorImportStatus::Uploaded, FileKind::Csv), SAMPLE);
    let counts = ImportCounts { rows: 14, accepted: 14, duplicate: 0, rejected: 0, manual: 0 };
    assert_eq!(processed, Processed::Completed(counts));
    let result = result.unwrap();
    assert_eq!(result.recommendations.len(), 14);
    assert_eq!(result.analysis.recommendations, 14);
    assert_eq!(result.format, crate::ExportFormat::Portal17);
    assert_eq!(error, None);
}

#[test]
fn a_file_that_is_not_an_export_fails_the_import_with_why() {
    let (processed, result, error) =
        process(import(AdvisorImportStatus::Uploaded, FileKind::Csv), b"name,email\nx,y\n");
    assert!(matches!(processed, Processed::Failed(_)));
    assert!(result.is_none());
    assert!(error.unwrap().contains("Recommendation"));
    let header_only: &[u8] = b"Category,Business Impact,Recommendation\n";
    let (_, _, error) = process(import(AdvisorImportStatus::Uploaded, FileKind::Csv), header_only);
    assert_eq!(error.as_deref(), Some("the file has no data rows"));
}

#[test]
fn an_import_no_longer_waiting_is_left_alone() {
    for status in
        [AdvisorImportStatus::Cancelled, AdvisorImportStatus::Completed, AdvisorImportStatus::Failed]
    {
        let (processed, result, _) = process(import(status, FileKind::Csv), SAMPLE);
        assert_eq!(processed, Processed::Skipped(status));
        assert!(result.is_none());
    }
}

#[test]
fn cancel_and_reprocess_follow_the_status() {
    for (status, cancel_ok, reprocess_ok) in [
        (AdvisorImportStatus::Uploaded, true, false),
        (AdvisorImportStatus::Processing, true, false),
        (AdvisorImportStatus::Completed, false, true),
        (AdvisorImportStatus::Failed, false, true),
        (AdvisorImportStatus::Cancelled, false, true),
    ] {
        let stored = import(status, FileKind::Csv);
        let (mut world, _, _) = World::new(SAMPLE);
        world.imports.expect_get().returning(move |_| Ok(Some(stored.clone())));
        world.imports.expect_transition().returning(|_, _, _, _, _| Ok(true));
        let service = world.service();
        let analyst = actor(Role::Analyst);
        let cancelled = block_on(service.cancel(&analyst, AdvisorImportId::new()));
        let reprocessed = block_on(service.reprocess(&analyst, AdvisorImportId::new()));
        assert_eq!(cancelled.is_ok(), cancel_ok, "cancel from {status}");
        assert_eq!(reprocessed.is_ok(), reprocess_ok, "reprocess from {status}");
        if !cancel_ok {
            assert!(matches!(cancelled, Err(DomainError::IllegalTransition { .. })));
        }
        let viewer = block_on(service.cancel(&actor(Role::Viewer), AdvisorImportId::new()));
        assert!(matches!(viewer, Err(DomainError::Forbidden)));
    }
}

fn finding(status: FindingStatus) -> Finding {
    Finding {
        id: FindingId::new(),
        client_id: ClientId::new(),
        category: crate::Category::Security,
        impact: crate::Impact::High,
        recommendation: "Enable MFA".into(),
        resource_name: None,
        resource_type: None,
        subscription_id: None,
        annual_savings: None,
        currency: None,
        status,
        owner_id: None,
        owner_email: None,
        due_date: None,
        notes: None,
        dismissed_reason: None,
        last_import_id: AdvisorImportId::new(),
        resolved_at: None,
        created_at: NOW,
        updated_at: NOW,
        version: 1,
    }
}

#[test]
fn a_finding_is_dismissed_with_a_reason_and_never_resolved_by_hand() {
    let open = finding(FindingStatus::Open);
    let dismiss = FindingChange { status: Some(FindingStatus::Dismissed), ..FindingChange::default() };
    assert!(apply(&open, dismiss.clone()).is_err(), "a reason is needed");
    let with_reason = FindingChange { dismissed_reason: Some(Some("accepted risk".into())), ..dismiss };
    let dismissed = apply(&open, with_reason).unwrap();
    assert_eq!(dismissed.dismissed_reason.as_deref(), Some("accepted risk"));
    let taken_up = apply(
        &dismissed,
        FindingChange { status: Some(FindingStatus::InProgress), ..FindingChange::default() },
    )
    .unwrap();
    assert_eq!(taken_up.dismissed_reason, None, "the reason goes with the dismissal");
    let resolve = FindingChange { status: Some(FindingStatus::Resolved), ..FindingChange::default() };
    assert!(apply(&open, resolve.clone()).is_err());
    let gone = Finding { status: FindingStatus::Resolved, ..open.clone() };
    let reopen = FindingChange { status: Some(FindingStatus::Open), ..FindingChange::default() };
    assert!(apply(&gone, reopen).is_err(), "an export reopens a resolved finding, not a person");
    let noted = apply(&gone, FindingChange { notes: Some(Some("check the next export".into())), ..resolve });
    assert_eq!(noted.unwrap().status, FindingStatus::Resolved, "its notes can still change");
    let owned = apply(
        &open,
        FindingChange {
            owner_id: Some(Some(UserId::new())),
            due_date: Some(Some(date!(2026 - 07 - 01))),
            ..FindingChange::default()
        },
    )
    .unwrap();
    assert!(owned.owner_id.is_some());
    assert!(owned.is_overdue(date!(2026 - 07 - 02)));
    assert!(!owned.is_overdue(date!(2026 - 07 - 01)));
}

#[test]
fn a_manual_recommendation_already_in_the_import_is_a_conflict() {
    let stored = import(AdvisorImportStatus::Completed, FileKind::Csv);
    let (mut world, _, _) = World::new(SAMPLE);
    world.imports.expect_get().returning(move |_| Ok(Some(stored.clone())));
    let existing = crate::parse_csv(SAMPLE, None, crate::Limits::default()).unwrap().recommendations;
    let again = existing[0].clone();
    world.imports.expect_all_recommendations().returning(move |_| Ok(existing.clone()));
    let service = world.service();
    let added =
        block_on(service.add_manual(&actor(Role::Manager), AdvisorImportId::new(), vec![again.clone()]));
    assert!(matches!(added, Err(DomainError::Conflict { .. })));
    let analyst = block_on(service.add_manual(&actor(Role::Analyst), AdvisorImportId::new(), vec![again]));
    assert!(matches!(analyst, Err(DomainError::Forbidden)));
}
