//! Career postings (三(三)2: 收集、推荐就业岗位), each write one transaction with its audit record
//! and change-feed event: mentors and staff post for their college; the college's students list
//! them until the deadline (by `db.clock()`); the author or the college edits and withdraws; a
//! mentor recommends one to named students of the college.
//!
//! A recommendation is kept in `job_recommendations` (posting, student, the mentor's appointment)
//! and, in the same transaction, written to the mentor's work-record book as `career_help` work
//! naming the recommended students who are the mentor's mentees (the book's rule for individual
//! work); students of the college who are not mentees are in `job_recommendations` only.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use domain::Error as DomainError;
use domain::Problems;
use domain::auth::{Principal, Role};
use domain::career::{
    JobKind, Posting, PostingFields, PostingInput, PostingState, PostingViewer, check_recommended, expired,
    optional_text,
};
use domain::codes::{AuditAction, ConflictCode, DomainEvent};
use domain::page::{Page, PageRequest, Sort, parse_sort};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Condition, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;
use uuid::Uuid;

use crate::entities::job_posting::{ActiveModel, Column, Entity, Model};
use crate::entities::{appointment, job_posting_unit, job_recommendation, pairing, student, unit};
use crate::enums::{DbAppointmentState, DbJobKind, DbPostingState};
use crate::query::{check_version, filter_eq, find_for_update, not_found, page};
use crate::{Db, Result, audit, events};

const RESOURCE: &str = "job_posting";

/// The minutes a recommendation counts for in the work-record book.
const RECOMMENDATION_MINUTES: i32 = 10;

/// What the feed and the audit log say of a posting.
#[derive(Serialize)]
struct Trace {
    college_id: Uuid,
    kind: JobKind,
    state: PostingState,
    deadline: NaiveDate,
}

fn trace(m: &Model) -> Trace {
    Trace { college_id: m.college_id, kind: m.kind.into(), state: m.state.into(), deadline: m.deadline }
}

/// The caller as the posting rules see them; a student's college is their record's, and a mentor
/// is a student with an active appointment.
async fn viewer<C: ConnectionTrait>(conn: &C, who: &Principal) -> Result<PostingViewer> {
    let Principal::User(u) = who else { return Ok(PostingViewer::Nobody) };
    Ok(match (u.role, u.college_id, u.student_id) {
        (Role::UniversityAdmin, ..) => PostingViewer::University,
        (Role::CollegeAdmin, Some(college_id), _) => PostingViewer::CollegeStaff { college_id, admin: true },
        (Role::Counselor, Some(college_id), _) => PostingViewer::CollegeStaff { college_id, admin: false },
        (Role::Student, _, Some(student_id)) => {
            let Some(s) = student::Entity::find_by_id(student_id).one(conn).await? else {
                return Ok(PostingViewer::Nobody);
            };
            let appointment_id = appointment::Entity::find()
                .filter(appointment::Column::StudentId.eq(student_id))
                .filter(appointment::Column::State.eq(DbAppointmentState::Active))
                .filter(appointment::Column::CollegeId.eq(s.college_id))
                .order_by_desc(appointment::Column::CreatedAt)
                .one(conn)
                .await?
                .map(|a| a.id);
            PostingViewer::Student { student_id, college_id: s.college_id, appointment_id }
        }
        _ => PostingViewer::Nobody,
    })
}

fn user_id(who: &Principal) -> Option<Uuid> {
    match who {
        Principal::User(u) => Some(u.id),
        Principal::Client(_) => None,
    }
}

/// Checks that every unit of `ids` belongs to `college_id` (a foreign one answers like an unknown one).
async fn check_units(tx: &DatabaseTransaction, ids: &[Uuid], college_id: Uuid) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let found: HashSet<Uuid> = unit::Entity::find()
        .filter(unit::Column::Id.is_in(ids.iter().copied()))
        .filter(unit::Column::CollegeId.eq(college_id))
        .all(tx)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect();
    if let Some(missing) = ids.iter().find(|id| !found.contains(id)) {
        return Err(
            DomainError::invalid("unit_ids", "invalid_reference", format!("no unit {missing} in the college")).into()
        );
    }
    Ok(())
}

