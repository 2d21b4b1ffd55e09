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

/// Walks the newest-first audit list by time instead of by page number: each request asks for
/// the first page up to the oldest time seen so far (`to_date`), so the server never skips an
/// ever larger `OFFSET` (which made a 100,000-row export quadratic), and rows written while it
/// runs cannot shift the pages. Rows sharing the boundary second are remembered so none is
/// written twice; a second holding more than a full page is paged through on its own.
#[derive(Debug, Clone, Default)]
pub struct TimeCursor {
    bound: Option<i64>,
    seen: std::collections::HashSet<String>,
    within: Option<(i64, u32)>,
    done: bool,
}

/// The next request of a [`TimeCursor`]: the range and the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CursorRequest {
    /// `from_date` instead of the query's own (inside one crowded second), if any.
    pub from: Option<i64>,
    /// `to_date`.
    pub to: Option<i64>,
    /// The page.
    pub page: u32,
}

impl TimeCursor {
    /// A walk of everything up to `to` (the query's own bound, if any).
    pub fn new(to: Option<i64>) -> Self {
        TimeCursor {
            bound: to,
            ..Default::default()
        }
    }

    /// Whether the walk is over.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The next request to make.
    pub fn next_request(&self) -> CursorRequest {
        match self.within {
            Some((second, page)) => CursorRequest {
                from: Some(second),
                to: Some(second),
                page,
            },
            None => CursorRequest {
                from: None,
                to: self.bound,
                page: 1,
            },
        }
    }

    /// Takes the answer to [`TimeCursor::next_request`] — its rows' ids and times in order, and
    /// whether the page was full — and gives the positions of the rows not written before.
    pub fn advance(&mut self, rows: &[(&str, i64)], full: bool) -> Vec<usize> {
        let fresh: Vec<usize> = rows
            .iter()
            .enumerate()
            .filter(|(_, (id, _))| !self.seen.contains(*id))
            .map(|(i, _)| i)
            .collect();
        if let Some((second, page)) = self.within {
            self.seen
                .extend(rows.iter().map(|(id, _)| (*id).to_owned()));
            if full {
                self.within = Some((second, page + 1));
            } else {
                // The crowded second is written: go on just before it.
                self.within = None;
                self.bound = Some(second - 1);
                self.seen.clear();
            }
            return fresh;
        }
        let Some(&(_, oldest)) = rows.last() else {
            self.done = true;
            return fresh;
        };
        if !full {
            self.done = true;
            return fresh;
        }
        if rows.iter().all(|(_, at)| *at == oldest) {
            // A full page of one second: page through that second alone (page 1 was this one).
            self.seen
                .extend(rows.iter().map(|(id, _)| (*id).to_owned()));
            self.within = Some((oldest, 2));
            return fresh;
        }
        if self.bound != Some(oldest) {
            self.seen.clear();
        }
        self.seen.extend(
            rows.iter()
                .filter(|(_, at)| *at == oldest)
                .map(|(id, _)| (*id).to_owned()),
        );
        self.bound = Some(oldest);
        fresh
    }
}

/// A row as the console keeps it in its local copy: every secret-named value masked (the
/// server masks most, not all: a `WEBHOOK_URL` setting is saved in clear), webhook URLs and
/// connection strings cut down to where they reach.
pub fn stored_form(value: &serde_json::Value) -> serde_json::Value {
    use crate::notifications::shown::{shown_connection_string, shown_url};
    use crate::settings::{is_secret_name, mask};
    use serde_json::Value;
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let lower = k.to_ascii_lowercase();
                    let kept = match v {
                        Value::String(s) if is_secret_name(k) => Value::String(mask(s)),
                        Value::String(s) if lower.contains("webhook") || lower == "url" => {
                            Value::String(shown_url(s))
                        }
                        Value::String(s) if lower.contains("connection_string") => {
                            Value::String(shown_connection_string(s))
                        }
                        other => stored_form(other),
                    };
                    (k.clone(), kept)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(stored_form).collect()),
        other => other.clone(),
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

    /// A server over `rows` (id, time): newest first, `to`/`from` inclusive, pages of `limit`.
    fn serve(rows: &[(String, i64)], req: CursorRequest, limit: usize) -> Vec<(String, i64)> {
        let mut sorted: Vec<&(String, i64)> = rows
            .iter()
            .filter(|(_, at)| req.to.is_none_or(|t| *at <= t) && req.from.is_none_or(|f| *at >= f))
            .collect();
        sorted.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
        sorted
            .into_iter()
            .skip((req.page as usize - 1) * limit)
            .take(limit)
            .cloned()
            .collect()
    }

    #[test]
    fn a_walk_by_time_yields_every_row_once_even_when_many_share_a_second() {
        for seed in 1..=200u64 {
            let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
            let mut next = |n: u64| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x % n
            };
            let count = 1 + next(300) as usize;
            let spread = 1 + next(50) as i64;
            let mut rows: Vec<(String, i64)> = (0..count)
                .map(|i| (format!("r{i:04}"), 1_000 + next(spread as u64) as i64))
                .collect();
            // Sometimes one second holds more than a page.
            if next(3) == 0 {
                rows.extend((0..25).map(|i| (format!("c{i:02}"), 1_000)));
            }
            let limit = 1 + next(10) as usize;
            let mut cursor = TimeCursor::new(None);
            let mut written = Vec::new();
            let mut requests = 0;
            while !cursor.is_done() {
                requests += 1;
                assert!(requests < 10_000, "seed {seed}: the walk does not end");
                let page = serve(&rows, cursor.next_request(), limit);
                let view: Vec<(&str, i64)> =
                    page.iter().map(|(id, at)| (id.as_str(), *at)).collect();
                for i in cursor.advance(&view, page.len() == limit) {
                    written.push(page[i].0.clone());
                }
            }
            let mut want: Vec<String> = rows.iter().map(|(id, _)| id.clone()).collect();
            want.sort();
            let mut got = written.clone();
            got.sort();
            assert_eq!(got, want, "seed {seed}: every row once (limit {limit})");
        }
    }

    #[test]
    fn the_local_copy_keeps_no_secret_the_server_left_in_clear() {
        let row = serde_json::json!({"after_state": {"WEBHOOK_URL": "https://hooks.slack.com/services/T/B/secretpart",
            "nested": {"client_secret": "abcdefgh", "name": "ops"}, "list": [{"api_key": "sk-123456"}]},
            "user_email": "a@example.com"});
        let kept = stored_form(&row);
        let text = kept.to_string();
        assert!(
            !text.contains("secretpart")
                && !text.contains("abcdefgh")
                && !text.contains("sk-123456"),
            "{text}"
        );
        assert_eq!(kept["after_state"]["nested"]["name"], "ops");
        assert_eq!(kept["user_email"], "a@example.com");
    }
}
