//! The users router (users.md), with the server's gates, rules and quirks: role changes
//! protected only here, edits that skip those protections, deletes that report an unknown id as a
//! 500, and so on.

use super::PerModelForm;
use crate::algorithms::limits::{COUNTED_TYPES, kst_day_start};
use crate::algorithms::permissions::{self, CATALOGUE, KeyKind};
use crate::auth::{self, UsersReader, UsersWriter, Verified};
use crate::db::{UserEdit, UserRow};
use crate::errors::{self, ApiFailure, ApiResult};
use crate::rules;
use crate::validate::{Field, Form, Valid, optional_int_query};
use crate::{AppState, now};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/users/", get(list_users))
        .route("/api/v1/users/search", get(search_users))
        .route("/api/v1/users/groups", get(my_groups))
        .route("/api/v1/users/permissions", get(my_permissions))
        .route(
            "/api/v1/users/default/permissions",
            get(get_defaults).post(set_defaults),
        )
        .route("/api/v1/users/update/role", post(update_role))
        .route("/api/v1/users/user/usage-limit/check", get(check_limit))
        .route("/api/v1/users/{user_id}", get(get_user).delete(delete_user))
        .route("/api/v1/users/{user_id}/update", post(update_user))
        .route(
            "/api/v1/users/{user_id}/organizational-units",
            get(user_units),
        )
        .route(
            "/api/v1/users/{user_id}/usage-limit",
            get(get_user_limit).post(set_user_limit),
        )
        .route(
            "/api/v1/users/{user_id}/usage-by-model",
            get(usage_by_model),
        )
}

