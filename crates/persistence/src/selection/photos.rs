//! Mentors' photos for the directory: load, save and delete one appointment's photo, and take
//! down the photos of appointments that end. Only the use cases (`usecases::photos`,
//! `usecases::mentorship`) write through here.

use domain::AuditAction;
use domain::auth::Principal;
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::Serialize;
use uuid::Uuid;

use crate::entities::mentor_photo::{ActiveModel, Column, Entity, Model};
use crate::{Result, audit};

const RESOURCE: &str = "appointment";

/// What the audit log and the change feed say of a photo: its size and digest, never its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Trace {
    pub appointment_id: Uuid,
    pub sha256: String,
    pub width: i32,
    pub height: i32,
    pub byte_size: i32,
    pub source_format: String,
    pub version: i32,
}

pub(crate) fn trace(m: &Model) -> Trace {
    Trace {
        appointment_id: m.appointment_id,
        sha256: m.sha256.clone(),
        width: m.width,
        height: m.height,
        byte_size: m.byte_size,
        source_format: m.source_format.clone(),
        version: m.version,
    }
}

/// The photo of an appointment, if it has one; locked for the caller's transaction when `lock`.
pub(crate) async fn load<C: ConnectionTrait>(conn: &C, appointment_id: Uuid, lock: bool) -> Result<Option<Model>> {
    let mut q = Entity::find_by_id(appointment_id);
    if lock {
        q = q.lock_exclusive();
    }
    Ok(q.one(conn).await?)
}

/// Writes `after`: a new row when there was none (`existed` false), else over the old one.
pub(crate) async fn save(tx: &DatabaseTransaction, existed: bool, after: Model) -> Result<()> {
    let row = ActiveModel {
        appointment_id: Set(after.appointment_id),
        jpeg: Set(after.jpeg),
        sha256: Set(after.sha256),
        width: Set(after.width),
        height: Set(after.height),
        byte_size: Set(after.byte_size),
        source_format: Set(after.source_format),
        version: Set(after.version),
        created_at: Set(after.created_at),
        updated_at: Set(after.updated_at),
    };
    if existed {
        row.update(tx).await?;
    } else {
        row.insert(tx).await?;
    }
    Ok(())
}

/// Deletes the photo of an appointment.
pub(crate) async fn delete(tx: &DatabaseTransaction, appointment_id: Uuid) -> Result<()> {
    Entity::delete_by_id(appointment_id).exec(tx).await?;
    Ok(())
}

/// The digest of each photo among `appointment_ids` (for the directory's photo URLs).
pub(crate) async fn digests<C: ConnectionTrait>(
    conn: &C,
    appointment_ids: impl IntoIterator<Item = Uuid>,
) -> Result<Vec<(Uuid, String)>> {
    let ids: Vec<Uuid> = appointment_ids.into_iter().collect();
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(1_000) {
        let rows: Vec<(Uuid, String)> = Entity::find()
            .select_only()
            .column(Column::AppointmentId)
            .column(Column::Sha256)
            .filter(Column::AppointmentId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// Deletes the photos of `appointment_ids`, whose appointments the caller has locked and is
/// ending: a photo goes with the profile it illustrates, and an ended appointment never shows it
/// again. Audited; no feed event (the appointment's own event says it ended), so nothing here
/// takes the feed's counter before the caller has locked the rest.
pub(crate) async fn withdraw_all(tx: &DatabaseTransaction, who: &Principal, appointment_ids: &[Uuid]) -> Result<()> {
    for chunk in appointment_ids.chunks(1_000) {
        let shown = Entity::find()
            .select_only()
            .columns([
                Column::AppointmentId,
                Column::Sha256,
                Column::Width,
                Column::Height,
                Column::ByteSize,
                Column::SourceFormat,
                Column::Version,
            ])
            .filter(Column::AppointmentId.is_in(chunk.iter().copied()))
            .order_by_asc(Column::AppointmentId)
            .lock_exclusive()
            .into_tuple::<(Uuid, String, i32, i32, i32, String, i32)>()
            .all(tx)
            .await?;
        for (appointment_id, sha256, width, height, byte_size, source_format, version) in shown {
            let before = Trace { appointment_id, sha256, width, height, byte_size, source_format, version };
            Entity::delete_by_id(appointment_id).exec(tx).await?;
            audit::record(
                tx,
                who.actor(),
                AuditAction::AppointmentPhotoWithdraw,
                RESOURCE,
                Some(appointment_id),
                audit::deleted(&before),
            )
            .await?;
        }
    }
    Ok(())
}
