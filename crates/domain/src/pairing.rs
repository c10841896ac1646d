//! Pairing (结对子): the rules of a mentor–mentee link, its state machine, mentee feedback terms,
//! and the auto-matching of a college's freshmen to its mentors.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::appointment::{Appointment, AppointmentState};
use crate::codes::{ConflictCode, DomainEvent};
use crate::error::{Error, Result};
use crate::reference::{Student, StudentStatus};
use crate::string_enum;

string_enum! {
    /// Where a pairing stands.
    pub enum PairingState {
        /// The mentor looks after the mentee.
        Active = "active",
        /// Ended; kept as history.
        Ended = "ended",
    }
}

string_enum! {
    /// Why a pairing ended.
    pub enum EndReason {
        /// The mentee (or mentor) graduated.
        Graduation = "graduation",
        /// The mentee moves to another mentor.
        Reassignment = "reassignment",
        /// The mentor was dismissed (解聘).
        Dismissal = "dismissal",
        /// The mentor resigned.
        Resignation = "resignation",
        /// The mentee or mentor asked for it.
        Request = "request",
        /// The academic year was closed.
        TermCompleted = "term_completed",
    }
}

string_enum! {
    /// How a pairing was made.
    pub enum PairingSource {
        /// By hand.
        Manual = "manual",
        /// By auto-matching.
        AutoMatch = "auto_match",
    }
}

impl PairingState {
    /// The state after ending, or `InvalidTransition` if already ended.
    pub fn end(self) -> Result<PairingState> {
        match self {
            PairingState::Active => Ok(PairingState::Ended),
            PairingState::Ended => Err(Error::InvalidTransition { from: self.to_string(), action: "end".into() }),
        }
    }
}

/// A mentor–mentee link for one academic year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pairing {
    /// Id.
    pub id: Uuid,
    /// The mentor's appointment.
    pub appointment_id: Uuid,
    /// The mentor (a student).
    pub mentor_id: Uuid,
    /// The mentee (a student).
    pub mentee_id: Uuid,
    /// The year.
    pub academic_year_id: Uuid,
    /// The college.
    pub college_id: Uuid,
    /// Whether the mentee is in another unit than the mentor's (allowed, flagged).
    pub cross_unit: bool,
    /// How it was made.
    pub source: PairingSource,
    /// State.
    pub state: PairingState,
    /// Who made it.
    pub created_by: Option<Uuid>,
    /// When it ended.
    pub ended_at: Option<DateTime<Utc>>,
    /// Why it ended.
    pub end_reason: Option<EndReason>,
    /// A note on the ending.
    pub end_note: Option<String>,
    /// Optimistic-concurrency version.
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

fn conflict(code: ConflictCode, detail: impl Into<String>) -> Error {
    Error::Conflict { code, detail: detail.into() }
}

/// Checks that `mentor` (holding `appointment`) may take `mentee`, apart from capacity and the
/// one-mentor rule, which the database enforces. Returns whether the pairing crosses units.
pub fn check_pairing(appointment: &Appointment, mentor: &Student, mentee: &Student) -> Result<bool> {
    if appointment.state != AppointmentState::Active {
        return Err(conflict(
            ConflictCode::AppointmentNotActive,
            format!("the appointment is {}; only an active mentor takes mentees", appointment.state),
        ));
    }
    if mentee.id == mentor.id {
        return Err(conflict(ConflictCode::SelfPairing, "a mentor cannot be their own mentee"));
    }
    if mentee.college_id != appointment.college_id {
        return Err(conflict(ConflictCode::DifferentCollege, "the mentee belongs to another college than the mentor"));
    }
    if mentee.status != StudentStatus::Enrolled {
        return Err(conflict(ConflictCode::MenteeNotEnrolled, format!("the mentee is {}", mentee.status)));
    }
    if mentor.enrollment_year >= mentee.enrollment_year {
        return Err(conflict(
            ConflictCode::MentorNotSenior,
            format!(
                "the mentor enrolled in {} and the mentee in {}: the mentor must have enrolled earlier",
                mentor.enrollment_year, mentee.enrollment_year
            ),
        ));
    }
    Ok(crosses_units(appointment, mentee))
}

/// Whether a pairing of `mentee` with the mentor of `appointment` crosses units (allowed, and
/// flagged on the pairing).
pub fn crosses_units(appointment: &Appointment, mentee: &Student) -> bool {
    mentee.unit_id != Some(appointment.unit_id)
}

