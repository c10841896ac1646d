//! The `work_records` table: the entries of a mentor's work-record book.

use sea_orm::entity::prelude::*;

use crate::enums::{DbWorkChannel, DbWorkKind};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "work_records")]
#[allow(missing_docs)]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub appointment_id: Uuid,
    pub mentor_id: Uuid,
    pub college_id: Uuid,
    pub kind: DbWorkKind,
    pub date: Date,
    pub month: String,
    pub minutes: i32,
    pub channel: DbWorkChannel,
    pub head_count: Option<i32>,
    pub summary: String,
    pub reflections: Option<String>,
    pub activity_id: Option<Uuid>,
    pub help_request_id: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
