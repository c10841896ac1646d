//! Inquiries to listed mentors (报考咨询, 学业咨询, 科研合作邀请): sent from the public directory or
//! signed in; the mentor's inbox, reply, close and spam; the sender reads the reply with the reading
//! token or in their own list; a college's admins see counts only.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use domain::inquiry::{
    Inquiry, InquiryAction, InquiryKind, InquiryState, MAX_MESSAGE_CHARS, MAX_NAME_CHARS, MAX_SUBJECT_CHARS, NewInquiry,
};
use persistence::usecases::directory::{self as repo, Mailbox};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::common::PageParams;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json};
use crate::openapi::{
    ActionErrors, BadRequest, ListErrors, NotFound, ReadErrors, TooManyRequests, Unprocessable, UnsupportedMediaType,
};
use crate::respond::{self, PageOf, created, ok_tagged};
use crate::state::AppState;

/// An inquiry sent from the public directory (no account).
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "王同学", "email": "wang@example.com", "kind": "admission",
    "subject": "报考计算机视觉方向", "message": "学长好，想了解课题组的招生情况。"}))]
pub struct PublicInquiryRequest {
    /// The sender's name, 1–50 characters.
    #[schema(min_length = 1, max_length = 50)]
    pub name: String,
    /// An e-mail for the record (the reply is read with the token; the mentor may write to it).
    #[schema(max_length = 254)]
    pub email: Option<String>,
    /// What it is about.
    pub kind: InquiryKind,
    /// Subject, 1–100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub subject: String,
    /// Message, 1–2000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub message: String,
    /// Leave empty: a form hides this field from people, and only robots fill it in. A filled-in
    /// one is answered like any other and dropped, whatever its length.
    pub website: Option<String>,
}

/// What the sender of a public inquiry gets back: the reading token, shown only this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct InquiryReceipt {
    /// The inquiry.
    pub id: Uuid,
    /// The reading token: `GET /api/v1/public/inquiries/{token}` shows the inquiry and the reply.
    /// Keep it; it is not shown again and cannot be recovered.
    pub token: String,
    /// `open`.
    pub state: InquiryState,
}

/// An inquiry sent by a signed-in user.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"mentor_id": "0193a4e1-7c2b-7abc-8def-0123456789ab", "kind": "study",
    "subject": "请教开题", "message": "学长好，想请教开题报告的写法。"}))]
pub struct InquiryRequest {
    /// The mentor's id in the directory.
    pub mentor_id: Uuid,
    /// What it is about.
    pub kind: InquiryKind,
    /// Subject, 1–100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub subject: String,
    /// Message, 1–2000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub message: String,
}

/// The mentor's reply.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reply": "欢迎报考！课题组每年招收 2 名硕士，可先阅读我们近两年的论文。"}))]
pub struct ReplyRequest {
    /// The reply, 1–2000 characters. It shows nothing of the mentor's contact unless written here.
    #[schema(min_length = 1, max_length = 2000)]
    pub reply: String,
}

/// An empty body.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({}))]
pub struct EmptyRequest {}

/// An inquiry, as its mentor and its signed-in sender see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct InquiryDto {
    /// Id.
    pub id: Uuid,
    /// The mentor's id in the directory.
    pub mentor_id: Uuid,
    /// What it is about.
    pub kind: InquiryKind,
    /// Where it stands.
    pub state: InquiryState,
    /// The sender's name.
    pub sender_name: String,
    /// The sender's e-mail, when given.
    pub sender_email: Option<String>,
    /// Whether a signed-in user sent it (their reply is in their list).
    pub signed_in: bool,
    /// Subject.
    pub subject: String,
    /// Message.
    pub message: String,
    /// The mentor's reply.
    pub reply: Option<String>,
    /// When the mentor replied.
    pub replied_at: Option<DateTime<Utc>>,
    /// Version (the `ETag`).
    pub version: i32,
    /// Sent.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<Inquiry> for InquiryDto {
    fn from(i: Inquiry) -> Self {
        Self {
            id: i.id,
            mentor_id: i.appointment_id,
            kind: i.kind,
            state: i.state,
            sender_name: i.sender_name,
            sender_email: i.sender_email,
            signed_in: i.sender_user_id.is_some(),
            subject: i.subject,
            message: i.message,
            reply: i.reply,
            replied_at: i.replied_at,
            version: i.version,
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}

/// A public inquiry as its sender reads it with the token.
#[derive(Debug, Serialize, ToSchema)]
pub struct SentInquiryDto {
    /// The mentor's name.
    pub mentor_name: String,
    /// What it is about.
    pub kind: InquiryKind,
    /// Where it stands.
    pub state: InquiryState,
    /// Subject.
    pub subject: String,
    /// Message.
    pub message: String,
    /// The mentor's reply.
    pub reply: Option<String>,
    /// When the mentor replied.
    pub replied_at: Option<DateTime<Utc>>,
    /// Sent.
    pub created_at: DateTime<Utc>,
}

/// How many inquiries a college's mentors have, by state.
#[derive(Debug, Serialize, ToSchema)]
pub struct InquiryCountsDto {
    /// The college.
    pub college_id: Uuid,
    /// Waiting for the mentor.
    pub open: u64,
    /// Replied to.
    pub answered: u64,
    /// Closed.
    pub closed: u64,
    /// Marked as spam.
    pub spam: u64,
}

/// Which inquiries to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InquiryQuery {
    /// `received` (default): those sent to the caller as a mentor; `sent`: those the caller sent.
    #[param(inline)]
    pub mailbox: Option<MailboxParam>,
    /// Only this state.
    pub state: Option<InquiryState>,
}

