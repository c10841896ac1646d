//! Activities (issue 6): created planned by a college admin, a serving mentor or the university,
//! published (which books their hosts and venue), held or cancelled. Registrations, attendance
//! and feedback are in [`registrations`]; the public iCalendar feed reads [`calendar`].
//!
//! Publishing and rescheduling a published activity are serialised per academic year: the
//! transaction locks the rows of every year the activity's days fall in (`FOR UPDATE`, in id
//! order, on PostgreSQL; SQLite has one writer) before it looks for clashes, so two overlapping
//! activities sharing a host or a venue can never both be published.

pub mod calendar;
pub mod registrations;

use domain::{AuditAction, ConflictCode, DomainEvent};
use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use domain::Problems;
use domain::activity::{
    Activity, ActivityAction, ActivityKind, ActivityState, Booking, Caller, Host, MAX_HOSTS, RegistrationState,
    Schedule, check_clashes, check_college_for_kind, check_host,
};
use domain::appointment::Appointment;
use domain::auth::{Principal, Role};
use domain::page::{Page, PageRequest, Sort, parse_sort};
use domain::time::shanghai_date;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use crate::entities::activity::{ActiveModel, Column, Entity, Model};
use crate::entities::{
    academic_year, activity_host, activity_registration, appointment, college, staff, student, unit,
};
use crate::enums::{DbActivityKind, DbActivityState, DbAppointmentState};
use crate::query::{check_version, filter_eq, find_for_update, not_found, page};
use crate::reference::years;
use crate::selection::appointments;
use crate::selection::nominations::StudentBrief;
use crate::{Db, Error, Result, audit, events};

const RESOURCE: &str = "activity";

pub(crate) fn to_domain(m: Model, hosts: Vec<Host>) -> Activity {
    Activity {
        id: m.id,
        kind: m.kind.into(),
        title: m.title,
        description: m.description,
        // Topics were validated when written; unreadable ones would be a bug, shown as none.
        topics: serde_json::from_value(m.topics).unwrap_or_default(),
        academic_year_id: m.academic_year_id,
        college_id: m.college_id,
        unit_id: m.unit_id,
        hosts,
        organiser_id: m.organiser_id,
        schedule: Schedule::trusted(m.start_at, m.end_at),
        venue: m.venue,
        online_link: m.online_link,
        capacity: m.capacity,
        budget_fen: m.budget_fen,
        state: m.state.into(),
        published_at: m.published_at,
        cancelled_at: m.cancelled_at,
        cancel_reason: m.cancel_reason,
        held_at: m.held_at,
        summary: m.summary,
        actual_expense_fen: m.actual_expense_fen,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

fn to_active(a: &Activity) -> ActiveModel {
    ActiveModel {
        id: Set(a.id),
        kind: Set(DbActivityKind::from(a.kind)),
        title: Set(a.title.clone()),
        description: Set(a.description.clone()),
        topics: Set(serde_json::to_value(&a.topics).unwrap_or_default()),
        academic_year_id: Set(a.academic_year_id),
        college_id: Set(a.college_id),
        unit_id: Set(a.unit_id),
        organiser_id: Set(a.organiser_id),
        start_at: Set(a.schedule.start()),
        end_at: Set(a.schedule.end()),
        venue: Set(a.venue.clone()),
        venue_key: Set(a.venue_key()),
        online_link: Set(a.online_link.clone()),
        capacity: Set(a.capacity),
        budget_fen: Set(a.budget_fen),
        state: Set(DbActivityState::from(a.state)),
        published_at: Set(a.published_at),
        cancelled_at: Set(a.cancelled_at),
        cancel_reason: Set(a.cancel_reason.clone()),
        held_at: Set(a.held_at),
        summary: Set(a.summary.clone()),
        actual_expense_fen: Set(a.actual_expense_fen),
        version: Set(a.version),
        created_at: Set(a.created_at),
        updated_at: Set(a.updated_at),
    }
}

/// A host mentor as shown with an activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostView {
    /// The appointment.
    pub appointment_id: Uuid,
    /// The mentor.
    pub mentor: StudentBrief,
}

/// How many students hold a place, wait, and attended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Registered (holding a place).
    pub registered: u64,
    /// On the waitlist.
    pub waitlisted: u64,
    /// Marked present.
    pub attended: u64,
}

