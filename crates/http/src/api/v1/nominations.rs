//! `/nominations` (院推): a college nominates a student, or a student applies, for a year and a
//! unit; the college reviews and recommends; every nomination carries its eligibility report.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use domain::selection::{Evidence, EvidenceKind, NominationSource, NominationState, Outcome, Rule};
use persistence::selection::nominations::{self as repo, NewNomination, NominationChanges, NominationView, Scores};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::common::{PageParams, double_option};
use super::dto::{ReasonRequest, StudentRef};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json, MaybeJson};
use crate::openapi::{CreateErrors, DeleteErrors, ListErrors, ReadErrors, WriteErrors};
use crate::respond::{self, PageOf, created, ok_tagged};
use crate::state::AppState;

/// One piece of evidence.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct EvidenceDto {
    /// `honor`, `achievement`, `cadre_role` or `other`.
    pub kind: EvidenceKind,
    /// Title, 1–200 characters, e.g. `研究生会主席`.
    #[validate(length(min = 1, max = 200), custom(function = "crate::api::v1::common::not_blank"))]
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// Detail, up to 2000 characters.
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub detail: Option<String>,
    /// When.
    pub date: Option<NaiveDate>,
}

impl From<EvidenceDto> for Evidence {
    fn from(e: EvidenceDto) -> Self {
        Evidence { kind: e.kind, title: e.title.trim().to_owned(), detail: e.detail, date: e.date }
    }
}

impl From<Evidence> for EvidenceDto {
    fn from(e: Evidence) -> Self {
        EvidenceDto { kind: e.kind, title: e.title, detail: e.detail, date: e.date }
    }
}

/// One rule's result.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleResultDto {
    /// The rule.
    pub rule: Rule,
    /// `pass`, `warn` (needs a justification) or `fail` (blocks recommending).
    pub outcome: Outcome,
    /// Why.
    pub reason: String,
}

/// The eligibility report (选聘条件), evaluated now.
#[derive(Debug, Serialize, ToSchema)]
pub struct EligibilityDto {
    /// The worst outcome of all rules.
    pub overall: Outcome,
    /// One entry per rule.
    pub rules: Vec<RuleResultDto>,
}

/// The request as a command. The shape was validated on the way in (422 for every bad field); a
/// blank justification counts as none.
impl TryFrom<CreateNominationRequest> for NewNomination {
    type Error = ApiError;

    fn try_from(b: CreateNominationRequest) -> Result<Self, ApiError> {
        Ok(NewNomination {
            student_id: b.student_id,
            academic_year_id: b.academic_year_id,
            unit_id: b.unit_id,
            statement: b.statement,
            evidence: b.evidence.into_iter().map(Evidence::from).collect(),
            justification: b.justification.filter(|j| !j.trim().is_empty()),
        })
    }
}

/// The request as a command (its fields were validated on the way in).
impl TryFrom<UpdateNominationRequest> for NominationChanges {
    type Error = ApiError;

    fn try_from(b: UpdateNominationRequest) -> Result<Self, ApiError> {
        Ok(NominationChanges {
            statement: b.statement,
            evidence: b.evidence.map(|e| e.into_iter().map(Evidence::from).collect()),
            unit_id: b.unit_id,
            justification: b.justification,
        })
    }
}

/// The college review.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewDto {
    /// 道德品质, 0–100.
    pub morality: i32,
    /// 科研成果, 0–100.
    pub research: i32,
    /// 领导能力, 0–100.
    pub leadership: i32,
    /// Comments.
    pub comments: Option<String>,
    /// Reviewer.
    pub reviewed_by: Option<Uuid>,
    /// When.
    pub reviewed_at: DateTime<Utc>,
}

