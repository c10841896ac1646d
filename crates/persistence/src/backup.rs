//! Backups of a SQLite database while the server runs, and restoring one.
//!
//! A backup is `VACUUM INTO` a new file: it reads one snapshot of the database (WAL lets writers
//! go on meanwhile) and writes a compact, self-contained copy — unlike copying the file, which
//! misses what is still in the `-wal` file or catches it half-written. The copy is checked
//! (`PRAGMA integrity_check`) before it is reported as done. PostgreSQL is backed up with
//! `pg_dump` (see the README).

use std::path::{Path, PathBuf};

use sea_orm::sqlx::sqlite::SqliteConnectOptions;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, FromQueryResult, Statement};

use crate::schema::SchemaStatus;
use crate::{Error, Result};

/// What a backup or a restored database holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The file.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// Where its schema stands against this binary.
    pub schema: SchemaStatus,
    /// The change feed's newest sequence number.
    pub feed_head: i64,
}

fn fail(message: impl Into<String>) -> Error {
    Error::Internal(message.into())
}

/// The file of a `sqlite:` URL (`sqlite://xuezhang.db?mode=rwc` → `xuezhang.db`).
pub fn sqlite_path(url: &str) -> Result<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).ok_or_else(|| {
        fail("backup and restore here are for SQLite; back up PostgreSQL with pg_dump (see the README)")
    })?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Err(fail("an in-memory SQLite database cannot be backed up or restored"));
    }
    Ok(PathBuf::from(path))
}

/// Opens an existing SQLite file, read-only unless `write`.
async fn open(path: &Path, write: bool) -> Result<DatabaseConnection> {
    if !path.is_file() {
        return Err(fail(format!("{} does not exist", path.display())));
    }
    let mut opt = ConnectOptions::new(format!("sqlite://{}", path.display()));
    opt.max_connections(1).sqlx_logging(false);
    opt.map_sqlx_sqlite_opts(move |o: SqliteConnectOptions| {
        o.read_only(!write).busy_timeout(std::time::Duration::from_secs(30)).create_if_missing(false)
    });
    Ok(Database::connect(opt).await?)
}

#[derive(FromQueryResult)]
struct Check {
    integrity_check: String,
}

#[derive(FromQueryResult)]
struct Head {
    head: Option<i64>,
}

/// Checks a SQLite file and says what it holds.
pub async fn inspect(path: &Path) -> Result<Summary> {
    let conn = open(path, false).await?;
    let result = async {
        let check =
            Check::find_by_statement(Statement::from_string(conn.get_database_backend(), "PRAGMA integrity_check"))
                .all(&conn)
                .await?;
        if check.len() != 1 || check[0].integrity_check != "ok" {
            let problems: Vec<String> = check.into_iter().take(5).map(|c| c.integrity_check).collect();
            return Err(fail(format!("{} is damaged: {}", path.display(), problems.join("; "))));
        }
        let schema = crate::schema::status(&conn).await?;
        let feed_head = if schema.pending.len() == crate::schema::known_migrations().len() {
            0
        } else {
            Head::find_by_statement(Statement::from_string(
                conn.get_database_backend(),
                "SELECT MAX(seq) AS head FROM events",
            ))
            .one(&conn)
            .await?
            .and_then(|h| h.head)
            .unwrap_or(0)
        };
        let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        Ok(Summary { path: path.to_owned(), bytes, schema, feed_head })
    }
    .await;
    let _ = conn.close().await;
    result
}

/// Writes a consistent copy of the SQLite database at `url` to `to`, which must not exist, and
/// checks it. Safe while the server runs and writes.
pub async fn sqlite_backup(url: &str, to: &Path) -> Result<Summary> {
    let from = sqlite_path(url)?;
    if to.exists() {
        return Err(fail(format!("{} exists already; a backup never overwrites a file", to.display())));
    }
    let target = to.to_str().ok_or_else(|| fail("the backup file name must be valid UTF-8"))?;
    let conn = open(&from, false).await?;
    let done = conn.execute_unprepared(&format!("VACUUM INTO '{}'", target.replace('\'', "''"))).await;
    let _ = conn.close().await;
    done?;
    inspect(to).await
}

/// Puts the backup `from` in place of the SQLite database at `url`. The server must be stopped.
/// Refuses a damaged backup, one a newer binary wrote, and (unless `force`) an existing database.
pub async fn sqlite_restore(url: &str, from: &Path, force: bool) -> Result<Summary> {
    let target = sqlite_path(url)?;
    let backup = inspect(from).await?;
    if backup.schema.is_ahead() {
        return Err(fail(format!("the backup cannot be restored by this binary: {}", backup.schema.describe())));
    }
    if target.exists() && std::fs::metadata(&target).map(|m| m.len()).unwrap_or(0) > 0 && !force {
        return Err(fail(format!(
            "{} exists; stop the server and pass --force to replace it (keep a copy first)",
            target.display()
        )));
    }
    // Copy next to the target and rename, so the target is either the old database or the whole
    // backup; then remove the old database's WAL files, which belong to the old database only.
    let tmp = target.with_extension("restoring");
    std::fs::copy(from, &tmp).map_err(|e| fail(format!("copying {}: {e}", from.display())))?;
    std::fs::File::open(&tmp).and_then(|f| f.sync_all()).map_err(|e| fail(format!("syncing the copy: {e}")))?;
    for suffix in ["-wal", "-shm"] {
        let mut side = target.clone().into_os_string();
        side.push(suffix);
        match std::fs::remove_file(&side) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(fail(format!("removing {}: {e}", PathBuf::from(side).display()))),
        }
    }
    std::fs::rename(&tmp, &target).map_err(|e| fail(format!("moving the copy into place: {e}")))?;
    inspect(&target).await
}
