//! `/activities` (学长活动): salons, research talks, competition guidance, career guidance, club
//! meetings, social events, training and experience exchanges; `planned → published → held |
//! cancelled`. Registrations, attendance and feedback are in `activity_registrations`.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};
use domain::activity::{self as rules, ActivityKind, ActivityState, MAX_FEN, Schedule};
use domain::{FieldError, Problems};
use persistence::activities::{self as repo, ActivityFilter, ActivityView, Completion, NewActivity};
use persistence::usecases::activities::{self as usecase, ActivityChanges};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::common::{PageParams, double_option};
use super::dto::ReasonRequest;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json};
use crate::openapi::{CreateErrors, DeleteErrors, ListErrors, ReadErrors, Unauthorized, WriteErrors};
use crate::respond::{self, PageOf, created, ok, ok_tagged};
use crate::state::AppState;

/// A host mentor of an activity.
#[derive(Debug, Serialize, ToSchema)]
pub struct HostDto {
    /// The mentor's appointment.
    pub appointment_id: Uuid,
    /// The mentor (a student).
    pub student_id: Uuid,
    /// The mentor's name.
    pub name: String,
}

/// An activity. Its times are shown with the Asia/Shanghai offset (`+08:00`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityDto {
    /// Id.
    pub id: Uuid,
    /// Kind.
    pub kind: ActivityKind,
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// Topics (free text; `GET /activities/topics` lists the ones the rules suggest).
    pub topics: Vec<String>,
    /// The academic year.
    pub academic_year_id: Uuid,
    /// The college; `null` for a university-wide activity (training, club meeting, experience exchange).
    pub college_id: Option<Uuid>,
    /// The unit it is for, if any.
    pub unit_id: Option<Uuid>,
    /// The host mentors, in order.
    pub hosts: Vec<HostDto>,
    /// The user who organised it.
    pub organiser_id: Option<Uuid>,
    /// Start, in UTC like every timestamp of the API: 19:00 in Shanghai is
    /// `2025-10-20T11:00:00Z`.
    pub start_at: DateTime<Utc>,
    /// End (exclusive), in UTC, e.g. `2025-10-20T13:00:00Z`.
    pub end_at: DateTime<Utc>,
    /// Venue, if on site.
    pub venue: Option<String>,
    /// Online meeting link, if online.
    pub online_link: Option<String>,
    /// Places; `null` is unlimited.
    pub capacity: Option<i32>,
    /// Budget in fen (分).
    pub budget_fen: Option<i64>,
    /// `planned`, `published`, `held` or `cancelled`.
    pub state: ActivityState,
    /// Students holding a place.
    pub registered_count: u64,
    /// Students on the waitlist.
    pub waitlisted_count: u64,
    /// Students marked present.
    pub attended_count: u64,
    /// Published.
    pub published_at: Option<DateTime<Utc>>,
    /// Cancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// Recorded as held.
    pub held_at: Option<DateTime<Utc>>,
    /// What happened.
    pub summary: Option<String>,
    /// What it cost, in fen.
    pub actual_expense_fen: Option<i64>,
    /// Version (the `ETag`).
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<ActivityView> for ActivityDto {
    fn from(v: ActivityView) -> Self {
        let a = v.activity;
        Self {
            id: a.id,
            kind: a.kind,
            title: a.title,
            description: a.description,
            topics: a.topics,
            academic_year_id: a.academic_year_id,
            college_id: a.college_id,
            unit_id: a.unit_id,
            hosts: v
                .hosts
                .into_iter()
                .map(|h| HostDto { appointment_id: h.appointment_id, student_id: h.mentor.id, name: h.mentor.name })
                .collect(),
            organiser_id: a.organiser_id,
            start_at: a.schedule.start(),
            end_at: a.schedule.end(),
            venue: a.venue,
            online_link: a.online_link,
            capacity: a.capacity,
            budget_fen: a.budget_fen,
            state: a.state,
            registered_count: v.counts.registered,
            waitlisted_count: v.counts.waitlisted,
            attended_count: v.counts.attended,
            published_at: a.published_at,
            cancelled_at: a.cancelled_at,
            cancel_reason: a.cancel_reason,
            held_at: a.held_at,
            summary: a.summary,
            actual_expense_fen: a.actual_expense_fen,
            version: a.version,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

fn respond(v: ActivityView) -> HttpResponse {
    let version = v.activity.version;
    ok_tagged(&ActivityDto::from(v), version)
}

/// A new activity. It starts `planned`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateActivityRequest {
    /// Kind.
    pub kind: ActivityKind,
    /// Title, 1–200 characters, one line.
    pub title: String,
    /// Description, up to 10000 characters.
    pub description: Option<String>,
    /// Topics, at most 10, each 1–100 characters (free text).
    #[serde(default)]
    pub topics: Vec<String>,
    /// The academic year; the activity must take place within it (Asia/Shanghai days).
    pub academic_year_id: Uuid,
    /// The college; required except for the university-wide kinds (`training`, `club_meeting`,
    /// `experience_exchange`), which have none.
    pub college_id: Option<Uuid>,
    /// A unit of the college (lab, discipline…), if the activity is for one.
    pub unit_id: Option<Uuid>,
    /// Host mentors by appointment id: active appointments of the academic year (and of the
    /// college, for a college activity), at most 20.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub host_appointment_ids: Vec<Uuid>,
    /// Start, RFC 3339 with any offset, e.g. `2025-10-20T19:00:00+08:00`; years 2000–2100 (in UTC).
    #[schema(pattern = "^(20[0-9]{2}|2100)-")]
    pub start_at: DateTime<FixedOffset>,
    /// End (exclusive), after the start, at most 14 days later; years 2000–2100 (in UTC).
    #[schema(pattern = "^(20[0-9]{2}|2100)-")]
    pub end_at: DateTime<FixedOffset>,
    /// Venue, 1–200 characters. A venue, an online link or both are required.
    pub venue: Option<String>,
    /// Online meeting link (`http://` or `https://`).
    pub online_link: Option<String>,
    /// Places, 1–10000; absent is unlimited. Registrations beyond it go on a waitlist.
    #[schema(minimum = 1, maximum = 10000)]
    pub capacity: Option<i32>,
    /// Budget in fen (分), 0–10000000000.
    #[schema(minimum = 0, maximum = 10_000_000_000_i64)]
    pub budget_fen: Option<i64>,
}

fn parse_opt<T>(p: &mut Problems, v: Option<&str>, f: impl FnOnce(&str) -> Result<T, FieldError>) -> Option<T> {
    v.and_then(|v| p.take(f(v)))
}

fn check_capacity(p: &mut Problems, c: Option<i32>) {
    if let Some(c) = c {
        p.take(rules::check_activity_capacity(c));
    }
}

fn check_budget(p: &mut Problems, field: &str, b: Option<i64>) {
    if let Some(b) = b {
        p.take(rules::check_fen(field, b));
    }
}

/// The request as a command: every field parsed, every bad one reported at once (422).
impl TryFrom<CreateActivityRequest> for NewActivity {
    type Error = ApiError;

    fn try_from(req: CreateActivityRequest) -> Result<Self, ApiError> {
        let mut p = Problems::new();
        let title = p.take(rules::parse_title(&req.title));
        let description = req.description.as_deref().and_then(|d| p.take(rules::parse_description(d))).flatten();
        let topics = match rules::parse_topics(&req.topics) {
            Ok(t) => t,
            Err(e) => {
                p.absorb(e)?;
                Vec::new()
            }
        };
        let schedule = p.take(Schedule::new(req.start_at.with_timezone(&Utc), req.end_at.with_timezone(&Utc)));
        let venue = parse_opt(&mut p, req.venue.as_deref(), rules::parse_venue);
        let online_link = parse_opt(&mut p, req.online_link.as_deref(), rules::parse_online_link);
        if req.venue.is_none() && req.online_link.is_none() {
            p.push("venue", "required", "an activity needs a venue, an online link or both");
        }
        check_capacity(&mut p, req.capacity);
        check_budget(&mut p, "budget_fen", req.budget_fen);
        p.finish()?;
        let (Some(title), Some(schedule)) = (title, schedule) else {
            return Err(domain::Error::invalid("body", "invalid", "the activity could not be read").into());
        };
        Ok(NewActivity {
            kind: req.kind,
            title,
            description,
            topics,
            academic_year_id: req.academic_year_id,
            college_id: req.college_id,
            unit_id: req.unit_id,
            host_appointment_ids: req.host_appointment_ids,
            schedule,
            venue,
            online_link,
            capacity: req.capacity,
            budget_fen: req.budget_fen,
        })
    }
}

/// Changes to a planned or published activity (kind, college and year stay). `null` clears an
/// optional field.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateActivityRequest {
    /// Title.
    pub title: Option<String>,
    /// Description, or `null`.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub description: Option<Option<String>>,
    /// Topics (replaces the list).
    pub topics: Option<Vec<String>>,
    /// Unit, or `null`.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>, nullable)]
    pub unit_id: Option<Option<Uuid>>,
    /// Host mentors (replaces the list), at most 20.
    #[schema(max_items = 20)]
    pub host_appointment_ids: Option<Vec<Uuid>>,
    /// Start; years 2000–2100 (in UTC).
    #[schema(pattern = "^(20[0-9]{2}|2100)-")]
    pub start_at: Option<DateTime<FixedOffset>>,
    /// End; years 2000–2100 (in UTC).
    #[schema(pattern = "^(20[0-9]{2}|2100)-")]
    pub end_at: Option<DateTime<FixedOffset>>,
    /// Venue, or `null`.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub venue: Option<Option<String>>,
    /// Online link, or `null`.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub online_link: Option<Option<String>>,
    /// Places, or `null` for unlimited.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>, nullable, minimum = 1, maximum = 10000)]
    pub capacity: Option<Option<i32>>,
    /// Budget in fen (分), 0–10000000000, or `null`.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>, nullable, minimum = 0, maximum = 10_000_000_000_i64)]
    pub budget_fen: Option<Option<i64>>,
}

/// The request as a command: every field parsed, every bad one reported at once (422).
impl TryFrom<UpdateActivityRequest> for ActivityChanges {
    type Error = ApiError;

    fn try_from(req: UpdateActivityRequest) -> Result<Self, ApiError> {
        let mut p = Problems::new();
        let title = parse_opt(&mut p, req.title.as_deref(), rules::parse_title);
        let description = match req.description {
            None => None,
            Some(None) => Some(None),
            Some(Some(d)) => p.take(rules::parse_description(&d)),
        };
        let topics = match req.topics.as_deref().map(rules::parse_topics) {
            None => None,
            Some(Ok(t)) => Some(t),
            Some(Err(e)) => {
                p.absorb(e)?;
                None
            }
        };
        let venue = match req.venue {
            None => None,
            Some(None) => Some(None),
            Some(Some(v)) => p.take(rules::parse_venue(&v)).map(Some),
        };
        let online_link = match req.online_link {
            None => None,
            Some(None) => Some(None),
            Some(Some(v)) => p.take(rules::parse_online_link(&v)).map(Some),
        };
        check_capacity(&mut p, req.capacity.flatten());
        check_budget(&mut p, "budget_fen", req.budget_fen.flatten());
        p.finish()?;
        Ok(ActivityChanges {
            title,
            description,
            topics,
            unit_id: req.unit_id,
            host_appointment_ids: req.host_appointment_ids,
            start_at: req.start_at.map(|t| t.with_timezone(&Utc)),
            end_at: req.end_at.map(|t| t.with_timezone(&Utc)),
            venue,
            online_link,
            capacity: req.capacity,
            budget_fen: req.budget_fen,
        })
    }
}

/// Recording that an activity took place.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CompleteRequest {
    /// What happened, 1–10000 characters.
    #[validate(length(min = 1, max = 10000), custom(function = "crate::api::v1::common::not_blank"))]
    #[schema(min_length = 1, max_length = 10000)]
    pub summary: String,
    /// What it actually cost, in fen (分), 0–10000000000.
    #[validate(range(min = 0, max = MAX_FEN))]
    #[schema(minimum = 0, maximum = 10_000_000_000_i64)]
    pub actual_expense_fen: Option<i64>,
}

