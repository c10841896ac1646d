//! `/pairings` (结对子): pairing mentors with mentees by hand or by auto-matching, ending pairings,
//! mentee feedback; and the mentor's side under `/appointments/{id}/…`.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use domain::pairing::{EndReason, MatchTier, PairingSource, PairingState, Term, Unmatched};
use persistence::pairings::{self as repo, MatchOutcome, NeedsMentor, PairingView};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::common::PageParams;
use super::dto::{PairingQuery, PersonDto};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json};
use crate::openapi::{ActionErrors, CreateErrors, ListErrors, ReadErrors, WriteErrors};
use crate::respond::{self, PageOf, created, ok, ok_tagged};
use crate::state::AppState;

/// A mentee's contact details (for their mentor and the college only).
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactDto {
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
}

/// A mentor–mentee pairing.
#[derive(Debug, Serialize, ToSchema)]
pub struct PairingDto {
    /// Id.
    pub id: Uuid,
    /// The mentor's appointment.
    pub appointment_id: Uuid,
    /// The mentor.
    pub mentor: PersonDto,
    /// The contact details the mentor shares with mentees (WeChat, QQ…).
    pub mentor_contact: Option<String>,
    /// The mentee.
    pub mentee: PersonDto,
    /// The mentee's contact details: shown to the mentor and the college only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mentee_contact: Option<ContactDto>,
    /// The year.
    pub academic_year_id: Uuid,
    /// The college.
    pub college_id: Uuid,
    /// The mentee is in another unit than the mentor's (allowed, flagged).
    pub cross_unit: bool,
    /// `manual` or `auto_match`.
    pub source: PairingSource,
    /// `active` or `ended`.
    pub state: PairingState,
    /// When it ended.
    pub ended_at: Option<DateTime<Utc>>,
    /// Why it ended.
    pub end_reason: Option<EndReason>,
    /// A note on the ending.
    pub end_note: Option<String>,
    /// Who made it.
    pub created_by: Option<Uuid>,
    /// Version (the `ETag`).
    pub version: i32,
    /// Made.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<PairingView> for PairingDto {
    fn from(v: PairingView) -> Self {
        let p = v.pairing;
        Self {
            id: p.id,
            appointment_id: p.appointment_id,
            mentor: v.mentor.into(),
            mentor_contact: v.mentor_contact,
            mentee: v.mentee.into(),
            mentee_contact: v.mentee_contact.map(|c| ContactDto { phone: c.phone, email: c.email }),
            academic_year_id: p.academic_year_id,
            college_id: p.college_id,
            cross_unit: p.cross_unit,
            source: p.source,
            state: p.state,
            ended_at: p.ended_at,
            end_reason: p.end_reason,
            end_note: p.end_note,
            created_by: p.created_by,
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

fn respond(v: PairingView) -> HttpResponse {
    let version = v.pairing.version;
    ok_tagged(&PairingDto::from(v), version)
}

/// A new pairing.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreatePairingRequest {
    /// The mentor's active appointment.
    pub appointment_id: Uuid,
    /// The mentee (a student of the same college who enrolled after the mentor).
    pub mentee_id: Uuid,
}

/// Ending a pairing.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct EndPairingRequest {
    /// `graduation`, `reassignment`, `dismissal`, `resignation`, `request` or `term_completed`.
    /// The mentor or mentee may end their own pairing only with `request`.
    pub reason: EndReason,
    /// A note, up to 2000 characters.
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// Pair a mentee with a mentor (the college's admin or the university).
///
/// Rules, each with its own `code`: the appointment is active (`appointment_not_active`), the
/// mentee is of the same college (`different_college`; another unit is allowed and flagged
/// `cross_unit`), the mentor enrolled earlier (`mentor_not_senior`), the mentee is enrolled
/// (`mentee_not_enrolled`), one active mentor per mentee and year (`mentee_already_paired`), the
/// mentor's capacity is never exceeded (`capacity_exceeded`) — also under concurrent requests.
#[utoipa::path(
    operation_id = "create_pairing",
    tag = "pairing",
    request_body = CreatePairingRequest,
    responses(
        (status = 201, description = "Paired", body = PairingDto, headers(("Location" = String), ("ETag" = String))),
        ActionErrors
    )
)]
#[post("/pairings")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<CreatePairingRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let v = persistence::usecases::mentorship::pair(&state.db, &auth.principal, b.appointment_id, b.mentee_id).await?;
    let (id, version) = (v.pairing.id, v.pairing.version);
    Ok(created(format!("/api/v1/pairings/{id}"), &PairingDto::from(v), version))
}

