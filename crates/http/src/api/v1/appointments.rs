//! `/appointments` (校聘): the university appoints from recommended nominations, records training
//! and commendations, and dismisses (解聘); a college admin may request a dismissal; a mentor may
//! resign.

use actix_web::patch;
use actix_web::put;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use domain::appointment::{AppointmentState, Commendation, Introduction, IntroductionChannel};
use domain::profile::{MentorProfile, ProfileInput};
use persistence::selection::appointments::{self as repo, AppointmentView};
use persistence::usecases::mentorship::{self, Dismissal};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::common::PageParams;
use super::dto::{AppointmentQuery, PersonDto, ReasonRequest, StudentRef};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json};
use crate::openapi::{ActionErrors, ListErrors, ReadErrors, UnsupportedMediaType, WriteErrors};
use crate::respond::{self, PageOf, created, ok, ok_tagged};
use crate::state::AppState;

/// A college's pending request to dismiss its mentor.
#[derive(Debug, Serialize, ToSchema)]
pub struct DismissalRequestDto {
    /// Why.
    pub reason: String,
    /// Who asked.
    pub requested_by: Option<Uuid>,
    /// When.
    pub requested_at: DateTime<Utc>,
}

/// A mentor's appointment for one academic year in one unit.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppointmentDto {
    /// Id.
    pub id: Uuid,
    /// The nomination it came from.
    pub nomination_id: Uuid,
    /// The mentor.
    pub mentor: StudentRef,
    /// The term.
    pub academic_year_id: Uuid,
    /// College.
    pub college_id: Uuid,
    /// Unit.
    pub unit_id: Uuid,
    /// How many mentees the mentor takes.
    pub capacity: i32,
    /// `active`, `completed`, `dismissed` or `resigned`.
    pub state: AppointmentState,
    /// When the training was completed.
    pub training_completed_on: Option<NaiveDate>,
    /// A note on the training.
    pub training_note: Option<String>,
    /// A college's pending dismissal request.
    pub dismissal_request: Option<DismissalRequestDto>,
    /// The orientation introduction (the Sept 30 milestone), once recorded.
    pub introduction: Option<IntroductionDto>,
    /// The contact details the mentor shares with their mentees.
    pub contact_for_mentees: Option<String>,
    /// Only in the answer to a dismissal or resignation: the mentees whose pairings ended with it
    /// and who now need a new mentor.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub released_mentees: Vec<PersonDto>,
    /// When it ended.
    pub ended_at: Option<DateTime<Utc>>,
    /// Why it ended early.
    pub end_reason: Option<String>,
    /// Who appointed.
    pub appointed_by: Option<Uuid>,
    /// Version (the `ETag`).
    pub version: i32,
    /// Appointed.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<AppointmentView> for AppointmentDto {
    fn from(v: AppointmentView) -> Self {
        let a = v.appointment;
        Self {
            id: a.id,
            nomination_id: a.nomination_id,
            mentor: StudentRef { id: v.mentor.id, student_no: v.mentor.student_no, name: v.mentor.name },
            academic_year_id: a.academic_year_id,
            college_id: a.college_id,
            unit_id: a.unit_id,
            capacity: a.capacity,
            state: a.state,
            training_completed_on: a.training_completed_on,
            training_note: a.training_note,
            dismissal_request: a.dismissal_request.map(|r| DismissalRequestDto {
                reason: r.reason,
                requested_by: r.requested_by,
                requested_at: r.requested_at,
            }),
            introduction: a.introduction.map(|i| IntroductionDto {
                introduced_on: i.introduced_on,
                channel: i.channel,
                note: i.note,
            }),
            contact_for_mentees: a.contact_for_mentees,
            released_mentees: v.released_mentees.into_iter().map(Into::into).collect(),
            ended_at: a.ended_at,
            end_reason: a.end_reason,
            appointed_by: a.appointed_by,
            version: a.version,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

/// The orientation milestone: when and where the mentor was introduced to the freshmen.
#[derive(Debug, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct IntroductionDto {
    /// When (the year's `introduction_deadline` is the milestone, Sept 30 by default).
    pub introduced_on: NaiveDate,
    /// `meeting` (opening ceremony, teacher–student meeting), `qq`, `wechat` or `other`.
    pub channel: IntroductionChannel,
    /// E.g. the group's name, up to 500 characters.
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub note: Option<String>,
}

/// Changes to a serving appointment.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateAppointmentRequest {
    /// Mentees the mentor takes, 1–30 (the college or the university); never below the active mentees.
    #[validate(range(min = 1, max = 30))]
    #[schema(minimum = 1, maximum = 30)]
    pub capacity: Option<i32>,
    /// What the mentor shares with mentees (WeChat, QQ, phone…), up to 500 characters, or `null`
    /// (the mentor themself, or the college).
    #[serde(default, deserialize_with = "super::common::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub contact_for_mentees: Option<Option<String>>,
}

