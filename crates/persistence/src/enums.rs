//! Database mirrors of the domain enums. The domain stays free of sea-orm, so each enum that is
//! stored gets a twin here deriving `DeriveActiveEnum`, with conversions both ways; a test checks
//! that every stored name equals the domain's wire name.

use sea_orm::entity::prelude::*;

macro_rules! db_enum {
    ($db:ident <=> $domain:ty { $($variant:ident = $wire:literal),+ $(,)? }) => {
        #[doc = concat!("The stored form of [`", stringify!($domain), "`].")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
        pub enum $db {
            $(
                #[allow(missing_docs)]
                #[sea_orm(string_value = $wire)]
                $variant
            ),+
        }

        impl From<$domain> for $db {
            fn from(v: $domain) -> Self {
                match v { $(<$domain>::$variant => $db::$variant),+ }
            }
        }

        impl From<$db> for $domain {
            fn from(v: $db) -> Self {
                match v { $($db::$variant => <$domain>::$variant),+ }
            }
        }
    };
}

db_enum!(DbRole <=> domain::auth::Role {
    UniversityAdmin = "university_admin",
    CollegeAdmin = "college_admin",
    Counselor = "counselor",
    Supervisor = "supervisor",
    Student = "student",
});

db_enum!(DbActorKind <=> domain::auth::ActorKind {
    User = "user",
    ServiceClient = "service_client",
    System = "system",
});

db_enum!(DbUnitKind <=> domain::reference::UnitKind {
    Discipline = "discipline",
    Laboratory = "laboratory",
    ResearchGroup = "research_group",
    ClinicalDepartment = "clinical_department",
    SupervisorTeam = "supervisor_team",
});

db_enum!(DbGender <=> domain::reference::Gender {
    Male = "male",
    Female = "female",
});

db_enum!(DbDegree <=> domain::reference::Degree {
    Master = "master",
    Doctoral = "doctoral",
});

db_enum!(DbPoliticalStatus <=> domain::reference::PoliticalStatus {
    PartyMember = "party_member",
    ProbationaryPartyMember = "probationary_party_member",
    LeagueMember = "league_member",
    Masses = "masses",
    Other = "other",
});

db_enum!(DbStudentStatus <=> domain::reference::StudentStatus {
    Enrolled = "enrolled",
    Suspended = "suspended",
    Graduated = "graduated",
    Withdrawn = "withdrawn",
});

db_enum!(DbNominationState <=> domain::selection::NominationState {
    Draft = "draft",
    Submitted = "submitted",
    CollegeReviewed = "college_reviewed",
    Recommended = "recommended",
    Appointed = "appointed",
    Rejected = "rejected",
    Withdrawn = "withdrawn",
});

db_enum!(DbNominationSource <=> domain::selection::NominationSource {
    College = "college",
    SelfApplication = "self_application",
});

db_enum!(DbHonorLevel <=> domain::selection::HonorLevel {
    College = "college",
    University = "university",
    Provincial = "provincial",
    National = "national",
});

db_enum!(DbAppointmentState <=> domain::appointment::AppointmentState {
    Active = "active",
    Completed = "completed",
    Dismissed = "dismissed",
    Resigned = "resigned",
});

db_enum!(DbIntroductionChannel <=> domain::appointment::IntroductionChannel {
    Meeting = "meeting",
    Qq = "qq",
    Wechat = "wechat",
    Other = "other",
});

db_enum!(DbPairingState <=> domain::pairing::PairingState {
    Active = "active",
    Ended = "ended",
});

db_enum!(DbEndReason <=> domain::pairing::EndReason {
    Graduation = "graduation",
    Reassignment = "reassignment",
    Dismissal = "dismissal",
    Resignation = "resignation",
    Request = "request",
    TermCompleted = "term_completed",
});

db_enum!(DbPairingSource <=> domain::pairing::PairingSource {
    Manual = "manual",
    AutoMatch = "auto_match",
});

db_enum!(DbInquiryKind <=> domain::inquiry::InquiryKind {
    Admission = "admission",
    Study = "study",
    ResearchCollaboration = "research_collaboration",
});

db_enum!(DbInquiryState <=> domain::inquiry::InquiryState {
    Open = "open",
    Answered = "answered",
    Closed = "closed",
    Spam = "spam",
});

