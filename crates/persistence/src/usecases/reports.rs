//! Reports (issue 16): milestone compliance per college and the college's year-end assessment
//! (四.6). Read-only. Every figure is an aggregate query grouped by college (`COUNT`, `SUM`, `MIN`,
//! `MAX` … `GROUP BY college_id`), a fixed number of statements whatever the size of the year,
//! never a load of the rows counted; the same SQL runs on SQLite and PostgreSQL, but for the one
//! expression that turns an instant into its Asia/Shanghai day.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use domain::auth::Principal;
use domain::report::{
    AssessmentReport, CollegeAssessment, CollegeCompliance, CollegeFigures, Compliance, IntroductionCount, SalonCount,
    YearFigures, report_college, report_scope,
};
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, JoinType, Query, SelectStatement};
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

/// The Asia/Shanghai month of the instant in column `col` of the current query, as `YYYY-MM`
/// text on both backends.
pub(super) fn shanghai_month(backend: DbBackend, col: &str) -> Expr {
    match backend {
        DbBackend::Postgres => Expr::cust(format!("to_char(\"{col}\" AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')")),
        _ => Expr::cust(format!("strftime('%Y-%m', \"{col}\", '+8 hours')")),
    }
}

/// The colleges a report covers, by code: `only`, or every college.
pub(super) async fn colleges<C: ConnectionTrait>(conn: &C, only: Option<Uuid>) -> Result<Vec<college::Model>> {
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

/// The years of a report, each once (a year compared with itself is read once).
fn distinct<'a>(years: &[&'a academic_year::Model]) -> Vec<&'a academic_year::Model> {
    let mut out: Vec<&academic_year::Model> = Vec::with_capacity(years.len());
    for y in years {
        if !out.iter().any(|o| o.id == y.id) {
            out.push(y);
        }
    }
    out
}

/// The ids of `years`.
fn ids_of(years: &[&academic_year::Model]) -> Vec<Uuid> {
    years.iter().map(|y| y.id).collect()
}

/// A condition that differs by year, on the row's own year: `(year = y₁ AND c₁) OR (year = y₂ AND
/// c₂) …` for each `(yᵢ, cᵢ)`, so that several years are counted in one pass.
fn per_year(year: impl Fn() -> Expr, conds: impl IntoIterator<Item = (Uuid, Condition)>) -> Condition {
    conds.into_iter().fold(Condition::any(), |any, (y, c)| any.add(Condition::all().add(year().eq(y)).add(c)))
}

#[derive(Debug, FromQueryResult)]
struct IntroductionRow {
    academic_year_id: Uuid,
    college_id: Uuid,
    mentors: i64,
    introduced: i64,
    introduced_by_deadline: Option<i64>,
    last_introduced_on: Option<NaiveDate>,
}

