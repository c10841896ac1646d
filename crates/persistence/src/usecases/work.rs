//! The mentor's work (issue 13): the work-record book (工作记录本). Each write is one transaction
//! with its audit record and change-feed event; the feed carries ids and the kind, never a text.
//!
//! Who sees an entry is `domain::work::view`; lists apply the same matrix in SQL (a student's
//! entries, a supervisor's students' entries, a college's entries), never after loading rows.
//! "Now" is the application clock (`Db::clock`), so tests move it to pass the edit window.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use domain::Error as DomainError;
use domain::auth::Principal;
use domain::codes::{AuditAction, ConflictCode, DomainEvent};
use domain::page::{Page, PageRequest, Sort, parse_sort};
use domain::policy::{self, Visibility};
use domain::time::shanghai_date;
use domain::work::{
    Duty, EntryFacts, EntryView, NewWorkRecord, Viewer, WorkKind, WorkNote, WorkRecord, WorkRecordChanges,
    check_editable, check_entry_text, view,
};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use serde::Serialize;
use uuid::Uuid;

use crate::entities::work_record::{ActiveModel, Column, Entity, Model};
use crate::entities::{
    academic_year, activity, appointment, pairing, student, work_record_duty as duty_e, work_record_note as note_e,
    work_record_student as named_e,
};
use crate::enums::{DbAppointmentState, DbDuty, DbWorkKind};
use crate::query::{check_version, filter_eq, find_for_update, not_found, page};
use crate::{Db, Result, audit, events};

const RESOURCE: &str = "work_record";

/// What the feed and the audit log's notes say of an entry: ids and kind, no text.
#[derive(Serialize)]
struct Trace {
    appointment_id: Uuid,
    kind: WorkKind,
}

fn trace(r: &WorkRecord) -> Trace {
    Trace { appointment_id: r.appointment_id, kind: r.kind }
}

/// The filters of the list and the export.
#[derive(Debug, Clone, Default)]
pub struct WorkRecordFilter {
    /// Only entries recorded under this appointment.
    pub appointment_id: Option<Uuid>,
    /// Only entries naming this student.
    pub student_id: Option<Uuid>,
    /// Only this kind.
    pub kind: Option<WorkKind>,
    /// Only entries serving this duty.
    pub duty: Option<Duty>,
    /// Only entries on or after this day.
    pub date_from: Option<NaiveDate>,
    /// Only entries on or before this day.
    pub date_to: Option<NaiveDate>,
    /// Only this college's entries.
    pub college_id: Option<Uuid>,
}

/// Who may look at the book at all, as the matrix's viewer (service clients may not).
fn viewer(who: &Principal) -> Result<Viewer> {
    Ok(match policy::selection_visibility(who)? {
        Visibility::All => Viewer::University,
        Visibility::College(c) => Viewer::CollegeStaff(c),
        Visibility::Supervisor(s) => Viewer::Supervisor(s),
        Visibility::Student(s) => Viewer::Student(s),
        Visibility::StaffSelf(_) => return Err(DomainError::Forbidden("you may not read work records".into()).into()),
    })
}

/// The ids of the entries that name one of the students `students` selects.
fn naming(students: Condition) -> SelectStatement {
    Query::select().column(named_e::Column::WorkRecordId).from(named_e::Entity).cond_where(students).to_owned()
}

/// The entries `v` may see: the visibility matrix as SQL.
fn restrict(select: Select<Entity>, v: Viewer) -> Select<Entity> {
    match v {
        Viewer::University => select,
        Viewer::CollegeStaff(c) => select.filter(Column::CollegeId.eq(c)),
        Viewer::Student(s) => select.filter(
            Condition::any()
                .add(Column::MentorId.eq(s))
                .add(Column::Id.in_subquery(naming(Condition::all().add(named_e::Column::StudentId.eq(s))))),
        ),
        Viewer::Supervisor(staff) => {
            let supervised = Query::select()
                .column(student::Column::Id)
                .from(student::Entity)
                .and_where(student::Column::SupervisorId.eq(staff))
                .to_owned();
            select.filter(
                Column::Id
                    .in_subquery(naming(Condition::all().add(named_e::Column::StudentId.in_subquery(supervised)))),
            )
        }
    }
}

