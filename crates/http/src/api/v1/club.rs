//! `/club/members` (学长俱乐部, 四.5): the members of the mentors' club — every appointed mentor,
//! active while serving and alumni after — for any signed-in user, without private data; and a
//! member's own membership, which they may leave and take up again.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use chrono::NaiveDate;
use domain::club::MemberState;
use persistence::usecases::club::{self as repo, Member, MemberFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::common::PageParams;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::openapi::{BadRequest, Forbidden, ListErrors, NotFound, ReadErrors, Unauthorized};
use crate::respond::{self, PageOf, ok};
use crate::state::AppState;

/// An award a member won.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberAwardDto {
    /// The award round's title.
    #[schema(example = "2025-2026 年度优秀研究生党员学长")]
    pub title: String,
    /// Its academic year.
    #[schema(example = "2025-2026")]
    pub academic_year: String,
}

/// A member of the mentors' club. Public within the university: no 学号, phone, e-mail or
/// political status.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "student_id": "0193a4e1-7c2b-7abc-8def-0123456789ae", "name": "李明",
    "college_id": "0193a4e1-7c2b-7abc-8def-0123456789a1", "college_name": "计算机学院",
    "unit_id": "0193a4e1-7c2b-7abc-8def-0123456789a2", "unit_name": "视觉实验室",
    "state": "alumni", "since": "2024-09-10", "years": ["2024-2025", "2025-2026"],
    "awards": [{"title": "2025-2026 年度优秀研究生党员学长", "academic_year": "2025-2026"}]
}))]
pub struct ClubMemberDto {
    /// The member (a student id).
    pub student_id: Uuid,
    /// Name.
    pub name: String,
    /// The college of their latest appointment.
    pub college_id: Uuid,
    /// Its name.
    pub college_name: String,
    /// The unit of their latest appointment.
    pub unit_id: Uuid,
    /// Its name.
    pub unit_name: String,
    /// `active` while an appointment of theirs is active; `alumni` after their term (completed at
    /// the close of the year, or resigned).
    pub state: MemberState,
    /// The day of their first appointment (Asia/Shanghai).
    pub since: NaiveDate,
    /// The academic years served, oldest first (a dismissed appointment is not a year served).
    pub years: Vec<String>,
    /// The award rounds won.
    pub awards: Vec<MemberAwardDto>,
}

impl From<Member> for ClubMemberDto {
    fn from(m: Member) -> Self {
        Self {
            student_id: m.student_id,
            name: m.name,
            college_id: m.college_id,
            college_name: m.college_name,
            unit_id: m.unit_id,
            unit_name: m.unit_name,
            state: m.state,
            since: m.since,
            years: m.years,
            awards: m
                .awards
                .into_iter()
                .map(|a| MemberAwardDto { title: a.title, academic_year: a.academic_year })
                .collect(),
        }
    }
}

/// Filters of the member list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClubMemberQuery {
    /// Only members listed with this college (their latest appointment's).
    pub college_id: Option<Uuid>,
    /// Only members who served in this academic year.
    pub academic_year_id: Option<Uuid>,
    /// Only active members, or only alumni.
    pub state: Option<MemberState>,
}

/// List the members of the mentors' club.
///
/// Every appointed mentor is a member: `active` while an appointment of theirs is active, `alumni`
/// once their latest appointment was completed (the close of the year) or resigned. A mentor whose
/// latest appointment ended in dismissal is no member; one who left the club is not listed until
/// they rejoin or are appointed again. Any signed-in user reads the list: names, colleges, units,
/// years served and awards, nothing private. By name unless sorted otherwise (`name`, `since`).
#[utoipa::path(
    operation_id = "list_club_members",
    tag = "club",
    params(PageParams, ClubMemberQuery),
    responses((status = 200, description = "One page of members", body = PageOf<ClubMemberDto>), ListErrors)
)]
#[get("/club/members")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<PageParams>,
    q: web::Query<ClubMemberQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let filter = MemberFilter { college_id: q.college_id, academic_year_id: q.academic_year_id, state: q.state };
    let p = repo::list(&state.db, &auth.principal, filter, page.request()?, page.sort.as_deref()).await?;
    Ok(respond::page(&req, PageOf::from_page(p, ClubMemberDto::from)))
}

/// Your own membership of the mentors' club (a student).
///
/// As the list shows it. `404` when you are no member (never appointed, dismissed last, or left),
/// `403` for anyone who is not a student.
#[utoipa::path(
    operation_id = "get_own_club_membership",
    tag = "club",
    responses((status = 200, description = "Your membership", body = ClubMemberDto), ReadErrors)
)]
#[get("/club/members/me")]
pub async fn me(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    Ok(ok(&ClubMemberDto::from(repo::me(&state.db, &auth.principal).await?)))
}

/// Leave the mentors' club (a member).
///
/// Recorded (the audit log says `club.leave`, the change feed `club_member.left`); you are no
/// longer listed and no longer write essays until you rejoin (`POST /club/members/me`) or are
/// appointed again. `404` when you are no member.
#[utoipa::path(
    operation_id = "leave_club",
    tag = "club",
    responses(
        (status = 204, description = "You left the club"),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound)
    )
)]
#[delete("/club/members/me")]
pub async fn leave(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    repo::leave(&state.db, &auth.principal).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Rejoin the mentors' club after leaving it.
///
/// Allowed whenever your appointments make you a member (an appointed mentor, serving or alumni,
/// not dismissed last): `403` otherwise. A member who never left gets their membership back as
/// it is. The audit log says `club.rejoin`, the change feed `club_member.rejoined`.
#[utoipa::path(
    operation_id = "rejoin_club",
    tag = "club",
    responses(
        (status = 200, description = "You are a member again", body = ClubMemberDto),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound)
    )
)]
#[post("/club/members/me")]
pub async fn rejoin(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    Ok(ok(&ClubMemberDto::from(repo::rejoin(&state.db, &auth.principal).await?)))
}
