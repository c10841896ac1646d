//! Reports on how the program runs (issue 16): the mentors who have gone quiet and the overview a
//! coordinator opens first. Read-only; every figure is an aggregate query (`COUNT`, `MAX`,
//! `GROUP BY`) scoped by role, never a load of the rows counted, and the same SQL runs on SQLite
//! and PostgreSQL.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::Error as DomainError;
use domain::auth::Principal;
use domain::policy::{self, Visibility};
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, Query, QueryStatementBuilder, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
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

/// The four signs of work of the appointment in the current query's row of `appointments`, each
/// a statement on that appointment's own rows (reached through its index on `appointment_id`):
/// work records by their `date`, answered help requests by `answered_at`, replied inquiries by
/// `replied_at`, held activities it hosts by their `start_at`. `pick` makes the statement of one
/// sign from its table's rows of the appointment, the column that dates it and whether that column
/// is a day (the work records') rather than an instant.
fn signs_of_appointment(pick: impl Fn(SelectStatement, Expr, bool) -> SelectStatement) -> [SelectStatement; 4] {
    let this = || Expr::col((appointment::Entity, appointment::Column::Id));
    let records = Query::select()
        .from(work_record::Entity)
        .and_where(Expr::col((work_record::Entity, work_record::Column::AppointmentId)).eq(this()))
        .to_owned();
    let answered = Query::select()
        .from(help_request::Entity)
        .and_where(Expr::col((help_request::Entity, help_request::Column::AppointmentId)).eq(this()))
        .and_where(Expr::col((help_request::Entity, help_request::Column::AnsweredAt)).is_not_null())
        .to_owned();
    let replied = Query::select()
        .from(inquiry::Entity)
        .and_where(Expr::col((inquiry::Entity, inquiry::Column::AppointmentId)).eq(this()))
        .and_where(Expr::col((inquiry::Entity, inquiry::Column::RepliedAt)).is_not_null())
        .to_owned();
    let hosted = Query::select()
        .from(activity_host::Entity)
        .inner_join(
            activity::Entity,
            Expr::col((activity::Entity, activity::Column::Id))
                .equals((activity_host::Entity, activity_host::Column::ActivityId)),
        )
        .and_where(Expr::col((activity_host::Entity, activity_host::Column::AppointmentId)).eq(this()))
        .and_where(Expr::col((activity::Entity, activity::Column::State)).eq(DbActivityState::Held))
        .to_owned();
    [
        pick(records, Expr::col((work_record::Entity, work_record::Column::Date)), true),
        pick(answered, Expr::col((help_request::Entity, help_request::Column::AnsweredAt)), false),
        pick(replied, Expr::col((inquiry::Entity, inquiry::Column::RepliedAt)), false),
        pick(hosted, Expr::col((activity::Entity, activity::Column::StartAt)), false),
    ]
}

