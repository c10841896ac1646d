//! The people a resource names: a student on a pairing, the student a nomination or an
//! appointment is about.

use persistence::pairings::Person;
use persistence::selection::nominations::StudentBrief;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A student on a pairing.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonDto {
    /// Id.
    pub id: Uuid,
    /// 学号.
    #[schema(min_length = 4, max_length = 20, pattern = "^[A-Za-z0-9]{4,20}$")]
    pub student_no: String,
    /// Name.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// Unit.
    pub unit_id: Option<Uuid>,
    /// Year of enrolment.
    pub enrollment_year: i32,
}

impl From<Person> for PersonDto {
    fn from(p: Person) -> Self {
        Self {
            id: p.id,
            student_no: p.student_no,
            name: p.name,
            unit_id: p.unit_id,
            enrollment_year: p.enrollment_year,
        }
    }
}

/// Who a nomination is about.
#[derive(Debug, Serialize, ToSchema)]
pub struct StudentRef {
    /// Id.
    pub id: Uuid,
    /// 学号.
    #[schema(min_length = 4, max_length = 20, pattern = "^[A-Za-z0-9]{4,20}$")]
    pub student_no: String,
    /// Name.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
}

impl From<StudentBrief> for StudentRef {
    fn from(s: StudentBrief) -> Self {
        Self { id: s.id, student_no: s.student_no, name: s.name }
    }
}
