//! `/students`: graduate students. A college admin or counselor sees their college's, a
//! supervisor their own students, a student themself.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use domain::Problems;
use domain::reference::{
    Degree, Email, Gender, MAX_EMAIL_CHARS, MAX_PHONE_CHARS, Name, NewStudent, PersonNo, Phone, PoliticalStatus,
    Student, StudentChanges, StudentStatus, check_enrollment_year,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::common::{ListParams, blank_is_none, double_option, opt, patch_blank_is_none, today};
use super::dto::{ServiceLineDto, StudentQuery};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json};
use crate::openapi::{CreateErrors, CursorListErrors, DeleteErrors, ReadErrors, WriteErrors};
use crate::respond::{self, CursorPageOf, created, ok_tagged};
use crate::state::AppState;

/// A graduate student.
#[derive(Debug, Serialize, ToSchema)]
pub struct StudentDto {
    /// Id.
    pub id: Uuid,
    /// 学号 (unique, upper case).
    #[schema(min_length = 4, max_length = 20, pattern = "^[A-Za-z0-9]{4,20}$")]
    pub student_no: String,
    /// Name, e.g. `李华`.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// Gender.
    pub gender: Gender,
    /// College.
    pub college_id: Uuid,
    /// Unit (lab, research group, discipline…).
    pub unit_id: Option<Uuid>,
    /// Degree programme.
    pub degree: Degree,
    /// Year of enrolment.
    pub enrollment_year: i32,
    /// Political status.
    pub political_status: PoliticalStatus,
    /// Supervisor (a staff id).
    pub supervisor_id: Option<Uuid>,
    /// Counselor (辅导员, a staff id).
    pub counselor_id: Option<Uuid>,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Status.
    pub status: StudentStatus,
    /// Version (the `ETag`).
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<Student> for StudentDto {
    fn from(s: Student) -> Self {
        Self {
            id: s.id,
            student_no: s.student_no,
            name: s.name,
            gender: s.gender,
            college_id: s.college_id,
            unit_id: s.unit_id,
            degree: s.degree,
            enrollment_year: s.enrollment_year,
            political_status: s.political_status,
            supervisor_id: s.supervisor_id,
            counselor_id: s.counselor_id,
            phone: s.phone,
            email: s.email,
            status: s.status,
            version: s.version,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// A new student.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateStudentRequest {
    /// 学号: 4–20 letters or digits; unique.
    #[schema(min_length = 4, max_length = 20, pattern = "^[A-Za-z0-9]{4,20}$")]
    pub student_no: String,
    /// 1–100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// Gender.
    pub gender: Gender,
    /// College (a college admin may use only their own).
    pub college_id: Uuid,
    /// Unit, which must belong to the college.
    pub unit_id: Option<Uuid>,
    /// Degree programme.
    pub degree: Degree,
    /// Year of enrolment (1990 to next year).
    #[schema(minimum = 1990)]
    pub enrollment_year: i32,
    /// Political status.
    pub political_status: PoliticalStatus,
    /// Supervisor: a staff member who is a supervisor.
    pub supervisor_id: Option<Uuid>,
    /// Counselor (辅导员): a staff member of the student's college who is a counselor.
    pub counselor_id: Option<Uuid>,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Status (default `enrolled`).
    pub status: Option<StudentStatus>,
}

impl CreateStudentRequest {
    fn into_command(self) -> Result<NewStudent, domain::Error> {
        let mut p = Problems::new();
        let student_no = p.take(PersonNo::parse("student_no", &self.student_no));
        let name = p.take(Name::parse("name", &self.name));
        let year = p.take(check_enrollment_year("enrollment_year", self.enrollment_year, today()));
        let phone =
            blank_is_none(&mut p, "phone", MAX_PHONE_CHARS, self.phone.as_deref(), |v| Phone::parse("phone", v));
        let email =
            blank_is_none(&mut p, "email", MAX_EMAIL_CHARS, self.email.as_deref(), |v| Email::parse("email", v));
        p.finish()?;
        let (Some(student_no), Some(name), Some(enrollment_year)) = (student_no, name, year) else {
            return Err(domain::Error::Validation(vec![]));
        };
        Ok(NewStudent {
            student_no,
            name,
            gender: self.gender,
            college_id: self.college_id,
            unit_id: self.unit_id,
            degree: self.degree,
            enrollment_year,
            political_status: self.political_status,
            supervisor_id: self.supervisor_id,
            counselor_id: self.counselor_id,
            phone,
            email,
            status: self.status.unwrap_or(StudentStatus::Enrolled),
        })
    }
}

/// Changes to a student; absent fields stay, `null` clears a nullable one.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateStudentRequest {
    /// 学号.
    #[schema(min_length = 4, max_length = 20, pattern = "^[A-Za-z0-9]{4,20}$")]
    pub student_no: Option<String>,
    /// Name.
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
    /// Gender.
    pub gender: Option<Gender>,
    /// College (moving a student needs the right to manage both colleges).
    pub college_id: Option<Uuid>,
    /// Unit, or `null`.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>, nullable)]
    pub unit_id: Option<Option<Uuid>>,
    /// Degree programme.
    pub degree: Option<Degree>,
    /// Year of enrolment (1990 to next year).
    #[schema(minimum = 1990)]
    pub enrollment_year: Option<i32>,
    /// Political status.
    pub political_status: Option<PoliticalStatus>,
    /// Supervisor, or `null`.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>, nullable)]
    pub supervisor_id: Option<Option<Uuid>>,
    /// Counselor (辅导员) of the student's college, or `null`.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>, nullable)]
    pub counselor_id: Option<Option<Uuid>>,
    /// Phone, or `null`.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub phone: Option<Option<String>>,
    /// E-mail, or `null`.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub email: Option<Option<String>>,
    /// Status.
    pub status: Option<StudentStatus>,
}

impl UpdateStudentRequest {
    fn into_changes(self) -> Result<StudentChanges, domain::Error> {
        let mut p = Problems::new();
        let changes = StudentChanges {
            student_no: opt(&mut p, self.student_no.as_deref(), |v| PersonNo::parse("student_no", v)),
            name: opt(&mut p, self.name.as_deref(), |v| Name::parse("name", v)),
            gender: self.gender,
            college_id: self.college_id,
            unit_id: self.unit_id,
            degree: self.degree,
            enrollment_year: self
                .enrollment_year
                .and_then(|y| p.take(check_enrollment_year("enrollment_year", y, today()))),
            political_status: self.political_status,
            supervisor_id: self.supervisor_id,
            counselor_id: self.counselor_id,
            phone: patch_blank_is_none(
                &mut p,
                "phone",
                MAX_PHONE_CHARS,
                self.phone.as_ref().map(|o| o.as_deref()),
                |v| Phone::parse("phone", v),
            ),
            email: patch_blank_is_none(
                &mut p,
                "email",
                MAX_EMAIL_CHARS,
                self.email.as_ref().map(|o| o.as_deref()),
                |v| Email::parse("email", v),
            ),
            status: self.status,
        };
        p.finish()?;
        Ok(changes)
    }
}

/// Create a student.
///
/// University admins, the admin of the student's college, or a service client with
/// `students:write`. The 学号 is unique (409 `duplicate`). Answers with `Location` and `ETag`; the
/// change feed gets `student.created`.
#[utoipa::path(
    operation_id = "create_student",
    security(("bearer" = []), ("oauth2" = ["students:write"])),
    tag = "reference",
    request_body = CreateStudentRequest,
    responses(
        (status = 201, description = "Created", body = StudentDto, headers(("Location" = String), ("ETag" = String))),
        CreateErrors
    )
)]
#[post("/students")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<CreateStudentRequest>,
) -> Result<HttpResponse, ApiError> {
    let cmd = body.into_inner().into_command()?;
    let s = persistence::reference::students::create(&state.db, &auth.principal, cmd).await?;
    Ok(created(format!("/api/v1/students/{}", s.id), &StudentDto::from(s.clone()), s.version))
}

