//! Authorisation rules: who may see and change what. Every use case asks here, on the object,
//! not just on the route. A caller who may not know an object exists gets `NotFound`, one who
//! may see it but not change it gets `Forbidden`.

use uuid::Uuid;

use crate::auth::{Principal, Role, ServiceScope, UserPrincipal};
use crate::error::{Error, Result};
use crate::pairing::{EndReason, Pairing};

/// Which rows of a college-owned table a caller may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Every row.
    All,
    /// Rows of one college.
    College(Uuid),
    /// Rows linked to one supervisor (a staff id).
    Supervisor(Uuid),
    /// The one row of a student themself.
    Student(Uuid),
    /// The one row of a staff member themself.
    StaffSelf(Uuid),
}

fn forbidden(what: &str) -> Error {
    Error::Forbidden(format!("you may not {what}"))
}

/// A service client lacks `scope` (403 with RFC 6750's `insufficient_scope` challenge naming it).
pub fn missing_scope(scope: ServiceScope) -> Error {
    Error::InsufficientScope { scope: scope.as_str().to_owned() }
}

fn user(p: &Principal) -> Option<&UserPrincipal> {
    match p {
        Principal::User(u) => Some(u),
        Principal::Client(_) => None,
    }
}

/// Academic years, colleges and units are reference data every user may read; a service
/// client needs `reference:read`.
pub fn read_reference(p: &Principal) -> Result<()> {
    match p {
        Principal::User(_) => Ok(()),
        Principal::Client(_) if p.has_scope(ServiceScope::ReferenceRead) => Ok(()),
        Principal::Client(_) => Err(missing_scope(ServiceScope::ReferenceRead)),
    }
}

/// Academic years and colleges are managed by the university only.
pub fn manage_university_reference(p: &Principal) -> Result<()> {
    if p.is_university_admin() { Ok(()) } else { Err(forbidden("manage academic years or colleges")) }
}

/// Units are managed by the university, or by the admin of the unit's college.
pub fn manage_unit(p: &Principal, college_id: Uuid) -> Result<()> {
    match user(p) {
        Some(u) if u.role == Role::UniversityAdmin => Ok(()),
        Some(u) if u.role == Role::CollegeAdmin && u.college_id == Some(college_id) => Ok(()),
        _ => Err(forbidden("manage units of this college")),
    }
}

/// The students a caller may see.
pub fn student_visibility(p: &Principal) -> Result<Visibility> {
    match p {
        Principal::Client(_) if p.has_scope(ServiceScope::StudentsRead) => Ok(Visibility::All),
        Principal::Client(_) => Err(missing_scope(ServiceScope::StudentsRead)),
        Principal::User(u) => match (u.role, u.college_id, u.staff_id, u.student_id) {
            (Role::UniversityAdmin, ..) => Ok(Visibility::All),
            (Role::CollegeAdmin | Role::Counselor, Some(college), ..) => Ok(Visibility::College(college)),
            (Role::Supervisor, _, Some(staff), _) => Ok(Visibility::Supervisor(staff)),
            (Role::Student, .., Some(student)) => Ok(Visibility::Student(student)),
            _ => Err(forbidden("read students")),
        },
    }
}

/// Whether `v` lets a caller see a student of `college_id`, with `id`, supervised by `supervisor_id`.
pub fn sees_student(v: Visibility, id: Uuid, college_id: Uuid, supervisor_id: Option<Uuid>) -> bool {
    match v {
        Visibility::All => true,
        Visibility::College(c) => c == college_id,
        Visibility::Supervisor(s) => supervisor_id == Some(s),
        Visibility::Student(s) => s == id,
        Visibility::StaffSelf(_) => false,
    }
}

/// Students are created and changed by the university, the admin of their college, or a service
/// client with `students:write`.
pub fn manage_student(p: &Principal, college_id: Uuid) -> Result<()> {
    match p {
        Principal::Client(_) if p.has_scope(ServiceScope::StudentsWrite) => Ok(()),
        Principal::Client(_) => Err(missing_scope(ServiceScope::StudentsWrite)),
        Principal::User(u) if u.role == Role::UniversityAdmin => Ok(()),
        Principal::User(u) if u.role == Role::CollegeAdmin && u.college_id == Some(college_id) => Ok(()),
        _ => Err(forbidden("change students of this college")),
    }
}

