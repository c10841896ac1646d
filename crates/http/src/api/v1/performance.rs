//! `/appointments/{id}/performance`: a mentor's figures for the year (issue 15), computed by the
//! database, each figure's formula in its field's text.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use domain::performance::{Performance, Ratings};
use domain::work::Duty;
use persistence::usecases::performance as repo;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::openapi::ReadErrors;
use crate::respond::ok;
use crate::state::AppState;

/// Ratings (1–5): every answer counted, the mean only where no single answer can be told apart.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingsDto {
    /// Every answer given.
    #[schema(minimum = 0)]
    pub answers: i64,
    /// The mean rating, rounded to two decimals, over the groups that may be shown (see the
    /// figure); `null` when none may.
    #[schema(minimum = 1, maximum = 5, example = 4.33)]
    pub mean: Option<f64>,
}

impl From<Ratings> for RatingsDto {
    fn from(r: Ratings) -> Self {
        Self { answers: r.answers, mean: r.mean }
    }
}

/// The year's figures of one appointment, computed by the database when asked. Every count is
/// over this appointment only (one mentor, one academic year).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "appointment_id": "0193a4e1-7c2b-7abc-8def-0123456789ab", "academic_year_id": "0193a4e1-7c2b-7abc-8def-0123456789ac",
    "college_id": "0193a4e1-7c2b-7abc-8def-0123456789ad", "computed_at": "2027-06-10T02:00:00Z",
    "mentees_paired": 3, "mentees_reached": 2, "work_records": 14, "consultations": 11, "group_sessions": 3,
    "minutes": 820, "duties_covered": ["ideology", "study", "research"], "help_requests_received": 5,
    "help_requests_answered": 4, "help_median_answer_seconds": 16200, "concerns_registered": 1,
    "concerns_escalated": 1, "concerns_resolved": 1, "activities_hosted": 2, "activities_held": 2,
    "attendance": 37, "activity_feedback": {"answers": 21, "mean": 4.52}, "mentee_feedback": {"answers": 2, "mean": null},
    "introduction_met": true, "salon_met": true, "training_completed": true, "training_sessions_attended": 1,
    "inquiries_received": 4, "inquiries_answered": 3}))]
pub struct PerformanceDto {
    /// The appointment.
    pub appointment_id: Uuid,
    /// Its academic year.
    pub academic_year_id: Uuid,
    /// The mentor's college.
    pub college_id: Uuid,
    /// When the figures were computed.
    pub computed_at: DateTime<Utc>,
    /// `COUNT(DISTINCT mentee)` over the appointment's pairings, in any state (an ended pairing
    /// still counts).
    #[schema(minimum = 0)]
    pub mentees_paired: i64,
    /// `COUNT(DISTINCT student)` named in the appointment's work records who is one of its paired
    /// mentees (students of group work who are not its mentees do not count).
    #[schema(minimum = 0)]
    pub mentees_reached: i64,
    /// `COUNT(*)` of the appointment's work records (`consultations + group_sessions`).
    #[schema(minimum = 0)]
    pub work_records: i64,
    /// Work records of an individual kind: every kind but `group_counselling` and
    /// `peer_counselling`.
    #[schema(minimum = 0)]
    pub consultations: i64,
    /// Work records of a group kind: `group_counselling`, `peer_counselling`.
    #[schema(minimum = 0)]
    pub group_sessions: i64,
    /// `SUM(minutes)` of the work records.
    #[schema(minimum = 0)]
    pub minutes: i64,
    /// The distinct duties the work records served (0–5 of them).
    #[schema(max_items = 5)]
    pub duties_covered: Vec<Duty>,
    /// `COUNT(*)` of the help requests students made to the appointment
    /// (`POST /help-requests`), in any state.
    #[schema(minimum = 0)]
    pub help_requests_received: i64,
    /// Of those, answered — with a note or a work-record entry (`answered_at` set).
    #[schema(minimum = 0)]
    pub help_requests_answered: i64,
    /// The median of `answered_at − created_at` over the answered requests, in whole **seconds**
    /// (divide by 3600 for hours): the middle duration of an odd count, the mean of the two middle
    /// ones of an even count, half a second rounded up; `null` when none is answered.
    #[schema(minimum = 0, example = 16200)]
    pub help_median_answer_seconds: Option<i64>,
    /// Concerns registered under the appointment.
    #[schema(minimum = 0)]
    pub concerns_registered: i64,
    /// Of those, escalated (`escalated_at` set, whatever the state now).
    #[schema(minimum = 0)]
    pub concerns_escalated: i64,
    /// Of those, resolved.
    #[schema(minimum = 0)]
    pub concerns_resolved: i64,
    /// Activities the appointment hosts (as one of their host mentors) that are planned,
    /// published or held; cancelled ones do not count.
    #[schema(minimum = 0)]
    pub activities_hosted: i64,
    /// Of those, held.
    #[schema(minimum = 0)]
    pub activities_held: i64,
    /// Registrations marked attended at the held activities it hosts (one per student and
    /// activity).
    #[schema(minimum = 0)]
    pub attendance: i64,
    /// Feedback on the held activities it hosts. `answers` counts every answer; `mean` covers
    /// only activities whose feedback has closed (14 days after the end) with at least 3 answers
    /// each — the threshold of `GET /activities/{id}/feedback` for hosts.
    pub activity_feedback: RatingsDto,
    /// Its mentees' ratings (`POST /pairings/{id}/feedback`). `answers` counts every answer;
    /// `mean` covers only terms that are over (autumn ends Jan 31, spring Aug 31) with at least 3
    /// answers each — the threshold of the mentor's own feedback summary.
    pub mentee_feedback: RatingsDto,
    /// The orientation milestone: the introduction recorded on the appointment on or before the
    /// year's `introduction_deadline`, or an `orientation_introduction` activity it hosts held and
    /// starting on or before that day (Asia/Shanghai).
    pub introduction_met: bool,
    /// The salon milestone: a `freshman_salon` it hosts held and starting on or before the year's
    /// `salon_deadline` (Asia/Shanghai).
    pub salon_met: bool,
    /// Training completion recorded on the appointment (`POST /appointments/{id}/training`).
    pub training_completed: bool,
    /// Held `training` activities of the academic year at which the mentor's attendance was marked.
    #[schema(minimum = 0)]
    pub training_sessions_attended: i64,
    /// Directory inquiries sent to the appointment, those marked spam left out.
    #[schema(minimum = 0)]
    pub inquiries_received: i64,
    /// Of those, answered by the mentor (a reply recorded, whatever the state now).
    #[schema(minimum = 0)]
    pub inquiries_answered: i64,
}

