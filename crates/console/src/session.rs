//! A signed-in connection to one deployment, renewing its token when the server stops
//! accepting it.

use crate::error::{ConsoleError, ConsoleResult};
use cloo_api::{ApiError, Client, SessionUser};
use cloo_domain::Secret;
use cloo_store::{SecretSlot, SecretStore};
use std::future::Future;
use std::sync::Arc;

/// How to sign in to a deployment.
#[derive(Debug, Clone)]
pub enum Credential {
    /// E-mail and password: the session token is renewed by signing in again.
    Password {
        /// Sign-in e-mail.
        email: String,
        /// Password.
        password: Secret,
    },
    /// An `sk-` API key, sent as the bearer token itself.
    ApiKey(Secret),
}

/// A connection with a credential and a cached token.
#[derive(Debug)]
pub struct Session {
    key: String,
    client: Client,
    credential: Credential,
    secrets: Arc<dyn SecretStore>,
    token: tokio::sync::Mutex<Option<Secret>>,
}

impl Session {
    /// A session for `client`, keeping its token under `key` in `secrets`.
    pub fn new(
        key: String,
        client: Client,
        credential: Credential,
        secrets: Arc<dyn SecretStore>,
    ) -> Self {
        Session {
            key,
            client,
            credential,
            secrets,
            token: tokio::sync::Mutex::new(None),
        }
    }

    /// The client (for calls that need no credential).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Signs in with the credential and keeps the new token (in memory and in the keychain).
    pub async fn sign_in(&self) -> ConsoleResult<SessionUser> {
        let user = match &self.credential {
            Credential::Password { email, password } => self.client.signin(email, password).await?,
            Credential::ApiKey(key) => self.client.session_user(key).await?,
        };
        if let Credential::Password { .. } = self.credential {
            let token = user.token.clone();
            if let Err(e) =
                crate::blocking_secret_write(&self.secrets, &self.key, SecretSlot::Session, &token)
                    .await
            {
                // The session still works for this process; the next one signs in again.
                tracing::warn!(error = %e, "could not keep the session token in the keychain");
            }
            *self.token.lock().await = Some(token);
        }
        Ok(user)
    }

    /// The bearer token to use: the API key, the cached token, the keychain's, or a new sign-in.
    /// The session token (signing in first when there is none), for calls that handle the
    /// transport themselves.
    pub(crate) async fn token(&self) -> ConsoleResult<Secret> {
        self.current_token().await
    }

    async fn current_token(&self) -> ConsoleResult<Secret> {
        if let Credential::ApiKey(key) = &self.credential {
            return Ok(key.clone());
        }
        if let Some(token) = self.token.lock().await.clone() {
            return Ok(token);
        }
        let stored = crate::blocking_secret_read(&self.secrets, &self.key, SecretSlot::Session)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "could not read the session token; signing in");
                None
            });
        if let Some(token) = stored {
            *self.token.lock().await = Some(token.clone());
            return Ok(token);
        }
        Ok(self.sign_in().await?.token)
    }

    /// Runs one API call with a token; if the server no longer accepts the token and the
    /// credential is a password, signs in again and retries once.
    pub async fn call<T, F, Fut>(&self, call: F) -> ConsoleResult<T>
    where
        F: Fn(Client, Secret) -> Fut,
        Fut: Future<Output = Result<T, ApiError>>,
    {
        let token = self.current_token().await?;
        match call(self.client.clone(), token).await {
            Err(e)
                if e.needs_sign_in() && matches!(self.credential, Credential::Password { .. }) =>
            {
                tracing::info!(reason = %e, "session token refused; signing in again");
                let fresh = self.sign_in().await?.token;
                call(self.client.clone(), fresh)
                    .await
                    .map_err(ConsoleError::from)
            }
            other => other.map_err(ConsoleError::from),
        }
    }
}
