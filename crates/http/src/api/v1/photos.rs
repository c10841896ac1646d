//! Mentors' photos for the directory (公示): `PUT`/`DELETE /appointments/{id}/photo` for the mentor
//! and their college, `GET` (and `HEAD`) `/public/mentors/{id}/photo` for anyone.
//!
//! The upload is the raw body (`image/jpeg`, `image/png`, `image/webp`, or
//! `application/octet-stream`), at most 5 MiB: `curl --data-binary @photo.jpg` and any generated
//! client send it as it is. What the file is comes from its bytes, not its name or the header; it is
//! decoded on the blocking pool under size limits and stored re-encoded (`domain::photo`).

use actix_web::http::header;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, delete, get, head, put, web};
use chrono::{DateTime, Utc};
use domain::photo;
use persistence::usecases::photos::{self, PhotoInfo};
use serde::Serialize;
use tokio::sync::Semaphore;
use utoipa::ToSchema;
use uuid::Uuid;

use super::common::photo_url;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::read_body;
use crate::openapi::{BadRequest, NotFound, ReadErrors, UploadErrors};
use crate::respond::{self, ok_tagged};
use crate::state::AppState;

/// How long a browser or a proxy may keep a photo: a day. Its URL changes with the photo
/// (`?v=`), so a new photo shows at once; a withdrawn one is gone from caches within the day.
const PHOTO_CACHE: &str = "public, max-age=86400";

/// The media types an upload may declare; what it is comes from its bytes.
const ACCEPTED: [&str; 4] = ["image/jpeg", "image/png", "image/webp", "application/octet-stream"];

/// At most this many photos are decoded at once, so that uploads cannot take all the memory
/// (each decode may use up to `domain::photo::MAX_ALLOC`).
static DECODING: Semaphore = Semaphore::const_new(2);

/// A photo file (JPEG, PNG or WebP).
#[derive(Debug, ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)] // Documents the body.
pub struct PhotoFile(Vec<u8>);

/// A mentor's photo as stored: a JPEG of at most 600 px on the long side, without metadata.
#[derive(Debug, Serialize, ToSchema)]
pub struct PhotoDto {
    /// The appointment.
    pub appointment_id: Uuid,
    /// Where the public directory serves it (while the profile is published).
    #[schema(example = "/api/v1/public/mentors/0193a1b2-0000-7000-8000-000000000001/photo?v=9f86d081884c7d65")]
    pub url: String,
    /// Always `image/jpeg`: every upload is re-encoded.
    pub media_type: String,
    /// Width in pixels (at most 600).
    #[schema(minimum = 1, maximum = 600)]
    pub width: u32,
    /// Height in pixels (at most 600).
    #[schema(minimum = 1, maximum = 600)]
    pub height: u32,
    /// Size of the stored JPEG in bytes.
    pub byte_size: u32,
    /// The SHA-256 of the stored JPEG, in hex.
    pub sha256: String,
    /// The format uploaded: `jpeg`, `png` or `webp`.
    pub source_format: String,
    /// Version: 1 for the first photo, one more for each replacement.
    pub version: i32,
    /// When it was uploaded.
    pub updated_at: DateTime<Utc>,
}

impl From<PhotoInfo> for PhotoDto {
    fn from(p: PhotoInfo) -> Self {
        Self {
            appointment_id: p.appointment_id,
            url: photo_url(p.appointment_id, p.sha256.get(..16).unwrap_or(&p.sha256)),
            media_type: photo::MEDIA_TYPE.to_owned(),
            width: p.width,
            height: p.height,
            byte_size: p.byte_size,
            sha256: p.sha256,
            source_format: p.source_format,
            version: p.version,
            updated_at: p.updated_at,
        }
    }
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Persistence(persistence::Error::Internal(format!("decoding a photo: {e}")))
}

/// Upload a mentor's photo for the directory (公示).
///
/// By the mentor, the admin of the college or the university, while the appointment serves
/// (otherwise 409 `invalid_transition`); others get 404 (or 403 when they may see the appointment
/// but not edit its profile). The body is the image itself: JPEG, PNG or WebP, at most 5 MiB and
/// 4096×4096 px, sent as `application/octet-stream` (or `image/jpeg`, `image/png`, `image/webp`;
/// another type is 415). What it is comes from its bytes, not the file name or `Content-Type`:
/// anything else is 422 `unsupported_image` on `photo`, a damaged or cut-short image
/// `unreadable_image`, a larger picture `image_too_large` (read from the header, before
/// decoding), a larger body 413. It is stored re-encoded as a JPEG of at most 600 px on the long
/// side, with all metadata (EXIF, GPS) dropped, replacing any earlier photo. The public directory
/// shows it while the profile is published; the end of the appointment deletes it.
#[utoipa::path(
    operation_id = "put_mentor_photo",
    tag = "appointments",
    params(("id" = Uuid, Path, description = "Appointment id")),
    // One media type in the document, so that generated clients send the file as it is; the
    // server also takes `image/jpeg`, `image/png` and `image/webp` (what curl users say).
    request_body(
        description = "The image file, as it is (at most 5 MiB). Sent as `application/octet-stream`, or as `image/jpeg`, `image/png` or `image/webp`: the bytes decide what it is.",
        content((PhotoFile = "application/octet-stream"))
    ),
    responses(
        (status = 200, description = "Stored", body = PhotoDto, headers(("ETag" = String))),
        UploadErrors
    )
)]
#[put("/appointments/{id}/photo")]
pub async fn put_photo(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let essence = req.mime_type().ok().flatten().map(|m| m.essence_str().to_ascii_lowercase()).unwrap_or_default();
    if !ACCEPTED.contains(&essence.as_str()) {
        return Err(ApiError::UnsupportedMediaType(format!(
            "send the image as the body with Content-Type {}",
            ACCEPTED.join(", ")
        )));
    }
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > photo::MAX_BYTES as u64) {
        return Err(ApiError::PayloadTooLarge { limit: photo::MAX_BYTES });
    }
    // Nobody who may not store a photo here makes the server read or decode one.
    photos::may_put(&state.db, &auth.principal, *id).await?;
    let bytes = read_body(payload.into_inner(), photo::MAX_BYTES).await?;
    let permit = DECODING.acquire().await.map_err(internal)?;
    let processed = web::block(move || photo::process(&bytes)).await.map_err(internal)?;
    drop(permit);
    let info = photos::put(&state.db, &auth.principal, *id, processed?).await?;
    let version = info.version;
    Ok(ok_tagged(&PhotoDto::from(info), version))
}

