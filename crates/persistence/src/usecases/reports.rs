//! Reports (issue 16): milestone compliance per college and the college's year-end assessment
//! (四.6). Read-only. Every figure is an aggregate query grouped by college (`COUNT`, `SUM`, `MIN`,
//! `MAX` … `GROUP BY college_id`), a fixed number of statements whatever the size of the year,
//! never a load of the rows counted; the same SQL runs on SQLite and PostgreSQL, but for the one
//! expression that turns an instant into its Asia/Shanghai day.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use domain::auth::Principal;
use domain::report::{CollegeCompliance, Compliance, IntroductionCount, SalonCount, report_college, report_scope};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::entities::{academic_year, activity, activity_host, activity_registration, appointment, college};
use crate::enums::{DbActivityKind, DbActivityState, DbAppointmentState};
use crate::query::not_found;
use crate::{Db, Result};

/// The first moment after the Asia/Shanghai day `day`: "on or before the day" is `t < end_of(day)`.
fn end_of(day: NaiveDate) -> Result<DateTime<Utc>> {
    day.succ_opt()
        .and_then(domain::time::start_of_day)
        .ok_or_else(|| crate::Error::Internal(format!("no day after {day}")))
}

/// The Asia/Shanghai day of the instant in column `col` of the current query, as SQL: a `date` on
/// PostgreSQL, `YYYY-MM-DD` text on SQLite (where dates are stored as such text). Shanghai is
/// +08:00 all year, so SQLite's fixed shift is exact.
fn shanghai_day(backend: DbBackend, col: &str) -> Expr {
    match backend {
        DbBackend::Postgres => Expr::cust(format!("(\"{col}\" AT TIME ZONE 'Asia/Shanghai')::date")),
        _ => Expr::cust(format!("date(\"{col}\", '+8 hours')")),
    }
}

/// The colleges a report covers, by code: `only`, or every college.
async fn colleges<C: ConnectionTrait>(conn: &C, only: Option<Uuid>) -> Result<Vec<college::Model>> {
    let mut q = college::Entity::find().order_by_asc(college::Column::Code).order_by_asc(college::Column::Id);
    if let Some(c) = only {
        q = q.filter(college::Column::Id.eq(c));
    }
    Ok(q.all(conn).await?)
}

/// The year, the colleges of a report and the one college it is limited to, or why not: 403 for a role that
/// reads no reports, 404 for an unknown year or a college outside the caller's scope.
async fn frame<C: ConnectionTrait>(
    conn: &C,
    who: &Principal,
    academic_year_id: Uuid,
    college_id: Option<Uuid>,
) -> Result<(academic_year::Model, Vec<college::Model>, Option<Uuid>)> {
    let only = report_college(report_scope(who)?, college_id)?;
    let year = academic_year::Entity::find_by_id(academic_year_id)
        .one(conn)
        .await?
        .ok_or_else(|| not_found("academic_year"))?;
    let colleges = colleges(conn, only).await?;
    if only.is_some() && colleges.is_empty() {
        return Err(not_found("college"));
    }
    Ok((year, colleges, only))
}

/// Appointments a milestone is due from: serving or served to the end.
const DUE: [DbAppointmentState; 2] = [DbAppointmentState::Active, DbAppointmentState::Completed];

/// A count per college.
#[derive(Debug, FromQueryResult)]
struct CountRow {
    college_id: Option<Uuid>,
    n: i64,
}

#[derive(Debug, FromQueryResult)]
struct IntroductionRow {
    college_id: Uuid,
    mentors: i64,
    introduced: i64,
    introduced_by_deadline: Option<i64>,
    last_introduced_on: Option<NaiveDate>,
}

