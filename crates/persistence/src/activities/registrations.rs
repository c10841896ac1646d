//! Registrations for an activity (a place, or the waitlist when it is full), attendance and
//! feedback.
//!
//! Every registration change locks the activity's row first (`FOR UPDATE` on PostgreSQL; SQLite
//! has one writer), then counts and writes: concurrent registrations queue on that lock, so the
//! places are never over-filled, and the waitlist is promoted in registration order.

use domain::{AuditAction, ConflictCode};
use std::collections::{HashMap, HashSet};

use domain::Problems;
use domain::activity::{
    Activity, Feedback, Registration, RegistrationAction, RegistrationState, check_feedback_allowed, place_for,
};
use domain::auth::Principal;
use domain::page::{Page, PageRequest, Sort, parse_sort};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use super::{caller, visible};
use crate::entities::activity_registration::{ActiveModel, Column, Entity, Model};
use crate::entities::{activity_feedback, student};
use crate::enums::DbRegistrationState;
use crate::query::{constraint, filter_eq, not_found, page};
use crate::reference::students;
use crate::selection::nominations::StudentBrief;
use crate::{Db, Error, Result, audit};

const RESOURCE: &str = "registration";

/// The most students an organiser registers in one request.
pub const MAX_BATCH: usize = 500;

fn to_domain(m: Model) -> Registration {
    Registration {
        id: m.id,
        activity_id: m.activity_id,
        student_id: m.student_id,
        state: m.state.into(),
        attended: m.attended,
        registered_by: m.registered_by,
        promoted_at: m.promoted_at,
        cancelled_at: m.cancelled_at,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

fn to_active(r: &Registration) -> ActiveModel {
    ActiveModel {
        id: Set(r.id),
        activity_id: Set(r.activity_id),
        student_id: Set(r.student_id),
        state: Set(DbRegistrationState::from(r.state)),
        attended: Set(r.attended),
        registered_by: Set(r.registered_by),
        promoted_at: Set(r.promoted_at),
        cancelled_at: Set(r.cancelled_at),
        created_at: Set(r.created_at),
        updated_at: Set(r.updated_at),
    }
}

/// A registration with its student.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationView {
    /// The registration.
    pub registration: Registration,
    /// The student.
    pub student: StudentBrief,
}

async fn with_students<C: ConnectionTrait>(conn: &C, list: Vec<Registration>) -> Result<Vec<RegistrationView>> {
    let ids: Vec<Uuid> = list.iter().map(|r| r.student_id).collect();
    let studs: HashMap<Uuid, student::Model> = student::Entity::find()
        .filter(student::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    list.into_iter()
        .map(|r| {
            let s = studs.get(&r.student_id).ok_or_else(|| not_found("student"))?;
            Ok(RegistrationView {
                student: StudentBrief { id: s.id, student_no: s.student_no.clone(), name: s.name.clone() },
                registration: r,
            })
        })
        .collect()
}

/// The live (registered or waitlisted) registrations of an activity, in registration order.
async fn live_of<C: ConnectionTrait>(conn: &C, activity_id: Uuid) -> Result<Vec<Registration>> {
    Ok(Entity::find()
        .filter(Column::ActivityId.eq(activity_id))
        .filter(Column::State.is_in([DbRegistrationState::Registered, DbRegistrationState::Waitlisted]))
        .order_by_asc(Column::CreatedAt)
        .order_by_asc(Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(to_domain)
        .collect())
}

async fn count_registered<C: ConnectionTrait>(conn: &C, activity_id: Uuid) -> Result<u64> {
    Ok(Entity::find()
        .filter(Column::ActivityId.eq(activity_id))
        .filter(Column::State.eq(DbRegistrationState::Registered))
        .count(conn)
        .await?)
}

async fn update(
    tx: &DatabaseTransaction,
    who: &Principal,
    before: &Registration,
    after: &Registration,
    action: AuditAction,
) -> Result<()> {
    to_active(after).update(tx).await?;
    audit::record(tx, who.actor(), action, RESOURCE, Some(after.id), audit::updated(before, after)).await
}

/// Gives waitlisted students of `a` the free places, first registered first, inside the caller's
/// transaction (which holds the activity's lock). Refuses a capacity below the places already
/// taken. Returns the promoted registrations.
pub(crate) async fn fit_capacity(tx: &DatabaseTransaction, who: &Principal, a: &Activity) -> Result<Vec<Registration>> {
    let live = live_of(tx, a.id).await?;
    let registered = live.iter().filter(|r| r.state == RegistrationState::Registered).count();
    let free = match a.capacity {
        None => usize::MAX,
        Some(c) => {
            let c = usize::try_from(c).unwrap_or(0);
            if registered > c {
                return Err(domain::Error::Conflict {
                    code: ConflictCode::CapacityBelowRegistrations,
                    detail: format!("{registered} students hold a place; the capacity cannot go below that"),
                }
                .into());
            }
            c - registered
        }
    };
    let now = crate::now();
    let mut promoted = Vec::new();
    for before in live.into_iter().filter(|r| r.state == RegistrationState::Waitlisted).take(free) {
        let mut after = before.clone();
        after.state = before.state.apply(RegistrationAction::Promote)?;
        after.promoted_at = Some(now);
        after.updated_at = now;
        update(tx, who, &before, &after, AuditAction::RegistrationPromote).await?;
        promoted.push(after);
    }
    Ok(promoted)
}

/// Registers students for a published activity that is not over, each with a place while there
/// is one and on the waitlist after. `None`: the calling student registers themself (a student of
/// the activity's college, or any student for a university-wide one). `Some(ids)`: one who runs
/// the activity (its managers and hosts) registers a list, all or nothing, each failure reported
/// as `student_ids[i]`.
pub async fn register(
    db: &Db,
    who: &Principal,
    activity_id: Uuid,
    student_ids: Option<Vec<Uuid>>,
) -> Result<Vec<RegistrationView>> {
    let tx = db.begin().await?;
    let c = caller(&tx, who).await?;
    // The activity's row lock is what serialises registrations: count and insert happen under it.
    let a = visible(&tx, &c, activity_id, true).await?;
    let now = crate::now();
    a.check_registration_open(now)?;
    let live: HashSet<Uuid> = live_of(&tx, a.id).await?.into_iter().map(|r| r.student_id).collect();
    let ids = match student_ids {
        None => {
            let Some(me) = c.student_id else {
                return Err(domain::Error::Forbidden(
                    "only a student registers themself; organisers give student_ids".into(),
                )
                .into());
            };
            let s = student::Entity::find_by_id(me)
                .one(&tx)
                .await?
                .map(students::to_domain)
                .ok_or_else(|| not_found("student"))?;
            let member = a.kind.is_club() && crate::membership::of_student(&tx, me).await?.state.is_some();
            a.check_participant(&s, member).map_err(domain::Error::Forbidden)?;
            if live.contains(&me) {
                return Err(domain::Error::duplicate("you are already registered for this activity").into());
            }
            vec![me]
        }
        Some(ids) => {
            if !c.runs(&a) {
                return Err(
                    domain::Error::Forbidden("you may not register other students for this activity".into()).into()
                );
            }
            check_batch(&tx, &a, &ids, &live).await?;
            let mut seen = HashSet::new();
            ids.into_iter().filter(|i| seen.insert(*i)).collect()
        }
    };
    let mut registered = count_registered(&tx, a.id).await?;
    let mut made = Vec::with_capacity(ids.len());
    for student_id in ids {
        let state = place_for(a.capacity, registered);
        if state == RegistrationState::Registered {
            registered += 1;
        }
        // Taken under the activity's lock, so registration times follow the order places go.
        let at = crate::now();
        let r = Registration {
            id: Uuid::now_v7(),
            activity_id: a.id,
            student_id,
            state,
            attended: false,
            registered_by: Some(c.user_id),
            promoted_at: None,
            cancelled_at: None,
            created_at: at,
            updated_at: at,
        };
        to_active(&r)
            .insert(&tx)
            .await
            .map_err(|e| constraint(e, "the student is already registered for this activity", "-"))?;
        audit::record(&tx, who.actor(), AuditAction::RegistrationCreate, RESOURCE, Some(r.id), audit::created(&r))
            .await?;
        made.push(r);
    }
    let out = with_students(&tx, made).await?;
    tx.commit().await?;
    Ok(out)
}

/// Checks a list of students an organiser registers: each exists, may take part, and is not
/// registered already.
async fn check_batch<C: ConnectionTrait>(conn: &C, a: &Activity, ids: &[Uuid], live: &HashSet<Uuid>) -> Result<()> {
    let mut p = Problems::new();
    if ids.is_empty() {
        p.push("student_ids", "required", "give at least one student");
    }
    if ids.len() > MAX_BATCH {
        p.push("student_ids", "too_long", format!("at most {MAX_BATCH} students at once"));
        return Ok(p.finish()?);
    }
    let found: HashMap<Uuid, domain::reference::Student> = student::Entity::find()
        .filter(student::Column::Id.is_in(ids.to_vec()))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| (m.id, students::to_domain(m)))
        .collect();
    // Members of the club take part in the club's own kinds also after graduating.
    let members = if a.kind.is_club() {
        crate::membership::of_students(conn, found.keys().copied()).await?
    } else {
        HashMap::new()
    };
    for (i, id) in ids.iter().enumerate() {
        let field = format!("student_ids[{i}]");
        match found.get(id) {
            None => p.push(field, "invalid_reference", "no such student"),
            Some(s) => match a.check_participant(s, members.get(id).is_some_and(|m| m.state.is_some())) {
                Err(why) => p.push(field, "not_eligible", why),
                Ok(()) if live.contains(id) => p.push(field, "duplicate", format!("{} is already registered", s.name)),
                Ok(()) => {}
            },
        }
    }
    Ok(p.finish()?)
}

/// What a cancellation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cancellation {
    /// The cancelled registration.
    pub cancelled: RegistrationView,
    /// The waitlisted registration that got the freed place, if any.
    pub promoted: Option<RegistrationView>,
}

/// Cancels a registration of a published activity that is not over. A student cancels their own
/// (`student_id` absent or their own); those who run the activity cancel anyone's. When a place
/// frees up, the first waitlisted student (by registration time) gets it.
pub async fn cancel(db: &Db, who: &Principal, activity_id: Uuid, student_id: Option<Uuid>) -> Result<Cancellation> {
    let tx = db.begin().await?;
    let c = caller(&tx, who).await?;
    let a = visible(&tx, &c, activity_id, true).await?;
    let target = match (student_id, c.student_id) {
        (Some(s), Some(me)) if s == me => me,
        (Some(s), _) if c.runs(&a) => s,
        (Some(_), _) => {
            return Err(domain::Error::Forbidden("you may cancel only your own registration".into()).into());
        }
        (None, Some(me)) => me,
        (None, None) => {
            return Err(domain::Error::invalid("student_id", "required", "say whose registration to cancel").into());
        }
    };
    a.check_registration_open(crate::now())?;
    let live = live_of(&tx, a.id).await?;
    let before = live.iter().find(|r| r.student_id == target).cloned().ok_or_else(|| not_found(RESOURCE))?;
    let now = crate::now();
    let mut after = before.clone();
    after.state = before.state.apply(RegistrationAction::Cancel)?;
    after.cancelled_at = Some(now);
    after.updated_at = now;
    after.attended = false;
    update(&tx, who, &before, &after, AuditAction::RegistrationCancel).await?;
    let promoted = if before.state == RegistrationState::Registered {
        fit_capacity(&tx, who, &a).await?.into_iter().next()
    } else {
        None
    };
    let cancelled = with_students(&tx, vec![after]).await?.pop().ok_or_else(|| not_found(RESOURCE))?;
    let promoted = match promoted {
        Some(p) => with_students(&tx, vec![p]).await?.pop(),
        None => None,
    };
    tx.commit().await?;
    Ok(Cancellation { cancelled, promoted })
}

/// Filters of the registration list.
#[derive(Debug, Clone, Default)]
pub struct RegistrationFilter {
    /// Only this state.
    pub state: Option<RegistrationState>,
    /// Only those marked present (`true`) or not (`false`).
    pub attended: Option<bool>,
}

/// The registrations of an activity: all of them for those who run it, their own for anyone
/// else who may see the activity. Registration order unless sorted otherwise.
pub async fn list(
    db: &Db,
    who: &Principal,
    activity_id: Uuid,
    f: RegistrationFilter,
    req: PageRequest,
    sort: Option<&str>,
) -> Result<Page<RegistrationView>> {
    let c = caller(db.reader(), who).await?;
    let a = visible(db.reader(), &c, activity_id, false).await?;
    let sort = parse_sort(
        sort,
        &[("created_at", Column::CreatedAt), ("updated_at", Column::UpdatedAt)],
        Sort { key: Column::CreatedAt, descending: false },
    )
    .map_err(|e| domain::Error::Validation(vec![e]))?;
    let mut select = Entity::find().filter(Column::ActivityId.eq(a.id));
    if !c.runs(&a) {
        select = match c.student_id {
            Some(me) => select.filter(Column::StudentId.eq(me)),
            None => select.filter(Column::Id.is_null()),
        };
    }
    select = filter_eq(select, Column::State, f.state.map(DbRegistrationState::from));
    select = filter_eq(select, Column::Attended, f.attended);
    let p = page(db.reader(), select, req, sort, Column::Id).await?;
    let items = with_students(db.reader(), p.items.into_iter().map(to_domain).collect()).await?;
    Ok(Page { items, total: p.total, page: p.page, page_size: p.page_size })
}

/// Attendance as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendance {
    /// Every registered student, present or not, in registration order.
    pub registrations: Vec<RegistrationView>,
}

