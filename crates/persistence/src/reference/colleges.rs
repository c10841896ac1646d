//! Colleges (学院、中心、所).

use domain::auth::Principal;
use domain::page::{Page, PageRequest, Sort, parse_sort};
use domain::policy;
use domain::reference::{College, CollegeChanges, NewCollege};
use domain::{AuditAction, DomainEvent};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, EntityTrait};
use uuid::Uuid;

use crate::entities::college::{ActiveModel, Column, Entity, Model};
use crate::query::{check_version, constraint, find, find_for_update, page, search};
use crate::{Db, Result, audit, events};

const RESOURCE: &str = "college";

pub(crate) fn to_domain(m: Model) -> College {
    College {
        id: m.id,
        code: m.code,
        name: m.name,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

fn to_active(c: &College) -> ActiveModel {
    ActiveModel {
        id: Set(c.id),
        code: Set(c.code.clone()),
        name: Set(c.name.clone()),
        version: Set(c.version),
        created_at: Set(c.created_at),
        updated_at: Set(c.updated_at),
    }
}

fn duplicate(code: &str, name: &str) -> String {
    format!("a college with the code {code} or the name {name} exists already")
}

/// Creates a college.
pub async fn create(db: &Db, who: &Principal, new: NewCollege) -> Result<College> {
    policy::manage_university_reference(who)?;
    let now = crate::now();
    let college = College {
        id: Uuid::now_v7(),
        code: new.code.into_string(),
        name: new.name.into_string(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let tx = db.begin().await?;
    to_active(&college).insert(&tx).await.map_err(|e| constraint(e, &duplicate(&college.code, &college.name), "-"))?;
    audit::record(&tx, who.actor(), AuditAction::CollegeCreate, RESOURCE, Some(college.id), audit::created(&college))
        .await?;
    events::emit(&tx, DomainEvent::CollegeCreated, RESOURCE, college.id, &college).await?;
    tx.commit().await?;
    Ok(college)
}

/// One college.
pub async fn get(db: &Db, who: &Principal, id: Uuid) -> Result<College> {
    policy::read_reference(who)?;
    Ok(to_domain(find::<Entity, _>(db.reader(), id, RESOURCE).await?))
}

/// Lists colleges, by code unless sorted otherwise; `q` searches code and name.
pub async fn list(
    db: &Db,
    who: &Principal,
    q: Option<&str>,
    req: PageRequest,
    sort: Option<&str>,
) -> Result<Page<College>> {
    policy::read_reference(who)?;
    let sort = parse_sort(
        sort,
        &[("code", Column::Code), ("name", Column::Name), ("created_at", Column::CreatedAt)],
        Sort { key: Column::Code, descending: false },
    )
    .map_err(|e| domain::Error::Validation(vec![e]))?;
    let select = search(Entity::find(), &[Column::Code, Column::Name], q);
    Ok(page(db.reader(), select, req, sort, Column::Id).await?.map(to_domain))
}

/// Changes a college's code or name.
pub async fn update(
    db: &Db,
    who: &Principal,
    id: Uuid,
    changes: CollegeChanges,
    if_match: Option<i32>,
) -> Result<College> {
    policy::manage_university_reference(who)?;
    let tx = db.begin().await?;
    let before = to_domain(find_for_update::<Entity, _>(&tx, id, RESOURCE).await?);
    check_version(if_match, before.version)?;
    let mut after = before.clone();
    if let Some(c) = changes.code {
        after.code = c.into_string();
    }
    if let Some(n) = changes.name {
        after.name = n.into_string();
    }
    after.version += 1;
    after.updated_at = crate::now();
    to_active(&after).update(&tx).await.map_err(|e| constraint(e, &duplicate(&after.code, &after.name), "-"))?;
    audit::record(&tx, who.actor(), AuditAction::CollegeUpdate, RESOURCE, Some(id), audit::updated(&before, &after))
        .await?;
    events::emit(&tx, DomainEvent::CollegeUpdated, RESOURCE, id, &after).await?;
    tx.commit().await?;
    Ok(after)
}

/// Deletes a college that has no units, staff, students or accounts.
pub async fn delete(db: &Db, who: &Principal, id: Uuid, if_match: Option<i32>) -> Result<()> {
    policy::manage_university_reference(who)?;
    let tx = db.begin().await?;
    let before = to_domain(find_for_update::<Entity, _>(&tx, id, RESOURCE).await?);
    check_version(if_match, before.version)?;
    Entity::delete_by_id(id)
        .exec(&tx)
        .await
        .map_err(|e| constraint(e, "-", "the college still has units, staff, students or accounts"))?;
    audit::record(&tx, who.actor(), AuditAction::CollegeDelete, RESOURCE, Some(id), audit::deleted(&before)).await?;
    events::emit(&tx, DomainEvent::CollegeDeleted, RESOURCE, id, &before).await?;
    tx.commit().await?;
    Ok(())
}