db_enum!(DbWorkKind <=> domain::work::WorkKind {
    IndividualConsultation = "individual_consultation",
    GroupCounselling = "group_counselling",
    DailyExchange = "daily_exchange",
    PeerCounselling = "peer_counselling",
    CareerHelp = "career_help",
    ResearchGuidance = "research_guidance",
    Other = "other",
});

db_enum!(DbDuty <=> domain::work::Duty {
    Ideology = "ideology",
    Career = "career",
    Study = "study",
    Research = "research",
    Life = "life",
});

db_enum!(DbWorkChannel <=> domain::work::WorkChannel {
    FaceToFace = "face_to_face",
    Phone = "phone",
    Online = "online",
    ChatGroup = "chat_group",
});

db_enum!(DbHelpTopic <=> domain::help::HelpTopic {
    Ideology = "ideology",
    Career = "career",
    Study = "study",
    Research = "research",
    Life = "life",
    Other = "other",
});

db_enum!(DbHelpState <=> domain::help::HelpState {
    Open = "open",
    Answered = "answered",
    Closed = "closed",
});

db_enum!(DbEssayTheme <=> domain::essay::EssayTheme {
    Ideology = "ideology",
    Career = "career",
    Study = "study",
    Research = "research",
    Life = "life",
    FreshmanGuidance = "freshman_guidance",
    ResearchSalon = "research_salon",
    Competition = "competition",
    Other = "other",
});

db_enum!(DbEssayState <=> domain::essay::EssayState {
    Draft = "draft",
    Submitted = "submitted",
    Accepted = "accepted",
    Returned = "returned",
});

db_enum!(DbConcernScope <=> domain::concern::ConcernScope {
    Individual = "individual",
    Group = "group",
});

db_enum!(DbConcernCategory <=> domain::concern::ConcernCategory {
    Ideology = "ideology",
    Career = "career",
    Study = "study",
    Research = "research",
    Life = "life",
    MentalHealth = "mental_health",
    Safety = "safety",
    Financial = "financial",
});

db_enum!(DbConcernUrgency <=> domain::concern::ConcernUrgency {
    Normal = "normal",
    Urgent = "urgent",
});

db_enum!(DbRoundState <=> domain::yearend::RoundState {
    Draft = "draft",
    Open = "open",
    Reviewing = "reviewing",
    Finalized = "finalized",
});

db_enum!(DbAwardKind <=> domain::yearend::AwardKind {
    OutstandingMentor = "outstanding_mentor",
});

db_enum!(DbConcernState <=> domain::concern::ConcernState {
    Open = "open",
    Escalated = "escalated",
    Acknowledged = "acknowledged",
    Resolved = "resolved",
});

db_enum!(DbRecipientRole <=> domain::concern::RecipientRole {
    Supervisor = "supervisor",
    Counselor = "counselor",
});

db_enum!(DbJobKind <=> domain::career::JobKind {
    Job = "job",
    Internship = "internship",
    PartTime = "part_time",
    Other = "other",
});

db_enum!(DbPostingState <=> domain::career::PostingState {
    Active = "active",
    Withdrawn = "withdrawn",
});

db_enum!(DbCaseState <=> domain::best_case::CaseState {
    Draft = "draft",
    Submitted = "submitted",
    Accepted = "accepted",
    Returned = "returned",
});

db_enum!(DbTerm <=> domain::pairing::Term {
    Autumn = "autumn",
    Spring = "spring",
});

db_enum!(DbActivityKind <=> domain::activity::ActivityKind {
    OrientationIntroduction = "orientation_introduction",
    FreshmanSalon = "freshman_salon",
    ResearchSalon = "research_salon",
    CompetitionGuidance = "competition_guidance",
    CareerGuidance = "career_guidance",
    ClubMeeting = "club_meeting",
    SocialEvent = "social_event",
    Training = "training",
    ExperienceExchange = "experience_exchange",
});

db_enum!(DbActivityState <=> domain::activity::ActivityState {
    Planned = "planned",
    Published = "published",
    Held = "held",
    Cancelled = "cancelled",
});

db_enum!(DbRegistrationState <=> domain::activity::RegistrationState {
    Registered = "registered",
    Waitlisted = "waitlisted",
    Cancelled = "cancelled",
});

