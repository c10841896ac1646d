//! What operations watch: the connection pools, the change feed's head, locked login names.
//! Read by `GET /metrics` at scrape time.

use sea_orm::{ColumnTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};

use crate::entities::{event, login_throttle};
use crate::{Db, Result};

/// The state of one connection pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// `read` or `write` on SQLite; `shared` on PostgreSQL, where reads and writes share one pool.
    pub pool: &'static str,
    /// Connections open.
    pub size: u32,
    /// Connections open and idle.
    pub idle: u32,
    /// The most connections the pool opens.
    pub max: u32,
}

fn stats<D: sea_orm::sqlx::Database>(pool: &'static str, p: &sea_orm::sqlx::Pool<D>) -> PoolStats {
    PoolStats {
        pool,
        size: p.size(),
        idle: u32::try_from(p.num_idle()).unwrap_or(u32::MAX),
        max: p.options().get_max_connections(),
    }
}

/// The pools of `db`, as they are now.
pub fn pool_stats(db: &Db) -> Vec<PoolStats> {
    let (read, write) = (db.reader(), db.writer());
    match read.get_database_backend() {
        DbBackend::Sqlite => {
            vec![stats("read", read.get_sqlite_connection_pool()), stats("write", write.get_sqlite_connection_pool())]
        }
        DbBackend::Postgres => vec![stats("shared", read.get_postgres_connection_pool())],
        _ => Vec::new(),
    }
}

/// The sequence number of the newest event in the change feed (0 when it is empty).
pub async fn feed_head(db: &Db) -> Result<i64> {
    let head: Option<Option<i64>> = event::Entity::find()
        .select_only()
        .column_as(event::Column::Seq.max(), "head")
        .into_tuple()
        .one(db.reader())
        .await?;
    Ok(head.flatten().unwrap_or(0))
}

/// How many login names are locked right now after repeated failed logins (on every node: the
/// throttle lives in the database).
pub async fn locked_logins(db: &Db) -> Result<i64> {
    let n = login_throttle::Entity::find()
        .filter(login_throttle::Column::LockedUntil.gt(crate::now()))
        .count(db.reader())
        .await?;
    Ok(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Whether any user account exists (a first start creates one only on a terminal).
pub async fn has_users(db: &Db) -> Result<bool> {
    Ok(crate::entities::user::Entity::find().count(db.reader()).await? > 0)
}
