//! `/service-clients`: machine clients of the API (the student-affairs system), for university admins.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use domain::accounts::{NewServiceClient, ServiceClient, ServiceClientChanges};
use domain::auth::ServiceScope;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::common::PageParams;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json};
use crate::openapi::{CreateErrors, ListErrors, PreconditionFailed, ReadErrors, Unprocessable, UnsupportedMediaType};
use crate::respond::{self, PageOf, created, ok_tagged};
use crate::state::AppState;

/// A service client (without its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceClientDto {
    /// Id.
    pub id: Uuid,
    /// The `client_id` for the `client_credentials` grant.
    pub client_id: String,
    /// What it is.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// The scopes it may request.
    pub scopes: Vec<ServiceScope>,
    /// Whether it may obtain tokens.
    pub active: bool,
    /// Version (the `ETag`).
    pub version: i32,
    /// Created.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Last changed.
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<ServiceClient> for ServiceClientDto {
    fn from(c: ServiceClient) -> Self {
        Self {
            id: c.id,
            client_id: c.client_id,
            name: c.name,
            scopes: c.scopes,
            active: c.active,
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// A service client with its secret, returned only when it is created or its secret rotated.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceClientWithSecret {
    /// The client.
    #[serde(flatten)]
    pub client: ServiceClientDto,
    /// The secret: shown only now, stored hashed.
    pub client_secret: String,
}

/// A new service client.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateServiceClientRequest {
    /// The `client_id`: 3–64 of letters, digits, `.`, `_`, `-`.
    #[validate(custom(function = "valid_client_id"))]
    #[schema(min_length = 3, max_length = 64, pattern = "^[A-Za-z0-9._-]{3,64}$")]
    pub client_id: String,
    /// What it is, e.g. `学工系统`.
    #[validate(length(min = 1, max = 100), custom(function = "crate::api::v1::common::not_blank"))]
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// The scopes it may request (at least one).
    #[validate(length(min = 1))]
    #[schema(min_items = 1)]
    pub scopes: Vec<ServiceScope>,
}

/// Changes to a service client.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateServiceClientRequest {
    /// New name.
    #[validate(length(min = 1, max = 100), custom(function = "crate::api::v1::common::not_blank"))]
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
    /// New scopes (tokens already issued lose scopes that are removed).
    #[validate(length(min = 1))]
    #[schema(min_items = 1)]
    pub scopes: Option<Vec<ServiceScope>>,
    /// Enable or disable (disabling stops its tokens at once).
    pub active: Option<bool>,
}

fn valid_client_id(raw: &str) -> Result<(), validator::ValidationError> {
    let ok =
        (3..=64).contains(&raw.len()) && raw.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(validator::ValidationError::new("invalid_format")
            .with_message("client_id must be 3–64 of letters, digits, '.', '_', '-'".into()))
    }
}

fn dedup(mut scopes: Vec<ServiceScope>) -> Vec<ServiceScope> {
    scopes.sort();
    scopes.dedup();
    scopes
}

/// Create a service client.
///
/// The response carries the client secret; it is shown only this once (`Cache-Control:
/// no-store`, and it is never replayed for an `Idempotency-Key`: a retry is a new request).
#[utoipa::path(
    operation_id = "create_service_client",
    tag = "accounts",
    request_body = CreateServiceClientRequest,
    responses(
        (status = 201, description = "Created", body = ServiceClientWithSecret, headers(("Location" = String), ("ETag" = String))),
        CreateErrors
    )
)]
#[post("/service-clients")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<CreateServiceClientRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let cmd =
        NewServiceClient { client_id: body.client_id, name: body.name.trim().to_owned(), scopes: dedup(body.scopes) };
    let (c, secret) = persistence::accounts::create_client(&state.db, &auth.principal, cmd).await?;
    let version = c.version;
    let body = ServiceClientWithSecret { client: c.into(), client_secret: secret };
    let mut res = created(format!("/api/v1/service-clients/{}", body.client.id), &body, version);
    // The secret is shown once: no cache and no idempotent replay keeps it.
    res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    Ok(res)
}

/// List service clients.
///
/// Sort keys: `client_id` (default), `created_at`.
#[utoipa::path(
    operation_id = "list_service_clients",
    tag = "accounts",
    params(PageParams),
    responses(
        (status = 200, description = "One page of service clients", body = PageOf<ServiceClientDto>),
        ListErrors
    )
)]
#[get("/service-clients")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let p =
        persistence::accounts::list_clients(&state.db, &auth.principal, page.request()?, page.sort.as_deref()).await?;
    Ok(respond::page(&req, PageOf::from_page(p, ServiceClientDto::from)))
}

/// Get a service client (university admins).
///
/// Never with its secret.
#[utoipa::path(
    operation_id = "get_service_client",
    tag = "accounts",
    params(("id" = Uuid, Path, description = "Service client id")),
    responses(
        (status = 200, description = "The client", body = ServiceClientDto, headers(("ETag" = String))),
        ReadErrors
    )
)]
#[get("/service-clients/{id}")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let c = persistence::accounts::get_client(&state.db, &auth.principal, id.into_inner()).await?;
    Ok(ok_tagged(&ServiceClientDto::from(c.clone()), c.version))
}

/// Change a service client (university admins).
///
/// Its name, scopes or whether it is active. Tokens already issued lose removed scopes at once;
/// disabling stops them all. Send the `ETag` last read as `If-Match` to change only that version
/// (412 `precondition_failed` otherwise, with the current version).
#[utoipa::path(
    operation_id = "update_service_client",
    tag = "accounts",
    params(("id" = Uuid, Path, description = "Service client id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = UpdateServiceClientRequest,
    responses(
        (status = 200, description = "Changed", body = ServiceClientDto, headers(("ETag" = String))),
        ReadErrors,
        (status = 412, response = PreconditionFailed),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable)
    )
)]
#[patch("/service-clients/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateServiceClientRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let changes = ServiceClientChanges {
        name: body.name.map(|n| n.trim().to_owned()),
        scopes: body.scopes.map(dedup),
        active: body.active,
    };
    let c =
        persistence::accounts::update_client(&state.db, &auth.principal, id.into_inner(), changes, if_match.0).await?;
    Ok(ok_tagged(&ServiceClientDto::from(c.clone()), c.version))
}

/// Rotate a service client's secret.
///
/// The old secret stops working at once; the new one is shown only in this response.
#[utoipa::path(
    operation_id = "rotate_service_client_secret",
    tag = "accounts",
    params(("id" = Uuid, Path, description = "Service client id")),
    responses(
        (status = 200, description = "Rotated", body = ServiceClientWithSecret),
        ReadErrors
    )
)]
#[post("/service-clients/{id}/secret")]
pub async fn rotate_secret(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (c, secret) = persistence::accounts::rotate_client_secret(&state.db, &auth.principal, id.into_inner()).await?;
    let version = c.version;
    let mut res = ok_tagged(&ServiceClientWithSecret { client: c.into(), client_secret: secret }, version);
    res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    Ok(res)
}
