//! Career postings (三(三)2: 收集、推荐就业岗位): mentors and staff post job and internship
//! information for their college; its students list and filter them until the deadline; the
//! author or the college edits and withdraws; a mentor recommends one to named students.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use domain::career::{JobKind, Posting, PostingInput, PostingState};
use persistence::usecases::careers::{self as repo, PostingFilter, Recommended};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::common::PageParams;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json};
use crate::openapi::{ActionErrors, CreateErrors, DeleteErrors, ListErrors, ReadErrors, WriteErrors};
use crate::respond::{self, PageOf, created, ok_tagged};
use crate::state::AppState;

/// A new posting.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "计算机视觉算法实习生", "employer": "成都某智能科技有限公司", "city": "成都",
    "kind": "internship", "link": "https://jobs.example.com/cv-intern", "deadline": "2026-12-31",
    "unit_ids": ["0193a4e1-7c2b-7abc-8def-0123456789ab"], "description": "每周至少实习 3 天，可远程。"}))]
pub struct CreatePostingRequest {
    /// The college it is for: required of a university admin; others post for their own college.
    pub college_id: Option<Uuid>,
    /// Title, 1–100 characters, one line.
    #[schema(min_length = 1, max_length = 100)]
    pub title: String,
    /// Employer, 1–100 characters, one line.
    #[schema(min_length = 1, max_length = 100)]
    pub employer: String,
    /// City, 1–50 characters, one line.
    #[schema(min_length = 1, max_length = 50)]
    pub city: String,
    /// What it offers.
    pub kind: JobKind,
    /// The offer: an `https://` URL, at most 500 characters.
    #[schema(min_length = 9, max_length = 500)]
    pub link: String,
    /// The last day to apply (Asia/Shanghai), today or later; the posting leaves the default list after it.
    pub deadline: NaiveDate,
    /// Units of the college it suits (labs, disciplines…), at most 20; none: the whole college.
    #[schema(max_items = 20)]
    pub unit_ids: Option<Vec<Uuid>>,
    /// More about it, at most 2000 characters.
    #[schema(max_length = 2000)]
    pub description: Option<String>,
}

/// Changes to a posting; what is left out stays.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"deadline": "2027-01-15", "city": "成都 / 远程"}))]
pub struct UpdatePostingRequest {
    /// Title.
    #[schema(min_length = 1, max_length = 100)]
    pub title: Option<String>,
    /// Employer.
    #[schema(min_length = 1, max_length = 100)]
    pub employer: Option<String>,
    /// City.
    #[schema(min_length = 1, max_length = 50)]
    pub city: Option<String>,
    /// What it offers.
    pub kind: Option<JobKind>,
    /// The `https://` link.
    #[schema(min_length = 9, max_length = 500)]
    pub link: Option<String>,
    /// A new deadline, today or later.
    pub deadline: Option<NaiveDate>,
    /// The units it suits (replaces the list; `[]`: the whole college).
    #[schema(max_items = 20)]
    pub unit_ids: Option<Vec<Uuid>>,
    /// More about it (an empty text clears it).
    #[schema(max_length = 2000)]
    pub description: Option<String>,
}