/// List the students the caller may see.
///
/// Sort keys: `student_no` (default), `name`, `enrollment_year`, `created_at`.
///
/// Large lists need not be counted nor paged by number: `count=none` leaves out the total
/// (`total` is `null`; `has_more` says whether another page follows), and `cursor` (the previous
/// answer's `next_cursor`) reads the next page by seeking past the last item shown, at the same
/// cost however deep and unshifted by items added before it.
#[utoipa::path(
    operation_id = "list_students",
    security(("bearer" = []), ("oauth2" = ["students:read"])),
    tag = "reference",
    params(ListParams, StudentQuery),
    responses(
        (status = 200, description = "One page of students", body = CursorPageOf<StudentDto>),
        CursorListErrors
    )
)]
#[get("/students")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<ListParams>,
    q: web::Query<StudentQuery>,
) -> Result<HttpResponse, ApiError> {
    let p = persistence::reference::students::list(
        &state.db,
        &auth.principal,
        q.into_inner().into(),
        &page.request()?,
        page.sort.as_deref(),
    )
    .await?;
    Ok(respond::cursor_page(&req, CursorPageOf::from_page(p, StudentDto::from)))
}

/// Get a student.
///
/// The university and the student's college see all students, a supervisor their own students, a
/// student themself; a service client needs `students:read`. Objects the caller may not see are
/// 404, as if they did not exist.
#[utoipa::path(
    operation_id = "get_student",
    security(("bearer" = []), ("oauth2" = ["students:read"])),
    tag = "reference",
    params(("id" = Uuid, Path, description = "Student id")),
    responses(
        (status = 200, description = "The student", body = StudentDto, headers(("ETag" = String))),
        ReadErrors
    )
)]
#[get("/students/{id}")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let s = persistence::reference::students::get(&state.db, &auth.principal, id.into_inner()).await?;
    Ok(ok_tagged(&StudentDto::from(s.clone()), s.version))
}

