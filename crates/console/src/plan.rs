//! Stored plans, shared by every kind of change: a plan is made once (`plan_*`), kept in the
//! local store under an id, reviewed, and applied by that id (`apply_*`) from either shell.

use crate::Console;
use crate::error::{ConsoleError, ConsoleResult};
use cloo_store::StoredPlan;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The kinds of stored plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PlanKind {
    /// An organization JSON import.
    OrgImport,
    /// A CSV user import.
    UserImport,
    /// A bulk action on a selection of users.
    UsersBulk,
    /// A settings document.
    Settings,
}

impl PlanKind {
    /// The store's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            PlanKind::OrgImport => "org_import",
            PlanKind::UserImport => "user_import",
            PlanKind::UsersBulk => "users_bulk",
            PlanKind::Settings => "settings",
        }
    }
}

impl Console {
    /// Keeps a plan document under `id`.
    pub(crate) async fn save_plan(
        &self,
        kind: PlanKind,
        id: &str,
        tenant_key: &str,
        title: &str,
        document: &impl Serialize,
    ) -> ConsoleResult<()> {
        let text =
            serde_json::to_string(document).map_err(|e| ConsoleError::Internal(e.to_string()))?;
        self.store
            .save_plan(&StoredPlan {
                id: id.to_owned(),
                kind: kind.as_str().to_owned(),
                tenant_id: tenant_key.to_owned(),
                created_at: crate::now(),
                title: title.to_owned(),
                document: text,
            })
            .await?;
        Ok(())
    }

    /// A stored plan of `kind` as the store keeps it, its document still text (for a caller that
    /// reads the document its own way).
    pub(crate) async fn stored_plan_record(
        &self,
        kind: PlanKind,
        id: &str,
    ) -> ConsoleResult<StoredPlan> {
        self.store
            .plan(id)
            .await?
            .filter(|p| p.kind == kind.as_str())
            .ok_or_else(|| {
                ConsoleError::not_found("plan", id, format!("no stored plan {id:?} of this kind"))
            })
    }

    /// A stored plan of `kind`, read back into its document type.
    pub(crate) async fn stored_plan<T: DeserializeOwned>(
        &self,
        kind: PlanKind,
        id: &str,
    ) -> ConsoleResult<(StoredPlan, T)> {
        let stored = self.stored_plan_record(kind, id).await?;
        let document = serde_json::from_str(&stored.document).map_err(|e| {
            ConsoleError::Internal(format!("the stored plan {id:?} is unreadable: {e}"))
        })?;
        Ok((stored, document))
    }
}
