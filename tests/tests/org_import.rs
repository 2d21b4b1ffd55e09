//! Organization imports against a sandbox process: the plan predicts what the server's upsert
//! engine does (a randomized property over trees and edits), and the apply refuses stale plans
//! and mass deletions before any write, keeps OU settings, and resumes after a failure.

use cloo_console::imports::ApplyPath;
use cloo_console::imports::{OrgApplyReport, OrgPlanDocument};
use cloo_console::{Console, ErrorCode, Observer, Target};
use cloo_domain::org::import_plan::{PlanOptions, shape};
use cloo_domain::synthetic::Rng;
use cloo_tests::SandboxProcess;
use serde_json::{Value, json};

async fn console(sandbox: &SandboxProcess) -> (Console, Target, tempfile::TempDir) {
    cloo_tests::direct_console(sandbox).await
}

/// Sets the sandbox's one-shot test faults (`/_sandbox/faults`).
async fn set_fault(sandbox: &SandboxProcess, faults: Value) {
    let token = sandbox.admin_token().await;
    reqwest::Client::new()
        .post(format!("{}/_sandbox/faults", sandbox.url))
        .bearer_auth(token.expose())
        .json(&faults)
        .send()
        .await
        .expect("fault set")
        .error_for_status()
        .expect("fault accepted");
}

fn quiet() -> Observer {
    Observer::quiet()
}

async fn plan(
    console: &Console,
    target: &Target,
    body: &Value,
    options: PlanOptions,
) -> OrgPlanDocument {
    let bytes = serde_json::to_vec(body).expect("json");
    console
        .imports()
        .plan_org(target, "test.json", &bytes, options, false)
        .await
        .expect("plan")
}

const TYPES: [&str; 3] = ["division", "team", "unit"];

/// A flat description of a tree: (key, parent index, name, type, members).
#[derive(Clone, Debug)]
struct Node {
    key: String,
    parent: Option<usize>,
    name: String,
    kind: Option<&'static str>,
    members: Vec<String>,
}

fn random_tree(rng: &mut Rng, emails: &[String], prefix: &str) -> Vec<Node> {
    let n = 3 + rng.below(14);
    let mut nodes: Vec<Node> = Vec::new();
    for i in 0..n {
        let parent = if i == 0 || rng.chance(30) {
            None
        } else {
            Some(rng.below(i))
        };
        nodes.push(Node {
            key: format!("{prefix}-{i}"),
            parent,
            name: format!("Unit {i}"),
            kind: Some(TYPES[rng.below(TYPES.len())]),
            members: (0..rng.below(3))
                .map(|_| emails[rng.below(emails.len())].clone())
                .collect(),
        });
    }
    nodes
}

/// Random edits: renames, moves (also to the top level), removals, new units, type changes.
fn random_edit(
    rng: &mut Rng,
    nodes: &[Node],
    emails: &[String],
    prefix: &str,
    round: usize,
) -> Vec<Node> {
    let mut out: Vec<Node> = nodes.to_vec();
    let mut removed = vec![false; out.len()];
    for i in 0..out.len() {
        match rng.below(8) {
            0 => out[i].name = format!("Renamed {i}.{round}"),
            1 => out[i].parent = None,
            2 if i > 0 => out[i].parent = Some(rng.below(i)),
            3 => removed[i] = true,
            4 => out[i].kind = Some(TYPES[rng.below(TYPES.len())]),
            5 => out[i].members = vec![emails[rng.below(emails.len())].clone()],
            _ => {}
        }
    }
    // Sometimes the file keeps one type only: units of the other types are then left in place,
    // and those under a deleted unit are orphaned.
    if rng.chance(25) {
        for node in &mut out {
            node.kind = Some(TYPES[0]);
        }
    }
    for _ in 0..rng.below(4) {
        let parent = if out.is_empty() || rng.chance(40) {
            None
        } else {
            Some(rng.below(out.len()))
        };
        out.push(Node {
            key: format!("{prefix}-new{round}-{}", out.len()),
            parent,
            name: "Fresh".into(),
            kind: Some(TYPES[rng.below(TYPES.len())]),
            members: Vec::new(),
        });
        removed.push(false);
    }
    // A removed unit takes its file subtree out with it (children nest inside it).
    let gone = |mut i: usize, out: &[Node]| loop {
        if removed[i] {
            return true;
        }
        match out[i].parent {
            Some(p) if p < i => i = p,
            _ => return false,
        }
    };
    let keep: Vec<bool> = (0..out.len()).map(|i| !gone(i, &out)).collect();
    let mut index = vec![None; out.len()];
    let mut kept = Vec::new();
    for (i, node) in out.iter().enumerate() {
        if keep[i] {
            let mut n = node.clone();
            n.parent = n.parent.and_then(|p| if p < i { index[p] } else { None });
            index[i] = Some(kept.len());
            kept.push(n);
        }
    }
    kept
}

