//! A tenant's Entra profile: the Entra tenant and app, the sign-in method, the national cloud's
//! URLs and the sync options. Secrets go to the keychain (the client secret) or are sealed in the
//! store under a keychain-held key (a certificate's private key, longer than a Windows
//! credential); the device-code method stores nothing.

use crate::error::{ConsoleError, ConsoleResult};
use crate::{Console, Entra, Target, blocking_secret_read, blocking_secret_write};
use cloo_domain::Secret;
use cloo_entra::auth::CertificateKey;
use cloo_entra::build::BuildOptions;
use cloo_entra::{Credential, Endpoints};
use cloo_store::{EntraProfileRow, SecretSlot, SecretStore};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// How to sign in, with the secret where there is one.
#[derive(Debug, Clone)]
pub enum SignInInput {
    /// An app secret.
    ClientSecret(Secret),
    /// A certificate (PEM) and its private key (PEM).
    Certificate {
        /// The certificate.
        certificate_pem: String,
        /// The private key.
        private_key_pem: Secret,
    },
    /// An admin signs in with a device code on each run.
    DeviceCode,
}

/// A profile to save.
#[derive(Debug, Clone)]
pub struct ProfileInput {
    /// The Entra tenant id (or a verified domain).
    pub entra_tenant: String,
    /// The app registration's client id.
    pub client_id: String,
    /// How to sign in.
    pub sign_in: SignInInput,
    /// The sign-in host (default: the global cloud's).
    pub authority: Option<String>,
    /// The Graph base, version included (default: the global cloud's).
    pub graph_url: Option<String>,
    /// The sync options.
    pub options: BuildOptions,
}

/// A profile as shown: no secret, only whether one is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct EntraProfileView {
    /// The Entra tenant.
    pub entra_tenant: String,
    /// The app's client id.
    pub client_id: String,
    /// `client_secret`, `certificate` or `device_code`.
    pub method: String,
    /// Sign-in host.
    pub authority: String,
    /// Graph base.
    pub graph_url: String,
    /// The certificate's `x5t#S256`, for the certificate method.
    pub certificate_thumbprint: Option<String>,
    /// The secret or key the method needs is in the keychain.
    pub secret_kept: bool,
    /// Administrative units as units.
    pub admin_units: bool,
    /// Groups as units.
    pub groups: bool,
    /// Departments as units.
    pub departments: bool,
    /// OData filter on groups.
    pub group_filter: Option<String>,
    /// Recommended plans keep guest accounts in member lists.
    pub include_guests: bool,
    /// Recommended plans keep disabled accounts in member lists.
    pub include_disabled: bool,
    /// Epoch seconds.
    #[ts(type = "number")]
    pub updated_at: i64,
}

impl Console {
    /// Where a tenant's secrets go: the keychain for a stored tenant, this process's memory
    /// for the local sandbox and for deployments given by environment variables.
    pub(crate) fn secrets_for(&self, key: &str) -> Arc<dyn SecretStore> {
        if key.starts_with("direct:") || self.ephemeral_tenant(key).is_some() {
            self.memory.clone()
        } else {
            self.keychain.clone()
        }
    }

    /// The stored profile row of a tenant.
    pub(crate) async fn entra_row(
        &self,
        target: &Target,
    ) -> ConsoleResult<(String, EntraProfileRow)> {
        let key = self.target_key(target).await?;
        let row = self.store.entra_profile(&key).await?.ok_or_else(|| {
            ConsoleError::not_found(
                "entra_profile",
                &key,
                "this tenant has no Entra profile yet: set one first (entra profile set)",
            )
        })?;
        Ok((key, row))
    }

    /// The credential of a stored profile, with its secret read from the keychain.
    pub(crate) async fn entra_credential(
        &self,
        key: &str,
        row: &EntraProfileRow,
    ) -> ConsoleResult<Credential> {
        let secrets = self.secrets_for(key);
        let missing = || ConsoleError::MissingCredential(format!("{key} (Entra)"));
        Ok(match row.method.as_str() {
            "client_secret" => Credential::ClientSecret(
                blocking_secret_read(&secrets, key, SecretSlot::EntraClientSecret)
                    .await?
                    .ok_or_else(missing)?,
            ),
            "certificate" => {
                let sealing = blocking_secret_read(&secrets, key, SecretSlot::EntraSealingKey)
                    .await?
                    .ok_or_else(missing)?;
                let sealed = row.sealed_private_key.as_deref().ok_or_else(missing)?;
                let private_key = cloo_store::sealed::open(&sealing, sealed).map_err(|e| {
                    ConsoleError::Validation {
                        field: Some("private_key".into()),
                        position: None,
                        message: format!("{e}: set the profile's certificate again"),
                    }
                })?;
                Credential::Certificate(CertificateKey::from_pem(
                    row.certificate_pem.as_deref().unwrap_or_default(),
                    &private_key,
                )?)
            }
            _ => Credential::DeviceCode,
        })
    }
}

