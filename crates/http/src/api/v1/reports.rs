//! `/reports/compliance` and `/reports/college-assessment` (issue 16): what each college did by the
//! year's deadlines, and its year-end assessment figures (四.6). Read-only; every figure is
//! computed by the database when asked.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use domain::report::{
    AssessmentReport, CollegeCompliance, CollegeFigures, Compliance, IntroductionCount, MilestoneStatus, Outcome,
    SalonCount, YearFigures,
};
use persistence::usecases::reports as repo;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::common::today;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::openapi::ReadErrors;
use crate::respond::ok;
use crate::state::AppState;
use crate::tabular::write_csv;

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

/// The format of the assessment report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    /// JSON (the default).
    Json,
    /// CSV, UTF-8 with a BOM and Chinese headers (opens in Excel): one line per college, the
    /// university totals last.
    Csv,
}

/// Which year (and college) the assessment report is for, compared with which year, how.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssessmentQuery {
    /// The academic year (required).
    pub academic_year_id: Uuid,
    /// Another academic year (usually the previous one) whose figures are given beside each.
    pub compare_to: Option<Uuid>,
    /// Only this college (then without the university totals). A college admin or counselor reads
    /// only their own college: another college's id is a 404.
    pub college_id: Option<Uuid>,
    /// `json` (the default) or `csv`; without it, `Accept: text/csv` asks for CSV.
    pub format: Option<ReportFormat>,
}

impl AssessmentQuery {
    fn format(&self, req: &HttpRequest) -> ReportFormat {
        if let Some(f) = self.format {
            return f;
        }
        let accept = req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
        if accept.contains("text/csv") && !accept.contains("application/json") {
            ReportFormat::Csv
        } else {
            ReportFormat::Json
        }
    }
}

/// A milestone's status and day, as the compliance report gives them.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct OutcomeDto {
    /// See `GET /reports/compliance`.
    pub status: MilestoneStatus,
    /// For `met` and `late`: the Asia/Shanghai day it was done.
    pub date: Option<NaiveDate>,
}

impl From<Outcome> for OutcomeDto {
    fn from(o: Outcome) -> Self {
        Self { status: o.status, date: o.date }
    }
}

/// A college's year-end assessment figures for one academic year (四.6). Every count is over the
/// college's own rows of that year, computed by the database when asked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CollegeFiguresDto {
    /// Units of the college with at least one freshman: `COUNT(DISTINCT unit)` of its enrolled
    /// students who entered in the year's first calendar year (2026 for `2026-2027`).
    #[schema(minimum = 0)]
    pub units_with_freshmen: i64,
    /// Of those units, the ones with at least one mentor of the year (`active` or `completed`
    /// appointment for that unit).
    #[schema(minimum = 0)]
    pub units_covered: i64,
    /// Nominations of the year submitted (院推; any state since, drafts never submitted do not
    /// count).
    #[schema(minimum = 0)]
    pub mentors_nominated: i64,
    /// Appointments of the year (校聘), in any state.
    #[schema(minimum = 0)]
    pub mentors_appointed: i64,
    /// Of those, with the training recorded (`POST /appointments/{id}/training`).
    #[schema(minimum = 0)]
    pub mentors_trained: i64,
    /// Of those, dismissed (解聘).
    #[schema(minimum = 0)]
    pub mentors_dismissed: i64,
    /// Of those, resigned.
    #[schema(minimum = 0)]
    pub mentors_resigned: i64,
    /// The college's freshmen: enrolled students who entered in the year's first calendar year.
    #[schema(minimum = 0)]
    pub freshmen: i64,
    /// Of those, paired: with a pairing of the year that is `active` or ran to the end of the term
    /// (`term_completed`).
    #[schema(minimum = 0)]
    pub freshmen_paired: i64,
    /// `freshmen_paired / freshmen`, four decimals; `null` without freshmen.
    #[schema(minimum = 0, maximum = 1, example = 0.8571)]
    pub freshmen_paired_share: Option<f64>,
    /// The introduction milestone (see `GET /reports/compliance`); `null` in the totals.
    pub introduction: Option<OutcomeDto>,
    /// The freshman-salon milestone (see `GET /reports/compliance`); `null` in the totals.
    pub freshman_salon: Option<OutcomeDto>,
    /// The college's `freshman_salon` activities of the year recorded as held.
    #[schema(minimum = 0)]
    pub freshman_salons_held: i64,
    /// Registrations marked attended at those salons.
    #[schema(minimum = 0)]
    pub freshman_salon_attendance: i64,
    /// The college's `research_salon` activities (我与学长聊科研) of the year recorded as held.
    #[schema(minimum = 0)]
    pub research_salons_held: i64,
    /// Registrations marked attended at those salons.
    #[schema(minimum = 0)]
    pub research_salon_attendance: i64,
    /// Work records of the college's appointments of the year (工作记录本), every kind.
    #[schema(minimum = 0)]
    pub work_records: i64,
    /// `SUM(minutes)` of those work records.
    #[schema(minimum = 0)]
    pub work_minutes: i64,
    /// `work_records / mentors_appointed`, two decimals; `null` without appointments.
    #[schema(minimum = 0)]
    pub work_records_per_mentor: Option<f64>,
    /// `work_minutes / mentors_appointed`, two decimals; `null` without appointments.
    #[schema(minimum = 0)]
    pub minutes_per_mentor: Option<f64>,
    /// Help requests to the college's mentors of the year that were answered (with a note or a
    /// work-record entry), whatever happened to them after.
    #[schema(minimum = 0)]
    pub help_requests_answered: i64,
    /// Concerns of the year escalated to a supervisor or counselor (at any time).
    #[schema(minimum = 0)]
    pub concerns_escalated: i64,
    /// Concerns of the year resolved.
    #[schema(minimum = 0)]
    pub concerns_resolved: i64,
    /// Concerns of the year overdue now: escalated, acknowledged by nobody, past the year's limit
    /// for their urgency.
    #[schema(minimum = 0)]
    pub concerns_overdue: i64,
    /// Public inquiries to the college's mentors of the year that were replied to (spam excluded).
    #[schema(minimum = 0)]
    pub inquiries_answered: i64,
    /// The college's mentors of the year whose year is graded `excellent` (优秀), confirmed or
    /// not; a dismissed mentor never counts here.
    #[schema(minimum = 0)]
    pub graded_excellent: i64,
    /// Graded `competent` (合格), likewise.
    #[schema(minimum = 0)]
    pub graded_competent: i64,
    /// Graded `unsatisfactory` (不合格), plus every dismissed mentor (unsatisfactory by
    /// definition, graded or not).
    #[schema(minimum = 0)]
    pub graded_unsatisfactory: i64,
    /// Awards the college's mentors won in the year's award rounds (年度优秀研究生党员学长).
    #[schema(minimum = 0)]
    pub awards: i64,
    /// `SUM(budget_fen)` of the college's activities of the year that were not cancelled, in fen.
    #[schema(minimum = 0)]
    pub budget_planned_fen: i64,
    /// `SUM(actual_expense_fen)` of the college's activities of the year recorded as held, in fen.
    #[schema(minimum = 0)]
    pub budget_spent_fen: i64,
}

