//! `/users`: user accounts, for university admins (all) and college admins (their college).

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use domain::Problems;
use domain::accounts::{NewUser, User, UserChanges, check_password, parse_username};
use domain::auth::Role;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::common::{ListParams, double_option, valid_username};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json};
use crate::openapi::{CreateErrors, CursorListErrors, ReadErrors, WriteErrors};
use crate::respond::{self, CursorPageOf, created, ok_tagged};
use crate::state::AppState;

/// A user account (never with its password).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    /// Id.
    pub id: Uuid,
    /// Login name (lower case).
    pub username: String,
    /// Name shown in the UI.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// College (college-scoped roles, and students and staff where known).
    pub college_id: Option<Uuid>,
    /// Linked student record.
    pub student_id: Option<Uuid>,
    /// Linked staff record.
    pub staff_id: Option<Uuid>,
    /// Whether the account may log in.
    pub active: bool,
    /// Version (the `ETag`).
    pub version: i32,
    /// Created.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Last changed.
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<User> for UserDto {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            role: u.role,
            college_id: u.college_id,
            student_id: u.student_id,
            staff_id: u.staff_id,
            active: u.active,
            version: u.version,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

/// A new account.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    /// Login name: 3–64 of letters, digits, `.`, `_`, `-`, `@` (stored lower case).
    #[validate(custom(function = "valid_username"))]
    #[schema(min_length = 3, max_length = 64, pattern = "^[A-Za-z0-9._@-]{3,64}$")]
    pub username: String,
    /// Name shown in the UI, e.g. `张三`.
    #[validate(length(min = 1, max = 100), custom(function = "crate::api::v1::common::not_blank"))]
    #[schema(min_length = 1, max_length = 100)]
    pub display_name: String,
    /// Initial password: 10–128 characters, not containing the login name.
    #[schema(min_length = 10, max_length = 128)]
    pub password: String,
    /// Role. College admins may create only counselors, supervisors and students of their college.
    pub role: Role,
    /// College; required for `college_admin` and `counselor`, taken from the linked record otherwise.
    pub college_id: Option<Uuid>,
    /// The student record of a `student` account (required for students).
    pub student_id: Option<Uuid>,
    /// The staff record of a `supervisor` or `counselor` account.
    pub staff_id: Option<Uuid>,
}

impl CreateUserRequest {
    fn into_command(self) -> Result<NewUser, domain::Error> {
        let mut p = Problems::new();
        let username = p.take(parse_username("username", &self.username));
        if let Some(u) = &username {
            p.take(check_password("password", &self.password, u));
        }
        p.finish()?;
        Ok(NewUser {
            username: username.unwrap_or_default(),
            display_name: self.display_name.trim().to_owned(),
            password: self.password,
            role: self.role,
            college_id: self.college_id,
            student_id: self.student_id,
            staff_id: self.staff_id,
        })
    }
}

/// Changes to an account; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    /// New display name.
    #[validate(length(min = 1, max = 100), custom(function = "crate::api::v1::common::not_blank"))]
    #[schema(min_length = 1, max_length = 100)]
    pub display_name: Option<String>,
    /// New role (never your own).
    pub role: Option<Role>,
    /// New college, or `null` to clear (never your own).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>, nullable)]
    pub college_id: Option<Option<Uuid>>,
    /// Enable or disable the account (never your own). Disabling ends its login sessions.
    pub active: Option<bool>,
    /// Reset the password (ends the account's login sessions): 10–128 characters.
    #[schema(min_length = 10, max_length = 128)]
    pub password: Option<String>,
}

/// Filters of the account list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Only this role.
    pub role: Option<Role>,
    /// Only this college.
    pub college_id: Option<Uuid>,
    /// Only active (`true`) or disabled (`false`) accounts.
    pub active: Option<bool>,
    /// Substring of the login or display name.
    pub q: Option<String>,
}

/// Create an account.
///
/// University admins any; a college admin accounts of their own college only, never a university
/// admin. A student or staff account links to its record. The username is unique,
/// case-insensitively (409 `duplicate`); the password has 10–128 characters.
#[utoipa::path(
    operation_id = "create_user",
    tag = "accounts",
    request_body = CreateUserRequest,
    responses(
        (status = 201, description = "Created", body = UserDto, headers(("Location" = String), ("ETag" = String))),
        CreateErrors
    )
)]
#[post("/users")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<CreateUserRequest>,
) -> Result<HttpResponse, ApiError> {
    let cmd = body.into_inner().into_command()?;
    let u = persistence::accounts::create_user(&state.db, &auth.principal, cmd).await?;
    Ok(created(format!("/api/v1/users/{}", u.id), &UserDto::from(u.clone()), u.version))
}

/// List accounts.
///
/// Sort keys: `username` (default), `display_name`, `created_at`.
///
/// Large lists need not be counted nor paged by number: `count=none` leaves out the total
/// (`total` is `null`; `has_more` says whether another page follows), and `cursor` (the previous
/// answer's `next_cursor`) reads the next page by seeking past the last item shown, at the same
/// cost however deep and unshifted by items added before it.
#[utoipa::path(
    operation_id = "list_users",
    tag = "accounts",
    params(ListParams, UserQuery),
    responses(
        (status = 200, description = "One page of accounts", body = CursorPageOf<UserDto>),
        CursorListErrors
    )
)]
#[get("/users")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<ListParams>,
    q: web::Query<UserQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let filter = persistence::accounts::UserFilter { role: q.role, college_id: q.college_id, active: q.active, q: q.q };
    let p =
        persistence::accounts::list_users(&state.db, &auth.principal, filter, &page.request()?, page.sort.as_deref())
            .await?;
    Ok(respond::cursor_page(&req, CursorPageOf::from_page(p, UserDto::from)))
}

/// Get an account.
///
/// University admins any; a college admin those of their college. Never with the password. Objects
/// the caller may not see are 404, as if they did not exist.
#[utoipa::path(
    operation_id = "get_user",
    tag = "accounts",
    params(("id" = Uuid, Path, description = "Account id")),
    responses(
        (status = 200, description = "The account", body = UserDto, headers(("ETag" = String))),
        ReadErrors
    )
)]
#[get("/users/{id}")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let u = persistence::accounts::get_user(&state.db, &auth.principal, id.into_inner()).await?;
    Ok(ok_tagged(&UserDto::from(u.clone()), u.version))
}

/// Change an account.
///
/// No one changes their own role, college or active flag; a college admin manages only the
/// counselors, supervisors and students of their college. Honours `If-Match`.
#[utoipa::path(
    operation_id = "update_user",
    tag = "accounts",
    params(("id" = Uuid, Path, description = "Account id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = UpdateUserRequest,
    responses(
        (status = 200, description = "Changed", body = UserDto, headers(("ETag" = String))),
        WriteErrors
    )
)]
#[patch("/users/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateUserRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    if let Some(pw) = &body.password {
        // The login name is needed to check the password; the persistence layer re-reads it.
        let current = persistence::accounts::get_user(&state.db, &auth.principal, *id).await?;
        check_password("password", pw, &current.username).map_err(|e| domain::Error::Validation(vec![e]))?;
    }
    let changes = UserChanges {
        display_name: body.display_name.map(|d| d.trim().to_owned()),
        role: body.role,
        college_id: body.college_id,
        active: body.active,
        password: body.password,
    };
    let u =
        persistence::accounts::update_user(&state.db, &auth.principal, id.into_inner(), changes, if_match.0).await?;
    Ok(ok_tagged(&UserDto::from(u.clone()), u.version))
}
