//! `/reports/inactive-mentors`, `/reports/overview` and its SVG charts (issue 16): how the program
//! runs, read by the university and each college's admins and counselors. Every figure is computed
//! by the database when asked.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use domain::report::StatusCounts;
use persistence::usecases::reports_activity::{
    self as repo, CollegeInactivity, CollegePairing, InactiveMentor, InactiveReport, Overview, Point,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::openapi::{ListErrors, NotFound};
use crate::respond::ok;
use crate::state::AppState;

/// The default look-back of the inactive-mentor report, in days.
const DEFAULT_DAYS: i64 = 30;

/// Which mentors the inactive-mentor report looks at.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InactiveQuery {
    /// The academic year.
    pub academic_year_id: Uuid,
    /// The window in days (1–365, default 30): a mentor is inactive without a sign of work on or
    /// after today − `days` (Asia/Shanghai).
    #[param(minimum = 1, maximum = 365, example = 30)]
    pub days: Option<i64>,
    /// Only this college (the caller's own for a college admin or counselor; another is `404`).
    pub college_id: Option<Uuid>,
}

/// A mentor without a sign of work in the window.
#[derive(Debug, Serialize, ToSchema)]
pub struct InactiveMentorDto {
    /// The appointment.
    pub appointment_id: Uuid,
    /// The mentor (a student id).
    pub student_id: Uuid,
    /// 学号.
    #[schema(example = "2023001")]
    pub student_no: String,
    /// Name.
    #[schema(example = "张三")]
    pub name: String,
    /// The unit served.
    pub unit_id: Uuid,
    /// Its name.
    pub unit_name: String,
    /// The day of the appointment (Asia/Shanghai).
    pub appointed_on: NaiveDate,
    /// The latest sign of work ever under this appointment (Asia/Shanghai day): `MAX` of the work
    /// records' `date`, the help requests' `answered_at`, the held hosted activities' `start_at`
    /// and the inquiries' `replied_at`. `null` when there is none at all.
    pub last_activity_on: Option<NaiveDate>,
    /// The mentor's active pairings (`COUNT` of pairings in state `active`).
    #[schema(minimum = 0)]
    pub mentees: i64,
}

impl From<InactiveMentor> for InactiveMentorDto {
    fn from(m: InactiveMentor) -> Self {
        Self {
            appointment_id: m.appointment_id,
            student_id: m.student_id,
            student_no: m.student_no,
            name: m.name,
            unit_id: m.unit_id,
            unit_name: m.unit_name,
            appointed_on: m.appointed_on,
            last_activity_on: m.last_activity_on,
            mentees: m.mentees,
        }
    }
}

/// One college's inactive mentors.
#[derive(Debug, Serialize, ToSchema)]
pub struct CollegeInactivityDto {
    /// The college.
    pub college_id: Uuid,
    /// Its code.
    pub college_code: String,
    /// Its name.
    pub college_name: String,
    /// `COUNT` of the college's appointments of the year in state `active`.
    #[schema(minimum = 0)]
    pub active_mentors: i64,
    /// `inactive.len()`.
    #[schema(minimum = 0)]
    pub inactive_mentors: i64,
    /// The inactive ones: never active first, then by `last_activity_on`, then 学号.
    pub inactive: Vec<InactiveMentorDto>,
}

impl From<CollegeInactivity> for CollegeInactivityDto {
    fn from(c: CollegeInactivity) -> Self {
        Self {
            college_id: c.college_id,
            college_code: c.college_code,
            college_name: c.college_name,
            active_mentors: c.active_mentors,
            inactive_mentors: i64::try_from(c.inactive.len()).unwrap_or(i64::MAX),
            inactive: c.inactive.into_iter().map(InactiveMentorDto::from).collect(),
        }
    }
}

/// The inactive-mentor report.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "academic_year_id": "0193a4e1-7c2b-7abc-8def-0123456789ac", "days": 30,
    "as_of": "2026-11-20", "since": "2026-10-21", "active_mentors": 12, "inactive_mentors": 1,
    "colleges": [{"college_id": "0193a4e1-7c2b-7abc-8def-0123456789ad", "college_code": "CS",
        "college_name": "计算机学院", "active_mentors": 12, "inactive_mentors": 1, "inactive": [{
            "appointment_id": "0193a4e1-7c2b-7abc-8def-0123456789ab",
            "student_id": "0193a4e1-7c2b-7abc-8def-0123456789ae", "student_no": "2023001", "name": "张三",
            "unit_id": "0193a4e1-7c2b-7abc-8def-0123456789af", "unit_name": "智能计算实验室",
            "appointed_on": "2026-09-10", "last_activity_on": "2026-10-08", "mentees": 3}]}]}))]
