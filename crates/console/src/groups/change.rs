//! Changes to groups: create, edit, delete, members, OU links, permissions and limits. Every
//! update starts from the group as the server has it now and sends every sub-object back,
//! because the server replaces `permissions`, `user_ids` and `meta` whole. Each change is one
//! operation of the runner, journaled with the group before and after.

use super::{GroupChange, GroupSummary, group_view};
use crate::error::{ConsoleError, ConsoleResult};
use crate::operation::{Operation, OperationKind};
use crate::{Console, Groups, Observer, Target, check_limit};
use cloo_api::{Group, GroupUpdateForm};
use cloo_domain::permissions::{PermissionTree, check_group_permissions};
use serde_json::{Value, json};

/// Checks a permission object for a group: the object to send, and notes.
fn checked_permissions(permissions: &Value) -> ConsoleResult<(Value, Vec<String>)> {
    let (tree, notes) =
        check_group_permissions(&PermissionTree::from_json(permissions)).map_err(|errors| {
            ConsoleError::invalid(
                "permissions",
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

/// What the journal keeps of a group.
fn journal_view(g: &Group) -> Value {
    json!({
        "id": g.id,
        "name": g.name,
        "description": g.description,
        "user_ids": g.user_ids,
        "permissions": g.permissions,
        "meta": g.meta,
    })
}

impl Console {
    /// Keeps the server's answer in the snapshot and gives the group's view.
    async fn finish_group_change(
        &self,
        target: &Target,
        group: Group,
        notes: Vec<String>,
    ) -> ConsoleResult<GroupChange> {
        self.patch(target, |s| s.with_group(group.clone())).await;
        let snapshot = self.snapshot(target, false).await?;
        Ok(GroupChange {
            group: group_view(&snapshot, &group),
            notes,
        })
    }

    /// Reads the group as the server has it now, applies `change`, and sends everything back.
    async fn update_group_with(
        &self,
        target: &Target,
        which: &str,
        op: Option<&Operation>,
        notes: Vec<String>,
        change: impl FnOnce(&mut GroupUpdateForm) -> ConsoleResult<()>,
    ) -> ConsoleResult<GroupChange> {
        let snapshot = self.snapshot(target, false).await?;
        let id = snapshot.find_group(which)?.id.clone();
        let session = self.session(target).await?;
        let current = session
            .call(|c, t| {
                let id = id.clone();
                async move { c.group(&t, &id).await }
            })
            .await?;
        if let Some(op) = op {
            op.set_target(&current.name);
            op.record_before(&journal_view(&current));
        }
        let mut form = GroupUpdateForm::from_group(&current);
        change(&mut form)?;
        let updated = session
            .call(|c, t| {
                let (id, form) = (id.clone(), form.clone());
                async move { c.update_group(&t, &id, &form).await }
            })
            .await?;
        if let Some(op) = op {
            op.record_after(&journal_view(&updated));
        }
        self.finish_group_change(target, updated, notes).await
    }

    async fn resolve_members(&self, target: &Target, who: &[String]) -> ConsoleResult<Vec<String>> {
        let mut ids = Vec::new();
        for w in who {
            let (snapshot, ix) = self.resolve_user(target, w).await?;
            ids.push(snapshot.directory.users()[ix].id.clone());
        }
        Ok(ids)
    }

    /// Adds direct members without an operation of its own (bulk plans and imports run one).
    pub(crate) async fn add_group_members_now(
        &self,
        target: &Target,
        which: &str,
        who: &[String],
    ) -> ConsoleResult<GroupChange> {
        let ids = self.resolve_members(target, who).await?;
        self.update_group_with(target, which, None, Vec::new(), |form| {
            add_ids(form, ids);
            Ok(())
        })
        .await
    }
}

impl Groups<'_> {
    /// One group update as an operation of the runner: `prepare` runs inside the operation (its
    /// refusals are journaled) and yields what `change` needs plus notes for the result; then the
    /// group is read, changed and sent back whole.
    async fn update_as<T, Fut>(
        &self,
        target: &Target,
        which: &str,
        kind: OperationKind,
        observer: &Observer,
        prepare: impl FnOnce() -> Fut,
        change: impl FnOnce(T, &mut GroupUpdateForm) -> ConsoleResult<()>,
    ) -> ConsoleResult<GroupChange>
    where
        Fut: std::future::Future<Output = ConsoleResult<(T, Vec<String>)>>,
    {
        let c = self.c;
        let op = c.begin(target, kind, which, observer).await?;
        let result = async {
            let (prepared, notes) = prepare().await?;
            c.update_group_with(target, which, Some(&op), notes, |form| {
                change(prepared, form)
            })
            .await
        }
        .await;
        op.finish(result).await
    }
}

fn add_ids(form: &mut GroupUpdateForm, ids: Vec<String>) {
    let members = form.user_ids.get_or_insert_with(Vec::new);
    for id in ids {
        if !members.contains(&id) {
            members.push(id);
        }
    }
}

impl Groups<'_> {
    /// Creates a group.
    pub async fn create(
        &self,
        target: &Target,
        name: &str,
        description: &str,
        permissions: Option<&Value>,
        observer: &Observer,
    ) -> ConsoleResult<GroupChange> {
        let c = self.c;
        let op = c
            .begin(target, OperationKind::GroupCreate, name.trim(), observer)
            .await?;
        let result = async {
            let name = name.trim();
            if name.is_empty() {
                return Err(ConsoleError::invalid("name", "a group needs a name"));
            }
            let (permissions, notes) = match permissions {
                Some(p) => {
                    let (p, n) = checked_permissions(p)?;
                    (Some(p), n)
                }
                None => (None, Vec::new()),
            };
            let session = c.session(target).await?;
            let created = session
                .call(|client, t| {
                    let permissions = permissions.clone();
                    async move {
                        client
                            .create_group(&t, name, description, permissions.as_ref())
                            .await
                    }
                })
                .await?;
            op.record_after(&journal_view(&created));
            c.finish_group_change(target, created, notes).await
        }
        .await;
        op.finish(result).await
    }

    /// Renames or re-describes a group.
    pub async fn edit(
        &self,
        target: &Target,
        which: &str,
        name: Option<&str>,
        description: Option<&str>,
        observer: &Observer,
    ) -> ConsoleResult<GroupChange> {
        let prepare = || async { Ok(((), Vec::new())) };
        self.update_as(
            target,
            which,
            OperationKind::GroupEdit,
            observer,
            prepare,
            |(), form| {
                if let Some(n) = name.map(str::trim) {
                    if n.is_empty() {
                        return Err(ConsoleError::invalid("name", "a group needs a name"));
                    }
                    form.name = n.to_owned();
                }
                if let Some(d) = description {
                    form.description = d.to_owned();
                }
                Ok(())
            },
        )
        .await
    }

    /// Adds direct members.
    pub async fn add_members(
        &self,
        target: &Target,
        which: &str,
        who: &[String],
        observer: &Observer,
    ) -> ConsoleResult<GroupChange> {
        let prepare = || async { Ok((self.c.resolve_members(target, who).await?, Vec::new())) };
        self.update_as(
            target,
            which,
            OperationKind::GroupAddMembers,
            observer,
            prepare,
            |ids, form| {
                add_ids(form, ids);
                Ok(())
            },
        )
        .await
    }

    /// Removes direct members.
    pub async fn remove_members(
        &self,
        target: &Target,
        which: &str,
        who: &[String],
        observer: &Observer,
    ) -> ConsoleResult<GroupChange> {
        let prepare = || async { Ok((self.c.resolve_members(target, who).await?, Vec::new())) };
        let kind = OperationKind::GroupRemoveMembers;
        self.update_as(
            target,
            which,
            kind,
            observer,
            prepare,
            |ids: Vec<String>, form| {
                if let Some(members) = form.user_ids.as_mut() {
                    members.retain(|m| !ids.contains(m));
                }
                Ok(())
            },
        )
        .await
    }

    /// Replaces a group's whole permission object (checked first).
    pub async fn set_permissions(
        &self,
        target: &Target,
        which: &str,
        permissions: &Value,
        observer: &Observer,
    ) -> ConsoleResult<GroupChange> {
        let prepare = || async { checked_permissions(permissions) };
        let kind = OperationKind::GroupSetPermissions;
        self.update_as(target, which, kind, observer, prepare, |checked, form| {
            form.permissions = Some(checked);
            Ok(())
        })
        .await
    }

    /// Sets some keys of a group's permissions (`workspace.knowledge` = `"write"`; null takes a
    /// key out), keeping the rest, in one update.
    pub async fn set_permission_keys(
        &self,
        target: &Target,
        which: &str,
        keys: &[(String, Value)],
        observer: &Observer,
    ) -> ConsoleResult<GroupChange> {
        let c = self.c;
        let op = c
            .begin(target, OperationKind::GroupSetPermissions, which, observer)
            .await?;
        let result = async {
            for (path, _) in keys {
                if path.split_once('.').is_none() {
                    return Err(ConsoleError::invalid(
                        "permission",
                        format!("{path:?} is not section.key"),
                    ));
                }
            }
            let keys = keys.to_vec();
            let mut notes = Vec::new();
            c.update_group_with(target, which, Some(&op), Vec::new(), |form| {
                let mut permissions = match form.permissions.take() {
                    Some(Value::Object(m)) => m,
                    _ => serde_json::Map::new(),
                };
                for (path, value) in keys {
                    let Some((section, key)) = path.split_once('.') else {
                        continue;
                    };
                    let sec = permissions
                        .entry(section.to_owned())
                        .or_insert_with(|| json!({}));
                    if !sec.is_object() {
                        *sec = json!({});
                    }
                    if let Some(m) = sec.as_object_mut() {
                        if value.is_null() {
                            m.remove(key);
                        } else {
                            m.insert(key.to_owned(), value);
                        }
                    }
                }
                let (checked, n) = checked_permissions(&Value::Object(permissions))?;
                notes = n;
                form.permissions = Some(checked);
                Ok(())
            })
            .await
            .map(|mut change| {
                change.notes = notes;
                change
            })
        }
        .await;
        op.finish(result).await
    }

    /// Links a group to units (`meta.org_unit_ids`), keeping every other `meta` key.
    pub async fn link_units(
        &self,
        target: &Target,
        which: &str,
        unit_ids: &[String],
        observer: &Observer,
    ) -> ConsoleResult<GroupChange> {
        let prepare = || async {
            let snapshot = self.c.snapshot(target, false).await?;
            for id in unit_ids {
                if !snapshot.units.iter().any(|u| &u.id == id) {
                    return Err(ConsoleError::not_found(
                        "unit",
                        id,
                        format!("no organizational unit with id {id:?}"),
                    ));
                }
            }
            Ok((unit_ids.to_vec(), Vec::new()))
        };
        let kind = OperationKind::GroupLinkUnits;
        self.update_as(
            target,
            which,
            kind,
            observer,
            prepare,
            |ids: Vec<String>, form| {
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
            },
        )
        .await
    }

    /// Sets (or removes) one model's limit for a group's direct members; 0 = unlimited.
    pub async fn set_limit(
        &self,
        target: &Target,
        which: &str,
        model: &str,
        tokens: Option<i64>,
        observer: &Observer,
    ) -> ConsoleResult<GroupChange> {
        let c = self.c;
        let op = c
            .begin(target, OperationKind::GroupSetLimit, which, observer)
            .await?;
        let result = async {
            check_limit(tokens)?;
            let snapshot = c.snapshot(target, false).await?;
            let group = snapshot.find_group(which)?;
            op.set_target(&group.name);
            let id = group.id.clone();
            let session = c.session(target).await?;
            let mut limits = session
                .call(|client, t| {
                    let id = id.clone();
                    async move { client.group_limits(&t, &id).await }
                })
                .await?;
            op.record_before(&limits);
            match tokens {
                Some(t) => limits.insert(model.to_owned(), t),
                None => limits.remove(model),
            };
            session
                .call(|client, t| {
                    let (id, limits) = (id.clone(), limits.clone());
                    async move { client.set_group_limits(&t, &id, &limits).await }
                })
                .await?;
            op.record_after(&limits);
            let fresh = session
                .call(|client, t| {
                    let id = id.clone();
                    async move { client.group(&t, &id).await }
                })
                .await?;
            c.finish_group_change(target, fresh, Vec::new()).await
        }
        .await;
        op.finish(result).await
    }

    /// Deletes a group (members keep their accounts; what the group granted stops at once).
    pub async fn delete(
        &self,
        target: &Target,
        which: &str,
        observer: &Observer,
    ) -> ConsoleResult<GroupSummary> {
        let c = self.c;
        let op = c
            .begin(target, OperationKind::GroupDelete, which, observer)
            .await?;
        let result = async {
            let summary = {
                let snapshot = c.snapshot(target, false).await?;
                let g = snapshot.find_group(which)?;
                op.set_target(&g.name);
                op.record_before(&journal_view(g));
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
            let session = c.session(target).await?;
            let id = summary.id.clone();
            session
                .call(|client, t| {
                    let id = id.clone();
                    async move { client.delete_group(&t, &id).await }
                })
                .await?;
            c.patch(target, |s| s.without_group(&id)).await;
            Ok(summary)
        }
        .await;
        op.finish(result).await
    }
}
