//! The Graph reader and the sign-ins against the Graph-compatible test server: every sign-in,
//! paging across many pages, throttling storms, failures that must fail the read, bounded
//! concurrency, token renewal during a long read, and the two builds of the payload.

use base64::Engine;
use cloo_domain::Secret;
use cloo_entra::auth::{CertificateKey, Credential, DeviceCodeMessage, TokenSource};
use cloo_entra::build::{Accounts, BuildMode, BuildOptions, build};
use cloo_entra::graph::{GraphClient, ReadSettings};
use cloo_entra::{Endpoints, EntraError, read_directory};
use cloo_tests::graph::{App, FaultKind, GraphServer, Tenant, TenantSpec};
use serde_json::Value;
use sha2::Digest;
use std::collections::{BTreeSet, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const CLIENT_ID: &str = "11111111-2222-3333-4444-555555555555";
const SECRET: &str = "s3cr3t~value";

struct TestCert {
    certificate_pem: String,
    private_key_pem: String,
    public_key_pem: String,
    thumbprint: String,
}

fn test_certificate() -> TestCert {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("RSA key");
    let cert = rcgen::CertificateParams::new(vec!["entra-test.example".into()])
        .expect("params")
        .self_signed(&key)
        .expect("certificate");
    let thumbprint = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(cert.der().as_ref()));
    TestCert {
        certificate_pem: cert.pem(),
        private_key_pem: key.serialize_pem(),
        public_key_pem: key.public_key_pem(),
        thumbprint,
    }
}

fn app(cert: Option<&TestCert>) -> App {
    App {
        client_id: CLIENT_ID.into(),
        client_secret: SECRET.into(),
        certificate_public_key_pem: cert.map(|c| c.public_key_pem.clone()),
        certificate_thumbprint: cert.map(|c| c.thumbprint.clone()),
    }
}

fn fast() -> ReadSettings {
    ReadSettings {
        backoff_base: Duration::from_millis(5),
        backoff_max: Duration::from_millis(200),
        ..ReadSettings::default()
    }
}

fn tokens(server: &GraphServer, credential: Credential) -> TokenSource {
    let endpoints = Endpoints::new(&server.authority(), &server.graph_url()).expect("loopback");
    TokenSource::new(
        reqwest::Client::new(),
        endpoints,
        &server.tenant_id(),
        CLIENT_ID,
        credential,
    )
    .expect("ids")
}

fn client(
    server: &GraphServer,
    credential: Credential,
    settings: ReadSettings,
) -> Arc<GraphClient> {
    Arc::new(GraphClient::new(
        reqwest::Client::new(),
        Arc::new(tokens(server, credential)),
        settings,
    ))
}

fn secret() -> Credential {
    Credential::ClientSecret(Secret::new(SECRET))
}

fn everything() -> BuildOptions {
    BuildOptions {
        admin_units: true,
        groups: true,
        departments: true,
        ..BuildOptions::default()
    }
}

#[tokio::test]
async fn a_client_secret_read_pages_through_everything_with_top_and_select() {
    let tenant = Tenant::generate(TenantSpec::small(7));
    let server = GraphServer::start(tenant.clone(), app(None))
        .await
        .expect("server");
    let graph = client(&server, secret(), fast());
    let dir = read_directory(&graph, &everything().read_options(BuildMode::Recommended))
        .await
        .expect("read");
    assert_eq!(dir.users.as_ref().map(Vec::len), Some(tenant.users.len()));
    assert_eq!(dir.groups.len(), tenant.groups.len());
    assert_eq!(dir.admin_units.len(), tenant.admin_units.len());
    // The 1,500-member group came in two pages, every member of every container is there.
    for (id, expected) in &tenant.members {
        let got: Vec<&str> = dir.members[id].iter().map(|m| m.id.as_str()).collect();
        let want: Vec<&str> = expected.iter().map(|(m, _)| m.as_str()).collect();
        assert_eq!(got, want, "members of {id}");
    }
    assert!(
        tenant.members.values().any(|m| m.len() > 999),
        "a group over one page"
    );
    let log = server.log();
    let lists: Vec<_> = log
        .iter()
        .filter(|l| l.path != "/v1.0/organization" && l.method == "GET")
        .collect();
    assert!(
        lists
            .iter()
            .all(|l| l.query.contains("%24top=999") || l.query.contains("$top=999")),
        "every list asks for 999"
    );
    assert!(
        lists.iter().all(|l| l.query.contains("select")),
        "every list selects"
    );
    assert!(
        log.iter().all(|l| !l.path.ends_with("/memberOf")),
        "memberOf is never called"
    );
    let user_pages = log.iter().filter(|l| l.path == "/v1.0/users").count();
    assert_eq!(user_pages, tenant.users.len().div_ceil(999));
    let stats = graph.stats();
    assert_eq!(
        stats.requests as usize,
        log.iter().filter(|l| l.method == "GET").count()
    );
    assert_eq!(stats.throttled, 0);
}

