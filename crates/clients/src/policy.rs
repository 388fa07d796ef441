//! Who may do what with clients. Scope (which clients) is applied by the repositories in SQL;
//! these rules decide which roles may attempt an action at all.

use axis_kernel::{Actor, Role};

use crate::ClientError;

/// The kinds of action, from least to most privileged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read clients, industries, tags, contacts, activities (within scope).
    Read,
    /// Edit a client in scope and its contacts, activities and subscriptions.
    Edit,
    /// Create, delete, verify and change the status of clients; manage industries and tags.
    Manage,
    /// Restore deleted clients, manage grants, see deleted rows.
    Administer,
}

pub fn allows(role: Role, action: Action) -> bool {
    match action {
        Action::Read => true,
        Action::Edit => role.at_least(Role::Analyst),
        Action::Manage => role.at_least(Role::Manager),
        Action::Administer => role == Role::Admin,
    }
}

pub fn require(actor: &Actor, action: Action) -> Result<(), ClientError> {
    if allows(actor.role, action) { Ok(()) } else { Err(ClientError::Forbidden) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_matrix() {
        use Action::*;
        let expected = [
            (Role::Admin, [true, true, true, true]),
            (Role::Manager, [true, true, true, false]),
            (Role::Analyst, [true, true, false, false]),
            (Role::Viewer, [true, false, false, false]),
        ];
        for (role, row) in expected {
            let actual = [Read, Edit, Manage, Administer].map(|a| allows(role, a));
            assert_eq!(actual, row, "{role}");
        }
    }
}