/// A nomination.
#[derive(Debug, Serialize, ToSchema)]
pub struct NominationDto {
    /// Id.
    pub id: Uuid,
    /// The student.
    pub student: StudentRef,
    /// The academic year.
    pub academic_year_id: Uuid,
    /// The nominating college (the student's).
    pub college_id: Uuid,
    /// The unit the mentor is selected for.
    pub unit_id: Uuid,
    /// College nomination or self-application.
    pub source: NominationSource,
    /// State: `draft → submitted → college_reviewed → recommended → appointed`; `rejected`, `withdrawn`.
    pub state: NominationState,
    /// Statement of merit.
    pub statement: String,
    /// Evidence: honours, achievements, cadre roles.
    pub evidence: Vec<EvidenceDto>,
    /// Written justification, needed when a rule warns.
    pub justification: Option<String>,
    /// The college review, once done.
    pub review: Option<ReviewDto>,
    /// Why it was rejected or withdrawn.
    pub decision_reason: Option<String>,
    /// The eligibility report as of now.
    pub eligibility: EligibilityDto,
    /// Who created it.
    pub created_by: Option<Uuid>,
    /// Handed in.
    pub submitted_at: Option<DateTime<Utc>>,
    /// Recommended.
    pub recommended_at: Option<DateTime<Utc>>,
    /// Appointed, rejected or withdrawn.
    pub decided_at: Option<DateTime<Utc>>,
    /// Version (the `ETag`).
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<NominationView> for NominationDto {
    fn from(v: NominationView) -> Self {
        let n = v.nomination;
        Self {
            id: n.id,
            student: v.student.into(),
            academic_year_id: n.academic_year_id,
            college_id: n.college_id,
            unit_id: n.unit_id,
            source: n.source,
            state: n.state,
            statement: n.statement,
            evidence: n.evidence.into_iter().map(EvidenceDto::from).collect(),
            justification: n.justification,
            review: n.review.map(|r| ReviewDto {
                morality: r.morality,
                research: r.research,
                leadership: r.leadership,
                comments: r.comments,
                reviewed_by: r.reviewed_by,
                reviewed_at: r.reviewed_at,
            }),
            decision_reason: n.decision_reason,
            eligibility: EligibilityDto {
                overall: v.eligibility.overall(),
                rules: v
                    .eligibility
                    .rules
                    .into_iter()
                    .map(|r| RuleResultDto { rule: r.rule, outcome: r.outcome, reason: r.reason })
                    .collect(),
            },
            created_by: n.created_by,
            submitted_at: n.submitted_at,
            recommended_at: n.recommended_at,
            decided_at: n.decided_at,
            version: n.version,
            created_at: n.created_at,
            updated_at: n.updated_at,
        }
    }
}

/// A new nomination (or a self-application, when a student nominates themself).
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateNominationRequest {
    /// The student.
    pub student_id: Uuid,
    /// The academic year.
    pub academic_year_id: Uuid,
    /// The unit (of the student's college) the mentor is selected for.
    pub unit_id: Uuid,
    /// Statement of merit, 1–5000 characters.
    #[validate(length(min = 1, max = 5000), custom(function = "crate::api::v1::common::not_blank"))]
    #[schema(min_length = 1, max_length = 5000)]
    pub statement: String,
    /// Evidence, at most 50 items.
    #[serde(default)]
    #[validate(length(max = 50), nested)]
    pub evidence: Vec<EvidenceDto>,
    /// Justification, where a rule warns (e.g. no university-level honour), up to 5000 characters.
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    pub justification: Option<String>,
}

/// Changes to a nomination before it is recommended.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateNominationRequest {
    /// Statement.
    #[validate(length(min = 1, max = 5000), custom(function = "crate::api::v1::common::not_blank"))]
    #[schema(min_length = 1, max_length = 5000)]
    pub statement: Option<String>,
    /// Evidence (replaces the list).
    #[validate(length(max = 50), nested)]
    pub evidence: Option<Vec<EvidenceDto>>,
    /// Unit.
    pub unit_id: Option<Uuid>,
    /// Justification, or `null` to clear.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub justification: Option<Option<String>>,
}

/// The college review.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    /// 道德品质, 0–100.
    #[validate(range(min = 0, max = 100))]
    #[schema(minimum = 0, maximum = 100)]
    pub morality: i32,
    /// 科研成果, 0–100.
    #[validate(range(min = 0, max = 100))]
    #[schema(minimum = 0, maximum = 100)]
    pub research: i32,
    /// 领导能力, 0–100.
    #[validate(range(min = 0, max = 100))]
    #[schema(minimum = 0, maximum = 100)]
    pub leadership: i32,
    /// Comments, up to 5000 characters.
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    pub comments: Option<String>,
}

/// Recommending; a justification may be given here.
#[derive(Debug, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RecommendRequest {
    /// Justification, required when a rule warns and none was given before.
    #[validate(length(min = 1, max = 5000), custom(function = "crate::api::v1::common::not_blank"))]
    #[schema(min_length = 1, max_length = 5000)]
    pub justification: Option<String>,
}