#[tokio::test]
async fn a_wrong_secret_is_a_refused_sign_in_and_nothing_is_read() {
    let server = GraphServer::start(Tenant::generate(TenantSpec::small(1)), app(None))
        .await
        .expect("server");
    let graph = client(
        &server,
        Credential::ClientSecret(Secret::new("wrong")),
        fast(),
    );
    let e = read_directory(
        &graph,
        &BuildOptions::default().read_options(BuildMode::Parity),
    )
    .await
    .expect_err("refused");
    assert!(
        matches!(&e, EntraError::SignIn { error, description } if error == "invalid_client" && description.contains("AADSTS7000215")),
        "{e}"
    );
    assert!(
        server.log().iter().all(|l| l.method == "POST"),
        "no Graph call without a token"
    );
}

#[tokio::test]
async fn the_certificate_sign_in_sends_an_assertion_graph_accepts_and_a_fresh_one_each_time() {
    let cert = test_certificate();
    let server = GraphServer::start(Tenant::generate(TenantSpec::small(2)), app(Some(&cert)))
        .await
        .expect("server");
    let key = CertificateKey::from_pem(
        &cert.certificate_pem,
        &Secret::new(cert.private_key_pem.clone()),
    )
    .expect("key");
    assert_eq!(key.thumbprint(), cert.thumbprint);
    let source = tokens(&server, Credential::Certificate(key)).with_renew_margin(Duration::ZERO);
    let first = source
        .token()
        .await
        .expect("signed in with the certificate");
    source.invalidate(&first).await;
    let second = source
        .token()
        .await
        .expect("a second assertion (fresh jti) is accepted too");
    assert_ne!(first, second);
    assert_eq!(source.token_requests(), 2);
    // A key that does not belong to the registered certificate is refused.
    let other = test_certificate();
    let forged =
        CertificateKey::from_pem(&cert.certificate_pem, &Secret::new(other.private_key_pem))
            .expect("key");
    let e = tokens(&server, Credential::Certificate(forged))
        .token()
        .await
        .expect_err("bad signature");
    assert!(
        matches!(&e, EntraError::SignIn { error, .. } if error == "invalid_client"),
        "{e}"
    );
    // The form carried the assertion, never a secret.
    let token_calls = server
        .log()
        .into_iter()
        .filter(|l| l.path.ends_with("/token"))
        .count();
    assert_eq!(token_calls, 3);
}

#[tokio::test]
async fn a_private_key_that_is_not_pem_is_named() {
    let cert = test_certificate();
    let e = CertificateKey::from_pem(&cert.certificate_pem, &Secret::new("not a key"))
        .expect_err("refused");
    assert!(
        matches!(&e, EntraError::Invalid { field, .. } if field == "private_key"),
        "{e}"
    );
    let e = CertificateKey::from_pem("garbage", &Secret::new(cert.private_key_pem))
        .expect_err("refused");
    assert!(
        matches!(&e, EntraError::Invalid { field, .. } if field == "certificate"),
        "{e}"
    );
}

