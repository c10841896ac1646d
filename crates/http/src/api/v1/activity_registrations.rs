//! `/activities/{id}/registrations`, `/attendance` and `/feedback`: students register (a place
//! while there is one, the waitlist after), organisers register lists and take attendance,
//! attendees rate a held activity once.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use chrono::{DateTime, Utc};
use domain::activity::{Feedback, RegistrationState};
use persistence::activities::registrations::{
    self as repo, Attendance, Cancellation, FeedbackSummary, RegistrationFilter, RegistrationView,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::common::PageParams;
use super::dto::StudentRef;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{Json, MaybeJson};
use crate::openapi::{ActionErrors, Conflict, ReadErrors, Unprocessable};
use crate::respond::{self, PageOf, created, ok};
use crate::state::AppState;

/// A student's registration for an activity.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationDto {
    /// Id.
    pub id: Uuid,
    /// The activity.
    pub activity_id: Uuid,
    /// The student.
    pub student: StudentRef,
    /// `registered` (holds a place), `waitlisted` or `cancelled`.
    pub state: RegistrationState,
    /// Marked present.
    pub attended: bool,
    /// Who registered the student (themself or an organiser).
    pub registered_by: Option<Uuid>,
    /// When a waitlisted registration got its place.
    pub promoted_at: Option<DateTime<Utc>>,
    /// When it was cancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Registered (the waitlist goes by this).
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<RegistrationView> for RegistrationDto {
    fn from(v: RegistrationView) -> Self {
        let r = v.registration;
        Self {
            id: r.id,
            activity_id: r.activity_id,
            student: v.student.into(),
            state: r.state,
            attended: r.attended,
            registered_by: r.registered_by,
            promoted_at: r.promoted_at,
            cancelled_at: r.cancelled_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Registrations made or changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationList {
    /// The registrations, in registration order.
    pub items: Vec<RegistrationDto>,
}

/// Registering. Without a body (or without `student_ids`) the calling student registers
/// themself; with `student_ids` one who runs the activity registers those students.
#[derive(Debug, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// Students to register (organisers and hosts), at most 500.
    pub student_ids: Option<Vec<Uuid>>,
}

/// Whose registration to cancel.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CancelQuery {
    /// The student; absent for the caller's own registration. Organisers and hosts may cancel
    /// anyone's.
    pub student_id: Option<Uuid>,
}

/// What a cancellation did.
#[derive(Debug, Serialize, ToSchema)]
pub struct CancellationDto {
    /// The cancelled registration.
    pub cancelled: RegistrationDto,
    /// The first waitlisted registration, which got the freed place, if any.
    pub promoted: Option<RegistrationDto>,
}

impl From<Cancellation> for CancellationDto {
    fn from(c: Cancellation) -> Self {
        Self { cancelled: c.cancelled.into(), promoted: c.promoted.map(RegistrationDto::from) }
    }
}

/// Filters of the registration list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegistrationQuery {
    /// Only this state.
    pub state: Option<RegistrationState>,
    /// Only those marked present (`true`) or absent (`false`).
    pub attended: Option<bool>,
}

/// The attendance of an activity.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct AttendanceRequest {
    /// Every student who was present (at most 10000); every other registered student was not.
    #[validate(length(max = 10000))]
    pub student_ids: Vec<Uuid>,
}

/// The attendance as recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceDto {
    /// How many were present.
    pub attended: usize,
    /// How many held a place.
    pub registered: usize,
    /// Every student holding a place, present or not, in registration order.
    pub items: Vec<RegistrationDto>,
}

impl From<Attendance> for AttendanceDto {
    fn from(a: Attendance) -> Self {
        let items: Vec<RegistrationDto> = a.registrations.into_iter().map(RegistrationDto::from).collect();
        Self { attended: items.iter().filter(|r| r.attended).count(), registered: items.len(), items }
    }
}

/// Feedback on a held activity.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct FeedbackRequest {
    /// 1 (poor) – 5 (excellent).
    #[validate(range(min = 1, max = 5))]
    #[schema(minimum = 1, maximum = 5)]
    pub rating: i32,
    /// A comment, up to 2000 characters.
    #[validate(length(max = 2000))]
    pub comment: Option<String>,
}

/// A piece of feedback.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackDto {
    /// Id.
    pub id: Uuid,
    /// The activity.
    pub activity_id: Uuid,
    /// The student.
    pub student_id: Uuid,
    /// 1–5.
    pub rating: i32,
    /// Comment.
    pub comment: Option<String>,
    /// Given.
    pub created_at: DateTime<Utc>,
}

impl From<Feedback> for FeedbackDto {
    fn from(f: Feedback) -> Self {
        Self {
            id: f.id,
            activity_id: f.activity_id,
            student_id: f.student_id,
            rating: f.rating,
            comment: f.comment,
            created_at: f.created_at,
        }
    }
}

/// One piece of feedback with its student.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackItem {
    /// The feedback.
    #[serde(flatten)]
    pub feedback: FeedbackDto,
    /// The student.
    pub student: StudentRef,
}

/// The feedback on an activity.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackSummaryDto {
    /// How many gave feedback.
    pub count: u64,
    /// The mean rating (1–5). Mentors who run the activity see it only once feedback has closed
    /// (14 days after the end) and at least three answered.
    pub average_rating: Option<f64>,
    /// Each answer with who gave it, oldest first: for the university and the college's admins
    /// and counselors only; empty for the mentors who run the activity.
    pub items: Vec<FeedbackItem>,
}

impl From<FeedbackSummary> for FeedbackSummaryDto {
    fn from(s: FeedbackSummary) -> Self {
        Self {
            count: s.count,
            average_rating: s.average,
            items: s.items.into_iter().map(|(f, st)| FeedbackItem { feedback: f.into(), student: st.into() }).collect(),
        }
    }
}

