//! Removing a tenant: its row goes, and its secrets are erased from the keychain.

use super::RemovedTenant;
use crate::error::{ConsoleError, ConsoleResult};
use crate::operation::OperationKind;
use crate::{Observer, Target, Tenants, blocking_secret_erase};
use cloo_store::SecretSlot;

impl Tenants<'_> {
    /// Removes a tenant and erases its secrets from the keychain.
    pub async fn remove(&self, name: &str) -> ConsoleResult<RemovedTenant> {
        let c = self.c;
        if let Some(eph) = c.ephemeral_tenant(name) {
            return Err(ConsoleError::invalid(
                "tenant",
                format!(
                    "{} exists only while the app runs; it goes when the app closes",
                    eph.view.name
                ),
            ));
        }
        let tenant = c.store.tenant(name).await?;
        let op = c
            .begin(
                &Target::Tenant(tenant.id.clone()),
                OperationKind::TenantRemove,
                &tenant.name,
                &Observer::quiet(),
            )
            .await?;
        op.record_before(&super::TenantView::from_tenant(tenant.clone(), false));
        let result = async {
            let mut warning = None;
            for slot in [
                SecretSlot::Credential,
                SecretSlot::Session,
                SecretSlot::SrKey,
            ] {
                if let Err(e) = blocking_secret_erase(&c.keychain, &tenant.id, slot).await {
                    warning = Some(format!(
                        "its secrets could not be erased from the keychain: {e}"
                    ));
                }
            }
            c.store.set_sr_direct_url(&tenant.id, None).await?;
            c.store.remove_tenant(&tenant.id).await?;
            c.forget(&tenant.id);
            Ok(RemovedTenant {
                name: tenant.name.clone(),
                keychain_warning: warning,
            })
        }
        .await;
        op.finish(result).await
    }
}
