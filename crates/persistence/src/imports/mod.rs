//! Bulk imports of students, staff, units and honours: one transaction per file, all or nothing.
//!
//! A run parses the table with the domain's rules, takes its locks, loads the existing records
//! and every reference in a few queries, works out in memory what each row creates, changes or
//! leaves as it is, and writes only the differences, in multi-row statements. Each created or
//! changed record gets an event in the change feed, and the import as a whole one audit event with
//! its counts. When any row is bad nothing is written, and every problem is reported. A dry run
//! does the same reads (without locks) and writes nothing.
//!
//! Concurrency: on PostgreSQL an import locks the table it writes in `SHARE ROW EXCLUSIVE` mode
//! (other writers of that table wait until it commits, readers do not; two imports of one kind run
//! one after the other) and the tables its checks depend on in `SHARE` mode, always in the order
//! staff, students, honours, units; the event counter comes last, as for every other writer. So
//! what the import read cannot change before it writes. On SQLite the write transaction (`BEGIN
//! IMMEDIATE` on the one writer connection) excludes every other writer already.
//!
//! Each real run has a record ([`runs`]), committed as `running` before the import's transaction
//! begins and set `completed` inside it, so a run that was killed is seen not to have completed.

mod honors;
pub mod runs;
mod staff;
mod students;
mod units;

use domain::AuditAction;
use std::collections::HashMap;

use chrono::NaiveDate;
use domain::auth::Principal;
use domain::import::{self, ImportKind, Parsed, RowError, Table};
use domain::policy::{self, Visibility};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::entities::college;
use crate::{Db, Result};
pub use runs::ImportSource;

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOutcome {
    /// The import's id (the target of its audit event); `None` for a dry run.
    pub import_id: Option<Uuid>,
    /// The data rows of the file.
    pub rows: usize,
    /// Records created.
    pub created: usize,
    /// Records changed.
    pub updated: usize,
    /// Rows equal to what is stored already.
    pub unchanged: usize,
    /// Columns of the file that were ignored.
    pub ignored_columns: Vec<String>,
}

/// Checks that the caller may import at all, before the body is read.
pub fn check_allowed(who: &Principal) -> Result<()> {
    policy::import(who)?;
    Ok(())
}

/// Imports `table` (read from `source`) as records of `kind`: all rows or none. `today` bounds
/// enrolment years. A real run is recorded (see [`runs`]); a dry run is not.
///
/// The table is dropped as soon as it is parsed, and the parsed rows as soon as they are worked
/// out: a 100,000-row file would otherwise be held three times over while it is written.
pub async fn run(
    db: &Db,
    who: &Principal,
    kind: ImportKind,
    table: Table,
    source: &ImportSource,
    dry_run: bool,
    today: NaiveDate,
) -> Result<ImportOutcome> {
    let scope = policy::import(who)?;
    let _turn = db.import_turn().await;
    let started = std::time::Instant::now();
    let run = Run { who, scope, source, dry_run };
    let outcome = match kind {
        ImportKind::Students => {
            let parsed = import::parse_students(&table, today);
            drop(table);
            execute::<students::Students>(db, run, parsed).await
        }
        ImportKind::Staff => {
            let parsed = import::parse_staff(&table);
            drop(table);
            execute::<staff::StaffMembers>(db, run, parsed).await
        }
        ImportKind::Units => {
            let parsed = import::parse_units(&table);
            drop(table);
            execute::<units::Units>(db, run, parsed).await
        }
        ImportKind::Honors => {
            let parsed = import::parse_honors(&table);
            drop(table);
            execute::<honors::Honors>(db, run, parsed).await
        }
    }?;
    log::debug!(
        "{kind} import {:?} (dry run: {dry_run}): {} rows, {} created, {} updated, {} unchanged in {:?}",
        outcome.import_id,
        outcome.rows,
        outcome.created,
        outcome.updated,
        outcome.unchanged,
        started.elapsed()
    );
    Ok(outcome)
}

/// One kind of import: the tables it locks, how it works its rows out against what is stored,
/// how it writes the result (and its events), and the key that names a record in the audit log.
pub(crate) trait Importer {
    /// A parsed row.
    type Row;
    /// A stored record.
    type Record: Serialize;
    /// The action the import is audited as.
    const AUDIT_ACTION: AuditAction;
    /// The kind.
    const KIND: ImportKind;
    /// Table locks taken on PostgreSQL, in the order of the module comment.
    const LOCKS: &'static [(&'static str, &'static str)];

    /// Works out every row against what `conn` holds.
    async fn plan<C: ConnectionTrait>(
        conn: &C,
        scope: Visibility,
        parsed: &Parsed<Self::Row>,
    ) -> Result<Plan<Self::Record>>;

    /// Writes the created and changed records, with their events.
    async fn write(tx: &DatabaseTransaction, plan: &Plan<Self::Record>) -> Result<()>;

    /// The natural key of a record (学号, 工号, code …).
    fn key(record: &Self::Record) -> String;
}

