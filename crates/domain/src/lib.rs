//! The rules of the graduate Party-member mentor program (研究生党员学长制) as plain Rust:
//! value types parsed once at the boundary, state machines, eligibility, authorisation.
//! No I/O here: persistence and HTTP depend on this crate, never the other way round.

pub mod accounts;
pub mod activity;
pub mod agenda;
pub mod appointment;
pub mod auth;
pub mod best_case;
pub mod career;
pub mod certificate;
pub mod club;
pub mod codes;
pub mod concern;
pub mod directory;
pub mod error;
pub mod essay;
pub mod help;
pub mod import;
pub mod inquiry;
pub mod page;
pub mod pairing;
pub mod performance;
pub mod photo;
pub mod policy;
pub mod profile;
pub mod reference;
pub mod report;
pub mod selection;
pub mod text;
pub mod time;
pub mod work;
pub mod yearend;

pub use codes::{AuditAction, ConflictCode, DomainEvent};
pub use error::{Error, FieldError, Problems, Result};
