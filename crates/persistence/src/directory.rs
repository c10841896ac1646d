//! The mentor directory (公示): reads only. A mentor is listed while the appointment is active and
//! its profile is published; what is listed is built here from the profile and the names of the
//! appointment's college, unit and year — never from the rest of the student record.

use std::collections::HashMap;

use domain::auth::Principal;
use domain::directory::{DirectoryFilter, DirectoryUnit, ListedMentor, Named, OwnMentor, Search};
use domain::page::{Page, PageRequest, Sort, parse_sort};
use domain::policy;
use domain::profile::MentorProfile;
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Select};
use uuid::Uuid;

use crate::entities::mentor_profile::{self, Column, Entity};
use crate::entities::{academic_year, appointment, college, pairing, student, unit};
use crate::enums::{DbAppointmentState, DbPairingState};
use crate::query::{find_by_ids, not_found, page};
use crate::selection::{photos, profiles};
use crate::{Db, Result};

const RESOURCE: &str = "mentor";

/// How many hex digits of a photo's SHA-256 name its version in the photo URL.
const PHOTO_VERSION_LEN: usize = 16;

/// A listed mentor's photo, as served to the public.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicPhoto {
    /// The JPEG (always `image/jpeg`).
    pub jpeg: Vec<u8>,
    /// Its SHA-256, in hex.
    pub sha256: String,
}

/// The ids of active appointments, narrowed by the filter's college, unit, discipline and year.
fn active_appointments(f: &DirectoryFilter) -> SelectStatement {
    let mut q = Query::select();
    q.column(appointment::Column::Id)
        .from(appointment::Entity)
        .and_where(appointment::Column::State.eq(DbAppointmentState::Active));
    if let Some(c) = f.college_id {
        q.and_where(appointment::Column::CollegeId.eq(c));
    }
    if let Some(u) = f.unit_id {
        q.and_where(appointment::Column::UnitId.eq(u));
    }
    if let Some(y) = f.academic_year_id {
        q.and_where(appointment::Column::AcademicYearId.eq(y));
    }
    if let Some(d) = f.discipline_id {
        q.and_where(
            appointment::Column::UnitId.in_subquery(
                Query::select()
                    .column(unit::Column::Id)
                    .from(unit::Entity)
                    .cond_where(Condition::any().add(unit::Column::Id.eq(d)).add(unit::Column::DisciplineId.eq(d)))
                    .to_owned(),
            ),
        );
    }
    q.to_owned()
}

/// `lower(col) LIKE pattern ESCAPE '\'`: a substring match that works for Chinese on SQLite and
/// PostgreSQL alike (no word splitting involved).
fn like(col: impl sea_orm::sea_query::IntoColumnRef, pattern: &str) -> sea_orm::sea_query::SimpleExpr {
    Expr::expr(Func::lower(Expr::col(col))).like(LikeExpr::new(pattern).escape('\\'))
}

fn matching(q: &Search) -> Condition {
    let pattern = q.like_pattern();
    let named = Query::select()
        .column(appointment::Column::Id)
        .from(appointment::Entity)
        .and_where(
            appointment::Column::StudentId.in_subquery(
                Query::select()
                    .column(student::Column::Id)
                    .from(student::Entity)
                    .and_where(like((student::Entity, student::Column::Name), &pattern))
                    .to_owned(),
            ),
        )
        .to_owned();
    Condition::any()
        .add(like((Entity, Column::ResearchDirection), &pattern))
        .add(like((Entity, Column::Bio), &pattern))
        .add(Column::AppointmentId.in_subquery(named))
}

/// The published profiles of active appointments that `f` selects.
fn listed(f: &DirectoryFilter) -> Select<Entity> {
    let mut select = Entity::find()
        .filter(Column::Published.eq(true))
        .filter(Column::AppointmentId.in_subquery(active_appointments(f)));
    if let Some(q) = &f.q {
        select = select.filter(matching(q));
    }
    select
}

