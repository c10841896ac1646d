//! Reference data: academic years, colleges, units, students and staff, and the value types
//! that are parsed once at the boundary and trusted afterwards.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{FieldError, Problems, Result};
use crate::string_enum;

/// Parses a value that is at most `max` characters long as given (the document's `maxLength`),
/// then trimmed and non-empty.
fn text(field: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(FieldError::new(field, "required", format!("{field} must not be empty")));
    }
    if raw.chars().count() > max {
        return Err(FieldError::new(field, "too_long", format!("{field} must be at most {max} characters")));
    }
    if s.chars().any(char::is_control) {
        return Err(FieldError::new(field, "invalid_format", format!("{field} must not contain control characters")));
    }
    Ok(s.to_string())
}

macro_rules! newtype {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The value as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The value as an owned string.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

newtype!(
    /// A display name (of a person, college or unit): trimmed, 1–100 characters.
    Name
);

impl Name {
    /// Parses a name for `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        text(field, raw, 100).map(Self)
    }
}

newtype!(
    /// An identifying code (college code, unit code): 1–32 of `A–Z a–z 0–9 - _ .`.
    Code
);

impl Code {
    /// Parses a code for `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let s = text(field, raw, 32)?;
        if !s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
            return Err(FieldError::new(
                field,
                "invalid_format",
                format!("{field} may contain only letters, digits, '-', '_' and '.'"),
            ));
        }
        Ok(Self(s))
    }
}

newtype!(
    /// A student number (学号) or staff number (工号): 4–20 ASCII letters or digits, stored in
    /// upper case so `2023a01` and `2023A01` are the same person.
    PersonNo
);

impl PersonNo {
    /// Parses a student or staff number for `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(FieldError::new(field, "required", format!("{field} must not be empty")));
        }
        if !(4..=20).contains(&s.len()) || !s.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(FieldError::new(field, "invalid_format", format!("{field} must be 4–20 letters or digits")));
        }
        Ok(Self(s.to_ascii_uppercase()))
    }
}

/// The longest phone number, in characters as sent.
pub const MAX_PHONE_CHARS: usize = 25;
/// The longest e-mail address, in characters as sent (RFC 5321's path limit).
pub const MAX_EMAIL_CHARS: usize = 254;

newtype!(
    /// A phone number: 5–20 digits, with spaces, `+`, `-` and parentheses; at most 25 characters
    /// as sent (white space around it included: the limit is the column's and the document's).
    Phone
);

impl Phone {
    /// Parses a phone number for `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        let digits = s.chars().filter(char::is_ascii_digit).count();
        let allowed = s.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')'));
        if !allowed || !(5..=20).contains(&digits) || raw.chars().count() > MAX_PHONE_CHARS {
            return Err(FieldError::new(field, "invalid_format", format!("{field} is not a phone number")));
        }
        Ok(Self(s.to_string()))
    }
}

newtype!(
    /// An e-mail address, checked for shape (one `@`, a dotted domain, no spaces), lower-cased domain;
    /// a local part of at most 64 characters and at most 254 characters as sent.
    Email
);

impl Email {
    /// Parses an e-mail address for `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        let bad = || FieldError::new(field, "invalid_format", format!("{field} is not an e-mail address"));
        let (local, domain) = s.split_once('@').ok_or_else(bad)?;
        let ok = !local.is_empty()
            && local.chars().count() <= 64
            && raw.chars().count() <= MAX_EMAIL_CHARS
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if !ok {
            return Err(bad());
        }
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }
}

/// An academic year code such as `2025-2026`: the second year follows the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AcademicYearCode {
    first: i32,
}

impl AcademicYearCode {
    /// Parses `YYYY-YYYY` for `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let bad = |msg: &str| FieldError::new(field, "invalid_format", msg.to_string());
        let (a, b) = raw.trim().split_once('-').ok_or_else(|| bad("academic year must look like 2025-2026"))?;
        let parse_year = |s: &str| -> Option<i32> {
            (s.len() == 4 && s.chars().all(|c| c.is_ascii_digit())).then(|| s.parse().ok()).flatten()
        };
        let (Some(first), Some(second)) = (parse_year(a), parse_year(b)) else {
            return Err(bad("academic year must look like 2025-2026"));
        };
        if second != first + 1 {
            return Err(bad("the second year of an academic year must follow the first"));
        }
        if !(2000..=2100).contains(&first) {
            return Err(bad("academic year must lie between 2000 and 2101"));
        }
        Ok(Self { first })
    }

    /// The calendar year the academic year starts in.
    pub fn first_year(self) -> i32 {
        self.first
    }

    /// Sept 1 of the first year.
    pub fn default_start(self) -> NaiveDate {
        ymd(self.first, 9, 1)
    }

    /// Aug 31 of the second year.
    pub fn default_end(self) -> NaiveDate {
        ymd(self.first + 1, 8, 31)
    }

    /// The orientation milestone (mentors introduced to freshmen): Sept 30 of the first year.
    pub fn default_introduction_deadline(self) -> NaiveDate {
        ymd(self.first, 9, 30)
    }

    /// The freshman-salon milestone: Oct 31 of the first year.
    pub fn default_salon_deadline(self) -> NaiveDate {
        ymd(self.first, 10, 31)
    }
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    // Every call passes a fixed, valid month and day; the fallback is unreachable.
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

