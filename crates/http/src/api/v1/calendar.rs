//! `GET /calendar.ics`: an iCalendar (RFC 5545) feed of published and held activities (and, for
//! 30 days after their start, cancelled ones that had been published, as `STATUS:CANCELLED`) that
//! Outlook, Apple Calendar, Google Calendar or DingTalk subscribe to.
//!
//! Calendar apps cannot send bearer tokens, so the feed is public and carries only what a poster
//! on a notice board would: title, kind, description, topics, college, time and venue. No host
//! names, no registrations, no online meeting links (those stay behind the login).

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use chrono::Duration;
use domain::activity::ActivityState;
use icalendar::{Calendar, Component, Event, EventLike, EventStatus, Property};
use persistence::activities::calendar::{self as repo, CalendarEntry, CalendarFilter};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::error::ApiError;
use crate::openapi::{BadRequest, NotFound};
use crate::state::AppState;

/// Which activities the feed shows.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CalendarQuery {
    /// Only this college's activities.
    pub college_id: Option<Uuid>,
    /// Only activities hosted by this mentor (an appointment id).
    pub mentor_id: Option<Uuid>,
}

/// The calendar's name as calendar apps show it.
const CALENDAR_NAME: &str = "研究生党员学长活动";

/// The media type of the feed.
pub const TEXT_CALENDAR: &str = "text/calendar; charset=utf-8";

fn event(e: &CalendarEntry) -> Event {
    let a = &e.activity;
    let mut lines: Vec<String> = Vec::new();
    lines.push(a.kind.label().to_owned());
    if let Some(c) = &e.college_name {
        lines.push(format!("学院：{c}"));
    }
    if !a.topics.is_empty() {
        lines.push(format!("主题：{}", a.topics.join("；")));
    }
    if let Some(d) = &a.description {
        lines.push(String::new());
        lines.push(d.clone());
    }
    let location = match (&a.venue, &a.online_link) {
        (Some(v), Some(_)) => format!("{v}（另有线上参与方式）"),
        (Some(v), None) => v.clone(),
        (None, _) => "线上".to_owned(),
    };
    Event::new()
        .uid(&format!("{}@xuezhang", a.id))
        .summary(&a.title)
        .description(&lines.join("\n"))
        .starts(a.schedule.start())
        .ends(a.schedule.end())
        .location(&location)
        .timestamp(a.updated_at)
        .created(a.created_at)
        .last_modified(a.updated_at)
        .sequence(u32::try_from(a.version).unwrap_or(0))
        .status(if a.state == ActivityState::Cancelled { EventStatus::Cancelled } else { EventStatus::Confirmed })
        .add_property("CATEGORIES", a.kind.label())
        .add_property("X-XUEZHANG-KIND", a.kind.as_str())
        .done()
}

/// Renders the feed. Times are UTC (`…Z`, RFC 5545 form 2): every calendar app shows them in the
/// viewer's zone, which for the program's users is Asia/Shanghai; `X-WR-TIMEZONE` says so too.
pub fn render(entries: &[CalendarEntry]) -> String {
    let mut cal = Calendar::empty();
    cal.append_property(Property::new("VERSION", "2.0"));
    cal.append_property(Property::new("PRODID", "-//xuezhang//activities//ZH"));
    cal.append_property(Property::new("CALSCALE", "GREGORIAN"));
    cal.append_property(Property::new("METHOD", "PUBLISH"));
    cal.name(CALENDAR_NAME);
    cal.timezone("Asia/Shanghai");
    cal.ttl(&Duration::hours(1));
    for e in entries {
        cal.push(event(e));
    }
    cal.done().to_string()
}

