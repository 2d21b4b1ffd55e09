//! Delegated admin rights (`admin.*` keys), decided the two ways the server decides them
//! (permissions.md §4). Neither style ever counts the *stored* default permissions: only
//! groups delegate.
//!
//! Seed 001 differs from the server here: it says `access` on user management lets an operator
//! "view the user list" and `read` "view detail". In code the users router needs `read` for
//! any user read (the list included), while `access` — any value but `none` — opens the whole
//! groups router, from which an operator can raise her own group to `write`.

use super::merge::{Base, GrantLabel, GroupGrant, effective_permissions};
use super::{Level, PermissionTree};
use crate::Role;

/// An admin-panel area that can be delegated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminArea {
    /// `admin.users`: users, roles, groups.
    Users,
    /// `admin.evaluations`.
    Evaluations,
    /// `admin.functions`.
    Functions,
    /// `admin.settings`.
    Settings,
    /// `admin.monitoring`: audit logs, usage statistics.
    Monitoring,
}

impl AdminArea {
    /// The key under `admin`.
    pub fn key(self) -> &'static str {
        match self {
            AdminArea::Users => "users",
            AdminArea::Evaluations => "evaluations",
            AdminArea::Functions => "functions",
            AdminArea::Settings => "settings",
            AdminArea::Monitoring => "monitoring",
        }
    }
}

/// How an endpoint checks the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Merge groups over the *built-in* defaults, then compare the level (users router,
    /// audit logs, usage statistics).
    AtLeast(Level),
    /// Any group whose value is a string other than `"none"`, or `true` (groups router): so
    /// `access` is enough for all of group management.
    AnyNonNone,
}

/// Server endpoints and the gate each applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminCapability {
    /// Read users (list, OUs, usage-limit overrides).
    UsersRead,
    /// Change roles, edit and delete users.
    UsersWrite,
    /// Every group endpoint, group usage limits included.
    GroupsManage,
    /// Audit logs and usage statistics.
    MonitoringRead,
    /// Read configuration.
    SettingsRead,
    /// Change configuration.
    SettingsWrite,
}

impl AdminCapability {
    /// Every capability, in the order a detail view lists them.
    pub const ALL: [AdminCapability; 6] = [
        AdminCapability::UsersRead,
        AdminCapability::UsersWrite,
        AdminCapability::GroupsManage,
        AdminCapability::MonitoringRead,
        AdminCapability::SettingsRead,
        AdminCapability::SettingsWrite,
    ];

    /// A stable snake_case name (`users_read`, …) for IPC and JSON.
    pub fn name(self) -> &'static str {
        match self {
            AdminCapability::UsersRead => "users_read",
            AdminCapability::UsersWrite => "users_write",
            AdminCapability::GroupsManage => "groups_manage",
            AdminCapability::MonitoringRead => "monitoring_read",
            AdminCapability::SettingsRead => "settings_read",
            AdminCapability::SettingsWrite => "settings_write",
        }
    }

    /// The area and gate the server uses for this capability.
    pub fn gate(self) -> (AdminArea, Gate) {
        match self {
            AdminCapability::UsersRead => (AdminArea::Users, Gate::AtLeast(Level::Read)),
            AdminCapability::UsersWrite => (AdminArea::Users, Gate::AtLeast(Level::Write)),
            AdminCapability::GroupsManage => (AdminArea::Users, Gate::AnyNonNone),
            AdminCapability::MonitoringRead => (AdminArea::Monitoring, Gate::AtLeast(Level::Read)),
            AdminCapability::SettingsRead => (AdminArea::Settings, Gate::AtLeast(Level::Read)),
            AdminCapability::SettingsWrite => (AdminArea::Settings, Gate::AtLeast(Level::Write)),
        }
    }
}

/// Whether a delegated check passes, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delegation {
    /// The server lets the caller through.
    pub allowed: bool,
    /// One line.
    pub reason: String,
}

/// Decides a capability for a user with `role` and these groups (direct and OU-linked).
pub fn delegated(
    capability: AdminCapability,
    role: &Role,
    builtin: &PermissionTree,
    grants: &[GroupGrant<'_>],
) -> Delegation {
    if role.is_admin() {
        return Delegation {
            allowed: true,
            reason: "admin role".into(),
        };
    }
    // Every delegated endpoint first requires a verified user (auth.md §2).
    if !role.is_verified() {
        return Delegation {
            allowed: false,
            reason: format!(
                "the role {role} is not verified: every delegated endpoint refuses it, whatever her groups give"
            ),
        };
    }
    let (area, gate) = capability.gate();
    let path = format!("admin.{}", area.key());
    match gate {
        Gate::AtLeast(min) => {
            let effective = effective_permissions(Base::BuiltIn, builtin, grants);
            let level = effective.value(&path).map_or(Level::None, |v| v.as_level());
            let why = effective
                .explain(&path)
                .unwrap_or_else(|| format!("{path} is not set"));
            Delegation {
                allowed: level >= min,
                reason: format!("needs {path} ≥ {min} from a group; {why}"),
            }
        }
        Gate::AnyNonNone => {
            let granting = grants
                .iter()
                .find(|g| g.permissions.leaf(&path).is_some_and(|v| v.grants_any()));
            match granting {
                Some(g) => Delegation {
                    allowed: true,
                    reason: format!(
                        "{} gives {path} = {} (any value but none is enough here)",
                        GrantLabel(g),
                        g.permissions
                            .leaf(&path)
                            .map(ToString::to_string)
                            .unwrap_or_default()
                    ),
                },
                None => Delegation {
                    allowed: false,
                    reason: format!(
                        "no group gives {path} a value other than none; default permissions never delegate"
                    ),
                },
            }
        }
    }
}