/// The staff records a caller may see.
pub fn staff_visibility(p: &Principal) -> Result<Visibility> {
    match p {
        Principal::Client(_) if p.has_scope(ServiceScope::StaffRead) => Ok(Visibility::All),
        Principal::Client(_) => Err(missing_scope(ServiceScope::StaffRead)),
        Principal::User(u) => match (u.role, u.college_id, u.staff_id) {
            (Role::UniversityAdmin, ..) => Ok(Visibility::All),
            (Role::CollegeAdmin | Role::Counselor, Some(college), _) => Ok(Visibility::College(college)),
            (Role::Supervisor, _, Some(staff)) => Ok(Visibility::StaffSelf(staff)),
            _ => Err(forbidden("read staff records")),
        },
    }
}

/// Whether `v` lets a caller see the staff record `id` of `college_id`.
pub fn sees_staff(v: Visibility, id: Uuid, college_id: Uuid) -> bool {
    match v {
        Visibility::All => true,
        Visibility::College(c) => c == college_id,
        Visibility::StaffSelf(s) => s == id,
        Visibility::Supervisor(_) | Visibility::Student(_) => false,
    }
}

/// Staff are created and changed by the university, the admin of their college, or a service
/// client with `staff:write`.
pub fn manage_staff(p: &Principal, college_id: Uuid) -> Result<()> {
    match p {
        Principal::Client(_) if p.has_scope(ServiceScope::StaffWrite) => Ok(()),
        Principal::Client(_) => Err(missing_scope(ServiceScope::StaffWrite)),
        Principal::User(u) if u.role == Role::UniversityAdmin => Ok(()),
        Principal::User(u) if u.role == Role::CollegeAdmin && u.college_id == Some(college_id) => Ok(()),
        _ => Err(forbidden("change staff of this college")),
    }
}

/// The user accounts a caller may see: all for a university admin, their college's for a
/// college admin, none for anyone else (who use `/me`).
pub fn user_visibility(p: &Principal) -> Result<Visibility> {
    match user(p) {
        Some(u) if u.role == Role::UniversityAdmin => Ok(Visibility::All),
        Some(UserPrincipal { role: Role::CollegeAdmin, college_id: Some(c), .. }) => Ok(Visibility::College(*c)),
        _ => Err(forbidden("manage user accounts")),
    }
}

/// Whether `v` lets a caller see a user account of `college_id`.
pub fn sees_user(v: Visibility, college_id: Option<Uuid>) -> bool {
    match v {
        Visibility::All => true,
        Visibility::College(c) => college_id == Some(c),
        _ => false,
    }
}

/// Whether the caller may give an account `role` in `college_id`. A university admin may grant
/// any role; a college admin only counselor, supervisor and student, in their own college. No one
/// grants a role they do not outrank, so no one can raise anyone to their own level or above.
pub fn grant_role(p: &Principal, role: Role, college_id: Option<Uuid>) -> Result<()> {
    let Some(u) = user(p) else { return Err(forbidden("manage user accounts")) };
    match u.role {
        Role::UniversityAdmin => Ok(()),
        Role::CollegeAdmin if u.role.outranks(role) && college_id.is_some() && college_id == u.college_id => Ok(()),
        Role::CollegeAdmin => Err(forbidden(&format!(
            "grant the role {role} outside your own college's counselors, supervisors and students"
        ))),
        _ => Err(forbidden("manage user accounts")),
    }
}

/// No one changes their own role, college or active flag: that would let an account raise itself
/// or lock out the last admin.
pub fn change_own_account(p: &Principal, target: Uuid, changes_privileges: bool) -> Result<()> {
    match user(p) {
        Some(u) if u.id == target && changes_privileges => {
            Err(forbidden("change your own role, college or active flag"))
        }
        _ => Ok(()),
    }
}

/// Service clients and the audit log are for university admins only.
pub fn university_admin_only(p: &Principal, what: &str) -> Result<()> {
    if p.is_university_admin() { Ok(()) } else { Err(forbidden(what)) }
}

