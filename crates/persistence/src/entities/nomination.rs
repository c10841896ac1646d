//! The `nominations` table.

use sea_orm::entity::prelude::*;

use crate::enums::{DbNominationSource, DbNominationState};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "nominations")]
#[allow(missing_docs)]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub student_id: Uuid,
    pub academic_year_id: Uuid,
    pub college_id: Uuid,
    pub unit_id: Uuid,
    pub source: DbNominationSource,
    pub state: DbNominationState,
    pub statement: String,
    pub evidence: Json,
    pub justification: Option<String>,
    pub morality_score: Option<i32>,
    pub research_score: Option<i32>,
    pub leadership_score: Option<i32>,
    pub review_comments: Option<String>,
    pub reviewed_by: Option<Uuid>,
    pub reviewed_at: Option<DateTimeUtc>,
    pub decision_reason: Option<String>,
    pub created_by: Option<Uuid>,
    pub submitted_at: Option<DateTimeUtc>,
    pub recommended_at: Option<DateTimeUtc>,
    pub decided_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
