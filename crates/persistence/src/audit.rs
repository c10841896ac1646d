//! The audit log: every write records who did what to which object, and the change, in the same
//! transaction as the write.

use chrono::{DateTime, Utc};
use domain::AuditAction;
use domain::auth::{Actor, ActorKind};
use domain::page::{Page, PageRequest, Sort};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

use crate::entities::audit_event::{self, Column, Entity};
use crate::enums::DbActorKind;
use crate::query::{filter_eq, page};
use crate::{Db, Result};

/// One audit event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// Id (time-ordered).
    pub id: Uuid,
    /// When.
    pub occurred_at: DateTime<Utc>,
    /// Who.
    pub actor: Actor,
    /// What, e.g. `college.create`.
    pub action: String,
    /// The kind of object, e.g. `college`.
    pub target_type: String,
    /// The object.
    pub target_id: Option<Uuid>,
    /// `{"before": …, "after": …}` as applicable.
    pub changes: serde_json::Value,
}

/// Records an event inside the caller's transaction.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    actor: Actor,
    action: AuditAction,
    target_type: &str,
    target_id: Option<Uuid>,
    changes: serde_json::Value,
) -> Result<()> {
    let event = audit_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        occurred_at: Set(crate::now()),
        actor_kind: Set(actor.kind.into()),
        actor_id: Set(actor.id),
        action: Set(action.as_str().to_owned()),
        target_type: Set(target_type.to_owned()),
        target_id: Set(target_id),
        changes: Set(changes),
    };
    Entity::insert(event).exec_without_returning(conn).await?;
    Ok(())
}

/// Records an event whose change is JSON text already (a bulk import's summary of thousands of
/// records), inside the caller's transaction. A `serde_json::Value` tree of that size, cloned on
/// its way to the database, would cost more than the import's writes.
pub async fn record_json<C: ConnectionTrait>(
    conn: &C,
    actor: Actor,
    action: AuditAction,
    target_type: &str,
    target_id: Option<Uuid>,
    changes: String,
) -> Result<()> {
    use audit_event::Column as C;
    let changes = Expr::val(changes);
    let changes =
        if conn.get_database_backend() == sea_orm::DbBackend::Postgres { changes.cast_as("jsonb") } else { changes };
    let row = vec![
        Expr::val(Uuid::now_v7()),
        Expr::val(crate::now()),
        Expr::val(DbActorKind::from(actor.kind)),
        Expr::val(actor.id),
        Expr::val(action.as_str()),
        Expr::val(target_type.to_owned()),
        Expr::val(target_id),
        changes,
    ];
    let columns = [C::Id, C::OccurredAt, C::ActorKind, C::ActorId, C::Action, C::TargetType, C::TargetId, C::Changes];
    crate::query::insert_rows(conn, Entity, &columns, None, [row]).await?;
    Ok(())
}

/// The change of a creation.
pub fn created(after: &impl Serialize) -> serde_json::Value {
    serde_json::json!({ "after": after })
}

/// The change of an update.
pub fn updated(before: &impl Serialize, after: &impl Serialize) -> serde_json::Value {
    serde_json::json!({ "before": before, "after": after })
}

/// The change of a deletion.
pub fn deleted(before: &impl Serialize) -> serde_json::Value {
    serde_json::json!({ "before": before })
}

/// Filters of the audit log.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only this actor.
    pub actor_id: Option<Uuid>,
    /// Only this kind of object.
    pub target_type: Option<String>,
    /// Only this object.
    pub target_id: Option<Uuid>,
    /// Only this action.
    pub action: Option<String>,
    /// From this instant on.
    pub from: Option<DateTime<Utc>>,
    /// Before this instant.
    pub to: Option<DateTime<Utc>>,
}

/// Lists audit events, newest first.
pub async fn list(db: &Db, filter: AuditFilter, req: PageRequest) -> Result<Page<AuditEvent>> {
    let mut select = Entity::find();
    select = filter_eq(select, Column::ActorId, filter.actor_id);
    select = filter_eq(select, Column::TargetType, filter.target_type);
    select = filter_eq(select, Column::TargetId, filter.target_id);
    select = filter_eq(select, Column::Action, filter.action);
    if let Some(from) = filter.from {
        select = select.filter(Column::OccurredAt.gte(from));
    }
    if let Some(to) = filter.to {
        select = select.filter(Column::OccurredAt.lt(to));
    }
    let p = page(db.reader(), select, req, Sort { key: Column::OccurredAt, descending: true }, Column::Id).await?;
    Ok(p.map(|m| AuditEvent {
        id: m.id,
        occurred_at: m.occurred_at,
        actor: Actor { kind: ActorKind::from(m.actor_kind), id: m.actor_id },
        action: m.action,
        target_type: m.target_type,
        target_id: m.target_id,
        changes: m.changes,
    }))
}
