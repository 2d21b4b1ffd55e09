//! Groups: the list, one group in full, and the changes (`change`): create, edit, delete,
//! members, OU links, permissions and limits. The permission catalogue and unit search are in
//! `catalogue`, the default permissions in `defaults`.

mod catalogue;
mod change;
pub mod defaults;

pub use catalogue::{PermissionKeyView, PermissionSection, UnitChoice, permission_catalogue};
pub use defaults::{DefaultsChange, DefaultsView};

use crate::error::ConsoleResult;
use crate::users::NamedRef;
use crate::{Groups, Target};
use cloo_api::{Group, PerModel};
use cloo_domain::permissions::{
    PermissionTree, check_group_permissions, grants_user_administration,
};
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

/// A line of the groups list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct GroupSummary {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Direct members.
    #[ts(type = "number")]
    pub members: usize,
    /// Linked units.
    #[ts(type = "number")]
    pub linked_units: usize,
    /// Any `admin.users` but none: effectively full user administration.
    pub grants_user_administration: bool,
    /// Epoch seconds.
    #[ts(type = "number")]
    pub updated_at: i64,
}

/// A member of a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct MemberRef {
    /// User id.
    pub id: String,
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Role.
    pub role: String,
}

/// One group in full.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct GroupView {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Direct members (ids the directory does not know are left out).
    pub members: Vec<MemberRef>,
    /// Units linked through `meta.org_unit_ids` (their members and everyone below them get the
    /// group's permissions, but not its limits).
    pub linked_units: Vec<NamedRef>,
    /// The stored permission object.
    #[ts(type = "Record<string, unknown> | null")]
    pub permissions: Option<Value>,
    /// Per-model limits (direct members only).
    #[ts(type = "Record<string, number>")]
    pub limits: PerModel,
    /// Things an admin should know before relying on this group.
    pub warnings: Vec<String>,
    /// Epoch seconds.
    #[ts(type = "number")]
    pub updated_at: i64,
}

/// What a change did besides the change.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct GroupChange {
    /// The group afterwards.
    pub group: GroupView,
    /// Conversions and warnings.
    pub notes: Vec<String>,
}

pub(crate) const USER_ADMIN_WARNING: &str = "admin.users other than none lets members manage every group — and so give themselves admin.users = write: full user administration (groups.md §4)";

/// The view of a group against a snapshot.
pub(crate) fn group_view(snapshot: &crate::Snapshot, group: &Group) -> GroupView {
    let members = group
        .user_ids
        .iter()
        .filter_map(|id| snapshot.directory.users().iter().find(|u| &u.id == id))
        .map(|u| MemberRef {
            id: u.id.clone(),
            name: u.name.clone(),
            email: u.email.clone(),
            role: u.role.to_string(),
        })
        .collect();
    let linked_units = group
        .org_unit_ids()
        .into_iter()
        .map(|id| {
            let name = snapshot
                .units
                .iter()
                .find(|u| u.id == id)
                .map(|u| {
                    u.display_name
                        .clone()
                        .filter(|d| !d.is_empty())
                        .unwrap_or_else(|| u.name.clone())
                })
                .unwrap_or_else(|| format!("{id} (no such unit)"));
            NamedRef { id, name }
        })
        .collect();
    let tree = PermissionTree::from_json(group.permissions.as_ref().unwrap_or(&Value::Null));
    let mut warnings = Vec::new();
    if grants_user_administration(&tree) {
        warnings.push(USER_ADMIN_WARNING.to_owned());
    }
    if let Err(errors) = check_group_permissions(&tree) {
        warnings.extend(
            errors
                .iter()
                .map(|e| format!("stored value no rule can use: {e}")),
        );
    }
    GroupView {
        id: group.id.clone(),
        name: group.name.clone(),
        description: group.description.clone(),
        members,
        linked_units,
        permissions: group.permissions.clone(),
        limits: group.limits(),
        warnings,
        updated_at: group.updated_at,
    }
}

impl Groups<'_> {
    /// Every group.
    pub async fn list(&self, target: &Target) -> ConsoleResult<Vec<GroupSummary>> {
        let snapshot = self.c.snapshot(target, false).await?;
        Ok(snapshot
            .groups
            .iter()
            .map(|g| GroupSummary {
                id: g.id.clone(),
                name: g.name.clone(),
                description: g.description.clone(),
                members: g.user_ids.len(),
                linked_units: g.org_unit_ids().len(),
                grants_user_administration: grants_user_administration(&PermissionTree::from_json(
                    g.permissions.as_ref().unwrap_or(&Value::Null),
                )),
                updated_at: g.updated_at,
            })
            .collect())
    }

    /// One group, by id or unique name.
    pub async fn get(&self, target: &Target, which: &str) -> ConsoleResult<GroupView> {
        let snapshot = self.c.snapshot(target, false).await?;
        let group = snapshot.find_group(which)?;
        Ok(group_view(&snapshot, group))
    }
}
