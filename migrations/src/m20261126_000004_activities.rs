//! Activities (issue 6): salons, research talks, competition guidance, club meetings…; their
//! host mentors, registrations with a waitlist and attendance, and feedback.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::cols::{created_at, fk, fk_cascade, id, index, updated_at, version};

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
enum Appointments {
    Table,
}

#[derive(DeriveIden)]
enum Users {
    Table,
}

#[derive(DeriveIden)]
enum Activities {
    Table,
    Kind,
    Title,
    Description,
    Topics,
    AcademicYearId,
    CollegeId,
    UnitId,
    OrganiserId,
    StartAt,
    EndAt,
    Venue,
    VenueKey,
    OnlineLink,
    Capacity,
    BudgetFen,
    State,
    PublishedAt,
    CancelledAt,
    CancelReason,
    HeldAt,
    Summary,
    ActualExpenseFen,
}

#[derive(DeriveIden)]
enum ActivityHosts {
    Table,
    ActivityId,
    AppointmentId,
    StudentId,
    Position,
}

#[derive(DeriveIden)]
enum ActivityRegistrations {
    Table,
    ActivityId,
    StudentId,
    State,
    Attended,
    RegisteredBy,
    PromotedAt,
    CancelledAt,
}

#[derive(DeriveIden)]
enum ActivityFeedback {
    Table,
    ActivityId,
    StudentId,
    Rating,
    Comment,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Activities::Table)
                .col(id())
                .col(string_len(Activities::Kind, 32))
                .col(string_len(Activities::Title, 200))
                .col(text_null(Activities::Description))
                .col(json_binary(Activities::Topics))
                .col(uuid(Activities::AcademicYearId))
                .col(uuid_null(Activities::CollegeId))
                .col(uuid_null(Activities::UnitId))
                .col(uuid_null(Activities::OrganiserId))
                .col(timestamp_with_time_zone(Activities::StartAt))
                .col(timestamp_with_time_zone(Activities::EndAt))
                .col(string_len_null(Activities::Venue, 200))
                // The venue as compared for double bookings (trimmed, collapsed, ASCII lower case).
                .col(string_len_null(Activities::VenueKey, 200))
                .col(string_len_null(Activities::OnlineLink, 500))
                .col(integer_null(Activities::Capacity))
                .col(big_integer_null(Activities::BudgetFen))
                .col(string_len(Activities::State, 32))
                .col(timestamp_with_time_zone_null(Activities::PublishedAt))
                .col(timestamp_with_time_zone_null(Activities::CancelledAt))
                .col(text_null(Activities::CancelReason))
                .col(timestamp_with_time_zone_null(Activities::HeldAt))
                .col(text_null(Activities::Summary))
                .col(big_integer_null(Activities::ActualExpenseFen))
                .col(version())
                .col(created_at())
                .col(updated_at())
                .check(Expr::col(Activities::Capacity).is_null().or(Expr::col(Activities::Capacity).gt(0)))
                .check(Expr::col(Activities::BudgetFen).is_null().or(Expr::col(Activities::BudgetFen).gte(0)))
                .check(
                    Expr::col(Activities::ActualExpenseFen)
                        .is_null()
                        .or(Expr::col(Activities::ActualExpenseFen).gte(0)),
                )
                .foreign_key(&mut fk(Activities::Table, Activities::AcademicYearId, AcademicYears::Table))
                .foreign_key(&mut fk(Activities::Table, Activities::CollegeId, Colleges::Table))
                .foreign_key(&mut fk(Activities::Table, Activities::UnitId, Units::Table))
                .foreign_key(&mut fk(Activities::Table, Activities::OrganiserId, Users::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(Activities::Table, "idx_activities_year_college", &["academic_year_id", "college_id"]))
            .await?;
        // What the compliance report asks: a college's activities of one kind and state, by date.
        m.create_index(index(Activities::Table, "idx_activities_college_kind_state", &["college_id", "kind", "state"]))
            .await?;
        m.create_index(index(Activities::Table, "idx_activities_start", &["start_at"])).await?;
        m.create_index(index(Activities::Table, "idx_activities_venue_key", &["venue_key", "start_at"])).await?;

        m.create_table(
            Table::create()
                .table(ActivityHosts::Table)
                .col(uuid(ActivityHosts::ActivityId))
                .col(uuid(ActivityHosts::AppointmentId))
                // The mentor, kept here so that a double booking is found by person in one query.
                .col(uuid(ActivityHosts::StudentId))
                .col(integer(ActivityHosts::Position))
                .primary_key(Index::create().col(ActivityHosts::ActivityId).col(ActivityHosts::AppointmentId))
                .foreign_key(&mut fk_cascade(ActivityHosts::Table, ActivityHosts::ActivityId, Activities::Table))
                .foreign_key(&mut fk(ActivityHosts::Table, ActivityHosts::AppointmentId, Appointments::Table))
                .foreign_key(&mut fk(ActivityHosts::Table, ActivityHosts::StudentId, Students::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(ActivityHosts::Table, "idx_activity_hosts_student", &["student_id"])).await?;
        m.create_index(index(ActivityHosts::Table, "idx_activity_hosts_appointment", &["appointment_id"])).await?;

        m.create_table(
            Table::create()
                .table(ActivityRegistrations::Table)
                .col(id())
                .col(uuid(ActivityRegistrations::ActivityId))
                .col(uuid(ActivityRegistrations::StudentId))
                .col(string_len(ActivityRegistrations::State, 32))
                .col(boolean(ActivityRegistrations::Attended).default(false))
                .col(uuid_null(ActivityRegistrations::RegisteredBy))
                .col(timestamp_with_time_zone_null(ActivityRegistrations::PromotedAt))
                .col(timestamp_with_time_zone_null(ActivityRegistrations::CancelledAt))
                .col(created_at())
                .col(updated_at())
                .foreign_key(&mut fk(
                    ActivityRegistrations::Table,
                    ActivityRegistrations::ActivityId,
                    Activities::Table,
                ))
                .foreign_key(&mut fk(ActivityRegistrations::Table, ActivityRegistrations::StudentId, Students::Table))
                .to_owned(),
        )
        .await?;
        // The waitlist is read in registration order.
        m.create_index(index(
            ActivityRegistrations::Table,
            "idx_activity_registrations_activity_state",
            &["activity_id", "state", "created_at"],
        ))
        .await?;
        m.create_index(index(ActivityRegistrations::Table, "idx_activity_registrations_student", &["student_id"]))
            .await?;
        // One live registration per student and activity, whatever the timing of concurrent requests.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_activity_registrations_live ON activity_registrations \
                 (activity_id, student_id) WHERE state <> 'cancelled'",
            )
            .await?;

        m.create_table(
            Table::create()
                .table(ActivityFeedback::Table)
                .col(id())
                .col(uuid(ActivityFeedback::ActivityId))
                .col(uuid(ActivityFeedback::StudentId))
                .col(integer(ActivityFeedback::Rating))
                .col(text_null(ActivityFeedback::Comment))
                .col(created_at())
                .check(Expr::col(ActivityFeedback::Rating).between(1, 5))
                .foreign_key(&mut fk(ActivityFeedback::Table, ActivityFeedback::ActivityId, Activities::Table))
                .foreign_key(&mut fk(ActivityFeedback::Table, ActivityFeedback::StudentId, Students::Table))
                .to_owned(),
        )
        .await?;
        // Feedback is given once.
        m.create_index(
            index(ActivityFeedback::Table, "uq_activity_feedback_student", &["activity_id", "student_id"])
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
