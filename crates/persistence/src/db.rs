//! Connecting to SQLite or PostgreSQL, migrating, and starting write transactions.

use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

use crate::Result;
use crate::schema::SchemaStatus;

/// Connection settings.
#[derive(Debug, Clone)]
pub struct DbConfig {
    /// `sqlite://path?mode=rwc` or `postgres://…`.
    pub url: String,
    /// Pool size for PostgreSQL, and the number of SQLite readers.
    pub max_connections: u32,
    /// How long a request waits for a PostgreSQL connection before it fails with `Unavailable`
    /// (a 503): short, so that a database outage fails fast instead of holding every request.
    /// SQLite waits [`SQLITE_ACQUIRE_TIMEOUT`]: its one writer connection is a queue, not an outage.
    pub acquire_timeout: Duration,
}

/// The default of [`DbConfig::acquire_timeout`].
pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_millis(1500);

/// How long a SQLite request waits for a connection (writes queue for the single writer, behind
/// imports that may take seconds).
pub const SQLITE_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

impl DbConfig {
    /// Settings for `url` with the default pool size and acquire timeout.
    pub fn new(url: impl Into<String>) -> Self {
        Self { url: url.into(), max_connections: 8, acquire_timeout: DEFAULT_ACQUIRE_TIMEOUT }
    }
}

/// A handle on the database: a pool for reads and one for writes. On PostgreSQL both are the same
/// pool; on SQLite the writer is a single connection so writes queue in the pool rather than
/// fighting over the file lock.
#[derive(Debug, Clone)]
pub struct Db {
    read: DatabaseConnection,
    write: DatabaseConnection,
    begin_wait: Option<BeginWaitObserver>,
    /// Imports lock whole tables, so they run one after the other anyway; on one node they queue
    /// here, holding no connection, rather than in the pool, where twenty waiting imports would
    /// hold every connection and leave other requests to time out on a pool acquire.
    imports: Arc<tokio::sync::Semaphore>,
    /// The ids of the imports this process is running. On SQLite one process owns the file, so a
    /// record left `running` whose id is not here is an import that did not complete; PostgreSQL
    /// tells that from the row lock each running import holds instead (`imports::runs`).
    running_imports: Arc<Mutex<HashSet<uuid::Uuid>>>,
    /// The application's clock; tests move it forward to reach a deadline without sleeping.
    clock: domain::time::Clock,
}

/// Told how long each write transaction waited to start (the metrics of `GET /metrics`).
#[derive(Clone)]
pub struct BeginWaitObserver(pub Arc<dyn Fn(Duration) + Send + Sync>);

impl fmt::Debug for BeginWaitObserver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BeginWaitObserver")
    }
}

/// The PostgreSQL advisory lock key that serialises migrations of several nodes starting at once.
const MIGRATION_LOCK: i64 = 0x7875_657a_6861_6e67; // "xuezhang"

const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

fn sqlite_options(opts: SqliteConnectOptions) -> SqliteConnectOptions {
    opts.journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(SQLITE_BUSY_TIMEOUT)
        .foreign_keys(true)
}

fn options(url: &str, max_connections: u32, acquire_timeout: Duration) -> ConnectOptions {
    let mut opt = ConnectOptions::new(url.to_owned());
    opt.max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10).min(acquire_timeout.max(Duration::from_secs(1))))
        .acquire_timeout(acquire_timeout)
        // Statements carry personal data; never log them at info level.
        .sqlx_logging(false);
    opt
}

