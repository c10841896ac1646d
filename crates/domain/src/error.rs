//! The semantic errors every layer speaks. The HTTP layer maps each variant to one status and
//! one machine `code`; nothing below it knows about HTTP.

use std::fmt;

use crate::codes::ConflictCode;

/// One problem with one input field, reported back to the client as-is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The field (or JSON path, or CSV column) the problem is about.
    pub field: String,
    /// A stable machine code, e.g. `required`, `too_long`, `invalid_format`.
    pub code: String,
    /// A human-readable explanation.
    pub message: String,
}

impl FieldError {
    /// A field error with the given field, code and message.
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), code: code.into(), message: message.into() }
    }
}

/// Everything that can go wrong in a use case, in the terms of the domain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The object does not exist, or the caller may not know that it exists.
    #[error("{resource} not found")]
    NotFound {
        /// The kind of object, e.g. `student`.
        resource: &'static str,
    },
    /// The input is well-formed but breaks a rule about its values.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// The request clashes with the current state: a duplicate key, a reference still in use,
    /// a capacity that is full. `code` is the stable machine code.
    #[error("{detail}")]
    Conflict {
        /// The stable machine code.
        code: ConflictCode,
        /// A human-readable explanation.
        detail: String,
    },
    /// A state machine was asked for a move it does not allow.
    #[error("cannot {action} when {from}")]
    InvalidTransition {
        /// The current state.
        from: String,
        /// The action that was attempted.
        action: String,
    },
    /// The credentials or token are missing, wrong, expired or revoked.
    #[error("{0}")]
    Unauthenticated(String),
    /// The caller is authenticated and may see the object but may not do this to it.
    #[error("{0}")]
    Forbidden(String),
    /// A service client's token lacks a scope this needs (RFC 6750 §3.1 `insufficient_scope`).
    #[error("this needs the {scope} scope")]
    InsufficientScope {
        /// The scope (or space-separated scopes) the request needs.
        scope: String,
    },
    /// The `If-Match` precondition named a version that is no longer current.
    #[error("the resource has changed since it was read (current version {current})")]
    PreconditionFailed {
        /// The current version, so the client can re-read and retry.
        current: i32,
    },
    /// A bulk import has bad rows, or the file lacks a required column: nothing was written.
    /// Every problem is listed, by line and column.
    #[error("{} problem(s) in a file of {rows} row(s); nothing was written", errors.len())]
    ImportFailed {
        /// How many data rows the file has.
        rows: usize,
        /// Every problem, in file order.
        errors: Vec<crate::import::RowError>,
    },
    /// A list's `cursor` is not usable there: not one this server gave out, altered, made for
    /// another sort or other filters, or sent with `page`.
    #[error("{0}")]
    InvalidCursor(String),
    /// Too many attempts; the caller may try again after the given number of seconds.
    #[error("too many attempts; retry after {retry_after_secs} s")]
    TooManyAttempts {
        /// Seconds until the caller may try again.
        retry_after_secs: u64,
    },
}

impl Error {
    /// A validation error about a single field.
    pub fn invalid(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, code, message)])
    }

    /// A conflict with the given code and explanation.
    pub fn conflict(code: ConflictCode, detail: impl fmt::Display) -> Self {
        Self::Conflict { code, detail: detail.to_string() }
    }

    /// A `duplicate` conflict with the given explanation.
    pub fn duplicate(detail: impl fmt::Display) -> Self {
        Self::conflict(ConflictCode::Duplicate, detail)
    }

    /// An `in_use` conflict: the object is still referenced and cannot be removed.
    pub fn in_use(detail: impl fmt::Display) -> Self {
        Self::conflict(ConflictCode::InUse, detail)
    }

    /// The stable machine code a client sees for this error (the `code` of its problem), also kept
    /// on the record of a failed import.
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotFound { .. } => "not_found",
            Error::Validation(_) => "validation_failed",
            Error::Conflict { code, .. } => code.as_str(),
            Error::InvalidTransition { .. } => ConflictCode::InvalidTransition.as_str(),
            Error::Unauthenticated(_) => "unauthenticated",
            Error::Forbidden(_) => "forbidden",
            Error::InsufficientScope { .. } => "insufficient_scope",
            Error::PreconditionFailed { .. } => "precondition_failed",
            Error::ImportFailed { .. } => "import_failed",
            Error::TooManyAttempts { .. } => "too_many_attempts",
            Error::InvalidCursor(_) => "invalid_cursor",
        }
    }
}

/// The result type of the domain.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Collects field errors while checking a whole input, so the client learns of every bad field
/// at once rather than one per round trip.
#[derive(Debug, Default)]
pub struct Problems(Vec<FieldError>);

impl Problems {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one problem.
    pub fn push(&mut self, field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError::new(field, code, message));
    }

    /// Records the error of a parse, if any, and returns the parsed value.
    pub fn take<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(e);
                None
            }
        }
    }

    /// Records every field error of `error` if it is a validation error; other errors are returned.
    pub fn absorb(&mut self, error: Error) -> Result<()> {
        match error {
            Error::Validation(errors) => {
                self.0.extend(errors);
                Ok(())
            }
            other => Err(other),
        }
    }

    /// Whether nothing has been recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing was recorded, else a validation error with everything recorded.
    pub fn finish(self) -> Result<()> {
        if self.0.is_empty() { Ok(()) } else { Err(Error::Validation(self.0)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_has_the_code_its_problem_carries() {
        assert_eq!(Error::NotFound { resource: "student" }.code(), "not_found");
        assert_eq!(Error::invalid("x", "required", "x is required").code(), "validation_failed");
        assert_eq!(Error::duplicate("twice").code(), "duplicate");
        assert_eq!(Error::InvalidTransition { from: "a".into(), action: "b".into() }.code(), "invalid_transition");
        assert_eq!(Error::ImportFailed { rows: 1, errors: Vec::new() }.code(), "import_failed");
        assert_eq!(Error::Forbidden("no".into()).code(), "forbidden");
    }
}
