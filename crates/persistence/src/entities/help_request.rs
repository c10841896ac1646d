//! The `help_requests` table: what a student asked their mentor, and how it was answered.

use sea_orm::entity::prelude::*;

use crate::enums::{DbHelpState, DbHelpTopic, DbWorkChannel};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "help_requests")]
#[allow(missing_docs)]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub student_id: Uuid,
    pub appointment_id: Uuid,
    pub mentor_id: Uuid,
    pub college_id: Uuid,
    pub topic: DbHelpTopic,
    pub message: String,
    pub channel: Option<DbWorkChannel>,
    pub state: DbHelpState,
    pub answer_note: Option<String>,
    pub answered_at: Option<DateTimeUtc>,
    pub answered_by: Option<Uuid>,
    pub closed_at: Option<DateTimeUtc>,
    pub closed_by: Option<Uuid>,
    pub work_record_id: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
