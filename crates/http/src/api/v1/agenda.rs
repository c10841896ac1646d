//! `GET /me/agenda`: the caller's to-do list, computed from the data (issue 16).

use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use domain::agenda::{AgendaItem, AgendaKind};
use persistence::usecases::agenda as repo;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::openapi::{Forbidden, Unauthorized};
use crate::respond::ok;
use crate::state::AppState;

/// One thing the caller should do.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"kind": "help_request", "due_on": "2026-10-13", "overdue": false,
    "href": "/api/v1/help-requests/0193a4e1-7c2b-7abc-8def-0123456789ab",
    "resource_id": "0193a4e1-7c2b-7abc-8def-0123456789ab", "title": "求助：research"}))]
pub struct AgendaItemDto {
    /// What to do: `help_request` (a mentor answers an open help request within 3 days of it),
    /// `concern_to_acknowledge` (a supervisor or counselor acknowledges a concern escalated to
    /// them before it is overdue by the year's limit for its urgency), `mentee_not_contacted` (a
    /// mentor contacts, in a work record naming them, a mentee paired 14 days ago at most),
    /// `activity_feedback` (an attendee rates a held activity before its feedback closes, 14 days
    /// after the end), `milestone` (a college admin: introductions or freshman salons whose
    /// deadline is within 14 days and that `GET /reports/compliance` counts `pending`), `nomination_to_review` (a reviewer scores a nomination of
    /// a round under review within 7 days of its close), `award_round_deadline` (a college admin
    /// nominates before an open round closes), `profile_not_published` (a mentor publishes the
    /// directory profile within 14 days of the appointment).
    pub kind: AgendaKind,
    /// The day it is due (Asia/Shanghai).
    pub due_on: NaiveDate,
    /// Whether `due_on` has passed.
    pub overdue: bool,
    /// The API path of the resource to act on.
    pub href: String,
    /// Its id.
    pub resource_id: Uuid,
    /// A short line naming it (a topic, a category, a title); never confidential text.
    pub title: String,
}

impl AgendaItemDto {
    fn of(i: AgendaItem, today: NaiveDate) -> Self {
        Self {
            overdue: i.overdue(today),
            kind: i.kind,
            due_on: i.due_on,
            href: i.href,
            resource_id: i.resource_id,
            title: i.title,
        }
    }
}

/// The caller's agenda.
///
/// What the caller should do next, computed from the data when asked, earliest due first (then by
/// kind): each item with its kind, due day and the link of the resource to act on. An item drops
/// out as soon as it is done (the help request answered, the concern acknowledged, the mentee
/// named in a work record, the feedback given, the milestone met, the score sheet filed, the round
/// closed, the profile published). Service clients get an empty list.
#[utoipa::path(
    operation_id = "my_agenda",
    tag = "auth",
    responses(
        (status = 200, description = "The agenda", body = Vec<AgendaItemDto>),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden)
    )
)]
#[get("/me/agenda")]
pub async fn get(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    let items = repo::agenda(&state.db, &auth.principal).await?;
    let today = state.db.clock().today();
    Ok(ok(&items.into_iter().map(|i| AgendaItemDto::of(i, today)).collect::<Vec<_>>()))
}
