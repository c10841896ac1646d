//! Concerns and escalation (issue 13): the concern a mentor registers, the students it names,
//! the staff it was escalated to with their acknowledgements, and each academic year's overdue
//! limits.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::cols::{created_at, fk, fk_cascade, id, index, updated_at, version};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AcademicYears {
    Table,
    ConcernOverdueUrgentDays,
    ConcernOverdueNormalDays,
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
enum Staff {
    Table,
}

#[derive(DeriveIden)]
enum Users {
    Table,
}

#[derive(DeriveIden)]
enum Concerns {
    Table,
    AppointmentId,
    AcademicYearId,
    CollegeId,
    MentorId,
    Scope,
    Category,
    Urgency,
    State,
    Description,
    StudentId,
    AffectedCount,
    EscalatedAt,
    AcknowledgedAt,
    ResolvedAt,
    ResolvedBy,
    ResolutionNote,
}

#[derive(DeriveIden)]
enum ConcernStudents {
    Table,
    ConcernId,
    StudentId,
}

#[derive(DeriveIden)]
enum ConcernRecipients {
    Table,
    ConcernId,
    StaffId,
    Role,
    AcknowledgedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Existing years take the program's defaults: 2 days for urgent concerns, 7 for normal.
        for (col, default) in
            [(AcademicYears::ConcernOverdueUrgentDays, 2), (AcademicYears::ConcernOverdueNormalDays, 7)]
        {
            m.alter_table(
                Table::alter()
                    .table(AcademicYears::Table)
                    .add_column(integer(col).default(default).to_owned())
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table(Concerns::Table)
                .col(id())
                .col(uuid(Concerns::AppointmentId))
                .col(uuid(Concerns::AcademicYearId))
                .col(uuid(Concerns::CollegeId))
                .col(uuid(Concerns::MentorId))
                .col(string_len(Concerns::Scope, 32))
                .col(string_len(Concerns::Category, 32))
                .col(string_len(Concerns::Urgency, 32))
                .col(string_len(Concerns::State, 32))
                .col(text(Concerns::Description))
                .col(uuid_null(Concerns::StudentId))
                .col(integer_null(Concerns::AffectedCount))
                .col(timestamp_with_time_zone_null(Concerns::EscalatedAt))
                .col(timestamp_with_time_zone_null(Concerns::AcknowledgedAt))
                .col(timestamp_with_time_zone_null(Concerns::ResolvedAt))
                .col(uuid_null(Concerns::ResolvedBy))
                .col(text_null(Concerns::ResolutionNote))
                .col(version())
                .col(created_at())
                .col(updated_at())
                // An individual concern is about one student; a group one affects two or more.
                .check(Expr::cust(
                    "(scope = 'individual' AND student_id IS NOT NULL AND affected_count IS NULL) \
                     OR (scope = 'group' AND student_id IS NULL AND affected_count >= 2)",
                ))
                // Escalated once, acknowledged and resolved only after.
                .check(Expr::cust(
                    "(state = 'open' AND escalated_at IS NULL) \
                     OR (state = 'escalated' AND escalated_at IS NOT NULL AND acknowledged_at IS NULL) \
                     OR (state = 'acknowledged' AND acknowledged_at IS NOT NULL AND resolved_at IS NULL) \
                     OR (state = 'resolved' AND resolved_at IS NOT NULL AND resolution_note IS NOT NULL)",
                ))
                .foreign_key(&mut fk(Concerns::Table, Concerns::AppointmentId, Appointments::Table))
                .foreign_key(&mut fk(Concerns::Table, Concerns::AcademicYearId, AcademicYears::Table))
                .foreign_key(&mut fk(Concerns::Table, Concerns::CollegeId, Colleges::Table))
                .foreign_key(&mut fk(Concerns::Table, Concerns::MentorId, Students::Table))
                .foreign_key(&mut fk(Concerns::Table, Concerns::StudentId, Students::Table))
                .foreign_key(&mut fk(Concerns::Table, Concerns::ResolvedBy, Users::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(Concerns::Table, "ix_concerns_college_state", &["college_id", "state"])).await?;
        m.create_index(index(Concerns::Table, "ix_concerns_appointment", &["appointment_id"])).await?;
        m.create_index(index(Concerns::Table, "ix_concerns_mentor", &["mentor_id"])).await?;
        m.create_index(index(Concerns::Table, "ix_concerns_student", &["student_id"])).await?;
        m.create_table(
            Table::create()
                .table(ConcernStudents::Table)
                .col(uuid(ConcernStudents::ConcernId))
                .col(uuid(ConcernStudents::StudentId))
                .primary_key(Index::create().col(ConcernStudents::ConcernId).col(ConcernStudents::StudentId))
                .foreign_key(&mut fk_cascade(ConcernStudents::Table, ConcernStudents::ConcernId, Concerns::Table))
                .foreign_key(&mut fk(ConcernStudents::Table, ConcernStudents::StudentId, Students::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(ConcernStudents::Table, "ix_concern_students_student", &["student_id"])).await?;
        m.create_table(
            Table::create()
                .table(ConcernRecipients::Table)
                .col(uuid(ConcernRecipients::ConcernId))
                .col(uuid(ConcernRecipients::StaffId))
                .col(string_len(ConcernRecipients::Role, 32))
                .col(timestamp_with_time_zone_null(ConcernRecipients::AcknowledgedAt))
                .primary_key(Index::create().col(ConcernRecipients::ConcernId).col(ConcernRecipients::StaffId))
                .foreign_key(&mut fk_cascade(ConcernRecipients::Table, ConcernRecipients::ConcernId, Concerns::Table))
                .foreign_key(&mut fk(ConcernRecipients::Table, ConcernRecipients::StaffId, Staff::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(ConcernRecipients::Table, "ix_concern_recipients_staff", &["staff_id"])).await?;
        Ok(())
    }
}
