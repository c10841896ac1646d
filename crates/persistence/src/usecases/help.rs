//! Help requests (三(一)1), each workflow one transaction with its audit record and change-feed
//! event: a student asks the mentor of their active pairing; the mentor answers with a note, or
//! records the help in the work-record book (`usecases::work::record_in`, in the same
//! transaction, the entry and the request linking each other); the student or the mentor closes
//! an open request.
//!
//! Private: the feed and the audit log carry the request's ids and state, never its message, its
//! answer or the student it is from.

use domain::Error as DomainError;
use domain::auth::Principal;
use domain::codes::{AuditAction, ConflictCode, DomainEvent};
use domain::help::{HelpAction, HelpRequest, HelpState, HelpTopic, HelpViewer, NewHelpRequest, RecordAnswer};
use domain::page::{Page, PageRequest, Sort, parse_sort};
use domain::policy;
use domain::work::WorkRecord;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Condition, Query};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use uuid::Uuid;

use crate::entities::help_request::{ActiveModel, Column, Entity, Model};
use crate::entities::{appointment, pairing};
use crate::enums::{DbAppointmentState, DbHelpState, DbHelpTopic, DbPairingState};
use crate::query::{check_version, filter_eq, find_for_update, not_found, page};
use crate::{Db, Result, audit, events};

const RESOURCE: &str = "help_request";

/// What the feed and the audit log say of a request: ids and state, nothing else.
#[derive(Serialize)]
struct Trace {
    appointment_id: Uuid,
    college_id: Uuid,
    state: HelpState,
    work_record_id: Option<Uuid>,
}

fn trace(m: &Model) -> Trace {
    Trace {
        appointment_id: m.appointment_id,
        college_id: m.college_id,
        state: m.state.into(),
        work_record_id: m.work_record_id,
    }
}

