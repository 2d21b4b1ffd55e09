//! Default permissions: a floor for every user, replaced whole by the server on every save.

use crate::error::ConsoleResult;
use crate::operation::OperationKind;
use crate::{Defaults, Observer, Target};
use cloo_domain::permissions::{
    PermissionTree, default_permissions_post, default_permissions_view,
};
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

/// The default permissions as the deployment shows and stores them.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct DefaultsView {
    /// What the default-permissions endpoint shows.
    #[ts(type = "Record<string, unknown>")]
    pub view: Value,
    /// What is stored, when this account can read it (`null` when never saved or not readable).
    #[ts(type = "Record<string, unknown> | null")]
    pub stored: Option<Value>,
    /// Defaults were never saved: every user gets the built-in object.
    pub never_saved: bool,
}

/// A save of default permissions: exactly what is sent, and how it differs from what was asked.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct DefaultsChange {
    /// The body sent (what the server stores).
    #[ts(type = "Record<string, unknown>")]
    pub body: Value,
    /// Keys dropped, converted or filled, in sentences.
    pub notes: Vec<String>,
}

impl Defaults<'_> {
    /// The default permissions.
    pub async fn get(&self, target: &Target) -> ConsoleResult<DefaultsView> {
        let session = self.c.session(target).await?;
        let view = session
            .call(|c, t| async move { c.default_permissions(&t).await })
            .await?;
        let snapshot = self.c.snapshot(target, false).await?;
        let stored = snapshot.stored_defaults.clone().flatten();
        let never_saved = matches!(snapshot.stored_defaults, Some(None));
        Ok(DefaultsView {
            view,
            stored,
            never_saved,
        })
    }

    /// What saving `wanted` would store, without sending anything.
    pub fn plan(&self, wanted: &Value) -> DefaultsChange {
        let builtin = cloo_domain::permissions::builtin_defaults();
        let (body, notes) = default_permissions_post(&PermissionTree::from_json(wanted), &builtin);
        DefaultsChange {
            body,
            notes: notes.iter().map(ToString::to_string).collect(),
        }
    }

    /// Saves default permissions (the planned body; see [`Defaults::plan`]).
    pub async fn set(
        &self,
        target: &Target,
        wanted: &Value,
        observer: &Observer,
    ) -> ConsoleResult<DefaultsChange> {
        let c = self.c;
        let op = c
            .begin(
                target,
                OperationKind::DefaultsSet,
                "default permissions",
                observer,
            )
            .await?;
        let result = async {
            let plan = self.plan(wanted);
            let snapshot = c.snapshot(target, false).await?;
            op.record_before(&snapshot.stored_defaults.clone().flatten());
            let session = c.session(target).await?;
            let body = plan.body.clone();
            let stored = session
                .call(|client, t| {
                    let body = body.clone();
                    async move { client.set_default_permissions(&t, &body).await }
                })
                .await?;
            op.record_after(&stored);
            c.invalidate(target).await;
            Ok(DefaultsChange {
                body: stored,
                notes: plan.notes,
            })
        }
        .await;
        op.finish(result).await
    }

    /// The GET view the server would give for a stored object (for previews).
    pub fn view_of(&self, stored: Option<&Value>) -> Value {
        let stored = stored.map(PermissionTree::from_json);
        default_permissions_view(
            stored.as_ref(),
            &cloo_domain::permissions::builtin_defaults(),
        )
        .to_json()
    }
}
