//! Adding a tenant: prove the connection and the admin credential first, then keep the secret
//! in the keychain and the rest in the store — or nothing at all when any step fails.

use super::{
    AddTenantRequest, ConnectionReport, TenantView, given_ca, stored_form, verify_connection,
};
use crate::error::{ConsoleError, ConsoleResult};
use crate::operation::{OperationKind, TenantRef};
use crate::{Observer, Tenants, blocking_secret_erase, blocking_secret_write};
use cloo_store::{AuthKind, NewTenant, SecretSlot};

impl Tenants<'_> {
    /// Tests a connection without saving anything.
    pub async fn test_connection(
        &self,
        request: &AddTenantRequest,
    ) -> ConsoleResult<ConnectionReport> {
        let credential = request.auth.credential()?;
        let (_, _, report) = verify_connection(
            &request.url,
            &credential,
            given_ca(request.ca_pem.as_deref()),
        )
        .await?;
        Ok(report)
    }

    /// Adds a tenant after proving the connection and the admin credential. Secrets go to the
    /// keychain; when any step fails nothing is kept, neither the row nor a secret.
    pub async fn add(&self, request: &AddTenantRequest) -> ConsoleResult<TenantView> {
        let c = self.c;
        let name = cloo_domain::validate_tenant_name(&request.name)
            .map_err(|e| ConsoleError::invalid("name", e.to_string()))?
            .to_owned();
        if c.store.tenant(&name).await.is_ok() || c.ephemeral_tenant(&name).is_some() {
            return Err(cloo_store::StoreError::NameTaken(name).into());
        }
        let credential = request.auth.credential()?;
        let ca_pem = given_ca(request.ca_pem.as_deref());
        let id = uuid::Uuid::new_v4().to_string();
        let (auth_kind, account, secret) = stored_form(&credential);
        let op = c
            .begin_on(
                TenantRef {
                    key: id.clone(),
                    name: name.clone(),
                    read_only: request.read_only,
                    actor: account.clone().unwrap_or_else(|| "API key".into()),
                },
                OperationKind::TenantAdd,
                &name,
                None,
                &Observer::quiet(),
            )
            .await?;
        let result = async {
            // Learn that the keychain is missing before asking the deployment anything.
            let probe_store = c.keychain.clone();
            tokio::task::spawn_blocking(move || probe_store.probe())
                .await
                .map_err(|e| ConsoleError::Internal(e.to_string()))??;
            let (client, user, _) = verify_connection(&request.url, &credential, ca_pem).await?;
            let saved = async {
                blocking_secret_write(&c.keychain, &id, SecretSlot::Credential, &secret).await?;
                if auth_kind == AuthKind::Password {
                    blocking_secret_write(&c.keychain, &id, SecretSlot::Session, &user.token)
                        .await?;
                }
                Ok::<_, ConsoleError>(
                    c.store
                        .insert_tenant(&NewTenant {
                            id: id.clone(),
                            name: name.clone(),
                            base_url: client.base_url().to_string(),
                            auth_kind,
                            account: account.clone(),
                            read_only: request.read_only,
                            ca_pem: ca_pem.map(str::to_owned),
                        })
                        .await?,
                )
            }
            .await;
            let tenant = match saved {
                Ok(tenant) => tenant,
                Err(e) => {
                    for slot in [SecretSlot::Credential, SecretSlot::Session] {
                        let _ = blocking_secret_erase(&c.keychain, &id, slot).await;
                    }
                    return Err(e);
                }
            };
            if c.store.current_tenant_id().await?.is_none() {
                c.store.set_current_tenant(Some(&tenant.id)).await?;
            }
            let current = c.store.current_tenant_id().await?.as_deref() == Some(tenant.id.as_str());
            Ok(TenantView::from_tenant(tenant, current))
        }
        .await;
        if let Ok(view) = &result {
            op.record_after(view);
        }
        op.finish(result).await
    }
}