/// `count` memberless teams keyed `{prefix}-{i}`: the first `roots` at the top, the rest spread
/// under them.
fn teams(prefix: &str, count: usize, roots: usize) -> Vec<Node> {
    (0..count)
        .map(|i| Node {
            key: format!("{prefix}-{i}"),
            parent: if i < roots { None } else { Some(i % roots) },
            name: format!("Unit {i}"),
            kind: Some("team"),
            members: Vec::new(),
        })
        .collect()
}

fn body(tenant: &str, nodes: &[Node]) -> Value {
    fn unit(i: usize, nodes: &[Node]) -> Value {
        let n = &nodes[i];
        let children: Vec<Value> = (0..nodes.len())
            .filter(|&c| nodes[c].parent == Some(i))
            .map(|c| unit(c, nodes))
            .collect();
        let members: Vec<Value> = n
            .members
            .iter()
            .map(|e| json!({"id": e, "name": e, "email": e, "job_title": ""}))
            .collect();
        let mut u =
            json!({"id": n.key, "name": n.name, "member_ids": [], "meta": {"members": members}});
        if let Some(k) = n.kind {
            u["type"] = json!(k);
        }
        if !children.is_empty() {
            u["children"] = json!(children);
        }
        u
    }
    let roots: Vec<Value> = (0..nodes.len())
        .filter(|&i| nodes[i].parent.is_none())
        .map(|i| unit(i, nodes))
        .collect();
    json!({"organization": {"tenant_id": tenant, "name": tenant}, "units": roots})
}

async fn apply(console: &Console, target: &Target, document: &OrgPlanDocument) -> OrgApplyReport {
    let allow = Some(document.plan.delete.len());
    console
        .imports()
        .apply_org(target, &document.id, allow, ApplyPath::Import, &quiet())
        .await
        .expect("apply")
}

