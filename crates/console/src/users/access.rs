//! "Why can she…?": a user's effective feature permissions with the source of every value, and
//! her effective daily limit with where it comes from.

use crate::error::{ConsoleError, ConsoleResult};
use crate::{Target, Users};
use cloo_domain::limits::reported_daily_limit;
use cloo_domain::org::LikeCase;
use cloo_domain::permissions::Quirk;
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

/// One key of an effective permission object.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct PermissionEntry {
    /// Dotted key, e.g. `workspace.knowledge`.
    pub path: String,
    /// The value, as the server would report it (`null` when it cannot be known).
    #[ts(type = "string | boolean | number | null")]
    pub value: Value,
    /// Where it comes from, in one sentence.
    pub why: String,
}

/// A user's effective feature permissions.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct PermissionsReport {
    /// The user's e-mail.
    pub email: String,
    /// The object `GET /api/v1/users/permissions` returns to her (unknowable keys are `null`).
    #[ts(type = "Record<string, unknown>")]
    pub object: Value,
    /// Every key with its source.
    pub entries: Vec<PermissionEntry>,
    /// Keys whose value cannot be known from outside the deployment.
    pub unknown: Vec<String>,
    /// Caveats: quirks that cost a group its grant, data the account could not read.
    pub notes: Vec<String>,
    /// Admins are allowed everything regardless of this object.
    pub is_admin: bool,
}

/// A user's effective daily limit for one model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct LimitReport {
    /// The model.
    pub model: String,
    /// The number the server's self-check reports to her: 0 = unlimited or not applicable.
    #[ts(type = "number")]
    pub daily_limit: i64,
    /// Where the limit comes from, by the server's algorithm (`global:default`, `group:Sales`, …).
    pub source: String,
    /// One sentence.
    pub explanation: String,
    /// Whether limits are enforced at all.
    pub enabled: bool,
    /// Set when the answer depends on the deployment's database (text matching of OU members).
    pub database_note: Option<String>,
    /// The answer on the other kind of database, when it differs.
    pub on_other_database: Option<OtherDatabaseLimit>,
}

/// The limit a deployment on the other kind of database would report: OU members are found by
/// SQL `LIKE`, which ignores ASCII case on SQLite and not on PostgreSQL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct OtherDatabaseLimit {
    /// `sqlite` or `postgresql`.
    pub database: String,
    /// The reported number there.
    #[ts(type = "number")]
    pub daily_limit: i64,
    /// Its source there.
    pub source: String,
}

/// A user's usage today on one model, with the limit as the server reports it and as the
/// console's rules engine explains it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ModelUsageRow {
    /// Base model id.
    pub model_id: String,
    /// Model name.
    pub name: String,
    /// Counted tokens since 00:00 KST.
    #[ts(type = "number")]
    pub used: i64,
    /// The server's effective daily limit (0 = none or unlimited).
    #[ts(type = "number")]
    pub limit: i64,
    /// The server's source of that limit.
    pub source: String,
    /// The rules engine's explanation of the same limit.
    pub explanation: String,
    /// Set when the engine and the server disagree (a sign the snapshot is stale).
    pub mismatch: Option<String>,
}

/// A user's day: everything used since 00:00 KST, and per model against its limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct UserUsage {
    /// All tokens today, every model and message type (background tasks too): a summary, not
    /// what the quota counts.
    #[ts(type = "number")]
    pub daily_used: i64,
    /// Models with usage or a limit today, busiest first.
    pub models: Vec<ModelUsageRow>,
    /// Whether limits are enforced at all (unknown to a delegated operator).
    pub enabled: Option<bool>,
    /// Admins are never limited.
    pub is_admin: bool,
}

/// The text matching of the other kind of database.
fn other_like_case(case: LikeCase) -> LikeCase {
    match case {
        LikeCase::Sensitive => LikeCase::SqliteAsciiInsensitive,
        LikeCase::SqliteAsciiInsensitive => LikeCase::Sensitive,
    }
}