/// Remove a mentor's photo.
///
/// By the same people as the upload; 404 when there is none. The directory shows the mentor
/// without a photo.
#[utoipa::path(
    operation_id = "delete_mentor_photo",
    tag = "appointments",
    params(("id" = Uuid, Path, description = "Appointment id")),
    responses((status = 204, description = "Removed"), ReadErrors)
)]
#[delete("/appointments/{id}/photo")]
pub async fn delete_photo(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    photos::delete(&state.db, &auth.principal, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A mentor's photo, published or not.
///
/// For the mentor and those who may edit their profile (the college's admins, the university's):
/// what the profile preview's `photo_url` points to, before the profile is published. The JPEG
/// with a strong `ETag` and `Cache-Control: private, no-cache`; `304` on a matching
/// `If-None-Match`. `404` when there is no photo or the appointment is not visible.
#[utoipa::path(
    operation_id = "get_mentor_photo",
    tag = "appointments",
    params(("id" = Uuid, Path, description = "Appointment id"),
        ("v" = Option<String>, Query, description = "The photo's version, as in `photo_url`: only makes the URL change with the photo"),
        ("If-None-Match" = Option<String>, Header, description = "An ETag read before")),
    responses(
        (status = 200, description = "The photo", content_type = "image/jpeg", body = PhotoFile,
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Unchanged since the `ETag` in `If-None-Match`", headers(("ETag" = String))),
        ReadErrors
    )
)]
#[get("/appointments/{id}/photo")]
pub async fn private_photo(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let p = persistence::directory::private_photo(&state.db, &auth.principal, *id).await?;
    Ok(respond::cached_bytes(&req, p.jpeg, photo::MEDIA_TYPE, "private, no-cache"))
}

/// A listed mentor's photo.
///
/// No token. The JPEG, with a strong `ETag` (a digest of its bytes) and `Cache-Control: public,
/// max-age=86400`; `304` on a matching `If-None-Match`. `404` when the mentor is not listed (no
/// published profile, or the appointment ended) or has no photo. The directory's `photo_url`
/// points here with `v`, which changes with the photo.
#[utoipa::path(
    operation_id = "get_public_mentor_photo",
    tag = "directory",
    security(()),
    params(("id" = Uuid, Path, description = "The mentor's id in the directory (the appointment)"),
        ("v" = Option<String>, Query, description = "The photo's version, as in `photo_url`: only makes the URL change with the photo"),
        ("If-None-Match" = Option<String>, Header, description = "An ETag read before")),
    responses(
        (status = 200, description = "The photo", content_type = "image/jpeg", body = PhotoFile,
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Unchanged since the `ETag` in `If-None-Match`", headers(("ETag" = String))),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound)
    )
)]
#[get("/public/mentors/{id}/photo")]
pub async fn public_photo(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    serve_public_photo(&req, &state, *id).await
}

/// The photo with its cache headers, for `GET` and `HEAD`.
async fn serve_public_photo(req: &HttpRequest, state: &AppState, id: Uuid) -> Result<HttpResponse, ApiError> {
    let p = persistence::directory::photo(&state.db, id).await?;
    Ok(respond::cached_bytes(req, p.jpeg, photo::MEDIA_TYPE, PHOTO_CACHE))
}

/// The headers of a listed mentor's photo, without the photo.
///
/// No token. What `GET` answers — status, `ETag`, `Cache-Control`, `Content-Type`,
/// `Content-Length` — without the body, so a page or a proxy can check whether its copy is current
/// (`304` on a matching `If-None-Match`). `404` when the mentor is not listed or has no photo.
#[utoipa::path(
    operation_id = "head_public_mentor_photo",
    tag = "directory",
    security(()),
    params(("id" = Uuid, Path, description = "The mentor's id in the directory (the appointment)"),
        ("v" = Option<String>, Query, description = "The photo's version, as in `photo_url`: only makes the URL change with the photo"),
        ("If-None-Match" = Option<String>, Header, description = "An ETag read before")),
    responses(
        (status = 200, description = "The photo's headers, no body",
            headers(("ETag" = String), ("Cache-Control" = String), ("Content-Length" = u64))),
        (status = 304, description = "Unchanged since the `ETag` in `If-None-Match`", headers(("ETag" = String))),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound)
    )
)]
#[head("/public/mentors/{id}/photo")]
pub async fn head_public_photo(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    // The same response as `GET`: the server sends the headers of a `HEAD` answer, never its body.
    serve_public_photo(&req, &state, *id).await
}
