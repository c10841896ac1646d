//! Pairing (结对子): mentor–mentee links made by hand or by auto-matching, ended with a reason and
//! kept as history; mentee feedback; the students who need a mentor.
//!
//! Capacity and "one active mentor per mentee per year" hold under concurrency: every pairing of
//! an appointment is made while holding that appointment's row lock (PostgreSQL) or the single
//! SQLite writer, and a partial unique index backs the mentee rule.

use domain::{AuditAction, ConflictCode, DomainEvent};
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use domain::appointment::Appointment;
use domain::auth::Principal;
use domain::page::{Page, PageRequest, Sort, parse_sort};
use domain::pairing::{
    Freshman, MatchTier, MentorSlot, Pairing, PairingSource, PairingState, RatingSummary, Term, TermRatings, Unmatched,
    auto_match as propose, check_rating, is_freshman, mentor_summary, summarize,
};
use domain::policy::{self};
use domain::reference::{Student, UnitKind};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Condition, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, SqlErr,
};
use uuid::Uuid;

use crate::entities::pairing::{ActiveModel, Column, Entity, Model};
use crate::entities::{academic_year, appointment, pairing_feedback, student, unit};
use crate::enums::{DbAppointmentState, DbEndReason, DbPairingSource, DbPairingState, DbTerm};
use crate::query::{filter_eq, find_for_update, not_found, page};
use crate::reference::students;
use crate::reference::years::{self, first_year};
use crate::selection::appointments::{self as appointments_repo};
use crate::{Db, Error, Result, audit, events};
use domain::time::today;

const RESOURCE: &str = "pairing";

pub(crate) fn to_domain(m: Model) -> Pairing {
    Pairing {
        id: m.id,
        appointment_id: m.appointment_id,
        mentor_id: m.mentor_id,
        mentee_id: m.mentee_id,
        academic_year_id: m.academic_year_id,
        college_id: m.college_id,
        cross_unit: m.cross_unit,
        source: m.source.into(),
        state: m.state.into(),
        created_by: m.created_by,
        ended_at: m.ended_at,
        end_reason: m.end_reason.map(Into::into),
        end_note: m.end_note,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

fn to_active(p: &Pairing) -> ActiveModel {
    ActiveModel {
        id: Set(p.id),
        appointment_id: Set(p.appointment_id),
        mentor_id: Set(p.mentor_id),
        mentee_id: Set(p.mentee_id),
        academic_year_id: Set(p.academic_year_id),
        college_id: Set(p.college_id),
        cross_unit: Set(p.cross_unit),
        source: Set(DbPairingSource::from(p.source)),
        state: Set(DbPairingState::from(p.state)),
        created_by: Set(p.created_by),
        ended_at: Set(p.ended_at),
        end_reason: Set(p.end_reason.map(DbEndReason::from)),
        end_note: Set(p.end_note.clone()),
        version: Set(p.version),
        created_at: Set(p.created_at),
        updated_at: Set(p.updated_at),
    }
}

/// What the change feed carries of a pairing: everything but the free-text note on its ending.
fn feed(p: &Pairing) -> serde_json::Value {
    serde_json::json!({
        "id": p.id,
        "appointment_id": p.appointment_id,
        "mentor_id": p.mentor_id,
        "mentee_id": p.mentee_id,
        "academic_year_id": p.academic_year_id,
        "college_id": p.college_id,
        "cross_unit": p.cross_unit,
        "source": p.source,
        "state": p.state,
        "ended_at": p.ended_at,
        "end_reason": p.end_reason,
        "version": p.version,
        "updated_at": p.updated_at,
    })
}

pub use crate::reference::students::Person;

/// A mentee's contact details, shown to their mentor and the college.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
}

/// A pairing as the caller may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairingView {
    /// The pairing.
    pub pairing: Pairing,
    /// The mentor.
    pub mentor: Person,
    /// The contact details the mentor shares with mentees.
    pub mentor_contact: Option<String>,
    /// The mentee.
    pub mentee: Person,
    /// The mentee's contact details: only for the mentor and the college.
    pub mentee_contact: Option<Contact>,
}

