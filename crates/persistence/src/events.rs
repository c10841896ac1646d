//! The integration change feed: an outbox written in the same transaction as each change, read
//! in order by the student-affairs system. `seq` is gap-free and follows commit order, so a
//! reader that asks for the events after the last `seq` it has seen never skips one.
//!
//! # How numbers follow commit order without queueing writers (PostgreSQL)
//!
//! Numbers come from one counter row (`event_counter`). Whoever increments it holds the row's lock
//! until its transaction ends; the next incrementer waits, and gets the next number only after the
//! holder is committed and visible (PostgreSQL marks a transaction visible before it releases its
//! locks). So if a reader's snapshot shows event `n + 1`, the transaction that numbered `n` had
//! committed before that — `n` is in the same snapshot (or was rolled back together with its
//! number, leaving no gap). Readers therefore simply read `seq > after` in order.
//!
//! What used to make writers queue is *when* the lock was taken: at the first event, then held
//! through the rest of the transaction's statements. Now [`emit`] writes the event with a
//! provisional negative `seq` from a sequence (no lock; invisible to readers, which ask for
//! `seq > after ≥ 0`), and the deferred constraint trigger `events_number_at_commit` (migration
//! 000024) numbers the transaction's pending events as the last step before its commit. The lock
//! is held for that instant and the commit only; the argument above is unchanged.
//!
//! Rejected: a sequence for `seq` with readers cut at the oldest running transaction
//! (`txid < pg_snapshot_xmin(pg_current_snapshot())`). It skips events: transaction A gets its
//! xid, B gets a later xid, B takes `seq` 7 (and keeps running), A takes `seq` 8 and commits. A
//! reader whose snapshot has B running has xmin = B's xid > A's, so it returns 8; the reader then
//! asks for `after=8`, and 7 — committed later by B — is never served. Ordering the feed by xid
//! instead would need a cursor other than `seq`, and the xmin is cluster-wide: any long
//! transaction, in any database of the server, would hold the feed back.
//!
//! A bulk write ([`emit_many`], the imports) still reserves its block at once (renumbering 100,000
//! rows at commit would write each twice); it is the last write of its transaction. SQLite has one
//! writer at a time, so it numbers every event at once.

use chrono::{DateTime, Utc};
use domain::DomainEvent;
use domain::auth::{Principal, ServiceScope};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Statement};
use serde::Serialize;
use uuid::Uuid;

use crate::entities::event;
use crate::{Db, Result};

/// Every event type the feed can carry, sorted: the closed set the OpenAPI document lists, so a
/// consumer can switch over it. It is [`DomainEvent`], so nothing else can be written.
pub fn event_types() -> Vec<String> {
    DomainEvent::wire_names().into_iter().map(str::to_owned).collect()
}

/// One event of the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Position in the feed (the cursor).
    pub seq: i64,
    /// Id.
    pub id: Uuid,
    /// Type, e.g. `appointment.made`.
    pub event_type: String,
    /// When.
    pub occurred_at: DateTime<Utc>,
    /// The kind of resource.
    pub resource_type: String,
    /// The resource.
    pub resource_id: Uuid,
    /// The resource's new state.
    pub payload: serde_json::Value,
}

/// Reserves `n` numbers from the counter row and returns the first. The row's lock holds every
/// other numbering transaction until this one ends, so numbers follow commit order, and a
/// rollback takes its numbers back with it (no gap).
async fn reserve<C: ConnectionTrait>(conn: &C, n: i64) -> Result<i64> {
    let backend = conn.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => "UPDATE event_counter SET last = last + $1 WHERE id = 1 RETURNING last",
        _ => "UPDATE event_counter SET last = last + ? WHERE id = 1 RETURNING last",
    };
    let row = conn
        .query_one_raw(Statement::from_sql_and_values(backend, sql, [n.into()]))
        .await?
        .ok_or_else(|| crate::Error::Internal("the event counter row is missing".into()))?;
    let last: i64 = row.try_get("", "last")?;
    Ok(last - n + 1)
}

/// The columns an event row is written with, in [`row`]'s order.
const COLUMNS: [event::Column; 7] = [
    event::Column::Seq,
    event::Column::Id,
    event::Column::EventType,
    event::Column::OccurredAt,
    event::Column::ResourceType,
    event::Column::ResourceId,
    event::Column::Payload,
];

/// One event row's values; `payload` is JSON text.
fn row(
    postgres: bool,
    seq: Expr,
    event_type: DomainEvent,
    at: DateTime<Utc>,
    resource_type: &str,
    resource_id: Uuid,
    payload: String,
) -> Vec<Expr> {
    let payload = Expr::val(payload);
    vec![
        seq,
        Expr::val(Uuid::now_v7()),
        Expr::val(event_type.as_str()),
        Expr::val(at),
        Expr::val(resource_type),
        Expr::val(resource_id),
        if postgres { payload.cast_as("jsonb") } else { payload },
    ]
}

