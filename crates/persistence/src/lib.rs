//! Persistence for xuezhang: sea-orm entities, repositories and the transactions of each use case.
//!
//! Every write runs in one transaction that also writes its audit event. Invariants are guarded
//! by constraints and conditional updates in the database, not by reads followed by writes.
//! On SQLite all writes go through one connection and start with `BEGIN IMMEDIATE`, so concurrent
//! writers queue instead of failing with "database is locked"; reads use a separate pool.

pub mod accounts;
pub mod activities;
pub mod audit;
pub mod backup;
mod db;
pub mod demo;
pub mod directory;
mod entities;
mod enums;
pub mod events;
pub mod exports;
pub mod idempotency;
pub mod imports;
mod membership;
pub mod memory;
pub mod ops;
pub mod pairings;
mod query;
pub mod reference;
pub mod schema;
mod scope;
pub mod selection;
pub mod usecases;

pub use db::{BeginWaitObserver, DEFAULT_ACQUIRE_TIMEOUT, Db, DbConfig, SQLITE_ACQUIRE_TIMEOUT};
/// The current instant, truncated to microseconds (one definition: `domain::time::now`).
pub(crate) use domain::time::now;

/// Errors of the persistence layer: a domain error, or a failure of the database itself.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A rule of the domain was broken (not found, conflict, validation…).
    #[error(transparent)]
    Domain(#[from] domain::Error),
    /// The database failed; the cause is logged, never shown to clients.
    #[error("database error: {0}")]
    Db(sea_orm::DbErr),
    /// The database cannot be reached right now (connection refused, pool exhausted).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Something else inside the server failed (e.g. a hashing task).
    #[error("internal error: {0}")]
    Internal(String),
    /// The database was migrated by a newer binary; this one refuses to use it.
    #[error("{0}")]
    SchemaAhead(String),
}

impl From<sea_orm::DbErr> for Error {
    fn from(e: sea_orm::DbErr) -> Self {
        match e {
            sea_orm::DbErr::ConnectionAcquire(_) | sea_orm::DbErr::Conn(_) => Error::Unavailable(e.to_string()),
            // A deadlock or serialization failure chose this transaction as the victim: nothing was
            // written, and the same request is likely to succeed when retried.
            ref other if is_retryable(other) => Error::Unavailable(e.to_string()),
            other => Error::Db(other),
        }
    }
}

/// Whether PostgreSQL aborted the transaction so that another could go on (SQLSTATE 40P01
/// deadlock, 40001 serialization failure).
fn is_retryable(e: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr};
    match e {
        DbErr::Exec(RuntimeErr::SqlxError(x)) | DbErr::Query(RuntimeErr::SqlxError(x)) => {
            x.as_database_error().and_then(|d| d.code()).is_some_and(|code| code == "40P01" || code == "40001")
        }
        _ => false,
    }
}

/// The result type of the persistence layer.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The domain error, if this is one.
    pub fn as_domain(&self) -> Option<&domain::Error> {
        match self {
            Error::Domain(e) => Some(e),
            _ => None,
        }
    }
}
