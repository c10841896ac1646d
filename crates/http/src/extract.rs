//! Extractors whose failures are problem+json: JSON bodies (syntax → 400, shape or validation →
//! 422 with every bad field), query strings, path ids, and the `If-Match` header.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::error::{PathError, QueryPayloadError};
use actix_web::http::header;
use actix_web::web::{self, Bytes};
use actix_web::{FromRequest, HttpRequest};
use domain::FieldError;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use crate::error::ApiError;

/// The largest JSON body accepted.
pub const JSON_LIMIT: usize = 1024 * 1024;

/// A JSON body, deserialised and validated. Accepts `application/json` and any `+json` type
/// (e.g. `application/merge-patch+json`).
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    /// The body.
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// Whether the request says its body is JSON.
pub fn is_json(req: &HttpRequest) -> bool {
    let Some(ct) = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else { return false };
    let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Reads the whole body up to `limit` bytes.
pub async fn read_body(mut payload: Payload, limit: usize) -> Result<Bytes, ApiError> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::BadRequest { code: "unreadable_body", detail: e.to_string() })?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Whether a JSON text may hold a control character in a string: as an escape (`\u0000`), a raw
/// DEL, or a raw C1 character (UTF-8 `C2 80`–`C2 9F`). Raw C0 characters are syntax errors.
fn may_hold_control_characters(bytes: &[u8]) -> bool {
    bytes.windows(2).any(|w| w == b"\\u" || (w[0] == 0xC2 && (0x80..=0x9F).contains(&w[1]))) || bytes.contains(&0x7F)
}

/// The text rule ([`domain::text`]) for every string in a JSON value, keys included: one field
/// error per bad string, named by its path (`members[2].name`).
pub fn control_characters_in(value: &serde_json::Value) -> Vec<FieldError> {
    fn walk(path: &str, value: &serde_json::Value, out: &mut Vec<FieldError>) {
        match value {
            serde_json::Value::String(s) => {
                if let Err(c) = domain::text::check_text(s) {
                    out.push(c.field_error(if path.is_empty() { "body" } else { path }));
                }
            }
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(&format!("{path}[{i}]"), item, out);
                }
            }
            serde_json::Value::Object(map) => {
                for (key, item) in map {
                    let name = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                    if let Err(c) = domain::text::check_text(key) {
                        out.push(c.field_error(if path.is_empty() { "body" } else { path }));
                        continue;
                    }
                    walk(&name, item, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk("", value, &mut out);
    out
}

fn malformed_json(e: &serde_json::Error) -> ApiError {
    ApiError::BadRequest { code: "malformed_json", detail: format!("the body is not valid JSON: {e}") }
}

/// Deserialises JSON, telling syntax errors (400) from shape errors (422, naming every bad field:
/// see [`shape_errors`]). Strings with control characters are 422 `validation_failed` (code
/// `control_character`); anything after the value but white space is a syntax error.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    parse_json_or_repair(bytes).map_err(|bad| match bad {
        Bad::Syntax(e) => e,
        Bad::Shape(errors, _) => domain::Error::Validation(errors).into(),
    })
}

/// Like [`parse_json`], then validates; a body with shape errors also gets the validation errors
/// of its other fields, so one answer names every bad field. The body is a JSON object: serde
/// would read a struct from an array of its fields in order (`[null, null]`), which no document
/// of ours describes.
pub fn parse_valid_json<T: DeserializeOwned + Validate>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|b| *b != b'{')
        && serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok()
    {
        return Err(domain::Error::invalid("body", "invalid_type", "the body must be a JSON object").into());
    }
    match parse_json_or_repair::<T>(bytes) {
        Ok(v) => {
            v.validate().map_err(|e| ApiError::from(domain::Error::Validation(validation_errors(&e))))?;
            Ok(v)
        }
        Err(Bad::Syntax(e)) => Err(e),
        Err(Bad::Shape(mut errors, repaired)) => {
            if let Some(Err(e)) = repaired.map(|r| r.validate()) {
                // Fields given a stand-in value are already reported; only the others count.
                let standing_in = |f: &str| {
                    errors.iter().any(|e| {
                        f == e.field || f.strip_prefix(e.field.as_str()).is_some_and(|r| r.starts_with(['.', '[']))
                    })
                };
                let more: Vec<FieldError> =
                    validation_errors(&e).into_iter().filter(|v| !standing_in(&v.field)).collect();
                errors.extend(more);
            }
            errors.sort_by(|a, b| a.field.cmp(&b.field));
            Err(domain::Error::Validation(errors).into())
        }
    }
}