/// An activity with its hosts and registration figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityView {
    /// The activity.
    pub activity: Activity,
    /// Its hosts, in order.
    pub hosts: Vec<HostView>,
    /// Registration figures.
    pub counts: Counts,
}

/// The hosts of `ids`, in order, with their mentors' names.
async fn hosts_of<C: ConnectionTrait>(conn: &C, ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<(Host, StudentBrief)>>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = activity_host::Entity::find()
        .filter(activity_host::Column::ActivityId.is_in(ids.to_vec()))
        .order_by_asc(activity_host::Column::Position)
        .all(conn)
        .await?;
    let student_ids: Vec<Uuid> = rows.iter().map(|r| r.student_id).collect();
    let names: HashMap<Uuid, student::Model> = student::Entity::find()
        .filter(student::Column::Id.is_in(student_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let mut out: HashMap<Uuid, Vec<(Host, StudentBrief)>> = HashMap::new();
    for r in rows {
        let s = names.get(&r.student_id).ok_or_else(|| not_found("student"))?;
        out.entry(r.activity_id).or_default().push((
            Host { appointment_id: r.appointment_id, student_id: r.student_id },
            StudentBrief { id: s.id, student_no: s.student_no.clone(), name: s.name.clone() },
        ));
    }
    Ok(out)
}

/// Registration figures of `ids`, in one grouped query.
async fn counts_of<C: ConnectionTrait>(conn: &C, ids: &[Uuid]) -> Result<HashMap<Uuid, Counts>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    use activity_registration::Column as R;
    let rows: Vec<(Uuid, String, bool, i64)> = activity_registration::Entity::find()
        .select_only()
        .column(R::ActivityId)
        .column(R::State)
        .column(R::Attended)
        .column_as(Expr::col(R::Id).count(), "n")
        .filter(R::ActivityId.is_in(ids.to_vec()))
        .group_by(R::ActivityId)
        .group_by(R::State)
        .group_by(R::Attended)
        .into_tuple()
        .all(conn)
        .await?;
    let mut out: HashMap<Uuid, Counts> = HashMap::new();
    for (id, state, attended, n) in rows {
        let n = u64::try_from(n).unwrap_or(0);
        let c = out.entry(id).or_default();
        match state.parse::<RegistrationState>() {
            Ok(RegistrationState::Registered) => {
                c.registered += n;
                if attended {
                    c.attended += n;
                }
            }
            Ok(RegistrationState::Waitlisted) => c.waitlisted += n,
            _ => {}
        }
    }
    Ok(out)
}

/// Loads activities with their hosts (no figures), in the order given.
pub(crate) async fn load_many<C: ConnectionTrait>(conn: &C, models: Vec<Model>) -> Result<Vec<Activity>> {
    let ids: Vec<Uuid> = models.iter().map(|m| m.id).collect();
    let mut hosts = hosts_of(conn, &ids).await?;
    Ok(models
        .into_iter()
        .map(|m| {
            let h = hosts.remove(&m.id).unwrap_or_default().into_iter().map(|(h, _)| h).collect();
            to_domain(m, h)
        })
        .collect())
}

/// Views of activities: hosts with names and registration figures, in three queries.
pub(crate) async fn views<C: ConnectionTrait>(conn: &C, list: Vec<Activity>) -> Result<Vec<ActivityView>> {
    let ids: Vec<Uuid> = list.iter().map(|a| a.id).collect();
    let mut hosts = hosts_of(conn, &ids).await?;
    let counts = counts_of(conn, &ids).await?;
    Ok(list
        .into_iter()
        .map(|a| ActivityView {
            hosts: hosts
                .remove(&a.id)
                .unwrap_or_default()
                .into_iter()
                .map(|(h, mentor)| HostView { appointment_id: h.appointment_id, mentor })
                .collect(),
            counts: counts.get(&a.id).copied().unwrap_or_default(),
            activity: a,
        })
        .collect())
}

pub(crate) async fn view<C: ConnectionTrait>(conn: &C, a: Activity) -> Result<ActivityView> {
    views(conn, vec![a]).await?.pop().ok_or_else(|| not_found(RESOURCE))
}

/// The caller as activities see them, with the college they belong to.
pub(crate) async fn caller<C: ConnectionTrait>(conn: &C, who: &Principal) -> Result<Caller> {
    let home = match who {
        Principal::User(u) if u.role.is_college_scoped() => u.college_id,
        Principal::User(u) => match (u.student_id, u.staff_id) {
            (Some(s), _) => student::Entity::find_by_id(s).one(conn).await?.map(|s| s.college_id),
            (None, Some(s)) => staff::Entity::find_by_id(s).one(conn).await?.map(|s| s.college_id),
            (None, None) => u.college_id,
        },
        Principal::Client(_) => None,
    };
    Ok(Caller::new(who, home)?)
}

/// Restricts an activity query to what `c` may see (the SQL form of [`Caller::sees`]).
fn restrict(select: Select<Entity>, c: &Caller) -> Select<Entity> {
    if c.is_university_admin() {
        return select;
    }
    let mut any = Condition::any().add(Column::OrganiserId.eq(c.user_id));
    if let Some(college) = c.scoped_college {
        any = any.add(Column::CollegeId.eq(college));
    }
    let mine = match c.home_college {
        Some(h) => Condition::any().add(Column::CollegeId.is_null()).add(Column::CollegeId.eq(h)),
        None => Condition::all().add(Column::CollegeId.is_null()),
    };
    any = any.add(Condition::all().add(Column::State.ne(DbActivityState::Planned)).add(mine));
    if let Some(s) = c.student_id {
        any = any.add(
            Column::Id.in_subquery(
                Query::select()
                    .column(activity_host::Column::ActivityId)
                    .from(activity_host::Entity)
                    .and_where(activity_host::Column::StudentId.eq(s))
                    .to_owned(),
            ),
        );
    }
    select.filter(any)
}

/// Loads an activity the caller may see, or `NotFound`.
pub(crate) async fn visible<C: ConnectionTrait>(conn: &C, c: &Caller, id: Uuid, lock: bool) -> Result<Activity> {
    let m = if lock {
        find_for_update::<Entity, _>(conn, id, RESOURCE).await?
    } else {
        Entity::find_by_id(id).one(conn).await?.ok_or_else(|| not_found(RESOURCE))?
    };
    let a = load_many(conn, vec![m]).await?.pop().ok_or_else(|| not_found(RESOURCE))?;
    if !c.sees(&a) {
        return Err(not_found(RESOURCE));
    }
    Ok(a)
}

fn forbidden(what: &str) -> Error {
    domain::Error::Forbidden(format!("you may not {what}")).into()
}

fn invalid(field: &str, code: &str, message: &str) -> Error {
    domain::Error::invalid(field, code, message).into()
}

/// A new activity, its values already parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewActivity {
    /// Kind.
    pub kind: ActivityKind,
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// Topics.
    pub topics: Vec<String>,
    /// Academic year.
    pub academic_year_id: Uuid,
    /// College (`None` for a university-wide kind).
    pub college_id: Option<Uuid>,
    /// Unit, of the college.
    pub unit_id: Option<Uuid>,
    /// Host mentors, by appointment.
    pub host_appointment_ids: Vec<Uuid>,
    /// When.
    pub schedule: Schedule,
    /// Where.
    pub venue: Option<String>,
    /// Online link.
    pub online_link: Option<String>,
    /// Places (`None`: unlimited).
    pub capacity: Option<i32>,
    /// Budget in fen.
    pub budget_fen: Option<i64>,
}

