//! Helpers every repository uses: pagination, sorting, error mapping, optimistic concurrency.

use domain::page::{Count, Cursor, CursorPage, KeyValue, ListRequest, Page, PageRequest, Position, Sort, sort_name};
use sea_orm::sea_query::{
    ColumnType, Expr, ExprTrait, Func, IntoCondition, IntoIden, IntoTableRef, LikeExpr, OnConflict, Query,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, ModelTrait, Order, PaginatorTrait,
    QueryFilter, QueryOrder, QueryResult, QuerySelect, QueryTrait, Select, SqlErr, Statement, Value,
};

use uuid::Uuid;

use crate::{Error, Result};

/// The column the total of a page's rows travels in.
const TOTAL: &str = "page_total__";

/// A row of a page with the total of the whole list beside it.
struct Counted<M> {
    model: M,
    total: i64,
}

impl<M: FromQueryResult> FromQueryResult for Counted<M> {
    fn from_query_result(res: &QueryResult, pre: &str) -> std::result::Result<Self, DbErr> {
        Ok(Self { model: M::from_query_result(res, pre)?, total: res.try_get(pre, TOTAL)? })
    }
}

/// Runs `select` for one page, with its total, ordered by `sort` then by `tiebreak` so that pages
/// never overlap.
///
/// One round trip: the total is a scalar subquery beside the page's columns
/// (`SELECT …, (SELECT COUNT(*) FROM … WHERE …) FROM … WHERE … ORDER BY … LIMIT … OFFSET …`), so
/// each half keeps its own plan (an index-only count, a top-N or index-ordered page). Only a
/// page past the end, which has no row to carry the total, costs a second query for it.
pub(crate) async fn page<E, C>(
    conn: &C,
    select: Select<E>,
    req: PageRequest,
    sort: Sort<E::Column>,
    tiebreak: E::Column,
) -> Result<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Sized + Send + Sync,
    C: ConnectionTrait,
{
    let count = select.clone().select_only().column_as(Expr::cust("COUNT(*)"), "n").into_query();
    let order = if sort.descending { Order::Desc } else { Order::Asc };
    let rows = select
        .clone()
        .expr_as(Expr::from(count), TOTAL)
        .order_by(sort.key, order.clone())
        .order_by(tiebreak, order)
        .offset(req.offset())
        .limit(req.page_size)
        .into_model::<Counted<E::Model>>()
        .all(conn)
        .await?;
    let total = match rows.first() {
        Some(r) => u64::try_from(r.total).unwrap_or_default(),
        None if req.offset() == 0 => 0,
        None => select.count(conn).await?,
    };
    let items = rows.into_iter().map(|r| r.model).collect();
    Ok(Page { items, total, page: req.page, page_size: req.page_size })
}

/// The sorts a list that offers cursors allows: each key's name and column, the first (ascending)
/// the default; and the unique column that breaks ties (the id).
pub(crate) struct Keyset<'a, E: EntityTrait> {
    /// `(name, column)` of each sort key.
    pub sorts: &'a [(&'static str, E::Column)],
    /// The tie-break.
    pub tiebreak: E::Column,
}

