//! `/staff`: supervisors (导师) and counselors (辅导员).

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use domain::Problems;
use domain::reference::{
    Email, MAX_EMAIL_CHARS, MAX_PHONE_CHARS, Name, NewStaff, PersonNo, Phone, Staff, StaffChanges,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::common::{ListParams, blank_is_none, double_option, opt, patch_blank_is_none};
use super::dto::StaffQuery;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json};
use crate::openapi::{CreateErrors, CursorListErrors, DeleteErrors, ReadErrors, WriteErrors};
use crate::respond::{self, CursorPageOf, created, ok_tagged};
use crate::state::AppState;

/// A member of staff.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffDto {
    /// Id.
    pub id: Uuid,
    /// 工号 (unique, upper case).
    #[schema(min_length = 4, max_length = 20, pattern = "^[A-Za-z0-9]{4,20}$")]
    pub staff_no: String,
    /// Name, e.g. `王老师`.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// College.
    pub college_id: Uuid,
    /// Supervises graduate students (导师).
    pub is_supervisor: bool,
    /// Works as a counselor (辅导员).
    pub is_counselor: bool,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Version (the `ETag`).
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<Staff> for StaffDto {
    fn from(s: Staff) -> Self {
        Self {
            id: s.id,
            staff_no: s.staff_no,
            name: s.name,
            college_id: s.college_id,
            is_supervisor: s.is_supervisor,
            is_counselor: s.is_counselor,
            phone: s.phone,
            email: s.email,
            version: s.version,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// A new staff member.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateStaffRequest {
    /// 工号: 4–20 letters or digits; unique.
    #[schema(min_length = 4, max_length = 20, pattern = "^[A-Za-z0-9]{4,20}$")]
    pub staff_no: String,
    /// 1–100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// College (a college admin may use only their own).
    pub college_id: Uuid,
    /// Supervises graduate students (default `false`).
    #[serde(default)]
    pub is_supervisor: bool,
    /// Works as a counselor (default `false`).
    #[serde(default)]
    pub is_counselor: bool,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
}

/// Changes to a staff member; absent fields stay, `null` clears a nullable one.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateStaffRequest {
    /// 工号.
    #[schema(min_length = 4, max_length = 20, pattern = "^[A-Za-z0-9]{4,20}$")]
    pub staff_no: Option<String>,
    /// Name.
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
    /// College (moving needs the right to manage both colleges).
    pub college_id: Option<Uuid>,
    /// Supervises graduate students (cannot be turned off while they supervise someone).
    pub is_supervisor: Option<bool>,
    /// Works as a counselor.
    pub is_counselor: Option<bool>,
    /// Phone, or `null`.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub phone: Option<Option<String>>,
    /// E-mail, or `null`.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub email: Option<Option<String>>,
}

/// Create a staff member.
///
/// University admins, the admin of the staff member's college, or a service client with
/// `staff:write`. The 工号 is unique (409 `duplicate`). Answers with `Location` and `ETag`; the
/// change feed gets `staff.created`.
#[utoipa::path(
    operation_id = "create_staff",
    security(("bearer" = []), ("oauth2" = ["staff:write"])),
    tag = "reference",
    request_body = CreateStaffRequest,
    responses(
        (status = 201, description = "Created", body = StaffDto, headers(("Location" = String), ("ETag" = String))),
        CreateErrors
    )
)]
#[post("/staff")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<CreateStaffRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let mut p = Problems::new();
    let staff_no = p.take(PersonNo::parse("staff_no", &b.staff_no));
    let name = p.take(Name::parse("name", &b.name));
    let phone = blank_is_none(&mut p, "phone", MAX_PHONE_CHARS, b.phone.as_deref(), |v| Phone::parse("phone", v));
    let email = blank_is_none(&mut p, "email", MAX_EMAIL_CHARS, b.email.as_deref(), |v| Email::parse("email", v));
    p.finish()?;
    let (Some(staff_no), Some(name)) = (staff_no, name) else { return Err(domain::Error::Validation(vec![]).into()) };
    let cmd = NewStaff {
        staff_no,
        name,
        college_id: b.college_id,
        is_supervisor: b.is_supervisor,
        is_counselor: b.is_counselor,
        phone,
        email,
    };
    let s = persistence::reference::staff::create(&state.db, &auth.principal, cmd).await?;
    Ok(created(format!("/api/v1/staff/{}", s.id), &StaffDto::from(s.clone()), s.version))
}

