//! User accounts, service clients, passwords and the login throttle.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::{Role, ServiceScope};
use crate::error::{Error, FieldError, Result};

/// A user account as the rest of the system sees it (never with its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Id.
    pub id: Uuid,
    /// Login name, lower case.
    pub username: String,
    /// Name shown in the UI.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// College of a college-scoped role (and of students and staff, where known).
    pub college_id: Option<Uuid>,
    /// Linked student record.
    pub student_id: Option<Uuid>,
    /// Linked staff record.
    pub staff_id: Option<Uuid>,
    /// Whether the account may log in.
    pub active: bool,
    /// Optimistic-concurrency version.
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// A machine client of the API (the student-affairs system).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceClient {
    /// Id.
    pub id: Uuid,
    /// The public `client_id` used with `client_credentials`.
    pub client_id: String,
    /// What it is.
    pub name: String,
    /// The scopes it may request.
    pub scopes: Vec<ServiceScope>,
    /// Whether it may obtain tokens.
    pub active: bool,
    /// Optimistic-concurrency version.
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// Parses a login name: 3–64 of lower-case letters, digits, `.`, `_`, `-`, `@`; stored lower case.
pub fn parse_username(field: &str, raw: &str) -> Result<String, FieldError> {
    let s = raw.trim().to_ascii_lowercase();
    let ok = (3..=64).contains(&s.len())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok {
        Ok(s)
    } else {
        Err(FieldError::new(
            field,
            "invalid_format",
            format!("{field} must be 3–64 of letters, digits, '.', '_', '-', '@'"),
        ))
    }
}

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The longest password accepted (bounds hashing work).
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Checks a new password: 10–128 characters, not the login name, not one repeated character.
pub fn check_password(field: &str, password: &str, username: &str) -> Result<(), FieldError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(FieldError::new(
            field,
            "too_short",
            format!("{field} must be at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(FieldError::new(
            field,
            "too_long",
            format!("{field} must be at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    if password.eq_ignore_ascii_case(username) || password.to_ascii_lowercase().contains(&username.to_ascii_lowercase())
    {
        return Err(FieldError::new(field, "too_weak", format!("{field} must not contain the login name")));
    }
    let mut it = password.chars();
    let first = it.next();
    if it.all(|c| Some(c) == first) {
        return Err(FieldError::new(field, "too_weak", format!("{field} must not be one repeated character")));
    }
    Ok(())
}

/// Checks that a role comes with the links it needs: a college for college-scoped roles.
pub fn check_role_links(role: Role, college_id: Option<Uuid>) -> Result<(), FieldError> {
    if role.is_college_scoped() && college_id.is_none() {
        return Err(FieldError::new("college_id", "required", format!("a {role} must belong to a college")));
    }
    Ok(())
}

/// The login throttle of one login name: consecutive failures and the lock they led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Throttle {
    /// Consecutive failures since the last success or lock.
    pub failures: i32,
    /// Locked until this instant.
    pub locked_until: Option<DateTime<Utc>>,
}

/// Consecutive failures that lock a login name.
pub const MAX_LOGIN_FAILURES: i32 = 5;

/// How long a lock lasts.
pub fn lock_duration() -> Duration {
    Duration::minutes(15)
}

impl Throttle {
    /// `TooManyAttempts` while locked; the password is not even checked then.
    pub fn check(&self, now: DateTime<Utc>) -> Result<()> {
        match self.locked_until {
            Some(until) if until > now => {
                let secs = (until - now).num_seconds().max(1);
                Err(Error::TooManyAttempts { retry_after_secs: u64::try_from(secs).unwrap_or(1) })
            }
            _ => Ok(()),
        }
    }

    /// The state after one more failure: the fifth in a row locks the name and starts the count again.
    pub fn after_failure(&self, now: DateTime<Utc>) -> Throttle {
        let failures = self.failures + 1;
        if failures >= MAX_LOGIN_FAILURES {
            Throttle { failures: 0, locked_until: Some(now + lock_duration()) }
        } else {
            Throttle { failures, locked_until: self.locked_until }
        }
    }
}

/// How long an access token lives.
pub fn access_token_ttl() -> Duration {
    Duration::minutes(15)
}

/// How long a refresh token (and the login session it belongs to) lives.
pub fn refresh_token_ttl() -> Duration {
    Duration::days(14)
}

/// A command to create a user account; every field already parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// Login name (lower case).
    pub username: String,
    /// Name shown in the UI.
    pub display_name: String,
    /// The initial password (checked by [`check_password`]).
    pub password: String,
    /// Role.
    pub role: Role,
    /// College; required for college-scoped roles, derived from the linked record otherwise.
    pub college_id: Option<Uuid>,
    /// Linked student record (for students).
    pub student_id: Option<Uuid>,
    /// Linked staff record (for supervisors and counselors).
    pub staff_id: Option<Uuid>,
}

/// A command to change a user account; `None` leaves a field as it is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserChanges {
    /// New display name.
    pub display_name: Option<String>,
    /// New role.
    pub role: Option<Role>,
    /// New college (`Some(None)` clears it).
    pub college_id: Option<Option<Uuid>>,
    /// New active flag.
    pub active: Option<bool>,
    /// New password (an admin reset).
    pub password: Option<String>,
}

