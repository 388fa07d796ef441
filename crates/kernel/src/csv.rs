//! Reading a CSV file as it arrives, chunk by chunk, into rows that know their line numbers
//! (the eligibility-file import and the Azure Advisor import read their files with it).
//!
//! UTF-8 with or without a byte-order mark (or, when asked, Windows-1252 for text that is not
//! UTF-8: what Excel saves on Western-European Windows); fields separated by commas or semicolons (whichever
//! the header row has more of outside quotes); quoted fields may hold separators, quotes (`""`)
//! and line breaks; lines end in LF, CRLF or a bare CR (old Mac exports), each counted once;
//! blank lines are skipped.

use csv_core::{ReadRecordResult, Reader, ReaderBuilder};

const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";
/// The header row must end within this many bytes (its separator is chosen from it).
const MAX_HEADER_BYTES: usize = 64 * 1024;
/// No row may be longer: a file without line breaks is not an eligibility file.
const MAX_ROW_BYTES: usize = 1024 * 1024;

/// One row as read: its cells and the line it starts on (the header is line 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRow {
    pub line: u64,
    pub cells: Vec<String>,
}

/// What makes the whole file unreadable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("line {line} is not UTF-8 text (save the file as UTF-8)")]
    NotUtf8 { line: u64 },
    #[error("the header row does not end within {MAX_HEADER_BYTES} bytes")]
    HeaderTooLong,
    #[error("the row starting on line {line} is longer than {MAX_ROW_BYTES} bytes")]
    RowTooLong { line: u64 },
}

/// How the cells' bytes are read as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8 only: other bytes are an error naming their line.
    Utf8,
    /// UTF-8, and a cell that is not UTF-8 read as Windows-1252 (every byte is a character
    /// there, so nothing is refused). Every separator and quote is ASCII in both, so a row
    /// splits the same either way.
    Utf8OrWindows1252,
}

/// A CSV reader fed with the file's bytes as they arrive.
pub struct CsvRows {
    encoding: TextEncoding,
    /// Bytes held until the header row is complete; `None` once the separator is chosen.
    waiting_for_header: Option<Vec<u8>>,
    reader: Reader,
    delimiter: u8,
    record: Vec<u8>,
    record_len: usize,
    ends: Vec<usize>,
    ends_len: usize,
    /// Line breaks consumed so far.
    newlines: u64,
    /// Whether the last byte consumed was a CR (an LF right after it ends the same line).
    after_cr: bool,
}

impl Default for CsvRows {
    fn default() -> Self {
        Self::new()
    }
}

impl CsvRows {
    /// A reader of UTF-8 files.
    pub fn new() -> Self {
        Self::with_encoding(TextEncoding::Utf8)
    }

    pub fn with_encoding(encoding: TextEncoding) -> Self {
        CsvRows {
            encoding,
            waiting_for_header: Some(Vec::new()),
            reader: Reader::new(),
            delimiter: b',',
            record: vec![0; 4096],
            record_len: 0,
            ends: vec![0; 64],
            ends_len: 0,
            newlines: 0,
            after_cr: false,
        }
    }

    /// The separator in use (known once the header row has arrived).
    pub fn delimiter(&self) -> Option<u8> {
        self.waiting_for_header.is_none().then_some(self.delimiter)
    }

    /// Reads `chunk`, appending the rows it completes to `rows`.
    pub fn feed(&mut self, chunk: &[u8], rows: &mut Vec<RawRow>) -> Result<(), FileError> {
        let Some(waiting) = self.waiting_for_header.as_mut() else {
            return self.read(chunk, rows);
        };
        waiting.extend_from_slice(chunk);
        let held = waiting.strip_prefix(BYTE_ORDER_MARK).unwrap_or(waiting);
        match held.iter().position(|&b| b == b'\n' || b == b'\r') {
            Some(end) => {
                let delimiter = choose_delimiter(&held[..end]);
                let held = held.to_vec();
                self.start(delimiter);
                self.read(&held, rows)
            }
            None if held.len() > MAX_HEADER_BYTES => Err(FileError::HeaderTooLong),
            None => Ok(()),
        }
    }

