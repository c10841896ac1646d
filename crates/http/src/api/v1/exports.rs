//! `GET /exports/{students,staff,units,appointments,pairings}`: everything the matching list shows the
//! caller, with the same filters, as CSV (UTF-8 with a BOM and Chinese headers, so it opens right
//! in Excel) or JSON. Student, staff and unit exports use the import's columns, so an export
//! imports back unchanged. A service client also needs the `export` scope.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use domain::appointment::AppointmentState;
use domain::import::{
    APPOINTMENT_COLUMNS, AppointmentRecord, Column, PAIRING_COLUMNS, PairingRecord, STAFF_COLUMNS, STUDENT_COLUMNS,
    StaffRecord, StudentRecord, UNIT_COLUMNS, UnitRecord,
};
use domain::pairing::{EndReason, PairingSource, PairingState};
use domain::time::shanghai_date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::common::today;
use super::dto::{
    AppointmentQuery, PairingQuery, ServiceLineDto, StaffQuery, StaffRecordDto, StudentQuery, StudentRecordDto,
    UnitQuery, UnitRecordDto, WorkRecordDto, WorkRecordQuery,
};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::openapi::ListErrors;
use crate::respond::ok;
use crate::state::AppState;
use crate::tabular::write_csv;

/// An appointment as exports write it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppointmentRecordDto {
    /// 学年, e.g. `2025-2026`.
    pub academic_year: String,
    /// 学号 of the mentor.
    pub student_no: String,
    /// 姓名 of the mentor.
    pub name: String,
    /// 学院.
    pub college: String,
    /// 单位代码.
    pub unit: String,
    /// 名额: how many mentees the mentor takes.
    pub capacity: i32,
    /// 状态.
    pub state: AppointmentState,
    /// 聘任日期 (Asia/Shanghai).
    pub appointed_on: NaiveDate,
    /// 培训完成日期.
    pub training_completed_on: Option<NaiveDate>,
    /// 结束日期 (Asia/Shanghai).
    pub ended_on: Option<NaiveDate>,
    /// 结束原因.
    pub end_reason: Option<String>,
}

impl From<AppointmentRecord> for AppointmentRecordDto {
    fn from(r: AppointmentRecord) -> Self {
        let a = r.appointment;
        Self {
            academic_year: r.academic_year,
            student_no: r.student_no,
            name: r.name,
            college: r.college,
            unit: r.unit,
            capacity: a.capacity,
            state: a.state,
            appointed_on: shanghai_date(a.created_at),
            training_completed_on: a.training_completed_on,
            ended_on: a.ended_at.map(shanghai_date),
            end_reason: a.end_reason,
        }
    }
}

/// A pairing as exports write it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PairingRecordDto {
    /// 学年, e.g. `2025-2026`.
    pub academic_year: String,
    /// 学院.
    pub college: String,
    /// 学长学号.
    pub mentor_student_no: String,
    /// 学长姓名.
    pub mentor_name: String,
    /// 学长单位代码: the unit the mentor is appointed for.
    pub mentor_unit: String,
    /// 新生学号.
    pub mentee_student_no: String,
    /// 新生姓名.
    pub mentee_name: String,
    /// 新生单位代码: the mentee's unit now.
    pub mentee_unit: Option<String>,
    /// 跨单位: the mentee is of another unit than the mentor's.
    pub cross_unit: bool,
    /// 结对方式.
    pub source: PairingSource,
    /// 状态.
    pub state: PairingState,
    /// 结对日期 (Asia/Shanghai).
    pub paired_on: NaiveDate,
    /// 结束日期 (Asia/Shanghai).
    pub ended_on: Option<NaiveDate>,
    /// 结束原因.
    pub end_reason: Option<EndReason>,
    /// 结束说明.
    pub end_note: Option<String>,
}

impl From<PairingRecord> for PairingRecordDto {
    fn from(r: PairingRecord) -> Self {
        let p = r.pairing;
        Self {
            academic_year: r.academic_year,
            college: r.college,
            mentor_student_no: r.mentor.0,
            mentor_name: r.mentor.1,
            mentor_unit: r.mentor_unit,
            mentee_student_no: r.mentee.0,
            mentee_name: r.mentee.1,
            mentee_unit: r.mentee_unit,
            cross_unit: p.cross_unit,
            source: p.source,
            state: p.state,
            paired_on: shanghai_date(p.created_at),
            ended_on: p.ended_at.map(shanghai_date),
            end_reason: p.end_reason,
            end_note: p.end_note,
        }
    }
}

