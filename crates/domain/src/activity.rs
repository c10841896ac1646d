//! Activities (学长活动, rules 三 and 四.5): orientation introductions, freshman salons, research
//! salons, competition guidance, career guidance, club meetings, social events, training and
//! experience exchanges. Their scheduling rules, their state machine, registrations with a
//! waitlist, attendance and feedback, and who may do what to them.
//!
//! Times are instants (UTC); the program's calendar is Asia/Shanghai, a fixed +08:00 (China has
//! no daylight saving time), so days and deadlines are taken there.

use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::appointment::{Appointment, AppointmentState};
use crate::auth::{Principal, Role};
use crate::codes::ConflictCode;
use crate::error::{Error, FieldError, Problems, Result};
use crate::reference::{AcademicYear, Student, StudentStatus};
use crate::string_enum;
use crate::time::{in_shanghai, shanghai_date};

string_enum! {
    /// What kind of activity it is.
    pub enum ActivityKind {
        /// 新生开学典礼/师生见面会上介绍学长 (by Sept 30).
        OrientationIntroduction = "orientation_introduction",
        /// 研究生党员学长与新生交流沙龙 (by Oct 31).
        FreshmanSalon = "freshman_salon",
        /// “我与学长聊科研”主题学术沙龙.
        ResearchSalon = "research_salon",
        /// 指导参加挑战杯、创青春、互联网+、研究生创新实践系列大赛.
        CompetitionGuidance = "competition_guidance",
        /// 职业发展规划与就业指导.
        CareerGuidance = "career_guidance",
        /// 研究生党员学长俱乐部活动 (university-wide).
        ClubMeeting = "club_meeting",
        /// 联谊活动.
        SocialEvent = "social_event",
        /// 研工部对新聘学长的培训 (university-wide).
        Training = "training",
        /// 学长工作经验交流座谈会 (university-wide).
        ExperienceExchange = "experience_exchange",
    }
}

/// The five topics the rules suggest for a freshman salon (三(一)2).
pub const FRESHMAN_SALON_TOPICS: [&str; 5] = [
    "如何尽快适应研究生学习、科研和生活",
    "明确发展目标，规划好研究生学习科研生涯",
    "做好个人培养计划，如何选课、如何尽快融入导师科研团队",
    "如何申请奖学金、国际交流、联合培养",
    "介绍学校研究生教育管理相关制度",
];

/// What the rules say a research salon is about (三(二)2).
pub const RESEARCH_SALON_TOPICS: [&str; 4] =
    ["了解学科发展前沿和趋势", "尽快掌握科研方法", "做好学术科研规划", "围绕导师课题确定研究方向"];

/// The competitions the rules name for competition guidance (三(二)3).
pub const COMPETITIONS: [&str; 4] = [
    "“挑战杯”全国大学生课外科技作品竞赛",
    "“创青春”全国大学生创业大赛",
    "中国“互联网+”创新创业大赛",
    "中国研究生创新实践系列大赛",
];

impl ActivityKind {
    /// Kinds the university runs for all mentors: they belong to no college and only university
    /// admins organise them (学长俱乐部, 培训, 经验交流座谈会).
    pub fn is_university_wide(self) -> bool {
        matches!(self, ActivityKind::Training | ActivityKind::ClubMeeting | ActivityKind::ExperienceExchange)
    }

    /// The club's own kinds (学长俱乐部活动, 联谊, 经验交流座谈会): members of the mentors' club take
    /// part in them also after graduating.
    pub fn is_club(self) -> bool {
        matches!(self, ActivityKind::ClubMeeting | ActivityKind::SocialEvent | ActivityKind::ExperienceExchange)
    }

    /// Kinds that are mentors talking to students: they cannot be published without a host.
    pub fn needs_host(self) -> bool {
        matches!(
            self,
            ActivityKind::OrientationIntroduction
                | ActivityKind::FreshmanSalon
                | ActivityKind::ResearchSalon
                | ActivityKind::CompetitionGuidance
                | ActivityKind::CareerGuidance
        )
    }

    /// The kind's name in Chinese, as the program calls it.
    pub fn label(self) -> &'static str {
        match self {
            ActivityKind::OrientationIntroduction => "新生见面会学长介绍",
            ActivityKind::FreshmanSalon => "研究生党员学长与新生交流沙龙",
            ActivityKind::ResearchSalon => "“我与学长聊科研”主题学术沙龙",
            ActivityKind::CompetitionGuidance => "学术科技及创新创业竞赛指导",
            ActivityKind::CareerGuidance => "职业发展指导",
            ActivityKind::ClubMeeting => "研究生党员学长俱乐部活动",
            ActivityKind::SocialEvent => "联谊活动",
            ActivityKind::Training => "研究生党员学长培训",
            ActivityKind::ExperienceExchange => "学长工作经验交流座谈会",
        }
    }

    /// The topics the rules suggest for this kind (clients offer them as choices; topics on an
    /// activity are free text).
    pub fn suggested_topics(self) -> &'static [&'static str] {
        match self {
            ActivityKind::FreshmanSalon => &FRESHMAN_SALON_TOPICS,
            ActivityKind::ResearchSalon => &RESEARCH_SALON_TOPICS,
            ActivityKind::CompetitionGuidance => &COMPETITIONS,
            _ => &[],
        }
    }
}

string_enum! {
    /// Where an activity stands.
    pub enum ActivityState {
        /// Being prepared; seen only by its organisers and hosts.
        Planned = "planned",
        /// Announced: students register; its hosts and venue are booked.
        Published = "published",
        /// Took place; summary, expense and attendance are closed. Final.
        Held = "held",
        /// Called off, with a reason. Final.
        Cancelled = "cancelled",
    }
}

string_enum! {
    /// What can be done to an activity.
    pub enum ActivityAction {
        /// Change its details (a published one is re-checked for clashes).
        Edit = "edit",
        /// Announce it.
        Publish = "publish",
        /// Call it off.
        Cancel = "cancel",
        /// Record that it took place (closes attendance).
        Complete = "complete",
        /// Register or unregister students.
        Register = "register",
        /// Record attendance.
        RecordAttendance = "record_attendance",
        /// Give feedback.
        GiveFeedback = "give_feedback",
    }
}

impl ActivityState {
    /// The state after `action`, or `InvalidTransition`: `planned → published → held`, and
    /// `planned | published → cancelled`; registration and attendance while published, feedback
    /// once held.
    pub fn apply(self, action: ActivityAction) -> Result<ActivityState> {
        use ActivityAction as A;
        use ActivityState as S;
        let next = match (self, action) {
            (S::Planned | S::Published, A::Edit) => self,
            (S::Planned, A::Publish) => S::Published,
            (S::Planned | S::Published, A::Cancel) => S::Cancelled,
            (S::Published, A::Complete) => S::Held,
            (S::Published, A::Register | A::RecordAttendance) => self,
            (S::Held, A::GiveFeedback) => self,
            _ => return Err(Error::InvalidTransition { from: self.to_string(), action: action.to_string() }),
        };
        Ok(next)
    }

    /// Whether an activity in this state holds its hosts and venue (a held one did, so a later
    /// booking of the same slot is still a double booking).
    pub fn books_slot(self) -> bool {
        matches!(self, ActivityState::Published | ActivityState::Held)
    }
}

/// The longest an activity may last.
pub const MAX_DURATION_DAYS: i64 = 14;

/// When an activity takes place: `[start, end)`, whole seconds, end after start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    t.with_nanosecond(0).unwrap_or(t)
}

/// The years an activity may take place in; far-off dates are typing mistakes, and keeping to
/// them keeps every date computation far from chrono's limits.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