/// The nominations and appointments a caller may see: a university admin all, a college admin or
/// counselor their college's, a supervisor their students', a student their own.
pub fn selection_visibility(p: &Principal) -> Result<Visibility> {
    match user(p) {
        Some(u) => match (u.role, u.college_id, u.staff_id, u.student_id) {
            (Role::UniversityAdmin, ..) => Ok(Visibility::All),
            (Role::CollegeAdmin | Role::Counselor, Some(c), ..) => Ok(Visibility::College(c)),
            (Role::Supervisor, _, Some(s), _) => Ok(Visibility::Supervisor(s)),
            (Role::Student, .., Some(s)) => Ok(Visibility::Student(s)),
            _ => Err(forbidden("see nominations or appointments")),
        },
        None => Err(forbidden("see nominations or appointments (service clients read the change feed)")),
    }
}

/// Whether the caller, by their account alone, may start a nomination for `student_id` of
/// `college_id`: a college's admin (or the university) nominates; a student applies for themself.
pub fn nominate(p: &Principal, college_id: Uuid, student_id: Uuid) -> Result<crate::selection::NominationSource> {
    use crate::selection::NominationSource;
    match user(p) {
        Some(u) if u.role == Role::UniversityAdmin => Ok(NominationSource::College),
        Some(u) if u.role == Role::CollegeAdmin && u.college_id == Some(college_id) => Ok(NominationSource::College),
        Some(u) if u.role == Role::Student && u.student_id == Some(student_id) => Ok(NominationSource::SelfApplication),
        _ => Err(forbidden("nominate this student")),
    }
}

/// Whether the caller handles a college's nominations (review, recommend, reject): its admin or
/// the university.
pub fn handle_nominations(p: &Principal, college_id: Uuid) -> Result<()> {
    match user(p) {
        Some(u) if u.role == Role::UniversityAdmin => Ok(()),
        Some(u) if u.role == Role::CollegeAdmin && u.college_id == Some(college_id) => Ok(()),
        _ => Err(forbidden("handle this college's nominations")),
    }
}

/// Whether the caller may edit or withdraw a nomination: its college's admin, the university, or
/// the student themself for their own self-application (editing only while a draft).
pub fn own_or_handle_nomination(p: &Principal, college_id: Uuid, student_id: Uuid) -> Result<()> {
    match user(p) {
        Some(u) if u.role == Role::Student && u.student_id == Some(student_id) => Ok(()),
        _ => handle_nominations(p, college_id),
    }
}

/// Whether the caller may edit or hand in a nomination: its college's admin or the university;
/// the student only for their own self-application (a nomination the college wrote is the
/// college's to word and submit, though the student may still withdraw it).
pub fn edit_nomination(
    p: &Principal,
    college_id: Uuid,
    student_id: Uuid,
    source: crate::selection::NominationSource,
) -> Result<()> {
    match user(p) {
        Some(u) if u.role == Role::Student && u.student_id == Some(student_id) => {
            if source == crate::selection::NominationSource::SelfApplication {
                Ok(())
            } else {
                Err(forbidden("edit or hand in a nomination your college wrote"))
            }
        }
        _ => handle_nominations(p, college_id),
    }
}

/// Appointing, training, commending and dismissing are the university's (研究生院、研工部).
pub fn appoint(p: &Principal) -> Result<()> {
    university_admin_only(p, "appoint, train, commend or dismiss mentors")
}

/// What a caller's dismissal of a mentor does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DismissalPower {
    /// The university dismisses at once.
    Decide,
    /// The mentor's college only files a request, which the university then decides.
    Request,
}

/// Whether the caller may carry out (university admin) or ask for (college admin of the mentor's
/// college) a dismissal of a mentor of `college_id`.
pub fn dismissal_power(p: &Principal, college_id: Uuid) -> Result<DismissalPower> {
    match user(p) {
        Some(u) if u.role == Role::UniversityAdmin => Ok(DismissalPower::Decide),
        Some(u) if u.role == Role::CollegeAdmin && u.college_id == Some(college_id) => Ok(DismissalPower::Request),
        _ => Err(forbidden("dismiss this mentor")),
    }
}

/// Who may run a bulk import, and into which colleges: university admins and service clients with
/// the `import` scope into every college, a college admin into their own college only.
pub fn import(p: &Principal) -> Result<Visibility> {
    match p {
        Principal::Client(_) if p.has_scope(ServiceScope::Import) => Ok(Visibility::All),
        Principal::Client(_) => Err(missing_scope(ServiceScope::Import)),
        Principal::User(u) => match (u.role, u.college_id) {
            (Role::UniversityAdmin, _) => Ok(Visibility::All),
            (Role::CollegeAdmin, Some(c)) => Ok(Visibility::College(c)),
            _ => Err(forbidden("run imports")),
        },
    }
}

