//! `/work-records`: the mentor's work-record book (工作记录本, rules 三(一)3 and 四.3) — entries,
//! the edit window and notes after it, and `/appointments/{id}/work-summary`.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::NaiveDate;
use domain::work::{Duty, NewWorkRecord, WorkChannel, WorkKind, WorkRecordChanges};
use persistence::usecases::work::{self as repo, Tally, WorkSummary};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::common::{PageParams, double_option};
use super::dto::{WorkRecordDto, WorkRecordQuery};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json};
use crate::openapi::{ActionErrors, CreateErrors, ListErrors, ReadErrors, WriteErrors};
use crate::respond::{self, PageOf, created, ok, ok_tagged};
use crate::state::AppState;

/// A new entry, recorded by the mentor.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"appointment_id": "0193a4e1-7c2b-7abc-8def-0123456789ab", "kind": "individual_consultation",
    "date": "2026-10-15", "minutes": 45, "duties": ["study", "research"], "channel": "face_to_face",
    "student_ids": ["0193a4e1-7c2b-7abc-8def-0123456789ac"], "summary": "讨论选课与开题安排",
    "reflections": "新生对培养方案不熟悉，下次带上学院的培养方案。"}))]
pub struct CreateWorkRecordRequest {
    /// The mentor's own active appointment.
    pub appointment_id: Uuid,
    /// Kind.
    pub kind: WorkKind,
    /// The day it happened (Asia/Shanghai): within the appointment's academic year, not in the future.
    pub date: NaiveDate,
    /// Minutes, 1–1440.
    #[schema(minimum = 1, maximum = 1440)]
    pub minutes: i32,
    /// The duties it served: at least one, each once.
    #[schema(value_type = BTreeSet<Duty>, min_items = 1, max_items = 5)]
    pub duties: Vec<Duty>,
    /// How they met.
    pub channel: WorkChannel,
    /// The students it names, at most 200: the mentor's own mentees, or for group work
    /// (`group_counselling`, `peer_counselling`) any students of the college. Group work may name
    /// none and give a `head_count`.
    #[serde(default)]
    #[schema(max_items = 200)]
    pub student_ids: Vec<Uuid>,
    /// How many took part, 1–10000 (group work only; required when it names no one).
    #[schema(minimum = 1, maximum = 10000)]
    pub head_count: Option<i32>,
    /// What happened, 1–5000 characters.
    #[schema(min_length = 1, max_length = 5000)]
    pub summary: String,
    /// 心得体会, up to 5000 characters; never shown to the students named.
    #[schema(max_length = 5000)]
    pub reflections: Option<String>,
    /// The activity it came from (of the mentor's college, or university-wide).
    pub activity_id: Option<Uuid>,
}

/// Changes to an entry within its edit window; absent fields stay.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"minutes": 60, "reflections": "补充：已把培养方案发给新生。"}))]
pub struct UpdateWorkRecordRequest {
    /// Kind.
    pub kind: Option<WorkKind>,
    /// The day it happened.
    pub date: Option<NaiveDate>,
    /// Minutes, 1–1440.
    #[schema(minimum = 1, maximum = 1440)]
    pub minutes: Option<i32>,
    /// The duties it served, each once.
    #[schema(value_type = Option<BTreeSet<Duty>>, min_items = 1, max_items = 5)]
    pub duties: Option<Vec<Duty>>,
    /// How they met.
    pub channel: Option<WorkChannel>,
    /// The students it names (replaces the list).
    #[schema(max_items = 200)]
    pub student_ids: Option<Vec<Uuid>>,
    /// How many took part, or `null`.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>, nullable, minimum = 1, maximum = 10000)]
    pub head_count: Option<Option<i32>>,
    /// What happened, 1–5000 characters.
    #[schema(min_length = 1, max_length = 5000)]
    pub summary: Option<String>,
    /// 心得体会, or `null`.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable, max_length = 5000)]
    pub reflections: Option<Option<String>>,
}

/// A note appended to an entry.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "11 月回访：该生已确定开题方向。"}))]
pub struct WorkNoteRequest {
    /// The note, 1–5000 characters.
    #[schema(min_length = 1, max_length = 5000)]
    pub text: String,
}

/// Entries and minutes of one kind.
#[derive(Debug, Serialize, ToSchema)]
pub struct KindTallyDto {
    /// Kind.
    pub kind: WorkKind,
    /// Entries.
    pub entries: i64,
    /// Minutes.
    pub minutes: i64,
}

/// Entries and minutes serving one duty.
#[derive(Debug, Serialize, ToSchema)]
pub struct DutyTallyDto {
    /// Duty.
    pub duty: Duty,
    /// Entries.
    pub entries: i64,
    /// Minutes.
    pub minutes: i64,
}