pub struct InactiveReportDto {
    /// The academic year.
    pub academic_year_id: Uuid,
    /// The window, in days.
    #[schema(minimum = 1, maximum = 365)]
    pub days: i64,
    /// Today (Asia/Shanghai).
    pub as_of: NaiveDate,
    /// The first day of the window (`as_of − days`): a sign of work on or after it counts.
    pub since: NaiveDate,
    /// Active mentors over the colleges shown.
    #[schema(minimum = 0)]
    pub active_mentors: i64,
    /// Inactive mentors over the colleges shown.
    #[schema(minimum = 0)]
    pub inactive_mentors: i64,
    /// Every college with active mentors in the caller's scope, by college code.
    pub colleges: Vec<CollegeInactivityDto>,
}

impl From<InactiveReport> for InactiveReportDto {
    fn from(r: InactiveReport) -> Self {
        let colleges: Vec<CollegeInactivityDto> = r.colleges.into_iter().map(CollegeInactivityDto::from).collect();
        Self {
            academic_year_id: r.academic_year_id,
            days: r.days,
            as_of: r.as_of,
            since: r.since,
            active_mentors: colleges.iter().map(|c| c.active_mentors).sum(),
            inactive_mentors: colleges.iter().map(|c| c.inactive_mentors).sum(),
            colleges,
        }
    }
}

/// Mentors who have gone quiet.
///
/// The year's active mentors with no sign of work on or after today − `days` (Asia/Shanghai):
/// no work record dated then, no help request answered, no held activity they host starting then
/// and no directory inquiry answered — with their latest sign of work and their mentee count, per
/// college, so colleges act before the award season. A university admin reads every college, a
/// college admin or counselor their own (`404` for another college's `college_id`); anyone else
/// `403`. `days` outside 1–365 is `422`; an unknown academic year `404`.
#[utoipa::path(
    operation_id = "report_inactive_mentors",
    tag = "reports",
    params(InactiveQuery),
    responses(
        (status = 200, description = "The report", body = InactiveReportDto),
        (status = 404, response = NotFound),
        ListErrors
    )
)]
#[get("/reports/inactive-mentors")]
pub async fn inactive_mentors(
    state: web::Data<AppState>,
    auth: Auth,
    q: web::Query<InactiveQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let report = repo::inactive_mentors(
        &state.db,
        &auth.principal,
        q.academic_year_id,
        q.days.unwrap_or(DEFAULT_DAYS),
        q.college_id,
    )
    .await?;
    Ok(ok(&InactiveReportDto::from(report)))
}

/// Which year and college the overview covers.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OverviewQuery {
    /// The academic year.
    pub academic_year_id: Uuid,
    /// Only this college (the caller's own for a college admin or counselor; another is `404`).
    pub college_id: Option<Uuid>,
}

/// The year's appointments by state (`COUNT … GROUP BY state`).
#[derive(Debug, Serialize, ToSchema)]
pub struct MentorsByStateDto {
    /// Serving now.
    #[schema(minimum = 0)]
    pub active: i64,
    /// Served the year out.
    #[schema(minimum = 0)]
    pub completed: i64,
    /// Dismissed (解聘).
    #[schema(minimum = 0)]
    pub dismissed: i64,
    /// Resigned.
    #[schema(minimum = 0)]
    pub resigned: i64,
}

/// Freshmen and how many of them have a mentor.
#[derive(Debug, Serialize, ToSchema)]
pub struct PairedShareDto {
    /// The college; absent in the totals.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub college_id: Option<Uuid>,
    /// Its code; absent in the totals.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub college_code: Option<String>,
    /// Its name; absent in the totals.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub college_name: Option<String>,
    /// `COUNT` of students enrolled in the academic year's first calendar year (e.g. 2026 for
    /// `2026-2027`) whose status is `enrolled`.
    #[schema(minimum = 0)]
    pub freshmen: i64,
    /// Of those, with an `active` pairing of the academic year.
    #[schema(minimum = 0)]
    pub paired: i64,
    /// `paired / freshmen`, rounded to four decimals; `null` without freshmen.
    #[schema(minimum = 0, maximum = 1, example = 0.8125)]
    pub paired_share: Option<f64>,
}

