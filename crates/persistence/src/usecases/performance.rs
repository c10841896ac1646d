//! A mentor's performance figures for one appointment (issue 15): every count is an aggregate
//! query (`COUNT`, `SUM`, `COUNT(DISTINCT …)`, grouped at most by kind, term or activity), never a
//! load of the rows counted; the same SQL runs on SQLite and PostgreSQL. The award rounds freeze
//! what [`figures`] returns; the college grades the year on it.

use chrono::{DateTime, Duration, Utc};
use domain::auth::Principal;
use domain::performance::{Performance, RatingGroup, ratings};
use domain::policy::{self, Visibility};
use domain::work::{Duty, WorkKind};
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::entities::{
    academic_year, activity, activity_feedback, activity_host, activity_registration, appointment, concern,
    help_request, inquiry, pairing, pairing_feedback, work_record, work_record_duty, work_record_student,
};
use crate::enums::{DbActivityKind, DbActivityState, DbDuty, DbInquiryState, DbTerm, DbWorkKind};
use crate::query::not_found;
use crate::{Db, Result};

const RESOURCE: &str = "appointment";

/// The ids of the appointment's work records.
fn records_of(appointment_id: Uuid) -> SelectStatement {
    Query::select()
        .column(work_record::Column::Id)
        .from(work_record::Entity)
        .and_where(work_record::Column::AppointmentId.eq(appointment_id))
        .to_owned()
}

/// The ids of the students ever paired with the appointment.
fn mentees_of(appointment_id: Uuid) -> SelectStatement {
    Query::select()
        .column(pairing::Column::MenteeId)
        .from(pairing::Entity)
        .and_where(pairing::Column::AppointmentId.eq(appointment_id))
        .to_owned()
}

/// The ids of the activities the appointment hosts, in `states`, of `kind` when given, starting
/// before `before` when given.
fn hosted(
    appointment_id: Uuid,
    states: &[DbActivityState],
    kind: Option<DbActivityKind>,
    before: Option<DateTime<Utc>>,
) -> SelectStatement {
    let mut q = Query::select();
    q.column((activity::Entity, activity::Column::Id))
        .from(activity::Entity)
        .and_where(
            activity::Column::Id.in_subquery(
                Query::select()
                    .column(activity_host::Column::ActivityId)
                    .from(activity_host::Entity)
                    .and_where(activity_host::Column::AppointmentId.eq(appointment_id))
                    .to_owned(),
            ),
        )
        .and_where(activity::Column::State.is_in(states.iter().copied()));
    if let Some(k) = kind {
        q.and_where(activity::Column::Kind.eq(k));
    }
    if let Some(t) = before {
        q.and_where(activity::Column::StartAt.lt(t));
    }
    q.to_owned()
}

/// `COUNT(DISTINCT col)` of a select (0 on no rows).
async fn count_distinct<E, C>(conn: &C, select: sea_orm::Select<E>, col: E::Column) -> Result<i64>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let n: Option<i64> =
        select.select_only().column_as(Expr::col(col).count_distinct(), "n").into_tuple().one(conn).await?;
    Ok(n.unwrap_or(0))
}

/// The first moment after the Asia/Shanghai day `day`, so that "on or before the day" is
/// `start_at < end_of(day)`.
fn end_of(day: chrono::NaiveDate) -> Result<DateTime<Utc>> {
    day.succ_opt()
        .and_then(domain::time::start_of_day)
        .ok_or_else(|| crate::Error::Internal(format!("no day after {day}")))
}

