//! The year's assessment (考核, issue 15): the assessment window on the academic year, and one
//! assessment per appointment — the college's grade, the university's confirmation.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::cols::{created_at, fk, id, index, updated_at, version};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AcademicYears {
    Table,
    AssessmentOpensOn,
    AssessmentClosesOn,
}

#[derive(DeriveIden)]
enum Appointments {
    Table,
}

#[derive(DeriveIden)]
enum Colleges {
    Table,
}

#[derive(DeriveIden)]
enum Users {
    Table,
}

#[derive(DeriveIden)]
enum Assessments {
    Table,
    AppointmentId,
    AcademicYearId,
    CollegeId,
    Grade,
    Comment,
    State,
    GradedBy,
    GradedAt,
    ConfirmedBy,
    ConfirmedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one at a time.
        for col in [AcademicYears::AssessmentOpensOn, AcademicYears::AssessmentClosesOn] {
            m.alter_table(Table::alter().table(AcademicYears::Table).add_column(date_null(col)).to_owned()).await?;
        }
        m.create_table(
            Table::create()
                .table(Assessments::Table)
                .col(id())
                .col(uuid_uniq(Assessments::AppointmentId))
                .col(uuid(Assessments::AcademicYearId))
                .col(uuid(Assessments::CollegeId))
                .col(string_len(Assessments::Grade, 32))
                .col(text(Assessments::Comment))
                .col(string_len(Assessments::State, 32))
                .col(uuid(Assessments::GradedBy))
                .col(timestamp_with_time_zone(Assessments::GradedAt))
                .col(uuid_null(Assessments::ConfirmedBy))
                .col(timestamp_with_time_zone_null(Assessments::ConfirmedAt))
                .col(version())
                .col(created_at())
                .col(updated_at())
                .foreign_key(&mut fk(Assessments::Table, Assessments::AppointmentId, Appointments::Table))
                .foreign_key(&mut fk(Assessments::Table, Assessments::AcademicYearId, AcademicYears::Table))
                .foreign_key(&mut fk(Assessments::Table, Assessments::CollegeId, Colleges::Table))
                .foreign_key(&mut fk(Assessments::Table, Assessments::GradedBy, Users::Table))
                .foreign_key(&mut fk(Assessments::Table, Assessments::ConfirmedBy, Users::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(Assessments::Table, "ix_assessments_year_college", &["academic_year_id", "college_id"]))
            .await?;
        Ok(())
    }
}