/// Checks the hosts of an activity of `year_id` and `college_id`; returns them in order, without
/// repeats. Each failure is a field error `host_appointment_ids[i]`.
pub(crate) async fn resolve_hosts<C: ConnectionTrait>(
    conn: &C,
    ids: &[Uuid],
    year_id: Uuid,
    college_id: Option<Uuid>,
    p: &mut Problems,
) -> Result<Vec<Host>> {
    if ids.len() > MAX_HOSTS {
        p.push("host_appointment_ids", "too_long", format!("at most {MAX_HOSTS} hosts"));
        return Ok(Vec::new());
    }
    let found: HashMap<Uuid, Appointment> = appointment::Entity::find()
        .filter(appointment::Column::Id.is_in(ids.to_vec()))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| (m.id, appointments::to_domain(m)))
        .collect();
    let mut hosts: Vec<Host> = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let field = format!("host_appointment_ids[{i}]");
        let Some(a) = found.get(id) else {
            p.push(field, "invalid_reference", "no such appointment");
            continue;
        };
        if p.take(check_host(&field, a, year_id, college_id)).is_some()
            && !hosts.iter().any(|h| h.student_id == a.student_id)
        {
            hosts.push(Host { appointment_id: a.id, student_id: a.student_id });
        }
    }
    Ok(hosts)
}