/// The figures of an appointment at `now`, computed by the database (no visibility check: the
/// caller has made it). `NotFound` for an unknown appointment.
pub(crate) async fn figures<C: ConnectionTrait>(
    conn: &C,
    appointment_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Performance> {
    let a = appointment::Entity::find_by_id(appointment_id).one(conn).await?.ok_or_else(|| not_found(RESOURCE))?;
    let year = academic_year::Entity::find_by_id(a.academic_year_id)
        .one(conn)
        .await?
        .ok_or_else(|| crate::Error::Internal(format!("appointment {} has no academic year", a.id)))?;
    let id = a.id;

    let mentees_paired = count_distinct(
        conn,
        pairing::Entity::find().filter(pairing::Column::AppointmentId.eq(id)),
        pairing::Column::MenteeId,
    )
    .await?;
    let mentees_reached = count_distinct(
        conn,
        work_record_student::Entity::find()
            .filter(work_record_student::Column::WorkRecordId.in_subquery(records_of(id)))
            .filter(work_record_student::Column::StudentId.in_subquery(mentees_of(id))),
        work_record_student::Column::StudentId,
    )
    .await?;

    // COUNT and SUM of an integer are bigint on PostgreSQL and integer on SQLite: i64 on both.
    let by_kind: Vec<(DbWorkKind, i64, Option<i64>)> = work_record::Entity::find()
        .select_only()
        .column(work_record::Column::Kind)
        .column_as(Expr::col(work_record::Column::Id).count(), "n")
        .column_as(Expr::col(work_record::Column::Minutes).sum(), "m")
        .filter(work_record::Column::AppointmentId.eq(id))
        .group_by(work_record::Column::Kind)
        .into_tuple()
        .all(conn)
        .await?;
    let (mut consultations, mut group_sessions, mut minutes) = (0, 0, 0);
    for (kind, n, m) in by_kind {
        if WorkKind::from(kind).is_group() {
            group_sessions += n;
        } else {
            consultations += n;
        }
        minutes += m.unwrap_or(0);
    }
    let mut duties_covered: Vec<Duty> = work_record_duty::Entity::find()
        .select_only()
        .column(work_record_duty::Column::Duty)
        .distinct()
        .filter(work_record_duty::Column::WorkRecordId.in_subquery(records_of(id)))
        .into_tuple::<DbDuty>()
        .all(conn)
        .await?
        .into_iter()
        .map(Duty::from)
        .collect();
    duties_covered.sort();

    let help = answer_times(conn, id).await?;

    let concerns = || concern::Entity::find().filter(concern::Column::AppointmentId.eq(id));
    let concerns_registered = concerns().count(conn).await?;
    let concerns_escalated = concerns().filter(concern::Column::EscalatedAt.is_not_null()).count(conn).await?;
    let concerns_resolved = concerns().filter(concern::Column::ResolvedAt.is_not_null()).count(conn).await?;

    let live = [DbActivityState::Planned, DbActivityState::Published, DbActivityState::Held];
    let held = [DbActivityState::Held];
    let activities_hosted = activity::Entity::find()
        .filter(activity::Column::Id.in_subquery(hosted(id, &live, None, None)))
        .count(conn)
        .await?;
    let activities_held = activity::Entity::find()
        .filter(activity::Column::Id.in_subquery(hosted(id, &held, None, None)))
        .count(conn)
        .await?;
    let attendance = activity_registration::Entity::find()
        .filter(activity_registration::Column::ActivityId.in_subquery(hosted(id, &held, None, None)))
        .filter(activity_registration::Column::Attended.eq(true))
        .count(conn)
        .await?;

    // Activity feedback: each activity whose feedback window has closed is one group; the answers
    // on activities still open are one more group, counted but never in the mean.
    let feedback_closed_before = now - Duration::days(domain::activity::FEEDBACK_WINDOW_DAYS);
    let closed_activities = Query::select()
        .column(activity::Column::Id)
        .from(activity::Entity)
        .and_where(activity::Column::Id.in_subquery(hosted(id, &held, None, None)))
        .and_where(activity::Column::EndAt.lt(feedback_closed_before))
        .to_owned();
    let closed_groups: Vec<(Uuid, i64, Option<i64>)> = activity_feedback::Entity::find()
        .select_only()
        .column(activity_feedback::Column::ActivityId)
        .column_as(Expr::col(activity_feedback::Column::Id).count(), "n")
        .column_as(Expr::col(activity_feedback::Column::Rating).sum(), "s")
        .filter(activity_feedback::Column::ActivityId.in_subquery(closed_activities))
        .group_by(activity_feedback::Column::ActivityId)
        .into_tuple()
        .all(conn)
        .await?;
    let all_answers = activity_feedback::Entity::find()
        .filter(activity_feedback::Column::ActivityId.in_subquery(hosted(id, &held, None, None)))
        .count(conn)
        .await?;
    let mut groups: Vec<RatingGroup> =
        closed_groups.iter().map(|(_, n, s)| RatingGroup { closed: true, answers: *n, sum: s.unwrap_or(0) }).collect();
    let closed_answers: i64 = groups.iter().map(|g| g.answers).sum();
    groups.push(RatingGroup { closed: false, answers: count_i64(all_answers) - closed_answers, sum: 0 });
    let activity_feedback = ratings(&groups, domain::activity::MIN_ANSWERS_FOR_MEAN);

    // Mentee feedback: one group per term, closed once the term is over.
    let first_year = domain::reference::AcademicYearCode::parse("code", &year.code)
        .map_err(|e| crate::Error::Internal(format!("academic year {}: {}", year.id, e.message)))?
        .first_year();
    let today = domain::time::shanghai_date(now);
    let terms: Vec<(DbTerm, i64, Option<i64>)> = pairing_feedback::Entity::find()
        .select_only()
        .column(pairing_feedback::Column::Term)
        .column_as(Expr::col(pairing_feedback::Column::Id).count(), "n")
        .column_as(Expr::col(pairing_feedback::Column::Rating).sum(), "s")
        .filter(pairing_feedback::Column::AppointmentId.eq(id))
        .group_by(pairing_feedback::Column::Term)
        .into_tuple()
        .all(conn)
        .await?;
    let groups: Vec<RatingGroup> = terms
        .into_iter()
        .map(|(term, n, s)| RatingGroup {
            closed: today > domain::pairing::Term::from(term).ends_on(first_year),
            answers: n,
            sum: s.unwrap_or(0),
        })
        .collect();
    let mentee_feedback = ratings(&groups, domain::pairing::MIN_ANSWERS_FOR_MEAN);

    let any = |q: SelectStatement| async move {
        Ok::<bool, crate::Error>(
            activity::Entity::find().filter(activity::Column::Id.in_subquery(q)).count(conn).await? > 0,
        )
    };
    let intro_by = end_of(year.introduction_deadline)?;
    let introduction_met = a.introduced_on.is_some_and(|d| d <= year.introduction_deadline)
        || any(hosted(id, &held, Some(DbActivityKind::OrientationIntroduction), Some(intro_by))).await?;
    let salon_met =
        any(hosted(id, &held, Some(DbActivityKind::FreshmanSalon), Some(end_of(year.salon_deadline)?))).await?;

    let training_sessions_attended = activity_registration::Entity::find()
        .filter(activity_registration::Column::StudentId.eq(a.student_id))
        .filter(activity_registration::Column::Attended.eq(true))
        .filter(
            activity_registration::Column::ActivityId.in_subquery(
                Query::select()
                    .column(activity::Column::Id)
                    .from(activity::Entity)
                    .and_where(activity::Column::AcademicYearId.eq(a.academic_year_id))
                    .and_where(activity::Column::Kind.eq(DbActivityKind::Training))
                    .and_where(activity::Column::State.eq(DbActivityState::Held))
                    .to_owned(),
            ),
        )
        .count(conn)
        .await?;

    let (inquiries_received, inquiries_answered) = inquiry_counts(conn, id).await?;

    Ok(Performance {
        appointment_id: id,
        academic_year_id: a.academic_year_id,
        college_id: a.college_id,
        computed_at: now,
        mentees_paired,
        mentees_reached,
        work_records: consultations + group_sessions,
        consultations,
        group_sessions,
        minutes,
        duties_covered,
        help_requests_received: help.received,
        help_requests_answered: help.answered,
        help_median_answer_seconds: help.median_seconds,
        concerns_registered: count_i64(concerns_registered),
        concerns_escalated: count_i64(concerns_escalated),
        concerns_resolved: count_i64(concerns_resolved),
        activities_hosted: count_i64(activities_hosted),
        activities_held: count_i64(activities_held),
        attendance: count_i64(attendance),
        activity_feedback,
        mentee_feedback,
        introduction_met,
        salon_met,
        training_completed: a.training_completed_on.is_some(),
        training_sessions_attended: count_i64(training_sessions_attended),
        inquiries_received,
        inquiries_answered,
    })
}

/// The directory inquiries sent to an appointment, spam left out, and of those the answered ones
/// (a reply recorded): two `COUNT`s.
pub(crate) async fn inquiry_counts<C: ConnectionTrait>(conn: &C, appointment_id: Uuid) -> Result<(i64, i64)> {
    let inquiries = || {
        inquiry::Entity::find()
            .filter(inquiry::Column::AppointmentId.eq(appointment_id))
            .filter(inquiry::Column::State.ne(DbInquiryState::Spam))
    };
    let received = inquiries().count(conn).await?;
    let answered = inquiries().filter(inquiry::Column::RepliedAt.is_not_null()).count(conn).await?;
    Ok((count_i64(received), count_i64(answered)))
}

/// A row count as the figures' integer type.
fn count_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Whether `who` may read the figures of an appointment of `college_id` held by `mentor`: the
/// mentor, the college's admins and counselors, the university.
pub(crate) fn may_read(who: &Principal, college_id: Uuid, mentor: Uuid) -> bool {
    match policy::selection_visibility(who) {
        Ok(Visibility::All) => true,
        Ok(Visibility::College(c)) => c == college_id,
        Ok(Visibility::Student(s)) => s == mentor,
        _ => false,
    }
}

/// The year's figures of an appointment, for the mentor, the college's admins and counselors and
/// the university; `NotFound` for anyone else.
pub async fn performance(db: &Db, who: &Principal, appointment_id: Uuid) -> Result<Performance> {
    let conn = db.reader();
    let a = appointment::Entity::find_by_id(appointment_id).one(conn).await?.ok_or_else(|| not_found(RESOURCE))?;
    if !may_read(who, a.college_id, a.student_id) {
        return Err(not_found(RESOURCE));
    }
    figures(conn, appointment_id, db.clock().now()).await
}

/// How an appointment's mentor dealt with the help requests made to them, computed by the
/// database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AnswerTimes {
    /// Requests made to the appointment, in any state.
    pub received: i64,
    /// Of those, answered (`answered_at` set: with a note or a work-record entry).
    pub answered: i64,
    /// The median of `answered_at − created_at` over the answered ones, in whole seconds;
    /// `None` when none is answered.
    pub median_seconds: Option<i64>,
}