impl std::fmt::Display for AcademicYearCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.first, self.first + 1)
    }
}

/// The per-year switches and milestones of the program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearPolicy {
    /// How many mentees a mentor takes unless their appointment says otherwise.
    pub default_capacity: i32,
    /// Whether probationary Party members (预备党员) may be nominated this year.
    pub allow_probationary: bool,
    /// Mentors introduced to the freshmen by this date (Asia/Shanghai).
    pub introduction_deadline: NaiveDate,
    /// Freshman salons held by this date (Asia/Shanghai).
    pub salon_deadline: NaiveDate,
    /// Days a mentor may edit a work-record entry after recording it (1–365, default 30).
    pub record_edit_days: i32,
    /// Days an escalated concern may wait for an acknowledgement before it is overdue.
    pub concern_overdue: crate::concern::OverdueLimits,
    /// The first day colleges grade the year (考核), once set: the assessment window opens.
    #[serde(default)]
    pub assessment_opens_on: Option<NaiveDate>,
    /// The last day colleges grade the year; set together with `assessment_opens_on`.
    #[serde(default)]
    pub assessment_closes_on: Option<NaiveDate>,
    /// The scholarship credit (社会工作认定) the year's grades and awards give.
    #[serde(default)]
    pub credit: crate::yearend::CreditPolicy,
}

impl YearPolicy {
    /// The assessment window, once both its days are set.
    pub fn assessment_window(&self) -> Option<crate::yearend::AssessmentWindow> {
        match (self.assessment_opens_on, self.assessment_closes_on) {
            (Some(o), Some(c)) => crate::yearend::AssessmentWindow::new(o, c).ok(),
            _ => None,
        }
    }
}

/// The largest mentor capacity the program allows.
pub const MAX_CAPACITY: i32 = 30;

/// The mentor capacity when nothing else is said.
pub const DEFAULT_CAPACITY: i32 = 5;

/// Checks a mentor capacity for `field`.
pub fn check_capacity(field: &str, capacity: i32) -> Result<i32, FieldError> {
    if (1..=MAX_CAPACITY).contains(&capacity) {
        Ok(capacity)
    } else {
        Err(FieldError::new(field, "out_of_range", format!("{field} must be between 1 and {MAX_CAPACITY}")))
    }
}

/// An academic year with its dates and policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcademicYear {
    /// Id.
    pub id: Uuid,
    /// `2025-2026`.
    pub code: String,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Policy switches and milestones.
    pub policy: YearPolicy,
    /// Whether the year has been closed (its appointments completed).
    pub closed: bool,
    /// Optimistic-concurrency version.
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl AcademicYear {
    /// The calendar year the academic year starts in (2025 for `2025-2026`). Codes are checked
    /// when a year is written, so a code that does not parse is an error, never year 0.
    pub fn first_year(&self) -> Result<i32, FieldError> {
        AcademicYearCode::parse("code", &self.code).map(AcademicYearCode::first_year)
    }

    /// Checks that the dates of a year hang together: start before end, milestones inside the year.
    pub fn check_dates(starts_on: NaiveDate, ends_on: NaiveDate, policy: &YearPolicy) -> Result<()> {
        let mut p = Problems::new();
        if ends_on <= starts_on {
            p.push("ends_on", "out_of_range", "ends_on must be after starts_on");
        }
        for (field, date) in
            [("introduction_deadline", policy.introduction_deadline), ("salon_deadline", policy.salon_deadline)]
        {
            if date < starts_on || date > ends_on {
                p.push(field, "out_of_range", format!("{field} must lie within the academic year"));
            }
        }
        if let Err(e) = check_capacity("default_capacity", policy.default_capacity) {
            p.take::<i32>(Err(e));
        }
        p.take(crate::work::check_edit_window("record_edit_days", policy.record_edit_days));
        policy.concern_overdue.check(&mut p);
        policy.credit.check(&mut p);
        match (policy.assessment_opens_on, policy.assessment_closes_on) {
            (None, None) => {}
            (Some(_), None) => p.push("assessment_closes_on", "required", "the window needs its last day too"),
            (None, Some(_)) => p.push("assessment_opens_on", "required", "the window needs its first day too"),
            (Some(o), Some(c)) => {
                if o < starts_on {
                    p.push("assessment_opens_on", "out_of_range", "the assessment opens within the academic year");
                }
                if c < o {
                    p.push("assessment_closes_on", "out_of_range", "the assessment closes on or after it opens");
                }
            }
        }
        p.finish()
    }
}

