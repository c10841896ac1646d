//! Annual award rounds (issue 15): a round per academic year and award with its rules, the
//! colleges' nominations with the figures frozen when nominated and the result frozen when the
//! round is finalized, and the reviewers' score sheets.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::cols::{created_at, fk, fk_cascade, id, index, updated_at, version};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AcademicYears {
    Table,
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
enum Students {
    Table,
}

#[derive(DeriveIden)]
enum Users {
    Table,
}

#[derive(DeriveIden)]
enum AwardRounds {
    Table,
    AcademicYearId,
    Award,
    Title,
    State,
    NominationsOpenOn,
    NominationsCloseOn,
    QuotaSharePermille,
    CollegeQuotas,
    Awards,
    Weights,
    Criteria,
    ReviewerIds,
    FinalizedAt,
    FinalizedBy,
    CreatedBy,
}

#[derive(DeriveIden)]
enum AwardNominations {
    Table,
    RoundId,
    AppointmentId,
    CollegeId,
    MentorId,
    Statement,
    Figures,
    NominatedBy,
    Rank,
    Score,
    Awarded,
    Result,
}

#[derive(DeriveIden)]
enum AwardScores {
    Table,
    NominationId,
    ReviewerId,
    Scores,
    Total,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AwardRounds::Table)
                .col(id())
                .col(uuid(AwardRounds::AcademicYearId))
                .col(string_len(AwardRounds::Award, 32))
                .col(text(AwardRounds::Title))
                .col(string_len(AwardRounds::State, 32))
                .col(date(AwardRounds::NominationsOpenOn))
                .col(date(AwardRounds::NominationsCloseOn))
                .col(integer(AwardRounds::QuotaSharePermille))
                .col(json_binary(AwardRounds::CollegeQuotas))
                .col(integer(AwardRounds::Awards))
                .col(json_binary(AwardRounds::Weights))
                .col(json_binary(AwardRounds::Criteria))
                .col(json_binary(AwardRounds::ReviewerIds))
                .col(timestamp_with_time_zone_null(AwardRounds::FinalizedAt))
                .col(uuid_null(AwardRounds::FinalizedBy))
                .col(uuid_null(AwardRounds::CreatedBy))
                .col(version())
                .col(created_at())
                .col(updated_at())
                .check(Expr::cust("nominations_close_on >= nominations_open_on"))
                .check(Expr::cust("awards >= 1 AND quota_share_permille BETWEEN 0 AND 1000"))
                .check(Expr::cust("(state = 'finalized') = (finalized_at IS NOT NULL)"))
                .foreign_key(&mut fk(AwardRounds::Table, AwardRounds::AcademicYearId, AcademicYears::Table))
                .foreign_key(&mut fk(AwardRounds::Table, AwardRounds::FinalizedBy, Users::Table))
                .foreign_key(&mut fk(AwardRounds::Table, AwardRounds::CreatedBy, Users::Table))
                .to_owned(),
        )
        .await?;
        // One round per academic year and award.
        m.create_index(
            index(AwardRounds::Table, "ux_award_rounds_year_award", &["academic_year_id", "award"]).unique().to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AwardNominations::Table)
                .col(id())
                .col(uuid(AwardNominations::RoundId))
                .col(uuid(AwardNominations::AppointmentId))
                .col(uuid(AwardNominations::CollegeId))
                .col(uuid(AwardNominations::MentorId))
                .col(text(AwardNominations::Statement))
                .col(json_binary(AwardNominations::Figures))
                .col(uuid_null(AwardNominations::NominatedBy))
                .col(integer_null(AwardNominations::Rank))
                .col(big_integer_null(AwardNominations::Score))
                .col(boolean(AwardNominations::Awarded).default(false))
                .col(json_binary_null(AwardNominations::Result))
                .col(created_at())
                .check(Expr::cust("(rank IS NULL) = (score IS NULL) AND (rank IS NULL) = (result IS NULL)"))
                .foreign_key(&mut fk(AwardNominations::Table, AwardNominations::RoundId, AwardRounds::Table))
                .foreign_key(&mut fk(AwardNominations::Table, AwardNominations::AppointmentId, Appointments::Table))
                .foreign_key(&mut fk(AwardNominations::Table, AwardNominations::CollegeId, Colleges::Table))
                .foreign_key(&mut fk(AwardNominations::Table, AwardNominations::MentorId, Students::Table))
                .foreign_key(&mut fk(AwardNominations::Table, AwardNominations::NominatedBy, Users::Table))
                .to_owned(),
        )
        .await?;
        // A mentor is nominated once per round.
        m.create_index(
            index(AwardNominations::Table, "ux_award_nominations_round_appointment", &["round_id", "appointment_id"])
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index(AwardNominations::Table, "ix_award_nominations_college", &["round_id", "college_id"]))
            .await?;
        m.create_index(index(AwardNominations::Table, "ix_award_nominations_appointment", &["appointment_id"])).await?;
        m.create_table(
            Table::create()
                .table(AwardScores::Table)
                .col(uuid(AwardScores::NominationId))
                .col(uuid(AwardScores::ReviewerId))
                .col(json_binary(AwardScores::Scores))
                .col(integer(AwardScores::Total))
                .col(created_at())
                .col(updated_at())
                .primary_key(Index::create().col(AwardScores::NominationId).col(AwardScores::ReviewerId))
                .foreign_key(&mut fk_cascade(AwardScores::Table, AwardScores::NominationId, AwardNominations::Table))
                .foreign_key(&mut fk(AwardScores::Table, AwardScores::ReviewerId, Users::Table))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
