//! Editing a tenant: name, colour (from the palette), read-only, URL, CA and credential. A new
//! URL, CA or credential is proved by signing in before anything is kept: the keychain entry is
//! replaced only once the new credential has worked.

use super::{AuthInput, TenantView, given_ca, stored_form, verify_connection};
use crate::error::{ConsoleError, ConsoleResult};
use crate::operation::OperationKind;
use crate::{Credential, Observer, Target, Tenants, blocking_secret_read, blocking_secret_write};
use cloo_store::{AuthKind, SecretSlot, TenantChange};
use serde::Deserialize;
use ts_rs::TS;

/// Changes to a tenant; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(export)]
pub struct EditTenantRequest {
    /// New display name.
    #[serde(default)]
    #[ts(optional)]
    pub name: Option<String>,
    /// New colour: one of the palette's.
    #[serde(default)]
    #[ts(optional)]
    pub colour: Option<String>,
    /// Refuse (or allow) writes.
    #[serde(default)]
    #[ts(optional)]
    pub read_only: Option<bool>,
    /// New deployment URL (proved by signing in).
    #[serde(default)]
    #[ts(optional)]
    pub url: Option<String>,
    /// New credential (proved by signing in; replaces the keychain entry only then).
    #[serde(default)]
    #[ts(optional)]
    pub auth: Option<AuthInput>,
    /// New extra CA certificate, PEM; an empty string removes it.
    #[serde(default)]
    #[ts(optional)]
    pub ca_pem: Option<String>,
}

impl EditTenantRequest {
    fn reconnects(&self) -> bool {
        self.url.is_some() || self.auth.is_some() || self.ca_pem.is_some()
    }
}

impl Tenants<'_> {
    /// Edits a stored tenant; returns it as it is now.
    pub async fn edit(&self, name: &str, request: &EditTenantRequest) -> ConsoleResult<TenantView> {
        let c = self.c;
        if c.ephemeral_tenant(name).is_some() {
            return Err(ConsoleError::invalid(
                "tenant",
                "the local sandbox exists only while the app runs and cannot be edited",
            ));
        }
        let tenant = c.store.tenant(name).await?;
        let new_name = match &request.name {
            Some(n) => Some(
                cloo_domain::validate_tenant_name(n)
                    .map_err(|e| ConsoleError::invalid("name", e.to_string()))?
                    .to_owned(),
            ),
            None => None,
        };
        if let Some(colour) = &request.colour
            && !super::palette()
                .iter()
                .any(|p| p.eq_ignore_ascii_case(colour))
        {
            return Err(ConsoleError::invalid(
                "colour",
                format!(
                    "{colour:?} is not one of the palette's colours ({})",
                    super::palette().join(", ")
                ),
            ));
        }
        let new_credential = request
            .auth
            .as_ref()
            .map(AuthInput::credential)
            .transpose()?;
        let op = c
            .begin(
                &Target::Tenant(tenant.id.clone()),
                OperationKind::TenantEdit,
                &tenant.name,
                &Observer::quiet(),
            )
            .await?;
        let current = c.store.current_tenant_id().await?;
        let is_current = current.as_deref() == Some(tenant.id.as_str());
        op.record_before(&TenantView::from_tenant(tenant.clone(), is_current));
        let result = async {
            let mut change = TenantChange {
                name: new_name,
                colour: request.colour.as_ref().map(|c| c.to_lowercase()),
                read_only: request.read_only,
                ..TenantChange::default()
            };
            if request.reconnects() {
                let credential = match new_credential {
                    Some(given) => given,
                    None => stored_credential(c, &tenant).await?,
                };
                let url = request.url.as_deref().unwrap_or(&tenant.base_url);
                let ca = match &request.ca_pem {
                    Some(given) => given_ca(Some(given)).map(str::to_owned),
                    None => tenant.ca_pem.clone(),
                };
                let (client, user, _) = verify_connection(url, &credential, ca.as_deref()).await?;
                let (auth_kind, account, secret) = stored_form(&credential);
                if request.auth.is_some() {
                    // Proved: only now does the new secret replace the old one.
                    blocking_secret_write(&c.keychain, &tenant.id, SecretSlot::Credential, &secret)
                        .await?;
                }
                if auth_kind == AuthKind::Password {
                    blocking_secret_write(
                        &c.keychain,
                        &tenant.id,
                        SecretSlot::Session,
                        &user.token,
                    )
                    .await?;
                } else {
                    let _ =
                        crate::blocking_secret_erase(&c.keychain, &tenant.id, SecretSlot::Session)
                            .await;
                }
                change.base_url = Some(client.base_url().to_string());
                change.auth = Some((auth_kind, account));
                change.ca_pem = Some(ca);
            }
            let updated = c.store.update_tenant(&tenant.id, &change).await?;
            c.forget(&tenant.id);
            Ok(TenantView::from_tenant(updated, is_current))
        }
        .await;
        if let Ok(view) = &result {
            op.record_after(view);
        }
        op.finish(result).await
    }
}

/// The credential a stored tenant signs in with now.
async fn stored_credential(
    c: &crate::Console,
    tenant: &cloo_store::Tenant,
) -> ConsoleResult<Credential> {
    let secret = blocking_secret_read(&c.keychain, &tenant.id, SecretSlot::Credential)
        .await?
        .ok_or_else(|| ConsoleError::MissingCredential(tenant.name.clone()))?;
    Ok(match (tenant.auth_kind, &tenant.account) {
        (AuthKind::Password, Some(email)) => Credential::Password {
            email: email.clone(),
            password: secret,
        },
        (AuthKind::Password, None) => {
            return Err(ConsoleError::MissingCredential(tenant.name.clone()));
        }
        (AuthKind::ApiKey, _) => Credential::ApiKey(secret),
    })
}
