//! A mentor's performance figures for one appointment (one academic year): what the college grades
//! the year on, what an award round weighs, what a service certificate prints. The database
//! computes every count; this module holds the plain result, the privacy rule for the means and
//! the mapping to the figures an award round may weigh.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::work::Duty;
use crate::yearend::Figure;

/// Mentees' or attendees' ratings (1–5): how many answered, and the mean where privacy allows it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Ratings {
    /// Every answer counted.
    pub answers: i64,
    /// The mean (two decimals) over the groups of answers that may be shown; `None` when none may.
    pub mean: Option<f64>,
}

/// One group of ratings as the database counts it: a term of mentee feedback, or one activity's
/// feedback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatingGroup {
    /// Whether the group can no longer change (the term is over, the activity's feedback closed).
    pub closed: bool,
    /// Answers in the group.
    pub answers: i64,
    /// The sum of their ratings.
    pub sum: i64,
}

/// The privacy rule of the existing feedback views applied to counted groups: every answer is
/// counted, but the mean covers only groups that are closed and had at least `min_answers`
/// answers each, so no single answer can be told from the figure (a mean that moved with each new
/// answer would give that answer away).
pub fn ratings(groups: &[RatingGroup], min_answers: u64) -> Ratings {
    let answers = groups.iter().map(|g| g.answers).sum();
    let min = i64::try_from(min_answers).unwrap_or(i64::MAX);
    let shown: Vec<&RatingGroup> = groups.iter().filter(|g| g.closed && g.answers >= min && g.answers > 0).collect();
    let n: i64 = shown.iter().map(|g| g.answers).sum();
    let sum: i64 = shown.iter().map(|g| g.sum).sum();
    // Counts of people: far below 2^52, exact as f64.
    let mean = (n > 0).then(|| ((sum as f64 / n as f64) * 100.0).round() / 100.0);
    Ratings { answers, mean }
}

/// The year's figures of one appointment, all computed by the database at `computed_at`. The
/// formula of each is the doc comment of its field (and the API text).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Performance {
    /// The appointment.
    pub appointment_id: Uuid,
    /// Its academic year.
    pub academic_year_id: Uuid,
    /// The mentor's college.
    pub college_id: Uuid,
    /// When the figures were computed (the application clock).
    pub computed_at: DateTime<Utc>,
    /// Distinct mentees paired with the appointment, in any pairing state (ended pairings count).
    pub mentees_paired: i64,
    /// Distinct paired mentees named in at least one work record of the appointment.
    pub mentees_reached: i64,
    /// Work records of the appointment.
    pub work_records: i64,
    /// Work records of an individual kind (every kind but `group_counselling` and `peer_counselling`).
    pub consultations: i64,
    /// Work records of a group kind (`group_counselling`, `peer_counselling`).
    pub group_sessions: i64,
    /// The sum of the minutes of the work records.
    pub minutes: i64,
    /// The distinct duties the work records served, in the duties' order.
    pub duties_covered: Vec<Duty>,
    /// Help requests students made to the appointment, in any state.
    #[serde(default)]
    pub help_requests_received: i64,
    /// Of those, answered (with a note or a work-record entry).
    #[serde(default)]
    pub help_requests_answered: i64,
    /// The median time from asking to the answer over the answered ones, in whole seconds;
    /// `None` when none is answered.
    #[serde(default)]
    pub help_median_answer_seconds: Option<i64>,
    /// Concerns registered under the appointment.
    pub concerns_registered: i64,
    /// Of those, escalated (at any time).
    pub concerns_escalated: i64,
    /// Of those, resolved.
    pub concerns_resolved: i64,
    /// Activities the appointment hosts, cancelled ones left out.
    pub activities_hosted: i64,
    /// Of those, held.
    pub activities_held: i64,
    /// Attendances marked at the held activities it hosts (one per student and activity).
    pub attendance: i64,
    /// Feedback on the held activities it hosts: every answer counted; the mean only over
    /// activities whose feedback has closed with at least 3 answers each.
    pub activity_feedback: Ratings,
    /// Its mentees' feedback: every answer counted; the mean only over terms that are over with
    /// at least 3 answers each.
    pub mentee_feedback: Ratings,
    /// Whether the mentor was introduced to the freshmen by the year's `introduction_deadline`:
    /// the introduction recorded on the appointment on or before it, or an
    /// `orientation_introduction` activity it hosts held starting on or before it.
    pub introduction_met: bool,
    /// Whether a `freshman_salon` it hosts was held starting on or before the year's
    /// `salon_deadline` (Asia/Shanghai days).
    pub salon_met: bool,
    /// Whether training completion is recorded on the appointment.
    pub training_completed: bool,
    /// Held `training` activities of the year the mentor attended.
    pub training_sessions_attended: i64,
    /// Directory inquiries sent to the appointment, spam left out.
    pub inquiries_received: i64,
    /// Of those, answered by the mentor.
    pub inquiries_answered: i64,
}

