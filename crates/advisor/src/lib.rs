//! Azure Advisor reviews, the data half: reading any real export (the portal's CSV in its
//! variants, the seed's synthetic format, the REST API's JSON) into canonical
//! recommendations, analysing a snapshot, comparing snapshots, and each finding's lifecycle.
//! Parsing and analysis are plain functions over data; storage and the job queue are ports.

pub mod analysis;
pub mod api;
pub mod catalogue;
pub mod columns;
pub mod diff;
pub mod import;
pub mod jobs;
pub mod manual;
pub mod model;
pub mod parse;
pub mod ports;
pub mod score;
pub mod service;
pub mod values;

pub use analysis::{Analysis, analyse};
pub use api::parse_json;
pub use catalogue::{Catalogue, CatalogueEntry, CatalogueEntryId};
pub use columns::{Field, HeaderError, Layout};
pub use diff::{Change, DiffItem, DiffSummary, SnapshotItem, compare};
pub use import::{
    AdvisorImport, AdvisorImportId, AdvisorImportStatus, Finding, FindingId, FindingStatus, ImportCounts,
    ImportFile, ImportResult, StoredRecommendation,
};
pub use manual::ManualFields;
pub use model::{
    Alternative, BillingIncrease, Category, ExportFormat, Impact, ProblemKind, Recommendation, RowProblem,
};
pub use parse::{CsvExport, Limits, ParseError, Parsed, parse_csv};
pub use ports::{AdvisorImports, CatalogueStore, Completion, FindingFilter, Findings, RecommendationFilter};
pub use score::{AdvisorScore, ScoreSource};
pub use service::{
    ADVISOR_FILES, AdvisorService, AdvisorSettings, DiffView, FindingChange, ImportUpload, PROCESS_JOB,
    Processed, TrendPoint, UploadRequest,
};