/// The topics the rules suggest for one kind of activity.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestedTopics {
    /// The kind.
    pub kind: ActivityKind,
    /// Its suggested topics, in the rules' order.
    pub topics: Vec<String>,
}

/// Suggested topics, by kind.
#[derive(Debug, Serialize, ToSchema)]
pub struct TopicList {
    /// The kinds that have suggestions: `freshman_salon` (the five topics of 三(一)2),
    /// `research_salon` (三(二)2) and `competition_guidance` (the competitions of 三(二)3).
    pub items: Vec<SuggestedTopics>,
}

/// Filters of the activity list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityQuery {
    /// Only this academic year.
    pub academic_year_id: Option<Uuid>,
    /// Only this college.
    pub college_id: Option<Uuid>,
    /// Only university-wide activities (`true`) or only college ones (`false`).
    pub university_wide: Option<bool>,
    /// Only this kind.
    pub kind: Option<ActivityKind>,
    /// Only this state.
    pub state: Option<ActivityState>,
    /// Only activities hosted by this mentor (an appointment id).
    pub host_appointment_id: Option<Uuid>,
    /// Only activities starting on or after this day (Asia/Shanghai), e.g. `2025-09-01`; years
    /// 2000–2100.
    #[param(pattern = "^(20[0-9]{2}|2100)-")]
    pub from: Option<NaiveDate>,
    /// Only activities starting on or before this day (Asia/Shanghai); years 2000–2100.
    #[param(pattern = "^(20[0-9]{2}|2100)-")]
    pub to: Option<NaiveDate>,
}

