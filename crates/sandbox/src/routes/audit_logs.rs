//! Audit logs (audit-logs.md §5): the filtered, paged list (22 for a page below 1 or a limit
//! outside 1–100), one entry (404 `Audit log not found`), a resource's history (400 for a
//! resource type outside the enum), what a user did, access-control changes (always empty:
//! nothing writes them), authentication events, stats and the vocabularies present. Callers:
//! admin, or `admin.monitoring` ≥ read from a group; the license module is not enforced here,
//! as on a deployment with enforcement off.

use crate::AppState;
use crate::auth::MonitoringReader;
use crate::db::audit::{AuditFilter, AuditRow};
use crate::errors::{ApiFailure, ApiResult};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::Arc;

/// The resource types the per-resource endpoints accept.
const RESOURCE_ENUM: [&str; 16] = [
    "model",
    "knowledge",
    "dbsphere",
    "glossary",
    "prompt",
    "tool",
    "agent",
    "chat",
    "user",
    "organization",
    "organizational_unit",
    "group",
    "auth",
    "memory",
    "admin_settings",
    "embed_widget",
];

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/audit-logs/", get(list))
        .route("/api/v1/audit-logs/stats", get(stats))
        .route("/api/v1/audit-logs/actions", get(actions))
        .route("/api/v1/audit-logs/resource-types", get(resource_types))
        .route("/api/v1/audit-logs/auth", get(auth_events))
        .route(
            "/api/v1/audit-logs/access-control-changes",
            get(acl_changes),
        )
        .route("/api/v1/audit-logs/users/{id}", get(by_actor))
        .route("/api/v1/audit-logs/resources/{kind}/{id}", get(by_resource))
        .route("/api/v1/audit-logs/{id}", get(one))
}

type Params = Query<HashMap<String, String>>;

/// Test-only: adds `count` synthetic rows from demo-like actors (for exports of a million);
/// with `same_second`, all at one time.
pub(super) fn test_hooks() -> Router<Arc<AppState>> {
    Router::new().route("/_sandbox/audit_rows", axum::routing::post(add_rows))
}

async fn add_rows(
    State(state): State<Arc<AppState>>,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let count = body["count"].as_u64().unwrap_or(0).min(2_000_000);
    // All in one second: more rows than a page share a time.
    let same_second = body["same_second"].as_bool().unwrap_or(false);
    let actors = state.db.users_for_audit().await?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    let mut done = 0;
    while done < count {
        let n = (count - done).min(10_000);
        let mut rows = crate::audit_trail::rows_of(&actors, now, n, 1_000_000 + done);
        for r in &mut rows {
            r.id = uuid::Uuid::new_v4().to_string();
            if same_second {
                r.created_at = now - 10;
            }
        }
        state.db.insert_audit(&rows).await?;
        done += n;
    }
    Ok(Json(json!({"added": count})))
}

fn list_of(text: Option<&String>) -> Vec<String> {
    text.map(|t| {
        t.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    })
    .unwrap_or_default()
}

fn is_uuid(text: &str) -> bool {
    uuid::Uuid::parse_str(text).is_ok()
}

fn filter_of(q: &HashMap<String, String>) -> AuditFilter {
    let date = |k: &str| {
        q.get(k)
            .and_then(|v| v.parse::<i64>().ok())
            .filter(|v| *v != 0)
    };
    let actor = q
        .get("user_id")
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    AuditFilter {
        resource_types: list_of(q.get("resource_type")),
        resource_id: q.get("resource_id").cloned(),
        actions: list_of(q.get("action")),
        actor_id: actor.clone().filter(|a| is_uuid(a)),
        actor_name: actor.filter(|a| !is_uuid(a)).map(|a| a.to_lowercase()),
        from: date("from_date"),
        to: date("to_date"),
    }
}

fn int_param(
    q: &HashMap<String, String>,
    key: &str,
    default: i64,
    min: i64,
    max: i64,
) -> ApiResult<i64> {
    let value = match q.get(key) {
        None => default,
        Some(v) => v.parse::<i64>().map_err(|_| {
            ApiFailure::validation(vec![json!({"type": "int_parsing", "loc": ["query", key],
                "msg": "Input should be a valid integer", "input": v})])
        })?,
    };
    if value < min || value > max {
        let (kind, msg) = if value < min {
            (
                "greater_than_equal",
                format!("Input should be greater than or equal to {min}"),
            )
        } else {
            (
                "less_than_equal",
                format!("Input should be less than or equal to {max}"),
            )
        };
        return Err(ApiFailure::validation(vec![
            json!({"type": kind, "loc": ["query", key],
            "msg": msg, "input": q.get(key)}),
        ]));
    }
    Ok(value)
}

fn rows(list: &[AuditRow]) -> Value {
    Value::Array(list.iter().map(AuditRow::json).collect())
}

