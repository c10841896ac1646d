//! Mentors' public profiles: read by those who see the appointment, written by the mentor (or
//! the college), withdrawn in the same transaction that ends the appointment.

use domain::AuditAction;
use domain::appointment::AppointmentAction;
use domain::auth::Principal;
use domain::policy;
use domain::profile::{MentorProfile, PrivateDetails, ProfileInput};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::entities::mentor_profile::{ActiveModel, Column, Entity, Model};
use crate::entities::student;
use crate::query::{check_version, not_found};
use crate::selection::appointments;
use crate::{Db, Result, audit};

const RESOURCE: &str = "appointment";

pub(crate) fn to_domain(m: Model) -> MentorProfile {
    MentorProfile {
        appointment_id: m.appointment_id,
        research_direction: m.research_direction,
        bio: m.bio,
        deeds: serde_json::from_value(m.deeds).unwrap_or_default(),
        public_contact: m.public_contact,
        published: m.published,
        published_at: m.published_at,
        withdrawn_at: m.withdrawn_at,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

fn to_active(p: &MentorProfile) -> ActiveModel {
    ActiveModel {
        appointment_id: Set(p.appointment_id),
        research_direction: Set(p.research_direction.clone()),
        bio: Set(p.bio.clone()),
        deeds: Set(serde_json::to_value(&p.deeds).unwrap_or_default()),
        public_contact: Set(p.public_contact.clone()),
        published: Set(p.published),
        published_at: Set(p.published_at),
        withdrawn_at: Set(p.withdrawn_at),
        version: Set(p.version),
        created_at: Set(p.created_at),
        updated_at: Set(p.updated_at),
    }
}

pub(crate) async fn load<C: ConnectionTrait>(conn: &C, appointment_id: Uuid, lock: bool) -> Result<MentorProfile> {
    let mut q = Entity::find_by_id(appointment_id);
    if lock {
        q = q.lock_exclusive();
    }
    Ok(q.one(conn).await?.map(to_domain).unwrap_or_else(|| MentorProfile::empty(appointment_id, crate::now())))
}

/// The profile of an appointment the caller may see (an empty, unpublished one with version 0
/// before anything was written).
pub async fn get(db: &Db, who: &Principal, appointment_id: Uuid) -> Result<MentorProfile> {
    appointments::get(db, who, appointment_id).await?;
    load(db.reader(), appointment_id, false).await
}

/// Writes the profile of a serving appointment (the mentor, or the college): the whole of it, as
/// `PUT` does. Private details are refused; publishing needs a research direction and a bio.
pub async fn put(
    db: &Db,
    who: &Principal,
    appointment_id: Uuid,
    input: ProfileInput,
    if_match: Option<i32>,
) -> Result<MentorProfile> {
    let tx = db.begin().await?;
    // The appointment is locked first, as everything that ends it does: a profile is never
    // published for an appointment that a concurrent dismissal has just ended.
    let a = appointments::lock_visible(&tx, who, appointment_id).await?;
    policy::edit_profile(who, a.student_id, a.college_id)?;
    a.state.apply(AppointmentAction::Record)?;
    let before = load(&tx, appointment_id, true).await?;
    check_version(if_match, before.version)?;
    let mentor = student::Entity::find_by_id(a.student_id).one(&tx).await?.ok_or_else(|| not_found("student"))?;
    let private = PrivateDetails { student_no: mentor.student_no, phone: mentor.phone, email: mentor.email };
    let after = before.edited(input, &private, crate::now())?;
    if after != before {
        if before.version == 0 {
            to_active(&after).insert(&tx).await?;
        } else {
            to_active(&after).update(&tx).await?;
        }
        let change = audit::updated(&before, &after);
        audit::record(&tx, who.actor(), AuditAction::AppointmentProfile, RESOURCE, Some(appointment_id), change)
            .await?;
    }
    tx.commit().await?;
    Ok(after)
}

/// Takes down the published profiles of `appointment_ids`, whose appointments the caller has
/// locked and is ending. Locks the profiles in appointment order.
pub(crate) async fn withdraw_all(tx: &DatabaseTransaction, who: &Principal, appointment_ids: &[Uuid]) -> Result<()> {
    if appointment_ids.is_empty() {
        return Ok(());
    }
    let now = crate::now();
    for chunk in appointment_ids.chunks(1_000) {
        let shown = Entity::find()
            .filter(Column::AppointmentId.is_in(chunk.iter().copied()))
            .filter(Column::Published.eq(true))
            .order_by_asc(Column::AppointmentId)
            .lock_exclusive()
            .all(tx)
            .await?;
        for before in shown.into_iter().map(to_domain) {
            let Some(after) = before.withdrawn(now) else { continue };
            to_active(&after).update(tx).await?;
            let change = audit::updated(&before, &after);
            audit::record(
                tx,
                who.actor(),
                AuditAction::AppointmentProfileWithdraw,
                RESOURCE,
                Some(after.appointment_id),
                change,
            )
            .await?;
        }
    }
    Ok(())
}