/// Which import records the caller reads: a university admin (or a service client that may
/// import) every one, a college admin their college's; nobody else any.
pub fn import_records(p: &Principal) -> Result<Visibility> {
    match p {
        Principal::Client(_) if p.has_scope(ServiceScope::Import) => Ok(Visibility::All),
        Principal::Client(_) => Err(missing_scope(ServiceScope::Import)),
        Principal::User(u) => match (u.role, u.college_id) {
            (Role::UniversityAdmin, _) => Ok(Visibility::All),
            (Role::CollegeAdmin, Some(c)) => Ok(Visibility::College(c)),
            _ => Err(forbidden("read import records")),
        },
    }
}

/// Whether a college-scoped import may write a record of `college_id`.
pub fn imports_into(scope: Visibility, college_id: Uuid) -> bool {
    match scope {
        Visibility::All => true,
        Visibility::College(c) => c == college_id,
        Visibility::Supervisor(_) | Visibility::Student(_) | Visibility::StaffSelf(_) => false,
    }
}

/// Exports show exactly what the matching list shows the caller. A service client also needs the
/// `export` scope (on top of the read scope the list needs, e.g. `students:read`).
pub fn export(p: &Principal) -> Result<()> {
    match p {
        Principal::Client(_) if !p.has_scope(ServiceScope::Export) => Err(missing_scope(ServiceScope::Export)),
        _ => Ok(()),
    }
}

/// Whether the caller may resign an appointment: the mentor themself or the university.
pub fn resign(p: &Principal, mentor_student_id: Uuid) -> Result<()> {
    match user(p) {
        Some(u) if u.role == Role::UniversityAdmin => Ok(()),
        Some(u) if u.student_id == Some(mentor_student_id) => Ok(()),
        _ => Err(forbidden("resign this appointment")),
    }
}

/// Pairings are made and ended by the university or the admin of the college.
pub fn manage_pairings(p: &Principal, college_id: Uuid) -> Result<()> {
    handle_nominations(p, college_id).map_err(|_| forbidden("pair mentors and mentees of this college"))
}

/// Who may end a pairing: the college (or the university) any of its pairings, for any reason;
/// the mentor or the mentee their own, but only `by request`.
pub fn end_pairing(p: &Principal, pairing: &Pairing, reason: EndReason) -> Result<()> {
    let involved = is_student(p, pairing.mentor_id) || is_student(p, pairing.mentee_id);
    if involved && reason == EndReason::Request {
        return Ok(());
    }
    manage_pairings(p, pairing.college_id)
}

/// The pairings a caller may see: all (university), their college's (college admin, counselor),
/// their students' (supervisor), their own as mentor or mentee (student).
pub fn pairing_visibility(p: &Principal) -> Result<Visibility> {
    selection_visibility(p).map_err(|_| forbidden("see pairings"))
}

/// Whether the caller may write a mentor's public profile: the mentor themself, the admin of the
/// college (to help or to take an unsuitable one down), or the university.
pub fn edit_profile(p: &Principal, mentor_student_id: Uuid, college_id: Uuid) -> Result<()> {
    if is_student(p, mentor_student_id) {
        return Ok(());
    }
    handle_nominations(p, college_id).map_err(|_| forbidden("edit this mentor's public profile"))
}

/// The mentor directory (公示) is public; signed in, every user of the university browses every
/// college's mentors (a service client with `reference:read` too).
pub fn browse_mentors(p: &Principal) -> Result<()> {
    read_reference(p)
}

/// The student record of a caller who asks for their own mentor: only a student has one.
pub fn own_student(p: &Principal) -> Result<Uuid> {
    match user(p) {
        Some(u) if u.role == Role::Student => {
            u.student_id.ok_or_else(|| forbidden("have a mentor without a student record"))
        }
        _ => Err(forbidden("have a mentor: only students are paired with one")),
    }
}

/// Any user of the university may ask a listed mentor, signed in; a service client may not.
pub fn send_inquiry(p: &Principal) -> Result<Uuid> {
    match user(p) {
        Some(u) => Ok(u.id),
        None => Err(forbidden("send or read inquiries: only people do")),
    }
}

