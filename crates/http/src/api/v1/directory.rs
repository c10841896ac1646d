//! The mentor directory (公示): `/public/mentors` for anyone (a college's web page, an applicant),
//! `/mentors` for the university's signed-in users, `/me/mentor` for a mentee.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use domain::directory::{DirectoryFilter, ListedMentor, Named, OwnMentor, Search};
use domain::reference::UnitKind;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::common::{PageParams, photo_url};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::openapi::{BadRequest, Forbidden, ListErrors, NotFound, Unauthorized, Unprocessable};
use crate::respond::{self, PageOf};
use crate::state::AppState;

/// How long a browser or a proxy may reuse a public directory answer without asking again.
const PUBLIC_CACHE: &str = "public, max-age=300";

/// Something named, by id.
#[derive(Debug, Serialize, ToSchema)]
pub struct NamedDto {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
}

impl From<Named> for NamedDto {
    fn from(n: Named) -> Self {
        Self { id: n.id, name: n.name }
    }
}

/// The unit a mentor serves in.
#[derive(Debug, Serialize, ToSchema)]
pub struct DirectoryUnitDto {
    /// Id.
    pub id: Uuid,
    /// Name, e.g. `视觉计算实验室`.
    pub name: String,
    /// Kind.
    pub kind: UnitKind,
}

/// An academic year, by id and code.
#[derive(Debug, Serialize, ToSchema)]
pub struct YearRefDto {
    /// Id.
    pub id: Uuid,
    /// Code, e.g. `2025-2026`.
    pub code: String,
}

/// A mentor as the directory shows them: only what the mentor published and the names of their
/// college, unit and year. Never a 学号, phone, private e-mail, political status, gender or an id
/// of the student record.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicMentorDto {
    /// The appointment: the directory's id of the mentor.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// College.
    pub college: NamedDto,
    /// Unit.
    pub unit: DirectoryUnitDto,
    /// The discipline (学科方向) of the unit, when known.
    pub discipline: Option<NamedDto>,
    /// The academic year served.
    pub academic_year: YearRefDto,
    /// 研究方向.
    pub research_direction: Option<String>,
    /// 个人简介.
    pub bio: Option<String>,
    /// 先进事迹, in the mentor's order.
    pub deeds: Vec<String>,
    /// The contact the mentor makes public (an office, a QQ group, a work mailbox).
    pub public_contact: Option<String>,
    /// The mentor's photo (a JPEG of at most 600 px), when there is one: a path on this server
    /// that needs no token. Absent while the profile is not published.
    #[schema(example = "/api/v1/public/mentors/0193a1b2-0000-7000-8000-000000000001/photo?v=9f86d081884c7d65")]
    pub photo_url: Option<String>,
    /// When the profile was published.
    pub published_at: Option<DateTime<Utc>>,
    /// When the profile last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<ListedMentor> for PublicMentorDto {
    fn from(m: ListedMentor) -> Self {
        Self {
            id: m.appointment_id,
            name: m.name,
            college: m.college.into(),
            unit: DirectoryUnitDto { id: m.unit.id, name: m.unit.name, kind: m.unit.kind },
            discipline: m.discipline.map(Into::into),
            academic_year: YearRefDto { id: m.academic_year.id, code: m.academic_year.name },
            research_direction: m.research_direction,
            bio: m.bio,
            deeds: m.deeds,
            public_contact: m.public_contact,
            photo_url: m.photo_version.as_deref().map(|v| photo_url(m.appointment_id, v)),
            published_at: m.published_at,
            updated_at: m.updated_at,
        }
    }
}

/// A mentee's own mentor.
#[derive(Debug, Serialize, ToSchema)]
pub struct OwnMentorDto {
    /// The pairing.
    pub pairing_id: Uuid,
    /// The mentor's profile as written, whether published or not.
    pub mentor: PublicMentorDto,
    /// Whether the profile is in the public directory.
    pub published: bool,
    /// What the mentor shares with their mentees (WeChat, QQ, phone…).
    pub contact_for_mentees: Option<String>,
}

impl From<OwnMentor> for OwnMentorDto {
    fn from(o: OwnMentor) -> Self {
        Self {
            pairing_id: o.pairing_id,
            mentor: o.mentor.into(),
            published: o.published,
            contact_for_mentees: o.contact_for_mentees,
        }
    }
}

/// Filters of the directory.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DirectoryQuery {
    /// Only this college.
    pub college_id: Option<Uuid>,
    /// Only this unit.
    pub unit_id: Option<Uuid>,
    /// Only this discipline (学科方向): the discipline unit itself and the labs, groups,
    /// departments and teams under it.
    pub discipline_id: Option<Uuid>,
    /// Only this academic year.
    pub academic_year_id: Option<Uuid>,
    /// A substring of the name, the research direction or the bio (Chinese works: `视觉` finds
    /// `计算机视觉`), case-insensitive; at most 50 characters.
    #[param(max_length = 50)]
    pub q: Option<String>,
}

impl DirectoryQuery {
    fn filter(self) -> Result<DirectoryFilter, ApiError> {
        let q = Search::parse(self.q.as_deref()).map_err(|e| domain::Error::Validation(vec![e]))?;
        Ok(DirectoryFilter {
            college_id: self.college_id,
            unit_id: self.unit_id,
            discipline_id: self.discipline_id,
            academic_year_id: self.academic_year_id,
            q,
        })
    }
}