async fn write_hosts(tx: &DatabaseTransaction, activity_id: Uuid, hosts: &[Host]) -> Result<()> {
    activity_host::Entity::delete_many().filter(activity_host::Column::ActivityId.eq(activity_id)).exec(tx).await?;
    if hosts.is_empty() {
        return Ok(());
    }
    let rows = hosts.iter().enumerate().map(|(i, h)| activity_host::ActiveModel {
        activity_id: Set(activity_id),
        appointment_id: Set(h.appointment_id),
        student_id: Set(h.student_id),
        position: Set(i32::try_from(i).unwrap_or(i32::MAX)),
    });
    activity_host::Entity::insert_many(rows).exec_without_returning(tx).await?;
    Ok(())
}

/// The caller's own active appointment for `year_id`, if they are a student who holds one.
async fn own_appointment<C: ConnectionTrait>(conn: &C, c: &Caller, year_id: Uuid) -> Result<Option<Appointment>> {
    let (Role::Student, Some(s)) = (c.role, c.student_id) else { return Ok(None) };
    Ok(appointment::Entity::find()
        .filter(appointment::Column::StudentId.eq(s))
        .filter(appointment::Column::AcademicYearId.eq(year_id))
        .filter(appointment::Column::State.eq(DbAppointmentState::Active))
        .one(conn)
        .await?
        .map(appointments::to_domain))
}

pub(crate) async fn check_unit<C: ConnectionTrait>(
    conn: &C,
    unit_id: Uuid,
    college_id: Option<Uuid>,
    p: &mut Problems,
) -> Result<()> {
    match (college_id, unit::Entity::find_by_id(unit_id).one(conn).await?) {
        (None, _) => p.push("unit_id", "not_allowed", "a university-wide activity has no unit"),
        (_, None) => p.push("unit_id", "invalid_reference", "no such unit"),
        (Some(c), Some(u)) if u.college_id != c => {
            p.push("unit_id", "invalid_reference", "the unit belongs to another college")
        }
        _ => {}
    }
    Ok(())
}

