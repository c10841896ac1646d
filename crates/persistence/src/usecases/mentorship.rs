//! The mentorship lifecycle: appoint, pair, end a pairing, dismiss, resign, change a mentor's
//! capacity, close the year. Each function is one transaction, read top to bottom: load and lock
//! what it changes (through the repositories), let the domain decide the transition, save the
//! results with their audit entries and change-feed events, commit.
//!
//! Lock order, shared by every workflow here so that none waits on another in a circle: the
//! academic year (shared, or exclusive when closing it), then appointments (in id order), then
//! pairings, profiles and activities; the change feed's counter last (its first event holds it
//! until the commit).

use chrono::{DateTime, Utc};
use domain::appointment::{Appointment, AppointmentAction};
use domain::auth::Principal;
use domain::pairing::{EndReason, Pairing, PairingSource, check_capacity};
use domain::policy::{self, DismissalPower};
use domain::reference::{AcademicYear, check_capacity as check_capacity_range};
use domain::selection::NominationAction;
use domain::{AuditAction, ConflictCode, DomainEvent, Problems};
use sea_orm::DatabaseTransaction;
use uuid::Uuid;

use crate::activities;
use crate::pairings::{self, PairingView, Person};
use crate::query::not_found;
use crate::reference::{students, years};
use crate::selection::appointments::{self, AppointmentView};
use crate::selection::{nominations, photos, profiles};
use crate::{Db, Error, Result, audit, events};

// ------------------------------------------------------------------------------------------------
// Appointing (校聘)

/// Appoints the student of a recommended nomination for its year and unit (university admins).
/// The mentor's capacity is the year's default unless given.
pub async fn appoint(db: &Db, who: &Principal, nomination_id: Uuid, capacity: Option<i32>) -> Result<AppointmentView> {
    policy::appoint(who)?;
    let tx = db.begin().await?;
    let a = appoint_in(&tx, who, nomination_id, capacity, crate::now()).await?;
    let out = appointments::one_view(&tx, a).await?;
    tx.commit().await?;
    Ok(out)
}

/// Appoints every recommended nomination of a college and year in one transaction: all or
/// nothing. When any fails, nothing is written and every failure is reported, one field error per
/// nomination (`nominations[<id>]`).
pub async fn appoint_all(
    db: &Db,
    who: &Principal,
    college_id: Uuid,
    academic_year_id: Uuid,
    capacity: Option<i32>,
) -> Result<Vec<AppointmentView>> {
    policy::appoint(who)?;
    let tx = db.begin().await?;
    appointments::year_of(&tx, academic_year_id).await.map_err(|_| {
        Error::from(domain::Error::invalid("academic_year_id", "invalid_reference", "no such academic year"))
    })?;
    let list = nominations::recommended_of(&tx, college_id, academic_year_id).await?;
    let at = crate::now();
    let mut made = Vec::with_capacity(list.len());
    let mut problems = Problems::new();
    for n in list {
        // Each attempt runs in a savepoint so that one failure leaves the others' checks valid.
        let sp = sea_orm::TransactionTrait::begin(&tx).await?;
        match appoint_in(&sp, who, n.id, capacity, at).await {
            Ok(a) => {
                sp.commit().await?;
                made.push(a);
            }
            Err(Error::Domain(e)) => {
                sp.rollback().await?;
                problems.push(format!("nominations[{}]", n.id), problem_code(&e), e.to_string());
            }
            Err(e) => return Err(e),
        }
    }
    problems.finish()?;
    let out = appointments::with_mentors(&tx, made).await?;
    tx.commit().await?;
    Ok(out)
}

/// Makes one appointment from a recommended nomination inside `tx`: re-checks eligibility
/// (something may have changed since the recommendation), marks the nomination appointed with a
/// conditional update, and inserts the appointment (one active per student and year).
async fn appoint_in(
    tx: &DatabaseTransaction,
    who: &Principal,
    nomination_id: Uuid,
    capacity: Option<i32>,
    at: DateTime<Utc>,
) -> Result<Appointment> {
    let n = nominations::for_appointment(tx, nomination_id).await?;
    n.state.apply(NominationAction::Appoint)?;
    let current = nominations::views(tx, vec![n.clone()]).await?.pop().ok_or_else(|| not_found("nomination"))?;
    n.check_recommendable(&current.eligibility)?;
    let year = appointments::open_year(tx, n.academic_year_id).await?;
    let capacity = check_capacity_range("capacity", capacity.unwrap_or(year.policy.default_capacity))
        .map_err(|e| domain::Error::Validation(vec![e]))?;
    nominations::mark_appointed(tx, who, &n, at).await?;
    let (a, events) = Appointment::appoint(&n, capacity, who.actor().id, at);
    let clash = format!("{} already holds an active appointment for {}", current.student.name, year.code);
    appointments::insert(tx, who, &a, &events, &clash).await?;
    Ok(a)
}