/// Whose inquiries.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MailboxParam {
    /// Sent to the caller as a mentor.
    Received,
    /// Sent by the caller.
    Sent,
}

/// The sender's address, as the rate limit counts it (see [`crate::client_addr`]).
fn client(req: &HttpRequest, state: &AppState) -> String {
    crate::client_addr::client(req, &state.settings.trusted_proxies)
}

/// Ask a listed mentor (报考咨询, 学业咨询, 科研合作邀请).
///
/// No token. The answer holds a reading token, shown only once (only its hash is kept):
/// `GET /api/v1/public/inquiries/{token}` shows the reply. At most 10 sends a minute from one
/// address and 30 an hour to one mentor, counted in the database for every server process:
/// past that, `429` `too_many_attempts` with `Retry-After`. `404` when the mentor is not listed.
#[utoipa::path(
    operation_id = "send_public_inquiry",
    tag = "directory",
    security(()),
    params(("id" = Uuid, Path, description = "The mentor's id in the directory")),
    request_body = PublicInquiryRequest,
    responses(
        (status = 201, description = "Sent", body = InquiryReceipt, headers(("Location" = String))),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyRequests)
    )
)]
#[post("/public/mentors/{id}/inquiries")]
pub async fn send_public(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Json<PublicInquiryRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let input = NewInquiry::parse(b.kind, &b.name, b.email.as_deref(), &b.subject, &b.message)?;
    let (id, token) = if b.website.as_deref().is_some_and(|w| !w.trim().is_empty()) {
        // A robot: the answer looks like any other, and nothing is stored.
        (Uuid::now_v7(), persistence::accounts::random_token())
    } else {
        let (i, token) = repo::send_public(&state.db, &client(&req, &state), *id, input).await?;
        (i.id, token)
    };
    let receipt = InquiryReceipt { id, token: token.clone(), state: InquiryState::Open };
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/public/inquiries/{token}")))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(receipt))
}

/// Read a public inquiry and its reply with the reading token.
///
/// No token but the reading token. `404` for any other token. Never cached.
#[utoipa::path(
    operation_id = "read_public_inquiry",
    tag = "directory",
    security(()),
    params(("token" = String, Path, description = "The reading token of the inquiry")),
    responses(
        (status = 200, description = "The inquiry and the reply", body = SentInquiryDto),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound)
    )
)]
#[get("/public/inquiries/{token}")]
pub async fn read_public(state: web::Data<AppState>, token: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let i = repo::read_by_token(&state.db, &token).await?;
    let mentor_name = repo::mentor_name(&state.db, i.appointment_id).await?;
    let dto = SentInquiryDto {
        mentor_name,
        kind: i.kind,
        state: i.state,
        subject: i.subject,
        message: i.message,
        reply: i.reply,
        replied_at: i.replied_at,
        created_at: i.created_at,
    };
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(dto))
}

/// Ask a listed mentor, signed in.
///
/// For any user of the university (a student of another college, typically); the account's
/// name is the sender's. The reply is in the sender's list (`GET /inquiries?mailbox=sent`). Rate
/// limited like public inquiries (`429` with `Retry-After`).
#[utoipa::path(
    operation_id = "send_inquiry",
    tag = "directory",
    request_body = InquiryRequest,
    responses(
        (status = 201, description = "Sent", body = InquiryDto, headers(("Location" = String), ("ETag" = String))),
        ActionErrors,
        (status = 429, response = TooManyRequests)
    )
)]
#[post("/inquiries")]
pub async fn send(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<InquiryRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let i = repo::send(&state.db, &auth.principal, &client(&req, &state), b.mentor_id, b.kind, &b.subject, &b.message)
        .await?;
    Ok(created(format!("/api/v1/inquiries/{}", i.id), &InquiryDto::from(i.clone()), i.version))
}

