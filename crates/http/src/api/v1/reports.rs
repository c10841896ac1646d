//! `/reports/compliance` and `/reports/college-assessment` (issue 16): what each college did by the
//! year's deadlines, and its year-end assessment figures (四.6). Read-only; every figure is
//! computed by the database when asked.

use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use domain::report::{CollegeCompliance, Compliance, IntroductionCount, MilestoneStatus, Outcome, SalonCount};
use persistence::usecases::reports as repo;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::openapi::ReadErrors;
use crate::respond::ok;
use crate::state::AppState;

/// Which year (and college) a report is for.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// The academic year (required).
    pub academic_year_id: Uuid,
    /// Only this college. A college admin or counselor reads only their own college: another
    /// college's id is a 404.
    pub college_id: Option<Uuid>,
}

/// The introduction milestone of one college (三(一)1: every appointed mentor introduced to the
/// freshmen by the year's `introduction_deadline`).
#[derive(Debug, Serialize, ToSchema)]
pub struct IntroductionMilestoneDto {
    /// `met`: every due mentor introduced, the last on or before the deadline; `late`: every one
    /// introduced, the last after it; `missed`: some not introduced and the deadline's day is
    /// over; `pending`: some not introduced, the deadline not yet passed; `not_applicable`: no
    /// due mentors.
    pub status: MilestoneStatus,
    /// For `met` and `late`: the Asia/Shanghai day the last due mentor was introduced.
    pub date: Option<NaiveDate>,
    /// The deadline (its last day).
    pub deadline: NaiveDate,
    /// The mentors it is due from: the college's appointments of the year that are `active` or
    /// `completed` (dismissed and resigned ones are not due).
    #[schema(minimum = 0)]
    pub mentors: i64,
    /// Of those, introduced at any time. A mentor is introduced on the earlier of the introduction
    /// recorded on the appointment (`POST /appointments/{id}/introduction`, its `introduced_on`)
    /// and the Asia/Shanghai day of the first `orientation_introduction` of the year they host
    /// that was held.
    #[schema(minimum = 0)]
    pub introduced: i64,
    /// Of those, introduced on or before the deadline.
    #[schema(minimum = 0)]
    pub introduced_by_deadline: i64,
}

impl IntroductionMilestoneDto {
    fn new(c: IntroductionCount, o: Outcome, deadline: NaiveDate) -> Self {
        Self {
            status: o.status,
            date: o.date,
            deadline,
            mentors: c.mentors,
            introduced: c.introduced,
            introduced_by_deadline: c.introduced_by_deadline,
        }
    }
}

/// The freshman-salon milestone of one college (三(一)2: at least one freshman salon held by the
/// year's `salon_deadline`).
#[derive(Debug, Serialize, ToSchema)]
pub struct SalonMilestoneDto {
    /// `met`: the first held salon started on or before the deadline's day (Asia/Shanghai: 23:30
    /// on Oct 31 Beijing time is on time, 00:10 on Nov 1 is not); `late`: the first one started
    /// after it; `missed`: none held and the deadline's day is over; `pending`: none held yet,
    /// the deadline not yet passed; `not_applicable`: the college has no due mentors.
    pub status: MilestoneStatus,
    /// For `met` and `late`: the Asia/Shanghai day the first held salon started.
    pub date: Option<NaiveDate>,
    /// The deadline (its last day).
    pub deadline: NaiveDate,
    /// The college's `freshman_salon` activities of the year recorded as held (cancelled,
    /// planned and published ones do not count).
    #[schema(minimum = 0)]
    pub held: i64,
    /// Of those, starting on or before the deadline's day (Asia/Shanghai).
    #[schema(minimum = 0)]
    pub held_by_deadline: i64,
    /// Registrations marked attended at the held salons (one per student and salon).
    #[schema(minimum = 0)]
    pub attendance: i64,
}

