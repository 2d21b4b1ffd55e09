//! The plan of an organization import: what the server's upsert engine will do to the current
//! state (org-import-format.md, "Server algorithm"), simulated step by step so the plan predicts
//! exactly that — creates, field-by-field updates, moves, the type-scoped deletions — plus what
//! the console does around it: OU settings carried over, units moved to the top level detached
//! by a fix-up, members that match no user.

use super::digest::{digest_list, digest_of};
use super::import_file::{FileUnit, ImportFile};
use crate::guard::{DeletionGuard, DeletionRefusal};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// The `meta` keys set in the admin UI that an import would wipe; carried over by default.
pub const OU_SETTINGS: [&str; 3] = ["usage_limit", "guardrail_ids", "follow_global_guardrail"];

/// An organization as the deployment stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredOrg {
    /// Database id.
    pub id: String,
    /// The sync key.
    pub tenant_id: String,
    /// Name.
    pub name: String,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Domain.
    #[serde(default)]
    pub domain: Option<String>,
    /// Free-form meta.
    #[serde(default)]
    pub meta: Option<Value>,
}

/// A unit as the deployment stores it: the fields an import reads or writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredUnit {
    /// Database id.
    pub id: String,
    /// Parent database id; null or empty = top level.
    #[serde(default)]
    pub parent_id: Option<String>,
    /// Name.
    pub name: String,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Stored depth.
    #[serde(default)]
    pub level: i64,
    /// Free-text type; scopes deletions.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// The sync key; units without one are invisible to imports.
    #[serde(default)]
    pub external_id: Option<String>,
    /// Raw member identifiers.
    #[serde(default)]
    pub member_ids: Vec<Value>,
    /// Meta (members, settings…).
    #[serde(default)]
    pub meta: Option<Value>,
}

/// The organization an import targets, as it is now (`organization: None` = it does not exist).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrgState {
    /// The organization with the file's `tenant_id`, if any.
    pub organization: Option<StoredOrg>,
    /// Its units, in any order. Change them only before planning: [`OrgState::prepare`] indexes
    /// them once.
    pub units: Vec<StoredUnit>,
    /// Digests of each unit's `member_ids` and `meta`, computed once (see [`OrgState::prepare`]).
    #[serde(skip)]
    digests: std::sync::OnceLock<Vec<(u64, u64)>>,
}

impl OrgState {
    /// A state of `organization` with `units`.
    pub fn new(organization: Option<StoredOrg>, units: Vec<StoredUnit>) -> OrgState {
        OrgState {
            organization,
            units,
            digests: std::sync::OnceLock::new(),
        }
    }

    /// Indexes the state for planning (content digests of every unit); planning does it on
    /// first use otherwise.
    pub fn prepare(&self) {
        self.unit_digests();
    }

    fn unit_digests(&self) -> &[(u64, u64)] {
        self.digests
            .get_or_init(|| self.units.iter().map(stored_digests).collect())
    }

    /// A stable fingerprint of the state (FNV-1a over a canonical form, units sorted by id):
    /// equal fingerprints mean nothing an import depends on has changed.
    /// The canonical form streams into the hash (no copy of the state as text).
    pub fn fingerprint(&self) -> String {
        let mut units: Vec<&StoredUnit> = self.units.iter().collect();
        units.sort_by(|a, b| a.id.cmp(&b.id));
        let mut hash = Fnv::new();
        // These types always serialize, and writing into the hash never fails.
        let _ = serde_json::to_writer(&mut hash, &self.organization);
        for unit in units {
            let _ = serde_json::to_writer(&mut hash, unit);
            hash.write(b"\n");
        }
        format!("{:016x}", hash.0)
    }
}

/// FNV-1a, 64 bits: stable across builds and platforms (std's hasher is not).
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

impl std::io::Write for Fnv {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        Fnv::write(self, bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The deployment's people, for matching members: lower-cased e-mails and `oauth_sub`s.
#[derive(Debug, Clone, Default)]
pub struct People {
    emails: HashSet<String>,
    subs: HashSet<String>,
}

impl People {
    /// Whether a user has this `oauth_sub`.
    pub fn has_sub(&self, sub: &str) -> bool {
        self.subs.contains(sub)
    }

    /// Whether a user has this e-mail (case-insensitive).
    pub fn has_email(&self, email: &str) -> bool {
        if email
            .bytes()
            .any(|b| b.is_ascii_uppercase() || !b.is_ascii())
        {
            self.emails.contains(&email.to_lowercase())
        } else {
            self.emails.contains(email)
        }
    }

    /// Indexes `(email, oauth_sub)` pairs.
    pub fn new<'a>(people: impl IntoIterator<Item = (&'a str, Option<&'a str>)>) -> People {
        let mut index = People::default();
        for (email, sub) in people {
            index.emails.insert(email.to_lowercase());
            if let Some(sub) = sub.filter(|s| !s.is_empty()) {
                index.subs.insert(sub.to_owned());
            }
        }
        index
    }
}

/// Choices made when planning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanOptions {
    /// Copy [`OU_SETTINGS`] from the stored `meta` into units whose file `meta` lacks them.
    pub carry_over_settings: bool,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            carry_over_settings: true,
        }
    }
}

