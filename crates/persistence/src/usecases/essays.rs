//! Essays for the anthology (《研究生党员学长经验谈》, 四.5), each workflow one transaction with its
//! audit record (and, once an essay leaves the draft state, its change-feed event): a member of
//! the club starts an essay, edits it while it is a draft or returned, submits it; the university
//! (the editor) accepts it or returns it with comments. The anthology of an edition compiles the
//! accepted essays of one or more academic years (`domain::essay::compile`).
//!
//! The feed and the audit log carry ids, theme and state — never the text or the comments.

use std::collections::HashMap;

use domain::Error as DomainError;
use domain::auth::Principal;
use domain::codes::{AuditAction, DomainEvent};
use domain::essay::{
    Anthology, AnthologyEssay, Essay, EssayAction, EssayState, EssayText, EssayTheme, EssayViewer, compile, parse_body,
    parse_comment, parse_title,
};
use domain::page::{Page, PageRequest, Sort, parse_sort};
use domain::{FieldError, Problems};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Condition;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;
use uuid::Uuid;

use crate::entities::essay::{ActiveModel, Column, Entity, Model};
use crate::entities::{academic_year, college, student, unit};
use crate::enums::{DbEssayState, DbEssayTheme};
use crate::membership::of_student;
use crate::query::{check_version, constraint, filter_eq, find_by_ids, find_for_update, not_found, page};
use crate::{Db, Result, audit, events};

const RESOURCE: &str = "essay";

/// What the feed and the audit log say of an essay: ids, theme and state, never its text.
#[derive(Serialize)]
struct Trace {
    author_id: Uuid,
    college_id: Uuid,
    academic_year_id: Uuid,
    theme: EssayTheme,
    state: EssayState,
    revises: Option<Uuid>,
    version: i32,
}

fn trace(m: &Model) -> Trace {
    Trace {
        author_id: m.author_id,
        college_id: m.college_id,
        academic_year_id: m.academic_year_id,
        theme: m.theme.into(),
        state: m.state.into(),
        revises: m.revises,
        version: m.version,
    }
}

fn to_domain(m: Model) -> Essay {
    Essay {
        id: m.id,
        author_id: m.author_id,
        college_id: m.college_id,
        unit_id: m.unit_id,
        academic_year_id: m.academic_year_id,
        title: m.title,
        body: m.body,
        theme: m.theme.into(),
        state: m.state.into(),
        revises: m.revises,
        editor_comment: m.editor_comment,
        submitted_at: m.submitted_at,
        decided_at: m.decided_at,
        decided_by: m.decided_by,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

/// An essay with the names a reader needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EssayView {
    /// The essay.
    pub essay: Essay,
    /// The author's name.
    pub author_name: String,
    /// The college's name.
    pub college_name: String,
    /// The unit's name.
    pub unit_name: String,
    /// The academic year's code.
    pub academic_year: String,
}

async fn views<C: ConnectionTrait>(conn: &C, essays: Vec<Essay>) -> Result<Vec<EssayView>> {
    let students: HashMap<Uuid, String> =
        find_by_ids::<student::Entity, _>(conn, student::Column::Id, essays.iter().map(|e| e.author_id))
            .await?
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect();
    let colleges: HashMap<Uuid, String> =
        find_by_ids::<college::Entity, _>(conn, college::Column::Id, essays.iter().map(|e| e.college_id))
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
    let units: HashMap<Uuid, String> =
        find_by_ids::<unit::Entity, _>(conn, unit::Column::Id, essays.iter().map(|e| e.unit_id))
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
    let years: HashMap<Uuid, String> = find_by_ids::<academic_year::Entity, _>(
        conn,
        academic_year::Column::Id,
        essays.iter().map(|e| e.academic_year_id),
    )
    .await?
    .into_iter()
    .map(|y| (y.id, y.code))
    .collect();
    Ok(essays
        .into_iter()
        .map(|e| EssayView {
            author_name: students.get(&e.author_id).cloned().unwrap_or_default(),
            college_name: colleges.get(&e.college_id).cloned().unwrap_or_default(),
            unit_name: units.get(&e.unit_id).cloned().unwrap_or_default(),
            academic_year: years.get(&e.academic_year_id).cloned().unwrap_or_default(),
            essay: e,
        })
        .collect())
}

async fn view<C: ConnectionTrait>(conn: &C, m: Model) -> Result<EssayView> {
    views(conn, vec![to_domain(m)]).await?.pop().ok_or_else(|| not_found(RESOURCE))
}

/// A new essay as the author writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEssay {
    /// Title and body, checked.
    pub text: EssayText,
    /// The theme.
    pub theme: EssayTheme,
    /// The academic year (the edition) it is for.
    pub academic_year_id: Uuid,
    /// The author's accepted essay it revises.
    pub revises: Option<Uuid>,
}

