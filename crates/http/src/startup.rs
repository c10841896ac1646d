//! Building and running the server: connect, migrate, bootstrap, bind, serve.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_cors::Cors;
use actix_web::dev::{Server, ServerHandle};
use actix_web::http::header;
use actix_web::middleware::{Condition, DefaultHeaders};
use actix_web::{App, HttpResponse, HttpServer, web};
use persistence::{BeginWaitObserver, Db, DbConfig};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::Tokens;
use crate::error::ApiError;
use crate::metrics::{Listener, Metrics};
use crate::observe::{Observe, REQUEST_ID};
use crate::ops::Lifecycle;
use crate::settings::Settings;
use crate::state::AppState;
use crate::{extract, fallback, openapi};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The settings are unusable.
    #[error("configuration: {0}")]
    Config(String),
    /// The database could not be reached or migrated.
    #[error("database: {0}")]
    Database(#[from] persistence::Error),
    /// The address could not be bound.
    #[error("network: {0}")]
    Io(#[from] std::io::Error),
}

/// A built server, bound to its port, not yet running.
pub struct Application {
    port: u16,
    server: Server,
    metrics_server: Option<(Server, u16)>,
    db: Db,
    initial_admin: Option<(String, String)>,
    lifecycle: web::Data<Lifecycle>,
    drain: Duration,
    shutdown_grace: Duration,
}

fn cors(origins: &[String]) -> Cors {
    let mut c = Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::HeaderName::from_static(crate::idempotency::IDEMPOTENCY_KEY),
            REQUEST_ID,
        ])
        .expose_headers([
            header::ETAG,
            header::LINK,
            header::LOCATION,
            header::RETRY_AFTER,
            header::HeaderName::from_static(crate::idempotency::REPLAYED),
            REQUEST_ID,
        ])
        .max_age(3600);
    for o in origins {
        c = if o == "*" { c.allow_any_origin().send_wildcard() } else { c.allowed_origin(o) };
    }
    c
}

/// Checks each CORS origin is `scheme://host[:port]` (actix-cors would panic on a bad one).
fn check_origins(origins: &[String]) -> Result<(), StartError> {
    for o in origins {
        let ok = o == "*"
            || (o.starts_with("http://") || o.starts_with("https://"))
                && !o.ends_with('/')
                && o.split("://").nth(1).is_some_and(|h| !h.is_empty() && !h.contains('/'))
                && header::HeaderValue::from_str(o).is_ok();
        if !ok {
            return Err(StartError::Config(format!(
                "XUEZHANG_CORS_ORIGINS: `{o}` is not an origin like https://app.example.edu.cn"
            )));
        }
    }
    Ok(())
}

