//! Indexes for the reports of issue 16 on a university-sized year: the college's year-end
//! assessment counts and sums each college's work records of the year's appointments
//! (`WHERE appointment_id IN (…) GROUP BY college_id`, `COUNT(*)`, `SUM(minutes)`), which with
//! this index reads only the index (on SQLite always; on PostgreSQL as an index-only scan once
//! the table is vacuumed) instead of every record's row — about half the time measured on 200,000
//! records.

use sea_orm_migration::prelude::*;

use crate::cols::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WorkRecords {
    Table,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index(
            WorkRecords::Table,
            "ix_work_records_appointment_college_minutes",
            &["appointment_id", "college_id", "minutes"],
        ))
        .await?;
        Ok(())
    }
}
