//! Staff: supervisors (导师) and counselors (辅导员).

use domain::auth::Principal;
use domain::page::{CursorPage, ListRequest};
use domain::policy::{self, Visibility};
use domain::reference::{NewStaff, Staff, StaffChanges};
use domain::{AuditAction, DomainEvent};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Select};
use uuid::Uuid;

use crate::entities::staff::{ActiveModel, Column, Entity, Model};
use crate::query::{
    Keyset, check_version, constraint, filter_eq, find, find_for_update, keyset_page, not_found, search,
};
use crate::{Db, Result, audit, events};

const RESOURCE: &str = "staff";

pub(crate) fn to_domain(m: Model) -> Staff {
    Staff {
        id: m.id,
        staff_no: m.staff_no,
        name: m.name,
        college_id: m.college_id,
        is_supervisor: m.is_supervisor,
        is_counselor: m.is_counselor,
        phone: m.phone,
        email: m.email,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

pub(crate) fn to_active(s: &Staff) -> ActiveModel {
    ActiveModel {
        id: Set(s.id),
        staff_no: Set(s.staff_no.clone()),
        name: Set(s.name.clone()),
        college_id: Set(s.college_id),
        is_supervisor: Set(s.is_supervisor),
        is_counselor: Set(s.is_counselor),
        phone: Set(s.phone.clone()),
        email: Set(s.email.clone()),
        version: Set(s.version),
        created_at: Set(s.created_at),
        updated_at: Set(s.updated_at),
    }
}

pub(crate) async fn check_college<C: ConnectionTrait>(conn: &C, college_id: Uuid) -> Result<()> {
    crate::entities::college::Entity::find_by_id(college_id)
        .one(conn)
        .await?
        .map(|_| ())
        .ok_or_else(|| domain::Error::invalid("college_id", "invalid_reference", "no such college").into())
}

fn duplicate(no: &str) -> String {
    format!("a staff member with the staff number {no} exists already")
}

/// A new staff record from a command.
pub(crate) fn from_new(new: NewStaff) -> Staff {
    let now = crate::now();
    Staff {
        id: Uuid::now_v7(),
        staff_no: new.staff_no.into_string(),
        name: new.name.into_string(),
        college_id: new.college_id,
        is_supervisor: new.is_supervisor,
        is_counselor: new.is_counselor,
        phone: new.phone.map(|p| p.into_string()),
        email: new.email.map(|e| e.into_string()),
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

/// Creates a staff member.
pub async fn create(db: &Db, who: &Principal, new: NewStaff) -> Result<Staff> {
    policy::manage_staff(who, new.college_id)?;
    let staff = from_new(new);
    let tx = db.begin().await?;
    check_college(&tx, staff.college_id).await?;
    to_active(&staff).insert(&tx).await.map_err(|e| constraint(e, &duplicate(&staff.staff_no), "no such college"))?;
    audit::record(&tx, who.actor(), AuditAction::StaffCreate, RESOURCE, Some(staff.id), audit::created(&staff)).await?;
    events::emit(&tx, DomainEvent::StaffCreated, RESOURCE, staff.id, &staff).await?;
    tx.commit().await?;
    Ok(staff)
}

/// One staff member, if the caller may see them.
pub async fn get(db: &Db, who: &Principal, id: Uuid) -> Result<Staff> {
    let v = policy::staff_visibility(who)?;
    let s = to_domain(find::<Entity, _>(db.reader(), id, RESOURCE).await?);
    if !policy::sees_staff(v, s.id, s.college_id) {
        return Err(not_found(RESOURCE));
    }
    Ok(s)
}

/// Filters of the staff list. Serialised, they are what a cursor is bound to.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct StaffFilter {
    /// Only this college.
    pub college_id: Option<Uuid>,
    /// Only supervisors (or non-supervisors).
    pub is_supervisor: Option<bool>,
    /// Only counselors (or non-counselors).
    pub is_counselor: Option<bool>,
    /// Substring of name or staff number.
    pub q: Option<String>,
}

/// Lists the staff the caller may see: by page or after a cursor, counted or not.
pub async fn list(
    db: &Db,
    who: &Principal,
    filter: StaffFilter,
    req: &ListRequest,
    sort: Option<&str>,
) -> Result<CursorPage<Staff>> {
    let v = policy::staff_visibility(who)?;
    let keys = Keyset {
        sorts: &[("staff_no", Column::StaffNo), ("name", Column::Name), ("created_at", Column::CreatedAt)],
        tiebreak: Column::Id,
    };
    Ok(keyset_page(db.reader(), filtered(v, &filter), req, sort, keys, &filter).await?.map(to_domain))
}

/// The staff `v` lets the caller see, with the list filters applied (the list and the export).
pub(crate) fn filtered(v: Visibility, filter: &StaffFilter) -> Select<Entity> {
    let mut select = Entity::find();
    select = match v {
        Visibility::All => select,
        Visibility::College(c) => select.filter(Column::CollegeId.eq(c)),
        Visibility::StaffSelf(s) => select.filter(Column::Id.eq(s)),
        Visibility::Supervisor(_) | Visibility::Student(_) => select.filter(Column::Id.is_null()),
    };
    select = filter_eq(select, Column::CollegeId, filter.college_id);
    select = filter_eq(select, Column::IsSupervisor, filter.is_supervisor);
    select = filter_eq(select, Column::IsCounselor, filter.is_counselor);
    search(select, &[Column::Name, Column::StaffNo], filter.q.as_deref())
}

/// Changes a staff member. Moving them to another college needs the right to manage both.
pub async fn update(db: &Db, who: &Principal, id: Uuid, changes: StaffChanges, if_match: Option<i32>) -> Result<Staff> {
    let v = policy::staff_visibility(who)?;
    let tx = db.begin().await?;
    let before = to_domain(find_for_update::<Entity, _>(&tx, id, RESOURCE).await?);
    if !policy::sees_staff(v, before.id, before.college_id) {
        return Err(not_found(RESOURCE));
    }
    policy::manage_staff(who, before.college_id)?;
    check_version(if_match, before.version)?;
    let mut after = before.with_changes(changes);
    policy::manage_staff(who, after.college_id)?;
    check_college(&tx, after.college_id).await?;
    // A supervisor's students must keep a supervisor of their own college: one who supervises
    // someone neither stops supervising nor moves to another college.
    let moved = before.college_id != after.college_id;
    if before.is_supervisor && (!after.is_supervisor || moved) {
        let supervised = crate::entities::student::Entity::find()
            .filter(crate::entities::student::Column::SupervisorId.eq(id))
            .one(&tx)
            .await?;
        if supervised.is_some() {
            let detail = if moved {
                "the staff member still supervises students of their college; give them another supervisor first"
            } else {
                "the staff member still supervises students"
            };
            return Err(domain::Error::in_use(detail).into());
        }
    }
    // Likewise a counselor's students keep a counselor of their own college.
    if before.is_counselor && (!after.is_counselor || moved) {
        let counselled = crate::entities::student::Entity::find()
            .filter(crate::entities::student::Column::CounselorId.eq(id))
            .one(&tx)
            .await?;
        if counselled.is_some() {
            let detail = if moved {
                "the staff member is still the counselor of students of their college; give them another counselor first"
            } else {
                "the staff member is still the counselor of students"
            };
            return Err(domain::Error::in_use(detail).into());
        }
    }
    after.version += 1;
    after.updated_at = crate::now();
    to_active(&after).update(&tx).await.map_err(|e| constraint(e, &duplicate(&after.staff_no), "-"))?;
    audit::record(&tx, who.actor(), AuditAction::StaffUpdate, RESOURCE, Some(id), audit::updated(&before, &after))
        .await?;
    events::emit(&tx, DomainEvent::StaffUpdated, RESOURCE, id, &after).await?;
    tx.commit().await?;
    Ok(after)
}

/// Deletes a staff member nothing refers to.
pub async fn delete(db: &Db, who: &Principal, id: Uuid, if_match: Option<i32>) -> Result<()> {
    let v = policy::staff_visibility(who)?;
    let tx = db.begin().await?;
    let before = to_domain(find_for_update::<Entity, _>(&tx, id, RESOURCE).await?);
    if !policy::sees_staff(v, before.id, before.college_id) {
        return Err(not_found(RESOURCE));
    }
    policy::manage_staff(who, before.college_id)?;
    check_version(if_match, before.version)?;
    Entity::delete_by_id(id)
        .exec(&tx)
        .await
        .map_err(|e| constraint(e, "-", "the staff member still supervises or counsels students, or has an account"))?;
    audit::record(&tx, who.actor(), AuditAction::StaffDelete, RESOURCE, Some(id), audit::deleted(&before)).await?;
    events::emit(&tx, DomainEvent::StaffDeleted, RESOURCE, id, &before).await?;
    tx.commit().await?;
    Ok(())
}
