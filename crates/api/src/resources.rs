//! Workspace resources as the admin lists them (resources.md §2): knowledge bases and model
//! rows, read here for the statement of what a settings wipe removes; and the wipes themselves.

use crate::client::Client;
use crate::error::ApiError;
use cloo_domain::Secret;
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;

/// One knowledge base of `GET /knowledge/` (the fields the console reads; the rest is ignored).
#[derive(Debug, Clone, Deserialize)]
pub struct KnowledgeBase {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// How many files it holds (the list carries no files, only this count).
    #[serde(default)]
    pub file_count: Option<u64>,
}

/// One model row of `GET /models/` (agents) or `GET /models/base` (overrides and flows).
#[derive(Debug, Clone, Deserialize)]
pub struct ModelRow {
    /// Its id (a provider model's id for an override; may contain `/`).
    pub id: String,
    /// Its name.
    pub name: String,
    /// The model an agent is built on; null for overrides and flows.
    #[serde(default)]
    pub base_model_id: Option<String>,
}

impl Client {
    /// `GET /knowledge/`: every knowledge base an admin can list (project ones are not).
    pub async fn list_knowledge(&self, token: &Secret) -> Result<Vec<KnowledgeBase>, ApiError> {
        self.get("api/v1/knowledge/", Some(token), &[]).await
    }

    /// `GET /models/`: every agent (admin).
    pub async fn list_agents(&self, token: &Secret) -> Result<Vec<ModelRow>, ApiError> {
        self.get("api/v1/models/", Some(token), &[]).await
    }

    /// `GET /models/base`: every row without a base model (admin or `admin.settings` read).
    pub async fn list_base_models(&self, token: &Secret) -> Result<Vec<ModelRow>, ApiError> {
        self.get("api/v1/models/base", Some(token), &[]).await
    }

    /// Calls one of the irreversible settings endpoints; the answer is whatever the server
    /// says (`null`, a message, or `true`).
    pub async fn wipe(
        &self,
        token: &Secret,
        wipe: cloo_domain::settings::wipe::Wipe,
    ) -> Result<Value, ApiError> {
        use cloo_domain::settings::wipe::WipeMethod;
        let (method, path) = wipe.endpoint();
        match method {
            WipeMethod::Post => {
                self.send(
                    Method::POST,
                    path,
                    Some(token),
                    &[],
                    Some(&serde_json::json!({})),
                )
                .await
            }
            WipeMethod::Delete => {
                self.send(Method::DELETE, path, Some(token), &[], None::<&()>)
                    .await
            }
        }
    }
}
