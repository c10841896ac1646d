//! Importing units, upserted by code. A lab may name as its discipline a unit of the same file.

use domain::{AuditAction, DomainEvent};
use std::collections::{HashMap, HashSet};

use domain::import::{ImportKind, Parsed, RowError, UnitField as F, UnitRow};
use domain::policy::{self, Visibility};
use domain::reference::{Unit, UnitKind};
use sea_orm::{ConnectionTrait, DatabaseTransaction, EntityTrait, Value};
use uuid::Uuid;

use super::{Change, Colleges, Importer, Plan, college_problem};
use crate::Result;
use crate::entities::unit;
use crate::enums::DbUnitKind;
use crate::events::{self, NewEvent};
use crate::query::{Upsert, bulk_insert, constraint};
use crate::reference::units;

/// The unit import.
pub(super) struct Units;

impl Importer for Units {
    type Row = UnitRow;
    type Record = Unit;
    const AUDIT_ACTION: AuditAction = AuditAction::UnitImport;
    const KIND: ImportKind = ImportKind::Units;
    const LOCKS: &'static [(&'static str, &'static str)] = &[("units", "SHARE ROW EXCLUSIVE")];

    async fn plan<C: ConnectionTrait>(conn: &C, scope: Visibility, parsed: &Parsed<UnitRow>) -> Result<Plan<Unit>> {
        plan(conn, scope, parsed).await
    }

    async fn write(tx: &DatabaseTransaction, plan: &Plan<Unit>) -> Result<()> {
        write(tx, plan).await
    }

    fn key(u: &Unit) -> String {
        u.code.clone()
    }
}

async fn plan<C: ConnectionTrait>(conn: &C, scope: Visibility, parsed: &Parsed<UnitRow>) -> Result<Plan<Unit>> {
    let mut plan = Plan::new(parsed.rows.len());
    if parsed.rows.is_empty() {
        return Ok(plan);
    }
    let colleges = Colleges::load(conn).await?;
    // Units are few (thousands at most): load them all, then overlay what the file makes of them.
    let stored: HashMap<String, Unit> =
        unit::Entity::find().all(conn).await?.into_iter().map(|m| (m.code.clone(), units::to_domain(m))).collect();
    let now = crate::now();
    let col = |f: F| parsed.column(f.index());

    // First pass: each row's unit as the file leaves it, except for its discipline.
    let mut after: Vec<(Option<Unit>, &UnitRow)> = Vec::with_capacity(parsed.rows.len());
    for row in &parsed.rows {
        let line = Some(row.line);
        let before = stored.get(row.code.as_str());
        let college = match college_problem(&colleges, scope, &row.college) {
            Ok(id) => Some(id),
            Err((code, message)) => {
                plan.errors.push(RowError::new(line, col(F::College), code, message));
                None
            }
        };
        if let Some(b) = before {
            if !policy::imports_into(scope, b.college_id) {
                plan.errors.push(RowError::new(
                    line,
                    col(F::Code),
                    "duplicate",
                    format!("{} is the code of a unit of another college; only that college can change it", b.code),
                ));
                after.push((None, row));
                continue;
            }
            if college.is_some_and(|c| c != b.college_id) {
                plan.errors.push(RowError::new(
                    line,
                    col(F::College),
                    "not_allowed",
                    format!(
                        "the unit {} belongs to {}; a unit's college never changes",
                        b.code,
                        colleges.name(b.college_id)
                    ),
                ));
            }
        }
        let unit = college.map(|college_id| {
            let mut u = before.cloned().unwrap_or(Unit {
                id: Uuid::now_v7(),
                code: row.code.as_str().to_owned(),
                name: String::new(),
                kind: row.kind,
                college_id,
                discipline_id: None,
                version: 1,
                created_at: now,
                updated_at: now,
            });
            u.name = row.name.as_str().to_owned();
            u.kind = row.kind;
            u
        });
        after.push((unit, row));
    }

    // Every unit as it will be: the stored ones with the file's laid over them.
    let mut final_by_code: HashMap<&str, &Unit> = stored.iter().map(|(c, u)| (c.as_str(), u)).collect();
    for (u, _) in &after {
        if let Some(u) = u {
            final_by_code.insert(u.code.as_str(), u);
        }
    }
    let final_by_id: HashMap<Uuid, &Unit> = final_by_code.values().map(|u| (u.id, *u)).collect();

    // Second pass: disciplines, checked against the units as they will be.
    let mut resolved: Vec<(Option<Unit>, &UnitRow)> = Vec::with_capacity(after.len());
    for (u, row) in &after {
        let Some(u) = u else {
            resolved.push((None, row));
            continue;
        };
        let line = Some(row.line);
        let mut u = u.clone();
        let mut bad = false;
        match &row.discipline {
            None => {}
            Some(None) => u.discipline_id = None,
            Some(Some(code)) => match final_by_code.get(code.as_str()) {
                Some(d) => u.discipline_id = Some(d.id),
                None => {
                    plan.errors.push(RowError::new(
                        line,
                        col(F::Discipline),
                        "invalid_reference",
                        format!("no unit has the code {code}"),
                    ));
                    bad = true;
                }
            },
        }
        if let Some(d) = u.discipline_id.and_then(|id| final_by_id.get(&id))
            && let Err(e) = Unit::check_discipline(u.kind, u.college_id, d)
        {
            let field = if matches!(row.discipline, Some(Some(_))) { F::Discipline } else { F::Kind };
            plan.errors.push(RowError::new(line, col(field), &e.code, format!("{}: {}", d.code, e.message)));
            bad = true;
        }
        resolved.push((if bad { None } else { Some(u) }, row));
    }

    // A unit that stored units (not in the file) name as their discipline must stay a discipline;
    // units of the file were checked against the new kinds above.
    let in_file: HashSet<Uuid> = resolved.iter().filter_map(|(u, _)| u.as_ref().map(|u| u.id)).collect();
    for (u, row) in &resolved {
        if let Some(u) = u
            && u.kind != UnitKind::Discipline
            && stored.values().any(|s| s.discipline_id == Some(u.id) && !in_file.contains(&s.id))
        {
            plan.errors.push(RowError::new(
                Some(row.line),
                col(F::Kind),
                "in_use",
                format!("other units belong to the discipline {}; it must stay a discipline", u.code),
            ));
        }
    }

    if !plan.errors.is_empty() {
        return Ok(plan);
    }
    for (u, _) in resolved {
        let Some(mut u) = u else { continue };
        match stored.get(&u.code) {
            Some(b) if *b == u => plan.unchanged += 1,
            Some(b) => {
                u.version = b.version + 1;
                u.updated_at = now;
                plan.changes.push(Change::Updated(b.clone(), u));
            }
            None => plan.changes.push(Change::Created(u)),
        }
    }
    Ok(plan)
}

