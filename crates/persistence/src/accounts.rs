//! Accounts: users, passwords, login sessions with rotating refresh tokens, the login throttle,
//! service clients, and the secrets the server keeps in its own database.

use domain::AuditAction;
use std::sync::OnceLock;

use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use domain::accounts::{
    NewServiceClient, NewUser, ServiceClient, ServiceClientChanges, Throttle, User, UserChanges, refresh_token_ttl,
};
use domain::auth::{Actor, ClientPrincipal, Principal, Role, ServiceScope, UserPrincipal, format_scopes, parse_scopes};
use domain::page::{CursorPage, ListRequest, Page, PageRequest, Sort, parse_sort};
use domain::policy::{self, Visibility};
use rand::RngCore;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, JoinType, PaginatorTrait, QueryFilter, QuerySelect,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::entities::{app_secret, login_throttle, refresh_token, service_client, session, staff, student, user};
use crate::query::{
    Keyset, check_version, constraint, filter_eq, find, find_for_update, keyset_page, not_found, page, search,
};
use crate::{Db, Error, Result, audit};

// ---------------------------------------------------------------------------------------------
// Passwords and secrets

/// argon2id with OWASP's minimum: 19 MiB, 2 passes, 1 lane.
fn argon2() -> Result<Argon2<'static>> {
    let params = Params::new(19 * 1024, 2, 1, None).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Runs argon2 work off the async threads (it takes tens of milliseconds by design), then hands
/// its 19 MiB block, freed by then, back to the system rather than keep it on an idle pool thread.
async fn off_thread<T: Send + 'static>(work: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(move || {
        let out = work();
        crate::memory::release();
        out
    })
    .await
    .map_err(|e| Error::Internal(e.to_string()))?
}

/// Hashes a password off the async threads.
pub async fn hash_password(password: String) -> Result<String> {
    off_thread(move || {
        let hash = argon2()?.hash_password(password.as_bytes()).map_err(|e| Error::Internal(e.to_string()))?;
        Ok(hash.to_string())
    })
    .await
}

/// A hash of a random password, verified against when the account does not exist, so that an
/// unknown name and a wrong password cost the same time.
fn dummy_hash() -> Result<String> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(h) = DUMMY.get() {
        return Ok(h.clone());
    }
    let hash = argon2()?.hash_password(random_token().as_bytes()).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(DUMMY.get_or_init(|| hash.to_string()).clone())
}

/// Computes the dummy hash now, so the first login of an unknown name is not slower than the rest.
pub async fn warm_up() -> Result<()> {
    off_thread(dummy_hash).await.map(|_| ())
}

/// Verifies `password` against `hash` (or against the dummy hash when `hash` is `None`) off the
/// async threads. A stored hash that cannot be parsed counts as a mismatch.
async fn verify_password(hash: Option<String>, password: String) -> Result<bool> {
    off_thread(move || {
        let known = hash.is_some();
        let hash = match hash {
            Some(h) => h,
            None => dummy_hash()?,
        };
        let Ok(parsed) = PasswordHash::new(&hash) else { return Ok(false) };
        let ok = argon2()?.verify_password(password.as_bytes(), &parsed).is_ok();
        Ok(ok && known)
    })
    .await
}

/// 32 random bytes, base64url: for refresh tokens, client secrets and generated passwords.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 hex of a high-entropy token: how refresh tokens are stored.
fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The value of the server secret `name`, created with `make` the first time it is asked for.
pub async fn secret(db: &Db, name: &str, make: impl FnOnce() -> String) -> Result<String> {
    if let Some(s) = app_secret::Entity::find_by_id(name.to_owned()).one(db.reader()).await? {
        return Ok(s.value);
    }
    let tx = db.begin().await?;
    app_secret::Entity::insert(app_secret::ActiveModel { name: Set(name.to_owned()), value: Set(make()) })
        .on_conflict(OnConflict::column(app_secret::Column::Name).do_nothing().to_owned())
        .exec_without_returning(&tx)
        .await?;
    let value = app_secret::Entity::find_by_id(name.to_owned()).one(&tx).await?.ok_or_else(|| not_found("secret"))?;
    tx.commit().await?;
    Ok(value.value)
}

// ---------------------------------------------------------------------------------------------
// Users

