//! The year's assessment of a mentor (考核, issue 15): the college grades within the academic
//! year's assessment window, the university confirms and may change the grade. Each write is one
//! transaction with its audit record and change-feed event (ids, grade and state only — never
//! the comment). The rules are `domain::yearend::grade`; "now" is the application clock.

use chrono::{DateTime, Utc};
use domain::auth::Principal;
use domain::codes::{AuditAction, DomainEvent};
use domain::policy::{self, Visibility};
use domain::yearend::{Assessment, AssessmentState, AssessmentWindow, Grade, Graded, Grader, Grading};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;
use uuid::Uuid;

use crate::entities::assessment::{ActiveModel, Column, Entity, Model};
use crate::entities::{academic_year, appointment};
use crate::enums::DbAppointmentState;
use crate::query::{check_version, constraint, not_found};
use crate::{Db, Result, audit, events};

const RESOURCE: &str = "assessment";

/// An appointment's assessment as read: the grade that holds (a dismissed mentor's is
/// `unsatisfactory` whatever was recorded), and the record of who graded and confirmed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentView {
    /// The appointment.
    pub appointment_id: Uuid,
    /// Its academic year.
    pub academic_year_id: Uuid,
    /// The mentor's college.
    pub college_id: Uuid,
    /// The grade that holds: `unsatisfactory` for a dismissed mentor, else the recorded grade;
    /// `None` while nobody has graded.
    pub grade: Option<Grade>,
    /// Whether the mentor was dismissed (so `unsatisfactory` by definition).
    pub dismissed: bool,
    /// Whether the appointment is still active (so an `unsatisfactory` grade may lead to a
    /// dismissal).
    pub active: bool,
    /// The recorded assessment, if any.
    pub recorded: Option<Assessment>,
    /// The year's assessment window, when set.
    pub window: Option<AssessmentWindow>,
    /// The record's version (0 before the first grade).
    pub version: i32,
}

/// What the audit log and the feed say of an assessment: ids, grade and state.
#[derive(Serialize)]
struct Trace {
    appointment_id: Uuid,
    college_id: Uuid,
    grade: Grade,
    state: AssessmentState,
}

fn trace(m: &Model) -> Trace {
    Trace { appointment_id: m.appointment_id, college_id: m.college_id, grade: m.grade.into(), state: m.state.into() }
}

fn to_domain(m: &Model) -> Assessment {
    Assessment {
        appointment_id: m.appointment_id,
        grade: m.grade.into(),
        comment: m.comment.clone(),
        state: m.state.into(),
        graded_by: m.graded_by,
        graded_at: m.graded_at,
        confirmed_by: m.confirmed_by,
        confirmed_at: m.confirmed_at,
    }
}

/// Whether `who` sees the assessment of an appointment of `college_id` held by `mentor`: the
/// mentor, the college's admins and counselors, the university.
fn sees(who: &Principal, college_id: Uuid, mentor: Uuid) -> bool {
    match policy::selection_visibility(who) {
        Ok(Visibility::All) => true,
        Ok(Visibility::College(c)) => c == college_id,
        Ok(Visibility::Student(s)) => s == mentor,
        _ => false,
    }
}

async fn window_of<C: ConnectionTrait>(conn: &C, a: &appointment::Model) -> Result<Option<AssessmentWindow>> {
    let y = academic_year::Entity::find_by_id(a.academic_year_id)
        .one(conn)
        .await?
        .ok_or_else(|| crate::Error::Internal(format!("appointment {} has no academic year", a.id)))?;
    Ok(crate::reference::years::to_domain(y).policy.assessment_window())
}

fn view(a: &appointment::Model, m: Option<&Model>, window: Option<AssessmentWindow>) -> AssessmentView {
    let dismissed = a.state == DbAppointmentState::Dismissed;
    let recorded = m.map(to_domain);
    AssessmentView {
        appointment_id: a.id,
        academic_year_id: a.academic_year_id,
        college_id: a.college_id,
        grade: if dismissed { Some(Grade::Unsatisfactory) } else { recorded.as_ref().map(|r| r.grade) },
        dismissed,
        active: a.state == DbAppointmentState::Active,
        recorded,
        window,
        version: m.map_or(0, |m| m.version),
    }
}

/// The assessment of an appointment, for those who see it; `NotFound` for everyone else.
pub async fn get(db: &Db, who: &Principal, appointment_id: Uuid) -> Result<AssessmentView> {
    let conn = db.reader();
    let a = appointment::Entity::find_by_id(appointment_id).one(conn).await?.ok_or_else(|| not_found("appointment"))?;
    if !sees(who, a.college_id, a.student_id) {
        return Err(not_found("appointment"));
    }
    let m = Entity::find().filter(Column::AppointmentId.eq(a.id)).one(conn).await?;
    let window = window_of(conn, &a).await?;
    Ok(view(&a, m.as_ref(), window))
}

