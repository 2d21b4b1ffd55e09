//! Admin rules the console enforces everywhere: role changes, Super Admin, inquiry statuses.
//!
//! The server protects "own role" and "first user" only on its role endpoint (users.md §3);
//! its general update endpoint lets another admin change the first user's role without audit.
//! The console applies the rules on every path.

use crate::{Role, RoleError};
use std::fmt;

/// Why a role change is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleChangeRefusal {
    /// Nobody changes their own role.
    OwnRole,
    /// The first user's (oldest account's) role is fixed.
    FirstUser,
    /// Not admin, user or pending.
    UnknownRole(RoleError),
}

impl fmt::Display for RoleChangeRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RoleChangeRefusal::OwnRole => f.write_str("you cannot change your own role"),
            RoleChangeRefusal::FirstUser => f.write_str(
                "the first user's role cannot be changed (the deployment's original admin)",
            ),
            RoleChangeRefusal::UnknownRole(e) => e.fmt(f),
        }
    }
}

/// Checks a role change, in the server's order (own role, then first user), plus the role
/// check the server lacks. Returns the role to send.
pub fn check_role_change(
    actor_id: &str,
    target_id: &str,
    first_user_id: Option<&str>,
    new_role: &str,
) -> Result<Role, RoleChangeRefusal> {
    if actor_id == target_id {
        return Err(RoleChangeRefusal::OwnRole);
    }
    if first_user_id == Some(target_id) {
        return Err(RoleChangeRefusal::FirstUser);
    }
    Role::parse_assignable(new_role).map_err(RoleChangeRefusal::UnknownRole)
}

/// The first user: the oldest `created_at`. On equal times the first one listed is taken (the
/// server's `ORDER BY created_at LIMIT 1` does not say which).
pub fn first_user<'a>(users: impl IntoIterator<Item = (&'a str, i64)>) -> Option<&'a str> {
    users
        .into_iter()
        .fold(
            None,
            |best: Option<(&str, i64)>, (id, created)| match best {
                Some((_, t)) if t <= created => best,
                _ => Some((id, created)),
            },
        )
        .map(|(id, _)| id)
}

/// The Super Admin designation (`ADMIN_EMAIL`) against the current directory. It is only an
/// e-mail: it is not cleared when that user is demoted or deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SuperAdminState {
    /// Never set: the "contact admin" falls back to the first user.
    Unset,
    /// Points to an admin.
    Admin {
        /// The user.
        user_id: String,
        /// Her e-mail.
        email: String,
    },
    /// Points to a user who is no longer an admin.
    NotAdmin {
        /// The user.
        user_id: String,
        /// Her e-mail.
        email: String,
        /// Her role now.
        role: Role,
    },
    /// Points to an e-mail no user has any more.
    Missing {
        /// The stored e-mail.
        email: String,
    },
}

/// Resolves the stored Super Admin e-mail against `(id, email, role)` of every user.
pub fn super_admin_state<'a>(
    admin_email: Option<&str>,
    users: impl IntoIterator<Item = (&'a str, &'a str, &'a Role)>,
) -> SuperAdminState {
    let Some(email) = admin_email.map(str::trim).filter(|e| !e.is_empty()) else {
        return SuperAdminState::Unset;
    };
    let wanted = email.to_lowercase();
    match users
        .into_iter()
        .find(|(_, e, _)| e.to_lowercase() == wanted)
    {
        Some((id, e, role)) if role.is_admin() => SuperAdminState::Admin {
            user_id: id.to_owned(),
            email: e.to_owned(),
        },
        Some((id, e, role)) => SuperAdminState::NotAdmin {
            user_id: id.to_owned(),
            email: e.to_owned(),
            role: role.clone(),
        },
        None => SuperAdminState::Missing {
            email: email.to_owned(),
        },
    }
}

/// A Super Admin candidate who is not an admin (the server says `User must have admin role`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAnAdmin {
    /// Her role.
    pub role: Role,
}

impl fmt::Display for NotAnAdmin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "only an admin can be Super Admin; this user is {}",
            self.role
        )
    }
}

/// Only an admin can be designated.
pub fn check_super_admin_candidate(role: &Role) -> Result<(), NotAnAdmin> {
    if role.is_admin() {
        Ok(())
    } else {
        Err(NotAnAdmin { role: role.clone() })
    }
}

/// An inquiry's status. The server stores any string; these four are the ones the UI uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InquiryStatus {
    /// New.
    Open,
    /// Being worked on.
    InProgress,
    /// Answered by an admin; waiting for the owner to close.
    Resolved,
    /// Closed by its owner.
    Closed,
    /// Anything else an admin once stored.
    Other(String),
}

impl InquiryStatus {
    /// Reads the stored string.
    pub fn from_server(s: &str) -> Self {
        match s {
            "open" => InquiryStatus::Open,
            "in_progress" => InquiryStatus::InProgress,
            "resolved" => InquiryStatus::Resolved,
            "closed" => InquiryStatus::Closed,
            other => InquiryStatus::Other(other.to_owned()),
        }
    }

    /// The wire string.
    pub fn as_str(&self) -> &str {
        match self {
            InquiryStatus::Open => "open",
            InquiryStatus::InProgress => "in_progress",
            InquiryStatus::Resolved => "resolved",
            InquiryStatus::Closed => "closed",
            InquiryStatus::Other(s) => s,
        }
    }
}

