//! Colleges' best-practice cases (优秀案例, issue 17): a college admin writes a case for their
//! college — title, summary, a Markdown body, the college's activities it draws on, notes on its
//! data, PDF and image attachments — and submits it; a university admin accepts it or returns it
//! with comments, and features accepted ones, which the college-assessment report then lists.
//!
//! States `draft → submitted → accepted | returned`, a returned case edited and submitted again;
//! `featured` is a flag on an accepted case. The rules are `domain::best_case`.
//!
//! An attachment is the raw request body (`curl --data-binary @file.pdf`), at most 10 MiB, its
//! name in the `file_name` query parameter; what it is comes from its bytes, not its name or
//! `Content-Type`.

use actix_web::http::header::{self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use domain::best_case::{self, AttachmentInfo, BestCase, CaseAction, CaseInput, CaseState};
use persistence::usecases::cases::{self as repo, CaseFilter, NewAttachment};
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::common::PageParams;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json, read_body};
use crate::openapi::{CreateErrors, DeleteErrors, ListErrors, ReadErrors, UploadErrors, WriteErrors};
use crate::respond::{self, PageOf, created, ok_tagged};
use crate::state::AppState;

/// At most this many image attachments are decoded at once (each decode may use up to
/// `domain::best_case::MAX_IMAGE_ALLOC`).
static CHECKING: Semaphore = Semaphore::const_new(2);

/// A new case, for the caller's own college.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "“学长领航”新生适应计划", "summary": "以实验室为单位结对，开学一个月内完成全覆盖。",
    "body": "## 做法\n\n1. 开学第一周召开新生见面会……\n2. 每月一次“我与学长聊科研”沙龙……\n\n## 成效\n\n新生结对率 100%。",
    "academic_year_id": "0193a4e1-7c2b-7abc-8def-0123456789ab", "activity_ids": ["0193a4e1-7c2b-7abc-8def-0123456789ac"],
    "data_notes": "结对数据取自系统 2026-10-31 的报表。"}))]
pub struct CreateCaseRequest {
    /// Title, 1–100 characters, one line.
    #[schema(min_length = 1, max_length = 100)]
    pub title: String,
    /// A short summary, 1–500 characters.
    #[schema(min_length = 1, max_length = 500)]
    pub summary: String,
    /// The case itself, Markdown, 1–20000 characters (rendered by the reader; stored as written).
    #[schema(min_length = 1, max_length = 20000)]
    pub body: String,
    /// The academic year it belongs to.
    pub academic_year_id: Uuid,
    /// The college's activities it draws on, at most 20, each once (another college's, a
    /// university-wide one or an unknown id: 422 `invalid_reference`).
    #[schema(max_items = 20)]
    pub activity_ids: Option<Vec<Uuid>>,
    /// Notes on the data it draws on (sources, dates), at most 2000 characters.
    #[schema(max_length = 2000)]
    pub data_notes: Option<String>,
}

/// Changes to a draft or returned case; what is left out stays.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"summary": "以实验室为单位结对，开学两周内完成全覆盖。", "data_notes": ""}))]
pub struct UpdateCaseRequest {
    /// Title, 1–100 characters, one line.
    #[schema(min_length = 1, max_length = 100)]
    pub title: Option<String>,
    /// Summary, 1–500 characters.
    #[schema(min_length = 1, max_length = 500)]
    pub summary: Option<String>,
    /// Body, Markdown, 1–20000 characters.
    #[schema(min_length = 1, max_length = 20000)]
    pub body: Option<String>,
    /// The academic year.
    pub academic_year_id: Option<Uuid>,
    /// The college's activities it draws on (replaces the list; `[]`: none).
    #[schema(max_items = 20)]
    pub activity_ids: Option<Vec<Uuid>>,
    /// Data notes (an empty text clears them).
    #[schema(max_length = 2000)]
    pub data_notes: Option<String>,
}

/// The university's word on accepting a case.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"comments": "数据翔实，经验可推广。"}))]
pub struct CaseReviewRequest {
    /// Comments to the college, optional, at most 2000 characters.
    #[schema(max_length = 2000)]
    pub comments: Option<String>,
}

