//! Honours and disciplinary sanctions of students: the facts eligibility is judged on.

use chrono::NaiveDate;
use domain::auth::{Principal, Role};
use domain::policy;
use domain::selection::{Honor, HonorLevel, Sanction};
use domain::{AuditAction, DomainEvent};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::entities::{honor, sanction, student};
use crate::query::{constraint, not_found};
use crate::reference::students;
use crate::{Db, Result, audit, events};

pub(crate) fn honor_from(m: honor::Model) -> Honor {
    Honor {
        id: m.id,
        student_id: m.student_id,
        title: m.title,
        level: m.level.into(),
        awarded_on: m.awarded_on,
        created_at: m.created_at,
    }
}

pub(crate) fn sanction_from(m: sanction::Model) -> Sanction {
    Sanction {
        id: m.id,
        student_id: m.student_id,
        kind: m.kind,
        reason: m.reason,
        imposed_on: m.imposed_on,
        lifted_on: m.lifted_on,
        created_at: m.created_at,
    }
}

/// An honour with the 学号 of its student, as the change feed shows it (the same shape an
/// import's `honor.imported` has).
#[derive(serde::Serialize)]
struct HonorInFeed<'a> {
    #[serde(flatten)]
    honor: &'a Honor,
    student_no: &'a str,
}

/// Loads a student the caller may see, or `NotFound`.
pub(crate) async fn visible_student<C: ConnectionTrait>(
    conn: &C,
    who: &Principal,
    id: Uuid,
) -> Result<domain::reference::Student> {
    let v = policy::student_visibility(who)?;
    let s = student::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(students::to_domain)
        .ok_or_else(|| not_found("student"))?;
    if !policy::sees_student(v, s.id, s.college_id, s.supervisor_id) {
        return Err(not_found("student"));
    }
    Ok(s)
}

/// A new honour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHonor {
    /// Title, e.g. `优秀研究生`.
    pub title: String,
    /// Level.
    pub level: HonorLevel,
    /// When awarded.
    pub awarded_on: NaiveDate,
}

/// Records an honour of a student (university or the student's college admin).
pub async fn add_honor(db: &Db, who: &Principal, student_id: Uuid, new: NewHonor) -> Result<Honor> {
    let tx = db.begin().await?;
    let s = visible_student(&tx, who, student_id).await?;
    policy::manage_student(who, s.college_id)?;
    let h = Honor {
        id: Uuid::now_v7(),
        student_id,
        title: new.title,
        level: new.level,
        awarded_on: new.awarded_on,
        created_at: crate::now(),
    };
    honor::ActiveModel {
        id: Set(h.id),
        student_id: Set(h.student_id),
        title: Set(h.title.clone()),
        level: Set(h.level.into()),
        awarded_on: Set(h.awarded_on),
        created_at: Set(h.created_at),
    }
    .insert(&tx)
    .await
    .map_err(|e| constraint(e, "the student already has this honour for that date", "-"))?;
    audit::record(&tx, who.actor(), AuditAction::HonorCreate, "honor", Some(h.id), audit::created(&h)).await?;
    events::emit(&tx, DomainEvent::HonorCreated, "honor", h.id, &HonorInFeed { honor: &h, student_no: &s.student_no })
        .await?;
    tx.commit().await?;
    Ok(h)
}

/// The honours of a student the caller may see, newest first.
pub async fn honors(db: &Db, who: &Principal, student_id: Uuid) -> Result<Vec<Honor>> {
    visible_student(db.reader(), who, student_id).await?;
    honors_of(db.reader(), &[student_id]).await
}

pub(crate) async fn honors_of<C: ConnectionTrait>(conn: &C, student_ids: &[Uuid]) -> Result<Vec<Honor>> {
    Ok(honor::Entity::find()
        .filter(honor::Column::StudentId.is_in(student_ids.iter().copied()))
        .order_by_desc(honor::Column::AwardedOn)
        .all(conn)
        .await?
        .into_iter()
        .map(honor_from)
        .collect())
}

