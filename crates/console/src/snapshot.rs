//! A tenant's deployment as the console last read it: the directory (no secrets), groups,
//! units, stored defaults, the Super Admin, the limits settings, and the signed-in account's own
//! view — everything the rules engine needs, read in one go and kept until a change or a refresh.
//!
//! Parts a delegated operator may not read (the config export, the limits settings) are
//! optional: the snapshot says what it could not see rather than inventing it.

use crate::error::{ConsoleError, ConsoleResult};
use crate::{Console, Session, Target};
use cloo_api::{ApiError, Group, OrgUnit, Organization, PerModel, UsageLimitConfig, User};
use cloo_domain::deployment::{
    DeploymentData, DeploymentRules, GroupRecord, UnitRecord, UserRecord,
};
use cloo_domain::limits::GlobalLimits;
use cloo_domain::org::{LikeCase, UnitInput, UnitMembers};
use cloo_domain::permissions::{PermissionTree, observed_builtin};
use cloo_domain::{DirectoryIndex, DirectoryUser, Role};
use serde_json::Value;
use std::sync::Arc;

/// Users fetched per request while reading the whole directory.
pub const USER_FETCH_PAGE: u64 = 1000;

/// The signed-in account.
#[derive(Debug, Clone)]
pub struct Me {
    /// User id.
    pub id: String,
    /// E-mail.
    pub email: String,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
}

/// What was read from the deployment, before anything is derived from it.
#[derive(Debug, Clone)]
pub struct SnapshotParts {
    /// Epoch seconds of the read.
    pub fetched_at: i64,
    /// The signed-in account.
    pub me: Me,
    /// Her own effective permissions (the baseline for built-in values).
    pub my_permissions: Value,
    /// Users, with `info` cut down to `usage_limit` (no secret was ever parsed).
    pub users: Vec<User>,
    /// Groups, in the server's order.
    pub groups: Vec<Group>,
    /// Units, in the server's order.
    pub units: Vec<OrgUnit>,
    /// Organizations.
    pub organizations: Vec<Organization>,
    /// The stored default permissions: `Some(None)` never saved, `None` not readable.
    pub stored_defaults: Option<Option<Value>>,
    /// The server's normalised view of the defaults, read when the stored object is not.
    pub defaults_view: Option<Value>,
    /// The Super Admin e-mail, when readable (`Some(None)`: not set).
    pub super_admin: Option<Option<String>>,
    /// The global limits, when readable.
    pub limits: Option<UsageLimitConfig>,
    /// How the deployment's database matches text (OU usage-limit membership).
    pub like_case: LikeCase,
}

/// One read of a deployment, with the directory index and the rules derived from it.
#[derive(Debug)]
pub struct Snapshot {
    /// What was read.
    pub parts: SnapshotParts,
    /// Epoch seconds of the read.
    pub fetched_at: i64,
    /// The signed-in account.
    pub me: Me,
    /// Her own effective permissions (the baseline for built-in values).
    pub my_permissions: Value,
    /// Users, searchable.
    pub directory: DirectoryIndex,
    /// `info.usage_limit.per_model` of each user, aligned with the directory.
    pub user_limits: Vec<PerModel>,
    /// Groups, in the server's order.
    pub groups: Vec<Group>,
    /// Units, in the server's order.
    pub units: Vec<OrgUnit>,
    /// Organizations.
    pub organizations: Vec<Organization>,
    /// The stored default permissions: `Some(None)` never saved, `None` not readable.
    pub stored_defaults: Option<Option<Value>>,
    /// The Super Admin e-mail, when readable (`Some(None)`: not set).
    pub super_admin: Option<Option<String>>,
    /// The global limits, when readable.
    pub limits: Option<UsageLimitConfig>,
    /// How the deployment's database matches text (OU usage-limit membership).
    pub like_case: LikeCase,
    /// The rules over all of it.
    pub rules: DeploymentRules,
}

/// Keeps of `info` only what the console needs (`usage_limit`), and of the avatar only what
/// [`crate::users::kept_avatar`] keeps.
fn trim_user(mut u: User) -> User {
    u.profile_image_url = crate::users::kept_avatar(&u.profile_image_url);
    u.info = u
        .info
        .as_ref()
        .and_then(|i| i.get("usage_limit"))
        .map(|l| serde_json::json!({ "usage_limit": l }));
    u
}

