//! Annual award rounds (年度优秀研究生党员学长评选表彰), each workflow one transaction: the
//! university sets a round's rules and moves it `draft → open → reviewing → finalized`; a college
//! nominates its mentors within its quota and the window (the round's row is locked, so two
//! nominations at once cannot pass the quota); reviewers keep one score sheet per nomination;
//! finalizing ranks by `domain::yearend::rank`, records the awards as commendations and freezes
//! the round — a second finalize answers with the recorded result and changes nothing.
//!
//! The feed and the audit log carry ids, states and numbers, never a nomination's statement.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use domain::Error as DomainError;
use domain::auth::{Principal, Role};
use domain::codes::{AuditAction, DomainEvent};
use domain::page::{Page, PageRequest, Sort, parse_sort};
use domain::yearend::{
    AwardKind, Candidate, Criterion, Figure, NominationFacts, RoundAction, RoundRules, RoundState, Weights,
    check_nomination, check_reviewer, is_reviewer, rank, sheet_total,
};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::entities::{
    academic_year, appointment, award_nomination, award_round, award_score, college, commendation, staff, student, user,
};
use crate::enums::{DbAppointmentState, DbAwardKind, DbRoundState};
use crate::query::{check_version, constraint, filter_eq, find_for_update, not_found, page};
use crate::{Db, Error, Result, audit, events};

const ROUND: &str = "award_round";
const NOMINATION: &str = "award_nomination";

/// A round as stored, with its rules decoded.
#[derive(Debug, Clone, Serialize)]
pub struct Round {
    /// Id.
    pub id: Uuid,
    /// Its academic year.
    pub academic_year_id: Uuid,
    /// Which award.
    pub award: AwardKind,
    /// Where it stands.
    pub state: RoundState,
    /// Its rules.
    #[serde(skip)]
    pub rules: RoundRules,
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

/// What the feed and the audit log say of a round.
#[derive(Serialize)]
struct RoundTrace<'a> {
    academic_year_id: Uuid,
    award: AwardKind,
    state: RoundState,
    title: &'a str,
    awards: u32,
}

fn round_trace(r: &Round) -> RoundTrace<'_> {
    RoundTrace {
        academic_year_id: r.academic_year_id,
        award: r.award,
        state: r.state,
        title: &r.rules.title,
        awards: r.rules.awards,
    }
}

#[derive(Serialize, Deserialize)]
struct StoredWeights {
    figures: BTreeMap<Figure, u32>,
    reviewers: u32,
}

#[derive(Serialize, Deserialize)]
struct StoredCriterion {
    key: String,
    title: String,
    max: u32,
}

fn decode<T: serde::de::DeserializeOwned>(v: Value, what: &str) -> Result<T> {
    serde_json::from_value(v).map_err(|e| Error::Internal(format!("stored {what} do not decode: {e}")))
}

