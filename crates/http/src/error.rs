//! Errors as RFC 9457 `application/problem+json`. Every failure of every route, extractor and
//! middleware ends here, so clients see one shape with a stable machine `code`.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use domain::import::RowError;
use domain::{ConflictCode, FieldError};
use serde::Serialize;
use utoipa::ToSchema;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`urn:xuezhang:problem:<code>`).
    #[serde(rename = "type")]
    pub type_: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong this time.
    pub detail: String,
    /// A stable machine-readable code, e.g. `validation_failed`, `duplicate`, `invalid_transition`.
    pub code: String,
    /// This occurrence: `urn:xuezhang:request:` and the request id the response carries in
    /// `X-Request-Id` (and the access log in `request_id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "urn:xuezhang:request:01937a4e-1c2b-7d3e-9f40-5a6b7c8d9e0f")]
    pub instance: Option<String>,
    /// For `validation_failed`: every bad field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    /// On the token endpoint: the RFC 6749 error code (`invalid_grant`, `invalid_client`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// On the token endpoint: RFC 6749's human-readable description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
    /// For `precondition_failed`: the current version (as in the `ETag`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i32>,
    /// For `import_failed`: every bad row, by line and column (at most 10,000 are listed;
    /// `detail` gives the total).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row_errors: Option<Vec<RowError>>,
}

/// The most row errors one `import_failed` problem lists.
pub const MAX_ROW_ERRORS: usize = 10_000;

/// An error that becomes a problem response. One variant per kind of failure; domain errors are
/// mapped in one exhaustive `match`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A domain or persistence error.
    #[error(transparent)]
    Persistence(#[from] persistence::Error),
    /// 400: the request could not be read (bad JSON syntax, bad query string, bad path id).
    #[error("{detail}")]
    BadRequest {
        /// Machine code.
        code: &'static str,
        /// Explanation.
        detail: String,
    },
    /// 401: no usable credentials. Carries a `WWW-Authenticate` challenge.
    #[error("{0}")]
    Unauthorized(String),
    /// 401: the request carried no token at all.
    #[error("an access token is required")]
    MissingToken,
    /// 404: no such route.
    #[error("no such resource")]
    NoRoute,
    /// 405: the path exists but not with this method.
    #[error("method not allowed")]
    MethodNotAllowed {
        /// The methods the path allows.
        allow: Vec<String>,
    },
    /// 503 on `/readyz`: the schema is behind or ahead of this binary.
    #[error("{0}")]
    NotReady(String),
    /// 503 on `/readyz` while the server drains before it stops.
    #[error("the server is shutting down")]
    ShuttingDown,
    /// 408: the request body did not arrive within the deadline.
    #[error("the request body did not arrive within {seconds} s")]
    BodyTimeout {
        /// The deadline in seconds.
        seconds: f64,
    },
    /// 413: the body is larger than the limit.
    #[error("the request body is larger than the limit of {} ({limit} bytes)", human_size(*limit))]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// 415: the body's media type is not accepted.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 409/422 for idempotency keys: reused with another body, or still in progress.
    #[error("{detail}")]
    Idempotency {
        /// Status.
        status: StatusCode,
        /// Machine code.
        code: &'static str,
        /// Explanation.
        detail: String,
    },
    /// An OAuth2 token-endpoint error (RFC 6749 §5.2), as a problem that also carries `error`.
    #[error("{detail}")]
    OAuth {
        /// Status (400, 401 or 429).
        status: StatusCode,
        /// The RFC 6749 error code.
        error: &'static str,
        /// The stable machine code (the same as `error` except when locked out).
        code: &'static str,
        /// Explanation.
        detail: String,
        /// Seconds to wait, when locked out.
        retry_after: Option<u64>,
    },
}

impl From<domain::Error> for ApiError {
    fn from(e: domain::Error) -> Self {
        ApiError::Persistence(e.into())
    }
}

/// A size in the largest binary unit that divides it: `64 MiB`, `512 KiB`, `1000 bytes`.
fn human_size(bytes: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * 1024;
    match bytes {
        b if b >= MIB && b % MIB == 0 => format!("{} MiB", b / MIB),
        b if b >= KIB && b % KIB == 0 => format!("{} KiB", b / KIB),
        b => format!("{b} bytes"),
    }
}

/// The parts of a problem response, before rendering.
struct Parts {
    status: StatusCode,
    code: String,
    detail: String,
    errors: Option<Vec<FieldError>>,
    headers: Vec<(header::HeaderName, String)>,
    current_version: Option<i32>,
    oauth: Option<&'static str>,
    row_errors: Option<Vec<RowError>>,
}

