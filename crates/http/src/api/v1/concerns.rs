//! Concerns and escalation (三(一)4, 三(三)1: 普遍性、倾向性问题登记；不能解决的及时向导师和辅导员
//! 反映): a mentor registers a concern about one student or a group, escalates it to that
//! student's supervisor and counselor, who acknowledge and resolve it. Confidential: only the
//! mentor, the recipients, the college's counselors and admins and the university see one.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use domain::concern::{
    Concern, ConcernCategory, ConcernScope, ConcernState, ConcernUrgency, MAX_DESCRIPTION_CHARS, MAX_NOTE_CHARS,
    NewConcern, Recipient, RecipientRole,
};
use persistence::usecases::concerns::{self as repo, ConcernFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::common::PageParams;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json};
use crate::openapi::{CreateErrors, DeleteErrors, ListErrors, ReadErrors, WriteErrors};
use crate::respond::{self, PageOf, created, ok_tagged};
use crate::state::AppState;

/// A concern the mentor registers.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"scope": "individual", "category": "study", "urgency": "normal",
    "description": "学弟本学期两门必修课缺考，情绪低落，沟通后仍不愿与导师联系。",
    "student_id": "0193a4e1-7c2b-7abc-8def-0123456789ab"}))]
pub struct CreateConcernRequest {
    /// `individual` (one student, in `student_id`) or `group` (a common or trending issue; say
    /// how many in `affected_count`, name any in `student_ids`).
    pub scope: ConcernScope,
    /// What it is about.
    pub category: ConcernCategory,
    /// `urgent` is overdue after the year's urgent limit (default 2 days), `normal` after the
    /// normal one (default 7).
    pub urgency: ConcernUrgency,
    /// What the mentor saw, 1–5000 characters. Confidential.
    #[schema(min_length = 1, max_length = 5000)]
    pub description: String,
    /// The student (individual concerns only): a student of the mentor's college, not the mentor.
    pub student_id: Option<Uuid>,
    /// Students of the college a group concern names (at most 200; none for an individual one).
    #[schema(max_items = 200)]
    pub student_ids: Option<Vec<Uuid>>,
    /// How many students a group concern affects, 2–10000 (not for an individual one).
    #[schema(minimum = 2, maximum = 10000)]
    pub affected_count: Option<i32>,
}

/// How a concern was resolved.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"note": "已与学生及导师面谈，制定了补考计划，学院将持续跟进。"}))]
pub struct ResolveConcernRequest {
    /// The note, 1–2000 characters. Confidential like the description.
    #[schema(min_length = 1, max_length = 2000)]
    pub note: String,
}

/// A staff member a concern was escalated to.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConcernRecipientDto {
    /// Their staff record.
    pub staff_id: Uuid,
    /// Their name.
    pub name: String,
    /// `supervisor` (the student's 导师) or `counselor` (辅导员).
    pub role: RecipientRole,
    /// When they acknowledged it.
    pub acknowledged_at: Option<DateTime<Utc>>,
}

impl From<Recipient> for ConcernRecipientDto {
    fn from(r: Recipient) -> Self {
        Self { staff_id: r.staff_id, name: r.name, role: r.role, acknowledged_at: r.acknowledged_at }
    }
}