/// The largest body whose shape errors are all collected; a larger one reports its first.
const COLLECT_LIMIT: usize = 64 * 1024;

/// The most shape errors collected from one body.
const MAX_SHAPE_ERRORS: usize = 50;

/// Why a body is not a `T`.
enum Bad<T> {
    /// Not JSON at all (400 `malformed_json`).
    Syntax(ApiError),
    /// JSON of the wrong shape: every shape error and, when each bad part could be given a
    /// stand-in, the value with the stand-ins (to validate the rest).
    Shape(Vec<FieldError>, Option<T>),
}

fn parse_json_or_repair<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Bad<T>> {
    if may_hold_control_characters(bytes)
        && let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes)
    {
        let errors = control_characters_in(&value);
        if !errors.is_empty() {
            return Err(Bad::Shape(errors, None));
        }
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(&mut *de) {
        Ok(v) => {
            de.end().map_err(|e| Bad::Syntax(malformed_json(&e)))?;
            Ok(v)
        }
        Err(e) => {
            // serde_json reports a value of the wrong kind where an enum is expected (`null`, a
            // number, an array) as a syntax error ("expected value") although the text is valid
            // JSON; only a text that is not one JSON value is malformed (400), anything else is a
            // shape error naming the field (422).
            let syntax = e.inner().classify() != serde_json::error::Category::Data;
            let float = e.inner().to_string().starts_with("invalid type: floating point");
            let mut value = (syntax || float || bytes.len() <= COLLECT_LIMIT)
                .then(|| serde_json::from_slice::<serde_json::Value>(bytes).ok())
                .flatten();
            if syntax && value.is_none() {
                return Err(Bad::Syntax(malformed_json(e.inner())));
            }
            // JSON has one number type: `2.0` is the integer 2 (JSON Schema agrees), so a body
            // whose whole numbers are written with a fraction is read again with them as integers.
            if float
                && let Some(v) = value.as_mut()
                && integral_floats_as_integers(v)
                && let Ok(t) = serde_json::from_value::<T>(v.clone())
            {
                return Ok(t);
            }
            let first = shape_error(&e.path().to_string(), e.inner());
            if bytes.len() > COLLECT_LIMIT {
                return Err(Bad::Shape(vec![first], None));
            }
            let Some(value) = value else {
                return Err(Bad::Shape(vec![first], None));
            };
            let (errors, repaired) = shape_errors(value);
            Err(Bad::Shape(if errors.is_empty() { vec![first] } else { errors }, repaired))
        }
    }
}

/// Rewrites every number with a zero fraction (`2.0`, `1e3`) that fits an `i64` as that integer;
/// `true` when any was rewritten. Fields of a floating-point type read integers as well.
fn integral_floats_as_integers(value: &mut serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64 => {
                *value = Value::from(f as i64);
                true
            }
            _ => false,
        },
        Value::Array(items) => items.iter_mut().fold(false, |any, v| integral_floats_as_integers(v) | any),
        Value::Object(map) => map.values_mut().fold(false, |any, v| integral_floats_as_integers(v) | any),
        _ => false,
    }
}

/// Every shape error of a JSON value that is not a `T`. serde stops at the first error, so each
/// bad part is in turn replaced by a stand-in that deserialises — an unknown field is dropped, a
/// missing or ill-typed one gets `null` (an optional field), the first choice an enum names, or
/// an empty value of each JSON type — and deserialising starts again, until it succeeds or
/// nothing stands in (then the errors found so far are all there is).
pub fn shape_errors<T: DeserializeOwned>(mut value: serde_json::Value) -> (Vec<FieldError>, Option<T>) {
    let mut errors: Vec<FieldError> = Vec::new();
    // Each round either finds a new bad field or stands in for one found before (a dropped field
    // that turned out to be required), so twice the limit of rounds ends it.
    for _ in 0..2 * MAX_SHAPE_ERRORS {
        if errors.len() >= MAX_SHAPE_ERRORS {
            break;
        }
        let (path, err) = match serde_path_to_error::deserialize::<_, T>(&value) {
            Ok(v) => return (errors, Some(v)),
            Err(e) => (e.path().clone(), e.into_inner()),
        };
        let found = shape_error(&path.to_string(), &err);
        let repaired = repair::<T>(&mut value, &path, &err.to_string(), &found.field);
        // A field dropped as a stand-in may turn out to be required: it is reported once.
        if !errors.iter().any(|e| e.field == found.field) {
            errors.push(found);
        }
        if !repaired {
            break;
        }
    }
    (errors, None)
}

