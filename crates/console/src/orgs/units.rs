//! Changes to one unit: its daily limits, its guardrails (ids checked against the deployment's
//! guardrails before anything is sent), and deleting it.

use super::UnitDetail;
use crate::error::{ConsoleError, ConsoleResult};
use crate::operation::OperationKind;
use crate::{Observer, Orgs, Target, check_limit};
use serde_json::{Value, json};

impl Orgs<'_> {
    /// Sets (or with `None` removes) one model's daily token limit on a unit: the server
    /// replaces the whole map, so the current one is read and sent back with the change.
    pub async fn set_unit_limit(
        &self,
        target: &Target,
        unit: &str,
        model: &str,
        tokens: Option<i64>,
        observer: &Observer,
    ) -> ConsoleResult<UnitDetail> {
        let c = self.c;
        let op = c
            .begin(target, OperationKind::OrgUnitSetLimit, unit, observer)
            .await?;
        let result = async {
            check_limit(tokens)?;
            let found = self.get_unit(target, unit, None).await?;
            let id = found.unit["id"].as_str().unwrap_or(unit).to_owned();
            op.set_target(found.path.join(" / ").as_str());
            let session = c.session(target).await?;
            let current = session
                .call(|client, t| {
                    let id = id.clone();
                    async move { client.org_unit_usage_limit(&t, &id).await }
                })
                .await?;
            let mut map = current["per_model"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            op.record_before(&map);
            match tokens {
                Some(n) => {
                    map.insert(model.to_owned(), json!(n));
                }
                None => {
                    map.remove(model);
                }
            }
            let body = Value::Object(map);
            op.record_after(&body);
            session
                .call(|client, t| {
                    let (id, body) = (id.clone(), body.clone());
                    async move { client.set_org_unit_usage_limit(&t, &id, &body).await }
                })
                .await?;
            self.get_unit(target, &id, None).await
        }
        .await;
        op.finish(result).await
    }

    /// Sets a unit's guardrails and whether it follows the global ones (both always sent: the
    /// server turns inheritance off when `follow_global` is left out). Every id must name a
    /// guardrail of the deployment: the server would store any string.
    pub async fn set_unit_guardrails(
        &self,
        target: &Target,
        unit: &str,
        guardrail_ids: &[String],
        follow_global: bool,
        observer: &Observer,
    ) -> ConsoleResult<UnitDetail> {
        let c = self.c;
        let op = c
            .begin(target, OperationKind::OrgUnitSetGuardrails, unit, observer)
            .await?;
        let result = async {
            let found = self.get_unit(target, unit, None).await?;
            let unknown: Vec<&str> = guardrail_ids
                .iter()
                .map(String::as_str)
                .filter(|id| !found.guardrail_choices.iter().any(|g| g.id == *id))
                .collect();
            if !unknown.is_empty() {
                return Err(ConsoleError::invalid(
                    "guardrail_ids",
                    format!(
                        "no guardrail with id {} on this deployment (known: {})",
                        unknown.join(", "),
                        found
                            .guardrail_choices
                            .iter()
                            .map(|g| format!("{} ({})", g.id, g.name))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
            let id = found.unit["id"].as_str().unwrap_or(unit).to_owned();
            op.set_target(found.path.join(" / ").as_str());
            op.record_before(&json!({
                "guardrail_ids": found.guardrail_ids,
                "follow_global_guardrail": found.follow_global_guardrail,
            }));
            op.record_after(&json!({
                "guardrail_ids": guardrail_ids,
                "follow_global_guardrail": follow_global,
            }));
            let session = c.session(target).await?;
            let ids = guardrail_ids.to_vec();
            session
                .call(|client, t| {
                    let (id, ids) = (id.clone(), ids.clone());
                    async move {
                        client
                            .set_org_unit_guardrails(&t, &id, &ids, follow_global)
                            .await
                    }
                })
                .await?;
            self.get_unit(target, &id, None).await
        }
        .await;
        op.finish(result).await
    }

    /// Deletes one unit; its users stay, its children keep a dangling parent (shown at the top).
    pub async fn delete_unit(
        &self,
        target: &Target,
        unit_id: &str,
        observer: &Observer,
    ) -> ConsoleResult<()> {
        let c = self.c;
        let op = c
            .begin(target, OperationKind::OrgUnitDelete, unit_id, observer)
            .await?;
        let result = async {
            let session = c.session(target).await?;
            let id = unit_id.to_owned();
            session
                .call(|client, t| {
                    let id = id.clone();
                    async move { client.delete_org_unit(&t, &id).await }
                })
                .await
                .map_err(|e| match e {
                    ConsoleError::Api(cloo_api::ApiError::NotFound { .. }) => {
                        ConsoleError::not_found("unit", unit_id, "that unit no longer exists")
                    }
                    other => other,
                })?;
            Ok(())
        }
        .await;
        op.finish(result).await
    }
}