#[tokio::test]
async fn the_device_code_sign_in_polls_slower_after_slow_down_and_shows_the_code() {
    let server = GraphServer::start(Tenant::generate(TenantSpec::small(3)), app(None))
        .await
        .expect("server");
    server.script_device_code(0, &["authorization_pending", "slow_down", "ok"]);
    let shown: Arc<Mutex<Vec<DeviceCodeMessage>>> = Arc::default();
    let seen = shown.clone();
    let source = tokens(&server, Credential::DeviceCode).with_prompt(Arc::new(
        move |m: &DeviceCodeMessage| seen.lock().expect("shown").push(m.clone()),
    ));
    let token = source.token().await.expect("signed in");
    assert!(!token.expose().is_empty());
    assert_eq!(
        shown
            .lock()
            .expect("shown")
            .first()
            .map(|m| m.user_code.clone()),
        Some("GRPH-TEST".into())
    );
    let polls: Vec<_> = server
        .log()
        .into_iter()
        .filter(|l| l.path.ends_with("/token"))
        .collect();
    assert_eq!(polls.len(), 3, "pending, slow_down, then success");
    let gap = polls[2].at.duration_since(polls[1].at);
    assert!(
        gap >= Duration::from_secs(5),
        "after slow_down the interval grows by 5 s, waited {gap:?}"
    );
    // The refresh token renews without another device code.
    source.invalidate(&token).await;
    let renewed = source
        .token()
        .await
        .expect("renewed with the refresh token");
    assert_ne!(renewed, token);
    assert_eq!(
        server
            .log()
            .iter()
            .filter(|l| l.path.ends_with("/devicecode"))
            .count(),
        1
    );

    for (answer, expected) in [
        ("expired_token", "expired"),
        ("authorization_declined", "declined"),
    ] {
        server.script_device_code(0, &["authorization_pending", answer]);
        let e = tokens(&server, Credential::DeviceCode)
            .token()
            .await
            .expect_err(answer);
        match (expected, &e) {
            ("expired", EntraError::DeviceCodeExpired)
            | ("declined", EntraError::DeviceCodeDeclined) => {}
            _ => panic!("{answer}: {e}"),
        }
    }
}

#[tokio::test]
async fn a_storm_of_429s_503s_drops_and_bad_json_ends_with_the_clean_result() {
    let tenant = Tenant::generate(TenantSpec::small(4));
    let server = GraphServer::start(tenant, app(None)).await.expect("server");
    let options = everything().read_options(BuildMode::Recommended);
    let clean = read_directory(&client(&server, secret(), fast()), &options)
        .await
        .expect("clean");
    // Every other request is throttled, some without Retry-After; some 503s, dropped
    // connections and unreadable answers besides.
    server.inject_every("/v1.0/", FaultKind::Throttle(Some(0)), 0, 40, 2);
    server.inject_every("/members", FaultKind::Throttle(None), 3, 10, 3);
    server.inject("/users", FaultKind::Unavailable(Some(0)), 1, 1);
    server.inject_every("/groups", FaultKind::Drop, 2, 3, 4);
    server.inject("/directory/administrativeUnits", FaultKind::BadJson, 0, 1);
    // One request at a time, so the storm's pattern is exact (in parallel, one call could be
    // unlucky eight times running: that is the fail-closed case below).
    let graph = client(
        &server,
        secret(),
        ReadSettings {
            concurrency: 1,
            ..fast()
        },
    );
    let stormy = read_directory(&graph, &options)
        .await
        .expect("the storm is ridden out");
    assert_eq!(stormy, clean);
    let stats = graph.stats();
    assert_eq!(stats.throttled, 50, "{stats:?}");
    assert_eq!(stats.retried, 55, "{stats:?}");
}

#[tokio::test]
async fn a_call_that_keeps_failing_fails_the_whole_read_and_names_the_call() {
    let tenant = Tenant::generate(TenantSpec::small(5));
    let third_group = tenant.groups[2]["id"].as_str().expect("id").to_owned();
    let server = GraphServer::start(tenant, app(None)).await.expect("server");
    server.inject(
        &format!("/groups/{third_group}/members"),
        FaultKind::Unavailable(Some(0)),
        0,
        usize::MAX,
    );
    let graph = client(
        &server,
        secret(),
        ReadSettings {
            max_attempts: 3,
            ..fast()
        },
    );
    let e = read_directory(&graph, &everything().read_options(BuildMode::Parity))
        .await
        .expect_err("fails closed");
    assert_eq!(
        e.call(),
        Some(format!("GET /groups/{third_group}/members").as_str()),
        "{e}"
    );
    assert!(
        matches!(
            e,
            EntraError::Graph {
                status: 503,
                attempts: 3,
                ..
            }
        ),
        "{e}"
    );

    // A list page that is not found is not an empty list either.
    server.clear_faults();
    server.inject("/users", FaultKind::Status(403), 1, usize::MAX);
    let e = read_directory(
        &client(&server, secret(), fast()),
        &everything().read_options(BuildMode::Parity),
    )
    .await
    .expect_err("a refused second page fails");
    assert!(
        matches!(&e, EntraError::Graph { status: 403, call, .. } if call == "GET /users"),
        "{e}"
    );
}

