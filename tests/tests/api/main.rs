//! End-to-end tests over real HTTP. Each test starts the server on a fresh database: SQLite by
//! default, PostgreSQL when `XUEZHANG_TEST_DATABASE_URL` is set (`make test-pg`).

mod accounts;
mod auth;
mod conventions;
mod openapi;
mod reference;
