//! The import use cases with the store mocked: what is staged, when the check runs, and how an
//! import ends.

use std::sync::{Arc, Mutex};

use axis_kernel::access::MockClientAccess;
use axis_kernel::{Actor, ClientId, DomainError, FixedClock, RequestContext, Role, SessionId, UserId};
use futures_executor::block_on;
use time::OffsetDateTime;
use time::macros::{date, datetime};

use crate::model::{ImportMode, ImportOptions, ImportStatus, ImportSummary, Refusal, RowKind};
use crate::ports::{Checked, Ending, MockImportStore, StagedRow};
use crate::service::{IMPORT_JOB, ImportRequest, ImportService, Outcome, too_many_deactivations};
use crate::{ImportError, ImportRow};

const NOW: OffsetDateTime = datetime!(2026-11-30 09:00 UTC);

fn actor(role: Role) -> Actor {
    Actor::user(UserId::new(), role, SessionId::new(), "hr@example.com", RequestContext::default())
}

/// What the store was given, in order.
#[derive(Default)]
struct Log {
    staged: Vec<StagedRow>,
    batches: usize,
    endings: Vec<(Ending, axis_kernel::AuditRecord)>,
    applied: usize,
    checked: usize,
}

/// A service whose store answers `checked` when asked to check.
fn service_checking(checked: Checked) -> (ImportService, Arc<Mutex<Log>>) {
    let log = Arc::new(Mutex::new(Log::default()));
    let mut store = MockImportStore::new();
    store.expect_create().returning(|_, _| Ok(()));
    store.expect_set_columns().returning(|_, _, _, _| Ok(()));
    let l = log.clone();
    store.expect_stage().returning(move |_, rows| {
        let mut log = l.lock().unwrap();
        log.staged.extend_from_slice(rows);
        log.batches += 1;
        Ok(())
    });
    let l = log.clone();
    store.expect_check().returning(move |_| {
        l.lock().unwrap().checked += 1;
        Ok(checked)
    });
    let l = log.clone();
    store.expect_finish().returning(move |_, ending, audit| {
        l.lock().unwrap().endings.push((ending.clone(), audit.clone()));
        Ok(())
    });
    let l = log.clone();
    store.expect_apply().returning(move |_, _, _, _, ending, audit| {
        let mut log = l.lock().unwrap();
        log.applied += 1;
        log.endings.push((ending.clone(), audit.clone()));
        Ok(())
    });
    let mut access = MockClientAccess::new();
    access.expect_is_visible().returning(|_, _| Ok(true));
    (ImportService::new(Arc::new(store), Arc::new(access), Arc::new(FixedClock::at(NOW))), log)
}

fn request(mode: ImportMode, dry_run: bool) -> ImportRequest {
    ImportRequest { mode, dry_run, force: false, effective_date: None, file_name: Some("staff.csv".into()) }
}

/// Sends `file` in chunks of 10 bytes.
fn upload(service: &ImportService, request: ImportRequest, file: &str) -> Result<Outcome, ImportError> {
    block_on(async {
        let mut upload = service.begin(&actor(Role::Manager), ClientId::new(), request).await?;
        for chunk in file.as_bytes().chunks(10) {
            upload.feed(chunk).await?;
        }
        upload.finish().await
    })
}

fn summary(rows: u64, rejected: u64, deactivated: u64) -> ImportSummary {
    ImportSummary { rows, created: rows - rejected, rejected, deactivated, ..ImportSummary::default() }
}

const FILE: &str = "employee_number,name,email,start_date,relation,dob\n\
                    E-1,Amina Nakato,amina@x.ug,2024-01-15,,1990-01-01\n\
                    E-1,Baby Nakato,,,child,2019-05-01\n\
                    E-2,Okello John,not-an-email,2023-03-01,,\n";

#[test]
fn each_row_is_checked_on_its_own_and_staged_with_its_line() {
    let (service, log) = service_checking(Checked { summary: summary(3, 1, 0), active_staff: 0 });
    let outcome = upload(&service, request(ImportMode::Merge, true), FILE).unwrap();
    let log = log.lock().unwrap();
    assert_eq!(log.batches, 1, "three rows make one batch");
    let [first, second, third] = &log.staged[..] else { panic!("three rows staged") };
    assert!(
        matches!(first, StagedRow::Checked(row) if matches!(**row, ImportRow::Staff(ref s) if s.line == 2))
    );
    assert!(
        matches!(second, StagedRow::Checked(row) if matches!(**row, ImportRow::Dependent(ref d) if d.line == 3))
    );
    let StagedRow::Rejected { line, kind, employee_number, errors } = third else {
        panic!("the third is rejected")
    };
    assert_eq!((*line, *kind, employee_number.as_deref()), (4, RowKind::Staff, Some("E-2")));
    assert!(errors.fields().contains_key("email"));
    assert_eq!(outcome.import().status, ImportStatus::Previewed);
    assert_eq!(
        outcome.import().columns,
        ["employee_number", "relation", "full_name", "date_of_birth", "email", "employment_start"]
    );
}

