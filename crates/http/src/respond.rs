//! Successful responses: JSON with an `ETag`, `201 Created` with a `Location`, pages.

use actix_web::HttpResponse;
use actix_web::http::header;
use serde::Serialize;
use utoipa::ToSchema;

/// The `ETag` of a resource version.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// `200 OK` with the body and its `ETag`.
pub fn ok_tagged<T: Serialize>(body: &T, version: i32) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::ETAG, etag(version))).json(body)
}

/// `201 Created` with the body, its `ETag`, and the `Location` of the new resource.
pub fn created<T: Serialize>(location: String, body: &T, version: i32) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .insert_header((header::ETAG, etag(version)))
        .json(body)
}

/// `200 OK` with a body and no caching.
pub fn ok<T: Serialize>(body: &T) -> HttpResponse {
    HttpResponse::Ok().json(body)
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageOf<T: ToSchema> {
    /// The items of this page.
    pub items: Vec<T>,
    /// How many items match in all.
    pub total: u64,
    /// This page's number (from 1).
    pub page: u64,
    /// The page size used (at most 100).
    pub page_size: u64,
}

impl<T: ToSchema> PageOf<T> {
    /// Converts a domain page.
    pub fn from_page<U>(p: domain::page::Page<U>, f: impl FnMut(U) -> T) -> Self {
        let p = p.map(f);
        PageOf { items: p.items, total: p.total, page: p.page, page_size: p.page_size }
    }
}

/// `200 OK` with a page and its RFC 8288 `Link` header: `first`, `last`, and `prev`/`next` when
/// there is such a page. Each link is the request's own path and query with `page` and
/// `page_size` set, every other parameter (filters, `sort`, `q`) kept as the caller wrote it.
pub fn page<T: ToSchema + Serialize>(req: &actix_web::HttpRequest, page: PageOf<T>) -> HttpResponse {
    let links = page_links(req.path(), req.query_string(), page.page, page.page_size, page.total);
    HttpResponse::Ok().insert_header((header::LINK, links)).json(page)
}

/// One page of a large list (students, staff, accounts), which pages by number or by cursor and
/// counts only when asked.
#[derive(Debug, Serialize, ToSchema)]
pub struct CursorPageOf<T: ToSchema> {
    /// The items of this page.
    pub items: Vec<T>,
    /// How many items match in all; `null` when not counted (`count=none`, the default after a
    /// `cursor`).
    #[schema(required = true)]
    pub total: Option<u64>,
    /// This page's number (from 1); `null` for a page after a `cursor`.
    #[schema(required = true)]
    pub page: Option<u64>,
    /// The page size used (at most 100).
    pub page_size: u64,
    /// Whether another page follows.
    pub has_more: bool,
    /// The `cursor` of the next page (send it back with the same `sort` and filters); `null` on
    /// the last page.
    #[schema(required = true, pattern = "^[A-Za-z0-9_-]+$", example = json!("eyJzIjoibmFtZSIsImsiOnsidGV4dCI6IuadjuWNjiJ9LCJpIjoiMDE5MzdhNGUtMWMyYi03ZDNlLTlmNDAtNWE2YjdjOGQ5ZTBmIiwiaCI6InNMdTZ2ZW1XTlk5ZVU3VXoifQ"))]
    pub next_cursor: Option<String>,
}

impl<T: ToSchema> CursorPageOf<T> {
    /// Converts a domain page.
    pub fn from_page<U>(p: domain::page::CursorPage<U>, f: impl FnMut(U) -> T) -> Self {
        let p = p.map(f);
        CursorPageOf {
            items: p.items,
            total: p.total,
            page: p.page,
            page_size: p.page_size,
            has_more: p.has_more,
            next_cursor: p.next_cursor,
        }
    }
}

/// `200 OK` with a page of a large list and its RFC 8288 `Link` header. By page number with the
/// total: as [`page`]. By page number without it: `first`, `prev`, and `next` when `has_more`
/// (no `last`: it is not known). After a cursor: `first` (the list from the start) and `next`
/// (this query with `cursor` set to `next_cursor`) when there is a next page.
pub fn cursor_page<T: ToSchema + Serialize>(req: &actix_web::HttpRequest, page: CursorPageOf<T>) -> HttpResponse {
    let links = cursor_page_links(req.path(), req.query_string(), &page);
    HttpResponse::Ok().insert_header((header::LINK, links)).json(page)
}

/// The `Link` header of a page of a large list (see [`cursor_page`]).
fn cursor_page_links<T: ToSchema>(path: &str, query: &str, page: &CursorPageOf<T>) -> String {
    if let (Some(n), Some(total)) = (page.page, page.total) {
        return page_links(path, query, n, page.page_size, total);
    }
    let size = page.page_size.max(1);
    let kept = kept_parameters(query, &["page", "page_size", "cursor"]);
    let link = |extra: String, rel: &str| {
        let mut q = kept.join("&");
        if !q.is_empty() {
            q.push('&');
        }
        format!("<{path}?{q}{extra}page_size={size}>; rel=\"{rel}\"")
    };
    let mut out = Vec::with_capacity(3);
    match page.page {
        Some(n) => {
            out.push(link("page=1&".into(), "first"));
            if n > 1 {
                out.push(link(format!("page={}&", n - 1), "prev"));
            }
            if page.has_more {
                out.push(link(format!("page={}&", n + 1), "next"));
            }
        }
        None => {
            out.push(link(String::new(), "first"));
            // A cursor is base64url: it needs no escaping in a query.
            if let Some(c) = page.next_cursor.as_deref().filter(|_| page.has_more) {
                out.push(link(format!("cursor={c}&"), "next"));
            }
        }
    }
    out.join(", ")
}

/// The query's parameters, as the caller wrote them, but those named in `dropped`.
fn kept_parameters<'a>(query: &'a str, dropped: &[&str]) -> Vec<&'a str> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let key = p.split('=').next().unwrap_or("");
            !dropped.contains(&key)
        })
        .collect()
}

