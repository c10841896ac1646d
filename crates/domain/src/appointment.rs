//! Appointments (校聘): a mentor's term of one academic year in one unit, and how it ends.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::string_enum;

string_enum! {
    /// Where an appointment stands.
    pub enum AppointmentState {
        /// Serving.
        Active = "active",
        /// Served the full term (the year was closed).
        Completed = "completed",
        /// Dismissed (解聘).
        Dismissed = "dismissed",
        /// Resigned.
        Resigned = "resigned",
    }
}

string_enum! {
    /// What can be done to an appointment.
    pub enum AppointmentAction {
        /// Close the term at the end of the year.
        Complete = "complete",
        /// Dismiss (解聘).
        Dismiss = "dismiss",
        /// Resign.
        Resign = "resign",
        /// Record training, a commendation, a dismissal request or a capacity change.
        Record = "record",
    }
}

impl AppointmentState {
    /// The state after `action`, or `InvalidTransition`. Only an active appointment changes.
    pub fn apply(self, action: AppointmentAction) -> Result<AppointmentState> {
        use AppointmentAction as A;
        use AppointmentState as S;
        match (self, action) {
            (S::Active, A::Complete) => Ok(S::Completed),
            (S::Active, A::Dismiss) => Ok(S::Dismissed),
            (S::Active, A::Resign) => Ok(S::Resigned),
            (S::Active, A::Record) => Ok(S::Active),
            _ => Err(Error::InvalidTransition { from: self.to_string(), action: action.to_string() }),
        }
    }
}

/// A pending request from a college to dismiss its mentor; the university decides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DismissalRequest {
    /// Why.
    pub reason: String,
    /// Who asked.
    pub requested_by: Option<Uuid>,
    /// When.
    pub requested_at: DateTime<Utc>,
}

string_enum! {
    /// Where the mentor was introduced to the freshmen (三(一)1).
    pub enum IntroductionChannel {
        /// At the opening ceremony or a teacher–student meeting (开学典礼、师生见面会).
        Meeting = "meeting",
        /// Joined the freshmen's QQ group.
        Qq = "qq",
        /// Joined the freshmen's WeChat group.
        Wechat = "wechat",
        /// Anything else.
        Other = "other",
    }
}

/// The orientation milestone: when and where the mentor was introduced to the freshmen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Introduction {
    /// When.
    pub introduced_on: NaiveDate,
    /// Where.
    pub channel: IntroductionChannel,
    /// E.g. the group's name.
    pub note: Option<String>,
}

/// A mentor's appointment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appointment {
    /// Id.
    pub id: Uuid,
    /// The nomination it came from.
    pub nomination_id: Uuid,
    /// The mentor (a student).
    pub student_id: Uuid,
    /// The term.
    pub academic_year_id: Uuid,
    /// The college.
    pub college_id: Uuid,
    /// The unit the mentor serves.
    pub unit_id: Uuid,
    /// How many mentees the mentor takes.
    pub capacity: i32,
    /// State.
    pub state: AppointmentState,
    /// When the training was completed.
    pub training_completed_on: Option<NaiveDate>,
    /// A note on the training.
    pub training_note: Option<String>,
    /// A college's pending request to dismiss.
    pub dismissal_request: Option<DismissalRequest>,
    /// The orientation introduction, once recorded.
    pub introduction: Option<Introduction>,
    /// The contact details the mentor shares with their mentees (WeChat, QQ, phone…).
    pub contact_for_mentees: Option<String>,
    /// When it ended.
    pub ended_at: Option<DateTime<Utc>>,
    /// Why it ended (dismissal or resignation reason).
    pub end_reason: Option<String>,
    /// Who appointed.
    pub appointed_by: Option<Uuid>,
    /// Optimistic-concurrency version.
    pub version: i32,
    /// Created (appointed).
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// A commendation (表彰) recorded on an appointment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commendation {
    /// Id.
    pub id: Uuid,
    /// The appointment.
    pub appointment_id: Uuid,
    /// Title, e.g. `优秀研究生党员学长`.
    pub title: String,
    /// Why.
    pub reason: String,
    /// When.
    pub awarded_on: NaiveDate,
    /// Who recorded it.
    pub created_by: Option<Uuid>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_active_appointment_changes_and_every_other_pair_is_invalid() {
        use AppointmentAction as A;
        use AppointmentState as S;
        let allowed = [
            (S::Active, A::Complete, S::Completed),
            (S::Active, A::Dismiss, S::Dismissed),
            (S::Active, A::Resign, S::Resigned),
            (S::Active, A::Record, S::Active),
        ];
        for state in S::ALL {
            for action in A::ALL {
                let expected = allowed.iter().find(|(s, a, _)| s == state && a == action).map(|(_, _, n)| *n);
                match (state.apply(*action), expected) {
                    (Ok(next), Some(n)) => assert_eq!(next, n),
                    (Err(Error::InvalidTransition { from, action: a }), None) => {
                        assert_eq!(from, state.as_str());
                        assert_eq!(a, action.as_str());
                    }
                    (got, want) => panic!("{state} --{action}--> gave {got:?}, expected {want:?}"),
                }
            }
        }
    }
}