/// The code a refused nomination of a bulk appointment is reported with.
fn problem_code(e: &domain::Error) -> String {
    match e {
        domain::Error::Conflict { code, .. } => code.as_str().to_owned(),
        domain::Error::InvalidTransition { .. } => ConflictCode::InvalidTransition.as_str().to_owned(),
        domain::Error::Validation(v) => v.first().map(|f| f.code.clone()).unwrap_or_else(|| "invalid".into()),
        _ => "refused".into(),
    }
}

// ------------------------------------------------------------------------------------------------
// Pairing (结对子)

/// Pairs a mentee with the mentor of an active appointment (the university or the college's
/// admin). Every rule of the domain applies; the mentor's capacity and the mentee's one mentor are
/// enforced under the appointment's lock.
pub async fn pair(db: &Db, who: &Principal, appointment_id: Uuid, mentee_id: Uuid) -> Result<PairingView> {
    let tx = db.begin().await?;
    // The year before the appointment, the order closing a year takes them in.
    let year_id = appointments::year_id_of(&tx, appointment_id).await?;
    appointments::open_year(&tx, year_id).await?;
    let a = appointments::lock_visible(&tx, who, appointment_id).await?;
    policy::manage_pairings(who, a.college_id)?;
    let studs = students::by_id(&tx, [a.student_id, mentee_id]).await?;
    let mentor = studs.get(&a.student_id).ok_or_else(|| not_found("student"))?;
    let mentee = studs
        .get(&mentee_id)
        .ok_or_else(|| Error::from(domain::Error::invalid("mentee_id", "invalid_reference", "no such student")))?;
    let (p, events) = Pairing::new(&a, mentor, mentee, PairingSource::Manual, who.actor().id, crate::now())?;
    check_capacity(pairings::active_count(&tx, a.id).await?, a.capacity)?;
    pairings::insert(&tx, who, &p, &events).await?;
    let out = pairings::one_view(&tx, who, p).await?;
    tx.commit().await?;
    Ok(out)
}

/// Ends a pairing with a reason; it stays in the history. The college (or the university) may end
/// any; the mentor or the mentee may end their own only `by request`.
pub async fn end_pairing(
    db: &Db,
    who: &Principal,
    id: Uuid,
    reason: EndReason,
    note: Option<String>,
    if_match: Option<i32>,
) -> Result<PairingView> {
    let tx = db.begin().await?;
    let before = pairings::lock_visible(&tx, who, id).await?;
    policy::end_pairing(who, &before, reason)?;
    crate::query::check_version(if_match, before.version)?;
    let (after, events) = before.end(reason, note, crate::now())?;
    pairings::save_ended(&tx, who, &before, &after, &events).await?;
    let out = pairings::one_view(&tx, who, after).await?;
    tx.commit().await?;
    Ok(out)
}

// ------------------------------------------------------------------------------------------------
// Ending a term early: dismissal (解聘) and resignation

/// What a dismissal call did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dismissal {
    /// The university dismissed the mentor.
    Dismissed(AppointmentView),
    /// The college asked the university to dismiss the mentor.
    Requested(AppointmentView),
}

/// 解聘: the university dismisses at once; a college admin of the mentor's college only files a
/// request, which the university then decides. A reason is always required.
pub async fn dismiss(db: &Db, who: &Principal, id: Uuid, reason: String, if_match: Option<i32>) -> Result<Dismissal> {
    let tx = db.begin().await?;
    let before = appointments::load_for_change(&tx, who, id, if_match).await?;
    let out = match policy::dismissal_power(who, before.college_id)? {
        DismissalPower::Decide => {
            let (after, events) = before.dismiss(reason, crate::now())?;
            let released = end_term_early(&tx, who, &before, EndReason::Dismissal).await?;
            let after = appointments::save(&tx, who, &before, after, AuditAction::AppointmentDismiss, &events).await?;
            Dismissal::Dismissed(appointments::view_with_released(&tx, after, released).await?)
        }
        DismissalPower::Request => {
            let after = before.request_dismissal(reason, who.actor().id, crate::now())?;
            let after =
                appointments::save(&tx, who, &before, after, AuditAction::AppointmentRequestDismissal, &[]).await?;
            Dismissal::Requested(appointments::one_view(&tx, after).await?)
        }
    };
    tx.commit().await?;
    Ok(out)
}

/// The mentor resigns (or the university records a resignation). A reason is required.
pub async fn resign(
    db: &Db,
    who: &Principal,
    id: Uuid,
    reason: String,
    if_match: Option<i32>,
) -> Result<AppointmentView> {
    let tx = db.begin().await?;
    let before = appointments::load_for_change(&tx, who, id, if_match).await?;
    policy::resign(who, before.student_id)?;
    let (after, events) = before.resign(reason, crate::now())?;
    let released = end_term_early(&tx, who, &before, EndReason::Resignation).await?;
    let after = appointments::save(&tx, who, &before, after, AuditAction::AppointmentResign, &events).await?;
    let out = appointments::view_with_released(&tx, after, released).await?;
    tx.commit().await?;
    Ok(out)
}

