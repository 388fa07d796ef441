//! The role × scope matrix: every route of something that belongs to a client, asked by every
//! kind of caller, answers what the client action ladder and the scope guard say. A slice lists
//! its routes and how to build one fixture; [`run`] does the rest.

use std::collections::BTreeMap;
use std::future::Future;

use axis_kernel::{ClientAction, Role};
use serde_json::Value;

use crate::{LoggedIn, TestApp};

/// Who is asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    Anonymous,
    ViewerOut,
    ViewerIn,
    AnalystOut,
    AnalystIn,
    Manager,
    Admin,
}

pub const CALLERS: [Caller; 7] = [
    Caller::Anonymous,
    Caller::ViewerOut,
    Caller::ViewerIn,
    Caller::AnalystOut,
    Caller::AnalystIn,
    Caller::Manager,
    Caller::Admin,
];

/// The people of the matrix: a viewer and an analyst the fixture's client is granted to ("in"),
/// one of each it is not ("out"), a manager, an admin, and a spare viewer that grant routes
/// can act on (`{extra}` in paths and bodies; `{manager}` names the manager).
pub struct People {
    pub viewer_in: LoggedIn,
    pub viewer_out: LoggedIn,
    pub analyst_in: LoggedIn,
    pub analyst_out: LoggedIn,
    pub manager: LoggedIn,
    pub admin: LoggedIn,
    pub extra: LoggedIn,
}

impl People {
    pub async fn sign_in(app: &TestApp) -> Self {
        Self {
            viewer_in: app.logged_in(Role::Viewer).await,
            viewer_out: app.logged_in(Role::Viewer).await,
            analyst_in: app.logged_in(Role::Analyst).await,
            analyst_out: app.logged_in(Role::Analyst).await,
            manager: app.logged_in(Role::Manager).await,
            admin: app.logged_in(Role::Admin).await,
            extra: app.logged_in(Role::Viewer).await,
        }
    }

    /// The users a fixture's client must be granted to.
    pub fn granted(&self) -> [&LoggedIn; 3] {
        [&self.viewer_in, &self.analyst_in, &self.extra]
    }

    pub fn token(&self, caller: Caller) -> Option<&str> {
        Some(match caller {
            Caller::Anonymous => return None,
            Caller::ViewerOut => &self.viewer_out.access_token,
            Caller::ViewerIn => &self.viewer_in.access_token,
            Caller::AnalystOut => &self.analyst_out.access_token,
            Caller::AnalystIn => &self.analyst_in.access_token,
            Caller::Manager => &self.manager.access_token,
            Caller::Admin => &self.admin.access_token,
        })
    }
}

/// What a caller gets from a route that needs `action` and answers `success` when allowed:
/// no token 401; a client out of scope looks missing (404), unless the role could not act on
/// any client at all (403); in scope, the ladder decides.
pub fn expected(caller: Caller, action: ClientAction, success: u16) -> u16 {
    let role = match caller {
        Caller::Anonymous => return 401,
        Caller::ViewerOut | Caller::ViewerIn => Role::Viewer,
        Caller::AnalystOut | Caller::AnalystIn => Role::Analyst,
        Caller::Manager => Role::Manager,
        Caller::Admin => Role::Admin,
    };
    let out_of_scope = matches!(caller, Caller::ViewerOut | Caller::AnalystOut);
    match (out_of_scope, action) {
        (true, ClientAction::Administer) => 403,
        (true, _) => 404,
        (false, action) if action.allowed_for(role) => success,
        (false, _) => 403,
    }
}

/// One route of the matrix. `path` and `body` may name fixture values (`{client}`, …) and
/// people (`{extra}`, `{manager}`).
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub body: Option<Value>,
    /// A form with a file (an upload) instead of a JSON body.
    pub upload: Option<Upload>,
    /// A body sent as it is, with its media type (a logo).
    pub raw: Option<(&'static str, &'static [u8])>,
    pub needs: ClientAction,
    pub success: u16,
    /// Acts on a soft-deleted client (restore).
    pub on_deleted: bool,
    /// A 404 must be byte-for-byte the 404 of a client that does not exist.
    pub compare_with_missing: bool,
}

impl Route {
    pub fn new(method: &'static str, path: &'static str, needs: ClientAction, success: u16) -> Self {
        Self {
            method,
            path,
            body: None,
            upload: None,
            raw: None,
            needs,
            success,
            on_deleted: false,
            compare_with_missing: true,
        }
    }