fn to_user(m: user::Model) -> User {
    User {
        id: m.id,
        username: m.username,
        display_name: m.display_name,
        role: m.role.into(),
        college_id: m.college_id,
        student_id: m.student_id,
        staff_id: m.staff_id,
        active: m.active,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

fn invalid_credentials() -> Error {
    domain::Error::Unauthenticated("the login name or password is wrong".into()).into()
}

/// Resolves the college of a new account from its links: a student's or staff member's college
/// wins over what was given, and must agree with it when both are given.
async fn resolve_links<C: ConnectionTrait>(conn: &C, new: &NewUser) -> Result<Option<Uuid>> {
    let mut college = new.college_id;
    let mut linked = |field: &str, college_of_link: Uuid| -> Result<()> {
        match college {
            Some(c) if c != college_of_link => Err(domain::Error::invalid(
                field,
                "invalid_reference",
                format!("{field} belongs to another college than college_id"),
            )
            .into()),
            _ => {
                college = Some(college_of_link);
                Ok(())
            }
        }
    };
    if let Some(id) = new.student_id {
        let s = student::Entity::find_by_id(id)
            .one(conn)
            .await?
            .ok_or_else(|| Error::from(domain::Error::invalid("student_id", "invalid_reference", "no such student")))?;
        linked("student_id", s.college_id)?;
    }
    if let Some(id) = new.staff_id {
        let s = staff::Entity::find_by_id(id).one(conn).await?.ok_or_else(|| {
            Error::from(domain::Error::invalid("staff_id", "invalid_reference", "no such staff member"))
        })?;
        linked("staff_id", s.college_id)?;
    }
    Ok(college)
}

/// Creates a user account on behalf of `actor`.
pub async fn create_user(db: &Db, who: &Principal, new: NewUser) -> Result<User> {
    let hash = hash_password(new.password.clone()).await?;
    let tx = db.begin().await?;
    let college_id = resolve_links(&tx, &new).await?;
    policy::grant_role(who, new.role, college_id)?;
    domain::accounts::check_role_links(new.role, college_id).map_err(|e| domain::Error::Validation(vec![e]))?;
    if new.role == Role::Student && new.student_id.is_none() {
        return Err(
            domain::Error::invalid("student_id", "required", "a student account must link a student record").into()
        );
    }
    let now = crate::now();
    let model = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        username: Set(new.username.clone()),
        display_name: Set(new.display_name),
        password_hash: Set(hash),
        role: Set(new.role.into()),
        college_id: Set(college_id),
        student_id: Set(new.student_id),
        staff_id: Set(new.staff_id),
        active: Set(true),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let m = model.insert(&tx).await.map_err(|e| {
        constraint(
            e,
            &format!("the login name {} or the linked record is already taken", new.username),
            "no such college",
        )
    })?;
    let u = to_user(m);
    audit::record(&tx, who.actor(), AuditAction::UserCreate, "user", Some(u.id), audit::created(&u)).await?;
    tx.commit().await?;
    Ok(u)
}

/// Creates a university admin from the command line or at first start.
pub async fn create_admin(db: &Db, username: &str, password: &str) -> Result<User> {
    // The rule every login name follows (and `login` asks of a name before it looks it up).
    let username =
        &domain::accounts::parse_username("username", username).map_err(|e| domain::Error::Validation(vec![e]))?;
    let hash = hash_password(password.to_owned()).await?;
    let tx = db.begin().await?;
    let now = crate::now();
    let m = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        username: Set(username.to_owned()),
        display_name: Set("University administrator".to_owned()),
        password_hash: Set(hash),
        role: Set(Role::UniversityAdmin.into()),
        college_id: Set(None),
        student_id: Set(None),
        staff_id: Set(None),
        active: Set(true),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&tx)
    .await
    .map_err(|e| constraint(e, &format!("the login name {username} is already taken"), "-"))?;
    let u = to_user(m);
    audit::record(&tx, Actor::SYSTEM, AuditAction::UserCreate, "user", Some(u.id), audit::created(&u)).await?;
    tx.commit().await?;
    Ok(u)
}

/// At first start, when there is no user at all, creates `admin` with a random password and
/// returns the password so it can be shown once. Returns `None` when there are users already.
pub async fn bootstrap_admin(db: &Db) -> Result<Option<(String, String)>> {
    if user::Entity::find().count(db.reader()).await? > 0 {
        return Ok(None);
    }
    let password = random_token();
    match create_admin(db, "admin", &password).await {
        Ok(u) => Ok(Some((u.username, password))),
        // Another node created it at the same moment.
        Err(Error::Domain(domain::Error::Conflict { .. })) => Ok(None),
        Err(e) => Err(e),
    }
}

/// One user, if the caller may see them.
pub async fn get_user(db: &Db, who: &Principal, id: Uuid) -> Result<User> {
    let v = policy::user_visibility(who)?;
    let m = find::<user::Entity, _>(db.reader(), id, "user").await?;
    if !policy::sees_user(v, m.college_id) {
        return Err(not_found("user"));
    }
    Ok(to_user(m))
}

/// The caller's own account.
pub async fn me(db: &Db, id: Uuid) -> Result<User> {
    Ok(to_user(find::<user::Entity, _>(db.reader(), id, "user").await?))
}

/// Filters of the user list. Serialised, they are what a cursor is bound to.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct UserFilter {
    /// Only this role.
    pub role: Option<Role>,
    /// Only this college.
    pub college_id: Option<Uuid>,
    /// Only active or inactive accounts.
    pub active: Option<bool>,
    /// Substring of login or display name.
    pub q: Option<String>,
}

