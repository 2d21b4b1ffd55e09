//! A generated Entra tenant at any size, with the awkward cases a real directory has: users with
//! and without `mail`, Korean names, guests, disabled accounts, departments that differ only in
//! case or by a trailing space, security / Microsoft 365 / dynamic / nested / empty groups,
//! administrative units (empty ones, ones holding groups), and groups over 999 members.
//!
//! Objects are plain JSON as Graph returns them, so the server can `$select` any property.

use serde_json::{Value, json};
use std::collections::BTreeMap;

/// How big a tenant to make.
#[derive(Debug, Clone, Copy)]
pub struct TenantSpec {
    /// Users.
    pub users: usize,
    /// Groups.
    pub groups: usize,
    /// Administrative units.
    pub admin_units: usize,
    /// Distinct departments (before the case and space twins).
    pub departments: usize,
    /// Seed of the generator.
    pub seed: u64,
}

impl TenantSpec {
    /// A small tenant that still has every awkward case.
    pub fn small(seed: u64) -> TenantSpec {
        TenantSpec {
            users: 1_600,
            groups: 30,
            admin_units: 6,
            departments: 12,
            seed,
        }
    }
}

/// A deterministic xorshift generator (no dependency, same stream on every platform).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// Seeded.
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    /// Next number.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    /// In `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
    /// A GUID-shaped id.
    pub fn guid(&mut self) -> String {
        let a = self.next_u64();
        let b = self.next_u64();
        format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            b >> 52,
            b & 0xffff_ffff_ffff
        )
    }
}

