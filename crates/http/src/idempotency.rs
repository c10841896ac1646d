//! `Idempotency-Key` on `POST`: a retry with the same key and body gets the first response again
//! and writes nothing; the same key with another body is a 422. Keys are per caller and kept 24 h.

use actix_web::body::{BoxBody, MessageBody, to_bytes};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, web};
use persistence::idempotency::{self, Claim, StoredResponse};
use sha2::{Digest, Sha256};

use crate::auth::{SubjectKind, bearer};
use crate::error::ApiError;
use crate::extract::{JSON_LIMIT, read_body};
use crate::state::AppState;

/// The request header.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// Set on a replayed response.
pub const REPLAYED: &str = "idempotent-replayed";

/// The largest import body an idempotent request may have (bodies are hashed in memory); other
/// requests keep to the JSON limit.
pub const BODY_LIMIT: usize = 64 * 1024 * 1024;

const KEPT_HEADERS: [header::HeaderName; 3] = [header::CONTENT_TYPE, header::LOCATION, header::ETAG];

fn fingerprint(req: &ServiceRequest, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(req.method().as_str());
    h.update([0]);
    h.update(req.path());
    h.update([0]);
    h.update(req.query_string());
    h.update([0]);
    h.update(req.headers().get(header::CONTENT_TYPE).map(|v| v.as_bytes()).unwrap_or_default());
    h.update([0]);
    h.update(body);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn replay(stored: StoredResponse) -> HttpResponse {
    let mut res = HttpResponse::build(StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK));
    for (name, value) in stored.headers {
        res.insert_header((name, value));
    }
    res.insert_header((REPLAYED, "true"));
    res.body(stored.body)
}

/// The middleware (for `actix_web::middleware::from_fn`).
pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = match req.headers().get(IDEMPOTENCY_KEY) {
        Some(k) if req.method() == Method::POST => k.to_str().ok().map(str::to_owned).unwrap_or_default(),
        _ => return Ok(next.call(req).await?.map_into_boxed_body()),
    };
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(ApiError::BadRequest {
            code: "invalid_idempotency_key",
            detail: "Idempotency-Key must be 1–255 visible ASCII characters".into(),
        }
        .into());
    }
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    // Keys belong to a caller. Without a valid token of a live session or client there is no
    // caller, and nothing is replayed: the handler answers 401.
    let Some(claims) = bearer(req.request()).and_then(|t| state.tokens.verify(t).ok()) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let live = match claims.kind {
        SubjectKind::User => match claims.sid {
            Some(sid) => {
                persistence::accounts::user_principal(&state.db, claims.sub, sid).await.map_err(ApiError::from)?
            }
            None => None,
        },
        SubjectKind::Client => {
            persistence::accounts::client_principal(&state.db, claims.sub, &[]).await.map_err(ApiError::from)?
        }
    };
    if live.is_none() {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let principal = format!("{:?}:{}", claims.kind, claims.sub);

    // Bodies are hashed in memory: imports may be large, everything else is JSON.
    let limit = if req.path().starts_with("/api/v1/imports/") { BODY_LIMIT } else { JSON_LIMIT };
    let body = read_body(req.take_payload(), limit).await?;
    let hash = fingerprint(&req, &body);
    req.set_payload(Payload::from(body));

    match idempotency::claim(&state.db, &principal, &key, &hash).await.map_err(ApiError::from)? {
        Claim::Replay(stored) => Ok(req.into_response(replay(stored))),
        Claim::Mismatch => Err(ApiError::Idempotency {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "idempotency_key_reused",
            detail: "this Idempotency-Key was used with a different request".into(),
        }
        .into()),
        Claim::InProgress => Err(ApiError::Idempotency {
            status: StatusCode::CONFLICT,
            code: domain::ConflictCode::IdempotencyRequestInProgress.as_str(),
            detail: "a request with this Idempotency-Key is still being processed".into(),
        }
        .into()),
        Claim::Fresh(id) => {
            let res = match next.call(req).await {
                Ok(res) => res,
                Err(e) => {
                    idempotency::release(&state.db, id).await.ok();
                    return Err(e);
                }
            };
            let status = res.status();
            // A response that must not be kept (a client secret shown once) is not stored either:
            // a retry runs again.
            let no_store = res
                .headers()
                .get(header::CACHE_CONTROL)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("no-store"));
            if status.is_server_error() || no_store {
                idempotency::release(&state.db, id).await.ok();
                return Ok(res.map_into_boxed_body());
            }
            let (http_req, http_res) = res.into_parts();
            let headers: Vec<(String, String)> = KEPT_HEADERS
                .iter()
                .filter_map(|h| {
                    let v = http_res.headers().get(h)?.to_str().ok()?;
                    Some((h.as_str().to_owned(), v.to_owned()))
                })
                .collect();
            let (head, body) = http_res.into_parts();
            let bytes = to_bytes(body).await.map_err(|e| {
                let e: Box<dyn std::error::Error> = e.into();
                ApiError::Persistence(persistence::Error::Internal(format!("reading a response body: {e}")))
            })?;
            let stored = StoredResponse { status: status.as_u16(), headers, body: bytes.to_vec() };
            if let Err(e) = idempotency::complete(&state.db, id, &stored).await {
                log::warn!("could not store an idempotent response: {e}");
            }
            Ok(ServiceResponse::new(http_req, head.set_body(BoxBody::new(bytes))))
        }
    }
}
