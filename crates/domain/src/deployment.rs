//! A whole deployment's rule data, indexed once, so that every question about who may do what
//! is answered in time proportional to the answer rather than to the directory.
//!
//! The answers are always built from the same rule functions as single decisions
//! ([`crate::access::evaluate`], [`crate::permissions::effective_permissions`],
//! [`crate::limits::effective_limit`]): the index only finds *which* users, groups and units
//! to hand them.

use crate::Role;
use crate::access::{
    AccessControl, AccessDecision, AccessReason, ListKind, Subject, SubjectGroup, SubjectUnit,
    Want, evaluate,
};
use crate::limits::{EffectiveLimit, GlobalLimits, LimitInputs, PerModel, effective_limit};
use crate::org::{LikeCase, MatchedBy, OuTree, Person, UnitInput, UnitIx, UnitMembers, like};
use crate::permissions::{
    AdminCapability, Base, Delegation, EffectivePermissions, GroupGrant, PermissionTree, UnitRef,
    Via, delegated, effective_permissions,
};
use std::collections::HashMap;

/// A user, as the rules need her.
#[derive(Debug, Clone)]
pub struct UserRecord {
    /// User id.
    pub id: String,
    /// E-mail as stored.
    pub email: String,
    /// Role.
    pub role: Role,
    /// SSO subject.
    pub oauth_sub: Option<String>,
    /// `info.usage_limit.per_model`.
    pub limits: PerModel,
}

/// A group.
#[derive(Debug, Clone)]
pub struct GroupRecord {
    /// Group id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Direct members (user ids).
    pub user_ids: Vec<String>,
    /// Feature permissions granted to members.
    pub permissions: PermissionTree,
    /// `meta.org_unit_ids`: linked units (their members and everyone below count as members).
    pub org_unit_ids: Vec<String>,
    /// `meta.usage_limit.per_model`.
    pub limits: PerModel,
}

/// An organizational unit with its membership data.
#[derive(Debug, Clone)]
pub struct UnitRecord {
    /// Tree fields.
    pub unit: UnitInput,
    /// Membership data.
    pub members: UnitMembers,
    /// `meta.usage_limit.per_model`.
    pub limits: PerModel,
}

/// A workspace resource with an `access_control`.
#[derive(Debug, Clone)]
pub struct ResourceRecord {
    /// Resource id.
    pub id: String,
    /// Kind (`knowledge`, `models`, `tools`, …).
    pub kind: String,
    /// Name.
    pub name: String,
    /// Owner (user id).
    pub owner_id: String,
    /// Access control.
    pub access: AccessControl,
}

/// Everything the rules read from one deployment.
#[derive(Debug, Clone, Default)]
pub struct DeploymentData {
    /// Users.
    pub users: Vec<UserRecord>,
    /// Groups, in the server's order.
    pub groups: Vec<GroupRecord>,
    /// Units, in the server's order.
    pub units: Vec<UnitRecord>,
    /// Resources.
    pub resources: Vec<ResourceRecord>,
    /// Stored default permissions (`None`: never saved).
    pub stored_defaults: Option<PermissionTree>,
    /// The built-in permission object.
    pub builtin: PermissionTree,
    /// Global usage-limit settings.
    pub limits: GlobalLimits,
    /// How the database compares text (for OU usage-limit membership).
    pub like_case: LikeCase,
}

/// Position of a user.
pub type UserIx = u32;
/// Position of a group.
pub type GroupIx = u32;
/// Position of a resource.
pub type ResourceIx = u32;

