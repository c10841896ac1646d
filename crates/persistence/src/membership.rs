//! Membership of the mentors' club as the appointments make it: the appointments of some students
//! (or of everyone) and who left, read in two queries, judged by `domain::club::membership`. The
//! club's use cases, the essays and the activity registrations all ask here, so the rule has one
//! home.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::club::{MemberState, Term, membership};
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};
use uuid::Uuid;

use crate::Result;
use crate::entities::{appointment, club_departure};
use crate::query::find_by_ids;

/// A student's standing in the club.
#[derive(Debug, Clone, Default)]
pub(crate) struct Standing {
    /// Their membership: `None` when they are no member.
    pub state: Option<MemberState>,
    /// Their appointments, oldest first.
    pub appointments: Vec<appointment::Model>,
}

impl Standing {
    fn judge(appointments: Vec<appointment::Model>, left_at: Option<DateTime<Utc>>) -> Standing {
        let terms: Vec<Term> =
            appointments.iter().map(|a| Term { state: a.state.into(), appointed_at: a.created_at }).collect();
        Standing { state: membership(&terms, left_at), appointments }
    }

    /// The appointments as terms.
    pub fn terms(&self) -> Vec<Term> {
        self.appointments.iter().map(|a| Term { state: a.state.into(), appointed_at: a.created_at }).collect()
    }

    /// The latest appointment that counts as served (not dismissed): the college and unit a
    /// member is listed with.
    pub fn latest_served(&self) -> Option<&appointment::Model> {
        self.appointments.iter().rev().find(|a| domain::club::served(a.state.into()))
    }
}

fn group(appointments: Vec<appointment::Model>, departures: Vec<club_departure::Model>) -> HashMap<Uuid, Standing> {
    let left: HashMap<Uuid, DateTime<Utc>> = departures.into_iter().map(|d| (d.student_id, d.left_at)).collect();
    let mut by_student: HashMap<Uuid, Vec<appointment::Model>> = HashMap::new();
    for a in appointments {
        by_student.entry(a.student_id).or_default().push(a);
    }
    by_student
        .into_iter()
        .map(|(student, mut list)| {
            list.sort_by_key(|a| (a.created_at, a.id));
            (student, Standing::judge(list, left.get(&student).copied()))
        })
        .collect()
}

/// The standing of each of `students` (those never appointed are absent from the map).
pub(crate) async fn of_students<C: ConnectionTrait>(
    conn: &C,
    students: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, Standing>> {
    let ids: Vec<Uuid> = students.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let appointments = find_by_ids::<appointment::Entity, _>(conn, appointment::Column::StudentId, ids.clone()).await?;
    let departures = find_by_ids::<club_departure::Entity, _>(conn, club_departure::Column::StudentId, ids).await?;
    Ok(group(appointments, departures))
}

/// The standing of one student.
pub(crate) async fn of_student<C: ConnectionTrait>(conn: &C, student: Uuid) -> Result<Standing> {
    Ok(of_students(conn, [student]).await?.remove(&student).unwrap_or_default())
}

/// The standing of every student who was ever appointed.
pub(crate) async fn everyone<C: ConnectionTrait>(conn: &C) -> Result<HashMap<Uuid, Standing>> {
    let appointments = appointment::Entity::find().order_by_asc(appointment::Column::CreatedAt).all(conn).await?;
    let departures = club_departure::Entity::find().all(conn).await?;
    Ok(group(appointments, departures))
}