async fn views<C: ConnectionTrait>(conn: &C, who: &Principal, list: Vec<Pairing>) -> Result<Vec<PairingView>> {
    let studs = students::by_id(conn, list.iter().flat_map(|p| [p.mentor_id, p.mentee_id])).await?;
    let appointment_ids: Vec<Uuid> = list.iter().map(|p| p.appointment_id).collect();
    let contacts: HashMap<Uuid, Option<String>> = appointment::Entity::find()
        .filter(appointment::Column::Id.is_in(appointment_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| (a.id, a.contact_for_mentees))
        .collect();
    list.into_iter()
        .map(|p| {
            let mentor = studs.get(&p.mentor_id).ok_or_else(|| not_found("student"))?;
            let mentee = studs.get(&p.mentee_id).ok_or_else(|| not_found("student"))?;
            let sees_contact = policy::is_student(who, p.mentor_id) || policy::administers(who, p.college_id);
            Ok(PairingView {
                mentor: mentor.into(),
                mentor_contact: contacts.get(&p.appointment_id).cloned().flatten(),
                mentee: mentee.into(),
                mentee_contact: sees_contact
                    .then(|| Contact { phone: mentee.phone.clone(), email: mentee.email.clone() }),
                pairing: p,
            })
        })
        .collect()
}

/// One pairing as the caller may see it.
pub(crate) async fn one_view<C: ConnectionTrait>(conn: &C, who: &Principal, p: Pairing) -> Result<PairingView> {
    views(conn, who, vec![p]).await?.pop().ok_or_else(|| not_found(RESOURCE))
}

/// How many active mentees an appointment has.
pub(crate) async fn active_count<C: ConnectionTrait>(conn: &C, appointment_id: Uuid) -> Result<u64> {
    Ok(Entity::find()
        .filter(Column::AppointmentId.eq(appointment_id))
        .filter(Column::State.eq(DbPairingState::Active))
        .count(conn)
        .await?)
}

fn already_paired_conflict() -> Error {
    domain::Error::conflict(
        ConflictCode::MenteeAlreadyPaired,
        "the mentee already has an active mentor this academic year",
    )
    .into()
}

fn already_paired(e: sea_orm::DbErr) -> Error {
    match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => already_paired_conflict(),
        _ => e.into(),
    }
}

/// Appends `events` about `p` to the change feed.
async fn publish(tx: &DatabaseTransaction, p: &Pairing, list: &[DomainEvent]) -> Result<()> {
    for e in list {
        events::emit(tx, *e, RESOURCE, p.id, &feed(p)).await?;
    }
    Ok(())
}

/// Inserts a new pairing with its audit entry and `events`. The mentee rule is checked first for
/// a clear answer; the unique index decides races.
pub(crate) async fn insert(
    tx: &DatabaseTransaction,
    who: &Principal,
    p: &Pairing,
    events: &[DomainEvent],
) -> Result<()> {
    let taken = Entity::find()
        .filter(Column::MenteeId.eq(p.mentee_id))
        .filter(Column::AcademicYearId.eq(p.academic_year_id))
        .filter(Column::State.eq(DbPairingState::Active))
        .count(tx)
        .await?;
    if taken > 0 {
        return Err(already_paired_conflict());
    }
    to_active(p).insert(tx).await.map_err(already_paired)?;
    audit::record(tx, who.actor(), AuditAction::PairingCreate, RESOURCE, Some(p.id), audit::created(p)).await?;
    publish(tx, p, events).await
}

/// Saves an ended pairing with its audit entry and `events`.
pub(crate) async fn save_ended(
    tx: &DatabaseTransaction,
    who: &Principal,
    before: &Pairing,
    after: &Pairing,
    events: &[DomainEvent],
) -> Result<()> {
    to_active(after).update(tx).await?;
    audit::record(tx, who.actor(), AuditAction::PairingEnd, RESOURCE, Some(after.id), audit::updated(before, after))
        .await?;
    publish(tx, after, events).await
}

