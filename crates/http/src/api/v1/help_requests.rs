//! `/help-requests` (三(一)1: 主动接受、接收研究生新生的各类咨询和帮扶需求): a student asks their own
//! active mentor for help; the mentor answers with a note, or records the help in the work-record
//! book in the same call; the student or the mentor closes an open request. Private to the
//! student, the mentor, the college's counselors and admins, and the university.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use domain::help::{
    HelpRequest, HelpState, HelpTopic, MAX_MESSAGE_CHARS, MAX_NOTE_CHARS, NewHelpRequest, RecordAnswer,
};
use domain::work::{Duty, WorkChannel, WorkKind};
use persistence::usecases::help::{self as repo, HelpRequestFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::common::PageParams;
use super::dto::WorkRecordDto;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json};
use crate::openapi::{CreateErrors, DeleteErrors, ListErrors, ReadErrors, WriteErrors};
use crate::respond::{self, PageOf, created, ok_tagged};
use crate::state::AppState;

/// A student's request for help.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"topic": "study", "message": "培养方案里的选修课不知道怎么选，想请学长帮忙看看。",
    "channel": "face_to_face"}))]
pub struct CreateHelpRequestRequest {
    /// What it is about: one of the mentor's five duties, or `other`.
    pub topic: HelpTopic,
    /// What the student asks, 1–2000 characters. Private.
    #[schema(min_length = 1, max_length = 2000)]
    pub message: String,
    /// How the student would like to be answered (omit for any way).
    pub channel: Option<WorkChannel>,
}

/// The mentor's answer.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"note": "周三下午在实验室面谈，带上培养方案。"}))]
pub struct AnswerHelpRequestRequest {
    /// The answer, 1–2000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub note: String,
}

/// The mentor's answer, recorded as a work-record entry naming the student.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"minutes": 40, "summary": "面谈选课：推荐了两门方法课，约定期中再聊",
    "reflections": "新生普遍不清楚选修课学分要求，可在沙龙统一讲。", "note": "已面谈，选课建议见记录。"}))]
pub struct RecordHelpRequestRequest {
    /// Kind of the entry (default `individual_consultation`).
    pub kind: Option<WorkKind>,
    /// The day it happened (default today, Asia/Shanghai): within the appointment's academic year,
    /// not in the future.
    pub date: Option<NaiveDate>,
    /// Minutes, 1–1440.
    #[schema(minimum = 1, maximum = 1440)]
    pub minutes: i32,
    /// The duties it served, each once (default the request's topic; required for a request on
    /// `other`).
    #[schema(value_type = Option<BTreeSet<Duty>>, min_items = 1, max_items = 5)]
    pub duties: Option<Vec<Duty>>,
    /// How they met (default the channel the student preferred; required when they named none).
    pub channel: Option<WorkChannel>,
    /// What happened, 1–5000 characters (the student named in the entry sees it).
    #[schema(min_length = 1, max_length = 5000)]
    pub summary: String,
    /// 心得体会, up to 5000 characters; never shown to the student.
    #[schema(max_length = 5000)]
    pub reflections: Option<String>,
    /// A note to the student on the request, up to 2000 characters.
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// A help request.
#[derive(Debug, Serialize, ToSchema)]
pub struct HelpRequestDto {
    /// Id.
    pub id: Uuid,
    /// The student who asked.
    pub student_id: Uuid,
    /// The mentor's appointment (of the student's active pairing when they asked).
    pub appointment_id: Uuid,
    /// The mentor (a student id).
    pub mentor_id: Uuid,
    /// The mentor's college.
    pub college_id: Uuid,
    /// What it is about.
    pub topic: HelpTopic,
    /// What the student asks.
    pub message: String,
    /// How the student would like to be answered (`null`: any way).
    pub channel: Option<WorkChannel>,
    /// `open → answered | closed`.
    pub state: HelpState,
    /// The mentor's answer.
    pub answer_note: Option<String>,
    /// When it was answered.
    pub answered_at: Option<DateTime<Utc>>,
    /// Who answered (a user id).
    pub answered_by: Option<Uuid>,
    /// When it was closed unanswered.
    pub closed_at: Option<DateTime<Utc>>,
    /// Who closed it (a user id).
    pub closed_by: Option<Uuid>,
    /// The work-record entry the answer was recorded as.
    pub work_record_id: Option<Uuid>,
    /// Version (the `ETag`).
    pub version: i32,
    /// Asked.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<HelpRequest> for HelpRequestDto {
    fn from(r: HelpRequest) -> Self {
        Self {
            id: r.id,
            student_id: r.student_id,
            appointment_id: r.appointment_id,
            mentor_id: r.mentor_id,
            college_id: r.college_id,
            topic: r.topic,
            message: r.message,
            channel: r.channel,
            state: r.state,
            answer_note: r.answer_note,
            answered_at: r.answered_at,
            answered_by: r.answered_by,
            closed_at: r.closed_at,
            closed_by: r.closed_by,
            work_record_id: r.work_record_id,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A request answered as a work-record entry, and the entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct HelpRequestRecordedDto {
    /// The request, now `answered`, linking the entry.
    pub help_request: HelpRequestDto,
    /// The entry, naming the student and linking the request.
    pub work_record: WorkRecordDto,
}

/// Filters of the help-request list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HelpRequestQuery {
    /// Only this state.
    pub state: Option<HelpState>,
    /// Only this topic.
    pub topic: Option<HelpTopic>,
    /// Only those to this appointment's mentor.
    pub appointment_id: Option<Uuid>,
    /// Only this student's.
    pub student_id: Option<Uuid>,
    /// Only this college's.
    pub college_id: Option<Uuid>,
}

fn tagged(r: HelpRequest) -> HttpResponse {
    let v = r.version;
    ok_tagged(&HelpRequestDto::from(r), v)
}

/// Ask your mentor for help (a student).
///
/// Goes to the mentor of the caller's active pairing (whose appointment is serving); `409
/// no_active_mentor` without one, `403` for anyone who is not a student. Only the student, the
/// mentor, the college's counselors and admins and the university see it; the change feed says
/// `help_request.created` with ids and state only, never the message.
#[utoipa::path(
    operation_id = "create_help_request",
    tag = "help",
    request_body = CreateHelpRequestRequest,
    responses(
        (status = 201, description = "Asked", body = HelpRequestDto, headers(("Location" = String), ("ETag" = String))),
        CreateErrors
    )
)]
#[post("/help-requests")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<CreateHelpRequestRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let input = NewHelpRequest::parse(b.topic, &b.message, b.channel)?;
    let r = repo::create(&state.db, &auth.principal, input).await?;
    let v = r.version;
    Ok(created(format!("/api/v1/help-requests/{}", r.id), &HelpRequestDto::from(r), v))
}

