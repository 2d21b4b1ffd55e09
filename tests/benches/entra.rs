//! The Entra benchmark of issue 10, as a figure table (`./dev bench`): a 100,000-user /
//! 5,000-group / 300-administrative-unit / 800-department tenant served by the Graph test server,
//! and two sandbox processes.
//!
//! (a) a full read + plan: time, Graph requests, peak memory, against a baseline measured in the
//!     same run (downloading the same pages without reading them);
//! (b) a delta read + plan after 1% of users and groups changed, against (a);
//! (c) the apply of (b) unit by unit against a whole re-import of the same plan on the sandbox;
//! (c') the same for a change that touches 1% of the units (a department move touches two
//!      department units per person, so (b) touches about 10% of them).
//! Also the read's resource units and what they take at Graph's published limit for a large
//! tenant (8,000 resource units per 10 s per app and tenant).

use cloo_console::entra::{EntraPlanRequest, ProfileInput, SignInInput};
use cloo_console::imports::{ApplyPath, OrgApplyReport};
use cloo_console::{Console, Observer, Target};
use cloo_domain::Secret;
use cloo_entra::build::{BuildMode, BuildOptions};
use cloo_tests::SandboxProcess;
use cloo_tests::graph::{App, GraphServer, Tenant, TenantSpec};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CLIENT_ID: &str = "bbbbbbbb-1111-2222-3333-444444444444";
const SECRET: &str = "bench-secret";

fn kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

/// Resets the peak-RSS mark (Linux), so the next peak belongs to what follows.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

async fn set_profile(
    console: &Console,
    target: &Target,
    server: &GraphServer,
    options: &BuildOptions,
) {
    console
        .entra()
        .set_profile(
            target,
            ProfileInput {
                entra_tenant: server.tenant_id(),
                client_id: CLIENT_ID.into(),
                sign_in: SignInInput::ClientSecret(Secret::new(SECRET)),
                authority: Some(server.authority()),
                graph_url: Some(server.graph_url()),
                options: options.clone(),
            },
        )
        .await
        .expect("profile");
}

/// Downloads every page a full read needs, as bytes, with the reader's concurrency: the floor.
async fn baseline_download(server: &GraphServer, tenant: &Tenant) -> (Duration, usize) {
    let http = reqwest::Client::new();
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", CLIENT_ID),
        ("client_secret", SECRET),
        ("scope", &format!("{}/.default", server.authority())),
    ];
    let token: serde_json::Value = http
        .post(format!(
            "{}/{}/oauth2/v2.0/token",
            server.authority(),
            server.tenant_id()
        ))
        .form(&form)
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let token = token["access_token"].as_str().expect("token").to_owned();
    let started = Instant::now();
    let graph = server.graph_url();
    let mut firsts = vec![
        format!(
            "{graph}/users?$select=id,displayName,mail,userPrincipalName,department,jobTitle,companyName,accountEnabled,userType&$top=999"
        ),
        format!(
            "{graph}/groups?$select=id,displayName,description,groupTypes,membershipRule&$top=999"
        ),
        format!(
            "{graph}/directory/administrativeUnits?$select=id,displayName,description,membershipType&$top=999"
        ),
    ];
    firsts.extend(tenant.groups.iter().map(|g| {
        format!(
            "{graph}/groups/{}/members?$select=id&$top=999",
            g["id"].as_str().unwrap_or_default()
        )
    }));
    firsts.extend(tenant.admin_units.iter().map(|a| {
        format!(
            "{graph}/directory/administrativeUnits/{}/members?$select=id&$top=999",
            a["id"].as_str().unwrap_or_default()
        )
    }));
    let gate = Arc::new(tokio::sync::Semaphore::new(4));
    let mut tasks = tokio::task::JoinSet::new();
    for first in firsts {
        let (http, token, gate) = (http.clone(), token.clone(), gate.clone());
        tasks.spawn(async move {
            let mut next = Some(first);
            let mut n = 0;
            while let Some(url) = next {
                let _permit = gate.acquire().await.expect("gate");
                let body = http
                    .get(&url)
                    .bearer_auth(&token)
                    .send()
                    .await
                    .expect("get")
                    .text()
                    .await
                    .expect("body");
                n += 1;
                next = body
                    .split("\"@odata.nextLink\":\"")
                    .nth(1)
                    .and_then(|r| r.split('"').next())
                    .map(str::to_owned);
            }
            n
        });
    }
    let mut requests = 0;
    while let Some(n) = tasks.join_next().await {
        requests += n.expect("task");
    }
    (started.elapsed(), requests)
}

