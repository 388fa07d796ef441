//! Who may do what with clients: the kernel's client action ladder (`ClientAction`), used under
//! its local name. Which clients an actor sees is the scope guard's question (`ClientGuard`).

use axis_kernel::Actor;

pub use axis_kernel::ClientAction as Action;

use crate::ClientError;

pub fn require(actor: &Actor, action: Action) -> Result<(), ClientError> {
    action.require(actor)
}