fn view(row: &EntraProfileRow, secret_kept: bool) -> EntraProfileView {
    let options: BuildOptions = serde_json::from_str(&row.options).unwrap_or_default();
    EntraProfileView {
        entra_tenant: row.entra_tenant.clone(),
        client_id: row.client_id.clone(),
        method: row.method.clone(),
        authority: row.authority.clone(),
        graph_url: row.graph_url.clone(),
        certificate_thumbprint: row.certificate_thumbprint.clone(),
        secret_kept,
        admin_units: options.admin_units,
        groups: options.groups,
        departments: options.departments,
        group_filter: options.group_filter,
        include_guests: options.include_guests,
        include_disabled: options.include_disabled,
        updated_at: row.updated_at,
    }
}

impl Entra<'_> {
    /// Saves a tenant's profile after checking every field (URLs, ids, the certificate and its
    /// key). The secret goes to the keychain; a private key is sealed under a keychain key.
    pub async fn set_profile(
        &self,
        target: &Target,
        input: ProfileInput,
    ) -> ConsoleResult<EntraProfileView> {
        let key = self.c.target_key(target).await?;
        let endpoints = Endpoints::new(
            input
                .authority
                .as_deref()
                .unwrap_or(cloo_entra::Cloud::Global.authority()),
            input
                .graph_url
                .as_deref()
                .unwrap_or(cloo_entra::Cloud::Global.graph()),
        )?;
        // The ids are checked the way a sign-in would check them.
        cloo_entra::TokenSource::new(
            reqwest_client()?,
            endpoints.clone(),
            input.entra_tenant.trim(),
            input.client_id.trim(),
            Credential::DeviceCode,
        )?;
        let secrets = self.c.secrets_for(&key);
        let mut row = EntraProfileRow {
            tenant_id: key.clone(),
            entra_tenant: input.entra_tenant.trim().to_owned(),
            client_id: input.client_id.trim().to_owned(),
            method: String::new(),
            authority: endpoints.authority().to_owned(),
            graph_url: endpoints.graph().to_owned(),
            certificate_pem: None,
            certificate_thumbprint: None,
            sealed_private_key: None,
            options: serde_json::to_string(&input.options)
                .map_err(|e| ConsoleError::Internal(e.to_string()))?,
            updated_at: crate::now(),
        };
        match &input.sign_in {
            SignInInput::ClientSecret(secret) => {
                if secret.is_empty() {
                    return Err(ConsoleError::invalid(
                        "client_secret",
                        "the client secret is empty",
                    ));
                }
                row.method = "client_secret".into();
                blocking_secret_write(&secrets, &key, SecretSlot::EntraClientSecret, secret)
                    .await?;
            }
            SignInInput::Certificate {
                certificate_pem,
                private_key_pem,
            } => {
                let checked = CertificateKey::from_pem(certificate_pem, private_key_pem)?;
                let sealing = match blocking_secret_read(
                    &secrets,
                    &key,
                    SecretSlot::EntraSealingKey,
                )
                .await?
                {
                    Some(k) => k,
                    None => {
                        let k = cloo_store::sealed::new_key();
                        blocking_secret_write(&secrets, &key, SecretSlot::EntraSealingKey, &k)
                            .await?;
                        k
                    }
                };
                row.method = "certificate".into();
                row.certificate_thumbprint = Some(checked.thumbprint().to_owned());
                row.certificate_pem = Some(certificate_pem.clone());
                row.sealed_private_key = Some(
                    cloo_store::sealed::seal(&sealing, private_key_pem)
                        .map_err(|e| ConsoleError::Internal(e.to_string()))?,
                );
            }
            SignInInput::DeviceCode => row.method = "device_code".into(),
        }
        if !matches!(input.sign_in, SignInInput::ClientSecret(_)) {
            crate::blocking_secret_erase(&secrets, &key, SecretSlot::EntraClientSecret).await?;
        }
        self.c.store.save_entra_profile(&row).await?;
        // Another tenant, app or cloud: the kept directory and delta links are not its.
        self.c.store.forget_entra_state(&key).await?;
        Ok(view(
            &row,
            !matches!(input.sign_in, SignInInput::DeviceCode),
        ))
    }

    /// A tenant's profile, without its secret.
    pub async fn get_profile(&self, target: &Target) -> ConsoleResult<EntraProfileView> {
        let (key, row) = self.c.entra_row(target).await?;
        let kept = match row.method.as_str() {
            "device_code" => false,
            _ => self.c.entra_credential(&key, &row).await.is_ok(),
        };
        Ok(view(&row, kept))
    }
}

pub(crate) fn reqwest_client() -> ConsoleResult<reqwest::Client> {
    reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(20))
        .build()
        .map_err(|e| ConsoleError::Internal(e.to_string()))
}
