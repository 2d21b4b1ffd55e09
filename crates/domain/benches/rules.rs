//! The rules engine at deployment scale: 100,000 users, 20,000 OUs six levels deep, 2,000
//! groups, 10,000 resources (`cloo_domain::synthetic`).
//!
//! (a) everything one user can read and write, (b) everyone who can write one resource,
//! (c) effective limits of all users for one model, (d) effective feature permissions of all
//! users. Each is paired with a baseline measured in the same run — the least work any answer
//! must do (one pass over the same records) — so figures can be read as ratios.
//!
//! Run: `cargo bench -p cloo-domain --bench rules`; `./dev bench` adds the ratio table.

use cloo_domain::deployment::{DeploymentRules, ResourceIx, UserIx};
use cloo_domain::synthetic::{LIMITED_MODEL, SyntheticSpec, generate};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Instant;

fn rules(c: &mut Criterion) {
    let started = Instant::now();
    let mut data = generate(SyntheticSpec::benchmark());
    // The widest case for (b): write shared with a root unit (a quarter of the directory).
    data.resources
        .push(cloo_domain::deployment::ResourceRecord {
            id: "res-wide".into(),
            kind: "knowledge".into(),
            name: "Company handbook".into(),
            owner_id: "user-1".into(),
            access: cloo_domain::access::AccessControl::from_json(&serde_json::json!({
                "write": {"org_unit_ids": ["ou-0"], "group_ids": ["group-1", "group-2"]}
            })),
        });
    let wide = (data.resources.len() - 1) as ResourceIx;
    let generated = started.elapsed();
    let rules = DeploymentRules::new(data);
    eprintln!(
        "generated in {generated:?}, indexed in {:?}",
        started.elapsed() - generated
    );

    // A user with a typical footprint: in several groups and a deep unit.
    let user: UserIx = (0..rules.data().users.len() as UserIx)
        .find(|&u| {
            !rules.data().users[u as usize].role.is_admin()
                && rules.memberships(u).groups.len() >= 3
        })
        .unwrap_or(1);
    // A resource whose write list names both groups and units.
    let resource: ResourceIx = (0..rules.data().resources.len() as ResourceIx)
        .find(|&r| {
            rules.data().resources[r as usize]
                .access
                .write_grants()
                .is_some_and(|w| !w.group_ids.is_empty() && !w.org_unit_ids.is_empty())
        })
        .unwrap_or(0);
    eprintln!(
        "user {user}: {} readable resources; resource {resource}: {} writers; wide resource: {} writers",
        rules.resources_for(user).len(),
        rules.writers(resource).len(),
        rules.writers(wide).len()
    );

    let mut g = c.benchmark_group("rules");
    g.sample_size(20);
    g.bench_function("a_user_resources", |b| {
        b.iter(|| black_box(rules.resources_for(black_box(user))))
    });
    g.bench_function("a_baseline_scan_resources", |b| {
        b.iter(|| {
            black_box(
                rules
                    .data()
                    .resources
                    .iter()
                    .filter(|r| r.owner_id.len() > 4)
                    .count(),
            )
        })
    });
    g.bench_function("b_resource_writers", |b| {
        b.iter(|| black_box(rules.writers(black_box(resource))))
    });
    g.bench_function("b_wide_resource_writers", |b| {
        b.iter(|| black_box(rules.writers(black_box(wide))))
    });
    g.bench_function("b_baseline_scan_users", |b| {
        b.iter(|| {
            black_box(
                rules
                    .data()
                    .users
                    .iter()
                    .filter(|u| u.role.is_admin())
                    .count(),
            )
        })
    });
    g.sample_size(10);
    g.bench_function("c_limits_all_users", |b| {
        b.iter(|| black_box(rules.limits_for_model(black_box(LIMITED_MODEL))))
    });
    g.bench_function("c_baseline_read_user_limits", |b| {
        b.iter(|| {
            black_box(
                rules
                    .data()
                    .users
                    .iter()
                    .filter(|u| u.limits.contains_key(LIMITED_MODEL))
                    .count(),
            )
        })
    });
    g.bench_function("d_permissions_all_users", |b| {
        b.iter(|| black_box(rules.permission_census(black_box("workspace.knowledge"))))
    });
    g.bench_function("d_baseline_clone_defaults", |b| {
        b.iter(|| {
            let base = rules
                .data()
                .stored_defaults
                .as_ref()
                .unwrap_or(&rules.data().builtin);
            black_box(
                (0..rules.data().users.len())
                    .filter(|_| !black_box(base.clone()).is_empty())
                    .count(),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, rules);
criterion_main!(benches);
