//! Mentors' public profiles (公示): one per appointment, what the mentor chooses to show in the
//! public directory; withdrawn when the appointment ends.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::cols::{created_at, fk, index, updated_at, version};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Appointments {
    Table,
}

#[derive(DeriveIden)]
enum MentorProfiles {
    Table,
    AppointmentId,
    ResearchDirection,
    Bio,
    Deeds,
    PublicContact,
    Published,
    PublishedAt,
    WithdrawnAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(MentorProfiles::Table)
                .col(uuid(MentorProfiles::AppointmentId).primary_key())
                .col(string_len_null(MentorProfiles::ResearchDirection, 100))
                .col(text_null(MentorProfiles::Bio))
                .col(json_binary(MentorProfiles::Deeds))
                .col(string_len_null(MentorProfiles::PublicContact, 200))
                .col(boolean(MentorProfiles::Published).default(false))
                .col(timestamp_with_time_zone_null(MentorProfiles::PublishedAt))
                .col(timestamp_with_time_zone_null(MentorProfiles::WithdrawnAt))
                .col(version())
                .col(created_at())
                .col(updated_at())
                .foreign_key(&mut fk(MentorProfiles::Table, MentorProfiles::AppointmentId, Appointments::Table))
                .to_owned(),
        )
        .await?;
        // The public directory reads the published ones.
        m.create_index(index(MentorProfiles::Table, "ix_mentor_profiles_published", &["published"])).await?;
        Ok(())
    }
}