/// One field that changes: before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct FieldChange {
    /// Field name as the contract spells it.
    pub field: String,
    /// Stored value.
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub before: Value,
    /// Value after the import.
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub after: Value,
}

/// What happens to the organization record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct OrgChange {
    /// `create`, `update` or `unchanged`.
    pub action: String,
    /// Fields that change (all of them for a create).
    pub changes: Vec<FieldChange>,
}

/// A unit whose fields change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct UnitChange {
    /// External key.
    pub key: String,
    /// Name after the import.
    pub name: String,
    /// What changes.
    pub fields: Vec<FieldChange>,
}

/// A unit that ends up under another parent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct UnitMove {
    /// External key.
    pub key: String,
    /// Name after the import.
    pub name: String,
    /// The old parent's name (`None`: top level).
    pub from: Option<String>,
    /// The new parent's name (`None`: top level).
    pub to: Option<String>,
}

/// A stored unit the import deletes (or leaves in place, or orphans).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct UnitRef {
    /// External key (empty for a unit without one).
    pub key: String,
    /// Database id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Type.
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// A follow-up write the console makes after the push.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Fixup {
    /// External key of the unit.
    pub key: String,
    /// `detach`: clear a parent the server keeps for a unit moved to the top level.
    pub action: String,
    /// The parent the server would leave in place.
    pub stale_parent: Option<String>,
}

/// OU settings of one unit carried over (or, when told not to, wiped).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct UnitSettings {
    /// External key.
    pub key: String,
    /// Which of [`OU_SETTINGS`].
    pub settings: Vec<String>,
}

/// A member of a unit in the file that matches no user of the deployment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct UnmatchedMember {
    /// External key of the unit.
    pub key: String,
    /// The e-mail or member id as written.
    pub member: String,
    /// Why it does not match.
    pub reason: String,
}

/// The counters the server will answer with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ServerCounters {
    /// Units inserted.
    pub created: u32,
    /// Units updated (every matched unit, changed or not).
    pub updated: u32,
    /// Units deleted.
    pub deleted: u32,
}

/// A unit as it will be after the import and the fix-ups, compared by keys (database ids of
/// new units are not known in advance).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShapedUnit {
    /// External key, or `id:<database id>` for a unit without one.
    pub key: String,
    /// The parent's key in the same form; `None` at the top level (or a dangling parent).
    pub parent: Option<String>,
    /// Name.
    pub name: String,
    /// Display name.
    pub display_name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Type.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Stored level.
    pub level: i64,
    /// Digest of `member_ids` (see [`digest`]).
    pub member_ids: String,
    /// Digest of `meta` (see [`digest`]).
    pub meta: String,
}

/// Unmatched members a plan lists one by one (the rest are counted).
pub const UNMATCHED_LISTED: usize = 1_000;

/// The plan. With `-o json`, `create`, `update`, `move` and `delete` are arrays of external keys
/// and `fixups` the follow-up writes; the rest is detail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgImportPlan {
    /// The organization's sync key.
    pub tenant_id: String,
    /// The organization record.
    pub organization: OrgChange,
    /// Units to create.
    pub create: Vec<String>,
    /// Units whose fields change (not counting the parent).
    pub update: Vec<String>,
    /// Units that end up under another parent.
    #[serde(rename = "move")]
    pub moves: Vec<String>,
    /// Units the server deletes (type-scoped).
    pub delete: Vec<String>,
    /// Writes after the push.
    pub fixups: Vec<Fixup>,
    /// Field-by-field detail of `update`.
    pub changes: Vec<UnitChange>,
    /// Detail of `move`.
    pub moved: Vec<UnitMove>,
    /// Detail of `delete`.
    pub deleted: Vec<UnitRef>,
    /// Stored units not in the file that stay, because their type is not in the file.
    pub left_in_place: Vec<UnitRef>,
    /// Stored units not in the file whose parent the import deletes: shown at the top level.
    pub orphaned: Vec<UnitRef>,
    /// OU settings the console carries over.
    pub carried_settings: Vec<UnitSettings>,
    /// OU settings the import wipes (carry-over turned off).
    pub wiped_settings: Vec<UnitSettings>,
    /// Members that match no user, the first [`UNMATCHED_LISTED`] of them (empty when no
    /// directory was available); [`OrgImportPlan::unmatched_count`] counts them all.
    pub unmatched_members: Vec<UnmatchedMember>,
    /// How many members match no user.
    #[serde(default)]
    pub unmatched_count: usize,
    /// Whether members were checked against the deployment's users.
    pub members_checked: bool,
    /// What the server will count.
    pub server_counters: ServerCounters,
    /// How many units the organization has now.
    pub existing_units: usize,
    /// The organization after the import and the fix-ups.
    pub predicted: Vec<ShapedUnit>,
}

impl OrgImportPlan {
    /// True when applying would change nothing (an identical re-import).
    pub fn has_changes(&self) -> bool {
        self.organization.action != "unchanged"
            || !self.create.is_empty()
            || !self.update.is_empty()
            || !self.moves.is_empty()
            || !self.delete.is_empty()
            || !self.fixups.is_empty()
    }

