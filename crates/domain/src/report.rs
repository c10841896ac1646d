//! Reports (issue 16): the milestone rules of the compliance report and the plain figures of the
//! college's year-end assessment (四.6). The database counts; this module decides what the counts
//! mean — whether a college met, missed or is still within a deadline — and holds the results.
//!
//! Every date here is an Asia/Shanghai day (`crate::time`): a deadline is met by anything done on
//! or before its day, so a salon at 23:30 on Oct 31 Beijing time is on time and one at 00:10 on
//! Nov 1 is late.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::{Principal, Role};
use crate::error::{Error, Result};
use crate::string_enum;

/// Which colleges' reports a caller reads: `None` for every college (a university admin), or
/// their own college (a college admin or a counselor, read-only). Anyone else, service clients
/// included, is refused: the reports are the program office's and the colleges' own.
pub fn report_scope(p: &Principal) -> Result<Option<Uuid>> {
    match p {
        Principal::User(u) => match (u.role, u.college_id) {
            (Role::UniversityAdmin, _) => Ok(None),
            (Role::CollegeAdmin | Role::Counselor, Some(c)) => Ok(Some(c)),
            _ => Err(Error::Forbidden("only the university, a college's admins and counselors read reports".into())),
        },
        Principal::Client(_) => Err(Error::Forbidden("reports are for the university and the colleges".into())),
    }
}

/// The college a report is asked for, within the caller's `scope`: `Ok(None)` for every college
/// the scope holds; `NotFound` for a college outside it (a college admin may not learn that
/// another college's row exists).
pub fn report_college(scope: Option<Uuid>, asked: Option<Uuid>) -> Result<Option<Uuid>> {
    match (scope, asked) {
        (Some(own), Some(c)) if c != own => Err(Error::NotFound { resource: "college" }),
        (Some(own), _) => Ok(Some(own)),
        (None, asked) => Ok(asked),
    }
}

string_enum! {
    /// The two deadlines the rules (三(一)1-2) set each college.
    pub enum Milestone {
        /// Every appointed mentor introduced to the freshmen (Sept 30 by default).
        Introduction = "introduction",
        /// At least one freshman salon held (Oct 31 by default).
        FreshmanSalon = "freshman_salon",
    }
}

string_enum! {
    /// Where a college stands on one milestone.
    pub enum MilestoneStatus {
        /// Done on or before the deadline (`date`: the day it was done).
        Met = "met",
        /// Done, but after the deadline (`date`: the day it was done).
        Late = "late",
        /// Not done, and the deadline has passed.
        Missed = "missed",
        /// Not done yet, and the deadline has not passed.
        Pending = "pending",
        /// The college has no appointed mentors this year: nothing is due.
        NotApplicable = "not_applicable",
    }
}

/// A milestone's status and, when it was done, the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// The status.
    pub status: MilestoneStatus,
    /// The Asia/Shanghai day it was done (`met` and `late` only).
    pub date: Option<NaiveDate>,
}

/// The status of a milestone due on `deadline` (its last day), seen on `today`, for a college with
/// `mentors` appointed mentors, done on `done_on` (`None`: not done yet).
///
/// No mentors means nothing is due, whatever else was done; a milestone done on or before its day
/// is met, after it late; one not done is pending until the deadline's day is over, then missed.
pub fn evaluate(today: NaiveDate, deadline: NaiveDate, mentors: i64, done_on: Option<NaiveDate>) -> Outcome {
    let status = match done_on {
        _ if mentors <= 0 => MilestoneStatus::NotApplicable,
        Some(d) if d <= deadline => MilestoneStatus::Met,
        Some(_) => MilestoneStatus::Late,
        None if today > deadline => MilestoneStatus::Missed,
        None => MilestoneStatus::Pending,
    };
    let date = matches!(status, MilestoneStatus::Met | MilestoneStatus::Late).then_some(done_on).flatten();
    Outcome { status, date }
}

/// The day the introduction milestone was done: the day the last of `mentors` mentors was
/// introduced (`last_introduced_on`), once all `introduced` of them are; `None` before.
pub fn introductions_done_on(
    mentors: i64,
    introduced: i64,
    last_introduced_on: Option<NaiveDate>,
) -> Option<NaiveDate> {
    if mentors > 0 && introduced >= mentors { last_introduced_on } else { None }
}