fn round_of(m: award_round::Model) -> Result<Round> {
    let w: StoredWeights = decode(m.weights, "weights")?;
    let criteria: Vec<StoredCriterion> = decode(m.criteria, "criteria")?;
    let rules = RoundRules {
        title: m.title,
        nominations_open_on: m.nominations_open_on,
        nominations_close_on: m.nominations_close_on,
        quota_share_permille: u32::try_from(m.quota_share_permille).unwrap_or(0),
        college_quotas: decode(m.college_quotas, "quotas")?,
        awards: u32::try_from(m.awards).unwrap_or(0),
        weights: Weights { figures: w.figures, reviewers: w.reviewers },
        criteria: criteria.into_iter().map(|c| Criterion { key: c.key, title: c.title, max: c.max }).collect(),
        reviewer_ids: decode(m.reviewer_ids, "reviewers")?,
    };
    Ok(Round {
        id: m.id,
        academic_year_id: m.academic_year_id,
        award: m.award.into(),
        state: m.state.into(),
        rules,
        finalized_at: m.finalized_at,
        finalized_by: m.finalized_by,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

/// The stored columns of `rules`.
fn rules_columns(r: &RoundRules, m: &mut award_round::ActiveModel) {
    m.title = Set(r.title.clone());
    m.nominations_open_on = Set(r.nominations_open_on);
    m.nominations_close_on = Set(r.nominations_close_on);
    m.quota_share_permille = Set(i32::try_from(r.quota_share_permille).unwrap_or(i32::MAX));
    m.college_quotas = Set(json!(r.college_quotas));
    m.awards = Set(i32::try_from(r.awards).unwrap_or(i32::MAX));
    m.weights = Set(json!(StoredWeights { figures: r.weights.figures.clone(), reviewers: r.weights.reviewers }));
    m.criteria = Set(json!(
        r.criteria
            .iter()
            .map(|c| StoredCriterion { key: c.key.clone(), title: c.title.clone(), max: c.max })
            .collect::<Vec<_>>()
    ));
    m.reviewer_ids = Set(json!(r.reviewer_ids));
}

fn university_only(who: &Principal, what: &str) -> Result<()> {
    if who.is_university_admin() {
        Ok(())
    } else {
        Err(DomainError::Forbidden(format!("only a university admin {what}")).into())
    }
}

fn user_of(who: &Principal) -> Result<&domain::auth::UserPrincipal> {
    match who {
        Principal::User(u) => Ok(u),
        Principal::Client(_) => Err(DomainError::Forbidden("award rounds are for people of the program".into()).into()),
    }
}

/// Checks that the ids a round's rules name exist: reviewers are users, quota keys colleges. An
/// unknown id is `invalid_reference` on its field.
async fn check_references<C: ConnectionTrait>(conn: &C, r: &RoundRules) -> Result<()> {
    let users: HashSet<Uuid> = user::Entity::find()
        .filter(user::Column::Id.is_in(r.reviewer_ids.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect();
    if let Some(missing) = r.reviewer_ids.iter().find(|id| !users.contains(id)) {
        return Err(DomainError::invalid("reviewer_ids", "invalid_reference", format!("no user {missing}")).into());
    }
    let colleges: HashSet<Uuid> = college::Entity::find()
        .filter(college::Column::Id.is_in(r.college_quotas.keys().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    if let Some(missing) = r.college_quotas.keys().find(|id| !colleges.contains(id)) {
        return Err(DomainError::invalid("college_quotas", "invalid_reference", format!("no college {missing}")).into());
    }
    Ok(())
}

/// The university creates a round, as a draft. One per academic year and award (`duplicate`).
pub async fn create_round(
    db: &Db,
    who: &Principal,
    academic_year_id: Uuid,
    award: AwardKind,
    rules: RoundRules,
) -> Result<Round> {
    university_only(who, "creates award rounds")?;
    let rules = rules.check()?;
    let now = db.clock().now();
    let tx = db.begin().await?;
    if academic_year::Entity::find_by_id(academic_year_id).one(&tx).await?.is_none() {
        return Err(DomainError::invalid("academic_year_id", "invalid_reference", "no such academic year").into());
    }
    check_references(&tx, &rules).await?;
    let mut m = award_round::ActiveModel {
        id: Set(Uuid::now_v7()),
        academic_year_id: Set(academic_year_id),
        award: Set(DbAwardKind::from(award)),
        state: Set(DbRoundState::from(RoundState::Draft)),
        finalized_at: Set(None),
        finalized_by: Set(None),
        created_by: Set(who.actor().id),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    rules_columns(&rules, &mut m);
    let saved = m.insert(&tx).await.map_err(|e| constraint(e, "award", "academic_year_id"))?;
    let r = round_of(saved)?;
    audit::record(&tx, who.actor(), AuditAction::AwardRoundCreate, ROUND, Some(r.id), audit::created(&round_trace(&r)))
        .await?;
    tx.commit().await?;
    Ok(r)
}

/// The university changes a draft round's rules (`invalid_transition` once it opened).
pub async fn update_round(
    db: &Db,
    who: &Principal,
    id: Uuid,
    change: impl FnOnce(RoundRules) -> RoundRules,
    if_match: Option<i32>,
) -> Result<Round> {
    university_only(who, "changes award rounds")?;
    let now = db.clock().now();
    let tx = db.begin().await?;
    let before = round_of(find_for_update::<award_round::Entity, _>(&tx, id, ROUND).await?)?;
    check_version(if_match, before.version)?;
    if !before.state.rules_editable() {
        return Err(DomainError::InvalidTransition { from: before.state.to_string(), action: "update".into() }.into());
    }
    let rules = change(before.rules.clone()).check()?;
    check_references(&tx, &rules).await?;
    let mut m = award_round::ActiveModel {
        id: Set(id),
        version: Set(before.version + 1),
        updated_at: Set(now),
        ..Default::default()
    };
    rules_columns(&rules, &mut m);
    let after = round_of(m.update(&tx).await?)?;
    audit::record(
        &tx,
        who.actor(),
        AuditAction::AwardRoundUpdate,
        ROUND,
        Some(id),
        audit::updated(&round_trace(&before), &round_trace(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The rounds, newest first by default (sort keys `created_at`, `nominations_open_on`); anyone
/// logged in reads them (the rules are public to the program).
pub async fn list_rounds(
    db: &Db,
    who: &Principal,
    academic_year_id: Option<Uuid>,
    req: PageRequest,
    sort: Option<&str>,
) -> Result<Page<Round>> {
    user_of(who)?;
    let sort = parse_sort(
        sort,
        &[
            ("created_at", award_round::Column::CreatedAt),
            ("nominations_open_on", award_round::Column::NominationsOpenOn),
        ],
        Sort { key: award_round::Column::CreatedAt, descending: true },
    )
    .map_err(|e| DomainError::Validation(vec![e]))?;
    let select = filter_eq(award_round::Entity::find(), award_round::Column::AcademicYearId, academic_year_id);
    let p = page(db.reader(), select, req, sort, award_round::Column::Id).await?;
    let items = p.items.into_iter().map(round_of).collect::<Result<Vec<_>>>()?;
    Ok(Page { items, total: p.total, page: p.page, page_size: p.page_size })
}

/// One round.
pub async fn get_round(db: &Db, who: &Principal, id: Uuid) -> Result<Round> {
    user_of(who)?;
    round_of(crate::query::find::<award_round::Entity, _>(db.reader(), id, ROUND).await?)
}

/// The university opens nominations or starts the review; finalizing is [`finalize`].
pub async fn move_round(
    db: &Db,
    who: &Principal,
    id: Uuid,
    action: RoundAction,
    if_match: Option<i32>,
) -> Result<Round> {
    university_only(who, "moves award rounds")?;
    if action == RoundAction::Finalize {
        return Err(Error::Internal("finalize is its own use case".into()));
    }
    let now = db.clock().now();
    let tx = db.begin().await?;
    let before = round_of(find_for_update::<award_round::Entity, _>(&tx, id, ROUND).await?)?;
    check_version(if_match, before.version)?;
    let next = before.state.apply(action)?;
    let after = round_of(
        award_round::ActiveModel {
            id: Set(id),
            state: Set(next.into()),
            version: Set(before.version + 1),
            updated_at: Set(now),
            ..Default::default()
        }
        .update(&tx)
        .await?,
    )?;
    let audit_action =
        if action == RoundAction::Open { AuditAction::AwardRoundOpen } else { AuditAction::AwardRoundReview };
    audit::record(
        &tx,
        who.actor(),
        audit_action,
        ROUND,
        Some(id),
        audit::updated(&round_trace(&before), &round_trace(&after)),
    )
    .await?;
    if let Some(e) = DomainEvent::award_round_entered(next) {
        events::emit(&tx, e, ROUND, id, &round_trace(&after)).await?;
    }
    tx.commit().await?;
    Ok(after)
}

/// The figures a ranking weighs, for one appointment at `now`: those of
/// `usecases::performance` (see `Performance::figure`), `mentee_feedback` only where privacy lets
/// its mean be shown.
pub(crate) async fn figures<C: ConnectionTrait>(
    conn: &C,
    appointment_id: Uuid,
    now: DateTime<Utc>,
) -> Result<BTreeMap<Figure, f64>> {
    let p = super::performance::figures(conn, appointment_id, now).await?;
    Ok(Figure::ALL
        .iter()
        .filter(|f| **f != Figure::MenteeFeedback || p.mentee_feedback.mean.is_some())
        .map(|&f| (f, p.figure(f)))
        .collect())
}

/// A reviewer's score sheet.
#[derive(Debug, Clone, Serialize)]
pub struct Sheet {
    /// The reviewer (a user id).
    pub reviewer_id: Uuid,
    /// Points per criterion.
    pub scores: BTreeMap<String, u32>,
    /// Their sum.
    pub total: u32,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// A nomination with the names it refers to.
#[derive(Debug, Clone, Serialize)]
pub struct Nomination {
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
    /// The mentor's unit's name.
    pub unit_name: Option<String>,
    /// The college's statement.
    pub statement: String,
    /// The figures when nominated.
    pub figures_at_nomination: BTreeMap<Figure, f64>,
    /// The figures now (or, once the round is finalized, those it was ranked on).
    pub figures_now: BTreeMap<Figure, f64>,
    /// The score sheets the caller may see: all for the university, their own for a reviewer,
    /// none for a college.
    pub sheets: Vec<Sheet>,
    /// How many reviewers scored it.
    pub sheet_count: usize,
    /// Who nominated (a user id).
    pub nominated_by: Option<Uuid>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Its place once finalized.
    pub rank: Option<i32>,
    /// Whether it won an award (once finalized).
    pub awarded: bool,
}

/// How the caller stands to a round's nominations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reader {
    /// The university, or a reviewer the round names: every college.
    All { user: Uuid, university: bool },
    /// A college admin: their college only.
    College { user: Uuid, college: Uuid },
}

fn reader(who: &Principal, rules: &RoundRules) -> Result<Reader> {
    let u = user_of(who)?;
    if is_reviewer(u.role == Role::UniversityAdmin, u.id, rules) {
        return Ok(Reader::All { user: u.id, university: u.role == Role::UniversityAdmin });
    }
    match (u.role, u.college_id) {
        (Role::CollegeAdmin, Some(c)) => Ok(Reader::College { user: u.id, college: c }),
        _ => Err(DomainError::Forbidden(
            "only the university, the round's reviewers and college admins read nominations".into(),
        )
        .into()),
    }
}

impl Reader {
    fn sees(self, college_id: Uuid) -> bool {
        match self {
            Reader::All { .. } => true,
            Reader::College { college, .. } => college == college_id,
        }
    }
}

fn figures_of(v: Value) -> Result<BTreeMap<Figure, f64>> {
    decode(v, "figures")
}

/// The appointments of `models`, by id.
async fn appointments_of<C: ConnectionTrait>(
    conn: &C,
    models: &[award_nomination::Model],
) -> Result<Vec<appointment::Model>> {
    Ok(appointment::Entity::find()
        .filter(appointment::Column::Id.is_in(models.iter().map(|m| m.appointment_id)))
        .all(conn)
        .await?)
}

/// The nominations of `models`, named, with the sheets `r` may see and, when `live` is given,
/// today's figures of those not yet ranked. The live figures are computed one nomination at a
/// time (each is `usecases::performance::figures`, about twenty aggregate queries): a round
/// holds at most its colleges' quotas — a few dozen nominations — so the list stays a bounded
/// number of queries; the recorded ones are read from the stored result.
async fn hydrate<C: ConnectionTrait>(
    conn: &C,
    models: Vec<award_nomination::Model>,
    r: Reader,
    live: Option<DateTime<Utc>>,
) -> Result<Vec<Nomination>> {
    let ids: Vec<Uuid> = models.iter().map(|m| m.id).collect();
    let appointments = appointments_of(conn, &models).await?;
    let names = super::names_of(conn, &appointments).await?;
    let units: HashMap<Uuid, Uuid> = appointments.iter().map(|a| (a.id, a.unit_id)).collect();
    let mut sheets: HashMap<Uuid, Vec<Sheet>> = HashMap::new();
    for s in award_score::Entity::find()
        .filter(award_score::Column::NominationId.is_in(ids))
        .order_by_asc(award_score::Column::ReviewerId)
        .all(conn)
        .await?
    {
        sheets.entry(s.nomination_id).or_default().push(Sheet {
            reviewer_id: s.reviewer_id,
            scores: decode(s.scores, "scores")?,
            total: u32::try_from(s.total).unwrap_or(0),
            updated_at: s.updated_at,
        });
    }
    let mut out = Vec::with_capacity(models.len());
    for m in models {
        let all = sheets.remove(&m.id).unwrap_or_default();
        let sheet_count = all.len();
        let visible = match r {
            Reader::All { university: true, .. } => all,
            Reader::All { user, .. } => all.into_iter().filter(|s| s.reviewer_id == user).collect(),
            Reader::College { .. } => Vec::new(),
        };
        let figures_now = match &m.result {
            Some(res) => figures_of(res.get("figures").cloned().unwrap_or_else(|| json!({})))?,
            None => match live {
                Some(now) => figures(conn, m.appointment_id, now).await?,
                None => BTreeMap::new(),
            },
        };
        out.push(Nomination {
            id: m.id,
            round_id: m.round_id,
            appointment_id: m.appointment_id,
            mentor_id: m.mentor_id,
            mentor_name: names.student(m.mentor_id),
            college_id: m.college_id,
            college_name: names.college(m.college_id),
            unit_name: units.get(&m.appointment_id).and_then(|u| names.unit(*u)),
            statement: m.statement,
            figures_at_nomination: figures_of(m.figures)?,
            figures_now,
            sheets: visible,
            sheet_count,
            nominated_by: m.nominated_by,
            created_at: m.created_at,
            rank: m.rank,
            awarded: m.awarded,
        });
    }
    Ok(out)
}

/// Mentors of a college in the round's year: its appointments that were made (any state).
async fn college_mentors<C: ConnectionTrait>(conn: &C, academic_year_id: Uuid, college_id: Uuid) -> Result<u32> {
    let n = appointment::Entity::find()
        .filter(appointment::Column::AcademicYearId.eq(academic_year_id))
        .filter(appointment::Column::CollegeId.eq(college_id))
        .count(conn)
        .await?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

async fn college_nominations<C: ConnectionTrait>(conn: &C, round_id: Uuid, college_id: Uuid) -> Result<u32> {
    let n = award_nomination::Entity::find()
        .filter(award_nomination::Column::RoundId.eq(round_id))
        .filter(award_nomination::Column::CollegeId.eq(college_id))
        .count(conn)
        .await?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// What the feed and audit log say of a nomination: ids only.
#[derive(Serialize)]
struct NominationTrace {
    round_id: Uuid,
    appointment_id: Uuid,
    college_id: Uuid,
}

fn nomination_trace(m: &award_nomination::Model) -> NominationTrace {
    NominationTrace { round_id: m.round_id, appointment_id: m.appointment_id, college_id: m.college_id }
}

/// A college (its admin, or the university for any college) nominates a mentor of the round's
/// year: within the window while the round is open, within the college's quota, not a dismissed
/// mentor, once per round. The round's row is locked first, so concurrent nominations of one
/// college are counted one after the other.
pub async fn nominate(
    db: &Db,
    who: &Principal,
    round_id: Uuid,
    appointment_id: Uuid,
    statement: String,
) -> Result<Nomination> {
    let u = user_of(who)?;
    let statement = domain::yearend::check_statement(&statement)?;
    let now = db.clock().now();
    let tx = db.begin().await?;
    let round = round_of(find_for_update::<award_round::Entity, _>(&tx, round_id, ROUND).await?)?;
    let college_of_caller = match u.role {
        Role::UniversityAdmin => None,
        Role::CollegeAdmin => Some(u.college_id.ok_or_else(|| not_found(ROUND))?),
        _ => return Err(DomainError::Forbidden("only a college admin or the university nominates".into()).into()),
    };
    // An appointment of another college answers like an unknown one.
    let a = appointment::Entity::find_by_id(appointment_id)
        .one(&tx)
        .await?
        .filter(|a| college_of_caller.is_none_or(|c| c == a.college_id))
        .ok_or_else(|| {
            DomainError::invalid("appointment_id", "invalid_reference", "no such appointment in your college")
        })?;
    let mentors = college_mentors(&tx, round.academic_year_id, a.college_id).await?;
    let facts = NominationFacts {
        state: round.state,
        window: (round.rules.nominations_open_on, round.rules.nominations_close_on),
        today: domain::time::shanghai_date(now),
        same_year: a.academic_year_id == round.academic_year_id,
        dismissed: a.state == DbAppointmentState::Dismissed,
        served: true,
        college_nominations: college_nominations(&tx, round_id, a.college_id).await?,
        quota: round.rules.quota_of(a.college_id, mentors),
    };
    check_nomination(&facts)?;
    let frozen = figures(&tx, a.id, now).await?;
    let m = award_nomination::ActiveModel {
        id: Set(Uuid::now_v7()),
        round_id: Set(round_id),
        appointment_id: Set(a.id),
        college_id: Set(a.college_id),
        mentor_id: Set(a.student_id),
        statement: Set(statement),
        figures: Set(json!(frozen)),
        nominated_by: Set(Some(u.id)),
        rank: Set(None),
        score: Set(None),
        awarded: Set(false),
        result: Set(None),
        created_at: Set(now),
    }
    .insert(&tx)
    .await
    .map_err(|e| constraint(e, "appointment_id", "appointment_id"))?;
    audit::record(
        &tx,
        who.actor(),
        AuditAction::AwardNominationCreate,
        NOMINATION,
        Some(m.id),
        audit::created(&nomination_trace(&m)),
    )
    .await?;
    events::emit(&tx, DomainEvent::AwardNominationCreated, NOMINATION, m.id, &nomination_trace(&m)).await?;
    let r = reader(who, &round.rules).unwrap_or(Reader::All { user: u.id, university: true });
    let n = hydrate(&tx, vec![m], r, None).await?.pop().ok_or_else(|| not_found(NOMINATION))?;
    tx.commit().await?;
    Ok(n)
}

/// The nominations of a round the caller sees (a college admin: their college's), in nomination
/// order, each with its figures at nomination and now.
pub async fn nominations(db: &Db, who: &Principal, round_id: Uuid) -> Result<Vec<Nomination>> {
    let conn = db.reader();
    let round = round_of(crate::query::find::<award_round::Entity, _>(conn, round_id, ROUND).await?)?;
    let r = reader(who, &round.rules)?;
    let mut q = award_nomination::Entity::find().filter(award_nomination::Column::RoundId.eq(round_id));
    if let Reader::College { college, .. } = r {
        q = q.filter(award_nomination::Column::CollegeId.eq(college));
    }
    let models = q
        .order_by_asc(award_nomination::Column::CreatedAt)
        .order_by_asc(award_nomination::Column::Id)
        .all(conn)
        .await?;
    hydrate(conn, models, r, Some(db.clock().now())).await
}

/// Loads a nomination and its round for `who`: `NotFound` unless they see it.
async fn load_nomination<C: ConnectionTrait>(
    conn: &C,
    who: &Principal,
    id: Uuid,
    lock: bool,
) -> Result<(award_nomination::Model, Round, Reader)> {
    let m = award_nomination::Entity::find_by_id(id).one(conn).await?.ok_or_else(|| not_found(NOMINATION))?;
    let round = if lock {
        find_for_update::<award_round::Entity, _>(conn, m.round_id, ROUND).await?
    } else {
        crate::query::find::<award_round::Entity, _>(conn, m.round_id, ROUND).await?
    };
    let round = round_of(round)?;
    let r = reader(who, &round.rules).map_err(|_| not_found(NOMINATION))?;
    if !r.sees(m.college_id) {
        return Err(not_found(NOMINATION));
    }
    Ok((m, round, r))
}

/// One nomination, for the university, the round's reviewers and its college's admins.
pub async fn get_nomination(db: &Db, who: &Principal, id: Uuid) -> Result<Nomination> {
    let conn = db.reader();
    let (m, _, r) = load_nomination(conn, who, id, false).await?;
    hydrate(conn, vec![m], r, Some(db.clock().now())).await?.pop().ok_or_else(|| not_found(NOMINATION))
}

/// Its college (or the university) withdraws a nomination while nominations are open; its quota
/// place is free again.
pub async fn withdraw(db: &Db, who: &Principal, id: Uuid) -> Result<()> {
    let now = db.clock().now();
    let tx = db.begin().await?;
    let (m, round, r) = load_nomination(&tx, who, id, true).await?;
    let may = match r {
        Reader::All { university, .. } => university,
        Reader::College { .. } => true,
    };
    if !may {
        return Err(DomainError::Forbidden("only the nominating college or the university withdraws".into()).into());
    }
    let today = domain::time::shanghai_date(now);
    if round.state != RoundState::Open
        || today < round.rules.nominations_open_on
        || today > round.rules.nominations_close_on
    {
        return Err(DomainError::conflict(
            domain::codes::ConflictCode::NominationsClosed,
            "a nomination is withdrawn only while nominations are open",
        )
        .into());
    }
    award_nomination::Entity::delete_by_id(id).exec(&tx).await?;
    audit::record(
        &tx,
        who.actor(),
        AuditAction::AwardNominationWithdraw,
        NOMINATION,
        Some(id),
        audit::deleted(&nomination_trace(&m)),
    )
    .await?;
    events::emit(&tx, DomainEvent::AwardNominationWithdrawn, NOMINATION, id, &nomination_trace(&m)).await?;
    tx.commit().await?;
    Ok(())
}

/// The college of a reviewer: a college-scoped account's college, or a staff member's.
async fn reviewer_college<C: ConnectionTrait>(conn: &C, who: &Principal) -> Result<Option<Uuid>> {
    let u = user_of(who)?;
    if let Some(c) = u.college_id {
        return Ok(Some(c));
    }
    if let Some(s) = u.staff_id {
        return Ok(staff::Entity::find_by_id(s).one(conn).await?.map(|s| s.college_id));
    }
    if let Some(s) = u.student_id {
        return Ok(student::Entity::find_by_id(s).one(conn).await?.map(|s| s.college_id));
    }
    Ok(None)
}

/// A reviewer submits or replaces their score sheet on a nomination while the round is under
/// review. Not on a nominee of their own college (403).
pub async fn score(db: &Db, who: &Principal, id: Uuid, scores: BTreeMap<String, u32>) -> Result<Nomination> {
    let u = user_of(who)?;
    let now = db.clock().now();
    let tx = db.begin().await?;
    let (m, round, r) = load_nomination(&tx, who, id, true).await?;
    if !matches!(r, Reader::All { .. }) {
        return Err(DomainError::Forbidden("only the round's reviewers score".into()).into());
    }
    check_reviewer(reviewer_college(&tx, who).await?, m.college_id)?;
    if round.state != RoundState::Reviewing {
        return Err(DomainError::InvalidTransition { from: round.state.to_string(), action: "score".into() }.into());
    }
    let total = sheet_total(&round.rules.criteria, &scores)?;
    let existing = award_score::Entity::find_by_id((id, u.id)).one(&tx).await?;
    let row = award_score::ActiveModel {
        nomination_id: Set(id),
        reviewer_id: Set(u.id),
        scores: Set(json!(scores)),
        total: Set(i32::try_from(total).unwrap_or(i32::MAX)),
        created_at: Set(existing.as_ref().map_or(now, |e| e.created_at)),
        updated_at: Set(now),
    };
    if existing.is_some() {
        row.update(&tx).await?;
    } else {
        row.insert(&tx).await?;
    }
    audit::record(
        &tx,
        who.actor(),
        AuditAction::AwardScoreSubmit,
        NOMINATION,
        Some(id),
        json!({"round_id": round.id, "reviewer_id": u.id, "total": total}),
    )
    .await?;
    let n = hydrate(&tx, vec![m], r, None).await?.pop().ok_or_else(|| not_found(NOMINATION))?;
    tx.commit().await?;
    Ok(n)
}

/// One line of a ranking.
#[derive(Debug, Clone, Serialize)]
pub struct ResultRow {
    /// 1 for the first.
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
    /// The composite, in millionths of a point (0–100 points).
    pub score_micro: i64,
    /// Each weighed figure's part, in millionths of a point.
    pub parts_micro: BTreeMap<Figure, i64>,
    /// The reviewers' part, in millionths of a point.
    pub reviewers_micro: i64,
    /// The figures it was ranked on.
    pub figures: BTreeMap<Figure, f64>,
    /// The sheets' totals.
    pub sheet_totals: Vec<u32>,
    /// The tie-break that placed it after the line above, if the scores were equal.
    pub tie_broken_by: Option<String>,
    /// Whether it is among the awards.
    pub awarded: bool,
}

/// A round's ranking: the recorded one once finalized, else a preview computed now.
#[derive(Debug, Clone, Serialize)]
pub struct Results {
    /// The round.
    pub round: Round,
    /// Whether this is the recorded result (`false`: a preview by today's figures and sheets).
    pub finalized: bool,
    /// The lines, first place first.
    pub rows: Vec<ResultRow>,
}

#[derive(Serialize, Deserialize)]
struct StoredResult {
    figures: BTreeMap<Figure, f64>,
    parts: BTreeMap<Figure, i64>,
    reviewers: i64,
    sheet_totals: Vec<u32>,
    tie_broken_by: Option<String>,
}

/// Computes the ranking of a round's nominations now: each nomination with its stored result.
async fn compute<C: ConnectionTrait>(
    conn: &C,
    round: &Round,
    now: DateTime<Utc>,
) -> Result<Vec<(award_nomination::Model, domain::yearend::Ranked, StoredResult)>> {
    let models = award_nomination::Entity::find()
        .filter(award_nomination::Column::RoundId.eq(round.id))
        .order_by_asc(award_nomination::Column::Id)
        .all(conn)
        .await?;
    let mut totals: HashMap<Uuid, Vec<u32>> = HashMap::new();
    for s in award_score::Entity::find()
        .filter(award_score::Column::NominationId.is_in(models.iter().map(|m| m.id)))
        .order_by_asc(award_score::Column::ReviewerId)
        .all(conn)
        .await?
    {
        totals.entry(s.nomination_id).or_default().push(u32::try_from(s.total).unwrap_or(0));
    }
    let mut candidates = Vec::with_capacity(models.len());
    for m in &models {
        candidates.push(Candidate {
            nomination_id: m.id,
            nominated_at: m.created_at,
            figures: figures(conn, m.appointment_id, now).await?,
            sheet_totals: totals.remove(&m.id).unwrap_or_default(),
        });
    }
    let ranked = rank(&round.rules.weights, round.rules.max_sheet(), &candidates, round.rules.awards);
    let mut by_id: HashMap<Uuid, (award_nomination::Model, Candidate)> =
        models.into_iter().zip(candidates).map(|(m, c)| (m.id, (m, c))).collect();
    let mut out = Vec::with_capacity(ranked.len());
    for r in ranked {
        let Some((m, c)) = by_id.remove(&r.nomination_id) else { continue };
        let stored = StoredResult {
            figures: c.figures,
            parts: r.parts.clone(),
            reviewers: r.reviewers,
            sheet_totals: c.sheet_totals,
            tie_broken_by: r.tie_broken_by.map(str::to_owned),
        };
        out.push((m, r, stored));
    }
    Ok(out)
}

/// The names the result lines show (names only: no score sheets, no figures are loaded).
async fn named_rows<C: ConnectionTrait>(
    conn: &C,
    lines: Vec<(award_nomination::Model, i64, u32, bool, StoredResult)>,
) -> Result<Vec<ResultRow>> {
    let models: Vec<award_nomination::Model> = lines.iter().map(|l| l.0.clone()).collect();
    let appointments = appointments_of(conn, &models).await?;
    let names = super::names_of(conn, &appointments).await?;
    let units: HashMap<Uuid, Uuid> = appointments.iter().map(|a| (a.id, a.unit_id)).collect();
    Ok(lines
        .into_iter()
        .map(|(m, score, rank, awarded, s)| ResultRow {
            rank,
            nomination_id: m.id,
            appointment_id: m.appointment_id,
            mentor_name: names.student(m.mentor_id),
            college_id: m.college_id,
            college_name: names.college(m.college_id),
            unit_name: units.get(&m.appointment_id).and_then(|u| names.unit(*u)),
            score_micro: score,
            parts_micro: s.parts,
            reviewers_micro: s.reviewers,
            figures: s.figures,
            sheet_totals: s.sheet_totals,
            tie_broken_by: s.tie_broken_by,
            awarded,
        })
        .collect())
}

/// The recorded result of a finalized round.
async fn recorded<C: ConnectionTrait>(conn: &C, round: Round) -> Result<Results> {
    let models = award_nomination::Entity::find()
        .filter(award_nomination::Column::RoundId.eq(round.id))
        .order_by_asc(award_nomination::Column::Rank)
        .all(conn)
        .await?;
    let mut lines = Vec::with_capacity(models.len());
    for m in models {
        let stored: StoredResult = decode(m.result.clone().unwrap_or(Value::Null), "result")?;
        let rank = u32::try_from(m.rank.unwrap_or(0)).unwrap_or(0);
        let (score, awarded) = (m.score.unwrap_or(0), m.awarded);
        lines.push((m, score, rank, awarded, stored));
    }
    Ok(Results { round, finalized: true, rows: named_rows(conn, lines).await? })
}

/// A round's ranking with each breakdown: the recorded one once finalized (the university and the
/// round's reviewers see every line, a college admin their college's); before that a preview by
/// today's figures and sheets, for the university only.
pub async fn results(db: &Db, who: &Principal, round_id: Uuid) -> Result<Results> {
    let conn = db.reader();
    let round = round_of(crate::query::find::<award_round::Entity, _>(conn, round_id, ROUND).await?)?;
    let r = reader(who, &round.rules)?;
    let mut out = if round.state == RoundState::Finalized {
        recorded(conn, round).await?
    } else {
        university_only(who, "previews a ranking before the round is finalized")?;
        let lines = compute(conn, &round, db.clock().now())
            .await?
            .into_iter()
            .map(|(m, ranked, s)| (m, ranked.score, ranked.rank, ranked.awarded, s))
            .collect();
        Results { round, finalized: false, rows: named_rows(conn, lines).await? }
    };
    out.rows.retain(|row| r.sees(row.college_id));
    Ok(out)
}

/// An awardee as the public sees them.
#[derive(Debug, Clone, Serialize)]
pub struct Awardee {
    /// Their place.
    pub rank: u32,
    /// Their name.
    pub name: String,
    /// Their college.
    pub college_name: String,
    /// Their unit.
    pub unit_name: Option<String>,
}

/// The awardees of a finalized round, for anyone (no token): names, colleges and units only.
/// `NotFound` for a round not finalized.
pub async fn public_results(db: &Db, round_id: Uuid) -> Result<(Round, Vec<Awardee>)> {
    let conn = db.reader();
    let round = round_of(crate::query::find::<award_round::Entity, _>(conn, round_id, ROUND).await?)?;
    if round.state != RoundState::Finalized {
        return Err(not_found(ROUND));
    }
    let all = recorded(conn, round).await?;
    let awardees = all
        .rows
        .into_iter()
        .filter(|r| r.awarded)
        .map(|r| Awardee { rank: r.rank, name: r.mentor_name, college_name: r.college_name, unit_name: r.unit_name })
        .collect();
    Ok((all.round, awardees))
}

/// The university finalizes a round under review: ranks it, records each line, writes a
/// commendation on every awarded appointment (with its feed event) and freezes the round.
/// Idempotent: finalizing a finalized round returns the recorded result and changes nothing.
pub async fn finalize(db: &Db, who: &Principal, round_id: Uuid, if_match: Option<i32>) -> Result<Results> {
    university_only(who, "finalizes award rounds")?;
    let now = db.clock().now();
    let tx = db.begin().await?;
    let before = round_of(find_for_update::<award_round::Entity, _>(&tx, round_id, ROUND).await?)?;
    if before.state == RoundState::Finalized {
        let out = recorded(&tx, before).await?;
        tx.commit().await?;
        return Ok(out);
    }
    check_version(if_match, before.version)?;
    let next = before.state.apply(RoundAction::Finalize)?;
    let lines = compute(&tx, &before, now).await?;
    let today = domain::time::shanghai_date(now);
    for (m, ranked, stored) in &lines {
        award_nomination::ActiveModel {
            id: Set(m.id),
            rank: Set(Some(i32::try_from(ranked.rank).unwrap_or(i32::MAX))),
            score: Set(Some(ranked.score)),
            awarded: Set(ranked.awarded),
            result: Set(Some(json!(stored))),
            ..Default::default()
        }
        .update(&tx)
        .await?;
        if ranked.awarded {
            commend(&tx, who, &before, m.appointment_id, ranked.rank, today, now).await?;
        }
    }
    let after = round_of(
        award_round::ActiveModel {
            id: Set(round_id),
            state: Set(next.into()),
            finalized_at: Set(Some(now)),
            finalized_by: Set(who.actor().id),
            version: Set(before.version + 1),
            updated_at: Set(now),
            ..Default::default()
        }
        .update(&tx)
        .await?,
    )?;
    audit::record(
        &tx,
        who.actor(),
        AuditAction::AwardRoundFinalize,
        ROUND,
        Some(round_id),
        audit::updated(&round_trace(&before), &round_trace(&after)),
    )
    .await?;
    if let Some(e) = DomainEvent::award_round_entered(next) {
        events::emit(&tx, e, ROUND, round_id, &round_trace(&after)).await?;
    }
    let out = recorded(&tx, after).await?;
    tx.commit().await?;
    Ok(out)
}

/// Records an award as a commendation on the appointment, as `POST /appointments/{id}/commendations` does.
async fn commend(
    tx: &DatabaseTransaction,
    who: &Principal,
    round: &Round,
    appointment_id: Uuid,
    place: u32,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<()> {
    let c = domain::appointment::Commendation {
        id: Uuid::now_v7(),
        appointment_id,
        title: round.award.title_zh().to_owned(),
        reason: format!("{}（第{place}名）", round.rules.title),
        awarded_on: today,
        created_by: who.actor().id,
        created_at: now,
    };
    commendation::ActiveModel {
        id: Set(c.id),
        appointment_id: Set(c.appointment_id),
        title: Set(c.title.clone()),
        reason: Set(c.reason.clone()),
        awarded_on: Set(c.awarded_on),
        created_by: Set(c.created_by),
        created_at: Set(c.created_at),
    }
    .insert(tx)
    .await?;
    audit::record(tx, who.actor(), AuditAction::AppointmentCommend, "commendation", Some(c.id), audit::created(&c))
        .await?;
    events::emit(tx, DomainEvent::AppointmentCommended, "commendation", c.id, &c).await?;
    Ok(())
}

/// A college's quota in a round and how much of it is used.
#[derive(Debug, Clone, Serialize)]
pub struct Quota {
    /// The college.
    pub college_id: Uuid,
    /// Its name.
    pub college_name: String,
    /// Its mentors of the round's year.
    pub mentors: u32,
    /// How many it may nominate.
    pub quota: u32,
    /// How many it has nominated.
    pub used: u32,
}

/// The quotas of a round: every college for the university and the reviewers, their own for a
/// college admin. Two grouped counts (mentors of the year, nominations of the round, by college),
/// whatever the number of colleges.
pub async fn quotas(db: &Db, who: &Principal, round_id: Uuid) -> Result<Vec<Quota>> {
    let conn = db.reader();
    let round = round_of(crate::query::find::<award_round::Entity, _>(conn, round_id, ROUND).await?)?;
    let r = reader(who, &round.rules)?;
    let count = |v: Vec<(Uuid, i64)>| -> HashMap<Uuid, u32> {
        v.into_iter().map(|(c, n)| (c, u32::try_from(n).unwrap_or(u32::MAX))).collect()
    };
    let mentors = count(
        appointment::Entity::find()
            .select_only()
            .column(appointment::Column::CollegeId)
            .column_as(Expr::col(appointment::Column::Id).count(), "n")
            .filter(appointment::Column::AcademicYearId.eq(round.academic_year_id))
            .group_by(appointment::Column::CollegeId)
            .into_tuple()
            .all(conn)
            .await?,
    );
    let used = count(
        award_nomination::Entity::find()
            .select_only()
            .column(award_nomination::Column::CollegeId)
            .column_as(Expr::col(award_nomination::Column::Id).count(), "n")
            .filter(award_nomination::Column::RoundId.eq(round_id))
            .group_by(award_nomination::Column::CollegeId)
            .into_tuple()
            .all(conn)
            .await?,
    );
    let mut out = Vec::new();
    for c in college::Entity::find().order_by_asc(college::Column::Code).all(conn).await? {
        if !r.sees(c.id) {
            continue;
        }
        let mentors = mentors.get(&c.id).copied().unwrap_or(0);
        out.push(Quota {
            college_id: c.id,
            college_name: c.name,
            mentors,
            quota: round.rules.quota_of(c.id, mentors),
            used: used.get(&c.id).copied().unwrap_or(0),
        });
    }
    Ok(out)
}