/// The comments a returned case goes back with.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"comments": "请补充新生满意度调查的数据来源。"}))]
pub struct CaseReturnRequest {
    /// What the college should change, 1–2000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub comments: String,
}

/// An attachment's metadata; its bytes are at `url`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseAttachmentDto {
    /// Id.
    pub id: Uuid,
    /// The file name given at upload (without any directory).
    #[schema(example = "新生适应计划总结.pdf")]
    pub file_name: String,
    /// What the bytes are: `application/pdf`, `image/jpeg`, `image/png` or `image/webp`.
    #[schema(example = "application/pdf")]
    pub media_type: String,
    /// Size in bytes.
    pub byte_size: u32,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// Where the bytes are served.
    pub url: String,
    /// Uploaded.
    pub created_at: DateTime<Utc>,
}

fn attachment_dto(case_id: Uuid, a: AttachmentInfo) -> CaseAttachmentDto {
    CaseAttachmentDto {
        url: format!("/api/v1/cases/{case_id}/attachments/{}", a.id),
        id: a.id,
        file_name: a.file_name,
        media_type: a.media_type,
        byte_size: a.byte_size,
        sha256: a.sha256,
        created_at: a.created_at,
    }
}

/// A best-practice case.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDto {
    /// Id.
    pub id: Uuid,
    /// The college whose case it is.
    pub college_id: Uuid,
    /// The academic year.
    pub academic_year_id: Uuid,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// The case, Markdown as written (a reader renders and sanitises it).
    pub body: String,
    /// The college's activities it draws on.
    pub activity_ids: Vec<Uuid>,
    /// Notes on its data.
    pub data_notes: Option<String>,
    /// `draft`, `submitted`, `accepted` or `returned`.
    pub state: CaseState,
    /// Whether the university features it (only an accepted case is); featured cases are listed
    /// in the college-assessment report.
    pub featured: bool,
    /// The university's comments at the last accept or return.
    pub review_comments: Option<String>,
    /// The college admin who wrote it (a user id).
    pub author_id: Uuid,
    /// Last submitted.
    pub submitted_at: Option<DateTime<Utc>>,
    /// Last accepted or returned.
    pub reviewed_at: Option<DateTime<Utc>>,
    /// Attachments, oldest first.
    pub attachments: Vec<CaseAttachmentDto>,
    /// Version (the `ETag`).
    pub version: i32,
    /// Written.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<BestCase> for CaseDto {
    fn from(c: BestCase) -> Self {
        let id = c.id;
        Self {
            id,
            college_id: c.college_id,
            academic_year_id: c.fields.academic_year_id,
            title: c.fields.title,
            summary: c.fields.summary,
            body: c.fields.body,
            activity_ids: c.fields.activity_ids,
            data_notes: c.fields.data_notes,
            state: c.state,
            featured: c.featured,
            review_comments: c.review_comments,
            author_id: c.author_id,
            submitted_at: c.submitted_at,
            reviewed_at: c.reviewed_at,
            attachments: c.attachments.into_iter().map(|a| attachment_dto(id, a)).collect(),
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// Filters of the case list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// Only this college's.
    pub college_id: Option<Uuid>,
    /// Only this academic year's.
    pub academic_year_id: Option<Uuid>,
    /// Only in this state.
    pub state: Option<CaseState>,
    /// `true`: only featured cases; `false`: only those not featured.
    pub featured: Option<bool>,
}

/// Where an attachment's name comes from.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AttachmentQuery {
    /// The file's name, at most 200 characters (any directory is dropped); without it
    /// `attachment.pdf`, `.jpg`, `.png` or `.webp` after what the bytes are.
    pub file_name: Option<String>,
}

fn tagged(c: BestCase) -> HttpResponse {
    let v = c.version;
    ok_tagged(&CaseDto::from(c), v)
}

