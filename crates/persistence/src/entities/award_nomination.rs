//! The `award_nominations` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "award_nominations")]
#[allow(missing_docs)]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub round_id: Uuid,
    pub appointment_id: Uuid,
    pub college_id: Uuid,
    pub mentor_id: Uuid,
    pub statement: String,
    /// The figures when nominated: `{figure: value}`.
    pub figures: Json,
    pub nominated_by: Option<Uuid>,
    /// Set when the round is finalized.
    pub rank: Option<i32>,
    /// Millionths of a point; set when finalized.
    pub score: Option<i64>,
    pub awarded: bool,
    /// The breakdown frozen when finalized.
    pub result: Option<Json>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
