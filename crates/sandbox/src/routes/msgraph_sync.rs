//! `POST /api/v1/organizations/sync/msgraph` with an `access_token` (mode B of entra-sync.md):
//! the server's own Graph provider, read from the contract and reproduced with its flaws, so
//! tests can compare it with the console's parity payload.
//!
//! Reproduced as the contract states: no `$top`, no retries, no `Retry-After`; a failed or
//! unreadable first page is an empty list; a refused later page silently truncates the list; a
//! dropped connection or bad JSON on a later page aborts the sync with
//! `400 "[ERROR: …]"` after the organization row was written (a member list instead gets
//! `[]`); `memberOf` is asked for every group and its answer thrown away; every unit's members
//! are read at once, with no limit; administrative-unit members are tried first and group
//! members when that gave nothing. Without a token the sandbox, which holds no Microsoft
//! credentials, answers as an unconfigured server does.

use super::org_import::{Counters, import_units, result, upsert_org};
use crate::AppState;
use crate::auth::AdminUser;
use crate::errors::{ApiFailure, ApiResult};
use crate::validate::{Field, Form, Kind, Valid};
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::sync::Arc;
use tokio::task::JoinSet;

#[derive(Deserialize)]
pub(super) struct SyncForm {
    access_token: Option<String>,
    use_admin_units: Option<bool>,
    use_groups: Option<bool>,
    use_departments: Option<bool>,
    group_filter: Option<String>,
}

impl Form for SyncForm {
    const FIELDS: &'static [Field] = &[
        Field::optional_string("access_token"),
        Field::optional("use_admin_units", Kind::OptBool),
        Field::optional("use_groups", Kind::OptBool),
        Field::optional("use_departments", Kind::OptBool),
        Field::optional_string("group_filter"),
    ];
}

/// The provider's HTTP side: one bearer token, one base URL.
#[derive(Clone)]
struct Graph {
    http: reqwest::Client,
    base: String,
    token: String,
}

/// A list read's outcome: the items, or the message of an exception that escapes the paging.
type Pages = Result<Vec<Value>, String>;

impl Graph {
    /// One GET: `Ok(Some(json))` on 2xx with JSON, `Ok(None)` on a non-2xx status, `Err` on a
    /// transport failure or a body that is not JSON.
    async fn get(&self, url: &str) -> Result<Option<Value>, String> {
        let response = self
            .http
            .get(url)
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(|e| transport(&e))?;
        if !response.status().is_success() {
            let status = response.status().as_u16();
            let body = response.text().await.unwrap_or_default();
            tracing::debug!("MS Graph API error: {status} - {body}");
            return Ok(None);
        }
        let bytes = response.bytes().await.map_err(|e| transport(&e))?;
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| format!("Expecting value: {e}"))
    }

    /// ALLPAGES: the first page's failures are "no data"; later pages stop on an error status
    /// and raise on a transport or JSON failure.
    async fn all_pages(&self, url: &str) -> Pages {
        let first = match self.get(url).await {
            Ok(Some(page)) => page,
            Ok(None) => return Ok(Vec::new()),
            Err(e) => {
                tracing::debug!("MS Graph API request failed: {e}");
                return Ok(Vec::new());
            }
        };
        let mut items = values(&first);
        let mut next = next_link(&first);
        while let Some(url) = next {
            match self.get(&url).await? {
                Some(page) => {
                    items.extend(values(&page));
                    next = next_link(&page);
                }
                None => break,
            }
        }
        Ok(items)
    }
}

fn transport(e: &reqwest::Error) -> String {
    if e.is_connect() {
        "Cannot connect to host".into()
    } else {
        "Server disconnected".into()
    }
}

fn values(page: &Value) -> Vec<Value> {
    page.get("value")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn next_link(page: &Value) -> Option<String> {
    page.get("@odata.nextLink")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn aborted(message: &str) -> ApiFailure {
    ApiFailure::bad_request(&format!("[ERROR: {message}]"))
}

fn text_or_null(v: Option<&Value>) -> Value {
    v.cloned().unwrap_or(Value::Null)
}

/// `name`: the display name when the property is present (even null), else `fallback`.
fn name_of(object: &Value, fallback: &str) -> Value {
    match object.get("displayName") {
        Some(v) => v.clone(),
        None => json!(fallback),
    }
}

fn query(base: &str, path: &str, params: &[(&str, &str)]) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        q.append_pair(k, v);
    }
    format!("{base}{path}?{}", q.finish())
}

