//! Groups: list, create, edit, delete, members, OU links, permissions and limits. Every update
//! starts from the group as the server has it now and sends every sub-object back, because the
//! server replaces `permissions`, `user_ids` and `meta` whole.

use crate::error::{ConsoleError, ConsoleResult};
use crate::user_admin::NamedRef;
use crate::{Console, Target};
use cloo_api::{Group, GroupUpdateForm, PerModel};
use cloo_domain::permissions::{
    PermissionTree, check_group_permissions, grants_user_administration,
};
use serde::Serialize;
use serde_json::{Value, json};
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

impl Console {
    fn group_view(&self, snapshot: &crate::Snapshot, group: &Group) -> GroupView {
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

    /// Every group.
    pub async fn groups(&self, target: &Target) -> ConsoleResult<Vec<GroupSummary>> {
        let snapshot = self.snapshot(target, false).await?;
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
    pub async fn group(&self, target: &Target, which: &str) -> ConsoleResult<GroupView> {
        let snapshot = self.snapshot(target, false).await?;
        let group = snapshot.find_group(which)?;
        Ok(self.group_view(&snapshot, group))
    }

    /// Checks a permission object for a group: the object to send, and notes.
    fn checked_permissions(permissions: &Value) -> ConsoleResult<(Value, Vec<String>)> {
        let (tree, notes) = check_group_permissions(&PermissionTree::from_json(permissions))
            .map_err(|errors| {
                ConsoleError::Invalid(
                    errors
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; "),
                )
            })?;
        Ok((
            tree.to_json(),
            notes.iter().map(ToString::to_string).collect(),
        ))
    }

    /// Creates a group.
    pub async fn create_group(
        &self,
        target: &Target,
        name: &str,
        description: &str,
        permissions: Option<&Value>,
    ) -> ConsoleResult<GroupChange> {
        self.writable(target).await?;
        let name = name.trim();
        if name.is_empty() {
            return Err(ConsoleError::Invalid("a group needs a name".into()));
        }
        let (permissions, notes) = match permissions {
            Some(p) => {
                let (p, n) = Self::checked_permissions(p)?;
                (Some(p), n)
            }
            None => (None, Vec::new()),
        };
        let session = self.session(target).await?;
        let created = session
            .call(|c, t| {
                let permissions = permissions.clone();
                async move {
                    c.create_group(&t, name, description, permissions.as_ref())
                        .await
                }
            })
            .await?;
        self.finish_group_change(target, created, notes).await
    }

    async fn finish_group_change(
        &self,
        target: &Target,
        group: Group,
        notes: Vec<String>,
    ) -> ConsoleResult<GroupChange> {
        self.patch(target, |s| s.with_group(group.clone())).await;
        let snapshot = self.snapshot(target, false).await?;
        Ok(GroupChange {
            group: self.group_view(&snapshot, &group),
            notes,
        })
    }

    /// Reads the group as the server has it now, applies `change`, and sends everything back.
    async fn update_group_with(
        &self,
        target: &Target,
        which: &str,
        notes: Vec<String>,
        change: impl FnOnce(&mut GroupUpdateForm) -> ConsoleResult<()>,
    ) -> ConsoleResult<GroupChange> {
        self.writable(target).await?;
        let snapshot = self.snapshot(target, false).await?;
        let id = snapshot.find_group(which)?.id.clone();
        let session = self.session(target).await?;
        let current = session
            .call(|c, t| {
                let id = id.clone();
                async move { c.group(&t, &id).await }
            })
            .await?;
        let mut form = GroupUpdateForm::from_group(&current);
        change(&mut form)?;
        let updated = session
            .call(|c, t| {
                let (id, form) = (id.clone(), form.clone());
                async move { c.update_group(&t, &id, &form).await }
            })
            .await?;
        self.finish_group_change(target, updated, notes).await
    }

    /// Renames or re-describes a group.
    pub async fn edit_group(
        &self,
        target: &Target,
        which: &str,
        name: Option<&str>,
        description: Option<&str>,
    ) -> ConsoleResult<GroupChange> {
        self.update_group_with(target, which, Vec::new(), |form| {
            if let Some(n) = name.map(str::trim) {
                if n.is_empty() {
                    return Err(ConsoleError::Invalid("a group needs a name".into()));
                }
                form.name = n.to_owned();
            }
            if let Some(d) = description {
                form.description = d.to_owned();
            }
            Ok(())
        })
        .await
    }

    async fn resolve_members(&self, target: &Target, who: &[String]) -> ConsoleResult<Vec<String>> {
        let mut ids = Vec::new();
        for w in who {
            let (snapshot, ix) = self.resolve_user(target, w).await?;
            ids.push(snapshot.directory.users()[ix].id.clone());
        }
        Ok(ids)
    }

    /// Adds direct members.
    pub async fn add_group_members(
        &self,
        target: &Target,
        which: &str,
        who: &[String],
    ) -> ConsoleResult<GroupChange> {
        let ids = self.resolve_members(target, who).await?;
        self.update_group_with(target, which, Vec::new(), |form| {
            let members = form.user_ids.get_or_insert_with(Vec::new);
            for id in ids {
                if !members.contains(&id) {
                    members.push(id);
                }
            }
            Ok(())
        })
        .await
    }

    /// Removes direct members.
    pub async fn remove_group_members(
        &self,
        target: &Target,
        which: &str,
        who: &[String],
    ) -> ConsoleResult<GroupChange> {
        let ids = self.resolve_members(target, who).await?;
        self.update_group_with(target, which, Vec::new(), |form| {
            if let Some(members) = form.user_ids.as_mut() {
                members.retain(|m| !ids.contains(m));
            }
            Ok(())
        })
        .await
    }

    /// Replaces a group's whole permission object (checked first).
    pub async fn set_group_permissions(
        &self,
        target: &Target,
        which: &str,
        permissions: &Value,
    ) -> ConsoleResult<GroupChange> {
        let (checked, notes) = Self::checked_permissions(permissions)?;
        self.update_group_with(target, which, notes, |form| {
            form.permissions = Some(checked);
            Ok(())
        })
        .await
    }

    /// Sets some keys of a group's permissions (`workspace.knowledge` = `"write"`), keeping the
    /// rest, in one update.
    pub async fn set_group_permission_keys(
        &self,
        target: &Target,
        which: &str,
        keys: &[(String, Value)],
    ) -> ConsoleResult<GroupChange> {
        let snapshot = self.snapshot(target, false).await?;
        let mut permissions = match snapshot.find_group(which)?.permissions.clone() {
            Some(Value::Object(m)) => m,
            _ => serde_json::Map::new(),
        };
        for (path, value) in keys {
            let Some((section, key)) = path.split_once('.') else {
                return Err(ConsoleError::Invalid(format!(
                    "{path:?} is not section.key"
                )));
            };
            let sec = permissions
                .entry(section.to_owned())
                .or_insert_with(|| json!({}));
            if !sec.is_object() {
                *sec = json!({});
            }
            if let Some(m) = sec.as_object_mut() {
                // null takes the key out: the group then says nothing about it.
                if value.is_null() {
                    m.remove(key);
                } else {
                    m.insert(key.to_owned(), value.clone());
                }
            }
        }
        self.set_group_permissions(target, which, &Value::Object(permissions))
            .await
    }

    /// Links a group to units (`meta.org_unit_ids`), keeping every other `meta` key.
    pub async fn link_group_units(
        &self,
        target: &Target,
        which: &str,
        unit_ids: &[String],
    ) -> ConsoleResult<GroupChange> {
        let snapshot = self.snapshot(target, false).await?;
        for id in unit_ids {
            if !snapshot.units.iter().any(|u| &u.id == id) {
                return Err(ConsoleError::Invalid(format!(
                    "no organizational unit with id {id:?}"
                )));
            }
        }
        let ids = unit_ids.to_vec();
        self.update_group_with(target, which, Vec::new(), |form| {
            let mut meta = match form.meta.take() {
                Some(Value::Object(m)) => m,
                _ => serde_json::Map::new(),
            };
            if ids.is_empty() {
                meta.remove("org_unit_ids");
            } else {
                meta.insert("org_unit_ids".into(), json!(ids));
            }
            form.meta = Some(Value::Object(meta));
            Ok(())
        })
        .await
    }

    /// Sets (or removes) one model's limit for a group's direct members; 0 = unlimited.
    pub async fn set_group_limit(
        &self,
        target: &Target,
        which: &str,
        model: &str,
        tokens: Option<i64>,
    ) -> ConsoleResult<GroupChange> {
        self.writable(target).await?;
        if tokens.is_some_and(|t| t < 0) {
            return Err(ConsoleError::Invalid(
                "a limit is 0 (unlimited) or a positive number of tokens".into(),
            ));
        }
        let snapshot = self.snapshot(target, false).await?;
        let id = snapshot.find_group(which)?.id.clone();
        let session = self.session(target).await?;
        let mut limits = session
            .call(|c, t| {
                let id = id.clone();
                async move { c.group_limits(&t, &id).await }
            })
            .await?;
        match tokens {
            Some(t) => limits.insert(model.to_owned(), t),
            None => limits.remove(model),
        };
        session
            .call(|c, t| {
                let (id, limits) = (id.clone(), limits.clone());
                async move { c.set_group_limits(&t, &id, &limits).await }
            })
            .await?;
        let fresh = session
            .call(|c, t| {
                let id = id.clone();
                async move { c.group(&t, &id).await }
            })
            .await?;
        self.finish_group_change(target, fresh, Vec::new()).await
    }

    /// Deletes a group (members keep their accounts; what the group granted stops at once).
    pub async fn delete_group(&self, target: &Target, which: &str) -> ConsoleResult<GroupSummary> {
        self.writable(target).await?;
        let summary = {
            let snapshot = self.snapshot(target, false).await?;
            let g = snapshot.find_group(which)?;
            GroupSummary {
                id: g.id.clone(),
                name: g.name.clone(),
                description: g.description.clone(),
                members: g.user_ids.len(),
                linked_units: g.org_unit_ids().len(),
                grants_user_administration: false,
                updated_at: g.updated_at,
            }
        };
        let session = self.session(target).await?;
        let id = summary.id.clone();
        session
            .call(|c, t| {
                let id = id.clone();
                async move { c.delete_group(&t, &id).await }
            })
            .await?;
        self.patch(target, |s| s.without_group(&id)).await;
        Ok(summary)
    }
}