/// Write a best-practice case (a college admin, for their own college).
///
/// It starts as a `draft` only the college sees. The activities must be the college's (another
/// college's, a university-wide one or an unknown id: 422 `invalid_reference`), as must the
/// academic year exist. Counselors, the university and everyone else get a 403.
#[utoipa::path(
    operation_id = "create_case",
    tag = "cases",
    request_body = CreateCaseRequest,
    responses(
        (status = 201, description = "Written, as a draft", body = CaseDto, headers(("Location" = String), ("ETag" = String))),
        CreateErrors
    )
)]
#[post("/cases")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<CreateCaseRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let activities = b.activity_ids.unwrap_or_default();
    let input = CaseInput {
        title: Some(&b.title),
        summary: Some(&b.summary),
        body: Some(&b.body),
        academic_year_id: Some(b.academic_year_id),
        activity_ids: Some(&activities),
        data_notes: Some(b.data_notes.as_deref()),
    };
    let c = repo::create(&state.db, &auth.principal, input).await?;
    let v = c.version;
    Ok(created(format!("/api/v1/cases/{}", c.id), &CaseDto::from(c), v))
}

/// List the cases the caller reads.
///
/// A college admin or counselor: every case of their college, and the accepted cases of every
/// college; a university admin: every case once submitted (never a draft). Students, supervisors
/// and service clients get a 403. Sort keys `created_at`, `updated_at` (default `-updated_at`),
/// `submitted_at`.
#[utoipa::path(
    operation_id = "list_cases",
    tag = "cases",
    params(PageParams, CaseQuery),
    responses((status = 200, description = "One page of cases", body = PageOf<CaseDto>), ListErrors)
)]
#[get("/cases")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<PageParams>,
    q: web::Query<CaseQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let filter = CaseFilter {
        college_id: q.college_id,
        academic_year_id: q.academic_year_id,
        state: q.state,
        featured: q.featured,
    };
    let p = repo::list(&state.db, &auth.principal, filter, page.request()?, page.sort.as_deref()).await?;
    Ok(respond::page(&req, PageOf::from_page(p, CaseDto::from)))
}

/// Get a case.
///
/// For those who read it (see the list); `404` for a case the caller may not read (another
/// college's draft, say), `403` for roles that read no case.
#[utoipa::path(
    operation_id = "get_case",
    tag = "cases",
    params(("id" = Uuid, Path, description = "Case id")),
    responses((status = 200, description = "The case", body = CaseDto, headers(("ETag" = String))), ReadErrors)
)]
#[get("/cases/{id}")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    Ok(tagged(repo::get(&state.db, &auth.principal, *id).await?))
}

/// Change a draft or returned case (an admin of its college).
///
/// 409 `invalid_transition` once submitted or accepted. Send the `ETag` last read as `If-Match` to
/// change only that version (412 `precondition_failed` otherwise).
#[utoipa::path(
    operation_id = "update_case",
    tag = "cases",
    params(("id" = Uuid, Path, description = "Case id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = UpdateCaseRequest,
    responses((status = 200, description = "Changed", body = CaseDto, headers(("ETag" = String))), WriteErrors)
)]
#[patch("/cases/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateCaseRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let changes = CaseInput {
        title: b.title.as_deref(),
        summary: b.summary.as_deref(),
        body: b.body.as_deref(),
        academic_year_id: b.academic_year_id,
        activity_ids: b.activity_ids.as_deref(),
        data_notes: b.data_notes.as_deref().map(Some),
    };
    Ok(tagged(repo::update(&state.db, &auth.principal, *id, changes, if_match.0).await?))
}

/// Submit a case to the university (an admin of its college).
///
/// From `draft` or `returned`; 409 `invalid_transition` otherwise.
#[utoipa::path(
    operation_id = "submit_case",
    tag = "cases",
    params(("id" = Uuid, Path, description = "Case id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 200, description = "Submitted", body = CaseDto, headers(("ETag" = String))), DeleteErrors)
)]
#[post("/cases/{id}/submit")]
pub async fn submit(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    Ok(tagged(repo::transition(&state.db, &auth.principal, *id, CaseAction::Submit, None, if_match.0).await?))
}

/// Accept a submitted case (a university admin), with optional comments.
///
/// Every college's admins and counselors read it from then on. 409 `invalid_transition` unless
/// `submitted`.
#[utoipa::path(
    operation_id = "accept_case",
    tag = "cases",
    params(("id" = Uuid, Path, description = "Case id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = CaseReviewRequest,
    responses((status = 200, description = "Accepted", body = CaseDto, headers(("ETag" = String))), WriteErrors)
)]
#[post("/cases/{id}/accept")]
pub async fn accept(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<CaseReviewRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let c = repo::transition(&state.db, &auth.principal, *id, CaseAction::Accept, b.comments.as_deref(), if_match.0)
        .await?;
    Ok(tagged(c))
}

