//! Annual award rounds (年度优秀研究生党员学长评选表彰, rule 四.4): the university sets a round's
//! rules, colleges nominate within their quota and the window, reviewers score, finalizing ranks
//! by the documented formula, records the awards as commendations and freezes the round.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use domain::yearend::{AwardKind, Criterion, Figure, RoundAction, RoundRules, RoundState, Weights};
use persistence::usecases::awards::{self as repo, Awardee, Nomination, Quota, ResultRow, Results, Round, Sheet};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::common::PageParams;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json};
use crate::openapi::{
    ActionErrors, BadRequest, CreateErrors, DeleteErrors, ListErrors, NotFound, ReadErrors, WriteErrors,
};
use crate::respond::{self, PageOf, created, ok, ok_tagged};
use crate::state::AppState;

/// How much a figure weighs in the ranking.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FigureWeight {
    /// The figure (see the performance figures).
    pub figure: Figure,
    /// Its weight in percent, 0–100.
    #[schema(minimum = 0, maximum = 100)]
    pub weight: u32,
}

/// A criterion reviewers score.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"key": "ideology", "title": "思想引领", "max": 40}))]
pub struct CriterionDto {
    /// A short machine key, 1–40 of `a–z` and `_`.
    #[schema(pattern = "^[a-z_]{1,40}$", example = "ideology")]
    pub key: String,
    /// What reviewers judge, 1–100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub title: String,
    /// The most points, 1–100.
    #[schema(minimum = 1, maximum = 100)]
    pub max: u32,
}

/// A college's fixed quota, overriding the share.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CollegeQuotaDto {
    /// The college.
    pub college_id: Uuid,
    /// How many it may nominate, 0–100.
    #[schema(minimum = 0, maximum = 100)]
    pub quota: u32,
}

/// A new award round (a draft).
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "academic_year_id": "0193a4e1-7c2b-7abc-8def-0123456789ab",
    "award": "outstanding_mentor",
    "title": "2026–2027学年优秀研究生党员学长评选",
    "nominations_open_on": "2027-06-01", "nominations_close_on": "2027-06-15",
    "quota_share_permille": 100, "college_quotas": [], "awards": 20,
    "figure_weights": [{"figure": "work_records", "weight": 20}, {"figure": "mentees_reached", "weight": 20},
        {"figure": "activities_held", "weight": 10}],
    "reviewers_weight": 50,
    "criteria": [{"key": "ideology", "title": "思想引领", "max": 40}, {"key": "service", "title": "服务成效", "max": 60}],
    "reviewer_ids": []
}))]
pub struct CreateRoundRequest {
    /// The academic year it judges.
    pub academic_year_id: Uuid,
    /// Which award (one round per year and award).
    pub award: AwardKind,
    /// Its title, 1–100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub title: String,
    /// First day colleges nominate (Asia/Shanghai).
    pub nominations_open_on: NaiveDate,
    /// Last day, on or after the first.
    pub nominations_close_on: NaiveDate,
    /// A college's quota as a share of its mentors of the year in per mille, rounded half up and at
    /// least 1 for a college with mentors (100 = 10 %).
    #[schema(minimum = 0, maximum = 1000)]
    pub quota_share_permille: u32,
    /// Fixed quotas of some colleges.
    #[serde(default)]
    #[schema(max_items = 200)]
    pub college_quotas: Vec<CollegeQuotaDto>,
    /// How many are awarded, 1–500.
    #[schema(minimum = 1, maximum = 500)]
    pub awards: u32,
    /// The weighed figures; with `reviewers_weight` they sum to 100.
    pub figure_weights: Vec<FigureWeight>,
    /// The reviewers' share in percent.
    #[schema(minimum = 0, maximum = 100)]
    pub reviewers_weight: u32,
    /// What reviewers score: 1–10 criteria.
    #[schema(min_items = 1, max_items = 10)]
    pub criteria: Vec<CriterionDto>,
    /// Users who review besides the university admins (e.g. staff the round names), at most 50.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub reviewer_ids: Vec<Uuid>,
}