/// Puts a stand-in where the error at `path` is, keeping the first that moves the error off
/// `field`. `false` when none does.
fn repair<T: DeserializeOwned>(
    value: &mut serde_json::Value,
    path: &serde_path_to_error::Path,
    msg: &str,
    field: &str,
) -> bool {
    use serde_json::Value;
    use serde_path_to_error::Segment;
    let mut segments: Vec<Segment> = path.iter().cloned().collect();
    let missing = msg.starts_with("missing field");
    if missing {
        let Some(name) = msg.split('`').nth(1) else { return false };
        segments.push(Segment::Map { key: name.to_owned() });
    }
    let Some((last, parent_path)) = segments.split_last() else { return false };
    if msg.starts_with("unknown field") {
        return match (last, locate(value, parent_path)) {
            (Segment::Map { key }, Some(Value::Object(parent))) => parent.remove(key).is_some(),
            _ => false,
        };
    }
    let mut candidates: Vec<Option<Value>> = if missing { vec![] } else { vec![None] };
    candidates.push(Some(Value::Null));
    candidates.extend(
        [
            Value::String(String::new()),
            Value::from(0),
            Value::from(1),
            Value::Bool(false),
            Value::Array(vec![]),
            Value::Object(serde_json::Map::new()),
            Value::from("00000000-0000-0000-0000-000000000000"),
            Value::from("2000-01-01"),
            Value::from("2000-01-01T00:00:00Z"),
        ]
        .map(Some),
    );
    let original = locate(value, &segments).map(Value::take);
    let mut candidates: std::collections::VecDeque<Option<Value>> = candidates.into();
    let mut tried_choice = false;
    while let Some(candidate) = candidates.pop_front() {
        if !put(value, &segments, candidate) {
            continue;
        }
        match serde_path_to_error::deserialize::<_, T>(&*value) {
            Ok(_) => return true,
            Err(e) => {
                if shape_error(&e.path().to_string(), e.inner()).field != field {
                    return true;
                }
                // An enum names its choices: the first stands in.
                let msg = e.inner().to_string();
                if let Some(choice) =
                    msg.split('`').nth(3).filter(|_| !tried_choice && msg.starts_with("unknown variant"))
                {
                    tried_choice = true;
                    candidates.push_front(Some(Value::String(choice.to_owned())));
                }
            }
        }
    }
    put(value, &segments, original);
    false
}

/// The part of `value` at `segments`.
fn locate<'v>(
    value: &'v mut serde_json::Value,
    segments: &[serde_path_to_error::Segment],
) -> Option<&'v mut serde_json::Value> {
    use serde_path_to_error::Segment;
    segments.iter().try_fold(value, |v, s| match s {
        Segment::Map { key } => v.as_object_mut()?.get_mut(key),
        Segment::Seq { index } => v.as_array_mut()?.get_mut(*index),
        _ => None,
    })
}

/// Sets (`Some`) or removes (`None`) the member at `segments`; `false` when there is no such
/// place (or an array element would be removed).
fn put(value: &mut serde_json::Value, segments: &[serde_path_to_error::Segment], v: Option<serde_json::Value>) -> bool {
    use serde_path_to_error::Segment;
    let Some((last, parent_path)) = segments.split_last() else { return false };
    let Some(parent) = locate(value, parent_path) else { return false };
    match (last, parent, v) {
        (Segment::Map { key }, serde_json::Value::Object(m), Some(v)) => {
            m.insert(key.clone(), v);
            true
        }
        (Segment::Map { key }, serde_json::Value::Object(m), None) => {
            m.remove(key);
            true
        }
        (Segment::Seq { index }, serde_json::Value::Array(a), Some(v)) if *index < a.len() => {
            a[*index] = v;
            true
        }
        _ => false,
    }
}

