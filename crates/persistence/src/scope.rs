//! Row visibility shared by the tables whose rows belong to a college and to one or more students
//! (nominations, appointments, pairings): what `domain::policy::Visibility` lets a caller see.

use domain::policy::Visibility;
use sea_orm::sea_query::{Condition, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Select};
use uuid::Uuid;

use crate::Result;
use crate::entities::student;

fn supervised_by(staff: Uuid) -> SelectStatement {
    Query::select()
        .column(student::Column::Id)
        .from(student::Entity)
        .and_where(student::Column::SupervisorId.eq(staff))
        .to_owned()
}

/// Restricts `select` to the rows `v` lets the caller see: all, a college's (`college`), a
/// student's own (any of `students` is them), or those of a supervisor's students.
pub(crate) fn restrict<E: EntityTrait>(
    select: Select<E>,
    v: Visibility,
    college: E::Column,
    students: &[E::Column],
    id: E::Column,
) -> Select<E> {
    match v {
        Visibility::All => select,
        Visibility::College(c) => select.filter(college.eq(c)),
        Visibility::Student(s) => select.filter(students.iter().fold(Condition::any(), |c, col| c.add(col.eq(s)))),
        Visibility::Supervisor(staff) => {
            select.filter(students.iter().fold(Condition::any(), |c, col| c.add(col.in_subquery(supervised_by(staff)))))
        }
        Visibility::StaffSelf(_) => select.filter(id.is_null()),
    }
}

/// Whether `v` lets the caller see a row of `college_id` that belongs to `student_ids`.
pub(crate) async fn sees<C: ConnectionTrait>(
    conn: &C,
    v: Visibility,
    college_id: Uuid,
    student_ids: &[Uuid],
) -> Result<bool> {
    Ok(match v {
        Visibility::All => true,
        Visibility::College(c) => college_id == c,
        Visibility::Student(s) => student_ids.contains(&s),
        Visibility::Supervisor(staff) => {
            student::Entity::find()
                .filter(student::Column::Id.is_in(student_ids.iter().copied()))
                .filter(student::Column::SupervisorId.eq(staff))
                .count(conn)
                .await?
                > 0
        }
        Visibility::StaffSelf(_) => false,
    })
}
