//! `POST /auth/token` (RFC 6749: password, refresh_token, client_credentials; JSON or form),
//! `POST /auth/revoke` (RFC 7009), `GET /me`, `POST /me/password`.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use domain::auth::{Principal, ServiceScope, format_scopes};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::auth::Auth;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, is_json, parse_json, read_body};
use crate::openapi::{BadRequest, Unauthorized, Unprocessable, UnsupportedMediaType};
use crate::state::AppState;

/// The longest value of a token or revocation parameter, in characters (refresh tokens and client
/// secrets are 43, passwords at most 128); longer is 400 `invalid_request`.
const MAX_PARAMETER_CHARS: usize = 512;
/// The longest token a revocation request names, in characters (an access token is a JWT of a
/// few hundred).
const MAX_TOKEN_CHARS: usize = 2048;

/// The largest token or revocation request accepted: room for every parameter at its longest,
/// each character percent-encoded (up to 12 bytes).
const FORM_LIMIT: usize = 64 * 1024;

/// Who is calling: a person's account or a service client.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallerKind {
    /// A user account.
    User,
    /// A service client (client_credentials grant).
    ServiceClient,
}

/// The grant types of the token endpoint.
#[derive(Debug, Clone, Copy, ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum GrantType {
    /// A person's login name and password (RFC 6749 §4.3).
    Password,
    /// A refresh token (RFC 6749 §6).
    RefreshToken,
    /// A service client's id and secret (RFC 6749 §4.4).
    ClientCredentials,
}

/// A token request (RFC 6749 §4.3, §4.4, §6), as `application/x-www-form-urlencoded` (the server
/// also reads the same members as JSON).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(example = json!({"grant_type": "password", "username": "admin", "password": "correct horse battery"}))]
pub struct TokenRequest {
    /// `password`, `refresh_token` or `client_credentials`; another value is 400
    /// `unsupported_grant_type`.
    #[schema(value_type = GrantType)]
    pub grant_type: Option<String>,
    /// Login name (password grant).
    #[schema(max_length = 512)]
    pub username: Option<String>,
    /// Password (password grant).
    #[schema(max_length = 512)]
    pub password: Option<String>,
    /// The refresh token to exchange (refresh_token grant). It is rotated: use the new one next time.
    #[schema(max_length = 512)]
    pub refresh_token: Option<String>,
    /// Client id (client_credentials grant), unless sent with HTTP Basic.
    #[schema(max_length = 512)]
    pub client_id: Option<String>,
    /// Client secret (client_credentials grant), unless sent with HTTP Basic.
    #[schema(max_length = 512)]
    pub client_secret: Option<String>,
    /// Space-separated scopes (client_credentials grant); default all the client may have.
    #[schema(max_length = 512)]
    pub scope: Option<String>,
}

/// A successful token response (RFC 6749 §5.1).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// The access token (a JWT), sent as `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// A refresh token (password and refresh_token grants); single use, rotated on every exchange.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// The granted scopes (client_credentials grant).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

fn oauth(status: StatusCode, error: &'static str, detail: impl Into<String>) -> ApiError {
    ApiError::OAuth { status, error, code: error, detail: detail.into(), retry_after: None }
}

/// Maps a failure of a grant to its RFC 6749 error.
fn grant_error(e: persistence::Error, rejected: &'static str) -> ApiError {
    use domain::Error as D;
    match e {
        persistence::Error::Domain(D::Unauthenticated(detail)) if rejected == "invalid_client" => {
            oauth(StatusCode::UNAUTHORIZED, rejected, detail)
        }
        persistence::Error::Domain(D::Unauthenticated(detail)) => oauth(StatusCode::BAD_REQUEST, rejected, detail),
        persistence::Error::Domain(D::TooManyAttempts { retry_after_secs }) => ApiError::OAuth {
            status: StatusCode::TOO_MANY_REQUESTS,
            error: "temporarily_unavailable",
            code: "too_many_attempts",
            detail: format!("too many failed logins; retry after {retry_after_secs} s"),
            retry_after: Some(retry_after_secs),
        },
        persistence::Error::Domain(D::Forbidden(detail)) => oauth(StatusCode::BAD_REQUEST, "invalid_scope", detail),
        persistence::Error::Domain(D::Validation(errors)) => oauth(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            errors.into_iter().map(|e| e.message).collect::<Vec<_>>().join("; "),
        ),
        other => ApiError::Persistence(other),
    }
}