impl ActivityQuery {
    fn filter(self) -> Result<ActivityFilter, ApiError> {
        for (field, day) in [("from", self.from), ("to", self.to)] {
            if day.is_some_and(|d| !domain::activity::YEARS.contains(&d.year())) {
                return Err(domain::Error::invalid(
                    field,
                    "out_of_range",
                    format!("{field} must lie between 2000 and 2100"),
                )
                .into());
            }
        }
        if let (Some(f), Some(t)) = (self.from, self.to)
            && f > t
        {
            return Err(domain::Error::invalid("to", "out_of_range", "to must not be before from").into());
        }
        Ok(ActivityFilter {
            academic_year_id: self.academic_year_id,
            college_id: self.college_id,
            university_wide: self.university_wide,
            kind: self.kind,
            state: self.state,
            host_appointment_id: self.host_appointment_id,
            starts_from: self.from.and_then(domain::time::start_of_day),
            starts_before: self.to.and_then(|t| t.succ_opt()).and_then(domain::time::start_of_day),
        })
    }
}

/// The topics the program's rules suggest, by kind of activity.
///
/// Clients offer these as choices; the topics of an activity are free text.
#[utoipa::path(
    operation_id = "list_activity_topics",
    tag = "activities",
    responses(
        (status = 200, description = "Suggested topics", body = TopicList),
        (status = 401, response = Unauthorized)
    )
)]
#[get("/activities/topics")]
pub async fn suggested_topics(_auth: Auth) -> HttpResponse {
    let items = ActivityKind::ALL
        .iter()
        .filter(|k| !k.suggested_topics().is_empty())
        .map(|k| SuggestedTopics { kind: *k, topics: k.suggested_topics().iter().map(|t| (*t).to_owned()).collect() })
        .collect();
    ok(&TopicList { items })
}

