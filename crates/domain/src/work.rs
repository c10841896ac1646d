//! The work-record book (工作记录本, rules 三(一)3 and 四.3): what a mentor records of each
//! consultation and group session, the edit window after which an entry is locked, and who sees
//! which part of an entry.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use uuid::Uuid;

use crate::error::{FieldError, Problems, Result};
use crate::string_enum;
use crate::text::check_field;

string_enum! {
    /// What kind of work an entry records.
    pub enum WorkKind {
        /// 个别谈心/咨询.
        IndividualConsultation = "individual_consultation",
        /// 团体辅导.
        GroupCounselling = "group_counselling",
        /// 日常交流.
        DailyExchange = "daily_exchange",
        /// 朋辈辅导.
        PeerCounselling = "peer_counselling",
        /// 就业帮扶.
        CareerHelp = "career_help",
        /// 科研指导.
        ResearchGuidance = "research_guidance",
        /// Anything else.
        Other = "other",
    }
}

string_enum! {
    /// The mentor's five duties (三(一)): what an entry, a help request or a concern is about.
    pub enum Duty {
        /// 思想引领.
        Ideology = "ideology",
        /// 职业发展.
        Career = "career",
        /// 学业.
        Study = "study",
        /// 科研.
        Research = "research",
        /// 生活.
        Life = "life",
    }
}

string_enum! {
    /// How the mentor and the students met.
    pub enum WorkChannel {
        /// Face to face.
        FaceToFace = "face_to_face",
        /// Phone.
        Phone = "phone",
        /// Online (a video call…).
        Online = "online",
        /// A WeChat or QQ group.
        ChatGroup = "chat_group",
    }
}

impl WorkKind {
    /// Group work may involve students of the whole college, and may name none (a head count).
    pub const fn is_group(self) -> bool {
        matches!(self, WorkKind::GroupCounselling | WorkKind::PeerCounselling)
    }
}

/// The default number of days a mentor may edit an entry after recording it.
pub const DEFAULT_EDIT_WINDOW_DAYS: i32 = 30;
/// The longest entry, in minutes (a whole day).
pub const MAX_MINUTES: i32 = 24 * 60;
/// The most students one entry names.
pub const MAX_STUDENTS: usize = 200;
/// The longest summary, reflection or note, in characters.
pub const MAX_TEXT_CHARS: usize = 5000;

/// The longest edit window an academic year may set, in days.
pub const MAX_EDIT_WINDOW_DAYS: i32 = 365;
/// The most duty tags one entry carries (each of the five once).
pub const MAX_DUTIES: usize = 5;

/// Checks an academic year's edit window for `field`: 1–365 days.
pub fn check_edit_window(field: &str, days: i32) -> std::result::Result<i32, FieldError> {
    if (1..=MAX_EDIT_WINDOW_DAYS).contains(&days) {
        Ok(days)
    } else {
        Err(FieldError::new(field, "out_of_range", format!("{field} must be between 1 and {MAX_EDIT_WINDOW_DAYS}")))
    }
}

/// Whether an entry recorded at `created_at` may still be edited at `now` (else only notes are
/// appended).
pub fn editable(created_at: DateTime<Utc>, now: DateTime<Utc>, window_days: i32) -> bool {
    now < created_at + Duration::days(i64::from(window_days.max(0)))
}

/// Refuses a change to an entry whose edit window has passed: `409 record_locked` (a note may
/// still be appended).
pub fn check_editable(created_at: DateTime<Utc>, now: DateTime<Utc>, window_days: i32) -> Result<()> {
    if editable(created_at, now, window_days) {
        Ok(())
    } else {
        Err(crate::Error::conflict(
            crate::ConflictCode::RecordLocked,
            format!("the entry was locked {window_days} days after it was recorded; append a note instead"),
        ))
    }
}

/// Checks an entry's duty tags: at least one, each at most once.
pub fn check_duties(duties: &[Duty]) -> std::result::Result<(), FieldError> {
    if duties.is_empty() {
        return Err(FieldError::new("duties", "required", "an entry names at least one duty"));
    }
    let mut seen = std::collections::HashSet::new();
    if !duties.iter().all(|d| seen.insert(*d)) {
        return Err(FieldError::new("duties", "duplicate", "a duty is named twice"));
    }
    Ok(())
}

/// A note appended to an entry (after its edit window, the only change there is).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WorkNote {
    /// Id.
    pub id: Uuid,
    /// The text.
    pub text: String,
    /// When it was appended.
    pub created_at: DateTime<Utc>,
}

