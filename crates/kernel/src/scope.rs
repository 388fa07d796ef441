//! Which clients an actor may see. Applied in SQL by every adapter that reads client data, in
//! lists, counts, search and nested routes alike.

use crate::{Actor, Role, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientScope {
    /// Admins, managers and the command line see every client.
    All,
    /// Analysts and viewers see the clients they are granted or whose account manager they are.
    Granted(UserId),
}

impl Actor {
    pub fn client_scope(&self) -> ClientScope {
        match (self.role, self.user_id) {
            (Role::Admin | Role::Manager, _) | (_, None) => ClientScope::All,
            (Role::Analyst | Role::Viewer, Some(user)) => ClientScope::Granted(user),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{RequestContext, SessionId};

    #[test]
    fn scope_follows_the_role() {
        let user = UserId::new();
        let actor = |role| Actor::user(user, role, SessionId::new(), "x", RequestContext::default());
        assert_eq!(actor(Role::Admin).client_scope(), ClientScope::All);
        assert_eq!(actor(Role::Manager).client_scope(), ClientScope::All);
        assert_eq!(actor(Role::Analyst).client_scope(), ClientScope::Granted(user));
        assert_eq!(actor(Role::Viewer).client_scope(), ClientScope::Granted(user));
        assert_eq!(Actor::command_line().client_scope(), ClientScope::All);
    }
}
