use std::fmt;

use serde::{Deserialize, Serialize};

/// An e-mail address, trimmed and lower-cased so that equality is case-insensitive.
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
}

impl Email {
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let value = raw.trim().to_lowercase();
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
