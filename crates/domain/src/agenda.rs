//! Each user's to-do list (`GET /me/agenda`, issue 16): what the caller should do next, computed
//! from the data. This module says which kinds of item there are, when each is due and how the
//! list is ordered; persistence finds the rows.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use uuid::Uuid;

use crate::report::{MilestoneStatus, Outcome};
use crate::string_enum;
use crate::time::shanghai_date;

string_enum! {
    /// What an agenda item asks the caller to do.
    pub enum AgendaKind {
        /// A mentor: answer a help request of a mentee (`/help-requests/{id}`).
        HelpRequest = "help_request",
        /// A supervisor or counselor: acknowledge a concern escalated to them (`/concerns/{id}`).
        ConcernToAcknowledge = "concern_to_acknowledge",
        /// A mentor: contact a mentee no work record names yet (`/pairings/{id}`).
        MenteeNotContacted = "mentee_not_contacted",
        /// An attendee: give feedback on a held activity while its window is open
        /// (`/activities/{id}/feedback`).
        ActivityFeedback = "activity_feedback",
        /// A college admin: a college milestone (introductions, freshman salons) due within 14 days
        /// (`/academic-years/{id}`).
        Milestone = "milestone",
        /// An award-round reviewer: score a nomination (`/award-rounds/{round}/nominations/{id}`).
        NominationToReview = "nomination_to_review",
        /// A college admin: nominate before an open award round closes (`/award-rounds/{id}`).
        AwardRoundDeadline = "award_round_deadline",
        /// A mentor: publish the directory profile (`/appointments/{id}/profile`).
        ProfileNotPublished = "profile_not_published",
    }
}

/// Days a mentor has to answer a help request.
pub const HELP_ANSWER_DAYS: i64 = 3;
/// Days a mentor has to first contact a new mentee (a work record naming them).
pub const FIRST_CONTACT_DAYS: i64 = 14;
/// How far ahead a college milestone shows up on a college admin's agenda.
pub const MILESTONE_NOTICE_DAYS: i64 = 14;
/// Days a mentor has to publish their profile after being appointed.
pub const PROFILE_DAYS: i64 = 14;
/// Days a reviewer has to score after an award round's nominations close.
pub const REVIEW_DAYS: i64 = 7;

/// One thing to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaItem {
    /// What to do.
    pub kind: AgendaKind,
    /// The day (Asia/Shanghai) it is due.
    pub due_on: NaiveDate,
    /// The API path of the resource to act on.
    pub href: String,
    /// The id of that resource.
    pub resource_id: Uuid,
    /// A short line naming it (a topic, a title, a milestone), never confidential text.
    pub title: String,
}

impl AgendaItem {
    /// Whether it is past due on `today`.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.due_on < today
    }
}

/// A help request asked at `asked_at` is due [`HELP_ANSWER_DAYS`] later.
pub fn help_due(asked_at: DateTime<Utc>) -> NaiveDate {
    shanghai_date(asked_at) + Duration::days(HELP_ANSWER_DAYS)
}

/// A concern escalated at `escalated_at` is due when it would become overdue: after the year's
/// limit for its urgency (`limit_days`).
pub fn concern_due(escalated_at: DateTime<Utc>, limit_days: i32) -> NaiveDate {
    shanghai_date(escalated_at) + Duration::days(i64::from(limit_days))
}

/// A mentee paired at `paired_at` should be contacted within [`FIRST_CONTACT_DAYS`].
pub fn first_contact_due(paired_at: DateTime<Utc>) -> NaiveDate {
    shanghai_date(paired_at) + Duration::days(FIRST_CONTACT_DAYS)
}

/// Feedback on an activity that ended at `ended_at` is due when its window closes.
pub fn feedback_due(ended_at: DateTime<Utc>) -> NaiveDate {
    shanghai_date(ended_at + Duration::days(crate::activity::FEEDBACK_WINDOW_DAYS))
}

/// Whether feedback on an activity that ended at `ended_at` may still be given at `now`.
pub fn feedback_open(ended_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now <= ended_at + Duration::days(crate::activity::FEEDBACK_WINDOW_DAYS)
}

/// A milestone on `deadline` shows on `today` when the compliance report counts it `pending` (due,
/// not done, the deadline not passed — see [`crate::report::evaluate`]) and it falls within the
/// next [`MILESTONE_NOTICE_DAYS`] (today included). The agenda and the report so never disagree on
/// whether a milestone is done.
pub fn milestone_shows(deadline: NaiveDate, today: NaiveDate, outcome: Outcome) -> bool {
    outcome.status == MilestoneStatus::Pending && milestone_in_notice(deadline, today)
}

