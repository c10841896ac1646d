//! The `best_cases` table: colleges' best-practice cases (优秀案例).

use sea_orm::entity::prelude::*;

use crate::enums::DbCaseState;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "best_cases")]
#[allow(missing_docs)]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub college_id: Uuid,
    pub academic_year_id: Uuid,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub summary: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub data_notes: Option<String>,
    pub state: DbCaseState,
    pub featured: bool,
    #[sea_orm(column_type = "Text", nullable)]
    pub review_comments: Option<String>,
    pub author_id: Uuid,
    pub submitted_at: Option<DateTimeUtc>,
    pub reviewed_at: Option<DateTimeUtc>,
    pub reviewed_by: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
