//! Azure Advisor reports: an import's recommendations, analysed for one of five audiences
//! (`view::build`), rendered as HTML (`html`), PDF (`pdf`) and an XLSX action plan (`xlsx`),
//! with charts drawn as SVG (`charts`). Pure: data in, documents out.

pub mod analytics;
pub mod charts;
pub mod html;
pub mod jobs;
pub mod logo;
pub mod model;
pub mod pdf;
pub mod ports;
pub mod sample;
pub mod service;
pub mod share;
pub mod template;
pub mod view;
pub mod xlsx;

pub use model::{
    Report, ReportFile, ReportFormat, ReportId, ReportOptions, ReportRow, ReportStatus, ReportType,
};
pub use ports::{ReportStore, ShareStore};
pub use service::Rendered;
pub use service::{RENDER_JOB, REPORT_FILES, ReportRequest, ReportService, ReportSettings};
pub use share::{Share, ShareAccess, ShareFields, ShareId, SharePermission, ShareToken};
pub use view::{ReportInput, ReportView, build};

/// The three files of one report.
pub struct RenderedFiles {
    pub html: String,
    pub pdf: Vec<u8>,
    pub xlsx: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    Template(#[from] html::TemplateError),
    #[error(transparent)]
    Pdf(#[from] pdf::PdfError),
    #[error("the action plan could not be written: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

/// Renders `view` in every format, in `brand`'s look; the HTML with `template` (a report
/// template's own) or the default.
pub fn render(
    view: &ReportView,
    brand: &html::Brand,
    template: Option<&str>,
) -> Result<RenderedFiles, RenderError> {
    let charts = charts::draw(view);
    Ok(RenderedFiles {
        html: html::render(view, &charts, brand, template)?,
        pdf: pdf::render(view, brand)?,
        xlsx: xlsx::render(view)?,
    })
}