/// Whether a milestone due on `deadline` could show on `today` at all: its day not yet over and
/// within the next [`MILESTONE_NOTICE_DAYS`]. Outside it no outcome shows it (a pending milestone's
/// deadline is today or later), so its compliance counts need not be read.
pub fn milestone_in_notice(deadline: NaiveDate, today: NaiveDate) -> bool {
    today <= deadline && deadline <= today + Duration::days(MILESTONE_NOTICE_DAYS)
}

/// A profile is due [`PROFILE_DAYS`] after the appointment.
pub fn profile_due(appointed_at: DateTime<Utc>) -> NaiveDate {
    shanghai_date(appointed_at) + Duration::days(PROFILE_DAYS)
}

/// Orders the agenda: earliest due first, then by kind, then by resource id (a stable order).
pub fn sort(items: &mut [AgendaItem]) {
    items.sort_by_key(|i| (i.due_on, i.kind, i.resource_id));
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).single().unwrap_or_default()
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn due_dates_count_shanghai_days() {
        // 17:00 UTC on Oct 9 is 01:00 on Oct 10 in Shanghai.
        let t = at(2026, 10, 9, 17, 0);
        assert_eq!(help_due(t), day(2026, 10, 13));
        assert_eq!(first_contact_due(t), day(2026, 10, 24));
        assert_eq!(profile_due(t), day(2026, 10, 24));
        assert_eq!(concern_due(t, 7), day(2026, 10, 17));
        assert_eq!(feedback_due(t), day(2026, 10, 24));
        assert_eq!(help_due(at(2026, 10, 9, 15, 59)), day(2026, 10, 12));
    }

    #[test]
    fn feedback_is_open_for_fourteen_days_after_the_end() {
        let end = at(2026, 10, 9, 10, 0);
        assert!(feedback_open(end, end + Duration::days(14)));
        assert!(!feedback_open(end, end + Duration::days(14) + Duration::seconds(1)));
    }

    #[test]
    fn a_milestone_shows_in_the_fourteen_days_before_it_unless_met() {
        let deadline = day(2026, 9, 30);
        // (today, done on, mentors, shows): the report's outcome decides whether it is still to do.
        for (today, done_on, mentors, shows) in [
            (day(2026, 9, 15), None, 3, false),
            (day(2026, 9, 16), None, 3, true),
            (day(2026, 9, 30), None, 3, true),
            (day(2026, 10, 1), None, 3, false),
            (day(2026, 9, 20), Some(day(2026, 9, 18)), 3, false),
            (day(2026, 9, 20), None, 0, false),
        ] {
            let outcome = crate::report::evaluate(today, deadline, mentors, done_on);
            assert_eq!(milestone_shows(deadline, today, outcome), shows, "{today} done={done_on:?} mentors={mentors}");
        }
    }

    #[test]
    fn a_milestone_outside_its_notice_never_shows_whatever_its_outcome() {
        let deadline = day(2026, 9, 30);
        for (today, in_notice) in
            [(day(2026, 9, 15), false), (day(2026, 9, 16), true), (day(2026, 9, 30), true), (day(2026, 10, 1), false)]
        {
            assert_eq!(milestone_in_notice(deadline, today), in_notice, "{today}");
            for done_on in [None, Some(day(2026, 9, 1)), Some(day(2026, 10, 3))] {
                for mentors in [0, 3] {
                    let outcome = crate::report::evaluate(today, deadline, mentors, done_on);
                    assert!(!milestone_shows(deadline, today, outcome) || in_notice, "{today} {done_on:?} {mentors}");
                }
            }
        }
    }

    #[test]
    fn the_agenda_is_ordered_by_due_day_then_kind() {
        let item = |kind, due_on, n: u128| AgendaItem {
            kind,
            due_on,
            href: String::new(),
            resource_id: Uuid::from_u128(n),
            title: String::new(),
        };
        let mut items = vec![
            item(AgendaKind::ProfileNotPublished, day(2026, 10, 2), 1),
            item(AgendaKind::HelpRequest, day(2026, 10, 2), 2),
            item(AgendaKind::HelpRequest, day(2026, 10, 1), 3),
        ];
        sort(&mut items);
        let got: Vec<u128> = items.iter().map(|i| i.resource_id.as_u128()).collect();
        assert_eq!(got, [3, 2, 1]);
        assert!(items[0].overdue(day(2026, 10, 2)) && !items[1].overdue(day(2026, 10, 2)));
    }
}
