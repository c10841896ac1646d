//! A mentor's public profile (公示): what the mentor chooses to show in the public directory while
//! serving. It never carries private details — the rules of DESIGN.md §2 keep a student number,
//! a phone number, an ID-card number or the private email out of it — and it is withdrawn when the
//! appointment ends (dismissal, resignation, the end of the year).

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::error::{Error, FieldError, Result};

/// Most deeds a profile lists.
pub const MAX_DEEDS: usize = 20;

/// Most characters of one deed.
pub const MAX_DEED_CHARS: usize = 200;

/// A mentor's public profile, one per appointment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MentorProfile {
    /// The appointment it belongs to.
    pub appointment_id: Uuid,
    /// 研究方向.
    pub research_direction: Option<String>,
    /// 个人简介.
    pub bio: Option<String>,
    /// 先进事迹: short lines, in the mentor's order.
    pub deeds: Vec<String>,
    /// The contact the mentor makes public (an office, a QQ group, a work mailbox).
    pub public_contact: Option<String>,
    /// Whether the directory shows it.
    pub published: bool,
    /// When it was last published.
    pub published_at: Option<DateTime<Utc>>,
    /// When the end of the appointment took it down.
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// Optimistic-concurrency version; 0 for a profile never written.
    pub version: i32,
    /// Created (for a profile never written, the time it was read).
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl MentorProfile {
    /// The empty, unpublished profile an appointment has before its mentor writes one.
    pub fn empty(appointment_id: Uuid, now: DateTime<Utc>) -> Self {
        Self {
            appointment_id,
            research_direction: None,
            bio: None,
            deeds: Vec::new(),
            public_contact: None,
            published: false,
            published_at: None,
            withdrawn_at: None,
            version: 0,
            created_at: now,
            updated_at: now,
        }
    }

    /// The profile with `input` written over it at `now`, after checking it against the mentor's
    /// `private` details. Publishing needs a research direction and a bio.
    pub fn edited(&self, input: ProfileInput, private: &PrivateDetails, now: DateTime<Utc>) -> Result<Self> {
        let mut errors = Vec::new();
        // Deeds are named by their place in the request, blank ones included.
        let texts = [("research_direction", &input.research_direction), ("bio", &input.bio)]
            .into_iter()
            .chain([("public_contact", &input.public_contact)])
            .filter_map(|(field, v)| v.as_deref().map(|v| (field.to_owned(), v)))
            .chain(input.deeds.iter().enumerate().map(|(i, d)| (format!("deeds[{i}]"), d.as_str())));
        for (field, text) in texts {
            if field.starts_with("deeds[") && text.trim().chars().count() > MAX_DEED_CHARS {
                errors.push(FieldError::new(&field, "too_long", format!("at most {MAX_DEED_CHARS} characters")));
            }
            if let Some(what) = private.found_in(text) {
                errors.push(FieldError::new(
                    field,
                    "private_detail",
                    format!("a public profile must not show {what}; share it with mentees instead"),
                ));
            }
        }
        let input = input.normalized();
        if input.deeds.len() > MAX_DEEDS {
            errors.push(FieldError::new("deeds", "too_many", format!("at most {MAX_DEEDS} deeds")));
        }
        if input.published {
            for (field, v) in [("research_direction", &input.research_direction), ("bio", &input.bio)] {
                if v.is_none() {
                    errors.push(FieldError::new(field, "required", format!("a published profile needs its {field}")));
                }
            }
        }
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        let published_at = match (self.published, input.published) {
            (false, true) => Some(now),
            (_, false) => None,
            (true, true) => self.published_at,
        };
        let after = Self {
            research_direction: input.research_direction,
            bio: input.bio,
            deeds: input.deeds,
            public_contact: input.public_contact,
            published: input.published,
            published_at,
            withdrawn_at: None,
            ..self.clone()
        };
        Ok(if after == *self { after } else { Self { version: self.version + 1, updated_at: now, ..after } })
    }

    /// The profile taken down because the appointment ended, or `None` if it was not shown.
    pub fn withdrawn(&self, now: DateTime<Utc>) -> Option<Self> {
        self.published.then(|| Self {
            published: false,
            published_at: None,
            withdrawn_at: Some(now),
            version: self.version + 1,
            updated_at: now,
            ..self.clone()
        })
    }
}

