//! `/academic-years`: the yearly cycle with its policy and milestones.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use domain::reference::{AcademicYear, AcademicYearChanges, AcademicYearCode, NewAcademicYear};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::common::PageParams;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json};
use crate::openapi::{
    CreateErrors, DeleteErrors, ListErrors, PreconditionFailed, ReadErrors, Unprocessable, UnsupportedMediaType,
};
use crate::respond::{self, PageOf, created, ok, ok_tagged};
use crate::state::AppState;

/// The scholarship credit (社会工作认定, 评奖评优倾斜加分) an academic year gives its mentors, in
/// tenths of a point (`15` = 1.5 points): by the confirmed or graded grade, plus per award of the
/// year, up to the cap. `unsatisfactory`, ungraded and dismissed mentors get none.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"excellent": 20, "competent": 10, "per_award": 10, "cap": 30}))]
pub struct ScholarshipCreditDto {
    /// For `excellent` (default 20), 0–100.
    #[schema(minimum = 0, maximum = 100)]
    pub excellent: u32,
    /// For `competent` (default 10), 0–100 and not above `excellent`.
    #[schema(minimum = 0, maximum = 100)]
    pub competent: u32,
    /// For each award of the year (default 10), 0–100.
    #[schema(minimum = 0, maximum = 100)]
    pub per_award: u32,
    /// The most one mentor gets in the year (`null`: no cap), 0–100.
    #[schema(minimum = 0, maximum = 100)]
    pub cap: Option<u32>,
}

impl From<domain::yearend::CreditPolicy> for ScholarshipCreditDto {
    fn from(c: domain::yearend::CreditPolicy) -> Self {
        Self { excellent: c.excellent, competent: c.competent, per_award: c.per_award, cap: c.cap }
    }
}

impl From<ScholarshipCreditDto> for domain::yearend::CreditPolicy {
    fn from(c: ScholarshipCreditDto) -> Self {
        Self { excellent: c.excellent, competent: c.competent, per_award: c.per_award, cap: c.cap }
    }
}

/// An academic year (Sept 1 → Aug 31 unless set otherwise).
#[derive(Debug, Serialize, ToSchema)]
pub struct AcademicYearDto {
    /// Id.
    pub id: Uuid,
    /// `2025-2026`.
    #[schema(min_length = 1, max_length = 32, pattern = "^[A-Za-z0-9._-]+$")]
    pub code: String,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Mentees per mentor unless an appointment says otherwise.
    pub default_capacity: i32,
    /// Whether probationary Party members (预备党员) may be nominated.
    pub allow_probationary: bool,
    /// Mentors introduced to the freshmen by this date (Asia/Shanghai).
    pub introduction_deadline: NaiveDate,
    /// Freshman salons held by this date (Asia/Shanghai).
    pub salon_deadline: NaiveDate,
    /// Days a mentor may edit a work-record entry after recording it; then it is locked and only
    /// notes are appended.
    #[schema(minimum = 1, maximum = 365)]
    pub record_edit_days: i32,
    /// Days an urgent escalated concern may wait for an acknowledgement before it is overdue.
    #[schema(minimum = 1, maximum = 60)]
    pub concern_overdue_urgent_days: i32,
    /// Days a normal escalated concern may wait for an acknowledgement before it is overdue.
    #[schema(minimum = 1, maximum = 60)]
    pub concern_overdue_normal_days: i32,
    /// The first day colleges grade the year (考核); `null` until set.
    pub assessment_opens_on: Option<NaiveDate>,
    /// The last day colleges grade the year (the university may confirm or change a grade later).
    pub assessment_closes_on: Option<NaiveDate>,
    /// The scholarship credit the year gives.
    pub scholarship_credit: ScholarshipCreditDto,
    /// Whether the year has been closed.
    pub closed: bool,
    /// Version (the `ETag`).
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<AcademicYear> for AcademicYearDto {
    fn from(y: AcademicYear) -> Self {
        Self {
            id: y.id,
            code: y.code,
            starts_on: y.starts_on,
            ends_on: y.ends_on,
            default_capacity: y.policy.default_capacity,
            allow_probationary: y.policy.allow_probationary,
            introduction_deadline: y.policy.introduction_deadline,
            salon_deadline: y.policy.salon_deadline,
            record_edit_days: y.policy.record_edit_days,
            concern_overdue_urgent_days: y.policy.concern_overdue.urgent_days,
            concern_overdue_normal_days: y.policy.concern_overdue.normal_days,
            assessment_opens_on: y.policy.assessment_opens_on,
            assessment_closes_on: y.policy.assessment_closes_on,
            scholarship_credit: y.policy.credit.into(),
            closed: y.closed,
            version: y.version,
            created_at: y.created_at,
            updated_at: y.updated_at,
        }
    }
}

/// A new academic year; what is not given takes the program's defaults.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateAcademicYearRequest {
    /// `YYYY-YYYY`, the second year following the first, e.g. `2025-2026`.
    #[schema(pattern = "^[0-9]{4}-[0-9]{4}$", example = "2025-2026")]
    pub code: String,
    /// Default Sept 1 of the first year.
    pub starts_on: Option<NaiveDate>,
    /// Default Aug 31 of the second year.
    pub ends_on: Option<NaiveDate>,
    /// 1–30, default 5.
    #[schema(minimum = 1, maximum = 30)]
    pub default_capacity: Option<i32>,
    /// Default `false`.
    pub allow_probationary: Option<bool>,
    /// Default Sept 30 of the first year.
    pub introduction_deadline: Option<NaiveDate>,
    /// Default Oct 31 of the first year.
    pub salon_deadline: Option<NaiveDate>,
    /// Work-record edit window, 1–365 days, default 30.
    #[schema(minimum = 1, maximum = 365)]
    pub record_edit_days: Option<i32>,
    /// Days an urgent escalated concern may wait for an acknowledgement, 1–60, default 2 (not
    /// longer than the normal limit).
    #[schema(minimum = 1, maximum = 60)]
    pub concern_overdue_urgent_days: Option<i32>,
    /// Days a normal escalated concern may wait for an acknowledgement, 1–60, default 7.
    #[schema(minimum = 1, maximum = 60)]
    pub concern_overdue_normal_days: Option<i32>,
}

