//! Inquiry endpoints (inquiries.md): the catalogue, the admin list with its two exact filters,
//! the per-status counts, an admin's status or note, and delete. An unknown id answers 400 with
//! the generic not-found text on update and delete; the client reads that as not found.

use crate::client::Client;
use crate::error::ApiError;
use cloo_domain::Secret;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One inquiry as the admin list answers it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Inquiry {
    /// Id (UUID).
    pub id: String,
    /// Author's user id.
    pub user_id: String,
    /// Title.
    pub title: String,
    /// Type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Subtype.
    pub subtype: String,
    /// Text.
    pub content: String,
    /// Status (any text an admin set).
    pub status: String,
    /// The admin's answer.
    #[serde(default)]
    pub admin_note: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
    /// Author's name (null when the author is gone; absent outside the admin list).
    #[serde(default)]
    pub user_name: Option<String>,
    /// Author's e-mail.
    #[serde(default)]
    pub user_email: Option<String>,
}

/// One type of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct InquiryType {
    /// English label.
    pub label: String,
    /// Subtypes.
    pub subtypes: Vec<String>,
}

#[derive(Serialize)]
struct UpdateForm<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    admin_note: Option<&'a str>,
}

fn not_found_as_such(e: ApiError) -> ApiError {
    match e {
        ApiError::Rejected {
            status: 400,
            detail,
        } if detail.contains("could not find") => ApiError::NotFound {
            status: 400,
            detail,
        },
        other => other,
    }
}

impl Client {
    /// `GET /api/v1/inquiries/types` (no sign-in needed).
    pub async fn inquiry_types(&self) -> Result<BTreeMap<String, InquiryType>, ApiError> {
        self.get("api/v1/inquiries/types", None, &[]).await
    }

    /// `GET /api/v1/inquiries/list`, newest first; `status`/`kind` are exact filters.
    pub async fn inquiries(
        &self,
        token: &Secret,
        status: Option<&str>,
        kind: Option<&str>,
    ) -> Result<Vec<Inquiry>, ApiError> {
        let mut query = Vec::new();
        if let Some(s) = status {
            query.push(("status_filter", s.to_owned()));
        }
        if let Some(k) = kind {
            query.push(("type_filter", k.to_owned()));
        }
        self.get("api/v1/inquiries/list", Some(token), &query).await
    }

    /// `GET /api/v1/inquiries/stats`: counts of the statuses that occur.
    pub async fn inquiry_stats(&self, token: &Secret) -> Result<BTreeMap<String, i64>, ApiError> {
        self.get("api/v1/inquiries/stats", Some(token), &[]).await
    }

    /// `POST /api/v1/inquiries/{id}`: sets the status and/or the note (only what is given).
    pub async fn update_inquiry(
        &self,
        token: &Secret,
        id: &str,
        status: Option<&str>,
        admin_note: Option<&str>,
    ) -> Result<Inquiry, ApiError> {
        let path = format!("api/v1/inquiries/{}", crate::client::segment(id));
        self.post(&path, Some(token), &UpdateForm { status, admin_note })
            .await
            .map_err(not_found_as_such)
    }

    /// `DELETE /api/v1/inquiries/{id}`.
    pub async fn delete_inquiry(&self, token: &Secret, id: &str) -> Result<bool, ApiError> {
        let path = format!("api/v1/inquiries/{}", crate::client::segment(id));
        self.send(Method::DELETE, &path, Some(token), &[], None::<&()>)
            .await
            .map_err(not_found_as_such)
    }
}
