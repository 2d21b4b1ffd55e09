//! The server's built-in default feature permissions (permissions.md §1, "Built-in default"),
//! returned as the effective permissions of every user while no groups or stored defaults
//! exist in the sandbox.

use serde_json::{Value, json};

/// The built-in permission object, as a fresh deployment reports it at sign-in.
pub fn builtin_defaults() -> Value {
    json!({
        "admin": {"users": "none", "evaluations": "none", "settings": "none", "monitoring": "none"},
        "workspace": {
            "agents": "none", "knowledge": "none", "prompts": "none", "tools": "none",
            "databases": "none", "glossaries": "none", "knowledge_graphs": "none",
            "guardrails": "none", "agent_flows": "none", "schedules": "read", "tags": "write",
            "marketplace": "none"
        },
        "sharing": {
            "public_agents": false, "public_knowledge": false, "public_prompts": false,
            "public_tools": false, "public_databases": false, "public_glossaries": false
        },
        "chat": {
            "controls": true, "file_upload": true, "delete": true, "edit": true, "stt": true,
            "tts": true, "call": true, "multiple_models": true, "temporary": true,
            "temporary_enforced": false
        },
        "features": {
            "direct_tool_servers": false, "web_search": true, "image_generation": true,
            "gmail": true, "calendar": true, "drive": true, "scheduled_tasks": true,
            "code_gateway": false
        }
    })
}