/// A college (学院、中心、所).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct College {
    /// Id.
    pub id: Uuid,
    /// Unique code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Optimistic-concurrency version.
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

string_enum! {
    /// The kind of organisational unit a mentor is selected for and pairs within.
    pub enum UnitKind {
        /// 学科方向.
        Discipline = "discipline",
        /// 实验室.
        Laboratory = "laboratory",
        /// 课题组.
        ResearchGroup = "research_group",
        /// 临床科室.
        ClinicalDepartment = "clinical_department",
        /// 导师科研团队.
        SupervisorTeam = "supervisor_team",
    }
}

/// An organisational unit inside a college.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    /// Id.
    pub id: Uuid,
    /// Unique code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: UnitKind,
    /// The college it belongs to.
    pub college_id: Uuid,
    /// The discipline a lab, group, department or team belongs to, if known.
    pub discipline_id: Option<Uuid>,
    /// Optimistic-concurrency version.
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl Unit {
    /// Checks that `discipline` may be the discipline of a unit of `kind` in `college_id`.
    pub fn check_discipline(kind: UnitKind, college_id: Uuid, discipline: &Unit) -> Result<(), FieldError> {
        if kind == UnitKind::Discipline {
            return Err(FieldError::new("discipline_id", "not_allowed", "a discipline has no parent discipline"));
        }
        if discipline.kind != UnitKind::Discipline {
            return Err(FieldError::new(
                "discipline_id",
                "invalid_reference",
                "discipline_id must name a unit of kind discipline",
            ));
        }
        if discipline.college_id != college_id {
            return Err(FieldError::new(
                "discipline_id",
                "invalid_reference",
                "the discipline belongs to another college",
            ));
        }
        Ok(())
    }
}

string_enum! {
    /// Gender as recorded by the university.
    pub enum Gender {
        /// 男.
        Male = "male",
        /// 女.
        Female = "female",
    }
}

string_enum! {
    /// Degree programme (培养层次).
    pub enum Degree {
        /// 硕士.
        Master = "master",
        /// 博士.
        Doctoral = "doctoral",
    }
}

string_enum! {
    /// Political status (政治面貌).
    pub enum PoliticalStatus {
        /// 中共党员 (full member).
        PartyMember = "party_member",
        /// 中共预备党员 (probationary member).
        ProbationaryPartyMember = "probationary_party_member",
        /// 共青团员.
        LeagueMember = "league_member",
        /// 群众.
        Masses = "masses",
        /// Anything else (e.g. a democratic party).
        Other = "other",
    }
}

string_enum! {
    /// Where a student stands.
    pub enum StudentStatus {
        /// 在读.
        Enrolled = "enrolled",
        /// 休学.
        Suspended = "suspended",
        /// 毕业.
        Graduated = "graduated",
        /// 退学.
        Withdrawn = "withdrawn",
    }
}

/// Checks an enrollment year against today: not before 1990, not after next year.
pub fn check_enrollment_year(field: &str, year: i32, today: NaiveDate) -> Result<i32, FieldError> {
    let latest = today.year() + 1;
    if (1990..=latest).contains(&year) {
        Ok(year)
    } else {
        Err(FieldError::new(field, "out_of_range", format!("{field} must be between 1990 and {latest}")))
    }
}

/// A graduate student.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Student {
    /// Id.
    pub id: Uuid,
    /// 学号 (unique).
    pub student_no: String,
    /// Name.
    pub name: String,
    /// Gender.
    pub gender: Gender,
    /// College.
    pub college_id: Uuid,
    /// Unit (lab, group, discipline…), if known.
    pub unit_id: Option<Uuid>,
    /// Degree programme.
    pub degree: Degree,
    /// Year of enrolment.
    pub enrollment_year: i32,
    /// Political status.
    pub political_status: PoliticalStatus,
    /// Supervisor (a staff member), if known.
    pub supervisor_id: Option<Uuid>,
    /// Counselor (辅导员, a staff member of the student's college), if known.
    pub counselor_id: Option<Uuid>,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Status.
    pub status: StudentStatus,
    /// Optimistic-concurrency version.
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// A member of staff: a supervisor (导师), a counselor (辅导员), or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staff {
    /// Id.
    pub id: Uuid,
    /// 工号 (unique).
    pub staff_no: String,
    /// Name.
    pub name: String,
    /// College.
    pub college_id: Uuid,
    /// Supervises graduate students.
    pub is_supervisor: bool,
    /// Works as a counselor.
    pub is_counselor: bool,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Optimistic-concurrency version.
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// A command to create an academic year; what is not given takes the program's defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAcademicYear {
    /// The code.
    pub code: AcademicYearCode,
    /// First day (default Sept 1).
    pub starts_on: Option<NaiveDate>,
    /// Last day (default Aug 31).
    pub ends_on: Option<NaiveDate>,
    /// Default mentor capacity (default 5).
    pub default_capacity: Option<i32>,
    /// Whether probationary members may be nominated (default no).
    pub allow_probationary: Option<bool>,
    /// Introduction milestone (default Sept 30).
    pub introduction_deadline: Option<NaiveDate>,
    /// Freshman-salon milestone (default Oct 31).
    pub salon_deadline: Option<NaiveDate>,
    /// Work-record edit window in days (default 30).
    pub record_edit_days: Option<i32>,
    /// Days an urgent escalated concern may wait for an acknowledgement (default 2).
    pub concern_overdue_urgent_days: Option<i32>,
    /// Days a normal escalated concern may wait for an acknowledgement (default 7).
    pub concern_overdue_normal_days: Option<i32>,
}

