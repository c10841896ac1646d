//! The `appointments` table.

use sea_orm::entity::prelude::*;

use crate::enums::{DbAppointmentState, DbIntroductionChannel};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "appointments")]
#[allow(missing_docs)]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub nomination_id: Uuid,
    pub student_id: Uuid,
    pub academic_year_id: Uuid,
    pub college_id: Uuid,
    pub unit_id: Uuid,
    pub capacity: i32,
    pub state: DbAppointmentState,
    pub training_completed_on: Option<Date>,
    pub training_note: Option<String>,
    pub dismissal_request_reason: Option<String>,
    pub dismissal_requested_by: Option<Uuid>,
    pub dismissal_requested_at: Option<DateTimeUtc>,
    pub ended_at: Option<DateTimeUtc>,
    pub introduced_on: Option<Date>,
    pub introduction_channel: Option<DbIntroductionChannel>,
    pub introduction_note: Option<String>,
    pub contact_for_mentees: Option<String>,
    pub end_reason: Option<String>,
    pub appointed_by: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