    /// The mass-deletion guard for this plan's deletions against the units that exist now.
    pub fn deletion_guard(&self) -> DeletionGuard {
        DeletionGuard::new(self.delete.len(), self.existing_units)
    }

    /// The most deletions allowed without an explicit allowance: min(500, 10% of the units).
    pub fn deletion_threshold(&self) -> usize {
        self.deletion_guard().threshold
    }

    /// Refuses a plan that deletes more than the threshold unless `allowed` covers every deletion.
    pub fn check_deletions(&self, allowed: Option<usize>) -> Result<(), DeletionRefusal> {
        self.deletion_guard().check(allowed)
    }
}

/// A planned import: the plan to show and the exact file to push (OU settings carried over).
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedImport {
    /// What will happen.
    pub plan: OrgImportPlan,
    /// What to send.
    pub push: ImportFile,
}

/// A row of the simulated organization. Members and meta are borrowed from the stored state or
/// from the file, never copied: a file may hold hundreds of thousands of members.
#[derive(Debug, Clone)]
struct SimRow<'a> {
    id: String,
    parent_id: Option<String>,
    name: String,
    display_name: Option<String>,
    description: Option<String>,
    level: i64,
    kind: Option<String>,
    external_id: Option<String>,
    member_ids: &'a [Value],
    meta: Option<&'a Value>,
    /// Written by a unit of the file.
    from_file: bool,
    /// Digest of `member_ids`, when known.
    member_digest: Option<u64>,
    /// Digest of `meta`, when known.
    meta_digest: Option<u64>,
}

impl<'a> SimRow<'a> {
    fn stored(u: &'a StoredUnit, digests: (u64, u64)) -> SimRow<'a> {
        SimRow {
            id: u.id.clone(),
            parent_id: u.parent_id.clone(),
            name: u.name.clone(),
            display_name: u.display_name.clone(),
            description: u.description.clone(),
            level: u.level,
            kind: u.kind.clone(),
            external_id: u.external_id.clone(),
            member_ids: &u.member_ids,
            meta: u.meta.as_ref(),
            from_file: false,
            member_digest: Some(digests.0),
            meta_digest: Some(digests.1),
        }
    }

    fn digests(&self) -> (u64, u64) {
        (
            self.member_digest
                .unwrap_or_else(|| digest_list(self.member_ids)),
            self.meta_digest.unwrap_or_else(|| digest_of(self.meta)),
        )
    }

    fn parent(&self) -> Option<&str> {
        self.parent_id.as_deref().filter(|p| !p.is_empty())
    }

    fn as_ref_unit(&self) -> UnitRef {
        UnitRef {
            key: self.external_id.clone().unwrap_or_default(),
            id: self.id.clone(),
            name: self.name.clone(),
            kind: self.kind.clone(),
        }
    }
}

fn text_of(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_owned)
}

fn parent_of(unit: &StoredUnit) -> Option<&str> {
    unit.parent_id.as_deref().filter(|p| !p.is_empty())
}

