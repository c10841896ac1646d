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
    fn a_salon_counts_from_the_first_one_held() {
        let s = SalonCount { held: 2, held_by_deadline: 1, attendance: 9, first_held_on: Some(d(10, 31)) };
        assert_eq!(s.outcome(d(12, 1), d(10, 31), 1), Outcome { status: MilestoneStatus::Met, date: Some(d(10, 31)) });
        assert_eq!(s.outcome(d(12, 1), d(10, 31), 0).status, MilestoneStatus::NotApplicable);
        assert_eq!(SalonCount::default().outcome(d(10, 30), d(10, 31), 1).status, MilestoneStatus::Pending);
    }
}
