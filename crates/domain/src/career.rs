//! Career postings (rules 三(三)2: 收集、推荐就业岗位): job and internship information that
//! mentors and staff post for their college, that the college's students list until its deadline,
//! and that a mentor recommends to named students.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::error::{Error, FieldError, Problems, Result};
use crate::string_enum;
use crate::text::check_field;

string_enum! {
    /// What a posting offers.
    pub enum JobKind {
        /// A full-time position (就业岗位).
        Job = "job",
        /// An internship (实习).
        Internship = "internship",
        /// A part-time or research-assistant position (兼职、助研).
        PartTime = "part_time",
        /// Anything else (招聘会、宣讲会…).
        Other = "other",
    }
}

string_enum! {
    /// Where a posting stands.
    pub enum PostingState {
        /// Listed until its deadline.
        Active = "active",
        /// Withdrawn by its author or the college.
        Withdrawn = "withdrawn",
    }
}

impl PostingState {
    /// The state after withdrawing, or `InvalidTransition` when withdrawn already.
    pub fn withdraw(self) -> Result<PostingState> {
        match self {
            PostingState::Active => Ok(PostingState::Withdrawn),
            PostingState::Withdrawn => {
                Err(Error::InvalidTransition { from: self.to_string(), action: "withdraw".to_owned() })
            }
        }
    }
}

/// Most characters of a title or an employer.
pub const MAX_TITLE_CHARS: usize = 100;
/// Most characters of a city.
pub const MAX_CITY_CHARS: usize = 50;
/// Most characters of a link.
pub const MAX_LINK_CHARS: usize = 500;
/// Most characters of a description or a recommendation note.
pub const MAX_DESCRIPTION_CHARS: usize = 2000;
/// Most units a posting suits.
pub const MAX_UNITS: usize = 20;
/// Most students one recommendation names.
pub const MAX_RECOMMENDED: usize = 50;

/// Whether a posting with `deadline` has expired on `today` (the deadline day itself still counts).
pub fn expired(deadline: NaiveDate, today: NaiveDate) -> bool {
    deadline < today
}

/// Parses a link: an `https://` URL with a host (ASCII: an internationalised name is written in
/// its `xn--` form), of at most 500 characters as sent, no spaces.
pub fn parse_https_link(field: &str, raw: &str) -> std::result::Result<String, FieldError> {
    let s = raw.trim();
    let bad = || FieldError::new(field, "invalid_format", format!("{field} must be an https:// URL"));
    let rest = s.strip_prefix("https://").ok_or_else(bad)?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_ok = !host.is_empty()
        && host.contains('.')
        && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
        && !host.starts_with(['.', '-']);
    // The limit counts what was sent, as the document's maxLength does.
    if !host_ok || raw.chars().count() > MAX_LINK_CHARS || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad());
    }
    Ok(s.to_owned())
}

fn line(p: &mut Problems, field: &str, raw: &str, max: usize) -> Option<String> {
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
    if t.contains(['\n', '\r', '\t']) {
        p.push(field, "invalid_format", format!("{field} must be one line"));
        return None;
    }
    p.take(check_field(field, t)).map(|()| t.to_owned())
}

/// Checks an optional free text (a description or a note).
pub fn optional_text(p: &mut Problems, field: &str, raw: Option<&str>) -> Option<Option<String>> {
    // The limit counts what was sent, as the document's maxLength does.
    match raw.filter(|r| !r.trim().is_empty()).map(|r| (r.trim(), r.chars().count())) {
        None => Some(None),
        Some((_, sent)) if sent > MAX_DESCRIPTION_CHARS => {
            p.push(field, "too_long", format!("{field} is longer than {MAX_DESCRIPTION_CHARS} characters"));
            None
        }
        Some((t, _)) => p.take(check_field(field, t)).map(|()| Some(t.to_owned())),
    }
}

fn check_units(p: &mut Problems, units: &[Uuid]) {
    if units.len() > MAX_UNITS {
        p.push("unit_ids", "too_many", format!("at most {MAX_UNITS} units"));
    }
    let mut seen = std::collections::HashSet::new();
    if !units.iter().all(|u| seen.insert(*u)) {
        p.push("unit_ids", "duplicate", "a unit is named twice");
    }
}

