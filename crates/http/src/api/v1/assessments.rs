//! `/appointments/{id}/assessment`: the year's grade of a mentor (考核, rule 四.1) — the college
//! grades within the academic year's assessment window, the university confirms and may change.

use actix_web::{HttpResponse, get, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use domain::yearend::{AssessmentState, Grade};
use persistence::usecases::assessments::{self as repo, AssessmentView, GradeCommand};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json};
use crate::openapi::{ReadErrors, WriteErrors};
use crate::respond::ok_tagged;
use crate::state::AppState;

/// A mentor's assessment for the year.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "appointment_id": "0193a4e1-7c2b-7abc-8def-0123456789ab", "academic_year_id": "0193a4e1-7c2b-7abc-8def-0123456789ac",
    "college_id": "0193a4e1-7c2b-7abc-8def-0123456789ad", "grade": "unsatisfactory", "dismissed": false,
    "comment": "全年未开展结对帮扶工作", "state": "graded", "graded_by": "0193a4e1-7c2b-7abc-8def-0123456789ae",
    "graded_at": "2027-06-10T02:00:00Z", "confirmed_by": null, "confirmed_at": null,
    "assessment_opens_on": "2027-06-01", "assessment_closes_on": "2027-06-30",
    "dismissal_url": "/api/v1/appointments/0193a4e1-7c2b-7abc-8def-0123456789ab/dismissal", "version": 1}))]
pub struct AssessmentDto {
    /// The appointment.
    pub appointment_id: Uuid,
    /// Its academic year.
    pub academic_year_id: Uuid,
    /// The mentor's college.
    pub college_id: Uuid,
    /// The grade that holds: `unsatisfactory` for a dismissed mentor (by definition, whatever was
    /// recorded), else the recorded grade; `null` while nobody has graded.
    pub grade: Option<Grade>,
    /// Whether the mentor was dismissed.
    pub dismissed: bool,
    /// The comment of the last grade.
    #[schema(max_length = 1000)]
    pub comment: Option<String>,
    /// `graded` (by the college) or `confirmed` (by the university); `null` while nobody has graded.
    pub state: Option<AssessmentState>,
    /// Who last set the grade.
    pub graded_by: Option<Uuid>,
    /// When.
    pub graded_at: Option<DateTime<Utc>>,
    /// The university admin who confirmed it.
    pub confirmed_by: Option<Uuid>,
    /// When.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// The first day colleges grade (the academic year's window; `null` while not set).
    pub assessment_opens_on: Option<NaiveDate>,
    /// The last day colleges grade.
    pub assessment_closes_on: Option<NaiveDate>,
    /// Where an `unsatisfactory` mentor still serving may be dismissed (`POST`, a reason
    /// required): a link, never an automatic dismissal. `null` otherwise.
    pub dismissal_url: Option<String>,
    /// Version (the `ETag`; 0 before the first grade).
    pub version: i32,
}

impl From<AssessmentView> for AssessmentDto {
    fn from(v: AssessmentView) -> Self {
        let r = v.recorded.as_ref();
        let dismissal_url = (v.grade == Some(Grade::Unsatisfactory) && v.active)
            .then(|| format!("/api/v1/appointments/{}/dismissal", v.appointment_id));
        Self {
            appointment_id: v.appointment_id,
            academic_year_id: v.academic_year_id,
            college_id: v.college_id,
            grade: v.grade,
            dismissed: v.dismissed,
            comment: r.map(|r| r.comment.clone()),
            state: r.map(|r| r.state),
            graded_by: r.map(|r| r.graded_by),
            graded_at: r.map(|r| r.graded_at),
            confirmed_by: r.and_then(|r| r.confirmed_by),
            confirmed_at: r.and_then(|r| r.confirmed_at),
            assessment_opens_on: v.window.map(|w| w.opens_on),
            assessment_closes_on: v.window.map(|w| w.closes_on),
            dismissal_url,
            version: v.version,
        }
    }
}