/// Plan an activity (`planned`).
///
/// Organisers: a college admin for their college, a serving mentor (a student with an active
/// appointment for the year) for their own college, or a university admin for any; the
/// university-wide kinds (`training`, `club_meeting`, `experience_exchange`) only university
/// admins, with no college. Hosts must hold an active appointment for the academic year (of the
/// same college for a college activity). Planned activities book nothing yet: clashes are checked
/// when publishing.
#[utoipa::path(
    operation_id = "create_activity",
    tag = "activities",
    request_body = CreateActivityRequest,
    responses(
        (status = 201, description = "Planned", body = ActivityDto, headers(("Location" = String), ("ETag" = String))),
        CreateErrors
    )
)]
#[post("/activities")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<CreateActivityRequest>,
) -> Result<HttpResponse, ApiError> {
    let new: NewActivity = body.into_inner().try_into()?;
    let v = repo::create(&state.db, &auth.principal, new).await?;
    let (id, version) = (v.activity.id, v.activity.version);
    Ok(created(format!("/api/v1/activities/{id}"), &ActivityDto::from(v), version))
}

/// List activities.
///
/// A university admin sees all; a college's admins and counselors all of their college's;
/// everyone else the published (held, cancelled) activities of their own college and the
/// university-wide ones, plus those they organise or host. Sort keys: `start_at` (default, latest
/// first), `created_at`, `updated_at`.
#[utoipa::path(
    operation_id = "list_activities",
    tag = "activities",
    params(PageParams, ActivityQuery),
    responses(
        (status = 200, description = "One page of activities", body = PageOf<ActivityDto>),
        ListErrors
    )
)]
#[get("/activities")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<PageParams>,
    q: web::Query<ActivityQuery>,
) -> Result<HttpResponse, ApiError> {
    let f = q.into_inner().filter()?;
    let p = repo::list(&state.db, &auth.principal, f, page.request()?, page.sort.as_deref()).await?;
    Ok(respond::page(&req, PageOf::from_page(p, ActivityDto::from)))
}