impl NewAcademicYear {
    /// Fills in the defaults and checks that the dates hang together.
    pub fn resolve(&self) -> Result<(NaiveDate, NaiveDate, YearPolicy)> {
        let c = self.code;
        let starts_on = self.starts_on.unwrap_or_else(|| c.default_start());
        let ends_on = self.ends_on.unwrap_or_else(|| c.default_end());
        let policy = YearPolicy {
            default_capacity: self.default_capacity.unwrap_or(DEFAULT_CAPACITY),
            allow_probationary: self.allow_probationary.unwrap_or(false),
            introduction_deadline: self.introduction_deadline.unwrap_or_else(|| c.default_introduction_deadline()),
            salon_deadline: self.salon_deadline.unwrap_or_else(|| c.default_salon_deadline()),
            record_edit_days: self.record_edit_days.unwrap_or(crate::work::DEFAULT_EDIT_WINDOW_DAYS),
            concern_overdue: crate::concern::OverdueLimits {
                urgent_days: self.concern_overdue_urgent_days.unwrap_or(crate::concern::DEFAULT_OVERDUE_URGENT_DAYS),
                normal_days: self.concern_overdue_normal_days.unwrap_or(crate::concern::DEFAULT_OVERDUE_NORMAL_DAYS),
            },
            assessment_opens_on: None,
            assessment_closes_on: None,
            credit: Default::default(),
        };
        AcademicYear::check_dates(starts_on, ends_on, &policy)?;
        Ok((starts_on, ends_on, policy))
    }
}

/// A command to change an academic year; `None` leaves a field as it is. The code never changes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AcademicYearChanges {
    /// First day.
    pub starts_on: Option<NaiveDate>,
    /// Last day.
    pub ends_on: Option<NaiveDate>,
    /// Default mentor capacity.
    pub default_capacity: Option<i32>,
    /// Whether probationary members may be nominated.
    pub allow_probationary: Option<bool>,
    /// Introduction milestone.
    pub introduction_deadline: Option<NaiveDate>,
    /// Freshman-salon milestone.
    pub salon_deadline: Option<NaiveDate>,
    /// Work-record edit window in days.
    pub record_edit_days: Option<i32>,
    /// Days an urgent escalated concern may wait for an acknowledgement.
    pub concern_overdue_urgent_days: Option<i32>,
    /// Days a normal escalated concern may wait for an acknowledgement.
    pub concern_overdue_normal_days: Option<i32>,
    /// The first day of the assessment window.
    pub assessment_opens_on: Option<NaiveDate>,
    /// The last day of the assessment window.
    pub assessment_closes_on: Option<NaiveDate>,
    /// The scholarship-credit points (replacing the year's).
    pub credit: Option<crate::yearend::CreditPolicy>,
}

impl AcademicYear {
    /// The year with `changes` applied, checked as a whole.
    pub fn with_changes(&self, changes: &AcademicYearChanges) -> Result<AcademicYear> {
        let mut next = self.clone();
        if let Some(d) = changes.starts_on {
            next.starts_on = d;
        }
        if let Some(d) = changes.ends_on {
            next.ends_on = d;
        }
        if let Some(c) = changes.default_capacity {
            next.policy.default_capacity = c;
        }
        if let Some(a) = changes.allow_probationary {
            next.policy.allow_probationary = a;
        }
        if let Some(d) = changes.introduction_deadline {
            next.policy.introduction_deadline = d;
        }
        if let Some(d) = changes.salon_deadline {
            next.policy.salon_deadline = d;
        }
        if let Some(d) = changes.record_edit_days {
            next.policy.record_edit_days = d;
        }
        if let Some(d) = changes.concern_overdue_urgent_days {
            next.policy.concern_overdue.urgent_days = d;
        }
        if let Some(d) = changes.concern_overdue_normal_days {
            next.policy.concern_overdue.normal_days = d;
        }
        if let Some(d) = changes.assessment_opens_on {
            next.policy.assessment_opens_on = Some(d);
        }
        if let Some(d) = changes.assessment_closes_on {
            next.policy.assessment_closes_on = Some(d);
        }
        if let Some(c) = changes.credit {
            next.policy.credit = c;
        }
        AcademicYear::check_dates(next.starts_on, next.ends_on, &next.policy)?;
        Ok(next)
    }
}

