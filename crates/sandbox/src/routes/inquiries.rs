//! Inquiries (inquiries.md): the unauthenticated type catalogue; users create and list their
//! own and close them (owner only, 404 otherwise); admins list all (exact status and type
//! filters, newest first, author joined), count per status (only statuses that occur), set any
//! status text and a note (400, not 404, for an unknown id), and delete.

use crate::AppState;
use crate::auth::{AdminUser, Verified};
use crate::db::inquiries::InquiryRow;
use crate::errors::{ApiFailure, ApiResult, NOT_FOUND};
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::Arc;

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/inquiries/types", get(types))
        .route("/api/v1/inquiries/", post(create))
        .route("/api/v1/inquiries/me", get(mine))
        .route("/api/v1/inquiries/list", get(list))
        .route("/api/v1/inquiries/stats", get(stats))
        .route("/api/v1/inquiries/{id}/close", post(close))
        .route("/api/v1/inquiries/{id}", post(update).delete(delete))
}

/// The hard-coded catalogue: type → (label, subtypes).
pub(crate) const CATALOGUE: &[(&str, &str, &[&str])] = &[
    (
        "usage_limit",
        "Usage Limit",
        &["limit_increase", "limit_check"],
    ),
    (
        "feature",
        "Feature Inquiry",
        &["chat", "agent", "knowledge", "database", "tool"],
    ),
    (
        "bug",
        "Bug Report",
        &["chat_error", "agent_error", "upload_error", "other_error"],
    ),
    (
        "account",
        "Account / Permission",
        &["permission_request", "account_issue"],
    ),
    ("other", "Other", &["improvement", "other"]),
];

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

fn shown(r: &InquiryRow, with_author: bool) -> Value {
    let mut v = json!({"id": r.id, "user_id": r.user_id, "title": r.title, "type": r.kind,
        "subtype": r.subtype, "content": r.content, "status": r.status, "admin_note": r.admin_note,
        "created_at": r.created_at, "updated_at": r.updated_at});
    if with_author {
        v["user_name"] = json!(r.user_name);
        v["user_email"] = json!(r.user_email);
    }
    v
}

async fn types() -> Json<Value> {
    let map: Map<String, Value> = CATALOGUE
        .iter()
        .map(|(k, label, subs)| ((*k).to_owned(), json!({"label": label, "subtypes": subs})))
        .collect();
    Json(Value::Object(map))
}

async fn create(
    State(state): State<Arc<AppState>>,
    Verified(user): Verified,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let missing: Vec<Value> = ["title", "type", "subtype", "content"]
        .iter()
        .filter(|f| !body[**f].is_string())
        .map(|f| json!({"type": "missing", "loc": ["body", f], "msg": "Field required", "input": body}))
        .collect();
    if !missing.is_empty() {
        return Err(ApiFailure::validation(missing));
    }
    let text = |k: &str| body[k].as_str().unwrap_or_default().to_owned();
    let Some((_, _, subtypes)) = CATALOGUE.iter().find(|(k, _, _)| *k == text("type")) else {
        return Err(ApiFailure::bad_request("Invalid inquiry type"));
    };
    if !subtypes.contains(&text("subtype").as_str()) {
        return Err(ApiFailure::bad_request("Invalid inquiry subtype"));
    }
    let t = now();
    let row = InquiryRow {
        id: uuid::Uuid::new_v4().to_string(),
        user_id: user.id.clone(),
        title: text("title"),
        kind: text("type"),
        subtype: text("subtype"),
        content: text("content"),
        status: "open".into(),
        admin_note: None,
        created_at: t,
        updated_at: t,
        user_name: None,
        user_email: None,
    };
    state.db.insert_inquiry(&row).await?;
    Ok(Json(shown(&row, false)))
}

async fn mine(
    State(state): State<Arc<AppState>>,
    Verified(user): Verified,
) -> ApiResult<Json<Value>> {
    let rows = state.db.inquiries(None, None, Some(&user.id)).await?;
    Ok(Json(Value::Array(
        rows.iter().map(|r| shown(r, false)).collect(),
    )))
}

async fn list(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let rows = state
        .db
        .inquiries(
            q.get("status_filter").map(String::as_str),
            q.get("type_filter").map(String::as_str),
            None,
        )
        .await?;
    Ok(Json(Value::Array(
        rows.iter().map(|r| shown(r, true)).collect(),
    )))
}

async fn stats(State(state): State<Arc<AppState>>, _: AdminUser) -> ApiResult<Json<Value>> {
    let mut counts: Map<String, Value> = Map::new();
    for r in state.db.inquiries(None, None, None).await? {
        let n = counts.get(&r.status).and_then(Value::as_i64).unwrap_or(0);
        counts.insert(r.status.clone(), json!(n + 1));
    }
    Ok(Json(Value::Object(counts)))
}

async fn close(
    State(state): State<Arc<AppState>>,
    Verified(user): Verified,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    match state.db.inquiry(&id).await? {
        Some(r) if r.user_id == user.id => {
            state
                .db
                .update_inquiry(&id, Some("closed"), None, now())
                .await?;
            let r = state
                .db
                .inquiry(&id)
                .await?
                .ok_or_else(|| ApiFailure::not_found(NOT_FOUND))?;
            Ok(Json(shown(&r, false)))
        }
        _ => Err(ApiFailure::not_found(NOT_FOUND)),
    }
}

#[derive(Deserialize)]
struct UpdateForm {
    status: Option<String>,
    admin_note: Option<String>,
}

async fn update(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
    Path(id): Path<String>,
    Json(form): Json<UpdateForm>,
) -> ApiResult<Json<Value>> {
    if !state
        .db
        .update_inquiry(
            &id,
            form.status.as_deref(),
            form.admin_note.as_deref(),
            now(),
        )
        .await?
    {
        return Err(ApiFailure::bad_request(NOT_FOUND));
    }
    let r = state
        .db
        .inquiry(&id)
        .await?
        .ok_or_else(|| ApiFailure::bad_request(NOT_FOUND))?;
    Ok(Json(shown(&r, false)))
}

async fn delete(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    if state.db.delete_inquiry(&id).await? {
        Ok(Json(json!(true)))
    } else {
        Err(ApiFailure::bad_request(NOT_FOUND))
    }
}
