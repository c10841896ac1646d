//! The `students` table.

use sea_orm::entity::prelude::*;

use crate::enums::{DbDegree, DbGender, DbPoliticalStatus, DbStudentStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "students")]
#[allow(missing_docs)]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub student_no: String,
    pub name: String,
    pub gender: DbGender,
    pub college_id: Uuid,
    pub unit_id: Option<Uuid>,
    pub degree: DbDegree,
    pub enrollment_year: i32,
    pub political_status: DbPoliticalStatus,
    pub supervisor_id: Option<Uuid>,
    pub counselor_id: Option<Uuid>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub status: DbStudentStatus,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
