//! The `essays` table: the club members' essays for the anthology (《经验谈》).

use sea_orm::entity::prelude::*;

use crate::enums::{DbEssayState, DbEssayTheme};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "essays")]
#[allow(missing_docs)]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub author_id: Uuid,
    pub college_id: Uuid,
    pub unit_id: Uuid,
    pub academic_year_id: Uuid,
    pub title: String,
    pub body: String,
    pub theme: DbEssayTheme,
    pub state: DbEssayState,
    pub revises: Option<Uuid>,
    pub editor_comment: Option<String>,
    pub submitted_at: Option<DateTimeUtc>,
    pub decided_at: Option<DateTimeUtc>,
    pub decided_by: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
