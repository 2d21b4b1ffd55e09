//! The console's parity payload, pushed through `POST /organizations/sync/json`, leaves a
//! deployment exactly as the deployment's own `POST /organizations/sync/msgraph` does on the
//! same Graph tenant, unit for unit; and where Graph fails, the server's sync wipes what the
//! console's read refuses to touch.

use cloo_domain::Secret;
use cloo_entra::auth::{Credential, TokenSource};
use cloo_entra::build::{Accounts, BuildMode, BuildOptions, build};
use cloo_entra::graph::{GraphClient, ReadSettings};
use cloo_entra::{Endpoints, read_directory};
use cloo_tests::SandboxProcess;
use cloo_tests::graph::{App, FaultKind, GraphServer, Tenant, TenantSpec};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

const CLIENT_ID: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const SECRET: &str = "parity-secret";

async fn graph_for(server: &GraphServer) -> (Arc<GraphClient>, Arc<TokenSource>) {
    let endpoints = Endpoints::new(&server.authority(), &server.graph_url()).expect("loopback");
    let tokens = Arc::new(
        TokenSource::new(
            reqwest::Client::new(),
            endpoints,
            &server.tenant_id(),
            CLIENT_ID,
            Credential::ClientSecret(Secret::new(SECRET)),
        )
        .expect("ids"),
    );
    let settings = ReadSettings {
        backoff_base: Duration::from_millis(5),
        max_attempts: 3,
        ..ReadSettings::default()
    };
    (
        Arc::new(GraphClient::new(
            reqwest::Client::new(),
            tokens.clone(),
            settings,
        )),
        tokens,
    )
}

