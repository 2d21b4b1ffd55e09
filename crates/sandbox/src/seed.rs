//! Demo data: about 200 people with English and Korean names across the three roles, generated
//! deterministically so every start shows the same directory. All share one password hash, so
//! seeding costs a single argon2 run.

use crate::algorithms::limits::kst_day_start;
use crate::auth;
use crate::db::{
    GuardrailRow, ModelRow, NewFile, NewKnowledge, NewUser, OrgRow, UnitRow, UsageRow,
};
use serde_json::json;

const EN_FIRST: &[&str] = &[
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Ava",
    "Ethan",
    "Sophia",
    "Mason",
    "Isabella",
    "Lucas",
    "Mia",
    "James",
    "Charlotte",
    "Benjamin",
    "Amelia",
    "Henry",
    "Harper",
    "Daniel",
    "Evelyn",
    "Michael",
    "Grace",
    "Samuel",
    "Chloe",
    "David",
];
const EN_LAST: &[&str] = &[
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Wilson",
    "Anderson", "Taylor", "Thomas", "Moore", "Martin", "Jackson", "White", "Harris", "Clark",
    "Lewis", "Walker", "Nguyen", "Patel",
];
/// (Hangul, romanisation)
const KO_FAMILY: &[(&str, &str)] = &[
    ("김", "kim"),
    ("이", "lee"),
    ("박", "park"),
    ("최", "choi"),
    ("정", "jung"),
    ("강", "kang"),
    ("조", "cho"),
    ("윤", "yoon"),
    ("장", "jang"),
    ("임", "lim"),
    ("한", "han"),
    ("오", "oh"),
    ("서", "seo"),
    ("신", "shin"),
    ("권", "kwon"),
    ("황", "hwang"),
    ("안", "ahn"),
    ("송", "song"),
];
const KO_GIVEN: &[(&str, &str)] = &[
    ("민준", "minjun"),
    ("서연", "seoyeon"),
    ("도윤", "doyun"),
    ("지우", "jiwoo"),
    ("하은", "haeun"),
    ("예준", "yejun"),
    ("수아", "sua"),
    ("시우", "siwoo"),
    ("지호", "jiho"),
    ("서윤", "seoyun"),
    ("주원", "juwon"),
    ("하윤", "hayoon"),
    ("지민", "jimin"),
    ("은서", "eunseo"),
    ("현우", "hyunwoo"),
    ("유진", "yujin"),
    ("준서", "junseo"),
    ("채원", "chaewon"),
    ("건우", "gunwoo"),
    ("다은", "daeun"),
];

/// The e-mail domain of demo people.
pub const DEMO_DOMAIN: &str = "demo.example.com";
/// How many people the demo seed adds besides the admin.
pub const DEMO_PEOPLE: usize = 199;

/// A small deterministic generator (xorshift64*), so the demo never changes between starts.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn hex(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from_digit((self.next() % 16) as u32, 16).unwrap_or('0'))
            .collect()
    }

    fn uuid(&mut self) -> String {
        let h = self.hex(32);
        format!(
            "{}-{}-4{}-a{}-{}",
            &h[0..8],
            &h[8..12],
            &h[13..16],
            &h[17..20],
            &h[20..32]
        )
    }
}