impl CollegeFiguresDto {
    fn new(f: CollegeFigures, milestones: Option<(Outcome, Outcome)>) -> Self {
        Self {
            units_with_freshmen: f.units_with_freshmen,
            units_covered: f.units_covered,
            mentors_nominated: f.mentors_nominated,
            mentors_appointed: f.mentors_appointed,
            mentors_trained: f.mentors_trained,
            mentors_dismissed: f.mentors_dismissed,
            mentors_resigned: f.mentors_resigned,
            freshmen: f.freshmen,
            freshmen_paired: f.freshmen_paired,
            freshmen_paired_share: f.freshmen_paired_share(),
            introduction: milestones.map(|m| m.0.into()),
            freshman_salon: milestones.map(|m| m.1.into()),
            freshman_salons_held: f.freshman_salons_held,
            freshman_salon_attendance: f.freshman_salon_attendance,
            research_salons_held: f.research_salons_held,
            research_salon_attendance: f.research_salon_attendance,
            work_records: f.work_records,
            work_minutes: f.work_minutes,
            work_records_per_mentor: f.work_records_per_mentor(),
            minutes_per_mentor: f.minutes_per_mentor(),
            help_requests_answered: f.help_requests_answered,
            concerns_escalated: f.concerns_escalated,
            concerns_resolved: f.concerns_resolved,
            concerns_overdue: f.concerns_overdue,
            inquiries_answered: f.inquiries_answered,
            graded_excellent: f.graded_excellent,
            graded_competent: f.graded_competent,
            graded_unsatisfactory: f.graded_unsatisfactory,
            awards: f.awards,
            budget_planned_fen: f.budget_planned_fen,
            budget_spent_fen: f.budget_spent_fen,
        }
    }

    fn of_year(y: YearFigures) -> Self {
        Self::new(y.figures, Some((y.introduction, y.freshman_salon)))
    }