/// What a container (administrative unit or group) holds: member object ids with their
/// `@odata.type`.
pub type Members = Vec<(String, &'static str)>;

/// The `@odata.type` of a user.
pub const USER: &str = "#microsoft.graph.user";
/// The `@odata.type` of a group.
pub const GROUP: &str = "#microsoft.graph.group";
/// The `@odata.type` of a device.
pub const DEVICE: &str = "#microsoft.graph.device";

/// A whole tenant.
#[derive(Debug, Clone)]
pub struct Tenant {
    /// The organization object.
    pub organization: Value,
    /// Users, in list order.
    pub users: Vec<Value>,
    /// Groups, in list order.
    pub groups: Vec<Value>,
    /// Administrative units, in list order.
    pub admin_units: Vec<Value>,
    /// Members by container id.
    pub members: BTreeMap<String, Members>,
}

const FAMILY: &[&str] = &["김", "이", "박", "최", "정", "강", "조", "윤", "장", "임"];
const GIVEN: &[&str] = &[
    "민준", "서연", "도윤", "지우", "하준", "서윤", "예준", "하은",
];
const LATIN: &[&str] = &[
    "Alex", "Sam", "Jordan", "Taylor", "Morgan", "Casey", "Riley",
];

impl Tenant {
    /// Generates a tenant.
    pub fn generate(spec: TenantSpec) -> Tenant {
        let mut rng = Rng::new(spec.seed);
        let tenant_id = rng.guid();
        let organization = json!({
            "id": tenant_id,
            "displayName": format!("Generated Tenant {}", spec.seed),
            "verifiedDomains": [
                {"name": format!("gen{}.onmicrosoft.com", spec.seed), "isDefault": false, "isInitial": true},
                {"name": format!("gen{}.example", spec.seed), "isDefault": true, "isInitial": false},
            ],
            "countryLetterCode": "KR",
            "createdDateTime": "2019-03-11T02:14:55Z",
            "tenantType": "AAD",
        });
        let mut departments: Vec<String> = (0..spec.departments)
            .map(|i| match i % 4 {
                0 => format!("Sales Ops {i}"),
                1 => format!("연구개발 {i}"),
                2 => format!("Engineering {i}"),
                _ => format!("Support {i}"),
            })
            .collect();
        if spec.departments >= 2 {
            // Twins the server keeps apart: case only, and a trailing space.
            departments.push(departments[0].to_uppercase());
            departments.push(format!("{} ", departments[1]));
        }
        let domain = format!("gen{}.example", spec.seed);
        let mut users = Vec::with_capacity(spec.users);
        for i in 0..spec.users {
            let id = rng.guid();
            let korean = rng.chance(50);
            let name = if korean {
                format!(
                    "{}{}",
                    FAMILY[rng.below(FAMILY.len())],
                    GIVEN[rng.below(GIVEN.len())]
                )
            } else {
                format!("{} {i}", LATIN[rng.below(LATIN.len())])
            };
            let guest = rng.chance(3);
            let upn = if guest {
                format!(
                    "guest{i}_partner.example#EXT#@gen{}.onmicrosoft.com",
                    spec.seed
                )
            } else {
                format!("User{i}@{domain}")
            };
            let mail = if rng.chance(85) {
                Value::String(format!("User.{i}@{domain}"))
            } else {
                Value::Null
            };
            let department = if departments.is_empty() || rng.chance(10) {
                Value::Null
            } else if rng.chance(2) {
                Value::String(String::new())
            } else {
                Value::String(departments[rng.below(departments.len())].clone())
            };
            users.push(json!({
                "id": id,
                "displayName": name,
                "mail": mail,
                "userPrincipalName": upn,
                "department": department,
                "jobTitle": if rng.chance(70) { json!("Engineer") } else { Value::Null },
                "companyName": "Generated",
                "accountEnabled": !rng.chance(4),
                "userType": if guest { "Guest" } else { "Member" },
            }));
        }
        let user_ids: Vec<String> = users
            .iter()
            .map(|u| u["id"].as_str().unwrap_or_default().to_owned())
            .collect();
        let mut members: BTreeMap<String, Members> = BTreeMap::new();
        let mut groups = Vec::with_capacity(spec.groups);
        for i in 0..spec.groups {
            let id = rng.guid();
            let (types, rule): (Vec<&str>, Value) = match i % 5 {
                1 => (vec!["Unified"], Value::Null),
                2 => (
                    vec!["DynamicMembership"],
                    json!("user.department -eq \"Sales\""),
                ),
                3 => (
                    vec!["Unified", "DynamicMembership"],
                    json!("user.accountEnabled -eq true"),
                ),
                _ => (vec![], Value::Null),
            };
            let size = match i {
                0 if spec.users > 1_500 => 1_500.min(spec.users), // over one page of 999
                _ if i % 7 == 6 => 0,                             // empty groups
                _ => rng.below(40.min(spec.users.max(1))) + 1,
            };
            let start = rng.below(user_ids.len().max(1));
            let mut list: Members = (0..size)
                .map(|k| (user_ids[(start + k) % user_ids.len()].clone(), USER))
                .collect();
            if i % 9 == 4 {
                list.push((rng.guid(), DEVICE));
            }
            members.insert(id.clone(), list);
            groups.push(json!({
                "id": id,
                "displayName": format!("{} {i}", if i % 3 == 0 { "GRP-보안" } else { "GRP-Team" }),
                "description": if i % 2 == 0 { json!(format!("Group number {i}")) } else { Value::Null },
                "groupTypes": types,
                "membershipRule": rule,
                "mailEnabled": i % 5 == 1,
                "securityEnabled": i % 5 != 1,
            }));
        }
        // Nesting: every fourth group holds the next group.
        for i in (0..spec.groups.saturating_sub(1)).step_by(4) {
            let child = groups[i + 1]["id"].as_str().unwrap_or_default().to_owned();
            let parent = groups[i]["id"].as_str().unwrap_or_default().to_owned();
            members.entry(parent).or_default().push((child, GROUP));
        }
        let mut admin_units = Vec::with_capacity(spec.admin_units);
        for i in 0..spec.admin_units {
            let id = rng.guid();
            let mut list: Members = Vec::new();
            if i % 3 != 2 {
                let size = rng.below(30.min(spec.users.max(1))) + 1;
                let start = rng.below(user_ids.len().max(1));
                list.extend(
                    (0..size).map(|k| (user_ids[(start + k) % user_ids.len()].clone(), USER)),
                );
            }
            if i % 4 == 1 && !groups.is_empty() {
                let g = groups[rng.below(groups.len())]["id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                list.push((g, GROUP));
            }
            members.insert(id.clone(), list);
            admin_units.push(json!({
                "id": id,
                "displayName": format!("AU {i}"),
                "description": if i % 2 == 0 { json!("Regional unit") } else { Value::Null },
                "membershipType": if i % 5 == 4 { json!("Dynamic") } else { json!("Assigned") },
                "visibility": Value::Null,
            }));
        }
        Tenant {
            organization,
            users,
            groups,
            admin_units,
            members,
        }
    }

    /// The tenant id.
    pub fn tenant_id(&self) -> String {
        self.organization["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}
