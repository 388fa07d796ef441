//! What an import can answer besides the use cases' common errors.

use axis_kernel::DomainError;

use crate::model::ImportId;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The file cannot be read at all (encoding, header); the import is recorded as failed.
    #[error("{message}")]
    UnreadableFile { import: ImportId, message: String },
    /// A real run with rejected rows changes nothing; the report lists them.
    #[error("{rejected} of {rows} rows are rejected; nothing was changed")]
    RejectedRows { import: ImportId, rejected: u64, rows: u64 },
    /// A full import would deactivate more than the allowed share of the client's staff.
    #[error(
        "the file would deactivate {deactivated} of {active} active staff (more than 20 %); \
         send force=true if it is complete"
    )]
    TooManyDeactivations { import: ImportId, deactivated: u64, active: u64 },
}

axis_kernel::wraps_domain_error!(ImportError);

impl ImportError {
    /// Whether the import was recorded as ended before this error was answered (failed,
    /// refused); any other error leaves it to the caller to end.
    pub fn has_ended_the_import(&self) -> bool {
        !matches!(self, ImportError::Domain(_))
    }
}
