//! Who is calling: accounts, roles, service clients and their scopes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::FieldError;

/// Declares a string-backed enum with its wire names, `as_str`, `ALL`, `Display` and `FromStr`,
/// so each name is written once.
#[macro_export]
macro_rules! string_enum {
    (
        $(#[doc = $doc:literal])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $wire:literal ),+ $(,)? }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $wire)] $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire name of this value.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::error::FieldError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($wire => Ok($name::$variant),)+
                    _ => Err($crate::error::FieldError::new(
                        stringify!($name),
                        "invalid_choice",
                        format!(
                            "`{}` is not one of: {}",
                            s,
                            [$($wire),+].join(", ")
                        ),
                    )),
                }
            }
        }

        // The schema is written by hand from the wire names: utoipa's derive does not see serde
        // renames that come through a macro, and would document the variant names instead.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                let doc: Vec<&str> = [$($doc),*].iter().map(|l: &&str| l.trim()).collect();
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($wire),+]))
                    .description(Some(doc.join(" ")))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    };
}

string_enum! {
    /// The role of a user account. A student with an active appointment additionally acts as a
    /// mentor for that term; that is derived from the appointment, not stored as a role.
    pub enum Role {
        /// 研究生院 / 研究生工作部: appoints, trains, dismisses, runs awards.
        UniversityAdmin = "university_admin",
        /// 学院管理员: nominates and organises, within one college.
        CollegeAdmin = "college_admin",
        /// 辅导员: receives escalations, within one college.
        Counselor = "counselor",
        /// 导师: receives escalations for their students.
        Supervisor = "supervisor",
        /// A graduate student.
        Student = "student",
    }
}

impl Role {
    /// Whether this role is tied to one college (and so needs a `college_id`).
    pub const fn is_college_scoped(self) -> bool {
        matches!(self, Role::CollegeAdmin | Role::Counselor)
    }

    /// A rank used to stop anyone granting more than they hold.
    const fn rank(self) -> u8 {
        match self {
            Role::UniversityAdmin => 4,
            Role::CollegeAdmin => 3,
            Role::Counselor | Role::Supervisor => 2,
            Role::Student => 1,
        }
    }

    /// Whether a holder of `self` outranks `other` strictly.
    pub const fn outranks(self, other: Role) -> bool {
        self.rank() > other.rank()
    }
}

string_enum! {
    /// What a service client (the student-affairs system) may do.
    pub enum ServiceScope {
        /// Read academic years, colleges and units.
        ReferenceRead = "reference:read",
        /// Read students.
        StudentsRead = "students:read",
        /// Create and change students.
        StudentsWrite = "students:write",
        /// Read staff.
        StaffRead = "staff:read",
        /// Create and change staff.
        StaffWrite = "staff:write",
        /// Run bulk imports.
        Import = "import",
        /// Read exports.
        Export = "export",
        /// Poll the integration change feed.
        EventsRead = "events:read",
        /// Read the scholarship credits of an academic year (社会工作认定).
        CreditsRead = "credits:read",
    }
}

/// Parses a space-separated OAuth2 `scope` string; unknown scopes are an error.
pub fn parse_scopes(s: &str) -> Result<Vec<ServiceScope>, FieldError> {
    let mut scopes = Vec::new();
    for part in s.split_ascii_whitespace() {
        let scope = ServiceScope::from_str(part).map_err(|e| FieldError { field: "scope".into(), ..e })?;
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    scopes.sort();
    Ok(scopes)
}

/// Renders scopes as the space-separated OAuth2 `scope` string.
pub fn format_scopes(scopes: &[ServiceScope]) -> String {
    scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ")
}

/// An authenticated user, as far as authorisation needs to know them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserPrincipal {
    /// The user id.
    pub id: Uuid,
    /// The role.
    pub role: Role,
    /// The college a college-scoped role belongs to.
    pub college_id: Option<Uuid>,
    /// The student record of a student account.
    pub student_id: Option<Uuid>,
    /// The staff record of a supervisor or counselor account.
    pub staff_id: Option<Uuid>,
}

/// An authenticated service client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientPrincipal {
    /// The service client's id.
    pub id: Uuid,
    /// What the current token grants (a subset of what the client is allowed).
    pub scopes: Vec<ServiceScope>,
}

/// The caller of a use case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// A person logged in with a password.
    User(UserPrincipal),
    /// A machine client using client credentials.
    Client(ClientPrincipal),
}

impl Principal {
    /// The role of a user principal; `None` for service clients.
    pub fn role(&self) -> Option<Role> {
        match self {
            Principal::User(u) => Some(u.role),
            Principal::Client(_) => None,
        }
    }

    /// Whether this is a university admin.
    pub fn is_university_admin(&self) -> bool {
        self.role() == Some(Role::UniversityAdmin)
    }

    /// Whether this is a service client holding `scope`.
    pub fn has_scope(&self, scope: ServiceScope) -> bool {
        matches!(self, Principal::Client(c) if c.scopes.contains(&scope))
    }

    /// The audit identity of this principal.
    pub fn actor(&self) -> Actor {
        match self {
            Principal::User(u) => Actor { kind: ActorKind::User, id: Some(u.id) },
            Principal::Client(c) => Actor { kind: ActorKind::ServiceClient, id: Some(c.id) },
        }
    }
}

string_enum! {
    /// What kind of actor wrote an audit event.
    pub enum ActorKind {
        /// A user account.
        User = "user",
        /// A service client.
        ServiceClient = "service_client",
        /// The server itself (start-up, scheduled jobs, command line).
        System = "system",
    }
}

/// Who did something, for the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The kind of actor.
    pub kind: ActorKind,
    /// The user or service-client id; `None` for the system.
    pub id: Option<Uuid>,
}

impl Actor {
    /// The server itself.
    pub const SYSTEM: Actor = Actor { kind: ActorKind::System, id: None };
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.id {
            Some(id) => write!(f, "{}:{}", self.kind, id),
            None => f.write_str(self.kind.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_wire_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(*role));
        }
        assert!("admin".parse::<Role>().is_err());
    }

    #[test]
    fn scopes_parse_deduplicate_and_sort() {
        let scopes = parse_scopes("students:read  events:read students:read").unwrap_or_default();
        assert_eq!(scopes, vec![ServiceScope::StudentsRead, ServiceScope::EventsRead]);
        assert_eq!(format_scopes(&scopes), "students:read events:read");
    }

    #[test]
    fn an_unknown_scope_is_refused() {
        let err = parse_scopes("students:read root").err();
        assert_eq!(err.map(|e| e.field), Some("scope".to_string()));
    }

    #[test]
    fn only_admin_roles_outrank_the_roles_they_manage() {
        assert!(Role::UniversityAdmin.outranks(Role::CollegeAdmin));
        assert!(Role::CollegeAdmin.outranks(Role::Counselor));
        assert!(!Role::CollegeAdmin.outranks(Role::CollegeAdmin));
        assert!(!Role::Student.outranks(Role::Student));
    }
}