/// An entry of the work-record book.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WorkRecord {
    /// Id.
    pub id: Uuid,
    /// The appointment it was recorded under.
    pub appointment_id: Uuid,
    /// The mentor (a student id).
    pub mentor_id: Uuid,
    /// The appointment's college.
    pub college_id: Uuid,
    /// Kind.
    pub kind: WorkKind,
    /// The day it happened (Asia/Shanghai).
    pub date: NaiveDate,
    /// How long, in minutes.
    pub minutes: i32,
    /// The duties it served.
    pub duties: Vec<Duty>,
    /// How they met.
    pub channel: WorkChannel,
    /// The students it names.
    pub student_ids: Vec<Uuid>,
    /// How many took part when they are not all named (group work).
    pub head_count: Option<i32>,
    /// What happened.
    pub summary: String,
    /// 心得体会: not shown to the students it names.
    pub reflections: Option<String>,
    /// The activity it came from.
    pub activity_id: Option<Uuid>,
    /// The help request it answered.
    pub help_request_id: Option<Uuid>,
    /// Notes appended, oldest first.
    pub notes: Vec<WorkNote>,
    /// Optimistic-concurrency version.
    pub version: i32,
    /// Recorded.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl WorkRecord {
    /// The entry as `view` lets its caller see it: a named student does not see the reflections.
    pub fn seen_as(mut self, view: EntryView) -> Self {
        if view == EntryView::WithoutReflections {
            self.reflections = None;
        }
        self
    }
}

/// A command to record an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWorkRecord {
    /// The mentor's appointment it is recorded under.
    pub appointment_id: Uuid,
    /// Kind.
    pub kind: WorkKind,
    /// The day it happened.
    pub date: NaiveDate,
    /// How long, in minutes.
    pub minutes: i32,
    /// The duties it served.
    pub duties: Vec<Duty>,
    /// How they met.
    pub channel: WorkChannel,
    /// The students it names.
    pub student_ids: Vec<Uuid>,
    /// How many took part (group work).
    pub head_count: Option<i32>,
    /// What happened.
    pub summary: String,
    /// 心得体会.
    pub reflections: Option<String>,
    /// The activity it came from.
    pub activity_id: Option<Uuid>,
}

/// A command to change an entry within its edit window; `None` leaves a field as it is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WorkRecordChanges {
    /// Kind.
    pub kind: Option<WorkKind>,
    /// The day it happened.
    pub date: Option<NaiveDate>,
    /// How long, in minutes.
    pub minutes: Option<i32>,
    /// The duties it served.
    pub duties: Option<Vec<Duty>>,
    /// How they met.
    pub channel: Option<WorkChannel>,
    /// The students it names.
    pub student_ids: Option<Vec<Uuid>>,
    /// How many took part (`Some(None)` clears it).
    pub head_count: Option<Option<i32>>,
    /// What happened.
    pub summary: Option<String>,
    /// 心得体会 (`Some(None)` clears them).
    pub reflections: Option<Option<String>>,
}

impl WorkRecord {
    /// The entry with `changes` applied (unchecked: the caller checks the whole entry again).
    pub fn with_changes(&self, c: WorkRecordChanges) -> WorkRecord {
        let mut n = self.clone();
        n.kind = c.kind.unwrap_or(n.kind);
        n.date = c.date.unwrap_or(n.date);
        n.minutes = c.minutes.unwrap_or(n.minutes);
        n.duties = c.duties.unwrap_or(n.duties);
        n.channel = c.channel.unwrap_or(n.channel);
        n.student_ids = c.student_ids.unwrap_or(n.student_ids);
        n.head_count = c.head_count.unwrap_or(n.head_count);
        n.summary = c.summary.unwrap_or(n.summary);
        n.reflections = c.reflections.unwrap_or(n.reflections);
        n
    }

    /// Checks the whole entry (shape, term, duties) as [`check_entry`] and [`check_duties`] do.
    pub fn check(&self, starts_on: NaiveDate, ends_on: NaiveDate, today: NaiveDate) -> Result<()> {
        let shape = EntryShape {
            kind: self.kind,
            date: self.date,
            minutes: self.minutes,
            students: &self.student_ids,
            head_count: self.head_count,
            summary: &self.summary,
            reflections: self.reflections.as_deref(),
        };
        let mut p = Problems::new();
        if let Err(e) = check_entry(&shape, starts_on, ends_on, today) {
            p.absorb(e)?;
        }
        p.take(check_duties(&self.duties));
        p.finish()
    }
}

/// Checks a free text of an entry: not blank, not too long, no control characters.
pub fn check_entry_text(field: &str, text: &str, required: bool) -> std::result::Result<(), FieldError> {
    if required && text.trim().is_empty() {
        return Err(FieldError::new(field, "required", format!("{field} must not be empty")));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(FieldError::new(field, "too_long", format!("{field} is longer than {MAX_TEXT_CHARS} characters")));
    }
    check_field(field, text)
}

