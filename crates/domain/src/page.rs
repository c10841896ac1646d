//! Pagination and sorting, shared by every list.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::{Error, FieldError};

/// The largest page a client can ask for; larger requests are capped to it.
pub const MAX_PAGE_SIZE: u64 = 100;
/// The page size when none is given.
pub const DEFAULT_PAGE_SIZE: u64 = 20;

/// Which page of a list to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// 1-based page number.
    pub page: u64,
    /// Items per page, 1–100.
    pub page_size: u64,
}

impl PageRequest {
    /// A page request, with the page size capped to `MAX_PAGE_SIZE` and floored at 1.
    pub fn new(page: Option<u64>, page_size: Option<u64>) -> Result<Self, FieldError> {
        let page = page.unwrap_or(1);
        if page == 0 {
            return Err(FieldError::new("page", "out_of_range", "page starts at 1"));
        }
        if page > 1_000_000 {
            return Err(FieldError::new("page", "out_of_range", "page must be at most 1000000"));
        }
        let page_size = page_size.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE);
        Ok(Self { page, page_size })
    }

    /// Rows to skip.
    pub fn offset(&self) -> u64 {
        (self.page - 1) * self.page_size
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self { page: 1, page_size: DEFAULT_PAGE_SIZE }
    }
}

/// One page of a list and the total number of matching items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// How many items match in all.
    pub total: u64,
    /// This page's number.
    pub page: u64,
    /// The page size used.
    pub page_size: u64,
}

impl<T> Page<T> {
    /// Converts every item.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            page_size: self.page_size,
        }
    }
}

/// A requested ordering: a key from the list's allowed keys, ascending unless prefixed with `-`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort<K> {
    /// The key.
    pub key: K,
    /// Descending.
    pub descending: bool,
}

/// Parses `sort=name` / `sort=-created_at` against the keys a list allows.
pub fn parse_sort<K: Copy>(raw: Option<&str>, allowed: &[(&str, K)], default: Sort<K>) -> Result<Sort<K>, FieldError> {
    // Exactly one of the keys the document lists: `sort=` (empty) or a padded key is not one.
    let Some(raw) = raw else { return Ok(default) };
    let (descending, name) = match raw.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, raw),
    };
    allowed.iter().find(|(k, _)| *k == name).map(|(_, key)| Sort { key: *key, descending }).ok_or_else(|| {
        let names: Vec<&str> = allowed.iter().map(|(k, _)| *k).collect();
        FieldError::new(
            "sort",
            "invalid_choice",
            format!("sort must be one of {} (prefix - for descending)", names.join(", ")),
        )
    })
}

/// Whether a list counts every matching item (`count=exact`) or only tells whether another page
/// follows (`count=none`): on a large list the count is most of the cost of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Count {
    /// The exact total of matching items (a `COUNT(*)` beside the page).
    #[default]
    Exact,
    /// No total; `has_more` says whether another page follows.
    None,
}

/// Where a page of a list starts: a page number (`OFFSET`), or after the last row of the page
/// before (a keyset seek, which costs the same on every page and is not shifted by inserts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    /// 1-based page number.
    Page(u64),
    /// After the row a cursor names.
    After(Cursor),
}

/// A request for one page of a list that offers cursors: where it starts, its size, and whether
/// to count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRequest {
    /// Where the page starts.
    pub position: Position,
    /// Items per page, 1–100.
    pub page_size: u64,
    /// Whether to count every matching item.
    pub count: Count,
}

impl ListRequest {
    /// A checked request. `page` and `cursor` exclude each other; without `count` a page number
    /// counts (today's answer) and a cursor does not (a client walking a large list by cursor
    /// seldom needs the total on every page).
    pub fn new(
        page: Option<u64>,
        page_size: Option<u64>,
        count: Option<Count>,
        cursor: Option<&str>,
    ) -> Result<Self, Error> {
        let cursor = cursor.filter(|c| !c.is_empty());
        if page.is_some() && cursor.is_some() {
            return Err(Error::InvalidCursor(
                "page and cursor exclude each other: a cursor already says where the page starts".into(),
            ));
        }
        let offset = PageRequest::new(page, page_size).map_err(|e| Error::Validation(vec![e]))?;
        Ok(match cursor {
            Some(raw) => Self {
                position: Position::After(Cursor::parse(raw)?),
                page_size: offset.page_size,
                count: count.unwrap_or(Count::None),
            },
            None => Self {
                position: Position::Page(offset.page),
                page_size: offset.page_size,
                count: count.unwrap_or(Count::Exact),
            },
        })
    }

    /// Rows to skip: none after a cursor.
    pub fn offset(&self) -> u64 {
        match self.position {
            Position::Page(p) => (p - 1) * self.page_size,
            Position::After(_) => 0,
        }
    }
}

impl Default for ListRequest {
    fn default() -> Self {
        Self { position: Position::Page(1), page_size: DEFAULT_PAGE_SIZE, count: Count::Exact }
    }
}