impl PairedShareDto {
    fn of(c: &CollegePairing, named: bool) -> Self {
        Self {
            college_id: named.then_some(c.college_id),
            college_code: named.then(|| c.college_code.clone()),
            college_name: named.then(|| c.college_name.clone()),
            freshmen: c.freshmen,
            paired: c.paired,
            paired_share: c.share(),
        }
    }
}

/// One point of a weekly series.
#[derive(Debug, Serialize, ToSchema)]
pub struct WeekPointDto {
    /// The Monday the week starts on.
    #[schema(example = "2026-09-07")]
    pub week_start: NaiveDate,
    /// What was counted in the seven days from `week_start`.
    #[schema(minimum = 0)]
    pub count: i64,
}

impl From<Point> for WeekPointDto {
    fn from(p: Point) -> Self {
        Self { week_start: p.start, count: p.count }
    }
}

/// One point of a monthly series.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthPointDto {
    /// The month, `YYYY-MM`.
    #[schema(example = "2026-10", pattern = "^[0-9]{4}-[0-9]{2}$")]
    pub month: String,
    /// Activities starting in the month (Asia/Shanghai) that are not cancelled.
    #[schema(minimum = 0)]
    pub count: i64,
    /// Of those, held.
    #[schema(minimum = 0)]
    pub held: i64,
}

/// Open and overdue concerns of the year.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConcernCountsDto {
    /// Concerns of the year not yet `resolved`.
    #[schema(minimum = 0)]
    pub open: i64,
    /// Of those, `escalated` (so unacknowledged) at least the year's limit for their urgency ago
    /// (`concern_overdue_urgent_days`, `concern_overdue_normal_days`) — as `GET /concerns?overdue=true`.
    #[schema(minimum = 0)]
    pub overdue: i64,
}

/// How many colleges stand where on one milestone (the compliance report's statuses, counted).
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusCountsDto {
    /// Done on or before the deadline.
    #[schema(minimum = 0)]
    pub met: i64,
    /// Done after the deadline.
    #[schema(minimum = 0)]
    pub late: i64,
    /// Not done, deadline passed.
    #[schema(minimum = 0)]
    pub missed: i64,
    /// Not done, deadline not passed yet.
    #[schema(minimum = 0)]
    pub pending: i64,
    /// Nothing due: no appointed mentors this year.
    #[schema(minimum = 0)]
    pub not_applicable: i64,
}

impl From<StatusCounts> for StatusCountsDto {
    fn from(c: StatusCounts) -> Self {
        Self { met: c.met, late: c.late, missed: c.missed, pending: c.pending, not_applicable: c.not_applicable }
    }
}

/// Compliance at a glance: for each milestone, how many of the colleges covered are `met`,
/// `late`, `missed`, `pending` or `not_applicable` today — the statuses of
/// `GET /reports/compliance` (same rules, same day), counted.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComplianceGlanceDto {
    /// Every appointed mentor introduced to the freshmen (`introduction_deadline`).
    pub introduction: StatusCountsDto,
    /// At least one freshman salon held (`salon_deadline`).
    pub freshman_salon: StatusCountsDto,
}