/// Runs `select` for one page of a list that offers cursors: by page number (`OFFSET`) or after a
/// cursor (a seek, `WHERE (key, id) > (…)`, `<` when descending, which an index on `(key, id)`
/// answers without reading the rows before it), with the exact total only when `count=exact`.
///
/// One more row than the page is read, so `has_more` needs no count. `filter` is the list's
/// filters: a cursor is bound to them (and to the sort), so one reused with others is refused.
/// The caller's visibility is applied by `select` itself on every page, so a cursor never widens
/// what a caller sees.
pub(crate) async fn keyset_page<E, C, F>(
    conn: &C,
    select: Select<E>,
    req: &ListRequest,
    sort: Option<&str>,
    keys: Keyset<'_, E>,
    filter: &F,
) -> Result<CursorPage<E::Model>>
where
    E: EntityTrait,
    E::Model: FromQueryResult + ModelTrait<Entity = E> + Sized + Send + Sync,
    C: ConnectionTrait,
    F: serde::Serialize,
{
    let names: Vec<(&str, usize)> = keys.sorts.iter().enumerate().map(|(i, (n, _))| (*n, i)).collect();
    let chosen = domain::page::parse_sort(sort, &names, Sort { key: 0, descending: false })
        .map_err(|e| domain::Error::Validation(vec![e]))?;
    let (name, column) = keys.sorts.get(chosen.key).copied().ok_or_else(|| Error::Internal("no sort key".into()))?;
    let sort = sort_name(name, chosen.descending);
    let scope = serde_json::to_string(filter).map_err(|e| Error::Internal(format!("list filters: {e}")))?;

    let mut rows_select = select.clone();
    if let Position::After(cursor) = &req.position {
        let (key, id) = cursor.seek(&sort, &scope)?;
        let row = Expr::tuple([Expr::col(column.as_column_ref()), Expr::col(keys.tiebreak.as_column_ref())]);
        let after = Expr::tuple([Expr::val(bind(column, key)?), Expr::val(id)]);
        rows_select = rows_select.filter(if chosen.descending { row.lt(after) } else { row.gt(after) });
    }
    let order = if chosen.descending { Order::Desc } else { Order::Asc };
    rows_select = rows_select
        .order_by(column, order.clone())
        .order_by(keys.tiebreak, order)
        .offset(req.offset())
        .limit(req.page_size + 1);

    let (mut rows, total) = match req.count {
        Count::None => (rows_select.all(conn).await?, None),
        Count::Exact => {
            // As in `page`: the total rides beside the rows as a scalar subquery; only an empty
            // page, which has no row to carry it, costs a query of its own.
            let count = select.clone().select_only().column_as(Expr::cust("COUNT(*)"), "n").into_query();
            let counted =
                rows_select.expr_as(Expr::from(count), TOTAL).into_model::<Counted<E::Model>>().all(conn).await?;
            let total = match counted.first() {
                Some(r) => u64::try_from(r.total).unwrap_or_default(),
                None if req.offset() == 0 && matches!(req.position, Position::Page(_)) => 0,
                None => select.count(conn).await?,
            };
            (counted.into_iter().map(|r| r.model).collect::<Vec<_>>(), Some(total))
        }
    };
    let has_more = rows.len() as u64 > req.page_size;
    rows.truncate(usize::try_from(req.page_size).unwrap_or(usize::MAX));
    let next_cursor = match rows.last() {
        Some(last) if has_more => {
            let id = match last.get(keys.tiebreak) {
                Value::Uuid(Some(id)) => id,
                other => return Err(Error::Internal(format!("the tie-break of a list is not a UUID: {other:?}"))),
            };
            Some(Cursor::new(&sort, &scope, key_of(last.get(column))?, id).encode())
        }
        _ => None,
    };
    let page = match req.position {
        Position::Page(p) => Some(p),
        Position::After(_) => None,
    };
    Ok(CursorPage { items: rows, total, page, page_size: req.page_size, has_more, next_cursor })
}

/// The sort key of a row as a cursor carries it.
fn key_of(v: Value) -> Result<KeyValue> {
    Ok(match v {
        Value::String(Some(s)) => KeyValue::Text(s),
        Value::SmallInt(Some(n)) => KeyValue::Int(i64::from(n)),
        Value::Int(Some(n)) => KeyValue::Int(i64::from(n)),
        Value::BigInt(Some(n)) => KeyValue::Int(n),
        Value::ChronoDateTimeUtc(Some(t)) => KeyValue::Time(t),
        other => return Err(Error::Internal(format!("a sort key no cursor can carry: {other:?}"))),
    })
}

/// A cursor's sort key as a value of `column`'s own type (so PostgreSQL compares like with like
/// and keeps to the index); a key of another type is an altered cursor.
fn bind<Col: ColumnTrait>(column: Col, key: &KeyValue) -> Result<Value> {
    let bad = || Error::Domain(domain::Error::InvalidCursor("the cursor does not fit this list's sort".into()));
    Ok(match (column.def().get_column_type(), key) {
        (ColumnType::String(_) | ColumnType::Text | ColumnType::Char(_), KeyValue::Text(s)) => Value::from(s.clone()),
        (ColumnType::SmallInteger, KeyValue::Int(n)) => Value::from(i16::try_from(*n).map_err(|_| bad())?),
        (ColumnType::Integer, KeyValue::Int(n)) => Value::from(i32::try_from(*n).map_err(|_| bad())?),
        (ColumnType::BigInteger, KeyValue::Int(n)) => Value::from(*n),
        (ColumnType::TimestampWithTimeZone | ColumnType::Timestamp | ColumnType::DateTime, KeyValue::Time(t)) => {
            Value::from(*t)
        }
        _ => return Err(bad()),
    })
}

