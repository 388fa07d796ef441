use axis_kernel::{Email, Role, SessionId, UserId};
use serde_json::{Value, json};
use time::{Date, OffsetDateTime};

axis_kernel::string_enum! {
    /// Whether an account may sign in: only `active` ones can.
    pub enum UserStatus { Active => "active", Suspended => "suspended", Disabled => "disabled" }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub first_name: String,
    pub last_name: String,
    pub status: UserStatus,
    pub role: Role,
    pub last_login_at: Option<OffsetDateTime>,
    /// Bumped whenever the role or status changes: tokens carrying an older value stop working.
    pub authz_ver: i32,
    pub version: i32,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl User {
    /// The fields an audit record compares (never the password hash).
    pub fn audit_view(&self) -> Value {
        json!({
            "email": self.email.as_str(),
            "first_name": self.first_name,
            "last_name": self.last_name,
            "status": self.status.as_str(),
            "role": self.role.as_str(),
        })
    }

    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name).trim().to_owned()
    }
}

/// Personal details shown on the user's own page (seed 000 `Profile`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub user_id: UserId,
    pub full_name: String,
    pub phone: Option<String>,
    pub image_url: Option<String>,
    pub bio: Option<String>,
    pub date_of_birth: Option<Date>,
    pub gender: Option<String>,
    pub language: String,
    pub timezone: String,
    pub updated_at: OffsetDateTime,
}

/// The longest profile name (the limit `full_name` edits are held to, and the column's).
pub const FULL_NAME_MAX: usize = 255;

impl Profile {
    /// A new user's profile, named after them: first and last name may together be longer than
    /// a profile name, so the name is cut to [`FULL_NAME_MAX`] characters.
    pub fn empty(user_id: UserId, full_name: String, now: OffsetDateTime) -> Self {
        Self {
            user_id,
            full_name: full_name.chars().take(FULL_NAME_MAX).collect(),
            phone: None,
            image_url: None,
            bio: None,
            date_of_birth: None,
            gender: None,
            language: "en".to_owned(),
            timezone: "UTC".to_owned(),
            updated_at: now,
        }
    }

    pub fn audit_view(&self) -> Value {
        json!({
            "full_name": self.full_name,
            "phone": self.phone,
            "image_url": self.image_url,
            "bio": self.bio,
            "date_of_birth": self.date_of_birth.map(|d| d.to_string()),
            "gender": self.gender,
            "language": self.language,
            "timezone": self.timezone,
        })
    }
}

axis_kernel::string_enum! {
    /// Why a session ended.
    pub enum RevokeReason {
        Logout => "logout",
        /// A spent refresh token was presented again: the whole family is ended.
        Reuse => "reuse",
        Admin => "admin",
        UserDisabled => "user_disabled",
    }
}

/// A login session: the family of refresh tokens issued from one login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub user_id: UserId,
    pub created_at: OffsetDateTime,
    pub last_used_at: OffsetDateTime,
    pub idle_expires_at: OffsetDateTime,
    pub absolute_expires_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
    pub revoked_reason: Option<RevokeReason>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl Session {
    pub fn is_live(&self, now: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && now < self.idle_expires_at && now < self.absolute_expires_at
    }
}

/// What the per-request check needs: is the user still allowed, and is the session still live?
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthzState {
    pub status: UserStatus,
    pub role: Role,
    pub authz_ver: i32,
    pub email: Email,
    pub session_revoked: bool,
    pub session_absolute_expires_at: OffsetDateTime,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub status: Option<UserStatus>,
    /// Matches email, first or last name (case-insensitive substring).
    pub search: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserStats {
    pub total: u64,
    pub active: u64,
    pub by_role: Vec<(Role, u64)>,
    pub live_sessions: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_profile_name_fits_the_profile() {
        let long = format!("{} {}", "a".repeat(150), "b".repeat(150));
        let profile = Profile::empty(UserId::new(), long, OffsetDateTime::UNIX_EPOCH);
        assert_eq!(profile.full_name.chars().count(), FULL_NAME_MAX);
    }
}
