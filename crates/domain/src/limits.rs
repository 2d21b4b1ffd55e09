//! Daily token limits: the effective limit of a (user, model) pair, exactly as the server
//! computes it (usage-limits.md §3).
//!
//! Candidates are collected in order — global (its per-model entry, else a positive default),
//! the user, her *direct* groups, her *direct* OUs (by the usage-limit text match, parents not
//! inherited) — and an explicit `0` at any step means "unlimited" at once. Otherwise the largest
//! candidate wins ("most permissive"), ties keeping the earlier; no candidate means unlimited
//! with source `none`. A global default of 0 adds no candidate; it is not a veto.
//!
//! The seed's "0 = unlimited" for the default is therefore wrong in code: a default of 0 means
//! *no* default, and a group's 5000 still caps. Recorded in the tests.

use std::collections::BTreeMap;
use std::fmt;

/// Per-model overrides: model id → daily tokens (0 = unlimited).
pub type PerModel = BTreeMap<String, i64>;

/// The global usage-limit settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GlobalLimits {
    /// `ENABLE_USAGE_LIMIT` (default false).
    pub enabled: bool,
    /// `USAGE_LIMIT_DEFAULT_DAILY_TOKENS`: a cap for models without a global per-model entry;
    /// 0 = no default.
    pub default_daily_tokens: i64,
    /// `USAGE_LIMIT_PER_MODEL`.
    pub per_model: PerModel,
    /// `USAGE_LIMIT_EXCEED_ACTION`: `block`, anything else behaves as `warn`.
    pub exceed_action: String,
}

/// Where a limit is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LimitScope {
    /// The global per-model entry.
    GlobalPerModel,
    /// The global default.
    GlobalDefault,
    /// The user's own override.
    User,
    /// A group she is a direct member of.
    Group(String),
    /// An OU she directly belongs to (its `display_name or name`).
    OrgUnit(String),
}

impl LimitScope {
    /// The server's `source` string: `global:per_model`, `global:default`, `user`,
    /// `group:<name>`, `org:<unit>`.
    pub fn source(&self) -> String {
        match self {
            LimitScope::GlobalPerModel => "global:per_model".into(),
            LimitScope::GlobalDefault => "global:default".into(),
            LimitScope::User => "user".into(),
            LimitScope::Group(n) => format!("group:{n}"),
            LimitScope::OrgUnit(n) => format!("org:{n}"),
        }
    }
}

impl fmt::Display for LimitScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LimitScope::GlobalPerModel => f.write_str("global (this model)"),
            LimitScope::GlobalDefault => f.write_str("global default"),
            LimitScope::User => f.write_str("user"),
            LimitScope::Group(n) => write!(f, "group {n}"),
            LimitScope::OrgUnit(n) => write!(f, "OU {n}"),
        }
    }
}

/// A level's positive (or negative) value that counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Where.
    pub scope: LimitScope,
    /// Daily tokens.
    pub tokens: i64,
}

/// The effective limit with how it was decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EffectiveLimit {
    /// An explicit 0 at `scope` made the user unlimited, before any later level was looked at.
    UnlimitedBy {
        /// Where the 0 is.
        scope: LimitScope,
        /// Candidates collected before it.
        before: Vec<Candidate>,
    },
    /// No level sets a limit.
    NoLimit,
    /// The most permissive candidate.
    Limited {
        /// Index of the winner in `candidates`.
        winner: usize,
        /// Every candidate, in the server's order.
        candidates: Vec<Candidate>,
    },
}

impl EffectiveLimit {
    /// The daily cap; `None` = unlimited.
    pub fn tokens(&self) -> Option<i64> {
        match self {
            EffectiveLimit::Limited { winner, candidates } => Some(candidates[*winner].tokens),
            _ => None,
        }
    }

    /// The number the server uses: 0 = unlimited.
    pub fn daily_limit(&self) -> i64 {
        self.tokens().unwrap_or(0)
    }

    /// The server's `source` string.
    pub fn source(&self) -> String {
        match self {
            EffectiveLimit::UnlimitedBy { scope, .. } => scope.source(),
            EffectiveLimit::NoLimit => "none".into(),
            EffectiveLimit::Limited { winner, candidates } => candidates[*winner].scope.source(),
        }
    }
}

impl fmt::Display for EffectiveLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EffectiveLimit::UnlimitedBy { scope, .. } => {
                write!(
                    f,
                    "unlimited: {scope} sets 0, and an explicit 0 wins over every other level"
                )
            }
            EffectiveLimit::NoLimit => {
                f.write_str("unlimited: no level sets a limit for this model")
            }
            EffectiveLimit::Limited { winner, candidates } => {
                let w = &candidates[*winner];
                write!(f, "limit {}: {}", w.tokens, w.scope)?;
                if candidates.len() == 1 {
                    f.write_str(" (the only level that sets one)")
                } else {
                    let all: Vec<String> = candidates
                        .iter()
                        .map(|c| format!("{} {}", c.scope, c.tokens))
                        .collect();
                    write!(f, " (most permissive of {})", all.join(", "))
                }
            }
        }
    }
}