fn filtered(v: Viewer, f: &WorkRecordFilter) -> Select<Entity> {
    let mut select = restrict(Entity::find(), v);
    select = filter_eq(select, Column::AppointmentId, f.appointment_id);
    select = filter_eq(select, Column::CollegeId, f.college_id);
    select = filter_eq(select, Column::Kind, f.kind.map(DbWorkKind::from));
    if let Some(s) = f.student_id {
        select = select.filter(Column::Id.in_subquery(naming(Condition::all().add(named_e::Column::StudentId.eq(s)))));
    }
    if let Some(d) = f.duty {
        select = select.filter(
            Column::Id.in_subquery(
                Query::select()
                    .column(duty_e::Column::WorkRecordId)
                    .from(duty_e::Entity)
                    .and_where(duty_e::Column::Duty.eq(DbDuty::from(d)))
                    .to_owned(),
            ),
        );
    }
    if let Some(d) = f.date_from {
        select = select.filter(Column::Date.gte(d));
    }
    if let Some(d) = f.date_to {
        select = select.filter(Column::Date.lte(d));
    }
    select
}

/// Loads the students, duties and notes of `rows` (a few queries for the whole page).
async fn assemble<C: ConnectionTrait>(conn: &C, rows: Vec<Model>) -> Result<Vec<WorkRecord>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut named: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for n in crate::query::find_by_ids::<named_e::Entity, _>(conn, named_e::Column::WorkRecordId, ids.clone()).await? {
        named.entry(n.work_record_id).or_default().push(n.student_id);
    }
    let mut duties: HashMap<Uuid, Vec<Duty>> = HashMap::new();
    for d in crate::query::find_by_ids::<duty_e::Entity, _>(conn, duty_e::Column::WorkRecordId, ids.clone()).await? {
        duties.entry(d.work_record_id).or_default().push(d.duty.into());
    }
    let mut notes: HashMap<Uuid, Vec<WorkNote>> = HashMap::new();
    let mut note_rows = crate::query::find_by_ids::<note_e::Entity, _>(conn, note_e::Column::WorkRecordId, ids).await?;
    note_rows.sort_by_key(|n| (n.created_at, n.id));
    for n in note_rows {
        notes.entry(n.work_record_id).or_default().push(WorkNote { id: n.id, text: n.text, created_at: n.created_at });
    }
    Ok(rows
        .into_iter()
        .map(|m| {
            let mut student_ids = named.remove(&m.id).unwrap_or_default();
            student_ids.sort();
            let mut ds = duties.remove(&m.id).unwrap_or_default();
            ds.sort();
            WorkRecord {
                id: m.id,
                appointment_id: m.appointment_id,
                mentor_id: m.mentor_id,
                college_id: m.college_id,
                kind: m.kind.into(),
                date: m.date,
                minutes: m.minutes,
                duties: ds,
                channel: m.channel.into(),
                student_ids,
                head_count: m.head_count,
                summary: m.summary,
                reflections: m.reflections,
                activity_id: m.activity_id,
                help_request_id: m.help_request_id,
                notes: notes.remove(&m.id).unwrap_or_default(),
                version: m.version,
                created_at: m.created_at,
                updated_at: m.updated_at,
            }
        })
        .collect())
}

/// What `v` sees of one entry (`None`: it is a 404 to them).
async fn view_of<C: ConnectionTrait>(conn: &C, v: Viewer, r: &WorkRecord) -> Result<Option<EntryView>> {
    let supervisors: Vec<Uuid> = match v {
        Viewer::Supervisor(_) => {
            crate::query::find_by_ids::<student::Entity, _>(conn, student::Column::Id, r.student_ids.iter().copied())
                .await?
                .into_iter()
                .filter_map(|s| s.supervisor_id)
                .collect()
        }
        _ => Vec::new(),
    };
    let facts = EntryFacts {
        mentor_id: r.mentor_id,
        college_id: r.college_id,
        students: &r.student_ids,
        supervisors: &supervisors,
    };
    Ok(view(v, &facts))
}

