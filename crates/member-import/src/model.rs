//! An import as axis keeps it: what was asked (client, mode, dry run), how far it got, and its
//! report, one entry a row (and one for each member a full import deactivates).

use axis_kernel::{ClientId, FieldErrors, UserId, typed_id};
use time::{Date, OffsetDateTime};

typed_id!(
    /// One upload of an eligibility file.
    ImportId
);

axis_kernel::string_enum! {
    /// `merge` creates and updates the members the file lists; `full` also deactivates the
    /// client's active staff the file no longer lists.
    pub enum ImportMode { Merge => "merge", Full => "full" }
}

axis_kernel::string_enum! {
    /// Where an import stands.
    pub enum ImportStatus {
        /// The file is being read into the import's rows.
        Receiving => "receiving",
        /// Waiting for, or in, its job (a large file).
        Queued => "queued",
        /// Checked without writing: the report says what a real run would do.
        Previewed => "previewed",
        /// Applied: every change of the report is made.
        Applied => "applied",
        /// Not applied, nothing changed: rows were rejected, or too many staff would be
        /// deactivated (`refusal` says which).
        Refused => "refused",
        /// Could not finish (the file was unreadable, or an error); nothing changed.
        Failed => "failed",
    }
}

axis_kernel::string_enum! {
    /// What a row does (or, in a dry run, would do).
    pub enum RowOutcome {
        Created => "created",
        Updated => "updated",
        Unchanged => "unchanged",
        Rejected => "rejected",
        /// A full import's active staff member missing from the file, made `inactive`.
        Deactivated => "deactivated",
    }
}

axis_kernel::string_enum! {
    /// Whom a row describes.
    pub enum RowKind { Staff => "staff", Dependent => "dependent" }
}

axis_kernel::string_enum! {
    /// Why an import was refused as a whole.
    pub enum Refusal {
        /// Some rows are rejected; the report lists them. A real run is all or nothing.
        RejectedRows => "rejected_rows",
        /// A full import would deactivate more than the allowed share of the client's staff.
        TooManyDeactivations => "too_many_deactivations",
    }
}

/// How a real run applies, and how a dry run checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportOptions {
    pub mode: ImportMode,
    pub dry_run: bool,
    /// A full import may deactivate more than [`MAX_DEACTIVATED_SHARE`] of the staff.
    pub force: bool,
    /// The day the file describes: the end date of those a full import deactivates.
    pub effective_date: Date,
}

/// A full import refuses (unless forced) to deactivate more than this share of the client's
/// active staff: a truncated file must not deactivate everyone.
pub const MAX_DEACTIVATED_SHARE: f64 = 0.20;

/// Files of at most this many rows are checked (and applied) while the upload waits; larger
/// ones run as a job.
pub const INLINE_ROWS: u64 = 5_000;

/// Counts of a report (the API shows it as it is).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = StaffImportSummary))]
pub struct ImportSummary {
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
    pub deactivated: u64,
}

/// An import.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberImport {
    pub id: ImportId,
    pub client_id: ClientId,
    pub options: ImportOptions,
    pub status: ImportStatus,
    pub refusal: Option<Refusal>,
    /// Why a failed import failed (never person data).
    pub error: Option<String>,
    pub file_name: Option<String>,
    /// The documented names of the columns the file has.
    pub columns: Vec<String>,
    /// The header cells that named `columns`, as the file wrote them (same order).
    pub headers: Vec<String>,
    /// Header cells axis does not read.
    pub ignored_columns: Vec<String>,
    pub summary: ImportSummary,
    pub created_by: Option<UserId>,
    pub created_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
}

impl MemberImport {
    /// The name the file's header gave the column documented as `name` (`Hire Date` for
    /// `employment_start`); `name` itself for what the file did not name.
    pub fn header_of<'a>(&'a self, name: &'a str) -> &'a str {
        self.columns
            .iter()
            .position(|column| column == name)
            .and_then(|at| self.headers.get(at))
            .map_or(name, String::as_str)
    }

    /// `entry` naming columns as the file's header did.
    pub fn as_headed(&self, entry: ReportEntry) -> ReportEntry {
        let mut errors = FieldErrors::new();
        for (field, messages) in entry.errors.fields() {
            for message in messages {
                errors.add(self.header_of(field), message.clone());
            }
        }
        let changed = entry.changed.iter().map(|name| self.header_of(name).to_owned()).collect();
        ReportEntry { errors, changed, ..entry }
    }
}

/// One entry of a report. It names rows by line and members by id and employee number, never
/// by their person data, so the report can be read without a read record.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportEntry {
    /// The row's line in the file; `None` for a member a full import deactivates.
    pub line: Option<u64>,
    pub kind: RowKind,
    pub outcome: RowOutcome,
    pub employee_number: Option<String>,
    /// The member created, updated or deactivated (a dry run names the one it would update).
    pub member_id: Option<uuid::Uuid>,
    /// Fields an update changes, by their documented column names.
    pub changed: Vec<String>,
    /// Why the row is rejected, by column.
    pub errors: FieldErrors,
}
