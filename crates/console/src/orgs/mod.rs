//! Organizations: the list, the OU tree (children on demand, for 20,000 units), and one OU in
//! detail — members resolved to users, its limits, guardrails and resource grants. Changes to a
//! unit (limits, guardrails, deletion) are in `units`; imports in `crate::imports`.

mod units;

use crate::error::{ConsoleError, ConsoleResult};
use crate::{Console, Orgs, Target};
use cloo_api::{OrgUnit, Organization};
use cloo_domain::org::{Person, UnitMembers, access_membership};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use ts_rs::TS;

/// An organization in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct OrgSummary {
    /// Database id.
    pub id: String,
    /// The sync key.
    pub tenant_id: String,
    /// Name.
    pub name: String,
    /// Display name.
    pub display_name: Option<String>,
    /// Domain.
    pub domain: Option<String>,
    /// How many units it has.
    #[ts(type = "number")]
    pub units: usize,
}

/// A unit in the tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct OrgTreeNode {
    /// Database id.
    pub id: String,
    /// `display_name or name`.
    pub label: String,
    /// Type.
    #[serde(rename = "type")]
    #[ts(rename = "type")]
    pub kind: Option<String>,
    /// External key.
    pub external_id: Option<String>,
    /// Members as the UI counts them: max(meta.members, member_ids).
    #[ts(type = "number")]
    pub members: usize,
    /// How many children it has.
    #[ts(type = "number")]
    pub child_count: usize,
    /// Children, filled to the depth asked for.
    pub children: Vec<OrgTreeNode>,
}

/// A member of a unit, resolved against the deployment's users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct UnitMember {
    /// As written in the unit (an e-mail, or a member id).
    pub written: String,
    /// The user it matches, if any.
    pub user_email: Option<String>,
    /// The user's name.
    pub user_name: Option<String>,
    /// `oauth_sub`, `email`, or `none`.
    pub matched_by: String,
}

/// A resource shared with a unit, directly or through an ancestor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ResourceGrantRow {
    /// `knowledge`, `tools`, `prompts`, `models`, `databases`, `glossaries` or `guardrails`.
    pub kind: String,
    /// Resource id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Read.
    pub read: bool,
    /// Write.
    pub write: bool,
    /// Granted to an ancestor (also when granted directly as well).
    pub inherited: bool,
}

/// A guardrail by id and name (`name` is empty for an id the deployment does not know).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct GuardrailChoice {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
}

/// One OU in detail.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct UnitDetail {
    /// The unit as stored.
    #[ts(type = "Record<string, unknown>")]
    pub unit: Value,
    /// The path from the top: labels.
    pub path: Vec<String>,
    /// Members, resolved.
    pub members: Vec<UnitMember>,
    /// How many members match no user.
    #[ts(type = "number")]
    pub unmatched: usize,
    /// Daily token limit per model.
    #[ts(type = "Record<string, number>")]
    pub usage_limit: Value,
    /// Guardrail ids.
    pub guardrail_ids: Vec<String>,
    /// Follows the global guardrails.
    pub follow_global_guardrail: bool,
    /// Every guardrail of the deployment, for picking (the unit's own may include unknown ids).
    pub guardrail_choices: Vec<GuardrailChoice>,
    /// Resources shared with the unit or its ancestors.
    pub grants: Vec<ResourceGrantRow>,
}

fn label(u: &OrgUnit) -> String {
    u.display_name
        .clone()
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| u.name.clone())
}

fn member_count(u: &OrgUnit) -> usize {
    let meta = u
        .meta
        .as_ref()
        .and_then(|m| m.get("members"))
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    meta.max(u.member_ids.len())
}