/// The introduction milestone of every college of the year, in one statement: per due
/// appointment its first introduction day — the recorded `introduced_on`, or the Shanghai day of
/// the first held `orientation_introduction` it hosts, whichever is earlier — then per college the
/// count of appointments, of those introduced, of those introduced by the deadline, and the
/// latest first-introduction day.
async fn introductions<C: ConnectionTrait>(
    conn: &C,
    year: &academic_year::Model,
    only: Option<Uuid>,
) -> Result<HashMap<Uuid, IntroductionCount>> {
    let backend = conn.get_database_backend();
    let (hosted, first_at, hosted_day, intro_day, t) = (
        Alias::new("hosted"),
        Alias::new("first_at"),
        Alias::new("hosted_day"),
        Alias::new("intro_day"),
        Alias::new("t"),
    );
    // Each appointment's first held orientation introduction.
    let first_hosted = Query::select()
        .column((activity_host::Entity, activity_host::Column::AppointmentId))
        .expr_as(Expr::col((activity::Entity, activity::Column::StartAt)).min(), first_at.clone())
        .from(activity_host::Entity)
        .inner_join(
            activity::Entity,
            Expr::col((activity::Entity, activity::Column::Id))
                .equals((activity_host::Entity, activity_host::Column::ActivityId)),
        )
        .and_where(activity::Column::AcademicYearId.eq(year.id))
        .and_where(activity::Column::Kind.eq(DbActivityKind::OrientationIntroduction))
        .and_where(activity::Column::State.eq(DbActivityState::Held))
        .group_by_col((activity_host::Entity, activity_host::Column::AppointmentId))
        .to_owned();
    let mut per_appointment = Query::select();
    per_appointment
        .column((appointment::Entity, appointment::Column::CollegeId))
        .column((appointment::Entity, appointment::Column::IntroducedOn))
        .expr_as(shanghai_day(backend, "first_at"), hosted_day.clone())
        .from(appointment::Entity)
        .join_subquery(
            JoinType::LeftJoin,
            first_hosted,
            hosted.clone(),
            Expr::col((hosted.clone(), activity_host::Column::AppointmentId))
                .equals((appointment::Entity, appointment::Column::Id)),
        )
        .and_where(appointment::Column::AcademicYearId.eq(year.id))
        .and_where(appointment::Column::State.is_in(DUE));
    if let Some(c) = only {
        per_appointment.and_where(appointment::Column::CollegeId.eq(c));
    }
    // The earlier of the two days, either of which may be missing.
    let (recorded, hosted_col) = (Expr::col(appointment::Column::IntroducedOn), Expr::col(hosted_day.clone()));
    let first_day = Expr::case(recorded.clone().is_null(), hosted_col.clone())
        .case(hosted_col.clone().is_null(), recorded.clone())
        .case(hosted_col.clone().lt(recorded.clone()), hosted_col)
        .finally(recorded);
    let mut days = Query::select();
    days.column(appointment::Column::CollegeId)
        .expr_as(first_day, intro_day.clone())
        .from_subquery(per_appointment.to_owned(), t.clone());
    let by_deadline = Expr::case(Expr::col(intro_day.clone()).lte(year.introduction_deadline), 1).finally(0);
    let stmt: SelectStatement = Query::select()
        .column(appointment::Column::CollegeId)
        .expr_as(Expr::val(1).count(), Alias::new("mentors"))
        .expr_as(Expr::col(intro_day.clone()).count(), Alias::new("introduced"))
        .expr_as(by_deadline.sum(), Alias::new("introduced_by_deadline"))
        .expr_as(Expr::col(intro_day).max(), Alias::new("last_introduced_on"))
        .from_subquery(days.to_owned(), Alias::new("d"))
        .group_by_col(appointment::Column::CollegeId)
        .to_owned();
    let rows = IntroductionRow::find_by_statement(backend.build(&stmt)).all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.college_id,
                IntroductionCount {
                    mentors: r.mentors,
                    introduced: r.introduced,
                    introduced_by_deadline: r.introduced_by_deadline.unwrap_or(0),
                    last_introduced_on: r.last_introduced_on,
                },
            )
        })
        .collect())
}

/// Per college: held salons, of those on time, the first start.
type SalonTuple = (Option<Uuid>, i64, Option<i64>, Option<DateTime<Utc>>);