/// Students to recommend a posting to.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"student_ids": ["0193a4e1-7c2b-7abc-8def-0123456789ab"], "note": "和你的研究方向很契合，建议投递。"}))]
pub struct PostingRecommendRequest {
    /// Students of the posting's college, 1–50, each once.
    #[schema(min_items = 1, max_items = 50)]
    pub student_ids: Vec<Uuid>,
    /// A word to them, at most 2000 characters.
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// A posting.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostingDto {
    /// Id.
    pub id: Uuid,
    /// The college it is for.
    pub college_id: Uuid,
    /// Title.
    pub title: String,
    /// Employer.
    pub employer: String,
    /// City.
    pub city: String,
    /// What it offers.
    pub kind: JobKind,
    /// The offer (`https://`).
    pub link: String,
    /// The last day to apply (Asia/Shanghai).
    pub deadline: NaiveDate,
    /// Whether the deadline has passed (by the server's clock).
    pub expired: bool,
    /// The units it suits; empty: the whole college.
    pub unit_ids: Vec<Uuid>,
    /// More about it.
    pub description: Option<String>,
    /// `active` or `withdrawn`.
    pub state: PostingState,
    /// Who posted it (a user id).
    pub author_id: Uuid,
    /// How many students mentors recommended it to.
    pub recommended_count: u64,
    /// Whether a mentor recommended it to the caller.
    pub recommended_to_me: bool,
    /// Version (the `ETag`).
    pub version: i32,
    /// Posted.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<Posting> for PostingDto {
    fn from(p: Posting) -> Self {
        Self {
            id: p.id,
            college_id: p.college_id,
            title: p.fields.title,
            employer: p.fields.employer,
            city: p.fields.city,
            kind: p.fields.kind,
            link: p.fields.link,
            deadline: p.fields.deadline,
            expired: p.expired,
            unit_ids: p.fields.unit_ids,
            description: p.fields.description,
            state: p.state,
            author_id: p.author_id,
            recommended_count: p.recommended_count,
            recommended_to_me: p.recommended_to_me,
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// What a recommendation did.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecommendationDto {
    /// The posting.
    pub posting_id: Uuid,
    /// The recommending mentor's appointment.
    pub appointment_id: Uuid,
    /// Students recommended it now.
    pub recommended: Vec<Uuid>,
    /// Students recommended it before (unchanged).
    pub already: Vec<Uuid>,
    /// The `career_help` entry written to the mentor's work-record book, naming the mentor's
    /// mentees among those recommended now (none when no mentee was).
    pub work_record_id: Option<Uuid>,
}

impl From<Recommended> for RecommendationDto {
    fn from(r: Recommended) -> Self {
        Self {
            posting_id: r.posting_id,
            appointment_id: r.appointment_id,
            recommended: r.recommended,
            already: r.already,
            work_record_id: r.work_record_id,
        }
    }
}

/// Filters of the posting list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PostingQuery {
    /// Only this college's (others see only their own college's anyway).
    pub college_id: Option<Uuid>,
    /// Only those suiting this unit, and those posted for the whole college.
    pub unit_id: Option<Uuid>,
    /// Only this kind.
    pub kind: Option<JobKind>,
    /// `true`: also those whose deadline has passed (left out by default).
    pub include_expired: Option<bool>,
    /// `active` (default) or `withdrawn`.
    pub state: Option<PostingState>,
    /// `true`: only those a mentor recommended to the caller.
    pub recommended_to_me: Option<bool>,
}

fn tagged(p: Posting) -> HttpResponse {
    let v = p.version;
    ok_tagged(&PostingDto::from(p), v)
}

/// Post a job or internship (mentors and staff of a college).
///
/// By a serving mentor, a counselor or an admin of the college (for their own college), or a
/// university admin (naming `college_id`). The link must be `https://`; the deadline today or
/// later; the units of the college (another college's answers like an unknown id, 422
/// `invalid_reference`).
#[utoipa::path(
    operation_id = "create_job_posting",
    tag = "careers",
    request_body = CreatePostingRequest,
    responses(
        (status = 201, description = "Posted", body = PostingDto, headers(("Location" = String), ("ETag" = String))),
        CreateErrors
    )
)]
#[post("/job-postings")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<CreatePostingRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let units = b.unit_ids.unwrap_or_default();
    let input = PostingInput {
        title: Some(&b.title),
        employer: Some(&b.employer),
        city: Some(&b.city),
        kind: Some(b.kind),
        link: Some(&b.link),
        deadline: Some(b.deadline),
        unit_ids: Some(&units),
        description: Some(b.description.as_deref()),
    };
    let p = repo::create(&state.db, &auth.principal, b.college_id, input).await?;
    let v = p.version;
    Ok(created(format!("/api/v1/job-postings/{}", p.id), &PostingDto::from(p), v))
}