/// A posting's fields, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostingFields {
    /// Title.
    pub title: String,
    /// Employer.
    pub employer: String,
    /// City.
    pub city: String,
    /// Kind.
    pub kind: JobKind,
    /// The https link to the offer.
    pub link: String,
    /// The last day to apply (Asia/Shanghai).
    pub deadline: NaiveDate,
    /// The units (labs, disciplines…) it suits; none: the whole college.
    pub unit_ids: Vec<Uuid>,
    /// More about it.
    pub description: Option<String>,
}

/// A posting as written, before it is checked.
#[derive(Debug, Clone, Default)]
pub struct PostingInput<'a> {
    /// Title.
    pub title: Option<&'a str>,
    /// Employer.
    pub employer: Option<&'a str>,
    /// City.
    pub city: Option<&'a str>,
    /// Kind.
    pub kind: Option<JobKind>,
    /// Link.
    pub link: Option<&'a str>,
    /// Deadline.
    pub deadline: Option<NaiveDate>,
    /// Units.
    pub unit_ids: Option<&'a [Uuid]>,
    /// Description (`Some(None)` clears it).
    pub description: Option<Option<&'a str>>,
}

impl PostingFields {
    /// Checks a new posting on `today`: every field, the deadline not in the past.
    pub fn parse_new(input: &PostingInput<'_>, today: NaiveDate) -> Result<Self> {
        let mut p = Problems::new();
        let title = line(&mut p, "title", input.title.unwrap_or(""), MAX_TITLE_CHARS);
        let employer = line(&mut p, "employer", input.employer.unwrap_or(""), MAX_TITLE_CHARS);
        let city = line(&mut p, "city", input.city.unwrap_or(""), MAX_CITY_CHARS);
        let link = p.take(parse_https_link("link", input.link.unwrap_or("")));
        let deadline = input.deadline;
        match deadline {
            Some(d) if d < today => p.push("deadline", "out_of_range", "the deadline has passed"),
            Some(_) => {}
            None => p.push("deadline", "required", "deadline is required"),
        }
        let units = input.unit_ids.unwrap_or(&[]);
        check_units(&mut p, units);
        let description = optional_text(&mut p, "description", input.description.flatten());
        let kind = input.kind;
        if kind.is_none() {
            p.push("kind", "required", "kind is required");
        }
        p.finish()?;
        match (title, employer, city, kind, link, deadline, description) {
            (Some(title), Some(employer), Some(city), Some(kind), Some(link), Some(deadline), Some(description)) => {
                Ok(Self { title, employer, city, kind, link, deadline, unit_ids: units.to_vec(), description })
            }
            _ => Err(Error::invalid("title", "invalid", "the posting is incomplete")),
        }
    }

    /// The fields with `changes` applied on `today`; a changed deadline may not be in the past.
    pub fn with_changes(&self, c: &PostingInput<'_>, today: NaiveDate) -> Result<Self> {
        let mut p = Problems::new();
        let mut next = self.clone();
        if let Some(t) = c.title.and_then(|t| line(&mut p, "title", t, MAX_TITLE_CHARS)) {
            next.title = t;
        }
        if let Some(t) = c.employer.and_then(|t| line(&mut p, "employer", t, MAX_TITLE_CHARS)) {
            next.employer = t;
        }
        if let Some(t) = c.city.and_then(|t| line(&mut p, "city", t, MAX_CITY_CHARS)) {
            next.city = t;
        }
        if let Some(k) = c.kind {
            next.kind = k;
        }
        if let Some(l) = c.link.and_then(|l| p.take(parse_https_link("link", l))) {
            next.link = l;
        }
        if let Some(d) = c.deadline {
            if d < today {
                p.push("deadline", "out_of_range", "the deadline has passed");
            }
            next.deadline = d;
        }
        if let Some(u) = c.unit_ids {
            check_units(&mut p, u);
            next.unit_ids = u.to_vec();
        }
        if let Some(d) = c.description
            && let Some(d) = optional_text(&mut p, "description", d)
        {
            next.description = d;
        }
        p.finish()?;
        Ok(next)
    }
}