/// The view of a row in a list already restricted to `v` in SQL: only a named student loses the
/// reflections.
fn listed_view(v: Viewer, r: &WorkRecord) -> EntryView {
    match v {
        Viewer::Student(s) if s != r.mentor_id => EntryView::WithoutReflections,
        _ => EntryView::Full,
    }
}

async fn load<C: ConnectionTrait>(conn: &C, id: Uuid, lock: bool) -> Result<WorkRecord> {
    let m = if lock {
        find_for_update::<Entity, _>(conn, id, RESOURCE).await?
    } else {
        Entity::find_by_id(id).one(conn).await?.ok_or_else(|| not_found(RESOURCE))?
    };
    assemble(conn, vec![m]).await?.pop().ok_or_else(|| not_found(RESOURCE))
}

/// Checks the students an entry names against its appointment: the mentor's own mentees (of this
/// appointment), or for group work any students of the appointment's college; never the mentor.
async fn check_students(tx: &DatabaseTransaction, a: &appointment::Model, r: &WorkRecord) -> Result<()> {
    if r.student_ids.is_empty() {
        return Ok(());
    }
    let found: HashMap<Uuid, student::Model> =
        crate::query::find_by_ids::<student::Entity, _>(tx, student::Column::Id, r.student_ids.iter().copied())
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
    let mentees: HashSet<Uuid> = pairing::Entity::find()
        .select_only()
        .column(pairing::Column::MenteeId)
        .filter(pairing::Column::AppointmentId.eq(a.id))
        .into_tuple::<Uuid>()
        .all(tx)
        .await?
        .into_iter()
        .collect();
    let mut p = domain::Problems::new();
    for (i, id) in r.student_ids.iter().enumerate() {
        let field = format!("student_ids[{i}]");
        match found.get(id) {
            None => p.push(field, "invalid_reference", "no such student"),
            Some(_) if *id == a.student_id => p.push(field, "not_allowed", "the mentor does not name themself"),
            Some(s) if r.kind.is_group() && s.college_id != a.college_id => {
                p.push(field, "wrong_college", "group work names students of the mentor's college")
            }
            Some(_) if !r.kind.is_group() && !mentees.contains(id) => {
                p.push(field, "not_allowed", "individual work names the mentor's own mentees")
            }
            Some(_) => {}
        }
    }
    Ok(p.finish()?)
}

/// The activity an entry links: one of the appointment's college or of the whole university.
async fn check_activity(tx: &DatabaseTransaction, a: &appointment::Model, activity_id: Option<Uuid>) -> Result<()> {
    let Some(id) = activity_id else { return Ok(()) };
    match activity::Entity::find_by_id(id).one(tx).await? {
        Some(act) if act.college_id.is_none_or(|c| c == a.college_id) => Ok(()),
        _ => Err(DomainError::invalid("activity_id", "invalid_reference", "no such activity").into()),
    }
}

async fn year_of<C: ConnectionTrait>(conn: &C, a: &appointment::Model) -> Result<academic_year::Model> {
    academic_year::Entity::find_by_id(a.academic_year_id)
        .one(conn)
        .await?
        .ok_or_else(|| crate::Error::Internal(format!("appointment {} has no academic year", a.id)))
}

/// Writes the named students and duties of `r`, replacing any there were.
async fn write_children(tx: &DatabaseTransaction, r: &WorkRecord, replace: bool) -> Result<()> {
    if replace {
        named_e::Entity::delete_many().filter(named_e::Column::WorkRecordId.eq(r.id)).exec(tx).await?;
        duty_e::Entity::delete_many().filter(duty_e::Column::WorkRecordId.eq(r.id)).exec(tx).await?;
    }
    if !r.student_ids.is_empty() {
        named_e::Entity::insert_many(
            r.student_ids.iter().map(|s| named_e::ActiveModel { work_record_id: Set(r.id), student_id: Set(*s) }),
        )
        .exec_without_returning(tx)
        .await?;
    }
    duty_e::Entity::insert_many(
        r.duties.iter().map(|d| duty_e::ActiveModel { work_record_id: Set(r.id), duty: Set((*d).into()) }),
    )
    .exec_without_returning(tx)
    .await?;
    Ok(())
}

