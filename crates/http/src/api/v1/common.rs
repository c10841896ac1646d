//! Pieces every resource module shares: pagination parameters, PATCH helpers, parsing helpers.

use domain::page::{Count, ListRequest, PageRequest};
use domain::{FieldError, Problems};
use serde::{Deserialize, Deserializer};
use utoipa::IntoParams;

use crate::error::ApiError;

/// Pagination and sorting of a list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page number, from 1 (default 1).
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    /// Items per page: default 20; 0 counts as 1 and anything above 100 (however large) as 100.
    /// The answer's `page_size` is the one used.
    #[param(value_type = Option<u64>, minimum = 0)]
    #[serde(default, deserialize_with = "saturating_count")]
    pub page_size: Option<u64>,
    /// Sort key of the list; prefix `-` for descending, e.g. `-created_at`. Each list names its
    /// keys; another is 422.
    pub sort: Option<String>,
}

/// A count given as decimal digits, however many: a value past `u64` saturates (it is capped
/// anyway). Anything else (a sign, a fraction such as `2.0`, letters) is refused.
fn saturating_count<'de, D: Deserializer<'de>>(de: D) -> Result<Option<u64>, D::Error> {
    let Some(raw) = Option::<String>::deserialize(de)? else { return Ok(None) };
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(serde::de::Error::custom(format!("page_size must be a whole number, not {raw:?}")));
    }
    Ok(Some(raw.parse::<u64>().unwrap_or(u64::MAX)))
}

impl PageParams {
    /// The page request, checked.
    pub fn request(&self) -> Result<PageRequest, ApiError> {
        PageRequest::new(self.page.map(u64::from), self.page_size)
            .map_err(|e| domain::Error::Validation(vec![e]).into())
    }
}

/// Pagination and sorting of a large list, which also pages by cursor and can skip the count.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Page number, from 1 (default 1). Not with `cursor` (400 `invalid_cursor`).
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    /// Items per page: default 20; 0 counts as 1 and anything above 100 (however large) as 100.
    /// The answer's `page_size` is the one used.
    #[param(value_type = Option<u64>, minimum = 0)]
    #[serde(default, deserialize_with = "saturating_count")]
    pub page_size: Option<u64>,
    /// Sort key of the list; prefix `-` for descending, e.g. `-created_at`. Each list names its
    /// keys; another is 422.
    pub sort: Option<String>,
    /// `exact`: the answer's `total` counts every matching item (the default without a
    /// `cursor`). `none`: no count, `total` is `null` and `has_more` tells whether another page
    /// follows (the default with a `cursor`); on a large list the count costs more than the page.
    #[param(example = "none")]
    pub count: Option<Count>,
    /// Start after the last item of the page before: its `next_cursor`, sent back as it came
    /// (opaque). The answer is the next page in the same order, not shifted by items added or
    /// removed before it, at the same cost however deep. Keep the `sort` and filters the cursor
    /// was made for; another `sort`, other filters, an altered cursor or `page` beside it are 400
    /// `invalid_cursor`. Empty is no cursor (the first page), as an empty `If-Match` is no
    /// precondition.
    #[param(
        max_length = 1024,
        pattern = "^[A-Za-z0-9_-]*$",
        example = "eyJzIjoibmFtZSIsImsiOnsidGV4dCI6IuadjuWNjiJ9LCJpIjoiMDE5MzdhNGUtMWMyYi03ZDNlLTlmNDAtNWE2YjdjOGQ5ZTBmIiwiaCI6InNMdTZ2ZW1XTlk5ZVU3VXoifQ"
    )]
    pub cursor: Option<String>,
}

impl ListParams {
    /// The list request, checked (the cursor read, not yet matched to the list).
    pub fn request(&self) -> Result<ListRequest, ApiError> {
        Ok(ListRequest::new(self.page.map(u64::from), self.page_size, self.count, self.cursor.as_deref())?)
    }
}

