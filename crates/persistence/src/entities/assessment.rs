//! The `assessments` table: one mentor's grade for the year, per appointment.

use sea_orm::entity::prelude::*;

use crate::enums::{DbAssessmentState, DbGrade};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "assessments")]
#[allow(missing_docs)]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub appointment_id: Uuid,
    pub academic_year_id: Uuid,
    pub college_id: Uuid,
    pub grade: DbGrade,
    pub comment: String,
    pub state: DbAssessmentState,
    pub graded_by: Uuid,
    pub graded_at: DateTimeUtc,
    pub confirmed_by: Option<Uuid>,
    pub confirmed_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