/// Whether the caller is the student `student_id` (e.g. the mentor of an appointment).
pub fn is_student(p: &Principal, student_id: Uuid) -> bool {
    matches!(user(p), Some(u) if u.role == Role::Student && u.student_id == Some(student_id))
}

/// Who grades the year of a mentor of `college_id` (考核): a university admin (whose grade is
/// confirmed at once) or that college's admin; nobody else.
pub fn assessment_grader(p: &Principal, college_id: Uuid) -> Result<crate::yearend::Grader> {
    use crate::yearend::Grader;
    match user(p) {
        Some(u) if u.role == Role::UniversityAdmin => Ok(Grader::University),
        Some(u) if u.role == Role::CollegeAdmin && u.college_id == Some(college_id) => Ok(Grader::College),
        _ => Err(forbidden("grade this mentor's year")),
    }
}

/// Whether the caller administers `college_id` (its admin or counselor, or the university).
pub fn administers(p: &Principal, college_id: Uuid) -> bool {
    match user(p) {
        Some(u) if u.role == Role::UniversityAdmin => true,
        Some(u) if matches!(u.role, Role::CollegeAdmin | Role::Counselor) => u.college_id == Some(college_id),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::ClientPrincipal;

    fn user_p(role: Role, college: Option<Uuid>) -> Principal {
        Principal::User(UserPrincipal {
            id: Uuid::now_v7(),
            role,
            college_id: college,
            student_id: None,
            staff_id: None,
        })
    }

    #[test]
    fn import_records_are_read_by_the_university_all_and_by_a_college_admin_their_own() {
        let cs = Uuid::now_v7();
        assert_eq!(import_records(&user_p(Role::UniversityAdmin, None)), Ok(Visibility::All));
        assert_eq!(import_records(&user_p(Role::CollegeAdmin, Some(cs))), Ok(Visibility::College(cs)));
        for p in [
            user_p(Role::CollegeAdmin, None),
            user_p(Role::Counselor, Some(cs)),
            user_p(Role::Supervisor, Some(cs)),
            user_p(Role::Student, Some(cs)),
        ] {
            assert!(matches!(import_records(&p), Err(Error::Forbidden(_))), "{p:?}");
        }
    }

    #[test]
    fn the_university_and_the_mentors_college_admin_grade_the_year_nobody_else() {
        use crate::yearend::Grader;
        let (cs, ee) = (Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(assessment_grader(&user_p(Role::UniversityAdmin, None), cs).ok(), Some(Grader::University));
        assert_eq!(assessment_grader(&user_p(Role::CollegeAdmin, Some(cs)), cs).ok(), Some(Grader::College));
        for p in [
            user_p(Role::CollegeAdmin, Some(ee)),
            user_p(Role::Counselor, Some(cs)),
            user_p(Role::Student, Some(cs)),
            user_p(Role::Supervisor, Some(cs)),
        ] {
            assert!(matches!(assessment_grader(&p, cs), Err(Error::Forbidden(_))), "{p:?}");
        }
    }

    #[test]
    fn the_mentor_or_mentee_ends_their_pairing_only_by_request_the_college_any() {
        use crate::pairing::{EndReason, Pairing, PairingSource, PairingState};
        let (college, mentor, mentee) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let at = chrono::Utc::now();
        let p = Pairing {
            id: Uuid::now_v7(),
            appointment_id: Uuid::now_v7(),
            mentor_id: mentor,
            mentee_id: mentee,
            academic_year_id: Uuid::now_v7(),
            college_id: college,
            cross_unit: false,
            source: PairingSource::Manual,
            state: PairingState::Active,
            created_by: None,
            ended_at: None,
            end_reason: None,
            end_note: None,
            version: 1,
            created_at: at,
            updated_at: at,
        };
        let student = |id: Uuid| {
            Principal::User(UserPrincipal {
                id: Uuid::now_v7(),
                role: Role::Student,
                college_id: Some(college),
                student_id: Some(id),
                staff_id: None,
            })
        };
        for who in [student(mentor), student(mentee)] {
            assert_eq!(end_pairing(&who, &p, EndReason::Request), Ok(()));
            for reason in EndReason::ALL.iter().filter(|r| **r != EndReason::Request) {
                assert!(end_pairing(&who, &p, *reason).is_err(), "{reason}");
            }
        }
        assert!(end_pairing(&student(Uuid::now_v7()), &p, EndReason::Request).is_err(), "another student");
        for reason in EndReason::ALL {
            assert_eq!(end_pairing(&user_p(Role::CollegeAdmin, Some(college)), &p, *reason), Ok(()));
            assert_eq!(end_pairing(&user_p(Role::UniversityAdmin, None), &p, *reason), Ok(()));
            assert!(end_pairing(&user_p(Role::CollegeAdmin, Some(Uuid::now_v7())), &p, *reason).is_err());
        }
    }

    fn client(scopes: &[ServiceScope]) -> Principal {
        Principal::Client(ClientPrincipal { id: Uuid::now_v7(), scopes: scopes.to_vec() })
    }

    #[test]
    fn every_user_browses_the_directory_and_only_a_student_has_a_mentor() {
        for role in Role::ALL {
            assert!(browse_mentors(&user_p(*role, None)).is_ok(), "{role}");
        }
        assert!(browse_mentors(&client(&[ServiceScope::ReferenceRead])).is_ok());
        assert!(browse_mentors(&client(&[])).is_err());
        let me = Uuid::now_v7();
        let student = Principal::User(UserPrincipal {
            id: Uuid::now_v7(),
            role: Role::Student,
            college_id: None,
            student_id: Some(me),
            staff_id: None,
        });
        assert_eq!(own_student(&student).ok(), Some(me));
        assert!(own_student(&user_p(Role::Student, None)).is_err());
        assert!(own_student(&user_p(Role::CollegeAdmin, Some(me))).is_err());
        assert!(own_student(&client(&[ServiceScope::ReferenceRead])).is_err());
    }

    #[test]
    fn a_college_admin_sees_only_their_college_students() {
        let c1 = Uuid::now_v7();
        let c2 = Uuid::now_v7();
        let v = student_visibility(&user_p(Role::CollegeAdmin, Some(c1))).unwrap();
        assert!(sees_student(v, Uuid::now_v7(), c1, None));
        assert!(!sees_student(v, Uuid::now_v7(), c2, None));
        assert!(manage_student(&user_p(Role::CollegeAdmin, Some(c1)), c1).is_ok());
        assert!(manage_student(&user_p(Role::CollegeAdmin, Some(c1)), c2).is_err());
        assert!(manage_student(&user_p(Role::Counselor, Some(c1)), c1).is_err());
    }

    #[test]
    fn students_see_themselves_and_supervisors_their_students() {
        let me = Uuid::now_v7();
        let p = Principal::User(UserPrincipal {
            id: Uuid::now_v7(),
            role: Role::Student,
            college_id: None,
            student_id: Some(me),
            staff_id: None,
        });
        let v = student_visibility(&p).unwrap();
        assert!(sees_student(v, me, Uuid::now_v7(), None));
        assert!(!sees_student(v, Uuid::now_v7(), Uuid::now_v7(), None));

        let staff = Uuid::now_v7();
        let sup = Principal::User(UserPrincipal {
            id: Uuid::now_v7(),
            role: Role::Supervisor,
            college_id: None,
            student_id: None,
            staff_id: Some(staff),
        });
        let v = student_visibility(&sup).unwrap();
        assert!(sees_student(v, Uuid::now_v7(), Uuid::now_v7(), Some(staff)));
        assert!(!sees_student(v, Uuid::now_v7(), Uuid::now_v7(), None));
        // A student account with no student record sees nothing at all.
        assert!(student_visibility(&user_p(Role::Student, None)).is_err());
    }

    #[test]
    fn service_clients_need_the_matching_scope() {
        assert!(read_reference(&client(&[])).is_err());
        assert!(read_reference(&client(&[ServiceScope::ReferenceRead])).is_ok());
        assert_eq!(student_visibility(&client(&[ServiceScope::StudentsRead])), Ok(Visibility::All));
        assert!(student_visibility(&client(&[ServiceScope::StudentsWrite])).is_err());
        assert!(manage_student(&client(&[ServiceScope::StudentsRead]), Uuid::now_v7()).is_err());
        assert!(manage_student(&client(&[ServiceScope::StudentsWrite]), Uuid::now_v7()).is_ok());
        assert!(manage_university_reference(&client(ServiceScope::ALL)).is_err());
    }

    #[test]
    fn role_grants_follow_rank_and_college() {
        let c1 = Uuid::now_v7();
        let admin = user_p(Role::UniversityAdmin, None);
        let college_admin = user_p(Role::CollegeAdmin, Some(c1));
        for role in Role::ALL {
            assert!(grant_role(&admin, *role, Some(c1)).is_ok());
        }
        assert!(grant_role(&college_admin, Role::Counselor, Some(c1)).is_ok());
        assert!(grant_role(&college_admin, Role::Student, Some(c1)).is_ok());
        assert!(grant_role(&college_admin, Role::CollegeAdmin, Some(c1)).is_err());
        assert!(grant_role(&college_admin, Role::UniversityAdmin, None).is_err());
        assert!(grant_role(&college_admin, Role::Counselor, Some(Uuid::now_v7())).is_err());
        assert!(grant_role(&college_admin, Role::Student, None).is_err());
        assert!(grant_role(&user_p(Role::Counselor, Some(c1)), Role::Student, Some(c1)).is_err());
        assert!(grant_role(&client(ServiceScope::ALL), Role::Student, Some(c1)).is_err());
    }

    #[test]
    fn no_one_changes_their_own_privileges() {
        let admin = user_p(Role::UniversityAdmin, None);
        let Principal::User(u) = &admin else { unreachable!() };
        assert!(change_own_account(&admin, u.id, true).is_err());
        assert!(change_own_account(&admin, u.id, false).is_ok());
        assert!(change_own_account(&admin, Uuid::now_v7(), true).is_ok());
    }

    #[test]
    fn units_are_managed_by_their_college_admin_or_the_university() {
        let c1 = Uuid::now_v7();
        assert!(manage_unit(&user_p(Role::CollegeAdmin, Some(c1)), c1).is_ok());
        assert!(manage_unit(&user_p(Role::CollegeAdmin, Some(c1)), Uuid::now_v7()).is_err());
        assert!(manage_unit(&user_p(Role::UniversityAdmin, None), c1).is_ok());
        assert!(manage_unit(&user_p(Role::Supervisor, Some(c1)), c1).is_err());
    }

    #[test]
    fn nominations_are_started_by_the_college_or_the_student_themself() {
        use crate::selection::NominationSource;
        let c1 = Uuid::now_v7();
        let me = Uuid::now_v7();
        let student = Principal::User(UserPrincipal {
            id: Uuid::now_v7(),
            role: Role::Student,
            college_id: Some(c1),
            student_id: Some(me),
            staff_id: None,
        });
        assert_eq!(nominate(&student, c1, me), Ok(NominationSource::SelfApplication));
        assert!(nominate(&student, c1, Uuid::now_v7()).is_err());
        assert_eq!(nominate(&user_p(Role::CollegeAdmin, Some(c1)), c1, me), Ok(NominationSource::College));
        assert!(nominate(&user_p(Role::CollegeAdmin, Some(c1)), Uuid::now_v7(), me).is_err());
        assert!(nominate(&user_p(Role::Counselor, Some(c1)), c1, me).is_err());
        assert!(handle_nominations(&student, c1).is_err());
        assert!(own_or_handle_nomination(&student, c1, me).is_ok());
        assert!(edit_nomination(&student, c1, me, NominationSource::SelfApplication).is_ok());
        assert!(edit_nomination(&student, c1, me, NominationSource::College).is_err());
        assert!(edit_nomination(&user_p(Role::CollegeAdmin, Some(c1)), c1, me, NominationSource::College).is_ok());
        assert!(own_or_handle_nomination(&student, c1, Uuid::now_v7()).is_err());
    }

    #[test]
    fn the_university_dismisses_and_a_college_only_requests() {
        let c1 = Uuid::now_v7();
        assert_eq!(dismissal_power(&user_p(Role::UniversityAdmin, None), c1), Ok(DismissalPower::Decide));
        assert_eq!(dismissal_power(&user_p(Role::CollegeAdmin, Some(c1)), c1), Ok(DismissalPower::Request));
        assert!(dismissal_power(&user_p(Role::CollegeAdmin, Some(c1)), Uuid::now_v7()).is_err());
        assert!(dismissal_power(&user_p(Role::Counselor, Some(c1)), c1).is_err());
        assert!(appoint(&user_p(Role::CollegeAdmin, Some(c1))).is_err());
        assert!(selection_visibility(&client(ServiceScope::ALL)).is_err());
    }

    #[test]
    fn pairings_are_managed_by_the_college_and_seen_by_those_involved() {
        let c1 = Uuid::now_v7();
        assert!(manage_pairings(&user_p(Role::CollegeAdmin, Some(c1)), c1).is_ok());
        assert!(manage_pairings(&user_p(Role::CollegeAdmin, Some(c1)), Uuid::now_v7()).is_err());
        assert!(manage_pairings(&user_p(Role::Counselor, Some(c1)), c1).is_err());
        assert!(administers(&user_p(Role::Counselor, Some(c1)), c1));
        assert!(!administers(&user_p(Role::Supervisor, Some(c1)), c1));
        let me = Uuid::now_v7();
        let student = Principal::User(UserPrincipal {
            id: Uuid::now_v7(),
            role: Role::Student,
            college_id: Some(c1),
            student_id: Some(me),
            staff_id: None,
        });
        assert!(is_student(&student, me));
        assert!(!is_student(&student, Uuid::now_v7()));
        assert_eq!(pairing_visibility(&student), Ok(Visibility::Student(me)));
        assert!(edit_profile(&student, me, c1).is_ok());
        assert!(edit_profile(&student, Uuid::now_v7(), c1).is_err());
        assert!(edit_profile(&user_p(Role::CollegeAdmin, Some(c1)), me, c1).is_ok());
        assert!(edit_profile(&user_p(Role::CollegeAdmin, Some(c1)), me, Uuid::now_v7()).is_err());
        assert!(edit_profile(&user_p(Role::Counselor, Some(c1)), me, c1).is_err());
        assert!(edit_profile(&user_p(Role::UniversityAdmin, None), me, c1).is_ok());
        assert!(edit_profile(&user_p(Role::Supervisor, Some(c1)), me, c1).is_err());
        assert!(edit_profile(&client(ServiceScope::ALL), me, c1).is_err());
    }

    #[test]
    fn imports_are_for_admins_and_clients_with_the_import_scope() {
        let c1 = Uuid::now_v7();
        assert_eq!(import(&user_p(Role::UniversityAdmin, None)), Ok(Visibility::All));
        let scope = import(&user_p(Role::CollegeAdmin, Some(c1))).unwrap();
        assert_eq!(scope, Visibility::College(c1));
        assert!(imports_into(scope, c1));
        assert!(!imports_into(scope, Uuid::now_v7()));
        assert!(import(&user_p(Role::Counselor, Some(c1))).is_err());
        assert!(import(&user_p(Role::Student, Some(c1))).is_err());
        assert!(import(&client(&[ServiceScope::StudentsWrite])).is_err());
        assert_eq!(
            manage_student(&client(&[ServiceScope::StudentsRead]), Uuid::now_v7()),
            Err(Error::InsufficientScope { scope: "students:write".into() })
        );
        assert_eq!(
            export(&client(&[ServiceScope::StudentsRead])),
            Err(Error::InsufficientScope { scope: "export".into() })
        );
        assert_eq!(import(&client(&[ServiceScope::Import])), Ok(Visibility::All));
        assert!(export(&client(&[ServiceScope::StudentsRead])).is_err());
        assert!(export(&client(&[ServiceScope::Export, ServiceScope::StudentsRead])).is_ok());
        assert!(export(&user_p(Role::Counselor, Some(c1))).is_ok());
    }

    #[test]
    fn staff_visibility_follows_role() {
        let c1 = Uuid::now_v7();
        let me = Uuid::now_v7();
        let sup = Principal::User(UserPrincipal {
            id: Uuid::now_v7(),
            role: Role::Supervisor,
            college_id: Some(c1),
            student_id: None,
            staff_id: Some(me),
        });
        let v = staff_visibility(&sup).unwrap();
        assert!(sees_staff(v, me, c1));
        assert!(!sees_staff(v, Uuid::now_v7(), c1));
        assert!(staff_visibility(&user_p(Role::Student, Some(c1))).is_err());
        let v = staff_visibility(&user_p(Role::Counselor, Some(c1))).unwrap();
        assert!(sees_staff(v, Uuid::now_v7(), c1));
        assert!(!sees_staff(v, Uuid::now_v7(), Uuid::now_v7()));
    }
}