/// A concern.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConcernDto {
    /// Id.
    pub id: Uuid,
    /// The reporting mentor's appointment.
    pub appointment_id: Uuid,
    /// Its academic year (whose overdue limits apply).
    pub academic_year_id: Uuid,
    /// Its college.
    pub college_id: Uuid,
    /// The reporting mentor (a student id).
    pub mentor_id: Uuid,
    /// Individual or group.
    pub scope: ConcernScope,
    /// What it is about.
    pub category: ConcernCategory,
    /// How soon.
    pub urgency: ConcernUrgency,
    /// `open → escalated → acknowledged → resolved`.
    pub state: ConcernState,
    /// What the mentor saw.
    pub description: String,
    /// The student of an individual concern.
    pub student_id: Option<Uuid>,
    /// The students a group concern names.
    pub student_ids: Vec<Uuid>,
    /// How many a group concern affects.
    pub affected_count: Option<i32>,
    /// The staff it was escalated to (empty while `open`).
    pub recipients: Vec<ConcernRecipientDto>,
    /// When it was escalated.
    pub escalated_at: Option<DateTime<Utc>>,
    /// While `escalated`: when it becomes overdue unless acknowledged (by the year's limits now).
    pub due_at: Option<DateTime<Utc>>,
    /// Escalated and not acknowledged within the year's limit for its urgency, by the server's
    /// clock now.
    pub overdue: bool,
    /// When a recipient first acknowledged it.
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// When it was resolved.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Who resolved it (a user id).
    pub resolved_by: Option<Uuid>,
    /// How it was resolved.
    pub resolution_note: Option<String>,
    /// Version (the `ETag`).
    pub version: i32,
    /// Registered.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<Concern> for ConcernDto {
    fn from(c: Concern) -> Self {
        Self {
            id: c.id,
            appointment_id: c.appointment_id,
            academic_year_id: c.academic_year_id,
            college_id: c.college_id,
            mentor_id: c.mentor_id,
            scope: c.scope,
            category: c.category,
            urgency: c.urgency,
            state: c.state,
            description: c.description,
            student_id: c.student_id,
            student_ids: c.student_ids,
            affected_count: c.affected_count,
            recipients: c.recipients.into_iter().map(ConcernRecipientDto::from).collect(),
            escalated_at: c.escalated_at,
            due_at: c.due_at,
            overdue: c.overdue,
            acknowledged_at: c.acknowledged_at,
            resolved_at: c.resolved_at,
            resolved_by: c.resolved_by,
            resolution_note: c.resolution_note,
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// Whose concerns: only `me` (those escalated to the caller's staff record).
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssignedTo {
    /// Escalated to the caller.
    Me,
}

/// Filters of the concern list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConcernQuery {
    /// Only this state.
    pub state: Option<ConcernState>,
    /// Only this category.
    pub category: Option<ConcernCategory>,
    /// Only this urgency.
    pub urgency: Option<ConcernUrgency>,
    /// `me`: only those escalated to the caller (a supervisor or counselor with a staff record).
    #[param(inline)]
    pub assigned_to: Option<AssignedTo>,
    /// `true`: only overdue ones; `false`: only those not overdue.
    pub overdue: Option<bool>,
    /// Only this appointment's.
    pub appointment_id: Option<Uuid>,
    /// Only this college's.
    pub college_id: Option<Uuid>,
}

fn tagged(c: Concern) -> HttpResponse {
    let v = c.version;
    ok_tagged(&ConcernDto::from(c), v)
}

/// Register a concern (a serving mentor).
///
/// By a student with an active appointment, under it. `individual`: about one student of the
/// mentor's college (normally a mentee); `group`: a common or trending issue, `affected_count` ≥ 2,
/// optionally naming students of the college. A student of another college answers like an
/// unknown id (422 `invalid_reference`). The concern starts `open`, seen only by the mentor, the
/// college's counselors and admins and the university; the feed and the audit log get its ids
/// and state, never its text.
#[utoipa::path(
    operation_id = "create_concern",
    tag = "concerns",
    request_body = CreateConcernRequest,
    responses(
        (status = 201, description = "Registered", body = ConcernDto, headers(("Location" = String), ("ETag" = String))),
        CreateErrors
    )
)]
#[post("/concerns")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<CreateConcernRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let input = NewConcern::parse(
        b.scope,
        b.category,
        b.urgency,
        &b.description,
        b.student_id,
        b.student_ids.unwrap_or_default(),
        b.affected_count,
    )?;
    let c = repo::create(&state.db, &auth.principal, input).await?;
    let v = c.version;
    Ok(created(format!("/api/v1/concerns/{}", c.id), &ConcernDto::from(c), v))
}

