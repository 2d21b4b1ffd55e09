//! The groups router (groups.md): every write gated by "any `admin.users` but none", updates that
//! replace whole sub-objects, a 401 for an unknown id on GET and double-wrapped 400s on update and
//! delete.

use super::PerModelForm;
use crate::auth::{GroupManager, Verified};
use crate::db::GroupRow;
use crate::errors::{self, ApiFailure, ApiResult};
use crate::validate::{Field, Form, Kind, Valid};
use crate::{AppState, now};
use axum::extract::{Path, State};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/groups/", get(list_groups))
        .route("/api/v1/groups/create", post(create_group))
        .route("/api/v1/groups/names", post(group_names))
        .route("/api/v1/groups/id/{id}", get(get_group))
        .route("/api/v1/groups/id/{id}/member-emails", get(member_emails))
        .route("/api/v1/groups/id/{id}/update", post(update_group))
        .route(
            "/api/v1/groups/id/{id}/usage-limit",
            get(get_group_limit).post(set_group_limit),
        )
        .route("/api/v1/groups/id/{id}/delete", delete(delete_group))
}

/// Admins see every group (most recently updated first); others only their direct ones.
async fn list_groups(
    State(state): State<Arc<AppState>>,
    Verified(me): Verified,
) -> ApiResult<Json<Vec<Value>>> {
    let groups = state.db.groups().await?;
    let admin = me.role == "admin";
    Ok(Json(
        groups
            .iter()
            .filter(|g| admin || g.member_ids().contains(&me.id))
            .map(GroupRow::to_model)
            .collect(),
    ))
}

#[derive(Deserialize)]
struct GroupForm {
    name: String,
    description: String,
    permissions: Option<Value>,
}

impl Form for GroupForm {
    const FIELDS: &'static [Field] = &[
        Field::string("name"),
        Field::string("description"),
        Field::optional("permissions", Kind::OptObject),
    ];
}

/// `POST /groups/create`: `user_ids` and `meta` in the body are ignored.
async fn create_group(
    State(state): State<Arc<AppState>>,
    GroupManager(me): GroupManager,
    Valid(form): Valid<GroupForm>,
) -> ApiResult<Json<Value>> {
    let t = now();
    let row = GroupRow {
        id: uuid::Uuid::new_v4().to_string(),
        user_id: me.id,
        name: form.name,
        description: form.description,
        permissions: form
            .permissions
            .filter(|p| !p.is_null())
            .map(|p| p.to_string()),
        data: None,
        meta: None,
        user_ids: "[]".into(),
        created_at: t,
        updated_at: t,
    };
    state.db.insert_group(&row).await?;
    Ok(Json(row.to_model()))
}

#[derive(Deserialize)]
struct NamesForm {
    ids: Vec<String>,
}

impl Form for NamesForm {
    const FIELDS: &'static [Field] = &[Field {
        name: "ids",
        kind: Kind::OptStrList,
        required: true,
    }];
}

async fn group_names(
    State(state): State<Arc<AppState>>,
    Verified(_): Verified,
    Valid(form): Valid<NamesForm>,
) -> ApiResult<Json<Vec<Value>>> {
    let groups = state.db.groups().await?;
    Ok(Json(
        form.ids
            .iter()
            .filter_map(|id| groups.iter().find(|g| &g.id == id))
            .map(|g| json!({"id": g.id, "name": g.name}))
            .collect(),
    ))
}

/// `GET /groups/id/{id}`: an unknown id is a **401** (groups.md #4).
async fn get_group(
    State(state): State<Arc<AppState>>,
    GroupManager(_): GroupManager,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let group = state
        .db
        .group(&id)
        .await?
        .ok_or_else(|| ApiFailure::unauthorized(errors::NOT_FOUND))?;
    Ok(Json(group.to_model()))
}

