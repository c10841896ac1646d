//! `xuezhang`: the server of the graduate Party-member mentor program.
//!
//! `xuezhang serve` (the default) migrates the database and serves the API; `xuezhang migrate`
//! only migrates (`--check` only says where the schema stands); `xuezhang backup` and
//! `xuezhang restore` copy a SQLite database out and back; `xuezhang openapi` prints the OpenAPI
//! document; `xuezhang create-admin` creates a university admin with a password read from standard
//! input; `xuezhang healthcheck` asks a running server's `/healthz` (the container's HEALTHCHECK);
//! `xuezhang demo` fills an empty database with a demo academic year.

mod demo;
mod logging;

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use persistence::{Db, DbConfig};
use xuezhang_http::{Application, Settings};

/// mimalloc rather than glibc malloc: a bulk import allocates and frees millions of small values,
/// and glibc's heap consolidation made a 100,000-student import two to three times slower.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Hands the calling thread's freed memory back to the system: set as `persistence::memory`'s
/// collector, called after a password hash and an import.
#[allow(unsafe_code)]
fn collect_freed_memory() {
    // SAFETY: `mi_collect` has no preconditions; it purges the free pages of the calling thread's
    // heap (and, forced, of abandoned ones) in the allocator this binary runs on.
    unsafe { libmimalloc_sys::mi_collect(true) }
}

/// The default database: a SQLite file in the working directory, created if missing.
const DEFAULT_DATABASE_URL: &str = "sqlite://xuezhang.db?mode=rwc";

/// The exit status of `migrate --check` when migrations are pending.
const EXIT_BEHIND: u8 = 3;
/// The exit status of `migrate --check` (and of every command) when a newer binary migrated the
/// database.
const EXIT_AHEAD: u8 = 4;

#[derive(Parser)]
#[command(name = "xuezhang", version, about = "The xuezhang (学长) API server")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database, then serve the API (the default).
    Serve {
        /// Do not migrate: serve a database migrated by `xuezhang migrate` (`/readyz` answers 503
        /// while migrations are pending). A database a newer binary migrated is refused either way.
        #[arg(long)]
        no_migrate: bool,
    },
    /// Migrate the database and exit.
    Migrate {
        /// Migrate nothing: say whether the database is current (exit 0), behind (exit 3) or
        /// ahead of this binary (exit 4).
        #[arg(long)]
        check: bool,
    },
    /// Write a consistent copy of the SQLite database to a new file, while the server runs.
    Backup {
        /// The file to write (it must not exist).
        #[arg(long)]
        to: PathBuf,
    },
    /// Put a backup in place of the SQLite database (stop the server first).
    Restore {
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
        /// Replace an existing database.
        #[arg(long)]
        force: bool,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Create a university admin; the password is read from standard input.
    CreateAdmin {
        /// The login name.
        #[arg(long)]
        username: String,
        /// Read the password from standard input (required, so it never appears in the process list).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Fill an EMPTY database with a realistic academic year (the one running today) for
    /// demonstrations, through the API, and print one login per role. Every demo account has the
    /// same documented password: never use a demo database for real data.
    Demo {
        /// The seed of the generated names and choices: the same seed gives the same data.
        #[arg(long, default_value_t = demo::DEFAULT_SEED)]
        seed: u64,
    },
    /// Exit 0 when the server at `XUEZHANG_BIND` answers `GET /healthz` with 200 (for container
    /// health checks, which have no curl).
    Healthcheck {
        /// Ask this URL instead (`http://host:port/healthz`).
        #[arg(long)]
        url: Option<String>,
    },
}

/// Why a command failed, and the exit status it ends with.
struct Failure {
    message: String,
    status: u8,
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Self { message, status: 1 }
    }
}

impl From<persistence::Error> for Failure {
    fn from(e: persistence::Error) -> Self {
        let status = if matches!(e, persistence::Error::SchemaAhead(_)) { EXIT_AHEAD } else { 1 };
        Self { message: e.to_string(), status }
    }
}