/// What a mentor writes into their profile.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProfileInput {
    /// 研究方向.
    pub research_direction: Option<String>,
    /// 个人简介.
    pub bio: Option<String>,
    /// 先进事迹.
    pub deeds: Vec<String>,
    /// The public contact.
    pub public_contact: Option<String>,
    /// Show it in the directory.
    pub published: bool,
}

impl ProfileInput {
    /// Texts trimmed; blank ones are absent, blank deeds dropped.
    fn normalized(self) -> Self {
        let clean = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        Self {
            research_direction: clean(self.research_direction),
            bio: clean(self.bio),
            deeds: self.deeds.into_iter().filter_map(|d| clean(Some(d))).collect(),
            public_contact: clean(self.public_contact),
            published: self.published,
        }
    }
}

/// The mentor's details that must never appear in public.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PrivateDetails {
    /// 学号.
    pub student_no: String,
    /// The phone on record.
    pub phone: Option<String>,
    /// The private email on record.
    pub email: Option<String>,
}

impl PrivateDetails {
    /// What private detail `text` shows, if any: the mentor's 学号, phone or email on record, or
    /// anything shaped like a mainland mobile number or a resident ID-card number.
    pub fn found_in(&self, text: &str) -> Option<&'static str> {
        let lower = text.to_lowercase();
        let digits_only = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
        if !self.student_no.is_empty() && lower.contains(&self.student_no.to_lowercase()) {
            return Some("a student number");
        }
        if let Some(e) = self.email.as_deref().map(str::trim).filter(|e| !e.is_empty())
            && lower.contains(&e.to_lowercase())
        {
            return Some("the private email");
        }
        let text_digits = digits_only(text);
        let national = |p: String| if p.len() > 11 && p.starts_with("86") { p[2..].to_owned() } else { p };
        if let Some(p) = self.phone.as_deref().map(digits_only).map(national).filter(|p| p.len() >= 7)
            && text_digits.contains(&p)
        {
            return Some("a phone number");
        }
        digit_runs(text).find_map(|run| match run.as_bytes() {
            [b'1', b'3'..=b'9', rest @ ..] if rest.len() == 9 => Some("a phone number"),
            r if r.len() == 18 || (r.len() == 17 && id_check_letter_follows(text, &run)) => Some("an ID-card number"),
            _ => None,
        })
    }
}

/// Runs of ASCII digits in `text`, allowing the single spaces or hyphens people put inside phone
/// numbers (`138-0000-0000`, `138 0000 0000`).
fn digit_runs(text: &str) -> impl Iterator<Item = String> + '_ {
    let mut runs = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            current.push(c);
        } else if (c == '-' || c == ' ') && !current.is_empty() && chars.peek().is_some_and(char::is_ascii_digit) {
            continue;
        } else if !current.is_empty() {
            runs.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs.into_iter()
}

