//! Help requests (rule 三(一)1: 主动接受、接收研究生新生的各类咨询和帮扶需求): a student asks their
//! own active mentor for help on one of the five duties (or something else); the mentor answers
//! with a note, or turns it into a work-record entry in the same call; either side may close an
//! open request.
//!
//! A request is private to the student, the mentor, the college's counselors and admins, and the
//! university: the rules here say who sees one and who may do what; the feed and the audit log
//! carry ids and states only, never the message or the answer.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::error::{Error, Problems, Result};
use crate::string_enum;
use crate::text::check_field;
use crate::work::{Duty, NewWorkRecord, WorkChannel, WorkKind};

string_enum! {
    /// What a student asks for help with: the mentor's five duties, or something else.
    pub enum HelpTopic {
        /// 思想: ideology and Party life.
        Ideology = "ideology",
        /// 生涯: career planning and jobs.
        Career = "career",
        /// 学习: courses and study.
        Study = "study",
        /// 科研: research.
        Research = "research",
        /// 生活: daily life.
        Life = "life",
        /// Anything else.
        Other = "other",
    }
}

impl HelpTopic {
    /// The duty a request on this topic serves (`None` for `other`): the duty an answer written
    /// to the work-record book is tagged with unless the mentor says otherwise.
    pub const fn duty(self) -> Option<Duty> {
        match self {
            HelpTopic::Ideology => Some(Duty::Ideology),
            HelpTopic::Career => Some(Duty::Career),
            HelpTopic::Study => Some(Duty::Study),
            HelpTopic::Research => Some(Duty::Research),
            HelpTopic::Life => Some(Duty::Life),
            HelpTopic::Other => None,
        }
    }
}

string_enum! {
    /// Where a help request stands.
    pub enum HelpState {
        /// Waiting for the mentor.
        Open = "open",
        /// The mentor answered (with a note, a work-record entry, or both).
        Answered = "answered",
        /// Closed unanswered by the student or the mentor.
        Closed = "closed",
    }
}

string_enum! {
    /// What is done to a help request.
    pub enum HelpAction {
        /// The mentor answers with a note.
        Answer = "answer",
        /// The mentor answers by recording the help in the work-record book.
        Record = "record",
        /// The student or the mentor closes it unanswered.
        Close = "close",
    }
}

impl HelpState {
    /// The state after `action`, or `InvalidTransition` (409): only an open request is answered,
    /// recorded or closed; `answered` and `closed` are ends.
    pub fn apply(self, action: HelpAction) -> Result<HelpState> {
        use HelpAction as A;
        use HelpState as S;
        match (self, action) {
            (S::Open, A::Answer | A::Record) => Ok(S::Answered),
            (S::Open, A::Close) => Ok(S::Closed),
            _ => Err(Error::InvalidTransition { from: self.to_string(), action: action.to_string() }),
        }
    }
}

/// The longest message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 2000;
/// The longest answer note, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;

/// A text of a request: trimmed, required, bounded, no control characters.
fn required_text(p: &mut Problems, field: &str, raw: &str, max: usize) -> Option<String> {
    let t = raw.trim();
    if t.is_empty() {
        p.push(field, "required", format!("{field} must not be blank"));
        return None;
    }
    // The limit counts what was sent, as the document's maxLength does.
    if raw.chars().count() > max {
        p.push(field, "too_long", format!("{field} is longer than {max} characters"));
        return None;
    }
    p.take(check_field(field, t)).map(|()| t.to_owned())
}

/// A help request as the student writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHelpRequest {
    /// What it is about.
    pub topic: HelpTopic,
    /// What the student asks.
    pub message: String,
    /// How the student would like to be answered (`None`: any way).
    pub channel: Option<WorkChannel>,
}

impl NewHelpRequest {
    /// Checks the message: trimmed, 1–[`MAX_MESSAGE_CHARS`] characters, no control characters.
    pub fn parse(topic: HelpTopic, message: &str, channel: Option<WorkChannel>) -> Result<Self> {
        let mut p = Problems::new();
        let message = required_text(&mut p, "message", message, MAX_MESSAGE_CHARS);
        p.finish()?;
        let message = message.ok_or_else(|| Error::invalid("message", "required", "message is required"))?;
        Ok(Self { topic, message, channel })
    }
}

/// Checks an answer note (required): trimmed, 1–[`MAX_NOTE_CHARS`] characters.
pub fn parse_note(raw: &str) -> Result<String> {
    let mut p = Problems::new();
    let note = required_text(&mut p, "note", raw, MAX_NOTE_CHARS);
    p.finish()?;
    note.ok_or_else(|| Error::invalid("note", "required", "note is required"))
}