/// A command to create a college.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCollege {
    /// Unique code.
    pub code: Code,
    /// Unique name.
    pub name: Name,
}

/// A command to change a college.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CollegeChanges {
    /// New code.
    pub code: Option<Code>,
    /// New name.
    pub name: Option<Name>,
}

/// A command to create a unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUnit {
    /// Unique code.
    pub code: Code,
    /// Name.
    pub name: Name,
    /// Kind.
    pub kind: UnitKind,
    /// College.
    pub college_id: Uuid,
    /// Parent discipline.
    pub discipline_id: Option<Uuid>,
}

/// A command to change a unit; its college never changes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UnitChanges {
    /// New code.
    pub code: Option<Code>,
    /// New name.
    pub name: Option<Name>,
    /// New kind.
    pub kind: Option<UnitKind>,
    /// New parent discipline (`Some(None)` clears it).
    pub discipline_id: Option<Option<Uuid>>,
}

/// A command to create (or, in an import, upsert) a student.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStudent {
    /// 学号.
    pub student_no: PersonNo,
    /// Name.
    pub name: Name,
    /// Gender.
    pub gender: Gender,
    /// College.
    pub college_id: Uuid,
    /// Unit.
    pub unit_id: Option<Uuid>,
    /// Degree programme.
    pub degree: Degree,
    /// Year of enrolment.
    pub enrollment_year: i32,
    /// Political status.
    pub political_status: PoliticalStatus,
    /// Supervisor.
    pub supervisor_id: Option<Uuid>,
    /// Counselor (辅导员).
    pub counselor_id: Option<Uuid>,
    /// Phone.
    pub phone: Option<Phone>,
    /// E-mail.
    pub email: Option<Email>,
    /// Status (default enrolled).
    pub status: StudentStatus,
}

/// A command to change a student; `None` leaves a field, `Some(None)` clears a nullable one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StudentChanges {
    /// 学号.
    pub student_no: Option<PersonNo>,
    /// Name.
    pub name: Option<Name>,
    /// Gender.
    pub gender: Option<Gender>,
    /// College.
    pub college_id: Option<Uuid>,
    /// Unit.
    pub unit_id: Option<Option<Uuid>>,
    /// Degree programme.
    pub degree: Option<Degree>,
    /// Year of enrolment.
    pub enrollment_year: Option<i32>,
    /// Political status.
    pub political_status: Option<PoliticalStatus>,
    /// Supervisor.
    pub supervisor_id: Option<Option<Uuid>>,
    /// Counselor (辅导员).
    pub counselor_id: Option<Option<Uuid>>,
    /// Phone.
    pub phone: Option<Option<Phone>>,
    /// E-mail.
    pub email: Option<Option<Email>>,
    /// Status.
    pub status: Option<StudentStatus>,
}

impl Student {
    /// The student with `changes` applied (references are checked by the caller).
    pub fn with_changes(&self, c: StudentChanges) -> Student {
        let mut s = self.clone();
        if let Some(v) = c.student_no {
            s.student_no = v.into_string();
        }
        if let Some(v) = c.name {
            s.name = v.into_string();
        }
        if let Some(v) = c.gender {
            s.gender = v;
        }
        if let Some(v) = c.college_id {
            s.college_id = v;
        }
        if let Some(v) = c.unit_id {
            s.unit_id = v;
        }
        if let Some(v) = c.degree {
            s.degree = v;
        }
        if let Some(v) = c.enrollment_year {
            s.enrollment_year = v;
        }
        if let Some(v) = c.political_status {
            s.political_status = v;
        }
        if let Some(v) = c.supervisor_id {
            s.supervisor_id = v;
        }
        if let Some(v) = c.counselor_id {
            s.counselor_id = v;
        }
        if let Some(v) = c.phone {
            s.phone = v.map(Phone::into_string);
        }
        if let Some(v) = c.email {
            s.email = v.map(Email::into_string);
        }
        if let Some(v) = c.status {
            s.status = v;
        }
        s
    }
}

/// Checks that a student's unit belongs to the student's college.
pub fn check_student_unit(unit: &Unit, college_id: Uuid) -> Result<(), FieldError> {
    if unit.college_id == college_id {
        Ok(())
    } else {
        Err(FieldError::new("unit_id", "invalid_reference", "the unit belongs to another college than the student"))
    }
}

