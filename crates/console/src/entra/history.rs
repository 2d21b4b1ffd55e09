//! The local history of Entra runs per tenant: when, who, which sign-in, which way, the Graph
//! figures, the plan's counts, how long, and how it ended.

use crate::error::{ConsoleError, ConsoleResult};
use crate::{Console, Entra, Target};
use cloo_store::EntraHistoryRow;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct EntraRun {
    /// Row id.
    #[ts(type = "number")]
    pub id: i64,
    /// Epoch milliseconds.
    #[ts(type = "number")]
    pub started_at: i64,
    /// How long it took.
    #[ts(type = "number")]
    pub duration_ms: i64,
    /// The console's account on the deployment.
    pub actor: String,
    /// `plan`, `apply` or `sync`.
    pub action: String,
    /// Sign-in method.
    pub method: String,
    /// `parity` or `recommended`.
    pub mode: String,
    /// The plan.
    pub plan_id: Option<String>,
    /// Graph figures and plan counts.
    #[ts(type = "Record<string, unknown>")]
    pub figures: Value,
    /// `planned`, `no_changes`, `applied`, `failed`, `refused`, `cancelled`.
    pub outcome: String,
    /// The error code when it did not succeed.
    pub error_code: Option<String>,
    /// A sentence.
    pub message: String,
}

/// What a finished run records.
pub(crate) struct RunRecord<'a> {
    pub(crate) action: &'a str,
    pub(crate) method: &'a str,
    pub(crate) mode: &'a str,
    pub(crate) plan_id: Option<String>,
    pub(crate) figures: Value,
}

impl Console {
    /// Records a run; `outcome` is the result's, or the error's. A history that cannot be
    /// written is logged, never allowed to hide what the run itself did.
    pub(crate) async fn record_entra_run<T>(
        &self,
        target: &Target,
        started: std::time::Instant,
        started_at: i64,
        record: RunRecord<'_>,
        outcome: &ConsoleResult<T>,
        success: &str,
    ) {
        if let Err(e) = self
            .write_entra_run(target, started, started_at, record, outcome, success)
            .await
        {
            tracing::warn!("the Entra history could not be written: {e}");
        }
    }

    async fn write_entra_run<T>(
        &self,
        target: &Target,
        started: std::time::Instant,
        started_at: i64,
        record: RunRecord<'_>,
        outcome: &ConsoleResult<T>,
        success: &str,
    ) -> ConsoleResult<()> {
        let tenant = self.tenant_ref(target).await?;
        let (outcome, error_code, message) = match outcome {
            Ok(_) => (success.to_owned(), None, String::new()),
            Err(e) => {
                let code = e.code();
                let outcome = if code.is_guard() {
                    "refused"
                } else if matches!(e, ConsoleError::Cancelled(_)) {
                    "cancelled"
                } else {
                    "failed"
                };
                (
                    outcome.to_owned(),
                    Some(code.as_str().to_owned()),
                    e.to_string(),
                )
            }
        };
        self.store
            .add_entra_history(&EntraHistoryRow {
                id: 0,
                tenant_id: tenant.key,
                started_at,
                duration_ms: started.elapsed().as_millis() as i64,
                actor: tenant.actor,
                action: record.action.to_owned(),
                method: record.method.to_owned(),
                mode: record.mode.to_owned(),
                plan_id: record.plan_id,
                figures: record.figures.to_string(),
                outcome,
                error_code,
                message,
            })
            .await?;
        Ok(())
    }
}

impl Entra<'_> {
    /// The tenant's runs, newest first.
    pub async fn list_history(&self, target: &Target, limit: i64) -> ConsoleResult<Vec<EntraRun>> {
        let key = self.c.target_key(target).await?;
        Ok(self
            .c
            .store
            .entra_history(&key, limit)
            .await?
            .into_iter()
            .map(|r| EntraRun {
                id: r.id,
                started_at: r.started_at,
                duration_ms: r.duration_ms,
                actor: r.actor,
                action: r.action,
                method: r.method,
                mode: r.mode,
                plan_id: r.plan_id,
                figures: serde_json::from_str(&r.figures).unwrap_or(Value::Null),
                outcome: r.outcome,
                error_code: r.error_code,
                message: r.message,
            })
            .collect())
    }
}