/// List pairings.
///
/// A college admin or counselor sees their college's; a supervisor those of their students; a
/// student their own — as mentee (with the mentor's shared contact) or as mentor. Sort keys:
/// `created_at` (default, newest first), `updated_at`.
#[utoipa::path(
    operation_id = "list_pairings",
    tag = "pairing",
    params(PageParams, PairingQuery),
    responses(
        (status = 200, description = "One page of pairings", body = PageOf<PairingDto>),
        ListErrors
    )
)]
#[get("/pairings")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<PageParams>,
    q: web::Query<PairingQuery>,
) -> Result<HttpResponse, ApiError> {
    let f = q.into_inner().into();
    let p = repo::list(&state.db, &auth.principal, f, page.request()?, page.sort.as_deref()).await?;
    Ok(respond::page(&req, PageOf::from_page(p, PairingDto::from)))
}

/// Get a pairing.
///
/// The mentor, the mentee, their college and the university see it. Objects the caller may not see
/// are 404, as if they did not exist.
#[utoipa::path(
    operation_id = "get_pairing",
    tag = "pairing",
    params(("id" = Uuid, Path, description = "Pairing id")),
    responses(
        (status = 200, description = "The pairing", body = PairingDto, headers(("ETag" = String))),
        ReadErrors
    )
)]
#[get("/pairings/{id}")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    Ok(respond(repo::get(&state.db, &auth.principal, *id).await?))
}

/// End a pairing with a reason.
///
/// By the college or the university; it stays in the history as `ended`, and the mentee may be
/// paired again. Ending an ended pairing is 409 `invalid_transition`. The change feed gets
/// `pairing.ended`. Send the `ETag` last read as `If-Match` to change only that version (412
/// `precondition_failed` otherwise, with the current version).
#[utoipa::path(
    operation_id = "end_pairing",
    tag = "pairing",
    params(("id" = Uuid, Path, description = "Pairing id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = EndPairingRequest,
    responses(
        (status = 200, description = "Ended", body = PairingDto, headers(("ETag" = String))),
        WriteErrors
    )
)]
#[post("/pairings/{id}/end")]
pub async fn end(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<EndPairingRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    Ok(respond(
        persistence::usecases::mentorship::end_pairing(&state.db, &auth.principal, *id, b.reason, b.note, if_match.0)
            .await?,
    ))
}

/// Auto-matching a college's freshmen.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct AutoMatchRequest {
    /// The academic year (required, unless the deprecated `academic_year` is given).
    pub academic_year_id: Option<Uuid>,
    /// Deprecated: the academic year by code (`2025-2026`) or id. Use `academic_year_id`, which
    /// every other endpoint takes; this name is accepted until the next major version.
    #[schema(deprecated)]
    pub academic_year: Option<String>,
    /// The college.
    pub college_id: Uuid,
    /// Propose only (the default) or write the pairs.
    #[serde(default = "yes")]
    pub dry_run: bool,
}

fn yes() -> bool {
    true
}

/// A proposed or made pair.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatchedPairDto {
    /// The freshman.
    pub mentee: PersonDto,
    /// The mentor's appointment.
    pub appointment_id: Uuid,
    /// The mentor.
    pub mentor: PersonDto,
    /// `same_unit`, `same_discipline` or `same_college`.
    pub tier: MatchTier,
}

/// A freshman left without a mentor.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnmatchedDto {
    /// The freshman.
    pub mentee: PersonDto,
    /// `no_capacity_left` (mentors exist but are full) or `no_eligible_mentor`.
    pub reason: Unmatched,
}

/// The result of auto-matching.
#[derive(Debug, Serialize, ToSchema)]
pub struct AutoMatchResponse {
    /// Whether the pairs were written (`dry_run: false`).
    pub committed: bool,
    /// The pairs, in 学号 order of the freshmen.
    pub pairs: Vec<MatchedPairDto>,
    /// The freshmen left unmatched, and why.
    pub unmatched: Vec<UnmatchedDto>,
}

impl From<MatchOutcome> for AutoMatchResponse {
    fn from(o: MatchOutcome) -> Self {
        Self {
            committed: o.committed,
            pairs: o
                .pairs
                .into_iter()
                .map(|p| MatchedPairDto {
                    mentee: p.mentee.into(),
                    appointment_id: p.appointment_id,
                    mentor: p.mentor.into(),
                    tier: p.tier,
                })
                .collect(),
            unmatched: o.unmatched.into_iter().map(|(m, reason)| UnmatchedDto { mentee: m.into(), reason }).collect(),
        }
    }
}