/// A change to a draft round's rules; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"awards": 25, "nominations_close_on": "2027-06-20"}))]
pub struct UpdateRoundRequest {
    /// Its title.
    #[schema(min_length = 1, max_length = 100)]
    pub title: Option<String>,
    /// First day of nominations.
    pub nominations_open_on: Option<NaiveDate>,
    /// Last day of nominations.
    pub nominations_close_on: Option<NaiveDate>,
    /// The share, in per mille.
    #[schema(minimum = 0, maximum = 1000)]
    pub quota_share_permille: Option<u32>,
    /// Fixed quotas (replaces the list).
    #[schema(max_items = 200)]
    pub college_quotas: Option<Vec<CollegeQuotaDto>>,
    /// How many are awarded.
    #[schema(minimum = 1, maximum = 500)]
    pub awards: Option<u32>,
    /// The weighed figures (replaces the list; the sum with the reviewers' weight must stay 100).
    pub figure_weights: Option<Vec<FigureWeight>>,
    /// The reviewers' share.
    #[schema(minimum = 0, maximum = 100)]
    pub reviewers_weight: Option<u32>,
    /// The criteria (replaces the list).
    #[schema(min_items = 1, max_items = 10)]
    pub criteria: Option<Vec<CriterionDto>>,
    /// The named reviewers (replaces the list).
    #[schema(max_items = 50)]
    pub reviewer_ids: Option<Vec<Uuid>>,
}

fn criteria_of(v: Vec<CriterionDto>) -> Vec<Criterion> {
    v.into_iter().map(|c| Criterion { key: c.key, title: c.title, max: c.max }).collect()
}

fn quotas_of(v: Vec<CollegeQuotaDto>) -> BTreeMap<Uuid, u32> {
    v.into_iter().map(|q| (q.college_id, q.quota)).collect()
}

/// The weights as given, each figure once: a figure given twice is a field error. Their range and
/// sum are checked with the rest of the rules (`RoundRules::check`), so that one answer names
/// every bad field.
fn weights_of(figures: Vec<FigureWeight>, reviewers: u32) -> (Weights, Vec<domain::FieldError>) {
    let mut map = BTreeMap::new();
    let mut errors = Vec::new();
    for (i, w) in figures.iter().enumerate() {
        if map.insert(w.figure, w.weight).is_some() {
            errors.push(domain::FieldError::new(
                format!("figure_weights[{i}].figure"),
                "duplicate",
                "each figure once",
            ));
        }
    }
    (Weights { figures: map, reviewers }, errors)
}

/// Checks `rules`, naming the field errors found before (`earlier`) with its own in one answer.
fn checked(rules: RoundRules, earlier: Vec<domain::FieldError>) -> Result<RoundRules, ApiError> {
    let mut p = domain::Problems::new();
    for e in earlier {
        p.push(e.field, e.code, e.message);
    }
    let rules = match rules.check() {
        Ok(r) => Some(r),
        Err(e) => {
            p.absorb(e)?;
            None
        }
    };
    p.finish()?;
    // Not reached: a failed check recorded at least one problem.
    rules.ok_or_else(|| ApiError::from(domain::Error::Validation(Vec::new())))
}

impl TryFrom<CreateRoundRequest> for (Uuid, AwardKind, RoundRules) {
    type Error = ApiError;

    fn try_from(b: CreateRoundRequest) -> Result<Self, ApiError> {
        let (weights, duplicates) = weights_of(b.figure_weights, b.reviewers_weight);
        let rules = RoundRules {
            title: b.title,
            nominations_open_on: b.nominations_open_on,
            nominations_close_on: b.nominations_close_on,
            quota_share_permille: b.quota_share_permille,
            college_quotas: quotas_of(b.college_quotas),
            awards: b.awards,
            weights,
            criteria: criteria_of(b.criteria),
            reviewer_ids: b.reviewer_ids,
        };
        Ok((b.academic_year_id, b.award, checked(rules, duplicates)?))
    }
}