#[tokio::test]
async fn for_random_trees_and_edits_the_tree_read_back_is_the_one_the_plan_predicted() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let (console, target, _dir) = console(&sandbox).await;
    let emails: Vec<String> = sandbox
        .client()
        .list_users(&sandbox.admin_token().await, None, None)
        .await
        .expect("users")
        .into_iter()
        .take(20)
        .map(|u| u.email)
        .chain(["nobody@nowhere.example".to_owned()])
        .collect();
    let cases = 24;
    // What the cases covered: (moves, deletes, fixups, left in place, orphaned, updates).
    let mut seen = [0usize; 6];
    for case in 0..cases {
        let seed = 0x9e37_79b9_7f4a_7c15_u64 ^ (case as u64 + 1).wrapping_mul(0x1000_0000_01b3);
        let mut rng = Rng::new(seed);
        let tenant = format!("prop-{case}");
        let mut nodes = random_tree(&mut rng, &emails, &tenant);
        for round in 0..3 {
            let document = plan(
                &console,
                &target,
                &body(&tenant, &nodes),
                PlanOptions::default(),
            )
            .await;
            let p = &document.plan;
            for (slot, n) in [
                p.moves.len(),
                p.delete.len(),
                p.fixups.len(),
                p.left_in_place.len(),
                p.orphaned.len(),
                p.update.len(),
            ]
            .into_iter()
            .enumerate()
            {
                seen[slot] += n;
            }
            let report = apply(&console, &target, &document).await;
            assert!(
                report.differences.is_empty(),
                "seed {seed:#x} round {round}: {:?}",
                report.differences
            );
            // The server's own counters agree with the simulation (a plan without changes is
            // not pushed at all).
            let Some(counters) = &report.counters else {
                assert!(
                    !document.plan.has_changes(),
                    "seed {seed:#x} round {round}: not pushed"
                );
                nodes = random_edit(&mut rng, &nodes, &emails, &tenant, round);
                continue;
            };
            let units = &counters["units"];
            let c = document.plan.server_counters;
            assert_eq!(
                (
                    units["created"].as_u64(),
                    units["updated"].as_u64(),
                    units["deleted"].as_u64()
                ),
                (
                    Some(c.created.into()),
                    Some(c.updated.into()),
                    Some(c.deleted.into())
                ),
                "seed {seed:#x} round {round}"
            );
            // Read back independently of the apply: equal to the prediction.
            let state = console
                .imports()
                .get_org_state(&target, &tenant)
                .await
                .expect("state");
            assert_eq!(
                shape(&state.units),
                document.plan.predicted,
                "seed {seed:#x} round {round}"
            );
            // The same file again is "no changes".
            let again = plan(
                &console,
                &target,
                &body(&tenant, &nodes),
                PlanOptions::default(),
            )
            .await;
            assert!(
                !again.plan.has_changes(),
                "seed {seed:#x} round {round}: {:#?}",
                again.plan
            );
            nodes = random_edit(&mut rng, &nodes, &emails, &tenant, round);
        }
    }
    // The generator really exercised every kind of change.
    assert!(
        seen.iter().all(|&n| n > 0),
        "moves, deletes, fixups, kept, orphaned, updates: {seen:?}"
    );
}

fn three_divisions(tenant: &str) -> Value {
    json!({"organization": {"tenant_id": tenant, "name": "Org"}, "units": [
        {"id": "eng", "name": "Engineering", "type": "division", "children": [
            {"id": "sre", "name": "SRE", "type": "team"}]},
        {"id": "biz", "name": "Business", "type": "division"},
        {"id": "ops", "name": "Operations", "type": "division"}]})
}

#[tokio::test]
async fn a_stale_plan_is_refused_before_any_write() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let (console, target, _dir) = console(&sandbox).await;
    let first = plan(
        &console,
        &target,
        &three_divisions("stale"),
        PlanOptions::default(),
    )
    .await;
    apply(&console, &target, &first).await;
    let mut edited = three_divisions("stale");
    edited["units"][1]["name"] = json!("Business & Sales");
    let document = plan(&console, &target, &edited, PlanOptions::default()).await;
    // Someone renames a unit in the meantime.
    let state = console
        .imports()
        .get_org_state(&target, "stale")
        .await
        .expect("state");
    let ops = state
        .units
        .iter()
        .find(|u| u.external_id.as_deref() == Some("ops"))
        .expect("ops");
    sandbox
        .client()
        .update_org_unit(
            &sandbox.admin_token().await,
            &ops.id,
            &json!({"name": "Ops (renamed by hand)"}),
        )
        .await
        .expect("rename");
    let before = console
        .imports()
        .get_org_state(&target, "stale")
        .await
        .expect("state");
    let err = console
        .imports()
        .apply_org(&target, &document.id, None, ApplyPath::Import, &quiet())
        .await
        .expect_err("stale");
    assert_eq!(err.code(), ErrorCode::StalePlan);
    assert!(
        err.to_string().contains("stale") && err.to_string().contains("ops"),
        "{err}"
    );
    let after = console
        .imports()
        .get_org_state(&target, "stale")
        .await
        .expect("state");
    assert_eq!(
        before.fingerprint(),
        after.fingerprint(),
        "nothing was written"
    );
}