/// What a user is subject to for one model, gathered by the caller: her own overrides, the
/// overrides of her direct groups (in the server's order), and of her direct OUs (by the
/// usage-limit membership rule, in the server's order) with their labels.
#[derive(Debug, Clone, Copy, Default)]
pub struct LimitInputs<'a> {
    /// `info.usage_limit.per_model`.
    pub user: Option<&'a PerModel>,
    /// (group name, its overrides).
    pub groups: &'a [(&'a str, &'a PerModel)],
    /// (unit label, its overrides).
    pub units: &'a [(&'a str, &'a PerModel)],
}

/// The effective daily limit of `model`.
pub fn effective_limit(
    model: &str,
    global: &GlobalLimits,
    inputs: LimitInputs<'_>,
) -> EffectiveLimit {
    let mut candidates = Vec::new();
    let consider = |scope: LimitScope,
                    tokens: i64,
                    candidates: &mut Vec<Candidate>|
     -> Option<EffectiveLimit> {
        if tokens == 0 {
            return Some(EffectiveLimit::UnlimitedBy {
                scope,
                before: std::mem::take(candidates),
            });
        }
        candidates.push(Candidate { scope, tokens });
        None
    };
    if let Some(&t) = global.per_model.get(model) {
        if let Some(done) = consider(LimitScope::GlobalPerModel, t, &mut candidates) {
            return done;
        }
    } else if global.default_daily_tokens > 0 {
        candidates.push(Candidate {
            scope: LimitScope::GlobalDefault,
            tokens: global.default_daily_tokens,
        });
    }
    if let Some(&t) = inputs.user.and_then(|u| u.get(model))
        && let Some(done) = consider(LimitScope::User, t, &mut candidates)
    {
        return done;
    }
    for (name, per_model) in inputs.groups {
        if let Some(&t) = per_model.get(model)
            && let Some(done) = consider(LimitScope::Group((*name).to_owned()), t, &mut candidates)
        {
            return done;
        }
    }
    for (label, per_model) in inputs.units {
        if let Some(&t) = per_model.get(model)
            && let Some(done) =
                consider(LimitScope::OrgUnit((*label).to_owned()), t, &mut candidates)
        {
            return done;
        }
    }
    if candidates.is_empty() {
        return EffectiveLimit::NoLimit;
    }
    // The largest; on a tie the earlier stays.
    let winner = candidates.iter().enumerate().fold(0, |best, (i, c)| {
        if c.tokens > candidates[best].tokens {
            i
        } else {
            best
        }
    });
    EffectiveLimit::Limited { winner, candidates }
}

/// The `daily_limit` the server's self-check (`GET /users/user/usage-limit/check`) reports to a
/// user: 0 when limits are disabled, for admins, or when unlimited; else the effective limit.
pub fn reported_daily_limit(
    is_admin: bool,
    global: &GlobalLimits,
    effective: &EffectiveLimit,
) -> i64 {
    if !global.enabled || is_admin {
        0
    } else {
        effective.daily_limit()
    }
}