/// The format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// CSV, UTF-8 with a BOM, Chinese headers and values.
    Csv,
    /// A JSON array of records with English keys and values.
    Json,
}

/// How to export.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `csv` (the default) or `json`; without it, `Accept: application/json` asks for JSON.
    pub format: Option<ExportFormat>,
}

impl ExportQuery {
    fn format(&self, req: &HttpRequest) -> ExportFormat {
        if let Some(f) = self.format {
            return f;
        }
        let accept = req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
        if accept.contains("application/json") && !accept.contains("text/csv") {
            ExportFormat::Json
        } else {
            ExportFormat::Csv
        }
    }
}

fn csv_response(name: &str, columns: &[Column], rows: impl Iterator<Item = Vec<String>>) -> HttpResponse {
    csv_labelled(name, columns.iter().map(|c| c.label), rows)
}

fn csv_labelled<'a>(
    name: &str,
    labels: impl IntoIterator<Item = &'a str>,
    rows: impl Iterator<Item = Vec<String>>,
) -> HttpResponse {
    let body = write_csv(labels, rows);
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}-{}.csv\"", today().format("%Y%m%d")),
        ))
        .body(body)
}

/// Export the students the caller may see, with the filters of `GET /students`.
///
/// Columns: 学号, 姓名, 性别, 学院, 单位代码, 培养层次, 入学年份, 政治面貌, 导师工号, 辅导员工号, 手机, 邮箱,
/// 学籍状态 — what `POST /imports/students` reads, so the file imports back unchanged.
#[utoipa::path(
    operation_id = "export_students",
    security(("bearer" = []), ("oauth2" = ["export", "students:read"])),
    tag = "import-export",
    params(ExportQuery, StudentQuery),
    responses(
        (status = 200, description = "The students, by 学号", content(
            (String = "text/csv"),
            (Vec<StudentRecordDto> = "application/json")
        ), headers(("Content-Disposition" = String))),
        ListErrors
    )
)]
#[get("/exports/students")]
pub async fn students(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    how: web::Query<ExportQuery>,
    q: web::Query<StudentQuery>,
) -> Result<HttpResponse, ApiError> {
    let rows = persistence::exports::students(&state.db, &auth.principal, q.into_inner().into()).await?;
    Ok(match how.format(&req) {
        ExportFormat::Json => ok(&rows.into_iter().map(StudentRecordDto::from).collect::<Vec<_>>()),
        ExportFormat::Csv => csv_response("students", STUDENT_COLUMNS, rows.iter().map(StudentRecord::cells)),
    })
}

/// Export the staff the caller may see, with the filters of `GET /staff`.
///
/// Columns: 工号, 姓名, 学院, 是否导师, 是否辅导员, 手机, 邮箱 — what `POST /imports/staff` reads.
#[utoipa::path(
    operation_id = "export_staff",
    security(("bearer" = []), ("oauth2" = ["export", "staff:read"])),
    tag = "import-export",
    params(ExportQuery, StaffQuery),
    responses(
        (status = 200, description = "The staff, by 工号", content(
            (String = "text/csv"),
            (Vec<StaffRecordDto> = "application/json")
        ), headers(("Content-Disposition" = String))),
        ListErrors
    )
)]
#[get("/exports/staff")]
pub async fn staff(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    how: web::Query<ExportQuery>,
    q: web::Query<StaffQuery>,
) -> Result<HttpResponse, ApiError> {
    let rows = persistence::exports::staff(&state.db, &auth.principal, q.into_inner().into()).await?;
    Ok(match how.format(&req) {
        ExportFormat::Json => ok(&rows.into_iter().map(StaffRecordDto::from).collect::<Vec<_>>()),
        ExportFormat::Csv => csv_response("staff", STAFF_COLUMNS, rows.iter().map(StaffRecord::cells)),
    })
}