/// `answered_at − created_at` in seconds, as SQL: both databases store the instants their own
/// way (`timestamptz` on PostgreSQL, RFC 3339 text on SQLite), so the expression differs.
fn answer_seconds(backend: DbBackend) -> Expr {
    match backend {
        DbBackend::Postgres => {
            Expr::cust("CAST(EXTRACT(EPOCH FROM (\"answered_at\" - \"created_at\")) AS double precision)")
        }
        _ => Expr::cust("((julianday(\"answered_at\") - julianday(\"created_at\")) * 86400.0)"),
    }
}

/// The help-request figures of an appointment: two `COUNT`s and the median by `ORDER BY` the
/// duration `LIMIT 1` (odd count) or `2` (even count) `OFFSET (n − 1) / 2` — never a load of the
/// requests.
pub(crate) async fn answer_times<C: ConnectionTrait>(conn: &C, appointment_id: Uuid) -> Result<AnswerTimes> {
    let of = || help_request::Entity::find().filter(help_request::Column::AppointmentId.eq(appointment_id));
    let received = of().count(conn).await?;
    let answered = of().filter(help_request::Column::AnsweredAt.is_not_null()).count(conn).await?;
    let median_seconds = match domain::help::median_window(answered) {
        None => None,
        Some((offset, limit)) => {
            let seconds = || answer_seconds(conn.get_database_backend());
            let middle: Vec<f64> = of()
                .select_only()
                .column_as(seconds(), "seconds")
                .filter(help_request::Column::AnsweredAt.is_not_null())
                .order_by(seconds(), Order::Asc)
                .order_by_asc(help_request::Column::Id)
                .offset(offset)
                .limit(limit)
                .into_tuple()
                .all(conn)
                .await?;
            domain::help::median_seconds(&middle)
        }
    };
    Ok(AnswerTimes { received: count_i64(received), answered: count_i64(answered), median_seconds })
}