fn to_active(r: &WorkRecord) -> ActiveModel {
    ActiveModel {
        id: Set(r.id),
        appointment_id: Set(r.appointment_id),
        mentor_id: Set(r.mentor_id),
        college_id: Set(r.college_id),
        kind: Set(r.kind.into()),
        date: Set(r.date),
        month: Set(r.date.format("%Y-%m").to_string()),
        minutes: Set(r.minutes),
        channel: Set(r.channel.into()),
        head_count: Set(r.head_count),
        summary: Set(r.summary.clone()),
        reflections: Set(r.reflections.clone()),
        activity_id: Set(r.activity_id),
        help_request_id: Set(r.help_request_id),
        version: Set(r.version),
        created_at: Set(r.created_at),
        updated_at: Set(r.updated_at),
    }
}

/// The mentor records an entry under one of their active appointments.
pub async fn create(db: &Db, who: &Principal, cmd: NewWorkRecord) -> Result<WorkRecord> {
    let tx = db.begin().await?;
    let r = record_in(&tx, db.clock().now(), who, cmd, None).await?;
    tx.commit().await?;
    Ok(r)
}

/// Records an entry inside the caller's transaction (with its audit record and feed event): what
/// `create` does, and what another workflow calls to write the book in its own transaction (a
/// recommended career posting is `career_help` work; an answered help request, linked by
/// `help_request_id`, which the caller has checked is the mentor's own).
pub(crate) async fn record_in(
    tx: &DatabaseTransaction,
    now: chrono::DateTime<chrono::Utc>,
    who: &Principal,
    cmd: NewWorkRecord,
    help_request_id: Option<Uuid>,
) -> Result<WorkRecord> {
    let me = policy::own_student(who)?;
    let a =
        appointment::Entity::find_by_id(cmd.appointment_id).one(tx).await?.filter(|a| a.student_id == me).ok_or_else(
            || DomainError::invalid("appointment_id", "invalid_reference", "no such appointment of yours"),
        )?;
    if a.state != DbAppointmentState::Active {
        return Err(DomainError::conflict(ConflictCode::AppointmentNotActive, "the appointment is not active").into());
    }
    let year = year_of(tx, &a).await?;
    let r = WorkRecord {
        id: Uuid::now_v7(),
        appointment_id: a.id,
        mentor_id: me,
        college_id: a.college_id,
        kind: cmd.kind,
        date: cmd.date,
        minutes: cmd.minutes,
        duties: cmd.duties,
        channel: cmd.channel,
        student_ids: cmd.student_ids,
        head_count: cmd.head_count,
        summary: cmd.summary,
        reflections: cmd.reflections.filter(|t| !t.trim().is_empty()),
        activity_id: cmd.activity_id,
        help_request_id,
        notes: Vec::new(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    r.check(year.starts_on, year.ends_on, shanghai_date(now))?;
    check_students(tx, &a, &r).await?;
    check_activity(tx, &a, r.activity_id).await?;
    to_active(&r).insert(tx).await?;
    write_children(tx, &r, false).await?;
    audit::record(tx, who.actor(), AuditAction::WorkRecordCreate, RESOURCE, Some(r.id), audit::created(&r)).await?;
    events::emit(tx, DomainEvent::WorkRecordCreated, RESOURCE, r.id, &trace(&r)).await?;
    Ok(r)
}

/// The entries the caller may see that match `f`, latest first by default. Sort keys: `date`,
/// `created_at`, `updated_at`.
pub async fn list(
    db: &Db,
    who: &Principal,
    f: WorkRecordFilter,
    req: PageRequest,
    sort: Option<&str>,
) -> Result<Page<WorkRecord>> {
    let v = viewer(who)?;
    let sort = parse_sort(
        sort,
        &[("date", Column::Date), ("created_at", Column::CreatedAt), ("updated_at", Column::UpdatedAt)],
        Sort { key: Column::Date, descending: true },
    )
    .map_err(|e| DomainError::Validation(vec![e]))?;
    let conn = db.reader();
    let p = page(conn, filtered(v, &f), req, sort, Column::Id).await?;
    let items = assemble(conn, p.items).await?.into_iter().map(|r| {
        let seen = listed_view(v, &r);
        r.seen_as(seen)
    });
    Ok(Page { items: items.collect(), total: p.total, page: p.page, page_size: p.page_size })
}

/// The entries the caller may see that match `f`, in print order (date, then recording).
pub async fn export(db: &Db, who: &Principal, f: WorkRecordFilter) -> Result<Vec<(WorkRecord, ExportNames)>> {
    policy::export(who)?;
    let v = viewer(who)?;
    let conn = db.reader();
    let rows = filtered(v, &f)
        .order_by_asc(Column::Date)
        .order_by_asc(Column::CreatedAt)
        .order_by_asc(Column::Id)
        .all(conn)
        .await?;
    let records = assemble(conn, rows).await?;
    let people = crate::reference::students::by_id(
        conn,
        records.iter().flat_map(|r| r.student_ids.iter().copied().chain([r.mentor_id])),
    )
    .await?;
    let person = |id: &Uuid| people.get(id).map(|s| (s.student_no.clone(), s.name.clone())).unwrap_or_default();
    Ok(records
        .into_iter()
        .map(|r| {
            let names =
                ExportNames { mentor: person(&r.mentor_id), students: r.student_ids.iter().map(person).collect() };
            let seen = listed_view(v, &r);
            (r.seen_as(seen), names)
        })
        .collect())
}

/// The 学号 and names an exported entry shows.
#[derive(Debug, Clone)]
pub struct ExportNames {
    /// The mentor's 学号 and name.
    pub mentor: (String, String),
    /// The named students' 学号 and names, in the entry's order.
    pub students: Vec<(String, String)>,
}

/// One entry, as the caller may see it; `NotFound` for anyone the matrix leaves out.
pub async fn get(db: &Db, who: &Principal, id: Uuid) -> Result<WorkRecord> {
    let v = viewer(who)?;
    let conn = db.reader();
    let r = load(conn, id, false).await?;
    match view_of(conn, v, &r).await? {
        Some(seen) => Ok(r.seen_as(seen)),
        None => Err(not_found(RESOURCE)),
    }
}

/// Loads and locks an entry for a change by its author: `NotFound` to whom it is invisible,
/// `Forbidden` to the others who see it.
async fn lock_as_author(tx: &DatabaseTransaction, who: &Principal, id: Uuid) -> Result<WorkRecord> {
    let v = viewer(who)?;
    let r = load(tx, id, true).await?;
    if view_of(tx, v, &r).await?.is_none() {
        return Err(not_found(RESOURCE));
    }
    if !policy::is_student(who, r.mentor_id) {
        return Err(DomainError::Forbidden("only the mentor who recorded an entry changes it".into()).into());
    }
    Ok(r)
}

/// The mentor changes their entry within the academic year's edit window (`409 record_locked`
/// after it).
pub async fn update(
    db: &Db,
    who: &Principal,
    id: Uuid,
    changes: WorkRecordChanges,
    if_match: Option<i32>,
) -> Result<WorkRecord> {
    let tx = db.begin().await?;
    let before = lock_as_author(&tx, who, id).await?;
    check_version(if_match, before.version)?;
    let a =
        appointment::Entity::find_by_id(before.appointment_id).one(&tx).await?.ok_or_else(|| not_found(RESOURCE))?;
    let year = year_of(&tx, &a).await?;
    let now = db.clock().now();
    check_editable(before.created_at, now, year.record_edit_days)?;
    let mut after = before.with_changes(changes);
    after.reflections = after.reflections.filter(|t| !t.trim().is_empty());
    after.check(year.starts_on, year.ends_on, shanghai_date(now))?;
    check_students(&tx, &a, &after).await?;
    after.version += 1;
    after.updated_at = now;
    to_active(&after).update(&tx).await?;
    write_children(&tx, &after, true).await?;
    audit::record(&tx, who.actor(), AuditAction::WorkRecordUpdate, RESOURCE, Some(id), audit::updated(&before, &after))
        .await?;
    events::emit(&tx, DomainEvent::WorkRecordUpdated, RESOURCE, id, &trace(&after)).await?;
    tx.commit().await?;
    Ok(after)
}

/// The mentor appends a note to their entry, within its edit window or after it.
pub async fn add_note(db: &Db, who: &Principal, id: Uuid, text: &str) -> Result<WorkRecord> {
    check_entry_text("text", text, true).map_err(|e| DomainError::Validation(vec![e]))?;
    let tx = db.begin().await?;
    let mut r = lock_as_author(&tx, who, id).await?;
    let now = db.clock().now();
    let note = WorkNote { id: Uuid::now_v7(), text: text.to_owned(), created_at: now };
    note_e::ActiveModel {
        id: Set(note.id),
        work_record_id: Set(id),
        text: Set(note.text.clone()),
        created_at: Set(note.created_at),
    }
    .insert(&tx)
    .await?;
    r.version += 1;
    r.updated_at = now;
    Entity::update_many()
        .col_expr(Column::Version, Expr::value(r.version))
        .col_expr(Column::UpdatedAt, Expr::value(r.updated_at))
        .filter(Column::Id.eq(id))
        .exec(&tx)
        .await?;
    audit::record(&tx, who.actor(), AuditAction::WorkRecordAddNote, RESOURCE, Some(id), audit::created(&note)).await?;
    events::emit(&tx, DomainEvent::WorkRecordNoteAdded, RESOURCE, id, &trace(&r)).await?;
    tx.commit().await?;
    r.notes.push(note);
    Ok(r)
}

/// A count and the minutes of a group of entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tally<K> {
    /// What the group is (a kind, a duty, a month `YYYY-MM`).
    pub key: K,
    /// Entries.
    pub entries: i64,
    /// Minutes.
    pub minutes: i64,
}

/// A mentee the mentor has not named in any entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Uncontacted {
    /// Student id.
    pub id: Uuid,
    /// 学号.
    pub student_no: String,
    /// Name.
    pub name: String,
}

