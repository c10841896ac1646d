//! Nominations (院推): created by a college or a student's self-application, reviewed and
//! recommended by the college, each carrying a live eligibility report.

use domain::{AuditAction, ConflictCode, DomainEvent};
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::auth::{Principal, Role};
use domain::page::{Page, PageRequest, Sort, parse_sort};
use domain::policy::{self};
use domain::reference::{AcademicYear, Student};
use domain::selection::{
    EligibilityReport, Evidence, Nomination, NominationAction, NominationSource, NominationState, Review, eligibility,
};
use domain::time::today;
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::entities::nomination::{ActiveModel, Column, Entity, Model};
use crate::entities::{academic_year, student};
use crate::enums::{DbNominationSource, DbNominationState};
use crate::query::{check_version, constraint, filter_eq, find_for_update, not_found, page};
use crate::reference::{students, units, years};
use crate::selection::records::{honors_of, sanctions_of};
use crate::{Db, Error, Result, audit, events};

const RESOURCE: &str = "nomination";

pub(crate) fn to_domain(m: Model) -> Nomination {
    let review = match (m.morality_score, m.research_score, m.leadership_score, m.reviewed_at) {
        (Some(morality), Some(research), Some(leadership), Some(reviewed_at)) => Some(Review {
            morality,
            research,
            leadership,
            comments: m.review_comments,
            reviewed_by: m.reviewed_by,
            reviewed_at,
        }),
        _ => None,
    };
    Nomination {
        id: m.id,
        student_id: m.student_id,
        academic_year_id: m.academic_year_id,
        college_id: m.college_id,
        unit_id: m.unit_id,
        source: m.source.into(),
        state: m.state.into(),
        statement: m.statement,
        // Evidence was validated when written; unreadable evidence would be a bug, shown as none.
        evidence: serde_json::from_value(m.evidence).unwrap_or_default(),
        justification: m.justification,
        review,
        decision_reason: m.decision_reason,
        created_by: m.created_by,
        submitted_at: m.submitted_at,
        recommended_at: m.recommended_at,
        decided_at: m.decided_at,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

fn to_active(n: &Nomination) -> ActiveModel {
    let r = n.review.as_ref();
    ActiveModel {
        id: Set(n.id),
        student_id: Set(n.student_id),
        academic_year_id: Set(n.academic_year_id),
        college_id: Set(n.college_id),
        unit_id: Set(n.unit_id),
        source: Set(DbNominationSource::from(n.source)),
        state: Set(DbNominationState::from(n.state)),
        statement: Set(n.statement.clone()),
        evidence: Set(serde_json::to_value(&n.evidence).unwrap_or_default()),
        justification: Set(n.justification.clone()),
        morality_score: Set(r.map(|r| r.morality)),
        research_score: Set(r.map(|r| r.research)),
        leadership_score: Set(r.map(|r| r.leadership)),
        review_comments: Set(r.and_then(|r| r.comments.clone())),
        reviewed_by: Set(r.and_then(|r| r.reviewed_by)),
        reviewed_at: Set(r.map(|r| r.reviewed_at)),
        decision_reason: Set(n.decision_reason.clone()),
        created_by: Set(n.created_by),
        submitted_at: Set(n.submitted_at),
        recommended_at: Set(n.recommended_at),
        decided_at: Set(n.decided_at),
        version: Set(n.version),
        created_at: Set(n.created_at),
        updated_at: Set(n.updated_at),
    }
}

/// Who a nomination is about, as shown with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudentBrief {
    /// Id.
    pub id: Uuid,
    /// 学号.
    pub student_no: String,
    /// Name.
    pub name: String,
}

/// A nomination with its student and its eligibility report as of today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NominationView {
    /// The nomination.
    pub nomination: Nomination,
    /// The student.
    pub student: StudentBrief,
    /// The eligibility report.
    pub eligibility: EligibilityReport,
}

