//! The `work_record_duties` table: the duties a work-record entry serves.

use sea_orm::entity::prelude::*;

use crate::enums::DbDuty;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "work_record_duties")]
#[allow(missing_docs)]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub work_record_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub duty: DbDuty,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