impl Users<'_> {
    /// A user's usage today, per model with its limit and where the limit comes from.
    pub async fn get_usage(&self, target: &Target, who: &str) -> ConsoleResult<UserUsage> {
        let (snapshot, ix) = self.c.resolve_user(target, who).await?;
        let user = &snapshot.directory.users()[ix];
        let id = user.id.clone();
        let session = self.c.session(target).await?;
        let (limits, per_model) = tokio::try_join!(
            session.call(|c, t| {
                let id = id.clone();
                async move { c.user_limits(&t, &id).await }
            }),
            session.call(|c, t| {
                let id = id.clone();
                async move {
                    c.usage_by_model(&t, &id, cloo_api::UsagePeriod::Today)
                        .await
                }
            }),
        )?;
        let rules_ix = snapshot.rules.user(&user.id);
        let models = per_model
            .into_iter()
            .map(|m| {
                let engine = rules_ix.map(|u| snapshot.rules.limit(u, &m.model_id));
                // The database kind is not visible from outside: either text matching may be
                // the deployment's.
                let agrees_elsewhere = rules_ix.is_some_and(|u| {
                    let other = snapshot.rules.limit_on(
                        u,
                        &m.model_id,
                        other_like_case(snapshot.like_case),
                    );
                    other.daily_limit() == m.limit && other.source() == m.source
                });
                let mismatch = engine.as_ref().filter(|_| !agrees_elsewhere).and_then(|e| {
                    (e.daily_limit() != m.limit || e.source() != m.source).then(|| {
                        format!(
                            "the console computes {} ({}): refresh to re-read the deployment",
                            e.daily_limit(),
                            e.source()
                        )
                    })
                });
                ModelUsageRow {
                    explanation: engine.map(|e| e.to_string()).unwrap_or_default(),
                    model_id: m.model_id,
                    name: m.name,
                    used: m.used,
                    limit: m.limit,
                    source: m.source,
                    mismatch,
                }
            })
            .collect();
        Ok(UserUsage {
            daily_used: limits.daily_used,
            models,
            enabled: snapshot.limits.as_ref().map(|l| l.enabled),
            is_admin: user.role.is_admin(),
        })
    }

    /// A user's effective feature permissions, each with its source.
    pub async fn get_permissions(
        &self,
        target: &Target,
        who: &str,
    ) -> ConsoleResult<PermissionsReport> {
        let (snapshot, ix) = self.c.resolve_user(target, who).await?;
        let user = &snapshot.directory.users()[ix];
        let rules_ix = snapshot
            .rules
            .user(&user.id)
            .ok_or_else(|| ConsoleError::Internal("the user is missing from the rules".into()))?;
        let effective = snapshot.rules.effective_permissions(rules_ix);
        let mut notes = Vec::new();
        match &snapshot.stored_defaults {
            None => notes.push(
                "the stored default permissions are not readable by this account (needs admin.settings ≥ read): \
                 values from the defaults are the server's normalised view"
                    .to_owned(),
            ),
            Some(None) => notes.push("default permissions were never saved: the deployment's built-in values apply".to_owned()),
            Some(Some(_)) => {}
        }
        for quirk in &effective.quirks {
            if let Quirk::GrantLost { path, .. } | Quirk::BelowBuiltIn { path, .. } = quirk
                && let Some(why) = effective.explain(path)
            {
                notes.push(why);
            }
        }
        let unknown = effective.unknown_paths();
        if !unknown.is_empty() {
            notes.push(format!(
                "{} cannot be known from outside: the deployment's environment sets it, and a group of yours changes it",
                unknown.join(", ")
            ));
        }
        let entries = effective
            .tree
            .leaves()
            .into_iter()
            .map(|(path, d)| PermissionEntry {
                value: d.value.to_json(),
                why: effective.explain(&path).unwrap_or_default(),
                path,
            })
            .collect();
        Ok(PermissionsReport {
            email: user.email.clone(),
            object: effective.to_json(),
            entries,
            unknown,
            notes,
            is_admin: user.role.is_admin(),
        })
    }

    /// A user's effective daily limit for a model, as the server would compute and report it.
    pub async fn get_limit(
        &self,
        target: &Target,
        who: &str,
        model: &str,
    ) -> ConsoleResult<LimitReport> {
        let (snapshot, ix) = self.c.resolve_user(target, who).await?;
        let user = &snapshot.directory.users()[ix];
        let Some(config) = &snapshot.limits else {
            return Err(ConsoleError::Api(cloo_api::ApiError::Forbidden {
                status: 401,
                detail: "the usage-limit settings are admin-only: sign in with an admin account to compute limits".into(),
            }));
        };
        let rules_ix = snapshot
            .rules
            .user(&user.id)
            .ok_or_else(|| ConsoleError::Internal("the user is missing from the rules".into()))?;
        let effective = snapshot.rules.limit(rules_ix, model);
        let global = &snapshot.rules.data().limits;
        // The other database's text matching may pick other OUs; say so when it changes the answer.
        let other_case = other_like_case(snapshot.like_case);
        let other = snapshot.rules.limit_on(rules_ix, model, other_case);
        let on_other_database = (other != effective).then(|| OtherDatabaseLimit {
            database: match other_case {
                LikeCase::Sensitive => "postgresql",
                LikeCase::SqliteAsciiInsensitive => "sqlite",
            }
            .to_owned(),
            daily_limit: reported_daily_limit(user.role.is_admin(), global, &other),
            source: other.source(),
        });
        let database_note = (other != effective).then(|| {
            format!(
                "on a {} database this would be {} ({}): OU members are matched by text, and the case rules differ",
                match other_case {
                    LikeCase::Sensitive => "PostgreSQL",
                    LikeCase::SqliteAsciiInsensitive => "SQLite",
                },
                other.daily_limit(),
                other.source()
            )
        });
        Ok(LimitReport {
            model: model.to_owned(),
            daily_limit: reported_daily_limit(user.role.is_admin(), global, &effective),
            source: effective.source(),
            explanation: if user.role.is_admin() {
                format!("admins are never limited; for others this would be: {effective}")
            } else if !config.enabled {
                format!("usage limits are switched off; when on: {effective}")
            } else {
                effective.to_string()
            },
            enabled: config.enabled,
            database_note,
            on_other_database,
        })
    }
}
