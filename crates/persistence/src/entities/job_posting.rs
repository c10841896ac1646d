//! The `job_postings` table.

use sea_orm::entity::prelude::*;

use crate::enums::{DbJobKind, DbPostingState};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "job_postings")]
#[allow(missing_docs)]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub college_id: Uuid,
    pub title: String,
    pub employer: String,
    pub city: String,
    pub kind: DbJobKind,
    pub link: String,
    pub deadline: Date,
    pub description: Option<String>,
    pub state: DbPostingState,
    pub author_id: Uuid,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
