//! Where the database's schema stands against the migrations this binary carries.
//!
//! Migrations are forward-only: there is no `down`, and a database migrated by a newer binary is
//! never served by an older one (its migrations table names migrations this binary does not know).

use migration::{Migrator, MigratorTrait, SchemaManager};
use sea_orm::{DatabaseConnection, FromQueryResult, Statement};

use crate::Result;

/// The table sea-orm-migration records applied migrations in.
const TABLE: &str = "seaql_migrations";

/// The schema of a database compared with this binary's migrations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchemaStatus {
    /// Migrations of this binary not applied yet, in the order they would run.
    pub pending: Vec<String>,
    /// Migrations applied to the database that this binary does not know: a newer binary
    /// migrated it.
    pub unknown: Vec<String>,
}

impl SchemaStatus {
    /// Neither behind nor ahead.
    pub fn is_current(&self) -> bool {
        self.pending.is_empty() && self.unknown.is_empty()
    }

    /// The database was migrated by a newer binary.
    pub fn is_ahead(&self) -> bool {
        !self.unknown.is_empty()
    }

    /// A sentence for operators.
    pub fn describe(&self) -> String {
        if self.is_ahead() {
            format!(
                "the database is ahead of this binary: it has migration(s) {} that this xuezhang does not know; run the newer xuezhang that migrated it",
                self.unknown.join(", ")
            )
        } else if !self.pending.is_empty() {
            format!("the database is behind: {} migration(s) pending: {}", self.pending.len(), self.pending.join(", "))
        } else {
            "the database is current".to_owned()
        }
    }
}

#[derive(FromQueryResult)]
struct Applied {
    version: String,
}

/// The names of this binary's migrations, in order.
pub fn known_migrations() -> Vec<String> {
    Migrator::migrations().iter().map(|m| m.name().to_owned()).collect()
}

/// Compares the migrations applied to the database of `conn` with this binary's. Reads only: a
/// database without a migrations table has every migration pending.
pub async fn status(conn: &DatabaseConnection) -> Result<SchemaStatus> {
    let applied: Vec<String> = if SchemaManager::new(conn).has_table(TABLE).await? {
        let sql = format!("SELECT version FROM {TABLE}");
        Applied::find_by_statement(Statement::from_string(conn.get_database_backend(), sql))
            .all(conn)
            .await?
            .into_iter()
            .map(|a| a.version)
            .collect()
    } else {
        Vec::new()
    };
    let known = known_migrations();
    let mut unknown: Vec<String> = applied.iter().filter(|a| !known.contains(a)).cloned().collect();
    unknown.sort();
    let pending = known.into_iter().filter(|k| !applied.contains(k)).collect();
    Ok(SchemaStatus { pending, unknown })
}
