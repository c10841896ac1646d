//! Colleges' best-practice cases (优秀案例, issue 17), each write one transaction with its audit
//! record and change-feed event: a college admin writes a case for their college and submits it;
//! a university admin accepts it or returns it with comments, and features accepted ones; the
//! college edits a returned case and submits it again. Who reads and who does what is
//! `domain::best_case`; a case the caller may not see answers 404, like one that does not exist.
//!
//! The feed and the audit log carry ids, states and the title, never the body or attachments.
//! Attachments are stored as uploaded (after `domain::best_case::inspect_attachment` judged their
//! bytes) and served back byte for byte.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use domain::Error as DomainError;
use domain::auth::Principal;
use domain::best_case::{
    AttachmentInfo, AttachmentKind, BestCase, CaseAction, CaseFields, CaseInput, CaseState, CaseViewer,
    MAX_ATTACHMENTS, parse_comments,
};
use domain::codes::{AuditAction, DomainEvent};
use domain::page::{Page, PageRequest, Sort, parse_sort};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait,
};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::entities::best_case::{ActiveModel, Column, Entity, Model};
use crate::entities::{academic_year, activity, best_case_activity, best_case_attachment};
use crate::enums::DbCaseState;
use crate::query::{check_version, filter_eq, find_for_update, not_found, page};
use crate::{Db, Result, audit, events};

const RESOURCE: &str = "case";
const ATTACHMENT: &str = "case_attachment";

/// What the feed and the audit log say of a case (no body, no attachments).
#[derive(Serialize)]
struct Trace {
    college_id: Uuid,
    academic_year_id: Uuid,
    title: String,
    state: CaseState,
    featured: bool,
}

fn trace(m: &Model) -> Trace {
    Trace {
        college_id: m.college_id,
        academic_year_id: m.academic_year_id,
        title: m.title.clone(),
        state: m.state.into(),
        featured: m.featured,
    }
}

/// What the audit log says of an attachment.
#[derive(Serialize)]
struct AttachmentTrace {
    case_id: Uuid,
    attachment_id: Uuid,
    file_name: String,
    media_type: String,
    byte_size: i32,
    sha256: String,
}