/// List the staff the caller may see.
///
/// Sort keys: `staff_no` (default), `name`, `created_at`.
///
/// Large lists need not be counted nor paged by number: `count=none` leaves out the total
/// (`total` is `null`; `has_more` says whether another page follows), and `cursor` (the previous
/// answer's `next_cursor`) reads the next page by seeking past the last item shown, at the same
/// cost however deep and unshifted by items added before it.
#[utoipa::path(
    operation_id = "list_staff",
    security(("bearer" = []), ("oauth2" = ["staff:read"])),
    tag = "reference",
    params(ListParams, StaffQuery),
    responses(
        (status = 200, description = "One page of staff", body = CursorPageOf<StaffDto>),
        CursorListErrors
    )
)]
#[get("/staff")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<ListParams>,
    q: web::Query<StaffQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter: persistence::reference::staff::StaffFilter = q.into_inner().into();
    let p =
        persistence::reference::staff::list(&state.db, &auth.principal, filter, &page.request()?, page.sort.as_deref())
            .await?;
    Ok(respond::cursor_page(&req, CursorPageOf::from_page(p, StaffDto::from)))
}

/// Get a staff member.
///
/// The university and the staff member's college see all staff; a supervisor their own record; a
/// service client needs `staff:read`. Objects the caller may not see are 404, as if they did not
/// exist.
#[utoipa::path(
    operation_id = "get_staff",
    security(("bearer" = []), ("oauth2" = ["staff:read"])),
    tag = "reference",
    params(("id" = Uuid, Path, description = "Staff id")),
    responses(
        (status = 200, description = "The staff member", body = StaffDto, headers(("ETag" = String))),
        ReadErrors
    )
)]
#[get("/staff/{id}")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let s = persistence::reference::staff::get(&state.db, &auth.principal, id.into_inner()).await?;
    Ok(ok_tagged(&StaffDto::from(s.clone()), s.version))
}

/// Change a staff member.
///
/// Absent fields stay; `null` clears a nullable one. Moving to another college needs the right to
/// manage both. Send the `ETag` last read as `If-Match` to change only that version (412
/// `precondition_failed` otherwise, with the current version).
#[utoipa::path(
    operation_id = "update_staff",
    security(("bearer" = []), ("oauth2" = ["staff:write"])),
    tag = "reference",
    params(("id" = Uuid, Path, description = "Staff id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = UpdateStaffRequest,
    responses(
        (status = 200, description = "Changed", body = StaffDto, headers(("ETag" = String))),
        WriteErrors
    )
)]
#[patch("/staff/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateStaffRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let mut p = Problems::new();
    let changes = StaffChanges {
        staff_no: opt(&mut p, b.staff_no.as_deref(), |v| PersonNo::parse("staff_no", v)),
        name: opt(&mut p, b.name.as_deref(), |v| Name::parse("name", v)),
        college_id: b.college_id,
        is_supervisor: b.is_supervisor,
        is_counselor: b.is_counselor,
        phone: patch_blank_is_none(&mut p, "phone", MAX_PHONE_CHARS, b.phone.as_ref().map(|o| o.as_deref()), |v| {
            Phone::parse("phone", v)
        }),
        email: patch_blank_is_none(&mut p, "email", MAX_EMAIL_CHARS, b.email.as_ref().map(|o| o.as_deref()), |v| {
            Email::parse("email", v)
        }),
    };
    p.finish()?;
    let s =
        persistence::reference::staff::update(&state.db, &auth.principal, id.into_inner(), changes, if_match.0).await?;
    Ok(ok_tagged(&StaffDto::from(s.clone()), s.version))
}

/// Delete a staff member.
///
/// Only while nothing refers to them (students they supervise or counsel, an account): otherwise
/// 409 `in_use`. Send the `ETag` last read as `If-Match` to change only that version (412
/// `precondition_failed` otherwise, with the current version).
#[utoipa::path(
    operation_id = "delete_staff",
    security(("bearer" = []), ("oauth2" = ["staff:write"])),
    tag = "reference",
    params(("id" = Uuid, Path, description = "Staff id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 204, description = "Deleted"),
        DeleteErrors
    )
)]
#[delete("/staff/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    persistence::reference::staff::delete(&state.db, &auth.principal, id.into_inner(), if_match.0).await?;
    Ok(HttpResponse::NoContent().finish())
}
