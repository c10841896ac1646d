//! Concerns and escalation, each workflow one transaction with its audit record and change-feed
//! event: a mentor registers a concern, escalates it to the student's supervisor and counselor
//! (routed here, from the students' records), a recipient acknowledges it, a recipient or a
//! college admin resolves it. "Now" is the application clock (`db.clock()`), so overdue is
//! reached in tests by moving it.
//!
//! Confidential: the feed and the audit log carry the concern's ids and state, never its text,
//! its category or the students it names.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use domain::Error as DomainError;
use domain::auth::Principal;
use domain::codes::{AuditAction, ConflictCode, DomainEvent};
use domain::concern::{
    Concern, ConcernAction, ConcernCategory, ConcernScope, ConcernState, ConcernUrgency, ConcernViewer, NewConcern,
    OverdueLimits, Recipient, route,
};
use domain::page::{Page, PageRequest, Sort, parse_sort};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Condition, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;
use uuid::Uuid;

use crate::entities::concern::{ActiveModel, Column, Entity, Model};
use crate::entities::{academic_year, appointment, concern_recipient, concern_student, staff, student};
use crate::enums::{DbAppointmentState, DbConcernCategory, DbConcernState, DbConcernUrgency};
use crate::query::{check_version, filter_eq, find_for_update, not_found, page};
use crate::{Db, Result, audit, events};

const RESOURCE: &str = "concern";

/// What the feed and the audit log say of a concern: ids and state, nothing else.
#[derive(Serialize)]
struct Trace {
    appointment_id: Uuid,
    college_id: Uuid,
    state: ConcernState,
}

fn trace(m: &Model) -> Trace {
    Trace { appointment_id: m.appointment_id, college_id: m.college_id, state: m.state.into() }
}

/// The filters of the list.
#[derive(Debug, Clone, Default)]
pub struct ConcernFilter {
    /// Only this state.
    pub state: Option<ConcernState>,
    /// Only this category.
    pub category: Option<ConcernCategory>,
    /// Only this urgency.
    pub urgency: Option<ConcernUrgency>,
    /// Only those escalated to the caller (by their staff record).
    pub assigned_to_me: bool,
    /// Only overdue ones (`true`) or only those not overdue (`false`).
    pub overdue: Option<bool>,
    /// Only this appointment's.
    pub appointment_id: Option<Uuid>,
    /// Only this college's.
    pub college_id: Option<Uuid>,
}

fn recipients_of(staff_id: Uuid) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(concern_recipient::Column::ConcernId)
        .from(concern_recipient::Entity)
        .and_where(concern_recipient::Column::StaffId.eq(staff_id))
        .to_owned()
}

/// The rows a viewer sees, as a condition (mirrors `ConcernViewer::sees`).
fn visible(v: ConcernViewer) -> Result<Condition> {
    Ok(match v {
        ConcernViewer::University => Condition::all(),
        ConcernViewer::CollegeStaff { college_id, staff_id, .. } => {
            let mut any = Condition::any().add(Column::CollegeId.eq(college_id));
            if let Some(s) = staff_id {
                any = any.add(Column::Id.in_subquery(recipients_of(s)));
            }
            any
        }
        ConcernViewer::Staff(s) => Condition::all().add(Column::Id.in_subquery(recipients_of(s))),
        ConcernViewer::Student(s) => Condition::all().add(Column::MentorId.eq(s)),
        ConcernViewer::Nobody => {
            return Err(DomainError::Forbidden("only people of the program read concerns".into()).into());
        }
    })
}

/// The overdue condition at `now`, each academic year with its own limits: escalated (so not yet
/// acknowledged) at least the limit of its urgency ago. Computed in the database.
async fn overdue_condition<C: ConnectionTrait>(conn: &C, now: DateTime<Utc>) -> Result<Condition> {
    let years = academic_year::Entity::find().all(conn).await?;
    let mut any = Condition::any();
    for y in years {
        for (urgency, days) in [
            (DbConcernUrgency::Urgent, y.concern_overdue_urgent_days),
            (DbConcernUrgency::Normal, y.concern_overdue_normal_days),
        ] {
            any = any.add(
                Condition::all()
                    .add(Column::AcademicYearId.eq(y.id))
                    .add(Column::Urgency.eq(urgency))
                    .add(Column::EscalatedAt.lte(now - Duration::days(i64::from(days)))),
            );
        }
    }
    Ok(Condition::all().add(Column::State.eq(DbConcernState::Escalated)).add(any))
}

