//! Activity workflows that write more than the activity: changing one also fits its registrations
//! to a new capacity (waitlisted students get the free places, in order). One transaction, read
//! top to bottom: lock the activity, let the domain check the changes, re-check bookings when a
//! published activity moves, fit the registrations, save with the audit entry.
//!
//! The activity repository (`activities`) and its registrations (`activities::registrations`)
//! only load, lock, check and save; neither calls the other's writes.

use chrono::{DateTime, Utc};
use domain::activity::{ActivityAction, ActivityState, Schedule};
use domain::auth::Principal;
use domain::{AuditAction, Problems};
use sea_orm::EntityTrait;
use uuid::Uuid;

use crate::activities::{
    ActivityView, caller, check_bookings, check_unit, load_for_change, lock_years_around, registrations, resolve_hosts,
    save, view,
};
use crate::entities::academic_year;
use crate::query::not_found;
use crate::reference::years;
use crate::{Db, Result};

/// Changes to an activity, its values already parsed. `None` leaves a field, `Some(None)` clears
/// a nullable one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ActivityChanges {
    /// Title.
    pub title: Option<String>,
    /// Description.
    pub description: Option<Option<String>>,
    /// Topics.
    pub topics: Option<Vec<String>>,
    /// Unit.
    pub unit_id: Option<Option<Uuid>>,
    /// Hosts (replaces the list).
    pub host_appointment_ids: Option<Vec<Uuid>>,
    /// Start.
    pub start_at: Option<DateTime<Utc>>,
    /// End.
    pub end_at: Option<DateTime<Utc>>,
    /// Venue.
    pub venue: Option<Option<String>>,
    /// Online link.
    pub online_link: Option<Option<String>>,
    /// Places.
    pub capacity: Option<Option<i32>>,
    /// Budget.
    pub budget_fen: Option<Option<i64>>,
}

/// Changes a planned or published activity. A published one is checked for clashes again when
/// its time, venue or hosts change; raising its capacity gives waitlisted students their places;
/// it cannot drop below the students already holding a place.
pub async fn update(
    db: &Db,
    who: &Principal,
    id: Uuid,
    ch: ActivityChanges,
    if_match: Option<i32>,
) -> Result<ActivityView> {
    let tx = db.begin().await?;
    let c = caller(&tx, who).await?;
    let before = load_for_change(&tx, &c, id, if_match, "change this activity").await?;
    before.state.apply(ActivityAction::Edit)?;
    let year = years::to_domain(
        academic_year::Entity::find_by_id(before.academic_year_id)
            .one(&tx)
            .await?
            .ok_or_else(|| not_found("academic_year"))?,
    );
    let mut after = before.clone();
    let mut p = Problems::new();
    if let Some(t) = ch.title {
        after.title = t;
    }
    if let Some(d) = ch.description {
        after.description = d;
    }
    if let Some(t) = ch.topics {
        after.topics = t;
    }
    if let Some(u) = ch.unit_id {
        if let Some(u) = u {
            check_unit(&tx, u, after.college_id, &mut p).await?;
        }
        after.unit_id = u;
    }
    if let Some(ids) = &ch.host_appointment_ids {
        after.hosts = resolve_hosts(&tx, ids, after.academic_year_id, after.college_id, &mut p).await?;
    }
    if ch.start_at.is_some() || ch.end_at.is_some() {
        let start = ch.start_at.unwrap_or(before.schedule.start());
        let end = ch.end_at.unwrap_or(before.schedule.end());
        match Schedule::new(start, end) {
            Ok(s) => {
                if let Err(domain::Error::Validation(e)) = s.check_within(&year) {
                    for f in e {
                        p.push(f.field, f.code, f.message);
                    }
                }
                after.schedule = s;
            }
            Err(e) => {
                p.take::<Schedule>(Err(e));
            }
        }
    }
    if let Some(v) = ch.venue {
        after.venue = v;
    }
    if let Some(l) = ch.online_link {
        after.online_link = l;
    }
    if after.venue.is_none() && after.online_link.is_none() {
        p.push("venue", "required", "an activity needs a venue, an online link or both");
    }
    if let Some(cap) = ch.capacity {
        after.capacity = cap;
    }
    if let Some(b) = ch.budget_fen {
        after.budget_fen = b;
    }
    p.finish()?;

    let rebooks = after.schedule != before.schedule
        || after.venue_key() != before.venue_key()
        || after.host_students().collect::<Vec<_>>() != before.host_students().collect::<Vec<_>>();
    if after.state == ActivityState::Published {
        after.check_publishable()?;
        if rebooks {
            lock_years_around(&tx, &after.schedule).await?;
            check_bookings(&tx, &after).await?;
        }
    }
    if after.capacity != before.capacity {
        registrations::fit_capacity(&tx, who, &after).await?;
    }
    let after = save(&tx, who, &before, after, AuditAction::ActivityUpdate).await?;
    let out = view(&tx, after).await?;
    tx.commit().await?;
    Ok(out)
}
