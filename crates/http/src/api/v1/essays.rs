//! `/essays` (《研究生党员学长经验谈》, 四.5): members of the mentors' club write essays on their
//! experience; the university (the editor) accepts them or returns them with comments. The
//! anthology of the accepted ones is `GET /academic-years/{id}/anthology`.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use domain::essay::{EssayState, EssayText, EssayTheme, MAX_BODY_CHARS, MAX_COMMENT_CHARS, MAX_TITLE_CHARS};
use persistence::usecases::essays::{self as repo, EssayChange, EssayFilter, EssayView, NewEssay};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::common::PageParams;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json};
use crate::openapi::{CreateErrors, DeleteErrors, ListErrors, ReadErrors, WriteErrors};
use crate::respond::{self, PageOf, created, ok_tagged};
use crate::state::AppState;

/// A new essay (a draft).
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "做学弟学妹科研路上的引路人", "body": "## 第一次组会\n\n去年九月，我第一次……",
    "theme": "research", "academic_year_id": "0193a4e1-7c2b-7abc-8def-0123456789a0"}))]
pub struct CreateEssayRequest {
    /// The title, one line of 1–100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub title: String,
    /// The essay in Markdown, 1–20,000 characters. Kept as written; made safe when rendered (raw
    /// HTML and scripts never reach a reader's browser).
    #[schema(min_length = 1, max_length = 20000)]
    pub body: String,
    /// What it is about.
    pub theme: EssayTheme,
    /// The academic year (the edition of the anthology) it is written for.
    pub academic_year_id: Uuid,
    /// An accepted essay of yours that this one revises (an accepted essay never changes; a
    /// revision is a new essay). At most one essay revises another.
    pub revises: Option<Uuid>,
}

/// A change of a draft or returned essay: the fields given.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"body": "## 第一次组会\n\n（按编辑意见补充了两个例子）去年九月……"}))]
pub struct UpdateEssayRequest {
    /// A new title, one line of 1–100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub title: Option<String>,
    /// A new body, Markdown, 1–20,000 characters.
    #[schema(min_length = 1, max_length = 20000)]
    pub body: Option<String>,
    /// A new theme.
    pub theme: Option<EssayTheme>,
    /// Another academic year.
    pub academic_year_id: Option<Uuid>,
}

/// The editor's acceptance.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"comment": "文字朴实，案例生动，收入本年度文集。"}))]
pub struct AcceptEssayRequest {
    /// A comment for the author, up to 2000 characters (optional).
    #[schema(max_length = 2000)]
    pub comment: Option<String>,
}

/// The editor's return of an essay to its author.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"comment": "请补充一两个具体的帮扶案例，并删去涉及学弟学妹个人信息的内容。"}))]
pub struct ReturnEssayRequest {
    /// What the author should change, 1–2000 characters (required).
    #[schema(min_length = 1, max_length = 2000)]
    pub comment: String,
}