impl Schedule {
    /// Checks a start and end (any offset; kept as UTC, to the second).
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Self, FieldError> {
        for (field, t) in [("start_at", start), ("end_at", end)] {
            if !YEARS.contains(&t.year()) {
                return Err(FieldError::new(
                    field,
                    "out_of_range",
                    format!("{field} must lie between {} and {}", YEARS.start(), YEARS.end()),
                ));
            }
        }
        let (start, end) = (whole_seconds(start), whole_seconds(end));
        if end <= start {
            return Err(FieldError::new("end_at", "out_of_range", "end_at must be after start_at"));
        }
        if end - start > Duration::days(MAX_DURATION_DAYS) {
            return Err(FieldError::new(
                "end_at",
                "out_of_range",
                format!("an activity may last at most {MAX_DURATION_DAYS} days"),
            ));
        }
        Ok(Self { start, end })
    }

    /// A schedule read back from storage, where it was checked when written.
    pub fn trusted(start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        Self { start, end }
    }

    /// The start.
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// The end (exclusive).
    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }

    /// Whether two schedules share an instant. Half-open: one ending at 19:00 and another
    /// starting at 19:00 do not overlap.
    pub fn overlaps(&self, other: &Schedule) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// Checks that the activity lies within its academic year (Asia/Shanghai days).
    pub fn check_within(&self, year: &AcademicYear) -> Result<()> {
        let mut p = Problems::new();
        let first = shanghai_date(self.start);
        // The end is exclusive: an activity ending at midnight ends on the day before.
        let last = shanghai_date(self.end - Duration::microseconds(1));
        if first < year.starts_on || first > year.ends_on {
            p.push("start_at", "out_of_range", format!("the activity must take place within {}", year.code));
        }
        if last > year.ends_on || last < year.starts_on {
            p.push("end_at", "out_of_range", format!("the activity must take place within {}", year.code));
        }
        p.finish()
    }

    /// A short human form, e.g. `2025-10-20 19:00–21:00 (+08:00)`.
    pub fn describe(&self) -> String {
        let (s, e) = (in_shanghai(self.start), in_shanghai(self.end));
        if s.date_naive() == e.date_naive() {
            format!("{}–{} (+08:00)", s.format("%Y-%m-%d %H:%M"), e.format("%H:%M"))
        } else {
            format!("{}–{} (+08:00)", s.format("%Y-%m-%d %H:%M"), e.format("%Y-%m-%d %H:%M"))
        }
    }
}

/// The form of a venue used to compare bookings: trimmed, inner whitespace (including the
/// ideographic space) collapsed to one space, ASCII letters lower-cased. `Room 201 ` and
/// `room  201` are the same room.
pub fn venue_key(venue: &str) -> String {
    venue.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_lowercase()
}

fn text(field: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(FieldError::new(field, "required", format!("{field} must not be empty")));
    }
    // The limit counts what was sent, as the document's maxLength does.
    if raw.chars().count() > max {
        return Err(FieldError::new(field, "too_long", format!("{field} must be at most {max} characters")));
    }
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(FieldError::new(field, "invalid_format", format!("{field} must not contain control characters")));
    }
    Ok(s.to_owned())
}

/// Parses a title: 1–200 characters.
pub fn parse_title(raw: &str) -> Result<String, FieldError> {
    text("title", raw, 200).and_then(|t| {
        if t.contains(['\n', '\r']) {
            Err(FieldError::new("title", "invalid_format", "title must be one line"))
        } else {
            Ok(t)
        }
    })
}

/// Parses a description (up to 10000 characters); blank means none.
pub fn parse_description(raw: &str) -> Result<Option<String>, FieldError> {
    if raw.trim().is_empty() { Ok(None) } else { text("description", raw, 10_000).map(Some) }
}

/// Parses a venue (1–200 characters, one line).
pub fn parse_venue(raw: &str) -> Result<String, FieldError> {
    let v = text("venue", raw, 200)?;
    if v.contains(['\n', '\r']) {
        return Err(FieldError::new("venue", "invalid_format", "venue must be one line"));
    }
    Ok(v)
}

/// The longest online link, in characters as sent.
pub const MAX_ONLINE_LINK_CHARS: usize = 500;

/// Parses an online link: an `http://` or `https://` URL with a host, of at most 500 characters as
/// sent.
pub fn parse_online_link(raw: &str) -> Result<String, FieldError> {
    let s = raw.trim();
    let bad = || FieldError::new("online_link", "invalid_format", "online_link must be an http:// or https:// URL");
    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://")).ok_or_else(bad)?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty()
        || raw.chars().count() > MAX_ONLINE_LINK_CHARS
        || s.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(bad());
    }
    Ok(s.to_owned())
}

/// The most topics an activity may carry.
pub const MAX_TOPICS: usize = 10;

/// Parses topics: at most ten, each 1–100 characters, duplicates dropped, order kept.
pub fn parse_topics(raw: &[String]) -> Result<Vec<String>> {
    let mut p = Problems::new();
    if raw.len() > MAX_TOPICS {
        p.push("topics", "too_long", format!("at most {MAX_TOPICS} topics"));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, t) in raw.iter().enumerate() {
        let field = format!("topics[{i}]");
        if let Some(t) = p.take(text(&field, t, 100))
            && !out.contains(&t)
        {
            out.push(t);
        }
    }
    p.finish().map(|()| out)
}

/// The largest capacity an activity may have.
pub const MAX_ACTIVITY_CAPACITY: i32 = 10_000;

/// Checks a capacity (`None` is unlimited).
pub fn check_activity_capacity(capacity: i32) -> Result<i32, FieldError> {
    if (1..=MAX_ACTIVITY_CAPACITY).contains(&capacity) {
        Ok(capacity)
    } else {
        Err(FieldError::new(
            "capacity",
            "out_of_range",
            format!("capacity must be between 1 and {MAX_ACTIVITY_CAPACITY}"),
        ))
    }
}

/// The largest amount of money accepted, in fen (一亿元).
pub const MAX_FEN: i64 = 10_000_000_000;

/// Checks an amount of money in fen (分): `0 ..= MAX_FEN`.
pub fn check_fen(field: &str, fen: i64) -> Result<i64, FieldError> {
    if (0..=MAX_FEN).contains(&fen) {
        Ok(fen)
    } else {
        Err(FieldError::new(field, "out_of_range", format!("{field} must be between 0 and {MAX_FEN} fen")))
    }
}

/// Checks the college of an activity of `kind`: a university-wide kind has none, every other
/// kind belongs to one.
pub fn check_college_for_kind(kind: ActivityKind, college_id: Option<Uuid>) -> Result<(), FieldError> {
    match (kind.is_university_wide(), college_id) {
        (true, Some(_)) => Err(FieldError::new(
            "college_id",
            "not_allowed",
            format!("a {kind} is university-wide and belongs to no college"),
        )),
        (false, None) => Err(FieldError::new("college_id", "required", format!("a {kind} belongs to a college"))),
        _ => Ok(()),
    }
}

/// The most hosts an activity may have.
pub const MAX_HOSTS: usize = 20;

/// A host: a mentor, by their appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Host {
    /// The appointment.
    pub appointment_id: Uuid,
    /// The mentor (a student).
    pub student_id: Uuid,
}

/// Checks that `a` may host an activity of `year_id` (and of `college_id`, unless the activity
/// is university-wide): an active appointment for that academic year, of the same college.
pub fn check_host(field: &str, a: &Appointment, year_id: Uuid, college_id: Option<Uuid>) -> Result<(), FieldError> {
    if a.state != AppointmentState::Active {
        return Err(FieldError::new(field, "not_active", format!("the appointment is {}, not active", a.state)));
    }
    if a.academic_year_id != year_id {
        return Err(FieldError::new(field, "wrong_year", "the appointment is for another academic year"));
    }
    if college_id.is_some_and(|c| c != a.college_id) {
        return Err(FieldError::new(field, "wrong_college", "the mentor belongs to another college"));
    }
    Ok(())
}

