//! Reports on how the program runs (issue 16): the mentors who have gone quiet and the overview a
//! coordinator opens first. Read-only; every figure is an aggregate query (`COUNT`, `MAX`,
//! `GROUP BY`) scoped by role, never a load of the rows counted, and the same SQL runs on SQLite
//! and PostgreSQL.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::Error as DomainError;
use domain::auth::Principal;
use domain::policy::{self, Visibility};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect, QueryTrait};
use uuid::Uuid;

use crate::entities::{
    academic_year, activity, activity_host, appointment, college, concern, help_request, inquiry, pairing, student,
    unit, work_record,
};
use crate::enums::{
    DbActivityState, DbAppointmentState, DbConcernState, DbConcernUrgency, DbPairingState, DbStudentStatus,
};
use crate::query::not_found;
use crate::{Db, Result};

/// The longest look-back of the inactive-mentor report, in days.
pub const MAX_INACTIVE_DAYS: i64 = 365;

/// The college a report caller is limited to: `None` for the whole university (a university
/// admin), `Some` for a college admin or counselor; `Forbidden` for anyone else.
pub(crate) fn report_scope(who: &Principal) -> Result<Option<Uuid>> {
    match policy::selection_visibility(who) {
        Ok(Visibility::All) => Ok(None),
        Ok(Visibility::College(c)) => Ok(Some(c)),
        _ => Err(DomainError::Forbidden(
            "only the university and a college's admins and counselors read the program reports".into(),
        )
        .into()),
    }
}

/// The colleges a report covers: the caller's scope narrowed by an optional `college_id` filter,
/// which must name a college the caller may see (`NotFound` otherwise, also for another college).
pub(crate) async fn report_colleges<C: ConnectionTrait>(
    conn: &C,
    who: &Principal,
    filter: Option<Uuid>,
) -> Result<Option<Uuid>> {
    let scope = report_scope(who)?;
    match (scope, filter) {
        (Some(own), Some(f)) if own != f => Err(not_found("college")),
        (_, Some(f)) => {
            college::Entity::find_by_id(f).one(conn).await?.ok_or_else(|| not_found("college"))?;
            Ok(Some(f))
        }
        (s, None) => Ok(s),
    }
}

/// The academic year, or `NotFound`.
pub(crate) async fn year_of<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<academic_year::Model> {
    academic_year::Entity::find_by_id(id).one(conn).await?.ok_or_else(|| not_found("academic_year"))
}

/// The ids of the year's active appointments, of one college when given.
fn active_appointments(year: Uuid, college: Option<Uuid>) -> SelectStatement {
    let mut q = Query::select();
    q.column(appointment::Column::Id)
        .from(appointment::Entity)
        .and_where(appointment::Column::AcademicYearId.eq(year))
        .and_where(appointment::Column::State.eq(DbAppointmentState::Active));
    if let Some(c) = college {
        q.and_where(appointment::Column::CollegeId.eq(c));
    }
    q.to_owned()
}

/// The appointments with a sign of work on or after `since` (the Asia/Shanghai day; `since_at` is
/// its first moment): a work record dated then, a help request answered, a held activity hosted
/// starting, or an inquiry answered since.
fn busy_since(since: NaiveDate, since_at: DateTime<Utc>) -> [SelectStatement; 4] {
    [
        Query::select()
            .column(work_record::Column::AppointmentId)
            .from(work_record::Entity)
            .and_where(work_record::Column::Date.gte(since))
            .to_owned(),
        Query::select()
            .column(help_request::Column::AppointmentId)
            .from(help_request::Entity)
            .and_where(help_request::Column::AnsweredAt.gte(since_at))
            .to_owned(),
        Query::select()
            .column((activity_host::Entity, activity_host::Column::AppointmentId))
            .from(activity_host::Entity)
            .inner_join(
                activity::Entity,
                Expr::col((activity::Entity, activity::Column::Id))
                    .equals((activity_host::Entity, activity_host::Column::ActivityId)),
            )
            .and_where(Expr::col((activity::Entity, activity::Column::State)).eq(DbActivityState::Held))
            .and_where(Expr::col((activity::Entity, activity::Column::StartAt)).gte(since_at))
            .to_owned(),
        Query::select()
            .column(inquiry::Column::AppointmentId)
            .from(inquiry::Entity)
            .and_where(inquiry::Column::RepliedAt.gte(since_at))
            .to_owned(),
    ]
}