/// The demo people, created between `first_created` and `now`, sharing `password_hash`.
pub fn demo_people(password_hash: &str, first_created: i64, now: i64) -> Vec<NewUser> {
    let mut rng = Rng(0x5EED_C100_5FE7_E000);
    let mut taken = std::collections::HashSet::new();
    let span = (now - first_created).max(DEMO_PEOPLE as i64);
    let step = span / (DEMO_PEOPLE as i64 + 1);
    let mut people = Vec::with_capacity(DEMO_PEOPLE);
    for i in 0..DEMO_PEOPLE {
        let korean = rng.below(100) < 55;
        let (name, local) = if korean {
            let (fam, fam_r) = KO_FAMILY[rng.below(KO_FAMILY.len())];
            let (given, given_r) = KO_GIVEN[rng.below(KO_GIVEN.len())];
            let display = if rng.below(100) < 80 {
                format!("{fam}{given}")
            } else {
                format!("{} {}", capitalise(given_r), capitalise(fam_r))
            };
            (display, format!("{given_r}.{fam_r}"))
        } else {
            let first = EN_FIRST[rng.below(EN_FIRST.len())];
            let last = EN_LAST[rng.below(EN_LAST.len())];
            (
                format!("{first} {last}"),
                format!("{}.{}", first.to_lowercase(), last.to_lowercase()),
            )
        };
        let mut email = format!("{local}@{DEMO_DOMAIN}");
        let mut n = 2;
        while !taken.insert(email.clone()) {
            email = format!("{local}{n}@{DEMO_DOMAIN}");
            n += 1;
        }
        let created_at =
            first_created + step * (i as i64 + 1) + rng.below(step.max(1) as usize / 2) as i64;
        // The newest sign-ups are still waiting for approval; a few admins help run the place.
        let role = if i >= DEMO_PEOPLE - 30 || rng.below(100) < 3 {
            "pending"
        } else if rng.below(100) < 4 {
            "admin"
        } else {
            "user"
        };
        let last_active_at = if role == "pending" {
            created_at
        } else {
            created_at + rng.below((now - created_at).max(1) as usize) as i64
        };
        let sso = rng.below(100) < 35;
        let api_key = (rng.below(100) < 8).then(|| format!("sk-{}", rng.hex(32)));
        people.push(NewUser {
            id: rng.uuid(),
            name,
            email,
            role: role.to_owned(),
            profile_image_url: "/user.png".to_owned(),
            created_at,
            last_active_at,
            api_key,
            oauth_sub: sso.then(|| format!("microsoft@{}", rng.uuid())),
            oauth_oid: None,
            password_hash: password_hash.to_owned(),
        });
    }
    people
}

/// The demo deployment's models: four base models and one workspace agent.
pub fn demo_models(now: i64) -> Vec<ModelRow> {
    let model = |id: &str, name: &str, base: Option<&str>| ModelRow {
        id: id.to_owned(),
        name: name.to_owned(),
        base_model_id: base.map(str::to_owned),
        is_active: true,
        created_at: now,
    };
    vec![
        model("gpt-4o", "GPT-4o", None),
        model("gpt-4o-mini", "GPT-4o mini", None),
        model("claude-sonnet", "Claude Sonnet", None),
        model("solar-pro", "Solar Pro", None),
        model("hr-helper", "HR Helper", Some("gpt-4o-mini")),
    ]
}

/// Usage of the last 30 days by the people who can chat, today's included, with the row kinds
/// the quota must tell apart: agent answers (logged on the base model), background tasks that
/// do not count, and embeddings that do.
pub fn demo_usage(people: &[NewUser], now: i64) -> Vec<UsageRow> {
    let mut rng = Rng(0x0005_A6E0_F7E5_7DA7);
    let today = kst_day_start(now);
    let mut rows = Vec::new();
    const BASES: [&str; 4] = ["gpt-4o", "gpt-4o-mini", "claude-sonnet", "solar-pro"];
    for person in people.iter().filter(|p| p.role != "pending") {
        let mut add = |rng: &mut Rng, at: i64| {
            let (agent, model, kind) = match rng.below(10) {
                0 => (Some("hr-helper"), "gpt-4o-mini", "generation"),
                1 => (None, BASES[rng.below(4)], "title_generation"),
                2 => (None, "gpt-4o-mini", "embedding"),
                _ => (None, BASES[rng.below(4)], "chat"),
            };
            let tokens = match kind {
                "title_generation" => 40 + rng.below(60),
                "embedding" => 200 + rng.below(800),
                _ => 300 + rng.below(4_000),
            };
            rows.push(UsageRow {
                user_id: person.id.clone(),
                agent_id: agent.map(str::to_owned),
                model_id: model.to_owned(),
                message_type: kind.to_owned(),
                total_tokens: tokens as i64,
                created_at: at,
            });
        };
        for day in 1..=30i64 {
            if rng.below(100) < 12 {
                for _ in 0..=rng.below(3) {
                    let at = today - day * 86_400 + rng.below(86_400) as i64;
                    add(&mut rng, at.max(person.created_at));
                }
            }
        }
        if rng.below(100) < 60 {
            for _ in 0..=rng.below(5) {
                let at = today + rng.below((now - today).max(1) as usize) as i64;
                add(&mut rng, at);
            }
        }
    }
    rows
}

