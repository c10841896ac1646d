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

/// One aggregate per college: `agg` over the rows of `q` (restricted to `only`), grouped by the
/// college column `college`. NULL sums are 0.
async fn by_college<E, C>(
    conn: &C,
    q: sea_orm::Select<E>,
    college: E::Column,
    agg: Expr,
    only: Option<Uuid>,
) -> Result<HashMap<Uuid, i64>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let q = match only {
        Some(c) => q.filter(college.eq(c)),
        None => q,
    };
    let rows: Vec<(Option<Uuid>, Option<i64>)> =
        q.select_only().column(college).column_as(agg, "n").group_by(college).into_tuple().all(conn).await?;
    Ok(rows.into_iter().filter_map(|(c, n)| Some((c?, n.unwrap_or(0)))).collect())
}

/// `COUNT(*)`.
fn count_all() -> Expr {
    Expr::val(1).count()
}

/// `SUM(col)` as a bigint (PostgreSQL sums a bigint to a numeric).
fn sum_of(col: impl sea_orm::sea_query::IntoColumnRef) -> Expr {
    Expr::col(col).sum().cast_as("bigint")
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

/// Every assessment figure of every college (or `only`) for `year` at `now`: a fixed number of
/// aggregate statements, each grouped by college.
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
    let mut out: HashMap<Uuid, CollegeFigures> = HashMap::new();
    macro_rules! put {
        ($field:ident, $map:expr) => {
            for (c, n) in $map {
                out.entry(c).or_default().$field = n;
            }
        };
    }

    // Freshmen: enrolled students who entered in the year's first calendar year.
    let freshmen = || {
        student::Entity::find()
            .filter(student::Column::EnrollmentYear.eq(first_year))
            .filter(student::Column::Status.eq(DbStudentStatus::Enrolled))
    };
    let sc = student::Column::CollegeId;
    put!(freshmen, by_college(conn, freshmen(), sc, count_all(), only).await?);
    let with_unit = || freshmen().filter(student::Column::UnitId.is_not_null());
    let units = || Expr::col(student::Column::UnitId).count_distinct();
    put!(units_with_freshmen, by_college(conn, with_unit(), sc, units(), only).await?);
    let due_units = Query::select()
        .column(appointment::Column::UnitId)
        .from(appointment::Entity)
        .and_where(appointment::Column::AcademicYearId.eq(y))
        .and_where(appointment::Column::State.is_in(DUE))
        .to_owned();
    put!(
        units_covered,
        by_college(conn, with_unit().filter(student::Column::UnitId.in_subquery(due_units)), sc, units(), only).await?
    );
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
    put!(
        freshmen_paired,
        by_college(conn, freshmen().filter(student::Column::Id.in_subquery(paired)), sc, count_all(), only).await?
    );

    // Mentors.
    let nominated = nomination::Entity::find()
        .filter(nomination::Column::AcademicYearId.eq(y))
        .filter(nomination::Column::SubmittedAt.is_not_null());
    put!(mentors_nominated, by_college(conn, nominated, nomination::Column::CollegeId, count_all(), only).await?);
    let appointments = || appointment::Entity::find().filter(appointment::Column::AcademicYearId.eq(y));
    let ac = appointment::Column::CollegeId;
    put!(mentors_appointed, by_college(conn, appointments(), ac, count_all(), only).await?);
    let trained = appointments().filter(appointment::Column::TrainingCompletedOn.is_not_null());
    put!(mentors_trained, by_college(conn, trained, ac, count_all(), only).await?);
    let dismissed = appointments().filter(appointment::Column::State.eq(DbAppointmentState::Dismissed));
    put!(mentors_dismissed, by_college(conn, dismissed, ac, count_all(), only).await?);
    let resigned = appointments().filter(appointment::Column::State.eq(DbAppointmentState::Resigned));
    put!(mentors_resigned, by_college(conn, resigned, ac, count_all(), only).await?);

    // Salons held and their attendance.
    for (kind, held_field, attendance_field) in
        [(DbActivityKind::FreshmanSalon, 0, 1), (DbActivityKind::ResearchSalon, 2, 3)]
    {
        let held = activity::Entity::find()
            .filter(activity::Column::AcademicYearId.eq(y))
            .filter(activity::Column::Kind.eq(kind))
            .filter(activity::Column::State.eq(DbActivityState::Held));
        let n = by_college(conn, held, activity::Column::CollegeId, count_all(), only).await?;
        let mut attended = Query::select();
        attended
            .column((activity::Entity, activity::Column::CollegeId))
            .expr_as(
                Expr::col((activity_registration::Entity, activity_registration::Column::Id)).count(),
                Alias::new("n"),
            )
            .from(activity_registration::Entity)
            .inner_join(
                activity::Entity,
                Expr::col((activity::Entity, activity::Column::Id))
                    .equals((activity_registration::Entity, activity_registration::Column::ActivityId)),
            )
            .and_where(activity::Column::AcademicYearId.eq(y))
            .and_where(activity::Column::Kind.eq(kind))
            .and_where(activity::Column::State.eq(DbActivityState::Held))
            .and_where(activity_registration::Column::Attended.eq(true))
            .group_by_col((activity::Entity, activity::Column::CollegeId));
        if let Some(c) = only {
            attended.and_where(activity::Column::CollegeId.eq(c));
        }
        let backend = conn.get_database_backend();
        let a: HashMap<Uuid, i64> = CountRow::find_by_statement(backend.build(&attended))
            .all(conn)
            .await?
            .into_iter()
            .filter_map(|r| Some((r.college_id?, r.n)))
            .collect();
        for (field, map) in [(held_field, n), (attendance_field, a)] {
            for (c, v) in map {
                let e = out.entry(c).or_default();
                match field {
                    0 => e.freshman_salons_held = v,
                    1 => e.freshman_salon_attendance = v,
                    2 => e.research_salons_held = v,
                    _ => e.research_salon_attendance = v,
                }
            }
        }
    }

    // The work-record book, help requests, concerns, inquiries.
    let records =
        || work_record::Entity::find().filter(work_record::Column::AppointmentId.in_subquery(appointments_of(y, None)));
    let wc = work_record::Column::CollegeId;
    put!(work_records, by_college(conn, records(), wc, count_all(), only).await?);
    put!(work_minutes, by_college(conn, records(), wc, sum_of(work_record::Column::Minutes), only).await?);
    let answered = help_request::Entity::find()
        .filter(help_request::Column::AppointmentId.in_subquery(appointments_of(y, None)))
        .filter(help_request::Column::AnsweredAt.is_not_null());
    put!(help_requests_answered, by_college(conn, answered, help_request::Column::CollegeId, count_all(), only).await?);
    let concerns = || concern::Entity::find().filter(concern::Column::AcademicYearId.eq(y));
    let cc = concern::Column::CollegeId;
    let escalated = concerns().filter(concern::Column::EscalatedAt.is_not_null());
    put!(concerns_escalated, by_college(conn, escalated, cc, count_all(), only).await?);
    let resolved = concerns().filter(concern::Column::ResolvedAt.is_not_null());
    put!(concerns_resolved, by_college(conn, resolved, cc, count_all(), only).await?);
    let late = |urgency: DbConcernUrgency, days: i32| {
        sea_orm::Condition::all()
            .add(concern::Column::Urgency.eq(urgency))
            .add(concern::Column::EscalatedAt.lte(now - chrono::Duration::days(i64::from(days))))
    };
    let overdue = concerns().filter(concern::Column::State.eq(DbConcernState::Escalated)).filter(
        sea_orm::Condition::any()
            .add(late(DbConcernUrgency::Urgent, year.concern_overdue_urgent_days))
            .add(late(DbConcernUrgency::Normal, year.concern_overdue_normal_days)),
    );
    put!(concerns_overdue, by_college(conn, overdue, cc, count_all(), only).await?);
    let replied = inquiry::Entity::find()
        .filter(inquiry::Column::AppointmentId.in_subquery(appointments_of(y, None)))
        .filter(inquiry::Column::State.ne(DbInquiryState::Spam))
        .filter(inquiry::Column::RepliedAt.is_not_null());
    put!(inquiries_answered, by_college(conn, replied, inquiry::Column::CollegeId, count_all(), only).await?);

    // Grades (a dismissed mentor's year is unsatisfactory by definition, whatever was graded)
    // and awards.
    let dismissed_ids = appointments_of(y, Some(&[DbAppointmentState::Dismissed]));
    let graded = |g: DbGrade| {
        assessment::Entity::find()
            .filter(assessment::Column::AcademicYearId.eq(y))
            .filter(assessment::Column::Grade.eq(g))
            .filter(assessment::Column::AppointmentId.not_in_subquery(dismissed_ids.clone()))
    };
    let gc = assessment::Column::CollegeId;
    put!(graded_excellent, by_college(conn, graded(DbGrade::Excellent), gc, count_all(), only).await?);
    put!(graded_competent, by_college(conn, graded(DbGrade::Competent), gc, count_all(), only).await?);
    put!(graded_unsatisfactory, by_college(conn, graded(DbGrade::Unsatisfactory), gc, count_all(), only).await?);
    for f in out.values_mut() {
        f.graded_unsatisfactory += f.mentors_dismissed;
    }
    let rounds = Query::select()
        .column(award_round::Column::Id)
        .from(award_round::Entity)
        .and_where(award_round::Column::AcademicYearId.eq(y))
        .to_owned();
    let awarded = award_nomination::Entity::find()
        .filter(award_nomination::Column::RoundId.in_subquery(rounds))
        .filter(award_nomination::Column::Awarded.eq(true));
    put!(awards, by_college(conn, awarded, award_nomination::Column::CollegeId, count_all(), only).await?);

    // Budget: planned over the activities not cancelled, spent over those held.
    let activities = || activity::Entity::find().filter(activity::Column::AcademicYearId.eq(y));
    let planned = activities().filter(activity::Column::State.ne(DbActivityState::Cancelled));
    let spent = activities().filter(activity::Column::State.eq(DbActivityState::Held));
    let act = activity::Column::CollegeId;
    put!(budget_planned_fen, by_college(conn, planned, act, sum_of(activity::Column::BudgetFen), only).await?);
    put!(budget_spent_fen, by_college(conn, spent, act, sum_of(activity::Column::ActualExpenseFen), only).await?);
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
