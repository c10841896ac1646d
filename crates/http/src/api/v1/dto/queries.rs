//! The filters of the lists that an export repeats: one struct each, read by the list and by its
//! export, so both take the same query string.

use domain::appointment::AppointmentState;
use domain::pairing::PairingState;
use domain::reference::{Degree, PoliticalStatus, StudentStatus, UnitKind};
use persistence::pairings::PairingFilter;
use persistence::reference::staff::StaffFilter;
use persistence::reference::students::StudentFilter;
use persistence::reference::units::UnitFilter;
use persistence::selection::appointments::AppointmentFilter;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

/// Filters of the staff list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StaffQuery {
    /// Only this college.
    pub college_id: Option<Uuid>,
    /// Only supervisors (`true`) or non-supervisors (`false`).
    pub is_supervisor: Option<bool>,
    /// Only counselors (`true`) or non-counselors (`false`).
    pub is_counselor: Option<bool>,
    /// Substring of the name or 工号.
    pub q: Option<String>,
}

impl From<StaffQuery> for StaffFilter {
    fn from(q: StaffQuery) -> Self {
        Self { college_id: q.college_id, is_supervisor: q.is_supervisor, is_counselor: q.is_counselor, q: q.q }
    }
}

/// Filters of the unit list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitQuery {
    /// Only this college.
    pub college_id: Option<Uuid>,
    /// Only this kind.
    pub kind: Option<UnitKind>,
    /// Only the units of this discipline.
    pub discipline_id: Option<Uuid>,
    /// Substring of the code or name.
    pub q: Option<String>,
}

impl From<UnitQuery> for UnitFilter {
    fn from(q: UnitQuery) -> Self {
        Self { college_id: q.college_id, kind: q.kind, discipline_id: q.discipline_id, q: q.q }
    }
}

/// Filters of the appointment list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AppointmentQuery {
    /// Only this academic year.
    pub academic_year_id: Option<Uuid>,
    /// Only this college.
    pub college_id: Option<Uuid>,
    /// Only this unit.
    pub unit_id: Option<Uuid>,
    /// Only this state.
    pub state: Option<AppointmentState>,
    /// Only this mentor (a student id).
    pub student_id: Option<Uuid>,
}

impl From<AppointmentQuery> for AppointmentFilter {
    fn from(q: AppointmentQuery) -> Self {
        Self {
            academic_year_id: q.academic_year_id,
            college_id: q.college_id,
            unit_id: q.unit_id,
            state: q.state,
            student_id: q.student_id,
        }
    }
}

/// Filters of the pairing list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PairingQuery {
    /// Only this academic year.
    pub academic_year_id: Option<Uuid>,
    /// Only this college.
    pub college_id: Option<Uuid>,
    /// Only mentors serving this unit.
    pub unit_id: Option<Uuid>,
    /// Only this appointment.
    pub appointment_id: Option<Uuid>,
    /// Only this mentee.
    pub mentee_id: Option<Uuid>,
    /// Only this mentor (a student id).
    pub mentor_id: Option<Uuid>,
    /// Only this state.
    pub state: Option<PairingState>,
}

impl From<PairingQuery> for PairingFilter {
    fn from(q: PairingQuery) -> Self {
        Self {
            academic_year_id: q.academic_year_id,
            college_id: q.college_id,
            unit_id: q.unit_id,
            appointment_id: q.appointment_id,
            mentee_id: q.mentee_id,
            mentor_id: q.mentor_id,
            state: q.state,
        }
    }
}

/// Filters of the student list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StudentQuery {
    /// Only this college.
    pub college_id: Option<Uuid>,
    /// Only this unit.
    pub unit_id: Option<Uuid>,
    /// Only this supervisor's students.
    pub supervisor_id: Option<Uuid>,
    /// Only this counselor's students.
    pub counselor_id: Option<Uuid>,
    /// Only this degree programme.
    pub degree: Option<Degree>,
    /// Only this enrolment year.
    pub enrollment_year: Option<i32>,
    /// Only this political status.
    pub political_status: Option<PoliticalStatus>,
    /// Only this status.
    pub status: Option<StudentStatus>,
    /// Substring of the name or 学号.
    pub q: Option<String>,
}

impl From<StudentQuery> for StudentFilter {
    fn from(q: StudentQuery) -> Self {
        Self {
            college_id: q.college_id,
            unit_id: q.unit_id,
            supervisor_id: q.supervisor_id,
            counselor_id: q.counselor_id,
            degree: q.degree,
            enrollment_year: q.enrollment_year,
            political_status: q.political_status,
            status: q.status,
            q: q.q,
        }
    }
}
