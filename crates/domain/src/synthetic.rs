//! A deterministic synthetic deployment for benchmarks and load tests: users spread over an OU
//! tree of a given depth, groups with members, OU links, permissions and limits, and resources
//! shared in every way the server allows.

use crate::Role;
use crate::access::AccessControl;
use crate::deployment::{DeploymentData, GroupRecord, ResourceRecord, UnitRecord, UserRecord};
use crate::limits::{GlobalLimits, PerModel};
use crate::org::{LikeCase, UnitInput, UnitMembers};
use crate::permissions::{KEYS, KeyKind, Level, PermissionTree, builtin_defaults, post_defaults};
use serde_json::{Value, json};

/// How big a deployment to make.
#[derive(Debug, Clone, Copy)]
pub struct SyntheticSpec {
    /// Users.
    pub users: usize,
    /// Organizational units.
    pub units: usize,
    /// Levels of the OU tree.
    pub depth: usize,
    /// Groups.
    pub groups: usize,
    /// Resources.
    pub resources: usize,
    /// Seed of the generator.
    pub seed: u64,
}

impl SyntheticSpec {
    /// The benchmark's size: 100,000 users, 20,000 units six levels deep, 2,000 groups and
    /// 10,000 resources.
    pub fn benchmark() -> Self {
        SyntheticSpec {
            users: 100_000,
            units: 20_000,
            depth: 6,
            groups: 2_000,
            resources: 10_000,
            seed: 7,
        }
    }
}

/// The model the synthetic limits are set for.
pub const LIMITED_MODEL: &str = "gpt-4o";

/// xorshift64*: small, fast and the same everywhere, so a failing randomized case is
/// reproduced by its seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed (any value; zero is avoided).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
}

/// Sizes of each level of the tree so that they add up to `total`.
fn level_sizes(total: usize, depth: usize) -> Vec<usize> {
    let depth = depth.max(1);
    let roots = total.clamp(1, 4);
    if depth == 1 {
        return vec![total];
    }
    let ratio = ((total as f64 / roots as f64).max(1.0)).powf(1.0 / (depth - 1) as f64);
    let mut sizes: Vec<usize> = (0..depth)
        .map(|l| ((roots as f64) * ratio.powi(l as i32)).round().max(1.0) as usize)
        .collect();
    let sum: usize = sizes.iter().sum();
    let last = sizes.len() - 1;
    sizes[last] = (sizes[last] + total).saturating_sub(sum).max(1);
    sizes
}

