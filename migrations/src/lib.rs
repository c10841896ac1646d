//! Schema migrations for xuezhang. Every migration runs on SQLite and PostgreSQL; types are
//! chosen from what both support (UUIDs, `timestamptz`, `jsonb` on PostgreSQL, text on SQLite).
//!
//! Migrations are forward-only (no `down`), and each runs in one transaction with the record of
//! it having run, on both databases (both have transactional DDL): one that fails leaves the
//! schema as it was. A new migration says so with `use_transaction() -> Some(true)` (a test
//! checks), and adds its fixture to the upgrade test (`tests/tests/api/upgrade.rs`).

pub use sea_orm_migration::prelude::*;

mod m20261126_000001_foundation;
mod m20261126_000002_selection;
mod m20261126_000003_pairing;
mod m20261126_000004_activities;
mod m20261126_000005_profiles;
mod m20261130_000006_work;
mod m20261130_000007_directory;
mod m20261130_000008_photos;
mod m20261130_000009_work_records;
mod m20261130_000010_concerns;
mod m20261130_000011_job_postings;
mod m20261201_000013_awards;
mod m20261201_000014_assessment;
mod m20261201_000015_help_requests;
mod m20261201_000020_credits;
mod m20261201_000021_certificates;
mod m20261201_000022_club_essays;
mod m20261201_000023_best_cases;
mod m20261201_000024_request_path;
mod m20261201_000025_report_indexes;
mod m20261201_000026_rate_window_index;
mod m20261201_000027_import_runs;
mod m20261201_000028_list_keyset_indexes;
mod m20261201_000029_freshmen_index;

/// Applies the migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_foundation::Migration),
            Box::new(m20261126_000002_selection::Migration),
            Box::new(m20261126_000003_pairing::Migration),
            Box::new(m20261126_000004_activities::Migration),
            Box::new(m20261126_000005_profiles::Migration),
            Box::new(m20261130_000006_work::Migration),
            Box::new(m20261130_000007_directory::Migration),
            Box::new(m20261130_000008_photos::Migration),
            Box::new(m20261130_000009_work_records::Migration),
            Box::new(m20261130_000010_concerns::Migration),
            Box::new(m20261130_000011_job_postings::Migration),
            Box::new(m20261201_000013_awards::Migration),
            Box::new(m20261201_000014_assessment::Migration),
            Box::new(m20261201_000015_help_requests::Migration),
            Box::new(m20261201_000020_credits::Migration),
            Box::new(m20261201_000021_certificates::Migration),
            Box::new(m20261201_000022_club_essays::Migration),
            Box::new(m20261201_000023_best_cases::Migration),
            Box::new(m20261201_000024_request_path::Migration),
            Box::new(m20261201_000025_report_indexes::Migration),
            Box::new(m20261201_000026_rate_window_index::Migration),
            Box::new(m20261201_000027_import_runs::Migration),
            Box::new(m20261201_000028_list_keyset_indexes::Migration),
            Box::new(m20261201_000029_freshmen_index::Migration),
        ]
    }
}

/// Shorthands shared by the migrations.
pub(crate) mod cols {
    use sea_orm_migration::prelude::*;
    use sea_orm_migration::schema;

    /// A UUID primary key.
    pub fn id() -> ColumnDef {
        schema::pk_uuid(Alias::new("id"))
    }

    /// The optimistic-concurrency version every mutable resource carries (its `ETag`).
    pub fn version() -> ColumnDef {
        schema::integer(Alias::new("version")).default(1).to_owned()
    }

    /// When the row was created.
    pub fn created_at() -> ColumnDef {
        schema::timestamp_with_time_zone(Alias::new("created_at"))
    }

    /// When the row last changed.
    pub fn updated_at() -> ColumnDef {
        schema::timestamp_with_time_zone(Alias::new("updated_at"))
    }

    /// A foreign key from `table.column` to `to.id`; deletes of the parent are refused.
    pub fn fk(
        table: impl IntoIden + 'static,
        column: impl IntoIden + 'static,
        to: impl IntoIden + 'static,
    ) -> ForeignKeyCreateStatement {
        ForeignKey::create()
            .from(table, column)
            .to(to, Alias::new("id"))
            .on_delete(ForeignKeyAction::Restrict)
            .on_update(ForeignKeyAction::Restrict)
            .to_owned()
    }

    /// A foreign key whose rows go with their parent.
    pub fn fk_cascade(
        table: impl IntoIden + 'static,
        column: impl IntoIden + 'static,
        to: impl IntoIden + 'static,
    ) -> ForeignKeyCreateStatement {
        ForeignKey::create()
            .from(table, column)
            .to(to, Alias::new("id"))
            .on_delete(ForeignKeyAction::Cascade)
            .on_update(ForeignKeyAction::Restrict)
            .to_owned()
    }

    /// A plain index on `columns` of `table`, named after them.
    pub fn index(table: impl IntoIden + 'static, name: &str, columns: &[&str]) -> IndexCreateStatement {
        let mut idx = Index::create();
        idx.name(name).table(table);
        for c in columns {
            idx.col(Alias::new(*c));
        }
        idx.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_migration_runs_in_a_transaction_on_both_databases() {
        for m in Migrator::migrations() {
            assert_eq!(m.use_transaction(), Some(true), "{} must run in a transaction", m.name());
        }
    }

    #[test]
    fn migrations_are_named_in_the_order_they_run() {
        let names: Vec<String> = Migrator::migrations().iter().map(|m| m.name().to_owned()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted, "a migration's name must sort after every earlier one's");
    }
}
