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
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait,
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
    let counts = held()
        .select_only()
        .column(activity::Column::CollegeId)
        .column_as(Expr::col(activity::Column::Id).count(), "n")
        .column_as(Expr::case(activity::Column::StartAt.lt(due), 1).finally(0).sum(), "on_time")
        .column_as(Expr::col(activity::Column::StartAt).min(), "first_at")
        .group_by(activity::Column::CollegeId)
        .into_tuple::<SalonTuple>()
        .all(conn);
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
    let attendance = CountRow::find_by_statement(backend.build(&attended)).all(conn);
    let (counts, attendance) = tokio::try_join!(counts, attendance)?;
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
    let (mut intros, mut salons) = tokio::try_join!(introductions(conn, year, only), salons(conn, year, only))?;
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
    let rows = compliance_rows(conn, year, colleges, only, today).await?;
    Ok(Compliance {
        academic_year_id: year.id,
        academic_year: year.code.clone(),
        as_of: today,
        introduction_deadline: year.introduction_deadline,
        salon_deadline: year.salon_deadline,
        colleges: rows,
    })
}

/// Several aggregates per college in one pass: `aggs` over the rows of `q` (restricted to
/// `only`), grouped by the college column `college`; each college's values in the order of
/// `aggs`, NULL as 0. Rows without a college are left out.
async fn by_college<E, K, C, const N: usize>(
    conn: &C,
    q: sea_orm::Select<E>,
    college: K,
    aggs: [Expr; N],
    only: Option<Uuid>,
) -> Result<HashMap<Uuid, [i64; N]>>
where
    E: EntityTrait,
    K: ColumnTrait,
    C: ConnectionTrait,
{
    let q = match only {
        Some(c) => q.filter(college.eq(c)),
        None => q,
    };
    let mut q = q.select_only().column_as(college, "college_id").group_by(college);
    for (i, agg) in aggs.into_iter().enumerate() {
        q = q.column_as(agg, format!("n{i}"));
    }
    let mut out = HashMap::new();
    for row in conn.query_all(&q.into_query()).await? {
        let Some(c) = row.try_get::<Option<Uuid>>("", "college_id")? else { continue };
        let mut v = [0; N];
        for (i, slot) in v.iter_mut().enumerate() {
            *slot = row.try_get::<Option<i64>>("", &format!("n{i}"))?.unwrap_or(0);
        }
        out.insert(c, v);
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

/// The ids of the year's appointments, in `states` when given.
fn appointments_of(year: Uuid, states: Option<&[DbAppointmentState]>) -> SelectStatement {
    let mut q = Query::select();
    q.column(appointment::Column::Id).from(appointment::Entity).and_where(appointment::Column::AcademicYearId.eq(year));
    if let Some(s) = states {
        q.and_where(appointment::Column::State.is_in(s.iter().copied()));
    }
    q.to_owned()
}

/// Every assessment figure of every college (or `only`) for `year` at `now`: one aggregate
/// statement per table read (students, nominations, appointments, activities, registrations,
/// work records, help requests, concerns, inquiries, assessments, award nominations), each
/// grouped by college and folding all of that table's figures into its one pass; the statements
/// are independent and run three at a time on the reader pool.
async fn figures<C: ConnectionTrait>(
    conn: &C,
    year: &academic_year::Model,
    only: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<HashMap<Uuid, CollegeFigures>> {
    use crate::entities::{
        assessment, award_nomination, award_round, concern, help_request, inquiry, nomination, pairing, student,
        work_record,
    };
    use crate::enums::{
        DbConcernState, DbConcernUrgency, DbEndReason, DbGrade, DbInquiryState, DbPairingState, DbStudentStatus,
    };
    let first_year = domain::reference::AcademicYearCode::parse("code", &year.code)
        .map_err(|e| crate::Error::Internal(format!("academic year {}: {}", year.id, e.message)))?
        .first_year();
    let y = year.id;

    // Freshmen (enrolled students who entered in the year's first calendar year): how many, the
    // units they are in, those units with a mentor due a milestone, and those paired.
    let due_units = Query::select()
        .column(appointment::Column::UnitId)
        .from(appointment::Entity)
        .and_where(appointment::Column::AcademicYearId.eq(y))
        .and_where(appointment::Column::State.is_in(DUE))
        .to_owned();
    let paired = Query::select()
        .column(pairing::Column::MenteeId)
        .from(pairing::Entity)
        .and_where(pairing::Column::AcademicYearId.eq(y))
        .cond_where(
            sea_orm::Condition::any()
                .add(pairing::Column::State.eq(DbPairingState::Active))
                .add(pairing::Column::EndReason.eq(DbEndReason::TermCompleted)),
        )
        .to_owned();
    let freshmen = student::Entity::find()
        .filter(student::Column::EnrollmentYear.eq(first_year))
        .filter(student::Column::Status.eq(DbStudentStatus::Enrolled));
    let unit = || Expr::col((student::Entity, student::Column::UnitId));
    let covered_unit = Expr::case(unit().in_subquery(due_units), unit()).finally(Expr::val(Option::<Uuid>::None));
    let students = by_college(
        conn,
        freshmen,
        student::Column::CollegeId,
        [
            count_all(),
            unit().count_distinct(),
            covered_unit.count_distinct(),
            count_if(Expr::col((student::Entity, student::Column::Id)).in_subquery(paired)),
        ],
        only,
    );

    // Mentors.
    let nominated = nomination::Entity::find()
        .filter(nomination::Column::AcademicYearId.eq(y))
        .filter(nomination::Column::SubmittedAt.is_not_null());
    let nominations = by_college(conn, nominated, nomination::Column::CollegeId, [count_all()], only);
    let appointments = by_college(
        conn,
        appointment::Entity::find().filter(appointment::Column::AcademicYearId.eq(y)),
        appointment::Column::CollegeId,
        [
            count_all(),
            count_if(appointment::Column::TrainingCompletedOn.is_not_null()),
            count_if(appointment::Column::State.eq(DbAppointmentState::Dismissed)),
            count_if(appointment::Column::State.eq(DbAppointmentState::Resigned)),
        ],
        only,
    );

    // Salons held, and the budget: planned over the activities not cancelled, spent over those held.
    let held = || activity::Column::State.eq(DbActivityState::Held);
    let activities = by_college(
        conn,
        activity::Entity::find().filter(activity::Column::AcademicYearId.eq(y)),
        activity::Column::CollegeId,
        [
            count_if(held().and(activity::Column::Kind.eq(DbActivityKind::FreshmanSalon))),
            count_if(held().and(activity::Column::Kind.eq(DbActivityKind::ResearchSalon))),
            sum_if(activity::Column::State.ne(DbActivityState::Cancelled), activity::Column::BudgetFen),
            sum_if(held(), activity::Column::ActualExpenseFen),
        ],
        only,
    );
    // Attendance at the held salons.
    let attended = activity_registration::Entity::find()
        .join(
            sea_orm::JoinType::InnerJoin,
            activity_registration::Entity::belongs_to(activity::Entity)
                .from(activity_registration::Column::ActivityId)
                .to(activity::Column::Id)
                .into(),
        )
        .filter(activity::Column::AcademicYearId.eq(y))
        .filter(held())
        .filter(activity::Column::Kind.is_in([DbActivityKind::FreshmanSalon, DbActivityKind::ResearchSalon]))
        .filter(activity_registration::Column::Attended.eq(true));
    let attendance = by_college(
        conn,
        attended,
        activity::Column::CollegeId,
        [
            count_if(activity::Column::Kind.eq(DbActivityKind::FreshmanSalon)),
            count_if(activity::Column::Kind.eq(DbActivityKind::ResearchSalon)),
        ],
        only,
    );

    // The work-record book, help requests, concerns, inquiries.
    let records =
        work_record::Entity::find().filter(work_record::Column::AppointmentId.in_subquery(appointments_of(y, None)));
    let records = by_college(
        conn,
        records,
        work_record::Column::CollegeId,
        [count_all(), sum_of(work_record::Column::Minutes)],
        only,
    );
    let answered = help_request::Entity::find()
        .filter(help_request::Column::AppointmentId.in_subquery(appointments_of(y, None)))
        .filter(help_request::Column::AnsweredAt.is_not_null());
    let help = by_college(conn, answered, help_request::Column::CollegeId, [count_all()], only);
    let late = |urgency: DbConcernUrgency, days: i32| {
        sea_orm::Condition::all()
            .add(concern::Column::Urgency.eq(urgency))
            .add(concern::Column::EscalatedAt.lte(now - chrono::Duration::days(i64::from(days))))
    };
    let overdue = sea_orm::Condition::all().add(concern::Column::State.eq(DbConcernState::Escalated)).add(
        sea_orm::Condition::any()
            .add(late(DbConcernUrgency::Urgent, year.concern_overdue_urgent_days))
            .add(late(DbConcernUrgency::Normal, year.concern_overdue_normal_days)),
    );
    let concerns = by_college(
        conn,
        concern::Entity::find().filter(concern::Column::AcademicYearId.eq(y)),
        concern::Column::CollegeId,
        [
            count_if(concern::Column::EscalatedAt.is_not_null()),
            count_if(concern::Column::ResolvedAt.is_not_null()),
            count_if(overdue),
        ],
        only,
    );
    let replied = inquiry::Entity::find()
        .filter(inquiry::Column::AppointmentId.in_subquery(appointments_of(y, None)))
        .filter(inquiry::Column::State.ne(DbInquiryState::Spam))
        .filter(inquiry::Column::RepliedAt.is_not_null());
    let inquiries = by_college(conn, replied, inquiry::Column::CollegeId, [count_all()], only);

    // Grades (a dismissed mentor's year is unsatisfactory by definition, whatever was graded)
    // and awards.
    let graded = assessment::Entity::find().filter(assessment::Column::AcademicYearId.eq(y)).filter(
        assessment::Column::AppointmentId.not_in_subquery(appointments_of(y, Some(&[DbAppointmentState::Dismissed]))),
    );
    let grades = by_college(
        conn,
        graded,
        assessment::Column::CollegeId,
        [
            count_if(assessment::Column::Grade.eq(DbGrade::Excellent)),
            count_if(assessment::Column::Grade.eq(DbGrade::Competent)),
            count_if(assessment::Column::Grade.eq(DbGrade::Unsatisfactory)),
        ],
        only,
    );
    let rounds = Query::select()
        .column(award_round::Column::Id)
        .from(award_round::Entity)
        .and_where(award_round::Column::AcademicYearId.eq(y))
        .to_owned();
    let awarded = award_nomination::Entity::find()
        .filter(award_nomination::Column::RoundId.in_subquery(rounds))
        .filter(award_nomination::Column::Awarded.eq(true));
    let awards = by_college(conn, awarded, award_nomination::Column::CollegeId, [count_all()], only);

    // Three statements at a time at most, so that a report leaves most of the pool to others.
    let (students, nominations, appointments) = tokio::try_join!(students, nominations, appointments)?;
    let (activities, attendance, records) = tokio::try_join!(activities, attendance, records)?;
    let (help, concerns, inquiries) = tokio::try_join!(help, concerns, inquiries)?;
    let (grades, awards) = tokio::try_join!(grades, awards)?;

    let mut out: HashMap<Uuid, CollegeFigures> = HashMap::new();
    macro_rules! put {
        ($map:expr, |$f:ident, $v:ident| $set:expr) => {
            for (c, $v) in $map {
                let $f = out.entry(c).or_default();
                $set;
            }
        };
    }
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

/// One year's figures and milestones of `colleges`.
async fn year_figures<C: ConnectionTrait>(
    conn: &C,
    year: &academic_year::Model,
    colleges: &[college::Model],
    only: Option<Uuid>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<HashMap<Uuid, YearFigures>> {
    let mut figures = figures(conn, year, only, now).await?;
    let milestones = compliance_rows(conn, year, colleges.to_vec(), only, today).await?;
    Ok(milestones
        .into_iter()
        .map(|m| {
            (
                m.college_id,
                YearFigures {
                    figures: figures.remove(&m.college_id).unwrap_or_default(),
                    introduction: m.introduction_outcome,
                    freshman_salon: m.salon_outcome,
                },
            )
        })
        .collect())
}

/// The college's year-end assessment figures (四.6) of an academic year, per college (by code),
/// beside those of `compare_to` when given: every college with the university totals for a
/// university admin (one college, without totals, with `college_id`), the caller's own college
/// for a college admin or counselor (`NotFound` for another's).
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
    let mut current = year_figures(conn, &year, &colleges, only, today, now).await?;
    let mut compared = match &other {
        Some(o) => Some(year_figures(conn, o, &colleges, only, today, now).await?),
        None => None,
    };
    let mut featured = super::cases::featured_of_year(conn, year.id, only).await?;
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
    let totals = only.is_none().then(|| {
        let sum = |pick: &dyn Fn(&CollegeAssessment) -> Option<CollegeFigures>| {
            rows.iter().filter_map(pick).fold(CollegeFigures::default(), |acc, f| acc.plus(&f))
        };
        (sum(&|r| Some(r.current.figures)), other.as_ref().map(|_| sum(&|r| r.compared.map(|c| c.figures))))
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
