//! The mentor's work (issue 13). First: a student's counselor (辅导员), a staff member of the
//! student's college, beside their supervisor.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::cols::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Students {
    Table,
    CounselorId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite cannot add a foreign key to an existing table, but it takes a column that
        // carries its own REFERENCES clause (its default being NULL); so does PostgreSQL.
        let col = uuid_null(Students::CounselorId)
            .extra("REFERENCES staff (id) ON DELETE RESTRICT ON UPDATE RESTRICT")
            .to_owned();
        m.alter_table(Table::alter().table(Students::Table).add_column(col).to_owned()).await?;
        m.create_index(index(Students::Table, "idx_students_counselor", &["counselor_id"])).await?;
        Ok(())
    }
}
