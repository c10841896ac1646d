//! The `pairings` table.

use sea_orm::entity::prelude::*;

use crate::enums::{DbEndReason, DbPairingSource, DbPairingState};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pairings")]
#[allow(missing_docs)]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub appointment_id: Uuid,
    pub mentor_id: Uuid,
    pub mentee_id: Uuid,
    pub academic_year_id: Uuid,
    pub college_id: Uuid,
    pub cross_unit: bool,
    pub source: DbPairingSource,
    pub state: DbPairingState,
    pub created_by: Option<Uuid>,
    pub ended_at: Option<DateTimeUtc>,
    pub end_reason: Option<DbEndReason>,
    pub end_note: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