/// List the concerns the caller sees.
///
/// A mentor sees their own; a supervisor those escalated to them; a college's counselors and
/// admins the college's; the university all. `assigned_to=me` keeps those escalated to the caller;
/// `overdue=true` those escalated and not acknowledged within the year's limit, by the server's
/// clock. Newest first; sort keys `created_at`, `updated_at`.
#[utoipa::path(
    operation_id = "list_concerns",
    tag = "concerns",
    params(PageParams, ConcernQuery),
    responses((status = 200, description = "One page of concerns", body = PageOf<ConcernDto>), ListErrors)
)]
#[get("/concerns")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<PageParams>,
    q: web::Query<ConcernQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let filter = ConcernFilter {
        state: q.state,
        category: q.category,
        urgency: q.urgency,
        assigned_to_me: q.assigned_to.is_some(),
        overdue: q.overdue,
        appointment_id: q.appointment_id,
        college_id: q.college_id,
    };
    let p = repo::list(&state.db, &auth.principal, filter, page.request()?, page.sort.as_deref()).await?;
    Ok(respond::page(&req, PageOf::from_page(p, ConcernDto::from)))
}

/// Get a concern.
///
/// For the reporting mentor, its recipients, the college's counselors and admins and the
/// university; `404` for anyone else. `overdue` is computed by the server's clock now.
#[utoipa::path(
    operation_id = "get_concern",
    tag = "concerns",
    params(("id" = Uuid, Path, description = "Concern id")),
    responses((status = 200, description = "The concern", body = ConcernDto, headers(("ETag" = String))), ReadErrors)
)]
#[get("/concerns/{id}")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    Ok(tagged(repo::get(&state.db, &auth.principal, *id).await?))
}

/// Escalate a concern to the student's supervisor and counselor (`open → escalated`).
///
/// By the reporting mentor. Routed from the records: an individual concern goes to that student's
/// supervisor and counselor — with no counselor on record, to the college's counselors instead; a
/// group concern goes to the college's counselors and the supervisors of the named students.
/// 409 `no_recipient` when there is nobody; 409 `invalid_transition` unless `open`.
#[utoipa::path(
    operation_id = "escalate_concern",
    tag = "concerns",
    params(("id" = Uuid, Path, description = "Concern id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 200, description = "Escalated", body = ConcernDto, headers(("ETag" = String))), DeleteErrors)
)]
#[post("/concerns/{id}/escalate")]
pub async fn escalate(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    Ok(tagged(repo::escalate(&state.db, &auth.principal, *id, if_match.0).await?))
}

/// Acknowledge a concern (a recipient; `escalated → acknowledged`).
///
/// Each recipient acknowledges once (409 `already_acknowledged` the second time); the first one
/// ends the overdue clock. 409 `invalid_transition` while `open` or once `resolved`.
#[utoipa::path(
    operation_id = "acknowledge_concern",
    tag = "concerns",
    params(("id" = Uuid, Path, description = "Concern id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 200, description = "Acknowledged", body = ConcernDto, headers(("ETag" = String))), DeleteErrors)
)]
#[post("/concerns/{id}/acknowledge")]
pub async fn acknowledge(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    Ok(tagged(repo::acknowledge(&state.db, &auth.principal, *id, if_match.0).await?))
}

/// Resolve a concern with a note (`acknowledged → resolved`).
///
/// By a recipient, the college's admin or the university. 409 `invalid_transition` unless
/// `acknowledged`.
#[utoipa::path(
    operation_id = "resolve_concern",
    tag = "concerns",
    params(("id" = Uuid, Path, description = "Concern id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = ResolveConcernRequest,
    responses((status = 200, description = "Resolved", body = ConcernDto, headers(("ETag" = String))), WriteErrors)
)]
#[post("/concerns/{id}/resolve")]
pub async fn resolve(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<ResolveConcernRequest>,
) -> Result<HttpResponse, ApiError> {
    let note = body.into_inner().note;
    Ok(tagged(repo::resolve(&state.db, &auth.principal, *id, &note, if_match.0).await?))
}

// The bounds the schema declares are the domain's.
const _: () = assert!(MAX_DESCRIPTION_CHARS == 5000 && MAX_NOTE_CHARS == 2000);
const _: () = assert!(domain::concern::MAX_NAMED_STUDENTS == 200 && domain::concern::MAX_AFFECTED == 10000);