db_enum!(DbGrade <=> domain::yearend::Grade {
    Excellent = "excellent",
    Competent = "competent",
    Unsatisfactory = "unsatisfactory",
});

db_enum!(DbAssessmentState <=> domain::yearend::AssessmentState {
    Graded = "graded",
    Confirmed = "confirmed",
});

db_enum!(DbImportKind <=> domain::import::ImportKind {
    Students = "students",
    Staff = "staff",
    Units = "units",
    Honors = "honors",
});

db_enum!(DbImportRunState <=> domain::import::ImportRunState {
    Running = "running",
    Completed = "completed",
    Failed = "failed",
    Interrupted = "interrupted",
});

#[cfg(test)]
mod tests {
    use super::*;
    use domain::auth::{ActorKind, Role};
    use domain::reference::{Degree, Gender, PoliticalStatus, StudentStatus, UnitKind};
    use sea_orm::Iterable;

    macro_rules! same_names {
        ($domain:ty, $db:ty) => {
            for v in <$domain>::ALL {
                assert_eq!(<$db>::from(*v).to_value(), v.as_str(), "{}", stringify!($domain));
                assert_eq!(<$domain>::from(<$db>::from(*v)), *v);
            }
            assert_eq!(<$db>::iter().count(), <$domain>::ALL.len());
        };
    }

    #[test]
    fn stored_names_equal_the_domain_wire_names() {
        same_names!(Role, DbRole);
        same_names!(ActorKind, DbActorKind);
        same_names!(UnitKind, DbUnitKind);
        same_names!(Gender, DbGender);
        same_names!(Degree, DbDegree);
        same_names!(PoliticalStatus, DbPoliticalStatus);
        same_names!(StudentStatus, DbStudentStatus);
        same_names!(domain::selection::NominationState, DbNominationState);
        same_names!(domain::selection::NominationSource, DbNominationSource);
        same_names!(domain::selection::HonorLevel, DbHonorLevel);
        same_names!(domain::appointment::AppointmentState, DbAppointmentState);
        same_names!(domain::appointment::IntroductionChannel, DbIntroductionChannel);
        same_names!(domain::work::WorkKind, DbWorkKind);
        same_names!(domain::work::Duty, DbDuty);
        same_names!(domain::work::WorkChannel, DbWorkChannel);
        same_names!(domain::pairing::PairingState, DbPairingState);
        same_names!(domain::pairing::EndReason, DbEndReason);
        same_names!(domain::pairing::PairingSource, DbPairingSource);
        same_names!(domain::inquiry::InquiryKind, DbInquiryKind);
        same_names!(domain::inquiry::InquiryState, DbInquiryState);
        same_names!(domain::help::HelpTopic, DbHelpTopic);
        same_names!(domain::help::HelpState, DbHelpState);
        same_names!(domain::essay::EssayTheme, DbEssayTheme);
        same_names!(domain::essay::EssayState, DbEssayState);
        same_names!(domain::concern::ConcernScope, DbConcernScope);
        same_names!(domain::concern::ConcernCategory, DbConcernCategory);
        same_names!(domain::concern::ConcernUrgency, DbConcernUrgency);
        same_names!(domain::concern::ConcernState, DbConcernState);
        same_names!(domain::yearend::RoundState, DbRoundState);
        same_names!(domain::yearend::AwardKind, DbAwardKind);
        same_names!(domain::concern::RecipientRole, DbRecipientRole);
        same_names!(domain::career::JobKind, DbJobKind);
        same_names!(domain::career::PostingState, DbPostingState);
        same_names!(domain::best_case::CaseState, DbCaseState);
        same_names!(domain::pairing::Term, DbTerm);
        same_names!(domain::activity::ActivityKind, DbActivityKind);
        same_names!(domain::activity::ActivityState, DbActivityState);
        same_names!(domain::activity::RegistrationState, DbRegistrationState);
        same_names!(domain::yearend::Grade, DbGrade);
        same_names!(domain::yearend::AssessmentState, DbAssessmentState);
        same_names!(domain::import::ImportKind, DbImportKind);
        same_names!(domain::import::ImportRunState, DbImportRunState);
    }
}