/// The concerns of `models` with their named students, recipients and deadlines.
async fn hydrate<C: ConnectionTrait>(conn: &C, models: Vec<Model>, now: DateTime<Utc>) -> Result<Vec<Concern>> {
    let ids: Vec<Uuid> = models.iter().map(|m| m.id).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut named: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for r in concern_student::Entity::find()
        .filter(concern_student::Column::ConcernId.is_in(ids.clone()))
        .order_by_asc(concern_student::Column::StudentId)
        .all(conn)
        .await?
    {
        named.entry(r.concern_id).or_default().push(r.student_id);
    }
    let rows = concern_recipient::Entity::find()
        .filter(concern_recipient::Column::ConcernId.is_in(ids))
        .order_by_asc(concern_recipient::Column::StaffId)
        .all(conn)
        .await?;
    let staff_ids: HashSet<Uuid> = rows.iter().map(|r| r.staff_id).collect();
    let names: HashMap<Uuid, String> = staff::Entity::find()
        .filter(staff::Column::Id.is_in(staff_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let mut recipients: HashMap<Uuid, Vec<Recipient>> = HashMap::new();
    for r in rows {
        recipients.entry(r.concern_id).or_default().push(Recipient {
            staff_id: r.staff_id,
            name: names.get(&r.staff_id).cloned().unwrap_or_default(),
            role: r.role.into(),
            acknowledged_at: r.acknowledged_at,
        });
    }
    let year_ids: HashSet<Uuid> = models.iter().map(|m| m.academic_year_id).collect();
    let limits: HashMap<Uuid, OverdueLimits> = academic_year::Entity::find()
        .filter(academic_year::Column::Id.is_in(year_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|y| {
            (
                y.id,
                OverdueLimits {
                    urgent_days: y.concern_overdue_urgent_days,
                    normal_days: y.concern_overdue_normal_days,
                },
            )
        })
        .collect();
    Ok(models
        .into_iter()
        .map(|m| {
            let limit = limits.get(&m.academic_year_id).copied().unwrap_or_default();
            Concern {
                id: m.id,
                appointment_id: m.appointment_id,
                academic_year_id: m.academic_year_id,
                college_id: m.college_id,
                mentor_id: m.mentor_id,
                scope: m.scope.into(),
                category: m.category.into(),
                urgency: m.urgency.into(),
                state: m.state.into(),
                description: m.description,
                student_id: m.student_id,
                student_ids: named.remove(&m.id).unwrap_or_default(),
                affected_count: m.affected_count,
                recipients: recipients.remove(&m.id).unwrap_or_default(),
                escalated_at: m.escalated_at,
                acknowledged_at: m.acknowledged_at,
                resolved_at: m.resolved_at,
                resolved_by: m.resolved_by,
                resolution_note: m.resolution_note,
                due_at: None,
                overdue: false,
                version: m.version,
                created_at: m.created_at,
                updated_at: m.updated_at,
            }
            .with_deadline(limit, now)
        })
        .collect())
}

async fn one<C: ConnectionTrait>(conn: &C, m: Model, now: DateTime<Utc>) -> Result<Concern> {
    hydrate(conn, vec![m], now).await?.pop().ok_or_else(|| not_found(RESOURCE))
}

/// The staff a concern was escalated to.
async fn recipient_ids<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<Vec<Uuid>> {
    Ok(concern_recipient::Entity::find()
        .filter(concern_recipient::Column::ConcernId.eq(id))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| r.staff_id)
        .collect())
}

/// Checks that every student of `ids` belongs to `college_id`; a foreign id answers like an
/// unknown one (`invalid_reference` on `field`).
async fn check_students(tx: &DatabaseTransaction, field: &str, ids: &[Uuid], college_id: Uuid) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let found: HashSet<Uuid> = student::Entity::find()
        .filter(student::Column::Id.is_in(ids.iter().copied()))
        .filter(student::Column::CollegeId.eq(college_id))
        .all(tx)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    if let Some(missing) = ids.iter().find(|id| !found.contains(id)) {
        return Err(
            DomainError::invalid(field, "invalid_reference", format!("no student {missing} in your college")).into()
        );
    }
    Ok(())
}

/// A mentor registers a concern, under their active appointment. `Forbidden` for anyone who is
/// not a serving mentor.
pub async fn create(db: &Db, who: &Principal, input: NewConcern) -> Result<Concern> {
    let ConcernViewer::Student(mentor) = ConcernViewer::of(who) else {
        return Err(DomainError::Forbidden("only a serving mentor registers concerns".into()).into());
    };
    let now = db.clock().now();
    let tx = db.begin().await?;
    let a = appointment::Entity::find()
        .filter(appointment::Column::StudentId.eq(mentor))
        .filter(appointment::Column::State.eq(DbAppointmentState::Active))
        .order_by_desc(appointment::Column::CreatedAt)
        .one(&tx)
        .await?
        .ok_or_else(|| DomainError::Forbidden("only a mentor with an active appointment registers concerns".into()))?;
    if input.student_id == Some(mentor) || input.student_ids.contains(&mentor) {
        let field = if input.student_id.is_some() { "student_id" } else { "student_ids" };
        return Err(
            DomainError::invalid(field, "not_allowed", "a mentor does not register a concern about themself").into()
        );
    }
    check_students(&tx, "student_id", input.student_id.as_slice(), a.college_id).await?;
    check_students(&tx, "student_ids", &input.student_ids, a.college_id).await?;
    let m = ActiveModel {
        id: Set(Uuid::now_v7()),
        appointment_id: Set(a.id),
        academic_year_id: Set(a.academic_year_id),
        college_id: Set(a.college_id),
        mentor_id: Set(mentor),
        scope: Set(input.scope.into()),
        category: Set(DbConcernCategory::from(input.category)),
        urgency: Set(input.urgency.into()),
        state: Set(ConcernState::Open.into()),
        description: Set(input.description),
        student_id: Set(input.student_id),
        affected_count: Set(input.affected_count),
        escalated_at: Set(None),
        acknowledged_at: Set(None),
        resolved_at: Set(None),
        resolved_by: Set(None),
        resolution_note: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&tx)
    .await?;
    if !input.student_ids.is_empty() {
        concern_student::Entity::insert_many(
            input
                .student_ids
                .iter()
                .map(|s| concern_student::ActiveModel { concern_id: Set(m.id), student_id: Set(*s) }),
        )
        .exec_without_returning(&tx)
        .await?;
    }
    audit::record(&tx, who.actor(), AuditAction::ConcernCreate, RESOURCE, Some(m.id), audit::created(&trace(&m)))
        .await?;
    events::emit(&tx, DomainEvent::concern_entered(ConcernState::Open), RESOURCE, m.id, &trace(&m)).await?;
    let c = one(&tx, m, now).await?;
    tx.commit().await?;
    Ok(c)
}

/// The concerns the caller sees, newest first by default. Sort keys: `created_at`, `updated_at`.
pub async fn list(
    db: &Db,
    who: &Principal,
    f: ConcernFilter,
    req: PageRequest,
    sort: Option<&str>,
) -> Result<Page<Concern>> {
    let viewer = ConcernViewer::of(who);
    let sort = parse_sort(
        sort,
        &[("created_at", Column::CreatedAt), ("updated_at", Column::UpdatedAt)],
        Sort { key: Column::CreatedAt, descending: true },
    )
    .map_err(|e| DomainError::Validation(vec![e]))?;
    let conn = db.reader();
    let now = db.clock().now();
    let mut select = Entity::find().filter(visible(viewer)?);
    if f.assigned_to_me {
        select = match viewer.staff_id() {
            Some(s) => select.filter(Column::Id.in_subquery(recipients_of(s))),
            None => select.filter(Column::Id.is_null()),
        };
    }
    if let Some(overdue) = f.overdue {
        let cond = overdue_condition(conn, now).await?;
        select = select.filter(if overdue { cond } else { cond.not() });
    }
    select = filter_eq(select, Column::State, f.state.map(DbConcernState::from));
    select = filter_eq(select, Column::Category, f.category.map(DbConcernCategory::from));
    select = filter_eq(select, Column::Urgency, f.urgency.map(DbConcernUrgency::from));
    select = filter_eq(select, Column::AppointmentId, f.appointment_id);
    select = filter_eq(select, Column::CollegeId, f.college_id);
    let p = page(conn, select, req, sort, Column::Id).await?;
    let items = hydrate(conn, p.items, now).await?;
    Ok(Page { items, total: p.total, page: p.page, page_size: p.page_size })
}

/// One concern, for those who see it; `NotFound` for everyone else.
pub async fn get(db: &Db, who: &Principal, id: Uuid) -> Result<Concern> {
    let conn = db.reader();
    let m = Entity::find_by_id(id).one(conn).await?.ok_or_else(|| not_found(RESOURCE))?;
    let recipients = recipient_ids(conn, id).await?;
    let c = one(conn, m, db.clock().now()).await?;
    if !ConcernViewer::of(who).sees(&c.facts(&recipients)) {
        return Err(not_found(RESOURCE));
    }
    Ok(c)
}

/// Locks a concern for `action` by `who`: `NotFound` when they do not see it, `Forbidden` when they
/// may not do this, `InvalidTransition` (409) when its state does not allow it, `PreconditionFailed`
/// on a stale `If-Match`. Returns the row, its recipients and the state after the action.
async fn load_for(
    tx: &DatabaseTransaction,
    who: &Principal,
    id: Uuid,
    action: ConcernAction,
    if_match: Option<i32>,
) -> Result<(Model, Vec<Uuid>, ConcernState)> {
    let m = find_for_update::<Entity, _>(tx, id, RESOURCE).await?;
    let recipients = recipient_ids(tx, id).await?;
    let facts =
        domain::concern::ConcernFacts { college_id: m.college_id, mentor_id: m.mentor_id, recipients: &recipients };
    let viewer = ConcernViewer::of(who);
    if !viewer.sees(&facts) {
        return Err(not_found(RESOURCE));
    }
    viewer.may(action, &facts)?;
    check_version(if_match, m.version)?;
    let next = ConcernState::from(m.state).apply(action)?;
    Ok((m, recipients, next))
}

/// Saves the concern's new state and writes its audit record and feed event.
async fn save(
    tx: &DatabaseTransaction,
    who: &Principal,
    before: &Model,
    after: ActiveModel,
    audit_action: AuditAction,
) -> Result<Model> {
    let after = after.update(tx).await?;
    audit::record(
        tx,
        who.actor(),
        audit_action,
        RESOURCE,
        Some(after.id),
        audit::updated(&trace(before), &trace(&after)),
    )
    .await?;
    events::emit(tx, DomainEvent::concern_entered(after.state.into()), RESOURCE, after.id, &trace(&after)).await?;
    Ok(after)
}

/// The reporting mentor escalates a concern: it goes to that student's supervisor and counselor
/// (a student without a counselor on record: the college's counselors), or for a group concern to
/// the college's counselors and the supervisors of the named students. `no_recipient` (409) when
/// there is nobody.
pub async fn escalate(db: &Db, who: &Principal, id: Uuid, if_match: Option<i32>) -> Result<Concern> {
    let now = db.clock().now();
    let tx = db.begin().await?;
    let (m, _, next) = load_for(&tx, who, id, ConcernAction::Escalate, if_match).await?;
    let scope = ConcernScope::from(m.scope);
    let students: Vec<Uuid> = match scope {
        ConcernScope::Individual => m.student_id.into_iter().collect(),
        ConcernScope::Group => concern_student::Entity::find()
            .filter(concern_student::Column::ConcernId.eq(id))
            .all(&tx)
            .await?
            .into_iter()
            .map(|r| r.student_id)
            .collect(),
    };
    let rows = student::Entity::find()
        .filter(student::Column::Id.is_in(students))
        .order_by_asc(student::Column::StudentNo)
        .all(&tx)
        .await?;
    let supervisors: Vec<Uuid> = rows.iter().filter_map(|s| s.supervisor_id).collect();
    let own_counselor = match scope {
        ConcernScope::Individual => rows.first().and_then(|s| s.counselor_id),
        ConcernScope::Group => None,
    };
    let college_counselors: Vec<Uuid> = staff::Entity::find()
        .filter(staff::Column::CollegeId.eq(m.college_id))
        .filter(staff::Column::IsCounselor.eq(true))
        .order_by_asc(staff::Column::StaffNo)
        .all(&tx)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    let routing = route(scope, &supervisors, own_counselor, &college_counselors)?;
    concern_recipient::Entity::insert_many(routing.0.iter().map(|(staff_id, role)| concern_recipient::ActiveModel {
        concern_id: Set(id),
        staff_id: Set(*staff_id),
        role: Set((*role).into()),
        acknowledged_at: Set(None),
    }))
    .exec_without_returning(&tx)
    .await?;
    let after = ActiveModel {
        id: Set(id),
        state: Set(next.into()),
        escalated_at: Set(Some(now)),
        version: Set(m.version + 1),
        updated_at: Set(now),
        ..Default::default()
    };
    let saved = save(&tx, who, &m, after, AuditAction::ConcernEscalate).await?;
    let c = one(&tx, saved, now).await?;
    tx.commit().await?;
    Ok(c)
}

/// A recipient acknowledges a concern: the first acknowledgement moves it to `acknowledged` (it
/// is then no longer overdue); each recipient acknowledges once (`already_acknowledged`, 409).
pub async fn acknowledge(db: &Db, who: &Principal, id: Uuid, if_match: Option<i32>) -> Result<Concern> {
    let now = db.clock().now();
    let tx = db.begin().await?;
    let (m, _, next) = load_for(&tx, who, id, ConcernAction::Acknowledge, if_match).await?;
    let staff_id = ConcernViewer::of(who).staff_id().ok_or_else(|| not_found(RESOURCE))?;
    // Only a row not yet acknowledged is changed: a second acknowledgement changes nothing.
    let changed = concern_recipient::Entity::update_many()
        .col_expr(concern_recipient::Column::AcknowledgedAt, sea_orm::sea_query::Expr::value(Some(now)))
        .filter(concern_recipient::Column::ConcernId.eq(id))
        .filter(concern_recipient::Column::StaffId.eq(staff_id))
        .filter(concern_recipient::Column::AcknowledgedAt.is_null())
        .exec(&tx)
        .await?
        .rows_affected;
    if changed == 0 {
        return Err(
            DomainError::conflict(ConflictCode::AlreadyAcknowledged, "you acknowledged this concern already").into()
        );
    }
    let after = ActiveModel {
        id: Set(id),
        state: Set(next.into()),
        acknowledged_at: Set(Some(m.acknowledged_at.unwrap_or(now))),
        version: Set(m.version + 1),
        updated_at: Set(now),
        ..Default::default()
    };
    let saved = save(&tx, who, &m, after, AuditAction::ConcernAcknowledge).await?;
    let c = one(&tx, saved, now).await?;
    tx.commit().await?;
    Ok(c)
}

/// A recipient, the college's admin or the university resolves an acknowledged concern with a note.
pub async fn resolve(db: &Db, who: &Principal, id: Uuid, note: &str, if_match: Option<i32>) -> Result<Concern> {
    let note = domain::concern::parse_note(note)?;
    let now = db.clock().now();
    let tx = db.begin().await?;
    let (m, _, next) = load_for(&tx, who, id, ConcernAction::Resolve, if_match).await?;
    let after = ActiveModel {
        id: Set(id),
        state: Set(next.into()),
        resolved_at: Set(Some(now)),
        resolved_by: Set(who.actor().id),
        resolution_note: Set(Some(note)),
        version: Set(m.version + 1),
        updated_at: Set(now),
        ..Default::default()
    };
    let saved = save(&tx, who, &m, after, AuditAction::ConcernResolve).await?;
    let c = one(&tx, saved, now).await?;
    tx.commit().await?;
    Ok(c)
}