/// Who runs an import, and how.
#[derive(Clone, Copy)]
struct Run<'a> {
    who: &'a Principal,
    scope: Visibility,
    source: &'a ImportSource,
    dry_run: bool,
}

/// Runs one import: a dry run works the file out and stops; a real run records itself as
/// `running` (committed on its own), then takes its locks, works the file out again under them,
/// writes and audits it and sets its record `completed`, all in one transaction. When that fails
/// the transaction is rolled back and the record set `failed`.
async fn execute<I: Importer>(db: &Db, run: Run<'_>, mut parsed: Parsed<I::Row>) -> Result<ImportOutcome> {
    if run.dry_run {
        let mut plan = I::plan(db.reader(), run.scope, &parsed).await?;
        check(&mut parsed, &mut plan)?;
        return Ok(outcome(None, &parsed, &plan));
    }
    let record = runs::start(db, run.who, I::KIND, run.source, parsed.total_rows).await?;
    let import_id = record.id();
    let tx = db.begin().await;
    let result = match tx {
        Ok(tx) => match write::<I>(db, &tx, run, import_id, &mut parsed).await {
            Ok(outcome) => tx.commit().await.map(|()| outcome).map_err(crate::Error::from),
            Err(e) => {
                // Rolled back before the record is touched, so that its row lock is gone.
                if let Err(r) = tx.rollback().await {
                    log::warn!("rolling back import {import_id} failed: {r}");
                }
                Err(e)
            }
        },
        Err(e) => Err(e),
    };
    if let Err(e) = &result
        && let Err(f) = runs::fail(db, import_id, e).await
    {
        // The record stays `running` and reads `interrupted` once the sweep finds it.
        log::warn!("recording that import {import_id} failed did not work: {f}");
    }
    drop(record);
    result
}

/// The import's transaction: its record locked first (before the table locks), then the locks,
/// the plan under them, the writes, the audit event, and the record set `completed`.
async fn write<I: Importer>(
    db: &Db,
    tx: &DatabaseTransaction,
    run: Run<'_>,
    import_id: Uuid,
    parsed: &mut Parsed<I::Row>,
) -> Result<ImportOutcome> {
    runs::hold(tx, import_id).await?;
    lock(tx, I::LOCKS).await?;
    let mut plan = I::plan(tx, run.scope, parsed).await?;
    // The plan holds what is written; the parsed rows are no longer needed.
    drop(std::mem::take(&mut parsed.rows));
    check(parsed, &mut plan)?;
    I::write(tx, &plan).await?;
    audit::<I, _>(tx, run.who, import_id, parsed, &plan).await?;
    let done = outcome(Some(import_id), parsed, &plan);
    runs::complete(tx, import_id, &done, db.clock().now()).await?;
    Ok(done)
}

/// What one row does to its record.
pub(crate) enum Change<T> {
    /// A new record.
    Created(T),
    /// A changed record, before and after.
    Updated(T, T),
}

/// The result of working out an import in memory.
pub(crate) struct Plan<T> {
    /// The created and changed records, in file order.
    pub changes: Vec<Change<T>>,
    /// Rows equal to what is stored.
    pub unchanged: usize,
    /// Problems found while resolving references.
    pub errors: Vec<RowError>,
}

impl<T> Plan<T> {
    pub(crate) fn new(rows: usize) -> Self {
        Self { changes: Vec::with_capacity(rows), unchanged: 0, errors: Vec::new() }
    }

    /// The created records, in file order.
    pub(crate) fn created(&self) -> impl Iterator<Item = &T> {
        self.changes.iter().filter_map(|c| match c {
            Change::Created(t) => Some(t),
            Change::Updated(..) => None,
        })
    }

    /// The changed records (after the change), in file order.
    pub(crate) fn updated(&self) -> impl Iterator<Item = &T> {
        self.changes.iter().filter_map(|c| match c {
            Change::Updated(_, t) => Some(t),
            Change::Created(_) => None,
        })
    }

    fn counts(&self) -> (usize, usize) {
        let created = self.changes.iter().filter(|c| matches!(c, Change::Created(_))).count();
        (created, self.changes.len() - created)
    }
}

/// Fails with every problem of the parse and the plan, in file order, if there is any.
pub(crate) fn check<R, T>(parsed: &mut Parsed<R>, plan: &mut Plan<T>) -> Result<()> {
    if parsed.errors.is_empty() && plan.errors.is_empty() {
        return Ok(());
    }
    let mut errors = std::mem::take(&mut parsed.errors);
    errors.append(&mut plan.errors);
    errors.sort_by_key(|e| e.line);
    Err(domain::Error::ImportFailed { rows: parsed.total_rows, errors }.into())
}

/// The outcome of a run that wrote `plan` (or, with `import_id` `None`, would have).
pub(crate) fn outcome<R, T>(import_id: Option<Uuid>, parsed: &Parsed<R>, plan: &Plan<T>) -> ImportOutcome {
    let (created, updated) = plan.counts();
    ImportOutcome {
        import_id,
        rows: parsed.total_rows,
        created,
        updated,
        unchanged: plan.unchanged,
        ignored_columns: parsed.ignored_columns.clone(),
    }
}