impl Performance {
    /// The value of a figure an award round may weigh (0 for a figure not computed, and for a mean
    /// privacy keeps hidden).
    pub fn figure(&self, f: Figure) -> f64 {
        // Counts of one year's work: far below 2^52, exact as f64.
        match f {
            Figure::MenteesReached => self.mentees_reached as f64,
            Figure::WorkRecords => self.work_records as f64,
            Figure::Minutes => self.minutes as f64,
            Figure::HelpRequestsAnswered => self.help_requests_answered as f64,
            Figure::ActivitiesHeld => self.activities_held as f64,
            Figure::Attendance => self.attendance as f64,
            Figure::MenteeFeedback => self.mentee_feedback.mean.unwrap_or(0.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(closed: bool, answers: i64, sum: i64) -> RatingGroup {
        RatingGroup { closed, answers, sum }
    }

    #[test]
    fn the_mean_covers_only_closed_groups_with_enough_answers() {
        assert_eq!(ratings(&[], 3), Ratings { answers: 0, mean: None });
        // Two answers: counted, no mean.
        assert_eq!(ratings(&[g(true, 2, 9)], 3), Ratings { answers: 2, mean: None });
        // Three answers in an open group: still no mean.
        assert_eq!(ratings(&[g(false, 3, 12)], 3), Ratings { answers: 3, mean: None });
        // A closed group of three (5, 4, 4) and a small one left out of the mean.
        assert_eq!(ratings(&[g(true, 3, 13), g(true, 1, 1)], 3), Ratings { answers: 4, mean: Some(4.33) });
        assert_eq!(ratings(&[g(true, 3, 13), g(true, 3, 9)], 3), Ratings { answers: 6, mean: Some(3.67) });
    }

    #[test]
    fn every_figure_reads_its_field() {
        let mut p = Performance {
            appointment_id: Uuid::nil(),
            academic_year_id: Uuid::nil(),
            college_id: Uuid::nil(),
            computed_at: DateTime::<Utc>::MIN_UTC,
            mentees_paired: 3,
            mentees_reached: 2,
            work_records: 5,
            consultations: 4,
            group_sessions: 1,
            minutes: 300,
            duties_covered: vec![Duty::Study],
            help_requests_received: 5,
            help_requests_answered: 4,
            help_median_answer_seconds: Some(3600),
            concerns_registered: 1,
            concerns_escalated: 1,
            concerns_resolved: 0,
            activities_hosted: 2,
            activities_held: 1,
            attendance: 7,
            activity_feedback: Ratings::default(),
            mentee_feedback: Ratings { answers: 3, mean: Some(4.5) },
            introduction_met: true,
            salon_met: false,
            training_completed: true,
            training_sessions_attended: 1,
            inquiries_received: 2,
            inquiries_answered: 1,
        };
        let got: Vec<f64> = Figure::ALL.iter().map(|f| p.figure(*f)).collect();
        assert_eq!(got, [2.0, 5.0, 300.0, 4.0, 1.0, 7.0, 4.5]);
        p.mentee_feedback.mean = None;
        assert_eq!(p.figure(Figure::MenteeFeedback), 0.0);
    }
}
