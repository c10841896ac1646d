//! `GET /events`: the ordered, gap-free change feed the student-affairs system polls.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::openapi::ListErrors;
use crate::respond::ok;
use crate::state::AppState;

/// What happened: `<resource>.<what>`, e.g. `student.created`, `appointment.made`,
/// `appointment.dismissed`; every type the feed carries is listed.
pub struct EventType;

impl utoipa::PartialSchema for EventType {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "What happened: `<resource>.<what>`, e.g. `student.created`, `appointment.made`, \
`appointment.dismissed`. A consumer should skip a type it does not know: later versions may add types.",
            ))
            .enum_values(Some(persistence::events::event_types()))
            .into()
    }
}

impl ToSchema for EventType {
    fn name() -> std::borrow::Cow<'static, str> {
        "EventType".into()
    }
}

/// One change.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventDto {
    /// Position in the feed; pass the last one seen as `after`.
    pub seq: i64,
    /// Id.
    pub id: Uuid,
    /// What happened, e.g. `college.created`, `unit.updated`, `student.created`,
    /// `nomination.recommended`, `appointment.made`, `appointment.dismissed`, `academic_year.closed`.
    #[serde(rename = "type")]
    #[schema(value_type = EventType)]
    pub event_type: String,
    /// When.
    pub occurred_at: DateTime<Utc>,
    /// The kind of resource.
    pub resource_type: String,
    /// The resource.
    pub resource_id: Uuid,
    /// The resource's new state.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

/// A slice of the feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventPage {
    /// The events after the cursor, in order.
    pub items: Vec<EventDto>,
    /// The cursor for the next call (`after`): the last `seq` returned, or the one given.
    pub next_cursor: i64,
}

/// Where to read from.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// Return events after this `seq` (default 0: from the start).
    #[param(minimum = 0)]
    pub after: Option<i64>,
    /// At most this many, 1–1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u64>,
}

/// Read the change feed.
///
/// Events are written in the same transaction as the change they describe, so the feed holds
/// exactly the committed changes; `seq` has no gaps and follows commit order. University admins
/// and service clients with `events:read` may read it.
#[utoipa::path(
    operation_id = "list_events",
    security(("bearer" = []), ("oauth2" = ["events:read"])),
    tag = "integration",
    params(EventQuery),
    responses(
        (status = 200, description = "Events after the cursor", body = EventPage),
        ListErrors
    )
)]
#[get("/events")]
pub async fn list(state: web::Data<AppState>, auth: Auth, q: web::Query<EventQuery>) -> Result<HttpResponse, ApiError> {
    let after = q.after.unwrap_or(0);
    if after < 0 {
        return Err(domain::Error::invalid("after", "out_of_range", "after must not be negative").into());
    }
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(domain::Error::invalid("limit", "out_of_range", "limit must be between 1 and 1000").into());
    }
    let events = persistence::events::after(&state.db, &auth.principal, after, limit).await?;
    let next_cursor = events.last().map(|e| e.seq).unwrap_or(after);
    let items = events
        .into_iter()
        .map(|e| EventDto {
            seq: e.seq,
            id: e.id,
            event_type: e.event_type,
            occurred_at: e.occurred_at,
            resource_type: e.resource_type,
            resource_id: e.resource_id,
            data: e.payload,
        })
        .collect();
    Ok(ok(&EventPage { items, next_cursor }))
}