/// An optional reason.
#[derive(Debug, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct OptionalReasonRequest {
    /// Why, up to 2000 characters.
    #[validate(length(min = 1, max = 2000), custom(function = "crate::api::v1::common::not_blank"))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: Option<String>,
}

/// Filters of the nomination list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NominationQuery {
    /// Only this academic year.
    pub academic_year_id: Option<Uuid>,
    /// Only this college.
    pub college_id: Option<Uuid>,
    /// Only this unit.
    pub unit_id: Option<Uuid>,
    /// Only this state.
    pub state: Option<NominationState>,
    /// Only this student.
    pub student_id: Option<Uuid>,
    /// Only college nominations or self-applications.
    pub source: Option<NominationSource>,
}

fn respond(v: NominationView) -> HttpResponse {
    let version = v.nomination.version;
    ok_tagged(&NominationDto::from(v), version)
}

/// Nominate a student, or apply as a student.
///
/// A college admin nominates students of their college (the university any student); a student
/// may apply for themself (`source: self_application`). It starts as a `draft`. One open
/// nomination per student and year (`duplicate` otherwise); a closed year takes none (`year_closed`).
#[utoipa::path(
    operation_id = "create_nomination",
    tag = "selection",
    request_body = CreateNominationRequest,
    responses(
        (status = 201, description = "Created", body = NominationDto, headers(("Location" = String), ("ETag" = String))),
        CreateErrors
    )
)]
#[post("/nominations")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<CreateNominationRequest>,
) -> Result<HttpResponse, ApiError> {
    let new: NewNomination = body.into_inner().try_into()?;
    let v = repo::create(&state.db, &auth.principal, new).await?;
    let (id, version) = (v.nomination.id, v.nomination.version);
    Ok(created(format!("/api/v1/nominations/{id}"), &NominationDto::from(v), version))
}

/// List nominations.
///
/// A college admin or counselor sees their college's, a supervisor their students', a student
/// their own. Sort keys: `created_at` (default, newest first), `updated_at`.
#[utoipa::path(
    operation_id = "list_nominations",
    tag = "selection",
    params(PageParams, NominationQuery),
    responses(
        (status = 200, description = "One page of nominations", body = PageOf<NominationDto>),
        ListErrors
    )
)]
#[get("/nominations")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<PageParams>,
    q: web::Query<NominationQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let f = repo::NominationFilter {
        academic_year_id: q.academic_year_id,
        college_id: q.college_id,
        unit_id: q.unit_id,
        state: q.state,
        student_id: q.student_id,
        source: q.source,
    };
    let p = repo::list(&state.db, &auth.principal, f, page.request()?, page.sort.as_deref()).await?;
    Ok(respond::page(&req, PageOf::from_page(p, NominationDto::from)))
}

/// Get a nomination with its eligibility report.
///
/// The report lists every eligibility rule as `pass`, `warn` or `fail` with a reason, evaluated
/// now. The student sees their own; the college and the university theirs. Objects the caller may
/// not see are 404, as if they did not exist.
#[utoipa::path(
    operation_id = "get_nomination",
    tag = "selection",
    params(("id" = Uuid, Path, description = "Nomination id")),
    responses(
        (status = 200, description = "The nomination", body = NominationDto, headers(("ETag" = String))),
        ReadErrors
    )
)]
#[get("/nominations/{id}")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    Ok(respond(repo::get(&state.db, &auth.principal, *id).await?))
}

/// Edit a nomination before it is recommended.
///
/// A student only their own draft; the college until it recommends. Once recommended it is 409
/// `invalid_transition`. Send the `ETag` last read as `If-Match` to change only that version (412
/// `precondition_failed` otherwise, with the current version).
#[utoipa::path(
    operation_id = "update_nomination",
    tag = "selection",
    params(("id" = Uuid, Path, description = "Nomination id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = UpdateNominationRequest,
    responses(
        (status = 200, description = "Changed", body = NominationDto, headers(("ETag" = String))),
        WriteErrors
    )
)]
#[patch("/nominations/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateNominationRequest>,
) -> Result<HttpResponse, ApiError> {
    let c: NominationChanges = body.into_inner().try_into()?;
    Ok(respond(repo::edit(&state.db, &auth.principal, *id, c, if_match.0).await?))
}

