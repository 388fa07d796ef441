//! Azure Advisor reports: an import's recommendations, analysed for one of five audiences
//! (`view::build`), rendered as HTML (`html`), PDF (`pdf`) and an XLSX action plan (`xlsx`),
//! with charts drawn as SVG (`charts`). Pure: data in, documents out.

pub mod charts;
pub mod html;
pub mod model;
pub mod pdf;
pub mod view;
pub mod xlsx;

pub use model::{
    Report, ReportFile, ReportFormat, ReportId, ReportOptions, ReportRow, ReportStatus, ReportType,
};
pub use view::{ReportInput, ReportView, build};

/// The three files of one report.
pub struct Rendered {
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

/// Renders `view` in every format.
pub fn render(view: &ReportView, brand: &html::Brand, logo: Option<&str>) -> Result<Rendered, RenderError> {
    let charts = charts::draw(view);
    Ok(Rendered {
        html: html::render(view, &charts, brand, logo, None)?,
        pdf: pdf::render(view, &brand.accent)?,
        xlsx: xlsx::render(view)?,
    })
}
