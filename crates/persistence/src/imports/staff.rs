//! Importing staff, upserted by 工号.

use domain::{AuditAction, DomainEvent};
use std::collections::HashSet;

use domain::import::{ImportKind, Parsed, RowError, StaffField as F, StaffRow};
use domain::policy::{self, Visibility};
use domain::reference::{Staff, StaffChanges};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect, Value};
use uuid::Uuid;

use super::students::staff_by_number;
use super::{Change, Colleges, Importer, KEYS_PER_QUERY, Plan, college_problem};
use crate::Result;
use crate::entities::{staff as staff_entity, student};
use crate::events::{self, NewEvent};
use crate::query::{Upsert, bulk_insert, constraint};

/// The staff import.
pub(super) struct StaffMembers;

impl Importer for StaffMembers {
    type Row = StaffRow;
    type Record = Staff;
    const AUDIT_ACTION: AuditAction = AuditAction::StaffImport;
    const KIND: ImportKind = ImportKind::Staff;
    // Students are held still too: a supervisor who supervises someone must stay a supervisor.
    const LOCKS: &'static [(&'static str, &'static str)] = &[("staff", "SHARE ROW EXCLUSIVE"), ("students", "SHARE")];

    async fn plan<C: ConnectionTrait>(conn: &C, scope: Visibility, parsed: &Parsed<StaffRow>) -> Result<Plan<Staff>> {
        plan(conn, scope, parsed).await
    }

    async fn write(tx: &DatabaseTransaction, plan: &Plan<Staff>) -> Result<()> {
        write(tx, plan).await
    }

    fn key(s: &Staff) -> String {
        s.staff_no.clone()
    }
}

/// Of `ids`, the staff who supervise at least one student.
async fn supervising<C: ConnectionTrait>(conn: &C, ids: &[Uuid]) -> Result<HashSet<Uuid>> {
    let mut found = HashSet::new();
    for chunk in ids.chunks(KEYS_PER_QUERY) {
        let rows: Vec<Option<Uuid>> = student::Entity::find()
            .select_only()
            .column(student::Column::SupervisorId)
            .filter(student::Column::SupervisorId.is_in(chunk.iter().copied()))
            .group_by(Expr::col(student::Column::SupervisorId))
            .into_tuple()
            .all(conn)
            .await?;
        found.extend(rows.into_iter().flatten());
    }
    Ok(found)
}

async fn plan<C: ConnectionTrait>(conn: &C, scope: Visibility, parsed: &Parsed<StaffRow>) -> Result<Plan<Staff>> {
    let mut plan = Plan::new(parsed.rows.len());
    if parsed.rows.is_empty() {
        return Ok(plan);
    }
    let colleges = Colleges::load(conn).await?;
    let numbers: Vec<String> = parsed.rows.iter().map(|r| r.staff_no.as_str().to_owned()).collect();
    let existing = staff_by_number(conn, &numbers).await?;
    let demoted: Vec<Uuid> = parsed
        .rows
        .iter()
        .filter(|r| r.is_supervisor == Some(false))
        .filter_map(|r| existing.get(r.staff_no.as_str()))
        .filter(|s| s.is_supervisor)
        .map(|s| s.id)
        .collect();
    let busy = supervising(conn, &demoted).await?;
    let now = crate::now();
    let col = |f: F| parsed.column(f.index());

    for row in &parsed.rows {
        let line = Some(row.line);
        let mut errors: Vec<RowError> = Vec::new();
        let mut err = |f: F, code: &str, message: String| errors.push(RowError::new(line, col(f), code, message));
        let college = match college_problem(&colleges, scope, &row.college) {
            Ok(id) => Some(id),
            Err((code, message)) => {
                err(F::College, code, message);
                None
            }
        };
        let before = existing.get(row.staff_no.as_str());
        if let Some(b) = before {
            if !policy::imports_into(scope, b.college_id) {
                err(
                    F::StaffNo,
                    "duplicate",
                    format!(
                        "{} is the 工号 of a staff member of another college; only that college can change them",
                        b.staff_no
                    ),
                );
            }
            if row.is_supervisor == Some(false) && busy.contains(&b.id) {
                err(F::IsSupervisor, "in_use", format!("{} still supervises students", b.name));
            }
        }
        let (true, Some(college_id)) = (errors.is_empty(), college) else {
            plan.errors.append(&mut errors);
            continue;
        };
        let changes = StaffChanges {
            staff_no: None,
            name: Some(row.name.clone()),
            college_id: Some(college_id),
            is_supervisor: row.is_supervisor,
            is_counselor: row.is_counselor,
            phone: row.phone.clone(),
            email: row.email.clone(),
        };
        match before {
            Some(b) => {
                let mut after = b.with_changes(changes);
                if after == *b {
                    plan.unchanged += 1;
                } else {
                    after.version += 1;
                    after.updated_at = now;
                    plan.changes.push(Change::Updated(b.clone(), after));
                }
            }
            None => {
                let blank = Staff {
                    id: Uuid::now_v7(),
                    staff_no: row.staff_no.as_str().to_owned(),
                    name: String::new(),
                    college_id,
                    is_supervisor: false,
                    is_counselor: false,
                    phone: None,
                    email: None,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                };
                plan.changes.push(Change::Created(blank.with_changes(changes)));
            }
        }
    }
    Ok(plan)
}

/// The columns of a staff row, in the order of [`values`].
const COLUMNS: [staff_entity::Column; 11] = {
    use staff_entity::Column as C;
    [
        C::Id,
        C::StaffNo,
        C::Name,
        C::CollegeId,
        C::IsSupervisor,
        C::IsCounselor,
        C::Phone,
        C::Email,
        C::Version,
        C::CreatedAt,
        C::UpdatedAt,
    ]
};

fn values(s: &Staff) -> Vec<Value> {
    vec![
        s.id.into(),
        s.staff_no.clone().into(),
        s.name.clone().into(),
        s.college_id.into(),
        s.is_supervisor.into(),
        s.is_counselor.into(),
        s.phone.clone().into(),
        s.email.clone().into(),
        s.version.into(),
        s.created_at.into(),
        s.updated_at.into(),
    ]
}

async fn write(tx: &DatabaseTransaction, plan: &Plan<Staff>) -> Result<()> {
    use staff_entity::Column as C;
    let refs = "a college the file names was deleted meanwhile";
    let duplicate = "a staff member of the file exists already";
    bulk_insert(tx, staff_entity::Entity, &COLUMNS, None, plan.created().map(values))
        .await
        .map_err(|e| constraint(e, duplicate, refs))?;
    let upsert = Upsert {
        key: &[C::StaffNo],
        update: &[C::Name, C::CollegeId, C::IsSupervisor, C::IsCounselor, C::Phone, C::Email, C::Version, C::UpdatedAt],
    };
    bulk_insert(tx, staff_entity::Entity, &COLUMNS, Some(upsert), plan.updated().map(values))
        .await
        .map_err(|e| constraint(e, duplicate, refs))?;
    let events = plan.changes.iter().map(|c| match c {
        Change::Created(s) => NewEvent::new(DomainEvent::StaffImported, "staff", s.id, s),
        Change::Updated(_, s) => NewEvent::new(DomainEvent::StaffUpdated, "staff", s.id, s),
    });
    events::emit_many(tx, events).await
}
