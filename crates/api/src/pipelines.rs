//! Pipelines (settings.md §11): the pipeline servers among the OpenAI-compatible connections
//! (`urlIdx` is a connection's index), and the calls the deployment proxies to them.

use crate::client::{Client, segment};
use crate::error::ApiError;
use cloo_domain::Secret;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

/// A connection that is a pipeline server.
#[derive(Debug, Clone, Deserialize)]
pub struct PipelineServer {
    /// Its URL.
    pub url: String,
    /// Its index among the OpenAI-compatible connections.
    pub idx: usize,
}

#[derive(Deserialize)]
struct Listed<T> {
    data: Vec<T>,
}

impl Client {
    /// `GET /pipelines/list`: the connections that are pipeline servers.
    pub async fn pipeline_servers(&self, token: &Secret) -> Result<Vec<PipelineServer>, ApiError> {
        let listed: Listed<PipelineServer> =
            self.get("api/v1/pipelines/list", Some(token), &[]).await?;
        Ok(listed.data)
    }

    /// `GET /pipelines/?urlIdx=`: the pipeline server's own list, as it answers it.
    pub async fn pipelines(&self, token: &Secret, idx: usize) -> Result<Value, ApiError> {
        self.get(
            "api/v1/pipelines/",
            Some(token),
            &[("urlIdx", idx.to_string())],
        )
        .await
    }

    /// `POST /pipelines/add`: the server at `idx` installs the pipeline file at `url`.
    pub async fn add_pipeline(
        &self,
        token: &Secret,
        idx: usize,
        url: &str,
    ) -> Result<Value, ApiError> {
        self.post(
            "api/v1/pipelines/add",
            Some(token),
            &json!({"url": url, "urlIdx": idx}),
        )
        .await
    }

    /// `DELETE /pipelines/delete` (a JSON body): the server at `idx` removes pipeline `id`.
    pub async fn delete_pipeline(
        &self,
        token: &Secret,
        idx: usize,
        id: &str,
    ) -> Result<Value, ApiError> {
        self.send(
            Method::DELETE,
            "api/v1/pipelines/delete",
            Some(token),
            &[],
            Some(&json!({"id": id, "urlIdx": idx})),
        )
        .await
    }

    /// `GET /pipelines/{id}/valves`: the pipeline's valve values.
    pub async fn pipeline_valves(
        &self,
        token: &Secret,
        idx: usize,
        id: &str,
    ) -> Result<Value, ApiError> {
        self.get(
            &format!("api/v1/pipelines/{}/valves", segment(id)),
            Some(token),
            &[("urlIdx", idx.to_string())],
        )
        .await
    }

    /// `GET /pipelines/{id}/valves/spec`: the JSON schema of its valves.
    pub async fn pipeline_valves_spec(
        &self,
        token: &Secret,
        idx: usize,
        id: &str,
    ) -> Result<Value, ApiError> {
        self.get(
            &format!("api/v1/pipelines/{}/valves/spec", segment(id)),
            Some(token),
            &[("urlIdx", idx.to_string())],
        )
        .await
    }

    /// `POST /pipelines/{id}/valves/update`: replaces the valve values.
    pub async fn update_pipeline_valves(
        &self,
        token: &Secret,
        idx: usize,
        id: &str,
        values: &Value,
    ) -> Result<Value, ApiError> {
        self.send(
            Method::POST,
            &format!("api/v1/pipelines/{}/valves/update", segment(id)),
            Some(token),
            &[("urlIdx", idx.to_string())],
            Some(values),
        )
        .await
    }
}