fn respond(v: AppointmentView) -> HttpResponse {
    let version = v.appointment.version;
    ok_tagged(&AppointmentDto::from(v), version)
}

/// Appointing from a recommended nomination.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateAppointmentRequest {
    /// A nomination in state `recommended`.
    pub nomination_id: Uuid,
    /// Mentees the mentor takes, 1–30 (default: the year's `default_capacity`).
    #[validate(range(min = 1, max = 30))]
    #[schema(minimum = 1, maximum = 30)]
    pub capacity: Option<i32>,
}

/// Appointing every recommended nomination of a college and year.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct BulkAppointRequest {
    /// The college.
    pub college_id: Uuid,
    /// The academic year.
    pub academic_year_id: Uuid,
    /// Capacity for all of them, 1–30 (default: the year's `default_capacity`).
    #[validate(range(min = 1, max = 30))]
    #[schema(minimum = 1, maximum = 30)]
    pub capacity: Option<i32>,
}

/// The appointments made in bulk.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkAppointResponse {
    /// How many were appointed.
    pub appointed: usize,
    /// The new appointments.
    pub items: Vec<AppointmentDto>,
}

/// Training completion.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct TrainingRequest {
    /// When the training was completed.
    pub completed_on: NaiveDate,
    /// A note, up to 2000 characters.
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// A commendation (表彰).
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CommendationRequest {
    /// Title, 1–100 characters, e.g. `优秀研究生党员学长`.
    #[validate(length(min = 1, max = 100), custom(function = "crate::api::v1::common::not_blank"))]
    #[schema(min_length = 1, max_length = 100)]
    pub title: String,
    /// Why, 1–2000 characters.
    #[validate(length(min = 1, max = 2000), custom(function = "crate::api::v1::common::not_blank"))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
    /// When.
    pub awarded_on: NaiveDate,
}

/// A commendation.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommendationDto {
    /// Id.
    pub id: Uuid,
    /// The appointment.
    pub appointment_id: Uuid,
    /// Title.
    pub title: String,
    /// Why.
    pub reason: String,
    /// When.
    pub awarded_on: NaiveDate,
    /// Who recorded it.
    pub created_by: Option<Uuid>,
    /// Recorded.
    pub created_at: DateTime<Utc>,
}

impl From<Commendation> for CommendationDto {
    fn from(c: Commendation) -> Self {
        Self {
            id: c.id,
            appointment_id: c.appointment_id,
            title: c.title,
            reason: c.reason,
            awarded_on: c.awarded_on,
            created_by: c.created_by,
            created_at: c.created_at,
        }
    }
}

/// A list of commendations.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommendationList {
    /// Oldest first.
    pub items: Vec<CommendationDto>,
}

/// Appoint (校聘) the student of a recommended nomination (university admins).
///
/// Eligibility is checked again. Two concurrent requests for one nomination make one appointment;
/// the other gets `invalid_transition`. One active appointment per student and year.
#[utoipa::path(
    operation_id = "create_appointment",
    tag = "appointments",
    request_body = CreateAppointmentRequest,
    responses(
        (status = 201, description = "Appointed", body = AppointmentDto, headers(("Location" = String), ("ETag" = String))),
        ActionErrors
    )
)]
#[post("/appointments")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<CreateAppointmentRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let v = mentorship::appoint(&state.db, &auth.principal, b.nomination_id, b.capacity).await?;
    let (id, version) = (v.appointment.id, v.appointment.version);
    Ok(created(format!("/api/v1/appointments/{id}"), &AppointmentDto::from(v), version))
}

