//! The `activities` table.

use sea_orm::entity::prelude::*;

use crate::enums::{DbActivityKind, DbActivityState};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activities")]
#[allow(missing_docs)]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: DbActivityKind,
    pub title: String,
    pub description: Option<String>,
    pub topics: Json,
    pub academic_year_id: Uuid,
    pub college_id: Option<Uuid>,
    pub unit_id: Option<Uuid>,
    pub organiser_id: Option<Uuid>,
    pub start_at: DateTimeUtc,
    pub end_at: DateTimeUtc,
    pub venue: Option<String>,
    pub venue_key: Option<String>,
    pub online_link: Option<String>,
    pub capacity: Option<i32>,
    pub budget_fen: Option<i64>,
    pub state: DbActivityState,
    pub published_at: Option<DateTimeUtc>,
    pub cancelled_at: Option<DateTimeUtc>,
    pub cancel_reason: Option<String>,
    pub held_at: Option<DateTimeUtc>,
    pub summary: Option<String>,
    pub actual_expense_fen: Option<i64>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