/// Removes an honour recorded by mistake.
pub async fn delete_honor(db: &Db, who: &Principal, student_id: Uuid, honor_id: Uuid) -> Result<()> {
    let tx = db.begin().await?;
    let s = visible_student(&tx, who, student_id).await?;
    policy::manage_student(who, s.college_id)?;
    let h = honor::Entity::find_by_id(honor_id)
        .one(&tx)
        .await?
        .filter(|h| h.student_id == student_id)
        .map(honor_from)
        .ok_or_else(|| not_found("honor"))?;
    honor::Entity::delete_by_id(honor_id).exec(&tx).await?;
    audit::record(&tx, who.actor(), AuditAction::HonorDelete, "honor", Some(honor_id), audit::deleted(&h)).await?;
    events::emit(
        &tx,
        DomainEvent::HonorDeleted,
        "honor",
        honor_id,
        &HonorInFeed { honor: &h, student_no: &s.student_no },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sanctions are confidential: only the university and the admins and counselors of the
/// student's college see them.
fn may_see_sanctions(who: &Principal, college_id: Uuid) -> Result<()> {
    match who {
        Principal::User(u) if u.role == Role::UniversityAdmin => Ok(()),
        Principal::User(u)
            if matches!(u.role, Role::CollegeAdmin | Role::Counselor) && u.college_id == Some(college_id) =>
        {
            Ok(())
        }
        _ => Err(domain::Error::Forbidden("only the college and the university see sanctions".into()).into()),
    }
}

/// A new sanction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSanction {
    /// What it is, e.g. `警告`.
    pub kind: String,
    /// Why.
    pub reason: String,
    /// When imposed.
    pub imposed_on: NaiveDate,
    /// When lifted, if already.
    pub lifted_on: Option<NaiveDate>,
}

/// Records a sanction (university or the student's college admin).
pub async fn add_sanction(db: &Db, who: &Principal, student_id: Uuid, new: NewSanction) -> Result<Sanction> {
    let tx = db.begin().await?;
    let st = visible_student(&tx, who, student_id).await?;
    policy::manage_student(who, st.college_id)?;
    if new.lifted_on.is_some_and(|l| l < new.imposed_on) {
        return Err(
            domain::Error::invalid("lifted_on", "out_of_range", "lifted_on must not be before imposed_on").into()
        );
    }
    let s = Sanction {
        id: Uuid::now_v7(),
        student_id,
        kind: new.kind,
        reason: new.reason,
        imposed_on: new.imposed_on,
        lifted_on: new.lifted_on,
        created_at: crate::now(),
    };
    to_active(&s).insert(&tx).await?;
    audit::record(&tx, who.actor(), AuditAction::SanctionCreate, "sanction", Some(s.id), audit::created(&s)).await?;
    tx.commit().await?;
    Ok(s)
}

fn to_active(s: &Sanction) -> sanction::ActiveModel {
    sanction::ActiveModel {
        id: Set(s.id),
        student_id: Set(s.student_id),
        kind: Set(s.kind.clone()),
        reason: Set(s.reason.clone()),
        imposed_on: Set(s.imposed_on),
        lifted_on: Set(s.lifted_on),
        created_at: Set(s.created_at),
    }
}

/// The sanctions of a student.
pub async fn sanctions(db: &Db, who: &Principal, student_id: Uuid) -> Result<Vec<Sanction>> {
    let s = visible_student(db.reader(), who, student_id).await?;
    may_see_sanctions(who, s.college_id)?;
    sanctions_of(db.reader(), &[student_id]).await
}

pub(crate) async fn sanctions_of<C: ConnectionTrait>(conn: &C, student_ids: &[Uuid]) -> Result<Vec<Sanction>> {
    Ok(sanction::Entity::find()
        .filter(sanction::Column::StudentId.is_in(student_ids.iter().copied()))
        .order_by_desc(sanction::Column::ImposedOn)
        .all(conn)
        .await?
        .into_iter()
        .map(sanction_from)
        .collect())
}

/// Lifts (解除) a sanction as of `lifted_on`.
pub async fn lift_sanction(
    db: &Db,
    who: &Principal,
    student_id: Uuid,
    sanction_id: Uuid,
    lifted_on: NaiveDate,
) -> Result<Sanction> {
    let tx = db.begin().await?;
    let st = visible_student(&tx, who, student_id).await?;
    policy::manage_student(who, st.college_id)?;
    let before = sanction::Entity::find_by_id(sanction_id)
        .one(&tx)
        .await?
        .filter(|s| s.student_id == student_id)
        .map(sanction_from)
        .ok_or_else(|| not_found("sanction"))?;
    if before.lifted_on.is_some() {
        return Err(domain::Error::InvalidTransition { from: "lifted".into(), action: "lift".into() }.into());
    }
    if lifted_on < before.imposed_on {
        return Err(
            domain::Error::invalid("lifted_on", "out_of_range", "lifted_on must not be before imposed_on").into()
        );
    }
    let after = Sanction { lifted_on: Some(lifted_on), ..before.clone() };
    to_active(&after).update(&tx).await?;
    audit::record(
        &tx,
        who.actor(),
        AuditAction::SanctionLift,
        "sanction",
        Some(sanction_id),
        audit::updated(&before, &after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
