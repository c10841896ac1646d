//! Appointments (校聘): the repository of mentors' terms (load, lock, save, list), and the
//! changes that touch nothing else: training, commendations, the orientation introduction.
//! Appointing, dismissal (解聘), resignation, capacity changes and closing the year span several
//! aggregates: they are in `usecases::mentorship`.

use chrono::NaiveDate;
use domain::appointment::{
    Appointment, AppointmentAction, AppointmentState, Commendation, DismissalRequest, Introduction,
};
use domain::auth::Principal;
use domain::page::{Page, PageRequest, Sort, parse_sort};
use domain::policy;
use domain::reference::AcademicYear;
use domain::{AuditAction, ConflictCode, DomainEvent};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::entities::appointment::{ActiveModel, Column, Entity, Model};
use crate::entities::{academic_year, commendation, student};
use crate::enums::DbAppointmentState;
use crate::query::{check_version, constraint, filter_eq, find_for_update, not_found, page};
use crate::reference::students::Person;
use crate::reference::years;
use crate::selection::nominations::StudentBrief;
use crate::{Db, Result, audit, events};

const RESOURCE: &str = "appointment";

pub(crate) fn to_domain(m: Model) -> Appointment {
    let dismissal_request = match (m.dismissal_request_reason, m.dismissal_requested_at) {
        (Some(reason), Some(requested_at)) => {
            Some(DismissalRequest { reason, requested_by: m.dismissal_requested_by, requested_at })
        }
        _ => None,
    };
    let introduction = match (m.introduced_on, m.introduction_channel) {
        (Some(introduced_on), Some(channel)) => {
            Some(Introduction { introduced_on, channel: channel.into(), note: m.introduction_note })
        }
        _ => None,
    };
    Appointment {
        id: m.id,
        nomination_id: m.nomination_id,
        student_id: m.student_id,
        academic_year_id: m.academic_year_id,
        college_id: m.college_id,
        unit_id: m.unit_id,
        capacity: m.capacity,
        state: m.state.into(),
        training_completed_on: m.training_completed_on,
        training_note: m.training_note,
        dismissal_request,
        introduction,
        contact_for_mentees: m.contact_for_mentees,
        ended_at: m.ended_at,
        end_reason: m.end_reason,
        appointed_by: m.appointed_by,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

fn to_active(a: &Appointment) -> ActiveModel {
    let r = a.dismissal_request.as_ref();
    ActiveModel {
        id: Set(a.id),
        nomination_id: Set(a.nomination_id),
        student_id: Set(a.student_id),
        academic_year_id: Set(a.academic_year_id),
        college_id: Set(a.college_id),
        unit_id: Set(a.unit_id),
        capacity: Set(a.capacity),
        state: Set(DbAppointmentState::from(a.state)),
        training_completed_on: Set(a.training_completed_on),
        training_note: Set(a.training_note.clone()),
        dismissal_request_reason: Set(r.map(|r| r.reason.clone())),
        dismissal_requested_by: Set(r.and_then(|r| r.requested_by)),
        dismissal_requested_at: Set(r.map(|r| r.requested_at)),
        ended_at: Set(a.ended_at),
        introduced_on: Set(a.introduction.as_ref().map(|i| i.introduced_on)),
        introduction_channel: Set(a.introduction.as_ref().map(|i| i.channel.into())),
        introduction_note: Set(a.introduction.as_ref().and_then(|i| i.note.clone())),
        contact_for_mentees: Set(a.contact_for_mentees.clone()),
        end_reason: Set(a.end_reason.clone()),
        appointed_by: Set(a.appointed_by),
        version: Set(a.version),
        created_at: Set(a.created_at),
        updated_at: Set(a.updated_at),
    }
}

/// An appointment with its mentor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentView {
    /// The appointment.
    pub appointment: Appointment,
    /// The mentor.
    pub mentor: StudentBrief,
    /// When the appointment just ended early: the mentees whose pairings ended with it and who
    /// now need a new mentor.
    pub released_mentees: Vec<Person>,
}

/// The appointments with their mentors.
pub(crate) async fn with_mentors<C: ConnectionTrait>(conn: &C, list: Vec<Appointment>) -> Result<Vec<AppointmentView>> {
    let ids: Vec<Uuid> = list.iter().map(|a| a.student_id).collect();
    let studs: std::collections::HashMap<Uuid, student::Model> = student::Entity::find()
        .filter(student::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    list.into_iter()
        .map(|a| {
            let s = studs.get(&a.student_id).ok_or_else(|| not_found("student"))?;
            Ok(AppointmentView {
                mentor: StudentBrief { id: s.id, student_no: s.student_no.clone(), name: s.name.clone() },
                appointment: a,
                released_mentees: Vec::new(),
            })
        })
        .collect()
}

/// One appointment with its mentor.
pub(crate) async fn one_view<C: ConnectionTrait>(conn: &C, a: Appointment) -> Result<AppointmentView> {
    with_mentors(conn, vec![a]).await?.pop().ok_or_else(|| not_found(RESOURCE))
}

/// An appointment that just ended early, with the mentees it released.
pub(crate) async fn view_with_released<C: ConnectionTrait>(
    conn: &C,
    a: Appointment,
    released: Vec<Person>,
) -> Result<AppointmentView> {
    let mut view = one_view(conn, a).await?;
    view.released_mentees = released;
    Ok(view)
}

/// What the change feed carries of an appointment: the term, unit, capacity, state and the
/// milestones — not the reasons of a dismissal or the mentor's private contact details.
pub(crate) fn feed(a: &Appointment) -> serde_json::Value {
    serde_json::json!({
        "id": a.id,
        "nomination_id": a.nomination_id,
        "student_id": a.student_id,
        "academic_year_id": a.academic_year_id,
        "college_id": a.college_id,
        "unit_id": a.unit_id,
        "capacity": a.capacity,
        "state": a.state,
        "training_completed_on": a.training_completed_on,
        "introduced_on": a.introduction.as_ref().map(|i| i.introduced_on),
        "ended_at": a.ended_at,
        "version": a.version,
        "updated_at": a.updated_at,
    })
}

/// Inserts a new appointment with its audit entry and `events` inside `tx`. The unique index of
/// one active appointment per student and year decides races; `clash` explains that refusal.
pub(crate) async fn insert(
    tx: &DatabaseTransaction,
    who: &Principal,
    a: &Appointment,
    events: &[DomainEvent],
    clash: &str,
) -> Result<()> {
    to_active(a).insert(tx).await.map_err(|e| constraint(e, clash, "-"))?;
    audit::record(tx, who.actor(), AuditAction::AppointmentCreate, RESOURCE, Some(a.id), audit::created(a)).await?;
    publish(tx, a, events).await
}

/// Appends `events` about `a` to the change feed.
async fn publish(tx: &DatabaseTransaction, a: &Appointment, list: &[DomainEvent]) -> Result<()> {
    for e in list {
        events::emit(tx, *e, RESOURCE, a.id, &feed(a)).await?;
    }
    Ok(())
}

/// Loads an academic year that is still open, holding a shared lock on it until the transaction
/// ends, so that closing the year waits for this appointment or pairing (and the other way round).
pub(crate) async fn open_year(tx: &DatabaseTransaction, id: Uuid) -> Result<AcademicYear> {
    let year = academic_year::Entity::find_by_id(id)
        .lock_shared()
        .one(tx)
        .await?
        .map(years::to_domain)
        .ok_or_else(|| not_found("academic_year"))?;
    if year.closed {
        return Err(domain::Error::Conflict {
            code: ConflictCode::YearClosed,
            detail: format!("{} is closed", year.code),
        }
        .into());
    }
    Ok(year)
}

/// The academic year of `id`.
pub(crate) async fn year_of<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<AcademicYear> {
    academic_year::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(years::to_domain)
        .ok_or_else(|| not_found("academic_year"))
}

/// The academic year an appointment belongs to (read without a lock: it never changes).
pub(crate) async fn year_id_of<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<Uuid> {
    Entity::find_by_id(id).one(conn).await?.map(|a| a.academic_year_id).ok_or_else(|| not_found(RESOURCE))
}

/// Locks the active appointments of a year, in id order (closing the year).
pub(crate) async fn lock_active_of_year(tx: &DatabaseTransaction, year_id: Uuid) -> Result<Vec<Appointment>> {
    Ok(Entity::find()
        .filter(Column::AcademicYearId.eq(year_id))
        .filter(Column::State.eq(DbAppointmentState::Active))
        .order_by_asc(Column::Id)
        .lock_exclusive()
        .all(tx)
        .await?
        .into_iter()
        .map(to_domain)
        .collect())
}

/// One appointment, if the caller may see it.
pub async fn get(db: &Db, who: &Principal, id: Uuid) -> Result<AppointmentView> {
    let v = policy::selection_visibility(who)?;
    let a = Entity::find_by_id(id).one(db.reader()).await?.map(to_domain).ok_or_else(|| not_found(RESOURCE))?;
    if !crate::scope::sees(db.reader(), v, a.college_id, &[a.student_id]).await? {
        return Err(not_found(RESOURCE));
    }
    one_view(db.reader(), a).await
}

/// Filters of the appointment list.
#[derive(Debug, Clone, Default)]
pub struct AppointmentFilter {
    /// Only this year.
    pub academic_year_id: Option<Uuid>,
    /// Only this college.
    pub college_id: Option<Uuid>,
    /// Only this unit.
    pub unit_id: Option<Uuid>,
    /// Only this state.
    pub state: Option<AppointmentState>,
    /// Only this mentor.
    pub student_id: Option<Uuid>,
}

/// Lists the appointments the caller may see.
pub async fn list(
    db: &Db,
    who: &Principal,
    f: AppointmentFilter,
    req: PageRequest,
    sort: Option<&str>,
) -> Result<Page<AppointmentView>> {
    let v = policy::selection_visibility(who)?;
    let sort = parse_sort(
        sort,
        &[("created_at", Column::CreatedAt), ("updated_at", Column::UpdatedAt), ("capacity", Column::Capacity)],
        Sort { key: Column::CreatedAt, descending: true },
    )
    .map_err(|e| domain::Error::Validation(vec![e]))?;
    let p = page(db.reader(), filtered(v, &f), req, sort, Column::Id).await?;
    let items = with_mentors(db.reader(), p.items.into_iter().map(to_domain).collect()).await?;
    Ok(Page { items, total: p.total, page: p.page, page_size: p.page_size })
}

/// The appointments `v` lets the caller see, with the list filters applied (the list and the export).
pub(crate) fn filtered(v: domain::policy::Visibility, f: &AppointmentFilter) -> sea_orm::Select<Entity> {
    let mut select = crate::scope::restrict(Entity::find(), v, Column::CollegeId, &[Column::StudentId], Column::Id);
    select = filter_eq(select, Column::AcademicYearId, f.academic_year_id);
    select = filter_eq(select, Column::CollegeId, f.college_id);
    select = filter_eq(select, Column::UnitId, f.unit_id);
    select = filter_eq(select, Column::State, f.state.map(DbAppointmentState::from));
    filter_eq(select, Column::StudentId, f.student_id)
}

/// The active appointments a student holds (what makes their account act as a mentor).
pub async fn active_of_student(db: &Db, student_id: Uuid) -> Result<Vec<Appointment>> {
    Ok(Entity::find()
        .filter(Column::StudentId.eq(student_id))
        .filter(Column::State.eq(DbAppointmentState::Active))
        .order_by_desc(Column::CreatedAt)
        .all(db.reader())
        .await?
        .into_iter()
        .map(to_domain)
        .collect())
}

/// Locks an appointment the caller may see, for a change in the caller's transaction.
pub(crate) async fn lock_visible(tx: &DatabaseTransaction, who: &Principal, id: Uuid) -> Result<Appointment> {
    load_for_change(tx, who, id, None).await
}

/// Locks an appointment the caller may see for a change, checking `If-Match`.
pub(crate) async fn load_for_change(
    tx: &DatabaseTransaction,
    who: &Principal,
    id: Uuid,
    if_match: Option<i32>,
) -> Result<Appointment> {
    let v = policy::selection_visibility(who)?;
    let a = to_domain(find_for_update::<Entity, _>(tx, id, RESOURCE).await?);
    if !crate::scope::sees(tx, v, a.college_id, &[a.student_id]).await? {
        return Err(not_found(RESOURCE));
    }
    check_version(if_match, a.version)?;
    Ok(a)
}

/// Saves a changed appointment with the next version, its audit entry and `events`.
pub(crate) async fn save(
    tx: &DatabaseTransaction,
    who: &Principal,
    before: &Appointment,
    mut after: Appointment,
    action: AuditAction,
    events: &[DomainEvent],
) -> Result<Appointment> {
    after.version = before.version + 1;
    after.updated_at = crate::now();
    to_active(&after).update(tx).await?;
    audit::record(tx, who.actor(), action, RESOURCE, Some(after.id), audit::updated(before, &after)).await?;
    publish(tx, &after, events).await?;
    Ok(after)
}

/// Records that the mentor completed the university's training (university admins).
pub async fn record_training(
    db: &Db,
    who: &Principal,
    id: Uuid,
    completed_on: NaiveDate,
    note: Option<String>,
    if_match: Option<i32>,
) -> Result<AppointmentView> {
    policy::appoint(who)?;
    let tx = db.begin().await?;
    let before = load_for_change(&tx, who, id, if_match).await?;
    before.state.apply(AppointmentAction::Record)?;
    let mut after = before.clone();
    after.training_completed_on = Some(completed_on);
    after.training_note = note;
    let after = save(&tx, who, &before, after, AuditAction::AppointmentTraining, &[]).await?;
    let out = one_view(&tx, after).await?;
    tx.commit().await?;
    Ok(out)
}

fn commendation_from(m: commendation::Model) -> Commendation {
    Commendation {
        id: m.id,
        appointment_id: m.appointment_id,
        title: m.title,
        reason: m.reason,
        awarded_on: m.awarded_on,
        created_by: m.created_by,
        created_at: m.created_at,
    }
}

/// Records a commendation (表彰) of a serving or completed mentor (university admins).
pub async fn commend(
    db: &Db,
    who: &Principal,
    id: Uuid,
    title: String,
    reason: String,
    awarded_on: NaiveDate,
) -> Result<Commendation> {
    policy::appoint(who)?;
    let tx = db.begin().await?;
    let a = load_for_change(&tx, who, id, None).await?;
    if !matches!(a.state, AppointmentState::Active | AppointmentState::Completed) {
        return Err(domain::Error::InvalidTransition { from: a.state.to_string(), action: "commend".into() }.into());
    }
    let c = Commendation {
        id: Uuid::now_v7(),
        appointment_id: id,
        title,
        reason,
        awarded_on,
        created_by: who.actor().id,
        created_at: crate::now(),
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
    .insert(&tx)
    .await?;
    audit::record(&tx, who.actor(), AuditAction::AppointmentCommend, "commendation", Some(c.id), audit::created(&c))
        .await?;
    events::emit(&tx, DomainEvent::AppointmentCommended, "commendation", c.id, &c).await?;
    tx.commit().await?;
    Ok(c)
}

/// The commendations of an appointment the caller may see.
pub async fn commendations(db: &Db, who: &Principal, id: Uuid) -> Result<Vec<Commendation>> {
    get(db, who, id).await?;
    Ok(commendation::Entity::find()
        .filter(commendation::Column::AppointmentId.eq(id))
        .order_by_asc(commendation::Column::AwardedOn)
        .all(db.reader())
        .await?
        .into_iter()
        .map(commendation_from)
        .collect())
}

/// Records the orientation milestone: the mentor was introduced to the freshmen and joined their
/// group (the college, the university, or the mentor themself). Recording again replaces it.
pub async fn record_introduction(
    db: &Db,
    who: &Principal,
    id: Uuid,
    introduction: Introduction,
    if_match: Option<i32>,
) -> Result<AppointmentView> {
    let tx = db.begin().await?;
    let before = load_for_change(&tx, who, id, if_match).await?;
    if !policy::is_student(who, before.student_id) {
        policy::manage_pairings(who, before.college_id)?;
    }
    before.state.apply(AppointmentAction::Record)?;
    let mut after = before.clone();
    after.introduction = Some(introduction);
    let after = save(&tx, who, &before, after, AuditAction::AppointmentIntroduction, &[]).await?;
    events::emit(&tx, DomainEvent::AppointmentIntroduced, RESOURCE, id, &feed(&after)).await?;
    let out = one_view(&tx, after).await?;
    tx.commit().await?;
    Ok(out)
}