#[tokio::test]
async fn too_many_deletions_stop_before_any_write_unless_allowed() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let (console, target, _dir) = console(&sandbox).await;
    let teams: Vec<Value> = (0..20)
        .map(|i| json!({"id": format!("t{i}"), "name": format!("Team {i}"), "type": "team"}))
        .collect();
    let full = json!({"organization": {"tenant_id": "mass", "name": "Mass"}, "units": teams});
    apply(
        &console,
        &target,
        &plan(&console, &target, &full, PlanOptions::default()).await,
    )
    .await;
    let mut fewer = full.clone();
    fewer["units"] = json!(full["units"].as_array().expect("units")[..15]);
    let document = plan(&console, &target, &fewer, PlanOptions::default()).await;
    assert_eq!(document.plan.delete.len(), 5);
    assert_eq!(document.plan.deletion_threshold(), 2, "10% of 20");
    let before = console
        .imports()
        .get_org_state(&target, "mass")
        .await
        .expect("state");
    for allowance in [None, Some(4)] {
        let err = console
            .imports()
            .apply_org(
                &target,
                &document.id,
                allowance,
                ApplyPath::Import,
                &quiet(),
            )
            .await
            .expect_err("refused");
        assert_eq!(err.code(), ErrorCode::DeletionThreshold);
        let view = err.view();
        assert_eq!((view.deletes, view.threshold), (Some(5), Some(2)), "{err}");
    }
    let after = console
        .imports()
        .get_org_state(&target, "mass")
        .await
        .expect("state");
    assert_eq!(
        before.fingerprint(),
        after.fingerprint(),
        "nothing was written"
    );
    let report = console
        .imports()
        .apply_org(&target, &document.id, Some(5), ApplyPath::Import, &quiet())
        .await
        .expect("allowed");
    assert!(report.differences.is_empty());
    assert_eq!(
        console
            .imports()
            .get_org_state(&target, "mass")
            .await
            .expect("state")
            .units
            .len(),
        15
    );
}

#[tokio::test]
async fn ou_settings_survive_a_re_import_unless_told_not_to() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let (console, target, _dir) = console(&sandbox).await;
    apply(
        &console,
        &target,
        &plan(
            &console,
            &target,
            &three_divisions("keep"),
            PlanOptions::default(),
        )
        .await,
    )
    .await;
    let token = sandbox.admin_token().await;
    let client = sandbox.client();
    let sre_id = |state: &cloo_domain::org::import_plan::OrgState| {
        state
            .units
            .iter()
            .find(|u| u.external_id.as_deref() == Some("sre"))
            .expect("sre")
            .id
            .clone()
    };
    let id = sre_id(
        &console
            .imports()
            .get_org_state(&target, "keep")
            .await
            .expect("state"),
    );
    client
        .set_org_unit_usage_limit(&token, &id, &json!({"gpt-4o": 5000}))
        .await
        .expect("limit");
    client
        .set_org_unit_guardrails(&token, &id, &["pii".to_owned()], false)
        .await
        .expect("guardrails");

    let again = plan(
        &console,
        &target,
        &three_divisions("keep"),
        PlanOptions::default(),
    )
    .await;
    assert!(
        !again.plan.has_changes(),
        "carried over, so nothing changes"
    );
    assert_eq!(again.plan.carried_settings.len(), 1);
    apply(&console, &target, &again).await;
    let limit = client
        .org_unit_usage_limit(&token, &id)
        .await
        .expect("limit");
    assert_eq!(limit["per_model"]["gpt-4o"], 5000);
    let guardrails = client
        .org_unit_guardrails(&token, &id)
        .await
        .expect("guardrails");
    assert_eq!(
        guardrails,
        json!({"guardrail_ids": ["pii"], "follow_global": false})
    );

    // Told not to carry them over, the import wipes them, as the plan says.
    let wipe = plan(
        &console,
        &target,
        &three_divisions("keep"),
        PlanOptions {
            carry_over_settings: false,
        },
    )
    .await;
    assert_eq!(wipe.plan.wiped_settings[0].key, "sre");
    apply(&console, &target, &wipe).await;
    let limit = client
        .org_unit_usage_limit(&token, &id)
        .await
        .expect("limit");
    assert_eq!(limit, json!({"per_model": {}}));
}

