//! Helpers every repository uses: pagination, sorting, error mapping, optimistic concurrency.

use domain::page::{Page, PageRequest, Sort};
use sea_orm::sea_query::{Expr, ExprTrait, Func, IntoCondition, IntoIden, IntoTableRef, LikeExpr, OnConflict, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, Order, PaginatorTrait, QueryFilter, QueryOrder,
    QueryResult, QuerySelect, QueryTrait, Select, SqlErr,
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