    /// The CSV columns: Chinese header and cell.
    fn cells(&self) -> Vec<(&'static str, String)> {
        let n = |v: i64| v.to_string();
        let o = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
        let m = |v: Option<OutcomeDto>| {
            v.map(|x| match x.date {
                Some(d) => format!("{} {d}", x.status),
                None => x.status.to_string(),
            })
            .unwrap_or_default()
        };
        let yuan = |fen: i64| format!("{}.{:02}", fen / 100, (fen % 100).abs());
        vec![
            ("有新生的单位数", n(self.units_with_freshmen)),
            ("学长覆盖的单位数", n(self.units_covered)),
            ("推荐人数", n(self.mentors_nominated)),
            ("聘任人数", n(self.mentors_appointed)),
            ("培训人数", n(self.mentors_trained)),
            ("解聘人数", n(self.mentors_dismissed)),
            ("辞任人数", n(self.mentors_resigned)),
            ("新生数", n(self.freshmen)),
            ("已结对新生数", n(self.freshmen_paired)),
            ("结对比例", o(self.freshmen_paired_share)),
            ("学长介绍（9月30日）", m(self.introduction)),
            ("新生沙龙（10月31日）", m(self.freshman_salon)),
            ("新生交流沙龙场次", n(self.freshman_salons_held)),
            ("新生交流沙龙人次", n(self.freshman_salon_attendance)),
            ("科研沙龙场次", n(self.research_salons_held)),
            ("科研沙龙人次", n(self.research_salon_attendance)),
            ("工作记录数", n(self.work_records)),
            ("工作时长（分钟）", n(self.work_minutes)),
            ("人均工作记录", o(self.work_records_per_mentor)),
            ("人均工作时长（分钟）", o(self.minutes_per_mentor)),
            ("已答复求助", n(self.help_requests_answered)),
            ("已反映问题", n(self.concerns_escalated)),
            ("已解决问题", n(self.concerns_resolved)),
            ("逾期未确认问题", n(self.concerns_overdue)),
            ("已回复咨询", n(self.inquiries_answered)),
            ("考核优秀", n(self.graded_excellent)),
            ("考核合格", n(self.graded_competent)),
            ("考核不合格", n(self.graded_unsatisfactory)),
            ("获奖人数", n(self.awards)),
            ("预算（元）", yuan(self.budget_planned_fen)),
            ("实际支出（元）", yuan(self.budget_spent_fen)),
        ]
    }
}

/// One college's row of the assessment report.
#[derive(Debug, Serialize, ToSchema)]
pub struct CollegeAssessmentDto {
    /// The college.
    pub college_id: Uuid,
    /// Its code.
    #[schema(example = "CS")]
    pub college_code: String,
    /// Its name.
    #[schema(example = "计算机学院")]
    pub college_name: String,
    /// The figures of the year asked for.
    pub figures: CollegeFiguresDto,
    /// The figures of the `compare_to` year, when asked; `null` otherwise.
    pub compared: Option<CollegeFiguresDto>,
    /// Notes: the college's best-practice cases (优秀案例) of the year that the university
    /// featured (`POST /cases/{id}/feature`), oldest first; empty when none. In CSV one column,
    /// 推荐优秀案例, the titles joined by `；`.
    pub featured_cases: Vec<FeaturedCaseDto>,
}

/// A featured best-practice case, as the assessment report's notes name it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeaturedCaseDto {
    /// The case (`GET /cases/{id}`).
    pub id: Uuid,
    /// Its title.
    #[schema(example = "“学长领航”新生适应计划")]
    pub title: String,
}

/// The university's totals: the sums over every college, plus the university's own.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentTotalsDto {
    /// The year asked for: each count the sum of the colleges' plus the university's own rows —
    /// its university-wide activities (`training`, `club_meeting`, `experience_exchange`, which
    /// belong to no college), whose budget planned and spent count here and in no college's row
    /// (shares and means recomputed from the sums; milestones `null`).
    pub figures: CollegeFiguresDto,
    /// The `compare_to` year likewise, when asked.
    pub compared: Option<CollegeFiguresDto>,
}

/// The colleges' year-end assessment figures (基层党委年终考核, 四.6) for an academic year.
#[derive(Debug, Serialize, ToSchema)]
pub struct CollegeAssessmentReportDto {
    /// The academic year.
    pub academic_year_id: Uuid,
    /// Its code.
    #[schema(example = "2026-2027")]
    pub academic_year: String,
    /// The year compared with (`compare_to`), when asked.
    pub compare_to: Option<Uuid>,
    /// Its code.
    #[schema(example = "2025-2026")]
    pub compare_to_year: Option<String>,
    /// The Asia/Shanghai day the figures are for (today): overdue concerns and pending
    /// milestones depend on it.
    pub as_of: NaiveDate,
    /// One row per college the caller reads, by college code.
    pub colleges: Vec<CollegeAssessmentDto>,
    /// The university totals: for a university admin reading every college; `null` otherwise.
    pub totals: Option<AssessmentTotalsDto>,
}