/// An activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    /// Id.
    pub id: Uuid,
    /// Kind.
    pub kind: ActivityKind,
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// Topics (free text; see [`ActivityKind::suggested_topics`]).
    pub topics: Vec<String>,
    /// The academic year.
    pub academic_year_id: Uuid,
    /// The college; `None` for a university-wide activity.
    pub college_id: Option<Uuid>,
    /// The unit (lab, discipline…) it is for, if any.
    pub unit_id: Option<Uuid>,
    /// The host mentors, in the order given.
    pub hosts: Vec<Host>,
    /// The user who created it.
    pub organiser_id: Option<Uuid>,
    /// When.
    pub schedule: Schedule,
    /// Where, if on site.
    pub venue: Option<String>,
    /// The online meeting link, if online.
    pub online_link: Option<String>,
    /// Places; `None` is unlimited.
    pub capacity: Option<i32>,
    /// Budget in fen.
    pub budget_fen: Option<i64>,
    /// State.
    pub state: ActivityState,
    /// When it was published.
    pub published_at: Option<DateTime<Utc>>,
    /// When it was cancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// When it was recorded as held.
    pub held_at: Option<DateTime<Utc>>,
    /// What happened (recorded when held).
    pub summary: Option<String>,
    /// What it cost, in fen (recorded when held).
    pub actual_expense_fen: Option<i64>,
    /// Optimistic-concurrency version.
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl Activity {
    /// The key its venue is compared by.
    pub fn venue_key(&self) -> Option<String> {
        self.venue.as_deref().map(venue_key)
    }

    /// The students hosting it.
    pub fn host_students(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.hosts.iter().map(|h| h.student_id)
    }

    /// Checks what publishing needs besides the state: a mentor-led kind needs a host.
    pub fn check_publishable(&self) -> Result<()> {
        if self.kind.needs_host() && self.hosts.is_empty() {
            return Err(Error::Conflict {
                code: ConflictCode::HostRequired,
                detail: format!("a {} needs at least one host mentor before it is published", self.kind),
            });
        }
        Ok(())
    }

    /// Checks that students may register now: published and not yet over.
    pub fn check_registration_open(&self, now: DateTime<Utc>) -> Result<()> {
        self.state.apply(ActivityAction::Register)?;
        if now >= self.schedule.end() {
            return Err(Error::Conflict {
                code: ConflictCode::RegistrationClosed,
                detail: "the activity is over; registrations are closed".into(),
            });
        }
        Ok(())
    }

    /// Checks that attendance may be taken now: published and started. Recording the activity as
    /// held closes attendance (`attendance_closed`): what was recorded then is who attended, and
    /// only they may give feedback — a list changed afterwards could make anyone an attendee.
    pub fn check_attendance_open(&self, now: DateTime<Utc>) -> Result<()> {
        if self.state == ActivityState::Held {
            return Err(Error::Conflict {
                code: ConflictCode::AttendanceClosed,
                detail: "the activity was recorded as held; attendance closed then".into(),
            });
        }
        self.state.apply(ActivityAction::RecordAttendance)?;
        self.check_started(now)
    }

    /// Checks that the activity may be recorded as held now: published and started.
    pub fn check_completable(&self, now: DateTime<Utc>) -> Result<()> {
        self.state.apply(ActivityAction::Complete)?;
        self.check_started(now)
    }

    fn check_started(&self, now: DateTime<Utc>) -> Result<()> {
        if now < self.schedule.start() {
            return Err(Error::Conflict {
                code: ConflictCode::NotStarted,
                detail: format!("the activity has not started yet (it starts {})", self.schedule.describe()),
            });
        }
        Ok(())
    }

    /// Whether a student may take part: one of its college (anyone for a university-wide one),
    /// still enrolled — or, for the club's own kinds ([`ActivityKind::is_club`]), a member of the
    /// mentors' club (`club_member`), alumni included, whose student record may be graduated.
    /// `Err` says why not.
    pub fn check_participant(&self, s: &Student, club_member: bool) -> Result<(), String> {
        let member_welcome = club_member && self.kind.is_club();
        if s.status != StudentStatus::Enrolled && !member_welcome {
            return Err(format!("{} is {}, not enrolled", s.name, s.status));
        }
        if self.college_id.is_some_and(|c| c != s.college_id) {
            return Err(format!("{} is not a student of the activity's college", s.name));
        }
        Ok(())
    }

    /// Whether this is a freshman salon held by the year's salon deadline (the milestone of
    /// rules 三(一)2: by Oct 31, Asia/Shanghai).
    pub fn counts_for_salon_milestone(&self, year: &AcademicYear) -> bool {
        self.kind == ActivityKind::FreshmanSalon
            && self.state == ActivityState::Held
            && self.academic_year_id == year.id
            && shanghai_date(self.schedule.start()) <= year.policy.salon_deadline
    }
}

/// How far back the public calendar reaches: published and held activities that ended longer ago
/// than this are left out.
pub const CALENDAR_LOOKBACK_DAYS: i64 = 400;

/// How long a cancelled activity stays in the public calendar (as `STATUS:CANCELLED`) after its
/// start: a calendar app that subscribed while it was published removes it from its copy only
/// when the feed says it was cancelled, so dropping it at once would leave a ghost event.
pub const CANCELLED_IN_CALENDAR_DAYS: i64 = 30;

impl Activity {
    /// Whether the public calendar shows the activity at `now`: published and held ones until
    /// [`CALENDAR_LOOKBACK_DAYS`] after their end; cancelled ones that had been published until
    /// [`CANCELLED_IN_CALENDAR_DAYS`] after their start; never a planned one (nor one cancelled
    /// while planned: nobody was told of it).
    pub fn shows_in_calendar(&self, now: DateTime<Utc>) -> bool {
        match self.state {
            ActivityState::Published | ActivityState::Held => {
                self.schedule.end() >= now - Duration::days(CALENDAR_LOOKBACK_DAYS)
            }
            ActivityState::Cancelled => {
                self.published_at.is_some() && self.schedule.start() >= now - Duration::days(CANCELLED_IN_CALENDAR_DAYS)
            }
            ActivityState::Planned => false,
        }
    }
}

/// A slot an activity books, for clash checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    /// The activity.
    pub id: Uuid,
    /// Its title, to name it in a conflict.
    pub title: String,
    /// When.
    pub schedule: Schedule,
    /// Its venue key, if on site.
    pub venue_key: Option<String>,
    /// Its hosts: student id and name.
    pub hosts: Vec<(Uuid, String)>,
}

/// Checks `candidate` against other bookings: a host is never in two overlapping activities
/// (`host_double_booked`), a venue is never booked twice at once (`venue_double_booked`). The
/// conflict names the clashing activity (the earliest one, hosts before venues).
pub fn check_clashes(candidate: &Booking, others: &[Booking]) -> Result<()> {
    let mut clashing: Vec<&Booking> =
        others.iter().filter(|o| o.id != candidate.id && o.schedule.overlaps(&candidate.schedule)).collect();
    clashing.sort_by_key(|o| (o.schedule.start(), o.id));
    for o in &clashing {
        if let Some((_, name)) = candidate.hosts.iter().find(|(s, _)| o.hosts.iter().any(|(t, _)| t == s)) {
            return Err(Error::Conflict {
                code: ConflictCode::HostDoubleBooked,
                detail: format!(
                    "{name} already hosts \"{}\" (activity {}) at {}, which overlaps this activity",
                    o.title,
                    o.id,
                    o.schedule.describe()
                ),
            });
        }
    }
    for o in &clashing {
        if candidate.venue_key.is_some() && o.venue_key == candidate.venue_key {
            return Err(Error::Conflict {
                code: ConflictCode::VenueDoubleBooked,
                detail: format!(
                    "the venue is booked by \"{}\" (activity {}) at {}, which overlaps this activity",
                    o.title,
                    o.id,
                    o.schedule.describe()
                ),
            });
        }
    }
    Ok(())
}