async fn post(sandbox: &SandboxProcess, path: &str, body: &Value) -> (u16, Value) {
    let token = sandbox.admin_token().await;
    let r = reqwest::Client::new()
        .post(format!("{}{path}", sandbox.url))
        .bearer_auth(token.expose())
        .json(body)
        .send()
        .await
        .expect("post");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The organization's units as comparable facts: by external id, with the parent's external id
/// in place of database ids.
async fn state_of(sandbox: &SandboxProcess, tenant_id: &str) -> (Value, BTreeMap<String, Value>) {
    let token = sandbox.admin_token().await;
    let http = reqwest::Client::new();
    let get = |path: String| {
        let http = http.clone();
        let token = token.clone();
        async move {
            http.get(format!("{}{path}", sandbox.url))
                .bearer_auth(token.expose())
                .send()
                .await
                .expect("get")
                .json::<Value>()
                .await
                .expect("json")
        }
    };
    let orgs = get("/api/v1/organizations/".into()).await;
    let org = orgs
        .as_array()
        .and_then(|a| a.iter().find(|o| o["tenant_id"] == tenant_id))
        .cloned()
        .expect("the organization exists");
    let units = get(format!(
        "/api/v1/organizations/{}/units",
        org["id"].as_str().expect("id")
    ))
    .await;
    let units = units.as_array().cloned().unwrap_or_default();
    let key_of: BTreeMap<String, String> = units
        .iter()
        .map(|u| {
            (
                u["id"].as_str().unwrap_or_default().to_owned(),
                u["external_id"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let facts = units
        .iter()
        .map(|u| {
            let parent = u["parent_id"].as_str().and_then(|p| key_of.get(p)).cloned();
            (
                u["external_id"].as_str().unwrap_or_default().to_owned(),
                json!({
                    "name": u["name"], "display_name": u["display_name"], "description": u["description"],
                    "type": u["type"], "level": u["level"], "member_ids": u["member_ids"], "meta": u["meta"],
                    "parent": parent,
                }),
            )
        })
        .collect();
    let org_facts = json!({"name": org["name"], "display_name": org["display_name"], "domain": org["domain"], "meta": org["meta"]});
    (org_facts, facts)
}

#[tokio::test]
async fn the_parity_payload_ends_exactly_where_the_servers_own_sync_ends() {
    for seed in [11u64, 12] {
        let tenant = Tenant::generate(TenantSpec::small(seed));
        let tenant_id = tenant.tenant_id();
        let app = App {
            client_id: CLIENT_ID.into(),
            client_secret: SECRET.into(),
            certificate_public_key_pem: None,
            certificate_thumbprint: None,
        };
        let server = GraphServer::start(tenant, app).await.expect("graph");
        let by_server =
            SandboxProcess::start(&["--graph-url", &server.graph_url()]).expect("sandbox");
        let by_console = SandboxProcess::start(&[]).expect("sandbox");
        let options = BuildOptions {
            admin_units: true,
            groups: true,
            departments: true,
            ..BuildOptions::default()
        };

        let (graph, tokens) = graph_for(&server).await;
        let token = tokens.token().await.expect("token");
        let body = json!({"access_token": token.expose(), "use_admin_units": true, "use_groups": true, "use_departments": true});
        let (status, server_counts) =
            post(&by_server, "/api/v1/organizations/sync/msgraph", &body).await;
        assert_eq!(status, 200, "{server_counts}");

        let dir = read_directory(&graph, &options.read_options(BuildMode::Parity))
            .await
            .expect("read");
        let built = build(&dir, BuildMode::Parity, &options, &Accounts::default());
        let (status, console_counts) = post(
            &by_console,
            "/api/v1/organizations/sync/json",
            &built.payload,
        )
        .await;
        assert_eq!(status, 200, "{console_counts}");
        assert_eq!(console_counts, server_counts, "the same counters");

        let (org_a, units_a) = state_of(&by_server, &tenant_id).await;
        let (org_b, units_b) = state_of(&by_console, &tenant_id).await;
        assert_eq!(org_a, org_b);
        assert!(units_a.len() > 40, "a real tenant: {} units", units_a.len());
        assert_eq!(
            units_a.keys().collect::<Vec<_>>(),
            units_b.keys().collect::<Vec<_>>()
        );
        for (key, a) in &units_a {
            assert_eq!(a, &units_b[key], "unit {key}");
        }
    }
}

#[tokio::test]
async fn where_graph_fails_the_servers_sync_wipes_members_and_the_console_refuses() {
    let tenant = Tenant::generate(TenantSpec::small(13));
    let tenant_id = tenant.tenant_id();
    let victim = tenant
        .groups
        .iter()
        .map(|g| g["id"].as_str().unwrap_or_default().to_owned())
        .find(|id| tenant.members.get(id).is_some_and(|m| m.len() > 3))
        .expect("a group with members");
    let app = App {
        client_id: CLIENT_ID.into(),
        client_secret: SECRET.into(),
        certificate_public_key_pem: None,
        certificate_thumbprint: None,
    };
    let server = GraphServer::start(tenant, app).await.expect("graph");
    let sandbox = SandboxProcess::start(&["--graph-url", &server.graph_url()]).expect("sandbox");
    let (graph, tokens) = graph_for(&server).await;
    let body = json!({"access_token": tokens.token().await.expect("token").expose(), "use_admin_units": true, "use_groups": true});
    let (status, _) = post(&sandbox, "/api/v1/organizations/sync/msgraph", &body).await;
    assert_eq!(status, 200);
    let (_, before) = state_of(&sandbox, &tenant_id).await;
    assert!(
        !before[&victim]["member_ids"]
            .as_array()
            .expect("ids")
            .is_empty()
    );

    // One throttled member read: the server counts it as "no members" and wipes the list.
    server.inject(
        &format!("/groups/{victim}/members"),
        FaultKind::Throttle(Some(0)),
        0,
        1,
    );
    let (status, _) = post(&sandbox, "/api/v1/organizations/sync/msgraph", &body).await;
    assert_eq!(status, 200);
    let (_, after) = state_of(&sandbox, &tenant_id).await;
    assert_eq!(
        after[&victim]["member_ids"],
        json!([]),
        "the server's flaw, reproduced"
    );

    // The console retries the same throttled read and gets the members.
    server.inject(
        &format!("/groups/{victim}/members"),
        FaultKind::Throttle(Some(0)),
        0,
        1,
    );
    let options = BuildOptions {
        groups: true,
        ..BuildOptions::default()
    };
    let dir = read_directory(&graph, &options.read_options(BuildMode::Parity))
        .await
        .expect("retried");
    let users = dir.members[&victim]
        .iter()
        .filter(|m| m.kind == cloo_entra::model::MemberKind::User)
        .count();
    assert_eq!(
        users,
        before[&victim]["member_ids"]
            .as_array()
            .map(Vec::len)
            .unwrap_or_default()
    );
    // And a read that keeps failing is refused, not planned as empty.
    server.inject(
        &format!("/groups/{victim}/members"),
        FaultKind::Unavailable(Some(0)),
        0,
        usize::MAX,
    );
    let e = read_directory(&graph, &options.read_options(BuildMode::Parity))
        .await
        .expect_err("fails closed");
    assert_eq!(
        e.call(),
        Some(format!("GET /groups/{victim}/members").as_str())
    );
}