#[tokio::test]
async fn member_reads_stay_within_the_concurrency_setting_and_mark_low_priority() {
    let server = GraphServer::start(
        Tenant::generate(TenantSpec {
            groups: 60,
            ..TenantSpec::small(6)
        }),
        app(None),
    )
    .await
    .expect("server");
    for limit in [1usize, 3] {
        server.clear_log();
        let graph = client(
            &server,
            secret(),
            ReadSettings {
                concurrency: limit,
                low_priority: true,
                ..fast()
            },
        );
        read_directory(&graph, &everything().read_options(BuildMode::Parity))
            .await
            .expect("read");
        assert!(
            server.max_in_flight() <= limit,
            "{} in flight with a limit of {limit}",
            server.max_in_flight()
        );
        assert!(server.log().iter().filter(|l| l.method == "GET").all(|l| {
            l.headers
                .iter()
                .any(|(k, v)| k == "x-ms-throttle-priority" && v == "low")
        }));
    }
    assert!(server.max_in_flight() > 1, "the limit of 3 was used");
}

#[tokio::test]
async fn a_read_that_outlives_its_token_renews_it_before_graph_refuses_it() {
    let server = GraphServer::start(Tenant::generate(TenantSpec::small(8)), app(None))
        .await
        .expect("server");
    server.set_token_lifetime(2);
    // Throttling stretches the read past the token's two seconds.
    server.inject("/members", FaultKind::Throttle(Some(1)), 2, 3);
    let source = Arc::new(tokens(&server, secret()).with_renew_margin(Duration::from_millis(1500)));
    let graph = Arc::new(GraphClient::new(
        reqwest::Client::new(),
        source.clone(),
        ReadSettings {
            concurrency: 1,
            ..fast()
        },
    ));
    read_directory(&graph, &everything().read_options(BuildMode::Parity))
        .await
        .expect("read");
    assert!(source.token_requests() >= 2, "renewed during the read");
    assert!(
        server.log().iter().all(|l| l.status != 401),
        "no call was refused for an old token"
    );
}

#[tokio::test]
async fn graph_reporting_its_load_slows_the_reader_down() {
    let server = GraphServer::start(Tenant::generate(TenantSpec::small(9)), app(None))
        .await
        .expect("server");
    server.report_load(Some(0.9));
    let graph = client(
        &server,
        secret(),
        ReadSettings {
            backoff_base: Duration::from_millis(20),
            ..fast()
        },
    );
    read_directory(
        &graph,
        &BuildOptions::default().read_options(BuildMode::Parity),
    )
    .await
    .expect("read");
    let stats = graph.stats();
    assert!(stats.paced_ms > 0, "{stats:?}");
    assert_eq!(stats.resource_units, stats.requests);
}

