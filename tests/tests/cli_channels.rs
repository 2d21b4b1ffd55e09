//! `clooctl channels` against a sandbox process and a real SMTP server: channels added with
//! secrets from stdin, a webhook URL that never shows whole, a move refused (exit 3) until the
//! moved channels' secrets are given and then made with both intact, tests through the
//! deployment and from this machine, and a removal.

use cloo_tests::mail::{SmtpMode, SmtpServer};
use cloo_tests::{Clooctl, SandboxProcess};
use serde_json::Value;

async fn stored(sandbox: &SandboxProcess, name: &str) -> Value {
    reqwest::get(format!("{}/_sandbox/stored_setting/{name}", sandbox.url))
        .await
        .expect("hook")
        .json()
        .await
        .expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn channels_are_added_moved_tested_and_removed_with_every_secret_intact() {
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let mail = SmtpServer::start(SmtpMode::Plain, Some(("mailer", "ops-pass-1"))).expect("smtp");
    let cli = Clooctl::new("cli-channels");
    assert_eq!(cli.add_tenant(&sandbox, "t", &[]).code, 0);
    let port = format!("smtp.port={}", mail.port);
    let add = |name: &str, password: &str| {
        cli.run(
            &[
                "channels",
                "add-email",
                name,
                "--engine",
                "smtp",
                "--set",
                "smtp.server=127.0.0.1",
                "--set",
                &port,
                "--set",
                "smtp.username=mailer",
                "--set",
                "smtp.use_tls=false",
                "--set",
                "smtp.from_address=noreply@example.com",
                "--secret",
                "smtp.password",
                "--yes",
                "-o",
                "json",
            ],
            &format!("{password}\n"),
        )
    };
    let ops = add("ops", "ops-pass-1");
    assert_eq!(ops.code, 0, "{}", ops.stderr);
    assert!(!ops.stdout.contains("ops-pass-1"), "{}", ops.stdout);
    assert_eq!(ops.json()["channels"][0]["secrets"][0][1], "typed");
    assert_eq!(add("hr", "hr-pass-2").code, 0);
    let hook = cli.run(
        &[
            "channels",
            "add-webhook",
            "alerts",
            "--provider",
            "slack",
            "--set",
            "url=-",
            "--yes",
        ],
        "https://hooks.slack.com/services/T1/B2/very-secret-hook\n",
    );
    assert_eq!(hook.code, 0, "{}", hook.stderr);
    let got = cli.run(&["channels", "get", "alerts", "-o", "json"], "");
    assert_eq!(got.code, 0, "{}", got.stderr);
    assert_eq!(got.json()["values"]["url"], "https://hooks.slack.com/…hook");
    assert!(
        !cli.run(&["channels", "list", "-o", "json"], "")
            .stdout
            .contains("very-secret")
    );

    // A move changes both channels' positions: refused before anything is sent …
    let refused = cli.run(
        &["channels", "move", "hr", "--to", "0", "--yes", "-o", "json"],
        "",
    );
    assert_eq!(refused.code, 3, "{}", refused.stderr);
    let error: Value = serde_json::from_str(refused.stderr.trim()).expect("json error");
    assert_eq!(error["error"]["code"], "secret_would_be_lost");
    let named: Vec<&str> = error["error"]["channel_refusals"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["channel"].as_str())
        .collect();
    assert_eq!(named, vec!["hr", "ops"]);
    // … and made once both secrets are given.
    let moved = cli.run(
        &[
            "channels",
            "move",
            "hr",
            "--to",
            "0",
            "--secret",
            "smtp.password",
            "--secret",
            "ops:smtp.password",
            "--yes",
        ],
        "hr-pass-2\nops-pass-1\n",
    );
    assert_eq!(moved.code, 0, "{}", moved.stderr);
    let now = stored(&sandbox, "NOTIFICATION_EMAIL_CHANNELS").await;
    assert_eq!(
        (now[0]["name"].as_str(), now[0]["smtp"]["password"].as_str()),
        (Some("hr"), Some("hr-pass-2"))
    );
    assert_eq!(
        (now[1]["name"].as_str(), now[1]["smtp"]["password"].as_str()),
        (Some("ops"), Some("ops-pass-1"))
    );

    // Tests: the deployment's, then this machine's (a wrong password is named as such).
    let through = cli.run(&["channels", "test", "ops"], "");
    assert_eq!(through.code, 0, "{}{}", through.stdout, through.stderr);
    assert!(
        through.stdout.contains("Connection successful"),
        "{}",
        through.stdout
    );
    let desktop = cli.run(
        &[
            "channels",
            "test",
            "ops",
            "--via",
            "desktop",
            "--secret",
            "smtp.password",
            "--send-to",
            "it@example.com",
        ],
        "ops-pass-1\n",
    );
    assert_eq!(desktop.code, 0, "{}{}", desktop.stdout, desktop.stderr);
    let received = mail.messages(1, std::time::Duration::from_secs(5));
    assert_eq!(received[0].to, "it@example.com");
    let wrong = cli.run(
        &[
            "channels",
            "test",
            "ops",
            "--via",
            "desktop",
            "--secret",
            "smtp.password",
            "-o",
            "json",
        ],
        "wrong-pass\n",
    );
    assert_eq!(wrong.code, 2, "{}", wrong.stdout);
    assert_eq!(wrong.json()["failure"], "authentication");

    // Removing the last channel moves nobody: no secret is asked for.
    let removed = cli.run(&["channels", "remove", "ops", "--yes"], "");
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    let now = stored(&sandbox, "NOTIFICATION_EMAIL_CHANNELS").await;
    assert_eq!(now.as_array().map(Vec::len), Some(1));
    assert_eq!(now[0]["smtp"]["password"], "hr-pass-2");
    let journal = cli.run(&["journal", "list", "-o", "json"], "");
    let saves = journal
        .json()
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["operation"] == "notifications.save")
        .count();
    assert_eq!(saves, 6, "five saves and the refused move are journaled");

    // The event subscriptions: replaced, read back, stored as the server keeps them.
    let set = cli.run(
        &[
            "channels",
            "events",
            "--set",
            "user_signup, sr_submitted",
            "--yes",
        ],
        "",
    );
    assert_eq!(set.code, 0, "{}", set.stderr);
    let events = cli.run(&["channels", "events", "-o", "json"], "");
    assert_eq!(
        events.json(),
        serde_json::json!(["user_signup", "sr_submitted"])
    );
    assert_eq!(
        stored(&sandbox, "NOTIFICATION_EVENTS").await,
        serde_json::json!(["user_signup", "sr_submitted"])
    );
    let hr = stored(&sandbox, "NOTIFICATION_EMAIL_CHANNELS").await;
    assert_eq!(
        hr[0]["smtp"]["password"], "hr-pass-2",
        "an events save keeps every secret"
    );
}
