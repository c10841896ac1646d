//! Liveness and readiness probes, outside `/api/v1`.

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

/// Readiness: the database answers and its schema is the one this binary serves.
///
/// 503 `unavailable` when the database does not answer; 503 `migration_pending` when it lacks
/// migrations of this binary (a node started with `--no-migrate` before `xuezhang migrate` ran) or
/// has migrations this binary does not know (a newer node migrated it: this one should be
/// replaced). `detail` names the migrations.
#[utoipa::path(
    operation_id = "readyz",
    tag = "operations",
    security(()),
    responses(
        (status = 200, description = "The database answers and is migrated", body = Health),
        (status = 400, description = "The request is not valid HTTP/1.1 (actix answers before any handler, without a body)"),
        (status = 503, description = "The database does not answer (`unavailable`), or its schema is behind or ahead of this binary (`migration_pending`)", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let checked = async {
        state.db.ping().await?;
        state.db.schema_status().await
    };
    match checked.await {
        Ok(schema) if schema.is_current() => Ok(HttpResponse::Ok().json(Health { status: "ok".into() })),
        Ok(schema) => Err(ApiError::NotReady(schema.describe())),
        Err(e) => {
            log::warn!("readiness check failed: {e}");
            Err(ApiError::Persistence(persistence::Error::Unavailable(e.to_string())))
        }
    }
}
