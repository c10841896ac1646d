//! The `import_runs` table: the record of each (non-dry) import, and whether it completed.

use sea_orm::entity::prelude::*;

use crate::enums::{DbImportKind, DbImportRunState};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "import_runs")]
#[allow(missing_docs)]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: DbImportKind,
    pub college_id: Option<Uuid>,
    pub started_by: Option<Uuid>,
    pub client_id: Option<Uuid>,
    pub started_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    pub state: DbImportRunState,
    pub rows: Option<i32>,
    pub created: Option<i32>,
    pub updated: Option<i32>,
    pub unchanged: Option<i32>,
    pub error_code: Option<String>,
    pub error_count: Option<i32>,
    pub file_name: Option<String>,
    pub format: Option<String>,
    pub encoding: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
