//! Validate + plan an organization import of 20,000 units and 200,000 members, with the
//! organization's current state (19,800 of those units, some renamed or moved, some gone from
//! the file) and a 100,000-person directory already loaded. Baseline: serde_json alone parsing
//! the same file into a `Value`. Loading the state (parsing the server's unit list and indexing
//! the directory) is measured separately.
//!
//! Run: `cargo bench -p cloo-domain --bench org_import` (`./dev bench` runs it too).

use cloo_domain::org::import_file::{validate_import, validate_import_with};
use cloo_domain::org::import_plan::{
    OrgState, People, PlanOptions, StoredOrg, StoredUnit, plan_import,
};
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};
use std::hint::black_box;
use std::time::Duration;

const DIVISIONS: usize = 20;
const DEPARTMENTS: usize = 50;
const TEAMS: usize = 19;
const MEMBERS_PER_TEAM: usize = 11;

fn email(i: usize) -> String {
    format!("person{i}@corp.example.com")
}

/// The file: 20 divisions › 50 departments › 19 teams = 19,000 teams + 1,000 + 20 = 20,020 units,
/// 11 members per team: 209,000 members.
fn file() -> (Vec<u8>, usize, usize) {
    let mut person = 0;
    let mut units = 0;
    let mut members = 0;
    let divisions: Vec<Value> = (0..DIVISIONS)
        .map(|d| {
            units += 1;
            let departments: Vec<Value> = (0..DEPARTMENTS)
                .map(|p| {
                    units += 1;
                    let teams: Vec<Value> = (0..TEAMS)
                        .map(|t| {
                            units += 1;
                            let people: Vec<Value> = (0..MEMBERS_PER_TEAM)
                                .map(|_| {
                                    person += 1;
                                    members += 1;
                                    json!({"id": format!("p{person}"), "name": format!("Person {person}"),
                                           "email": email(person % 100_000), "job_title": "Engineer"})
                                })
                                .collect();
                            json!({"id": format!("t-{d}-{p}-{t}"), "name": format!("Team {d}.{p}.{t}"),
                                   "type": "team", "member_ids": [], "meta": {"members": people}})
                        })
                        .collect();
                    json!({"id": format!("p-{d}-{p}"), "name": format!("Department {d}.{p}"),
                           "type": "department", "children": teams})
                })
                .collect();
            json!({"id": format!("d-{d}"), "name": format!("Division {d}"), "type": "division",
                   "children": departments})
        })
        .collect();
    let body = json!({"organization": {"tenant_id": "corp", "name": "Corp"}, "units": divisions});
    (serde_json::to_vec(&body).expect("json"), units, members)
}

/// What the server holds, as its unit list: the previous import of the same file (members and
/// all), with every 50th unit renamed, every 97th team under another department, OU limits on
/// every 10th unit (carried over), and 200 teams the new file no longer has.
fn state_json(file: &[u8]) -> Vec<u8> {
    let body: Value = serde_json::from_slice(file).expect("json");
    let mut units = Vec::new();
    fn walk(node: &Value, parent: Option<String>, level: i64, units: &mut Vec<Value>) {
        let id = format!("{:08x}-0000-4000-8000-000000000000", units.len());
        let n = units.len();
        let mut meta = node.get("meta").cloned().unwrap_or(json!({}));
        if n.is_multiple_of(10) {
            meta["usage_limit"] = json!({"per_model": {"gpt-4o": 50_000}});
        }
        let name = if n.is_multiple_of(50) {
            format!("Old name {n}")
        } else {
            node["name"].as_str().unwrap_or_default().to_owned()
        };
        units.push(
            json!({"id": id, "organization_id": "o", "parent_id": parent, "name": name,
                          "level": level, "type": node["type"], "external_id": node["id"],
                          "member_ids": [], "meta": meta}),
        );
        for child in node
            .get("children")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            walk(child, Some(id.clone()), level + 1, units);
        }
    }
    for division in body["units"].as_array().expect("units") {
        walk(division, None, 0, &mut units);
    }
    // Every 97th team sits under the department before its own.
    let departments: Vec<String> = units
        .iter()
        .filter(|u| u["type"] == "department")
        .map(|u| u["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    for (n, unit) in units.iter_mut().enumerate() {
        if unit["type"] == "team" && n.is_multiple_of(97) {
            unit["parent_id"] = json!(departments[n % departments.len()]);
        }
    }
    for (g, department) in departments.iter().take(200).enumerate() {
        units.push(
            json!({"id": format!("gone-{g}"), "organization_id": "o", "parent_id": department,
                          "name": format!("Disbanded {g}"), "level": 2, "type": "team",
                          "external_id": format!("gone-{g}"), "member_ids": [], "meta": {}}),
        );
    }
    serde_json::to_vec(&units).expect("json")
}

fn load_state(units: &[u8]) -> (OrgState, People) {
    let units: Vec<StoredUnit> = serde_json::from_slice(units).expect("units");
    let state = OrgState::new(
        Some(StoredOrg {
            id: "o".into(),
            tenant_id: "corp".into(),
            name: "Corp".into(),
            display_name: None,
            domain: None,
            meta: Some(json!({})),
        }),
        units,
    );
    state.prepare();
    let emails: Vec<String> = (0..100_000).map(email).collect();
    let people = People::new(emails.iter().map(|e| (e.as_str(), None)));
    (state, people)
}

fn import(c: &mut Criterion) {
    let (bytes, units, members) = file();
    let state_bytes = state_json(&bytes);
    println!(
        "generated: {units} units, {members} members, {:.1} MB file; state {:.1} MB",
        bytes.len() as f64 / 1e6,
        state_bytes.len() as f64 / 1e6
    );
    let (state, people) = load_state(&state_bytes);
    let planned = plan_import(
        validate_import(&bytes).file.expect("valid"),
        &state,
        Some(&people),
        PlanOptions::default(),
    )
    .plan;
    println!(
        "plan: {} create, {} update, {} move, {} delete, {} fixups, {} carried",
        planned.create.len(),
        planned.update.len(),
        planned.moves.len(),
        planned.delete.len(),
        planned.fixups.len(),
        planned.carried_settings.len()
    );
    let mut g = c.benchmark_group("org_import");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("baseline_serde_json_parse", |b| {
        b.iter(|| black_box(serde_json::from_slice::<Value>(black_box(&bytes)).expect("json")))
    });
    g.bench_function("validate_and_plan", |b| {
        b.iter(|| {
            let validated = validate_import_with(black_box(&bytes), Some(&people));
            let file = validated.file.expect("valid");
            black_box(plan_import(
                file,
                &state,
                Some(&people),
                PlanOptions::default(),
            ))
        })
    });
    g.bench_function("validate_only", |b| {
        b.iter(|| black_box(validate_import(black_box(&bytes))))
    });
    g.bench_function("load_current_state", |b| {
        b.iter(|| black_box(load_state(black_box(&state_bytes))))
    });
    g.finish();
}

criterion_group!(benches, import);
criterion_main!(benches);
