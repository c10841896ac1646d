//! `GET /metrics` in the Prometheus text format: requests by route template, status and duration;
//! the database pools and how long write transactions waited to start; imports; the change feed's
//! head; failed logins and locked login names; pending migrations.
//!
//! Counters and histograms are this process's own (each node is scraped on its own); the values
//! read from the database at scrape time (feed head, locked names, pending migrations) are the
//! same on every node.
//!
//! The endpoint is off unless configured: `XUEZHANG_METRICS_BIND` serves it on a listener of its
//! own (kept off the public port), `XUEZHANG_METRICS_TOKEN` serves it on the public port to callers
//! that send the token as a bearer token (and then asks for the token on the metrics listener too).

use std::time::Duration;

use actix_web::http::{Method, StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, web};
use prometheus::{
    Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;

/// The route label of a request that matched no route (so unknown paths cannot multiply series).
pub const UNMATCHED: &str = "unmatched";

const HTTP_BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];
const WAIT_BUCKETS: &[f64] = &[0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0];
const IMPORT_BUCKETS: &[f64] = &[0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0];

/// Every metric of one server. One per [`crate::Application`], so tests running several servers in
/// one process see each its own.
pub struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_duration: HistogramVec,
    http_in_flight: IntGauge,
    db_connections: IntGaugeVec,
    db_max_connections: IntGaugeVec,
    db_begin_wait: Histogram,
    db_up: IntGauge,
    imports: IntCounterVec,
    import_rows: IntCounterVec,
    import_duration: HistogramVec,
    feed_head: IntGauge,
    login_failures: IntCounterVec,
    login_locked_refusals: IntCounter,
    locked_logins: IntGauge,
    migrations_pending: IntGauge,
    migrations_unknown: IntGauge,
}

/// What became of an import, as a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportOutcome {
    /// Written.
    Written,
    /// Checked, nothing written (`dry_run=true`).
    DryRun,
    /// Refused (bad rows, a bad file, no permission…).
    Failed,
}

impl ImportOutcome {
    fn as_str(self) -> &'static str {
        match self {
            ImportOutcome::Written => "written",
            ImportOutcome::DryRun => "dry_run",
            ImportOutcome::Failed => "failed",
        }
    }
}

fn build<M: prometheus::core::Collector + Clone + 'static>(registry: &Registry, m: prometheus::Result<M>) -> M {
    // The names and labels below are fixed and valid, and each is registered once: neither
    // construction nor registration can fail, so a failure is a programming error caught by tests.
    #[allow(clippy::expect_used)]
    let m = m.expect("a valid metric definition");
    #[allow(clippy::expect_used)]
    registry.register(Box::new(m.clone())).expect("a metric registered once");
    m
}

fn histogram(name: &str, help: &str, buckets: &[f64]) -> HistogramOpts {
    HistogramOpts::new(name, help).buckets(buckets.to_vec())
}

