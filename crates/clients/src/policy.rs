//! Who may do what with clients: the kernel's client action ladder (`ClientAction`), used under
//! its local name. Which clients an actor sees is the scope guard's question (`ClientGuard`).

use axis_kernel::{Actor, Role};

pub use axis_kernel::ClientAction as Action;

use crate::ClientError;

pub fn require(actor: &Actor, action: Action) -> Result<(), ClientError> {
    action.require(actor)
}

/// Naming a client's account manager gives that user the client: managers and admins only.
pub const CHANGE_ACCOUNT_MANAGER: Action = Action::Manage;

/// Who may be a client's account manager: an active admin, manager or analyst (never a viewer,
/// who reads clients but works on none).
pub fn may_manage_accounts(role: Role) -> bool {
    role.at_least(Role::Analyst)
}
