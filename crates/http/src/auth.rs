//! Access tokens (short-lived HS256 JWTs, RFC 8725 style) and the extractor that turns a bearer
//! token into the caller's [`Principal`].

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use domain::auth::{Principal, ServiceScope, format_scopes, parse_scopes};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;

/// The JWT `typ` of our access tokens (RFC 9068). Nothing else — a refresh token, an ID token, a
/// token of another system signed with the same key — can pass as one.
pub const ACCESS_TOKEN_TYP: &str = "at+jwt";

/// Seconds of clock skew tolerated when checking `exp` and `iat`.
const LEEWAY_SECS: u64 = 30;

/// What kind of subject a token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// A user; the token carries the login session in `sid`.
    User,
    /// A service client; the token carries its `scope`.
    Client,
}

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// The user or service-client id.
    pub sub: Uuid,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Expires at (seconds since the epoch).
    pub exp: i64,
    /// Token id.
    pub jti: Uuid,
    /// User or client.
    pub kind: SubjectKind,
    /// The login session of a user token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<Uuid>,
    /// The scopes of a client token, space-separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// Issues and verifies access tokens.
#[derive(Clone)]
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
}

/// A freshly issued access token.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The JWT.
    pub token: String,
    /// Seconds until it expires.
    pub expires_in: i64,
}

impl Tokens {
    /// A token service with an HMAC secret, issuer and audience.
    pub fn new(secret: &[u8], issuer: &str, audience: &str) -> Self {
        // Only HS256 is accepted: `alg: none` and every other algorithm are refused.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = LEEWAY_SECS;
        validation.validate_exp = true;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
        }
    }

    fn issue(
        &self,
        sub: Uuid,
        kind: SubjectKind,
        sid: Option<Uuid>,
        scope: Option<String>,
    ) -> Result<Issued, ApiError> {
        let now = chrono::Utc::now();
        let ttl = domain::accounts::access_token_ttl();
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub,
            iat: now.timestamp(),
            exp: (now + ttl).timestamp(),
            jti: Uuid::now_v7(),
            kind,
            sid,
            scope,
        };
        let header = Header { typ: Some(ACCESS_TOKEN_TYP.into()), ..Header::new(Algorithm::HS256) };
        let token = encode(&header, &claims, &self.encoding)
            .map_err(|e| ApiError::Persistence(persistence::Error::Internal(e.to_string())))?;
        Ok(Issued { token, expires_in: ttl.num_seconds() })
    }

    /// An access token for a user's login session.
    pub fn issue_user(&self, user_id: Uuid, session_id: Uuid) -> Result<Issued, ApiError> {
        self.issue(user_id, SubjectKind::User, Some(session_id), None)
    }

    /// An access token for a service client with `scopes`.
    pub fn issue_client(&self, client_id: Uuid, scopes: &[ServiceScope]) -> Result<Issued, ApiError> {
        self.issue(client_id, SubjectKind::Client, None, Some(format_scopes(scopes)))
    }

    /// Verifies signature, algorithm, `typ`, `iss`, `aud`, `exp` and `iat`.
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        let invalid = || ApiError::Unauthorized("the access token is invalid or expired".into());
        let data = decode::<Claims>(token, &self.decoding, &self.validation).map_err(|_| invalid())?;
        if data.header.typ.as_deref().map(str::to_ascii_lowercase).as_deref() != Some(ACCESS_TOKEN_TYP) {
            return Err(invalid());
        }
        let now = chrono::Utc::now().timestamp();
        let leeway = i64::try_from(LEEWAY_SECS).unwrap_or(0);
        if data.claims.iat > now + leeway {
            return Err(invalid());
        }
        Ok(data.claims)
    }
}

/// The bearer token of a request, if it has one.
pub fn bearer(req: &HttpRequest) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim()).filter(|t| !t.is_empty())
}

/// The authenticated caller of a request: who they are, and their login session.
#[derive(Debug, Clone)]
pub struct Auth {
    /// Who is calling.
    pub principal: Principal,
    /// The login session of a user.
    pub session_id: Option<Uuid>,
}

async fn authenticate(state: web::Data<AppState>, token: Option<String>) -> Result<Auth, ApiError> {
    let token = token.ok_or(ApiError::MissingToken)?;
    let claims = state.tokens.verify(&token)?;
    let revoked = || ApiError::Unauthorized("the access token has been revoked or its account disabled".into());
    match claims.kind {
        SubjectKind::User => {
            let sid = claims.sid.ok_or_else(revoked)?;
            let principal =
                persistence::accounts::user_principal(&state.db, claims.sub, sid).await?.ok_or_else(revoked)?;
            Ok(Auth { principal, session_id: Some(sid) })
        }
        SubjectKind::Client => {
            let scopes = parse_scopes(claims.scope.as_deref().unwrap_or("")).map_err(|_| revoked())?;
            let principal =
                persistence::accounts::client_principal(&state.db, claims.sub, &scopes).await?.ok_or_else(revoked)?;
            Ok(Auth { principal, session_id: None })
        }
    }
}

