//! Help requests (issue 13, 三(一)1): a student asks their own mentor for help; the mentor answers
//! with a note or records it in the work-record book, which then links the request it came from.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::cols::{created_at, fk, id, index, updated_at, version};

#[derive(DeriveMigrationName)]
pub struct Migration;

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
enum WorkRecords {
    Table,
    HelpRequestId,
}

#[derive(DeriveIden)]
enum HelpRequests {
    Table,
    StudentId,
    AppointmentId,
    MentorId,
    CollegeId,
    Topic,
    Message,
    Channel,
    State,
    AnswerNote,
    AnsweredAt,
    AnsweredBy,
    ClosedAt,
    ClosedBy,
    WorkRecordId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(HelpRequests::Table)
                .col(id())
                .col(uuid(HelpRequests::StudentId))
                .col(uuid(HelpRequests::AppointmentId))
                .col(uuid(HelpRequests::MentorId))
                .col(uuid(HelpRequests::CollegeId))
                .col(string_len(HelpRequests::Topic, 32))
                .col(text(HelpRequests::Message))
                .col(string_len_null(HelpRequests::Channel, 32))
                .col(string_len(HelpRequests::State, 32))
                .col(text_null(HelpRequests::AnswerNote))
                .col(timestamp_with_time_zone_null(HelpRequests::AnsweredAt))
                .col(uuid_null(HelpRequests::AnsweredBy))
                .col(timestamp_with_time_zone_null(HelpRequests::ClosedAt))
                .col(uuid_null(HelpRequests::ClosedBy))
                .col(uuid_null(HelpRequests::WorkRecordId))
                .col(version())
                .col(created_at())
                .col(updated_at())
                // Answered (with a note, an entry or both) or closed, never both; open is neither.
                .check(Expr::cust(
                    "(state = 'open' AND answered_at IS NULL AND closed_at IS NULL AND work_record_id IS NULL) \
                     OR (state = 'answered' AND answered_at IS NOT NULL AND closed_at IS NULL \
                         AND (answer_note IS NOT NULL OR work_record_id IS NOT NULL)) \
                     OR (state = 'closed' AND closed_at IS NOT NULL AND answered_at IS NULL)",
                ))
                .foreign_key(&mut fk(HelpRequests::Table, HelpRequests::StudentId, Students::Table))
                .foreign_key(&mut fk(HelpRequests::Table, HelpRequests::AppointmentId, Appointments::Table))
                .foreign_key(&mut fk(HelpRequests::Table, HelpRequests::MentorId, Students::Table))
                .foreign_key(&mut fk(HelpRequests::Table, HelpRequests::CollegeId, Colleges::Table))
                .foreign_key(&mut fk(HelpRequests::Table, HelpRequests::AnsweredBy, Users::Table))
                .foreign_key(&mut fk(HelpRequests::Table, HelpRequests::ClosedBy, Users::Table))
                .foreign_key(&mut fk(HelpRequests::Table, HelpRequests::WorkRecordId, WorkRecords::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(HelpRequests::Table, "ix_help_requests_student", &["student_id"])).await?;
        m.create_index(index(HelpRequests::Table, "ix_help_requests_mentor", &["mentor_id"])).await?;
        m.create_index(index(HelpRequests::Table, "ix_help_requests_appointment", &["appointment_id"])).await?;
        m.create_index(index(HelpRequests::Table, "ix_help_requests_college_state", &["college_id", "state"])).await?;
        // One entry per request, and one request per entry.
        m.create_index(
            Index::create()
                .name("ux_help_requests_work_record")
                .table(HelpRequests::Table)
                .col(HelpRequests::WorkRecordId)
                .unique()
                .to_owned(),
        )
        .await?;
        // SQLite cannot add a foreign key to an existing table, but it takes a column that
        // carries its own REFERENCES clause (its default being NULL); so does PostgreSQL.
        let col = uuid_null(WorkRecords::HelpRequestId)
            .extra("REFERENCES help_requests (id) ON DELETE RESTRICT ON UPDATE RESTRICT")
            .to_owned();
        m.alter_table(Table::alter().table(WorkRecords::Table).add_column(col).to_owned()).await?;
        m.create_index(
            Index::create()
                .name("ux_work_records_help_request")
                .table(WorkRecords::Table)
                .col(WorkRecords::HelpRequestId)
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