/// Get an activity.
///
/// Visible to the same callers as in the list: a college's own people see its published activities,
/// organisers and hosts their own, admins more. Objects the caller may not see are 404, as if they
/// did not exist.
#[utoipa::path(
    operation_id = "get_activity",
    tag = "activities",
    params(("id" = Uuid, Path, description = "Activity id")),
    responses(
        (status = 200, description = "The activity", body = ActivityDto, headers(("ETag" = String))),
        ReadErrors
    )
)]
#[get("/activities/{id}")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    Ok(respond(repo::get(&state.db, &auth.principal, *id).await?))
}

/// Change a planned or published activity.
///
/// By its managers: the organiser, the college's admin, the university. A published activity whose time, venue or hosts change is checked for clashes again
/// (`host_double_booked`, `venue_double_booked`). Raising the capacity gives waitlisted students
/// their places in registration order; it cannot drop below the places taken
/// (`capacity_below_registrations`).
#[utoipa::path(
    operation_id = "update_activity",
    tag = "activities",
    params(("id" = Uuid, Path, description = "Activity id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = UpdateActivityRequest,
    responses(
        (status = 200, description = "Changed", body = ActivityDto, headers(("ETag" = String))),
        WriteErrors
    )
)]
#[patch("/activities/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateActivityRequest>,
) -> Result<HttpResponse, ApiError> {
    let changes: ActivityChanges = body.into_inner().try_into()?;
    Ok(respond(usecase::update(&state.db, &auth.principal, *id, changes, if_match.0).await?))
}

/// Publish an activity (`planned → published`).
///
/// Its hosts and venue are booked: publishing fails with 409 `host_double_booked` or
/// `venue_double_booked` when another published (or held) activity overlapping in time (half-open
/// `[start, end)`) shares a host mentor or the venue (compared trimmed, case-insensitively); the
/// `detail` names that activity's id and title. A mentor-led kind needs a host (`host_required`);
/// every host must still serve (`host_not_serving`). Concurrent publications are serialised.
#[utoipa::path(
    operation_id = "publish_activity",
    tag = "activities",
    params(("id" = Uuid, Path, description = "Activity id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Published", body = ActivityDto, headers(("ETag" = String))),
        DeleteErrors
    )
)]
#[post("/activities/{id}/publish")]
pub async fn publish(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    Ok(respond(repo::publish(&state.db, &auth.principal, *id, if_match.0).await?))
}

