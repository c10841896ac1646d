//! The end-to-end test harness: the real server on port 0, against a fresh SQLite file per test,
//! or a fresh PostgreSQL database per test when `XUEZHANG_TEST_DATABASE_URL` names a PostgreSQL
//! server (`postgres://postgres@127.0.0.1:5432/postgres`). The same tests run on both.
//!
//! PostgreSQL databases are copied from a template migrated once per schema version, so a test
//! pays for `CREATE DATABASE … TEMPLATE`, not for the migrations.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;

use actix_web::dev::ServerHandle;
use persistence::Db;
use reqwest::{Method, StatusCode, header};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use xuezhang_http::{Application, Settings};

pub use reqwest;
pub use serde_json;

/// The environment variable naming a PostgreSQL server for the tests.
pub const PG_ENV: &str = "XUEZHANG_TEST_DATABASE_URL";

/// The password every test account gets.
pub const PASSWORD: &str = "长江黄河-Passw0rd";

/// A running server for one test.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// An HTTP client.
    pub client: reqwest::Client,
    /// The database the server uses, for arranging data directly.
    pub db: Db,
    /// Its URL, to start another server on the same database.
    pub database_url: String,
    /// The port of the metrics listener, when the settings asked for one.
    pub metrics_port: Option<u16>,
    handle: ServerHandle,
    pg: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Res {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: header::HeaderMap,
    /// The body as JSON (`Null` when empty or not JSON).
    pub body: Value,
    /// The body as text.
    pub text: String,
}

impl Res {
    /// A header as a string.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
    }

    /// The problem `code`.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    /// `body["id"]` as a string.
    pub fn id(&self) -> String {
        self.body["id"].as_str().unwrap_or_else(|| panic!("no id in {}", self.text)).to_owned()
    }

    /// The fields named in a validation problem.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| a.iter().map(|e| e["field"].as_str().unwrap_or("").to_owned()).collect())
            .unwrap_or_default()
    }

    /// Panics with the body unless the status is `expected`.
    #[track_caller]
    pub fn expect(self, expected: u16) -> Self {
        assert_eq!(self.status.as_u16(), expected, "unexpected status; body: {}", self.text);
        self
    }
}

fn hash_of_migrations() -> String {
    use migration::MigratorTrait;
    let names: Vec<String> = migration::Migrator::migrations().iter().map(|m| m.name().to_owned()).collect();
    let digest = Sha256::digest(names.join(",").as_bytes());
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// The URL of database `name` on the server of `server_url` (`postgres://user@host:port/db?query`).
pub fn with_database(server_url: &str, name: &str) -> String {
    let (scheme, rest) = server_url.split_once("://").unwrap_or(("postgres", server_url));
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, format!("?{q}")),
        None => (rest, String::new()),
    };
    let authority = rest.split('/').next().unwrap_or(rest);
    format!("{scheme}://{authority}/{name}{query}")
}

/// Creates (once per schema version) a migrated template database and returns its name.
async fn pg_template(server_url: &str) -> String {
    let template = format!("xz_tpl_{}", hash_of_migrations());
    let admin = Database::connect(server_url).await.expect("connect to the PostgreSQL server");
    admin.execute_unprepared("SELECT pg_advisory_lock(727274)").await.unwrap();
    let exists = admin
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            format!("SELECT 1 AS one FROM pg_database WHERE datname = '{template}'"),
        ))
        .await
        .unwrap()
        .is_some();
    if !exists {
        let building = format!("{template}_build");
        admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)")).await.unwrap();
        admin.execute_unprepared(&format!("CREATE DATABASE {building}")).await.unwrap();
        let db = Db::connect(&persistence::DbConfig::new(with_database(server_url, &building))).await.unwrap();
        db.migrate().await.unwrap();
        db.close().await;
        admin.execute_unprepared(&format!("ALTER DATABASE {building} RENAME TO {template}")).await.unwrap();
    }
    admin.execute_unprepared("SELECT pg_advisory_unlock(727274)").await.unwrap();
    admin.close().await.ok();
    template
}

/// Options for [`spawn_app_with`].
pub type Configure = fn(&mut Settings);

