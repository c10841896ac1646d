//! The record of each import (issue 12, "Faults"): a row written and committed as `running`
//! before the import's own transaction begins, and set `completed` inside that transaction (so it
//! commits with the data) or `failed` after it rolled back. A row still `running` that no live
//! import holds is an import that did not complete (a killed process): it reads `interrupted`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::cols::{fk, id, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Colleges {
    Table,
}

#[derive(DeriveIden)]
enum Users {
    Table,
}

#[derive(DeriveIden)]
enum ServiceClients {
    Table,
}

#[derive(DeriveIden)]
enum ImportRuns {
    Table,
    Kind,
    CollegeId,
    StartedBy,
    ClientId,
    StartedAt,
    FinishedAt,
    State,
    Rows,
    Created,
    Updated,
    Unchanged,
    ErrorCode,
    ErrorCount,
    FileName,
    Format,
    Encoding,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ImportRuns::Table)
                // The import's id: the `import_id` of its response and the target of its audit event.
                .col(id())
                .col(string_len(ImportRuns::Kind, 32))
                // The importing college admin's college; null for a university admin or a client.
                .col(uuid_null(ImportRuns::CollegeId))
                // Who started it: a user, or (for a service client) `client_id`.
                .col(uuid_null(ImportRuns::StartedBy))
                .col(uuid_null(ImportRuns::ClientId))
                .col(timestamp_with_time_zone(ImportRuns::StartedAt))
                .col(timestamp_with_time_zone_null(ImportRuns::FinishedAt))
                .col(string_len(ImportRuns::State, 32))
                .col(integer_null(ImportRuns::Rows))
                .col(integer_null(ImportRuns::Created))
                .col(integer_null(ImportRuns::Updated))
                .col(integer_null(ImportRuns::Unchanged))
                .col(string_len_null(ImportRuns::ErrorCode, 64))
                .col(integer_null(ImportRuns::ErrorCount))
                .col(string_len_null(ImportRuns::FileName, 255))
                .col(string_len_null(ImportRuns::Format, 16))
                .col(string_len_null(ImportRuns::Encoding, 32))
                .check(Expr::cust("kind IN ('students', 'staff', 'units', 'honors')"))
                .check(Expr::cust("state IN ('running', 'completed', 'failed', 'interrupted')"))
                .check(Expr::cust("(started_by IS NULL) <> (client_id IS NULL)"))
                .foreign_key(&mut fk(ImportRuns::Table, ImportRuns::CollegeId, Colleges::Table))
                .foreign_key(&mut fk(ImportRuns::Table, ImportRuns::StartedBy, Users::Table))
                .foreign_key(&mut fk(ImportRuns::Table, ImportRuns::ClientId, ServiceClients::Table))
                .to_owned(),
        )
        .await?;
        // The list, newest first; the sweep for runs left `running` reads by state.
        m.create_index(index(ImportRuns::Table, "ix_import_runs_started_at", &["started_at", "id"])).await?;
        m.create_index(index(ImportRuns::Table, "ix_import_runs_state", &["state", "started_at"])).await?;
        m.create_index(index(ImportRuns::Table, "ix_import_runs_college", &["college_id", "started_at"])).await?;
        Ok(())
    }
}
