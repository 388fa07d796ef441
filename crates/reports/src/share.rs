//! Share links: a report opened by whoever holds a link, until it expires or is revoked. The
//! token (256 random bits) is shown once; only its SHA-256 is stored, so the table cannot
//! open a report. Every opening is counted and logged.

use std::collections::HashMap;
use std::sync::Mutex;

use axis_kernel::{Audited, ClientId, DomainError, FieldErrors, UserId};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use crate::model::ReportId;

axis_kernel::typed_id!(
    /// A share link.
    ShareId
);

axis_kernel::string_enum! {
    /// `view`: the HTML page only; `download`: the PDF as well.
    pub enum SharePermission { View => "view", Download => "download" }
}

/// The longest a link may live.
pub const MAX_SHARE_DAYS: i64 = 90;

/// Openings of one link allowed per minute (more is 429: a link pasted somewhere public cannot
/// be used to load the server).
pub const OPENINGS_PER_MINUTE: u32 = 30;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    pub id: ShareId,
    pub report_id: ReportId,
    pub client_id: ClientId,
    pub permission: SharePermission,
    /// Who it was sent to (a note for the consultancy; the link itself is the key).
    pub recipient_email: Option<String>,
    pub expires_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
    pub access_count: i64,
    pub last_accessed_at: Option<OffsetDateTime>,
    pub created_by: Option<UserId>,
    pub created_at: OffsetDateTime,
}

impl Share {
    /// Whether the link opens its report at `now`.
    pub fn is_open(&self, now: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }
}

impl Audited for Share {
    const ENTITY_TYPE: &'static str = "report_share";
    const ACTIONS: &'static str = "report_share";

    fn audit_id(&self) -> String {
        self.id.to_string()
    }

    fn audit_view(&self) -> Value {
        json!({
            "report_id": self.report_id, "permission": self.permission,
            "recipient_email": self.recipient_email, "expires_at": self.expires_at.to_string(),
            "revoked": self.revoked_at.is_some(),
        })
    }

    fn audit_details(&self) -> Vec<(&'static str, Value)> {
        vec![("client_id", json!(self.client_id))]
    }
}

/// One opening of a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareAccess {
    pub at: OffsetDateTime,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// `html` or `pdf`.
    pub format: String,
}

/// A link's token as given to its holder: 32 random bytes, base64url without padding.
pub struct ShareToken(pub String);

impl ShareToken {
    pub fn new(bytes: [u8; 32]) -> Self {
        ShareToken(base64url(&bytes))
    }

    /// What the table keeps: SHA-256 of the token's text.
    pub fn hash(text: &str) -> [u8; 32] {
        Sha256::digest(text.as_bytes()).into()
    }
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 2);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        let digits = chunk.len() + 1;
        for i in 0..digits {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// A link as a manager asks for it.
#[derive(Debug, Clone, Default)]
pub struct ShareFields {
    pub permission: Option<SharePermission>,
    pub expires_at: Option<OffsetDateTime>,
    pub recipient_email: Option<String>,
}

/// What `ShareFields` hold once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareDraft {
    pub permission: SharePermission,
    pub expires_at: OffsetDateTime,
    pub recipient_email: Option<String>,
}

impl ShareFields {
    /// An expiry is required, after `now` and at most [`MAX_SHARE_DAYS`] ahead; a permission is
    /// required; a recipient, when given, is an e-mail address.
    pub fn parse(self, now: OffsetDateTime) -> Result<ShareDraft, FieldErrors> {
        let mut errors = FieldErrors::new();
        if self.permission.is_none() {
            errors.add("permission", "is required: view or download");
        }
        match self.expires_at {
            None => errors.add("expires_at", "is required: a link never lives for ever"),
            Some(at) if at <= now => errors.add("expires_at", "must be in the future"),
            Some(at) if at > now + Duration::days(MAX_SHARE_DAYS) => {
                errors.add("expires_at", format!("must be at most {MAX_SHARE_DAYS} days ahead"))
            }
            Some(_) => {}
        }
        let recipient_email =
            match self.recipient_email.map(|e| e.trim().to_owned()).filter(|e| !e.is_empty()) {
                None => None,
                Some(email) => match axis_kernel::Email::parse(&email) {
                    Ok(email) => Some(email.to_string()),
                    Err(message) => {
                        errors.add("recipient_email", message.to_string());
                        None
                    }
                },
            };
        errors.into_result()?;
        match (self.permission, self.expires_at) {
            (Some(permission), Some(expires_at)) => {
                Ok(ShareDraft { permission, expires_at, recipient_email })
            }
            _ => Err(FieldErrors::single("permission", "is required")),
        }
    }
}

