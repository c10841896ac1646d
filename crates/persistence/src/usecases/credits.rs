//! What a mentor's year counts for afterwards (社会工作认定): the scholarship credit of every mentor
//! of an academic year by the year's grade and awards (`domain::yearend::credit`), and a student's
//! service history across years. Read-only; one line per appointment in both.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::Error as DomainError;
use domain::appointment::AppointmentState;
use domain::auth::{Principal, ServiceScope};
use domain::policy::{self, Visibility};
use domain::yearend::{AssessmentState, Grade, credit};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::entities::{
    academic_year, appointment, assessment, award_nomination, award_round, college, commendation, student,
};
use crate::enums::DbAppointmentState;
use crate::query::not_found;
use crate::{Db, Result};

/// One appointment as its credit and its history see it.
#[derive(Debug, Clone)]
pub struct ServiceLine {
    /// The appointment.
    pub appointment_id: Uuid,
    /// Its academic year.
    pub academic_year_id: Uuid,
    /// The year's code, e.g. `2025-2026`.
    pub academic_year: String,
    /// The mentor (a student id).
    pub student_id: Uuid,
    /// 学号.
    pub student_no: String,
    /// Name.
    pub name: String,
    /// The college.
    pub college_id: Uuid,
    /// Its name.
    pub college_name: String,
    /// The unit served.
    pub unit_name: String,
    /// Where the appointment stands.
    pub state: AppointmentState,
    /// The first day of the term (the appointment, Asia/Shanghai).
    pub served_from: NaiveDate,
    /// The last day: when it ended, else the end of the academic year.
    pub served_to: NaiveDate,
    /// The year's grade, once graded (a dismissed mentor is `unsatisfactory` by definition).
    pub grade: Option<Grade>,
    /// Whether the university confirmed the grade.
    pub assessment_state: Option<AssessmentState>,
    /// The titles of the award rounds it won.
    pub awards: Vec<String>,
    /// Its commendations: `(title, awarded on)`.
    pub commendations: Vec<(String, NaiveDate)>,
    /// The credit the year's policy gives, in tenths of a point.
    pub credit_tenths: u32,
}