/// An award round.
#[derive(Debug, Serialize, ToSchema)]
pub struct AwardRoundDto {
    /// Id.
    pub id: Uuid,
    /// The academic year it judges.
    pub academic_year_id: Uuid,
    /// Which award.
    pub award: AwardKind,
    /// Its title.
    pub title: String,
    /// `draft → open → reviewing → finalized`.
    pub state: RoundState,
    /// First day of nominations (Asia/Shanghai).
    pub nominations_open_on: NaiveDate,
    /// Last day of nominations.
    pub nominations_close_on: NaiveDate,
    /// A college's quota as a share of its mentors, per mille.
    pub quota_share_permille: u32,
    /// Fixed quotas.
    pub college_quotas: Vec<CollegeQuotaDto>,
    /// How many are awarded.
    pub awards: u32,
    /// The weighed figures, in percent.
    pub figure_weights: Vec<FigureWeight>,
    /// The reviewers' share, in percent.
    pub reviewers_weight: u32,
    /// What reviewers score.
    pub criteria: Vec<CriterionDto>,
    /// The most points of one sheet (the sum of the criteria's).
    pub max_sheet: u32,
    /// Reviewers named besides the university admins.
    pub reviewer_ids: Vec<Uuid>,
    /// When it was finalized.
    pub finalized_at: Option<DateTime<Utc>>,
    /// Who finalized it.
    pub finalized_by: Option<Uuid>,
    /// Version (the `ETag`).
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<Round> for AwardRoundDto {
    fn from(r: Round) -> Self {
        let max_sheet = r.rules.max_sheet();
        let RoundRules {
            title,
            nominations_open_on,
            nominations_close_on,
            quota_share_permille,
            college_quotas,
            awards,
            weights,
            criteria,
            reviewer_ids,
        } = r.rules;
        Self {
            id: r.id,
            academic_year_id: r.academic_year_id,
            award: r.award,
            title,
            state: r.state,
            nominations_open_on,
            nominations_close_on,
            quota_share_permille,
            college_quotas: college_quotas
                .into_iter()
                .map(|(college_id, quota)| CollegeQuotaDto { college_id, quota })
                .collect(),
            awards,
            figure_weights: weights
                .figures
                .into_iter()
                .map(|(figure, weight)| FigureWeight { figure, weight })
                .collect(),
            reviewers_weight: weights.reviewers,
            criteria: criteria.into_iter().map(|c| CriterionDto { key: c.key, title: c.title, max: c.max }).collect(),
            max_sheet,
            reviewer_ids,
            finalized_at: r.finalized_at,
            finalized_by: r.finalized_by,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

fn tagged(r: Round) -> HttpResponse {
    let v = r.version;
    ok_tagged(&AwardRoundDto::from(r), v)
}

fn figures_dto(f: BTreeMap<Figure, f64>) -> BTreeMap<String, f64> {
    f.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// A reviewer's score sheet.
#[derive(Debug, Serialize, ToSchema)]
pub struct SheetDto {
    /// The reviewer (a user id).
    pub reviewer_id: Uuid,
    /// Points per criterion key.
    pub scores: BTreeMap<String, u32>,
    /// Their sum.
    pub total: u32,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<Sheet> for SheetDto {
    fn from(s: Sheet) -> Self {
        Self { reviewer_id: s.reviewer_id, scores: s.scores, total: s.total, updated_at: s.updated_at }
    }
}

/// A nomination.
#[derive(Debug, Serialize, ToSchema)]
pub struct AwardNominationDto {
    /// Id.
    pub id: Uuid,
    /// The round.
    pub round_id: Uuid,
    /// The nominated mentor's appointment.
    pub appointment_id: Uuid,
    /// The mentor (a student id).
    pub mentor_id: Uuid,
    /// The mentor's name.
    pub mentor_name: String,
    /// The college.
    pub college_id: Uuid,
    /// Its name.
    pub college_name: String,
    /// The mentor's unit.
    pub unit_name: Option<String>,
    /// The college's statement.
    pub statement: String,
    /// The figures when nominated, by figure name (`work_records`, `minutes`, `mentees_reached`,
    /// `activities_held`, `attendance`, `mentee_feedback`; see `create_award_round`).
    pub figures_at_nomination: BTreeMap<String, f64>,
    /// The figures now; once the round is finalized, those it was ranked on.
    pub figures_now: BTreeMap<String, f64>,
    /// The sheets the caller may see: every sheet for a university admin, their own for another
    /// reviewer, none for a college admin.
    pub sheets: Vec<SheetDto>,
    /// How many reviewers scored it.
    pub sheet_count: usize,
    /// Who nominated (a user id).
    pub nominated_by: Option<Uuid>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Its place, once finalized.
    pub rank: Option<i32>,
    /// Whether it won an award (once finalized).
    pub awarded: bool,
}

impl From<Nomination> for AwardNominationDto {
    fn from(n: Nomination) -> Self {
        Self {
            id: n.id,
            round_id: n.round_id,
            appointment_id: n.appointment_id,
            mentor_id: n.mentor_id,
            mentor_name: n.mentor_name,
            college_id: n.college_id,
            college_name: n.college_name,
            unit_name: n.unit_name,
            statement: n.statement,
            figures_at_nomination: figures_dto(n.figures_at_nomination),
            figures_now: figures_dto(n.figures_now),
            sheets: n.sheets.into_iter().map(SheetDto::from).collect(),
            sheet_count: n.sheet_count,
            nominated_by: n.nominated_by,
            created_at: n.created_at,
            rank: n.rank,
            awarded: n.awarded,
        }
    }
}

/// A college nominates a mentor.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"appointment_id": "0193a4e1-7c2b-7abc-8def-0123456789ab",
    "statement": "全年开展新生座谈6次，结对8名新生，组织学术沙龙3场。"}))]
pub struct NominateRequest {
    /// The mentor's appointment of the round's year (of the caller's college for a college admin).
    pub appointment_id: Uuid,
    /// Why, 1–2000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub statement: String,
}

/// A reviewer's score sheet for one nomination.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"scores": {"ideology": 35, "service": 52}}))]
pub struct ScoreRequest {
    /// Points per criterion key of the round: every criterion exactly once, 0 to its most points.
    pub scores: BTreeMap<String, u32>,
}

/// One line of a ranking.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResultRowDto {
    /// 1 for the first; distinct for every nominee.
    pub rank: u32,
    /// The nomination.
    pub nomination_id: Uuid,
    /// The mentor's appointment.
    pub appointment_id: Uuid,
    /// The mentor's name.
    pub mentor_name: String,
    /// The college.
    pub college_id: Uuid,
    /// Its name.
    pub college_name: String,
    /// The mentor's unit.
    pub unit_name: Option<String>,
    /// The composite score, 0–100 points (rounded to 6 decimals).
    pub score: f64,
    /// The composite in millionths of a point: exact, what ties compare.
    pub score_micro: i64,
    /// Each weighed figure's part, in points.
    pub parts: BTreeMap<String, f64>,
    /// The reviewers' part, in points.
    pub reviewers_part: f64,
    /// The figures it was ranked on.
    pub figures: BTreeMap<String, f64>,
    /// Each sheet's total.
    pub sheet_totals: Vec<u32>,
    /// When the score equals the line above's: which rule put it after — `reviewers` (higher
    /// reviewers' part first), `nominated_at` (earlier nomination first), `nomination_id` (smaller
    /// id first).
    pub tie_broken_by: Option<String>,
    /// Whether it is among the awards.
    pub awarded: bool,
}

fn points(micro: i64) -> f64 {
    micro as f64 / domain::yearend::MICRO as f64
}

impl From<ResultRow> for ResultRowDto {
    fn from(r: ResultRow) -> Self {
        Self {
            rank: r.rank,
            nomination_id: r.nomination_id,
            appointment_id: r.appointment_id,
            mentor_name: r.mentor_name,
            college_id: r.college_id,
            college_name: r.college_name,
            unit_name: r.unit_name,
            score: points(r.score_micro),
            score_micro: r.score_micro,
            parts: r.parts_micro.into_iter().map(|(k, v)| (k.to_string(), points(v))).collect(),
            reviewers_part: points(r.reviewers_micro),
            figures: figures_dto(r.figures),
            sheet_totals: r.sheet_totals,
            tie_broken_by: r.tie_broken_by,
            awarded: r.awarded,
        }
    }
}

/// A round's ranking.
#[derive(Debug, Serialize, ToSchema)]
pub struct AwardResultsDto {
    /// The round.
    pub round: AwardRoundDto,
    /// `true`: the recorded result of the finalized round; `false`: a preview by today's figures and sheets.
    pub finalized: bool,
    /// The lines, first place first (a college admin sees their college's lines only).
    pub rows: Vec<ResultRowDto>,
}

impl From<Results> for AwardResultsDto {
    fn from(r: Results) -> Self {
        Self {
            round: r.round.into(),
            finalized: r.finalized,
            rows: r.rows.into_iter().map(ResultRowDto::from).collect(),
        }
    }
}

/// An awardee, as the public sees them.
#[derive(Debug, Serialize, ToSchema)]
pub struct AwardeeDto {
    /// Their place.
    pub rank: u32,
    /// Their name.
    pub name: String,
    /// Their college.
    pub college_name: String,
    /// Their unit.
    pub unit_name: Option<String>,
}

impl From<Awardee> for AwardeeDto {
    fn from(a: Awardee) -> Self {
        Self { rank: a.rank, name: a.name, college_name: a.college_name, unit_name: a.unit_name }
    }
}

/// The public result of a finalized round.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicAwardResultsDto {
    /// The round.
    pub round_id: Uuid,
    /// Its title.
    pub title: String,
    /// Which award.
    pub award: AwardKind,
    /// Its academic year.
    pub academic_year_id: Uuid,
    /// When it was finalized.
    pub finalized_at: Option<DateTime<Utc>>,
    /// The awardees, first place first: names, colleges and units only.
    pub awardees: Vec<AwardeeDto>,
}

