//! Selection and appointment (院推校聘): honours and sanctions of students, nominations,
//! appointments and commendations; and the outbox of the integration change feed.

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
enum Units {
    Table,
}

#[derive(DeriveIden)]
enum AcademicYears {
    Table,
}

#[derive(DeriveIden)]
enum Honors {
    Table,
    StudentId,
    Title,
    Level,
    AwardedOn,
}

#[derive(DeriveIden)]
enum Sanctions {
    Table,
    StudentId,
    Kind,
    Reason,
    ImposedOn,
    LiftedOn,
}

#[derive(DeriveIden)]
enum Nominations {
    Table,
    StudentId,
    AcademicYearId,
    CollegeId,
    UnitId,
    Source,
    State,
    Statement,
    Evidence,
    Justification,
    MoralityScore,
    ResearchScore,
    LeadershipScore,
    ReviewComments,
    ReviewedBy,
    ReviewedAt,
    DecisionReason,
    CreatedBy,
    SubmittedAt,
    RecommendedAt,
    DecidedAt,
}

#[derive(DeriveIden)]
enum Appointments {
    Table,
    NominationId,
    StudentId,
    AcademicYearId,
    CollegeId,
    UnitId,
    Capacity,
    State,
    TrainingCompletedOn,
    TrainingNote,
    DismissalRequestReason,
    DismissalRequestedBy,
    DismissalRequestedAt,
    EndedAt,
    EndReason,
    AppointedBy,
}

#[derive(DeriveIden)]
enum Commendations {
    Table,
    AppointmentId,
    Title,
    Reason,
    AwardedOn,
    CreatedBy,
}

#[derive(DeriveIden)]
enum Events {
    Table,
    Seq,
    Id,
    EventType,
    OccurredAt,
    ResourceType,
    ResourceId,
    Payload,
}