/// Changes to an academic year; the code never changes.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateAcademicYearRequest {
    /// First day.
    pub starts_on: Option<NaiveDate>,
    /// Last day.
    pub ends_on: Option<NaiveDate>,
    /// 1–30.
    #[schema(minimum = 1, maximum = 30)]
    pub default_capacity: Option<i32>,
    /// Whether probationary Party members may be nominated.
    pub allow_probationary: Option<bool>,
    /// Introduction milestone.
    pub introduction_deadline: Option<NaiveDate>,
    /// Freshman-salon milestone.
    pub salon_deadline: Option<NaiveDate>,
    /// Work-record edit window, 1–365 days (entries recorded earlier follow the new window too).
    #[schema(minimum = 1, maximum = 365)]
    pub record_edit_days: Option<i32>,
    /// Days an urgent escalated concern may wait for an acknowledgement, 1–60 (not longer than
    /// the normal limit). Concerns escalated earlier follow the new limit too.
    #[schema(minimum = 1, maximum = 60)]
    pub concern_overdue_urgent_days: Option<i32>,
    /// Days a normal escalated concern may wait for an acknowledgement, 1–60.
    #[schema(minimum = 1, maximum = 60)]
    pub concern_overdue_normal_days: Option<i32>,
    /// The first day colleges grade the year (on or after `starts_on`); the window needs both days.
    pub assessment_opens_on: Option<NaiveDate>,
    /// The last day colleges grade the year (on or after `assessment_opens_on`).
    pub assessment_closes_on: Option<NaiveDate>,
    /// The scholarship-credit points (all four replace the year's).
    pub scholarship_credit: Option<ScholarshipCreditDto>,
}

/// Create an academic year (university admins).
///
/// The code is `YYYY-YYYY` and the dates run from September 1 to August 31 unless given; a code
/// already used is 409 `duplicate`. The policy (mentor capacity, whether probationary members may
/// be nominated) and the milestone deadlines default to the program's rules. Answers with
/// `Location` and `ETag`.
#[utoipa::path(
    operation_id = "create_academic_year",
    tag = "reference",
    request_body = CreateAcademicYearRequest,
    responses(
        (status = 201, description = "Created", body = AcademicYearDto, headers(("Location" = String), ("ETag" = String))),
        CreateErrors
    )
)]
#[post("/academic-years")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<CreateAcademicYearRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let code = AcademicYearCode::parse("code", &b.code).map_err(|e| domain::Error::Validation(vec![e]))?;
    let cmd = NewAcademicYear {
        code,
        starts_on: b.starts_on,
        ends_on: b.ends_on,
        default_capacity: b.default_capacity,
        allow_probationary: b.allow_probationary,
        introduction_deadline: b.introduction_deadline,
        salon_deadline: b.salon_deadline,
        record_edit_days: b.record_edit_days,
        concern_overdue_urgent_days: b.concern_overdue_urgent_days,
        concern_overdue_normal_days: b.concern_overdue_normal_days,
    };
    let y = persistence::reference::years::create(&state.db, &auth.principal, cmd).await?;
    Ok(created(format!("/api/v1/academic-years/{}", y.id), &AcademicYearDto::from(y.clone()), y.version))
}