/// What a term that ends early takes with it: the public profile is withdrawn (its photo deleted), upcoming
/// activities lose the mentor as host, and every active pairing ends (its mentees need a new
/// mentor; they are returned). The account stops acting as a mentor: that follows from the
/// appointment no longer being active.
///
/// Every row this changes is locked before the first event takes the feed's counter, so it never
/// waits for a row while holding the counter.
async fn end_term_early(
    tx: &DatabaseTransaction,
    who: &Principal,
    a: &Appointment,
    reason: EndReason,
) -> Result<Vec<Person>> {
    profiles::withdraw_all(tx, who, &[a.id]).await?;
    photos::withdraw_all(tx, who, &[a.id]).await?;
    activities::release_host(tx, who, a.id, a.student_id).await?;
    end_pairings(tx, who, pairings::lock_active_of_appointment(tx, a.id).await?, reason).await
}

/// Ends each of `list` for `reason`; returns their mentees.
async fn end_pairings(
    tx: &DatabaseTransaction,
    who: &Principal,
    list: Vec<Pairing>,
    reason: EndReason,
) -> Result<Vec<Person>> {
    let at = crate::now();
    for before in &list {
        let (after, events) = before.end(reason, None, at)?;
        pairings::save_ended(tx, who, before, &after, &events).await?;
    }
    let studs = students::by_id(tx, list.iter().map(|p| p.mentee_id)).await?;
    Ok(list.iter().filter_map(|p| studs.get(&p.mentee_id)).map(Person::from).collect())
}

// ------------------------------------------------------------------------------------------------
// Changing a serving appointment

/// Changes to a serving appointment: its capacity (the college or the university; never below
/// the active mentees) and the contact details shared with mentees (the mentor, or the college).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AppointmentChanges {
    /// New capacity.
    pub capacity: Option<i32>,
    /// New contact details for mentees (`Some(None)` clears them).
    pub contact_for_mentees: Option<Option<String>>,
}

/// Changes a serving appointment. The capacity is changed under the appointment's lock, the same
/// lock pairing takes, so a pairing made meanwhile is counted.
pub async fn change_appointment(
    db: &Db,
    who: &Principal,
    id: Uuid,
    c: AppointmentChanges,
    if_match: Option<i32>,
) -> Result<AppointmentView> {
    let tx = db.begin().await?;
    let before = appointments::load_for_change(&tx, who, id, if_match).await?;
    before.state.apply(AppointmentAction::Record)?;
    let mut after = before.clone();
    if let Some(capacity) = c.capacity {
        policy::manage_pairings(who, before.college_id)?;
        let capacity = check_capacity_range("capacity", capacity).map_err(|e| domain::Error::Validation(vec![e]))?;
        after = after.change_capacity(capacity, pairings::active_count(&tx, before.id).await?)?;
    }
    if let Some(contact) = c.contact_for_mentees {
        if !policy::is_student(who, before.student_id) {
            policy::manage_pairings(who, before.college_id)?;
        }
        after.contact_for_mentees = contact;
    }
    let after = appointments::save(&tx, who, &before, after, AuditAction::AppointmentUpdate, &[]).await?;
    let out = appointments::one_view(&tx, after).await?;
    tx.commit().await?;
    Ok(out)
}

// ------------------------------------------------------------------------------------------------
// Closing the year

/// Closes an academic year: its active appointments become completed (their public profiles
/// are withdrawn, their pairings end) and the year takes no more nominations. Idempotent: closing
/// a closed year changes nothing. Returns the year and how many appointments this call completed.
pub async fn close_year(db: &Db, who: &Principal, year_id: Uuid) -> Result<(AcademicYear, u64)> {
    policy::appoint(who)?;
    let tx = db.begin().await?;
    let before = years::lock(&tx, year_id).await?;
    // Lock the year's active appointments (in id order) before anything is written: a dismissal
    // that commits meanwhile is then seen as dismissed, never overwritten as completed.
    let active = appointments::lock_active_of_year(&tx, year_id).await?;
    let completed = active.len() as u64;
    let ids: Vec<Uuid> = active.iter().map(|a| a.id).collect();
    profiles::withdraw_all(&tx, who, &ids).await?;
    photos::withdraw_all(&tx, who, &ids).await?;
    end_pairings(&tx, who, pairings::lock_active_of_year(&tx, year_id).await?, EndReason::TermCompleted).await?;
    let at = crate::now();
    for a in active {
        let (after, events) = a.complete(at)?;
        appointments::save(&tx, who, &a, after, AuditAction::AppointmentComplete, &events).await?;
    }
    let year = if before.closed {
        before
    } else {
        let mut after = before.clone();
        after.closed = true;
        after.version += 1;
        after.updated_at = crate::now();
        years::save(&tx, &after).await?;
        audit::record(
            &tx,
            who.actor(),
            AuditAction::AcademicYearClose,
            "academic_year",
            Some(year_id),
            audit::updated(&before, &after),
        )
        .await?;
        events::emit(&tx, DomainEvent::AcademicYearClosed, "academic_year", year_id, &after).await?;
        after
    };
    tx.commit().await?;
    Ok((year, completed))
}
