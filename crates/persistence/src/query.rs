//! Helpers every repository uses: pagination, sorting, error mapping, optimistic concurrency.

use domain::page::{Count, Cursor, CursorPage, KeyValue, ListRequest, Page, PageRequest, Position, Sort, sort_name};
use sea_orm::sea_query::{
    ColumnType, Expr, ExprTrait, Func, IntoCondition, IntoIden, IntoTableRef, LikeExpr, OnConflict, Query,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, ModelTrait, Order, PaginatorTrait, QueryFilter,
    QueryOrder, QueryResult, QuerySelect, QueryTrait, Select, SqlErr, Value,
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
