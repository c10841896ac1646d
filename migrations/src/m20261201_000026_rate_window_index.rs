//! The hourly purge of ended rate-limit windows (`DELETE … WHERE started_at < cutoff`) reads
//! `rate_windows` by when each window started: an index on it keeps the purge from scanning one
//! row per client address of the last hour.

use sea_orm_migration::prelude::*;

use crate::cols::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RateWindows {
    Table,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index(RateWindows::Table, "ix_rate_windows_started_at", &["started_at"])).await
    }
}
