//! Incremental reads against the Graph test server: after edits in the tenant (users moved
//! between departments, a group deleted and renamed, members added and removed, a user deleted,
//! a large group repeated across pages), a delta read merges into exactly what a full read
//! gives, with far fewer requests; an expired link falls back to a full read and says why; a
//! delta function the Graph refuses is read in full on every run while the rest stays delta.

use cloo_domain::Secret;
use cloo_entra::auth::{Credential, TokenSource};
use cloo_entra::build::{BuildMode, BuildOptions};
use cloo_entra::delta::read_changes;
use cloo_entra::graph::{GraphClient, ReadSettings};
use cloo_entra::read::ReadOptions;
use cloo_entra::{Endpoints, read_directory};
use cloo_tests::graph::{App, FaultKind, GraphServer, Tenant, TenantSpec};
use std::sync::Arc;
use std::time::Duration;

const CLIENT_ID: &str = "dddddddd-1111-2222-3333-444444444444";
const SECRET: &str = "delta-secret";

fn client(server: &GraphServer) -> Arc<GraphClient> {
    let endpoints = Endpoints::new(&server.authority(), &server.graph_url()).expect("loopback");
    let tokens = TokenSource::new(
        reqwest::Client::new(),
        endpoints,
        &server.tenant_id(),
        CLIENT_ID,
        Credential::ClientSecret(Secret::new(SECRET)),
    )
    .expect("ids");
    Arc::new(GraphClient::new(
        reqwest::Client::new(),
        Arc::new(tokens),
        ReadSettings {
            backoff_base: Duration::from_millis(5),
            ..ReadSettings::default()
        },
    ))
}

/// What a recommended build of units, groups and departments reads.
fn every_part() -> ReadOptions {
    BuildOptions {
        admin_units: true,
        groups: true,
        departments: true,
        ..BuildOptions::default()
    }
    .read_options(BuildMode::Recommended)
}

fn app() -> App {
    App {
        client_id: CLIENT_ID.into(),
        client_secret: SECRET.into(),
        certificate_public_key_pem: None,
        certificate_thumbprint: None,
    }
}

