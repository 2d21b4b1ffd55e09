//! What the server computes per request, from the rows of this deployment: a user's units and
//! groups (direct and OU-linked), her effective permissions, the delegated gates and her usage
//! limits. The algorithms themselves are in [`crate::algorithms`], read from the contract.

use crate::AppState;
use crate::algorithms::limits::{self, Decided, Global};
use crate::algorithms::membership::{is_access_member, self_and_ancestors};
use crate::algorithms::permissions::{self, Gate};
use crate::db::{UnitRow, UserRow};
use crate::errors::ApiResult;
use serde_json::{Value, json};
use std::collections::HashMap;

/// The config key of the stored default permissions.
pub const DEFAULT_PERMISSIONS_KEY: &str = "USER_PERMISSIONS";

fn is_member(user: &UserRow, unit: &UnitRow) -> bool {
    is_access_member(
        &user.email,
        user.oauth_sub.as_deref(),
        &unit.member_ids_json(),
        &unit.meta_json(),
    )
}

/// The units a user directly belongs to for access (exact rules), in unit order.
pub async fn access_units(state: &AppState, user: &UserRow) -> ApiResult<Vec<UnitRow>> {
    Ok(state
        .db
        .units()
        .await?
        .into_iter()
        .filter(|u| is_member(user, u))
        .collect())
}

/// The permission objects of a user's groups: direct members first, then groups linked
/// (`meta.org_unit_ids`) to one of her units or an ancestor of one.
pub async fn group_permissions(state: &AppState, user: &UserRow) -> ApiResult<Vec<Value>> {
    let groups = state.db.groups().await?;
    let units = state.db.units().await?;
    let parents: HashMap<&str, Option<&str>> = units
        .iter()
        .map(|u| (u.id.as_str(), u.parent_id.as_deref()))
        .collect();
    let mut reach: Vec<String> = Vec::new();
    for unit in units.iter().filter(|u| is_member(user, u)) {
        for id in self_and_ancestors(&unit.id, &parents) {
            if !reach.contains(&id) {
                reach.push(id);
            }
        }
    }
    let direct = groups.iter().filter(|g| g.member_ids().contains(&user.id));
    let linked = groups.iter().filter(|g| {
        !g.member_ids().contains(&user.id)
            && g.meta_json()
                .get("org_unit_ids")
                .and_then(Value::as_array)
                .is_some_and(|ids| {
                    ids.iter()
                        .any(|i| i.as_str().is_some_and(|i| reach.iter().any(|r| r == i)))
                })
    });
    Ok(direct.chain(linked).map(|g| g.permissions_json()).collect())
}

/// The stored default permissions, if ever saved.
pub async fn stored_defaults(state: &AppState) -> ApiResult<Option<Value>> {
    Ok(state.db.config(DEFAULT_PERMISSIONS_KEY).await?)
}

/// `GET /users/permissions` of a user.
pub async fn effective(state: &AppState, user: &UserRow) -> ApiResult<Value> {
    let groups = group_permissions(state, user).await?;
    let refs: Vec<&Value> = groups.iter().collect();
    Ok(permissions::effective(
        stored_defaults(state).await?.as_ref(),
        &refs,
    ))
}

/// Is the role one the server lets in at all (`user` or `admin`)?
pub fn is_verified(user: &UserRow) -> bool {
    matches!(user.role.as_str(), "user" | "admin")
}

/// Does the user pass a delegated gate? Admins always do.
pub async fn allowed(state: &AppState, user: &UserRow, gate: Gate) -> ApiResult<bool> {
    if user.role == "admin" {
        return Ok(true);
    }
    let groups = group_permissions(state, user).await?;
    let refs: Vec<&Value> = groups.iter().collect();
    Ok(permissions::passes(gate, &refs))
}

/// The global usage-limit settings.
pub async fn global_limits(state: &AppState) -> ApiResult<Global> {
    Ok(Global {
        enabled: state.setting_bool("ENABLE_USAGE_LIMIT", false).await?,
        default_daily_tokens: state
            .db
            .config("USAGE_LIMIT_DEFAULT_DAILY_TOKENS")
            .await?
            .and_then(|v| v.as_i64())
            .unwrap_or(0),
        exceed_action: state
            .setting_str("USAGE_LIMIT_EXCEED_ACTION", "warn")
            .await?,
        per_model: state
            .db
            .config("USAGE_LIMIT_PER_MODEL")
            .await?
            .and_then(|v| v.as_object().cloned())
            .unwrap_or_default(),
    })
}

/// The four global settings as the config endpoints answer them.
pub fn global_limits_json(g: &Global) -> Value {
    json!({
        "ENABLE_USAGE_LIMIT": g.enabled,
        "USAGE_LIMIT_DEFAULT_DAILY_TOKENS": g.default_daily_tokens,
        "USAGE_LIMIT_EXCEED_ACTION": g.exceed_action,
        "USAGE_LIMIT_PER_MODEL": g.per_model,
    })
}

/// `per_model` inside a `usage_limit` object of `info` or `meta` (`{}` when none).
pub fn per_model_of(holder: &Value) -> Value {
    match holder.get("usage_limit").and_then(|u| u.get("per_model")) {
        Some(Value::Object(m)) => Value::Object(m.clone()),
        _ => json!({}),
    }
}

/// The effective limit of a user for a model (usage-limits.md §3).
pub async fn limit(state: &AppState, user: &UserRow, model: &str) -> ApiResult<Decided> {
    let global = global_limits(state).await?;
    let info = user
        .info
        .as_deref()
        .and_then(|t| serde_json::from_str::<Value>(t).ok())
        .unwrap_or(Value::Null);
    let groups: Vec<(String, Value)> = state
        .db
        .groups()
        .await?
        .into_iter()
        .filter(|g| g.member_ids().contains(&user.id))
        .map(|g| (g.name.clone(), g.meta_json()))
        .collect();
    let units: Vec<(String, Value)> = state
        .db
        .units_matching_text(user.oauth_sub.as_deref(), &user.email)
        .await?
        .into_iter()
        .map(|u| (u.label(), u.meta_json()))
        .collect();
    Ok(limits::decide(model, &global, &info, &groups, &units))
}
