//! Selection (院推校聘): nominations, their eligibility report and their state machine.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::codes::ConflictCode;
use crate::error::{Error, FieldError, Result};
use crate::reference::{AcademicYear, AcademicYearCode, PoliticalStatus, Student, StudentStatus};
use crate::string_enum;

string_enum! {
    /// Where a nomination stands.
    pub enum NominationState {
        /// Being written; not yet handed to the college.
        Draft = "draft",
        /// Handed in; the college reviews it.
        Submitted = "submitted",
        /// Scored by the college reviewer.
        CollegeReviewed = "college_reviewed",
        /// Recommended to the university (院推).
        Recommended = "recommended",
        /// Appointed by the university (校聘). Final.
        Appointed = "appointed",
        /// Turned down, with a reason. Final.
        Rejected = "rejected",
        /// Taken back by the student or the college. Final.
        Withdrawn = "withdrawn",
    }
}

string_enum! {
    /// What can be done to a nomination.
    pub enum NominationAction {
        /// Hand in.
        Submit = "submit",
        /// Score (again).
        Review = "review",
        /// Recommend to the university.
        Recommend = "recommend",
        /// Turn down.
        Reject = "reject",
        /// Take back.
        Withdraw = "withdraw",
        /// Appoint (done by creating the appointment).
        Appoint = "appoint",
        /// Change the statement, evidence, unit or justification.
        Edit = "edit",
    }
}

impl NominationState {
    /// The state after `action`, or `InvalidTransition`.
    pub fn apply(self, action: NominationAction) -> Result<NominationState> {
        use NominationAction as A;
        use NominationState as S;
        let next = match (self, action) {
            (S::Draft, A::Submit) => S::Submitted,
            (S::Submitted | S::CollegeReviewed, A::Review) => S::CollegeReviewed,
            (S::CollegeReviewed, A::Recommend) => S::Recommended,
            (S::Recommended, A::Appoint) => S::Appointed,
            (S::Submitted | S::CollegeReviewed | S::Recommended, A::Reject) => S::Rejected,
            (S::Draft | S::Submitted | S::CollegeReviewed | S::Recommended, A::Withdraw) => S::Withdrawn,
            (S::Draft | S::Submitted | S::CollegeReviewed, A::Edit) => self,
            _ => return Err(Error::InvalidTransition { from: self.to_string(), action: action.to_string() }),
        };
        Ok(next)
    }

    /// Whether the nomination still counts as the student's one nomination of the year.
    pub fn is_open(self) -> bool {
        !matches!(self, NominationState::Rejected | NominationState::Withdrawn)
    }
}

string_enum! {
    /// Who started a nomination.
    pub enum NominationSource {
        /// The college nominated the student.
        College = "college",
        /// The student applied themself; the college handles it.
        SelfApplication = "self_application",
    }
}

string_enum! {
    /// The level of an honour (荣誉称号).
    pub enum HonorLevel {
        /// 院级.
        College = "college",
        /// 校级.
        University = "university",
        /// 省级.
        Provincial = "provincial",
        /// 国家级.
        National = "national",
    }
}

impl HonorLevel {
    /// Whether the honour is at university level or higher, as the rules expect "in principle".
    pub fn is_university_or_higher(self) -> bool {
        !matches!(self, HonorLevel::College)
    }
}

/// An honour a student holds (优秀研究生, 优秀学生党员, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Honor {
    /// Id.
    pub id: Uuid,
    /// The student.
    pub student_id: Uuid,
    /// Title, e.g. `优秀研究生`.
    pub title: String,
    /// Level.
    pub level: HonorLevel,
    /// When it was awarded.
    pub awarded_on: NaiveDate,
    /// Created.
    pub created_at: DateTime<Utc>,
}

/// A disciplinary sanction (纪律处分) of a student.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sanction {
    /// Id.
    pub id: Uuid,
    /// The student.
    pub student_id: Uuid,
    /// What it is, e.g. `警告`.
    pub kind: String,
    /// Why.
    pub reason: String,
    /// When it was imposed.
    pub imposed_on: NaiveDate,
    /// When it was lifted (解除), if it was.
    pub lifted_on: Option<NaiveDate>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl Sanction {
    /// Whether the sanction is in force on `day`.
    pub fn is_active_on(&self, day: NaiveDate) -> bool {
        self.imposed_on <= day && self.lifted_on.is_none_or(|l| l > day)
    }
}