/// One mentor without a sign of work in the window.
#[derive(Debug, Clone)]
pub struct InactiveMentor {
    /// The appointment.
    pub appointment_id: Uuid,
    /// The mentor (a student id).
    pub student_id: Uuid,
    /// 学号.
    pub student_no: String,
    /// Name.
    pub name: String,
    /// The unit served.
    pub unit_id: Uuid,
    /// Its name.
    pub unit_name: String,
    /// The Asia/Shanghai day of the appointment.
    pub appointed_on: NaiveDate,
    /// The day of the latest sign of work ever under this appointment; `None` when there is none.
    pub last_activity_on: Option<NaiveDate>,
    /// The mentor's active pairings.
    pub mentees: i64,
}

/// One college's part of the report.
#[derive(Debug, Clone)]
pub struct CollegeInactivity {
    /// The college.
    pub college_id: Uuid,
    /// Its code.
    pub college_code: String,
    /// Its name.
    pub college_name: String,
    /// Its active mentors of the year.
    pub active_mentors: i64,
    /// Those without a sign of work in the window, the longest quiet first.
    pub inactive: Vec<InactiveMentor>,
}

/// The inactive-mentor report.
#[derive(Debug, Clone)]
pub struct InactiveReport {
    /// The academic year.
    pub academic_year_id: Uuid,
    /// The window, in days.
    pub days: i64,
    /// Today (Asia/Shanghai).
    pub as_of: NaiveDate,
    /// The first day of the window: `as_of − days`.
    pub since: NaiveDate,
    /// Per college with active mentors, by college code.
    pub colleges: Vec<CollegeInactivity>,
}

