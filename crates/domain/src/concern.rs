//! Concerns and escalation (rules 三(一)4 and 三(三)1: 普遍性、倾向性问题登记；不能解决的及时向导师
//! 和辅导员反映). A mentor registers a concern about one student or a common or trending issue in a
//! group; escalating it routes it to that student's supervisor and counselor (for a group: the
//! college's counselors and the supervisors of the named students), who acknowledge and resolve
//! it. An escalated concern that nobody acknowledges within the academic year's limit is overdue.
//!
//! Concerns are confidential: the rules here say who sees one, and the feed and the audit log
//! carry ids and states only, never the text.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::error::{Error, FieldError, Problems, Result};
use crate::string_enum;
use crate::text::check_field;

string_enum! {
    /// Whether a concern is about one student or a group.
    pub enum ConcernScope {
        /// About one student (normally the mentor's mentee).
        Individual = "individual",
        /// A common or trending issue among several students (普遍性、倾向性问题).
        Group = "group",
    }
}

string_enum! {
    /// What a concern is about: the five duties, and three matters that are never shown with
    /// their text outside the concern itself.
    pub enum ConcernCategory {
        /// 思想.
        Ideology = "ideology",
        /// 生涯 / 就业.
        Career = "career",
        /// 学习.
        Study = "study",
        /// 科研.
        Research = "research",
        /// 生活.
        Life = "life",
        /// 心理健康.
        MentalHealth = "mental_health",
        /// 安全.
        Safety = "safety",
        /// 经济困难.
        Financial = "financial",
    }
}

impl ConcernCategory {
    /// Mental health and safety: never written with their text to an export or the feed.
    pub const fn is_sensitive(self) -> bool {
        matches!(self, ConcernCategory::MentalHealth | ConcernCategory::Safety)
    }
}

string_enum! {
    /// How soon a concern needs an answer.
    pub enum ConcernUrgency {
        /// Acknowledged within the year's normal limit (default 7 days).
        Normal = "normal",
        /// Acknowledged within the year's urgent limit (default 2 days).
        Urgent = "urgent",
    }
}

string_enum! {
    /// Where a concern stands.
    pub enum ConcernState {
        /// Registered by the mentor, not yet passed on.
        Open = "open",
        /// Passed on to the supervisor and counselor; waiting for an acknowledgement.
        Escalated = "escalated",
        /// A recipient acknowledged it.
        Acknowledged = "acknowledged",
        /// Resolved, with a note.
        Resolved = "resolved",
    }
}

string_enum! {
    /// What is done to a concern.
    pub enum ConcernAction {
        /// Pass it on (the reporting mentor).
        Escalate = "escalate",
        /// Acknowledge it (a recipient).
        Acknowledge = "acknowledge",
        /// Resolve it with a note (a recipient or a college admin).
        Resolve = "resolve",
    }
}

string_enum! {
    /// Why a staff member received a concern.
    pub enum RecipientRole {
        /// The student's supervisor (导师).
        Supervisor = "supervisor",
        /// The student's counselor, or a counselor of the college (辅导员).
        Counselor = "counselor",
    }
}

impl ConcernState {
    /// The state after `action`, or `InvalidTransition`: `open → escalated → acknowledged →
    /// resolved`; a second recipient may acknowledge an acknowledged concern (it stays so).
    pub fn apply(self, action: ConcernAction) -> Result<ConcernState> {
        use ConcernAction as A;
        use ConcernState as S;
        match (self, action) {
            (S::Open, A::Escalate) => Ok(S::Escalated),
            (S::Escalated | S::Acknowledged, A::Acknowledge) => Ok(S::Acknowledged),
            (S::Acknowledged, A::Resolve) => Ok(S::Resolved),
            _ => Err(Error::InvalidTransition { from: self.to_string(), action: action.to_string() }),
        }
    }
}

/// The default days an urgent escalated concern may wait for an acknowledgement.
pub const DEFAULT_OVERDUE_URGENT_DAYS: i32 = 2;
/// The default days a normal escalated concern may wait for an acknowledgement.
pub const DEFAULT_OVERDUE_NORMAL_DAYS: i32 = 7;
/// The longest limit a year may set, in days.
pub const MAX_OVERDUE_DAYS: i32 = 60;
/// The longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 5000;
/// The longest resolution note, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;
/// The most students a group concern names.
pub const MAX_NAMED_STUDENTS: usize = 200;
/// The largest head count of a group concern.
pub const MAX_AFFECTED: i32 = 10_000;

