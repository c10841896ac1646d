//! Inquiries to a listed mentor (报考咨询, 学业咨询, 科研合作邀请, rules 四.2): from applicants
//! without an account, or from signed-in students of other colleges. The mentor replies in the
//! API, closes or marks one as spam; the sender reads the reply with a reading token (shown once,
//! stored only as its hash) or, signed in, in their own list. Sending is rate-limited per client
//! address and per mentor.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::error::{Error, Problems, Result};
use crate::reference::Email;
use crate::string_enum;

string_enum! {
    /// What an inquiry is about.
    pub enum InquiryKind {
        /// 报考咨询: a prospective applicant asks about admission.
        Admission = "admission",
        /// 学业咨询: a study question.
        Study = "study",
        /// 科研合作邀请: an invitation to collaborate on research.
        ResearchCollaboration = "research_collaboration",
    }
}

string_enum! {
    /// Where an inquiry stands.
    pub enum InquiryState {
        /// Waiting for the mentor.
        Open = "open",
        /// The mentor replied.
        Answered = "answered",
        /// The mentor closed it (with or without a reply).
        Closed = "closed",
        /// The mentor marked it as spam.
        Spam = "spam",
    }
}

string_enum! {
    /// What a mentor does to an inquiry.
    pub enum InquiryAction {
        /// Reply (once).
        Reply = "reply",
        /// Close.
        Close = "close",
        /// Mark as spam.
        MarkSpam = "mark_spam",
    }
}

impl InquiryState {
    /// The state after `action`, or `InvalidTransition`: an open inquiry is replied to, closed or
    /// marked as spam; an answered one can still be closed; closed and spam are ends.
    pub fn apply(self, action: InquiryAction) -> Result<InquiryState> {
        use InquiryAction as A;
        use InquiryState as S;
        match (self, action) {
            (S::Open, A::Reply) => Ok(S::Answered),
            (S::Open | S::Answered, A::Close) => Ok(S::Closed),
            (S::Open, A::MarkSpam) => Ok(S::Spam),
            _ => Err(Error::InvalidTransition { from: self.to_string(), action: action.to_string() }),
        }
    }
}

/// Most characters of a sender's name.
pub const MAX_NAME_CHARS: usize = 50;
/// Most characters of a subject.
pub const MAX_SUBJECT_CHARS: usize = 100;
/// Most characters of a message or a reply.
pub const MAX_MESSAGE_CHARS: usize = 2000;

/// A checked inquiry, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInquiry {
    /// What it is about.
    pub kind: InquiryKind,
    /// The sender's name.
    pub sender_name: String,
    /// The sender's e-mail, when they gave one.
    pub sender_email: Option<Email>,
    /// Subject.
    pub subject: String,
    /// Message.
    pub message: String,
}

/// A text trimmed, required, bounded and free of control characters (other than line breaks).
pub fn required_text(p: &mut Problems, field: &str, raw: &str, max: usize) -> Option<String> {
    let t = raw.trim();
    if t.is_empty() {
        p.push(field, "required", format!("{field} must not be blank"));
        return None;
    }
    // The limit counts what was sent, as the document's maxLength does.
    if raw.chars().count() > max {
        p.push(field, "too_long", format!("at most {max} characters"));
        return None;
    }
    p.take(crate::text::check_field(field, t)).map(|()| t.to_owned())
}

impl NewInquiry {
    /// Checks every field at once.
    pub fn parse(kind: InquiryKind, name: &str, email: Option<&str>, subject: &str, message: &str) -> Result<Self> {
        let mut p = Problems::new();
        let sender_name = required_text(&mut p, "name", name, MAX_NAME_CHARS);
        let sender_email = match email.map(str::trim).filter(|e| !e.is_empty()) {
            Some(e) => p.take(Email::parse("email", e)).map(Some),
            None => Some(None),
        };
        let subject = required_text(&mut p, "subject", subject, MAX_SUBJECT_CHARS);
        let message = required_text(&mut p, "message", message, MAX_MESSAGE_CHARS);
        p.finish()?;
        match (sender_name, sender_email, subject, message) {
            (Some(sender_name), Some(sender_email), Some(subject), Some(message)) => {
                Ok(Self { kind, sender_name, sender_email, subject, message })
            }
            _ => Err(Error::invalid("message", "invalid", "the inquiry is incomplete")),
        }
    }
}

/// An inquiry as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Inquiry {
    /// Id.
    pub id: Uuid,
    /// The mentor's appointment.
    pub appointment_id: Uuid,
    /// The mentor's college (for its counts).
    pub college_id: Uuid,
    /// What it is about.
    pub kind: InquiryKind,
    /// Where it stands.
    pub state: InquiryState,
    /// The sender's name.
    pub sender_name: String,
    /// The sender's e-mail, when given.
    pub sender_email: Option<String>,
    /// The sender's account, when signed in.
    pub sender_user_id: Option<Uuid>,
    /// Subject.
    pub subject: String,
    /// Message.
    pub message: String,
    /// The mentor's reply.
    pub reply: Option<String>,
    /// When the mentor replied.
    pub replied_at: Option<DateTime<Utc>>,
    /// Optimistic-concurrency version.
    pub version: i32,
    /// Sent.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl Inquiry {
    /// The inquiry after the mentor's `action` at `now`; a reply needs its text (checked like a
    /// message).
    pub fn acted(&self, action: InquiryAction, reply: Option<&str>, now: DateTime<Utc>) -> Result<Self> {
        let state = self.state.apply(action)?;
        let mut after = Self { state, version: self.version + 1, updated_at: now, ..self.clone() };
        if action == InquiryAction::Reply {
            let mut p = Problems::new();
            let text = required_text(&mut p, "reply", reply.unwrap_or(""), MAX_MESSAGE_CHARS);
            p.finish()?;
            after.reply = text;
            after.replied_at = Some(now);
        }
        Ok(after)
    }
}