/// Applies the same change to the two sandboxes, unit by unit on the first and as a whole
/// re-import on the second; both must end as planned. The two reports and the two times.
async fn apply_both_ways(
    sandboxes: [(&Console, &Target); 2],
    plans: [&cloo_console::entra::EntraPlan; 2],
) -> ([OrgApplyReport; 2], Duration, Duration) {
    let mut reports = Vec::new();
    let mut times = Vec::new();
    for ((console, target), (plan, path)) in sandboxes.into_iter().zip(
        plans
            .into_iter()
            .zip([ApplyPath::PerUnit, ApplyPath::Import]),
    ) {
        let started = Instant::now();
        let report = console
            .entra()
            .apply(target, &plan.document.id, None, path, &Observer::quiet())
            .await
            .expect("apply");
        times.push(started.elapsed());
        assert!(report.differences.is_empty(), "{:?}", report.differences);
        reports.push(report);
    }
    let import = reports.pop().expect("two");
    let unit = reports.pop().expect("two");
    ([unit, import], times[0], times[1])
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run());
}

async fn run() {
    let spec = TenantSpec {
        users: 100_000,
        groups: 5_000,
        admin_units: 300,
        departments: 800,
        seed: 7,
    };
    let generated = Instant::now();
    let tenant = Tenant::generate(spec);
    eprintln!(
        "generated the tenant in {:.1} s",
        generated.elapsed().as_secs_f64()
    );
    let app = App {
        client_id: CLIENT_ID.into(),
        client_secret: SECRET.into(),
        certificate_public_key_pem: None,
        certificate_thumbprint: None,
    };
    let server = GraphServer::start(tenant.clone(), app)
        .await
        .expect("graph");
    let options = BuildOptions {
        admin_units: true,
        groups: true,
        departments: true,
        ..BuildOptions::default()
    };
    let by_unit = SandboxProcess::start(&[]).expect("sandbox");
    let by_import = SandboxProcess::start(&[]).expect("sandbox");
    let (console_a, target_a, _dir_a) = cloo_tests::direct_console(&by_unit).await;
    let (console_b, target_b, _dir_b) = cloo_tests::direct_console(&by_import).await;
    set_profile(&console_a, &target_a, &server, &options).await;
    set_profile(&console_b, &target_b, &server, &options).await;
    let quiet = Observer::quiet();

    let (base_time, base_requests) = baseline_download(&server, &tenant).await;
    eprintln!("baseline: {base_time:?}, {base_requests} requests");

    reset_peak();
    let before = kib("VmRSS:");
    let full = EntraPlanRequest {
        mode: BuildMode::Recommended,
        full: true,
        ..EntraPlanRequest::default()
    };
    let started = Instant::now();
    let plan_a = console_a
        .entra()
        .plan(&target_a, &full, &quiet, None)
        .await
        .expect("full plan");
    let full_time = started.elapsed();
    let peak = kib("VmHWM:").saturating_sub(before);
    let plan_b = console_b
        .entra()
        .plan(&target_b, &full, &quiet, None)
        .await
        .expect("full plan b");
    for (console, target, plan) in [
        (&console_a, &target_a, &plan_a),
        (&console_b, &target_b, &plan_b),
    ] {
        console
            .entra()
            .apply(target, &plan.document.id, None, ApplyPath::Import, &quiet)
            .await
            .expect("first import");
    }

    eprintln!("applied the first imports");
    // 1% of users and groups change.
    let departments: Vec<String> = tenant
        .users
        .iter()
        .filter_map(|u| u["department"].as_str())
        .filter(|d| !d.is_empty())
        .take(50)
        .map(str::to_owned)
        .collect();
    for (i, u) in tenant.users.iter().step_by(100).enumerate() {
        server.set_department(
            u["id"].as_str().expect("id"),
            Some(&departments[i % departments.len()]),
        );
    }
    for (i, g) in tenant.groups.iter().step_by(100).enumerate() {
        let id = g["id"].as_str().expect("id");
        server.add_member(id, tenant.users[i * 7]["id"].as_str().expect("id"));
        if let Some((first, _)) = tenant.members.get(id).and_then(|m| m.first()) {
            server.remove_member(id, first);
        }
    }

    let delta = EntraPlanRequest {
        mode: BuildMode::Recommended,
        ..EntraPlanRequest::default()
    };
    let started = Instant::now();
    let delta_a = console_a
        .entra()
        .plan(&target_a, &delta, &quiet, None)
        .await
        .expect("delta plan");
    let delta_time = started.elapsed();
    let delta_b = console_b
        .entra()
        .plan(&target_b, &delta, &quiet, None)
        .await
        .expect("delta plan b");
    assert_eq!(delta_a.read.kind, "delta");
    let both = [(&console_a, &target_a), (&console_b, &target_b)];
    let ([unit, import], unit_time, import_time) =
        apply_both_ways(both, [&delta_a, &delta_b]).await;

    // (c') a change that touches 1% of the units: members of 60 groups, no one moving department
    // (a department move changes two department units per person, so (b) touches ~10% of them).
    for (i, g) in tenant
        .groups
        .iter()
        .skip(1)
        .step_by(83)
        .take(60)
        .enumerate()
    {
        let id = g["id"].as_str().expect("id");
        server.add_member(id, tenant.users[50_000 + i]["id"].as_str().expect("id"));
    }
    let small_a = console_a
        .entra()
        .plan(&target_a, &delta, &quiet, None)
        .await
        .expect("small plan");
    let small_b = console_b
        .entra()
        .plan(&target_b, &delta, &quiet, None)
        .await
        .expect("small plan b");
    let small_units = small_a.document.plan.update.len() + small_a.document.plan.create.len();
    let ([small_unit, _], small_unit_time, small_import_time) =
        apply_both_ways(both, [&small_a, &small_b]).await;

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let units = plan_a.document.plan.predicted.len();
    println!(
        "tenant: {} users, {} groups, {} administrative units, {} units planned",
        spec.users, spec.groups, spec.admin_units, units
    );
    println!();
    println!("| figure | value | aim | baseline | ratio |");
    println!("| --- | ---: | ---: | --- | ---: |");
    println!(
        "| (a) full read + plan | {:.0} ms, {} Graph requests, peak +{} MB | < 10 s, < 300 MB | the same pages downloaded unread: {:.0} ms, {} requests | {:.2}× |",
        ms(full_time),
        plan_a.graph.requests,
        peak / 1024,
        ms(base_time),
        base_requests,
        ms(full_time) / ms(base_time)
    );
    println!(
        "| (b) delta read + plan, 1% changed | {:.0} ms, {} Graph requests | < 1 s | (a) | {:.3}× |",
        ms(delta_time),
        delta_a.graph.requests,
        ms(delta_time) / ms(full_time)
    );
    println!(
        "| (c) apply of (b), unit by unit | {:.0} ms, {} write requests | ≥ 20× faster | whole re-import: {:.0} ms | {:.1}× faster |",
        ms(unit_time),
        unit.write_requests,
        ms(import_time),
        ms(import_time) / ms(unit_time)
    );
    println!(
        "| (c') apply of a change to {} units (1%), unit by unit | {:.0} ms, {} write requests | | whole re-import: {:.0} ms | {:.1}× faster |",
        small_units,
        ms(small_unit_time),
        small_unit.write_requests,
        ms(small_import_time),
        ms(small_import_time) / ms(small_unit_time)
    );
    let phases = |timings: &std::collections::BTreeMap<String, u64>| {
        timings
            .iter()
            .map(|(phase, ms)| format!("{phase} {ms} ms"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!("| phases of (a) | {} | | | |", phases(&plan_a.timings));
    println!("| phases of (b) | {} | | | |", phases(&delta_a.timings));
    println!(
        "| phases of (c), unit by unit | {} | | | |",
        phases(&unit.timings)
    );
    println!(
        "| phases of (c), re-import | {} | | | |",
        phases(&import.timings)
    );
    println!(
        "| phases of (c'), unit by unit | {} | | | |",
        phases(&small_unit.timings)
    );
    let ru = plan_a.graph.resource_units;
    println!(
        "| resource units of (a) | {ru} | | at 8,000 RU per 10 s: {:.1} s | |",
        ru as f64 / 800.0
    );
}