    /// Reads what is left at the end of the file (a last row without a line break).
    pub fn finish(&mut self, rows: &mut Vec<RawRow>) -> Result<(), FileError> {
        if let Some(waiting) = self.waiting_for_header.take() {
            let held = waiting.strip_prefix(BYTE_ORDER_MARK).unwrap_or(&waiting).to_vec();
            self.start(choose_delimiter(&held));
            self.read(&held, rows)?;
        }
        self.read(&[], rows)
    }

    fn start(&mut self, delimiter: u8) {
        self.waiting_for_header = None;
        self.delimiter = delimiter;
        self.reader = ReaderBuilder::new().delimiter(delimiter).build();
    }

    /// Runs the parser over `input` (empty: the end of the file).
    fn read(&mut self, mut input: &[u8], rows: &mut Vec<RawRow>) -> Result<(), FileError> {
        let at_end = input.is_empty();
        loop {
            let (result, read, written, ended) = self.reader.read_record(
                input,
                &mut self.record[self.record_len..],
                &mut self.ends[self.ends_len..],
            );
            let consumed = &input[..read];
            self.newlines += count_line_breaks(consumed, &mut self.after_cr);
            input = &input[read..];
            self.record_len += written;
            self.ends_len += ended;
            match result {
                ReadRecordResult::InputEmpty if !at_end => return Ok(()),
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => {
                    if self.record.len() >= MAX_ROW_BYTES {
                        return Err(FileError::RowTooLong { line: self.newlines + 1 });
                    }
                    self.record.resize(self.record.len() * 2, 0);
                }
                ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                ReadRecordResult::Record => {
                    let ended_by_newline = matches!(consumed.last(), Some(b'\n' | b'\r'));
                    rows.push(self.take_row(ended_by_newline)?);
                }
                ReadRecordResult::End => return Ok(()),
            }
        }
    }

    /// The record just read as a row, and the parser ready for the next.
    fn take_row(&mut self, ended_by_newline: bool) -> Result<RawRow, FileError> {
        let bytes = &self.record[..self.record_len];
        let last_line = self.newlines + 1 - u64::from(ended_by_newline);
        let line = last_line - count_line_breaks(bytes, &mut false);
        let mut cells = Vec::with_capacity(self.ends_len);
        let mut start = 0;
        for &end in &self.ends[..self.ends_len] {
            let raw = &bytes[start..end];
            let cell = match (std::str::from_utf8(raw), self.encoding) {
                (Ok(text), _) => text.to_owned(),
                (Err(_), TextEncoding::Utf8OrWindows1252) => windows_1252(raw),
                (Err(_), TextEncoding::Utf8) => return Err(FileError::NotUtf8 { line }),
            };
            cells.push(cell);
            start = end;
        }
        self.record_len = 0;
        self.ends_len = 0;
        Ok(RawRow { line, cells })
    }
}

/// `bytes` read as Windows-1252: ASCII and 0xA0–0xFF as in Latin-1, 0x80–0x9F the
/// typographic characters Windows puts there (the five it leaves unassigned stay the C1
/// controls of the same number, as web browsers read them).
fn windows_1252(bytes: &[u8]) -> String {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}',
        '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
    ];
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

/// The line breaks in `bytes` — LF, CRLF and a bare CR each count once — given whether the byte
/// before them was a CR (updated for the next call, so a CRLF split between chunks counts once).
fn count_line_breaks(bytes: &[u8], after_cr: &mut bool) -> u64 {
    let mut breaks = 0;
    for &b in bytes {
        if b == b'\r' || (b == b'\n' && !*after_cr) {
            breaks += 1;
        }
        *after_cr = b == b'\r';
    }
    breaks
}

/// `;` when the header row has more semicolons than commas outside quotes, else `,`.
fn choose_delimiter(header: &[u8]) -> u8 {
    let (mut commas, mut semicolons, mut quoted) = (0, 0, false);
    for &b in header {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => commas += 1,
            b';' if !quoted => semicolons += 1,
            _ => {}
        }
    }
    if semicolons > commas { b';' } else { b',' }
}