/// A college's quota in a round.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuotaDto {
    /// The college.
    pub college_id: Uuid,
    /// Its name.
    pub college_name: String,
    /// Its mentors of the round's year (appointments made, in any state).
    pub mentors: u32,
    /// How many it may nominate.
    pub quota: u32,
    /// How many it has nominated.
    pub used: u32,
}

impl From<Quota> for QuotaDto {
    fn from(q: Quota) -> Self {
        Self {
            college_id: q.college_id,
            college_name: q.college_name,
            mentors: q.mentors,
            quota: q.quota,
            used: q.used,
        }
    }
}

/// Filters of the round list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RoundQuery {
    /// Only this academic year's.
    pub academic_year_id: Option<Uuid>,
}

/// Create an award round (a university admin).
///
/// Starts as a `draft` whose rules may still change. One round per academic year and award (409
/// `duplicate`). The ranking formula, applied at finalization: each weighed figure gives
/// `weight × value / the highest value among the nominees` (0 when the highest is 0); the reviewers
/// give `reviewers_weight × mean sheet total / max_sheet` (0 without sheets); each part is rounded
/// to a millionth of a point and the score (0–100) is their sum. Equal scores are ordered by the
/// reviewers' part (higher first), then the earlier nomination, then the smaller nomination id.
/// The first `awards` are awarded. The figures are those of `appointment_performance` at the
/// moment: `work_records`, `minutes`, `mentees_reached`, `activities_held`, `attendance`,
/// `mentee_feedback` (its mean where privacy lets it be shown, else absent and counted 0), and
/// `help_requests_answered` (help requests made to the appointment and answered).
#[utoipa::path(
    operation_id = "create_award_round",
    tag = "awards",
    request_body = CreateRoundRequest,
    responses(
        (status = 201, description = "Created", body = AwardRoundDto, headers(("Location" = String), ("ETag" = String))),
        CreateErrors
    )
)]
#[post("/award-rounds")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<CreateRoundRequest>,
) -> Result<HttpResponse, ApiError> {
    let (year, award, rules) = body.into_inner().try_into()?;
    let r = repo::create_round(&state.db, &auth.principal, year, award, rules).await?;
    let v = r.version;
    Ok(created(format!("/api/v1/award-rounds/{}", r.id), &AwardRoundDto::from(r), v))
}

