//! `/students/{id}/honors` and `/students/{id}/sanctions`: the facts eligibility is judged on.

use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use domain::selection::{Honor, HonorLevel, Sanction};
use persistence::selection::records::{self, NewHonor, NewSanction};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::Json;
use crate::openapi::{ActionErrors, ReadErrors, Unprocessable, UnsupportedMediaType};
use crate::respond::{created, ok};
use crate::state::AppState;

/// An honour of a student.
#[derive(Debug, Serialize, ToSchema)]
pub struct HonorDto {
    /// Id.
    pub id: Uuid,
    /// The student.
    pub student_id: Uuid,
    /// Title, e.g. `优秀研究生`.
    pub title: String,
    /// Level: `university` or higher meets the honour rule.
    pub level: HonorLevel,
    /// When awarded.
    pub awarded_on: NaiveDate,
    /// Recorded.
    pub created_at: DateTime<Utc>,
}

impl From<Honor> for HonorDto {
    fn from(h: Honor) -> Self {
        Self {
            id: h.id,
            student_id: h.student_id,
            title: h.title,
            level: h.level,
            awarded_on: h.awarded_on,
            created_at: h.created_at,
        }
    }
}

/// A new honour.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateHonorRequest {
    /// Title, 1–100 characters.
    #[validate(length(min = 1, max = 100), custom(function = "crate::api::v1::common::not_blank"))]
    #[schema(min_length = 1, max_length = 100)]
    pub title: String,
    /// Level.
    pub level: HonorLevel,
    /// When awarded.
    pub awarded_on: NaiveDate,
}

/// A disciplinary sanction (confidential).
#[derive(Debug, Serialize, ToSchema)]
pub struct SanctionDto {
    /// Id.
    pub id: Uuid,
    /// The student.
    pub student_id: Uuid,
    /// What it is, e.g. `警告`.
    pub kind: String,
    /// Why.
    pub reason: String,
    /// When imposed.
    pub imposed_on: NaiveDate,
    /// When lifted, if it was.
    pub lifted_on: Option<NaiveDate>,
    /// Recorded.
    pub created_at: DateTime<Utc>,
}

impl From<Sanction> for SanctionDto {
    fn from(s: Sanction) -> Self {
        Self {
            id: s.id,
            student_id: s.student_id,
            kind: s.kind,
            reason: s.reason,
            imposed_on: s.imposed_on,
            lifted_on: s.lifted_on,
            created_at: s.created_at,
        }
    }
}

/// A new sanction.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateSanctionRequest {
    /// What it is, 1–50 characters.
    #[validate(length(min = 1, max = 50), custom(function = "crate::api::v1::common::not_blank"))]
    #[schema(min_length = 1, max_length = 50)]
    pub kind: String,
    /// Why, 1–2000 characters.
    #[validate(length(min = 1, max = 2000), custom(function = "crate::api::v1::common::not_blank"))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
    /// When imposed.
    pub imposed_on: NaiveDate,
    /// When lifted, if already.
    pub lifted_on: Option<NaiveDate>,
}

/// Lifting a sanction.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct LiftSanctionRequest {
    /// When it was lifted (解除).
    pub lifted_on: NaiveDate,
}

/// A list of honours.
#[derive(Debug, Serialize, ToSchema)]
pub struct HonorList {
    /// Newest first.
    pub items: Vec<HonorDto>,
}

/// A list of sanctions.
#[derive(Debug, Serialize, ToSchema)]
pub struct SanctionList {
    /// Newest first.
    pub items: Vec<SanctionDto>,
}

/// Record an honour of a student.
///
/// University admins, the admin of the student's college, or a service client with
/// `students:write`. An honour of level `university` or higher counts for eligibility. Answers with
/// `Location`.
#[utoipa::path(
    operation_id = "create_honor",
    security(("bearer" = []), ("oauth2" = ["students:write"])),
    tag = "selection",
    params(("id" = Uuid, Path, description = "Student id")),
    request_body = CreateHonorRequest,
    responses(
        (status = 201, description = "Recorded", body = HonorDto, headers(("Location" = String))),
        ActionErrors
    )
)]
#[post("/students/{id}/honors")]
pub async fn create_honor(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<CreateHonorRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let new = NewHonor { title: b.title.trim().to_owned(), level: b.level, awarded_on: b.awarded_on };
    let h = records::add_honor(&state.db, &auth.principal, *id, new).await?;
    Ok(created(format!("/api/v1/students/{}/honors/{}", h.student_id, h.id), &HonorDto::from(h), 1))
}

