//! The directory's inquiries, each workflow one transaction with its audit record and change-feed
//! event: sending (from the public or signed in, under the rate limits held in the database),
//! the mentor's reply, close and spam, and reading (the mentor, the sender, the reading token).
//! The feed and the audit log carry the inquiry's kind and state, never its text or its sender.

use domain::Error as DomainError;
use domain::auth::Principal;
use domain::codes::{AuditAction, DomainEvent};
use domain::inquiry::{
    Inquiry, InquiryAction, InquiryKind, InquiryState, NewInquiry, PER_ADDRESS, PER_MENTOR, RateLimit, Window,
};
use domain::page::{Page, PageRequest, Sort, parse_sort};
use domain::policy;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QuerySelect,
};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::entities::inquiry::{ActiveModel, Column, Entity, Model};
use crate::entities::{appointment, mentor_profile, rate_window, student, user};
use crate::enums::{DbAppointmentState, DbInquiryState};
use crate::query::{filter_eq, find_for_update, not_found, page};
use crate::{Db, Result, audit, events};

const RESOURCE: &str = "inquiry";

fn to_domain(m: Model) -> Inquiry {
    Inquiry {
        id: m.id,
        appointment_id: m.appointment_id,
        college_id: m.college_id,
        kind: m.kind.into(),
        state: m.state.into(),
        sender_name: m.sender_name,
        sender_email: m.sender_email,
        sender_user_id: m.sender_user_id,
        subject: m.subject,
        message: m.message,
        reply: m.reply,
        replied_at: m.replied_at,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

/// What the feed and the audit log say of an inquiry: no text, no sender.
#[derive(Serialize)]
struct Trace {
    appointment_id: Uuid,
    kind: InquiryKind,
    state: InquiryState,
}

fn trace(i: &Inquiry) -> Trace {
    Trace { appointment_id: i.appointment_id, kind: i.kind, state: i.state }
}

/// The SHA-256 of a reading token, in hex: what is stored and looked up.
fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Admits one more send under `limit` for `key`, in the caller's transaction, or refuses it with
/// `TooManyAttempts`. The window row is locked (PostgreSQL) or written under the single writer
/// (SQLite), so every server process on the database counts in the same window. `now` is the
/// application's clock ([`Db::clock`]), the one the hourly purge also reads.
async fn admit(
    tx: &DatabaseTransaction,
    key: &str,
    limit: RateLimit,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    // The purge may delete an ended window between the insert and the lock (PostgreSQL): then
    // the window is written afresh, once.
    let mut stored = None;
    for _ in 0..2 {
        rate_window::Entity::insert(rate_window::ActiveModel {
            key: Set(key.to_owned()),
            started_at: Set(now),
            count: Set(0),
        })
        .on_conflict(OnConflict::column(rate_window::Column::Key).do_nothing().to_owned())
        .exec_without_returning(tx)
        .await?;
        stored = rate_window::Entity::find_by_id(key.to_owned()).lock_exclusive().one(tx).await?;
        if stored.is_some() {
            break;
        }
    }
    let w = stored.ok_or_else(|| crate::Error::Internal("the rate window row is missing".into()))?;
    let next = Window { started_at: w.started_at, count: w.count }.admit(limit, now)?;
    rate_window::Entity::update_many()
        .col_expr(rate_window::Column::StartedAt, Expr::value(next.started_at))
        .col_expr(rate_window::Column::Count, Expr::value(next.count))
        .filter(rate_window::Column::Key.eq(key))
        .exec(tx)
        .await?;
    Ok(())
}

/// Deletes the rate-limit windows that have ended by `now` (started longer ago than the longest
/// window, [`domain::inquiry::LONGEST_WINDOW_SECS`]), so the table holds only the windows of the
/// last hour instead of one row per client address ever seen; returns how many. Run by the
/// server's hourly housekeeping.
pub async fn purge_rate_windows(db: &Db, now: chrono::DateTime<chrono::Utc>) -> Result<u64> {
    let cutoff = now - chrono::Duration::seconds(domain::inquiry::LONGEST_WINDOW_SECS);
    let deleted =
        rate_window::Entity::delete_many().filter(rate_window::Column::StartedAt.lt(cutoff)).exec(db.writer()).await?;
    Ok(deleted.rows_affected)
}

/// The listed mentor's appointment (active, profile published), or `NotFound`.
async fn listed_appointment<C: ConnectionTrait>(conn: &C, appointment_id: Uuid) -> Result<appointment::Model> {
    let a = appointment::Entity::find_by_id(appointment_id)
        .filter(appointment::Column::State.eq(DbAppointmentState::Active))
        .one(conn)
        .await?
        .ok_or_else(|| not_found("mentor"))?;
    let shown = mentor_profile::Entity::find_by_id(appointment_id)
        .filter(mentor_profile::Column::Published.eq(true))
        .one(conn)
        .await?
        .is_some();
    if !shown {
        return Err(not_found("mentor"));
    }
    Ok(a)
}

async fn insert(
    tx: &DatabaseTransaction,
    a: &appointment::Model,
    input: NewInquiry,
    sender_user_id: Option<Uuid>,
    token_hash: Option<String>,
) -> Result<Inquiry> {
    let now = crate::now();
    let i = Inquiry {
        id: Uuid::now_v7(),
        appointment_id: a.id,
        college_id: a.college_id,
        kind: input.kind,
        state: InquiryState::Open,
        sender_name: input.sender_name,
        sender_email: input.sender_email.map(domain::reference::Email::into_string),
        sender_user_id,
        subject: input.subject,
        message: input.message,
        reply: None,
        replied_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    ActiveModel {
        id: Set(i.id),
        appointment_id: Set(i.appointment_id),
        college_id: Set(i.college_id),
        kind: Set(i.kind.into()),
        state: Set(i.state.into()),
        sender_name: Set(i.sender_name.clone()),
        sender_email: Set(i.sender_email.clone()),
        sender_user_id: Set(i.sender_user_id),
        subject: Set(i.subject.clone()),
        message: Set(i.message.clone()),
        reply: Set(None),
        replied_at: Set(None),
        token_hash: Set(token_hash),
        version: Set(i.version),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(tx)
    .await?;
    Ok(i)
}

/// Sends an inquiry from the public to a listed mentor, counted against `client` (the sender's
/// address) and the mentor. Returns it with its reading token, which is shown once: only its
/// hash is kept.
pub async fn send_public(db: &Db, client: &str, appointment_id: Uuid, input: NewInquiry) -> Result<(Inquiry, String)> {
    let now = db.clock().now();
    let tx = db.begin().await?;
    // The address first, then the mentor, in every transaction: no two wait on each other.
    admit(&tx, &format!("inquiry:addr:{client}"), PER_ADDRESS, now).await?;
    let a = listed_appointment(&tx, appointment_id).await?;
    admit(&tx, &format!("inquiry:mentor:{appointment_id}"), PER_MENTOR, now).await?;
    let token = crate::accounts::random_token();
    let i = insert(&tx, &a, input, None, Some(token_hash(&token))).await?;
    audit::record(
        &tx,
        domain::auth::Actor::SYSTEM,
        AuditAction::InquirySend,
        RESOURCE,
        Some(i.id),
        audit::created(&trace(&i)),
    )
    .await?;
    events::emit(&tx, DomainEvent::InquiryReceived, RESOURCE, i.id, &trace(&i)).await?;
    tx.commit().await?;
    Ok((i, token))
}

/// Sends an inquiry as a signed-in user (a student of another college, typically); the name is
/// the account's, the reply is read in the sender's list. Counted like a public one.
pub async fn send(
    db: &Db,
    who: &Principal,
    client: &str,
    appointment_id: Uuid,
    kind: InquiryKind,
    subject: &str,
    message: &str,
) -> Result<Inquiry> {
    let user_id = policy::send_inquiry(who)?;
    let now = db.clock().now();
    let tx = db.begin().await?;
    admit(&tx, &format!("inquiry:addr:{client}"), PER_ADDRESS, now).await?;
    let a = listed_appointment(&tx, appointment_id).await?;
    if policy::is_student(who, a.student_id) {
        return Err(DomainError::invalid("mentor_id", "own_mentor", "a mentor cannot ask themself").into());
    }
    admit(&tx, &format!("inquiry:mentor:{appointment_id}"), PER_MENTOR, now).await?;
    let account = user::Entity::find_by_id(user_id).one(&tx).await?.ok_or_else(|| not_found("user"))?;
    let input = NewInquiry::parse(kind, &account.display_name, None, subject, message)?;
    let i = insert(&tx, &a, input, Some(user_id), None).await?;
    audit::record(&tx, who.actor(), AuditAction::InquirySend, RESOURCE, Some(i.id), audit::created(&trace(&i))).await?;
    events::emit(&tx, DomainEvent::InquiryReceived, RESOURCE, i.id, &trace(&i)).await?;
    tx.commit().await?;
    Ok(i)
}

/// Whose inquiries a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mailbox {
    /// Those sent to the caller as a mentor.
    Received,
    /// Those the caller sent.
    Sent,
}

/// The caller's inquiries, newest first by default. Sort keys: `created_at`, `updated_at`.
pub async fn list(
    db: &Db,
    who: &Principal,
    mailbox: Mailbox,
    state: Option<InquiryState>,
    req: PageRequest,
    sort: Option<&str>,
) -> Result<Page<Inquiry>> {
    let user_id = policy::send_inquiry(who)?;
    let sort = parse_sort(
        sort,
        &[("created_at", Column::CreatedAt), ("updated_at", Column::UpdatedAt)],
        Sort { key: Column::CreatedAt, descending: true },
    )
    .map_err(|e| DomainError::Validation(vec![e]))?;
    let mut select = Entity::find();
    select = match (mailbox, policy::own_student(who).ok()) {
        (Mailbox::Sent, _) => select.filter(Column::SenderUserId.eq(user_id)),
        (Mailbox::Received, Some(student_id)) => select.filter(
            Column::AppointmentId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(appointment::Column::Id)
                    .from(appointment::Entity)
                    .and_where(appointment::Column::StudentId.eq(student_id))
                    .to_owned(),
            ),
        ),
        (Mailbox::Received, None) => select.filter(Column::Id.is_null()),
    };
    select = filter_eq(select, Column::State, state.map(DbInquiryState::from));
    Ok(page(db.reader(), select, req, sort, Column::Id).await?.map(to_domain))
}

/// Whether the caller is the mentor the inquiry was sent to.
async fn is_mentor<C: ConnectionTrait>(conn: &C, who: &Principal, i: &Inquiry) -> Result<bool> {
    let a = appointment::Entity::find_by_id(i.appointment_id).one(conn).await?.ok_or_else(|| not_found(RESOURCE))?;
    Ok(policy::is_student(who, a.student_id))
}

/// One inquiry, for its mentor or its signed-in sender; `NotFound` for anyone else.
pub async fn get(db: &Db, who: &Principal, id: Uuid) -> Result<Inquiry> {
    let conn = db.reader();
    let i = Entity::find_by_id(id).one(conn).await?.map(to_domain).ok_or_else(|| not_found(RESOURCE))?;
    let sender = matches!(who, Principal::User(u) if Some(u.id) == i.sender_user_id);
    if sender || is_mentor(conn, who, &i).await? { Ok(i) } else { Err(not_found(RESOURCE)) }
}

/// The inquiry a reading token was given for (`NotFound` for any other token).
pub async fn read_by_token(db: &Db, token: &str) -> Result<Inquiry> {
    Entity::find()
        .filter(Column::TokenHash.eq(token_hash(token)))
        .one(db.reader())
        .await?
        .map(to_domain)
        .ok_or_else(|| not_found(RESOURCE))
}

/// The mentor replies to, closes or marks as spam an inquiry sent to them.
pub async fn act(
    db: &Db,
    who: &Principal,
    id: Uuid,
    action: InquiryAction,
    reply: Option<&str>,
    if_match: Option<i32>,
) -> Result<Inquiry> {
    let tx = db.begin().await?;
    let before = to_domain(find_for_update::<Entity, _>(&tx, id, RESOURCE).await?);
    if !is_mentor(&tx, who, &before).await? {
        let sender = matches!(who, Principal::User(u) if Some(u.id) == before.sender_user_id);
        return Err(if sender {
            DomainError::Forbidden("only the mentor answers an inquiry".into()).into()
        } else {
            not_found(RESOURCE)
        });
    }
    crate::query::check_version(if_match, before.version)?;
    let after = before.acted(action, reply, crate::now())?;
    ActiveModel {
        id: Set(after.id),
        state: Set(after.state.into()),
        reply: Set(after.reply.clone()),
        replied_at: Set(after.replied_at),
        version: Set(after.version),
        updated_at: Set(after.updated_at),
        ..Default::default()
    }
    .update(&tx)
    .await?;
    let audit_action = match action {
        InquiryAction::Reply => AuditAction::InquiryReply,
        InquiryAction::Close => AuditAction::InquiryClose,
        InquiryAction::MarkSpam => AuditAction::InquiryMarkSpam,
    };
    audit::record(&tx, who.actor(), audit_action, RESOURCE, Some(id), audit::updated(&trace(&before), &trace(&after)))
        .await?;
    if let Some(event) = DomainEvent::inquiry_entered(after.state) {
        events::emit(&tx, event, RESOURCE, id, &trace(&after)).await?;
    }
    tx.commit().await?;
    Ok(after)
}

/// How many inquiries a college's mentors have, by state: what its admins see (never the texts).
pub async fn counts(db: &Db, who: &Principal, college_id: Uuid) -> Result<Vec<(InquiryState, u64)>> {
    if !policy::administers(who, college_id) {
        return Err(DomainError::Forbidden("you may not see this college's inquiry counts".into()).into());
    }
    let mut out = Vec::new();
    for s in InquiryState::ALL {
        let n = Entity::find()
            .filter(Column::CollegeId.eq(college_id))
            .filter(Column::State.eq(DbInquiryState::from(*s)))
            .count(db.reader())
            .await?;
        out.push((*s, n));
    }
    Ok(out)
}

/// The mentor's name for the sender's view.
pub async fn mentor_name(db: &Db, appointment_id: Uuid) -> Result<String> {
    let conn = db.reader();
    let a = appointment::Entity::find_by_id(appointment_id).one(conn).await?.ok_or_else(|| not_found(RESOURCE))?;
    let s = student::Entity::find_by_id(a.student_id).one(conn).await?.ok_or_else(|| not_found(RESOURCE))?;
    Ok(s.name)
}
