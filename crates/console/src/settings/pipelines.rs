//! The Pipelines tab: pipeline servers (OpenAI-compatible connections that serve pipelines),
//! their pipelines, installing one from a URL, removing one, and a pipeline's valves — each
//! change one journaled operation. The deployment passes valves on unmasked; the console masks
//! every secret-named one before it leaves this module (shells, journal), and a change starts
//! from the values as stored, so a masked value is never sent back.

use super::Settings;
use crate::Target;
use crate::error::{ConsoleError, ConsoleResult, ErrorView};
use crate::operation::{Observer, OperationKind};
use cloo_domain::settings::{Edit, NewSecret, hides_a_secret, is_secret_name, mask, set_path};
use serde::Serialize;
use serde_json::{Map, Value};
use ts_rs::TS;

/// One pipeline server and what it serves.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PipelineServerView {
    /// Its index among the OpenAI-compatible connections (`urlIdx`).
    pub idx: usize,
    /// Its URL.
    pub url: String,
    /// Its pipelines.
    pub pipelines: Vec<PipelineView>,
    /// Why its pipelines could not be listed.
    pub error: Option<ErrorView>,
}

/// One pipeline.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PipelineView {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// `pipe`, `filter`, or `manifold`.
    pub kind: String,
}

/// A pipeline's valves: the values, and the JSON schema the server describes them with.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PipelineValves {
    /// The values.
    #[ts(type = "Record<string, unknown>")]
    pub values: Value,
    /// The schema (`properties` → each valve's type, title, default).
    #[ts(type = "Record<string, unknown>")]
    pub spec: Value,
    /// The valves that are secrets (shown masked; a new value is typed as a secret).
    pub secrets: Vec<String>,
}

/// `values` with every secret-named value masked, for the journal.
fn masked(values: &Value) -> Value {
    match values {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let shown = match v {
                        Value::String(s) if is_secret_name(k) => Value::String(mask(s)),
                        other => masked(other),
                    };
                    (k.clone(), shown)
                })
                .collect::<Map<String, Value>>(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(masked).collect()),
        other => other.clone(),
    }
}