impl Orgs<'_> {
    /// Every organization with its unit count.
    pub async fn list(&self, target: &Target) -> ConsoleResult<Vec<OrgSummary>> {
        let session = self.c.session(target).await?;
        let orgs = session
            .call(|c, t| async move { c.organizations(&t).await })
            .await?;
        let units = session
            .call(|c, t| async move { c.org_units(&t).await })
            .await?;
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for u in &units {
            *counts.entry(u.organization_id.as_str()).or_default() += 1;
        }
        Ok(orgs
            .iter()
            .map(|o| OrgSummary {
                id: o.id.clone(),
                tenant_id: o.tenant_id.clone(),
                name: o.name.clone(),
                display_name: o.display_name.clone(),
                domain: o.domain.clone(),
                units: counts.get(o.id.as_str()).copied().unwrap_or(0),
            })
            .collect())
    }

    /// The organization named by `org` (tenant id or id), or the only one.
    pub async fn pick(&self, target: &Target, org: Option<&str>) -> ConsoleResult<Organization> {
        let session = self.c.session(target).await?;
        let orgs = session
            .call(|c, t| async move { c.organizations(&t).await })
            .await?;
        if let Some(name) = org {
            return orgs
                .into_iter()
                .find(|o| o.tenant_id == name || o.id == name)
                .ok_or_else(|| {
                    ConsoleError::not_found(
                        "organization",
                        name,
                        format!("no organization {name:?}"),
                    )
                });
        }
        let count = orgs.len();
        let names: Vec<String> = orgs.iter().map(|o| o.tenant_id.clone()).collect();
        match <[Organization; 1]>::try_from(orgs) {
            Ok([only]) => Ok(only),
            Err(_) if count == 0 => Err(ConsoleError::not_found(
                "organization",
                "",
                "the deployment has no organization yet: import one first",
            )),
            Err(_) => Err(ConsoleError::invalid(
                "org",
                format!(
                    "the deployment has {count} organizations: name one ({})",
                    names.join(", ")
                ),
            )),
        }
    }

    /// The OU tree of an organization under `parent` (`None`: the top level), `depth` levels
    /// deep (`None`: all). Roots are units without a parent in the organization, as the server
    /// draws them; siblings by name.
    pub async fn tree(
        &self,
        target: &Target,
        org: Option<&str>,
        parent: Option<&str>,
        depth: Option<usize>,
    ) -> ConsoleResult<(OrgSummary, Vec<OrgTreeNode>)> {
        let organization = self.pick(target, org).await?;
        let units = self
            .c
            .units_of(target, &organization.id, parent.is_none())
            .await?;
        let units = units.as_slice();
        let ids: HashMap<&str, usize> = units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.id.as_str(), i))
            .collect();
        let mut children: HashMap<Option<usize>, Vec<usize>> = HashMap::new();
        for (i, u) in units.iter().enumerate() {
            let p = u
                .parent_id
                .as_deref()
                .filter(|p| !p.is_empty())
                .and_then(|p| ids.get(p).copied());
            children.entry(p).or_default().push(i);
        }
        for list in children.values_mut() {
            list.sort_by(|a, b| label(&units[*a]).cmp(&label(&units[*b])));
        }
        let start = match parent {
            None => None,
            Some(p) => Some(
                *ids.get(p)
                    .ok_or_else(|| ConsoleError::not_found("unit", p, format!("no unit {p:?}")))?,
            ),
        };
        fn build(
            i: usize,
            units: &[OrgUnit],
            children: &HashMap<Option<usize>, Vec<usize>>,
            depth: Option<usize>,
            guard: usize,
        ) -> OrgTreeNode {
            let kids = children.get(&Some(i)).map_or(&[][..], Vec::as_slice);
            let deeper = depth.is_none_or(|d| d > 1) && guard < units.len();
            OrgTreeNode {
                id: units[i].id.clone(),
                label: label(&units[i]),
                kind: units[i].kind.clone(),
                external_id: units[i].external_id.clone(),
                members: member_count(&units[i]),
                child_count: kids.len(),
                children: if deeper {
                    kids.iter()
                        .map(|&k| build(k, units, children, depth.map(|d| d - 1), guard + 1))
                        .collect()
                } else {
                    Vec::new()
                },
            }
        }
        let top = children.get(&start).map_or(&[][..], Vec::as_slice);
        let nodes = if depth == Some(0) {
            Vec::new()
        } else {
            top.iter()
                .map(|&i| build(i, units, &children, depth, 0))
                .collect()
        };
        let summary = OrgSummary {
            id: organization.id,
            tenant_id: organization.tenant_id,
            name: organization.name,
            display_name: organization.display_name,
            domain: organization.domain,
            units: units.len(),
        };
        Ok((summary, nodes))
    }

    /// One OU by id or external id (within `org` when given).
    pub async fn get_unit(
        &self,
        target: &Target,
        unit: &str,
        org: Option<&str>,
    ) -> ConsoleResult<UnitDetail> {
        let session = self.c.session(target).await?;
        let all = session
            .call(|c, t| async move { c.org_units(&t).await })
            .await?;
        let org_id = match org {
            Some(o) => Some(self.pick(target, Some(o)).await?.id),
            None => None,
        };
        let candidates: Vec<&OrgUnit> = all
            .iter()
            .filter(|u| org_id.as_ref().is_none_or(|o| &u.organization_id == o))
            .filter(|u| u.id == unit || u.external_id.as_deref() == Some(unit))
            .collect();
        let found = match candidates.as_slice() {
            [one] => *one,
            [] => {
                return Err(ConsoleError::not_found(
                    "unit",
                    unit,
                    format!("no unit {unit:?}"),
                ));
            }
            many => {
                return Err(ConsoleError::invalid(
                    "org",
                    format!(
                        "{unit:?} names {} units in different organizations: name the organization",
                        many.len()
                    ),
                ));
            }
        };
        let by_id: HashMap<&str, &OrgUnit> = all.iter().map(|u| (u.id.as_str(), u)).collect();
        let mut path = vec![label(found)];
        let mut cursor = found.parent_id.as_deref();
        while let Some(p) = cursor.filter(|p| !p.is_empty()) {
            let Some(parent) = by_id.get(p) else { break };
            if path.len() > all.len() {
                break;
            }
            path.insert(0, label(parent));
            cursor = parent.parent_id.as_deref();
        }
        let snapshot = self.c.snapshot(target, false).await?;
        let users = snapshot.directory.users();
        let by_email: HashMap<String, usize> = users
            .iter()
            .enumerate()
            .map(|(i, u)| (u.email.to_lowercase(), i))
            .collect();
        let by_sub: HashMap<&str, usize> = users
            .iter()
            .enumerate()
            .filter_map(|(i, u)| u.oauth_sub.as_deref().map(|s| (s, i)))
            .collect();
        let members_of = UnitMembers::new(&found.member_ids, found.meta.as_ref());
        let mut members = Vec::new();
        for written in members_of
            .member_ids
            .iter()
            .chain(members_of.member_emails.iter())
        {
            let hit = by_sub
                .get(written.as_str())
                .map(|&i| (i, "oauth_sub"))
                .or_else(|| {
                    let is_email = members_of.member_emails.contains(written);
                    by_email
                        .get(&written.to_lowercase())
                        .filter(|_| is_email)
                        .map(|&i| (i, "email"))
                });
            // The exact rule the server applies for access control.
            let matched = hit.filter(|(i, _)| {
                let u = &users[*i];
                access_membership(
                    Person {
                        email: &u.email,
                        oauth_sub: u.oauth_sub.as_deref(),
                    },
                    &members_of,
                )
                .is_some()
            });
            members.push(UnitMember {
                written: written.clone(),
                user_email: matched.map(|(i, _)| users[i].email.clone()),
                user_name: matched.map(|(i, _)| users[i].name.clone()),
                matched_by: matched.map_or("none", |(_, by)| by).to_owned(),
            });
        }
        let unmatched = members.iter().filter(|m| m.matched_by == "none").count();
        let unit_id = found.id.clone();
        let permissions = session
            .call(|c, t| {
                let id = unit_id.clone();
                async move { c.org_unit_permissions(&t, &id).await }
            })
            .await?;
        let grants = permissions
            .permissions
            .into_iter()
            .flat_map(|(kind, list)| {
                list.into_iter().map(move |g| ResourceGrantRow {
                    kind: kind.clone(),
                    id: g.id,
                    name: g.name,
                    read: g.read,
                    write: g.write,
                    inherited: g.inherited,
                })
            })
            .collect();
        let guardrail_choices = session
            .call(|c, t| async move { c.guardrails(&t).await })
            .await?
            .into_iter()
            .map(|g| GuardrailChoice {
                id: g.id,
                name: g.name,
            })
            .collect();
        let meta = found.meta.clone().unwrap_or(Value::Null);
        let usage_limit = meta["usage_limit"]["per_model"].clone();
        Ok(UnitDetail {
            unit: serde_json::to_value(found).unwrap_or(Value::Null),
            path,
            members,
            unmatched,
            usage_limit: if usage_limit.is_object() {
                usage_limit
            } else {
                serde_json::json!({})
            },
            guardrail_ids: meta["guardrail_ids"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            follow_global_guardrail: meta["follow_global_guardrail"].as_bool() != Some(false),
            guardrail_choices,
            grants,
        })
    }
}

impl Console {
    /// An organization's units: read from the deployment when `refresh` (or not read yet),
    /// else the copy from the last read.
    pub(crate) async fn units_of(
        &self,
        target: &Target,
        org_id: &str,
        refresh: bool,
    ) -> ConsoleResult<std::sync::Arc<Vec<OrgUnit>>> {
        let session = self.session(target).await?;
        let key = format!("{}/{org_id}", self.target_key(target).await?);
        if !refresh && let Some(units) = Self::lock(&self.org_units).get(&key) {
            return Ok(units.clone());
        }
        let id = org_id.to_owned();
        let units = std::sync::Arc::new(
            session
                .call(|c, t| {
                    let id = id.clone();
                    async move { c.units_of_org(&t, &id).await }
                })
                .await?,
        );
        Self::lock(&self.org_units).insert(key, units.clone());
        Ok(units)
    }
}