/// The checked shape of an entry, before its students are checked against the mentor's mentees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryShape<'a> {
    /// Kind.
    pub kind: WorkKind,
    /// The day it happened.
    pub date: NaiveDate,
    /// How long, in minutes.
    pub minutes: i32,
    /// The students it names.
    pub students: &'a [Uuid],
    /// How many took part when they are not named (group work).
    pub head_count: Option<i32>,
    /// What happened.
    pub summary: &'a str,
    /// 心得体会.
    pub reflections: Option<&'a str>,
}

/// Checks an entry against its appointment's term (`starts_on`..=`ends_on`) and `today`: the
/// date within the term and not in the future, minutes 1–1440, students named at most once, a
/// head count only for group work (required when a group names no one), the texts.
pub fn check_entry(e: &EntryShape<'_>, starts_on: NaiveDate, ends_on: NaiveDate, today: NaiveDate) -> Result<()> {
    let mut p = Problems::new();
    if e.date > today {
        p.push("date", "out_of_range", "the date is in the future");
    } else if e.date < starts_on || e.date > ends_on {
        p.push(
            "date",
            "out_of_range",
            format!("the date is outside the appointment's term ({starts_on} to {ends_on})"),
        );
    }
    if !(1..=MAX_MINUTES).contains(&e.minutes) {
        p.push("minutes", "out_of_range", format!("minutes must be between 1 and {MAX_MINUTES}"));
    }
    if e.students.len() > MAX_STUDENTS {
        p.push("student_ids", "out_of_range", format!("an entry names at most {MAX_STUDENTS} students"));
    }
    let mut seen = std::collections::HashSet::new();
    if !e.students.iter().all(|s| seen.insert(*s)) {
        p.push("student_ids", "duplicate", "a student is named twice");
    }
    match (e.kind.is_group(), e.head_count) {
        (false, Some(_)) => p.push("head_count", "not_allowed", "only group work takes a head count"),
        (true, None) if e.students.is_empty() => {
            p.push("head_count", "required", "group work that names no students needs a head count")
        }
        (false, None) if e.students.is_empty() => {
            p.push("student_ids", "required", "individual work names the students it was with")
        }
        (_, Some(n)) if !(1..=10_000).contains(&n) || (n as usize) < e.students.len() => {
            p.push("head_count", "out_of_range", "the head count is 1–10000 and at least the students named")
        }
        _ => {}
    }
    p.take(check_entry_text("summary", e.summary, true));
    if let Some(r) = e.reflections {
        p.take(check_entry_text("reflections", r, false));
    }
    p.finish()
}

/// What a caller sees of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryView {
    /// Everything.
    Full,
    /// Everything but the reflections (a student named in it).
    WithoutReflections,
}

/// Who is looking at an entry, resolved to the facts the matrix needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// A university admin.
    University,
    /// A college admin or counselor of this college.
    CollegeStaff(Uuid),
    /// A supervisor (their staff id).
    Supervisor(Uuid),
    /// A student (their student id); a mentor is a student too.
    Student(Uuid),
}

/// The facts of an entry the matrix needs.
#[derive(Debug, Clone, Copy)]
pub struct EntryFacts<'a> {
    /// The mentor (a student id).
    pub mentor_id: Uuid,
    /// The appointment's college.
    pub college_id: Uuid,
    /// The students it names.
    pub students: &'a [Uuid],
    /// The supervisors of the students it names.
    pub supervisors: &'a [Uuid],
}

