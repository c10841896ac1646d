//! CORS for the public directory: any web page may read `/api/v1/public/*` (a college's site shows
//! its mentors), whatever origins `XUEZHANG_CORS_ORIGINS` lets use the rest of the API. Only `GET`
//! and `HEAD` are opened; anything else on those paths gets the configured CORS rules.

use actix_web::HttpResponse;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;

/// The paths open to every origin.
pub const PUBLIC_PREFIX: &str = "/api/v1/public/";

/// Answers a cross-origin preflight for `GET` on a public path, and marks the answers of public
/// `GET`s readable by any origin. Wrapped outside the configured CORS middleware.
pub async fn open_cors(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let public = req.path().starts_with(PUBLIC_PREFIX);
    let from_page = req.headers().contains_key(header::ORIGIN);
    if !public || !from_page {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let asks = req.headers().get(header::ACCESS_CONTROL_REQUEST_METHOD).and_then(|v| v.to_str().ok());
    if req.method() == Method::OPTIONS && matches!(asks, Some("GET" | "HEAD")) {
        let res = HttpResponse::NoContent()
            .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
            .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, "GET, HEAD"))
            .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, "if-none-match, accept-language"))
            .insert_header((header::ACCESS_CONTROL_MAX_AGE, "86400"))
            .finish();
        return Ok(req.into_response(res));
    }
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    // The configured CORS middleware would refuse an origin it does not list; this answer is for
    // every origin, so it does not see one.
    req.headers_mut().remove(header::ORIGIN);
    let mut res = next.call(req).await?;
    let h = res.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, header::HeaderValue::from_static("*"));
    h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, header::HeaderValue::from_static("etag, link, x-request-id"));
    Ok(res.map_into_boxed_body())
}