/// Creates a planned activity. The organiser is the caller: a university admin (any activity), a
/// college admin (their college's), or a serving mentor (their own college's, for the year of
/// their appointment). Hosts must hold an active appointment for the year, of the college.
pub async fn create(db: &Db, who: &Principal, new: NewActivity) -> Result<ActivityView> {
    let tx = db.begin().await?;
    let c = caller(&tx, who).await?;
    let mut p = Problems::new();
    p.take(check_college_for_kind(new.kind, new.college_id));
    let year = academic_year::Entity::find_by_id(new.academic_year_id)
        .one(&tx)
        .await?
        .map(years::to_domain)
        .ok_or_else(|| invalid("academic_year_id", "invalid_reference", "no such academic year"))?;
    p.finish()?;
    let mentor = own_appointment(&tx, &c, year.id).await?;
    c.may_create(new.kind, new.college_id, mentor.as_ref())?;
    if year.closed {
        return Err(domain::Error::Conflict {
            code: ConflictCode::YearClosed,
            detail: format!("{} is closed", year.code),
        }
        .into());
    }
    let mut p = Problems::new();
    if let Err(domain::Error::Validation(e)) = new.schedule.check_within(&year) {
        for f in e {
            p.push(f.field, f.code, f.message);
        }
    }
    if let Some(college) = new.college_id
        && college::Entity::find_by_id(college).one(&tx).await?.is_none()
    {
        p.push("college_id", "invalid_reference", "no such college");
    }
    if let Some(u) = new.unit_id {
        check_unit(&tx, u, new.college_id, &mut p).await?;
    }
    let hosts = resolve_hosts(&tx, &new.host_appointment_ids, year.id, new.college_id, &mut p).await?;
    p.finish()?;

    let now = crate::now();
    let a = Activity {
        id: Uuid::now_v7(),
        kind: new.kind,
        title: new.title,
        description: new.description,
        topics: new.topics,
        academic_year_id: year.id,
        college_id: new.college_id,
        unit_id: new.unit_id,
        hosts,
        organiser_id: Some(c.user_id),
        schedule: new.schedule,
        venue: new.venue,
        online_link: new.online_link,
        capacity: new.capacity,
        budget_fen: new.budget_fen,
        state: ActivityState::Planned,
        published_at: None,
        cancelled_at: None,
        cancel_reason: None,
        held_at: None,
        summary: None,
        actual_expense_fen: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    to_active(&a).insert(&tx).await?;
    write_hosts(&tx, a.id, &a.hosts).await?;
    audit::record(&tx, who.actor(), AuditAction::ActivityCreate, RESOURCE, Some(a.id), audit::created(&a)).await?;
    let out = view(&tx, a).await?;
    tx.commit().await?;
    Ok(out)
}

/// One activity, if the caller may know of it.
pub async fn get(db: &Db, who: &Principal, id: Uuid) -> Result<ActivityView> {
    let c = caller(db.reader(), who).await?;
    let a = visible(db.reader(), &c, id, false).await?;
    view(db.reader(), a).await
}

/// Filters of the activity list.
#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    /// Only this academic year.
    pub academic_year_id: Option<Uuid>,
    /// Only this college.
    pub college_id: Option<Uuid>,
    /// Only university-wide activities (`true`) or only college ones (`false`).
    pub university_wide: Option<bool>,
    /// Only this kind.
    pub kind: Option<ActivityKind>,
    /// Only this state.
    pub state: Option<ActivityState>,
    /// Only activities this appointment hosts.
    pub host_appointment_id: Option<Uuid>,
    /// Only activities starting at or after this instant.
    pub starts_from: Option<DateTime<Utc>>,
    /// Only activities starting before this instant.
    pub starts_before: Option<DateTime<Utc>>,
}