/// A deployment indexed for rule questions.
#[derive(Debug)]
pub struct DeploymentRules {
    data: DeploymentData,
    tree: OuTree,
    /// Unit record of each tree position.
    unit_record: Vec<usize>,
    user_by_id: HashMap<String, UserIx>,
    group_by_id: HashMap<String, GroupIx>,
    direct_groups: Vec<Vec<GroupIx>>,
    group_members: Vec<Vec<UserIx>>,
    group_links: Vec<Vec<UnitIx>>,
    linked_groups: Vec<Vec<GroupIx>>,
    unit_members: Vec<Vec<UserIx>>,
    user_units: Vec<Vec<UnitIx>>,
    admins: Vec<UserIx>,
    unit_refs: Vec<UnitRef>,
    group_labels: Vec<(std::sync::Arc<str>, std::sync::Arc<str>)>,
}

/// A user's memberships, as access control and permissions see them.
#[derive(Debug, Clone, Default)]
pub struct Memberships {
    /// Groups: direct ones first, then those reached through a linked unit.
    pub groups: Vec<SubjectGroup>,
    /// Units: direct ones, then their ancestors.
    pub units: Vec<SubjectUnit>,
    group_ix: Vec<GroupIx>,
}

/// Why a user can write a resource, in indices (see [`DeploymentRules::write_reason`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteGrant {
    /// Role admin.
    Admin,
    /// The owner.
    Owner,
    /// Her id is in the write list.
    User,
    /// A group in the write list: directly, or through (linked unit, her unit).
    Group {
        /// The group.
        group: GroupIx,
        /// `None` for a direct member.
        through: Option<(UnitIx, UnitIx)>,
    },
    /// A unit in the write list, reached from her unit below it (or itself).
    Unit {
        /// The unit in the list.
        granted: UnitIx,
        /// Her unit.
        member: UnitIx,
    },
}

/// One resource a user can use.
#[derive(Debug, Clone)]
pub struct ResourceAccess {
    /// The resource.
    pub resource: ResourceIx,
    /// Why she can read it.
    pub read: AccessDecision,
    /// Why she can write it, when she can.
    pub write: Option<AccessDecision>,
}

impl DeploymentRules {
    /// Indexes a deployment: O(users + groups' members + units' members + resources).
    pub fn new(data: DeploymentData) -> DeploymentRules {
        let tree = OuTree::build(data.units.iter().map(|u| u.unit.clone()).collect());
        let mut record_by_id: HashMap<&str, usize> = HashMap::with_capacity(data.units.len());
        for (i, u) in data.units.iter().enumerate() {
            record_by_id.entry(u.unit.id.as_str()).or_insert(i);
        }
        let unit_record: Vec<usize> = tree
            .units()
            .iter()
            .map(|u| record_by_id[u.id.as_str()])
            .collect();

        let user_by_id: HashMap<String, UserIx> = data
            .users
            .iter()
            .enumerate()
            .map(|(i, u)| (u.id.clone(), i as UserIx))
            .collect();
        let mut user_by_sub: HashMap<&str, UserIx> = HashMap::new();
        let mut user_by_email: HashMap<String, Vec<UserIx>> = HashMap::new();
        for (i, u) in data.users.iter().enumerate() {
            if let Some(sub) = &u.oauth_sub {
                user_by_sub.insert(sub, i as UserIx);
            }
            user_by_email
                .entry(u.email.to_lowercase())
                .or_default()
                .push(i as UserIx);
        }

        let mut group_by_id: HashMap<String, GroupIx> = HashMap::with_capacity(data.groups.len());
        for (i, g) in data.groups.iter().enumerate() {
            group_by_id.entry(g.id.clone()).or_insert(i as GroupIx);
        }
        let n_users = data.users.len();
        let mut direct_groups: Vec<Vec<GroupIx>> = vec![Vec::new(); n_users];
        let mut group_members = Vec::with_capacity(data.groups.len());
        let mut group_links = Vec::with_capacity(data.groups.len());
        let mut linked_groups: Vec<Vec<GroupIx>> = vec![Vec::new(); tree.len()];
        for (gi, g) in data.groups.iter().enumerate() {
            let mut members: Vec<UserIx> = g
                .user_ids
                .iter()
                .filter_map(|id| user_by_id.get(id).copied())
                .collect();
            members.dedup();
            for &m in &members {
                direct_groups[m as usize].push(gi as GroupIx);
            }
            group_members.push(members);
            let links: Vec<UnitIx> = g
                .org_unit_ids
                .iter()
                .filter_map(|id| tree.find(id))
                .collect();
            for &l in &links {
                linked_groups[l as usize].push(gi as GroupIx);
            }
            group_links.push(links);
        }

        let mut unit_members: Vec<Vec<UserIx>> = vec![Vec::new(); tree.len()];
        let mut user_units: Vec<Vec<UnitIx>> = vec![Vec::new(); n_users];
        for ix in 0..tree.len() as UnitIx {
            let members = &data.units[unit_record[ix as usize]].members;
            let mut found: Vec<UserIx> = members
                .member_ids
                .iter()
                .filter_map(|m| user_by_sub.get(m.as_str()).copied())
                .chain(
                    members
                        .member_emails
                        .iter()
                        .flat_map(|e| user_by_email.get(e).into_iter().flatten().copied()),
                )
                .collect();
            found.sort_unstable();
            found.dedup();
            for &u in &found {
                user_units[u as usize].push(ix);
            }
            unit_members[ix as usize] = found;
        }
        let admins = data
            .users
            .iter()
            .enumerate()
            .filter(|(_, u)| u.role.is_admin())
            .map(|(i, _)| i as UserIx)
            .collect();

        let unit_refs = tree
            .units()
            .iter()
            .map(|u| UnitRef {
                id: u.id.as_str().into(),
                name: u.label().into(),
            })
            .collect();
        let group_labels = data
            .groups
            .iter()
            .map(|g| (g.id.as_str().into(), g.name.as_str().into()))
            .collect();
        DeploymentRules {
            data,
            tree,
            unit_record,
            user_by_id,
            group_by_id,
            direct_groups,
            group_members,
            group_links,
            linked_groups,
            unit_members,
            user_units,
            admins,
            unit_refs,
            group_labels,
        }
    }

