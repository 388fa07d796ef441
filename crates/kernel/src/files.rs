//! The kinds of file axis accepts, told by their content as well as their name: a `.pdf` that
//! is really a PNG, or a program, is refused whatever its name says. Every upload (documents,
//! Advisor exports, logos) names its allowlist as a list of these kinds and checks a file the
//! same way: [`Content::of`] on its first bytes, [`FileKind::accepts`], and for the zip-based
//! Office formats [`check_office_zip`] on its last bytes, which never unpacks anything.

use crate::input::is_invisible;

crate::string_enum! {
    /// A kind of file, named by its usual extension.
    pub enum FileKind {
        Pdf => "pdf",
        Png => "png",
        Jpeg => "jpeg",
        /// Word 97–2003 (an OLE compound file).
        Doc => "doc",
        /// Excel 97–2003 (an OLE compound file).
        Xls => "xls",
        /// Word (Office Open XML: a zip).
        Docx => "docx",
        /// Excel (Office Open XML: a zip).
        Xlsx => "xlsx",
        /// Comma- or semicolon-separated text.
        Csv => "csv",
        /// JSON text (an Azure Advisor REST export).
        Json => "json",
    }
}

impl FileKind {
    /// The kind a file name's extension says (case-insensitive), if it is one axis knows.
    pub fn from_file_name(name: &str) -> Option<FileKind> {
        let (_, extension) = name.rsplit_once('.')?;
        match extension.to_ascii_lowercase().as_str() {
            "pdf" => Some(FileKind::Pdf),
            "png" => Some(FileKind::Png),
            "jpg" | "jpeg" => Some(FileKind::Jpeg),
            "doc" => Some(FileKind::Doc),
            "xls" => Some(FileKind::Xls),
            "docx" => Some(FileKind::Docx),
            "xlsx" => Some(FileKind::Xlsx),
            "csv" => Some(FileKind::Csv),
            "json" => Some(FileKind::Json),
            _ => None,
        }
    }

    /// The media type axis serves the file as (never the one the uploader claimed).
    pub fn media_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Png => "image/png",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Doc => "application/msword",
            FileKind::Xls => "application/vnd.ms-excel",
            FileKind::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileKind::Csv => "text/csv",
            FileKind::Json => "application/json",
        }
    }

    /// For messages: "a PDF document".
    pub fn describe(self) -> &'static str {
        match self {
            FileKind::Pdf => "a PDF document",
            FileKind::Png => "a PNG image",
            FileKind::Jpeg => "a JPEG image",
            FileKind::Doc => "a Word 97–2003 document",
            FileKind::Xls => "an Excel 97–2003 workbook",
            FileKind::Docx => "a Word document",
            FileKind::Xlsx => "an Excel workbook",
            FileKind::Csv => "a CSV file",
            FileKind::Json => "a JSON document",
        }
    }

    /// Whether a file whose first bytes are `content` can be of this kind. Zip-based kinds are
    /// checked again at the end ([`check_office_zip`]).
    pub fn accepts(self, content: Content) -> bool {
        match self {
            FileKind::Pdf => content == Content::Pdf,
            FileKind::Png => content == Content::Png,
            FileKind::Jpeg => content == Content::Jpeg,
            FileKind::Doc | FileKind::Xls => content == Content::OleCompound,
            FileKind::Docx | FileKind::Xlsx => content == Content::Zip,
            FileKind::Csv | FileKind::Json => content == Content::Text,
        }
    }

    /// The part of an Office Open XML package that makes it this kind.
    fn office_main_part(self) -> Option<&'static str> {
        match self {
            FileKind::Docx => Some("word/document.xml"),
            FileKind::Xlsx => Some("xl/workbook.xml"),
            _ => None,
        }
    }
}

/// How many first bytes [`Content::of`] looks at (fewer when the file is shorter).
pub const SNIFF_BYTES: usize = 4096;

/// What a file's first bytes show it to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    Pdf,
    Png,
    Jpeg,
    /// An OLE compound file (Word and Excel 97–2003, but also other programs' files).
    OleCompound,
    /// A zip archive (Office Open XML, but also any other zip).
    Zip,
    /// Text with no control bytes that does not start like markup: what a CSV is.
    Text,
    /// Anything else: a program, markup, an archive of another kind, binary data.
    Other,
}

