//! The record of each import, which says whether it completed (issue 12, "Faults").
//!
//! A real run writes its record as `running` and commits it on its own, before the import's
//! transaction begins. Inside that transaction the import first locks its record (`SELECT … FOR
//! UPDATE` on PostgreSQL), so the row stays locked for as long as the import lives, and at the end
//! sets it `completed` with its counts: the record commits with the data, or not at all. When the
//! import fails, its transaction is rolled back and the record is set `failed` (with the error's
//! code) in a statement of its own.
//!
//! A process killed in the middle leaves its record `running` with nothing holding it. Such a
//! record is an import that did not complete: reading the records first marks every one of them
//! `interrupted` (its `finished_at` stays empty: it never finished). On PostgreSQL, where several
//! nodes share the database, "nothing holds it" is `FOR UPDATE SKIP LOCKED`: a record that a live
//! import holds is skipped. On SQLite one process owns the file, and it knows the imports it runs
//! ([`Db`]'s set of running imports). Either way a record younger than [`GRACE`] is left alone:
//! that covers the instant between the commit of the record and the import's lock on it.

use chrono::{DateTime, Utc};
use domain::auth::{Actor, ActorKind, Principal};
use domain::import::{ImportKind, ImportRunState};
use domain::page::{Page, PageRequest, Sort};
use domain::policy::{self, Visibility};
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use super::ImportOutcome;
use crate::entities::import_run::{self, Column, Entity, Model};
use crate::enums::{DbImportKind, DbImportRunState};
use crate::query::{filter_eq, not_found, page};
use crate::{Db, Result};

const RESOURCE: &str = "import";

/// How old a `running` record that nothing holds must be before it counts as interrupted: the
/// instant between the commit of the record and the import transaction's lock on it.
pub const GRACE: chrono::Duration = chrono::Duration::seconds(5);

/// Where the file of an import came from, as far as the request says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSource {
    /// The file name of an uploaded form's `file` part.
    pub file_name: Option<String>,
    /// `csv`, `xlsx` or `json`.
    pub format: Option<String>,
    /// The text encoding of a CSV file.
    pub encoding: Option<String>,
}

/// The record of one import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRun {
    /// The import's id (its `import_id`, the target of its audit event).
    pub id: Uuid,
    /// What was imported.
    pub kind: ImportKind,
    /// The importing college admin's college; `None` for the university or a service client.
    pub college_id: Option<Uuid>,
    /// Who started it.
    pub started_by: Actor,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it completed or failed; `None` while running, and for an interrupted import.
    pub finished_at: Option<DateTime<Utc>>,
    /// Where it stands.
    pub state: ImportRunState,
    /// The data rows of the file.
    pub rows: Option<u64>,
    /// Records created (a completed import).
    pub created: Option<u64>,
    /// Records changed (a completed import).
    pub updated: Option<u64>,
    /// Rows equal to what was stored (a completed import).
    pub unchanged: Option<u64>,
    /// The code of the error a failed import ended with (`import_failed` for bad rows).
    pub error_code: Option<String>,
    /// How many problems the file had (a failed import with bad rows).
    pub error_count: Option<u64>,
    /// The uploaded file's name, when a form gave one.
    pub file_name: Option<String>,
    /// The file's format.
    pub format: Option<String>,
    /// The CSV file's encoding.
    pub encoding: Option<String>,
}

impl From<Model> for ImportRun {
    fn from(m: Model) -> Self {
        let count = |v: Option<i32>| v.and_then(|n| u64::try_from(n).ok());
        let started_by = match (m.started_by, m.client_id) {
            (Some(user), _) => Actor { kind: ActorKind::User, id: Some(user) },
            (None, client) => Actor { kind: ActorKind::ServiceClient, id: client },
        };
        Self {
            id: m.id,
            kind: m.kind.into(),
            college_id: m.college_id,
            started_by,
            started_at: m.started_at,
            finished_at: m.finished_at,
            state: m.state.into(),
            rows: count(m.rows),
            created: count(m.created),
            updated: count(m.updated),
            unchanged: count(m.unchanged),
            error_code: m.error_code,
            error_count: count(m.error_count),
            file_name: m.file_name,
            format: m.format,
            encoding: m.encoding,
        }
    }
}