    /// The data indexed.
    pub fn data(&self) -> &DeploymentData {
        &self.data
    }

    /// The OU tree (with its problems).
    pub fn tree(&self) -> &OuTree {
        &self.tree
    }

    /// A user's position by id.
    pub fn user(&self, id: &str) -> Option<UserIx> {
        self.user_by_id.get(id).copied()
    }

    fn unit_ref(&self, ix: UnitIx) -> UnitRef {
        self.unit_refs[ix as usize].clone()
    }

    fn subject_group(&self, g: GroupIx, via: Via) -> SubjectGroup {
        let (id, name) = &self.group_labels[g as usize];
        SubjectGroup {
            id: id.clone(),
            name: name.clone(),
            via,
        }
    }

    fn unit_data(&self, ix: UnitIx) -> &UnitRecord {
        &self.data.units[self.unit_record[ix as usize]]
    }

    /// The units a user directly belongs to for access (exact `oauth_sub` / e-mail match).
    pub fn access_units(&self, user: UserIx) -> &[UnitIx] {
        &self.user_units[user as usize]
    }

    /// Groups (direct, then OU-linked through her units and their ancestors) and units (direct,
    /// then ancestors), each once, in the order explanations prefer.
    pub fn memberships(&self, user: UserIx) -> Memberships {
        let mut out = Memberships::default();
        self.collect_groups(user, &mut out.group_ix, &mut out.groups);
        let mut seen_units: Vec<UnitIx> = Vec::new();
        for &direct in self.access_units(user) {
            let member = self.unit_ref(direct);
            for unit in self.tree.self_and_ancestors(direct) {
                if !seen_units.contains(&unit) {
                    seen_units.push(unit);
                    out.units.push(SubjectUnit {
                        unit: self.unit_ref(unit),
                        member_of: member.clone(),
                    });
                }
            }
        }
        out
    }