/// The year an auto-match request names: `academic_year_id`, or the deprecated `academic_year`
/// (a code or an id); both may be given only when they agree.
async fn requested_year(state: &AppState, auth: &Auth, b: &AutoMatchRequest) -> Result<Uuid, ApiError> {
    match (b.academic_year_id, b.academic_year.as_deref()) {
        (Some(id), None) => Ok(id),
        (None, Some(raw)) => year_id(state, auth, raw).await,
        (Some(id), Some(raw)) => {
            if year_id(state, auth, raw).await.ok() == Some(id) {
                Ok(id)
            } else {
                Err(domain::Error::invalid(
                    "academic_year",
                    "conflict",
                    "academic_year (deprecated) names another year than academic_year_id; give only academic_year_id",
                )
                .into())
            }
        }
        (None, None) => {
            Err(domain::Error::invalid("academic_year_id", "required", "academic_year_id is required").into())
        }
    }
}

async fn year_id(state: &AppState, auth: &Auth, raw: &str) -> Result<Uuid, ApiError> {
    if let Ok(id) = raw.parse::<Uuid>() {
        return Ok(id);
    }
    let code = domain::reference::AcademicYearCode::parse("academic_year", raw)
        .map_err(|e| domain::Error::Validation(vec![e]))?;
    persistence::reference::years::by_code(&state.db, &auth.principal, &code.to_string())
        .await?
        .map(|y| y.id)
        .ok_or_else(|| domain::Error::invalid("academic_year", "invalid_reference", "no such academic year").into())
}

/// Auto-match a college's unpaired freshmen to its mentors (the college's admin or the university).
///
/// Same unit first, then same discipline, then anywhere in the college; never beyond a capacity;
/// the least loaded mentor first; deterministic. Freshmen are the college's enrolled students who
/// enrolled in the year's first calendar year and have no active mentor. `dry_run` (default
/// `true`) writes nothing; `false` computes the proposal again under locks and writes it in one
/// transaction, so a stale proposal can never exceed a capacity.
///
/// The year is `academic_year_id`, as everywhere else. The older `academic_year` (a code or an
/// id) is deprecated and still accepted in this version; giving both is allowed only when they
/// name the same year (else 422 on `academic_year`).
#[utoipa::path(
    operation_id = "auto_match_pairings",
    tag = "pairing",
    request_body = AutoMatchRequest,
    responses(
        (status = 200, description = "The proposal, or what was made", body = AutoMatchResponse),
        CreateErrors
    )
)]
#[post("/pairings/auto-match")]
pub async fn auto_match(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<AutoMatchRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let year = requested_year(&state, &auth, &b).await?;
    let outcome = repo::auto_match(&state.db, &auth.principal, year, b.college_id, b.dry_run).await?;
    Ok(ok(&AutoMatchResponse::from(outcome)))
}

/// Who needs a mentor.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnpairedQuery {
    /// The academic year.
    pub academic_year_id: Uuid,
    /// The college.
    pub college_id: Uuid,
}

/// A student who needs a mentor.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnpairedDto {
    /// The student.
    pub student: PersonDto,
    /// Why they need a mentor.
    pub reason: UnpairedReason,
}

/// Why a student needs a mentor.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnpairedReason {
    /// Never paired this year.
    Freshman,
    /// Their mentor was dismissed or resigned.
    MentorLeft,
}

/// The students who need a mentor.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnpairedList {
    /// In 学号 order.
    pub items: Vec<UnpairedDto>,
}

/// List the students of a college who need a mentor this year.
///
/// For the college and the university: unpaired freshmen (`freshman`), and mentees whose mentor was
/// dismissed or resigned (`mentor_left`), in 学号 order.
#[utoipa::path(
    operation_id = "list_unpaired",
    tag = "pairing",
    params(UnpairedQuery),
    responses(
        (status = 200, description = "Who needs a mentor", body = UnpairedList),
        ReadErrors
    )
)]
#[get("/pairings/unpaired")]
pub async fn unpaired(
    state: web::Data<AppState>,
    auth: Auth,
    q: web::Query<UnpairedQuery>,
) -> Result<HttpResponse, ApiError> {
    let found = repo::unpaired(&state.db, &auth.principal, q.academic_year_id, q.college_id).await?;
    let items = found
        .into_iter()
        .map(|(p, why)| UnpairedDto {
            student: p.into(),
            reason: match why {
                NeedsMentor::Freshman => UnpairedReason::Freshman,
                NeedsMentor::MentorLeft => UnpairedReason::MentorLeft,
            },
        })
        .collect();
    Ok(ok(&UnpairedList { items }))
}