/// Locks a pairing the caller may see, for a change in the caller's transaction.
pub(crate) async fn lock_visible(tx: &DatabaseTransaction, who: &Principal, id: Uuid) -> Result<Pairing> {
    let v = policy::pairing_visibility(who)?;
    let p = to_domain(find_for_update::<Entity, _>(tx, id, RESOURCE).await?);
    if !crate::scope::sees(tx, v, p.college_id, &[p.mentee_id, p.mentor_id]).await? {
        return Err(not_found(RESOURCE));
    }
    Ok(p)
}

/// One pairing, if the caller may see it.
pub async fn get(db: &Db, who: &Principal, id: Uuid) -> Result<PairingView> {
    let v = policy::pairing_visibility(who)?;
    let p = Entity::find_by_id(id).one(db.reader()).await?.map(to_domain).ok_or_else(|| not_found(RESOURCE))?;
    if !crate::scope::sees(db.reader(), v, p.college_id, &[p.mentee_id, p.mentor_id]).await? {
        return Err(not_found(RESOURCE));
    }
    one_view(db.reader(), who, p).await
}

/// Filters of the pairing list.
#[derive(Debug, Clone, Default)]
pub struct PairingFilter {
    /// Only this year.
    pub academic_year_id: Option<Uuid>,
    /// Only this college.
    pub college_id: Option<Uuid>,
    /// Only mentors serving this unit.
    pub unit_id: Option<Uuid>,
    /// Only this appointment.
    pub appointment_id: Option<Uuid>,
    /// Only this mentee.
    pub mentee_id: Option<Uuid>,
    /// Only this mentor (a student id).
    pub mentor_id: Option<Uuid>,
    /// Only this state.
    pub state: Option<PairingState>,
}

/// The pairings visible under `v` that match `f`, unordered.
pub(crate) fn filtered(v: policy::Visibility, f: &PairingFilter) -> sea_orm::Select<Entity> {
    let mut select =
        crate::scope::restrict(Entity::find(), v, Column::CollegeId, &[Column::MenteeId, Column::MentorId], Column::Id);
    select = filter_eq(select, Column::AcademicYearId, f.academic_year_id);
    select = filter_eq(select, Column::CollegeId, f.college_id);
    select = filter_eq(select, Column::AppointmentId, f.appointment_id);
    select = filter_eq(select, Column::MenteeId, f.mentee_id);
    select = filter_eq(select, Column::MentorId, f.mentor_id);
    select = filter_eq(select, Column::State, f.state.map(DbPairingState::from));
    if let Some(u) = f.unit_id {
        select = select.filter(
            Column::AppointmentId.in_subquery(
                Query::select()
                    .column(appointment::Column::Id)
                    .from(appointment::Entity)
                    .and_where(appointment::Column::UnitId.eq(u))
                    .to_owned(),
            ),
        );
    }
    select
}

/// Lists the pairings the caller may see.
pub async fn list(
    db: &Db,
    who: &Principal,
    f: PairingFilter,
    req: PageRequest,
    sort: Option<&str>,
) -> Result<Page<PairingView>> {
    let v = policy::pairing_visibility(who)?;
    let sort = parse_sort(
        sort,
        &[("created_at", Column::CreatedAt), ("updated_at", Column::UpdatedAt)],
        Sort { key: Column::CreatedAt, descending: true },
    )
    .map_err(|e| domain::Error::Validation(vec![e]))?;
    let select = filtered(v, &f);
    let p = page(db.reader(), select, req, sort, Column::Id).await?;
    let items = views(db.reader(), who, p.items.into_iter().map(to_domain).collect()).await?;
    Ok(Page { items, total: p.total, page: p.page, page_size: p.page_size })
}