impl FromRequest for Auth {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer(req).map(str::to_owned);
        Box::pin(async move {
            let state =
                state.ok_or_else(|| ApiError::Persistence(persistence::Error::Internal("no app state".into())))?;
            authenticate(state, token).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn tokens() -> Tokens {
        Tokens::new(SECRET, "xuezhang", "xuezhang-api")
    }

    fn claims(kind: SubjectKind) -> Claims {
        let now = chrono::Utc::now().timestamp();
        Claims {
            iss: "xuezhang".into(),
            aud: "xuezhang-api".into(),
            sub: Uuid::now_v7(),
            iat: now,
            exp: now + 600,
            jti: Uuid::now_v7(),
            kind,
            sid: Some(Uuid::now_v7()),
            scope: None,
        }
    }

    fn sign(header: &Header, c: &Claims, secret: &[u8]) -> String {
        encode(header, c, &EncodingKey::from_secret(secret)).unwrap()
    }

    #[test]
    fn an_issued_token_verifies() {
        let t = tokens();
        let sid = Uuid::now_v7();
        let user = Uuid::now_v7();
        let issued = t.issue_user(user, sid).unwrap();
        let c = t.verify(&issued.token).unwrap();
        assert_eq!((c.sub, c.sid, c.kind), (user, Some(sid), SubjectKind::User));
        assert_eq!(issued.expires_in, 900);
    }

    #[test]
    fn a_token_without_the_access_typ_is_refused() {
        let at = Header { typ: Some(ACCESS_TOKEN_TYP.into()), ..Header::new(Algorithm::HS256) };
        assert!(tokens().verify(&sign(&at, &claims(SubjectKind::User), SECRET)).is_ok());
        let plain = Header::new(Algorithm::HS256); // typ "JWT"
        assert!(tokens().verify(&sign(&plain, &claims(SubjectKind::User), SECRET)).is_err());
        let refresh = Header { typ: Some("refresh+jwt".into()), ..Header::new(Algorithm::HS256) };
        assert!(tokens().verify(&sign(&refresh, &claims(SubjectKind::User), SECRET)).is_err());
    }

    #[test]
    fn wrong_key_issuer_audience_or_expiry_is_refused() {
        let at = Header { typ: Some(ACCESS_TOKEN_TYP.into()), ..Header::new(Algorithm::HS256) };
        let t = tokens();
        assert!(t.verify(&sign(&at, &claims(SubjectKind::User), b"another-secret-another-secret-xx")).is_err());
        let c = Claims { iss: "evil".into(), ..claims(SubjectKind::User) };
        assert!(t.verify(&sign(&at, &c, SECRET)).is_err());
        let c = Claims { aud: "other-api".into(), ..claims(SubjectKind::User) };
        assert!(t.verify(&sign(&at, &c, SECRET)).is_err());
        let now = chrono::Utc::now().timestamp();
        let c = Claims { exp: now - 120, iat: now - 1000, ..claims(SubjectKind::User) };
        assert!(t.verify(&sign(&at, &c, SECRET)).is_err());
        let c = Claims { iat: now + 3600, exp: now + 7200, ..claims(SubjectKind::User) };
        assert!(t.verify(&sign(&at, &c, SECRET)).is_err());
    }

    #[test]
    fn alg_none_and_other_algorithms_are_refused() {
        use base64::Engine;
        let b64 = |v: &serde_json::Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        let body = serde_json::to_value(claims(SubjectKind::User)).unwrap();
        let none = format!("{}.{}.", b64(&serde_json::json!({"alg": "none", "typ": "at+jwt"})), b64(&body));
        assert!(tokens().verify(&none).is_err());
        let hs512 = Header { typ: Some(ACCESS_TOKEN_TYP.into()), ..Header::new(Algorithm::HS512) };
        assert!(tokens().verify(&sign(&hs512, &claims(SubjectKind::User), SECRET)).is_err());
    }

    #[test]
    fn a_token_missing_required_claims_is_refused() {
        let at = Header { typ: Some(ACCESS_TOKEN_TYP.into()), ..Header::new(Algorithm::HS256) };
        let mut body = serde_json::to_value(claims(SubjectKind::User)).unwrap();
        body.as_object_mut().unwrap().remove("iat");
        let token = encode(&at, &body, &EncodingKey::from_secret(SECRET)).unwrap();
        assert!(tokens().verify(&token).is_err());
    }
}