impl From<Performance> for PerformanceDto {
    fn from(p: Performance) -> Self {
        Self {
            appointment_id: p.appointment_id,
            academic_year_id: p.academic_year_id,
            college_id: p.college_id,
            computed_at: p.computed_at,
            mentees_paired: p.mentees_paired,
            mentees_reached: p.mentees_reached,
            work_records: p.work_records,
            consultations: p.consultations,
            group_sessions: p.group_sessions,
            minutes: p.minutes,
            duties_covered: p.duties_covered,
            help_requests_received: p.help_requests_received,
            help_requests_answered: p.help_requests_answered,
            help_median_answer_seconds: p.help_median_answer_seconds,
            concerns_registered: p.concerns_registered,
            concerns_escalated: p.concerns_escalated,
            concerns_resolved: p.concerns_resolved,
            activities_hosted: p.activities_hosted,
            activities_held: p.activities_held,
            attendance: p.attendance,
            activity_feedback: p.activity_feedback.into(),
            mentee_feedback: p.mentee_feedback.into(),
            introduction_met: p.introduction_met,
            salon_met: p.salon_met,
            training_completed: p.training_completed,
            training_sessions_attended: p.training_sessions_attended,
            inquiries_received: p.inquiries_received,
            inquiries_answered: p.inquiries_answered,
        }
    }
}

/// The year's performance figures of an appointment.
///
/// What the college grades the year on and an award round weighs: mentees paired and reached,
/// work records by kind group with their minutes and duties, help requests answered and the
/// median time to answer, concerns, activities hosted and held
/// with their attendance and feedback, mentee feedback, the orientation and salon milestones,
/// training and directory inquiries — each computed by the database when asked, its formula in
/// the field's text. For the mentor, the college's admins and counselors and the university;
/// `404` for anyone else.
#[utoipa::path(
    operation_id = "appointment_performance",
    tag = "year-end",
    params(("id" = Uuid, Path, description = "Appointment id")),
    responses((status = 200, description = "The figures", body = PerformanceDto), ReadErrors)
)]
#[get("/appointments/{id}/performance")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let p = repo::performance(&state.db, &auth.principal, *id).await?;
    Ok(ok(&PerformanceDto::from(p)))
}