/// Starts the app on a fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the app on a fresh database, with settings adjusted by `configure`.
pub async fn spawn_app_with(configure: Configure) -> TestApp {
    static LOG: OnceLock<()> = OnceLock::new();
    LOG.get_or_init(|| {
        if std::env::var("TEST_LOG").is_ok() {
            let _ = env_logger::builder().is_test(true).try_init();
        }
    });
    let (url, pg, dir) = match std::env::var(PG_ENV).ok().filter(|v| !v.is_empty()) {
        Some(server) => {
            let template = pg_template(&server).await;
            let name = format!("xz_test_{}", uuid::Uuid::now_v7().simple());
            let admin = Database::connect(&server).await.unwrap();
            admin.execute_unprepared(&format!("CREATE DATABASE {name} TEMPLATE {template}")).await.unwrap();
            admin.close().await.ok();
            (with_database(&server, &name), Some((server, name)), None)
        }
        None => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}/test.db?mode=rwc", dir.path().display());
            (url, None, Some(dir))
        }
    };
    start(url, pg, dir, configure).await
}

/// Starts the app on an existing database (migrating it, as `xuezhang serve` does); the database
/// is left in place afterwards.
pub async fn spawn_app_on(url: &str, configure: Configure) -> TestApp {
    start(url.to_owned(), None, None, configure).await
}

async fn start(
    url: String,
    pg: Option<(String, String)>,
    dir: Option<tempfile::TempDir>,
    configure: Configure,
) -> TestApp {
    let mut settings = Settings::for_database(url);
    settings.jwt_secret = Some("test-secret-test-secret-test-secret!".into());
    settings.workers = 2;
    configure(&mut settings);
    let database_url = settings.database_url.clone();
    let app = Application::build(settings).await.expect("build the app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let db = app.db().clone();
    let metrics_port = app.metrics_port();
    let handle = app.handle();
    actix_web::rt::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap(),
        db,
        database_url,
        metrics_port,
        handle,
        pg,
        _dir: dir,
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // The stop command is sent when `stop` is called; the server runs on this test's runtime,
        // so waiting for it here would deadlock.
        drop(self.handle.stop(false));
        let Some((server, name)) = self.pg.take() else { return };
        // FORCE ends the server's remaining connections; a thread of its own keeps this off the
        // test's runtime.
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async move {
                if let Ok(admin) = Database::connect(&server).await {
                    let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                    let _ = admin.close().await;
                }
            });
        })
        .join()
        .ok();
    }
}

impl TestApp {
    /// Moves this server's clock forward by `by`: how a test reaches a deadline (an edit window
    /// that closes, a concern that becomes overdue) without sleeping.
    pub fn advance_clock(&self, by: chrono::Duration) {
        self.db.clock().advance(by);
    }

    /// Whether this run is on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    /// Sends a request and reads the whole response.
    pub async fn send(&self, req: reqwest::RequestBuilder) -> Res {
        let res = req.send().await.expect("send the request");
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Res { status, headers, body, text }
    }

    /// A request builder for `method` on `path` with an optional bearer token.
    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> reqwest::RequestBuilder {
        self.request_in(Some("en"), method, path, token)
    }

    /// A request builder like [`TestApp::request`] with `Accept-Language: language` (none when
    /// `None`: the server's default). The other helpers ask for English, which the suite asserts.
    pub fn request_in(
        &self,
        language: Option<&str>,
        method: Method,
        path: &str,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let mut r = self.client.request(method, format!("{}{}", self.address, path));
        if let Some(l) = language {
            r = r.header("Accept-Language", l);
        }
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r
    }

    /// `GET`.
    pub async fn get(&self, path: &str, token: &str) -> Res {
        self.send(self.request(Method::GET, path, Some(token))).await
    }

    /// `POST` with a JSON body.
    pub async fn post(&self, path: &str, token: &str, body: Value) -> Res {
        self.send(self.request(Method::POST, path, Some(token)).json(&body)).await
    }

    /// `PATCH` with a JSON body and an optional `If-Match`.
    pub async fn patch(&self, path: &str, token: &str, body: Value, if_match: Option<&str>) -> Res {
        let mut r = self.request(Method::PATCH, path, Some(token)).json(&body);
        if let Some(v) = if_match {
            r = r.header(header::IF_MATCH, v);
        }
        self.send(r).await
    }

    /// `PUT` with a JSON body and an optional `If-Match`.
    pub async fn put(&self, path: &str, token: &str, body: Value, if_match: Option<&str>) -> Res {
        let mut r = self.request(Method::PUT, path, Some(token)).json(&body);
        if let Some(v) = if_match {
            r = r.header(header::IF_MATCH, v);
        }
        self.send(r).await
    }

