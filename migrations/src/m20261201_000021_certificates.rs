//! Service certificates (学长工作证明, issue 15): one verification code per appointment, issued the
//! first time the certificate of a completed term is asked for and the same ever after, so a
//! printed certificate can be checked at `GET /public/certificates/{code}`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::cols::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Appointments {
    Table,
}

#[derive(DeriveIden)]
enum Certificates {
    Table,
    AppointmentId,
    Code,
    IssuedAt,
    IssuedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Certificates::Table)
                .col(pk_uuid(Certificates::AppointmentId))
                // Normalised (upper case, no separators): `domain::certificate::Code`.
                .col(string_len_uniq(Certificates::Code, 32))
                .col(timestamp_with_time_zone(Certificates::IssuedAt))
                .col(uuid_null(Certificates::IssuedBy))
                .foreign_key(&mut fk(Certificates::Table, Certificates::AppointmentId, Appointments::Table))
                .to_owned(),
        )
        .await
    }
}
