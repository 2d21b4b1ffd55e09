//! The tenant list, the desktop's first screen, choosing the current tenant, and who the console
//! signs in as.

use super::{StartupState, TenantView};
use crate::error::ConsoleResult;
use crate::{Console, Target, Tenants};
use serde::Serialize;
use ts_rs::TS;

/// The preference that keeps the desktop's language.
const LANGUAGE: &str = "language";
/// The languages the desktop speaks.
const LANGUAGES: &[&str] = &["en", "ko"];

/// The signed-in account on a deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct WhoAmI {
    /// Base URL.
    pub base_url: String,
    /// Server version.
    pub server_version: Option<String>,
    /// User id.
    pub id: String,
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Role.
    pub role: String,
}

impl Tenants<'_> {
    /// All tenants: the stored ones, then those of this run only.
    pub async fn list(&self) -> ConsoleResult<Vec<TenantView>> {
        let c = self.c;
        let current = c.store.current_tenant_id().await?;
        let mut views: Vec<TenantView> = c
            .store
            .tenants()
            .await?
            .into_iter()
            .map(|t| {
                let is_current = current.as_deref() == Some(t.id.as_str());
                TenantView::from_tenant(t, is_current)
            })
            .collect();
        views.extend(Console::lock(&c.ephemeral).iter().map(|e| e.view.clone()));
        Ok(views)
    }

    /// The desktop's first screen; with `open_sandbox` the local sandbox is started and shown.
    pub async fn startup(&self, open_sandbox: bool) -> ConsoleResult<StartupState> {
        let mut selected = None;
        if open_sandbox {
            selected = Some(self.open_sandbox_for_startup().await?);
        }
        let tenants = self.list().await?;
        let selected = selected
            .or_else(|| tenants.iter().find(|t| t.current).map(|t| t.id.clone()))
            .or_else(|| tenants.first().map(|t| t.id.clone()));
        Ok(StartupState {
            tenants,
            selected,
            sandbox_available: self.sandbox_available(),
            palette: super::palette(),
            language: self.c.store.preference(LANGUAGE).await?,
        })
    }

    /// Keeps the desktop's language (`en` or `ko`) for the next start.
    pub async fn set_language(&self, language: &str) -> ConsoleResult<()> {
        if !LANGUAGES.contains(&language) {
            return Err(crate::ConsoleError::invalid(
                "language",
                format!(
                    "{language:?} is not a language of the console ({})",
                    LANGUAGES.join(", ")
                ),
            ));
        }
        self.c
            .store
            .set_preference(LANGUAGE, Some(language))
            .await?;
        Ok(())
    }

    async fn open_sandbox_for_startup(&self) -> ConsoleResult<String> {
        Ok(self.open_local_sandbox().await?.id)
    }

    /// Chooses the tenant later commands act on by default.
    pub async fn select(&self, name: &str) -> ConsoleResult<TenantView> {
        let tenant = self.c.store.tenant(name).await?;
        self.c.store.set_current_tenant(Some(&tenant.id)).await?;
        Ok(TenantView::from_tenant(tenant, true))
    }

    /// The signed-in account.
    pub async fn whoami(&self, target: &Target) -> ConsoleResult<WhoAmI> {
        let session = self.c.session(target).await?;
        let user = session
            .call(|c, t| async move { c.session_user(&t).await })
            .await?;
        let version = session.client().version().await.ok().map(|v| v.version);
        Ok(WhoAmI {
            base_url: session.client().base_url().to_string(),
            server_version: version,
            id: user.id,
            name: user.name,
            email: user.email,
            role: user.role.to_string(),
        })
    }
}