/// Counts a refused grant in the metrics: bad credentials as a failure, a locked name as a
/// lockout refusal.
fn count_failure(req: &HttpRequest, grant: &str, e: ApiError) -> ApiError {
    if let (Some(m), ApiError::OAuth { code, .. }) = (req.app_data::<web::Data<crate::metrics::Metrics>>(), &e) {
        match *code {
            "too_many_attempts" => m.login_refused_locked(),
            "invalid_grant" | "invalid_client" => m.login_failed(grant),
            _ => {}
        }
    }
    e
}

/// The parameters the token and revocation endpoints read (RFC 6749, RFC 7009).
const OAUTH_PARAMETERS: &[&str] = &[
    "grant_type",
    "username",
    "password",
    "refresh_token",
    "client_id",
    "client_secret",
    "scope",
    "token",
    "token_type_hint",
];

/// Reads an OAuth request body: JSON or a form.
async fn read_form<T: for<'de> Deserialize<'de>>(req: &HttpRequest, payload: web::Payload) -> Result<T, ApiError> {
    let body = read_body(payload.into_inner(), FORM_LIMIT).await?;
    let form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
    if is_json(req) {
        if let Ok(serde_json::Value::Object(members)) = serde_json::from_slice::<serde_json::Value>(&body) {
            check_parameters(members.iter().filter_map(|(name, value)| Some((name.as_str(), value.as_str()?))))?;
        }
        parse_json(&body).map_err(|e| match e {
            ApiError::Persistence(persistence::Error::Domain(domain::Error::Validation(errors))) => {
                invalid_fields(errors)
            }
            e => oauth(StatusCode::BAD_REQUEST, "invalid_request", e.to_string()),
        })
    } else if form {
        // The text rule first, on every parameter read as sent (before any is looked up in the
        // database). Other parameters are ignored whatever they hold, as RFC 6749 §3.2 asks.
        if let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) {
            check_parameters(pairs.iter().map(|(name, value)| (name.as_str(), value.as_str())))?;
        }
        serde_urlencoded::from_bytes(&body)
            .map_err(|e| oauth(StatusCode::BAD_REQUEST, "invalid_request", e.to_string()))
    } else {
        Err(ApiError::UnsupportedMediaType("send application/x-www-form-urlencoded or application/json".into()))
    }
}

/// The text rule and the length limit on every OAuth parameter of a request, read as sent (before
/// any is looked up in the database); other parameters are ignored whatever they hold, as RFC 6749
/// §3.2 asks.
fn check_parameters<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Result<(), ApiError> {
    let errors: Vec<domain::FieldError> = pairs
        .filter(|(name, _)| OAUTH_PARAMETERS.contains(name))
        .filter_map(|(name, value)| {
            let max = if name == "token" { MAX_TOKEN_CHARS } else { MAX_PARAMETER_CHARS };
            if value.chars().count() > max {
                return Some(domain::FieldError::new(name, "too_long", format!("at most {max} characters")));
            }
            domain::text::check_field(name, value).err()
        })
        .collect();
    if errors.is_empty() { Ok(()) } else { Err(invalid_fields(errors)) }
}

/// RFC 6749's `invalid_request`, naming every bad field in `detail`.
fn invalid_fields(errors: Vec<domain::FieldError>) -> ApiError {
    oauth(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        errors.into_iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "),
    )
}

/// Client credentials from `Authorization: Basic` (RFC 6749 §2.3.1), if sent.
fn basic_credentials(req: &HttpRequest) -> Option<(String, String)> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

fn token_response(body: &TokenResponse) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(body)
}

fn required(value: Option<String>, name: &str) -> Result<String, ApiError> {
    value
        .filter(|v| !v.is_empty())
        .ok_or_else(|| oauth(StatusCode::BAD_REQUEST, "invalid_request", format!("{name} is required")))
}