/// The active mentees of an appointment: for its mentor and the college.
pub async fn mentees(db: &Db, who: &Principal, appointment_id: Uuid) -> Result<Vec<PairingView>> {
    let a = appointments_repo::get(db, who, appointment_id).await?.appointment;
    if !(policy::is_student(who, a.student_id) || policy::administers(who, a.college_id)) {
        return Err(domain::Error::Forbidden("only the mentor and the college see the mentees".into()).into());
    }
    let list: Vec<Pairing> = Entity::find()
        .filter(Column::AppointmentId.eq(appointment_id))
        .filter(Column::State.eq(DbPairingState::Active))
        .order_by_asc(Column::CreatedAt)
        .all(db.reader())
        .await?
        .into_iter()
        .map(to_domain)
        .collect();
    views(db.reader(), who, list).await
}

/// Locks the active pairings of an appointment (its term ends early).
pub(crate) async fn lock_active_of_appointment(tx: &DatabaseTransaction, appointment_id: Uuid) -> Result<Vec<Pairing>> {
    Ok(Entity::find()
        .filter(Column::AppointmentId.eq(appointment_id))
        .filter(Column::State.eq(DbPairingState::Active))
        .lock_exclusive()
        .all(tx)
        .await?
        .into_iter()
        .map(to_domain)
        .collect())
}

/// Locks the active pairings of a year (the year is closed).
pub(crate) async fn lock_active_of_year(tx: &DatabaseTransaction, year_id: Uuid) -> Result<Vec<Pairing>> {
    Ok(Entity::find()
        .filter(Column::AcademicYearId.eq(year_id))
        .filter(Column::State.eq(DbPairingState::Active))
        .lock_exclusive()
        .all(tx)
        .await?
        .into_iter()
        .map(to_domain)
        .collect())
}

/// Why a student is listed as needing a mentor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeedsMentor {
    /// A freshman of the year without a mentor.
    Freshman,
    /// Their mentor was dismissed or resigned this year.
    MentorLeft,
}

/// The students of a college who need a mentor this year: unpaired freshmen, and mentees whose
/// mentor was dismissed or resigned and who have no new mentor yet. For the college and the
/// university.
pub async fn unpaired(db: &Db, who: &Principal, year_id: Uuid, college_id: Uuid) -> Result<Vec<(Person, NeedsMentor)>> {
    if !policy::administers(who, college_id) {
        return Err(
            domain::Error::Forbidden("only the college and the university see who needs a mentor".into()).into()
        );
    }
    let year =
        years::to_domain(crate::query::find::<academic_year::Entity, _>(db.reader(), year_id, "academic_year").await?);
    let first = first_year(&year)?;
    let paired: HashSet<Uuid> = active_mentees_of(db.reader(), year_id).await?;
    let orphaned: HashSet<Uuid> = Entity::find()
        .filter(Column::AcademicYearId.eq(year_id))
        .filter(Column::CollegeId.eq(college_id))
        .filter(Column::EndReason.is_in([DbEndReason::Dismissal, DbEndReason::Resignation]))
        .all(db.reader())
        .await?
        .into_iter()
        .map(|m| m.mentee_id)
        .collect();
    let candidates = student::Entity::find()
        .filter(student::Column::CollegeId.eq(college_id))
        .filter(student::Column::Status.eq(crate::enums::DbStudentStatus::Enrolled))
        .filter(
            Condition::any()
                .add(student::Column::EnrollmentYear.eq(first))
                .add(student::Column::Id.is_in(orphaned.iter().copied())),
        )
        .order_by_asc(student::Column::StudentNo)
        .all(db.reader())
        .await?;
    Ok(candidates
        .into_iter()
        .filter(|s| !paired.contains(&s.id))
        .map(|m| {
            let why = if orphaned.contains(&m.id) { NeedsMentor::MentorLeft } else { NeedsMentor::Freshman };
            (Person::from(&students::to_domain(m)), why)
        })
        .collect())
}

