//! Idempotency records: the first response to a `POST` with an `Idempotency-Key`, replayed to
//! retries of the same request for 24 hours.

use chrono::Duration;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, SqlErr};
use uuid::Uuid;

use crate::entities::idempotency_record::{ActiveModel, Column, Entity};
use crate::{Db, Result};

/// How long a key is remembered.
pub fn retention() -> Duration {
    Duration::hours(24)
}

/// How long a request may be in progress before its key is considered abandoned (the server
/// died mid-request) and may be taken over by a retry.
fn stale_after() -> Duration {
    Duration::minutes(5)
}

/// A response as stored for replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// HTTP status.
    pub status: u16,
    /// The headers worth replaying (content type, location, ETag).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// What to do with a request carrying an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// First time: run it, then `complete` (or `release`) the record with this id.
    Fresh(Uuid),
    /// Seen and finished: send this response again.
    Replay(StoredResponse),
    /// Seen with another body: refuse.
    Mismatch,
    /// The first request with this key is still running.
    InProgress,
}

/// Claims `key` for `principal` and a request whose fingerprint is `request_hash`.
pub async fn claim(db: &Db, principal: &str, key: &str, request_hash: &str) -> Result<Claim> {
    // Two rounds at most: the second after removing an expired or abandoned record.
    for _ in 0..2 {
        let now = crate::now();
        let id = Uuid::now_v7();
        let tx = db.begin().await?;
        let inserted = ActiveModel {
            id: Set(id),
            principal: Set(principal.to_owned()),
            idem_key: Set(key.to_owned()),
            request_hash: Set(request_hash.to_owned()),
            state: Set("in_progress".to_owned()),
            status_code: Set(None),
            response_headers: Set(None),
            response_body: Set(None),
            created_at: Set(now),
        }
        .insert(&tx)
        .await;
        match inserted {
            Ok(_) => {
                tx.commit().await?;
                return Ok(Claim::Fresh(id));
            }
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                // On PostgreSQL the failed statement aborted the transaction; read outside it.
                tx.rollback().await?;
            }
            Err(e) => return Err(e.into()),
        }
        let Some(existing) = Entity::find()
            .filter(Column::Principal.eq(principal))
            .filter(Column::IdemKey.eq(key))
            .one(db.reader())
            .await?
        else {
            continue;
        };
        let expired = existing.created_at + retention() <= now;
        let abandoned = existing.state == "in_progress" && existing.created_at + stale_after() <= now;
        if expired || abandoned {
            Entity::delete_by_id(existing.id).exec(db.writer()).await?;
            continue;
        }
        if existing.request_hash != request_hash {
            return Ok(Claim::Mismatch);
        }
        if existing.state != "completed" {
            return Ok(Claim::InProgress);
        }
        let headers = existing
            .response_headers
            .and_then(|h| serde_json::from_value::<Vec<(String, String)>>(h).ok())
            .unwrap_or_default();
        return Ok(Claim::Replay(StoredResponse {
            status: existing.status_code.and_then(|s| u16::try_from(s).ok()).unwrap_or(200),
            headers,
            body: existing.response_body.unwrap_or_default(),
        }));
    }
    Ok(Claim::InProgress)
}

/// Stores the response of a fresh request for replay.
pub async fn complete(db: &Db, id: Uuid, response: &StoredResponse) -> Result<()> {
    let headers = serde_json::to_value(&response.headers).unwrap_or_default();
    Entity::update_many()
        .col_expr(Column::State, Expr::value("completed"))
        .col_expr(Column::StatusCode, Expr::value(i32::from(response.status)))
        .col_expr(Column::ResponseHeaders, Expr::value(headers))
        .col_expr(Column::ResponseBody, Expr::value(response.body.clone()))
        .filter(Column::Id.eq(id))
        .exec(db.writer())
        .await?;
    Ok(())
}

/// Forgets a fresh claim whose request failed on the server's side, so a retry runs it again.
pub async fn release(db: &Db, id: Uuid) -> Result<()> {
    Entity::delete_by_id(id).exec(db.writer()).await?;
    Ok(())
}

/// Deletes records past their retention; returns how many.
pub async fn purge(db: &Db) -> Result<u64> {
    let cutoff = crate::now() - retention();
    Ok(Entity::delete_many().filter(Column::CreatedAt.lt(cutoff)).exec(db.writer()).await?.rows_affected)
}
