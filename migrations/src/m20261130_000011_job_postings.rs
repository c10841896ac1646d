//! Career postings (issue 13, 三(三)2): job and internship information posted for a college, the
//! units each suits, and the students a mentor recommended it to.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::cols::{created_at, fk, fk_cascade, id, index, updated_at, version};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Colleges {
    Table,
}

#[derive(DeriveIden)]
enum Units {
    Table,
}

#[derive(DeriveIden)]
enum Students {
    Table,
}

#[derive(DeriveIden)]
enum Users {
    Table,
}

#[derive(DeriveIden)]
enum Appointments {
    Table,
}

#[derive(DeriveIden)]
enum JobPostings {
    Table,
    CollegeId,
    Title,
    Employer,
    City,
    Kind,
    Link,
    Deadline,
    Description,
    State,
    AuthorId,
}

#[derive(DeriveIden)]
enum JobPostingUnits {
    Table,
    PostingId,
    UnitId,
}

#[derive(DeriveIden)]
enum JobRecommendations {
    Table,
    PostingId,
    StudentId,
    AppointmentId,
    RecommendedBy,
    Note,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(JobPostings::Table)
                .col(id())
                .col(uuid(JobPostings::CollegeId))
                .col(string_len(JobPostings::Title, 100))
                .col(string_len(JobPostings::Employer, 100))
                .col(string_len(JobPostings::City, 50))
                .col(string_len(JobPostings::Kind, 32))
                .col(string_len(JobPostings::Link, 500))
                .col(date(JobPostings::Deadline))
                .col(text_null(JobPostings::Description))
                .col(string_len(JobPostings::State, 32))
                .col(uuid(JobPostings::AuthorId))
                .col(version())
                .col(created_at())
                .col(updated_at())
                .check(Expr::cust("link LIKE 'https://%'"))
                .foreign_key(&mut fk(JobPostings::Table, JobPostings::CollegeId, Colleges::Table))
                .foreign_key(&mut fk(JobPostings::Table, JobPostings::AuthorId, Users::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            JobPostings::Table,
            "ix_job_postings_college_deadline",
            &["college_id", "state", "deadline"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(JobPostingUnits::Table)
                .col(uuid(JobPostingUnits::PostingId))
                .col(uuid(JobPostingUnits::UnitId))
                .primary_key(Index::create().col(JobPostingUnits::PostingId).col(JobPostingUnits::UnitId))
                .foreign_key(&mut fk_cascade(JobPostingUnits::Table, JobPostingUnits::PostingId, JobPostings::Table))
                .foreign_key(&mut fk(JobPostingUnits::Table, JobPostingUnits::UnitId, Units::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(JobPostingUnits::Table, "ix_job_posting_units_unit", &["unit_id"])).await?;
        m.create_table(
            Table::create()
                .table(JobRecommendations::Table)
                .col(id())
                .col(uuid(JobRecommendations::PostingId))
                .col(uuid(JobRecommendations::StudentId))
                .col(uuid(JobRecommendations::AppointmentId))
                .col(uuid(JobRecommendations::RecommendedBy))
                .col(text_null(JobRecommendations::Note))
                .col(created_at())
                .foreign_key(&mut fk_cascade(
                    JobRecommendations::Table,
                    JobRecommendations::PostingId,
                    JobPostings::Table,
                ))
                .foreign_key(&mut fk(JobRecommendations::Table, JobRecommendations::StudentId, Students::Table))
                .foreign_key(&mut fk(JobRecommendations::Table, JobRecommendations::AppointmentId, Appointments::Table))
                .foreign_key(&mut fk(JobRecommendations::Table, JobRecommendations::RecommendedBy, Users::Table))
                .to_owned(),
        )
        .await?;
        // A student is recommended a posting once.
        m.create_index(
            Index::create()
                .name("ux_job_recommendations_posting_student")
                .table(JobRecommendations::Table)
                .col(JobRecommendations::PostingId)
                .col(JobRecommendations::StudentId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index(JobRecommendations::Table, "ix_job_recommendations_student", &["student_id"])).await?;
        m.create_index(index(JobRecommendations::Table, "ix_job_recommendations_appointment", &["appointment_id"]))
            .await?;
        Ok(())
    }
}