impl Metrics {
    /// A fresh set of metrics, all zero.
    pub fn new() -> Self {
        let r = Registry::new();
        let version = Opts::new("xuezhang_build_info", "The version of the running binary (always 1)")
            .const_label("version", env!("CARGO_PKG_VERSION"));
        build(&r, IntGauge::with_opts(version)).set(1);
        Self {
            http_requests: build(
                &r,
                IntCounterVec::new(
                    Opts::new("xuezhang_http_requests_total", "HTTP requests answered, by route template and status"),
                    &["method", "route", "status"],
                ),
            ),
            http_duration: build(
                &r,
                HistogramVec::new(
                    histogram(
                        "xuezhang_http_request_duration_seconds",
                        "Time from receiving a request to having its response (the body may still stream)",
                        HTTP_BUCKETS,
                    ),
                    &["method", "route"],
                ),
            ),
            http_in_flight: build(
                &r,
                IntGauge::new("xuezhang_http_requests_in_flight", "Requests being answered right now"),
            ),
            db_connections: build(
                &r,
                IntGaugeVec::new(
                    Opts::new(
                        "xuezhang_db_pool_connections",
                        "Open database connections by pool (`read`, `write`; one pool on PostgreSQL) and state (`idle`, `in_use`)",
                    ),
                    &["pool", "state"],
                ),
            ),
            db_max_connections: build(
                &r,
                IntGaugeVec::new(
                    Opts::new("xuezhang_db_pool_max_connections", "The most connections a pool opens"),
                    &["pool"],
                ),
            ),
            db_begin_wait: build(
                &r,
                Histogram::with_opts(histogram(
                    "xuezhang_db_transaction_begin_wait_seconds",
                    "Time a write transaction waited to start: for a pooled connection (PostgreSQL) or for the one writer connection (SQLite), plus BEGIN",
                    WAIT_BUCKETS,
                )),
            ),
            db_up: build(&r, IntGauge::new("xuezhang_db_up", "1 when the database answered this scrape's queries")),
            imports: build(
                &r,
                IntCounterVec::new(
                    Opts::new(
                        "xuezhang_imports_total",
                        "Bulk imports by kind and outcome (`written`, `dry_run`, `failed`)",
                    ),
                    &["kind", "outcome"],
                ),
            ),
            import_rows: build(
                &r,
                IntCounterVec::new(
                    Opts::new(
                        "xuezhang_import_rows_total",
                        "Rows of written imports by kind and result (`created`, `updated`, `unchanged`)",
                    ),
                    &["kind", "result"],
                ),
            ),
            import_duration: build(
                &r,
                HistogramVec::new(
                    histogram(
                        "xuezhang_import_duration_seconds",
                        "Time an import took, reading the upload included",
                        IMPORT_BUCKETS,
                    ),
                    &["kind", "outcome"],
                ),
            ),
            feed_head: build(
                &r,
                IntGauge::new("xuezhang_events_head_seq", "The sequence number of the change feed's newest event"),
            ),
            login_failures: build(
                &r,
                IntCounterVec::new(
                    Opts::new(
                        "xuezhang_login_failures_total",
                        "Token requests refused for bad credentials, by grant (`password`, `refresh_token`, `client_credentials`)",
                    ),
                    &["grant"],
                ),
            ),
            login_locked_refusals: build(
                &r,
                IntCounter::new(
                    "xuezhang_login_lockout_refusals_total",
                    "Logins refused because the login name is locked after repeated failures (429)",
                ),
            ),
            locked_logins: build(
                &r,
                IntGauge::new(
                    "xuezhang_login_locked_names",
                    "Login names locked right now after repeated failures (all nodes: read from the database)",
                ),
            ),
            migrations_pending: build(
                &r,
                IntGauge::new(
                    "xuezhang_schema_migrations_pending",
                    "Migrations this binary has that the database lacks",
                ),
            ),
            migrations_unknown: build(
                &r,
                IntGauge::new(
                    "xuezhang_schema_migrations_unknown",
                    "Migrations the database has that this binary does not know (a newer binary migrated it)",
                ),
            ),
            registry: r,
        }
    }

    /// Counts one answered request.
    pub fn observe_request(&self, method: &Method, route: &str, status: StatusCode, elapsed: Duration) {
        let method = method_label(method);
        if let Ok(c) = self.http_requests.get_metric_with_label_values(&[method, route, status.as_str()]) {
            c.inc();
        }
        if let Ok(h) = self.http_duration.get_metric_with_label_values(&[method, route]) {
            h.observe(elapsed.as_secs_f64());
        }
    }

    /// The gauge of requests in flight.
    pub(crate) fn in_flight(&self) -> &IntGauge {
        &self.http_in_flight
    }

    /// Records how long a write transaction waited to start.
    pub fn observe_begin_wait(&self, waited: Duration) {
        self.db_begin_wait.observe(waited.as_secs_f64());
    }