async fn list_users(
    State(state): State<Arc<AppState>>,
    _: UsersReader,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Json<Vec<Value>>> {
    let skip = optional_int_query("skip", params.get("skip").map(String::as_str))?;
    let limit = optional_int_query("limit", params.get("limit").map(String::as_str))?;
    let users = state.db.list_users(skip, limit).await?;
    Ok(Json(users.iter().map(UserRow::to_model).collect()))
}

/// `GET /users/search`: up to 50, by name; blank `q` → `[]`.
async fn search_users(
    State(state): State<Arc<AppState>>,
    Verified(_): Verified,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Json<Vec<Value>>> {
    let q = params
        .get("q")
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    let limit = optional_int_query("limit", params.get("limit").map(String::as_str))?
        .unwrap_or(50)
        .clamp(0, 50);
    if q.is_empty() {
        return Ok(Json(vec![]));
    }
    let found = state.db.search_users(&q, limit).await?;
    Ok(Json(
        found
            .iter()
            .map(|u| json!({"id": u.id, "name": u.name, "email": u.email, "role": u.role, "profile_image_url": u.profile_image_url}))
            .collect(),
    ))
}

async fn my_groups(
    State(state): State<Arc<AppState>>,
    Verified(me): Verified,
) -> ApiResult<Json<Vec<Value>>> {
    let groups = state.db.groups().await?;
    Ok(Json(
        groups
            .iter()
            .filter(|g| g.member_ids().contains(&me.id))
            .map(|g| g.to_model())
            .collect(),
    ))
}

async fn my_permissions(
    State(state): State<Arc<AppState>>,
    Verified(me): Verified,
) -> ApiResult<Json<Value>> {
    Ok(Json(rules::effective(&state, &me).await?))
}

async fn get_defaults(
    State(state): State<Arc<AppState>>,
    _: UsersReader,
) -> ApiResult<Json<Value>> {
    let stored = rules::stored_defaults(&state).await?;
    Ok(Json(permissions::defaults_view(stored.as_ref())))
}

/// The default-permissions model's 422s: booleans or unknown strings in level sections are
/// `literal_error`; toggles must read as booleans; sections must be objects.
fn validate_defaults(body: &Value) -> Vec<Value> {
    let mut issues = Vec::new();
    let Some(object) = body.as_object() else {
        return vec![
            json!({"type": "model_attributes_type", "loc": ["body"], "msg": "Input should be a valid dictionary or object to extract fields from", "input": body}),
        ];
    };
    for (section, value) in object {
        let specs: Vec<_> = CATALOGUE
            .iter()
            .filter(|k| k.section == section && k.in_defaults_model())
            .collect();
        if specs.is_empty() {
            continue;
        }
        let Some(inner) = value.as_object() else {
            issues.push(json!({"type": "model_attributes_type", "loc": ["body", section], "msg": "Input should be a valid dictionary or object to extract fields from", "input": value}));
            continue;
        };
        for spec in specs {
            let Some(v) = inner.get(spec.key) else {
                continue;
            };
            let ok = match spec.kind {
                KeyKind::Level => v.as_str().is_some_and(permissions::is_level),
                KeyKind::Bool => crate::validate::bool_value(v).is_some(),
            };
            if !ok {
                issues.push(match spec.kind {
                    KeyKind::Level => json!({
                        "type": "literal_error", "loc": ["body", section, spec.key],
                        "msg": "Input should be 'none', 'access', 'read' or 'write'", "input": v,
                        "ctx": {"expected": "'none', 'access', 'read' or 'write'"}
                    }),
                    KeyKind::Bool => json!({
                        "type": "bool_parsing", "loc": ["body", section, spec.key],
                        "msg": "Input should be a valid boolean, unable to interpret input", "input": v
                    }),
                });
            }
        }
    }
    issues
}

/// `POST /users/default/permissions`: a full replacement with POST defaults filled in.
async fn set_defaults(
    State(state): State<Arc<AppState>>,
    UsersWriter(_): UsersWriter,
    body: axum::body::Bytes,
) -> ApiResult<Json<Value>> {
    let value: Value = serde_json::from_slice(&body).map_err(|_| {
        ApiFailure::validation(vec![json!({"type": "json_invalid", "loc": ["body", 0], "msg": "JSON decode error", "input": {}})])
    })?;
    let issues = validate_defaults(&value);
    if !issues.is_empty() {
        return Err(ApiFailure::validation(issues));
    }
    // Lax booleans are stored as booleans, as Pydantic coerces them.
    let mut coerced = value.clone();
    for spec in CATALOGUE.iter().filter(|k| k.kind == KeyKind::Bool) {
        if let Some(v) = coerced
            .get_mut(spec.section)
            .and_then(|s| s.get_mut(spec.key))
            && let Some(b) = crate::validate::bool_value(v)
        {
            *v = json!(b);
        }
    }
    let stored = permissions::defaults_stored(&coerced);
    state
        .db
        .set_config(rules::DEFAULT_PERMISSIONS_KEY, &stored)
        .await?;
    Ok(Json(stored))
}

#[derive(Deserialize)]
struct RoleForm {
    id: String,
    role: String,
}

impl Form for RoleForm {
    const FIELDS: &'static [Field] = &[Field::string("id"), Field::string("role")];
}

/// `POST /users/update/role`: own role and the first user are refused; the role is not checked.
async fn update_role(
    State(state): State<Arc<AppState>>,
    UsersWriter(me): UsersWriter,
    Valid(form): Valid<RoleForm>,
) -> ApiResult<Json<Value>> {
    if form.id == me.id {
        return Err(ApiFailure::forbidden(errors::ACTION_PROHIBITED));
    }
    if state
        .db
        .first_user()
        .await?
        .is_some_and(|f| f.id == form.id)
    {
        return Err(ApiFailure::forbidden(errors::ACTION_PROHIBITED));
    }
    let Some(before) = state.db.user_by_id(&form.id).await? else {
        return Err(ApiFailure::not_found(errors::NOT_FOUND));
    };
    state.db.set_role(&form.id, &form.role).await?;
    let user = state
        .db
        .user_by_id(&form.id)
        .await?
        .ok_or_else(|| ApiFailure::not_found(errors::NOT_FOUND))?;
    crate::audit_trail::role_change(&state, &me, &user, &before.role).await;
    Ok(Json(user.to_model()))
}

/// `GET /users/user/usage-limit/check`: the caller's own quota answer.
async fn check_limit(
    State(state): State<Arc<AppState>>,
    Verified(me): Verified,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let nothing = json!({"allowed": true, "action": "allow", "daily_limit": 0, "daily_used": 0, "message": "", "model_id": null, "pct": 0.0, "source": ""});
    let Some(model) = params.get("model_id").filter(|m| !m.is_empty()) else {
        return Ok(Json(nothing));
    };
    let global = rules::global_limits(&state).await?;
    if !global.enabled || me.role == "admin" {
        return Ok(Json(nothing));
    }
    let effective = rules::limit(&state, &me, model).await?;
    let Some(limit) = effective.tokens else {
        return Ok(Json(nothing));
    };
    let used = counted_today(&state, &me.id, model).await?;
    if used < limit {
        return Ok(Json(
            json!({"allowed": true, "action": "allow", "daily_limit": limit, "daily_used": used, "message": "", "model_id": null, "pct": 0.0, "source": ""}),
        ));
    }
    let block = global.exceed_action == "block";
    let pct = if limit > 0 {
        (used as f64 / limit as f64 * 1000.0).round() / 10.0
    } else {
        100.0
    };
    let source = effective.source;
    Ok(Json(json!({
        "allowed": !block, "action": if block { "block" } else { "warn" }, "daily_limit": limit, "daily_used": used,
        "message": format!("Daily token usage limit exceeded for model '{model}' ({used}/{limit} tokens, {pct}%). Source: {source}"),
        "model_id": model, "pct": pct, "source": source,
    })))
}

async fn find_user(state: &AppState, id: &str) -> ApiResult<UserRow> {
    state
        .db
        .user_by_id(id)
        .await?
        .ok_or_else(|| ApiFailure::bad_request(errors::NOT_FOUND))
}

/// `GET /users/{id}`: the public profile.
async fn get_user(
    State(state): State<Arc<AppState>>,
    Verified(_): Verified,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = find_user(&state, &id).await?;
    Ok(Json(
        json!({"name": user.name, "profile_image_url": user.profile_image_url, "active": false}),
    ))
}

#[derive(Deserialize)]
struct UpdateForm {
    name: String,
    email: String,
    profile_image_url: String,
    password: Option<String>,
    role: Option<String>,
}

impl Form for UpdateForm {
    const FIELDS: &'static [Field] = &[
        Field::string("name"),
        Field::string("email"),
        Field::string("profile_image_url"),
        Field::optional_string("password"),
        Field::optional_string("role"),
    ];
}

/// `POST /users/{id}/update`: no first-user protection, no audit, role ignored for oneself.
async fn update_user(
    State(state): State<Arc<AppState>>,
    UsersWriter(me): UsersWriter,
    Path(id): Path<String>,
    Valid(form): Valid<UpdateForm>,
) -> ApiResult<Json<Value>> {
    let user = find_user(&state, &id).await?;
    let email = form.email.to_lowercase();
    if let Some(other) = state.db.user_by_email(&email).await?
        && other.id != user.id
    {
        return Err(ApiFailure::bad_request(errors::EMAIL_TAKEN));
    }
    let password_hash = match form.password.as_deref().filter(|p| !p.is_empty()) {
        Some(p) if p.len() > crate::algorithms::credentials::MAX_PASSWORD_BYTES => {
            return Err(ApiFailure::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal server error",
            ));
        }
        Some(p) => Some(auth::hash_password(p)?),
        None => None,
    };
    let role = form.role.filter(|_| id != me.id);
    let edit = UserEdit {
        name: form.name,
        email,
        profile_image_url: form.profile_image_url,
        role,
        password_hash,
    };
    state.db.edit_user(&id, &edit).await?;
    Ok(Json(find_user(&state, &id).await?.to_model()))
}

