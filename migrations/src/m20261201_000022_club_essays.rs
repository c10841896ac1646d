//! The mentors' club and its essays (issue 17, rules 四.5).
//!
//! Membership is derived from the appointments (`domain::club::membership`); the only thing stored
//! about it is who left: one row per student standing outside the club, deleted when they rejoin
//! (the audit log keeps the history). Essays (《经验谈》) are written by members and accepted or
//! returned by the university; the accepted ones make the anthology.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::cols::{created_at, fk, id, index, updated_at, version};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AcademicYears {
    Table,
}

#[derive(DeriveIden)]
enum Colleges {
    Table,
}

#[derive(DeriveIden)]
enum Students {
    Table,
}

#[derive(DeriveIden)]
enum Units {
    Table,
}

#[derive(DeriveIden)]
enum Users {
    Table,
}

#[derive(DeriveIden)]
enum ClubDepartures {
    Table,
    StudentId,
    LeftAt,
    LeftBy,
}

#[derive(DeriveIden)]
enum Essays {
    Table,
    AuthorId,
    CollegeId,
    UnitId,
    AcademicYearId,
    Title,
    Body,
    Theme,
    State,
    Revises,
    EditorComment,
    SubmittedAt,
    DecidedAt,
    DecidedBy,
    CreatedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ClubDepartures::Table)
                .col(pk_uuid(ClubDepartures::StudentId))
                .col(timestamp_with_time_zone(ClubDepartures::LeftAt))
                .col(uuid_null(ClubDepartures::LeftBy))
                .foreign_key(&mut fk(ClubDepartures::Table, ClubDepartures::StudentId, Students::Table))
                .foreign_key(&mut fk(ClubDepartures::Table, ClubDepartures::LeftBy, Users::Table))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Essays::Table)
                .col(id())
                .col(uuid(Essays::AuthorId))
                .col(uuid(Essays::CollegeId))
                .col(uuid(Essays::UnitId))
                .col(uuid(Essays::AcademicYearId))
                .col(text(Essays::Title))
                .col(text(Essays::Body))
                .col(string_len(Essays::Theme, 32))
                .col(string_len(Essays::State, 32))
                .col(uuid_null(Essays::Revises))
                .col(text_null(Essays::EditorComment))
                .col(timestamp_with_time_zone_null(Essays::SubmittedAt))
                .col(timestamp_with_time_zone_null(Essays::DecidedAt))
                .col(uuid_null(Essays::DecidedBy))
                .col(uuid_null(Essays::CreatedBy))
                .col(version())
                .col(created_at())
                .col(updated_at())
                // The bounds of `domain::essay` (characters on both databases).
                .check(Expr::cust("length(title) BETWEEN 1 AND 100 AND length(body) BETWEEN 1 AND 20000"))
                .check(Expr::cust(
                    "theme IN ('ideology', 'career', 'study', 'research', 'life', 'freshman_guidance', \
                     'research_salon', 'competition', 'other')",
                ))
                // A draft was never submitted nor decided; a submitted essay was submitted; a
                // returned one carries the editor's comment; an accepted one was submitted and decided.
                .check(Expr::cust(
                    "(state = 'draft' AND submitted_at IS NULL AND decided_at IS NULL) \
                     OR (state = 'submitted' AND submitted_at IS NOT NULL) \
                     OR (state = 'returned' AND decided_at IS NOT NULL AND editor_comment IS NOT NULL) \
                     OR (state = 'accepted' AND submitted_at IS NOT NULL AND decided_at IS NOT NULL)",
                ))
                .check(Expr::cust("revises IS NULL OR revises <> id"))
                .foreign_key(&mut fk(Essays::Table, Essays::AuthorId, Students::Table))
                .foreign_key(&mut fk(Essays::Table, Essays::CollegeId, Colleges::Table))
                .foreign_key(&mut fk(Essays::Table, Essays::UnitId, Units::Table))
                .foreign_key(&mut fk(Essays::Table, Essays::AcademicYearId, AcademicYears::Table))
                .foreign_key(&mut fk(Essays::Table, Essays::Revises, Essays::Table))
                .foreign_key(&mut fk(Essays::Table, Essays::DecidedBy, Users::Table))
                .foreign_key(&mut fk(Essays::Table, Essays::CreatedBy, Users::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(Essays::Table, "ix_essays_author", &["author_id"])).await?;
        m.create_index(index(Essays::Table, "ix_essays_year_state", &["academic_year_id", "state"])).await?;
        m.create_index(index(Essays::Table, "ix_essays_college_state", &["college_id", "state"])).await?;
        // An essay is revised by at most one other: revisions form a chain, never a fork.
        m.create_index(
            Index::create().name("ux_essays_revises").table(Essays::Table).col(Essays::Revises).unique().to_owned(),
        )
        .await?;
        Ok(())
    }
}