async fn write_units(tx: &DatabaseTransaction, posting_id: Uuid, ids: &[Uuid]) -> Result<()> {
    job_posting_unit::Entity::delete_many().filter(job_posting_unit::Column::PostingId.eq(posting_id)).exec(tx).await?;
    if !ids.is_empty() {
        job_posting_unit::Entity::insert_many(
            ids.iter().map(|u| job_posting_unit::ActiveModel { posting_id: Set(posting_id), unit_id: Set(*u) }),
        )
        .exec_without_returning(tx)
        .await?;
    }
    Ok(())
}

/// The postings of `models` with their units and recommendations, as `viewer` sees them on `today`.
async fn hydrate<C: ConnectionTrait>(
    conn: &C,
    models: Vec<Model>,
    viewer: PostingViewer,
    today: NaiveDate,
) -> Result<Vec<Posting>> {
    let ids: Vec<Uuid> = models.iter().map(|m| m.id).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut units: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for r in job_posting_unit::Entity::find()
        .filter(job_posting_unit::Column::PostingId.is_in(ids.clone()))
        .order_by_asc(job_posting_unit::Column::UnitId)
        .all(conn)
        .await?
    {
        units.entry(r.posting_id).or_default().push(r.unit_id);
    }
    let me = match viewer {
        PostingViewer::Student { student_id, .. } => Some(student_id),
        _ => None,
    };
    let mut counts: HashMap<Uuid, u64> = HashMap::new();
    let mut mine: HashSet<Uuid> = HashSet::new();
    for r in
        job_recommendation::Entity::find().filter(job_recommendation::Column::PostingId.is_in(ids)).all(conn).await?
    {
        *counts.entry(r.posting_id).or_default() += 1;
        if Some(r.student_id) == me {
            mine.insert(r.posting_id);
        }
    }
    Ok(models
        .into_iter()
        .map(|m| Posting {
            id: m.id,
            college_id: m.college_id,
            expired: expired(m.deadline, today),
            recommended_count: counts.get(&m.id).copied().unwrap_or(0),
            recommended_to_me: mine.contains(&m.id),
            fields: PostingFields {
                title: m.title,
                employer: m.employer,
                city: m.city,
                kind: m.kind.into(),
                link: m.link,
                deadline: m.deadline,
                unit_ids: units.remove(&m.id).unwrap_or_default(),
                description: m.description,
            },
            state: m.state.into(),
            author_id: m.author_id,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
        .collect())
}

async fn one<C: ConnectionTrait>(conn: &C, m: Model, viewer: PostingViewer, today: NaiveDate) -> Result<Posting> {
    hydrate(conn, vec![m], viewer, today).await?.pop().ok_or_else(|| not_found(RESOURCE))
}

/// Posts a position for a college: the caller's own (a mentor's, a counselor's or an admin's), or
/// `college_id` for a university admin.
pub async fn create(db: &Db, who: &Principal, college_id: Option<Uuid>, input: PostingInput<'_>) -> Result<Posting> {
    let today = db.clock().today();
    let now = db.clock().now();
    let tx = db.begin().await?;
    let v = viewer(&tx, who).await?;
    let college = match (v, college_id) {
        (_, Some(c)) => c,
        (PostingViewer::CollegeStaff { college_id, .. } | PostingViewer::Student { college_id, .. }, None) => {
            college_id
        }
        (PostingViewer::University, None) => {
            return Err(DomainError::invalid("college_id", "required", "say which college the posting is for").into());
        }
        (PostingViewer::Nobody, None) => return Err(policy_denied().into()),
    };
    v.may_post(college)?;
    let author = user_id(who).ok_or_else(policy_denied)?;
    let fields = PostingFields::parse_new(&input, today)?;
    if crate::entities::college::Entity::find_by_id(college).one(&tx).await?.is_none() {
        return Err(DomainError::invalid("college_id", "invalid_reference", "no such college").into());
    }
    check_units(&tx, &fields.unit_ids, college).await?;
    let m = ActiveModel {
        id: Set(Uuid::now_v7()),
        college_id: Set(college),
        title: Set(fields.title.clone()),
        employer: Set(fields.employer.clone()),
        city: Set(fields.city.clone()),
        kind: Set(DbJobKind::from(fields.kind)),
        link: Set(fields.link.clone()),
        deadline: Set(fields.deadline),
        description: Set(fields.description.clone()),
        state: Set(DbPostingState::Active),
        author_id: Set(author),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&tx)
    .await?;
    write_units(&tx, m.id, &fields.unit_ids).await?;
    audit::record(&tx, who.actor(), AuditAction::JobPostingCreate, RESOURCE, Some(m.id), audit::created(&trace(&m)))
        .await?;
    events::emit(&tx, DomainEvent::JobPostingCreated, RESOURCE, m.id, &trace(&m)).await?;
    let p = one(&tx, m, v, today).await?;
    tx.commit().await?;
    Ok(p)
}

fn policy_denied() -> DomainError {
    DomainError::Forbidden("only people of the program read and post positions".into())
}

/// The filters of the list.
#[derive(Debug, Clone, Default)]
pub struct PostingFilter {
    /// Only this college's (the university; others see their own college's anyway).
    pub college_id: Option<Uuid>,
    /// Only those suiting this unit (and those posted for the whole college).
    pub unit_id: Option<Uuid>,
    /// Only this kind.
    pub kind: Option<JobKind>,
    /// Also those whose deadline has passed.
    pub include_expired: bool,
    /// This state (default `active`).
    pub state: Option<PostingState>,
    /// Only those recommended to the caller (a student).
    pub recommended_to_me: bool,
}

/// The postings the caller sees. Sort keys: `deadline` (default, soonest first), `created_at`,
/// `updated_at`.
pub async fn list(
    db: &Db,
    who: &Principal,
    f: PostingFilter,
    req: PageRequest,
    sort: Option<&str>,
) -> Result<Page<Posting>> {
    let sort = parse_sort(
        sort,
        &[("deadline", Column::Deadline), ("created_at", Column::CreatedAt), ("updated_at", Column::UpdatedAt)],
        Sort { key: Column::Deadline, descending: false },
    )
    .map_err(|e| DomainError::Validation(vec![e]))?;
    let conn = db.reader();
    let today = db.clock().today();
    let v = viewer(conn, who).await?;
    let mut select = Entity::find();
    select = match v {
        PostingViewer::University => select,
        PostingViewer::CollegeStaff { college_id, .. } | PostingViewer::Student { college_id, .. } => {
            select.filter(Column::CollegeId.eq(college_id))
        }
        PostingViewer::Nobody => return Err(policy_denied().into()),
    };
    select = filter_eq(select, Column::CollegeId, f.college_id);
    select = filter_eq(select, Column::Kind, f.kind.map(DbJobKind::from));
    select = select.filter(Column::State.eq(DbPostingState::from(f.state.unwrap_or(PostingState::Active))));
    if !f.include_expired {
        select = select.filter(Column::Deadline.gte(today));
    }
    if let Some(u) = f.unit_id {
        let suits = Query::select()
            .column(job_posting_unit::Column::PostingId)
            .from(job_posting_unit::Entity)
            .and_where(job_posting_unit::Column::UnitId.eq(u))
            .to_owned();
        let any_unit =
            Query::select().column(job_posting_unit::Column::PostingId).from(job_posting_unit::Entity).to_owned();
        select = select
            .filter(Condition::any().add(Column::Id.in_subquery(suits)).add(Column::Id.not_in_subquery(any_unit)));
    }
    if f.recommended_to_me {
        select = match v {
            PostingViewer::Student { student_id, .. } => select.filter(
                Column::Id.in_subquery(
                    Query::select()
                        .column(job_recommendation::Column::PostingId)
                        .from(job_recommendation::Entity)
                        .and_where(job_recommendation::Column::StudentId.eq(student_id))
                        .to_owned(),
                ),
            ),
            _ => select.filter(Column::Id.is_null()),
        };
    }
    let p = page(conn, select, req, sort, Column::Id).await?;
    let items = hydrate(conn, p.items, v, today).await?;
    Ok(Page { items, total: p.total, page: p.page, page_size: p.page_size })
}

/// One posting, for those who see its college; `NotFound` for everyone else.
pub async fn get(db: &Db, who: &Principal, id: Uuid) -> Result<Posting> {
    let conn = db.reader();
    let v = viewer(conn, who).await?;
    let m = Entity::find_by_id(id).one(conn).await?.ok_or_else(|| not_found(RESOURCE))?;
    if !v.sees(m.college_id) {
        return Err(not_found(RESOURCE));
    }
    one(conn, m, v, db.clock().today()).await
}

/// Locks a posting for a change by its author, the college's admin or the university.
async fn lock_for_edit(
    tx: &DatabaseTransaction,
    who: &Principal,
    id: Uuid,
    if_match: Option<i32>,
) -> Result<(Model, PostingViewer)> {
    let m = find_for_update::<Entity, _>(tx, id, RESOURCE).await?;
    let v = viewer(tx, who).await?;
    if !v.sees(m.college_id) {
        return Err(not_found(RESOURCE));
    }
    v.may_edit(m.college_id, user_id(who) == Some(m.author_id))?;
    check_version(if_match, m.version)?;
    Ok((m, v))
}

fn fields_of(m: &Model, units: Vec<Uuid>) -> PostingFields {
    PostingFields {
        title: m.title.clone(),
        employer: m.employer.clone(),
        city: m.city.clone(),
        kind: m.kind.into(),
        link: m.link.clone(),
        deadline: m.deadline,
        unit_ids: units,
        description: m.description.clone(),
    }
}

/// Changes an active posting (the author, the college's admin, the university).
pub async fn update(
    db: &Db,
    who: &Principal,
    id: Uuid,
    changes: PostingInput<'_>,
    if_match: Option<i32>,
) -> Result<Posting> {
    let today = db.clock().today();
    let now = db.clock().now();
    let tx = db.begin().await?;
    let (m, v) = lock_for_edit(&tx, who, id, if_match).await?;
    if PostingState::from(m.state) == PostingState::Withdrawn {
        return Err(DomainError::InvalidTransition { from: "withdrawn".into(), action: "edit".into() }.into());
    }
    let units: Vec<Uuid> = job_posting_unit::Entity::find()
        .filter(job_posting_unit::Column::PostingId.eq(id))
        .all(&tx)
        .await?
        .into_iter()
        .map(|u| u.unit_id)
        .collect();
    let next = fields_of(&m, units).with_changes(&changes, today)?;
    if changes.unit_ids.is_some() {
        check_units(&tx, &next.unit_ids, m.college_id).await?;
        write_units(&tx, id, &next.unit_ids).await?;
    }
    let after = ActiveModel {
        id: Set(id),
        title: Set(next.title),
        employer: Set(next.employer),
        city: Set(next.city),
        kind: Set(next.kind.into()),
        link: Set(next.link),
        deadline: Set(next.deadline),
        description: Set(next.description),
        version: Set(m.version + 1),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(&tx)
    .await?;
    audit::record(
        &tx,
        who.actor(),
        AuditAction::JobPostingUpdate,
        RESOURCE,
        Some(id),
        audit::updated(&trace(&m), &trace(&after)),
    )
    .await?;
    events::emit(&tx, DomainEvent::JobPostingUpdated, RESOURCE, id, &trace(&after)).await?;
    let p = one(&tx, after, v, today).await?;
    tx.commit().await?;
    Ok(p)
}

/// Withdraws a posting (the author, the college's admin, the university): it leaves every list
/// but `state=withdrawn`.
pub async fn withdraw(db: &Db, who: &Principal, id: Uuid, if_match: Option<i32>) -> Result<Posting> {
    let today = db.clock().today();
    let now = db.clock().now();
    let tx = db.begin().await?;
    let (m, v) = lock_for_edit(&tx, who, id, if_match).await?;
    let state = PostingState::from(m.state).withdraw()?;
    let after = ActiveModel {
        id: Set(id),
        state: Set(state.into()),
        version: Set(m.version + 1),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(&tx)
    .await?;
    audit::record(
        &tx,
        who.actor(),
        AuditAction::JobPostingWithdraw,
        RESOURCE,
        Some(id),
        audit::updated(&trace(&m), &trace(&after)),
    )
    .await?;
    events::emit(&tx, DomainEvent::JobPostingWithdrawn, RESOURCE, id, &trace(&after)).await?;
    let p = one(&tx, after, v, today).await?;
    tx.commit().await?;
    Ok(p)
}

/// What a recommendation did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recommended {
    /// The posting.
    pub posting_id: Uuid,
    /// The mentor's appointment.
    pub appointment_id: Uuid,
    /// Students recommended it now.
    pub recommended: Vec<Uuid>,
    /// Students who had been recommended it before (unchanged).
    pub already: Vec<Uuid>,
    /// The `career_help` entry written to the mentor's work-record book (when a mentee was among
    /// those recommended now).
    pub work_record_id: Option<Uuid>,
}

/// A serving mentor of the posting's college recommends an active, unexpired posting to named
/// students of the college; each student is recommended a posting once.
pub async fn recommend(
    db: &Db,
    who: &Principal,
    id: Uuid,
    student_ids: &[Uuid],
    note: Option<&str>,
) -> Result<Recommended> {
    let mut p = Problems::new();
    p.take(check_recommended(student_ids));
    let note = optional_text(&mut p, "note", note);
    p.finish()?;
    let note = note.flatten();
    let today = db.clock().today();
    let now = db.clock().now();
    let tx = db.begin().await?;
    let m = find_for_update::<Entity, _>(&tx, id, RESOURCE).await?;
    let v = viewer(&tx, who).await?;
    if !v.sees(m.college_id) {
        return Err(not_found(RESOURCE));
    }
    let appointment_id = v.recommending_appointment(m.college_id)?;
    if PostingState::from(m.state) == PostingState::Withdrawn {
        return Err(DomainError::InvalidTransition { from: "withdrawn".into(), action: "recommend".into() }.into());
    }
    if expired(m.deadline, today) {
        return Err(DomainError::conflict(ConflictCode::PostingExpired, "the posting's deadline has passed").into());
    }
    let found: HashSet<Uuid> = student::Entity::find()
        .filter(student::Column::Id.is_in(student_ids.iter().copied()))
        .filter(student::Column::CollegeId.eq(m.college_id))
        .all(&tx)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    if let Some(missing) = student_ids.iter().find(|s| !found.contains(s)) {
        return Err(DomainError::invalid(
            "student_ids",
            "invalid_reference",
            format!("no student {missing} in the college"),
        )
        .into());
    }
    let before: HashSet<Uuid> = job_recommendation::Entity::find()
        .filter(job_recommendation::Column::PostingId.eq(id))
        .filter(job_recommendation::Column::StudentId.is_in(student_ids.iter().copied()))
        .all(&tx)
        .await?
        .into_iter()
        .map(|r| r.student_id)
        .collect();
    let fresh: Vec<Uuid> = student_ids.iter().copied().filter(|s| !before.contains(s)).collect();
    let author = user_id(who).ok_or_else(policy_denied)?;
    if !fresh.is_empty() {
        job_recommendation::Entity::insert_many(fresh.iter().map(|s| job_recommendation::ActiveModel {
            id: Set(Uuid::now_v7()),
            posting_id: Set(id),
            student_id: Set(*s),
            appointment_id: Set(appointment_id),
            recommended_by: Set(author),
            note: Set(note.clone()),
            created_at: Set(now),
        }))
        .exec_without_returning(&tx)
        .await
        .map_err(|e| crate::query::constraint(e, "the student was recommended this posting already", "-"))?;
    }
    let already: Vec<Uuid> = student_ids.iter().copied().filter(|s| before.contains(s)).collect();
    // The mentor's book: career help for the mentees among those recommended now.
    let mentees: HashSet<Uuid> = pairing::Entity::find()
        .filter(pairing::Column::AppointmentId.eq(appointment_id))
        .all(&tx)
        .await?
        .into_iter()
        .map(|p| p.mentee_id)
        .collect();
    let named: Vec<Uuid> = fresh.iter().copied().filter(|s| mentees.contains(s)).collect();
    let work_record_id = if named.is_empty() {
        None
    } else {
        let cmd = domain::work::NewWorkRecord {
            appointment_id,
            kind: domain::work::WorkKind::CareerHelp,
            date: today,
            minutes: RECOMMENDATION_MINUTES,
            duties: vec![domain::work::Duty::Career],
            channel: domain::work::WorkChannel::Online,
            student_ids: named,
            head_count: None,
            summary: format!("推荐岗位：{}（{}，{}）", m.title, m.employer, m.city),
            reflections: None,
            activity_id: None,
        };
        Some(crate::usecases::work::record_in(&tx, now, who, cmd, None).await?.id)
    };
    let out = Recommended { posting_id: id, appointment_id, recommended: fresh, already, work_record_id };
    audit::record(&tx, who.actor(), AuditAction::JobPostingRecommend, RESOURCE, Some(id), audit::created(&out)).await?;
    if !out.recommended.is_empty() {
        events::emit(&tx, DomainEvent::JobPostingRecommended, RESOURCE, id, &out).await?;
    }
    tx.commit().await?;
    Ok(out)
}