/// What a grading asks for: the grade (the recorded one when `None`) and the comment (the recorded
/// one when `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GradeCommand {
    /// The grade.
    pub grade: Option<Grade>,
    /// Why.
    pub comment: Option<String>,
}

/// The college's admin (or a university admin, which also confirms) grades the year: `PUT
/// /appointments/{id}/assessment`.
pub async fn grade(
    db: &Db,
    who: &Principal,
    appointment_id: Uuid,
    cmd: GradeCommand,
    if_match: Option<i32>,
) -> Result<AssessmentView> {
    set(db, who, appointment_id, cmd, if_match, false).await
}

/// A university admin confirms the grade, possibly changing it: `POST
/// /appointments/{id}/assessment/confirm`.
pub async fn confirm(
    db: &Db,
    who: &Principal,
    appointment_id: Uuid,
    cmd: GradeCommand,
    if_match: Option<i32>,
) -> Result<AssessmentView> {
    set(db, who, appointment_id, cmd, if_match, true).await
}

async fn set(
    db: &Db,
    who: &Principal,
    appointment_id: Uuid,
    cmd: GradeCommand,
    if_match: Option<i32>,
    confirming: bool,
) -> Result<AssessmentView> {
    let now: DateTime<Utc> = db.clock().now();
    let tx = db.begin().await?;
    // The appointment is locked so that two first grades of the same year queue up.
    let a = appointment::Entity::find_by_id(appointment_id)
        .lock_exclusive()
        .one(&tx)
        .await?
        .ok_or_else(|| not_found("appointment"))?;
    if !sees(who, a.college_id, a.student_id) {
        return Err(not_found("appointment"));
    }
    let by = policy::assessment_grader(who, a.college_id)?;
    if confirming && by != Grader::University {
        return Err(domain::Error::Forbidden("only the university confirms an assessment".into()).into());
    }
    let user = who.actor().id.ok_or_else(|| domain::Error::Forbidden("only a user grades".into()))?;
    let before = Entity::find().filter(Column::AppointmentId.eq(a.id)).lock_exclusive().one(&tx).await?;
    if let Some(b) = &before {
        check_version(if_match, b.version)?;
    }
    let dismissed = a.state == DbAppointmentState::Dismissed;
    let recorded = before.as_ref().map(to_domain);
    let grade = cmd
        .grade
        .or(dismissed.then_some(Grade::Unsatisfactory))
        .or(recorded.as_ref().map(|r| r.grade))
        .ok_or_else(|| domain::Error::invalid("grade", "required", "nothing graded yet: give a grade"))?;
    let comment = cmd.comment.or(recorded.as_ref().map(|r| r.comment.clone())).unwrap_or_default();
    let window = window_of(&tx, &a).await?;
    let next = domain::yearend::grade(
        recorded.as_ref(),
        Graded { appointment_id: a.id, dismissed },
        Grading { by, who: user, grade, comment: &comment },
        window.as_ref(),
        now,
    )?;
    let (action, event) = match next.state {
        AssessmentState::Confirmed => (AuditAction::AssessmentConfirm, DomainEvent::AssessmentConfirmed),
        AssessmentState::Graded => (AuditAction::AssessmentGrade, DomainEvent::AssessmentGraded),
    };
    let fields = |m: ActiveModel| ActiveModel {
        grade: Set(next.grade.into()),
        comment: Set(next.comment.clone()),
        state: Set(next.state.into()),
        graded_by: Set(next.graded_by),
        graded_at: Set(next.graded_at),
        confirmed_by: Set(next.confirmed_by),
        confirmed_at: Set(next.confirmed_at),
        updated_at: Set(now),
        ..m
    };
    let saved = match &before {
        Some(b) => {
            let after = fields(ActiveModel { id: Set(b.id), version: Set(b.version + 1), ..Default::default() })
                .update(&tx)
                .await?;
            audit::record(
                &tx,
                who.actor(),
                action,
                RESOURCE,
                Some(after.id),
                audit::updated(&trace(b), &trace(&after)),
            )
            .await?;
            after
        }
        None => {
            let after = fields(ActiveModel {
                id: Set(Uuid::now_v7()),
                appointment_id: Set(a.id),
                academic_year_id: Set(a.academic_year_id),
                college_id: Set(a.college_id),
                version: Set(1),
                created_at: Set(now),
                ..Default::default()
            })
            .insert(&tx)
            .await
            .map_err(|e| constraint(e, "the appointment was graded at the same time; read it again", "-"))?;
            audit::record(&tx, who.actor(), action, RESOURCE, Some(after.id), audit::created(&trace(&after))).await?;
            after
        }
    };
    events::emit(&tx, event, RESOURCE, saved.id, &trace(&saved)).await?;
    let out = view(&a, Some(&saved), window);
    tx.commit().await?;
    Ok(out)
}