    /// A user's groups in order: direct ones, then those linked to one of her units or an
    /// ancestor of one (the server's rule for permissions and access).
    fn collect_groups(&self, user: UserIx, ixs: &mut Vec<GroupIx>, groups: &mut Vec<SubjectGroup>) {
        for &g in &self.direct_groups[user as usize] {
            ixs.push(g);
            groups.push(self.subject_group(g, Via::Direct));
        }
        for &direct in self.access_units(user) {
            for unit in self.tree.self_and_ancestors(direct) {
                for &g in &self.linked_groups[unit as usize] {
                    if !ixs.contains(&g) {
                        ixs.push(g);
                        let via = Via::OrgUnit {
                            linked: self.unit_ref(unit),
                            member: self.unit_ref(direct),
                        };
                        groups.push(self.subject_group(g, via));
                    }
                }
            }
        }
    }

    /// The group grants of a user for the permission merge.
    fn grants(&self, user: UserIx) -> Vec<GroupGrant<'_>> {
        let (mut ixs, mut groups) = (Vec::new(), Vec::new());
        self.collect_groups(user, &mut ixs, &mut groups);
        ixs.into_iter()
            .zip(groups)
            .map(|(g, sg)| {
                let rec = &self.data.groups[g as usize];
                GroupGrant {
                    id: &rec.id,
                    name: &rec.name,
                    via: sg.via,
                    permissions: &rec.permissions,
                }
            })
            .collect()
    }

    /// A user's effective feature permissions with their sources (`GET /users/permissions`).
    pub fn effective_permissions(&self, user: UserIx) -> EffectivePermissions<'_> {
        let base = match &self.data.stored_defaults {
            Some(stored) => Base::Stored(stored),
            None => Base::BuiltIn,
        };
        effective_permissions(base, &self.data.builtin, &self.grants(user))
    }

    /// Whether a user passes a delegated admin check, and why.
    pub fn delegation(&self, user: UserIx, capability: AdminCapability) -> Delegation {
        delegated(
            capability,
            &self.data.users[user as usize].role,
            &self.data.builtin,
            &self.grants(user),
        )
    }

    /// One decision.
    pub fn access(&self, user: UserIx, resource: ResourceIx, want: Want) -> AccessDecision {
        let m = self.memberships(user);
        self.access_with(user, &m, resource, want)
    }

    fn access_with(
        &self,
        user: UserIx,
        m: &Memberships,
        resource: ResourceIx,
        want: Want,
    ) -> AccessDecision {
        let u = &self.data.users[user as usize];
        let r = &self.data.resources[resource as usize];
        let subject = Subject {
            user_id: &u.id,
            role: &u.role,
            groups: &m.groups,
            units: &m.units,
        };
        evaluate(&subject, &r.owner_id, &r.access, want)
    }

    /// (a) Every resource a user can read, with why, and whether and why she can write it.
    pub fn resources_for(&self, user: UserIx) -> Vec<ResourceAccess> {
        let m = self.memberships(user);
        (0..self.data.resources.len() as ResourceIx)
            .filter_map(|r| {
                let read = self.access_with(user, &m, r, Want::Read);
                read.allowed().then(|| {
                    let write = self.access_with(user, &m, r, Want::Write);
                    ResourceAccess {
                        resource: r,
                        read,
                        write: write.allowed().then_some(write),
                    }
                })
            })
            .collect()
    }

    /// (b) Everyone who can write a resource, each with a grant that holds (the first found in
    /// the server's order: admin, owner, user list, groups, units). Grants are compact indices;
    /// [`DeploymentRules::write_reason`] turns the ones on screen into readable reasons.
    pub fn writers(&self, resource: ResourceIx) -> Vec<(UserIx, WriteGrant)> {
        let r = &self.data.resources[resource as usize];
        let mut seen = vec![false; self.data.users.len()];
        let mut out: Vec<(UserIx, WriteGrant)> = Vec::new();
        // Only verified users (user, admin) reach the workspace at all.
        let users = &self.data.users;
        let mut give = |u: UserIx, grant: WriteGrant| {
            if !std::mem::replace(&mut seen[u as usize], true)
                && users[u as usize].role.is_verified()
            {
                out.push((u, grant));
            }
        };
        for &a in &self.admins {
            give(a, WriteGrant::Admin);
        }
        if let Some(&owner) = self.user_by_id.get(&r.owner_id) {
            give(owner, WriteGrant::Owner);
        }
        if let Some(write) = r.access.write_grants() {
            for id in &write.user_ids {
                if let Some(&u) = self.user_by_id.get(id) {
                    give(u, WriteGrant::User);
                }
            }
            for gid in &write.group_ids {
                let Some(&g) = self.group_by_id.get(gid) else {
                    continue;
                };
                for &u in &self.group_members[g as usize] {
                    give(
                        u,
                        WriteGrant::Group {
                            group: g,
                            through: None,
                        },
                    );
                }
                for &linked in &self.group_links[g as usize] {
                    for &unit in self.tree.subtree(linked) {
                        for &u in &self.unit_members[unit as usize] {
                            give(
                                u,
                                WriteGrant::Group {
                                    group: g,
                                    through: Some((linked, unit)),
                                },
                            );
                        }
                    }
                }
            }
            for uid in &write.org_unit_ids {
                let Some(granted) = self.tree.find(uid) else {
                    continue;
                };
                for &unit in self.tree.subtree(granted) {
                    for &u in &self.unit_members[unit as usize] {
                        give(
                            u,
                            WriteGrant::Unit {
                                granted,
                                member: unit,
                            },
                        );
                    }
                }
            }
        }
        out
    }

    /// The readable reason of a [`WriteGrant`].
    pub fn write_reason(&self, grant: &WriteGrant) -> AccessReason {
        match *grant {
            WriteGrant::Admin => AccessReason::Admin,
            WriteGrant::Owner => AccessReason::Owner,
            WriteGrant::User => AccessReason::User(ListKind::Write),
            WriteGrant::Group { group, through } => {
                let via = match through {
                    None => Via::Direct,
                    Some((linked, member)) => Via::OrgUnit {
                        linked: self.unit_ref(linked),
                        member: self.unit_ref(member),
                    },
                };
                AccessReason::Group(self.subject_group(group, via), ListKind::Write)
            }
            WriteGrant::Unit { granted, member } => AccessReason::Unit(
                SubjectUnit {
                    unit: self.unit_ref(granted),
                    member_of: self.unit_ref(member),
                },
                ListKind::Write,
            ),
        }
    }

    /// The units a user directly belongs to for usage limits (the server's text match).
    pub fn limit_units(&self, user: UserIx) -> Vec<UnitIx> {
        self.limit_units_on(user, self.data.like_case)
    }

    /// [`Self::limit_units`] as a database with the given text matching would find them.
    pub fn limit_units_on(&self, user: UserIx, case: LikeCase) -> Vec<UnitIx> {
        let u = &self.data.users[user as usize];
        let person = Person {
            email: &u.email,
            oauth_sub: u.oauth_sub.as_deref(),
        };
        (0..self.tree.len() as UnitIx)
            .filter(|&ix| {
                crate::org::usage_limit_membership(person, &self.unit_data(ix).members, case)
                    .is_some()
            })
            .collect()
    }

    /// A user's effective daily limit for a model.
    pub fn limit(&self, user: UserIx, model: &str) -> EffectiveLimit {
        self.limit_on(user, model, self.data.like_case)
    }

    /// [`Self::limit`] as a deployment whose database matches text with `case` would decide it.
    pub fn limit_on(&self, user: UserIx, model: &str, case: LikeCase) -> EffectiveLimit {
        let u = &self.data.users[user as usize];
        let groups: Vec<(&str, &PerModel)> = self.direct_groups[user as usize]
            .iter()
            .map(|&g| {
                (
                    self.data.groups[g as usize].name.as_str(),
                    &self.data.groups[g as usize].limits,
                )
            })
            .collect();
        let units: Vec<(&str, &PerModel)> = self
            .limit_units_on(user, case)
            .into_iter()
            .map(|ix| (self.tree.unit(ix).label(), &self.unit_data(ix).limits))
            .collect();
        effective_limit(
            model,
            &self.data.limits,
            LimitInputs {
                user: Some(&u.limits),
                groups: &groups,
                units: &units,
            },
        )
    }

    /// (c) Every user's effective daily limit for one model, aligned with the users.
    ///
    /// Only groups and units that set this model matter, so those are resolved to their members
    /// first (units through the usage-limit text match, indexed by normalised value, with the
    /// few `_`/`%` values that are wildcards checked one by one).
    pub fn limits_for_model(&self, model: &str) -> Vec<EffectiveLimit> {
        let n = self.data.users.len();
        let mut groups: Vec<Vec<(&str, &PerModel)>> = vec![Vec::new(); n];
        for (g, rec) in self.data.groups.iter().enumerate() {
            if rec.limits.contains_key(model) {
                for &u in &self.group_members[g] {
                    groups[u as usize].push((rec.name.as_str(), &rec.limits));
                }
            }
        }
        let mut units: Vec<Vec<(&str, &PerModel)>> = vec![Vec::new(); n];
        let limited: Vec<UnitIx> = (0..self.tree.len() as UnitIx)
            .filter(|&ix| self.unit_data(ix).limits.contains_key(model))
            .collect();
        if !limited.is_empty() {
            let matcher = LimitMatcher::new(&self.data.users, self.data.like_case);
            for ix in limited {
                let data = self.unit_data(ix);
                for u in matcher.members(&data.members) {
                    units[u as usize].push((self.tree.unit(ix).label(), &data.limits));
                }
            }
            // The server lists a user's units in unit order; members() found them unit by unit.
        }
        (0..n)
            .map(|u| {
                let inputs = LimitInputs {
                    user: Some(&self.data.users[u].limits),
                    groups: &groups[u],
                    units: &units[u],
                };
                effective_limit(model, &self.data.limits, inputs)
            })
            .collect()
    }

    /// (d) Every user's effective permissions, computed one at a time (holding 100,000 trees
    /// at once would cost far more than computing them).
    pub fn all_effective_permissions(
        &self,
    ) -> impl Iterator<Item = (UserIx, EffectivePermissions<'_>)> + '_ {
        (0..self.data.users.len() as UserIx).map(|u| (u, self.effective_permissions(u)))
    }

    /// How many users have each value at `path` (e.g. how many can write knowledge), over all
    /// users' effective permissions.
    pub fn permission_census(&self, path: &str) -> Vec<(serde_json::Value, usize)> {
        let mut counts: Vec<(serde_json::Value, usize)> = Vec::new();
        for (_, e) in self.all_effective_permissions() {
            let v = e.value(path).map_or(
                serde_json::Value::Null,
                crate::permissions::PermValue::to_json,
            );
            match counts.iter_mut().find(|(seen, _)| *seen == v) {
                Some((_, n)) => *n += 1,
                None => counts.push((v, 1)),
            }
        }
        counts
    }
}

