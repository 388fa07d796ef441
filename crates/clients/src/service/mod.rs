//! Client use cases. HTTP and CLI call these; every permission and rule is here once.

mod clients;
mod industries;
mod nested;

use std::sync::Arc;

use axis_kernel::{Actor, ClientAccess, ClientGuard, ClientId, Clock};

use crate::policy::{self, Action};
use crate::ports::{
    ActivityRepository, ClientRepository, ContactRepository, IndustryRepository, TagRepository,
};
use crate::{Client, ClientError};

pub use clients::{ClientListQuery, StatusChange};
pub use industries::Below;

/// The ports the service drives.
pub struct ClientPorts {
    pub industries: Arc<dyn IndustryRepository>,
    pub clients: Arc<dyn ClientRepository>,
    pub tags: Arc<dyn TagRepository>,
    pub contacts: Arc<dyn ContactRepository>,
    pub activities: Arc<dyn ActivityRepository>,
    pub access: Arc<dyn ClientAccess>,
    pub clock: Arc<dyn Clock>,
}

pub struct ClientService {
    industries: Arc<dyn IndustryRepository>,
    clients: Arc<dyn ClientRepository>,
    tags: Arc<dyn TagRepository>,
    contacts: Arc<dyn ContactRepository>,
    activities: Arc<dyn ActivityRepository>,
    guard: ClientGuard,
    clock: Arc<dyn Clock>,
}

impl ClientService {
    pub fn new(ports: ClientPorts) -> Self {
        Self {
            industries: ports.industries,
            clients: ports.clients,
            tags: ports.tags,
            contacts: ports.contacts,
            activities: ports.activities,
            guard: ClientGuard::new(ports.access),
            clock: ports.clock,
        }
    }

    /// The live client `id` if the actor may see it and take `action` on it; otherwise
    /// `Forbidden` (role) or `NotFound` (missing or out of scope — deliberately the same).
    async fn client_for(&self, actor: &Actor, id: ClientId, action: Action) -> Result<Client, ClientError> {
        policy::require(actor, Action::Read)?;
        let client = self.clients.get(actor.client_scope(), id, false).await?.ok_or(ClientError::NotFound)?;
        policy::require(actor, action)?;
        Ok(client)
    }
}

#[cfg(test)]
mod tests;