/// What a student's supervisor reference fails with when it names no supervisor the student's
/// college has: the same words for an id that does not exist and for one of another college, so
/// the answer never tells which staff of other colleges exist.
pub const NO_SUCH_SUPERVISOR: &str = "no supervisor of the student's college has this id";

/// Checks a student's supervisor: a staff member of the student's own college (a supervisor of
/// another college would read the student's contact details and political status) who supervises.
/// `staff` is what the reference resolved to, `None` when it names no one.
pub fn check_supervisor(staff: Option<&Staff>, student_college_id: Uuid) -> Result<(), FieldError> {
    match staff {
        Some(s) if s.college_id == student_college_id => {
            if s.is_supervisor {
                Ok(())
            } else {
                Err(FieldError::new("supervisor_id", "invalid_reference", "the staff member is not a supervisor"))
            }
        }
        // Unknown, or of another college: one answer for both.
        _ => Err(FieldError::new("supervisor_id", "invalid_reference", NO_SUCH_SUPERVISOR)),
    }
}

/// What a student's counselor reference fails with when it names no counselor of the student's
/// college: one answer for an unknown id and for one of another college, as for supervisors.
pub const NO_SUCH_COUNSELOR: &str = "no counselor of the student's college has this id";

/// Checks a student's counselor (辅导员): a staff member of the student's own college who works as
/// a counselor. `staff` is what the reference resolved to, `None` when it names no one.
pub fn check_counselor(staff: Option<&Staff>, student_college_id: Uuid) -> Result<(), FieldError> {
    match staff {
        Some(s) if s.college_id == student_college_id => {
            if s.is_counselor {
                Ok(())
            } else {
                Err(FieldError::new("counselor_id", "invalid_reference", "the staff member is not a counselor"))
            }
        }
        // Unknown, or of another college: one answer for both.
        _ => Err(FieldError::new("counselor_id", "invalid_reference", NO_SUCH_COUNSELOR)),
    }
}

/// A command to create (or, in an import, upsert) a staff member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStaff {
    /// 工号.
    pub staff_no: PersonNo,
    /// Name.
    pub name: Name,
    /// College.
    pub college_id: Uuid,
    /// Supervises graduate students.
    pub is_supervisor: bool,
    /// Works as a counselor.
    pub is_counselor: bool,
    /// Phone.
    pub phone: Option<Phone>,
    /// E-mail.
    pub email: Option<Email>,
}

/// A command to change a staff member.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StaffChanges {
    /// 工号.
    pub staff_no: Option<PersonNo>,
    /// Name.
    pub name: Option<Name>,
    /// College.
    pub college_id: Option<Uuid>,
    /// Supervises graduate students.
    pub is_supervisor: Option<bool>,
    /// Works as a counselor.
    pub is_counselor: Option<bool>,
    /// Phone.
    pub phone: Option<Option<Phone>>,
    /// E-mail.
    pub email: Option<Option<Email>>,
}

