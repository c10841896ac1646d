//! sea-orm entities, one per table. Hand-written to match the migrations; kept free of logic.

pub mod academic_year;
pub mod app_secret;
pub mod audit_event;
pub mod college;
pub mod idempotency_record;
pub mod login_throttle;
pub mod refresh_token;
pub mod service_client;
pub mod session;
pub mod staff;
pub mod student;
pub mod unit;
pub mod user;
