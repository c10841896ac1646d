//! The HTTP application of xuezhang: routes under `/api/v1`, authentication, problem+json
//! errors, idempotency, CORS and the OpenAPI document.

pub mod api;
pub mod auth;
pub mod client_addr;
pub mod error;
pub mod extract;
pub(crate) mod fallback;
pub mod guard;
mod idempotency;
pub mod lang;
pub mod metrics;
pub mod observe;
pub mod openapi;
mod ops;
pub mod pdf;
pub mod public;
pub mod respond;
pub mod settings;
mod startup;
pub mod state;
pub mod tabular;

pub use settings::Settings;
pub use startup::{Application, StartError};