/// Appoint every recommended nomination of a college and year at once (university admins).
///
/// All or nothing: when any nomination cannot be appointed, nothing is, and the 422 lists each
/// failure as a field error `nominations[<id>]` with its code (`not_eligible`, `duplicate`, …).
#[utoipa::path(
    operation_id = "bulk_appoint",
    tag = "appointments",
    request_body = BulkAppointRequest,
    responses(
        (status = 200, description = "Appointed", body = BulkAppointResponse),
        ListErrors,
        (status = 415, response = UnsupportedMediaType)
    )
)]
#[post("/appointments/bulk")]
pub async fn bulk(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<BulkAppointRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let made =
        mentorship::appoint_all(&state.db, &auth.principal, b.college_id, b.academic_year_id, b.capacity).await?;
    let items: Vec<AppointmentDto> = made.into_iter().map(AppointmentDto::from).collect();
    Ok(ok(&BulkAppointResponse { appointed: items.len(), items }))
}

/// List appointments.
///
/// Sort keys: `created_at` (default, newest first), `updated_at`, `capacity`.
#[utoipa::path(
    operation_id = "list_appointments",
    tag = "appointments",
    params(PageParams, AppointmentQuery),
    responses(
        (status = 200, description = "One page of appointments", body = PageOf<AppointmentDto>),
        ListErrors
    )
)]
#[get("/appointments")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<PageParams>,
    q: web::Query<AppointmentQuery>,
) -> Result<HttpResponse, ApiError> {
    let f: repo::AppointmentFilter = q.into_inner().into();
    let p = repo::list(&state.db, &auth.principal, f, page.request()?, page.sort.as_deref()).await?;
    Ok(respond::page(&req, PageOf::from_page(p, AppointmentDto::from)))
}

/// Get an appointment.
///
/// The mentor themself, their college's admins and counselors, and the university see it. Objects
/// the caller may not see are 404, as if they did not exist.
#[utoipa::path(
    operation_id = "get_appointment",
    tag = "appointments",
    params(("id" = Uuid, Path, description = "Appointment id")),
    responses(
        (status = 200, description = "The appointment", body = AppointmentDto, headers(("ETag" = String))),
        ReadErrors
    )
)]
#[get("/appointments/{id}")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    Ok(respond(repo::get(&state.db, &auth.principal, *id).await?))
}

/// Record that the mentor completed the university's training (university admins).
///
/// Training is recorded once per appointment; the appointment must be active (409 otherwise). Send
/// the `ETag` last read as `If-Match` to change only that version (412 `precondition_failed`
/// otherwise, with the current version).
#[utoipa::path(
    operation_id = "record_training",
    tag = "appointments",
    params(("id" = Uuid, Path, description = "Appointment id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = TrainingRequest,
    responses(
        (status = 200, description = "Recorded", body = AppointmentDto, headers(("ETag" = String))),
        WriteErrors
    )
)]
#[post("/appointments/{id}/training")]
pub async fn training(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<TrainingRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    Ok(respond(repo::record_training(&state.db, &auth.principal, *id, b.completed_on, b.note, if_match.0).await?))
}

/// Record a commendation (表彰) (university admins).
///
/// For a serving or completed mentor; a dismissed or resigned one is 409. The change feed gets
/// `appointment.commended`. Answers with `Location`.
#[utoipa::path(
    operation_id = "create_commendation",
    tag = "appointments",
    params(("id" = Uuid, Path, description = "Appointment id")),
    request_body = CommendationRequest,
    responses(
        (status = 201, description = "Recorded", body = CommendationDto, headers(("Location" = String))),
        ActionErrors
    )
)]
#[post("/appointments/{id}/commendations")]
pub async fn commend(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<CommendationRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let c = repo::commend(&state.db, &auth.principal, *id, b.title.trim().to_owned(), b.reason, b.awarded_on).await?;
    Ok(created(format!("/api/v1/appointments/{}/commendations", c.appointment_id), &CommendationDto::from(c), 1))
}

/// List an appointment's commendations.
///
/// Oldest first, to those who see the appointment. Objects the caller may not see are 404, as if
/// they did not exist.
#[utoipa::path(
    operation_id = "list_commendations",
    tag = "appointments",
    params(("id" = Uuid, Path, description = "Appointment id")),
    responses(
        (status = 200, description = "The commendations", body = CommendationList),
        ReadErrors
    )
)]
#[get("/appointments/{id}/commendations")]
pub async fn commendations(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let found = repo::commendations(&state.db, &auth.principal, *id).await?;
    Ok(ok(&CommendationList { items: found.into_iter().map(CommendationDto::from).collect() }))
}