/// Message types that count toward a daily quota (usage-limits.md §2). Background tasks
/// (title, tags, emoji, query, image-prompt and autocomplete generation), `system` and
/// `external_service` rows are logged but not counted.
pub const COUNTED_MESSAGE_TYPES: [&str; 10] = [
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

/// Seconds east of UTC of the quota day's time zone: the day starts at 00:00 Asia/Seoul,
/// whatever the server's own zone (usage-limits.md §2).
pub const QUOTA_DAY_UTC_OFFSET: i64 = 9 * 3600;

/// Epoch seconds of the start of the quota day that contains `now` (00:00 KST).
pub fn quota_day_start(now: i64) -> i64 {
    (now + QUOTA_DAY_UTC_OFFSET).div_euclid(86_400) * 86_400 - QUOTA_DAY_UTC_OFFSET
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quota_day_starts_at_midnight_in_seoul() {
        // 2026-11-22 14:59:59 UTC is 23:59:59 KST: still the day that began 2026-11-21 15:00 UTC.
        let before = 1_795_359_599;
        assert_eq!(quota_day_start(before), 1_795_273_200);
        // One second later it is a new day in Seoul.
        assert_eq!(quota_day_start(before + 1), before + 1);
        assert_eq!(quota_day_start(0), -9 * 3600);
    }

    fn map(pairs: &[(&str, i64)]) -> PerModel {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
    }

    fn global(default: i64, per_model: &[(&str, i64)]) -> GlobalLimits {
        GlobalLimits {
            enabled: true,
            default_daily_tokens: default,
            per_model: map(per_model),
            exceed_action: "block".into(),
        }
    }

    /// The table of usage-limits.md §3, row by row.
    #[test]
    fn contract_table() {
        let m = "gpt-4o";
        let none = map(&[]);
        let eng = map(&[(m, 200_000)]);
        let five = map(&[(m, 5000)]);
        let user0 = map(&[(m, 0)]);
        let user50 = map(&[(m, 50)]);
        let engineering = [("Engineering", &eng)];
        let eng_five = [("Eng", &five)];
        let cases: Vec<(GlobalLimits, LimitInputs<'_>, i64, &str)> = vec![
            (
                global(1000, &[]),
                LimitInputs::default(),
                1000,
                "global:default",
            ),
            (
                global(1000, &[(m, 300)]),
                LimitInputs::default(),
                300,
                "global:per_model",
            ),
            (
                global(1000, &[(m, 300)]),
                LimitInputs {
                    groups: &engineering,
                    ..Default::default()
                },
                200_000,
                "group:Engineering",
            ),
            (
                global(0, &[]),
                LimitInputs {
                    groups: &eng_five,
                    ..Default::default()
                },
                5000,
                "group:Eng",
            ),
            (
                global(1000, &[(m, 300)]),
                LimitInputs {
                    user: Some(&user0),
                    groups: &engineering,
                    ..Default::default()
                },
                0,
                "user",
            ),
            (
                global(1000, &[(m, 0)]),
                LimitInputs {
                    user: Some(&user50),
                    ..Default::default()
                },
                0,
                "global:per_model",
            ),
            (
                global(0, &[]),
                LimitInputs {
                    user: Some(&none),
                    ..Default::default()
                },
                0,
                "none",
            ),
        ];
        for (g, inputs, limit, source) in cases {
            let e = effective_limit(m, &g, inputs);
            assert_eq!(
                (e.daily_limit(), e.source().as_str()),
                (limit, source),
                "{e}"
            );
        }
        // The last row (a parent OU's limit is ignored) is about which units are passed in:
        // the index gives direct units only, and its tests pin that row.
    }

    #[test]
    fn explanations_say_how_the_limit_was_chosen() {
        let m = "gpt-4o";
        let sales = map(&[(m, 450_000)]);
        let e = effective_limit(
            m,
            &global(100_000, &[]),
            LimitInputs {
                groups: &[("Sales", &sales)],
                ..Default::default()
            },
        );
        assert_eq!(
            e.to_string(),
            "limit 450000: group Sales (most permissive of global default 100000, group Sales 450000)"
        );
        let only = effective_limit(m, &global(100_000, &[]), LimitInputs::default());
        assert_eq!(
            only.to_string(),
            "limit 100000: global default (the only level that sets one)"
        );
        let zero = map(&[(m, 0)]);
        let e = effective_limit(
            m,
            &global(100_000, &[]),
            LimitInputs {
                units: &[("Research", &zero)],
                ..Default::default()
            },
        );
        assert_eq!(
            e.to_string(),
            "unlimited: OU Research sets 0, and an explicit 0 wins over every other level"
        );
        assert_eq!(e.source(), "org:Research");
        assert_eq!(
            effective_limit(m, &global(0, &[]), LimitInputs::default()).to_string(),
            "unlimited: no level sets a limit for this model"
        );
    }

    #[test]
    fn ties_keep_the_earlier_level_and_zero_short_circuits_in_order() {
        let m = "m";
        let a = map(&[(m, 500)]);
        let b = map(&[(m, 500)]);
        let e = effective_limit(
            m,
            &global(0, &[]),
            LimitInputs {
                groups: &[("A", &a), ("B", &b)],
                ..Default::default()
            },
        );
        assert_eq!(e.source(), "group:A");
        let zero = map(&[(m, 0)]);
        let e = effective_limit(
            m,
            &global(0, &[]),
            LimitInputs {
                groups: &[("A", &a), ("Z", &zero), ("B", &b)],
                ..Default::default()
            },
        );
        assert_eq!(e.source(), "group:Z");
        assert_eq!(e.daily_limit(), 0);
        // A global per-model entry replaces the default even when lower.
        let e = effective_limit(m, &global(10_000, &[(m, 10)]), LimitInputs::default());
        assert_eq!(
            (e.daily_limit(), e.source().as_str()),
            (10, "global:per_model")
        );
        // Another model still gets the default.
        assert_eq!(
            effective_limit("other", &global(10_000, &[(m, 10)]), LimitInputs::default())
                .daily_limit(),
            10_000
        );
    }

    #[test]
    fn negative_values_are_candidates_and_block() {
        let m = "m";
        let neg = map(&[(m, -1)]);
        let e = effective_limit(
            m,
            &global(0, &[]),
            LimitInputs {
                user: Some(&neg),
                ..Default::default()
            },
        );
        assert_eq!(e.tokens(), Some(-1));
    }

    #[test]
    fn the_self_check_reports_zero_when_not_applicable() {
        let m = "m";
        let g = global(1000, &[]);
        let e = effective_limit(m, &g, LimitInputs::default());
        assert_eq!(reported_daily_limit(false, &g, &e), 1000);
        assert_eq!(
            reported_daily_limit(true, &g, &e),
            0,
            "admins are never limited"
        );
        let off = GlobalLimits {
            enabled: false,
            ..g
        };
        assert_eq!(reported_daily_limit(false, &off, &e), 0);
    }
}