/// List award rounds.
///
/// Any signed-in user. Newest first; sort keys `created_at`, `nominations_open_on`.
#[utoipa::path(
    operation_id = "list_award_rounds",
    tag = "awards",
    params(PageParams, RoundQuery),
    responses((status = 200, description = "One page of rounds", body = PageOf<AwardRoundDto>), ListErrors)
)]
#[get("/award-rounds")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<PageParams>,
    q: web::Query<RoundQuery>,
) -> Result<HttpResponse, ApiError> {
    let p = repo::list_rounds(&state.db, &auth.principal, q.academic_year_id, page.request()?, page.sort.as_deref())
        .await?;
    Ok(respond::page(&req, PageOf::from_page(p, AwardRoundDto::from)))
}

/// Get an award round.
///
/// Any signed-in user: the rules, the window, the weights, the criteria and the state.
#[utoipa::path(
    operation_id = "get_award_round",
    tag = "awards",
    params(("id" = Uuid, Path, description = "Round id")),
    responses((status = 200, description = "The round", body = AwardRoundDto, headers(("ETag" = String))), ReadErrors)
)]
#[get("/award-rounds/{id}")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    Ok(tagged(repo::get_round(&state.db, &auth.principal, *id).await?))
}

/// Change a draft round's rules (a university admin).
///
/// 409 `invalid_transition` once the round opened.
#[utoipa::path(
    operation_id = "update_award_round",
    tag = "awards",
    params(("id" = Uuid, Path, description = "Round id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = UpdateRoundRequest,
    responses((status = 200, description = "Changed", body = AwardRoundDto, headers(("ETag" = String))), WriteErrors)
)]
#[patch("/award-rounds/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateRoundRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    // The weights are checked against the round's current ones, so read it first.
    let current = repo::get_round(&state.db, &auth.principal, *id).await?;
    let figures = match b.figure_weights {
        Some(f) => f,
        None => {
            current.rules.weights.figures.iter().map(|(&figure, &weight)| FigureWeight { figure, weight }).collect()
        }
    };
    let (weights, duplicates) = weights_of(figures, b.reviewers_weight.unwrap_or(current.rules.weights.reviewers));
    if !duplicates.is_empty() {
        return Err(domain::Error::Validation(duplicates).into());
    }
    let change = move |mut r: RoundRules| {
        if let Some(t) = b.title {
            r.title = t;
        }
        if let Some(d) = b.nominations_open_on {
            r.nominations_open_on = d;
        }
        if let Some(d) = b.nominations_close_on {
            r.nominations_close_on = d;
        }
        if let Some(s) = b.quota_share_permille {
            r.quota_share_permille = s;
        }
        if let Some(q) = b.college_quotas {
            r.college_quotas = quotas_of(q);
        }
        if let Some(n) = b.awards {
            r.awards = n;
        }
        r.weights = weights;
        if let Some(c) = b.criteria {
            r.criteria = criteria_of(c);
        }
        if let Some(ids) = b.reviewer_ids {
            r.reviewer_ids = ids;
        }
        r
    };
    Ok(tagged(repo::update_round(&state.db, &auth.principal, *id, change, if_match.0).await?))
}