/// A change of an essay: the fields given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EssayChange {
    /// A new title.
    pub title: Option<String>,
    /// A new body.
    pub body: Option<String>,
    /// A new theme.
    pub theme: Option<EssayTheme>,
    /// Another academic year.
    pub academic_year_id: Option<Uuid>,
}

/// The filters of the list.
#[derive(Debug, Clone, Copy, Default)]
pub struct EssayFilter {
    /// Only this state.
    pub state: Option<EssayState>,
    /// Only this theme.
    pub theme: Option<EssayTheme>,
    /// Only this academic year's.
    pub academic_year_id: Option<Uuid>,
    /// Only this college's.
    pub college_id: Option<Uuid>,
    /// Only this author's (a student id).
    pub author_id: Option<Uuid>,
}

/// The rows a viewer sees, as a condition (mirrors `EssayViewer::sees`).
fn visible(v: EssayViewer) -> Condition {
    let not_draft = Column::State.ne(DbEssayState::Draft);
    match v {
        EssayViewer::University => Condition::all().add(not_draft),
        EssayViewer::CollegeStaff(c) => Condition::all().add(Column::CollegeId.eq(c)).add(not_draft),
        EssayViewer::Student(s) => Condition::all().add(Column::AuthorId.eq(s)),
        EssayViewer::Nobody => Condition::all().add(Column::Id.is_null()),
    }
}

/// The academic year `id` named in field `field` (422 `invalid_reference` when there is none).
async fn year_ref<C: ConnectionTrait>(conn: &C, field: &str, id: Uuid) -> Result<()> {
    match academic_year::Entity::find_by_id(id).one(conn).await? {
        Some(_) => Ok(()),
        None => {
            Err(DomainError::Validation(vec![FieldError::new(field, "invalid_reference", "no such academic year")])
                .into())
        }
    }
}

/// The caller must be a member of the club (active or alumni) to write: `Forbidden` otherwise.
fn must_be_member(standing: &crate::membership::Standing) -> Result<()> {
    if standing.state.is_none() {
        return Err(DomainError::Forbidden(
            "only members of the mentors' club (appointed mentors, serving or alumni) write essays".into(),
        )
        .into());
    }
    Ok(())
}

/// A member starts an essay (a draft, private to them). The college and unit it is printed with
/// are those of their latest appointment. `revises` names an accepted essay of theirs that this
/// one revises (422 otherwise; 409 `duplicate` when another essay revises it already).
pub async fn create(db: &Db, who: &Principal, input: NewEssay) -> Result<EssayView> {
    let me = domain::club::own_student(who)?;
    let now = db.clock().now();
    let tx = db.begin().await?;
    let standing = of_student(&tx, me).await?;
    must_be_member(&standing)?;
    let latest = standing.latest_served().cloned().ok_or_else(|| not_found("club_member"))?;
    year_ref(&tx, "academic_year_id", input.academic_year_id).await?;
    if let Some(original) = input.revises {
        let ok = Entity::find_by_id(original)
            .one(&tx)
            .await?
            .is_some_and(|o| o.author_id == me && o.state == DbEssayState::Accepted);
        if !ok {
            return Err(DomainError::invalid("revises", "invalid_reference", "not an accepted essay of yours").into());
        }
    }
    let m = ActiveModel {
        id: Set(Uuid::now_v7()),
        author_id: Set(me),
        college_id: Set(latest.college_id),
        unit_id: Set(latest.unit_id),
        academic_year_id: Set(input.academic_year_id),
        title: Set(input.text.title),
        body: Set(input.text.body),
        theme: Set(DbEssayTheme::from(input.theme)),
        state: Set(DbEssayState::Draft),
        revises: Set(input.revises),
        editor_comment: Set(None),
        submitted_at: Set(None),
        decided_at: Set(None),
        decided_by: Set(None),
        created_by: Set(who.actor().id),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&tx)
    .await
    .map_err(|e| {
        constraint(e, "that essay has a revision already; edit that one", "the essay refers to a missing row")
    })?;
    audit::record(&tx, who.actor(), AuditAction::EssayCreate, RESOURCE, Some(m.id), audit::created(&trace(&m))).await?;
    let out = view(&tx, m).await?;
    tx.commit().await?;
    Ok(out)
}