/// List academic years.
///
/// Sort keys: `code` (default, newest first), `starts_on`, `created_at`.
#[utoipa::path(
    operation_id = "list_academic_years",
    security(("bearer" = []), ("oauth2" = ["reference:read"])),
    tag = "reference",
    params(PageParams),
    responses(
        (status = 200, description = "One page of academic years", body = PageOf<AcademicYearDto>),
        ListErrors
    )
)]
#[get("/academic-years")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let p =
        persistence::reference::years::list(&state.db, &auth.principal, page.request()?, page.sort.as_deref()).await?;
    Ok(respond::page(&req, PageOf::from_page(p, AcademicYearDto::from)))
}

/// Get an academic year.
///
/// With its policy and milestone deadlines. Every user may read reference data; a service client
/// needs `reference:read`. The `ETag` is the version to send as `If-Match`.
#[utoipa::path(
    operation_id = "get_academic_year",
    security(("bearer" = []), ("oauth2" = ["reference:read"])),
    tag = "reference",
    params(("id" = Uuid, Path, description = "Academic year id")),
    responses(
        (status = 200, description = "The academic year", body = AcademicYearDto, headers(("ETag" = String))),
        ReadErrors
    )
)]
#[get("/academic-years/{id}")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let y = persistence::reference::years::get(&state.db, &auth.principal, id.into_inner()).await?;
    Ok(ok_tagged(&AcademicYearDto::from(y.clone()), y.version))
}

/// Change an academic year (university admins).
///
/// Its dates, policy or milestone deadlines; absent fields stay. Send the `ETag` last read as
/// `If-Match` to change only that version (412 `precondition_failed` otherwise, with the current
/// version).
#[utoipa::path(
    operation_id = "update_academic_year",
    tag = "reference",
    params(("id" = Uuid, Path, description = "Academic year id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = UpdateAcademicYearRequest,
    responses(
        (status = 200, description = "Changed", body = AcademicYearDto, headers(("ETag" = String))),
        ReadErrors,
        (status = 412, response = PreconditionFailed),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable)
    )
)]
#[patch("/academic-years/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateAcademicYearRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let changes = AcademicYearChanges {
        starts_on: b.starts_on,
        ends_on: b.ends_on,
        default_capacity: b.default_capacity,
        allow_probationary: b.allow_probationary,
        introduction_deadline: b.introduction_deadline,
        salon_deadline: b.salon_deadline,
        record_edit_days: b.record_edit_days,
        concern_overdue_urgent_days: b.concern_overdue_urgent_days,
        concern_overdue_normal_days: b.concern_overdue_normal_days,
        assessment_opens_on: b.assessment_opens_on,
        assessment_closes_on: b.assessment_closes_on,
        credit: b.scholarship_credit.map(Into::into),
    };
    let y =
        persistence::reference::years::update(&state.db, &auth.principal, id.into_inner(), changes, if_match.0).await?;
    Ok(ok_tagged(&AcademicYearDto::from(y.clone()), y.version))
}

/// Delete an academic year (university admins).
///
/// Only while nothing refers to it (no nominations, appointments, activities): otherwise 409
/// `in_use`. Send the `ETag` last read as `If-Match` to change only that version (412
/// `precondition_failed` otherwise, with the current version).
#[utoipa::path(
    operation_id = "delete_academic_year",
    tag = "reference",
    params(("id" = Uuid, Path, description = "Academic year id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 204, description = "Deleted"),
        DeleteErrors
    )
)]
#[delete("/academic-years/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    persistence::reference::years::delete(&state.db, &auth.principal, id.into_inner(), if_match.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The result of closing a year.
#[derive(Debug, Serialize, ToSchema)]
pub struct CloseYearResponse {
    /// The year, now closed.
    pub academic_year: AcademicYearDto,
    /// How many active appointments this call completed (0 when the year was closed already).
    pub completed_appointments: u64,
}

/// Close an academic year (university admins).
///
/// Its active appointments become `completed` and it takes no more nominations. Idempotent:
/// closing a closed year changes nothing.
#[utoipa::path(
    operation_id = "close_academic_year",
    tag = "appointments",
    params(("id" = Uuid, Path, description = "Academic year id")),
    responses(
        (status = 200, description = "Closed", body = CloseYearResponse),
        ReadErrors
    )
)]
#[post("/academic-years/{id}/close")]
pub async fn close(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let (year, completed) = persistence::usecases::mentorship::close_year(&state.db, &auth.principal, *id).await?;
    Ok(ok(&CloseYearResponse { academic_year: year.into(), completed_appointments: completed }))
}