/// The value of a list's sort key in the last row of a page, as a cursor carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum KeyValue {
    /// A text key (学号, a name).
    Text(String),
    /// A whole-number key (an enrolment year).
    Int(i64),
    /// A timestamp key (`created_at`).
    Time(DateTime<Utc>),
}

/// The longest cursor accepted, in characters: a real one is a few hundred at most (a name is at
/// most 100 characters), so a longer one was not made here.
pub const MAX_CURSOR_LEN: usize = 1024;

/// Where the next page of a list starts: the sort key and id of the last row of a page, with the
/// sort it was made for and a check binding it to that sort and to the list's filters.
///
/// On the wire it is opaque: base64url (no padding) of a small JSON object. It holds nothing the
/// client did not see (the sort it asked for, a value of the last item shown, its id), so it needs
/// no secret; the check is a SHA-256 of those and of the filters, so a cursor reused with other
/// filters or altered by hand is refused (`invalid_cursor`) instead of seeking somewhere else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cursor {
    /// The sort as the list names it, `-` first when descending (`-name`).
    #[serde(rename = "s")]
    sort: String,
    /// The sort key of the last row.
    #[serde(rename = "k")]
    key: KeyValue,
    /// The id of the last row: the tie-break.
    #[serde(rename = "i")]
    id: Uuid,
    /// The check: the first 12 bytes of SHA-256 over the filters, the sort, the key and the id.
    #[serde(rename = "h")]
    check: String,
}

impl Cursor {
    /// The cursor after the row with `key` and `id`, on a list sorted by `sort` (`-name`) and
    /// filtered as `scope` (a canonical text of the filters) says.
    pub fn new(sort: &str, scope: &str, key: KeyValue, id: Uuid) -> Self {
        let check = check(scope, sort, &key, id);
        Self { sort: sort.to_owned(), key, id, check }
    }

    /// The cursor as the client sees it.
    pub fn encode(&self) -> String {
        // Serialising plain strings, numbers and a UUID cannot fail.
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// Reads a cursor a client sent back. Anything that is not one this server made is
    /// `invalid_cursor`; whether it fits the list is checked by [`Cursor::seek`].
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let bad = |why: &str| Error::InvalidCursor(format!("the cursor is not one this list gave out ({why})"));
        if raw.len() > MAX_CURSOR_LEN {
            return Err(bad("too long"));
        }
        let bytes = URL_SAFE_NO_PAD.decode(raw.trim_end_matches('=')).map_err(|_| bad("not base64url"))?;
        serde_json::from_slice(&bytes).map_err(|_| bad("unreadable"))
    }

    /// The sort key and id to seek past, once the cursor is known to have been made for this sort
    /// and these filters, unaltered.
    pub fn seek(&self, sort: &str, scope: &str) -> Result<(&KeyValue, Uuid), Error> {
        if self.sort != sort {
            return Err(Error::InvalidCursor(format!(
                "the cursor was made for sort={}, not sort={sort}: start again without a cursor",
                self.sort
            )));
        }
        if check(scope, &self.sort, &self.key, self.id) != self.check {
            return Err(Error::InvalidCursor(
                "the cursor was made for other filters, or altered: start again without a cursor".into(),
            ));
        }
        Ok((&self.key, self.id))
    }
}

/// The check of a cursor: SHA-256 over each part, length-prefixed so no two lists of parts give
/// the same bytes; the first 12 bytes in base64url.
fn check(scope: &str, sort: &str, key: &KeyValue, id: Uuid) -> String {
    let key = serde_json::to_string(key).unwrap_or_default();
    let mut h = Sha256::new();
    for part in [scope, sort, key.as_str(), &id.to_string()] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    URL_SAFE_NO_PAD.encode(&h.finalize()[..12])
}

/// One page of a list that offers cursors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CursorPage<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// How many items match in all; `None` when not counted (`count=none`).
    pub total: Option<u64>,
    /// This page's number; `None` for a page after a cursor.
    pub page: Option<u64>,
    /// The page size used.
    pub page_size: u64,
    /// Whether another page follows.
    pub has_more: bool,
    /// The cursor of the next page, when there is one.
    pub next_cursor: Option<String>,
}

impl<T> CursorPage<T> {
    /// Converts every item.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> CursorPage<U> {
        CursorPage {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            page_size: self.page_size,
            has_more: self.has_more,
            next_cursor: self.next_cursor,
        }
    }
}