/// Lists the accounts the caller may see: by page or after a cursor, counted or not.
pub async fn list_users(
    db: &Db,
    who: &Principal,
    filter: UserFilter,
    req: &ListRequest,
    sort: Option<&str>,
) -> Result<CursorPage<User>> {
    let keys = Keyset {
        sorts: &[
            ("username", user::Column::Username),
            ("display_name", user::Column::DisplayName),
            ("created_at", user::Column::CreatedAt),
        ],
        tiebreak: user::Column::Id,
    };
    let mut select = user::Entity::find();
    match policy::user_visibility(who)? {
        Visibility::College(c) => select = select.filter(user::Column::CollegeId.eq(c)),
        Visibility::All => {}
        _ => return Err(not_found("user")),
    }
    select = filter_eq(select, user::Column::Role, filter.role.map(crate::enums::DbRole::from));
    select = filter_eq(select, user::Column::CollegeId, filter.college_id);
    select = filter_eq(select, user::Column::Active, filter.active);
    select = search(select, &[user::Column::Username, user::Column::DisplayName], filter.q.as_deref());
    Ok(keyset_page(db.reader(), select, req, sort, keys, &filter).await?.map(to_user))
}

/// Changes an account. No one changes their own privileges; the new role and college must be
/// grantable by the caller; deactivating ends every login session of the account.
pub async fn update_user(
    db: &Db,
    who: &Principal,
    id: Uuid,
    changes: UserChanges,
    if_match: Option<i32>,
) -> Result<User> {
    let hash = match &changes.password {
        Some(p) => Some(hash_password(p.clone()).await?),
        None => None,
    };
    let v = policy::user_visibility(who)?;
    let tx = db.begin().await?;
    let current = find_for_update::<user::Entity, _>(&tx, id, "user").await?;
    if !policy::sees_user(v, current.college_id) {
        return Err(not_found("user"));
    }
    check_version(if_match, current.version)?;
    let before = to_user(current.clone());
    policy::change_own_account(who, id, changes.changes_privileges())?;
    // The caller must be able to grant the account's role both before and after the change.
    policy::grant_role(who, before.role, before.college_id)?;
    let role = changes.role.unwrap_or(before.role);
    let college_id = changes.college_id.unwrap_or(before.college_id);
    policy::grant_role(who, role, college_id)?;
    domain::accounts::check_role_links(role, college_id).map_err(|e| domain::Error::Validation(vec![e]))?;

    let mut m: user::ActiveModel = current.into();
    if let Some(n) = changes.display_name {
        m.display_name = Set(n);
    }
    m.role = Set(role.into());
    m.college_id = Set(college_id);
    if let Some(a) = changes.active {
        m.active = Set(a);
    }
    if let Some(h) = hash {
        m.password_hash = Set(h);
    }
    m.version = Set(before.version + 1);
    m.updated_at = Set(crate::now());
    let after = to_user(m.update(&tx).await.map_err(|e| constraint(e, "duplicate", "no such college"))?);
    if !after.active || changes.password.is_some() {
        revoke_sessions_of(&tx, id).await?;
    }
    let mut change = audit::updated(&before, &after);
    if changes.password.is_some() {
        change["password_reset"] = serde_json::Value::Bool(true);
    }
    audit::record(&tx, who.actor(), AuditAction::UserUpdate, "user", Some(id), change).await?;
    tx.commit().await?;
    Ok(after)
}