#[tokio::test]
async fn an_apply_interrupted_half_way_resumes_to_completion_without_duplicates() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let (console, target, _dir) = console(&sandbox).await;
    let units: Vec<Value> = (0..10)
        .map(|i| json!({"id": format!("u{i}"), "name": format!("Unit {i}"), "type": "team"}))
        .collect();
    let body = json!({"organization": {"tenant_id": "resume", "name": "Resume"}, "units": units});
    let document = plan(&console, &target, &body, PlanOptions::default()).await;
    // The server fails after 4 units, as a real one can: no transaction, no deletions.
    set_fault(&sandbox, json!({"import_fail_after_units": 4})).await;
    let err = console
        .imports()
        .apply_org(&target, &document.id, None, ApplyPath::Import, &quiet())
        .await
        .expect_err("interrupted");
    assert_eq!(err.code(), ErrorCode::Interrupted);
    let partial = err.view().partial.expect("what was applied");
    assert!(
        partial.applied.contains("4 of 10 planned units"),
        "{partial:?}"
    );
    assert!(
        partial.resume.contains("apply the same plan again"),
        "{partial:?}"
    );
    assert_eq!(
        console
            .imports()
            .get_org_state(&target, "resume")
            .await
            .expect("state")
            .units
            .len(),
        4
    );

    let report = console
        .imports()
        .apply_org(&target, &document.id, None, ApplyPath::Import, &quiet())
        .await
        .expect("resumed");
    assert!(report.resumed);
    assert!(report.differences.is_empty(), "{:?}", report.differences);
    let state = console
        .imports()
        .get_org_state(&target, "resume")
        .await
        .expect("state");
    assert_eq!(state.units.len(), 10, "no duplicates");
    // A third run finds nothing left to do.
    let again = console
        .imports()
        .apply_org(&target, &document.id, None, ApplyPath::Import, &quiet())
        .await
        .expect("again");
    assert!(again.already_applied);
}