/// Evaluates eligibility for the students of `noms` in their years, loading everything it needs
/// in four queries whatever the number of nominations.
pub(crate) async fn views<C: ConnectionTrait>(conn: &C, noms: Vec<Nomination>) -> Result<Vec<NominationView>> {
    let student_ids: Vec<Uuid> = noms.iter().map(|n| n.student_id).collect();
    let year_ids: Vec<Uuid> = noms.iter().map(|n| n.academic_year_id).collect();
    let studs: HashMap<Uuid, Student> = student::Entity::find()
        .filter(student::Column::Id.is_in(student_ids.clone()))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| (m.id, students::to_domain(m)))
        .collect();
    let yrs: HashMap<Uuid, AcademicYear> = academic_year::Entity::find()
        .filter(academic_year::Column::Id.is_in(year_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| (m.id, years::to_domain(m)))
        .collect();
    let honors = honors_of(conn, &student_ids).await?;
    let sanctions = sanctions_of(conn, &student_ids).await?;
    let day = today();
    noms.into_iter()
        .map(|n| {
            let s = studs.get(&n.student_id).ok_or_else(|| not_found("student"))?;
            let y = yrs.get(&n.academic_year_id).ok_or_else(|| not_found("academic_year"))?;
            let h: Vec<_> = honors.iter().filter(|h| h.student_id == s.id).cloned().collect();
            let sa: Vec<_> = sanctions.iter().filter(|x| x.student_id == s.id).cloned().collect();
            let report = eligibility(s, y, &h, &sa, day);
            Ok(NominationView {
                student: StudentBrief { id: s.id, student_no: s.student_no.clone(), name: s.name.clone() },
                eligibility: report,
                nomination: n,
            })
        })
        .collect()
}

async fn view<C: ConnectionTrait>(conn: &C, n: Nomination) -> Result<NominationView> {
    views(conn, vec![n]).await?.pop().ok_or_else(|| not_found(RESOURCE))
}

fn invalid_ref(field: &str, what: &str) -> Error {
    domain::Error::invalid(field, "invalid_reference", format!("no such {what}")).into()
}

/// A new nomination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNomination {
    /// The student.
    pub student_id: Uuid,
    /// The year.
    pub academic_year_id: Uuid,
    /// The unit (of the student's college).
    pub unit_id: Uuid,
    /// Statement of merit.
    pub statement: String,
    /// Evidence.
    pub evidence: Vec<Evidence>,
    /// Justification, where a rule warns.
    pub justification: Option<String>,
}