async fn active_mentees_of<C: ConnectionTrait>(conn: &C, year_id: Uuid) -> Result<HashSet<Uuid>> {
    Ok(Entity::find()
        .select_only()
        .column(Column::MenteeId)
        .filter(Column::AcademicYearId.eq(year_id))
        .filter(Column::State.eq(DbPairingState::Active))
        .into_tuple::<Uuid>()
        .all(conn)
        .await?
        .into_iter()
        .collect())
}

/// One proposed or made pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedPair {
    /// The freshman.
    pub mentee: Person,
    /// The mentor's appointment.
    pub appointment_id: Uuid,
    /// The mentor.
    pub mentor: Person,
    /// How close.
    pub tier: MatchTier,
}

/// The outcome of auto-matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchOutcome {
    /// Whether the pairs were written.
    pub committed: bool,
    /// The pairs (proposed, or made when committed).
    pub pairs: Vec<MatchedPair>,
    /// Freshmen left without a mentor, and why.
    pub unmatched: Vec<(Person, Unmatched)>,
}

/// Auto-matches a college's unpaired freshmen of a year to its mentors (see
/// `domain::pairing::auto_match`). A dry run writes nothing. A commit locks every appointment of the
/// college and year (in id order), computes the proposal from the state under those locks and
/// writes it in the same transaction, so it never exceeds a capacity whatever happened since a dry run.
pub async fn auto_match(
    db: &Db,
    who: &Principal,
    year_id: Uuid,
    college_id: Uuid,
    dry_run: bool,
) -> Result<MatchOutcome> {
    policy::manage_pairings(who, college_id)?;
    let tx = db.begin().await?;
    // The year (shared) before the appointments, the order closing a year takes them in.
    let year = appointments_repo::open_year(&tx, year_id).await.map_err(|e| match e {
        Error::Domain(domain::Error::NotFound { .. }) => {
            domain::Error::invalid("academic_year", "invalid_reference", "no such academic year").into()
        }
        other => other,
    })?;
    let first = first_year(&year)?;

    let apps: Vec<Appointment> = appointment::Entity::find()
        .filter(appointment::Column::CollegeId.eq(college_id))
        .filter(appointment::Column::AcademicYearId.eq(year_id))
        .filter(appointment::Column::State.eq(DbAppointmentState::Active))
        .order_by_asc(appointment::Column::Id)
        .lock_exclusive()
        .all(&tx)
        .await?
        .into_iter()
        .map(appointments_repo::to_domain)
        .collect();
    let units: HashMap<Uuid, (UnitKind, Option<Uuid>)> = unit::Entity::find()
        .filter(unit::Column::CollegeId.eq(college_id))
        .all(&tx)
        .await?
        .into_iter()
        .map(|u| (u.id, (u.kind.into(), u.discipline_id)))
        .collect();
    let discipline_of = |unit: Option<Uuid>| -> Option<Uuid> {
        let u = unit?;
        match units.get(&u) {
            Some((UnitKind::Discipline, _)) => Some(u),
            Some((_, d)) => *d,
            None => None,
        }
    };
    let mut taken: HashMap<Uuid, u32> = HashMap::new();
    for m in Entity::find()
        .filter(Column::AppointmentId.is_in(apps.iter().map(|a| a.id)))
        .filter(Column::State.eq(DbPairingState::Active))
        .all(&tx)
        .await?
    {
        *taken.entry(m.appointment_id).or_default() += 1;
    }
    let mentors_by_id = students::by_id(&tx, apps.iter().map(|a| a.student_id)).await?;
    let slots: Vec<MentorSlot> = apps
        .iter()
        .filter_map(|a| {
            let m = mentors_by_id.get(&a.student_id)?;
            Some(MentorSlot {
                appointment_id: a.id,
                key: m.student_no.clone(),
                unit_id: a.unit_id,
                discipline_id: discipline_of(Some(a.unit_id)),
                enrollment_year: m.enrollment_year,
                capacity: u32::try_from(a.capacity.max(0)).unwrap_or(0),
                taken: taken.get(&a.id).copied().unwrap_or(0),
            })
        })
        .collect();

    let paired = active_mentees_of(&tx, year_id).await?;
    let freshmen_rows: Vec<Student> = student::Entity::find()
        .filter(student::Column::CollegeId.eq(college_id))
        .filter(student::Column::EnrollmentYear.eq(first))
        .filter(student::Column::Status.eq(crate::enums::DbStudentStatus::Enrolled))
        .all(&tx)
        .await?
        .into_iter()
        .map(students::to_domain)
        .filter(|s| !paired.contains(&s.id) && is_freshman(s, first))
        .collect();
    let freshmen: Vec<Freshman> = freshmen_rows
        .iter()
        .map(|s| Freshman {
            id: s.id,
            key: s.student_no.clone(),
            unit_id: s.unit_id,
            discipline_id: discipline_of(s.unit_id),
            enrollment_year: s.enrollment_year,
        })
        .collect();
    let proposal = propose(&freshmen, &slots);

    let fresh_by_id: HashMap<Uuid, &Student> = freshmen_rows.iter().map(|s| (s.id, s)).collect();
    let app_by_id: HashMap<Uuid, &Appointment> = apps.iter().map(|a| (a.id, a)).collect();
    let mut pairs = Vec::with_capacity(proposal.pairs.len());
    let mut made = Vec::new();
    let at = crate::now();
    for pp in &proposal.pairs {
        let (Some(mentee), Some(a)) = (fresh_by_id.get(&pp.mentee_id), app_by_id.get(&pp.appointment_id)) else {
            continue;
        };
        let Some(mentor) = mentors_by_id.get(&a.student_id) else { continue };
        pairs.push(MatchedPair {
            mentee: Person::from(*mentee),
            appointment_id: a.id,
            mentor: Person::from(mentor),
            tier: pp.tier,
        });
        if !dry_run {
            made.push(Pairing::new(a, mentor, mentee, PairingSource::AutoMatch, who.actor().id, at)?);
        }
    }
    let unmatched = proposal
        .unmatched
        .iter()
        .filter_map(|(id, why)| fresh_by_id.get(id).map(|s| (Person::from(*s), *why)))
        .collect();
    if dry_run {
        // Nothing was written; ending the transaction releases the locks.
        tx.rollback().await?;
        return Ok(MatchOutcome { committed: false, pairs, unmatched });
    }
    for chunk in made.chunks(500) {
        Entity::insert_many(chunk.iter().map(|(p, _)| to_active(p)))
            .exec_without_returning(&tx)
            .await
            .map_err(already_paired)?;
    }
    for (p, events) in &made {
        publish(&tx, p, events).await?;
    }
    let summary: Vec<serde_json::Value> = made
        .iter()
        .map(|(p, _)| serde_json::json!({"pairing_id": p.id, "mentee_id": p.mentee_id, "appointment_id": p.appointment_id}))
        .collect();
    audit::record(
        &tx,
        who.actor(),
        AuditAction::PairingAutoMatch,
        "college",
        Some(college_id),
        serde_json::json!({"academic_year_id": year_id, "made": summary}),
    )
    .await?;
    tx.commit().await?;
    Ok(MatchOutcome { committed: true, pairs, unmatched })
}