#[tokio::test]
async fn a_demo_unit_shows_members_grants_and_takes_limits_and_guardrails() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let (console, target, _dir) = console(&sandbox).await;
    let (org, roots) = console
        .orgs()
        .tree(&target, Some("demo-corp"), None, None)
        .await
        .expect("tree");
    assert_eq!(org.units, 12);
    let labels: Vec<&str> = roots.iter().map(|n| n.label.as_str()).collect();
    assert_eq!(labels, vec!["Business", "Engineering"]);

    // A team inherits what its division was given; members resolve to demo users.
    let sre = console
        .orgs()
        .get_unit(&target, "team-sre", Some("demo-corp"))
        .await
        .expect("sre");
    assert_eq!(
        sre.path,
        vec!["Engineering", "Platform", "Site Reliability"]
    );
    assert!(
        !sre.members.is_empty() && sre.unmatched == 0,
        "{:?}",
        sre.members
    );
    let grant = sre
        .grants
        .iter()
        .find(|g| g.id == "gr-eng-secrets")
        .expect("the division's guardrail");
    assert!(grant.read && !grant.write && grant.inherited);
    assert!(!sre.grants.iter().any(|g| g.id == "gr-hr-confidential"));
    let hr = console
        .orgs()
        .get_unit(&target, "dept-hr", None)
        .await
        .expect("hr");
    let grant = hr
        .grants
        .iter()
        .find(|g| g.id == "gr-hr-confidential")
        .expect("direct");
    assert!(grant.read && grant.write && !grant.inherited);

    // Limits: one model added, the map kept whole; guardrails with inheritance turned off.
    let id = sre.unit["id"].as_str().expect("id").to_owned();
    console
        .orgs()
        .set_unit_limit(&target, &id, "gpt-4o", Some(20_000), &quiet())
        .await
        .expect("limit");
    let detail = console
        .orgs()
        .set_unit_limit(&target, &id, "solar-pro", Some(0), &quiet())
        .await
        .expect("limit");
    assert_eq!(
        detail.usage_limit,
        json!({"gpt-4o": 20_000, "solar-pro": 0})
    );
    let detail = console
        .orgs()
        .set_unit_guardrails(&target, &id, &["gr-pii".to_owned()], false, &quiet())
        .await
        .expect("guardrails");
    assert_eq!(
        (
            detail.guardrail_ids.as_slice(),
            detail.follow_global_guardrail
        ),
        (&["gr-pii".to_owned()][..], false)
    );
    let token = sandbox.admin_token().await;
    let stored = sandbox
        .client()
        .org_unit_guardrails(&token, &id)
        .await
        .expect("read back");
    assert_eq!(
        stored,
        json!({"guardrail_ids": ["gr-pii"], "follow_global": false})
    );
    assert!(
        console
            .orgs()
            .set_unit_limit(&target, &id, "gpt-4o", Some(-5), &quiet())
            .await
            .is_err()
    );
    // An id no guardrail has is refused before anything is sent (the server would store it).
    let refused = console
        .orgs()
        .set_unit_guardrails(&target, &id, &["gr-nonexistent".to_owned()], true, &quiet())
        .await
        .expect_err("unknown guardrail");
    assert_eq!(refused.view().field.as_deref(), Some("guardrail_ids"));
    let unchanged = sandbox
        .client()
        .org_unit_guardrails(&token, &id)
        .await
        .expect("read back");
    assert_eq!(unchanged, stored, "nothing was sent");
}

#[tokio::test]
async fn applying_a_plan_without_changes_writes_nothing() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let (console, target, _dir) = console(&sandbox).await;
    apply(
        &console,
        &target,
        &plan(
            &console,
            &target,
            &three_divisions("still"),
            PlanOptions::default(),
        )
        .await,
    )
    .await;
    let stamps = || async {
        let token = sandbox.admin_token().await;
        let org = sandbox
            .client()
            .organizations(&token)
            .await
            .expect("orgs")
            .into_iter()
            .find(|o| o.tenant_id == "still")
            .expect("org");
        let mut units: Vec<(String, i64)> = sandbox
            .client()
            .units_of_org(&token, &org.id)
            .await
            .expect("units")
            .into_iter()
            .map(|u| (u.id, u.updated_at))
            .collect();
        units.sort();
        (org.updated_at, units)
    };
    let before = stamps().await;
    // The server's clock is in seconds: a push now would move every stamp.
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let same = plan(
        &console,
        &target,
        &three_divisions("still"),
        PlanOptions::default(),
    )
    .await;
    assert!(!same.plan.has_changes());
    let report = apply(&console, &target, &same).await;
    assert_eq!(report.counters, None, "nothing was pushed");
    assert_eq!(stamps().await, before);
}

/// A unit as comparable facts: every stored field, with the parent's external key instead of its
/// database id.
fn facts(
    state: &cloo_domain::org::import_plan::OrgState,
) -> std::collections::BTreeMap<String, Value> {
    let key_of: std::collections::HashMap<&str, &str> = state
        .units
        .iter()
        .filter_map(|u| Some((u.id.as_str(), u.external_id.as_deref()?)))
        .collect();
    state
        .units
        .iter()
        .map(|u| {
            let parent = u
                .parent_id
                .as_deref()
                .filter(|p| !p.is_empty())
                .map(|p| key_of.get(p).copied().unwrap_or("dangling"));
            (
                u.external_id
                    .clone()
                    .unwrap_or_else(|| format!("id:{}", u.id)),
                json!({"name": u.name, "display_name": u.display_name, "description": u.description,
                       "type": u.kind, "level": u.level, "parent": parent,
                       "member_ids": u.member_ids, "meta": u.meta}),
            )
        })
        .collect()
}