    /// `DELETE` with an optional `If-Match`.
    pub async fn delete(&self, path: &str, token: &str, if_match: Option<&str>) -> Res {
        let mut r = self.request(Method::DELETE, path, Some(token));
        if let Some(v) = if_match {
            r = r.header(header::IF_MATCH, v);
        }
        self.send(r).await
    }

    /// Logs in with the password grant; returns the whole token response.
    pub async fn login_full(&self, username: &str, password: &str) -> Res {
        self.send(self.request(Method::POST, "/api/v1/auth/token", None).form(&[
            ("grant_type", "password"),
            ("username", username),
            ("password", password),
        ]))
        .await
    }

    /// Logs in; returns the access token.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let res = self.login_full(username, password).await.expect(200);
        res.body["access_token"].as_str().unwrap().to_owned()
    }

    /// Creates a university admin `admin` and logs in as them.
    pub async fn admin(&self) -> String {
        self.admin_named("admin").await
    }

    /// Creates a university admin with the given login name and logs in.
    pub async fn admin_named(&self, username: &str) -> String {
        persistence::accounts::create_admin(&self.db, username, PASSWORD).await.unwrap();
        self.login(username, PASSWORD).await
    }

    /// Creates an account through the API (as `admin_token`) and logs in as it.
    pub async fn user(&self, admin_token: &str, username: &str, role: impl IntoRole, extra: Value) -> String {
        let role = role.into_role().as_str();
        let mut body = json!({"username": username, "display_name": username, "password": PASSWORD, "role": role});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        self.post("/api/v1/users", admin_token, body).await.expect(201);
        self.login(username, PASSWORD).await
    }

    /// Registers a service client with `scopes` (as `admin_token`) and returns a
    /// `client_credentials` access token for it.
    pub async fn client_token(&self, admin_token: &str, scopes: Value) -> String {
        let id = format!("client-{}", uuid::Uuid::now_v7().simple());
        let res = self
            .post(
                "/api/v1/service-clients",
                admin_token,
                json!({"client_id": id, "name": "学工系统", "scopes": scopes}),
            )
            .await
            .expect(201);
        let secret = res.body["client_secret"].as_str().unwrap_or_default().to_owned();
        let res = self
            .send(self.request(Method::POST, "/api/v1/auth/token", None).form(&[
                ("grant_type", "client_credentials"),
                ("client_id", &id),
                ("client_secret", &secret),
            ]))
            .await
            .expect(200);
        res.body["access_token"].as_str().unwrap_or_default().to_owned()
    }

    /// Creates a college; returns its id.
    pub async fn college(&self, token: &str, code: &str, name: &str) -> String {
        self.post("/api/v1/colleges", token, json!({"code": code, "name": name})).await.expect(201).id()
    }

    /// Creates a unit; returns its id.
    pub async fn unit(&self, token: &str, college_id: &str, code: &str, kind: &str) -> String {
        self.post(
            "/api/v1/units",
            token,
            json!({"code": code, "name": format!("单位{code}"), "kind": kind, "college_id": college_id}),
        )
        .await
        .expect(201)
        .id()
    }

    /// Creates a staff member; returns their id.
    pub async fn staff(&self, token: &str, college_id: &str, staff_no: &str, supervisor: bool) -> String {
        self.post(
            "/api/v1/staff",
            token,
            json!({"staff_no": staff_no, "name": "王老师", "college_id": college_id, "is_supervisor": supervisor}),
        )
        .await
        .expect(201)
        .id()
    }

    /// Creates a student with sensible defaults overridden by `extra`; returns their id.
    pub async fn student(&self, token: &str, college_id: &str, student_no: &str, extra: Value) -> String {
        let mut body = json!({
            "student_no": student_no,
            "name": "李华",
            "gender": "female",
            "college_id": college_id,
            "degree": "master",
            "enrollment_year": 2024,
            "political_status": "party_member",
        });
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        self.post("/api/v1/students", token, body).await.expect(201).id()
    }
}

/// An empty database of the kind the tests run on (a SQLite file, or a PostgreSQL database when
/// `XUEZHANG_TEST_DATABASE_URL` is set), dropped with this value.
pub struct ScratchDb {
    /// Its URL.
    pub url: String,
    pg: Option<(String, String)>,
    /// The folder of the SQLite file (and a place for other files of the test).
    pub dir: tempfile::TempDir,
}