fn flat_units(payload: &Value) -> Vec<Value> {
    fn walk(units: &[Value], out: &mut Vec<Value>) {
        for u in units {
            out.push(u.clone());
            walk(
                u.get("children")
                    .and_then(Value::as_array)
                    .map(Vec::as_slice)
                    .unwrap_or(&[]),
                out,
            );
        }
    }
    let mut out = Vec::new();
    walk(
        payload["units"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or(&[]),
        &mut out,
    );
    out
}

#[tokio::test]
async fn parity_keeps_the_servers_flaws_and_recommended_fixes_them() {
    let tenant = Tenant::generate(TenantSpec::small(10));
    let server = GraphServer::start(tenant.clone(), app(None))
        .await
        .expect("server");
    let options = everything();
    let dir = read_directory(
        &client(&server, secret(), fast()),
        &options.read_options(BuildMode::Recommended),
    )
    .await
    .expect("read");
    // Half the users have signed in to the deployment with Microsoft.
    let signed_in: Vec<(String, String)> = tenant
        .users
        .iter()
        .step_by(2)
        .map(|u| {
            let id = u["id"].as_str().expect("id").to_owned();
            (id.clone(), format!("microsoft@sub-{id}"))
        })
        .collect();
    let accounts = Accounts::new(signed_in.iter().map(|(a, b)| (a.as_str(), b.as_str())));
    let parity = build(&dir, BuildMode::Parity, &options, &accounts);
    let recommended = build(&dir, BuildMode::Recommended, &options, &accounts);
    // A build made for comparison only (member lists reduced to digests as each unit is made)
    // summarizes exactly as the whole payload does.
    for (mode, whole) in [
        (BuildMode::Parity, &parity),
        (BuildMode::Recommended, &recommended),
    ] {
        assert_eq!(
            cloo_entra::build::summary_of(&dir, mode, &options, &accounts),
            cloo_entra::build::compare::summarize(&whole.payload),
            "{mode:?}"
        );
    }

    let p_units = flat_units(&parity.payload);
    assert!(
        p_units.iter().all(|u| u.get("children").is_none()),
        "parity is flat"
    );
    let distinct_departments: BTreeSet<&str> = tenant
        .users
        .iter()
        .filter_map(|u| u["department"].as_str())
        .filter(|d| !d.is_empty())
        .collect();
    let p_depts: Vec<&Value> = p_units
        .iter()
        .filter(|u| u["type"] == "department")
        .collect();
    assert_eq!(
        p_depts.len(),
        distinct_departments.len(),
        "case and space twins stay apart"
    );
    let ids: HashSet<&str> = p_units.iter().filter_map(|u| u["id"].as_str()).collect();
    assert_eq!(
        ids.len(),
        p_units.len(),
        "input ids are unique even for twins"
    );
    assert!(!parity.warnings.is_empty(), "the twins are reported");
    let user_ids: HashSet<&str> = tenant
        .users
        .iter()
        .filter_map(|u| u["id"].as_str())
        .collect();
    for u in &p_units {
        assert!(
            u["member_ids"]
                .as_array()
                .expect("ids")
                .iter()
                .all(|m| user_ids.contains(m.as_str().unwrap_or_default())),
            "parity members are object ids"
        );
        if u["type"] != "department" {
            assert!(
                u["meta"].get("members").is_none(),
                "parity: no meta.members on {}",
                u["name"]
            );
        }
    }

    let r_units = flat_units(&recommended.payload);
    let subs: HashSet<String> = signed_in.iter().map(|(_, s)| s.clone()).collect();
    let guests: HashSet<&str> = tenant
        .users
        .iter()
        .filter(|u| u["userType"] == "Guest")
        .filter_map(|u| u["id"].as_str())
        .collect();
    let mut matched = 0;
    for u in &r_units {
        for m in u["member_ids"].as_array().expect("ids") {
            assert!(
                subs.contains(m.as_str().unwrap_or_default()),
                "recommended members are oauth_subs: {m}"
            );
            matched += 1;
        }
        for m in u["meta"]["members"].as_array().expect("members") {
            assert!(
                !guests.contains(m["id"].as_str().unwrap_or_default()),
                "guests are left out"
            );
            if let Some(e) = m["email"].as_str() {
                assert_eq!(e, e.to_lowercase());
            }
        }
    }
    assert!(matched > 0);
    assert!(recommended.counts.nested > 0, "nested groups are nested");
    assert!(
        recommended.payload["units"]
            .as_array()
            .expect("units")
            .iter()
            .any(|u| u.get("children").is_some())
    );
    assert!(recommended.counts.guests_left_out > 0 && recommended.counts.disabled_left_out > 0);

    use cloo_entra::build::compare::{compare, summarize};
    let d = compare(
        &summarize(&recommended.payload),
        &summarize(&parity.payload),
        "parity",
    );
    assert!(d.members_differ > 0 && d.parents_differ > 0, "{d:?}");
}