/// Records attendance in bulk: the listed students were present, every other registered student
/// was not. Open from the activity's start until it is recorded as held; those who run the
/// activity take it. Every listed student must hold a place (`student_ids[i]`: `not_registered`).
pub async fn record_attendance(db: &Db, who: &Principal, activity_id: Uuid, present: Vec<Uuid>) -> Result<Attendance> {
    let tx = db.begin().await?;
    let c = caller(&tx, who).await?;
    let a = visible(&tx, &c, activity_id, true).await?;
    if !c.runs(&a) {
        return Err(domain::Error::Forbidden("you may not take attendance for this activity".into()).into());
    }
    a.check_attendance_open(crate::now())?;
    let registered: Vec<Registration> =
        live_of(&tx, a.id).await?.into_iter().filter(|r| r.state == RegistrationState::Registered).collect();
    let holding: HashSet<Uuid> = registered.iter().map(|r| r.student_id).collect();
    let mut p = Problems::new();
    for (i, s) in present.iter().enumerate() {
        if !holding.contains(s) {
            p.push(format!("student_ids[{i}]"), "not_registered", "the student holds no place at this activity");
        }
    }
    p.finish()?;
    let present: HashSet<Uuid> = present.into_iter().collect();
    let now = crate::now();
    let mut after_all = Vec::with_capacity(registered.len());
    let mut changes = Vec::new();
    for before in registered {
        let attended = present.contains(&before.student_id);
        if before.attended == attended {
            after_all.push(before);
            continue;
        }
        before.state.apply(RegistrationAction::MarkAttendance)?;
        let mut after = before.clone();
        after.attended = attended;
        after.updated_at = now;
        to_active(&after).update(&tx).await?;
        changes.push(serde_json::json!({"student_id": after.student_id, "attended": attended}));
        after_all.push(after);
    }
    audit::record(
        &tx,
        who.actor(),
        AuditAction::ActivityAttendance,
        "activity",
        Some(a.id),
        serde_json::json!({"changes": changes, "present": present.len()}),
    )
    .await?;
    let registrations = with_students(&tx, after_all).await?;
    tx.commit().await?;
    Ok(Attendance { registrations })
}