/// Adds `filter` to `select` when `value` is given.
pub(crate) fn filter_eq<E, V>(select: Select<E>, col: E::Column, value: Option<V>) -> Select<E>
where
    E: EntityTrait,
    V: Into<sea_orm::Value>,
{
    match value {
        Some(v) => select.filter(col.eq(v)),
        None => select,
    }
}

/// A case-insensitive substring match of `q` on any of `cols`.
pub(crate) fn search<E: EntityTrait>(select: Select<E>, cols: &[E::Column], q: Option<&str>) -> Select<E> {
    let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) else { return select };
    let escaped = q.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    let pattern = format!("%{escaped}%");
    let mut any = sea_orm::Condition::any();
    for c in cols {
        any = any.add(
            Expr::expr(Func::lower(Expr::col(c.as_column_ref())))
                .like(LikeExpr::new(pattern.clone()).escape('\\'))
                .into_condition(),
        );
    }
    select.filter(any)
}

/// Maps a unique-constraint violation to a `duplicate` conflict and a foreign-key violation to
/// `in_use`/an invalid reference; anything else stays a database error.
pub(crate) fn constraint(err: DbErr, duplicate: &str, fk: &str) -> Error {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => Error::Domain(domain::Error::duplicate(duplicate)),
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => Error::Domain(domain::Error::in_use(fk)),
        // SQLite reports an `ON DELETE RESTRICT` violation as SQLITE_CONSTRAINT_TRIGGER (1811),
        // which sea-orm does not classify; its message is fixed.
        _ if err.to_string().contains("FOREIGN KEY constraint failed") => Error::Domain(domain::Error::in_use(fk)),
        _ => err.into(),
    }
}

/// Checks an `If-Match` version against the current one.
pub(crate) fn check_version(expected: Option<i32>, current: i32) -> Result<()> {
    match expected {
        Some(v) if v != current => Err(domain::Error::PreconditionFailed { current }.into()),
        _ => Ok(()),
    }
}

/// Loads one row by primary key for update: `FOR UPDATE` on PostgreSQL (SQLite's write
/// transaction already excludes other writers).
pub(crate) async fn find_for_update<E, C>(conn: &C, id: uuid::Uuid, resource: &'static str) -> Result<E::Model>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Sized + Send + Sync,
    <E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType: From<uuid::Uuid>,
    C: ConnectionTrait,
{
    E::find_by_id(id).lock_exclusive().one(conn).await?.ok_or(Error::Domain(domain::Error::NotFound { resource }))
}

/// Loads one row by primary key.
pub(crate) async fn find<E, C>(conn: &C, id: uuid::Uuid, resource: &'static str) -> Result<E::Model>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Sized + Send + Sync,
    <E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType: From<uuid::Uuid>,
    C: ConnectionTrait,
{
    E::find_by_id(id).one(conn).await?.ok_or(Error::Domain(domain::Error::NotFound { resource }))
}

/// A `NotFound` error for `resource`.
pub(crate) fn not_found(resource: &'static str) -> Error {
    Error::Domain(domain::Error::NotFound { resource })
}

/// How many rows of `columns` values one multi-row statement may carry: PostgreSQL binds at most
/// 65,535 parameters, SQLite 32,766. Fewer, larger statements matter over TCP (see STACK-NOTES:
/// each large statement can stall ~40 ms).
pub(crate) fn rows_per_statement<C: ConnectionTrait>(conn: &C, columns: usize) -> usize {
    let params = match conn.get_database_backend() {
        sea_orm::DbBackend::Postgres => 65_535,
        _ => 32_766,
    };
    (params / columns.max(1)).max(1)
}

/// Inserts `rows` (each one `Expr` per column, in `columns` order) in as few multi-row statements
/// as the parameter limit allows, optionally as an upsert. Built with sea-query directly: sea-orm's
/// `insert_many` clones every value several times more, which for 100,000 rows is most of the cost.
pub(crate) async fn insert_rows<C, T, Col>(
    conn: &C,
    table: T,
    columns: &[Col],
    on_conflict: Option<&OnConflict>,
    rows: impl IntoIterator<Item = Vec<Expr>>,
) -> std::result::Result<(), DbErr>
where
    C: ConnectionTrait,
    T: IntoTableRef + Clone,
    Col: IntoIden + Copy,
{
    let per_statement = rows_per_statement(conn, columns.len());
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut insert = Query::insert();
        insert.into_table(table.clone()).columns(columns.iter().copied());
        for row in rows.by_ref().take(per_statement) {
            insert.values(row).map_err(|e| DbErr::Custom(e.to_string()))?;
        }
        if let Some(c) = on_conflict {
            insert.on_conflict(c.clone());
        }
        conn.execute(&insert).await?;
    }
    Ok(())
}

/// What a [`bulk_insert`] does when a row's key exists already: update these columns from the row.
pub(crate) struct Upsert<'a, Col> {
    /// The unique key the conflict is on.
    pub key: &'a [Col],
    /// The columns the row's values replace.
    pub update: &'a [Col],
}