/// The year's active mentors with no work record dated, help request answered, held activity
/// hosted or inquiry answered on or after `today − days` (Asia/Shanghai days), per college: the
/// whole university for a university admin, their college for a college admin or counselor
/// (`NotFound` for another college's filter). `days` is 1..=365.
pub async fn inactive_mentors(
    db: &Db,
    who: &Principal,
    academic_year_id: Uuid,
    days: i64,
    college_filter: Option<Uuid>,
) -> Result<InactiveReport> {
    let conn = db.reader();
    let colleges = report_colleges(conn, who, college_filter).await?;
    if !(1..=MAX_INACTIVE_DAYS).contains(&days) {
        return Err(DomainError::invalid("days", "out_of_range", format!("days is 1 to {MAX_INACTIVE_DAYS}")).into());
    }
    year_of(conn, academic_year_id).await?;
    let now = db.clock().now();
    let as_of = domain::time::shanghai_date(now);
    let since = as_of - Duration::days(days);
    let since_at =
        domain::time::start_of_day(since).ok_or_else(|| crate::Error::Internal(format!("no start of {since}")))?;

    // Active mentors per college.
    let active: Vec<(Uuid, i64)> = appointment::Entity::find()
        .select_only()
        .column(appointment::Column::CollegeId)
        .column_as(Expr::col(appointment::Column::Id).count(), "n")
        .filter(appointment::Column::Id.in_subquery(active_appointments(academic_year_id, colleges)))
        .group_by(appointment::Column::CollegeId)
        .into_tuple()
        .all(conn)
        .await?;

    // The quiet ones: active, in none of the four "busy" sets.
    let mut quiet = appointment::Entity::find()
        .filter(appointment::Column::Id.in_subquery(active_appointments(academic_year_id, colleges)));
    for busy in busy_since(since, since_at) {
        quiet = quiet.filter(appointment::Column::Id.not_in_subquery(busy));
    }
    let quiet_ids = || quiet.clone().select_only().column(appointment::Column::Id).into_query();
    let rows = quiet.clone().all(conn).await?;

    // Their latest sign of work, one MAX per kind grouped by appointment.
    let mut last: HashMap<Uuid, NaiveDate> = HashMap::new();
    let mut later = |id: Uuid, day: NaiveDate| {
        let e = last.entry(id).or_insert(day);
        if day > *e {
            *e = day;
        }
    };
    let records: Vec<(Uuid, Option<NaiveDate>)> = work_record::Entity::find()
        .select_only()
        .column(work_record::Column::AppointmentId)
        .column_as(Expr::col(work_record::Column::Date).max(), "d")
        .filter(work_record::Column::AppointmentId.in_subquery(quiet_ids()))
        .group_by(work_record::Column::AppointmentId)
        .into_tuple()
        .all(conn)
        .await?;
    for (id, d) in records {
        if let Some(d) = d {
            later(id, d);
        }
    }
    let answered: Vec<(Uuid, Option<DateTime<Utc>>)> = help_request::Entity::find()
        .select_only()
        .column(help_request::Column::AppointmentId)
        .column_as(Expr::col(help_request::Column::AnsweredAt).max(), "t")
        .filter(help_request::Column::AppointmentId.in_subquery(quiet_ids()))
        .group_by(help_request::Column::AppointmentId)
        .into_tuple()
        .all(conn)
        .await?;
    let replied: Vec<(Uuid, Option<DateTime<Utc>>)> = inquiry::Entity::find()
        .select_only()
        .column(inquiry::Column::AppointmentId)
        .column_as(Expr::col(inquiry::Column::RepliedAt).max(), "t")
        .filter(inquiry::Column::AppointmentId.in_subquery(quiet_ids()))
        .group_by(inquiry::Column::AppointmentId)
        .into_tuple()
        .all(conn)
        .await?;
    let hosted: Vec<(Uuid, Option<DateTime<Utc>>)> = activity_host::Entity::find()
        .select_only()
        .column(activity_host::Column::AppointmentId)
        .column_as(Expr::col((activity::Entity, activity::Column::StartAt)).max(), "t")
        .join(
            JoinType::InnerJoin,
            activity_host::Entity::belongs_to(activity::Entity)
                .from(activity_host::Column::ActivityId)
                .to(activity::Column::Id)
                .into(),
        )
        .filter(activity::Column::State.eq(DbActivityState::Held))
        .filter(activity_host::Column::AppointmentId.in_subquery(quiet_ids()))
        .group_by(activity_host::Column::AppointmentId)
        .into_tuple()
        .all(conn)
        .await?;
    for (id, t) in answered.into_iter().chain(replied).chain(hosted) {
        if let Some(t) = t {
            later(id, domain::time::shanghai_date(t));
        }
    }

    let mentees: HashMap<Uuid, i64> = pairing::Entity::find()
        .select_only()
        .column(pairing::Column::AppointmentId)
        .column_as(Expr::col(pairing::Column::Id).count(), "n")
        .filter(pairing::Column::State.eq(DbPairingState::Active))
        .filter(pairing::Column::AppointmentId.in_subquery(quiet_ids()))
        .group_by(pairing::Column::AppointmentId)
        .into_tuple::<(Uuid, i64)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let students: HashMap<Uuid, (String, String)> =
        student::Entity::find()
            .select_only()
            .column(student::Column::Id)
            .column(student::Column::StudentNo)
            .column(student::Column::Name)
            .filter(student::Column::Id.in_subquery(
                quiet.clone().select_only().column(appointment::Column::StudentId).into_query().to_owned(),
            ))
            .into_tuple::<(Uuid, String, String)>()
            .all(conn)
            .await?
            .into_iter()
            .map(|(id, no, name)| (id, (no, name)))
            .collect();
    let units: HashMap<Uuid, String> = unit::Entity::find()
        .select_only()
        .column(unit::Column::Id)
        .column(unit::Column::Name)
        .filter(
            unit::Column::Id
                .in_subquery(quiet.clone().select_only().column(appointment::Column::UnitId).into_query().to_owned()),
        )
        .into_tuple::<(Uuid, String)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let college_rows = college::Entity::find()
        .filter(college::Column::Id.is_in(active.iter().map(|(c, _)| *c)))
        .order_by_asc(college::Column::Code)
        .all(conn)
        .await?;

    let mut by_college: HashMap<Uuid, Vec<InactiveMentor>> = HashMap::new();
    for a in rows {
        let (student_no, name) = students.get(&a.student_id).cloned().unwrap_or_default();
        by_college.entry(a.college_id).or_default().push(InactiveMentor {
            appointment_id: a.id,
            student_id: a.student_id,
            student_no,
            name,
            unit_id: a.unit_id,
            unit_name: units.get(&a.unit_id).cloned().unwrap_or_default(),
            appointed_on: domain::time::shanghai_date(a.created_at),
            last_activity_on: last.get(&a.id).copied(),
            mentees: mentees.get(&a.id).copied().unwrap_or(0),
        });
    }
    let active: HashMap<Uuid, i64> = active.into_iter().collect();
    let colleges = college_rows
        .into_iter()
        .map(|c| {
            let mut inactive = by_college.remove(&c.id).unwrap_or_default();
            // Never active first, then the longest quiet; 学号 breaks ties.
            inactive.sort_by(|a, b| (a.last_activity_on, &a.student_no).cmp(&(b.last_activity_on, &b.student_no)));
            CollegeInactivity {
                college_id: c.id,
                active_mentors: active.get(&c.id).copied().unwrap_or(0),
                college_code: c.code,
                college_name: c.name,
                inactive,
            }
        })
        .collect();
    Ok(InactiveReport { academic_year_id, days, as_of, since, colleges })
}

