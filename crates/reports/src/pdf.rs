//! The PDF report, typeset in-process by typst: the embedded template reads the report as
//! `data.json` (the values are data, never markup), with the fonts typst ships embedded in
//! the binary. No browser, no network, no file outside this world.

use std::sync::LazyLock;

use serde::Serialize;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use crate::html::Brand;
use crate::logo::Logo;
use crate::view::ReportView;

const TEMPLATE: &str = include_str!("templates/report.typ");

/// The fonts, parsed once per process.
struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts().flat_map(|data| Font::iter(Bytes::new(data))).collect();
    let book = FontBook::from_fonts(&fonts);
    Fonts { book: LazyHash::new(book), fonts }
});

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

fn file_id(path: &str) -> FileId {
    let path = VirtualPath::new(path).unwrap_or_else(|_| unreachable!("a fixed, valid path"));
    RootedPath::new(VirtualRoot::Project, path).intern()
}

/// One compilation: the template and the report's data.
struct ReportWorld {
    main: Source,
    /// `/data.json` and the logos, by their paths.
    files: Vec<(FileId, Bytes)>,
    today: Option<Datetime>,
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() { Ok(self.main.clone()) } else { Err(FileError::AccessDenied) }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        let found = self.files.iter().find(|(file, _)| *file == id);
        found.map(|(_, bytes)| bytes.clone()).ok_or(FileError::AccessDenied)
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        self.today
    }
}

#[derive(Serialize)]
struct Data<'a> {
    report: &'a ReportView,
    accent: &'a str,
    heading: &'a str,
    /// The paths of the logos to show (the client's, then the firm's).
    logos: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("the PDF could not be typeset: {0}")]
pub struct PdfError(String);

/// Typesets `view` as an A4 PDF in `brand`'s colours, with its logos.
pub fn render(view: &ReportView, brand: &Brand) -> Result<Vec<u8>, PdfError> {
    let logos: Vec<(String, &Logo)> = [("client", &brand.client_logo), ("firm", &brand.firm_logo)]
        .into_iter()
        .filter_map(|(whose, logo)| logo.as_ref().map(|l| (format!("/{whose}-logo.{}", l.extension()), l)))
        .collect();
    let data = Data {
        report: view,
        accent: &brand.accent,
        heading: &brand.heading,
        logos: logos.iter().map(|(path, _)| path.clone()).collect(),
    };
    let data = serde_json::to_vec(&data).map_err(|e| PdfError(e.to_string()))?;
    let mut files = vec![(file_id("/data.json"), Bytes::new(data))];
    files.extend(logos.iter().map(|(path, logo)| (file_id(path), Bytes::new(logo.bytes.clone()))));
    let world =
        ReportWorld { main: Source::new(file_id("/report.typ"), TEMPLATE.to_owned()), files, today: None };
    let document = typst::compile::<typst_layout::PagedDocument>(&world).output.map_err(|errors| {
        PdfError(errors.iter().map(|e| e.message.to_string()).collect::<Vec<_>>().join("; "))
    })?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default()).map_err(|errors| {
        PdfError(errors.iter().map(|e| e.message.to_string()).collect::<Vec<_>>().join("; "))
    })
}
