//! Colleges' best-practice cases (优秀案例, issue 17): the case a college writes and submits, the
//! college's activities it draws on, and its attachments (PDFs and images, stored in the database
//! beside it: `bytea` on PostgreSQL, `blob` on SQLite, so a backup holds them and every node serves
//! the same bytes).

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
enum AcademicYears {
    Table,
}

#[derive(DeriveIden)]
enum Users {
    Table,
}

#[derive(DeriveIden)]
enum Activities {
    Table,
}

#[derive(DeriveIden)]
enum BestCases {
    Table,
    CollegeId,
    AcademicYearId,
    Title,
    Summary,
    Body,
    DataNotes,
    State,
    Featured,
    ReviewComments,
    AuthorId,
    SubmittedAt,
    ReviewedAt,
    ReviewedBy,
}

#[derive(DeriveIden)]
enum BestCaseActivities {
    Table,
    CaseId,
    ActivityId,
}

#[derive(DeriveIden)]
enum BestCaseAttachments {
    Table,
    CaseId,
    FileName,
    MediaType,
    ByteSize,
    Sha256,
    Content,
    UploadedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(BestCases::Table)
                .col(id())
                .col(uuid(BestCases::CollegeId))
                .col(uuid(BestCases::AcademicYearId))
                .col(string_len(BestCases::Title, 100))
                .col(text(BestCases::Summary))
                .col(text(BestCases::Body))
                .col(text_null(BestCases::DataNotes))
                .col(string_len(BestCases::State, 32))
                .col(boolean(BestCases::Featured).default(false))
                .col(text_null(BestCases::ReviewComments))
                .col(uuid(BestCases::AuthorId))
                .col(timestamp_with_time_zone_null(BestCases::SubmittedAt))
                .col(timestamp_with_time_zone_null(BestCases::ReviewedAt))
                .col(uuid_null(BestCases::ReviewedBy))
                .col(version())
                .col(created_at())
                .col(updated_at())
                .check(Expr::cust("state IN ('draft', 'submitted', 'accepted', 'returned')"))
                // Only an accepted case is featured (`domain::best_case`).
                .check(Expr::cust("featured = FALSE OR state = 'accepted'"))
                .foreign_key(&mut fk(BestCases::Table, BestCases::CollegeId, Colleges::Table))
                .foreign_key(&mut fk(BestCases::Table, BestCases::AcademicYearId, AcademicYears::Table))
                .foreign_key(&mut fk(BestCases::Table, BestCases::AuthorId, Users::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(BestCases::Table, "ix_best_cases_college_year", &["college_id", "academic_year_id"]))
            .await?;
        m.create_index(index(BestCases::Table, "ix_best_cases_year_state", &["academic_year_id", "state", "featured"]))
            .await?;
        m.create_table(
            Table::create()
                .table(BestCaseActivities::Table)
                .col(uuid(BestCaseActivities::CaseId))
                .col(uuid(BestCaseActivities::ActivityId))
                .primary_key(Index::create().col(BestCaseActivities::CaseId).col(BestCaseActivities::ActivityId))
                .foreign_key(&mut fk_cascade(BestCaseActivities::Table, BestCaseActivities::CaseId, BestCases::Table))
                .foreign_key(&mut fk(BestCaseActivities::Table, BestCaseActivities::ActivityId, Activities::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(BestCaseActivities::Table, "ix_best_case_activities_activity", &["activity_id"])).await?;
        m.create_table(
            Table::create()
                .table(BestCaseAttachments::Table)
                .col(id())
                .col(uuid(BestCaseAttachments::CaseId))
                .col(string_len(BestCaseAttachments::FileName, 200))
                // What the bytes are: `application/pdf`, `image/jpeg`, `image/png` or `image/webp`.
                .col(string_len(BestCaseAttachments::MediaType, 32))
                .col(integer(BestCaseAttachments::ByteSize))
                .col(string_len(BestCaseAttachments::Sha256, 64))
                .col(blob(BestCaseAttachments::Content))
                .col(uuid(BestCaseAttachments::UploadedBy))
                .col(created_at())
                .check(Expr::cust(
                    "media_type IN ('application/pdf', 'image/jpeg', 'image/png', 'image/webp') AND byte_size > 0",
                ))
                .foreign_key(&mut fk_cascade(BestCaseAttachments::Table, BestCaseAttachments::CaseId, BestCases::Table))
                .foreign_key(&mut fk(BestCaseAttachments::Table, BestCaseAttachments::UploadedBy, Users::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(BestCaseAttachments::Table, "ix_best_case_attachments_case", &["case_id"])).await?;
        Ok(())
    }
}