/// Starts a nomination as a draft: a college's nomination, or a student's self-application.
pub async fn create(db: &Db, who: &Principal, new: NewNomination) -> Result<NominationView> {
    let tx = db.begin().await?;
    let v = policy::student_visibility(who)?;
    let s = student::Entity::find_by_id(new.student_id)
        .one(&tx)
        .await?
        .map(students::to_domain)
        .filter(|s| policy::sees_student(v, s.id, s.college_id, s.supervisor_id))
        .ok_or_else(|| invalid_ref("student_id", "student"))?;
    let source: NominationSource = policy::nominate(who, s.college_id, s.id)?;
    let year = academic_year::Entity::find_by_id(new.academic_year_id)
        .one(&tx)
        .await?
        .map(years::to_domain)
        .ok_or_else(|| invalid_ref("academic_year_id", "academic year"))?;
    if year.closed {
        return Err(domain::Error::Conflict {
            code: ConflictCode::YearClosed,
            detail: format!("{} is closed", year.code),
        }
        .into());
    }
    let u = units::referenced(&tx, "unit_id", new.unit_id).await?;
    if u.college_id != s.college_id {
        return Err(domain::Error::invalid(
            "unit_id",
            "invalid_reference",
            "the unit belongs to another college than the student",
        )
        .into());
    }
    let now = crate::now();
    let n = Nomination {
        id: Uuid::now_v7(),
        student_id: s.id,
        academic_year_id: year.id,
        college_id: s.college_id,
        unit_id: u.id,
        source,
        state: NominationState::Draft,
        statement: new.statement,
        evidence: new.evidence,
        justification: new.justification,
        review: None,
        decision_reason: None,
        created_by: actor_id(who),
        submitted_at: None,
        recommended_at: None,
        decided_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    to_active(&n).insert(&tx).await.map_err(|e| {
        constraint(
            e,
            &format!("{} already has an open nomination for {}", s.name, year.code),
            "a referenced record vanished",
        )
    })?;
    audit::record(&tx, who.actor(), AuditAction::NominationCreate, RESOURCE, Some(n.id), audit::created(&n)).await?;
    events::emit(&tx, DomainEvent::NominationCreated, RESOURCE, n.id, &feed(&n)).await?;
    let out = view(&tx, n).await?;
    tx.commit().await?;
    Ok(out)
}

/// What the change feed carries of a nomination: who, for what, and where it stands — not the
/// statement, evidence, review or reasons, which stay with the college and the university.
pub(crate) fn feed(n: &Nomination) -> serde_json::Value {
    serde_json::json!({
        "id": n.id,
        "student_id": n.student_id,
        "academic_year_id": n.academic_year_id,
        "college_id": n.college_id,
        "unit_id": n.unit_id,
        "source": n.source,
        "state": n.state,
        "submitted_at": n.submitted_at,
        "recommended_at": n.recommended_at,
        "decided_at": n.decided_at,
        "version": n.version,
        "updated_at": n.updated_at,
    })
}

fn actor_id(who: &Principal) -> Option<Uuid> {
    who.actor().id
}

/// One nomination with its eligibility report, if the caller may see it.
pub async fn get(db: &Db, who: &Principal, id: Uuid) -> Result<NominationView> {
    let v = policy::selection_visibility(who)?;
    let n = Entity::find_by_id(id).one(db.reader()).await?.map(to_domain).ok_or_else(|| not_found(RESOURCE))?;
    if !crate::scope::sees(db.reader(), v, n.college_id, &[n.student_id]).await? {
        return Err(not_found(RESOURCE));
    }
    view(db.reader(), n).await
}

/// Filters of the nomination list.
#[derive(Debug, Clone, Default)]
pub struct NominationFilter {
    /// Only this year.
    pub academic_year_id: Option<Uuid>,
    /// Only this college.
    pub college_id: Option<Uuid>,
    /// Only this unit.
    pub unit_id: Option<Uuid>,
    /// Only this state.
    pub state: Option<NominationState>,
    /// Only this student.
    pub student_id: Option<Uuid>,
    /// Only this source.
    pub source: Option<NominationSource>,
}

/// Lists the nominations the caller may see, each with its eligibility report.
pub async fn list(
    db: &Db,
    who: &Principal,
    f: NominationFilter,
    req: PageRequest,
    sort: Option<&str>,
) -> Result<Page<NominationView>> {
    let v = policy::selection_visibility(who)?;
    let sort = parse_sort(
        sort,
        &[("created_at", Column::CreatedAt), ("updated_at", Column::UpdatedAt)],
        Sort { key: Column::CreatedAt, descending: true },
    )
    .map_err(|e| domain::Error::Validation(vec![e]))?;
    let mut select = crate::scope::restrict(Entity::find(), v, Column::CollegeId, &[Column::StudentId], Column::Id);
    select = filter_eq(select, Column::AcademicYearId, f.academic_year_id);
    select = filter_eq(select, Column::CollegeId, f.college_id);
    select = filter_eq(select, Column::UnitId, f.unit_id);
    select = filter_eq(select, Column::State, f.state.map(DbNominationState::from));
    select = filter_eq(select, Column::StudentId, f.student_id);
    select = filter_eq(select, Column::Source, f.source.map(DbNominationSource::from));
    let p = page(db.reader(), select, req, sort, Column::Id).await?;
    let items = views(db.reader(), p.items.into_iter().map(to_domain).collect()).await?;
    Ok(Page { items, total: p.total, page: p.page, page_size: p.page_size })
}

/// Loads a nomination for a change: locked, visible to the caller, at the expected version.
async fn load_for_change(
    tx: &DatabaseTransaction,
    who: &Principal,
    id: Uuid,
    if_match: Option<i32>,
) -> Result<Nomination> {
    let v = policy::selection_visibility(who)?;
    let n = to_domain(find_for_update::<Entity, _>(tx, id, RESOURCE).await?);
    if !crate::scope::sees(tx, v, n.college_id, &[n.student_id]).await? {
        return Err(not_found(RESOURCE));
    }
    check_version(if_match, n.version)?;
    Ok(n)
}

/// Saves a changed nomination with the next version, its audit event and its feed event.
async fn save(
    tx: &DatabaseTransaction,
    who: &Principal,
    before: &Nomination,
    mut after: Nomination,
    action: AuditAction,
) -> Result<Nomination> {
    after.version = before.version + 1;
    after.updated_at = crate::now();
    to_active(&after).update(tx).await?;
    audit::record(tx, who.actor(), action, RESOURCE, Some(after.id), audit::updated(before, &after)).await?;
    if before.state != after.state
        && let Some(event) = DomainEvent::nomination_entered(after.state)
    {
        events::emit(tx, event, RESOURCE, after.id, &feed(&after)).await?;
    }
    Ok(after)
}

/// Changes to a nomination's content.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NominationChanges {
    /// Statement.
    pub statement: Option<String>,
    /// Evidence.
    pub evidence: Option<Vec<Evidence>>,
    /// Unit.
    pub unit_id: Option<Uuid>,
    /// Justification (`Some(None)` clears it).
    pub justification: Option<Option<String>>,
}