fn user_limits(u: &User) -> PerModel {
    u.info
        .as_ref()
        .and_then(|i| i.get("usage_limit"))
        .and_then(|l| l.get("per_model"))
        .and_then(|p| serde_json::from_value(p.clone()).ok())
        .unwrap_or_default()
}

fn unit_limits(u: &OrgUnit) -> PerModel {
    u.meta
        .as_ref()
        .and_then(|m| m.get("usage_limit"))
        .and_then(|l| l.get("per_model"))
        .and_then(|p| serde_json::from_value(p.clone()).ok())
        .unwrap_or_default()
}

/// Reads an optional part: a refusal (the operator may not see it) is `None`, anything else
/// fails the snapshot.
fn optional<T>(r: Result<T, ApiError>) -> ConsoleResult<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(ApiError::Forbidden { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

async fn read_all_users(session: &Session) -> ConsoleResult<Vec<User>> {
    let mut users: Vec<User> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut skip = 0u64;
    loop {
        let page = session
            .call(|c, t| async move { c.list_users(&t, Some(skip), Some(USER_FETCH_PAGE)).await })
            .await?;
        let count = page.len() as u64;
        users.extend(page.into_iter().filter(|u| seen.insert(u.id.clone())));
        if count < USER_FETCH_PAGE {
            break;
        }
        skip += count;
    }
    Ok(users)
}

impl Snapshot {
    /// Reads a deployment. Users are read page by page and de-duplicated (the server orders by
    /// creation time only, so a concurrent sign-up shifts pages); a failed page fails the read.
    pub async fn read(session: &Session, like_case: LikeCase) -> ConsoleResult<Snapshot> {
        let me = session
            .call(|c, t| async move { c.session_user(&t).await })
            .await?;
        let (users, groups, units, organizations, my_permissions, export, limits) = tokio::join!(
            read_all_users(session),
            session.call(|c, t| async move { c.list_groups(&t).await }),
            session.call(|c, t| async move { c.org_units(&t).await }),
            session.call(|c, t| async move { c.organizations(&t).await }),
            session.call(|c, t| async move { c.my_permissions(&t).await }),
            session.call(|c, t| async move { c.config_export(&t).await }),
            session.call(|c, t| async move { c.usage_limit_config(&t).await }),
        );
        let users = users?;
        let groups = groups?;
        let units = units?;
        let organizations = organizations?;
        let my_permissions = my_permissions?;
        let export = forbidden_as_none(export)?;
        let limits = forbidden_as_none(limits)?;

        let stored_defaults = export
            .as_ref()
            .map(|e| e.get("user").and_then(|u| u.get("permissions")).cloned());
        let defaults_view = match stored_defaults {
            Some(_) => None,
            None => forbidden_as_none(
                session
                    .call(|c, t| async move { c.default_permissions(&t).await })
                    .await,
            )?,
        };
        let super_admin = export.as_ref().map(|e| {
            e.get("auth")
                .and_then(|a| a.get("admin"))
                .and_then(|a| a.get("email"))
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        });
        Ok(Snapshot::derive(SnapshotParts {
            fetched_at: crate::now(),
            me: Me {
                id: me.id,
                email: me.email,
                name: me.name,
                role: me.role,
            },
            my_permissions,
            users: users.into_iter().map(trim_user).collect(),
            groups,
            units,
            organizations,
            stored_defaults,
            defaults_view,
            super_admin,
            limits,
            like_case,
        }))
    }

    /// Builds the index and the rules from the parts.
    pub fn derive(parts: SnapshotParts) -> Snapshot {
        let rules = build_rules(
            &parts.me,
            &parts.users,
            &parts.groups,
            &parts.units,
            &parts.stored_defaults,
            parts.defaults_view.as_ref(),
            &parts.my_permissions,
            parts.limits.as_ref(),
            parts.like_case,
        );
        Snapshot {
            fetched_at: parts.fetched_at,
            me: parts.me.clone(),
            my_permissions: parts.my_permissions.clone(),
            user_limits: parts.users.iter().map(user_limits).collect(),
            directory: DirectoryIndex::new(
                parts
                    .users
                    .iter()
                    .map(crate::users::directory_user_of)
                    .collect(),
            ),
            groups: parts.groups.clone(),
            units: parts.units.clone(),
            organizations: parts.organizations.clone(),
            stored_defaults: parts.stored_defaults.clone(),
            super_admin: parts.super_admin.clone(),
            limits: parts.limits.clone(),
            like_case: parts.like_case,
            rules,
            parts,
        }
    }

    /// The same snapshot with one user added or replaced by the server's answer.
    pub fn with_user(&self, user: User) -> Snapshot {
        let mut parts = self.parts.clone();
        let user = trim_user(user);
        match parts.users.iter_mut().find(|u| u.id == user.id) {
            Some(slot) => *slot = user,
            None => parts.users.insert(0, user),
        }
        Snapshot::derive(parts)
    }

    /// The same snapshot without a user (and without her in any group).
    pub fn without_user(&self, id: &str) -> Snapshot {
        let mut parts = self.parts.clone();
        parts.users.retain(|u| u.id != id);
        for g in &mut parts.groups {
            g.user_ids.retain(|m| m != id);
        }
        Snapshot::derive(parts)
    }

    /// The same snapshot with a user's own limits replaced.
    pub fn with_user_limits(&self, id: &str, per_model: PerModel) -> Snapshot {
        let mut parts = self.parts.clone();
        if let Some(u) = parts.users.iter_mut().find(|u| u.id == id) {
            u.info = (!per_model.is_empty())
                .then(|| serde_json::json!({"usage_limit": {"per_model": per_model}}));
        }
        Snapshot::derive(parts)
    }

    /// The same snapshot with another Super Admin.
    pub fn with_super_admin(&self, email: &str) -> Snapshot {
        let mut parts = self.parts.clone();
        parts.super_admin = Some(Some(email.to_owned()));
        Snapshot::derive(parts)
    }

    /// The same snapshot with one group added or replaced.
    pub fn with_group(&self, group: Group) -> Snapshot {
        let mut parts = self.parts.clone();
        match parts.groups.iter_mut().find(|g| g.id == group.id) {
            Some(slot) => *slot = group,
            None => parts.groups.insert(0, group),
        }
        Snapshot::derive(parts)
    }

    /// The same snapshot without a group.
    pub fn without_group(&self, id: &str) -> Snapshot {
        let mut parts = self.parts.clone();
        parts.groups.retain(|g| g.id != id);
        Snapshot::derive(parts)
    }

    /// A user by e-mail (any case) or id.
    pub fn find_user(&self, who: &str) -> Option<(usize, &DirectoryUser)> {
        let lower = who.trim().to_lowercase();
        self.directory
            .users()
            .iter()
            .enumerate()
            .find(|(_, u)| u.id == who || u.email.to_lowercase() == lower)
    }

    /// The first user: the oldest account.
    pub fn first_user(&self) -> Option<&DirectoryUser> {
        let id = cloo_domain::admin::first_user(
            self.directory
                .users()
                .iter()
                .map(|u| (u.id.as_str(), u.created_at)),
        )?;
        self.directory.users().iter().find(|u| u.id == id)
    }

    /// A group by id, or by name when exactly one group has it.
    pub fn find_group(&self, which: &str) -> ConsoleResult<&Group> {
        if let Some(g) = self.groups.iter().find(|g| g.id == which) {
            return Ok(g);
        }
        let named: Vec<&Group> = self.groups.iter().filter(|g| g.name == which).collect();
        match named.as_slice() {
            [one] => Ok(one),
            [] => Err(ConsoleError::not_found(
                "group",
                which,
                format!("no group with id or name {which:?}"),
            )),
            many => Err(ConsoleError::invalid(
                "group",
                format!(
                    "{} groups are named {which:?}; use an id: {}",
                    many.len(),
                    many.iter()
                        .map(|g| g.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }
}

fn forbidden_as_none<T>(r: ConsoleResult<T>) -> ConsoleResult<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(ConsoleError::Api(e)) => optional(Err(e)),
        Err(e) => Err(e),
    }
}

#[allow(clippy::too_many_arguments)]
fn build_rules(
    me: &Me,
    users: &[User],
    groups: &[Group],
    units: &[OrgUnit],
    stored: &Option<Option<Value>>,
    defaults_view: Option<&Value>,
    my_permissions: &Value,
    limits: Option<&UsageLimitConfig>,
    like_case: LikeCase,
) -> DeploymentRules {
    let stored_tree = match stored {
        Some(exact) => exact.as_ref().map(PermissionTree::from_json),
        None => defaults_view.map(PermissionTree::from_json),
    };
    let group_trees: Vec<PermissionTree> = groups
        .iter()
        .map(|g| PermissionTree::from_json(g.permissions.as_ref().unwrap_or(&Value::Null)))
        .collect();
    let unit_records: Vec<UnitRecord> = units
        .iter()
        .map(|u| UnitRecord {
            unit: UnitInput {
                id: u.id.clone(),
                organization_id: u.organization_id.clone(),
                parent_id: u.parent_id.clone(),
                name: u.name.clone(),
                display_name: u.display_name.clone(),
                level: u.level,
                external_id: u.external_id.clone(),
                kind: u.kind.clone(),
            },
            members: UnitMembers::new(&u.member_ids, u.meta.as_ref()),
            limits: unit_limits(u),
        })
        .collect();
    let mut data = DeploymentData {
        users: users
            .iter()
            .map(|u| UserRecord {
                id: u.id.clone(),
                email: u.email.clone(),
                role: u.role.clone(),
                oauth_sub: u.oauth_sub.clone(),
                limits: user_limits(u),
            })
            .collect(),
        groups: groups
            .iter()
            .zip(&group_trees)
            .map(|(g, tree)| GroupRecord {
                id: g.id.clone(),
                name: g.name.clone(),
                user_ids: g.user_ids.clone(),
                permissions: tree.clone(),
                org_unit_ids: g.org_unit_ids(),
                limits: g.limits(),
            })
            .collect(),
        units: unit_records,
        resources: Vec::new(),
        stored_defaults: stored_tree.clone(),
        builtin: PermissionTree::new(),
        limits: limits
            .map(|l| GlobalLimits {
                enabled: l.enabled,
                default_daily_tokens: l.default_daily_tokens,
                per_model: l.per_model.clone(),
                exceed_action: l.exceed_action.clone(),
            })
            .unwrap_or_default(),
        like_case,
    };
    // The built-in object, read from the signed-in account's own permissions where her groups
    // could not have changed a key.
    let provisional = DeploymentRules::new(data.clone());
    let mine: Vec<&PermissionTree> = provisional
        .user(&me.id)
        .map(|ix| {
            provisional
                .memberships(ix)
                .groups
                .iter()
                .filter_map(|g| groups.iter().position(|x| *x.id == *g.id))
                .map(|i| &group_trees[i])
                .collect()
        })
        .unwrap_or_default();
    data.builtin = observed_builtin(
        stored_tree.as_ref(),
        &PermissionTree::from_json(my_permissions),
        &mine,
    );
    DeploymentRules::new(data)
}

impl Console {
    /// The tenant's snapshot: the kept one, or a fresh read when `refresh` or none is kept.
    pub async fn snapshot(&self, target: &Target, refresh: bool) -> ConsoleResult<Arc<Snapshot>> {
        let key = self.target_key(target).await?;
        if !refresh && let Some(kept) = Self::lock(&self.snapshots).get(&key) {
            return Ok(kept.clone());
        }
        let like_case = if key == crate::SANDBOX_KEY {
            LikeCase::SqliteAsciiInsensitive
        } else {
            LikeCase::Sensitive
        };
        let session = self.session(target).await?;
        let snapshot = Arc::new(Snapshot::read(&session, like_case).await?);
        Self::lock(&self.snapshots).insert(key, snapshot.clone());
        Ok(snapshot)
    }

    /// Replaces the kept snapshot by `change(kept)`, when one is kept.
    pub(crate) async fn patch(&self, target: &Target, change: impl FnOnce(&Snapshot) -> Snapshot) {
        if let Ok(key) = self.target_key(target).await {
            let kept = Self::lock(&self.snapshots).get(&key).cloned();
            if let Some(kept) = kept {
                let patched = Arc::new(change(&kept));
                Self::lock(&self.snapshots).insert(key, patched);
            }
        }
    }

    /// Drops the kept snapshot, after a change.
    pub(crate) async fn invalidate(&self, target: &Target) {
        if let Ok(key) = self.target_key(target).await {
            Self::lock(&self.snapshots).remove(&key);
        }
    }
}
