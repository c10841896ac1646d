//! Exports: every record a list would show the caller, with its filters, not paged, and with
//! references by natural key (college name, unit code, 工号) so that the file imports back.

use std::collections::{HashMap, HashSet};

use domain::auth::Principal;
use domain::import::{AppointmentRecord, PairingRecord, StaffRecord, StudentRecord, UnitRecord};
use domain::policy;
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};
use uuid::Uuid;

use crate::entities::{academic_year, appointment, college, pairing, staff as staff_entity, student, unit};
use crate::pairings::{self, PairingFilter};
use crate::reference::staff::{self, StaffFilter};
use crate::reference::students::{self, StudentFilter};
use crate::reference::units::{self, UnitFilter};
use crate::selection::appointments::{self, AppointmentFilter};
use crate::{Db, Result};

async fn college_names<C: ConnectionTrait>(conn: &C) -> Result<HashMap<Uuid, String>> {
    Ok(college::Entity::find().all(conn).await?.into_iter().map(|c| (c.id, c.name)).collect())
}

async fn unit_codes<C: ConnectionTrait>(conn: &C) -> Result<HashMap<Uuid, String>> {
    Ok(unit::Entity::find().all(conn).await?.into_iter().map(|u| (u.id, u.code)).collect())
}

async fn year_codes<C: ConnectionTrait>(conn: &C) -> Result<HashMap<Uuid, String>> {
    Ok(academic_year::Entity::find().all(conn).await?.into_iter().map(|y| (y.id, y.code)).collect())
}

async fn staff_numbers<C: ConnectionTrait>(conn: &C, ids: Vec<Uuid>) -> Result<HashMap<Uuid, String>> {
    let rows = crate::query::find_by_ids::<staff_entity::Entity, _>(conn, staff_entity::Column::Id, ids).await?;
    Ok(rows.into_iter().map(|s| (s.id, s.staff_no)).collect())
}

/// The students the caller may see that match `filter`, by 学号.
pub async fn students(db: &Db, who: &Principal, filter: StudentFilter) -> Result<Vec<StudentRecord>> {
    policy::export(who)?;
    let v = policy::student_visibility(who)?;
    let conn = db.reader();
    let rows =
        students::restrict(students::filtered(&filter), v).order_by_asc(student::Column::StudentNo).all(conn).await?;
    let colleges = college_names(conn).await?;
    let units = unit_codes(conn).await?;
    let supervisors = staff_numbers(
        conn,
        rows.iter()
            .flat_map(|s| [s.supervisor_id, s.counselor_id])
            .flatten()
            .collect::<HashSet<_>>()
            .into_iter()
            .collect(),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|m| {
            let s = students::to_domain(m);
            StudentRecord {
                college: colleges.get(&s.college_id).cloned().unwrap_or_default(),
                unit: s.unit_id.and_then(|u| units.get(&u).cloned()),
                supervisor: s.supervisor_id.and_then(|id| supervisors.get(&id).cloned()),
                counselor: s.counselor_id.and_then(|id| supervisors.get(&id).cloned()),
                student: s,
            }
        })
        .collect())
}

/// The staff the caller may see that match `filter`, by 工号.
pub async fn staff(db: &Db, who: &Principal, filter: StaffFilter) -> Result<Vec<StaffRecord>> {
    policy::export(who)?;
    let v = policy::staff_visibility(who)?;
    let conn = db.reader();
    let rows = staff::filtered(v, &filter).order_by_asc(staff_entity::Column::StaffNo).all(conn).await?;
    let colleges = college_names(conn).await?;
    Ok(rows
        .into_iter()
        .map(|m| {
            let s = staff::to_domain(m);
            StaffRecord { college: colleges.get(&s.college_id).cloned().unwrap_or_default(), staff: s }
        })
        .collect())
}