/// The introduction milestone of one college, as counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntroductionCount {
    /// The college's appointed mentors of the year who are serving or served to the end (`active`
    /// or `completed`; dismissed and resigned ones are no longer due).
    pub mentors: i64,
    /// Of those, introduced (the introduction recorded, or an `orientation_introduction` they host
    /// held), at any time.
    pub introduced: i64,
    /// Of those, introduced on or before the deadline.
    pub introduced_by_deadline: i64,
    /// The day the last of them was introduced (each mentor's first introduction).
    pub last_introduced_on: Option<NaiveDate>,
}

impl IntroductionCount {
    /// The milestone's status on `today` for a deadline of `deadline`.
    pub fn outcome(&self, today: NaiveDate, deadline: NaiveDate) -> Outcome {
        let done_on = introductions_done_on(self.mentors, self.introduced, self.last_introduced_on);
        evaluate(today, deadline, self.mentors, done_on)
    }
}

/// The freshman-salon milestone of one college, as counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SalonCount {
    /// The college's `freshman_salon` activities of the year recorded as held.
    pub held: i64,
    /// Of those, starting on or before the deadline's day.
    pub held_by_deadline: i64,
    /// Registrations marked attended at those held salons.
    pub attendance: i64,
    /// The day the first of them started.
    pub first_held_on: Option<NaiveDate>,
}

impl SalonCount {
    /// The milestone's status on `today` for a deadline of `deadline`, for a college with
    /// `mentors` appointed mentors: done on the day of the first salon held.
    pub fn outcome(&self, today: NaiveDate, deadline: NaiveDate, mentors: i64) -> Outcome {
        evaluate(today, deadline, mentors, self.first_held_on)
    }
}

/// One college's row of the compliance report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollegeCompliance {
    /// The college.
    pub college_id: Uuid,
    /// Its code.
    pub college_code: String,
    /// Its name.
    pub college_name: String,
    /// The introductions, counted.
    pub introduction: IntroductionCount,
    /// Their status.
    pub introduction_outcome: Outcome,
    /// The freshman salons, counted.
    pub salon: SalonCount,
    /// Their status.
    pub salon_outcome: Outcome,
}

/// The compliance report of an academic year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compliance {
    /// The academic year.
    pub academic_year_id: Uuid,
    /// Its code.
    pub academic_year: String,
    /// The day the statuses were computed for (Asia/Shanghai).
    pub as_of: NaiveDate,
    /// The introduction deadline (its last day).
    pub introduction_deadline: NaiveDate,
    /// The salon deadline (its last day).
    pub salon_deadline: NaiveDate,
    /// One row per college the caller sees, by college code.
    pub colleges: Vec<CollegeCompliance>,
}

/// How many colleges stand where on one milestone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StatusCounts {
    /// Colleges that met it.
    pub met: i64,
    /// Colleges that did it late.
    pub late: i64,
    /// Colleges that missed it.
    pub missed: i64,
    /// Colleges whose deadline has not passed yet, not done.
    pub pending: i64,
    /// Colleges with nothing due (no appointed mentors).
    pub not_applicable: i64,
}

impl StatusCounts {
    fn add(&mut self, status: MilestoneStatus) {
        match status {
            MilestoneStatus::Met => self.met += 1,
            MilestoneStatus::Late => self.late += 1,
            MilestoneStatus::Missed => self.missed += 1,
            MilestoneStatus::Pending => self.pending += 1,
            MilestoneStatus::NotApplicable => self.not_applicable += 1,
        }
    }
}

/// The compliance report at a glance: per milestone, how many colleges stand where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ComplianceGlance {
    /// The introduction milestone.
    pub introduction: StatusCounts,
    /// The freshman-salon milestone.
    pub freshman_salon: StatusCounts,
}

impl Compliance {
    /// The report's rows tallied by status, milestone by milestone.
    pub fn glance(&self) -> ComplianceGlance {
        let mut g = ComplianceGlance::default();
        for c in &self.colleges {
            g.introduction.add(c.introduction_outcome.status);
            g.freshman_salon.add(c.salon_outcome.status);
        }
        g
    }
}