/// Builds the listed form of each (appointment, profile), in the given order.
async fn hydrate<C: ConnectionTrait>(
    conn: &C,
    rows: Vec<(appointment::Model, MentorProfile)>,
) -> Result<Vec<ListedMentor>> {
    let names: HashMap<Uuid, String> =
        find_by_ids::<student::Entity, _>(conn, student::Column::Id, rows.iter().map(|(a, _)| a.student_id))
            .await?
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect();
    let colleges: HashMap<Uuid, String> =
        find_by_ids::<college::Entity, _>(conn, college::Column::Id, rows.iter().map(|(a, _)| a.college_id))
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
    let years: HashMap<Uuid, String> = find_by_ids::<academic_year::Entity, _>(
        conn,
        academic_year::Column::Id,
        rows.iter().map(|(a, _)| a.academic_year_id),
    )
    .await?
    .into_iter()
    .map(|y| (y.id, y.code))
    .collect();
    let mut units: HashMap<Uuid, unit::Model> =
        find_by_ids::<unit::Entity, _>(conn, unit::Column::Id, rows.iter().map(|(a, _)| a.unit_id))
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect();
    // Only a published profile shows its photo (the public photo URL answers nothing else).
    let photo_versions: HashMap<Uuid, String> =
        photos::digests(conn, rows.iter().filter(|(_, p)| p.published).map(|(a, _)| a.id))
            .await?
            .into_iter()
            .map(|(id, sha)| (id, sha.chars().take(PHOTO_VERSION_LEN).collect()))
            .collect();
    let missing: Vec<Uuid> =
        units.values().filter_map(|u| u.discipline_id).filter(|d| !units.contains_key(d)).collect();
    for d in find_by_ids::<unit::Entity, _>(conn, unit::Column::Id, missing).await? {
        units.insert(d.id, d);
    }
    rows.into_iter()
        .map(|(a, p)| {
            let u = units.get(&a.unit_id).ok_or_else(|| not_found("unit"))?;
            let discipline_id = match u.kind {
                crate::enums::DbUnitKind::Discipline => Some(u.id),
                _ => u.discipline_id,
            };
            let discipline =
                discipline_id.and_then(|d| units.get(&d)).map(|d| Named { id: d.id, name: d.name.clone() });
            Ok(ListedMentor {
                appointment_id: a.id,
                name: names.get(&a.student_id).cloned().ok_or_else(|| not_found("student"))?,
                college: Named {
                    id: a.college_id,
                    name: colleges.get(&a.college_id).cloned().ok_or_else(|| not_found("college"))?,
                },
                unit: DirectoryUnit { id: u.id, name: u.name.clone(), kind: u.kind.into() },
                discipline,
                academic_year: Named {
                    id: a.academic_year_id,
                    name: years.get(&a.academic_year_id).cloned().ok_or_else(|| not_found("academic_year"))?,
                },
                research_direction: p.research_direction,
                bio: p.bio,
                deeds: p.deeds,
                public_contact: p.public_contact,
                photo_version: photo_versions.get(&a.id).cloned(),
                published_at: p.published_at,
                updated_at: p.updated_at,
            })
        })
        .collect()
}

async fn with_appointments<C: ConnectionTrait>(
    conn: &C,
    list: Vec<mentor_profile::Model>,
) -> Result<Vec<(appointment::Model, MentorProfile)>> {
    let mut appointments: HashMap<Uuid, appointment::Model> =
        find_by_ids::<appointment::Entity, _>(conn, appointment::Column::Id, list.iter().map(|p| p.appointment_id))
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
    list.into_iter()
        .map(|p| {
            let a = appointments.remove(&p.appointment_id).ok_or_else(|| not_found("appointment"))?;
            Ok((a, profiles::to_domain(p)))
        })
        .collect()
}

/// One page of the public directory. Sort keys: `published_at` (default), `updated_at`.
pub async fn list(
    db: &Db,
    filter: &DirectoryFilter,
    req: PageRequest,
    sort: Option<&str>,
) -> Result<Page<ListedMentor>> {
    let sort = parse_sort(
        sort,
        &[("published_at", Column::PublishedAt), ("updated_at", Column::UpdatedAt)],
        Sort { key: Column::PublishedAt, descending: false },
    )
    .map_err(|e| domain::Error::Validation(vec![e]))?;
    let conn = db.reader();
    let p = page(conn, listed(filter), req, sort, Column::AppointmentId).await?;
    let rows = with_appointments(conn, p.items).await?;
    let items = hydrate(conn, rows).await?;
    Ok(Page { items, total: p.total, page: p.page, page_size: p.page_size })
}

/// The directory for a signed-in user of the university: every college's listed mentors.
pub async fn list_for(
    db: &Db,
    who: &Principal,
    filter: &DirectoryFilter,
    req: PageRequest,
    sort: Option<&str>,
) -> Result<Page<ListedMentor>> {
    policy::browse_mentors(who)?;
    list(db, filter, req, sort).await
}