/// Plans `file` against `state`. The file should be valid ([`super::import_file`]); the
/// simulation follows the server even where a file is not.
pub fn plan_import(
    file: ImportFile,
    state: &OrgState,
    people: Option<&People>,
    options: PlanOptions,
) -> PlannedImport {
    let mut push = file;
    let tenant_id = push.tenant_id().unwrap_or_default().to_owned();
    let organization = plan_organization(&push.organization, state.organization.as_ref());

    // 3. Existing units by non-empty external id; a later one wins a duplicate key.
    let mut index: HashMap<String, usize> = HashMap::default();
    for (i, u) in state.units.iter().enumerate() {
        if let Some(ext) = u.external_id.as_deref().filter(|e| !e.is_empty()) {
            index.insert(ext.to_owned(), i);
        }
    }
    // OU settings the file's `meta` would wipe: carried over into the file (or reported).
    let mut carried = Vec::new();
    let mut wiped = Vec::new();
    for unit in &mut push.units {
        let Some(&r) = unit.key().and_then(|k| index.get(k)) else {
            continue;
        };
        let before = &state.units[r];
        let touched = settings_to_carry(unit, before);
        if touched.is_empty() {
            continue;
        }
        let entry = UnitSettings {
            key: unit.key().unwrap_or_default().to_owned(),
            settings: touched.iter().map(|s| (*s).to_owned()).collect(),
        };
        if options.carry_over_settings {
            carry_settings(unit, before, &touched);
            unit.meta_digest = None;
            carried.push(entry);
        } else {
            wiped.push(entry);
        }
    }
    let units: &[FileUnit] = &push.units;
    // Step 4 looks units up by `id` or `external_id`, first in pre-order.
    let mut first_by_ident: HashMap<&str, usize> = HashMap::default();
    for (i, u) in units.iter().enumerate() {
        for ident in [u.fields.get("id"), u.fields.get("external_id")]
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            first_by_ident.entry(ident).or_insert(i);
        }
    }
    let empty_object = Value::Object(Map::new());

    let state_digests = state.unit_digests();
    let mut rows: Vec<Option<SimRow<'_>>> = state
        .units
        .iter()
        .zip(state_digests)
        .map(|(u, d)| Some(SimRow::stored(u, *d)))
        .collect();
    let mut counters = ServerCounters::default();
    let mut assigned: Vec<Option<String>> = vec![None; units.len()];
    let mut seen: HashSet<&str> = HashSet::default();
    let mut types: HashSet<&str> = HashSet::default();
    let mut create = Vec::new();
    let mut matched: Vec<(usize, usize)> = Vec::new();
    for (i, unit) in units.iter().enumerate() {
        let key = unit.key().unwrap_or_default();
        seen.insert(key);
        if let Some(t) = unit.text("type").filter(|t| !t.is_empty()) {
            types.insert(t);
        }
        let db_parent = unit.parent.and_then(|p| assigned[p as usize].clone());
        let name = match unit.field("name") {
            None => Some("Unnamed".to_owned()),
            Some(Value::Null) => None,
            Some(v) => Some(v.as_str().map_or_else(|| v.to_string(), str::to_owned)),
        };
        let member_ids = filled_member_ids(unit, units, &first_by_ident);
        let meta: Option<&Value> = match unit.field("meta") {
            None => Some(&empty_object),
            Some(Value::Null) => None,
            Some(v) => Some(v),
        };
        let meta_digest = unit.meta_digest.filter(|_| unit.field("meta").is_some());
        if let Some(&r) = index.get(key) {
            let Some(row) = rows[r].as_mut() else {
                continue;
            };
            if let Some(name) = name {
                row.name = name;
            }
            row.level = unit.level;
            if db_parent.is_some() {
                row.parent_id = db_parent;
            }
            if let Some(v) = text_of(unit.field("display_name")) {
                row.display_name = Some(v);
            }
            if let Some(v) = text_of(unit.field("description")) {
                row.description = Some(v);
            }
            if let Some(v) = text_of(unit.field("type")) {
                row.kind = Some(v);
            }
            if let Some(ids) = member_ids {
                row.member_ids = ids;
                row.member_digest = None;
            }
            if meta.is_some() {
                row.meta = meta;
                row.meta_digest = meta_digest;
            }
            row.from_file = true;
            counters.updated += 1;
            assigned[i] = Some(row.id.clone());
            matched.push((i, r));
        } else {
            let id = format!("new:{key}");
            rows.push(Some(SimRow {
                id: id.clone(),
                parent_id: db_parent,
                name: name.unwrap_or_default(),
                display_name: text_of(unit.field("display_name")),
                description: text_of(unit.field("description")),
                level: unit.level,
                kind: text_of(unit.field("type")),
                external_id: Some(key.to_owned()),
                member_ids: member_ids.unwrap_or(&[]),
                meta,
                from_file: true,
                member_digest: None,
                meta_digest,
            }));
            counters.created += 1;
            assigned[i] = Some(id);
            create.push(key.to_owned());
        }
    }

    // 6. Type-scoped deletion of indexed units the file does not name.
    let mut deleted = Vec::new();
    let mut left_in_place = Vec::new();
    let mut deleted_ids: HashSet<&str> = HashSet::default();
    let mut indexed: Vec<(&String, &usize)> = index.iter().collect();
    indexed.sort_by_key(|(_, r)| **r);
    for (key, &r) in indexed {
        if seen.contains(key.as_str()) {
            continue;
        }
        let unit = &state.units[r];
        let reference = unit_ref(unit);
        if !types.is_empty() && unit.kind.as_deref().is_some_and(|k| types.contains(k)) {
            rows[r] = None;
            deleted_ids.insert(unit.id.as_str());
            counters.deleted += 1;
            deleted.push(reference);
        } else {
            left_in_place.push(reference);
        }
    }

    // Fix-ups: a unit at the top level of the file keeps its old parent on the server.
    let names: HashMap<&str, &str> = state
        .units
        .iter()
        .map(|u| (u.id.as_str(), u.name.as_str()))
        .collect();
    let mut new_names: HashMap<String, String> = HashMap::default();
    for row in rows.iter().flatten() {
        if names.get(row.id.as_str()) != Some(&row.name.as_str()) {
            new_names.insert(row.id.clone(), row.name.clone());
        }
    }
    let name_of = |id: &str| -> String {
        new_names
            .get(id)
            .map(String::as_str)
            .or_else(|| names.get(id).copied())
            .unwrap_or(id)
            .to_owned()
    };
    let row_of: HashMap<String, usize> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.as_ref().map(|r| (r.id.clone(), i)))
        .collect();
    let mut fixups = Vec::new();
    for (i, unit) in units.iter().enumerate() {
        if unit.parent.is_some() {
            continue;
        }
        let Some(id) = &assigned[i] else { continue };
        let Some(row) = row_of.get(id).and_then(|&r| rows[r].as_mut()) else {
            continue;
        };
        if let Some(stale) = row.parent().map(str::to_owned) {
            row.parent_id = Some(String::new());
            fixups.push(Fixup {
                key: unit.key().unwrap_or_default().to_owned(),
                action: "detach".into(),
                stale_parent: Some(name_of(&stale)),
            });
        }
    }
    let orphaned: Vec<UnitRef> = rows
        .iter()
        .flatten()
        .filter(|r| !r.from_file)
        .filter(|r| r.parent().is_some_and(|p| deleted_ids.contains(p)))
        .map(SimRow::as_ref_unit)
        .collect();

    // What changes, unit by unit.
    let mut changes = Vec::new();
    let mut moved = Vec::new();
    for (i, r) in matched {
        let before = &state.units[r];
        let Some(now) = rows[r].as_ref() else {
            continue;
        };
        let key = units[i].key().unwrap_or_default().to_owned();
        let fields = field_changes(before, state_digests[r], now);
        if !fields.is_empty() {
            changes.push(UnitChange {
                key: key.clone(),
                name: now.name.clone(),
                fields,
            });
        }
        let (old, new) = (parent_of(before), now.parent());
        if old != new {
            moved.push(UnitMove {
                key,
                name: now.name.clone(),
                from: old.map(&name_of),
                to: new.map(&name_of),
            });
        }
    }
    changes.dedup_by(|a, b| a.key == b.key);
    moved.dedup_by(|a, b| a.key == b.key);

    let mut unmatched_members = match (people, &push.unmatched) {
        (Some(_), Some(found)) => found.clone(),
        (Some(p), None) => unmatched_members(units, p),
        (None, _) => Vec::new(),
    };
    let unmatched_count = unmatched_members.len();
    // A plan is stored and shown: a directory nobody has signed in from yet would otherwise
    // list every membership, which no one reads past the first screen.
    unmatched_members.truncate(UNMATCHED_LISTED);
    let predicted = shape_rows(rows.iter().flatten());
    drop(rows);
    let plan = OrgImportPlan {
        tenant_id,
        organization,
        create,
        update: changes.iter().map(|c| c.key.clone()).collect(),
        moves: moved.iter().map(|m| m.key.clone()).collect(),
        delete: deleted.iter().map(|d| d.key.clone()).collect(),
        fixups,
        changes,
        moved,
        deleted,
        left_in_place,
        orphaned,
        carried_settings: carried,
        wiped_settings: wiped,
        unmatched_members,
        unmatched_count,
        members_checked: people.is_some(),
        server_counters: counters,
        existing_units: state.units.len(),
        predicted,
    };
    PlannedImport { plan, push }
}