/// The program overview of one academic year: the handful of numbers and series a coordinator
/// opens first.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "academic_year_id": "0193a4e1-7c2b-7abc-8def-0123456789ac", "academic_year": "2026-2027", "college_id": null,
    "as_of": "2026-10-12", "mentors": {"active": 40, "completed": 0, "dismissed": 1, "resigned": 1},
    "freshmen": {"freshmen": 320, "paired": 260, "paired_share": 0.8125},
    "records_per_week": [{"week_start": "2026-08-31", "count": 12}, {"week_start": "2026-09-07", "count": 31}],
    "activities_per_month": [{"month": "2026-09", "count": 6, "held": 5}],
    "concerns": {"open": 3, "overdue": 1},
    "compliance": {"introduction": {"met": 20, "late": 3, "missed": 1, "pending": 0, "not_applicable": 2},
        "freshman_salon": {"met": 18, "late": 2, "missed": 0, "pending": 4, "not_applicable": 2}},
    "top_colleges": [{"college_id": "0193a4e1-7c2b-7abc-8def-0123456789ad", "college_code": "CS",
        "college_name": "计算机学院", "freshmen": 80, "paired": 78, "paired_share": 0.975}],
    "bottom_colleges": [{"college_id": "0193a4e1-7c2b-7abc-8def-0123456789ae", "college_code": "EE",
        "college_name": "电气工程学院", "freshmen": 60, "paired": 30, "paired_share": 0.5}],
    "colleges": []}))]
pub struct OverviewDto {
    /// The academic year.
    pub academic_year_id: Uuid,
    /// Its code.
    #[schema(example = "2026-2027")]
    pub academic_year: String,
    /// The college the figures are limited to (a college admin's or counselor's own, or the
    /// filter); `null` for the whole university.
    pub college_id: Option<Uuid>,
    /// Today (Asia/Shanghai).
    pub as_of: NaiveDate,
    /// The year's appointments by state.
    pub mentors: MentorsByStateDto,
    /// Freshmen paired over the colleges covered.
    pub freshmen: PairedShareDto,
    /// Work records per week by their `date` (`COUNT … GROUP BY date`, folded into Monday-based
    /// weeks): from the week of the year's `starts_on` to the week of today or `ends_on`, whichever
    /// is earlier, weeks without records included as 0.
    pub records_per_week: Vec<WeekPointDto>,
    /// Activities per month of their start (Asia/Shanghai): always the twelve months of the year,
    /// September first.
    pub activities_per_month: Vec<MonthPointDto>,
    /// Open and overdue concerns.
    pub concerns: ConcernCountsDto,
    /// The two milestones at a glance: colleges by status.
    pub compliance: ComplianceGlanceDto,
    /// Up to 3 colleges with freshmen, highest paired share first (ties: more freshmen, then code).
    #[schema(max_items = 3)]
    pub top_colleges: Vec<PairedShareDto>,
    /// Up to 3 colleges with freshmen, lowest paired share first (the same order reversed).
    #[schema(max_items = 3)]
    pub bottom_colleges: Vec<PairedShareDto>,
    /// Every college covered that has freshmen or mentors this year, by college code.
    pub colleges: Vec<PairedShareDto>,
}

impl From<Overview> for OverviewDto {
    fn from(o: Overview) -> Self {
        let (top, bottom) = o.ranked();
        let top_colleges = top.into_iter().map(|c| PairedShareDto::of(c, true)).collect();
        let bottom_colleges = bottom.into_iter().map(|c| PairedShareDto::of(c, true)).collect();
        let colleges = o.colleges.iter().map(|c| PairedShareDto::of(c, true)).collect();
        Self {
            academic_year_id: o.academic_year_id,
            academic_year: o.academic_year.clone(),
            college_id: o.college_id,
            as_of: o.as_of,
            mentors: MentorsByStateDto {
                active: o.mentors.active,
                completed: o.mentors.completed,
                dismissed: o.mentors.dismissed,
                resigned: o.mentors.resigned,
            },
            freshmen: PairedShareDto::of(&o.totals(), false),
            records_per_week: o.records_per_week.iter().copied().map(WeekPointDto::from).collect(),
            activities_per_month: o
                .activities_per_month
                .iter()
                .zip(&o.held_per_month)
                .map(|(a, h)| MonthPointDto {
                    month: a.start.format("%Y-%m").to_string(),
                    count: a.count,
                    held: h.count,
                })
                .collect(),
            concerns: ConcernCountsDto { open: o.concerns_open, overdue: o.concerns_overdue },
            compliance: ComplianceGlanceDto {
                introduction: o.compliance.introduction.into(),
                freshman_salon: o.compliance.freshman_salon.into(),
            },
            top_colleges,
            bottom_colleges,
            colleges,
        }
    }
}