fn stored(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// An import that this process runs. While it lives, this process's sweep leaves its record
/// alone; dropping it (the import ended, however it ended) says the import no longer runs here.
#[derive(Debug)]
pub struct Running {
    id: Uuid,
    db: Db,
}

impl Running {
    /// The import's id.
    pub fn id(&self) -> Uuid {
        self.id
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.db.import_ended(self.id);
    }
}

/// Writes the record of an import by `who` of `rows` rows as `running`, committed on its own
/// before the import's transaction begins.
pub async fn start(db: &Db, who: &Principal, kind: ImportKind, source: &ImportSource, rows: usize) -> Result<Running> {
    let scope = policy::import(who)?;
    let id = Uuid::now_v7();
    // Noted before the record exists, so that this process's sweep never takes it for a leftover.
    db.import_started(id);
    let running = Running { id, db: db.clone() };
    let actor = who.actor();
    let (started_by, client_id) = match actor.kind {
        ActorKind::User => (actor.id, None),
        ActorKind::ServiceClient | ActorKind::System => (None, actor.id),
    };
    let college_id = match scope {
        Visibility::College(c) => Some(c),
        Visibility::All | Visibility::Supervisor(_) | Visibility::Student(_) | Visibility::StaffSelf(_) => None,
    };
    let row = import_run::ActiveModel {
        id: Set(id),
        kind: Set(DbImportKind::from(kind)),
        college_id: Set(college_id),
        started_by: Set(started_by),
        client_id: Set(client_id),
        started_at: Set(db.clock().now()),
        finished_at: Set(None),
        state: Set(DbImportRunState::Running),
        rows: Set(Some(stored(rows))),
        created: Set(None),
        updated: Set(None),
        unchanged: Set(None),
        error_code: Set(None),
        error_count: Set(None),
        file_name: Set(source.file_name.clone()),
        format: Set(source.format.clone()),
        encoding: Set(source.encoding.clone()),
    };
    Entity::insert(row).exec_without_returning(db.writer()).await?;
    Ok(running)
}

/// Locks the record `id` inside the import's transaction (on PostgreSQL; SQLite's write
/// transaction excludes every other writer already), so that it reads `running` for as long as
/// that transaction lives. The first statement of the transaction.
pub async fn hold(tx: &DatabaseTransaction, id: Uuid) -> Result<()> {
    Entity::find_by_id(id).lock_exclusive().one(tx).await?.ok_or_else(|| not_found(RESOURCE))?;
    Ok(())
}

/// Sets the record `completed` with the import's counts, inside the import's transaction: it
/// commits with the data. (Also over an `interrupted` that a sweep wrote while the import was
/// slow to take its lock: the commit proves it completed.)
pub(crate) async fn complete(tx: &DatabaseTransaction, id: Uuid, o: &ImportOutcome, now: DateTime<Utc>) -> Result<()> {
    Entity::update_many()
        .col_expr(Column::State, Expr::value(DbImportRunState::Completed))
        .col_expr(Column::FinishedAt, Expr::value(now))
        .col_expr(Column::Rows, Expr::value(stored(o.rows)))
        .col_expr(Column::Created, Expr::value(stored(o.created)))
        .col_expr(Column::Updated, Expr::value(stored(o.updated)))
        .col_expr(Column::Unchanged, Expr::value(stored(o.unchanged)))
        .filter(Column::Id.eq(id))
        .exec(tx)
        .await?;
    Ok(())
}

/// Sets the record `failed` with the code of `error`, after the import's transaction was rolled
/// back. For bad rows (`import_failed`) it keeps how many problems there were.
pub(crate) async fn fail(db: &Db, id: Uuid, error: &crate::Error) -> Result<()> {
    let (code, count) = match error {
        crate::Error::Domain(d @ domain::Error::ImportFailed { errors, .. }) => (d.code(), Some(stored(errors.len()))),
        crate::Error::Domain(d) => (d.code(), None),
        crate::Error::Unavailable(_) => ("unavailable", None),
        crate::Error::Db(_) | crate::Error::Internal(_) | crate::Error::SchemaAhead(_) => ("internal", None),
    };
    Entity::update_many()
        .col_expr(Column::State, Expr::value(DbImportRunState::Failed))
        .col_expr(Column::FinishedAt, Expr::value(db.clock().now()))
        .col_expr(Column::ErrorCode, Expr::value(code))
        .col_expr(Column::ErrorCount, Expr::value(count))
        .filter(Column::Id.eq(id))
        // A known failure replaces the `interrupted` a sweep may have written in between.
        .filter(Column::State.is_in([DbImportRunState::Running, DbImportRunState::Interrupted]))
        .exec(db.writer())
        .await?;
    Ok(())
}

/// Marks `interrupted` every record left `running` (past the grace) that no live import holds,
/// and says how many it marked. Runs before the records are read, and when the server starts.
pub async fn sweep(db: &Db) -> Result<u64> {
    let cutoff = db.clock().now() - GRACE;
    let stale = Entity::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::State.eq(DbImportRunState::Running))
        .filter(Column::StartedAt.lt(cutoff));
    let ids: Vec<Uuid> = if db.is_sqlite() {
        // This process is the only one on the file: a record it does not run is a leftover. The
        // writer is touched only when there is one, so reading the records never waits behind an
        // import that holds it.
        let ids: Vec<Uuid> = stale.into_tuple().all(db.reader()).await?;
        let ids: Vec<Uuid> = ids.into_iter().filter(|id| !db.import_is_running(*id)).collect();
        if ids.is_empty() {
            return Ok(0);
        }
        mark_interrupted(db.writer(), &ids).await?;
        ids
    } else {
        // A record a live import holds is locked by its transaction, wherever it runs: skipped.
        let tx = db.begin().await?;
        let ids: Vec<Uuid> =
            stale.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked).into_tuple().all(&tx).await?;
        if !ids.is_empty() {
            mark_interrupted(&tx, &ids).await?;
        }
        tx.commit().await?;
        ids
    };
    if !ids.is_empty() {
        log::warn!("{} import(s) did not complete (the server stopped while they ran): {ids:?}", ids.len());
    }
    Ok(ids.len() as u64)
}