/// A mentee's rating of their mentor.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[schema(as = PairingFeedbackRequest)]
#[serde(deny_unknown_fields)]
pub struct FeedbackRequest {
    /// 1–5.
    #[validate(range(min = 1, max = 5))]
    #[schema(minimum = 1, maximum = 5)]
    pub rating: i32,
    /// A comment, up to 2000 characters.
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub comment: Option<String>,
}

/// A recorded rating.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PairingFeedbackDto)]
pub struct FeedbackDto {
    /// Id.
    pub id: Uuid,
    /// The pairing.
    pub pairing_id: Uuid,
    /// The mentee (shown to the college only).
    pub mentee_id: Uuid,
    /// `autumn` (Sept–Jan) or `spring` (Feb–Aug).
    pub term: Term,
    /// 1–5.
    pub rating: i32,
    /// Comment.
    pub comment: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl From<repo::Feedback> for FeedbackDto {
    fn from(f: repo::Feedback) -> Self {
        Self {
            id: f.id,
            pairing_id: f.pairing_id,
            mentee_id: f.mentee_id,
            term: f.term,
            rating: f.rating,
            comment: f.comment,
            created_at: f.created_at,
        }
    }
}

/// Rate your mentor (the mentee only).
///
/// A rating 1–5 and an optional comment, once per term (autumn, spring) of an active pairing; a
/// second one in the term is 409 `duplicate`.
#[utoipa::path(
    operation_id = "give_pairing_feedback",
    tag = "pairing",
    params(("id" = Uuid, Path, description = "Pairing id")),
    request_body = FeedbackRequest,
    responses(
        (status = 201, description = "Recorded", body = FeedbackDto),
        ActionErrors
    )
)]
#[post("/pairings/{id}/feedback")]
pub async fn feedback(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<FeedbackRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let f = repo::give_feedback(&state.db, &auth.principal, *id, b.rating, b.comment).await?;
    Ok(created(format!("/api/v1/pairings/{}", f.pairing_id), &FeedbackDto::from(f), 1))
}

/// The mentees of an appointment.
#[derive(Debug, Serialize, ToSchema)]
pub struct MenteeList {
    /// The active pairings, oldest first.
    pub items: Vec<PairingDto>,
}

/// List a mentor's active mentees.
///
/// For the mentor themself and their college, with the contact details mentees share. Objects the
/// caller may not see are 404, as if they did not exist.
#[utoipa::path(
    operation_id = "list_mentees",
    tag = "pairing",
    params(("id" = Uuid, Path, description = "Appointment id")),
    responses(
        (status = 200, description = "The mentees", body = MenteeList),
        ReadErrors
    )
)]
#[get("/appointments/{id}/mentees")]
pub async fn mentees(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let found = repo::mentees(&state.db, &auth.principal, *id).await?;
    Ok(ok(&MenteeList { items: found.into_iter().map(PairingDto::from).collect() }))
}

/// Mentee feedback as numbers.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PairingFeedbackSummaryDto)]
pub struct FeedbackSummaryDto {
    /// How many ratings.
    pub count: u64,
    /// The mean rating. The college sees the mean of every rating; the mentor only that of the
    /// terms that are over and had 3 ratings or more, so no single rating can be told apart.
    pub mean: Option<f64>,
}

/// The mentee feedback of an appointment, as numbers.
///
/// Count and mean rating, for the mentor and their college (never who said what). Objects the
/// caller may not see are 404, as if they did not exist.
#[utoipa::path(
    operation_id = "get_feedback_summary",
    tag = "pairing",
    params(("id" = Uuid, Path, description = "Appointment id")),
    responses(
        (status = 200, description = "Count and mean", body = FeedbackSummaryDto),
        ReadErrors
    )
)]
#[get("/appointments/{id}/feedback")]
pub async fn feedback_summary(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let s = repo::feedback_summary(&state.db, &auth.principal, *id).await?;
    Ok(ok(&FeedbackSummaryDto { count: s.count, mean: s.mean }))
}

/// Individual feedback entries.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackList {
    /// Oldest first.
    pub items: Vec<FeedbackDto>,
}

/// The individual feedback entries of an appointment.
///
/// For the college and the university only; never for the mentor, so mentees can rate freely.
/// Objects the caller may not see are 404, as if they did not exist.
#[utoipa::path(
    operation_id = "list_feedback_entries",
    tag = "pairing",
    params(("id" = Uuid, Path, description = "Appointment id")),
    responses(
        (status = 200, description = "The entries", body = FeedbackList),
        ReadErrors
    )
)]
#[get("/appointments/{id}/feedback/entries")]
pub async fn feedback_entries(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let found = repo::feedback_entries(&state.db, &auth.principal, *id).await?;
    Ok(ok(&FeedbackList { items: found.into_iter().map(FeedbackDto::from).collect() }))
}
