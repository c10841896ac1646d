//! sea-orm entities, one per table. Hand-written to match the migrations; kept free of logic.

pub mod academic_year;
pub mod activity;
pub mod activity_feedback;
pub mod activity_host;
pub mod activity_registration;
pub mod app_secret;
pub mod appointment;
pub mod audit_event;
pub mod college;
pub mod commendation;
pub mod event;
pub mod event_counter;
pub mod honor;
pub mod idempotency_record;
pub mod login_throttle;
pub mod nomination;
pub mod pairing;
pub mod pairing_feedback;
pub mod refresh_token;
pub mod sanction;
pub mod service_client;
pub mod session;
pub mod staff;
pub mod student;
pub mod unit;
pub mod user;