string_enum! {
    /// Where a registration stands.
    pub enum RegistrationState {
        /// Has a place.
        Registered = "registered",
        /// Waiting for a place; promoted in registration order when one frees up.
        Waitlisted = "waitlisted",
        /// Withdrawn. Final.
        Cancelled = "cancelled",
    }
}

string_enum! {
    /// What can be done to a registration.
    pub enum RegistrationAction {
        /// Withdraw.
        Cancel = "cancel",
        /// Give a waitlisted student a freed place.
        Promote = "promote",
        /// Mark present or absent.
        MarkAttendance = "mark_attendance",
    }
}

impl RegistrationState {
    /// The state after `action`, or `InvalidTransition`.
    pub fn apply(self, action: RegistrationAction) -> Result<RegistrationState> {
        use RegistrationAction as A;
        use RegistrationState as S;
        match (self, action) {
            (S::Registered | S::Waitlisted, A::Cancel) => Ok(S::Cancelled),
            (S::Waitlisted, A::Promote) => Ok(S::Registered),
            (S::Registered, A::MarkAttendance) => Ok(S::Registered),
            _ => Err(Error::InvalidTransition { from: self.to_string(), action: action.to_string() }),
        }
    }
}

/// Where a new registration goes, given the capacity and how many hold a place.
pub fn place_for(capacity: Option<i32>, registered: u64) -> RegistrationState {
    match capacity {
        Some(c) if registered >= u64::try_from(c).unwrap_or(0) => RegistrationState::Waitlisted,
        _ => RegistrationState::Registered,
    }
}

/// A student's registration for an activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    /// Id.
    pub id: Uuid,
    /// The activity.
    pub activity_id: Uuid,
    /// The student.
    pub student_id: Uuid,
    /// State.
    pub state: RegistrationState,
    /// Whether the student attended (recorded by the organisers).
    pub attended: bool,
    /// Who registered the student (themself or an organiser).
    pub registered_by: Option<Uuid>,
    /// When a waitlisted registration got its place.
    pub promoted_at: Option<DateTime<Utc>>,
    /// When it was cancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Registered (the waitlist order).
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// Checks a feedback rating: 1–5.
pub fn check_rating(rating: i32) -> Result<i32, FieldError> {
    if (1..=5).contains(&rating) {
        Ok(rating)
    } else {
        Err(FieldError::new("rating", "out_of_range", "rating must be between 1 and 5"))
    }
}

/// Checks that a student with `registration` may give feedback on `a`: the activity was held and
/// the student attended.
pub fn check_feedback_allowed(a: &Activity, registration: Option<&Registration>, now: DateTime<Utc>) -> Result<()> {
    a.state.apply(ActivityAction::GiveFeedback)?;
    if now > a.feedback_closes_at() {
        return Err(Error::Conflict {
            code: ConflictCode::FeedbackClosed,
            detail: format!("feedback closed {FEEDBACK_WINDOW_DAYS} days after the activity ended"),
        });
    }
    match registration {
        Some(r) if r.state == RegistrationState::Registered && r.attended => Ok(()),
        _ => Err(Error::Forbidden("only students who attended may give feedback".into())),
    }
}

/// How long after an activity ends its attendees may give feedback. Only then do mentors who
/// run it see the mean, so that no single answer can be read off its changes.
pub const FEEDBACK_WINDOW_DAYS: i64 = 14;

/// From this many answers on, those who run an activity (but do not administer its college) see
/// the mean; below it the mean would give answers away.
pub const MIN_ANSWERS_FOR_MEAN: u64 = 3;

impl Activity {
    /// When feedback on the activity closes.
    pub fn feedback_closes_at(&self) -> DateTime<Utc> {
        self.schedule.end() + Duration::days(FEEDBACK_WINDOW_DAYS)
    }
}

/// A student's feedback on an activity they attended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feedback {
    /// Id.
    pub id: Uuid,
    /// The activity.
    pub activity_id: Uuid,
    /// The student.
    pub student_id: Uuid,
    /// 1–5.
    pub rating: i32,
    /// Comment.
    pub comment: Option<String>,
    /// Given.
    pub created_at: DateTime<Utc>,
}

/// Who is calling, as far as activities need to know: the account, and the college the person
/// belongs to (a student's or staff member's college, or the college of a college-scoped role).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The user.
    pub user_id: Uuid,
    /// The role.
    pub role: Role,
    /// The college of a college admin or counselor.
    pub scoped_college: Option<Uuid>,
    /// The college the person belongs to.
    pub home_college: Option<Uuid>,
    /// The student record of a student account.
    pub student_id: Option<Uuid>,
}

impl Caller {
    /// The caller behind `p`, whose own college is `home_college`. Service clients have no part
    /// in activities (they read the change feed).
    pub fn new(p: &Principal, home_college: Option<Uuid>) -> Result<Caller> {
        match p {
            Principal::User(u) => Ok(Caller {
                user_id: u.id,
                role: u.role,
                scoped_college: if u.role.is_college_scoped() { u.college_id } else { None },
                home_college,
                student_id: u.student_id,
            }),
            Principal::Client(_) => {
                Err(Error::Forbidden("service clients read activities through the change feed".into()))
            }
        }
    }

    /// Whether this is a university admin.
    pub fn is_university_admin(&self) -> bool {
        self.role == Role::UniversityAdmin
    }

    /// The college a college admin administers.
    pub fn admin_of(&self) -> Option<Uuid> {
        if self.role == Role::CollegeAdmin { self.scoped_college } else { None }
    }

    /// Whether the caller may create an activity of `kind` in `college_id` (`None`:
    /// university-wide). `mentor` is the caller's own active appointment for the activity's
    /// year, if they are a student who holds one.
    pub fn may_create(&self, kind: ActivityKind, college_id: Option<Uuid>, mentor: Option<&Appointment>) -> Result<()> {
        let Some(college) = college_id else {
            return if self.is_university_admin() {
                Ok(())
            } else {
                Err(Error::Forbidden("only university admins organise university-wide activities".into()))
            };
        };
        if kind.is_university_wide() {
            return Err(Error::Forbidden(format!("a {kind} is university-wide: only university admins organise it")));
        }
        let ok = self.is_university_admin()
            || self.admin_of() == Some(college)
            || (self.role == Role::Student
                && mentor.is_some_and(|a| {
                    a.state == AppointmentState::Active
                        && a.college_id == college
                        && Some(a.student_id) == self.student_id
                }));
        if ok {
            Ok(())
        } else {
            Err(Error::Forbidden(
                "activities of a college are organised by its admins, its serving mentors or the university".into(),
            ))
        }
    }

    /// Whether the caller manages `a` (edits, publishes, cancels, completes it): the university,
    /// the admin of its college, or the mentor who organised it (admins manage through their
    /// college, so an admin moved to another college keeps no hold on what they organised; a
    /// mentor's hold is handed back to the college when their appointment ends early).
    pub fn manages(&self, a: &Activity) -> bool {
        self.is_university_admin()
            || (a.college_id.is_some() && self.admin_of() == a.college_id)
            || (self.role == Role::Student && a.organiser_id == Some(self.user_id))
    }

