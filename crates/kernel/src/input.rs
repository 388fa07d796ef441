//! Text fields as every use case reads them: trimmed, at most the documented length, no
//! control characters but line breaks and tabs; names and identifiers without invisible
//! characters, identifiers compared as people read them; and calendar dates as `YYYY-MM-DD`.
//! Problems are collected in the caller's errors.

use unicode_normalization::UnicodeNormalization;

use crate::FieldErrors;

/// Zero-width and bidirectional control characters: invisible, yet they make two values that
/// read the same differ (`EA1` and `EA1\u{200B}`), or reorder what a reader sees. Names,
/// numbers and e-mails refuse them; text shown back as metadata drops them.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{061C}'                  // Arabic letter mark
        | '\u{180E}'                // Mongolian vowel separator
        | '\u{200B}'..='\u{200F}'   // zero-width space, (non-)joiner, LRM, RLM
        | '\u{202A}'..='\u{202E}'   // bidi embeddings and overrides
        | '\u{2060}'..='\u{2064}'   // word joiner, invisible operators
        | '\u{2066}'..='\u{2069}'   // bidi isolates
        | '\u{FEFF}'                // zero-width no-break space
    )
}

/// A person's or thing's name: [`text`], without invisible characters.
pub fn name(errors: &mut FieldErrors, field: &str, value: Option<String>, max: usize) -> Option<String> {
    let value = text(errors, field, value, max)?;
    if value.chars().any(is_invisible) {
        errors.add(field, "must not contain zero-width or bidirectional control characters");
    }
    Some(value)
}

/// Like [`name`], for a name that must not be empty.
pub fn required_name(errors: &mut FieldErrors, field: &str, value: String, max: usize) -> String {
    name(errors, field, Some(value), max).unwrap_or_else(|| {
        errors.add(field, "must not be empty");
        String::new()
    })
}

/// An identifier people type and read (an employee number): a [`name`], NFKC-normalised, so
/// that `ＥＡ1` is stored as `EA1`. Identifiers are also compared without regard to case
/// (`lower()` in SQL, where uniqueness and matching are decided).
pub fn identifier(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<String>,
    max: usize,
) -> Option<String> {
    let normalised: String = name(errors, field, value, max)?.nfkc().collect();
    // Normalising can lengthen a value (`ﷺ` is 18 characters) or uncover white space.
    if normalised.chars().count() > max {
        errors.add(field, format!("must be at most {max} characters once normalised (NFKC)"));
    }
    Some(normalised.trim().to_owned())
}

/// Text kept for display only (a file's name as uploaded): control and invisible characters
/// dropped, at most `max` characters, `None` when nothing is left.
pub fn display_text(value: &str, max: usize) -> Option<String> {
    let kept: String = value.chars().filter(|c| !c.is_control() && !is_invisible(*c)).take(max).collect();
    let kept = kept.trim();
    (!kept.is_empty()).then(|| kept.to_owned())
}

/// Trimmed text of at most `max` characters as sent (the limit the API documents); empty
/// becomes `None`.
pub fn text(errors: &mut FieldErrors, field: &str, value: Option<String>, max: usize) -> Option<String> {
    if value.as_ref().is_some_and(|v| v.chars().count() > max) {
        errors.add(field, format!("must be at most {max} characters"));
    }
    let value = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())?;
    if value.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        errors.add(field, "must not contain control characters");
    }
    Some(value)
}

/// Like [`text`], for a field that must not be empty (then it is an error, and `""`).
pub fn required_text(errors: &mut FieldErrors, field: &str, value: String, max: usize) -> String {
    text(errors, field, Some(value), max).unwrap_or_else(|| {
        errors.add(field, "must not be empty");
        String::new()
    })
}

/// An optional date, `YYYY-MM-DD` and nothing else (no time, no offset: `2026-02-03T23:30:00-05:00`
/// is not a date), recording a field error when it is malformed.
pub fn parse_date(errors: &mut FieldErrors, field: &str, value: Option<&str>) -> Option<time::Date> {
    date(value?).map_err(|message| errors.add(field, message)).ok()
}

/// A `YYYY-MM-DD` calendar date and nothing else; the error says what is expected.
pub fn date(value: &str) -> Result<time::Date, &'static str> {
    const MESSAGE: &str = "must be a date such as 2026-11-21 (YYYY-MM-DD, nothing else)";
    let shaped = value.len() == 10
        && value
            .bytes()
            .enumerate()
            .all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    if !shaped {
        return Err(MESSAGE);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(value, &format).map_err(|_| MESSAGE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_read_as_people_read_them() {
        let mut errors = FieldErrors::new();
        assert_eq!(identifier(&mut errors, "n", Some("ＥＡ1".into()), 100).as_deref(), Some("EA1"));
        assert_eq!(identifier(&mut errors, "n", Some(" EA1 ".into()), 100).as_deref(), Some("EA1"));
        assert!(errors.is_empty(), "{errors:?}");
        for hidden in ["EA1\u{200B}", "E\u{202E}A1", "\u{FEFF}EA1", "EA\u{2066}1"] {
            let mut errors = FieldErrors::new();
            identifier(&mut errors, "employee_number", Some(hidden.into()), 100);
            assert!(errors.fields().contains_key("employee_number"), "{hidden:?}");
        }
        let mut errors = FieldErrors::new();
        required_name(&mut errors, "full_name", "Amina\u{200D}".into(), 255);
        assert!(errors.fields().contains_key("full_name"));
    }

    #[test]
    fn a_date_is_yyyy_mm_dd_and_nothing_else() {
        assert_eq!(date("2026-02-03"), Ok(time::macros::date!(2026 - 02 - 03)));
        for bad in [
            "2026-02-03T23:30:00-05:00",
            "2026-12-10T10:00:00Z",
            "2026-2-3",
            "20260203",
            "2026-02-30",
            " 2026-02-03",
            "２０２６-02-03",
        ] {
            assert!(date(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn display_text_drops_what_cannot_be_seen() {
        assert_eq!(display_text("staff\u{202E}vsc.exe\u{0007}", 255).as_deref(), Some("staffvsc.exe"));
        assert_eq!(display_text("\u{200B}\u{0000}", 255), None);
        assert_eq!(display_text("abcdef", 3).as_deref(), Some("abc"));
        let mut errors = FieldErrors::new();
        identifier(&mut errors, "n", Some("\u{FDFA}".repeat(10)), 100);
        assert!(errors.fields().contains_key("n"), "10 characters that normalise to 180");
    }
}