/// Who moves an inquiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InquiryActor {
    /// An admin (`POST /inquiries/{id}`).
    Admin,
    /// The author (`POST /inquiries/{id}/close`).
    Owner,
}

/// Why an inquiry cannot move to a status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InquiryRefusal {
    /// Not one of open, in_progress, resolved, closed.
    UnknownStatus(String),
    /// Admins never close: they resolve, and the author closes.
    AdminCloses,
    /// Authors may only close.
    OwnerOnlyCloses,
}

impl fmt::Display for InquiryRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InquiryRefusal::UnknownStatus(s) => write!(
                f,
                "{s:?} is not an inquiry status (open, in_progress, resolved, closed)"
            ),
            InquiryRefusal::AdminCloses => f.write_str(
                "admins do not close inquiries: set it resolved, and its author closes it after reading the answer",
            ),
            InquiryRefusal::OwnerOnlyCloses => f.write_str("an author can only close an inquiry"),
        }
    }
}

/// May `actor` move an inquiry from `from` to `to`? Mirrors the product's policy (inquiries.md):
/// admins move tickets between open, in progress and resolved (re-opening a closed one too) but
/// never close them; owners only close, and cannot re-open. Unknown statuses are never set.
pub fn check_inquiry_transition(
    actor: InquiryActor,
    from: &InquiryStatus,
    to: &InquiryStatus,
) -> Result<(), InquiryRefusal> {
    use InquiryStatus::*;
    if let Other(s) = to {
        return Err(InquiryRefusal::UnknownStatus(s.clone()));
    }
    if from == to {
        return Ok(());
    }
    match (actor, to) {
        (InquiryActor::Admin, Closed) => Err(InquiryRefusal::AdminCloses),
        (InquiryActor::Admin, _) => Ok(()),
        (InquiryActor::Owner, Closed) => Ok(()),
        (InquiryActor::Owner, _) => Err(InquiryRefusal::OwnerOnlyCloses),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_changes_follow_the_server_order_plus_role_validation() {
        assert_eq!(
            check_role_change("a", "a", Some("f"), "user"),
            Err(RoleChangeRefusal::OwnRole)
        );
        assert_eq!(
            check_role_change("a", "f", Some("f"), "user"),
            Err(RoleChangeRefusal::FirstUser)
        );
        assert_eq!(
            check_role_change("f", "f", Some("f"), "user"),
            Err(RoleChangeRefusal::OwnRole),
            "own role first"
        );
        assert!(matches!(
            check_role_change("a", "b", Some("f"), "superuser"),
            Err(RoleChangeRefusal::UnknownRole(_))
        ));
        assert_eq!(
            check_role_change("a", "b", Some("f"), "Pending"),
            Ok(Role::Pending)
        );
        assert_eq!(check_role_change("a", "b", None, "admin"), Ok(Role::Admin));
    }

    #[test]
    fn the_first_user_is_the_oldest_and_ties_take_the_first_listed() {
        assert_eq!(first_user([("b", 20), ("a", 10), ("c", 10)]), Some("a"));
        assert_eq!(first_user(std::iter::empty()), None);
    }

    #[test]
    fn super_admin_states() {
        let (admin, user) = (Role::Admin, Role::User);
        let users = [("1", "root@x.com", &admin), ("2", "demoted@x.com", &user)];
        assert_eq!(super_admin_state(None, users), SuperAdminState::Unset);
        assert_eq!(super_admin_state(Some(" "), users), SuperAdminState::Unset);
        assert_eq!(
            super_admin_state(Some("ROOT@x.com"), users),
            SuperAdminState::Admin {
                user_id: "1".into(),
                email: "root@x.com".into()
            }
        );
        assert_eq!(
            super_admin_state(Some("demoted@x.com"), users),
            SuperAdminState::NotAdmin {
                user_id: "2".into(),
                email: "demoted@x.com".into(),
                role: Role::User
            }
        );
        assert_eq!(
            super_admin_state(Some("gone@x.com"), users),
            SuperAdminState::Missing {
                email: "gone@x.com".into()
            }
        );
        assert!(check_super_admin_candidate(&Role::Admin).is_ok());
        assert!(check_super_admin_candidate(&Role::Pending).is_err());
    }

    #[test]
    fn inquiry_transitions() {
        use InquiryActor::*;
        use InquiryStatus::*;
        assert!(check_inquiry_transition(Admin, &Open, &InProgress).is_ok());
        assert!(check_inquiry_transition(Admin, &InProgress, &Resolved).is_ok());
        assert!(
            check_inquiry_transition(Admin, &Resolved, &Open).is_ok(),
            "re-open"
        );
        assert!(
            check_inquiry_transition(Admin, &Closed, &Open).is_ok(),
            "admins may re-open a closed one"
        );
        assert!(
            check_inquiry_transition(Admin, &Resolved, &Closed).is_err(),
            "admins do not close"
        );
        assert!(check_inquiry_transition(Owner, &Resolved, &Closed).is_ok());
        assert!(check_inquiry_transition(Owner, &Open, &Closed).is_ok());
        assert!(
            check_inquiry_transition(Owner, &Closed, &Open).is_err(),
            "owners cannot re-open"
        );
        assert!(check_inquiry_transition(Admin, &Open, &Other("waiting".into())).is_err());
        assert_eq!(InquiryStatus::from_server("in_progress"), InProgress);
        assert_eq!(InquiryStatus::from_server("weird").as_str(), "weird");
    }
}
