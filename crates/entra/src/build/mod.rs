//! The organization import payload built from a directory read, two ways:
//!
//! * [`BuildMode::Parity`] ([`parity`]): exactly what the deployment's own
//!   `POST /organizations/sync/msgraph` would store on the same clean read (entra-sync.md,
//!   "Building the identical JSON payload"): flat units, raw object ids as members, no
//!   `meta.members` on units and groups, departments verbatim, guests and disabled accounts in.
//! * [`BuildMode::Recommended`] ([`recommended`]): parity plus what the server gets wrong —
//!   members that grant access (object ids mapped to the deployment's `oauth_sub`, lower-cased
//!   e-mails in `meta.members`), group nesting from the member lists, guests and disabled
//!   accounts left out unless asked for. (Carrying OU settings over is the planner's job.)
//!
//! [`compare`] says what the other way would have done differently.

pub mod compare;
pub mod parity;
pub mod recommended;

use crate::model::{AdminUnit, Directory, Group};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// Which way a payload is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BuildMode {
    /// What the server's own sync would store.
    Parity,
    /// Parity plus members that grant access, nesting and settings carried over.
    #[default]
    Recommended,
}

impl BuildMode {
    /// `parity` or `recommended`.
    pub fn as_str(self) -> &'static str {
        match self {
            BuildMode::Parity => "parity",
            BuildMode::Recommended => "recommended",
        }
    }

    /// The other mode.
    pub fn other(self) -> BuildMode {
        match self {
            BuildMode::Parity => BuildMode::Recommended,
            BuildMode::Recommended => BuildMode::Parity,
        }
    }
}

/// The sync's options (the server's names and defaults) and the recommended build's own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildOptions {
    /// Administrative units as units (server default: on).
    pub admin_units: bool,
    /// Groups as units (server default: off).
    pub groups: bool,
    /// Departments as units (server default: off).
    pub departments: bool,
    /// Raw OData `$filter` on the group list.
    pub group_filter: Option<String>,
    /// Recommended build: keep guest accounts in member lists.
    pub include_guests: bool,
    /// Recommended build: keep disabled accounts in member lists.
    pub include_disabled: bool,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            admin_units: true,
            groups: false,
            departments: false,
            group_filter: None,
            include_guests: false,
            include_disabled: false,
        }
    }
}

impl BuildOptions {
    /// What to read for a build in `mode` (both modes, when the plan compares them).
    pub fn read_options(&self, mode: BuildMode) -> crate::read::ReadOptions {
        crate::read::ReadOptions {
            admin_units: self.admin_units,
            groups: self.groups,
            users: self.departments
                || (mode == BuildMode::Recommended && (self.admin_units || self.groups)),
            group_filter: self.group_filter.clone(),
        }
    }
}

/// The deployment's accounts known to have signed in with Microsoft: Entra object id
/// (`oauth_oid`) → `oauth_sub`.
#[derive(Debug, Clone, Default)]
pub struct Accounts {
    by_object_id: HashMap<String, String>,
}

impl Accounts {
    /// From `(oauth_oid, oauth_sub)` pairs.
    pub fn new<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Accounts {
        Accounts {
            by_object_id: pairs
                .into_iter()
                .filter(|(oid, sub)| !oid.is_empty() && !sub.is_empty())
                .map(|(oid, sub)| (oid.to_ascii_lowercase(), sub.to_owned()))
                .collect(),
        }
    }

    /// The `oauth_sub` of the account with this Entra object id.
    pub fn oauth_sub(&self, object_id: &str) -> Option<&str> {
        self.by_object_id
            .get(&object_id.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// How many accounts are known.
    pub fn len(&self) -> usize {
        self.by_object_id.len()
    }

    /// No account known.
    pub fn is_empty(&self) -> bool {
        self.by_object_id.is_empty()
    }
}

/// Figures of one build.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildCounts {
    /// Administrative-unit units.
    pub admin_units: usize,
    /// Group units.
    pub groups: usize,
    /// Department units.
    pub departments: usize,
    /// Units placed under a parent group.
    pub nested: usize,
    /// Member entries that name a deployment account (`oauth_sub`).
    pub members_matched: usize,
    /// Member entries of people with no account on the deployment yet (matched by e-mail only).
    pub members_by_email_only: usize,
    /// Guest memberships left out.
    pub guests_left_out: usize,
    /// Disabled-account memberships left out.
    pub disabled_left_out: usize,
    /// Members that are not users (devices, contacts, service principals; nested groups).
    pub non_user_members: usize,
}

/// A built payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Built {
    /// The way it was built.
    pub mode: BuildMode,
    /// The body for `POST /organizations/sync/json`.
    pub payload: Value,
    /// Its figures.
    pub counts: BuildCounts,
    /// Things worth knowing (department ids that collide, units without a name, …).
    pub warnings: Vec<String>,
}

/// Builds the payload in `mode`.
pub fn build(
    directory: &Directory,
    mode: BuildMode,
    options: &BuildOptions,
    accounts: &Accounts,
) -> Built {
    match mode {
        BuildMode::Parity => parity::build(directory, options),
        BuildMode::Recommended => recommended::build(directory, options, accounts),
    }
}