// ------------------------------------------------------------------------------------------------
// Feedback

/// One mentee's rating of their mentor for a term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    /// Id.
    pub id: Uuid,
    /// The pairing.
    pub pairing_id: Uuid,
    /// The mentee.
    pub mentee_id: Uuid,
    /// The term.
    pub term: Term,
    /// 1–5.
    pub rating: i32,
    /// Comment.
    pub comment: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A mentee rates their mentor, once per term.
pub async fn give_feedback(
    db: &Db,
    who: &Principal,
    pairing_id: Uuid,
    rating: i32,
    comment: Option<String>,
) -> Result<Feedback> {
    check_rating(rating)?;
    let v = policy::pairing_visibility(who)?;
    let tx = db.begin().await?;
    let p = to_domain(find_for_update::<Entity, _>(&tx, pairing_id, RESOURCE).await?);
    if !crate::scope::sees(&tx, v, p.college_id, &[p.mentee_id, p.mentor_id]).await? {
        return Err(not_found(RESOURCE));
    }
    if !policy::is_student(who, p.mentee_id) {
        return Err(domain::Error::Forbidden("only the mentee rates their mentor".into()).into());
    }
    let f = Feedback {
        id: Uuid::now_v7(),
        pairing_id,
        mentee_id: p.mentee_id,
        term: Term::of(today()),
        rating,
        comment,
        created_at: crate::now(),
    };
    pairing_feedback::ActiveModel {
        id: Set(f.id),
        pairing_id: Set(f.pairing_id),
        appointment_id: Set(p.appointment_id),
        mentee_id: Set(f.mentee_id),
        term: Set(DbTerm::from(f.term)),
        rating: Set(f.rating),
        comment: Set(f.comment.clone()),
        created_at: Set(f.created_at),
    }
    .insert(&tx)
    .await
    .map_err(|e| crate::query::constraint(e, &format!("the mentor was already rated for the {} term", f.term), "-"))?;
    audit::record(
        &tx,
        who.actor(),
        AuditAction::PairingFeedback,
        "pairing_feedback",
        Some(f.id),
        serde_json::json!({"pairing_id": pairing_id, "term": f.term.as_str()}),
    )
    .await?;
    tx.commit().await?;
    Ok(f)
}