/// Cancel a planned or published activity, with a reason (`→ cancelled`).
///
/// Its hosts and venue are free again; registrations stay on record.
#[utoipa::path(
    operation_id = "cancel_activity",
    tag = "activities",
    params(("id" = Uuid, Path, description = "Activity id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = ReasonRequest,
    responses(
        (status = 200, description = "Cancelled", body = ActivityDto, headers(("ETag" = String))),
        WriteErrors
    )
)]
#[post("/activities/{id}/cancel")]
pub async fn cancel(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<ReasonRequest>,
) -> Result<HttpResponse, ApiError> {
    let reason = body.into_inner().reason.trim().to_owned();
    if reason.is_empty() {
        return Err(domain::Error::invalid("reason", "required", "reason must not be blank").into());
    }
    Ok(respond(repo::cancel(&state.db, &auth.principal, *id, reason, if_match.0).await?))
}

/// Record that a published activity took place (`published → held`), once it has started.
///
/// Records the summary and the actual expense; attendance is closed from then on and attendees
/// may give feedback. Too early is 409 `not_started`.
#[utoipa::path(
    operation_id = "complete_activity",
    tag = "activities",
    params(("id" = Uuid, Path, description = "Activity id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = CompleteRequest,
    responses(
        (status = 200, description = "Held", body = ActivityDto, headers(("ETag" = String))),
        WriteErrors
    )
)]
#[post("/activities/{id}/complete")]
pub async fn complete(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<CompleteRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let summary = b.summary.trim().to_owned();
    if summary.is_empty() {
        return Err(domain::Error::invalid("summary", "required", "summary must not be blank").into());
    }
    let done = Completion { summary, actual_expense_fen: b.actual_expense_fen };
    Ok(respond(repo::complete(&state.db, &auth.principal, *id, done, if_match.0).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(e: ApiError) -> Vec<String> {
        match e {
            ApiError::Persistence(persistence::Error::Domain(domain::Error::Validation(v))) => {
                v.into_iter().map(|f| format!("{}:{}", f.field, f.code)).collect()
            }
            other => panic!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn a_request_becomes_a_command_or_every_bad_field_at_once() {
        let ok = serde_json::json!({"kind": "freshman_salon", "title": "新生交流沙龙",
            "academic_year_id": Uuid::nil(), "college_id": Uuid::nil(), "start_at": "2025-10-20T19:00:00+08:00",
            "end_at": "2025-10-20T21:00:00+08:00", "venue": "A302", "capacity": 30});
        let req: CreateActivityRequest = serde_json::from_value(ok.clone()).unwrap();
        let cmd = NewActivity::try_from(req).unwrap();
        assert_eq!((cmd.title.as_str(), cmd.capacity), ("新生交流沙龙", Some(30)));

        let mut bad = ok;
        bad["title"] = serde_json::json!("  ");
        bad["venue"] = serde_json::Value::Null;
        bad["capacity"] = serde_json::json!(0);
        let req: CreateActivityRequest = serde_json::from_value(bad).unwrap();
        let got = fields(NewActivity::try_from(req).unwrap_err());
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(got.iter().any(|f| f.starts_with("title:")) && got.iter().any(|f| f == "venue:required"), "{got:?}");

        let req: UpdateActivityRequest = serde_json::from_value(serde_json::json!({"capacity": null})).unwrap();
        assert_eq!(ActivityChanges::try_from(req).unwrap().capacity, Some(None), "null clears the capacity");
    }

    #[test]
    fn a_date_range_is_taken_in_shanghai_days() {
        let q = ActivityQuery {
            academic_year_id: None,
            college_id: None,
            university_wide: None,
            kind: None,
            state: None,
            host_appointment_id: None,
            from: NaiveDate::from_ymd_opt(2025, 10, 1),
            to: NaiveDate::from_ymd_opt(2025, 10, 31),
        };
        let f = q.filter().ok().unwrap_or_default();
        assert_eq!(f.starts_from.map(|t| t.to_rfc3339()), Some("2025-09-30T16:00:00+00:00".to_owned()));
        assert_eq!(f.starts_before.map(|t| t.to_rfc3339()), Some("2025-10-31T16:00:00+00:00".to_owned()));
    }
}
