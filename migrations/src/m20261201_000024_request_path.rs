//! The request path (issue 18): indexes for the student list's filters and sorts, so that a page
//! of a college's students sorted by 学号 or name is read in index order instead of sorting the
//! college; and on PostgreSQL, change-feed numbers assigned at commit, so that writers no longer
//! queue on the counter row for the rest of their transaction.
//!
//! PostgreSQL: an event is written with a provisional negative `seq` (from the sequence
//! `events_pending_seq`, which takes no lock); a deferred constraint trigger numbers the
//! transaction's pending events from `event_counter` when it commits. The counter row's lock is
//! then held only from that trigger to the end of the commit, and the numbers still follow commit
//! order with no gaps (see `events.rs` for the argument). SQLite has one writer and keeps numbering
//! in the writing statement.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::cols::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Students {
    Table,
}

/// Numbers one pending event (negative `seq`) from the counter as its transaction commits. The
/// trigger fires once per pending row, in the order the rows were written, so a transaction's
/// events keep their order; each finds its row by its provisional number, which the sequence made
/// unique (a lookup of one key, however many rows the feed holds).
const NUMBER_AT_COMMIT: &str = r#"
CREATE SEQUENCE events_pending_seq;
CREATE FUNCTION events_number_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    next_seq bigint;
BEGIN
    UPDATE event_counter SET last = last + 1 WHERE id = 1 RETURNING last INTO next_seq;
    UPDATE events SET seq = next_seq WHERE seq = NEW.seq;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER events_number_at_commit AFTER INSERT ON events
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.seq < 0)
    EXECUTE FUNCTION events_number_at_commit();
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // The tie-break `id` is part of each index, so a page is read in the exact order asked.
        for (name, columns) in [
            ("idx_students_college_no", &["college_id", "student_no", "id"][..]),
            ("idx_students_college_name", &["college_id", "name", "id"][..]),
            ("idx_students_name", &["name", "id"][..]),
        ] {
            m.create_index(index(Students::Table, name, columns)).await?;
        }
        if m.get_database_backend() == DbBackend::Postgres {
            m.get_connection().execute_unprepared(NUMBER_AT_COMMIT).await?;
        }
        Ok(())
    }
}