#[test]
fn a_dry_run_previews_and_writes_no_member() {
    let (service, log) = service_checking(Checked { summary: summary(3, 1, 0), active_staff: 5 });
    let Outcome::Done(import) = upload(&service, request(ImportMode::Full, true), FILE).unwrap() else {
        panic!("a small file is done at once")
    };
    assert_eq!((import.status, import.summary.rejected), (ImportStatus::Previewed, 1));
    let log = log.lock().unwrap();
    assert_eq!(log.applied, 0);
    assert_eq!(log.endings[0].0.status, ImportStatus::Previewed);
    assert_eq!(log.endings[0].1.action, "member_import.previewed");
}

#[test]
fn a_real_run_with_rejected_rows_changes_nothing() {
    let (service, log) = service_checking(Checked { summary: summary(3, 1, 0), active_staff: 5 });
    let error = upload(&service, request(ImportMode::Merge, false), FILE).unwrap_err();
    assert!(matches!(error, ImportError::RejectedRows { rejected: 1, rows: 3, .. }), "{error:?}");
    let log = log.lock().unwrap();
    assert_eq!(log.applied, 0);
    assert_eq!(
        (log.endings[0].0.status, log.endings[0].0.refusal),
        (ImportStatus::Refused, Some(Refusal::RejectedRows))
    );
}

#[test]
fn a_clean_real_run_is_applied_with_its_audit_record() {
    let (service, log) = service_checking(Checked { summary: summary(2, 0, 0), active_staff: 0 });
    let file = "employee_number,name,start_date\nE-1,Amina,2024-01-15\nE-2,Okello,2023-03-01\n";
    let Outcome::Done(import) = upload(&service, request(ImportMode::Merge, false), file).unwrap() else {
        panic!("done at once")
    };
    assert_eq!(import.status, ImportStatus::Applied);
    let log = log.lock().unwrap();
    assert_eq!(log.applied, 1);
    assert_eq!(log.endings[0].1.action, "member_import.applied");
}

#[test]
fn a_full_import_that_would_deactivate_too_many_is_refused_unless_forced() {
    let file = "employee_number,name,start_date\nE-1,Amina,2024-01-15\n";
    let (service, log) = service_checking(Checked { summary: summary(1, 0, 3), active_staff: 10 });
    let error = upload(&service, request(ImportMode::Full, false), file).unwrap_err();
    assert!(
        matches!(error, ImportError::TooManyDeactivations { deactivated: 3, active: 10, .. }),
        "{error:?}"
    );
    assert_eq!(log.lock().unwrap().applied, 0);

    let (service, log) = service_checking(Checked { summary: summary(1, 0, 3), active_staff: 10 });
    let forced = ImportRequest { force: true, ..request(ImportMode::Full, false) };
    assert_eq!(upload(&service, forced, file).unwrap().import().status, ImportStatus::Applied);
    assert_eq!(log.lock().unwrap().applied, 1);
}

#[test]
fn the_deactivation_limit_is_a_fifth_of_the_active_staff() {
    let options =
        |mode, force| ImportOptions { mode, dry_run: false, force, effective_date: date!(2026 - 11 - 30) };
    let full = options(ImportMode::Full, false);
    for (deactivated, active, refused) in
        [(0, 0, false), (2, 10, false), (3, 10, true), (20, 100, false), (21, 100, true), (1, 0, true)]
    {
        assert_eq!(too_many_deactivations(&full, deactivated, active), refused, "{deactivated} of {active}");
    }
    assert!(!too_many_deactivations(&options(ImportMode::Full, true), 10, 10), "forced");
    assert!(!too_many_deactivations(&options(ImportMode::Merge, false), 10, 10), "merge deactivates nobody");
}

