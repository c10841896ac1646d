//! End-to-end tests over real HTTP. Each test starts the server on a fresh database: SQLite by
//! default, PostgreSQL when `XUEZHANG_TEST_DATABASE_URL` is set (`make test-pg`).

// Test helpers panic on a broken arrangement; that is their job.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod activities;
mod agenda;
mod assessment;
mod auth;
mod authz;
mod awards;
mod careers;
mod cases;
mod certificates;
mod club;
mod concerns;
mod conventions;
mod credits;
mod directory;
mod essays;
mod events;
mod hardening;
mod help_requests;
mod imports;
mod keyset;
mod openapi;
mod operations;
mod overview;
mod pairing;
mod performance;
mod photos;
mod reference;
mod reports;
mod selection;
mod upgrade;
mod work;
mod work_records;