/// Lists the activities the caller may know of.
pub async fn list(
    db: &Db,
    who: &Principal,
    f: ActivityFilter,
    req: PageRequest,
    sort: Option<&str>,
) -> Result<Page<ActivityView>> {
    let c = caller(db.reader(), who).await?;
    let sort = parse_sort(
        sort,
        &[("start_at", Column::StartAt), ("created_at", Column::CreatedAt), ("updated_at", Column::UpdatedAt)],
        Sort { key: Column::StartAt, descending: true },
    )
    .map_err(|e| domain::Error::Validation(vec![e]))?;
    let mut select = restrict(Entity::find(), &c);
    select = filter_eq(select, Column::AcademicYearId, f.academic_year_id);
    select = filter_eq(select, Column::CollegeId, f.college_id);
    select = filter_eq(select, Column::Kind, f.kind.map(DbActivityKind::from));
    select = filter_eq(select, Column::State, f.state.map(DbActivityState::from));
    match f.university_wide {
        Some(true) => select = select.filter(Column::CollegeId.is_null()),
        Some(false) => select = select.filter(Column::CollegeId.is_not_null()),
        None => {}
    }
    if let Some(h) = f.host_appointment_id {
        select = select.filter(
            Column::Id.in_subquery(
                Query::select()
                    .column(activity_host::Column::ActivityId)
                    .from(activity_host::Entity)
                    .and_where(activity_host::Column::AppointmentId.eq(h))
                    .to_owned(),
            ),
        );
    }
    if let Some(t) = f.starts_from {
        select = select.filter(Column::StartAt.gte(t));
    }
    if let Some(t) = f.starts_before {
        select = select.filter(Column::StartAt.lt(t));
    }
    let p = page(db.reader(), select, req, sort, Column::Id).await?;
    let list = load_many(db.reader(), p.items).await?;
    let items = views(db.reader(), list).await?;
    Ok(Page { items, total: p.total, page: p.page, page_size: p.page_size })
}

/// Loads an activity to change it: locked, visible to the caller (else `NotFound`), managed by
/// them (else `Forbidden`), at the expected version.
pub(crate) async fn load_for_change(
    tx: &DatabaseTransaction,
    c: &Caller,
    id: Uuid,
    if_match: Option<i32>,
    what: &str,
) -> Result<Activity> {
    let a = visible(tx, c, id, true).await?;
    if !c.manages(&a) {
        return Err(forbidden(what));
    }
    check_version(if_match, a.version)?;
    Ok(a)
}

/// Saves a changed activity (and its hosts when they changed) with the next version and its
/// audit event; a change of state also goes on the change feed as `activity.<state>`.
pub(crate) async fn save(
    tx: &DatabaseTransaction,
    who: &Principal,
    before: &Activity,
    mut after: Activity,
    action: AuditAction,
) -> Result<Activity> {
    after.version = before.version + 1;
    after.updated_at = crate::now();
    to_active(&after).update(tx).await?;
    if before.hosts != after.hosts {
        write_hosts(tx, after.id, &after.hosts).await?;
    }
    audit::record(tx, who.actor(), action, RESOURCE, Some(after.id), audit::updated(before, &after)).await?;
    if before.state != after.state
        && let Some(event) = DomainEvent::activity_entered(after.state)
    {
        events::emit(tx, event, RESOURCE, after.id, &after).await?;
    }
    Ok(after)
}

/// Locks the academic years whose days meet `s`, in id order. Any activity overlapping `s` lies
/// in one of them (an activity lies within its year), so two transactions booking overlapping
/// slots always lock a common row and run one after the other.
pub(crate) async fn lock_years_around(tx: &DatabaseTransaction, s: &Schedule) -> Result<()> {
    let first = shanghai_date(s.start());
    let last = shanghai_date(s.end() - Duration::microseconds(1));
    academic_year::Entity::find()
        .filter(academic_year::Column::StartsOn.lte(last))
        .filter(academic_year::Column::EndsOn.gte(first))
        .order_by_asc(academic_year::Column::Id)
        .lock_exclusive()
        .all(tx)
        .await?;
    Ok(())
}