fn feedback_from(m: activity_feedback::Model) -> Feedback {
    Feedback {
        id: m.id,
        activity_id: m.activity_id,
        student_id: m.student_id,
        rating: m.rating,
        comment: m.comment,
        created_at: m.created_at,
    }
}

/// Gives feedback on a held activity the calling student attended: once, rated 1–5.
pub async fn give_feedback(
    db: &Db,
    who: &Principal,
    activity_id: Uuid,
    rating: i32,
    comment: Option<String>,
) -> Result<Feedback> {
    let tx = db.begin().await?;
    let c = caller(&tx, who).await?;
    let a = visible(&tx, &c, activity_id, false).await?;
    let Some(me) = c.student_id else {
        return Err(domain::Error::Forbidden("only students who attended give feedback".into()).into());
    };
    let mine = Entity::find()
        .filter(Column::ActivityId.eq(a.id))
        .filter(Column::StudentId.eq(me))
        .filter(Column::State.eq(DbRegistrationState::Registered))
        .one(&tx)
        .await?
        .map(to_domain);
    check_feedback_allowed(&a, mine.as_ref(), crate::now())?;
    let f =
        Feedback { id: Uuid::now_v7(), activity_id: a.id, student_id: me, rating, comment, created_at: crate::now() };
    activity_feedback::ActiveModel {
        id: Set(f.id),
        activity_id: Set(f.activity_id),
        student_id: Set(f.student_id),
        rating: Set(f.rating),
        comment: Set(f.comment.clone()),
        created_at: Set(f.created_at),
    }
    .insert(&tx)
    .await
    .map_err(|e| constraint(e, "you have already given feedback on this activity", "-"))?;
    audit::record(&tx, who.actor(), AuditAction::ActivityFeedback, "activity_feedback", Some(f.id), audit::created(&f))
        .await?;
    tx.commit().await?;
    Ok(f)
}