/// Edits a nomination before it is recommended. A student edits their own self-application only
/// while it is a draft.
pub async fn edit(
    db: &Db,
    who: &Principal,
    id: Uuid,
    c: NominationChanges,
    if_match: Option<i32>,
) -> Result<NominationView> {
    let tx = db.begin().await?;
    let before = load_for_change(&tx, who, id, if_match).await?;
    policy::edit_nomination(who, before.college_id, before.student_id, before.source)?;
    if who.role() == Some(Role::Student) && before.state != NominationState::Draft {
        return Err(domain::Error::Forbidden(
            "a nomination can be edited by the student only while it is a draft".into(),
        )
        .into());
    }
    before.state.apply(NominationAction::Edit)?;
    let mut after = before.clone();
    if let Some(s) = c.statement {
        after.statement = s;
    }
    if let Some(e) = c.evidence {
        after.evidence = e;
    }
    if let Some(u) = c.unit_id {
        let unit = units::referenced(&tx, "unit_id", u).await?;
        if unit.college_id != after.college_id {
            return Err(
                domain::Error::invalid("unit_id", "invalid_reference", "the unit belongs to another college").into()
            );
        }
        after.unit_id = u;
    }
    if let Some(j) = c.justification {
        after.justification = j;
    }
    let after = save(&tx, who, &before, after, AuditAction::NominationEdit).await?;
    let out = view(&tx, after).await?;
    tx.commit().await?;
    Ok(out)
}

/// Hands a draft in to the college (the student themself, or the college).
pub async fn submit(db: &Db, who: &Principal, id: Uuid, if_match: Option<i32>) -> Result<NominationView> {
    let tx = db.begin().await?;
    let before = load_for_change(&tx, who, id, if_match).await?;
    policy::edit_nomination(who, before.college_id, before.student_id, before.source)?;
    let mut after = before.clone();
    after.state = before.state.apply(NominationAction::Submit)?;
    after.submitted_at = Some(crate::now());
    let after = save(&tx, who, &before, after, AuditAction::NominationSubmit).await?;
    let out = view(&tx, after).await?;
    tx.commit().await?;
    Ok(out)
}

/// The college reviewer's scores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scores {
    /// 道德品质 (0–100).
    pub morality: i32,
    /// 科研成果 (0–100).
    pub research: i32,
    /// 领导能力 (0–100).
    pub leadership: i32,
    /// Comments.
    pub comments: Option<String>,
}

/// Scores a submitted (or already reviewed) nomination.
pub async fn review(
    db: &Db,
    who: &Principal,
    id: Uuid,
    scores: Scores,
    if_match: Option<i32>,
) -> Result<NominationView> {
    let tx = db.begin().await?;
    let before = load_for_change(&tx, who, id, if_match).await?;
    policy::handle_nominations(who, before.college_id)?;
    let mut after = before.clone();
    after.state = before.state.apply(NominationAction::Review)?;
    after.review = Some(Review {
        morality: scores.morality,
        research: scores.research,
        leadership: scores.leadership,
        comments: scores.comments,
        reviewed_by: actor_id(who),
        reviewed_at: crate::now(),
    });
    let after = save(&tx, who, &before, after, AuditAction::NominationReview).await?;
    let out = view(&tx, after).await?;
    tx.commit().await?;
    Ok(out)
}

/// Recommends a reviewed nomination to the university. Refused while any eligibility rule fails;
/// a warning needs a written justification (given here or before).
pub async fn recommend(
    db: &Db,
    who: &Principal,
    id: Uuid,
    justification: Option<String>,
    if_match: Option<i32>,
) -> Result<NominationView> {
    let tx = db.begin().await?;
    let before = load_for_change(&tx, who, id, if_match).await?;
    policy::handle_nominations(who, before.college_id)?;
    let mut after = before.clone();
    after.state = before.state.apply(NominationAction::Recommend)?;
    if let Some(j) = justification {
        after.justification = Some(j);
    }
    let current = view(&tx, after.clone()).await?;
    after.check_recommendable(&current.eligibility)?;
    after.recommended_at = Some(crate::now());
    let after = save(&tx, who, &before, after, AuditAction::NominationRecommend).await?;
    let out = view(&tx, after).await?;
    tx.commit().await?;
    Ok(out)
}