/// The college's grade.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"grade": "excellent", "comment": "结对帮扶扎实，新生反馈好"}))]
pub struct GradeRequest {
    /// `excellent` (优秀), `competent` (合格) or `unsatisfactory` (不合格).
    pub grade: Grade,
    /// Why, up to 1000 characters; required for `unsatisfactory`.
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub comment: String,
}

/// The university's confirmation: the grade and comment recorded unless given.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"grade": "competent", "comment": "工作记录偏少，定为合格"}))]
pub struct ConfirmRequest {
    /// A changed grade (the college's stays when absent).
    pub grade: Option<Grade>,
    /// A changed comment, up to 1000 characters.
    #[schema(max_length = 1000)]
    pub comment: Option<String>,
}

fn tagged(v: AssessmentView) -> HttpResponse {
    let version = v.version;
    ok_tagged(&AssessmentDto::from(v), version)
}

/// The year's assessment of an appointment.
///
/// For the mentor, the college's admins and counselors and the university; `404` for anyone
/// else. Before any grade, `grade` and `state` are `null` — except for a dismissed mentor, who is
/// `unsatisfactory` by definition.
#[utoipa::path(
    operation_id = "get_assessment",
    tag = "year-end",
    params(("id" = Uuid, Path, description = "Appointment id")),
    responses((status = 200, description = "The assessment", body = AssessmentDto, headers(("ETag" = String))), ReadErrors)
)]
#[get("/appointments/{id}/assessment")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    Ok(tagged(repo::get(&state.db, &auth.principal, *id).await?))
}

/// Grade the year (the college's admin, or a university admin).
///
/// From the academic year's `assessment_opens_on` to its `assessment_closes_on` (Asia/Shanghai
/// days; set them with `PATCH /academic-years/{id}`), else `409 assessment_closed`; while the
/// university has not confirmed (then `409 invalid_transition`). A university admin's grade is
/// confirmed at once, any day from the opening. `unsatisfactory` needs a `comment` and may lead to
/// a dismissal (`dismissal_url`); a dismissed mentor can only be `unsatisfactory` (`422`
/// `not_eligible` on `grade`). Others who see the appointment get `403`, anyone else `404`. Send
/// the `ETag` last read as `If-Match` to change only that version. The change feed says
/// `assessment.graded` (or `assessment.confirmed`) with the ids and the grade, never the comment.
#[utoipa::path(
    operation_id = "grade_assessment",
    tag = "year-end",
    params(("id" = Uuid, Path, description = "Appointment id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = GradeRequest,
    responses((status = 200, description = "Graded", body = AssessmentDto, headers(("ETag" = String))), WriteErrors)
)]
#[put("/appointments/{id}/assessment")]
pub async fn put(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<GradeRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let cmd = GradeCommand { grade: Some(b.grade), comment: Some(b.comment) };
    Ok(tagged(repo::grade(&state.db, &auth.principal, *id, cmd, if_match.0).await?))
}

/// Confirm the grade (university admins), possibly changing it.
///
/// Any day from the academic year's `assessment_opens_on` (`409 assessment_closed` before, or
/// without a window). Without a `grade` the recorded one is confirmed (a dismissed mentor's:
/// `unsatisfactory`); with nothing recorded, `422` on `grade`. Confirming again changes the
/// confirmed grade. Others who see the appointment get `403`, anyone else `404`.
#[utoipa::path(
    operation_id = "confirm_assessment",
    tag = "year-end",
    params(("id" = Uuid, Path, description = "Appointment id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = ConfirmRequest,
    responses((status = 200, description = "Confirmed", body = AssessmentDto, headers(("ETag" = String))), WriteErrors)
)]
#[post("/appointments/{id}/assessment/confirm")]
pub async fn confirm(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<ConfirmRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let cmd = GradeCommand { grade: b.grade, comment: b.comment };
    Ok(tagged(repo::confirm(&state.db, &auth.principal, *id, cmd, if_match.0).await?))
}
