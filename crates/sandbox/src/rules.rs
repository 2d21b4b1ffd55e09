//! What the server computes per request: a user's groups (direct and OU-linked), OUs, effective
//! permissions, delegated gates and usage limits. The sandbox uses the console's domain rules for
//! this — they reproduce the server, quirks included, and are tested against the contract.

use crate::AppState;
use crate::db::{UnitRow, UserRow};
use crate::errors::ApiResult;
use cloo_domain::Role;
use cloo_domain::limits::{EffectiveLimit, GlobalLimits, LimitInputs, PerModel, effective_limit};
use cloo_domain::org::{
    LikeCase, OuTree, Person, UnitInput, UnitMembers, access_membership, usage_limit_membership,
};
use cloo_domain::permissions::{
    AdminCapability, Base, GroupGrant, PermissionTree, UnitRef, Via, builtin_defaults, delegated,
    effective_permissions,
};
use serde_json::Value;

/// A group whose permissions reach the user.
pub struct LoadedGroup {
    pub id: String,
    pub name: String,
    pub permissions: PermissionTree,
    pub via: Via,
}

/// The config key of the stored default permissions.
pub const DEFAULT_PERMISSIONS_KEY: &str = "USER_PERMISSIONS";

fn unit_input(u: &UnitRow) -> UnitInput {
    UnitInput {
        id: u.id.clone(),
        organization_id: u.organization_id.clone(),
        parent_id: u.parent_id.clone(),
        name: u.name.clone(),
        display_name: u.display_name.clone(),
        level: u.level,
        external_id: u.external_id.clone(),
        kind: u.kind.clone(),
    }
}

fn members(u: &UnitRow) -> UnitMembers {
    let ids = u.member_ids_json();
    let ids = ids.as_array().cloned().unwrap_or_default();
    let meta = u.meta_json();
    UnitMembers::new(&ids, (!meta.is_null()).then_some(&meta))
}

fn person(user: &UserRow) -> Person<'_> {
    Person {
        email: &user.email,
        oauth_sub: user.oauth_sub.as_deref(),
    }
}

/// The units a user directly belongs to for access (exact rules), in unit order.
pub async fn access_units(state: &AppState, user: &UserRow) -> ApiResult<Vec<UnitRow>> {
    Ok(state
        .db
        .units()
        .await?
        .into_iter()
        .filter(|u| access_membership(person(user), &members(u)).is_some())
        .collect())
}

/// Direct groups, then groups linked to one of her units or an ancestor of one.
pub async fn user_groups(state: &AppState, user: &UserRow) -> ApiResult<Vec<LoadedGroup>> {
    let groups = state.db.groups().await?;
    let units = state.db.units().await?;
    let tree = OuTree::build(units.iter().map(unit_input).collect());
    let mut out: Vec<LoadedGroup> = Vec::new();
    for g in &groups {
        if g.member_ids().contains(&user.id) {
            out.push(LoadedGroup {
                id: g.id.clone(),
                name: g.name.clone(),
                permissions: PermissionTree::from_json(&g.permissions_json()),
                via: Via::Direct,
            });
        }
    }
    let label = |ix| {
        let u = tree.unit(ix);
        UnitRef {
            id: u.id.as_str().into(),
            name: u.label().into(),
        }
    };
    for direct in units
        .iter()
        .filter(|u| access_membership(person(user), &members(u)).is_some())
    {
        let Some(dix) = tree.find(&direct.id) else {
            continue;
        };
        for aix in tree.self_and_ancestors(dix) {
            let ancestor = &tree.unit(aix).id;
            for g in &groups {
                let linked = g
                    .meta_json()
                    .get("org_unit_ids")
                    .and_then(Value::as_array)
                    .is_some_and(|ids| ids.iter().any(|i| i.as_str() == Some(ancestor)));
                if linked && !out.iter().any(|o| o.id == g.id) {
                    out.push(LoadedGroup {
                        id: g.id.clone(),
                        name: g.name.clone(),
                        permissions: PermissionTree::from_json(&g.permissions_json()),
                        via: Via::OrgUnit {
                            linked: label(aix),
                            member: label(dix),
                        },
                    });
                }
            }
        }
    }
    Ok(out)
}