/// Checks an optional answer note: absent or blank is none.
pub fn parse_optional_note(raw: Option<&str>) -> Result<Option<String>> {
    match raw {
        Some(t) if !t.trim().is_empty() => parse_note(t).map(Some),
        _ => Ok(None),
    }
}

/// The duties an answer recorded in the book is tagged with: those the mentor names, else the
/// topic's duty; a request on `other` needs the mentor to name them (422 `duties` required).
pub fn record_duties(topic: HelpTopic, given: Option<Vec<Duty>>) -> Result<Vec<Duty>> {
    match (given, topic.duty()) {
        (Some(d), _) => Ok(d),
        (None, Some(d)) => Ok(vec![d]),
        (None, None) => {
            Err(Error::invalid("duties", "required", "a request on `other` needs the duties the help served"))
        }
    }
}

/// The channel an answer recorded in the book took: the one the mentor names, else the one the
/// student preferred; neither is 422 `channel` required.
pub fn record_channel(preferred: Option<WorkChannel>, given: Option<WorkChannel>) -> Result<WorkChannel> {
    given
        .or(preferred)
        .ok_or_else(|| Error::invalid("channel", "required", "say how you met: the student named no channel"))
}

/// The value of `r`, or its field errors recorded in `p` (other errors are returned).
fn keep<T>(p: &mut Problems, r: Result<T>) -> Result<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) => p.absorb(e).map(|()| None),
    }
}

/// How the mentor records their answer in the work-record book: the entry's fields, each with a
/// default taken from the request where one makes sense.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordAnswer {
    /// Kind (default `individual_consultation`).
    pub kind: Option<WorkKind>,
    /// The day it happened (default today, Asia/Shanghai).
    pub date: Option<NaiveDate>,
    /// How long, in minutes.
    pub minutes: i32,
    /// The duties it served (default the topic's duty; required for `other`).
    pub duties: Option<Vec<Duty>>,
    /// How they met (default the channel the student preferred).
    pub channel: Option<WorkChannel>,
    /// What happened.
    pub summary: String,
    /// 心得体会 (never shown to the student).
    pub reflections: Option<String>,
    /// A note to the student, shown on the request.
    pub note: Option<String>,
}

impl RecordAnswer {
    /// The entry to record for `request` (naming its student, under its appointment) and the
    /// checked note; the entry itself is checked when it is recorded.
    pub fn into_entry(self, request: &HelpRequest, today: NaiveDate) -> Result<(NewWorkRecord, Option<String>)> {
        let mut p = Problems::new();
        let duties = keep(&mut p, record_duties(request.topic, self.duties))?;
        let channel = keep(&mut p, record_channel(request.channel, self.channel))?;
        let note = keep(&mut p, parse_optional_note(self.note.as_deref()))?;
        p.finish()?;
        match (duties, channel, note) {
            (Some(duties), Some(channel), Some(note)) => Ok((
                NewWorkRecord {
                    appointment_id: request.appointment_id,
                    kind: self.kind.unwrap_or(WorkKind::IndividualConsultation),
                    date: self.date.unwrap_or(today),
                    minutes: self.minutes,
                    duties,
                    channel,
                    student_ids: vec![request.student_id],
                    head_count: None,
                    summary: self.summary,
                    reflections: self.reflections,
                    activity_id: None,
                },
                note,
            )),
            _ => Err(Error::invalid("note", "invalid", "the answer is incomplete")),
        }
    }
}

/// Who looks at a help request, resolved to the facts the rules need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelpViewer {
    /// A university admin.
    University,
    /// A college admin or counselor of this college.
    CollegeStaff(Uuid),
    /// A student (a mentor is one), by student record.
    Student(Uuid),
    /// Anyone else: a supervisor, a service client, an account without its record.
    Nobody,
}

impl HelpViewer {
    /// The viewer a principal is.
    pub fn of(p: &crate::auth::Principal) -> HelpViewer {
        use crate::auth::{Principal, Role};
        let Principal::User(u) = p else { return HelpViewer::Nobody };
        match (u.role, u.college_id, u.student_id) {
            (Role::UniversityAdmin, ..) => HelpViewer::University,
            (Role::CollegeAdmin | Role::Counselor, Some(college_id), _) => HelpViewer::CollegeStaff(college_id),
            (Role::Student, _, Some(student)) => HelpViewer::Student(student),
            _ => HelpViewer::Nobody,
        }
    }