/// Return a submitted case to its college with comments (a university admin).
///
/// `comments` is required (422 `required`). The college edits it and submits it again. 409
/// `invalid_transition` unless `submitted`.
#[utoipa::path(
    operation_id = "return_case",
    tag = "cases",
    params(("id" = Uuid, Path, description = "Case id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = CaseReturnRequest,
    responses((status = 200, description = "Returned", body = CaseDto, headers(("ETag" = String))), WriteErrors)
)]
#[post("/cases/{id}/return")]
pub async fn return_case(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<CaseReturnRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let c =
        repo::transition(&state.db, &auth.principal, *id, CaseAction::Return, Some(&b.comments), if_match.0).await?;
    Ok(tagged(c))
}

/// Feature an accepted case (a university admin).
///
/// It is listed in the college-assessment report's `featured_cases` for its year. 409
/// `invalid_transition` unless accepted and not featured.
#[utoipa::path(
    operation_id = "feature_case",
    tag = "cases",
    params(("id" = Uuid, Path, description = "Case id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 200, description = "Featured", body = CaseDto, headers(("ETag" = String))), DeleteErrors)
)]
#[post("/cases/{id}/feature")]
pub async fn feature(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    Ok(tagged(repo::transition(&state.db, &auth.principal, *id, CaseAction::Feature, None, if_match.0).await?))
}

/// Stop featuring a case (a university admin).
///
/// It stays accepted. 409 `invalid_transition` unless featured.
#[utoipa::path(
    operation_id = "unfeature_case",
    tag = "cases",
    params(("id" = Uuid, Path, description = "Case id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 200, description = "No longer featured", body = CaseDto, headers(("ETag" = String))), DeleteErrors)
)]
#[post("/cases/{id}/unfeature")]
pub async fn unfeature(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    Ok(tagged(repo::transition(&state.db, &auth.principal, *id, CaseAction::Unfeature, None, if_match.0).await?))
}

/// A file attached to a case: a PDF, or a JPEG, PNG or WebP image.
#[derive(Debug, ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)] // Documents the body.
pub struct CaseFile(Vec<u8>);

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Persistence(persistence::Error::Internal(format!("checking an attachment: {e}")))
}

/// Attach a PDF or an image to a draft or returned case (an admin of its college).
///
/// The body is the file itself, at most 10 MiB (413 beyond), with any `Content-Type` (the bytes
/// decide); its name in `file_name`. Only a PDF (`%PDF-` header and a `startxref … %%EOF` trailer)
/// or a JPEG, PNG or WebP image that decodes in full (at most 8192 px a side) is kept, byte for
/// byte: anything else — HTML, a ZIP, an executable, a text file named `x.pdf` — is 422
/// `unsupported_attachment` on `file`, a damaged or cut-short one `unreadable_attachment`. At most
/// 10 attachments per case (422 `too_many`). 409 `invalid_transition` once submitted or accepted.
/// `If-Match` (the case's `ETag`) is honoured like on `PATCH`. Answers the case (its version goes
/// up) with `Location` naming the attachment.
#[utoipa::path(
    operation_id = "attach_case_file",
    tag = "cases",
    params(("id" = Uuid, Path, description = "Case id"), AttachmentQuery,
        ("If-Match" = Option<String>, Header, description = "The case's ETag last read")),
    request_body(
        description = "The file, as it is (at most 10 MiB): a PDF, or a JPEG, PNG or WebP image.",
        content((CaseFile = "application/octet-stream"))
    ),
    responses(
        (status = 201, description = "Attached", body = CaseDto, headers(("Location" = String), ("ETag" = String))),
        (status = 412, response = crate::openapi::PreconditionFailed),
        UploadErrors
    )
)]
#[post("/cases/{id}/attachments")]
pub async fn attach(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    q: web::Query<AttachmentQuery>,
    if_match: IfMatch,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > best_case::MAX_ATTACHMENT_BYTES as u64) {
        return Err(ApiError::PayloadTooLarge { limit: best_case::MAX_ATTACHMENT_BYTES });
    }
    // Nobody who may not attach a file here makes the server read or decode one.
    repo::may_attach(&state.db, &auth.principal, *id).await?;
    let bytes = read_body(payload.into_inner(), best_case::MAX_ATTACHMENT_BYTES).await?;
    let permit = CHECKING.acquire().await.map_err(internal)?;
    let (bytes, kind) = web::block(move || {
        let kind = best_case::inspect_attachment(&bytes);
        (bytes, kind)
    })
    .await
    .map_err(internal)?;
    drop(permit);
    let kind = kind?;
    let file_name = best_case::parse_file_name(q.file_name.as_deref(), kind)
        .map_err(|e| ApiError::from(domain::Error::Validation(vec![e])))?;
    let file = NewAttachment { kind, file_name, content: bytes.to_vec() };
    let (c, attachment_id) = repo::attach(&state.db, &auth.principal, *id, file, if_match.0).await?;
    let v = c.version;
    Ok(created(format!("/api/v1/cases/{}/attachments/{attachment_id}", c.id), &CaseDto::from(c), v))
}

