//! Mentors' photos for the public directory: upload (or replace) and remove, each one transaction
//! with its audit entry and change-feed event, which carry the photo's size and digest, never its
//! bytes. The photo arrives checked and re-encoded by `domain::photo::process`; reading it for the
//! public is `directory::photo`. The end of an appointment takes it down
//! (`usecases::mentorship`, through `selection::photos::withdraw_all`).

use chrono::{DateTime, Utc};
use domain::appointment::AppointmentAction;
use domain::auth::Principal;
use domain::photo::Photo;
use domain::policy;
use domain::{AuditAction, DomainEvent};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::entities::mentor_photo::Model;
use crate::query::not_found;
use crate::selection::appointments;
use crate::selection::photos::{self, trace};
use crate::{Db, Result, audit, events};

const RESOURCE: &str = "appointment";

/// A stored photo, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoInfo {
    /// The appointment.
    pub appointment_id: Uuid,
    /// The SHA-256 of the stored JPEG, in hex.
    pub sha256: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Size of the stored JPEG in bytes.
    pub byte_size: u32,
    /// The format uploaded: `jpeg`, `png` or `webp`.
    pub source_format: String,
    /// Version: 1 for the first photo, one more for each replacement.
    pub version: i32,
    /// When it was uploaded.
    pub updated_at: DateTime<Utc>,
}

fn info(m: &Model) -> PhotoInfo {
    PhotoInfo {
        appointment_id: m.appointment_id,
        sha256: m.sha256.clone(),
        width: u32::try_from(m.width).unwrap_or_default(),
        height: u32::try_from(m.height).unwrap_or_default(),
        byte_size: u32::try_from(m.byte_size).unwrap_or_default(),
        source_format: m.source_format.clone(),
        version: m.version,
        updated_at: m.updated_at,
    }
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether the caller may upload a photo for the appointment now, checked before the upload is
/// decoded, so that nobody who may not store a photo makes the server decode one. [`put`] checks
/// again under the appointment's lock.
pub async fn may_put(db: &Db, who: &Principal, appointment_id: Uuid) -> Result<()> {
    let a = appointments::get(db, who, appointment_id).await?.appointment;
    policy::edit_profile(who, a.student_id, a.college_id)?;
    a.state.apply(AppointmentAction::Record)?;
    Ok(())
}

/// Stores `photo` as the photo of a serving appointment (the mentor, or the admins of the college
/// or the university), replacing any earlier one. Others get what they get for the appointment's
/// profile: `NotFound` when they may not see it, `Forbidden` when they may see but not edit it.
pub async fn put(db: &Db, who: &Principal, appointment_id: Uuid, photo: Photo) -> Result<PhotoInfo> {
    let tx = db.begin().await?;
    // The appointment is locked first, as everything that ends it does: a photo is never stored
    // for an appointment that a concurrent dismissal has just ended.
    let a = appointments::lock_visible(&tx, who, appointment_id).await?;
    policy::edit_profile(who, a.student_id, a.college_id)?;
    a.state.apply(AppointmentAction::Record)?;
    let before = photos::load(&tx, appointment_id, true).await?;
    let now = db.clock().now();
    let size = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    let after = Model {
        appointment_id,
        sha256: hex_sha256(&photo.jpeg),
        width: size(photo.width),
        height: size(photo.height),
        byte_size: i32::try_from(photo.jpeg.len()).unwrap_or(i32::MAX),
        source_format: photo.source_format.to_owned(),
        version: before.as_ref().map_or(1, |b| b.version + 1),
        created_at: before.as_ref().map_or(now, |b| b.created_at),
        updated_at: now,
        jpeg: photo.jpeg,
    };
    let out = info(&after);
    let (old, new) = (before.as_ref().map(trace), trace(&after));
    photos::save(&tx, before.is_some(), after).await?;
    let change = match &old {
        Some(old) => audit::updated(old, &new),
        None => audit::created(&new),
    };
    audit::record(&tx, who.actor(), AuditAction::AppointmentPhoto, RESOURCE, Some(appointment_id), change).await?;
    events::emit(&tx, DomainEvent::AppointmentPhotoChanged, RESOURCE, appointment_id, &new).await?;
    tx.commit().await?;
    Ok(out)
}

/// Removes the photo of an appointment (the same people as [`put`]); `NotFound` when it has none.
pub async fn delete(db: &Db, who: &Principal, appointment_id: Uuid) -> Result<()> {
    let tx = db.begin().await?;
    let a = appointments::lock_visible(&tx, who, appointment_id).await?;
    policy::edit_profile(who, a.student_id, a.college_id)?;
    let before = photos::load(&tx, appointment_id, true).await?.ok_or_else(|| not_found("photo"))?;
    photos::delete(&tx, appointment_id).await?;
    let old = trace(&before);
    audit::record(
        &tx,
        who.actor(),
        AuditAction::AppointmentPhotoDelete,
        RESOURCE,
        Some(appointment_id),
        audit::deleted(&old),
    )
    .await?;
    events::emit(&tx, DomainEvent::AppointmentPhotoRemoved, RESOURCE, appointment_id, &old).await?;
    tx.commit().await?;
    Ok(())
}