    pub fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// Sends `contents` as an uploaded CSV file (multipart field `file`, alone).
    pub fn file(self, contents: &'static [u8]) -> Self {
        self.upload(&[], "upload.csv", contents)
    }

    /// Sends a form: the text `fields` (values may name fixture values), then `contents` as
    /// the file `file_name` in the field `file`.
    pub fn upload(
        mut self,
        fields: &[(&'static str, &'static str)],
        file_name: &'static str,
        contents: &'static [u8],
    ) -> Self {
        self.upload = Some(Upload { fields: fields.to_vec(), file_name, contents });
        self
    }

    /// Sends `contents` as the whole body, of `media_type`.
    pub fn raw(mut self, media_type: &'static str, contents: &'static [u8]) -> Self {
        self.raw = Some((media_type, contents));
        self
    }

    pub fn on_deleted(mut self) -> Self {
        self.on_deleted = true;
        self
    }

    pub fn not_compared_with_missing(mut self) -> Self {
        self.compare_with_missing = false;
        self
    }
}

/// A multipart form of a matrix route: its text fields, then its file.
#[derive(Debug, Clone)]
pub struct Upload {
    pub fields: Vec<(&'static str, &'static str)>,
    pub file_name: &'static str,
    pub contents: &'static [u8],
}

fn fill(template: &str, values: &BTreeMap<String, String>) -> String {
    values.iter().fold(template.to_owned(), |text, (name, value)| text.replace(&format!("{{{name}}}"), value))
}

impl Route {
    /// The route's request with `values` filled in, sent with `token` when there is one.
    fn send(
        &self,
        app: &TestApp,
        values: &BTreeMap<String, String>,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let method = self.method.parse().expect("an HTTP method");
        let mut request = app.client.request(method, app.url(&fill(self.path, values)));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = &self.body {
            let body: Value = serde_json::from_str(&fill(&body.to_string(), values)).expect("a JSON body");
            request = request.json(&body);
        }
        if let Some(upload) = &self.upload {
            let form = upload.fields.iter().fold(reqwest::multipart::Form::new(), |form, (name, value)| {
                form.text(*name, fill(value, values))
            });
            let part = reqwest::multipart::Part::bytes(upload.contents.to_vec()).file_name(upload.file_name);
            request = request.multipart(form.part("file", part));
        }
        if let Some((media_type, contents)) = self.raw {
            request = request.header(reqwest::header::CONTENT_TYPE, media_type).body(contents.to_vec());
        }
        request
    }
}

/// A fresh fixture's values, with the people routes can name (`{extra}`, `{manager}`).
async fn cell_values<F, Fut>(fixture: &mut F, people: &People, on_deleted: bool) -> BTreeMap<String, String>
where
    F: FnMut(bool) -> Fut,
    Fut: Future<Output = BTreeMap<String, String>>,
{
    let mut values = fixture(on_deleted).await;
    values.insert("extra".into(), people.extra.user.id.to_string());
    values.insert("manager".into(), people.manager.user.id.to_string());
    values
}

/// Runs every route as every caller, each on a fresh fixture: `fixture(on_deleted)` builds the
/// objects one cell works on and returns their ids by placeholder name, `client` among them.
/// Returns the cells that answered otherwise than [`expected`] (empty when all agree).
pub async fn run<F, Fut>(app: &TestApp, people: &People, routes: &[Route], mut fixture: F) -> Vec<String>
where
    F: FnMut(bool) -> Fut,
    Fut: Future<Output = BTreeMap<String, String>>,
{
    let missing = uuid::Uuid::now_v7().to_string();
    let mut mismatches = Vec::new();
    for route in routes {
        for caller in CALLERS {
            let values = cell_values(&mut fixture, people, route.on_deleted).await;
            let send =
                |values: &BTreeMap<String, String>| route.send(app, values, people.token(caller)).send();
            let response = send(&values).await.expect("request");
            let status = response.status().as_u16();
            let want = expected(caller, route.needs, route.success);
            if status != want {
                mismatches.push(format!(
                    "{} {} as {caller:?}: {status}, expected {want}",
                    route.method, route.path
                ));
            }
            // Out of scope must look exactly like missing: same status, same body but the request
            // id. Missing is the path's first object (the client, the contract, ...) swapped for
            // an id that names nothing.
            if status == 404 && route.compare_with_missing {
                let first =
                    route.path.split('{').nth(1).and_then(|rest| rest.split_once('}')).map(|(name, _)| name);
                let mut without_client = values.clone();
                without_client.insert(first.unwrap_or("client").to_owned(), missing.clone());
                let mut out_of_scope: Value = response.json().await.expect("problem body");
                let mut not_there: Value =
                    send(&without_client).await.expect("request").json().await.expect("problem body");
                for body in [&mut out_of_scope, &mut not_there] {
                    if let Some(object) = body.as_object_mut() {
                        object.remove("request_id");
                    }
                }
                if out_of_scope != not_there {
                    mismatches.push(format!(
                        "{} {} as {caller:?}: out of scope {out_of_scope} differs from missing {not_there}",
                        route.method, route.path
                    ));
                }
            }
        }
    }
    mismatches
}

