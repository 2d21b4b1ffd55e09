//! The Entra use cases through the console: a read cancelled half-way plans nothing, keeps no
//! state and is recorded as cancelled; plans made run after run do not pile up in the store.

use cloo_console::entra::{EntraPlanRequest, ProfileInput, SignInInput};
use cloo_console::{CancellationToken, ErrorCode, Observer};
use cloo_domain::Secret;
use cloo_entra::build::BuildOptions;
use cloo_tests::SandboxProcess;
use cloo_tests::graph::{App, FaultKind, GraphServer, Tenant, TenantSpec};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_read_plans_nothing_keeps_nothing_and_is_recorded() {
    let server = GraphServer::start(
        Tenant::generate(TenantSpec::small(51)),
        App {
            client_id: "cccccccc-1111-2222-3333-444444444444".into(),
            client_secret: "cancel-secret".into(),
            certificate_public_key_pem: None,
            certificate_thumbprint: None,
        },
    )
    .await
    .expect("graph");
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let (console, target, _dir) = cloo_tests::direct_console(&sandbox).await;
    console
        .entra()
        .set_profile(
            &target,
            ProfileInput {
                entra_tenant: server.tenant_id(),
                client_id: "cccccccc-1111-2222-3333-444444444444".into(),
                sign_in: SignInInput::ClientSecret(Secret::new("cancel-secret")),
                authority: Some(server.authority()),
                graph_url: Some(server.graph_url()),
                options: BuildOptions {
                    groups: true,
                    ..BuildOptions::default()
                },
            },
        )
        .await
        .expect("profile");
    // Graph asks the reader to wait 30 s: the admin gives up.
    server.inject("/v1.0/groups", FaultKind::Throttle(Some(30)), 0, 1);
    let token = CancellationToken::new();
    let observer = Observer::quiet().cancelled_by(token.clone());
    let stopper = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        token.cancel();
    });
    let started = Instant::now();
    let e = console
        .entra()
        .plan(&target, &EntraPlanRequest::default(), &observer, None)
        .await
        .expect_err("cancelled");
    stopper.await.expect("stopper");
    assert_eq!(e.code(), ErrorCode::Cancelled, "{e}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "stopped promptly"
    );
    let history = console
        .entra()
        .list_history(&target, 10)
        .await
        .expect("history");
    assert_eq!(history[0].outcome, "cancelled");
    assert!(history[0].plan_id.is_none(), "no plan was made");

    // Nothing was kept: the next run reads everything because there is no earlier read.
    server.clear_faults();
    let plan_now = || async {
        console
            .entra()
            .plan(
                &target,
                &EntraPlanRequest::default(),
                &Observer::quiet(),
                None,
            )
            .await
            .expect("plan")
    };
    let plan = plan_now().await;
    assert_eq!(plan.read.kind, "full");
    assert!(
        plan.read
            .full_because
            .as_deref()
            .is_some_and(|b| b.contains("no earlier read")),
        "{:?}",
        plan.read
    );

    // Run after run (a scheduler's): only the newest plans stay, each holding a whole tree.
    let mut ids = vec![plan.document.id.clone()];
    for _ in 0..cloo_console::entra::PLANS_KEPT + 1 {
        ids.push(plan_now().await.document.id);
    }
    let kept = cloo_console::entra::PLANS_KEPT as usize;
    for (i, id) in ids.iter().enumerate() {
        let stored = console.imports().get_org_plan(id).await.is_ok();
        assert_eq!(stored, i >= ids.len() - kept, "plan {i} of {}", ids.len());
    }
}