async fn ratings_of<C: ConnectionTrait>(conn: &C, appointment_id: Uuid) -> Result<Vec<pairing_feedback::Model>> {
    Ok(pairing_feedback::Entity::find()
        .filter(pairing_feedback::Column::AppointmentId.eq(appointment_id))
        .order_by_asc(pairing_feedback::Column::CreatedAt)
        .all(conn)
        .await?)
}

/// The mentee feedback of an appointment as count and mean. The college sees the mean of every
/// answer; the mentor only that of terms that are over and had three answers or more (see
/// `domain::pairing::mentor_summary`), so no single mentee's rating can be told.
pub async fn feedback_summary(db: &Db, who: &Principal, appointment_id: Uuid) -> Result<RatingSummary> {
    let a = appointments_repo::get(db, who, appointment_id).await?.appointment;
    let rows = ratings_of(db.reader(), appointment_id).await?;
    if policy::administers(who, a.college_id) {
        let ratings: Vec<i32> = rows.iter().map(|f| f.rating).collect();
        return Ok(summarize(&ratings, 0));
    }
    if !policy::is_student(who, a.student_id) {
        return Err(domain::Error::Forbidden("only the mentor and the college see the feedback".into()).into());
    }
    // The pairings of an appointment share its year.
    let year = years::to_domain(
        crate::query::find::<academic_year::Entity, _>(db.reader(), a.academic_year_id, "academic_year").await?,
    );
    let first = first_year(&year)?;
    let today = today();
    let terms: Vec<TermRatings> = [Term::Autumn, Term::Spring]
        .into_iter()
        .map(|term| TermRatings {
            ended: today > term.ends_on(first),
            ratings: rows.iter().filter(|f| Term::from(f.term) == term).map(|f| f.rating).collect(),
        })
        .collect();
    Ok(mentor_summary(&terms))
}

/// The individual feedback entries of an appointment: for the college and the university only,
/// never for the mentor.
pub async fn feedback_entries(db: &Db, who: &Principal, appointment_id: Uuid) -> Result<Vec<Feedback>> {
    let a = appointments_repo::get(db, who, appointment_id).await?.appointment;
    if !policy::administers(who, a.college_id) {
        return Err(domain::Error::Forbidden("only the college sees individual feedback".into()).into());
    }
    Ok(ratings_of(db.reader(), appointment_id)
        .await?
        .into_iter()
        .map(|m| Feedback {
            id: m.id,
            pairing_id: m.pairing_id,
            mentee_id: m.mentee_id,
            term: m.term.into(),
            rating: m.rating,
            comment: m.comment,
            created_at: m.created_at,
        })
        .collect())
}