/// The program overview.
///
/// The handful of numbers and series a coordinator opens first: the year's mentors by state, the
/// share of freshmen paired (over all and per college, with the top and bottom colleges), work
/// records per week, activities per month, open and overdue concerns, the two milestones at a
/// glance (colleges by status, as `GET /reports/compliance` says) — each computed by the
/// database when asked, its definition in the field's text. A university admin reads the whole
/// university (or one college with `college_id`), a college admin or counselor their own college
/// (`404` for another's); anyone else `403`. The series are drawn as SVG by
/// `GET /reports/overview.svg`.
#[utoipa::path(
    operation_id = "report_overview",
    tag = "reports",
    params(OverviewQuery),
    responses(
        (status = 200, description = "The overview", body = OverviewDto),
        (status = 404, response = NotFound),
        ListErrors
    )
)]
#[get("/reports/overview")]
pub async fn overview(
    state: web::Data<AppState>,
    auth: Auth,
    q: web::Query<OverviewQuery>,
) -> Result<HttpResponse, ApiError> {
    let o = repo::overview(&state.db, &auth.principal, q.academic_year_id, q.college_id).await?;
    Ok(ok(&OverviewDto::from(o)))
}

/// The charts `GET /reports/overview.svg` draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Chart {
    /// 每周工作记录: `records_per_week`.
    RecordsPerWeek,
    /// 每月活动: `activities_per_month` (`count`).
    ActivitiesPerMonth,
    /// 学长聘任状态: `mentors`.
    MentorsByState,
    /// 各学院新生结对率: `colleges[].paired_share` in percent.
    PairedShareByCollege,
}

/// Which chart of which overview.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChartQuery {
    /// The academic year.
    pub academic_year_id: Uuid,
    /// Only this college (the caller's own for a college admin or counselor; another is `404`).
    pub college_id: Option<Uuid>,
    /// The chart (default `records_per_week`).
    #[param(inline)]
    pub chart: Option<Chart>,
}

/// The font families of the charts' text, CJK first: the viewer's own fonts draw the Chinese
/// labels (the server embeds none).
pub const CHART_FONTS: &str = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif";

/// The media type of the charts.
pub const IMAGE_SVG: &str = "image/svg+xml";

/// Escapes text for XML character data and attribute values.
fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() && c != '\n' => {}
            c => out.push(c),
        }
    }
    out
}

/// The title and the bars (label, value) of a chart of `o`.
fn chart_data(o: &Overview, chart: Chart) -> (String, &'static str, Vec<(String, i64)>) {
    let scope = if o.college_id.is_some() {
        o.colleges.first().map(|c| c.college_name.clone()).unwrap_or_default()
    } else {
        "全校".to_owned()
    };
    match chart {
        Chart::RecordsPerWeek => (
            format!("{} {scope} 每周工作记录", o.academic_year),
            "条",
            o.records_per_week.iter().map(|p| (p.start.format("%m-%d").to_string(), p.count)).collect(),
        ),
        Chart::ActivitiesPerMonth => (
            format!("{} {scope} 每月活动", o.academic_year),
            "场",
            o.activities_per_month.iter().map(|p| (p.start.format("%Y-%m").to_string(), p.count)).collect(),
        ),
        Chart::MentorsByState => (
            format!("{} {scope} 学长聘任状态", o.academic_year),
            "人",
            vec![
                ("在聘".to_owned(), o.mentors.active),
                ("期满".to_owned(), o.mentors.completed),
                ("解聘".to_owned(), o.mentors.dismissed),
                ("辞任".to_owned(), o.mentors.resigned),
            ],
        ),
        Chart::PairedShareByCollege => (
            format!("{} {scope} 新生结对率", o.academic_year),
            "%",
            o.colleges
                .iter()
                .filter_map(|c| c.share().map(|s| (c.college_name.clone(), (s * 100.0).round() as i64)))
                .collect(),
        ),
    }
}

