//! Daily token limits as the server decides them (usage-limits.md §2–§3): the quota day that
//! starts at 00:00 Asia/Seoul, the message types that count, and the effective limit of a user
//! for a model with the source the server reports.

use serde_json::Value;

/// Message types counted toward quotas.
pub const COUNTED_TYPES: [&str; 10] = [
    "chat",
    "generation",
    "agent_state",
    "reasoning",
    "tool_call",
    "function_calling",
    "image_generation",
    "code_gateway",
    "moa_response_generation",
    "embedding",
];

/// Epoch seconds of 00:00 KST (UTC+9, no daylight saving) on the day that holds `now`.
pub fn kst_day_start(now: i64) -> i64 {
    const KST: i64 = 9 * 3600;
    let local = now + KST;
    local - local.rem_euclid(86_400) - KST
}

/// The global settings (admin config).
#[derive(Debug, Clone, PartialEq)]
pub struct Global {
    /// `ENABLE_USAGE_LIMIT`.
    pub enabled: bool,
    /// `USAGE_LIMIT_DEFAULT_DAILY_TOKENS` (0 = no default).
    pub default_daily_tokens: i64,
    /// `USAGE_LIMIT_EXCEED_ACTION`: `"block"` blocks, anything else warns.
    pub exceed_action: String,
    /// `USAGE_LIMIT_PER_MODEL`.
    pub per_model: serde_json::Map<String, Value>,
}

/// The limit a user gets on a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    /// Tokens per day; `None` = unlimited.
    pub tokens: Option<i64>,
    /// `global:per_model`, `global:default`, `user`, `group:<name>`, `org:<label>` or `none`.
    pub source: String,
}

impl Decided {
    /// The number the server reports: 0 for unlimited.
    pub fn reported(&self) -> i64 {
        self.tokens.unwrap_or(0)
    }
}

/// `usage_limit.per_model[model]` of a `user.info`, `group.meta` or `org_unit.meta` object.
pub fn entry(holder: &Value, model: &str) -> Option<i64> {
    holder
        .get("usage_limit")?
        .get("per_model")?
        .get(model)?
        .as_i64()
}

/// The effective limit of a user for `model`: global, user, the groups that list her directly,
/// the units she directly belongs to by text search; an explicit 0 anywhere is unlimited at
/// once, otherwise the largest candidate wins and a tie keeps the earlier one.
pub fn decide(
    model: &str,
    global: &Global,
    user_info: &Value,
    groups: &[(String, Value)],
    units: &[(String, Value)],
) -> Decided {
    let mut best: Option<(i64, String)> = None;
    let mut consider = |tokens: i64, source: String| -> Option<Decided> {
        if tokens == 0 {
            return Some(Decided {
                tokens: None,
                source,
            });
        }
        if best.as_ref().is_none_or(|(b, _)| tokens > *b) {
            best = Some((tokens, source));
        }
        None
    };
    let global_entry = global.per_model.get(model).and_then(Value::as_i64);
    let global_candidate = match global_entry {
        Some(t) => Some((t, "global:per_model".to_owned())),
        None if global.default_daily_tokens > 0 => {
            Some((global.default_daily_tokens, "global:default".to_owned()))
        }
        None => None,
    };
    let candidates =
        global_candidate
            .into_iter()
            .chain(entry(user_info, model).map(|t| (t, "user".to_owned())))
            .chain(groups.iter().filter_map(|(name, meta)| {
                entry(meta, model).map(|t| (t, format!("group:{name}")))
            }))
            .chain(units.iter().filter_map(|(label, meta)| {
                entry(meta, model).map(|t| (t, format!("org:{label}")))
            }));
    for (tokens, source) in candidates {
        if let Some(unlimited) = consider(tokens, source) {
            return unlimited;
        }
    }
    match best {
        Some((tokens, source)) => Decided {
            tokens: Some(tokens),
            source,
        },
        None => Decided {
            tokens: None,
            source: "none".to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn global(default: i64, per_model: Value) -> Global {
        Global {
            enabled: true,
            default_daily_tokens: default,
            exceed_action: "warn".into(),
            per_model: per_model.as_object().cloned().unwrap_or_default(),
        }
    }

    fn limit(t: i64) -> Value {
        json!({"usage_limit": {"per_model": {"m": t}}})
    }

    #[test]
    fn the_contracts_table() {
        let none = Value::Null;
        let g = |name: &str, t| (name.to_owned(), limit(t));
        let cases = [
            (
                global(1000, json!({})),
                none.clone(),
                vec![],
                Some(1000),
                "global:default",
            ),
            (
                global(1000, json!({"m": 300})),
                none.clone(),
                vec![],
                Some(300),
                "global:per_model",
            ),
            (
                global(1000, json!({"m": 300})),
                none.clone(),
                vec![g("Engineering", 200_000)],
                Some(200_000),
                "group:Engineering",
            ),
            (
                global(0, json!({})),
                none.clone(),
                vec![g("Sales", 5000)],
                Some(5000),
                "group:Sales",
            ),
            (
                global(1000, json!({"m": 300})),
                limit(0),
                vec![g("E", 200_000)],
                None,
                "user",
            ),
            (
                global(1000, json!({"m": 0})),
                limit(50),
                vec![],
                None,
                "global:per_model",
            ),
            (global(0, json!({})), none.clone(), vec![], None, "none"),
            (
                global(300, json!({})),
                limit(300),
                vec![],
                Some(300),
                "global:default",
            ),
        ];
        for (global, info, groups, tokens, source) in cases {
            let d = decide("m", &global, &info, &groups, &[]);
            assert_eq!((d.tokens, d.source.as_str()), (tokens, source));
        }
    }

    #[test]
    fn the_quota_day_turns_at_15_utc() {
        // 2026-11-22 14:59:59 UTC = 23:59:59 KST; 15:00:00 UTC starts the next day.
        let before = 1_763_823_599;
        assert_eq!(kst_day_start(before), 1_763_737_200);
        assert_eq!(kst_day_start(before + 1), before + 1);
    }
}