/// The name of a sort as cursors carry it: the key's name, `-` first when descending.
pub fn sort_name(name: &str, descending: bool) -> String {
    if descending { format!("-{name}") } else { name.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_size_is_capped_and_page_starts_at_one() {
        assert_eq!(PageRequest::new(None, None).unwrap(), PageRequest { page: 1, page_size: 20 });
        assert_eq!(PageRequest::new(Some(3), Some(1000)).unwrap(), PageRequest { page: 3, page_size: 100 });
        assert_eq!(PageRequest::new(Some(2), Some(0)).unwrap().page_size, 1);
        assert!(PageRequest::new(Some(0), None).is_err());
        assert_eq!(PageRequest::new(Some(3), Some(10)).unwrap().offset(), 20);
    }

    #[test]
    fn sort_keys_come_from_the_allowed_list() {
        let allowed = [("name", 1), ("created_at", 2)];
        let default = Sort { key: 0, descending: false };
        assert_eq!(parse_sort(None, &allowed, default).unwrap(), default);
        assert_eq!(parse_sort(Some("-name"), &allowed, default).unwrap(), Sort { key: 1, descending: true });
        assert_eq!(parse_sort(Some("created_at"), &allowed, default).unwrap(), Sort { key: 2, descending: false });
        assert!(parse_sort(Some("password"), &allowed, default).is_err());
        assert!(parse_sort(Some(""), &allowed, default).is_err(), "sort= is not one of the keys");
        assert!(parse_sort(Some(" name"), &allowed, default).is_err());
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_cursor_reads_back_as_it_was_made() {
        let id = Uuid::now_v7();
        for key in
            [KeyValue::Text("李华".into()), KeyValue::Int(2024), KeyValue::Time(at("2026-12-01T08:00:00.123456Z"))]
        {
            let c = Cursor::new("-name", "{\"college_id\":null}", key.clone(), id);
            let raw = c.encode();
            assert!(raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{raw}");
            let back = Cursor::parse(&raw).unwrap();
            assert_eq!(back, c);
            assert_eq!(back.seek("-name", "{\"college_id\":null}").unwrap(), (&key, id));
        }
    }

    #[test]
    fn a_cursor_is_bound_to_its_sort_and_filters() {
        let c = Cursor::new("name", "a", KeyValue::Text("王".into()), Uuid::nil());
        assert!(matches!(c.seek("-name", "a"), Err(Error::InvalidCursor(_))));
        assert!(matches!(c.seek("student_no", "a"), Err(Error::InvalidCursor(_))));
        assert!(matches!(c.seek("name", "b"), Err(Error::InvalidCursor(_))));
        assert!(c.seek("name", "a").is_ok());
    }

    #[test]
    fn an_altered_cursor_is_refused() {
        let c = Cursor::new("name", "", KeyValue::Text("王".into()), Uuid::nil());
        // Another key with the old check: the JSON reads, the check does not match.
        let mut json: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(c.encode()).unwrap()).unwrap();
        json["k"] = serde_json::json!({"text": "张"});
        let forged = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&json).unwrap());
        assert!(matches!(Cursor::parse(&forged).unwrap().seek("name", ""), Err(Error::InvalidCursor(_))));
        // Not base64url, not JSON, not our JSON, too long: all `invalid_cursor`.
        for raw in ["%%%", "bm90IGpzb24", "eyJhIjoxfQ", &"A".repeat(MAX_CURSOR_LEN + 1)] {
            assert!(matches!(Cursor::parse(raw), Err(Error::InvalidCursor(_))), "{raw}");
        }
        // A changed character anywhere never passes as the same cursor.
        let raw = c.encode();
        for i in 0..raw.len() {
            let mut b = raw.clone().into_bytes();
            b[i] = if b[i] == b'A' { b'B' } else { b'A' };
            let altered = String::from_utf8(b).unwrap();
            match Cursor::parse(&altered) {
                Ok(other) => assert!(other.seek("name", "").is_err() || other == c, "position {i}"),
                Err(e) => assert!(matches!(e, Error::InvalidCursor(_))),
            }
        }
    }

    #[test]
    fn a_list_request_takes_a_page_or_a_cursor_never_both() {
        let r = ListRequest::new(None, None, None, None).unwrap();
        assert_eq!(r, ListRequest::default());
        assert_eq!(ListRequest::new(Some(3), Some(10), None, None).unwrap().offset(), 20);
        assert_eq!(ListRequest::new(None, None, Some(Count::None), None).unwrap().count, Count::None);
        let raw = Cursor::new("name", "", KeyValue::Int(1), Uuid::nil()).encode();
        let after = ListRequest::new(None, Some(500), None, Some(&raw)).unwrap();
        assert_eq!(after.count, Count::None, "a cursor does not count unless asked");
        assert_eq!(after.page_size, MAX_PAGE_SIZE);
        assert_eq!(after.offset(), 0);
        assert!(matches!(after.position, Position::After(_)));
        assert_eq!(ListRequest::new(None, None, Some(Count::Exact), Some(&raw)).unwrap().count, Count::Exact);
        assert!(matches!(ListRequest::new(Some(1), None, None, Some(&raw)), Err(Error::InvalidCursor(_))));
        assert!(matches!(ListRequest::new(Some(0), None, None, None), Err(Error::Validation(_))));
        // An empty cursor is no cursor (a client echoing `next_cursor=` of the last page).
        assert_eq!(ListRequest::new(None, None, None, Some("")).unwrap(), ListRequest::default());
    }
}