/// Change a student.
///
/// Absent fields stay; `null` clears a nullable one. Moving to another college needs the right to
/// manage both. Send the `ETag` last read as `If-Match` to change only that version (412
/// `precondition_failed` otherwise, with the current version).
#[utoipa::path(
    operation_id = "update_student",
    security(("bearer" = []), ("oauth2" = ["students:write"])),
    tag = "reference",
    params(("id" = Uuid, Path, description = "Student id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = UpdateStudentRequest,
    responses(
        (status = 200, description = "Changed", body = StudentDto, headers(("ETag" = String))),
        WriteErrors
    )
)]
#[patch("/students/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateStudentRequest>,
) -> Result<HttpResponse, ApiError> {
    let changes = body.into_inner().into_changes()?;
    let s = persistence::reference::students::update(&state.db, &auth.principal, id.into_inner(), changes, if_match.0)
        .await?;
    Ok(ok_tagged(&StudentDto::from(s.clone()), s.version))
}

/// Delete a student.
///
/// Only while nothing refers to them (nominations, appointments, pairings, an account): otherwise
/// 409 `in_use`. Send the `ETag` last read as `If-Match` to change only that version (412
/// `precondition_failed` otherwise, with the current version).
#[utoipa::path(
    operation_id = "delete_student",
    security(("bearer" = []), ("oauth2" = ["students:write"])),
    tag = "reference",
    params(("id" = Uuid, Path, description = "Student id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 204, description = "Deleted"),
        DeleteErrors
    )
)]
#[delete("/students/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    persistence::reference::students::delete(&state.db, &auth.principal, id.into_inner(), if_match.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A student's service history: every appointment as a mentor across years.
///
/// Oldest first, each with the term served, the state, the year's grade (a dismissed mentor is
/// `unsatisfactory`), the award rounds won, the commendations and the scholarship credit — what a
/// committee for 优秀研究生干部 or the provincial outstanding-graduate selection asks for. For the
/// student themself, their college's admins and counselors, their supervisor, the university and
/// service clients with `students:read`; `404` for anyone else. Empty for a student never appointed.
#[utoipa::path(
    operation_id = "student_service_history",
    security(("bearer" = []), ("oauth2" = ["students:read"])),
    tag = "awards",
    params(("id" = Uuid, Path, description = "Student id")),
    responses((status = 200, description = "The appointments, oldest first", body = Vec<ServiceLineDto>), ReadErrors)
)]
#[get("/students/{id}/service-history")]
pub async fn service_history(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let lines = persistence::usecases::credits::service_history(&state.db, &auth.principal, *id).await?;
    Ok(crate::respond::ok(&lines.into_iter().map(ServiceLineDto::from).collect::<Vec<_>>()))
}
