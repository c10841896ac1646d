//! Appointments (校聘): a mentor's term of one academic year in one unit, and how it ends.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::codes::{ConflictCode, DomainEvent};
use crate::error::{Error, Result};
use crate::selection::Nomination;
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

impl Appointment {
    /// 校聘: the term the university gives the student of a recommended `nomination`, for its
    /// year and unit, taking `capacity` mentees. (Whether the nomination may still be appointed
    /// is the nomination's transition and eligibility, checked before.)
    pub fn appoint(
        nomination: &Nomination,
        capacity: i32,
        appointed_by: Option<Uuid>,
        at: DateTime<Utc>,
    ) -> (Appointment, Vec<DomainEvent>) {
        let a = Appointment {
            id: Uuid::now_v7(),
            nomination_id: nomination.id,
            student_id: nomination.student_id,
            academic_year_id: nomination.academic_year_id,
            college_id: nomination.college_id,
            unit_id: nomination.unit_id,
            capacity,
            state: AppointmentState::Active,
            training_completed_on: None,
            training_note: None,
            dismissal_request: None,
            introduction: None,
            contact_for_mentees: None,
            ended_at: None,
            end_reason: None,
            appointed_by,
            version: 1,
            created_at: at,
            updated_at: at,
        };
        (a, vec![DomainEvent::AppointmentMade])
    }

    /// 解聘: the university ends the term early, with a reason. A pending dismissal request is
    /// answered by it.
    pub fn dismiss(&self, reason: String, at: DateTime<Utc>) -> Result<(Appointment, Vec<DomainEvent>)> {
        self.end_early(AppointmentAction::Dismiss, reason, at)
    }

    /// The mentor resigns, with a reason.
    pub fn resign(&self, reason: String, at: DateTime<Utc>) -> Result<(Appointment, Vec<DomainEvent>)> {
        self.end_early(AppointmentAction::Resign, reason, at)
    }

    fn end_early(
        &self,
        action: AppointmentAction,
        reason: String,
        at: DateTime<Utc>,
    ) -> Result<(Appointment, Vec<DomainEvent>)> {
        let mut after = self.clone();
        after.state = self.state.apply(action)?;
        after.ended_at = Some(at);
        after.end_reason = Some(reason);
        after.dismissal_request = None;
        let events = DomainEvent::appointment_entered(after.state).into_iter().collect();
        Ok((after, events))
    }

    /// The term is served in full: the year is being closed.
    pub fn complete(&self, at: DateTime<Utc>) -> Result<(Appointment, Vec<DomainEvent>)> {
        let mut after = self.clone();
        after.state = self.state.apply(AppointmentAction::Complete)?;
        after.ended_at = Some(at);
        after.dismissal_request = None;
        let events = DomainEvent::appointment_entered(after.state).into_iter().collect();
        Ok((after, events))
    }

    /// The mentor's college asks the university to dismiss the mentor; the term goes on.
    pub fn request_dismissal(&self, reason: String, by: Option<Uuid>, at: DateTime<Utc>) -> Result<Appointment> {
        self.state.apply(AppointmentAction::Record)?;
        let mut after = self.clone();
        after.dismissal_request = Some(DismissalRequest { reason, requested_by: by, requested_at: at });
        Ok(after)
    }

    /// A new capacity for a serving mentor: never below the `active_mentees` they have now.
    /// (The range of a capacity is checked where it is parsed.)
    pub fn change_capacity(&self, capacity: i32, active_mentees: u64) -> Result<Appointment> {
        self.state.apply(AppointmentAction::Record)?;
        if u64::try_from(capacity.max(0)).unwrap_or(0) < active_mentees {
            return Err(Error::Conflict {
                code: ConflictCode::CapacityBelowMentees,
                detail: format!("the mentor has {active_mentees} active mentees; capacity cannot drop to {capacity}"),
            });
        }
        let mut after = self.clone();
        after.capacity = capacity;
        Ok(after)
    }
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

    fn serving() -> Appointment {
        let at = Utc::now();
        Appointment {
            id: Uuid::now_v7(),
            nomination_id: Uuid::now_v7(),
            student_id: Uuid::now_v7(),
            academic_year_id: Uuid::now_v7(),
            college_id: Uuid::now_v7(),
            unit_id: Uuid::now_v7(),
            capacity: 3,
            state: AppointmentState::Active,
            training_completed_on: None,
            training_note: None,
            dismissal_request: Some(DismissalRequest { reason: "r".into(), requested_by: None, requested_at: at }),
            introduction: None,
            contact_for_mentees: None,
            ended_at: None,
            end_reason: None,
            appointed_by: None,
            version: 1,
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn dismissal_and_resignation_end_the_term_with_a_reason_and_raise_their_event() {
        let a = serving();
        let at = Utc::now();
        let (d, events) = a.dismiss("未履行学长职责".into(), at).unwrap();
        assert_eq!(d.state, AppointmentState::Dismissed);
        assert_eq!((d.ended_at, d.end_reason.as_deref()), (Some(at), Some("未履行学长职责")));
        assert_eq!(d.dismissal_request, None, "the request is answered");
        assert_eq!(events, [DomainEvent::AppointmentDismissed]);
        let (r, events) = a.resign("出国交流".into(), at).unwrap();
        assert_eq!(r.state, AppointmentState::Resigned);
        assert_eq!(events, [DomainEvent::AppointmentResigned]);
        let (c, events) = a.complete(at).unwrap();
        assert_eq!((c.state, c.end_reason.clone()), (AppointmentState::Completed, None));
        assert_eq!(events, [DomainEvent::AppointmentCompleted]);
        for ended in [d, r, c] {
            assert!(matches!(ended.dismiss("x".into(), at), Err(Error::InvalidTransition { .. })));
            assert!(matches!(ended.resign("x".into(), at), Err(Error::InvalidTransition { .. })));
            assert!(matches!(ended.complete(at), Err(Error::InvalidTransition { .. })));
            assert!(ended.request_dismissal("x".into(), None, at).is_err());
            assert!(ended.change_capacity(5, 0).is_err());
        }
    }

    #[test]
    fn a_dismissal_request_keeps_the_term_going() {
        let a = Appointment { dismissal_request: None, ..serving() };
        let by = Some(Uuid::now_v7());
        let r = a.request_dismissal("缺席活动".into(), by, Utc::now()).unwrap();
        assert_eq!(r.state, AppointmentState::Active);
        assert_eq!(r.dismissal_request.map(|d| (d.reason, d.requested_by)), Some(("缺席活动".into(), by)));
    }

    #[test]
    fn capacity_cannot_drop_below_the_current_mentees() {
        let a = serving();
        assert_eq!(a.change_capacity(2, 2).map(|a| a.capacity), Ok(2));
        assert_eq!(a.change_capacity(5, 2).map(|a| a.capacity), Ok(5));
        assert!(matches!(
            a.change_capacity(1, 2),
            Err(Error::Conflict { code: ConflictCode::CapacityBelowMentees, .. })
        ));
        assert!(a.change_capacity(0, 0).is_ok());
    }

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
