//! What happens around every request: its id (`X-Request-Id`), its access-log line and its metrics.
//!
//! **Request ids.** A caller may send `X-Request-Id`; it is kept when well-formed — 1 to 64
//! characters, each an ASCII letter, digit, `-`, `_`, `.` or `:` (a UUID, a ULID, a W3C trace id
//! and most proxies' ids qualify) — and replaced by a fresh UUID v7 otherwise, so that nothing a
//! caller sends can forge or break a log line. Every response carries the id, every problem
//! document names it in `instance` (`urn:xuezhang:request:<id>`), and the access log writes it.
//!
//! **The access log** (target `xuezhang::access`, level info) holds the method, the route template
//! (`/api/v1/students/{id}`, never the raw path or the query string: a search for a student's name
//! must not end up in a log), the status, the time taken and the request id. Nothing is formatted
//! unless the line is written: `RUST_LOG=warn` costs one comparison per request.

use std::future::{Ready, ready};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

use std::fmt;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use futures_util::future::LocalBoxFuture;

use crate::metrics::{Metrics, UNMATCHED};

/// The request and response header.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest request id accepted from a caller.
pub const MAX_REQUEST_ID_LEN: usize = 64;

/// The log target of the access log.
pub const ACCESS_LOG: &str = "xuezhang::access";

tokio::task_local! {
    static CURRENT: Rc<str>;
}

/// Whether a caller's `X-Request-Id` is kept: 1–64 characters from `A–Z a–z 0–9 - _ . :`.
pub fn well_formed(id: &[u8]) -> bool {
    (1..=MAX_REQUEST_ID_LEN).contains(&id.len())
        && id.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// The id of the request being answered, when called while answering one.
pub fn current_request_id() -> Option<Rc<str>> {
    CURRENT.try_with(Rc::clone).ok()
}

/// The RFC 9457 `instance` of a problem for request `id`.
pub fn instance(id: &str) -> String {
    format!("urn:xuezhang:request:{id}")
}

/// The middleware; wrap it outermost so that every response, errors of other middleware
/// included, gets an id and a log line.
pub struct Observe {
    metrics: Arc<Metrics>,
}

impl Observe {
    /// Records into `metrics`.
    pub fn new(metrics: Arc<Metrics>) -> Self {
        Self { metrics }
    }
}

impl<S, B> Transform<S, ServiceRequest> for Observe
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = ObserveService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(ObserveService { service: Rc::new(service), metrics: Arc::clone(&self.metrics) }))
    }
}

/// The service of [`Observe`].
pub struct ObserveService<S> {
    service: Rc<S>,
    metrics: Arc<Metrics>,
}

impl<S, B> Service<ServiceRequest> for ObserveService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let started = Instant::now();
        let id: Rc<str> = match req.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()) {
            Some(v) if well_formed(v.as_bytes()) => Rc::from(v),
            _ => Rc::from(uuid::Uuid::now_v7().hyphenated().to_string()),
        };
        // Kept for an error that escapes every handler (only middleware returns one): the request
        // itself is not, as routing needs it unshared.
        let (method, uri) = (req.method().clone(), req.uri().clone());
        let metrics = Arc::clone(&self.metrics);
        let in_flight = InFlight::start(Arc::clone(&metrics));
        let lang = crate::lang::Lang::negotiate(
            req.headers().get(actix_web::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()),
        );
        let fut = crate::lang::sync_scope(lang, || CURRENT.sync_scope(Rc::clone(&id), || self.service.call(req)));
        Box::pin(async move {
            let result = crate::lang::scope(lang, CURRENT.scope(Rc::clone(&id), fut)).await;
            let elapsed = started.elapsed();
            drop(in_flight);
            let (status, route) = match &result {
                Ok(res) => (res.status(), res.request().match_pattern()),
                Err(e) => (e.as_response_error().status_code(), crate::fallback::route_of(uri.path())),
            };
            let route = route.as_deref().unwrap_or(UNMATCHED);
            metrics.observe_request(&method, route, status, elapsed);
            log::info!(
                target: ACCESS_LOG,
                method = method.as_str(),
                route = route,
                status = status.as_u16(),
                duration_ms = elapsed.as_micros() as f64 / 1000.0,
                request_id = &*id;
                "request"
            );
            match result {
                Ok(mut res) => {
                    if let Ok(v) = HeaderValue::from_str(&id) {
                        res.headers_mut().insert(REQUEST_ID, v);
                    }
                    Ok(res.map_into_left_body())
                }
                Err(e) => Err(Tagged { inner: e, id, lang }.into()),
            }
        })
    }
}

/// An error that escaped every handler, rendered later by the server: it renders with the
/// request id in `instance` and `X-Request-Id`.
struct Tagged {
    inner: actix_web::Error,
    id: Rc<str>,
    lang: crate::lang::Lang,
}

impl fmt::Debug for Tagged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl fmt::Display for Tagged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

impl ResponseError for Tagged {
    fn status_code(&self) -> StatusCode {
        self.inner.as_response_error().status_code()
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = crate::lang::sync_scope(self.lang, || {
            CURRENT.sync_scope(Rc::clone(&self.id), || self.inner.error_response())
        });
        if let Ok(v) = HeaderValue::from_str(&self.id) {
            res.headers_mut().insert(REQUEST_ID, v);
        }
        res
    }
}

/// Counts a request in flight until dropped: a request whose client went away is never answered,
/// and its future is dropped instead.
struct InFlight(Arc<Metrics>);

impl InFlight {
    fn start(metrics: Arc<Metrics>) -> Self {
        metrics.in_flight().inc();
        Self(metrics)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight().dec();
    }
}
