//! `/units`: disciplines, laboratories, research groups, clinical departments, supervisor teams.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use domain::Problems;
use domain::reference::{Code, Name, NewUnit, Unit, UnitChanges, UnitKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::common::{PageParams, double_option, opt};
use super::dto::UnitQuery;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json};
use crate::openapi::{CreateErrors, DeleteErrors, ListErrors, ReadErrors, WriteErrors};
use crate::respond::{self, PageOf, created, ok_tagged};
use crate::state::AppState;

/// A unit inside a college.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitDto {
    /// Id.
    pub id: Uuid,
    /// Unique code.
    #[schema(min_length = 1, max_length = 32, pattern = "^[A-Za-z0-9._-]+$")]
    pub code: String,
    /// Name, e.g. `智能系统实验室`.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// Kind.
    pub kind: UnitKind,
    /// College.
    pub college_id: Uuid,
    /// The discipline a lab, group, department or team belongs to.
    pub discipline_id: Option<Uuid>,
    /// Version (the `ETag`).
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<Unit> for UnitDto {
    fn from(u: Unit) -> Self {
        Self {
            id: u.id,
            code: u.code,
            name: u.name,
            kind: u.kind,
            college_id: u.college_id,
            discipline_id: u.discipline_id,
            version: u.version,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

/// A new unit.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateUnitRequest {
    /// 1–32 of letters, digits, `-`, `_`, `.`; unique.
    #[schema(min_length = 1, max_length = 32, pattern = "^[A-Za-z0-9._-]+$")]
    pub code: String,
    /// 1–100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// Kind.
    pub kind: UnitKind,
    /// The college (a college admin may use only their own).
    pub college_id: Uuid,
    /// The discipline (a unit of kind `discipline` in the same college) of a non-discipline unit.
    pub discipline_id: Option<Uuid>,
}

/// Changes to a unit; its college never changes.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateUnitRequest {
    /// New code.
    #[schema(min_length = 1, max_length = 32, pattern = "^[A-Za-z0-9._-]+$")]
    pub code: Option<String>,
    /// New name.
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
    /// New kind.
    pub kind: Option<UnitKind>,
    /// New discipline, or `null` to clear.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>, nullable)]
    pub discipline_id: Option<Option<Uuid>>,
}

/// Create a unit (university admins, or the admin of its college).
///
/// A discipline, laboratory, research group, clinical department or supervisor team; its code is
/// unique in the college (409 `duplicate`). Answers with `Location` and `ETag`.
#[utoipa::path(
    operation_id = "create_unit",
    tag = "reference",
    request_body = CreateUnitRequest,
    responses(
        (status = 201, description = "Created", body = UnitDto, headers(("Location" = String), ("ETag" = String))),
        CreateErrors
    )
)]
#[post("/units")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<CreateUnitRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let mut p = Problems::new();
    let code = p.take(Code::parse("code", &b.code));
    let name = p.take(Name::parse("name", &b.name));
    p.finish()?;
    let (Some(code), Some(name)) = (code, name) else { return Err(domain::Error::Validation(vec![]).into()) };
    let cmd = NewUnit { code, name, kind: b.kind, college_id: b.college_id, discipline_id: b.discipline_id };
    let u = persistence::reference::units::create(&state.db, &auth.principal, cmd).await?;
    Ok(created(format!("/api/v1/units/{}", u.id), &UnitDto::from(u.clone()), u.version))
}

/// List units.
///
/// Sort keys: `code` (default), `name`, `created_at`.
#[utoipa::path(
    operation_id = "list_units",
    security(("bearer" = []), ("oauth2" = ["reference:read"])),
    tag = "reference",
    params(PageParams, UnitQuery),
    responses(
        (status = 200, description = "One page of units", body = PageOf<UnitDto>),
        ListErrors
    )
)]
#[get("/units")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<PageParams>,
    q: web::Query<UnitQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter: persistence::reference::units::UnitFilter = q.into_inner().into();
    let p =
        persistence::reference::units::list(&state.db, &auth.principal, filter, page.request()?, page.sort.as_deref())
            .await?;
    Ok(respond::page(&req, PageOf::from_page(p, UnitDto::from)))
}

/// Get a unit.
///
/// Every user may read reference data; a service client needs `reference:read`.
#[utoipa::path(
    operation_id = "get_unit",
    security(("bearer" = []), ("oauth2" = ["reference:read"])),
    tag = "reference",
    params(("id" = Uuid, Path, description = "Unit id")),
    responses(
        (status = 200, description = "The unit", body = UnitDto, headers(("ETag" = String))),
        ReadErrors
    )
)]
#[get("/units/{id}")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let u = persistence::reference::units::get(&state.db, &auth.principal, id.into_inner()).await?;
    Ok(ok_tagged(&UnitDto::from(u.clone()), u.version))
}

/// Change a unit (university admins, or the admin of its college).
///
/// Its code, name, kind or discipline; its college never changes. Send the `ETag` last read as
/// `If-Match` to change only that version (412 `precondition_failed` otherwise, with the current
/// version).
#[utoipa::path(
    operation_id = "update_unit",
    tag = "reference",
    params(("id" = Uuid, Path, description = "Unit id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = UpdateUnitRequest,
    responses(
        (status = 200, description = "Changed", body = UnitDto, headers(("ETag" = String))),
        WriteErrors
    )
)]
#[patch("/units/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateUnitRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let mut p = Problems::new();
    let changes = UnitChanges {
        code: opt(&mut p, b.code.as_deref(), |v| Code::parse("code", v)),
        name: opt(&mut p, b.name.as_deref(), |v| Name::parse("name", v)),
        kind: b.kind,
        discipline_id: b.discipline_id,
    };
    p.finish()?;
    let u =
        persistence::reference::units::update(&state.db, &auth.principal, id.into_inner(), changes, if_match.0).await?;
    Ok(ok_tagged(&UnitDto::from(u.clone()), u.version))
}

/// Delete a unit (university admins, or the admin of its college).
///
/// Only while nothing refers to it (students, nominations, appointments): otherwise 409 `in_use`.
/// Send the `ETag` last read as `If-Match` to change only that version (412 `precondition_failed`
/// otherwise, with the current version).
#[utoipa::path(
    operation_id = "delete_unit",
    tag = "reference",
    params(("id" = Uuid, Path, description = "Unit id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 204, description = "Deleted"),
        DeleteErrors
    )
)]
#[delete("/units/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    persistence::reference::units::delete(&state.db, &auth.principal, id.into_inner(), if_match.0).await?;
    Ok(HttpResponse::NoContent().finish())
}