/// The visibility matrix of issue 13: the mentor, the college's counselors and admins and the
/// university see everything; a supervisor sees entries naming one of their students; a student
/// sees entries naming them without the reflections; `None` (a 404) for everyone else.
pub fn view(v: Viewer, e: &EntryFacts<'_>) -> Option<EntryView> {
    match v {
        Viewer::University => Some(EntryView::Full),
        Viewer::CollegeStaff(c) if c == e.college_id => Some(EntryView::Full),
        Viewer::Student(s) if s == e.mentor_id => Some(EntryView::Full),
        Viewer::Student(s) if e.students.contains(&s) => Some(EntryView::WithoutReflections),
        Viewer::Supervisor(s) if e.supervisors.contains(&s) => Some(EntryView::Full),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn an_entry_is_editable_for_its_window_then_locked() {
        let t0 = DateTime::parse_from_rfc3339("2026-10-01T08:00:00Z").unwrap().with_timezone(&Utc);
        assert!(editable(t0, t0, 30));
        assert!(editable(t0, t0 + Duration::days(30) - Duration::seconds(1), 30));
        assert!(!editable(t0, t0 + Duration::days(30), 30));
        assert!(!editable(t0, t0 + Duration::days(1), 0));
        assert!(editable(t0, t0 + Duration::days(59), 60));
    }

    #[test]
    fn a_locked_entry_is_a_record_locked_conflict_and_duties_are_checked() {
        let t0 = DateTime::parse_from_rfc3339("2026-10-01T08:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(check_editable(t0, t0 + Duration::days(29), 30), Ok(()));
        match check_editable(t0, t0 + Duration::days(30), 30) {
            Err(crate::Error::Conflict { code, .. }) => assert_eq!(code, crate::ConflictCode::RecordLocked),
            other => panic!("{other:?}"),
        }
        assert!(check_duties(&[Duty::Study, Duty::Research]).is_ok());
        assert_eq!(check_duties(&[]).map_err(|e| e.code), Err("required".to_owned()));
        assert_eq!(check_duties(&[Duty::Life, Duty::Life]).map_err(|e| e.code), Err("duplicate".to_owned()));
        assert_eq!(check_edit_window("record_edit_days", 30), Ok(30));
        for bad in [0, -1, 366] {
            assert!(check_edit_window("record_edit_days", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_entry_lies_in_the_term_and_not_in_the_future() {
        let students = [Uuid::now_v7()];
        let ok = EntryShape {
            kind: WorkKind::IndividualConsultation,
            date: d(2026, 10, 1),
            minutes: 45,
            students: &students,
            head_count: None,
            summary: "选课咨询",
            reflections: Some("新生对培养方案不熟"),
        };
        let (start, end, today) = (d(2026, 9, 1), d(2027, 8, 31), d(2026, 10, 2));
        assert_eq!(check_entry(&ok, start, end, today), Ok(()));
        let fields = |e: EntryShape<'_>| match check_entry(&e, start, end, today) {
            Err(crate::Error::Validation(v)) => v.into_iter().map(|f| (f.field, f.code)).collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        let pair = |f: &str, c: &str| (f.to_owned(), c.to_owned());
        assert_eq!(fields(EntryShape { date: d(2026, 10, 3), ..ok.clone() }), [pair("date", "out_of_range")]);
        assert_eq!(fields(EntryShape { date: d(2026, 8, 31), ..ok.clone() }), [pair("date", "out_of_range")]);
        assert_eq!(fields(EntryShape { minutes: 0, ..ok.clone() }), [pair("minutes", "out_of_range")]);
        assert_eq!(fields(EntryShape { minutes: 1441, ..ok.clone() }), [pair("minutes", "out_of_range")]);
        assert_eq!(fields(EntryShape { head_count: Some(3), ..ok.clone() }), [pair("head_count", "not_allowed")]);
        assert_eq!(fields(EntryShape { students: &[], ..ok.clone() }), [pair("student_ids", "required")]);
        assert_eq!(fields(EntryShape { summary: " ", ..ok.clone() }), [pair("summary", "required")]);
        assert_eq!(fields(EntryShape { reflections: Some("a\u{0}b"), ..ok.clone() })[0].0, "reflections");
        let twice = [students[0], students[0]];
        assert_eq!(fields(EntryShape { students: &twice, ..ok.clone() }), [pair("student_ids", "duplicate")]);
        // A group too large to list: a head count instead of names.
        let group = EntryShape { kind: WorkKind::GroupCounselling, students: &[], head_count: Some(40), ..ok.clone() };
        assert_eq!(check_entry(&group, start, end, today), Ok(()));
        assert_eq!(fields(EntryShape { head_count: None, ..group.clone() }), [pair("head_count", "required")]);
        assert_eq!(
            fields(EntryShape { head_count: Some(0), students: &students, ..group }),
            [pair("head_count", "out_of_range")]
        );
    }

    #[test]
    fn the_visibility_matrix_is_exactly_the_issues() {
        let (college, other_college) = (Uuid::now_v7(), Uuid::now_v7());
        let (mentor, named, stranger) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let (their_supervisor, other_supervisor) = (Uuid::now_v7(), Uuid::now_v7());
        let facts =
            EntryFacts { mentor_id: mentor, college_id: college, students: &[named], supervisors: &[their_supervisor] };
        assert_eq!(view(Viewer::University, &facts), Some(EntryView::Full));
        assert_eq!(view(Viewer::CollegeStaff(college), &facts), Some(EntryView::Full));
        assert_eq!(view(Viewer::CollegeStaff(other_college), &facts), None);
        assert_eq!(view(Viewer::Student(mentor), &facts), Some(EntryView::Full));
        assert_eq!(view(Viewer::Student(named), &facts), Some(EntryView::WithoutReflections));
        assert_eq!(view(Viewer::Student(stranger), &facts), None);
        assert_eq!(view(Viewer::Supervisor(their_supervisor), &facts), Some(EntryView::Full));
        assert_eq!(view(Viewer::Supervisor(other_supervisor), &facts), None);
    }
}