/// `LIKE` patterns with `_` wildcards, grouped by shape (length, wildcard positions), so a token
/// is matched by masking it the same way and looking it up; patterns with `%` are checked one
/// by one (e-mails and subjects practically never hold one).
/// Patterns of one shape: the wildcard positions, and pattern → users.
type Shape = (Vec<usize>, HashMap<String, Vec<UserIx>>);

#[derive(Default)]
struct WildcardIndex {
    by_length: HashMap<usize, Vec<Shape>>,
    percent: Vec<(UserIx, String)>,
}

impl WildcardIndex {
    fn add(&mut self, pattern: String, user: UserIx) {
        if pattern.contains('%') {
            self.percent.push((user, pattern));
            return;
        }
        let chars: Vec<char> = pattern.chars().collect();
        let positions: Vec<usize> = chars
            .iter()
            .enumerate()
            .filter(|(_, c)| **c == '_')
            .map(|(i, _)| i)
            .collect();
        let shapes = self.by_length.entry(chars.len()).or_default();
        let slot = match shapes.iter().position(|(p, _)| *p == positions) {
            Some(i) => i,
            None => {
                shapes.push((positions, HashMap::new()));
                shapes.len() - 1
            }
        };
        shapes[slot].1.entry(pattern).or_default().push(user);
    }

