//! The users router (users.md) and the admin settings it depends on (auth.md §3.10–3.11,
//! usage-limits.md §5).

use crate::client::segment;
use crate::{ApiError, Client, User};
use cloo_domain::{Role, Secret};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Per-model daily token limits (0 = unlimited).
pub type PerModel = BTreeMap<String, i64>;

/// A hit of `GET /users/search`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSearchHit {
    /// User id.
    pub id: String,
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Role.
    pub role: Role,
    /// Avatar.
    #[serde(default)]
    pub profile_image_url: String,
}

/// `GET /users/{id}`: the public profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserProfile {
    /// Name.
    pub name: String,
    /// Avatar.
    #[serde(default)]
    pub profile_image_url: String,
    /// Connected right now (websocket); `None` when unknown.
    #[serde(default)]
    pub active: Option<bool>,
}

/// Body of `POST /users/{id}/update`. Every edit sends name, e-mail and avatar (send the
/// current values to keep them).
#[derive(Debug, Clone, Serialize)]
pub struct UserUpdateForm<'a> {
    /// Name.
    pub name: &'a str,
    /// E-mail (lower-cased by the server; must not belong to another user).
    pub email: &'a str,
    /// Avatar URL; the current one to keep it.
    pub profile_image_url: &'a str,
    /// A new password; the server does no strength check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<&'a Secret>,
    /// The console never sends a role here (the role endpoint has the protections).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<&'a str>,
}

#[derive(Serialize)]
struct RoleForm<'a> {
    id: &'a str,
    role: &'a str,
}

/// `GET/POST /users/{id}/usage-limit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserLimits {
    /// The user's overrides.
    #[serde(default)]
    pub per_model: PerModel,
    /// All tokens of the user today (all models and message types), since 00:00 KST.
    #[serde(default)]
    pub daily_used: i64,
}

/// One row of `GET /users/{id}/usage-by-model`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelUsage {
    /// Base model id.
    pub model_id: String,
    /// Model name.
    #[serde(default)]
    pub name: String,
    /// Counted tokens since the period's start.
    #[serde(default)]
    pub used: i64,
    /// Effective daily limit (today only; 0 = none or unlimited).
    #[serde(default)]
    pub limit: i64,
    /// Where the limit comes from (today only).
    #[serde(default)]
    pub source: String,
    /// Always false on the server.
    #[serde(default)]
    pub is_agent: bool,
}

/// The window of a usage-by-model read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsagePeriod {
    /// Since 00:00 KST (the only period with limits).
    Today,
    /// The last 7 days.
    Week,
    /// The last 30 days.
    Month,
}

impl UsagePeriod {
    fn as_str(self) -> &'static str {
        match self {
            UsagePeriod::Today => "today",
            UsagePeriod::Week => "week",
            UsagePeriod::Month => "month",
        }
    }
}

/// `{"per_model": …}` of group and unit limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerModelLimits {
    /// The overrides.
    #[serde(default)]
    pub per_model: PerModel,
}

/// `GET /users/user/usage-limit/check`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageLimitCheck {
    /// False only when blocked.
    pub allowed: bool,
    /// `allow`, `warn` or `block`.
    pub action: String,
    /// Effective limit; 0 = unlimited or not applicable.
    pub daily_limit: i64,
    /// Counted usage of this model today.
    pub daily_used: i64,
    /// English text when over the limit.
    #[serde(default)]
    pub message: String,
    /// Filled only when over the limit.
    #[serde(default)]
    pub model_id: Option<String>,
    /// Filled only when over the limit.
    #[serde(default)]
    pub pct: f64,
    /// Filled only when over the limit.
    #[serde(default)]
    pub source: String,
}

/// The global usage-limit settings (`/auths/admin/config/usage-limit`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageLimitConfig {
    /// Limits enforced at all.
    #[serde(rename = "ENABLE_USAGE_LIMIT")]
    pub enabled: bool,
    /// Default daily tokens for models without a per-model entry; 0 = no default.
    #[serde(rename = "USAGE_LIMIT_DEFAULT_DAILY_TOKENS")]
    pub default_daily_tokens: i64,
    /// `block`; anything else behaves as `warn`.
    #[serde(rename = "USAGE_LIMIT_EXCEED_ACTION")]
    pub exceed_action: String,
    /// Global per-model limits.
    #[serde(rename = "USAGE_LIMIT_PER_MODEL", default)]
    pub per_model: PerModel,
}

/// `GET /auths/admin/details`: the contact shown to pending users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminDetails {
    /// Name (null when the Super Admin's account is gone).
    pub name: Option<String>,
    /// E-mail.
    pub email: Option<String>,
}

/// The answer of `POST /auths/admin/sa`: the e-mail now stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuperAdminAnswer {
    /// The Super Admin's e-mail.
    pub email: String,
}

/// An OU as `GET /users/{id}/organizational-units` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserUnit {
    /// Unit id.
    pub id: String,
    /// Owning organization.
    pub organization_id: String,
    /// Parent unit, if any.
    #[serde(default)]
    pub parent_id: Option<String>,
    /// Name.
    pub name: String,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Stored level.
    #[serde(default)]
    pub level: i64,
    /// The organization's display name or name.
    #[serde(default)]
    pub organization_name: Option<String>,
}

impl Client {
    /// `GET /users/search?q=` (verified users; at most 50, by name).
    pub async fn search_users(
        &self,
        token: &Secret,
        q: &str,
        limit: u32,
    ) -> Result<Vec<UserSearchHit>, ApiError> {
        self.get(
            "api/v1/users/search",
            Some(token),
            &[("q", q.to_owned()), ("limit", limit.to_string())],
        )
        .await
    }