/// Turns a nomination down with a reason. The college may reject until it recommends; after that
/// only the university may.
pub async fn reject(
    db: &Db,
    who: &Principal,
    id: Uuid,
    reason: String,
    if_match: Option<i32>,
) -> Result<NominationView> {
    let tx = db.begin().await?;
    let before = load_for_change(&tx, who, id, if_match).await?;
    policy::handle_nominations(who, before.college_id)?;
    if before.state == NominationState::Recommended && !who.is_university_admin() {
        return Err(domain::Error::Forbidden("a recommended nomination is the university's to reject".into()).into());
    }
    let mut after = before.clone();
    after.state = before.state.apply(NominationAction::Reject)?;
    after.decision_reason = Some(reason);
    after.decided_at = Some(crate::now());
    let after = save(&tx, who, &before, after, AuditAction::NominationReject).await?;
    let out = view(&tx, after).await?;
    tx.commit().await?;
    Ok(out)
}

/// Takes a nomination back (the student, their college, or the university).
pub async fn withdraw(
    db: &Db,
    who: &Principal,
    id: Uuid,
    reason: Option<String>,
    if_match: Option<i32>,
) -> Result<NominationView> {
    let tx = db.begin().await?;
    let before = load_for_change(&tx, who, id, if_match).await?;
    policy::own_or_handle_nomination(who, before.college_id, before.student_id)?;
    let mut after = before.clone();
    after.state = before.state.apply(NominationAction::Withdraw)?;
    after.decision_reason = reason;
    after.decided_at = Some(crate::now());
    let after = save(&tx, who, &before, after, AuditAction::NominationWithdraw).await?;
    let out = view(&tx, after).await?;
    tx.commit().await?;
    Ok(out)
}

/// Marks a recommended nomination appointed inside the caller's transaction. The conditional
/// update is what makes two concurrent appointments of one nomination produce one: the loser
/// finds the state changed and gets `invalid_transition`.
pub(crate) async fn mark_appointed(
    tx: &DatabaseTransaction,
    who: &Principal,
    n: &Nomination,
    at: DateTime<Utc>,
) -> Result<Nomination> {
    let mut after = n.clone();
    after.state = n.state.apply(NominationAction::Appoint)?;
    after.decided_at = Some(at);
    after.version = n.version + 1;
    after.updated_at = at;
    let res = Entity::update_many()
        .set(to_active(&after))
        .filter(Column::Id.eq(n.id))
        .filter(Column::State.eq(DbNominationState::Recommended))
        .exec(tx)
        .await?;
    if res.rows_affected != 1 {
        return Err(domain::Error::InvalidTransition { from: "appointed".into(), action: "appoint".into() }.into());
    }
    audit::record(tx, who.actor(), AuditAction::NominationAppoint, RESOURCE, Some(n.id), audit::updated(n, &after))
        .await?;
    events::emit(tx, DomainEvent::NominationAppointed, RESOURCE, n.id, &feed(&after)).await?;
    Ok(after)
}

/// Loads a nomination for appointment (locked).
pub(crate) async fn for_appointment(tx: &DatabaseTransaction, id: Uuid) -> Result<Nomination> {
    Ok(to_domain(find_for_update::<Entity, _>(tx, id, RESOURCE).await?))
}

/// The recommended nominations of a college and year, for bulk appointment.
pub(crate) async fn recommended_of(
    tx: &DatabaseTransaction,
    college_id: Uuid,
    year_id: Uuid,
) -> Result<Vec<Nomination>> {
    // All of them are locked up front, in id order, before the first appointment writes an event.
    Ok(Entity::find()
        .filter(Column::CollegeId.eq(college_id))
        .filter(Column::AcademicYearId.eq(year_id))
        .filter(Column::State.eq(DbNominationState::Recommended))
        .order_by_asc(Column::Id)
        .lock_exclusive()
        .all(tx)
        .await?
        .into_iter()
        .map(to_domain)
        .collect())
}