/// Whether `student` is a freshman of the academic year starting in `first_year` that auto-match
/// looks after: enrolled that year and still enrolled.
pub fn is_freshman(student: &Student, first_year: i32) -> bool {
    student.enrollment_year == first_year && student.status == StudentStatus::Enrolled
}

impl Pairing {
    /// A new active pairing of `mentee` with `mentor`, who holds `appointment`: every rule of
    /// [`check_pairing`] applies (capacity and the one-mentor rule are the database's, under the
    /// appointment's lock).
    pub fn new(
        appointment: &Appointment,
        mentor: &Student,
        mentee: &Student,
        source: PairingSource,
        created_by: Option<Uuid>,
        at: DateTime<Utc>,
    ) -> Result<(Pairing, Vec<DomainEvent>)> {
        let cross_unit = check_pairing(appointment, mentor, mentee)?;
        let p = Pairing {
            id: Uuid::now_v7(),
            appointment_id: appointment.id,
            mentor_id: appointment.student_id,
            mentee_id: mentee.id,
            academic_year_id: appointment.academic_year_id,
            college_id: appointment.college_id,
            cross_unit,
            source,
            state: PairingState::Active,
            created_by,
            ended_at: None,
            end_reason: None,
            end_note: None,
            version: 1,
            created_at: at,
            updated_at: at,
        };
        Ok((p, vec![DomainEvent::PairingMade]))
    }

    /// Ends the pairing with a reason (and a note); it stays as history.
    pub fn end(
        &self,
        reason: EndReason,
        note: Option<String>,
        at: DateTime<Utc>,
    ) -> Result<(Pairing, Vec<DomainEvent>)> {
        let mut after = self.clone();
        after.state = self.state.end()?;
        after.ended_at = Some(at);
        after.end_reason = Some(reason);
        after.end_note = note;
        after.version = self.version + 1;
        after.updated_at = at;
        Ok((after, vec![DomainEvent::PairingEnded]))
    }
}

/// Checks that one more mentee fits: `active` mentees now, `capacity` at most.
pub fn check_capacity(active: u64, capacity: i32) -> Result<()> {
    if active >= u64::try_from(capacity.max(0)).unwrap_or(0) {
        return Err(conflict(
            ConflictCode::CapacityExceeded,
            format!("the mentor already has {active} of {capacity} mentees"),
        ));
    }
    Ok(())
}

string_enum! {
    /// A half of the academic year, for mentee feedback (once per term).
    pub enum Term {
        /// 秋季学期: September to January.
        Autumn = "autumn",
        /// 春季学期: February to August.
        Spring = "spring",
    }
}

impl Term {
    /// The term `day` falls in.
    pub fn of(day: NaiveDate) -> Term {
        if (2..=8).contains(&day.month()) { Term::Spring } else { Term::Autumn }
    }

    /// The last day of this term in the academic year starting in `first_year`.
    pub fn ends_on(self, first_year: i32) -> NaiveDate {
        let (month, day) = match self {
            Term::Autumn => (1, 31),
            Term::Spring => (8, 31),
        };
        NaiveDate::from_ymd_opt(first_year + 1, month, day).unwrap_or(NaiveDate::MAX)
    }
}

/// The ratings of one term of one academic year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermRatings {
    /// Whether the term is over (no more ratings can come).
    pub ended: bool,
    /// The ratings.
    pub ratings: Vec<i32>,
}

/// What a mentor sees of their ratings: every answer counted, but the mean only over terms that
/// are over and had at least [`MIN_ANSWERS_FOR_MEAN`] answers each. Within an open term the mean
/// would move with each answer and give it away; a closed term's answers arrive together.
pub fn mentor_summary(terms: &[TermRatings]) -> RatingSummary {
    let count = terms.iter().map(|t| t.ratings.len() as u64).sum();
    let shown: Vec<i32> = terms
        .iter()
        .filter(|t| t.ended && t.ratings.len() as u64 >= MIN_ANSWERS_FOR_MEAN)
        .flat_map(|t| t.ratings.iter().copied())
        .collect();
    RatingSummary { count, mean: summarize(&shown, 1).mean }
}

/// Checks a feedback rating.
pub fn check_rating(rating: i32) -> Result<i32> {
    if (1..=5).contains(&rating) {
        Ok(rating)
    } else {
        Err(Error::invalid("rating", "out_of_range", "rating must be between 1 and 5"))
    }
}