/// Whether the 17-digit `run` in `text` is followed by the check letter `X` of an ID number.
fn id_check_letter_follows(text: &str, run: &str) -> bool {
    text.find(run).and_then(|i| text[i + run.len()..].chars().next()).is_some_and(|c| c == 'X' || c == 'x')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2025-10-01T08:00:00Z").unwrap().with_timezone(&Utc)
    }

    fn private() -> PrivateDetails {
        PrivateDetails {
            student_no: "2023223040001".into(),
            phone: Some("+86 139-1234-5678".into()),
            email: Some("zhangwei@qq.com".into()),
        }
    }

    fn input(published: bool) -> ProfileInput {
        ProfileInput {
            research_direction: Some("  计算机视觉 ".into()),
            bio: Some("博士三年级，热心帮助新生。".into()),
            deeds: vec!["2024 挑战杯省赛一等奖".into(), "  ".into()],
            public_contact: Some("学院 A302 办公室".into()),
            published,
        }
    }

    fn fields(e: Error) -> Vec<(String, String)> {
        match e {
            Error::Validation(v) => v.into_iter().map(|f| (f.field, f.code)).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn publishing_trims_and_stamps_the_profile() {
        let p = MentorProfile::empty(Uuid::nil(), now()).edited(input(true), &private(), now()).unwrap();
        assert_eq!(p.research_direction.as_deref(), Some("计算机视觉"));
        assert_eq!(p.deeds, ["2024 挑战杯省赛一等奖"]);
        assert!(p.published);
        assert_eq!(p.published_at, Some(now()));
        assert_eq!(p.version, 1);
        // Writing the same again changes nothing, not even the version.
        let later = now() + chrono::Duration::days(1);
        let again = p.edited(input(true), &private(), later).unwrap();
        assert_eq!(again, p);
        // Unpublishing clears the stamp.
        let hidden = p.edited(input(false), &private(), later).unwrap();
        assert_eq!((hidden.published, hidden.published_at, hidden.version), (false, None, 2));
    }

    #[test]
    fn a_published_profile_needs_a_research_direction_and_a_bio() {
        let empty = ProfileInput { published: true, bio: Some("   ".into()), ..Default::default() };
        let e = MentorProfile::empty(Uuid::nil(), now()).edited(empty, &private(), now()).unwrap_err();
        assert_eq!(fields(e), [("research_direction".into(), "required".into()), ("bio".into(), "required".into())]);
        // A draft may be empty.
        let draft = ProfileInput::default();
        assert!(MentorProfile::empty(Uuid::nil(), now()).edited(draft, &private(), now()).is_ok());
    }

    #[test]
    fn private_details_never_go_public() {
        let p = private();
        for (text, want) in [
            ("学号 2023223040001", Some("a student number")),
            ("邮箱 ZhangWei@QQ.com", Some("the private email")),
            ("电话 13912345678", Some("a phone number")),
            ("call 139 1234 5678", Some("a phone number")),
            ("手机：186-0000-1111", Some("a phone number")),
            ("身份证 51010419990101123X", Some("an ID-card number")),
            ("身份证 510104199901011234", Some("an ID-card number")),
            ("QQ群 123456789", None),
            ("2024 年获奖 3 项", None),
            ("办公室电话 028-85401234", None),
            ("", None),
        ] {
            assert_eq!(p.found_in(text), want, "{text}");
        }
        let mut bad = input(true);
        bad.deeds.push("联系 13912345678".into());
        bad.public_contact = Some("zhangwei@qq.com".into());
        let e = MentorProfile::empty(Uuid::nil(), now()).edited(bad, &p, now()).unwrap_err();
        assert_eq!(
            fields(e),
            [("public_contact".into(), "private_detail".into()), ("deeds[2]".into(), "private_detail".into())]
        );
    }

    #[test]
    fn too_many_deeds_are_refused() {
        let mut many = input(false);
        many.deeds = (0..=MAX_DEEDS).map(|i| format!("事迹{i}")).collect();
        let e = MentorProfile::empty(Uuid::nil(), now()).edited(many, &private(), now()).unwrap_err();
        assert_eq!(fields(e), [("deeds".into(), "too_many".into())]);
        let mut long = input(false);
        long.deeds = vec!["短".into(), "长".repeat(MAX_DEED_CHARS + 1)];
        let e = MentorProfile::empty(Uuid::nil(), now()).edited(long, &private(), now()).unwrap_err();
        assert_eq!(fields(e), [("deeds[1]".into(), "too_long".into())]);
    }

    #[test]
    fn the_end_of_an_appointment_withdraws_only_a_shown_profile() {
        let shown = MentorProfile::empty(Uuid::nil(), now()).edited(input(true), &private(), now()).unwrap();
        let later = now() + chrono::Duration::days(30);
        let w = shown.withdrawn(later).unwrap();
        assert_eq!((w.published, w.published_at, w.withdrawn_at, w.version), (false, None, Some(later), 2));
        assert_eq!(w.bio, shown.bio, "the text stays for the record");
        assert!(w.withdrawn(later).is_none());
        assert!(MentorProfile::empty(Uuid::nil(), now()).withdrawn(later).is_none());
    }
}