    /// `GET /users/permissions`: the caller's effective permissions.
    pub async fn my_permissions(&self, token: &Secret) -> Result<Value, ApiError> {
        self.get("api/v1/users/permissions", Some(token), &[]).await
    }

    /// `GET /users/default/permissions` (normalised by the server).
    pub async fn default_permissions(&self, token: &Secret) -> Result<Value, ApiError> {
        self.get("api/v1/users/default/permissions", Some(token), &[])
            .await
    }

    /// `POST /users/default/permissions`: a full replacement; answers what was stored.
    pub async fn set_default_permissions(
        &self,
        token: &Secret,
        body: &Value,
    ) -> Result<Value, ApiError> {
        self.post("api/v1/users/default/permissions", Some(token), body)
            .await
    }

    /// `POST /users/update/role` (refuses own role and the first user; stores any string).
    pub async fn update_role(
        &self,
        token: &Secret,
        user_id: &str,
        role: &Role,
    ) -> Result<User, ApiError> {
        self.post(
            "api/v1/users/update/role",
            Some(token),
            &RoleForm {
                id: user_id,
                role: role.as_str(),
            },
        )
        .await
    }

    /// `GET /users/user/usage-limit/check?model_id=`: the caller's own quota answer.
    pub async fn check_usage_limit(
        &self,
        token: &Secret,
        model_id: &str,
    ) -> Result<UsageLimitCheck, ApiError> {
        self.get(
            "api/v1/users/user/usage-limit/check",
            Some(token),
            &[("model_id", model_id.to_owned())],
        )
        .await
    }

    /// `GET /users/{id}`: the public profile (unknown → 400 not found).
    pub async fn user_profile(
        &self,
        token: &Secret,
        user_id: &str,
    ) -> Result<UserProfile, ApiError> {
        self.get(
            &format!("api/v1/users/{}", segment(user_id)),
            Some(token),
            &[],
        )
        .await
    }

    /// `POST /users/{id}/update`.
    pub async fn update_user(
        &self,
        token: &Secret,
        user_id: &str,
        form: &UserUpdateForm<'_>,
    ) -> Result<User, ApiError> {
        self.post(
            &format!("api/v1/users/{}/update", segment(user_id)),
            Some(token),
            form,
        )
        .await
    }

    /// `DELETE /users/{id}` (an unknown id comes back as a 500).
    pub async fn delete_user(&self, token: &Secret, user_id: &str) -> Result<bool, ApiError> {
        self.send(
            Method::DELETE,
            &format!("api/v1/users/{}", segment(user_id)),
            Some(token),
            &[],
            None::<&()>,
        )
        .await
    }

    /// `GET /users/{id}/organizational-units`: the units she directly belongs to.
    pub async fn user_units(
        &self,
        token: &Secret,
        user_id: &str,
    ) -> Result<Vec<UserUnit>, ApiError> {
        self.get(
            &format!("api/v1/users/{}/organizational-units", segment(user_id)),
            Some(token),
            &[],
        )
        .await
    }

    /// `GET /users/{id}/usage-limit`.
    pub async fn user_limits(&self, token: &Secret, user_id: &str) -> Result<UserLimits, ApiError> {
        self.get(
            &format!("api/v1/users/{}/usage-limit", segment(user_id)),
            Some(token),
            &[],
        )
        .await
    }

    /// `GET /users/{id}/usage-by-model`: counted usage per model, busiest first.
    pub async fn usage_by_model(
        &self,
        token: &Secret,
        user_id: &str,
        period: UsagePeriod,
    ) -> Result<Vec<ModelUsage>, ApiError> {
        self.get(
            &format!("api/v1/users/{}/usage-by-model", segment(user_id)),
            Some(token),
            &[("period", period.as_str().to_owned())],
        )
        .await
    }

    /// `POST /users/{id}/usage-limit`: replaces the whole map (`{}` removes all).
    pub async fn set_user_limits(
        &self,
        token: &Secret,
        user_id: &str,
        per_model: &PerModel,
    ) -> Result<UserLimits, ApiError> {
        let body = PerModelLimits {
            per_model: per_model.clone(),
        };
        self.post(
            &format!("api/v1/users/{}/usage-limit", segment(user_id)),
            Some(token),
            &body,
        )
        .await
    }

    /// `POST /auths/admin/sa`: designates the Super Admin; answers the stored e-mail.
    pub async fn set_super_admin(&self, token: &Secret, email: &str) -> Result<String, ApiError> {
        let body = serde_json::json!({ "email": email });
        let answer: SuperAdminAnswer = self
            .post("api/v1/auths/admin/sa", Some(token), &body)
            .await?;
        Ok(answer.email)
    }

    /// `GET /auths/admin/details`.
    pub async fn admin_details(&self, token: &Secret) -> Result<AdminDetails, ApiError> {
        self.get("api/v1/auths/admin/details", Some(token), &[])
            .await
    }

    /// `GET /auths/admin/config/usage-limit`.
    pub async fn usage_limit_config(&self, token: &Secret) -> Result<UsageLimitConfig, ApiError> {
        self.get("api/v1/auths/admin/config/usage-limit", Some(token), &[])
            .await
    }

    /// `POST /auths/admin/config/usage-limit` (all four values; the map replaces the old one).
    pub async fn set_usage_limit_config(
        &self,
        token: &Secret,
        config: &UsageLimitConfig,
    ) -> Result<UsageLimitConfig, ApiError> {
        self.post("api/v1/auths/admin/config/usage-limit", Some(token), config)
            .await
    }
}

impl Client {
    /// `GET /configs/export` (admin or `admin.settings` ≥ read): the whole stored configuration,
    /// masked. Keys never saved are absent.
    pub async fn config_export(&self, token: &Secret) -> Result<Value, ApiError> {
        self.get("api/v1/configs/export", Some(token), &[]).await
    }
}
