//! Connection tests the server offers (settings.md, Connections): the deployment calls the
//! provider with the stored key, so a test proves what the deployment itself can reach.

use super::Settings;
use crate::Target;
use crate::error::{ConsoleError, ConsoleResult};
use serde::Serialize;
use serde_json::{Value, json};
use ts_rs::TS;

/// What a connection test found.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ConnectionTest {
    /// The URL tested.
    pub url: String,
    /// Whether the provider answered.
    pub ok: bool,
    /// How many models it listed, when it did.
    #[ts(type = "number | null")]
    pub models: Option<usize>,
    /// The deployment's or the provider's words when it failed.
    pub detail: String,
}

impl Settings<'_> {
    /// Asks the deployment to call the OpenAI-compatible connection at `index` (`POST
    /// /openai/verify`). The key goes as the masked form read, with `idx`: the server resolves
    /// it to the stored key by index and stores nothing, so no secret leaves the deployment.
    pub async fn test_openai(
        &self,
        target: &Target,
        index: usize,
    ) -> ConsoleResult<ConnectionTest> {
        let session = self.c.session(target).await?;
        let config = session
            .call(|c, t| async move { c.settings_section(&t, "openai/config").await })
            .await?;
        let url = config["OPENAI_API_BASE_URLS"]
            .get(index)
            .and_then(Value::as_str)
            .ok_or_else(|| {
                ConsoleError::not_found(
                    "connection",
                    &index.to_string(),
                    format!("no OpenAI-compatible connection at index {index}"),
                )
            })?
            .to_owned();
        let key = config["OPENAI_API_KEYS"]
            .get(index)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let body = json!({"url": url, "key": key, "idx": index});
        let answer = session
            .call(|c, t| {
                let body = &body;
                async move { c.write_settings_section(&t, "openai/verify", body).await }
            })
            .await;
        match answer {
            Ok(v) => Ok(ConnectionTest {
                url,
                ok: true,
                models: v["data"].as_array().map(Vec::len),
                detail: String::new(),
            }),
            // The token read the config a moment ago, so a 401 here is the provider's, passed
            // on with its status by the server ("External: …"), not the session's.
            Err(ConsoleError::Api(
                e @ (cloo_api::ApiError::NotAuthenticated { .. }
                | cloo_api::ApiError::Rejected { .. }
                | cloo_api::ApiError::NotFound { .. }
                | cloo_api::ApiError::Server { .. }
                | cloo_api::ApiError::UnexpectedResponse { .. }),
            )) => Ok(ConnectionTest {
                url,
                ok: false,
                models: None,
                detail: e.to_string(),
            }),
            Err(e) => Err(e),
        }
    }
}