async fn move_round(
    state: web::Data<AppState>,
    auth: Auth,
    id: Uuid,
    if_match: IfMatch,
    action: RoundAction,
) -> Result<HttpResponse, ApiError> {
    Ok(tagged(repo::move_round(&state.db, &auth.principal, id, action, if_match.0).await?))
}

/// Open nominations (a university admin; `draft → open`).
///
/// Colleges then nominate on the days of the window. 409 `invalid_transition` unless `draft`.
#[utoipa::path(
    operation_id = "open_award_round",
    tag = "awards",
    params(("id" = Uuid, Path, description = "Round id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 200, description = "Opened", body = AwardRoundDto, headers(("ETag" = String))), DeleteErrors)
)]
#[post("/award-rounds/{id}/open")]
pub async fn open(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    move_round(state, auth, *id, if_match, RoundAction::Open).await
}

/// Close nominations and start the review (a university admin; `open → reviewing`).
///
/// Reviewers then score. 409 `invalid_transition` unless `open`.
#[utoipa::path(
    operation_id = "review_award_round",
    tag = "awards",
    params(("id" = Uuid, Path, description = "Round id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 200, description = "Under review", body = AwardRoundDto, headers(("ETag" = String))), DeleteErrors)
)]
#[post("/award-rounds/{id}/review")]
pub async fn review(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    move_round(state, auth, *id, if_match, RoundAction::Review).await
}

