//! `GET /audit-events`: the audit log, for university admins.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use domain::auth::ActorKind;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::common::PageParams;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::openapi::ListErrors;
use crate::respond::{self, PageOf};
use crate::state::AppState;

/// One audit event.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventDto {
    /// Id (time-ordered).
    pub id: Uuid,
    /// When.
    pub occurred_at: DateTime<Utc>,
    /// The kind of actor.
    pub actor_kind: ActorKind,
    /// The user or service client (none for the system).
    pub actor_id: Option<Uuid>,
    /// What was done, e.g. `student.update`.
    pub action: String,
    /// The kind of object, e.g. `student`.
    pub target_type: String,
    /// The object.
    pub target_id: Option<Uuid>,
    /// The change: `before` and/or `after`.
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
}

/// Filters of the audit log.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only this actor.
    pub actor_id: Option<Uuid>,
    /// Only this kind of object.
    pub target_type: Option<String>,
    /// Only this object.
    pub target_id: Option<Uuid>,
    /// Only this action.
    pub action: Option<String>,
    /// From this instant on (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Before this instant (RFC 3339).
    pub to: Option<DateTime<Utc>>,
}

/// List audit events, newest first (university admins).
///
/// Every write leaves one: who (user or service client), what action, on which resource, and the
/// change. Filter by actor, action, resource or time.
#[utoipa::path(
    operation_id = "list_audit_events",
    tag = "audit",
    params(PageParams, AuditQuery),
    responses(
        (status = 200, description = "One page of events", body = PageOf<AuditEventDto>),
        ListErrors
    )
)]
#[get("/audit-events")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<PageParams>,
    q: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    domain::policy::university_admin_only(&auth.principal, "read the audit log")?;
    // The audit log is always newest first: a sort key would be silently ignored, so none is taken.
    if page.sort.as_deref().is_some_and(|s| !s.trim().is_empty()) {
        return Err(domain::Error::invalid("sort", "invalid_choice", "the audit log is always newest first").into());
    }
    let q = q.into_inner();
    let filter = persistence::audit::AuditFilter {
        actor_id: q.actor_id,
        target_type: q.target_type,
        target_id: q.target_id,
        action: q.action,
        from: q.from,
        to: q.to,
    };
    let p = persistence::audit::list(&state.db, filter, page.request()?).await?;
    Ok(respond::page(
        &req,
        PageOf::from_page(p, |e| AuditEventDto {
            id: e.id,
            occurred_at: e.occurred_at,
            actor_kind: e.actor.kind,
            actor_id: e.actor.id,
            action: e.action,
            target_type: e.target_type,
            target_id: e.target_id,
            changes: e.changes,
        }),
    ))
}