impl Staff {
    /// The staff member with `changes` applied.
    pub fn with_changes(&self, c: StaffChanges) -> Staff {
        let mut s = self.clone();
        if let Some(v) = c.staff_no {
            s.staff_no = v.into_string();
        }
        if let Some(v) = c.name {
            s.name = v.into_string();
        }
        if let Some(v) = c.college_id {
            s.college_id = v;
        }
        if let Some(v) = c.is_supervisor {
            s.is_supervisor = v;
        }
        if let Some(v) = c.is_counselor {
            s.is_counselor = v;
        }
        if let Some(v) = c.phone {
            s.phone = v.map(Phone::into_string);
        }
        if let Some(v) = c.email {
            s.email = v.map(Email::into_string);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_years_first_year_comes_from_its_code_and_a_bad_code_is_an_error_not_zero() {
        let mut y = AcademicYear {
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
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        assert_eq!(y.first_year(), Ok(2025));
        for bad in ["", "2025", "2025-2027", "二〇二五-2026", "0000-0001x"] {
            y.code = bad.into();
            assert!(y.first_year().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_supervisor_must_be_a_supervisor_of_the_students_college_and_foreign_is_unknown() {
        let (own, other) = (Uuid::now_v7(), Uuid::now_v7());
        let staff = |college_id: Uuid, is_supervisor: bool| Staff {
            id: Uuid::now_v7(),
            staff_no: "T001".into(),
            name: "王老师".into(),
            college_id,
            is_supervisor,
            is_counselor: false,
            phone: None,
            email: None,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        assert_eq!(check_supervisor(Some(&staff(own, true)), own), Ok(()));
        let unknown = check_supervisor(None, own).unwrap_err();
        let foreign = check_supervisor(Some(&staff(other, true)), own).unwrap_err();
        assert_eq!(foreign, unknown, "a foreign id answers exactly like an unknown one");
        assert_eq!(unknown.field, "supervisor_id");
        assert_eq!(unknown.code, "invalid_reference");
        // A foreign non-supervisor too: nothing about it shows through.
        assert_eq!(check_supervisor(Some(&staff(other, false)), own).unwrap_err(), unknown);
        let not_supervisor = check_supervisor(Some(&staff(own, false)), own).unwrap_err();
        assert_ne!(not_supervisor.message, unknown.message);
    }

    #[test]
    fn a_counselor_must_be_a_counselor_of_the_students_college_and_foreign_is_unknown() {
        let (own, other) = (Uuid::now_v7(), Uuid::now_v7());
        let staff = |college_id: Uuid, is_counselor: bool| Staff {
            id: Uuid::now_v7(),
            staff_no: "T002".into(),
            name: "李老师".into(),
            college_id,
            is_supervisor: !is_counselor,
            is_counselor,
            phone: None,
            email: None,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        assert_eq!(check_counselor(Some(&staff(own, true)), own), Ok(()));
        let unknown = check_counselor(None, own).unwrap_err();
        assert_eq!((unknown.field.as_str(), unknown.code.as_str()), ("counselor_id", "invalid_reference"));
        assert_eq!(check_counselor(Some(&staff(other, true)), own).unwrap_err(), unknown);
        assert_eq!(check_counselor(Some(&staff(other, false)), own).unwrap_err(), unknown);
        let not_counselor = check_counselor(Some(&staff(own, false)), own).unwrap_err();
        assert_eq!(not_counselor.field, "counselor_id");
        assert_ne!(not_counselor.message, unknown.message);
    }

    #[test]
    fn a_new_year_takes_the_program_defaults() {
        let code = AcademicYearCode::parse("code", "2026-2027").unwrap();
        let new = NewAcademicYear {
            code,
            starts_on: None,
            ends_on: None,
            default_capacity: None,
            allow_probationary: None,
            introduction_deadline: None,
            salon_deadline: None,
            record_edit_days: None,
            concern_overdue_urgent_days: None,
            concern_overdue_normal_days: None,
        };
        let (start, end, policy) = new.resolve().unwrap();
        assert_eq!((start, end), (date(2026, 9, 1), date(2027, 8, 31)));
        assert_eq!(policy.introduction_deadline, date(2026, 9, 30));
        assert_eq!(policy.salon_deadline, date(2026, 10, 31));
        assert_eq!(policy.default_capacity, DEFAULT_CAPACITY);
        assert!(!policy.allow_probationary);
        let bad = NewAcademicYear { salon_deadline: Some(date(2025, 10, 31)), ..new };
        assert!(bad.resolve().is_err());
    }

    #[test]
    fn academic_year_codes_need_consecutive_years() {
        let code = AcademicYearCode::parse("code", "2025-2026").unwrap();
        assert_eq!(code.to_string(), "2025-2026");
        assert_eq!(code.default_start(), date(2025, 9, 1));
        assert_eq!(code.default_end(), date(2026, 8, 31));
        assert_eq!(code.default_introduction_deadline(), date(2025, 9, 30));
        assert_eq!(code.default_salon_deadline(), date(2025, 10, 31));
        for bad in ["2025-2027", "2025", "25-26", "2025-2026-2027", "abcd-abce", " - ", "1999-2000"] {
            assert!(AcademicYearCode::parse("code", bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn the_assessment_window_needs_both_days_in_order_from_the_years_start() {
        let code = AcademicYearCode::parse("code", "2025-2026").unwrap();
        let base = YearPolicy {
            default_capacity: 5,
            allow_probationary: false,
            introduction_deadline: code.default_introduction_deadline(),
            salon_deadline: code.default_salon_deadline(),
            record_edit_days: 30,
            concern_overdue: Default::default(),
            assessment_opens_on: None,
            assessment_closes_on: None,
            credit: Default::default(),
        };
        let fields = |opens: Option<NaiveDate>, closes: Option<NaiveDate>| {
            let p = YearPolicy { assessment_opens_on: opens, assessment_closes_on: closes, ..base.clone() };
            match AcademicYear::check_dates(code.default_start(), code.default_end(), &p) {
                Ok(()) => {
                    assert_eq!(p.assessment_window().is_some(), opens.is_some());
                    Vec::new()
                }
                Err(crate::Error::Validation(e)) => e.into_iter().map(|e| e.field).collect(),
                Err(e) => panic!("{e:?}"),
            }
        };
        let (june1, june30) = (Some(date(2026, 6, 1)), Some(date(2026, 6, 30)));
        assert!(fields(None, None).is_empty());
        assert!(fields(june1, june30).is_empty());
        assert!(fields(june1, june1).is_empty());
        assert_eq!(fields(june30, june1), ["assessment_closes_on"]);
        assert_eq!(fields(june1, None), ["assessment_closes_on"]);
        assert_eq!(fields(None, june30), ["assessment_opens_on"]);
        assert_eq!(fields(Some(date(2025, 8, 31)), june30), ["assessment_opens_on"]);
    }

    #[test]
    fn year_dates_must_hang_together() {
        let code = AcademicYearCode::parse("code", "2025-2026").unwrap();
        let policy = YearPolicy {
            default_capacity: 5,
            allow_probationary: false,
            introduction_deadline: code.default_introduction_deadline(),
            salon_deadline: code.default_salon_deadline(),
            record_edit_days: 30,
            concern_overdue: Default::default(),
            assessment_opens_on: None,
            assessment_closes_on: None,
            credit: Default::default(),
        };
        assert!(AcademicYear::check_dates(code.default_start(), code.default_end(), &policy).is_ok());

        let late = YearPolicy { salon_deadline: date(2027, 1, 1), default_capacity: 0, ..policy };
        let Err(crate::Error::Validation(errors)) =
            AcademicYear::check_dates(code.default_end(), code.default_start(), &late)
        else {
            panic!("expected a validation error");
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["ends_on", "introduction_deadline", "salon_deadline", "default_capacity"]);
    }

    #[test]
    fn codes_names_and_numbers_are_parsed_once() {
        assert_eq!(Code::parse("code", " CS-01 ").unwrap().as_str(), "CS-01");
        assert!(Code::parse("code", "计算机").is_err());
        assert!(Code::parse("code", "").is_err());
        assert_eq!(Name::parse("name", "  计算机学院 ").unwrap().as_str(), "计算机学院");
        assert!(Name::parse("name", &"长".repeat(101)).is_err());
        assert!(Name::parse("name", "a\u{0}b").is_err());
        assert_eq!(PersonNo::parse("student_no", "2023a0101").unwrap().as_str(), "2023A0101");
        assert!(PersonNo::parse("student_no", "20-23").is_err());
        assert!(PersonNo::parse("student_no", "123").is_err());
    }

    #[test]
    fn contact_details_are_checked_for_shape() {
        assert!(Phone::parse("phone", "138 0000 0000").is_ok());
        assert!(Phone::parse("phone", "+86-28-85401234").is_ok());
        assert!(Phone::parse("phone", "call me").is_err());
        // 25 characters as sent, white space around included (the document's maxLength).
        assert!(Phone::parse("phone", &("1".repeat(20) + "-----")).is_ok());
        assert!(Phone::parse("phone", &format!(" {} ", "1".repeat(20) + "----")).is_err());
        // Characters, not bytes: a Chinese local part of 64 characters is within the limit.
        assert!(Email::parse("email", &format!("{}@例子.cn", "张".repeat(64))).is_ok());
        assert!(Email::parse("email", &format!("{}@例子.cn", "张".repeat(65))).is_err());
        assert_eq!(Email::parse("email", "Zhang.San@SCU.edu.cn").unwrap().as_str(), "Zhang.San@scu.edu.cn");
        for bad in ["zhang", "zhang@", "@scu.edu.cn", "zhang@scu", "zh ang@scu.edu.cn", "a@b@c.cn"] {
            assert!(Email::parse("email", bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn capacity_and_enrollment_year_have_bounds() {
        assert!(check_capacity("capacity", 1).is_ok());
        assert!(check_capacity("capacity", MAX_CAPACITY).is_ok());
        assert!(check_capacity("capacity", 0).is_err());
        assert!(check_capacity("capacity", MAX_CAPACITY + 1).is_err());
        let today = date(2026, 11, 26);
        assert!(check_enrollment_year("enrollment_year", 2027, today).is_ok());
        assert!(check_enrollment_year("enrollment_year", 2028, today).is_err());
        assert!(check_enrollment_year("enrollment_year", 1989, today).is_err());
    }

    #[test]
    fn a_discipline_must_be_a_discipline_of_the_same_college() {
        let college = Uuid::now_v7();
        let now = Utc::now();
        let discipline = Unit {
            id: Uuid::now_v7(),
            code: "D1".into(),
            name: "计算机科学与技术".into(),
            kind: UnitKind::Discipline,
            college_id: college,
            discipline_id: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        assert!(Unit::check_discipline(UnitKind::Laboratory, college, &discipline).is_ok());
        assert!(Unit::check_discipline(UnitKind::Discipline, college, &discipline).is_err());
        assert!(Unit::check_discipline(UnitKind::Laboratory, Uuid::now_v7(), &discipline).is_err());
        let lab = Unit { kind: UnitKind::Laboratory, ..discipline };
        assert!(Unit::check_discipline(UnitKind::ResearchGroup, college, &lab).is_err());
    }
}
