//! `/colleges`: the colleges (学院、中心、所) that nominate mentors.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use domain::Problems;
use domain::reference::{Code, College, CollegeChanges, Name, NewCollege};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::common::{PageParams, opt};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json};
use crate::openapi::{CreateErrors, DeleteErrors, ListErrors, ReadErrors, WriteErrors};
use crate::respond::{self, PageOf, created, ok_tagged};
use crate::state::AppState;

/// A college.
#[derive(Debug, Serialize, ToSchema)]
pub struct CollegeDto {
    /// Id.
    pub id: Uuid,
    /// Unique code, e.g. `CS`.
    #[schema(min_length = 1, max_length = 32, pattern = "^[A-Za-z0-9._-]+$")]
    pub code: String,
    /// Unique name, e.g. `计算机学院`.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// Version (the `ETag`).
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<College> for CollegeDto {
    fn from(c: College) -> Self {
        Self {
            id: c.id,
            code: c.code,
            name: c.name,
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// A new college.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateCollegeRequest {
    /// 1–32 of letters, digits, `-`, `_`, `.`; unique.
    #[schema(min_length = 1, max_length = 32, pattern = "^[A-Za-z0-9._-]+$")]
    pub code: String,
    /// 1–100 characters; unique.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
}

/// Changes to a college.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateCollegeRequest {
    /// New code.
    #[schema(min_length = 1, max_length = 32, pattern = "^[A-Za-z0-9._-]+$")]
    pub code: Option<String>,
    /// New name.
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
}

/// Filters of the college list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CollegeQuery {
    /// Substring of the code or name.
    pub q: Option<String>,
}

/// Create a college (university admins).
///
/// Its code is unique (409 `duplicate`). Answers with `Location` and `ETag`.
#[utoipa::path(
    operation_id = "create_college",
    tag = "reference",
    request_body = CreateCollegeRequest,
    responses(
        (status = 201, description = "Created", body = CollegeDto, headers(("Location" = String), ("ETag" = String))),
        CreateErrors
    )
)]
#[post("/colleges")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<CreateCollegeRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let mut p = Problems::new();
    let code = p.take(Code::parse("code", &b.code));
    let name = p.take(Name::parse("name", &b.name));
    p.finish()?;
    let (Some(code), Some(name)) = (code, name) else { return Err(domain::Error::Validation(vec![]).into()) };
    let c = persistence::reference::colleges::create(&state.db, &auth.principal, NewCollege { code, name }).await?;
    Ok(created(format!("/api/v1/colleges/{}", c.id), &CollegeDto::from(c.clone()), c.version))
}

/// List colleges.
///
/// Sort keys: `code` (default), `name`, `created_at`.
#[utoipa::path(
    operation_id = "list_colleges",
    security(("bearer" = []), ("oauth2" = ["reference:read"])),
    tag = "reference",
    params(PageParams, CollegeQuery),
    responses(
        (status = 200, description = "One page of colleges", body = PageOf<CollegeDto>),
        ListErrors
    )
)]
#[get("/colleges")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<PageParams>,
    q: web::Query<CollegeQuery>,
) -> Result<HttpResponse, ApiError> {
    let p = persistence::reference::colleges::list(
        &state.db,
        &auth.principal,
        q.q.as_deref(),
        page.request()?,
        page.sort.as_deref(),
    )
    .await?;
    Ok(respond::page(&req, PageOf::from_page(p, CollegeDto::from)))
}

/// Get a college.
///
/// Every user may read reference data; a service client needs `reference:read`.
#[utoipa::path(
    operation_id = "get_college",
    security(("bearer" = []), ("oauth2" = ["reference:read"])),
    tag = "reference",
    params(("id" = Uuid, Path, description = "College id")),
    responses(
        (status = 200, description = "The college", body = CollegeDto, headers(("ETag" = String))),
        ReadErrors
    )
)]
#[get("/colleges/{id}")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let c = persistence::reference::colleges::get(&state.db, &auth.principal, id.into_inner()).await?;
    Ok(ok_tagged(&CollegeDto::from(c.clone()), c.version))
}

/// Change a college (university admins).
///
/// Its code or name; a code already used is 409 `duplicate`. Send the `ETag` last read as
/// `If-Match` to change only that version (412 `precondition_failed` otherwise, with the current
/// version).
#[utoipa::path(
    operation_id = "update_college",
    tag = "reference",
    params(("id" = Uuid, Path, description = "College id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = UpdateCollegeRequest,
    responses(
        (status = 200, description = "Changed", body = CollegeDto, headers(("ETag" = String))),
        WriteErrors
    )
)]
#[patch("/colleges/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateCollegeRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let mut p = Problems::new();
    let changes = CollegeChanges {
        code: opt(&mut p, b.code.as_deref(), |v| Code::parse("code", v)),
        name: opt(&mut p, b.name.as_deref(), |v| Name::parse("name", v)),
    };
    p.finish()?;
    let c = persistence::reference::colleges::update(&state.db, &auth.principal, id.into_inner(), changes, if_match.0)
        .await?;
    Ok(ok_tagged(&CollegeDto::from(c.clone()), c.version))
}

/// Delete a college (university admins).
///
/// Only while it has no units, staff, students or accounts: otherwise 409 `in_use`. Send the `ETag`
/// last read as `If-Match` to change only that version (412 `precondition_failed` otherwise, with
/// the current version).
#[utoipa::path(
    operation_id = "delete_college",
    tag = "reference",
    params(("id" = Uuid, Path, description = "College id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 204, description = "Deleted"),
        DeleteErrors
    )
)]
#[delete("/colleges/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    persistence::reference::colleges::delete(&state.db, &auth.principal, id.into_inner(), if_match.0).await?;
    Ok(HttpResponse::NoContent().finish())
}