/// The lines of `appointments`, in their order.
pub(crate) async fn lines<C: ConnectionTrait>(
    conn: &C,
    appointments: Vec<appointment::Model>,
) -> Result<Vec<ServiceLine>> {
    let ids: Vec<Uuid> = appointments.iter().map(|a| a.id).collect();
    let names = super::names_of(conn, &appointments).await?;
    let years: HashMap<Uuid, domain::reference::AcademicYear> = academic_year::Entity::find()
        .filter(academic_year::Column::Id.is_in(appointments.iter().map(|a| a.academic_year_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|y| (y.id, crate::reference::years::to_domain(y)))
        .collect();
    let assessments: HashMap<Uuid, assessment::Model> = assessment::Entity::find()
        .filter(assessment::Column::AppointmentId.is_in(ids.clone()))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| (a.appointment_id, a))
        .collect();
    let mut awards: HashMap<Uuid, Vec<String>> = HashMap::new();
    let won = award_nomination::Entity::find()
        .filter(award_nomination::Column::AppointmentId.is_in(ids.clone()))
        .filter(award_nomination::Column::Awarded.eq(true))
        .order_by_asc(award_nomination::Column::CreatedAt)
        .all(conn)
        .await?;
    let rounds: HashMap<Uuid, String> = award_round::Entity::find()
        .filter(award_round::Column::Id.is_in(won.iter().map(|n| n.round_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| (r.id, r.title))
        .collect();
    for n in won {
        awards.entry(n.appointment_id).or_default().push(rounds.get(&n.round_id).cloned().unwrap_or_default());
    }
    let mut commendations: HashMap<Uuid, Vec<(String, NaiveDate)>> = HashMap::new();
    for c in commendation::Entity::find()
        .filter(commendation::Column::AppointmentId.is_in(ids))
        .order_by_asc(commendation::Column::AwardedOn)
        .order_by_asc(commendation::Column::Id)
        .all(conn)
        .await?
    {
        commendations.entry(c.appointment_id).or_default().push((c.title, c.awarded_on));
    }
    let mut out = Vec::with_capacity(appointments.len());
    for a in appointments {
        let year = years.get(&a.academic_year_id);
        let dismissed = a.state == DbAppointmentState::Dismissed;
        let assessed = assessments.get(&a.id);
        let grade = if dismissed { Some(Grade::Unsatisfactory) } else { assessed.map(|x| x.grade.into()) };
        let won = awards.remove(&a.id).unwrap_or_default();
        let points = year
            .map_or(0, |y| credit(&y.policy.credit, grade, dismissed, u32::try_from(won.len()).unwrap_or(u32::MAX)));
        out.push(ServiceLine {
            appointment_id: a.id,
            academic_year_id: a.academic_year_id,
            academic_year: year.map(|y| y.code.clone()).unwrap_or_default(),
            student_id: a.student_id,
            student_no: names.student_no(a.student_id),
            name: names.student(a.student_id),
            college_id: a.college_id,
            college_name: names.college(a.college_id),
            unit_name: names.unit(a.unit_id).unwrap_or_default(),
            state: a.state.into(),
            served_from: domain::time::shanghai_date(a.created_at),
            served_to: a
                .ended_at
                .map(domain::time::shanghai_date)
                .or(year.map(|y| y.ends_on))
                .unwrap_or_else(|| domain::time::shanghai_date(a.created_at)),
            grade,
            assessment_state: assessed.map(|x| x.state.into()),
            awards: won,
            commendations: commendations.remove(&a.id).unwrap_or_default(),
            credit_tenths: points,
        });
    }
    Ok(out)
}

/// The scholarship credit of every mentor of an academic year, by college code and 学号: the whole
/// university for a university admin and a service client with `credits:read`, their college's for
/// a college admin or counselor.
pub async fn scholarship_credits(db: &Db, who: &Principal, academic_year_id: Uuid) -> Result<Vec<ServiceLine>> {
    let college = if who.has_scope(ServiceScope::CreditsRead) {
        None
    } else {
        match policy::selection_visibility(who)? {
            Visibility::All => None,
            Visibility::College(c) => Some(c),
            _ => {
                return Err(DomainError::Forbidden(
                    "only the university, a college's admins and counselors, and clients with credits:read \
                     read scholarship credits"
                        .into(),
                )
                .into());
            }
        }
    };
    let conn = db.reader();
    academic_year::Entity::find_by_id(academic_year_id).one(conn).await?.ok_or_else(|| not_found("academic_year"))?;
    let mut q = appointment::Entity::find().filter(appointment::Column::AcademicYearId.eq(academic_year_id));
    if let Some(c) = college {
        q = q.filter(appointment::Column::CollegeId.eq(c));
    }
    let mut out = lines(conn, q.all(conn).await?).await?;
    // By college code, then 学号.
    let codes: HashMap<Uuid, String> =
        college::Entity::find().all(conn).await?.into_iter().map(|c| (c.id, c.code)).collect();
    out.sort_by(|a, b| (codes.get(&a.college_id), &a.student_no).cmp(&(codes.get(&b.college_id), &b.student_no)));
    Ok(out)
}

/// Every appointment of a student across years, oldest first, with grades, awards and credit —
/// for the student, their college's admins and counselors, their supervisor, the university and
/// clients with `students:read`; `NotFound` for anyone else.
pub async fn service_history(db: &Db, who: &Principal, student_id: Uuid) -> Result<Vec<ServiceLine>> {
    let conn = db.reader();
    let s = student::Entity::find_by_id(student_id).one(conn).await?.ok_or_else(|| not_found("student"))?;
    let allowed = who.has_scope(ServiceScope::StudentsRead)
        || match policy::selection_visibility(who) {
            Ok(Visibility::All) => true,
            Ok(Visibility::College(c)) => c == s.college_id,
            Ok(Visibility::Supervisor(staff)) => s.supervisor_id == Some(staff),
            Ok(Visibility::Student(me)) => me == student_id,
            _ => false,
        };
    if !allowed {
        return Err(not_found("student"));
    }
    let appointments = appointment::Entity::find()
        .filter(appointment::Column::StudentId.eq(student_id))
        .order_by_asc(appointment::Column::CreatedAt)
        .order_by_asc(appointment::Column::Id)
        .all(conn)
        .await?;
    let mut out = lines(conn, appointments).await?;
    out.sort_by(|a, b| (&a.academic_year, a.served_from).cmp(&(&b.academic_year, b.served_from)));
    Ok(out)
}