/// An academic year's overdue limits, in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OverdueLimits {
    /// For urgent concerns.
    pub urgent_days: i32,
    /// For normal concerns.
    pub normal_days: i32,
}

impl Default for OverdueLimits {
    fn default() -> Self {
        Self { urgent_days: DEFAULT_OVERDUE_URGENT_DAYS, normal_days: DEFAULT_OVERDUE_NORMAL_DAYS }
    }
}

impl OverdueLimits {
    /// The limit of a concern of `urgency`, in days.
    pub const fn days(self, urgency: ConcernUrgency) -> i32 {
        match urgency {
            ConcernUrgency::Urgent => self.urgent_days,
            ConcernUrgency::Normal => self.normal_days,
        }
    }

    /// When a concern of `urgency` escalated at `escalated_at` becomes overdue.
    pub fn due_at(self, urgency: ConcernUrgency, escalated_at: DateTime<Utc>) -> DateTime<Utc> {
        escalated_at + Duration::days(i64::from(self.days(urgency)))
    }

    /// Checks both limits: 1 to [`MAX_OVERDUE_DAYS`] days, the urgent one not longer than the
    /// normal one.
    pub fn check(self, p: &mut Problems) {
        for (field, days) in
            [("concern_overdue_urgent_days", self.urgent_days), ("concern_overdue_normal_days", self.normal_days)]
        {
            p.take(check_limit(field, days));
        }
        if self.urgent_days > self.normal_days {
            p.push(
                "concern_overdue_urgent_days",
                "conflict",
                "the urgent limit must not be longer than the normal one",
            );
        }
    }
}

/// Checks one overdue limit.
pub fn check_limit(field: &str, days: i32) -> std::result::Result<i32, FieldError> {
    if (1..=MAX_OVERDUE_DAYS).contains(&days) {
        Ok(days)
    } else {
        Err(FieldError::new(field, "out_of_range", format!("{field} must be between 1 and {MAX_OVERDUE_DAYS} days")))
    }
}

/// Whether a concern is overdue at `now`: escalated, not acknowledged by anyone, and past the
/// limit of its urgency.
pub fn is_overdue(
    state: ConcernState,
    urgency: ConcernUrgency,
    escalated_at: Option<DateTime<Utc>>,
    limits: OverdueLimits,
    now: DateTime<Utc>,
) -> bool {
    match (state, escalated_at) {
        (ConcernState::Escalated, Some(at)) => now >= limits.due_at(urgency, at),
        _ => false,
    }
}

/// A text of a concern: trimmed, required, bounded, no control characters.
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

/// A concern as the mentor registers it, before its students are checked against the college.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConcern {
    /// Individual or group.
    pub scope: ConcernScope,
    /// What it is about.
    pub category: ConcernCategory,
    /// How soon.
    pub urgency: ConcernUrgency,
    /// What the mentor saw.
    pub description: String,
    /// The student of an individual concern.
    pub student_id: Option<Uuid>,
    /// The students a group concern names (none for an individual one).
    pub student_ids: Vec<Uuid>,
    /// How many students a group concern affects (≥ 2); `None` for an individual one.
    pub affected_count: Option<i32>,
}