/// A limit of so many admitted sends per fixed window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Sends admitted per window.
    pub max: i32,
    /// The window, in seconds.
    pub window_secs: i64,
}

/// From one client address: ten a minute (the eleventh is refused).
pub const PER_ADDRESS: RateLimit = RateLimit { max: 10, window_secs: 60 };
/// To one mentor, from everyone together: thirty an hour.
pub const PER_MENTOR: RateLimit = RateLimit { max: 30, window_secs: 3600 };

/// The longest window of the rate limits: a stored window that started longer ago than this has
/// ended whatever its limit, and may be purged.
pub const LONGEST_WINDOW_SECS: i64 =
    if PER_ADDRESS.window_secs > PER_MENTOR.window_secs { PER_ADDRESS.window_secs } else { PER_MENTOR.window_secs };

/// A window of a rate limit as stored: when it started and how many sends it admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// When the window started.
    pub started_at: DateTime<Utc>,
    /// Sends admitted in it.
    pub count: i32,
}

impl Window {
    /// The window after admitting one more send at `now`, or `TooManyAttempts` with the seconds
    /// until the window ends. A window that has ended starts over.
    pub fn admit(self, limit: RateLimit, now: DateTime<Utc>) -> Result<Window> {
        let ends = self.started_at + Duration::seconds(limit.window_secs);
        if now >= ends || now < self.started_at {
            return Ok(Window { started_at: now, count: 1 });
        }
        if self.count >= limit.max {
            let secs = ((ends - now).num_milliseconds().max(0) + 999) / 1000;
            let secs = secs.max(1);
            return Err(Error::TooManyAttempts { retry_after_secs: u64::try_from(secs).unwrap_or(1) });
        }
        Ok(Window { started_at: self.started_at, count: self.count + 1 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_760_000_000 + s, 0).unwrap()
    }

    #[test]
    fn every_state_and_action() {
        use InquiryAction as A;
        use InquiryState as S;
        for (state, action, want) in [
            (S::Open, A::Reply, Some(S::Answered)),
            (S::Open, A::Close, Some(S::Closed)),
            (S::Open, A::MarkSpam, Some(S::Spam)),
            (S::Answered, A::Reply, None),
            (S::Answered, A::Close, Some(S::Closed)),
            (S::Answered, A::MarkSpam, None),
            (S::Closed, A::Reply, None),
            (S::Closed, A::Close, None),
            (S::Closed, A::MarkSpam, None),
            (S::Spam, A::Reply, None),
            (S::Spam, A::Close, None),
            (S::Spam, A::MarkSpam, None),
        ] {
            assert_eq!(state.apply(action).ok(), want, "{state} {action}");
        }
    }

    #[test]
    fn an_inquiry_is_checked_field_by_field() {
        let ok =
            NewInquiry::parse(InquiryKind::Admission, " 王同学 ", Some("A@Example.COM"), "报考", "想了解招生").unwrap();
        assert_eq!(ok.sender_name, "王同学");
        assert_eq!(ok.sender_email.map(Email::into_string).as_deref(), Some("A@example.com"));
        let bad =
            NewInquiry::parse(InquiryKind::Study, " ", Some("not-mail"), &"题".repeat(101), "a\u{7}b").unwrap_err();
        let Error::Validation(errors) = bad else { panic!() };
        let got: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
        assert_eq!(
            got,
            [
                ("name", "required"),
                ("email", "invalid_format"),
                ("subject", "too_long"),
                ("message", "control_character")
            ]
        );
        assert!(NewInquiry::parse(InquiryKind::Study, "王", None, "s", "m").unwrap().sender_email.is_none());
    }

    #[test]
    fn a_window_admits_its_limit_then_says_how_long_to_wait() {
        let limit = RateLimit { max: 3, window_secs: 60 };
        let mut w = Window { started_at: at(0), count: 0 };
        for s in 0..3 {
            w = w.admit(limit, at(s)).unwrap();
        }
        assert_eq!(w.count, 3);
        assert_eq!(w.admit(limit, at(20)), Err(Error::TooManyAttempts { retry_after_secs: 40 }));
        assert_eq!(w.admit(limit, at(59)), Err(Error::TooManyAttempts { retry_after_secs: 1 }));
        // The next window starts over.
        assert_eq!(w.admit(limit, at(60)), Ok(Window { started_at: at(60), count: 1 }));
    }
}