    fn lookup(&self, token: &str, case: LikeCase, out: &mut Vec<UserIx>) {
        if !self.by_length.is_empty() {
            let chars: Vec<char> = token.chars().collect();
            for (positions, patterns) in self.by_length.get(&chars.len()).into_iter().flatten() {
                let mut masked = chars.clone();
                for &p in positions {
                    masked[p] = '_';
                }
                let masked: String = masked.into_iter().collect();
                if let Some(users) = patterns.get(&masked) {
                    out.extend(users);
                }
            }
        }
        for (user, pattern) in &self.percent {
            if like(token, pattern, case) {
                out.push(*user);
            }
        }
    }
}

/// Finds the users a unit's usage-limit text match selects, without scanning every user:
/// plain values by hash lookup, wildcard values by shape.
struct LimitMatcher {
    case: LikeCase,
    by_sub: HashMap<String, Vec<UserIx>>,
    by_email: HashMap<String, Vec<UserIx>>,
    wild_sub: WildcardIndex,
    wild_email: WildcardIndex,
}

impl LimitMatcher {
    fn normalise(case: LikeCase, s: &str) -> String {
        match case {
            LikeCase::SqliteAsciiInsensitive => s.to_ascii_lowercase(),
            LikeCase::Sensitive => s.to_owned(),
        }
    }