/// Creates an empty, unmigrated database.
pub async fn scratch_database() -> ScratchDb {
    let dir = tempfile::tempdir().unwrap();
    match std::env::var(PG_ENV).ok().filter(|v| !v.is_empty()) {
        Some(server) => {
            let name = format!("xz_scratch_{}", uuid::Uuid::now_v7().simple());
            let admin = Database::connect(&server).await.unwrap();
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
            admin.close().await.ok();
            ScratchDb { url: with_database(&server, &name), pg: Some((server, name)), dir }
        }
        None => {
            let url = format!("sqlite://{}/scratch.db?mode=rwc", dir.path().display());
            ScratchDb { url, pg: None, dir }
        }
    }
}

impl ScratchDb {
    /// Whether it is a PostgreSQL database.
    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    /// Another empty database on the same server (or in the same folder).
    pub async fn sibling(&self, name: &str) -> String {
        match &self.pg {
            Some((server, own)) => {
                let name = format!("{own}_{name}");
                let admin = Database::connect(server).await.unwrap();
                admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
                admin.close().await.ok();
                with_database(server, &name)
            }
            None => format!("sqlite://{}/{name}.db?mode=rwc", self.dir.path().display()),
        }
    }
}

impl Drop for ScratchDb {
    fn drop(&mut self) {
        let Some((server, name)) = self.pg.take() else { return };
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async move {
                if let Ok(admin) = Database::connect(&server).await {
                    // The database and any sibling made from it.
                    let like = format!("{name}%");
                    let rows = admin
                        .query_all_raw(sea_orm::Statement::from_sql_and_values(
                            sea_orm::DbBackend::Postgres,
                            "SELECT datname FROM pg_database WHERE datname LIKE $1",
                            [like.into()],
                        ))
                        .await
                        .unwrap_or_default();
                    for row in rows {
                        if let Ok(db) = row.try_get::<String>("", "datname") {
                            let _ =
                                admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)")).await;
                        }
                    }
                    let _ = admin.close().await;
                }
            });
        })
        .join()
        .ok();
    }
}

/// The roles of accounts, typed: `app.user(&admin, "cs-admin", Role::CollegeAdmin, …)`.
pub use domain::auth::Role;

/// What [`TestApp::user`] takes as a role: a [`Role`], or its wire name (checked: a name that is
/// no role fails the test here rather than as a 422 further on).
pub trait IntoRole {
    /// The role.
    fn into_role(self) -> Role;
}

impl IntoRole for Role {
    fn into_role(self) -> Role {
        self
    }
}

impl IntoRole for &str {
    fn into_role(self) -> Role {
        self.parse().unwrap_or_else(|e| panic!("{self:?} is not a role: {e:?}"))
    }
}

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)+) => {
        $(
            $(#[$doc])*
            #[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
            #[serde(transparent)]
            pub struct $name(pub String);

            impl std::ops::Deref for $name {
                type Target = str;
                fn deref(&self) -> &str {
                    &self.0
                }
            }

            impl std::fmt::Display for $name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(&self.0)
                }
            }

            impl From<$name> for String {
                fn from(id: $name) -> String {
                    id.0
                }
            }

            impl From<$name> for Value {
                fn from(id: $name) -> Value {
                    Value::String(id.0)
                }
            }
        )+
    };
}

ids! {
    /// The id of a nomination (院推).
    NominationId;
    /// The id of an appointment (校聘).
    AppointmentId;
}

/// A student taken through 院推 and 校聘 by [`MentorBuilder::appoint`].
#[derive(Clone, Debug)]
pub struct Appointed {
    /// The appointment, `active`.
    pub appointment: AppointmentId,
    /// The nomination it was made from, `recommended`.
    pub nomination: NominationId,
}

/// Takes a student through nomination (nominate → submit → review → recommend) to an active
/// appointment: the world most tests of pairing, activities and access start from.
///
/// ```ignore
/// let m = MentorBuilder::new(&app, &admin).student(&s).year(&year).unit(&lab).capacity(3).appoint().await;
/// ```
///
/// The university admin `admin` appoints; the nomination is made, submitted, reviewed (90/90/90) and
/// recommended by `admin` too unless [`MentorBuilder::nominated_by`] names a college admin.
#[must_use]
pub struct MentorBuilder<'a> {
    app: &'a TestApp,
    admin: &'a str,
    nominator: &'a str,
    student: Option<&'a str>,
    year: Option<&'a str>,
    unit: Option<&'a str>,
    statement: &'a str,
    justification: Option<&'a str>,
    capacity: Option<i32>,
}

impl<'a> MentorBuilder<'a> {
    /// A builder on `app` whose appointments are made by the university admin `admin`.
    pub fn new(app: &'a TestApp, admin: &'a str) -> Self {
        Self {
            app,
            admin,
            nominator: admin,
            student: None,
            year: None,
            unit: None,
            statement: "乐于帮扶学弟学妹",
            justification: None,
            capacity: None,
        }
    }