/// Hand a draft in to the college (`draft → submitted`).
///
/// By the student or the college. From another state it is 409 `invalid_transition`. Send the
/// `ETag` last read as `If-Match` to change only that version (412 `precondition_failed` otherwise,
/// with the current version).
#[utoipa::path(
    operation_id = "submit_nomination",
    tag = "selection",
    params(("id" = Uuid, Path, description = "Nomination id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Submitted", body = NominationDto, headers(("ETag" = String))),
        DeleteErrors
    )
)]
#[post("/nominations/{id}/submit")]
pub async fn submit(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    Ok(respond(repo::submit(&state.db, &auth.principal, *id, if_match.0).await?))
}

/// Score a nomination (the college reviewer).
///
/// Morality, research and leadership, 0–100 each, with a comment: `submitted → college_reviewed`,
/// or a new score while reviewed. Send the `ETag` last read as `If-Match` to change only that
/// version (412 `precondition_failed` otherwise, with the current version).
#[utoipa::path(
    operation_id = "review_nomination",
    tag = "selection",
    params(("id" = Uuid, Path, description = "Nomination id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = ReviewRequest,
    responses(
        (status = 200, description = "Reviewed", body = NominationDto, headers(("ETag" = String))),
        WriteErrors
    )
)]
#[post("/nominations/{id}/review")]
pub async fn review(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<ReviewRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let scores = Scores { morality: b.morality, research: b.research, leadership: b.leadership, comments: b.comments };
    Ok(respond(repo::review(&state.db, &auth.principal, *id, scores, if_match.0).await?))
}

/// Recommend a reviewed nomination to the university (`college_reviewed → recommended`).
///
/// Refused with `not_eligible` while a rule fails; a rule that warns needs a `justification`
/// (422 on `justification` otherwise).
#[utoipa::path(
    operation_id = "recommend_nomination",
    tag = "selection",
    params(("id" = Uuid, Path, description = "Nomination id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body(content = RecommendRequest, description = "Optional"),
    responses(
        (status = 200, description = "Recommended", body = NominationDto, headers(("ETag" = String))),
        WriteErrors
    )
)]
#[post("/nominations/{id}/recommend")]
pub async fn recommend(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: MaybeJson<RecommendRequest>,
) -> Result<HttpResponse, ApiError> {
    let j = body.into_inner().justification;
    Ok(respond(repo::recommend(&state.db, &auth.principal, *id, j, if_match.0).await?))
}

/// Reject a nomination with a reason.
///
/// The college may until it recommends; then only the university. An ended nomination is 409
/// `invalid_transition`. Send the `ETag` last read as `If-Match` to change only that version (412
/// `precondition_failed` otherwise, with the current version).
#[utoipa::path(
    operation_id = "reject_nomination",
    tag = "selection",
    params(("id" = Uuid, Path, description = "Nomination id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = ReasonRequest,
    responses(
        (status = 200, description = "Rejected", body = NominationDto, headers(("ETag" = String))),
        WriteErrors
    )
)]
#[post("/nominations/{id}/reject")]
pub async fn reject(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<ReasonRequest>,
) -> Result<HttpResponse, ApiError> {
    let reason = body.into_inner().reason;
    Ok(respond(repo::reject(&state.db, &auth.principal, *id, reason, if_match.0).await?))
}

/// Withdraw a nomination.
///
/// The student themself, the college, or the university, until it is appointed. An ended nomination
/// is 409 `invalid_transition`. Send the `ETag` last read as `If-Match` to change only that version
/// (412 `precondition_failed` otherwise, with the current version).
#[utoipa::path(
    operation_id = "withdraw_nomination",
    tag = "selection",
    params(("id" = Uuid, Path, description = "Nomination id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body(content = OptionalReasonRequest, description = "Optional"),
    responses(
        (status = 200, description = "Withdrawn", body = NominationDto, headers(("ETag" = String))),
        WriteErrors
    )
)]
#[post("/nominations/{id}/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: MaybeJson<OptionalReasonRequest>,
) -> Result<HttpResponse, ApiError> {
    let reason = body.into_inner().reason;
    Ok(respond(repo::withdraw(&state.db, &auth.principal, *id, reason, if_match.0).await?))
}