/// What a mentor may see of their feedback: the count, and the mean only once enough mentees
/// answered that no single answer can be told apart.
pub const MIN_ANSWERS_FOR_MEAN: u64 = 3;

/// A summary of ratings: count and mean (hidden below `min_count` answers).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RatingSummary {
    /// How many answered.
    pub count: u64,
    /// The mean rating, when shown.
    pub mean: Option<f64>,
}

/// Summarises `ratings`, showing the mean only from `min_count` answers on.
pub fn summarize(ratings: &[i32], min_count: u64) -> RatingSummary {
    let count = ratings.len() as u64;
    let mean = (count > 0 && count >= min_count)
        .then(|| f64::from(ratings.iter().sum::<i32>()) / ratings.len() as f64)
        .map(|m| (m * 100.0).round() / 100.0);
    RatingSummary { count, mean }
}

// ------------------------------------------------------------------------------------------------
// Auto-matching

/// A freshman to be matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Freshman {
    /// Student id.
    pub id: Uuid,
    /// Sort key for determinism (学号).
    pub key: String,
    /// Unit, if known.
    pub unit_id: Option<Uuid>,
    /// The discipline of the unit, if known (the unit itself when it is a discipline).
    pub discipline_id: Option<Uuid>,
    /// Year of enrolment.
    pub enrollment_year: i32,
}

/// A mentor who can take freshmen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentorSlot {
    /// Appointment id.
    pub appointment_id: Uuid,
    /// Sort key for determinism (the mentor's 学号).
    pub key: String,
    /// The unit the mentor serves.
    pub unit_id: Uuid,
    /// That unit's discipline (the unit itself when it is a discipline).
    pub discipline_id: Option<Uuid>,
    /// The mentor's year of enrolment.
    pub enrollment_year: i32,
    /// Capacity.
    pub capacity: u32,
    /// Mentees already paired.
    pub taken: u32,
}

string_enum! {
    /// How close a proposed pair is.
    pub enum MatchTier {
        /// Same unit.
        SameUnit = "same_unit",
        /// Same discipline.
        SameDiscipline = "same_discipline",
        /// Same college.
        SameCollege = "same_college",
    }
}

string_enum! {
    /// Why a freshman stayed unmatched.
    pub enum Unmatched {
        /// There are mentors, but all are full.
        NoCapacityLeft = "no_capacity_left",
        /// No mentor of the college could take them at all (none, or none senior to them).
        NoEligibleMentor = "no_eligible_mentor",
    }
}

/// One proposed pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposedPair {
    /// The freshman.
    pub mentee_id: Uuid,
    /// The mentor's appointment.
    pub appointment_id: Uuid,
    /// How close.
    pub tier: MatchTier,
}

/// The result of auto-matching.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Proposal {
    /// Proposed pairs, in freshman order.
    pub pairs: Vec<ProposedPair>,
    /// Freshmen left without a mentor, with the reason.
    pub unmatched: Vec<(Uuid, Unmatched)>,
}

/// A heap entry: the mentor with the lowest load (taken / capacity) first, ties by fewer taken,
/// then by key. `stamp` detects entries made stale by a later assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    taken: u32,
    capacity: u32,
    key_rank: usize,
    slot: usize,
    stamp: u32,
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        // BinaryHeap is a max-heap: "greater" means "pop first", so compare reversed.
        let lhs = u64::from(self.taken) * u64::from(other.capacity);
        let rhs = u64::from(other.taken) * u64::from(self.capacity);
        rhs.cmp(&lhs).then_with(|| other.taken.cmp(&self.taken)).then_with(|| other.key_rank.cmp(&self.key_rank))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Pairs freshmen with mentors: same unit first, then same discipline, then anywhere in the
