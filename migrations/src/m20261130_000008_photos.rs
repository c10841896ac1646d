//! Mentor photos for the public directory, stored in the database beside the profile (`bytea` on
//! PostgreSQL, `blob` on SQLite): one re-encoded JPEG of at most 600 px per appointment, so a
//! backup of the database holds them and several server nodes serve the same bytes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::cols::{created_at, fk_cascade, updated_at, version};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Appointments {
    Table,
}

#[derive(DeriveIden)]
enum MentorPhotos {
    Table,
    AppointmentId,
    Jpeg,
    Sha256,
    Width,
    Height,
    ByteSize,
    SourceFormat,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(MentorPhotos::Table)
                .col(uuid(MentorPhotos::AppointmentId).primary_key())
                .col(blob(MentorPhotos::Jpeg))
                // The SHA-256 of the JPEG, in hex: the photo URL's version and its `ETag`.
                .col(string_len(MentorPhotos::Sha256, 64))
                .col(integer(MentorPhotos::Width))
                .col(integer(MentorPhotos::Height))
                .col(integer(MentorPhotos::ByteSize))
                // What was uploaded: `jpeg`, `png` or `webp` (what is stored is always a JPEG).
                .col(string_len(MentorPhotos::SourceFormat, 8))
                .col(version())
                .col(created_at())
                .col(updated_at())
                .foreign_key(&mut fk_cascade(MentorPhotos::Table, MentorPhotos::AppointmentId, Appointments::Table))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