/// The public mentor directory (公示).
///
/// No token. Mentors whose appointment is active and whose profile is published, with only the
/// published fields. Filters by college, unit, discipline and year, and a substring search. Sort
/// keys: `published_at` (default), `updated_at`. Carries `ETag` and `Cache-Control`; a request with
/// the `ETag` in `If-None-Match` gets `304` while the answer is unchanged. Any web page may read it
/// (CORS: `Access-Control-Allow-Origin: *`).
#[utoipa::path(
    operation_id = "list_public_mentors",
    tag = "directory",
    security(()),
    params(PageParams, DirectoryQuery, ("If-None-Match" = Option<String>, Header, description = "An ETag read before")),
    responses(
        (status = 200, description = "One page of mentors", body = PageOf<PublicMentorDto>,
            headers(("ETag" = String), ("Cache-Control" = String), ("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))),
        (status = 304, description = "Unchanged since the `ETag` in `If-None-Match`", headers(("ETag" = String))),
        (status = 400, response = BadRequest),
        (status = 422, response = Unprocessable)
    )
)]
#[get("/public/mentors")]
pub async fn public_list(
    req: HttpRequest,
    state: web::Data<AppState>,
    page: web::Query<PageParams>,
    q: web::Query<DirectoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = q.into_inner().filter()?;
    let p = persistence::directory::list(&state.db, &filter, page.request()?, page.sort.as_deref()).await?;
    Ok(respond::page_cached(&req, PageOf::from_page(p, PublicMentorDto::from), PUBLIC_CACHE))
}

/// One mentor of the public directory.
///
/// No token. `404` when the mentor is not listed (no published profile, or the appointment ended).
/// Carries `ETag` and `Cache-Control`; `304` on a matching `If-None-Match`.
#[utoipa::path(
    operation_id = "get_public_mentor",
    tag = "directory",
    security(()),
    params(("id" = Uuid, Path, description = "The mentor's id in the directory (the appointment)"),
        ("If-None-Match" = Option<String>, Header, description = "An ETag read before")),
    responses(
        (status = 200, description = "The mentor", body = PublicMentorDto, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Unchanged since the `ETag` in `If-None-Match`", headers(("ETag" = String))),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound)
    )
)]
#[get("/public/mentors/{id}")]
pub async fn public_get(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let m = persistence::directory::get(&state.db, *id).await?;
    Ok(respond::cached(&req, &PublicMentorDto::from(m), PUBLIC_CACHE, None))
}

/// Preview a mentor's directory entry.
///
/// For the mentor and those who may edit the profile (the college's admins, the university's):
/// the profile exactly as `GET /public/mentors/{id}` will show it once published — the same keys,
/// nothing more — whether or not it is published yet. `photo_url` points to the private
/// `GET /appointments/{id}/photo` here. Others who see the appointment get `403`; the rest `404`.
#[utoipa::path(
    operation_id = "preview_mentor_profile",
    tag = "appointments",
    params(("id" = Uuid, Path, description = "Appointment id")),
    responses(
        (status = 200, description = "The entry as the directory would show it", body = PublicMentorDto),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound)
    )
)]
#[get("/appointments/{id}/profile/preview")]
pub async fn preview(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let m = persistence::directory::preview(&state.db, &auth.principal, *id).await?;
    let private_url =
        m.photo_version.as_deref().map(|v| format!("/api/v1/appointments/{}/photo?v={v}", m.appointment_id));
    let mut dto = PublicMentorDto::from(m);
    dto.photo_url = private_url;
    Ok(HttpResponse::Ok().insert_header((actix_web::http::header::CACHE_CONTROL, "private, no-cache")).json(dto))
}

/// The mentor directory of the whole university.
///
/// Any signed-in user (a service client with `reference:read`): the same mentors and fields as the
/// public directory, so that a student of one college finds a mentor of another to ask. A college
/// shows its own mentors with `college_id`. Sort keys: `published_at` (default), `updated_at`.
#[utoipa::path(
    operation_id = "list_mentors",
    tag = "directory",
    security(("bearer" = []), ("oauth2" = ["reference:read"])),
    params(PageParams, DirectoryQuery),
    responses(
        (status = 200, description = "One page of mentors", body = PageOf<PublicMentorDto>,
            headers(("ETag" = String), ("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))),
        (status = 304, description = "Unchanged since the `ETag` in `If-None-Match`"),
        ListErrors
    )
)]
#[get("/mentors")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<PageParams>,
    q: web::Query<DirectoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = q.into_inner().filter()?;
    let p =
        persistence::directory::list_for(&state.db, &auth.principal, &filter, page.request()?, page.sort.as_deref())
            .await?;
    Ok(respond::page_cached(&req, PageOf::from_page(p, PublicMentorDto::from), "private, no-cache"))
}

/// The caller's own mentor.
///
/// For a student paired with a mentor (the latest active pairing): the mentor's profile as
/// written, even when it is not published, and the contact the mentor shares with mentees. `404`
/// when the student has no mentor; `403` for anyone but a student.
#[utoipa::path(
    operation_id = "get_own_mentor",
    tag = "directory",
    responses(
        (status = 200, description = "The caller's mentor", body = OwnMentorDto),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound)
    )
)]
#[get("/me/mentor")]
pub async fn own_mentor(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    let m = persistence::directory::own_mentor(&state.db, &auth.principal).await?;
    Ok(respond::ok(&OwnMentorDto::from(m)))
}
