//! An index for the freshmen figures of the reports (issue 16) on a university-sized year: the
//! college's year-end assessment and the overview count each college's freshmen — enrolled
//! students of a year's first calendar year (`WHERE enrollment_year IN (…) AND status =
//! 'enrolled' GROUP BY enrollment_year, college_id`), their units and those paired (by `unit_id`
//! and `id`). With this index that is read from the index alone, already in the order of the
//! grouping: PostgreSQL no longer reads all 60,000 students and sorts the 33,000 freshmen of two
//! years (137 → 42 ms for the assessment's statement with `compare_to`, checked with EXPLAIN
//! ANALYZE on the bench's two years), SQLite no longer looks up every freshman's row. The units
//! covered and the freshmen paired are tested against each year's due appointments' units and
//! paired mentees, which two more indexes give from the index alone, without reading every
//! appointment and pairing row of the table (SQLite: 64 → 41 ms of CPU for that statement with
//! `compare_to`).

use sea_orm_migration::prelude::*;

use crate::cols::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Students {
    Table,
}

#[derive(DeriveIden)]
enum Appointments {
    Table,
}

#[derive(DeriveIden)]
enum Pairings {
    Table,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index(
            Students::Table,
            "idx_students_freshmen",
            &["enrollment_year", "status", "college_id", "unit_id", "id"],
        ))
        .await?;
        m.create_index(index(
            Appointments::Table,
            "idx_appointments_year_state_unit",
            &["academic_year_id", "state", "unit_id"],
        ))
        .await?;
        m.create_index(index(
            Pairings::Table,
            "idx_pairings_year_mentee",
            &["academic_year_id", "mentee_id", "state", "end_reason"],
        ))
        .await
    }
}