/// Appends an event inside the caller's transaction.
///
/// On PostgreSQL the row goes in with a provisional negative `seq` from the `events_pending_seq`
/// sequence (which takes no lock), and the deferred constraint trigger `events_number_at_commit`
/// numbers it from the counter row when the transaction commits: the counter's lock is held only
/// for the commit itself instead of from here to the end of the transaction. On SQLite, which has
/// one writer at a time, the number is taken from the counter at once.
pub async fn emit<C: ConnectionTrait>(
    conn: &C,
    event_type: DomainEvent,
    resource_type: &str,
    resource_id: Uuid,
    payload: &impl Serialize,
) -> Result<()> {
    let postgres = conn.get_database_backend() == DbBackend::Postgres;
    let seq = if postgres { Expr::cust("-nextval('events_pending_seq')") } else { Expr::val(reserve(conn, 1).await?) };
    let payload = serde_json::to_string(payload).unwrap_or_else(|_| "null".to_owned());
    let values = row(postgres, seq, event_type, crate::now(), resource_type, resource_id, payload);
    crate::query::insert_rows(conn, event::Entity, &COLUMNS, None, [values]).await?;
    Ok(())
}

/// An event to append with [`emit_many`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// Type, e.g. `student.imported`.
    pub event_type: DomainEvent,
    /// The kind of resource.
    pub resource_type: &'static str,
    /// The resource.
    pub resource_id: Uuid,
    /// The resource's new state, as JSON text.
    payload: String,
}

impl NewEvent {
    /// An event about `resource_id` whose payload is `state`.
    pub fn new(
        event_type: DomainEvent,
        resource_type: &'static str,
        resource_id: Uuid,
        state: &impl Serialize,
    ) -> Self {
        // Serialised straight to text: a `serde_json::Value` tree per event, cloned on the way to
        // the database, costs more than the insert itself.
        let payload = serde_json::to_string(state).unwrap_or_else(|_| "null".to_owned());
        Self { event_type, resource_type, resource_id, payload }
    }
}

/// Appends many events inside the caller's transaction, in the given order: one counter update
/// reserves the whole block of numbers, and the rows go in with [`crate::query::bulk_insert`]
/// (on PostgreSQL one statement per 20,000 events), each payload serialised only when its
/// statement is built. On PostgreSQL too the block is reserved at once, so these rows never fire
/// the commit-time trigger (its `WHEN (NEW.seq < 0)` is checked as each row is written, and only
/// provisional numbers queue it) and are not written twice; the counter row stays locked from here
/// to the commit, so a bulk write calls this last.
pub async fn emit_many<C, I>(conn: &C, events: I) -> Result<()>
where
    C: ConnectionTrait,
    I: IntoIterator<Item = NewEvent>,
    I::IntoIter: ExactSizeIterator,
{
    let events = events.into_iter();
    let Ok(n) = i64::try_from(events.len()) else {
        return Err(crate::Error::Internal("too many events for one transaction".into()));
    };
    if n == 0 {
        return Ok(());
    }
    let first = reserve(conn, n).await?;
    let at = crate::now();
    let rows = events.zip(first..).map(|(e, seq)| {
        vec![
            seq.into(),
            Uuid::now_v7().into(),
            e.event_type.as_str().into(),
            at.into(),
            e.resource_type.into(),
            e.resource_id.into(),
            e.payload.into(),
        ]
    });
    crate::query::bulk_insert(conn, event::Entity, &COLUMNS, None, rows).await?;
    Ok(())
}

/// Who may read which part of the feed: university admins all of it; a service client with
/// `events:read` the events of resources it may read — students' records (and their honours and
/// sanctions) only with `students:read`, staff only with `staff:read`.
fn hidden_resource_types(who: &Principal) -> Result<Vec<&'static str>> {
    if who.is_university_admin() {
        return Ok(Vec::new());
    }
    if matches!(who, Principal::User(_)) {
        return Err(
            domain::Error::Forbidden("only university admins and service clients read the change feed".into()).into()
        );
    }
    if !who.has_scope(ServiceScope::EventsRead) {
        return Err(domain::policy::missing_scope(ServiceScope::EventsRead).into());
    }
    let mut hidden = Vec::new();
    if !who.has_scope(ServiceScope::StudentsRead) {
        hidden.extend(["student", "honor", "sanction"]);
    }
    if !who.has_scope(ServiceScope::StaffRead) {
        hidden.push("staff");
    }
    Ok(hidden)
}

/// The events after `after`, at most `limit`, in order, of the kinds the caller may read. `seq`
/// stays the feed's own position, so a filtered reader sees gaps where the hidden events are.
pub async fn after(db: &Db, who: &Principal, after: i64, limit: u64) -> Result<Vec<Event>> {
    let hidden = hidden_resource_types(who)?;
    let mut select = event::Entity::find().filter(event::Column::Seq.gt(after));
    if !hidden.is_empty() {
        select = select.filter(event::Column::ResourceType.is_not_in(hidden));
    }
    let rows = select.order_by_asc(event::Column::Seq).limit(limit).all(db.reader()).await?;
    Ok(rows
        .into_iter()
        .map(|m| Event {
            seq: m.seq,
            id: m.id,
            event_type: m.event_type,
            occurred_at: m.occurred_at,
            resource_type: m.resource_type,
            resource_id: m.resource_id,
            payload: m.payload,
        })
        .collect())
}