/// The figures of one appointment's book, all computed by the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkSummary {
    /// The appointment.
    pub appointment_id: Uuid,
    /// Entries.
    pub entries: i64,
    /// Minutes in all.
    pub minutes: i64,
    /// By kind (kinds with entries only).
    pub by_kind: Vec<Tally<WorkKind>>,
    /// By duty (an entry serving two duties counts in both).
    pub by_duty: Vec<Tally<Duty>>,
    /// By month of the date, `YYYY-MM`, oldest first.
    pub by_month: Vec<Tally<String>>,
    /// Distinct students named in any entry.
    pub students_reached: i64,
    /// The appointment's mentees (pairings in any state) named in no entry.
    pub mentees_never_contacted: Vec<Uncontacted>,
    /// Help requests made to the appointment, in any state.
    pub help_requests_received: i64,
    /// Of those, answered.
    pub help_requests_answered: i64,
    /// The median time to answer, in whole seconds (`None`: none answered).
    pub help_median_answer_seconds: Option<i64>,
    /// Directory inquiries sent to the appointment, spam left out.
    pub inquiries_received: i64,
    /// Of those, answered.
    pub inquiries_answered: i64,
}

fn of_appointment(appointment_id: Uuid) -> SelectStatement {
    Query::select().column(Column::Id).from(Entity).and_where(Column::AppointmentId.eq(appointment_id)).to_owned()
}

