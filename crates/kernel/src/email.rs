use std::fmt;

use serde::{Deserialize, Serialize};

/// An e-mail address, trimmed, NFKC-normalised and lower-cased, so that addresses that read
/// the same are equal (`ＡＤＡ@example.com` is `ada@example.com`); invisible characters are
/// refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most 254 characters")]
    TooLong,
    #[error("is not a valid e-mail address")]
    Invalid,
    #[error("must not contain zero-width or bidirectional control characters")]
    Invisible,
    #[error("mixes writing systems in one part (e.g. Latin and Cyrillic letters)")]
    MixedScripts,
}

impl Email {
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        use unicode_normalization::UnicodeNormalization;
        if raw.chars().any(crate::input::is_invisible) {
            return Err(EmailError::Invisible);
        }
        let value = raw.trim().nfkc().collect::<String>().to_lowercase();
        if value.is_empty() {
            return Err(EmailError::Empty);
        }
        // Counted as sent, as the API documents the limit.
        if raw.chars().count() > 254 {
            return Err(EmailError::TooLong);
        }
        let Some((local, domain)) = value.split_once('@') else {
            return Err(EmailError::Invalid);
        };
        let domain_ok = !domain.is_empty()
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain.contains('.')
            && !domain.contains('@');
        let well_formed = !local.is_empty()
            && local.chars().count() <= 64
            && domain_ok
            && !value.chars().any(|c| c.is_whitespace() || c.is_control());
        if !well_formed {
            return Err(EmailError::Invalid);
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Refuses an address whose local part or a domain label mixes writing systems, the way
    /// look-alike addresses are made (`аdmin@example.com` with a Cyrillic `а`). Combinations a
    /// language writes together are one system: Han with Hiragana and Katakana (Japanese), with
    /// Hangul (Korean) or with Bopomofo, each also with Latin (UTS #39, highly restrictive).
    pub fn single_script(self) -> Result<Self, EmailError> {
        let (local, domain) = self.0.split_once('@').unwrap_or((&self.0, ""));
        if std::iter::once(local).chain(domain.split('.')).all(one_writing_system) {
            Ok(self)
        } else {
            Err(EmailError::MixedScripts)
        }
    }
}

/// Whether the letters of `part` belong to one writing system (digits and punctuation belong to
/// all).
fn one_writing_system(part: &str) -> bool {
    use unicode_script::{Script, UnicodeScript};
    let mut scripts: Vec<Script> = part
        .chars()
        .map(|c| c.script())
        .filter(|s| !matches!(s, Script::Common | Script::Inherited | Script::Unknown))
        .collect();
    scripts.sort_by_key(|s| s.full_name());
    scripts.dedup();
    let allowed_together: [&[Script]; 3] = [
        &[Script::Latin, Script::Han, Script::Hiragana, Script::Katakana],
        &[Script::Latin, Script::Han, Script::Hangul],
        &[Script::Latin, Script::Han, Script::Bopomofo],
    ];
    scripts.len() <= 1 || allowed_together.iter().any(|set| scripts.iter().all(|s| set.contains(s)))
}

impl TryFrom<String> for Email {
    type Error = EmailError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Email::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_that_read_the_same_are_equal_and_look_alikes_are_refused() {
        assert_eq!(Email::parse("ＡＤＡ@Example.com").unwrap().as_str(), "ada@example.com");
        assert_eq!(Email::parse("ada\u{200B}@example.com"), Err(EmailError::Invisible));
        assert_eq!(Email::parse("ada@exam\u{202E}ple.com"), Err(EmailError::Invisible));
        // A Cyrillic `а` among Latin letters.
        let look_alike = Email::parse("\u{0430}dmin@example.com").unwrap();
        assert_eq!(look_alike.single_script(), Err(EmailError::MixedScripts));
        let mixed_domain = Email::parse("admin@ex\u{0430}mple.com").unwrap();
        assert_eq!(mixed_domain.single_script(), Err(EmailError::MixedScripts));
        for fine in ["ada.lovelace+1@example.com", "иван@пример.рф", "yamada@例え.jp", "user@テスト漢字.jp"]
        {
            assert!(Email::parse(fine).unwrap().single_script().is_ok(), "{fine}");
        }
    }

    #[test]
    fn normalises_case_and_space() {
        assert_eq!(
            Email::parse("  Ada@Example.COM ").map(|e| e.to_string()),
            Ok("ada@example.com".to_owned())
        );
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in
            ["", "  ", "plain", "@example.com", "a@", "a@b", "a@.com", "a@b..com", "a b@c.com", "a@b@c.com"]
        {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(EmailError::TooLong));
    }

    #[test]
    fn never_panics_on_arbitrary_text() {
        // A cheap property check over awkward inputs: multibyte, control characters, long runs.
        let long = "ü".repeat(300);
        let ats = "@".repeat(10);
        for sample in ["\u{0}@x.io", long.as_str(), ats.as_str()] {
            assert!(Email::parse(sample).is_err(), "{sample:?}");
        }
        assert!(Email::parse("a@b.c\n").is_ok(), "trailing newline is trimmed");
        assert!(Email::parse("é@é.é").is_ok(), "internationalised addresses are allowed");
    }
}