/// Rows per statement of [`bulk_insert`] on PostgreSQL. Each column travels as one array parameter,
/// so there is no parameter limit; this bounds the text one statement holds in memory, while
/// keeping statements few (over TCP each large statement may stall ~40 ms, see STACK-NOTES).
const PG_ROWS_PER_STATEMENT: usize = 20_000;

/// Inserts `rows` (one value per column, in `columns` order) into `E`'s table in file order, as
/// few statements as possible, optionally as an upsert.
///
/// PostgreSQL: `INSERT … SELECT * FROM unnest($1::uuid[], $2::text[], …)`, one array parameter per
/// column written as an array literal (each element quoted; `NULL` for none) — a handful of
/// parameters however many rows, so the statement is small to parse and to plan, and one statement
/// carries 20,000 rows. SQLite: multi-row `VALUES` with bound parameters, the same text for
/// every full statement, so its prepared form is reused.
pub(crate) async fn bulk_insert<C, E>(
    conn: &C,
    entity: E,
    columns: &[E::Column],
    upsert: Option<Upsert<'_, E::Column>>,
    rows: impl IntoIterator<Item = Vec<Value>>,
) -> std::result::Result<(), DbErr>
where
    C: ConnectionTrait,
    E: EntityTrait,
{
    use sea_orm::IdenStatic;
    let backend = conn.get_database_backend();
    let table = entity.table_name();
    let names: Vec<&str> = columns.iter().map(IdenStatic::as_str).collect();
    let head = format!("INSERT INTO \"{table}\" ({})", quoted(&names));
    let tail = match &upsert {
        None => String::new(),
        Some(u) => {
            let key: Vec<&str> = u.key.iter().map(IdenStatic::as_str).collect();
            let set: Vec<String> = u.update.iter().map(|c| format!("\"{0}\" = excluded.\"{0}\"", c.as_str())).collect();
            format!(" ON CONFLICT ({}) DO UPDATE SET {}", quoted(&key), set.join(", "))
        }
    };
    let mut rows = rows.into_iter().peekable();
    if backend == DbBackend::Postgres {
        let types: Vec<&'static str> =
            columns.iter().map(|c| pg_type(c.def().get_column_type())).collect::<Result<_, _>>()?;
        let arrays: Vec<String> = types.iter().enumerate().map(|(i, t)| format!("${}::{t}[]", i + 1)).collect();
        let sql = format!("{head} SELECT * FROM unnest({}){tail}", arrays.join(", "));
        while rows.peek().is_some() {
            let mut literals: Vec<String> = vec![String::from("{"); columns.len()];
            for (n, row) in rows.by_ref().take(PG_ROWS_PER_STATEMENT).enumerate() {
                if row.len() != columns.len() {
                    return Err(DbErr::Custom(format!("a row of {} values for {} columns", row.len(), columns.len())));
                }
                for (lit, v) in literals.iter_mut().zip(row) {
                    if n > 0 {
                        lit.push(',');
                    }
                    array_element(lit, v)?;
                }
            }
            let values: Vec<Value> = literals
                .into_iter()
                .map(|mut l| {
                    l.push('}');
                    Value::String(Some(l))
                })
                .collect();
            conn.execute_raw(Statement::from_sql_and_values(backend, &sql, values)).await?;
        }
    } else {
        let per_statement = rows_per_statement(conn, columns.len());
        let marks = format!("({})", vec!["?"; columns.len()].join(","));
        let mut full = None;
        while rows.peek().is_some() {
            let mut values = Vec::with_capacity(per_statement * columns.len());
            for row in rows.by_ref().take(per_statement) {
                values.extend(row);
            }
            let n = values.len() / columns.len().max(1);
            let build = |n: usize| format!("{head} VALUES {}{tail}", vec![marks.as_str(); n].join(","));
            let sql = if n == per_statement { full.get_or_insert_with(|| build(n)).clone() } else { build(n) };
            conn.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
        }
    }
    Ok(())
}