/// Changes the caller's own password after checking the current one; ends the other sessions.
pub async fn change_own_password(
    db: &Db,
    user_id: Uuid,
    session_id: Option<Uuid>,
    current: String,
    new: String,
) -> Result<()> {
    let m = find::<user::Entity, _>(db.reader(), user_id, "user").await?;
    // Guessing the current password with a stolen token is throttled like logging in.
    reserve_attempt(db, &m.username).await?;
    if !verify_password(Some(m.password_hash.clone()), current).await? {
        return Err(domain::Error::invalid("current_password", "mismatch", "the current password is wrong").into());
    }
    forgive(db, &m.username).await?;
    domain::accounts::check_password("new_password", &new, &m.username)
        .map_err(|e| domain::Error::Validation(vec![e]))?;
    let hash = hash_password(new).await?;
    let tx = db.begin().await?;
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .col_expr(user::Column::Version, Expr::col(user::Column::Version).add(1))
        .col_expr(user::Column::UpdatedAt, Expr::value(crate::now()))
        .filter(user::Column::Id.eq(user_id))
        .exec(&tx)
        .await?;
    let mut revoke = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(Some(crate::now())))
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null());
    if let Some(sid) = session_id {
        revoke = revoke.filter(session::Column::Id.ne(sid));
    }
    revoke.exec(&tx).await?;
    let actor = Actor { kind: domain::auth::ActorKind::User, id: Some(user_id) };
    audit::record(&tx, actor, AuditAction::UserChangePassword, "user", Some(user_id), serde_json::json!({})).await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Logging in

