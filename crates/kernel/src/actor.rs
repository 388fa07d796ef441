use crate::{Role, SessionId, UserId};

/// Where a request came from; copied into every audit record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestContext {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
}

/// Who is acting. Use cases take `&Actor` and check their policy against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// `None` for the operator at the command line (`axis user create`, ...).
    pub user_id: Option<UserId>,
    pub role: Role,
    pub session_id: Option<SessionId>,
    /// Shown in audit records so they stay readable after the user is gone.
    pub label: String,
    pub context: RequestContext,
}

impl Actor {
    pub fn user(
        user_id: UserId,
        role: Role,
        session_id: SessionId,
        label: impl Into<String>,
        context: RequestContext,
    ) -> Self {
        Self { user_id: Some(user_id), role, session_id: Some(session_id), label: label.into(), context }
    }

    /// The operator running a CLI command on the server: full rights, audited as `cli`.
    pub fn command_line() -> Self {
        Self {
            user_id: None,
            role: Role::Admin,
            session_id: None,
            label: "cli".to_owned(),
            context: RequestContext::default(),
        }
    }

    /// The job worker, for work nobody asked for just then (periodic housekeeping): audited
    /// as `worker`.
    pub fn worker() -> Self {
        Self { label: "worker".to_owned(), ..Self::command_line() }
    }

    /// The job worker doing work `user` asked for (a large import): audited under the user's
    /// id, labelled as the worker's.
    pub fn worker_for(user: Option<UserId>) -> Self {
        Self { user_id: user, ..Self::worker() }
    }

    /// Someone without an account reaching what a link opens (a shared report): no rights
    /// of their own, audited under `label` with where they came from.
    pub fn link_holder(label: impl Into<String>, context: RequestContext) -> Self {
        Self { user_id: None, role: Role::Viewer, session_id: None, label: label.into(), context }
    }

    pub fn is(&self, user: UserId) -> bool {
        self.user_id == Some(user)
    }
}

/// Why a bearer token signs nobody in.
#[derive(Debug, thiserror::Error)]
pub enum NotSignedIn {
    /// The token, its user or its session is not good (now): the caller must sign in again.
    /// The reason is for logs, never for the caller.
    #[error("access token refused: {0}")]
    Refused(&'static str),
    /// The check itself could not be made.
    #[error(transparent)]
    Failed(#[from] crate::DomainError),
}

/// Turns a bearer access token into the [`Actor`] it signs in: the port the HTTP kit's
/// authenticated extractor asks (the identity service implements it).
#[async_trait::async_trait]
pub trait Authenticator: Send + Sync {
    async fn authenticate(&self, token: &str, context: RequestContext) -> Result<Actor, NotSignedIn>;
}
