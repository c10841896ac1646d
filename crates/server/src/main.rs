//! `xuezhang`: the server of the graduate Party-member mentor program.
//!
//! `xuezhang serve` (the default) migrates the database and serves the API; `xuezhang migrate`
//! only migrates; `xuezhang openapi` prints the OpenAPI document; `xuezhang create-admin` creates a
//! university admin with a password read from standard input.

use std::io::{Read, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use persistence::{Db, DbConfig};
use xuezhang_http::{Application, Settings};

/// mimalloc rather than glibc malloc: a bulk import allocates and frees millions of small values,
/// and glibc's heap consolidation made a 100,000-student import two to three times slower.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The default database: a SQLite file in the working directory, created if missing.
const DEFAULT_DATABASE_URL: &str = "sqlite://xuezhang.db?mode=rwc";

#[derive(Parser)]
#[command(name = "xuezhang", version, about = "The xuezhang (学长) API server")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database, then serve the API (the default).
    Serve,
    /// Migrate the database and exit.
    Migrate,
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
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
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
    if let Some(v) = env("XUEZHANG_IMPORT_MAX_BYTES") {
        s.import_max_bytes =
            v.parse().map_err(|_| format!("XUEZHANG_IMPORT_MAX_BYTES must be a number of bytes, not `{v}`"))?;
    }
    s.bootstrap_admin = true;
    Ok(s)
}

async fn serve(settings: Settings) -> Result<(), String> {
    // Only serving needs the token secret; migrating and creating an admin do not.
    settings.check()?;
    log::info!("starting with {settings:?}");
    let app = Application::build(settings.clone()).await.map_err(|e| e.to_string())?;
    if let Some((username, password)) = app.initial_admin() {
        // Shown once, like Grafana or Jenkins do: the database had no user at all.
        println!("==================================================================");
        println!(" Created the first university admin.");
        println!("   username: {username}");
        println!("   password: {password}");
        println!(" This password is shown only once. Change it after logging in:");
        println!("   POST /api/v1/me/password");
        println!("==================================================================");
    }
    log::info!("listening on http://{}:{} (Swagger UI at /docs/)", host_of(&settings.bind), app.port());
    app.run_until_stopped().await.map_err(|e| e.to_string())
}

fn host_of(bind: &str) -> &str {
    bind.rsplit_once(':').map(|(h, _)| h).unwrap_or(bind)
}

async fn connect(settings: &Settings) -> Result<Db, String> {
    let db = Db::connect(&DbConfig { url: settings.database_url.clone(), max_connections: 2 })
        .await
        .map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    Ok(db)
}

async fn create_admin(settings: Settings, username: String) -> Result<(), String> {
    let username = domain::accounts::parse_username("username", &username).map_err(|e| e.message)?;
    let mut password = String::new();
    std::io::stdin().read_to_string(&mut password).map_err(|e| format!("reading the password: {e}"))?;
    let password = password.trim_end_matches(['\r', '\n']).to_owned();
    domain::accounts::check_password("password", &password, &username).map_err(|e| e.message)?;
    let db = connect(&settings).await?;
    let user = persistence::accounts::create_admin(&db, &username, &password).await.map_err(|e| e.to_string())?;
    println!("created university admin {} ({})", user.username, user.id);
    db.close().await;
    Ok(())
}

async fn run(cli: Cli) -> Result<(), String> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Openapi => {
            // Written without print! so a closed pipe (`| head`) ends quietly instead of panicking.
            let mut out = std::io::stdout().lock();
            match out.write_all(xuezhang_http::openapi::document_json().as_bytes()).and_then(|()| out.flush()) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(e) => Err(format!("writing the document: {e}")),
            }
        }
        Command::Serve => serve(settings()?).await,
        Command::Migrate => {
            let db = connect(&settings()?).await?;
            db.close().await;
            println!("migrated");
            Ok(())
        }
        Command::CreateAdmin { username, password_stdin: _ } => create_admin(settings()?, username).await,
    }
}

#[actix_web::main]
async fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xuezhang: {e}");
            ExitCode::FAILURE
        }
    }
}