/// Export units, with the filters of `GET /units`.
///
/// Columns: 单位代码, 单位名称, 类型, 学院, 所属学科代码 — what `POST /imports/units` reads.
#[utoipa::path(
    operation_id = "export_units",
    security(("bearer" = []), ("oauth2" = ["export", "reference:read"])),
    tag = "import-export",
    params(ExportQuery, UnitQuery),
    responses(
        (status = 200, description = "The units, by code", content(
            (String = "text/csv"),
            (Vec<UnitRecordDto> = "application/json")
        ), headers(("Content-Disposition" = String))),
        ListErrors
    )
)]
#[get("/exports/units")]
pub async fn units(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    how: web::Query<ExportQuery>,
    q: web::Query<UnitQuery>,
) -> Result<HttpResponse, ApiError> {
    let rows = persistence::exports::units(&state.db, &auth.principal, q.into_inner().into()).await?;
    Ok(match how.format(&req) {
        ExportFormat::Json => ok(&rows.into_iter().map(UnitRecordDto::from).collect::<Vec<_>>()),
        ExportFormat::Csv => csv_response("units", UNIT_COLUMNS, rows.iter().map(UnitRecord::cells)),
    })
}

/// Export the appointments the caller may see, with the filters of `GET /appointments`.
///
/// Columns: 学年, 学号, 姓名, 学院, 单位代码, 名额, 状态, 聘任日期, 培训完成日期, 结束日期,
/// 结束原因. Service clients read appointments through the change feed instead.
#[utoipa::path(
    operation_id = "export_appointments",
    tag = "import-export",
    params(ExportQuery, AppointmentQuery),
    responses(
        (status = 200, description = "The appointments, oldest first", content(
            (String = "text/csv"),
            (Vec<AppointmentRecordDto> = "application/json")
        ), headers(("Content-Disposition" = String))),
        ListErrors
    )
)]
#[get("/exports/appointments")]
pub async fn appointments(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    how: web::Query<ExportQuery>,
    q: web::Query<AppointmentQuery>,
) -> Result<HttpResponse, ApiError> {
    let rows = persistence::exports::appointments(&state.db, &auth.principal, q.into_inner().into()).await?;
    Ok(match how.format(&req) {
        ExportFormat::Json => ok(&rows.into_iter().map(AppointmentRecordDto::from).collect::<Vec<_>>()),
        ExportFormat::Csv => {
            csv_response("appointments", APPOINTMENT_COLUMNS, rows.iter().map(AppointmentRecord::cells))
        }
    })
}

/// Export the pairings the caller may see, with the filters of `GET /pairings`.
///
/// Columns: 学年, 学院, 学长学号, 学长姓名, 学长单位代码, 新生学号, 新生姓名, 新生单位代码, 跨单位,
/// 结对方式, 状态, 结对日期, 结束日期, 结束原因, 结束说明 — ended pairings included, so the file is
/// the whole history unless `state=active` is given.
/// Service clients read pairings through the change feed instead.
#[utoipa::path(
    operation_id = "export_pairings",
    tag = "import-export",
    params(ExportQuery, PairingQuery),
    responses(
        (status = 200, description = "The pairings, oldest first", content(
            (String = "text/csv"),
            (Vec<PairingRecordDto> = "application/json")
        ), headers(("Content-Disposition" = String))),
        ListErrors
    )
)]
#[get("/exports/pairings")]
pub async fn pairings(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    how: web::Query<ExportQuery>,
    q: web::Query<PairingQuery>,
) -> Result<HttpResponse, ApiError> {
    let rows = persistence::exports::pairings(&state.db, &auth.principal, q.into_inner().into()).await?;
    Ok(match how.format(&req) {
        ExportFormat::Json => ok(&rows.into_iter().map(PairingRecordDto::from).collect::<Vec<_>>()),
        ExportFormat::Csv => csv_response("pairings", PAIRING_COLUMNS, rows.iter().map(PairingRecord::cells)),
    })
}

/// The columns of the work-record export, in order.
const WORK_RECORD_COLUMNS: &[&str] = &[
    "日期",
    "学长学号",
    "学长姓名",
    "类型",
    "职责",
    "方式",
    "时长（分钟）",
    "学生",
    "人数",
    "内容摘要",
    "心得体会",
    "备注",
    "记录时间",
];