/// Checks that `a` books no host or venue another published (or held) activity holds at an
/// overlapping time. The caller holds the year locks.
pub(crate) async fn check_bookings(tx: &DatabaseTransaction, a: &Activity) -> Result<()> {
    let host_students: Vec<Uuid> = a.host_students().collect();
    let venue = a.venue_key();
    let mut shares = Condition::any();
    if let Some(v) = &venue {
        shares = shares.add(Column::VenueKey.eq(v.clone()));
    }
    if !host_students.is_empty() {
        shares = shares.add(
            Column::Id.in_subquery(
                Query::select()
                    .column(activity_host::Column::ActivityId)
                    .from(activity_host::Entity)
                    .and_where(activity_host::Column::StudentId.is_in(host_students))
                    .to_owned(),
            ),
        );
    }
    if venue.is_none() && a.hosts.is_empty() {
        return Ok(());
    }
    let rows = Entity::find()
        .filter(Column::Id.ne(a.id))
        .filter(Column::State.is_in([DbActivityState::Published, DbActivityState::Held]))
        .filter(Column::StartAt.lt(a.schedule.end()))
        .filter(Column::EndAt.gt(a.schedule.start()))
        .filter(shares)
        .all(tx)
        .await?;
    if rows.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let hosts = hosts_of(tx, &ids).await?;
    let names = |id: Uuid| -> Vec<(Uuid, String)> {
        hosts.get(&id).map(|v| v.iter().map(|(h, s)| (h.student_id, s.name.clone())).collect()).unwrap_or_default()
    };
    // The candidate's hosts may have changed in this very request: name them from its own list.
    let own = host_names(tx, &a.hosts).await?;
    let candidate = Booking { id: a.id, title: a.title.clone(), schedule: a.schedule, venue_key: venue, hosts: own };
    let others: Vec<Booking> = rows
        .into_iter()
        .map(|r| Booking {
            id: r.id,
            schedule: Schedule::trusted(r.start_at, r.end_at),
            hosts: names(r.id),
            title: r.title,
            venue_key: r.venue_key,
        })
        .collect();
    check_clashes(&candidate, &others)?;
    Ok(())
}

async fn host_names<C: ConnectionTrait>(conn: &C, hosts: &[Host]) -> Result<Vec<(Uuid, String)>> {
    let ids: Vec<Uuid> = hosts.iter().map(|h| h.student_id).collect();
    let names: HashMap<Uuid, String> = student::Entity::find()
        .filter(student::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    Ok(hosts.iter().map(|h| (h.student_id, names.get(&h.student_id).cloned().unwrap_or_default())).collect())
}

/// Re-checks at publication that every host still serves (an appointment may have ended since
/// the activity was planned).
async fn check_hosts_serving(tx: &DatabaseTransaction, a: &Activity) -> Result<()> {
    let ids: Vec<Uuid> = a.hosts.iter().map(|h| h.appointment_id).collect();
    let mut p = Problems::new();
    resolve_hosts(tx, &ids, a.academic_year_id, a.college_id, &mut p).await?;
    if let Err(domain::Error::Validation(errors)) = p.finish() {
        let first = errors.first().map(|e| e.message.clone()).unwrap_or_default();
        return Err(domain::Error::Conflict {
            code: ConflictCode::HostNotServing,
            detail: format!("a host no longer holds an active appointment for the year: {first}"),
        }
        .into());
    }
    Ok(())
}

/// Publishes a planned activity: its hosts must still serve, a mentor-led kind needs a host, and
/// no host or venue may be booked by another published activity at an overlapping time
/// (`host_double_booked`, `venue_double_booked`, naming the other activity).
pub async fn publish(db: &Db, who: &Principal, id: Uuid, if_match: Option<i32>) -> Result<ActivityView> {
    let tx = db.begin().await?;
    let c = caller(&tx, who).await?;
    let before = load_for_change(&tx, &c, id, if_match, "publish this activity").await?;
    let mut after = before.clone();
    after.state = before.state.apply(ActivityAction::Publish)?;
    after.check_publishable()?;
    check_hosts_serving(&tx, &after).await?;
    lock_years_around(&tx, &after.schedule).await?;
    check_bookings(&tx, &after).await?;
    after.published_at = Some(crate::now());
    let after = save(&tx, who, &before, after, AuditAction::ActivityPublish).await?;
    let out = view(&tx, after).await?;
    tx.commit().await?;
    Ok(out)
}

/// Cancels a planned or published activity, with a reason. Its slot is freed; registrations stay
/// on record.
pub async fn cancel(db: &Db, who: &Principal, id: Uuid, reason: String, if_match: Option<i32>) -> Result<ActivityView> {
    let tx = db.begin().await?;
    let c = caller(&tx, who).await?;
    let before = load_for_change(&tx, &c, id, if_match, "cancel this activity").await?;
    let mut after = before.clone();
    after.state = before.state.apply(ActivityAction::Cancel)?;
    after.cancelled_at = Some(crate::now());
    after.cancel_reason = Some(reason);
    let after = save(&tx, who, &before, after, AuditAction::ActivityCancel).await?;
    let out = view(&tx, after).await?;
    tx.commit().await?;
    Ok(out)
}

/// What is recorded when an activity is held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// What happened.
    pub summary: String,
    /// What it cost, in fen.
    pub actual_expense_fen: Option<i64>,
}