/// A posting as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posting {
    /// Id.
    pub id: Uuid,
    /// The college it is posted for.
    pub college_id: Uuid,
    /// The fields.
    pub fields: PostingFields,
    /// Active or withdrawn.
    pub state: PostingState,
    /// Who posted it (a user id).
    pub author_id: Uuid,
    /// Whether the deadline has passed (by the server's clock).
    pub expired: bool,
    /// How many students were recommended it.
    pub recommended_count: u64,
    /// Whether the caller was recommended it.
    pub recommended_to_me: bool,
    /// Version.
    pub version: i32,
    /// Posted.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// Who looks at or writes a posting, resolved to the facts the rules need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostingViewer {
    /// A university admin.
    University,
    /// A college admin (`admin`) or counselor of a college.
    CollegeStaff {
        /// The college.
        college_id: Uuid,
        /// Whether an admin (who edits and withdraws any of the college's postings).
        admin: bool,
    },
    /// A student of a college; `serving` when they hold an active appointment of it (a mentor).
    Student {
        /// The student record.
        student_id: Uuid,
        /// Their college.
        college_id: Uuid,
        /// Their active appointment, if any.
        appointment_id: Option<Uuid>,
    },
    /// Anyone else.
    Nobody,
}

impl PostingViewer {
    /// Who sees a college's postings: its students, counselors and admins, and the university.
    pub fn sees(self, college_id: Uuid) -> bool {
        match self {
            PostingViewer::University => true,
            PostingViewer::CollegeStaff { college_id: c, .. } | PostingViewer::Student { college_id: c, .. } => {
                c == college_id
            }
            PostingViewer::Nobody => false,
        }
    }

    /// Who posts for a college: its mentors, counselors and admins, and the university.
    pub fn may_post(self, college_id: Uuid) -> Result<()> {
        let ok = match self {
            PostingViewer::University | PostingViewer::CollegeStaff { .. } => self.sees(college_id),
            PostingViewer::Student { appointment_id: Some(_), .. } => self.sees(college_id),
            _ => false,
        };
        if ok { Ok(()) } else { Err(Error::Forbidden("only mentors and staff of the college post positions".into())) }
    }

    /// Who edits or withdraws a posting: its author, the college's admin, the university.
    pub fn may_edit(self, college_id: Uuid, is_author: bool) -> Result<()> {
        let ok = is_author
            || self == PostingViewer::University
            || self == PostingViewer::CollegeStaff { college_id, admin: true };
        if ok {
            Ok(())
        } else {
            Err(Error::Forbidden("only the author or the college's admin changes a posting".into()))
        }
    }

    /// The appointment of a mentor of the posting's college who recommends it.
    pub fn recommending_appointment(self, college_id: Uuid) -> Result<Uuid> {
        match self {
            PostingViewer::Student { appointment_id: Some(a), college_id: c, .. } if c == college_id => Ok(a),
            _ => Err(Error::Forbidden("only a serving mentor of the college recommends a posting".into())),
        }
    }
}

