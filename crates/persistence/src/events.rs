//! The integration change feed: an outbox written in the same transaction as each change, read
//! in order by the student-affairs system. `seq` is gap-free and follows commit order.

use chrono::{DateTime, Utc};
use domain::DomainEvent;
use domain::auth::{Principal, ServiceScope};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use uuid::Uuid;

use crate::entities::{event, event_counter};
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

/// Appends an event inside the caller's transaction. The counter row's lock holds other
/// event-writing transactions until this one ends, so sequence numbers follow commit order, and
/// a rollback takes its number back with it.
pub async fn emit<C: ConnectionTrait>(
    conn: &C,
    event_type: DomainEvent,
    resource_type: &str,
    resource_id: Uuid,
    payload: &impl Serialize,
) -> Result<()> {
    event_counter::Entity::update_many()
        .col_expr(event_counter::Column::Last, Expr::col(event_counter::Column::Last).add(1))
        .filter(event_counter::Column::Id.eq(1))
        .exec(conn)
        .await?;
    let seq = event_counter::Entity::find_by_id(1)
        .one(conn)
        .await?
        .map(|c| c.last)
        .ok_or_else(|| crate::Error::Internal("the event counter row is missing".into()))?;
    event::Entity::insert(event::ActiveModel {
        seq: Set(seq),
        id: Set(Uuid::now_v7()),
        event_type: Set(event_type.as_str().to_owned()),
        occurred_at: Set(crate::now()),
        resource_type: Set(resource_type.to_owned()),
        resource_id: Set(resource_id),
        payload: Set(serde_json::to_value(payload).unwrap_or_default()),
    })
    .exec_without_returning(conn)
    .await?;
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
/// reserves the whole block of sequence numbers, and the rows go in in multi-row statements.
pub async fn emit_many<C: ConnectionTrait>(conn: &C, events: Vec<NewEvent>) -> Result<()> {
    // Bound as an i32 like `emit`'s `+ 1`: the prepared statement is cached by its SQL text, so the
    // same text with an i64 would reach PostgreSQL with the wrong binary format.
    let Ok(n) = i32::try_from(events.len()) else {
        return Err(crate::Error::Internal("too many events for one transaction".into()));
    };
    if n == 0 {
        return Ok(());
    }
    event_counter::Entity::update_many()
        .col_expr(event_counter::Column::Last, Expr::col(event_counter::Column::Last).add(n))
        .filter(event_counter::Column::Id.eq(1))
        .exec(conn)
        .await?;
    let last = event_counter::Entity::find_by_id(1)
        .one(conn)
        .await?
        .map(|c| c.last)
        .ok_or_else(|| crate::Error::Internal("the event counter row is missing".into()))?;
    let first = last - i64::from(n) + 1;
    let at = crate::now();
    let postgres = conn.get_database_backend() == DbBackend::Postgres;
    use event::Column as C;
    let columns = [C::Seq, C::Id, C::EventType, C::OccurredAt, C::ResourceType, C::ResourceId, C::Payload];
    let rows = events.into_iter().zip(first..).map(|(e, seq)| {
        let payload = Expr::val(e.payload);
        vec![
            Expr::val(seq),
            Expr::val(Uuid::now_v7()),
            Expr::val(e.event_type.as_str()),
            Expr::val(at),
            Expr::val(e.resource_type),
            Expr::val(e.resource_id),
            if postgres { payload.cast_as("jsonb") } else { payload },
        ]
    });
    crate::query::insert_rows(conn, event::Entity, &columns, None, rows).await?;
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