/// A statement as a value of the enclosing query: `(SELECT …)`.
fn scalar(q: SelectStatement) -> Expr {
    Expr::SubQuery(None, Box::new(q.into_sub_query_statement()))
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

    // The quiet ones: active, with no sign of work since the window opened (on the day of the
    // work records, at or after its first moment for the rest) — each sign an `EXISTS` on the
    // appointment's own rows, so that no table is read beyond the year's active appointments —
    // then, for those only, their latest sign of each kind ever and their mentee count.
    let a = |c: appointment::Column| Expr::col((appointment::Entity, c));
    let [records_since, answered_since, replied_since, hosted_since] = signs_of_appointment(|mut q, when, is_day| {
        q.expr(Expr::val(1)).and_where(if is_day { when.gte(since) } else { when.gte(since_at) });
        q
    });
    let [last_day, last_help, last_reply, last_hosted] = signs_of_appointment(|mut q, when, _| {
        q.expr(when.max());
        q
    });
    let mentees = Query::select()
        .expr(Expr::val(1).count())
        .from(pairing::Entity)
        .and_where(Expr::col((pairing::Entity, pairing::Column::AppointmentId)).eq(a(appointment::Column::Id)))
        .and_where(Expr::col((pairing::Entity, pairing::Column::State)).eq(DbPairingState::Active))
        .to_owned();
    let mut quiet = Query::select();
    quiet
        .expr_as(a(appointment::Column::Id), Alias::new("appointment_id"))
        .expr_as(a(appointment::Column::CollegeId), Alias::new("college_id"))
        .expr_as(a(appointment::Column::StudentId), Alias::new("student_id"))
        .expr_as(a(appointment::Column::UnitId), Alias::new("unit_id"))
        .expr_as(a(appointment::Column::CreatedAt), Alias::new("appointed_at"))
        .expr_as(Expr::col((student::Entity, student::Column::StudentNo)), Alias::new("student_no"))
        .expr_as(Expr::col((student::Entity, student::Column::Name)), Alias::new("name"))
        .expr_as(Expr::col((unit::Entity, unit::Column::Name)), Alias::new("unit_name"))
        .expr_as(scalar(last_day), Alias::new("last_day"))
        .expr_as(scalar(last_help), Alias::new("last_help"))
        .expr_as(scalar(last_reply), Alias::new("last_reply"))
        .expr_as(scalar(last_hosted), Alias::new("last_hosted"))
        .expr_as(scalar(mentees), Alias::new("mentees"))
        .from(appointment::Entity)
        .left_join(
            student::Entity,
            Expr::col((student::Entity, student::Column::Id))
                .equals((appointment::Entity, appointment::Column::StudentId)),
        )
        .left_join(
            unit::Entity,
            Expr::col((unit::Entity, unit::Column::Id)).equals((appointment::Entity, appointment::Column::UnitId)),
        )
        .and_where(a(appointment::Column::AcademicYearId).eq(academic_year_id))
        .and_where(a(appointment::Column::State).eq(DbAppointmentState::Active))
        .and_where(Expr::not_exists(records_since))
        .and_where(Expr::not_exists(answered_since))
        .and_where(Expr::not_exists(replied_since))
        .and_where(Expr::not_exists(hosted_since));
    if let Some(c) = colleges {
        quiet.and_where(a(appointment::Column::CollegeId).eq(c));
    }
    let rows = conn.query_all(&quiet).await?;

    let college_rows = college::Entity::find()
        .filter(college::Column::Id.is_in(active.iter().map(|(c, _)| *c)))
        .order_by_asc(college::Column::Code)
        .all(conn)
        .await?;

    let mut by_college: HashMap<Uuid, Vec<InactiveMentor>> = HashMap::new();
    for r in rows {
        let last_day: Option<NaiveDate> = r.try_get("", "last_day")?;
        let mut last_at: Option<DateTime<Utc>> = None;
        for sign in ["last_help", "last_reply", "last_hosted"] {
            last_at = std::cmp::max(last_at, r.try_get::<Option<DateTime<Utc>>>("", sign)?);
        }
        let college_id: Uuid = r.try_get("", "college_id")?;
        by_college.entry(college_id).or_default().push(InactiveMentor {
            appointment_id: r.try_get("", "appointment_id")?,
            student_id: r.try_get("", "student_id")?,
            student_no: r.try_get::<Option<String>>("", "student_no")?.unwrap_or_default(),
            name: r.try_get::<Option<String>>("", "name")?.unwrap_or_default(),
            unit_id: r.try_get("", "unit_id")?,
            unit_name: r.try_get::<Option<String>>("", "unit_name")?.unwrap_or_default(),
            appointed_on: domain::time::shanghai_date(r.try_get("", "appointed_at")?),
            last_activity_on: std::cmp::max(last_day, last_at.map(domain::time::shanghai_date)),
            mentees: r.try_get::<Option<i64>>("", "mentees")?.unwrap_or(0),
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
/// per week, activities per month, open and overdue concerns, compliance at a glance — the
/// university's for a university admin, their college's for a college admin or counselor
/// (`NotFound` for another college's filter). Every figure is an aggregate query, one pass per
/// table and series; the statements are independent and run three at a time on the reader pool.
pub async fn overview(
    db: &Db,
    who: &Principal,
    academic_year_id: Uuid,
    college_filter: Option<Uuid>,
) -> Result<Overview> {
    use super::reports::{count_if, shanghai_month};
    use chrono::Datelike;
    let conn = db.reader();
    let backend = conn.get_database_backend();
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
    let by_state = by_state.into_tuple::<(DbAppointmentState, i64)>().all(conn);

    // Freshmen (enrolled in the year's first calendar year and still 在读) per college, and of
    // those with an active pairing of the year, in one pass.
    let paired_ids = Query::select()
        .column(pairing::Column::MenteeId)
        .from(pairing::Entity)
        .and_where(pairing::Column::AcademicYearId.eq(academic_year_id))
        .and_where(pairing::Column::State.eq(DbPairingState::Active))
        .to_owned();
    let mut freshmen = student::Entity::find()
        .select_only()
        .column(student::Column::CollegeId)
        .column_as(Expr::val(1).count(), "n")
        .column_as(count_if(Expr::col((student::Entity, student::Column::Id)).in_subquery(paired_ids)), "paired")
        .filter(student::Column::EnrollmentYear.eq(year.starts_on.year()))
        .filter(student::Column::Status.eq(DbStudentStatus::Enrolled))
        .group_by(student::Column::CollegeId);
    if let Some(c) = scope {
        freshmen = freshmen.filter(student::Column::CollegeId.eq(c));
    }
    let freshmen = freshmen.into_tuple::<(Uuid, i64, Option<i64>)>().all(conn);
    let mut with_mentors = appointment::Entity::find()
        .select_only()
        .column(appointment::Column::CollegeId)
        .distinct()
        .filter(appointment::Column::AcademicYearId.eq(academic_year_id));
    if let Some(c) = scope {
        with_mentors = with_mentors.filter(appointment::Column::CollegeId.eq(c));
    }
    let with_mentors = with_mentors.into_tuple::<Uuid>().all(conn);

    // Work records per day of the year in SQL (at most 366 rows), folded into weeks here.
    let mut per_day = work_record::Entity::find()
        .select_only()
        .column(work_record::Column::Date)
        .column_as(Expr::val(1).count(), "n")
        .filter(work_record::Column::Date.gte(year.starts_on))
        .filter(work_record::Column::Date.lte(year.ends_on))
        .group_by(work_record::Column::Date);
    if let Some(c) = scope {
        per_day = per_day.filter(work_record::Column::CollegeId.eq(c));
    }
    let per_day = per_day.into_tuple::<(NaiveDate, i64)>().all(conn);

    // Activities per month of their start (Asia/Shanghai), one GROUP BY month: the twelve months
    // from the year's first, the last running to `ends_on` when that is later.
    let months = months_from(year.starts_on);
    let (first, last) = (months.first().copied(), months.last().copied());
    let (Some(from), Some(to)) = (
        first.and_then(domain::time::start_of_day),
        std::cmp::Ord::max(last, Some(year.ends_on + Duration::days(1))).and_then(domain::time::start_of_day),
    ) else {
        return Err(crate::Error::Internal(format!("no months in the year {}", year.code)));
    };
    let month = shanghai_month(backend, "start_at");
    let mut per_month = activity::Entity::find()
        .select_only()
        .column_as(month.clone(), "month")
        .column_as(count_if(activity::Column::State.ne(DbActivityState::Cancelled)), "live")
        .column_as(count_if(activity::Column::State.eq(DbActivityState::Held)), "held")
        .filter(activity::Column::AcademicYearId.eq(academic_year_id))
        .filter(activity::Column::StartAt.gte(from))
        .filter(activity::Column::StartAt.lt(to))
        .group_by(month);
    if let Some(c) = scope {
        per_month = per_month.filter(activity::Column::CollegeId.eq(c));
    }
    let per_month = per_month.into_tuple::<(String, Option<i64>, Option<i64>)>().all(conn);

    // Concerns: open = not resolved; overdue = escalated, unacknowledged past the year's limit.
    let overdue =
        Condition::any()
            .add(Condition::all().add(concern::Column::Urgency.eq(DbConcernUrgency::Urgent)).add(
                concern::Column::EscalatedAt.lte(now - Duration::days(i64::from(year.concern_overdue_urgent_days))),
            ))
            .add(Condition::all().add(concern::Column::Urgency.eq(DbConcernUrgency::Normal)).add(
                concern::Column::EscalatedAt.lte(now - Duration::days(i64::from(year.concern_overdue_normal_days))),
            ));
    let mut concerns = concern::Entity::find()
        .select_only()
        .column_as(count_if(concern::Column::State.ne(DbConcernState::Resolved)), "open")
        .column_as(
            count_if(Condition::all().add(concern::Column::State.eq(DbConcernState::Escalated)).add(overdue)),
            "overdue",
        )
        .filter(concern::Column::AcademicYearId.eq(academic_year_id));
    if let Some(c) = scope {
        concerns = concerns.filter(concern::Column::CollegeId.eq(c));
    }
    let concerns = concerns.into_tuple::<(Option<i64>, Option<i64>)>().one(conn);

    // The compliance report's rows of the same year and scope, tallied.
    let compliance = async {
        let colleges = super::reports::colleges(conn, scope).await?;
        super::reports::compliance_of(conn, &year, colleges, scope, db.clock().today()).await
    };

    // Three statements at a time at most, so that a report leaves most of the pool to others.
    let (by_state, freshmen, with_mentors) = tokio::try_join!(by_state, freshmen, with_mentors)?;
    let (days, per_month, concerns) = tokio::try_join!(per_day, per_month, concerns)?;
    let compliance = compliance.await?;

    let mut mentors = MentorsByState::default();
    for (state, n) in by_state {
        match state {
            DbAppointmentState::Active => mentors.active = n,
            DbAppointmentState::Completed => mentors.completed = n,
            DbAppointmentState::Dismissed => mentors.dismissed = n,
            DbAppointmentState::Resigned => mentors.resigned = n,
        }
    }
    let freshmen: HashMap<Uuid, (i64, i64)> =
        freshmen.into_iter().map(|(c, n, paired)| (c, (n, paired.unwrap_or(0)))).collect();
    let mut college_ids = with_mentors;
    college_ids.extend(freshmen.keys().copied());
    let colleges = college::Entity::find()
        .filter(college::Column::Id.is_in(college_ids))
        .order_by_asc(college::Column::Code)
        .all(conn)
        .await?
        .into_iter()
        .map(|c| {
            let (freshmen, paired) = freshmen.get(&c.id).copied().unwrap_or((0, 0));
            CollegePairing { college_id: c.id, freshmen, paired, college_code: c.code, college_name: c.name }
        })
        .collect();

    let records_per_week = weekly(&days, year.starts_on, std::cmp::Ord::min(as_of, year.ends_on));

    // Each month's counts in its place; a start after the twelfth month (a year ending later)
    // counts in the twelfth.
    let mut activities_per_month: Vec<Point> = months.iter().map(|m| Point { start: *m, count: 0 }).collect();
    let mut held_per_month = activities_per_month.clone();
    let index_of = |key: &str| {
        let month = NaiveDate::parse_from_str(&format!("{key}-01"), "%Y-%m-%d").ok()?;
        let first = first?;
        let n = (month.year() - first.year()) * 12 + i32::try_from(month.month()).ok()?
            - i32::try_from(first.month()).ok()?;
        usize::try_from(n).ok().map(|n| n.min(months.len().saturating_sub(1)))
    };
    for (key, live, held) in per_month {
        let Some(i) = index_of(&key) else {
            return Err(crate::Error::Internal(format!("activity month {key} outside the year {}", year.code)));
        };
        if let (Some(a), Some(h)) = (activities_per_month.get_mut(i), held_per_month.get_mut(i)) {
            a.count += live.unwrap_or(0);
            h.count += held.unwrap_or(0);
        }
    }
    let (concerns_open, concerns_overdue) = concerns.unwrap_or_default();

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
        compliance: compliance.glance(),
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