impl NewConcern {
    /// Checks every field at once: an individual concern names exactly one student and no count;
    /// a group concern affects at least two (and at least as many as it names), names each
    /// student at most once, and has no single `student_id`.
    pub fn parse(
        scope: ConcernScope,
        category: ConcernCategory,
        urgency: ConcernUrgency,
        description: &str,
        student_id: Option<Uuid>,
        student_ids: Vec<Uuid>,
        affected_count: Option<i32>,
    ) -> Result<Self> {
        let mut p = Problems::new();
        let text = required_text(&mut p, "description", description, MAX_DESCRIPTION_CHARS);
        match scope {
            ConcernScope::Individual => {
                if student_id.is_none() {
                    p.push("student_id", "required", "an individual concern names its student");
                }
                if !student_ids.is_empty() {
                    p.push("student_ids", "not_allowed", "an individual concern names one student in student_id");
                }
                if affected_count.is_some() {
                    p.push("affected_count", "not_allowed", "an individual concern affects one student");
                }
            }
            ConcernScope::Group => {
                if student_id.is_some() {
                    p.push("student_id", "not_allowed", "a group concern names its students in student_ids");
                }
                if student_ids.len() > MAX_NAMED_STUDENTS {
                    p.push("student_ids", "too_many", format!("at most {MAX_NAMED_STUDENTS} students"));
                }
                let mut seen = std::collections::HashSet::new();
                if !student_ids.iter().all(|s| seen.insert(*s)) {
                    p.push("student_ids", "duplicate", "a student is named twice");
                }
                match affected_count {
                    None => p.push("affected_count", "required", "a group concern says how many are affected"),
                    Some(n) if !(2..=MAX_AFFECTED).contains(&n) => {
                        p.push("affected_count", "out_of_range", format!("between 2 and {MAX_AFFECTED}"))
                    }
                    Some(n) if usize::try_from(n).is_ok_and(|n| n < student_ids.len()) => {
                        p.push("affected_count", "conflict", "fewer affected than named")
                    }
                    Some(_) => {}
                }
            }
        }
        p.finish()?;
        let description = text.ok_or_else(|| Error::invalid("description", "required", "description is required"))?;
        Ok(Self { scope, category, urgency, description, student_id, student_ids, affected_count })
    }
}

/// Checks a resolution note.
pub fn parse_note(raw: &str) -> Result<String> {
    let mut p = Problems::new();
    let note = required_text(&mut p, "note", raw, MAX_NOTE_CHARS);
    p.finish()?;
    note.ok_or_else(|| Error::invalid("note", "required", "note is required"))
}

/// Who looks at a concern, resolved to the facts the rule needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConcernViewer {
    /// A university admin.
    University,
    /// A college admin or counselor of this college (their staff record, if linked).
    CollegeStaff {
        /// Their college.
        college_id: Uuid,
        /// Their staff record.
        staff_id: Option<Uuid>,
        /// Whether they are the college's admin (who may resolve).
        admin: bool,
    },
    /// Another staff account (a supervisor), by staff record.
    Staff(Uuid),
    /// A student (a mentor is one), by student record.
    Student(Uuid),
    /// Anyone else (a service client, an account without its record).
    Nobody,
}

/// The facts of a concern the rules need.
#[derive(Debug, Clone, Copy)]
pub struct ConcernFacts<'a> {
    /// The concern's college.
    pub college_id: Uuid,
    /// The reporting mentor (a student id).
    pub mentor_id: Uuid,
    /// The staff it was escalated to.
    pub recipients: &'a [Uuid],
}

impl ConcernViewer {
    /// Whether the viewer is one of the recipients.
    pub fn is_recipient(self, c: &ConcernFacts<'_>) -> bool {
        match self {
            ConcernViewer::CollegeStaff { staff_id: Some(s), .. } | ConcernViewer::Staff(s) => {
                c.recipients.contains(&s)
            }
            _ => false,
        }
    }

    /// Who sees a concern: the reporting mentor, its recipients, the college's counselors and
    /// admins, and the university. Everyone else gets a 404.
    pub fn sees(self, c: &ConcernFacts<'_>) -> bool {
        match self {
            ConcernViewer::University => true,
            ConcernViewer::CollegeStaff { college_id, .. } if college_id == c.college_id => true,
            ConcernViewer::Student(s) => s == c.mentor_id,
            _ => self.is_recipient(c),
        }
    }