fn to_domain(m: Model) -> HelpRequest {
    HelpRequest {
        id: m.id,
        student_id: m.student_id,
        appointment_id: m.appointment_id,
        mentor_id: m.mentor_id,
        college_id: m.college_id,
        topic: m.topic.into(),
        message: m.message,
        channel: m.channel.map(Into::into),
        state: m.state.into(),
        answer_note: m.answer_note,
        answered_at: m.answered_at,
        answered_by: m.answered_by,
        closed_at: m.closed_at,
        closed_by: m.closed_by,
        work_record_id: m.work_record_id,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

/// The filters of the list.
#[derive(Debug, Clone, Default)]
pub struct HelpRequestFilter {
    /// Only this state.
    pub state: Option<HelpState>,
    /// Only this topic.
    pub topic: Option<HelpTopic>,
    /// Only those to this appointment's mentor.
    pub appointment_id: Option<Uuid>,
    /// Only this student's.
    pub student_id: Option<Uuid>,
    /// Only this college's.
    pub college_id: Option<Uuid>,
}

/// The rows a viewer sees, as a condition (mirrors `HelpViewer::sees`).
fn visible(v: HelpViewer) -> Condition {
    match v {
        HelpViewer::University => Condition::all(),
        HelpViewer::CollegeStaff(c) => Condition::all().add(Column::CollegeId.eq(c)),
        HelpViewer::Student(s) => Condition::any().add(Column::StudentId.eq(s)).add(Column::MentorId.eq(s)),
        // Nobody else sees a request: an empty list, as for someone with no requests.
        HelpViewer::Nobody => Condition::all().add(Column::Id.is_null()),
    }
}

/// A student asks the mentor of their active pairing for help. `Forbidden` for anyone but a
/// student; `no_active_mentor` (409) when the student has no active pairing with a serving mentor.
pub async fn create(db: &Db, who: &Principal, input: NewHelpRequest) -> Result<HelpRequest> {
    let student = policy::own_student(who)?;
    let now = db.clock().now();
    let tx = db.begin().await?;
    let serving = Query::select()
        .column(appointment::Column::Id)
        .from(appointment::Entity)
        .and_where(appointment::Column::State.eq(DbAppointmentState::Active))
        .to_owned();
    let p = pairing::Entity::find()
        .filter(pairing::Column::MenteeId.eq(student))
        .filter(pairing::Column::State.eq(DbPairingState::Active))
        .filter(pairing::Column::AppointmentId.in_subquery(serving))
        .order_by_desc(pairing::Column::CreatedAt)
        .one(&tx)
        .await?
        .ok_or_else(|| {
            DomainError::conflict(ConflictCode::NoActiveMentor, "you have no active mentor to ask for help")
        })?;
    let m = ActiveModel {
        id: Set(Uuid::now_v7()),
        student_id: Set(student),
        appointment_id: Set(p.appointment_id),
        mentor_id: Set(p.mentor_id),
        college_id: Set(p.college_id),
        topic: Set(DbHelpTopic::from(input.topic)),
        message: Set(input.message),
        channel: Set(input.channel.map(Into::into)),
        state: Set(DbHelpState::Open),
        answer_note: Set(None),
        answered_at: Set(None),
        answered_by: Set(None),
        closed_at: Set(None),
        closed_by: Set(None),
        work_record_id: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&tx)
    .await?;
    audit::record(&tx, who.actor(), AuditAction::HelpRequestCreate, RESOURCE, Some(m.id), audit::created(&trace(&m)))
        .await?;
    events::emit(&tx, DomainEvent::help_request_entered(HelpState::Open), RESOURCE, m.id, &trace(&m)).await?;
    tx.commit().await?;
    Ok(to_domain(m))
}

/// The requests the caller sees, newest first by default. Sort keys: `created_at`, `updated_at`.
pub async fn list(
    db: &Db,
    who: &Principal,
    f: HelpRequestFilter,
    req: PageRequest,
    sort: Option<&str>,
) -> Result<Page<HelpRequest>> {
    let sort = parse_sort(
        sort,
        &[("created_at", Column::CreatedAt), ("updated_at", Column::UpdatedAt)],
        Sort { key: Column::CreatedAt, descending: true },
    )
    .map_err(|e| DomainError::Validation(vec![e]))?;
    let mut select = Entity::find().filter(visible(HelpViewer::of(who)));
    select = filter_eq(select, Column::State, f.state.map(DbHelpState::from));
    select = filter_eq(select, Column::Topic, f.topic.map(DbHelpTopic::from));
    select = filter_eq(select, Column::AppointmentId, f.appointment_id);
    select = filter_eq(select, Column::StudentId, f.student_id);
    select = filter_eq(select, Column::CollegeId, f.college_id);
    let p = page(db.reader(), select, req, sort, Column::Id).await?;
    Ok(Page {
        items: p.items.into_iter().map(to_domain).collect(),
        total: p.total,
        page: p.page,
        page_size: p.page_size,
    })
}

/// One request, for those who see it; `NotFound` for everyone else.
pub async fn get(db: &Db, who: &Principal, id: Uuid) -> Result<HelpRequest> {
    let m = Entity::find_by_id(id).one(db.reader()).await?.ok_or_else(|| not_found(RESOURCE))?;
    let r = to_domain(m);
    if !HelpViewer::of(who).sees(&r.facts()) {
        return Err(not_found(RESOURCE));
    }
    Ok(r)
}

/// Locks a request for `action` by `who`: `NotFound` when they do not see it, `Forbidden` when
/// they may not do this, `PreconditionFailed` on a stale `If-Match`, `InvalidTransition` (409)
/// when its state does not allow it. Returns the row and the state after the action.
async fn load_for(
    tx: &DatabaseTransaction,
    who: &Principal,
    id: Uuid,
    action: HelpAction,
    if_match: Option<i32>,
) -> Result<(Model, HelpState)> {
    let m = find_for_update::<Entity, _>(tx, id, RESOURCE).await?;
    let facts = to_domain(m.clone()).facts();
    let viewer = HelpViewer::of(who);
    if !viewer.sees(&facts) {
        return Err(not_found(RESOURCE));
    }
    viewer.may(action, &facts)?;
    check_version(if_match, m.version)?;
    let next = HelpState::from(m.state).apply(action)?;
    Ok((m, next))
}

/// The mentor's appointment must still be serving for them to answer (`appointment_not_active`).
async fn check_serving(tx: &DatabaseTransaction, appointment_id: Uuid) -> Result<()> {
    let a = appointment::Entity::find_by_id(appointment_id).one(tx).await?.ok_or_else(|| not_found(RESOURCE))?;
    if a.state != DbAppointmentState::Active {
        return Err(DomainError::conflict(
            ConflictCode::AppointmentNotActive,
            "your appointment is no longer active; the request can only be closed",
        )
        .into());
    }
    Ok(())
}

/// Saves the request's new state and writes its audit record and feed event.
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
    events::emit(tx, DomainEvent::help_request_entered(after.state.into()), RESOURCE, after.id, &trace(&after)).await?;
    Ok(after)
}

/// The mentor answers an open request with a note (`open → answered`), while their appointment
/// is serving.
pub async fn answer(db: &Db, who: &Principal, id: Uuid, note: &str, if_match: Option<i32>) -> Result<HelpRequest> {
    let note = domain::help::parse_note(note)?;
    let now = db.clock().now();
    let tx = db.begin().await?;
    let (m, next) = load_for(&tx, who, id, HelpAction::Answer, if_match).await?;
    check_serving(&tx, m.appointment_id).await?;
    let after = ActiveModel {
        id: Set(id),
        state: Set(next.into()),
        answer_note: Set(Some(note)),
        answered_at: Set(Some(now)),
        answered_by: Set(who.actor().id),
        version: Set(m.version + 1),
        updated_at: Set(now),
        ..Default::default()
    };
    let saved = save(&tx, who, &m, after, AuditAction::HelpRequestAnswer).await?;
    tx.commit().await?;
    Ok(to_domain(saved))
}

/// The mentor answers an open request by recording the help in their work-record book, in one
/// transaction: the entry names the student and links the request, the request links the entry
/// and is `answered` (with the optional note). The entry is checked as any entry is (422 for a
/// bad date or minutes, `appointment_not_active` when the mentor no longer serves).
pub async fn record(
    db: &Db,
    who: &Principal,
    id: Uuid,
    input: RecordAnswer,
    if_match: Option<i32>,
) -> Result<(HelpRequest, WorkRecord)> {
    let now = db.clock().now();
    let tx = db.begin().await?;
    let (m, next) = load_for(&tx, who, id, HelpAction::Record, if_match).await?;
    check_serving(&tx, m.appointment_id).await?;
    let request = to_domain(m.clone());
    let (cmd, note) = input.into_entry(&request, db.clock().today())?;
    let entry = crate::usecases::work::record_in(&tx, now, who, cmd, Some(id)).await?;
    let after = ActiveModel {
        id: Set(id),
        state: Set(next.into()),
        answer_note: Set(note),
        answered_at: Set(Some(now)),
        answered_by: Set(who.actor().id),
        work_record_id: Set(Some(entry.id)),
        version: Set(m.version + 1),
        updated_at: Set(now),
        ..Default::default()
    };
    let saved = save(&tx, who, &m, after, AuditAction::HelpRequestRecord).await?;
    tx.commit().await?;
    Ok((to_domain(saved), entry))
}

/// The student or the mentor closes an open request unanswered (`open → closed`).
pub async fn close(db: &Db, who: &Principal, id: Uuid, if_match: Option<i32>) -> Result<HelpRequest> {
    let now = db.clock().now();
    let tx = db.begin().await?;
    let (m, next) = load_for(&tx, who, id, HelpAction::Close, if_match).await?;
    let after = ActiveModel {
        id: Set(id),
        state: Set(next.into()),
        closed_at: Set(Some(now)),
        closed_by: Set(who.actor().id),
        version: Set(m.version + 1),
        updated_at: Set(now),
        ..Default::default()
    };
    let saved = save(&tx, who, &m, after, AuditAction::HelpRequestClose).await?;
    tx.commit().await?;
    Ok(to_domain(saved))
}