/// Appointments of a year by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MentorsByState {
    /// `active`.
    pub active: i64,
    /// `completed`.
    pub completed: i64,
    /// `dismissed`.
    pub dismissed: i64,
    /// `resigned`.
    pub resigned: i64,
}

/// A college's freshmen and how many of them have a mentor.
#[derive(Debug, Clone)]
pub struct CollegePairing {
    /// The college.
    pub college_id: Uuid,
    /// Its code.
    pub college_code: String,
    /// Its name.
    pub college_name: String,
    /// Its freshmen (enrolled in the year's first calendar year, `enrolled`).
    pub freshmen: i64,
    /// Of those, with an active pairing of the year.
    pub paired: i64,
}

/// One point of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Point {
    /// The first day of the week (a Monday) or of the month.
    pub start: NaiveDate,
    /// What was counted.
    pub count: i64,
}

/// The program overview of one academic year.
#[derive(Debug, Clone)]
pub struct Overview {
    /// The academic year.
    pub academic_year_id: Uuid,
    /// Its code.
    pub academic_year: String,
    /// The college the overview is limited to; `None` for the university.
    pub college_id: Option<Uuid>,
    /// Today (Asia/Shanghai).
    pub as_of: NaiveDate,
    /// The year's appointments by state.
    pub mentors: MentorsByState,
    /// Freshmen and paired freshmen per college with freshmen or mentors, by college code.
    pub colleges: Vec<CollegePairing>,
    /// Work records per week by their `date`, Monday-based, from the week of the year's start to
    /// the week of `min(as_of, ends_on)`, empty weeks included.
    pub records_per_week: Vec<Point>,
    /// Activities not cancelled per month of their start (Asia/Shanghai), September to August.
    pub activities_per_month: Vec<Point>,
    /// Of those, held, per month.
    pub held_per_month: Vec<Point>,
    /// The year's concerns not yet resolved.
    pub concerns_open: i64,
    /// Of those, escalated and unacknowledged past the year's limit for their urgency.
    pub concerns_overdue: i64,
    /// The milestones of the colleges covered, tallied by status (the compliance report's rows).
    pub compliance: domain::report::ComplianceGlance,
}