/// One row of a CSV file axis writes (exports): each cell that a spreadsheet would run as a
/// formula (it begins with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`,
/// so it opens as text; cells with a separator, quote or line break are quoted. Only exports
/// are escaped: stored values stay as they were read.
pub fn export_row(cells: &[&str]) -> String {
    let mut line = String::new();
    for (at, cell) in cells.iter().enumerate() {
        if at > 0 {
            line.push(',');
        }
        let guarded = if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            format!("'{cell}")
        } else {
            (*cell).to_owned()
        };
        if guarded.contains([',', '"', '\n', '\r']) {
            line.push('"');
            line.push_str(&guarded.replace('"', "\"\""));
            line.push('"');
        } else {
            line.push_str(&guarded);
        }
    }
    line.push_str("\r\n");
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `file` fed in chunks of `chunk` bytes.
    fn rows(file: &[u8], chunk: usize) -> Result<Vec<RawRow>, FileError> {
        rows_as(file, chunk, TextEncoding::Utf8)
    }

    fn rows_as(file: &[u8], chunk: usize, encoding: TextEncoding) -> Result<Vec<RawRow>, FileError> {
        let mut reader = CsvRows::with_encoding(encoding);
        let mut rows = Vec::new();
        for part in file.chunks(chunk.max(1)) {
            reader.feed(part, &mut rows)?;
        }
        reader.finish(&mut rows)?;
        Ok(rows)
    }

    fn row(line: u64, cells: &[&str]) -> RawRow {
        RawRow { line, cells: cells.iter().map(|c| (*c).to_owned()).collect() }
    }

    #[test]
    fn any_chunking_reads_the_same_rows() {
        let file = "name,email\r\nAmina,a@x.ug\r\n\"Okello, John\",\"j\"\"o@x.ug\"\r\n";
        let expected = vec![
            row(1, &["name", "email"]),
            row(2, &["Amina", "a@x.ug"]),
            row(3, &["Okello, John", "j\"o@x.ug"]),
        ];
        for chunk in [1, 2, 3, 7, 64, 4096] {
            assert_eq!(rows(file.as_bytes(), chunk).unwrap(), expected, "chunks of {chunk}");
        }
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_first_column() {
        let file = b"\xEF\xBB\xBFname;email\nAmina;a@x.ug";
        for chunk in [1, 2, 5, 100] {
            let read = rows(file, chunk).unwrap();
            assert_eq!(read[0], row(1, &["name", "email"]), "chunks of {chunk}");
            assert_eq!(read[1], row(2, &["Amina", "a@x.ug"]));
        }
    }

    #[test]
    fn the_separator_is_the_one_the_header_uses() {
        let semicolons = rows(b"name;email;\"a,b\"\nAmina;a@x.ug;1,5\n", 100).unwrap();
        assert_eq!(semicolons[1], row(2, &["Amina", "a@x.ug", "1,5"]));
        let commas = rows(b"name,\"a;b;c\"\nAmina,x;y\n", 100).unwrap();
        assert_eq!(commas[1], row(2, &["Amina", "x;y"]));
    }

    #[test]
    fn line_numbers_count_blank_lines_and_breaks_inside_quotes() {
        let file = b"name,note\n\nAmina,\"two\nlines\"\nOkello,x\n\n\nNakato,y";
        let read = rows(file, 3).unwrap();
        assert_eq!(read[1], row(3, &["Amina", "two\nlines"]));
        assert_eq!(read[2], row(5, &["Okello", "x"]));
        assert_eq!(read[3], row(8, &["Nakato", "y"]));
    }

    #[test]
    fn cr_lf_and_crlf_all_end_lines_and_quoted_crs_stay_data() {
        let expected = vec![
            row(1, &["name", "note"]),
            row(2, &["Amina", "x"]),
            row(3, &["Okello", "two\rlines"]),
            row(5, &["Nakato", "y"]),
            row(6, &["Kato", "z"]),
        ];
        let files: [&[u8]; 3] = [
            b"name,note\rAmina,x\rOkello,\"two\rlines\"\rNakato,y\rKato,z",
            b"name,note\r\nAmina,x\r\nOkello,\"two\rlines\"\r\nNakato,y\r\nKato,z\r\n",
            b"name,note\nAmina,x\r\nOkello,\"two\rlines\"\rNakato,y\nKato,z\r",
        ];
        for file in files {
            for chunk in [1, 2, 3, 5, 4096] {
                assert_eq!(
                    rows(file, chunk).unwrap(),
                    expected,
                    "{:?} in chunks of {chunk}",
                    String::from_utf8_lossy(file)
                );
            }
        }
        // A CR inside an unquoted cell ends the row there: the rest is the next row.
        let split = rows(b"name,note\nAmina,in\rside\n", 3).unwrap();
        assert_eq!(split[1..], [row(2, &["Amina", "in"]), row(3, &["side"])]);
        let lines: Vec<u64> = split.iter().map(|r| r.line).collect();
        assert!(lines.windows(2).all(|w| w[0] < w[1]), "every row has a line of its own: {lines:?}");
    }

    #[test]
    fn text_that_is_not_utf8_is_refused_with_its_line() {
        let file = b"name,city\nAmina,Kampala\nJos\xE9,Entebbe\n";
        assert_eq!(rows(file, 4), Err(FileError::NotUtf8 { line: 3 }));
    }

    #[test]
    fn text_that_is_not_utf8_can_be_read_as_windows_1252_cell_by_cell() {
        let file = b"name,city,note\nJos\xE9,K\xF8ge,\x93quoted\x94 \x80 5\nAmina,Kampala,caf\xC3\xA9\n";
        for chunk in [1, 3, 100] {
            let read = rows_as(file, chunk, TextEncoding::Utf8OrWindows1252).unwrap();
            assert_eq!(read[1], row(2, &["José", "Køge", "“quoted” € 5"]));
            // A cell that is UTF-8 stays UTF-8.
            assert_eq!(read[2], row(3, &["Amina", "Kampala", "café"]));
        }
        let every_byte: Vec<u8> = (0x80..=0xFF).collect();
        let mut file = b"x\n\"".to_vec();
        file.extend(&every_byte);
        file.extend(b"\"\n");
        let read = rows_as(&file, 7, TextEncoding::Utf8OrWindows1252).unwrap();
        assert_eq!(read[1].cells[0].chars().count(), every_byte.len(), "one character a byte");
    }

    #[test]
    fn exported_cells_never_run_as_formulas_and_read_back_as_written() {
        let cells = [
            "=HYPERLINK(\"http://x\")",
            "+1",
            "-foo",
            "@SUM(A1)",
            "plain, with comma",
            "say \"hi\"",
            "two\nlines",
            "",
        ];
        let line = export_row(&cells);
        assert_eq!(
            line,
            "\"'=HYPERLINK(\"\"http://x\"\")\",'+1,'-foo,'@SUM(A1),\"plain, with comma\",\"say \"\"hi\"\"\",\"two\nlines\",\r\n"
        );
        let read = rows(format!("h1,h2,h3,h4,h5,h6,h7,h8\r\n{line}").as_bytes(), 5).unwrap();
        assert_eq!(read[1].cells[4..7], ["plain, with comma", "say \"hi\"", "two\nlines"]);
        assert!(read[1].cells[..4].iter().all(|cell| cell.starts_with('\'')));
    }

    #[test]
    fn a_file_without_a_line_break_is_one_header_row() {
        assert_eq!(rows(b"name,email", 3).unwrap(), vec![row(1, &["name", "email"])]);
        assert_eq!(rows(b"", 3).unwrap(), Vec::<RawRow>::new());
    }

    #[test]
    fn endless_rows_are_refused() {
        let header = vec![b'a'; MAX_HEADER_BYTES + 1];
        assert_eq!(rows(&header, 1000), Err(FileError::HeaderTooLong));
        let mut file = b"name\n\"".to_vec();
        file.extend(std::iter::repeat_n(b'x', MAX_ROW_BYTES + 10));
        assert_eq!(rows(&file, 64 * 1024), Err(FileError::RowTooLong { line: 2 }));
    }
}
