//! Who may act on a client's data. Two questions, asked in this order: may the actor see the
//! client at all (its scope), and may the actor's role take this kind of action. Everything that
//! belongs to a client (contacts, contracts, staff, documents, reports) asks them through the
//! [`ClientGuard`], so the answers are the same everywhere.

use std::sync::Arc;

use async_trait::async_trait;

use crate::{Actor, ClientId, ClientScope, DomainError, FieldErrors, Role};

/// The kinds of action on client data, from least to most privileged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAction {
    /// Read the client and what belongs to it (within scope): every role.
    Read,
    /// Review how a client's data was loaded (member imports, their reports and row errors,
    /// which name members by id and employee number): analysts and up, within scope.
    Review,
    /// Change what belongs to a client in scope: analysts and up.
    Edit,
    /// Create, delete, verify and change the status of clients: managers and up.
    Manage,
    /// Restore deleted clients, manage grants, see deleted rows: admins.
    Administer,
}

impl ClientAction {
    pub fn allowed_for(self, role: Role) -> bool {
        match self {
            ClientAction::Read => true,
            ClientAction::Review | ClientAction::Edit => role.at_least(Role::Analyst),
            ClientAction::Manage => role.at_least(Role::Manager),
            ClientAction::Administer => role == Role::Admin,
        }
    }

    /// `Forbidden` unless the actor's role allows this action.
    pub fn require(self, actor: &Actor) -> Result<(), DomainError> {
        if self.allowed_for(actor.role) { Ok(()) } else { Err(DomainError::Forbidden) }
    }
}

/// Whether a client exists, is live and lies within a scope; the adapter answers it with the
/// same visible-clients condition its reads use.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait ClientAccess: Send + Sync {
    async fn is_visible(&self, scope: ClientScope, client: ClientId) -> Result<bool, DomainError>;
}

/// A record that belongs to one client and is soft-deleted (contracts, staff, beneficiaries):
/// what the guard needs to decide who may act on it.
pub trait ClientOwned {
    fn owner(&self) -> ClientId;
    fn is_deleted(&self) -> bool;
}

/// The scope guard for use cases that name a client.
#[derive(Clone)]
pub struct ClientGuard {
    access: Arc<dyn ClientAccess>,
}

impl ClientGuard {
    pub fn new(access: Arc<dyn ClientAccess>) -> Self {
        Self { access }
    }

    /// For a client named in the path: one the actor cannot see is `NotFound`, the same answer
    /// as a client that does not exist; then the role must allow `action` (`Forbidden`).
    pub async fn require(
        &self,
        actor: &Actor,
        client: ClientId,
        action: ClientAction,
    ) -> Result<(), DomainError> {
        if !self.access.is_visible(actor.client_scope(), client).await? {
            return Err(DomainError::NotFound);
        }
        action.require(actor)
    }

    /// A record the use case found (`None`: it does not exist) if the actor may take `action`
    /// on it: admin-only actions say so to everyone else first; a deleted record exists only
    /// for admins; then its client must be visible (else `NotFound`, like a missing record)
    /// and the role must allow `action`.
    pub async fn require_owned<T: ClientOwned>(
        &self,
        actor: &Actor,
        found: Option<T>,
        action: ClientAction,
    ) -> Result<T, DomainError> {
        let record = found.ok_or(DomainError::NotFound)?;
        if action == ClientAction::Administer {
            action.require(actor)?;
        }
        if record.is_deleted() && !ClientAction::Administer.allowed_for(actor.role) {
            return Err(DomainError::NotFound);
        }
        self.require(actor, record.owner(), action).await?;
        Ok(record)
    }

    /// For a client named in a body field: one the actor cannot see is a field error, as if it
    /// did not exist.
    pub async fn require_reference(
        &self,
        actor: &Actor,
        field: &str,
        client: ClientId,
    ) -> Result<(), DomainError> {
        if self.access.is_visible(actor.client_scope(), client).await? {
            Ok(())
        } else {
            Err(FieldErrors::single(field, "is not a client").into())
        }
    }
}

#[cfg(test)]
mod tests {
    use futures_executor::block_on;

    use super::*;
    use crate::{RequestContext, SessionId, UserId};

    fn actor(role: Role) -> Actor {
        Actor::user(UserId::new(), role, SessionId::new(), "someone", RequestContext::default())
    }

    #[test]
    fn the_role_ladder() {
        use ClientAction::*;
        let expected = [
            (Role::Admin, [true, true, true, true, true]),
            (Role::Manager, [true, true, true, true, false]),
            (Role::Analyst, [true, true, true, false, false]),
            (Role::Viewer, [true, false, false, false, false]),
        ];
        for (role, row) in expected {
            assert_eq!([Read, Review, Edit, Manage, Administer].map(|a| a.allowed_for(role)), row, "{role}");
        }
    }

    #[test]
    fn an_unseen_client_is_missing_before_the_role_is_asked() {
        let mut access = MockClientAccess::new();
        access.expect_is_visible().returning(|_, _| Ok(false));
        let guard = ClientGuard::new(Arc::new(access));
        let viewer = actor(Role::Viewer);
        let result = block_on(guard.require(&viewer, ClientId::new(), ClientAction::Manage));
        assert!(matches!(result, Err(DomainError::NotFound)), "{result:?}");
        let result = block_on(guard.require_reference(&viewer, "parent_client_id", ClientId::new()));
        let Err(DomainError::Validation(errors)) = result else { panic!("expected a field error") };
        assert!(errors.fields().contains_key("parent_client_id"));
    }

    #[test]
    fn a_seen_client_still_needs_the_role() {
        let mut access = MockClientAccess::new();
        access.expect_is_visible().returning(|_, _| Ok(true));
        let guard = ClientGuard::new(Arc::new(access));
        let result = block_on(guard.require(&actor(Role::Viewer), ClientId::new(), ClientAction::Edit));
        assert!(matches!(result, Err(DomainError::Forbidden)));
        assert!(block_on(guard.require(&actor(Role::Analyst), ClientId::new(), ClientAction::Edit)).is_ok());
    }
}