/// The columns of a unit row, in the order of [`values`].
const COLUMNS: [unit::Column; 9] = {
    use unit::Column as C;
    [C::Id, C::Code, C::Name, C::Kind, C::CollegeId, C::DisciplineId, C::Version, C::CreatedAt, C::UpdatedAt]
};

fn values(u: &Unit) -> Vec<Value> {
    vec![
        u.id.into(),
        u.code.clone().into(),
        u.name.clone().into(),
        DbUnitKind::from(u.kind).into(),
        u.college_id.into(),
        u.discipline_id.into(),
        u.version.into(),
        u.created_at.into(),
        u.updated_at.into(),
    ]
}

async fn write(tx: &DatabaseTransaction, plan: &Plan<Unit>) -> Result<()> {
    use unit::Column as C;
    let refs = "a college or discipline the file names was deleted meanwhile";
    let duplicate = "a unit of the file exists already";
    // New units that others may name as their discipline go in first.
    let mut created: Vec<&Unit> = plan.created().collect();
    created.sort_by_key(|u| u.discipline_id.is_some());
    bulk_insert(tx, unit::Entity, &COLUMNS, None, created.into_iter().map(values))
        .await
        .map_err(|e| constraint(e, duplicate, refs))?;
    let upsert = Upsert { key: &[C::Code], update: &[C::Name, C::Kind, C::DisciplineId, C::Version, C::UpdatedAt] };
    bulk_insert(tx, unit::Entity, &COLUMNS, Some(upsert), plan.updated().map(values))
        .await
        .map_err(|e| constraint(e, duplicate, refs))?;
    let events = plan.changes.iter().map(|c| match c {
        Change::Created(u) => NewEvent::new(DomainEvent::UnitImported, "unit", u.id, u),
        Change::Updated(_, u) => NewEvent::new(DomainEvent::UnitUpdated, "unit", u.id, u),
    });
    events::emit_many(tx, events).await
}