/// The demo organization: two divisions, their departments and teams (types division,
/// department, team, with external ids so imports manage them), and the demo people who can
/// sign in spread over the teams as `meta.members` with lower-case e-mails.
pub fn demo_organization(people: &[NewUser], now: i64) -> (OrgRow, Vec<UnitRow>) {
    let org = OrgRow {
        id: "0a000000-0000-4000-8000-000000000001".into(),
        tenant_id: "demo-corp".into(),
        name: "Demo Corp".into(),
        display_name: Some("Demo Corporation".into()),
        domain: Some(crate::DEMO_DOMAIN.into()),
        meta: Some(json!({"source": "json"}).to_string()),
        created_at: now,
        updated_at: now,
    };
    // (key, name, type, parent key)
    const TREE: &[(&str, &str, &str, Option<&str>)] = &[
        ("div-eng", "Engineering", "division", None),
        ("dept-platform", "Platform", "department", Some("div-eng")),
        (
            "team-sre",
            "Site Reliability",
            "team",
            Some("dept-platform"),
        ),
        ("team-data", "Data", "team", Some("dept-platform")),
        ("dept-product", "Product", "department", Some("div-eng")),
        ("team-web", "Web", "team", Some("dept-product")),
        ("team-mobile", "Mobile", "team", Some("dept-product")),
        ("div-biz", "Business", "division", None),
        ("dept-sales", "Sales", "department", Some("div-biz")),
        ("team-apac", "APAC Sales", "team", Some("dept-sales")),
        ("team-emea", "EMEA Sales", "team", Some("dept-sales")),
        ("dept-hr", "People & HR", "department", Some("div-biz")),
    ];
    let id_of = |key: &str| {
        let n = TREE.iter().position(|(k, ..)| *k == key).unwrap_or(0) + 1;
        format!("0b000000-0000-4000-8000-{n:012}")
    };
    let teams: Vec<&str> = TREE
        .iter()
        .filter(|(_, _, kind, _)| *kind == "team" || *kind == "department")
        .map(|(k, ..)| *k)
        .filter(|k| *k != "dept-platform" && *k != "dept-product" && *k != "dept-sales")
        .collect();
    let mut members: std::collections::HashMap<&str, Vec<serde_json::Value>> = Default::default();
    for (i, person) in people.iter().filter(|p| p.role != "pending").enumerate() {
        members.entry(teams[i % teams.len()]).or_default().push(json!({
            "id": person.id, "name": person.name, "email": person.email.to_lowercase(), "job_title": "",
        }));
    }
    let units = TREE
        .iter()
        .map(|(key, name, kind, parent)| {
            let level = {
                let mut depth = 0;
                let mut cursor = *parent;
                while let Some(p) = cursor {
                    depth += 1;
                    cursor = TREE.iter().find(|(k, ..)| *k == p).and_then(|t| t.3);
                }
                depth
            };
            let list = members.remove(key).unwrap_or_default();
            UnitRow {
                id: id_of(key),
                organization_id: org.id.clone(),
                parent_id: parent.map(id_of),
                name: (*name).to_owned(),
                display_name: None,
                description: None,
                level,
                kind: Some((*kind).to_owned()),
                external_id: Some((*key).to_owned()),
                member_ids: "[]".into(),
                meta: Some(json!({"member_count": list.len(), "members": list}).to_string()),
                created_at: now,
                updated_at: now,
            }
        })
        .collect();
    (org, units)
}