/// Finalize a round (a university admin; `reviewing → finalized`).
///
/// Ranks the nominations by the formula (see `create_award_round`) on the figures of this moment
/// and the sheets, records every line, writes a commendation (`年度优秀研究生党员学长`) on each
/// awarded appointment — each on the change feed as `appointment.commended` — and freezes the
/// round (`award_round.finalized`). Idempotent: finalizing a finalized round answers with the
/// recorded result and changes nothing. 409 `invalid_transition` from `draft` or `open`.
#[utoipa::path(
    operation_id = "finalize_award_round",
    tag = "awards",
    params(("id" = Uuid, Path, description = "Round id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 200, description = "The recorded result", body = AwardResultsDto), DeleteErrors)
)]
#[post("/award-rounds/{id}/finalize")]
pub async fn finalize(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    Ok(ok(&AwardResultsDto::from(repo::finalize(&state.db, &auth.principal, *id, if_match.0).await?)))
}

/// The colleges' quotas in a round and how much of each is used.
///
/// The university and the round's reviewers see every college, a college admin their own.
#[utoipa::path(
    operation_id = "list_award_round_quotas",
    tag = "awards",
    params(("id" = Uuid, Path, description = "Round id")),
    responses((status = 200, description = "The quotas", body = Vec<QuotaDto>), ReadErrors)
)]
#[get("/award-rounds/{id}/quotas")]
pub async fn quotas(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let q = repo::quotas(&state.db, &auth.principal, *id).await?;
    Ok(ok(&q.into_iter().map(QuotaDto::from).collect::<Vec<_>>()))
}

/// Nominate a mentor (a college admin for their college, or a university admin).
///
/// While the round is `open` and today (Asia/Shanghai) is within the window, else 409
/// `nominations_closed`; a mentor of the round's year who was not dismissed, else 409
/// `not_eligible`; within the college's quota, else 409 `quota_full` (concurrent nominations are
/// counted one after the other); once per round (409 `duplicate`). An appointment of another
/// college answers like an unknown one (422 `invalid_reference`). The figures of this moment are
/// frozen on the nomination.
#[utoipa::path(
    operation_id = "create_award_nomination",
    tag = "awards",
    params(("id" = Uuid, Path, description = "Round id")),
    request_body = NominateRequest,
    responses(
        (status = 201, description = "Nominated", body = AwardNominationDto, headers(("Location" = String))),
        ActionErrors
    )
)]
#[post("/award-rounds/{id}/nominations")]
pub async fn nominate(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<NominateRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let n = repo::nominate(&state.db, &auth.principal, *id, b.appointment_id, b.statement).await?;
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, format!("/api/v1/award-nominations/{}", n.id)))
        .json(AwardNominationDto::from(n)))
}

/// The nominations of a round, in nomination order.
///
/// The university and the round's reviewers see every college's, a college admin their own
/// college's; others get 403. Each shows the figures frozen at nomination and those of now.
#[utoipa::path(
    operation_id = "list_award_nominations",
    tag = "awards",
    params(("id" = Uuid, Path, description = "Round id")),
    responses((status = 200, description = "The nominations", body = Vec<AwardNominationDto>), ReadErrors)
)]
#[get("/award-rounds/{id}/nominations")]
pub async fn nominations(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let n = repo::nominations(&state.db, &auth.principal, *id).await?;
    Ok(ok(&n.into_iter().map(AwardNominationDto::from).collect::<Vec<_>>()))
}