/// Dismiss a mentor (解聘), with a required reason.
///
/// A university admin dismisses at once (200): the appointment ends, its active pairings end and
/// their mentees need a new mentor, the public profile goes, the account stops acting as a
/// mentor. A college admin of the mentor's college files a request instead (202), shown on the
/// appointment as `dismissal_request` until the university decides.
#[utoipa::path(
    operation_id = "dismiss_appointment",
    tag = "appointments",
    params(("id" = Uuid, Path, description = "Appointment id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = ReasonRequest,
    responses(
        (status = 200, description = "Dismissed", body = AppointmentDto, headers(("ETag" = String))),
        (status = 202, description = "Dismissal requested", body = AppointmentDto, headers(("ETag" = String))),
        WriteErrors
    )
)]
#[post("/appointments/{id}/dismissal")]
pub async fn dismiss(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<ReasonRequest>,
) -> Result<HttpResponse, ApiError> {
    let reason = body.into_inner().reason;
    Ok(match mentorship::dismiss(&state.db, &auth.principal, *id, reason, if_match.0).await? {
        Dismissal::Dismissed(v) => respond(v),
        Dismissal::Requested(v) => {
            let version = v.appointment.version;
            HttpResponse::Accepted()
                .insert_header(("ETag", crate::respond::etag(version)))
                .json(AppointmentDto::from(v))
        }
    })
}

/// Resign an appointment.
///
/// By the mentor themself, or the university on their behalf, with a required reason. It ends the
/// appointment like a dismissal does: active pairings end and the mentees are listed for
/// re-pairing; 409 `invalid_transition` unless active. Send the `ETag` last read as `If-Match` to
/// change only that version (412 `precondition_failed` otherwise, with the current version).
#[utoipa::path(
    operation_id = "resign_appointment",
    tag = "appointments",
    params(("id" = Uuid, Path, description = "Appointment id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = ReasonRequest,
    responses(
        (status = 200, description = "Resigned", body = AppointmentDto, headers(("ETag" = String))),
        WriteErrors
    )
)]
#[post("/appointments/{id}/resignation")]
pub async fn resign(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<ReasonRequest>,
) -> Result<HttpResponse, ApiError> {
    let reason = body.into_inner().reason;
    Ok(respond(mentorship::resign(&state.db, &auth.principal, *id, reason, if_match.0).await?))
}

/// Record the orientation milestone (三(一)1).
///
/// The mentor was introduced to the freshmen and joined their QQ/WeChat group; recorded by the
/// mentor, the college or the university. Recording again replaces it. The compliance report
/// compares its date with the year's deadline. Send the `ETag` last read as `If-Match` to change
/// only that version (412 `precondition_failed` otherwise, with the current version).
#[utoipa::path(
    operation_id = "record_introduction",
    tag = "pairing",
    params(("id" = Uuid, Path, description = "Appointment id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = IntroductionDto,
    responses(
        (status = 200, description = "Recorded", body = AppointmentDto, headers(("ETag" = String))),
        WriteErrors
    )
)]
#[post("/appointments/{id}/introduction")]
pub async fn introduction(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<IntroductionDto>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let i = Introduction { introduced_on: b.introduced_on, channel: b.channel, note: b.note };
    Ok(respond(repo::record_introduction(&state.db, &auth.principal, *id, i, if_match.0).await?))
}

/// Change a serving appointment.
///
/// Its capacity (the college or the university; never below the active mentees: 409
/// `capacity_below_mentees`) or the contact details shared with mentees (the mentor or the
/// college). Send the `ETag` last read as `If-Match` to change only that version (412
/// `precondition_failed` otherwise, with the current version).
#[utoipa::path(
    operation_id = "update_appointment",
    tag = "appointments",
    params(("id" = Uuid, Path, description = "Appointment id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = UpdateAppointmentRequest,
    responses(
        (status = 200, description = "Changed", body = AppointmentDto, headers(("ETag" = String))),
        WriteErrors
    )
)]
#[patch("/appointments/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateAppointmentRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let c = mentorship::AppointmentChanges { capacity: b.capacity, contact_for_mentees: b.contact_for_mentees };
    Ok(respond(mentorship::change_appointment(&state.db, &auth.principal, *id, c, if_match.0).await?))
}