/// Tables a write through the API changes only with its audit row: everything but the audit
/// trail itself, the sessions a request refreshes, the counter rows the roll-up folds in the
/// background (their sums, which the roll-up keeps, are in the digest instead), and the contract
/// number counters, which hand out numbers like a sequence (a failed create leaves a gap).
const NOT_DIGESTED: [&str; 8] = [
    "audit_logs",
    "audit_chain",
    "auth_sessions",
    "refresh_tokens",
    "login_throttle",
    "client_live_counts",
    "client_count_deltas",
    "contract_number_counters",
];

/// A fingerprint of everything the API's writes change: one md5 per table over its rows, and
/// the client totals and list version.
pub async fn data_digest(app: &TestApp) -> String {
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Text {
        #[diesel(sql_type = diesel::sql_types::Text)]
        text: String,
    }
    let mut conn = app.db.connect().await;
    let tables: Vec<Text> = diesel::sql_query(
        "SELECT table_name::text AS text FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name",
    )
    .load(&mut conn)
    .await
    .expect("list tables");
    let mut parts = Vec::new();
    for Text { text: table } in tables {
        if NOT_DIGESTED.contains(&table.as_str()) || table.starts_with("__") {
            continue;
        }
        let query = format!(
            "SELECT '{table}:' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS text FROM {table} t"
        );
        parts
            .push(diesel::sql_query(query).get_result::<Text>(&mut conn).await.expect("digest a table").text);
    }
    let counters = "SELECT 'counters:' || client_live_total(NULL) || '/' || list_version() AS text";
    parts.push(diesel::sql_query(counters).get_result::<Text>(&mut conn).await.expect("counters").text);
    parts.join("\n")
}

/// Every write route, sent by an admin while every audit insert fails, answers 500 and leaves
/// the data exactly as it was: the change rolled back with its audit record. Returns the routes
/// that did otherwise.
pub async fn writes_roll_back_without_their_audit<F, Fut>(
    app: &TestApp,
    people: &People,
    routes: &[Route],
    mut fixture: F,
) -> Vec<String>
where
    F: FnMut(bool) -> Fut,
    Fut: Future<Output = BTreeMap<String, String>>,
{
    use diesel_async::SimpleAsyncConnection;
    let mut conn = app.db.connect().await;
    conn.batch_execute(
        "CREATE FUNCTION fail_every_audit() RETURNS trigger LANGUAGE plpgsql AS $$ \
         BEGIN RAISE EXCEPTION 'injected audit failure'; END $$; \
         CREATE TRIGGER fail_every_audit BEFORE INSERT ON audit_logs FOR EACH ROW EXECUTE FUNCTION fail_every_audit(); \
         ALTER TABLE audit_logs DISABLE TRIGGER fail_every_audit;",
    )
    .await
    .expect("install the failing audit trigger");
    let mut failures = Vec::new();
    for route in routes.iter().filter(|r| r.method != "GET") {
        let values = cell_values(&mut fixture, people, route.on_deleted).await;
        let before = data_digest(app).await;
        conn.batch_execute("ALTER TABLE audit_logs ENABLE TRIGGER fail_every_audit").await.expect("enable");
        let response = route.send(app, &values, Some(&people.admin.access_token)).send().await;
        let status = response.expect("request").status().as_u16();
        conn.batch_execute("ALTER TABLE audit_logs DISABLE TRIGGER fail_every_audit").await.expect("disable");
        let after = data_digest(app).await;
        if status != 500 || before != after {
            let changed: Vec<&str> =
                before.lines().zip(after.lines()).filter(|(a, b)| a != b).map(|(a, _)| a).collect();
            failures.push(format!("{} {}: {status}, changed {changed:?}", route.method, route.path));
        }
    }
    failures
}
