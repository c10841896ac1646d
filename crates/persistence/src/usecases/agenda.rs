//! Each user's to-do list (`GET /me/agenda`, issue 16): the rows that ask the caller to act, found
//! by a few filtered queries (each bounded by the caller's own work), the due dates and the order
//! from `domain::agenda`. Read-only. The academic years the items need (those of the caller's
//! concerns, the open ones for a college admin's milestones) are read once, in one statement.

use std::collections::HashMap;

use chrono::Duration;
use domain::agenda::{self, AgendaItem, AgendaKind};
use domain::auth::{Principal, Role};
use sea_orm::sea_query::{Condition, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::entities::{
    academic_year, activity, activity_feedback, activity_registration, appointment, award_nomination, award_round,
    award_score, concern, concern_recipient, help_request, mentor_profile, pairing, work_record, work_record_student,
};
use crate::enums::{
    DbActivityState, DbAppointmentState, DbConcernState, DbConcernUrgency, DbHelpState, DbPairingState, DbRoundState,
};
use crate::{Db, Result};

/// The caller's agenda at the application clock's now, earliest due first. Service clients have
/// none.
pub async fn agenda(db: &Db, who: &Principal) -> Result<Vec<AgendaItem>> {
    let Principal::User(u) = who else { return Ok(Vec::new()) };
    let conn = db.reader();
    let now = db.clock().now();
    let today = domain::time::shanghai_date(now);
    let mut items = Vec::new();

    if let Some(me) = u.student_id {
        mentor_items(conn, me, &mut items).await?;
        feedback_items(conn, me, now, &mut items).await?;
    }
    let concerns = match u.staff_id {
        Some(staff) => concerns_to_acknowledge(conn, staff).await?,
        None => Vec::new(),
    };
    let admin_of = if u.role == Role::CollegeAdmin { u.college_id } else { None };
    let years = years_needed(conn, &concerns, admin_of.is_some()).await?;
    concern_items(concerns, &years, &mut items);
    if let Some(college) = admin_of {
        college_items(conn, college, &years, today, &mut items).await?;
    }
    review_items(conn, u.id, u.college_id, &mut items).await?;
    agenda::sort(&mut items);
    Ok(items)
}

fn item(kind: AgendaKind, due_on: chrono::NaiveDate, href: String, resource_id: Uuid, title: String) -> AgendaItem {
    AgendaItem { kind, due_on, href, resource_id, title }
}

/// A mentor's open help requests, mentees no work record names yet, unpublished profiles.
async fn mentor_items<C: ConnectionTrait>(conn: &C, me: Uuid, items: &mut Vec<AgendaItem>) -> Result<()> {
    for r in help_request::Entity::find()
        .filter(help_request::Column::MentorId.eq(me))
        .filter(help_request::Column::State.eq(DbHelpState::Open))
        .all(conn)
        .await?
    {
        let topic: domain::help::HelpTopic = r.topic.into();
        items.push(item(
            AgendaKind::HelpRequest,
            agenda::help_due(r.created_at),
            format!("/api/v1/help-requests/{}", r.id),
            r.id,
            format!("求助：{topic}"),
        ));
    }
    let reached = Query::select()
        .column(work_record_student::Column::StudentId)
        .from(work_record_student::Entity)
        .and_where(
            work_record_student::Column::WorkRecordId.in_subquery(
                Query::select()
                    .column(work_record::Column::Id)
                    .from(work_record::Entity)
                    .and_where(work_record::Column::MentorId.eq(me))
                    .to_owned(),
            ),
        )
        .to_owned();
    for p in pairing::Entity::find()
        .filter(pairing::Column::MentorId.eq(me))
        .filter(pairing::Column::State.eq(DbPairingState::Active))
        .filter(pairing::Column::MenteeId.not_in_subquery(reached))
        .all(conn)
        .await?
    {
        items.push(item(
            AgendaKind::MenteeNotContacted,
            agenda::first_contact_due(p.created_at),
            format!("/api/v1/pairings/{}", p.id),
            p.id,
            "联系新结对的学弟学妹".to_owned(),
        ));
    }
    let published = Query::select()
        .column(mentor_profile::Column::AppointmentId)
        .from(mentor_profile::Entity)
        .and_where(mentor_profile::Column::Published.eq(true))
        .to_owned();
    for a in appointment::Entity::find()
        .filter(appointment::Column::StudentId.eq(me))
        .filter(appointment::Column::State.eq(DbAppointmentState::Active))
        .filter(appointment::Column::Id.not_in_subquery(published))
        .all(conn)
        .await?
    {
        items.push(item(
            AgendaKind::ProfileNotPublished,
            agenda::profile_due(a.created_at),
            format!("/api/v1/appointments/{}/profile", a.id),
            a.id,
            "发布学长公示信息".to_owned(),
        ));
    }
    Ok(())
}

/// Held activities the student attended, whose feedback is still open and not given.
async fn feedback_items<C: ConnectionTrait>(
    conn: &C,
    me: Uuid,
    now: chrono::DateTime<chrono::Utc>,
    items: &mut Vec<AgendaItem>,
) -> Result<()> {
    let attended = Query::select()
        .column(activity_registration::Column::ActivityId)
        .from(activity_registration::Entity)
        .and_where(activity_registration::Column::StudentId.eq(me))
        .and_where(activity_registration::Column::Attended.eq(true))
        .to_owned();
    let given = Query::select()
        .column(activity_feedback::Column::ActivityId)
        .from(activity_feedback::Entity)
        .and_where(activity_feedback::Column::StudentId.eq(me))
        .to_owned();
    let window = Duration::days(domain::activity::FEEDBACK_WINDOW_DAYS);
    for a in activity::Entity::find()
        .filter(activity::Column::Id.in_subquery(attended))
        .filter(activity::Column::Id.not_in_subquery(given))
        .filter(activity::Column::State.eq(DbActivityState::Held))
        .filter(activity::Column::EndAt.gte(now - window))
        .all(conn)
        .await?
    {
        if agenda::feedback_open(a.end_at, now) {
            items.push(item(
                AgendaKind::ActivityFeedback,
                agenda::feedback_due(a.end_at),
                format!("/api/v1/activities/{}/feedback", a.id),
                a.id,
                a.title,
            ));
        }
    }
    Ok(())
}

/// Concerns escalated to this staff member (a supervisor or counselor) they have not acknowledged.
async fn concerns_to_acknowledge<C: ConnectionTrait>(conn: &C, staff: Uuid) -> Result<Vec<concern::Model>> {
    let mine = Query::select()
        .column(concern_recipient::Column::ConcernId)
        .from(concern_recipient::Entity)
        .and_where(concern_recipient::Column::StaffId.eq(staff))
        .and_where(concern_recipient::Column::AcknowledgedAt.is_null())
        .to_owned();
    Ok(concern::Entity::find()
        .filter(concern::Column::Id.in_subquery(mine))
        .filter(concern::Column::State.eq(DbConcernState::Escalated))
        .all(conn)
        .await?)
}

/// The academic years the agenda needs, by id, in one statement: those of `concerns` (their
/// overdue limits), and the open ones when `open` (a college admin's milestones); none when
/// neither asks for any.
async fn years_needed<C: ConnectionTrait>(
    conn: &C,
    concerns: &[concern::Model],
    open: bool,
) -> Result<HashMap<Uuid, academic_year::Model>> {
    if concerns.is_empty() && !open {
        return Ok(HashMap::new());
    }
    let mut which = Condition::any().add(academic_year::Column::Id.is_in(concerns.iter().map(|c| c.academic_year_id)));
    if open {
        which = which.add(academic_year::Column::Closed.eq(false));
    }
    Ok(academic_year::Entity::find().filter(which).all(conn).await?.into_iter().map(|y| (y.id, y)).collect())
}

/// An item for each concern to acknowledge, due when it would become overdue by its year's limit.
fn concern_items(
    concerns: Vec<concern::Model>,
    years: &HashMap<Uuid, academic_year::Model>,
    items: &mut Vec<AgendaItem>,
) {
    for c in concerns {
        let (Some(at), Some(y)) = (c.escalated_at, years.get(&c.academic_year_id)) else { continue };
        let limit = if c.urgency == DbConcernUrgency::Urgent {
            y.concern_overdue_urgent_days
        } else {
            y.concern_overdue_normal_days
        };
        // The concern's text is confidential: the item names only its category.
        let category: domain::concern::ConcernCategory = c.category.into();
        items.push(item(
            AgendaKind::ConcernToAcknowledge,
            agenda::concern_due(at, limit),
            format!("/api/v1/concerns/{}", c.id),
            c.id,
            format!("问题反映：{category}"),
        ));
    }
}

/// A college admin's milestones due within 14 days that the compliance report counts as still to
/// do (the same counts: an introduction recorded or hosted at a held orientation, a freshman salon
/// held) in each open year of `years`, and open award rounds. The compliance counts run only for
/// the years with a deadline within notice, on the years and the college read once.
async fn college_items<C: ConnectionTrait>(
    conn: &C,
    college: Uuid,
    years: &HashMap<Uuid, academic_year::Model>,
    today: chrono::NaiveDate,
    items: &mut Vec<AgendaItem>,
) -> Result<()> {
    let mut open: Vec<&academic_year::Model> = years
        .values()
        .filter(|y| !y.closed)
        .filter(|y| {
            [y.introduction_deadline, y.salon_deadline].into_iter().any(|d| agenda::milestone_in_notice(d, today))
        })
        .collect();
    open.sort_by_key(|y| (y.starts_on, y.id));
    let colleges = if open.is_empty() { Vec::new() } else { super::reports::colleges(conn, Some(college)).await? };
    for y in open {
        if colleges.is_empty() {
            break;
        }
        let report = super::reports::compliance_of(conn, y, colleges.clone(), Some(college), today).await?;
        let Some(row) = report.colleges.into_iter().find(|r| r.college_id == college) else { continue };
        for (deadline, outcome, title) in [
            (y.introduction_deadline, row.introduction_outcome, "向新生介绍学长（入学教育）"),
            (y.salon_deadline, row.salon_outcome, "举办新生交流沙龙"),
        ] {
            if agenda::milestone_shows(deadline, today, outcome) {
                items.push(item(
                    AgendaKind::Milestone,
                    deadline,
                    format!("/api/v1/academic-years/{}", y.id),
                    y.id,
                    title.to_owned(),
                ));
            }
        }
    }
    for r in award_round::Entity::find()
        .filter(award_round::Column::State.eq(DbRoundState::Open))
        .filter(award_round::Column::NominationsCloseOn.gte(today))
        .all(conn)
        .await?
    {
        items.push(item(
            AgendaKind::AwardRoundDeadline,
            r.nominations_close_on,
            format!("/api/v1/award-rounds/{}", r.id),
            r.id,
            r.title,
        ));
    }
    Ok(())
}

/// Nominations of rounds under review that name the caller as a reviewer, not of their own college,
/// without their score sheet. Rounds under review are few; their reviewer lists are read here.
async fn review_items<C: ConnectionTrait>(
    conn: &C,
    me: Uuid,
    my_college: Option<Uuid>,
    items: &mut Vec<AgendaItem>,
) -> Result<()> {
    let rounds: Vec<award_round::Model> = award_round::Entity::find()
        .filter(award_round::Column::State.eq(DbRoundState::Reviewing))
        .all(conn)
        .await?
        .into_iter()
        .filter(|r| serde_json::from_value::<Vec<Uuid>>(r.reviewer_ids.clone()).is_ok_and(|ids| ids.contains(&me)))
        .collect();
    if rounds.is_empty() {
        return Ok(());
    }
    let scored = Query::select()
        .column(award_score::Column::NominationId)
        .from(award_score::Entity)
        .and_where(award_score::Column::ReviewerId.eq(me))
        .to_owned();
    let mut q = award_nomination::Entity::find()
        .filter(award_nomination::Column::RoundId.is_in(rounds.iter().map(|r| r.id)))
        .filter(award_nomination::Column::Id.not_in_subquery(scored));
    if let Some(c) = my_college {
        q = q.filter(award_nomination::Column::CollegeId.ne(c));
    }
    let due: HashMap<Uuid, (chrono::NaiveDate, String)> =
        rounds.into_iter().map(|r| (r.id, (r.nominations_close_on, r.title))).collect();
    for n in q.all(conn).await? {
        let Some((close, title)) = due.get(&n.round_id) else { continue };
        // Reviewers score after nominations close: due a week later.
        items.push(item(
            AgendaKind::NominationToReview,
            *close + Duration::days(agenda::REVIEW_DAYS),
            format!("/api/v1/award-nominations/{}", n.id),
            n.id,
            title.clone(),
        ));
    }
    Ok(())
}