/// A mentor's public profile (公示): what the public directory may show while the appointment
/// serves. Name, college and unit come from the appointment.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileDto {
    /// The appointment.
    pub appointment_id: Uuid,
    /// 研究方向.
    pub research_direction: Option<String>,
    /// 个人简介.
    pub bio: Option<String>,
    /// 先进事迹, in the mentor's order.
    pub deeds: Vec<String>,
    /// The contact shown to the public (an office, a QQ group, a work mailbox).
    pub public_contact: Option<String>,
    /// Whether the directory shows it.
    pub published: bool,
    /// When it was last published.
    pub published_at: Option<DateTime<Utc>>,
    /// When the end of the appointment (dismissal, resignation, the end of the year) took it down.
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// Version (the `ETag`); 0 before anything was written.
    pub version: i32,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<MentorProfile> for ProfileDto {
    fn from(p: MentorProfile) -> Self {
        Self {
            appointment_id: p.appointment_id,
            research_direction: p.research_direction,
            bio: p.bio,
            deeds: p.deeds,
            public_contact: p.public_contact,
            published: p.published,
            published_at: p.published_at,
            withdrawn_at: p.withdrawn_at,
            version: p.version,
            updated_at: p.updated_at,
        }
    }
}

/// The whole of a public profile, as the mentor writes it. Texts are trimmed; blank ones are
/// absent.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ProfileRequest {
    /// 研究方向, up to 100 characters; required to publish.
    #[validate(length(max = 100))]
    #[schema(max_length = 100)]
    pub research_direction: Option<String>,
    /// 个人简介, up to 2000 characters; required to publish.
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub bio: Option<String>,
    /// 先进事迹: up to 20 lines (blank ones are dropped; more is `too_many`) of up to 200
    /// characters each (`too_long` on `deeds[i]`).
    #[serde(default)]
    pub deeds: Vec<String>,
    /// A contact for the public, up to 200 characters: never a phone number, the private email or
    /// a 学号 (`private_detail`).
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub public_contact: Option<String>,
    /// Show it in the public directory.
    pub published: bool,
}

fn respond_profile(p: MentorProfile) -> HttpResponse {
    let version = p.version;
    ok_tagged(&ProfileDto::from(p), version)
}

/// A mentor's public profile.
///
/// For those who see the appointment. Before anything is written it is empty and unpublished, with
/// version 0. The public directory shows only what is published.
#[utoipa::path(
    operation_id = "get_mentor_profile",
    tag = "appointments",
    params(("id" = Uuid, Path, description = "Appointment id")),
    responses(
        (status = 200, description = "The profile", body = ProfileDto, headers(("ETag" = String))),
        ReadErrors
    )
)]
#[get("/appointments/{id}/profile")]
pub async fn profile(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    Ok(respond_profile(persistence::selection::profiles::get(&state.db, &auth.principal, *id).await?))
}

/// Write a mentor's public profile (公示).
///
/// By the mentor, the admin of the college or the university, while the appointment serves
/// (otherwise 409 `invalid_transition`). The whole profile is replaced. Nothing private goes public: a text showing the mentor's 学号, phone or private email on
/// record, or anything shaped like a mobile or ID-card number, is a 422 `private_detail` on that
/// field. Publishing needs `research_direction` and `bio`. Dismissal, resignation and the close
/// of the year withdraw a published profile (`withdrawn_at`). Honours `If-Match` (`"0"` for a
/// profile never written).
#[utoipa::path(
    operation_id = "put_mentor_profile",
    tag = "appointments",
    params(("id" = Uuid, Path, description = "Appointment id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = ProfileRequest,
    responses(
        (status = 200, description = "Written", body = ProfileDto, headers(("ETag" = String))),
        WriteErrors
    )
)]
#[put("/appointments/{id}/profile")]
pub async fn put_profile(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<ProfileRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let input = ProfileInput {
        research_direction: b.research_direction,
        bio: b.bio,
        deeds: b.deeds,
        public_contact: b.public_contact,
        published: b.published,
    };
    let p = persistence::selection::profiles::put(&state.db, &auth.principal, *id, input, if_match.0).await?;
    Ok(respond_profile(p))
}
