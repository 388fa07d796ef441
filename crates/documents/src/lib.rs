//! Documents: files the organisation keeps about its clients and contracts (contracts,
//! certificates, reports), with a chain of versions, a publishing lifecycle, an expiry date
//! and confidentiality. The files live in the [`axis_kernel::BlobStore`]; rows hold what they
//! are.

pub mod input;
pub mod jobs;
pub mod model;
pub mod ports;
pub mod service;

pub use input::{DocumentDraft, DocumentFields};
pub use model::{
    ACCEPTED_KINDS, DOCUMENT_FILES, Document, DocumentAction, DocumentId, DocumentStatus, DocumentType,
    LIFECYCLE,
};
pub use ports::{DocumentListQuery, DocumentOrdering, DocumentReader, DocumentRepository};
pub use service::{DocumentService, DocumentUpload, Download, UploadLimits};
