//! Connection tests the server offers (settings.md, Connections, Search Engine, Images): the
//! deployment calls the provider with what it stores, so a test proves what the deployment
//! itself can reach. How each test is asked for is `cloo_domain::settings::probes`.

use super::Settings;
use crate::Target;
use crate::error::{ConsoleError, ConsoleResult};
use crate::operation::{Observer, OperationKind};
use cloo_domain::settings::probes::{
    Probe, ProbeCaveat, ProbeKind, image_url_probe, ollama_probe, openai_probe, pgvector_probe,
    storage_probe,
};
use cloo_domain::settings::{NewSecret, hides_a_secret};
use serde::Serialize;
use serde_json::{Value, json};
use ts_rs::TS;

/// What a connection test found.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ConnectionTest {
    /// What was reached (a URL, or `host:port/database`).
    pub url: String,
    /// Whether it answered as it should.
    pub ok: bool,
    /// How many models it listed, when it did.
    #[ts(type = "number | null")]
    pub models: Option<usize>,
    /// The deployment's or the provider's words.
    pub detail: String,
    /// What the result must be read with.
    pub caveat: Option<ProbeCaveat>,
    /// The failed probe turned image generation off on the deployment.
    pub turned_images_off: bool,
}

fn no_connection(kind: &str, index: usize) -> ConsoleError {
    ConsoleError::not_found(
        "connection",
        &index.to_string(),
        format!("no {kind} connection at index {index}"),
    )
}

impl Settings<'_> {
    async fn read(&self, target: &Target, path: &'static str) -> ConsoleResult<Value> {
        let session = self.c.session(target).await?;
        session
            .call(|c, t| async move { c.settings_section(&t, path).await })
            .await
    }

    /// Asks the deployment to call the OpenAI-compatible connection at `index` through the test
    /// of its provider type (OpenAI, Azure OpenAI, Azure AI Foundry, Vertex AI). The key goes as
    /// the masked form read, with `idx`: the server resolves it to the stored key by index and
    /// stores nothing, so no secret leaves the deployment.
    pub async fn test_openai(
        &self,
        target: &Target,
        index: usize,
    ) -> ConsoleResult<ConnectionTest> {
        let config = self.read(target, "openai/config").await?;
        let probe = openai_probe(&config, index)
            .ok_or_else(|| no_connection("OpenAI-compatible", index))?;
        self.run_probe(target, probe).await
    }

    /// Asks the deployment to reach the Ollama connection at `index` (`<url>/api/version`). A
    /// stored key is not sent: the server would use its masked form as the key.
    pub async fn test_ollama(
        &self,
        target: &Target,
        index: usize,
    ) -> ConsoleResult<ConnectionTest> {
        let config = self.read(target, "ollama/config").await?;
        let probe = ollama_probe(&config, index).ok_or_else(|| no_connection("Ollama", index))?;
        self.run_probe(target, probe).await
    }

    /// Asks the deployment to connect to its pgvector database with the stored settings.
    pub async fn test_pgvector(&self, target: &Target) -> ConsoleResult<ConnectionTest> {
        let config = self
            .read(target, "api/v1/retrieval/search-engine/config")
            .await?;
        self.run_probe(target, pgvector_probe(&config)).await
    }

    /// Asks the deployment to probe its image engine (AUTOMATIC1111 or ComfyUI). A failed probe
    /// also turns image generation off there, so it is a change: journaled, refused on a
    /// read-only tenant, and the result says when it happened.
    pub async fn test_image_url(
        &self,
        target: &Target,
        observer: &Observer,
    ) -> ConsoleResult<ConnectionTest> {
        let op = self
            .c
            .begin(
                target,
                OperationKind::SettingsProbeImages,
                "images",
                observer,
            )
            .await?;
        let result = async {
            let before = self.read(target, "api/v1/images/config").await?;
            let was_on = before["enabled"].as_bool() == Some(true);
            op.record_before(&json!({"enabled": was_on}));
            let mut test = self.run_probe(target, image_url_probe(&before)).await?;
            let after = self
                .read(target, "api/v1/images/config")
                .await
                .map_err(|e| {
                    ConsoleError::after_writes(
                        e,
                        format!(
                            "the probe of {} was made ({})",
                            test.url,
                            if test.ok { "it answered" } else { "it failed" }
                        ),
                        "read the Images tab again to see whether image generation is on",
                    )
                })?;
            let is_on = after["enabled"].as_bool() == Some(true);
            op.record_after(&json!({"enabled": is_on}));
            test.turned_images_off = was_on && !is_on;
            Ok(test)
        }
        .await;
        op.finish(result).await
    }

    async fn run_probe(&self, target: &Target, probe: Probe) -> ConsoleResult<ConnectionTest> {
        let session = self.c.session(target).await?;
        let (path, get, body) = (probe.path, probe.get, probe.body);
        let answer = session
            .call(|c, t| {
                let body = &body;
                async move {
                    if get {
                        c.settings_section(&t, path).await
                    } else {
                        c.write_settings_section(&t, path, body).await
                    }
                }
            })
            .await;
        let test = |ok: bool, models: Option<usize>, detail: String| ConnectionTest {
            url: probe.reaches.clone(),
            ok,
            models,
            detail,
            caveat: probe.caveat,
            turned_images_off: false,
        };
        match answer {
            // pgvector answers 200 either way, with its verdict inside.
            Ok(v) if v.get("success").is_some() => Ok(test(
                v["success"].as_bool() == Some(true),
                None,
                v["message"].as_str().unwrap_or_default().to_owned(),
            )),
            Ok(v) => Ok(test(
                v != Value::Bool(false),
                v["data"].as_array().map(Vec::len),
                v["version"]
                    .as_str()
                    .or(v["message"].as_str())
                    .unwrap_or_default()
                    .to_owned(),
            )),
            // The token read the settings a moment ago, so a 401 here is the provider's, passed
            // on with its status by the server ("External: …"), not the session's.
            Err(ConsoleError::Api(
                e @ (cloo_api::ApiError::NotAuthenticated { .. }
                | cloo_api::ApiError::Rejected { .. }
                | cloo_api::ApiError::NotFound { .. }
                | cloo_api::ApiError::Server { .. }
                | cloo_api::ApiError::UnexpectedResponse { .. }),
            )) => Ok(test(false, None, e.to_string())),
            Err(e) => Err(e),
        }
    }
}