/// A college's year-end assessment figures (四.6), each a count or sum the database made; the
/// definition of each is the API text of its field (`CollegeFiguresDto`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CollegeFigures {
    /// Units with at least one freshman.
    pub units_with_freshmen: i64,
    /// Of those, units with at least one due mentor.
    pub units_covered: i64,
    /// Nominations submitted.
    pub mentors_nominated: i64,
    /// Appointments made.
    pub mentors_appointed: i64,
    /// Appointments with the training recorded.
    pub mentors_trained: i64,
    /// Appointments dismissed.
    pub mentors_dismissed: i64,
    /// Appointments resigned.
    pub mentors_resigned: i64,
    /// Enrolled freshmen.
    pub freshmen: i64,
    /// Of those, paired.
    pub freshmen_paired: i64,
    /// Freshman salons held.
    pub freshman_salons_held: i64,
    /// Attendance at them.
    pub freshman_salon_attendance: i64,
    /// Research salons held.
    pub research_salons_held: i64,
    /// Attendance at them.
    pub research_salon_attendance: i64,
    /// Work records.
    pub work_records: i64,
    /// Their minutes.
    pub work_minutes: i64,
    /// Help requests answered.
    pub help_requests_answered: i64,
    /// Concerns escalated.
    pub concerns_escalated: i64,
    /// Concerns resolved.
    pub concerns_resolved: i64,
    /// Concerns overdue now.
    pub concerns_overdue: i64,
    /// Inquiries answered.
    pub inquiries_answered: i64,
    /// Years graded `excellent`.
    pub graded_excellent: i64,
    /// Years graded `competent`.
    pub graded_competent: i64,
    /// Years graded `unsatisfactory` (dismissed mentors included).
    pub graded_unsatisfactory: i64,
    /// Award-round awards won.
    pub awards: i64,
    /// Budget planned, in fen.
    pub budget_planned_fen: i64,
    /// Money spent, in fen.
    pub budget_spent_fen: i64,
}

impl CollegeFigures {
    /// The sum of two colleges' figures (the university totals).
    pub fn plus(self, o: &Self) -> Self {
        Self {
            units_with_freshmen: self.units_with_freshmen + o.units_with_freshmen,
            units_covered: self.units_covered + o.units_covered,
            mentors_nominated: self.mentors_nominated + o.mentors_nominated,
            mentors_appointed: self.mentors_appointed + o.mentors_appointed,
            mentors_trained: self.mentors_trained + o.mentors_trained,
            mentors_dismissed: self.mentors_dismissed + o.mentors_dismissed,
            mentors_resigned: self.mentors_resigned + o.mentors_resigned,
            freshmen: self.freshmen + o.freshmen,
            freshmen_paired: self.freshmen_paired + o.freshmen_paired,
            freshman_salons_held: self.freshman_salons_held + o.freshman_salons_held,
            freshman_salon_attendance: self.freshman_salon_attendance + o.freshman_salon_attendance,
            research_salons_held: self.research_salons_held + o.research_salons_held,
            research_salon_attendance: self.research_salon_attendance + o.research_salon_attendance,
            work_records: self.work_records + o.work_records,
            work_minutes: self.work_minutes + o.work_minutes,
            help_requests_answered: self.help_requests_answered + o.help_requests_answered,
            concerns_escalated: self.concerns_escalated + o.concerns_escalated,
            concerns_resolved: self.concerns_resolved + o.concerns_resolved,
            concerns_overdue: self.concerns_overdue + o.concerns_overdue,
            inquiries_answered: self.inquiries_answered + o.inquiries_answered,
            graded_excellent: self.graded_excellent + o.graded_excellent,
            graded_competent: self.graded_competent + o.graded_competent,
            graded_unsatisfactory: self.graded_unsatisfactory + o.graded_unsatisfactory,
            awards: self.awards + o.awards,
            budget_planned_fen: self.budget_planned_fen + o.budget_planned_fen,
            budget_spent_fen: self.budget_spent_fen + o.budget_spent_fen,
        }
    }

    /// The university's totals: every college's figures summed, plus `university_wide`, the
    /// figures of what belongs to no college — the university's own activities (`training`,
    /// `club_meeting`, `experience_exchange`), whose budget, spending, salons and attendance are
    /// the university's and so count in its totals and in no college's row.
    pub fn university_totals<'a>(colleges: impl IntoIterator<Item = &'a Self>, university_wide: &Self) -> Self {
        colleges.into_iter().fold(*university_wide, |acc, f| acc.plus(f))
    }

    /// The share of freshmen paired (0–1, four decimals); `None` without freshmen.
    pub fn freshmen_paired_share(&self) -> Option<f64> {
        ratio(self.freshmen_paired, self.freshmen, 10_000.0)
    }

    /// Work records per appointment made (two decimals); `None` without appointments.
    pub fn work_records_per_mentor(&self) -> Option<f64> {
        ratio(self.work_records, self.mentors_appointed, 100.0)
    }

    /// Minutes of work records per appointment made (two decimals); `None` without appointments.
    pub fn minutes_per_mentor(&self) -> Option<f64> {
        ratio(self.work_minutes, self.mentors_appointed, 100.0)
    }
}