/// List the help requests the caller sees.
///
/// A student their own; a mentor those asked of them (also from mentees whose pairing has
/// ended); a college's counselors and admins the college's; the university all; anyone else none.
/// Newest first; sort keys `created_at`, `updated_at`.
#[utoipa::path(
    operation_id = "list_help_requests",
    tag = "help",
    params(PageParams, HelpRequestQuery),
    responses((status = 200, description = "One page of help requests", body = PageOf<HelpRequestDto>), ListErrors)
)]
#[get("/help-requests")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<PageParams>,
    q: web::Query<HelpRequestQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let filter = HelpRequestFilter {
        state: q.state,
        topic: q.topic,
        appointment_id: q.appointment_id,
        student_id: q.student_id,
        college_id: q.college_id,
    };
    let p = repo::list(&state.db, &auth.principal, filter, page.request()?, page.sort.as_deref()).await?;
    Ok(respond::page(&req, PageOf::from_page(p, HelpRequestDto::from)))
}

/// Get a help request.
///
/// For its student, its mentor, the college's counselors and admins and the university; `404`
/// for anyone else.
#[utoipa::path(
    operation_id = "get_help_request",
    tag = "help",
    params(("id" = Uuid, Path, description = "Help request id")),
    responses((status = 200, description = "The help request", body = HelpRequestDto, headers(("ETag" = String))), ReadErrors)
)]
#[get("/help-requests/{id}")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    Ok(tagged(repo::get(&state.db, &auth.principal, *id).await?))
}

/// Answer a help request with a note (the mentor; `open → answered`).
///
/// By the mentor asked, while their appointment is serving (409 `appointment_not_active`
/// otherwise). 409 `invalid_transition` unless `open`; others who see it get `403`.
#[utoipa::path(
    operation_id = "answer_help_request",
    tag = "help",
    params(("id" = Uuid, Path, description = "Help request id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = AnswerHelpRequestRequest,
    responses((status = 200, description = "Answered", body = HelpRequestDto, headers(("ETag" = String))), WriteErrors)
)]
#[post("/help-requests/{id}/answer")]
pub async fn answer(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<AnswerHelpRequestRequest>,
) -> Result<HttpResponse, ApiError> {
    let note = body.into_inner().note;
    Ok(tagged(repo::answer(&state.db, &auth.principal, *id, &note, if_match.0).await?))
}

/// Answer a help request as a work-record entry (the mentor; `open → answered`).
///
/// One transaction: records an entry in the mentor's book under the request's appointment,
/// naming the student and linking the request (`help_request_id`), and marks the request
/// `answered`, linking the entry (`work_record_id`), with the optional `note`. Defaults: kind
/// `individual_consultation`, date today, duties the request's topic, channel the one the student
/// preferred. The entry is checked as `POST /work-records` checks one (422 field errors). 409
/// `invalid_transition` unless `open`, 409 `appointment_not_active` once the mentor no longer
/// serves. The `ETag` is the request's.
#[utoipa::path(
    operation_id = "record_help_request",
    tag = "help",
    params(("id" = Uuid, Path, description = "Help request id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = RecordHelpRequestRequest,
    responses((status = 200, description = "Answered and recorded", body = HelpRequestRecordedDto, headers(("ETag" = String))), WriteErrors)
)]
#[post("/help-requests/{id}/record")]
pub async fn record(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<RecordHelpRequestRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let input = RecordAnswer {
        kind: b.kind,
        date: b.date,
        minutes: b.minutes,
        duties: b.duties,
        channel: b.channel,
        summary: b.summary,
        reflections: b.reflections,
        note: b.note,
    };
    let (r, entry) = repo::record(&state.db, &auth.principal, *id, input, if_match.0).await?;
    let v = r.version;
    let body = HelpRequestRecordedDto { help_request: r.into(), work_record: entry.into() };
    Ok(ok_tagged(&body, v))
}

/// Close a help request unanswered (the student or the mentor; `open → closed`).
///
/// 409 `invalid_transition` unless `open`; others who see it get `403`.
#[utoipa::path(
    operation_id = "close_help_request",
    tag = "help",
    params(("id" = Uuid, Path, description = "Help request id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 200, description = "Closed", body = HelpRequestDto, headers(("ETag" = String))), DeleteErrors)
)]
#[post("/help-requests/{id}/close")]
pub async fn close(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    Ok(tagged(repo::close(&state.db, &auth.principal, *id, if_match.0).await?))
}

// The bounds the schema declares are the domain's.
const _: () = assert!(MAX_MESSAGE_CHARS == 2000 && MAX_NOTE_CHARS == 2000);