/// Step 4 of the server: empty (or null) `member_ids` take those of the first unit, in
/// pre-order, whose `id` or `external_id` is this unit's key. `None`: null (kept on update).
fn filled_member_ids<'a>(
    unit: &'a FileUnit,
    all: &'a [FileUnit],
    first_by_ident: &HashMap<&str, usize>,
) -> Option<&'a [Value]> {
    let own = unit.field("member_ids");
    let empty = match own {
        None | Some(Value::Null) => true,
        Some(Value::Array(a)) => a.is_empty(),
        _ => false,
    };
    let chosen = if empty {
        unit.key()
            .and_then(|k| first_by_ident.get(k))
            .map(|&i| all[i].field("member_ids"))
            .unwrap_or(own)
    } else {
        own
    };
    match chosen {
        None => Some(&[]),
        Some(Value::Array(ids)) => Some(ids.as_slice()),
        _ => None,
    }
}

/// The OU settings stored on `before` that the file's `meta` would wipe.
fn settings_to_carry(unit: &FileUnit, before: &StoredUnit) -> Vec<&'static str> {
    let Some(Value::Object(old)) = &before.meta else {
        return Vec::new();
    };
    let new = match unit.field("meta") {
        Some(Value::Null) => return Vec::new(),
        Some(Value::Object(m)) => Some(m),
        _ => None,
    };
    OU_SETTINGS
        .into_iter()
        .filter(|k| old.contains_key(*k) && new.is_none_or(|m| !m.contains_key(*k)))
        .collect()
}

fn carry_settings(unit: &mut FileUnit, before: &StoredUnit, keys: &[&str]) {
    let Some(Value::Object(old)) = &before.meta else {
        return;
    };
    let meta = unit
        .fields
        .entry("meta")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(meta) = meta {
        for key in keys {
            if let Some(v) = old.get(*key) {
                meta.insert((*key).to_owned(), v.clone());
            }
        }
    }
}

fn unit_ref(unit: &StoredUnit) -> UnitRef {
    UnitRef {
        key: unit.external_id.clone().unwrap_or_default(),
        id: unit.id.clone(),
        name: unit.name.clone(),
        kind: unit.kind.clone(),
    }
}

fn stored_digests(unit: &StoredUnit) -> (u64, u64) {
    (digest_list(&unit.member_ids), digest_of(unit.meta.as_ref()))
}