    /// Who sees a request: its student, its mentor (also after their pairing ended: it is still
    /// theirs), the college's counselors and admins, and the university. Everyone else gets 404.
    pub fn sees(self, r: &HelpFacts) -> bool {
        match self {
            HelpViewer::University => true,
            HelpViewer::CollegeStaff(c) => c == r.college_id,
            HelpViewer::Student(s) => s == r.student_id || s == r.mentor_id,
            HelpViewer::Nobody => false,
        }
    }

    /// Whether the viewer may do `action` to a request they see: the mentor answers and records;
    /// the student or the mentor closes. `Forbidden` (403) otherwise; the caller checks
    /// [`HelpViewer::sees`] first.
    pub fn may(self, action: HelpAction, r: &HelpFacts) -> Result<()> {
        let mentor = self == HelpViewer::Student(r.mentor_id);
        let allowed = match action {
            HelpAction::Answer | HelpAction::Record => mentor,
            HelpAction::Close => mentor || self == HelpViewer::Student(r.student_id),
        };
        if allowed {
            Ok(())
        } else {
            let who = match action {
                HelpAction::Answer | HelpAction::Record => "the mentor asked",
                HelpAction::Close => "the student or the mentor",
            };
            Err(Error::Forbidden(format!("only {who} may {action} this help request")))
        }
    }
}

/// The facts of a request the rules need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HelpFacts {
    /// The student who asked.
    pub student_id: Uuid,
    /// Their mentor (a student id).
    pub mentor_id: Uuid,
    /// The mentor's college.
    pub college_id: Uuid,
}

/// A help request as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpRequest {
    /// Id.
    pub id: Uuid,
    /// The student who asked.
    pub student_id: Uuid,
    /// The mentor's appointment (of the student's active pairing when they asked).
    pub appointment_id: Uuid,
    /// The mentor (a student id).
    pub mentor_id: Uuid,
    /// The appointment's college.
    pub college_id: Uuid,
    /// What it is about.
    pub topic: HelpTopic,
    /// What the student asks.
    pub message: String,
    /// How the student would like to be answered.
    pub channel: Option<WorkChannel>,
    /// Where it stands.
    pub state: HelpState,
    /// The mentor's answer.
    pub answer_note: Option<String>,
    /// When it was answered.
    pub answered_at: Option<DateTime<Utc>>,
    /// Who answered (a user id).
    pub answered_by: Option<Uuid>,
    /// When it was closed unanswered.
    pub closed_at: Option<DateTime<Utc>>,
    /// Who closed it (a user id).
    pub closed_by: Option<Uuid>,
    /// The work-record entry the answer was recorded as.
    pub work_record_id: Option<Uuid>,
    /// Optimistic-concurrency version.
    pub version: i32,
    /// Asked.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl HelpRequest {
    /// The facts the visibility and action rules need.
    pub const fn facts(&self) -> HelpFacts {
        HelpFacts { student_id: self.student_id, mentor_id: self.mentor_id, college_id: self.college_id }
    }
}

/// Which rows of `n` durations sorted ascending hold the median: `(offset, limit)` for an
/// `ORDER BY duration LIMIT limit OFFSET offset` query — the middle one of an odd count, the two
/// middle ones of an even count; `None` when there are none.
pub fn median_window(n: u64) -> Option<(u64, u64)> {
    match n {
        0 => None,
        n => Some(((n - 1) / 2, if n % 2 == 0 { 2 } else { 1 })),
    }
}