/// One listed mentor, by appointment id; `NotFound` when not listed (unpublished, ended, unknown).
pub async fn get(db: &Db, appointment_id: Uuid) -> Result<ListedMentor> {
    let conn = db.reader();
    let m = listed(&DirectoryFilter::default())
        .filter(Column::AppointmentId.eq(appointment_id))
        .one(conn)
        .await?
        .ok_or_else(|| not_found(RESOURCE))?;
    let rows = with_appointments(conn, vec![m]).await?;
    hydrate(conn, rows).await?.pop().ok_or_else(|| not_found(RESOURCE))
}

/// The caller's own mentor (the latest active pairing): the whole profile, published or not, and
/// the contact the mentor shares with mentees. `NotFound` when the caller has none.
pub async fn own_mentor(db: &Db, who: &Principal) -> Result<OwnMentor> {
    let student_id = policy::own_student(who)?;
    let conn = db.reader();
    let p = pairing::Entity::find()
        .filter(pairing::Column::MenteeId.eq(student_id))
        .filter(pairing::Column::State.eq(DbPairingState::Active))
        .order_by_desc(pairing::Column::CreatedAt)
        .one(conn)
        .await?
        .ok_or_else(|| not_found(RESOURCE))?;
    let a = appointment::Entity::find_by_id(p.appointment_id).one(conn).await?.ok_or_else(|| not_found(RESOURCE))?;
    let profile = profiles::load(conn, a.id, false).await?;
    let (published, contact) = (profile.published, a.contact_for_mentees.clone());
    let mentor = hydrate(conn, vec![(a, profile)]).await?.pop().ok_or_else(|| not_found(RESOURCE))?;
    Ok(OwnMentor { pairing_id: p.id, mentor, published, contact_for_mentees: contact })
}

/// The profile of an appointment as the directory shows it, published or not: what the mentor
/// (or the college, or the university) sees before publishing. Those who see the appointment but
/// may not edit its profile are refused (`Forbidden`); others do not learn it exists.
/// `photo_version` is set whenever there is a photo, which [`private_photo`] serves.
pub async fn preview(db: &Db, who: &Principal, appointment_id: Uuid) -> Result<ListedMentor> {
    let conn = db.reader();
    let a = editable_appointment(db, who, appointment_id).await?;
    let profile = profiles::load(conn, a.id, false).await?;
    let mut m = hydrate(conn, vec![(a, profile)]).await?.pop().ok_or_else(|| not_found(RESOURCE))?;
    m.photo_version = photos::digests(conn, [appointment_id])
        .await?
        .into_iter()
        .next()
        .map(|(_, sha)| sha.chars().take(PHOTO_VERSION_LEN).collect());
    Ok(m)
}

/// The photo of an appointment for those who may edit its profile, published or not (the
/// preview's `photo_url`); `NotFound` when there is none.
pub async fn private_photo(db: &Db, who: &Principal, appointment_id: Uuid) -> Result<PublicPhoto> {
    editable_appointment(db, who, appointment_id).await?;
    let p = photos::load(db.reader(), appointment_id, false).await?.ok_or_else(|| not_found("photo"))?;
    Ok(PublicPhoto { jpeg: p.jpeg, sha256: p.sha256 })
}

/// The appointment, when the caller sees it (else `NotFound`) and may edit its profile (else
/// `Forbidden`).
async fn editable_appointment(db: &Db, who: &Principal, appointment_id: Uuid) -> Result<appointment::Model> {
    let view = crate::selection::appointments::get(db, who, appointment_id).await?;
    policy::edit_profile(who, view.appointment.student_id, view.appointment.college_id)?;
    appointment::Entity::find_by_id(appointment_id).one(db.reader()).await?.ok_or_else(|| not_found("appointment"))
}

/// The photo of a listed mentor (active appointment, published profile); `NotFound` when the
/// mentor is not listed or has no photo.
pub async fn photo(db: &Db, appointment_id: Uuid) -> Result<PublicPhoto> {
    let conn = db.reader();
    listed(&DirectoryFilter::default())
        .filter(Column::AppointmentId.eq(appointment_id))
        .one(conn)
        .await?
        .ok_or_else(|| not_found("photo"))?;
    let p = photos::load(conn, appointment_id, false).await?.ok_or_else(|| not_found("photo"))?;
    Ok(PublicPhoto { jpeg: p.jpeg, sha256: p.sha256 })
}
