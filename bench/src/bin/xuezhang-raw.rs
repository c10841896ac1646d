//! `xuezhang-raw`: the ceiling `make bench` measures xuezhang against, in the same run, on the same
//! database. Plain actix-web and sqlx, nothing else: no ORM, no middleware, no OpenAPI, no
//! access log. Configured and started the way `xuezhang serve` is (`DATABASE_URL`,
//! `XUEZHANG_BIND`, `XUEZHANG_WORKERS`, `XUEZHANG_DB_MAX_CONNECTIONS`, `XUEZHANG_JWT_SECRET`),
//! with the same pools (SQLite: WAL, one writer connection and a pool of read-only readers;
//! PostgreSQL: one pool) and the same allocator. It never migrates: it serves a database
//! `xuezhang` migrated.
//!
//! - `GET /ping` (and `/healthz`): no database.
//! - `GET /students?page_size=20&page=1` (`raw1`): the page xuezhang's `GET /api/v1/students`
//!   serves a university admin (same columns, same order) in one query, without the total.
//! - `GET /raw4/students`: the same four queries xuezhang makes, one after the other: the
//!   token's login session, its user, `COUNT(*)`, the page; answered with the total and `Link`.
//! - `POST /students`: the same writes as xuezhang's `POST /api/v1/students`, in one
//!   transaction: the student row, its audit row and its change-feed event (numbered by the
//!   counter row while the feed has one).
//!
//! Bench-only: it checks only what it must to write valid rows, and is not part of the product.

use std::time::Duration;

use actix_web::http::header;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use chrono::{DateTime, SubsecRound, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, types::Json};
use uuid::Uuid;

/// The same allocator as `xuezhang`.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The database, as xuezhang's `Db` holds it.
#[derive(Clone)]
enum Pool {
    Sqlite { read: SqlitePool, write: SqlitePool },
    Pg(PgPool),
}

struct State {
    pool: Pool,
    sql: Sql,
    key: DecodingKey,
    validation: Validation,
    /// Whether the change feed numbers events from the `event_counter` row (else `events.seq`
    /// has a default of its own).
    counter: bool,
}

/// The columns of a student, in the entity's order.
const COLUMNS: &str = "id, student_no, name, gender, college_id, unit_id, degree, enrollment_year, \
     political_status, supervisor_id, counselor_id, phone, email, status, version, created_at, updated_at";

