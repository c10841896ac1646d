//! The settings of a running server, read from the environment by the binary and passed in.

use std::fmt;
use std::time::Duration;

/// Everything the HTTP application needs to know about its environment.
#[derive(Clone)]
pub struct Settings {
    /// Database URL (`sqlite://…` or `postgres://…`).
    pub database_url: String,
    /// Pool size (PostgreSQL) or number of SQLite readers.
    pub db_max_connections: u32,
    /// Address to listen on; port 0 picks a free port (tests).
    pub bind: String,
    /// HMAC secret for access tokens; `None` means: use (or create) one stored in the database,
    /// which only the SQLite default allows.
    pub jwt_secret: Option<String>,
    /// `iss` of the access tokens.
    pub jwt_issuer: String,
    /// `aud` of the access tokens.
    pub jwt_audience: String,
    /// Origins allowed to call the API from a browser; `*` allows any.
    pub cors_origins: Vec<String>,
    /// Worker threads of the HTTP server (0: one per core).
    pub workers: usize,
    /// Create the first university admin when there is no user at all.
    pub bootstrap_admin: bool,
    /// The largest body (or uploaded file) a bulk import takes, in bytes; at most 64 MiB.
    pub import_max_bytes: usize,
    /// Apply pending migrations when starting (`xuezhang serve --no-migrate` turns it off, for
    /// deployments that migrate in a step of their own).
    pub migrate_on_start: bool,
    /// Where to serve `GET /metrics` apart from the API (`127.0.0.1:9464`); `None`: no listener.
    pub metrics_bind: Option<String>,
    /// A bearer token that `GET /metrics` asks for; with it set, the API port serves `/metrics` too.
    pub metrics_token: Option<String>,
    /// How long a request waits for a PostgreSQL connection before answering 503.
    pub db_acquire_timeout: Duration,
    /// How long the whole request body may take to arrive once the headers are in; a slower body
    /// is answered 408 and the connection closed.
    pub body_timeout: Duration,
    /// On SIGTERM/SIGINT: how long `/readyz` answers 503 (`draining`) while the server still serves
    /// everything, so that a load balancer stops sending before the listener closes.
    pub drain: Duration,
    /// After the drain: how long requests in flight get to finish before they are cut off.
    pub shutdown_grace: Duration,
    /// Reverse proxies believed about the client's address (`X-Forwarded-For`), for the rate
    /// limits of the public inquiry form; empty: the connection's peer is the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

/// The default of [`Settings::body_timeout`]: a 64 MiB import at 2.3 MB/s.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// The default of [`Settings::drain`].
pub const DEFAULT_DRAIN: Duration = Duration::from_secs(2);

/// The default of [`Settings::shutdown_grace`].
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// The shortest accepted metrics token, in bytes.
pub const MIN_METRICS_TOKEN_BYTES: usize = 16;

/// The default, and largest, import body: 64 MiB holds well over 100,000 students in any format
/// (the `Idempotency-Key` middleware buffers bodies up to the same size).
pub const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;

/// The shortest accepted JWT secret, in bytes (HS256 wants at least the hash size).
pub const MIN_JWT_SECRET_BYTES: usize = 32;

impl Settings {
    /// Settings for tests and tools: the given database, port 0, a fixed secret.
    pub fn for_database(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            db_max_connections: 8,
            bind: "127.0.0.1:0".into(),
            jwt_secret: None,
            jwt_issuer: "xuezhang".into(),
            jwt_audience: "xuezhang-api".into(),
            cors_origins: Vec::new(),
            workers: 2,
            bootstrap_admin: false,
            import_max_bytes: MAX_IMPORT_BYTES,
            migrate_on_start: true,
            metrics_bind: None,
            metrics_token: None,
            db_acquire_timeout: persistence::DEFAULT_ACQUIRE_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            drain: DEFAULT_DRAIN,
            shutdown_grace: DEFAULT_SHUTDOWN_GRACE,
            trusted_proxies: Vec::new(),
        }
    }

    /// Checks the settings that can be checked without connecting anywhere.
    pub fn check(&self) -> Result<(), String> {
        if let Some(s) = &self.jwt_secret
            && s.len() < MIN_JWT_SECRET_BYTES
        {
            return Err(format!("XUEZHANG_JWT_SECRET must be at least {MIN_JWT_SECRET_BYTES} bytes long"));
        }
        if !(1..=MAX_IMPORT_BYTES).contains(&self.import_max_bytes) {
            return Err(format!("XUEZHANG_IMPORT_MAX_BYTES must be between 1 and {MAX_IMPORT_BYTES}"));
        }
        if let Some(t) = &self.metrics_token
            && t.len() < MIN_METRICS_TOKEN_BYTES
        {
            return Err(format!("XUEZHANG_METRICS_TOKEN must be at least {MIN_METRICS_TOKEN_BYTES} bytes long"));
        }
        if self.db_acquire_timeout < Duration::from_millis(100) {
            return Err("XUEZHANG_DB_ACQUIRE_TIMEOUT_SECS must be at least 0.1".into());
        }
        if self.body_timeout < Duration::from_secs(1) {
            return Err("XUEZHANG_BODY_TIMEOUT_SECS must be at least 1".into());
        }
        if self.jwt_secret.is_none() && !self.database_url.starts_with("sqlite:") {
            return Err("XUEZHANG_JWT_SECRET is required when the database is not SQLite".into());
        }
        Ok(())
    }
}

impl fmt::Debug for Settings {
    // The secret and the database URL (which may hold a password) stay out of logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("database", &self.database_url.split(':').next().unwrap_or("?"))
            .field("bind", &self.bind)
            .field("jwt_secret", &self.jwt_secret.as_ref().map(|_| "<set>"))
            .field("jwt_issuer", &self.jwt_issuer)
            .field("jwt_audience", &self.jwt_audience)
            .field("cors_origins", &self.cors_origins)
            .field("workers", &self.workers)
            .field("import_max_bytes", &self.import_max_bytes)
            .field("migrate_on_start", &self.migrate_on_start)
            .field("metrics_bind", &self.metrics_bind)
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "<set>"))
            .field("db_acquire_timeout", &self.db_acquire_timeout)
            .field("body_timeout", &self.body_timeout)
            .field("drain", &self.drain)
            .field("shutdown_grace", &self.shutdown_grace)
            .field("trusted_proxies", &self.trusted_proxies)
            .finish()
    }
}