/// The summary of an appointment's book, for the mentor, the college's admins and counselors and
/// the university (`NotFound` for anyone else).
pub async fn summary(db: &Db, who: &Principal, appointment_id: Uuid) -> Result<WorkSummary> {
    let v = viewer(who)?;
    let conn = db.reader();
    let a = appointment::Entity::find_by_id(appointment_id).one(conn).await?.ok_or_else(|| not_found("appointment"))?;
    let allowed = match v {
        Viewer::University => true,
        Viewer::CollegeStaff(c) => c == a.college_id,
        Viewer::Student(s) => s == a.student_id,
        Viewer::Supervisor(_) => false,
    };
    if !allowed {
        return Err(not_found("appointment"));
    }
    // COUNT and SUM of an integer are bigint on PostgreSQL and integer on SQLite: i64 on both.
    let minutes = || Expr::col(Column::Minutes).sum();
    let by_kind: Vec<(DbWorkKind, i64, i64)> = Entity::find()
        .select_only()
        .column(Column::Kind)
        .column_as(Expr::col(Column::Id).count(), "n")
        .column_as(minutes(), "m")
        .filter(Column::AppointmentId.eq(appointment_id))
        .group_by(Column::Kind)
        .order_by_asc(Column::Kind)
        .into_tuple()
        .all(conn)
        .await?;
    let by_month: Vec<(String, i64, i64)> = Entity::find()
        .select_only()
        .column(Column::Month)
        .column_as(Expr::col(Column::Id).count(), "n")
        .column_as(minutes(), "m")
        .filter(Column::AppointmentId.eq(appointment_id))
        .group_by(Column::Month)
        .order_by_asc(Column::Month)
        .into_tuple()
        .all(conn)
        .await?;
    let by_duty: Vec<(DbDuty, i64, i64)> = duty_e::Entity::find()
        .select_only()
        .column(duty_e::Column::Duty)
        .column_as(Expr::col((duty_e::Entity, duty_e::Column::WorkRecordId)).count(), "n")
        .column_as(Expr::col((Entity, Column::Minutes)).sum(), "m")
        .join(
            sea_orm::JoinType::InnerJoin,
            duty_e::Entity::belongs_to(Entity).from(duty_e::Column::WorkRecordId).to(Column::Id).into(),
        )
        .filter(Column::AppointmentId.eq(appointment_id))
        .group_by(duty_e::Column::Duty)
        .order_by_asc(duty_e::Column::Duty)
        .into_tuple()
        .all(conn)
        .await?;
    let reached: Option<i64> = named_e::Entity::find()
        .select_only()
        .column_as(Expr::col(named_e::Column::StudentId).count_distinct(), "n")
        .filter(named_e::Column::WorkRecordId.in_subquery(of_appointment(appointment_id)))
        .into_tuple()
        .one(conn)
        .await?;
    let never: Vec<(Uuid, String, String)> = student::Entity::find()
        .select_only()
        .columns([student::Column::Id, student::Column::StudentNo, student::Column::Name])
        .filter(
            student::Column::Id.in_subquery(
                Query::select()
                    .column(pairing::Column::MenteeId)
                    .from(pairing::Entity)
                    .and_where(pairing::Column::AppointmentId.eq(appointment_id))
                    .to_owned(),
            ),
        )
        .filter(
            student::Column::Id.not_in_subquery(
                Query::select()
                    .column(named_e::Column::StudentId)
                    .from(named_e::Entity)
                    .and_where(named_e::Column::WorkRecordId.in_subquery(of_appointment(appointment_id)))
                    .to_owned(),
            ),
        )
        .order_by_asc(student::Column::StudentNo)
        .into_tuple()
        .all(conn)
        .await?;
    let help = super::performance::answer_times(conn, appointment_id).await?;
    let (inquiries_received, inquiries_answered) = super::performance::inquiry_counts(conn, appointment_id).await?;
    Ok(WorkSummary {
        appointment_id,
        entries: by_kind.iter().map(|k| k.1).sum(),
        minutes: by_kind.iter().map(|k| k.2).sum(),
        by_kind: by_kind.into_iter().map(|(k, n, m)| Tally { key: k.into(), entries: n, minutes: m }).collect(),
        by_duty: by_duty.into_iter().map(|(k, n, m)| Tally { key: k.into(), entries: n, minutes: m }).collect(),
        by_month: by_month.into_iter().map(|(k, n, m)| Tally { key: k, entries: n, minutes: m }).collect(),
        students_reached: reached.unwrap_or(0),
        mentees_never_contacted: never
            .into_iter()
            .map(|(id, student_no, name)| Uncontacted { id, student_no, name })
            .collect(),
        help_requests_received: help.received,
        help_requests_answered: help.answered,
        help_median_answer_seconds: help.median_seconds,
        inquiries_received,
        inquiries_answered,
    })
}