/// Register for a published activity that is not over.
///
/// Without a body a student registers themself: a student of the activity's college (any student
/// for a university-wide one), enrolled. With `student_ids`, the activity's organisers and hosts
/// register a list, all or nothing (each failure a field error `student_ids[i]`:
/// `invalid_reference`, `not_eligible`, `duplicate`). Each student gets a place while there is one
/// and goes on the waitlist after — also under concurrent requests. Registering twice is 409
/// `duplicate`; a planned or finished activity 409 (`invalid_transition`, `registration_closed`).
#[utoipa::path(
    operation_id = "register_for_activity",
    tag = "activities",
    params(("id" = Uuid, Path, description = "Activity id")),
    request_body(content = RegisterRequest, description = "Optional: leave it out to register yourself"),
    responses(
        (status = 201, description = "Registered or waitlisted", body = RegistrationList, headers(("Location" = String))),
        ActionErrors
    )
)]
#[post("/activities/{id}/registrations")]
pub async fn register(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: MaybeJson<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let made = repo::register(&state.db, &auth.principal, *id, body.into_inner().student_ids).await?;
    let items: Vec<RegistrationDto> = made.into_iter().map(RegistrationDto::from).collect();
    Ok(created(format!("/api/v1/activities/{id}/registrations"), &RegistrationList { items }, 1))
}

/// List an activity's registrations.
///
/// Its organisers and hosts see every registration; anyone else who may see the activity sees
/// only their own. Registration order (the waitlist's) unless sorted by `created_at` or
/// `updated_at`.
#[utoipa::path(
    operation_id = "list_activity_registrations",
    tag = "activities",
    params(("id" = Uuid, Path, description = "Activity id"), PageParams, RegistrationQuery),
    responses(
        (status = 200, description = "One page of registrations", body = PageOf<RegistrationDto>),
        ReadErrors,
        (status = 422, response = Unprocessable)
    )
)]
#[get("/activities/{id}/registrations")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
    q: web::Query<RegistrationQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let f = RegistrationFilter { state: q.state, attended: q.attended };
    let p = repo::list(&state.db, &auth.principal, *id, f, page.request()?, page.sort.as_deref()).await?;
    Ok(respond::page(&req, PageOf::from_page(p, RegistrationDto::from)))
}

/// Cancel a registration (the student's own, or anyone's by the organisers and hosts).
///
/// When a place frees up, the first waitlisted student (by registration time) gets it and is
/// returned as `promoted`. No live registration is 404.
#[utoipa::path(
    operation_id = "cancel_activity_registration",
    tag = "activities",
    params(("id" = Uuid, Path, description = "Activity id"), CancelQuery),
    responses(
        (status = 200, description = "Cancelled", body = CancellationDto),
        ReadErrors,
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable)
    )
)]
#[delete("/activities/{id}/registrations")]
pub async fn cancel(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    q: web::Query<CancelQuery>,
) -> Result<HttpResponse, ApiError> {
    let c = repo::cancel(&state.db, &auth.principal, *id, q.student_id).await?;
    Ok(ok(&CancellationDto::from(c)))
}

/// Record attendance in bulk (organisers and hosts).
///
/// The listed students were present; every other registered student was not. Open from the
/// activity's start while it is published; recording it as held closes attendance (409
/// `attendance_closed` after), so only those recorded by then may give feedback.
/// Before the start is 409 `not_started`. Each listed student must hold a place
/// (`student_ids[i]`: `not_registered`).
#[utoipa::path(
    operation_id = "record_activity_attendance",
    tag = "activities",
    params(("id" = Uuid, Path, description = "Activity id")),
    request_body = AttendanceRequest,
    responses(
        (status = 200, description = "Recorded", body = AttendanceDto),
        ActionErrors
    )
)]
#[put("/activities/{id}/attendance")]
pub async fn attendance(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<AttendanceRequest>,
) -> Result<HttpResponse, ApiError> {
    let a = repo::record_attendance(&state.db, &auth.principal, *id, body.into_inner().student_ids).await?;
    Ok(ok(&AttendanceDto::from(a)))
}

/// Give feedback on a held activity you attended: once, rated 1–5, with an optional comment.
///
/// Not an attendee is 403; a second time is 409 `duplicate`; before it is held 409
/// `invalid_transition`.
#[utoipa::path(
    operation_id = "give_activity_feedback",
    tag = "activities",
    params(("id" = Uuid, Path, description = "Activity id")),
    request_body = FeedbackRequest,
    responses(
        (status = 201, description = "Recorded", body = FeedbackDto, headers(("Location" = String))),
        ActionErrors
    )
)]
#[post("/activities/{id}/feedback")]
pub async fn give_feedback(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<FeedbackRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let comment = b.comment.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
    let f = repo::give_feedback(&state.db, &auth.principal, *id, b.rating, comment).await?;
    Ok(created(format!("/api/v1/activities/{id}/feedback"), &FeedbackDto::from(f), 1))
}

/// Read the feedback on an activity.
///
/// The university and the college's admins and counselors get every answer with who gave it; the
/// mentors who organise or host it only the count (and, once feedback has closed, the mean). Others
/// are 403 or 404.
#[utoipa::path(
    operation_id = "list_activity_feedback",
    tag = "activities",
    params(("id" = Uuid, Path, description = "Activity id")),
    responses(
        (status = 200, description = "The feedback", body = FeedbackSummaryDto),
        ReadErrors
    )
)]
#[get("/activities/{id}/feedback")]
pub async fn feedback(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    Ok(ok(&FeedbackSummaryDto::from(repo::feedback(&state.db, &auth.principal, *id).await?)))
}