async fn mark_interrupted<C: ConnectionTrait>(conn: &C, ids: &[Uuid]) -> Result<()> {
    Entity::update_many()
        .col_expr(Column::State, Expr::value(DbImportRunState::Interrupted))
        .filter(Column::Id.is_in(ids.iter().copied()))
        .filter(Column::State.eq(DbImportRunState::Running))
        .exec(conn)
        .await?;
    Ok(())
}

/// Filters of the list of import records.
#[derive(Debug, Clone, Default)]
pub struct ImportRunFilter {
    /// Only this kind.
    pub kind: Option<ImportKind>,
    /// Only in this state.
    pub state: Option<ImportRunState>,
}

/// The import records the caller reads (a university admin all, a college admin their
/// college's), newest first.
pub async fn list(db: &Db, who: &Principal, f: ImportRunFilter, req: PageRequest) -> Result<Page<ImportRun>> {
    let scope = policy::import_records(who)?;
    sweep(db).await?;
    let mut select = Entity::find();
    select = match scope {
        Visibility::All => select,
        Visibility::College(c) => select.filter(Column::CollegeId.eq(c)),
        Visibility::Supervisor(_) | Visibility::Student(_) | Visibility::StaffSelf(_) => {
            return Err(not_found(RESOURCE));
        }
    };
    select = filter_eq(select, Column::Kind, f.kind.map(DbImportKind::from));
    select = filter_eq(select, Column::State, f.state.map(DbImportRunState::from));
    let p = page(db.reader(), select, req, Sort { key: Column::StartedAt, descending: true }, Column::Id).await?;
    Ok(p.map(ImportRun::from))
}

/// One import record the caller reads; `NotFound` for another college's.
pub async fn get(db: &Db, who: &Principal, id: Uuid) -> Result<ImportRun> {
    let scope = policy::import_records(who)?;
    sweep(db).await?;
    let m = Entity::find_by_id(id).one(db.reader()).await?.ok_or_else(|| not_found(RESOURCE))?;
    let visible = match scope {
        Visibility::All => true,
        Visibility::College(c) => m.college_id == Some(c),
        Visibility::Supervisor(_) | Visibility::Student(_) | Visibility::StaffSelf(_) => false,
    };
    if !visible {
        return Err(not_found(RESOURCE));
    }
    Ok(m.into())
}