/// Records that a published activity took place (once it has started): its summary and actual
/// expense. Attendance is closed from then on.
pub async fn complete(
    db: &Db,
    who: &Principal,
    id: Uuid,
    done: Completion,
    if_match: Option<i32>,
) -> Result<ActivityView> {
    let tx = db.begin().await?;
    let c = caller(&tx, who).await?;
    let before = load_for_change(&tx, &c, id, if_match, "record this activity as held").await?;
    let now = crate::now();
    before.check_completable(now)?;
    let mut after = before.clone();
    after.state = before.state.apply(ActivityAction::Complete)?;
    after.held_at = Some(now);
    after.summary = Some(done.summary);
    after.actual_expense_fen = done.actual_expense_fen;
    let after = save(&tx, who, &before, after, AuditAction::ActivityComplete).await?;
    let out = view(&tx, after).await?;
    tx.commit().await?;
    Ok(out)
}

/// Takes a mentor whose appointment ended early off the activities they were to host, and hands
/// the ones they organised back to the college: every planned or published activity of theirs
/// that has not started yet loses them as a host (its version moves on), and their own planned or
/// published activities lose them as organiser. Inside the caller's transaction; returns the
/// activities changed.
pub(crate) async fn release_host(
    tx: &DatabaseTransaction,
    who: &Principal,
    appointment_id: Uuid,
    mentor_student_id: Uuid,
) -> Result<Vec<Uuid>> {
    let accounts: Vec<Uuid> = crate::entities::user::Entity::find()
        .select_only()
        .column(crate::entities::user::Column::Id)
        .filter(crate::entities::user::Column::StudentId.eq(mentor_student_id))
        .into_tuple::<Uuid>()
        .all(tx)
        .await?;
    if !accounts.is_empty() {
        Entity::update_many()
            .col_expr(Column::OrganiserId, Expr::value(Option::<Uuid>::None))
            .col_expr(Column::Version, Expr::col(Column::Version).add(1))
            .filter(Column::OrganiserId.is_in(accounts.iter().copied()))
            .filter(Column::State.is_in([DbActivityState::Planned, DbActivityState::Published]))
            .exec(tx)
            .await?;
    }
    let upcoming: Vec<Uuid> = Entity::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::State.is_in([DbActivityState::Planned, DbActivityState::Published]))
        .filter(Column::StartAt.gt(crate::now()))
        .filter(
            Column::Id.in_subquery(
                Query::select()
                    .column(activity_host::Column::ActivityId)
                    .from(activity_host::Entity)
                    .and_where(activity_host::Column::AppointmentId.eq(appointment_id))
                    .to_owned(),
            ),
        )
        .into_tuple::<Uuid>()
        .all(tx)
        .await?;
    if upcoming.is_empty() {
        return Ok(upcoming);
    }
    activity_host::Entity::delete_many()
        .filter(activity_host::Column::AppointmentId.eq(appointment_id))
        .filter(activity_host::Column::ActivityId.is_in(upcoming.iter().copied()))
        .exec(tx)
        .await?;
    Entity::update_many()
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, Expr::value(crate::now()))
        .filter(Column::Id.is_in(upcoming.iter().copied()))
        .exec(tx)
        .await?;
    for id in &upcoming {
        audit::record(
            tx,
            who.actor(),
            AuditAction::ActivityReleaseHost,
            "activity",
            Some(*id),
            serde_json::json!({"removed_host": appointment_id}),
        )
        .await?;
    }
    Ok(upcoming)
}