fn field_changes(
    before: &StoredUnit,
    before_digests: (u64, u64),
    after: &SimRow<'_>,
) -> Vec<FieldChange> {
    let mut out = Vec::new();
    let mut check = |field: &str, b: Value, a: Value| {
        if b != a {
            out.push(FieldChange {
                field: field.to_owned(),
                before: b,
                after: a,
            });
        }
    };
    check("name", json!(before.name), json!(after.name));
    check(
        "display_name",
        json!(before.display_name),
        json!(after.display_name),
    );
    check(
        "description",
        json!(before.description),
        json!(after.description),
    );
    check("type", json!(before.kind), json!(after.kind));
    check("level", json!(before.level), json!(after.level));
    // Large values are compared by digest and copied only when they differ.
    let (members_before, meta_before) = before_digests;
    let (members_after, meta_after) = after.digests();
    if members_before != members_after {
        out.push(FieldChange {
            field: "member_ids".into(),
            before: Value::Array(before.member_ids.clone()),
            after: Value::Array(after.member_ids.to_vec()),
        });
    }
    if meta_before != meta_after {
        out.push(FieldChange {
            field: "meta".into(),
            before: before.meta.clone().unwrap_or(Value::Null),
            after: after.meta.cloned().unwrap_or(Value::Null),
        });
    }
    out
}

fn plan_organization(file: &Map<String, Value>, stored: Option<&StoredOrg>) -> OrgChange {
    let tenant = file.get("tenant_id").and_then(Value::as_str).unwrap_or("");
    let name = match file.get("name") {
        None => Some(Value::String(tenant.to_owned())),
        Some(Value::Null) => None,
        Some(v) => Some(v.clone()),
    };
    let meta = match file.get("meta") {
        None => Some(json!({})),
        Some(Value::Null) => None,
        Some(v) => Some(v.clone()),
    };
    let given = |k: &str| file.get(k).filter(|v| !v.is_null()).cloned();
    let Some(org) = stored else {
        let mut changes = vec![FieldChange {
            field: "tenant_id".into(),
            before: Value::Null,
            after: json!(tenant),
        }];
        for (field, v) in [
            ("name", name),
            ("display_name", given("display_name")),
            ("domain", given("domain")),
            ("meta", meta),
        ] {
            if let Some(v) = v {
                changes.push(FieldChange {
                    field: field.into(),
                    before: Value::Null,
                    after: v,
                });
            }
        }
        return OrgChange {
            action: "create".into(),
            changes,
        };
    };
    let mut changes = Vec::new();
    let stored_meta = org.meta.clone().unwrap_or(Value::Null);
    for (field, before, after) in [
        ("name", json!(org.name), name),
        (
            "display_name",
            json!(org.display_name),
            given("display_name"),
        ),
        ("domain", json!(org.domain), given("domain")),
        ("meta", stored_meta, meta),
    ] {
        if let Some(after) = after.filter(|a| *a != before) {
            changes.push(FieldChange {
                field: field.into(),
                before,
                after,
            });
        }
    }
    OrgChange {
        action: if changes.is_empty() {
            "unchanged"
        } else {
            "update"
        }
        .into(),
        changes,
    }
}

fn unmatched_members(units: &[FileUnit], people: &People) -> Vec<UnmatchedMember> {
    let mut out = Vec::new();
    for unit in units {
        let key = unit.key().unwrap_or_default();
        if let Some(Value::Object(meta)) = unit.field("meta") {
            for member in meta
                .get("members")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let Some(email) = member.get("email").and_then(Value::as_str) else {
                    continue;
                };
                if !people.has_email(email) {
                    out.push(UnmatchedMember {
                        key: key.to_owned(),
                        member: email.to_owned(),
                        reason: "no user has this e-mail".into(),
                    });
                }
            }
        }
        for id in unit
            .field("member_ids")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if people.has_sub(id) {
                continue;
            }
            let reason = if people.has_email(id) {
                "an e-mail in member_ids does not count for access control: put it in meta.members"
            } else {
                "no user has this oauth_sub"
            };
            out.push(UnmatchedMember {
                key: key.to_owned(),
                member: id.to_owned(),
                reason: reason.into(),
            });
        }
    }
    out
}

/// A digest of a JSON value as text: plans keep digests of `member_ids` and `meta` instead of
/// copies, and a read-back is compared through the same digests.
pub fn digest(value: Option<&Value>) -> String {
    format!("{:016x}", digest_of(value))
}

/// The common view of a unit for shaping.
struct ShapeInput<'a> {
    id: &'a str,
    parent: Option<&'a str>,
    external_id: Option<&'a str>,
    name: &'a str,
    display_name: &'a Option<String>,
    description: &'a Option<String>,
    kind: &'a Option<String>,
    level: i64,
    /// Digests of `member_ids` and `meta`.
    digests: (u64, u64),
}

fn shape_inputs(units: Vec<ShapeInput<'_>>) -> Vec<ShapedUnit> {
    let key_of = |u: &ShapeInput<'_>| -> String {
        u.external_id
            .filter(|e| !e.is_empty())
            .map_or_else(|| format!("id:{}", u.id), str::to_owned)
    };
    let keys: HashMap<&str, String> = units.iter().map(|u| (u.id, key_of(u))).collect();
    let mut out: Vec<ShapedUnit> = units
        .iter()
        .map(|u| ShapedUnit {
            key: key_of(u),
            parent: u.parent.and_then(|p| keys.get(p).cloned()),
            name: u.name.to_owned(),
            display_name: u.display_name.clone(),
            description: u.description.clone(),
            kind: u.kind.clone(),
            level: u.level,
            member_ids: format!("{:016x}", u.digests.0),
            meta: format!("{:016x}", u.digests.1),
        })
        .collect();
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