    /// The student to nominate (required).
    pub fn student(mut self, student_id: &'a str) -> Self {
        self.student = Some(student_id);
        self
    }

    /// The academic year (required).
    pub fn year(mut self, year_id: &'a str) -> Self {
        self.year = Some(year_id);
        self
    }

    /// The unit the mentor will serve (required).
    pub fn unit(mut self, unit_id: &'a str) -> Self {
        self.unit = Some(unit_id);
        self
    }

    /// Who nominates, submits, reviews and recommends (default: the university admin).
    pub fn nominated_by(mut self, token: &'a str) -> Self {
        self.nominator = token;
        self
    }

    /// The nomination's statement (default `乐于帮扶学弟学妹`).
    pub fn statement(mut self, statement: &'a str) -> Self {
        self.statement = statement;
        self
    }

    /// The recommendation's justification (default: none).
    pub fn justification(mut self, justification: &'a str) -> Self {
        self.justification = Some(justification);
        self
    }

    /// The appointment's capacity (default: the server's).
    pub fn capacity(mut self, capacity: i32) -> Self {
        self.capacity = Some(capacity);
        self
    }

    /// Nominates the student and takes the nomination to `recommended`; returns its id.
    pub async fn recommend(&self) -> NominationId {
        let (Some(student), Some(year), Some(unit)) = (self.student, self.year, self.unit) else {
            panic!("MentorBuilder needs .student(..), .year(..) and .unit(..)");
        };
        let body =
            json!({"student_id": student, "academic_year_id": year, "unit_id": unit, "statement": self.statement});
        let id = self.app.post("/api/v1/nominations", self.nominator, body).await.expect(201).id();
        let recommend = match self.justification {
            Some(j) => json!({"justification": j}),
            None => json!({}),
        };
        for (action, body) in [
            ("submit", json!({})),
            ("review", json!({"morality": 90, "research": 90, "leadership": 90})),
            ("recommend", recommend),
        ] {
            let res =
                self.app.post(&format!("/api/v1/nominations/{id}/{action}"), self.nominator, body).await.expect(200);
            assert_eq!(res.body["state"], expected_state(action), "after {action}: {}", res.text);
        }
        NominationId(id)
    }

    /// Recommends, then appoints; the appointment is `active`.
    pub async fn appoint(self) -> Appointed {
        let nomination = self.recommend().await;
        let mut body = json!({"nomination_id": nomination});
        if let Some(c) = self.capacity {
            body["capacity"] = json!(c);
        }
        let res = self.app.post("/api/v1/appointments", self.admin, body).await.expect(201);
        assert_eq!(res.body["state"], "active", "{}", res.text);
        Appointed { appointment: AppointmentId(res.id()), nomination }
    }
}

fn expected_state(action: &str) -> &'static str {
    match action {
        "submit" => "submitted",
        "review" => "college_reviewed",
        _ => "recommended",
    }
}

impl TestApp {
    /// A finalized award round of `year`, titled 年度优秀学长 and open from today, that nominates
    /// `appointment` alone and so awards it (one award, weighted on work records only).
    pub async fn award_alone(&self, admin: &str, year: &str, appointment: &str) {
        let today = domain::time::shanghai_date(chrono::Utc::now());
        let round = self
            .post(
                "/api/v1/award-rounds",
                admin,
                json!({"academic_year_id": year, "award": "outstanding_mentor", "title": "年度优秀学长",
                       "nominations_open_on": today, "nominations_close_on": today + chrono::Duration::days(5),
                       "quota_share_permille": 1000, "awards": 1,
                       "figure_weights": [{"figure": "work_records", "weight": 100}], "reviewers_weight": 0,
                       "criteria": [{"key": "service", "title": "服务成效", "max": 10}]}),
            )
            .await
            .expect(201)
            .id();
        self.post(&format!("/api/v1/award-rounds/{round}/open"), admin, json!({})).await.expect(200);
        self.post(
            &format!("/api/v1/award-rounds/{round}/nominations"),
            admin,
            json!({"appointment_id": appointment, "statement": "表现突出"}),
        )
        .await
        .expect(201);
        self.post(&format!("/api/v1/award-rounds/{round}/review"), admin, json!({})).await.expect(200);
        self.post(&format!("/api/v1/award-rounds/{round}/finalize"), admin, json!({})).await.expect(200);
    }
}
