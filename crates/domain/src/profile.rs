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
            if field.starts_with("deeds[") && text.chars().count() > MAX_DEED_CHARS {
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
    /// a number shaped like a mainland mobile number or a resident ID-card number (with a valid
    /// birth date and check digit). Full-width characters count as their ASCII forms, and digits
    /// may be grouped by single spaces or hyphens (`+86 138-0000-1111`).
    pub fn found_in(&self, text: &str) -> Option<&'static str> {
        let folded = fold(text).to_lowercase();
        let candidates = candidates(&folded);
        let student_no = fold(&self.student_no).to_lowercase();
        if !student_no.is_empty()
            && (folded.contains(&student_no) || candidates.iter().any(|c| c.to_lowercase() == student_no))
        {
            return Some("a student number");
        }
        if let Some(e) = self.email.as_deref().map(|e| fold(e).trim().to_lowercase()).filter(|e| !e.is_empty())
            && folded.contains(&e)
        {
            return Some("the private email");
        }
        let phone_on_record =
            self.phone.as_deref().map(|p| national(fold(p).chars().filter(char::is_ascii_digit).collect()));
        let phone_on_record = phone_on_record.filter(|p| p.len() >= 7);
        for c in &candidates {
            let digits = national(c.clone());
            if phone_on_record.as_deref() == Some(digits.as_str()) || is_mobile(&digits) {
                return Some("a phone number");
            }
            if is_id_number(c) {
                return Some("an ID-card number");
            }
        }
        None
    }
}

/// Full-width digits, letters, spaces and dashes as their ASCII forms, as Chinese input methods
/// type them.
fn fold(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            '\u{3000}' => ' ',
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FF0D}' => '-',
            c => c,
        })
        .collect()
}

/// A number without a `86` country code in front.
fn national(digits: String) -> String {
    match digits.strip_prefix("86") {
        Some(rest) if digits.len() == 13 => rest.to_owned(),
        _ => digits,
    }
}

/// `1[3-9]` and nine more digits.
fn is_mobile(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) && b.iter().all(u8::is_ascii_digit)
}

/// 18 characters: a six-digit region, a real birth date, three digits and the ISO 7064 MOD 11-2
/// check character.
fn is_id_number(s: &str) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let b = s.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
    let born = match (num(6..10), num(10..12), num(12..14)) {
        (Some(y), Some(m), Some(d)) => {
            chrono::NaiveDate::from_ymd_opt(y as i32, m, d).is_some() && (1900..=2100).contains(&y)
        }
        _ => false,
    };
    let sum: u32 = b[..17].iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    born && b[17].to_ascii_uppercase() == b"10X98765432"[(sum % 11) as usize]
}

/// Every number `text` writes, and every run of its digit groups: `+86 138-0000-1111` gives
/// `86`, `138`, …, `8613800001111`, `13800001111`, …. Groups are separated by one space or
/// hyphen; an `X` right after digits (an ID-card check letter) closes its group.
fn candidates(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut numbers: Vec<Vec<String>> = Vec::new();
    let mut groups: Vec<String> = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        if c.is_ascii_digit() {
            current.push(c);
        } else if c.eq_ignore_ascii_case(&'x')
            && !current.is_empty()
            && !next.is_some_and(|n| n.is_ascii_alphanumeric())
        {
            current.push('X');
            groups.push(std::mem::take(&mut current));
        } else if (c == ' ' || c == '-')
            && !(current.is_empty() && groups.is_empty())
            && next.is_some_and(|n| n.is_ascii_digit())
        {
            if !current.is_empty() {
                groups.push(std::mem::take(&mut current));
            }
        } else {
            if !current.is_empty() {
                groups.push(std::mem::take(&mut current));
            }
            if !groups.is_empty() {
                numbers.push(std::mem::take(&mut groups));
            }
        }
    }
    if !current.is_empty() {
        groups.push(current);
    }
    if !groups.is_empty() {
        numbers.push(groups);
    }
    let mut out = Vec::new();
    for groups in &numbers {
        for start in 0..groups.len() {
            let mut joined = String::new();
            for g in &groups[start..] {
                joined.push_str(g);
                if joined.len() > 24 {
                    break;
                }
                out.push(joined.clone());
            }
        }
    }
    out
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
            ("学号 2023 2230 40001", Some("a student number")),
            ("邮箱 ZhangWei@QQ.com", Some("the private email")),
            ("电话 13912345678", Some("a phone number")),
            ("call 139 1234 5678", Some("a phone number")),
            // Numbers not on record, shaped like a mobile number, however they are grouped.
            ("手机：186-0000-1111", Some("a phone number")),
            ("+86 138 0000 1111", Some("a phone number")),
            ("+86-138-0000-1111", Some("a phone number")),
            ("办公室 A302 13800001111", Some("a phone number")),
            ("手机 13700001111 13800002222", Some("a phone number")),
            ("13800001111 2024", Some("a phone number")),
            ("１３８００００１１１１", Some("a phone number")),
            ("138–0000–1111", Some("a phone number")),
            // ID-card numbers with a real birth date and check character.
            ("身份证 11010519491231002X", Some("an ID-card number")),
            ("身份证 510104199901011236", Some("an ID-card number")),
            ("510104 19990101 1236", Some("an ID-card number")),
            // What is not private.
            ("身份证 510104199901011234", None),
            ("获奖：2021-09 2022-06 2023-05", None),
            ("论文 13 篇，引用 912 次，h 指数 34", None),
            ("QQ群 123456789", None),
            ("2024 年获奖 3 项", None),
            ("办公室电话 028-85401234", None),
            ("Xception 模型，ResNet-50", None),
            ("", None),
        ] {
            assert_eq!(p.found_in(text), want, "{text}");
        }
        let landline = PrivateDetails { phone: Some("8540-1234".into()), ..Default::default() };
        assert_eq!(landline.found_in("电话 8540 1234"), Some("a phone number"));
        assert_eq!(landline.found_in("论文 85 篇，引用 401234 次"), None, "digits of different numbers are not joined");
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