impl UserChanges {
    /// Whether the change touches privileges (role, college, active), which no one may change on
    /// their own account.
    pub fn changes_privileges(&self) -> bool {
        self.role.is_some() || self.college_id.is_some() || self.active.is_some()
    }
}

/// A command to create a service client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewServiceClient {
    /// The public client id.
    pub client_id: String,
    /// What it is.
    pub name: String,
    /// The scopes it may request.
    pub scopes: Vec<ServiceScope>,
}

/// A command to change a service client; `None` leaves a field as it is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceClientChanges {
    /// New name.
    pub name: Option<String>,
    /// New scopes.
    pub scopes: Option<Vec<ServiceScope>>,
    /// New active flag.
    pub active: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_must_be_long_and_not_trivial() {
        assert!(check_password("password", "长江黄河泰山峨眉青城", "zhangsan").is_ok());
        assert!(check_password("password", "correct horse", "zhangsan").is_ok());
        assert_eq!(check_password("password", "short", "zhangsan").unwrap_err().code, "too_short");
        assert_eq!(check_password("password", "aaaaaaaaaaaa", "zhangsan").unwrap_err().code, "too_weak");
        assert_eq!(check_password("password", "zhangsan2025!", "zhangsan").unwrap_err().code, "too_weak");
        assert_eq!(check_password("password", &"ab".repeat(65), "zhangsan").unwrap_err().code, "too_long");
    }

    #[test]
    fn usernames_are_lower_cased_and_checked() {
        assert_eq!(parse_username("username", " ZhangSan ").unwrap(), "zhangsan");
        assert!(parse_username("username", "张三").is_err());
        assert!(parse_username("username", "ab").is_err());
    }

    #[test]
    fn the_fifth_failure_locks_for_a_while() {
        let now = Utc::now();
        let mut t = Throttle::default();
        for _ in 0..MAX_LOGIN_FAILURES - 1 {
            t = t.after_failure(now);
            assert!(t.check(now).is_ok());
        }
        t = t.after_failure(now);
        let Err(Error::TooManyAttempts { retry_after_secs }) = t.check(now) else {
            panic!("expected a lock");
        };
        assert_eq!(retry_after_secs, 15 * 60);
        assert!(t.check(now + lock_duration() + Duration::seconds(1)).is_ok());
        assert_eq!(t.failures, 0);
    }

    #[test]
    fn college_scoped_roles_need_a_college() {
        assert!(check_role_links(Role::CollegeAdmin, None).is_err());
        assert!(check_role_links(Role::Counselor, Some(Uuid::now_v7())).is_ok());
        assert!(check_role_links(Role::UniversityAdmin, None).is_ok());
    }
}