    /// Counts one import; `rows` are (created, updated, unchanged) of a written one.
    pub fn observe_import(&self, kind: &str, outcome: ImportOutcome, elapsed: Duration, rows: Option<[usize; 3]>) {
        let o = outcome.as_str();
        if let Ok(c) = self.imports.get_metric_with_label_values(&[kind, o]) {
            c.inc();
        }
        if let Ok(h) = self.import_duration.get_metric_with_label_values(&[kind, o]) {
            h.observe(elapsed.as_secs_f64());
        }
        if let Some(counts) = rows {
            for (result, n) in ["created", "updated", "unchanged"].into_iter().zip(counts) {
                if let Ok(c) = self.import_rows.get_metric_with_label_values(&[kind, result]) {
                    c.inc_by(n as u64);
                }
            }
        }
    }

    /// Counts a token request refused for bad credentials.
    pub fn login_failed(&self, grant: &str) {
        if let Ok(c) = self.login_failures.get_metric_with_label_values(&[grant]) {
            c.inc();
        }
    }

    /// Counts a login refused because the name is locked.
    pub fn login_refused_locked(&self) {
        self.login_locked_refusals.inc();
    }

    /// Reads what lives in the database (pools, feed head, locked names, migrations) and renders
    /// every metric in the Prometheus text format.
    pub async fn render(&self, db: &persistence::Db) -> String {
        for p in persistence::ops::pool_stats(db) {
            let in_use = i64::from(p.size.saturating_sub(p.idle));
            for (state, v) in [("idle", i64::from(p.idle)), ("in_use", in_use)] {
                if let Ok(g) = self.db_connections.get_metric_with_label_values(&[p.pool, state]) {
                    g.set(v);
                }
            }
            if let Ok(g) = self.db_max_connections.get_metric_with_label_values(&[p.pool]) {
                g.set(i64::from(p.max));
            }
        }
        let read = async {
            let head = persistence::ops::feed_head(db).await?;
            let locked = persistence::ops::locked_logins(db).await?;
            let schema = db.schema_status().await?;
            Ok::<_, persistence::Error>((head, locked, schema))
        };
        match read.await {
            Ok((head, locked, schema)) => {
                self.feed_head.set(head);
                self.locked_logins.set(locked);
                self.migrations_pending.set(schema.pending.len() as i64);
                self.migrations_unknown.set(schema.unknown.len() as i64);
                self.db_up.set(1);
            }
            Err(e) => {
                log::warn!("metrics: reading the database failed: {e}");
                self.db_up.set(0);
            }
        }
        let mut out = String::new();
        if let Err(e) = TextEncoder::new().encode_utf8(&self.registry.gather(), &mut out) {
            log::warn!("metrics: encoding failed: {e}");
        }
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// The method as a label: the standard ones by name, anything else as `other`.
fn method_label(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Which listener a request for `/metrics` came in on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Listener {
    /// The public API port: `/metrics` only with the token.
    Public,
    /// The metrics listener of `XUEZHANG_METRICS_BIND`.
    Private,
}

/// Whether two secrets are equal, in time that does not depend on where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    let (x, y) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    x.iter().zip(y.iter()).fold(0u8, |acc, (p, q)| acc | (p ^ q)) == 0
}

/// Metrics in the Prometheus text format.
///
/// Off unless configured: with `XUEZHANG_METRICS_TOKEN` set it answers callers that send
/// `Authorization: Bearer <that token>`; with only `XUEZHANG_METRICS_BIND` set it is served on that
/// listener alone and this port answers 404.
#[utoipa::path(
    operation_id = "metrics",
    tag = "operations",
    security(("metrics_token" = [])),
    responses(
        (status = 200, description = "Every metric, in the Prometheus text format 0.0.4", body = String, content_type = "text/plain; version=0.0.4; charset=utf-8"),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound)
    )
)]
#[get("/metrics")]
pub async fn metrics(
    req: HttpRequest,
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
    listener: web::Data<Listener>,
) -> Result<HttpResponse, ApiError> {
    match (&state.settings.metrics_token, **listener) {
        (None, Listener::Public) => return Err(ApiError::NoRoute),
        (None, Listener::Private) => {}
        (Some(token), _) => {
            let sent = crate::auth::bearer(&req).unwrap_or_default();
            if !same_secret(sent, token) {
                return Err(ApiError::Unauthorized("GET /metrics needs the metrics token as a bearer token".into()));
            }
        }
    }
    let body = metrics.render(&state.db).await;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}
