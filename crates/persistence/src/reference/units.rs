//! Units: disciplines, laboratories, research groups, clinical departments, supervisor teams.

use domain::auth::Principal;
use domain::page::{Page, PageRequest, Sort, parse_sort};
use domain::policy;
use domain::reference::{NewUnit, Unit, UnitChanges, UnitKind};
use domain::{AuditAction, DomainEvent};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Select};
use uuid::Uuid;

use crate::entities::unit::{ActiveModel, Column, Entity, Model};
use crate::enums::DbUnitKind;
use crate::query::{check_version, constraint, filter_eq, find, find_for_update, page, search};
use crate::{Db, Result, audit, events};

const RESOURCE: &str = "unit";

pub(crate) fn to_domain(m: Model) -> Unit {
    Unit {
        id: m.id,
        code: m.code,
        name: m.name,
        kind: m.kind.into(),
        college_id: m.college_id,
        discipline_id: m.discipline_id,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

pub(crate) fn to_active(u: &Unit) -> ActiveModel {
    ActiveModel {
        id: Set(u.id),
        code: Set(u.code.clone()),
        name: Set(u.name.clone()),
        kind: Set(u.kind.into()),
        college_id: Set(u.college_id),
        discipline_id: Set(u.discipline_id),
        version: Set(u.version),
        created_at: Set(u.created_at),
        updated_at: Set(u.updated_at),
    }
}

/// Loads a unit named by a command's `field`, reporting a missing one as a bad reference.
pub(crate) async fn referenced<C: ConnectionTrait>(conn: &C, field: &str, id: Uuid) -> Result<Unit> {
    Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(to_domain)
        .ok_or_else(|| domain::Error::invalid(field, "invalid_reference", "no such unit").into())
}

async fn check_discipline<C: ConnectionTrait>(conn: &C, u: &Unit) -> Result<()> {
    if let Some(d) = u.discipline_id {
        if d == u.id {
            return Err(domain::Error::invalid(
                "discipline_id",
                "invalid_reference",
                "a unit cannot be its own discipline",
            )
            .into());
        }
        let discipline = referenced(conn, "discipline_id", d).await?;
        Unit::check_discipline(u.kind, u.college_id, &discipline).map_err(|e| domain::Error::Validation(vec![e]))?;
    }
    Ok(())
}

async fn college_exists<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<()> {
    crate::entities::college::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(|_| ())
        .ok_or_else(|| domain::Error::invalid("college_id", "invalid_reference", "no such college").into())
}

fn duplicate(code: &str) -> String {
    format!("a unit with the code {code} exists already")
}

/// Creates a unit.
pub async fn create(db: &Db, who: &Principal, new: NewUnit) -> Result<Unit> {
    policy::manage_unit(who, new.college_id)?;
    let now = crate::now();
    let unit = Unit {
        id: Uuid::now_v7(),
        code: new.code.into_string(),
        name: new.name.into_string(),
        kind: new.kind,
        college_id: new.college_id,
        discipline_id: new.discipline_id,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let tx = db.begin().await?;
    college_exists(&tx, unit.college_id).await?;
    check_discipline(&tx, &unit).await?;
    to_active(&unit).insert(&tx).await.map_err(|e| constraint(e, &duplicate(&unit.code), "no such college"))?;
    audit::record(&tx, who.actor(), AuditAction::UnitCreate, RESOURCE, Some(unit.id), audit::created(&unit)).await?;
    events::emit(&tx, DomainEvent::UnitCreated, RESOURCE, unit.id, &unit).await?;
    tx.commit().await?;
    Ok(unit)
}

/// One unit.
pub async fn get(db: &Db, who: &Principal, id: Uuid) -> Result<Unit> {
    policy::read_reference(who)?;
    Ok(to_domain(find::<Entity, _>(db.reader(), id, RESOURCE).await?))
}

/// Filters of the unit list.
#[derive(Debug, Clone, Default)]
pub struct UnitFilter {
    /// Only this college.
    pub college_id: Option<Uuid>,
    /// Only this kind.
    pub kind: Option<UnitKind>,
    /// Only the units of this discipline.
    pub discipline_id: Option<Uuid>,
    /// Substring of code or name.
    pub q: Option<String>,
}

/// Lists units.
pub async fn list(
    db: &Db,
    who: &Principal,
    filter: UnitFilter,
    req: PageRequest,
    sort: Option<&str>,
) -> Result<Page<Unit>> {
    policy::read_reference(who)?;
    let sort = parse_sort(
        sort,
        &[("code", Column::Code), ("name", Column::Name), ("created_at", Column::CreatedAt)],
        Sort { key: Column::Code, descending: false },
    )
    .map_err(|e| domain::Error::Validation(vec![e]))?;
    Ok(page(db.reader(), filtered(&filter), req, sort, Column::Id).await?.map(to_domain))
}

/// Units with the list filters applied (the list and the export).
pub(crate) fn filtered(filter: &UnitFilter) -> Select<Entity> {
    let mut select = Entity::find();
    select = filter_eq(select, Column::CollegeId, filter.college_id);
    select = filter_eq(select, Column::Kind, filter.kind.map(DbUnitKind::from));
    select = filter_eq(select, Column::DisciplineId, filter.discipline_id);
    search(select, &[Column::Code, Column::Name], filter.q.as_deref())
}

/// Changes a unit.
pub async fn update(db: &Db, who: &Principal, id: Uuid, changes: UnitChanges, if_match: Option<i32>) -> Result<Unit> {
    policy::read_reference(who)?;
    let tx = db.begin().await?;
    let before = to_domain(find_for_update::<Entity, _>(&tx, id, RESOURCE).await?);
    policy::manage_unit(who, before.college_id)?;
    check_version(if_match, before.version)?;
    let mut after = before.clone();
    if let Some(c) = changes.code {
        after.code = c.into_string();
    }
    if let Some(n) = changes.name {
        after.name = n.into_string();
    }
    if let Some(k) = changes.kind {
        after.kind = k;
    }
    if let Some(d) = changes.discipline_id {
        after.discipline_id = d;
    }
    check_discipline(&tx, &after).await?;
    after.version += 1;
    after.updated_at = crate::now();
    to_active(&after).update(&tx).await.map_err(|e| constraint(e, &duplicate(&after.code), "-"))?;
    audit::record(&tx, who.actor(), AuditAction::UnitUpdate, RESOURCE, Some(id), audit::updated(&before, &after))
        .await?;
    events::emit(&tx, DomainEvent::UnitUpdated, RESOURCE, id, &after).await?;
    tx.commit().await?;
    Ok(after)
}

/// Deletes a unit nothing refers to.
pub async fn delete(db: &Db, who: &Principal, id: Uuid, if_match: Option<i32>) -> Result<()> {
    policy::read_reference(who)?;
    let tx = db.begin().await?;
    let before = to_domain(find_for_update::<Entity, _>(&tx, id, RESOURCE).await?);
    policy::manage_unit(who, before.college_id)?;
    check_version(if_match, before.version)?;
    Entity::delete_by_id(id)
        .exec(&tx)
        .await
        .map_err(|e| constraint(e, "-", "the unit still has students or sub-units"))?;
    audit::record(&tx, who.actor(), AuditAction::UnitDelete, RESOURCE, Some(id), audit::deleted(&before)).await?;
    events::emit(&tx, DomainEvent::UnitDeleted, RESOURCE, id, &before).await?;
    tx.commit().await?;
    Ok(())
}