/// Deserialises a field that may be absent (`None`), `null` (`Some(None)`) or a value, so PATCH
/// can tell "leave as it is" from "clear".
pub fn double_option<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

/// Parses an optional value with `parse`, recording a failure in `p`.
pub fn opt<T>(p: &mut Problems, value: Option<&str>, parse: impl FnOnce(&str) -> Result<T, FieldError>) -> Option<T> {
    value.and_then(|v| p.take(parse(v)))
}

/// Parses a PATCH value that may clear a field: `Some(None)` stays a clear, `Some(Some(v))` is parsed.
pub fn patch<T>(
    p: &mut Problems,
    value: Option<Option<&str>>,
    parse: impl FnOnce(&str) -> Result<T, FieldError>,
) -> Option<Option<T>> {
    match value {
        None => None,
        Some(None) => Some(None),
        Some(Some(v)) => p.take(parse(v)).map(Some),
    }
}

/// Parses an optional contact field (`field`, at most `max_chars` characters as sent, as the
/// document's `maxLength` says) where a blank value means "none". A value that is not blank goes
/// to `parse` as sent.
pub fn blank_is_none<T>(
    p: &mut Problems,
    field: &str,
    max_chars: usize,
    value: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, FieldError>,
) -> Option<T> {
    match value {
        None => None,
        Some(v) if v.chars().count() > max_chars => {
            p.push(field, "too_long", format!("{field} is longer than {max_chars} characters"));
            None
        }
        Some(v) if v.trim().is_empty() => None,
        Some(v) => p.take(parse(v)),
    }
}

/// A PATCH of an optional contact field: `null` or a blank value clears it (as a blank value is
/// "none" on creation); anything else is read as [`blank_is_none`] reads it.
pub fn patch_blank_is_none<T>(
    p: &mut Problems,
    field: &str,
    max_chars: usize,
    value: Option<Option<&str>>,
    parse: impl FnOnce(&str) -> Result<T, FieldError>,
) -> Option<Option<T>> {
    match value {
        None => None,
        Some(None) => Some(None),
        Some(Some(v)) if v.trim().is_empty() && v.chars().count() <= max_chars => Some(None),
        Some(Some(v)) => blank_is_none(p, field, max_chars, Some(v), parse).map(Some),
    }
}

/// Today in Asia/Shanghai (see `domain::time::today`).
pub use domain::time::today;

/// The public URL of a listed mentor's photo. `v` (the start of the photo's SHA-256) changes with
/// the photo, so a cache keeps one copy per photo and a new photo is fetched at once.
pub fn photo_url(appointment_id: uuid::Uuid, version: &str) -> String {
    format!("/api/v1/public/mentors/{appointment_id}/photo?v={version}")
}

/// Sets a field error's field name (domain parsers name the field they were given; enum parsers
/// name the enum).
pub fn named(field: &str) -> impl Fn(FieldError) -> FieldError + '_ {
    move |e| FieldError { field: field.to_owned(), ..e }
}

/// Adapts a domain parser to a `validator` custom function, so shape rules of the domain are
/// reported together with the DTO's other field errors.
pub fn domain_rule<T>(result: Result<T, FieldError>) -> Result<(), validator::ValidationError> {
    result.map(|_| ()).map_err(|e| validator::ValidationError {
        code: e.code.into(),
        message: Some(e.message.into()),
        params: Default::default(),
    })
}

/// `validator` check of a login name.
pub fn valid_username(v: &str) -> Result<(), validator::ValidationError> {
    domain_rule(domain::accounts::parse_username("username", v))
}

/// `validator` check that a text is not only white space (`"   "` is not a reason). An empty
/// text is left to the length rule, so it is reported once.
pub fn not_blank(v: &str) -> Result<(), validator::ValidationError> {
    if !v.is_empty() && v.trim().is_empty() {
        Err(validator::ValidationError::new("required").with_message("must not be blank".into()))
    } else {
        Ok(())
    }
}
