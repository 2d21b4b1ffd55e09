//! The part of the organizations router the user-management features read: organizations and
//! units, listed and created (organizations.md #1–#8). Imports and sync come with issue 5.

use crate::auth::{AdminUser, Verified};
use crate::db::{OrgRow, UnitRow};
use crate::errors::{ApiFailure, ApiResult};
use crate::validate::{Field, Form, Kind, Valid};
use crate::{AppState, now};
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/organizations/", get(list_orgs).post(create_org))
        .route(
            "/api/v1/organizations/units",
            get(list_units).post(create_unit),
        )
        .route("/api/v1/organizations/units/{id}", get(get_unit))
}

async fn list_orgs(
    State(state): State<Arc<AppState>>,
    Verified(_): Verified,
) -> ApiResult<Json<Vec<Value>>> {
    Ok(Json(
        state
            .db
            .organizations()
            .await?
            .iter()
            .map(OrgRow::to_model)
            .collect(),
    ))
}

#[derive(Deserialize)]
struct OrgForm {
    tenant_id: String,
    name: String,
    display_name: Option<String>,
    domain: Option<String>,
    meta: Option<Value>,
}

impl Form for OrgForm {
    const FIELDS: &'static [Field] = &[
        Field::string("tenant_id"),
        Field::string("name"),
        Field::optional_string("display_name"),
        Field::optional_string("domain"),
        Field::optional("meta", Kind::OptObject),
    ];
}

async fn create_org(
    State(state): State<Arc<AppState>>,
    AdminUser(_): AdminUser,
    Valid(form): Valid<OrgForm>,
) -> ApiResult<Json<Value>> {
    let t = now();
    let row = OrgRow {
        id: uuid::Uuid::new_v4().to_string(),
        tenant_id: form.tenant_id,
        name: form.name,
        display_name: form.display_name,
        domain: form.domain,
        meta: form.meta.filter(|m| !m.is_null()).map(|m| m.to_string()),
        created_at: t,
        updated_at: t,
    };
    state.db.insert_organization(&row).await.map_err(|e| {
        ApiFailure::bad_request(&format!("[ERROR: Error creating organization: {e}]"))
    })?;
    Ok(Json(row.to_model()))
}

async fn list_units(
    State(state): State<Arc<AppState>>,
    Verified(_): Verified,
) -> ApiResult<Json<Vec<Value>>> {
    Ok(Json(
        state
            .db
            .units()
            .await?
            .iter()
            .map(UnitRow::to_model)
            .collect(),
    ))
}

#[derive(Deserialize)]
struct UnitForm {
    organization_id: String,
    name: String,
    parent_id: Option<String>,
    display_name: Option<String>,
    description: Option<String>,
    level: Option<Value>,
    #[serde(rename = "type")]
    kind: Option<String>,
    external_id: Option<String>,
    member_ids: Option<Vec<String>>,
    meta: Option<Value>,
}

impl Form for UnitForm {
    const FIELDS: &'static [Field] = &[
        Field::string("organization_id"),
        Field::string("name"),
        Field::optional_string("parent_id"),
        Field::optional_string("display_name"),
        Field::optional_string("description"),
        Field::optional("level", Kind::OptInt),
        Field::optional_string("type"),
        Field::optional_string("external_id"),
        Field::optional("member_ids", Kind::OptStrList),
        Field::optional("meta", Kind::OptObject),
    ];
}

/// `POST /organizations/units`: stored as given (parent and level are not checked).
async fn create_unit(
    State(state): State<Arc<AppState>>,
    AdminUser(_): AdminUser,
    Valid(form): Valid<UnitForm>,
) -> ApiResult<Json<Value>> {
    let t = now();
    let row = UnitRow {
        id: uuid::Uuid::new_v4().to_string(),
        organization_id: form.organization_id,
        parent_id: form.parent_id,
        name: form.name,
        display_name: form.display_name,
        description: form.description,
        level: form
            .level
            .as_ref()
            .and_then(crate::validate::int_value)
            .unwrap_or(0),
        kind: form.kind,
        external_id: form.external_id,
        member_ids: json!(form.member_ids.unwrap_or_default()).to_string(),
        meta: form.meta.filter(|m| !m.is_null()).map(|m| m.to_string()),
        created_at: t,
        updated_at: t,
    };
    state.db.insert_unit(&row).await?;
    Ok(Json(row.to_model()))
}

async fn get_unit(
    State(state): State<Arc<AppState>>,
    Verified(_): Verified,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let unit = state
        .db
        .unit(&id)
        .await?
        .ok_or_else(|| ApiFailure::not_found(crate::errors::NOT_FOUND))?;
    Ok(Json(unit.to_model()))
}