/// An attachment of a case, byte for byte as uploaded.
///
/// For those who read the case. Served with its media type, `Content-Disposition: attachment`
/// (the browser saves it rather than showing it) and `X-Content-Type-Options: nosniff`.
#[utoipa::path(
    operation_id = "get_case_attachment",
    tag = "cases",
    params(("id" = Uuid, Path, description = "Case id"), ("attachment_id" = Uuid, Path, description = "Attachment id")),
    responses(
        (status = 200, description = "The file", content(
            (CaseFile = "application/pdf"), (CaseFile = "image/jpeg"), (CaseFile = "image/png"), (CaseFile = "image/webp")
        ), headers(("Content-Disposition" = String), ("X-Content-Type-Options" = String), ("ETag" = String))),
        ReadErrors
    )
)]
#[get("/cases/{id}/attachments/{attachment_id}")]
pub async fn get_attachment(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, attachment_id) = path.into_inner();
    let f = repo::attachment(&state.db, &auth.principal, id, attachment_id).await?;
    // An ASCII fallback name for old clients, the real one (UTF-8) in `filename*`.
    let ascii: String = f
        .file_name
        .chars()
        .map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' })
        .collect();
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(ascii),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".to_owned()),
                language_tag: None,
                value: f.file_name.into_bytes(),
            }),
        ],
    };
    Ok(HttpResponse::Ok()
        .content_type(f.media_type)
        .insert_header(disposition)
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .insert_header((header::ETAG, format!("\"{}\"", f.sha256.get(..32).unwrap_or(&f.sha256))))
        .body(f.content))
}

/// Remove an attachment of a draft or returned case (an admin of its college).
///
/// 409 `invalid_transition` once submitted or accepted. Send the case's `ETag` last read as
/// `If-Match` to change only that version (412 otherwise); the case's version goes up.
#[utoipa::path(
    operation_id = "delete_case_attachment",
    tag = "cases",
    params(("id" = Uuid, Path, description = "Case id"), ("attachment_id" = Uuid, Path, description = "Attachment id"),
        ("If-Match" = Option<String>, Header, description = "The case's ETag last read")),
    responses((status = 204, description = "Removed"), DeleteErrors)
)]
#[delete("/cases/{id}/attachments/{attachment_id}")]
pub async fn delete_attachment(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(Uuid, Uuid)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (id, attachment_id) = path.into_inner();
    repo::detach(&state.db, &auth.principal, id, attachment_id, if_match.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

// The bounds the schema declares are the domain's.
const _: () = assert!(
    best_case::MAX_TITLE_CHARS == 100
        && best_case::MAX_SUMMARY_CHARS == 500
        && best_case::MAX_BODY_CHARS == 20_000
        && best_case::MAX_NOTES_CHARS == 2000
        && best_case::MAX_ACTIVITIES == 20
        && best_case::MAX_ATTACHMENTS == 10
        && best_case::MAX_ATTACHMENT_BYTES == 10 * 1024 * 1024
        && best_case::MAX_FILE_NAME_CHARS == 200
        && best_case::MAX_IMAGE_SIDE == 8192
);