impl Content {
    /// Reads `head`, the first [`SNIFF_BYTES`] bytes of a file (all of it when shorter).
    pub fn of(head: &[u8]) -> Content {
        const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
        const OLE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
        if head.starts_with(b"%PDF-") {
            Content::Pdf
        } else if head.starts_with(PNG) {
            Content::Png
        } else if head.starts_with(b"\xFF\xD8\xFF") {
            Content::Jpeg
        } else if head.starts_with(OLE) {
            Content::OleCompound
        } else if head.starts_with(b"PK\x03\x04") {
            Content::Zip
        } else if is_plain_text(head) {
            Content::Text
        } else {
            Content::Other
        }
    }

    /// For messages: "a PNG image".
    pub fn describe(self) -> &'static str {
        match self {
            Content::Pdf => "a PDF document",
            Content::Png => "a PNG image",
            Content::Jpeg => "a JPEG image",
            Content::OleCompound => "an OLE compound file",
            Content::Zip => "a zip archive",
            Content::Text => "text",
            Content::Other => "neither a document, an image nor text",
        }
    }
}

/// UTF-8 (a sequence cut at the end of `head` allowed) or a single-byte Windows code page,
/// with no control bytes but tab, line breaks and form feed, whose first visible character
/// is not `<` (HTML, SVG and XML are not CSV, and a browser might run them).
fn is_plain_text(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let controls = head.iter().any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C) || b == 0x7F);
    let starts_like_markup = head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<');
    !head.is_empty() && !controls && !starts_like_markup
}

/// The most bytes of a file's end that are kept to check a zip-based file at its end: the
/// central directory of a 10 MiB Office file is far smaller.
pub const ZIP_TAIL_BYTES: usize = 256 * 1024;
/// More entries than this is not an Office file one uploads.
const MAX_ZIP_ENTRIES: usize = 10_000;
/// Unpacked, the parts may not add up to more than this (a zip bomb would).
const MAX_ZIP_UNPACKED: u64 = 256 * 1024 * 1024;