/// `200 OK` with a body whose `ETag` is a digest of its bytes, and `Cache-Control`; `304 Not
/// Modified` (no body) when `If-None-Match` names that `ETag` (or is `*`). For answers that have
/// no version of their own, such as a filtered list: any change of the bytes is a new `ETag`.
pub fn cached<T: Serialize>(
    req: &actix_web::HttpRequest,
    body: &T,
    cache_control: &str,
    links: Option<String>,
) -> HttpResponse {
    let bytes = match serde_json::to_vec(body) {
        Ok(b) => b,
        Err(e) => {
            let e = crate::error::ApiError::from(persistence::Error::Internal(format!("serialising an answer: {e}")));
            return actix_web::ResponseError::error_response(&e);
        }
    };
    let tag = content_tag(&bytes);
    let unchanged = if_none_match(req, &tag);
    let mut res = if unchanged { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    res.insert_header((header::ETAG, tag.clone())).insert_header((header::CACHE_CONTROL, cache_control));
    if let Some(l) = links {
        res.insert_header((header::LINK, l));
    }
    if unchanged {
        return res.finish();
    }
    res.content_type("application/json").body(bytes)
}

/// `200 OK` with `bytes` of `content_type`, a strong `ETag` of the bytes and `Cache-Control`;
/// `304 Not Modified` (no body) when `If-None-Match` names that `ETag` (or is `*`).
pub fn cached_bytes(
    req: &actix_web::HttpRequest,
    bytes: Vec<u8>,
    content_type: &str,
    cache_control: &str,
) -> HttpResponse {
    let tag = content_tag(&bytes);
    let unchanged = if_none_match(req, &tag);
    let mut res = if unchanged { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    res.insert_header((header::ETAG, tag)).insert_header((header::CACHE_CONTROL, cache_control));
    if unchanged {
        return res.finish();
    }
    res.content_type(content_type).body(bytes)
}

/// [`page`] with a content `ETag`, `Cache-Control` and `304` as [`cached`] gives them.
pub fn page_cached<T: ToSchema + Serialize>(
    req: &actix_web::HttpRequest,
    page: PageOf<T>,
    cache_control: &str,
) -> HttpResponse {
    let links = page_links(req.path(), req.query_string(), page.page, page.page_size, page.total);
    cached(req, &page, cache_control, Some(links))
}

/// A strong `ETag` of some bytes: the first 128 bits of their SHA-256, in hex.
fn content_tag(bytes: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// Whether `If-None-Match` names `tag` (weakly compared, as RFC 9110 says for this header) or is `*`.
fn if_none_match(req: &actix_web::HttpRequest, tag: &str) -> bool {
    req.headers().get_all(header::IF_NONE_MATCH).filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(|t| {
        let t = t.trim();
        t == "*" || t.strip_prefix("W/").unwrap_or(t) == tag
    })
}

/// The `Link` header of a page: `page` of pages of `page_size` out of `total` items.
pub fn page_links(path: &str, query: &str, page: u64, page_size: u64, total: u64) -> String {
    let size = page_size.max(1);
    let last = total.div_ceil(size).max(1);
    let kept = kept_parameters(query, &["page", "page_size"]);
    let link = |n: u64, rel: &str| {
        let mut q = kept.join("&");
        if !q.is_empty() {
            q.push('&');
        }
        format!("<{path}?{q}page={n}&page_size={size}>; rel=\"{rel}\"")
    };
    let mut out = Vec::with_capacity(4);
    out.push(link(1, "first"));
    if page > 1 {
        out.push(link((page - 1).min(last), "prev"));
    }
    if page < last {
        out.push(link(page + 1, "next"));
    }
    out.push(link(last, "last"));
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::{CursorPageOf, cursor_page_links, page_links};

    fn a_page(page: Option<u64>, total: Option<u64>, next: Option<&str>) -> CursorPageOf<String> {
        CursorPageOf {
            items: Vec::new(),
            total,
            page,
            page_size: 10,
            has_more: next.is_some(),
            next_cursor: next.map(str::to_owned),
        }
    }

    #[test]
    fn links_of_a_large_list_follow_its_cursor_or_its_pages() {
        // Counted pages: as any list.
        let counted = cursor_page_links("/a", "page=2&page_size=10", &a_page(Some(2), Some(35), Some("c")));
        assert_eq!(counted, page_links("/a", "page=2&page_size=10", 2, 10, 35));
        // Uncounted pages: no last, next only while there is more.
        let uncounted = cursor_page_links("/a", "count=none&page=2", &a_page(Some(2), None, Some("c")));
        assert_eq!(
            uncounted,
            "</a?count=none&page=1&page_size=10>; rel=\"first\", </a?count=none&page=1&page_size=10>; rel=\"prev\", \
             </a?count=none&page=3&page_size=10>; rel=\"next\""
        );
        assert!(!cursor_page_links("/a", "count=none", &a_page(Some(1), None, None)).contains("next"));
        // After a cursor: the first page and the next cursor, filters and sort kept.
        let after = cursor_page_links("/a", "sort=-name&cursor=old&college_id=x", &a_page(None, None, Some("new")));
        assert_eq!(
            after,
            "</a?sort=-name&college_id=x&page_size=10>; rel=\"first\", \
             </a?sort=-name&college_id=x&cursor=new&page_size=10>; rel=\"next\""
        );
        assert_eq!(
            cursor_page_links("/a", "cursor=old", &a_page(None, None, None)),
            "</a?page_size=10>; rel=\"first\""
        );
    }

    #[test]
    fn links_name_first_prev_next_and_last_keeping_the_other_parameters() {
        let l = page_links("/api/v1/students", "q=%E6%9D%8E&page=2&sort=-name&page_size=10", 2, 10, 35);
        assert_eq!(
            l,
            "</api/v1/students?q=%E6%9D%8E&sort=-name&page=1&page_size=10>; rel=\"first\", \
             </api/v1/students?q=%E6%9D%8E&sort=-name&page=1&page_size=10>; rel=\"prev\", \
             </api/v1/students?q=%E6%9D%8E&sort=-name&page=3&page_size=10>; rel=\"next\", \
             </api/v1/students?q=%E6%9D%8E&sort=-name&page=4&page_size=10>; rel=\"last\""
        );
        // The first page has no prev, the last no next; an empty list has one page.
        assert_eq!(
            page_links("/a", "", 1, 20, 0),
            "</a?page=1&page_size=20>; rel=\"first\", </a?page=1&page_size=20>; rel=\"last\""
        );
        let last = page_links("/a", "page=4&page_size=10", 4, 10, 35);
        assert!(last.contains("rel=\"prev\"") && !last.contains("rel=\"next\""));
        // Beyond the end, prev leads back to the last page.
        assert!(page_links("/a", "page=9", 9, 10, 35).contains("</a?page=4&page_size=10>; rel=\"prev\""));
        // `page_sizes=3` is another parameter, not `page_size`.
        assert!(page_links("/a", "page_sizes=3", 1, 10, 5).starts_with("</a?page_sizes=3&page=1"));
    }
}