/// college; never beyond a mentor's capacity; the least loaded (relative to capacity) mentor first
/// so load spreads evenly; deterministic (freshmen by key, ties by mentor key). A mentor must have
/// enrolled before the freshman. Runs in O((F + M) log M).
pub fn auto_match(freshmen: &[Freshman], mentors: &[MentorSlot]) -> Proposal {
    let mut order: Vec<usize> = (0..mentors.len()).collect();
    order.sort_by(|&a, &b| {
        mentors[a].key.cmp(&mentors[b].key).then(mentors[a].appointment_id.cmp(&mentors[b].appointment_id))
    });
    let mut rank = vec![0usize; mentors.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r;
    }
    let mut taken: Vec<u32> = mentors.iter().map(|m| m.taken).collect();
    let mut stamp = vec![0u32; mentors.len()];

    // One heap per unit, per discipline, and one for the college.
    let mut by_unit: HashMap<Uuid, BinaryHeap<Entry>> = HashMap::new();
    let mut by_discipline: HashMap<Uuid, BinaryHeap<Entry>> = HashMap::new();
    let mut college: BinaryHeap<Entry> = BinaryHeap::new();
    let entry = |i: usize, taken: &[u32], stamp: &[u32]| Entry {
        taken: taken[i],
        capacity: mentors[i].capacity,
        key_rank: rank[i],
        slot: i,
        stamp: stamp[i],
    };
    for (i, m) in mentors.iter().enumerate() {
        if taken[i] >= m.capacity {
            continue;
        }
        by_unit.entry(m.unit_id).or_default().push(entry(i, &taken, &stamp));
        if let Some(d) = m.discipline_id {
            by_discipline.entry(d).or_default().push(entry(i, &taken, &stamp));
        }
        college.push(entry(i, &taken, &stamp));
    }

    let mut fresh: Vec<&Freshman> = freshmen.iter().collect();
    fresh.sort_by(|a, b| a.key.cmp(&b.key).then(a.id.cmp(&b.id)));
    let mut assigned: Vec<Option<(usize, MatchTier)>> = vec![None; fresh.len()];

    // Pops the least-loaded fitting mentor of `heap` senior to `year`; entries that are stale or
    // full are dropped, fitting ones that are not senior enough are put back afterwards.
    fn pick(
        heap: &mut BinaryHeap<Entry>,
        taken: &[u32],
        stamp: &[u32],
        mentors: &[MentorSlot],
        year: i32,
    ) -> Option<usize> {
        let mut skipped = Vec::new();
        let mut found = None;
        while let Some(e) = heap.pop() {
            if e.stamp != stamp[e.slot] || taken[e.slot] >= mentors[e.slot].capacity {
                continue;
            }
            if mentors[e.slot].enrollment_year >= year {
                skipped.push(e);
                continue;
            }
            found = Some(e);
            break;
        }
        heap.extend(skipped);
        let e = found?;
        Some(e.slot)
    }

    for tier in [MatchTier::SameUnit, MatchTier::SameDiscipline, MatchTier::SameCollege] {
        for (fi, f) in fresh.iter().enumerate() {
            if assigned[fi].is_some() {
                continue;
            }
            let heap = match tier {
                MatchTier::SameUnit => f.unit_id.and_then(|u| by_unit.get_mut(&u)),
                MatchTier::SameDiscipline => f.discipline_id.and_then(|d| by_discipline.get_mut(&d)),
                MatchTier::SameCollege => Some(&mut college),
            };
            let Some(heap) = heap else { continue };
            let Some(slot) = pick(heap, &taken, &stamp, mentors, f.enrollment_year) else { continue };
            assigned[fi] = Some((slot, tier));
            taken[slot] += 1;
            stamp[slot] += 1;
            if taken[slot] < mentors[slot].capacity {
                let m = &mentors[slot];
                by_unit.entry(m.unit_id).or_default().push(entry(slot, &taken, &stamp));
                if let Some(d) = m.discipline_id {
                    by_discipline.entry(d).or_default().push(entry(slot, &taken, &stamp));
                }
                college.push(entry(slot, &taken, &stamp));
            }
        }
    }

    let mut proposal = Proposal::default();
    for (fi, f) in fresh.iter().enumerate() {
        match assigned[fi] {
            Some((slot, tier)) => proposal.pairs.push(ProposedPair {
                mentee_id: f.id,
                appointment_id: mentors[slot].appointment_id,
                tier,
            }),
            None => {
                let any_senior = mentors.iter().any(|m| m.enrollment_year < f.enrollment_year);
                let reason = if any_senior { Unmatched::NoCapacityLeft } else { Unmatched::NoEligibleMentor };
                proposal.unmatched.push((f.id, reason));
            }
        }
    }
    proposal
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::{Degree, Gender, PoliticalStatus};

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn freshman(n: u128, unit: Option<u128>, discipline: Option<u128>) -> Freshman {
        Freshman {
            id: id(n),
            key: format!("F{n:05}"),
            unit_id: unit.map(id),
            discipline_id: discipline.map(id),
            enrollment_year: 2025,
        }
    }

    fn mentor(n: u128, unit: u128, discipline: Option<u128>, capacity: u32) -> MentorSlot {
        MentorSlot {
            appointment_id: id(n),
            key: format!("M{n:05}"),
            unit_id: id(unit),
            discipline_id: discipline.map(id),
            enrollment_year: 2023,
            capacity,
            taken: 0,
        }
    }

    fn mentor_of(p: &Proposal, f: u128) -> Option<(Uuid, MatchTier)> {
        p.pairs.iter().find(|x| x.mentee_id == id(f)).map(|x| (x.appointment_id, x.tier))
    }

    #[test]
    fn same_unit_comes_first_then_discipline_then_college() {
        let mentors = [mentor(100, 1, Some(10), 5), mentor(200, 2, Some(10), 5), mentor(300, 3, Some(20), 5)];
        let freshmen = [freshman(1, Some(1), Some(10)), freshman(2, Some(4), Some(10)), freshman(3, Some(5), Some(30))];
        let p = auto_match(&freshmen, &mentors);
        assert_eq!(mentor_of(&p, 1), Some((id(100), MatchTier::SameUnit)));
        let (m2, t2) = mentor_of(&p, 2).unwrap();
        assert_eq!(t2, MatchTier::SameDiscipline);
        assert!(m2 == id(200), "the least loaded mentor of the discipline: {m2}");
        assert_eq!(mentor_of(&p, 3).map(|x| x.1), Some(MatchTier::SameCollege));
        assert!(p.unmatched.is_empty());
    }

    #[test]
    fn a_later_same_unit_freshman_is_not_starved_by_an_earlier_college_wide_one() {
        // One mentor with one place in unit 1. F1 (unit 9) sorts first but has no unit mentor;
        // F2 (unit 1) must still get the unit mentor, because same-unit pairs are made first.
        let mentors = [mentor(100, 1, None, 1)];
        let freshmen = [freshman(1, Some(9), None), freshman(2, Some(1), None)];
        let p = auto_match(&freshmen, &mentors);
        assert_eq!(mentor_of(&p, 2), Some((id(100), MatchTier::SameUnit)));
        assert_eq!(p.unmatched, vec![(id(1), Unmatched::NoCapacityLeft)]);
    }

    #[test]
    fn capacity_is_never_exceeded_and_counts_existing_mentees() {
        let mut m = mentor(100, 1, None, 3);
        m.taken = 2;
        let freshmen: Vec<_> = (1..=5).map(|n| freshman(n, Some(1), None)).collect();
        let p = auto_match(&freshmen, &[m]);
        assert_eq!(p.pairs.len(), 1);
        assert_eq!(p.unmatched.len(), 4);
        assert!(p.unmatched.iter().all(|(_, r)| *r == Unmatched::NoCapacityLeft));
    }

    #[test]
    fn load_spreads_evenly_relative_to_capacity() {
        let mentors = [mentor(100, 1, None, 2), mentor(200, 1, None, 4), mentor(300, 1, None, 6)];
        let freshmen: Vec<_> = (1..=6).map(|n| freshman(n, Some(1), None)).collect();
        let p = auto_match(&freshmen, &mentors);
        let count = |m: u128| p.pairs.iter().filter(|x| x.appointment_id == id(m)).count();
        assert_eq!((count(100), count(200), count(300)), (1, 2, 3));
        let freshmen: Vec<_> = (1..=9).map(|n| freshman(n, Some(1), None)).collect();
        let equal = [mentor(100, 1, None, 5), mentor(200, 1, None, 5), mentor(300, 1, None, 5)];
        let p = auto_match(&freshmen, &equal);
        let counts: Vec<usize> =
            [100, 200, 300].iter().map(|m| p.pairs.iter().filter(|x| x.appointment_id == id(*m)).count()).collect();
        assert_eq!(counts, [3, 3, 3]);
    }

    #[test]
    fn the_same_input_gives_the_same_output_whatever_its_order() {
        let mentors: Vec<_> =
            (0..7).map(|i| mentor(100 + i, 1 + i % 3, Some(10 + i % 2), 2 + (i % 3) as u32)).collect();
        let freshmen: Vec<_> = (0..20).map(|i| freshman(i, Some(1 + i % 4), Some(10 + i % 3))).collect();
        let a = auto_match(&freshmen, &mentors);
        let mut rf = freshmen.clone();
        rf.reverse();
        let mut rm = mentors.clone();
        rm.reverse();
        let b = auto_match(&rf, &rm);
        assert_eq!(a, b);
    }

    #[test]
    fn unmatched_freshmen_are_explained() {
        let freshmen = [freshman(1, Some(1), None)];
        assert_eq!(auto_match(&freshmen, &[]).unmatched, vec![(id(1), Unmatched::NoEligibleMentor)]);
        let mut junior = mentor(100, 1, None, 5);
        junior.enrollment_year = 2025;
        assert_eq!(auto_match(&freshmen, &[junior.clone()]).unmatched, vec![(id(1), Unmatched::NoEligibleMentor)]);
        junior.enrollment_year = 2024;
        assert_eq!(auto_match(&freshmen, &[junior]).pairs.len(), 1);
    }

    #[test]
    fn a_mentor_not_senior_to_a_freshman_is_skipped_but_kept_for_others() {
        let mut m = mentor(100, 1, None, 2);
        m.enrollment_year = 2025;
        let mut late = freshman(2, Some(1), None);
        late.enrollment_year = 2026;
        let p = auto_match(&[freshman(1, Some(1), None), late], &[m]);
        assert_eq!(mentor_of(&p, 2).map(|x| x.0), Some(id(100)));
        assert_eq!(p.unmatched, vec![(id(1), Unmatched::NoEligibleMentor)]);
    }

    fn student(enrolled: i32, college: Uuid, unit: Option<Uuid>) -> Student {
        let now = Utc::now();
        Student {
            id: Uuid::now_v7(),
            student_no: "2025001".into(),
            name: "新生".into(),
            gender: Gender::Male,
            college_id: college,
            unit_id: unit,
            degree: Degree::Master,
            enrollment_year: enrolled,
            political_status: PoliticalStatus::LeagueMember,
            supervisor_id: None,
            counselor_id: None,
            phone: None,
            email: None,
            status: StudentStatus::Enrolled,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    fn appointment(college: Uuid, unit: Uuid, state: AppointmentState) -> Appointment {
        let now = Utc::now();
        Appointment {
            id: Uuid::now_v7(),
            nomination_id: Uuid::now_v7(),
            student_id: Uuid::now_v7(),
            academic_year_id: Uuid::now_v7(),
            college_id: college,
            unit_id: unit,
            capacity: 3,
            state,
            training_completed_on: None,
            training_note: None,
            dismissal_request: None,
            introduction: None,
            contact_for_mentees: None,
            ended_at: None,
            end_reason: None,
            appointed_by: None,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    fn code(r: Result<bool>) -> &'static str {
        match r {
            Err(Error::Conflict { code, .. }) => code.as_str(),
            Ok(_) => "ok",
            Err(_) => "other",
        }
    }

    #[test]
    fn the_pairing_rules_each_have_their_code() {
        let c = Uuid::now_v7();
        let unit = Uuid::now_v7();
        let a = appointment(c, unit, AppointmentState::Active);
        let mentor = student(2023, c, Some(unit));
        assert_eq!(check_pairing(&a, &mentor, &student(2025, c, Some(unit))), Ok(false));
        assert_eq!(check_pairing(&a, &mentor, &student(2025, c, Some(Uuid::now_v7()))), Ok(true));
        assert_eq!(code(check_pairing(&a, &mentor, &student(2025, Uuid::now_v7(), None))), "different_college");
        assert_eq!(code(check_pairing(&a, &mentor, &student(2023, c, None))), "mentor_not_senior");
        assert_eq!(code(check_pairing(&a, &mentor, &mentor.clone())), "self_pairing");
        let mut graduated = student(2025, c, None);
        graduated.status = StudentStatus::Graduated;
        assert_eq!(code(check_pairing(&a, &mentor, &graduated)), "mentee_not_enrolled");
        let ended = appointment(c, unit, AppointmentState::Dismissed);
        assert_eq!(code(check_pairing(&ended, &mentor, &student(2025, c, None))), "appointment_not_active");
        assert!(check_capacity(2, 3).is_ok());
        assert!(matches!(check_capacity(3, 3), Err(Error::Conflict { code: ConflictCode::CapacityExceeded, .. })));
    }

    #[test]
    fn a_new_pairing_follows_the_rules_and_an_ended_one_ends_once() {
        let c = Uuid::now_v7();
        let unit = Uuid::now_v7();
        let a = appointment(c, unit, AppointmentState::Active);
        let mentor = student(2023, c, Some(unit));
        let mentee = student(2025, c, Some(Uuid::now_v7()));
        let at = Utc::now();
        let by = Some(Uuid::now_v7());
        let (p, events) = Pairing::new(&a, &mentor, &mentee, PairingSource::Manual, by, at).unwrap();
        assert_eq!(events, [DomainEvent::PairingMade]);
        assert_eq!((p.appointment_id, p.mentor_id, p.mentee_id), (a.id, a.student_id, mentee.id));
        assert_eq!((p.academic_year_id, p.college_id), (a.academic_year_id, c));
        assert!(p.cross_unit, "the mentee is of another unit");
        assert_eq!((p.state, p.source, p.created_by, p.version), (PairingState::Active, PairingSource::Manual, by, 1));
        assert!(matches!(
            Pairing::new(&a, &mentor, &mentor, PairingSource::AutoMatch, by, at),
            Err(Error::Conflict { code: ConflictCode::SelfPairing, .. })
        ));
        let later = at + chrono::Duration::seconds(5);
        let (e, events) = p.end(EndReason::Request, Some("换导师".into()), later).unwrap();
        assert_eq!(events, [DomainEvent::PairingEnded]);
        assert_eq!(
            (e.state, e.end_reason, e.end_note.as_deref()),
            (PairingState::Ended, Some(EndReason::Request), Some("换导师"))
        );
        assert_eq!((e.ended_at, e.updated_at, e.version), (Some(later), later, 2));
        assert!(matches!(e.end(EndReason::Graduation, None, later), Err(Error::InvalidTransition { .. })));
    }

    #[test]
    fn a_freshman_is_enrolled_in_the_years_first_year_and_still_enrolled() {
        let c = Uuid::now_v7();
        assert!(is_freshman(&student(2025, c, None), 2025));
        assert!(!is_freshman(&student(2024, c, None), 2025));
        assert!(!is_freshman(&student(2026, c, None), 2025));
        let mut left = student(2025, c, None);
        left.status = StudentStatus::Withdrawn;
        assert!(!is_freshman(&left, 2025));
    }

    #[test]
    fn a_pairing_ends_once() {
        assert_eq!(PairingState::Active.end(), Ok(PairingState::Ended));
        assert!(matches!(PairingState::Ended.end(), Err(Error::InvalidTransition { .. })));
    }

    #[test]
    fn a_mentor_sees_the_mean_only_of_closed_terms_with_enough_answers() {
        let closed = |r: &[i32]| TermRatings { ended: true, ratings: r.to_vec() };
        let open = |r: &[i32]| TermRatings { ended: false, ratings: r.to_vec() };
        assert_eq!(mentor_summary(&[open(&[5, 4, 3, 2])]), RatingSummary { count: 4, mean: None });
        assert_eq!(mentor_summary(&[closed(&[5, 4, 3])]), RatingSummary { count: 3, mean: Some(4.0) });
        // A closed term with too few answers is counted but not averaged, nor is the open one.
        assert_eq!(
            mentor_summary(&[closed(&[5, 4, 3]), closed(&[1]), open(&[1, 1, 1])]),
            RatingSummary { count: 7, mean: Some(4.0) }
        );
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(Term::Autumn.ends_on(2025), d(2026, 1, 31));
        assert_eq!(Term::Spring.ends_on(2025), d(2026, 8, 31));
    }

    #[test]
    fn terms_split_the_year_and_ratings_summarise_without_identifying() {
        let d = |m| NaiveDate::from_ymd_opt(2025, m, 15).unwrap();
        assert_eq!(Term::of(d(9)), Term::Autumn);
        assert_eq!(Term::of(d(1)), Term::Autumn);
        assert_eq!(Term::of(d(3)), Term::Spring);
        assert_eq!(Term::of(d(8)), Term::Spring);
        assert!(check_rating(0).is_err() && check_rating(6).is_err() && check_rating(5).is_ok());
        assert_eq!(summarize(&[5, 4], MIN_ANSWERS_FOR_MEAN), RatingSummary { count: 2, mean: None });
        assert_eq!(summarize(&[5, 4, 4], MIN_ANSWERS_FOR_MEAN), RatingSummary { count: 3, mean: Some(4.33) });
        assert_eq!(summarize(&[2], 0), RatingSummary { count: 1, mean: Some(2.0) });
        assert_eq!(summarize(&[], 0), RatingSummary { count: 0, mean: None });
    }
}