/// Obtain an access token.
///
/// Grants: `password` (a person; returns a refresh token), `refresh_token` (rotates the refresh
/// token; re-using an old one revokes the whole login session), `client_credentials` (a service
/// client, credentials in the body or HTTP Basic). After 5 failed logins in a row a login name is
/// locked for 15 minutes (429 with `Retry-After`). Errors carry RFC 6749's `error` member.
#[utoipa::path(
    operation_id = "issue_token",
    tag = "auth",
    security(()),
    request_body(
        description = "An RFC 6749 token request, as a form. (The same members as a JSON object are read too.)",
        content((TokenRequest = "application/x-www-form-urlencoded"))
    ),
    responses(
        (status = 200, description = "Tokens issued", body = TokenResponse),
        (status = 400, description = "RFC 6749 §5.2 error `invalid_request`, `invalid_grant`, `invalid_scope` or `unsupported_grant_type` (also the problem's `code`). `application/json` as RFC 6749 asks; the body is a problem document with `error` and `error_description` added.", body = Problem, content_type = "application/json", headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, description = "`invalid_client` (RFC 6749 §5.2), as for 400.", body = Problem, content_type = "application/json", headers(("Cache-Control" = String, description = "`no-store`"), ("WWW-Authenticate" = String, description = "`Basic realm=\"xuezhang\"`"))),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 429, description = "Too many failed logins (`too_many_attempts`, `error`: `temporarily_unavailable`), as for 400.", body = Problem, content_type = "application/json", headers(("Cache-Control" = String, description = "`no-store`"), ("Retry-After" = i64, description = "Seconds until the login name may try again.")))
    )
)]
#[post("/auth/token")]
pub async fn issue_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let form: TokenRequest = read_form(&req, payload).await?;
    let db = &state.db;
    match form.grant_type.as_deref() {
        Some("password") => {
            let username = required(form.username, "username")?;
            let password = required(form.password, "password")?;
            let user = persistence::accounts::login(db, &username, password)
                .await
                .map_err(|e| count_failure(&req, "password", grant_error(e, "invalid_grant")))?;
            let session = persistence::accounts::start_session(db, user.id).await?;
            let access = state.tokens.issue_user(user.id, session.session_id)?;
            Ok(token_response(&TokenResponse {
                access_token: access.token,
                token_type: "Bearer".into(),
                expires_in: access.expires_in,
                refresh_token: Some(session.refresh_token),
                scope: None,
            }))
        }
        Some("refresh_token") => {
            let refresh = required(form.refresh_token, "refresh_token")?;
            let (user, session) = persistence::accounts::rotate_refresh_token(db, &refresh)
                .await
                .map_err(|e| count_failure(&req, "refresh_token", grant_error(e, "invalid_grant")))?;
            let access = state.tokens.issue_user(user.id, session.session_id)?;
            Ok(token_response(&TokenResponse {
                access_token: access.token,
                token_type: "Bearer".into(),
                expires_in: access.expires_in,
                refresh_token: Some(session.refresh_token),
                scope: None,
            }))
        }
        Some("client_credentials") => {
            let (id, secret) = match basic_credentials(&req) {
                Some(c) => c,
                None => (required(form.client_id, "client_id")?, required(form.client_secret, "client_secret")?),
            };
            // HTTP Basic credentials are base64: the text rule applies to what they decode to.
            for (name, value) in [("client_id", &id), ("client_secret", &secret)] {
                domain::text::check_field(name, value).map_err(|e| invalid_fields(vec![e]))?;
            }
            let (client, scopes) = persistence::accounts::authenticate_client(db, &id, secret, form.scope.as_deref())
                .await
                .map_err(|e| count_failure(&req, "client_credentials", grant_error(e, "invalid_client")))?;
            let access = state.tokens.issue_client(client.id, &scopes)?;
            Ok(token_response(&TokenResponse {
                access_token: access.token,
                token_type: "Bearer".into(),
                expires_in: access.expires_in,
                refresh_token: None,
                scope: Some(format_scopes(&scopes)),
            }))
        }
        Some(other) => Err(oauth(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            format!("grant_type `{other}` is not supported; use password, refresh_token or client_credentials"),
        )),
        None => Err(oauth(StatusCode::BAD_REQUEST, "invalid_request", "grant_type is required")),
    }
}

/// A revocation request (RFC 7009).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RevokeRequest {
    /// A refresh token or an access token. Either ends the login session it belongs to. Without
    /// it (or with it empty) the answer is 400 `invalid_request`.
    #[schema(value_type = String, min_length = 1, max_length = 2048, required = true)]
    pub token: Option<String>,
    /// `refresh_token` or `access_token` (optional; another value is ignored, as RFC 7009 asks).
    #[schema(max_length = 512)]
    pub token_type_hint: Option<String>,
}