string_enum! {
    /// The outcome of one eligibility rule.
    pub enum Outcome {
        /// Met.
        Pass = "pass",
        /// Not met, but allowed with a written justification.
        Warn = "warn",
        /// Not met: the nomination cannot be recommended.
        Fail = "fail",
    }
}

string_enum! {
    /// The eligibility rules of the program (选聘条件).
    pub enum Rule {
        /// A Party member; probationary members only where the year allows it.
        PoliticalStatus = "political_status",
        /// A university-level honour or higher, "in principle".
        UniversityHonor = "university_honor",
        /// A senior student: enrolled before the academic year starts.
        SeniorYear = "senior_year",
        /// Still enrolled: not graduated, suspended or withdrawn.
        NotGraduated = "not_graduated",
        /// No disciplinary sanction in force.
        NoActiveSanction = "no_active_sanction",
        /// The academic year still takes nominations (it is not closed).
        YearOpen = "year_open",
    }
}

/// The result of one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleResult {
    /// The rule.
    pub rule: Rule,
    /// Its outcome.
    pub outcome: Outcome,
    /// Why, in words.
    pub reason: String,
}

/// Every rule's result for one nomination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EligibilityReport {
    /// One entry per rule, in a fixed order.
    pub rules: Vec<RuleResult>,
}

impl EligibilityReport {
    /// The worst outcome.
    pub fn overall(&self) -> Outcome {
        self.rules
            .iter()
            .map(|r| r.outcome)
            .max_by_key(|o| match o {
                Outcome::Pass => 0,
                Outcome::Warn => 1,
                Outcome::Fail => 2,
            })
            .unwrap_or(Outcome::Pass)
    }

    /// Whether some rule warns.
    pub fn has_warning(&self) -> bool {
        self.rules.iter().any(|r| r.outcome == Outcome::Warn)
    }
}

/// Evaluates every eligibility rule for `student` in `year`, as of `today`.
pub fn eligibility(
    student: &Student,
    year: &AcademicYear,
    honors: &[Honor],
    sanctions: &[Sanction],
    today: NaiveDate,
) -> EligibilityReport {
    let r = |rule, outcome, reason: String| RuleResult { rule, outcome, reason };
    let mut rules = Vec::with_capacity(6);

    rules.push(match student.political_status {
        PoliticalStatus::PartyMember => r(Rule::PoliticalStatus, Outcome::Pass, "中共党员 (full Party member)".into()),
        PoliticalStatus::ProbationaryPartyMember if year.policy.allow_probationary => {
            r(Rule::PoliticalStatus, Outcome::Pass, format!("probationary Party member, allowed in {}", year.code))
        }
        PoliticalStatus::ProbationaryPartyMember => r(
            Rule::PoliticalStatus,
            Outcome::Fail,
            format!("probationary Party members may not be nominated in {}", year.code),
        ),
        other => r(Rule::PoliticalStatus, Outcome::Fail, format!("a mentor must be a Party member, not {other}")),
    });

    let best = honors.iter().filter(|h| h.level.is_university_or_higher()).max_by_key(|h| h.awarded_on);
    rules.push(match best {
        Some(h) => r(Rule::UniversityHonor, Outcome::Pass, format!("{} ({}, {})", h.title, h.level, h.awarded_on)),
        None => r(
            Rule::UniversityHonor,
            Outcome::Warn,
            "no university-level honour or higher; a written justification is needed".into(),
        ),
    });

    let first_year = AcademicYearCode::parse("code", &year.code).map(|c| c.first_year()).unwrap_or(i32::MAX);
    rules.push(if student.enrollment_year < first_year {
        r(Rule::SeniorYear, Outcome::Pass, format!("enrolled in {}", student.enrollment_year))
    } else {
        r(
            Rule::SeniorYear,
            Outcome::Fail,
            format!("enrolled in {}: a mentor must have enrolled before {}", student.enrollment_year, year.code),
        )
    });

    rules.push(match student.status {
        StudentStatus::Enrolled => r(Rule::NotGraduated, Outcome::Pass, "enrolled".into()),
        other => r(Rule::NotGraduated, Outcome::Fail, format!("the student is {other}")),
    });

    // The report is shown to the student and their supervisor; what the sanction is stays with the
    // college and the university (GET /students/{id}/sanctions).
    rules.push(if sanctions.iter().any(|s| s.is_active_on(today)) {
        r(Rule::NoActiveSanction, Outcome::Fail, "a disciplinary sanction is in force".into())
    } else {
        r(Rule::NoActiveSanction, Outcome::Pass, "no sanction in force".into())
    });

    rules.push(if year.closed {
        r(Rule::YearOpen, Outcome::Fail, format!("{} is closed", year.code))
    } else {
        r(Rule::YearOpen, Outcome::Pass, format!("{} is open", year.code))
    });

    EligibilityReport { rules }
}