/// The essays the caller sees, newest first by default (sort keys `created_at`, `updated_at`,
/// `submitted_at`): an author their own; the university every submitted one; a college's admins
/// and counselors their college's submitted ones; anyone else none.
pub async fn list(
    db: &Db,
    who: &Principal,
    f: EssayFilter,
    req: PageRequest,
    sort: Option<&str>,
) -> Result<Page<EssayView>> {
    let sort = parse_sort(
        sort,
        &[("created_at", Column::CreatedAt), ("updated_at", Column::UpdatedAt), ("submitted_at", Column::SubmittedAt)],
        Sort { key: Column::CreatedAt, descending: true },
    )
    .map_err(|e| DomainError::Validation(vec![e]))?;
    let mut select = Entity::find().filter(visible(EssayViewer::of(who)));
    select = filter_eq(select, Column::State, f.state.map(DbEssayState::from));
    select = filter_eq(select, Column::Theme, f.theme.map(DbEssayTheme::from));
    select = filter_eq(select, Column::AcademicYearId, f.academic_year_id);
    select = filter_eq(select, Column::CollegeId, f.college_id);
    select = filter_eq(select, Column::AuthorId, f.author_id);
    let p = page(db.reader(), select, req, sort, Column::Id).await?;
    let items = views(db.reader(), p.items.into_iter().map(to_domain).collect()).await?;
    Ok(Page { items, total: p.total, page: p.page, page_size: p.page_size })
}

/// One essay, for those who see it; `NotFound` for everyone else.
pub async fn get(db: &Db, who: &Principal, id: Uuid) -> Result<EssayView> {
    let m = Entity::find_by_id(id).one(db.reader()).await?.ok_or_else(|| not_found(RESOURCE))?;
    if !EssayViewer::of(who).sees(&to_domain(m.clone()).facts()) {
        return Err(not_found(RESOURCE));
    }
    view(db.reader(), m).await
}

/// Locks an essay for `action` by `who`: `NotFound` when they do not see it, `Forbidden` when they
/// may not do this, `PreconditionFailed` on a stale `If-Match`, `InvalidTransition` (409) when its
/// state does not allow it. Returns the row and the state after the action.
async fn load_for(
    tx: &DatabaseTransaction,
    who: &Principal,
    id: Uuid,
    action: EssayAction,
    if_match: Option<i32>,
) -> Result<(Model, EssayState)> {
    let m = find_for_update::<Entity, _>(tx, id, RESOURCE).await?;
    let facts = to_domain(m.clone()).facts();
    let viewer = EssayViewer::of(who);
    if !viewer.sees(&facts) {
        return Err(not_found(RESOURCE));
    }
    viewer.may(action, &facts)?;
    check_version(if_match, m.version)?;
    let next = EssayState::from(m.state).apply(action)?;
    Ok((m, next))
}

/// Saves the essay's new state and writes its audit record and, past the draft, its feed event.
async fn save(
    tx: &DatabaseTransaction,
    who: &Principal,
    before: &Model,
    after: ActiveModel,
    audit_action: AuditAction,
    event: Option<DomainEvent>,
) -> Result<EssayView> {
    let after = after.update(tx).await?;
    audit::record(
        tx,
        who.actor(),
        audit_action,
        RESOURCE,
        Some(after.id),
        audit::updated(&trace(before), &trace(&after)),
    )
    .await?;
    if let Some(e) = event {
        events::emit(tx, e, RESOURCE, after.id, &trace(&after)).await?;
    }
    view(tx, after).await
}

/// The author changes a draft or a returned essay (the fields given; every bad one named).
pub async fn update(
    db: &Db,
    who: &Principal,
    id: Uuid,
    change: EssayChange,
    if_match: Option<i32>,
) -> Result<EssayView> {
    let mut p = Problems::new();
    let title = change.title.as_deref().and_then(|t| parse_title(&mut p, t));
    let body = change.body.as_deref().and_then(|b| parse_body(&mut p, b));
    p.finish()?;
    let now = db.clock().now();
    let tx = db.begin().await?;
    let (m, next) = load_for(&tx, who, id, EssayAction::Edit, if_match).await?;
    if let Some(y) = change.academic_year_id {
        year_ref(&tx, "academic_year_id", y).await?;
    }
    let mut after = ActiveModel {
        id: Set(id),
        state: Set(next.into()),
        version: Set(m.version + 1),
        updated_at: Set(now),
        ..Default::default()
    };
    if let Some(t) = title {
        after.title = Set(t);
    }
    if let Some(b) = body {
        after.body = Set(b);
    }
    if let Some(t) = change.theme {
        after.theme = Set(t.into());
    }
    if let Some(y) = change.academic_year_id {
        after.academic_year_id = Set(y);
    }
    let out = save(&tx, who, &m, after, AuditAction::EssayUpdate, None).await?;
    tx.commit().await?;
    Ok(out)
}