    /// Whether the caller reads feedback with who gave it: the university and the admins and
    /// counselors of the activity's college — not the mentors who run it.
    pub fn reads_identified_feedback(&self, a: &Activity) -> bool {
        self.is_university_admin() || (a.college_id.is_some() && self.scoped_college == a.college_id)
    }

    /// Whether the caller runs `a` (registers students, takes attendance, sees who registered):
    /// its managers and its host mentors.
    pub fn runs(&self, a: &Activity) -> bool {
        self.manages(a) || self.student_id.is_some_and(|s| a.host_students().any(|h| h == s))
    }

    /// Whether the caller may know of `a`: those who run it; the admins and counselors of its
    /// college; and, once it is published, everyone of its college (everyone for a
    /// university-wide one).
    pub fn sees(&self, a: &Activity) -> bool {
        self.runs(a)
            || (a.college_id.is_some() && self.scoped_college == a.college_id)
            || (a.state != ActivityState::Planned && (a.college_id.is_none() || a.college_id == self.home_college))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::UserPrincipal;
    use crate::reference::{Degree, Gender, PoliticalStatus, YearPolicy};
    use crate::time::shanghai;
    use chrono::NaiveDate;
    use chrono::TimeZone;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        shanghai().with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap().with_timezone(&Utc)
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn slot(h1: u32, h2: u32) -> Schedule {
        Schedule::new(at(2025, 10, 20, h1, 0), at(2025, 10, 20, h2, 0)).unwrap()
    }

    fn year() -> AcademicYear {
        let now = Utc::now();
        AcademicYear {
            id: Uuid::now_v7(),
            code: "2025-2026".into(),
            starts_on: date(2025, 9, 1),
            ends_on: date(2026, 8, 31),
            policy: YearPolicy {
                default_capacity: 5,
                allow_probationary: false,
                introduction_deadline: date(2025, 9, 30),
                salon_deadline: date(2025, 10, 31),
                record_edit_days: 30,
                concern_overdue: Default::default(),
                assessment_opens_on: None,
                assessment_closes_on: None,
                credit: Default::default(),
            },
            closed: false,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    fn activity(kind: ActivityKind, college: Option<Uuid>, state: ActivityState) -> Activity {
        let now = Utc::now();
        Activity {
            id: Uuid::now_v7(),
            kind,
            title: "新生交流沙龙".into(),
            description: None,
            topics: vec![],
            academic_year_id: Uuid::now_v7(),
            college_id: college,
            unit_id: None,
            hosts: vec![],
            organiser_id: None,
            schedule: slot(19, 21),
            venue: Some("江安 一教 A101".into()),
            online_link: None,
            capacity: Some(30),
            budget_fen: None,
            state,
            published_at: None,
            cancelled_at: None,
            cancel_reason: None,
            held_at: None,
            summary: None,
            actual_expense_fen: None,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    fn appointment(student: Uuid, year: Uuid, college: Uuid, state: AppointmentState) -> Appointment {
        let now = Utc::now();
        Appointment {
            id: Uuid::now_v7(),
            nomination_id: Uuid::now_v7(),
            student_id: student,
            academic_year_id: year,
            college_id: college,
            unit_id: Uuid::now_v7(),
            capacity: 5,
            state,
            training_completed_on: None,
            training_note: None,
            dismissal_request: None,
            introduction: None,
            contact_for_mentees: None,
            ended_at: None,
            end_reason: None,
            appointed_by: None,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    fn caller(role: Role, scoped: Option<Uuid>, home: Option<Uuid>, student: Option<Uuid>) -> Caller {
        Caller { user_id: Uuid::now_v7(), role, scoped_college: scoped, home_college: home, student_id: student }
    }

    fn booking(schedule: Schedule, venue: Option<&str>, hosts: &[Uuid]) -> Booking {
        Booking {
            id: Uuid::now_v7(),
            title: "研究生学长科研沙龙".into(),
            schedule,
            venue_key: venue.map(venue_key),
            hosts: hosts.iter().map(|h| (*h, "李华".to_owned())).collect(),
        }
    }

    #[test]
    fn every_state_and_action_pair_is_allowed_or_an_invalid_transition() {
        use ActivityAction as A;
        use ActivityState as S;
        let allowed = [
            (S::Planned, A::Edit, S::Planned),
            (S::Published, A::Edit, S::Published),
            (S::Planned, A::Publish, S::Published),
            (S::Planned, A::Cancel, S::Cancelled),
            (S::Published, A::Cancel, S::Cancelled),
            (S::Published, A::Complete, S::Held),
            (S::Published, A::Register, S::Published),
            (S::Published, A::RecordAttendance, S::Published),
            (S::Held, A::GiveFeedback, S::Held),
        ];
        for state in S::ALL {
            for action in A::ALL {
                let expected = allowed.iter().find(|(s, a, _)| s == state && a == action).map(|(_, _, n)| *n);
                match (state.apply(*action), expected) {
                    (Ok(next), Some(n)) => assert_eq!(next, n),
                    (Err(Error::InvalidTransition { from, action: a }), None) => {
                        assert_eq!(from, state.as_str());
                        assert_eq!(a, action.as_str());
                    }
                    (got, want) => panic!("{state} --{action}--> gave {got:?}, expected {want:?}"),
                }
            }
        }
    }

    #[test]
    fn every_registration_state_and_action_pair_is_allowed_or_an_invalid_transition() {
        use RegistrationAction as A;
        use RegistrationState as S;
        let allowed = [
            (S::Registered, A::Cancel, S::Cancelled),
            (S::Waitlisted, A::Cancel, S::Cancelled),
            (S::Waitlisted, A::Promote, S::Registered),
            (S::Registered, A::MarkAttendance, S::Registered),
        ];
        for state in S::ALL {
            for action in A::ALL {
                let expected = allowed.iter().find(|(s, a, _)| s == state && a == action).map(|(_, _, n)| *n);
                match (state.apply(*action), expected) {
                    (Ok(next), Some(n)) => assert_eq!(next, n),
                    (Err(Error::InvalidTransition { .. }), None) => {}
                    (got, want) => panic!("{state} --{action}--> gave {got:?}, expected {want:?}"),
                }
            }
        }
    }

    #[test]
    fn only_published_and_held_activities_book_their_slot() {
        assert!(ActivityState::Published.books_slot());
        assert!(ActivityState::Held.books_slot());
        assert!(!ActivityState::Planned.books_slot());
        assert!(!ActivityState::Cancelled.books_slot());
    }

    #[test]
    fn overlap_is_half_open() {
        assert!(slot(19, 21).overlaps(&slot(20, 22)));
        assert!(slot(19, 21).overlaps(&slot(18, 20)));
        assert!(slot(19, 21).overlaps(&slot(19, 21)));
        assert!(slot(19, 22).overlaps(&slot(20, 21)), "containment overlaps");
        assert!(slot(20, 21).overlaps(&slot(19, 22)), "and is symmetric");
        assert!(!slot(19, 21).overlaps(&slot(21, 23)), "back to back does not overlap");
        assert!(!slot(21, 23).overlaps(&slot(19, 21)));
        assert!(!slot(9, 10).overlaps(&slot(19, 21)));
    }

    #[test]
    fn a_schedule_ends_after_it_starts_and_lasts_at_most_two_weeks() {
        let t = at(2025, 10, 20, 19, 0);
        assert!(Schedule::new(t, t).is_err());
        assert_eq!(Schedule::new(t, t - Duration::hours(1)).unwrap_err().field, "end_at");
        assert!(Schedule::new(t, t + Duration::days(MAX_DURATION_DAYS)).is_ok());
        let far = DateTime::<Utc>::MAX_UTC - Duration::days(1);
        assert_eq!(Schedule::new(far, far + Duration::hours(1)).map_err(|e| e.field), Err("start_at".to_owned()));
        assert!(Schedule::new(t, t + Duration::days(MAX_DURATION_DAYS) + Duration::seconds(1)).is_err());
        // Sub-second precision is dropped, so what is stored is what is shown.
        let s = Schedule::new(t + Duration::milliseconds(400), t + Duration::hours(2)).unwrap();
        assert_eq!(s.start(), t);
    }

    #[test]
    fn an_activity_lies_within_its_academic_year_in_shanghai_days() {
        let y = year();
        let ok = Schedule::new(at(2025, 9, 1, 0, 0), at(2025, 9, 1, 2, 0)).unwrap();
        assert!(ok.check_within(&y).is_ok());
        // 2025-08-31 23:00 in Shanghai is 15:00 UTC on Aug 31: still before the year.
        let early = Schedule::new(at(2025, 8, 31, 23, 0), at(2025, 9, 1, 1, 0)).unwrap();
        let Err(Error::Validation(e)) = early.check_within(&y) else { panic!("expected a validation error") };
        assert_eq!(e[0].field, "start_at");
        // Ending at midnight after the last day is still within the year.
        let last = Schedule::new(at(2026, 8, 31, 22, 0), at(2026, 9, 1, 0, 0)).unwrap();
        assert!(last.check_within(&y).is_ok());
        let late = Schedule::new(at(2026, 8, 31, 22, 0), at(2026, 9, 1, 1, 0)).unwrap();
        let Err(Error::Validation(e)) = late.check_within(&y) else { panic!("expected a validation error") };
        assert_eq!(e[0].field, "end_at");
    }

    #[test]
    fn times_are_shown_in_shanghai() {
        let t = at(2025, 10, 20, 19, 0);
        assert_eq!(t, Utc.with_ymd_and_hms(2025, 10, 20, 11, 0, 0).unwrap());
        assert_eq!(in_shanghai(t).to_rfc3339(), "2025-10-20T19:00:00+08:00");
        // 23:30 UTC is the next day in Shanghai.
        assert_eq!(shanghai_date(Utc.with_ymd_and_hms(2025, 10, 31, 23, 30, 0).unwrap()), date(2025, 11, 1));
        assert_eq!(slot(19, 21).describe(), "2025-10-20 19:00–21:00 (+08:00)");
    }

    #[test]
    fn venues_compare_by_trimmed_collapsed_ascii_lowercase_form() {
        assert_eq!(venue_key("  Room 201 "), venue_key("room   201"));
        assert_eq!(venue_key("江安\u{3000}一教 A101"), venue_key("江安 一教 a101"));
        assert_ne!(venue_key("Room 201"), venue_key("Room 202"));
    }

    #[test]
    fn a_host_in_two_overlapping_activities_is_a_conflict_naming_the_other() {
        let mentor = Uuid::now_v7();
        let existing = booking(slot(19, 21), Some("A101"), &[mentor]);
        let candidate = booking(slot(20, 22), Some("B202"), &[Uuid::now_v7(), mentor]);
        let Err(Error::Conflict { code, detail }) = check_clashes(&candidate, std::slice::from_ref(&existing)) else {
            panic!("expected a conflict")
        };
        assert_eq!(code, ConflictCode::HostDoubleBooked);
        assert!(detail.contains(&existing.id.to_string()) && detail.contains("研究生学长科研沙龙"), "{detail}");
        // Back to back is fine, and so is another host.
        assert!(
            check_clashes(&booking(slot(21, 23), Some("B202"), &[mentor]), std::slice::from_ref(&existing)).is_ok()
        );
        assert!(check_clashes(&booking(slot(20, 22), Some("B202"), &[Uuid::now_v7()]), &[existing]).is_ok());
    }

    #[test]
    fn a_venue_booked_twice_at_once_is_a_conflict_but_online_activities_never_clash() {
        let existing = booking(slot(19, 21), Some("江安 一教 A101"), &[]);
        let candidate = booking(slot(20, 22), Some(" 江安  一教 a101 "), &[]);
        let Err(Error::Conflict { code, detail }) = check_clashes(&candidate, std::slice::from_ref(&existing)) else {
            panic!("expected a conflict")
        };
        assert_eq!(code, ConflictCode::VenueDoubleBooked);
        assert!(detail.contains(&existing.id.to_string()));
        let online = booking(slot(19, 21), None, &[]);
        assert!(check_clashes(&online, &[booking(slot(19, 21), None, &[])]).is_ok());
        assert!(check_clashes(&booking(slot(19, 21), Some("A102"), &[]), std::slice::from_ref(&existing)).is_ok());
        // An activity never clashes with itself (re-checking a published one after an edit).
        let same = Booking { schedule: slot(19, 22), ..existing.clone() };
        assert!(check_clashes(&same, &[existing]).is_ok());
    }

    #[test]
    fn a_host_clash_is_reported_before_a_venue_clash_and_the_earliest_first() {
        let mentor = Uuid::now_v7();
        let venue_first = booking(slot(18, 20), Some("A101"), &[]);
        let host_later = booking(slot(20, 22), Some("C303"), &[mentor]);
        let candidate = booking(slot(19, 21), Some("A101"), &[mentor]);
        let Err(Error::Conflict { code, .. }) = check_clashes(&candidate, &[venue_first.clone(), host_later]) else {
            panic!("expected a conflict")
        };
        assert_eq!(code, ConflictCode::HostDoubleBooked);
        let second = booking(slot(20, 21), Some("A101"), &[]);
        let Err(Error::Conflict { detail, .. }) =
            check_clashes(&booking(slot(19, 21), Some("A101"), &[]), &[second, venue_first.clone()])
        else {
            panic!("expected a conflict")
        };
        assert!(detail.contains(&venue_first.id.to_string()), "{detail}");
    }

    #[test]
    fn hosts_hold_an_active_appointment_of_the_year_and_college() {
        let (y, c) = (Uuid::now_v7(), Uuid::now_v7());
        let a = appointment(Uuid::now_v7(), y, c, AppointmentState::Active);
        assert!(check_host("h", &a, y, Some(c)).is_ok());
        assert!(check_host("h", &a, y, None).is_ok(), "university-wide activities take any college's mentor");
        assert_eq!(check_host("h", &a, Uuid::now_v7(), Some(c)).unwrap_err().code, "wrong_year");
        assert_eq!(check_host("h", &a, y, Some(Uuid::now_v7())).unwrap_err().code, "wrong_college");
        let ended = appointment(a.student_id, y, c, AppointmentState::Dismissed);
        assert_eq!(check_host("h", &ended, y, Some(c)).unwrap_err().code, "not_active");
    }

    #[test]
    fn university_wide_kinds_are_organised_only_by_university_admins() {
        let c = Uuid::now_v7();
        let admin = caller(Role::UniversityAdmin, None, None, None);
        let college_admin = caller(Role::CollegeAdmin, Some(c), Some(c), None);
        for kind in ActivityKind::ALL {
            if kind.is_university_wide() {
                assert!(admin.may_create(*kind, None, None).is_ok());
                assert!(admin.may_create(*kind, Some(c), None).is_err(), "{kind} has no college");
                assert!(college_admin.may_create(*kind, Some(c), None).is_err());
            } else {
                assert!(admin.may_create(*kind, Some(c), None).is_ok());
                assert!(college_admin.may_create(*kind, Some(c), None).is_ok());
            }
            assert!(college_admin.may_create(*kind, None, None).is_err());
        }
        assert_eq!(
            ActivityKind::ALL.iter().filter(|k| k.is_university_wide()).map(|k| k.as_str()).collect::<Vec<_>>(),
            ["club_meeting", "training", "experience_exchange"]
        );
    }

    #[test]
    fn a_university_wide_kind_has_no_college_and_every_other_kind_has_one() {
        let c = Some(Uuid::now_v7());
        for kind in ActivityKind::ALL {
            let (with, without) = (check_college_for_kind(*kind, c), check_college_for_kind(*kind, None));
            if kind.is_university_wide() {
                assert_eq!(with.unwrap_err().code, "not_allowed");
                assert!(without.is_ok());
            } else {
                assert!(with.is_ok());
                assert_eq!(without.unwrap_err().code, "required");
            }
        }
    }

    #[test]
    fn college_activities_are_organised_by_its_admin_its_mentors_or_the_university() {
        let (c, other, y) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let k = ActivityKind::ResearchSalon;
        assert!(caller(Role::CollegeAdmin, Some(c), Some(c), None).may_create(k, Some(other), None).is_err());
        assert!(caller(Role::Counselor, Some(c), Some(c), None).may_create(k, Some(c), None).is_err());
        let me = Uuid::now_v7();
        let mentor = caller(Role::Student, None, Some(c), Some(me));
        let serving = appointment(me, y, c, AppointmentState::Active);
        assert!(mentor.may_create(k, Some(c), Some(&serving)).is_ok());
        assert!(mentor.may_create(k, Some(other), Some(&serving)).is_err(), "only their own college");
        assert!(mentor.may_create(k, Some(c), None).is_err(), "a student who is not a mentor");
        let someone_elses = appointment(Uuid::now_v7(), y, c, AppointmentState::Active);
        assert!(mentor.may_create(k, Some(c), Some(&someone_elses)).is_err());
        let dismissed = appointment(me, y, c, AppointmentState::Dismissed);
        assert!(mentor.may_create(k, Some(c), Some(&dismissed)).is_err());
    }

    #[test]
    fn managers_run_hosts_run_and_the_college_sees_once_published() {
        let (c, other) = (Uuid::now_v7(), Uuid::now_v7());
        let host_student = Uuid::now_v7();
        let mut a = activity(ActivityKind::FreshmanSalon, Some(c), ActivityState::Planned);
        a.hosts = vec![Host { appointment_id: Uuid::now_v7(), student_id: host_student }];
        let organiser = caller(Role::Student, None, Some(c), Some(Uuid::now_v7()));
        a.organiser_id = Some(organiser.user_id);

        let admin = caller(Role::UniversityAdmin, None, None, None);
        let own_admin = caller(Role::CollegeAdmin, Some(c), Some(c), None);
        let other_admin = caller(Role::CollegeAdmin, Some(other), Some(other), None);
        let counselor = caller(Role::Counselor, Some(c), Some(c), None);
        let host = caller(Role::Student, None, Some(c), Some(host_student));
        let student = caller(Role::Student, None, Some(c), Some(Uuid::now_v7()));
        let outsider = caller(Role::Student, None, Some(other), Some(Uuid::now_v7()));

        for (who, manages, runs) in [
            (&admin, true, true),
            (&own_admin, true, true),
            (&organiser, true, true),
            (&host, false, true),
            (&counselor, false, false),
            (&other_admin, false, false),
            (&student, false, false),
        ] {
            assert_eq!(who.manages(&a), manages, "{who:?} manages");
            assert_eq!(who.runs(&a), runs, "{who:?} runs");
        }
        // Planned: only those who run it and the college's staff know of it.
        assert!(counselor.sees(&a) && host.sees(&a));
        assert!(!student.sees(&a) && !outsider.sees(&a) && !other_admin.sees(&a));
        a.state = ActivityState::Published;
        assert!(student.sees(&a));
        assert!(!outsider.sees(&a) && !other_admin.sees(&a), "another college's people get 404");
        // A university-wide activity is seen by everyone once published.
        let mut u = activity(ActivityKind::Training, None, ActivityState::Planned);
        assert!(!own_admin.sees(&u) && !own_admin.manages(&u));
        u.state = ActivityState::Published;
        assert!(own_admin.sees(&u) && outsider.sees(&u));
    }

    #[test]
    fn service_clients_have_no_part_in_activities() {
        let p = Principal::Client(crate::auth::ClientPrincipal { id: Uuid::now_v7(), scopes: vec![] });
        assert!(Caller::new(&p, None).is_err());
        let c = Uuid::now_v7();
        let u = Principal::User(UserPrincipal {
            id: Uuid::now_v7(),
            role: Role::Supervisor,
            college_id: Some(c),
            student_id: None,
            staff_id: None,
        });
        assert_eq!(Caller::new(&u, Some(c)).unwrap().scoped_college, None, "a supervisor is not college-scoped");
    }

    #[test]
    fn mentor_led_kinds_need_a_host_to_be_published() {
        let mut a = activity(ActivityKind::FreshmanSalon, Some(Uuid::now_v7()), ActivityState::Planned);
        let Err(Error::Conflict { code, .. }) = a.check_publishable() else { panic!("expected a conflict") };
        assert_eq!(code, ConflictCode::HostRequired);
        a.hosts.push(Host { appointment_id: Uuid::now_v7(), student_id: Uuid::now_v7() });
        assert!(a.check_publishable().is_ok());
        assert!(activity(ActivityKind::SocialEvent, None, ActivityState::Planned).check_publishable().is_ok());
        assert!(activity(ActivityKind::Training, None, ActivityState::Planned).check_publishable().is_ok());
    }

    #[test]
    fn registration_is_open_while_published_and_not_over_attendance_once_started() {
        let mut a = activity(ActivityKind::ResearchSalon, None, ActivityState::Planned);
        let before = at(2025, 10, 20, 18, 0);
        let during = at(2025, 10, 20, 20, 0);
        let after = at(2025, 10, 20, 21, 0);
        assert!(matches!(a.check_registration_open(before), Err(Error::InvalidTransition { .. })));
        a.state = ActivityState::Published;
        assert!(a.check_registration_open(before).is_ok());
        assert!(a.check_registration_open(during).is_ok());
        assert!(matches!(
            a.check_registration_open(after),
            Err(Error::Conflict { code: ConflictCode::RegistrationClosed, .. })
        ));
        assert!(matches!(a.check_attendance_open(before), Err(Error::Conflict { code: ConflictCode::NotStarted, .. })));
        assert!(a.check_attendance_open(during).is_ok() && a.check_attendance_open(after).is_ok());
        assert!(matches!(a.check_completable(before), Err(Error::Conflict { code: ConflictCode::NotStarted, .. })));
        assert!(a.check_completable(during).is_ok());
        a.state = ActivityState::Held;
        for t in [during, after, a.feedback_closes_at() + Duration::seconds(1)] {
            assert!(
                matches!(a.check_attendance_open(t), Err(Error::Conflict { code: ConflictCode::AttendanceClosed, .. })),
                "recording it as held closes attendance"
            );
        }
        a.state = ActivityState::Cancelled;
        assert!(matches!(a.check_attendance_open(during), Err(Error::InvalidTransition { .. })));
    }

    #[test]
    fn the_calendar_shows_published_and_held_and_keeps_a_cancelled_announcement_for_30_days() {
        let mut a = activity(ActivityKind::ResearchSalon, None, ActivityState::Planned);
        let start = a.schedule.start();
        assert!(!a.shows_in_calendar(start - Duration::days(1)), "planned: nobody was told");
        a.state = ActivityState::Cancelled;
        assert!(!a.shows_in_calendar(start - Duration::days(1)), "cancelled while planned: never announced");
        a.published_at = Some(start - Duration::days(10));
        assert!(a.shows_in_calendar(start - Duration::days(1)));
        assert!(a.shows_in_calendar(start + Duration::days(CANCELLED_IN_CALENDAR_DAYS)));
        assert!(!a.shows_in_calendar(start + Duration::days(CANCELLED_IN_CALENDAR_DAYS) + Duration::seconds(1)));
        for state in [ActivityState::Published, ActivityState::Held] {
            a.state = state;
            let end = a.schedule.end();
            assert!(a.shows_in_calendar(end + Duration::days(CALENDAR_LOOKBACK_DAYS)));
            assert!(!a.shows_in_calendar(end + Duration::days(CALENDAR_LOOKBACK_DAYS) + Duration::seconds(1)));
        }
    }

    #[test]
    fn capacity_decides_between_a_place_and_the_waitlist() {
        assert_eq!(place_for(Some(5), 0), RegistrationState::Registered);
        assert_eq!(place_for(Some(5), 4), RegistrationState::Registered);
        assert_eq!(place_for(Some(5), 5), RegistrationState::Waitlisted);
        assert_eq!(place_for(None, 10_000), RegistrationState::Registered);
    }

    #[test]
    fn participants_are_enrolled_students_of_the_college_or_anyone_for_university_wide() {
        let c = Uuid::now_v7();
        let now = Utc::now();
        let s = Student {
            id: Uuid::now_v7(),
            student_no: "2025001".into(),
            name: "王小明".into(),
            gender: Gender::Male,
            college_id: c,
            unit_id: None,
            degree: Degree::Master,
            enrollment_year: 2025,
            political_status: PoliticalStatus::LeagueMember,
            supervisor_id: None,
            counselor_id: None,
            phone: None,
            email: None,
            status: StudentStatus::Enrolled,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        assert!(
            activity(ActivityKind::FreshmanSalon, Some(c), ActivityState::Published)
                .check_participant(&s, false)
                .is_ok()
        );
        assert!(
            activity(ActivityKind::FreshmanSalon, Some(Uuid::now_v7()), ActivityState::Published)
                .check_participant(&s, false)
                .is_err()
        );
        assert!(
            activity(ActivityKind::ClubMeeting, None, ActivityState::Published).check_participant(&s, false).is_ok()
        );
        let graduated = Student { status: StudentStatus::Graduated, ..s };
        assert!(
            activity(ActivityKind::ClubMeeting, None, ActivityState::Published)
                .check_participant(&graduated, false)
                .is_err()
        );
        // A member of the club takes part in the club's kinds after graduating (an alumnus), in
        // no other kind; a college's social event stays its college's.
        for kind in [ActivityKind::ClubMeeting, ActivityKind::ExperienceExchange] {
            assert!(activity(kind, None, ActivityState::Published).check_participant(&graduated, true).is_ok());
        }
        let social = activity(ActivityKind::SocialEvent, Some(c), ActivityState::Published);
        assert!(social.check_participant(&graduated, true).is_ok());
        assert!(social.check_participant(&graduated, false).is_err());
        let elsewhere = activity(ActivityKind::SocialEvent, Some(Uuid::now_v7()), ActivityState::Published);
        assert!(elsewhere.check_participant(&graduated, true).is_err());
        assert!(
            activity(ActivityKind::Training, None, ActivityState::Published)
                .check_participant(&graduated, true)
                .is_err()
        );
        assert!(
            activity(ActivityKind::ResearchSalon, Some(c), ActivityState::Published)
                .check_participant(&graduated, true)
                .is_err()
        );
        let kinds: Vec<&str> = ActivityKind::ALL.iter().filter(|k| k.is_club()).map(|k| k.as_str()).collect();
        assert_eq!(kinds, ["club_meeting", "social_event", "experience_exchange"]);
    }

    #[test]
    fn feedback_is_for_attendees_of_held_activities_rated_one_to_five() {
        let mut a = activity(ActivityKind::ResearchSalon, None, ActivityState::Published);
        let now = Utc::now();
        let mut r = Registration {
            id: Uuid::now_v7(),
            activity_id: a.id,
            student_id: Uuid::now_v7(),
            state: RegistrationState::Registered,
            attended: true,
            registered_by: None,
            promoted_at: None,
            cancelled_at: None,
            created_at: now,
            updated_at: now,
        };
        let soon = a.schedule.end() + Duration::hours(1);
        assert!(matches!(check_feedback_allowed(&a, Some(&r), soon), Err(Error::InvalidTransition { .. })));
        a.state = ActivityState::Held;
        assert!(check_feedback_allowed(&a, Some(&r), soon).is_ok());
        let late = a.feedback_closes_at() + Duration::seconds(1);
        assert!(matches!(
            check_feedback_allowed(&a, Some(&r), late),
            Err(Error::Conflict { code: ConflictCode::FeedbackClosed, .. })
        ));
        assert!(matches!(check_feedback_allowed(&a, None, soon), Err(Error::Forbidden(_))));
        r.attended = false;
        assert!(matches!(check_feedback_allowed(&a, Some(&r), soon), Err(Error::Forbidden(_))));
        for ok in 1..=5 {
            assert!(check_rating(ok).is_ok());
        }
        assert!(check_rating(0).is_err() && check_rating(6).is_err());
    }

    #[test]
    fn a_freshman_salon_held_by_the_deadline_counts_for_the_milestone() {
        let y = year();
        let mut a = activity(ActivityKind::FreshmanSalon, Some(Uuid::now_v7()), ActivityState::Held);
        a.academic_year_id = y.id;
        a.schedule = Schedule::new(at(2025, 10, 31, 19, 0), at(2025, 10, 31, 21, 0)).unwrap();
        assert!(a.counts_for_salon_milestone(&y));
        a.schedule = Schedule::new(at(2025, 11, 1, 0, 30), at(2025, 11, 1, 2, 0)).unwrap();
        assert!(!a.counts_for_salon_milestone(&y), "00:30 on Nov 1 in Shanghai is after the deadline");
        a.schedule = Schedule::new(at(2025, 10, 20, 19, 0), at(2025, 10, 20, 21, 0)).unwrap();
        a.state = ActivityState::Published;
        assert!(!a.counts_for_salon_milestone(&y), "only once held");
        a.state = ActivityState::Held;
        a.kind = ActivityKind::ResearchSalon;
        assert!(!a.counts_for_salon_milestone(&y));
    }

    #[test]
    fn inputs_are_parsed_once() {
        assert_eq!(parse_title("  新生交流沙龙 ").unwrap(), "新生交流沙龙");
        assert!(parse_title("").is_err() && parse_title("a\nb").is_err() && parse_title(&"长".repeat(201)).is_err());
        assert_eq!(parse_description("  ").unwrap(), None);
        assert!(parse_online_link("https://meeting.tencent.com/dm/abc").is_ok());
        for bad in ["ftp://x", "https://", "meeting.tencent.com", "https://a b"] {
            assert!(parse_online_link(bad).is_err(), "{bad}");
        }
        let topics = parse_topics(&[" 科研方法 ".into(), "科研方法".into(), "选课".into()]).unwrap();
        assert_eq!(topics, ["科研方法", "选课"]);
        let Err(Error::Validation(e)) = parse_topics(&["".into(), "ok".into()]) else { panic!("expected errors") };
        assert_eq!(e[0].field, "topics[0]");
        assert!(parse_topics(&vec!["x".to_owned(); MAX_TOPICS + 1]).is_err());
        assert!(check_fen("budget_fen", 0).is_ok() && check_fen("budget_fen", -1).is_err());
        assert!(check_fen("budget_fen", MAX_FEN + 1).is_err());
        assert!(check_activity_capacity(0).is_err() && check_activity_capacity(1).is_ok());
        assert_eq!(ActivityKind::FreshmanSalon.suggested_topics().len(), 5);
        assert!(ActivityKind::SocialEvent.suggested_topics().is_empty());
    }
}
