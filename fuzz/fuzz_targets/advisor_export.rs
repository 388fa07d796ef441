//! Any bytes as an Advisor export: the CSV parser (whole, and fed in the chunks the first byte
//! picks, which must read the same), and the REST JSON reader. Neither may panic, and every
//! data row ends up a recommendation or a problem.
#![no_main]

use axis_advisor::{Category, CsvExport, Limits, parse_csv, parse_json};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits { max_rows: 2_000, max_long_text: 500, max_text: 100 };
    let (chunk, file) = match data.split_first() {
        Some((first, rest)) => (usize::from(*first).max(1), rest),
        None => (1, data),
    };
    let whole = parse_csv(file, Some(Category::Cost), limits);
    let mut export = CsvExport::new(Some(Category::Cost), limits);
    let mut fed = Ok(());
    for part in file.chunks(chunk) {
        fed = export.feed(part);
        if fed.is_err() {
            break;
        }
    }
    let chunked = fed.and_then(|()| export.finish());
    assert_eq!(whole, chunked, "chunking changed what was read");
    if let Ok(parsed) = &whole {
        let mut lines: Vec<u64> = parsed.recommendations.iter().filter_map(|r| r.line).collect();
        lines.extend(parsed.problems.iter().map(|p| p.line));
        lines.sort_unstable();
        lines.dedup();
        assert_eq!(lines.len() as u64, parsed.rows, "a row neither taken nor refused");
    }
    let _ = parse_json(file, limits);
});