#[derive(DeriveIden)]
enum EventCounter {
    Table,
    Id,
    Last,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Honors::Table)
                .col(id())
                .col(uuid(Honors::StudentId))
                .col(string_len(Honors::Title, 100))
                .col(string_len(Honors::Level, 32))
                .col(date(Honors::AwardedOn))
                .col(created_at())
                .foreign_key(&mut fk(Honors::Table, Honors::StudentId, Students::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index(Honors::Table, "uq_honors_student_title_date", &["student_id", "title", "awarded_on"])
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Sanctions::Table)
                .col(id())
                .col(uuid(Sanctions::StudentId))
                .col(string_len(Sanctions::Kind, 50))
                .col(text(Sanctions::Reason))
                .col(date(Sanctions::ImposedOn))
                .col(date_null(Sanctions::LiftedOn))
                .col(created_at())
                .foreign_key(&mut fk(Sanctions::Table, Sanctions::StudentId, Students::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(Sanctions::Table, "idx_sanctions_student", &["student_id"])).await?;

        m.create_table(
            Table::create()
                .table(Nominations::Table)
                .col(id())
                .col(uuid(Nominations::StudentId))
                .col(uuid(Nominations::AcademicYearId))
                .col(uuid(Nominations::CollegeId))
                .col(uuid(Nominations::UnitId))
                .col(string_len(Nominations::Source, 32))
                .col(string_len(Nominations::State, 32))
                .col(text(Nominations::Statement))
                .col(json_binary(Nominations::Evidence))
                .col(text_null(Nominations::Justification))
                .col(integer_null(Nominations::MoralityScore))
                .col(integer_null(Nominations::ResearchScore))
                .col(integer_null(Nominations::LeadershipScore))
                .col(text_null(Nominations::ReviewComments))
                .col(uuid_null(Nominations::ReviewedBy))
                .col(timestamp_with_time_zone_null(Nominations::ReviewedAt))
                .col(text_null(Nominations::DecisionReason))
                .col(uuid_null(Nominations::CreatedBy))
                .col(timestamp_with_time_zone_null(Nominations::SubmittedAt))
                .col(timestamp_with_time_zone_null(Nominations::RecommendedAt))
                .col(timestamp_with_time_zone_null(Nominations::DecidedAt))
                .col(version())
                .col(created_at())
                .col(updated_at())
                .foreign_key(&mut fk(Nominations::Table, Nominations::StudentId, Students::Table))
                .foreign_key(&mut fk(Nominations::Table, Nominations::AcademicYearId, AcademicYears::Table))
                .foreign_key(&mut fk(Nominations::Table, Nominations::CollegeId, Colleges::Table))
                .foreign_key(&mut fk(Nominations::Table, Nominations::UnitId, Units::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(Nominations::Table, "idx_nominations_college_year", &["college_id", "academic_year_id"]))
            .await?;
        // One open nomination per student per year, whatever the timing of concurrent requests.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_nominations_open ON nominations (student_id, academic_year_id) \
                 WHERE state NOT IN ('rejected', 'withdrawn')",
            )
            .await?;

        m.create_table(
            Table::create()
                .table(Appointments::Table)
                .col(id())
                .col(uuid_uniq(Appointments::NominationId))
                .col(uuid(Appointments::StudentId))
                .col(uuid(Appointments::AcademicYearId))
                .col(uuid(Appointments::CollegeId))
                .col(uuid(Appointments::UnitId))
                .col(integer(Appointments::Capacity))
                .col(string_len(Appointments::State, 32))
                .col(date_null(Appointments::TrainingCompletedOn))
                .col(text_null(Appointments::TrainingNote))
                .col(text_null(Appointments::DismissalRequestReason))
                .col(uuid_null(Appointments::DismissalRequestedBy))
                .col(timestamp_with_time_zone_null(Appointments::DismissalRequestedAt))
                .col(timestamp_with_time_zone_null(Appointments::EndedAt))
                .col(text_null(Appointments::EndReason))
                .col(uuid_null(Appointments::AppointedBy))
                .col(version())
                .col(created_at())
                .col(updated_at())
                .foreign_key(&mut fk(Appointments::Table, Appointments::NominationId, Nominations::Table))
                .foreign_key(&mut fk(Appointments::Table, Appointments::StudentId, Students::Table))
                .foreign_key(&mut fk(Appointments::Table, Appointments::AcademicYearId, AcademicYears::Table))
                .foreign_key(&mut fk(Appointments::Table, Appointments::CollegeId, Colleges::Table))
                .foreign_key(&mut fk(Appointments::Table, Appointments::UnitId, Units::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            Appointments::Table,
            "idx_appointments_college_year",
            &["college_id", "academic_year_id"],
        ))
        .await?;
        m.create_index(index(Appointments::Table, "idx_appointments_student", &["student_id"])).await?;
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_appointments_active ON appointments (student_id, academic_year_id) \
                 WHERE state = 'active'",
            )
            .await?;

        m.create_table(
            Table::create()
                .table(Commendations::Table)
                .col(id())
                .col(uuid(Commendations::AppointmentId))
                .col(string_len(Commendations::Title, 100))
                .col(text(Commendations::Reason))
                .col(date(Commendations::AwardedOn))
                .col(uuid_null(Commendations::CreatedBy))
                .col(created_at())
                .foreign_key(&mut fk(Commendations::Table, Commendations::AppointmentId, Appointments::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(Commendations::Table, "idx_commendations_appointment", &["appointment_id"])).await?;

        // The outbox of the change feed. `seq` comes from `event_counter`, incremented in the
        // writing transaction: its row lock orders writers, so `seq` follows commit order and a
        // rolled-back transaction leaves no gap.
        m.create_table(
            Table::create()
                .table(Events::Table)
                .col(big_integer(Events::Seq).primary_key())
                .col(uuid_uniq(Events::Id))
                .col(string_len(Events::EventType, 64))
                .col(timestamp_with_time_zone(Events::OccurredAt))
                .col(string_len(Events::ResourceType, 32))
                .col(uuid(Events::ResourceId))
                .col(json_binary(Events::Payload))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(EventCounter::Table)
                .col(integer(EventCounter::Id).primary_key())
                .col(big_integer(EventCounter::Last))
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table(EventCounter::Table)
                .columns([EventCounter::Id, EventCounter::Last])
                .values_panic([1.into(), 0i64.into()])
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