    fn new(users: &[UserRecord], case: LikeCase) -> Self {
        let mut m = LimitMatcher {
            case,
            by_sub: HashMap::new(),
            by_email: HashMap::new(),
            wild_sub: WildcardIndex::default(),
            wild_email: WildcardIndex::default(),
        };
        let wild = |s: &str| s.contains(['_', '%']);
        for (i, u) in users.iter().enumerate() {
            let i = i as UserIx;
            if let Some(sub) = &u.oauth_sub {
                let key = Self::normalise(case, sub);
                if wild(sub) {
                    m.wild_sub.add(key, i)
                } else {
                    m.by_sub.entry(key).or_default().push(i)
                }
            }
            let key = Self::normalise(case, &u.email.to_lowercase());
            if wild(&key) {
                m.wild_email.add(key, i)
            } else {
                m.by_email.entry(key).or_default().push(i)
            }
        }
        m
    }

    fn members(&self, unit: &UnitMembers) -> Vec<UserIx> {
        let mut found: Vec<UserIx> = Vec::new();
        for id in &unit.member_ids {
            let token = Self::normalise(self.case, &crate::org::python_json_escape(id));
            if let Some(us) = self.by_sub.get(&token) {
                found.extend(us);
            }
            self.wild_sub.lookup(&token, self.case, &mut found);
        }
        for s in &unit.meta_strings {
            let token = Self::normalise(self.case, s);
            if let Some(us) = self.by_email.get(&token) {
                found.extend(us);
            }
            self.wild_email.lookup(&token, self.case, &mut found);
        }
        found.sort_unstable();
        found.dedup();
        found
    }
}

/// Which identity made a user an access member of a unit (for display).
pub fn access_match(user: &UserRecord, unit: &UnitMembers) -> Option<MatchedBy> {
    crate::org::access_membership(
        Person {
            email: &user.email,
            oauth_sub: user.oauth_sub.as_deref(),
        },
        unit,
    )
}

#[cfg(test)]
#[path = "deployment_tests.rs"]
mod tests;
