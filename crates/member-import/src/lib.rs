//! The eligibility-file import: each employer's monthly list of staff and their dependents,
//! applied to the members it describes. This crate holds what needs no database: the documented
//! column set and its aliases ([`columns`]), reading the CSV as it arrives ([`reader`]), and the
//! rules each row must pass on its own ([`row`]). Matching rows to stored members and applying
//! them are set-based statements in the adapter.

pub mod columns;
pub mod reader;
pub mod row;

pub use columns::{Column, Header, HeaderError};
pub use reader::{CsvRows, FileError, RawRow};
pub use row::{DependentRow, ImportRow, RowKind, StaffRow, parse_row};