/// An essay.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a4e1-7c2b-7abc-8def-0123456789b0", "author_id": "0193a4e1-7c2b-7abc-8def-0123456789ae",
    "author_name": "李明", "college_id": "0193a4e1-7c2b-7abc-8def-0123456789a1", "college_name": "计算机学院",
    "unit_id": "0193a4e1-7c2b-7abc-8def-0123456789a2", "unit_name": "视觉实验室",
    "academic_year_id": "0193a4e1-7c2b-7abc-8def-0123456789a0", "academic_year": "2025-2026",
    "title": "做学弟学妹科研路上的引路人", "body": "## 第一次组会\n\n去年九月，我第一次……", "theme": "research",
    "state": "returned", "revises": null, "editor_comment": "请补充一两个具体的帮扶案例。",
    "submitted_at": "2026-05-20T02:00:00Z", "decided_at": "2026-05-28T06:30:00Z",
    "decided_by": "0193a4e1-7c2b-7abc-8def-0123456789c0", "version": 3,
    "created_at": "2026-05-18T12:00:00Z", "updated_at": "2026-05-28T06:30:00Z"
}))]
pub struct EssayDto {
    /// Id.
    pub id: Uuid,
    /// The author (a student id).
    pub author_id: Uuid,
    /// The author's name.
    pub author_name: String,
    /// The author's college when they started it (their latest appointment's).
    pub college_id: Uuid,
    /// Its name.
    pub college_name: String,
    /// The unit of the author's latest appointment when they started it.
    pub unit_id: Uuid,
    /// Its name.
    pub unit_name: String,
    /// The academic year (edition) it is written for.
    pub academic_year_id: Uuid,
    /// Its code.
    pub academic_year: String,
    /// The title.
    pub title: String,
    /// The body, Markdown as written.
    pub body: String,
    /// What it is about.
    pub theme: EssayTheme,
    /// `draft → submitted → accepted | returned`; a returned essay is edited and submitted again.
    pub state: EssayState,
    /// The accepted essay this one revises.
    pub revises: Option<Uuid>,
    /// The editor's comment on the last decision (required on a return).
    pub editor_comment: Option<String>,
    /// When it was last submitted.
    pub submitted_at: Option<DateTime<Utc>>,
    /// When the editor last decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// Who decided (a user id).
    pub decided_by: Option<Uuid>,
    /// Version (the `ETag`).
    pub version: i32,
    /// Started.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<EssayView> for EssayDto {
    fn from(v: EssayView) -> Self {
        let e = v.essay;
        Self {
            id: e.id,
            author_id: e.author_id,
            author_name: v.author_name,
            college_id: e.college_id,
            college_name: v.college_name,
            unit_id: e.unit_id,
            unit_name: v.unit_name,
            academic_year_id: e.academic_year_id,
            academic_year: v.academic_year,
            title: e.title,
            body: e.body,
            theme: e.theme,
            state: e.state,
            revises: e.revises,
            editor_comment: e.editor_comment,
            submitted_at: e.submitted_at,
            decided_at: e.decided_at,
            decided_by: e.decided_by,
            version: e.version,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

/// Filters of the essay list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EssayQuery {
    /// Only this state.
    pub state: Option<EssayState>,
    /// Only this theme.
    pub theme: Option<EssayTheme>,
    /// Only those written for this academic year.
    pub academic_year_id: Option<Uuid>,
    /// Only this college's.
    pub college_id: Option<Uuid>,
    /// Only this author's (a student id).
    pub author_id: Option<Uuid>,
}

fn tagged(v: EssayView) -> HttpResponse {
    let version = v.essay.version;
    ok_tagged(&EssayDto::from(v), version)
}

/// Start an essay (a member of the club).
///
/// A draft, seen by its author alone until submitted. Members of the mentors' club write —
/// appointed mentors, serving or alumni (`403` for anyone else, also a member who left). The
/// college and unit it is printed with are those of the author's latest appointment. 422 for a
/// bad title or body (a NUL or other control character, too long), an unknown theme or academic
/// year, or a `revises` that is not an accepted essay of yours; 409 `duplicate` when another
/// essay revises it already.
#[utoipa::path(
    operation_id = "create_essay",
    tag = "club",
    request_body = CreateEssayRequest,
    responses(
        (status = 201, description = "Started", body = EssayDto, headers(("Location" = String), ("ETag" = String))),
        CreateErrors
    )
)]
#[post("/essays")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<CreateEssayRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let input = NewEssay {
        text: EssayText::parse(&b.title, &b.body)?,
        theme: b.theme,
        academic_year_id: b.academic_year_id,
        revises: b.revises,
    };
    let v = repo::create(&state.db, &auth.principal, input).await?;
    let version = v.essay.version;
    Ok(created(format!("/api/v1/essays/{}", v.essay.id), &EssayDto::from(v), version))
}

/// List the essays the caller sees.
///
/// An author their own (drafts included); the university every essay once submitted; a college's
/// admins and counselors their college's once submitted; anyone else none. Newest first; sort keys
/// `created_at`, `updated_at`, `submitted_at`.
#[utoipa::path(
    operation_id = "list_essays",
    tag = "club",
    params(PageParams, EssayQuery),
    responses((status = 200, description = "One page of essays", body = PageOf<EssayDto>), ListErrors)
)]
#[get("/essays")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<PageParams>,
    q: web::Query<EssayQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let filter = EssayFilter {
        state: q.state,
        theme: q.theme,
        academic_year_id: q.academic_year_id,
        college_id: q.college_id,
        author_id: q.author_id,
    };
    let p = repo::list(&state.db, &auth.principal, filter, page.request()?, page.sort.as_deref()).await?;
    Ok(respond::page(&req, PageOf::from_page(p, EssayDto::from)))
}