/// The introduction milestone of every college in each of `years`, in one statement: per due
/// appointment its first introduction day — the recorded `introduced_on`, or the Shanghai day of
/// the first held `orientation_introduction` of its year it hosts, whichever is earlier — then per
/// year and college the count of appointments, of those introduced, of those introduced by the
/// year's deadline, and the latest first-introduction day. Keyed by (year, college).
async fn introductions<C: ConnectionTrait>(
    conn: &C,
    years: &[&academic_year::Model],
    only: Option<Uuid>,
) -> Result<HashMap<(Uuid, Uuid), IntroductionCount>> {
    let backend = conn.get_database_backend();
    let (hosted, first_at, hosted_day, intro_day, t, year_id) = (
        Alias::new("hosted"),
        Alias::new("first_at"),
        Alias::new("hosted_day"),
        Alias::new("intro_day"),
        Alias::new("t"),
        Alias::new("year_id"),
    );
    let ids = ids_of(years);
    // Each appointment's first held orientation introduction of each year.
    let activity_year = || Expr::col((activity::Entity, activity::Column::AcademicYearId));
    let first_hosted = Query::select()
        .column((activity_host::Entity, activity_host::Column::AppointmentId))
        .expr_as(activity_year(), year_id.clone())
        .expr_as(Expr::col((activity::Entity, activity::Column::StartAt)).min(), first_at.clone())
        .from(activity_host::Entity)
        .inner_join(
            activity::Entity,
            Expr::col((activity::Entity, activity::Column::Id))
                .equals((activity_host::Entity, activity_host::Column::ActivityId)),
        )
        .and_where(activity_year().is_in(ids.clone()))
        .and_where(Expr::col((activity::Entity, activity::Column::Kind)).eq(DbActivityKind::OrientationIntroduction))
        .and_where(Expr::col((activity::Entity, activity::Column::State)).eq(DbActivityState::Held))
        .group_by_col((activity_host::Entity, activity_host::Column::AppointmentId))
        .add_group_by([activity_year()])
        .to_owned();
    let mut per_appointment = Query::select();
    per_appointment
        .column((appointment::Entity, appointment::Column::AcademicYearId))
        .column((appointment::Entity, appointment::Column::CollegeId))
        .column((appointment::Entity, appointment::Column::IntroducedOn))
        .expr_as(shanghai_day(backend, "first_at"), hosted_day.clone())
        .from(appointment::Entity)
        .join_subquery(
            JoinType::LeftJoin,
            first_hosted,
            hosted.clone(),
            Expr::col((hosted.clone(), activity_host::Column::AppointmentId))
                .equals((appointment::Entity, appointment::Column::Id))
                .and(
                    Expr::col((hosted.clone(), year_id))
                        .equals((appointment::Entity, appointment::Column::AcademicYearId)),
                ),
        )
        .and_where(Expr::col((appointment::Entity, appointment::Column::AcademicYearId)).is_in(ids))
        .and_where(Expr::col((appointment::Entity, appointment::Column::State)).is_in(DUE));
    if let Some(c) = only {
        per_appointment.and_where(Expr::col((appointment::Entity, appointment::Column::CollegeId)).eq(c));
    }
    // The earlier of the two days, either of which may be missing.
    let (recorded, hosted_col) = (Expr::col(appointment::Column::IntroducedOn), Expr::col(hosted_day.clone()));
    let first_day = Expr::case(recorded.clone().is_null(), hosted_col.clone())
        .case(hosted_col.clone().is_null(), recorded.clone())
        .case(hosted_col.clone().lt(recorded.clone()), hosted_col)
        .finally(recorded);
    let mut days = Query::select();
    days.column(appointment::Column::AcademicYearId)
        .column(appointment::Column::CollegeId)
        .expr_as(first_day, intro_day.clone())
        .from_subquery(per_appointment.to_owned(), t.clone());
    let on_time = per_year(
        || Expr::col(appointment::Column::AcademicYearId),
        years.iter().map(|y| (y.id, Condition::all().add(Expr::col(intro_day.clone()).lte(y.introduction_deadline)))),
    );
    let stmt: SelectStatement = Query::select()
        .column(appointment::Column::AcademicYearId)
        .column(appointment::Column::CollegeId)
        .expr_as(Expr::val(1).count(), Alias::new("mentors"))
        .expr_as(Expr::col(intro_day.clone()).count(), Alias::new("introduced"))
        .expr_as(Expr::case(on_time, 1).finally(0).sum(), Alias::new("introduced_by_deadline"))
        .expr_as(Expr::col(intro_day).max(), Alias::new("last_introduced_on"))
        .from_subquery(days.to_owned(), Alias::new("d"))
        .group_by_col(appointment::Column::AcademicYearId)
        .group_by_col(appointment::Column::CollegeId)
        .to_owned();
    let rows = IntroductionRow::find_by_statement(backend.build(&stmt)).all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                (r.academic_year_id, r.college_id),
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

/// Per year and college: held salons, of those on time, the first start.
type SalonTuple = (Uuid, Option<Uuid>, i64, Option<i64>, Option<DateTime<Utc>>);

/// A count per year and college.
#[derive(Debug, FromQueryResult)]
struct YearCountRow {
    academic_year_id: Uuid,
    college_id: Option<Uuid>,
    n: i64,
}

/// The freshman salons of every college in each of `years`: held, held by the year's deadline,
/// first start; and, in a second statement, the attendance at them. Keyed by (year, college).
async fn salons<C: ConnectionTrait>(
    conn: &C,
    years: &[&academic_year::Model],
    only: Option<Uuid>,
) -> Result<HashMap<(Uuid, Uuid), SalonCount>> {
    let ids = ids_of(years);
    let held = {
        let q = activity::Entity::find()
            .filter(activity::Column::AcademicYearId.is_in(ids.clone()))
            .filter(activity::Column::Kind.eq(DbActivityKind::FreshmanSalon))
            .filter(activity::Column::State.eq(DbActivityState::Held))
            .filter(activity::Column::CollegeId.is_not_null());
        match only {
            Some(c) => q.filter(activity::Column::CollegeId.eq(c)),
            None => q,
        }
    };
    let mut due = Vec::with_capacity(years.len());
    for y in years {
        due.push((y.id, Condition::all().add(activity::Column::StartAt.lt(end_of(y.salon_deadline)?))));
    }
    let on_time = per_year(|| Expr::col(activity::Column::AcademicYearId), due);
    let counts = held
        .select_only()
        .column(activity::Column::AcademicYearId)
        .column(activity::Column::CollegeId)
        .column_as(Expr::col(activity::Column::Id).count(), "n")
        .column_as(Expr::case(on_time, 1).finally(0).sum(), "on_time")
        .column_as(Expr::col(activity::Column::StartAt).min(), "first_at")
        .group_by(activity::Column::AcademicYearId)
        .group_by(activity::Column::CollegeId)
        .into_tuple::<SalonTuple>()
        .all(conn);
    let a = |c: activity::Column| Expr::col((activity::Entity, c));
    let mut attended = Query::select();
    attended
        .expr_as(a(activity::Column::AcademicYearId), Alias::new("academic_year_id"))
        .expr_as(a(activity::Column::CollegeId), Alias::new("college_id"))
        .expr_as(Expr::col((activity_registration::Entity, activity_registration::Column::Id)).count(), Alias::new("n"))
        .from(activity_registration::Entity)
        .inner_join(
            activity::Entity,
            a(activity::Column::Id).equals((activity_registration::Entity, activity_registration::Column::ActivityId)),
        )
        .and_where(a(activity::Column::AcademicYearId).is_in(ids))
        .and_where(a(activity::Column::Kind).eq(DbActivityKind::FreshmanSalon))
        .and_where(a(activity::Column::State).eq(DbActivityState::Held))
        .and_where(a(activity::Column::CollegeId).is_not_null())
        .and_where(Expr::col((activity_registration::Entity, activity_registration::Column::Attended)).eq(true))
        .add_group_by([a(activity::Column::AcademicYearId), a(activity::Column::CollegeId)]);
    if let Some(c) = only {
        attended.and_where(a(activity::Column::CollegeId).eq(c));
    }
    let backend = conn.get_database_backend();
    let attendance = YearCountRow::find_by_statement(backend.build(&attended)).all(conn);
    let (counts, attendance) = tokio::try_join!(counts, attendance)?;
    let mut out: HashMap<(Uuid, Uuid), SalonCount> = HashMap::new();
    for (year, college, n, on_time, first_at) in counts {
        if let Some(c) = college {
            let e = out.entry((year, c)).or_default();
            e.held = n;
            e.held_by_deadline = on_time.unwrap_or(0);
            e.first_held_on = first_at.map(domain::time::shanghai_date);
        }
    }
    for r in attendance {
        if let Some(c) = r.college_id {
            out.entry((r.academic_year_id, c)).or_default().attendance = r.n;
        }
    }
    Ok(out)
}

/// The compliance rows of `colleges` in each of `years` on `today`, keyed by year; the counts of
/// every year come from the same three statements.
async fn compliance_rows<C: ConnectionTrait>(
    conn: &C,
    years: &[&academic_year::Model],
    colleges: &[college::Model],
    only: Option<Uuid>,
    today: NaiveDate,
) -> Result<HashMap<Uuid, Vec<CollegeCompliance>>> {
    let (mut intros, mut salons) = tokio::try_join!(introductions(conn, years, only), salons(conn, years, only))?;
    Ok(years
        .iter()
        .map(|year| {
            let rows = colleges
                .iter()
                .map(|c| {
                    let introduction = intros.remove(&(year.id, c.id)).unwrap_or(IntroductionCount {
                        mentors: 0,
                        introduced: 0,
                        introduced_by_deadline: 0,
                        last_introduced_on: None,
                    });
                    let salon = salons.remove(&(year.id, c.id)).unwrap_or_default();
                    CollegeCompliance {
                        college_id: c.id,
                        college_code: c.code.clone(),
                        college_name: c.name.clone(),
                        introduction_outcome: introduction.outcome(today, year.introduction_deadline),
                        salon_outcome: salon.outcome(today, year.salon_deadline, introduction.mentors),
                        introduction,
                        salon,
                    }
                })
                .collect();
            (year.id, rows)
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
    compliance_of(conn, &year, colleges, only, db.clock().today()).await
}

/// The compliance report of `colleges` (every college, or the one `only` names) for a year
/// already read and a scope already checked, on `today`.
pub(super) async fn compliance_of<C: ConnectionTrait>(
    conn: &C,
    year: &academic_year::Model,
    colleges: Vec<college::Model>,
    only: Option<Uuid>,
    today: NaiveDate,
) -> Result<Compliance> {
    let rows = compliance_rows(conn, &[year], &colleges, only, today).await?.remove(&year.id).unwrap_or_default();
    Ok(Compliance {
        academic_year_id: year.id,
        academic_year: year.code.clone(),
        as_of: today,
        introduction_deadline: year.introduction_deadline,
        salon_deadline: year.salon_deadline,
        colleges: rows,
    })
}

/// Several aggregates per year and college in one pass: `aggs` over the rows of `q`, grouped by
/// `year` (the year's key: its id, or the freshmen's enrollment year) and `college`; each group's
/// values in the order of `aggs`, NULL as 0. Rows without a college (the university's own) are
/// under `None`.
async fn grouped<K, C, const N: usize>(
    conn: &C,
    mut q: SelectStatement,
    year: Expr,
    college: Expr,
    aggs: [Expr; N],
) -> Result<HashMap<(K, Option<Uuid>), [i64; N]>>
where
    K: sea_orm::TryGetable + Eq + std::hash::Hash,
    C: ConnectionTrait,
{
    q.expr_as(year.clone(), Alias::new("year_key")).expr_as(college.clone(), Alias::new("college_id"));
    for (i, agg) in aggs.into_iter().enumerate() {
        q.expr_as(agg, Alias::new(format!("n{i}")));
    }
    q.add_group_by([year, college]);
    let mut out = HashMap::new();
    for row in conn.query_all(&q).await? {
        let key = (row.try_get::<K>("", "year_key")?, row.try_get::<Option<Uuid>>("", "college_id")?);
        let mut v = [0; N];
        for (i, slot) in v.iter_mut().enumerate() {
            *slot = row.try_get::<Option<i64>>("", &format!("n{i}"))?.unwrap_or(0);
        }
        out.insert(key, v);
    }
    Ok(out)
}

/// `COUNT(*)`.
fn count_all() -> Expr {
    Expr::val(1).count()
}

/// The rows for which `cond` holds, counted: `SUM(CASE WHEN cond THEN 1 ELSE 0 END)`.
pub(super) fn count_if(cond: impl sea_orm::sea_query::IntoCondition) -> Expr {
    Expr::case(cond, 1).finally(0).sum().cast_as("bigint")
}

/// `SUM(col)` as a bigint (PostgreSQL sums a bigint to a numeric).
fn sum_of(col: impl sea_orm::sea_query::IntoColumnRef) -> Expr {
    Expr::col(col).sum().cast_as("bigint")
}

/// `SUM(col)` over the rows for which `cond` holds, as a bigint.
fn sum_if(cond: impl sea_orm::sea_query::IntoCondition, col: impl sea_orm::sea_query::IntoColumnRef) -> Expr {
    Expr::case(cond, Expr::col(col)).finally(Expr::val(Option::<i64>::None)).sum().cast_as("bigint")
}

/// The ids of the appointments of `years`, in `states` when given.
fn appointments_of(years: &[Uuid], states: Option<&[DbAppointmentState]>) -> SelectStatement {
    let mut q = Query::select();
    q.column(appointment::Column::Id)
        .from(appointment::Entity)
        .and_where(appointment::Column::AcademicYearId.is_in(years.iter().copied()));
    if let Some(s) = states {
        q.and_where(appointment::Column::State.is_in(s.iter().copied()));
    }
    q.to_owned()
}

/// Figures keyed by year and college (`None`: the university's own rows).
type Figures = HashMap<(Uuid, Option<Uuid>), CollegeFigures>;

/// Every assessment figure of every college (or `only`) in each of `years` (distinct) at `now`,
/// and under college `None` those of the university's own rows (its university-wide activities):
/// one aggregate statement per table read (students, nominations, appointments, activities,
/// registrations, work records, help requests, concerns, inquiries, assessments, award
/// nominations), each grouped by year and college and folding all of that table's figures of
/// every year into its one pass; the statements are independent and run three at a time on the
/// reader pool.
async fn figures<C: ConnectionTrait>(
    conn: &C,
    years: &[&academic_year::Model],
    only: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Figures> {
    use crate::entities::{
        assessment, award_nomination, award_round, concern, help_request, inquiry, nomination, pairing, student,
        work_record,
    };
    use crate::enums::{
        DbConcernState, DbConcernUrgency, DbEndReason, DbGrade, DbInquiryState, DbPairingState, DbStudentStatus,
    };
    let ids = ids_of(years);
    // Each year's freshmen are those who entered in its first calendar year; codes are unique and
    // name that year, so it keys the year.
    let mut first_years: Vec<(i32, Uuid)> = Vec::with_capacity(years.len());
    for y in years {
        let first = domain::reference::AcademicYearCode::parse("code", &y.code)
            .map_err(|e| crate::Error::Internal(format!("academic year {}: {}", y.id, e.message)))?
            .first_year();
        first_years.push((first, y.id));
    }
    let scoped = |q: &mut SelectStatement, college: Expr| {
        if let Some(c) = only {
            q.and_where(college.eq(c));
        }
    };

    // Freshmen (enrolled students who entered in a year's first calendar year): how many, the
    // units they are in, those units with a mentor of that year due a milestone, and those paired
    // in that year.
    let s = |c: student::Column| Expr::col((student::Entity, c));
    let due_units = |y: Uuid| {
        Query::select()
            .column(appointment::Column::UnitId)
            .from(appointment::Entity)
            .and_where(appointment::Column::AcademicYearId.eq(y))
            .and_where(appointment::Column::State.is_in(DUE))
            .to_owned()
    };
    let paired = |y: Uuid| {
        Query::select()
            .column(pairing::Column::MenteeId)
            .from(pairing::Entity)
            .and_where(pairing::Column::AcademicYearId.eq(y))
            .cond_where(
                Condition::any()
                    .add(pairing::Column::State.eq(DbPairingState::Active))
                    .add(pairing::Column::EndReason.eq(DbEndReason::TermCompleted)),
            )
            .to_owned()
    };
    let of_intake = |cond: &dyn Fn(Uuid) -> Condition| {
        first_years.iter().fold(Condition::any(), |any, (first, y)| {
            any.add(Condition::all().add(s(student::Column::EnrollmentYear).eq(*first)).add(cond(*y)))
        })
    };
    let covered = of_intake(&|y| Condition::all().add(s(student::Column::UnitId).in_subquery(due_units(y))));
    let covered_unit = Expr::case(covered, s(student::Column::UnitId)).finally(Expr::val(Option::<Uuid>::None));
    let is_paired = of_intake(&|y| Condition::all().add(s(student::Column::Id).in_subquery(paired(y))));
    let mut q = Query::select();
    q.from(student::Entity)
        .and_where(s(student::Column::EnrollmentYear).is_in(first_years.iter().map(|(f, _)| *f)))
        .and_where(s(student::Column::Status).eq(DbStudentStatus::Enrolled));
    scoped(&mut q, s(student::Column::CollegeId));
    let students = grouped::<i32, _, 4>(
        conn,
        q,
        s(student::Column::EnrollmentYear),
        s(student::Column::CollegeId),
        [count_all(), s(student::Column::UnitId).count_distinct(), covered_unit.count_distinct(), count_if(is_paired)],
    );

    // Mentors.
    let n = |c: nomination::Column| Expr::col((nomination::Entity, c));
    let mut q = Query::select();
    q.from(nomination::Entity)
        .and_where(n(nomination::Column::AcademicYearId).is_in(ids.clone()))
        .and_where(n(nomination::Column::SubmittedAt).is_not_null());
    scoped(&mut q, n(nomination::Column::CollegeId));
    let nominations = grouped::<Uuid, _, 1>(
        conn,
        q,
        n(nomination::Column::AcademicYearId),
        n(nomination::Column::CollegeId),
        [count_all()],
    );
    let a = |c: appointment::Column| Expr::col((appointment::Entity, c));
    let mut q = Query::select();
    q.from(appointment::Entity).and_where(a(appointment::Column::AcademicYearId).is_in(ids.clone()));
    scoped(&mut q, a(appointment::Column::CollegeId));
    let appointments = grouped::<Uuid, _, 4>(
        conn,
        q,
        a(appointment::Column::AcademicYearId),
        a(appointment::Column::CollegeId),
        [
            count_all(),
            count_if(a(appointment::Column::TrainingCompletedOn).is_not_null()),
            count_if(a(appointment::Column::State).eq(DbAppointmentState::Dismissed)),
            count_if(a(appointment::Column::State).eq(DbAppointmentState::Resigned)),
        ],
    );

    // Salons held, and the budget: planned over the activities not cancelled, spent over those
    // held; the university-wide activities under no college.
    let v = |c: activity::Column| Expr::col((activity::Entity, c));
    let held = || v(activity::Column::State).eq(DbActivityState::Held);
    let mut q = Query::select();
    q.from(activity::Entity).and_where(v(activity::Column::AcademicYearId).is_in(ids.clone()));
    scoped(&mut q, v(activity::Column::CollegeId));
    let activities = grouped::<Uuid, _, 4>(
        conn,
        q,
        v(activity::Column::AcademicYearId),
        v(activity::Column::CollegeId),
        [
            count_if(held().and(v(activity::Column::Kind).eq(DbActivityKind::FreshmanSalon))),
            count_if(held().and(v(activity::Column::Kind).eq(DbActivityKind::ResearchSalon))),
            sum_if(
                v(activity::Column::State).ne(DbActivityState::Cancelled),
                (activity::Entity, activity::Column::BudgetFen),
            ),
            sum_if(held(), (activity::Entity, activity::Column::ActualExpenseFen)),
        ],
    );
    // Attendance at the held salons.
    let mut q = Query::select();
    q.from(activity_registration::Entity)
        .inner_join(
            activity::Entity,
            v(activity::Column::Id).equals((activity_registration::Entity, activity_registration::Column::ActivityId)),
        )
        .and_where(v(activity::Column::AcademicYearId).is_in(ids.clone()))
        .and_where(held())
        .and_where(v(activity::Column::Kind).is_in([DbActivityKind::FreshmanSalon, DbActivityKind::ResearchSalon]))
        .and_where(Expr::col((activity_registration::Entity, activity_registration::Column::Attended)).eq(true));
    scoped(&mut q, v(activity::Column::CollegeId));
    let attendance = grouped::<Uuid, _, 2>(
        conn,
        q,
        v(activity::Column::AcademicYearId),
        v(activity::Column::CollegeId),
        [
            count_if(v(activity::Column::Kind).eq(DbActivityKind::FreshmanSalon)),
            count_if(v(activity::Column::Kind).eq(DbActivityKind::ResearchSalon)),
        ],
    );

    // The work-record book. SQLite counts per appointment first, in the order of the index on
    // (appointment_id, college_id, minutes) so that no record is sorted, then per year and college
    // over the few thousand appointments; PostgreSQL joins the records to their appointments and
    // groups once, a plan it runs in parallel (the two-step form measured about twice slower there).
    let w = |c: work_record::Column| Expr::col((work_record::Entity, c));
    let records = if conn.get_database_backend() == DbBackend::Postgres {
        let mut q = Query::select();
        q.from(work_record::Entity)
            .inner_join(appointment::Entity, a(appointment::Column::Id).eq(w(work_record::Column::AppointmentId)))
            .and_where(a(appointment::Column::AcademicYearId).is_in(ids.clone()));
        scoped(&mut q, w(work_record::Column::CollegeId));
        grouped::<Uuid, _, 2>(
            conn,
            q,
            a(appointment::Column::AcademicYearId),
            w(work_record::Column::CollegeId),
            [count_all(), sum_of((work_record::Entity, work_record::Column::Minutes))],
        )
    } else {
        let (r, rn, rm) = (Alias::new("r"), Alias::new("n"), Alias::new("m"));
        let mut per_appointment = Query::select();
        per_appointment
            .expr_as(w(work_record::Column::AppointmentId), Alias::new("appointment_id"))
            .expr_as(w(work_record::Column::CollegeId), Alias::new("college_id"))
            .expr_as(count_all(), rn.clone())
            .expr_as(w(work_record::Column::Minutes).sum(), rm.clone())
            .from(work_record::Entity)
            .and_where(w(work_record::Column::AppointmentId).in_subquery(appointments_of(&ids, None)))
            .add_group_by([w(work_record::Column::AppointmentId), w(work_record::Column::CollegeId)]);
        scoped(&mut per_appointment, w(work_record::Column::CollegeId));
        let mut q = Query::select();
        q.from_subquery(per_appointment, r.clone()).inner_join(
            appointment::Entity,
            a(appointment::Column::Id).equals((r.clone(), Alias::new("appointment_id"))),
        );
        grouped::<Uuid, _, 2>(
            conn,
            q,
            a(appointment::Column::AcademicYearId),
            Expr::col((r.clone(), Alias::new("college_id"))),
            [sum_of((r.clone(), rn)), sum_of((r, rm))],
        )
    };

    // Help requests, concerns, inquiries.
    let by_appointment = |q: &mut SelectStatement, appointment_col: Expr| {
        q.inner_join(appointment::Entity, a(appointment::Column::Id).eq(appointment_col))
            .and_where(a(appointment::Column::AcademicYearId).is_in(ids.clone()));
    };
    let h = |c: help_request::Column| Expr::col((help_request::Entity, c));
    let mut q = Query::select();
    q.from(help_request::Entity).and_where(h(help_request::Column::AnsweredAt).is_not_null());
    by_appointment(&mut q, h(help_request::Column::AppointmentId));
    scoped(&mut q, h(help_request::Column::CollegeId));
    let help = grouped::<Uuid, _, 1>(
        conn,
        q,
        a(appointment::Column::AcademicYearId),
        h(help_request::Column::CollegeId),
        [count_all()],
    );
    let k = |c: concern::Column| Expr::col((concern::Entity, c));
    let late = |urgency: DbConcernUrgency, days: i32| {
        Condition::all()
            .add(k(concern::Column::Urgency).eq(urgency))
            .add(k(concern::Column::EscalatedAt).lte(now - chrono::Duration::days(i64::from(days))))
    };
    let overdue = Condition::all().add(k(concern::Column::State).eq(DbConcernState::Escalated)).add(per_year(
        || k(concern::Column::AcademicYearId),
        years.iter().map(|y| {
            (
                y.id,
                Condition::any()
                    .add(late(DbConcernUrgency::Urgent, y.concern_overdue_urgent_days))
                    .add(late(DbConcernUrgency::Normal, y.concern_overdue_normal_days)),
            )
        }),
    ));
    let mut q = Query::select();
    q.from(concern::Entity).and_where(k(concern::Column::AcademicYearId).is_in(ids.clone()));
    scoped(&mut q, k(concern::Column::CollegeId));
    let concerns = grouped::<Uuid, _, 3>(
        conn,
        q,
        k(concern::Column::AcademicYearId),
        k(concern::Column::CollegeId),
        [
            count_if(k(concern::Column::EscalatedAt).is_not_null()),
            count_if(k(concern::Column::ResolvedAt).is_not_null()),
            count_if(overdue),
        ],
    );
    let i = |c: inquiry::Column| Expr::col((inquiry::Entity, c));
    let mut q = Query::select();
    q.from(inquiry::Entity)
        .and_where(i(inquiry::Column::State).ne(DbInquiryState::Spam))
        .and_where(i(inquiry::Column::RepliedAt).is_not_null());
    by_appointment(&mut q, i(inquiry::Column::AppointmentId));
    scoped(&mut q, i(inquiry::Column::CollegeId));
    let inquiries = grouped::<Uuid, _, 1>(
        conn,
        q,
        a(appointment::Column::AcademicYearId),
        i(inquiry::Column::CollegeId),
        [count_all()],
    );

    // Grades (a dismissed mentor's year is unsatisfactory by definition, whatever was graded)
    // and awards.
    let g = |c: assessment::Column| Expr::col((assessment::Entity, c));
    let mut q = Query::select();
    q.from(assessment::Entity).and_where(g(assessment::Column::AcademicYearId).is_in(ids.clone())).and_where(
        g(assessment::Column::AppointmentId)
            .not_in_subquery(appointments_of(&ids, Some(&[DbAppointmentState::Dismissed]))),
    );
    scoped(&mut q, g(assessment::Column::CollegeId));
    let grades = grouped::<Uuid, _, 3>(
        conn,
        q,
        g(assessment::Column::AcademicYearId),
        g(assessment::Column::CollegeId),
        [
            count_if(g(assessment::Column::Grade).eq(DbGrade::Excellent)),
            count_if(g(assessment::Column::Grade).eq(DbGrade::Competent)),
            count_if(g(assessment::Column::Grade).eq(DbGrade::Unsatisfactory)),
        ],
    );
    let an = |c: award_nomination::Column| Expr::col((award_nomination::Entity, c));
    let round_year = Expr::col((award_round::Entity, award_round::Column::AcademicYearId));
    let mut q = Query::select();
    q.from(award_nomination::Entity)
        .inner_join(
            award_round::Entity,
            Expr::col((award_round::Entity, award_round::Column::Id)).eq(an(award_nomination::Column::RoundId)),
        )
        .and_where(round_year.clone().is_in(ids.clone()))
        .and_where(an(award_nomination::Column::Awarded).eq(true));
    scoped(&mut q, an(award_nomination::Column::CollegeId));
    let awards = grouped::<Uuid, _, 1>(conn, q, round_year, an(award_nomination::Column::CollegeId), [count_all()]);

    // Three statements at a time at most, so that a report leaves most of the pool to others.
    let (students, nominations, appointments) = tokio::try_join!(students, nominations, appointments)?;
    let (activities, attendance, records) = tokio::try_join!(activities, attendance, records)?;
    let (help, concerns, inquiries) = tokio::try_join!(help, concerns, inquiries)?;
    let (grades, awards) = tokio::try_join!(grades, awards)?;

    let mut out: Figures = HashMap::new();
    macro_rules! put {
        ($map:expr, |$f:ident, $v:ident| $set:expr) => {
            for (key, $v) in $map {
                let $f = out.entry(key).or_default();
                $set;
            }
        };
    }
    // The freshmen's enrollment year names their academic year.
    let students = students.into_iter().filter_map(|((first, college), v)| {
        first_years.iter().find(|(f, _)| *f == first).map(|(_, y)| ((*y, college), v))
    });
    put!(students, |f, v| {
        [f.freshmen, f.units_with_freshmen, f.units_covered, f.freshmen_paired] = v;
    });
    put!(nominations, |f, v| [f.mentors_nominated] = v);
    put!(appointments, |f, v| {
        [f.mentors_appointed, f.mentors_trained, f.mentors_dismissed, f.mentors_resigned] = v;
    });
    put!(activities, |f, v| {
        [f.freshman_salons_held, f.research_salons_held, f.budget_planned_fen, f.budget_spent_fen] = v;
    });
    put!(attendance, |f, v| [f.freshman_salon_attendance, f.research_salon_attendance] = v);
    put!(records, |f, v| [f.work_records, f.work_minutes] = v);
    put!(help, |f, v| [f.help_requests_answered] = v);
    put!(concerns, |f, v| [f.concerns_escalated, f.concerns_resolved, f.concerns_overdue] = v);
    put!(inquiries, |f, v| [f.inquiries_answered] = v);
    put!(grades, |f, v| [f.graded_excellent, f.graded_competent, f.graded_unsatisfactory] = v);
    put!(awards, |f, v| [f.awards] = v);
    for f in out.values_mut() {
        f.graded_unsatisfactory += f.mentors_dismissed;
    }
    Ok(out)
}

/// One year's part of the assessment: each college's figures and milestones, and the figures of
/// the university's own rows (none when limited to a college).
#[derive(Debug, Clone, Default)]
struct YearPart {
    colleges: HashMap<Uuid, YearFigures>,
    university_wide: CollegeFigures,
}

/// The figures and milestones of `colleges` in each of `years`, keyed by year: every year is
/// counted by the same statements (one pass per table over all of them, a year asked twice read
/// once).
async fn year_parts<C: ConnectionTrait>(
    conn: &C,
    years: &[&academic_year::Model],
    colleges: &[college::Model],
    only: Option<Uuid>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<HashMap<Uuid, YearPart>> {
    let years = distinct(years);
    let mut figures = figures(conn, &years, only, now).await?;
    let mut milestones = compliance_rows(conn, &years, colleges, only, today).await?;
    Ok(years
        .iter()
        .map(|y| {
            let colleges = milestones
                .remove(&y.id)
                .unwrap_or_default()
                .into_iter()
                .map(|m| {
                    let year = YearFigures {
                        figures: figures.remove(&(y.id, Some(m.college_id))).unwrap_or_default(),
                        introduction: m.introduction_outcome,
                        freshman_salon: m.salon_outcome,
                    };
                    (m.college_id, year)
                })
                .collect();
            let university_wide = figures.remove(&(y.id, None)).unwrap_or_default();
            (y.id, YearPart { colleges, university_wide })
        })
        .collect())
}

/// The college's year-end assessment figures (四.6) of an academic year, per college (by code),
/// beside those of `compare_to` when given (both years counted by the same statements): every
/// college with the university totals for a university admin (one college, without totals, with
/// `college_id`), the caller's own college for a college admin or counselor (`NotFound` for
/// another's).
pub async fn college_assessment(
    db: &Db,
    who: &Principal,
    academic_year_id: Uuid,
    compare_to: Option<Uuid>,
    college_id: Option<Uuid>,
) -> Result<AssessmentReport> {
    let conn = db.reader();
    let (year, colleges, only) = frame(conn, who, academic_year_id, college_id).await?;
    let other = match compare_to {
        Some(id) => {
            Some(academic_year::Entity::find_by_id(id).one(conn).await?.ok_or_else(|| not_found("academic_year"))?)
        }
        None => None,
    };
    let (today, now) = (db.clock().today(), db.clock().now());
    let years: Vec<&academic_year::Model> = std::iter::once(&year).chain(other.as_ref()).collect();
    let parts = year_parts(conn, &years, &colleges, only, today, now).await?;
    let mut featured = super::cases::featured_of_year(conn, year.id, only).await?;
    let part = |id: Uuid| parts.get(&id).cloned().unwrap_or_default();
    let YearPart { colleges: mut current, university_wide: wide } = part(year.id);
    let (mut compared, compared_wide) = match &other {
        Some(o) => {
            let p = part(o.id);
            (Some(p.colleges), p.university_wide)
        }
        None => (None, CollegeFigures::default()),
    };
    let rows: Vec<CollegeAssessment> = colleges
        .into_iter()
        .filter_map(|c| {
            let cur = current.remove(&c.id)?;
            Some(CollegeAssessment {
                college_id: c.id,
                college_code: c.code,
                college_name: c.name,
                current: cur,
                compared: compared.as_mut().and_then(|m| m.remove(&c.id)),
                featured_cases: featured.remove(&c.id).unwrap_or_default(),
            })
        })
        .collect();
    // The university's totals hold its own university-wide activities besides every college's.
    let totals = only.is_none().then(|| {
        let current = CollegeFigures::university_totals(rows.iter().map(|r| &r.current.figures), &wide);
        let compared = other.as_ref().map(|_| {
            CollegeFigures::university_totals(
                rows.iter().filter_map(|r| r.compared.as_ref()).map(|c| &c.figures),
                &compared_wide,
            )
        });
        (current, compared)
    });
    Ok(AssessmentReport {
        academic_year_id: year.id,
        academic_year: year.code,
        compare_to: other.map(|o| (o.id, o.code)),
        as_of: today,
        colleges: rows,
        totals,
    })
}