/// Export the work-record book in print order, with the filters of `GET /work-records`.
///
/// The entries the caller may see, by date, then as recorded.
/// Columns: 日期, 学长学号, 学长姓名, 类型, 职责, 方式, 时长（分钟）, 学生 (学号 姓名; …), 人数,
/// 内容摘要, 心得体会, 备注, 记录时间 (Asia/Shanghai). A student's export never has 心得体会.
#[utoipa::path(
    operation_id = "export_work_records",
    tag = "import-export",
    params(ExportQuery, WorkRecordQuery),
    responses(
        (status = 200, description = "The entries, in print order", content(
            (String = "text/csv"),
            (Vec<WorkRecordDto> = "application/json")
        ), headers(("Content-Disposition" = String))),
        ListErrors
    )
)]
#[get("/exports/work-records")]
pub async fn work_records(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    how: web::Query<ExportQuery>,
    q: web::Query<WorkRecordQuery>,
) -> Result<HttpResponse, ApiError> {
    let rows = persistence::usecases::work::export(&state.db, &auth.principal, q.into_inner().into()).await?;
    Ok(match how.format(&req) {
        ExportFormat::Json => ok(&rows.into_iter().map(|(r, _)| WorkRecordDto::from(r)).collect::<Vec<_>>()),
        ExportFormat::Csv => {
            let cells = rows.into_iter().map(|(r, names)| {
                let join = |v: Vec<String>| v.join("; ");
                vec![
                    r.date.to_string(),
                    names.mentor.0,
                    names.mentor.1,
                    r.kind.to_string(),
                    join(r.duties.iter().map(ToString::to_string).collect()),
                    r.channel.to_string(),
                    r.minutes.to_string(),
                    join(names.students.into_iter().map(|(no, name)| format!("{no} {name}")).collect()),
                    r.head_count.map(|n| n.to_string()).unwrap_or_default(),
                    r.summary,
                    r.reflections.unwrap_or_default(),
                    join(r.notes.into_iter().map(|n| n.text).collect()),
                    domain::time::in_shanghai(r.created_at).format("%Y-%m-%d %H:%M").to_string(),
                ]
            });
            let body = write_csv(WORK_RECORD_COLUMNS.iter().copied(), cells);
            HttpResponse::Ok()
                .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"work-records-{}.csv\"", today().format("%Y%m%d")),
                ))
                .body(body)
        }
    })
}

/// The columns of the scholarship-credit export.
const CREDIT_LABELS: [&str; 11] =
    ["学号", "姓名", "学院", "单位", "任期开始", "任期结束", "聘任状态", "考核等级", "获奖", "表彰", "加分"];

fn grade_zh(g: Option<domain::yearend::Grade>) -> &'static str {
    use domain::yearend::Grade;
    match g {
        Some(Grade::Excellent) => "优秀",
        Some(Grade::Competent) => "合格",
        Some(Grade::Unsatisfactory) => "不合格",
        None => "",
    }
}

/// The scholarship credit (社会工作认定) of every mentor of an academic year.
///
/// One row per appointment of the year, by college code and 学号: 学号, name, college, unit, the term
/// served, the state, the grade (`excellent` 优秀 / `competent` 合格 / `unsatisfactory` 不合格, or
/// empty when not graded), the award rounds won, the commendations, and the credit the year's
/// `scholarship_credit` points give (tenths of a point in JSON; points in the CSV column 加分).
/// `unsatisfactory`, ungraded and dismissed mentors get none. CSV (UTF-8 with a BOM, Chinese
/// headers) by default, JSON with `format=json`. The university and service clients with
/// `credits:read` read every college; a college admin or counselor their own college's rows.
#[utoipa::path(
    operation_id = "export_scholarship_credits",
    security(("bearer" = []), ("oauth2" = ["credits:read"])),
    tag = "awards",
    params(("id" = uuid::Uuid, Path, description = "Academic year id"), ExportQuery),
    responses(
        (status = 200, description = "The year's mentors with their credit", content(
            (String = "text/csv"),
            (Vec<ServiceLineDto> = "application/json")
        ), headers(("Content-Disposition" = String))),
        crate::openapi::ReadErrors
    )
)]
#[get("/academic-years/{id}/scholarship-credits")]
pub async fn scholarship_credits(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<uuid::Uuid>,
    how: web::Query<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let rows = persistence::usecases::credits::scholarship_credits(&state.db, &auth.principal, *id).await?;
    Ok(match how.format(&req) {
        ExportFormat::Json => ok(&rows.into_iter().map(ServiceLineDto::from).collect::<Vec<_>>()),
        ExportFormat::Csv => csv_labelled(
            "scholarship-credits",
            CREDIT_LABELS,
            rows.into_iter().map(|l| {
                vec![
                    l.student_no,
                    l.name,
                    l.college_name,
                    l.unit_name,
                    l.served_from.to_string(),
                    l.served_to.to_string(),
                    l.state.to_string(),
                    grade_zh(l.grade).to_owned(),
                    l.awards.join("；"),
                    l.commendations.into_iter().map(|(t, _)| t).collect::<Vec<_>>().join("；"),
                    domain::yearend::points_text(l.credit_tenths),
                ]
            }),
        ),
    })
}