/// The Monday on or before `d`.
fn monday_of(d: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

/// Folds per-day counts into Monday-based weeks from the week of `from` to the week of `to`
/// (nothing when `to < from`), empty weeks included.
pub fn weekly(days: &[(NaiveDate, i64)], from: NaiveDate, to: NaiveDate) -> Vec<Point> {
    let mut out = Vec::new();
    if to < from {
        return out;
    }
    let mut week = monday_of(from);
    while week <= to {
        let next = week + Duration::days(7);
        let count = days.iter().filter(|(d, _)| *d >= week && *d < next).map(|(_, n)| n).sum();
        out.push(Point { start: week, count });
        week = next;
    }
    out
}

/// The first days of the twelve months from `starts_on`'s month.
fn months_from(starts_on: NaiveDate) -> Vec<NaiveDate> {
    use chrono::Datelike;
    let mut out = Vec::with_capacity(12);
    let (mut y, mut m) = (starts_on.year(), starts_on.month());
    for _ in 0..12 {
        if let Some(d) = NaiveDate::from_ymd_opt(y, m, 1) {
            out.push(d);
        }
        if m == 12 {
            y += 1;
            m = 1;
        } else {
            m += 1;
        }
    }
    out
}

/// The overview of an academic year: mentors by state, freshmen paired per college, work records
/// per week, activities per month, open and overdue concerns — the university's for a university
/// admin, their college's for a college admin or counselor (`NotFound` for another college's
/// filter). Every figure is an aggregate query.
pub async fn overview(
    db: &Db,
    who: &Principal,
    academic_year_id: Uuid,
    college_filter: Option<Uuid>,
) -> Result<Overview> {
    use chrono::Datelike;
    let conn = db.reader();
    let scope = report_colleges(conn, who, college_filter).await?;
    let year = year_of(conn, academic_year_id).await?;
    let now = db.clock().now();
    let as_of = domain::time::shanghai_date(now);

    let mut by_state = appointment::Entity::find()
        .select_only()
        .column(appointment::Column::State)
        .column_as(Expr::col(appointment::Column::Id).count(), "n")
        .filter(appointment::Column::AcademicYearId.eq(academic_year_id))
        .group_by(appointment::Column::State);
    if let Some(c) = scope {
        by_state = by_state.filter(appointment::Column::CollegeId.eq(c));
    }
    let mut mentors = MentorsByState::default();
    for (state, n) in by_state.into_tuple::<(DbAppointmentState, i64)>().all(conn).await? {
        match state {
            DbAppointmentState::Active => mentors.active = n,
            DbAppointmentState::Completed => mentors.completed = n,
            DbAppointmentState::Dismissed => mentors.dismissed = n,
            DbAppointmentState::Resigned => mentors.resigned = n,
        }
    }

    // Freshmen: enrolled in the year's first calendar year and still 在读.
    let first_year = year.starts_on.year();
    let freshmen = || {
        let mut q = student::Entity::find()
            .filter(student::Column::EnrollmentYear.eq(first_year))
            .filter(student::Column::Status.eq(DbStudentStatus::Enrolled));
        if let Some(c) = scope {
            q = q.filter(student::Column::CollegeId.eq(c));
        }
        q
    };
    let per_college: HashMap<Uuid, i64> = freshmen()
        .select_only()
        .column(student::Column::CollegeId)
        .column_as(Expr::col(student::Column::Id).count(), "n")
        .group_by(student::Column::CollegeId)
        .into_tuple::<(Uuid, i64)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let paired_ids = Query::select()
        .column(pairing::Column::MenteeId)
        .from(pairing::Entity)
        .and_where(pairing::Column::AcademicYearId.eq(academic_year_id))
        .and_where(pairing::Column::State.eq(DbPairingState::Active))
        .to_owned();
    let paired: HashMap<Uuid, i64> = freshmen()
        .select_only()
        .column(student::Column::CollegeId)
        .column_as(Expr::col(student::Column::Id).count(), "n")
        .filter(student::Column::Id.in_subquery(paired_ids))
        .group_by(student::Column::CollegeId)
        .into_tuple::<(Uuid, i64)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let mut with_mentors = appointment::Entity::find()
        .select_only()
        .column(appointment::Column::CollegeId)
        .distinct()
        .filter(appointment::Column::AcademicYearId.eq(academic_year_id));
    if let Some(c) = scope {
        with_mentors = with_mentors.filter(appointment::Column::CollegeId.eq(c));
    }
    let mut college_ids: Vec<Uuid> = with_mentors.into_tuple::<Uuid>().all(conn).await?;
    college_ids.extend(per_college.keys().copied());
    let colleges = college::Entity::find()
        .filter(college::Column::Id.is_in(college_ids))
        .order_by_asc(college::Column::Code)
        .all(conn)
        .await?
        .into_iter()
        .map(|c| CollegePairing {
            college_id: c.id,
            freshmen: per_college.get(&c.id).copied().unwrap_or(0),
            paired: paired.get(&c.id).copied().unwrap_or(0),
            college_code: c.code,
            college_name: c.name,
        })
        .collect();

    // Work records per day of the year in SQL (at most 366 rows), folded into weeks here.
    let mut per_day = work_record::Entity::find()
        .select_only()
        .column(work_record::Column::Date)
        .column_as(Expr::col(work_record::Column::Id).count(), "n")
        .filter(work_record::Column::Date.gte(year.starts_on))
        .filter(work_record::Column::Date.lte(year.ends_on))
        .group_by(work_record::Column::Date);
    if let Some(c) = scope {
        per_day = per_day.filter(work_record::Column::CollegeId.eq(c));
    }
    let days: Vec<(NaiveDate, i64)> = per_day.into_tuple().all(conn).await?;
    let records_per_week = weekly(&days, year.starts_on, std::cmp::Ord::min(as_of, year.ends_on));

    // Activities per month of their start: one COUNT per month over [first moment, next first).
    let months = months_from(year.starts_on);
    let mut activities_per_month = Vec::with_capacity(months.len());
    let mut held_per_month = Vec::with_capacity(months.len());
    for (i, start) in months.iter().enumerate() {
        let end = months.get(i + 1).copied().unwrap_or_else(|| year.ends_on + Duration::days(1));
        let (Some(from), Some(to)) = (domain::time::start_of_day(*start), domain::time::start_of_day(end)) else {
            return Err(crate::Error::Internal(format!("no start of {start} or {end}")));
        };
        let in_month = || {
            let mut q = activity::Entity::find()
                .select_only()
                .column_as(Expr::col(activity::Column::Id).count(), "n")
                .filter(activity::Column::AcademicYearId.eq(academic_year_id))
                .filter(activity::Column::StartAt.gte(from))
                .filter(activity::Column::StartAt.lt(to));
            if let Some(c) = scope {
                q = q.filter(activity::Column::CollegeId.eq(c));
            }
            q
        };
        let live: Option<i64> =
            in_month().filter(activity::Column::State.ne(DbActivityState::Cancelled)).into_tuple().one(conn).await?;
        let held: Option<i64> =
            in_month().filter(activity::Column::State.eq(DbActivityState::Held)).into_tuple().one(conn).await?;
        activities_per_month.push(Point { start: *start, count: live.unwrap_or(0) });
        held_per_month.push(Point { start: *start, count: held.unwrap_or(0) });
    }

    // Concerns: open = not resolved; overdue = escalated, unacknowledged past the year's limit.
    let concerns = || {
        let mut q = concern::Entity::find()
            .select_only()
            .column_as(Expr::col(concern::Column::Id).count(), "n")
            .filter(concern::Column::AcademicYearId.eq(academic_year_id));
        if let Some(c) = scope {
            q = q.filter(concern::Column::CollegeId.eq(c));
        }
        q
    };
    let concerns_open: Option<i64> =
        concerns().filter(concern::Column::State.ne(DbConcernState::Resolved)).into_tuple().one(conn).await?;
    let overdue =
        Condition::any()
            .add(Condition::all().add(concern::Column::Urgency.eq(DbConcernUrgency::Urgent)).add(
                concern::Column::EscalatedAt.lte(now - Duration::days(i64::from(year.concern_overdue_urgent_days))),
            ))
            .add(Condition::all().add(concern::Column::Urgency.eq(DbConcernUrgency::Normal)).add(
                concern::Column::EscalatedAt.lte(now - Duration::days(i64::from(year.concern_overdue_normal_days))),
            ));
    let concerns_overdue: Option<i64> = concerns()
        .filter(concern::Column::State.eq(DbConcernState::Escalated))
        .filter(overdue)
        .into_tuple()
        .one(conn)
        .await?;

    let compliance = super::reports::compliance(db, who, academic_year_id, college_filter).await?.glance();

    Ok(Overview {
        academic_year_id,
        academic_year: year.code,
        college_id: scope,
        as_of,
        mentors,
        colleges,
        records_per_week,
        activities_per_month,
        held_per_month,
        concerns_open: concerns_open.unwrap_or(0),
        concerns_overdue: concerns_overdue.unwrap_or(0),
        compliance,
    })
}

/// How many colleges the overview names at the top and at the bottom by paired share.
pub const RANKED: usize = 3;

impl CollegePairing {
    /// `paired / freshmen`, rounded to four decimals; `None` without freshmen.
    pub fn share(&self) -> Option<f64> {
        #[allow(clippy::cast_precision_loss)]
        (self.freshmen > 0).then(|| ((self.paired as f64 / self.freshmen as f64) * 10_000.0).round() / 10_000.0)
    }
}

impl Overview {
    /// The university's (or the college's) freshmen and paired freshmen.
    pub fn totals(&self) -> CollegePairing {
        CollegePairing {
            college_id: self.college_id.unwrap_or_default(),
            college_code: String::new(),
            college_name: String::new(),
            freshmen: self.colleges.iter().map(|c| c.freshmen).sum(),
            paired: self.colleges.iter().map(|c| c.paired).sum(),
        }
    }

    /// The colleges with freshmen ranked by paired share, highest first (exactly: `paired ×
    /// other.freshmen` against `other.paired × freshmen`), then more freshmen, then college code.
    /// `(top, bottom)`: the first [`RANKED`] and the last [`RANKED`] in reverse (lowest first).
    pub fn ranked(&self) -> (Vec<&CollegePairing>, Vec<&CollegePairing>) {
        let mut ranked: Vec<&CollegePairing> = self.colleges.iter().filter(|c| c.freshmen > 0).collect();
        ranked.sort_by(|a, b| {
            (i128::from(b.paired) * i128::from(a.freshmen))
                .cmp(&(i128::from(a.paired) * i128::from(b.freshmen)))
                .then(b.freshmen.cmp(&a.freshmen))
                .then(a.college_code.cmp(&b.college_code))
        });
        let top = ranked.iter().take(RANKED).copied().collect();
        let bottom = ranked.iter().rev().take(RANKED).copied().collect();
        (top, bottom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn days_fold_into_monday_weeks_with_the_empty_ones_kept() {
        // 2026-09-01 is a Tuesday: the first week starts on Monday 2026-08-31.
        let days = [(day("2026-09-01"), 2), (day("2026-09-06"), 1), (day("2026-09-07"), 4), (day("2026-09-22"), 5)];
        let weeks = weekly(&days, day("2026-09-01"), day("2026-09-23"));
        let got: Vec<(String, i64)> = weeks.iter().map(|p| (p.start.to_string(), p.count)).collect();
        assert_eq!(
            got,
            [("2026-08-31".into(), 3), ("2026-09-07".into(), 4), ("2026-09-14".into(), 0), ("2026-09-21".into(), 5)]
        );
        assert!(weekly(&days, day("2026-09-01"), day("2026-08-30")).is_empty());
    }

    fn college(code: &str, freshmen: i64, paired: i64) -> CollegePairing {
        CollegePairing {
            college_id: Uuid::nil(),
            college_code: code.into(),
            college_name: code.into(),
            freshmen,
            paired,
        }
    }

    #[test]
    fn colleges_rank_by_exact_share_then_size_then_code_and_those_without_freshmen_are_left_out() {
        let o = Overview {
            academic_year_id: Uuid::nil(),
            academic_year: "2026-2027".into(),
            college_id: None,
            as_of: day("2026-10-01"),
            mentors: MentorsByState::default(),
            colleges: vec![
                college("A", 3, 1),
                college("B", 6, 2),
                college("C", 4, 4),
                college("D", 0, 0),
                college("E", 5, 0),
            ],
            records_per_week: vec![],
            activities_per_month: vec![],
            held_per_month: vec![],
            concerns_open: 0,
            concerns_overdue: 0,
            compliance: Default::default(),
        };
        let (top, bottom) = o.ranked();
        let codes = |v: Vec<&CollegePairing>| v.into_iter().map(|c| c.college_code.clone()).collect::<Vec<_>>();
        // 1/3 = 2/6: the bigger college B first.
        assert_eq!(codes(top), ["C", "B", "A"]);
        assert_eq!(codes(bottom), ["E", "A", "B"]);
        assert_eq!(o.colleges[0].share(), Some(0.3333));
        assert_eq!(o.colleges[3].share(), None);
        assert_eq!((o.totals().freshmen, o.totals().paired), (18, 7));
    }

    #[test]
    fn a_year_has_twelve_months_from_september() {
        let m = months_from(day("2026-09-01"));
        assert_eq!(m.len(), 12);
        assert_eq!(
            (m[0].to_string(), m[4].to_string(), m[11].to_string()),
            ("2026-09-01".into(), "2027-01-01".into(), "2027-08-01".into())
        );
    }
}
