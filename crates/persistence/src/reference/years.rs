//! Academic years with their policy and milestones.

use domain::auth::Principal;
use domain::page::{Page, PageRequest, Sort, parse_sort};
use domain::policy;
use domain::reference::{AcademicYear, AcademicYearChanges, NewAcademicYear, YearPolicy};
use domain::{AuditAction, DomainEvent};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::entities::academic_year::{ActiveModel, Column, Entity, Model};
use crate::query::{check_version, constraint, find, find_for_update, page};
use crate::{Db, Result, audit, events};

const RESOURCE: &str = "academic_year";

/// Locks a year for a change in the caller's transaction.
pub(crate) async fn lock(tx: &sea_orm::DatabaseTransaction, id: Uuid) -> Result<AcademicYear> {
    Ok(to_domain(find_for_update::<Entity, _>(tx, id, RESOURCE).await?))
}

/// The calendar year `year` starts in. A stored code that does not parse is a fault of the
/// stored data, reported as such, never taken as year 0.
pub(crate) fn first_year(year: &AcademicYear) -> Result<i32> {
    year.first_year()
        .map_err(|e| crate::Error::Internal(format!("academic year {} has a malformed code: {}", year.id, e.message)))
}

pub(crate) fn to_domain(m: Model) -> AcademicYear {
    AcademicYear {
        id: m.id,
        code: m.code,
        starts_on: m.starts_on,
        ends_on: m.ends_on,
        policy: YearPolicy {
            default_capacity: m.default_capacity,
            allow_probationary: m.allow_probationary,
            introduction_deadline: m.introduction_deadline,
            salon_deadline: m.salon_deadline,
            record_edit_days: m.record_edit_days,
            concern_overdue: domain::concern::OverdueLimits {
                urgent_days: m.concern_overdue_urgent_days,
                normal_days: m.concern_overdue_normal_days,
            },
            assessment_opens_on: m.assessment_opens_on,
            assessment_closes_on: m.assessment_closes_on,
            credit: domain::yearend::CreditPolicy {
                excellent: u32::try_from(m.credit_excellent).unwrap_or(0),
                competent: u32::try_from(m.credit_competent).unwrap_or(0),
                per_award: u32::try_from(m.credit_per_award).unwrap_or(0),
                cap: m.credit_cap.and_then(|c| u32::try_from(c).ok()),
            },
        },
        closed: m.closed,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

/// Tenths of a point as stored (checked to be at most 100 by the domain).
fn tenths(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

fn to_active(y: &AcademicYear) -> ActiveModel {
    ActiveModel {
        id: Set(y.id),
        code: Set(y.code.clone()),
        starts_on: Set(y.starts_on),
        ends_on: Set(y.ends_on),
        default_capacity: Set(y.policy.default_capacity),
        allow_probationary: Set(y.policy.allow_probationary),
        introduction_deadline: Set(y.policy.introduction_deadline),
        salon_deadline: Set(y.policy.salon_deadline),
        record_edit_days: Set(y.policy.record_edit_days),
        concern_overdue_urgent_days: Set(y.policy.concern_overdue.urgent_days),
        concern_overdue_normal_days: Set(y.policy.concern_overdue.normal_days),
        assessment_opens_on: Set(y.policy.assessment_opens_on),
        assessment_closes_on: Set(y.policy.assessment_closes_on),
        credit_excellent: Set(tenths(y.policy.credit.excellent)),
        credit_competent: Set(tenths(y.policy.credit.competent)),
        credit_per_award: Set(tenths(y.policy.credit.per_award)),
        credit_cap: Set(y.policy.credit.cap.map(tenths)),
        closed: Set(y.closed),
        version: Set(y.version),
        created_at: Set(y.created_at),
        updated_at: Set(y.updated_at),
    }
}

/// Writes a changed year inside the caller's transaction.
pub(crate) async fn save<C: sea_orm::ConnectionTrait>(conn: &C, y: &AcademicYear) -> Result<()> {
    to_active(y).update(conn).await?;
    Ok(())
}

/// Creates an academic year.
pub async fn create(db: &Db, who: &Principal, new: NewAcademicYear) -> Result<AcademicYear> {
    policy::manage_university_reference(who)?;
    let (starts_on, ends_on, policy) = new.resolve()?;
    let now = crate::now();
    let year = AcademicYear {
        id: Uuid::now_v7(),
        code: new.code.to_string(),
        starts_on,
        ends_on,
        policy,
        closed: false,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let tx = db.begin().await?;
    to_active(&year)
        .insert(&tx)
        .await
        .map_err(|e| constraint(e, &format!("the academic year {} exists already", year.code), "-"))?;
    audit::record(&tx, who.actor(), AuditAction::AcademicYearCreate, RESOURCE, Some(year.id), audit::created(&year))
        .await?;
    events::emit(&tx, DomainEvent::AcademicYearCreated, RESOURCE, year.id, &year).await?;
    tx.commit().await?;
    Ok(year)
}

/// One academic year.
pub async fn get(db: &Db, who: &Principal, id: Uuid) -> Result<AcademicYear> {
    policy::read_reference(who)?;
    Ok(to_domain(find::<Entity, _>(db.reader(), id, RESOURCE).await?))
}

/// One academic year by its code.
pub async fn by_code(db: &Db, who: &Principal, code: &str) -> Result<Option<AcademicYear>> {
    policy::read_reference(who)?;
    Ok(Entity::find().filter(Column::Code.eq(code)).one(db.reader()).await?.map(to_domain))
}

/// Lists academic years, newest first unless sorted otherwise.
pub async fn list(db: &Db, who: &Principal, req: PageRequest, sort: Option<&str>) -> Result<Page<AcademicYear>> {
    policy::read_reference(who)?;
    let sort = parse_sort(
        sort,
        &[("code", Column::Code), ("starts_on", Column::StartsOn), ("created_at", Column::CreatedAt)],
        Sort { key: Column::Code, descending: true },
    )
    .map_err(|e| domain::Error::Validation(vec![e]))?;
    Ok(page(db.reader(), Entity::find(), req, sort, Column::Id).await?.map(to_domain))
}

/// Changes an academic year's dates or policy.
pub async fn update(
    db: &Db,
    who: &Principal,
    id: Uuid,
    changes: AcademicYearChanges,
    if_match: Option<i32>,
) -> Result<AcademicYear> {
    policy::manage_university_reference(who)?;
    let tx = db.begin().await?;
    let before = to_domain(find_for_update::<Entity, _>(&tx, id, RESOURCE).await?);
    check_version(if_match, before.version)?;
    let mut after = before.with_changes(&changes)?;
    after.version += 1;
    after.updated_at = crate::now();
    to_active(&after).update(&tx).await?;
    audit::record(
        &tx,
        who.actor(),
        AuditAction::AcademicYearUpdate,
        RESOURCE,
        Some(id),
        audit::updated(&before, &after),
    )
    .await?;
    events::emit(&tx, DomainEvent::AcademicYearUpdated, RESOURCE, id, &after).await?;
    tx.commit().await?;
    Ok(after)
}

/// Deletes an academic year nothing refers to yet.
pub async fn delete(db: &Db, who: &Principal, id: Uuid, if_match: Option<i32>) -> Result<()> {
    policy::manage_university_reference(who)?;
    let tx = db.begin().await?;
    let before = to_domain(find_for_update::<Entity, _>(&tx, id, RESOURCE).await?);
    check_version(if_match, before.version)?;
    Entity::delete_by_id(id)
        .exec(&tx)
        .await
        .map_err(|e| constraint(e, "-", "the academic year is still referred to and cannot be deleted"))?;
    audit::record(&tx, who.actor(), AuditAction::AcademicYearDelete, RESOURCE, Some(id), audit::deleted(&before))
        .await?;
    events::emit(&tx, DomainEvent::AcademicYearDeleted, RESOURCE, id, &before).await?;
    tx.commit().await?;
    Ok(())
}