/// `part / whole` rounded to `1 / scale`; `None` when `whole` is not positive.
fn ratio(part: i64, whole: i64, scale: f64) -> Option<f64> {
    // Counts of people and minutes: far below 2^52, exact as f64.
    (whole > 0).then(|| ((part as f64 / whole as f64) * scale).round() / scale)
}

/// One college's assessment for a year: its figures and its milestones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearFigures {
    /// The figures.
    pub figures: CollegeFigures,
    /// The introduction milestone.
    pub introduction: Outcome,
    /// The freshman-salon milestone.
    pub freshman_salon: Outcome,
}

/// One college's row of the assessment report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollegeAssessment {
    /// The college.
    pub college_id: Uuid,
    /// Its code.
    pub college_code: String,
    /// Its name.
    pub college_name: String,
    /// The year asked for.
    pub current: YearFigures,
    /// The year compared with, when asked.
    pub compared: Option<YearFigures>,
    /// The college's featured best-practice cases of the year (the report's notes), by title.
    pub featured_cases: Vec<crate::best_case::CaseNote>,
}

/// The college assessment report of a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentReport {
    /// The academic year.
    pub academic_year_id: Uuid,
    /// Its code.
    pub academic_year: String,
    /// The year compared with: id and code.
    pub compare_to: Option<(Uuid, String)>,
    /// The day it was computed for (Asia/Shanghai).
    pub as_of: NaiveDate,
    /// One row per college the caller reads, by code.
    pub colleges: Vec<CollegeAssessment>,
    /// The university's totals (the year, and the compared year): the sums over every college
    /// plus the university's own, university-wide activities ([`CollegeFigures::university_totals`]),
    /// for a university admin reading every college; `None` otherwise.
    pub totals: Option<(CollegeFigures, Option<CollegeFigures>)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn the_university_reads_every_college_a_college_its_own_nobody_else_any() {
        use crate::auth::UserPrincipal;
        let (cs, ee) = (Uuid::now_v7(), Uuid::now_v7());
        let user = |role, college_id| {
            Principal::User(UserPrincipal { id: Uuid::now_v7(), role, college_id, student_id: None, staff_id: None })
        };
        assert_eq!(report_scope(&user(Role::UniversityAdmin, None)).unwrap(), None);
        assert_eq!(report_scope(&user(Role::CollegeAdmin, Some(cs))).unwrap(), Some(cs));
        assert_eq!(report_scope(&user(Role::Counselor, Some(cs))).unwrap(), Some(cs));
        for role in [Role::Supervisor, Role::Student] {
            assert!(matches!(report_scope(&user(role, Some(cs))), Err(Error::Forbidden(_))), "{role}");
        }
        assert_eq!(report_college(None, None).unwrap(), None);
        assert_eq!(report_college(None, Some(ee)).unwrap(), Some(ee));
        assert_eq!(report_college(Some(cs), None).unwrap(), Some(cs));
        assert_eq!(report_college(Some(cs), Some(cs)).unwrap(), Some(cs));
        assert!(matches!(report_college(Some(cs), Some(ee)), Err(Error::NotFound { .. })));
    }

    #[test]
    fn the_glance_tallies_each_milestone_by_the_status_of_every_college() {
        let row = |intro: MilestoneStatus, salon: MilestoneStatus| CollegeCompliance {
            college_id: Uuid::now_v7(),
            college_code: "C".into(),
            college_name: "学院".into(),
            introduction: IntroductionCount {
                mentors: 1,
                introduced: 0,
                introduced_by_deadline: 0,
                last_introduced_on: None,
            },
            introduction_outcome: Outcome { status: intro, date: None },
            salon: SalonCount::default(),
            salon_outcome: Outcome { status: salon, date: None },
        };
        use MilestoneStatus::*;
        let report = Compliance {
            academic_year_id: Uuid::now_v7(),
            academic_year: "2026-2027".into(),
            as_of: d(11, 1),
            introduction_deadline: d(9, 30),
            salon_deadline: d(10, 31),
            colleges: vec![row(Met, Pending), row(Late, Met), row(Met, Missed), row(NotApplicable, NotApplicable)],
        };
        let g = report.glance();
        assert_eq!(g.introduction, StatusCounts { met: 2, late: 1, missed: 0, pending: 0, not_applicable: 1 });
        assert_eq!(g.freshman_salon, StatusCounts { met: 1, late: 0, missed: 1, pending: 1, not_applicable: 1 });
        let empty = Compliance { colleges: vec![], ..report };
        assert_eq!(empty.glance(), ComplianceGlance::default());
    }

    #[test]
    fn a_milestone_is_met_late_missed_or_pending_by_the_day_it_was_done() {
        use MilestoneStatus::*;
        let deadline = d(10, 31);
        // (today, mentors, done on) → (status, date)
        let cases = [
            (d(10, 1), 2, None, Pending, None),
            (d(10, 31), 2, None, Pending, None),
            (d(11, 1), 2, None, Missed, None),
            (d(10, 5), 2, Some(d(10, 5)), Met, Some(d(10, 5))),
            (d(12, 1), 2, Some(d(10, 31)), Met, Some(d(10, 31))),
            (d(12, 1), 2, Some(d(11, 1)), Late, Some(d(11, 1))),
            (d(12, 1), 0, None, NotApplicable, None),
            (d(10, 1), 0, Some(d(9, 1)), NotApplicable, None),
        ];
        for (today, mentors, done, status, date) in cases {
            assert_eq!(
                evaluate(today, deadline, mentors, done),
                Outcome { status, date },
                "{today} {mentors} {done:?}"
            );
        }
    }

    #[test]
    fn introductions_are_done_when_the_last_mentor_is_introduced() {
        assert_eq!(introductions_done_on(3, 3, Some(d(9, 29))), Some(d(9, 29)));
        assert_eq!(introductions_done_on(3, 2, Some(d(9, 29))), None);
        assert_eq!(introductions_done_on(0, 0, None), None);
        let c = IntroductionCount {
            mentors: 2,
            introduced: 2,
            introduced_by_deadline: 1,
            last_introduced_on: Some(d(10, 2)),
        };
        assert_eq!(c.outcome(d(12, 1), d(9, 30)), Outcome { status: MilestoneStatus::Late, date: Some(d(10, 2)) });
        let c = IntroductionCount { introduced: 1, ..c };
        assert_eq!(c.outcome(d(9, 30), d(9, 30)).status, MilestoneStatus::Pending);
        assert_eq!(c.outcome(d(10, 1), d(9, 30)).status, MilestoneStatus::Missed);
    }

    #[test]
    fn shares_and_means_are_rounded_and_absent_without_a_base() {
        let f = CollegeFigures {
            freshmen: 3,
            freshmen_paired: 2,
            mentors_appointed: 3,
            work_records: 5,
            work_minutes: 100,
            ..Default::default()
        };
        assert_eq!(f.freshmen_paired_share(), Some(0.6667));
        assert_eq!(f.work_records_per_mentor(), Some(1.67));
        assert_eq!(f.minutes_per_mentor(), Some(33.33));
        assert_eq!(CollegeFigures::default().freshmen_paired_share(), None);
        assert_eq!(CollegeFigures::default().minutes_per_mentor(), None);
        let t = f.plus(&CollegeFigures { freshmen: 1, freshmen_paired: 1, awards: 2, ..Default::default() });
        assert_eq!((t.freshmen, t.freshmen_paired, t.awards, t.work_minutes), (4, 3, 2, 100));
        assert_eq!(t.freshmen_paired_share(), Some(0.75));
    }

    #[test]
    fn the_university_totals_are_the_colleges_plus_what_belongs_to_no_college() {
        let cs =
            CollegeFigures { budget_planned_fen: 20_000, budget_spent_fen: 15_000, freshmen: 3, ..Default::default() };
        let ee = CollegeFigures { budget_planned_fen: 10_000, freshmen: 1, ..Default::default() };
        let wide = CollegeFigures { budget_planned_fen: 5_000, budget_spent_fen: 4_000, ..Default::default() };
        let t = CollegeFigures::university_totals([&cs, &ee], &wide);
        assert_eq!((t.budget_planned_fen, t.budget_spent_fen, t.freshmen), (35_000, 19_000, 4));
        // Nothing of the university's own: the colleges' sum.
        assert_eq!(CollegeFigures::university_totals([&cs, &ee], &CollegeFigures::default()), cs.plus(&ee));
        // No college: the university's own alone.
        assert_eq!(CollegeFigures::university_totals([], &wide), wide);
    }

    #[test]
    fn a_salon_counts_from_the_first_one_held() {
        let s = SalonCount { held: 2, held_by_deadline: 1, attendance: 9, first_held_on: Some(d(10, 31)) };
        assert_eq!(s.outcome(d(12, 1), d(10, 31), 1), Outcome { status: MilestoneStatus::Met, date: Some(d(10, 31)) });
        assert_eq!(s.outcome(d(12, 1), d(10, 31), 0).status, MilestoneStatus::NotApplicable);
        assert_eq!(SalonCount::default().outcome(d(10, 30), d(10, 31), 1).status, MilestoneStatus::Pending);
    }
}
