//! The closed sets of names the outside world sees: the machine codes of conflicts, the event
//! types of the change feed and the actions of the audit log. Each is one enum with a wire name
//! and a one-line description per variant, so the OpenAPI text, the feed's type list and the
//! texts of `lang.rs` are generated from one list and never drift; code never spells a name as a
//! string literal or builds one with `format!`.

use std::fmt;

use crate::activity::ActivityState;
use crate::appointment::AppointmentState;
use crate::selection::NominationState;

/// Declares a closed set of wire names: every variant has a one-line doc (its description, also
/// returned by `describe`) and a wire name (`as_str`, `Display`, serde).
macro_rules! wire_enum {
    (
        $(#[doc = $doc:literal])*
        pub enum $name:ident { $( #[doc = $vdoc:literal] $variant:ident = $wire:literal ),+ $(,)? }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( #[doc = $vdoc] $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire name.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            /// What it means, in one line (its doc comment).
            pub fn describe(self) -> &'static str {
                match self { $($name::$variant => $vdoc.trim()),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

wire_enum! {
    /// The machine `code` of a `409 Conflict`: the request clashes with the current state.
    pub enum ConflictCode {
        /// This recipient acknowledged the concern already.
        AlreadyAcknowledged = "already_acknowledged",
        /// The mentor's appointment is not active, so they take no mentees.
        AppointmentNotActive = "appointment_not_active",
        /// The academic year's assessment window is not open (or has closed for colleges).
        AssessmentClosed = "assessment_closed",
        /// The activity was recorded as held; its attendance no longer changes.
        AttendanceClosed = "attendance_closed",
        /// A mentor's capacity cannot drop below their current mentees.
        CapacityBelowMentees = "capacity_below_mentees",
        /// An activity's capacity cannot drop below the places already taken.
        CapacityBelowRegistrations = "capacity_below_registrations",
        /// The mentor already has as many mentees as their capacity allows.
        CapacityExceeded = "capacity_exceeded",
        /// Mentor and mentee belong to different colleges.
        DifferentCollege = "different_college",
        /// A unique key is taken.
        Duplicate = "duplicate",
        /// Feedback closes 14 days after the activity ends.
        FeedbackClosed = "feedback_closed",
        /// A host mentor already has another activity at that time.
        HostDoubleBooked = "host_double_booked",
        /// A host holds no active appointment for the activity's year.
        HostNotServing = "host_not_serving",
        /// This kind of activity needs at least one host before it is published.
        HostRequired = "host_required",
        /// A request with this `Idempotency-Key` is still being processed (with `Retry-After`).
        IdempotencyRequestInProgress = "idempotency_request_in_progress",
        /// The object is still referred to and cannot be removed or changed so.
        InUse = "in_use",
        /// The object's state does not allow this action.
        InvalidTransition = "invalid_transition",
        /// The mentee already has a mentor this academic year.
        MenteeAlreadyPaired = "mentee_already_paired",
        /// Only an enrolled student is paired.
        MenteeNotEnrolled = "mentee_not_enrolled",
        /// The mentor must have enrolled earlier than the mentee.
        MentorNotSenior = "mentor_not_senior",
        /// The student has no active mentor to ask for help (no active pairing with a serving mentor).
        NoActiveMentor = "no_active_mentor",
        /// Nobody to escalate a concern to: no supervisor or counselor for the student and no counselor in the college.
        NoRecipient = "no_recipient",
        /// The award round does not take nominations now (not open, or outside its window).
        NominationsClosed = "nominations_closed",
        /// The nomination's eligibility report has a failing rule, or a warning without a justification.
        NotEligible = "not_eligible",
        /// This needs the activity to have started.
        NotStarted = "not_started",
        /// The posting's deadline has passed; it is no longer recommended.
        PostingExpired = "posting_expired",
        /// The college has used its nomination quota in the award round.
        QuotaFull = "quota_full",
        /// The activity has ended; registration is closed.
        RegistrationClosed = "registration_closed",
        /// The work-record entry's edit window has passed; only a note can be appended.
        RecordLocked = "record_locked",
        /// A mentor cannot be their own mentee.
        SelfPairing = "self_pairing",
        /// The term is not over: a service certificate is issued for a completed term only.
        TermNotCompleted = "term_not_completed",
        /// The venue is taken by another activity at that time.
        VenueDoubleBooked = "venue_double_booked",
        /// The academic year is closed and takes no more changes.
        YearClosed = "year_closed",
    }
}

wire_enum! {
    /// The type of an event on the change feed (`GET /api/v1/events`): `<resource>.<what happened>`.
    pub enum DomainEvent {
        /// An academic year was closed: its active appointments completed.
        AcademicYearClosed = "academic_year.closed",
        /// An academic year was created.
        AcademicYearCreated = "academic_year.created",
        /// An academic year was deleted.
        AcademicYearDeleted = "academic_year.deleted",
        /// An academic year was changed.
        AcademicYearUpdated = "academic_year.updated",
        /// An activity was cancelled.
        ActivityCancelled = "activity.cancelled",
        /// An activity was recorded as held.
        ActivityHeld = "activity.held",
        /// An activity was published.
        ActivityPublished = "activity.published",
        /// A mentor was commended.
        AppointmentCommended = "appointment.commended",
        /// A mentor's term was completed.
        AppointmentCompleted = "appointment.completed",
        /// A mentor was dismissed.
        AppointmentDismissed = "appointment.dismissed",
        /// A mentor was introduced to the freshmen (the orientation milestone).
        AppointmentIntroduced = "appointment.introduced",
        /// A mentor was appointed.
        AppointmentMade = "appointment.made",
        /// A mentor's photo for the directory was uploaded or replaced (the feed carries its size and digest, never its bytes).
        AppointmentPhotoChanged = "appointment.photo_changed",
        /// A mentor's photo for the directory was removed.
        AppointmentPhotoRemoved = "appointment.photo_removed",
        /// A mentor resigned.
        AppointmentResigned = "appointment.resigned",
        /// The university confirmed (possibly changed) a mentor's grade for the year (ids and grade only).
        AssessmentConfirmed = "assessment.confirmed",
        /// A college graded a mentor's year (ids and grade only, never the comment).
        AssessmentGraded = "assessment.graded",
        /// A college nominated a mentor in an award round (ids only, never the statement).
        AwardNominationCreated = "award_nomination.created",
        /// A college withdrew a nomination.
        AwardNominationWithdrawn = "award_nomination.withdrawn",
        /// An award round was finalized: ranked, awards recorded as commendations, frozen.
        AwardRoundFinalized = "award_round.finalized",
        /// An award round opened its nominations.
        AwardRoundOpened = "award_round.opened",
        /// An award round closed its nominations and started the review.
        AwardRoundReviewing = "award_round.reviewing",
        /// A college wrote a best-practice case (a draft).
        CaseCreated = "case.created",
        /// A best-practice case was changed by its college (text, activities or attachments).
        CaseUpdated = "case.updated",
        /// A best-practice case was submitted to the university.
        CaseSubmitted = "case.submitted",
        /// A best-practice case was accepted by the university.
        CaseAccepted = "case.accepted",
        /// A best-practice case was returned to its college with comments.
        CaseReturned = "case.returned",
        /// An accepted best-practice case was featured by the university.
        CaseFeatured = "case.featured",
        /// A best-practice case was no longer featured.
        CaseUnfeatured = "case.unfeatured",
        /// A member left the mentors' club.
        ClubMemberLeft = "club_member.left",
        /// A member who had left rejoined the mentors' club.
        ClubMemberRejoined = "club_member.rejoined",
        /// A college was created.
        CollegeCreated = "college.created",
        /// A recipient acknowledged a concern (ids and state only, never the text).
        ConcernAcknowledged = "concern.acknowledged",
        /// A mentor escalated a concern to the student's supervisor and counselor.
        ConcernEscalated = "concern.escalated",
        /// A mentor registered a concern (ids and state only, never the text).
        ConcernRegistered = "concern.registered",
        /// A concern was resolved.
        ConcernResolved = "concern.resolved",
        /// A college was deleted.
        CollegeDeleted = "college.deleted",
        /// A college was changed.
        CollegeUpdated = "college.updated",
        /// The editor accepted an essay for the anthology (ids, theme and state only).
        EssayAccepted = "essay.accepted",
        /// The editor returned an essay to its author with comments (ids and state only, never the comments).
        EssayReturned = "essay.returned",
        /// A member submitted an essay to the editor (ids, theme and state only, never the text).
        EssaySubmitted = "essay.submitted",
        /// A mentor answered a help request, with a note or a work-record entry (ids and state only, never the text).
        HelpRequestAnswered = "help_request.answered",
        /// The student or the mentor closed a help request unanswered.
        HelpRequestClosed = "help_request.closed",
        /// A student asked their mentor for help (ids and state only, never the message).
        HelpRequestCreated = "help_request.created",
        /// An honour was recorded.
        HonorCreated = "honor.created",
        /// An honour was deleted.
        HonorDeleted = "honor.deleted",
        /// An honour was created by an import.
        HonorImported = "honor.imported",
        /// An honour was changed (by an import).
        HonorUpdated = "honor.updated",
        /// Someone sent a listed mentor an inquiry (the feed carries its kind, never its text).
        InquiryReceived = "inquiry.received",
        /// The mentor replied to an inquiry.
        InquiryAnswered = "inquiry.answered",
        /// The mentor closed an inquiry.
        InquiryClosed = "inquiry.closed",
        /// The mentor marked an inquiry as spam.
        InquirySpam = "inquiry.spam",
        /// A job or internship was posted for a college.
        JobPostingCreated = "job_posting.created",
        /// A mentor recommended a posting to named students.
        JobPostingRecommended = "job_posting.recommended",
        /// A posting was changed.
        JobPostingUpdated = "job_posting.updated",
        /// A posting was withdrawn.
        JobPostingWithdrawn = "job_posting.withdrawn",
        /// A nomination led to an appointment.
        NominationAppointed = "nomination.appointed",
        /// The college reviewed a nomination.
        NominationCollegeReviewed = "nomination.college_reviewed",
        /// A nomination was created.
        NominationCreated = "nomination.created",
        /// The college recommended a nomination to the university.
        NominationRecommended = "nomination.recommended",
        /// A nomination was rejected.
        NominationRejected = "nomination.rejected",
        /// A nomination was submitted for review.
        NominationSubmitted = "nomination.submitted",
        /// A nomination was withdrawn.
        NominationWithdrawn = "nomination.withdrawn",
        /// A pairing ended.
        PairingEnded = "pairing.ended",
        /// A mentor and a mentee were paired.
        PairingMade = "pairing.made",
        /// A staff member was created.
        StaffCreated = "staff.created",
        /// A staff member was deleted.
        StaffDeleted = "staff.deleted",
        /// A staff member was created by an import.
        StaffImported = "staff.imported",
        /// A staff member was changed.
        StaffUpdated = "staff.updated",
        /// A student was created.
        StudentCreated = "student.created",
        /// A student was deleted.
        StudentDeleted = "student.deleted",
        /// A student was created by an import.
        StudentImported = "student.imported",
        /// A student was changed.
        StudentUpdated = "student.updated",
        /// A unit was created.
        UnitCreated = "unit.created",
        /// A unit was deleted.
        UnitDeleted = "unit.deleted",
        /// A unit was created by an import.
        UnitImported = "unit.imported",
        /// A unit was changed.
        UnitUpdated = "unit.updated",
        /// A mentor recorded a work-record entry (the feed carries its kind, never its text).
        WorkRecordCreated = "work_record.created",
        /// A mentor appended a note to a work-record entry.
        WorkRecordNoteAdded = "work_record.note_added",
        /// A mentor changed a work-record entry within its edit window.
        WorkRecordUpdated = "work_record.updated",
    }
}

impl DomainEvent {
    /// The event an activity's move into `state` raises (none for its first state).
    pub fn activity_entered(state: ActivityState) -> Option<DomainEvent> {
        match state {
            ActivityState::Planned => None,
            ActivityState::Published => Some(DomainEvent::ActivityPublished),
            ActivityState::Held => Some(DomainEvent::ActivityHeld),
            ActivityState::Cancelled => Some(DomainEvent::ActivityCancelled),
        }
    }

    /// The event an appointment's move into `state` raises (none for its first state).
    pub fn appointment_entered(state: AppointmentState) -> Option<DomainEvent> {
        match state {
            AppointmentState::Active => None,
            AppointmentState::Completed => Some(DomainEvent::AppointmentCompleted),
            AppointmentState::Dismissed => Some(DomainEvent::AppointmentDismissed),
            AppointmentState::Resigned => Some(DomainEvent::AppointmentResigned),
        }
    }

    /// The event a nomination's move into `state` raises (none for its first state).
    pub fn nomination_entered(state: NominationState) -> Option<DomainEvent> {
        match state {
            NominationState::Draft => None,
            NominationState::Submitted => Some(DomainEvent::NominationSubmitted),
            NominationState::CollegeReviewed => Some(DomainEvent::NominationCollegeReviewed),
            NominationState::Recommended => Some(DomainEvent::NominationRecommended),
            NominationState::Appointed => Some(DomainEvent::NominationAppointed),
            NominationState::Rejected => Some(DomainEvent::NominationRejected),
            NominationState::Withdrawn => Some(DomainEvent::NominationWithdrawn),
        }
    }

    /// The event an inquiry's move into `state` raises (none for its first state).
    pub fn inquiry_entered(state: crate::inquiry::InquiryState) -> Option<DomainEvent> {
        use crate::inquiry::InquiryState as S;
        match state {
            S::Open => None,
            S::Answered => Some(DomainEvent::InquiryAnswered),
            S::Closed => Some(DomainEvent::InquiryClosed),
            S::Spam => Some(DomainEvent::InquirySpam),
        }
    }

    /// The event an award round's move into `state` raises (none for a draft).
    pub fn award_round_entered(state: crate::yearend::RoundState) -> Option<DomainEvent> {
        use crate::yearend::RoundState as S;
        match state {
            S::Draft => None,
            S::Open => Some(DomainEvent::AwardRoundOpened),
            S::Reviewing => Some(DomainEvent::AwardRoundReviewing),
            S::Finalized => Some(DomainEvent::AwardRoundFinalized),
        }
    }

    /// The event a concern's move into `state` raises.
    pub fn concern_entered(state: crate::concern::ConcernState) -> DomainEvent {
        use crate::concern::ConcernState as S;
        match state {
            S::Open => DomainEvent::ConcernRegistered,
            S::Escalated => DomainEvent::ConcernEscalated,
            S::Acknowledged => DomainEvent::ConcernAcknowledged,
            S::Resolved => DomainEvent::ConcernResolved,
        }
    }

    /// The event a help request's move into `state` raises.
    pub fn help_request_entered(state: crate::help::HelpState) -> DomainEvent {
        use crate::help::HelpState as S;
        match state {
            S::Open => DomainEvent::HelpRequestCreated,
            S::Answered => DomainEvent::HelpRequestAnswered,
            S::Closed => DomainEvent::HelpRequestClosed,
        }
    }

    /// The event an essay's move into `state` raises (none for a draft).
    pub fn essay_entered(state: crate::essay::EssayState) -> Option<DomainEvent> {
        use crate::essay::EssayState as S;
        match state {
            S::Draft => None,
            S::Submitted => Some(DomainEvent::EssaySubmitted),
            S::Accepted => Some(DomainEvent::EssayAccepted),
            S::Returned => Some(DomainEvent::EssayReturned),
        }
    }

    /// Every event type, sorted by wire name: the closed set the OpenAPI document lists.
    pub fn wire_names() -> Vec<&'static str> {
        let mut all: Vec<&'static str> = Self::ALL.iter().map(|e| e.as_str()).collect();
        all.sort_unstable();
        all
    }
}

wire_enum! {
    /// The action of an audit-log entry: `<object>.<what was done>`.
    pub enum AuditAction {
        /// An academic year was closed.
        AcademicYearClose = "academic_year.close",
        /// An academic year was created.
        AcademicYearCreate = "academic_year.create",
        /// An academic year was deleted.
        AcademicYearDelete = "academic_year.delete",
        /// An academic year was changed.
        AcademicYearUpdate = "academic_year.update",
        /// Attendance of an activity was recorded.
        ActivityAttendance = "activity.attendance",
        /// An activity was cancelled.
        ActivityCancel = "activity.cancel",
        /// An activity was recorded as held.
        ActivityComplete = "activity.complete",
        /// An activity was created.
        ActivityCreate = "activity.create",
        /// A participant gave feedback on an activity.
        ActivityFeedback = "activity.feedback",
        /// An activity was published.
        ActivityPublish = "activity.publish",
        /// A mentor who left was removed as host of an upcoming activity.
        ActivityReleaseHost = "activity.release_host",
        /// An activity was changed.
        ActivityUpdate = "activity.update",
        /// A mentor was commended.
        AppointmentCommend = "appointment.commend",
        /// A mentor's term was completed.
        AppointmentComplete = "appointment.complete",
        /// A mentor was appointed.
        AppointmentCreate = "appointment.create",
        /// A mentor was dismissed.
        AppointmentDismiss = "appointment.dismiss",
        /// The orientation introduction was recorded.
        AppointmentIntroduction = "appointment.introduction",
        /// The mentor's photo for the directory was uploaded or replaced.
        AppointmentPhoto = "appointment.photo",
        /// The mentor's photo for the directory was removed.
        AppointmentPhotoDelete = "appointment.photo_delete",
        /// The end of the appointment took the mentor's photo down (it is deleted).
        AppointmentPhotoWithdraw = "appointment.photo_withdraw",
        /// The mentor's public profile was written.
        AppointmentProfile = "appointment.profile",
        /// The mentor's public profile was withdrawn.
        AppointmentProfileWithdraw = "appointment.profile_withdraw",
        /// A college asked the university to dismiss a mentor.
        AppointmentRequestDismissal = "appointment.request_dismissal",
        /// A mentor resigned.
        AppointmentResign = "appointment.resign",
        /// The mentor's training was recorded.
        AppointmentTraining = "appointment.training",
        /// A serving appointment was changed (capacity, contact for mentees).
        AppointmentUpdate = "appointment.update",
        /// The university confirmed or changed a mentor's grade.
        AssessmentConfirm = "assessment.confirm",
        /// A college graded a mentor's year.
        AssessmentGrade = "assessment.grade",
        /// A college nominated a mentor for an award.
        AwardNominationCreate = "award_nomination.create",
        /// A nomination was withdrawn.
        AwardNominationWithdraw = "award_nomination.withdraw",
        /// An award round was created.
        AwardRoundCreate = "award_round.create",
        /// An award round was finalized.
        AwardRoundFinalize = "award_round.finalize",
        /// An award round opened its nominations.
        AwardRoundOpen = "award_round.open",
        /// An award round started its review.
        AwardRoundReview = "award_round.review",
        /// An award round's rules were changed.
        AwardRoundUpdate = "award_round.update",
        /// A reviewer submitted or changed a score sheet.
        AwardScoreSubmit = "award_score.submit",
        /// A best-practice case was written.
        CaseCreate = "case.create",
        /// A best-practice case was changed.
        CaseUpdate = "case.update",
        /// A best-practice case was submitted.
        CaseSubmit = "case.submit",
        /// A best-practice case was accepted.
        CaseAccept = "case.accept",
        /// A best-practice case was returned with comments.
        CaseReturn = "case.return",
        /// A best-practice case was featured.
        CaseFeature = "case.feature",
        /// A best-practice case was no longer featured.
        CaseUnfeature = "case.unfeature",
        /// A file was attached to a best-practice case.
        CaseAttach = "case.attach",
        /// An attachment of a best-practice case was removed.
        CaseDetach = "case.detach",
        /// A service certificate's verification code was issued.
        CertificateIssue = "certificate.issue",
        /// A member left the mentors' club.
        ClubLeave = "club.leave",
        /// A member who had left rejoined the mentors' club.
        ClubRejoin = "club.rejoin",
        /// A college was created.
        CollegeCreate = "college.create",
        /// A recipient acknowledged a concern.
        ConcernAcknowledge = "concern.acknowledge",
        /// A mentor registered a concern.
        ConcernCreate = "concern.create",
        /// A mentor escalated a concern.
        ConcernEscalate = "concern.escalate",
        /// A concern was resolved.
        ConcernResolve = "concern.resolve",
        /// A college was deleted.
        CollegeDelete = "college.delete",
        /// A college was changed.
        CollegeUpdate = "college.update",
        /// The editor accepted an essay.
        EssayAccept = "essay.accept",
        /// A member started an essay (a draft).
        EssayCreate = "essay.create",
        /// The editor returned an essay with comments.
        EssayReturn = "essay.return",
        /// The author submitted an essay.
        EssaySubmit = "essay.submit",
        /// The author changed an essay.
        EssayUpdate = "essay.update",
        /// A mentor answered a help request with a note.
        HelpRequestAnswer = "help_request.answer",
        /// The student or the mentor closed a help request.
        HelpRequestClose = "help_request.close",
        /// A student asked their mentor for help.
        HelpRequestCreate = "help_request.create",
        /// A mentor answered a help request by recording it in the work-record book.
        HelpRequestRecord = "help_request.record",
        /// An honour was recorded.
        HonorCreate = "honor.create",
        /// An honour was deleted.
        HonorDelete = "honor.delete",
        /// Honours were imported.
        HonorImport = "honor.import",
        /// An inquiry was sent to a listed mentor.
        InquirySend = "inquiry.send",
        /// The mentor replied to an inquiry.
        InquiryReply = "inquiry.reply",
        /// The mentor closed an inquiry.
        InquiryClose = "inquiry.close",
        /// The mentor marked an inquiry as spam.
        InquiryMarkSpam = "inquiry.mark_spam",
        /// A job or internship was posted.
        JobPostingCreate = "job_posting.create",
        /// A mentor recommended a posting to students.
        JobPostingRecommend = "job_posting.recommend",
        /// A posting was changed.
        JobPostingUpdate = "job_posting.update",
        /// A posting was withdrawn.
        JobPostingWithdraw = "job_posting.withdraw",
        /// The university appointed a nomination.
        NominationAppoint = "nomination.appoint",
        /// A nomination was created.
        NominationCreate = "nomination.create",
        /// A nomination was edited.
        NominationEdit = "nomination.edit",
        /// The college recommended a nomination.
        NominationRecommend = "nomination.recommend",
        /// A nomination was rejected.
        NominationReject = "nomination.reject",
        /// The college reviewed a nomination.
        NominationReview = "nomination.review",
        /// A nomination was submitted.
        NominationSubmit = "nomination.submit",
        /// A nomination was withdrawn.
        NominationWithdraw = "nomination.withdraw",
        /// Auto-match wrote pairs.
        PairingAutoMatch = "pairing.auto_match",
        /// A mentor and a mentee were paired.
        PairingCreate = "pairing.create",
        /// A pairing ended.
        PairingEnd = "pairing.end",
        /// A mentee gave feedback on their pairing.
        PairingFeedback = "pairing.feedback",
        /// A student cancelled a registration.
        RegistrationCancel = "registration.cancel",
        /// A student registered for an activity.
        RegistrationCreate = "registration.create",
        /// A waitlisted registration got a place.
        RegistrationPromote = "registration.promote",
        /// A disciplinary sanction was recorded.
        SanctionCreate = "sanction.create",
        /// A sanction was lifted.
        SanctionLift = "sanction.lift",
        /// A service client was created.
        ServiceClientCreate = "service_client.create",
        /// A service client's secret was rotated.
        ServiceClientRotateSecret = "service_client.rotate_secret",
        /// A service client was changed.
        ServiceClientUpdate = "service_client.update",
        /// A reused refresh token revoked its whole session.
        SessionRevokeOnReuse = "session.revoke_on_reuse",
        /// A staff member was created.
        StaffCreate = "staff.create",
        /// A staff member was deleted.
        StaffDelete = "staff.delete",
        /// Staff were imported.
        StaffImport = "staff.import",
        /// A staff member was changed.
        StaffUpdate = "staff.update",
        /// A student was created.
        StudentCreate = "student.create",
        /// A student was deleted.
        StudentDelete = "student.delete",
        /// Students were imported.
        StudentImport = "student.import",
        /// A student was changed.
        StudentUpdate = "student.update",
        /// A unit was created.
        UnitCreate = "unit.create",
        /// A unit was deleted.
        UnitDelete = "unit.delete",
        /// Units were imported.
        UnitImport = "unit.import",
        /// A unit was changed.
        UnitUpdate = "unit.update",
        /// A user changed their password.
        UserChangePassword = "user.change_password",
        /// A user account was created.
        UserCreate = "user.create",
        /// A user account was changed.
        UserUpdate = "user.update",
        /// A work-record entry was recorded.
        WorkRecordCreate = "work_record.create",
        /// A note was appended to a work-record entry.
        WorkRecordAddNote = "work_record.add_note",
        /// A work-record entry was changed.
        WorkRecordUpdate = "work_record.update",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::appointment::AppointmentAction;

    /// The non-test source of the domain, persistence and http crates.
    fn sources() -> String {
        fn walk(dir: &std::path::Path, out: &mut String) {
            let Ok(entries) = std::fs::read_dir(dir) else { return };
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    let s = std::fs::read_to_string(&p).unwrap_or_default();
                    out.push_str(s.split("#[cfg(test)]").next().unwrap_or(""));
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut out = String::new();
        for krate in ["domain", "persistence", "http"] {
            walk(&root.join(krate).join("src"), &mut out);
        }
        out
    }

    fn unused<T: fmt::Debug>(all: &[T], enum_name: &str, src: &str) -> Vec<String> {
        all.iter()
            .map(|v| format!("{enum_name}::{v:?}"))
            .filter(|path| {
                !src.match_indices(path.as_str()).any(|(at, _)| {
                    // `ConflictCode::InUse` must not count as a use of `ConflictCode::In`.
                    !src[at + path.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                })
            })
            .collect()
    }

    #[test]
    fn every_code_event_and_action_is_used_by_the_code() {
        let src = sources();
        assert!(src.len() > 100_000, "the scan found too little source");
        let mut missing = unused(ConflictCode::ALL, "ConflictCode", &src);
        missing.extend(unused(DomainEvent::ALL, "DomainEvent", &src));
        missing.extend(unused(AuditAction::ALL, "AuditAction", &src));
        assert!(missing.is_empty(), "variants no code uses (remove them, or use them): {missing:?}");
    }

    #[test]
    fn every_variant_is_documented_and_has_a_distinct_well_formed_wire_name() {
        fn check(names: Vec<(&'static str, &'static str)>, dotted: bool) {
            let mut seen = std::collections::HashSet::new();
            for (wire, doc) in names {
                assert!(doc.len() > 10 && doc.ends_with('.'), "{wire}: a one-line description");
                assert!(seen.insert(wire), "{wire} twice");
                let parts: Vec<&str> = wire.split('.').collect();
                assert_eq!(parts.len(), if dotted { 2 } else { 1 }, "{wire}");
                assert!(
                    parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')),
                    "{wire}: snake_case"
                );
            }
        }
        check(ConflictCode::ALL.iter().map(|c| (c.as_str(), c.describe())).collect(), false);
        check(DomainEvent::ALL.iter().map(|c| (c.as_str(), c.describe())).collect(), true);
        check(AuditAction::ALL.iter().map(|c| (c.as_str(), c.describe())).collect(), true);
    }

    #[test]
    fn a_change_of_state_raises_the_event_named_after_the_new_state() {
        for s in ActivityState::ALL {
            let e = DomainEvent::activity_entered(*s);
            assert_eq!(
                e.map(|e| e.as_str().to_owned()),
                (*s != ActivityState::Planned).then(|| format!("activity.{s}"))
            );
        }
        for s in AppointmentState::ALL {
            let e = DomainEvent::appointment_entered(*s);
            assert_eq!(
                e.map(|e| e.as_str().to_owned()),
                (*s != AppointmentState::Active).then(|| format!("appointment.{s}"))
            );
        }
        for s in NominationState::ALL {
            let e = DomainEvent::nomination_entered(*s);
            assert_eq!(
                e.map(|e| e.as_str().to_owned()),
                (*s != NominationState::Draft).then(|| format!("nomination.{s}"))
            );
        }
        for s in crate::essay::EssayState::ALL {
            let e = DomainEvent::essay_entered(*s);
            assert_eq!(
                e.map(|e| e.as_str().to_owned()),
                (*s != crate::essay::EssayState::Draft).then(|| format!("essay.{s}"))
            );
        }
        for s in crate::help::HelpState::ALL {
            let want = match s {
                crate::help::HelpState::Open => "help_request.created".to_owned(),
                other => format!("help_request.{other}"),
            };
            assert_eq!(DomainEvent::help_request_entered(*s).as_str(), want);
        }
        for (a, action) in [
            (AppointmentAction::Dismiss, AuditAction::AppointmentDismiss),
            (AppointmentAction::Resign, AuditAction::AppointmentResign),
            (AppointmentAction::Complete, AuditAction::AppointmentComplete),
        ] {
            assert_eq!(action.as_str(), format!("appointment.{a}"));
        }
    }

    #[test]
    fn the_feed_list_is_sorted_and_complete() {
        let names = DomainEvent::wire_names();
        assert!(names.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(names.len(), DomainEvent::ALL.len());
    }
}