#[tokio::test]
async fn unit_by_unit_and_the_whole_import_end_in_identical_organizations() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let (console, target, _dir) = console(&sandbox).await;
    let emails: Vec<String> = sandbox
        .client()
        .list_users(&sandbox.admin_token().await, None, None)
        .await
        .expect("users")
        .into_iter()
        .take(12)
        .map(|u| u.email)
        .collect();
    let mut per_unit_writes = 0;
    let mut import_units = 0;
    for case in 0..12u64 {
        let seed = 0x51_7cc1_b727_220a_u64 ^ (case + 1).wrapping_mul(0x9e37_79b9);
        let mut rng = Rng::new(seed);
        let prefix = format!("pu-{case}");
        let (a, b) = (format!("{prefix}-by-unit"), format!("{prefix}-by-import"));
        let mut nodes = random_tree(&mut rng, &emails, &prefix);
        for round in 0..4 {
            let mut reports = Vec::new();
            for (tenant, path) in [(&a, ApplyPath::PerUnit), (&b, ApplyPath::Import)] {
                let document = plan(
                    &console,
                    &target,
                    &body(tenant, &nodes),
                    PlanOptions::default(),
                )
                .await;
                let report = console
                    .imports()
                    .apply_org(
                        &target,
                        &document.id,
                        Some(document.plan.delete.len()),
                        path,
                        &quiet(),
                    )
                    .await
                    .unwrap_or_else(|e| panic!("seed {seed:#x} round {round} {path:?}: {e}"));
                assert!(
                    report.differences.is_empty(),
                    "seed {seed:#x} round {round} {path:?}: {:?}",
                    report.differences
                );
                if document.plan.has_changes() {
                    import_units += document.plan.predicted.len();
                }
                reports.push(report);
            }
            if !reports[0].path.is_empty() {
                assert_eq!(reports[0].path, "per_unit");
                per_unit_writes += reports[0].write_requests;
            }
            let state_a = console
                .imports()
                .get_org_state(&target, &a)
                .await
                .expect("a");
            let state_b = console
                .imports()
                .get_org_state(&target, &b)
                .await
                .expect("b");
            assert_eq!(
                facts(&state_a),
                facts(&state_b),
                "seed {seed:#x} round {round}"
            );
            nodes = random_edit(&mut rng, &nodes, &emails, &prefix, round);
        }
    }
    assert!(
        per_unit_writes > 0 && per_unit_writes < import_units,
        "{per_unit_writes} unit writes against {import_units} units re-imported"
    );
}

#[tokio::test]
async fn auto_chooses_unit_by_unit_for_a_small_change_to_a_large_organization() {
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let (console, target, _dir) = console(&sandbox).await;
    let nodes = teams("big", 300, 10);
    let first = plan(
        &console,
        &target,
        &body("big", &nodes),
        PlanOptions::default(),
    )
    .await;
    let report = console
        .imports()
        .apply_org(&target, &first.id, None, ApplyPath::Auto, &quiet())
        .await
        .expect("first apply");
    assert_eq!(
        report.path, "import",
        "a new organization is imported whole"
    );
    let mut edited = nodes.clone();
    edited[42].name = "Renamed".into();
    edited[77].parent = Some(3);
    let second = plan(
        &console,
        &target,
        &body("big", &edited),
        PlanOptions::default(),
    )
    .await;
    let report = console
        .imports()
        .apply_org(&target, &second.id, None, ApplyPath::Auto, &quiet())
        .await
        .expect("second apply");
    assert_eq!(report.path, "per_unit");
    assert_eq!(report.write_requests, 2);
    assert!(report.differences.is_empty(), "{:?}", report.differences);
}