/// Turns a serde data error into a field error: `missing field `x`` names `x`, the rest name the path.
fn shape_error(path: &str, e: &serde_json::Error) -> FieldError {
    let msg = e.to_string();
    let base = if path == "." { String::new() } else { path.to_string() };
    let between_ticks = |m: &str| m.split('`').nth(1).map(str::to_owned);
    let join = |f: String| if base.is_empty() { f } else { format!("{base}.{f}") };
    let (field, code) = if msg.starts_with("missing field") {
        (between_ticks(&msg).map(join).unwrap_or(base.clone()), "required")
    } else if msg.starts_with("unknown field") {
        // The path already ends with the unknown field's name.
        (base.clone(), "unknown_field")
    } else if msg.starts_with("unknown variant") {
        (base.clone(), "invalid_choice")
    } else {
        (base.clone(), "invalid_type")
    };
    let message = msg.split(" at line ").next().unwrap_or(&msg).to_string();
    let field = if field.is_empty() { "body".to_string() } else { field };
    FieldError::new(field, code, message)
}

/// Flattens validator's errors into field errors.
pub fn validation_errors(errors: &ValidationErrors) -> Vec<FieldError> {
    fn walk(prefix: &str, errors: &ValidationErrors, out: &mut Vec<FieldError>) {
        for (field, kind) in errors.errors() {
            let name = if prefix.is_empty() { field.to_string() } else { format!("{prefix}.{field}") };
            match kind {
                ValidationErrorsKind::Field(list) => {
                    for e in list {
                        let message = e.message.as_ref().map(|m| m.to_string()).unwrap_or_else(|| describe(&name, e));
                        out.push(FieldError::new(name.clone(), e.code.to_string(), message));
                    }
                }
                ValidationErrorsKind::Struct(inner) => walk(&name, inner, out),
                ValidationErrorsKind::List(items) => {
                    for (i, inner) in items {
                        walk(&format!("{name}[{i}]"), inner, out);
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    walk("", errors, &mut out);
    out.sort_by(|a, b| a.field.cmp(&b.field));
    out
}

fn describe(field: &str, e: &validator::ValidationError) -> String {
    let p = |k: &str| e.params.get(k).map(|v| v.to_string());
    match e.code.as_ref() {
        "length" => match (p("min"), p("max")) {
            (Some(min), Some(max)) => format!("{field} must be {min}–{max} characters"),
            (Some(min), None) => format!("{field} must be at least {min} characters"),
            (None, Some(max)) => format!("{field} must be at most {max} characters"),
            _ => format!("{field} has a bad length"),
        },
        "range" => match (p("min"), p("max")) {
            (Some(min), Some(max)) => format!("{field} must be between {min} and {max}"),
            (Some(min), None) => format!("{field} must be at least {min}"),
            (None, Some(max)) => format!("{field} must be at most {max}"),
            _ => format!("{field} is out of range"),
        },
        "email" => format!("{field} is not an e-mail address"),
        other => format!("{field} is invalid ({other})"),
    }
}

impl<T: DeserializeOwned + Validate + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = is_json(req);
        let payload = payload.take();
        Box::pin(async move {
            if !json {
                return Err(ApiError::UnsupportedMediaType(
                    "the body must be JSON (Content-Type: application/json)".into(),
                ));
            }
            let bytes = read_body(payload, JSON_LIMIT).await?;
            Ok(Json(parse_valid_json(&bytes)?))
        })
    }
}

/// A JSON body that may be left out: an empty body (with or without a content type) is
/// `T::default()`; anything else is read like [`Json`].
#[derive(Debug)]
pub struct MaybeJson<T>(pub T);

impl<T> MaybeJson<T> {
    /// The body.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + Validate + Default + 'static> FromRequest for MaybeJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = is_json(req);
        let payload = payload.take();
        Box::pin(async move {
            let bytes = read_body(payload, JSON_LIMIT).await?;
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Ok(MaybeJson(T::default()));
            }
            if !json {
                return Err(ApiError::UnsupportedMediaType(
                    "the body must be JSON (Content-Type: application/json)".into(),
                ));
            }
            Ok(MaybeJson(parse_valid_json(&bytes)?))
        })
    }
}

/// The version named by an `If-Match` header: `None` when absent or `*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IfMatch(pub Option<i32>);

impl IfMatch {
    /// Parses the header value as RFC 9110 writes it: `*`, or a list of entity tags (`"3"`,
    /// `W/"3"`, `"3", "4"`); the first tag that names a version wins. A well-formed tag that names
    /// no version of ours can never match, so it becomes version -1 (versions start at 0 for a
    /// resource never written, such as a mentor profile, and at 1 otherwise). An empty value is
    /// no precondition. `None`: not an `If-Match` value at all (a bare word, control characters).
    pub fn parse(value: Option<&str>) -> Option<IfMatch> {
        let Some(v) = value else { return Some(IfMatch(None)) };
        let ows = |s: &str| s.trim_start_matches([' ', '\t']).len();
        let v = v.trim_matches([' ', '\t']);
        if v.is_empty() || v == "*" {
            return Some(IfMatch(None));
        }
        // entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, etagc = %x21 / %x23-7E; tags are separated
        // by commas with optional white space, and a comma may stand inside the quotes.
        let mut rest = v;
        let mut version = None;
        loop {
            rest = rest.strip_prefix("W/").unwrap_or(rest);
            rest = rest.strip_prefix('"')?;
            let close = rest.find('"')?;
            let inner = &rest[..close];
            if !inner.bytes().all(|b| b == 0x21 || (0x23..=0x7E).contains(&b)) {
                return None;
            }
            if version.is_none() {
                version = inner.parse::<i32>().ok().filter(|v| *v >= 0);
            }
            rest = &rest[close + 1..];
            rest = &rest[rest.len() - ows(rest)..];
            if rest.is_empty() {
                break;
            }
            rest = rest.strip_prefix(',')?;
            rest = &rest[rest.len() - ows(rest)..];
        }
        Some(IfMatch(Some(version.unwrap_or(-1))))
    }
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let mut values = req.headers().get_all(header::IF_MATCH);
        let parsed = match (values.next(), values.next()) {
            (None, _) => Some(IfMatch(None)),
            (Some(v), None) => v.to_str().ok().and_then(|v| IfMatch::parse(Some(v))),
            // Two fields are one list (RFC 9110 §5.3).
            (Some(a), Some(b)) => match (a.to_str(), b.to_str()) {
                (Ok(a), Ok(b)) => IfMatch::parse(Some(&format!("{a}, {b}"))),
                _ => None,
            },
        };
        std::future::ready(parsed.ok_or_else(|| ApiError::BadRequest {
            code: "invalid_if_match",
            detail: "If-Match must be `*` or entity tags as the ETag header gives them, e.g. `\"3\"`".into(),
        }))
    }
}