/// The freshman salons of every college of the year: held, held by the deadline, first start;
/// and, in a second statement, the attendance at them.
async fn salons<C: ConnectionTrait>(
    conn: &C,
    year: &academic_year::Model,
    only: Option<Uuid>,
) -> Result<HashMap<Uuid, SalonCount>> {
    let held = || {
        let q = activity::Entity::find()
            .filter(activity::Column::AcademicYearId.eq(year.id))
            .filter(activity::Column::Kind.eq(DbActivityKind::FreshmanSalon))
            .filter(activity::Column::State.eq(DbActivityState::Held))
            .filter(activity::Column::CollegeId.is_not_null());
        match only {
            Some(c) => q.filter(activity::Column::CollegeId.eq(c)),
            None => q,
        }
    };
    let due = end_of(year.salon_deadline)?;
    let counts: Vec<SalonTuple> = held()
        .select_only()
        .column(activity::Column::CollegeId)
        .column_as(Expr::col(activity::Column::Id).count(), "n")
        .column_as(Expr::case(activity::Column::StartAt.lt(due), 1).finally(0).sum(), "on_time")
        .column_as(Expr::col(activity::Column::StartAt).min(), "first_at")
        .group_by(activity::Column::CollegeId)
        .into_tuple()
        .all(conn)
        .await?;
    let mut attended = Query::select();
    attended
        .column((activity::Entity, activity::Column::CollegeId))
        .expr_as(Expr::col((activity_registration::Entity, activity_registration::Column::Id)).count(), Alias::new("n"))
        .from(activity_registration::Entity)
        .inner_join(
            activity::Entity,
            Expr::col((activity::Entity, activity::Column::Id))
                .equals((activity_registration::Entity, activity_registration::Column::ActivityId)),
        )
        .and_where(activity::Column::AcademicYearId.eq(year.id))
        .and_where(activity::Column::Kind.eq(DbActivityKind::FreshmanSalon))
        .and_where(activity::Column::State.eq(DbActivityState::Held))
        .and_where(activity::Column::CollegeId.is_not_null())
        .and_where(activity_registration::Column::Attended.eq(true))
        .group_by_col((activity::Entity, activity::Column::CollegeId));
    if let Some(c) = only {
        attended.and_where(activity::Column::CollegeId.eq(c));
    }
    let backend = conn.get_database_backend();
    let attendance = CountRow::find_by_statement(backend.build(&attended)).all(conn).await?;
    let mut out: HashMap<Uuid, SalonCount> = HashMap::new();
    for (college, n, on_time, first_at) in counts {
        if let Some(c) = college {
            let e = out.entry(c).or_default();
            e.held = n;
            e.held_by_deadline = on_time.unwrap_or(0);
            e.first_held_on = first_at.map(domain::time::shanghai_date);
        }
    }
    for r in attendance {
        if let Some(c) = r.college_id {
            out.entry(c).or_default().attendance = r.n;
        }
    }
    Ok(out)
}

/// The compliance rows of `colleges` for `year` on `today`.
async fn compliance_rows<C: ConnectionTrait>(
    conn: &C,
    year: &academic_year::Model,
    colleges: Vec<college::Model>,
    only: Option<Uuid>,
    today: NaiveDate,
) -> Result<Vec<CollegeCompliance>> {
    let mut intros = introductions(conn, year, only).await?;
    let mut salons = salons(conn, year, only).await?;
    Ok(colleges
        .into_iter()
        .map(|c| {
            let introduction = intros.remove(&c.id).unwrap_or(IntroductionCount {
                mentors: 0,
                introduced: 0,
                introduced_by_deadline: 0,
                last_introduced_on: None,
            });
            let salon = salons.remove(&c.id).unwrap_or_default();
            CollegeCompliance {
                college_id: c.id,
                college_code: c.code,
                college_name: c.name,
                introduction_outcome: introduction.outcome(today, year.introduction_deadline),
                salon_outcome: salon.outcome(today, year.salon_deadline, introduction.mentors),
                introduction,
                salon,
            }
        })
        .collect())
}

/// The milestone compliance of an academic year, per college (by code), on today's date by the
/// application clock: every college for a university admin (or the one `college_id` names), the
/// caller's own college for a college admin or counselor (`NotFound` for another's).
pub async fn compliance(
    db: &Db,
    who: &Principal,
    academic_year_id: Uuid,
    college_id: Option<Uuid>,
) -> Result<Compliance> {
    let conn = db.reader();
    let (year, colleges, only) = frame(conn, who, academic_year_id, college_id).await?;
    let today = db.clock().today();
    let rows = compliance_rows(conn, &year, colleges, only, today).await?;
    Ok(Compliance {
        academic_year_id: year.id,
        academic_year: year.code.clone(),
        as_of: today,
        introduction_deadline: year.introduction_deadline,
        salon_deadline: year.salon_deadline,
        colleges: rows,
    })
}