/// Checks the students of a recommendation: 1–50, each once.
pub fn check_recommended(students: &[Uuid]) -> std::result::Result<(), FieldError> {
    if students.is_empty() {
        return Err(FieldError::new("student_ids", "required", "name at least one student"));
    }
    if students.len() > MAX_RECOMMENDED {
        return Err(FieldError::new("student_ids", "too_many", format!("at most {MAX_RECOMMENDED} students")));
    }
    let mut seen = std::collections::HashSet::new();
    if !students.iter().all(|s| seen.insert(*s)) {
        return Err(FieldError::new("student_ids", "duplicate", "a student is named twice"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn links_are_https_with_a_host() {
        assert!(parse_https_link("link", "https://xn--fiq228c.example.com/a").is_ok());
        assert_eq!(
            parse_https_link("link", " https://jobs.example.com/a?b=1 ").unwrap(),
            "https://jobs.example.com/a?b=1"
        );
        for bad in [
            "http://jobs.example.com",
            "https://",
            "https:///x",
            "jobs.example.com",
            "https://a b.com",
            "https://localhost",
            "javascript:alert(1)",
            "https://.example.com",
            // Hosts are ASCII (an internationalised name in its xn-- form), as the document's
            // pattern says.
            "https://招聘.example.com",
        ] {
            assert!(parse_https_link("link", bad).is_err(), "{bad}");
        }
        assert!(parse_https_link("link", &format!("https://a.cn/{}", "x".repeat(500))).is_err());
    }

    #[test]
    fn a_posting_is_checked_field_by_field_and_expires_after_its_deadline() {
        let today = d(2026, 11, 30);
        let units = [Uuid::now_v7()];
        let ok = PostingInput {
            title: Some("算法工程师"),
            employer: Some("某科技公司"),
            city: Some("成都"),
            kind: Some(JobKind::Job),
            link: Some("https://jobs.example.com/1"),
            deadline: Some(today),
            unit_ids: Some(&units),
            description: Some(Some("面向计算机学院应届硕士")),
        };
        let p = PostingFields::parse_new(&ok, today).unwrap();
        assert_eq!(p.unit_ids, units);
        let fields = |i: PostingInput<'_>| match PostingFields::parse_new(&i, today) {
            Err(Error::Validation(v)) => v.into_iter().map(|f| (f.field, f.code)).collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        let pair = |f: &str, c: &str| (f.to_owned(), c.to_owned());
        assert_eq!(
            fields(PostingInput { deadline: Some(d(2026, 11, 29)), ..ok.clone() }),
            [pair("deadline", "out_of_range")]
        );
        assert_eq!(fields(PostingInput { link: Some("http://x.cn"), ..ok.clone() }), [pair("link", "invalid_format")]);
        assert_eq!(fields(PostingInput { title: Some(" "), ..ok.clone() }), [pair("title", "required")]);
        assert_eq!(fields(PostingInput { city: Some("成\u{0}都"), ..ok.clone() }), [pair("city", "control_character")]);
        let twice = [units[0], units[0]];
        assert_eq!(fields(PostingInput { unit_ids: Some(&twice), ..ok.clone() }), [pair("unit_ids", "duplicate")]);
        assert!(!expired(today, today));
        assert!(expired(today, d(2026, 12, 1)));
        // Changes: a past deadline is refused; a description is cleared.
        let changed = p.with_changes(&PostingInput { description: Some(None), ..Default::default() }, today).unwrap();
        assert_eq!(changed.description, None);
        assert!(p.with_changes(&PostingInput { deadline: Some(d(2026, 1, 1)), ..Default::default() }, today).is_err());
        assert_eq!(PostingState::Active.withdraw(), Ok(PostingState::Withdrawn));
        assert!(PostingState::Withdrawn.withdraw().is_err());
        assert!(check_recommended(&[]).is_err());
        assert!(check_recommended(&twice).is_err());
        assert!(check_recommended(&units).is_ok());
    }

    #[test]
    fn who_sees_posts_edits_and_recommends() {
        let (c, other) = (Uuid::now_v7(), Uuid::now_v7());
        let a = Uuid::now_v7();
        let mentor = PostingViewer::Student { student_id: Uuid::now_v7(), college_id: c, appointment_id: Some(a) };
        let student = PostingViewer::Student { student_id: Uuid::now_v7(), college_id: c, appointment_id: None };
        let foreign = PostingViewer::Student { student_id: Uuid::now_v7(), college_id: other, appointment_id: Some(a) };
        let admin = PostingViewer::CollegeStaff { college_id: c, admin: true };
        let counselor = PostingViewer::CollegeStaff { college_id: c, admin: false };
        for (v, sees, posts, edits, recommends) in [
            (PostingViewer::University, true, true, true, false),
            (admin, true, true, true, false),
            (counselor, true, true, false, false),
            (mentor, true, true, false, true),
            (student, true, false, false, false),
            (foreign, false, false, false, false),
            (PostingViewer::CollegeStaff { college_id: other, admin: true }, false, false, false, false),
            (PostingViewer::Nobody, false, false, false, false),
        ] {
            assert_eq!(v.sees(c), sees, "{v:?}");
            assert_eq!(v.may_post(c).is_ok(), posts, "{v:?}");
            assert_eq!(v.may_edit(c, false).is_ok(), edits, "{v:?}");
            assert_eq!(v.recommending_appointment(c).is_ok(), recommends, "{v:?}");
        }
        assert!(student.may_edit(c, true).is_ok(), "the author");
    }
}