/// List a student's honours.
///
/// To those who see the student; a service client needs `students:read`. Objects the caller may not
/// see are 404, as if they did not exist.
#[utoipa::path(
    operation_id = "list_honors",
    security(("bearer" = []), ("oauth2" = ["students:read"])),
    tag = "selection",
    params(("id" = Uuid, Path, description = "Student id")),
    responses(
        (status = 200, description = "The honours", body = HonorList),
        ReadErrors
    )
)]
#[get("/students/{id}/honors")]
pub async fn list_honors(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let list = records::honors(&state.db, &auth.principal, *id).await?;
    Ok(ok(&HonorList { items: list.into_iter().map(HonorDto::from).collect() }))
}

/// Remove an honour recorded by mistake.
///
/// By those who may record it. Objects the caller may not see are 404, as if they did not exist.
#[utoipa::path(
    operation_id = "delete_honor",
    security(("bearer" = []), ("oauth2" = ["students:write"])),
    tag = "selection",
    params(("id" = Uuid, Path, description = "Student id"), ("honor_id" = Uuid, Path, description = "Honour id")),
    responses(
        (status = 204, description = "Removed"),
        ReadErrors
    )
)]
#[delete("/students/{id}/honors/{honor_id}")]
pub async fn delete_honor(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, honor_id) = path.into_inner();
    records::delete_honor(&state.db, &auth.principal, id, honor_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Record a disciplinary sanction (university admins, or the admin of the student's college).
///
/// Sanctions are confidential: only the university and the student's college see them. A sanction
/// in force fails the eligibility rule `no_active_sanction`.
#[utoipa::path(
    operation_id = "create_sanction",
    security(("bearer" = []), ("oauth2" = ["students:write"])),
    tag = "selection",
    params(("id" = Uuid, Path, description = "Student id")),
    request_body = CreateSanctionRequest,
    responses(
        (status = 201, description = "Recorded", body = SanctionDto, headers(("Location" = String))),
        ReadErrors,
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable)
    )
)]
#[post("/students/{id}/sanctions")]
pub async fn create_sanction(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<CreateSanctionRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let new = NewSanction {
        kind: b.kind.trim().to_owned(),
        reason: b.reason,
        imposed_on: b.imposed_on,
        lifted_on: b.lifted_on,
    };
    let s = records::add_sanction(&state.db, &auth.principal, *id, new).await?;
    Ok(created(format!("/api/v1/students/{}/sanctions/{}", s.student_id, s.id), &SanctionDto::from(s), 1))
}

/// List a student's sanctions.
///
/// The university and the student's college only. An active sanction fails eligibility. Objects the
/// caller may not see are 404, as if they did not exist.
#[utoipa::path(
    operation_id = "list_sanctions",
    security(("bearer" = []), ("oauth2" = ["students:read"])),
    tag = "selection",
    params(("id" = Uuid, Path, description = "Student id")),
    responses(
        (status = 200, description = "The sanctions", body = SanctionList),
        ReadErrors
    )
)]
#[get("/students/{id}/sanctions")]
pub async fn list_sanctions(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let list = records::sanctions(&state.db, &auth.principal, *id).await?;
    Ok(ok(&SanctionList { items: list.into_iter().map(SanctionDto::from).collect() }))
}

/// Lift (解除) a sanction.
///
/// By those who may record it; lifting a lifted sanction is 409 `invalid_transition`. Objects the
/// caller may not see are 404, as if they did not exist.
#[utoipa::path(
    operation_id = "lift_sanction",
    security(("bearer" = []), ("oauth2" = ["students:write"])),
    tag = "selection",
    params(("id" = Uuid, Path, description = "Student id"), ("sanction_id" = Uuid, Path, description = "Sanction id")),
    request_body = LiftSanctionRequest,
    responses(
        (status = 200, description = "Lifted", body = SanctionDto),
        ActionErrors
    )
)]
#[post("/students/{id}/sanctions/{sanction_id}/lift")]
pub async fn lift_sanction(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<LiftSanctionRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, sanction_id) = path.into_inner();
    let s = records::lift_sanction(&state.db, &auth.principal, id, sanction_id, body.into_inner().lifted_on).await?;
    Ok(ok(&SanctionDto::from(s)))
}
