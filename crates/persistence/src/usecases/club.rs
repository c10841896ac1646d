//! The mentors' club (学长俱乐部, 四.5): who is a member — derived from the appointments by
//! `domain::club::membership`, read through `crate::membership` — the list of members any
//! signed-in user reads (names, colleges, units, years served and awards; nothing private), and a
//! member leaving or rejoining, each one transaction with its audit record and change-feed event.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use domain::Error as DomainError;
use domain::auth::Principal;
use domain::club::{MemberState, check_leave, check_rejoin, may_list, own_student, served};
use domain::codes::{AuditAction, DomainEvent};
use domain::page::{Page, PageRequest, Sort, parse_sort};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

use crate::entities::{academic_year, award_nomination, award_round, club_departure, college, student, unit};
use crate::membership::{Standing, everyone, of_student};
use crate::query::find_by_ids;
use crate::{Db, Result, audit, events};

const RESOURCE: &str = "club_member";

/// An award a member won: the round's title and its academic year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberAward {
    /// The award round's title.
    pub title: String,
    /// Its academic year's code.
    pub academic_year: String,
}

/// A member as the list shows them: no 学号, phone, e-mail or political status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The member (a student id).
    pub student_id: Uuid,
    /// Name.
    pub name: String,
    /// The college of their latest appointment.
    pub college_id: Uuid,
    /// Its name.
    pub college_name: String,
    /// The unit of their latest appointment.
    pub unit_id: Uuid,
    /// Its name.
    pub unit_name: String,
    /// Active or alumni.
    pub state: MemberState,
    /// The day of their first appointment (Asia/Shanghai).
    pub since: NaiveDate,
    /// The academic years served (every appointment but a dismissed one), oldest first.
    pub years: Vec<String>,
    /// The award rounds won, oldest year first.
    pub awards: Vec<MemberAward>,
}

/// The filters of the list.
#[derive(Debug, Clone, Copy, Default)]
pub struct MemberFilter {
    /// Members listed with this college (their latest appointment's).
    pub college_id: Option<Uuid>,
    /// Members who served in this academic year.
    pub academic_year_id: Option<Uuid>,
    /// Only active members, or only alumni.
    pub state: Option<MemberState>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Name,
    Since,
}

/// What the feed and the audit log say of a membership change.
#[derive(Serialize)]
struct Trace {
    student_id: Uuid,
    state: Option<MemberState>,
}

/// The members of the club, by name by default (sort keys `name`, `since`), for any signed-in
/// user. Membership is judged from every appointment and departure (two queries); the names, years
/// and awards are read for the page only.
pub async fn list(
    db: &Db,
    who: &Principal,
    f: MemberFilter,
    req: PageRequest,
    sort: Option<&str>,
) -> Result<Page<Member>> {
    may_list(who)?;
    let sort =
        parse_sort(sort, &[("name", Key::Name), ("since", Key::Since)], Sort { key: Key::Name, descending: false })
            .map_err(|e| DomainError::Validation(vec![e]))?;
    let conn = db.reader();
    let standings = everyone(conn).await?;
    let mut members: Vec<(Uuid, Standing)> = standings
        .into_iter()
        .filter(|(_, s)| match (s.state, f.state) {
            (None, _) => false,
            (Some(have), Some(want)) => have == want,
            (Some(_), None) => true,
        })
        .filter(|(_, s)| f.college_id.is_none_or(|c| s.latest_served().is_some_and(|a| a.college_id == c)))
        .filter(|(_, s)| {
            f.academic_year_id
                .is_none_or(|y| s.appointments.iter().any(|a| a.academic_year_id == y && served(a.state.into())))
        })
        .collect();
    let names: HashMap<Uuid, String> =
        find_by_ids::<student::Entity, _>(conn, student::Column::Id, members.iter().map(|m| m.0))
            .await?
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect();
    let since = |s: &Standing| s.appointments.first().map(|a| a.created_at);
    members.sort_by(|(a_id, a), (b_id, b)| {
        let by = match sort.key {
            Key::Name => names.get(a_id).cmp(&names.get(b_id)),
            Key::Since => since(a).cmp(&since(b)),
        };
        let by = if sort.descending { by.reverse() } else { by };
        by.then(a_id.cmp(b_id))
    });
    let total = members.len() as u64;
    let page: Vec<(Uuid, Standing)> = members
        .into_iter()
        .skip(usize::try_from(req.offset()).unwrap_or(usize::MAX))
        .take(usize::try_from(req.page_size).unwrap_or(0))
        .collect();
    let items = lines(conn, page, &names).await?;
    Ok(Page { items, total, page: req.page, page_size: req.page_size })
}