/// Takes table locks on PostgreSQL, in the order given (see the module comment for the order).
pub(crate) async fn lock<C: ConnectionTrait>(conn: &C, tables: &[(&str, &str)]) -> Result<()> {
    if conn.get_database_backend() == DbBackend::Postgres {
        for (table, mode) in tables {
            conn.execute_unprepared(&format!("LOCK TABLE {table} IN {mode} MODE")).await?;
        }
    }
    Ok(())
}

/// Keys per `IN (…)` query when loading the records a file names; a file with more keys loads
/// the whole table in one query instead.
pub(crate) const KEYS_PER_QUERY: usize = 5_000;

/// Colleges by code and by name: a file may name a college either way.
pub(crate) struct Colleges {
    by_code: HashMap<String, Uuid>,
    by_name: HashMap<String, Uuid>,
    names: HashMap<Uuid, String>,
}

impl Colleges {
    pub(crate) async fn load<C: ConnectionTrait>(conn: &C) -> Result<Self> {
        let all = college::Entity::find().all(conn).await?;
        Ok(Self {
            by_code: all.iter().map(|c| (c.code.clone(), c.id)).collect(),
            by_name: all.iter().map(|c| (c.name.clone(), c.id)).collect(),
            names: all.into_iter().map(|c| (c.id, c.name)).collect(),
        })
    }

    /// The college a cell names: by code, then by name, then by code ignoring ASCII case.
    pub(crate) fn resolve(&self, raw: &str) -> Option<Uuid> {
        self.by_code.get(raw).or_else(|| self.by_name.get(raw)).copied().or_else(|| {
            let mut found = self.by_code.iter().filter(|(code, _)| code.eq_ignore_ascii_case(raw));
            match (found.next(), found.next()) {
                (Some((_, id)), None) => Some(*id),
                _ => None,
            }
        })
    }

    /// The name of a college.
    pub(crate) fn name(&self, id: Uuid) -> String {
        self.names.get(&id).cloned().unwrap_or_default()
    }
}

/// The problem of a college cell: unknown, or outside the caller's college.
pub(crate) fn college_problem(
    colleges: &Colleges,
    scope: Visibility,
    raw: &str,
) -> Result<Uuid, (&'static str, String)> {
    match colleges.resolve(raw) {
        None => Err(("invalid_reference", format!("no college has the code or name {raw}"))),
        Some(id) if !policy::imports_into(scope, id) => {
            Err(("forbidden", format!("you may import only into your own college, not into {raw}")))
        }
        Some(id) => Ok(id),
    }
}

/// The fields of `after` that differ from `before` (bookkeeping fields left out), as
/// `{"field": [before, after]}` for the audit log.
pub(crate) fn diff(before: &impl Serialize, after: &impl Serialize) -> Value {
    let (Ok(Value::Object(b)), Ok(Value::Object(a))) = (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return Value::Null;
    };
    let mut out = serde_json::Map::new();
    for (k, av) in a {
        if matches!(k.as_str(), "version" | "updated_at" | "created_at") {
            continue;
        }
        let bv = b.get(&k).cloned().unwrap_or(Value::Null);
        if bv != av {
            out.insert(k, json!([bv, av]));
        }
    }
    Value::Object(out)
}

/// A changed record in the audit event of an import.
#[derive(Serialize)]
struct UpdatedRecord {
    key: String,
    changes: Value,
}

/// The audit event of an import.
#[derive(Serialize)]
struct Summary<'a> {
    kind: ImportKind,
    rows: usize,
    created: usize,
    updated: usize,
    unchanged: usize,
    ignored_columns: &'a [String],
    created_keys: Vec<String>,
    updated_records: Vec<UpdatedRecord>,
}

/// Records the import as one audit event: its counts, the keys it created, and for each changed
/// record the fields it changed.
async fn audit<I: Importer, C: ConnectionTrait>(
    conn: &C,
    who: &Principal,
    import_id: Uuid,
    parsed: &Parsed<I::Row>,
    plan: &Plan<I::Record>,
) -> Result<()> {
    let (created, updated) = plan.counts();
    let summary = Summary {
        kind: I::KIND,
        rows: parsed.total_rows,
        created,
        updated,
        unchanged: plan.unchanged,
        ignored_columns: &parsed.ignored_columns,
        created_keys: plan.created().map(I::key).collect(),
        updated_records: plan
            .changes
            .iter()
            .filter_map(|c| match c {
                Change::Updated(before, after) => {
                    Some(UpdatedRecord { key: I::key(after), changes: diff(before, after) })
                }
                Change::Created(_) => None,
            })
            .collect(),
    };
    let text = serde_json::to_string(&summary).map_err(|e| crate::Error::Internal(e.to_string()))?;
    crate::audit::record_json(conn, who.actor(), I::AUDIT_ACTION, "import", Some(import_id), text).await
}