/// Revoke a token (log out).
///
/// Ends the login session of the given refresh or access token: every token of that session stops
/// working at once. Unknown or already revoked tokens are accepted silently, as RFC 7009 asks.
#[utoipa::path(
    operation_id = "revoke_token",
    tag = "auth",
    security(()),
    request_body(
        description = "An RFC 7009 revocation request, as a form. (The same members as a JSON object are read too.)",
        content((RevokeRequest = "application/x-www-form-urlencoded"))
    ),
    responses(
        (status = 200, description = "Revoked (or nothing to revoke)"),
        (status = 400, description = "`invalid_request`: no token (RFC 7009 §2.2.1: RFC 6749's error format, `application/json`)", body = Problem, content_type = "application/json", headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType)
    )
)]
#[post("/auth/revoke")]
pub async fn revoke_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let form: RevokeRequest = read_form(&req, payload).await?;
    let token = required(form.token, "token")?;
    if let Ok(claims) = state.tokens.verify(&token) {
        if let Some(sid) = claims.sid {
            persistence::accounts::revoke_session(&state.db, sid).await?;
        }
    } else {
        persistence::accounts::revoke_refresh_token(&state.db, &token).await?;
    }
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).finish())
}

/// The caller: a user account or a service client.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    /// `user` or `service_client`.
    pub kind: CallerKind,
    /// The user or service-client id.
    pub id: Uuid,
    /// Login name (users).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Display name (users) or client name.
    pub display_name: String,
    /// Role (users).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<domain::auth::Role>,
    /// College of the account, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub college_id: Option<Uuid>,
    /// Linked student record, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub student_id: Option<Uuid>,
    /// Linked staff record, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staff_id: Option<Uuid>,
    /// Scopes of this token (service clients).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<ServiceScope>>,
    /// The active appointments of a student account: while there is one, the account acts as a
    /// mentor for that term.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mentor_appointments: Vec<MentorTerm>,
}

/// An active appointment of the caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct MentorTerm {
    /// The appointment.
    pub appointment_id: Uuid,
    /// Its academic year.
    pub academic_year_id: Uuid,
    /// Its unit.
    pub unit_id: Uuid,
}

/// Who am I?
///
/// The caller of the token: a user (with role, college and linked student or staff record, and the
/// appointments they serve) or a service client (with its scopes). `kind` says which.
#[utoipa::path(
    operation_id = "get_me",
    tag = "auth",
    responses(
        (status = 200, description = "The caller", body = MeResponse),
        (status = 401, response = Unauthorized)
    )
)]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    let body = match &auth.principal {
        Principal::User(u) => {
            let user = persistence::accounts::me(&state.db, u.id).await?;
            let terms = match user.student_id {
                Some(s) => persistence::selection::appointments::active_of_student(&state.db, s).await?,
                None => Vec::new(),
            };
            MeResponse {
                kind: CallerKind::User,
                id: user.id,
                username: Some(user.username),
                display_name: user.display_name,
                role: Some(user.role),
                college_id: user.college_id,
                student_id: user.student_id,
                staff_id: user.staff_id,
                scopes: None,
                mentor_appointments: terms
                    .into_iter()
                    .map(|a| MentorTerm {
                        appointment_id: a.id,
                        academic_year_id: a.academic_year_id,
                        unit_id: a.unit_id,
                    })
                    .collect(),
            }
        }
        Principal::Client(c) => {
            let client = persistence::accounts::get_client_unchecked(&state.db, c.id).await?;
            MeResponse {
                kind: CallerKind::ServiceClient,
                id: client.id,
                username: None,
                display_name: client.name,
                role: None,
                college_id: None,
                student_id: None,
                staff_id: None,
                scopes: Some(c.scopes.clone()),
                mentor_appointments: Vec::new(),
            }
        }
    };
    Ok(HttpResponse::Ok().json(body))
}

/// A change of one's own password.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    /// The current password.
    #[validate(length(min = 1, max = 128), custom(function = "crate::api::v1::common::not_blank"))]
    #[schema(min_length = 1, max_length = 128)]
    pub current_password: String,
    /// The new password: 10–128 characters, not containing the login name.
    #[validate(length(min = 1, max = 128), custom(function = "crate::api::v1::common::not_blank"))]
    #[schema(min_length = 10, max_length = 128)]
    pub new_password: String,
}

/// Change my password.
///
/// Ends every other login session of the account. Wrong current passwords count towards the same
/// lock as failed logins (429 after five in a row).
#[utoipa::path(
    operation_id = "change_my_password",
    tag = "auth",
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Changed"),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
        (status = 429, response = crate::openapi::TooManyRequests)
    )
)]
#[post("/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let Principal::User(u) = &auth.principal else {
        return Err(domain::Error::Forbidden("service clients have no password".into()).into());
    };
    let body = body.into_inner();
    persistence::accounts::change_own_password(
        &state.db,
        u.id,
        auth.session_id,
        body.current_password,
        body.new_password,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