pub(super) async fn sync_msgraph(
    State(state): State<Arc<AppState>>,
    AdminUser(_): AdminUser,
    Valid(form): Valid<SyncForm>,
) -> ApiResult<Json<Value>> {
    let Some(token) = form.access_token.filter(|t| !t.is_empty()) else {
        return Err(ApiFailure::bad_request(
            "Microsoft OAuth not configured. Provide access_token or configure server.",
        ));
    };
    let graph = Graph {
        http: reqwest::Client::new(),
        base: state.graph_url.clone(),
        token,
    };
    let use_admin_units = form.use_admin_units.unwrap_or(true);
    let use_groups = form.use_groups.unwrap_or(false);
    let use_departments = form.use_departments.unwrap_or(false);

    // Step 1.
    let organizations = graph
        .all_pages(&format!("{}/organization", graph.base))
        .await
        .unwrap_or_default();
    let Some(o) = organizations.first() else {
        return Ok(Json(result(0, 0, &Counters::default())));
    };
    let domains: Vec<Value> = o
        .get("verifiedDomains")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let primary = domains
        .iter()
        .find(|d| d.get("isDefault") == Some(&Value::Bool(true)))
        .and_then(|d| d.get("name").cloned())
        .unwrap_or(Value::Null);
    let mut org = Map::new();
    org.insert("tenant_id".into(), text_or_null(o.get("id")));
    org.insert("name".into(), name_of(o, "Unknown"));
    org.insert("display_name".into(), text_or_null(o.get("displayName")));
    org.insert("domain".into(), primary);
    org.insert(
        "meta".into(),
        json!({
            "verified_domains": domains.iter().map(|d| text_or_null(d.get("name"))).collect::<Vec<_>>(),
            "country": text_or_null(o.get("countryLetterCode")),
            "created_datetime": text_or_null(o.get("createdDateTime")),
            "tenant_type": text_or_null(o.get("tenantType")),
        }),
    );
    let Some((created, organization)) = upsert_org(&state, &org).await? else {
        return Ok(Json(result(0, 0, &Counters::default())));
    };
    let (org_created, org_updated) = (u64::from(created), u64::from(!created));

    // Steps 2–5.
    let mut units: Vec<Value> = Vec::new();
    if use_admin_units {
        let url = query(
            &graph.base,
            "/directory/administrativeUnits",
            &[("$select", "id,displayName,description,membershipType")],
        );
        for au in graph.all_pages(&url).await.map_err(|e| aborted(&e))? {
            units.push(json!({
                "id": text_or_null(au.get("id")),
                "external_id": text_or_null(au.get("id")),
                "name": name_of(&au, "Unnamed"),
                "display_name": text_or_null(au.get("displayName")),
                "description": text_or_null(au.get("description")),
                "type": "administrative_unit",
                "member_ids": [],
                "meta": {"membership_type": text_or_null(au.get("membershipType")), "source": "msgraph_admin_unit"},
            }));
        }
    }
    if use_groups {
        let mut params = vec![(
            "$select",
            "id,displayName,description,groupTypes,membershipRule",
        )];
        let filter = form.group_filter.clone().unwrap_or_default();
        if !filter.is_empty() {
            params.push(("$filter", filter.as_str()));
        }
        let url = query(&graph.base, "/groups", &params);
        for g in graph.all_pages(&url).await.map_err(|e| aborted(&e))? {
            let id = g.get("id").and_then(Value::as_str).unwrap_or_default();
            // The provider asks for the parents, and the flattening step discards them.
            let parents = query(
                &graph.base,
                &format!("/groups/{id}/memberOf"),
                &[("$select", "id")],
            );
            graph.all_pages(&parents).await.map_err(|e| aborted(&e))?;
            let types: Vec<Value> = g
                .get("groupTypes")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let has = |t: &str| types.iter().any(|x| x.as_str() == Some(t));
            let kind = if has("Unified") {
                "microsoft_365_group"
            } else if has("DynamicMembership") {
                "dynamic_group"
            } else {
                "security_group"
            };
            units.push(json!({
                "id": text_or_null(g.get("id")),
                "external_id": text_or_null(g.get("id")),
                "name": name_of(&g, "Unnamed"),
                "display_name": text_or_null(g.get("displayName")),
                "description": text_or_null(g.get("description")),
                "type": kind,
                "member_ids": [],
                "meta": {"group_types": types, "membership_rule": text_or_null(g.get("membershipRule")), "source": "msgraph_group"},
            }));
        }
    }
    if use_departments {
        let url = query(
            &graph.base,
            "/users",
            &[(
                "$select",
                "id,displayName,mail,userPrincipalName,department,jobTitle,companyName",
            )],
        );
        let mut order: Vec<String> = Vec::new();
        let mut depts: std::collections::HashMap<String, (Vec<Value>, Vec<Value>)> =
            std::collections::HashMap::new();
        for u in graph.all_pages(&url).await.map_err(|e| aborted(&e))? {
            let Some(d) = u
                .get("department")
                .and_then(Value::as_str)
                .filter(|d| !d.is_empty())
            else {
                continue;
            };
            let entry = depts.entry(d.to_owned()).or_insert_with(|| {
                order.push(d.to_owned());
                (Vec::new(), Vec::new())
            });
            let mail = u
                .get("mail")
                .and_then(Value::as_str)
                .filter(|m| !m.is_empty());
            let email = match mail {
                Some(m) => json!(m),
                None => text_or_null(u.get("userPrincipalName")),
            };
            entry.0.push(text_or_null(u.get("id")));
            entry.1.push(json!({
                "id": text_or_null(u.get("id")),
                "name": text_or_null(u.get("displayName")),
                "email": email,
                "job_title": text_or_null(u.get("jobTitle")),
            }));
        }
        for d in order {
            let (ids, members) = depts.remove(&d).unwrap_or_default();
            units.push(json!({
                "id": format!("dept-{}", d.to_lowercase().replace(' ', "-")),
                "external_id": format!("dept:{d}"),
                "name": d,
                "display_name": d,
                "description": null,
                "type": "department",
                "member_ids": ids,
                "meta": {"source": "msgraph_department", "member_count": members.len(), "members": members},
            }));
        }
    }

    // Step 7: every unit without members, all at once.
    let mut tasks = JoinSet::new();
    for (index, unit) in units.iter().enumerate() {
        let empty = unit["member_ids"].as_array().is_none_or(Vec::is_empty);
        if !empty {
            continue;
        }
        let id = unit["external_id"].as_str().unwrap_or_default().to_owned();
        let graph = graph.clone();
        tasks.spawn(async move {
            let select = [("$select", "id")];
            let au = query(
                &graph.base,
                &format!("/directory/administrativeUnits/{id}/members"),
                &select,
            );
            let members = match graph.all_pages(&au).await {
                Ok(m) if !m.is_empty() => Ok(m),
                Ok(_) => {
                    let groups = query(&graph.base, &format!("/groups/{id}/members"), &select);
                    graph.all_pages(&groups).await
                }
                Err(e) => Err(e),
            };
            let ids: Vec<Value> = match members {
                Ok(list) => list
                    .into_iter()
                    .filter(|m| {
                        m.get("@odata.type").and_then(Value::as_str)
                            == Some("#microsoft.graph.user")
                    })
                    .filter_map(|m| m.get("id").cloned())
                    .collect(),
                Err(e) => {
                    tracing::debug!("Failed to fetch members for unit {id}: {e}");
                    Vec::new()
                }
            };
            (index, ids)
        });
    }
    while let Some(done) = tasks.join_next().await {
        if let Ok((index, ids)) = done {
            units[index]["member_ids"] = Value::Array(ids);
        }
    }

    // Step 8.
    let counters = import_units(&state, &organization, &units).await?;
    Ok(Json(result(org_created, org_updated, &counters)))
}