/// Counts an attempt for `username` as failed before its password is checked, under the throttle
/// row's lock: parallel guesses each take a turn, and once the name is locked the rest are refused
/// without being checked. A success gives the attempt back with [`forgive`].
async fn reserve_attempt(db: &Db, username: &str) -> Result<()> {
    let tx = db.begin().await?;
    let now = crate::now();
    // A row must exist to be locked.
    login_throttle::Entity::insert(login_throttle::ActiveModel {
        username: Set(username.to_owned()),
        failures: Set(0),
        locked_until: Set(None),
        updated_at: Set(now),
    })
    .on_conflict(OnConflict::column(login_throttle::Column::Username).do_nothing().to_owned())
    .exec_without_returning(&tx)
    .await?;
    let current = login_throttle::Entity::find_by_id(username.to_owned())
        .lock_exclusive()
        .one(&tx)
        .await?
        .map(|t| Throttle { failures: t.failures, locked_until: t.locked_until })
        .unwrap_or_default();
    current.check(now)?;
    let next = current.after_failure(now);
    login_throttle::Entity::update_many()
        .col_expr(login_throttle::Column::Failures, Expr::value(next.failures))
        .col_expr(login_throttle::Column::LockedUntil, Expr::value(next.locked_until))
        .col_expr(login_throttle::Column::UpdatedAt, Expr::value(now))
        .filter(login_throttle::Column::Username.eq(username))
        .exec(&tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Clears the throttle of `username` after a right password.
async fn forgive(db: &Db, username: &str) -> Result<()> {
    login_throttle::Entity::delete_by_id(username.to_owned()).exec(db.writer()).await?;
    Ok(())
}

/// Checks a login name and password. Five failures in a row lock the name for a while; while it
/// is locked the password is not even checked; an unknown name costs the same time as a wrong
/// password and is throttled the same way.
pub async fn login(db: &Db, username: &str, password: String) -> Result<User> {
    let Ok(username) = domain::accounts::parse_username("username", username) else {
        // No account can have this name (too long for the throttle's column, too): refused at the
        // cost of a wrong password, without a throttle row.
        verify_password(None, password).await?;
        return Err(invalid_credentials());
    };
    reserve_attempt(db, &username).await?;
    let found = user::Entity::find().filter(user::Column::Username.eq(username.clone())).one(db.reader()).await?;
    let ok = verify_password(found.as_ref().map(|u| u.password_hash.clone()), password).await?;
    match found {
        Some(u) if ok && u.active => {
            forgive(db, &username).await?;
            Ok(to_user(u))
        }
        _ => Err(invalid_credentials()),
    }
}

/// A started login session: its id and the first refresh token (shown once, stored hashed).
#[derive(Debug, Clone)]
pub struct IssuedSession {
    /// The session id (carried by access tokens as `sid`).
    pub session_id: Uuid,
    /// The refresh token.
    pub refresh_token: String,
}

async fn insert_refresh_token<C: ConnectionTrait>(conn: &C, session_id: Uuid, now: DateTime<Utc>) -> Result<String> {
    let token = random_token();
    refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        session_id: Set(session_id),
        token_hash: Set(token_hash(&token)),
        created_at: Set(now),
        expires_at: Set(now + refresh_token_ttl()),
        used_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(token)
}

/// Starts a login session for `user_id`.
pub async fn start_session(db: &Db, user_id: Uuid) -> Result<IssuedSession> {
    let tx = db.begin().await?;
    let now = crate::now();
    let session_id = Uuid::now_v7();
    session::ActiveModel {
        id: Set(session_id),
        user_id: Set(user_id),
        created_at: Set(now),
        expires_at: Set(now + refresh_token_ttl()),
        revoked_at: Set(None),
    }
    .insert(&tx)
    .await?;
    let refresh_token = insert_refresh_token(&tx, session_id, now).await?;
    tx.commit().await?;
    Ok(IssuedSession { session_id, refresh_token })
}

fn invalid_refresh() -> Error {
    domain::Error::Unauthenticated("the refresh token is invalid, expired or revoked".into()).into()
}

/// Exchanges a refresh token for a new one in the same session. A token that was already used
/// means it leaked: the whole session is revoked and the exchange refused.
pub async fn rotate_refresh_token(db: &Db, token: &str) -> Result<(User, IssuedSession)> {
    let tx = db.begin().await?;
    let now = crate::now();
    let Some(rt) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(token_hash(token)))
        .lock_exclusive()
        .one(&tx)
        .await?
    else {
        return Err(invalid_refresh());
    };
    let s = find_for_update::<session::Entity, _>(&tx, rt.session_id, "session").await?;
    if rt.used_at.is_some() {
        // Re-use of a rotated token: revoke the chain, keep that decision even though we refuse.
        session::Entity::update_many()
            .col_expr(session::Column::RevokedAt, Expr::value(Some(now)))
            .filter(session::Column::Id.eq(s.id))
            .filter(session::Column::RevokedAt.is_null())
            .exec(&tx)
            .await?;
        let actor = Actor { kind: domain::auth::ActorKind::User, id: Some(s.user_id) };
        audit::record(&tx, actor, AuditAction::SessionRevokeOnReuse, "session", Some(s.id), serde_json::json!({}))
            .await?;
        tx.commit().await?;
        return Err(invalid_refresh());
    }
    if s.revoked_at.is_some() || rt.expires_at <= now || s.expires_at <= now {
        return Err(invalid_refresh());
    }
    let u = find::<user::Entity, _>(&tx, s.user_id, "user").await?;
    if !u.active {
        return Err(invalid_refresh());
    }
    let updated = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(Some(now)))
        .filter(refresh_token::Column::Id.eq(rt.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .exec(&tx)
        .await?;
    if updated.rows_affected != 1 {
        return Err(invalid_refresh());
    }
    session::Entity::update_many()
        .col_expr(session::Column::ExpiresAt, Expr::value(now + refresh_token_ttl()))
        .filter(session::Column::Id.eq(s.id))
        .exec(&tx)
        .await?;
    let refresh_token = insert_refresh_token(&tx, s.id, now).await?;
    tx.commit().await?;
    Ok((to_user(u), IssuedSession { session_id: s.id, refresh_token }))
}

/// Revokes the session a refresh token belongs to. Unknown tokens are ignored (RFC 7009).
pub async fn revoke_refresh_token(db: &Db, token: &str) -> Result<()> {
    let found = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(token_hash(token)))
        .one(db.reader())
        .await?;
    if let Some(rt) = found {
        revoke_session(db, rt.session_id).await?;
    }
    Ok(())
}

/// Revokes one login session (logout); its access tokens stop working at once.
pub async fn revoke_session(db: &Db, session_id: Uuid) -> Result<()> {
    let tx = db.begin().await?;
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(Some(crate::now())))
        .filter(session::Column::Id.eq(session_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(&tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

async fn revoke_sessions_of<C: ConnectionTrait>(conn: &C, user_id: Uuid) -> Result<()> {
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(Some(crate::now())))
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// What a user principal is made of: role, college, student and staff member.
type PrincipalRow = (crate::enums::DbRole, Option<Uuid>, Option<Uuid>, Option<Uuid>);

/// The principal behind a user access token, if the user is active and the session is live: one
/// statement joining the session to its user, so that every request pays one round trip for it.
/// Nothing is cached, so a logout, a revocation or a deactivation takes effect on the next request.
pub async fn user_principal(db: &Db, user_id: Uuid, session_id: Uuid) -> Result<Option<Principal>> {
    let found: Option<PrincipalRow> = user::Entity::find()
        .select_only()
        .column(user::Column::Role)
        .column(user::Column::CollegeId)
        .column(user::Column::StudentId)
        .column(user::Column::StaffId)
        .join_rev(
            JoinType::InnerJoin,
            session::Entity::belongs_to(user::Entity).from(session::Column::UserId).to(user::Column::Id).into(),
        )
        .filter(session::Column::Id.eq(session_id))
        .filter(user::Column::Id.eq(user_id))
        .filter(session::Column::RevokedAt.is_null())
        .filter(session::Column::ExpiresAt.gt(crate::now()))
        .filter(user::Column::Active.eq(true))
        .into_tuple()
        .one(db.reader())
        .await?;
    Ok(found.map(|(role, college_id, student_id, staff_id)| {
        Principal::User(UserPrincipal { id: user_id, role: role.into(), college_id, student_id, staff_id })
    }))
}

// ---------------------------------------------------------------------------------------------
// Service clients

fn to_client(m: service_client::Model) -> ServiceClient {
    ServiceClient {
        id: m.id,
        client_id: m.client_id,
        name: m.name,
        // Stored scopes were validated when written; an unknown one (from a newer version) is dropped.
        scopes: m.scopes.split_ascii_whitespace().filter_map(|s| s.parse().ok()).collect(),
        active: m.active,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

/// Checks client credentials; returns the client and the scopes granted for `requested`
/// (all of the client's when `None`). Unknown clients cost the same time as wrong secrets.
pub async fn authenticate_client(
    db: &Db,
    client_id: &str,
    secret: String,
    requested: Option<&str>,
) -> Result<(ServiceClient, Vec<ServiceScope>)> {
    let found =
        service_client::Entity::find().filter(service_client::Column::ClientId.eq(client_id)).one(db.reader()).await?;
    let ok = verify_password(found.as_ref().map(|c| c.secret_hash.clone()), secret).await?;
    let client = match found {
        Some(c) if ok && c.active => to_client(c),
        _ => return Err(domain::Error::Unauthenticated("the client id or secret is wrong".into()).into()),
    };
    let granted = match requested {
        None => client.scopes.clone(),
        Some(r) => {
            let wanted = parse_scopes(r).map_err(|e| domain::Error::Validation(vec![e]))?;
            if let Some(extra) = wanted.iter().find(|s| !client.scopes.contains(s)) {
                return Err(domain::Error::Forbidden(format!("this client may not request the scope {extra}")).into());
            }
            wanted
        }
    };
    Ok((client, granted))
}

/// The principal behind a client access token, if the client is still active; the token's
/// scopes are cut down to what the client may still have.
pub async fn client_principal(db: &Db, id: Uuid, token_scopes: &[ServiceScope]) -> Result<Option<Principal>> {
    let Some(c) = service_client::Entity::find_by_id(id).one(db.reader()).await? else { return Ok(None) };
    if !c.active {
        return Ok(None);
    }
    let allowed = to_client(c).scopes;
    let scopes = token_scopes.iter().copied().filter(|s| allowed.contains(s)).collect();
    Ok(Some(Principal::Client(ClientPrincipal { id, scopes })))
}

/// Creates a service client; returns it with its secret, which is shown only this once.
pub async fn create_client(db: &Db, who: &Principal, new: NewServiceClient) -> Result<(ServiceClient, String)> {
    policy::university_admin_only(who, "manage service clients")?;
    let secret = random_token();
    let hash = hash_password(secret.clone()).await?;
    let tx = db.begin().await?;
    let now = crate::now();
    let m = service_client::ActiveModel {
        id: Set(Uuid::now_v7()),
        client_id: Set(new.client_id.clone()),
        name: Set(new.name),
        secret_hash: Set(hash),
        scopes: Set(format_scopes(&new.scopes)),
        active: Set(true),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&tx)
    .await
    .map_err(|e| constraint(e, &format!("the client id {} is already taken", new.client_id), "-"))?;
    let c = to_client(m);
    audit::record(&tx, who.actor(), AuditAction::ServiceClientCreate, "service_client", Some(c.id), audit::created(&c))
        .await?;
    tx.commit().await?;
    Ok((c, secret))
}

/// One service client.
pub async fn get_client(db: &Db, who: &Principal, id: Uuid) -> Result<ServiceClient> {
    policy::university_admin_only(who, "manage service clients")?;
    Ok(to_client(find::<service_client::Entity, _>(db.reader(), id, "service_client").await?))
}

/// One service client, for itself (`/me`).
pub async fn get_client_unchecked(db: &Db, id: Uuid) -> Result<ServiceClient> {
    Ok(to_client(find::<service_client::Entity, _>(db.reader(), id, "service_client").await?))
}

/// Lists service clients.
pub async fn list_clients(
    db: &Db,
    who: &Principal,
    req: PageRequest,
    sort: Option<&str>,
) -> Result<Page<ServiceClient>> {
    policy::university_admin_only(who, "manage service clients")?;
    let sort = parse_sort(
        sort,
        &[("client_id", service_client::Column::ClientId), ("created_at", service_client::Column::CreatedAt)],
        Sort { key: service_client::Column::ClientId, descending: false },
    )
    .map_err(|e| domain::Error::Validation(vec![e]))?;
    Ok(page(db.reader(), service_client::Entity::find(), req, sort, service_client::Column::Id).await?.map(to_client))
}

/// Changes a service client's name, scopes or active flag.
pub async fn update_client(
    db: &Db,
    who: &Principal,
    id: Uuid,
    changes: ServiceClientChanges,
    if_match: Option<i32>,
) -> Result<ServiceClient> {
    policy::university_admin_only(who, "manage service clients")?;
    let tx = db.begin().await?;
    let current = find_for_update::<service_client::Entity, _>(&tx, id, "service_client").await?;
    check_version(if_match, current.version)?;
    let before = to_client(current.clone());
    let mut m: service_client::ActiveModel = current.into();
    if let Some(n) = changes.name {
        m.name = Set(n);
    }
    if let Some(s) = changes.scopes {
        m.scopes = Set(format_scopes(&s));
    }
    if let Some(a) = changes.active {
        m.active = Set(a);
    }
    m.version = Set(before.version + 1);
    m.updated_at = Set(crate::now());
    let after = to_client(m.update(&tx).await?);
    audit::record(
        &tx,
        who.actor(),
        AuditAction::ServiceClientUpdate,
        "service_client",
        Some(id),
        audit::updated(&before, &after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Replaces a service client's secret; returns the new one, shown only this once.
pub async fn rotate_client_secret(db: &Db, who: &Principal, id: Uuid) -> Result<(ServiceClient, String)> {
    policy::university_admin_only(who, "manage service clients")?;
    let secret = random_token();
    let hash = hash_password(secret.clone()).await?;
    let tx = db.begin().await?;
    let current = find_for_update::<service_client::Entity, _>(&tx, id, "service_client").await?;
    let version = current.version;
    let mut m: service_client::ActiveModel = current.into();
    m.secret_hash = Set(hash);
    m.version = Set(version + 1);
    m.updated_at = Set(crate::now());
    let after = to_client(m.update(&tx).await?);
    audit::record(
        &tx,
        who.actor(),
        AuditAction::ServiceClientRotateSecret,
        "service_client",
        Some(id),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok((after, secret))
}