/// The feedback on an activity, with its average.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedbackSummary {
    /// How many gave feedback.
    pub count: u64,
    /// The mean rating, if any.
    pub average: Option<f64>,
    /// Each piece of feedback with its student, oldest first.
    pub items: Vec<(Feedback, StudentBrief)>,
}

/// The feedback on an activity. The university and the college's admins and counselors read
/// every answer with who gave it; the mentors who organise or host it read only the count, and the
/// mean once feedback has closed and at least three answered.
pub async fn feedback(db: &Db, who: &Principal, activity_id: Uuid) -> Result<FeedbackSummary> {
    let c = caller(db.reader(), who).await?;
    let a = visible(db.reader(), &c, activity_id, false).await?;
    let identified = c.reads_identified_feedback(&a);
    if !identified && !c.runs(&a) {
        return Err(domain::Error::Forbidden("you may not read the feedback on this activity".into()).into());
    }
    let list: Vec<Feedback> = activity_feedback::Entity::find()
        .filter(activity_feedback::Column::ActivityId.eq(a.id))
        .order_by_asc(activity_feedback::Column::CreatedAt)
        .order_by_asc(activity_feedback::Column::Id)
        .all(db.reader())
        .await?
        .into_iter()
        .map(feedback_from)
        .collect();
    let ids: Vec<Uuid> = list.iter().map(|f| f.student_id).collect();
    let studs: HashMap<Uuid, student::Model> = student::Entity::find()
        .filter(student::Column::Id.is_in(ids))
        .all(db.reader())
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let count = list.len() as u64;
    let average = (count > 0).then(|| list.iter().map(|f| f64::from(f.rating)).sum::<f64>() / count as f64);
    if !identified {
        let closed = crate::now() > a.feedback_closes_at();
        let average = average.filter(|_| closed && count >= domain::activity::MIN_ANSWERS_FOR_MEAN);
        return Ok(FeedbackSummary { count, average, items: Vec::new() });
    }
    let items = list
        .into_iter()
        .map(|f| {
            let s = studs.get(&f.student_id).ok_or_else(|| not_found("student"))?;
            let brief = StudentBrief { id: s.id, student_no: s.student_no.clone(), name: s.name.clone() };
            Ok::<_, Error>((f, brief))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(FeedbackSummary { count, average, items })
}