/// Entries and minutes of one month.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthTallyDto {
    /// `YYYY-MM`.
    #[schema(pattern = "^[0-9]{4}-[0-9]{2}$", example = "2026-10")]
    pub month: String,
    /// Entries.
    pub entries: i64,
    /// Minutes.
    pub minutes: i64,
}

/// A mentee named in no entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct UncontactedDto {
    /// Student id.
    pub id: Uuid,
    /// 学号.
    pub student_no: String,
    /// Name.
    pub name: String,
}

/// The figures of one appointment's work-record book, computed by the database.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkSummaryDto {
    /// The appointment.
    pub appointment_id: Uuid,
    /// Entries.
    pub entries: i64,
    /// Minutes in all.
    pub minutes: i64,
    /// By kind (kinds with entries).
    pub by_kind: Vec<KindTallyDto>,
    /// By duty (an entry serving two duties counts in both).
    pub by_duty: Vec<DutyTallyDto>,
    /// By month of the date, oldest first.
    pub by_month: Vec<MonthTallyDto>,
    /// Distinct students named in any entry.
    pub students_reached: i64,
    /// The appointment's mentees (ended pairings included) named in no entry, by 学号.
    pub mentees_never_contacted: Vec<UncontactedDto>,
    /// `COUNT(*)` of the help requests students made to the appointment, in any state.
    #[schema(minimum = 0)]
    pub help_requests_received: i64,
    /// Of those, answered — with a note or a work-record entry (`answered_at` set).
    #[schema(minimum = 0)]
    pub help_requests_answered: i64,
    /// The median of `answered_at − created_at` over the answered requests, in whole **seconds**:
    /// the middle duration of an odd count, the mean of the two middle ones of an even count,
    /// half a second rounded up; `null` when none is answered.
    #[schema(minimum = 0, example = 16200)]
    pub help_median_answer_seconds: Option<i64>,
    /// `COUNT(*)` of the directory inquiries sent to the appointment, those marked spam left out.
    #[schema(minimum = 0)]
    pub inquiries_received: i64,
    /// Of those, answered by the mentor (a reply recorded, whatever the state now).
    #[schema(minimum = 0)]
    pub inquiries_answered: i64,
}

impl From<WorkSummary> for WorkSummaryDto {
    fn from(s: WorkSummary) -> Self {
        fn tally<K, T>(v: Vec<Tally<K>>, f: impl Fn(K, i64, i64) -> T) -> Vec<T> {
            v.into_iter().map(|t| f(t.key, t.entries, t.minutes)).collect()
        }
        Self {
            appointment_id: s.appointment_id,
            entries: s.entries,
            minutes: s.minutes,
            by_kind: tally(s.by_kind, |kind, entries, minutes| KindTallyDto { kind, entries, minutes }),
            by_duty: tally(s.by_duty, |duty, entries, minutes| DutyTallyDto { duty, entries, minutes }),
            by_month: tally(s.by_month, |month, entries, minutes| MonthTallyDto { month, entries, minutes }),
            students_reached: s.students_reached,
            mentees_never_contacted: s
                .mentees_never_contacted
                .into_iter()
                .map(|u| UncontactedDto { id: u.id, student_no: u.student_no, name: u.name })
                .collect(),
            help_requests_received: s.help_requests_received,
            help_requests_answered: s.help_requests_answered,
            help_median_answer_seconds: s.help_median_answer_seconds,
            inquiries_received: s.inquiries_received,
            inquiries_answered: s.inquiries_answered,
        }
    }
}

/// The path of an entry.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct WorkRecordPath {
    /// Entry id.
    pub id: Uuid,
}

fn tagged(r: domain::work::WorkRecord) -> HttpResponse {
    let version = r.version;
    ok_tagged(&WorkRecordDto::from(r), version)
}

/// Record a work-record entry (the mentor).
///
/// Under the caller's own active appointment (`422 invalid_reference` for another's, `409
/// appointment_not_active` for one no longer serving). The date lies within the appointment's
/// academic year and not after today (Asia/Shanghai); individual work names the mentor's own
/// mentees, group work any students of the college or none with a `head_count`. The entry can be
/// changed for the academic year's `record_edit_days` (default 30); after that it is locked and
/// only notes are appended. The change feed says `work_record.created` with the kind only.
#[utoipa::path(
    operation_id = "create_work_record",
    tag = "work",
    request_body = CreateWorkRecordRequest,
    responses(
        (status = 201, description = "Recorded", body = WorkRecordDto, headers(("Location" = String), ("ETag" = String))),
        CreateErrors
    )
)]
#[post("/work-records")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<CreateWorkRecordRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let cmd = NewWorkRecord {
        appointment_id: b.appointment_id,
        kind: b.kind,
        date: b.date,
        minutes: b.minutes,
        duties: b.duties,
        channel: b.channel,
        student_ids: b.student_ids,
        head_count: b.head_count,
        summary: b.summary,
        reflections: b.reflections,
        activity_id: b.activity_id,
    };
    let r = repo::create(&state.db, &auth.principal, cmd).await?;
    Ok(created(format!("/api/v1/work-records/{}", r.id), &WorkRecordDto::from(r.clone()), r.version))
}