impl Settings<'_> {
    /// Runs the test of `kind` (`index` names the connection for OpenAI and Ollama; `secrets`
    /// are the typed credentials a storage test sends).
    pub async fn test_connection(
        &self,
        target: &Target,
        kind: ProbeKind,
        index: Option<usize>,
        secrets: &[NewSecret],
        observer: &Observer,
    ) -> ConsoleResult<ConnectionTest> {
        let index = || {
            index.ok_or_else(|| {
                ConsoleError::invalid(
                    "index",
                    "this test needs the connection's index (0 is the first)",
                )
            })
        };
        match kind {
            ProbeKind::Openai => self.test_openai(target, index()?).await,
            ProbeKind::Ollama => self.test_ollama(target, index()?).await,
            ProbeKind::Pgvector => self.test_pgvector(target).await,
            ProbeKind::Images => self.test_image_url(target, observer).await,
            ProbeKind::Storage => self.test_storage(target, false, secrets).await,
            ProbeKind::FileStorage => self.test_storage(target, true, secrets).await,
        }
    }

    /// Asks the deployment to try image (or, with `file`, file) storage credentials. The server
    /// tests the values sent and resolves no masked one, so each secret of the provider must
    /// be typed; they go to the test only and are stored nowhere.
    pub async fn test_storage(
        &self,
        target: &Target,
        file: bool,
        secrets: &[NewSecret],
    ) -> ConsoleResult<ConnectionTest> {
        if let Some(s) = secrets.iter().find(|s| hides_a_secret(s.value.expose())) {
            return Err(ConsoleError::invalid(
                s.path.as_str(),
                format!(
                    "{} starts with ***: that is the masked form, and the storage test uses the value sent; type the real secret",
                    s.path
                ),
            ));
        }
        let key = if file { "file_storage" } else { "storage" };
        let view = self.get_section(target, key).await?.values;
        let typed: Vec<(String, String)> = secrets
            .iter()
            .map(|s| (s.path.clone(), s.value.expose().to_owned()))
            .collect();
        let probe = storage_probe(file, &view, &typed).map_err(|missing| {
            ConsoleError::invalid(
                "secret",
                format!(
                    "the storage test uses the values sent, not the stored ones: type {}",
                    missing.join(", ")
                ),
            )
        })?;
        self.run_probe(target, probe).await
    }
}