#[test]
fn a_large_file_is_queued_for_its_job() {
    let mut file = String::from("employee_number,name,start_date\n");
    for n in 0..5_001 {
        file.push_str(&format!("E-{n},Member {n},2024-01-15\n"));
    }
    let (service, log) = service_checking(Checked::default());
    let Outcome::Queued(import) = upload(&service, request(ImportMode::Merge, false), &file).unwrap() else {
        panic!("more than 5,000 rows run as a job")
    };
    assert_eq!((import.status, import.summary.rows), (ImportStatus::Queued, 5_001));
    let log = log.lock().unwrap();
    assert_eq!(log.checked, 0, "the job checks it");
    assert_eq!(log.batches, 6, "staged in batches of 1,000");
    let (ending, audit) = &log.endings[0];
    assert_eq!(ending.status, ImportStatus::Queued);
    assert_eq!(audit.jobs.len(), 1);
    assert_eq!(audit.jobs[0].kind, IMPORT_JOB.name);
    assert_eq!(audit.jobs[0].args["import_id"], serde_json::json!(import.id.0));
}

#[test]
fn an_unreadable_file_fails_the_import() {
    for (file, message) in [
        ("name,start_date\nAmina,2024-01-01\n", "the file needs the column employee_number or email"),
        ("", "the file is empty"),
        ("employee_number,name,start_date\nE-1,Jos\u{e9},2024-01-01\n", ""),
    ] {
        let (service, log) = service_checking(Checked::default());
        let bytes_ok = !message.is_empty();
        let result = if bytes_ok {
            upload(&service, request(ImportMode::Merge, false), file)
        } else {
            // The same file saved as Latin-1.
            let latin1: Vec<u8> = file.chars().map(|c| c as u32 as u8).collect();
            block_on(async {
                let mut upload = service
                    .begin(&actor(Role::Admin), ClientId::new(), request(ImportMode::Merge, false))
                    .await?;
                upload.feed(&latin1).await?;
                upload.finish().await
            })
        };
        let Err(ImportError::UnreadableFile { message: said, .. }) = result else {
            panic!("{file:?} is unreadable")
        };
        if bytes_ok {
            assert_eq!(said, message);
        } else {
            assert!(said.contains("line 2 is not UTF-8"), "{said}");
        }
        let log = log.lock().unwrap();
        assert_eq!(log.endings[0].0.status, ImportStatus::Failed);
        assert_eq!(log.checked, 0);
    }
}

#[test]
fn only_admins_and_managers_import() {
    let (service, _) = service_checking(Checked::default());
    for role in [Role::Analyst, Role::Viewer] {
        let result = block_on(service.begin(&actor(role), ClientId::new(), request(ImportMode::Merge, true)));
        assert!(matches!(result, Err(ImportError::Domain(DomainError::Forbidden))), "{role:?}");
    }
}

#[test]
fn an_import_that_stops_on_an_error_ends_failed_never_receiving() {
    // Staging fails (the database went away) while the file arrives, or the check fails at its
    // end: either way the import is recorded failed and the caller gets the error.
    for failing in ["stage", "check"] {
        let ended = Arc::new(Mutex::new(Vec::<Ending>::new()));
        let mut store = MockImportStore::new();
        store.expect_create().returning(|_, _| Ok(()));
        store.expect_set_columns().returning(|_, _, _, _| Ok(()));
        store
            .expect_stage()
            .returning(move |_, _| if failing == "stage" { Err(DomainError::Unavailable) } else { Ok(()) });
        store.expect_check().returning(|_| Err(DomainError::Unavailable));
        let e = ended.clone();
        store.expect_finish().returning(move |_, ending, _| {
            e.lock().unwrap().push(ending.clone());
            Ok(())
        });
        let mut access = MockClientAccess::new();
        access.expect_is_visible().returning(|_, _| Ok(true));
        let service = ImportService::new(Arc::new(store), Arc::new(access), Arc::new(FixedClock::at(NOW)));
        let mut file = String::from("employee_number,name,start_date\n");
        // Enough rows for a batch to be staged while the file arrives.
        for n in 0..1_200 {
            file.push_str(&format!("E-{n},Person {n},2024-01-15\n"));
        }
        let result = upload(&service, request(ImportMode::Merge, true), &file);
        assert!(
            matches!(result, Err(ImportError::Domain(DomainError::Unavailable))),
            "{failing}: {result:?}"
        );
        let ended = ended.lock().unwrap();
        assert_eq!(ended.len(), 1, "{failing}: ended once");
        assert_eq!(ended[0].status, ImportStatus::Failed, "{failing}");
    }
}
