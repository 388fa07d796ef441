use std::fmt;

use serde::{Deserialize, Serialize};

/// A phone number as people write it: digits with `+ - ( ) .` and spaces, 5 to 20 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be a phone number: 5 to 20 digits, optionally with + - ( ) . and spaces")]
pub struct PhoneError;

impl Phone {
    pub fn parse(raw: &str) -> Result<Self, PhoneError> {
        let value = raw.trim();
        let allowed = value.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
        let digits = value.chars().filter(char::is_ascii_digit).count();
        let plus_ok = value.chars().skip(1).all(|c| c != '+');
        if allowed && plus_ok && (5..=20).contains(&digits) && value.len() <= 32 {
            Ok(Self(value.to_owned()))
        } else {
            Err(PhoneError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Phone {
    type Error = PhoneError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Phone::parse(&value)
    }
}

impl From<Phone> for String {
    fn from(value: Phone) -> Self {
        value.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_shapes() {
        for ok in ["+256 772 123456", "(020) 7946-0958", "0772.123.456", "12345"] {
            assert!(Phone::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_junk() {
        for bad in ["", "1234", "call me", "+1 2+3 4567", "1".repeat(21).as_str(), "<script>"] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
    }
}