/// Generates a deployment.
pub fn generate(spec: SyntheticSpec) -> DeploymentData {
    let mut rng = Rng::new(spec.seed);
    let limit = |rng: &mut Rng, percent: u64, base: i64| -> PerModel {
        if rng.chance(percent) {
            let tokens = if rng.chance(10) {
                0
            } else {
                base * (1 + rng.below(9) as i64)
            };
            [(LIMITED_MODEL.to_owned(), tokens)].into_iter().collect()
        } else {
            PerModel::new()
        }
    };

    // Units, level by level; each picks a parent on the level above.
    let mut units: Vec<UnitInput> = Vec::with_capacity(spec.units);
    let mut level_start = Vec::new();
    for (level, size) in level_sizes(spec.units, spec.depth).into_iter().enumerate() {
        let above = level_start.last().copied();
        let start = units.len();
        level_start.push(start);
        for i in 0..size {
            let parent = above.map(|a| format!("ou-{}", a + rng.below(start - a)));
            units.push(UnitInput {
                id: format!("ou-{}", start + i),
                organization_id: "org-1".into(),
                parent_id: parent,
                name: format!("Unit {}-{}", level, i),
                display_name: None,
                level: level as i64,
                external_id: Some(format!("ext-{}", start + i)),
                kind: Some("department".into()),
            });
        }
    }
    let deep_start = level_start
        .get(level_start.len().saturating_sub(2))
        .copied()
        .unwrap_or(0);

    // Users: everyone in one (usually deep) unit; most by e-mail and SSO subject.
    let mut users = Vec::with_capacity(spec.users);
    let mut unit_member_ids: Vec<Vec<Value>> = vec![Vec::new(); units.len()];
    let mut unit_member_list: Vec<Vec<Value>> = vec![Vec::new(); units.len()];
    for i in 0..spec.users {
        let email = if rng.chance(2) {
            format!("first_last{i}@corp.example.com")
        } else {
            format!("user{i}@corp.example.com")
        };
        let oauth_sub = rng.chance(60).then(|| format!("microsoft@sub-{i}"));
        let role = if i % 2000 == 0 {
            Role::Admin
        } else if rng.chance(10) {
            Role::Pending
        } else {
            Role::User
        };
        let unit = if units.is_empty() {
            None
        } else {
            Some(deep_start + rng.below(units.len() - deep_start))
        };
        if let Some(u) = unit {
            if let Some(sub) = &oauth_sub {
                unit_member_ids[u].push(json!(sub));
            }
            unit_member_list[u].push(json!({"id": format!("ext-user-{i}"), "name": format!("User {i}"), "email": email, "job_title": ""}));
        }
        users.push(UserRecord {
            id: format!("user-{i}"),
            email,
            role,
            oauth_sub,
            limits: limit(&mut rng, 3, 50_000),
        });
    }
    // A few directory entries differ from a user's e-mail only where hers has an underscore:
    // the usage-limit text search (where `_` is a wildcard) counts her in, access does not.
    let underscored: Vec<usize> = (0..users.len())
        .filter(|&i| users[i].email.contains('_'))
        .collect();
    for (u, list) in unit_member_list.iter_mut().enumerate() {
        if u % 25 == 7 && !underscored.is_empty() {
            let lookalike = users[underscored[rng.below(underscored.len())]]
                .email
                .replace('_', ".");
            list.push(json!({"id": format!("ext-lookalike-{u}"), "name": "Lookalike", "email": lookalike, "job_title": ""}));
        }
    }
    let unit_records: Vec<UnitRecord> = units
        .into_iter()
        .enumerate()
        .map(|(i, unit)| {
            let limits = limit(&mut rng, 5, 100_000);
            let mut meta =
                json!({"members": unit_member_list[i], "member_count": unit_member_list[i].len()});
            if !limits.is_empty() {
                meta["usage_limit"] = json!({"per_model": limits});
            }
            UnitRecord {
                members: UnitMembers::new(&unit_member_ids[i], Some(&meta)),
                unit,
                limits,
            }
        })
        .collect();

    let level_keys: Vec<_> = KEYS.iter().filter(|k| k.kind == KeyKind::Level).collect();
    let groups: Vec<GroupRecord> = (0..spec.groups)
        .map(|g| {
            let members = rng.below(60);
            let user_ids = (0..members)
                .map(|_| format!("user-{}", rng.below(spec.users.max(1))))
                .collect();
            let org_unit_ids = if rng.chance(15) && !unit_records.is_empty() {
                let shallow = level_start
                    .get(4)
                    .copied()
                    .unwrap_or(unit_records.len())
                    .min(unit_records.len());
                (0..1 + rng.below(2))
                    .map(|_| format!("ou-{}", rng.below(shallow.max(1))))
                    .collect()
            } else {
                Vec::new()
            };
            let mut perms = serde_json::Map::new();
            for _ in 0..3 + rng.below(6) {
                let k = level_keys[rng.below(level_keys.len())];
                let section = perms.entry(k.section).or_insert_with(|| json!({}));
                section[k.key] = json!(Level::ALL[rng.below(4)].as_str());
            }
            if rng.chance(5) {
                perms.entry("chat").or_insert_with(|| json!({}))["temporary_enforced"] =
                    json!(true);
            }
            GroupRecord {
                id: format!("group-{g}"),
                name: format!("Group {g}"),
                user_ids,
                permissions: PermissionTree::from_json(&Value::Object(perms)),
                org_unit_ids,
                limits: limit(&mut rng, 10, 200_000),
            }
        })
        .collect();

    let kinds = [
        "knowledge",
        "models",
        "tools",
        "prompts",
        "databases",
        "glossaries",
        "guardrails",
    ];
    let ids = |rng: &mut Rng, max: usize, prefix: &str, n: usize| -> Vec<Value> {
        (0..rng.below(n + 1))
            .map(|_| json!(format!("{prefix}-{}", rng.below(max.max(1)))))
            .collect()
    };
    let resources = (0..spec.resources)
        .map(|r| {
            let access = if rng.chance(15) {
                AccessControl::Public
            } else if rng.chance(6) {
                AccessControl::from_json(&json!({}))
            } else {
                AccessControl::from_json(&json!({
                    "read": {"group_ids": ids(&mut rng, spec.groups, "group", 3), "org_unit_ids": ids(&mut rng, spec.units, "ou", 2), "user_ids": ids(&mut rng, spec.users, "user", 2)},
                    "write": {"group_ids": ids(&mut rng, spec.groups, "group", 2), "org_unit_ids": ids(&mut rng, spec.units, "ou", 1), "user_ids": ids(&mut rng, spec.users, "user", 1)},
                }))
            };
            ResourceRecord {
                id: format!("res-{r}"),
                kind: kinds[r % kinds.len()].into(),
                name: format!("Resource {r}"),
                owner_id: format!("user-{}", rng.below(spec.users.max(1))),
                access,
            }
        })
        .collect();

    let mut stored = post_defaults().to_json();
    stored["workspace"]["knowledge"] = json!("read");
    DeploymentData {
        users,
        groups,
        units: unit_records,
        resources,
        stored_defaults: Some(PermissionTree::from_json(&stored)),
        builtin: builtin_defaults(),
        limits: GlobalLimits {
            enabled: true,
            default_daily_tokens: 100_000,
            per_model: [("gpt-4o-mini".to_owned(), 500_000)].into_iter().collect(),
            exceed_action: "block".into(),
        },
        like_case: LikeCase::SqliteAsciiInsensitive,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_add_up_and_grow() {
        let sizes = level_sizes(20_000, 6);
        assert_eq!(sizes.iter().sum::<usize>(), 20_000);
        assert_eq!(sizes.len(), 6);
        assert!(sizes.windows(2).all(|w| w[0] < w[1]), "{sizes:?}");
        assert_eq!(
            level_sizes(1, 3).iter().sum::<usize>(),
            3,
            "tiny trees still have every level"
        );
    }

    #[test]
    fn lookalike_entries_exist_for_the_wildcard_quirk() {
        let d = generate(SyntheticSpec {
            users: 400,
            units: 60,
            depth: 3,
            groups: 5,
            resources: 5,
            seed: 11,
        });
        let lookalikes = d
            .units
            .iter()
            .flat_map(|u| u.members.member_emails.iter())
            .filter(|e| e.starts_with("first.last"))
            .count();
        assert!(lookalikes > 0);
    }

    #[test]
    fn generation_is_deterministic_and_well_formed() {
        let spec = SyntheticSpec {
            users: 500,
            units: 120,
            depth: 4,
            groups: 30,
            resources: 60,
            seed: 3,
        };
        let a = generate(spec);
        let b = generate(spec);
        assert_eq!(a.users.len(), 500);
        assert_eq!(a.units.len(), 120);
        assert_eq!(
            a.users.iter().map(|u| &u.email).collect::<Vec<_>>(),
            b.users.iter().map(|u| &u.email).collect::<Vec<_>>()
        );
        let tree = crate::org::OuTree::build(a.units.iter().map(|u| u.unit.clone()).collect());
        assert!(tree.problems().is_empty(), "{:?}", tree.problems());
        assert_eq!(
            tree.units()
                .iter()
                .map(|u| tree.depth(tree.find(&u.id).unwrap_or(0)))
                .max(),
            Some(3)
        );
    }
}