/// The author submits a draft or a returned essay to the editor (`→ submitted`), while they are a
/// member of the club.
pub async fn submit(db: &Db, who: &Principal, id: Uuid, if_match: Option<i32>) -> Result<EssayView> {
    let now = db.clock().now();
    let tx = db.begin().await?;
    let (m, next) = load_for(&tx, who, id, EssayAction::Submit, if_match).await?;
    must_be_member(&of_student(&tx, m.author_id).await?)?;
    let after = ActiveModel {
        id: Set(id),
        state: Set(next.into()),
        submitted_at: Set(Some(now)),
        version: Set(m.version + 1),
        updated_at: Set(now),
        ..Default::default()
    };
    let out = save(&tx, who, &m, after, AuditAction::EssaySubmit, DomainEvent::essay_entered(next)).await?;
    tx.commit().await?;
    Ok(out)
}

/// The editor (a university admin) decides on a submitted essay: accepts it (a comment is
/// optional) or returns it to its author (a comment is required).
pub async fn decide(
    db: &Db,
    who: &Principal,
    id: Uuid,
    accept: bool,
    comment: Option<&str>,
    if_match: Option<i32>,
) -> Result<EssayView> {
    let comment = parse_comment(comment, !accept)?;
    let (action, audit_action) = if accept {
        (EssayAction::Accept, AuditAction::EssayAccept)
    } else {
        (EssayAction::Return, AuditAction::EssayReturn)
    };
    let now = db.clock().now();
    let tx = db.begin().await?;
    let (m, next) = load_for(&tx, who, id, action, if_match).await?;
    let after = ActiveModel {
        id: Set(id),
        state: Set(next.into()),
        editor_comment: Set(comment),
        decided_at: Set(Some(now)),
        decided_by: Set(who.actor().id),
        version: Set(m.version + 1),
        updated_at: Set(now),
        ..Default::default()
    };
    let out = save(&tx, who, &m, after, audit_action, DomainEvent::essay_entered(next)).await?;
    tx.commit().await?;
    Ok(out)
}

/// The anthology of the edition that starts with academic year `first` and runs through
/// `through` (default: `first` alone): the accepted essays of every academic year starting on or
/// between their first days, compiled by `domain::essay::compile`. For members of the club, the
/// university and the colleges' admins and counselors (`Forbidden` for anyone else); `NotFound`
/// for an unknown year, 422 `through` when it starts before `first`.
pub async fn anthology(db: &Db, who: &Principal, first: Uuid, through: Option<Uuid>) -> Result<Anthology> {
    let conn = db.reader();
    let viewer = EssayViewer::of(who);
    let member = match viewer {
        EssayViewer::Student(s) => of_student(conn, s).await?.state.is_some(),
        _ => false,
    };
    viewer.may_read_anthology(member)?;
    let start = academic_year::Entity::find_by_id(first).one(conn).await?.ok_or_else(|| not_found("academic_year"))?;
    let end = match through {
        Some(t) => academic_year::Entity::find_by_id(t).one(conn).await?.ok_or_else(|| not_found("academic_year"))?,
        None => start.clone(),
    };
    if end.starts_on < start.starts_on {
        return Err(
            DomainError::invalid("through", "out_of_range", "the edition's last year starts before its first").into()
        );
    }
    let years = academic_year::Entity::find()
        .filter(academic_year::Column::StartsOn.gte(start.starts_on))
        .filter(academic_year::Column::StartsOn.lte(end.starts_on))
        .order_by_asc(academic_year::Column::StartsOn)
        .all(conn)
        .await?;
    let codes: HashMap<Uuid, String> = years.iter().map(|y| (y.id, y.code.clone())).collect();
    let accepted = Entity::find()
        .filter(Column::AcademicYearId.is_in(years.iter().map(|y| y.id)))
        .filter(Column::State.eq(DbEssayState::Accepted))
        .all(conn)
        .await?;
    let colleges: HashMap<Uuid, college::Model> =
        find_by_ids::<college::Entity, _>(conn, college::Column::Id, accepted.iter().map(|e| e.college_id))
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
    let essays: Vec<Essay> = accepted.into_iter().map(to_domain).collect();
    let named = views(conn, essays).await?;
    let items = named
        .into_iter()
        .map(|v| {
            let e = v.essay;
            AnthologyEssay {
                id: e.id,
                title: e.title,
                body: e.body,
                theme: e.theme,
                author: v.author_name,
                college_code: colleges.get(&e.college_id).map(|c| c.code.clone()).unwrap_or_default(),
                college: v.college_name,
                unit: v.unit_name,
                academic_year: codes.get(&e.academic_year_id).cloned().unwrap_or_default(),
                accepted_at: e.decided_at.unwrap_or(e.updated_at),
                revises: e.revises,
            }
        })
        .collect();
    Ok(compile(years.into_iter().map(|y| y.code).collect(), items))
}
