//! End-to-end tests of the `xuezhang` binary as operators run it: its log, backups and restores
//! under a write load, upgrades and `migrate --check`, two nodes on one database, and the demo
//! year of `xuezhang demo`. On SQLite by default, on PostgreSQL when `XUEZHANG_TEST_DATABASE_URL`
//! names a server (`make test-pg`).

// Test helpers panic on a broken arrangement; that is their job.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod backup;
mod demo;
mod faults;
mod logs;
mod nodes;
mod schema;
mod shutdown;
mod support;
