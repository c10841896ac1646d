//! Inquiries to listed mentors (报考咨询, 学业咨询, 科研合作邀请) and the rate-limit windows that
//! every server process sharing the database counts sends in.

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
enum Users {
    Table,
}

#[derive(DeriveIden)]
enum Inquiries {
    Table,
    AppointmentId,
    CollegeId,
    Kind,
    State,
    SenderName,
    SenderEmail,
    SenderUserId,
    Subject,
    Message,
    Reply,
    RepliedAt,
    TokenHash,
}

#[derive(DeriveIden)]
enum RateWindows {
    Table,
    Key,
    StartedAt,
    Count,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Inquiries::Table)
                .col(id())
                .col(uuid(Inquiries::AppointmentId))
                .col(uuid(Inquiries::CollegeId))
                .col(string_len(Inquiries::Kind, 32))
                .col(string_len(Inquiries::State, 32))
                .col(string_len(Inquiries::SenderName, 50))
                .col(string_len_null(Inquiries::SenderEmail, 254))
                .col(uuid_null(Inquiries::SenderUserId))
                .col(string_len(Inquiries::Subject, 100))
                .col(text(Inquiries::Message))
                .col(text_null(Inquiries::Reply))
                .col(timestamp_with_time_zone_null(Inquiries::RepliedAt))
                // The SHA-256 of the sender's reading token, in hex; never the token itself.
                .col(string_len_null(Inquiries::TokenHash, 64).unique_key())
                .col(version())
                .col(created_at())
                .col(updated_at())
                .foreign_key(&mut fk(Inquiries::Table, Inquiries::AppointmentId, Appointments::Table))
                .foreign_key(&mut fk(Inquiries::Table, Inquiries::CollegeId, Colleges::Table))
                .foreign_key(&mut fk(Inquiries::Table, Inquiries::SenderUserId, Users::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(Inquiries::Table, "ix_inquiries_appointment_state", &["appointment_id", "state"])).await?;
        m.create_index(index(Inquiries::Table, "ix_inquiries_sender_user", &["sender_user_id"])).await?;
        m.create_index(index(Inquiries::Table, "ix_inquiries_college_state", &["college_id", "state"])).await?;
        m.create_table(
            Table::create()
                .table(RateWindows::Table)
                .col(string_len(RateWindows::Key, 100).primary_key())
                .col(timestamp_with_time_zone(RateWindows::StartedAt))
                .col(integer(RateWindows::Count))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
