//! `clooctl entra …` end to end: the real binary and keychain, a sandbox process, and the
//! Graph-compatible test server; each sign-in, plans in both ways, apply, staging, the deletion
//! threshold in `sync`, a failing Graph read, and the history.

use base64::Engine;
use cloo_tests::graph::{App, FaultKind, GraphServer, Tenant, TenantSpec};
use cloo_tests::{Clooctl, SandboxProcess};
use serde_json::{Value, json};
use sha2::Digest;
use std::collections::HashSet;

const CLIENT_ID: &str = "0a0a0a0a-1111-2222-3333-444444444444";
const SECRET: &str = "cli-entra-secret~1";

fn app(cert: Option<(&str, &str)>) -> App {
    App {
        client_id: CLIENT_ID.into(),
        client_secret: SECRET.into(),
        certificate_public_key_pem: cert.map(|c| c.0.to_owned()),
        certificate_thumbprint: cert.map(|c| c.1.to_owned()),
    }
}

async fn admin_call(
    sandbox: &SandboxProcess,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Value {
    let token = sandbox.admin_token().await;
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", sandbox.url))
        .bearer_auth(token.expose());
    if let Some(b) = body {
        request = request.json(&b);
    }
    request
        .send()
        .await
        .expect("call")
        .json()
        .await
        .expect("json")
}

async fn units_of(sandbox: &SandboxProcess, tenant_id: &str) -> Vec<Value> {
    let orgs = admin_call(
        sandbox,
        reqwest::Method::GET,
        "/api/v1/organizations/",
        None,
    )
    .await;
    let Some(org) = orgs
        .as_array()
        .and_then(|a| a.iter().find(|o| o["tenant_id"] == tenant_id))
    else {
        return Vec::new();
    };
    let path = format!(
        "/api/v1/organizations/{}/units",
        org["id"].as_str().expect("id")
    );
    admin_call(sandbox, reqwest::Method::GET, &path, None)
        .await
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn profile_args<'a>(server_args: &'a [String; 3], extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "--tenant",
        "t1",
        "entra",
        "profile",
        "set",
        "--tenant-id",
        &server_args[0],
        "--client-id",
        CLIENT_ID,
        "--authority",
        &server_args[1],
        "--graph-url",
        &server_args[2],
    ];
    args.extend_from_slice(extra);
    args
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_through_clooctl_plans_applies_refuses_mass_deletion_and_keeps_history() {
    let tenant = Tenant::generate(TenantSpec::small(21));
    let tenant_id = tenant.tenant_id();
    let server = GraphServer::start(tenant.clone(), app(None))
        .await
        .expect("graph");
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    // A third of the directory has signed in to the deployment with Microsoft.
    let signed_in: Vec<Value> = tenant
        .users
        .iter()
        .step_by(3)
        .map(|u| {
            let email = u["mail"]
                .as_str()
                .or(u["userPrincipalName"].as_str())
                .unwrap_or_default();
            json!({"email": email, "name": u["displayName"], "oid": u["id"]})
        })
        .collect();
    admin_call(
        &sandbox,
        reqwest::Method::POST,
        "/_sandbox/microsoft_sign_ins",
        Some(json!({"users": signed_in})),
    )
    .await;
    let subs: HashSet<String> = signed_in
        .iter()
        .map(|u| format!("microsoft@sub-{}", u["oid"].as_str().unwrap_or_default()))
        .collect();

    let cli = Clooctl::new("cli-entra");
    let added = cli.add_tenant(&sandbox, "t1", &[]);
    assert_eq!(added.code, 0, "{}", added.stderr);
    let urls = [tenant_id.clone(), server.authority(), server.graph_url()];

    // A URL that is neither https nor loopback is refused, naming the field.
    let bad = cli.run(
        &[
            "-o",
            "json",
            "--tenant",
            "t1",
            "entra",
            "profile",
            "set",
            "--tenant-id",
            &tenant_id,
            "--client-id",
            CLIENT_ID,
            "--client-secret-stdin",
            "--authority",
            "http://login.example.com",
        ],
        &format!("{SECRET}\n"),
    );
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    let error: Value = serde_json::from_str(bad.stderr.trim()).expect("JSON error");
    assert_eq!(error["error"]["code"], "validation");
    assert_eq!(error["error"]["field"], "authority");

    let set = cli.run(
        &profile_args(
            &urls,
            &[
                "--client-secret-stdin",
                "--groups",
                "on",
                "--departments",
                "on",
            ],
        ),
        &format!("{SECRET}\n"),
    );
    assert_eq!(set.code, 0, "{}", set.stderr);
    let shown = cli.run(
        &["-o", "json", "--tenant", "t1", "entra", "profile", "show"],
        "",
    );
    assert_eq!(shown.json()["method"], "client_secret");
    assert_eq!(shown.json()["secret_kept"], true);
    assert_eq!(shown.json()["groups"], true);
    assert!(!shown.stdout.contains(SECRET) && !set.stdout.contains(SECRET));

    let test = cli.run(&["--tenant", "t1", "entra", "test"], "");
    assert_eq!(test.code, 0, "{}", test.stderr);
    assert!(test.stdout.contains(&tenant_id), "{}", test.stdout);

    // Plan the recommended way; the parity difference is stated.
    let plan_file = cli.data_dir().join("entra-plan.json");
    let plan = cli.run(
        &[
            "-o",
            "json",
            "--tenant",
            "t1",
            "entra",
            "plan",
            "--mode",
            "recommended",
            "--out",
            plan_file.to_str().expect("path"),
        ],
        "",
    );
    assert_eq!(plan.code, 1, "changes: {}", plan.stderr);
    let planned = plan.json();
    assert!(planned["create"].as_array().expect("create").len() > 40);
    assert!(planned["delete"].as_array().expect("delete").is_empty());
    assert_eq!(planned["entra"]["mode"], "recommended");
    assert_eq!(planned["entra"]["other_way"]["other"], "parity");
    assert!(
        planned["entra"]["counts"]["members_matched"]
            .as_u64()
            .expect("n")
            > 0
    );
    assert!(planned["entra"]["graph"]["requests"].as_u64().expect("n") > 40);
    assert!(
        units_of(&sandbox, &tenant_id).await.is_empty(),
        "planning writes nothing"
    );

    let apply = cli.run(
        &[
            "--tenant",
            "t1",
            "entra",
            "apply",
            plan_file.to_str().expect("path"),
        ],
        "",
    );
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    let units = units_of(&sandbox, &tenant_id).await;
    assert_eq!(
        units.len(),
        planned["create"].as_array().expect("create").len()
    );
    let mut members = 0;
    for u in &units {
        for m in u["member_ids"].as_array().expect("ids") {
            assert!(
                subs.contains(m.as_str().unwrap_or_default()),
                "{} holds {m}, which is no account",
                u["name"]
            );
            members += 1;
        }
    }
    assert!(members > 0, "OU members match deployment users");
    assert!(
        units
            .iter()
            .any(|u| u["parent_id"].as_str().is_some_and(|p| !p.is_empty())),
        "groups are nested"
    );

    let again = cli.run(&["--tenant", "t1", "entra", "plan"], "");
    assert_eq!(
        again.code, 0,
        "nothing left to change: {}{}",
        again.stdout, again.stderr
    );
    assert!(
        again.stdout.contains("read only the changes"),
        "{}",
        again.stdout
    );

    // Edits in Entra: two people change department, a group goes, members come and go. The
    // delta read plans exactly those changes.
    let movers: Vec<&Value> = tenant
        .users
        .iter()
        .filter(|u| u["userType"] == "Member" && u["accountEnabled"] == true)
        .filter(|u| u["department"].as_str().is_some_and(|d| !d.is_empty()))
        .take(2)
        .collect();
    let mut expected_updates: Vec<String> = Vec::new();
    for u in &movers {
        server.set_department(u["id"].as_str().expect("id"), Some("Moved Department"));
        expected_updates.push(format!("dept:{}", u["department"].as_str().expect("dept")));
    }
    let group_id = |i: usize| tenant.groups[i]["id"].as_str().expect("id").to_owned();
    let newcomer = tenant.users[1500]["id"].as_str().expect("id").to_owned();
    server.delete_group(&group_id(2));
    server.add_member(&group_id(7), &newcomer);
    let leaver = tenant.members[&group_id(10)][0].0.clone();
    server.remove_member(&group_id(10), &leaver);
    expected_updates.extend([group_id(7), group_id(10)]);
    expected_updates.sort();
    expected_updates.dedup();
    let delta = cli.run(&["-o", "json", "--tenant", "t1", "entra", "plan"], "");
    assert_eq!(delta.code, 1, "{}", delta.stderr);
    let delta = delta.json();
    assert_eq!(delta["entra"]["read"]["kind"], "delta");
    let mut updates: Vec<String> = delta["update"]
        .as_array()
        .expect("update")
        .iter()
        .filter_map(|k| k.as_str().map(str::to_owned))
        .collect();
    updates.sort();
    assert_eq!(updates, expected_updates);
    assert_eq!(delta["delete"], json!([group_id(2)]));
    assert_eq!(delta["create"], json!(["dept:Moved Department"]));

    // Staging: a parity plan shows what the server's own sync would do, and is never pushed.
    let staged = cli.run(
        &[
            "-o", "json", "--tenant", "t1", "entra", "plan", "--mode", "parity",
        ],
        "",
    );
    assert_eq!(staged.code, 1);
    assert!(
        !staged.json()["update"]
            .as_array()
            .expect("update")
            .is_empty()
    );
    assert_eq!(
        units_of(&sandbox, &tenant_id).await,
        units,
        "a staged plan writes nothing"
    );

    // Most groups disappear from Entra: sync refuses the mass deletion (exit 3), then obeys
    // the allowance.
    for g in tenant.groups.iter().skip(5) {
        server.delete_group(g["id"].as_str().expect("id"));
    }
    let refused = cli.run(&["-o", "json", "--tenant", "t1", "entra", "sync"], "");
    assert_eq!(refused.code, 3, "{}{}", refused.stdout, refused.stderr);
    let error: Value = serde_json::from_str(refused.stderr.trim()).expect("JSON error");
    assert_eq!(error["error"]["code"], "deletion_threshold");
    let deletes = error["error"]["deletes"].as_u64().expect("deletes");
    assert_eq!(
        units_of(&sandbox, &tenant_id).await.len(),
        units.len(),
        "nothing deleted"
    );
    let allowed = cli.run(
        &[
            "--tenant",
            "t1",
            "entra",
            "sync",
            "--allow-deletes",
            &deletes.to_string(),
        ],
        "",
    );
    assert_eq!(allowed.code, 0, "{}{}", allowed.stdout, allowed.stderr);
    // The edits above are applied too: one new department.
    assert_eq!(
        units_of(&sandbox, &tenant_id).await.len(),
        units.len() + 1 - deletes as usize
    );

    // A Graph call that keeps failing: exit 2, the call named, nothing planned.
    server.inject(
        "/v1.0/users",
        FaultKind::Unavailable(Some(0)),
        0,
        usize::MAX,
    );
    let failed = cli.run(&["-o", "json", "--tenant", "t1", "entra", "plan"], "");
    assert_eq!(failed.code, 2);
    let error: Value = serde_json::from_str(failed.stderr.trim()).expect("JSON error");
    assert_eq!(error["error"]["code"], "server");
    assert!(
        error["error"]["key"]
            .as_str()
            .is_some_and(|k| k.starts_with("GET /users")),
        "{error}"
    );
    assert_eq!(error["error"]["status"], 503);

    let history = cli
        .run(&["-o", "json", "--tenant", "t1", "entra", "history"], "")
        .json();
    let outcomes: Vec<(&str, &str)> = history
        .as_array()
        .expect("runs")
        .iter()
        .map(|r| {
            (
                r["action"].as_str().unwrap_or_default(),
                r["outcome"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        vec![
            ("plan", "failed"),
            ("apply", "applied"),
            ("plan", "planned"),
            ("apply", "refused"),
            ("plan", "planned"),
            ("plan", "planned"),
            ("plan", "planned"),
            ("plan", "no_changes"),
            ("apply", "applied"),
            ("plan", "planned"),
        ]
    );
    assert!(
        history[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("GET /users")
    );
    // An apply is recorded with the mode its plan was made in.
    let runs = history.as_array().expect("runs");
    for apply in runs.iter().filter(|r| r["action"] == "apply") {
        let plan = runs
            .iter()
            .find(|r| r["action"] == "plan" && r["plan_id"] == apply["plan_id"])
            .expect("the applied plan's run");
        assert!(!apply["mode"].as_str().unwrap_or_default().is_empty());
        assert_eq!(apply["mode"], plan["mode"], "{apply}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_profile_keeps_its_long_private_key_sealed_and_signs_in() {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("RSA key");
    let cert = rcgen::CertificateParams::new(vec!["cli-entra.example".into()])
        .expect("params")
        .self_signed(&key)
        .expect("certificate");
    let thumbprint = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(cert.der().as_ref()));
    let private_pem = key.serialize_pem();
    assert!(
        private_pem.len() > 1_200,
        "longer than any keychain entry we allow"
    );
    let tenant = Tenant::generate(TenantSpec::small(22));
    let server = GraphServer::start(tenant, app(Some((&key.public_key_pem(), &thumbprint))))
        .await
        .expect("graph");
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let cli = Clooctl::new("cli-entra-cert");
    let added = cli.add_tenant(&sandbox, "t1", &[]);
    assert_eq!(added.code, 0, "{}", added.stderr);
    let cert_file = cli.data_dir().join("app.pem");
    std::fs::write(&cert_file, cert.pem()).expect("write");
    let urls = [server.tenant_id(), server.authority(), server.graph_url()];
    let set = cli.run(
        &profile_args(
            &urls,
            &[
                "--certificate",
                cert_file.to_str().expect("path"),
                "--private-key-stdin",
            ],
        ),
        &private_pem,
    );
    assert_eq!(set.code, 0, "{}", set.stderr);
    let shown = cli
        .run(
            &["-o", "json", "--tenant", "t1", "entra", "profile", "show"],
            "",
        )
        .json();
    assert_eq!(shown["certificate_thumbprint"], thumbprint.as_str());
    assert_eq!(shown["secret_kept"], true);
    let test = cli.run(&["--tenant", "t1", "entra", "test"], "");
    assert_eq!(test.code, 0, "{}", test.stderr);
    // The store holds ciphertext only.
    let db = std::fs::read(cli.data_dir().join("console.db")).expect("db");
    let text = String::from_utf8_lossy(&db);
    let body_line = private_pem.lines().nth(3).expect("a key line");
    assert!(!text.contains("PRIVATE KEY") && !text.contains(body_line));
    assert!(
        server
            .log()
            .iter()
            .any(|l| l.path.ends_with("/token") && l.status == 200)
    );

    // Device code: nothing stored, the code shown on stderr.
    server.script_device_code(0, &["authorization_pending", "ok"]);
    let set = cli.run(&profile_args(&urls, &["--device-code"]), "");
    assert_eq!(set.code, 0, "{}", set.stderr);
    let test = cli.run(&["--tenant", "t1", "entra", "test"], "");
    assert_eq!(test.code, 0, "{}", test.stderr);
    assert!(test.stderr.contains("GRPH-TEST"), "{}", test.stderr);
    let shown = cli
        .run(
            &["-o", "json", "--tenant", "t1", "entra", "profile", "show"],
            "",
        )
        .json();
    assert_eq!(shown["method"], "device_code");
}