#[tokio::test]
async fn a_delta_read_after_edits_equals_a_full_read_for_a_fraction_of_the_requests() {
    let tenant = Tenant::generate(TenantSpec::small(31));
    let server = GraphServer::start(tenant.clone(), app())
        .await
        .expect("graph");
    let options = every_part();

    let first = read_changes(&client(&server), &options, None, false)
        .await
        .expect("first read");
    assert_eq!(first.summary.kind, "full");
    assert!(
        first
            .summary
            .full_because
            .as_deref()
            .is_some_and(|b| b.contains("no earlier read"))
    );

    // Edits between runs.
    let user = |i: usize| tenant.users[i]["id"].as_str().expect("id").to_owned();
    let group = |i: usize| tenant.groups[i]["id"].as_str().expect("id").to_owned();
    for i in 0..5 {
        server.set_department(&user(i * 7), Some("Moved Department"));
    }
    server.set_department(&user(3), None);
    server.delete_group(&group(2));
    server.rename_group(&group(3), "Renamed group");
    server.add_member(&group(5), &user(100));
    let first_member = tenant.members[&group(5)][0].0.clone();
    server.remove_member(&group(5), &first_member);
    server.delete_user(&user(200));
    // 600 new members of one group: Graph repeats the group across the round.
    for i in 300..900 {
        server.add_member(&group(8), &user(i));
    }
    let au = tenant.admin_units[0]["id"].as_str().expect("id").to_owned();
    server.rename_admin_unit(&au, "Renamed unit");
    server.add_member(&au, &user(5));
    // Administrative-unit members come as `members@delta` too: one leaves another unit.
    let (au_with_members, au_member) = tenant
        .admin_units
        .iter()
        .filter_map(|a| a["id"].as_str())
        .find_map(|id| Some((id.to_owned(), tenant.members.get(id)?.first()?.0.clone())))
        .expect("a unit with members");
    server.remove_member(&au_with_members, &au_member);

    let graph = client(&server);
    let second = read_changes(&graph, &options, Some(first.state.clone()), false)
        .await
        .expect("delta read");
    assert_eq!(second.summary.kind, "delta", "{:?}", second.summary);
    assert_eq!(second.summary.users_changed, 6);
    assert_eq!(second.summary.users_removed, 1);
    assert_eq!(second.summary.groups_removed, 1);
    assert!(second.summary.member_changes > 502, "{:?}", second.summary);
    let delta_requests = graph.stats().requests;

    let full_client = client(&server);
    let full = read_directory(&full_client, &options)
        .await
        .expect("full read");
    assert_eq!(
        *second.directory(),
        full,
        "the merged directory is what a full read gives"
    );
    assert!(
        delta_requests * 3 < full_client.stats().requests,
        "delta {delta_requests} requests, full {}",
        full_client.stats().requests
    );

    // Nothing changed: a delta read changes nothing, in one request per delta function and the
    // organization, whatever the tenant's size.
    let quiet_client = client(&server);
    let third = read_changes(&quiet_client, &options, Some(second.state.clone()), false)
        .await
        .expect("quiet");
    assert_eq!(*third.directory(), full);
    assert_eq!(quiet_client.stats().requests, 4);
    assert_eq!(
        (third.summary.users_changed, third.summary.member_changes),
        (0, 0)
    );

    // Expired links: a full read, and the reason.
    server.expire_delta_links();
    let fallback = read_changes(&client(&server), &options, Some(third.state), false)
        .await
        .expect("fallback");
    assert_eq!(fallback.summary.kind, "full");
    assert!(
        fallback
            .summary
            .full_because
            .as_deref()
            .is_some_and(|b| b.contains("syncStateNotFound")),
        "{:?}",
        fallback.summary
    );
    assert_eq!(*fallback.directory(), full);

    // Other options than the kept state: a full read.
    let fewer = BuildOptions::default().read_options(BuildMode::Parity);
    let other = read_changes(&client(&server), &fewer, Some(fallback.state), false)
        .await
        .expect("other");
    assert_eq!(other.summary.kind, "full");
    assert!(
        other
            .summary
            .full_because
            .as_deref()
            .is_some_and(|b| b.contains("options"))
    );
}

#[tokio::test]
async fn a_refused_delta_function_is_read_in_full_while_the_rest_stays_delta() {
    let tenant = Tenant::generate(TenantSpec::small(33));
    let server = GraphServer::start(tenant.clone(), app())
        .await
        .expect("graph");
    let options = every_part();
    // This Graph has no delta function for administrative units.
    server.inject(
        "administrativeUnits/delta",
        FaultKind::Status(400),
        0,
        1_000,
    );
    let first = read_changes(&client(&server), &options, None, false)
        .await
        .expect("a full read despite the refusal");
    assert_eq!(first.summary.kind, "full");
    assert_eq!(first.summary.read_in_full.len(), 1, "{:?}", first.summary);
    assert!(first.summary.read_in_full[0].contains("administrativeUnits/delta"));
    assert!(first.state.admin_units_link.is_none());

    // A unit and a group change; the next run is still a delta read, the units in full.
    let (unit, unit_member) = tenant
        .admin_units
        .iter()
        .filter_map(|a| a["id"].as_str())
        .find_map(|id| Some((id.to_owned(), tenant.members.get(id)?.first()?.0.clone())))
        .expect("a unit with members");
    server.remove_member(&unit, &unit_member);
    server.rename_admin_unit(&unit, "Renamed without delta");
    let group = tenant.groups[2]["id"].as_str().expect("id").to_owned();
    server.add_member(&group, tenant.users[40]["id"].as_str().expect("id"));
    let second = read_changes(&client(&server), &options, Some(first.state), false)
        .await
        .expect("second read");
    assert_eq!(second.summary.kind, "delta", "{:?}", second.summary);
    assert_eq!(
        second.summary.read_in_full,
        ["GET /directory/administrativeUnits/delta"]
    );
    assert_eq!(
        second.summary.member_changes, 1,
        "the group member, by delta"
    );
    let full = read_directory(&client(&server), &options)
        .await
        .expect("full read");
    assert_eq!(*second.directory(), full);
}
