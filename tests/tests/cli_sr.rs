//! `clooctl sr` against a customer sandbox and a central sandbox that mails support through a
//! real SMTP server: the configuration, a submit through the deployment, the direct route with
//! the SR key from stdin (a malformed key refused), a direct submit, the outbox, bad input.

use cloo_tests::mail::{SmtpMode, SmtpServer};
use cloo_tests::{Clooctl, SandboxProcess};
use serde_json::Value;

const KEY: &str = "sr-00000000000000000000abcd";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_requests_are_submitted_both_ways_and_listed_in_the_outbox() {
    let mail = SmtpServer::start(SmtpMode::Plain, None).expect("smtp");
    let central = cloo_tests::sr::central(KEY, "Contoso", mail.port, None).await;
    let customer =
        SandboxProcess::start(&["--sr-key", KEY, "--cloocus-url", &central.url]).expect("customer");
    let cli = Clooctl::new("cli-sr");
    assert_eq!(cli.add_tenant(&customer, "c", &[]).code, 0);

    let config = cli.run(&["sr", "config", "-o", "json"], "");
    assert_eq!(config.code, 0, "{}", config.stderr);
    assert_eq!(config.json()["route"], "deployment");
    let bad = cli.run(
        &[
            "sr",
            "submit",
            "--title",
            "x",
            "--type",
            "billing",
            "--content",
            "y",
            "--yes",
        ],
        "",
    );
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("type"), "{}", bad.stderr);

    let sent = cli.run(
        &[
            "sr",
            "submit",
            "--title",
            "Chat fails",
            "--type",
            "bug",
            "--subtype",
            "chat_error",
            "--content",
            "Every answer ends with an error since Monday.",
            "--yes",
            "-o",
            "json",
        ],
        "",
    );
    assert_eq!(sent.code, 0, "{}", sent.stderr);
    assert_eq!(sent.json()["state"], "sent");

    let malformed = cli.run(
        &["sr", "direct", "--url", &central.url, "--key-stdin"],
        "sr-XYZ\n",
    );
    assert_eq!(malformed.code, 2, "{}", malformed.stderr);
    let direct = cli.run(
        &["sr", "direct", "--url", &central.url, "--key-stdin"],
        &format!("{KEY}\n"),
    );
    assert_eq!(direct.code, 0, "{}", direct.stderr);
    let straight = cli.run(
        &[
            "sr",
            "submit",
            "--title",
            "Quota",
            "--type",
            "usage_limit",
            "--content",
            "More, please.",
            "--via",
            "direct",
            "--yes",
            "-o",
            "json",
        ],
        "",
    );
    assert_eq!(straight.code, 0, "{}", straight.stderr);
    assert_eq!(straight.json()["route"], "direct");

    let outbox = cli.run(&["sr", "outbox", "-o", "json"], "");
    let items: Vec<Value> = outbox.json().as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|i| i["state"] == "sent"));
    let received = cloo_tests::sr::received(&central).await;
    assert_eq!(received.len(), 2);
    assert_eq!(mail.messages(2, std::time::Duration::from_secs(5)).len(), 2);
    assert!(!outbox.stdout.contains(KEY), "the key never shows");
}