/// The median, in whole seconds (half a second rounds up), of the middle durations
/// [`median_window`] selected: the one, or the mean of the two; `None` for none.
pub fn median_seconds(middle: &[f64]) -> Option<i64> {
    if middle.is_empty() {
        return None;
    }
    let mean = middle.iter().sum::<f64>() / middle.len() as f64;
    // A year's durations are far below 2^52 seconds: exact in f64 and in i64.
    Some(mean.round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_is_the_middle_duration_or_the_mean_of_the_two_middle_ones() {
        assert_eq!(median_window(0), None);
        assert_eq!(median_window(1), Some((0, 1)));
        assert_eq!(median_window(2), Some((0, 2)));
        assert_eq!(median_window(3), Some((1, 1)));
        assert_eq!(median_window(4), Some((1, 2)));
        assert_eq!(median_window(5), Some((2, 1)));
        assert_eq!(median_seconds(&[]), None);
        assert_eq!(median_seconds(&[3600.0]), Some(3600));
        // 1 h and 2 h: 1.5 h.
        assert_eq!(median_seconds(&[3600.0, 7200.0]), Some(5400));
        // 10 s and 11 s: 10.5 s rounds up; a float just off a whole second rounds to it.
        assert_eq!(median_seconds(&[10.0, 11.0]), Some(11));
        assert_eq!(median_seconds(&[86_399.999_96]), Some(86_400));
    }

    #[test]
    fn every_state_and_action() {
        use HelpAction as A;
        use HelpState as S;
        for (state, action, want) in [
            (S::Open, A::Answer, Some(S::Answered)),
            (S::Open, A::Record, Some(S::Answered)),
            (S::Open, A::Close, Some(S::Closed)),
            (S::Answered, A::Answer, None),
            (S::Answered, A::Record, None),
            (S::Answered, A::Close, None),
            (S::Closed, A::Answer, None),
            (S::Closed, A::Record, None),
            (S::Closed, A::Close, None),
        ] {
            assert_eq!(state.apply(action).ok(), want, "{state} {action}");
        }
        assert_eq!(
            S::Answered.apply(A::Answer),
            Err(Error::InvalidTransition { from: "answered".into(), action: "answer".into() })
        );
    }

    #[test]
    fn a_request_and_a_note_are_checked() {
        let fields = |r: Result<NewHelpRequest>| match r {
            Err(Error::Validation(v)) => v.into_iter().map(|f| (f.field, f.code)).collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        let pair = |f: &str, c: &str| (f.to_owned(), c.to_owned());
        let ok = NewHelpRequest::parse(HelpTopic::Study, "  选课不知道怎么选  ", None).unwrap();
        assert_eq!(ok.message, "选课不知道怎么选");
        assert_eq!(fields(NewHelpRequest::parse(HelpTopic::Study, " \n ", None)), [pair("message", "required")]);
        assert_eq!(
            fields(NewHelpRequest::parse(HelpTopic::Life, "a\u{0}b", None)),
            [pair("message", "control_character")]
        );
        assert_eq!(
            fields(NewHelpRequest::parse(HelpTopic::Life, &"问".repeat(MAX_MESSAGE_CHARS + 1), None)),
            [pair("message", "too_long")]
        );
        assert!(NewHelpRequest::parse(HelpTopic::Life, &"问".repeat(MAX_MESSAGE_CHARS), None).is_ok());
        assert_eq!(parse_note(" 已面谈 ").unwrap(), "已面谈");
        assert!(parse_note("").is_err() && parse_note("\u{1b}[0m").is_err());
        assert_eq!(parse_optional_note(None).unwrap(), None);
        assert_eq!(parse_optional_note(Some("  ")).unwrap(), None);
        assert_eq!(parse_optional_note(Some("好")).unwrap().as_deref(), Some("好"));
        assert!(parse_optional_note(Some("a\u{7f}")).is_err());
    }

    #[test]
    fn a_recorded_answer_takes_the_topics_duty_and_the_preferred_channel_by_default() {
        assert_eq!(record_duties(HelpTopic::Research, None).unwrap(), [Duty::Research]);
        assert_eq!(record_duties(HelpTopic::Other, Some(vec![Duty::Life])).unwrap(), [Duty::Life]);
        assert!(record_duties(HelpTopic::Other, None).is_err());
        for t in HelpTopic::ALL {
            assert_eq!(t.duty().is_none(), *t == HelpTopic::Other);
            if let Some(d) = t.duty() {
                assert_eq!(d.as_str(), t.as_str(), "a duty topic has the duty's wire name");
            }
        }
        assert_eq!(record_channel(Some(WorkChannel::Phone), None).unwrap(), WorkChannel::Phone);
        assert_eq!(record_channel(Some(WorkChannel::Phone), Some(WorkChannel::Online)).unwrap(), WorkChannel::Online);
        assert!(record_channel(None, None).is_err());
    }

    #[test]
    fn who_sees_and_who_may_do_what() {
        let (college, other) = (Uuid::now_v7(), Uuid::now_v7());
        let (student, mentor, stranger) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let r = HelpFacts { student_id: student, mentor_id: mentor, college_id: college };
        use HelpAction as A;
        use HelpViewer as V;
        // (viewer, sees, answer/record, close)
        for (v, sees, answer, close) in [
            (V::University, true, false, false),
            (V::CollegeStaff(college), true, false, false),
            (V::CollegeStaff(other), false, false, false),
            (V::Student(student), true, false, true),
            (V::Student(mentor), true, true, true),
            (V::Student(stranger), false, false, false),
            (V::Nobody, false, false, false),
        ] {
            assert_eq!(v.sees(&r), sees, "{v:?} sees");
            assert_eq!(v.may(A::Answer, &r).is_ok(), answer, "{v:?} answers");
            assert_eq!(v.may(A::Record, &r).is_ok(), answer, "{v:?} records");
            assert_eq!(v.may(A::Close, &r).is_ok(), close, "{v:?} closes");
        }
    }
}