impl Parts {
    fn new(status: StatusCode, code: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            status,
            code: code.into(),
            detail: detail.into(),
            errors: None,
            headers: Vec::new(),
            current_version: None,
            oauth: None,
            row_errors: None,
        }
    }
}

/// The `WWW-Authenticate` challenge of a 401 on the API.
pub const BEARER_CHALLENGE: &str = r#"Bearer realm="xuezhang", error="invalid_token""#;

fn domain_parts(e: &domain::Error) -> Parts {
    use domain::Error as D;
    match e {
        D::NotFound { resource } => Parts::new(StatusCode::NOT_FOUND, "not_found", format!("{resource} not found")),
        D::Validation(errors) => {
            let mut p = Parts::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                format!("{} field(s) failed validation", errors.len()),
            );
            p.errors = Some(errors.clone());
            p
        }
        D::Conflict { code, detail } => Parts::new(StatusCode::CONFLICT, code.as_str(), detail.clone()),
        D::InvalidTransition { .. } => {
            Parts::new(StatusCode::CONFLICT, ConflictCode::InvalidTransition.as_str(), e.to_string())
        }
        D::Unauthenticated(detail) => {
            let mut p = Parts::new(StatusCode::UNAUTHORIZED, "unauthenticated", detail.clone());
            p.headers.push((header::WWW_AUTHENTICATE, BEARER_CHALLENGE.into()));
            p
        }
        D::Forbidden(detail) => Parts::new(StatusCode::FORBIDDEN, "forbidden", detail.clone()),
        D::InsufficientScope { scope } => {
            let mut p = Parts::new(StatusCode::FORBIDDEN, "insufficient_scope", e.to_string());
            p.headers.push((
                header::WWW_AUTHENTICATE,
                format!(r#"Bearer realm="xuezhang", error="insufficient_scope", scope="{scope}""#),
            ));
            p
        }
        D::PreconditionFailed { current } => {
            let mut p = Parts::new(StatusCode::PRECONDITION_FAILED, "precondition_failed", e.to_string());
            p.current_version = Some(*current);
            p.headers.push((header::ETAG, crate::respond::etag(*current)));
            p
        }
        D::ImportFailed { rows, errors } => {
            let listed = if errors.len() > MAX_ROW_ERRORS {
                format!("; the first {MAX_ROW_ERRORS} are listed")
            } else {
                String::new()
            };
            let mut p = Parts::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "import_failed",
                format!("{} problem(s) in a file of {rows} row(s); nothing was written{listed}", errors.len()),
            );
            p.row_errors = Some(errors.iter().take(MAX_ROW_ERRORS).cloned().collect());
            p
        }
        D::InvalidCursor(detail) => Parts::new(StatusCode::BAD_REQUEST, "invalid_cursor", detail.clone()),
        D::TooManyAttempts { retry_after_secs } => {
            let mut p = Parts::new(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts", e.to_string());
            p.headers.push((header::RETRY_AFTER, retry_after_secs.to_string()));
            p
        }
    }
}