/// List the postings of the caller's college.
///
/// Students, mentors, counselors and admins see their college's; the university all. By default
/// only `active` postings whose deadline has not passed (by the server's clock), soonest deadline
/// first; `include_expired=true` keeps the expired ones. Sort keys `deadline`, `created_at`,
/// `updated_at`.
#[utoipa::path(
    operation_id = "list_job_postings",
    tag = "careers",
    params(PageParams, PostingQuery),
    responses((status = 200, description = "One page of postings", body = PageOf<PostingDto>), ListErrors)
)]
#[get("/job-postings")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<PageParams>,
    q: web::Query<PostingQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let filter = PostingFilter {
        college_id: q.college_id,
        unit_id: q.unit_id,
        kind: q.kind,
        include_expired: q.include_expired.unwrap_or(false),
        state: q.state,
        recommended_to_me: q.recommended_to_me.unwrap_or(false),
    };
    let p = repo::list(&state.db, &auth.principal, filter, page.request()?, page.sort.as_deref()).await?;
    Ok(respond::page(&req, PageOf::from_page(p, PostingDto::from)))
}

/// Get a posting.
///
/// For the people of its college and the university; `404` for anyone else.
#[utoipa::path(
    operation_id = "get_job_posting",
    tag = "careers",
    params(("id" = Uuid, Path, description = "Posting id")),
    responses((status = 200, description = "The posting", body = PostingDto, headers(("ETag" = String))), ReadErrors)
)]
#[get("/job-postings/{id}")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    Ok(tagged(repo::get(&state.db, &auth.principal, *id).await?))
}

/// Change a posting (its author, the college's admin, the university).
///
/// Only while `active` (409 `invalid_transition` once withdrawn). Send the `ETag` last read as
/// `If-Match` to change only that version.
#[utoipa::path(
    operation_id = "update_job_posting",
    tag = "careers",
    params(("id" = Uuid, Path, description = "Posting id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = UpdatePostingRequest,
    responses((status = 200, description = "Changed", body = PostingDto, headers(("ETag" = String))), WriteErrors)
)]
#[patch("/job-postings/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdatePostingRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let changes = PostingInput {
        title: b.title.as_deref(),
        employer: b.employer.as_deref(),
        city: b.city.as_deref(),
        kind: b.kind,
        link: b.link.as_deref(),
        deadline: b.deadline,
        unit_ids: b.unit_ids.as_deref(),
        description: b.description.as_deref().map(Some),
    };
    Ok(tagged(repo::update(&state.db, &auth.principal, *id, changes, if_match.0).await?))
}

/// Withdraw a posting (its author, the college's admin, the university).
///
/// It leaves every list but `state=withdrawn`. 409 `invalid_transition` when withdrawn already.
#[utoipa::path(
    operation_id = "withdraw_job_posting",
    tag = "careers",
    params(("id" = Uuid, Path, description = "Posting id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 200, description = "Withdrawn", body = PostingDto, headers(("ETag" = String))), DeleteErrors)
)]
#[post("/job-postings/{id}/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    Ok(tagged(repo::withdraw(&state.db, &auth.principal, *id, if_match.0).await?))
}

/// Recommend a posting to students (a serving mentor of its college).
///
/// To named students of the posting's college (another college's answers like an unknown id, 422
/// `invalid_reference`); each student is recommended a posting once (`already` lists those who
/// were). They find it with `GET /job-postings?recommended_to_me=true`. 409 `posting_expired`
/// after the deadline, `invalid_transition` when withdrawn. In the same transaction the mentor's
/// work-record book gets a `career_help` entry (10 minutes, duty `career`) naming the mentor's
/// mentees among those recommended now (`work_record_id`).
#[utoipa::path(
    operation_id = "recommend_job_posting",
    tag = "careers",
    params(("id" = Uuid, Path, description = "Posting id")),
    request_body = PostingRecommendRequest,
    responses((status = 200, description = "Recommended", body = RecommendationDto), ActionErrors)
)]
#[post("/job-postings/{id}/recommend")]
pub async fn recommend(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<PostingRecommendRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let r = repo::recommend(&state.db, &auth.principal, *id, &b.student_ids, b.note.as_deref()).await?;
    Ok(respond::ok(&RecommendationDto::from(r)))
}

// The bounds the schema declares are the domain's.
const _: () = assert!(
    domain::career::MAX_TITLE_CHARS == 100
        && domain::career::MAX_CITY_CHARS == 50
        && domain::career::MAX_LINK_CHARS == 500
        && domain::career::MAX_DESCRIPTION_CHARS == 2000
        && domain::career::MAX_UNITS == 20
        && domain::career::MAX_RECOMMENDED == 50
);