#[tokio::test]
async fn a_unit_by_unit_apply_cut_short_says_what_it_wrote_and_resumes_with_the_rest() {
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let (console, target, _dir) = console(&sandbox).await;
    let nodes = teams("cut", 60, 6);
    let first = plan(
        &console,
        &target,
        &body("cut", &nodes),
        PlanOptions::default(),
    )
    .await;
    console
        .imports()
        .apply_org(&target, &first.id, None, ApplyPath::Import, &quiet())
        .await
        .expect("first apply");
    let mut edited = nodes.clone();
    for n in edited.iter_mut().skip(10).take(20) {
        n.name = format!("{} renamed", n.name);
    }
    let second = plan(
        &console,
        &target,
        &body("cut", &edited),
        PlanOptions::default(),
    )
    .await;
    assert_eq!(second.plan.update.len(), 20);

    // The server fails the eighth write, with writes still in flight around it.
    set_fault(&sandbox, json!({"unit_writes_fail_after": 7})).await;
    let err = console
        .imports()
        .apply_org(&target, &second.id, None, ApplyPath::PerUnit, &quiet())
        .await
        .expect_err("cut short");
    assert_eq!(err.code(), ErrorCode::Interrupted);
    let partial = err.view().partial.expect("what was written");
    let made: usize = partial
        .applied
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{partial:?}"));
    assert!(
        (7..20).contains(&made) && partial.applied.contains("of 20 unit writes"),
        "{partial:?}"
    );
    assert!(partial.resume.contains("apply the same plan again"));
    let renamed = |state: &cloo_domain::org::import_plan::OrgState| {
        state
            .units
            .iter()
            .filter(|u| u.name.ends_with("renamed"))
            .count()
    };
    let state = console
        .imports()
        .get_org_state(&target, "cut")
        .await
        .expect("state");
    assert_eq!(renamed(&state), made, "the message counts what was written");

    let report = console
        .imports()
        .apply_org(&target, &second.id, None, ApplyPath::PerUnit, &quiet())
        .await
        .expect("resumed");
    assert!(report.resumed);
    assert_eq!(report.write_requests, 20 - made, "only what was left");
    assert!(report.differences.is_empty(), "{:?}", report.differences);
    let state = console
        .imports()
        .get_org_state(&target, "cut")
        .await
        .expect("state");
    assert_eq!((renamed(&state), state.units.len()), (20, 60));
}

#[tokio::test]
async fn a_read_back_that_fails_after_the_push_says_the_import_was_made_and_a_rerun_finishes() {
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let (console, target, _dir) = console(&sandbox).await;
    let nodes = teams("late", 12, 3);
    let first = plan(
        &console,
        &target,
        &body("late", &nodes),
        PlanOptions::default(),
    )
    .await;
    // The apply's check reads the units once; the read after the push is the one that fails.
    set_fault(&sandbox, json!({"unit_lists_fail_after": 1})).await;
    let err = console
        .imports()
        .apply_org(&target, &first.id, None, ApplyPath::Import, &quiet())
        .await
        .expect_err("the read-back fails");
    assert_eq!(err.code(), ErrorCode::Interrupted);
    let partial = err.view().partial.expect("what was written");
    assert!(
        partial.applied.starts_with("the import was pushed"),
        "{partial:?}"
    );
    assert!(partial.resume.contains("apply the same plan again"));
    let state = console
        .imports()
        .get_org_state(&target, "late")
        .await
        .expect("state");
    assert_eq!(state.units.len(), 12, "the push did land");

    let report = console
        .imports()
        .apply_org(&target, &first.id, None, ApplyPath::Auto, &quiet())
        .await
        .expect("finished");
    assert!(report.resumed);
    assert!(report.differences.is_empty(), "{:?}", report.differences);
}
