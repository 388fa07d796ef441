//! Builders for users: `build()` in memory, `insert(&app)` through the real use case.

use axis_identity::NewUser;
use axis_kernel::{Actor, Role, UserId};
use serde_json::{Value, json};

use crate::TestApp;

pub const DEFAULT_PASSWORD: &str = "correct horse battery staple";

pub struct UserBuilder {
    email: String,
    role: Role,
    password: String,
    first_name: String,
    last_name: String,
}

impl Default for UserBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl UserBuilder {
    pub fn new() -> Self {
        Self {
            email: format!("user-{}@example.com", uuid::Uuid::now_v7().simple()),
            role: Role::Viewer,
            password: DEFAULT_PASSWORD.to_owned(),
            first_name: "Test".to_owned(),
            last_name: "User".to_owned(),
        }
    }

    pub fn email(mut self, email: &str) -> Self {
        self.email = email.to_owned();
        self
    }

    pub fn role(mut self, role: Role) -> Self {
        self.role = role;
        self
    }

    pub fn password(mut self, password: &str) -> Self {
        self.password = password.to_owned();
        self
    }

    pub fn build(&self) -> NewUser {
        NewUser::parse(&self.email, &self.first_name, &self.last_name, self.role, Some(&self.password))
            .expect("valid builder defaults")
    }

    pub async fn insert(self, app: &TestApp) -> TestUser {
        let user = app
            .wiring
            .identity
            .create_user(&Actor::command_line(), self.build())
            .await
            .expect("create the user");
        TestUser { id: user.id, email: self.email, password: self.password, role: self.role }
    }
}

#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: UserId,
    pub email: String,
    pub password: String,
    pub role: Role,
}

impl TestUser {
    pub async fn login(&self, app: &TestApp) -> LoggedIn {
        let response = app
            .post("/api/v1/auth/login")
            .json(&json!({"email": self.email, "password": self.password}))
            .send()
            .await
            .expect("login request");
        assert_eq!(response.status(), 200, "login of a fresh test user must succeed");
        let body: Value = response.json().await.expect("login body");
        LoggedIn {
            user: self.clone(),
            access_token: body["access_token"].as_str().expect("access_token").to_owned(),
            refresh_token: body["refresh_token"].as_str().expect("refresh_token").to_owned(),
            session_id: body["session_id"].as_str().expect("session_id").to_owned(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct LoggedIn {
    pub user: TestUser,
    pub access_token: String,
    pub refresh_token: String,
    pub session_id: String,
}