/// Makes query-string errors problem+json (400 `invalid_query`).
pub fn query_error(err: QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    ApiError::BadRequest { code: "invalid_query", detail: format!("the query string is invalid: {err}") }.into()
}

/// Makes path errors problem+json (400 `invalid_path`, e.g. an id that is not a UUID). When the
/// path is in fact a literal route that does not take this method (`PATCH /appointments/bulk`
/// reaching `PATCH /appointments/{id}`), the answer is the 405 it deserves.
pub fn path_error(err: PathError, req: &HttpRequest) -> actix_web::Error {
    if let Some(allow) = crate::fallback::allowed_methods(req.path())
        && !allow.iter().any(|m| m == req.method().as_str())
    {
        return ApiError::MethodNotAllowed { allow }.into();
    }
    let detail = match &err {
        PathError::Deserialize(e) => format!("the path is invalid: {e}"),
        other => format!("the path is invalid: {other}"),
    };
    ApiError::BadRequest { code: "invalid_path", detail }.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_names_a_version_or_nothing() {
        assert_eq!(IfMatch::parse(None), Some(IfMatch(None)));
        assert_eq!(IfMatch::parse(Some("*")), Some(IfMatch(None)));
        assert_eq!(IfMatch::parse(Some("")), Some(IfMatch(None)));
        assert_eq!(IfMatch::parse(Some("\"3\"")), Some(IfMatch(Some(3))));
        assert_eq!(IfMatch::parse(Some("W/\"7\"")), Some(IfMatch(Some(7))));
        assert_eq!(IfMatch::parse(Some("\"x\", \"4\"")), Some(IfMatch(Some(4))));
        assert_eq!(IfMatch::parse(Some("\"-1\"")), Some(IfMatch(Some(-1))));
        assert_eq!(IfMatch::parse(Some("\"abc\"")), Some(IfMatch(Some(-1))));
        // Not entity tags: refused rather than taken for a stale version.
        // A comma inside the quotes is part of the tag.
        assert_eq!(IfMatch::parse(Some("W/\"a,b\" ,\t\"5\"")), Some(IfMatch(Some(5))));
        for bad in ["garbage", "3", "\"3", "\"3\" x", "\"a b\"", "\"3\",", "W/3", "\u{84}", "\"3\" \"4\""] {
            assert_eq!(IfMatch::parse(Some(bad)), None, "{bad:?}");
        }
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        size: u32,
    }

    fn field_of(e: ApiError) -> (String, String) {
        match e {
            ApiError::Persistence(persistence::Error::Domain(domain::Error::Validation(v))) => {
                (v[0].field.clone(), v[0].code.clone())
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    fn fields_of(e: ApiError) -> Vec<(String, String)> {
        match e {
            ApiError::Persistence(persistence::Error::Domain(domain::Error::Validation(v))) => {
                let mut v: Vec<(String, String)> = v.into_iter().map(|e| (e.field, e.code)).collect();
                v.sort();
                v
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[derive(Debug, serde::Deserialize, Validate)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    pub(super) struct Nested {
        #[validate(length(min = 2))]
        title: String,
        kind: Kind,
        when: Option<chrono::NaiveDate>,
        #[validate(nested)]
        items: Vec<Item>,
    }

    #[derive(Debug, serde::Deserialize, Validate)]
    #[allow(dead_code)]
    pub(super) struct Item {
        id: uuid::Uuid,
        #[validate(range(min = 1))]
        n: i32,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub(super) enum Kind {
        Laboratory,
        #[allow(dead_code)]
        Discipline,
    }

    #[test]
    fn a_body_is_an_object_not_an_array_of_its_fields() {
        #[derive(Debug, serde::Deserialize, Validate)]
        struct Patch {
            #[allow(dead_code)]
            name: Option<String>,
        }
        assert!(parse_valid_json::<Patch>(br#" {"name": "x"}"#).is_ok());
        assert_eq!(field_of(parse_valid_json::<Patch>(b"[null]").unwrap_err()), ("body".into(), "invalid_type".into()));
        assert_eq!(field_of(parse_valid_json::<Patch>(b" \"x\"").unwrap_err()), ("body".into(), "invalid_type".into()));
        // Not JSON at all stays a syntax error.
        assert!(matches!(
            parse_valid_json::<Patch>(b"[null"),
            Err(ApiError::BadRequest { code: "malformed_json", .. })
        ));
    }

    #[test]
    fn whole_numbers_written_with_a_fraction_are_integers() {
        #[derive(Debug, serde::Deserialize)]
        struct Body {
            n: i32,
            items: Vec<u64>,
            share: f64,
        }
        let b: Body = parse_json(br#"{"n": 5.0, "items": [1e2, 3], "share": 2.0}"#).unwrap();
        assert_eq!((b.n, b.items, b.share), (5, vec![100, 3], 2.0));
        // A real fraction is still the wrong type, and says where.
        assert_eq!(
            field_of(parse_json::<Body>(br#"{"n": 5.5, "items": [], "share": 1}"#).unwrap_err()),
            ("n".into(), "invalid_type".into())
        );
        assert_eq!(
            field_of(parse_json::<Body>(br#"{"n": 1, "items": [2.0, 0.5], "share": 1}"#).unwrap_err()),
            ("items[1]".into(), "invalid_type".into())
        );
    }

    #[test]
    fn anything_after_the_value_is_malformed_json() {
        let malformed =
            |b: &[u8]| matches!(parse_json::<Body>(b), Err(ApiError::BadRequest { code: "malformed_json", .. }));
        assert!(malformed(br#"{"name": "x", "size": 1} trailing"#));
        assert!(malformed(br#"{"name": "x", "size": 1}{"name": "y", "size": 2}"#));
        assert!(malformed(br#"{"name": "x", "size": 1} 1"#));
        assert!(parse_json::<Body>(b" {\"name\": \"x\", \"size\": 1} \r\n\t").is_ok());
    }

    #[test]
    fn control_characters_in_strings_are_refused_naming_the_field() {
        assert_eq!(
            field_of(parse_json::<Body>(br#"{"name": "ad\u0000min", "size": 1}"#).unwrap_err()),
            ("name".into(), "control_character".into())
        );
        assert_eq!(
            field_of(parse_json::<Body>("{\"name\": \"x\u{85}\", \"size\": 1}".as_bytes()).unwrap_err()),
            ("name".into(), "control_character".into())
        );
        let nested: serde_json::Value =
            serde_json::from_str(r#"{"a": [{"b": "ok"}, {"b": "\u001b[0m"}], "c\u0007": 1}"#).unwrap();
        let fields: Vec<String> = control_characters_in(&nested).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["a[1].b", "body"]);
        assert!(parse_json::<Body>(br#"{"name": "line\nbreak\ttab", "size": 1}"#).is_ok());
    }

    #[test]
    fn every_bad_field_is_reported_not_only_the_first() {
        let pair = |f: &str, c: &str| (f.to_owned(), c.to_owned());
        assert_eq!(
            fields_of(parse_json::<Body>(b"{\"name\": 5, \"size\": \"x\", \"extra\": 1}").unwrap_err()),
            [pair("extra", "unknown_field"), pair("name", "invalid_type"), pair("size", "invalid_type")]
        );
        assert_eq!(
            fields_of(parse_json::<Body>(b"{}").unwrap_err()),
            [pair("name", "required"), pair("size", "required")]
        );
        // Nested and listed fields, enums, optional fields; and the validation errors of the
        // fields that were well-formed come with them.
        let body = br#"{"title": "x", "kind": "lab", "when": "soon",
                        "items": [{"id": "nope", "n": 0}, {"id": "00000000-0000-0000-0000-000000000001", "n": "1"}]}"#;
        assert_eq!(
            fields_of(parse_valid_json::<Nested>(body).unwrap_err()),
            [
                pair("items[0].id", "invalid_type"),
                pair("items[0].n", "range"),
                pair("items[1].n", "invalid_type"),
                pair("kind", "invalid_choice"),
                pair("title", "length"),
                pair("when", "invalid_type"),
            ]
        );
        // A syntax error is still a 400, a good body still parses.
        assert!(matches!(parse_valid_json::<Nested>(b"{\"title\": "), Err(ApiError::BadRequest { .. })));
        let ok = br#"{"title": "xy", "kind": "laboratory", "items": [{"id": "00000000-0000-0000-0000-000000000001", "n": 1}]}"#;
        assert!(parse_valid_json::<Nested>(ok).is_ok());
    }

    #[test]
    fn json_syntax_errors_are_400_and_shape_errors_name_the_field() {
        assert!(matches!(parse_json::<Body>(b"{\"name\": "), Err(ApiError::BadRequest { code: "malformed_json", .. })));
        assert_eq!(field_of(parse_json::<Body>(b"{\"name\": \"x\"}").unwrap_err()), ("size".into(), "required".into()));
        assert_eq!(
            field_of(parse_json::<Body>(b"{\"name\": \"x\", \"size\": -1}").unwrap_err()),
            ("size".into(), "invalid_type".into())
        );
        assert_eq!(
            field_of(parse_json::<Body>(b"{\"name\": \"x\", \"size\": 1, \"extra\": 1}").unwrap_err()),
            ("extra".into(), "unknown_field".into())
        );
    }

    #[test]
    fn null_or_a_number_for_an_enum_is_a_field_error_not_malformed_json() {
        let pair = |f: &str, c: &str| (f.to_owned(), c.to_owned());
        let items = r#""items": [{"id": "00000000-0000-0000-0000-000000000001", "n": 1}]"#;
        for kind in ["null", "5", "[]", "true"] {
            let body = format!(r#"{{"title": "xy", "kind": {kind}, {items}}}"#);
            assert_eq!(
                fields_of(parse_valid_json::<Nested>(body.as_bytes()).unwrap_err()),
                [pair("kind", "invalid_type")]
            );
        }
        // With other bad fields, all are named; a null for a required string too.
        let body = format!(r#"{{"title": null, "kind": null, {items}}}"#);
        assert_eq!(
            fields_of(parse_valid_json::<Nested>(body.as_bytes()).unwrap_err()),
            [pair("kind", "invalid_type"), pair("title", "invalid_type")]
        );
        // Still malformed: a text that is not one JSON value.
        for bad in [
            format!(r#"{{"title": "xy", "kind": null, {items}}} trailing"#),
            r#"{"title": "xy", "kind": nul"#.to_owned(),
            "{\"title\": \"xy\", \"kind\": \u{0}}".to_owned(),
        ] {
            let res = parse_valid_json::<Nested>(bad.as_bytes());
            assert!(matches!(res, Err(ApiError::BadRequest { code: "malformed_json", .. })), "{bad}: {res:?}");
        }
    }
}
