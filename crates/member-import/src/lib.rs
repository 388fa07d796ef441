//! The eligibility-file import: each employer's monthly list of staff and their dependents,
//! applied to the members it describes. This crate holds what needs no database: the documented
//! column set and its aliases ([`columns`]) and the
//! rules each row must pass on its own ([`row`]); the file is read by the kernel's CSV reader. Matching rows to stored members and applying
//! them are set-based statements in the adapter.

pub mod columns;
pub mod error;
pub mod jobs;
pub mod model;
pub mod ports;
pub mod row;
pub mod service;

pub use axis_kernel::csv::{CsvRows, FileError, RawRow};
pub use columns::{Column, Header, HeaderError};
pub use error::ImportError;
pub use jobs::ImportJob;
pub use model::{
    INLINE_ROWS, ImportId, ImportMode, ImportOptions, ImportStatus, ImportSummary, MAX_DEACTIVATED_SHARE,
    MemberImport, Refusal, ReportEntry, RowKind, RowOutcome,
};
pub use ports::{Checked, Ending, ImportStore, StagedRow};
pub use row::{DependentRow, ImportRow, StaffRow, parse_row};
pub use service::{
    IMPORT_JOB, ImportRequest, ImportService, Outcome, Progress, Upload, too_many_deactivations,
};

#[cfg(test)]
mod service_tests;
