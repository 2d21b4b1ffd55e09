//! The groups router (groups.md). Updates replace `permissions`, `user_ids` and `meta` whole:
//! [`GroupUpdateForm::from_group`] starts an edit from the current record so nothing is lost.

use crate::client::segment;
use crate::users::{PerModel, PerModelLimits};
use crate::{ApiError, Client};
use cloo_domain::Secret;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A group record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    /// Group id.
    pub id: String,
    /// Creator (may point to a deleted user).
    #[serde(default)]
    pub user_id: String,
    /// Name (not unique).
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Feature permissions granted to members; `None` grants nothing.
    #[serde(default)]
    pub permissions: Option<Value>,
    /// Unused by the API.
    #[serde(default)]
    pub data: Option<Value>,
    /// `org_unit_ids`, `usage_limit`, `chat_guardrail_id`, and anything else kept.
    #[serde(default)]
    pub meta: Option<Value>,
    /// Direct members.
    #[serde(default)]
    pub user_ids: Vec<String>,
    /// Epoch seconds.
    #[serde(default)]
    pub created_at: i64,
    /// Epoch seconds.
    #[serde(default)]
    pub updated_at: i64,
}

impl Group {
    /// `meta.org_unit_ids`.
    pub fn org_unit_ids(&self) -> Vec<String> {
        self.meta
            .as_ref()
            .and_then(|m| m.get("org_unit_ids"))
            .and_then(Value::as_array)
            .map(|ids| {
                ids.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `meta.usage_limit.per_model`.
    pub fn limits(&self) -> PerModel {
        self.meta
            .as_ref()
            .and_then(|m| m.get("usage_limit"))
            .and_then(|u| u.get("per_model"))
            .and_then(|p| serde_json::from_value(p.clone()).ok())
            .unwrap_or_default()
    }
}

/// Body of `POST /groups/id/{id}/update`: send every sub-object, changed or not.
#[derive(Debug, Clone, Serialize)]
pub struct GroupUpdateForm {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Replaces the whole permission object.
    pub permissions: Option<Value>,
    /// Replaces the member list (unknown ids are dropped by the server).
    pub user_ids: Option<Vec<String>>,
    /// Replaces the whole `meta`.
    pub meta: Option<Value>,
}

impl GroupUpdateForm {
    /// An update that changes nothing: every sub-object as it is now.
    pub fn from_group(group: &Group) -> Self {
        GroupUpdateForm {
            name: group.name.clone(),
            description: group.description.clone(),
            permissions: group.permissions.clone(),
            user_ids: Some(group.user_ids.clone()),
            meta: group.meta.clone(),
        }
    }
}

/// `{name, email}` of `member-emails`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberEmail {
    /// Name (falls back to the e-mail).
    pub name: String,
    /// E-mail.
    pub email: String,
}

/// `{id, name}` of `POST /groups/names`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupName {
    /// Group id.
    pub id: String,
    /// Name.
    pub name: String,
}

impl Client {
    /// `GET /groups/` (admin: all, newest update first; others: their direct groups).
    pub async fn list_groups(&self, token: &Secret) -> Result<Vec<Group>, ApiError> {
        self.get("api/v1/groups/", Some(token), &[]).await
    }

    /// `POST /groups/create` (starts without members or meta).
    pub async fn create_group(
        &self,
        token: &Secret,
        name: &str,
        description: &str,
        permissions: Option<&Value>,
    ) -> Result<Group, ApiError> {
        let body = serde_json::json!({"name": name, "description": description, "permissions": permissions});
        self.post("api/v1/groups/create", Some(token), &body).await
    }

    /// `POST /groups/names`: names of the ids that exist, in order.
    pub async fn group_names(
        &self,
        token: &Secret,
        ids: &[String],
    ) -> Result<Vec<GroupName>, ApiError> {
        self.post(
            "api/v1/groups/names",
            Some(token),
            &serde_json::json!({"ids": ids}),
        )
        .await
    }

    /// `GET /groups/id/{id}` (unknown → **401** not found).
    pub async fn group(&self, token: &Secret, id: &str) -> Result<Group, ApiError> {
        self.get(
            &format!("api/v1/groups/id/{}", segment(id)),
            Some(token),
            &[],
        )
        .await
    }

    /// `GET /groups/id/{id}/member-emails` (admins and direct members).
    pub async fn group_member_emails(
        &self,
        token: &Secret,
        id: &str,
    ) -> Result<Vec<MemberEmail>, ApiError> {
        self.get(
            &format!("api/v1/groups/id/{}/member-emails", segment(id)),
            Some(token),
            &[],
        )
        .await
    }

    /// `POST /groups/id/{id}/update`.
    pub async fn update_group(
        &self,
        token: &Secret,
        id: &str,
        form: &GroupUpdateForm,
    ) -> Result<Group, ApiError> {
        self.post(
            &format!("api/v1/groups/id/{}/update", segment(id)),
            Some(token),
            form,
        )
        .await
    }

    /// `GET /groups/id/{id}/usage-limit`.
    pub async fn group_limits(&self, token: &Secret, id: &str) -> Result<PerModel, ApiError> {
        let r: PerModelLimits = self
            .get(
                &format!("api/v1/groups/id/{}/usage-limit", segment(id)),
                Some(token),
                &[],
            )
            .await?;
        Ok(r.per_model)
    }

    /// `POST /groups/id/{id}/usage-limit`: replaces the map, keeps the rest of `meta`.
    pub async fn set_group_limits(
        &self,
        token: &Secret,
        id: &str,
        per_model: &PerModel,
    ) -> Result<PerModel, ApiError> {
        let body = PerModelLimits {
            per_model: per_model.clone(),
        };
        let r: PerModelLimits = self
            .post(
                &format!("api/v1/groups/id/{}/usage-limit", segment(id)),
                Some(token),
                &body,
            )
            .await?;
        Ok(r.per_model)
    }

    /// `DELETE /groups/id/{id}/delete`.
    pub async fn delete_group(&self, token: &Secret, id: &str) -> Result<bool, ApiError> {
        self.send(
            Method::DELETE,
            &format!("api/v1/groups/id/{}/delete", segment(id)),
            Some(token),
            &[],
            None::<&()>,
        )
        .await
    }
}
