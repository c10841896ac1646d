//! Indexes for the sorts of the large lists (issue 18): students, staff and accounts page by
//! cursor (`WHERE (key, id) > (…) ORDER BY key, id LIMIT n`), which an index on `(key, id)` answers
//! by reading the page and nothing before it. Without one, PostgreSQL reads the whole table and
//! sorts it for every page (checked with EXPLAIN on 100,000 students). The keys already indexed
//! are left alone: 学号, staff numbers and user names (unique indexes; `id` only breaks ties
//! between equal keys, which a unique key never has) and student names (`000024`).

use sea_orm_migration::prelude::*;

use crate::cols::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Students {
    Table,
}

#[derive(DeriveIden)]
enum Staff {
    Table,
}

#[derive(DeriveIden)]
enum Users {
    Table,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index(Students::Table, "idx_students_year_id", &["enrollment_year", "id"])).await?;
        m.create_index(index(Students::Table, "idx_students_created_id", &["created_at", "id"])).await?;
        m.create_index(index(Staff::Table, "idx_staff_name_id", &["name", "id"])).await?;
        m.create_index(index(Staff::Table, "idx_staff_created_id", &["created_at", "id"])).await?;
        m.create_index(index(Users::Table, "idx_users_display_name_id", &["display_name", "id"])).await?;
        m.create_index(index(Users::Table, "idx_users_created_id", &["created_at", "id"])).await
    }
}
