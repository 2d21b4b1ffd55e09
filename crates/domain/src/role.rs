//! User roles.
//!
//! The server stores any string as a role (users.md §3): only `admin`, `user` and `pending` mean
//! something, and every other string behaves like `pending`. The console reads whatever the
//! server sends ([`Role::Other`]) but refuses to write anything outside the three real roles.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A user's role as the server reports it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Full access to the admin API.
    Admin,
    /// A verified user; admin rights only through group delegation.
    User,
    /// Signed up, awaiting approval: can authenticate but not use verified endpoints.
    Pending,
    /// Any other stored string. The server treats it like `pending`.
    Other(String),
}

/// A role string the console refuses to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleError {
    /// What was given.
    pub given: String,
}

impl fmt::Display for RoleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown role {:?}: use admin, user or pending (the server would store any string, \
             and an unknown role locks the user out like pending)",
            self.given
        )
    }
}

impl std::error::Error for RoleError {}

impl Role {
    /// The roles a person may give: everything else locks the user out like `pending`.
    pub const ASSIGNABLE: [Role; 3] = [Role::Admin, Role::User, Role::Pending];

    /// Reads a role exactly as the server stored it. Never fails.
    pub fn from_server(s: &str) -> Self {
        match s {
            "admin" => Role::Admin,
            "user" => Role::User,
            "pending" => Role::Pending,
            other => Role::Other(other.to_owned()),
        }
    }

    /// Parses a role given by a person or a file; only the three real roles are accepted
    /// (case-insensitive, surrounding blanks ignored).
    pub fn parse_assignable(s: &str) -> Result<Self, RoleError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "admin" => Ok(Role::Admin),
            "user" => Ok(Role::User),
            "pending" => Ok(Role::Pending),
            _ => Err(RoleError {
                given: s.to_owned(),
            }),
        }
    }

    /// The wire string.
    pub fn as_str(&self) -> &str {
        match self {
            Role::Admin => "admin",
            Role::User => "user",
            Role::Pending => "pending",
            Role::Other(s) => s,
        }
    }

    /// May this role use "verified user" endpoints (`user` or `admin` exactly)?
    pub fn is_verified(&self) -> bool {
        matches!(self, Role::Admin | Role::User)
    }

    /// Is this the admin role?
    pub fn is_admin(&self) -> bool {
        matches!(self, Role::Admin)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Role {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Role {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Role::from_server(&s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_strings_round_trip_including_unknown_ones() {
        for s in ["admin", "user", "pending", "superuser", "Admin", ""] {
            let role = Role::from_server(s);
            assert_eq!(role.as_str(), s);
            let json = serde_json::to_string(&role).expect("serialize");
            let back: Role = serde_json::from_str(&json).expect("deserialize");
            assert_eq!(back, role);
        }
        assert_eq!(Role::from_server("Admin"), Role::Other("Admin".into()));
    }

    #[test]
    fn only_real_roles_are_assignable() {
        assert_eq!(Role::parse_assignable(" Admin "), Ok(Role::Admin));
        assert_eq!(Role::parse_assignable("PENDING"), Ok(Role::Pending));
        for bad in ["superuser", "", "user:group:1", "admins"] {
            let err = Role::parse_assignable(bad).expect_err(bad);
            assert_eq!(err.given, bad);
        }
    }

    #[test]
    fn unknown_roles_are_not_verified() {
        assert!(Role::Admin.is_verified());
        assert!(Role::User.is_verified());
        assert!(!Role::Pending.is_verified());
        assert!(!Role::from_server("superuser").is_verified());
    }
}