async fn list(
    State(state): State<Arc<AppState>>,
    _: MonitoringReader,
    Query(q): Params,
) -> ApiResult<Json<Value>> {
    let page = int_param(&q, "page", 1, 1, i64::MAX)?;
    let limit = int_param(&q, "limit", 50, 1, 100)?;
    let offset = (page - 1).saturating_mul(limit);
    let (items, total) = state.db.audit_page(&filter_of(&q), limit, offset).await?;
    Ok(Json(
        json!({"items": rows(&items), "total": total, "page": page, "limit": limit,
        "total_pages": (total + limit - 1) / limit}),
    ))
}

async fn one(
    State(state): State<Arc<AppState>>,
    _: MonitoringReader,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    match state.db.audit_row(&id).await? {
        Some(r) => Ok(Json(r.json())),
        None => Err(ApiFailure::not_found("Audit log not found")),
    }
}

fn enum_checked(kind: &str) -> ApiResult<()> {
    if RESOURCE_ENUM.contains(&kind) {
        Ok(())
    } else {
        Err(ApiFailure::new(
            StatusCode::BAD_REQUEST,
            &format!("Invalid resource_type. Must be one of: {RESOURCE_ENUM:?}"),
        ))
    }
}

async fn by_resource(
    State(state): State<Arc<AppState>>,
    _: MonitoringReader,
    Path((kind, id)): Path<(String, String)>,
    Query(q): Params,
) -> ApiResult<Json<Value>> {
    enum_checked(&kind)?;
    let limit = int_param(&q, "limit", 100, 1, 500)?;
    let filter = AuditFilter {
        resource_types: vec![kind],
        resource_id: Some(id),
        ..Default::default()
    };
    let (found, _) = state.db.audit_page(&filter, limit, 0).await?;
    Ok(Json(rows(&found)))
}

async fn by_actor(
    State(state): State<Arc<AppState>>,
    _: MonitoringReader,
    Path(id): Path<String>,
    Query(q): Params,
) -> ApiResult<Json<Value>> {
    let limit = int_param(&q, "limit", 100, 1, 500)?;
    let filter = AuditFilter {
        actor_id: Some(id),
        ..Default::default()
    };
    let (found, _) = state.db.audit_page(&filter, limit, 0).await?;
    Ok(Json(rows(&found)))
}

async fn acl_changes(
    State(state): State<Arc<AppState>>,
    _: MonitoringReader,
    Query(q): Params,
) -> ApiResult<Json<Value>> {
    if let Some(kind) = q.get("resource_type") {
        enum_checked(kind)?;
    }
    let limit = int_param(&q, "limit", 100, 1, 500)?;
    let filter = AuditFilter {
        actions: vec!["ACCESS_CONTROL_CHANGE".into()],
        resource_types: q.get("resource_type").cloned().into_iter().collect(),
        ..Default::default()
    };
    let (found, _) = state.db.audit_page(&filter, limit, 0).await?;
    Ok(Json(rows(&found)))
}

async fn auth_events(
    State(state): State<Arc<AppState>>,
    _: MonitoringReader,
    Query(q): Params,
) -> ApiResult<Json<Value>> {
    let limit = int_param(&q, "limit", 100, 1, 500)?;
    let filter = AuditFilter {
        actions: [
            "LOGIN",
            "LOGOUT",
            "LOGIN_FAILED",
            "API_KEY_CREATED",
            "API_KEY_DELETED",
        ]
        .map(str::to_owned)
        .to_vec(),
        actor_id: q.get("target_user_id").cloned(),
        ..Default::default()
    };
    let (found, _) = state.db.audit_page(&filter, limit, 0).await?;
    Ok(Json(rows(&found)))
}

async fn stats(
    State(state): State<Arc<AppState>>,
    _: MonitoringReader,
    Query(q): Params,
) -> ApiResult<Json<Value>> {
    let filter = filter_of(&q);
    let counted = |pairs: Vec<(String, i64)>| -> Map<String, Value> {
        pairs.into_iter().map(|(k, n)| (k, json!(n))).collect()
    };
    let by_action = state.db.audit_counts(&filter, true).await?;
    let total: i64 = by_action.iter().map(|(_, n)| n).sum();
    let by_type = state.db.audit_counts(&filter, false).await?;
    Ok(Json(
        json!({"by_action": counted(by_action), "by_resource_type": counted(by_type), "total": total}),
    ))
}

async fn actions(
    State(state): State<Arc<AppState>>,
    _: MonitoringReader,
    Query(q): Params,
) -> ApiResult<Json<Value>> {
    let filter = AuditFilter {
        resource_types: list_of(q.get("resource_type")),
        ..Default::default()
    };
    let found: Vec<String> = state
        .db
        .audit_counts(&filter, true)
        .await?
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    Ok(Json(json!(found)))
}

async fn resource_types(
    State(state): State<Arc<AppState>>,
    _: MonitoringReader,
    Query(q): Params,
) -> ApiResult<Json<Value>> {
    let filter = AuditFilter {
        actions: list_of(q.get("action")),
        ..Default::default()
    };
    let found: Vec<String> = state
        .db
        .audit_counts(&filter, false)
        .await?
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    Ok(Json(json!(found)))
}