/// `DELETE /users/{id}`: not oneself; an unknown id is a 500; groups lose the member.
async fn delete_user(
    State(state): State<Arc<AppState>>,
    UsersWriter(me): UsersWriter,
    Path(id): Path<String>,
) -> ApiResult<Json<bool>> {
    if id == me.id {
        return Err(ApiFailure::forbidden(errors::ACTION_PROHIBITED));
    }
    let Some(user) = state.db.user_by_id(&id).await? else {
        return Err(ApiFailure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            errors::DELETE_USER_ERROR,
        ));
    };
    for mut group in state.db.groups().await? {
        let members = group.member_ids();
        if members.contains(&id) {
            let kept: Vec<String> = members.into_iter().filter(|m| *m != id).collect();
            group.user_ids = json!(kept).to_string();
            group.updated_at = now();
            state.db.save_group(&group).await?;
        }
    }
    Ok(Json(state.db.delete_user(&id, &user.email).await?))
}

/// `GET /users/{id}/organizational-units`: direct units, with the organization's name.
async fn user_units(
    State(state): State<Arc<AppState>>,
    _: UsersReader,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Value>>> {
    let user = find_user(&state, &id).await?;
    let orgs = state.db.organizations().await?;
    let mut units: Vec<(Option<String>, Value)> = rules::access_units(&state, &user)
        .await?
        .into_iter()
        .map(|u| {
            let org = orgs.iter().find(|o| o.id == u.organization_id).map(|o| {
                o.display_name
                    .clone()
                    .filter(|d| !d.is_empty())
                    .unwrap_or_else(|| o.name.clone())
            });
            let mut model = u.to_model();
            model["organization_name"] = json!(org);
            (org, model)
        })
        .collect();
    units.sort_by(|a, b| {
        (
            a.0.clone(),
            a.1["level"].as_i64(),
            a.1["name"].as_str().map(str::to_owned),
        )
            .cmp(&(
                b.0.clone(),
                b.1["level"].as_i64(),
                b.1["name"].as_str().map(str::to_owned),
            ))
    });
    Ok(Json(units.into_iter().map(|(_, m)| m).collect()))
}

fn info_of(user: &UserRow) -> Value {
    user.info
        .as_deref()
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or(Value::Null)
}

async fn get_user_limit(
    State(state): State<Arc<AppState>>,
    _: UsersReader,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = find_user(&state, &id).await?;
    let daily_used = state.db.usage_total(&id, kst_day_start(now())).await?;
    Ok(Json(
        json!({"per_model": rules::per_model_of(&info_of(&user)), "daily_used": daily_used}),
    ))
}

/// `POST /users/{id}/usage-limit`: replaces the map; `{}` removes `info.usage_limit`.
async fn set_user_limit(
    State(state): State<Arc<AppState>>,
    UsersWriter(_): UsersWriter,
    Path(id): Path<String>,
    Valid(form): Valid<PerModelForm>,
) -> ApiResult<Json<Value>> {
    let user = find_user(&state, &id).await?;
    let mut info = match info_of(&user) {
        Value::Object(m) => m,
        _ => serde_json::Map::new(),
    };
    let values = form.values();
    if values.is_empty() {
        info.remove("usage_limit");
    } else {
        info.insert("usage_limit".into(), json!({"per_model": values}));
    }
    let info = if info.is_empty() {
        Value::Null
    } else {
        Value::Object(info)
    };
    state.db.set_info(&id, &info).await?;
    let daily_used = state.db.usage_total(&id, kst_day_start(now())).await?;
    Ok(Json(json!({"per_model": values, "daily_used": daily_used})))
}

/// Today's counted tokens of a user on one base model (the quota's number).
async fn counted_today(state: &AppState, user_id: &str, model: &str) -> ApiResult<i64> {
    let sums = state
        .db
        .usage_by_model(user_id, kst_day_start(now()), Some(&COUNTED_TYPES))
        .await?;
    Ok(sums
        .into_iter()
        .find(|(m, _)| m == model)
        .map(|(_, t)| t)
        .unwrap_or(0))
}

/// `GET /users/{id}/usage-by-model?period=today|week|month`: counted usage per base model the
/// user can chat with, and for today the effective limit by the plain algorithm (users.md #19:
/// no admin or switched-off shortcut here); rows with nothing used and no limit are left out.
async fn usage_by_model(
    State(state): State<Arc<AppState>>,
    _: UsersReader,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Json<Vec<Value>>> {
    let user = find_user(&state, &id).await?;
    let now = now();
    let (since, today) = match params.get("period").map(String::as_str) {
        Some("week") => (now - 7 * 86_400, false),
        Some("month") => (now - 30 * 86_400, false),
        _ => (kst_day_start(now), true),
    };
    let used = state
        .db
        .usage_by_model(&id, since, Some(&COUNTED_TYPES))
        .await?;
    let mut rows = Vec::new();
    for model in state.db.models().await? {
        if model.base_model_id.is_some() || !model.is_active {
            continue;
        }
        let used = used
            .iter()
            .find(|(m, _)| *m == model.id)
            .map(|(_, t)| *t)
            .unwrap_or(0);
        let (limit, source) = if today {
            let effective = rules::limit(&state, &user, &model.id).await?;
            (effective.reported(), effective.source)
        } else {
            (0, String::new())
        };
        if used == 0 && limit == 0 {
            continue;
        }
        rows.push((used, json!({"model_id": model.id, "name": model.name, "used": used, "limit": limit, "source": source, "is_agent": false})));
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    Ok(Json(rows.into_iter().map(|(_, v)| v).collect()))
}