fn user_id(who: &Principal) -> Result<Uuid> {
    match who {
        Principal::User(u) => Ok(u.id),
        Principal::Client(_) => Err(DomainError::Forbidden("a service client writes no cases".into()).into()),
    }
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks the academic year exists.
async fn check_year<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<()> {
    if academic_year::Entity::find_by_id(id).one(conn).await?.is_none() {
        return Err(
            DomainError::invalid("academic_year_id", "invalid_reference", format!("no academic year {id}")).into()
        );
    }
    Ok(())
}

/// Checks that every activity of `ids` is one of `college_id`'s (another college's, or a
/// university-wide one, answers like an unknown one).
async fn check_activities<C: ConnectionTrait>(conn: &C, ids: &[Uuid], college_id: Uuid) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let found: HashSet<Uuid> = activity::Entity::find()
        .filter(activity::Column::Id.is_in(ids.iter().copied()))
        .filter(activity::Column::CollegeId.eq(college_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    if let Some(missing) = ids.iter().find(|id| !found.contains(id)) {
        return Err(DomainError::invalid(
            "activity_ids",
            "invalid_reference",
            format!("no activity {missing} of the college"),
        )
        .into());
    }
    Ok(())
}

async fn write_activities(tx: &DatabaseTransaction, case_id: Uuid, ids: &[Uuid]) -> Result<()> {
    best_case_activity::Entity::delete_many().filter(best_case_activity::Column::CaseId.eq(case_id)).exec(tx).await?;
    if !ids.is_empty() {
        best_case_activity::Entity::insert_many(
            ids.iter().map(|a| best_case_activity::ActiveModel { case_id: Set(case_id), activity_id: Set(*a) }),
        )
        .exec_without_returning(tx)
        .await?;
    }
    Ok(())
}

/// One attachment's metadata, as a row (the bytes are not loaded).
type AttachmentRow = (Uuid, Uuid, String, String, i32, String, DateTime<Utc>);

/// The cases of `models` with their activities and attachments' metadata.
async fn hydrate<C: ConnectionTrait>(conn: &C, models: Vec<Model>) -> Result<Vec<BestCase>> {
    let ids: Vec<Uuid> = models.iter().map(|m| m.id).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut activities: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for r in best_case_activity::Entity::find()
        .filter(best_case_activity::Column::CaseId.is_in(ids.clone()))
        .order_by_asc(best_case_activity::Column::ActivityId)
        .all(conn)
        .await?
    {
        activities.entry(r.case_id).or_default().push(r.activity_id);
    }
    let mut attachments: HashMap<Uuid, Vec<AttachmentInfo>> = HashMap::new();
    let rows: Vec<AttachmentRow> = best_case_attachment::Entity::find()
        .select_only()
        .columns([
            best_case_attachment::Column::Id,
            best_case_attachment::Column::CaseId,
            best_case_attachment::Column::FileName,
            best_case_attachment::Column::MediaType,
            best_case_attachment::Column::ByteSize,
            best_case_attachment::Column::Sha256,
            best_case_attachment::Column::CreatedAt,
        ])
        .filter(best_case_attachment::Column::CaseId.is_in(ids))
        .order_by_asc(best_case_attachment::Column::CreatedAt)
        .order_by_asc(best_case_attachment::Column::Id)
        .into_tuple()
        .all(conn)
        .await?;
    for (id, case_id, file_name, media_type, byte_size, sha256, created_at) in rows {
        attachments.entry(case_id).or_default().push(AttachmentInfo {
            id,
            file_name,
            media_type,
            byte_size: u32::try_from(byte_size).unwrap_or(0),
            sha256,
            created_at,
        });
    }
    Ok(models
        .into_iter()
        .map(|m| BestCase {
            id: m.id,
            college_id: m.college_id,
            fields: CaseFields {
                title: m.title,
                summary: m.summary,
                body: m.body,
                academic_year_id: m.academic_year_id,
                activity_ids: activities.remove(&m.id).unwrap_or_default(),
                data_notes: m.data_notes,
            },
            state: m.state.into(),
            featured: m.featured,
            review_comments: m.review_comments,
            author_id: m.author_id,
            submitted_at: m.submitted_at,
            reviewed_at: m.reviewed_at,
            attachments: attachments.remove(&m.id).unwrap_or_default(),
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
        .collect())
}

async fn one<C: ConnectionTrait>(conn: &C, m: Model) -> Result<BestCase> {
    hydrate(conn, vec![m]).await?.pop().ok_or_else(|| not_found(RESOURCE))
}

/// A college admin writes a case for their own college, as a draft.
pub async fn create(db: &Db, who: &Principal, input: CaseInput<'_>) -> Result<BestCase> {
    let v = CaseViewer::of(who);
    v.may_read_cases()?;
    let college_id = v.authoring_college()?;
    let author = user_id(who)?;
    let fields = CaseFields::parse_new(&input)?;
    let now = db.clock().now();
    let tx = db.begin().await?;
    check_year(&tx, fields.academic_year_id).await?;
    check_activities(&tx, &fields.activity_ids, college_id).await?;
    let m = ActiveModel {
        id: Set(Uuid::now_v7()),
        college_id: Set(college_id),
        academic_year_id: Set(fields.academic_year_id),
        title: Set(fields.title.clone()),
        summary: Set(fields.summary.clone()),
        body: Set(fields.body.clone()),
        data_notes: Set(fields.data_notes.clone()),
        state: Set(DbCaseState::Draft),
        featured: Set(false),
        review_comments: Set(None),
        author_id: Set(author),
        submitted_at: Set(None),
        reviewed_at: Set(None),
        reviewed_by: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&tx)
    .await?;
    write_activities(&tx, m.id, &fields.activity_ids).await?;
    audit::record(&tx, who.actor(), AuditAction::CaseCreate, RESOURCE, Some(m.id), audit::created(&trace(&m))).await?;
    events::emit(&tx, DomainEvent::CaseCreated, RESOURCE, m.id, &trace(&m)).await?;
    let c = one(&tx, m).await?;
    tx.commit().await?;
    Ok(c)
}

/// The filters of the list.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// Only this college's.
    pub college_id: Option<Uuid>,
    /// Only this academic year's.
    pub academic_year_id: Option<Uuid>,
    /// Only in this state.
    pub state: Option<CaseState>,
    /// Only featured (`true`) or only not featured (`false`).
    pub featured: Option<bool>,
}

/// The cases the caller reads (see `CaseViewer::sees`). Sort keys: `created_at`, `updated_at`
/// (default, newest first), `submitted_at`.
pub async fn list(
    db: &Db,
    who: &Principal,
    f: CaseFilter,
    req: PageRequest,
    sort: Option<&str>,
) -> Result<Page<BestCase>> {
    let v = CaseViewer::of(who);
    v.may_read_cases()?;
    let sort = parse_sort(
        sort,
        &[("created_at", Column::CreatedAt), ("updated_at", Column::UpdatedAt), ("submitted_at", Column::SubmittedAt)],
        Sort { key: Column::UpdatedAt, descending: true },
    )
    .map_err(|e| DomainError::Validation(vec![e]))?;
    let conn = db.reader();
    let mut select = Entity::find();
    select = match v {
        CaseViewer::University => select.filter(Column::State.ne(DbCaseState::Draft)),
        CaseViewer::CollegeStaff { college_id, .. } => select.filter(
            sea_orm::Condition::any()
                .add(Column::CollegeId.eq(college_id))
                .add(Column::State.eq(DbCaseState::Accepted)),
        ),
        CaseViewer::Nobody => return Err(not_found(RESOURCE)),
    };
    select = filter_eq(select, Column::CollegeId, f.college_id);
    select = filter_eq(select, Column::AcademicYearId, f.academic_year_id);
    select = filter_eq(select, Column::State, f.state.map(DbCaseState::from));
    select = filter_eq(select, Column::Featured, f.featured);
    let p = page(conn, select, req, sort, Column::Id).await?;
    let items = hydrate(conn, p.items).await?;
    Ok(Page { items, total: p.total, page: p.page, page_size: p.page_size })
}

/// A case the caller sees; `NotFound` for one they may not see.
async fn visible<C: ConnectionTrait>(conn: &C, v: CaseViewer, id: Uuid, lock: bool) -> Result<Model> {
    v.may_read_cases()?;
    let m = if lock {
        find_for_update::<Entity, _>(conn, id, RESOURCE).await?
    } else {
        Entity::find_by_id(id).one(conn).await?.ok_or_else(|| not_found(RESOURCE))?
    };
    if !v.sees(m.college_id, m.state.into()) {
        return Err(not_found(RESOURCE));
    }
    Ok(m)
}

/// One case, for those who see it.
pub async fn get(db: &Db, who: &Principal, id: Uuid) -> Result<BestCase> {
    let conn = db.reader();
    let m = visible(conn, CaseViewer::of(who), id, false).await?;
    one(conn, m).await
}

/// Locks a case the caller sees for `action`: the caller may do it, the version matches, the
/// state allows it. Returns the case, its state and `featured` after the action.
async fn lock_for(
    tx: &DatabaseTransaction,
    who: &Principal,
    id: Uuid,
    action: CaseAction,
    if_match: Option<i32>,
) -> Result<(Model, CaseState, bool)> {
    let v = CaseViewer::of(who);
    let m = visible(tx, v, id, true).await?;
    v.may(action, m.college_id)?;
    check_version(if_match, m.version)?;
    let (state, featured) = CaseState::from(m.state).apply(m.featured, action)?;
    Ok((m, state, featured))
}

/// The college's admin changes a draft or returned case.
pub async fn update(
    db: &Db,
    who: &Principal,
    id: Uuid,
    changes: CaseInput<'_>,
    if_match: Option<i32>,
) -> Result<BestCase> {
    let now = db.clock().now();
    let tx = db.begin().await?;
    let (m, _, _) = lock_for(&tx, who, id, CaseAction::Edit, if_match).await?;
    let activities: Vec<Uuid> = best_case_activity::Entity::find()
        .filter(best_case_activity::Column::CaseId.eq(id))
        .all(&tx)
        .await?
        .into_iter()
        .map(|a| a.activity_id)
        .collect();
    let current = CaseFields {
        title: m.title.clone(),
        summary: m.summary.clone(),
        body: m.body.clone(),
        academic_year_id: m.academic_year_id,
        activity_ids: activities,
        data_notes: m.data_notes.clone(),
    };
    let next = current.with_changes(&changes)?;
    if changes.academic_year_id.is_some() {
        check_year(&tx, next.academic_year_id).await?;
    }
    if changes.activity_ids.is_some() {
        check_activities(&tx, &next.activity_ids, m.college_id).await?;
        write_activities(&tx, id, &next.activity_ids).await?;
    }
    let after = ActiveModel {
        id: Set(id),
        title: Set(next.title),
        summary: Set(next.summary),
        body: Set(next.body),
        academic_year_id: Set(next.academic_year_id),
        data_notes: Set(next.data_notes),
        version: Set(m.version + 1),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(&tx)
    .await?;
    audit::record(
        &tx,
        who.actor(),
        AuditAction::CaseUpdate,
        RESOURCE,
        Some(id),
        audit::updated(&trace(&m), &trace(&after)),
    )
    .await?;
    events::emit(&tx, DomainEvent::CaseUpdated, RESOURCE, id, &trace(&after)).await?;
    let c = one(&tx, after).await?;
    tx.commit().await?;
    Ok(c)
}

/// Moves a case by `action` (submit, accept, return, feature, unfeature), with the university's
/// comments for accept and return (required for return).
pub async fn transition(
    db: &Db,
    who: &Principal,
    id: Uuid,
    action: CaseAction,
    comments: Option<&str>,
    if_match: Option<i32>,
) -> Result<BestCase> {
    let comments = match action {
        CaseAction::Return => parse_comments(comments, true)?,
        CaseAction::Accept => parse_comments(comments, false)?,
        _ => None,
    };
    let now = db.clock().now();
    let tx = db.begin().await?;
    let (m, state, featured) = lock_for(&tx, who, id, action, if_match).await?;
    let mut am = ActiveModel {
        id: Set(id),
        state: Set(state.into()),
        featured: Set(featured),
        version: Set(m.version + 1),
        updated_at: Set(now),
        ..Default::default()
    };
    let (event, audit_action) = match action {
        CaseAction::Submit => {
            am.submitted_at = Set(Some(now));
            (DomainEvent::CaseSubmitted, AuditAction::CaseSubmit)
        }
        CaseAction::Accept | CaseAction::Return => {
            am.reviewed_at = Set(Some(now));
            am.reviewed_by = Set(Some(user_id(who)?));
            am.review_comments = Set(comments);
            if action == CaseAction::Accept {
                (DomainEvent::CaseAccepted, AuditAction::CaseAccept)
            } else {
                (DomainEvent::CaseReturned, AuditAction::CaseReturn)
            }
        }
        CaseAction::Feature => (DomainEvent::CaseFeatured, AuditAction::CaseFeature),
        CaseAction::Unfeature => (DomainEvent::CaseUnfeatured, AuditAction::CaseUnfeature),
        CaseAction::Edit => {
            return Err(DomainError::InvalidTransition { from: state.to_string(), action: action.to_string() }.into());
        }
    };
    let after = am.update(&tx).await?;
    audit::record(&tx, who.actor(), audit_action, RESOURCE, Some(id), audit::updated(&trace(&m), &trace(&after)))
        .await?;
    events::emit(&tx, event, RESOURCE, id, &trace(&after)).await?;
    let c = one(&tx, after).await?;
    tx.commit().await?;
    Ok(c)
}

/// Checks, before the upload is read, that the caller may attach a file to the case now
/// (`NotFound`, `Forbidden` or `InvalidTransition` otherwise).
pub async fn may_attach(db: &Db, who: &Principal, id: Uuid) -> Result<()> {
    let v = CaseViewer::of(who);
    let m = visible(db.reader(), v, id, false).await?;
    v.may(CaseAction::Edit, m.college_id)?;
    CaseState::from(m.state).apply(m.featured, CaseAction::Edit)?;
    Ok(())
}

/// A file checked by `domain::best_case::inspect_attachment`, to attach.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    /// What the bytes are.
    pub kind: AttachmentKind,
    /// The file name (sanitised).
    pub file_name: String,
    /// The bytes.
    pub content: Vec<u8>,
}

/// Attaches a file to a draft or returned case (the college's admin), at most
/// [`MAX_ATTACHMENTS`] per case, when the case's version is `if_match` (if given); the case's
/// version goes up.
pub async fn attach(
    db: &Db,
    who: &Principal,
    id: Uuid,
    file: NewAttachment,
    if_match: Option<i32>,
) -> Result<(BestCase, Uuid)> {
    let now = db.clock().now();
    let author = user_id(who)?;
    let tx = db.begin().await?;
    let (m, _, _) = lock_for(&tx, who, id, CaseAction::Edit, if_match).await?;
    let n = best_case_attachment::Entity::find().filter(best_case_attachment::Column::CaseId.eq(id)).count(&tx).await?;
    if n >= MAX_ATTACHMENTS as u64 {
        return Err(DomainError::invalid(
            "file",
            "too_many",
            format!("a case has at most {MAX_ATTACHMENTS} attachments"),
        )
        .into());
    }
    let byte_size = i32::try_from(file.content.len()).map_err(|_| crate::Error::Internal("attachment size".into()))?;
    let a = best_case_attachment::ActiveModel {
        id: Set(Uuid::now_v7()),
        case_id: Set(id),
        file_name: Set(file.file_name),
        media_type: Set(file.kind.media_type().to_owned()),
        byte_size: Set(byte_size),
        sha256: Set(hex_sha256(&file.content)),
        content: Set(file.content),
        uploaded_by: Set(author),
        created_at: Set(now),
    }
    .insert(&tx)
    .await?;
    let t = AttachmentTrace {
        case_id: id,
        attachment_id: a.id,
        file_name: a.file_name.clone(),
        media_type: a.media_type.clone(),
        byte_size: a.byte_size,
        sha256: a.sha256.clone(),
    };
    let after = ActiveModel { id: Set(id), version: Set(m.version + 1), updated_at: Set(now), ..Default::default() }
        .update(&tx)
        .await?;
    audit::record(&tx, who.actor(), AuditAction::CaseAttach, RESOURCE, Some(id), audit::created(&t)).await?;
    events::emit(&tx, DomainEvent::CaseUpdated, RESOURCE, id, &trace(&after)).await?;
    let c = one(&tx, after).await?;
    tx.commit().await?;
    Ok((c, a.id))
}

/// Removes an attachment of a draft or returned case (the college's admin), when the case's
/// version is `if_match` (if given); the case's version goes up.
pub async fn detach(
    db: &Db,
    who: &Principal,
    id: Uuid,
    attachment_id: Uuid,
    if_match: Option<i32>,
) -> Result<BestCase> {
    let now = db.clock().now();
    let tx = db.begin().await?;
    let (m, _, _) = lock_for(&tx, who, id, CaseAction::Edit, if_match).await?;
    let a = best_case_attachment::Entity::find_by_id(attachment_id)
        .filter(best_case_attachment::Column::CaseId.eq(id))
        .select_only()
        .columns([
            best_case_attachment::Column::Id,
            best_case_attachment::Column::FileName,
            best_case_attachment::Column::MediaType,
            best_case_attachment::Column::ByteSize,
            best_case_attachment::Column::Sha256,
        ])
        .into_tuple::<(Uuid, String, String, i32, String)>()
        .one(&tx)
        .await?
        .ok_or_else(|| not_found(ATTACHMENT))?;
    best_case_attachment::Entity::delete_by_id(attachment_id).exec(&tx).await?;
    let t = AttachmentTrace {
        case_id: id,
        attachment_id: a.0,
        file_name: a.1,
        media_type: a.2,
        byte_size: a.3,
        sha256: a.4,
    };
    let after = ActiveModel { id: Set(id), version: Set(m.version + 1), updated_at: Set(now), ..Default::default() }
        .update(&tx)
        .await?;
    audit::record(&tx, who.actor(), AuditAction::CaseDetach, RESOURCE, Some(id), audit::deleted(&t)).await?;
    events::emit(&tx, DomainEvent::CaseUpdated, RESOURCE, id, &trace(&after)).await?;
    let c = one(&tx, after).await?;
    tx.commit().await?;
    Ok(c)
}

/// An attachment's bytes, for those who see its case.
#[derive(Debug, Clone)]
pub struct AttachmentFile {
    /// The file name given at upload.
    pub file_name: String,
    /// What the bytes are.
    pub media_type: String,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// The bytes.
    pub content: Vec<u8>,
}

/// An attachment of a case the caller sees; `NotFound` otherwise.
pub async fn attachment(db: &Db, who: &Principal, id: Uuid, attachment_id: Uuid) -> Result<AttachmentFile> {
    let conn = db.reader();
    visible(conn, CaseViewer::of(who), id, false).await?;
    let a = best_case_attachment::Entity::find_by_id(attachment_id)
        .filter(best_case_attachment::Column::CaseId.eq(id))
        .one(conn)
        .await?
        .ok_or_else(|| not_found(ATTACHMENT))?;
    Ok(AttachmentFile { file_name: a.file_name, media_type: a.media_type, sha256: a.sha256, content: a.content })
}

/// The featured cases of `year`, per college, oldest first: the notes of the college-assessment
/// report.
pub(crate) async fn featured_of_year<C: ConnectionTrait>(
    conn: &C,
    year: Uuid,
    only: Option<Uuid>,
) -> Result<HashMap<Uuid, Vec<domain::best_case::CaseNote>>> {
    let rows: Vec<(Uuid, Uuid, String)> = Entity::find()
        .select_only()
        .columns([Column::Id, Column::CollegeId, Column::Title])
        .filter(Column::AcademicYearId.eq(year))
        .filter(Column::State.eq(DbCaseState::Accepted))
        .filter(Column::Featured.eq(true))
        .apply_if(only, |s, c| s.filter(Column::CollegeId.eq(c)))
        .order_by_asc(Column::CreatedAt)
        .order_by_asc(Column::Id)
        .into_tuple()
        .all(conn)
        .await?;
    let mut out: HashMap<Uuid, Vec<domain::best_case::CaseNote>> = HashMap::new();
    for (id, college_id, title) in rows {
        out.entry(college_id).or_default().push(domain::best_case::CaseNote { id, title });
    }
    Ok(out)
}
