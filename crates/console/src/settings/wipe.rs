//! The irreversible settings actions (reset the vector database, delete all files, delete all
//! models): a statement of exactly what goes, read from the deployment, and the action itself,
//! run only when the deployment's name is typed — one journaled operation each.

use super::Settings;
use crate::Target;
use crate::error::{ConsoleError, ConsoleResult};
use crate::operation::{Observer, OperationKind};
use cloo_api::{ApiError, KnownDetail};
use cloo_domain::settings::wipe::{Wipe, WipeFacts, WipeItem, confirms, statement};
use serde::Serialize;
use ts_rs::TS;

/// What a wipe would take away, and what to type to confirm it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct WipeStatement {
    /// The action.
    pub wipe: Wipe,
    /// The endpoint it calls (`POST /api/v1/retrieval/reset/db`).
    pub endpoint: String,
    /// The deployment's name: what the admin types to confirm.
    pub confirm: String,
    /// Exactly what goes, line by line.
    pub items: Vec<WipeItem>,
}

/// What a wipe did.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct WipeOutcome {
    /// The statement the admin confirmed (as read just before the call).
    pub statement: WipeStatement,
    /// The statement read again afterwards: what the deployment still lists.
    pub remaining: Vec<WipeItem>,
}

/// Whether an error means "this deployment does not offer the list" (module off, no right to
/// list it) rather than a failure to report.
fn not_offered(e: &ConsoleError) -> bool {
    match e {
        ConsoleError::Api(api) => {
            api.known() == Some(KnownDetail::LicenseRequired)
                || matches!(api, ApiError::Forbidden { .. } | ApiError::NotFound { .. })
        }
        _ => false,
    }
}

impl Settings<'_> {
    /// Reads what `wipe` would remove on `target`: the knowledge bases for the Documents
    /// actions, the model rows for the Models one. Nothing is written.
    pub async fn wipe_statement(
        &self,
        target: &Target,
        wipe: Wipe,
    ) -> ConsoleResult<WipeStatement> {
        let tenant = self.c.tenant_ref(target).await?;
        let facts = self.wipe_facts(target, wipe).await?;
        let (method, path) = wipe.endpoint();
        Ok(WipeStatement {
            wipe,
            endpoint: format!(
                "{} /{path}",
                match method {
                    cloo_domain::settings::wipe::WipeMethod::Post => "POST",
                    cloo_domain::settings::wipe::WipeMethod::Delete => "DELETE",
                }
            ),
            confirm: tenant.name,
            items: statement(wipe, &facts),
        })
    }

    async fn wipe_facts(&self, target: &Target, wipe: Wipe) -> ConsoleResult<WipeFacts> {
        let session = self.c.session(target).await?;
        let mut facts = WipeFacts::default();
        match wipe {
            Wipe::VectorDb | Wipe::AllFiles => {
                let listed = session
                    .call(|c, t| async move { c.list_knowledge(&t).await })
                    .await;
                facts.knowledge = match listed {
                    Ok(list) => Some(
                        list.into_iter()
                            .map(|kb| (kb.name, kb.file_count.unwrap_or(0)))
                            .collect(),
                    ),
                    Err(e) if not_offered(&e) => None,
                    Err(e) => return Err(e),
                };
            }
            Wipe::AllModels => {
                let agents = session
                    .call(|c, t| async move { c.list_agents(&t).await })
                    .await;
                // An account with `admin.settings` but not `workspace.agents` cannot list
                // agents; the base rows it can always list.
                facts.agents = match agents {
                    Ok(list) => Some(list.into_iter().map(|m| m.name).collect()),
                    Err(e) if not_offered(&e) => None,
                    Err(e) => return Err(e),
                };
                facts.base_rows = session
                    .call(|c, t| async move { c.list_base_models(&t).await })
                    .await?
                    .into_iter()
                    .map(|m| m.name)
                    .collect();
            }
        }
        Ok(facts)
    }

    /// Runs `wipe` on `target` once `typed` is the deployment's name: states what goes (read
    /// again now, journaled as the before), calls the endpoint, and reads the statement again as
    /// the after. A mismatch is refused before anything is sent.
    pub async fn wipe(
        &self,
        target: &Target,
        wipe: Wipe,
        typed: &str,
        observer: &Observer,
    ) -> ConsoleResult<WipeOutcome> {
        let c = self.c;
        let op = c
            .begin(target, OperationKind::SettingsWipe, wipe.name(), observer)
            .await?;
        let result = async {
            let tenant = c.tenant_ref(target).await?;
            if !confirms(typed, &tenant.name) {
                return Err(ConsoleError::ConfirmationMismatch {
                    expected: tenant.name,
                });
            }
            op.step("checking", 0, 1);
            let before = self.wipe_statement(target, wipe).await?;
            op.record_before(&before);
            op.checkpoint(
                || "nothing (it was cancelled before the call)".to_owned(),
                "run it again",
            )?;
            op.step("deleting", 0, 1);
            let session = c.session(target).await?;
            session
                .call(|cl, t| async move { cl.wipe(&t, wipe).await })
                .await?;
            op.step("verifying", 1, 1);
            let after = self.wipe_statement(target, wipe).await.map_err(|e| {
                ConsoleError::after_writes(
                    e,
                    format!("{} was called and accepted", before.endpoint),
                    "read the tab again to see what remains",
                )
            })?;
            op.record_after(&after.items);
            Ok(WipeOutcome {
                statement: before,
                remaining: after.items,
            })
        }
        .await;
        op.finish(result).await
    }
}