/// A student as xuezhang answers it (and stores it in the audit and event rows).
#[derive(Serialize)]
struct Student {
    id: Uuid,
    student_no: String,
    name: String,
    gender: String,
    college_id: Uuid,
    unit_id: Option<Uuid>,
    degree: String,
    enrollment_year: i32,
    political_status: String,
    supervisor_id: Option<Uuid>,
    counselor_id: Option<Uuid>,
    phone: Option<String>,
    email: Option<String>,
    status: String,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// Reads a student from a row of either backend.
macro_rules! student {
    ($r:expr) => {
        Student {
            id: $r.try_get("id")?,
            student_no: $r.try_get("student_no")?,
            name: $r.try_get("name")?,
            gender: $r.try_get("gender")?,
            college_id: $r.try_get("college_id")?,
            unit_id: $r.try_get("unit_id")?,
            degree: $r.try_get("degree")?,
            enrollment_year: $r.try_get("enrollment_year")?,
            political_status: $r.try_get("political_status")?,
            supervisor_id: $r.try_get("supervisor_id")?,
            counselor_id: $r.try_get("counselor_id")?,
            phone: $r.try_get("phone")?,
            email: $r.try_get("email")?,
            status: $r.try_get("status")?,
            version: $r.try_get("version")?,
            created_at: $r.try_get("created_at")?,
            updated_at: $r.try_get("updated_at")?,
        }
    };
}

#[derive(Serialize)]
struct Page {
    items: Vec<Student>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total: Option<i64>,
    page: i64,
    page_size: i64,
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<i64>,
    page_size: Option<i64>,
}

impl PageQuery {
    fn size(&self) -> i64 {
        self.page_size.unwrap_or(20).clamp(1, 100)
    }
    fn page(&self) -> i64 {
        self.page.unwrap_or(1).max(1)
    }
}

#[derive(Deserialize)]
struct Claims {
    sub: Uuid,
    sid: Option<Uuid>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewStudent {
    student_no: String,
    name: String,
    gender: String,
    college_id: Uuid,
    unit_id: Option<Uuid>,
    degree: String,
    enrollment_year: i32,
    political_status: String,
    supervisor_id: Option<Uuid>,
    counselor_id: Option<Uuid>,
    phone: Option<String>,
    email: Option<String>,
    status: Option<String>,
}

/// A failure: 401 for a bad token, 500 for the database (the bench counts non-2xx answers).
enum Fail {
    Unauthorized,
    Db(sqlx::Error),
}

impl From<sqlx::Error> for Fail {
    fn from(e: sqlx::Error) -> Self {
        Fail::Db(e)
    }
}

impl Fail {
    fn respond(self) -> HttpResponse {
        match self {
            Fail::Unauthorized => HttpResponse::Unauthorized().finish(),
            Fail::Db(e) => HttpResponse::InternalServerError().body(e.to_string()),
        }
    }
}

/// The statements, in the backend's placeholders, made once at start-up.
struct Sql {
    page: &'static str,
    session: &'static str,
    user: &'static str,
    insert_student: &'static str,
    insert_audit: &'static str,
    insert_event: &'static str,
    insert_event_sequenced: &'static str,
}

impl Sql {
    fn new(pool: &Pool) -> Self {
        let s = |text: &str| -> &'static str { sql(pool, text).leak() };
        Sql {
            page: s(&format!("SELECT {COLUMNS} FROM students ORDER BY student_no ASC, id ASC LIMIT $1 OFFSET $2")),
            session: s("SELECT id, user_id, created_at, expires_at, revoked_at FROM sessions WHERE id = $1 LIMIT 1"),
            user: s(
                "SELECT id, username, display_name, password_hash, role, college_id, student_id, staff_id, active, \
                 version, created_at, updated_at FROM users WHERE id = $1 LIMIT 1",
            ),
            insert_student: s(INSERT_STUDENT),
            insert_audit: s(INSERT_AUDIT),
            insert_event: s(INSERT_EVENT),
            insert_event_sequenced: s(INSERT_EVENT_SEQUENCED),
        }
    }
}

/// `$1, $2…` as SQLite's `?`.
fn sql(pool: &Pool, text: &str) -> String {
    match pool {
        Pool::Pg(_) => text.to_owned(),
        Pool::Sqlite { .. } => {
            let mut out = String::with_capacity(text.len());
            let mut chars = text.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '$' {
                    while chars.peek().is_some_and(char::is_ascii_digit) {
                        chars.next();
                    }
                    out.push('?');
                } else {
                    out.push(c);
                }
            }
            out
        }
    }
}

fn claims(state: &State, req: &HttpRequest) -> Result<Claims, Fail> {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(Fail::Unauthorized)?;
    jsonwebtoken::decode::<Claims>(token, &state.key, &state.validation)
        .map(|d| d.claims)
        .map_err(|_| Fail::Unauthorized)
}

/// The page, in one query.
async fn page(state: &State, q: &PageQuery) -> Result<Vec<Student>, Fail> {
    let text = state.sql.page;
    let (limit, offset) = (q.size(), (q.page() - 1) * q.size());
    let mut items = Vec::with_capacity(usize::try_from(limit).unwrap_or(20));
    match &state.pool {
        Pool::Sqlite { read, .. } => {
            for r in sqlx::query(text).bind(limit).bind(offset).fetch_all(read).await? {
                items.push(student!(r));
            }
        }
        Pool::Pg(p) => {
            for r in sqlx::query(text).bind(limit).bind(offset).fetch_all(p).await? {
                items.push(student!(r));
            }
        }
    }
    Ok(items)
}

async fn raw1(state: web::Data<State>, q: web::Query<PageQuery>) -> HttpResponse {
    match page(&state, &q).await {
        Ok(items) => HttpResponse::Ok().json(Page { items, total: None, page: q.page(), page_size: q.size() }),
        Err(e) => e.respond(),
    }
}

/// The login session and its user, as xuezhang's authentication reads them: two queries.
async fn session_and_user(state: &State, c: &Claims) -> Result<(), Fail> {
    let sid = c.sid.ok_or(Fail::Unauthorized)?;
    let (s_sql, u_sql) = (state.sql.session, state.sql.user);
    let now = Utc::now();
    let (user_id, expires, revoked, active): (Uuid, DateTime<Utc>, Option<DateTime<Utc>>, bool) = match &state.pool {
        Pool::Sqlite { read, .. } => {
            let s = sqlx::query(s_sql).bind(sid).fetch_optional(read).await?.ok_or(Fail::Unauthorized)?;
            let u = sqlx::query(u_sql).bind(c.sub).fetch_optional(read).await?.ok_or(Fail::Unauthorized)?;
            (s.try_get("user_id")?, s.try_get("expires_at")?, s.try_get("revoked_at")?, u.try_get("active")?)
        }
        Pool::Pg(p) => {
            let s = sqlx::query(s_sql).bind(sid).fetch_optional(p).await?.ok_or(Fail::Unauthorized)?;
            let u = sqlx::query(u_sql).bind(c.sub).fetch_optional(p).await?.ok_or(Fail::Unauthorized)?;
            (s.try_get("user_id")?, s.try_get("expires_at")?, s.try_get("revoked_at")?, u.try_get("active")?)
        }
    };
    if user_id != c.sub || revoked.is_some() || expires <= now || !active {
        return Err(Fail::Unauthorized);
    }
    Ok(())
}

async fn raw4(state: web::Data<State>, req: HttpRequest, q: web::Query<PageQuery>) -> HttpResponse {
    let run = async {
        let c = claims(&state, &req)?;
        session_and_user(&state, &c).await?;
        let count = "SELECT COUNT(*) AS n FROM students";
        let total: i64 = match &state.pool {
            Pool::Sqlite { read, .. } => sqlx::query(count).fetch_one(read).await?.try_get("n")?,
            Pool::Pg(p) => sqlx::query(count).fetch_one(p).await?.try_get("n")?,
        };
        let items = page(&state, &q).await?;
        Ok::<_, Fail>((total, items))
    };
    match run.await {
        Ok((total, items)) => {
            let (n, size) = (q.page(), q.size());
            let last = ((total + size - 1) / size).max(1);
            let mut link = format!("</raw4/students?page=1&page_size={size}>; rel=\"first\"");
            if n < last {
                link.push_str(&format!(", </raw4/students?page={}&page_size={size}>; rel=\"next\"", n + 1));
            }
            link.push_str(&format!(", </raw4/students?page={last}&page_size={size}>; rel=\"last\""));
            HttpResponse::Ok().insert_header((header::LINK, link)).json(Page {
                items,
                total: Some(total),
                page: n,
                page_size: size,
            })
        }
        Err(e) => e.respond(),
    }
}

const INSERT_STUDENT: &str = "INSERT INTO students (id, student_no, name, gender, college_id, unit_id, degree, \
     enrollment_year, political_status, supervisor_id, counselor_id, phone, email, status, version, created_at, \
     updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)";
const INSERT_AUDIT: &str = "INSERT INTO audit_events (id, occurred_at, actor_kind, actor_id, action, target_type, \
     target_id, changes) VALUES ($1, $2, 'user', $3, 'student.create', 'student', $4, $5)";
const NEXT_SEQ: &str = "UPDATE event_counter SET last = last + 1 WHERE id = 1 RETURNING last";
const INSERT_EVENT: &str = "INSERT INTO events (seq, id, event_type, occurred_at, resource_type, resource_id, \
     payload) VALUES ($1, $2, 'student.created', $3, 'student', $4, $5)";
const INSERT_EVENT_SEQUENCED: &str = "INSERT INTO events (id, event_type, occurred_at, resource_type, resource_id, \
     payload) VALUES ($1, 'student.created', $2, 'student', $3, $4)";

/// Binds a student's columns in `INSERT_STUDENT`'s order.
macro_rules! bind_student {
    ($q:expr, $s:expr) => {
        $q.bind($s.id)
            .bind(&$s.student_no)
            .bind(&$s.name)
            .bind(&$s.gender)
            .bind($s.college_id)
            .bind($s.unit_id)
            .bind(&$s.degree)
            .bind($s.enrollment_year)
            .bind(&$s.political_status)
            .bind($s.supervisor_id)
            .bind($s.counselor_id)
            .bind(&$s.phone)
            .bind(&$s.email)
            .bind(&$s.status)
            .bind($s.version)
            .bind($s.created_at)
            .bind($s.updated_at)
    };
}

/// The three writes in one transaction, on `$tx` of either backend.
macro_rules! write_student {
    ($state:expr, $tx:expr, $s:expr, $actor:expr) => {{
        let now = $s.created_at;
        let after = Json(serde_json::json!({ "after": &$s }));
        bind_student!(sqlx::query($state.sql.insert_student), $s).execute(&mut *$tx).await?;
        sqlx::query($state.sql.insert_audit)
            .bind(Uuid::now_v7())
            .bind(now)
            .bind($actor)
            .bind($s.id)
            .bind(after)
            .execute(&mut *$tx)
            .await?;
        let payload = Json(&$s);
        if $state.counter {
            let seq: i64 = sqlx::query(NEXT_SEQ).fetch_one(&mut *$tx).await?.try_get("last")?;
            sqlx::query($state.sql.insert_event)
                .bind(seq)
                .bind(Uuid::now_v7())
                .bind(now)
                .bind($s.id)
                .bind(payload)
                .execute(&mut *$tx)
                .await?;
        } else {
            sqlx::query($state.sql.insert_event_sequenced)
                .bind(Uuid::now_v7())
                .bind(now)
                .bind($s.id)
                .bind(payload)
                .execute(&mut *$tx)
                .await?;
        }
    }};
}

async fn create(state: web::Data<State>, req: HttpRequest, body: web::Json<NewStudent>) -> HttpResponse {
    let run = async {
        let c = claims(&state, &req)?;
        let n = body.into_inner();
        // Microseconds, as xuezhang stores them (PostgreSQL keeps no more).
        let now = Utc::now().trunc_subsecs(6);
        let s = Student {
            id: Uuid::now_v7(),
            student_no: n.student_no.to_uppercase(),
            name: n.name,
            gender: n.gender,
            college_id: n.college_id,
            unit_id: n.unit_id,
            degree: n.degree,
            enrollment_year: n.enrollment_year,
            political_status: n.political_status,
            supervisor_id: n.supervisor_id,
            counselor_id: n.counselor_id,
            phone: n.phone,
            email: n.email,
            status: n.status.unwrap_or_else(|| "enrolled".into()),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        match &state.pool {
            Pool::Sqlite { write, .. } => {
                let mut tx = write.begin_with("BEGIN IMMEDIATE").await?;
                write_student!(state, tx, s, c.sub);
                tx.commit().await?;
            }
            Pool::Pg(p) => {
                let mut tx = p.begin().await?;
                write_student!(state, tx, s, c.sub);
                tx.commit().await?;
            }
        }
        Ok::<_, Fail>(s)
    };
    match run.await {
        Ok(s) => HttpResponse::Created()
            .insert_header((header::LOCATION, format!("/students/{}", s.id)))
            .insert_header((header::ETAG, format!("\"{}\"", s.version)))
            .json(&s),
        Err(e) => e.respond(),
    }
}

async fn ping() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

async fn connect(url: &str, max: u32) -> Result<Pool, String> {
    let e = |e: sqlx::Error| e.to_string();
    if url.starts_with("sqlite:") {
        let base: SqliteConnectOptions = url.parse().map_err(e)?;
        let base = base
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(base.clone().create_if_missing(false))
            .await
            .map_err(e)?;
        let read = SqlitePoolOptions::new()
            .max_connections(max.max(1))
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(base.read_only(true))
            .await
            .map_err(e)?;
        Ok(Pool::Sqlite { read, write })
    } else {
        let pool = PgPoolOptions::new()
            .max_connections(max.max(2))
            .min_connections(1)
            .acquire_timeout(Duration::from_millis(1500))
            .connect(url)
            .await
            .map_err(e)?;
        Ok(Pool::Pg(pool))
    }
}

#[actix_web::main]
async fn main() -> Result<(), String> {
    let url = env("DATABASE_URL").unwrap_or_else(|| "sqlite://xuezhang.db?mode=rwc".into());
    let bind = env("XUEZHANG_BIND").unwrap_or_else(|| "127.0.0.1:8080".into());
    let workers: usize = env("XUEZHANG_WORKERS").map_or(Ok(0), |v| v.parse()).map_err(|e| format!("workers: {e}"))?;
    let max: u32 =
        env("XUEZHANG_DB_MAX_CONNECTIONS").map_or(Ok(8), |v| v.parse()).map_err(|e| format!("connections: {e}"))?;
    let secret = env("XUEZHANG_JWT_SECRET").ok_or("XUEZHANG_JWT_SECRET is required")?;
    let pool = connect(&url, max).await?;
    let counter = match &pool {
        Pool::Sqlite { read, .. } => sqlx::query("SELECT last FROM event_counter").fetch_optional(read).await.is_ok(),
        Pool::Pg(p) => sqlx::query("SELECT last FROM event_counter").fetch_optional(p).await.is_ok(),
    };
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_issuer(&[env("XUEZHANG_JWT_ISSUER").unwrap_or_else(|| "xuezhang".into())]);
    validation.set_audience(&[env("XUEZHANG_JWT_AUDIENCE").unwrap_or_else(|| "xuezhang-api".into())]);
    validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
    validation.leeway = 30;
    let sql = Sql::new(&pool);
    let state =
        web::Data::new(State { pool, sql, key: DecodingKey::from_secret(secret.as_bytes()), validation, counter });
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .route("/ping", web::get().to(ping))
            .route("/healthz", web::get().to(ping))
            .route("/students", web::get().to(raw1))
            .route("/students", web::post().to(create))
            .route("/raw4/students", web::get().to(raw4))
    });
    if workers > 0 {
        server = server.workers(workers);
    }
    server.bind(&bind).map_err(|e| format!("{bind}: {e}"))?.run().await.map_err(|e| e.to_string())
}