/// The college reviewer's scores (0–100 each) and comments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// 道德品质.
    pub morality: i32,
    /// 科研成果.
    pub research: i32,
    /// 领导能力.
    pub leadership: i32,
    /// Comments.
    pub comments: Option<String>,
    /// Who reviewed.
    pub reviewed_by: Option<Uuid>,
    /// When.
    pub reviewed_at: DateTime<Utc>,
}

/// Checks a score for `field`.
pub fn check_score(field: &str, score: i32) -> Result<i32, FieldError> {
    if (0..=100).contains(&score) {
        Ok(score)
    } else {
        Err(FieldError::new(field, "out_of_range", format!("{field} must be between 0 and 100")))
    }
}

string_enum! {
    /// The kind of a piece of evidence.
    pub enum EvidenceKind {
        /// An honour.
        Honor = "honor",
        /// A research or other achievement.
        Achievement = "achievement",
        /// A student cadre role (学生干部).
        CadreRole = "cadre_role",
        /// Anything else.
        Other = "other",
    }
}

/// One piece of evidence in a nomination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// Kind.
    pub kind: EvidenceKind,
    /// Title, e.g. `研究生会主席` or a paper's title.
    pub title: String,
    /// More detail.
    pub detail: Option<String>,
    /// When.
    pub date: Option<NaiveDate>,
}