/// Checks that a zip of `size` bytes ending in `tail` is an Office Open XML file of `kind`:
/// its central directory (read from `tail`, nothing unpacked) lists `[Content_Types].xml` and
/// the kind's main part, at most 10,000 entries, and at most 256 MiB once unpacked. The error
/// says what is wrong, for the uploader.
pub fn check_office_zip(kind: FileKind, tail: &[u8], size: u64) -> Result<(), String> {
    let main_part = kind.office_main_part().ok_or("is not a zip-based kind")?;
    let malformed = || format!("is not {}: its zip directory is malformed", kind.describe());
    // The end-of-central-directory record: 22 bytes, then a comment of up to 64 KiB.
    let end = (0..=tail.len().saturating_sub(22))
        .rev()
        .take(22 + 65_535)
        .find(|&at| tail[at..].starts_with(b"PK\x05\x06"))
        .ok_or_else(malformed)?;
    let u16_at = |at: usize| -> Option<u64> {
        tail.get(at..at + 2).map(|b| u64::from(u16::from_le_bytes([b[0], b[1]])))
    };
    let u32_at = |at: usize| -> Option<u64> {
        tail.get(at..at + 4).map(|b| u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
    };
    let entries = u16_at(end + 10).ok_or_else(malformed)?;
    let directory_size = u32_at(end + 12).ok_or_else(malformed)?;
    let directory_offset = u32_at(end + 16).ok_or_else(malformed)?;
    if entries == 0xFFFF || directory_offset == 0xFFFF_FFFF {
        return Err(format!("is not {}: a zip64 archive", kind.describe()));
    }
    if entries as usize > MAX_ZIP_ENTRIES {
        return Err(format!("has {entries} zip entries; at most {MAX_ZIP_ENTRIES} are accepted"));
    }
    // Where the directory starts inside `tail` (the tail's first byte is byte `size - len`).
    let tail_start = size.checked_sub(tail.len() as u64).ok_or_else(malformed)?;
    let directory_start = directory_offset
        .checked_sub(tail_start)
        .ok_or_else(|| format!("is not {}: its zip directory is too large to check", kind.describe()))?;
    let mut at = usize::try_from(directory_start).map_err(|_| malformed())?;
    if directory_start + directory_size > end as u64 {
        return Err(malformed());
    }
    let (mut unpacked, mut has_types, mut has_main) = (0u64, false, false);
    for _ in 0..entries {
        if !tail.get(at..).is_some_and(|rest| rest.starts_with(b"PK\x01\x02")) {
            return Err(malformed());
        }
        let entry_unpacked = u32_at(at + 24).ok_or_else(malformed)?;
        let name_len = u16_at(at + 28).ok_or_else(malformed)? as usize;
        let extra_len = u16_at(at + 30).ok_or_else(malformed)? as usize;
        let comment_len = u16_at(at + 32).ok_or_else(malformed)? as usize;
        let name = tail.get(at + 46..at + 46 + name_len).ok_or_else(malformed)?;
        has_types |= name == b"[Content_Types].xml";
        has_main |= name == main_part.as_bytes();
        unpacked = unpacked.saturating_add(entry_unpacked);
        at += 46 + name_len + extra_len + comment_len;
    }
    if unpacked > MAX_ZIP_UNPACKED {
        return Err(format!("would unpack to {unpacked} bytes; at most {MAX_ZIP_UNPACKED} are accepted"));
    }
    if !(has_types && has_main) {
        return Err(format!("is a zip archive, not {}", kind.describe()));
    }
    Ok(())
}

/// The longest file name kept (in characters).
const MAX_FILE_NAME: usize = 255;

/// The name an uploaded file is shown under: its last path segment (`/` or `\`), without
/// control or invisible characters, trimmed, at most 255 characters (the extension kept).
/// `None` when nothing is left, or only dots. Only ever metadata: files are stored under
/// generated keys.
pub fn shown_file_name(raw: &str) -> Option<String> {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let cleaned: String = last.chars().filter(|c| !c.is_control() && !is_invisible(*c)).collect();
    let cleaned = cleaned.trim();
    if cleaned.chars().all(|c| c == '.') {
        return None;
    }
    if cleaned.chars().count() <= MAX_FILE_NAME {
        return Some(cleaned.to_owned());
    }
    let extension = cleaned.rsplit_once('.').map(|(_, ext)| ext).filter(|ext| ext.chars().count() <= 10);
    let keep = MAX_FILE_NAME - extension.map_or(0, |ext| ext.chars().count() + 1);
    let stem: String = cleaned.chars().take(keep).collect();
    Some(match extension {
        Some(extension) => format!("{stem}.{extension}"),
        None => stem,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn content_is_told_by_its_first_bytes() {
        let cases: [(&[u8], Content); 12] = [
            (b"%PDF-1.7\n%\xE2\xE3", Content::Pdf),
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", Content::Png),
            (b"\xFF\xD8\xFF\xE0\0\x10JFIF", Content::Jpeg),
            (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0", Content::OleCompound),
            (b"PK\x03\x04\x14\0\x06\0", Content::Zip),
            (b"Employee Number;Name\r\nE1;Ann\r\n", Content::Text),
            (b"\xEF\xBB\xBFName,Caf\xC3\xA9\n", Content::Text),
            (b"Name,Caf\xE9\n", Content::Text),
            (b"MZ\x90\0\x03\0\0\0", Content::Other),
            (b"\x7FELF\x02\x01\x01", Content::Other),
            (b"  <html><script>alert(1)</script>", Content::Other),
            (b"<svg xmlns='http://www.w3.org/2000/svg'/>", Content::Other),
        ];
        for (head, expected) in cases {
            assert_eq!(Content::of(head), expected, "{head:?}");
        }
        assert_eq!(Content::of(b""), Content::Other);
    }

    #[test]
    fn a_kind_accepts_only_its_own_content() {
        assert!(FileKind::Pdf.accepts(Content::Pdf));
        assert!(!FileKind::Pdf.accepts(Content::Png));
        assert!(!FileKind::Pdf.accepts(Content::Other));
        assert!(FileKind::Doc.accepts(Content::OleCompound) && FileKind::Xls.accepts(Content::OleCompound));
        assert!(FileKind::Xlsx.accepts(Content::Zip) && !FileKind::Xlsx.accepts(Content::OleCompound));
        assert!(FileKind::Csv.accepts(Content::Text) && !FileKind::Csv.accepts(Content::Other));
    }

    #[test]
    fn the_extension_names_the_kind() {
        assert_eq!(FileKind::from_file_name("Report.PDF"), Some(FileKind::Pdf));
        assert_eq!(FileKind::from_file_name("photo.jpg"), Some(FileKind::Jpeg));
        assert_eq!(FileKind::from_file_name("a.tar.xlsx"), Some(FileKind::Xlsx));
        assert_eq!(FileKind::from_file_name("setup.exe"), None);
        assert_eq!(FileKind::from_file_name("pdf"), None);
        assert_eq!(FileKind::from_file_name("page.html"), None);
    }

    #[test]
    fn a_shown_file_name_is_its_last_segment_cleaned() {
        assert_eq!(shown_file_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(shown_file_name("..\\..\\boot.ini").as_deref(), Some("boot.ini"));
        assert_eq!(shown_file_name("a\0b\u{202E}fdp.exe").as_deref(), Some("abfdp.exe"));
        assert_eq!(shown_file_name(" report.pdf ").as_deref(), Some("report.pdf"));
        assert_eq!(shown_file_name(".."), None);
        assert_eq!(shown_file_name("dir/"), None);
        let long = format!("{}.pdf", "x".repeat(300));
        let shown = shown_file_name(&long).unwrap_or_default();
        assert_eq!(shown.chars().count(), 255);
        assert!(shown.ends_with("x.pdf"));
    }

    /// A stored (not deflated) zip of `entries` (name, content), as Office writes its parts.
    pub(crate) fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut file = Vec::new();
        let mut directory = Vec::new();
        for (name, content) in entries {
            let offset = file.len() as u32;
            let size = content.len() as u32;
            file.extend_from_slice(b"PK\x03\x04\x14\0\0\0\0\0\0\0\0\0\0\0\0\0");
            file.extend_from_slice(&size.to_le_bytes());
            file.extend_from_slice(&size.to_le_bytes());
            file.extend_from_slice(&(name.len() as u16).to_le_bytes());
            file.extend_from_slice(&0u16.to_le_bytes());
            file.extend_from_slice(name.as_bytes());
            file.extend_from_slice(content);
            directory.extend_from_slice(b"PK\x01\x02\x14\0\x14\0\0\0\0\0\0\0\0\0\0\0\0\0");
            directory.extend_from_slice(&size.to_le_bytes());
            directory.extend_from_slice(&size.to_le_bytes());
            directory.extend_from_slice(&(name.len() as u16).to_le_bytes());
            directory.extend_from_slice(&[0; 12]);
            directory.extend_from_slice(&offset.to_le_bytes());
            directory.extend_from_slice(name.as_bytes());
        }
        let directory_offset = file.len() as u32;
        file.extend_from_slice(&directory);
        file.extend_from_slice(b"PK\x05\x06\0\0\0\0");
        file.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        file.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        file.extend_from_slice(&(directory.len() as u32).to_le_bytes());
        file.extend_from_slice(&directory_offset.to_le_bytes());
        file.extend_from_slice(&0u16.to_le_bytes());
        file
    }

    #[test]
    fn an_office_zip_names_its_parts_in_its_directory() {
        let docx = zip(&[("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w:document/>")]);
        assert_eq!(Content::of(&docx), Content::Zip);
        assert_eq!(check_office_zip(FileKind::Docx, &docx, docx.len() as u64), Ok(()));
        let refused = check_office_zip(FileKind::Xlsx, &docx, docx.len() as u64);
        assert_eq!(refused, Err("is a zip archive, not an Excel workbook".to_owned()));
        let program = zip(&[("setup.exe", b"MZ\x90\0")]);
        assert!(check_office_zip(FileKind::Docx, &program, program.len() as u64).is_err());
        // Only the end of a longer file is kept: the directory is found relative to it.
        let mut padded = zip(&[("[Content_Types].xml", b"x"), ("xl/workbook.xml", &[b'a'; 5000])]);
        let size = padded.len() as u64;
        let tail = padded.split_off(4000);
        assert_eq!(check_office_zip(FileKind::Xlsx, &tail, size), Ok(()));
        assert!(check_office_zip(FileKind::Xlsx, b"PK\x03\x04 no directory", 20).is_err());
    }

    #[test]
    fn a_zip_that_would_unpack_too_far_is_refused_unopened() {
        let mut bomb = zip(&[("[Content_Types].xml", b"x"), ("word/document.xml", b"y")]);
        // Claim 4 GiB unpacked for the second part in its directory entry.
        let directory = bomb.windows(4).rposition(|w| w == b"PK\x01\x02").unwrap_or_default();
        bomb[directory + 24..directory + 28].copy_from_slice(&u32::MAX.to_le_bytes());
        let refused = check_office_zip(FileKind::Docx, &bomb, bomb.len() as u64);
        assert!(refused.is_err_and(|why| why.contains("unpack")));
    }
}