impl SalonMilestoneDto {
    fn new(c: SalonCount, o: Outcome, deadline: NaiveDate) -> Self {
        Self {
            status: o.status,
            date: o.date,
            deadline,
            held: c.held,
            held_by_deadline: c.held_by_deadline,
            attendance: c.attendance,
        }
    }
}

/// One college's milestones.
#[derive(Debug, Serialize, ToSchema)]
pub struct CollegeComplianceDto {
    /// The college.
    pub college_id: Uuid,
    /// Its code.
    #[schema(example = "CS")]
    pub college_code: String,
    /// Its name.
    #[schema(example = "计算机学院")]
    pub college_name: String,
    /// Mentors introduced to the freshmen.
    pub introduction: IntroductionMilestoneDto,
    /// Freshman salons held.
    pub freshman_salon: SalonMilestoneDto,
}

impl CollegeComplianceDto {
    fn new(c: CollegeCompliance, introduction_deadline: NaiveDate, salon_deadline: NaiveDate) -> Self {
        Self {
            college_id: c.college_id,
            college_code: c.college_code,
            college_name: c.college_name,
            introduction: IntroductionMilestoneDto::new(c.introduction, c.introduction_outcome, introduction_deadline),
            freshman_salon: SalonMilestoneDto::new(c.salon, c.salon_outcome, salon_deadline),
        }
    }
}

/// The milestone compliance of an academic year.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "academic_year_id": "0193a4e1-7c2b-7abc-8def-0123456789ac", "academic_year": "2026-2027", "as_of": "2026-12-01",
    "colleges": [{"college_id": "0193a4e1-7c2b-7abc-8def-0123456789ad", "college_code": "CS", "college_name": "计算机学院",
        "introduction": {"status": "met", "date": "2026-09-28", "deadline": "2026-09-30", "mentors": 3, "introduced": 3,
            "introduced_by_deadline": 3},
        "freshman_salon": {"status": "late", "date": "2026-11-01", "deadline": "2026-10-31", "held": 2,
            "held_by_deadline": 0, "attendance": 41}}]}))]
pub struct ComplianceDto {
    /// The academic year.
    pub academic_year_id: Uuid,
    /// Its code.
    pub academic_year: String,
    /// The Asia/Shanghai day the statuses are for (today).
    pub as_of: NaiveDate,
    /// One entry per college the caller reads, by college code: every college for a university
    /// admin (colleges without mentors are `not_applicable`), their own for a college admin or
    /// counselor.
    pub colleges: Vec<CollegeComplianceDto>,
}

impl From<Compliance> for ComplianceDto {
    fn from(c: Compliance) -> Self {
        let (intro, salon) = (c.introduction_deadline, c.salon_deadline);
        Self {
            academic_year_id: c.academic_year_id,
            academic_year: c.academic_year,
            as_of: c.as_of,
            colleges: c.colleges.into_iter().map(|r| CollegeComplianceDto::new(r, intro, salon)).collect(),
        }
    }
}

/// Milestone compliance per college (rules 三(一)1-2).
///
/// Per college: mentors introduced by the introduction deadline, freshman salons held by the
/// salon deadline. Each milestone is `met` (with the day), `late` (with the day), `missed`, `pending` (the
/// deadline has not passed) or `not_applicable` (the college has no appointed mentors this year).
/// Days are Asia/Shanghai days. University admins read every college; college admins and
/// counselors their own (another college's `college_id` is a 404); other roles get a 403.
#[utoipa::path(
    operation_id = "report_compliance",
    tag = "reports",
    params(ReportQuery),
    responses(
        (status = 200, description = "The milestones of each college", body = ComplianceDto),
        ReadErrors
    )
)]
#[get("/reports/compliance")]
pub async fn compliance(
    state: web::Data<AppState>,
    auth: Auth,
    q: web::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let c = repo::compliance(&state.db, &auth.principal, q.academic_year_id, q.college_id).await?;
    Ok(ok(&ComplianceDto::from(c)))
}
