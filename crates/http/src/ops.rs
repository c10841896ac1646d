//! Liveness and readiness probes, outside `/api/v1`.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// The state of a probe.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: String,
}

/// Liveness: the process is up and answering.
///
/// Never touches the database, so it answers at once even when the database is down; for load
/// balancers and `HEALTHCHECK`. Readiness is `/readyz`.
#[utoipa::path(
    operation_id = "healthz",
    tag = "operations",
    security(()),
    responses(
        (status = 200, description = "The process is up", body = Health),
        (status = 400, description = "The request is not valid HTTP/1.1 (actix answers before any handler, without a body)")
    )
)]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok".into() })
}

/// How long `/readyz` waits for the database before it answers 503.
pub const READY_TIMEOUT: Duration = Duration::from_secs(1);

/// Where the server is in its life: serving, or draining before it stops; and whether the last
/// readiness check failed (so that a failure is logged when it starts and ends, not per probe).
#[derive(Debug, Default)]
pub struct Lifecycle {
    draining: AtomicBool,
    unready: AtomicBool,
    in_flight: AtomicUsize,
}

/// One request being served; counted in [`Lifecycle::in_flight`] until dropped.
pub struct InFlight(web::Data<Lifecycle>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Lifecycle {
    /// Counts a request as being served until the returned guard is dropped.
    pub fn enter(life: &web::Data<Lifecycle>) -> InFlight {
        life.in_flight.fetch_add(1, Ordering::SeqCst);
        InFlight(life.clone())
    }

    /// How many requests are being served, on every worker.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    /// From now on `/readyz` answers 503 `shutting_down`.
    pub fn start_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    /// Whether the server is draining.
    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    /// Records the outcome of a readiness check, logging only a change.
    fn observe(&self, problem: Option<&str>) {
        let was_unready = self.unready.swap(problem.is_some(), Ordering::SeqCst);
        match problem {
            Some(p) if !was_unready => log::warn!("not ready: {p}"),
            None if was_unready => log::info!("ready again"),
            _ => {}
        }
    }
}

/// Readiness: the database answers (within 1 s) and its schema is the one this binary serves.
///
/// 503 `unavailable` when the database does not answer within 1 s; 503 `migration_pending` when it
/// lacks migrations of this binary (a node started with `--no-migrate` before `xuezhang migrate`
/// ran) or has migrations this binary does not know (a newer node migrated it: this one should be
/// replaced), `detail` naming the migrations; 503 `shutting_down` once the server got SIGTERM and
/// drains before it stops.
#[utoipa::path(
    operation_id = "readyz",
    tag = "operations",
    security(()),
    responses(
        (status = 200, description = "The database answers and is migrated", body = Health),
        (status = 400, description = "The request is not valid HTTP/1.1 (actix answers before any handler, without a body)"),
        (status = 503, description = "The database does not answer within 1 s (`unavailable`), its schema is behind or ahead of this binary (`migration_pending`), or the server is stopping (`shutting_down`)", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>, life: web::Data<Lifecycle>) -> Result<HttpResponse, ApiError> {
    if life.is_draining() {
        return Err(ApiError::ShuttingDown);
    }
    let checked = tokio::time::timeout(READY_TIMEOUT, async {
        state.db.ping().await?;
        state.db.schema_status().await
    });
    match checked.await {
        Ok(Ok(schema)) if schema.is_current() => {
            life.observe(None);
            Ok(HttpResponse::Ok().json(Health { status: "ok".into() }))
        }
        Ok(Ok(schema)) => {
            life.observe(Some(&schema.describe()));
            Err(ApiError::NotReady(schema.describe()))
        }
        Ok(Err(e)) => {
            life.observe(Some(&format!("the database does not answer: {e}")));
            Err(ApiError::Persistence(persistence::Error::Unavailable(e.to_string())))
        }
        Err(_) => {
            let detail = format!("the database did not answer within {} s", READY_TIMEOUT.as_secs());
            life.observe(Some(&detail));
            Err(ApiError::Persistence(persistence::Error::Unavailable(detail)))
        }
    }
}
