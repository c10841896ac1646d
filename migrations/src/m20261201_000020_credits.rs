//! Scholarship credit (社会工作认定, issue 15): the points an academic year's grades and awards
//! give, in tenths of a point. Existing years take the program's defaults: 2 points for
//! `excellent`, 1 for `competent`, 1 per award, no cap.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AcademicYears {
    Table,
    CreditExcellent,
    CreditCompetent,
    CreditPerAward,
    CreditCap,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one at a time.
        for (col, default) in [
            (AcademicYears::CreditExcellent, 20),
            (AcademicYears::CreditCompetent, 10),
            (AcademicYears::CreditPerAward, 10),
        ] {
            m.alter_table(
                Table::alter()
                    .table(AcademicYears::Table)
                    .add_column(integer(col).default(default).to_owned())
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter().table(AcademicYears::Table).add_column(integer_null(AcademicYears::CreditCap)).to_owned(),
        )
        .await?;
        Ok(())
    }
}
