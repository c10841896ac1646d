//! Checks every request gets at the boundary, before routing: no control characters in the path
//! or the query string (see [`domain::text`]) — JSON bodies, forms and import cells are checked
//! where they are read; header values with control characters never get past the HTTP parser —
//! and a deadline for the request body (408 when it is not in on time: a stalled or trickled body
//! holds no worker and no connection for long).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes};
use actix_web::{HttpMessage, HttpResponse, ResponseError};
use domain::text::check_lossy;
use futures_util::Stream;

use crate::error::ApiError;
use crate::state::AppState;

/// Decodes `%XX` escapes (anything else is kept as it is).
pub fn percent_decode(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// The text rule for a path: 400 `invalid_path` naming the segment.
pub fn check_path(path: &str) -> Result<(), ApiError> {
    for (i, segment) in path.trim_start_matches('/').split('/').enumerate() {
        if !segment.contains('%') {
            // Raw control characters cannot reach here: the HTTP parser refuses them.
            continue;
        }
        if let Err(c) = check_lossy(&percent_decode(segment)) {
            return Err(ApiError::BadRequest {
                code: "invalid_path",
                detail: c.message(&format!("path segment {}", i + 1)),
            });
        }
    }
    Ok(())
}

/// The text rule for a query string: 422 `validation_failed` naming every bad parameter.
pub fn check_query(query: &str) -> Result<(), ApiError> {
    if query.is_empty() || !query.contains('%') {
        return Ok(());
    }
    let Ok(pairs) = serde_urlencoded::from_str::<Vec<(String, String)>>(query) else { return Ok(()) };
    let mut errors = Vec::new();
    for (name, value) in &pairs {
        if let Err(c) = domain::text::check_text(name) {
            errors.push(c.field_error("query"));
        } else if let Err(c) = domain::text::check_text(value) {
            errors.push(c.field_error(name.as_str()));
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(domain::Error::Validation(errors).into()) }
}

/// The middleware (for `actix_web::middleware::from_fn`).
pub async fn text_rule(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let checked = check_path(req.uri().path())
        .and_then(|()| check_query(req.query_string()))
        .and_then(|()| check_if_none_match(req.headers()));
    if let Err(e) = checked {
        let res: HttpResponse = e.error_response();
        return Ok(req.into_response(res));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// `If-None-Match` is `*` or entity tags, as for `If-Match` (RFC 9110 §13.1.2): a value that is
/// neither is 400 `invalid_if_none_match` rather than silently never matching.
fn check_if_none_match(headers: &actix_web::http::header::HeaderMap) -> Result<(), ApiError> {
    let ok = headers
        .get_all(header::IF_NONE_MATCH)
        .all(|v| v.to_str().ok().and_then(|v| crate::extract::IfMatch::parse(Some(v))).is_some());
    if ok {
        Ok(())
    } else {
        Err(ApiError::BadRequest {
            code: "invalid_if_none_match",
            detail: "If-None-Match must be `*` or entity tags as the ETag header gives them, e.g. `\"3\"`".into(),
        })
    }
}

/// A request body that fails once its deadline has passed, and says so in `expired`.
struct Deadline {
    inner: Payload,
    sleep: Pin<Box<tokio::time::Sleep>>,
    expired: Arc<AtomicBool>,
    finished: bool,
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.finished {
            return Poll::Ready(None);
        }
        match Pin::new(&mut self.inner).poll_next(cx) {
            Poll::Ready(None) => {
                self.finished = true;
                Poll::Ready(None)
            }
            Poll::Ready(Some(chunk)) => Poll::Ready(Some(chunk)),
            Poll::Pending => match self.sleep.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    self.finished = true;
                    self.expired.store(true, Ordering::SeqCst);
                    Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "the request body did not arrive in time",
                    )))))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

/// Whether the request says it has a body.
fn has_body(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().parse::<u64>().map_or(true, |n| n > 0))
}

/// The 408 of a body that did not arrive in time. The connection is closed: what is left of the
/// body cannot be told from the next request.
pub fn body_timeout_response(timeout: Duration) -> HttpResponse {
    ApiError::BodyTimeout { seconds: timeout.as_secs_f64() }.error_response()
}

/// The middleware (for `actix_web::middleware::from_fn`): the whole body must arrive within
/// [`crate::Settings::body_timeout`] of the headers.
pub async fn body_deadline(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if !has_body(&req) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let timeout = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.settings.body_timeout)
        .unwrap_or(crate::settings::DEFAULT_BODY_TIMEOUT);
    let expired = Arc::new(AtomicBool::new(false));
    let stream = Deadline {
        inner: req.take_payload(),
        sleep: Box::pin(tokio::time::sleep(timeout)),
        expired: Arc::clone(&expired),
        finished: false,
    };
    let boxed: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> = Box::pin(stream);
    req.set_payload(Payload::from(boxed));
    let result = next.call(req).await;
    if expired.load(Ordering::SeqCst) {
        // Whatever the reader made of the failed body (400, 422, an error), it was the deadline.
        return match result {
            Ok(res) => Ok(res.into_response(body_timeout_response(timeout))),
            Err(_) => Err(ApiError::BodyTimeout { seconds: timeout.as_secs_f64() }.into()),
        };
    }
    Ok(result?.map_into_boxed_body())
}

/// The middleware that counts the requests being served and, once the server drains before
/// stopping, closes each connection after its response: a client's next request opens a new connection, which the load balancer sends to
/// another node, instead of racing the listener's close on a kept-alive one.
pub async fn close_when_draining(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let life = req.app_data::<web::Data<crate::ops::Lifecycle>>().cloned();
    // Counted while served, so that stopping waits for every worker's requests before any
    // worker's runtime (which drives the database connections it opened) shuts down.
    let _in_flight = life.as_ref().map(crate::ops::Lifecycle::enter);
    let mut res = next.call(req).await?.map_into_boxed_body();
    if life.is_some_and(|l| l.is_draining()) {
        res.response_mut().head_mut().set_connection_type(actix_web::http::ConnectionType::Close);
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_escapes_are_decoded_and_broken_ones_kept() {
        assert_eq!(percent_decode("a%00b"), b"a\0b");
        assert_eq!(percent_decode("%e5%AD%A6"), "学".as_bytes());
        assert_eq!(percent_decode("100%"), b"100%");
        assert_eq!(percent_decode("%zz%4"), b"%zz%4");
    }

    #[test]
    fn paths_and_queries_with_control_characters_are_refused() {
        assert!(check_path("/api/v1/students/abc").is_ok());
        assert!(matches!(
            check_path("/api/v1/public/certificates/x%00y"),
            Err(ApiError::BadRequest { code: "invalid_path", .. })
        ));
        assert!(check_query("q=%E5%AD%A6&page=2").is_ok());
        assert!(check_query("q=a%0Ab").is_ok());
        match check_query("page=1&q=%00") {
            Err(ApiError::Persistence(persistence::Error::Domain(domain::Error::Validation(v)))) => {
                assert_eq!(v[0].field, "q");
                assert_eq!(v[0].code, "control_character");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
