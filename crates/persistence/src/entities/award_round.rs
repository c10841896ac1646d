//! The `award_rounds` table.

use sea_orm::entity::prelude::*;

use crate::enums::{DbAwardKind, DbRoundState};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "award_rounds")]
#[allow(missing_docs)]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub academic_year_id: Uuid,
    pub award: DbAwardKind,
    pub title: String,
    pub state: DbRoundState,
    pub nominations_open_on: Date,
    pub nominations_close_on: Date,
    pub quota_share_permille: i32,
    /// `{college id: quota}`.
    pub college_quotas: Json,
    pub awards: i32,
    /// `{"figures": {figure: weight}, "reviewers": weight}`.
    pub weights: Json,
    /// `[{"key", "title", "max"}]`.
    pub criteria: Json,
    /// `[user id]`.
    pub reviewer_ids: Json,
    pub finalized_at: Option<DateTimeUtc>,
    pub finalized_by: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
