//! The work-record book (工作记录本, issue 13): a mentor's entries, the students each names, the
//! duties each serves, the notes appended after the edit window, and the academic year's window.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::cols::{created_at, fk, fk_cascade, id, index, updated_at, version};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AcademicYears {
    Table,
    RecordEditDays,
}

#[derive(DeriveIden)]
enum Appointments {
    Table,
}

#[derive(DeriveIden)]
enum Students {
    Table,
}

#[derive(DeriveIden)]
enum Colleges {
    Table,
}

#[derive(DeriveIden)]
enum Activities {
    Table,
}

#[derive(DeriveIden)]
enum WorkRecords {
    Table,
    AppointmentId,
    MentorId,
    CollegeId,
    Kind,
    Date,
    Month,
    Minutes,
    Channel,
    HeadCount,
    Summary,
    Reflections,
    ActivityId,
}

#[derive(DeriveIden)]
enum WorkRecordStudents {
    Table,
    WorkRecordId,
    StudentId,
}

#[derive(DeriveIden)]
enum WorkRecordDuties {
    Table,
    WorkRecordId,
    Duty,
}

#[derive(DeriveIden)]
enum WorkRecordNotes {
    Table,
    WorkRecordId,
    Text,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(AcademicYears::Table)
                .add_column(integer(AcademicYears::RecordEditDays).default(30))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(WorkRecords::Table)
                .col(id())
                .col(uuid(WorkRecords::AppointmentId))
                .col(uuid(WorkRecords::MentorId))
                .col(uuid(WorkRecords::CollegeId))
                .col(string_len(WorkRecords::Kind, 32))
                .col(date(WorkRecords::Date))
                // `YYYY-MM` of the date: the work summary groups by it on both databases alike.
                .col(string_len(WorkRecords::Month, 7))
                .col(integer(WorkRecords::Minutes))
                .col(string_len(WorkRecords::Channel, 32))
                .col(integer_null(WorkRecords::HeadCount))
                .col(text(WorkRecords::Summary))
                .col(text_null(WorkRecords::Reflections))
                .col(uuid_null(WorkRecords::ActivityId))
                .col(version())
                .col(created_at())
                .col(updated_at())
                .check(Expr::col(WorkRecords::Minutes).between(1, 1440))
                .check(
                    Expr::col(WorkRecords::HeadCount)
                        .is_null()
                        .or(Expr::col(WorkRecords::HeadCount).between(1, 10_000)),
                )
                .foreign_key(&mut fk(WorkRecords::Table, WorkRecords::AppointmentId, Appointments::Table))
                .foreign_key(&mut fk(WorkRecords::Table, WorkRecords::MentorId, Students::Table))
                .foreign_key(&mut fk(WorkRecords::Table, WorkRecords::CollegeId, Colleges::Table))
                .foreign_key(&mut fk(WorkRecords::Table, WorkRecords::ActivityId, Activities::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(WorkRecords::Table, "ix_work_records_appointment_date", &["appointment_id", "date"]))
            .await?;
        m.create_index(index(WorkRecords::Table, "ix_work_records_college_date", &["college_id", "date"])).await?;
        m.create_index(index(WorkRecords::Table, "ix_work_records_mentor", &["mentor_id"])).await?;
        m.create_table(
            Table::create()
                .table(WorkRecordStudents::Table)
                .col(uuid(WorkRecordStudents::WorkRecordId))
                .col(uuid(WorkRecordStudents::StudentId))
                .primary_key(Index::create().col(WorkRecordStudents::WorkRecordId).col(WorkRecordStudents::StudentId))
                .foreign_key(&mut fk_cascade(
                    WorkRecordStudents::Table,
                    WorkRecordStudents::WorkRecordId,
                    WorkRecords::Table,
                ))
                .foreign_key(&mut fk(WorkRecordStudents::Table, WorkRecordStudents::StudentId, Students::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(WorkRecordStudents::Table, "ix_work_record_students_student", &["student_id"])).await?;
        m.create_table(
            Table::create()
                .table(WorkRecordDuties::Table)
                .col(uuid(WorkRecordDuties::WorkRecordId))
                .col(string_len(WorkRecordDuties::Duty, 32))
                .primary_key(Index::create().col(WorkRecordDuties::WorkRecordId).col(WorkRecordDuties::Duty))
                .foreign_key(&mut fk_cascade(
                    WorkRecordDuties::Table,
                    WorkRecordDuties::WorkRecordId,
                    WorkRecords::Table,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(WorkRecordNotes::Table)
                .col(id())
                .col(uuid(WorkRecordNotes::WorkRecordId))
                .col(text(WorkRecordNotes::Text))
                .col(created_at())
                .foreign_key(&mut fk_cascade(WorkRecordNotes::Table, WorkRecordNotes::WorkRecordId, WorkRecords::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(WorkRecordNotes::Table, "ix_work_record_notes_record", &["work_record_id"])).await?;
        Ok(())
    }
}