impl Application {
    /// Connects, migrates, creates the first admin if asked and needed, and binds.
    pub async fn build(settings: Settings) -> Result<Self, StartError> {
        settings.check().map_err(StartError::Config)?;
        check_origins(&settings.cors_origins)?;
        let metrics = Arc::new(Metrics::new());
        let observer = Arc::clone(&metrics);
        let db = Db::connect(&DbConfig {
            max_connections: settings.db_max_connections,
            acquire_timeout: settings.db_acquire_timeout,
            ..DbConfig::new(settings.database_url.clone())
        })
        .await?
        .observe_begin_waits(BeginWaitObserver(Arc::new(move |waited| observer.observe_begin_wait(waited))));
        if settings.migrate_on_start {
            db.migrate().await?;
        } else {
            // Never serve a database a newer binary migrated; one that is behind is served, and
            // `/readyz` says it is not ready until it is migrated.
            let status = db.schema_status().await?;
            if status.is_ahead() {
                return Err(StartError::Database(persistence::Error::SchemaAhead(status.describe())));
            }
            if !status.pending.is_empty() {
                log::warn!("{}", status.describe());
            }
        }
        let secret = match &settings.jwt_secret {
            Some(s) => s.clone(),
            None => persistence::accounts::secret(&db, "jwt_secret", persistence::accounts::random_token).await?,
        };
        persistence::accounts::warm_up().await?;
        let initial_admin =
            if settings.bootstrap_admin { persistence::accounts::bootstrap_admin(&db).await? } else { None };
        let tokens = Tokens::new(secret.as_bytes(), &settings.jwt_issuer, &settings.jwt_audience);
        let state = web::Data::new(AppState { db: db.clone(), tokens, settings: settings.clone() });

        let listener = TcpListener::bind(&settings.bind)?;
        let port = listener.local_addr()?.port();
        // The document is served as bytes built once and shared by the workers: each worker kept
        // its own copy of the document in its Swagger UI service before (issue 18, idle memory).
        let spec = web::Bytes::from(openapi::document_compact_json());
        let origins = settings.cors_origins.clone();
        let metrics_data = web::Data::from(Arc::clone(&metrics));
        let (public_state, public_metrics) = (state.clone(), metrics_data.clone());
        let lifecycle = web::Data::new(Lifecycle::default());
        let public_life = lifecycle.clone();
        let mut server = HttpServer::new(move || {
            let app = App::new()
                .app_data(public_state.clone())
                .app_data(public_metrics.clone())
                .app_data(web::Data::new(Listener::Public))
                .app_data(web::QueryConfig::default().error_handler(extract::query_error))
                .app_data(web::PathConfig::default().error_handler(extract::path_error))
                .app_data(public_life.clone())
                .wrap(actix_web::middleware::from_fn(crate::guard::text_rule))
                .wrap(actix_web::middleware::from_fn(crate::guard::body_deadline))
                .wrap(actix_web::middleware::from_fn(crate::guard::close_when_draining))
                .wrap(Condition::new(!origins.is_empty(), cors(&origins)))
                .wrap(actix_web::middleware::from_fn(crate::public::open_cors))
                .wrap(DefaultHeaders::new().add((header::X_CONTENT_TYPE_OPTIONS, "nosniff")))
                .wrap(Observe::new(Arc::clone(&metrics)))
                // Registered before the /api/v1 scope, which would otherwise swallow the spec's path.
                .service(
                    web::resource(openapi::SPEC_PATH)
                        .guard(actix_web::guard::Get())
                        .app_data(web::Data::new(spec.clone()))
                        .to(serve_spec),
                )
                .service(SwaggerUi::new("/docs/{_:.*}").config(utoipa_swagger_ui::Config::from(openapi::SPEC_PATH)))
                .service(web::redirect("/docs", "/docs/"))
                .into_utoipa_app();
            openapi::mount(app).default_service(web::to(fallback::not_found_or_not_allowed)).into_app()
        })
        .listen(listener)?
        // Requests in flight when the server stops get this long to finish.
        .shutdown_timeout(settings.shutdown_grace.as_secs().max(1))
        // Headers must be in within 5 s of the connection (actix's default, stated); the body
        // has `body_timeout` (see `guard::body_deadline`); an idle kept-alive connection is closed
        // after 5 s.
        .client_request_timeout(Duration::from_secs(5))
        .keep_alive(Duration::from_secs(5))
        // Signals are handled in `run_with_signals`: drain first, then stop.
        .disable_signals();
        if settings.workers > 0 {
            server = server.workers(settings.workers);
        }
        let server = server.run();
        let metrics_server = match &settings.metrics_bind {
            Some(bind) => {
                let listener = TcpListener::bind(bind)?;
                let port = listener.local_addr()?.port();
                let server = HttpServer::new(move || {
                    App::new()
                        .app_data(state.clone())
                        .app_data(metrics_data.clone())
                        .app_data(web::Data::new(Listener::Private))
                        .service(crate::metrics::metrics)
                        .service(crate::ops::healthz)
                        .default_service(web::to(|| async { Err::<HttpResponse, _>(ApiError::NoRoute) }))
                })
                .listen(listener)?
                .workers(1)
                .disable_signals()
                .run();
                Some((server, port))
            }
            None => None,
        };

        let purge_db = db.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(3600));
            loop {
                tick.tick().await;
                match persistence::idempotency::purge(&purge_db).await {
                    Ok(n) if n > 0 => log::info!("purged {n} expired idempotency records"),
                    Ok(_) => {}
                    Err(e) => log::warn!("purging idempotency records failed: {e}"),
                }
                let now = purge_db.clock().now();
                match persistence::usecases::directory::purge_rate_windows(&purge_db, now).await {
                    Ok(n) if n > 0 => log::info!("purged {n} ended rate-limit windows"),
                    Ok(_) => {}
                    Err(e) => log::warn!("purging rate-limit windows failed: {e}"),
                }
                // The first tick is at start-up: imports a killed server left `running` are marked
                // `interrupted` (reading the records does it too).
                if let Err(e) = persistence::imports::runs::sweep(&purge_db).await {
                    log::warn!("looking for interrupted imports failed: {e}");
                }
            }
        });
        Ok(Self {
            port,
            server,
            metrics_server,
            db,
            initial_admin,
            lifecycle,
            drain: settings.drain,
            shutdown_grace: settings.shutdown_grace,
        })
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of the metrics listener, when `metrics_bind` is set.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_server.as_ref().map(|(_, p)| *p)
    }

    /// The database handle (tests use it to arrange data).
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The login name and password of the admin created at first start, if one was.
    pub fn initial_admin(&self) -> Option<&(String, String)> {
        self.initial_admin.as_ref()
    }

    /// A handle to stop the server gracefully.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGTERM or SIGINT, then stops gracefully: `/readyz` answers 503 for the drain
    /// time while everything else is still served (and each connection is closed after its
    /// response), then the listener closes and requests in flight get the grace period to finish.
    pub async fn run_with_signals(self) -> std::io::Result<()> {
        let (handle, life, drain, grace) =
            (self.server.handle(), self.lifecycle.clone(), self.drain, self.shutdown_grace);
        actix_web::rt::spawn(async move {
            let signal = shutdown_signal().await;
            log::info!("{signal}: draining for {} s (/readyz answers 503), then stopping", drain.as_secs_f64());
            life.start_draining();
            tokio::time::sleep(drain).await;
            log::info!("stopping: no new connections; {} request(s) in flight finish", life.in_flight());
            // Every worker keeps running until the requests of all of them are done: a worker's
            // runtime drives the PostgreSQL connections it opened, which another worker's request
            // may be using (stopping workers one by one failed such requests with a 500).
            handle.pause().await;
            let started = tokio::time::Instant::now();
            while life.in_flight() > 0 && started.elapsed() < grace {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            let cut = life.in_flight();
            if cut > 0 {
                log::warn!("{cut} request(s) still running after the grace period are cut off");
            }
            handle.stop(cut == 0).await;
        });
        let result = self.run_until_stopped().await;
        log::info!("stopped");
        result
    }

    /// Serves until stopped through [`Application::handle`] (gracefully: requests in flight finish).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let Some((metrics_server, _)) = self.metrics_server else { return self.server.await };
        // The metrics listener lives as long as the API: it stops when the API has stopped.
        let handle = metrics_server.handle();
        let metrics = actix_web::rt::spawn(metrics_server);
        let result = self.server.await;
        handle.stop(true).await;
        let _ = metrics.await;
        result
    }
}

/// `GET /api/v1/openapi.json`: the document, as Swagger UI's own route served it.
async fn serve_spec(spec: web::Data<web::Bytes>) -> HttpResponse {
    HttpResponse::Ok().content_type(header::ContentType::json()).body(web::Bytes::clone(&spec))
}

/// Waits for SIGTERM or SIGINT (Ctrl-C), and names it.
async fn shutdown_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) {
            (Ok(mut term), Ok(mut int)) => tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = int.recv() => "SIGINT",
            },
            _ => {
                let _ = tokio::signal::ctrl_c().await;
                "SIGINT"
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}
