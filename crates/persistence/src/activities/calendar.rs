//! What the public iCalendar feed shows: published and held activities, and for a while the
//! cancelled ones that had been announced, with no personal data.

use chrono::Duration;
use domain::activity::{Activity, CALENDAR_LOOKBACK_DAYS, CANCELLED_IN_CALENDAR_DAYS};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::load_many;
use crate::entities::activity::{Column, Entity};
use crate::entities::{activity_host, appointment, college};
use crate::enums::DbActivityState;
use crate::query::not_found;
use crate::{Db, Result};

/// The most activities one feed carries.
pub const MAX_EVENTS: u64 = 2000;

/// How far back the feed reaches: activities that ended longer ago than this are left out.
pub fn lookback() -> Duration {
    Duration::days(CALENDAR_LOOKBACK_DAYS)
}

/// Which activities a feed shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct CalendarFilter {
    /// Only this college's activities.
    pub college_id: Option<Uuid>,
    /// Only activities hosted by this mentor (an appointment id).
    pub mentor_id: Option<Uuid>,
}

/// One entry of the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEntry {
    /// The activity (only its public fields are shown).
    pub activity: Activity,
    /// The name of its college, if it has one.
    pub college_name: Option<String>,
}

/// The activities of the filter the calendar shows ([`Activity::shows_in_calendar`]), oldest
/// first: published and held ones that ended within the last [`lookback`], cancelled ones that
/// had been published and started at most [`CANCELLED_IN_CALENDAR_DAYS`] days ago. An unknown
/// college or mentor is `NotFound`. No caller: the feed is public.
pub async fn feed(db: &Db, f: CalendarFilter) -> Result<Vec<CalendarEntry>> {
    let conn = db.reader();
    let now = crate::now();
    let mut select = Entity::find().filter(
        Condition::any()
            .add(
                Condition::all()
                    .add(Column::State.is_in([DbActivityState::Published, DbActivityState::Held]))
                    .add(Column::EndAt.gte(now - lookback())),
            )
            .add(
                Condition::all()
                    .add(Column::State.eq(DbActivityState::Cancelled))
                    .add(Column::PublishedAt.is_not_null())
                    .add(Column::StartAt.gte(now - Duration::days(CANCELLED_IN_CALENDAR_DAYS))),
            ),
    );
    if let Some(c) = f.college_id {
        college::Entity::find_by_id(c).one(conn).await?.ok_or_else(|| not_found("college"))?;
        select = select.filter(Column::CollegeId.eq(c));
    }
    if let Some(m) = f.mentor_id {
        appointment::Entity::find_by_id(m).one(conn).await?.ok_or_else(|| not_found("mentor"))?;
        select = select.filter(
            Column::Id.in_subquery(
                Query::select()
                    .column(activity_host::Column::ActivityId)
                    .from(activity_host::Entity)
                    .and_where(activity_host::Column::AppointmentId.eq(m))
                    .to_owned(),
            ),
        );
    }
    let rows = select.order_by_asc(Column::StartAt).order_by_asc(Column::Id).limit(MAX_EVENTS).all(conn).await?;
    let college_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.college_id).collect();
    let names: std::collections::HashMap<Uuid, String> = college::Entity::find()
        .filter(college::Column::Id.is_in(college_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    Ok(load_many(conn, rows)
        .await?
        .into_iter()
        .filter(|a| a.shows_in_calendar(now))
        .map(|a| CalendarEntry { college_name: a.college_id.and_then(|c| names.get(&c).cloned()), activity: a })
        .collect())
}