impl ApiError {
    fn parts(&self) -> Parts {
        match self {
            ApiError::Persistence(persistence::Error::Domain(d)) => domain_parts(d),
            ApiError::Persistence(persistence::Error::Unavailable(_)) => {
                let mut p =
                    Parts::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "the database is busy; retry shortly");
                p.headers.push((header::RETRY_AFTER, "1".into()));
                p
            }
            ApiError::Persistence(
                persistence::Error::Db(_) | persistence::Error::Internal(_) | persistence::Error::SchemaAhead(_),
            ) => Parts::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "an internal error occurred; it has been logged",
            ),
            ApiError::BadRequest { code, detail } => Parts::new(StatusCode::BAD_REQUEST, *code, detail.clone()),
            ApiError::Unauthorized(detail) => {
                let mut p = Parts::new(StatusCode::UNAUTHORIZED, "unauthenticated", detail.clone());
                p.headers.push((header::WWW_AUTHENTICATE, BEARER_CHALLENGE.into()));
                p
            }
            ApiError::MissingToken => {
                let mut p = Parts::new(
                    StatusCode::UNAUTHORIZED,
                    "unauthenticated",
                    "an access token is required (Authorization: Bearer …)",
                );
                // RFC 6750 §3.1: no error code when the request carried no token at all.
                p.headers.push((header::WWW_AUTHENTICATE, r#"Bearer realm="xuezhang""#.into()));
                p
            }
            ApiError::NoRoute => Parts::new(StatusCode::NOT_FOUND, "not_found", "no such resource"),
            ApiError::MethodNotAllowed { allow } => {
                let mut p = Parts::new(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "method_not_allowed",
                    format!("this resource allows {}", allow.join(", ")),
                );
                p.headers.push((header::ALLOW, allow.join(", ")));
                p
            }
            ApiError::NotReady(detail) => {
                Parts::new(StatusCode::SERVICE_UNAVAILABLE, "migration_pending", detail.clone())
            }
            ApiError::ShuttingDown => {
                let mut p = Parts::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "shutting_down",
                    "the server is shutting down; send new requests to another node",
                );
                p.headers.push((header::RETRY_AFTER, "1".into()));
                p
            }
            ApiError::BodyTimeout { .. } => {
                Parts::new(StatusCode::REQUEST_TIMEOUT, "request_timeout", self.to_string())
            }
            ApiError::PayloadTooLarge { .. } => {
                Parts::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", self.to_string())
            }
            ApiError::UnsupportedMediaType(d) => {
                Parts::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", d.clone())
            }
            ApiError::Idempotency { status, code, detail } => {
                let mut p = Parts::new(*status, *code, detail.clone());
                if *status == StatusCode::CONFLICT {
                    p.headers.push((header::RETRY_AFTER, "1".into()));
                }
                p
            }
            ApiError::OAuth { status, error, code, detail, retry_after } => {
                let mut p = Parts::new(*status, *code, detail.clone());
                p.oauth = Some(error);
                if *status == StatusCode::UNAUTHORIZED {
                    p.headers.push((header::WWW_AUTHENTICATE, r#"Basic realm="xuezhang""#.into()));
                }
                if let Some(s) = retry_after {
                    p.headers.push((header::RETRY_AFTER, s.to_string()));
                }
                p
            }
        }
    }
}

fn title(status: StatusCode) -> String {
    status.canonical_reason().unwrap_or("Error").to_string()
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.parts().status
    }

    fn error_response(&self) -> HttpResponse {
        let p = self.parts();
        // A 503 is the database being away or the server stopping: expected, said once by
        // `/readyz` when it starts and ends, not once per request.
        if p.status == StatusCode::SERVICE_UNAVAILABLE {
            log::debug!("{} {}: {self:?}", p.status.as_u16(), p.code);
        } else if p.status.is_server_error() {
            log::error!("{} {}: {self:?}", p.status.as_u16(), p.code);
        }
        let lang = crate::lang::current();
        let errors = p.errors.map(|errors| {
            errors
                .into_iter()
                .map(|e| FieldError { message: crate::lang::field_message(&e.field, &e.code, &e.message, lang), ..e })
                .collect()
        });
        let row_errors = p.row_errors.map(|rows| {
            rows.into_iter()
                .map(|mut r| {
                    let field = r.column.clone();
                    r.message = crate::lang::field_message(&field, &r.code, &r.message, lang);
                    r
                })
                .collect()
        });
        let problem = Problem {
            type_: format!("urn:xuezhang:problem:{}", p.code),
            title: crate::lang::title(&p.code, &title(p.status), lang),
            status: p.status.as_u16(),
            // RFC 6749 §5.2 wants `error_description` in ASCII: it stays English.
            detail: crate::lang::detail(&p.code, &p.detail, lang),
            code: p.code,
            instance: crate::observe::current_request_id().map(|id| crate::observe::instance(&id)),
            errors,
            error: p.oauth.map(str::to_owned),
            error_description: p.oauth.map(|_| p.detail),
            current_version: p.current_version,
            row_errors,
        };
        let mut res = HttpResponse::build(p.status);
        if p.oauth.is_some() {
            // RFC 6749 §5.2: token-endpoint errors are `application/json` and never cached; the body
            // keeps the problem members beside `error`.
            res.insert_header((header::CONTENT_TYPE, HeaderValue::from_static("application/json")));
            res.insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
        } else {
            res.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        }
        res.insert_header((header::CONTENT_LANGUAGE, HeaderValue::from_static(lang.tag())));
        res.insert_header((header::VARY, HeaderValue::from_static("Accept-Language")));
        if matches!(self, ApiError::BodyTimeout { .. }) {
            // What is left of the body cannot be told from the next request.
            res.force_close();
        }
        for (name, value) in p.headers {
            if let Ok(v) = HeaderValue::from_str(&value) {
                res.insert_header((name, v));
            }
        }
        res.body(serde_json::to_vec(&problem).unwrap_or_default())
    }
}

/// Shorthand for handler results.
pub type ApiResult<T> = Result<T, ApiError>;
