//! Pagination and sorting, shared by every list.

use serde::Serialize;

use crate::error::FieldError;

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
}
