//! Builders for clients: `build()` in memory, `insert(&app)` through the real use case (as the
//! operator at the command line, who sees every client).

use axis_clients::input::ClientFields;
use axis_clients::{ClientDetail, ClientStatus};
use axis_kernel::{Actor, UserId};

use crate::TestApp;

pub struct ClientBuilder {
    fields: ClientFields,
    granted_to: Vec<UserId>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ClientBuilder {
    /// A pending client with a unique name and e-mail.
    pub fn new() -> Self {
        let unique = uuid::Uuid::now_v7().simple().to_string();
        Self {
            fields: ClientFields {
                name: format!("Client {unique}"),
                email: Some(format!("client-{unique}@example.com")),
                ..ClientFields::default()
            },
            granted_to: Vec::new(),
        }
    }

    pub fn name(mut self, name: &str) -> Self {
        self.fields.name = name.to_owned();
        self
    }

    pub fn status(mut self, status: ClientStatus) -> Self {
        self.fields.status = Some(status);
        self
    }

    pub fn account_manager(mut self, user: UserId) -> Self {
        self.fields.account_manager_id = Some(user);
        self
    }

    /// Analysts and viewers who may see the client.
    pub fn granted_to(mut self, users: &[UserId]) -> Self {
        self.granted_to.extend_from_slice(users);
        self
    }

    pub fn build(&self) -> ClientFields {
        self.fields.clone()
    }

    pub async fn insert(self, app: &TestApp) -> ClientDetail {
        let operator = Actor::command_line();
        let clients = &app.wiring.clients;
        let detail = clients.create_client(&operator, self.build()).await.expect("create the client");
        for user in self.granted_to {
            clients.grant_access(&operator, detail.client.id, user).await.expect("grant the client");
        }
        detail
    }

    /// Inserts the client and answers its id as the API writes it (for paths and bodies).
    pub async fn insert_id(self, app: &TestApp) -> String {
        self.insert(app).await.client.id.to_string()
    }
}