/// Get a nomination.
///
/// For the university, the round's reviewers and the nominating college's admins; 404 for anyone else.
#[utoipa::path(
    operation_id = "get_award_nomination",
    tag = "awards",
    params(("id" = Uuid, Path, description = "Nomination id")),
    responses((status = 200, description = "The nomination", body = AwardNominationDto), ReadErrors)
)]
#[get("/award-nominations/{id}")]
pub async fn get_nomination(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(ok(&AwardNominationDto::from(repo::get_nomination(&state.db, &auth.principal, *id).await?)))
}

/// Withdraw a nomination (its college's admin or a university admin).
///
/// Only while nominations are open (409 `nominations_closed`); the quota place is free again.
#[utoipa::path(
    operation_id = "withdraw_award_nomination",
    tag = "awards",
    params(("id" = Uuid, Path, description = "Nomination id")),
    responses((status = 204, description = "Withdrawn"), DeleteErrors)
)]
#[delete("/award-nominations/{id}")]
pub async fn withdraw(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    repo::withdraw(&state.db, &auth.principal, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Submit or replace the caller's score sheet on a nomination (a reviewer).
///
/// Reviewers are the university admins and the users the round names. While the round is
/// `reviewing` (409 `invalid_transition` otherwise); one sheet per reviewer, replaced by a new
/// submission until the round is finalized. Every criterion exactly once, 0 to its most points
/// (422 naming `scores.<key>`). A reviewer does not score a nominee of their own college (403).
#[utoipa::path(
    operation_id = "score_award_nomination",
    tag = "awards",
    params(("id" = Uuid, Path, description = "Nomination id")),
    request_body = ScoreRequest,
    responses((status = 200, description = "Scored; the nomination with the caller's sheet", body = AwardNominationDto), ActionErrors)
)]
#[post("/award-nominations/{id}/scores")]
pub async fn score(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<ScoreRequest>,
) -> Result<HttpResponse, ApiError> {
    let n = repo::score(&state.db, &auth.principal, *id, body.into_inner().scores).await?;
    Ok(ok(&AwardNominationDto::from(n)))
}

/// A round's ranking, with each line's breakdown.
///
/// Once finalized, the recorded result: every line for the university and the round's reviewers,
/// a college admin's own college's lines. Before that a preview by today's figures and sheets, for
/// university admins only (403 for others).
#[utoipa::path(
    operation_id = "get_award_results",
    tag = "awards",
    params(("id" = Uuid, Path, description = "Round id")),
    responses((status = 200, description = "The ranking", body = AwardResultsDto), ReadErrors)
)]
#[get("/award-rounds/{id}/results")]
pub async fn results(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    Ok(ok(&AwardResultsDto::from(repo::results(&state.db, &auth.principal, *id).await?)))
}

/// The awardees of a finalized round (public).
///
/// No token: names, colleges and units of the awardees only, first place first. 404 until the
/// round is finalized.
#[utoipa::path(
    operation_id = "get_public_award_results",
    tag = "awards",
    security(()),
    params(("id" = Uuid, Path, description = "Round id")),
    responses(
        (status = 200, description = "The awardees", body = PublicAwardResultsDto),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound)
    )
)]
#[get("/public/award-rounds/{id}/results")]
pub async fn public_results(state: web::Data<AppState>, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let (round, awardees) = repo::public_results(&state.db, *id).await?;
    Ok(ok(&PublicAwardResultsDto {
        round_id: round.id,
        title: round.rules.title,
        award: round.award,
        academic_year_id: round.academic_year_id,
        finalized_at: round.finalized_at,
        awardees: awardees.into_iter().map(AwardeeDto::from).collect(),
    }))
}
