//! Audit log queries (audit-logs.md): the filters the server's list and stats take, checked
//! before anything is sent (page ≥ 1, limit 1–100, a date range that is one), and the
//! vocabularies — the resource types the per-resource endpoints accept (others occur in the
//! data but are refused there with 400), the authentication actions, and what the server
//! writes no row for, so a viewer can say "not recorded" instead of "nothing happened".

use serde::{Deserialize, Serialize};

/// The resource types the per-resource and access-control endpoints accept (#3, #5).
pub const AUDITED_RESOURCE_TYPES: [&str; 16] = [
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

/// The actions endpoint #6 lists as authentication events (`GUEST_SESSION` is not one).
pub const AUTH_ACTIONS: [&str; 5] = [
    "LOGIN",
    "LOGOUT",
    "LOGIN_FAILED",
    "API_KEY_CREATED",
    "API_KEY_DELETED",
];

/// Changes the server makes without writing an audit row (audit-logs.md §3), as the viewer
/// states them.
pub const NOT_RECORDED: [&str; 6] = [
    "a user's name, e-mail, password or role changed through the user edit form",
    "a user's own profile, password, settings and info",
    "the default permissions",
    "the Super Admin",
    "a user's usage limit",
    "resource sharing (no ACCESS_CONTROL_CHANGE row is ever written)",
];

/// The largest page the list takes.
pub const AUDIT_PAGE_LIMIT: u32 = 100;

/// Filters of the list (#1) and the stats (#7).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AuditQuery {
    /// Page, from 1.
    #[serde(default)]
    pub page: Option<u32>,
    /// Rows per page, 1–100 (default 50).
    #[serde(default)]
    pub limit: Option<u32>,
    /// Resource types (any of).
    #[serde(default)]
    pub resource_types: Vec<String>,
    /// One resource id.
    #[serde(default)]
    pub resource_id: Option<String>,
    /// Actions (any of; exact, upper case).
    #[serde(default)]
    pub actions: Vec<String>,
    /// The actor: a user id (exact), or part of the actor's name (not the e-mail: the server
    /// matches names only).
    #[serde(default)]
    pub actor: Option<String>,
    /// From (epoch seconds, inclusive).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub from: Option<i64>,
    /// To (epoch seconds, inclusive).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub to: Option<i64>,
}

/// A filter that cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AuditQueryProblem {
    /// The field.
    pub field: String,
    /// Why.
    pub message: String,
}

fn joined(values: &[String]) -> Option<String> {
    let kept: Vec<&str> = values
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .collect();
    (!kept.is_empty()).then(|| kept.join(","))
}

impl AuditQuery {
    /// The query string of the list (`page`, `limit` and the filters), or every problem.
    pub fn list_params(&self) -> Result<Vec<(&'static str, String)>, Vec<AuditQueryProblem>> {
        let mut problems = Vec::new();
        let page = self.page.unwrap_or(1);
        if page == 0 {
            problems.push(AuditQueryProblem {
                field: "page".into(),
                message: "pages count from 1".into(),
            });
        }
        let limit = self.limit.unwrap_or(50);
        if !(1..=AUDIT_PAGE_LIMIT).contains(&limit) {
            problems.push(AuditQueryProblem {
                field: "limit".into(),
                message: format!("a page holds 1 to {AUDIT_PAGE_LIMIT} rows"),
            });
        }
        let mut params = vec![("page", page.to_string()), ("limit", limit.to_string())];
        match self.filter_params() {
            Ok(filters) => params.extend(filters),
            Err(more) => problems.extend(more),
        }
        if problems.is_empty() {
            Ok(params)
        } else {
            Err(problems)
        }
    }

    /// The filters alone, as the stats take them.
    pub fn filter_params(&self) -> Result<Vec<(&'static str, String)>, Vec<AuditQueryProblem>> {
        let mut problems = Vec::new();
        if let (Some(from), Some(to)) = (self.from, self.to)
            && from > to
        {
            problems.push(AuditQueryProblem {
                field: "from".into(),
                message: "the range starts after it ends".into(),
            });
        }
        for (field, value) in [("from", self.from), ("to", self.to)] {
            if value.is_some_and(|v| v < 0) {
                problems.push(AuditQueryProblem {
                    field: field.into(),
                    message: "a date is seconds since 1970".into(),
                });
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut params = Vec::new();
        if let Some(v) = joined(&self.resource_types) {
            params.push(("resource_type", v));
        }
        if let Some(v) = self
            .resource_id
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            params.push(("resource_id", v.to_owned()));
        }
        if let Some(v) = joined(&self.actions) {
            params.push(("action", v));
        }
        if let Some(v) = self
            .actor
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            params.push(("user_id", v.to_owned()));
        }
        // 0 means "no bound" to the server: a range from the epoch is sent as 1.
        if let Some(from) = self.from {
            params.push(("from_date", from.max(1).to_string()));
        }
        if let Some(to) = self.to {
            params.push(("to_date", to.to_string()));
        }
        Ok(params)
    }
}

/// Whether the per-resource endpoint (#3) takes this resource type (others are refused with
/// 400 there, though they occur in the data).
pub fn has_resource_history(resource_type: &str) -> bool {
    AUDITED_RESOURCE_TYPES.contains(&resource_type)
}

/// The server's page count for `total` rows at `limit` a page.
pub fn total_pages(total: u64, limit: u32) -> u64 {
    if limit == 0 {
        0
    } else {
        total.div_ceil(u64::from(limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_becomes_the_servers_parameters() {
        let q = AuditQuery {
            page: Some(2),
            limit: Some(100),
            resource_types: vec!["user".into(), " group ".into(), "".into()],
            actions: vec!["ROLE_CHANGE".into()],
            actor: Some("  Kim ".into()),
            from: Some(0),
            to: Some(1_800_000_000),
            ..Default::default()
        };
        assert_eq!(
            q.list_params().expect("valid"),
            vec![
                ("page", "2".to_owned()),
                ("limit", "100".to_owned()),
                ("resource_type", "user,group".to_owned()),
                ("action", "ROLE_CHANGE".to_owned()),
                ("user_id", "Kim".to_owned()),
                ("from_date", "1".to_owned()),
                ("to_date", "1800000000".to_owned()),
            ]
        );
    }

    #[test]
    fn bad_pages_limits_and_ranges_are_refused_with_their_field() {
        let q = AuditQuery {
            page: Some(0),
            limit: Some(500),
            from: Some(20),
            to: Some(10),
            ..Default::default()
        };
        let fields: Vec<String> = q
            .list_params()
            .expect_err("bad")
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, vec!["page", "limit", "from"]);
    }

    #[test]
    fn pages_and_resource_histories_follow_the_contract() {
        assert_eq!(total_pages(0, 50), 0);
        assert_eq!(total_pages(101, 50), 3);
        assert!(has_resource_history("organizational_unit"));
        assert!(!has_resource_history("knowledge_graph"));
    }
}
