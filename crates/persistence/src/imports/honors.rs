//! Importing honours, upserted by (学号, title, date awarded); only the level can change.

use domain::{AuditAction, DomainEvent};
use std::collections::HashMap;

use chrono::NaiveDate;
use domain::import::{HonorField as F, HonorRow, ImportKind, Parsed, RowError};
use domain::policy::{self, Visibility};
use domain::reference::Student;
use domain::selection::Honor;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, Value};
use serde::Serialize;
use uuid::Uuid;

use super::students::by_number;
use super::{Change, Importer, KEYS_PER_QUERY, Plan};
use crate::Result;
use crate::entities::honor;
use crate::enums::DbHonorLevel;
use crate::events::{self, NewEvent};
use crate::query::{Upsert, bulk_insert, constraint};
use crate::selection::records::honor_from;

/// An honour with the 学号 of its student, as the feed and the audit log show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Imported {
    #[serde(flatten)]
    honor: Honor,
    student_no: String,
}

/// The honor import.
pub(super) struct Honors;

impl Importer for Honors {
    type Row = HonorRow;
    type Record = Imported;
    const AUDIT_ACTION: AuditAction = AuditAction::HonorImport;
    const KIND: ImportKind = ImportKind::Honors;
    // The students stay where they are (their college decides who may import for them).
    const LOCKS: &'static [(&'static str, &'static str)] = &[("students", "SHARE"), ("honors", "SHARE ROW EXCLUSIVE")];

    async fn plan<C: ConnectionTrait>(
        conn: &C,
        scope: Visibility,
        parsed: &Parsed<HonorRow>,
    ) -> Result<Plan<Imported>> {
        plan(conn, scope, parsed).await
    }

    async fn write(tx: &DatabaseTransaction, plan: &Plan<Imported>) -> Result<()> {
        write(tx, plan).await
    }

    fn key(h: &Imported) -> String {
        format!("{} / {} / {}", h.student_no, h.honor.title, h.honor.awarded_on)
    }
}

type Key = (Uuid, String, NaiveDate);

/// The stored honours of `students`, by key.
async fn honors_of<C: ConnectionTrait>(conn: &C, students: &[Uuid]) -> Result<HashMap<Key, Honor>> {
    let mut found = HashMap::new();
    for chunk in students.chunks(KEYS_PER_QUERY) {
        let rows =
            honor::Entity::find().filter(honor::Column::StudentId.is_in(chunk.iter().copied())).all(conn).await?;
        for m in rows {
            let h = honor_from(m);
            found.insert((h.student_id, h.title.clone(), h.awarded_on), h);
        }
    }
    Ok(found)
}

async fn plan<C: ConnectionTrait>(conn: &C, scope: Visibility, parsed: &Parsed<HonorRow>) -> Result<Plan<Imported>> {
    let mut plan = Plan::new(parsed.rows.len());
    if parsed.rows.is_empty() {
        return Ok(plan);
    }
    let mut numbers: Vec<String> = parsed.rows.iter().map(|r| r.student_no.as_str().to_owned()).collect();
    numbers.sort();
    numbers.dedup();
    let students: HashMap<String, Student> = by_number(conn, &numbers).await?;
    let ids: Vec<Uuid> = students.values().map(|s| s.id).collect();
    let existing = honors_of(conn, &ids).await?;
    let now = crate::now();
    let col = |f: F| parsed.column(f.index());

    for row in &parsed.rows {
        let line = Some(row.line);
        // A college admin learns nothing of another college's students: unknown is unknown.
        let Some(student) = students.get(row.student_no.as_str()).filter(|s| policy::imports_into(scope, s.college_id))
        else {
            plan.errors.push(RowError::new(
                line,
                col(F::StudentNo),
                "invalid_reference",
                format!("no student has the 学号 {}", row.student_no),
            ));
            continue;
        };
        if let Some(name) = &row.name
            && *name != student.name
        {
            plan.errors.push(RowError::new(
                line,
                col(F::Name),
                "mismatch",
                format!("the student with the 学号 {} is not named {name}", row.student_no),
            ));
            continue;
        }
        let key = (student.id, row.title.as_str().to_owned(), row.awarded_on);
        let imported = |honor: Honor| Imported { honor, student_no: student.student_no.clone() };
        match existing.get(&key) {
            Some(h) if h.level == row.level => plan.unchanged += 1,
            Some(h) => {
                let after = Honor { level: row.level, ..h.clone() };
                plan.changes.push(Change::Updated(imported(h.clone()), imported(after)));
            }
            None => plan.changes.push(Change::Created(imported(Honor {
                id: Uuid::now_v7(),
                student_id: student.id,
                title: key.1,
                level: row.level,
                awarded_on: row.awarded_on,
                created_at: now,
            }))),
        }
    }
    Ok(plan)
}

/// The columns of an honour row, in the order of [`values`].
const COLUMNS: [honor::Column; 6] = {
    use honor::Column as C;
    [C::Id, C::StudentId, C::Title, C::Level, C::AwardedOn, C::CreatedAt]
};

fn values(h: &Imported) -> Vec<Value> {
    let h = &h.honor;
    vec![
        h.id.into(),
        h.student_id.into(),
        h.title.clone().into(),
        DbHonorLevel::from(h.level).into(),
        h.awarded_on.into(),
        h.created_at.into(),
    ]
}

async fn write(tx: &DatabaseTransaction, plan: &Plan<Imported>) -> Result<()> {
    use honor::Column as C;
    let refs = "a student the file names was deleted meanwhile";
    let duplicate = "an honour of the file exists already";
    bulk_insert(tx, honor::Entity, &COLUMNS, None, plan.created().map(values))
        .await
        .map_err(|e| constraint(e, duplicate, refs))?;
    let upsert = Upsert { key: &[C::StudentId, C::Title, C::AwardedOn], update: &[C::Level] };
    bulk_insert(tx, honor::Entity, &COLUMNS, Some(upsert), plan.updated().map(values))
        .await
        .map_err(|e| constraint(e, duplicate, refs))?;
    let events = plan.changes.iter().map(|c| match c {
        Change::Created(h) => NewEvent::new(DomainEvent::HonorImported, "honor", h.honor.id, h),
        Change::Updated(_, h) => NewEvent::new(DomainEvent::HonorUpdated, "honor", h.honor.id, h),
    });
    events::emit_many(tx, events).await
}