    /// Whether the viewer may do `action` to a concern they see: the mentor escalates; a recipient
    /// acknowledges; a recipient, the college's admin or the university resolves. `Forbidden`
    /// (a 403) otherwise; the caller checks [`ConcernViewer::sees`] first.
    pub fn may(self, action: ConcernAction, c: &ConcernFacts<'_>) -> Result<()> {
        let allowed = match action {
            ConcernAction::Escalate => self == ConcernViewer::Student(c.mentor_id),
            ConcernAction::Acknowledge => self.is_recipient(c),
            ConcernAction::Resolve => {
                self.is_recipient(c)
                    || self == ConcernViewer::University
                    || matches!(self, ConcernViewer::CollegeStaff { college_id, admin: true, .. } if college_id == c.college_id)
            }
        };
        if allowed {
            Ok(())
        } else {
            let who = match action {
                ConcernAction::Escalate => "the reporting mentor",
                ConcernAction::Acknowledge => "a recipient",
                ConcernAction::Resolve => "a recipient or a college admin",
            };
            Err(Error::Forbidden(format!("only {who} may {action} this concern")))
        }
    }
}

impl ConcernViewer {
    /// The viewer a principal is: the university, a college's admin or counselor, a supervisor
    /// (by their staff record), a student (by their student record), or nobody.
    pub fn of(p: &crate::auth::Principal) -> ConcernViewer {
        use crate::auth::{Principal, Role};
        let Principal::User(u) = p else { return ConcernViewer::Nobody };
        match (u.role, u.college_id, u.staff_id, u.student_id) {
            (Role::UniversityAdmin, ..) => ConcernViewer::University,
            (Role::CollegeAdmin, Some(college_id), staff_id, _) => {
                ConcernViewer::CollegeStaff { college_id, staff_id, admin: true }
            }
            (Role::Counselor, Some(college_id), staff_id, _) => {
                ConcernViewer::CollegeStaff { college_id, staff_id, admin: false }
            }
            (Role::Supervisor, _, Some(staff), _) => ConcernViewer::Staff(staff),
            (Role::Student, .., Some(student)) => ConcernViewer::Student(student),
            _ => ConcernViewer::Nobody,
        }
    }

    /// The staff record of the viewer, when they have one (what `assigned_to=me` matches).
    pub fn staff_id(self) -> Option<Uuid> {
        match self {
            ConcernViewer::CollegeStaff { staff_id, .. } => staff_id,
            ConcernViewer::Staff(s) => Some(s),
            _ => None,
        }
    }
}

/// A staff member a concern was escalated to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// Their staff record.
    pub staff_id: Uuid,
    /// Their name.
    pub name: String,
    /// Why they received it.
    pub role: RecipientRole,
    /// When they acknowledged it.
    pub acknowledged_at: Option<DateTime<Utc>>,
}

/// A concern as stored, with its recipients and named students, and whether it is overdue now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Concern {
    /// Id.
    pub id: Uuid,
    /// The reporting mentor's appointment.
    pub appointment_id: Uuid,
    /// The appointment's academic year (whose limits apply).
    pub academic_year_id: Uuid,
    /// The appointment's college.
    pub college_id: Uuid,
    /// The reporting mentor (a student id).
    pub mentor_id: Uuid,
    /// Individual or group.
    pub scope: ConcernScope,
    /// What it is about.
    pub category: ConcernCategory,
    /// How soon.
    pub urgency: ConcernUrgency,
    /// Where it stands.
    pub state: ConcernState,
    /// What the mentor saw.
    pub description: String,
    /// The student of an individual concern.
    pub student_id: Option<Uuid>,
    /// The students a group concern names.
    pub student_ids: Vec<Uuid>,
    /// How many a group concern affects.
    pub affected_count: Option<i32>,
    /// The staff it was escalated to.
    pub recipients: Vec<Recipient>,
    /// When it was escalated.
    pub escalated_at: Option<DateTime<Utc>>,
    /// When a recipient first acknowledged it.
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// When it was resolved.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Who resolved it (a user id).
    pub resolved_by: Option<Uuid>,
    /// How it was resolved.
    pub resolution_note: Option<String>,
    /// When an escalated concern becomes overdue unless acknowledged (by the year's limits now).
    pub due_at: Option<DateTime<Utc>>,
    /// Whether it is overdue now.
    pub overdue: bool,
    /// Optimistic-concurrency version.
    pub version: i32,
    /// Registered.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl Concern {
    /// The facts the visibility and action rules need.
    pub fn facts<'a>(&self, recipients: &'a [Uuid]) -> ConcernFacts<'a> {
        ConcernFacts { college_id: self.college_id, mentor_id: self.mentor_id, recipients }
    }

    /// Fills in `due_at` and `overdue` by `limits` at `now`.
    pub fn with_deadline(mut self, limits: OverdueLimits, now: DateTime<Utc>) -> Self {
        self.due_at = match self.state {
            ConcernState::Escalated => self.escalated_at.map(|at| limits.due_at(self.urgency, at)),
            _ => None,
        };
        self.overdue = is_overdue(self.state, self.urgency, self.escalated_at, limits, now);
        self
    }
}