/// List work-record entries.
///
/// What the caller may see: the mentor their own; a college's admins and counselors the
/// college's; the university all; a supervisor the entries naming their students; a student the
/// entries naming them, without `reflections`. Sort keys: `date` (default, latest first),
/// `created_at`, `updated_at`.
#[utoipa::path(
    operation_id = "list_work_records",
    tag = "work",
    params(PageParams, WorkRecordQuery),
    responses((status = 200, description = "One page of entries", body = PageOf<WorkRecordDto>), ListErrors)
)]
#[get("/work-records")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<PageParams>,
    q: web::Query<WorkRecordQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = q.into_inner().into();
    let p = repo::list(&state.db, &auth.principal, filter, page.request()?, page.sort.as_deref()).await?;
    Ok(respond::page(&req, PageOf::from_page(p, WorkRecordDto::from)))
}

/// Get a work-record entry.
///
/// `404` for anyone the visibility rules leave out; a student named in it sees it without
/// `reflections`.
#[utoipa::path(
    operation_id = "get_work_record",
    tag = "work",
    params(WorkRecordPath),
    responses((status = 200, description = "The entry", body = WorkRecordDto, headers(("ETag" = String))), ReadErrors)
)]
#[get("/work-records/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<WorkRecordPath>,
) -> Result<HttpResponse, ApiError> {
    Ok(tagged(repo::get(&state.db, &auth.principal, path.id).await?))
}

/// Change a work-record entry (its mentor, within the edit window).
///
/// Checked as a whole like a new one. After the academic year's `record_edit_days` from its
/// recording, `409 record_locked` (append a note instead). Others who may see it get `403`.
/// Send the `ETag` last read as `If-Match` (412 `precondition_failed` otherwise).
#[utoipa::path(
    operation_id = "update_work_record",
    tag = "work",
    params(WorkRecordPath, ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = UpdateWorkRecordRequest,
    responses(
        (status = 200, description = "Changed", body = WorkRecordDto, headers(("ETag" = String))),
        WriteErrors
    )
)]
#[patch("/work-records/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<WorkRecordPath>,
    if_match: IfMatch,
    body: Json<UpdateWorkRecordRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let changes = WorkRecordChanges {
        kind: b.kind,
        date: b.date,
        minutes: b.minutes,
        duties: b.duties,
        channel: b.channel,
        student_ids: b.student_ids,
        head_count: b.head_count,
        summary: b.summary,
        reflections: b.reflections,
    };
    Ok(tagged(repo::update(&state.db, &auth.principal, path.id, changes, if_match.0).await?))
}

/// Append a note to a work-record entry (its mentor).
///
/// The only change once the entry is locked (also allowed before). Answers with the entry and
/// its notes.
#[utoipa::path(
    operation_id = "add_work_record_note",
    tag = "work",
    params(WorkRecordPath),
    request_body = WorkNoteRequest,
    responses(
        (status = 201, description = "Appended", body = WorkRecordDto, headers(("Location" = String), ("ETag" = String))),
        ActionErrors
    )
)]
#[post("/work-records/{id}/notes")]
pub async fn add_note(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<WorkRecordPath>,
    body: Json<WorkNoteRequest>,
) -> Result<HttpResponse, ApiError> {
    let r = repo::add_note(&state.db, &auth.principal, path.id, &body.into_inner().text).await?;
    Ok(created(format!("/api/v1/work-records/{}", r.id), &WorkRecordDto::from(r.clone()), r.version))
}

/// The work summary of an appointment.
///
/// Entries and minutes by kind, duty and month, the distinct students reached and the mentees
/// never named — computed by the database. For the mentor, the college's admins and counselors
/// and the university; `404` for anyone else.
#[utoipa::path(
    operation_id = "appointment_work_summary",
    tag = "work",
    params(("id" = Uuid, Path, description = "Appointment id")),
    responses((status = 200, description = "The summary", body = WorkSummaryDto), ReadErrors)
)]
#[get("/appointments/{id}/work-summary")]
pub async fn summary(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let s = repo::summary(&state.db, &auth.principal, *id).await?;
    Ok(ok(&WorkSummaryDto::from(s)))
}

// The bounds the schema declares are the domain's.
const _: () = assert!(
    domain::work::MAX_MINUTES == 1440
        && domain::work::MAX_STUDENTS == 200
        && domain::work::MAX_TEXT_CHARS == 5000
        && domain::work::MAX_DUTIES == 5
);
