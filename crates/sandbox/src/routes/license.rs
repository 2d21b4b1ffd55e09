//! The license module map (license-branding.md, `GET /api/v1/license/permissions`): the sandbox
//! holds no license key and does not enforce modules, as a deployment with
//! `ENABLE_LICENSE_ENFORCEMENT` off.

use crate::AppState;
use crate::auth::Verified;
use crate::errors::ApiResult;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// Every module the contract names, standard, professional and enterprise tiers.
const MODULES: [&str; 19] = [
    "audit_log",
    "glossary",
    "guardrail",
    "image_generation",
    "kbsphere",
    "tools",
    "agent_flow",
    "ai_dashboard",
    "branding",
    "dbsphere",
    "document_templates",
    "embed_widget",
    "evaluation",
    "trace",
    "code_gateway",
    "encryption",
    "file_guardrail",
    "global_guardrail",
    "knowledge_graph",
];

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/api/v1/license/permissions", get(permissions))
}

/// No license: every module off; enforcement off, so the legacy flags are all on.
async fn permissions(Verified(_): Verified) -> ApiResult<Json<Value>> {
    let modules: Map<String, Value> = MODULES
        .iter()
        .map(|m| ((*m).to_owned(), json!(false)))
        .collect();
    Ok(Json(json!({
        "permissions": modules,
        "has_license": false,
        "tier": null,
        "enforcement_enabled": false,
        "enhanced_kbsphere": true,
        "enhanced_dbsphere": true,
        "enhanced_tool_use": true,
    })))
}
