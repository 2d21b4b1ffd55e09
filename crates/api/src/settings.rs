//! System Settings endpoints (settings.md): sections read and written as JSON objects, whose
//! shapes and secret rules live in `cloo_domain::settings`; the config document's version.

use crate::client::Client;
use crate::error::ApiError;
use cloo_domain::Secret;
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct Version {
    version: i64,
}

impl Client {
    /// `GET` a settings section at `path` (as `cloo_domain::settings::Section::read` gives it).
    pub async fn settings_section(&self, token: &Secret, path: &str) -> Result<Value, ApiError> {
        self.get(path, Some(token), &[]).await
    }

    /// `GET` a section whose endpoint knows the caller only by the `token` cookie
    /// (`/api/config`, which holds the prompt suggestions).
    pub async fn settings_section_by_cookie(
        &self,
        token: &Secret,
        path: &str,
    ) -> Result<Value, ApiError> {
        self.get_by_cookie(path, token).await
    }

    /// `POST` a settings section's body to `path`; the answer is the section again, or a
    /// status object for some endpoints.
    pub async fn write_settings_section(
        &self,
        token: &Secret,
        path: &str,
        body: &Value,
    ) -> Result<Value, ApiError> {
        self.post(path, Some(token), body).await
    }

    /// `GET /configs/version`: the config document's version (it moves on every single-key save).
    pub async fn config_version(&self, token: &Secret) -> Result<i64, ApiError> {
        let v: Version = self.get("api/v1/configs/version", Some(token), &[]).await?;
        Ok(v.version)
    }
}
