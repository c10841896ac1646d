//! The mentors' club (研究生党员学长俱乐部, rules 四.5): every appointed mentor is a member, derived
//! from their appointments rather than enrolled by hand.
//!
//! - **active** while one of their appointments is active;
//! - **alumni** once no appointment is active and their latest one ended well — completed at the
//!   close of the year, or resigned (they served and stepped down);
//! - **no member** when their latest appointment ended in dismissal (解聘): a dismissed mentor does
//!   not stay in the club, also not as an alumnus of an earlier year. Being appointed again makes
//!   them an active member again (the university trusted them anew).
//!
//! A member may leave. Leaving is recorded (one row per student who stands outside, and the audit
//! log); it holds until they rejoin (`POST /club/members/me`, allowed whenever their appointments
//! would make them a member) or until they are appointed again — an appointment made after they
//! left makes them a member as any appointment does.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::appointment::AppointmentState;
use crate::auth::{Principal, Role};
use crate::error::{Error, Result};
use crate::string_enum;

string_enum! {
    /// Where a member of the club stands.
    pub enum MemberState {
        /// Serving: an appointment of theirs is active.
        Active = "active",
        /// Served: their latest appointment was completed or resigned.
        Alumni = "alumni",
    }
}

/// One appointment of a student, as membership sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    /// Where it stands.
    pub state: AppointmentState,
    /// When it was made.
    pub appointed_at: DateTime<Utc>,
}

/// The membership of a student with `terms` (their appointments, in any order) who left the club
/// at `left_at` (if they did and have not rejoined): `None` when they are no member.
pub fn membership(terms: &[Term], left_at: Option<DateTime<Utc>>) -> Option<MemberState> {
    if let Some(left) = left_at
        && terms.iter().all(|t| t.appointed_at <= left)
    {
        return None;
    }
    if terms.iter().any(|t| t.state == AppointmentState::Active) {
        return Some(MemberState::Active);
    }
    let latest = terms.iter().max_by_key(|t| t.appointed_at)?;
    match latest.state {
        AppointmentState::Dismissed => None,
        _ => Some(MemberState::Alumni),
    }
}

/// Whether the appointment in `state` counts as a year served (every state but dismissed).
pub fn served(state: AppointmentState) -> bool {
    state != AppointmentState::Dismissed
}

/// The student record of the caller, who must be a student to be a member (or to leave or rejoin
/// the club); `Forbidden` for anyone else.
pub fn own_student(p: &Principal) -> Result<Uuid> {
    match p {
        Principal::User(u) if u.role == Role::Student => {
            u.student_id.ok_or_else(|| Error::Forbidden("your account has no student record".into()))
        }
        _ => Err(Error::Forbidden("only students are members of the mentors' club".into())),
    }
}

/// Who reads the list of members: any signed-in user (names, colleges, units, years and awards
/// only); a service client does not.
pub fn may_list(p: &Principal) -> Result<()> {
    match p {
        Principal::User(_) => Ok(()),
        Principal::Client(_) => Err(Error::Forbidden("service clients do not read the club's members".into())),
    }
}

/// What leaving needs: a member. `NotFound` (of the membership) for anyone who is none.
pub fn check_leave(state: Option<MemberState>) -> Result<MemberState> {
    state.ok_or(Error::NotFound { resource: "club_member" })
}

/// What rejoining needs: appointments that make the student a member once their leaving is set
/// aside (`Forbidden` otherwise: never appointed, or dismissed last).
pub fn check_rejoin(terms: &[Term]) -> Result<MemberState> {
    membership(terms, None).ok_or_else(|| {
        Error::Forbidden(
            "only appointed mentors are members: you hold no appointment, or your last one ended in dismissal".into(),
        )
    })
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 9, day, 8, 0, 0).single().unwrap_or_default()
    }

    fn term(state: AppointmentState, day: u32) -> Term {
        Term { state, appointed_at: at(day) }
    }

    #[test]
    fn membership_follows_the_appointments() {
        use AppointmentState as S;
        assert_eq!(membership(&[], None), None, "never appointed");
        assert_eq!(membership(&[term(S::Active, 1)], None), Some(MemberState::Active));
        assert_eq!(membership(&[term(S::Completed, 1)], None), Some(MemberState::Alumni));
        assert_eq!(membership(&[term(S::Resigned, 1)], None), Some(MemberState::Alumni));
        assert_eq!(membership(&[term(S::Dismissed, 1)], None), None, "dismissed: no member");
        // A dismissal after a completed year ends membership; an appointment after it restores it.
        assert_eq!(membership(&[term(S::Completed, 1), term(S::Dismissed, 2)], None), None);
        assert_eq!(
            membership(&[term(S::Dismissed, 1), term(S::Completed, 2)], None),
            Some(MemberState::Alumni),
            "served out a later term"
        );
        assert_eq!(
            membership(&[term(S::Dismissed, 2), term(S::Active, 3), term(S::Completed, 1)], None),
            Some(MemberState::Active)
        );
    }

    #[test]
    fn leaving_holds_until_a_later_appointment() {
        use AppointmentState as S;
        let left = Some(at(5));
        assert_eq!(membership(&[term(S::Active, 1)], left), None, "left while serving");
        assert_eq!(membership(&[term(S::Completed, 1)], left), None, "left as an alumnus");
        assert_eq!(membership(&[term(S::Completed, 1), term(S::Active, 6)], left), Some(MemberState::Active));
        assert_eq!(membership(&[term(S::Active, 5)], left), None, "appointed the same instant is not after");
        assert_eq!(
            membership(&[term(S::Active, 1)], Some(at(1) - Duration::seconds(1))),
            Some(MemberState::Active),
            "left before the appointment: a member"
        );
    }

    #[test]
    fn leaving_needs_a_member_and_rejoining_needs_the_appointments() {
        use AppointmentState as S;
        assert_eq!(check_leave(Some(MemberState::Alumni)), Ok(MemberState::Alumni));
        assert_eq!(check_leave(None), Err(Error::NotFound { resource: "club_member" }));
        assert_eq!(check_rejoin(&[term(S::Completed, 1)]), Ok(MemberState::Alumni));
        assert!(matches!(check_rejoin(&[]), Err(Error::Forbidden(_))));
        assert!(matches!(check_rejoin(&[term(S::Dismissed, 1)]), Err(Error::Forbidden(_))));
        assert!(served(S::Resigned) && served(S::Active) && !served(S::Dismissed));
    }

    #[test]
    fn only_students_are_members_and_only_people_read_the_list() {
        use crate::auth::{ClientPrincipal, UserPrincipal};
        let student = Uuid::now_v7();
        let user = |role: Role, student_id: Option<Uuid>| {
            Principal::User(UserPrincipal { id: Uuid::now_v7(), role, college_id: None, staff_id: None, student_id })
        };
        assert_eq!(own_student(&user(Role::Student, Some(student))), Ok(student));
        assert!(own_student(&user(Role::Student, None)).is_err());
        assert!(own_student(&user(Role::UniversityAdmin, None)).is_err());
        assert!(may_list(&user(Role::Supervisor, None)).is_ok());
        let client = Principal::Client(ClientPrincipal { id: Uuid::now_v7(), scopes: vec![] });
        assert!(may_list(&client).is_err());
        assert!(own_student(&client).is_err());
    }
}