impl Db {
    /// Connects to the database at `config.url`, creating a SQLite file if it is missing.
    pub async fn connect(config: &DbConfig) -> Result<Self> {
        let url = config.url.as_str();
        if url.starts_with("sqlite:") {
            // The writer connects first: it creates the file and switches it to WAL.
            let mut w = options(url, 1, SQLITE_ACQUIRE_TIMEOUT);
            w.map_sqlx_sqlite_opts(|o| sqlite_options(o).create_if_missing(true));
            let write = Database::connect(w).await?;
            let mut r = options(url, config.max_connections.max(1), SQLITE_ACQUIRE_TIMEOUT);
            r.map_sqlx_sqlite_opts(|o| sqlite_options(o).read_only(true));
            let read = Database::connect(r).await?;
            Ok(Self {
                read,
                write,
                begin_wait: None,
                imports: Arc::new(tokio::sync::Semaphore::new(1)),
                running_imports: Default::default(),
                clock: Default::default(),
            })
        } else {
            let mut o = options(url, config.max_connections.max(2), config.acquire_timeout);
            o.map_sqlx_postgres_opts(|o| o.application_name("xuezhang"));
            let pool = Database::connect(o).await?;
            Ok(Self {
                read: pool.clone(),
                write: pool,
                begin_wait: None,
                imports: Arc::new(tokio::sync::Semaphore::new(1)),
                running_imports: Default::default(),
                clock: Default::default(),
            })
        }
    }

    /// The application's clock: "now" for rules that depend on elapsed time. Clones of this `Db`
    /// share it, so a test holding the server's `Db` can move the server's time.
    pub fn clock(&self) -> &domain::time::Clock {
        &self.clock
    }

    /// Waits for this node's turn to run an import.
    pub(crate) async fn import_turn(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        // The semaphore is never closed.
        self.imports.acquire().await.ok()
    }

    /// Notes that this process runs the import `id` (until [`Db::import_ended`]).
    pub(crate) fn import_started(&self, id: uuid::Uuid) {
        self.running_imports.lock().unwrap_or_else(PoisonError::into_inner).insert(id);
    }

    /// Notes that the import `id` no longer runs in this process.
    pub(crate) fn import_ended(&self, id: uuid::Uuid) {
        self.running_imports.lock().unwrap_or_else(PoisonError::into_inner).remove(&id);
    }

    /// Whether this process runs the import `id`.
    pub(crate) fn import_is_running(&self, id: uuid::Uuid) -> bool {
        self.running_imports.lock().unwrap_or_else(PoisonError::into_inner).contains(&id)
    }

    /// Tells `observer` how long each write transaction waits to start.
    pub fn observe_begin_waits(mut self, observer: BeginWaitObserver) -> Self {
        self.begin_wait = Some(observer);
        self
    }

    /// Applies every pending migration, each in its own transaction. Refuses a database that a
    /// newer binary migrated. On PostgreSQL an advisory lock makes nodes that start together
    /// migrate one after the other (the later ones find nothing to do).
    pub async fn migrate(&self) -> Result<()> {
        let lock = if self.is_sqlite() {
            None
        } else {
            let tx = self.write.begin().await?;
            tx.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")).await?;
            Some(tx)
        };
        let status = self.schema_status().await?;
        if status.is_ahead() {
            return Err(crate::Error::SchemaAhead(status.describe()));
        }
        if !status.pending.is_empty() {
            Migrator::up(&self.write, None).await?;
        }
        if let Some(tx) = lock {
            tx.commit().await?;
        }
        Ok(())
    }

    /// Where the schema stands against this binary's migrations.
    pub async fn schema_status(&self) -> Result<SchemaStatus> {
        crate::schema::status(&self.write).await
    }

    /// The connection for reads outside a transaction.
    pub fn reader(&self) -> &DatabaseConnection {
        &self.read
    }

    /// The connection for single-statement writes outside a transaction.
    pub(crate) fn writer(&self) -> &DatabaseConnection {
        &self.write
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`),
    /// so a transaction that reads before it writes can never be refused half-way.
    pub async fn begin(&self) -> Result<DatabaseTransaction> {
        let opts = if self.is_sqlite() {
            TransactionOptions { sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate), ..Default::default() }
        } else {
            TransactionOptions::default()
        };
        let asked = Instant::now();
        let tx = self.write.begin_with_options(opts).await?;
        if let Some(observe) = &self.begin_wait {
            (observe.0)(asked.elapsed());
        }
        Ok(tx)
    }

    /// Whether this is SQLite.
    pub fn is_sqlite(&self) -> bool {
        self.write.get_database_backend() == DbBackend::Sqlite
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<()> {
        self.read.ping().await?;
        Ok(())
    }

    /// Closes both pools, waiting for connections in use to be returned.
    pub async fn close(self) {
        let _ = self.read.close().await;
        let _ = self.write.close().await;
    }
}