/// The list's lines of `members` (each a member), in their order: their colleges, units, years and
/// awards in five queries, whatever their number.
async fn lines<C: ConnectionTrait>(
    conn: &C,
    members: Vec<(Uuid, Standing)>,
    names: &HashMap<Uuid, String>,
) -> Result<Vec<Member>> {
    let all: Vec<&crate::entities::appointment::Model> = members.iter().flat_map(|m| m.1.appointments.iter()).collect();
    let colleges: HashMap<Uuid, String> =
        find_by_ids::<college::Entity, _>(conn, college::Column::Id, all.iter().map(|a| a.college_id))
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
    let units: HashMap<Uuid, String> =
        find_by_ids::<unit::Entity, _>(conn, unit::Column::Id, all.iter().map(|a| a.unit_id))
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
    let years: HashMap<Uuid, String> = find_by_ids::<academic_year::Entity, _>(
        conn,
        academic_year::Column::Id,
        all.iter().map(|a| a.academic_year_id),
    )
    .await?
    .into_iter()
    .map(|y| (y.id, y.code))
    .collect();
    let won = award_nomination::Entity::find()
        .filter(award_nomination::Column::AppointmentId.is_in(all.iter().map(|a| a.id)))
        .filter(award_nomination::Column::Awarded.eq(true))
        .all(conn)
        .await?;
    let rounds: HashMap<Uuid, award_round::Model> =
        find_by_ids::<award_round::Entity, _>(conn, award_round::Column::Id, won.iter().map(|n| n.round_id))
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
    let holder: HashMap<Uuid, Uuid> = all.iter().map(|a| (a.id, a.student_id)).collect();
    let mut awards: HashMap<Uuid, Vec<MemberAward>> = HashMap::new();
    for n in won {
        if let (Some(r), Some(student)) = (rounds.get(&n.round_id), holder.get(&n.appointment_id)) {
            awards.entry(*student).or_default().push(MemberAward {
                title: r.title.clone(),
                academic_year: years.get(&r.academic_year_id).cloned().unwrap_or_default(),
            });
        }
    }
    let mut out = Vec::with_capacity(members.len());
    for (student_id, s) in members {
        let (Some(state), Some(latest), Some(first)) = (s.state, s.latest_served(), s.appointments.first()) else {
            continue;
        };
        let mut served_years: Vec<String> = s
            .appointments
            .iter()
            .filter(|a| served(a.state.into()))
            .filter_map(|a| years.get(&a.academic_year_id).cloned())
            .collect::<HashSet<String>>()
            .into_iter()
            .collect();
        served_years.sort();
        let mut won = awards.remove(&student_id).unwrap_or_default();
        won.sort_by(|a, b| (&a.academic_year, &a.title).cmp(&(&b.academic_year, &b.title)));
        out.push(Member {
            student_id,
            name: names.get(&student_id).cloned().unwrap_or_default(),
            college_id: latest.college_id,
            college_name: colleges.get(&latest.college_id).cloned().unwrap_or_default(),
            unit_id: latest.unit_id,
            unit_name: units.get(&latest.unit_id).cloned().unwrap_or_default(),
            state,
            since: domain::time::shanghai_date(first.created_at),
            years: served_years,
            awards: won,
        });
    }
    Ok(out)
}

/// One member's line, as the list shows it.
async fn line_of<C: ConnectionTrait>(conn: &C, student_id: Uuid, standing: Standing) -> Result<Member> {
    let names: HashMap<Uuid, String> =
        student::Entity::find_by_id(student_id).one(conn).await?.map(|s| (s.id, s.name)).into_iter().collect();
    lines(conn, vec![(student_id, standing)], &names)
        .await?
        .pop()
        .ok_or(crate::Error::Domain(DomainError::NotFound { resource: RESOURCE }))
}

/// The caller's own membership; `NotFound` when they are no member (never appointed, dismissed
/// last, or left), `Forbidden` for anyone but a student.
pub async fn me(db: &Db, who: &Principal) -> Result<Member> {
    let me = own_student(who)?;
    let standing = of_student(db.reader(), me).await?;
    check_leave(standing.state)?;
    line_of(db.reader(), me, standing).await
}

/// The caller leaves the club: recorded (the departure, the audit log, the feed's
/// `club_member.left`) and in force until they rejoin or are appointed again. `NotFound` when they
/// are no member.
pub async fn leave(db: &Db, who: &Principal) -> Result<()> {
    let me = own_student(who)?;
    let now = db.clock().now();
    let tx = db.begin().await?;
    // The student's row is locked first, so two requests of the same student queue here.
    crate::query::find_for_update::<student::Entity, _>(&tx, me, "student").await?;
    let standing = of_student(&tx, me).await?;
    let state = check_leave(standing.state)?;
    let row = club_departure::ActiveModel { student_id: Set(me), left_at: Set(now), left_by: Set(who.actor().id) };
    club_departure::Entity::insert(row)
        .on_conflict(
            OnConflict::column(club_departure::Column::StudentId)
                .update_columns([club_departure::Column::LeftAt, club_departure::Column::LeftBy])
                .to_owned(),
        )
        .exec_without_returning(&tx)
        .await?;
    let before = Trace { student_id: me, state: Some(state) };
    let after = Trace { student_id: me, state: None };
    audit::record(&tx, who.actor(), AuditAction::ClubLeave, RESOURCE, Some(me), audit::updated(&before, &after))
        .await?;
    events::emit(&tx, DomainEvent::ClubMemberLeft, RESOURCE, me, &after).await?;
    tx.commit().await?;
    Ok(())
}

/// The caller rejoins the club after leaving: allowed whenever their appointments make them a
/// member (`Forbidden` otherwise). A member who never left is answered as they are, nothing
/// written.
pub async fn rejoin(db: &Db, who: &Principal) -> Result<Member> {
    let me = own_student(who)?;
    let tx = db.begin().await?;
    crate::query::find_for_update::<student::Entity, _>(&tx, me, "student").await?;
    let standing = of_student(&tx, me).await?;
    if standing.state.is_some() {
        tx.commit().await?;
        return line_of(db.reader(), me, standing).await;
    }
    let state = check_rejoin(&standing.terms())?;
    club_departure::Entity::delete_many().filter(club_departure::Column::StudentId.eq(me)).exec(&tx).await?;
    let before = Trace { student_id: me, state: None };
    let after = Trace { student_id: me, state: Some(state) };
    audit::record(&tx, who.actor(), AuditAction::ClubRejoin, RESOURCE, Some(me), audit::updated(&before, &after))
        .await?;
    events::emit(&tx, DomainEvent::ClubMemberRejoined, RESOURCE, me, &after).await?;
    let standing = of_student(&tx, me).await?;
    let line = line_of(&tx, me, standing).await?;
    tx.commit().await?;
    Ok(line)
}