fn shape_rows<'a, 'b: 'a>(rows: impl Iterator<Item = &'a SimRow<'b>>) -> Vec<ShapedUnit> {
    shape_inputs(
        rows.map(|r| ShapeInput {
            id: &r.id,
            parent: r.parent(),
            external_id: r.external_id.as_deref(),
            name: &r.name,
            display_name: &r.display_name,
            description: &r.description,
            kind: &r.kind,
            level: r.level,
            digests: r.digests(),
        })
        .collect(),
    )
}

/// Units by keys, parents resolved within the same organization (dangling = top level), sorted
/// by key: the form in which a plan's prediction and a read-back are compared.
pub fn shape<'a>(units: impl IntoIterator<Item = &'a StoredUnit>) -> Vec<ShapedUnit> {
    shape_inputs(
        units
            .into_iter()
            .map(|u| ShapeInput {
                id: &u.id,
                parent: parent_of(u),
                external_id: u.external_id.as_deref(),
                name: &u.name,
                display_name: &u.display_name,
                description: &u.description,
                kind: &u.kind,
                level: u.level,
                digests: stored_digests(u),
            })
            .collect(),
    )
}

/// The differences between what a plan predicted and what the deployment holds, one line each.
pub fn differences(predicted: &[ShapedUnit], actual: &[ShapedUnit]) -> Vec<String> {
    let actual_by_key: HashMap<&str, &ShapedUnit> =
        actual.iter().map(|u| (u.key.as_str(), u)).collect();
    let predicted_keys: HashSet<&str> = predicted.iter().map(|u| u.key.as_str()).collect();
    let mut out = Vec::new();
    for p in predicted {
        match actual_by_key.get(p.key.as_str()) {
            None => out.push(format!("{}: expected, missing", p.key)),
            Some(a) if *a != p => {
                let (pv, av) = (json!(p), json!(a));
                let fields: Vec<&str> = pv
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter(|(k, v)| av.get(k.as_str()) != Some(v))
                    .map(|(k, _)| k.as_str())
                    .collect();
                out.push(format!("{}: differs in {}", p.key, fields.join(", ")));
            }
            Some(_) => {}
        }
    }
    for a in actual {
        if !predicted_keys.contains(a.key.as_str()) {
            out.push(format!("{}: present, not expected", a.key));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::import_file::validate_import;

    fn file(text: &str) -> ImportFile {
        let v = validate_import(text.as_bytes());
        assert!(v.is_valid(), "{:?}", v.problems);
        v.file.expect("file")
    }

    fn stored(id: &str, key: &str, parent: Option<&str>, kind: &str, level: i64) -> StoredUnit {
        StoredUnit {
            id: id.into(),
            parent_id: parent.map(str::to_owned),
            name: key.to_uppercase(),
            display_name: None,
            description: None,
            level,
            kind: Some(kind.into()),
            external_id: Some(key.into()),
            member_ids: Vec::new(),
            meta: Some(json!({})),
        }
    }

    fn org() -> Option<StoredOrg> {
        Some(StoredOrg {
            id: "o1".into(),
            tenant_id: "t".into(),
            name: "T".into(),
            display_name: None,
            domain: None,
            meta: Some(json!({})),
        })
    }

    /// a (division) > b (team); c (division); x (legacy, not in files).
    fn state() -> OrgState {
        OrgState::new(
            org(),
            vec![
                stored("1", "a", None, "division", 0),
                stored("2", "b", Some("1"), "team", 1),
                stored("3", "c", None, "division", 0),
                stored("4", "x", None, "legacy", 0),
            ],
        )
    }

    const SAME: &str = r#"{"organization": {"tenant_id": "t", "name": "T"}, "units": [
        {"id": "a", "name": "A", "type": "division", "children": [{"id": "b", "name": "B", "type": "team"}]},
        {"id": "c", "name": "C", "type": "division"}]}"#;

    #[test]
    fn an_identical_re_import_has_no_changes_though_the_server_counts_updates() {
        let planned = plan_import(file(SAME), &state(), None, PlanOptions::default());
        assert!(!planned.plan.has_changes(), "{:#?}", planned.plan);
        assert_eq!(planned.plan.server_counters.updated, 3);
        assert_eq!(
            planned.plan.left_in_place.len(),
            1,
            "x stays: its type is not in the file"
        );
    }

    #[test]
    fn a_unit_moved_to_the_top_level_keeps_its_parent_until_a_fixup_detaches_it() {
        let text = r#"{"organization": {"tenant_id": "t", "name": "T"}, "units": [
            {"id": "a", "name": "A", "type": "division"},
            {"id": "b", "name": "B", "type": "team"},
            {"id": "c", "name": "C", "type": "division"}]}"#;
        let plan = plan_import(file(text), &state(), None, PlanOptions::default()).plan;
        assert_eq!(plan.moves, vec!["b"]);
        assert_eq!(plan.update, vec!["b"], "its level changes too");
        assert_eq!(plan.fixups.len(), 1);
        assert_eq!(plan.fixups[0].key, "b");
        assert_eq!(plan.fixups[0].stale_parent.as_deref(), Some("A"));
        let b = plan.predicted.iter().find(|u| u.key == "b").expect("b");
        assert_eq!((b.parent.as_deref(), b.level), (None, 0));
    }

    #[test]
    fn deletion_is_scoped_to_the_types_in_the_file_and_children_are_orphaned() {
        // Only divisions in the file: c goes (division), b stays (team) but loses its parent a.
        let text = r#"{"organization": {"tenant_id": "t", "name": "T"}, "units": [
            {"id": "c", "name": "C", "type": "division"}]}"#;
        let plan = plan_import(file(text), &state(), None, PlanOptions::default()).plan;
        assert_eq!(plan.delete, vec!["a"]);
        let kept: Vec<&str> = plan.left_in_place.iter().map(|u| u.key.as_str()).collect();
        assert_eq!(kept, vec!["b", "x"]);
        assert_eq!(plan.orphaned.len(), 1);
        assert_eq!(plan.orphaned[0].key, "b");
        let b = plan.predicted.iter().find(|u| u.key == "b").expect("b");
        assert_eq!(b.parent, None, "a dangling parent reads as the top level");
    }

    #[test]
    fn ou_settings_are_carried_over_unless_told_not_to() {
        let mut s = state();
        s.units[2].meta = Some(json!({"usage_limit": {"per_model": {"gpt": 5}}}));
        let planned = plan_import(file(SAME), &s, None, PlanOptions::default());
        assert!(
            !planned.plan.has_changes(),
            "carried over: c's meta keeps its limit"
        );
        assert_eq!(
            planned.plan.carried_settings[0].settings,
            vec!["usage_limit"]
        );
        let pushed = planned.push.payload();
        assert_eq!(
            pushed["units"][1]["meta"]["usage_limit"]["per_model"]["gpt"],
            5
        );
        let wiped = plan_import(
            file(SAME),
            &s,
            None,
            PlanOptions {
                carry_over_settings: false,
            },
        )
        .plan;
        assert_eq!(wiped.update, vec!["c"]);
        assert_eq!(wiped.wiped_settings[0].key, "c");
    }

    #[test]
    fn the_deletion_guard_counts_units_of_the_deployment() {
        let text = r#"{"organization": {"tenant_id": "t", "name": "T"}, "units": [
            {"id": "c", "name": "C", "type": "division"}]}"#;
        let plan = plan_import(file(text), &state(), None, PlanOptions::default()).plan;
        assert_eq!(plan.deletion_guard().existing, 4);
        assert!(plan.check_deletions(None).is_err(), "1 of 4 is over 10%");
        assert!(plan.check_deletions(Some(0)).is_err());
        assert!(plan.check_deletions(Some(1)).is_ok());
    }

    #[test]
    fn members_that_match_no_user_are_listed_with_the_reason() {
        let text = r#"{"organization": {"tenant_id": "t", "name": "T"}, "units": [
            {"id": "c", "name": "C", "type": "division",
             "member_ids": ["microsoft@known", "kim@example.com", "microsoft@ghost"],
             "meta": {"members": [{"email": "KIM@example.com"}, {"email": "lee@example.com"}]}}]}"#;
        let people = People::new([("kim@example.com", Some("microsoft@known"))]);
        let plan = plan_import(file(text), &state(), Some(&people), PlanOptions::default()).plan;
        let found: Vec<(&str, &str)> = plan
            .unmatched_members
            .iter()
            .map(|m| (m.member.as_str(), m.reason.as_str()))
            .collect();
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(found[0].0, "lee@example.com");
        assert!(found[1].1.contains("does not count for access control"));
        assert_eq!(found[2].0, "microsoft@ghost");
        assert_eq!(plan.unmatched_count, 3);
    }

    #[test]
    fn a_plan_lists_the_first_unmatched_members_and_counts_them_all() {
        let emails: Vec<String> = (0..UNMATCHED_LISTED + 7)
            .map(|i| format!(r#"{{"email": "nobody{i}@example.com"}}"#))
            .collect();
        let text = format!(
            r#"{{"organization": {{"tenant_id": "t", "name": "T"}}, "units": [
            {{"id": "c", "name": "C", "type": "division", "meta": {{"members": [{}]}}}}]}}"#,
            emails.join(",")
        );
        let people = People::new([("kim@example.com", None)]);
        let plan = plan_import(file(&text), &state(), Some(&people), PlanOptions::default()).plan;
        assert_eq!(plan.unmatched_count, UNMATCHED_LISTED + 7);
        assert_eq!(plan.unmatched_members.len(), UNMATCHED_LISTED);
        assert_eq!(plan.unmatched_members[0].member, "nobody0@example.com");
    }

    #[test]
    fn a_new_organization_is_a_create_and_the_fingerprint_follows_the_state() {
        let plan = plan_import(
            file(SAME),
            &OrgState::default(),
            None,
            PlanOptions::default(),
        )
        .plan;
        assert_eq!(plan.organization.action, "create");
        assert_eq!(plan.create, vec!["a", "b", "c"]);
        let mut s = state();
        let before = s.fingerprint();
        assert_eq!(before, state().fingerprint());
        s.units[0].name = "Renamed".into();
        assert_ne!(before, s.fingerprint());
    }
}