/// `"a", "b", …`: quoted identifiers.
fn quoted(names: &[&str]) -> String {
    names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
}

/// The PostgreSQL type of a column's array in [`bulk_insert`]. JSON columns are `jsonb` here (the
/// migrations make every JSON column `jsonb`).
fn pg_type(column: &ColumnType) -> std::result::Result<&'static str, DbErr> {
    Ok(match column {
        ColumnType::Char(_) | ColumnType::String(_) | ColumnType::Text => "text",
        ColumnType::SmallInteger => "int2",
        ColumnType::Integer => "int4",
        ColumnType::BigInteger => "int8",
        ColumnType::Boolean => "bool",
        ColumnType::Uuid => "uuid",
        ColumnType::Date => "date",
        ColumnType::TimestampWithTimeZone => "timestamptz",
        ColumnType::Json | ColumnType::JsonBinary => "jsonb",
        other => return Err(DbErr::Custom(format!("bulk_insert: no array type for a {other:?} column"))),
    })
}

/// Appends `value` to a PostgreSQL array literal: `NULL`, or the value's text in double quotes
/// with `"` and `\` escaped.
fn array_element(out: &mut String, value: Value) -> std::result::Result<(), DbErr> {
    use std::fmt::Write;
    let text = match value {
        Value::Bool(Some(b)) => if b { "t" } else { "f" }.to_owned(),
        Value::SmallInt(Some(n)) => n.to_string(),
        Value::Int(Some(n)) => n.to_string(),
        Value::BigInt(Some(n)) => n.to_string(),
        Value::String(Some(s)) => s,
        Value::Uuid(Some(u)) => {
            // A uuid needs no quoting.
            let _ = write!(out, "{u}");
            return Ok(());
        }
        Value::ChronoDate(Some(d)) => d.format("%Y-%m-%d").to_string(),
        Value::ChronoDateTimeUtc(Some(t)) => t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        Value::Json(Some(j)) => j.to_string(),
        Value::Enum(sea_orm::sea_query::OptionEnum::Some(e)) => e.value.into_owned(),
        v if !v.is_some() => {
            out.push_str("NULL");
            return Ok(());
        }
        other => return Err(DbErr::Custom(format!("bulk_insert: cannot write {other:?} into an array"))),
    };
    out.reserve(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    Ok(())
}

/// Ids per `IN (…)` query when loading rows by id.
const IDS_PER_QUERY: usize = 5_000;

/// The rows of `E` whose `column` is one of `ids` (duplicates ignored), a few thousand ids per
/// query.
pub(crate) async fn find_by_ids<E: EntityTrait, C: ConnectionTrait>(
    conn: &C,
    column: E::Column,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<Vec<E::Model>> {
    let mut ids: Vec<Uuid> = ids.into_iter().collect();
    ids.sort();
    ids.dedup();
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(IDS_PER_QUERY) {
        out.extend(E::find().filter(column.is_in(chunk.iter().copied())).all(conn).await?);
    }
    Ok(out)
}