/// A nomination of a student for an academic year and a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nomination {
    /// Id.
    pub id: Uuid,
    /// The student nominated.
    pub student_id: Uuid,
    /// The year.
    pub academic_year_id: Uuid,
    /// The nominating college (the student's).
    pub college_id: Uuid,
    /// The unit the mentor is selected for.
    pub unit_id: Uuid,
    /// College nomination or self-application.
    pub source: NominationSource,
    /// State.
    pub state: NominationState,
    /// Statement of merit.
    pub statement: String,
    /// Evidence.
    pub evidence: Vec<Evidence>,
    /// Why the nomination stands despite a warning (e.g. no university-level honour).
    pub justification: Option<String>,
    /// The college review, once done.
    pub review: Option<Review>,
    /// Why it was rejected or withdrawn.
    pub decision_reason: Option<String>,
    /// Who created it.
    pub created_by: Option<Uuid>,
    /// When it was handed in.
    pub submitted_at: Option<DateTime<Utc>>,
    /// When it was recommended.
    pub recommended_at: Option<DateTime<Utc>>,
    /// When it was appointed, rejected or withdrawn.
    pub decided_at: Option<DateTime<Utc>>,
    /// Optimistic-concurrency version.
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl Nomination {
    /// Checks that the nomination may be recommended given its eligibility: no rule fails, and a
    /// warning is backed by a written justification.
    pub fn check_recommendable(&self, report: &EligibilityReport) -> Result<()> {
        if let Some(failed) = report.rules.iter().find(|r| r.outcome == Outcome::Fail) {
            return Err(Error::Conflict {
                code: ConflictCode::NotEligible,
                detail: format!("the student fails the {} rule: {}", failed.rule, failed.reason),
            });
        }
        let justified = self.justification.as_deref().is_some_and(|j| !j.trim().is_empty());
        if report.has_warning() && !justified {
            let warned: Vec<String> =
                report.rules.iter().filter(|r| r.outcome == Outcome::Warn).map(|r| r.rule.to_string()).collect();
            return Err(Error::invalid(
                "justification",
                "required",
                format!("a written justification is required because of: {}", warned.join(", ")),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::{Degree, Gender, YearPolicy};

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn year(allow_probationary: bool, closed: bool) -> AcademicYear {
        let now = Utc::now();
        AcademicYear {
            id: Uuid::now_v7(),
            code: "2025-2026".into(),
            starts_on: date(2025, 9, 1),
            ends_on: date(2026, 8, 31),
            policy: YearPolicy {
                default_capacity: 5,
                allow_probationary,
                introduction_deadline: date(2025, 9, 30),
                salon_deadline: date(2025, 10, 31),
                record_edit_days: 30,
                concern_overdue: Default::default(),
                assessment_opens_on: None,
                assessment_closes_on: None,
                credit: Default::default(),
            },
            closed,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    fn student(status: PoliticalStatus, enrolled: i32) -> Student {
        let now = Utc::now();
        Student {
            id: Uuid::now_v7(),
            student_no: "2023001".into(),
            name: "李华".into(),
            gender: Gender::Female,
            college_id: Uuid::now_v7(),
            unit_id: None,
            degree: Degree::Doctoral,
            enrollment_year: enrolled,
            political_status: status,
            supervisor_id: None,
            counselor_id: None,
            phone: None,
            email: None,
            status: StudentStatus::Enrolled,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    fn honor(level: HonorLevel) -> Honor {
        Honor {
            id: Uuid::now_v7(),
            student_id: Uuid::now_v7(),
            title: "优秀研究生".into(),
            level,
            awarded_on: date(2024, 12, 1),
            created_at: Utc::now(),
        }
    }

    fn outcome(report: &EligibilityReport, rule: Rule) -> Outcome {
        report.rules.iter().find(|r| r.rule == rule).map(|r| r.outcome).unwrap()
    }

    const TODAY: fn() -> NaiveDate = || NaiveDate::from_ymd_opt(2025, 9, 10).unwrap();

    #[test]
    fn a_senior_party_member_with_a_university_honour_passes_every_rule() {
        let r = eligibility(
            &student(PoliticalStatus::PartyMember, 2023),
            &year(false, false),
            &[honor(HonorLevel::University)],
            &[],
            TODAY(),
        );
        assert_eq!(r.rules.len(), 6);
        assert_eq!(r.overall(), Outcome::Pass);
        assert!(!r.has_warning());
    }

    #[test]
    fn political_status_follows_the_years_policy() {
        let honors = [honor(HonorLevel::National)];
        for (status, allow, expected) in [
            (PoliticalStatus::PartyMember, false, Outcome::Pass),
            (PoliticalStatus::ProbationaryPartyMember, false, Outcome::Fail),
            (PoliticalStatus::ProbationaryPartyMember, true, Outcome::Pass),
            (PoliticalStatus::LeagueMember, true, Outcome::Fail),
            (PoliticalStatus::Masses, true, Outcome::Fail),
            (PoliticalStatus::Other, true, Outcome::Fail),
        ] {
            let r = eligibility(&student(status, 2023), &year(allow, false), &honors, &[], TODAY());
            assert_eq!(outcome(&r, Rule::PoliticalStatus), expected, "{status} allow={allow}");
        }
    }

    #[test]
    fn a_missing_university_honour_only_warns() {
        let s = student(PoliticalStatus::PartyMember, 2023);
        let r = eligibility(&s, &year(false, false), &[honor(HonorLevel::College)], &[], TODAY());
        assert_eq!(outcome(&r, Rule::UniversityHonor), Outcome::Warn);
        assert_eq!(r.overall(), Outcome::Warn);
        let r = eligibility(&s, &year(false, false), &[honor(HonorLevel::Provincial)], &[], TODAY());
        assert_eq!(outcome(&r, Rule::UniversityHonor), Outcome::Pass);
    }

    #[test]
    fn freshmen_graduates_and_sanctioned_students_fail() {
        let y = year(false, false);
        let honors = [honor(HonorLevel::University)];
        let r = eligibility(&student(PoliticalStatus::PartyMember, 2025), &y, &honors, &[], TODAY());
        assert_eq!(outcome(&r, Rule::SeniorYear), Outcome::Fail);
        let r = eligibility(&student(PoliticalStatus::PartyMember, 2024), &y, &honors, &[], TODAY());
        assert_eq!(outcome(&r, Rule::SeniorYear), Outcome::Pass);

        let mut graduated = student(PoliticalStatus::PartyMember, 2022);
        graduated.status = StudentStatus::Graduated;
        assert_eq!(outcome(&eligibility(&graduated, &y, &honors, &[], TODAY()), Rule::NotGraduated), Outcome::Fail);

        let s = student(PoliticalStatus::PartyMember, 2023);
        let sanction = Sanction {
            id: Uuid::now_v7(),
            student_id: s.id,
            kind: "警告".into(),
            reason: "考试违纪".into(),
            imposed_on: date(2025, 3, 1),
            lifted_on: None,
            created_at: Utc::now(),
        };
        let r = eligibility(&s, &y, &honors, std::slice::from_ref(&sanction), TODAY());
        assert_eq!(outcome(&r, Rule::NoActiveSanction), Outcome::Fail);
        let lifted = Sanction { lifted_on: Some(date(2025, 9, 1)), ..sanction.clone() };
        let r = eligibility(&s, &y, &honors, &[lifted], TODAY());
        assert_eq!(outcome(&r, Rule::NoActiveSanction), Outcome::Pass);
        let future = Sanction { imposed_on: date(2026, 1, 1), ..sanction };
        assert!(!future.is_active_on(TODAY()));
    }

    #[test]
    fn a_closed_year_takes_no_nominations() {
        let r = eligibility(
            &student(PoliticalStatus::PartyMember, 2023),
            &year(false, true),
            &[honor(HonorLevel::University)],
            &[],
            TODAY(),
        );
        assert_eq!(outcome(&r, Rule::YearOpen), Outcome::Fail);
        assert_eq!(r.overall(), Outcome::Fail);
    }

    #[test]
    fn every_state_and_action_pair_is_either_allowed_or_invalid() {
        use NominationAction as A;
        use NominationState as S;
        let allowed = [
            (S::Draft, A::Submit, S::Submitted),
            (S::Submitted, A::Review, S::CollegeReviewed),
            (S::CollegeReviewed, A::Review, S::CollegeReviewed),
            (S::CollegeReviewed, A::Recommend, S::Recommended),
            (S::Recommended, A::Appoint, S::Appointed),
            (S::Submitted, A::Reject, S::Rejected),
            (S::CollegeReviewed, A::Reject, S::Rejected),
            (S::Recommended, A::Reject, S::Rejected),
            (S::Draft, A::Withdraw, S::Withdrawn),
            (S::Submitted, A::Withdraw, S::Withdrawn),
            (S::CollegeReviewed, A::Withdraw, S::Withdrawn),
            (S::Recommended, A::Withdraw, S::Withdrawn),
            (S::Draft, A::Edit, S::Draft),
            (S::Submitted, A::Edit, S::Submitted),
            (S::CollegeReviewed, A::Edit, S::CollegeReviewed),
        ];
        for state in S::ALL {
            for action in A::ALL {
                let expected = allowed.iter().find(|(s, a, _)| s == state && a == action).map(|(_, _, n)| *n);
                match (state.apply(*action), expected) {
                    (Ok(next), Some(n)) => assert_eq!(next, n, "{state} --{action}-->"),
                    (Err(Error::InvalidTransition { .. }), None) => {}
                    (got, want) => panic!("{state} --{action}--> gave {got:?}, expected {want:?}"),
                }
            }
        }
    }

    #[test]
    fn only_rejected_and_withdrawn_nominations_are_closed() {
        for s in NominationState::ALL {
            assert_eq!(s.is_open(), !matches!(s, NominationState::Rejected | NominationState::Withdrawn));
        }
    }

    #[test]
    fn a_warning_needs_a_justification_and_a_failure_blocks_recommending() {
        let now = Utc::now();
        let mut n = Nomination {
            id: Uuid::now_v7(),
            student_id: Uuid::now_v7(),
            academic_year_id: Uuid::now_v7(),
            college_id: Uuid::now_v7(),
            unit_id: Uuid::now_v7(),
            source: NominationSource::College,
            state: NominationState::CollegeReviewed,
            statement: "品学兼优".into(),
            evidence: vec![],
            justification: None,
            review: None,
            decision_reason: None,
            created_by: None,
            submitted_at: None,
            recommended_at: None,
            decided_at: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let s = student(PoliticalStatus::PartyMember, 2023);
        let warn = eligibility(&s, &year(false, false), &[], &[], TODAY());
        assert!(matches!(n.check_recommendable(&warn), Err(Error::Validation(_))));
        n.justification = Some("   ".into());
        assert!(matches!(n.check_recommendable(&warn), Err(Error::Validation(_))));
        n.justification = Some("科研成果突出，曾获国家奖学金".into());
        assert!(n.check_recommendable(&warn).is_ok());
        let fail = eligibility(&student(PoliticalStatus::Masses, 2023), &year(false, false), &[], &[], TODAY());
        assert!(matches!(n.check_recommendable(&fail), Err(Error::Conflict { code: ConflictCode::NotEligible, .. })));
    }

    #[test]
    fn scores_are_between_0_and_100() {
        assert!(check_score("morality", 0).is_ok());
        assert!(check_score("morality", 100).is_ok());
        assert!(check_score("morality", 101).is_err());
        assert!(check_score("morality", -1).is_err());
    }
}