/// Guardrails of the demo: one for everyone, one shared with a division (so its teams inherit
/// it), one with read and write for a department.
pub fn demo_guardrails(owner: &str, units: &[UnitRow], now: i64) -> Vec<GuardrailRow> {
    let unit = |key: &str| {
        units
            .iter()
            .find(|u| u.external_id.as_deref() == Some(key))
            .map(|u| u.id.clone())
            .unwrap_or_default()
    };
    let grant = |read: &[String], write: &[String]| {
        Some(
            json!({"read": {"group_ids": [], "user_ids": [], "org_unit_ids": read},
                   "write": {"group_ids": [], "user_ids": [], "org_unit_ids": write}})
            .to_string(),
        )
    };
    let row =
        |id: &str, name: &str, description: &str, access_control: Option<String>| GuardrailRow {
            id: id.to_owned(),
            user_id: owner.to_owned(),
            name: name.to_owned(),
            description: Some(description.to_owned()),
            access_control,
            created_at: now,
            updated_at: now,
        };
    vec![
        row(
            "gr-pii",
            "PII redaction",
            "Redacts personal data in prompts",
            None,
        ),
        row(
            "gr-eng-secrets",
            "Engineering secrets",
            "Blocks credentials and internal host names",
            grant(&[unit("div-eng")], &[]),
        ),
        row(
            "gr-hr-confidential",
            "HR confidentiality",
            "Keeps salary and review data out of answers",
            grant(&[unit("dept-hr")], &[unit("dept-hr")]),
        ),
    ]
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Generates a hash once for a seed that needs one.
pub fn shared_hash(password: &str) -> Result<String, crate::errors::ApiFailure> {
    auth::hash_password(password)
}

/// The demo deployment's knowledge bases and files: three listed knowledge bases (one empty),
/// one that backs a project (hidden from the lists, as on the real server), files in them and
/// two uploaded to chats.
pub fn demo_knowledge(owner: &str, now: i64) -> (Vec<NewKnowledge>, Vec<NewFile>) {
    let base = |id: &str, name: &str, project: bool| NewKnowledge {
        id: id.to_owned(),
        user_id: owner.to_owned(),
        name: name.to_owned(),
        project,
        created_at: now,
    };
    let file = |id: &str, name: &str, kb: Option<&str>| NewFile {
        id: id.to_owned(),
        user_id: owner.to_owned(),
        filename: name.to_owned(),
        knowledge_id: kb.map(str::to_owned),
        created_at: now,
    };
    (
        vec![
            base("kb-policies", "HR Policies", false),
            base("kb-manuals", "Product Manuals", false),
            base("kb-empty", "Drafts", false),
            base("kb-project-launch", "[Project] Launch", true),
        ],
        vec![
            file("file-leave", "leave-policy.pdf", Some("kb-policies")),
            file("file-travel", "travel-policy.pdf", Some("kb-policies")),
            file("file-manual-a", "manual-a.pdf", Some("kb-manuals")),
            file("file-manual-b", "manual-b.pdf", Some("kb-manuals")),
            file("file-manual-c", "manual-c.pdf", Some("kb-manuals")),
            file("file-launch", "launch-plan.docx", Some("kb-project-launch")),
            file("file-chat-1", "notes.txt", None),
            file("file-chat-2", "screenshot.png", None),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_is_deterministic_unique_and_mixed() {
        let a = demo_people("h", 1_700_000_000, 1_736_000_000);
        let b = demo_people("h", 1_700_000_000, 1_736_000_000);
        assert_eq!(a.len(), DEMO_PEOPLE);
        assert_eq!(
            a.iter().map(|u| &u.email).collect::<Vec<_>>(),
            b.iter().map(|u| &u.email).collect::<Vec<_>>()
        );
        let emails: std::collections::HashSet<_> = a.iter().map(|u| &u.email).collect();
        assert_eq!(emails.len(), a.len(), "e-mails are unique");
        for role in ["admin", "user", "pending"] {
            assert!(a.iter().any(|u| u.role == role), "some {role}");
        }
        assert!(
            a.iter()
                .any(|u| u.name.chars().any(|c| ('가'..='힣').contains(&c))),
            "Korean names"
        );
        assert!(a.iter().any(|u| u.name.is_ascii()), "English names");
        assert!(
            a.windows(2).all(|w| w[0].created_at < w[1].created_at),
            "creation times are distinct and increasing"
        );
        assert!(a.iter().all(|u| u.last_active_at >= u.created_at));
    }

    #[test]
    fn demo_usage_has_today_agents_and_uncounted_rows_for_active_people_only() {
        let now = 1_736_000_000;
        let people = demo_people("h", 1_700_000_000, now);
        let usage = demo_usage(&people, now);
        let today = kst_day_start(now);
        assert!(usage.iter().any(|u| u.created_at >= today));
        assert!(usage.iter().all(|u| u.created_at <= now));
        assert!(usage.iter().any(|u| u.agent_id.is_some()));
        assert!(usage.iter().any(|u| u.message_type == "title_generation"));
        let pending: std::collections::HashSet<_> = people
            .iter()
            .filter(|p| p.role == "pending")
            .map(|p| &p.id)
            .collect();
        assert!(usage.iter().all(|u| !pending.contains(&u.user_id)));
    }
}