/// List the caller's inquiries.
///
/// `mailbox=received` (default): those sent to the caller as a mentor (their inbox);
/// `mailbox=sent`: those the caller sent, with the replies. Sort keys: `created_at` (default,
/// newest first with `-created_at`… the default is newest first), `updated_at`.
#[utoipa::path(
    operation_id = "list_inquiries",
    tag = "directory",
    params(PageParams, InquiryQuery),
    responses((status = 200, description = "One page of inquiries", body = PageOf<InquiryDto>), ListErrors)
)]
#[get("/inquiries")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<PageParams>,
    q: web::Query<InquiryQuery>,
) -> Result<HttpResponse, ApiError> {
    let mailbox = match q.mailbox {
        Some(MailboxParam::Sent) => Mailbox::Sent,
        Some(MailboxParam::Received) | None => Mailbox::Received,
    };
    let p = repo::list(&state.db, &auth.principal, mailbox, q.state, page.request()?, page.sort.as_deref()).await?;
    Ok(respond::page(&req, PageOf::from_page(p, InquiryDto::from)))
}

/// Get an inquiry.
///
/// For its mentor and its signed-in sender; `404` for anyone else, a college admin included
/// (admins see counts: `GET /colleges/{id}/inquiry-counts`).
#[utoipa::path(
    operation_id = "get_inquiry",
    tag = "directory",
    params(("id" = Uuid, Path, description = "Inquiry id")),
    responses((status = 200, description = "The inquiry", body = InquiryDto, headers(("ETag" = String))), ReadErrors)
)]
#[get("/inquiries/{id}")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let i = repo::get(&state.db, &auth.principal, *id).await?;
    Ok(ok_tagged(&InquiryDto::from(i.clone()), i.version))
}

async fn act(
    state: &AppState,
    auth: &Auth,
    id: Uuid,
    action: InquiryAction,
    reply: Option<&str>,
    if_match: Option<i32>,
) -> Result<HttpResponse, ApiError> {
    let i = repo::act(&state.db, &auth.principal, id, action, reply, if_match).await?;
    Ok(ok_tagged(&InquiryDto::from(i.clone()), i.version))
}

/// Reply to an inquiry.
///
/// By the mentor, once, while it is `open` (then it is `answered`; otherwise `409`
/// `invalid_transition`). The sender reads the reply with their token or in their list.
#[utoipa::path(
    operation_id = "reply_inquiry",
    tag = "directory",
    params(("id" = Uuid, Path, description = "Inquiry id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = ReplyRequest,
    responses((status = 200, description = "Answered", body = InquiryDto, headers(("ETag" = String))), ActionErrors,
        (status = 412, response = crate::openapi::PreconditionFailed))
)]
#[post("/inquiries/{id}/reply")]
pub async fn reply_to(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<ReplyRequest>,
) -> Result<HttpResponse, ApiError> {
    act(&state, &auth, *id, InquiryAction::Reply, Some(&body.into_inner().reply), if_match.0).await
}

/// Close an inquiry.
///
/// By the mentor, when it is `open` or `answered`.
#[utoipa::path(
    operation_id = "close_inquiry",
    tag = "directory",
    params(("id" = Uuid, Path, description = "Inquiry id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = EmptyRequest,
    responses((status = 200, description = "Closed", body = InquiryDto, headers(("ETag" = String))), ActionErrors,
        (status = 412, response = crate::openapi::PreconditionFailed))
)]
#[post("/inquiries/{id}/close")]
pub async fn close(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    _body: Json<EmptyRequest>,
) -> Result<HttpResponse, ApiError> {
    act(&state, &auth, *id, InquiryAction::Close, None, if_match.0).await
}

/// Mark an inquiry as spam.
///
/// By the mentor, when it is `open`.
#[utoipa::path(
    operation_id = "mark_inquiry_spam",
    tag = "directory",
    params(("id" = Uuid, Path, description = "Inquiry id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = EmptyRequest,
    responses((status = 200, description = "Marked as spam", body = InquiryDto, headers(("ETag" = String))), ActionErrors,
        (status = 412, response = crate::openapi::PreconditionFailed))
)]
#[post("/inquiries/{id}/spam")]
pub async fn spam(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    _body: Json<EmptyRequest>,
) -> Result<HttpResponse, ApiError> {
    act(&state, &auth, *id, InquiryAction::MarkSpam, None, if_match.0).await
}

/// How many inquiries a college's mentors have, by state.
///
/// For the college's admins and counselors and the university: counts only, never the texts.
#[utoipa::path(
    operation_id = "college_inquiry_counts",
    tag = "directory",
    params(("id" = Uuid, Path, description = "College id")),
    responses((status = 200, description = "The counts", body = InquiryCountsDto), ReadErrors)
)]
#[get("/colleges/{id}/inquiry-counts")]
pub async fn counts(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let c = repo::counts(&state.db, &auth.principal, *id).await?;
    let n = |s: InquiryState| c.iter().find(|(k, _)| *k == s).map_or(0, |(_, n)| *n);
    let dto = InquiryCountsDto {
        college_id: *id,
        open: n(InquiryState::Open),
        answered: n(InquiryState::Answered),
        closed: n(InquiryState::Closed),
        spam: n(InquiryState::Spam),
    };
    Ok(respond::ok(&dto))
}

// The bounds the schema declares are the domain's.
const _: () = assert!(MAX_NAME_CHARS == 50 && MAX_SUBJECT_CHARS == 100 && MAX_MESSAGE_CHARS == 2000);