impl From<AssessmentReport> for CollegeAssessmentReportDto {
    fn from(r: AssessmentReport) -> Self {
        let (compare_to, compare_to_year) = match r.compare_to {
            Some((id, code)) => (Some(id), Some(code)),
            None => (None, None),
        };
        Self {
            academic_year_id: r.academic_year_id,
            academic_year: r.academic_year,
            compare_to,
            compare_to_year,
            as_of: r.as_of,
            colleges: r
                .colleges
                .into_iter()
                .map(|c| CollegeAssessmentDto {
                    college_id: c.college_id,
                    college_code: c.college_code,
                    college_name: c.college_name,
                    figures: CollegeFiguresDto::of_year(c.current),
                    compared: c.compared.map(CollegeFiguresDto::of_year),
                    featured_cases: c
                        .featured_cases
                        .into_iter()
                        .map(|n| FeaturedCaseDto { id: n.id, title: n.title })
                        .collect(),
                })
                .collect(),
            totals: r.totals.map(|(f, c)| AssessmentTotalsDto {
                figures: CollegeFiguresDto::new(f, None),
                compared: c.map(|c| CollegeFiguresDto::new(c, None)),
            }),
        }
    }
}

/// The CSV column of the featured best-practice cases (titles joined by `；`).
const FEATURED_CASES: &str = "推荐优秀案例";

/// The report as CSV: 学院代码, 学院, then each figure, followed by the compared year's when asked
/// (its header names that year), then the featured cases' titles; the university totals last
/// (全校合计).
fn assessment_csv(r: &CollegeAssessmentReportDto) -> HttpResponse {
    let compare = r.compare_to_year.clone();
    let line = |code: &str, name: &str, f: &CollegeFiguresDto, c: Option<&CollegeFiguresDto>| {
        let mut cells = vec![code.to_owned(), name.to_owned()];
        let other = c.map(CollegeFiguresDto::cells);
        for (i, (_, v)) in f.cells().into_iter().enumerate() {
            cells.push(v);
            if compare.is_some() {
                cells.push(other.as_ref().and_then(|o| o.get(i)).map(|(_, v)| v.clone()).unwrap_or_default());
            }
        }
        cells
    };
    let mut headers: Vec<String> = vec!["学院代码".into(), "学院".into()];
    for (label, _) in CollegeFiguresDto::new(CollegeFigures::default(), None).cells() {
        headers.push(label.to_owned());
        if let Some(y) = &compare {
            headers.push(format!("{label}（{y}）"));
        }
    }
    headers.push(FEATURED_CASES.to_owned());
    let mut rows: Vec<Vec<String>> = r
        .colleges
        .iter()
        .map(|c| {
            let mut cells = line(&c.college_code, &c.college_name, &c.figures, c.compared.as_ref());
            cells.push(c.featured_cases.iter().map(|f| f.title.as_str()).collect::<Vec<_>>().join("；"));
            cells
        })
        .collect();
    if let Some(t) = &r.totals {
        let mut cells = line("", "全校合计", &t.figures, t.compared.as_ref());
        cells.push(String::new());
        rows.push(cells);
    }
    let body = write_csv(headers.iter().map(String::as_str), rows.into_iter());
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"college-assessment-{}-{}.csv\"", r.academic_year, today().format("%Y%m%d")),
        ))
        .body(body)
}

/// The colleges' year-end assessment figures (四.6), optionally beside another year's.
///
/// Per college: units covered by a mentor of those with freshmen; mentors nominated, appointed,
/// trained, dismissed, resigned; freshmen paired (count and share); the two milestones; freshman
/// and research salons held and their attendance; work records and minutes (also per mentor);
/// help requests answered; concerns escalated, resolved and overdue; inquiries answered; grades
/// and awards; budget planned and spent; as notes, the college's featured best-practice cases of
/// the year (`featured_cases`). Each figure's definition is its field's text. JSON by
/// default; `format=csv` (or `Accept: text/csv`) gives CSV for Excel (UTF-8 with a BOM, Chinese
/// headers, amounts in yuan). `compare_to` adds that year's figures beside each. A university admin
/// reads every college and the university totals; a college admin or counselor their own college
/// (another college's `college_id` is a 404); other roles get a 403.
#[utoipa::path(
    operation_id = "report_college_assessment",
    tag = "reports",
    params(AssessmentQuery),
    responses(
        (status = 200, description = "The figures of each college", content(
            (CollegeAssessmentReportDto = "application/json"),
            (String = "text/csv")
        ), headers(("Content-Disposition" = String, description = "For CSV: the file name"))),
        ReadErrors
    )
)]
#[get("/reports/college-assessment")]
pub async fn college_assessment(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    q: web::Query<AssessmentQuery>,
) -> Result<HttpResponse, ApiError> {
    let r =
        repo::college_assessment(&state.db, &auth.principal, q.academic_year_id, q.compare_to, q.college_id).await?;
    let dto = CollegeAssessmentReportDto::from(r);
    Ok(match q.format(&req) {
        ReportFormat::Json => ok(&dto),
        ReportFormat::Csv => assessment_csv(&dto),
    })
}
