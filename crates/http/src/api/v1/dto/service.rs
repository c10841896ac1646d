//! One appointment as what it counts for afterwards: its grade, awards, commendations and credit
//! (the scholarship-credit export and a student's service history).

use chrono::NaiveDate;
use domain::appointment::AppointmentState;
use domain::yearend::{AssessmentState, Grade, points_text};
use persistence::usecases::credits::ServiceLine;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A commendation, as a history shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceCommendationDto {
    /// What it is.
    pub title: String,
    /// When.
    pub awarded_on: NaiveDate,
}

/// One appointment: the term served, the grade, the awards and the credit they give.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceLineDto {
    /// The appointment.
    pub appointment_id: Uuid,
    /// Its academic year.
    pub academic_year_id: Uuid,
    /// The year's code.
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
    /// `active`, `completed`, `dismissed` or `resigned`.
    pub state: AppointmentState,
    /// The first day of the term (Asia/Shanghai).
    pub served_from: NaiveDate,
    /// The last day: when it ended, else the last day of the academic year.
    pub served_to: NaiveDate,
    /// The year's grade once graded; a dismissed mentor is `unsatisfactory` by definition.
    pub grade: Option<Grade>,
    /// `graded` (by the college) or `confirmed` (by the university); `null` when not graded.
    pub assessment_state: Option<AssessmentState>,
    /// The award rounds it won (their titles).
    pub awards: Vec<String>,
    /// Its commendations, oldest first.
    pub commendations: Vec<ServiceCommendationDto>,
    /// The credit the year's `scholarship_credit` policy gives, in tenths of a point: the grade's
    /// points (`excellent`, `competent`; none for `unsatisfactory`, ungraded or dismissed) plus
    /// `per_award` for each award, up to `cap`.
    pub credit_tenths: u32,
    /// The same in points, as written for people (`1.5`).
    pub credit_points: String,
}

impl From<ServiceLine> for ServiceLineDto {
    fn from(l: ServiceLine) -> Self {
        Self {
            appointment_id: l.appointment_id,
            academic_year_id: l.academic_year_id,
            academic_year: l.academic_year,
            student_id: l.student_id,
            student_no: l.student_no,
            name: l.name,
            college_id: l.college_id,
            college_name: l.college_name,
            unit_name: l.unit_name,
            state: l.state,
            served_from: l.served_from,
            served_to: l.served_to,
            grade: l.grade,
            assessment_state: l.assessment_state,
            awards: l.awards,
            commendations: l
                .commendations
                .into_iter()
                .map(|(title, awarded_on)| ServiceCommendationDto { title, awarded_on })
                .collect(),
            credit_points: points_text(l.credit_tenths),
            credit_tenths: l.credit_tenths,
        }
    }
}