/// The iCalendar feed (RFC 5545) of published and held activities, to subscribe to.
///
/// Public: calendar apps (Outlook, Apple Calendar, Google Calendar, DingTalk) cannot send bearer
/// tokens. It therefore carries no personal data: no host names, no registrations, no online
/// meeting links — only title, kind, description, topics, college, time and venue. Filter by
/// `college_id` and/or `mentor_id` (a host's appointment id); an unknown one is 404. Activities
/// that ended more than 400 days ago are left out, at most 2000 events. Times are UTC (`Z`) and
/// show in the subscriber's zone (Asia/Shanghai for the program); `X-WR-TIMEZONE` is
/// `Asia/Shanghai`. Each event's `UID` is `<activity id>@xuezhang` and its `SEQUENCE` the
/// activity's version, so changes update the subscribed copy. A cancelled activity that had been
/// published stays in the feed with `STATUS:CANCELLED` until 30 days after its start, so that
/// subscribed calendars remove it rather than keep a ghost event; one cancelled while planned
/// never appears.
#[utoipa::path(
    operation_id = "activity_calendar",
    tag = "activities",
    security(()),
    params(CalendarQuery),
    responses(
        (status = 200, description = "The feed", content_type = "text/calendar", body = String),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound)
    )
)]
#[get("/calendar.ics")]
pub async fn feed(state: web::Data<AppState>, q: web::Query<CalendarQuery>) -> Result<HttpResponse, ApiError> {
    let f = CalendarFilter { college_id: q.college_id, mentor_id: q.mentor_id };
    let entries = repo::feed(&state.db, f).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, TEXT_CALENDAR))
        .insert_header((header::CONTENT_DISPOSITION, "inline; filename=\"xuezhang-activities.ics\""))
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(render(&entries)))
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use domain::activity::{Activity, ActivityKind, ActivityState, Schedule};
    use domain::time::shanghai;
    use uuid::Uuid;

    use super::*;

    fn entry() -> CalendarEntry {
        let t = |h| shanghai().with_ymd_and_hms(2025, 10, 20, h, 0, 0).unwrap().with_timezone(&Utc);
        let now = Utc.with_ymd_and_hms(2025, 10, 1, 8, 0, 0).unwrap();
        CalendarEntry {
            activity: Activity {
                id: Uuid::now_v7(),
                kind: ActivityKind::FreshmanSalon,
                title: "新生沙龙, 第一场; 适应研究生生活".into(),
                description: Some("学长分享经验。".repeat(20)),
                topics: vec!["如何尽快适应研究生学习、科研和生活".into()],
                academic_year_id: Uuid::now_v7(),
                college_id: Some(Uuid::now_v7()),
                unit_id: None,
                hosts: vec![],
                organiser_id: None,
                schedule: Schedule::new(t(19), t(21)).unwrap(),
                venue: None,
                online_link: Some("https://meeting.tencent.com/dm/secret".into()),
                capacity: None,
                budget_fen: None,
                state: ActivityState::Published,
                published_at: Some(now),
                cancelled_at: None,
                cancel_reason: None,
                held_at: None,
                summary: None,
                actual_expense_fen: None,
                version: 3,
                created_at: now,
                updated_at: now,
            },
            college_name: Some("计算机学院".into()),
        }
    }

    #[test]
    fn the_feed_has_utc_times_crlf_folded_lines_and_no_meeting_link() {
        let ics = render(&[entry()]);
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.ends_with("END:VCALENDAR\r\n"));
        assert!(ics.contains("\r\nDTSTART:20251020T110000Z\r\n"), "{ics}");
        assert!(ics.contains("\r\nDTEND:20251020T130000Z\r\n"));
        assert!(ics.contains("\r\nSEQUENCE:3\r\n") && ics.contains("\r\nLOCATION:线上\r\n"));
        assert!(ics.contains("SUMMARY:新生沙龙\\, 第一场\\; 适应研究生生活"));
        assert_eq!(ics.matches("PRODID").count(), 1);
        assert!(!ics.contains("secret"));
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "an unfolded line of {} octets: {line}", line.len());
            assert!(!line.contains('\n'));
        }
    }
}
