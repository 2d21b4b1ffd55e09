//! Service Requests end to end against sandbox processes — a customer deployment and a central
//! instance that mails support through a real SMTP server: through the deployment's proxy;
//! straight to the central instance with the deployment down, kept in the outbox until the
//! receiver is up and delivered by a console opened again on the same store; a send cut off
//! without an answer left `unknown` and never sent again by itself; a refused key failed.

use cloo_console::Observer;
use cloo_console::service_requests::{OutboxState, SrResolution, now};
use cloo_domain::service_request::{SrDraft, SrRoute};
use cloo_tests::SandboxProcess;
use cloo_tests::mail::{SmtpMode, SmtpServer};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

const KEY: &str = "sr-0123456789abcdef01234567";

fn draft(title: &str) -> SrDraft {
    SrDraft {
        title: title.into(),
        kind: "usage_limit".into(),
        subtype: Some("limit_increase".into()),
        content: "Please raise the daily limit of the <Sales> group to 200.".into(),
    }
}

async fn central(port: Option<u16>, mail: &SmtpServer) -> SandboxProcess {
    cloo_tests::sr::central(KEY, "Northwind Robotics", mail.port, port).await
}

async fn received(central: &SandboxProcess) -> Vec<Value> {
    cloo_tests::sr::received(central).await
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sr_goes_through_the_deployment_to_the_central_instance_and_its_mail() {
    let mail = SmtpServer::start(SmtpMode::Plain, None).expect("smtp");
    let central = central(None, &mail).await;
    let customer =
        SandboxProcess::start(&["--sr-key", KEY, "--cloocus-url", &central.url]).expect("customer");
    let (console, target, _dir) = cloo_tests::direct_console(&customer).await;
    let sr = console.service_requests();
    let setup = sr.setup(&target).await.expect("setup");
    assert_eq!(
        (setup.deployment_enabled, setup.route),
        (Some(true), Some(SrRoute::Deployment))
    );
    assert!(
        setup
            .types
            .iter()
            .any(|t| t.key == "bug" && t.subtypes.contains(&"other_error".to_owned()))
    );

    let item = sr
        .submit(&target, &draft("More quota"), None, &Observer::quiet())
        .await
        .expect("submitted");
    assert_eq!(item.state, OutboxState::Sent, "{item:?}");
    let got = received(&central).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["company"], "Northwind Robotics");
    assert_eq!(
        got[0]["user_email"],
        customer.admin_email.as_str(),
        "the deployment names its caller"
    );
    let content = got[0]["content"].as_str().unwrap_or_default();
    assert!(
        content.starts_with(&format!(
            "Deployment: {}",
            customer.url.trim_end_matches('/')
        )),
        "{content}"
    );
    assert!(content.contains("Subtype: limit_increase\n"), "{content}");
    assert!(
        content.contains(&format!("Console reference: {}", item.id)),
        "{content}"
    );
    assert!(content.contains("‹Sales›"), "markup is defused: {content}");
    let mails = mail.messages(1, Duration::from_secs(5));
    assert!(mails[0].to.contains("support-cloosphere@cloocus.com"));
    assert!(
        mails[0].data.contains("Northwind Robotics"),
        "{}",
        mails[0].data
    );
    let outbox = sr.outbox(Some(&target)).await.expect("outbox");
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].state, OutboxState::Sent);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_deployment_down_an_sr_waits_in_the_outbox_and_is_delivered_after_a_restart() {
    let mail = SmtpServer::start(SmtpMode::Plain, None).expect("smtp");
    let mut customer = SandboxProcess::start(&[]).expect("customer");
    let dir = cloo_tests::data_dir();
    let secrets = Arc::new(cloo_store::MemorySecrets::default());
    let open = || async {
        cloo_console::Console::open(Some(dir.path()), secrets.clone())
            .await
            .expect("console")
    };
    let console = open().await;
    let target = cloo_console::Target::Direct(cloo_console::DirectTarget {
        url: customer.url.clone(),
        credential: cloo_console::Credential::Password {
            email: customer.admin_email.clone(),
            password: cloo_domain::Secret::new(&customer.admin_password),
        },
        ca_pem: None,
    });
    let port = free_port();
    let sr = console.service_requests();
    let refused = sr
        .set_direct(
            &target,
            "http://127.0.0.1:1",
            &cloo_domain::Secret::new("sr-NOT-A-KEY"),
            &Observer::quiet(),
        )
        .await;
    assert!(
        refused.is_err(),
        "a malformed key is refused before it is filed"
    );
    sr.set_direct(
        &target,
        &format!("http://127.0.0.1:{port}"),
        &cloo_domain::Secret::new(KEY),
        &Observer::quiet(),
    )
    .await
    .expect("direct route");
    customer.kill();

    // The deployment is down and the central instance not up yet: stored, first attempt fails.
    let item = sr
        .submit(&target, &draft("Down"), None, &Observer::quiet())
        .await
        .expect("stored");
    assert_eq!(
        (item.state, item.route),
        (OutboxState::Queued, SrRoute::Direct),
        "{item:?}"
    );
    assert_eq!(item.attempts, 1);
    assert!(item.next_attempt_at > now(), "backed off");
    assert_eq!(
        item.sent["user_email"],
        customer.admin_email.as_str(),
        "the tenant's account asks"
    );
    // Not due yet: nothing is tried.
    assert!(
        sr.deliver_due(Some(&target), now())
            .await
            .expect("due")
            .is_empty()
    );
    drop(console);

    // The receiver comes up; a console opened again on the same store delivers it once due.
    let central = central(Some(port), &mail).await;
    let console = open().await;
    let later = now() + 31_000;
    let done = console
        .service_requests()
        .deliver_due(Some(&target), later)
        .await
        .expect("delivered");
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].state, OutboxState::Sent, "{:?}", done[0]);
    assert_eq!(done[0].attempts, 2);
    assert_eq!(received(&central).await.len(), 1);
    assert!(
        console
            .service_requests()
            .deliver_due(Some(&target), later)
            .await
            .expect("none")
            .is_empty()
    );
    assert_eq!(received(&central).await.len(), 1, "delivered once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_cut_off_without_an_answer_is_left_unknown_and_a_refused_key_fails() {
    // A receiver that reads the request and hangs up without answering.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let hits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = hits.clone();
    tokio::spawn(async move {
        use tokio::io::AsyncReadExt;
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = vec![0u8; 65536];
            let _ = socket.read(&mut buf).await;
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            drop(socket);
        }
    });
    let customer = SandboxProcess::start(&[]).expect("customer");
    let (console, target, _dir) = cloo_tests::direct_console(&customer).await;
    let sr = console.service_requests();
    sr.set_direct(
        &target,
        &format!("http://127.0.0.1:{port}"),
        &cloo_domain::Secret::new(KEY),
        &Observer::quiet(),
    )
    .await
    .expect("direct route");
    let item = sr
        .submit(
            &target,
            &draft("Cut off"),
            Some(SrRoute::Direct),
            &Observer::quiet(),
        )
        .await
        .expect("stored");
    assert_eq!(item.state, OutboxState::Unknown, "{item:?}");
    assert!(
        sr.deliver_due(Some(&target), now() + 86_400_000)
            .await
            .expect("due")
            .is_empty()
    );
    assert_eq!(
        hits.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "never sent again by itself"
    );
    let again = sr
        .resolve(&target, &item.id, SrResolution::SendAgain)
        .await
        .expect("resent");
    assert_eq!(again.state, OutboxState::Unknown, "{again:?}");
    assert_eq!(
        hits.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "sent again on the admin's word"
    );
    let marked = sr
        .resolve(&target, &item.id, SrResolution::MarkSent)
        .await
        .expect("marked");
    assert_eq!(marked.state, OutboxState::Sent);
    let journal = console
        .journal()
        .list(&Default::default())
        .await
        .expect("journal");
    assert_eq!(
        journal
            .entries
            .iter()
            .filter(|e| e.operation == "sr.resolve")
            .count(),
        2,
        "each decision is journaled"
    );

    // A central instance that does not know the key: failed, with its words.
    let mail = SmtpServer::start(SmtpMode::Plain, None).expect("smtp");
    let central = central(None, &mail).await;
    sr.set_direct(
        &target,
        &central.url,
        &cloo_domain::Secret::new("sr-ffffffffffffffffffffffff"),
        &Observer::quiet(),
    )
    .await
    .expect("another key");
    let refused = sr
        .submit(
            &target,
            &draft("Wrong key"),
            Some(SrRoute::Direct),
            &Observer::quiet(),
        )
        .await
        .expect("stored");
    assert_eq!(refused.state, OutboxState::Failed);
    assert!(
        refused
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("Invalid SR key"),
        "{refused:?}"
    );
}
