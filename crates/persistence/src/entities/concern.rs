//! The `concerns` table.

use sea_orm::entity::prelude::*;

use crate::enums::{DbConcernCategory, DbConcernScope, DbConcernState, DbConcernUrgency};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "concerns")]
#[allow(missing_docs)]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub appointment_id: Uuid,
    pub academic_year_id: Uuid,
    pub college_id: Uuid,
    pub mentor_id: Uuid,
    pub scope: DbConcernScope,
    pub category: DbConcernCategory,
    pub urgency: DbConcernUrgency,
    pub state: DbConcernState,
    pub description: String,
    pub student_id: Option<Uuid>,
    pub affected_count: Option<i32>,
    pub escalated_at: Option<DateTimeUtc>,
    pub acknowledged_at: Option<DateTimeUtc>,
    pub resolved_at: Option<DateTimeUtc>,
    pub resolved_by: Option<Uuid>,
    pub resolution_note: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