impl From<xuezhang_http::StartError> for Failure {
    fn from(e: xuezhang_http::StartError) -> Self {
        match e {
            xuezhang_http::StartError::Database(e) => e.into(),
            other => other.to_string().into(),
        }
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// A duration in seconds, fractions allowed (`1.5`).
fn seconds(name: &str, v: &str) -> Result<std::time::Duration, String> {
    v.parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0 && *s <= 86_400.0)
        .map(std::time::Duration::from_secs_f64)
        .ok_or_else(|| format!("{name} must be a number of seconds, not `{v}`"))
}

fn settings() -> Result<Settings, String> {
    let database_url = env("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
    let mut s = Settings::for_database(database_url);
    s.bind = env("XUEZHANG_BIND").unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    s.jwt_secret = env("XUEZHANG_JWT_SECRET");
    if let Some(v) = env("XUEZHANG_JWT_ISSUER") {
        s.jwt_issuer = v;
    }
    if let Some(v) = env("XUEZHANG_JWT_AUDIENCE") {
        s.jwt_audience = v;
    }
    s.cors_origins = env("XUEZHANG_CORS_ORIGINS")
        .map(|v| v.split(',').map(|o| o.trim().to_owned()).filter(|o| !o.is_empty()).collect())
        .unwrap_or_default();
    s.workers = match env("XUEZHANG_WORKERS") {
        Some(v) => v.parse().map_err(|_| format!("XUEZHANG_WORKERS must be a number, not `{v}`"))?,
        None => 0,
    };
    s.db_max_connections = match env("XUEZHANG_DB_MAX_CONNECTIONS") {
        Some(v) => v.parse().map_err(|_| format!("XUEZHANG_DB_MAX_CONNECTIONS must be a number, not `{v}`"))?,
        None => 8,
    };
    if let Some(v) = env("XUEZHANG_DB_ACQUIRE_TIMEOUT_SECS") {
        s.db_acquire_timeout = seconds("XUEZHANG_DB_ACQUIRE_TIMEOUT_SECS", &v)?;
    }
    if let Some(v) = env("XUEZHANG_BODY_TIMEOUT_SECS") {
        s.body_timeout = seconds("XUEZHANG_BODY_TIMEOUT_SECS", &v)?;
    }
    if let Some(v) = env("XUEZHANG_DRAIN_SECS") {
        s.drain = seconds("XUEZHANG_DRAIN_SECS", &v)?;
    }
    if let Some(v) = env("XUEZHANG_SHUTDOWN_GRACE_SECS") {
        s.shutdown_grace = seconds("XUEZHANG_SHUTDOWN_GRACE_SECS", &v)?;
    }
    if let Some(v) = env("XUEZHANG_IMPORT_MAX_BYTES") {
        s.import_max_bytes =
            v.parse().map_err(|_| format!("XUEZHANG_IMPORT_MAX_BYTES must be a number of bytes, not `{v}`"))?;
    }
    if let Some(v) = env("XUEZHANG_TRUSTED_PROXIES") {
        s.trusted_proxies = xuezhang_http::client_addr::parse_trusted(&v)?;
    }
    s.metrics_bind = env("XUEZHANG_METRICS_BIND");
    s.metrics_token = env("XUEZHANG_METRICS_TOKEN");
    // The generated password is shown once, and only on a terminal: never into a log file, a
    // container log or the journal. Elsewhere the first admin is made with `create-admin`.
    s.bootstrap_admin = std::io::stdout().is_terminal();
    Ok(s)
}

async fn serve(mut settings: Settings, no_migrate: bool) -> Result<(), Failure> {
    // Only serving needs the token secret; migrating and creating an admin do not.
    settings.check()?;
    settings.migrate_on_start = !no_migrate;
    log::info!("starting with {settings:?}");
    let app = Application::build(settings.clone()).await?;
    if let Some((username, password)) = app.initial_admin() {
        // Shown once, like Grafana or Jenkins do: the database had no user at all.
        println!("==================================================================");
        println!(" Created the first university admin.");
        println!("   username: {username}");
        println!("   password: {password}");
        println!(" This password is shown only once. Change it after logging in:");
        println!("   POST /api/v1/me/password");
        println!("==================================================================");
    } else if !settings.bootstrap_admin && !persistence::ops::has_users(app.db()).await? {
        log::warn!(
            "there is no user yet; create the first university admin with \
             `xuezhang create-admin --username admin --password-stdin`"
        );
    }
    log::info!("listening on http://{}:{} (Swagger UI at /docs/)", host_of(&settings.bind), app.port());
    if let Some(port) = app.metrics_port() {
        log::info!("metrics on http://{}:{port}/metrics", host_of(settings.metrics_bind.as_deref().unwrap_or("")));
    }
    app.run_with_signals().await.map_err(|e| e.to_string().into())
}

fn host_of(bind: &str) -> &str {
    bind.rsplit_once(':').map(|(h, _)| h).unwrap_or(bind)
}

async fn connect(settings: &Settings) -> Result<Db, Failure> {
    let db = Db::connect(&DbConfig { max_connections: 2, ..DbConfig::new(settings.database_url.clone()) }).await?;
    db.migrate().await?;
    Ok(db)
}

async fn migrate(settings: Settings, check: bool) -> Result<(), Failure> {
    if !check {
        let db = connect(&settings).await?;
        db.close().await;
        println!("migrated");
        return Ok(());
    }
    let db = Db::connect(&DbConfig { max_connections: 2, ..DbConfig::new(settings.database_url.clone()) }).await?;
    let status = db.schema_status().await;
    db.close().await;
    let status = status?;
    println!("{}", status.describe());
    if status.is_ahead() {
        Err(Failure { message: "the database is newer than this binary".into(), status: EXIT_AHEAD })
    } else if !status.pending.is_empty() {
        Err(Failure { message: "migrations are pending".into(), status: EXIT_BEHIND })
    } else {
        Ok(())
    }
}

fn print_summary(what: &str, s: &persistence::backup::Summary) {
    println!("{what} {} ({} bytes): feed head {}, {}", s.path.display(), s.bytes, s.feed_head, s.schema.describe());
}

async fn create_admin(settings: Settings, username: String) -> Result<(), Failure> {
    let username = domain::accounts::parse_username("username", &username).map_err(|e| e.message)?;
    let mut password = String::new();
    std::io::stdin().read_to_string(&mut password).map_err(|e| format!("reading the password: {e}"))?;
    let password = password.trim_end_matches(['\r', '\n']).to_owned();
    domain::accounts::check_password("password", &password, &username).map_err(|e| e.message)?;
    let db = connect(&settings).await?;
    let user = persistence::accounts::create_admin(&db, &username, &password).await?;
    println!("created university admin {} ({})", user.username, user.id);
    db.close().await;
    Ok(())
}

/// `GET /healthz` over plain HTTP/1.1 with the standard library: the runtime image has no curl.
fn healthcheck(url: Option<String>) -> Result<(), Failure> {
    use std::net::{TcpStream, ToSocketAddrs};
    use std::time::Duration;
    let url = url.unwrap_or_else(|| {
        let bind = env("XUEZHANG_BIND").unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        let (host, port) = bind.rsplit_once(':').unwrap_or(("127.0.0.1", "8080"));
        let host = match host {
            "0.0.0.0" | "" => "127.0.0.1",
            "[::]" => "[::1]",
            h => h,
        };
        format!("http://{host}:{port}/healthz")
    });
    let rest = url.strip_prefix("http://").ok_or_else(|| format!("{url}: only http:// URLs are checked"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let timeout = Duration::from_secs(3);
    let addr = authority
        .to_socket_addrs()
        .map_err(|e| format!("{authority}: {e}"))?
        .next()
        .ok_or_else(|| format!("{authority}: no address"))?;
    let mut stream = TcpStream::connect_timeout(&addr, timeout).map_err(|e| format!("{url}: {e}"))?;
    stream
        .set_read_timeout(Some(timeout))
        .and_then(|()| stream.set_write_timeout(Some(timeout)))
        .map_err(|e| e.to_string())?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let mut head = [0u8; 64];
    let n = stream.read(&mut head).map_err(|e| format!("{url}: {e}"))?;
    let status_line = String::from_utf8_lossy(&head[..n]);
    match status_line.split_whitespace().nth(1) {
        Some("200") => Ok(()),
        Some(code) => Err(format!("{url} answered {code}").into()),
        None => Err(format!("{url} did not answer HTTP").into()),
    }
}

async fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command.unwrap_or(Command::Serve { no_migrate: false }) {
        Command::Openapi => {
            // Written without print! so a closed pipe (`| head`) ends quietly instead of panicking.
            let mut out = std::io::stdout().lock();
            match out.write_all(xuezhang_http::openapi::document_json().as_bytes()).and_then(|()| out.flush()) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(e) => Err(format!("writing the document: {e}").into()),
            }
        }
        Command::Serve { no_migrate } => serve(settings()?, no_migrate).await,
        Command::Migrate { check } => migrate(settings()?, check).await,
        Command::Backup { to } => {
            let summary = persistence::backup::sqlite_backup(&settings()?.database_url, &to).await?;
            print_summary("backed up to", &summary);
            Ok(())
        }
        Command::Restore { from, force } => {
            let summary = persistence::backup::sqlite_restore(&settings()?.database_url, &from, force).await?;
            print_summary("restored", &summary);
            Ok(())
        }
        Command::CreateAdmin { username, password_stdin: _ } => create_admin(settings()?, username).await,
        Command::Healthcheck { url } => healthcheck(url),
        Command::Demo { seed } => demo::run(settings()?, seed).await,
    }
}

#[actix_web::main]
async fn main() -> ExitCode {
    persistence::memory::set_release(collect_freed_memory);
    match logging::Format::from_env(env("XUEZHANG_LOG_FORMAT").as_deref()) {
        Ok(format) => logging::init(format),
        Err(e) => {
            eprintln!("xuezhang: {e}");
            return ExitCode::FAILURE;
        }
    }
    let result = run(Cli::parse()).await;
    // The log's last lines before the failure, or before the process ends.
    logging::flush();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("xuezhang: {}", f.message);
            ExitCode::from(f.status)
        }
    }
}