/// Where an escalation goes: the staff and why each receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routing(pub Vec<(Uuid, RecipientRole)>);

/// Routes an escalation. For an individual concern: the student's supervisor and counselor; with
/// no counselor on record, the college's counselors instead (a student without one still reaches
/// someone who may act). For a group concern: the college's counselors and the supervisors of the
/// named students. A staff member who is both is listed once, as supervisor. `NoRecipient` (409)
/// when nobody is left.
pub fn route(
    scope: ConcernScope,
    supervisors: &[Uuid],
    student_counselor: Option<Uuid>,
    college_counselors: &[Uuid],
) -> Result<Routing> {
    let mut out: Vec<(Uuid, RecipientRole)> = Vec::new();
    let mut add = |id: Uuid, role: RecipientRole| {
        if !out.iter().any(|(s, _)| *s == id) {
            out.push((id, role));
        }
    };
    for s in supervisors {
        add(*s, RecipientRole::Supervisor);
    }
    match (scope, student_counselor) {
        (ConcernScope::Individual, Some(c)) => add(c, RecipientRole::Counselor),
        _ => college_counselors.iter().for_each(|c| add(*c, RecipientRole::Counselor)),
    }
    if out.is_empty() {
        return Err(Error::conflict(
            crate::ConflictCode::NoRecipient,
            "the student has no supervisor or counselor and the college has no counselor to escalate to",
        ));
    }
    Ok(Routing(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: i64, hour: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000 + day * 86_400 + hour * 3600, 0).unwrap()
    }

    #[test]
    fn every_state_and_action() {
        use ConcernAction as A;
        use ConcernState as S;
        for (state, action, want) in [
            (S::Open, A::Escalate, Some(S::Escalated)),
            (S::Open, A::Acknowledge, None),
            (S::Open, A::Resolve, None),
            (S::Escalated, A::Escalate, None),
            (S::Escalated, A::Acknowledge, Some(S::Acknowledged)),
            (S::Escalated, A::Resolve, None),
            (S::Acknowledged, A::Escalate, None),
            (S::Acknowledged, A::Acknowledge, Some(S::Acknowledged)),
            (S::Acknowledged, A::Resolve, Some(S::Resolved)),
            (S::Resolved, A::Escalate, None),
            (S::Resolved, A::Acknowledge, None),
            (S::Resolved, A::Resolve, None),
        ] {
            assert_eq!(state.apply(action).ok(), want, "{state} {action}");
        }
        assert_eq!(
            S::Resolved.apply(A::Escalate),
            Err(Error::InvalidTransition { from: "resolved".into(), action: "escalate".into() })
        );
    }

    #[test]
    fn overdue_after_the_limit_of_its_urgency_and_only_while_escalated() {
        use ConcernState as S;
        use ConcernUrgency as U;
        let limits = OverdueLimits::default();
        let t0 = at(0, 0);
        for (state, urgency, now, want) in [
            (S::Escalated, U::Urgent, at(2, 0) - Duration::seconds(1), false),
            (S::Escalated, U::Urgent, at(2, 0), true),
            (S::Escalated, U::Normal, at(2, 0), false),
            (S::Escalated, U::Normal, at(6, 23), false),
            (S::Escalated, U::Normal, at(7, 0), true),
            (S::Open, U::Urgent, at(30, 0), false),
            (S::Acknowledged, U::Urgent, at(30, 0), false),
            (S::Resolved, U::Normal, at(30, 0), false),
        ] {
            assert_eq!(is_overdue(state, urgency, Some(t0), limits, now), want, "{state} {urgency} {now}");
        }
        assert!(!is_overdue(S::Escalated, U::Urgent, None, limits, at(9, 0)));
        // The year's own limits.
        let strict = OverdueLimits { urgent_days: 1, normal_days: 3 };
        assert!(is_overdue(S::Escalated, U::Urgent, Some(t0), strict, at(1, 0)));
        assert!(is_overdue(S::Escalated, U::Normal, Some(t0), strict, at(3, 0)));
        assert_eq!(strict.due_at(U::Normal, t0), at(3, 0));
    }

    #[test]
    fn limits_are_between_one_and_sixty_days_and_urgent_is_not_longer() {
        let fields = |l: OverdueLimits| {
            let mut p = Problems::new();
            l.check(&mut p);
            match p.finish() {
                Ok(()) => vec![],
                Err(Error::Validation(v)) => v.into_iter().map(|f| (f.field, f.code)).collect(),
                Err(e) => panic!("{e:?}"),
            }
        };
        let pair = |f: &str, c: &str| (f.to_owned(), c.to_owned());
        assert!(fields(OverdueLimits::default()).is_empty());
        assert!(fields(OverdueLimits { urgent_days: 60, normal_days: 60 }).is_empty());
        assert_eq!(
            fields(OverdueLimits { urgent_days: 0, normal_days: 61 }),
            [pair("concern_overdue_urgent_days", "out_of_range"), pair("concern_overdue_normal_days", "out_of_range")]
        );
        assert_eq!(
            fields(OverdueLimits { urgent_days: 5, normal_days: 3 }),
            [pair("concern_overdue_urgent_days", "conflict")]
        );
    }

    #[test]
    fn a_concern_is_checked_field_by_field() {
        use ConcernCategory as C;
        use ConcernScope as S;
        use ConcernUrgency as U;
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let fields = |r: Result<NewConcern>| match r {
            Err(Error::Validation(v)) => v.into_iter().map(|f| (f.field, f.code)).collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        let pair = |f: &str, c: &str| (f.to_owned(), c.to_owned());
        let ok = NewConcern::parse(S::Individual, C::Study, U::Normal, " 挂科风险 ", Some(a), vec![], None).unwrap();
        assert_eq!(ok.description, "挂科风险");
        let ok = NewConcern::parse(S::Group, C::Life, U::Urgent, "宿舍矛盾", None, vec![a, b], Some(5)).unwrap();
        assert_eq!(ok.affected_count, Some(5));
        assert!(NewConcern::parse(S::Group, C::Life, U::Urgent, "多人焦虑", None, vec![], Some(2)).is_ok());
        for (r, want) in [
            (
                NewConcern::parse(S::Individual, C::Study, U::Normal, "x", None, vec![], None),
                vec![pair("student_id", "required")],
            ),
            (
                NewConcern::parse(S::Individual, C::Study, U::Normal, "x", Some(a), vec![b], Some(3)),
                vec![pair("student_ids", "not_allowed"), pair("affected_count", "not_allowed")],
            ),
            (
                NewConcern::parse(S::Group, C::Study, U::Normal, "x", Some(a), vec![], Some(3)),
                vec![pair("student_id", "not_allowed")],
            ),
            (
                NewConcern::parse(S::Group, C::Study, U::Normal, "x", None, vec![], None),
                vec![pair("affected_count", "required")],
            ),
            (
                NewConcern::parse(S::Group, C::Study, U::Normal, "x", None, vec![], Some(1)),
                vec![pair("affected_count", "out_of_range")],
            ),
            (
                NewConcern::parse(S::Group, C::Study, U::Normal, "x", None, vec![a, a], Some(3)),
                vec![pair("student_ids", "duplicate")],
            ),
            (
                NewConcern::parse(S::Group, C::Study, U::Normal, "x", None, vec![a, b, Uuid::now_v7()], Some(2)),
                vec![pair("affected_count", "conflict")],
            ),
            (
                NewConcern::parse(S::Individual, C::Study, U::Normal, " ", Some(a), vec![], None),
                vec![pair("description", "required")],
            ),
            (
                NewConcern::parse(S::Individual, C::Study, U::Normal, "a\u{0}b", Some(a), vec![], None),
                vec![pair("description", "control_character")],
            ),
            (
                NewConcern::parse(
                    S::Individual,
                    C::Study,
                    U::Normal,
                    &"字".repeat(MAX_DESCRIPTION_CHARS + 1),
                    Some(a),
                    vec![],
                    None,
                ),
                vec![pair("description", "too_long")],
            ),
        ] {
            assert_eq!(fields(r), want);
        }
        assert_eq!(parse_note(" 已约谈 ").unwrap(), "已约谈");
        assert!(parse_note("").is_err());
        assert!(parse_note("\u{1b}").is_err());
    }

    #[test]
    fn who_sees_and_who_may_do_what() {
        let (college, other) = (Uuid::now_v7(), Uuid::now_v7());
        let (mentor, stranger) = (Uuid::now_v7(), Uuid::now_v7());
        let (sup, counselor, other_sup) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let recipients = [sup, counselor];
        let c = ConcernFacts { college_id: college, mentor_id: mentor, recipients: &recipients };
        use ConcernAction as A;
        use ConcernViewer as V;
        let own_counselor = V::CollegeStaff { college_id: college, staff_id: Some(counselor), admin: false };
        let college_counselor = V::CollegeStaff { college_id: college, staff_id: Some(Uuid::now_v7()), admin: false };
        let college_admin = V::CollegeStaff { college_id: college, staff_id: None, admin: true };
        let foreign_counselor = V::CollegeStaff { college_id: other, staff_id: Some(Uuid::now_v7()), admin: false };
        let foreign_admin = V::CollegeStaff { college_id: other, staff_id: None, admin: true };
        // (viewer, sees, escalate, acknowledge, resolve)
        for (v, sees, esc, ack, res) in [
            (V::University, true, false, false, true),
            (college_admin, true, false, false, true),
            (own_counselor, true, false, true, true),
            (college_counselor, true, false, false, false),
            (V::Staff(sup), true, false, true, true),
            (V::Student(mentor), true, true, false, false),
            (V::Staff(other_sup), false, false, false, false),
            (V::Student(stranger), false, false, false, false),
            (foreign_counselor, false, false, false, false),
            (foreign_admin, false, false, false, false),
            (V::Nobody, false, false, false, false),
        ] {
            assert_eq!(v.sees(&c), sees, "{v:?} sees");
            assert_eq!(v.may(A::Escalate, &c).is_ok(), esc, "{v:?} escalates");
            assert_eq!(v.may(A::Acknowledge, &c).is_ok(), ack, "{v:?} acknowledges");
            assert_eq!(v.may(A::Resolve, &c).is_ok(), res, "{v:?} resolves");
        }
    }

    #[test]
    fn escalation_reaches_that_students_supervisor_and_counselor_or_falls_back() {
        use ConcernScope as S;
        use RecipientRole as R;
        let (sup, own, c1, c2) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(
            route(S::Individual, &[sup], Some(own), &[c1, c2]).unwrap().0,
            [(sup, R::Supervisor), (own, R::Counselor)]
        );
        // No counselor on record: the college's counselors.
        assert_eq!(
            route(S::Individual, &[sup], None, &[c1, c2]).unwrap().0,
            [(sup, R::Supervisor), (c1, R::Counselor), (c2, R::Counselor)]
        );
        // No supervisor: the counselor alone.
        assert_eq!(route(S::Individual, &[], Some(own), &[c1]).unwrap().0, [(own, R::Counselor)]);
        // Group: the supervisors of the named students and every counselor of the college, each once.
        assert_eq!(
            route(S::Group, &[sup, sup, c1], None, &[c1, c2]).unwrap().0,
            [(sup, R::Supervisor), (c1, R::Supervisor), (c2, R::Counselor)]
        );
        let none = route(S::Individual, &[], None, &[]).unwrap_err();
        assert!(matches!(none, Error::Conflict { code: crate::ConflictCode::NoRecipient, .. }));
        assert!(ConcernCategory::MentalHealth.is_sensitive() && ConcernCategory::Safety.is_sensitive());
        assert!(!ConcernCategory::Financial.is_sensitive() && !ConcernCategory::Study.is_sensitive());
    }
}