/// Draws `bars` as a bar chart with plotters' SVG backend, each bar labelled with its value, and
/// puts the title and every `label: value` in the document's `<title>` and `<desc>` so that a
/// screen reader (and a test) reads the numbers.
fn render_bars(title: &str, unit: &str, bars: &[(String, i64)]) -> Result<String, String> {
    use plotters::prelude::*;
    let n = i32::try_from(bars.len()).unwrap_or(i32::MAX).max(1);
    let top = bars.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let top = top + top / 8 + 1;
    let width = u32::try_from(bars.len()).unwrap_or(0).saturating_mul(24).clamp(480, 1600);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, 360)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (CHART_FONTS, 20))
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(48)
            .build_cartesian_2d(0..n, 0..top)
            .map_err(|e| e.to_string())?;
        let every = usize::try_from(n / 12 + 1).unwrap_or(1);
        chart
            .configure_mesh()
            .disable_x_mesh()
            // At least one label: plotters looks for a label step forever (and overflows) when
            // asked for none, as a chart with no bars (a college with no data) would.
            .x_labels(bars.len().clamp(1, 24))
            .x_label_formatter(&|i| {
                usize::try_from(*i)
                    .ok()
                    .filter(|i| i % every == 0)
                    .and_then(|i| bars.get(i))
                    .map(|(l, _)| l.clone())
                    .unwrap_or_default()
            })
            .y_desc(unit)
            .label_style((CHART_FONTS, 12))
            .axis_desc_style((CHART_FONTS, 12))
            .draw()
            .map_err(|e| e.to_string())?;
        let colour = RGBColor(0xc0, 0x1c, 0x28);
        chart
            .draw_series(bars.iter().zip(0..).map(|((_, v), i)| {
                let mut bar = Rectangle::new([(i, 0), (i + 1, *v)], colour.filled());
                bar.set_margin(0, 0, 2, 2);
                bar
            }))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(
                bars.iter()
                    .zip(0..)
                    .filter(|((_, v), _)| *v > 0)
                    .map(|((_, v), i)| Text::new(v.to_string(), (i, *v + top / 40 + 1), (CHART_FONTS, 11))),
            )
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    let desc: Vec<String> = bars.iter().map(|(l, v)| format!("{l}: {v}")).collect();
    let head = format!("<title>{}</title><desc>{}</desc>", xml_escape(title), xml_escape(&desc.join("; ")));
    // After the root element's start tag.
    let at = svg.find("<svg").and_then(|s| svg[s..].find('>').map(|e| s + e + 1)).ok_or("no <svg> element")?;
    svg.insert_str(at, &head);
    Ok(svg)
}

/// A chart of the program overview, as SVG.
///
/// One of the overview's series drawn as a bar chart (`records_per_week`, `activities_per_month`,
/// `mentors_by_state`, `paired_share_by_college`) that a college web page or an e-mail embeds as
/// is: `image/svg+xml`, each bar labelled with its value, the title and every `label: value` also
/// in the document's `<title>` and `<desc>`. Labels are Chinese SVG text in the font families
/// `Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif` (the viewer's
/// fonts draw them). The same scope and figures as `GET /reports/overview`.
#[utoipa::path(
    operation_id = "report_overview_chart",
    tag = "reports",
    params(ChartQuery),
    responses(
        (status = 200, description = "The chart", content_type = "image/svg+xml", body = String),
        (status = 404, response = NotFound),
        ListErrors
    )
)]
#[get("/reports/overview.svg")]
pub async fn overview_chart(
    state: web::Data<AppState>,
    auth: Auth,
    q: web::Query<ChartQuery>,
) -> Result<HttpResponse, ApiError> {
    let o = repo::overview(&state.db, &auth.principal, q.academic_year_id, q.college_id).await?;
    let (title, unit, bars) = chart_data(&o, q.chart.unwrap_or(Chart::RecordsPerWeek));
    let svg = render_bars(&title, unit, &bars)
        .map_err(|e| ApiError::from(persistence::Error::Internal(format!("chart: {e}"))))?;
    Ok(HttpResponse::Ok().insert_header((header::CONTENT_TYPE, IMAGE_SVG)).body(svg))
}

#[cfg(test)]
mod tests {
    use super::render_bars;

    #[test]
    fn a_chart_without_bars_or_with_one_is_drawn() {
        for bars in [
            vec![],
            vec![("计算机学院".to_owned(), 0)],
            vec![("A".to_owned(), 3), ("B".to_owned(), i64::from(i32::MAX))],
        ] {
            let svg = render_bars("配对率", "%", &bars).expect("drawn");
            assert!(svg.contains("<title>配对率</title>"), "{svg}");
        }
    }
}
