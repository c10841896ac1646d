//! Pairing (结对子): mentor–mentee links with their history, mentee feedback, and what an
//! appointment records for the orientation milestone and for its mentees.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::cols::{created_at, fk, id, index, updated_at, version};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Students {
    Table,
}

#[derive(DeriveIden)]
enum Colleges {
    Table,
}

#[derive(DeriveIden)]
enum AcademicYears {
    Table,
}

#[derive(DeriveIden)]
enum Appointments {
    Table,
    IntroducedOn,
    IntroductionChannel,
    IntroductionNote,
    ContactForMentees,
}

#[derive(DeriveIden)]
enum Pairings {
    Table,
    AppointmentId,
    MentorId,
    MenteeId,
    AcademicYearId,
    CollegeId,
    CrossUnit,
    Source,
    State,
    CreatedBy,
    EndedAt,
    EndReason,
    EndNote,
}

#[derive(DeriveIden)]
enum PairingFeedback {
    Table,
    PairingId,
    AppointmentId,
    MenteeId,
    Term,
    Rating,
    Comment,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for col in [
            date_null(Appointments::IntroducedOn),
            string_len_null(Appointments::IntroductionChannel, 32),
            text_null(Appointments::IntroductionNote),
            text_null(Appointments::ContactForMentees),
        ] {
            m.alter_table(Table::alter().table(Appointments::Table).add_column(col).to_owned()).await?;
        }

        m.create_table(
            Table::create()
                .table(Pairings::Table)
                .col(id())
                .col(uuid(Pairings::AppointmentId))
                .col(uuid(Pairings::MentorId))
                .col(uuid(Pairings::MenteeId))
                .col(uuid(Pairings::AcademicYearId))
                .col(uuid(Pairings::CollegeId))
                .col(boolean(Pairings::CrossUnit))
                .col(string_len(Pairings::Source, 32))
                .col(string_len(Pairings::State, 32))
                .col(uuid_null(Pairings::CreatedBy))
                .col(timestamp_with_time_zone_null(Pairings::EndedAt))
                .col(string_len_null(Pairings::EndReason, 32))
                .col(text_null(Pairings::EndNote))
                .col(version())
                .col(created_at())
                .col(updated_at())
                .foreign_key(&mut fk(Pairings::Table, Pairings::AppointmentId, Appointments::Table))
                .foreign_key(&mut fk(Pairings::Table, Pairings::MentorId, Students::Table))
                .foreign_key(&mut fk(Pairings::Table, Pairings::MenteeId, Students::Table))
                .foreign_key(&mut fk(Pairings::Table, Pairings::AcademicYearId, AcademicYears::Table))
                .foreign_key(&mut fk(Pairings::Table, Pairings::CollegeId, Colleges::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(Pairings::Table, "idx_pairings_appointment_state", &["appointment_id", "state"])).await?;
        m.create_index(index(Pairings::Table, "idx_pairings_college_year", &["college_id", "academic_year_id"]))
            .await?;
        m.create_index(index(Pairings::Table, "idx_pairings_mentee", &["mentee_id"])).await?;
        // One active mentor per mentee per year, whatever the timing of concurrent requests.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_pairings_active_mentee ON pairings (mentee_id, academic_year_id) \
                 WHERE state = 'active'",
            )
            .await?;

        m.create_table(
            Table::create()
                .table(PairingFeedback::Table)
                .col(id())
                .col(uuid(PairingFeedback::PairingId))
                .col(uuid(PairingFeedback::AppointmentId))
                .col(uuid(PairingFeedback::MenteeId))
                .col(string_len(PairingFeedback::Term, 16))
                .col(integer(PairingFeedback::Rating))
                .col(text_null(PairingFeedback::Comment))
                .col(created_at())
                .foreign_key(&mut fk(PairingFeedback::Table, PairingFeedback::PairingId, Pairings::Table))
                .foreign_key(&mut fk(PairingFeedback::Table, PairingFeedback::AppointmentId, Appointments::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index(PairingFeedback::Table, "uq_feedback_pairing_term", &["pairing_id", "term"]).unique().to_owned(),
        )
        .await?;
        m.create_index(index(PairingFeedback::Table, "idx_feedback_appointment", &["appointment_id"])).await?;
        Ok(())
    }
}