fn grants(groups: &[LoadedGroup]) -> Vec<GroupGrant<'_>> {
    groups
        .iter()
        .map(|g| GroupGrant {
            id: &g.id,
            name: &g.name,
            via: g.via.clone(),
            permissions: &g.permissions,
        })
        .collect()
}

/// The stored default permissions, if ever saved.
pub async fn stored_defaults(state: &AppState) -> ApiResult<Option<PermissionTree>> {
    Ok(state
        .db
        .config(DEFAULT_PERMISSIONS_KEY)
        .await?
        .map(|v| PermissionTree::from_json(&v)))
}

/// `GET /users/permissions` of a user.
pub async fn effective(state: &AppState, user: &UserRow) -> ApiResult<Value> {
    let groups = user_groups(state, user).await?;
    let stored = stored_defaults(state).await?;
    let builtin = builtin_defaults();
    let base = stored.as_ref().map_or(Base::BuiltIn, Base::Stored);
    Ok(effective_permissions(base, &builtin, &grants(&groups)).to_json())
}

/// Does the user pass a delegated gate?
pub async fn allowed(
    state: &AppState,
    user: &UserRow,
    capability: AdminCapability,
) -> ApiResult<bool> {
    let role = Role::from_server(&user.role);
    if role.is_admin() {
        return Ok(true);
    }
    let groups = user_groups(state, user).await?;
    Ok(delegated(capability, &role, &builtin_defaults(), &grants(&groups)).allowed)
}

/// The global usage-limit settings.
pub async fn global_limits(state: &AppState) -> ApiResult<GlobalLimits> {
    let per_model: PerModel = state
        .db
        .config("USAGE_LIMIT_PER_MODEL")
        .await?
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    Ok(GlobalLimits {
        enabled: state.setting_bool("ENABLE_USAGE_LIMIT", false).await?,
        default_daily_tokens: state
            .db
            .config("USAGE_LIMIT_DEFAULT_DAILY_TOKENS")
            .await?
            .and_then(|v| v.as_i64())
            .unwrap_or(0),
        per_model,
        exceed_action: state
            .setting_str("USAGE_LIMIT_EXCEED_ACTION", "warn")
            .await?,
    })
}

/// `per_model` inside a `usage_limit` object of `info` or `meta`.
pub fn per_model_of(holder: &Value) -> PerModel {
    holder
        .get("usage_limit")
        .and_then(|u| u.get("per_model"))
        .and_then(|p| serde_json::from_value::<PerModel>(p.clone()).ok())
        .unwrap_or_default()
}

/// The effective limit of a user for a model (usage-limits.md §3).
pub async fn limit(state: &AppState, user: &UserRow, model: &str) -> ApiResult<EffectiveLimit> {
    let global = global_limits(state).await?;
    let info = user
        .info
        .as_deref()
        .and_then(|t| serde_json::from_str::<Value>(t).ok())
        .unwrap_or(Value::Null);
    let user_limits = per_model_of(&info);
    let groups: Vec<(String, PerModel)> = state
        .db
        .groups()
        .await?
        .into_iter()
        .filter(|g| g.member_ids().contains(&user.id))
        .map(|g| (g.name.clone(), per_model_of(&g.meta_json())))
        .collect();
    let units: Vec<(String, PerModel)> = state
        .db
        .units()
        .await?
        .into_iter()
        .filter(|u| {
            usage_limit_membership(person(user), &members(u), LikeCase::SqliteAsciiInsensitive)
                .is_some()
        })
        .map(|u| (u.label(), per_model_of(&u.meta_json())))
        .collect();
    let group_refs: Vec<(&str, &PerModel)> = groups.iter().map(|(n, m)| (n.as_str(), m)).collect();
    let unit_refs: Vec<(&str, &PerModel)> = units.iter().map(|(n, m)| (n.as_str(), m)).collect();
    Ok(effective_limit(
        model,
        &global,
        LimitInputs {
            user: Some(&user_limits),
            groups: &group_refs,
            units: &unit_refs,
        },
    ))
}