impl Settings<'_> {
    /// Every pipeline server with its pipelines; a server that cannot be listed carries why.
    pub async fn pipelines(&self, target: &Target) -> ConsoleResult<Vec<PipelineServerView>> {
        let session = self.c.session(target).await?;
        let servers = session
            .call(|c, t| async move { c.pipeline_servers(&t).await })
            .await?;
        let mut out = Vec::with_capacity(servers.len());
        for server in servers {
            let idx = server.idx;
            let listed = session
                .call(|c, t| async move { c.pipelines(&t, idx).await })
                .await;
            let (pipelines, error) = match listed {
                Ok(answer) => (
                    answer["data"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|p| PipelineView {
                            id: p["id"].as_str().unwrap_or_default().to_owned(),
                            name: p["name"].as_str().unwrap_or_default().to_owned(),
                            kind: p["type"].as_str().unwrap_or("pipe").to_owned(),
                        })
                        .collect(),
                    None,
                ),
                Err(e @ ConsoleError::Api(_)) => (Vec::new(), Some(e.view())),
                Err(e) => return Err(e),
            };
            out.push(PipelineServerView {
                idx,
                url: server.url,
                pipelines,
                error,
            });
        }
        Ok(out)
    }

    /// Has the pipeline server at `idx` install the pipeline file at `url`.
    pub async fn add_pipeline(
        &self,
        target: &Target,
        idx: usize,
        url: &str,
        observer: &Observer,
    ) -> ConsoleResult<Vec<PipelineServerView>> {
        let op = self
            .c
            .begin(target, OperationKind::PipelineAdd, url, observer)
            .await?;
        let result = async {
            let session = self.c.session(target).await?;
            let answer = session
                .call(|c, t| async move { c.add_pipeline(&t, idx, url).await })
                .await?;
            op.record_after(&answer);
            self.pipelines(target).await
        }
        .await;
        op.finish(result).await
    }

    /// Has the pipeline server at `idx` remove pipeline `id`.
    pub async fn delete_pipeline(
        &self,
        target: &Target,
        idx: usize,
        id: &str,
        observer: &Observer,
    ) -> ConsoleResult<Vec<PipelineServerView>> {
        let op = self
            .c
            .begin(target, OperationKind::PipelineDelete, id, observer)
            .await?;
        let result = async {
            let session = self.c.session(target).await?;
            let before = session
                .call(|c, t| async move { c.pipeline_valves(&t, idx, id).await })
                .await
                .unwrap_or(Value::Null);
            op.record_before(&masked(&before));
            session
                .call(|c, t| async move { c.delete_pipeline(&t, idx, id).await })
                .await?;
            self.pipelines(target).await
        }
        .await;
        op.finish(result).await
    }

    /// A pipeline's valves (secret-named ones masked) and their schema.
    pub async fn pipeline_valves(
        &self,
        target: &Target,
        idx: usize,
        id: &str,
    ) -> ConsoleResult<PipelineValves> {
        let raw = self.stored_valves(target, idx, id).await?;
        Ok(PipelineValves {
            values: masked(&raw.values),
            spec: raw.spec,
            secrets: raw.secrets,
        })
    }

    /// The valves as the pipeline server holds them: never handed to a shell.
    async fn stored_valves(
        &self,
        target: &Target,
        idx: usize,
        id: &str,
    ) -> ConsoleResult<PipelineValves> {
        let session = self.c.session(target).await?;
        let values = session
            .call(|c, t| async move { c.pipeline_valves(&t, idx, id).await })
            .await?;
        let spec = session
            .call(|c, t| async move { c.pipeline_valves_spec(&t, idx, id).await })
            .await?;
        let secrets = values
            .as_object()
            .into_iter()
            .flat_map(|m| m.keys())
            .filter(|k| is_secret_name(k))
            .cloned()
            .collect();
        Ok(PipelineValves {
            values,
            spec,
            secrets,
        })
    }

    /// Changes valves of a pipeline: reads them as stored, applies `edits` and the typed
    /// `secrets`, sends them whole (the server replaces them), and reads them back. An edit of
    /// a valve the pipeline does not have, a secret given as a plain value, or a value that
    /// looks masked is refused before anything is sent.
    pub async fn set_pipeline_valves(
        &self,
        target: &Target,
        idx: usize,
        id: &str,
        edits: &[Edit],
        secrets: &[NewSecret],
        observer: &Observer,
    ) -> ConsoleResult<PipelineValves> {
        let op = self
            .c
            .begin(target, OperationKind::PipelineValvesSet, id, observer)
            .await?;
        let result = async {
            let before = self.stored_valves(target, idx, id).await?;
            let mut values = before.values.clone();
            let typed: Vec<Edit> = secrets
                .iter()
                .map(|s| Edit {
                    path: s.path.clone(),
                    value: Value::String(s.value.expose().to_owned()),
                })
                .collect();
            for e in edits {
                if is_secret_name(&e.path) && e.value.as_str().is_some_and(|v| !v.is_empty()) {
                    return Err(ConsoleError::invalid(
                        e.path.as_str(),
                        format!("{} is a secret: give it as a secret, not as a value", e.path),
                    ));
                }
            }
            for e in edits.iter().chain(&typed) {
                if e.value.as_str().is_some_and(hides_a_secret) {
                    return Err(ConsoleError::invalid(
                        e.path.as_str(),
                        format!(
                            "{}: a value starting with *** would be stored as it is, not as the secret it hides",
                            e.path
                        ),
                    ));
                }
                let known = values.get(&e.path).is_some()
                    || before.spec["properties"].get(&e.path).is_some();
                if !known {
                    return Err(ConsoleError::invalid(
                        e.path.as_str(),
                        format!("pipeline {id} has no valve {:?}", e.path),
                    ));
                }
                set_path(&mut values, &e.path, e.value.clone()).map_err(|r| {
                    ConsoleError::invalid(e.path.as_str(), super::describe_refusals(id, &[r]))
                })?;
            }
            op.record_before(&masked(&before.values));
            let session = self.c.session(target).await?;
            session
                .call(|c, t| {
                    let values = &values;
                    async move { c.update_pipeline_valves(&t, idx, id, values).await }
                })
                .await?;
            let after = self.pipeline_valves(target, idx, id).await.map_err(|e| {
                ConsoleError::after_writes(
                    e,
                    format!("the valves of {id} were sent"),
                    "read the pipeline's valves again",
                )
            })?;
            op.record_after(&masked(&after.values));
            Ok(after)
        }
        .await;
        op.finish(result).await
    }
}