/// Get an essay.
///
/// For its author; once submitted, for the university and the admins and counselors of the
/// author's college. `404` for anyone else.
#[utoipa::path(
    operation_id = "get_essay",
    tag = "club",
    params(("id" = Uuid, Path, description = "Essay id")),
    responses((status = 200, description = "The essay", body = EssayDto, headers(("ETag" = String))), ReadErrors)
)]
#[get("/essays/{id}")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    Ok(tagged(repo::get(&state.db, &auth.principal, *id).await?))
}

/// Change a draft or returned essay (its author).
///
/// The fields given; every bad one is named in one 422. 409 `invalid_transition` once submitted
/// or accepted (an accepted essay is final: write a revision with `revises`); `403` for anyone but
/// the author.
#[utoipa::path(
    operation_id = "update_essay",
    tag = "club",
    params(("id" = Uuid, Path, description = "Essay id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = UpdateEssayRequest,
    responses((status = 200, description = "Changed", body = EssayDto, headers(("ETag" = String))), WriteErrors)
)]
#[patch("/essays/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateEssayRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let change = EssayChange { title: b.title, body: b.body, theme: b.theme, academic_year_id: b.academic_year_id };
    Ok(tagged(repo::update(&state.db, &auth.principal, *id, change, if_match.0).await?))
}

/// Submit an essay to the editor (its author; `draft | returned → submitted`).
///
/// While the author is a member of the club. 409 `invalid_transition` unless a draft or returned.
/// The change feed says `essay.submitted` (ids, theme and state only).
#[utoipa::path(
    operation_id = "submit_essay",
    tag = "club",
    params(("id" = Uuid, Path, description = "Essay id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 200, description = "Submitted", body = EssayDto, headers(("ETag" = String))), DeleteErrors)
)]
#[post("/essays/{id}/submit")]
pub async fn submit(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    Ok(tagged(repo::submit(&state.db, &auth.principal, *id, if_match.0).await?))
}

/// Accept a submitted essay for the anthology (a university admin; `submitted → accepted`).
///
/// Final: the essay no longer changes and goes into the anthology of its academic year. 409
/// `invalid_transition` unless submitted; `403` for anyone but a university admin.
#[utoipa::path(
    operation_id = "accept_essay",
    tag = "club",
    params(("id" = Uuid, Path, description = "Essay id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = AcceptEssayRequest,
    responses((status = 200, description = "Accepted", body = EssayDto, headers(("ETag" = String))), WriteErrors)
)]
#[post("/essays/{id}/accept")]
pub async fn accept(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<AcceptEssayRequest>,
) -> Result<HttpResponse, ApiError> {
    let comment = body.into_inner().comment;
    Ok(tagged(repo::decide(&state.db, &auth.principal, *id, true, comment.as_deref(), if_match.0).await?))
}

/// Return a submitted essay to its author with comments (a university admin).
///
/// `submitted → returned`. The comment is required. The author edits it and submits it again; a
/// returned essay is not in the anthology. 409 `invalid_transition` unless submitted.
#[utoipa::path(
    operation_id = "return_essay",
    tag = "club",
    params(("id" = Uuid, Path, description = "Essay id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = ReturnEssayRequest,
    responses((status = 200, description = "Returned", body = EssayDto, headers(("ETag" = String))), WriteErrors)
)]
#[post("/essays/{id}/return")]
pub async fn return_to_author(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<ReturnEssayRequest>,
) -> Result<HttpResponse, ApiError> {
    let comment = body.into_inner().comment;
    Ok(tagged(repo::decide(&state.db, &auth.principal, *id, false, Some(&comment), if_match.0).await?))
}

// The bounds the schema declares are the domain's.
const _: () = assert!(MAX_TITLE_CHARS == 100 && MAX_BODY_CHARS == 20_000 && MAX_COMMENT_CHARS == 2000);