/// Openings per link in the current minute, in this process.
#[derive(Default)]
pub struct OpeningLimit {
    windows: Mutex<HashMap<[u8; 32], (i64, u32)>>,
}

impl OpeningLimit {
    /// Counts an opening of the link `hash` at `now`; `RateLimited` past the minute's allowance.
    pub fn admit(&self, hash: [u8; 32], now: OffsetDateTime) -> Result<(), DomainError> {
        let minute = now.unix_timestamp().div_euclid(60);
        let Ok(mut windows) = self.windows.lock() else { return Ok(()) };
        if windows.len() > 10_000 {
            windows.retain(|_, (window, _)| *window == minute);
        }
        let entry = windows.entry(hash).or_insert((minute, 0));
        if entry.0 != minute {
            *entry = (minute, 0);
        }
        if entry.1 >= OPENINGS_PER_MINUTE {
            let retry_after_secs = u64::try_from(60 - now.unix_timestamp().rem_euclid(60)).unwrap_or(60);
            return Err(DomainError::RateLimited { retry_after_secs });
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-12-07 10:00 UTC);

    #[test]
    fn a_link_needs_a_permission_and_an_expiry_within_ninety_days() {
        let fields = |days: i64| ShareFields {
            permission: Some(SharePermission::View),
            expires_at: Some(NOW + Duration::days(days)),
            recipient_email: Some(" cfo@contoso.example ".into()),
        };
        let draft = fields(30).parse(NOW).unwrap();
        assert_eq!(draft.recipient_email.as_deref(), Some("cfo@contoso.example"));
        assert!(fields(90).parse(NOW).is_ok());
        for days in [91, 0, -1] {
            let errors = fields(days).parse(NOW).unwrap_err();
            assert!(errors.fields().contains_key("expires_at"), "{days} days");
        }
        let errors = ShareFields::default().parse(NOW).unwrap_err();
        assert!(errors.fields().contains_key("permission") && errors.fields().contains_key("expires_at"));
        let bad_email = ShareFields { recipient_email: Some("not an address".into()), ..fields(3) };
        assert!(bad_email.parse(NOW).unwrap_err().fields().contains_key("recipient_email"));
    }

    #[test]
    fn a_token_is_256_bits_in_43_characters_and_only_its_hash_is_kept() {
        let token = ShareToken::new([7u8; 32]);
        assert_eq!(token.0.len(), 43);
        assert!(token.0.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_ne!(ShareToken::new([8u8; 32]).0, token.0);
        assert_eq!(ShareToken::hash(&token.0), ShareToken::hash(&token.0));
        assert_eq!(base64url(b"\xfb\xff"), "-_8");
    }

    #[test]
    fn a_link_opens_thirty_times_a_minute() {
        let limit = OpeningLimit::default();
        for _ in 0..OPENINGS_PER_MINUTE {
            limit.admit([1; 32], NOW).unwrap();
        }
        assert!(matches!(limit.admit([1; 32], NOW), Err(DomainError::RateLimited { retry_after_secs: 60 })));
        limit.admit([2; 32], NOW).unwrap();
        limit.admit([1; 32], NOW + Duration::minutes(1)).unwrap();
    }

    #[test]
    fn a_revoked_or_expired_link_is_closed() {
        let share = Share {
            id: ShareId::new(),
            report_id: ReportId::new(),
            client_id: ClientId::new(),
            permission: SharePermission::View,
            recipient_email: None,
            expires_at: NOW + Duration::days(1),
            revoked_at: None,
            access_count: 0,
            last_accessed_at: None,
            created_by: None,
            created_at: NOW,
        };
        assert!(share.is_open(NOW));
        assert!(!share.is_open(NOW + Duration::days(1)));
        assert!(!Share { revoked_at: Some(NOW), ..share }.is_open(NOW));
    }
}