/// Admins and direct members only; unknown id 404.
async fn member_emails(
    State(state): State<Arc<AppState>>,
    Verified(me): Verified,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Value>>> {
    let group = state
        .db
        .group(&id)
        .await?
        .ok_or_else(|| ApiFailure::not_found(errors::NOT_FOUND))?;
    let members = group.member_ids();
    if me.role != "admin" && !members.contains(&me.id) {
        return Err(ApiFailure::forbidden(errors::ACCESS_PROHIBITED));
    }
    let mut out = Vec::new();
    for m in members {
        if let Some(u) = state.db.user_by_id(&m).await?
            && !u.email.is_empty()
        {
            let name = if u.name.is_empty() {
                u.email.clone()
            } else {
                u.name.clone()
            };
            out.push(json!({"name": name, "email": u.email}));
        }
    }
    Ok(Json(out))
}

#[derive(Deserialize)]
struct UpdateForm {
    name: String,
    description: String,
    permissions: Option<Value>,
    user_ids: Option<Vec<String>>,
    meta: Option<Value>,
}

impl Form for UpdateForm {
    const FIELDS: &'static [Field] = &[
        Field::string("name"),
        Field::string("description"),
        Field::optional("permissions", Kind::OptObject),
        Field::optional("user_ids", Kind::OptStrList),
        Field::optional("meta", Kind::OptObject),
    ];
}

/// `POST /groups/id/{id}/update`: each non-null sub-object replaces the stored one whole;
/// unknown user ids are dropped from `user_ids`.
async fn update_group(
    State(state): State<Arc<AppState>>,
    GroupManager(_): GroupManager,
    Path(id): Path<String>,
    Valid(form): Valid<UpdateForm>,
) -> ApiResult<Json<Value>> {
    let mut group = state
        .db
        .group(&id)
        .await?
        .ok_or_else(|| ApiFailure::bad_request(errors::GROUP_UPDATE_ERROR))?;
    group.name = form.name;
    group.description = form.description;
    if let Some(p) = form.permissions.filter(|p| !p.is_null()) {
        group.permissions = Some(p.to_string());
    }
    if let Some(ids) = form.user_ids {
        let mut known = Vec::new();
        for uid in ids {
            if state.db.user_by_id(&uid).await?.is_some() && !known.contains(&uid) {
                known.push(uid);
            }
        }
        group.user_ids = json!(known).to_string();
    }
    if let Some(m) = form.meta.filter(|m| !m.is_null()) {
        group.meta = Some(m.to_string());
    }
    group.updated_at = now();
    state.db.save_group(&group).await?;
    Ok(Json(group.to_model()))
}

async fn get_group_limit(
    State(state): State<Arc<AppState>>,
    GroupManager(_): GroupManager,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let group = state
        .db
        .group(&id)
        .await?
        .ok_or_else(|| ApiFailure::not_found(errors::NOT_FOUND))?;
    Ok(Json(
        json!({"per_model": crate::rules::per_model_of(&group.meta_json())}),
    ))
}

/// Replaces `meta.usage_limit`, keeping the other `meta` keys.
async fn set_group_limit(
    State(state): State<Arc<AppState>>,
    GroupManager(_): GroupManager,
    Path(id): Path<String>,
    Valid(form): Valid<PerModelForm>,
) -> ApiResult<Json<Value>> {
    let mut group = state
        .db
        .group(&id)
        .await?
        .ok_or_else(|| ApiFailure::not_found(errors::NOT_FOUND))?;
    let mut meta = match group.meta_json() {
        Value::Object(m) => m,
        _ => serde_json::Map::new(),
    };
    let values = form.values();
    if values.is_empty() {
        meta.remove("usage_limit");
    } else {
        meta.insert("usage_limit".into(), json!({"per_model": values}));
    }
    group.meta = if meta.is_empty() {
        None
    } else {
        Some(Value::Object(meta).to_string())
    };
    group.updated_at = now();
    state.db.save_group(&group).await?;
    Ok(Json(json!({"per_model": values})))
}

async fn delete_group(
    State(state): State<Arc<AppState>>,
    GroupManager(_): GroupManager,
    Path(id): Path<String>,
) -> ApiResult<Json<bool>> {
    if state.db.delete_group(&id).await? {
        Ok(Json(true))
    } else {
        Err(ApiFailure::bad_request(errors::GROUP_DELETE_ERROR))
    }
}