/// The units that match `filter`, by code.
pub async fn units(db: &Db, who: &Principal, filter: UnitFilter) -> Result<Vec<UnitRecord>> {
    policy::export(who)?;
    policy::read_reference(who)?;
    let conn = db.reader();
    let rows = units::filtered(&filter).order_by_asc(unit::Column::Code).all(conn).await?;
    let colleges = college_names(conn).await?;
    let codes = unit_codes(conn).await?;
    Ok(rows
        .into_iter()
        .map(|m| {
            let u = units::to_domain(m);
            UnitRecord {
                college: colleges.get(&u.college_id).cloned().unwrap_or_default(),
                discipline: u.discipline_id.and_then(|d| codes.get(&d).cloned()),
                unit: u,
            }
        })
        .collect())
}

/// The appointments the caller may see that match `filter`, oldest first.
pub async fn appointments(db: &Db, who: &Principal, filter: AppointmentFilter) -> Result<Vec<AppointmentRecord>> {
    policy::export(who)?;
    let v = policy::selection_visibility(who)?;
    let conn = db.reader();
    let rows = appointments::filtered(v, &filter)
        .order_by_asc(crate::entities::appointment::Column::CreatedAt)
        .order_by_asc(crate::entities::appointment::Column::Id)
        .all(conn)
        .await?;
    let colleges = college_names(conn).await?;
    let units = unit_codes(conn).await?;
    let years = year_codes(conn).await?;
    let mentors = crate::reference::students::by_id(conn, rows.iter().map(|a| a.student_id)).await?;
    Ok(rows
        .into_iter()
        .map(|m| {
            let a = appointments::to_domain(m);
            let (student_no, name) =
                mentors.get(&a.student_id).map(|s| (s.student_no.clone(), s.name.clone())).unwrap_or_default();
            AppointmentRecord {
                academic_year: years.get(&a.academic_year_id).cloned().unwrap_or_default(),
                student_no,
                name,
                college: colleges.get(&a.college_id).cloned().unwrap_or_default(),
                unit: units.get(&a.unit_id).cloned().unwrap_or_default(),
                appointment: a,
            }
        })
        .collect())
}

/// The pairings the caller may see that match `filter`, oldest first.
pub async fn pairings(db: &Db, who: &Principal, filter: PairingFilter) -> Result<Vec<PairingRecord>> {
    policy::export(who)?;
    let v = policy::pairing_visibility(who)?;
    let conn = db.reader();
    let rows = pairings::filtered(v, &filter)
        .order_by_asc(pairing::Column::CreatedAt)
        .order_by_asc(pairing::Column::Id)
        .all(conn)
        .await?;
    let colleges = college_names(conn).await?;
    let units = unit_codes(conn).await?;
    let years = year_codes(conn).await?;
    let people = crate::reference::students::by_id(conn, rows.iter().flat_map(|p| [p.mentor_id, p.mentee_id])).await?;
    let mentor_units: HashMap<Uuid, Uuid> = crate::query::find_by_ids::<appointment::Entity, _>(
        conn,
        appointment::Column::Id,
        rows.iter().map(|p| p.appointment_id),
    )
    .await?
    .into_iter()
    .map(|a| (a.id, a.unit_id))
    .collect();
    let person = |id: &Uuid| people.get(id).map(|s| (s.student_no.clone(), s.name.clone())).unwrap_or_default();
    Ok(rows
        .into_iter()
        .map(|m| {
            let p = pairings::to_domain(m);
            PairingRecord {
                academic_year: years.get(&p.academic_year_id).cloned().unwrap_or_default(),
                college: colleges.get(&p.college_id).cloned().unwrap_or_default(),
                mentor: person(&p.mentor_id),
                mentor_unit: mentor_units
                    .get(&p.appointment_id)
                    .and_then(|u| units.get(u))
                    .cloned()
                    .unwrap_or_default(),
                mentee: person(&p.mentee_id),
                mentee_unit: people.get(&p.mentee_id).and_then(|s| s.unit_id).and_then(|u| units.get(&u).cloned()),
                pairing: p,
            }
        })
        .collect())
}
