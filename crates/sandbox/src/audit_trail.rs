//! What the sandbox records in its audit log, as the server does (audit-logs.md §3): sign-ins
//! (`LOGIN`, and `LOGIN_FAILED` with the e-mail tried and no actor), role changes through
//! `/users/update/role` only (before `{"role": old}`), and the notification settings save.
//! Best-effort: a failed write is logged and never fails the request. Demo data adds a few
//! weeks of rows of every action.

use crate::AppState;
use crate::db::UserRow;
use crate::db::audit::AuditRow;
use serde_json::{Value, json};

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// Stores one row; a failure is only logged.
pub(crate) async fn record(state: &AppState, row: AuditRow) {
    if let Err(e) = state.db.insert_audit(&[row]).await {
        tracing::warn!(error = %e, "audit write failed");
    }
}

/// A row of `action` on `resource_type` by `actor`, now.
pub(crate) fn row(
    actor: Option<&UserRow>,
    action: &str,
    resource_type: &str,
    resource: (Option<&str>, Option<&str>),
    path: &str,
) -> AuditRow {
    AuditRow {
        id: uuid::Uuid::new_v4().to_string(),
        user_id: actor.map(|u| u.id.clone()),
        user_email: actor.map(|u| u.email.clone()),
        user_name: actor.map(|u| u.name.clone()),
        resource_type: resource_type.to_owned(),
        resource_id: resource.0.map(str::to_owned),
        resource_name: resource.1.map(str::to_owned),
        action: action.to_owned(),
        ip_address: Some("127.0.0.1".into()),
        user_agent: None,
        request_path: Some(path.to_owned()),
        created_at: now(),
        ..Default::default()
    }
}

/// A sign-in: `LOGIN` for `user`, or `LOGIN_FAILED` for the e-mail tried.
pub(crate) async fn sign_in(state: &AppState, user: Option<&UserRow>, email: &str) {
    let path = "/api/v1/auths/signin";
    let mut r = match user {
        Some(u) => row(
            Some(u),
            "LOGIN",
            "auth",
            (Some(&u.id), Some(&u.email)),
            path,
        ),
        None => {
            let mut r = row(None, "LOGIN_FAILED", "auth", (None, None), path);
            r.user_email = Some(email.to_owned());
            r
        }
    };
    r.meta = Some(json!({"success": user.is_some()}).to_string());
    record(state, r).await;
}

/// A role change through `/users/update/role` (only when the value changed).
pub(crate) async fn role_change(state: &AppState, actor: &UserRow, user: &UserRow, old: &str) {
    if old == user.role {
        return;
    }
    let mut r = row(
        Some(actor),
        "ROLE_CHANGE",
        "user",
        (Some(&user.id), Some(&user.email)),
        "/api/v1/users/update/role",
    );
    r.before_state = Some(json!({"role": old}).to_string());
    r.after_state = Some(json!({"role": user.role}).to_string());
    r.changed_fields = Some(json!(["role"]).to_string());
    record(state, r).await;
}

/// A settings save of `section` with the after state the server writes for it.
pub(crate) async fn settings_change(
    state: &AppState,
    actor: &UserRow,
    section: &str,
    after: Value,
) {
    let mut r = row(
        Some(actor),
        "SETTINGS_CHANGE",
        "admin_settings",
        (Some(section), Some(section)),
        "/api/v1/notifications/config",
    );
    r.after_state = Some(after.to_string());
    record(state, r).await;
}

/// A few weeks of demo rows: sign-ins (a few failed), role changes, group and unit changes,
/// settings changes, spread over the last 28 days.
pub(crate) fn demo_rows(people: &[crate::db::NewUser], now: i64) -> Vec<AuditRow> {
    let actors: Vec<Actor> = people
        .iter()
        .map(|p| Actor {
            id: p.id.clone(),
            name: p.name.clone(),
            email: p.email.clone(),
        })
        .collect();
    rows_of(&actors, now, 3000, 0)
}

/// Who a generated row names as its actor.
pub(crate) struct Actor {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) email: String,
}

/// `count` rows of every kind spread over the 28 days before `now`, ids from `first`.
pub(crate) fn rows_of(people: &[Actor], now: i64, count: u64, first: u64) -> Vec<AuditRow> {
    let mut out = Vec::new();
    let mut seed: u64 = 0xA0D1_7000_0000_0001 ^ first.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut next = |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n.max(1)
    };
    let actions: [(&str, &str); 8] = [
        ("LOGIN", "auth"),
        ("LOGIN", "auth"),
        ("LOGIN", "auth"),
        ("LOGIN_FAILED", "auth"),
        ("ROLE_CHANGE", "user"),
        ("UPDATE", "group"),
        ("UPDATE", "organizational_unit"),
        ("SETTINGS_CHANGE", "admin_settings"),
    ];
    let span = 28 * 86_400_i64;
    for i in first..first + count {
        let Some(p) = people.get(next(people.len() as u64) as usize) else {
            break;
        };
        let (action, kind) = actions[next(actions.len() as u64) as usize];
        // Never in the future: the newest real row is always the latest.
        let at =
            (now - span + ((i - first) as i64) * span / (count.max(1) as i64) + next(600) as i64)
                .min(now - 60);
        let mut r = AuditRow {
            id: format!("00000000-0000-4000-a000-{i:012}"),
            user_id: Some(p.id.clone()),
            user_email: Some(p.email.clone()),
            user_name: Some(p.name.clone()),
            resource_type: kind.to_owned(),
            resource_id: Some(p.id.clone()),
            resource_name: Some(p.email.clone()),
            action: action.to_owned(),
            ip_address: Some(format!("10.0.{}.{}", next(255), next(255))),
            user_agent: Some("Mozilla/5.0".into()),
            request_path: Some("/api/v1/auths/signin".into()),
            created_at: at,
            ..Default::default()
        };
        match action {
            "LOGIN" => r.meta = Some(json!({"success": true}).to_string()),
            "LOGIN_FAILED" => {
                r.user_id = None;
                r.user_name = None;
                r.resource_id = None;
                r.resource_name = None;
                r.meta = Some(json!({"success": false}).to_string());
            }
            "ROLE_CHANGE" => {
                r.request_path = Some("/api/v1/users/update/role".into());
                r.before_state = Some(json!({"role": "pending"}).to_string());
                r.after_state = Some(json!({"role": "user"}).to_string());
                r.changed_fields = Some(json!(["role"]).to_string());
            }
            "SETTINGS_CHANGE" => {
                r.resource_id = Some("general".into());
                r.resource_name = Some("general".into());
                r.request_path = Some("/api/v1/auths/admin/config".into());
                r.after_state = Some(json!({"ENABLE_SIGNUP": next(2) == 0}).to_string());
            }
            _ => {
                // Hook-written updates carry no diff: before equals after.
                let state =
                    json!({"id": p.id, "name": format!("{kind} of {}", p.name)}).to_string();
                r.before_state = Some(state.clone());
                r.after_state = Some(state);
                r.changed_fields = Some("[]".into());
                r.request_path = Some(format!("/api/v1/{kind}s/update"));
            }
        }
        out.push(r);
    }
    out
}