/// What [`compare::compare`] needs of the payload `mode` would build, without the payload:
/// each unit's member lists are reduced to digests as soon as the unit is made, so the build
/// never holds them all (the other way of a plan is only ever compared).
pub fn summary_of(
    directory: &Directory,
    mode: BuildMode,
    options: &BuildOptions,
    accounts: &Accounts,
) -> compare::PayloadSummary {
    let keep = compare::Keep::Summary;
    let built = match mode {
        BuildMode::Parity => parity::build_kept(directory, options, keep),
        BuildMode::Recommended => recommended::build_kept(directory, options, accounts, keep),
    };
    compare::summarize(&built.payload)
}

/// The organization record (step 1), the same in both modes.
pub(crate) fn organization_record(directory: &Directory) -> Value {
    let Some(o) = directory.organization.as_ref() else {
        return json!({});
    };
    let domain = o
        .verified_domains
        .iter()
        .find(|d| d.is_default == Some(true))
        .and_then(|d| d.name.clone());
    let mut meta = Map::new();
    meta.insert(
        "verified_domains".into(),
        Value::Array(
            o.verified_domains
                .iter()
                .map(|d| d.name.clone().map(Value::String).unwrap_or(Value::Null))
                .collect(),
        ),
    );
    meta.insert("country".into(), o.country_letter_code.clone());
    meta.insert("created_datetime".into(), o.created_date_time.clone());
    meta.insert("tenant_type".into(), o.tenant_type.clone());
    json!({
        "tenant_id": o.id,
        "name": o.display_name.clone().unwrap_or_else(|| "Unknown".into()),
        "display_name": o.display_name,
        "domain": domain,
        "meta": Value::Object(meta),
    })
}

/// The unit type of a group (step 4).
pub(crate) fn group_type(group_types: &[String]) -> &'static str {
    if group_types.iter().any(|t| t == "Unified") {
        "microsoft_365_group"
    } else if group_types.iter().any(|t| t == "DynamicMembership") {
        "dynamic_group"
    } else {
        "security_group"
    }
}

/// An administrative unit as a payload unit; `members` adds `meta.members` (recommended).
pub(crate) fn admin_unit_unit(
    au: &AdminUnit,
    member_ids: Vec<Value>,
    members: Option<Vec<Value>>,
) -> Value {
    let mut meta = json!({"membership_type": au.membership_type, "source": "msgraph_admin_unit"});
    if let Some(m) = members {
        meta["members"] = Value::Array(m);
    }
    graph_unit(
        &au.id,
        &au.display_name,
        &au.description,
        "administrative_unit",
        member_ids,
        meta,
    )
}

/// A group as a payload unit; `members` adds `meta.members` (recommended).
pub(crate) fn group_unit(g: &Group, member_ids: Vec<Value>, members: Option<Vec<Value>>) -> Value {
    let types = g.group_types.clone().unwrap_or_default();
    let kind = group_type(&types);
    let mut meta = json!({"group_types": types, "membership_rule": g.membership_rule, "source": "msgraph_group"});
    if let Some(m) = members {
        meta["members"] = Value::Array(m);
    }
    graph_unit(
        &g.id,
        &g.display_name,
        &g.description,
        kind,
        member_ids,
        meta,
    )
}

fn graph_unit(
    id: &str,
    name: &Option<String>,
    description: &Option<String>,
    kind: &str,
    member_ids: Vec<Value>,
    meta: Value,
) -> Value {
    json!({
        "id": id,
        "external_id": id,
        "name": name.clone().unwrap_or_else(|| "Unnamed".into()),
        "display_name": name,
        "description": description,
        "type": kind,
        "member_ids": member_ids,
        "meta": meta,
    })
}

/// A department as a payload unit.
pub(crate) fn department_unit(name: &str, member_ids: Vec<Value>, members: Vec<Value>) -> Value {
    json!({
        "id": department_id(name),
        "external_id": format!("dept:{name}"),
        "name": name,
        "display_name": name,
        "description": null,
        "type": "department",
        "member_ids": member_ids,
        "meta": {"source": "msgraph_department", "member_count": members.len(), "members": members},
    })
}

/// A department's input id: `dept-` + lower-case, spaces as `-` (step 5).
pub(crate) fn department_id(name: &str) -> String {
    format!("dept-{}", name.to_lowercase().replace(' ', "-"))
}

/// Makes input ids unique: a later unit whose id is taken gets `#2`, `#3`… appended. Input ids
/// only link children to parents (every Entra unit has an `external_id`), so this changes
/// nothing the deployment stores; the server would link children of twins to the wrong parent.
pub(crate) fn unique_ids(units: &mut [Value], warnings: &mut Vec<String>) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for unit in units.iter_mut() {
        let Some(id) = unit.get("id").and_then(Value::as_str).map(str::to_owned) else {
            continue;
        };
        let n = seen.entry(id.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            let renamed = format!("{id}#{n}");
            warnings.push(format!(
                "{:?} and an earlier unit share the id {id:?} (names that differ only in case or spaces); sent as {renamed:?}, each keeps its own external id",
                unit.get("external_id").and_then(Value::as_str).unwrap_or_default()
            ));
            unit["id"] = Value::String(renamed);
        }
    }
}
